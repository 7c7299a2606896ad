/* sim_output.c - the out dir: summary.json (scenario echo, simulated time, events, key
 * metrics; wall-clock figures only under "host"), lock_stat.txt, contention.csv,
 * lock_classes.csv, vmstat.txt, buddyinfo.txt, pagetypeinfo.txt, findings.txt, the
 * sampled series and report.md. Every file is written atomically by stats/outdir. */
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
#include "mm/filemap.h"
#include "mm/hugetlb.h"
#include "mm/mmu_notifier.h"
#include "mm/mempolicy.h"
#include "mm/khugepaged.h"
#include "mm/page_alloc.h"
#include "mm/procfs.h"
#include "mm/swapfile.h"
#include "mm/slab.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "task/replay.h"
#include "task/highalloc_log.h"
#include "task/mismatch.h"
#include "traces/mmt.h"
#include "workloads/workload.h"
#include <sys/stat.h>

static struct json *mempolicy_json(const struct sim *s);
static struct json *pagecache_json(const struct sim *s);
static void write_pagecache_section(FILE *f, const struct sim *s);
static struct json *writeback_json(const struct sim *s);

static struct json *zones_json(const struct sim *s);

#define SUMMARY_SCHEMA_VERSION 1

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

/* The hugetlb event counts: summary.json key, report.md label, field. */
static const struct {
	const char *key, *label;
	size_t off;
} htlb_events[] = {
	{ "faults", "hugetlb faults", offsetof(struct hugetlb_stats, faults) },
	{ "alloc_pool", "pages taken from the free lists", offsetof(struct hugetlb_stats, alloc_pool) },
	{ "alloc_surplus", "surplus pages allocated", offsetof(struct hugetlb_stats, alloc_surplus) },
	{ "alloc_surplus_fail", "surplus allocations refused or failed", offsetof(struct hugetlb_stats, alloc_surplus_fail) },
	{ "cow_copies", "COW copies", offsetof(struct hugetlb_stats, cow_copies) },
	{ "cow_reuse", "COW reuses (only mapper)", offsetof(struct hugetlb_stats, cow_reuse) },
	{ "unmap_ref_private", "pages an owner's COW took back from children", offsetof(struct hugetlb_stats, unmap_ref_private) },
	{ "sigbus", "faults ending in SIGBUS", offsetof(struct hugetlb_stats, sigbus) },
	{ "sigbus_reserved", "... in a VMA holding reservations (the guarantee broken)", offsetof(struct hugetlb_stats, sigbus_reserved) },
	{ "grow_requested", "pool growth requested (pages)", offsetof(struct hugetlb_stats, grow_requested) },
	{ "grow_allocated", "pool growth allocated (pages)", offsetof(struct hugetlb_stats, grow_allocated) },
	{ "fresh_alloc_fail", "order-9 buddy allocations failed", offsetof(struct hugetlb_stats, fresh_alloc_fail) },
	{ "resv_ops", "reservation map operations", offsetof(struct hugetlb_stats, resv_ops) },
	{ "violations", "accounting violations reported (findings)", offsetof(struct hugetlb_stats, invariant_violations) },
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
	json_set_u64(root, "simulated_ns", sim_end_ns(s));

	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += t->ops[i];
	struct json *ev = json_object();
	json_set_u64(ev, "ops", ops);
	json_set(ev, "ops_by_type", ops_json(t->ops));
	json_set(ev, "ops_not_modelled", ops_json(t->not_modelled));
	json_set(ev, "ops_failed", ops_json(t->failed));
	json_set_u64(ev, "ret_mismatch", t->ret_mismatch);
	json_set_u64(ev, "simcalls", es->simcalls);
	json_set_u64(ev, "flushes", es->flushes);
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
	json_set(m, "hugetlb", hj);
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
	struct json *kj = khugepaged_summary_json(s);
	if (kj)
		json_set(m, "khugepaged", kj);
	json_set(root, "metrics", m);
	json_set(root, "findings", findings_json(s->findings));

	/* The only wall-clock figures: everything above is deterministic. */
	struct json *host = json_object();
	json_set_double(host, "wall_seconds", wall_s);
	json_set_double(host, "ops_per_second", wall_s > 0 ? (double)ops / wall_s : 0);
	json_set_double(host, "simcalls_per_second", wall_s > 0 ? (double)es->simcalls / wall_s : 0);
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

/* ---- report.md ---- */

static void fmt_ns(char *buf, size_t len, u64 ns)
{
	if (ns >= NSEC_PER_SEC)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns >= NSEC_PER_MSEC)
		snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
	else if (ns >= NSEC_PER_USEC)
		snprintf(buf, len, "%.3f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

struct lock_line {
	char name[160];
	const struct lock_stat_row *r;
};

static int cmp_lock_line(const void *a, const void *b)
{
	const struct lock_line *x = a, *y = b;
	if (x->r->wait_total != y->r->wait_total)
		return x->r->wait_total > y->r->wait_total ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void write_fragmentation_section(FILE *f, const struct sim *s)
{
	const struct phys_mem *pm = s->phys;
	fprintf(f, "## Fragmentation\n\nAt the end, per zone, at pageblock order (9): the unusable "
		   "free space index and the fragmentation index (x1000, as debugfs extfrag shows "
		   "them; -1000: a free order-9 block exists), pageblocks holding pages of a "
		   "foreign migratetype, and high-order allocation success. Time series: "
		   "`frag.csv`.\n\n");
	fprintf(f, "| zone | free pages | free order-9 units | unusable | fragindex | polluted "
		   "pageblocks | order>=1 success |\n|---|---:|---:|---:|---:|---:|---|\n");
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!z->populated)
				continue;
			struct contig_page_info info;
			fill_contig_page_info(z, pageblock_order, &info);
			fprintf(f, "| node %u %s | %llu | %llu | %d | %d | %llu | ", n, zone_names[zi],
				(unsigned long long)info.free_pages,
				(unsigned long long)info.free_blocks_suitable,
				unusable_free_index(pageblock_order, &info),
				__fragmentation_index(pageblock_order, &info),
				(unsigned long long)zone_polluted_pageblocks(pm, z));
			bool any = false;
			for (unsigned o = 1; o < MAX_ORDER; o++) {
				if (!z->alloc_attempts[o])
					continue;
				fprintf(f, "%sorder %u: %llu/%llu (%.1f%%)", any ? ", " : "", o,
					(unsigned long long)z->alloc_success[o],
					(unsigned long long)z->alloc_attempts[o],
					100.0 * (double)z->alloc_success[o] / (double)z->alloc_attempts[o]);
				any = true;
			}
			fprintf(f, "%s |\n", any ? "" : "-");
		}
	}
	fprintf(f, "\n");
}

