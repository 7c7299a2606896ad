/* swap.c - LRU lists, the per-CPU lru_add batches, isolation and putback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "locks/lock_class.h"
#include "locks/spinlock.h"
#include "mm/check.h"
#include "mm/page_alloc.h"
#include "mm/huge_memory.h"
#include "mm/mlock.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmstat.h"
#include "platform/cost.h"

static DEFINE_LOCK_CLASS(lru_lock_class, "&lruvec->lru_lock", LOCK_SPIN);

struct lru_batch {
	u64 pfn[LRU_BATCH];
	unsigned nr;
};

struct lru_state {
	struct sim *sim;
	struct lruvec vec[MAX_NUMNODES];
	struct lru_batch *batch;           /* [nr_cpus] */
	struct mlock_fbatch *mlock;        /* [nr_cpus]: mm/mlock.c's batches */
	struct lazyfree_batch {
		u64 pfn[LAZYFREE_BATCH];
		unsigned nr;
	} *lazyfree;                       /* [nr_cpus] */
	unsigned nr_cpus;
};

static const enum vm_item lru_node_item[NR_ALL_LRU_LISTS] = {
	NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE };
static const enum vm_item lru_zone_item[NR_ALL_LRU_LISTS] = {
	NR_ZONE_INACTIVE_ANON, NR_ZONE_ACTIVE_ANON, NR_ZONE_INACTIVE_FILE, NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE };

struct lru_state *lru_create(struct sim *sim)
{
	struct lru_state *l = xcalloc(1, sizeof(*l));
	l->sim = sim;
	l->nr_cpus = sim->phys->nr_cpus;
	l->batch = xcalloc(l->nr_cpus, sizeof(*l->batch));
	l->mlock = mlock_fbatch_create(l->nr_cpus);
	l->lazyfree = xcalloc(l->nr_cpus, sizeof(*l->lazyfree));
	for (unsigned n = 0; n < MAX_NUMNODES; n++) {
		for (unsigned i = 0; i < NR_ALL_LRU_LISTS; i++)
			l->vec[n].lists[i].head = l->vec[n].lists[i].tail = PAGE_NIL;
		spin_lock_init(&l->vec[n].lru_lock, &lru_lock_class);
	}
	sim->lru = l;
	return l;
}

void lru_destroy(struct lru_state *l)
{
	if (!l)
		return;
	free(l->batch);
	mlock_fbatch_destroy(l->mlock);
	free(l->lazyfree);
	free(l);
}

struct mlock_fbatch *lru_mlock_batches(struct sim *sim)
{
	return sim->lru->mlock;
}

struct lruvec *node_lruvec(struct sim *sim, unsigned nid)
{
	return &sim->lru->vec[nid];
}

enum lru_list page_lru(const struct page_desc *pg)
{
	if (pg->flags & PG_unevictable)
		return LRU_UNEVICTABLE;
	bool anon = pg->flags & (PG_anon | PG_swapbacked);
	bool active = pg->flags & PG_active;
	return anon ? (active ? LRU_ACTIVE_ANON : LRU_INACTIVE_ANON) :
		      (active ? LRU_ACTIVE_FILE : LRU_INACTIVE_FILE);
}

/* ---- list primitives (lru_lock held) ---- */

static inline u32 noff(struct sim *sim, unsigned nid, u64 pfn)
{
	return (u32)(pfn - sim->phys->node_data[nid]->node_start_pfn);
}

static inline u64 npfn(struct sim *sim, unsigned nid, u32 off)
{
	return sim->phys->node_data[nid]->node_start_pfn + off;
}

