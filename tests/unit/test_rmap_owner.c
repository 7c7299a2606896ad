// LINK: mmsim_mm
/* test_rmap_owner.c - the page owner table (mm/rmap.c): a pageblock whose owned pages
 * follow one run (same owner, index rising with the pfn) is kept as a base and a bitmap,
 * any other as 512 owner words; either way every owner reads back exactly as set, which
 * a random sequence checks against a plain array. */
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
#include "mm/rmap.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

static struct scenario scn;
static struct sim sim;

static void setup(void)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 1;
	scn.machine.memory_per_node = 64ULL << 20;   /* 32 pageblocks */
	scn.machine.node_memory[0] = scn.machine.memory_per_node;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.thp.enabled = THP_NEVER;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	sim.rmap = rmap_create(&sim);
}

static void teardown(void)
{
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
}

/* "kind id index" of a pfn's owner */
static const char *owner(u64 pfn)
{
	static char buf[64];
	u32 id;
	u64 index;
	enum page_owner_kind k = rmap_owner(&sim, pfn, &id, &index);
	snprintf(buf, sizeof(buf), "%u %u %llu", (unsigned)k, id, (unsigned long long)index);
	return buf;
}

#define TABLE 256                      /* 32 pageblock pointers */
#define UNIFORM 80                     /* base + bitmap */
#define FULL 4096                      /* 512 owner words */

static void test_run_of_pages_is_kept_as_base_and_bitmap(void)
{
	setup();
	CHECK_EQ_U64(rmap_table_bytes(sim.rmap), TABLE);
	for (u64 pfn = 0; pfn < 512; pfn++)
		rmap_set_owner(&sim, pfn, OWNER_ANON, 7, 1000 + pfn);
	CHECK_EQ_U64(rmap_table_bytes(sim.rmap), TABLE + UNIFORM);
	CHECK_EQ_STR(owner(0), "1 7 1000");
	CHECK_EQ_STR(owner(511), "1 7 1511");
	rmap_clear_owner(&sim, 5);
	CHECK_EQ_STR(owner(5), "0 0 0");
	CHECK_EQ_STR(owner(512), "0 0 0");            /* a pageblock nobody owns pages of */
	/* a page of another owner: the block becomes 512 words, every owner unchanged */
	rmap_set_owner(&sim, 3, OWNER_FILE, 2, 5);
	CHECK_EQ_U64(rmap_table_bytes(sim.rmap), TABLE + UNIFORM + FULL);
	CHECK_EQ_STR(owner(3), "2 2 5");
	CHECK_EQ_STR(owner(4), "1 7 1004");
	CHECK_EQ_STR(owner(5), "0 0 0");
	CHECK_EQ_STR(owner(511), "1 7 1511");
	/* an emptied block starts a new run */
	rmap_set_owner(&sim, 1024, OWNER_ANON, 1, 10);
	rmap_clear_owner(&sim, 1024);
	rmap_set_owner(&sim, 1124, OWNER_ANON, 2, 600);
	rmap_set_owner(&sim, 1125, OWNER_ANON, 2, 601);
	CHECK_EQ_U64(rmap_table_bytes(sim.rmap), TABLE + 2 * UNIFORM + FULL);
	CHECK_EQ_STR(owner(1124), "1 2 600");
	CHECK_EQ_STR(owner(1125), "1 2 601");
	CHECK_EQ_STR(owner(1024), "0 0 0");
	/* an index below the page's offset in its block cannot be a run's */
	rmap_set_owner(&sim, 1546, OWNER_ANON, 3, 3);
	CHECK_EQ_U64(rmap_table_bytes(sim.rmap), TABLE + 3 * UNIFORM + 2 * FULL);
	CHECK_EQ_STR(owner(1546), "1 3 3");
	teardown();
}

/* 20,000 random sets and clears over 4 pageblocks, half of them continuing runs. */
static void test_random_owners_read_back_exactly(void)
{
	setup();
	static u64 ref_kind[2048], ref_id[2048], ref_index[2048];
	u64 x = 88172645463325252ULL, bad = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		u64 pfn = x % 2048;
		if (x >> 60 == 0) {
			rmap_clear_owner(&sim, pfn);
			ref_kind[pfn] = ref_id[pfn] = ref_index[pfn] = 0;
			continue;
		}
		unsigned kind = 1 + (unsigned)(x >> 40) % 3;
		u32 id = (x >> 50) & 1 ? 9 : (u32)(x >> 20) % 1000;
		u64 index = (x >> 51) & 1 ? 4096 + pfn : (x >> 8) % (1ULL << 36);
		rmap_set_owner(&sim, pfn, (enum page_owner_kind)kind, id, index);
		ref_kind[pfn] = kind, ref_id[pfn] = id, ref_index[pfn] = index;
		for (u64 q = 0; q < 2048; q += 61) {
			u32 gid;
			u64 gindex;
			u64 k = rmap_owner(&sim, q, &gid, &gindex);
			bad += k != ref_kind[q] || gid != ref_id[q] || gindex != ref_index[q];
		}
	}
	CHECK_EQ_U64(bad, 0);
	teardown();
}

int main(void)
{
	SIMTEST(test_run_of_pages_is_kept_as_base_and_bitmap);
	SIMTEST(test_random_owners_read_back_exactly);
	return check_summary();
}
