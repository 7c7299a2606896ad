// LINK: mmsim_mm
/* test_page_alloc.c - the buddy allocator against hand-worked sequences: split, merge,
 * pcp lists, fallback steal with and without claiming the pageblock, watermarks and
 * reserves, NUMA fallback and statistics, zonelist order, and the fragmentation indices
 * with their special cases. The buddy invariants are checked after every step. */
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
#include "locks/lockstat.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)

static struct scenario scn;
static struct sim sim;

static void setup(unsigned nodes, unsigned cpus_per_node, u64 mem_per_node)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = nodes;
	scn.machine.cpus_per_node = cpus_per_node;
	scn.machine.memory_per_node = mem_per_node;
	for (unsigned a = 0; a < nodes; a++) {
		scn.machine.node_memory[a] = mem_per_node;
		for (unsigned b = 0; b < nodes; b++)
			scn.machine.distance[a][b] = a == b ? 10 : 20;
	}
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.vm.watermark_boost_factor = 15000;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.costs.page_alloc_ns = 10;
	scn.costs.local_access_ns = 80;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
}

static void start(void)
{
	simcore_create(&sim, &scn, 0);
}

static void teardown(void)
{
	simcore_destroy(&sim);
}

static void run_actor(void (*fn)(struct task *), unsigned cpu)
{
	engine_spawn(sim.eng, "test", cpu, false, 0, fn, NULL, NULL);
	engine_run(sim.eng, 0);
}

static struct zone *normal(unsigned nid)
{
	return &sim.phys->node_data[nid]->node_zones[ZONE_NORMAL];
}

/* "n0 n1 ... n10" of a zone's free block counts */
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

static unsigned pb_type(u64 pfn)
{
	return get_pageblock_migratetype(sim.phys, pfn);
}

/* ---- 16 MiB, one node, one CPU: 4096 pages, 8 pageblocks, 4 order-10 blocks ---- */

static void init_state_body(struct task *tsk)
{
	struct zone *z = normal(0);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 4");
	CHECK_EQ_U64(z->free_pages, 4096);
	/* sqrt(16 * 16384 kB) = 512 kB -> 128 pages min; delta = max(128/4, 4096*10/10000) */
	CHECK_EQ_U64(sim.phys->min_free_kbytes, 512);
	CHECK_EQ_U64(z->_watermark[WMARK_MIN], 128);
	CHECK_EQ_U64(z->_watermark[WMARK_LOW], 160);
	CHECK_EQ_U64(z->_watermark[WMARK_HIGH], 192);
	/* managed >> 10 = 4, /4 = 1, rounddown_pow2(1) - 1 = 0 -> at least 1 */
	CHECK_EQ_U64(z->pcp[0].batch, 1);
	CHECK_EQ_U64(z->pcp[0].high, 160);
	for (u64 pfn = 0; pfn < 4096; pfn += pageblock_nr_pages)
		CHECK_EQ_U64(pb_type(pfn), MIGRATE_MOVABLE);
	check_invariants();
	(void)tsk;
}

static void test_initial_zone_state_watermarks_and_pcp_sizes(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(init_state_body, 0);
	teardown();
}

/* One order-0 movable page splits the first order-10 block: the upper halves stay free
 * at every order; freeing it goes to the pcp list; draining merges everything back. */
static void split_merge_body(struct task *tsk)
{
	struct zone *z = normal(0);
	u64 pfn = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0);
	CHECK_EQ_U64(pfn, 0);
	CHECK_EQ_STR(buddy_row(z), "1 1 1 1 1 1 1 1 1 1 3");
	CHECK_EQ_U64(z->free_pages, 4095);
	CHECK_EQ_U64(z->pcp[0].count, 0);
	check_invariants();

	__free_pages(tsk, pfn, 0);
	CHECK_EQ_U64(z->pcp[0].count, 1);   /* below high: stays on the pcp list */
	CHECK_EQ_STR(buddy_row(z), "1 1 1 1 1 1 1 1 1 1 3");
	check_invariants();

	drain_local_pages(tsk);
	CHECK_EQ_U64(z->pcp[0].count, 0);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 4");
	CHECK_EQ_U64(z->free_pages, 4096);
	check_invariants();

	/* order 3 takes the pcp path too (batch 1 >> 3 is not > 1: one block) */
	u64 a = alloc_pages_node(tsk, 0, GFP_KERNEL, 3);
	CHECK_EQ_U64(a, 0);   /* unmovable steals the whole order-10 block (2 pageblocks) */
	CHECK_EQ_U64(pb_type(0), MIGRATE_UNMOVABLE);
	CHECK_EQ_U64(pb_type(512), MIGRATE_UNMOVABLE);
	CHECK_EQ_U64(pb_type(1024), MIGRATE_MOVABLE);
	CHECK_EQ_U64(z->free_area[3].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	CHECK_EQ_U64(z->free_area[9].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 1 1 1 1 1 1 1 3");
	/* order 10 bypasses the pcp lists */
	u64 b = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 10);
	CHECK_EQ_U64(b, 1024);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 1 1 1 1 1 1 1 2");
	__free_pages(tsk, b, 10);
	__free_pages(tsk, a, 3);
	drain_local_pages(tsk);
	/* the order-10 block at 0 merges again: both pageblocks are unmovable (mergeable) */
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 4");
	CHECK_EQ_U64(z->free_area[10].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	check_invariants();
	CHECK_EQ_S64(global_vm_state(sim.vmstat, PGALLOC_NORMAL), 1 + 8 + 1024);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, PGFREE), 1 + 8 + 1024);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, NUMA_HIT), 3);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, NUMA_LOCAL), 3);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, NR_FREE_PAGES), 4096);
}

