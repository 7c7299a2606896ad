/* sim_output.c - the out dir: summary.json (scenario echo, simulated time, events, key
 * metrics; wall-clock figures only under "host"), lock_stat.txt, contention.csv,
 * lock_classes.csv, lock_pairs.csv, lock_hist.csv, vmstat.txt, buddyinfo.txt,
 * pagetypeinfo.txt, findings.txt, the sampled series: raw outputs only. report.md is
 * rendered from them by analysis/report.c. Every file is written atomically by stats/outdir. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_internal.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "platform/topology.h"
#include "stats/findings.h"
#include "stats/json.h"
#include "stats/outdir.h"
#include "stats/sampler.h"
#include "locks/lockstat.h"
#include "mm/huge_memory.h"
#include "mm/backing_dev.h"
#include "mm/readahead.h"
#include "mm/filemap.h"
#include "mm/hugetlb.h"
#include "mm/mmu_notifier.h"
#include "mm/mempolicy.h"
#include "mm/khugepaged.h"
#include "mm/memory_hotplug.h"
#include "mm/page_alloc.h"
#include "mm/page_io.h"
#include "mm/procfs.h"
#include "mm/swapfile.h"
#include "mm/slab.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "task/replay.h"
#include "task/highalloc_log.h"
#include "task/kill.h"
#include "task/mismatch.h"
#include "traces/mmt.h"
#include "workloads/workload.h"
#include "analysis/report.h"
#include <sys/stat.h>

static struct json *mempolicy_json(const struct sim *s);
static struct json *pagecache_json(const struct sim *s);
static struct json *writeback_json(const struct sim *s);

static struct json *zones_json(const struct sim *s);

/* 2: lock_pairs.csv, lock_hist.csv, buddyinfo.csv; metrics.bdi, readahead, nodes, swap,
 * thp, hugetlb.nodes, zones.*_o9 contig figures, replay; khugepaged faults_by_task index */
#define SUMMARY_SCHEMA_VERSION 2

/* ---- summary.json ---- */

static struct json *knob_table_json(const struct knob_table *t, const void *base)
{
	struct json *o = json_object();
	for (size_t i = 0; i < t->nr; i++) {
		char buf[256];
		knob_format(&t->rows[i], base, buf, sizeof(buf));
		json_set_string(o, t->rows[i].name, buf);
	}
	return o;
}

static struct json *scenario_json(const struct scenario *scn)
{
	struct json *o = knob_table_json(scenario_knobs(), scn);
	json_set_string(o, "path", scn->path);
	struct json *dist = json_array();
	for (unsigned a = 0; a < scn->machine.nr_nodes; a++) {
		struct json *row = json_array();
		for (unsigned b = 0; b < scn->machine.nr_nodes; b++)
			json_push(row, json_u64(scn->machine.distance[a][b]));
		json_push(dist, row);
	}
	json_set(o, "machine.distances", dist);
	struct json *mem = json_array();
	for (unsigned n = 0; n < scn->machine.nr_nodes; n++)
		json_push(mem, json_u64(scn->machine.node_memory[n]));
	json_set(o, "machine.node_memory", mem);
	struct json *wl = json_array();
	for (unsigned i = 0; i < scn->nr_workloads; i++) {
		const struct workload_cfg *w = &scn->workloads[i];
		struct json *j = knob_table_json(w->schema->params, w->params);
		json_set_string(j, "type", w->type);
		json_set_string(j, "name", w->name);
		json_set_u64(j, "threads", w->threads);
		json_set_u64(j, "start_ns", w->start_ns);
		if (w->nr_cpus) {
			struct json *c = json_array();
			for (unsigned k = 0; k < w->nr_cpus; k++)
				json_push(c, json_u64(w->cpus[k]));
			json_set(j, "cpus", c);
		}
		if (w->nodemask)
			json_set_u64(j, "nodemask", w->nodemask);
		json_push(wl, j);
	}
	json_set(o, "workloads", wl);
	return o;
}

/* knobs_changed: the scenario's knobs whose value differs from the default, as written */
static struct json *knobs_changed_json(const struct scenario *scn)
{
	const struct knob_table *t = scenario_knobs();
	struct scenario *def = xcalloc(1, sizeof(*def));
	knob_set_defaults(t, def);
	struct json *o = json_object();
	for (size_t i = 0; i < t->nr; i++) {
		char a[256], b[256];
		if (!t->rows[i].def)
			continue;
		knob_format(&t->rows[i], scn, a, sizeof(a));
		knob_format(&t->rows[i], def, b, sizeof(b));
		if (strcmp(a, b))
			json_set_string(o, t->rows[i].name, a);
	}
	knob_free_strings(t, def);
	free(def);
	return o;
}

/* The names of the non-zero counts in op type order (the report lists them so). */
static struct json *ops_order_json(const u64 *counts)
{
	struct json *a = json_array();
	for (unsigned t = 1; t < NR_OP_TYPES; t++)
		if (counts[t])
			json_push(a, json_string(op_type_name(t)));
	return a;
}

static struct json *ops_json(const u64 *counts)
{
	struct json *o = json_object();
	for (unsigned t = 1; t < NR_OP_TYPES; t++)
		if (counts[t])
			json_set_u64(o, op_type_name(t), counts[t]);
	return o;
}

