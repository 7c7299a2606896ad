/* sim.c - assemble a simulation from a validated scenario, run it, write the out dir.
 *
 * Parts are created in layer order and destroyed in reverse. Workload instances become
 * processes (one mm each) whose threads are task actors running replay_main(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "engine/clock.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"
#include "stats/json.h"
#include "stats/outdir.h"
#include "stats/sampler.h"
#include "locks/lockstat.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "task/replay.h"
#include "workloads/workload.h"
#include "sim_internal.h"

#define SUMMARY_SCHEMA_VERSION 1

struct sim_run {
	struct process *procs;
	unsigned nr_procs;
	struct replay_thread *threads;
	unsigned nr_threads;
	struct replay_totals totals;
	unsigned rr_cpu;                   /* round-robin placement cursor */
	/* progress (wall clock: stderr only, never in outputs except summary "host") */
	struct timespec wall_start;
	double last_progress;
	bool progress_shown;
	u64 end_ns;
	/* frag.csv columns: five per populated zone, names owned here */
	char **frag_cols;
	unsigned nr_frag_cols;
	struct zone *frag_zones[MAX_NUMNODES * MAX_NR_ZONES];
	unsigned nr_frag_zones;
};

static double wall_seconds(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) * 1e-9;
}

/* ---- placement ---- */

static unsigned pick_cpu(struct sim *s, const struct workload_cfg *w, unsigned thread)
{
	const struct topology *t = s->topo;
	if (w->nr_cpus)
		return w->cpus[thread % w->nr_cpus];
	u64 mask = w->nodemask;
	if (!mask)
		mask = t->nr_nodes >= 64 ? ~0ULL : (1ULL << t->nr_nodes) - 1;
	/* the allowed CPUs, node by node, taken round-robin across all instances */
	unsigned allowed = 0;
	for (unsigned n = 0; n < t->nr_nodes; n++)
		if (mask & (1ULL << n))
			allowed += t->cpus_per_node;
	unsigned k = s->run->rr_cpu++ % allowed;
	for (unsigned n = 0; n < t->nr_nodes; n++) {
		if (!(mask & (1ULL << n)))
			continue;
		if (k < t->cpus_per_node)
			return n * t->cpus_per_node + k;
		k -= t->cpus_per_node;
	}
	return 0;
}

static void thread_exit(struct task *tsk, bool failed)
{
	struct replay_thread *rt = tsk->priv;
	(void)failed;
	op_source_close(rt->src);
	rt->src = NULL;
}

static int spawn_workloads(struct sim *s, char *err, size_t errlen)
{
	const struct scenario *scn = s->scn;
	struct sim_run *run = s->run;
	unsigned nr_threads = 0;
	for (unsigned i = 0; i < scn->nr_workloads; i++)
		nr_threads += scn->workloads[i].threads;
	run->procs = xcalloc(scn->nr_workloads ? scn->nr_workloads : 1, sizeof(*run->procs));
	run->threads = xcalloc(nr_threads ? nr_threads : 1, sizeof(*run->threads));
	for (unsigned i = 0; i < scn->nr_workloads; i++) {
		const struct workload_cfg *w = &scn->workloads[i];
		const struct workload_type *wt = workload_type_find(w->type);
		if (!wt || !wt->create) {
			snprintf(err, errlen, "%s:%d:%d: workloads: type \"%s\" cannot be run", w->file,
				 w->line, w->col, w->type);
			return -1;
		}
		struct process *p = &run->procs[run->nr_procs++];
		p->pid = 1000 + i;
		snprintf(p->comm, sizeof(p->comm), "%s", w->name);
		unsigned cpu0 = pick_cpu(s, w, 0);
		p->mm = mm_alloc(s, p->pid, (int)s->topo->nr_nodes ? (int)cpu_to_node(s->topo, cpu0) : 0);
		for (unsigned t = 0; t < w->threads; t++) {
			struct replay_thread *rt = &run->threads[run->nr_threads++];
			rt->src = wt->create(w, i, t, scn->seed);
			rt->proc = p;
			rt->totals = &run->totals;
			if (t)
				mmget(p->mm);
			p->nr_threads++;
			p->nr_live++;
			unsigned cpu = t ? pick_cpu(s, w, t) : cpu0;
			engine_spawn(s->eng, w->name, cpu, false, w->start_ns, replay_main, rt, thread_exit);
		}
	}
	return 0;
}

