/* engine.c - SimGrid glue: platform, task actors, the clock flush, blocking primitives,
 * deadlock detection and the periodic tickers. The only file that includes SimGrid.
 *
 * Time model. Each task accumulates charged cost (pending_ns) and runs ahead of the
 * global clock by that much; flush() sleeps it off in one simcall. Tasks pinned to the
 * same CPU queue behind each other (per-CPU busy_until, FIFO). Locks (locks/) order
 * grants by logical time, so an uncontended path needs no simcall at all.
 *
 * Deadlock detection. SimGrid's own detector is disabled by any periodic daemon and
 * exits 0 (reference/simgrid.md §0), so the engine counts tasks that can make progress:
 * a task parked on a lock, or a kernel thread parked without timeout waiting for work,
 * cannot. When the last task that could make progress parks on a lock, every task is
 * killed and a deadlock finding lists who waited on what. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/disk.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <xbt/config.h>
#include <xbt/log.h>

#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"

struct cpu_state {
	u64 busy_until;                    /* ns: end of the last CPU work queued on it */
	unsigned node;
};

struct ticker {
	struct engine *eng;
	u64 interval_ns;
	engine_tick_fn fn;
	void *arg;
};

struct exit_ctx {
	struct task *tsk;
	task_exit_fn fn;
};

struct engine {
	struct sim *sim;
	const struct scenario *scn;
	unsigned nr_nodes, nr_cpus, cpus_per_node;
	struct cpu_state *cpus;
	sg_host_t hosts[MAX_NUMNODES];
	sg_disk_t swap_disk;
	u64 swap_latency_ns;
	sg_disk_t bdi_disk;                /* the file device (mm/backing_dev.h) */
	u64 bdi_latency_ns;
	u64 lookahead_ns;
	struct task **tasks;               /* every task ever spawned, by id */
	u32 nr_tasks, tasks_cap;
	struct exit_ctx *exits;            /* parallel to tasks */
	u32 nr_live;                       /* spawned and not yet exited */
	u32 nr_live_user;                  /* live non-kthreads */
	u32 deadlock_hint;                 /* the task that last showed progress (check_deadlock) */
	struct ticker *tickers;
	unsigned nr_tickers;
	struct engine_stats st;
	bool dying;                        /* deadlock or watchdog: kill in progress */
	bool stopping;                     /* no user task left: kernel threads must return */
	engine_deadlock_fn on_deadlock;
	void *on_deadlock_arg;
	double wall_deadline;              /* CLOCK_MONOTONIC seconds, 0: no --max-wall */
	u64 max_rss_bytes;                 /* 0: no --max-memory */
	u32 limit_tick;                    /* limits are checked every LIMIT_PERIOD calls */
	engine_cpu_fn cpu_hook;            /* the timeline's CPU tracks, or NULL */
	void *cpu_hook_arg;
};

#define LIMIT_PERIOD 4096

/* Set from signal handlers: only written once (the first request wins), read at every
 * scheduling point. */
static volatile sig_atomic_t stop_request;

static u64 secs_to_ns(double s)
{
	return (u64)llround(s * 1e9);
}

u64 engine_now_ns(const struct engine *e)
{
	(void)e;
	return secs_to_ns(simgrid_get_clock());
}

u64 task_now(const struct task *tsk)
{
	return engine_now_ns(tsk->eng) + tsk->pending_ns;
}

static void kill_everything(struct engine *e);

void engine_request_stop(int reason)
{
	if (!stop_request)
		stop_request = reason;
}

void engine_clear_stop(int reason)
{
	if (stop_request == reason)
		stop_request = 0;
}

static double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void engine_set_limits(struct engine *e, double max_wall_s, u64 max_rss_bytes)
{
	e->wall_deadline = max_wall_s > 0 ? monotonic_s() + max_wall_s : 0;
	e->max_rss_bytes = max_rss_bytes;
}

const char *engine_stop_reason_str(int reason)
{
	switch (reason) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case ENGINE_STOP_WALL:
		return "the --max-wall limit";
	case ENGINE_STOP_MEMORY:
		return "the --max-memory limit";
	case ENGINE_STOP_CHECK:
		return "an invariant violation (--check)";
	default:
		return "a stop request";
	}
}

