/* vmscan.c - LRU scanning, page reclaim, kswapd. See vmscan.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/spinlock.h"
#include "mm/compaction.h"
#include "mm/filemap.h"
#include "mm/gfp.h"
#include "mm/memory.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/huge_memory.h"
#include "mm/vmscan.h"
#include "mm/workingset.h"
#include "mm/slab.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "mm/page_io.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/timeline.h"

#define MAX_RECLAIM_RETRIES 16
#define KSWAPD_NAP_NS (100 * NSEC_PER_MSEC)   /* HZ/10 */

struct kswapd {
	struct vmscan *v;
	struct pglist_data *pgdat;
	struct task *tsk;
	bool sleeping;                     /* waiting on kswapd_wait */
};

struct vmscan {
	struct sim *sim;
	struct kswapd kswapd[MAX_NUMNODES];
};

/* struct scan_control */
struct scan_control {
	u64 nr_to_reclaim, nr_reclaimed, nr_scanned;
	gfp_t gfp;
	unsigned order;
	int priority;
	unsigned reclaim_idx;
	bool may_swap, may_writepage, kswapd, ignore_references;
	bool may_deactivate_anon, may_deactivate_file, cache_trim_mode, file_is_tiny;
	/* an active list was left alone (may_deactivate said no); with nothing reclaimed,
	 * try_to_free_pages retries every priority with force_deactivate */
	bool skipped_deactivate, force_deactivate;
};

static inline bool is_file_lru(enum lru_list l)
{
	return l == LRU_INACTIVE_FILE || l == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list l)
{
	return l == LRU_ACTIVE_ANON || l == LRU_ACTIVE_FILE;
}

/* inactive_is_low: inactive * sqrt(10 * GB) < active (ratio 1 below 1 GB) */
static bool inactive_is_low(struct lruvec *lv, enum lru_list inactive)
{
	u64 in = lv->nr[inactive], act = lv->nr[inactive + 1];
	u64 gb = (in + act) >> (30 - PAGE_SHIFT);
	u64 ratio = gb ? int_sqrt(10 * gb) : 1;
	return in * ratio < act;
}

static bool can_swap(struct sim *sim)
{
	return sim->swap && swap_free_pages(sim->swap) > 0;
}

/* ---- reverse-map work on one page ---- */

struct ref_ctx {
	struct task *tsk;
	u64 pfn;
	unsigned referenced;
	bool exec;
};

static void referenced_one(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
			   unsigned idx)
{
	struct ref_ctx *c = arg;
	(void)addr;
	spin_lock(c->tsk, &t->ptl);
	pte_t pte = pte_get(t, idx);
	if ((pte & PTE_PRESENT) && !(pte & PTE_ZERO) && pte_pfn(pte) == c->pfn &&
	    (pte & PTE_YOUNG)) {
		pte_clear_flags(t, idx, PTE_YOUNG);
		c->referenced++;
		if (vma->vm_flags & VM_EXEC)
			c->exec = true;
	}
	charge(c->tsk, c->tsk->sim->cost->pte_update_ns);
	spin_unlock(c->tsk, &t->ptl);
}

/* folio_referenced: young PTEs mapping the page (cleared). */
static unsigned page_referenced(struct task *tsk, u64 pfn, bool *exec)
{
	struct ref_ctx c = { .tsk = tsk, .pfn = pfn };
	if (pfn_to_page(tsk->sim->phys, pfn)->flags & PG_transhuge) {
		*exec = false;
		return thp_referenced(tsk, pfn);
	}
	if (pfn_to_page(tsk->sim->phys, pfn)->mapcount)
		rmap_walk(tsk->sim, pfn, referenced_one, &c);
	*exec = c.exec;
	return c.referenced;
}

struct unmap_ctx {
	struct task *tsk;
	u64 pfn;
	u64 slot;                          /* anon: swap slot of the page; 0 for file */
};

static void unmap_one(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
		      unsigned idx)
{
	struct unmap_ctx *c = arg;
	struct task *tsk = c->tsk;
	(void)addr;
	spin_lock(tsk, &t->ptl);
	pte_t p = pte_get(t, idx);
	if ((p & PTE_PRESENT) && !(p & PTE_ZERO) && pte_pfn(p) == c->pfn) {
		struct page_desc *pg = pfn_to_page(tsk->sim->phys, c->pfn);
		if ((pg->flags & PG_anon) && !c->slot && (p & PTE_DIRTY)) {
			/* a lazily freed page written since MADV_FREE: it stays, swap-backed */
			pg->flags |= PG_swapbacked | PG_dirty;
			spin_unlock(tsk, &t->ptl);
			return;
		}
		if (p & PTE_DIRTY)
			pg->flags |= PG_dirty;
		if (c->slot) {
			pte_set(t, idx, swp_entry_to_pte(c->slot));
			swap_duplicate(tsk, c->slot);
			vma->vm_mm->swap_ents++;
		} else {
			pte_clear(t, idx);
			t->nr_present--;
		}
		page_remove_rmap(tsk, vma->vm_mm, c->pfn, vma->vm_file);
		pg->refcount--;            /* the mapping's reference (the caller holds others) */
		charge(tsk, tsk->sim->cost->pte_update_ns + tsk->sim->cost->tlb_miss_4k_ns);
	}
	spin_unlock(tsk, &t->ptl);
}

