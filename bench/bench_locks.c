/* bench_locks.c - lock acquisitions per second of wall time and simcalls per
 * acquisition, for spinlocks and rwsems, uncontended (a lock per actor) and contended
 * (one lock for all), at lookahead 0 (exact) and 10 us. Prints figures only.
 * Usage: bench_locks [ACQUISITIONS_PER_ACTOR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "locks/lockstat.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define NR_ACTORS 8

static DEFINE_LOCK_CLASS(bench_spin_class, "bench_spin", LOCK_SPIN);
static DEFINE_LOCK_CLASS(bench_rwsem_class, "bench_rwsem", LOCK_RWSEM);

struct bench {
	bool contended, rwsem;
	u64 iters;
	spinlock_t spins[NR_ACTORS];
	struct rw_semaphore sems[NR_ACTORS];
};

static struct bench B;

static void actor(struct task *tsk)
{
	unsigned i = B.contended ? 0 : tsk->id;
	for (u64 k = 0; k < B.iters; k++) {
		charge(tsk, 200);                       /* work between critical sections */
		if (B.rwsem) {
			if (k % 8 == 0) {
				down_write(tsk, &B.sems[i]);
				charge(tsk, 50);
				up_write(tsk, &B.sems[i]);
			} else {
				down_read(tsk, &B.sems[i]);
				charge(tsk, 50);
				up_read(tsk, &B.sems[i]);
			}
		} else {
			spin_lock(tsk, &B.spins[i]);
			charge(tsk, 50);
			spin_unlock(tsk, &B.spins[i]);
		}
	}
}

static void run_case(bool contended, bool rwsem, u64 lookahead, u64 iters)
{
	struct scenario scn;
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 2;
	scn.machine.cpus_per_node = NR_ACTORS / 2;
	for (unsigned n = 0; n < 2; n++)
		for (unsigned m = 0; m < 2; m++)
			scn.machine.distance[n][m] = n == m ? 10 : 20;
	scn.engine.lookahead_ns = lookahead;
	scn.costs.atomic_local_ns = 20;
	scn.costs.cacheline_bounce_ns = 60;
	scn.costs.local_access_ns = 90;
	struct sim sim = { .scn = &scn };
	sim.topo = topology_create(&scn.machine);
	sim.cost = cost_table_create(&scn.costs, sim.topo);
	sim.findings = findings_create();
	sim.lockstat = lockstat_create(sim.findings);
	sim.eng = engine_create(&sim, &scn);
	B.contended = contended;
	B.rwsem = rwsem;
	B.iters = iters;
	for (unsigned i = 0; i < NR_ACTORS; i++) {
		spin_lock_init(&B.spins[i], &bench_spin_class);
		init_rwsem(&B.sems[i], &bench_rwsem_class);
		engine_spawn(sim.eng, "bench", i, false, 0, actor, NULL, NULL);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	engine_run(sim.eng, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	const struct engine_stats *es = engine_stats(sim.eng);
	double acq = (double)iters * NR_ACTORS;
	const char *cls = rwsem ? "bench_rwsem" : "bench_spin";
	u64 cont = 0;
	for (int rw = 0; rw < 2; rw++) {
		const struct lock_stat_row *r = lockstat_class_row(sim.lockstat, cls, rw);
		if (r)
			cont += r->contentions;
	}
	printf("%-8s %-11s lookahead %5llu ns: %10.0f acquisitions/s  %10.0f simcalls/s  "
	       "%.3f simcalls/acquisition  %5.1f%% contended  simulated %.3f ms\n",
	       rwsem ? "rwsem" : "spinlock", contended ? "contended" : "uncontended",
	       (unsigned long long)lookahead, acq / wall, (double)es->simcalls / wall,
	       (double)es->simcalls / acq, 100.0 * (double)cont / acq,
	       (double)engine_now_ns(sim.eng) / 1e6);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	u64 iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
	printf("bench_locks: %d actors x %llu acquisitions, 200 ns between, 50 ns held\n", NR_ACTORS,
	       (unsigned long long)iters);
	for (int rwsem = 0; rwsem < 2; rwsem++)
		for (int contended = 0; contended < 2; contended++)
			for (int la = 0; la < 2; la++) {
				/* one SimGrid engine per process */
				pid_t pid = fork();
				if (pid == 0) {
					run_case(contended, rwsem, la ? 10000 : 0, iters);
					_exit(0);
				}
				waitpid(pid, NULL, 0);
			}
	return 0;
}