void lru_list_add(struct sim *sim, struct lruvec *v, u64 pfn, enum lru_list lru, bool tail)
{
	struct phys_mem *pm = sim->phys;
	unsigned nid = page_to_nid(pm, pfn);
	struct page_desc *p = pfn_to_page(pm, pfn);
	struct lru_head *h = &v->lists[lru];
	u32 o = noff(sim, nid, pfn);
	if (unlikely(sim->mmcheck != NULL)) {
		mm_check_note_pfn(sim->mmcheck, pfn);
		if (h->head != PAGE_NIL)
			mm_check_note_pfn(sim->mmcheck, npfn(sim, nid, tail ? h->tail : h->head));
	}
	if (tail) {
		p->next = PAGE_NIL;
		p->prev = h->tail;
		if (h->tail != PAGE_NIL)
			pfn_to_page(pm, npfn(sim, nid, h->tail))->next = o;
		else
			h->head = o;
		h->tail = o;
	} else {
		p->prev = PAGE_NIL;
		p->next = h->head;
		if (h->head != PAGE_NIL)
			pfn_to_page(pm, npfn(sim, nid, h->head))->prev = o;
		else
			h->tail = o;
		h->head = o;
	}
	p->flags |= PG_lru;
	/* a THP is one entry of 512 pages (folio_nr_pages) */
	s64 nr = (p->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
	v->nr[lru] += nr;
	__mod_node_state(sim->vmstat, nid, lru_node_item[lru], nr);
	__mod_node_state(sim->vmstat, nid, lru_zone_item[lru], nr);
}

void lru_list_del(struct sim *sim, struct lruvec *v, u64 pfn, enum lru_list lru)
{
	struct phys_mem *pm = sim->phys;
	unsigned nid = page_to_nid(pm, pfn);
	struct page_desc *p = pfn_to_page(pm, pfn);
	struct lru_head *h = &v->lists[lru];
	if (unlikely(sim->mmcheck != NULL)) {
		mm_check_note_pfn(sim->mmcheck, pfn);
		if (p->prev != PAGE_NIL)
			mm_check_note_pfn(sim->mmcheck, npfn(sim, nid, p->prev));
		if (p->next != PAGE_NIL)
			mm_check_note_pfn(sim->mmcheck, npfn(sim, nid, p->next));
	}
	if (p->prev != PAGE_NIL)
		pfn_to_page(pm, npfn(sim, nid, p->prev))->next = p->next;
	else
		h->head = p->next;
	if (p->next != PAGE_NIL)
		pfn_to_page(pm, npfn(sim, nid, p->next))->prev = p->prev;
	else
		h->tail = p->prev;
	p->next = p->prev = PAGE_NIL;
	p->flags &= ~PG_lru;
	s64 nr = (p->flags & PG_transhuge) ? HPAGE_PMD_NR : 1;
	v->nr[lru] -= nr;
	__mod_node_state(sim->vmstat, nid, lru_node_item[lru], -nr);
	__mod_node_state(sim->vmstat, nid, lru_zone_item[lru], -nr);
}

u64 lru_list_tail(struct sim *sim, unsigned nid, enum lru_list lru)
{
	u32 t = sim->lru->vec[nid].lists[lru].tail;
	return t == PAGE_NIL ? PFN_NONE : npfn(sim, nid, t);
}

u64 lru_prev(struct sim *sim, unsigned nid, u64 pfn)
{
	u32 p = pfn_to_page(sim->phys, pfn)->prev;
	return p == PAGE_NIL ? PFN_NONE : npfn(sim, nid, p);
}

/* ---- batches ---- */

static void drain_batch(struct task *tsk, struct lru_batch *b)
{
	struct sim *sim = tsk->sim;
	struct lruvec *locked = NULL;
	for (unsigned i = 0; i < b->nr; i++) {
		u64 pfn = b->pfn[i];
		struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
		if (v != locked) {
			if (locked)
				spin_unlock(tsk, &locked->lru_lock);
			spin_lock(tsk, &v->lru_lock);
			locked = v;
		}
		struct page_desc *p = pfn_to_page(sim->phys, pfn);
		if (!(p->flags & PG_lru_pending) || (p->flags & PG_lru))
			continue;   /* freed while this batch was being drained */
		p->flags &= ~PG_lru_pending;
		if (p->flags & PG_mlocked) {
			/* mlocked while in the batch: lru_add_fn culls it */
			p->flags = (p->flags & ~PG_active) | PG_unevictable;
			count_vm_events(tsk, UNEVICTABLE_PGS_CULLED, 1);
		}
		lru_list_add(sim, v, pfn, page_lru(p), false);
		charge(tsk, sim->cost->atomic_local_ns);
	}
	if (locked)
		spin_unlock(tsk, &locked->lru_lock);
	b->nr = 0;
}

void lru_add_drain(struct task *tsk)
{
	struct lru_batch *b = &tsk->sim->lru->batch[tsk->cpu];
	if (b->nr) {
		/* the batch is taken whole: a concurrent drain by another task finds it empty */
		struct lru_batch full = *b;
		b->nr = 0;
		drain_batch(tsk, &full);
	}
	lru_lazyfree_drain(tsk);
	mlock_drain_local(tsk);
}

static bool lazyfree_candidate(const struct page_desc *p)
{
	return (p->flags & (PG_anon | PG_swapbacked)) == (PG_anon | PG_swapbacked) &&
	       !(p->flags & (PG_swapcache | PG_unevictable));
}

void lru_lazyfree_drain(struct task *tsk)
{
	struct sim *sim = tsk->sim;
	struct lazyfree_batch *b = &sim->lru->lazyfree[tsk->cpu];
	if (!b->nr)
		return;
	struct lazyfree_batch full = *b;
	b->nr = 0;
	struct lruvec *locked = NULL;
	for (unsigned i = 0; i < full.nr; i++) {
		u64 pfn = full.pfn[i];
		struct page_desc *p = pfn_to_page(sim->phys, pfn);
		if (!(p->flags & PG_lru) || !lazyfree_candidate(p))
			continue;
		struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
		if (v != locked) {
			if (locked)
				spin_unlock(tsk, &locked->lru_lock);
			spin_lock(tsk, &v->lru_lock);
			locked = v;
		}
		/* lru_lazyfree_fn */
		lru_list_del(sim, v, pfn, page_lru(p));
		p->flags &= ~(PG_active | PG_referenced | PG_swapbacked);
		lru_list_add(sim, v, pfn, page_lru(p), false);
		count_vm_events(tsk, PGLAZYFREE, (p->flags & PG_transhuge) ? HPAGE_PMD_NR : 1);
		charge(tsk, sim->cost->atomic_local_ns);
	}
	if (locked)
		spin_unlock(tsk, &locked->lru_lock);
	put_user_pages(tsk, full.pfn, full.nr);   /* the batch's references */
}

void populate_drain(struct task *tsk)
{
	lru_add_drain(tsk);
}

void mark_page_lazyfree(struct task *tsk, u64 pfn)
{
	struct lazyfree_batch *b = &tsk->sim->lru->lazyfree[tsk->cpu];
	struct page_desc *p = pfn_to_page(tsk->sim->phys, pfn);
	if (!lazyfree_candidate(p))
		return;
	p->refcount++;
	b->pfn[b->nr++] = pfn;
	if (b->nr == LAZYFREE_BATCH || (p->flags & PG_transhuge))
		lru_lazyfree_drain(tsk);
}

void lru_add_drain_all(struct task *tsk)
{
	struct lru_state *l = tsk->sim->lru;
	for (unsigned c = 0; c < l->nr_cpus; c++) {
		struct lru_batch *b = &l->batch[c];
		if (!b->nr)
			continue;
		struct lru_batch full = *b;
		b->nr = 0;
		drain_batch(tsk, &full);
	}
}

void lru_cache_add(struct task *tsk, u64 pfn)
{
	struct lru_batch *b = &tsk->sim->lru->batch[tsk->cpu];
	struct page_desc *p = pfn_to_page(tsk->sim->phys, pfn);
	p->flags |= PG_lru_pending;
	b->pfn[b->nr++] = pfn;
	/* a large folio (THP) drains the batch at once (folio_add_lru) */
	if (b->nr == LRU_BATCH || (p->flags & PG_transhuge))
		lru_add_drain(tsk);
}

void lru_page_freed(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *p = pfn_to_page(sim->phys, pfn);
	mlock_page_freed(tsk, pfn);
	if (p->flags & PG_lru_pending) {
		/* still in a CPU's batch (the kernel's batch would hold a reference and free
		 * it at the drain; the effect on the lists is the same) */
		struct lru_state *l = sim->lru;
		for (unsigned c = 0; c < l->nr_cpus; c++) {
			struct lru_batch *b = &l->batch[c];
			for (unsigned i = 0; i < b->nr; i++) {
				if (b->pfn[i] == pfn) {
					memmove(&b->pfn[i], &b->pfn[i + 1], (b->nr - i - 1) * sizeof(u64));
					b->nr--;
					p->flags &= ~PG_lru_pending;
					return;
				}
			}
		}
		p->flags &= ~PG_lru_pending;
		return;
	}
	if (!(p->flags & PG_lru))
		return;
	struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
	spin_lock(tsk, &v->lru_lock);
	if (p->flags & PG_lru)
		lru_list_del(sim, v, pfn, page_lru(p));
	spin_unlock(tsk, &v->lru_lock);
}

bool isolate_lru_page(struct task *tsk, u64 pfn, bool trylock)
{
	struct sim *sim = tsk->sim;
	struct page_desc *p = pfn_to_page(sim->phys, pfn);
	if (!(p->flags & PG_lru))
		return false;
	struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
	if (trylock) {
		if (!spin_trylock(tsk, &v->lru_lock))
			return false;
	} else {
		spin_lock(tsk, &v->lru_lock);
	}
	bool ok = p->flags & PG_lru;
	if (ok)
		lru_list_del(sim, v, pfn, page_lru(p));
	spin_unlock(tsk, &v->lru_lock);
	return ok;
}

void putback_lru_page(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *p = pfn_to_page(sim->phys, pfn);
	struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfn));
	spin_lock(tsk, &v->lru_lock);
	lru_list_add(sim, v, pfn, page_lru(p), false);
	spin_unlock(tsk, &v->lru_lock);
}

