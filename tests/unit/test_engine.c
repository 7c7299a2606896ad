// LINK: mmsim_engine
/* test_engine.c - the engine's task placement: task_set_cpu() moves a task's CPU and node,
 * and the work it charges afterwards queues on the new CPU; run-ahead (engine.runahead):
 * which flushes skip their simcall, and that every logical time, wake-up and tick is the
 * same with it on or off. Each case runs its own engine (forked). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"

#define US NSEC_PER_USEC

static struct scenario scn;
static struct sim sim;

static bool runahead;   /* the run-ahead cases run once with it off, once on */

static void setup(unsigned nodes, unsigned cpus_per_node)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.engine.runahead = runahead;
	scn.machine.nr_nodes = nodes;
	scn.machine.cpus_per_node = cpus_per_node;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	sim.eng = engine_create(&sim, &scn);
}

struct placed {
	unsigned cpu, node;
	u64 end;
};

static struct task *sleeper;
static struct placed res[3];

/* A: 10 us on CPU 0, moves itself to CPU 1 (node 1), 5 us more there, then moves the
 * sleeping C to CPU 1. */
static void mover(struct task *tsk)
{
	charge(tsk, 10 * US);
	task_set_cpu(tsk, 1);          /* the 10 us ran on CPU 0: flushed there, at 10 us */
	CHECK_EQ_U64(task_now(tsk), 10 * US);
	charge(tsk, 5 * US);
	flush(tsk);
	res[0] = (struct placed){ tsk->cpu, tsk->node, task_now(tsk) };
	task_set_cpu(sleeper, 1);
	task_set_cpu(sleeper, 1);      /* already there: no-op */
}

/* B: 20 us on CPU 1 from time 0. */
static void busy(struct task *tsk)
{
	charge(tsk, 20 * US);
	flush(tsk);
	res[1] = (struct placed){ tsk->cpu, tsk->node, task_now(tsk) };
}

/* C: sleeps 30 us on CPU 0, wakes on CPU 1 (moved meanwhile) and works 1 us there. */
static void sleepy(struct task *tsk)
{
	task_sleep(tsk, 30 * US);
	charge(tsk, 1 * US);
	flush(tsk);
	res[2] = (struct placed){ tsk->cpu, tsk->node, task_now(tsk) };
}

/* A's 5 us on CPU 1 wait for B's 20 us there: A ends at 10 + (20 - 10) + 5 = 25 us, not
 * 15 as it would on CPU 0. C, moved while asleep, finds CPU 1 free again at 30 us. */
static void test_task_set_cpu_moves_cpu_node_and_queue(void)
{
	setup(2, 1);
	engine_spawn(sim.eng, "mover", 0, false, 0, mover, NULL, NULL);
	engine_spawn(sim.eng, "busy", 1, false, 0, busy, NULL, NULL);
	sleeper = engine_spawn(sim.eng, "sleepy", 0, false, 0, sleepy, NULL, NULL);
	CHECK_EQ_U64(sleeper->node, 0);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(res[0].cpu, 1);
	CHECK_EQ_U64(res[0].node, 1);
	CHECK_EQ_U64(res[0].end, 25 * US);
	CHECK_EQ_U64(res[1].end, 20 * US);
	CHECK_EQ_U64(res[2].cpu, 1);
	CHECK_EQ_U64(res[2].node, 1);
	CHECK_EQ_U64(res[2].end, 31 * US);
	engine_destroy(sim.eng);
}

/* ---- run-ahead ---- */

static u64 steps[128];
static unsigned nr_steps;
static u64 other_end;

/* 100 steps of 1 us of CPU, each flushed (a lock's flush at lookahead 0). */
static void stepper(struct task *tsk)
{
	for (unsigned i = 0; i < 100; i++) {
		charge(tsk, 1 * US);
		flush(tsk);
		steps[nr_steps++] = task_now(tsk);
	}
}

/* Sleeps until 50 us, then works 1 us. */
static void late_sleeper(struct task *tsk)
{
	task_sleep(tsk, 50 * US);
	charge(tsk, 1 * US);
	flush(tsk);
	other_end = task_now(tsk);
}

/* The stepper's flushes ending before 50 us - 4 ns (the margin), the sleeper's wake-up,
 * skip SimGrid: those ending at 2..49 us (48; the first, at 1 us, comes while the
 * sleeper has not started: it could act at 0). The one ending at 50 us is taken (a
 * catch-up sleep to 49 us, then 1 us), and so is the one ending at 51 us (the sleeper's
 * flush ends then). Once the sleeper has exited nobody else can act: the flushes ending
 * at 52..100 us skip (49), and the task's end takes one catch-up sleep. Simcalls: the
 * stepper 1 + 2 + 1 + 1, the sleeper 2; 102 without run-ahead. Times are the same. */
