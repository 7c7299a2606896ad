// LINK: mmsim_locks
/* test_locks.c - kernel-semantics locks in simulated time: exact grant times, wait and
 * hold totals, FIFO and phase-fair rwsem rules, trylock, downgrade, bounces, lockdep
 * inversions and deadlock detection. Each case runs its own engine (forked). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "platform/cost.h"
#include "locks/lockstat.h"
#include "locks/lockdep.h"
#include "locks/mutex.h"
#include "locks/rwlock.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"
#include "stats/findings.h"

#define MS NSEC_PER_MSEC
#define US NSEC_PER_USEC

static struct scenario scn;
static struct sim sim;

static void on_deadlock(void *arg, u64 now_ns, const char *description)
{
	finding_report(arg, FINDING_DEADLOCK, now_ns, "%s", description);
}

static void setup(unsigned nodes, unsigned cpus_per_node, u64 lookahead_ns)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = nodes;
	scn.machine.cpus_per_node = cpus_per_node;
	scn.engine.lookahead_ns = lookahead_ns;
	/* unit/test_locks_runahead runs every case again with run-ahead: same figures */
	scn.engine.runahead = getenv("MMSIM_TEST_RUNAHEAD") != NULL;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	sim.findings = findings_create();
	sim.lockstat = lockstat_create(sim.findings);
	sim.eng = engine_create(&sim, &scn);
	engine_set_deadlock_handler(sim.eng, on_deadlock, sim.findings);
}

static void teardown(void)
{
	engine_destroy(sim.eng);
	lockstat_destroy(sim.lockstat);
	findings_destroy(sim.findings);
}

/* ---- scripted actors: arrive, acquire, hold, release ---- */

enum step_kind { S_READ, S_WRITE, S_SPIN, S_MUTEX, S_DOWNGRADE };

struct step {
	enum step_kind kind;
	u64 arrive, hold, hold2;  /* hold2: read hold after a downgrade */
	u64 got;                  /* logical time the lock was obtained */
	u64 done;
};

static DEFINE_LOCK_CLASS(test_rwsem_class, "&test->rwsem", LOCK_RWSEM);
static DEFINE_LOCK_CLASS(test_spin_class, "&test->spin", LOCK_SPIN);
static DEFINE_LOCK_CLASS(test_mutex_class, "&test->mutex", LOCK_MUTEX);
static struct rw_semaphore the_rwsem;
static spinlock_t the_spin;
static struct mutex the_mutex;

static void step_actor(struct task *tsk)
{
	struct step *s = tsk->priv;
	task_sleep(tsk, s->arrive);
	switch (s->kind) {
	case S_READ:
		down_read(tsk, &the_rwsem);
		s->got = task_now(tsk);
		charge(tsk, s->hold);
		up_read(tsk, &the_rwsem);
		break;
	case S_WRITE:
		down_write(tsk, &the_rwsem);
		s->got = task_now(tsk);
		charge(tsk, s->hold);
		up_write(tsk, &the_rwsem);
		break;
	case S_DOWNGRADE:
		down_write(tsk, &the_rwsem);
		s->got = task_now(tsk);
		charge(tsk, s->hold);
		downgrade_write(tsk, &the_rwsem);
		charge(tsk, s->hold2);
		up_read(tsk, &the_rwsem);
		break;
	case S_SPIN:
		spin_lock(tsk, &the_spin);
		s->got = task_now(tsk);
		charge(tsk, s->hold);
		spin_unlock(tsk, &the_spin);
		break;
	case S_MUTEX:
		mutex_lock(tsk, &the_mutex);
		s->got = task_now(tsk);
		charge(tsk, s->hold);
		mutex_unlock(tsk, &the_mutex);
		break;
	}
	s->done = task_now(tsk);
}

static void run_steps(struct step *steps, size_t n)
{
	init_rwsem(&the_rwsem, &test_rwsem_class);
	spin_lock_init(&the_spin, &test_spin_class);
	mutex_init(&the_mutex, &test_mutex_class);
	for (size_t i = 0; i < n; i++)
		engine_spawn(sim.eng, "step", (unsigned)i, false, 0, step_actor, &steps[i], NULL);
	engine_run(sim.eng, 0);
}

/* reference/simgrid.md §3's script, times in ms: R1[0,+10] R2[1,+10] W1[2,+5] R3[3,+2]
 * R5[3.5,+4] W2[4,+1] R4[5,+1]. W1 waits for both readers (until 11); when W1 releases at
 * 16 the head waiter is a reader, so every queued reader (R3, R5 and R4, which queued
 * behind W2) enters together (6.1 phase-fair wake-up); W2 gets it when R5 leaves at 20. */