static void test_split_pcp_free_and_merge_exact_buddy_states(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(split_merge_body, 0);
	teardown();
}

/* Fill the zone with order-0 movable pages, then free pfns 0..nfree-1 back to the buddy
 * lists; the rest of pageblock 0 stays allocated (marked LRU when lru). */
static u64 fill_and_free_prefix(struct task *tsk, unsigned nfree, bool lru)
{
	struct zone *z = normal(0);
	u64 n = 0;
	/* GFP_ATOMIC with __GFP_MOVABLE reaches below min (48 pages left at the end) */
	while (alloc_pages_node(tsk, 0, GFP_ATOMIC | __GFP_MOVABLE, 0) != PFN_NONE)
		n++;
	for (u64 pfn = 0; pfn < nfree; pfn++)
		__free_pages(tsk, pfn, 0);
	drain_local_pages(tsk);
	for (u64 pfn = nfree; pfn < pageblock_nr_pages; pfn++)
		if (lru)
			pfn_to_page(sim.phys, pfn)->flags |= PG_lru;
	(void)z;
	return n;
}

static void steal_claim_body(struct task *tsk)
{
	struct zone *z = normal(0);
	/* __GFP_HIGH without direct reclaim: min 128 - 64 - 16 = 48 */
	u64 n = fill_and_free_prefix(tsk, 200, false);
	CHECK_EQ_U64(n, 4096 - 48);
	/* 200 free pages at 0: blocks 0 (order 7), 128 (order 6), 192 (order 3) */
	CHECK_EQ_U64(z->free_area[7].nr_free, 1);
	CHECK_EQ_U64(z->free_area[6].nr_free, 1);
	CHECK_EQ_U64(z->free_area[3].nr_free, 1);
	check_invariants();
	u64 wakeups = sim.phys->node_data[0]->kswapd_wakeups;
	/* Unmovable order 0: falls back to the largest movable block (order 7 at 0); the
	 * 312 allocated pages are not LRU, so they count as alike: 200 + 312 >= 256 claims. */
	u64 pfn = alloc_pages_node(tsk, 0, GFP_ATOMIC, 0);
	CHECK_EQ_U64(pfn, 192);   /* smallest unmovable block after the move: order 3 at 192 */
	CHECK_EQ_U64(pb_type(0), MIGRATE_UNMOVABLE);
	CHECK_EQ_U64(z->free_area[2].nr_free_mt[MIGRATE_UNMOVABLE], 1);   /* 196 */
	CHECK_EQ_U64(z->free_area[1].nr_free_mt[MIGRATE_UNMOVABLE], 1);   /* 194 */
	CHECK_EQ_U64(z->free_area[0].nr_free_mt[MIGRATE_UNMOVABLE], 1);   /* 193 */
	CHECK_EQ_U64(z->free_area[7].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	/* boosted by one pageblock (max(512, 192 * 1.5)), kswapd woken once by rmqueue */
	CHECK_EQ_U64(z->watermark_boost, 512);
	CHECK_EQ_U64(sim.phys->node_data[0]->kswapd_wakeups, wakeups + 1);
	CHECK_EQ_U64(z->flags & ZONE_BOOSTED_WATERMARK, 0);
	check_invariants();
}

static void test_unmovable_fallback_claims_block_when_half_is_free_or_alike(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(steal_claim_body, 0);
	teardown();
}

static void steal_noclaim_body(struct task *tsk)
{
	struct zone *z = normal(0);
	fill_and_free_prefix(tsk, 200, true);
	/* the 312 allocated pages are LRU (movable): alike = 512 - 200 - 312 = 0, and
	 * 200 < 256: the free pages move to the unmovable lists, the block stays movable */
	u64 pfn = alloc_pages_node(tsk, 0, GFP_ATOMIC, 0);
	CHECK_EQ_U64(pfn, 192);
	CHECK_EQ_U64(pb_type(0), MIGRATE_MOVABLE);
	CHECK_EQ_U64(z->free_area[7].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	CHECK_EQ_U64(z->free_area[6].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	/* the block is now "polluted": an unmovable page in a movable pageblock */
	CHECK_EQ_U64(zone_polluted_pageblocks(sim.phys, z), 1);
	check_invariants();
}

static void test_unmovable_fallback_leaves_block_when_mostly_movable(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(steal_noclaim_body, 0);
	teardown();
}

/* Movable order-0 allocations succeed while free pages stay above the watermark: the
 * fast path at low (160), the slow path at min (128): 4096 - 128 = 3968 succeed. Each
 * failure enters direct reclaim once (allocstall_movable) and wakes kswapd. */
static void exhaust_body(struct task *tsk)
{
	struct zone *z = normal(0);
	u64 ok = 0, fail = 0;
	for (int i = 0; i < 4000; i++) {
		if (alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0) != PFN_NONE)
			ok++;
		else
			fail++;
	}
	CHECK_EQ_U64(ok, 3968);
	CHECK_EQ_U64(fail, 32);
	CHECK_EQ_U64(z->free_pages, 128);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, ALLOCSTALL_MOVABLE), 32);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, PGALLOC_NORMAL), 3968);
	CHECK_EQ_U64(z->alloc_attempts[0], 4000);
	CHECK_EQ_U64(z->alloc_success[0], 3968);
	/* GFP_ATOMIC may go further: min 128 -> 64 (__GFP_HIGH) -> 48 (cannot block) */
	u64 atomic_ok = 0;
	while (alloc_pages_node(tsk, 0, GFP_ATOMIC, 0) != PFN_NONE)
		atomic_ok++;
	CHECK_EQ_U64(atomic_ok, 80);
	check_invariants();
}