/* metrics.slab: slab pages and the defragmentation step (seed 003) */
static struct json *slab_json(const struct sim *s)
{
	struct json *o = json_object();
	const struct slab_state *ss = s->slab;
	if (!ss)
		return o;
	u64 recl = 0, unrecl = 0, attempts = 0, refused = 0, freed = 0, objects = 0;
	for (unsigned n = 0; n < ss->nr_nodes; n++) {
		recl += slab_node_pages(s, n, true);
		unrecl += slab_node_pages(s, n, false);
	}
	for (unsigned i = 0; i < ss->nr_caches; i++) {
		attempts += ss->caches[i]->defrag_attempts;
		refused += ss->caches[i]->defrag_refused;
		freed += ss->caches[i]->defrag_freed_slabs;
		objects += ss->caches[i]->defrag_objects;
	}
	json_set_u64(o, "reclaimable_pages", recl);
	json_set_u64(o, "unreclaimable_pages", unrecl);
	json_set_u64(o, "defrag_pageblocks", ss->defrag_blocks);
	json_set_u64(o, "defrag_pageblocks_emptied", ss->defrag_blocks_freed);
	json_set_u64(o, "defrag_pageblocks_no_room", ss->defrag_no_room);
	json_set_u64(o, "defrag_slabs_tried", attempts);
	json_set_u64(o, "defrag_slabs_refused", refused);
	json_set_u64(o, "defrag_slabs_freed", freed);
	json_set_u64(o, "defrag_objects", objects);
	json_set_u64(o, "defrag_objects_moved", ss->defrag_moved);
	json_set_u64(o, "defrag_move_failed", ss->defrag_move_failed);
	json_set_u64(o, "defrag_cpu_ns", ss->defrag_cpu_ns);
	json_set_u64(o, "defrag_objects_reclaimed", ss->defrag_reclaimed);
	json_set_u64(o, "negative_dentries_pruned", ss->negative_dentries_pruned);
	json_set_u64(o, "shadow_nodes_reclaimed", ss->shadow_nodes_reclaimed);
	json_set_u64(o, "xa_nodes_moved", ss->xa_nodes_moved);
	json_set_u64(o, "xa_refused_not_in_tree", ss->xa_refused_not_in_tree);
	json_set_u64(o, "xa_refused_shadow", ss->xa_refused_shadow);
	struct json *objs = json_object();   /* live objects per cache that has slabs */
	for (unsigned i = 0; i < ss->nr_caches; i++)
		if (ss->caches[i]->alloc_slab)
			json_set_u64(objs, ss->caches[i]->name, kmem_cache_objects_inuse(s, ss->caches[i]));
	json_set(o, "objects", objs);
	struct json *allocs = json_object();   /* kmem_cache_alloc calls per cache, the run's */
	for (unsigned i = 0; i < ss->nr_caches; i++)
		if (ss->caches[i]->alloc_slab)
			json_set_u64(allocs, ss->caches[i]->name,
				     ss->caches[i]->alloc_fastpath + ss->caches[i]->alloc_slowpath);
	json_set(o, "allocated", allocs);
	return o;
}

static struct json *locks_json(const struct lockstat *ls)
{
	struct json *o = json_object();
	for (size_t i = 0; i < lockstat_nr_classes(ls); i++) {
		const char *name = lockstat_class_name_at(ls, i);
		for (int rw = 0; rw < 2; rw++) {
			const struct lock_stat_row *r = lockstat_class_row(ls, name, rw);
			char key[160];
			if (!r || !lockstat_row_label(ls, name, rw, key, sizeof(key)))
				continue;
			struct json *j = json_object();
			json_set_u64(j, "acquisitions", r->acquisitions);
			json_set_u64(j, "contentions", r->contentions);
			json_set_u64(j, "wait_total_ns", r->wait_total);
			json_set_u64(j, "wait_max_ns", r->wait_max);
			json_set_u64(j, "hold_total_ns", r->hold_total);
			json_set_u64(j, "hold_max_ns", r->hold_max);
			json_set_u64(j, "acq_bounces", r->acq_bounces);
			json_set_u64(j, "con_bounces", r->con_bounces);
			json_set_u64(j, "cross_node_bounces", r->cross_node_bounces);
			json_set_u64(j, "trylock_failures", r->trylock_failures);
			json_set(o, key, j);
		}
	}
	return o;
}

static struct json *findings_json(const struct findings *f)
{
	struct json *o = json_object();
	struct json *counts = json_object();
	for (int t = 0; t < NR_FINDING_TYPES; t++)
		json_set_u64(counts, finding_type_name(t), findings_count(f, t));
	json_set(o, "counts", counts);
	struct json *list = json_array();
	for (size_t i = 0; i < findings_nr_distinct(f); i++) {
		enum finding_type t;
		u64 first, count;
		const char *msg;
		findings_get(f, i, &t, &first, &count, &msg);
		struct json *j = json_object();
		json_set_string(j, "type", finding_type_name(t));
		json_set_u64(j, "first_ns", first);
		json_set_u64(j, "count", count);
		json_set_string(j, "message", msg);
		json_push(list, j);
	}
	json_set(o, "list", list);
	return o;
}

/* The hugetlb event counts: summary.json key, field (analysis/report.c labels them). */
static const struct {
	const char *key;
	size_t off;
} htlb_events[] = {
	{ "faults", offsetof(struct hugetlb_stats, faults) },
	{ "alloc_pool", offsetof(struct hugetlb_stats, alloc_pool) },
	{ "alloc_surplus", offsetof(struct hugetlb_stats, alloc_surplus) },
	{ "alloc_surplus_fail", offsetof(struct hugetlb_stats, alloc_surplus_fail) },
	{ "cow_copies", offsetof(struct hugetlb_stats, cow_copies) },
	{ "cow_reuse", offsetof(struct hugetlb_stats, cow_reuse) },
	{ "unmap_ref_private", offsetof(struct hugetlb_stats, unmap_ref_private) },
	{ "sigbus", offsetof(struct hugetlb_stats, sigbus) },
	{ "sigbus_reserved", offsetof(struct hugetlb_stats, sigbus_reserved) },
	{ "grow_requested", offsetof(struct hugetlb_stats, grow_requested) },
	{ "grow_allocated", offsetof(struct hugetlb_stats, grow_allocated) },
	{ "fresh_alloc_fail", offsetof(struct hugetlb_stats, fresh_alloc_fail) },
	{ "resv_ops", offsetof(struct hugetlb_stats, resv_ops) },
	{ "violations", offsetof(struct hugetlb_stats, invariant_violations) },
};

static u64 htlb_event(const struct hugetlb_stats *st, unsigned i)
{
	return *(const u64 *)((const char *)st + htlb_events[i].off);
}

/* The six per-node NUMA counters, labelled as in /sys/devices/system/node/nodeN/numastat
 * (numastat.txt is written by write_node_numastat() in that order). */
static const struct {
	const char *label;
	enum vm_item item;
} numastat_items[] = {
	{ "numa_hit", NUMA_HIT },         { "numa_miss", NUMA_MISS },
	{ "numa_foreign", NUMA_FOREIGN }, { "interleave_hit", NUMA_INTERLEAVE_HIT },
	{ "local_node", NUMA_LOCAL },     { "other_node", NUMA_OTHER },
};

/* metrics.numa: {"node0": {"interleave_hit": .., "local_node": .., ...}, ...} */
static struct json *numa_json(const struct sim *s)
{
	struct json *o = json_object();
	for (unsigned n = 0; n < s->topo->nr_nodes; n++) {
		char key[16];
		snprintf(key, sizeof(key), "node%u", n);
		struct json *j = json_object();
		for (unsigned i = 0; i < ARRAY_SIZE(numastat_items); i++)
			json_set(j, numastat_items[i].label,
				 json_s64(node_page_state(s->vmstat, n, numastat_items[i].item)));
		json_set(o, key, j);
	}
	return o;
}

static bool is_trace_replay(const struct sim *s);
static bool no_touch_warning(const struct sim *s);
static void fmt_src(char *buf, size_t len, const struct sim *s, const struct ret_mismatch_row *m);
static void fmt_call(char *buf, size_t len, const struct ret_mismatch_row *m);
static void fmt_cause(char *buf, size_t len, const struct sim *s, const struct ret_mismatch_row *m);