static void test_rwsem_two_writers_five_readers_exact_waits(void)
{
	setup(1, 8, 0);
	struct step s[] = {
		{ S_READ, 0, 10 * MS }, { S_READ, 1 * MS, 10 * MS }, { S_WRITE, 2 * MS, 5 * MS },
		{ S_READ, 3 * MS, 2 * MS }, { S_READ, 3500 * US, 4 * MS }, { S_WRITE, 4 * MS, 1 * MS },
		{ S_READ, 5 * MS, 1 * MS },
	};
	run_steps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[0].got, 0);
	CHECK_EQ_U64(s[1].got, 1 * MS);
	CHECK_EQ_U64(s[2].got, 11 * MS);
	CHECK_EQ_U64(s[3].got, 16 * MS);
	CHECK_EQ_U64(s[4].got, 16 * MS);
	CHECK_EQ_U64(s[5].got, 20 * MS);
	CHECK_EQ_U64(s[6].got, 16 * MS);
	const struct lock_stat_row *w = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_WRITE);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_READ);
	CHECK(w && r);
	if (!w || !r)
		return;
	CHECK_EQ_U64(w->acquisitions, 2);
	CHECK_EQ_U64(w->contentions, 2);
	CHECK_EQ_U64(w->wait_total, 25 * MS);         /* 9 + 16 */
	CHECK_EQ_U64(w->wait_min, 9 * MS);
	CHECK_EQ_U64(w->wait_max, 16 * MS);
	CHECK_EQ_U64(w->hold_total, 6 * MS);
	CHECK_EQ_U64(w->hold_max, 5 * MS);
	CHECK_EQ_U64(r->acquisitions, 5);
	CHECK_EQ_U64(r->contentions, 3);
	CHECK_EQ_U64(r->wait_total, 36500 * US);      /* 13 + 12.5 + 11 */
	CHECK_EQ_U64(r->wait_min, 11 * MS);
	CHECK_EQ_U64(r->wait_max, 13 * MS);
	CHECK_EQ_U64(r->hold_total, 27 * MS);         /* 10 + 10 + 2 + 4 + 1 */
	/* wait histogram: 9 ms, 16 ms in buckets 2^23 (8.4 ms..16.8 ms) */
	CHECK_EQ_U64(w->wait_hist[23], 2);
	CHECK_EQ_U64(r->wait_hist[23], 3);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* Two writers and three readers, all arriving at once in this order: W1 R1 R2 W2 R3,
 * each holding 1 ms. W1 first; at 1 ms the head is R1, so R1, R2 and R3 enter together;
 * W2 waits for them and enters at 2 ms. */
static void test_rwsem_queued_writer_blocks_new_readers(void)
{
	setup(1, 8, 0);
	struct step s[] = {
		{ S_WRITE, 0, 1 * MS }, { S_READ, 0, 1 * MS }, { S_READ, 0, 1 * MS },
		{ S_WRITE, 0, 1 * MS }, { S_READ, 0, 1 * MS },
	};
	run_steps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[0].got, 0);
	CHECK_EQ_U64(s[1].got, 1 * MS);
	CHECK_EQ_U64(s[2].got, 1 * MS);
	CHECK_EQ_U64(s[4].got, 1 * MS);
	CHECK_EQ_U64(s[3].got, 2 * MS);
	const struct lock_stat_row *w = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_WRITE);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_READ);
	CHECK_EQ_U64(w->wait_total, 2 * MS);
	CHECK_EQ_U64(r->wait_total, 3 * MS);
	CHECK_EQ_U64(r->contentions, 3);
	teardown();
}

/* A writer holding 4 ms then downgrading (1 ms more as a reader): the reader queued
 * behind it enters at the downgrade (4 ms), the writer behind that one only when both
 * readers are gone (5 ms for the downgrader, 4 + 3 = 7 ms for the reader). */
static void test_rwsem_downgrade_admits_queued_readers(void)
{
	setup(1, 8, 0);
	struct step s[] = {
		{ S_DOWNGRADE, 0, 4 * MS, 1 * MS }, { S_READ, 1 * MS, 3 * MS }, { S_WRITE, 2 * MS, 1 * MS },
	};
	run_steps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[1].got, 4 * MS);
	CHECK_EQ_U64(s[2].got, 7 * MS);
	CHECK_EQ_U64(s[0].done, 5 * MS);
	teardown();
}

/* More queued readers than one wake-up admits (MAX_READERS_WAKEUP = 256): a writer holds
 * the semaphore 0..1 ms while 300 readers (1 ms each) queue at 0.1 ms. Its release admits
 * the first 256 at 1 ms; 44 stay queued with a reader at the head while readers own the
 * semaphore. In 6.1 the next task to enter the slow path then wakes the queued readers
 * (rwsem_cond_wake_waiter(): reader-owned, no writer, reader first): late = 1 is a reader
 * at 1.5 ms, which wakes the 44 and joins them at once; late = 2 a writer at 1.5 ms,
 * which wakes the 44 and gets the semaphore when they leave at 2.5 ms; late = 0 none, so
 * the 44 wait for the last of the 256 to leave at 2 ms (up_read's wake-up). Before this
 * rule the leftovers always waited for 2 ms: with 1,024 threads every reader queued
 * behind a leftover batch, the "cliff" of issue 19. */
#define NR_CROWD 300
static void run_reader_crowd(int late)
{
	setup(1, NR_CROWD + 2, 0);
	static struct step s[NR_CROWD + 2];
	size_t n = 0;
	s[n++] = (struct step){ S_WRITE, 0, 1 * MS };
	for (unsigned i = 0; i < NR_CROWD; i++)
		s[n++] = (struct step){ S_READ, 100 * US, 1 * MS };
	if (late)
		s[n++] = (struct step){ late == 1 ? S_READ : S_WRITE, 1500 * US, 1 * MS };
	run_steps(s, n);
	unsigned at1 = 0, at15 = 0, at2 = 0;
	for (unsigned i = 1; i <= NR_CROWD; i++) {
		at1 += s[i].got == 1 * MS;
		at15 += s[i].got == 1500 * US;
		at2 += s[i].got == 2 * MS;
	}
	CHECK_EQ_U64(at1, 256);
	CHECK_EQ_U64(at15, late ? 44 : 0);
	CHECK_EQ_U64(at2, late ? 0 : 44);
	if (late == 1)
		CHECK_EQ_U64(s[NR_CROWD + 1].got, 1500 * US);
	if (late == 2)
		CHECK_EQ_U64(s[NR_CROWD + 1].got, 2500 * US);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_READ);
	CHECK_EQ_U64(r->acquisitions, NR_CROWD + (late == 1));
	CHECK_EQ_U64(r->contentions, NR_CROWD);
	/* 256 x 0.9 ms + 44 x (1.4 or 1.9 ms) */
	CHECK_EQ_U64(r->wait_total, 256 * 900 * US + 44 * (late ? 1400 : 1900) * US);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

