// LINK: mmsim_mm
/* test_khugepaged.c - khugepaged.h through its entry points, on a 64 MiB node: the
 * scan_result names of the kernel's trace points, the VMA object reuse find_vma_eq compares
 * (slab LIFO), MADV_COLLAPSE's result codes and outcomes over hand-built ranges (a full
 * range, a never-touched PMD that stops the call with EINVAL, a single-PTE range, a VMA
 * without an anon_vma, a shmem VMA: not modelled), ENOMEM when no huge page can be had,
 * and the khugepaged sysfs files' validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simtest.h"
#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "locks/lockstat.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"
#include "stats/sampler.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static struct scenario scn;
static struct sim sim;

static void setup(void)
{
	memset(&scn, 0, sizeof(scn));
	scn.seed = 1;
	scn.machine.nr_nodes = 1;
	scn.machine.cpus_per_node = 2;
	scn.machine.memory_per_node = 64 * MIB;
	scn.machine.node_memory[0] = 64 * MIB;
	scn.machine.distance[0][0] = 10;
	scn.kernel.vm.watermark_scale_factor = 10;
	scn.kernel.vm.extfrag_threshold = 500;
	scn.kernel.thp.enabled = THP_MADVISE;
	scn.kernel.thp.defrag = THP_DEFRAG_MADVISE;
	scn.kernel.khugepaged = (struct khugepaged_cfg){ .max_ptes_none = 511, .max_ptes_swap = 64,
							 .max_ptes_shared = 256, .pages_to_scan = 4096,
							 .scan_sleep_ns = 10 * 1000000ULL,
							 .alloc_sleep_ns = 10 * 1000000ULL, .defrag = true };
	scn.costs.page_alloc_ns = 10;
	scn.costs.local_access_ns = 80;
	scn.costs.copy_4k_ns = 350;
	scn.costs.zero_4k_ns = 250;
	scn.costs.pte_update_ns = 20;
	scn.costs.atomic_local_ns = 20;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	sim.topo = topology_create(&scn.machine);
	sim.cost = cost_table_create(&scn.costs, sim.topo);
	sim.findings = findings_create();
	sim.sampler = sampler_create();
	sim.lockstat = lockstat_create(sim.findings);
	sim.vmstat = vmstat_create(1);
	sim.eng = engine_create(&sim, &scn);
	sim.phys = phys_mem_create(&sim);
	sim.rmap = rmap_create(&sim);
	lru_create(&sim);
	sim.files = file_table_create(&sim);
	thp_create(&sim);
	khugepaged_create(&sim);
}

static u64 thps(void)
{
	return (u64)global_vm_state(sim.vmstat, NR_ANON_THPS);
}

static void test_names(void)
{
	CHECK_EQ_U64(NR_SCAN_RESULTS, 30);
	CHECK_EQ_STR(scan_result_name(SCAN_FAIL), "failed");
	CHECK_EQ_STR(scan_result_name(SCAN_SUCCEED), "succeeded");
	CHECK_EQ_STR(scan_result_name(SCAN_PMD_MAPPED), "page_pmd_mapped");
	CHECK_EQ_STR(scan_result_name(SCAN_EXCEED_SWAP_PTE), "exceed_swap_pte");
	CHECK_EQ_STR(scan_result_name(SCAN_PAGE_RO), "no_writable_page");
	CHECK_EQ_STR(scan_result_name(SCAN_SCAN_ABORT), "scan_aborted");
	CHECK_EQ_STR(scan_result_name(SCAN_PAGE_COUNT), "not_suitable_page_count");
	CHECK_EQ_STR(scan_result_name(SCAN_DEL_PAGE_LRU), "could_not_delete_page_from_lru");
	CHECK_EQ_STR(scan_result_name(SCAN_STORE_FAILED), "store_failed");
	CHECK_EQ_STR(scan_result_name(NR_SCAN_RESULTS), "?");
}

/* find_vma_eq compares VMA objects: a freed VMA's object goes to the next new VMA. */
static void vma_ids_body(struct task *tsk)
{
	struct vm_area_struct a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	vma_ids_assign(tsk->sim, &a);
	vma_ids_assign(tsk->sim, &b);
	CHECK_EQ_U64(a.vm_id, 1);
	CHECK_EQ_U64(b.vm_id, 2);
	CHECK(a.vm_obj != b.vm_obj);
	vma_ids_release(tsk->sim, &a);
	vma_ids_release(tsk->sim, &b);
	vma_ids_assign(tsk->sim, &c);     /* b's object: freed last */
	vma_ids_assign(tsk->sim, &d);
	CHECK_EQ_U64(c.vm_id, 3);
	CHECK_EQ_U64(c.vm_obj, b.vm_obj);
	CHECK_EQ_U64(d.vm_obj, a.vm_obj);
}

static void test_vma_ids(void)
{
	setup();
	engine_spawn(sim.eng, "test", 0, false, 0, vma_ids_body, NULL, NULL);
	engine_run(sim.eng, 0);
}

/* Ranges at 1 GiB: [0] all 512 pages written, [1] never touched (no PTE table; other
 * PMDs of its 1 GiB exist: SCAN_PMD_NONE), [2] one page written. */