/* try_to_unmap: every PTE of the page becomes a swap entry (anon) or none (file). */
static bool try_to_unmap(struct task *tsk, u64 pfn, u64 slot)
{
	struct unmap_ctx c = { .tsk = tsk, .pfn = pfn, .slot = slot };
	rmap_walk(tsk->sim, pfn, unmap_one, &c);
	return !pfn_to_page(tsk->sim->phys, pfn)->mapcount;
}

/* ---- isolation and putback ---- */


/* move_folios_to_lru: put a batch of isolated pages back under one lru_lock section;
 * pages whose owner let go meanwhile (only the isolation holds them) are freed after. */
static void putback_batch(struct task *tsk, unsigned nid, const u64 *pages, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct lruvec *lv = node_lruvec(sim, nid);
	u64 dead[SWAP_CLUSTER_MAX];
	unsigned nr_dead = 0;
	if (!n)
		return;
	/* A swap cache page whose last swap entry was zapped while reclaim held it isolated
	 * (swap_free leaves isolated pages alone): the kernel's free_swap_and_cache would
	 * have taken it out of the swap cache, its folio being unlocked on the keep list,
	 * so it goes now, and with it the slot, instead of staying cached for nobody. */
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pages[i]);
		if ((pg->flags & (PG_swapcache | PG_anon | PG_transhuge)) == (PG_swapcache | PG_anon) &&
		    !pg->mapcount && pg->refcount == 2 &&
		    !swap_count(sim, page_swap_slot(sim, pages[i])))
			delete_from_swap_cache(tsk, pages[i]);
	}
	spin_lock(tsk, &lv->lru_lock);
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pages[i]);
		pg->flags &= ~PG_isolated;
		if (pg->refcount > 1 || ((pg->flags & PG_transhuge) && thp_ref_count(sim, pages[i]) > 1)) {
			lru_list_add(sim, lv, pages[i], page_lru(pg), false);
			pg->refcount--;
		} else {
			dead[nr_dead++] = pages[i];
		}
	}
	charge(tsk, n * sim->cost->atomic_local_ns);
	spin_unlock(tsk, &lv->lru_lock);
	for (unsigned i = 0; i < nr_dead; i++)
		put_user_page(tsk, dead[i]);
}