/* Reclaim and swap, in /proc/vmstat's words. */
static void write_reclaim_section(FILE *f, const struct sim *s)
{
	const struct vmstat *vs = s->vmstat;
	s64 scanned = global_vm_state(vs, PGSCAN_KSWAPD) + global_vm_state(vs, PGSCAN_DIRECT);
	s64 swapped = global_vm_state(vs, PSWPOUT) + global_vm_state(vs, PSWPIN);
	s64 ooms = global_vm_state(vs, OOM_KILL);
	if (!scanned && !swapped && !ooms)
		return;
	fprintf(f, "## Reclaim and swap\n\n| counter | value |\n|---|---:|\n");
	static const enum vm_item items[] = {
		PGSCAN_KSWAPD, PGSTEAL_KSWAPD, PGSCAN_DIRECT, PGSTEAL_DIRECT, ALLOCSTALL_MOVABLE,
		ALLOCSTALL_NORMAL, PAGEOUTRUN, PGACTIVATE, PGDEACTIVATE, PSWPOUT, PSWPIN,
		PGMAJFAULT, SWAP_RA, SWAP_RA_HIT, OOM_KILL,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(items); i++)
		fprintf(f, "| %s | %lld |\n", vmstat_item_name(items[i]),
			(long long)global_vm_state(vs, items[i]));
	fprintf(f, "\nKilled processes, if any, are listed under Findings. Swap device: %llu of "
		   "%llu pages in use at the end.\n\n",
		(unsigned long long)(swap_total_pages(s->swap) - swap_free_pages(s->swap)),
		(unsigned long long)swap_total_pages(s->swap));
}

