// LINK: mmsim_engine
/* test_engine.c - the engine's task placement: task_set_cpu() moves a task's CPU and node,
 * and the work it charges afterwards queues on the new CPU. Each case runs its own engine
 * (forked). */
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

static void setup(unsigned nodes, unsigned cpus_per_node)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
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

int main(void)
{
	SIMTEST(test_task_set_cpu_moves_cpu_node_and_queue);
	return check_summary();
}