static void check_limits(struct engine *e)
{
	if (e->wall_deadline > 0 && monotonic_s() >= e->wall_deadline)
		engine_request_stop(ENGINE_STOP_WALL);
	if (e->max_rss_bytes) {
		struct rusage ru;
		if (!getrusage(RUSAGE_SELF, &ru) && (u64)ru.ru_maxrss * 1024 >= e->max_rss_bytes)
			engine_request_stop(ENGINE_STOP_MEMORY);
	}
}

/* A scheduling point of an actor: honour a stop request by killing every task, this
 * actor included (the deadlock path does the same). */
static void check_stop(struct engine *e)
{
	if ((e->wall_deadline > 0 || e->max_rss_bytes) && !(++e->limit_tick % LIMIT_PERIOD))
		check_limits(e);
	if (__builtin_expect(!stop_request, 1) || e->dying)
		return;
	e->st.stop_reason = stop_request;
	e->st.stopped_at_ns = engine_now_ns(e);
	kill_everything(e);
	sg_actor_exit();
}

static void sleep_ns(struct engine *e, u64 ns)
{
	check_stop(e);
	e->st.simcalls++;
	sg_actor_sleep_for((double)ns * 1e-9);
}

void flush(struct task *tsk)
{
	struct engine *e = tsk->eng;
	if (!tsk->pending_ns)
		return;
	struct cpu_state *c = &e->cpus[tsk->cpu];
	u64 now = engine_now_ns(e);
	u64 delay = c->busy_until > now ? c->busy_until - now : 0;
	if (tsk->pending_cpu_ns)
		c->busy_until = now + delay + tsk->pending_cpu_ns;
	if (unlikely(e->cpu_hook != NULL) && tsk->pending_cpu_ns)
		e->cpu_hook(e->cpu_hook_arg, tsk, now + delay, c->busy_until);
	u64 total = delay + tsk->pending_ns;
	tsk->pending_ns = 0;
	tsk->pending_cpu_ns = 0;
	tsk->nr_flushes++;
	e->st.flushes++;
	sleep_ns(e, total);
}

void flush_if_ahead(struct task *tsk)
{
	if (tsk->pending_ns && tsk->pending_ns >= tsk->eng->lookahead_ns)
		flush(tsk);
}

/* ---- platform ---- */

static void write_platform(FILE *f, const struct scenario *scn)
{
	const struct machine_cfg *m = &scn->machine;
	fprintf(f, "<?xml version='1.0'?>\n"
		   "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
		   "<platform version=\"4.1\">\n<zone id=\"numa\" routing=\"Full\">\n");
	for (unsigned n = 0; n < m->nr_nodes; n++) {
		fprintf(f, "  <host id=\"node%u\" speed=\"1Gf\" core=\"%u\">\n", n, m->cpus_per_node);
		if (n == 0 && m->swap.size)
			fprintf(f, "    <disk id=\"swap\" read_bw=\"%lluBps\" write_bw=\"%lluBps\"/>\n",
				(unsigned long long)m->swap.read_bw,
				(unsigned long long)m->swap.write_bw);
		if (n == 0)
			fprintf(f, "    <disk id=\"bdi\" read_bw=\"%lluBps\" write_bw=\"%lluBps\"/>\n",
				(unsigned long long)m->bdi.read_bw,
				(unsigned long long)m->bdi.write_bw);
		fprintf(f, "  </host>\n");
	}
	fprintf(f, "</zone>\n</platform>\n");
}

static void load_platform(const struct scenario *scn)
{
	char path[] = "/tmp/mmsim-platform-XXXXXX.xml";
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		perror("mmsim: cannot create the platform file");
		exit(1);
	}
	FILE *f = fdopen(fd, "w");
	write_platform(f, scn);
	if (fclose(f) != 0) {
		perror("mmsim: cannot write the platform file");
		unlink(path);
		exit(1);
	}
	simgrid_load_platform(path);
	unlink(path);
}