static void test_watermarks_bound_order0_allocations_exactly(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(exhaust_body, 0);
	teardown();
}

/* Two nodes: once node 0 is at its min watermark, allocations fall back to node 1:
 * numa_miss and numa_other counted on node 1, numa_foreign on node 0. */
static void numa_body(struct task *tsk)
{
	u64 local = 0, remote = 0;
	for (int i = 0; i < 4000; i++) {
		u64 pfn = alloc_pages_node(tsk, -1, GFP_HIGHUSER_MOVABLE, 0);
		CHECK(pfn != PFN_NONE);
		if (page_to_nid(sim.phys, pfn) == 0)
			local++;
		else
			remote++;
	}
	/* 32 MiB in all: min_free_kbytes = sqrt(16 * 32768) = 724 -> 181 pages, 90 per zone,
	 * delta 22, low 112. The fast path: node 0 serves until 112 are left, then node 1. */
	CHECK_EQ_U64(normal(0)->_watermark[WMARK_LOW], 112);
	CHECK_EQ_U64(local, 4096 - 112);
	CHECK_EQ_U64(remote, 4000 - (4096 - 112));
	CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NUMA_HIT), 4096 - 112);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 1, NUMA_MISS), remote);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NUMA_FOREIGN), remote);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 1, NUMA_OTHER), remote);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NUMA_LOCAL), 4096 - 112);
	check_invariants();
}

static void test_numa_fallback_and_statistics(void)
{
	setup(2, 1, 16 * MIB);
	start();
	run_actor(numa_body, 0);
	teardown();
}

/* Zonelists: nearest first; equal distances are spread round-robin over the nodes
 * building their lists (node_load). 4 nodes, 0-1 and 2-3 pairs at 15, others 25. */
static void zonelist_body(struct task *tsk)
{
	char got[4][16];
	for (unsigned n = 0; n < 4; n++) {
		struct pglist_data *pgdat = sim.phys->node_data[n];
		size_t len = 0;
		for (unsigned i = 0; i < pgdat->nr_zonelist; i++)
			len += snprintf(got[n] + len, sizeof(got[n]) - len, "%u",
					pgdat->zonelist[i]->zone_pgdat->node_id);
	}
	CHECK_EQ_STR(got[0], "0123");
	CHECK_EQ_STR(got[1], "1032");
	CHECK_EQ_STR(got[2], "2301");
	CHECK_EQ_STR(got[3], "3210");
	(void)tsk;
}

static void test_zonelists_follow_distance(void)
{
	setup(4, 1, 16 * MIB);
	static const u8 d[4][4] = {
		{ 10, 15, 25, 25 }, { 15, 10, 25, 25 }, { 25, 25, 10, 15 }, { 25, 25, 15, 10 },
	};
	for (unsigned a = 0; a < 4; a++)
		for (unsigned b = 0; b < 4; b++)
			scn.machine.distance[a][b] = d[a][b];
	start();
	run_actor(zonelist_body, 0);
	teardown();
}