/* metrics.bdi and metrics.readahead: the file device and readahead (struct field names) */
static struct json *bdi_json(const struct sim *s)
{
	const struct bdi_stats *b = bdi_stats(s);
	struct json *o = json_object();
	json_set_u64(o, "reads", b->reads);
	json_set_u64(o, "writes", b->writes);
	json_set_u64(o, "read_pages", b->read_pages);
	json_set_u64(o, "write_pages", b->write_pages);
	json_set_u64(o, "async_reads", b->async_reads);
	json_set_u64(o, "async_writes", b->async_writes);
	json_set_u64(o, "read_ns", b->read_ns);
	json_set_u64(o, "write_ns", b->write_ns);
	return o;
}

static struct json *readahead_json(const struct sim *s)
{
	const struct ra_stats *r = readahead_stats(s);
	struct json *o = json_object();
	json_set_u64(o, "sync_ra", r->sync_ra);
	json_set_u64(o, "async_ra", r->async_ra);
	json_set_u64(o, "forced_ra", r->forced_ra);
	json_set_u64(o, "context_ra", r->context_ra);
	json_set_u64(o, "pages_read", r->pages_read);
	json_set_u64(o, "pages_io", r->pages_io);
	json_set_u64(o, "mmap_read_around", r->mmap_read_around);
	json_set_u64(o, "mmap_lotsamiss", r->mmap_lotsamiss);
	json_set_u64(o, "waits", r->waits);
	json_set_u64(o, "fault_around_mapped", r->fault_around_mapped);
	json_set_u64(o, "fadvise_dontneed_pages", r->fadvise_dontneed_pages);
	return o;
}

/* metrics.nodes: per node present, free and anon pages at the end */
static struct json *nodes_json(const struct sim *s)
{
	struct json *o = json_object();
	for (unsigned nd = 0; nd < s->topo->nr_nodes; nd++) {
		char key[16];
		snprintf(key, sizeof(key), "node%u", nd);
		struct json *j = json_object();
		json_set_u64(j, "present_pages", node_present_pages(s->phys, nd));
		json_set_u64(j, "free_pages", node_free_pages(s->phys, nd));
		json_set(j, "anon_pages", json_s64(node_page_state(s->vmstat, nd, NR_ANON_PAGES)));
		json_set(o, key, j);
	}
	return o;
}

/* replay: for a trace replay, the first results that differ from the recorded ones */
static struct json *replay_json(const struct sim *s)
{
	const struct replay_totals *t = sim_totals(s);
	struct json *o = json_object();
	json_set(o, "trace", json_bool(is_trace_replay(s)));
	json_set(o, "no_touch_warning", json_bool(no_touch_warning(s)));
	struct json *a = json_array();
	for (u32 i = 0; i < t->nr_first_mismatch; i++) {
		const struct ret_mismatch_row *m = &t->first_mismatch[i];
		char call[96], src[4200], cause[256];
		fmt_call(call, sizeof(call), m);
		fmt_src(src, sizeof(src), s, m);
		fmt_cause(cause, sizeof(cause), s, m);
		struct json *j = json_object();
		json_set_u64(j, "simulated_ns", m->sim_ns);
		json_set_u64(j, "recorded_ns", m->rec_ns);
		json_set_string(j, "source", src);
		json_set_u64(j, "pid", m->pid);
		json_set_u64(j, "tid", m->tid);
		json_set_string(j, "call", call);
		json_set(j, "recorded", json_s64(m->recorded));
		json_set(j, "replayed", json_s64(m->replayed));
		json_set_string(j, "cause", cause);
		json_push(a, j);
	}
	json_set(o, "first_mismatches", a);
	return o;
}

static struct json *summary_json(struct sim *s, double wall_s)
{
	const struct replay_totals *t = sim_totals(s);
	const struct engine_stats *es = engine_stats(s->eng);
	struct json *root = json_object();
	json_set_u64(root, "schema_version", SUMMARY_SCHEMA_VERSION);
	json_set_string(root, "mmsim_version", MMSIM_VERSION);
	/* a run stopped early (signal, --max-wall, --max-memory) wrote what it had */
	json_set(root, "partial", json_bool(es->stop_reason != 0));
	if (es->stop_reason) {
		json_set_string(root, "stopped_by", engine_stop_reason_str(es->stop_reason));
		json_set_u64(root, "stopped_at_ns", es->stopped_at_ns);
	}
	json_set(root, "scenario", scenario_json(s->scn));
	json_set(root, "knobs_changed", knobs_changed_json(s->scn));
	json_set_u64(root, "simulated_ns", sim_end_ns(s));

	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += t->ops[i];
	struct json *ev = json_object();
	json_set_u64(ev, "ops", ops);
	json_set(ev, "ops_by_type", ops_json(t->ops));
	json_set(ev, "ops_not_modelled", ops_json(t->not_modelled));
	json_set(ev, "ops_not_modelled_order", ops_order_json(t->not_modelled));
	json_set(ev, "ops_failed", ops_json(t->failed));
	json_set_u64(ev, "ret_mismatch", t->ret_mismatch);
	json_set_u64(ev, "simcalls", es->simcalls);
	json_set_u64(ev, "flushes", es->flushes);
	json_set_u64(ev, "flushes_run_ahead", es->flushes_run_ahead);
	json_set_u64(ev, "parks", es->parks);
	json_set_u64(ev, "tasks", es->tasks_spawned);
	json_set_u64(ev, "threads", sim_nr_threads(s));
	json_set_u64(ev, "threads_finished", t->threads_done);
	json_set_u64(ev, "deadlocks", es->deadlocks);
	json_set_u64(ev, "processes", t->processes);
	json_set_u64(ev, "snapshots", t->snapshots);
	json_set_u64(ev, "madvise_not_modelled", t->madvise_not_modelled);
	/* open-loop trace replay: ops issued after their recorded time */
	json_set_u64(ev, "late_ops", t->late_ops);
	json_set_u64(ev, "lateness_total_ns", t->lateness_total_ns);
	json_set_u64(ev, "lateness_max_ns", t->lateness_max_ns);
	/* closed-loop trace replay: pipe reads and wait4s that waited for another process */
	json_set_u64(ev, "sync_waits", t->sync_waits);
	json_set_u64(ev, "sync_wait_ns", t->sync_wait_ns);
	json_set_u64(ev, "sync_unmet", t->sync_unmet);
	json_set_u64(ev, "signals_sent", t->signals_sent);
	json_set_u64(ev, "signals_delivered", t->signals_delivered);
	json_set(root, "events", ev);