struct engine *engine_create(struct sim *sim, const struct scenario *scn)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->sim = sim;
	e->scn = scn;
	e->nr_nodes = scn->machine.nr_nodes;
	e->cpus_per_node = scn->machine.cpus_per_node;
	e->nr_cpus = e->nr_nodes * e->cpus_per_node;
	e->lookahead_ns = scn->engine.lookahead_ns;
	e->swap_latency_ns = scn->machine.swap.latency_ns;
	e->bdi_latency_ns = scn->machine.bdi.latency_ns;
	e->cpus = xcalloc(e->nr_cpus, sizeof(*e->cpus));
	for (unsigned c = 0; c < e->nr_cpus; c++)
		e->cpus[c].node = c / e->cpus_per_node;

	/* SimGrid reads its options from argv; MMSIM_SG_FACTORY picks the context factory
	 * (the sanitizer CI uses "thread", where LeakSanitizer sees actor leaks). */
	const char *factory = getenv("MMSIM_SG_FACTORY");
	char fac[64];
	snprintf(fac, sizeof(fac), "--cfg=contexts/factory:%s", factory && *factory ? factory : "raw");
	char *argv[] = { "mmsim", "--log=root.thres:critical", "--cfg=network/model:CM02",
			 "--cfg=contexts/stack-size:1024", fac, NULL };
	int argc = (int)ARRAY_SIZE(argv) - 1;
	simgrid_init(&argc, argv);
	load_platform(scn);
	for (unsigned n = 0; n < e->nr_nodes; n++) {
		char name[32];
		snprintf(name, sizeof(name), "node%u", n);
		e->hosts[n] = sg_host_by_name(name);
	}
	{
		unsigned int nr = 0;
		sg_disk_t *disks = NULL;
		sg_host_get_disks(e->hosts[0], &nr, &disks);
		for (unsigned int i = 0; i < nr; i++) {
			if (!strcmp(sg_disk_get_name(disks[i]), "swap"))
				e->swap_disk = disks[i];
			else if (!strcmp(sg_disk_get_name(disks[i]), "bdi"))
				e->bdi_disk = disks[i];
		}
		free(disks);
	}
	return e;
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	for (u32 i = 0; i < e->nr_tasks; i++) {
		if (e->tasks[i]->park)
			sg_sem_destroy(e->tasks[i]->park);
		free(e->tasks[i]);
	}
	free(e->tasks);
	free(e->exits);
	free(e->tickers);
	free(e->cpus);
	free(e);
}

void engine_set_cpu_hook(struct engine *e, engine_cpu_fn fn, void *arg)
{
	e->cpu_hook = fn;
	e->cpu_hook_arg = arg;
}

void engine_set_deadlock_handler(struct engine *e, engine_deadlock_fn fn, void *arg)
{
	e->on_deadlock = fn;
	e->on_deadlock_arg = arg;
}

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->st;
}

unsigned engine_nr_cpus(const struct engine *e)
{
	return e->nr_cpus;
}

u32 engine_nr_live_user(const struct engine *e)
{
	return e->nr_live_user;
}

unsigned engine_cpu_to_node(const struct engine *e, unsigned cpu)
{
	return e->cpus[cpu].node;
}

void task_set_cpu(struct task *tsk, unsigned cpu)
{
	struct engine *e = tsk->eng;
	if (cpu >= e->nr_cpus) {
		fprintf(stderr, "mmsim: bug: task_set_cpu to cpu %u of %u\n", cpu, e->nr_cpus);
		abort();
	}
	if (cpu == tsk->cpu)
		return;
	if (sg_actor_self() == tsk->actor)
		flush(tsk);   /* the work done so far ran on the old CPU */
	unsigned node = e->cpus[cpu].node;
	if (node != tsk->node) {
		e->st.simcalls++;
		sg_actor_set_host(tsk->actor, e->hosts[node]);
	}
	tsk->cpu = cpu;
	tsk->node = node;
}

/* ---- actors ---- */

static void check_deadlock(struct engine *e, struct task *last);

