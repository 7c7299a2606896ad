// LINK: mmsim_mm
/* test_compaction.c - compaction against hand-worked cases on a 16 MiB node (4096 pages,
 * 8 pageblocks): compaction_suitable and its special cases, deferral arithmetic,
 * compact_memory moving exactly the pages of the low pageblocks into the free pages of
 * the high ones, direct compaction on the allocation path, a pinned page, kcompactd woken
 * by a failed GFP_NOWAIT allocation, and proactive compaction. The pages are order-0
 * movable blocks owned through rmap_set_external, as the replay's ALLOC_PAGES handles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "locks/lockstat.h"
#include "mm/compaction.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)
#define NPAGES 4096

static struct scenario scn;
static struct sim sim;

/* The test's "handles": page i of the owner lives at held[i] (PFN_NONE: not held). */
static u64 held[NPAGES];
static u64 pinned_id = UINT64_MAX;   /* this handle refuses to move */

static int test_migrate(void *arg, struct task *tsk, u32 id, u64 index, u64 old_pfn, u64 new_pfn)
{
	(void)arg;
	(void)tsk;
	(void)id;
	if (index == pinned_id)
		return -MM_EAGAIN;
	if (index >= NPAGES || held[index] != old_pfn)
		return -MM_EAGAIN;
	held[index] = new_pfn;
	return 0;
}

static void setup(unsigned proactiveness)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 2;
	scn.machine.memory_per_node = 16 * MIB;
	scn.machine.node_memory[0] = 16 * MIB;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.vm.extfrag_threshold = 500;
	scn.kernel.vm.compaction_proactiveness = proactiveness;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.costs.page_alloc_ns = 10;
	scn.costs.local_access_ns = 80;
	scn.costs.copy_4k_ns = 350;
	scn.costs.atomic_local_ns = 20;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	sim.rmap = rmap_create(&sim);
	rmap_set_external(sim.rmap, test_migrate, NULL);
	lru_create(&sim);
	compaction_create(&sim);
	for (unsigned i = 0; i < NPAGES; i++)
		held[i] = PFN_NONE;
	pinned_id = UINT64_MAX;
}

static void teardown(void)
{
	compaction_destroy(sim.compaction);
	lru_destroy(sim.lru);
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
}

static struct zone *zone0(void)
{
	return &sim.phys->node_data[0]->node_zones[ZONE_NORMAL];
}

static s64 vm(enum vm_item i)
{
	return global_vm_state(sim.vmstat, i);
}

static const char *buddy_row(const struct zone *z)
{
	static char buf[128];
	size_t len = 0;
	for (unsigned o = 0; o < MAX_ORDER; o++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%llu", o ? " " : "",
				(unsigned long long)z->free_area[o].nr_free);
	return buf;
}

static void check_invariants(void)
{
	char msg[256] = "";
	int rc = check_phys_mem(sim.phys, true, msg, sizeof(msg));
	CHECK_EQ_S64(rc, 0);
	if (rc)
		fprintf(stderr, "  invariant: %s\n", msg);
}

/* Allocate movable order-0 pages until the allocator refuses (GFP_ATOMIC reaches below
 * min), keeping them by pfn; then keep only the pages keep(pfn) says, freeing the rest,
 * and drain the pcp lists. Returns the pages kept. */
static u64 fragment(struct task *tsk, bool (*keep)(u64 pfn))
{
	for (;;) {
		u64 pfn = alloc_pages_node(tsk, 0, GFP_ATOMIC | __GFP_MOVABLE, 0);
		if (pfn == PFN_NONE)
			break;
		held[pfn] = pfn;
	}
	u64 kept = 0;
	for (u64 pfn = 0; pfn < NPAGES; pfn++) {
		if (held[pfn] == PFN_NONE)
			continue;
		if (keep(pfn)) {
			rmap_set_owner(&sim, pfn, OWNER_EXTERNAL, 0, pfn);
			pfn_to_page(sim.phys, pfn)->flags |= PG_movable;
			kept++;
		} else {
			__free_pages(tsk, pfn, 0);
			held[pfn] = PFN_NONE;
		}
	}
	drain_all_pages(tsk, NULL);
	return kept;
}

/* Pages held in pageblock b. */
static unsigned held_in_block(unsigned b)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NPAGES; i++)
		if (held[i] != PFN_NONE && held[i] >> pageblock_order == b)
			n++;
	return n;
}

/* Keep pfns 0,1 of every 4: the freed pairs 2,3 merge into order-1 blocks. (Not every
 * other page: the free scanner's stride doubles over blocks that yield nothing, as the
 * kernel's does, and a stride of 2 from an even pfn would never see an odd free page.) */