	struct json *m = json_object();
	json_set_u64(m, "touched_pages", t->touched_pages);
	json_set_u64(m, "faults", t->faults);
	json_set_u64(m, "segv", t->segv);
	json_set_u64(m, "oom_kills", t->oom_kills);
	json_set(m, "locks", locks_json(s->lockstat));
	struct json *vm = json_object();
	for (unsigned i = 0; i < NR_VM_ITEMS; i++)
		json_set(vm, vmstat_item_name(i), json_s64(global_vm_state(s->vmstat, i)));
	json_set(m, "vmstat", vm);
	json_set(m, "numa", numa_json(s));
	json_set(m, "zones", zones_json(s));
	struct json *ap = json_object();
	for (unsigned o = 0; o < 16; o++) {
		if (!t->alloc_pages_ok[o] && !t->alloc_pages_fail[o])
			continue;
		char key[8];
		snprintf(key, sizeof(key), "%u", o);
		struct json *r = json_object();
		json_set_u64(r, "ok", t->alloc_pages_ok[o]);
		json_set_u64(r, "failed", t->alloc_pages_fail[o]);
		/* the part made after the thread wrote compact_memory */
		json_set_u64(r, "ok_after_compact_memory", t->alloc_pages_ok_compacted[o]);
		json_set_u64(r, "failed_after_compact_memory", t->alloc_pages_fail_compacted[o]);
		json_set(ap, key, r);
	}
	json_set(m, "alloc_pages", ap);
	json_set_u64(m, "free_pages_bad_handle", t->bad_handles);
	struct hugetlb_counters hc;
	hugetlb_get_counters(s, &hc);
	const struct hugetlb_stats *hs = hugetlb_get_stats(s);
	struct json *hj = json_object();
	json_set_u64(hj, "HugePages_Total", hc.total);
	json_set_u64(hj, "HugePages_Free", hc.free);
	json_set_u64(hj, "HugePages_Rsvd", hc.resv);
	json_set_u64(hj, "HugePages_Surp", hc.surplus);
	json_set(hj, "resv_min_signed", json_s64(hs->resv_min));
	json_set(hj, "resv_max_signed", json_s64(hs->resv_max));
	for (unsigned i = 0; i < ARRAY_SIZE(htlb_events); i++)
		json_set_u64(hj, htlb_events[i].key, htlb_event(hs, i));
	struct json *hn = json_object();
	for (unsigned n = 0; n < s->phys->nr_nodes; n++) {
		char key[16];
		snprintf(key, sizeof(key), "node%u", n);
		struct json *j = json_object();
		json_set_u64(j, "Total", hc.node_total[n]);
		json_set_u64(j, "Free", hc.node_free[n]);
		json_set_u64(j, "Surp", hc.node_surplus[n]);
		json_set(hn, key, j);
	}
	json_set(hj, "nodes", hn);
	json_set(m, "hugetlb", hj);
	json_set(m, "bdi", bdi_json(s));
	json_set(m, "readahead", readahead_json(s));
	json_set(m, "nodes", nodes_json(s));
	{
		struct json *sw = json_object();
		json_set_u64(sw, "total_pages", swap_total_pages(s->swap));
		json_set_u64(sw, "free_pages", swap_free_pages(s->swap));
		json_set_u64(sw, "size_bytes", s->scn->machine.swap.size);
		const struct swap_io_stats *io = swap_io_stats(s);
		if (io) {
			/* mm/page_io.h: the device as its users saw it */
			struct json *j = json_object();
			json_set_u64(j, "read_requests", io->reqs[0]);
			json_set_u64(j, "read_pages", io->pages[0]);
			json_set_u64(j, "read_ns", io->ns[0]);
			json_set_u64(j, "write_requests", io->reqs[1]);
			json_set_u64(j, "write_pages", io->pages[1]);
			json_set_u64(j, "write_ns", io->ns[1]);
			json_set_u64(j, "writeback_max_pages", io->wb_max_pages);
			json_set_u64(j, "throttle_waits", io->throttle_waits);
			json_set_u64(j, "throttle_wait_ns", io->throttle_ns);
			json_set_u64(j, "request_waits", io->tag_waits);
			json_set_u64(j, "request_wait_ns", io->tag_ns);
			json_set(sw, "io", j);
		}
		json_set(m, "swap", sw);
		static const char *const en[] = { "always", "madvise", "never" };
		static const char *const df[] = { "always", "defer", "defer+madvise", "madvise",
						  "never" };
		const struct thp_cfg *c = thp_cfg(s);
		struct json *tj = json_object();
		json_set_string(tj, "enabled", en[c->enabled]);
		json_set_string(tj, "defrag", df[c->defrag]);
		json_set(m, "thp", tj);
	}
	json_set(m, "mempolicy", mempolicy_json(s));
	json_set(m, "slab", slab_json(s));
	struct json *ha = highalloc_json(s);
	if (ha)
		json_set(m, "highalloc", ha);
	json_set(m, "pagecache", pagecache_json(s));
	json_set(m, "writeback", writeback_json(s));
	{
		const struct mm_all_locks_stats *al = mm_all_locks_stats(s);
		struct json *a = json_object();
		json_set_u64(a, "calls", al->calls);
		json_set_u64(a, "i_mmap_locked", al->i_mmap_locked);
		json_set_u64(a, "anon_vma_locked", al->anon_vma_locked);
		json_set_u64(a, "not_taken", al->not_taken);
		json_set_u64(a, "hold_ns", al->hold_ns);
		json_set_u64(a, "waiters_mmap_lock", al->waiters_mmap_lock);
		json_set_u64(a, "waiters_i_mmap", al->waiters_i_mmap);
		json_set_u64(a, "waiters_anon_vma", al->waiters_anon_vma);
		json_set_u64(a, "waiters_mutex", al->waiters_mutex);
		json_set(m, "mm_take_all_locks", a);
	}
	struct json *oj = memory_hotplug_json(s);
	if (oj)
		json_set(m, "memory_offline", oj);
	struct json *kj = khugepaged_summary_json(s);
	if (kj)
		json_set(m, "khugepaged", kj);
	json_set(root, "metrics", m);
	json_set(root, "findings", findings_json(s->findings));
	json_set(root, "replay", replay_json(s));

	/* The only wall-clock figures: everything above is deterministic. */
	struct json *host = json_object();
	json_set_double(host, "wall_seconds", wall_s);
	json_set_double(host, "ops_per_second", wall_s > 0 ? (double)ops / wall_s : 0);
	json_set_double(host, "simcalls_per_second", wall_s > 0 ? (double)es->simcalls / wall_s : 0);
	/* how the replay read its touches (task/replay.c): not a wall-clock figure, but a
	 * host-side one that MMSIM_NO_TOUCH_RUNS changes and nothing else may */
	json_set_u64(host, "touch_run_ops", sim_totals(s)->touch_run_ops);
	json_set(root, "host", host);
	return root;
}