static void madv_collapse_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(tsk->sim, 1000, 0);
	tsk->mm = mm;
	bool modelled;
	CHECK_EQ_S64(vm_mmap(tsk, mm, GIB, 6 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)GIB);
	/* no anon_vma yet: hugepage_vma_check refuses, EINVAL at once */
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB, 6 * MIB, MADV_COLLAPSE, &modelled), -MM_EINVAL);
	CHECK(modelled);
	CHECK_EQ_S64(touch_range(tsk, mm, GIB, 2 * MIB, true), 512);
	CHECK_EQ_S64(touch_range(tsk, mm, GIB + 4 * MIB, PAGE_SIZE, true), 1);
	/* range 0 collapses, range 1 stops the walk: EINVAL; range 2 is not looked at */
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB, 6 * MIB, MADV_COLLAPSE, &modelled), -MM_EINVAL);
	CHECK_EQ_U64(thps(), 1);
	const struct khugepaged_stats *st = khugepaged_get_stats(tsk->sim);
	CHECK_EQ_U64(st->result[COLLAPSE_MADVISE][SCAN_SUCCEED], 1);
	CHECK_EQ_U64(st->result[COLLAPSE_MADVISE][SCAN_PMD_NONE], 1);
	CHECK_EQ_U64(st->result[COLLAPSE_MADVISE][SCAN_EXCEED_NONE_PTE], 0);
	/* range 2 alone: 511 none PTEs, no limit for MADV_COLLAPSE */
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB + 4 * MIB, 2 * MIB, MADV_COLLAPSE, &modelled), 0);
	CHECK_EQ_U64(thps(), 2);
	/* both PMD-mapped now: 0, nothing allocated */
	s64 allocs = global_vm_state(tsk->sim->vmstat, THP_COLLAPSE_ALLOC);
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB, 2 * MIB, MADV_COLLAPSE, &modelled), 0);
	CHECK_EQ_S64(global_vm_state(tsk->sim->vmstat, THP_COLLAPSE_ALLOC), allocs);
	CHECK_EQ_U64(st->result[COLLAPSE_MADVISE][SCAN_PMD_MAPPED], 1);
	/* a range holding no whole PMD range: nothing to do, 0 (0 THPs of 0 ranges) */
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB + 4 * MIB, 4096, MADV_COLLAPSE, &modelled), 0);
	CHECK_EQ_U64(st->collapses[COLLAPSE_MADVISE], 2);
	CHECK_EQ_U64(st->collapses[COLLAPSE_KHUGEPAGED], 0);
	CHECK_EQ_U64(st->madv_collapse_calls, 5);
	/* shmem (MAP_SHARED|MAP_ANONYMOUS): file collapse is not modelled, so said */
	CHECK_EQ_S64(vm_mmap(tsk, mm, 2 * GIB, 2 * MIB, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED), (s64)(2 * GIB));
	CHECK_EQ_S64(touch_range(tsk, mm, 2 * GIB, PAGE_SIZE, true), 1);
	CHECK_EQ_S64(vm_madvise(tsk, mm, 2 * GIB, 2 * MIB, MADV_COLLAPSE, &modelled), 0);
	CHECK(!modelled);

	/* sysfs: khugepaged/<file>, the kernel's ranges */
	bool known;
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/max_ptes_none", 512, &known), -MM_EINVAL);
	CHECK(known);
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/max_ptes_none", 256, &known), 0);
	CHECK_EQ_U64(khugepaged_cfg(tsk->sim)->max_ptes_none, 256);
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/pages_to_scan", 0, &known), -MM_EINVAL);
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/defrag", 2, &known), -MM_EINVAL);
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/scan_sleep_millisecs", 100, &known), 0);
	CHECK_EQ_U64(khugepaged_cfg(tsk->sim)->scan_sleep_ns, 100 * 1000000ULL);
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "khugepaged/full_scans", 1, &known), 0);
	CHECK(!known);                /* read-only: not a knob */
	CHECK_EQ_S64(khugepaged_sysfs_store(tsk, "enabled", 1, &known), 0);
	CHECK(!known);
	mmput(tsk, mm);
	tsk->mm = NULL;
	CHECK_EQ_U64(thps(), 0);
	CHECK_EQ_U64(findings_total(tsk->sim->findings), 0);
}

static void test_madv_collapse(void)
{
	setup();
	engine_spawn(sim.eng, "test", 0, false, 0, madv_collapse_body, NULL, NULL);
	engine_run(sim.eng, 0);
}

/* No free 2 MiB block (60 MiB of the 64 MiB written, no reclaim or compaction to help):
 * MADV_COLLAPSE fails with ENOMEM, thp_collapse_alloc_failed counts it. */
static void enomem_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(tsk->sim, 1000, 0);
	tsk->mm = mm;
	bool modelled;
	CHECK_EQ_S64(vm_mmap(tsk, mm, GIB, 60 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)GIB);
	CHECK_EQ_S64(touch_range(tsk, mm, GIB, 60 * MIB, true), 60 * 256);
	CHECK_EQ_S64(vm_madvise(tsk, mm, GIB, 2 * MIB, MADV_COLLAPSE, &modelled), -MM_ENOMEM);
	CHECK_EQ_S64(global_vm_state(tsk->sim->vmstat, THP_COLLAPSE_ALLOC_FAILED), 1);
	CHECK_EQ_S64(global_vm_state(tsk->sim->vmstat, THP_COLLAPSE_ALLOC), 0);
	CHECK_EQ_U64(khugepaged_get_stats(tsk->sim)->result[COLLAPSE_MADVISE][SCAN_ALLOC_HUGE_PAGE_FAIL], 1);
	CHECK_EQ_U64(thps(), 0);
	mmput(tsk, mm);
	tsk->mm = NULL;
}

static void test_enomem(void)
{
	setup();
	engine_spawn(sim.eng, "test", 0, false, 0, enomem_body, NULL, NULL);
	engine_run(sim.eng, 0);
}

int main(void)
{
	test_names();
	SIMTEST(test_vma_ids);
	SIMTEST(test_madv_collapse);
	SIMTEST(test_enomem);
	return check_summary();
}
