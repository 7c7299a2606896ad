/* huge_memory.c - anonymous THPs: eligibility, the huge PMD fault and the huge zero page,
 * installation, split of PMDs and of pages, the deferred split queue, fork and zap of
 * huge PMDs (models mm/huge_memory.c, 6.1). The representation is in huge_memory.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "locks/lockdep.h"
#include "platform/cost.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/mlock.h"
#include "mm/mempolicy.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"

static DEFINE_LOCK_CLASS(split_queue_lock_class, "&ds_queue->split_queue_lock", LOCK_SPIN);

struct deferred_split {
	spinlock_t lock;                   /* "&ds_queue->split_queue_lock" */
	struct u64_vec queue;              /* THP heads in queueing order */
	u64 nr_deferred;                   /* shrinker work carried over (do_shrink_slab) */
};

struct thp_state {
	struct sim *sim;                   /* borrowed */
	struct thp_cfg cfg;                /* the sysfs knobs, as written at run time */
	struct thp_hooks hooks;
	u64 huge_zero_pfn;                 /* PFN_NONE until the first read fault needs it */
	struct deferred_split ds[MAX_NUMNODES];
};

struct thp_state *thp_create(struct sim *sim)
{
	struct thp_state *t = xcalloc(1, sizeof(*t));
	t->sim = sim;
	t->huge_zero_pfn = PFN_NONE;
	for (unsigned n = 0; n < MAX_NUMNODES; n++)
		spin_lock_init(&t->ds[n].lock, &split_queue_lock_class);
	t->cfg = sim->scn->kernel.thp;
	sim->thp = t;
	return t;
}

void thp_destroy(struct thp_state *t)
{
	if (!t)
		return;
	for (unsigned n = 0; n < MAX_NUMNODES; n++)
		free(t->ds[n].queue.v);
	free(t);
}

const struct thp_cfg *thp_cfg(const struct sim *sim)
{
	return sim->thp ? &sim->thp->cfg : &sim->scn->kernel.thp;
}

void thp_set_hooks(struct sim *sim, const struct thp_hooks *h)
{
	sim->thp->hooks = *h;
}

static inline struct page_desc *PG(const struct sim *sim, u64 pfn)
{
	return &sim->phys->pages[pfn];
}

/* The compound mapcount lives in the first tail page's (unused) list link. */
static inline u32 *cmc_ptr(const struct sim *sim, u64 head)
{
	return &sim->phys->pages[head + 1].next;
}

static unsigned pfn_nid(const struct sim *sim, u64 pfn)
{
	return page_to_nid(sim->phys, pfn);
}

/* Subpages mapped by a PMD or by at least one PTE (what NR_ANON_MAPPED counts). */
static u32 nr_subpages_mapped(const struct sim *sim, u64 head)
{
	const struct page_desc *p = PG(sim, head);
	if (p[1].next)
		return HPAGE_PMD_NR;
	u32 n = 0;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		n += p[i].mapcount != 0;
	return n;
}

/* References held on the THP, summed over its subpages. */
static u64 thp_refs(const struct sim *sim, u64 head)
{
	const struct page_desc *p = PG(sim, head);
	u64 n = 0;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		n += p[i].refcount;
	return n;
}

u64 total_mapcount(const struct sim *sim, u64 head)
{
	const struct page_desc *p = PG(sim, head);
	u64 n = (u64)p[1].next * HPAGE_PMD_NR;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		n += p[i].mapcount;
	return n;
}

/* ---- eligibility ---- */

bool transhuge_vma_suitable(const struct vm_area_struct *vma, u64 addr)
{
	u64 haddr = addr & ~(PMD_SIZE - 1);
	if (vma->vm_file && ((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) % HPAGE_PMD_NR)
		return false;
	return haddr >= vma->vm_start && haddr + PMD_SIZE <= vma->vm_end;
}

/* VM_NO_KHUGEPAGED: VM_SPECIAL (only VM_DONTEXPAND is modelled) and hugetlb */
#define VM_NO_KHUGEPAGED (VM_DONTEXPAND | VM_HUGETLB)

bool hugepage_vma_check(const struct sim *sim, const struct vm_area_struct *vma, bool smaps,
			bool in_pf, bool enforce_sysfs)
{
	const struct mm_struct *mm = vma->vm_mm;
	const struct thp_cfg *cfg = thp_cfg(sim);
	if (!mm)
		return false;
	if ((vma->vm_flags & VM_NOHUGEPAGE) || mm->thp_disabled)
		return false;
	if (vma->vm_flags & VM_NO_KHUGEPAGED)
		return false;
	if (!in_pf && vma->vm_end - vma->vm_start >= PMD_SIZE &&
	    !transhuge_vma_suitable(vma, vma->vm_end - PMD_SIZE))
		return false;
	if (!in_pf && vma->vm_end - vma->vm_start < PMD_SIZE)
		return false;
	/* shmem (MAP_SHARED anonymous, SysV shm): shmem_enabled is "never" here */
	if (!in_pf && vma->vm_file && vma->vm_file->shmem)
		return false;
	if (enforce_sysfs && (cfg->enabled == THP_NEVER ||
			      (!(vma->vm_flags & VM_HUGEPAGE) && cfg->enabled != THP_ALWAYS)))
		return false;
	/* file VMAs: READ_ONLY_THP_FOR_FS not modelled; only anonymous memory gets THPs */
	if (vma->vm_file)
		return false;
	if (!vma->anon_vma)
		return smaps || in_pf;
	return true;
}

/* ---- allocation ---- */

gfp_t vma_thp_gfp_mask(const struct sim *sim, const struct vm_area_struct *vma)
{
	bool madvised = vma && (vma->vm_flags & VM_HUGEPAGE);
	switch (thp_cfg(sim)->defrag) {
	case THP_DEFRAG_ALWAYS:
		return GFP_TRANSHUGE | (madvised ? 0 : __GFP_NORETRY);
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
	case THP_DEFRAG_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : 0);
	default:
		return GFP_TRANSHUGE_LIGHT;
	}
}

