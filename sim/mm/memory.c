/* memory.c - page tables, page faults (anonymous, file, shared, COW), touches, zap,
 * and the page-table copy of fork. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/lockdep.h"
#include "mm/gfp.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/readahead.h"
#include "mm/mlock.h"
#include "mm/mempolicy.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "mm/filemap.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/page_io.h"
#include "stats/findings.h"
#include "stats/timeline.h"

static DEFINE_LOCK_CLASS(ptl_class, "ptlock_ptr(page)", LOCK_SPIN);

/* A lock site named after the function the lock is taken in before a fast path split it
 * in two (touch_range, pte_alloc): lock_stat and the reports name sites by function. */
#define NAMED_LOCK_SITE(fn)                                                                 \
	({                                                                                  \
		static const struct lock_site __lock_site = { fn, __FILE__, __LINE__ };     \
		&__lock_site;                                                               \
	})

/* ---- the PMD hash ---- */

static u64 pmd_hash(u64 index)
{
	return index * 0x9e3779b97f4a7c15ULL;
}

static struct pmd_slot *pmd_find(struct mm_struct *mm, u64 index, bool create)
{
	if (create && (mm->nr_pmds + 1) * 4 > mm->cap_pmds * 3) {
		/* grow and rehash (tombstones are dropped) */
		u32 ocap = mm->cap_pmds;
		struct pmd_slot *old = mm->pmds;
		mm->cap_pmds = ocap ? 2 * ocap : 64;
		mm->pmds = xcalloc(mm->cap_pmds, sizeof(*mm->pmds));
		mm->nr_pmds = 0;
		mm->pmd_last = NULL;
		for (u32 i = 0; i < ocap; i++) {
			if (old[i].used && old[i].kind != PMD_NONE) {
				struct pmd_slot *s = pmd_find(mm, old[i].index, true);
				*s = old[i];
			}
		}
		free(old);
	}
	if (!mm->cap_pmds)
		return NULL;
	u32 mask = mm->cap_pmds - 1;
	u32 i = (u32)(pmd_hash(index) >> 32) & mask;
	struct pmd_slot *tomb = NULL;
	for (;;) {
		struct pmd_slot *s = &mm->pmds[i];
		if (!s->used) {
			if (!create)
				return NULL;
			if (tomb)
				s = tomb;
			else
				mm->nr_pmds++;
			*s = (struct pmd_slot){ .index = index, .kind = PMD_NONE, .used = true };
			return s;
		}
		if (s->index == index && (s->kind != PMD_NONE || create))
			return s;
		if (s->kind == PMD_NONE && !tomb)
			tomb = s;
		i = (i + 1) & mask;
	}
}

struct pmd_slot *pmd_alloc_slot(struct mm_struct *mm, u64 addr)
{
	return pmd_find(mm, addr >> PMD_SHIFT, true);
}

/* pmd_lookup, with the last slot found checked first: the slot of an index is unique
 * (a creation finds an existing one before a free slot; only a rehash moves them), so
 * the cached one, if it still holds the index in use, is what the probe would return. */
static inline struct pmd_slot *pmd_lookup_cached(struct mm_struct *mm, u64 addr)
{
	u64 index = addr >> PMD_SHIFT;
	struct pmd_slot *s = mm->pmd_last;
	if (likely(s && s->index == index && s->kind != PMD_NONE))
		return s;
	s = pmd_find(mm, index, false);
	if (s)
		mm->pmd_last = s;
	return s;
}

struct pmd_slot *pmd_lookup(struct mm_struct *mm, u64 addr)
{
	return pmd_lookup_cached(mm, addr);
}

void pgtables_destroy(struct task *tsk, struct mm_struct *mm)
{
	for (u32 i = 0; i < mm->cap_pmds; i++) {
		struct pte_table *t = mm->pmds[i].table;
		if (tsk && t && mm->pmds[i].kind == PMD_TABLE) {
			/* free_pgtables at exit: return the table pages left by partial unmaps */
			mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, t->pfn), NR_PAGETABLE, -1);
			__free_pages(tsk, t->pfn, 0);
			mm->nr_ptes--;
		}
		pte_table_destroy(t);
	}
	free(mm->pmds);
	mm->pmds = NULL;
	mm->pmd_last = NULL;
	mm->cap_pmds = mm->nr_pmds = 0;
}

/* ---- faults ---- */

/* Make sure the PMD covering addr has a PTE table (pte_alloc): the table's page is
 * allocated before taking page_table_lock, and freed if someone else won the race. */
static __attribute__((noinline)) struct pte_table *__pte_alloc(struct task *tsk,
							      struct mm_struct *mm, u64 addr);

static inline struct pte_table *pte_alloc(struct task *tsk, struct mm_struct *mm, u64 addr)
{
	struct pmd_slot *s = pmd_lookup_cached(mm, addr);
	if (likely(s && s->kind == PMD_TABLE))
		return s->table;
	return __pte_alloc(tsk, mm, addr);
}

static __attribute__((noinline)) struct pte_table *__pte_alloc(struct task *tsk,
							      struct mm_struct *mm, u64 addr)
{
	struct pmd_slot *s = pmd_lookup(mm, addr);
	if (s && s->kind == PMD_TABLE)
		return s->table;
	u64 pfn = alloc_pages_task(tsk, GFP_PGTABLE_USER, 0);   /* the task policy */
	if (pfn == PFN_NONE)
		return NULL;
	charge(tsk, tsk->sim->cost->zero_4k_ns);
	spin_lock_at(tsk, &mm->page_table_lock, NAMED_LOCK_SITE("pte_alloc"));
	s = pmd_find(mm, addr >> PMD_SHIFT, true);
	if (s->kind != PMD_NONE) {
		/* a racing fault installed a table (or a huge PMD: no table for us) */
		struct pte_table *won = s->kind == PMD_TABLE ? s->table : NULL;
		spin_unlock_at(tsk, &mm->page_table_lock, NAMED_LOCK_SITE("pte_alloc"));
		__free_pages(tsk, pfn, 0);
		return won;
	}
	struct pte_table *t = pte_table_new(tsk->sim->scn->kernel.plain_pte_tables);
	spin_lock_init(&t->ptl, &ptl_class);
	t->pfn = pfn;
	pfn_to_page(tsk->sim->phys, pfn)->flags |= PG_pgtable;
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_PAGETABLE, 1);
	s->kind = PMD_TABLE;
	s->table = t;
	mm->nr_ptes++;
	if (tsk->sim->cost)
		charge(tsk, tsk->sim->cost->pte_update_ns);
	spin_unlock_at(tsk, &mm->page_table_lock, NAMED_LOCK_SITE("pte_alloc"));
	return t;
}

