/* engine.h - the SimGrid glue: platform (one host per NUMA node, one core per CPU, a
 * disk for the swap device), actors for tasks and kernel threads, blocking primitives.
 * The only module that includes <simgrid/...>.
 *
 * Lifecycle: engine_create() once per process (SimGrid allows one engine), spawn the
 * initial tasks, engine_run(), then read results and engine_destroy(). */
#ifndef MMSIM_ENGINE_ENGINE_H
#define MMSIM_ENGINE_ENGINE_H

#include "engine/task.h"

struct scenario;
struct sim;

struct engine_stats {
	u64 simcalls;          /* flush sleeps, parks, wakes, disk I/O: every call into SimGrid */
	u64 flushes;           /* flush points, whether or not they reached SimGrid */
	u64 flushes_run_ahead; /* flush points that did not (engine.runahead) */
	u64 parks, unparks;
	u64 disk_ios;
	u64 bdi_ios;           /* requests on the file device (task_bdev_io) */
	u64 tasks_spawned;
	u64 deadlocks;         /* tasks killed because every live task was parked on a lock */
	bool watchdog_fired;   /* duration reached with tasks still alive */
	int stop_reason;       /* 0, or why the run was stopped early (engine_request_stop) */
	u64 stopped_at_ns;     /* simulated time of that stop */
};

/* Called (in the dying actor) when a task's function returns or the task is killed. */
typedef void (*task_exit_fn)(struct task *tsk, bool failed);

/* Build the platform from the scenario. Must be called once per process. */
struct engine *engine_create(struct sim *sim, const struct scenario *scn);
void engine_destroy(struct engine *e);

/* Create a task actor on a CPU. It starts at the current simulated time (or at
 * start_ns if later) and runs fn(tsk). Kernel threads do not keep the simulation alive:
 * when the last user task returns, kthread_should_stop() turns true and every kernel
 * thread parked with a timeout is woken; they must then return promptly. The engine owns
 * the task and frees it after exit_fn ran. */
struct task *engine_spawn(struct engine *e, const char *comm, unsigned cpu, bool kthread,
			  u64 start_ns, task_fn fn, void *priv, task_exit_fn exit_fn);

/* True once the kernel threads have been asked to return (no user task is left). */
bool kthread_should_stop(const struct task *tsk);

/* Called once when a deadlock stops the run, with a description of every blocked
 * task (sim.c turns it into a finding). */
typedef void (*engine_deadlock_fn)(void *arg, u64 now_ns, const char *description);
void engine_set_deadlock_handler(struct engine *e, engine_deadlock_fn fn, void *arg);

/* Run until every non-kthread task has exited, or until duration_ns (when non-zero). */
void engine_run(struct engine *e, u64 duration_ns);

const struct engine_stats *engine_stats(const struct engine *e);

/* Stopping a run early with partial outputs. engine_request_stop() is async-signal-safe
 * (a signal handler calls it): reason is the signal number, or one of the limits below.
 * The run stops at the next scheduling point of any actor (every simcall and every
 * sampler tick checks): every task is killed as on a deadlock and engine_run() returns.
 * The first request wins. */
#define ENGINE_STOP_WALL   (-1)    /* --max-wall: wall-clock time limit reached */
#define ENGINE_STOP_MEMORY (-2)    /* --max-memory: the host process's peak RSS limit */
#define ENGINE_STOP_CHECK  (-3)    /* --check: an invariant is broken */
void engine_request_stop(int reason);
/* Forget a stop request of this reason once its run has stopped (the next run of the
 * same process starts clean); a signal's request stays. */
void engine_clear_stop(int reason);
/* 0 for no limit. Checked every few thousand simcalls. */
void engine_set_limits(struct engine *e, double max_wall_s, u64 max_rss_bytes);
/* "SIGINT", "SIGTERM", "the --max-wall limit", ... for messages. */
const char *engine_stop_reason_str(int reason);
unsigned engine_nr_cpus(const struct engine *e);
/* Live tasks that are not kernel threads. */
u32 engine_nr_live_user(const struct engine *e);
unsigned engine_cpu_to_node(const struct engine *e, unsigned cpu);

/* Move tsk to another CPU (sched_setaffinity's migration): its cpu, its local node and
 * the SimGrid host its actor runs on. Called by tsk itself, whose work charged so far is
 * first flushed on its old CPU, or by another task while tsk is blocked in a simcall
 * (cooperative scheduling). No-op when cpu is the current one. */
void task_set_cpu(struct task *tsk, unsigned cpu);

/* Blocking primitives. Each flushes the caller first. */

/* Block until task_unpark(). state says why (TASK_BLOCKED_LOCK counts for deadlock
 * detection). Returns false if the task must give up (killed on deadlock). */
bool task_park(struct task *tsk, enum task_state state);
/* Same with a timeout in ns; returns 1 if woken, 0 on timeout. */
int task_park_timeout(struct task *tsk, enum task_state state, u64 timeout_ns);
/* Wake a parked task. Do all bookkeeping first: the woken task may run before this
 * call returns (SimGrid schedules at every simcall). */
void task_unpark(struct task *waker, struct task *tsk);
/* Wake every task of a wait list and empty it (*nr = 0 first: a woken task may queue
 * itself again while the others are woken). */
void task_unpark_all(struct task *waker, struct task *const *list, u32 *nr);
/* locks/lockdep.c calls it when tsk's held-lock count goes 0 -> 1 or 1 -> 0 (the
 * deadlock check counts lock holders that can run). */
void task_lock_depth_changed(struct task *tsk);
/* Sleep off-CPU for ns. */
void task_sleep(struct task *tsk, u64 ns);
/* Synchronous swap-device I/O of bytes on the device of the given node's host. */
void task_disk_io(struct task *tsk, bool write, u64 bytes);
/* Synchronous I/O of bytes on the file device (machine.bdi: latency, then the transfer
 * with the bandwidth shared among the requests in flight). Used through mm/backing_dev.h. */
void task_bdev_io(struct task *tsk, bool write, u64 bytes);

/* Called at every flush that puts CPU work on a CPU: tsk runs on tsk->cpu over
 * [start_ns, end_ns) (after the work queued before it). For the timeline's CPU tracks. */
typedef void (*engine_cpu_fn)(void *arg, struct task *tsk, u64 start_ns, u64 end_ns);
void engine_set_cpu_hook(struct engine *e, engine_cpu_fn fn, void *arg);

/* Register a callback run by a daemon actor every interval_ns of simulated time, and
 * once more at the end of the run (final = true). Used by stats/sampler. */
typedef void (*engine_tick_fn)(void *arg, u64 now_ns, bool final);
void engine_add_ticker(struct engine *e, u64 interval_ns, engine_tick_fn fn, void *arg);

#endif
