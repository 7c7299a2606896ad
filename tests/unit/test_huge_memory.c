// LINK: mmsim_mm
/* test_huge_memory.c - THP faults on a fragmented 16 MiB node (4096 pages, 8 pageblocks)
 * under each transparent_hugepage.defrag mode, madvised and not: whether the fault
 * compacts directly (compact_stall, the THP mapped), wakes kcompactd and falls back
 * (thp_fault_fallback, then kcompactd makes a block and the next fault gets a THP), or
 * just falls back. The node is fragmented as in test_compaction.c: pageblocks 0-3 keep
 * pfns 0,1 of every 4, pageblocks 4-7 their first halves (no free order-9 block; 1024
 * movable pages to move). Reference: thp-khugepaged.md §3 (the defrag/gfp table). */
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
#include "engine/task.h"
#include "locks/rwsem.h"
#include "locks/lockstat.h"
#include "mm/compaction.h"
#include "mm/huge_memory.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

#define MIB (1ULL << 20)
#define NPAGES 4096
#define BASE 0x40000000ULL

static struct scenario scn;
static struct sim sim;
static u64 held[NPAGES];

static int test_migrate(void *arg, struct task *tsk, u32 id, u64 index, u64 old_pfn, u64 new_pfn)
{
	(void)arg;
	(void)tsk;
	(void)id;
	if (index >= NPAGES || held[index] != old_pfn)
		return -MM_EAGAIN;
	held[index] = new_pfn;
	return 0;
}

static void setup(unsigned defrag)
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
	scn.kernel.thp.enabled = THP_ALWAYS;
	scn.kernel.thp.defrag = defrag;
	scn.kernel.thp.use_zero_page = true;
	scn.costs.page_alloc_ns = 10;
	scn.costs.local_access_ns = 80;
	scn.costs.copy_4k_ns = 350;
	scn.costs.zero_4k_ns = 250;
	scn.costs.zero_2m_ns = 120000;
	scn.costs.atomic_local_ns = 20;
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	simcore_create(&sim, &scn, 1);
	sim.rmap = rmap_create(&sim);
	rmap_set_external(sim.rmap, test_migrate, NULL);
	lru_create(&sim);
	compaction_create(&sim);
	thp_create(&sim);
	for (unsigned i = 0; i < NPAGES; i++)
		held[i] = PFN_NONE;
}

static void teardown(void)
{
	thp_destroy(sim.thp);
	compaction_destroy(sim.compaction);
	lru_destroy(sim.lru);
	rmap_destroy(sim.rmap);
	simcore_destroy(&sim);
}

static s64 vm(enum vm_item i)
{
	return global_vm_state(sim.vmstat, i);
}

static bool keep_pattern(u64 pfn)
{
	return pfn < 2048 ? (pfn & 3) < 2 : (pfn & 511) < 256;
}

/* Fill the node with movable order-0 pages, keep the pattern, free the rest. */
static void fragment(struct task *tsk)
{
	for (;;) {
		u64 pfn = alloc_pages_node(tsk, 0, GFP_ATOMIC | __GFP_MOVABLE, 0);
		if (pfn == PFN_NONE)
			break;
		held[pfn] = pfn;
	}
	for (u64 pfn = 0; pfn < NPAGES; pfn++) {
		if (held[pfn] == PFN_NONE)
			continue;
		if (keep_pattern(pfn)) {
			rmap_set_owner(&sim, pfn, OWNER_EXTERNAL, 0, pfn);
			pfn_to_page(sim.phys, pfn)->flags |= PG_movable;
		} else {
			__free_pages(tsk, pfn, 0);
			held[pfn] = PFN_NONE;
		}
	}
	drain_all_pages(tsk, NULL);
}

/* The fault: an 8 MiB anonymous mapping (madvised or not), one write at its start. */
static struct mm_struct *map_and_touch(struct task *tsk, bool madvised)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	CHECK_EQ_S64(vm_mmap(tsk, mm, BASE, 8 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)BASE);
	if (madvised) {
		bool modelled;
		CHECK_EQ_S64(vm_madvise(tsk, mm, BASE, 8 * MIB, MADV_HUGEPAGE, &modelled), 0);
	}
	CHECK_EQ_S64(touch_range(tsk, mm, BASE, PAGE_SIZE, true), 1);
	return mm;
}

