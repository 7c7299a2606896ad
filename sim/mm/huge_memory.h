/* huge_memory.h - anonymous transparent huge pages (models mm/huge_memory.c and the THP
 * parts of mm/memory.c, mm/rmap.c, mm/vmscan.c, 6.1). Spec: reference/thp-khugepaged.md.
 *
 * Modelled: eligibility (hugepage_vma_check: transparent_hugepage.enabled, VM_HUGEPAGE /
 * VM_NOHUGEPAGE, prctl(PR_SET_THP_DISABLE), aligned 2 MiB range inside the VMA), the huge
 * PMD fault (do_huge_pmd_anonymous_page: gfp from transparent_hugepage.defrag, 2 MiB zeroing
 * charged, fallback to a 4 KiB fault), the huge zero page on read faults
 * (transparent_hugepage.use_zero_page), splitting a PMD into 512 PTEs (__split_huge_pmd) when
 * only part of it is unmapped, mprotected, MADV_DONTNEED'd or mremapped, or on a write to a
 * shared huge PMD or to the huge zero page (6.1 COW of a huge page = split + 4 KiB COW),
 * splitting the page itself (split_huge_page) from the deferred split queue's shrinker and
 * from reclaim before swap-out (no THP swap in 6.1's default config: thp_swpout_fallback),
 * fork copying a huge PMD (copy_huge_pmd), zap of a whole huge PMD (zap_huge_pmd),
 * migration of a whole THP to another node (migrate_thp, for NUMA migration). Compaction
 * does not move THPs (6.1 skips compound pages; compaction.c already does).
 * Not modelled: file/shmem THPs, THP swap-out (CONFIG_THP_SWAP), memcg charging (no
 * thp_fault_fallback_charge ever counted), NUMA balancing of huge PMDs, MADV_COLLAPSE
 * (khugepaged.c), PUD-sized pages, the huge zero page's shrinker, GUP pins.
 *
 * For khugepaged's collapse (reference §6): alloc_transhuge_page(gfp, node, mask);
 * pmdp_collapse_flush() takes the old PTE table out of the PMD; copy or zero each 4 KiB
 * (charge it), clear each PTE, page_remove_rmap() and put_user_page() the old pages, set
 * the table's nr_present to 0; then set_huge_pmd_anon(vma, haddr, head, table) deposits
 * it under the new huge PMD. On failure pte_free() the table only if it was not put back.
 *
 * ---- Representation of a THP (compound page of order 9) in struct page_desc ----
 *
 * A THP is an order-9 block from the buddy allocator (naturally 2 MiB aligned in pfn
 * space), prepared by prep_transhuge_page():
 *   - head (pfn % 512 == 0): PG_head, order 9 in the order field (as for any order > 0
 *     allocation), plus PG_transhuge; PG_anon | PG_swapbacked once mapped. The head is the
 *     THP's only LRU entry (page_desc.next/prev link it; the LRU counters count 512 pages
 *     for it) and carries PG_lru, PG_active, PG_referenced, PG_isolated for the whole THP.
 *   - tails (pfn % 512 != 0): PG_tail (and PG_anon | PG_swapbacked once mapped). The head
 *     of any subpage is thp_head(pfn) = pfn & ~511.
 *   - page[1].next holds the compound mapcount (how many huge PMDs map the THP); read it
 *     with compound_mapcount(). Tails are never on a list, so their links are free.
 *   - page_desc.mapcount of every subpage (head included) counts only the PTEs mapping
 *     that subpage (a PTE-mapped THP after __split_huge_pmd). The kernel's
 *     page_mapcount(subpage) is subpage.mapcount + compound_mapcount; total_mapcount()
 *     sums it over the 512 subpages.
 *   - References are kept per subpage, unlike the kernel's single folio count: a huge PMD
 *     mapping holds one reference on the head; a PTE mapping holds one reference on the
 *     subpage it maps (so the existing 4 KiB paths - fork's copy, COW's reuse test,
 *     reclaim's and compaction's pin checks - work on a subpage unchanged). The THP is
 *     freed, as one order-9 block, when the references of all 512 subpages are gone
 *     (put_user_page notices a compound page and checks the whole block).
 *   - PG_anon_exclusive on a subpage is 6.1's PageAnonExclusive: set when the THP is
 *     mapped for the first time, cleared by fork; a write fault reuses a write-protected
 *     subpage (or huge PMD) only while it is set, or while the PMD's is the only reference.
 *   - Deferred split: a THP is queued when a subpage loses its last PTE while no huge PMD
 *     maps the THP, or when the last huge PMD goes while some but not all subpages are
 *     PTE-mapped (6.1's PageDoubleMap rules); PG_deferred_split marks queued heads.
 *   - rmap: every subpage is filed under the anon_vma with its own linear index (the
 *     head's index + i), so a subpage is found by rmap_walk whether it is PTE- or
 *     PMD-mapped; the anon_vma counts 512 pages for a THP.
 *   - NR_ANON_THPS counts THPs that at least one huge PMD maps (in THPs, as /proc/vmstat
 *     nr_anon_transparent_hugepages shows it). NR_ANON_MAPPED counts subpages mapped by a
 *     PMD or a PTE (each subpage once). MM_ANONPAGES (rss_anon) of an mm counts 512 per
 *     huge PMD plus one per PTE.
 *   - A PMD-mapped THP is a struct pmd_slot of kind PMD_HUGE whose huge entry is a
 *     PTE-format entry (PTE_PRESENT, PTE_WRITE, PTE_DIRTY, PTE_YOUNG, pfn of the head) in a
 *     VMA without VM_HUGETLB (hugetlb uses the same slot kind in VM_HUGETLB VMAs). The huge
 *     zero page is the entry PTE_PRESENT | PTE_ZERO (no pfn; read-only). Every anonymous
 *     huge PMD has a deposited PTE table in slot->table (allocated, counted in nr_ptes and
 *     NR_PAGETABLE, all PTEs clear), withdrawn when the PMD is split (it becomes the PTE
 *     table) and freed when the PMD is zapped, as pgtable_trans_huge_deposit/withdraw do.
 *
 * Locks: the PMD lock is mm->page_table_lock (upper levels share it in this model); the
 * fault path holds mmap_lock for read; splits called from the VMA code hold it for write
 * (munmap, mprotect, mremap) or read (MADV_DONTNEED). The deferred split queue has its own
 * spinlock ("&ds_queue->split_queue_lock"), one per node as pgdat->deferred_split_queue. */