static void test_rwsem_reader_crowd_leftovers_wait_for_last_reader(void)
{
	run_reader_crowd(0);
}

static void test_rwsem_reader_owned_newcomer_reader_wakes_leftovers(void)
{
	run_reader_crowd(1);
}

static void test_rwsem_reader_owned_newcomer_writer_wakes_leftovers(void)
{
	run_reader_crowd(2);
}

/* Three spinners on one spinlock (hold 2 us each, all at t=0, on CPUs of two nodes):
 * FIFO grants at 0, 2, 4 us; waits 2 + 4 us; waiting is CPU time. Acquisitions on CPUs
 * other than the previous holder's are bounces; CPU 4 is on node 1. */
static void test_spinlock_fifo_waits_are_cpu_time(void)
{
	setup(2, 4, 0);
	struct step s[] = { { S_SPIN, 0, 2 * US }, { S_SPIN, 0, 2 * US }, { S_SPIN, 0, 2 * US },
			    { S_SPIN, 0, 2 * US }, { S_SPIN, 0, 2 * US } };
	run_steps(s, ARRAY_SIZE(s));
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ_U64(s[i].got, 2 * US * i);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->spin", LS_WRITE);
	CHECK_EQ_U64(r->acquisitions, 5);
	CHECK_EQ_U64(r->contentions, 4);
	CHECK_EQ_U64(r->wait_total, (2 + 4 + 6 + 8) * US);
	CHECK_EQ_U64(r->hold_total, 10 * US);
	CHECK_EQ_U64(r->acq_bounces, 4);
	CHECK_EQ_U64(r->con_bounces, 4);
	CHECK_EQ_U64(r->cross_node_bounces, 1);     /* cpu 3 (node 0) -> cpu 4 (node 1) */
	teardown();
}

static void test_spinlock_lookahead_no_simcall_when_uncontended(void)
{
	setup(1, 4, 1 * MS);
	struct step s[] = { { S_SPIN, 0, 2 * US }, { S_SPIN, 0, 2 * US }, { S_SPIN, 0, 2 * US } };
	run_steps(s, ARRAY_SIZE(s));
	/* Lookahead 1 ms: each actor takes the lock at its logical time without parking; the
	 * later ones wait for the logical release (2, 4 us) and charge it. */
	CHECK_EQ_U64(s[0].got, 0);
	CHECK_EQ_U64(s[1].got, 2 * US);
	CHECK_EQ_U64(s[2].got, 4 * US);
	CHECK_EQ_U64(engine_stats(sim.eng)->parks, 0);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->spin", LS_WRITE);
	CHECK_EQ_U64(r->wait_total, 6 * US);
	CHECK_EQ_U64(r->contentions, 2);
	teardown();
}

static void test_mutex_fifo_handoff(void)
{
	setup(1, 4, 0);
	struct step s[] = { { S_MUTEX, 0, 3 * MS }, { S_MUTEX, 1 * MS, 1 * MS }, { S_MUTEX, 2 * MS, 1 * MS } };
	run_steps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[1].got, 3 * MS);
	CHECK_EQ_U64(s[2].got, 4 * MS);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->mutex", LS_WRITE);
	CHECK_EQ_U64(r->wait_total, 2 * MS + 2 * MS);
	CHECK_EQ_U64(r->contentions, 2);
	teardown();
}

/* ---- trylock ---- */

static bool try_results[4];

static void trylock_holder(struct task *tsk)
{
	down_write(tsk, &the_rwsem);
	charge(tsk, 2 * MS);
	up_write(tsk, &the_rwsem);
}

static void trylock_prober(struct task *tsk)
{
	task_sleep(tsk, 1 * MS);
	try_results[0] = down_read_trylock(tsk, &the_rwsem);     /* held for write: fails */
	try_results[1] = down_write_trylock(tsk, &the_rwsem);
	task_sleep(tsk, 2 * MS);
	try_results[2] = down_read_trylock(tsk, &the_rwsem);     /* free at 3 ms */
	if (try_results[2])
		up_read(tsk, &the_rwsem);
	try_results[3] = spin_trylock(tsk, &the_spin);
	if (try_results[3])
		spin_unlock(tsk, &the_spin);
}

static void test_trylock_never_waits_and_counts_failures(void)
{
	setup(1, 4, 0);
	init_rwsem(&the_rwsem, &test_rwsem_class);
	spin_lock_init(&the_spin, &test_spin_class);
	engine_spawn(sim.eng, "holder", 0, false, 0, trylock_holder, NULL, NULL);
	engine_spawn(sim.eng, "prober", 1, false, 0, trylock_prober, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK(!try_results[0]);
	CHECK(!try_results[1]);
	CHECK(try_results[2]);
	CHECK(try_results[3]);
	const struct lock_stat_row *w = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_WRITE);
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->rwsem", LS_READ);
	CHECK_EQ_U64(w->trylock_failures, 1);
	CHECK_EQ_U64(r->trylock_failures, 1);
	CHECK_EQ_U64(r->acquisitions, 1);
	CHECK_EQ_U64(r->contentions, 0);
	CHECK_EQ_U64(w->contentions, 0);
	teardown();
}

/* ---- lockdep ---- */