int check_lru_page(struct sim *sim, u64 pfn, char *msg, size_t msglen)
{
	struct phys_mem *pm = sim->phys;
	const struct page_desc *p = pfn_to_page(pm, pfn);
	if (!(p->flags & PG_lru))
		return 0;
	unsigned n = page_to_nid(pm, pfn);
	struct lruvec *v = &sim->lru->vec[n];
	if (spin_is_locked(&v->lru_lock))
		return 1;
	enum lru_list l = page_lru(p);
	const struct lru_head *h = &v->lists[l];
	u32 o = noff(sim, n, pfn);
	const struct page_desc *pp, *np;
	pp = p->prev == PAGE_NIL ? NULL : pfn_to_page(pm, npfn(sim, n, p->prev));
	np = p->next == PAGE_NIL ? NULL : pfn_to_page(pm, npfn(sim, n, p->next));
	bool thp = p->flags & PG_transhuge;
	if ((p->flags & (PG_buddy | PG_pcp)) || (!thp && !p->refcount) ||
	    (thp && !thp_ref_count(sim, pfn)) ||
	    (pp ? pp->next != o || !(pp->flags & PG_lru) || page_lru(pp) != l : h->head != o) ||
	    (np ? np->prev != o || !(np->flags & PG_lru) || page_lru(np) != l : h->tail != o)) {
		snprintf(msg, msglen, "node %u LRU list %u: pfn %llu flags 0x%x refcount %u out of "
			 "place", n, l, (unsigned long long)pfn, p->flags, p->refcount);
		return -1;
	}
	return 0;
}