#ifndef MMSIM_MM_HUGE_MEMORY_H
#define MMSIM_MM_HUGE_MEMORY_H

#include "mm/gfp.h"
#include "mm/memory.h"
#include "mm/mm_types.h"
#include "mm/mmzone.h"

struct sim;
struct task;

/* HPAGE_PMD_ORDER (9) and HPAGE_PMD_NR (512) are in types.h. */
#define HPAGE_PMD_SIZE PMD_SIZE

#define VM_FAULT_FALLBACK 0x0800       /* huge fault not possible: do a 4 KiB fault */

static inline u64 thp_head(u64 pfn)
{
	return pfn & ~(u64)(HPAGE_PMD_NR - 1);
}

/* The page is part of a THP (head or tail). */
static inline bool page_is_thp(const struct page_desc *pg)
{
	return pg->flags & (PG_transhuge | PG_tail);
}

/* head: the THP's head descriptor (page[0]); page[1].next is the compound mapcount. */
static inline u32 compound_mapcount(const struct page_desc *head)
{
	return head[1].next;
}

/* Module state (per sim): the sysfs knobs as written at run time, the huge zero page,
 * the deferred split queues. thp_create sets sim->thp. */
struct thp_state;
struct thp_cfg;
struct thp_state *thp_create(struct sim *sim);
void thp_destroy(struct thp_state *t);
/* transparent_hugepage.{enabled,defrag,use_zero_page} now (the scenario's until a sysfs
 * write changes them; the scenario's when sim->thp is NULL, as in unit tests). */
const struct thp_cfg *thp_cfg(const struct sim *sim);

/* Hooks for khugepaged.c (any may be NULL): khugepaged_enter_vma runs when a VMA may get
 * THPs (the THP fault, MADV_HUGEPAGE), as the kernel's khugepaged_enter_vma; enabled_changed
 * after a write to transparent_hugepage/enabled (start_stop_khugepaged). */
struct thp_hooks {
	void *arg;
	void (*khugepaged_enter_vma)(void *arg, struct task *tsk, struct vm_area_struct *vma);
	void (*enabled_changed)(void *arg, struct task *tsk);
};
void thp_set_hooks(struct sim *sim, const struct thp_hooks *h);