static void task_on_exit(int failed, void *data)
{
	struct task *tsk = data;
	struct engine *e = tsk->eng;
	struct exit_ctx *x = &e->exits[tsk->id];
	bool held = tsk->lockdep_depth > 0;
	tsk->state = TASK_DEAD;
	tsk->failed = failed != 0;
	e->nr_live--;
	if (!tsk->kthread)
		e->nr_live_user--;
	if (x->fn)
		x->fn(tsk, failed != 0);
	/* A task that died holding a lock strands its waiters. */
	if (held && !e->dying)
		check_deadlock(e, tsk);
}

bool kthread_should_stop(const struct task *tsk)
{
	return tsk->eng->stopping;
}

static void stop_kthreads(struct engine *e, struct task *waker)
{
	e->stopping = true;
	for (u32 i = 0; i < e->nr_tasks; i++) {
		struct task *t = e->tasks[i];
		if (t->kthread && t->state == TASK_IDLE && t->park_idle)
			task_unpark(waker, t);
	}
}

static void task_actor_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct task *tsk = sg_actor_self_get_data();
	sg_actor_on_exit(task_on_exit, tsk);
	tsk->fn(tsk);
	flush(tsk);   /* the work charged last still takes its time */
	/* The last user task is leaving: ask the kernel threads to return (kthread_stop).
	 * Done here, in the actor's own context, where waking others is allowed. */
	struct engine *e = tsk->eng;
	if (!tsk->kthread && e->nr_live_user == 1 && !e->dying)
		stop_kthreads(e, tsk);
}

struct task *engine_spawn(struct engine *e, const char *comm, unsigned cpu, bool kthread,
			  u64 start_ns, task_fn fn, void *priv, task_exit_fn exit_fn)
{
	struct task *tsk = xcalloc(1, sizeof(*tsk));
	if (e->nr_tasks == e->tasks_cap) {
		e->tasks_cap = e->tasks_cap ? 2 * e->tasks_cap : 64;
		e->tasks = xrealloc(e->tasks, e->tasks_cap * sizeof(*e->tasks));
		e->exits = xrealloc(e->exits, e->tasks_cap * sizeof(*e->exits));
	}
	tsk->id = e->nr_tasks;
	e->tasks[tsk->id] = tsk;
	e->exits[tsk->id] = (struct exit_ctx){ .tsk = tsk, .fn = exit_fn };
	e->nr_tasks++;
	tsk->sim = e->sim;
	tsk->eng = e;
	tsk->cpu = cpu % e->nr_cpus;
	tsk->node = e->cpus[tsk->cpu].node;
	tsk->kthread = kthread;
	tsk->fn = fn;
	tsk->priv = priv;
	tsk->state = TASK_RUNNING;
	snprintf(tsk->comm, sizeof(tsk->comm), "%s", comm);
	rng_seed(&tsk->rng, e->scn->seed, tsk->id);
	tsk->park = sg_sem_init(0);
	u64 now = engine_now_ns(e);
	if (start_ns > now)
		tsk->pending_ns = start_ns - now;  /* idle until its start time */
	e->nr_live++;
	if (!kthread)
		e->nr_live_user++;
	e->st.tasks_spawned++;

	char name[48];
	snprintf(name, sizeof(name), "%s/%u", tsk->comm, tsk->id);
	sg_actor_t a = sg_actor_init(name, e->hosts[tsk->node]);
	tsk->actor = a;
	sg_actor_set_data(a, tsk);
	/* Kernel threads are not SimGrid daemons: a daemon is killed wherever it stands when
	 * the last user task ends, leaving pages isolated and locks held. They are stopped
	 * instead (kthread_should_stop) and return at a clean point. */
	sg_actor_start(a, task_actor_main, 0, NULL);
	return tsk;
}

/* ---- blocking ---- */

static void report_deadlock(struct engine *e, struct task *last)
{
	char *msg = xstrdup("no task holding a lock can make progress:");
	for (u32 i = 0; i < e->nr_tasks; i++) {
		struct task *t = e->tasks[i];
		if (t->state != TASK_BLOCKED_LOCK && !(t->state == TASK_DEAD && t->lockdep_depth))
			continue;
		char *m;
		if (t->state == TASK_DEAD)
			m = xasprintf("%s\n  %s (task %u) exited holding %d lock(s)", msg, t->comm,
				      t->id, t->lockdep_depth);
		else
			m = xasprintf("%s\n  %s (task %u, cpu %u) holds %d lock(s), waits for %s", msg,
				      t->comm, t->id, t->cpu, t->lockdep_depth,
				      t->wait_desc ? t->wait_desc : "?");
		free(msg);
		msg = m;
	}
	if (e->on_deadlock)
		e->on_deadlock(e->on_deadlock_arg, task_now(last), msg);
	free(msg);
}