/* isolate_lru_folios: up to n pages from the tail of a list, isolation reference taken. */
static unsigned isolate_from_tail(struct task *tsk, unsigned nid, enum lru_list lru, unsigned n,
				  u64 *out, u64 *scanned)
{
	struct sim *sim = tsk->sim;
	struct lruvec *lv = node_lruvec(sim, nid);
	unsigned got = 0;
	u64 pages = 0;                         /* a THP counts 512 against n (nr_pages) */
	spin_lock(tsk, &lv->lru_lock);
	u64 pfn = lru_list_tail(sim, nid, lru);
	while (pages < n && pfn != PFN_NONE) {
		u64 prev = lru_prev(sim, nid, pfn);
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		pages += (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
		lru_list_del(sim, lv, pfn, lru);
		pg->refcount++;
		pg->flags |= PG_isolated;
		out[got++] = pfn;
		pfn = prev;
	}
	charge(tsk, got * sim->cost->atomic_local_ns);
	spin_unlock(tsk, &lv->lru_lock);
	*scanned += pages;
	return got;
}

/* ---- shrink_folio_list ---- */

enum page_verdict { PAGE_ACTIVATE, PAGE_KEEP, PAGE_RECLAIM };

/* folio_check_references */
static enum page_verdict check_references(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	bool exec;
	unsigned refs = page_referenced(tsk, pfn, &exec);
	bool referenced_page = pg->flags & PG_referenced;
	pg->flags &= ~PG_referenced;
	bool anon = pg->flags & PG_swapbacked;
	if (refs) {
		if (referenced_page || refs > 1)
			return PAGE_ACTIVATE;
		if (exec && !anon)
			return PAGE_ACTIVATE;
		pg->flags |= PG_referenced;
		return PAGE_KEEP;
	}
	return PAGE_RECLAIM;
}

enum reclaim_result { RECLAIM_KEPT, RECLAIM_FREED, RECLAIM_WRITE, RECLAIM_FILE_WRITE };

/* __remove_mapping for an anonymous page in the swap cache: nobody may have taken it
 * back (mapped it, or dirtied it) since it was unmapped. */
static bool remove_swapped_page(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (pg->mapcount || pg->refcount != 2 || (pg->flags & PG_dirty))
		return false;
	delete_from_swap_cache(tsk, pfn);
	return true;
}

/* Try to free one isolated inactive page: freed, kept (activate says where), or to be
 * written to swap first (RECLAIM_WRITE: unmapped, in the swap cache, dirty). */
static enum reclaim_result reclaim_page(struct task *tsk, struct scan_control *sc, u64 pfn,
					bool *activate, struct u64_vec *list)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	*activate = false;
	if ((pg->flags & (PG_anon | PG_writeback)) == (PG_anon | PG_writeback)) {
		/* shrink_folio_list, before the references: a folio under swap writeback is
		 * marked PG_reclaim and activated (global reclaim's cases 1 and 2); its end
		 * of writeback rotates it to the inactive tail (mm/page_io.h) */
		swap_folio_set_reclaim(sim, pfn);
		*activate = true;
		return RECLAIM_KEPT;
	}
	switch (sc->ignore_references ? PAGE_RECLAIM : check_references(tsk, pfn)) {
	case PAGE_ACTIVATE:
		*activate = true;
		return RECLAIM_KEPT;
	case PAGE_KEEP:
		return RECLAIM_KEPT;
	case PAGE_RECLAIM:
		break;
	}
	bool anon = pg->flags & PG_anon;
	if (!anon && (pg->flags & PG_swapbacked))
		return RECLAIM_KEPT;        /* shmem: swap-out not modelled */
	if ((pg->flags & PG_transhuge) && anon && !(pg->flags & (PG_swapbacked | PG_swapcache))) {
		/* A lazily freed THP (MADV_FREE of a whole huge PMD): try_to_unmap with
		 * TTU_SPLIT_HUGE_PMD splits its PMDs, then drops every clean PTE; a written
		 * one makes the THP swap-backed again and it stays. Freed whole. */
		struct u64_vec maps = { 0 };
		if (compound_mapcount(pg)) {
			rmap_walk_pmd(sim, pfn, thp_collect_pmd, &maps);
			for (u32 i = 0; i + 1 < maps.n; i += 2)
				__split_huge_pmd(tsk, (struct vm_area_struct *)(uintptr_t)maps.v[i],
						 maps.v[i + 1]);
		}
		free(maps.v);
		bool mapped = false;
		for (u32 i = 0; i < HPAGE_PMD_NR; i++) {
			if (pg[i].mapcount)
				try_to_unmap(tsk, pfn + i, 0);
			mapped |= pg[i].mapcount != 0;
			if (pg[i].flags & PG_swapbacked)
				pg->flags |= PG_swapbacked | PG_dirty;   /* written since */
		}
		if (mapped || (pg->flags & PG_swapbacked) || thp_ref_count(sim, pfn) != 1)
			return RECLAIM_KEPT;
		count_vm_events(tsk, PGLAZYFREED, HPAGE_PMD_NR);
		return RECLAIM_FREED;
	}
	if (pg->flags & PG_transhuge) {
		/* An anonymous THP. 6.1 without CONFIG_THP_SWAP cannot give it 512 swap slots:
		 * a PTE-mapped one is split first, a PMD-mapped one after add_to_swap failed
		 * (thp_swpout_fallback); then its head goes on as a 4 KiB page and the tails
		 * join the pages being reclaimed. */
		if (!sc->may_swap || !can_swap(sim)) {
			*activate = true;
			return RECLAIM_KEPT;
		}
		bool pmd_mapped = compound_mapcount(pg);
		if (split_huge_page_to_list(tsk, pfn, list) < 0) {
			*activate = true;
			return RECLAIM_KEPT;
		}
		if (pmd_mapped)
			count_vm_event(tsk, THP_SWPOUT_FALLBACK);
		if (pg->refcount == 1)
			return RECLAIM_FREED;   /* the head was mapped by nobody */
	}
	if (anon && !(pg->flags & (PG_swapbacked | PG_swapcache))) {
		/* MADV_FREE: discarded if still clean; written since: back to swap-backed */
		if (pg->mapcount && !try_to_unmap(tsk, pfn, 0))
			return RECLAIM_KEPT;
		if ((pg->flags & (PG_dirty | PG_swapbacked)) || pg->refcount != 1)
			return RECLAIM_KEPT;
		count_vm_event(tsk, PGLAZYFREED);
		return RECLAIM_FREED;
	}
	if (anon) {
		if (!(pg->flags & PG_swapcache)) {
			if (!sc->may_swap || !can_swap(sim)) {
				*activate = true;   /* no swap space: keep it active */
				return RECLAIM_KEPT;
			}
			u64 slot = get_swap_page(tsk);
			if (!slot) {
				*activate = true;
				return RECLAIM_KEPT;
			}
			add_to_swap_cache(tsk, slot, pfn);
			pg->flags |= PG_dirty;
		}
		u64 slot = page_swap_slot(sim, pfn);
		if (pg->mapcount && !try_to_unmap(tsk, pfn, slot))
			return RECLAIM_KEPT;
		if (pg->flags & PG_dirty)
			return sc->may_writepage ? RECLAIM_WRITE : RECLAIM_KEPT;
		return remove_swapped_page(tsk, pfn) ? RECLAIM_FREED : RECLAIM_KEPT;
	}
	/* file page: dirty or under writeback (mm/writeback.h) */
	if (pg->flags & (PG_dirty | PG_writeback)) {
		enum wb_reclaim_verdict v = reclaim_dirty_file_page(tsk, pfn, sc->kswapd);
		*activate = v == WB_RECLAIM_ACTIVATE;
		if (v != WB_RECLAIM_PAGEOUT || !sc->may_writepage ||
		    (pg->mapcount && !try_to_unmap(tsk, pfn, 0)))
			return RECLAIM_KEPT;
		return RECLAIM_FILE_WRITE;
	}
	if (pg->mapcount && !try_to_unmap(tsk, pfn, 0))
		return RECLAIM_KEPT;
	return filemap_remove_page(tsk, pfn, 1) ? RECLAIM_FREED : RECLAIM_KEPT;
}