/* pcp high and batch: a CPU freeing past high returns batch << free_factor pages. */
static void pcp_high_body(struct task *tsk)
{
	struct zone *z = normal(0);
	u64 pfns[300];
	for (int i = 0; i < 300; i++)
		pfns[i] = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0);
	for (int i = 0; i < 159; i++)
		__free_pages(tsk, pfns[i], 0);
	CHECK_EQ_U64(z->pcp[0].count, 159);
	__free_pages(tsk, pfns[159], 0);
	/* count 160 >= high 160: free batch(1) << 0 = 1, clamped to [1, 159] -> 1 */
	CHECK_EQ_U64(z->pcp[0].count, 159);
	CHECK_EQ_U64(z->pcp[0].free_factor, 1);
	__free_pages(tsk, pfns[160], 0);
	/* 1 << 1 = 2 */
	CHECK_EQ_U64(z->pcp[0].count, 158);
	CHECK_EQ_U64(z->pcp[0].free_factor, 2);
	check_invariants();
}

static void test_pcp_high_drains_growing_batches(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(pcp_high_body, 0);
	teardown();
}

/* ---- indices: no engine needed ---- */

static void test_fragmentation_and_unusable_indices(void)
{
	struct contig_page_info info;
	/* 10,000 free order-0 pages */
	info = (struct contig_page_info){ 10000, 10000, 0 };
	CHECK_EQ_S64(__fragmentation_index(9, &info), 998);
	CHECK_EQ_S64(unusable_free_index(9, &info), 1000);
	/* 100 free order-8 blocks: 490 <= extfrag_threshold 500, reclaim is preferred */
	info = (struct contig_page_info){ 25600, 100, 0 };
	CHECK_EQ_S64(__fragmentation_index(9, &info), 490);
	CHECK_EQ_S64(unusable_free_index(9, &info), 1000);
	CHECK_EQ_S64(unusable_free_index(8, &(struct contig_page_info){ 25600, 100, 100 }), 0);
	/* a suitable block exists */
	info = (struct contig_page_info){ 1536, 2, 2 };
	CHECK_EQ_S64(__fragmentation_index(9, &info), -1000);
	/* 512 order-0 + one order-10 block: at order 9, 2 suitable of 1536 free pages */
	info = (struct contig_page_info){ 1536, 513, 2 };
	CHECK_EQ_S64(unusable_free_index(9, &info), 333);
	/* no free memory at all */
	info = (struct contig_page_info){ 0, 0, 0 };
	CHECK_EQ_S64(__fragmentation_index(9, &info), 0);
	CHECK_EQ_S64(unusable_free_index(9, &info), 1000);
}

static void proc_body(struct task *tsk)
{
	(void)alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	write_buddyinfo(sim.phys, f);
	fclose(f);
	CHECK_EQ_STR(buf, "Node 0, zone   Normal      1      1      1      1      1      1      "
			  "1      1      1      1      3 \n");
	free(buf);
	f = open_memstream(&buf, &len);
	write_pagetypeinfo(sim.phys, f);
	fclose(f);
	CHECK_CONTAINS(buf, "Page block order: 9\nPages per block:  512\n\n"
			    "Free pages count per migrate type at order       0      1      2");
	CHECK_CONTAINS(buf, "Node    0, zone   Normal, type      Movable      1      1      1      1"
			    "      1      1      1      1      1      1      3 \n");
	CHECK_CONTAINS(buf, "Number of blocks type     Unmovable      Movable  Reclaimable   "
			    "HighAtomic      Isolate \n");
	CHECK_CONTAINS(buf, "Node 0, zone   Normal            0            8            0            "
			    "0            0 \n");
	free(buf);
	f = open_memstream(&buf, &len);
	write_extfrag_index(sim.phys, f);
	fclose(f);
	CHECK_EQ_STR(buf, "Node 0, zone   Normal -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 "
			  "-1.000 -1.000 -1.000 -1.000 \n");
	free(buf);
}

static void test_proc_formats(void)
{
	setup(1, 1, 16 * MIB);
	start();
	run_actor(proc_body, 0);
	teardown();
}

int main(void)
{
	RUN_TEST(test_fragmentation_and_unusable_indices);
	SIMTEST(test_initial_zone_state_watermarks_and_pcp_sizes);
	SIMTEST(test_split_pcp_free_and_merge_exact_buddy_states);
	SIMTEST(test_unmovable_fallback_claims_block_when_half_is_free_or_alike);
	SIMTEST(test_unmovable_fallback_leaves_block_when_mostly_movable);
	SIMTEST(test_watermarks_bound_order0_allocations_exactly);
	SIMTEST(test_numa_fallback_and_statistics);
	SIMTEST(test_zonelists_follow_distance);
	SIMTEST(test_pcp_high_drains_growing_batches);
	SIMTEST(test_proc_formats);
	return check_summary();
}