static bool half_everywhere(u64 pfn)
{
	return (pfn & 3) < 2;
}

/* Pageblocks 0-3 as above; 4-7 keep their first halves, so their free halves are
 * order-8 blocks: no free order-9 block anywhere, and targets the free lists show. */
static bool half_low_runs_high(u64 pfn)
{
	return pfn < 2048 ? (pfn & 3) < 2 : (pfn & 511) < 256;
}

/* ---- compaction_suitable and the deferral arithmetic ---- */

static void suitable_body(struct task *tsk)
{
	struct zone *z = zone0();
	/* all free in order-10 blocks: the order-9 watermark is met already */
	CHECK_EQ_U64(compaction_suitable(&sim, z, 9, ALLOC_WMARK_MIN, ZONE_NORMAL), COMPACT_SUCCESS);
	CHECK_EQ_U64(compaction_suitable(&sim, z, -1, ALLOC_WMARK_MIN, ZONE_NORMAL), COMPACT_CONTINUE);

	/* half of every pageblock held: ~2048 free pages in order-1 blocks, none of order
	 * 9: fragindex(9) = 1000 - (1000 + free*1000/512) / blocks ~ 992 > 500 */
	u64 kept = fragment(tsk, half_everywhere);
	CHECK(kept > 1900);
	CHECK(fragmentation_index(z, 9) > 900);
	CHECK_EQ_U64(compaction_suitable(&sim, z, 9, ALLOC_WMARK_MIN, ZONE_NORMAL), COMPACT_CONTINUE);
	/* with extfrag_threshold 1000 every index <= 1000 means "lack of memory" */
	scn.kernel.vm.extfrag_threshold = 1000;
	CHECK_EQ_U64(compaction_suitable(&sim, z, 9, ALLOC_WMARK_MIN, ZONE_NORMAL), COMPACT_SKIPPED);
	scn.kernel.vm.extfrag_threshold = 500;
	/* order 10 needs low (160) + compact_gap (2 << 10 = 2048) free pages: fewer exist */
	CHECK(z->free_pages < 160 + 2048);
	CHECK_EQ_U64(compaction_suitable(&sim, z, 10, ALLOC_WMARK_MIN, ZONE_NORMAL), COMPACT_SKIPPED);
	check_invariants();
}

