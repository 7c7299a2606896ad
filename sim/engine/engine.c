/* engine.c - SimGrid glue: platform, task actors, the clock flush, blocking primitives,
 * deadlock detection and the periodic tickers. The only file that includes SimGrid.
 *
 * Time model. Each task accumulates charged cost (pending_ns) and runs ahead of the
 * global clock by that much; flush() sleeps it off in one simcall. Tasks pinned to the
 * same CPU queue behind each other (per-CPU busy_until, FIFO). Locks (locks/) order
 * grants by logical time, so an uncontended path needs no simcall at all.
 *
 * Run-ahead (engine.runahead). A flush is there to let the other actors act in the
 * meantime. The engine knows, for every other actor, the earliest simulated time at
 * which it can next act (it sees every sleep, park, wake-up and I/O), kept in a
 * tournament tree (struct ra_tree): sleeping until T: T; parked: never, or its timeout;
 * woken, runnable, just spawned or in device I/O: now. When the time a flush would
 * sleep to is strictly before that bound (and before the run's duration), nobody else
 * can run during the sleep, so the flush does everything but the simcall: it queues the
 * work on the CPU as it would have, and the task keeps the time as ahead_ns. The
 * skipped sleeps are taken, merged into one, before the task's next call into SimGrid
 * (a flush that cannot be skipped, a park, a wake-up, a spawn, I/O, the task's end), so
 * SimGrid sees the same order of events as without run-ahead and every output is the
 * same but the simcall count. Exactness rests on two facts of SimGrid 3.32: a sleep
 * that ends strictly first leaves its action heap (a stable pairing heap) as it found
 * it, so equal-time ties keep their order; and the clock after a sleep is computed in
 * doubles, so the skipped sleeps are replayed in the same arithmetic (sg_clock_after)
 * and the catch-up sleep lands on that exact double (checked: a mismatch aborts as a
 * bug). Timeline CPU slices are reported at every flush point, skipped or not, so they
 * are unchanged.
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
	u32 ra_slot;
};

/* Run-ahead: per actor slot, the earliest simulated ns at which it can next act
 * (RA_NEVER: parked without timeout, or gone). The running actor's key is stale while
 * it runs (ra_resume leaves it, the actor's next block sets it) and ra_nobody_until()
 * looks past it. */
#define RA_NEVER UINT64_MAX
/* SimGrid takes events within surf/precision (1 ns) of each other as simultaneous, and
 * its clock is a double: a skipped sleep must end this much before the bound. */
#define RA_MARGIN_NS 4
/* simgrid_run_until(d) stops once the clock is within 10 us of d: no run-ahead that
 * close to a run's duration. */
#define RA_RUN_UNTIL_SLACK_NS 20000

/* A tournament tree: min[leaves + slot] is the slot's key, min[i] the least key under
 * inner node i (min[1]: all). A key change walks up one path; the least key but one
 * slot's is the least of the siblings along that slot's path. */
struct ra_tree {
	u64 *min;                          /* 2 * leaves */
	u32 leaves;                        /* a power of two, >= nr_slots */
	u32 nr_slots;
};
#define RA_NOPOS UINT32_MAX

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
	u32 nr_progress;                   /* tasks for which task_can_progress() holds */
	u32 nr_blocked_lock;               /* tasks in TASK_BLOCKED_LOCK */
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
	bool runahead;                     /* engine.runahead */
	u64 horizon_ns;                    /* the run's duration (its watchdog), RA_NEVER: none */
	struct task *running;              /* the task actor executing now, NULL: ticker/maestro */
	u32 running_slot;                  /* its run-ahead slot (or the ticker's), RA_NOPOS: maestro */
	struct ra_tree ra;
	bool ra_fast;                      /* flush_ahead_fast() may run: ra_fast_update() */
};

#define LIMIT_PERIOD 4096

/* Set from signal handlers: only written once (the first request wins), read at every
 * scheduling point. */
static volatile sig_atomic_t stop_request;