/* prep_transhuge_page: mark the tails, compound mapcount 0. */
static void prep_transhuge_page(struct sim *sim, u64 head)
{
	struct page_desc *p = PG(sim, head);
	p->flags |= PG_transhuge;
	p->mapcount = 0;
	for (u32 i = 1; i < HPAGE_PMD_NR; i++) {
		p[i].flags = PG_tail;
		p[i].refcount = 0;
		p[i].mapcount = 0;
		p[i].next = p[i].prev = PAGE_NIL;
	}
	p[1].next = 0;
}

u64 alloc_transhuge_page(struct task *tsk, gfp_t gfp, int nid, u64 nodemask)
{
	int node = nid < 0 ? (int)tsk->node : nid;
	u64 pfn = __alloc_pages(tsk, gfp | __GFP_COMP, HPAGE_PMD_ORDER, node, nodemask);
	if (pfn != PFN_NONE)
		prep_transhuge_page(tsk->sim, pfn);
	return pfn;
}

u64 alloc_hugepage_vma(struct task *tsk, gfp_t gfp, struct vm_area_struct *vma, u64 haddr)
{
	/* vma_alloc_folio(hugepage): the memory policy of haddr chooses the node(s) */
	u64 pfn = vma_alloc_hugepage(tsk, gfp | __GFP_COMP, HPAGE_PMD_ORDER, vma, haddr);
	if (pfn != PFN_NONE)
		prep_transhuge_page(tsk->sim, pfn);
	return pfn;
}

/* Undo prep_transhuge_page and the mapping flags before the block goes back. */
static void clear_compound(struct sim *sim, u64 head)
{
	struct page_desc *p = PG(sim, head);
	for (u32 i = 1; i < HPAGE_PMD_NR; i++) {
		p[i].flags = 0;
		p[i].refcount = 0;
		p[i].mapcount = 0;
		p[i].next = p[i].prev = PAGE_NIL;
	}
	p->flags &= PG_head | PG_ORDER_MASK | PG_MT_MASK;
	p->mapcount = 0;
}

void free_transhuge_page(struct task *tsk, u64 head)
{
	clear_compound(tsk->sim, head);
	PG(tsk->sim, head)->refcount = 1;
	__free_pages(tsk, head, HPAGE_PMD_ORDER);
}

/* ---- deferred split queue ---- */

static void ds_remove(struct thp_state *t, u64 head)
{
	struct deferred_split *ds = &t->ds[pfn_nid(t->sim, head)];
	for (u32 i = 0; i < ds->queue.n; i++) {
		if (ds->queue.v[i] == head) {
			memmove(&ds->queue.v[i], &ds->queue.v[i + 1], (ds->queue.n - i - 1) * sizeof(u64));
			ds->queue.n--;
			break;
		}
	}
	PG(t->sim, head)->flags &= ~PG_deferred_split;
}

void deferred_split_huge_page(struct task *tsk, u64 head)
{
	struct sim *sim = tsk->sim;
	struct page_desc *p = PG(sim, head);
	if (!sim->thp || (p->flags & (PG_deferred_split | PG_swapcache)))
		return;
	struct deferred_split *ds = &sim->thp->ds[pfn_nid(sim, head)];
	spin_lock(tsk, &ds->lock);
	if (!(p->flags & PG_deferred_split)) {
		count_vm_event(tsk, THP_DEFERRED_SPLIT_PAGE);
		p->flags |= PG_deferred_split;
		u64_vec_push(&ds->queue, head);
	}
	spin_unlock(tsk, &ds->lock);
}

u64 deferred_split_count(const struct sim *sim, unsigned nid)
{
	return sim->thp ? sim->thp->ds[nid].queue.n : 0;
}

u64 deferred_split_scan(struct task *tsk, unsigned nid, u64 nr)
{
	struct sim *sim = tsk->sim;
	if (!sim->thp)
		return 0;
	struct deferred_split *ds = &sim->thp->ds[nid];
	struct u64_vec batch = { 0 };
	/* take the pages off the queue with a reference each, under the queue lock */
	spin_lock(tsk, &ds->lock);
	while (batch.n < nr && ds->queue.n) {
		u64 head = ds->queue.v[0];
		memmove(&ds->queue.v[0], &ds->queue.v[1], (ds->queue.n - 1) * sizeof(u64));
		ds->queue.n--;
		PG(sim, head)->flags &= ~PG_deferred_split;
		if (!thp_refs(sim, head))
			continue;              /* being freed: folio_try_get fails */
		PG(sim, head)->refcount++;
		u64_vec_push(&batch, head);
	}
	spin_unlock(tsk, &ds->lock);
	u64 split = 0;
	for (u32 i = 0; i < batch.n; i++) {
		u64 head = batch.v[i];
		if (!split_huge_page(tsk, head)) {
			split++;
		} else if (PG(sim, head)->flags & PG_transhuge) {
			/* still compound (pinned): back on the queue */
			spin_lock(tsk, &ds->lock);
			if (!(PG(sim, head)->flags & PG_deferred_split)) {
				PG(sim, head)->flags |= PG_deferred_split;
				u64_vec_push(&ds->queue, head);
			}
			spin_unlock(tsk, &ds->lock);
		}
		/* our reference */
		struct page_desc *p = PG(sim, head);
		if (page_is_thp(p)) {
			p->refcount--;
			thp_put_subpage(tsk, head);
		} else {
			put_user_page(tsk, head);
		}
	}
	free(batch.v);
	return split;
}

/* do_shrink_slab for the deferred split shrinker (seeks DEFAULT_SEEKS, batch 128): the
 * scan target grows with the queue and falls with the priority; what is not scanned is
 * carried over in nr_deferred. */