static void test_compaction_suitable_cases(void)
{
	setup(0);
	engine_spawn(sim.eng, "test", 0, false, 0, suitable_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

static void test_deferral_arithmetic(void)
{
	struct zone z;
	memset(&z, 0, sizeof(z));
	/* a fresh zone (compact_order_failed 0, shift 0): nothing is deferred */
	CHECK(!compaction_deferred(&z, 9));
	CHECK_EQ_U64(z.compact_considered, 1);
	defer_compaction(&z, 9);   /* shift 1: skip one attempt in 2 */
	CHECK_EQ_U64(z.compact_defer_shift, 1);
	CHECK_EQ_S64(z.compact_order_failed, 0);   /* min(0, 9): every order is deferred */
	CHECK(compaction_deferred(&z, 9));
	CHECK(!compaction_deferred(&z, 9));
	CHECK(!compaction_deferred(&z, 3));   /* limit reached: stays at 2 */
	CHECK_EQ_U64(z.compact_considered, 2);
	for (int i = 0; i < 8; i++)
		defer_compaction(&z, 9);
	CHECK_EQ_U64(z.compact_defer_shift, COMPACT_MAX_DEFER_SHIFT);
	unsigned skipped = 0;
	while (compaction_deferred(&z, 9))
		skipped++;
	CHECK_EQ_U64(skipped, 63);   /* 1 << 6 considered, the 64th goes ahead */
	CHECK(compaction_restarting(&z, 9));
	/* success at order 9: failures below 10 are forgotten, and the backoff resets */
	compaction_defer_reset(&z, 9, true);
	CHECK_EQ_S64(z.compact_order_failed, 10);
	CHECK_EQ_U64(z.compact_defer_shift, 0);
	CHECK(!compaction_deferred(&z, 9));
	CHECK(!compaction_restarting(&z, 9));
}

/* ---- compact_memory ---- */

static void compact_memory_body(struct task *tsk)
{
	struct zone *z = zone0();
	u64 kept = fragment(tsk, half_everywhere);
	/* Allocation went upward; the 48 pages the allocator kept back (GFP_ATOMIC stops
	 * below min) are an order-4 and an order-5 block at the top of pageblock 7. */
	CHECK_EQ_U64(kept, 2024);
	for (unsigned b = 0; b < 8; b++)
		CHECK_EQ_U64(held_in_block(b), b == 7 ? 232 : 256);
	CHECK_EQ_STR(buddy_row(z), "0 1012 0 0 1 1 0 0 0 0 0");
	check_invariants();

	compact_nodes(tsk, -1);
	drain_all_pages(tsk, NULL);
	/* The migrate scanner takes pageblocks 0, 1, 2, 3 (1024 pages); the free scanner
	 * walks down from 7 and finds 280 free pages there, then 256 in each of 6, 5, 4.
	 * The 1024 pages fill 7, 6, 5 and 232 of the 256 of 4; the scanners then meet. */
	for (unsigned b = 0; b < 4; b++)
		CHECK_EQ_U64(held_in_block(b), 0);
	CHECK_EQ_U64(held_in_block(4), 256 + 232);
	for (unsigned b = 5; b < 8; b++)
		CHECK_EQ_U64(held_in_block(b), 512);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 1024);
	CHECK_EQ_S64(vm(PGMIGRATE_FAIL), 0);
	/* isolated: 1024 to migrate, 1048 free pages as targets (24 given back unused) */
	CHECK_EQ_S64(vm(COMPACTISOLATED), 1024 + 1048);
	/* pageblocks 0-3 are two order-10 blocks; 12 free pairs remain in pageblock 4 */
	CHECK_EQ_STR(buddy_row(z), "0 12 0 0 0 0 0 0 0 0 2");
	CHECK_EQ_U64(z->free_pages, NPAGES - 2024);
	/* compact_memory is not direct compaction: no stall counted */
	CHECK_EQ_S64(vm(COMPACTSTALL), 0);
	check_invariants();
	for (unsigned i = 0; i < NPAGES; i++)
		if (held[i] != PFN_NONE) {
			rmap_clear_owner(&sim, held[i]);
			__free_pages(tsk, held[i], 0);
		}
	drain_all_pages(tsk, NULL);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 4");
	check_invariants();
}

static void test_compact_memory_moves_low_blocks_into_high_ones(void)
{
	setup(0);
	engine_spawn(sim.eng, "test", 0, false, 0, compact_memory_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* One page of pageblock 0 refuses to move (as a pinned page): ten passes, then it is
 * put back, and pageblock 0 cannot become free. */
static void pinned_body(struct task *tsk)
{
	struct zone *z = zone0();
	fragment(tsk, half_everywhere);
	pinned_id = 0;
	compact_nodes(tsk, -1);
	drain_all_pages(tsk, NULL);
	CHECK_EQ_U64(held[0], 0);
	CHECK_EQ_U64(held_in_block(0), 1);
	CHECK_EQ_S64(vm(PGMIGRATE_FAIL), 1);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 1023);
	CHECK(!(pfn_to_page(sim.phys, 0)->flags & PG_isolated));
	CHECK_EQ_U64(pfn_to_page(sim.phys, 0)->refcount, 1);
	/* pageblock 0 minus pfn 0 is one free block of each order 0..8; pageblock 1 cannot
	 * merge with it (order 9); 2-3 are an order-10 block; 25 targets of pageblock 4
	 * were not needed (1023 pages moved into 1048): 12 free pairs and a single page */
	CHECK_EQ_STR(buddy_row(z), "2 13 1 1 1 1 1 1 1 1 1");
	CHECK_EQ_U64(z->free_pages, NPAGES - 2024);
	check_invariants();
}

static void test_pinned_page_stays_and_counts_as_failed(void)
{
	setup(0);
	engine_spawn(sim.eng, "test", 0, false, 0, pinned_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- direct compaction ---- */

static void direct_body(struct task *tsk)
{
	struct zone *z = zone0();
	fragment(tsk, half_low_runs_high);
	for (unsigned b = 0; b < 7; b++)
		CHECK_EQ_U64(held_in_block(b), 256);
	CHECK_EQ_U64(z->free_area[9].nr_free + z->free_area[10].nr_free, 0);
	/* costly order: async direct compaction first; the migrate scanner empties
	 * pageblock 0 into the free pages of the top pageblocks, the pcp drain on leaving
	 * it merges the block, and the allocation retried on the free lists gets it */
	u64 pfn = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL, 9);
	CHECK_EQ_U64(pfn, 0);
	CHECK_EQ_S64(vm(COMPACTSTALL), 1);
	CHECK_EQ_S64(vm(COMPACTSUCCESS), 1);
	CHECK_EQ_S64(vm(COMPACTFAIL), 0);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 256);
	CHECK_EQ_U64(held_in_block(0), 0);
	/* success resets the deferral and raises compact_order_failed past 9 */
	CHECK_EQ_S64(z->compact_order_failed, 10);
	CHECK_EQ_U64(z->compact_defer_shift, 0);
	/* the async run left its cursor where it stopped, for the next one */
	CHECK_EQ_U64(z->compact_cached_migrate_pfn[0], 512);
	if (pfn != PFN_NONE)
		__free_pages(tsk, pfn, 9);
	check_invariants();
}

static void test_direct_compaction_on_the_allocation_path(void)
{
	setup(0);
	engine_spawn(sim.eng, "test", 0, false, 0, direct_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- kcompactd ---- */

/* A GFP_NOWAIT order-9 request fails (no direct compaction) and wakes kcompactd, which
 * compacts in the background until an order-9 block is free. */
static void kcompactd_wake_body(struct task *tsk)
{
	struct zone *z = zone0();
	fragment(tsk, half_low_runs_high);
	u64 pfn = alloc_pages_node(tsk, 0, GFP_NOWAIT | __GFP_MOVABLE, 9);
	CHECK_EQ_U64(pfn, PFN_NONE);
	CHECK_EQ_S64(vm(COMPACTSTALL), 0);
	task_sleep(tsk, 10 * NSEC_PER_MSEC);
	CHECK_EQ_S64(vm(KCOMPACTD_WAKE), 1);
	CHECK(vm(KCOMPACTD_MIGRATE_SCANNED) > 0);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 256);
	CHECK(z->free_area[9].nr_free >= 1);
	pfn = alloc_pages_node(tsk, 0, GFP_NOWAIT | __GFP_MOVABLE, 9);
	CHECK_EQ_U64(pfn, 0);
	if (pfn != PFN_NONE)
		__free_pages(tsk, pfn, 9);
}

static void test_kcompactd_woken_by_failed_nowait_allocation(void)
{
	setup(0);
	engine_spawn(sim.eng, "test", 1, false, 0, kcompactd_wake_body, NULL, NULL);
	compaction_start_kthreads(sim.compaction);
	engine_run(sim.eng, 0);
	check_invariants();
	teardown();
}

/* Proactive compaction: every 500 ms kcompactd compares the node's score (percent of
 * free memory unusable for order 9) with 100 - proactiveness + 10, and compacts until
 * the zone's score is at most 100 - proactiveness. */
static unsigned score_before;

static void proactive_body(struct task *tsk)
{
	struct zone *z = zone0();
	fragment(tsk, half_low_runs_high);
	score_before = fragmentation_score_zone(z);
	CHECK_EQ_U64(score_before, 100);
	CHECK_EQ_U64(fragmentation_score_wmark(20, true), 80);
	CHECK_EQ_U64(fragmentation_score_wmark(20, false), 90);
	CHECK_EQ_U64(fragmentation_score_wmark(100, true), 5);
	task_sleep(tsk, 400 * NSEC_PER_MSEC);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 0);   /* first check at 500 ms */
	task_sleep(tsk, 200 * NSEC_PER_MSEC);
	CHECK(vm(PGMIGRATE_SUCCESS) > 0);
	CHECK(vm(KCOMPACTD_MIGRATE_SCANNED) > 0);
	CHECK_EQ_S64(vm(KCOMPACTD_WAKE), 0);   /* proactive runs are not wakeups */
	drain_all_pages(tsk, NULL);
	CHECK(fragmentation_score_zone(z) <= 80);
	CHECK(z->free_area[9].nr_free + z->free_area[10].nr_free >= 1);
}

static void test_proactive_compaction_by_kcompactd(void)
{
	setup(20);
	engine_spawn(sim.eng, "test", 1, false, 0, proactive_body, NULL, NULL);
	compaction_start_kthreads(sim.compaction);
	engine_run(sim.eng, 0);
	check_invariants();
	teardown();
}

int main(void)
{
	RUN_TEST(test_deferral_arithmetic);
	SIMTEST(test_compaction_suitable_cases);
	SIMTEST(test_compact_memory_moves_low_blocks_into_high_ones);
	SIMTEST(test_pinned_page_stays_and_counts_as_failed);
	SIMTEST(test_direct_compaction_on_the_allocation_path);
	SIMTEST(test_kcompactd_woken_by_failed_nowait_allocation);
	SIMTEST(test_proactive_compaction_by_kcompactd);
	return check_summary();
}