static void check_mm_ok(struct mm_struct *mm)
{
	char msg[256] = "";
	CHECK_EQ_S64(check_mm(&sim, mm, msg, sizeof(msg)), 0);
	if (msg[0])
		fprintf(stderr, "  check_mm: %s\n", msg);
}

/* The THP or the 4 KiB page the fault mapped at BASE. */
static void check_fault(struct mm_struct *mm, bool thp)
{
	struct vm_area_struct *v = vma_lookup(mm, BASE);
	CHECK_EQ_U64(pmd_thp_head(mm, v, BASE) != PFN_NONE, thp);
	CHECK_EQ_S64(vm(THP_FAULT_ALLOC), thp);
	CHECK_EQ_S64(vm(THP_FAULT_FALLBACK), !thp);
	CHECK_EQ_S64(vm(NR_ANON_THPS), thp);
	CHECK_EQ_S64(vm(NR_ANON_MAPPED), thp ? 512 : 1);
	CHECK_EQ_U64(mm->rss_anon, thp ? 512 : 1);
	check_mm_ok(mm);
}

/* ---- direct compaction in the fault ---- */

static bool madvised_case;

static void direct_body(struct task *tsk)
{
	fragment(tsk);
	struct mm_struct *mm = map_and_touch(tsk, madvised_case);
	check_fault(mm, true);
	/* THISNODE|NORETRY first: one async compaction empties pageblock 0 (256 pages) */
	CHECK_EQ_S64(vm(COMPACTSTALL), 1);
	CHECK_EQ_S64(vm(COMPACTSUCCESS), 1);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 256);
	CHECK_EQ_S64(vm(KCOMPACTD_WAKE), 0);
	struct vm_area_struct *v = vma_lookup(mm, BASE);
	CHECK_EQ_U64(pmd_thp_head(mm, v, BASE), 0);   /* the block compaction freed */
	mmput(tsk, mm);
	CHECK_EQ_S64(vm(NR_ANON_THPS), 0);
	CHECK_EQ_S64(vm(NR_ANON_MAPPED), 0);
}

static void run_direct(unsigned defrag, bool madvised)
{
	setup(defrag);
	madvised_case = madvised;
	engine_spawn(sim.eng, "test", 0, false, 0, direct_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

static void test_defrag_always_compacts_directly(void)
{
	run_direct(THP_DEFRAG_ALWAYS, false);   /* GFP_TRANSHUGE | __GFP_NORETRY */
}

static void test_defrag_madvise_compacts_directly_in_madvised_vma(void)
{
	run_direct(THP_DEFRAG_MADVISE, true);   /* LIGHT | __GFP_DIRECT_RECLAIM */
}

static void test_defrag_defer_madvise_compacts_directly_in_madvised_vma(void)
{
	run_direct(THP_DEFRAG_DEFER_MADVISE, true);
}

/* ---- kcompactd woken, fault falls back ---- */

static void defer_body(struct task *tsk)
{
	fragment(tsk);
	struct mm_struct *mm = map_and_touch(tsk, madvised_case);
	check_fault(mm, false);
	CHECK_EQ_S64(vm(COMPACTSTALL), 0);
	/* kcompactd, woken by the failed allocation, compacts in the background */
	task_sleep(tsk, 10 * NSEC_PER_MSEC);
	CHECK_EQ_S64(vm(KCOMPACTD_WAKE), 1);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 256);
	/* the next fault in another 2 MiB range finds the block */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE + 2 * MIB, PAGE_SIZE, true), 1);
	CHECK_EQ_S64(vm(THP_FAULT_ALLOC), 1);
	CHECK_EQ_S64(vm(THP_FAULT_FALLBACK), 1);
	CHECK_EQ_S64(vm(COMPACTSTALL), 0);
	CHECK_EQ_U64(mm->rss_anon, 513);
	check_mm_ok(mm);
	mmput(tsk, mm);
}