static void lru_note_cost(struct lruvec *lv, bool file, u64 cost)
{
	if (file)
		lv->file_cost += cost;
	else
		lv->anon_cost += cost;
	/* decay once the costs exceed a quarter of the LRU: recent behaviour counts more */
	u64 lrusize = lv->nr[0] + lv->nr[1] + lv->nr[2] + lv->nr[3];
	if (lv->anon_cost + lv->file_cost > lrusize / 4) {
		lv->anon_cost /= 2;
		lv->file_cost /= 2;
	}
}

static u64 shrink_inactive_list(struct task *tsk, struct scan_control *sc, unsigned nid,
				enum lru_list lru, u64 nr_to_scan)
{
	struct sim *sim = tsk->sim;
	u64 batch[SWAP_CLUSTER_MAX], scanned = 0;
	bool file = is_file_lru(lru);
	lru_add_drain(tsk);
	unsigned n = isolate_from_tail(tsk, nid, lru, (unsigned)min_t(u64, nr_to_scan, SWAP_CLUSTER_MAX),
				       batch, &scanned);
	sc->nr_scanned += scanned;
	count_vm_events(tsk, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, scanned);
	count_vm_events(tsk, file ? PGSCAN_FILE : PGSCAN_ANON, scanned);
	u64 reclaimed = 0, activated = 0, nr_io = 0;
	/* the list grows when a THP is split: its tails are reclaimed in this pass too */
	struct u64_vec list = { 0 }, writev = { 0 }, keepv = { 0 }, filewv = { 0 };
	unsigned unqueued_dirty = 0;          /* file pages dirty, not under writeback */
	for (unsigned i = 0; i < n; i++) {
		u64_vec_push(&list, batch[i]);
		u32 f = pfn_to_page(sim->phys, batch[i])->flags;
		unqueued_dirty += file && (f & PG_dirty) && !(f & PG_writeback);
	}
	if (file && n && unqueued_dirty == n) {
		/* the flushers are behind: wake them; kswapd marks the node (PGDAT_DIRTY) */
		wakeup_flusher_threads(tsk);
		if (sc->kswapd)
			set_pgdat_dirty(sim, nid, true);
	}
	u64 *pages;
	for (unsigned i = 0; i < list.n; i++) {
		bool activate;
		enum reclaim_result r = reclaim_page(tsk, sc, list.v[i], &activate, &list);
		pages = list.v;
		if (r == RECLAIM_FILE_WRITE) {
			u64_vec_push(&filewv, pages[i]);
			continue;
		}
		if (r == RECLAIM_FREED) {
			struct page_desc *pg = pfn_to_page(sim->phys, pages[i]);
			reclaimed += (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;   /* a lazily freed THP */
			pg->flags &= ~PG_isolated;
			put_user_page(tsk, pages[i]);   /* the isolation's reference: the last */
			continue;
		}
		if (r == RECLAIM_WRITE) {
			u64_vec_push(&writev, pages[i]);
			continue;
		}
		if (activate) {
			struct page_desc *pg = pfn_to_page(sim->phys, pages[i]);
			unsigned nr = (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
			pg->flags |= PG_active;
			activated += nr;
			count_vm_events(tsk, PGACTIVATE, nr);
			workingset_age_nonresident(sim, nid, nr);   /* move_folios_to_lru */
		}
		u64_vec_push(&keepv, pages[i]);
	}
	u64 *write = writev.v;
	unsigned nr_write = writev.n;
	if (nr_write) {
		/* pageout: the batch goes out as one request (the block layer merges the
		 * plugged bios of neighbouring slots); faults meanwhile find the pages in the
		 * swap cache and take them back */
		for (unsigned i = 0; i < nr_write; i++)
			pfn_to_page(sim->phys, write[i])->flags &= ~PG_dirty;
		/* pageout's nr_vmscan_write; nr_written at the end of each page's writeback */
		mod_node_page_state(tsk, nid, NR_VMSCAN_WRITE, nr_write);
		nr_io += nr_write;
		int wr = swap_writepage_async(tsk, write, nr_write);
		if (wr > 0) {
			/* __swap_writepage submitted them; "goto keep": back on the inactive
			 * list under writeback, freed by a later pass after their rotation */
			for (unsigned i = 0; i < nr_write; i++)
				u64_vec_push(&keepv, write[i]);
			nr_write = 0;
		} else {
			if (wr == 0)
				swap_io(tsk, true, nr_write);
			mod_node_page_state(tsk, nid, NR_WRITTEN, nr_write);
		}
		for (unsigned i = 0; i < nr_write; i++) {
			if (remove_swapped_page(tsk, write[i])) {
				pfn_to_page(sim->phys, write[i])->flags &= ~PG_isolated;
				put_user_page(tsk, write[i]);
				reclaimed++;
			} else {
				u64_vec_push(&keepv, write[i]);
			}
		}
	}
	if (filewv.n) {
		/* pageout of dirty file pages (kswapd): written now, freed when still clean */
		pageout_file_pages(tsk, filewv.v, filewv.n);
		nr_io += filewv.n;
		for (unsigned i = 0; i < filewv.n; i++) {
			if (filemap_remove_page(tsk, filewv.v[i], 1)) {
				pfn_to_page(sim->phys, filewv.v[i])->flags &= ~PG_isolated;
				put_user_page(tsk, filewv.v[i]);
				reclaimed++;
			} else {
				u64_vec_push(&keepv, filewv.v[i]);
			}
		}
	}
	free(filewv.v);
	/* putback in batches of the size the kernel's lists allow under one lock hold */
	for (u32 i = 0; i < keepv.n; i += SWAP_CLUSTER_MAX)
		putback_batch(tsk, nid, keepv.v + i, (unsigned)min_t(u32, SWAP_CLUSTER_MAX, keepv.n - i));
	free(list.v);
	free(writev.v);
	free(keepv.v);
	lru_note_cost(node_lruvec(sim, nid), file, nr_io + activated);
	sc->nr_reclaimed += reclaimed;
	count_vm_events(tsk, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, reclaimed);
	count_vm_events(tsk, file ? PGSTEAL_FILE : PGSTEAL_ANON, reclaimed);
	return reclaimed;
}

/* shrink_active_list: deactivate, except referenced executable file pages. */
static void shrink_active_list(struct task *tsk, struct scan_control *sc, unsigned nid,
			       enum lru_list lru, u64 nr_to_scan)
{
	struct sim *sim = tsk->sim;
	u64 pages[SWAP_CLUSTER_MAX], scanned = 0;
	lru_add_drain(tsk);
	unsigned n = isolate_from_tail(tsk, nid, lru, (unsigned)min_t(u64, nr_to_scan, SWAP_CLUSTER_MAX),
				       pages, &scanned);
	count_vm_events(tsk, PGREFILL, scanned);
	(void)sc;
	u64 deactivated = 0;
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pages[i]);
		bool exec;
		unsigned refs = page_referenced(tsk, pages[i], &exec);
		if (!(refs && exec && is_file_lru(lru))) {
			pg->flags &= ~(PG_active | PG_referenced);
			folio_set_workingset(sim, pages[i]);
			deactivated += (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
		}
	}
	putback_batch(tsk, nid, pages, n);
	count_vm_events(tsk, PGDEACTIVATE, deactivated);
}

/* reclaim_pages (MADV_PAGEOUT): reclaim isolated pages whatever their references. */
u64 reclaim_pages(struct task *tsk, const u64 *pfns, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct scan_control sc = {
		.gfp = GFP_KERNEL,
		.priority = DEF_PRIORITY,
		.may_swap = true,
		.may_writepage = true,
		.ignore_references = true,
	};
	u64 reclaimed = 0;
	struct u64_vec list = { 0 };
	for (unsigned i = 0; i < n; i++)
		u64_vec_push(&list, pfns[i]);
	for (unsigned i = 0; i < list.n; i++) {
		u64 pfn = list.v[i];
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		bool activate;
		enum reclaim_result r = reclaim_page(tsk, &sc, pfn, &activate, &list);
		if (r == RECLAIM_WRITE) {
			pg->flags &= ~PG_dirty;
			swap_io(tsk, true, 1);
			mod_node_page_state(tsk, page_to_nid(sim->phys, pfn), NR_VMSCAN_WRITE, 1);
			mod_node_page_state(tsk, page_to_nid(sim->phys, pfn), NR_WRITTEN, 1);
			r = remove_swapped_page(tsk, pfn) ? RECLAIM_FREED : RECLAIM_KEPT;
		}
		if (r == RECLAIM_FREED) {
			reclaimed += (pg->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
			pg->flags &= ~PG_isolated;
			put_user_page(tsk, pfn);
			continue;
		}
		putback_batch(tsk, page_to_nid(sim->phys, pfn), &pfn, 1);
	}
	free(list.v);
	return reclaimed;
}

/* ---- get_scan_count, shrink_lruvec, shrink_node ---- */

/* get_scan_count: how many pages of each list to scan at this priority. The branches, in
 * the kernel's order: no swap (or may_swap off) -> file only; priority 0 with swappiness
 * -> every list by size (SCAN_EQUAL; swappiness 0 does not get it); file_is_tiny -> anon
 * only, whatever the swappiness (global reclaim swaps rather than OOM-kill: memcg's
 * swappiness-0 file-only branch is not modelled, there being no memcg); cache_trim_mode
 * -> file only; else SCAN_FRACT, the split by swappiness and the recent anon/file
 * costs. */
static void get_scan_count(struct sim *sim, struct scan_control *sc, unsigned nid, u64 nr[NR_LRU_LISTS])
{
	struct lruvec *lv = node_lruvec(sim, nid);
	unsigned swappiness = sim->scn->kernel.vm.swappiness;
	enum { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE } balance;
	u64 ap = 0, fp = 0;
	if (!sc->may_swap || !can_swap(sim))
		balance = SCAN_FILE;
	else if (!sc->priority && swappiness)
		balance = SCAN_EQUAL;
	else if (sc->file_is_tiny)
		balance = SCAN_ANON;
	else if (sc->cache_trim_mode)
		balance = SCAN_FILE;
	else {
		balance = SCAN_FRACT;
		u64 total = lv->anon_cost + lv->file_cost;
		u64 anon_cost = total + lv->anon_cost, file_cost = total + lv->file_cost;
		total = anon_cost + file_cost;
		ap = swappiness * (total + 1) / (anon_cost + 1);
		fp = (200 - swappiness) * (total + 1) / (file_cost + 1);
	}
	for (unsigned l = 0; l < NR_LRU_LISTS; l++) {
		bool file = is_file_lru((enum lru_list)l);
		u64 scan = lv->nr[l] >> sc->priority;
		switch (balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = ap + fp ? scan * (file ? fp : ap) / (ap + fp) : 0;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[l] = scan;
	}
}

static void shrink_lruvec(struct task *tsk, struct scan_control *sc, unsigned nid)
{
	struct sim *sim = tsk->sim;
	u64 nr[NR_LRU_LISTS];
	u64 start = sc->nr_reclaimed;
	get_scan_count(sim, sc, nid, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (unsigned l = 0; l < NR_LRU_LISTS; l++) {
			if (!nr[l])
				continue;
			u64 n = min_t(u64, nr[l], SWAP_CLUSTER_MAX);
			nr[l] -= n;
			enum lru_list lru = (enum lru_list)l;
			if (is_active_lru(lru)) {
				bool may = is_file_lru(lru) ? sc->may_deactivate_file : sc->may_deactivate_anon;
				if (may)
					shrink_active_list(tsk, sc, nid, lru, n);
				else
					sc->skipped_deactivate = true;
			} else {
				shrink_inactive_list(tsk, sc, nid, lru, n);
			}
		}
		/* enough for this round (kswapd's target is the zones' high watermarks) */
		if (sc->nr_reclaimed - start >= sc->nr_to_reclaim)
			break;
		if (kthread_should_stop(tsk) && tsk->kthread)
			break;
	}
	/* keep the active anon list aged when the inactive one runs low */
	if (can_swap(sim) && inactive_is_low(node_lruvec(sim, nid), LRU_INACTIVE_ANON))
		shrink_active_list(tsk, sc, nid, LRU_ACTIVE_ANON, SWAP_CLUSTER_MAX);
}

static void shrink_node(struct task *tsk, struct scan_control *sc, unsigned nid)
{
	struct sim *sim = tsk->sim;
	struct lruvec *lv = node_lruvec(sim, nid);
	u64 before = sc->nr_reclaimed;
	sc->may_deactivate_anon = sc->force_deactivate || inactive_is_low(lv, LRU_INACTIVE_ANON);
	sc->may_deactivate_file = sc->force_deactivate || inactive_is_low(lv, LRU_INACTIVE_FILE);
	sc->cache_trim_mode = (lv->nr[LRU_INACTIVE_FILE] >> sc->priority) && !sc->may_deactivate_file;
	/* file_is_tiny: file pages and free memory together under the zones' high watermarks
	 * (so file reclaim alone cannot balance the node), the inactive anon list not low
	 * and big enough to scan at this priority: scan anon, whatever the swappiness */
	struct pglist_data *pgdat = sim->phys->node_data[nid];
	u64 free = 0, high = 0;
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &pgdat->node_zones[zi];
		free += z->free_pages;
		if (z->populated)
			high += wmark_pages(z, WMARK_HIGH);
	}
	u64 file = lv->nr[LRU_ACTIVE_FILE] + lv->nr[LRU_INACTIVE_FILE];
	sc->file_is_tiny = file + free <= high && !sc->may_deactivate_anon &&
			   (lv->nr[LRU_INACTIVE_ANON] >> sc->priority);
	shrink_lruvec(tsk, sc, nid);
	/* shrink_slab after the LRUs, as shrink_node does: the slab caches' shrinkers (freed
	 * slab pages count as reclaimed, reclaim_state->reclaimed_slab) and the THP deferred
	 * split queue */
	u64 slab_pages;
	shrink_slab(tsk, nid, sc->priority, &slab_pages);
	sc->nr_reclaimed += slab_pages;
	shrink_deferred_split(tsk, nid, sc->priority);
	if (sc->nr_reclaimed > before)
		sim->phys->node_data[nid]->kswapd_failures = 0;
}

/* ---- direct reclaim ---- */

static bool compaction_ready(struct sim *sim, struct scan_control *sc, unsigned nid)
{
	if (sc->order <= PAGE_ALLOC_COSTLY_ORDER)
		return false;
	for (unsigned zi = 0; zi <= sc->reclaim_idx && zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &sim->phys->node_data[nid]->node_zones[zi];
		if (z->populated && compaction_suitable(sim, z, (int)sc->order, 0, zi) == COMPACT_CONTINUE)
			return true;
	}
	return false;
}

static u64 try_to_free_pages(void *arg, struct task *tsk, gfp_t gfp, unsigned order,
			     int preferred_nid, u64 nodemask)
{
	struct vmscan *v = arg;
	struct sim *sim = v->sim;
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp = gfp,
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = gfp_zone(gfp),
		.may_swap = true,
		.may_writepage = true,
	};
	struct pglist_data *pgdat = sim->phys->node_data[preferred_nid];
retry:
	do {
		u64 done = 0;
		for (unsigned i = 0; i < pgdat->nr_zonelist; i++) {
			struct zone *z = pgdat->zonelist[i];
			unsigned nid = z->zone_pgdat->node_id;
			if (z->idx > sc.reclaim_idx || (done >> nid) & 1 ||
			    (nodemask && !((nodemask >> nid) & 1)))
				continue;
			done |= 1ULL << nid;
			if (compaction_ready(sim, &sc, nid))
				goto out;
			tl_begin(tsk, TL_SHRINK_NODE, nid);
			shrink_node(tsk, &sc, nid);
			tl_end(tsk, TL_SHRINK_NODE);
			if (sc.nr_reclaimed >= sc.nr_to_reclaim)
				goto out;
		}
	} while (--sc.priority >= 0);
	/* nothing reclaimed while an active list was spared: once more at every priority,
	 * deactivating whatever the inactive:active ratio says (do_try_to_free_pages) */
	if (!sc.nr_reclaimed && sc.skipped_deactivate) {
		sc.priority = DEF_PRIORITY;
		sc.force_deactivate = true;
		sc.skipped_deactivate = false;
		goto retry;
	}
	/* no progress while file pages wait for writeback: stall for it (6.1's
	 * reclaim_throttle, VMSCAN_THROTTLE_WRITEBACK), then the allocator retries */
	if (!sc.nr_reclaimed) {
		reclaim_throttle_writeback(tsk);
		swap_writeback_throttle(tsk);
	}
out:
	return sc.nr_reclaimed;
}

static u64 zone_reclaimable_pages(void *arg, const struct zone *z)
{
	struct vmscan *v = arg;
	struct lruvec *lv = node_lruvec(v->sim, z->zone_pgdat->node_id);
	u64 n = lv->nr[LRU_INACTIVE_FILE] + lv->nr[LRU_ACTIVE_FILE];
	if (can_swap(v->sim))
		n += lv->nr[LRU_INACTIVE_ANON] + lv->nr[LRU_ACTIVE_ANON];
	return n;
}

/* ---- kswapd ---- */

bool node_balanced(struct sim *sim, unsigned nid, unsigned order, unsigned highest_zoneidx)
{
	struct pglist_data *pgdat = sim->phys->node_data[nid];
	bool any = false;
	for (unsigned zi = 0; zi <= highest_zoneidx && zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &pgdat->node_zones[zi];
		if (!z->populated)
			continue;
		any = true;
		if (zone_watermark_ok(z, order, wmark_pages(z, WMARK_HIGH), highest_zoneidx, 0))
			return true;
	}
	return !any;
}

static bool node_boosted(struct pglist_data *pgdat, unsigned highest_zoneidx)
{
	for (unsigned zi = 0; zi <= highest_zoneidx && zi < MAX_NR_ZONES; zi++)
		if (pgdat->node_zones[zi].populated && pgdat->node_zones[zi].watermark_boost)
			return true;
	return false;
}

static void wakeup_kswapd(void *arg, struct task *tsk, struct zone *z, gfp_t gfp, unsigned order,
			  unsigned highest_zoneidx)
{
	struct vmscan *v = arg;
	struct pglist_data *pgdat = z->zone_pgdat;
	struct kswapd *k = &v->kswapd[pgdat->node_id];
	if (!k->tsk)
		return;
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES ||
	    (node_balanced(v->sim, pgdat->node_id, order, highest_zoneidx) &&
	     !node_boosted(pgdat, highest_zoneidx))) {
		/* nothing for kswapd: kcompactd may still help requests that cannot wait */
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(tsk, pgdat, (int)order, highest_zoneidx);
		return;
	}
	if (!k->sleeping)
		return;
	k->sleeping = false;
	task_unpark(tsk, k->tsk);
}