struct pte_table *pte_alloc_one(struct task *tsk, struct mm_struct *mm)
{
	u64 pfn = alloc_pages_node(tsk, -1, GFP_PGTABLE_USER, 0);
	if (pfn == PFN_NONE)
		return NULL;
	charge(tsk, tsk->sim->cost->zero_4k_ns);
	struct pte_table *t = pte_table_new(tsk->sim->scn->kernel.plain_pte_tables);
	spin_lock_init(&t->ptl, &ptl_class);
	t->pfn = pfn;
	pfn_to_page(tsk->sim->phys, pfn)->flags |= PG_pgtable;
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_PAGETABLE, 1);
	mm->nr_ptes++;
	return t;
}

void pte_free(struct task *tsk, struct mm_struct *mm, struct pte_table *t)
{
	mm->nr_ptes--;
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, t->pfn), NR_PAGETABLE, -1);
	pfn_to_page(tsk->sim->phys, t->pfn)->flags &= ~PG_pgtable;
	__free_pages(tsk, t->pfn, 0);
	pte_table_destroy(t);
}

struct pte_table *pte_alloc_for(struct task *tsk, struct mm_struct *mm, u64 addr)
{
	return pte_alloc(tsk, mm, addr);
}

u64 madv_free_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	u64 n = 0;
	/* huge PMDs partly in the range are split with their THP; whole ones stay huge and
	 * their THP becomes lazily free as a unit (madvise_free_huge_pmd) */
	split_thps_in_range(tsk, vma, start, end, true);
	for (u64 a = ALIGN_UP(start, PMD_SIZE); a + PMD_SIZE <= end; a += PMD_SIZE)
		n += madvise_free_huge_pmd(tsk, vma, a);
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(vma->vm_mm, a);
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			unsigned i = pte_index(x);
			pte_t p = pte_get(t, i);
			if (!(p & PTE_PRESENT) || (p & PTE_ZERO))
				continue;
			struct page_desc *pg = pfn_to_page(tsk->sim->phys, pte_pfn(p));
			if (pg->mapcount != 1 || (pg->flags & PG_swapcache))
				continue;
			pte_clear_flags(t, i, PTE_DIRTY | PTE_YOUNG);
			/* lazily freeable once the CPU's lazyfree batch drains (mark_page_lazyfree):
			 * reclaim then discards it while clean */
			pg->flags &= ~PG_dirty;
			mark_page_lazyfree(tsk, pte_pfn(p));
		}
		spin_unlock(tsk, &t->ptl);
	}
	return n;
}

/* ---- mapping accounting ---- */

static unsigned pfn_nid(struct task *tsk, u64 pfn)
{
	return page_to_nid(tsk->sim->phys, pfn);
}

/* A PTE now maps pfn (page_add_*_rmap): mapcount, RSS and the node's mapped counters. */
static void page_add_map(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	/* a subpage of a THP some PMD maps is counted in NR_ANON_MAPPED already */
	if (pg->mapcount++ == 0 &&
	    !(page_is_thp(pg) && compound_mapcount(pfn_to_page(tsk->sim->phys, thp_head(pfn)))))
		mod_node_page_state(tsk, pfn_nid(tsk, pfn),
				    (pg->flags & PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED, 1);
	if (pg->flags & PG_anon)
		mm->rss_anon++;
	else if (file && file->shmem)
		mm->rss_shmem++;
	else
		mm->rss_file++;
}

/* Pages whose mappings an unmap removed, released together at the end of the unmap (the
 * kernel's mmu_gather: batches of a page's worth of pointers, up to about 10000 pages,
 * after which the PTE lock is dropped to flush). */
#define GATHER_MAX 9690                    /* MAX_GATHER_BATCH_COUNT x MAX_GATHER_BATCH */

static void gather_flush(struct task *tsk, struct u64_vec *g)
{
	put_user_pages(tsk, g->v, g->n);
	g->n = 0;
}

void page_remove_rmap(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (--pg->mapcount == 0) {
		/* A subpage of a THP a huge PMD still maps stays mapped (6.1's PageDoubleMap
		 * extra subpage mapcount); otherwise the THP losing the last PTE of one of its
		 * subpages is queued for splitting (page_remove_rmap). */
		bool pmd_mapped = page_is_thp(pg) &&
				  compound_mapcount(pfn_to_page(tsk->sim->phys, thp_head(pfn)));
		if (!pmd_mapped)
			mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn),
					    (pg->flags & PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
		if (page_is_thp(pg) && !pmd_mapped && (pg->flags & PG_anon))
			deferred_split_huge_page(tsk, thp_head(pfn));
	}
	if (pg->flags & PG_anon)
		mm->rss_anon--;
	else if (file && file->shmem)
		mm->rss_shmem--;
	else
		mm->rss_file--;
}

/* A PTE stopped mapping pfn: the reverse, then the mapping's page reference goes (now,
 * or with the gather g when given). */
static void page_remove_map_g(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file,
			      struct u64_vec *g);

static void page_remove_map(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file)
{
	page_remove_map_g(tsk, mm, pfn, file, NULL);
}

static void page_remove_map_g(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file,
			      struct u64_vec *g)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	page_remove_rmap(tsk, mm, pfn, file);
	/* free_swap_cache: an unmapped swap cache page no swap PTE needs leaves the cache */
	if ((pg->flags & PG_swapcache) && !pg->mapcount && pg->refcount == 2 &&
	    !swap_count(tsk->sim, page_swap_slot(tsk->sim, pfn)))
		delete_from_swap_cache(tsk, pfn);
	if (g)
		u64_vec_push(g, pfn);
	else
		put_user_page(tsk, pfn);
}