static void kill_everything(struct engine *e)
{
	e->dying = true;
	sg_actor_kill_all();
}

/* A lock is only waited for while someone holds it, so when every live task that
 * holds a lock is itself parked on a lock (or the holder died), no waiter can ever be
 * granted: a deadlock. Kill everything; the caller, if an actor, exits too. */
/* A task that is not parked on a lock and will run (woken, or a pending wake-up) or
 * holds a lock while able to run: while one exists, no deadlock. */
static bool task_can_progress(const struct task *t)
{
	if (t->state == TASK_BLOCKED_LOCK || t->state == TASK_DEAD)
		return false;
	return t->state == TASK_WOKEN || t->unparks_pending || t->lockdep_depth > 0;
}

static void check_deadlock(struct engine *e, struct task *last)
{
	/* The task that showed progress last time usually still does: look at it first, so
	 * a park among 1,024 parked tasks costs one test, not a scan. */
	if (e->deadlock_hint < e->nr_tasks && task_can_progress(e->tasks[e->deadlock_hint]))
		return;
	u32 blocked = 0;
	for (u32 i = 0; i < e->nr_tasks; i++) {
		const struct task *t = e->tasks[i];
		if (t->state == TASK_BLOCKED_LOCK) {
			blocked++;
		} else if (task_can_progress(t)) {
			e->deadlock_hint = i;
			return;
		}
	}
	if (!blocked)
		return;
	e->st.deadlocks++;
	report_deadlock(e, last);
	kill_everything(e);
}

bool task_park(struct task *tsk, enum task_state state)
{
	struct engine *e = tsk->eng;
	flush(tsk);
	if (tsk->kthread && e->stopping && state == TASK_IDLE)
		return true;   /* a kernel thread asked to stop does not go to sleep */
	bool idle = state == TASK_IDLE;
	tsk->park_idle = idle;
	/* Woken already (during the flush, other actors ran): the park returns at once. */
	tsk->state = tsk->unparks_pending ? TASK_WOKEN : state;
	if (state == TASK_BLOCKED_LOCK && !tsk->unparks_pending && !e->dying) {
		check_deadlock(e, tsk);
		if (e->dying)
			sg_actor_exit();
	}
	check_stop(e);
	e->st.simcalls++;
	e->st.parks++;
	sg_sem_acquire(tsk->park);
	tsk->unparks_pending--;
	tsk->park_idle = false;
	tsk->state = TASK_RUNNING;
	return true;
}

int task_park_timeout(struct task *tsk, enum task_state state, u64 timeout_ns)
{
	struct engine *e = tsk->eng;
	flush(tsk);
	if (tsk->kthread && e->stopping)
		return 1;
	tsk->state = state;
	tsk->park_idle = true;
	e->st.simcalls++;
	e->st.parks++;
	int timed_out = sg_sem_acquire_timeout(tsk->park, (double)timeout_ns * 1e-9);
	/* An unpark that came after the timeout fired but before this actor ran again left
	 * its token: take it now (a wake-up at the timeout), or the task's next park (a lock
	 * wait) would return at once, ungranted. */
	if (timed_out && tsk->unparks_pending) {
		sg_sem_acquire(tsk->park);
		timed_out = 0;
	}
	if (!timed_out)
		tsk->unparks_pending--;
	tsk->park_idle = false;
	tsk->state = TASK_RUNNING;
	return timed_out ? 0 : 1;
}