/* Transparent huge pages: the thp_* events and what is mapped huge at the end. */
static void write_thp_section(FILE *f, const struct sim *s)
{
	const struct vmstat *vs = s->vmstat;
	static const enum vm_item items[] = {
		THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_FAULT_FALLBACK_CHARGE, THP_ZERO_PAGE_ALLOC,
		THP_ZERO_PAGE_ALLOC_FAILED, THP_SPLIT_PMD, THP_DEFERRED_SPLIT_PAGE, THP_SPLIT_PAGE,
		THP_SPLIT_PAGE_FAILED, THP_SWPOUT, THP_SWPOUT_FALLBACK, THP_MIGRATION_SUCCESS,
		THP_MIGRATION_FAIL, THP_MIGRATION_SPLIT, THP_COLLAPSE_ALLOC, THP_COLLAPSE_ALLOC_FAILED,
	};
	s64 any = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(items); i++)
		any |= global_vm_state(vs, items[i]);
	if (!any)
		return;
	const struct thp_cfg *c = thp_cfg(s);
	static const char *const en[] = { "always", "madvise", "never" };
	static const char *const df[] = { "always", "defer", "defer+madvise", "madvise", "never" };
	fprintf(f, "## Transparent huge pages\n\nAt the end: transparent_hugepage.enabled %s, "
		   "defrag %s; %lld THPs mapped huge (AnonHugePages %lld kB).\n\n"
		   "| counter | value |\n|---|---:|\n", en[c->enabled], df[c->defrag],
		(long long)global_vm_state(vs, NR_ANON_THPS),
		(long long)global_vm_state(vs, NR_ANON_THPS) * 2048);
	for (unsigned i = 0; i < ARRAY_SIZE(items); i++)
		fprintf(f, "| %s | %lld |\n", vmstat_item_name(items[i]),
			(long long)global_vm_state(vs, items[i]));
	fprintf(f, "\n");
}

/* Hugetlb pools and reservations: the /proc/meminfo counters at the end, their range,
 * and what the faults did. */
static void write_hugetlb_section(FILE *f, const struct sim *s)
{
	struct hugetlb_counters c;
	hugetlb_get_counters(s, &c);
	const struct hugetlb_stats *st = hugetlb_get_stats(s);
	if (!c.total && !st->faults && !st->grow_requested && !st->resv_ops)
		return;
	const char *variant = s->scn->variants.hugetlb_private_resv == PRIVATE_RESV_COUNT
				      ? "count, the design before seed 004's fix" : "resv_map";
	fprintf(f, "## Hugetlb\n\nPool of 2 MiB pages (hugetlb.private_resv: %s). At the end, as "
		   "/proc/meminfo shows them:\n\n| HugePages_Total | HugePages_Free | HugePages_Rsvd "
		   "| HugePages_Surp |\n|---:|---:|---:|---:|\n| %llu | %llu | %llu | %llu |\n\n",
		variant, (unsigned long long)c.total, (unsigned long long)c.free,
		(unsigned long long)c.resv, (unsigned long long)c.surplus);
	if (s->phys->nr_nodes > 1) {
		fprintf(f, "| node | Total | Free | Surp |\n|---:|---:|---:|---:|\n");
		for (unsigned n = 0; n < s->phys->nr_nodes; n++)
			fprintf(f, "| %u | %llu | %llu | %llu |\n", n,
				(unsigned long long)c.node_total[n], (unsigned long long)c.node_free[n],
				(unsigned long long)c.node_surplus[n]);
		fprintf(f, "\n");
	}
	fprintf(f, "HugePages_Rsvd read as a signed number ranged from %lld to %lld over the run "
		   "(below 0: the count wrapped; `hugetlb.csv` has the series).\n\n",
		(long long)st->resv_min, (long long)st->resv_max);
	fprintf(f, "| event | count |\n|---|---:|\n");
	for (unsigned i = 0; i < ARRAY_SIZE(htlb_events); i++)
		fprintf(f, "| %s | %llu |\n", htlb_events[i].label, (unsigned long long)htlb_event(st, i));
	fprintf(f, "\n");
}