#define SHRINK_BATCH 128
#define DEFAULT_SEEKS 2

void shrink_deferred_split(struct task *tsk, unsigned nid, int priority)
{
	struct sim *sim = tsk->sim;
	if (!sim->thp)
		return;
	struct deferred_split *ds = &sim->thp->ds[nid];
	u64 freeable = ds->queue.n;
	if (!freeable)
		return;
	u64 nr = ds->nr_deferred;
	ds->nr_deferred = 0;
	u64 delta = (freeable >> priority) * 4 / DEFAULT_SEEKS;
	u64 total_scan = min((nr >> priority) + delta, 2 * freeable);
	u64 scanned = 0;
	while (total_scan >= SHRINK_BATCH || total_scan >= freeable) {
		u64 n = min_t(u64, SHRINK_BATCH, total_scan);
		deferred_split_scan(tsk, nid, n);
		total_scan -= n;
		scanned += n;
		if (!n)
			break;
	}
	s64 next = (s64)(nr + delta) - (s64)scanned;
	ds->nr_deferred = next < 0 ? 0 : min((u64)next, 2 * freeable);
}

/* ---- freeing ---- */

bool thp_exclusive_pmd(const struct sim *sim, u64 head)
{
	const struct page_desc *p = PG(sim, head);
	if (p[1].next != 1)
		return false;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		if (p[i].mapcount)
			return false;
	return true;
}

void thp_put_subpage(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	if (PG(sim, pfn)->refcount)
		return;
	u64 head = thp_head(pfn);
	if (thp_refs(sim, head) || *cmc_ptr(sim, head))
		return;
	/* the last reference: queue, rmap entries, LRU, then the block */
	if (PG(sim, head)->flags & PG_deferred_split) {
		struct deferred_split *ds = &sim->thp->ds[pfn_nid(sim, head)];
		spin_lock(tsk, &ds->lock);
		if (thp_refs(sim, head)) {
			/* the shrinker took it meanwhile: it frees it with its reference */
			spin_unlock(tsk, &ds->lock);
			return;
		}
		ds_remove(sim->thp, head);
		spin_unlock(tsk, &ds->lock);
	}
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		if (rmap_owner(sim, head + i, NULL, NULL) != OWNER_NONE)
			rmap_release_owner(sim, head + i);
	lru_page_freed(tsk, head);
	free_transhuge_page(tsk, head);
}

/* ---- installation ---- */

static pte_t mk_huge_pmd(u64 head, bool write)
{
	return (head << PTE_PFN_SHIFT) | PTE_PRESENT | PTE_YOUNG | PTE_DIRTY | (write ? PTE_WRITE : 0);
}

int set_huge_pmd_anon(struct task *tsk, struct vm_area_struct *vma, u64 haddr, u64 head,
		      struct pte_table *deposit)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	bool own = !deposit;
	if (own) {
		deposit = pte_alloc_one(tsk, mm);
		if (!deposit)
			return -MM_ENOMEM;
	}
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (s && s->kind != PMD_NONE) {
		spin_unlock(tsk, &mm->page_table_lock);
		if (own)
			pte_free(tsk, mm, deposit);
		return -MM_EAGAIN;
	}
	s = pmd_alloc_slot(mm, haddr);
	struct page_desc *p = PG(sim, head);
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		p[i].flags |= PG_anon | PG_swapbacked | PG_anon_exclusive;
		page_add_new_anon_rmap(sim, head + i, vma, haddr + ((u64)i << PAGE_SHIFT));
	}
	u32 before = nr_subpages_mapped(sim, head);
	p[1].next = 1;
	unsigned nid = pfn_nid(sim, head);
	mod_node_page_state(tsk, nid, NR_ANON_THPS, 1);
	mod_node_page_state(tsk, nid, NR_ANON_MAPPED, HPAGE_PMD_NR - before);
	mm->rss_anon += HPAGE_PMD_NR;
	s->kind = PMD_HUGE;
	s->huge = mk_huge_pmd(head, vma->vm_flags & VM_WRITE);
	s->table = deposit;
	charge(tsk, sim->cost->pte_update_ns);
	spin_unlock(tsk, &mm->page_table_lock);
	folio_add_lru_vma(tsk, head, vma);
	return 0;
}

struct pte_table *pmdp_collapse_flush(struct task *tsk, struct mm_struct *mm, u64 haddr)
{
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	struct pte_table *t = NULL;
	if (s && s->kind == PMD_TABLE) {
		t = s->table;
		s->kind = PMD_NONE;
		s->table = NULL;
		charge(tsk, tsk->sim->cost->pte_update_ns + tsk->sim->cost->tlb_miss_4k_ns);
	}
	spin_unlock(tsk, &mm->page_table_lock);
	return t;
}

/* ---- lookups ---- */

struct pmd_slot *pmd_trans_huge_lookup(struct mm_struct *mm, const struct vm_area_struct *vma,
				       u64 addr)
{
	if (vma->vm_flags & VM_HUGETLB)
		return NULL;
	struct pmd_slot *s = pmd_lookup(mm, addr);
	return s && s->kind == PMD_HUGE ? s : NULL;
}

u64 pmd_thp_head(struct mm_struct *mm, const struct vm_area_struct *vma, u64 addr)
{
	struct pmd_slot *s = pmd_trans_huge_lookup(mm, vma, addr);
	if (!s || !(s->huge & PTE_PRESENT) || (s->huge & PTE_ZERO))
		return PFN_NONE;
	return pte_pfn(s->huge);
}

/* ---- the fault ---- */

