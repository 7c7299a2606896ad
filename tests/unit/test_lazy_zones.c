// LINK: mmsim_mm
/* test_lazy_zones.c - implicit max-order blocks (struct zone_lazy, mm/mmzone.h): a zone
 * starts with its free max-order blocks counted but not described, and every sequence of
 * list operations gives the blocks in the order an eager build (debug.eager_zones) gives:
 * the same hand-worked pfn sequences run in both modes. Also: a 1 TiB machine starts with
 * no descriptor written for its 262,136 undescribed blocks, and the checkers accept
 * described implicit blocks and catch a corrupted one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "locks/lockstat.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static struct scenario scn;
static struct sim sim;

static void setup(unsigned nodes, unsigned cpus_per_node, u64 mem_per_node, bool eager)
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
	scn.kernel.eager_zones = eager;
	scn.costs.page_alloc_ns = 10;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 0);
}

static void teardown(void)
{
	simcore_destroy(&sim);
}

static void run_actor(void (*fn)(struct task *))
{
	engine_spawn(sim.eng, "test", 0, false, 0, fn, NULL, NULL);
	engine_run(sim.eng, 0);
}

static struct zone *normal(unsigned nid)
{
	return &sim.phys->node_data[nid]->node_zones[ZONE_NORMAL];
}

static void check_invariants(void)
{
	char msg[256] = "";
	int rc = check_phys_mem(sim.phys, true, msg, sizeof(msg));
	CHECK_EQ_S64(rc, 0);
	if (rc)
		fprintf(stderr, "  invariant: %s\n", msg);
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

/* pfns taken by a sequence, "a b c ..." */
static char seq[1024];
static size_t seq_len;

static void take(u64 pfn)
{
	seq_len += (size_t)snprintf(seq + seq_len, sizeof(seq) - seq_len, "%s%lld",
				    seq_len ? " " : "", pfn == PFN_NONE ? -1LL : (long long)pfn);
}

static bool eager_mode;

/* ---- 64 MiB, one node: 16 order-10 blocks at 0, 1024, ..., 15360 ---- */

static void start_state_body(struct task *tsk)
{
	struct zone *z = normal(0);
	struct phys_mem *pm = sim.phys;
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 16");
	CHECK_EQ_U64(z->free_area[10].nr_free_mt[MIGRATE_MOVABLE], 16);
	CHECK_EQ_U64(z->free_pages, 16384);
	CHECK_EQ_S64(global_vm_state(sim.vmstat, NR_FREE_PAGES), 16384);
	/* lazy: the first block is linked, the other 15 implicit and not described */
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 15);
	CHECK_EQ_U64(pfn_to_page(pm, 0)->flags & PG_buddy, PG_buddy);
	CHECK_EQ_U64(pfn_to_page(pm, 1024)->flags, eager_mode ? PG_buddy | 10u << PG_ORDER_SHIFT |
							       (u32)MIGRATE_MOVABLE << PG_MT_SHIFT : 0);
	check_invariants();
	/* describing a range writes the heads of the blocks it overlaps, nothing else */
	zone_materialise_range(pm, z, 2047, 3073);
	for (u64 pfn = 1024; pfn <= 4096; pfn += 1024) {
		const struct page_desc *p = pfn_to_page(pm, pfn);
		bool described = eager_mode || (pfn >= 1024 && pfn <= 3072);
		CHECK_EQ_U64(p->flags, described ? PG_buddy | 10u << PG_ORDER_SHIFT |
						   (u32)MIGRATE_MOVABLE << PG_MT_SHIFT : 0);
	}
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 15);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 16");
	check_invariants();
	/* the head of the list is what an eager build has */
	take(alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 10));
	take(alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 0));
	CHECK_EQ_STR(seq, "0 1024");
	/* order 0 through the pcp (batch 3): 1024, 1025 and 1026 taken, 1027 left free */
	CHECK_EQ_STR(buddy_row(z), "1 0 1 1 1 1 1 1 1 1 14");
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 13);
	check_invariants();
}

static void test_zone_starts_with_implicit_blocks_counted_as_free(void)
{
	eager_mode = false;
	setup(1, 1, 64 * MIB, false);
	run_actor(start_state_body);
	teardown();
}

static void test_eager_zone_starts_with_every_block_linked(void)
{
	eager_mode = true;
	setup(1, 1, 64 * MIB, true);
	run_actor(start_state_body);
	teardown();
}

/* Allocate and free at the head, take an undescribed block out by pfn (as compaction's
 * free scanner does) and give it back, move one to the UNMOVABLE lists and back (a tail
 * insertion into the list that holds the implicit blocks), then empty the list. */
