// LINK: mmsim_mm
/* test_filemap.c - the page cache's XArray (height from the largest index, node
 * allocation/free, shrink, shadow entries, find) and the seed 002 interleavings of a
 * lockless lookup L (find, try-get, recheck) with a remover R (freeze, delete, free), made
 * deterministic by starting L and R at chosen times: R inside L's find/try-get window or
 * after it (reference/pagecache-locks.md §2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lockstat.h"
#include "mm/filemap.h"
#include "mm/readahead.h"
#include "mm/workingset.h"
#include "mm/gfp.h"
#include "mm/mempolicy.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"
#include "mm/vmstat.h"
#include "mm/xarray.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)

/* ---- the tree alone ---- */

static unsigned nodes_alloc, nodes_free;
static void h_alloc(void *arg, struct task *tsk, struct xa_node *n)
{
	(void)arg;
	(void)tsk;
	(void)n;
	nodes_alloc++;
}
static void h_free(void *arg, struct task *tsk, struct xa_node *n)
{
	(void)arg;
	(void)tsk;
	(void)n;
	nodes_free++;
}
static const struct xa_node_hooks hooks = { h_alloc, h_free };

static void test_xarray_shape(void)
{
	struct xarray xa;
	struct xa_walk w;
	nodes_alloc = nodes_free = 0;
	xa_init(&xa, &hooks, NULL);
	CHECK_EQ_U64(xa_height_for(0), 0);
	CHECK_EQ_U64(xa_height_for(63), 1);
	CHECK_EQ_U64(xa_height_for(64), 2);
	CHECK_EQ_U64(xa_height_for(4095), 2);
	CHECK_EQ_U64(xa_height_for(4096), 3);
	CHECK_EQ_U64(xa_height_for(UINT64_MAX), 11);
	/* index 0 alone sits in the head: height 0, no node */
	CHECK_EQ_U64(xa_store(&xa, 0, xa_mk_pfn(7), 1), 0);
	CHECK_EQ_U64(xa.height, 0);
	CHECK_EQ_U64(xa.nr_nodes, 0);
	CHECK_EQ_U64(xa_load(&xa, 0, &w), xa_mk_pfn(7));
	CHECK_EQ_U64(w.levels, 0);
	/* index 100: height 2, a root and two leaves (index 0's and index 100's) */
	xa_store(&xa, 100, xa_mk_pfn(9), 2);
	CHECK_EQ_U64(xa.height, 2);
	CHECK_EQ_U64(xa.nr_nodes, 3);
	CHECK_EQ_U64(nodes_alloc, 3);
	CHECK_EQ_U64(xa_load(&xa, 100, &w), xa_mk_pfn(9));
	CHECK_EQ_U64(w.levels, 2);
	CHECK_EQ_U64(w.nid[0], 2);
	CHECK_EQ_U64(xa_load(&xa, 0, &w), xa_mk_pfn(7));
	CHECK_EQ_U64(w.nid[0], 2);    /* the root came with the index-100 store */
	CHECK_EQ_U64(w.nid[1], 2);    /* index 0's leaf: made when the head entry moved down */
	CHECK_EQ_U64(xa_load(&xa, 101, NULL), 0);
	CHECK_EQ_U64(xa_load(&xa, 1 << 20, NULL), 0);
	/* a shadow value entry */
	xa_store(&xa, 5, xa_mk_value(42), 0);
	CHECK(xa_is_value(xa_load(&xa, 5, NULL)));
	CHECK_EQ_U64(xa_to_value(xa_load(&xa, 5, NULL)), 42);
	CHECK_EQ_U64(xa.nr_pages, 2);
	CHECK_EQ_U64(xa.nr_values, 1);
	u64 i = 1;
	CHECK_EQ_U64(xa_find(&xa, &i), xa_mk_value(42));
	CHECK_EQ_U64(i, 5);
	i = 6;
	CHECK_EQ_U64(xa_find(&xa, &i), xa_mk_pfn(9));
	CHECK_EQ_U64(i, 100);
	i = 101;
	CHECK_EQ_U64(xa_find(&xa, &i), 0);
	/* erasing index 100 frees its leaf and shrinks to height 1 (the root goes too) */
	CHECK_EQ_U64(xa_store(&xa, 100, 0, 0), xa_mk_pfn(9));
	CHECK_EQ_U64(xa.height, 1);
	CHECK_EQ_U64(xa.nr_nodes, 1);
	CHECK_EQ_U64(nodes_free, 2);
	/* then index 5 and index 0: back to an empty head */
	xa_store(&xa, 5, 0, 0);
	CHECK_EQ_U64(xa.height, 0);
	CHECK_EQ_U64(xa.head_entry, xa_mk_pfn(7));
	xa_store(&xa, 0, 0, 0);
	CHECK_EQ_U64(xa.nr_nodes, 0);
	CHECK_EQ_U64(nodes_free, 3);
	xa_store(&xa, 1ULL << 40, xa_mk_pfn(1), 0);
	CHECK_EQ_U64(xa.height, 7);
	CHECK_EQ_U64(xa.nr_nodes, 7);
	xa_destroy(&xa);
	CHECK_EQ_U64(nodes_free, 10);
}

