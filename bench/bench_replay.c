/* bench_replay.c - throughput of the replay loop: ops and simcalls per second of wall
 * time, and simcalls per op, on an uncontended workload (8 single-thread processes) and
 * a contended one (8 threads of one process mapping and unmapping: mmap_lock), at the
 * default lookahead and at 0. Prints figures only. Usage: bench_replay [SCALE] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "workloads/workload.h"

static const char *const uncontended =
	"machine: {nodes: 2, cpus_per_node: 4, memory_per_node: 4GiB}\n"
	"workloads:\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p0, cpus: [0]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p1, cpus: [1]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p2, cpus: [2]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p3, cpus: [3]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p4, cpus: [4]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p5, cpus: [5]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p6, cpus: [6]}\n"
	"  - {type: random_touch, threads: 1, size: 64MiB, touches: %u, name: p7, cpus: [7]}\n";

static const char *const contended =
	"machine: {nodes: 2, cpus_per_node: 4, memory_per_node: 4GiB}\n"
	"workloads:\n"
	"  - {type: sequential_touch, threads: 8, size: 2MiB, cycles: %u, name: churn}\n";

static void run_case(const char *label, const char *text, const char *lookahead)
{
	struct diag *d = diag_create();
	char set[64];
	snprintf(set, sizeof(set), "engine.lookahead=%s", lookahead);
	char *sets[] = { set };
	struct scenario *scn = scenario_load_string(label, text, workload_catalog(), sets, 1, d);
	if (!scn) {
		diag_print(d, stderr);
		exit(2);
	}
	diag_destroy(d);
	struct sim_options opt = { .quiet = true };
	char err[256];
	struct sim *s = sim_create(scn, &opt, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sim_run(s, &opt);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	struct sim_result r;
	sim_get_result(s, &r);
	printf("%-12s lookahead %-5s: %9.0f ops/s  %9.0f simcalls/s  %.3f simcalls/op  "
	       "%llu ops  %llu faults  %.3f ms simulated  %.2f s wall\n",
	       label, lookahead, (double)r.ops / wall, (double)r.simcalls / wall,
	       (double)r.simcalls / (double)r.ops, (unsigned long long)r.ops,
	       (unsigned long long)r.faults, (double)r.simulated_ns / 1e6, wall);
	fflush(stdout);
	sim_destroy(s);
	scenario_destroy(scn);
}

int main(int argc, char **argv)
{
	unsigned scale = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	char a[4096], b[1024];
	unsigned t = 20000 * scale;
	snprintf(a, sizeof(a), uncontended, t, t, t, t, t, t, t, t);
	snprintf(b, sizeof(b), contended, 40 * scale);
	const char *las[] = { "10us", "1us", "0ns" };
	for (unsigned i = 0; i < 2 * ARRAY_SIZE(las); i++) {
		pid_t pid = fork();     /* one SimGrid engine per process */
		if (pid == 0) {
			if (i < ARRAY_SIZE(las))
				run_case("uncontended", a, las[i]);
			else
				run_case("contended", b, las[i - ARRAY_SIZE(las)]);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
