/* sim.c - assemble a simulation from a validated scenario, run it, write the out dir.
 *
 * Parts are created in layer order and destroyed in reverse. Workload instances become
 * processes (one mm each) whose threads are task actors running replay_main(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
#include "stats/timeline.h"
#include "locks/lockstat.h"
#include "mm/check.h"
#include "mm/compaction.h"
#include "mm/filemap.h"
#include "mm/backing_dev.h"
#include "mm/readahead.h"
#include "mm/workingset.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/memory_hotplug.h"
#include "mm/mempolicy.h"
#include "mm/khugepaged.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "task/highalloc_log.h"
#include "mm/procfs.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/page_io.h"
#include "mm/vmscan.h"
#include "mm/writeback.h"
#include "mm/vmstat.h"
#include "task/replay.h"
#include "traces/snapshot_file.h"
#include "traces/trace_source.h"
#include "workloads/workload.h"
#include "sim_internal.h"
#include "sim_series.h"


/* One snapshot a traced program took: written as snapshots/NNNN-<name>. */
struct snapshot {
	char *name;
	char *data;
	size_t len;
};

struct sim_run {
	struct replay_world world;         /* totals, shm segments; ops below */
	struct process **procs;            /* every process created (initial and forked) */
	unsigned nr_procs, cap_procs;
	struct replay_thread **threads;    /* every thread started */
	unsigned nr_threads, cap_threads;
	u32 next_pid;
	struct snapshot *snaps;
	unsigned nr_snaps;
	unsigned rr_cpu;                   /* round-robin placement cursor */
	struct sim *sim;                   /* back pointer (replay world callbacks) */
	/* progress (wall clock: stderr only, never in outputs except summary "host") */
	struct timespec wall_start;
	double last_progress;
	bool progress_shown;
	int progress;                      /* PROGRESS_*: how the line is shown */
	u64 trace_records;                 /* records of the traces replayed (the known total) */
	struct outdir *tl_od;              /* --timeline: timeline.json's out dir */
	u64 end_ns;
	/* hugetlb.csv columns, names owned here */
	char **htlb_cols;
	unsigned nr_htlb_cols;
	/* frag.csv columns: five per populated zone, names owned here */
	char **frag_cols;
	unsigned nr_frag_cols;
	struct zone *frag_zones[MAX_NUMNODES * MAX_NR_ZONES];
	unsigned nr_frag_zones;
	struct sim_series *series;         /* buddyinfo.csv, extfrag.csv, locks.csv */
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

/* ---- processes and threads ---- */

static struct process *process_new(struct sim *s, const struct workload_cfg *w, unsigned instance,
				   u32 trace_pid)
{
	struct sim_run *run = s->run;
	if (run->nr_procs == run->cap_procs) {
		run->cap_procs = run->cap_procs ? 2 * run->cap_procs : 16;
		run->procs = xrealloc(run->procs, run->cap_procs * sizeof(*run->procs));
	}
	struct process *p = xcalloc(1, sizeof(*p));
	run->procs[run->nr_procs++] = p;
	p->pid = run->next_pid++;
	p->trace_pid = trace_pid ? trace_pid : p->pid;
	p->wcfg = w;
	p->instance = instance;
	snprintf(p->comm, sizeof(p->comm), "%s", w->name);
	run->world.totals.processes++;
	return p;
}

static struct replay_thread *thread_new(struct sim *s, struct process *p, struct op_source *src,
					bool open_mode, u64 t0_ns)
{
	struct sim_run *run = s->run;
	if (run->nr_threads == run->cap_threads) {
		run->cap_threads = run->cap_threads ? 2 * run->cap_threads : 16;
		run->threads = xrealloc(run->threads, run->cap_threads * sizeof(*run->threads));
	}
	struct replay_thread *rt = xcalloc(1, sizeof(*rt));
	rt->index = run->nr_threads;
	run->threads[run->nr_threads++] = rt;
	rt->src = src;
	rt->proc = p;
	rt->world = &run->world;
	rt->totals = &run->world.totals;
	rt->open_mode = open_mode;
	rt->t0_ns = t0_ns;
	run->world.totals.threads++;
	return rt;
}

static void thread_start(struct sim *s, struct replay_thread *rt, unsigned thread_idx, u64 start_ns)
{
	const struct workload_cfg *w = rt->proc->wcfg;
	unsigned cpu = pick_cpu(s, w, thread_idx);
	engine_spawn(s->eng, w->name, cpu, false, start_ns, replay_main, rt, replay_thread_exit);
}

/* replay_world_ops: the world is the first member of sim_run, which knows its sim. */
static struct sim *sim_of_world(struct replay_world *w)
{
	return ((struct sim_run *)w)->sim;
}

static void world_start_thread(struct replay_world *w, struct task *parent, struct process *p,
			       struct op_source *src, u32 trace_tid)
{
	struct sim *s = sim_of_world(w);
	(void)trace_tid;
	struct replay_thread *prt = parent->priv;
	struct replay_thread *rt = thread_new(s, p, src, prt->open_mode, prt->t0_ns);
	thread_start(s, rt, p->nr_threads - 1, task_now(parent));
}

static struct process *world_new_process(struct replay_world *w, const struct process *parent,
					 u32 trace_pid)
{
	struct sim *s = sim_of_world(w);
	return process_new(s, parent->wcfg, parent->instance, trace_pid);
}

/* The files of issue 14's list (mm/procfs.c): zoneinfo, the process's status and smaps,
 * a node's meminfo and vmstat (empty for a node the machine lacks). */
static void write_proc_snapshot(struct sim *s, struct process *p, u32 file, s32 node, FILE *f)
{
	bool node_ok = node >= 0 && (unsigned)node < s->phys->nr_nodes;
	if (file == SNAPSHOT_ZONEINFO)
		procfs_zoneinfo(s, f);
	else if (file == SNAPSHOT_STATUS)
		procfs_status(s, p->mm, p->comm, p->trace_pid, p->nr_live, f);
	else if (file == SNAPSHOT_SMAPS)
		procfs_smaps(s, p->mm, f);
	else if (file == SNAPSHOT_NODE_MEMINFO && node_ok)
		procfs_node_meminfo(s, (unsigned)node, f);
	else if (file == SNAPSHOT_NODE_VMSTAT && node_ok)
		procfs_node_vmstat(s, (unsigned)node, f);
}

static void world_snapshot(struct replay_world *w, struct task *tsk, struct process *p, u32 file,
			   s32 node)
{
	struct sim *s = sim_of_world(w);
	struct sim_run *run = s->run;
	const char *name = snapshot_file_name(file);
	if (!name)
		return;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	switch (file) {
	case SNAPSHOT_MEMINFO:
		procfs_meminfo(s, f);
		break;
	case SNAPSHOT_VMSTAT:
		vmstat_write_proc(s->vmstat, f);
		break;
	case SNAPSHOT_BUDDYINFO:
		write_buddyinfo(s->phys, f);
		break;
	case SNAPSHOT_PAGETYPEINFO:
		write_pagetypeinfo(s->phys, f);
		break;
	case SNAPSHOT_SLABINFO:
		write_slabinfo(s, f);
		break;
	case SNAPSHOT_SMAPS_ROLLUP:
		procfs_smaps_rollup(s, p->mm, f);
		break;
	case SNAPSHOT_NUMA_MAPS:
		procfs_numa_maps(tsk, p->mm, f);
		break;
	case SNAPSHOT_MAPS:
		procfs_maps(s, p->mm, f);
		break;
	case SNAPSHOT_NUMASTAT:
		/* a node the machine lacks: the program read a file this machine has not */
		if (node >= 0 && (unsigned)node < s->phys->nr_nodes)
			write_node_numastat(s->vmstat, (unsigned)node, f);
		break;
	case SNAPSHOT_ZONEINFO:
	case SNAPSHOT_STATUS:
	case SNAPSHOT_SMAPS:
	case SNAPSHOT_NODE_MEMINFO:
	case SNAPSHOT_NODE_VMSTAT:
		write_proc_snapshot(s, p, file, node, f);
		break;
	default: {
		const char *path = snapshot_file_path(file);
		const char *dir = "/sys/kernel/mm/transparent_hugepage/";
		if (path && !strncmp(path, dir, strlen(dir)))
			procfs_thp_file(s, path + strlen(dir), f);
		break;
	}
	}
	fclose(f);
	(void)tsk;
	if (snapshot_file_per_node(file) && !strncmp(name, "node_", 5))
		name += 5;          /* node_meminfo -> nodeN.meminfo */
	char *fname = snapshot_file_per_node(file) && node >= 0 ?
		xasprintf("snapshots/%04u-node%d.%s", run->nr_snaps + 1, node, name) :
		xasprintf("snapshots/%04u-%s", run->nr_snaps + 1, name);
	run->snaps = xrealloc(run->snaps, (run->nr_snaps + 1) * sizeof(*run->snaps));
	run->snaps[run->nr_snaps++] = (struct snapshot){ fname, buf, len };
}

static struct replay_thread *world_thread(struct replay_world *w, u32 index)
{
	struct sim_run *run = container_of(w, struct sim_run, world);
	return index < run->nr_threads ? run->threads[index] : NULL;
}

static const struct replay_world_ops world_ops = {
	.start_thread = world_start_thread,
	.new_process = world_new_process,
	.snapshot = world_snapshot,
	.thread = world_thread,
};

/* A trace workload: one process per root process of the trace, one thread per root
 * thread; forks and clones create the rest as the replay reaches them. */
static int spawn_trace(struct sim *s, const struct workload_cfg *w, unsigned instance, char *err,
		       size_t errlen)
{
	const struct trace_workload_params *tp = w->params;
	struct trace_source_opts topts = { .from = (enum trace_kind)tp->from };
	struct trace_set *ts = trace_set_open(tp->path, &topts, err, errlen);
	if (!ts)
		return -1;
	bool open_mode = tp->mode == TRACE_OPEN;
	s->run->trace_records += trace_set_nr_records(ts);
	unsigned n = trace_set_nr_roots(ts);
	struct process **roots = xcalloc(n ? n : 1, sizeof(*roots));
	for (unsigned i = 0; i < n; i++) {
		u32 pid, tid;
		trace_set_root_ids(ts, i, &pid, &tid);
		struct process *p = NULL;
		for (unsigned j = 0; j < i && !p; j++)
			if (roots[j] && roots[j]->trace_pid == pid)
				p = roots[j];
		struct op_source *src = trace_set_root(ts, i, err, errlen);
		if (!src) {
			free(roots);
			trace_set_close(ts);
			return -1;
		}
		if (!p) {
			p = process_new(s, w, instance, pid);
			unsigned cpu0 = pick_cpu(s, w, 0);
			s->run->rr_cpu--;      /* thread_start picks it again */
			p->mm = mm_alloc(s, p->pid, (int)cpu_to_node(s->topo, cpu0));
			p->kill_at_ns = w->kill_at_ns;   /* task/kill.h */
		} else {
			mmget(p->mm);
		}
		roots[i] = p;
		p->nr_threads++;
		p->nr_live++;
		struct replay_thread *rt = thread_new(s, p, src, open_mode, w->start_ns);
		thread_start(s, rt, p->nr_threads - 1, w->start_ns);
	}
	free(roots);
	trace_set_close(ts);
	return 0;
}

static int spawn_workloads(struct sim *s, char *err, size_t errlen)
{
	const struct scenario *scn = s->scn;
	struct sim_run *run = s->run;
	run->next_pid = 1000;
	for (unsigned i = 0; i < scn->nr_workloads; i++) {
		const struct workload_cfg *w = &scn->workloads[i];
		const struct workload_type *wt = workload_type_find(w->type);
		if (wt == &trace_type) {
			if (spawn_trace(s, w, i, err, errlen) < 0)
				return -1;
			continue;
		}
		if (!wt || !wt->create) {
			snprintf(err, errlen, "%s:%d:%d: workloads: type \"%s\" cannot be run", w->file,
				 w->line, w->col, w->type);
			return -1;
		}
		struct process *p = process_new(s, w, i, 0);
		unsigned cpu0 = pick_cpu(s, w, 0);
		s->run->rr_cpu--;              /* thread_start picks it again */
		p->mm = mm_alloc(s, p->pid, (int)cpu_to_node(s->topo, cpu0));
		p->kill_at_ns = w->kill_at_ns;   /* task/kill.h */
		for (unsigned t = 0; t < w->threads; t++) {
			struct replay_thread *rt = thread_new(s, p, wt->create(w, i, t, scn->seed), false, 0);
			if (t)
				mmget(p->mm);
			p->nr_threads++;
			p->nr_live++;
			thread_start(s, rt, t, w->start_ns);
		}
	}
	return 0;
}

/* ---- ticking: samples and progress ---- */

/* The progress line: on a terminal it is rewritten in place ("\r") and cleared at the
 * end; forced off a terminal (--progress) each update is a line and a final "done" line
 * closes the run. At most PROGRESS_PERIOD_S apart in wall-clock time. */
enum { PROGRESS_OFF, PROGRESS_TTY, PROGRESS_LINES };
#define PROGRESS_PERIOD_S 0.25

static void fmt_wall(char *buf, size_t len, double s)
{
	if (s < 60)
		snprintf(buf, len, "%.0fs", s < 1 ? 1.0 : s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

static void progress_tick(void *arg, u64 now_ns, bool final)
{
	struct sim *s = arg;
	struct sim_run *run = s->run;
	if (run->progress == PROGRESS_OFF)
		return;
	double w = wall_seconds(&run->wall_start);
	if (final) {
		if (run->progress == PROGRESS_TTY) {
			if (run->progress_shown)
				fputs("\r\033[K", stderr);   /* cleared */
			return;
		}
	} else if (w - run->last_progress < PROGRESS_PERIOD_S) {
		return;
	}
	run->last_progress = w;
	run->progress_shown = true;
	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += run->world.totals.ops[i];
	/* what is left, where the end is known: a trace's record count, a duration */
	char known[96] = "", left[48] = "";
	double frac = -1;
	if (run->trace_records) {
		frac = (double)ops / (double)run->trace_records;
		snprintf(known, sizeof(known), " of %llu trace records",
			 (unsigned long long)run->trace_records);
	} else if (s->scn->duration_ns) {
		frac = (double)now_ns / (double)s->scn->duration_ns;
		snprintf(known, sizeof(known), " (duration %.3f ms)", (double)s->scn->duration_ns / 1e6);
	}
	if (frac > 1)
		frac = 1;
	if (final) {
		bool stopped = engine_stats(s->eng)->stop_reason != 0;
		fprintf(stderr, "mmsim: %s: simulated %.3f ms, %llu ops%s%s\n",
			stopped ? "stopped" : "done", (double)now_ns / 1e6, (unsigned long long)ops,
			known, frac >= 1 && !stopped ? ", 100%" : "");
		return;
	}
	if (frac >= 0) {
		char eta[24] = "?";
		if (frac >= 0.001)
			fmt_wall(eta, sizeof(eta), w * (1 - frac) / frac);
		snprintf(left, sizeof(left), ", %.1f%%, ~%s left", frac * 100, eta);
	}
	fprintf(stderr, "%smmsim: simulated %.3f ms, %llu ops%s%s, %.0f ops/s%s",
		run->progress == PROGRESS_TTY ? "\r" : "", (double)now_ns / 1e6,
		(unsigned long long)ops, known, left, w > 0 ? (double)ops / w : 0.0,
		run->progress == PROGRESS_TTY ? "\033[K" : "\n");
	fflush(stderr);
}

static void sample_tick(void *arg, u64 now_ns, bool final)
{
	struct sim *s = arg;
	if (final || sampler_periodic_due(s->sampler))
		sampler_tick(s->sampler, now_ns);
}

static const char *const core_cols[] = { "ops", "faults", "free_pages", "anon_pages" };

static void core_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim *s = arg;
	(void)now_ns;
	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += s->run->world.totals.ops[i];
	vals[0] = (double)ops;
	vals[1] = (double)s->run->world.totals.faults;
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
					       "fragindex_o9", "polluted_pageblocks", "wmark_min",
					       "wmark_low", "wmark_high" };

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
		/* the watermarks reclaim works between, boost included */
		v[5] = (double)wmark_pages(z, WMARK_MIN);
		v[6] = (double)wmark_pages(z, WMARK_LOW);
		v[7] = (double)wmark_pages(z, WMARK_HIGH);
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

/* hugetlb.csv: HugePages_Total/Free/Rsvd/Surp and, with several nodes, the per-node
 * Total/Free/Surp. Rsvd is printed signed: a wrapped count (variant count) shows as the
 * negative number it went to. */
static void htlb_probe(void *arg, u64 now_ns, double *vals)
{
	struct sim *s = arg;
	(void)now_ns;
	struct hugetlb_counters c;
	hugetlb_get_counters(s, &c);
	vals[0] = (double)c.total;
	vals[1] = (double)c.free;
	vals[2] = (double)(s64)c.resv;
	vals[3] = (double)c.surplus;
	if (s->phys->nr_nodes > 1)
		for (unsigned n = 0; n < s->phys->nr_nodes; n++) {
			vals[4 + 3 * n] = (double)c.node_total[n];
			vals[5 + 3 * n] = (double)c.node_free[n];
			vals[6 + 3 * n] = (double)c.node_surplus[n];
		}
}

static void register_htlb_probe(struct sim *s)
{
	struct sim_run *run = s->run;
	unsigned nn = s->phys->nr_nodes > 1 ? s->phys->nr_nodes : 0;
	run->nr_htlb_cols = 4 + 3 * nn;
	run->htlb_cols = xcalloc(run->nr_htlb_cols, sizeof(*run->htlb_cols));
	run->htlb_cols[0] = xstrdup("HugePages_Total");
	run->htlb_cols[1] = xstrdup("HugePages_Free");
	run->htlb_cols[2] = xstrdup("HugePages_Rsvd");
	run->htlb_cols[3] = xstrdup("HugePages_Surp");
	for (unsigned n = 0; n < nn; n++) {
		run->htlb_cols[4 + 3 * n] = xasprintf("node%u_HugePages_Total", n);
		run->htlb_cols[5 + 3 * n] = xasprintf("node%u_HugePages_Free", n);
		run->htlb_cols[6 + 3 * n] = xasprintf("node%u_HugePages_Surp", n);
	}
	sampler_add(s->sampler, "hugetlb.csv", (const char *const *)run->htlb_cols, run->nr_htlb_cols,
		    htlb_probe, s);
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
	/* --progress forces the line (one per update off a terminal); else a terminal
	 * gets it unless --quiet */
	if (opt->progress)
		s->run->progress = isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_LINES;
	else if (!opt->quiet && isatty(STDERR_FILENO))
		s->run->progress = PROGRESS_TTY;
	s->topo = topology_create(&scn->machine);
	s->cost = cost_table_create(&scn->costs, s->topo);
	s->findings = findings_create();
	s->sampler = sampler_create();
	s->lockstat = lockstat_create(s->findings);
	s->vmstat = vmstat_create(s->topo->nr_nodes);
	s->eng = engine_create(s, scn);
	engine_set_deadlock_handler(s->eng, on_deadlock, s);
	s->phys = phys_mem_create(s);
	if (opt->check)
		s->mmcheck = mm_check_create(s, &(struct mm_check_opts){
			.interval = opt->check_interval, .corrupt = scn->kernel.check_corrupt,
			.corrupt_op = scn->kernel.check_corrupt_op });
	slab_create(s);
	s->rmap = rmap_create(s);
	lru_create(s);
	swap_create(s);
	vmscan_create(s);
	s->files = file_table_create(s);
	bdi_create(s);
	readahead_create(s);
	workingset_create(s);
	writeback_create(s);
	hugetlb_create(s);
	mempolicy_create(s);
	thp_create(s);
	compaction_create(s);
	khugepaged_create(s);
	s->run->sim = s;
	s->run->world.ops = &world_ops;
	sampler_add(s->sampler, "timeline.csv", core_cols, ARRAY_SIZE(core_cols), core_probe, s);
	register_frag_probe(s);
	register_htlb_probe(s);
	s->run->series = sim_series_register(s);
	if (spawn_workloads(s, err, errlen) < 0) {
		sim_destroy(s);
		return NULL;
	}
	replay_world_attach(&s->run->world, s);
	/* kernel threads after the workloads: task ids (and rng streams) of the workloads
	 * do not depend on which kernel threads exist */
	compaction_start_kthreads(s->compaction);
	vmscan_start_kthreads(s->vmscan);
	engine_add_ticker(s->eng, scn->outputs.sample_interval_ns, sample_tick, s);
	engine_add_ticker(s->eng, min_t(u64, scn->outputs.sample_interval_ns, NSEC_PER_MSEC),
			  progress_tick, s);
	memory_hotplug_create(s);
	return s;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	struct sim_run *run = s->run;
	khugepaged_destroy(s->khugepaged);   /* its mm references first */
	memory_hotplug_destroy(s);
	for (unsigned i = 0; i < run->nr_threads; i++) {
		op_source_close(run->threads[i]->src);
		free(run->threads[i]->error);
		free(run->threads[i]->handles);
		free(run->threads[i]);
	}
	for (unsigned i = 0; i < run->nr_procs; i++) {
		if (run->procs[i]->mm)
			mm_free_after_run(run->procs[i]->mm);
		free(run->procs[i]->fds);
		free(run->procs[i]);
	}
	free(run->threads);
	free(run->procs);
	for (unsigned i = 0; i < run->nr_snaps; i++) {
		free(run->snaps[i].name);
		free(run->snaps[i].data);
	}
	free(run->snaps);
	replay_world_release(&run->world);
	file_table_destroy(s->files);
	bdi_destroy(s->bdi);
	readahead_destroy(s->readahead);
	workingset_destroy(s->workingset);
	writeback_destroy(s->writeback);
	swap_wb_destroy(s->swap_wb);
	mempolicy_destroy(s);
	hugetlb_destroy(s->hugetlb);
	thp_destroy(s->thp);
	compaction_destroy(s->compaction);
	lru_destroy(s->lru);
	vmscan_destroy(s->vmscan);
	swap_destroy(s->swap);
	rmap_destroy(s->rmap);
	for (unsigned i = 0; i < run->nr_htlb_cols; i++)
		free(run->htlb_cols[i]);
	free(run->htlb_cols);
	for (unsigned i = 0; i < run->nr_frag_cols; i++)
		free(run->frag_cols[i]);
	free(run->frag_cols);
	sim_series_destroy(run->series);
	slab_destroy(s->slab);
	highalloc_log_destroy(s->highalloc);
	mm_check_destroy(s->mmcheck);
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

/* A user task's track: its process (the recorded pid of a trace, else mmsim's) and its
 * recorded thread id, or 1 + its creation index for a generator's threads. */
static void timeline_task_ids(void *arg, const struct task *tsk, u32 *pid, u32 *tid)
{
	const struct replay_thread *rt = tsk->priv;
	(void)arg;
	if (!rt || !rt->proc)
		return;
	*pid = tsk->pid ? tsk->pid : rt->proc->trace_pid;
	*tid = tsk->tid ? tsk->tid : rt->index + 1;
}

/* --timeline: timeline.json is streamed during the run into the out dir (under a
 * temporary name, which a second stop signal removes) and renamed at its end. */
static int timeline_start(struct sim *s, const struct sim_options *opt)
{
	if (!opt->timeline || !opt->outdir)
		return 0;
	char err[512];
	s->run->tl_od = outdir_create(opt->outdir, err, sizeof(err));
	if (!s->run->tl_od) {
		fprintf(stderr, "mmsim: %s\n", err);
		return -1;
	}
	s->timeline = timeline_open(s->run->tl_od, opt->timeline_from, opt->timeline_to,
				    s->topo->nr_cpus, s->topo->cpus_per_node, timeline_task_ids, s);
	if (!s->timeline)
		return -1;
	engine_set_cpu_hook(s->eng, timeline_cpu, s->timeline);
	return 0;
}

/* keep: the run writes its outputs (not a replay that failed on a bad trace) */
static int timeline_finish(struct sim *s, bool partial, bool keep)
{
	if (!s->timeline)
		return 0;
	engine_set_cpu_hook(s->eng, NULL, NULL);
	int rc = timeline_close(s->timeline, s->run->end_ns, partial, s->scn->path, s->scn->seed,
				keep);
	s->timeline = NULL;
	outdir_destroy(s->run->tl_od);
	s->run->tl_od = NULL;
	return rc;
}

int sim_run(struct sim *s, const struct sim_options *opt)
{
	struct sim_run *run = s->run;
	engine_set_limits(s->eng, opt->max_wall_s, opt->max_memory);
	if (timeline_start(s, opt) < 0)
		return 1;
	engine_run(s->eng, s->scn->duration_ns);
	run->end_ns = engine_now_ns(s->eng);
	int stop = engine_stats(s->eng)->stop_reason;
	/* a stop found by a task running ahead (engine.runahead) is at that task's clock,
	 * which SimGrid's has not reached: the state written is the one at that time */
	if (stop && engine_stats(s->eng)->stopped_at_ns > run->end_ns)
		run->end_ns = engine_stats(s->eng)->stopped_at_ns;
	bool thread_error = false;
	for (unsigned i = 0; i < run->nr_threads; i++)
		thread_error |= run->threads[i]->error != NULL;
	if (timeline_finish(s, stop != 0, stop || !thread_error) < 0)
		return 1;
	if (stop) {
		/* stopped early: the state is a snapshot of a run in flight, so the
		 * end-of-run checks do not apply; everything else is written */
		fprintf(stderr, "mmsim: stopped by %s at simulated time %.6f s; writing partial "
				"outputs\n", engine_stop_reason_str(stop), (double)run->end_ns / 1e9);
		if (opt->outdir && sim_write_outputs(s, opt->outdir, wall_seconds(&run->wall_start)) < 0)
			return 1;
		if (stop == ENGINE_STOP_CHECK) {
			engine_clear_stop(stop);
			return EXIT_CHECK;
		}
		return stop > 0 ? EXIT_INTERRUPTED : EXIT_LIMIT;
	}
	if (run->world.totals.threads_done == run->nr_threads) {
		hugetlb_check_quiescent(s, run->end_ns);
		mempolicy_check(s, run->end_ns, "at the end of the run", true);
	}
	if (s->check) {
		char msg[256];
		if (mm_check_pages(s, msg, sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "at the end: %s", msg);
		if (!s->quiet)
			fprintf(stderr, "mmsim: --check: %llu ops checked, %llu full walks (every %llu "
					"ops) and one at the end, %llu changed pages checked\n",
				(unsigned long long)s->mmcheck->ops,
				(unsigned long long)s->mmcheck->full_walks,
				(unsigned long long)s->mmcheck->interval,
				(unsigned long long)s->mmcheck->pages_checked);
		if (check_phys_mem(s->phys, run->world.totals.threads_done == run->nr_threads, msg,
				   sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "buddy allocator: %s",
				       msg);
		if (check_lru(s, msg, sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "LRU lists: %s", msg);
		if (check_slab(s, msg, sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "slab: %s", msg);
		if (check_swap(s, true, msg, sizeof(msg)) < 0)
			finding_report(s->findings, FINDING_INVARIANT, run->end_ns, "swap: %s", msg);
	}
	for (unsigned i = 0; i < run->nr_threads; i++) {
		if (run->threads[i]->error) {
			fprintf(stderr, "%s\n", run->threads[i]->error);
			return 2;
		}
	}
	const struct engine_stats *es = engine_stats(s->eng);
	if (es->watchdog_fired)
		finding_report(s->findings, FINDING_WATCHDOG, run->end_ns,
			       "duration %.6f s reached with %llu of %u threads still running",
			       (double)s->scn->duration_ns / 1e9,
			       (unsigned long long)(run->nr_threads - run->world.totals.threads_done),
			       run->nr_threads);
	if (opt->outdir && sim_write_outputs(s, opt->outdir, wall_seconds(&run->wall_start)) < 0)
		return 1;
	if (es->deadlocks)
		return 4;
	/* --check: a broken invariant (found at the end, or by a model's own assertion) */
	return s->check && findings_count(s->findings, FINDING_INVARIANT) ? EXIT_CHECK : 0;
}

/* ---- accessors for sim_output.c ---- */

const struct replay_totals *sim_totals(const struct sim *s)
{
	return &s->run->world.totals;
}

const struct replay_thread *sim_thread(const struct sim *s, unsigned i)
{
	return i < s->run->nr_threads ? s->run->threads[i] : NULL;
}

const struct replay_world *sim_world(const struct sim *s)
{
	return &s->run->world;
}

unsigned sim_nr_snapshots(const struct sim *s)
{
	return s->run->nr_snaps;
}

void sim_snapshot(const struct sim *s, unsigned i, const char **name, const char **data,
		  size_t *len)
{
	*name = s->run->snaps[i].name;
	*data = s->run->snaps[i].data;
	*len = s->run->snaps[i].len;
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
	const struct replay_totals *t = &s->run->world.totals;
	const struct engine_stats *es = engine_stats(s->eng);
	*r = (struct sim_result){ .simulated_ns = s->run->end_ns, .faults = t->faults,
				  .simcalls = es->simcalls, .parks = es->parks,
				  .deadlocks = es->deadlocks, .threads_done = t->threads_done };
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		r->ops += t->ops[i];
}