/* Per zone: watermarks, free blocks, indices at pageblock order, pageblock types and
 * high-order allocation outcomes. Keys "node0_Normal". */
static struct json *zones_json(const struct sim *s)
{
	const struct phys_mem *pm = s->phys;
	struct json *zs = json_object();
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!z->populated)
				continue;
			char key[48];
			snprintf(key, sizeof(key), "node%u_%s", n, zone_names[zi]);
			struct json *j = json_object();
			json_set_u64(j, "managed_pages", z->managed_pages);
			json_set_u64(j, "free_pages", z->free_pages);
			json_set_u64(j, "wmark_min", z->_watermark[WMARK_MIN]);
			json_set_u64(j, "wmark_low", z->_watermark[WMARK_LOW]);
			json_set_u64(j, "wmark_high", z->_watermark[WMARK_HIGH]);
			json_set_u64(j, "watermark_boost", z->watermark_boost);
			struct json *bi = json_array();
			for (unsigned o = 0; o < MAX_ORDER; o++)
				json_push(bi, json_u64(z->free_area[o].nr_free));
			json_set(j, "buddyinfo", bi);
			struct contig_page_info info;
			fill_contig_page_info(z, pageblock_order, &info);
			json_set(j, "unusable_index_o9", json_s64(unusable_free_index(pageblock_order, &info)));
			json_set(j, "fragmentation_index_o9",
				 json_s64(__fragmentation_index(pageblock_order, &info)));
			json_set_u64(j, "contig_free_pages", info.free_pages);
			json_set_u64(j, "free_o9_blocks", info.free_blocks_suitable);
			json_set_u64(j, "polluted_pageblocks", zone_polluted_pageblocks(pm, z));
			u64 count[MIGRATE_TYPES] = { 0 };
			u64 first = z->zone_start_pfn >> pageblock_order;
			u64 last = (z->zone_start_pfn + z->spanned_pages - 1) >> pageblock_order;
			for (u64 pb = first; pb <= last; pb++)
				count[pm->pb_type[pb]]++;
			struct json *bt = json_object();
			for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
				json_set_u64(bt, migratetype_names[mt], count[mt]);
			json_set(j, "pageblocks", bt);
			struct json *ho = json_object();
			for (unsigned o = 0; o < MAX_ORDER; o++) {
				if (!z->alloc_attempts[o])
					continue;
				char ok[8];
				snprintf(ok, sizeof(ok), "%u", o);
				struct json *r = json_object();
				json_set_u64(r, "attempts", z->alloc_attempts[o]);
				json_set_u64(r, "success", z->alloc_success[o]);
				json_set(ho, ok, r);
			}
			json_set(j, "allocations_by_order", ho);
			json_set(zs, key, j);
		}
	}
	return zs;
}

/* metrics.writeback: dirty throttling, the flusher, sync calls (mm/writeback.h). */
static struct json *writeback_json(const struct sim *s)
{
	const struct writeback_stats *w = writeback_stats(s);
	struct json *o = json_object();
	json_set_u64(o, "bdp_calls", w->bdp_calls);
	json_set_u64(o, "bdp_pauses", w->bdp_pauses);
	json_set_u64(o, "bdp_limit_pauses", w->bdp_limit_pauses);
	json_set_u64(o, "throttled_ns", w->bdp_pause_ns);
	json_set_u64(o, "throttled_max_pause_ns", w->bdp_max_pause_ns);
	json_set_u64(o, "flusher_background", w->wb_background);
	json_set_u64(o, "flusher_periodic", w->wb_periodic);
	json_set_u64(o, "flusher_vmscan", w->wb_vmscan);
	json_set_u64(o, "flusher_range", w->wb_range);
	json_set_u64(o, "pages_flusher", w->pages_flusher);
	json_set_u64(o, "pages_sync", w->pages_sync);
	json_set_u64(o, "pages_pageout", w->pages_pageout);
	json_set_u64(o, "requests", w->requests);
	json_set_u64(o, "fsync", w->fsync);
	json_set_u64(o, "msync", w->msync);
	json_set_u64(o, "sync_file_range", w->sync_file_range);
	json_set_u64(o, "sync", w->sync);
	json_set_u64(o, "sync_wait_ns", w->sync_wait_ns);
	json_set_u64(o, "reclaim_throttled", w->reclaim_throttled);
	json_set_u64(o, "reclaim_throttled_ns", w->reclaim_throttled_ns);
	return o;
}

/* metrics.pagecache: the page cache lookup protocol (seed 002). */
static struct json *pagecache_json(const struct sim *s)
{
	const struct pagecache_stats *pc = pagecache_stats(s);
	struct json *o = json_object();
	json_set(o, "lookup", json_string(s->scn->variants.pagecache_lookup ==
					  PAGECACHE_LOOKUP_TREE_LOCK ? "tree_lock" : "lockless"));
	json_set_u64(o, "lookups", pc->lookups);
	json_set_u64(o, "hits", pc->hits);
	json_set_u64(o, "shadow_hits", pc->shadow_hits);
	json_set_u64(o, "retries_frozen", pc->retries_frozen);
	json_set_u64(o, "retries_slot_changed", pc->retries_slot_changed);
	json_set_u64(o, "retries_retry_entry", pc->retries_retry_entry);
	json_set_u64(o, "freezes", pc->freezes);
	json_set_u64(o, "freeze_failed", pc->freeze_failed);
	json_set_u64(o, "ref_rmws", pc->ref_rmws);
	json_set_u64(o, "ref_bounces", pc->ref_bounces);
	json_set_u64(o, "ref_bounce_ns", pc->ref_bounce_ns);
	json_set_u64(o, "walks", pc->walks);
	json_set_u64(o, "walk_levels", pc->walk_levels);
	json_set_u64(o, "walk_ns", pc->walk_ns);
	json_set_u64(o, "inserted", pc->inserted);
	json_set_u64(o, "removed", pc->removed);
	json_set_u64(o, "truncated", pc->truncated);
	json_set_u64(o, "shadows_stored", pc->shadows_stored);
	json_set_u64(o, "shadow_refaults", pc->shadow_refaults);
	json_set_u64(o, "xa_nodes_alloc", pc->xa_nodes_alloc);
	json_set_u64(o, "xa_nodes_free", pc->xa_nodes_free);
	json_set_u64(o, "max_height", pc->max_height);
	json_set_u64(o, "lookup_ns", pc->lookup_ns);
	json_set_u64(o, "lookup_p50_ns", pagecache_lookup_latency(s, 50));
	json_set_u64(o, "lookup_p99_ns", pagecache_lookup_latency(s, 99));
	return o;
}