static void test_runahead_skips_flushes_before_the_next_actor(void)
{
	setup(2, 1);
	engine_spawn(sim.eng, "stepper", 0, false, 0, stepper, NULL, NULL);
	engine_spawn(sim.eng, "sleeper", 1, false, 0, late_sleeper, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(nr_steps, 100);
	for (unsigned i = 0; i < nr_steps; i++)
		CHECK_EQ_U64(steps[i], (i + 1) * US);
	CHECK_EQ_U64(other_end, 51 * US);
	CHECK_EQ_U64(engine_now_ns(sim.eng), 100 * US);
	const struct engine_stats *st = engine_stats(sim.eng);
	CHECK_EQ_U64(st->flushes, 101);
	CHECK_EQ_U64(st->flushes_run_ahead, runahead ? 97 : 0);
	CHECK_EQ_U64(st->simcalls, runahead ? 7 : 102);
	engine_destroy(sim.eng);
}

static struct task *waiter;
static u64 woken_at, waker_at;

/* Parked waiting for work: never bounds the others' run-ahead until woken. */
static void idle_waiter(struct task *tsk)
{
	task_park(tsk, TASK_IDLE);
	woken_at = task_now(tsk);
	charge(tsk, 1 * US);
	flush(tsk);
}

/* Works 10 x 1 us (flushed each time), then wakes the waiter: the wake-up happens at
 * 10 us, its time, after the skipped sleeps are taken. */
static void waker(struct task *tsk)
{
	for (unsigned i = 0; i < 10; i++) {
		charge(tsk, 1 * US);
		flush(tsk);
	}
	waker_at = task_now(tsk);
	task_unpark(tsk, waiter);
	charge(tsk, 5 * US);
	flush(tsk);
}

static void test_runahead_wakeup_at_wakers_time(void)
{
	setup(1, 2);
	waiter = engine_spawn(sim.eng, "waiter", 1, false, 0, idle_waiter, NULL, NULL);
	engine_spawn(sim.eng, "waker", 0, false, 0, waker, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(waker_at, 10 * US);
	CHECK_EQ_U64(woken_at, 10 * US);
	CHECK_EQ_U64(engine_now_ns(sim.eng), 15 * US);
	const struct engine_stats *st = engine_stats(sim.eng);
	CHECK_EQ_U64(st->flushes, 12);
	/* the waker's flushes ending at 1..10 us skip (the waiter is parked). The woken
	 * waiter runs while the waker is still in its wake-up call (able to act at 10 us),
	 * so its flush to 11 us is taken, and the waker's 5 us (the waiter due at 11) too */
	CHECK_EQ_U64(st->flushes_run_ahead, runahead ? 10 : 0);
	engine_destroy(sim.eng);
}

static u64 ticks_seen[32];
static unsigned nr_ticks_seen;
static unsigned counter;

/* 60 steps of 4 us from 1 us: a step ends at 1 + 4k us, never at a tick (10 us). */
static void counting_stepper(struct task *tsk)
{
	for (unsigned i = 0; i < 60; i++) {
		charge(tsk, 4 * US);
		flush(tsk);
		counter++;
	}
}

static void count_tick(void *arg, u64 now_ns, bool final)
{
	(void)arg;
	if (!final && nr_ticks_seen < ARRAY_SIZE(ticks_seen))
		ticks_seen[nr_ticks_seen++] = (u64)counter << 32 | now_ns / US;
}

/* A ticker reads state the stepper changes: at tick k (10k us) it must see the steps
 * that ended by then, floor((10k - 1) / 4), with run-ahead as without. */
static void test_runahead_ticker_sees_exact_state(void)
{
	setup(1, 1);
	engine_spawn(sim.eng, "counter", 0, false, 1 * US, counting_stepper, NULL, NULL);
	engine_add_ticker(sim.eng, 10 * US, count_tick, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(counter, 60);
	CHECK_EQ_U64(nr_ticks_seen, 24);   /* the last step ends at 241 us */
	for (unsigned k = 1; k <= nr_ticks_seen; k++)
		CHECK_EQ_U64(ticks_seen[k - 1], (u64)((10 * k - 1) / 4) << 32 | 10 * k);
	const struct engine_stats *st = engine_stats(sim.eng);
	CHECK_EQ_U64(st->flushes, 60);
	/* a step skips when it ends before the next tick: of the 60, all but the first
	 * after each of the 24 ticks (the ticker is asleep until 10 us before the first
	 * step's flush: the stepper's registration of its exit hook let it run) */
	CHECK_EQ_U64(st->flushes_run_ahead, runahead ? 36 : 0);
	engine_destroy(sim.eng);
}

static u64 watchdog_last;

static void endless(struct task *tsk)
{
	for (;;) {
		charge(tsk, 1 * US);
		flush(tsk);
		watchdog_last = task_now(tsk);
	}
}

/* A run with a duration: SimGrid's run_until() stops within 10 us of it; run-ahead stays
 * out of the last 20 us, so the task is stopped at the same step. */
static void test_runahead_stops_at_the_duration(void)
{
	setup(1, 1);
	engine_spawn(sim.eng, "endless", 0, false, 0, endless, NULL, NULL);
	engine_run(sim.eng, 100 * US);
	CHECK(engine_stats(sim.eng)->watchdog_fired);
	CHECK_EQ_U64(watchdog_last, 100 * US);
	/* the flushes ending at 1..79 us skip: 80 us is 100 us less the 20 us slack */
	CHECK_EQ_U64(engine_stats(sim.eng)->flushes_run_ahead, runahead ? 79 : 0);
	engine_destroy(sim.eng);
}

static void run_both(const char *name, simtest_fn fn)
{
	char n[128];
	for (int on = 0; on <= 1; on++) {
		runahead = on;
		snprintf(n, sizeof(n), "%s (runahead %s)", name, on ? "on" : "off");
		simtest_case_(n, fn);
	}
	runahead = false;
}
#define SIMTEST_BOTH(fn) run_both(#fn, fn)

int main(void)
{
	SIMTEST_BOTH(test_task_set_cpu_moves_cpu_node_and_queue);
	SIMTEST_BOTH(test_runahead_skips_flushes_before_the_next_actor);
	SIMTEST_BOTH(test_runahead_wakeup_at_wakers_time);
	SIMTEST_BOTH(test_runahead_ticker_sees_exact_state);
	SIMTEST_BOTH(test_runahead_stops_at_the_duration);
	return check_summary();
}