static DEFINE_LOCK_CLASS(class_a, "lock_A", LOCK_MUTEX);
static DEFINE_LOCK_CLASS(class_b, "lock_B", LOCK_SPIN);
static struct mutex lock_a;
static spinlock_t lock_b;

static void path_ab(struct task *tsk)
{
	mutex_lock(tsk, &lock_a);
	spin_lock(tsk, &lock_b);
	charge(tsk, 100);
	spin_unlock(tsk, &lock_b);
	mutex_unlock(tsk, &lock_a);
}

static void path_ba(struct task *tsk)
{
	task_sleep(tsk, 1 * MS);   /* after path_ab finished: no deadlock, only the order */
	spin_lock(tsk, &lock_b);
	mutex_lock(tsk, &lock_a);
	charge(tsk, 100);
	mutex_unlock(tsk, &lock_a);
	spin_unlock(tsk, &lock_b);
}

static void test_lockdep_reports_inversion_with_both_paths(void)
{
	setup(1, 4, 0);
	mutex_init(&lock_a, &class_a);
	spin_lock_init(&lock_b, &class_b);
	engine_spawn(sim.eng, "ab", 0, false, 0, path_ab, NULL, NULL);
	engine_spawn(sim.eng, "ba", 1, false, 0, path_ba, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(lockstat_nr_inversions(sim.lockstat), 1);
	CHECK_EQ_U64(findings_count(sim.findings, FINDING_LOCK_INVERSION), 1);
	CHECK_EQ_U64(engine_stats(sim.eng)->deadlocks, 0);
	enum finding_type t;
	u64 first, count;
	const char *msg = NULL;
	findings_get(sim.findings, 0, &t, &first, &count, &msg);
	CHECK_EQ_U64(first, 1 * MS);
	CHECK_CONTAINS(msg, "lock order inversion: lock_B -> lock_A");
	CHECK_CONTAINS(msg, "this path:    ba/1: lock_B at path_ba:");
	CHECK_CONTAINS(msg, "-> lock_A at path_ba:");
	CHECK_CONTAINS(msg, "earlier path: ab/0: lock_A at path_ab:");
	CHECK_CONTAINS(msg, "-> lock_B at path_ab:");
	teardown();
}

static bool after_deadlock;

static void dl_ab(struct task *tsk)
{
	mutex_lock(tsk, &lock_a);
	task_sleep(tsk, 1 * MS);
	spin_lock(tsk, &lock_b);
	after_deadlock = true;
	spin_unlock(tsk, &lock_b);
	mutex_unlock(tsk, &lock_a);
}

static void dl_ba(struct task *tsk)
{
	spin_lock(tsk, &lock_b);
	task_sleep(tsk, 1 * MS);
	mutex_lock(tsk, &lock_a);
	after_deadlock = true;
	mutex_unlock(tsk, &lock_a);
	spin_unlock(tsk, &lock_b);
}

static void bystander(struct task *tsk)
{
	task_sleep(tsk, 5 * MS);   /* holds nothing: cannot resolve the deadlock */
}

static void test_abba_deadlock_is_detected_and_reported(void)
{
	setup(1, 4, 0);
	mutex_init(&lock_a, &class_a);
	spin_lock_init(&lock_b, &class_b);
	engine_spawn(sim.eng, "ab", 0, false, 0, dl_ab, NULL, NULL);
	engine_spawn(sim.eng, "ba", 1, false, 0, dl_ba, NULL, NULL);
	engine_spawn(sim.eng, "idle", 2, false, 0, bystander, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK(!after_deadlock);
	CHECK_EQ_U64(engine_stats(sim.eng)->deadlocks, 1);
	CHECK_EQ_U64(findings_count(sim.findings, FINDING_DEADLOCK), 1);
	CHECK_EQ_U64(findings_count(sim.findings, FINDING_LOCK_INVERSION), 1);
	CHECK_EQ_U64(engine_now_ns(sim.eng), 1 * MS);
	teardown();
}

/* ---- rwlock_t (queued rwlock in task context) ---- */

static DEFINE_LOCK_CLASS(test_rwlock_class, "&test->rwlock", LOCK_RWLOCK);
static rwlock_t the_rwlock;

struct rwstep {
	bool write;
	unsigned cpu;
	u64 arrive, hold;
	u64 got, done, cpu_ns;
};

static void rwstep_actor(struct task *tsk)
{
	struct rwstep *s = tsk->priv;
	task_sleep(tsk, s->arrive);
	if (s->write)
		write_lock(tsk, &the_rwlock);
	else
		read_lock(tsk, &the_rwlock);
	s->got = task_now(tsk);
	CHECK(lock_is_held_by(tsk, &the_rwlock, s->write ? 0 : 1));
	CHECK(!lock_is_held_by(tsk, &the_rwlock, s->write ? 1 : 0));
	charge(tsk, s->hold);
	if (s->write)
		write_unlock(tsk, &the_rwlock);
	else
		read_unlock(tsk, &the_rwlock);
	s->done = task_now(tsk);
	s->cpu_ns = tsk->cpu_ns;
}

static void run_rwsteps(struct rwstep *steps, size_t n)
{
	rwlock_init(&the_rwlock, &test_rwlock_class);
	for (size_t i = 0; i < n; i++)
		engine_spawn(sim.eng, "rw", steps[i].cpu, false, 0, rwstep_actor, &steps[i], NULL);
	engine_run(sim.eng, 0);
}

static const struct lock_stat_row *rwlock_row(int rw)
{
	const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, "&test->rwlock", rw);
	CHECK(r != NULL);
	static const struct lock_stat_row none;
	return r ? r : &none;
}

/* R1[0,+10 ms] on CPU 0 and R2[1 ms,+10 ms] on CPU 1: both hold it at once; nobody waits. */
static void test_rwlock_two_readers_share_without_contention(void)
{
	setup(1, 4, 0);
	struct rwstep s[] = { { false, 0, 0, 10 * MS }, { false, 1, 1 * MS, 10 * MS } };
	run_rwsteps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[0].got, 0);
	CHECK_EQ_U64(s[1].got, 1 * MS);
	CHECK_EQ_U64(s[1].done, 11 * MS);
	const struct lock_stat_row *r = rwlock_row(LS_READ);
	CHECK_EQ_U64(r->acquisitions, 2);
	CHECK_EQ_U64(r->contentions, 0);
	CHECK_EQ_U64(r->wait_total, 0);
	CHECK_EQ_U64(r->hold_total, 20 * MS);
	CHECK_EQ_U64(r->acq_bounces, 1);              /* R2 took the word from CPU 0 */
	CHECK(lockstat_class_row(sim.lockstat, "&test->rwlock", LS_WRITE) == NULL);
	CHECK_EQ_U64(engine_stats(sim.eng)->parks, 0);
	teardown();
}