/* metrics.mempolicy: the refcount model's counts (the NUMA counters are in metrics.numa). */
static struct json *mempolicy_json(const struct sim *s)
{
	const struct mpol_stats *st = mempolicy_stats(s);
	struct json *o = json_object();
	u64 use = 0;
	struct json *gets = json_object(), *puts = json_object(), *leaks = json_object();
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++) {
		json_set_u64(gets, mpol_path_name(p), st->gets[p]);
		json_set_u64(puts, mpol_path_name(p), st->puts[p]);
		json_set_u64(leaks, mpol_path_name(p), st->leaked_by_path[p]);
		if (p != MPOL_PATH_INSTALL)
			use += st->gets[p] + st->puts[p];
	}
	json_set(o, "gets", gets);
	json_set(o, "puts", puts);
	struct json *order = json_array();
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++)
		json_push(order, json_string(mpol_path_name(p)));
	json_set(o, "paths", order);  /* the enum order; "install" is not a use */
	json_set_u64(o, "use_rmws", use);
	json_set_u64(o, "remote_transfers", st->remote);
	json_set_u64(o, "rmw_ns", st->rmw_ns);
	json_set_u64(o, "sp_lock_acquisitions", st->sp_lock_acquisitions);
	json_set_u64(o, "objects_created", st->created);
	json_set_u64(o, "objects_freed", st->freed);
	json_set_u64(o, "leaked_objects", st->leaked_objects);
	json_set_u64(o, "leaked_refs", st->leaked_refs);
	json_set(o, "leaked_by_path", leaks);
	json_set_u64(o, "interleave_allocs", st->interleave_allocs);
	json_set_u64(o, "overputs", st->overputs);
	json_set_u64(o, "pages_migrated", st->mbind_migrated);
	json_set_u64(o, "pages_not_migrated", st->mbind_failed);
	json_set(o, "refcount", json_string(s->scn->variants.mempolicy_refcount == MPOL_REFCOUNT_ALWAYS
					   ? "always" : "conditional"));
	json_set(o, "leak_paths", json_string(s->scn->variants.mempolicy_leak_paths ==
					     MPOL_LEAK_PRE_2_6_24 ? "pre_2.6.24" : "fixed"));
	return o;
}

/* A replay of a trace: the workloads are all of type trace. */
static bool is_trace_replay(const struct sim *s)
{
	for (unsigned i = 0; i < s->scn->nr_workloads; i++)
		if (!strcmp(s->scn->workloads[i].type, "trace"))
			return true;
	return false;
}

/* A trace with mappings and not one page touch replays as an empty address space. */
static bool no_touch_warning(const struct sim *s)
{
	const struct replay_totals *t = sim_totals(s);
	return is_trace_replay(s) && !t->touched_pages &&
	       t->ops[OP_MMAP] + t->ops[OP_BRK] + t->ops[OP_SHMAT] + t->ops[OP_MREMAP] > 0;
}

#define NO_TOUCH_WARNING "this strace log has no page touches; record with `mmsim record`"

/* A result as the kernel gives it: an address in hex, an error as -ERRNO, else decimal. */
static void fmt_ret(char *buf, size_t len, s64 r)
{
	if (r < 0 && r > -4096)
		snprintf(buf, len, "%lld", (long long)r);
	else if (r >= 0x10000)
		snprintf(buf, len, "0x%llx", (unsigned long long)r);
	else
		snprintf(buf, len, "%lld", (long long)r);
}

/* Where a mismatch's record came from: LOG:LINE for a log or .mmt replayed as it is
 * (DIR/ANY.TID:LINE for the files of strace -ff), "line N" of the imported log for .mmtz. */
static void fmt_src(char *buf, size_t len, const struct sim *s, const struct ret_mismatch_row *m)
{
	const char *path = NULL;
	for (unsigned i = 0; i < s->scn->nr_workloads && !path; i++)
		if (!strcmp(s->scn->workloads[i].type, "trace"))
			path = ((const struct trace_workload_params *)s->scn->workloads[i].params)->path;
	struct stat st;
	if (!m->src_line)
		snprintf(buf, len, "?");
	else if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(buf, len, "%s/*.%u:%llu", path, m->tid, (unsigned long long)m->src_line);
	else if (path && trace_kind_from_path(path) != TRACE_KIND_MMTZ)
		snprintf(buf, len, "%s:%llu", path, (unsigned long long)m->src_line);
	else
		snprintf(buf, len, "line %llu", (unsigned long long)m->src_line);
}

static void fmt_call(char *buf, size_t len, const struct ret_mismatch_row *m)
{
	if (m->type == OP_CLOSE || m->type == OP_READ || m->type == OP_WRITE ||
	    m->type == OP_FTRUNCATE || m->type == OP_FALLOCATE)
		snprintf(buf, len, "%s(fd %d)", op_type_name(m->type), m->fd);
	else
		snprintf(buf, len, "%s(0x%llx, 0x%llx)", op_type_name(m->type),
			 (unsigned long long)m->addr, (unsigned long long)m->len);
}

static void fmt_cause(char *buf, size_t len, const struct sim *s, const struct ret_mismatch_row *m)
{
	u64 have = (s->phys->nr_pages << PAGE_SHIFT) + s->scn->machine.swap.size;
	if (m->cause == MISMATCH_OVERCOMMIT)
		snprintf(buf, len, "overcommit: %llu MiB asked, more than this machine's RAM + swap "
			 "(%llu MiB); the recording ran on a larger machine",
			 (unsigned long long)(m->len >> 20), (unsigned long long)(have >> 20));
	else if (m->cause == MISMATCH_BEFORE_TRACE)
		snprintf(buf, len, "no mapping there in the replay: mapped before the trace began");
	else
		buf[0] = '\0';
}

static s64 pct_dev(u64 sim, u64 obs)
{
	/* deviation in tenths of a percent of the observed value (0 when both are 0) */
	if (!obs)
		return sim ? 1000 : 0;
	return (s64)((((double)sim - (double)obs) * 1000.0) / (double)obs + ((sim >= obs) ? 0.5 : -0.5));
}