/* mm_get_huge_zero_page: the huge zero page, allocated zeroed on first use. */
static bool get_huge_zero_page(struct task *tsk)
{
	struct thp_state *t = tsk->sim->thp;
	if (t->huge_zero_pfn != PFN_NONE)
		return true;
	u64 pfn = __alloc_pages(tsk, (GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE, HPAGE_PMD_ORDER,
				(int)tsk->node, 0);
	if (pfn == PFN_NONE) {
		count_vm_event(tsk, THP_ZERO_PAGE_ALLOC_FAILED);
		return false;
	}
	charge(tsk, tsk->sim->cost->zero_2m_ns);
	count_vm_event(tsk, THP_ZERO_PAGE_ALLOC);
	t->huge_zero_pfn = pfn;
	return true;
}

u64 huge_zero_page_pfn(const struct sim *sim)
{
	return sim->thp ? sim->thp->huge_zero_pfn : PFN_NONE;
}

vm_fault_t do_huge_pmd_anonymous_page(struct task *tsk, struct vm_area_struct *vma, u64 addr,
				      unsigned flags)
{
	struct sim *sim = tsk->sim;
	struct thp_state *t = sim->thp;
	struct mm_struct *mm = vma->vm_mm;
	u64 haddr = addr & ~(PMD_SIZE - 1);
	if (!t || !transhuge_vma_suitable(vma, haddr))
		return VM_FAULT_FALLBACK;
	anon_vma_prepare(tsk, vma);
	khugepaged_enter_vma(tsk, vma);
	if (!(flags & FAULT_FLAG_WRITE) && t->cfg.use_zero_page) {
		struct pte_table *pt = pte_alloc_one(tsk, mm);
		if (!pt)
			return VM_FAULT_OOM;
		if (!get_huge_zero_page(tsk)) {
			pte_free(tsk, mm, pt);
			count_vm_event(tsk, THP_FAULT_FALLBACK);
			return VM_FAULT_FALLBACK;
		}
		spin_lock(tsk, &mm->page_table_lock);
		struct pmd_slot *s = pmd_lookup(mm, haddr);
		if (s && s->kind != PMD_NONE) {
			spin_unlock(tsk, &mm->page_table_lock);
			pte_free(tsk, mm, pt);
			return VM_FAULT_NOPAGE;
		}
		s = pmd_alloc_slot(mm, haddr);
		s->kind = PMD_HUGE;
		s->huge = PTE_PRESENT | PTE_ZERO | PTE_YOUNG;
		s->table = pt;
		charge(tsk, sim->cost->pte_update_ns);
		spin_unlock(tsk, &mm->page_table_lock);
		return 0;
	}
	u64 head = alloc_hugepage_vma(tsk, vma_thp_gfp_mask(sim, vma), vma, haddr);
	if (head == PFN_NONE) {
		count_vm_event(tsk, THP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}
	/* memcg charging is not modelled: thp_fault_fallback_charge never happens */
	struct pte_table *pt = pte_alloc_one(tsk, mm);
	if (!pt) {
		free_transhuge_page(tsk, head);
		return VM_FAULT_OOM;
	}
	charge(tsk, sim->cost->zero_2m_ns);   /* clear_huge_page */
	if (set_huge_pmd_anon(tsk, vma, haddr, head, pt) < 0) {
		/* a racing fault mapped the PMD first */
		pte_free(tsk, mm, pt);
		free_transhuge_page(tsk, head);
		return VM_FAULT_NOPAGE;
	}
	count_vm_event(tsk, THP_FAULT_ALLOC);
	return 0;
}

vm_fault_t do_huge_pmd_wp_page(struct task *tsk, struct vm_area_struct *vma, u64 addr)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	u64 haddr = addr & ~(PMD_SIZE - 1);
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (!s || s->kind != PMD_HUGE) {
		spin_unlock(tsk, &mm->page_table_lock);
		return VM_FAULT_NOPAGE;
	}
	if (!(s->huge & PTE_ZERO)) {
		u64 head = pte_pfn(s->huge);
		struct page_desc *p = PG(sim, head);
		/* PageAnonExclusive, or the PMD's reference is the only one: reuse */
		if ((p->flags & PG_anon_exclusive) || thp_refs(sim, head) == 1) {
			s->huge |= PTE_YOUNG | PTE_DIRTY | (vma->vm_flags & VM_WRITE ? PTE_WRITE : 0);
			charge(tsk, sim->cost->pte_update_ns);
			spin_unlock(tsk, &mm->page_table_lock);
			count_vm_event(tsk, PGREUSE);
			return 0;
		}
	}
	spin_unlock(tsk, &mm->page_table_lock);
	/* the huge zero page or a shared THP: COW happens on the 4 KiB page */
	__split_huge_pmd(tsk, vma, haddr);
	return VM_FAULT_FALLBACK;
}

/* ---- splitting the PMD ---- */

void __split_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	haddr &= ~(PMD_SIZE - 1);
	if (vma->vm_flags & VM_HUGETLB)
		return;
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (!s || s->kind != PMD_HUGE || !s->table) {
		spin_unlock(tsk, &mm->page_table_lock);
		return;
	}
	pte_t entry = s->huge;
	struct pte_table *t = s->table;      /* the deposited table */
	count_vm_event(tsk, THP_SPLIT_PMD);
	if (entry & PTE_ZERO) {
		for (u32 i = 0; i < PTRS_PER_PTE; i++)
			pte_set(t, i, PTE_PRESENT | PTE_ZERO | (entry & PTE_YOUNG));
	} else {
		u64 head = pte_pfn(entry);
		struct page_desc *p = PG(sim, head);
		u32 before = nr_subpages_mapped(sim, head);
		pte_t bits = entry & (PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
		for (u32 i = 0; i < PTRS_PER_PTE; i++) {
			pte_set(t, i, ((head + i) << PTE_PFN_SHIFT) | PTE_PRESENT | bits);
			p[i].mapcount++;
			p[i].refcount++;
		}
		if (entry & PTE_DIRTY)
			p->flags |= PG_dirty;
		p->refcount--;                 /* the PMD's reference */
		unsigned nid = pfn_nid(sim, head);
		if (--p[1].next == 0)
			mod_node_page_state(tsk, nid, NR_ANON_THPS, -1);
		mod_node_page_state(tsk, nid, NR_ANON_MAPPED,
				    (s64)nr_subpages_mapped(sim, head) - (s64)before);
	}
	t->nr_present = PTRS_PER_PTE;
	s->kind = PMD_TABLE;
	s->huge = 0;
	charge(tsk, PTRS_PER_PTE * sim->cost->pte_update_ns + sim->cost->tlb_miss_2m_ns);
	spin_unlock(tsk, &mm->page_table_lock);
}

void split_huge_pmd_address(struct task *tsk, struct vm_area_struct *vma, u64 addr)
{
	if (!(addr & (PMD_SIZE - 1)) || (vma->vm_flags & VM_HUGETLB))
		return;
	u64 haddr = addr & ~(PMD_SIZE - 1);
	if (pmd_trans_huge_lookup(vma->vm_mm, vma, haddr))
		__split_huge_pmd(tsk, vma, haddr);
}

/* ---- splitting the page ---- */

void thp_collect_pmd(void *arg, struct vm_area_struct *vma, u64 haddr)
{
	struct u64_vec *v = arg;
	u64_vec_push(v, (u64)(uintptr_t)vma);
	u64_vec_push(v, haddr);
}

int split_huge_page(struct task *tsk, u64 head)
{
	return split_huge_page_to_list(tsk, head, NULL);
}

int split_huge_page_to_list(struct task *tsk, u64 head, struct u64_vec *list)
{
	struct sim *sim = tsk->sim;
	struct page_desc *p = PG(sim, head);
	if (!(p->flags & PG_transhuge))
		return -MM_EINVAL;
	if (p->flags & PG_lru_pending)
		lru_add_drain(tsk);            /* this CPU's batch; another CPU's pins it */
	/* can_split_folio: every reference is a mapping, plus the caller's */
	u64 pte_maps = 0;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		pte_maps += p[i].mapcount;
	if (thp_refs(sim, head) != pte_maps + p[1].next + 1) {
		count_vm_event(tsk, THP_SPLIT_PAGE_FAILED);
		return -MM_EBUSY;
	}
	/* unmap_folio: the huge PMDs become PTE mappings first */
	if (p[1].next) {
		struct u64_vec maps = { 0 };
		rmap_walk_pmd(sim, head, thp_collect_pmd, &maps);
		for (u32 i = 0; i + 1 < maps.n; i += 2)
			__split_huge_pmd(tsk, (struct vm_area_struct *)(uintptr_t)maps.v[i], maps.v[i + 1]);
		free(maps.v);
	}
	bool lru = p->flags & PG_lru;
	struct lruvec *lv = node_lruvec(sim, pfn_nid(sim, head));
	spin_lock(tsk, &lv->lru_lock);
	/* recheck with nothing left to block on: a racing fault or pin keeps it whole */
	pte_maps = 0;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		pte_maps += p[i].mapcount;
	if (p[1].next || thp_refs(sim, head) != pte_maps + 1 || lru != !!(p->flags & PG_lru)) {
		spin_unlock(tsk, &lv->lru_lock);
		count_vm_event(tsk, THP_SPLIT_PAGE_FAILED);
		return -MM_EBUSY;
	}
	if (lru)
		lru_list_del(sim, lv, head, page_lru(p));
	if (p->flags & PG_deferred_split) {
		struct deferred_split *ds = &sim->thp->ds[pfn_nid(sim, head)];
		spin_lock(tsk, &ds->lock);
		ds_remove(sim->thp, head);
		spin_unlock(tsk, &ds->lock);
	}
	unsigned mt = page_mt(p);
	const u32 inherit = PG_anon | PG_swapbacked | PG_dirty | PG_active | PG_referenced;
	struct u64_vec unused = { 0 };
	for (u32 i = 1; i < HPAGE_PMD_NR; i++) {
		struct page_desc *tp = &p[i];
		tp->flags = (p->flags & inherit) | (tp->flags & PG_anon_exclusive);
		set_page_order_mt(tp, 0, mt);
		tp->next = tp->prev = PAGE_NIL;
	}
	p->flags &= ~(PG_head | PG_transhuge | PG_deferred_split);
	set_page_order_mt(p, 0, mt);
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		struct page_desc *tp = &p[i];
		if (i && !tp->refcount) {
			/* a subpage nobody maps: freed after the split */
			tp->refcount = 1;
			u64_vec_push(&unused, head + i);
		} else if (i && list) {
			/* reclaim's list: the tail is isolated with the head (lru_add_page_tail) */
			tp->refcount++;
			tp->flags |= PG_isolated;
			u64_vec_push(list, head + i);
		} else if (i == 0 ? lru : true) {
			/* the head back where it was; mapped tails after it on the list */
			lru_list_add(sim, lv, head + i, page_lru(tp), i != 0 && !lru);
		}
	}
	charge(tsk, HPAGE_PMD_NR * sim->cost->atomic_local_ns);
	spin_unlock(tsk, &lv->lru_lock);
	count_vm_event(tsk, THP_SPLIT_PAGE);
	put_user_pages(tsk, unused.v, unused.n);
	free(unused.v);
	return 0;
}