/* A write to /sys/kernel/mm/transparent_hugepage/<file>: "enabled" takes an enum
 * thp_enabled, "defrag" an enum thp_defrag, "use_zero_page" 0 or 1; value -1 stands for
 * a word the file does not accept. Returns 0 or -MM_EINVAL (the kernel's -EINVAL);
 * *known false for a file this model does not handle (khugepaged/..., shmem_enabled). */
int thp_sysfs_store(struct task *tsk, const char *file, s64 value, bool *known);

/* ---- eligibility ---- */

/* [addr & ~(2M-1), +2M) lies inside the VMA (and, for a file VMA, the file offset is
 * aligned the same way). */
bool transhuge_vma_suitable(const struct vm_area_struct *vma, u64 addr);
/* hugepage_vma_check (reference §2): may the VMA have THPs? in_pf: asked from a page
 * fault; enforce_sysfs: apply transparent_hugepage.enabled (MADV_COLLAPSE does not);
 * smaps: asked for the THPeligible line. */
bool hugepage_vma_check(const struct sim *sim, const struct vm_area_struct *vma, bool smaps,
			bool in_pf, bool enforce_sysfs);

/* ---- allocation and installation (used by khugepaged's collapse too) ---- */

/* vma_thp_gfp_mask: the fault-time gfp for this VMA from transparent_hugepage.defrag
 * (reference §3 table). */
gfp_t vma_thp_gfp_mask(const struct sim *sim, const struct vm_area_struct *vma);
/* Allocate a THP (order 9, __GFP_COMP added) for haddr of vma through its memory policy
 * (mempolicy.h vma_alloc_hugepage: interleave by huge-page index; otherwise the preferred
 * node alone with __GFP_THISNODE | __GFP_NORETRY first, then, only when gfp allows direct
 * reclaim, the allowed nodes with gfp). prep_transhuge_page is done
 * (PG_transhuge/PG_tail, compound mapcount 0); the head holds the allocation's one
 * reference. Counts nothing in thp_* (callers count fault/collapse events). Returns the
 * head pfn or PFN_NONE. May block. */
u64 alloc_hugepage_vma(struct task *tsk, gfp_t gfp, struct vm_area_struct *vma, u64 haddr);
/* A THP with gfp used as given and an allowed-nodes mask (0 = all) with nid preferred
 * (-1: the task's node; khugepaged: the node with most of the range's pages). */
u64 alloc_transhuge_page(struct task *tsk, gfp_t gfp, int nid, u64 nodemask);
/* Free a THP that was allocated and never mapped (only the allocation's reference). */
void free_transhuge_page(struct task *tsk, u64 head);
/* The huge zero page's head pfn, PFN_NONE until a read fault allocated it (it is kept for
 * the rest of the run: the kernel's huge zero page shrinker is not modelled). */
u64 huge_zero_page_pfn(const struct sim *sim);

/* Map the allocated, zeroed or filled THP head at haddr (2 MiB aligned, inside vma, which
 * must have an anon_vma: anon_vma_prepare) with a huge PMD, writable if the VMA is:
 * page_add_new_anon_rmap for the 512 subpages, compound mapcount 1, NR_ANON_THPS,
 * NR_ANON_MAPPED, MM_ANONPAGES += 512, LRU add. The allocation's reference becomes the
 * mapping's. deposit: the PTE table to deposit under the PMD (khugepaged passes the old,
 * now empty table it took out with pmdp_collapse_flush); NULL: one is allocated (fails
 * with -MM_ENOMEM, nothing changed). The PMD must be empty (PMD_NONE or no slot): returns
 * -MM_EAGAIN if it is not (the caller frees the page). Takes and releases the PMD lock
 * (mm->page_table_lock); caller holds mmap_lock (read or write). Returns 0 on success. */
int set_huge_pmd_anon(struct task *tsk, struct vm_area_struct *vma, u64 haddr, u64 head,
		      struct pte_table *deposit);
/* Take the PTE table out of the PMD at haddr (pmdp_collapse_flush): the PMD becomes empty
 * and the table, still counted in nr_ptes/NR_PAGETABLE, is returned with its PTEs intact
 * (NULL if the PMD does not map a PTE table). Caller holds mmap_lock for write; takes the
 * PMD lock; charges a TLB flush. */