static pte_t mk_pte(u64 pfn, bool write)
{
	return (pfn << PTE_PFN_SHIFT) | PTE_PRESENT | PTE_YOUNG | (write ? PTE_WRITE | PTE_DIRTY : 0);
}

/* A new anonymous page for vma at addr, zeroed (src PFN_NONE) or copied from src. */
static u64 new_anon_page(struct task *tsk, struct vm_area_struct *vma, u64 addr, u64 src)
{
	anon_vma_prepare(tsk, vma);
	u64 pfn = alloc_pages_vma(tsk, GFP_HIGHUSER_MOVABLE, 0, vma, addr, MPOL_PATH_FAULT);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	charge(tsk, src == PFN_NONE ? tsk->sim->cost->zero_4k_ns : tsk->sim->cost->copy_4k_ns);
	return pfn;
}

static void install_new_anon(struct task *tsk, struct vm_area_struct *vma, u64 addr, u64 pfn)
{
	pfn_to_page(tsk->sim->phys, pfn)->flags |= PG_anon | PG_swapbacked;
	page_add_new_anon_rmap(tsk->sim, pfn, vma, addr);
	page_add_map(tsk, vma->vm_mm, pfn, NULL);
	folio_add_lru_vma(tsk, pfn, vma);
}

/* ---- faults ---- */

/* do_anonymous_page, or a COW fault (wp on the zero page, on a shared anonymous page, or
 * a write to a private file mapping): allocate a page (zeroed, or a copy of the page the
 * PTE maps), then install it if the PTE is still what we saw. */
static vm_fault_t do_new_page(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
			      unsigned idx, u64 addr, u64 copy_from)
{
	const struct cost_table *c = tsk->sim->cost;
	pte_t seen = pte_get(t, idx);
	u64 pfn = new_anon_page(tsk, vma, addr, copy_from);
	if (pfn == PFN_NONE)
		return VM_FAULT_OOM;
	spin_lock(tsk, &t->ptl);
	if (pte_get(t, idx) != seen) {
		spin_unlock(tsk, &t->ptl);
		__free_pages(tsk, pfn, 0);
		return VM_FAULT_NOPAGE;
	}
	if (!seen)
		t->nr_present++;
	pte_set(t, idx, mk_pte(pfn, true));
	install_new_anon(tsk, vma, addr, pfn);
	charge(tsk, c->pte_update_ns);
	spin_unlock(tsk, &t->ptl);
	/* the page the PTE mapped before (not the zero page) loses this mapping */
	if ((seen & PTE_PRESENT) && !(seen & PTE_ZERO)) {
		if (vma->vm_flags & VM_LOCKED)
			munlock_folio(tsk, pte_pfn(seen));   /* page_remove_rmap's munlock */
		page_remove_map(tsk, vma->vm_mm, pte_pfn(seen), vma->vm_file);
	}
	return 0;
}

static vm_fault_t do_anonymous_read(struct task *tsk, struct pte_table *t, unsigned idx)
{
	spin_lock(tsk, &t->ptl);
	if (!pte_get(t, idx)) {
		pte_set(t, idx, PTE_PRESENT | PTE_ZERO | PTE_YOUNG);
		t->nr_present++;
		charge(tsk, tsk->sim->cost->pte_update_ns);
	}
	spin_unlock(tsk, &t->ptl);
	return 0;
}

/* do_fault_around + filemap_map_pages: a read fault maps every page of the aligned
 * fault_around_bytes window around it that the page cache holds ready (uptodate, not
 * locked, no PG_readahead marker, below i_size), within the VMA and this PTE table, under
 * one PTE lock. True when the faulting address itself got mapped (VM_FAULT_NOPAGE). */
static bool do_fault_around(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
			    unsigned idx, u64 addr)
{
	u64 nr = fault_around_pages(tsk->sim);
	if (nr <= 1)
		return false;
	struct inode *inode = vma->vm_file;
	u64 vma_off = (addr - vma->vm_start) >> PAGE_SHIFT;
	u64 vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	u64 from = max(ALIGN_DOWN((u64)idx, nr), idx - min((u64)idx, vma_off));
	u64 to = min(min(from + nr, (u64)PTRS_PER_PTE), idx + vma_pages - vma_off);
	u64 index0 = vma->vm_pgoff + vma_off - idx;   /* file index of PTE slot 0 */
	u64 pfns[PTRS_PER_PTE];
	for (u64 i = from; i < to; i++)
		pfns[i] = pte_get(t, (unsigned)i) ? PFN_NONE
						  : filemap_map_page_get(tsk, inode, index0 + i);
	bool mapped = false;
	spin_lock(tsk, &t->ptl);
	for (u64 i = from; i < to; i++) {
		if (pfns[i] == PFN_NONE)
			continue;
		if (pte_get(t, (unsigned)i)) {
			spin_unlock(tsk, &t->ptl);
			folio_put(tsk, pfns[i]);
			pfns[i] = PFN_NONE;
			spin_lock(tsk, &t->ptl);
			continue;
		}
		/* the lookup's reference becomes the PTE's */
		pte_set(t, (unsigned)i, mk_pte(pfns[i], false));
		t->nr_present++;
		page_add_map(tsk, vma->vm_mm, pfns[i], inode);
		charge(tsk, tsk->sim->cost->pte_update_ns);
		ra_note_fault_around(tsk->sim);
		if (i == idx)
			mapped = true;
	}
	spin_unlock(tsk, &t->ptl);
	/* page_add_file_rmap's mlock_vma_folio for every page it mapped in a VM_LOCKED VMA */
	if (vma->vm_flags & VM_LOCKED)
		for (u64 i = from; i < to; i++)
			if (pfns[i] != PFN_NONE)
				mlock_folio(tsk, pfns[i]);
	return mapped;
}