/* ---- teardown and fork ---- */

void zap_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (!s || s->kind != PMD_HUGE) {
		spin_unlock(tsk, &mm->page_table_lock);
		return;
	}
	pte_t entry = s->huge;
	struct pte_table *t = s->table;
	s->kind = PMD_NONE;
	s->huge = 0;
	s->table = NULL;
	charge(tsk, sim->cost->pte_update_ns);
	/* page_remove_rmap(compound) with the PMD lock still held: nothing sees the PMD
	 * gone and the THP still counted */
	u64 head = PFN_NONE;
	bool queue = false;
	if (!(entry & PTE_ZERO)) {
		head = pte_pfn(entry);
		struct page_desc *p = PG(sim, head);
		if (entry & PTE_DIRTY)
			p->flags |= PG_dirty;
		mm->rss_anon -= HPAGE_PMD_NR;
		u32 before = nr_subpages_mapped(sim, head);
		unsigned nid = pfn_nid(sim, head);
		if (--p[1].next == 0) {
			mod_node_page_state(tsk, nid, NR_ANON_THPS, -1);
			u32 after = nr_subpages_mapped(sim, head);
			mod_node_page_state(tsk, nid, NR_ANON_MAPPED, (s64)after - (s64)before);
			/* partly mapped by PTEs elsewhere, partly not at all: queue it for
			 * splitting (page_remove_anon_compound_rmap clearing PageDoubleMap) */
			queue = after && after < HPAGE_PMD_NR;
		}
	}
	spin_unlock(tsk, &mm->page_table_lock);
	if (t)
		pte_free(tsk, mm, t);          /* zap_deposited_table */
	if (head == PFN_NONE)
		return;
	if (queue)
		deferred_split_huge_page(tsk, head);
	PG(sim, head)->refcount--;         /* the PMD's reference */
	thp_put_subpage(tsk, head);
}