static void list_order_body(struct task *tsk)
{
	struct zone *z = normal(0);
	struct phys_mem *pm = sim.phys;
	for (int i = 0; i < 3; i++)
		take(alloc_pages_boot(pm, 0, 10, MIGRATE_MOVABLE));
	__free_pages(tsk, 1024, 10);             /* head of the list */
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 12);
	check_invariants();

	zone_materialise_range(pm, z, 12288, 12289);
	__isolate_free_block(pm, z, 12288, 10);
	CHECK_EQ_U64(z->free_pages, 16384 - 2048 - 1024);
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 11);
	__free_one_page(pm, z, 12288, 10, MIGRATE_MOVABLE, false);   /* back at the head */
	CHECK_EQ_U64(z->free_pages, 16384 - 2048);
	check_invariants();

	CHECK_EQ_U64(move_freepages_block(pm, z, 8192, MIGRATE_UNMOVABLE), 1024);
	CHECK_EQ_U64(get_pageblock_migratetype(pm, 8192), MIGRATE_UNMOVABLE);
	CHECK_EQ_U64(z->free_area[10].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 10);
	check_invariants();
	/* back to MOVABLE: at the list's tail, after every block that was implicit */
	CHECK_EQ_U64(move_freepages_block(pm, z, 8192, MIGRATE_MOVABLE), 1024);
	CHECK_EQ_U64(zone_implicit_blocks(z), 0);
	check_invariants();
	u64 pfn;
	while ((pfn = alloc_pages_boot(pm, 0, 10, MIGRATE_MOVABLE)) != PFN_NONE)
		take(pfn);
	CHECK_EQ_STR(seq, "0 1024 2048 12288 1024 3072 4096 5120 6144 7168 9216 10240 11264 "
			  "13312 14336 15360 8192");
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 0");
	CHECK_EQ_U64(z->free_pages, 0);
	check_invariants();
}

static void test_list_order_with_implicit_blocks_is_eager_order(void)
{
	eager_mode = false;
	setup(1, 1, 64 * MIB, false);
	run_actor(list_order_body);
	teardown();
}

static void test_list_order_eager_build(void)
{
	eager_mode = true;
	setup(1, 1, 64 * MIB, true);
	run_actor(list_order_body);
	teardown();
}

/* Unmovable and movable requests mixed with frees through the pcp lists: fallback steals
 * the list's head, the implicit blocks follow in pfn order. */
static void fallback_order_body(struct task *tsk)
{
	struct zone *z = normal(0);
	/* batch 3: the pcp takes two order-3 blocks, then two order-9 ones */
	u64 a = alloc_pages_node(tsk, 0, GFP_KERNEL, 3);        /* steals block 0; 8 on pcp */
	u64 b = alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 10);
	u64 c = alloc_pages_node(tsk, 0, GFP_KERNEL, 9);        /* 512; 2048 stolen, on pcp */
	u64 d = alloc_pages_node(tsk, 0, GFP_KERNEL, 10);       /* steals a whole block */
	take(a), take(b), take(c), take(d);
	__free_pages(tsk, b, 10);
	take(alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 10));
	take(alloc_pages_node(tsk, 0, GFP_HIGHUSER_MOVABLE, 10));
	CHECK_EQ_STR(seq, "0 1024 512 3072 1024 4096");
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 1 1 1 1 1 1 11");
	CHECK_EQ_U64(z->free_area[10].nr_free_mt[MIGRATE_MOVABLE], 11);
	CHECK_EQ_U64(zone_implicit_blocks(z), eager_mode ? 0 : 10);
	check_invariants();
}

static void test_fallback_order_with_implicit_blocks(void)
{
	eager_mode = false;
	setup(1, 1, 64 * MIB, false);
	run_actor(fallback_order_body);
	teardown();
}

static void test_fallback_order_eager_build(void)
{
	eager_mode = true;
	setup(1, 1, 64 * MIB, true);
	run_actor(fallback_order_body);
	teardown();
}

/* --check's per-page check: a described implicit block is consistent with no links; a
 * link written into it is caught, as in a linked block. */
static void checker_body(struct task *tsk)
{
	struct phys_mem *pm = sim.phys;
	struct zone *z = normal(0);
	char msg[256] = "";
	zone_materialise_range(pm, z, 14336, 14337);
	CHECK_EQ_S64(check_buddy_page(pm, 14336, msg, sizeof(msg)), 0);
	CHECK_EQ_S64(check_buddy_page(pm, 0, msg, sizeof(msg)), 0);
	pfn_to_page(pm, 14336)->prev = 3;
	CHECK_EQ_S64(check_buddy_page(pm, 14336, msg, sizeof(msg)), -1);
	CHECK_EQ_STR(msg, "node 0 Normal: broken back link at pfn 14336 (order-10 Movable list)");
	CHECK_EQ_S64(check_phys_mem(pm, true, msg, sizeof(msg)), -1);
	CHECK_EQ_STR(msg, "node 0 Normal: implicit order-10 block at pfn 14336 has flags 0x1a000001, "
			  "links 3 4294967295");
	pfn_to_page(pm, 14336)->prev = PAGE_NIL;
	/* an allocated page inside an implicit block */
	pfn_to_page(pm, 15000)->refcount = 1;
	CHECK_EQ_S64(check_phys_mem(pm, true, msg, sizeof(msg)), -1);
	CHECK_EQ_STR(msg, "node 0 Normal: pfn 15000 of the implicit block at 14336 is in use "
			  "(refcount 1, flags 0)");
	pfn_to_page(pm, 15000)->refcount = 0;
	check_invariants();
	(void)tsk;
}