/* R1[0,+10 ms], R2[1 ms,+10 ms], W[2 ms,+5 ms]: the writer spins until the second reader
 * leaves at 11 ms: a 9 ms wait, charged as CPU time (9 + 5 ms). */
static void test_rwlock_writer_spins_until_both_readers_leave(void)
{
	setup(1, 4, 0);
	struct rwstep s[] = { { false, 0, 0, 10 * MS }, { false, 1, 1 * MS, 10 * MS },
			      { true, 2, 2 * MS, 5 * MS } };
	run_rwsteps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[2].got, 11 * MS);
	CHECK_EQ_U64(s[2].done, 16 * MS);
	CHECK_EQ_U64(s[2].cpu_ns, 14 * MS);
	const struct lock_stat_row *w = rwlock_row(LS_WRITE), *r = rwlock_row(LS_READ);
	CHECK_EQ_U64(w->acquisitions, 1);
	CHECK_EQ_U64(w->contentions, 1);
	CHECK_EQ_U64(w->wait_total, 9 * MS);
	CHECK_EQ_U64(w->wait_max, 9 * MS);
	CHECK_EQ_U64(w->hold_total, 5 * MS);
	CHECK_EQ_U64(r->acquisitions, 2);
	CHECK_EQ_U64(r->contentions, 0);
	/* lock_classes.csv and contention.csv name the states rwlock:R / rwlock:W; the writer
	 * waited for readers (no exclusive holder site). */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	lockstat_write_classes_csv(sim.lockstat, f);
	lockstat_write_csv(sim.lockstat, f);
	fclose(f);
	CHECK_CONTAINS(buf, "\"&test->rwlock\",rwlock:W,1,1,9000000,9000000,9000000,5000000,");
	CHECK_CONTAINS(buf, "\"&test->rwlock\",rwlock:R,2,0,0,0,0,20000000,10000000,10000000,");
	CHECK_CONTAINS(buf, "\"&test->rwlock\",rwlock:W,1,9000000,9000000,9000000,rwstep_actor,");
	/* The holder is the lock's latest acquisition when the writer asked (the kernel's
	 * contending point): the second reader, in read state. */
	CHECK_CONTAINS(buf, ",rwlock:R\n");
	CHECK(strstr(buf, "readers") == NULL);
	free(buf);
	teardown();
}

/* R1[0,+10] W1[1,+5] R2[2,+2] R3[3,+2] W2[4,+1] R4[5,+1] (ms): the waiting writer W1 keeps
 * R2 and R3 out although only readers hold the lock; W1 enters at 10, R2 and R3 together at
 * 15, W2 at 17 and R4, queued behind W2, only at 18 (an rwsem would admit R4 at 15). */
static void test_rwlock_readers_queue_behind_waiting_writer_fifo(void)
{
	setup(1, 8, 0);
	struct rwstep s[] = {
		{ false, 0, 0, 10 * MS }, { true, 1, 1 * MS, 5 * MS }, { false, 2, 2 * MS, 2 * MS },
		{ false, 3, 3 * MS, 2 * MS }, { true, 4, 4 * MS, 1 * MS }, { false, 5, 5 * MS, 1 * MS },
	};
	run_rwsteps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[1].got, 10 * MS);
	CHECK_EQ_U64(s[2].got, 15 * MS);
	CHECK_EQ_U64(s[3].got, 15 * MS);
	CHECK_EQ_U64(s[4].got, 17 * MS);
	CHECK_EQ_U64(s[5].got, 18 * MS);
	CHECK_EQ_U64(s[5].cpu_ns, 14 * MS);           /* 13 ms spinning + 1 ms hold */
	const struct lock_stat_row *w = rwlock_row(LS_WRITE), *r = rwlock_row(LS_READ);
	CHECK_EQ_U64(w->acquisitions, 2);
	CHECK_EQ_U64(w->contentions, 2);
	CHECK_EQ_U64(w->wait_total, 22 * MS);         /* 9 + 13 */
	CHECK_EQ_U64(r->acquisitions, 4);
	CHECK_EQ_U64(r->contentions, 3);
	CHECK_EQ_U64(r->wait_total, 38 * MS);         /* 13 + 12 + 13 */
	CHECK_EQ_U64(r->wait_min, 12 * MS);
	CHECK_EQ_U64(r->wait_max, 13 * MS);
	teardown();
}