/* Multi-node machines: where the allocations landed, per node (numastat.txt). */
static void write_numa_section(FILE *f, const struct sim *s)
{
	if (s->topo->nr_nodes < 2)
		return;
	fprintf(f, "## NUMA\n\nPer node, as /sys/devices/system/node/nodeN/numastat shows them at "
		   "the end (`numastat.txt`): pages allocated on the node that was intended (hit) "
		   "or not (miss; foreign counts on the intended node), by interleaving, and for a "
		   "task running on that node (local) or elsewhere (other).\n\n| node |");
	for (unsigned i = 0; i < ARRAY_SIZE(numastat_items); i++)
		fprintf(f, " %s |", numastat_items[i].label);
	fprintf(f, "\n|---:|");
	for (unsigned i = 0; i < ARRAY_SIZE(numastat_items); i++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (unsigned n = 0; n < s->topo->nr_nodes; n++) {
		fprintf(f, "| %u |", n);
		for (unsigned i = 0; i < ARRAY_SIZE(numastat_items); i++)
			fprintf(f, " %lld |",
				(long long)node_page_state(s->vmstat, n, numastat_items[i].item));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
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

/* Page cache: lookups, retries by cause, freezes (only when a lookup ran). */
static void write_pagecache_section(FILE *f, const struct sim *s)
{
	const struct pagecache_stats *pc = pagecache_stats(s);
	if (!pc->lookups)
		return;
	fprintf(f, "## Page cache\n\nLookup: %s. %llu lookups (%llu pages, %llu shadow entries), "
		   "latency p50 %llu ns, p99 %llu ns; %llu walks of %llu levels (%llu ns). Retries: "
		   "%llu frozen or freed, %llu slot changed, %llu retry entries. Reclaim: %llu "
		   "freezes, %llu failed on an extra reference. %llu refcount atomics, %llu of them "
		   "bounced (%llu ns). %llu pages inserted (%llu over a shadow), %llu evicted, %llu "
		   "truncated; XArray nodes %llu allocated, %llu freed, height up to %llu.\n\n",
		s->scn->variants.pagecache_lookup == PAGECACHE_LOOKUP_TREE_LOCK ? "tree_lock"
										: "lockless",
		(unsigned long long)pc->lookups, (unsigned long long)pc->hits,
		(unsigned long long)pc->shadow_hits,
		(unsigned long long)pagecache_lookup_latency(s, 50),
		(unsigned long long)pagecache_lookup_latency(s, 99), (unsigned long long)pc->walks,
		(unsigned long long)pc->walk_levels, (unsigned long long)pc->walk_ns,
		(unsigned long long)pc->retries_frozen, (unsigned long long)pc->retries_slot_changed,
		(unsigned long long)pc->retries_retry_entry, (unsigned long long)pc->freezes,
		(unsigned long long)pc->freeze_failed, (unsigned long long)pc->ref_rmws,
		(unsigned long long)pc->ref_bounces, (unsigned long long)pc->ref_bounce_ns,
		(unsigned long long)pc->inserted, (unsigned long long)pc->shadow_refaults,
		(unsigned long long)pc->removed, (unsigned long long)pc->truncated,
		(unsigned long long)pc->xa_nodes_alloc, (unsigned long long)pc->xa_nodes_free,
		(unsigned long long)pc->max_height);
	const struct mm_all_locks_stats *al = mm_all_locks_stats(s);
	if (!al->calls)
		return;
	fprintf(f, "mm_take_all_locks (MMU notifier registration): %llu calls, %llu i_mmap_rwsem and "
		   "%llu anon_vma locks taken (%llu not taken), %llu ns held in all; queued behind "
		   "them when dropped: %llu on mmap_lock (faults), %llu on i_mmap_rwsem, %llu on "
		   "anon_vma, %llu on mm_all_locks_mutex.\n\n",
		(unsigned long long)al->calls, (unsigned long long)al->i_mmap_locked,
		(unsigned long long)al->anon_vma_locked, (unsigned long long)al->not_taken,
		(unsigned long long)al->hold_ns, (unsigned long long)al->waiters_mmap_lock,
		(unsigned long long)al->waiters_i_mmap, (unsigned long long)al->waiters_anon_vma,
		(unsigned long long)al->waiters_mutex);
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

/* Memory policies: the refcount model's figures (only when a policy was used). */
static void write_mempolicy_section(FILE *f, const struct sim *s)
{
	const struct mpol_stats *st = mempolicy_stats(s);
	if (!st->created)
		return;
	u64 gets = 0, puts = 0;
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++)
		if (p != MPOL_PATH_INSTALL) {
			gets += st->gets[p];
			puts += st->puts[p];
		}
	fprintf(f, "## Memory policies\n\nReference counting: %s, leak paths: %s. %llu policy "
		   "objects created, %llu freed; %llu references taken and %llu dropped in use "
		   "(lookups for allocations and queries), %llu of the refcount RMWs pulled the "
		   "line from another node, %llu ns in them; sp->lock taken %llu times. %llu "
		   "interleaved allocations; %llu pages migrated by mbind/migrate_pages/move_pages "
		   "(%llu failed).\n\n",
		s->scn->variants.mempolicy_refcount == MPOL_REFCOUNT_ALWAYS ? "always" : "conditional",
		s->scn->variants.mempolicy_leak_paths == MPOL_LEAK_PRE_2_6_24 ? "pre_2.6.24" : "fixed",
		(unsigned long long)st->created, (unsigned long long)st->freed,
		(unsigned long long)gets, (unsigned long long)puts, (unsigned long long)st->remote,
		(unsigned long long)st->rmw_ns, (unsigned long long)st->sp_lock_acquisitions,
		(unsigned long long)st->interleave_allocs, (unsigned long long)st->mbind_migrated,
		(unsigned long long)st->mbind_failed);
	fprintf(f, "| path | gets | puts | leaked |\n|---|---:|---:|---:|\n");
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++)
		if (st->gets[p] || st->puts[p] || st->leaked_by_path[p])
			fprintf(f, "| %s | %llu | %llu | %llu |\n", mpol_path_name(p),
				(unsigned long long)st->gets[p], (unsigned long long)st->puts[p],
				(unsigned long long)st->leaked_by_path[p]);
	fprintf(f, "\n");
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

/* The replay's touches in its first lines: how many, the faults they took, SIGSEGV. */
static void write_replay_head(FILE *f, const struct sim *s)
{
	const struct replay_totals *t = sim_totals(s);
	if (!is_trace_replay(s))
		return;
	if (no_touch_warning(s))
		fprintf(f, "**Warning: %s**: the replay maps memory but never touches it, so its "
			   "page faults, Rss and AnonPages are 0.\n\n", NO_TOUCH_WARNING);
	fprintf(f, "Touches replayed: %llu pages, %llu page faults, %llu SIGSEGV/SIGBUS touches "
		   "(outside any mapping or without permission: mappings the recording did not "
		   "see, as execve's).\n\n",
		(unsigned long long)t->touched_pages, (unsigned long long)t->faults,
		(unsigned long long)t->segv);
	if (t->nr_first_mismatch) {
		fprintf(f, "First results that differ from the recorded ones (of %llu):\n\n"
			   "| simulated time | recorded time | source line | pid/tid | call | recorded | "
			   "replayed | cause |\n|---:|---:|---|---|---|---:|---:|---|\n",
			   (unsigned long long)t->ret_mismatch);
		for (u32 i = 0; i < t->nr_first_mismatch; i++) {
			const struct ret_mismatch_row *m = &t->first_mismatch[i];
			char b[32], rt[32], rec[32], rep[32], call[96], src[4200], cause[256];
			fmt_ns(b, sizeof(b), m->sim_ns);
			fmt_ns(rt, sizeof(rt), m->rec_ns);
			fmt_call(call, sizeof(call), m);
			fmt_src(src, sizeof(src), s, m);
			fmt_cause(cause, sizeof(cause), s, m);
			fmt_ret(rec, sizeof(rec), m->recorded);
			fmt_ret(rep, sizeof(rep), m->replayed);
			fprintf(f, "| %s | %s | %s | %u/%u | %s | %s | %s | %s |\n", b, rt, src, m->pid,
				m->tid, call, rec, rep, cause);
		}
		fprintf(f, "\n(source line: the line of the log the trace was imported from, the "
			   "call's first line for strace; ?: the trace does not say, written before "
			   "mmsim kept source lines.)\n\n");
	}
}

static s64 pct_dev(u64 sim, u64 obs)
{
	/* deviation in tenths of a percent of the observed value (0 when both are 0) */
	if (!obs)
		return sim ? 1000 : 0;
	return (s64)((((double)sim - (double)obs) * 1000.0) / (double)obs + ((sim >= obs) ? 0.5 : -0.5));
}

static void write_observed_section(FILE *f, const struct sim *s)
{
	const struct replay_world *w = sim_world(s);
	if (!w->nr_observed)
		return;
	fprintf(f, "## Observed vs simulated\n\nThe real process tree as `mmsim record` sampled "
		   "it (smaps_rollup, minflt+majflt) beside the simulated one at the same point of "
		   "the trace; every sample in `observed.csv`. Deviation = (simulated - observed) / "
		   "observed. The observed side also holds what the trace cannot replay: the "
		   "mappings execve made (program, ld.so, stack) and their faults, file pages mapped "
		   "by fault-around.\n\n");
	fprintf(f, "| sample | recorded at | Rss kB obs / sim | Anonymous kB obs / sim | "
		   "faults obs / sim |\n|---:|---:|---:|---:|---:|\n");
	for (u32 i = 0; i < w->nr_observed; i++) {
		const struct observe_row *r = &w->observed[i];
		if (w->nr_observed > 12 && i >= 6 && i + 6 < w->nr_observed) {
			if (i == 6)
				fprintf(f, "| ... | | | | |\n");
			continue;
		}
		char b[32];
		fmt_ns(b, sizeof(b), r->rec_ns);
		s64 d1 = pct_dev(r->sim_rss_kb, r->obs_rss_kb), d2 = pct_dev(r->sim_anon_kb, r->obs_anon_kb);
		s64 d3 = pct_dev(r->sim_faults, r->obs_faults);
		fprintf(f, "| %u | %s | %llu / %llu (%+lld.%lld%%) | %llu / %llu (%+lld.%lld%%) | "
			   "%llu / %llu (%+lld.%lld%%) |\n", i + 1, b,
			(unsigned long long)r->obs_rss_kb, (unsigned long long)r->sim_rss_kb,
			(long long)(d1 / 10), (long long)llabs(d1 % 10),
			(unsigned long long)r->obs_anon_kb, (unsigned long long)r->sim_anon_kb,
			(long long)(d2 / 10), (long long)llabs(d2 % 10),
			(unsigned long long)r->obs_faults, (unsigned long long)r->sim_faults,
			(long long)(d3 / 10), (long long)llabs(d3 % 10));
	}
	fprintf(f, "\n");
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

static void write_report(FILE *f, void *arg)
{
	struct sim *s = arg;
	const struct scenario *scn = s->scn;
	const struct replay_totals *t = sim_totals(s);
	const struct engine_stats *es = engine_stats(s->eng);
	char b1[32], b2[32], b3[32];

	if (es->stop_reason) {
		fmt_ns(b1, sizeof(b1), es->stopped_at_ns);
		fprintf(f, "# mmsim report (partial: the run was stopped by %s at simulated time %s)"
			   "\n\n", engine_stop_reason_str(es->stop_reason), b1);
	} else {
		fprintf(f, "# mmsim report\n\n");
	}
	fprintf(f, "Scenario `%s`, seed %llu. Machine: %u node(s) x %u CPU(s)", scn->path,
		(unsigned long long)scn->seed, scn->machine.nr_nodes, scn->machine.cpus_per_node);
	u64 mem = 0;
	for (unsigned n = 0; n < scn->machine.nr_nodes; n++)
		mem += scn->machine.node_memory[n];
	fprintf(f, ", %llu MiB of memory", (unsigned long long)(mem >> 20));
	if (scn->machine.swap.size)
		fprintf(f, ", %llu MiB of swap", (unsigned long long)(scn->machine.swap.size >> 20));
	fprintf(f, ".\n\n");
	fmt_ns(b1, sizeof(b1), sim_end_ns(s));
	u64 ops = 0;
	for (unsigned i = 0; i < NR_OP_TYPES; i++)
		ops += t->ops[i];
	fprintf(f, "Simulated time: %s. Threads: %u (%llu finished). Ops: %llu. Page faults: %llu "
		   "(pgfault %llu). Pages touched: %llu.\n\n",
		b1, sim_nr_threads(s), (unsigned long long)t->threads_done, (unsigned long long)ops,
		(unsigned long long)t->faults, (unsigned long long)global_vm_state(s->vmstat, PGFAULT),
		(unsigned long long)t->touched_pages);
	write_replay_head(f, s);
	if (es->deadlocks)
		fprintf(f, "**The run stopped on a deadlock** (see Findings).\n\n");
	if (t->processes > scn->nr_workloads || t->snapshots || t->ret_mismatch) {
		fprintf(f, "Replay: %llu processes (forks included), %llu results differ from the "
			   "recorded ones (usually calls on mappings the program had before the trace "
			   "began), %llu snapshots in `snapshots/`.",
			(unsigned long long)t->processes, (unsigned long long)t->ret_mismatch,
			(unsigned long long)t->snapshots);
		if (t->late_ops) {
			fmt_ns(b2, sizeof(b2), t->lateness_max_ns);
			fmt_ns(b3, sizeof(b3), t->lateness_total_ns / t->late_ops);
			fprintf(f, " Open-loop timing: %llu ops issued late, by %s on average, %s at "
				   "most.", (unsigned long long)t->late_ops, b3, b2);
		}
		fprintf(f, "\n\n");
	}

	write_observed_section(f, s);
	fprintf(f, "## Workloads\n\n| name | type | threads |\n|---|---|---|\n");
	for (unsigned i = 0; i < scn->nr_workloads; i++)
		fprintf(f, "| %s | %s | %u |\n", scn->workloads[i].name, scn->workloads[i].type,
			scn->workloads[i].threads);
	fprintf(f, "\n");

	fprintf(f, "## Lock contention\n\nClasses by total wait (as /proc/lock_stat; full table in "
		   "`lock_stat.txt`, call sites in `contention.csv`).\n\n");
	fprintf(f, "| class | acquisitions | contentions | total wait | max wait | avg wait | "
		   "acq-bounces | cross-node |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	size_t n = lockstat_nr_classes(s->lockstat);
	struct lock_line *lines = xcalloc(2 * n + 1, sizeof(*lines));
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = lockstat_class_name_at(s->lockstat, i);
		for (int rw = 0; rw < 2; rw++) {
			const struct lock_stat_row *r = lockstat_class_row(s->lockstat, name, rw);
			if (!r || !lockstat_row_label(s->lockstat, name, rw, lines[nl].name,
						      sizeof(lines[nl].name)))
				continue;
			lines[nl++].r = r;
		}
	}
	qsort(lines, nl, sizeof(*lines), cmp_lock_line);
	for (size_t i = 0; i < nl && i < 10; i++) {
		const struct lock_stat_row *r = lines[i].r;
		fmt_ns(b1, sizeof(b1), r->wait_total);
		fmt_ns(b2, sizeof(b2), r->wait_max);
		fmt_ns(b3, sizeof(b3), r->contentions ? r->wait_total / r->contentions : 0);
		fprintf(f, "| `%s` | %llu | %llu | %s | %s | %s | %llu | %llu |\n", lines[i].name,
			(unsigned long long)r->acquisitions, (unsigned long long)r->contentions, b1, b2,
			b3, (unsigned long long)r->acq_bounces, (unsigned long long)r->cross_node_bounces);
	}
	free(lines);
	fprintf(f, "\n");

	fprintf(f, "## Memory\n\n| node | present pages | free pages | anon pages |\n|---:|---:|---:|---:|\n");
	for (unsigned nd = 0; nd < s->topo->nr_nodes; nd++)
		fprintf(f, "| %u | %llu | %llu | %llu |\n", nd,
			(unsigned long long)node_present_pages(s->phys, nd),
			(unsigned long long)node_free_pages(s->phys, nd),
			(unsigned long long)node_page_state(s->vmstat, nd, NR_ANON_PAGES));
	fprintf(f, "\nFree blocks per order at the end (/proc/buddyinfo):\n\n```\n");
	write_buddyinfo(s->phys, f);
	fprintf(f, "```\n\n");
	write_numa_section(f, s);
	write_fragmentation_section(f, s);
	write_reclaim_section(f, s);
	write_thp_section(f, s);
	write_hugetlb_section(f, s);
	write_mempolicy_section(f, s);
	write_pagecache_section(f, s);
	khugepaged_write_report(s, f);
	highalloc_write_report(f, s);
	bool any_ap = false;
	for (unsigned o = 0; o < 16; o++)
		any_ap |= t->alloc_pages_ok[o] || t->alloc_pages_fail[o];
	if (any_ap) {
		bool split = false;
		for (unsigned o = 0; o < 16; o++)
			split |= t->alloc_pages_ok_compacted[o] || t->alloc_pages_fail_compacted[o];
		fprintf(f, "Allocations requested by the workloads (`alloc_pages` ops)%s:\n\n",
			split ? ", before and after the threads wrote /proc/sys/vm/compact_memory" : "");
		if (split)
			fprintf(f, "| order | before: succeeded | failed | success rate "
				   "| after: succeeded | failed | success rate |\n"
				   "|---:|---:|---:|---:|---:|---:|---:|\n");
		else
			fprintf(f, "| order | succeeded | failed | success rate |\n|---:|---:|---:|---:|\n");
		for (unsigned o = 0; o < 16; o++) {
			u64 ok = t->alloc_pages_ok[o], ko = t->alloc_pages_fail[o];
			u64 ok2 = t->alloc_pages_ok_compacted[o], ko2 = t->alloc_pages_fail_compacted[o];
			if (!ok && !ko)
				continue;
			if (!split) {
				fprintf(f, "| %u | %llu | %llu | %.1f%% |\n", o, (unsigned long long)ok,
					(unsigned long long)ko, 100.0 * (double)ok / (double)(ok + ko));
				continue;
			}
			u64 ok1 = ok - ok2, ko1 = ko - ko2;
			fprintf(f, "| %u | %llu | %llu | ", o, (unsigned long long)ok1,
				(unsigned long long)ko1);
			if (ok1 + ko1)
				fprintf(f, "%.1f%% | ", 100.0 * (double)ok1 / (double)(ok1 + ko1));
			else
				fprintf(f, "- | ");
			fprintf(f, "%llu | %llu | ", (unsigned long long)ok2, (unsigned long long)ko2);
			if (ok2 + ko2)
				fprintf(f, "%.1f%% |\n", 100.0 * (double)ok2 / (double)(ok2 + ko2));
			else
				fprintf(f, "- |\n");
		}
		fprintf(f, "\n");
	}

	bool any = false;
	for (unsigned ty = 1; ty < NR_OP_TYPES; ty++)
		any |= t->not_modelled[ty] != 0;
	if (any) {
		fprintf(f, "## Ops not modelled yet\n\nThese ops were skipped (counted, not simulated):\n\n");
		for (unsigned ty = 1; ty < NR_OP_TYPES; ty++)
			if (t->not_modelled[ty])
				fprintf(f, "- %s: %llu\n", op_type_name(ty),
					(unsigned long long)t->not_modelled[ty]);
		fprintf(f, "\n");
	}

	fprintf(f, "## Findings\n\n");
	if (!findings_total(s->findings)) {
		fprintf(f, "None.\n");
	} else {
		fprintf(f, "```\n");
		findings_write(s->findings, f);
		fprintf(f, "```\n");
	}
}

/* ---- the files ---- */

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
	rc |= outdir_write(od, "report.md", write_report, s);
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