/* balance_pgdat: reclaim until a zone meets its high watermark for the order. */
static unsigned balance_pgdat(struct task *tsk, struct kswapd *k, unsigned order,
			      unsigned highest_zoneidx)
{
	struct sim *sim = tsk->sim;
	struct pglist_data *pgdat = k->pgdat;
	unsigned nid = pgdat->node_id;
	count_vm_event(tsk, PAGEOUTRUN);
	bool boosted = node_boosted(pgdat, highest_zoneidx);
	struct scan_control sc = {
		.gfp = GFP_KERNEL,
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = highest_zoneidx,
		.may_swap = true,
		.may_writepage = true,
		.kswapd = true,
	};
	do {
		if (node_balanced(sim, nid, sc.order, highest_zoneidx))
			break;
		if (kthread_should_stop(tsk))
			break;
		/* the target: each zone's high watermark, at least a cluster */
		sc.nr_to_reclaim = 0;
		for (unsigned zi = 0; zi <= highest_zoneidx && zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = &pgdat->node_zones[zi];
			if (z->populated)
				sc.nr_to_reclaim += max_t(u64, wmark_pages(z, WMARK_HIGH), SWAP_CLUSTER_MAX);
		}
		u64 before = sc.nr_reclaimed;
		sc.nr_scanned = 0;
		tl_begin(tsk, TL_SHRINK_NODE, nid);
		shrink_node(tsk, &sc, nid);
		tl_end(tsk, TL_SHRINK_NODE);
		/* enough for compaction to make the block: balance for order 0 from now */
		if (sc.order && sc.nr_reclaimed >= 2ULL << sc.order)
			sc.order = 0;
		bool raise_priority = sc.nr_scanned < sc.nr_to_reclaim;
		if (raise_priority || sc.nr_reclaimed == before)
			sc.priority--;
	} while (sc.priority >= 1);
	if (!sc.nr_reclaimed && !node_balanced(sim, nid, sc.order, highest_zoneidx))
		pgdat->kswapd_failures++;
	if (node_balanced(sim, nid, sc.order, highest_zoneidx))
		set_pgdat_dirty(sim, nid, false);     /* clear_pgdat_congested */
	if (boosted) {
		for (unsigned zi = 0; zi <= highest_zoneidx && zi < MAX_NR_ZONES; zi++)
			pgdat->node_zones[zi].watermark_boost = 0;
		wakeup_kcompactd(tsk, pgdat, pageblock_order, highest_zoneidx);
	}
	return sc.order;
}