/* Cost table: atomic 5 ns on the owning CPU, 50 ns from another CPU of the node, 120 ns
 * across nodes (distance 20). R1 on CPU 0 (node 0) at 0 and R2 on CPU 2 (node 1) at 100 ns,
 * each holding 1000 ns: R1 pays 5 ns (line uncached), R2 a 120 ns cross-node bounce; each
 * release is an RMW too, and the line is on the other node by then: 120 ns each. */
static void test_rwlock_remote_reader_pays_the_bounce(void)
{
	setup(2, 2, 0);
	static struct cost_table ct;
	memset(&ct, 0, sizeof(ct));
	ct.atomic_local_ns = 5;
	ct.nr_nodes = 2;
	for (unsigned a = 0; a < 2; a++)
		for (unsigned b = 0; b < 2; b++)
			ct.bounce_ns[a][b] = a == b ? 50 : 120;
	sim.cost = &ct;
	struct rwstep s[] = { { false, 0, 0, 1000 }, { false, 2, 100, 1000 } };
	run_rwsteps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(s[0].got, 5);
	CHECK_EQ_U64(s[1].got, 220);
	CHECK_EQ_U64(s[0].done, 1125);
	CHECK_EQ_U64(s[1].done, 1340);
	CHECK_EQ_U64(s[1].cpu_ns, 1240);
	const struct lock_stat_row *r = rwlock_row(LS_READ);
	CHECK_EQ_U64(r->acquisitions, 2);
	CHECK_EQ_U64(r->contentions, 0);
	CHECK_EQ_U64(r->wait_total, 0);
	CHECK_EQ_U64(r->acq_bounces, 1);
	CHECK_EQ_U64(r->cross_node_bounces, 1);
	CHECK_EQ_U64(r->hold_total, 2240);            /* 1120 + 1120: holds end after the release RMW */
	sim.cost = NULL;
	teardown();
}

static bool rw_try[5];

static void rw_try_reader(struct task *tsk)
{
	read_lock(tsk, &the_rwlock);
	charge(tsk, 3 * MS);
	read_unlock(tsk, &the_rwlock);
}

static void rw_try_writer(struct task *tsk)
{
	task_sleep(tsk, 1 * MS);
	write_lock(tsk, &the_rwlock);   /* waits 0..3 ms behind the reader */
	charge(tsk, 1 * MS);
	write_unlock(tsk, &the_rwlock);
}

static void rw_try_prober(struct task *tsk)
{
	task_sleep(tsk, 500 * US);
	rw_try[0] = read_trylock(tsk, &the_rwlock);       /* readers only: succeeds */
	if (rw_try[0])
		read_unlock(tsk, &the_rwlock);
	rw_try[1] = write_trylock(tsk, &the_rwlock);      /* a reader holds it: fails */
	task_sleep(tsk, 1 * MS);
	rw_try[2] = read_trylock(tsk, &the_rwlock);       /* a writer waits: fails */
	task_sleep(tsk, 2 * MS);
	rw_try[3] = read_trylock(tsk, &the_rwlock);       /* the writer holds it: fails */
	task_sleep(tsk, 1 * MS);
	rw_try[4] = write_trylock(tsk, &the_rwlock);      /* free at 4 ms */
	if (rw_try[4])
		write_unlock(tsk, &the_rwlock);
}