int check_lru(struct sim *sim, char *msg, size_t msglen)
{
	struct phys_mem *pm = sim->phys;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		struct lruvec *v = &sim->lru->vec[n];
		for (unsigned l = 0; l < NR_ALL_LRU_LISTS; l++) {
			u64 count = 0;
			u32 prev = PAGE_NIL;
			for (u32 o = v->lists[l].head; o != PAGE_NIL;) {
				u64 pfn = npfn(sim, n, o);
				const struct page_desc *p = pfn_to_page(pm, pfn);
				bool thp = p->flags & PG_transhuge;
				if (!(p->flags & PG_lru) || page_lru(p) != (enum lru_list)l ||
				    p->prev != prev || (!thp && !p->refcount) ||
				    (thp && !thp_ref_count(sim, pfn)) || count > v->nr[l]) {
					snprintf(msg, msglen, "node %u LRU list %u: pfn %llu flags 0x%x "
						 "refcount %u out of place", n, l, (unsigned long long)pfn,
						 p->flags, p->refcount);
					return -1;
				}
				count += thp ? HPAGE_PMD_NR : 1;
				prev = o;
				o = p->next;
			}
			if (count != v->nr[l] || v->lists[l].tail != prev) {
				snprintf(msg, msglen, "node %u LRU list %u: %llu pages linked, %llu counted",
					 n, l, (unsigned long long)count, (unsigned long long)v->nr[l]);
				return -1;
			}
		}
	}
	return 0;
}