/* ---- the lookup protocol against a remover ---- */

static struct scenario scn;
static struct sim sim;
static struct inode *file;
static u64 pfn0;                 /* the cached page of index 5 */
static u64 t_lookup;             /* L starts here */
static u64 r_delay;              /* R starts this long after L */
static u64 l_entry;              /* what L's lookup returned */
static u64 l_refcount;           /* the page's count right after L's lookup */
static bool r_removed;
static u64 r_new_pfn;
enum r_kind { R_RECLAIM, R_RECLAIM_REINSERT, R_RECLAIM_REUSE };
static enum r_kind r_kind;

#define INDEX 100             /* a tree of height 2 */

static void start(unsigned lookup)
{
	memset(&scn, 0, sizeof(scn));
	memset(&sim, 0, sizeof(sim));
	scn.seed = 1;
	scn.machine.nr_nodes = 2;
	scn.machine.cpus_per_node = 2;        /* CPUs 0, 1 on node 0 */
	scn.machine.memory_per_node = 16 * MIB;
	for (unsigned a = 0; a < 2; a++) {
		scn.machine.node_memory[a] = 16 * MIB;
		for (unsigned b = 0; b < 2; b++)
			scn.machine.distance[a][b] = (u8)(a == b ? 10 : 40);
	}
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.costs.atomic_local_ns = 5;
	scn.costs.cacheline_bounce_ns = 50;
	scn.costs.local_access_ns = 80;
	scn.costs.xa_node_miss_ns = 100;
	scn.variants.pagecache_lookup = lookup;
	sim.scn = &scn;
	sim.check = true;
	simcore_create(&sim, &scn, 2);
	sim.rmap = rmap_create(&sim);
	lru_create(&sim);
	swap_create(&sim);
	vmscan_create(&sim);
	sim.files = file_table_create(&sim);
	readahead_create(&sim);   /* the shadow entries: workingset state (pcio) */
	workingset_create(&sim);
	mempolicy_create(&sim);
}

static void teardown(void)
{
	file_table_destroy(sim.files);
	workingset_destroy(sim.workingset);
	sim.workingset = NULL;
	readahead_destroy(sim.readahead);
	sim.readahead = NULL;
	mempolicy_destroy(&sim);
	lru_destroy(sim.lru);
	vmscan_destroy(sim.vmscan);
	swap_destroy(sim.swap);
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
}

/* Setup (CPU 0, t=0): the file with one page at index 100 (a tree of height 2: a local
 * walk costs 200 ns, one from node 1 800 ns). */
static void setup_body(struct task *tsk)
{
	bool created;
	file = file_open_path(tsk->sim, "/hot");
	pfn0 = filemap_get_page(tsk, file, INDEX, &created);
	lru_add_drain(tsk);
}

/* L (CPU 0): one lookup, then it keeps the reference 10 us and drops it. */
static void lookup_body(struct task *tsk)
{
	flush(tsk);                     /* be at the start time (spawned tasks begin ahead) */
	l_entry = filemap_get_entry(tsk, file, INDEX);
	if (xa_is_pfn(l_entry)) {
		l_refcount = pfn_to_page(tsk->sim->phys, xa_to_pfn(l_entry))->refcount;
		task_sleep(tsk, 10000);
		folio_put(tsk, xa_to_pfn(l_entry));
	}
}

/* R (CPU 1): reclaim's isolation reference, __remove_mapping, the free; then maybe a
 * new page at the same index, or the freed page allocated for something else. */