int copy_huge_pmd(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src,
		  u64 haddr)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *smm = src->vm_mm, *dmm = dst->vm_mm;
	struct pte_table *t = pte_alloc_one(tsk, dmm);
	if (!t)
		return -MM_ENOMEM;
	spin_lock(tsk, &dmm->page_table_lock);
	spin_lock(tsk, &smm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(smm, haddr);
	if (!s || s->kind != PMD_HUGE) {
		spin_unlock(tsk, &smm->page_table_lock);
		spin_unlock(tsk, &dmm->page_table_lock);
		pte_free(tsk, dmm, t);
		return 0;
	}
	pte_t entry = s->huge;
	if (!(entry & PTE_ZERO)) {
		u64 head = pte_pfn(entry);
		struct page_desc *p = PG(sim, head);
		p->refcount++;
		p[1].next++;
		for (u32 i = 0; i < HPAGE_PMD_NR; i++)
			p[i].flags &= ~PG_anon_exclusive;
		dmm->rss_anon += HPAGE_PMD_NR;
		entry &= ~PTE_WRITE;
		s->huge = entry;               /* pmdp_set_wrprotect */
	}
	struct pmd_slot *d = pmd_alloc_slot(dmm, haddr);
	d->kind = PMD_HUGE;
	d->huge = entry & ~PTE_YOUNG;
	d->table = t;
	charge(tsk, 2 * sim->cost->pte_update_ns);
	spin_unlock(tsk, &smm->page_table_lock);
	spin_unlock(tsk, &dmm->page_table_lock);
	return 0;
}

/* ---- sysfs ---- */

int thp_sysfs_store(struct task *tsk, const char *file, s64 value, bool *known)
{
	struct thp_state *t = tsk->sim->thp;
	*known = true;
	if (!strcmp(file, "enabled")) {
		if (value < THP_ALWAYS || value > THP_NEVER)
			return -MM_EINVAL;
		t->cfg.enabled = (unsigned)value;
		if (t->hooks.enabled_changed)
			t->hooks.enabled_changed(t->hooks.arg, tsk);
		return 0;
	}
	if (!strcmp(file, "defrag")) {
		if (value < THP_DEFRAG_ALWAYS || value > THP_DEFRAG_NEVER)
			return -MM_EINVAL;
		t->cfg.defrag = (unsigned)value;
		return 0;
	}
	if (!strcmp(file, "use_zero_page")) {
		if (value < 0 || value > 1)
			return -MM_EINVAL;
		t->cfg.use_zero_page = value;
		return 0;
	}
	*known = false;
	return 0;
}

/* ---- mprotect, mremap, madvise ---- */

void change_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr, bool writable)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (s && s->kind == PMD_HUGE) {
		if (!writable) {
			s->huge &= ~PTE_WRITE;
		} else if (!(s->huge & PTE_ZERO) && (s->huge & PTE_DIRTY)) {
			u64 head = pte_pfn(s->huge);
			if ((PG(sim, head)->flags & PG_anon_exclusive) || thp_refs(sim, head) == 1)
				s->huge |= PTE_WRITE;
		}
		charge(tsk, sim->cost->pte_update_ns);
	}
	spin_unlock(tsk, &mm->page_table_lock);
}

int move_huge_pmd(struct task *tsk, struct mm_struct *mm, u64 old_haddr, u64 new_haddr)
{
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *d = pmd_alloc_slot(mm, new_haddr);   /* may rehash: look old up after */
	struct pmd_slot *s = pmd_lookup(mm, old_haddr);
	if (s && s->kind == PMD_HUGE && d->kind == PMD_NONE) {
		d->kind = PMD_HUGE;
		d->huge = s->huge;
		d->table = s->table;
		s->kind = PMD_NONE;
		s->huge = 0;
		s->table = NULL;
		charge(tsk, 2 * tsk->sim->cost->pte_update_ns + tsk->sim->cost->tlb_miss_2m_ns);
	}
	spin_unlock(tsk, &mm->page_table_lock);
	return 0;
}

void khugepaged_enter_vma(struct task *tsk, struct vm_area_struct *vma)
{
	struct thp_state *t = tsk->sim->thp;
	if (t && t->hooks.khugepaged_enter_vma)
		t->hooks.khugepaged_enter_vma(t->hooks.arg, tsk, vma);
}

/* ---- reclaim ---- */

u64 thp_ref_count(const struct sim *sim, u64 head)
{
	return thp_refs(sim, head);
}

struct young_ctx {
	struct task *tsk;
	u64 pfn;
	unsigned referenced;
};