static void test_checkers_know_implicit_blocks(void)
{
	eager_mode = false;
	setup(1, 1, 64 * MIB, false);
	run_actor(checker_body);
	teardown();
}

/* A zone that does not start on a max-order boundary: node 1 of 2 x 10 MiB starts at pfn
 * 2560 with an order-9 block; its implicit run starts at 3072. */
static void test_unaligned_zone_start(void)
{
	setup(2, 1, 10 * MIB, false);
	struct phys_mem *pm = sim.phys;
	struct zone *z = normal(1);
	CHECK_EQ_U64(z->zone_start_pfn, 2560);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 1 2");
	CHECK_EQ_U64(zone_implicit_blocks(z), 1);
	CHECK_EQ_U64(pfn_to_page(pm, 4096)->flags, 0);
	check_invariants();
	CHECK_EQ_U64(alloc_pages_boot(pm, 1, 10, MIGRATE_MOVABLE), 3072);
	CHECK_EQ_U64(alloc_pages_boot(pm, 1, 10, MIGRATE_MOVABLE), 4096);
	CHECK_EQ_U64(alloc_pages_boot(pm, 1, 10, MIGRATE_MOVABLE), PFN_NONE);
	CHECK_EQ_U64(alloc_pages_boot(pm, 1, 9, MIGRATE_MOVABLE), 2560);
	CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 0");
	check_invariants();
	teardown();
}

/* ---- 1 TiB, 8 nodes x 128 GiB, 256 CPUs ---- */

static u64 rss_bytes(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4096;
}

/* Every zone: 32,768 free order-10 blocks counted, one linked, none other described; the
 * start-up writes no descriptor page (an eager build writes 262,144 descriptors, each
 * on its own 4 KiB host page: 1 GiB). Then a node's first allocations come in pfn order. */
static void test_one_tib_machine_starts_lazy(void)
{
	u64 rss0 = rss_bytes();
	setup(8, 32, 128 * GIB, false);
	u64 grown = rss_bytes() - rss0;
	CHECK(grown < 64 * MIB);
	if (grown >= 64 * MIB)
		fprintf(stderr, "  start-up grew RSS by %llu bytes\n", (unsigned long long)grown);
	struct phys_mem *pm = sim.phys;
	CHECK_EQ_U64(pm->nr_pages, 1ULL << 28);
	for (unsigned n = 0; n < 8; n++) {
		struct zone *z = normal(n);
		CHECK_EQ_STR(buddy_row(z), "0 0 0 0 0 0 0 0 0 0 32768");
		CHECK_EQ_U64(z->free_pages, 1ULL << 25);
		CHECK_EQ_U64(zone_implicit_blocks(z), 32767);
		CHECK_EQ_U64(pfn_to_page(pm, z->zone_start_pfn + 1024)->flags, 0);
	}
	struct zone *z = normal(7);
	u64 base = z->zone_start_pfn;
	CHECK_EQ_U64(base, 7ULL << 25);
	for (u64 i = 0; i < 4; i++)
		CHECK_EQ_U64(alloc_pages_boot(pm, 7, 10, MIGRATE_MOVABLE), base + i * 1024);
	CHECK_EQ_U64(zone_implicit_blocks(z), 32763);
	CHECK_EQ_U64(z->free_area[10].nr_free, 32764);
	char msg[256] = "";
	CHECK_EQ_S64(check_zone_free_counts(z, msg, sizeof(msg)), 0);
	teardown();
}

int main(void)
{
	SIMTEST(test_zone_starts_with_implicit_blocks_counted_as_free);
	SIMTEST(test_eager_zone_starts_with_every_block_linked);
	SIMTEST(test_list_order_with_implicit_blocks_is_eager_order);
	SIMTEST(test_list_order_eager_build);
	SIMTEST(test_fallback_order_with_implicit_blocks);
	SIMTEST(test_fallback_order_eager_build);
	SIMTEST(test_checkers_know_implicit_blocks);
	SIMTEST(test_unaligned_zone_start);
	SIMTEST(test_one_tib_machine_starts_lazy);
	return check_summary();
}
