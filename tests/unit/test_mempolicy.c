// LINK: mmsim_mm
/* test_mempolicy.c - pieces of the mempolicy model checked without a trace: the zonelist
 * order of the 4-node chain (reference/mempolicy.md §3.1, node_load tie-breaking), the
 * policy strings of numa_maps (mpol_to_str), the 32-bit truncation of the interleave
 * offset (§3.3 [V61 diag3]) and the cache-line cost of refcount RMWs (§6.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "simcore.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lockstat.h"
#include "mm/mempolicy.h"
#include "mm/mm_types.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)

static struct scenario scn;
static struct sim sim;

/* 4 nodes of 16 MiB, one CPU each, SLIT chain distance(i,j) = 10 + 10|i-j| */
static void start(void)
{
	memset(&scn, 0, sizeof(scn));
	memset(&sim, 0, sizeof(sim));
	scn.seed = 1;
	scn.machine.nr_nodes = 4;
	scn.machine.cpus_per_node = 1;
	scn.machine.memory_per_node = 16 * MIB;
	for (unsigned a = 0; a < 4; a++) {
		scn.machine.node_memory[a] = 16 * MIB;
		for (unsigned b = 0; b < 4; b++)
			scn.machine.distance[a][b] = (u8)(10 + 10 * (a > b ? a - b : b - a));
	}
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.thp.enabled = THP_NEVER;
	scn.costs.atomic_local_ns = 5;
	scn.costs.cacheline_bounce_ns = 50;
	scn.costs.local_access_ns = 80;
	sim.scn = &scn;
	simcore_create(&sim, &scn, 4);
	mempolicy_create(&sim);
}

static void teardown(void)
{
	mempolicy_destroy(&sim);
	simcore_destroy(&sim);
}

static void run_actor(void (*fn)(struct task *), unsigned cpu)
{
	engine_spawn(sim.eng, "test", cpu, false, 0, fn, NULL, NULL);
	engine_run(sim.eng, 0);
}

static const char *zonelist_nodes(unsigned nid)
{
	static char buf[64];
	size_t n = 0;
	const struct pglist_data *pg = sim.phys->node_data[nid];
	for (unsigned i = 0; i < pg->nr_zonelist; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? " " : "",
			      pg->zonelist[i]->zone_pgdat->node_id);
	return buf;
}

static void test_zonelists_of_the_chain(void)
{
	start();
	/* dmesg of the 4-node 6.1 kernel [V61]: node_load makes node 1's list 1 2 0 3
	 * (2 before 0, both at distance 20) and node 2's 2 3 1 0 */
	CHECK_EQ_STR(zonelist_nodes(0), "0 1 2 3");
	CHECK_EQ_STR(zonelist_nodes(1), "1 2 0 3");
	CHECK_EQ_STR(zonelist_nodes(2), "2 3 1 0");
	CHECK_EQ_STR(zonelist_nodes(3), "3 2 1 0");
	teardown();
}

static char got[8][64];

static void strings_body(struct task *tsk)
{
	static const struct { unsigned mode; u64 mask; } c[] = {
		{ MPOL_PREFERRED, 0x4 },
		{ MPOL_BIND | MPOL_F_STATIC_NODES, 0xc },
		{ MPOL_INTERLEAVE, 0xf },
		{ MPOL_PREFERRED, 0 },
		{ MPOL_PREFERRED_MANY, 0x6 },
		{ MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 0x5 },
		{ MPOL_BIND, 0xb },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_EQ_S64(do_set_mempolicy(tsk, c[i].mode, c[i].mask), 0);
		mpol_to_str(got[i], sizeof(got[i]), tsk->mempolicy);
	}
	CHECK_EQ_S64(do_set_mempolicy(tsk, MPOL_DEFAULT, 0), 0);
	mpol_to_str(got[7], sizeof(got[7]), tsk->mempolicy);
}

static void test_policy_strings(void)
{
	start();
	run_actor(strings_body, 0);
	CHECK_EQ_STR(got[0], "prefer:2");
	CHECK_EQ_STR(got[1], "bind=static:2-3");
	CHECK_EQ_STR(got[2], "interleave:0-3");
	CHECK_EQ_STR(got[3], "local");
	CHECK_EQ_STR(got[4], "prefer (many):1-2");
	CHECK_EQ_STR(got[5], "interleave=relative:0,2");
	CHECK_EQ_STR(got[6], "bind:0-1,3");
	CHECK_EQ_STR(got[7], "default");
	/* every object installed and replaced was freed */
	CHECK_EQ_U64(mempolicy_stats(&sim)->created, 7);
	CHECK_EQ_U64(mempolicy_stats(&sim)->freed, 7);
	teardown();
}