static void test_rwlock_trylock_fails_on_waiting_or_holding_writer(void)
{
	setup(1, 4, 0);
	rwlock_init(&the_rwlock, &test_rwlock_class);
	engine_spawn(sim.eng, "reader", 0, false, 0, rw_try_reader, NULL, NULL);
	engine_spawn(sim.eng, "writer", 1, false, 0, rw_try_writer, NULL, NULL);
	engine_spawn(sim.eng, "prober", 2, false, 0, rw_try_prober, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK(rw_try[0]);
	CHECK(!rw_try[1]);
	CHECK(!rw_try[2]);
	CHECK(!rw_try[3]);
	CHECK(rw_try[4]);
	const struct lock_stat_row *w = rwlock_row(LS_WRITE), *r = rwlock_row(LS_READ);
	CHECK_EQ_U64(r->trylock_failures, 2);
	CHECK_EQ_U64(w->trylock_failures, 1);
	CHECK_EQ_U64(r->acquisitions, 2);
	CHECK_EQ_U64(w->acquisitions, 2);
	CHECK_EQ_U64(w->wait_total, 2 * MS);
	teardown();
}

/* Read-held rwlock then a spinlock on one path, the spinlock then the rwlock for write on
 * another: lockdep records the order through read holds as well. */
static DEFINE_LOCK_CLASS(class_rw, "lock_RW", LOCK_RWLOCK);
static rwlock_t lock_rw;

static void path_rw_then_b(struct task *tsk)
{
	read_lock(tsk, &lock_rw);
	lockdep_assert_held_read(tsk, &lock_rw);
	spin_lock(tsk, &lock_b);
	charge(tsk, 100);
	spin_unlock(tsk, &lock_b);
	read_unlock(tsk, &lock_rw);
}

static void path_b_then_rw(struct task *tsk)
{
	task_sleep(tsk, 1 * MS);
	spin_lock(tsk, &lock_b);
	write_lock(tsk, &lock_rw);
	lockdep_assert_held_write(tsk, &lock_rw);
	charge(tsk, 100);
	write_unlock(tsk, &lock_rw);
	spin_unlock(tsk, &lock_b);
}

static void test_rwlock_lockdep_inversion_through_read_hold(void)
{
	setup(1, 4, 0);
	rwlock_init(&lock_rw, &class_rw);
	spin_lock_init(&lock_b, &class_b);
	engine_spawn(sim.eng, "rb", 0, false, 0, path_rw_then_b, NULL, NULL);
	engine_spawn(sim.eng, "bw", 1, false, 0, path_b_then_rw, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(lockstat_nr_inversions(sim.lockstat), 1);
	CHECK_EQ_U64(findings_count(sim.findings, FINDING_LOCK_INVERSION), 1);
	enum finding_type t;
	u64 first, count;
	const char *msg = NULL;
	findings_get(sim.findings, 0, &t, &first, &count, &msg);
	CHECK_CONTAINS(msg, "lock order inversion: lock_B -> lock_RW");
	CHECK_CONTAINS(msg, "earlier path: rb/0: lock_RW-R at path_rw_then_b:");
	teardown();
}

/* Offset of needle in hay, 0 when absent. */
static size_t offset_of(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	return p ? (size_t)(p - hay) : 0;
}

static __attribute__((noinline)) char *lockstat_text(void (*write)(const struct lockstat *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	write(sim.lockstat, f);
	fclose(f);
	return buf;
}

/* Three spinners (holds 995, 1004, 1006 ns; lookahead 1 ms, so the lock is free in
 * execution order and each waits for the previous logical release), an uncontended mutex,
 * and an rwsem taken once for write and once for read. lock_stat.txt as 6.1's
 * lockdep_proc.c prints it: numbers under their headers (no blank after the colon), times
 * rounded to 10 ns (995 ns is 1.00, 1006 ns 1.01), -W/-R only on the class with a read
 * state, contention then contending points under a 11-dash underline, and the dotted
 * separator only after the contended class. */
static void test_lock_stat_prints_as_lockdep_proc(void)
{
	setup(2, 4, 1 * MS);
	struct step s[] = { { S_SPIN, 0, 995 }, { S_SPIN, 0, 1004 }, { S_SPIN, 0, 1006 },
			    { S_MUTEX, 0, 2 * US }, { S_WRITE, 0, 3 * US }, { S_READ, 10 * US, 1 * US } };
	run_steps(s, ARRAY_SIZE(s));
	CHECK_EQ_U64(engine_stats(sim.eng)->parks, 0);
	char *buf = lockstat_text(lockstat_write_proc);
	const char *dash = "-----------------------------------------------------------------------------"
			   "-----------------------------------------------------------------------------"
			   "-------------------------------------------------------------------\n";
	CHECK_EQ_U64(strlen(dash), 222);
	char head[1024];
	snprintf(head, sizeof(head), "lock_stat version 0.4\n%s%40s %14s %14s %14s %14s %14s %14s "
		 "%14s %14s %14s %14s %14s %14s\n%s\n", dash, "class name", "con-bounces",
		 "contentions", "waittime-min", "waittime-max", "waittime-total", "waittime-avg",
		 "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max", "holdtime-total",
		 "holdtime-avg", dash);
	CHECK(strncmp(buf, head, strlen(head)) == 0);
	const char *spin = "                             &test->spin:             2              2"
			   "           1.00           2.00           2.99           1.50              2"
			   "              3           1.00           1.01           3.01           1.00\n"
			   "                             -----------\n"
			   "                             &test->spin              2          [<00000000";
	CHECK(strncmp(buf + strlen(head), spin, strlen(spin)) == 0);
	CHECK_CONTAINS(buf, "] step_actor+0x");
	char dots[256];
	memset(dots, '.', 221);
	dots[221] = '\0';
	size_t at = offset_of(buf, dots);
	CHECK(at > 2);
	CHECK(strstr(buf + at + 221, "...") == NULL);   /* one separator only */
	const char *tail = "\n\n                            &test->mutex:             0              0"
			   "           0.00           0.00           0.00           0.00              0"
			   "              1           2.00           2.00           2.00           2.00\n"
			   "                          &test->rwsem-W:             0              0"
			   "           0.00           0.00           0.00           0.00              0"
			   "              1           3.00           3.00           3.00           3.00\n"
			   "                          &test->rwsem-R:             0              0"
			   "           0.00           0.00           0.00           0.00              1"
			   "              1           1.00           1.00           1.00           1.00\n";
	CHECK(at && strcmp(buf + at + 221, tail) == 0);
	/* Between the points and the dots: the contending (holder) point, then a blank line. */
	CHECK(at > 2 && buf[at - 1] == '\n' && buf[at - 2] == '\n');
	free(buf);

	/* contention.csv names the holder (the previous spinner's site), never "readers";
	 * perf's layout has the same waits per caller. */
	buf = lockstat_text(lockstat_write_csv);
	CHECK_CONTAINS(buf, "\"&test->spin\",spinlock,2,2994,1999,1497,step_actor,");
	CHECK_CONTAINS(buf, ",step_actor,");
	CHECK_CONTAINS(buf, ",spinlock\n");
	CHECK(strstr(buf, "readers") == NULL);
	free(buf);
	buf = lockstat_text(lockstat_write_perf_contention);
	CHECK_CONTAINS(buf, "# output: contended, total wait, max wait, avg wait, type, caller\n"
			    "2, 2994, 1999, 1497, spinlock, step_actor+0x");
	free(buf);
	teardown();
}

/* Two class objects of one name are two classes, numbered as lockdep numbers them: the
 * second one used is "#2" (as the page cache's and the swap cache's &xa->xa_lock). */
static DEFINE_LOCK_CLASS(dup_class_a, "&test->dup", LOCK_SPIN);
static DEFINE_LOCK_CLASS(dup_class_b, "&test->dup", LOCK_SPIN);
static spinlock_t dup_a, dup_b;

static void dup_actor(struct task *tsk)
{
	spin_lock(tsk, &dup_b);
	charge(tsk, 1 * US);
	spin_unlock(tsk, &dup_b);
	spin_lock(tsk, &dup_a);
	charge(tsk, 2 * US);
	spin_unlock(tsk, &dup_a);
}

static void test_same_name_classes_are_numbered(void)
{
	setup(1, 4, 0);
	spin_lock_init(&dup_a, &dup_class_a);
	spin_lock_init(&dup_b, &dup_class_b);
	engine_spawn(sim.eng, "dup", 0, false, 0, dup_actor, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(lockstat_nr_classes(sim.lockstat), 2);
	CHECK_EQ_STR(lockstat_class_name_at(sim.lockstat, 0), "&test->dup");
	CHECK_EQ_STR(lockstat_class_name_at(sim.lockstat, 1), "&test->dup#2");
	/* b was used first: it is the plain name. */
	CHECK_EQ_U64(lockstat_class_row(sim.lockstat, "&test->dup", LS_WRITE)->hold_total, 1 * US);
	CHECK_EQ_U64(lockstat_class_row(sim.lockstat, "&test->dup#2", LS_WRITE)->hold_total, 2 * US);
	char *buf = lockstat_text(lockstat_write_proc);
	CHECK_CONTAINS(buf, "\n                            &test->dup#2:             0              0");
	free(buf);
	teardown();
}

/* lock_pairs.csv and lock_hist.csv: task "db" asks for the rwsem for read at 1 ms while
 * task "khugepaged" holds it for write over [0, 5 ms]: one pair, db waited 4 ms on
 * khugepaged's write hold; the 4 ms wait lands in bucket 21 ([2^21, 2^22) ns) of the class
 * and of the waiting site, the 5 ms write hold in bucket 22, the 1 ms read hold in 19. */
static void test_pairs_name_waiter_and_holder_tasks_and_hists_count_waits(void)
{
	setup(1, 4, 0);
	init_rwsem(&the_rwsem, &test_rwsem_class);
	spin_lock_init(&the_spin, &test_spin_class);
	mutex_init(&the_mutex, &test_mutex_class);
	struct step w = { S_WRITE, 0, 5 * MS }, r = { S_READ, 1 * MS, 1 * MS };
	engine_spawn(sim.eng, "khugepaged", 0, false, 0, step_actor, &w, NULL);
	engine_spawn(sim.eng, "db", 1, false, 0, step_actor, &r, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(r.got, 5 * MS);
	char *buf = lockstat_text(lockstat_write_pairs_csv);
	const char *head = "class,type,waiter_task,waiter,waiter_line,holder_task,holder,holder_line,"
			   "holder_type,contended,total_wait_ns,max_wait_ns\n\"&test->rwsem\",rwsem:R,"
			   "db,step_actor,";
	CHECK(strncmp(buf, head, strlen(head)) == 0);
	CHECK_CONTAINS(buf, ",khugepaged,step_actor,");
	CHECK_CONTAINS(buf, ",rwsem:W,1,4000000,4000000\n");
	unsigned lines = 0;
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	CHECK_EQ_U64(lines, 2);   /* the header and the one pair */
	free(buf);
	buf = lockstat_text(lockstat_write_hist_csv);
	CHECK_CONTAINS(buf, "class,type,what,site,site_line,log2_ns,count\n"
			    "\"&test->rwsem\",rwsem:W,hold,-,0,22,1\n");
	CHECK_CONTAINS(buf, "\"&test->rwsem\",rwsem:R,wait,-,0,21,1\n"
			    "\"&test->rwsem\",rwsem:R,hold,-,0,19,1\n"
			    "\"&test->rwsem\",rwsem:R,wait,step_actor,");
	CHECK_CONTAINS(buf, ",21,1\n");
	free(buf);
	teardown();
}

int main(void)
{
	SIMTEST(test_rwsem_two_writers_five_readers_exact_waits);
	SIMTEST(test_rwsem_queued_writer_blocks_new_readers);
	SIMTEST(test_rwsem_downgrade_admits_queued_readers);
	SIMTEST(test_rwsem_reader_crowd_leftovers_wait_for_last_reader);
	SIMTEST(test_rwsem_reader_owned_newcomer_reader_wakes_leftovers);
	SIMTEST(test_rwsem_reader_owned_newcomer_writer_wakes_leftovers);
	SIMTEST(test_spinlock_fifo_waits_are_cpu_time);
	SIMTEST(test_spinlock_lookahead_no_simcall_when_uncontended);
	SIMTEST(test_mutex_fifo_handoff);
	SIMTEST(test_trylock_never_waits_and_counts_failures);
	SIMTEST(test_lockdep_reports_inversion_with_both_paths);
	SIMTEST(test_abba_deadlock_is_detected_and_reported);
	SIMTEST(test_rwlock_two_readers_share_without_contention);
	SIMTEST(test_rwlock_writer_spins_until_both_readers_leave);
	SIMTEST(test_rwlock_readers_queue_behind_waiting_writer_fifo);
	SIMTEST(test_rwlock_remote_reader_pays_the_bounce);
	SIMTEST(test_rwlock_trylock_fails_on_waiting_or_holding_writer);
	SIMTEST(test_rwlock_lockdep_inversion_through_read_hold);
	SIMTEST(test_lock_stat_prints_as_lockdep_proc);
	SIMTEST(test_same_name_classes_are_numbered);
	SIMTEST(test_pairs_name_waiter_and_holder_tasks_and_hists_count_waits);
	return check_summary();
}