static void run_defer(unsigned defrag, bool madvised)
{
	setup(defrag);
	madvised_case = madvised;
	engine_spawn(sim.eng, "test", 1, false, 0, defer_body, NULL, NULL);
	compaction_start_kthreads(sim.compaction);
	engine_run(sim.eng, 0);
	teardown();
}

static void test_defrag_defer_wakes_kcompactd_and_falls_back(void)
{
	run_defer(THP_DEFRAG_DEFER, true);   /* madvised or not: LIGHT | __GFP_KSWAPD_RECLAIM */
}

static void test_defrag_defer_madvise_wakes_kcompactd_outside_madvised_vma(void)
{
	run_defer(THP_DEFRAG_DEFER_MADVISE, false);
}

/* ---- plain fallback: no compaction, no wake-up ---- */

static void fallback_body(struct task *tsk)
{
	fragment(tsk);
	struct mm_struct *mm = map_and_touch(tsk, madvised_case);
	check_fault(mm, false);
	task_sleep(tsk, 10 * NSEC_PER_MSEC);
	CHECK_EQ_S64(vm(COMPACTSTALL), 0);
	CHECK_EQ_S64(vm(KCOMPACTD_WAKE), 0);
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 0);
	/* every further fault falls back the same way */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE + 2 * MIB, PAGE_SIZE, true), 1);
	CHECK_EQ_S64(vm(THP_FAULT_FALLBACK), 2);
	CHECK_EQ_S64(vm(THP_FAULT_ALLOC), 0);
	mmput(tsk, mm);
}

static void run_fallback(unsigned defrag, bool madvised)
{
	setup(defrag);
	madvised_case = madvised;
	engine_spawn(sim.eng, "test", 1, false, 0, fallback_body, NULL, NULL);
	compaction_start_kthreads(sim.compaction);
	engine_run(sim.eng, 0);
	teardown();
}

static void test_defrag_madvise_falls_back_outside_madvised_vma(void)
{
	run_fallback(THP_DEFRAG_MADVISE, false);   /* GFP_TRANSHUGE_LIGHT */
}

static void test_defrag_never_falls_back_even_when_madvised(void)
{
	run_fallback(THP_DEFRAG_NEVER, true);
}

/* ---- compaction does not move THPs (6.1 skips compound pages) ---- */

static void compact_body(struct task *tsk)
{
	fragment(tsk);
	struct mm_struct *mm = map_and_touch(tsk, true);   /* the THP at pfn 0 */
	struct vm_area_struct *v = vma_lookup(mm, BASE);
	CHECK_EQ_U64(pmd_thp_head(mm, v, BASE), 0);
	s64 migrated = vm(PGMIGRATE_SUCCESS);
	/* compact_memory: the other low pageblocks are emptied into the high ones; the
	 * THP's pageblock is skipped whole (isolate_migratepages_block skips compound
	 * pages unless alloc_contig; a block-sized compound page is a persistent skip).
	 * THP migration by compaction came after 6.1. */
	compact_nodes(tsk, -1);
	/* compaction ran (two of the three half-full low pageblocks emptied) ... */
	CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS) - migrated, 512);
	/* ... and the THP is where the fault put it */
	CHECK_EQ_U64(pmd_thp_head(mm, v, BASE), 0);
	CHECK_EQ_S64(vm(NR_ANON_THPS), 1);
	CHECK_EQ_S64(vm(THP_SPLIT_PAGE), 0);
	CHECK_EQ_U64(compound_mapcount(pfn_to_page(sim.phys, 0)), 1);
	check_mm_ok(mm);
	char msg[256] = "";
	CHECK_EQ_S64(check_phys_mem(sim.phys, true, msg, sizeof(msg)), 0);
	mmput(tsk, mm);
}