static void remover_body(struct task *tsk)
{
	flush(tsk);
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn0);
	pg->refcount++;                               /* isolated */
	r_removed = filemap_remove_page(tsk, pfn0, 1);
	put_user_page(tsk, pfn0);   /* the isolation's: frees it if removed (count frozen at 0) */
	if (r_kind == R_RECLAIM_REINSERT) {
		bool created;
		r_new_pfn = filemap_get_page(tsk, file, INDEX, &created);
	} else if (r_kind == R_RECLAIM_REUSE) {
		r_new_pfn = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0);
	}
}

static const struct pagecache_stats *run_race(unsigned lookup, enum r_kind kind, u64 delay,
					      unsigned l_cpu)
{
	start(lookup);
	r_kind = kind;
	r_delay = delay;
	r_removed = false;
	l_entry = l_refcount = r_new_pfn = 0;
	t_lookup = 1000000;
	engine_spawn(sim.eng, "setup", 0, false, 0, setup_body, NULL, NULL);
	engine_run(sim.eng, 0);
	engine_spawn(sim.eng, "lookup", l_cpu, false, t_lookup, lookup_body, NULL, NULL);
	engine_spawn(sim.eng, "remover", 1, false, t_lookup + delay, remover_body, NULL, NULL);
	engine_run(sim.eng, 0);
	return pagecache_stats(&sim);
}