static void w_observed(FILE *f, void *arg)
{
	const struct replay_world *w = sim_world(arg);
	fprintf(f, "sample,recorded_ns,simulated_ns,obs_rss_kb,sim_rss_kb,rss_dev_permille,"
		   "obs_anon_kb,sim_anon_kb,anon_dev_permille,obs_swap_kb,sim_swap_kb,obs_faults,"
		   "sim_faults,faults_dev_permille,obs_vmstat_pgfault\n");
	for (u32 i = 0; i < w->nr_observed; i++) {
		const struct observe_row *r = &w->observed[i];
		fprintf(f, "%u,%llu,%llu,%llu,%llu,%lld,%llu,%llu,%lld,%llu,%llu,%llu,%llu,%lld,%llu\n",
			i + 1, (unsigned long long)r->rec_ns, (unsigned long long)r->sim_ns,
			(unsigned long long)r->obs_rss_kb, (unsigned long long)r->sim_rss_kb,
			(long long)pct_dev(r->sim_rss_kb, r->obs_rss_kb),
			(unsigned long long)r->obs_anon_kb, (unsigned long long)r->sim_anon_kb,
			(long long)pct_dev(r->sim_anon_kb, r->obs_anon_kb),
			(unsigned long long)r->obs_swap_kb, (unsigned long long)r->sim_swap_kb,
			(unsigned long long)r->obs_faults, (unsigned long long)r->sim_faults,
			(long long)pct_dev(r->sim_faults, r->obs_faults),
			(unsigned long long)r->obs_pgfault);
	}
}

/* Per replayed thread: its recorded ids, pages touched, faults taken, SIGSEGV touches. */
static void w_threads(FILE *f, void *arg)
{
	const struct sim *s = arg;
	fprintf(f, "pid,tid,touches,faults,segv\n");
	for (unsigned i = 0; i < sim_nr_threads(s); i++) {
		const struct replay_thread *rt = sim_thread(s, i);
		fprintf(f, "%u,%u,%llu,%llu,%llu\n", rt->trace_pid, rt->trace_tid,
			(unsigned long long)rt->touches, (unsigned long long)rt->faults,
			(unsigned long long)rt->segv);
	}
}

/* ---- the files ---- */

/* report.md: rendered by analysis/ from the files already written and summary.json's
 * text (committed after it, as the last file) */
struct report_arg {
	const struct outdir_data *od;
	int rc;
};

static void w_report(FILE *f, void *arg)
{
	struct report_arg *ra = arg;
	char err[1024];
	ra->rc = report_render(ra->od, REPORT_MD, f, err, sizeof(err));
	if (ra->rc)
		fprintf(stderr, "mmsim: report.md: %s\n", err);
}

static int write_report_md(struct outdir *od, const char *dir, const struct json *summary)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_write(summary, m);
	fclose(m);
	char err[1024];
	struct outdir_data *d = outdir_from_text(dir, buf, len, err, sizeof(err));
	free(buf);
	if (!d) {
		fprintf(stderr, "mmsim: report.md: %s\n", err);
		return -1;
	}
	struct report_arg ra = { d, 0 };
	int rc = outdir_write(od, "report.md", w_report, &ra);
	outdir_free(d);
	return rc | ra.rc;
}

static void w_summary(FILE *f, void *arg)
{
	json_write(arg, f);
}

static void w_lock_stat(FILE *f, void *arg)
{
	lockstat_write_proc(((struct sim *)arg)->lockstat, f);
}

static void w_contention(FILE *f, void *arg)
{
	lockstat_write_csv(((struct sim *)arg)->lockstat, f);
}

static void w_lock_pairs(FILE *f, void *arg)
{
	lockstat_write_pairs_csv(((struct sim *)arg)->lockstat, f);
}

static void w_lock_hist(FILE *f, void *arg)
{
	lockstat_write_hist_csv(((struct sim *)arg)->lockstat, f);
}

static void w_perf_contention(FILE *f, void *arg)
{
	lockstat_write_perf_contention(((struct sim *)arg)->lockstat, f);
}

static void w_lock_classes(FILE *f, void *arg)
{
	lockstat_write_classes_csv(((struct sim *)arg)->lockstat, f);
}

static void w_vmstat(FILE *f, void *arg)
{
	vmstat_write_proc(((struct sim *)arg)->vmstat, f);
}

/* Every node's numastat file, each under a "node N" heading, separated by blank lines. */
static void w_numastat(FILE *f, void *arg)
{
	const struct sim *s = arg;
	for (unsigned n = 0; n < s->topo->nr_nodes; n++) {
		fprintf(f, "%snode %u\n", n ? "\n" : "", n);
		write_node_numastat(s->vmstat, n, f);
	}
}

static void w_meminfo(FILE *f, void *arg)
{
	procfs_meminfo(arg, f);
}

struct blob {
	const char *data;
	size_t len;
};

static void w_blob(FILE *f, void *arg)
{
	const struct blob *b = arg;
	fwrite(b->data, 1, b->len, f);
}

static void w_buddyinfo(FILE *f, void *arg)
{
	write_buddyinfo(((struct sim *)arg)->phys, f);
}

static void w_pagetypeinfo(FILE *f, void *arg)
{
	write_pagetypeinfo(((struct sim *)arg)->phys, f);
}

static void w_unusable(FILE *f, void *arg)
{
	write_unusable_index(((struct sim *)arg)->phys, f);
}

static void w_extfrag(FILE *f, void *arg)
{
	write_extfrag_index(((struct sim *)arg)->phys, f);
}

static void w_slabinfo(FILE *f, void *arg)
{
	write_slabinfo((struct sim *)arg, f);
}

static void w_highalloc(FILE *f, void *arg)
{
	highalloc_write_csv(f, arg);
}

/* /proc/zoneinfo and each node's sysfs meminfo, numastat and vmstat at the end. */
struct node_file {
	const struct sim *s;
	unsigned nid;
};

static void w_zoneinfo(FILE *f, void *arg)
{
	procfs_zoneinfo(arg, f);
}

static void w_node_meminfo(FILE *f, void *arg)
{
	const struct node_file *n = arg;
	procfs_node_meminfo(n->s, n->nid, f);
}

static void w_node_numastat(FILE *f, void *arg)
{
	const struct node_file *n = arg;
	write_node_numastat(n->s->vmstat, n->nid, f);
}

static void w_node_vmstat(FILE *f, void *arg)
{
	const struct node_file *n = arg;
	procfs_node_vmstat(n->s, n->nid, f);
}

static int write_zone_node_files(struct outdir *od, const struct sim *s)
{
	int rc = outdir_write(od, "zoneinfo.txt", w_zoneinfo, (void *)s);
	for (unsigned nid = 0; nid < s->phys->nr_nodes; nid++) {
		struct node_file n = { s, nid };
		char name[64];
		snprintf(name, sizeof(name), "node%u.meminfo", nid);
		rc |= outdir_write(od, name, w_node_meminfo, &n);
		snprintf(name, sizeof(name), "node%u.numastat", nid);
		rc |= outdir_write(od, name, w_node_numastat, &n);
		snprintf(name, sizeof(name), "node%u.vmstat", nid);
		rc |= outdir_write(od, name, w_node_vmstat, &n);
	}
	return rc;
}

/* injected_faults.csv: what fault injection did (mm/page_io.h, task/kill.h), one figure
 * a row; written only when a fault was injected. */