static void test_compaction_leaves_thp_in_place(void)
{
	setup(THP_DEFRAG_MADVISE);
	engine_spawn(sim.eng, "test", 0, false, 0, compact_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- the TLB benefit in the touch cost (costs.tlb_misses) ---- */

static u64 touch_ns[3];

static void tlb_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	CHECK_EQ_S64(vm_mmap(tsk, mm, BASE, 4 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)BASE);
	bool modelled;
	CHECK_EQ_S64(vm_madvise(tsk, mm, BASE, 2 * MIB, MADV_HUGEPAGE, &modelled), 0);
	/* fault both halves in: a THP at BASE, 512 small pages at BASE + 2 MiB */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE, 4 * MIB, true), 1 + 512);
	tsk->tlb_huge = 0;                     /* no huge-page TLB entry loaded */
	for (unsigned i = 0; i < 3; i++) {
		u64 before = tsk->cpu_ns;
		CHECK_EQ_S64(touch_range(tsk, mm, BASE + (i == 1) * 2 * MIB, 2 * MIB, false), 0);
		touch_ns[i] = tsk->cpu_ns - before;
	}
	mmput(tsk, mm);
}

static void run_tlb(bool on)
{
	setup(THP_DEFRAG_MADVISE);
	scn.kernel.thp.enabled = THP_MADVISE;
	scn.costs.tlb_miss_4k_ns = 25;
	scn.costs.tlb_miss_2m_ns = 15;
	scn.costs.tlb_misses = on;
	cost_table_destroy(sim.cost);
	sim.cost = cost_table_create(&scn.costs, sim.topo);
	thp_destroy(sim.thp);
	thp_create(&sim);                      /* the knobs as changed */
	engine_spawn(sim.eng, "test", 0, false, 0, tlb_body, NULL, NULL);
	engine_run(sim.eng, 0);
	/* 512 reads of 80 ns in each 2 MiB; with TLB misses, 512 x 25 ns more for the small
	 * pages and one 15 ns walk for the huge mapping, the first time */
	CHECK_EQ_U64(touch_ns[0], 512 * 80 + (on ? 15 : 0));
	CHECK_EQ_U64(touch_ns[1], 512 * 80 + (on ? 512 * 25 : 0));
	/* back in the huge mapping: its entry is still loaded (the 4 KiB pages use the
	 * other TLB) */
	CHECK_EQ_U64(touch_ns[2], 512 * 80);
	teardown();
}

static void test_touch_cost_without_tlb_misses(void)
{
	run_tlb(false);
}

static void test_tlb_misses_make_huge_mappings_cheaper_to_touch(void)
{
	run_tlb(true);
}

/* ---- NUMA migration of a whole THP ---- */

static bool fill_target;

static void migrate_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	CHECK_EQ_S64(vm_mmap(tsk, mm, BASE, 4 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)BASE);
	CHECK_EQ_S64(touch_range(tsk, mm, BASE, PAGE_SIZE, true), 1);
	struct vm_area_struct *v = vma_lookup(mm, BASE);
	u64 head = pmd_thp_head(mm, v, BASE);
	CHECK_EQ_U64(page_to_nid(sim.phys, head), 0);
	if (fill_target)
		while (alloc_pages_node(tsk, 1, GFP_ATOMIC | __GFP_THISNODE, 0) != PFN_NONE)
			;
	lru_add_drain(tsk);
	CHECK(isolate_lru_page(tsk, head, false));
	pfn_to_page(sim.phys, head)->refcount++;
	pfn_to_page(sim.phys, head)->flags |= PG_isolated;
	u64 nh;
	struct u64_vec tails = { 0 };
	int rc = migrate_thp(tsk, head, 1, &nh, &tails);
	if (!fill_target) {
		CHECK_EQ_S64(rc, 0);
		CHECK_EQ_U64(page_to_nid(sim.phys, nh), 1);
		CHECK_EQ_U64(pmd_thp_head(mm, v, BASE), nh);
		CHECK_EQ_S64(vm(THP_MIGRATION_SUCCESS), 1);
		CHECK_EQ_S64(vm(PGMIGRATE_SUCCESS), 512);
		CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NR_ANON_THPS), 0);
		CHECK_EQ_S64(node_page_state(sim.vmstat, 1, NR_ANON_THPS), 1);
		CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NR_ANON_MAPPED), 0);
		CHECK_EQ_S64(node_page_state(sim.vmstat, 1, NR_ANON_MAPPED), 512);
		CHECK_EQ_U64(tails.n, 0);
		struct page_desc *np = pfn_to_page(sim.phys, nh);
		np->flags &= ~PG_isolated;
		putback_lru_page(tsk, nh);
		np->refcount--;
		/* the mapping works without a fault */
		CHECK_EQ_S64(touch_range(tsk, mm, BASE, 2 * MIB, true), 0);
	} else {
		CHECK_EQ_S64(rc, -MM_ENOMEM);
		CHECK_EQ_S64(vm(THP_MIGRATION_SPLIT), 1);
		CHECK_EQ_S64(vm(THP_SPLIT_PAGE), 1);
		CHECK_EQ_S64(vm(THP_SPLIT_PMD), 1);
		CHECK_EQ_U64(tails.n, 511);     /* every tail is mapped: isolated for the caller */
		u64_vec_push(&tails, head);
		for (u32 i = 0; i < tails.n; i++) {
			struct page_desc *p = pfn_to_page(sim.phys, tails.v[i]);
			CHECK(!page_is_thp(p));
			p->flags &= ~PG_isolated;
			putback_lru_page(tsk, tails.v[i]);
			p->refcount--;
		}
		CHECK_EQ_S64(node_page_state(sim.vmstat, 0, NR_ANON_MAPPED), 512);
	}
	free(tails.v);
	check_mm_ok(mm);
	char msg[256] = "";
	CHECK_EQ_S64(check_lru(&sim, msg, sizeof(msg)), 0);
	if (msg[0])
		fprintf(stderr, "  check_lru: %s\n", msg);
	mmput(tsk, mm);
	CHECK_EQ_S64(vm(NR_ANON_MAPPED), 0);
	CHECK_EQ_S64(vm(NR_ANON_THPS), 0);
}