static void pte_young_one(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
			  unsigned idx)
{
	struct young_ctx *c = arg;
	(void)vma;
	(void)addr;
	spin_lock(c->tsk, &t->ptl);
	pte_t pte = pte_get(t, idx);
	if ((pte & PTE_PRESENT) && !(pte & PTE_ZERO) && pte_pfn(pte) == c->pfn &&
	    (pte & PTE_YOUNG)) {
		pte_clear_flags(t, idx, PTE_YOUNG);
		c->referenced++;
	}
	charge(c->tsk, c->tsk->sim->cost->pte_update_ns);
	spin_unlock(c->tsk, &t->ptl);
}

static void pmd_young_one(void *arg, struct vm_area_struct *vma, u64 haddr)
{
	struct young_ctx *c = arg;
	struct mm_struct *mm = vma->vm_mm;
	spin_lock(c->tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (s && s->kind == PMD_HUGE && pte_pfn(s->huge) == c->pfn && (s->huge & PTE_YOUNG)) {
		s->huge &= ~PTE_YOUNG;
		c->referenced++;
	}
	charge(c->tsk, c->tsk->sim->cost->pte_update_ns);
	spin_unlock(c->tsk, &mm->page_table_lock);
}

unsigned thp_referenced(struct task *tsk, u64 head)
{
	struct sim *sim = tsk->sim;
	struct young_ctx c = { .tsk = tsk, .pfn = head };
	if (compound_mapcount(PG(sim, head)))
		rmap_walk_pmd(sim, head, pmd_young_one, &c);
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		if (!PG(sim, head + i)->mapcount)
			continue;
		c.pfn = head + i;
		rmap_walk(sim, head + i, pte_young_one, &c);
	}
	return c.referenced;
}

void split_thps_in_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end,
			 bool keep_whole_pmds)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	if (vma->vm_flags & VM_HUGETLB)
		return;
	struct u64_vec heads = { 0 };
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (s && s->kind == PMD_HUGE && keep_whole_pmds && start <= a && a + PMD_SIZE <= end)
			continue;
		if (s && s->kind == PMD_HUGE)
			__split_huge_pmd(tsk, vma, a);
		s = pmd_lookup(mm, a);
		if (!s || s->kind != PMD_TABLE)
			continue;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			pte_t p = pte_get(s->table, pte_index(x));
			if (!(p & PTE_PRESENT) || (p & PTE_ZERO) || !page_is_thp(PG(sim, pte_pfn(p))))
				continue;
			u64 head = thp_head(pte_pfn(p));
			if (!heads.n || heads.v[heads.n - 1] != head)
				u64_vec_push(&heads, head);
		}
	}
	for (u32 i = 0; i < heads.n; i++) {
		u64 head = heads.v[i];
		struct page_desc *p = PG(sim, head);
		/* only THPs mapped by this process alone (page_mapcount == 1 in the kernel) */
		if (!(p->flags & PG_transhuge) || total_mapcount(sim, head) > HPAGE_PMD_NR)
			continue;
		bool shared = false;
		for (u32 k = 0; k < HPAGE_PMD_NR && !shared; k++)
			shared = p[k].mapcount > 1;
		if (shared)
			continue;
		p->refcount++;
		split_huge_page(tsk, head);
		put_user_page(tsk, head);
	}
	free(heads.v);
}

/* ---- migration of a whole THP (NUMA: migrate_pages of a PMD-mappable folio) ---- */

struct repoint_ctx {
	struct task *tsk;
	u64 from, to;                      /* head pfns */
	u32 n;
};

static void repoint_pmd(void *arg, struct vm_area_struct *vma, u64 haddr)
{
	struct repoint_ctx *c = arg;
	struct pmd_slot *s = pmd_lookup(vma->vm_mm, haddr);
	s->huge = (s->huge & ((1ULL << PTE_PFN_SHIFT) - 1)) | (c->to << PTE_PFN_SHIFT);
	c->n++;
}

static void repoint_pte(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
			unsigned idx)
{
	struct repoint_ctx *c = arg;
	(void)vma;
	(void)addr;
	pte_set(t, idx, (pte_get(t, idx) & PTE_LOW_MASK) | (c->to << PTE_PFN_SHIFT));
	c->n++;
}