struct pte_table *pmdp_collapse_flush(struct task *tsk, struct mm_struct *mm, u64 haddr);
/* (pte_free in memory.h frees a table taken out by pmdp_collapse_flush and not
 * deposited; pte_alloc_one allocates one.) */

/* ---- lookups ---- */

/* The huge PMD mapping addr of an anonymous VMA (a THP or the huge zero page), or NULL.
 * Caller holds mmap_lock. */
struct pmd_slot *pmd_trans_huge_lookup(struct mm_struct *mm, const struct vm_area_struct *vma,
				       u64 addr);
/* The THP head a huge PMD at addr maps, PFN_NONE if none (or the huge zero page). */
u64 pmd_thp_head(struct mm_struct *mm, const struct vm_area_struct *vma, u64 addr);
/* Sum over the 512 subpages of their PTE mapcounts, plus 512 x compound mapcount. */
u64 total_mapcount(const struct sim *sim, u64 head);

/* ---- the fault path (memory.c) ---- */

/* do_huge_pmd_anonymous_page: addr in an anonymous VMA whose PMD is empty and
 * hugepage_vma_check(in_pf) passed. 0 (mapped), VM_FAULT_FALLBACK, or VM_FAULT_OOM.
 * mmap_lock held for read. */
vm_fault_t do_huge_pmd_anonymous_page(struct task *tsk, struct vm_area_struct *vma, u64 addr,
				      unsigned flags);
/* do_huge_pmd_wp_page: write to a read-only huge PMD: reuse (exclusive THP), else split
 * the PMD and return VM_FAULT_FALLBACK (6.1: COW happens on the 4 KiB page). */
vm_fault_t do_huge_pmd_wp_page(struct task *tsk, struct vm_area_struct *vma, u64 addr);

/* ---- splitting ---- */

/* __split_huge_pmd: replace the huge PMD at haddr by its deposited PTE table filled with
 * 512 PTEs (subpages, or the 4 KiB zero page for the huge zero page), with the same
 * write/dirty/young bits; thp_split_pmd. The THP stays compound (PTE-mapped). No-op if
 * the PMD is not huge. Takes the PMD lock. */
void __split_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr);
/* split_huge_pmd_address: split the huge PMD containing addr when addr is not 2 MiB
 * aligned (a VMA boundary is being made there: vma_adjust_trans_huge). */
void split_huge_pmd_address(struct task *tsk, struct vm_area_struct *vma, u64 addr);
/* split_huge_page: split the THP into 512 order-0 pages (PMD mappings are split first
 * through rmap); subpages nobody maps or references any more are freed. Returns 0
 * (thp_split_page) or -MM_EBUSY (an extra pin; thp_split_page_failed). */
int split_huge_page(struct task *tsk, u64 head);
/* An rmap_walk_pmd callback collecting (vma, haddr) pairs into the struct u64_vec arg. */
void thp_collect_pmd(void *arg, struct vm_area_struct *vma, u64 haddr);
/* split_huge_page_to_list: the same for reclaim, whose caller holds the head isolated: the
 * tails still referenced are isolated too (a reference each, PG_isolated) and appended
 * to list instead of going back on the LRU. */
struct u64_vec;
int split_huge_page_to_list(struct task *tsk, u64 head, struct u64_vec *list);
/* deferred_split_huge_page: queue a partly unmapped THP (thp_deferred_split_page once). */
void deferred_split_huge_page(struct task *tsk, u64 head);
/* The deferred split shrinker (deferred_split_scan) for node nid: split up to nr queued
 * THPs; returns the number split. */
u64 deferred_split_scan(struct task *tsk, unsigned nid, u64 nr);
/* Queued THPs of node nid (deferred_split_count). */
u64 deferred_split_count(const struct sim *sim, unsigned nid);
/* The shrinker as shrink_slab runs it from reclaim of node nid at a priority (12 = the
 * gentlest, 0 = drop_caches): do_shrink_slab's scan target (queue >> priority) * 2, in
 * batches of 128, the unscanned part carried over. */
void shrink_deferred_split(struct task *tsk, unsigned nid, int priority);

/* ---- teardown and fork (memory.c) ---- */

/* zap_huge_pmd: clear the huge PMD at haddr (the whole 2 MiB is being unmapped), drop
 * the mapping's reference and free the deposited table. Takes the PMD lock. */
