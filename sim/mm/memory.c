/* memory.c - page tables, anonymous page faults, touches, teardown. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/lockdep.h"
#include "mm/gfp.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"

static DEFINE_LOCK_CLASS(ptl_class, "ptl", LOCK_SPIN);

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

struct pmd_slot *pmd_lookup(struct mm_struct *mm, u64 addr)
{
	return pmd_find(mm, addr >> PMD_SHIFT, false);
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
		free(t);
	}
	free(mm->pmds);
	mm->pmds = NULL;
	mm->cap_pmds = mm->nr_pmds = 0;
}

/* ---- faults ---- */

/* Make sure the PMD covering addr has a PTE table (pte_alloc): the table's page is
 * allocated before taking page_table_lock, and freed if someone else won the race. */
static struct pte_table *pte_alloc(struct task *tsk, struct mm_struct *mm, u64 addr)
{
	struct pmd_slot *s = pmd_lookup(mm, addr);
	if (s && s->kind == PMD_TABLE)
		return s->table;
	u64 pfn = alloc_pages_node(tsk, -1, GFP_PGTABLE_USER, 0);
	if (pfn == PFN_NONE)
		return NULL;
	charge(tsk, tsk->sim->cost->zero_4k_ns);
	spin_lock(tsk, &mm->page_table_lock);
	s = pmd_find(mm, addr >> PMD_SHIFT, true);
	if (s->kind == PMD_TABLE) {
		spin_unlock(tsk, &mm->page_table_lock);
		__free_pages(tsk, pfn, 0);
		return s->table;
	}
	struct pte_table *t = xcalloc(1, sizeof(*t));
	spin_lock_init(&t->ptl, &ptl_class);
	t->pfn = pfn;
	pfn_to_page(tsk->sim->phys, pfn)->flags |= PG_pgtable;
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_PAGETABLE, 1);
	s->kind = PMD_TABLE;
	s->table = t;
	mm->nr_ptes++;
	if (tsk->sim->cost)
		charge(tsk, tsk->sim->cost->pte_update_ns);
	spin_unlock(tsk, &mm->page_table_lock);
	return t;
}

/* do_anonymous_page / wp fault on the zero page: allocate and zero a page on the task's
 * node (default, local policy), then install it under the PTE lock if the PTE is still
 * what we saw. */
static vm_fault_t do_anonymous_page(struct task *tsk, struct vm_area_struct *vma,
				    struct pte_table *t, unsigned idx, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct cost_table *c = tsk->sim->cost;
	pte_t seen = t->pte[idx];
	if (!write) {
		spin_lock(tsk, &t->ptl);
		if (!t->pte[idx]) {
			t->pte[idx] = PTE_PRESENT | PTE_ZERO | PTE_YOUNG;
			t->nr_present++;
			if (c)
				charge(tsk, c->pte_update_ns);
		}
		spin_unlock(tsk, &t->ptl);
		return 0;
	}
	u64 pfn = alloc_pages_node(tsk, -1, GFP_HIGHUSER_MOVABLE, 0);
	if (pfn == PFN_NONE)
		return VM_FAULT_OOM;
	if (c)
		charge(tsk, c->zero_4k_ns);
	spin_lock(tsk, &t->ptl);
	if (t->pte[idx] != seen) {
		spin_unlock(tsk, &t->ptl);
		__free_pages(tsk, pfn, 0);
		return VM_FAULT_NOPAGE;
	}
	if (!seen)
		t->nr_present++;
	t->pte[idx] = (pfn << PTE_PFN_SHIFT) | PTE_PRESENT | PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	/* an anonymous page on the LRU (the lists themselves come with vmscan.c) */
	pg->flags |= PG_anon | PG_lru;
	pg->mapcount = 1;
	mm->rss_anon++;
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_ANON_PAGES, 1);
	if (c)
		charge(tsk, c->pte_update_ns);
	spin_unlock(tsk, &t->ptl);
	return 0;
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
	struct pte_table *t = pte_alloc(tsk, mm, addr);
	if (!t)
		return VM_FAULT_OOM;
	unsigned idx = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	pte_t p = t->pte[idx];
	if (!p || (write && (p & PTE_ZERO)))
		return do_anonymous_page(tsk, vma, t, idx, write);
	/* Present (another thread faulted it in meanwhile): update access bits. */
	spin_lock(tsk, &t->ptl);
	t->pte[idx] |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
	spin_unlock(tsk, &t->ptl);
	return 0;
}

s64 touch_range(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write)
{
	const struct cost_table *c = tsk->sim->cost;
	s64 faults = 0;
	u64 end = ALIGN_UP(addr + len, PAGE_SIZE);
	for (u64 a = ALIGN_DOWN(addr, PAGE_SIZE); a < end; a += PAGE_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		unsigned idx = (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
		pte_t p = s && s->kind == PMD_TABLE ? s->table->pte[idx] : 0;
		if ((p & PTE_PRESENT) && (!write || (p & PTE_WRITE))) {
			/* A plain access: the hardware sets the accessed/dirty bits. */
			s->table->pte[idx] |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
			if (c) {
				unsigned nid = p & PTE_ZERO ? tsk->node : page_to_nid(tsk->sim->phys, pte_pfn(p));
				charge(tsk, c->access_ns[tsk->node][nid]);
			}
			continue;
		}
		/* Page fault: exception entry, mmap_lock for read, the VMA, the handler. */
		if (c)
			charge(tsk, c->fault_entry_ns);
		down_read(tsk, &mm->mmap_lock);
		struct vm_area_struct *vma = vma_lookup(mm, a);
		vm_fault_t r = vma ? handle_mm_fault(tsk, vma, a, write ? FAULT_FLAG_WRITE : 0)
				   : VM_FAULT_SIGSEGV;
		up_read(tsk, &mm->mmap_lock);
		if (r & VM_FAULT_SIGSEGV)
			return -MM_EFAULT;
		if (r & VM_FAULT_OOM)
			return -MM_ENOMEM;
		faults++;
		flush_if_ahead(tsk);
	}
	return faults;
}

void zap_page_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	const struct cost_table *c = tsk->sim->cost;
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			unsigned idx = (x >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
			pte_t p = t->pte[idx];
			if (!p)
				continue;
			t->pte[idx] = 0;
			t->nr_present--;
			if (c)
				charge(tsk, c->pte_update_ns);
			if (!(p & PTE_ZERO)) {
				u64 pfn = pte_pfn(p);
				mm->rss_anon--;
				struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
				pg->mapcount--;
				mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_ANON_PAGES, -1);
				__free_pages(tsk, pfn, 0);
			}
		}
		bool empty = t->nr_present == 0;
		spin_unlock(tsk, &t->ptl);
		/* free_pgtables: a table left empty by an unmap that covers its whole PMD */
		if (empty && lo == a && hi == a + PMD_SIZE) {
			spin_lock(tsk, &mm->page_table_lock);
			s->kind = PMD_NONE;
			s->table = NULL;
			mm->nr_ptes--;
			spin_unlock(tsk, &mm->page_table_lock);
			mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, t->pfn), NR_PAGETABLE, -1);
			__free_pages(tsk, t->pfn, 0);
			free(t);
		}
	}
}