static void run_migrate(bool fill)
{
	setup(THP_DEFRAG_MADVISE);
	/* a second 16 MiB node */
	thp_destroy(sim.thp);
	compaction_destroy(sim.compaction);
	lru_destroy(sim.lru);
	rmap_destroy(sim.rmap);
	phys_mem_destroy(sim.phys);
	vmstat_destroy(sim.vmstat);
	topology_destroy(sim.topo);
	scn.machine.nr_nodes = 2;
	scn.machine.node_memory[1] = 16 * MIB;
	scn.machine.distance[0][1] = scn.machine.distance[1][0] = 20;
	scn.machine.distance[1][1] = 10;
	sim.topo = topology_create(&scn.machine);
	cost_table_destroy(sim.cost);
	sim.cost = cost_table_create(&scn.costs, sim.topo);
	sim.vmstat = vmstat_create(2);
	sim.phys = phys_mem_create(&sim);
	sim.rmap = rmap_create(&sim);
	lru_create(&sim);
	compaction_create(&sim);
	thp_create(&sim);
	fill_target = fill;
	engine_spawn(sim.eng, "test", 0, false, 0, migrate_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

static void test_migrate_thp_to_another_node_whole(void)
{
	run_migrate(false);
}

static void test_migrate_thp_splits_when_target_node_has_no_huge_page(void)
{
	run_migrate(true);
}

/* ---- the collapse recipe khugepaged follows (huge_memory.h) ---- */

static void collapse_body(struct task *tsk)
{
	struct mm_struct *mm = mm_alloc(&sim, 1, 0);
	CHECK_EQ_S64(vm_mmap(tsk, mm, BASE, 2 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (s64)BASE);
	/* enabled=madvise, not madvised: 511 small pages (one left empty) */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE + PAGE_SIZE, 2 * MIB - PAGE_SIZE, true), 511);
	CHECK_EQ_U64(mm->rss_anon, 511);
	u64 tables = mm->nr_ptes;
	s64 freed = vm(PGFREE);
	struct vm_area_struct *v = vma_lookup(mm, BASE);
	down_write(tsk, &mm->mmap_lock);
	u64 head = alloc_transhuge_page(tsk, GFP_TRANSHUGE, 0, 0);
	CHECK(head != PFN_NONE);
	struct pte_table *t = pmdp_collapse_flush(tsk, mm, BASE);
	CHECK(t != NULL);
	CHECK(pmd_lookup(mm, BASE) == NULL || pmd_lookup(mm, BASE)->kind == PMD_NONE);
	for (unsigned i = 0; i < PTRS_PER_PTE; i++) {
		pte_t p = pte_get(t, i);
		if (!p)
			continue;
		charge(tsk, sim.cost->copy_4k_ns);
		pte_clear(t, i);
		page_remove_rmap(tsk, mm, pte_pfn(p), NULL);
		put_user_page(tsk, pte_pfn(p));
	}
	t->nr_present = 0;
	CHECK_EQ_S64(set_huge_pmd_anon(tsk, v, BASE, head, t), 0);
	up_write(tsk, &mm->mmap_lock);
	CHECK_EQ_U64(pmd_thp_head(mm, v, BASE), head);
	CHECK_EQ_U64(mm->rss_anon, 512);
	CHECK_EQ_U64(mm->nr_ptes, tables);                  /* the old table is the deposit */
	CHECK_EQ_S64(vm(NR_ANON_THPS), 1);
	CHECK_EQ_S64(vm(NR_ANON_MAPPED), 512);
	CHECK_EQ_S64(vm(PGFREE) - freed, 511);
	CHECK_EQ_U64(total_mapcount(&sim, head), 512);
	check_mm_ok(mm);
	char msg[256] = "";
	CHECK_EQ_S64(check_thps(&sim, msg, sizeof(msg)), 0);
	/* mapped huge: no fault anywhere in the 2 MiB */
	CHECK_EQ_S64(touch_range(tsk, mm, BASE, 2 * MIB, true), 0);
	/* a second install on a PMD that is not empty is refused */
	u64 other = alloc_transhuge_page(tsk, GFP_TRANSHUGE, 0, 0);
	CHECK_EQ_S64(set_huge_pmd_anon(tsk, v, BASE, other, NULL), -MM_EAGAIN);
	free_transhuge_page(tsk, other);
	mmput(tsk, mm);
	CHECK_EQ_S64(vm(NR_ANON_THPS), 0);
	CHECK_EQ_S64(vm(NR_ANON_MAPPED), 0);
	CHECK_EQ_S64(vm(NR_PAGETABLE), 0);
}

static void test_collapse_recipe_installs_a_huge_pmd_over_the_old_table(void)
{
	setup(THP_DEFRAG_MADVISE);
	thp_destroy(sim.thp);
	scn.kernel.thp.enabled = THP_MADVISE;
	thp_create(&sim);
	engine_spawn(sim.eng, "test", 0, false, 0, collapse_body, NULL, NULL);
	engine_run(sim.eng, 0);
	teardown();
}

/* ---- gfp table (reference §3) ---- */

static void test_vma_thp_gfp_mask_table(void)
{
	struct vm_area_struct plain = { .vm_flags = VM_READ | VM_WRITE };
	struct vm_area_struct adv = { .vm_flags = VM_READ | VM_WRITE | VM_HUGEPAGE };
	memset(&scn, 0, sizeof(scn));
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	const gfp_t light = GFP_TRANSHUGE_LIGHT;
	const unsigned modes[] = { THP_DEFRAG_ALWAYS, THP_DEFRAG_DEFER, THP_DEFRAG_DEFER_MADVISE,
				   THP_DEFRAG_MADVISE, THP_DEFRAG_NEVER };
	const gfp_t want_adv[] = { GFP_TRANSHUGE, light | __GFP_KSWAPD_RECLAIM,
				   light | __GFP_DIRECT_RECLAIM, light | __GFP_DIRECT_RECLAIM, light };
	const gfp_t want_plain[] = { GFP_TRANSHUGE | __GFP_NORETRY, light | __GFP_KSWAPD_RECLAIM,
				     light | __GFP_KSWAPD_RECLAIM, light, light };
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		scn.kernel.thp.defrag = modes[i];
		CHECK_EQ_U64(vma_thp_gfp_mask(&sim, &adv), want_adv[i]);
		CHECK_EQ_U64(vma_thp_gfp_mask(&sim, &plain), want_plain[i]);
	}
	CHECK(!(GFP_TRANSHUGE_LIGHT & (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)));
}