/* 2 before A: R comes after L's try-get; its freeze fails, the page stays. */
static void test_get_before_freeze(void)
{
	const struct pagecache_stats *pc = run_race(PAGECACHE_LOOKUP_LOCKLESS, R_RECLAIM, 300, 0);
	CHECK_EQ_U64(sim.cost->xa_miss_ns[0][0], 100);      /* the window: two levels */
	CHECK_EQ_U64(sim.cost->xa_miss_ns[1][0], 400);
	CHECK_EQ_U64(l_entry, xa_mk_pfn(pfn0));
	CHECK_EQ_U64(l_refcount, 2);                          /* cache + L */
	CHECK(!r_removed);
	CHECK_EQ_U64(pc->lookups, 2);                         /* setup's + L's */
	CHECK_EQ_U64(pc->hits, 1);
	CHECK_EQ_U64(pc->retries_frozen, 0);
	CHECK_EQ_U64(pc->retries_slot_changed, 0);
	CHECK_EQ_U64(pc->freezes, 0);
	CHECK_EQ_U64(pc->freeze_failed, 1);
	CHECK_EQ_U64(find_get_page(file, INDEX), pfn0);
	CHECK_EQ_U64(pfn_to_page(sim.phys, pfn0)->refcount, 1);   /* the cache's, at the end */
	CHECK_EQ_U64(file->nr_pages, 1);
	/* refcount line: setup's put (CPU 0), L's get (CPU 0, local: 5 ns), R's failed
	 * cmpxchg (CPU 1: bounce 50 ns), L's put (back to CPU 0: bounce 50 ns) */
	CHECK_EQ_U64(pc->ref_rmws, 4);
	CHECK_EQ_U64(pc->ref_bounces, 2);
	CHECK_EQ_U64(pc->ref_bounce_ns, 100);
	/* L: walk 200 ns + try-get 5 ns */
	CHECK_EQ_U64(pagecache_lookup_latency(&sim, 100), 205);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* A before 2: R freezes, deletes (a shadow stays) and frees inside L's window; L's try-get
 * sees zero, retries, and finds the shadow: no page. */
static void test_freeze_before_get(void)
{
	const struct pagecache_stats *pc = run_race(PAGECACHE_LOOKUP_LOCKLESS, R_RECLAIM, 20, 0);
	CHECK(r_removed);
	CHECK(xa_is_value(l_entry));
	CHECK_EQ_U64(pc->hits, 0);
	CHECK_EQ_U64(pc->shadow_hits, 1);
	CHECK_EQ_U64(pc->retries_frozen, 1);
	CHECK_EQ_U64(pc->retries_slot_changed, 0);
	CHECK_EQ_U64(pc->freezes, 1);
	CHECK_EQ_U64(pc->freeze_failed, 0);
	CHECK_EQ_U64(pc->shadows_stored, 1);
	CHECK_EQ_U64(find_get_page(file, INDEX), PFN_NONE);
	CHECK_EQ_U64(pfn_to_page(sim.phys, pfn0)->refcount, 0);   /* free */
	CHECK_EQ_U64(file->nr_pages, 0);
	/* L: walk 200, the failed try-get reads the line R wrote on CPU 1 (bounce 50), walk
	 * 200 */
	CHECK_EQ_U64(pagecache_lookup_latency(&sim, 100), 450);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* L on node 1 (CPU 2): its window is a remote walk, 800 ns, long enough for R's removal and
 * refill. Removed, freed and a new page inserted at the index inside L's window: the new page is
 * the same pfn (the PCP list hands the freed page back), so L's try-get succeeds on it and
 * the recheck passes (the ABA case: harmless). */
static void test_reinserted_same_index(void)
{
	const struct pagecache_stats *pc = run_race(PAGECACHE_LOOKUP_LOCKLESS, R_RECLAIM_REINSERT, 20, 2);
	CHECK(r_removed);
	CHECK_EQ_U64(r_new_pfn, pfn0);
	CHECK_EQ_U64(l_entry, xa_mk_pfn(pfn0));
	CHECK_EQ_U64(l_refcount, 2);
	CHECK_EQ_U64(pc->retries_frozen, 0);
	CHECK_EQ_U64(pc->retries_slot_changed, 0);
	CHECK_EQ_U64(pc->shadow_refaults, 1);
	CHECK_EQ_U64(pc->inserted, 2);
	CHECK_EQ_U64(pc->lookups, 3);                         /* setup, R's refill, L */
	CHECK_EQ_U64(pc->hits, 1);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* Removed, freed and reused for something else inside L's window: the try-get lands on
 * the new owner's page, the recheck fails, L puts it back (the owner's count is intact)
 * and retries to the shadow. */
static void test_reused_elsewhere(void)
{
	const struct pagecache_stats *pc = run_race(PAGECACHE_LOOKUP_LOCKLESS, R_RECLAIM_REUSE, 20, 2);
	CHECK(r_removed);
	CHECK_EQ_U64(r_new_pfn, pfn0);
	CHECK(xa_is_value(l_entry));
	CHECK_EQ_U64(pc->retries_frozen, 0);
	CHECK_EQ_U64(pc->retries_slot_changed, 1);
	CHECK_EQ_U64(pfn_to_page(sim.phys, pfn0)->refcount, 1);   /* the new owner's */
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* The same race under tree_lock: R's write_lock waits for L's read side, which holds
 * the page by then: the freeze fails; L never retries. */
static void test_tree_lock_no_window(void)
{
	const struct pagecache_stats *pc = run_race(PAGECACHE_LOOKUP_TREE_LOCK, R_RECLAIM, 50, 0);
	CHECK_EQ_U64(l_entry, xa_mk_pfn(pfn0));
	CHECK(!r_removed);
	CHECK_EQ_U64(pc->retries_frozen + pc->retries_slot_changed, 0);
	CHECK_EQ_U64(pc->freeze_failed, 1);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	teardown();
}

/* The --check assertion fires when the page found is not the one cached there (here: its
 * owner record says another index, as a page reused by another file would). */
static void tamper_body(struct task *tsk)
{
	rmap_set_owner(tsk->sim, pfn0, OWNER_FILE, file->id, INDEX + 1);
	u64 e = filemap_get_entry(tsk, file, INDEX);
	if (xa_is_pfn(e))
		folio_put(tsk, xa_to_pfn(e));
}

static void test_check_catches_wrong_page(void)
{
	start(PAGECACHE_LOOKUP_LOCKLESS);
	engine_spawn(sim.eng, "setup", 0, false, 0, setup_body, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(findings_total(sim.findings), 0);
	engine_spawn(sim.eng, "tamper", 0, false, 0, tamper_body, NULL, NULL);
	engine_run(sim.eng, 0);
	CHECK_EQ_U64(findings_count(sim.findings, FINDING_INVARIANT), 1);
	teardown();
}

int main(void)
{
	test_xarray_shape();
	SIMTEST(test_get_before_freeze);
	SIMTEST(test_freeze_before_get);
	SIMTEST(test_reinserted_same_index);
	SIMTEST(test_reused_elsewhere);
	SIMTEST(test_tree_lock_no_window);
	SIMTEST(test_check_catches_wrong_page);
	return check_summary();
}
