/* mlock.c - PG_mlocked pages, the per-CPU mlock batch and the unevictable LRU list. */
#include <stdlib.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "locks/spinlock.h"
#include "mm/huge_memory.h"
#include "mm/memory.h"
#include "mm/mlock.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "platform/cost.h"

/* what a batch entry asks for (the kernel's pointer tag bits) */
enum mlock_kind { MLOCK_LRU, MLOCK_NEW, MLOCK_MUNLOCK };

struct mlock_fbatch {
	u64 pfn[MLOCK_BATCH];
	u8 kind[MLOCK_BATCH];
	unsigned nr;
};

struct mlock_fbatch *mlock_fbatch_create(unsigned nr_cpus)
{
	return xcalloc(nr_cpus, sizeof(struct mlock_fbatch));
}

void mlock_fbatch_destroy(struct mlock_fbatch *b)
{
	free(b);
}

static struct mlock_fbatch *this_cpu_batch(struct task *tsk)
{
	return &lru_mlock_batches(tsk->sim)[tsk->cpu];
}

static u64 folio_nr(const struct page_desc *pg)
{
	return (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
}

static void mod_mlock(struct task *tsk, u64 pfn, s64 nr)
{
	mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_MLOCK, nr);
}

/* Move an LRU page (lru_lock held) to the list its flags now say. */
static void relist(struct sim *sim, struct lruvec *v, u64 pfn, enum lru_list from)
{
	lru_list_del(sim, v, pfn, from);
	lru_list_add(sim, v, pfn, page_lru(pfn_to_page(sim->phys, pfn)), false);
}

/* __mlock_folio: a page on an LRU list goes to the unevictable one (one mlock per page:
 * mlock_count is not kept). */
static void __mlock_folio(struct task *tsk, struct lruvec *v, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	if (!(pg->flags & PG_lru))
		return;   /* off the lists (isolated, or still in an lru_add batch) */
	if (!(pg->flags & PG_mlocked)) {
		/* munlocked meanwhile: back to an evictable list if it left one */
		if (pg->flags & PG_unevictable) {
			enum lru_list from = page_lru(pg);
			pg->flags &= ~PG_unevictable;
			relist(sim, v, pfn, from);
			count_vm_events(tsk, UNEVICTABLE_PGS_RESCUED, folio_nr(pg));
		}
		return;
	}
	if (pg->flags & PG_unevictable)
		return;
	enum lru_list from = page_lru(pg);
	pg->flags = (pg->flags & ~PG_active) | PG_unevictable;
	relist(sim, v, pfn, from);
	count_vm_events(tsk, UNEVICTABLE_PGS_CULLED, folio_nr(pg));
}

/* __mlock_new_folio: a new page joins a list (the unevictable one while mlocked). */
static void __mlock_new_folio(struct task *tsk, struct lruvec *v, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	if (pg->flags & PG_mlocked) {
		pg->flags |= PG_unevictable;
		count_vm_events(tsk, UNEVICTABLE_PGS_CULLED, folio_nr(pg));
	}
	lru_list_add(sim, v, pfn, page_lru(pg), false);
}

/* __munlock_folio: PG_mlocked goes; a page on the unevictable list returns to an
 * evictable one. */
static void __munlock_folio(struct task *tsk, struct lruvec *v, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	bool isolated = pg->flags & PG_lru;
	u64 nr = folio_nr(pg);
	if (pg->flags & PG_mlocked) {
		pg->flags &= ~PG_mlocked;
		mod_mlock(tsk, pfn, -(s64)nr);
		count_vm_events(tsk, isolated || !(pg->flags & PG_unevictable) ? UNEVICTABLE_PGS_MUNLOCKED
										: UNEVICTABLE_PGS_STRANDED,
				nr);
	}
	if (isolated && (pg->flags & PG_unevictable)) {
		enum lru_list from = page_lru(pg);
		pg->flags &= ~PG_unevictable;
		relist(sim, v, pfn, from);
		count_vm_events(tsk, UNEVICTABLE_PGS_RESCUED, nr);
	}
}

/* mlock_folio_batch: every entry under its node's lru_lock, then the batch's references
 * go (release_pages: a page unmapped meanwhile is freed here). */