void task_unpark(struct task *waker, struct task *tsk)
{
	struct engine *e = tsk->eng;
	(void)waker;
	e->st.simcalls++;
	e->st.unparks++;
	/* A waiter handed a lock owns it from now on, before it runs again: it must not
	 * look blocked to the deadlock check. */
	if (tsk->state == TASK_BLOCKED_LOCK)
		tsk->state = TASK_WOKEN;
	tsk->unparks_pending++;
	sg_sem_release(tsk->park);
}

void task_unpark_all(struct task *waker, struct task *const *list, u32 *nr)
{
	u32 n = *nr;
	if (!n)
		return;
	struct task **t = xmalloc(n * sizeof(*t));
	memcpy(t, list, n * sizeof(*t));
	*nr = 0;
	for (u32 i = 0; i < n; i++)
		task_unpark(waker, t[i]);
	free(t);
}

void task_sleep(struct task *tsk, u64 ns)
{
	flush(tsk);
	if (!ns)
		return;
	tsk->state = TASK_IDLE;
	sleep_ns(tsk->eng, ns);
	tsk->state = TASK_RUNNING;
}

void task_disk_io(struct task *tsk, bool write, u64 bytes)
{
	struct engine *e = tsk->eng;
	flush(tsk);
	if (!e->swap_disk) {
		fprintf(stderr, "mmsim: bug: swap I/O without a swap device\n");
		abort();
	}
	tsk->state = TASK_BLOCKED_IO;
	if (e->swap_latency_ns)
		sleep_ns(e, e->swap_latency_ns);
	e->st.simcalls++;
	e->st.disk_ios++;
	if (write)
		sg_disk_write(e->swap_disk, bytes);
	else
		sg_disk_read(e->swap_disk, bytes);
	tsk->state = TASK_RUNNING;
}

void task_bdev_io(struct task *tsk, bool write, u64 bytes)
{
	struct engine *e = tsk->eng;
	flush(tsk);
	tsk->state = TASK_BLOCKED_IO;
	if (e->bdi_latency_ns)
		sleep_ns(e, e->bdi_latency_ns);
	e->st.simcalls++;
	e->st.bdi_ios++;
	if (write)
		sg_disk_write(e->bdi_disk, bytes);
	else
		sg_disk_read(e->bdi_disk, bytes);
	tsk->state = TASK_RUNNING;
}

/* ---- tickers and the run ---- */

static void ticker_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct ticker *t = sg_actor_self_get_data();
	/* Tick k is due at k * interval and is stamped so. The clock is a double: after
	 * thousands of intervals it reads a nanosecond short (11099999999), which is
	 * rounding, not a later sample. The sleeps stay relative, as the simulation's
	 * interleaving of actors depends on when this actor wakes. */
	for (u64 k = 1;; k++) {
		sg_actor_sleep_for((double)t->interval_ns * 1e-9);
		check_stop(t->eng);
		t->fn(t->arg, k * t->interval_ns, false);
	}
}

void engine_add_ticker(struct engine *e, u64 interval_ns, engine_tick_fn fn, void *arg)
{
	e->tickers = xrealloc(e->tickers, (e->nr_tickers + 1) * sizeof(*e->tickers));
	e->tickers[e->nr_tickers++] = (struct ticker){ e, interval_ns, fn, arg };
}

void engine_run(struct engine *e, u64 duration_ns)
{
	/* Tickers start here so that their array no longer moves. */
	for (unsigned i = 0; i < e->nr_tickers; i++) {
		sg_actor_t a = sg_actor_init("ticker", e->hosts[0]);
		sg_actor_set_data(a, &e->tickers[i]);
		sg_actor_daemonize(a);
		sg_actor_start(a, ticker_main, 0, NULL);
	}
	if (!e->nr_live_user)
		e->stopping = true;   /* kernel threads alone: they return at once */
	if (duration_ns) {
		simgrid_run_until((double)duration_ns * 1e-9);
		if (e->nr_live_user && !e->st.stop_reason) {
			e->st.watchdog_fired = true;
			kill_everything(e);
		}
		if (e->nr_live)
			simgrid_run();   /* the killed, or kernel threads finishing */
	} else {
		simgrid_run();
	}
	for (unsigned i = 0; i < e->nr_tickers; i++)
		e->tickers[i].fn(e->tickers[i].arg, engine_now_ns(e), true);
}