/* llround(s * 1e9) without the libm call (flushes convert a clock each): for 0 <= x < 2^63
 * the truncation t and x - t are exact, so rounding half away from zero is t + (x - t >= .5). */
static u64 secs_to_ns(double s)
{
	double x = s * 1e9;
	if (unlikely(!(x >= 0 && x < 9.2e18)))
		return (u64)llround(x);
	s64 t = (s64)x;
	return (u64)t + (x - (double)t >= 0.5);
}

/* The clock does not move while an actor runs, and the hot paths read it at every flush
 * point: the last reading and its conversion are kept (one engine per process) until
 * control comes back from SimGrid (ra_resume, ra_resume_other: every call into SimGrid
 * that can let time pass returns through one of them). */
static double now_clock = -1;
static u64 now_clock_ns;
static bool now_valid;             /* false: read SimGrid's clock again */

static double sg_now(void)
{
	if (!now_valid) {
		double c = simgrid_get_clock();
		if (c != now_clock) {
			now_clock_ns = secs_to_ns(c);
			now_clock = c;
		}
		now_valid = true;
	}
	return now_clock;
}

u64 engine_now_ns(const struct engine *e)
{
	(void)e;
	sg_now();
	return now_clock_ns;
}

/* The global clock as the task sees it: after the sleeps it skipped (run-ahead), the
 * clock SimGrid would show after them, rounded as engine_now_ns() rounds it. */
static u64 task_clock_ns(const struct task *tsk)
{
	return tsk->ahead_ns ? tsk->ra_clock_ns : engine_now_ns(tsk->eng);
}