void zap_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr);
/* copy_huge_pmd: fork shares the huge PMD at haddr of src with dst (both write-protected,
 * compound mapcount + 1, the child's deposited table allocated). -MM_ENOMEM on failure. */
int copy_huge_pmd(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src,
		  u64 haddr);

/* ---- the VMA code (mmap.c) ---- */

/* change_huge_pmd (mprotect of a whole huge PMD): write-protect it, or make it writable
 * again when it is dirty and the THP is exclusive. Takes the PMD lock. */
void change_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr, bool writable);
/* move_huge_pmd (mremap of a whole aligned PMD to an aligned address): the huge entry and
 * its deposited table move; the pages and their rmap stay. Returns 0. */
int move_huge_pmd(struct task *tsk, struct mm_struct *mm, u64 old_haddr, u64 new_haddr);
/* The VMA may get THPs now (MADV_HUGEPAGE, the THP fault): calls khugepaged's hook. */
void khugepaged_enter_vma(struct task *tsk, struct vm_area_struct *vma);

/* ---- reclaim (vmscan.c) and madvise ---- */

/* References held on the THP (summed over the subpages: folio_ref_count). */
u64 thp_ref_count(const struct sim *sim, u64 head);
/* folio_referenced for a THP: young huge PMDs and young PTEs of its subpages, cleared. */
unsigned thp_referenced(struct task *tsk, u64 head);
/* Before MADV_FREE/MADV_PAGEOUT walk PTEs of [start, end): huge PMDs overlapping it are
 * split (with keep_whole_pmds, only those partly inside), then THPs it maps by PTEs that
 * no other process maps are split (split_huge_page), as madvise_free_pte_range and
 * madvise_cold_or_pageout_pte_range do. */
void split_thps_in_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end,
			 bool keep_whole_pmds);
/* madvise_free_huge_pmd: MADV_FREE of the whole huge PMD at haddr: a THP only it maps is
 * made clean and old and lazily free as a unit (no longer swap-backed: reclaim discards it
 * whole while it stays clean). Returns the pages marked (512 or 0). Takes the PMD lock. */
u64 madvise_free_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr);
/* Only one huge PMD maps the THP and no PTE (page_mapcount == 1 for a PMD-mapped THP). */
bool thp_exclusive_pmd(const struct sim *sim, u64 head);

/* ---- migration (NUMA) ---- */

/* Move the THP to node nid as a whole (migrate_pages of a PMD-mappable folio). The caller
 * isolated the head from the LRU (isolate_lru_page; PG_isolated and one reference of its
 * own). A THP on node nid (GFP_TRANSHUGE_LIGHT | __GFP_THISNODE) receives the 2 MiB
 * (copy_2m charged), every huge PMD and PTE mapping is re-pointed through rmap, the page
 * state, rmap entries, node counters and deferred-split membership move, the old THP is
 * freed: 0 with *new_head (isolated, holding the caller's reference: putback_lru_page and
 * put it), thp_migration_success, pgmigrate_success += 512. -MM_EAGAIN: a reference that
 * is not a mapping pins it (thp_migration_fail, pgmigrate_fail += 512). -MM_ENOMEM: no huge
 * page on nid: the THP was split (thp_migration_split, thp_split_page; the head stays
 * isolated, the tails still referenced are isolated onto split_list as by
 * split_huge_page_to_list, or go back on the LRU when it is NULL) and the caller migrates
 * the pages one by one, as the kernel's migrate_pages retries the subpages. May block. */
int migrate_thp(struct task *tsk, u64 head, int nid, u64 *new_head, struct u64_vec *split_list);

/* ---- page freeing (rmap.c) ---- */

/* A reference to a subpage of a THP went (its refcount already lowered): when no subpage
 * holds a reference any more the THP leaves the LRU, its rmap entries and the deferred
 * queue and goes back to the allocator as one order-9 block. */
void thp_put_subpage(struct task *tsk, u64 pfn);

/* --check: every THP's compound mapcount equals the huge PMDs rmap finds, each subpage's
 * mapcount the PTEs mapping it, its references at least its mappings, its tails marked.
 * Returns 0 or -1 with msg. A walk over every pfn. */
int check_thps(struct sim *sim, char *msg, size_t msglen);
/* The same for the one THP headed at pfn (--check after an op that moved it). */
int check_thp(struct sim *sim, u64 pfn, char *msg, size_t msglen);

#endif