int migrate_thp(struct task *tsk, u64 head, int nid, u64 *new_head, struct u64_vec *split_list)
{
	struct sim *sim = tsk->sim;
	struct page_desc *o = PG(sim, head);
	*new_head = PFN_NONE;
	if (!(o->flags & PG_transhuge))
		return -MM_EINVAL;
	/* every reference is a mapping, plus the caller's isolation (no GUP pin) */
	u64 maps = o[1].next;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		maps += o[i].mapcount;
	if (thp_refs(sim, head) != maps + 1) {
		count_vm_event(tsk, THP_MIGRATION_FAIL);
		count_vm_events(tsk, PGMIGRATE_FAIL, HPAGE_PMD_NR);
		return -MM_EAGAIN;
	}
	u64 nh = alloc_transhuge_page(tsk, GFP_TRANSHUGE_LIGHT | __GFP_THISNODE, nid, 0);
	if (nh == PFN_NONE) {
		/* no huge page on the target: split, the caller moves the 4 KiB pages */
		count_vm_event(tsk, THP_MIGRATION_SPLIT);
		split_huge_page_to_list(tsk, head, split_list);
		return -MM_ENOMEM;
	}
	/* recheck after the allocation (it may have slept): nothing may have changed */
	maps = o[1].next;
	for (u32 i = 0; i < HPAGE_PMD_NR; i++)
		maps += o[i].mapcount;
	if (!(o->flags & PG_transhuge) || thp_refs(sim, head) != maps + 1) {
		free_transhuge_page(tsk, nh);
		count_vm_event(tsk, THP_MIGRATION_FAIL);
		count_vm_events(tsk, PGMIGRATE_FAIL, HPAGE_PMD_NR);
		return -MM_EAGAIN;
	}
	/* From here to the end nothing blocks, so no fault or unmap sees a half-moved THP
	 * (the kernel's migration entries give the same atomicity). */
	struct page_desc *n = PG(sim, nh);
	struct repoint_ctx c = { .tsk = tsk, .from = head, .to = nh };
	if (o[1].next)
		rmap_walk_pmd(sim, head, repoint_pmd, &c);
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		if (!o[i].mapcount)
			continue;
		c.from = head + i;
		c.to = nh + i;
		rmap_walk(sim, head + i, repoint_pte, &c);
	}
	const u32 keep = PG_head | PG_transhuge | PG_tail | PG_ORDER_MASK | PG_MT_MASK;
	unsigned on = pfn_nid(sim, head), nn = pfn_nid(sim, nh);
	u32 mapped = nr_subpages_mapped(sim, head);
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		n[i].flags = (n[i].flags & keep) | (o[i].flags & ~keep);
		n[i].mapcount = o[i].mapcount;
		n[i].refcount = o[i].refcount;
		u32 id;
		u64 index;
		enum page_owner_kind k = rmap_owner(sim, head + i, &id, &index);
		if (k != OWNER_NONE) {
			rmap_set_owner(sim, nh + i, k, id, index);
			rmap_clear_owner(sim, head + i);
		}
	}
	n[1].next = o[1].next;
	if (on != nn) {
		if (o[1].next) {
			mod_node_page_state(tsk, on, NR_ANON_THPS, -1);
			mod_node_page_state(tsk, nn, NR_ANON_THPS, 1);
		}
		mod_node_page_state(tsk, on, NR_ANON_MAPPED, -(s64)mapped);
		mod_node_page_state(tsk, nn, NR_ANON_MAPPED, mapped);
	}
	if (o->flags & PG_deferred_split) {
		struct deferred_split *ods = &sim->thp->ds[on], *nds = &sim->thp->ds[nn];
		ds_remove(sim->thp, head);
		n->flags |= PG_deferred_split;
		u64_vec_push(&nds->queue, nh);
		(void)ods;
	}
	charge(tsk, sim->cost->copy_2m_ns + c.n * sim->cost->pte_update_ns);
	/* the old THP: only the caller's isolation reference was left on it; it is gone */
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		o[i].refcount = 0;
		o[i].mapcount = 0;
	}
	o[1].next = 0;
	free_transhuge_page(tsk, head);
	count_vm_event(tsk, THP_MIGRATION_SUCCESS);
	count_vm_events(tsk, PGMIGRATE_SUCCESS, HPAGE_PMD_NR);
	*new_head = nh;
	return 0;
}

/* ---- invariants (--check) ---- */

int check_thp(struct sim *sim, u64 pfn, char *msg, size_t msglen)
{
	const struct page_desc *p = PG(sim, pfn);
	if (!(p->flags & PG_head) || page_order(p) != HPAGE_PMD_ORDER) {
		snprintf(msg, msglen, "THP %llu: head flags 0x%x", (unsigned long long)pfn,
			 p->flags);
		return -1;
	}
	u64 maps = p[1].next;
	u32 pmds = rmap_walk_pmd(sim, pfn, NULL, NULL);
	if (pmds != p[1].next) {
		snprintf(msg, msglen, "THP %llu: compound mapcount %u, %u huge PMDs map it",
			 (unsigned long long)pfn, p[1].next, pmds);
		return -1;
	}
	for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
		if (i && !(p[i].flags & PG_tail)) {
			snprintf(msg, msglen, "THP %llu: subpage %u flags 0x%x",
				 (unsigned long long)pfn, i, p[i].flags);
			return -1;
		}
		if (p[i].mapcount) {
			u32 ptes = rmap_walk(sim, pfn + i, NULL, NULL);
			if (ptes != p[i].mapcount) {
				snprintf(msg, msglen, "THP %llu: subpage %u mapcount %u, %u PTEs "
					 "map it", (unsigned long long)pfn, i, p[i].mapcount, ptes);
				return -1;
			}
		}
		maps += p[i].mapcount;
	}
	u64 refs = thp_refs(sim, pfn);
	if (refs < maps || !refs) {
		snprintf(msg, msglen, "THP %llu: %llu references for %llu mappings",
			 (unsigned long long)pfn, (unsigned long long)refs,
			 (unsigned long long)maps);
		return -1;
	}
	return 0;
}

int check_thps(struct sim *sim, char *msg, size_t msglen)
{
	struct phys_mem *pm = sim->phys;
	for (u64 pfn = 0; pfn + HPAGE_PMD_NR <= pm->nr_pages; pfn += HPAGE_PMD_NR) {
		const struct page_desc *p = PG(sim, pfn);
		if ((p->flags & PG_transhuge) && check_thp(sim, pfn, msg, msglen) < 0)
			return -1;
	}
	return 0;
}

/* ---- MADV_FREE of a whole huge PMD ---- */

u64 madvise_free_huge_pmd(struct task *tsk, struct vm_area_struct *vma, u64 haddr)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	u64 n = 0;
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_trans_huge_lookup(mm, vma, haddr);
	if (s && !(s->huge & PTE_ZERO) && (s->huge & PTE_PRESENT)) {
		u64 head = pte_pfn(s->huge);
		struct page_desc *p = PG(sim, head);
		/* only a THP this PMD alone maps (page_mapcount == 1) */
		if (thp_exclusive_pmd(sim, head) && !(p->flags & PG_swapcache)) {
			s->huge &= ~(PTE_DIRTY | PTE_YOUNG);
			for (u32 i = 0; i < HPAGE_PMD_NR; i++)     /* mark_page_lazyfree */
				p[i].flags &= ~(PG_dirty | PG_swapbacked);
			n = HPAGE_PMD_NR;
			charge(tsk, sim->cost->pte_update_ns);
		}
	}
	spin_unlock(tsk, &mm->page_table_lock);
	return n;
}