static void kswapd_main(struct task *tsk)
{
	struct kswapd *k = tsk->priv;
	struct pglist_data *pgdat = k->pgdat;
	unsigned alloc_order = 0, reclaim_order = 0, highest = MAX_NR_ZONES - 1;
	while (!kthread_should_stop(tsk)) {
		/* kswapd_try_to_sleep */
		bool early = false;
		if (node_balanced(tsk->sim, pgdat->node_id, reclaim_order, highest)) {
			reset_isolation_suitable(tsk->sim, pgdat);
			wakeup_kcompactd(tsk, pgdat, (int)alloc_order, highest);
			k->sleeping = true;
			early = task_park_timeout(tsk, TASK_IDLE, KSWAPD_NAP_NS) == 1;
			k->sleeping = false;
		}
		if (kthread_should_stop(tsk))
			break;
		if (!early && node_balanced(tsk->sim, pgdat->node_id, reclaim_order, highest) &&
		    !pgdat->kswapd_order) {
			k->sleeping = true;
			task_park(tsk, TASK_IDLE);
			k->sleeping = false;
		} else {
			count_vm_event(tsk, early ? KSWAPD_LOW_WMARK_HIT_QUICKLY :
						    KSWAPD_HIGH_WMARK_HIT_QUICKLY);
		}
		if (kthread_should_stop(tsk))
			break;
		alloc_order = reclaim_order = pgdat->kswapd_order;
		highest = pgdat->kswapd_highest_zoneidx;
		if (highest >= MAX_NR_ZONES)
			highest = MAX_NR_ZONES - 1;
		pgdat->kswapd_order = 0;
		pgdat->kswapd_highest_zoneidx = 0;
		reclaim_order = balance_pgdat(tsk, k, alloc_order, MAX_NR_ZONES - 1 > highest ?
								    highest : MAX_NR_ZONES - 1);
		if (reclaim_order < alloc_order)
			reclaim_order = 0;
	}
}

/* ---- set-up ---- */

struct vmscan *vmscan_create(struct sim *sim)
{
	struct vmscan *v = xcalloc(1, sizeof(*v));
	v->sim = sim;
	struct phys_mem *pm = sim->phys;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		v->kswapd[n] = (struct kswapd){ .v = v, .pgdat = pm->node_data[n] };
	pm->hooks.reclaim_arg = v;
	pm->hooks.wakeup_kswapd = wakeup_kswapd;
	pm->hooks.try_to_free_pages = try_to_free_pages;
	pm->hooks.zone_reclaimable_pages = zone_reclaimable_pages;
	sim->vmscan = v;
	return v;
}

void vmscan_start_kthreads(struct vmscan *v)
{
	struct sim *sim = v->sim;
	for (unsigned n = 0; n < sim->phys->nr_nodes; n++) {
		char comm[TASK_COMM_LEN];
		snprintf(comm, sizeof(comm), "kswapd%u", (unsigned)(u8)n);
		v->kswapd[n].tsk = engine_spawn(sim->eng, comm, n * sim->topo->cpus_per_node, true, 0,
						kswapd_main, &v->kswapd[n], NULL);
	}
}

void vmscan_destroy(struct vmscan *v)
{
	free(v);
}