static void mlock_folio_batch(struct task *tsk, struct mlock_fbatch *b)
{
	struct sim *sim = tsk->sim;
	struct mlock_fbatch full = *b;
	b->nr = 0;
	struct lruvec *locked = NULL;
	for (unsigned i = 0; i < full.nr; i++) {
		u64 pfn = full.pfn[i];
		struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
		if (v != locked) {
			if (locked)
				spin_unlock(tsk, &locked->lru_lock);
			spin_lock(tsk, &v->lru_lock);
			locked = v;
		}
		if (full.kind[i] == MLOCK_LRU)
			__mlock_folio(tsk, v, pfn);
		else if (full.kind[i] == MLOCK_NEW)
			__mlock_new_folio(tsk, v, pfn);
		else
			__munlock_folio(tsk, v, pfn);
		charge(tsk, sim->cost->atomic_local_ns);
	}
	if (locked)
		spin_unlock(tsk, &locked->lru_lock);
	put_user_pages(tsk, full.pfn, full.nr);
}

void mlock_drain_local(struct task *tsk)
{
	struct mlock_fbatch *b = this_cpu_batch(tsk);
	if (b->nr)
		mlock_folio_batch(tsk, b);
}

static void batch_add(struct task *tsk, u64 pfn, enum mlock_kind kind)
{
	struct mlock_fbatch *b = this_cpu_batch(tsk);
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	pg->refcount++;                    /* folio_get: the batch's reference */
	b->pfn[b->nr] = pfn;
	b->kind[b->nr++] = (u8)kind;
	if (b->nr == MLOCK_BATCH || (pg->flags & PG_transhuge))
		mlock_folio_batch(tsk, b);
}

void mlock_folio(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (!(pg->flags & PG_mlocked)) {
		pg->flags |= PG_mlocked;
		mod_mlock(tsk, pfn, (s64)folio_nr(pg));
		count_vm_events(tsk, UNEVICTABLE_PGS_MLOCKED, folio_nr(pg));
	}
	batch_add(tsk, pfn, MLOCK_LRU);
}

void mlock_new_folio(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	pg->flags |= PG_mlocked;
	mod_mlock(tsk, pfn, (s64)folio_nr(pg));
	count_vm_events(tsk, UNEVICTABLE_PGS_MLOCKED, folio_nr(pg));
	batch_add(tsk, pfn, MLOCK_NEW);
}

void munlock_folio(struct task *tsk, u64 pfn)
{
	batch_add(tsk, pfn, MLOCK_MUNLOCK);
}

void folio_add_lru_vma(struct task *tsk, u64 pfn, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_LOCKED)
		mlock_new_folio(tsk, pfn);
	else
		lru_cache_add(tsk, pfn);
}

void mlock_vma_pages_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	struct sim *sim = tsk->sim;
	bool lock = vma->vm_flags & VM_LOCKED;
	lru_add_drain(tsk);
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(vma->vm_mm, a);
		if (s && s->kind == PMD_HUGE) {
			/* a THP mapped whole (the huge zero page is no folio to lock) */
			if ((s->huge & PTE_PRESENT) && !(s->huge & PTE_ZERO) &&
			    !(vma->vm_flags & VM_HUGETLB)) {
				if (lock)
					mlock_folio(tsk, pte_pfn(s->huge));
				else
					munlock_folio(tsk, pte_pfn(s->huge));
			}
			continue;
		}
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			pte_t p = pte_get(t, pte_index(x));
			if (!(p & PTE_PRESENT) || (p & PTE_ZERO))
				continue;
			/* a PTE-mapped THP subpage is left alone (mlock_pte_range) */
			if (page_is_thp(pfn_to_page(sim->phys, pte_pfn(p))))
				continue;
			if (lock)
				mlock_folio(tsk, pte_pfn(p));
			else
				munlock_folio(tsk, pte_pfn(p));
		}
		spin_unlock(tsk, &t->ptl);
	}
	lru_add_drain(tsk);
}

void mlock_page_freed(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (!(pg->flags & PG_mlocked))
		return;
	pg->flags &= ~PG_mlocked;
	mod_mlock(tsk, pfn, -(s64)folio_nr(pg));
	count_vm_events(tsk, UNEVICTABLE_PGS_CLEARED, folio_nr(pg));
}