/* ---- ticking: samples and progress ---- */

static void progress_tick(void *arg, u64 now_ns, bool final)
{
	struct sim *s = arg;
	struct sim_run *run = s->run;
	if (s->quiet)
		return;
	double w = wall_seconds(&run->wall_start);
	if (!final && (w < 1.0 || w - run->last_progress < 1.0))
		return;
	if (final && !run->progress_shown)
		return;
	run->last_progress = w;
	run->progress_shown = true;
	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += run->totals.ops[i];
	fprintf(stderr, "\rmmsim: simulated %.3f ms, %llu ops, %.0f ops/s, %.0f simcalls/s%s",
		(double)now_ns / 1e6, (unsigned long long)ops, w > 0 ? (double)ops / w : 0.0,
		w > 0 ? (double)engine_stats(s->eng)->simcalls / w : 0.0, final ? "\n" : "   ");
	fflush(stderr);
}

static void sample_tick(void *arg, u64 now_ns, bool final)
{
	struct sim *s = arg;
	(void)final;
	sampler_tick(s->sampler, now_ns);
}

static const char *const core_cols[] = { "ops", "faults", "free_pages", "anon_pages" };

static void core_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim *s = arg;
	(void)now_ns;
	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += s->run->totals.ops[i];
	vals[0] = (double)ops;
	vals[1] = (double)s->run->totals.faults;
	u64 free_pages = 0, anon = 0;
	for (unsigned n = 0; n < s->topo->nr_nodes; n++) {
		free_pages += node_free_pages(s->phys, n);
		anon += node_page_state(s->vmstat, n, NR_ANON_PAGES);
	}
	vals[2] = (double)free_pages;
	vals[3] = (double)anon;
}

/* frag.csv: per zone, free pages, free order-9 units, the unusable free space and
 * fragmentation indices at pageblock order (x1000) and polluted pageblocks. */
static const char *const frag_col_names[] = { "free_pages", "free_o9_blocks", "unusable_o9",
					       "fragindex_o9", "polluted_pageblocks" };

static void frag_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim *s = arg;
	(void)now_ns;
	for (unsigned i = 0; i < s->run->nr_frag_zones; i++) {
		const struct zone *z = s->run->frag_zones[i];
		struct contig_page_info info;
		fill_contig_page_info(z, pageblock_order, &info);
		double *v = vals + i * ARRAY_SIZE(frag_col_names);
		v[0] = (double)info.free_pages;
		v[1] = (double)info.free_blocks_suitable;
		v[2] = unusable_free_index(pageblock_order, &info);
		v[3] = __fragmentation_index(pageblock_order, &info);
		v[4] = (double)zone_polluted_pageblocks(s->phys, z);
	}
}