static unsigned il_nodes[4];

/* A VMA with an INTERLEAVE {0,1,2} policy whose vm_pgoff is 2^32: the offset n is
 * truncated to 32 bits, so page i goes to node (i mod 3), not ((2^32 + i) mod 3). */
static void truncation_body(struct task *tsk)
{
	CHECK_EQ_S64(do_set_mempolicy(tsk, MPOL_INTERLEAVE, 0x7), 0);
	struct vm_area_struct vma = { .vm_start = 0x7f0000000000ULL, .vm_end = 0x7f0000004000ULL,
				      .vm_pgoff = 1ULL << 32, .vm_policy = tsk->mempolicy };
	for (unsigned i = 0; i < 4; i++) {
		u64 pfn = alloc_pages_vma(tsk, GFP_HIGHUSER_MOVABLE, 0, &vma,
					  vma.vm_start + i * PAGE_SIZE, MPOL_PATH_FAULT);
		il_nodes[i] = page_to_nid(sim.phys, pfn);
		__free_pages(tsk, pfn, 0);
	}
	CHECK_EQ_S64(do_set_mempolicy(tsk, MPOL_DEFAULT, 0), 0);
}

static void test_interleave_offset_truncated(void)
{
	start();
	run_actor(truncation_body, 0);
	CHECK_EQ_U64(il_nodes[0], 0);   /* (2^32 + 0) mod 3 would be 1 */
	CHECK_EQ_U64(il_nodes[1], 1);
	CHECK_EQ_U64(il_nodes[2], 2);
	CHECK_EQ_U64(il_nodes[3], 0);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NUMA_INTERLEAVE_HIT), 2);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 1, NUMA_INTERLEAVE_HIT), 1);
	CHECK_EQ_S64(node_page_state(sim.vmstat, 2, NUMA_INTERLEAVE_HIT), 1);
	/* the VMA policy is the task's own: no reference taken in either design */
	CHECK_EQ_U64(mempolicy_stats(&sim)->gets[MPOL_PATH_FAULT], 0);
	teardown();
}

static struct mempolicy *shared_obj;

static void line_owner_body(struct task *tsk)
{
	CHECK_EQ_S64(do_set_mempolicy(tsk, MPOL_INTERLEAVE, 0xf), 0);
	shared_obj = tsk->mempolicy;   /* its refcount line: written last by CPU 0 (node 0) */
}

static void line_remote_body(struct task *tsk)
{
	/* CPU 3 (node 3): the get pulls the line from node 0, the put finds it local */
	mpol_get(tsk, shared_obj, MPOL_PATH_FAULT);
	mpol_put(tsk, shared_obj, MPOL_PATH_FAULT);
}

static void line_back_body(struct task *tsk)
{
	/* CPU 0 again: the owner's last put pulls the line back from node 3 and frees it */
	mpol_put(tsk, shared_obj, MPOL_PATH_INSTALL);
}

static void test_refcount_line_costs(void)
{
	start();
	run_actor(line_owner_body, 0);
	const struct mpol_stats *st = mempolicy_stats(&sim);
	CHECK_EQ_U64(st->remote, 0);
	CHECK_EQ_U64(st->rmw_ns, 0);          /* creating the object is no RMW */
	run_actor(line_remote_body, 3);
	CHECK_EQ_U64(st->gets[MPOL_PATH_FAULT], 1);
	CHECK_EQ_U64(st->puts[MPOL_PATH_FAULT], 1);
	CHECK_EQ_U64(st->remote, 1);
	/* bounce at distance 40: 50 ns x 40/10, then a local RMW: 5 ns */
	CHECK_EQ_U64(sim.cost->bounce_ns[0][3], 200);
	CHECK_EQ_U64(st->rmw_ns, 200 + 5);
	CHECK_EQ_U64(mempolicy_check(&sim, 0, "in the test", true), 0);
	run_actor(line_back_body, 0);
	CHECK_EQ_U64(st->remote, 2);
	CHECK_EQ_U64(st->rmw_ns, 200 + 5 + 200);
	CHECK_EQ_U64(st->puts[MPOL_PATH_INSTALL], 1);
	CHECK_EQ_U64(st->freed, 1);
	teardown();
}

int main(void)
{
	SIMTEST(test_zonelists_of_the_chain);
	SIMTEST(test_policy_strings);
	SIMTEST(test_interleave_offset_truncated);
	SIMTEST(test_refcount_line_costs);
	return check_summary();
}