u64 task_now(const struct task *tsk)
{
	return task_clock_ns(tsk) + tsk->pending_ns;
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

/* Whether a flush may take the one-pass run-ahead path: run-ahead on, nobody dying, no
 * timeline CPU hook and no limit to check (stop requests are tested there each time). */
static void ra_fast_update(struct engine *e)
{
	e->ra_fast = e->runahead && !e->dying && !e->cpu_hook && !(e->wall_deadline > 0) &&
		     !e->max_rss_bytes;
}

void engine_set_limits(struct engine *e, double max_wall_s, u64 max_rss_bytes)
{
	e->wall_deadline = max_wall_s > 0 ? monotonic_s() + max_wall_s : 0;
	e->max_rss_bytes = max_rss_bytes;
	ra_fast_update(e);
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
static void check_stop_slow(struct engine *e);

static inline void check_stop(struct engine *e)
{
	if (unlikely(stop_request || e->wall_deadline > 0 || e->max_rss_bytes))
		check_stop_slow(e);
}

static void check_stop_slow(struct engine *e)
{
	if ((e->wall_deadline > 0 || e->max_rss_bytes) && !(++e->limit_tick % LIMIT_PERIOD))
		check_limits(e);
	if (__builtin_expect(!stop_request, 1) || e->dying)
		return;
	e->st.stop_reason = stop_request;
	e->st.stopped_at_ns = e->running ? task_clock_ns(e->running) : engine_now_ns(e);
	kill_everything(e);
	sg_actor_exit();
}

/* ---- run-ahead bookkeeping ---- */

static u32 ra_slot_new(struct engine *e)
{
	struct ra_tree *t = &e->ra;
	if (t->nr_slots == t->leaves) {
		/* Double the leaves and rebuild the inner nodes. */
		u32 old = t->leaves, n = old ? 2 * old : 64;
		u64 *m = xmalloc(2 * n * sizeof(*m));
		for (u32 i = 0; i < n; i++)
			m[n + i] = i < old ? t->min[old + i] : RA_NEVER;
		for (u32 i = n - 1; i >= 1; i--)
			m[i] = m[2 * i] < m[2 * i + 1] ? m[2 * i] : m[2 * i + 1];
		free(t->min);
		t->min = m;
		t->leaves = n;
	}
	return t->nr_slots++;
}

static u64 ra_key(const struct engine *e, u32 slot)
{
	return e->ra.min[e->ra.leaves + slot];
}

/* The earliest time the actor of slot can next act (RA_NEVER: none). Walks up from
 * the leaf while the subtree minimum changes. */
static void ra_set(struct engine *e, u32 slot, u64 key)
{
	u64 *m = e->ra.min;
	u32 i = e->ra.leaves + slot;
	if (m[i] == key)
		return;
	m[i] = key;
	for (i /= 2; i; i /= 2) {
		u64 v = m[2 * i] < m[2 * i + 1] ? m[2 * i] : m[2 * i + 1];
		if (m[i] == v)
			break;
		m[i] = v;
	}
}

/* Whether no actor but the running one can act at or before t (nor the run end): every
 * sibling along the running slot's path to the root has a later least key (the running
 * actor's own key is stale while it runs: ra_resume leaves it, its next block sets it).
 * Stops at the first sibling that can act, usually a near one in a crowd. */
static bool ra_nobody_until(const struct engine *e, u64 t)
{
	const u64 *m = e->ra.min;
	if (e->horizon_ns <= t)
		return false;
	if (!e->ra.leaves)
		return true;
	if (e->running_slot == RA_NOPOS)
		return m[1] > t;
	for (u32 i = e->ra.leaves + e->running_slot; i > 1; i /= 2)
		if (m[i ^ 1] <= t)
			return false;
	return true;
}

/* tsk is about to call into SimGrid and will be able to act again at `at`. */
static void ra_block(struct engine *e, struct task *tsk, u64 at)
{
	ra_set(e, tsk->ra_slot, at);
}

/* tsk runs again (returned from SimGrid, or started). Its key stays, stale, until it
 * blocks again (ra_nobody_until skips it). */
static void ra_resume(struct engine *e, struct task *tsk)
{
	now_valid = false;
	e->running = tsk;
	e->running_slot = tsk->ra_slot;
}

/* A ticker (or, with RA_NOPOS, maestro) runs. */
static void ra_resume_other(struct engine *e, u32 slot)
{
	now_valid = false;
	e->running = NULL;
	e->running_slot = slot;   /* as ra_resume: its key stays until it blocks */
}

/* Sleep tsk for secs of SimGrid time; it can act again at at_ns. */
static void sleep_secs(struct engine *e, struct task *tsk, double secs, u64 at_ns)
{
	check_stop(e);
	e->st.simcalls++;
	ra_block(e, tsk, at_ns);
	sg_actor_sleep_for(secs);
	ra_resume(e, tsk);
}

static void sleep_ns(struct engine *e, struct task *tsk, u64 ns)
{
	sleep_secs(e, tsk, (double)ns * 1e-9, engine_now_ns(e) + ns);
}

/* SimGrid's clock after an actor alone sleeps for secs from clock c, in SimGrid 3.32's
 * own double arithmetic: CpuCas01::sleep() raises the duration to surf/precision, the
 * lazy CPU model puts the action in its heap at start + duration, and
 * EngineImpl::solve() adds (date - now) to now. The same sleeps taken one by one or
 * merged can give clocks an ulp apart, and an ulp decides which of two actors due at the
 * same nanosecond runs first: run-ahead reproduces the clock exactly, not to the ns. */
static double sg_clock_after(double c, double secs)
{
	double dur = secs < 1e-9 ? 1e-9 : secs;
	double date = c + dur;
	double delta = date - c;
	return c + delta;
}

/* The flush without its sleep: queue the pending CPU work on the task's CPU behind what
 * is queued there at the task's time (after the sleeps it skipped). Returns the time to
 * sleep: the queueing delay and the pending cost. */
static u64 flush_account(struct task *tsk)
{
	struct engine *e = tsk->eng;
	struct cpu_state *c = &e->cpus[tsk->cpu];
	u64 now = task_clock_ns(tsk);
	u64 delay = c->busy_until > now ? c->busy_until - now : 0;
	if (tsk->pending_cpu_ns)
		c->busy_until = now + delay + tsk->pending_cpu_ns;
	if (unlikely(e->cpu_hook != NULL) && tsk->pending_cpu_ns)
		e->cpu_hook(e->cpu_hook_arg, tsk, now + delay, c->busy_until);
	u64 total = delay + tsk->pending_ns;
	tsk->pending_ns = 0;
	tsk->pending_cpu_ns = 0;
	e->st.flushes++;
	return total;
}

/* Take the sleeps the task skipped, in one simcall that lands SimGrid's clock exactly
 * where the last of them would have (ra_try_skip checked that one sleep can). */
static void sync_ahead(struct task *tsk)
{
	struct engine *e = tsk->eng;
	u64 ns = tsk->ahead_ns;
	if (!ns)
		return;
	/* sg_now()'s reading, taken when the task began to run ahead, must still hold */
	double c0 = sg_now(), target = tsk->ra_clock;
	u64 at = task_clock_ns(tsk);
	if (simgrid_get_clock() != c0) {
		fprintf(stderr, "mmsim: bug: run-ahead: SimGrid's clock moved from %.17g s to %.17g s "
			"while a task ran ahead\n", c0, simgrid_get_clock());
		abort();
	}
	tsk->ahead_ns = 0;
	tsk->nr_flushes++;
	sleep_secs(e, tsk, target - c0, at);
	if (sg_now() != target) {
		fprintf(stderr, "mmsim: bug: run-ahead: SimGrid's clock is %.17g s after the catch-up "
			"sleep, expected %.17g s (engine.runahead: false avoids it)\n",
			simgrid_get_clock(), target);
		abort();
	}
}

/* Whether the flush of total ns can skip its sleep: no other actor can act before the
 * sleep would end (strictly, by a margin, and before the last 20 us of a run with a
 * duration, where SimGrid's run_until() stops on a 10 us tolerance), and one sleep from
 * the current clock can later land exactly where the skipped ones would have. */
static bool ra_try_skip(struct engine *e, struct task *tsk, u64 total)
{
	if (!e->runahead || e->dying)
		return false;
	u64 until = task_clock_ns(tsk) + total;
	if (!ra_nobody_until(e, until + RA_MARGIN_NS))
		return false;
	/* SimGrid's clock cannot move while the task is ahead: it takes its skipped sleeps
	 * before any call into SimGrid (sync_ahead), so sg_now()'s reading still holds. */
	double c0 = sg_now();
	double from = tsk->ahead_ns ? tsk->ra_clock : c0;
	double to = sg_clock_after(from, (double)total * 1e-9);
	if (!(to > c0) || sg_clock_after(c0, to - c0) != to)
		return false;
	tsk->ahead_ns += total;
	tsk->ra_clock = to;
	tsk->ra_clock_ns = secs_to_ns(to);
	e->st.flushes_run_ahead++;
	check_stop(e);   /* stop requests and limits are still checked at every flush */
	return true;
}

/* A flush that always reaches SimGrid: before blocking, waking or spawning. */
static void flush_sync(struct task *tsk)
{
	u64 total = tsk->pending_ns ? flush_account(tsk) : 0;
	sync_ahead(tsk);
	if (total) {
		tsk->nr_flushes++;
		sleep_ns(tsk->eng, tsk, total);
	}
}

/* The running actor, across a call into SimGrid that does not block it. */
struct ra_self {
	struct task *tsk;                  /* NULL: a ticker or maestro */
	u32 slot;
};

/* The running actor is about to call into SimGrid without blocking (a wake-up, a
 * spawn, a host change): a task takes its skipped sleeps first, and the actor counts as
 * runnable now while the others run during the call. */
static struct ra_self ra_enter(struct engine *e)
{
	struct ra_self self = { e->running, e->running_slot };
	if (self.tsk)
		sync_ahead(self.tsk);
	if (self.slot != RA_NOPOS)
		ra_set(e, self.slot, engine_now_ns(e));
	return self;
}

static void ra_leave(struct engine *e, struct ra_self self)
{
	if (self.tsk)
		ra_resume(e, self.tsk);
	else
		ra_resume_other(e, self.slot);
}

/* The common flush of a task already running ahead (its SimGrid clock known), with no
 * timeline, limits or stop request: flush_account() and ra_try_skip() in one pass that
 * changes nothing unless the skip succeeds. Returns false to take the general path. */
static inline bool flush_ahead_fast(struct engine *e, struct task *tsk)
{
	if (!tsk->ahead_ns || !e->ra_fast || stop_request)
		return false;
	struct cpu_state *c = &e->cpus[tsk->cpu];
	u64 now = tsk->ra_clock_ns;
	u64 delay = c->busy_until > now ? c->busy_until - now : 0;
	u64 total = delay + tsk->pending_ns;
	if (!ra_nobody_until(e, now + total + RA_MARGIN_NS))
		return false;
	/* sg_clock_after() and ra_try_skip()'s landing check with fewer dependent operations,
	 * same doubles: when the duration d is at most the clock c, (c + d) - c is exact
	 * (Sterbenz), so c + ((c + d) - c) is c + d; when c0 < to <= 2 c0 and to - c0 >= 1 ns,
	 * to - c0 is exact and one sleep of it from c0 lands on to. */
	double c0 = sg_now(), from = tsk->ra_clock;
	double dur = (double)(s64)total * 1e-9;
	if (dur < 1e-9)
		dur = 1e-9;
	double to = dur <= from ? from + dur : sg_clock_after(from, dur);
	if (!(to > c0))
		return false;
	double d = to - c0;
	if (!(to <= 2 * c0 && d >= 1e-9) && sg_clock_after(c0, d) != to)
		return false;
	if (tsk->pending_cpu_ns)
		c->busy_until = now + delay + tsk->pending_cpu_ns;
	tsk->pending_ns = 0;
	tsk->pending_cpu_ns = 0;
	e->st.flushes++;
	e->st.flushes_run_ahead++;
	tsk->ahead_ns += total;
	tsk->ra_clock = to;
	tsk->ra_clock_ns = secs_to_ns(to);
	return true;
}

static __attribute__((noinline)) void flush_slow(struct task *tsk)
{
	u64 total = flush_account(tsk);
	if (ra_try_skip(tsk->eng, tsk, total))
		return;
	sync_ahead(tsk);
	tsk->nr_flushes++;
	sleep_ns(tsk->eng, tsk, total);
}

void flush(struct task *tsk)
{
	if (!tsk->pending_ns)
		return;
	if (!flush_ahead_fast(tsk->eng, tsk))
		flush_slow(tsk);
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
	e->runahead = scn->engine.runahead;
	ra_fast_update(e);
	e->horizon_ns = RA_NEVER;
	e->running_slot = RA_NOPOS;
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
	free(e->ra.min);
	free(e);
}

void engine_set_cpu_hook(struct engine *e, engine_cpu_fn fn, void *arg)
{
	e->cpu_hook = fn;
	ra_fast_update(e);
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
		flush_sync(tsk);   /* the work done so far ran on the old CPU */
	unsigned node = e->cpus[cpu].node;
	if (node != tsk->node) {
		e->st.simcalls++;
		struct ra_self self = ra_enter(e);
		sg_actor_set_host(tsk->actor, e->hosts[node]);
		ra_leave(e, self);
	}
	tsk->cpu = cpu;
	tsk->node = node;
}

/* ---- deadlock accounting ---- */

/* A task that is not parked on a lock and will run (woken, or a pending wake-up) or
 * holds a lock while able to run: while one exists, no deadlock. */
static bool task_can_progress(const struct task *t)
{
	if (t->state == TASK_BLOCKED_LOCK || t->state == TASK_DEAD)
		return false;
	return t->state == TASK_WOKEN || t->unparks_pending || t->lockdep_depth > 0;
}

/* Recount t after a change of what task_can_progress() reads. */
static void dl_update(struct engine *e, struct task *t)
{
	bool p = task_can_progress(t);
	if (p != t->dl_progress) {
		t->dl_progress = p;
		if (p)
			e->nr_progress++;
		else
			e->nr_progress--;
	}
}

static void set_state(struct task *t, enum task_state state)
{
	struct engine *e = t->eng;
	e->nr_blocked_lock += (state == TASK_BLOCKED_LOCK) - (t->state == TASK_BLOCKED_LOCK);
	t->state = state;
	dl_update(e, t);
}

void task_lock_depth_changed(struct task *tsk)
{
	dl_update(tsk->eng, tsk);
}

/* ---- actors ---- */

static void check_deadlock(struct engine *e, struct task *last);

static void task_on_exit(int failed, void *data)
{
	struct task *tsk = data;
	struct engine *e = tsk->eng;
	struct exit_ctx *x = &e->exits[tsk->id];
	bool held = tsk->lockdep_depth > 0;
	ra_resume(e, tsk);
	set_state(tsk, TASK_DEAD);
	tsk->failed = failed != 0;
	e->nr_live--;
	if (!tsk->kthread)
		e->nr_live_user--;
	if (x->fn)
		x->fn(tsk, failed != 0);
	if (!failed)
		flush_sync(tsk);   /* time charged by the exit callback */
	/* A task that died holding a lock strands its waiters. */
	if (held && !e->dying)
		check_deadlock(e, tsk);
	ra_resume_other(e, RA_NOPOS);
	ra_set(e, tsk->ra_slot, RA_NEVER);
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
	sg_actor_on_exit(task_on_exit, tsk);   /* a scheduling point: still "runnable now" */
	ra_resume(tsk->eng, tsk);
	tsk->fn(tsk);
	flush_sync(tsk);   /* the work charged last still takes its time */
	/* The last user task is leaving: ask the kernel threads to return (kthread_stop).
	 * Done here, in the actor's own context, where waking others is allowed. */
	struct engine *e = tsk->eng;
	if (!tsk->kthread && e->nr_live_user == 1 && !e->dying)
		stop_kthreads(e, tsk);
}

struct task *engine_spawn(struct engine *e, const char *comm, unsigned cpu, bool kthread,
			  u64 start_ns, task_fn fn, void *priv, task_exit_fn exit_fn)
{
	struct ra_self self = ra_enter(e);   /* a spawn by a task happens at its time */
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
	set_state(tsk, TASK_RUNNING);
	snprintf(tsk->comm, sizeof(tsk->comm), "%s", comm);
	rng_seed(&tsk->rng, e->scn->seed, tsk->id);
	tsk->park = sg_sem_init(0);
	tsk->ra_slot = ra_slot_new(e);
	u64 now = engine_now_ns(e);
	ra_set(e, tsk->ra_slot, now);   /* it starts running now */
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
	ra_leave(e, self);
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
	ra_fast_update(e);
	sg_actor_kill_all();
}

/* A lock is only waited for while someone holds it, so when every live task that
 * holds a lock is itself parked on a lock (or the holder died), no waiter can ever be
 * granted: a deadlock. Kill everything; the caller, if an actor, exits too.
 * The engine keeps the number of tasks that can progress (dl_update() at every change
 * of a task's state, pending wake-ups or lock depth), so a park costs no scan. */
static void check_deadlock(struct engine *e, struct task *last)
{
#ifdef MMSIM_DEBUG_VM
	u32 progress = 0, blocked = 0;
	for (u32 i = 0; i < e->nr_tasks; i++) {
		progress += task_can_progress(e->tasks[i]);
		blocked += e->tasks[i]->state == TASK_BLOCKED_LOCK;
	}
	if (progress != e->nr_progress || blocked != e->nr_blocked_lock) {
		fprintf(stderr, "mmsim: bug: deadlock counts %u/%u, tasks say %u/%u\n", e->nr_progress,
			e->nr_blocked_lock, progress, blocked);
		abort();
	}
#endif
	if (e->nr_progress || !e->nr_blocked_lock)
		return;
	e->st.deadlocks++;
	report_deadlock(e, last);
	kill_everything(e);
}

bool task_park(struct task *tsk, enum task_state state)
{
	struct engine *e = tsk->eng;
	flush_sync(tsk);
	if (tsk->kthread && e->stopping && state == TASK_IDLE)
		return true;   /* a kernel thread asked to stop does not go to sleep */
	bool idle = state == TASK_IDLE;
	tsk->park_idle = idle;
	/* Woken already (during the flush, other actors ran): the park returns at once. */
	set_state(tsk, tsk->unparks_pending ? TASK_WOKEN : state);
	if (state == TASK_BLOCKED_LOCK && !tsk->unparks_pending && !e->dying) {
		check_deadlock(e, tsk);
		if (e->dying)
			sg_actor_exit();
	}
	check_stop(e);
	e->st.simcalls++;
	e->st.parks++;
	tsk->ra_parked = true;
	ra_block(e, tsk, tsk->unparks_pending ? engine_now_ns(e) : RA_NEVER);
	sg_sem_acquire(tsk->park);
	tsk->ra_parked = false;
	ra_resume(e, tsk);
	tsk->unparks_pending--;
	tsk->park_idle = false;
	set_state(tsk, TASK_RUNNING);
	return true;
}

int task_park_timeout(struct task *tsk, enum task_state state, u64 timeout_ns)
{
	struct engine *e = tsk->eng;
	flush_sync(tsk);
	if (tsk->kthread && e->stopping)
		return 1;
	set_state(tsk, state);
	tsk->park_idle = true;
	e->st.simcalls++;
	e->st.parks++;
	u64 now = engine_now_ns(e);
	tsk->ra_parked = true;
	ra_block(e, tsk, tsk->unparks_pending ? now : now + timeout_ns);
	int timed_out = sg_sem_acquire_timeout(tsk->park, (double)timeout_ns * 1e-9);
	tsk->ra_parked = false;
	ra_resume(e, tsk);
	/* An unpark that came after the timeout fired but before this actor ran again left
	 * its token: take it now (a wake-up at the timeout), or the task's next park (a lock
	 * wait) would return at once, ungranted. */
	if (timed_out && tsk->unparks_pending) {
		ra_block(e, tsk, engine_now_ns(e));
		sg_sem_acquire(tsk->park);
		ra_resume(e, tsk);
		timed_out = 0;
	}
	if (!timed_out)
		tsk->unparks_pending--;
	tsk->park_idle = false;
	set_state(tsk, TASK_RUNNING);
	return timed_out ? 0 : 1;
}

void task_unpark(struct task *waker, struct task *tsk)
{
	struct engine *e = tsk->eng;
	(void)waker;
	struct ra_self self = ra_enter(e);   /* the wake-up happens at the waker's time */
	e->st.simcalls++;
	e->st.unparks++;
	/* A waiter handed a lock owns it from now on, before it runs again: it must not
	 * look blocked to the deadlock check. */
	if (tsk->state == TASK_BLOCKED_LOCK)
		set_state(tsk, TASK_WOKEN);
	tsk->unparks_pending++;
	dl_update(e, tsk);
	if (tsk->ra_parked) {
		u64 now = engine_now_ns(e);
		if (ra_key(e, tsk->ra_slot) > now)
			ra_set(e, tsk->ra_slot, now);
	}
	sg_sem_release(tsk->park);
	ra_leave(e, self);
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
	flush_sync(tsk);
	if (!ns)
		return;
	set_state(tsk, TASK_IDLE);
	sleep_ns(tsk->eng, tsk, ns);
	set_state(tsk, TASK_RUNNING);
}

void task_disk_io(struct task *tsk, bool write, u64 bytes)
{
	struct engine *e = tsk->eng;
	flush_sync(tsk);
	if (!e->swap_disk) {
		fprintf(stderr, "mmsim: bug: swap I/O without a swap device\n");
		abort();
	}
	set_state(tsk, TASK_BLOCKED_IO);
	if (e->swap_latency_ns)
		sleep_ns(e, tsk, e->swap_latency_ns);
	e->st.simcalls++;
	e->st.disk_ios++;
	/* When SimGrid ends the transfer depends on the others in flight: count it as able
	 * to act at any time (no run-ahead while it lasts). */
	ra_block(e, tsk, engine_now_ns(e));
	if (write)
		sg_disk_write(e->swap_disk, bytes);
	else
		sg_disk_read(e->swap_disk, bytes);
	ra_resume(e, tsk);
	set_state(tsk, TASK_RUNNING);
}

void task_bdev_io(struct task *tsk, bool write, u64 bytes)
{
	struct engine *e = tsk->eng;
	flush_sync(tsk);
	set_state(tsk, TASK_BLOCKED_IO);
	if (e->bdi_latency_ns)
		sleep_ns(e, tsk, e->bdi_latency_ns);
	e->st.simcalls++;
	e->st.bdi_ios++;
	ra_block(e, tsk, engine_now_ns(e));   /* as task_disk_io */
	if (write)
		sg_disk_write(e->bdi_disk, bytes);
	else
		sg_disk_read(e->bdi_disk, bytes);
	ra_resume(e, tsk);
	set_state(tsk, TASK_RUNNING);
}

/* ---- tickers and the run ---- */

static void ticker_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct ticker *t = sg_actor_self_get_data();
	struct engine *e = t->eng;
	ra_resume_other(e, t->ra_slot);
	/* Tick k is due at k * interval and is stamped so. The clock is a double: after
	 * thousands of intervals it reads a nanosecond short (11099999999), which is
	 * rounding, not a later sample. The sleeps stay relative, as the simulation's
	 * interleaving of actors depends on when this actor wakes. */
	for (u64 k = 1;; k++) {
		ra_set(e, t->ra_slot, engine_now_ns(e) + t->interval_ns);
		sg_actor_sleep_for((double)t->interval_ns * 1e-9);
		ra_resume_other(e, t->ra_slot);
		check_stop(t->eng);
		t->fn(t->arg, k * t->interval_ns, false);
	}
}

void engine_add_ticker(struct engine *e, u64 interval_ns, engine_tick_fn fn, void *arg)
{
	e->tickers = xrealloc(e->tickers, (e->nr_tickers + 1) * sizeof(*e->tickers));
	u32 slot = ra_slot_new(e);
	e->tickers[e->nr_tickers++] = (struct ticker){ e, interval_ns, fn, arg, slot };
}

void engine_run(struct engine *e, u64 duration_ns)
{
	/* Tickers start here so that their array no longer moves. */
	ra_resume_other(e, RA_NOPOS);
	for (unsigned i = 0; i < e->nr_tickers; i++) {
		ra_set(e, e->tickers[i].ra_slot, engine_now_ns(e));   /* starts now */
		sg_actor_t a = sg_actor_init("ticker", e->hosts[0]);
		sg_actor_set_data(a, &e->tickers[i]);
		sg_actor_daemonize(a);
		sg_actor_start(a, ticker_main, 0, NULL);
	}
	if (!e->nr_live_user)
		e->stopping = true;   /* kernel threads alone: they return at once */
	e->horizon_ns = RA_NEVER;
	if (duration_ns)
		e->horizon_ns = duration_ns > RA_RUN_UNTIL_SLACK_NS ? duration_ns - RA_RUN_UNTIL_SLACK_NS : 0;
	if (duration_ns) {
		simgrid_run_until((double)duration_ns * 1e-9);
		ra_resume_other(e, RA_NOPOS);
		if (e->nr_live_user && !e->st.stop_reason) {
			e->st.watchdog_fired = true;
			kill_everything(e);
		}
		if (e->nr_live)
			simgrid_run();   /* the killed, or kernel threads finishing */
	} else {
		simgrid_run();
	}
	ra_resume_other(e, RA_NOPOS);
	for (unsigned i = 0; i < e->nr_tickers; i++)
		e->tickers[i].fn(e->tickers[i].arg, engine_now_ns(e), true);
}