static bool any_injected(const struct sim *s)
{
	const struct swap_inject_stats *st = swap_inject_stats(s);
	return sim_world(s)->nr_kills ||
	       (st && (st->slow_reqs[0] || st->slow_reqs[1] || st->fail_reqs[0] || st->fail_reqs[1]));
}

static void w_injected(FILE *f, void *arg)
{
	const struct sim *s = arg;
	const struct swap_inject_stats *st = swap_inject_stats(s);
	static const char *const rw[2] = { "reads", "writes" };
	fprintf(f, "kind,target,start_ns,end_ns,figure,value\n");
	for (int w = 0; st && w < 2; w++) {
		if (!st->fail_reqs[w])
			continue;
		const char *k = w ? "swap_write_error" : "swap_read_error";
		unsigned long long t = (unsigned long long)st->fail_first_ns[w];
		fprintf(f, "%s,%s,%llu,,requests,%llu\n", k, rw[w], t,
			(unsigned long long)st->fail_reqs[w]);
		fprintf(f, "%s,%s,%llu,,pages,%llu\n", k, rw[w], t,
			(unsigned long long)st->fail_pages[w]);
	}
	for (int w = 0; st && w < 2; w++) {
		if (!st->slow_reqs[w])
			continue;
		unsigned long long a = (unsigned long long)st->slow_first_ns,
				   b = (unsigned long long)st->slow_last_ns;
		fprintf(f, "swap_slow,%s,%llu,%llu,requests,%llu\n", rw[w], a, b,
			(unsigned long long)st->slow_reqs[w]);
		fprintf(f, "swap_slow,%s,%llu,%llu,pages,%llu\n", rw[w], a, b,
			(unsigned long long)st->slow_pages[w]);
		fprintf(f, "swap_slow,%s,%llu,%llu,device_ns,%llu\n", rw[w], a, b,
			(unsigned long long)st->slow_ns[w]);
	}
	const struct replay_world *wd = sim_world(s);
	for (u32 i = 0; i < wd->nr_kills; i++) {
		const struct kill_event *e = &wd->kills[i];
		const u64 v[4] = { e->threads, e->ops, e->rss_pages, e->swap_ents };
		static const char *const fig[4] = { "threads", "ops", "resident_pages",
						    "swap_entries" };
		for (int j = 0; j < 4; j++)
			fprintf(f, "kill,pid %u (%s) signal %d,%llu,%llu,%s,%llu\n", e->pid, e->comm,
				e->sig, (unsigned long long)e->kill_at_ns,
				(unsigned long long)e->exit_ns, fig[j], (unsigned long long)v[j]);
	}
}

static void w_findings(FILE *f, void *arg)
{
	findings_write(((struct sim *)arg)->findings, f);
}

int sim_write_outputs(struct sim *s, const char *dir, double wall_s)
{
	char err[512];
	struct outdir *od = outdir_create(dir, err, sizeof(err));
	if (!od) {
		fprintf(stderr, "mmsim: %s\n", err);
		return -1;
	}
	struct json *summary = summary_json(s, wall_s);
	int rc = 0;
	rc |= outdir_write(od, "lock_stat.txt", w_lock_stat, s);
	rc |= outdir_write(od, "contention.csv", w_contention, s);
	rc |= outdir_write(od, "perf_lock_contention.csv", w_perf_contention, s);
	rc |= outdir_write(od, "lock_pairs.csv", w_lock_pairs, s);
	rc |= outdir_write(od, "lock_hist.csv", w_lock_hist, s);
	rc |= outdir_write(od, "lock_classes.csv", w_lock_classes, s);
	rc |= outdir_write(od, "vmstat.txt", w_vmstat, s);
	rc |= outdir_write(od, "numastat.txt", w_numastat, s);
	rc |= outdir_write(od, "buddyinfo.txt", w_buddyinfo, s);
	rc |= outdir_write(od, "pagetypeinfo.txt", w_pagetypeinfo, s);
	rc |= outdir_write(od, "unusable_index.txt", w_unusable, s);
	rc |= outdir_write(od, "extfrag_index.txt", w_extfrag, s);
	rc |= outdir_write(od, "findings.txt", w_findings, s);
	rc |= outdir_write(od, "meminfo.txt", w_meminfo, s);
	rc |= outdir_write(od, "slabinfo.txt", w_slabinfo, s);
	if (s->highalloc)
		rc |= outdir_write(od, "highalloc.csv", w_highalloc, s);
	if (any_injected(s))
		rc |= outdir_write(od, "injected_faults.csv", w_injected, s);
	rc |= write_zone_node_files(od, s);
	for (unsigned i = 0; i < sim_nr_snapshots(s); i++) {
		struct blob b;
		const char *name;
		sim_snapshot(s, i, &name, &b.data, &b.len);
		rc |= outdir_write(od, name, w_blob, &b);
	}
	rc |= sampler_write(s->sampler, od);
	if (is_trace_replay(s))
		rc |= outdir_write(od, "threads.csv", w_threads, s);
	if (sim_world(s)->nr_observed)
		rc |= outdir_write(od, "observed.csv", w_observed, s);
	rc |= write_report_md(od, dir, summary);
	if (is_trace_replay(s)) {
		const struct replay_totals *t = sim_totals(s);
		if (no_touch_warning(s))
			fprintf(stderr, "mmsim: warning: %s (the replay's page faults, Rss and "
				"AnonPages are 0)\n", NO_TOUCH_WARNING);
		fprintf(stderr, "mmsim: replayed %llu page touches: %llu page faults, %llu "
			"SIGSEGV/SIGBUS\n", (unsigned long long)t->touched_pages,
			(unsigned long long)t->faults, (unsigned long long)t->segv);
		if (t->nr_first_mismatch) {
			const struct ret_mismatch_row *m = &t->first_mismatch[0];
			char src[4200], call[96], rec[32], rep[32], cause[256];
			fmt_src(src, sizeof(src), s, m);
			fmt_call(call, sizeof(call), m);
			fmt_ret(rec, sizeof(rec), m->recorded);
			fmt_ret(rep, sizeof(rep), m->replayed);
			fmt_cause(cause, sizeof(cause), s, m);
			fprintf(stderr, "mmsim: %llu results differ from the recorded ones; the first: "
				"%s: %u/%u %s recorded %s, replayed %s%s%s (report.md lists the first "
				"%u)\n", (unsigned long long)t->ret_mismatch, src, m->pid, m->tid, call,
				rec, rep, cause[0] ? ": " : "", cause, t->nr_first_mismatch);
		}
	}
	rc |= outdir_write(od, "summary.json", w_summary, summary);  /* last: marks a complete run */
	json_free(summary);
	outdir_destroy(od);
	return rc ? -1 : 0;
}