/* ---- eligibility (reference §2) ---- */

static void test_hugepage_vma_check_rules(void)
{
	struct mm_struct mm = { 0 };
	struct anon_vma *av = (struct anon_vma *)&mm;   /* any non-NULL anon_vma */
	struct vm_area_struct v = { .vm_start = BASE + MIB, .vm_end = BASE + 6 * MIB,
				    .vm_flags = VM_READ | VM_WRITE, .vm_mm = &mm };
	memset(&scn, 0, sizeof(scn));
	memset(&sim, 0, sizeof(sim));
	sim.scn = &scn;
	scn.kernel.thp.enabled = THP_ALWAYS;
	/* 5 MiB at a 1 MiB offset: [BASE+2M, +2M) and [BASE+4M, +2M) are suitable */
	CHECK(!transhuge_vma_suitable(&v, BASE + MIB));
	CHECK(transhuge_vma_suitable(&v, BASE + 2 * MIB + 12345));
	CHECK(transhuge_vma_suitable(&v, BASE + 5 * MIB));
	/* no anon_vma yet: only a fault (or smaps) may */
	CHECK(hugepage_vma_check(&sim, &v, false, true, true));
	CHECK(!hugepage_vma_check(&sim, &v, false, false, true));
	v.anon_vma = av;
	CHECK(hugepage_vma_check(&sim, &v, false, false, true));
	scn.kernel.thp.enabled = THP_MADVISE;
	CHECK(!hugepage_vma_check(&sim, &v, false, true, true));
	CHECK(hugepage_vma_check(&sim, &v, false, true, false));   /* MADV_COLLAPSE */
	v.vm_flags |= VM_HUGEPAGE;
	CHECK(hugepage_vma_check(&sim, &v, false, true, true));
	scn.kernel.thp.enabled = THP_NEVER;
	CHECK(!hugepage_vma_check(&sim, &v, false, true, true));
	scn.kernel.thp.enabled = THP_ALWAYS;
	mm.thp_disabled = true;                                   /* PR_SET_THP_DISABLE */
	CHECK(!hugepage_vma_check(&sim, &v, false, true, false));
	mm.thp_disabled = false;
	v.vm_flags |= VM_NOHUGEPAGE;
	CHECK(!hugepage_vma_check(&sim, &v, false, true, true));
	v.vm_flags &= ~VM_NOHUGEPAGE;
	/* a VMA without a whole aligned 2 MiB range: only at fault time is it asked per
	 * address (khugepaged skips it) */
	v.vm_end = BASE + 3 * MIB + PAGE_SIZE;
	v.vm_start = BASE + MIB;
	CHECK(!hugepage_vma_check(&sim, &v, false, false, true));
	CHECK(hugepage_vma_check(&sim, &v, false, true, true));
}

int main(void)
{
	RUN_TEST(test_vma_thp_gfp_mask_table);
	RUN_TEST(test_hugepage_vma_check_rules);
	SIMTEST(test_defrag_always_compacts_directly);
	SIMTEST(test_defrag_madvise_compacts_directly_in_madvised_vma);
	SIMTEST(test_defrag_defer_madvise_compacts_directly_in_madvised_vma);
	SIMTEST(test_defrag_defer_wakes_kcompactd_and_falls_back);
	SIMTEST(test_defrag_defer_madvise_wakes_kcompactd_outside_madvised_vma);
	SIMTEST(test_defrag_madvise_falls_back_outside_madvised_vma);
	SIMTEST(test_defrag_never_falls_back_even_when_madvised);
	SIMTEST(test_compaction_leaves_thp_in_place);
	SIMTEST(test_collapse_recipe_installs_a_huge_pmd_over_the_old_table);
	SIMTEST(test_migrate_thp_to_another_node_whole);
	SIMTEST(test_migrate_thp_splits_when_target_node_has_no_huge_page);
	SIMTEST(test_touch_cost_without_tlb_misses);
	SIMTEST(test_tlb_misses_make_huge_mappings_cheaper_to_touch);
	return check_summary();
}
