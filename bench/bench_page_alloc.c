/* bench_page_alloc.c - page allocator figures: allocations + frees per second of wall
 * time at order 0 (through the per-CPU lists) and order 9 (buddy, zone->lock), driven by
 * highalloc_stress through the whole replay path, and host bytes per simulated page for
 * a 1 TiB, 8-node machine (descriptor arrays, and the resident size after set-up). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "mm/page_alloc.h"
#include "workloads/workload.h"

static struct scenario *load(const char *text)
{
	struct diag *d = diag_create();
	struct scenario *scn = scenario_load_string("bench", text, workload_catalog(), NULL, 0, d);
	if (!scn) {
		diag_print(d, stderr);
		exit(2);
	}
	diag_destroy(d);
	return scn;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static void run_rate(const char *label, const char *text)
{
	struct scenario *scn = load(text);
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
	printf("%-30s %10.0f allocs+frees/s  (%llu ops in %.2f s wall)\n", label,
	       (double)r.ops / wall, (unsigned long long)r.ops, wall);
	fflush(stdout);
	sim_destroy(s);
	scenario_destroy(scn);
}

static void run_memory(void)
{
	struct scenario *scn = load("machine: {nodes: 8, cpus_per_node: 4, memory_per_node: 128GiB}\n"
				    "workloads:\n"
				    "  - {type: highalloc_stress, name: h, fill: 4KiB, attempts: 0}\n");
	struct sim_options opt = { .quiet = true };
	char err[256];
	long before = rss_kib();
	struct sim *s = sim_create(scn, &opt, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	long after = rss_kib();
	const struct phys_mem *pm = s->phys;
	printf("1 TiB, 8 nodes: %llu pages, %.2f bytes/page of descriptor arrays "
	       "(%zu-byte page_desc), %.3f bytes/page resident after set-up (%ld MiB)\n",
	       (unsigned long long)pm->nr_pages, phys_mem_bytes_per_page(pm),
	       sizeof(struct page_desc), (double)(after - before) * 1024 / (double)pm->nr_pages,
	       (after - before) / 1024);
	fflush(stdout);
	sim_destroy(s);
	scenario_destroy(scn);
}

int main(void)
{
	static const char *const order0 =
		"machine: {nodes: 1, cpus_per_node: 1, memory_per_node: 4GiB}\n"
		"kernel: {transparent_hugepage.enabled: never}\n"
		"workloads:\n"
		"  - {type: highalloc_stress, name: h, fill: 2GiB, free_ratio: 1.0, attempts: 0}\n";
	static const char *const order9 =
		"machine: {nodes: 1, cpus_per_node: 1, memory_per_node: 4GiB}\n"
		"kernel: {transparent_hugepage.enabled: never}\n"
		"workloads:\n"
		"  - {type: highalloc_stress, name: h, fill: 4KiB, attempts: 1500, order: 9}\n";
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();     /* one SimGrid engine per process */
		if (pid == 0) {
			if (i == 0)
				run_rate("order 0 (pcp lists)", order0);
			else if (i == 1)
				run_rate("order 9 (buddy, zone->lock)", order9);
			else
				run_memory();
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