/* do_read_fault / do_shared_fault: map the page cache page of the file offset. */
static vm_fault_t do_file_fault(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
				unsigned idx, u64 addr, bool write)
{
	struct inode *inode = vma->vm_file;
	u64 index = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	bool created;
	/* beyond the end of the file (shmem and memfd too: shmem_get_folio refuses it) */
	if (index >= ALIGN_UP(inode->size, PAGE_SIZE) >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	if (!write && do_fault_around(tsk, vma, t, idx, addr))
		return VM_FAULT_NOPAGE;
	u64 pfn;
	if (!inode->shmem) {
		/* filemap_fault: readahead, and a wait for a read in flight */
		bool major, retry;
		pfn = filemap_fault_page(tsk, vma, index, &major, &retry);
		if (pfn != PFN_NONE)
			folio_put(tsk, pfn);
		if (pfn != PFN_NONE && retry) {
			/* VM_FAULT_RETRY after the I/O: the fault runs again, and its
			 * fault-around maps what was just read */
			count_vm_event(tsk, PGFAULT);
			if (!write && do_fault_around(tsk, vma, t, idx, addr))
				return VM_FAULT_NOPAGE;
		}
	} else {
		pfn = filemap_get_page(tsk, inode, index, &created);
	}
	if (pfn == PFN_NONE)
		return VM_FAULT_OOM;
	if (write && !(vma->vm_flags & VM_SHARED)) {
		/* do_cow_fault: a private copy of the file page */
		u64 cow = new_anon_page(tsk, vma, addr, pfn);
		if (cow == PFN_NONE)
			return VM_FAULT_OOM;
		spin_lock(tsk, &t->ptl);
		if (pte_get(t, idx)) {
			spin_unlock(tsk, &t->ptl);
			__free_pages(tsk, cow, 0);
			return VM_FAULT_NOPAGE;
		}
		pte_set(t, idx, mk_pte(cow, true));
		t->nr_present++;
		install_new_anon(tsk, vma, addr, cow);
		charge(tsk, tsk->sim->cost->pte_update_ns);
		spin_unlock(tsk, &t->ptl);
		return 0;
	}
	spin_lock(tsk, &t->ptl);
	if (pte_get(t, idx)) {
		spin_unlock(tsk, &t->ptl);
		return VM_FAULT_NOPAGE;
	}
	pfn = find_get_page(inode, index);   /* (it cannot go while we held no lock, but be exact) */
	if (pfn == PFN_NONE) {
		spin_unlock(tsk, &t->ptl);
		return VM_FAULT_NOPAGE;
	}
	pfn_to_page(tsk->sim->phys, pfn)->refcount++;
	pte_set(t, idx, mk_pte(pfn, write));
	t->nr_present++;
	page_add_map(tsk, vma->vm_mm, pfn, inode);
	if (write)
		filemap_set_dirty(tsk, inode, pfn);
	charge(tsk, tsk->sim->cost->pte_update_ns);
	spin_unlock(tsk, &t->ptl);
	if (vma->vm_flags & VM_LOCKED)
		mlock_folio(tsk, pfn);             /* page_add_file_rmap's mlock_vma_folio */
	if (write)
		balance_dirty_pages_ratelimited(tsk);   /* fault_dirty_shared_page */
	return 0;
}

/* do_wp_page: a write to a present, write-protected PTE. */
static vm_fault_t do_wp_page(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
			     unsigned idx, u64 addr)
{
	pte_t p = pte_get(t, idx);
	if (p & PTE_ZERO)
		return do_new_page(tsk, vma, t, idx, addr, PFN_NONE);
	u64 pfn = pte_pfn(p);
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	/* a page of the swap cache no swap PTE shares any more: out of the cache, reusable */
	if ((pg->flags & PG_swapcache) && pg->mapcount == 1 && pg->refcount == 2 &&
	    !swap_count(tsk->sim, page_swap_slot(tsk->sim, pfn)))
		delete_from_swap_cache(tsk, pfn);
	/* a subpage of a THP is reused only while exclusive (PageAnonExclusive: no fork) */
	bool reuse = (vma->vm_flags & VM_SHARED) ||
		     ((pg->flags & PG_anon) && pg->mapcount == 1 && pg->refcount == 1 &&
		      (!page_is_thp(pg) || (pg->flags & PG_anon_exclusive)));
	if (!reuse)
		return do_new_page(tsk, vma, t, idx, addr, pfn);
	spin_lock(tsk, &t->ptl);
	if (pte_get(t, idx) == p) {
		pte_set_flags(t, idx, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
		if (vma->vm_flags & VM_SHARED)
			filemap_set_dirty(tsk, vma->vm_file, pfn);
		else
			count_vm_event(tsk, PGREUSE);
		charge(tsk, tsk->sim->cost->pte_update_ns);
	}
	spin_unlock(tsk, &t->ptl);
	if (vma->vm_flags & VM_SHARED)
		balance_dirty_pages_ratelimited(tsk);   /* fault_dirty_shared_page */
	return 0;
}

/* swapin_nr_pages: the readahead window, grown by hits, kept at least half the last. One
 * state for the whole machine, as the kernel's statics: faults of several threads that
 * interleave on unrelated slots find no neighbour and no hit, and the window falls to 1
 * page, where it stays until two faults in a row are on adjacent slots (or a page read
 * ahead before is hit). The previous offset moves only on a fault without hits. */
static unsigned swapin_nr_pages(struct task *tsk, u64 slot)
{
	struct vm_readahead *ra = &tsk->sim->swap_ra;
	unsigned max_pages = 1u << tsk->sim->scn->kernel.vm.page_cluster;
	if (max_pages <= 1)
		return 1;
	unsigned hits = ra->hits;
	ra->hits = 0;
	unsigned pages = hits + 2;
	if (pages == 2) {
		/* no hits: one page unless this fault is next to the previous one */
		if (slot != ra->prev_slot + 1 && slot + 1 != ra->prev_slot)
			pages = 1;
	} else {
		unsigned r = 4;
		while (r < pages)
			r <<= 1;
		pages = r;
	}
	if (pages > max_pages)
		pages = max_pages;
	if (pages < ra->last_pages / 2)
		pages = ra->last_pages / 2;
	ra->last_pages = pages;
	if (!hits)
		ra->prev_slot = slot;
	return pages;
}

/* swapin_readahead (cluster mode): read the aligned window of slots around slot into new
 * swap cache pages, one I/O. Returns the page of slot, PFN_NONE on allocation failure. */
/* Claim slot for reading (swapcache_prepare), or wait for the task already reading it
 * (the kernel's -EEXIST loop sleeps a jiffy; a microsecond is enough here). True when
 * claimed; false with *pfn the page the other task read, or PFN_NONE when the entry went
 * or the wait gave up. */
static bool swapin_claim(struct task *tsk, u64 slot, u64 *pfn)
{
	*pfn = PFN_NONE;
	for (unsigned tries = 0; !swapcache_prepare(tsk, slot); tries++) {
		*pfn = lookup_swap_cache(tsk->sim, slot);
		if (*pfn != PFN_NONE || !swap_count(tsk->sim, slot) || tries == 100000)
			return false;
		task_sleep(tsk, NSEC_PER_USEC);
	}
	return true;
}

static u64 swapin_readahead(struct task *tsk, u64 slot, struct vm_area_struct *vma, u64 addr,
			      u64 *deferred_io)
{
	struct sim *sim = tsk->sim;
	unsigned win = swapin_nr_pages(tsk, slot);
	u64 start = slot & ~(u64)(win - 1), want = PFN_NONE;
	u64 n = 0;
	for (u64 s = start; s < start + win; s++) {
		if (s == 0)
			continue;
		if (s == slot) {
			if (!swapin_claim(tsk, s, &want))
				continue;
		} else if (!swapcache_prepare(tsk, s)) {
			continue;   /* cached, being read, or unused */
		}
		/* every page of the window by the policy at the faulting address */
		u64 pfn = alloc_pages_vma(tsk, GFP_HIGHUSER_MOVABLE | (s != slot ? __GFP_NORETRY : 0), 0,
					  vma, addr, MPOL_PATH_SWAPIN);
		if (pfn == PFN_NONE) {
			swapcache_clear(tsk, s);
			if (s == slot)
				break;
			continue;
		}
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		pg->flags |= PG_anon | PG_swapbacked;
		add_to_swap_cache(tsk, s, pfn);
		pg->refcount--;            /* the allocation's reference: the cache holds it now */
		lru_cache_add(tsk, pfn);
		if (s == slot) {
			want = pfn;
		} else {
			swap_set_readahead(sim, s);   /* SetPageReadahead */
			count_vm_event(tsk, SWAP_RA);
		}
		n++;
	}
	if (n && deferred_io)
		*deferred_io += n;     /* submitted, not waited for (the caller does the I/O) */
	else if (n)
		swap_io(tsk, false, n);
	return want;
}

/* do_swap_page: the PTE holds a swap entry. */
static vm_fault_t do_swap_page(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
			       unsigned idx, u64 addr, pte_t orig, bool write)
{
	struct sim *sim = tsk->sim;
	u64 slot = pte_to_swp_slot(orig);
	u64 pfn = lookup_swap_cache(sim, slot);
	if (pfn != PFN_NONE) {
		/* a hit only on a page readahead brought in (its PG_readahead, tested and
		 * cleared): not on one still cached after swap-out or read by a fault */
		if (swap_test_clear_readahead(sim, slot)) {
			count_vm_event(tsk, SWAP_RA_HIT);
			sim->swap_ra.hits++;
		}
	} else {
		count_vm_event(tsk, PGMAJFAULT);
		pfn = swapin_readahead(tsk, slot, vma, addr, NULL);
		if (pfn == PFN_NONE)
			/* the entry went meanwhile (another thread swapped it in): retry */
			return pte_get(t, idx) != orig ? VM_FAULT_NOPAGE : VM_FAULT_OOM;
		if (swap_io_inject_error(tsk, false)) {
			/* the read failed: the page is not uptodate, the fault SIGBUS; the
			 * default action kills the process (mm/page_io.h) */
			vma->vm_mm->fatal_signal = 7;     /* SIGBUS */
			finding_report(sim->findings, FINDING_INJECTED_FAULT, task_now(tsk),
				       "swap read error (machine.swap.fail_read_every): task %u (%s) "
				       "killed by SIGBUS faulting at 0x%llx", tsk->pid, tsk->comm,
				       (unsigned long long)addr);
			return VM_FAULT_SIGBUS;
		}
	}
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	spin_lock(tsk, &t->ptl);
	if (pte_get(t, idx) != orig || !(pg->flags & PG_swapcache) || page_swap_slot(sim, pfn) != slot) {
		spin_unlock(tsk, &t->ptl);
		return VM_FAULT_NOPAGE;   /* another thread mapped it meanwhile */
	}
	pg->refcount++;                    /* the mapping's reference */
	page_add_swapin_rmap(sim, pfn, vma, addr);
	pg->flags |= PG_anon | PG_swapbacked;
	page_add_map(tsk, vma->vm_mm, pfn, NULL);
	vma->vm_mm->swap_ents--;
	pte_set(t, idx, mk_pte(pfn, false));
	charge(tsk, sim->cost->pte_update_ns);
	spin_unlock(tsk, &t->ptl);
	swap_free(tsk, slot);
	if (vma->vm_flags & VM_LOCKED)
		mlock_folio(tsk, pfn);             /* page_add_anon_rmap's mlock_vma_folio */
	if (!write)
		return 0;
	/* a write: the page is ours alone when no other swap PTE shares it */
	return do_wp_page(tsk, vma, t, idx, addr);
}

vm_fault_t collapse_swapin_one(struct task *tsk, struct vm_area_struct *vma, u64 addr,
				bool read_if_missing, u64 *deferred_io)
{
	struct pmd_slot *s = pmd_lookup(vma->vm_mm, addr);
	if (!s || s->kind != PMD_TABLE)
		return VM_FAULT_NOPAGE;
	struct pte_table *t = s->table;
	unsigned idx = pte_index(addr);
	pte_t p = pte_get(t, idx);
	if (!pte_is_swap(p))
		return VM_FAULT_NOPAGE;
	u64 slot = pte_to_swp_slot(p);
	if (lookup_swap_cache(tsk->sim, slot) == PFN_NONE) {
		/* the page must be read: locked while its I/O is in flight */
		if (read_if_missing) {
			count_vm_event(tsk, PGMAJFAULT);
			if (swapin_readahead(tsk, slot, vma, addr, deferred_io) == PFN_NONE)
				return VM_FAULT_OOM;
		}
		return VM_FAULT_RETRY;
	}
	return do_swap_page(tsk, vma, t, idx, addr, p, false);
}

vm_fault_t handle_mm_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr,
			   unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	lockdep_assert_held_read(tsk, &mm->mmap_lock);
	bool write = flags & FAULT_FLAG_WRITE;
	if (!(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return VM_FAULT_SIGSEGV;
	count_vm_event(tsk, PGFAULT);
	if (vma->vm_flags & VM_HUGETLB)
		return hugetlb_fault(tsk, vma, addr, flags);
	/* __handle_mm_fault at the PMD level: a THP for an empty PMD, or a huge PMD */
	struct pmd_slot *s = pmd_lookup(mm, addr);
	if ((!s || s->kind == PMD_NONE) && tsk->sim->thp &&
	    hugepage_vma_check(tsk->sim, vma, false, true, true)) {
		vm_fault_t r = do_huge_pmd_anonymous_page(tsk, vma, addr, flags);
		if (!(r & VM_FAULT_FALLBACK))
			return r;
	} else if (s && s->kind == PMD_HUGE) {
		if (write && !(s->huge & PTE_WRITE)) {
			vm_fault_t r = do_huge_pmd_wp_page(tsk, vma, addr);
			if (!(r & VM_FAULT_FALLBACK))
				return r;
		} else {
			/* huge_pmd_set_accessed: another thread mapped it meanwhile */
			spin_lock(tsk, &mm->page_table_lock);
			s = pmd_lookup(mm, addr);
			if (s && s->kind == PMD_HUGE)
				s->huge |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
			spin_unlock(tsk, &mm->page_table_lock);
			return 0;
		}
	}
	struct pte_table *t = pte_alloc(tsk, mm, addr);
	if (!t) {
		s = pmd_lookup(mm, addr);
		return s && s->kind == PMD_HUGE ? VM_FAULT_NOPAGE : VM_FAULT_OOM;
	}
	unsigned idx = pte_index(addr);
	pte_t p = pte_get(t, idx);
	if (!p) {
		if (vma->vm_file)
			return do_file_fault(tsk, vma, t, idx, addr, write);
		return write ? do_new_page(tsk, vma, t, idx, addr, PFN_NONE) : do_anonymous_read(tsk, t, idx);
	}
	if (pte_is_swap(p))
		return do_swap_page(tsk, vma, t, idx, addr, p, write);
	if (write && !(p & PTE_WRITE))
		return do_wp_page(tsk, vma, t, idx, addr);
	/* Present (another thread faulted it in meanwhile): update access bits. */
	spin_lock(tsk, &t->ptl);
	pte_set_flags(t, idx, PTE_YOUNG | (write ? PTE_DIRTY : 0));
	spin_unlock(tsk, &t->ptl);
	return 0;
}

/* The charge of a CPU access to pfn (PTE_ACCESS_ZERO: the zero page) through a 4 KiB
 * mapping: the memory access, and a TLB entry per 4 KiB page. */
static inline u64 access_4k_ns(const struct task *tsk, const struct cost_table *c, u64 pfn)
{
	unsigned nid = pfn == PTE_ACCESS_ZERO ? tsk->node : page_to_nid(tsk->sim->phys, pfn);
	return c->access_ns[tsk->node][nid] + (c->tlb_misses ? c->tlb_miss_4k_ns : 0);
}

#define TOUCH_FAST_SKIP 64
/* (out of line, so that the one-page case below sets up no frame for the loop) */
static __attribute__((noinline)) s64 touch_pages(struct task *tsk, struct mm_struct *mm, u64 addr,
						 u64 len, bool write);

s64 touch_range(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write)
{
	/* One page, mapped by the PTE table found last and accessible: the loop below, for
	 * the case most touches of a replay are, without its set-up. After it misses, the
	 * next TOUCH_FAST_SKIP touches go straight to the loop (a run of faults misses it
	 * every time). */
	if (mm->touch_fast_skip) {
		mm->touch_fast_skip--;
		return touch_pages(tsk, mm, addr, len, write);
	}
	u64 a = ALIGN_DOWN(addr, PAGE_SIZE);
	struct pmd_slot *s = mm->pmd_last;
	u64 pfn;
	if (ALIGN_UP(addr + len, PAGE_SIZE) - a == PAGE_SIZE && !mm->oom_victim &&
	    !tsk->fatal_at_ns && s && s->index == a >> PMD_SHIFT && s->kind == PMD_TABLE &&
	    pte_access(s->table, pte_index(a), write, &pfn)) {
		charge(tsk, access_4k_ns(tsk, tsk->sim->cost, pfn));
		return 0;
	}
	mm->touch_fast_skip = TOUCH_FAST_SKIP;
	return touch_pages(tsk, mm, addr, len, write);
}

static __attribute__((noinline)) s64 touch_pages(struct task *tsk, struct mm_struct *mm, u64 addr,
						 u64 len, bool write)
{
	const struct cost_table *c = tsk->sim->cost;
	s64 faults = 0;
	u64 end = ALIGN_UP(addr + len, PAGE_SIZE);
	for (u64 a = ALIGN_DOWN(addr, PAGE_SIZE); a < end; a += PAGE_SIZE) {
		if (mm->oom_victim || (tsk->fatal_at_ns && task_now(tsk) >= tsk->fatal_at_ns))
			return -MM_ENOMEM;   /* killed: the thread stops at once */
		struct pmd_slot *s = pmd_lookup_cached(mm, a);
		unsigned idx = (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
		if (s && s->kind == PMD_HUGE && (s->huge & PTE_PRESENT) &&
		    (!write || (s->huge & PTE_WRITE))) {
			/* a 4 KiB part of a huge page mapped at PMD level */
			s->huge |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
			unsigned nid = s->huge & PTE_ZERO ? tsk->node : pfn_nid(tsk, pte_pfn(s->huge));
			charge(tsk, c->access_ns[tsk->node][nid]);
			if (c->tlb_misses && (a >> PMD_SHIFT) + 1 != tsk->tlb_huge) {
				/* one TLB entry covers the whole 2 MiB (kept while the thread stays
				 * in it: a one-entry model of the huge-page TLB) */
				tsk->tlb_huge = (a >> PMD_SHIFT) + 1;
				charge(tsk, c->tlb_miss_2m_ns);
			}
			continue;
		}
		u64 pfn;
		if (s && s->kind == PMD_TABLE && pte_access(s->table, idx, write, &pfn)) {
			/* A plain access: the hardware sets the accessed/dirty bits. */
			charge(tsk, access_4k_ns(tsk, c, pfn));
			continue;
		}
		/* Page fault: exception entry, mmap_lock for read, the VMA, the handler. */
		u64 t0 = task_now(tsk);
		tl_begin(tsk, TL_PAGE_FAULT, a);
		charge(tsk, c->fault_entry_ns);
		u64 w0 = tsk->wait_ns;
		down_read_at(tsk, &mm->mmap_lock, NAMED_LOCK_SITE("touch_range"));
		u64 waited = tsk->wait_ns - w0;
		struct vm_area_struct *vma = vma_lookup(mm, a);
		struct vm_area_struct *above = vma ? NULL : find_vma(mm, a);
		if (above && (above->vm_flags & VM_GROWSDOWN)) {
			/* lock_mm_and_find_vma: below the stack, grow it under the write lock */
			up_read_at(tsk, &mm->mmap_lock, NAMED_LOCK_SITE("touch_range"));
			bool grown = expand_stack(tsk, mm, a);
			down_read_at(tsk, &mm->mmap_lock, NAMED_LOCK_SITE("touch_range"));
			vma = grown ? vma_lookup(mm, a) : NULL;
		}
		vm_fault_t r = vma ? handle_mm_fault(tsk, vma, a, write ? FAULT_FLAG_WRITE : 0)
				   : VM_FAULT_SIGSEGV;
		up_read_at(tsk, &mm->mmap_lock, NAMED_LOCK_SITE("touch_range"));
		tl_end(tsk, TL_PAGE_FAULT);
		if (mm->mm_count)
			khugepaged_note_fault(tsk, mm, waited, task_now(tsk) - t0);
		if (r & VM_FAULT_SIGSEGV)
			return -MM_EFAULT;
		if (r & VM_FAULT_SIGBUS)
			return -MM_EBUSY;
		if (r & VM_FAULT_OOM)
			return -MM_ENOMEM;
		faults++;
		flush_if_ahead(tsk);
	}
	return faults;
}

/* ---- zap, free_pgtables ---- */

void zap_page_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	if (vma->vm_flags & VM_HUGETLB) {
		unmap_hugepage_range(tsk, vma, start, end);
		return;
	}
	struct mm_struct *mm = vma->vm_mm;
	const struct cost_table *c = tsk->sim->cost;
	struct u64_vec g = { 0 };
	update_hiwater_rss(mm);
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (s && s->kind == PMD_HUGE) {
			/* zap_pmd_range: a whole huge PMD goes at once, part of one is split */
			if (start <= a && a + PMD_SIZE <= end) {
				/* page_remove_rmap of a locked THP munlocks it (a large folio:
				 * the batch drains at once) */
				if ((vma->vm_flags & VM_LOCKED) && (s->huge & PTE_PRESENT) &&
				    !(s->huge & PTE_ZERO))
					munlock_folio(tsk, pte_pfn(s->huge));
				zap_huge_pmd(tsk, vma, a);
				continue;
			}
			__split_huge_pmd(tsk, vma, a);
			s = pmd_lookup(mm, a);
		}
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			pte_t p = pte_get_and_clear(t, pte_index(x));
			if (!p)
				continue;
			t->nr_present--;
			charge(tsk, c->pte_update_ns);
			if (pte_is_swap(p)) {
				mm->swap_ents--;
				swap_free(tsk, pte_to_swp_slot(p));
			} else if (!(p & PTE_ZERO)) {
				/* page_remove_rmap munlocks a page of a locked VMA (batched) */
				if ((vma->vm_flags & VM_LOCKED) &&
				    !page_is_thp(pfn_to_page(tsk->sim->phys, pte_pfn(p))))
					munlock_folio(tsk, pte_pfn(p));
				page_remove_map_g(tsk, mm, pte_pfn(p), vma->vm_file, &g);
			}
			if (g.n == GATHER_MAX) {
				/* full: flushed with the PTE lock dropped (tlb_flush_mmu) */
				spin_unlock(tsk, &t->ptl);
				gather_flush(tsk, &g);
				spin_lock(tsk, &t->ptl);
			}
		}
		spin_unlock(tsk, &t->ptl);
	}
	gather_flush(tsk, &g);   /* tlb_finish_mmu */
	free(g.v);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

static void free_pgtable_at(struct task *tsk, struct mm_struct *mm, u64 a);

void free_pgtables(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	u64 first = ALIGN_DOWN(start, PMD_SIZE);
	if ((end - first) >> PMD_SHIFT > mm->cap_pmds) {
		/* a wide range (exit): visit the tables that exist, in address order */
		u64 *idx = xcalloc(mm->cap_pmds + 1, sizeof(u64));
		u32 n = 0;
		for (u32 i = 0; i < mm->cap_pmds; i++) {
			const struct pmd_slot *s = &mm->pmds[i];
			u64 a = s->index << PMD_SHIFT;
			if (s->used && s->kind == PMD_TABLE && a >= first && a < end)
				idx[n++] = a;
		}
		qsort(idx, n, sizeof(u64), cmp_u64);
		for (u32 i = 0; i < n; i++)
			free_pgtable_at(tsk, mm, idx[i]);
		free(idx);
		return;
	}
	for (u64 a = first; a < end; a += PMD_SIZE)
		free_pgtable_at(tsk, mm, a);
}

static void free_pgtable_at(struct task *tsk, struct mm_struct *mm, u64 a)
{
	{
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (!s || s->kind != PMD_TABLE)
			return;
		struct vm_area_struct *v = find_vma(mm, a);
		if (v && v->vm_start < a + PMD_SIZE)
			return;                 /* a VMA still covers part of this table */
		struct pte_table *t = s->table;
		spin_lock(tsk, &mm->page_table_lock);
		s->kind = PMD_NONE;
		s->table = NULL;
		mm->nr_ptes--;
		spin_unlock(tsk, &mm->page_table_lock);
		mod_node_page_state(tsk, pfn_nid(tsk, t->pfn), NR_PAGETABLE, -1);
		pfn_to_page(tsk->sim->phys, t->pfn)->flags &= ~PG_pgtable;
		__free_pages(tsk, t->pfn, 0);
		pte_table_destroy(t);
	}
}

void unmap_mapping_pages(struct task *tsk, struct inode *inode, u64 start, u64 end)
{
	for (u32 i = 0; i < inode->nr_mmap; i++) {
		struct vm_area_struct *v = inode->i_mmap[i];
		u64 vstart = v->vm_pgoff, vend = v->vm_pgoff + ((v->vm_end - v->vm_start) >> PAGE_SHIFT);
		u64 lo = max(vstart, start), hi = min(vend, end);
		if (lo >= hi)
			continue;
		zap_page_range(tsk, v, v->vm_start + ((lo - vstart) << PAGE_SHIFT),
			       v->vm_start + ((hi - vstart) << PAGE_SHIFT));
	}
}

/* ---- fork ---- */

int copy_page_range(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	if (src->vm_flags & VM_HUGETLB)
		return copy_hugetlb_page_range(tsk, dst, src);
	/* file and shared mappings without anonymous pages are not copied: the child faults
	 * them in from the page cache (as the kernel skips them) */
	if (!src->anon_vma)
		return 0;
	struct mm_struct *smm = src->vm_mm, *dmm = dst->vm_mm;
	const struct cost_table *c = tsk->sim->cost;
	bool cow = !(src->vm_flags & VM_SHARED);
	for (u64 a = ALIGN_DOWN(src->vm_start, PMD_SIZE); a < src->vm_end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(smm, a);
		if (s && s->kind == PMD_HUGE) {
			if (copy_huge_pmd(tsk, dst, src, a) < 0)
				return -MM_ENOMEM;
			continue;
		}
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *st = s->table;
		u64 lo = max(a, src->vm_start), hi = min(a + PMD_SIZE, src->vm_end);
		struct pte_table *dt = pte_alloc(tsk, dmm, lo);
		if (!dt)
			return -MM_ENOMEM;
		spin_lock(tsk, &dt->ptl);
		spin_lock(tsk, &st->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			unsigned idx = pte_index(x);
			pte_t p = pte_get(st, idx);
			if (!p)
				continue;
			if (pte_is_swap(p)) {
				swap_duplicate(tsk, pte_to_swp_slot(p));
				dmm->swap_ents++;
			} else if (!(p & PTE_ZERO)) {
				u64 pfn = pte_pfn(p);
				struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
				pg->refcount++;
				page_add_map(tsk, dmm, pfn, dst->vm_file);
				pg->flags &= ~PG_anon_exclusive;   /* shared now (THP subpages) */
				if (cow && (pg->flags & PG_anon)) {
					p &= ~PTE_WRITE;        /* both sides write-protected */
					pte_set(st, idx, p);
				}
			}
			pte_set(dt, idx, p & ~PTE_YOUNG);
			dt->nr_present++;
			charge(tsk, c->pte_update_ns);
		}
		spin_unlock(tsk, &st->ptl);
		spin_unlock(tsk, &dt->ptl);
	}
	return 0;
}

/* ---- mm_pgtables_bytes ---- */

static u64 count_distinct(u64 *v, u64 n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	u64 d = 0;
	for (u64 i = 0; i < n; i++)
		d += !i || v[i] != v[i - 1];
	return d;
}

u64 mm_pgtables_bytes(const struct mm_struct *mm)
{
	/* PTE tables as counted; a PMD table for every 1 GiB holding a PMD entry, a PUD
	 * table for every 512 GiB holding one of those (4 KiB each, x86_64 4-level) */
	u64 *pud = xcalloc(mm->cap_pmds + 1, sizeof(*pud)), n = 0;
	for (u32 i = 0; i < mm->cap_pmds; i++)
		if (mm->pmds[i].used && mm->pmds[i].kind != PMD_NONE)
			pud[n++] = mm->pmds[i].index >> 9;
	u64 pmd_tables = count_distinct(pud, n);
	for (u64 i = 0; i < n; i++)
		pud[i] >>= 9;
	u64 pud_tables = count_distinct(pud, n);
	free(pud);
	return (mm->nr_ptes + pmd_tables + pud_tables) * PAGE_SIZE;
}
