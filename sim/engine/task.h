/* task.h - struct task, our task_struct: one SimGrid actor (a user thread or a kernel
 * thread), pinned to one CPU. Model code receives the acting task as its first argument
 * and reaches the simulation through tsk->sim; there is no `current`.
 *
 * Time: model code charge()s cost to the task (clock.h); the task runs ahead of the
 * global simulated clock by at most its pending cost, and flushes before anything whose
 * outcome depends on time. */
#ifndef MMSIM_ENGINE_TASK_H
#define MMSIM_ENGINE_TASK_H

#include "types.h"
#include "engine/rng.h"

struct sim;
struct engine;
struct mm_struct;
struct task;
struct lock_class;
struct lock_site;
struct mempolicy;

#define TASK_COMM_LEN 16
#define MAX_LOCK_DEPTH 48

typedef void (*task_fn)(struct task *tsk);

/* One held lock, for lockdep and the hold-time measurement. Filled by locks/. */
struct held_lock {
	const void *lock;                  /* the lock instance */
	const struct lock_class *class;
	const struct lock_site *site;      /* where it was acquired */
	u64 acquired_ns;                   /* logical time of acquisition */
	u8 read;                           /* held shared */
};

enum task_state {
	TASK_RUNNING,          /* running or runnable (the engine's view) */
	TASK_BLOCKED_LOCK,     /* parked on a lock: counts towards deadlock detection */
	TASK_WOKEN,            /* unparked (e.g. handed a lock), not yet running again */
	TASK_BLOCKED_IO,       /* waiting for a device */
	TASK_IDLE,             /* kthread waiting for work, or sleeping */
	TASK_DEAD,
};

struct task {
	struct sim *sim;                   /* borrowed: lives as long as sim */
	struct engine *eng;                /* borrowed */
	void *actor;                       /* engine/ only: sg_actor_t */
	void *park;                        /* engine/ only: sg_sem_t this task blocks on */
	u32 id;                            /* dense actor id, creation order */
	u32 pid, tid;
	char comm[TASK_COMM_LEN];
	unsigned cpu, node;
	bool kthread;
	enum task_state state;
	struct mm_struct *mm;              /* NULL for kernel threads */
	struct rng rng;
	u64 pending_ns;                    /* charged, not yet flushed */
	u64 pending_cpu_ns;                /* part of pending_ns that is CPU work */
	u64 ahead_ns;                      /* flushed without a simcall (run-ahead), not yet slept */
	double ra_clock;                   /* engine/ only: SimGrid's clock after those sleeps */
	u64 ra_clock_ns;                   /* engine/ only: the same in ns, as engine_now_ns() */
	u64 cpu_ns;                        /* total CPU time charged */
	u64 wait_ns;                       /* total time spent waiting on locks */
	u64 nr_flushes;                    /* simcalls this task made */
	u64 nr_ops;                        /* ops replayed */
	u64 fatal_at_ns;                   /* task/kill.h: its process is killed at this time
					    * (0: never); touch_range stops then */
	u32 lockstat_id;                   /* locks/: id of comm in lockstat's task names, 0: unset */
	u32 nr_dirtied, nr_dirtied_pause;  /* mm/writeback.h: pages dirtied since the last
					    * balance_dirty_pages, and its next check */
	int lockdep_depth;
	struct held_lock held[MAX_LOCK_DEPTH];
	u64 wake_ns;                       /* logical time a waker handed us (lock grant) */
	void *wait_entry;                  /* locks/: the queue entry we are parked on */
	const char *wait_desc;             /* locks/: class name of the lock we wait for */
	void *priv;                        /* the task's owner (replay state, kthread data) */
	task_fn fn;
	bool failed;                       /* killed by the engine (deadlock, watchdog) */
	u32 unparks_pending;               /* task_unpark()s not yet consumed by a park */
	bool park_idle;                    /* parked waiting for work (TASK_IDLE) */
	bool ra_parked;                    /* engine/ only: in a park, woken by task_unpark() */
	bool dl_progress;                  /* engine/ only: counted as able to progress */
	u32 ra_slot;                       /* engine/ only: run-ahead bookkeeping slot */
	struct mempolicy *mempolicy;       /* task policy (set_mempolicy); NULL = default */
	int il_prev;                       /* interleave cursor of the task policy */
	unsigned il_weight;                /* weighted interleave: pages left on il_prev */
	u64 tlb_huge;                      /* mm/memory.c, costs.tlb_misses: 1 + index of the 2 MiB
					    * mapping whose TLB entry the thread loaded last */
};

#endif