static void register_frag_probe(struct sim *s)
{
	struct sim_run *run = s->run;
	for (unsigned n = 0; n < s->phys->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			if (s->phys->node_data[n]->node_zones[zi].populated)
				run->frag_zones[run->nr_frag_zones++] =
					&s->phys->node_data[n]->node_zones[zi];
	run->nr_frag_cols = run->nr_frag_zones * ARRAY_SIZE(frag_col_names);
	run->frag_cols = xcalloc(run->nr_frag_cols, sizeof(*run->frag_cols));
	for (unsigned i = 0; i < run->nr_frag_zones; i++)
		for (unsigned c = 0; c < ARRAY_SIZE(frag_col_names); c++)
			run->frag_cols[i * ARRAY_SIZE(frag_col_names) + c] =
				xasprintf("node%u_%s_%s", run->frag_zones[i]->zone_pgdat->node_id,
					  zone_names[run->frag_zones[i]->idx], frag_col_names[c]);
	sampler_add(s->sampler, "frag.csv", (const char *const *)run->frag_cols, run->nr_frag_cols,
		    frag_probe, s);
}

/* ---- create / run / destroy ---- */

static void on_deadlock(void *arg, u64 now_ns, const char *description)
{
	struct sim *s = arg;
	finding_report(s->findings, FINDING_DEADLOCK, now_ns, "%s", description);
}

struct sim *sim_create(const struct scenario *scn, const struct sim_options *opt, char *err,
		       size_t errlen)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	s->scn = scn;
	s->quiet = opt->quiet;
	s->check = opt->check;
	s->debug = opt->debug;
	s->run = xcalloc(1, sizeof(*s->run));
	clock_gettime(CLOCK_MONOTONIC, &s->run->wall_start);
	s->topo = topology_create(&scn->machine);
	s->cost = cost_table_create(&scn->costs, s->topo);
	s->findings = findings_create();
	s->sampler = sampler_create();
	s->lockstat = lockstat_create(s->findings);
	s->vmstat = vmstat_create(s->topo->nr_nodes);
	s->eng = engine_create(s, scn);
	engine_set_deadlock_handler(s->eng, on_deadlock, s);
	s->phys = phys_mem_create(s);
	sampler_add(s->sampler, "timeline.csv", core_cols, ARRAY_SIZE(core_cols), core_probe, s);
	register_frag_probe(s);
	if (spawn_workloads(s, err, errlen) < 0) {
		sim_destroy(s);
		return NULL;
	}
	engine_add_ticker(s->eng, scn->outputs.sample_interval_ns, sample_tick, s);
	engine_add_ticker(s->eng, min_t(u64, scn->outputs.sample_interval_ns, NSEC_PER_MSEC),
			  progress_tick, s);
	return s;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	struct sim_run *run = s->run;
	for (unsigned i = 0; i < run->nr_threads; i++) {
		op_source_close(run->threads[i].src);
		free(run->threads[i].error);
		free(run->threads[i].handles);
	}
	for (unsigned i = 0; i < run->nr_procs; i++)
		if (run->procs[i].mm)
			mm_free_after_run(run->procs[i].mm);
	free(run->threads);
	free(run->procs);
	for (unsigned i = 0; i < run->nr_frag_cols; i++)
		free(run->frag_cols[i]);
	free(run->frag_cols);
	phys_mem_destroy(s->phys);
	engine_destroy(s->eng);
	vmstat_destroy(s->vmstat);
	lockstat_destroy(s->lockstat);
	sampler_destroy(s->sampler);
	findings_destroy(s->findings);
	cost_table_destroy(s->cost);
	topology_destroy(s->topo);
	free(run);
	free(s);
}

int sim_run(struct sim *s, const struct sim_options *opt)
{
	struct sim_run *run = s->run;
	engine_run(s->eng, s->scn->duration_ns);
	run->end_ns = engine_now_ns(s->eng);
	if (s->check) {
		char msg[256];
		if (check_phys_mem(s->phys, run->totals.threads_done == run->nr_threads, msg,
				   sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "buddy allocator: %s",
				       msg);
	}
	for (unsigned i = 0; i < run->nr_threads; i++) {
		if (run->threads[i].error) {
			fprintf(stderr, "%s\n", run->threads[i].error);
			return 2;
		}
	}
	const struct engine_stats *es = engine_stats(s->eng);
	if (es->watchdog_fired)
		finding_report(s->findings, FINDING_WATCHDOG, run->end_ns,
			       "duration %.6f s reached with %llu of %u threads still running",
			       (double)s->scn->duration_ns / 1e9,
			       (unsigned long long)(run->nr_threads - run->totals.threads_done),
			       run->nr_threads);
	if (opt->outdir && sim_write_outputs(s, opt->outdir, wall_seconds(&run->wall_start)) < 0)
		return 1;
	return es->deadlocks ? 4 : 0;
}

/* ---- accessors for sim_output.c ---- */

const struct replay_totals *sim_totals(const struct sim *s)
{
	return &s->run->totals;
}

u64 sim_end_ns(const struct sim *s)
{
	return s->run->end_ns;
}

unsigned sim_nr_threads(const struct sim *s)
{
	return s->run->nr_threads;
}

void sim_get_result(const struct sim *s, struct sim_result *r)
{
	const struct replay_totals *t = &s->run->totals;
	const struct engine_stats *es = engine_stats(s->eng);
	*r = (struct sim_result){ .simulated_ns = s->run->end_ns, .faults = t->faults,
				  .simcalls = es->simcalls, .parks = es->parks,
				  .deadlocks = es->deadlocks, .threads_done = t->threads_done };
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		r->ops += t->ops[i];
}
