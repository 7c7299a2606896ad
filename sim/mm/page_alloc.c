/* page_alloc.c - buddy allocator, per-CPU lists, watermarks and the allocation paths.
 * Behaviour follows reference/page-alloc.md; function names are the kernel's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/engine.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "mm/check.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "stats/timeline.h"

static DEFINE_LOCK_CLASS(zone_lock_class, "&zone->lock", LOCK_SPIN);

#define MAX_RECLAIM_RETRIES 16
#define MAX_COMPACT_RETRIES 16

static const u16 lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 32 };

/* Where a request of one type falls back to, in order. */
static const u8 fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static inline bool migratetype_is_mergeable(unsigned mt)
{
	return mt < MIGRATE_PCPTYPES;
}

static inline struct phys_mem *tsk_pm(struct task *tsk)
{
	return tsk->sim->phys;
}

static inline u64 cost_list_op(struct task *tsk)
{
	return tsk->sim->cost->page_alloc_ns;
}

/* ---- lists of zone page offsets ---- */

static inline u32 zoff(const struct zone *z, u64 pfn)
{
	return (u32)(pfn - z->zone_start_pfn);
}

static inline u64 zpfn(const struct zone *z, u32 off)
{
	return z->zone_start_pfn + off;
}

static void plist_add(struct phys_mem *pm, struct zone *z, struct page_list *l, u64 pfn,
		      bool tail)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	u32 off = zoff(z, pfn);
	if (unlikely(pm->sim->mmcheck != NULL)) {
		mm_check_note_pfn(pm->sim->mmcheck, pfn);
		if (l->head != PAGE_NIL)
			mm_check_note_pfn(pm->sim->mmcheck, zpfn(z, tail ? l->tail : l->head));
	}
	if (l->head == PAGE_NIL) {
		p->next = p->prev = PAGE_NIL;
		l->head = l->tail = off;
	} else if (tail) {
		p->prev = l->tail;
		p->next = PAGE_NIL;
		pfn_to_page(pm, zpfn(z, l->tail))->next = off;
		l->tail = off;
	} else {
		p->next = l->head;
		p->prev = PAGE_NIL;
		pfn_to_page(pm, zpfn(z, l->head))->prev = off;
		l->head = off;
	}
}

static void plist_del(struct phys_mem *pm, struct zone *z, struct page_list *l, u64 pfn)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	if (unlikely(pm->sim->mmcheck != NULL)) {
		mm_check_note_pfn(pm->sim->mmcheck, pfn);
		if (p->prev != PAGE_NIL)
			mm_check_note_pfn(pm->sim->mmcheck, zpfn(z, p->prev));
		if (p->next != PAGE_NIL)
			mm_check_note_pfn(pm->sim->mmcheck, zpfn(z, p->next));
	}
	if (p->prev == PAGE_NIL)
		l->head = p->next;
	else
		pfn_to_page(pm, zpfn(z, p->prev))->next = p->next;
	if (p->next == PAGE_NIL)
		l->tail = p->prev;
	else
		pfn_to_page(pm, zpfn(z, p->next))->prev = p->prev;
	p->next = p->prev = PAGE_NIL;
}

static inline bool plist_empty(const struct page_list *l)
{
	return l->head == PAGE_NIL;
}

static inline void plist_init(struct page_list *l)
{
	l->head = l->tail = PAGE_NIL;
}

/* ---- free areas ---- */

static inline void __mod_zone_freepage_state(struct phys_mem *pm, struct zone *z, s64 nr,
					     unsigned mt)
{
	if (mt == MIGRATE_ISOLATE)
		return;
	z->free_pages += nr;
	__mod_node_state(pm->sim->vmstat, z->zone_pgdat->node_id, NR_FREE_PAGES, nr);
}

/* ---- implicit max-order blocks (struct zone_lazy, mm/mmzone.h) ---- */

#define LAZY_ORDER (MAX_ORDER - 1)

/* Is the block at pfn (max-order aligned) implicit? */
static inline bool lazy_test(const struct zone *z, u64 pfn)
{
	const struct zone_lazy *lz = &z->lazy;
	if (!lz->nr || pfn < lz->base_pfn)
		return false;
	u64 i = (pfn - lz->base_pfn) >> LAZY_ORDER;
	return i < lz->nr_blocks && (lz->bits[i / 64] >> (i % 64) & 1);
}

static inline void lazy_clear(struct zone *z, u64 i)
{
	z->lazy.bits[i / 64] &= ~(1ULL << (i % 64));
	z->lazy.nr--;
}

/* Write the descriptor an eager build gives a free max-order block on the lazy list. */
static void lazy_stamp(struct phys_mem *pm, struct zone *z, u64 pfn)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	if (p->flags & PG_buddy)
		return;
	p->flags = PG_buddy;
	set_page_order_mt(p, LAZY_ORDER, z->lazy.mt);
	p->next = p->prev = PAGE_NIL;
	if (unlikely(pm->sim->mmcheck != NULL))
		mm_check_note_pfn(pm->sim->mmcheck, pfn);
}

/* Link the lowest implicit block at the tail of the list's real part. */
static void zone_lazy_pull(struct phys_mem *pm, struct zone *z)
{
	struct zone_lazy *lz = &z->lazy;
	u64 i = lz->first;
	while (!(lz->bits[i / 64] >> (i % 64) & 1)) {
		u64 w = lz->bits[i / 64] >> (i % 64);
		i = w ? i + (u64)__builtin_ctzll(w) : ALIGN_DOWN(i, 64) + 64;
	}
	lazy_clear(z, i);
	lz->first = i + 1;
	u64 pfn = lz->base_pfn + (i << LAZY_ORDER);
	lazy_stamp(pm, z, pfn);
	plist_add(pm, z, &z->free_area[LAZY_ORDER].free_list[lz->mt], pfn, true);
}

void zone_materialise_all(struct phys_mem *pm, struct zone *z)
{
	while (z->lazy.nr)
		zone_lazy_pull(pm, z);
}

void zone_materialise_range(struct phys_mem *pm, struct zone *z, u64 start_pfn, u64 end_pfn)
{
	const struct zone_lazy *lz = &z->lazy;
	if (likely(!lz->nr) || end_pfn <= lz->base_pfn || start_pfn >= end_pfn)
		return;
	u64 i = start_pfn > lz->base_pfn ? (start_pfn - lz->base_pfn) >> LAZY_ORDER : 0;
	u64 e = DIV_ROUND_UP(end_pfn - lz->base_pfn, 1ULL << LAZY_ORDER);
	for (e = min(e, lz->nr_blocks); i < e; i++)
		if (lz->bits[i / 64] >> (i % 64) & 1)
			lazy_stamp(pm, z, lz->base_pfn + (i << LAZY_ORDER));
}

void pfn_range_materialise(struct phys_mem *pm, u64 start_pfn, u64 end_pfn)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (z->populated && z->lazy.nr)
				zone_materialise_range(pm, z, max(start_pfn, z->zone_start_pfn),
						       min(end_pfn, z->zone_start_pfn + z->spanned_pages));
		}
}

u64 zone_implicit_blocks(const struct zone *z)
{
	return z->lazy.nr;
}

static void add_to_free_list(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order,
			     unsigned mt, bool tail)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	struct free_area *area = &z->free_area[order];
	/* the implicit blocks come before a tail insertion: give them their places first */
	if (unlikely(tail && order == LAZY_ORDER && z->lazy.nr && mt == z->lazy.mt))
		zone_materialise_all(pm, z);
	p->flags = PG_buddy;
	set_page_order_mt(p, order, mt);
	p->refcount = 0;
	p->mapcount = 0;
	plist_add(pm, z, &area->free_list[mt], pfn, tail);
	area->nr_free++;
	area->nr_free_mt[mt]++;
}

static void del_page_from_free_list(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	unsigned mt = page_mt(p);
	struct free_area *area = &z->free_area[order];
	if (order == LAZY_ORDER && z->lazy.nr) {
		if (lazy_test(z, pfn)) {
			/* an implicit block found by pfn: it has no links */
			mt = z->lazy.mt;
			lazy_clear(z, (pfn - z->lazy.base_pfn) >> LAZY_ORDER);
			if (unlikely(pm->sim->mmcheck != NULL))
				mm_check_note_pfn(pm->sim->mmcheck, pfn);
			p->flags = 0;
			p->next = p->prev = PAGE_NIL;
			area->nr_free--;
			area->nr_free_mt[mt]--;
			return;
		}
		plist_del(pm, z, &area->free_list[mt], pfn);
		if (mt == z->lazy.mt && plist_empty(&area->free_list[mt]))
			zone_lazy_pull(pm, z);
	} else {
		plist_del(pm, z, &area->free_list[mt], pfn);
	}
	p->flags = 0;
	area->nr_free--;
	area->nr_free_mt[mt]--;
}

static void move_to_free_list(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order,
			      unsigned mt)
{
	del_page_from_free_list(pm, z, pfn, order);
	add_to_free_list(pm, z, pfn, order, mt, true);
}

static inline bool pfn_in_zone(const struct zone *z, u64 pfn)
{
	return pfn >= z->zone_start_pfn && pfn < z->zone_start_pfn + z->spanned_pages;
}

/* A free buddy block of exactly this order, in the same zone. */
static inline bool page_is_buddy(struct phys_mem *pm, const struct zone *z, u64 pfn, unsigned order)
{
	if (!pfn_in_zone(z, pfn))
		return false;
	const struct page_desc *p = pfn_to_page(pm, pfn);
	return (p->flags & PG_buddy) && page_order(p) == order;
}

void set_pageblock_migratetype(struct phys_mem *pm, u64 pfn, unsigned mt)
{
	if (!pm->grouping && mt < MIGRATE_PCPTYPES)
		mt = MIGRATE_UNMOVABLE;
	pm->pb_type[pfn >> pageblock_order] = (u8)mt;
}

void __free_one_page(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order, unsigned mt,
		     bool to_tail)
{
	__mod_zone_freepage_state(pm, z, 1LL << order, mt);
	while (order < MAX_ORDER - 1) {
		u64 buddy = pfn ^ (1ULL << order);
		if (!page_is_buddy(pm, z, buddy, order))
			break;
		/* Blocks of unmergeable types (HIGHATOMIC, ISOLATE) stay apart at pageblock size. */
		if (order >= pageblock_order) {
			unsigned buddy_mt = get_pageblock_migratetype(pm, buddy);
			if (mt != buddy_mt &&
			    (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		del_page_from_free_list(pm, z, buddy, order);
		pfn &= buddy;
		order++;
	}
	if (!to_tail && order < MAX_ORDER - 2) {
		/* Tail if the next-higher buddy is free: keep the block for a likely merge. */
		u64 higher = pfn & ~(1ULL << order);
		u64 higher_buddy = higher ^ (1ULL << (order + 1));
		to_tail = page_is_buddy(pm, z, higher_buddy, order + 1);
	}
	add_to_free_list(pm, z, pfn, order, mt, to_tail);
}

/* Split a block of order high down to order low, returning the upper halves. */
static void expand(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned low, unsigned high,
		   unsigned mt)
{
	while (high > low) {
		high--;
		add_to_free_list(pm, z, pfn + (1ULL << high), high, mt, false);
	}
}

static u64 __rmqueue_smallest(struct phys_mem *pm, struct zone *z, unsigned order, unsigned mt)
{
	for (unsigned o = order; o < MAX_ORDER; o++) {
		struct page_list *l = &z->free_area[o].free_list[mt];
		if (plist_empty(l))
			continue;
		u64 pfn = zpfn(z, l->head);
		del_page_from_free_list(pm, z, pfn, o);
		expand(pm, z, pfn, order, o, mt);
		return pfn;
	}
	return PFN_NONE;
}

static bool can_steal_fallback(const struct phys_mem *pm, unsigned order, unsigned start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE || !pm->grouping;
}

int find_suitable_fallback(const struct phys_mem *pm, const struct free_area *area,
			   unsigned order, unsigned mt, bool only_stealable, bool *can_steal)
{
	*can_steal = false;
	if (area->nr_free == 0)
		return -1;
	for (unsigned i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		unsigned fmt = fallbacks[mt][i];
		if (plist_empty(&area->free_list[fmt]))
			continue;
		*can_steal = can_steal_fallback(pm, order, mt);
		if (!only_stealable || *can_steal)
			return (int)fmt;
	}
	return -1;
}

static bool boost_watermark(struct phys_mem *pm, struct zone *z)
{
	unsigned factor = pm->sim->scn->kernel.vm.watermark_boost_factor;
	if (!factor)
		return false;
	/* small zones: boosting would be out of proportion */
	if (pageblock_nr_pages * 4 > z->managed_pages)
		return false;
	u64 max_boost = z->_watermark[WMARK_HIGH] * factor / 10000;
	max_boost = max_t(u64, pageblock_nr_pages, max_boost);
	z->watermark_boost = min_t(u64, z->watermark_boost + pageblock_nr_pages, max_boost);
	return true;
}

/* Free pages moved; *num_movable counts in-use pages that look movable (LRU or movable). */
static u64 move_freepages(struct phys_mem *pm, struct zone *z, u64 start, u64 end, unsigned mt,
			  u64 *num_movable)
{
	u64 moved = 0;
	zone_materialise_range(pm, z, start, end + 1);
	for (u64 pfn = start; pfn <= end;) {
		struct page_desc *p = pfn_to_page(pm, pfn);
		if (!(p->flags & PG_buddy)) {
			if (num_movable && (p->flags & (PG_lru | PG_movable))) {
				u64 n = (p->flags & PG_head) ? 1ULL << page_order(p) : 1;
				*num_movable += n;
				pfn += n;
				continue;
			}
			pfn++;
			continue;
		}
		unsigned order = page_order(p);
		move_to_free_list(pm, z, pfn, order, mt);
		pfn += 1ULL << order;
		moved += 1ULL << order;
	}
	return moved;
}

static u64 __move_freepages_block(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned mt,
				  u64 *num_movable)
{
	u64 start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	u64 end = start + pageblock_nr_pages - 1;
	if (num_movable)
		*num_movable = 0;
	/* a pageblock straddling the zone boundary is left alone */
	if (!pfn_in_zone(z, start) || !pfn_in_zone(z, end))
		return 0;
	return move_freepages(pm, z, start, end, mt, num_movable);
}

u64 move_freepages_block(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned mt)
{
	u64 moved = __move_freepages_block(pm, z, pfn, mt, NULL);
	set_pageblock_migratetype(pm, pfn, mt);
	return moved;
}

static void steal_suitable_fallback(struct phys_mem *pm, struct zone *z, u64 pfn,
				    unsigned alloc_flags, unsigned start_type, bool whole_block)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	unsigned order = page_order(p);
	unsigned old_block_type = get_pageblock_migratetype(pm, pfn);

	if (old_block_type == MIGRATE_HIGHATOMIC)
		goto single_page;
	if (order >= pageblock_order) {
		/* a whole free block of pageblocks: relabel every one of them */
		for (u64 b = pfn; b < pfn + (1ULL << order); b += pageblock_nr_pages)
			set_pageblock_migratetype(pm, b, start_type);
		goto single_page;
	}
	if (boost_watermark(pm, z) && (alloc_flags & ALLOC_KSWAPD))
		z->flags |= ZONE_BOOSTED_WATERMARK;
	if (!whole_block)
		goto single_page;

	u64 movable = 0;
	u64 free = __move_freepages_block(pm, z, pfn, start_type, &movable);
	if (!free)
		goto single_page;
	u64 alike;
	if (start_type == MIGRATE_MOVABLE)
		alike = movable;
	else if (old_block_type == MIGRATE_MOVABLE)
		alike = pageblock_nr_pages - (free + movable);
	else
		alike = 0;
	/* claim the block when at least half of it is free or of the stealing kind */
	if (free + alike >= (1UL << (pageblock_order - 1)) || !pm->grouping)
		set_pageblock_migratetype(pm, pfn, start_type);
	return;

single_page:
	move_to_free_list(pm, z, pfn, order, start_type);
}

static bool __rmqueue_fallback(struct phys_mem *pm, struct zone *z, unsigned order,
			       unsigned start_mt, unsigned alloc_flags)
{
	unsigned min_order = order;
	int fmt = -1;
	bool can_steal;
	int cur;

	/* ALLOC_NOFRAGMENT: only whole pageblocks may be taken from another type */
	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;
	/* Largest first: steal a big block so the type's pages end up together. */
	for (cur = MAX_ORDER - 1; cur >= (int)min_order; cur--) {
		fmt = find_suitable_fallback(pm, &z->free_area[cur], cur, start_mt, false,
					     &can_steal);
		if (fmt == -1)
			continue;
		/* A movable request that cannot take the block takes the smallest piece
		 * instead, so as not to break up a large block of another type for nothing. */
		if (!can_steal && start_mt == MIGRATE_MOVABLE && cur > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (cur = order; cur < MAX_ORDER; cur++) {
		fmt = find_suitable_fallback(pm, &z->free_area[cur], cur, start_mt, false,
					     &can_steal);
		if (fmt != -1)
			break;
	}
	if (cur == MAX_ORDER)
		return false;
do_steal:;
	u64 pfn = zpfn(z, z->free_area[cur].free_list[fmt].head);
	steal_suitable_fallback(pm, z, pfn, alloc_flags, start_mt, can_steal);
	return true;
}

static u64 __rmqueue(struct phys_mem *pm, struct zone *z, unsigned order, unsigned mt,
		     unsigned alloc_flags)
{
	for (;;) {
		u64 pfn = __rmqueue_smallest(pm, z, order, mt);
		if (pfn != PFN_NONE)
			return pfn;
		if (!__rmqueue_fallback(pm, z, order, mt, alloc_flags))
			return PFN_NONE;
	}
}

/* ---- per-CPU lists ---- */

static inline bool pcp_allowed_order(unsigned order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}

static inline unsigned order_to_pindex(unsigned mt, unsigned order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (mt == MIGRATE_MOVABLE ? 0 : 1);
	return MIGRATE_PCPTYPES * order + mt;
}

static inline unsigned pindex_to_order(unsigned pindex)
{
	return pindex >= NR_LOWORDER_PCP_LISTS ? pageblock_order : pindex / MIGRATE_PCPTYPES;
}

static inline struct per_cpu_pages *zone_pcp(struct zone *z, unsigned cpu)
{
	return &z->pcp[cpu];
}

/* Take count blocks of the order from the buddy lists onto a pcp list, under one
 * zone->lock hold. */
static unsigned rmqueue_bulk(struct task *tsk, struct zone *z, unsigned order, unsigned count,
			     struct page_list *list, unsigned mt, unsigned alloc_flags)
{
	struct phys_mem *pm = tsk_pm(tsk);
	unsigned i;
	spin_lock(tsk, &z->lock);
	for (i = 0; i < count; i++) {
		u64 pfn = __rmqueue(pm, z, order, mt, alloc_flags);
		if (pfn == PFN_NONE)
			break;
		struct page_desc *p = pfn_to_page(pm, pfn);
		p->flags = PG_pcp;
		set_page_order_mt(p, order, mt);
		plist_add(pm, z, list, pfn, true);
		charge(tsk, cost_list_op(tsk));
	}
	__mod_zone_freepage_state(pm, z, -((s64)i << order), MIGRATE_MOVABLE);
	spin_unlock(tsk, &z->lock);
	return i;
}

/* Return count pages of a pcp to the buddy lists, round-robin over its lists, starting
 * after pindex so that the list just freed to is drained last. */
static void free_pcppages_bulk(struct task *tsk, struct zone *z, u32 count,
			       struct per_cpu_pages *pcp, unsigned pindex)
{
	struct phys_mem *pm = tsk_pm(tsk);
	count = min(count, pcp->count);
	if (!count)
		return;
	spin_lock(tsk, &z->lock);
	/* the lock wait is a scheduling point: the lists may have shrunk meanwhile */
	count = min(count, pcp->count);
	while (count > 0) {
		struct page_list *list;
		unsigned tries = 0;
		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (plist_empty(list) && ++tries < NR_PCP_LISTS);
		if (plist_empty(list))
			break;   /* every list empty: nothing left to free */
		unsigned order = pindex_to_order(pindex);
		u32 nr = 1u << order;
		do {
			u64 pfn = zpfn(z, list->tail);
			struct page_desc *p = pfn_to_page(pm, pfn);
			unsigned mt = page_mt(p);
			if (mt == MIGRATE_HIGHATOMIC)
				mt = MIGRATE_MOVABLE;
			/* a pageblock isolated meanwhile (memory offlining) keeps its pages */
			if (get_pageblock_migratetype(pm, pfn) == MIGRATE_ISOLATE)
				mt = MIGRATE_ISOLATE;
			plist_del(pm, z, list, pfn);
			p->flags = 0;
			count = count > nr ? count - nr : 0;
			pcp->count -= nr;
			__free_one_page(pm, z, pfn, order, mt, false);
			charge(tsk, cost_list_op(tsk));
		} while (count > 0 && !plist_empty(list));
	}
	spin_unlock(tsk, &z->lock);
}

static u64 rmqueue_pcplist(struct task *tsk, struct zone *z, unsigned order, unsigned mt,
			   unsigned alloc_flags)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct per_cpu_pages *pcp = zone_pcp(z, tsk->cpu);
	/* pcp spin_trylock: held by a task of this CPU blocked inside it */
	if (pcp->locked)
		return PFN_NONE;
	pcp->locked = true;
	pcp->free_factor >>= 1;
	struct page_list *list = &pcp->lists[order_to_pindex(mt, order)];
	if (plist_empty(list)) {
		u32 batch = pcp->batch;
		if (batch > 1)
			batch = max_t(u32, batch >> order, 2);
		unsigned got = rmqueue_bulk(tsk, z, order, batch, list, mt, alloc_flags);
		pcp->count += got << order;
		if (plist_empty(list)) {
			pcp->locked = false;
			return PFN_NONE;
		}
	}
	u64 pfn = zpfn(z, list->head);
	plist_del(pm, z, list, pfn);
	pcp->count -= 1u << order;
	charge(tsk, cost_list_op(tsk));
	pcp->locked = false;
	return pfn;
}

static u64 rmqueue_buddy(struct task *tsk, struct zone *z, unsigned order, unsigned alloc_flags,
			 unsigned mt)
{
	struct phys_mem *pm = tsk_pm(tsk);
	u64 pfn = PFN_NONE;
	spin_lock(tsk, &z->lock);
	if (order > 0 && (alloc_flags & ALLOC_HIGHATOMIC))
		pfn = __rmqueue_smallest(pm, z, order, MIGRATE_HIGHATOMIC);
	if (pfn == PFN_NONE) {
		pfn = __rmqueue(pm, z, order, mt, alloc_flags);
		if (pfn == PFN_NONE && (alloc_flags & ALLOC_OOM))
			pfn = __rmqueue_smallest(pm, z, order, MIGRATE_HIGHATOMIC);
	}
	if (pfn != PFN_NONE) {
		__mod_zone_freepage_state(pm, z, -(1LL << order), MIGRATE_MOVABLE);
		charge(tsk, cost_list_op(tsk));
	}
	spin_unlock(tsk, &z->lock);
	return pfn;
}

static void zone_statistics(struct task *tsk, struct zone *preferred, struct zone *z)
{
	struct vmstat *vs = tsk->sim->vmstat;
	unsigned nid = z->zone_pgdat->node_id, pnid = preferred->zone_pgdat->node_id;
	if (tsk->sim->scn && tsk->sim->scn->kernel.vm.numa_stat == NUMA_STAT_OFF)
		return;   /* vm.numa_stat = 0: the counters stay where they are */
	if (nid == pnid) {
		__mod_node_state(vs, nid, NUMA_HIT, 1);
	} else {
		__mod_node_state(vs, nid, NUMA_MISS, 1);
		__mod_node_state(vs, pnid, NUMA_FOREIGN, 1);
	}
	__mod_node_state(vs, nid, nid == tsk->node ? NUMA_LOCAL : NUMA_OTHER, 1);
}

static void wakeup_kswapd(struct task *tsk, struct zone *z, gfp_t gfp, unsigned order,
			  unsigned highest_zoneidx)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct pglist_data *pgdat = z->zone_pgdat;
	if (order > pgdat->kswapd_order)
		pgdat->kswapd_order = order;
	if (highest_zoneidx > pgdat->kswapd_highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	pgdat->kswapd_wakeups++;
	if (pm->hooks.wakeup_kswapd)
		pm->hooks.wakeup_kswapd(pm->hooks.reclaim_arg, tsk, z, gfp, order, highest_zoneidx);
	else if (!(gfp & __GFP_DIRECT_RECLAIM) && pm->hooks.wakeup_kcompactd)
		/* With no reclaim model kswapd can do nothing for the node, the case in which
		 * the kernel's wakeup_kswapd hands non-sleeping requests to kcompactd. */
		pm->hooks.wakeup_kcompactd(pm->hooks.compact_arg, tsk, pgdat, order,
					   highest_zoneidx);
}

/* Mark the allocated block: head with order and request type, pageblock counters. */
static void prep_new_page(struct phys_mem *pm, u64 pfn, unsigned order, unsigned mt)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	p->flags = order ? PG_head : 0;
	set_page_order_mt(p, order, mt);
	p->refcount = 1;
	p->mapcount = 0;
	p->next = p->prev = PAGE_NIL;
	if (mt < MIGRATE_PCPTYPES) {
		u64 n = 1ULL << order;
		for (u64 b = pfn; b < pfn + n; b += pageblock_nr_pages)
			pm->pb_used[b >> pageblock_order][mt] += (u16)min_t(u64, n, pageblock_nr_pages);
	}
}

void prep_compaction_page(struct phys_mem *pm, u64 pfn, unsigned mt)
{
	prep_new_page(pm, pfn, 0, mt);
}

void set_page_request_mt(struct phys_mem *pm, u64 pfn, unsigned mt)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	unsigned old = page_mt(p);
	if (old == mt)
		return;
	u16 (*used)[MIGRATE_PCPTYPES] = &pm->pb_used[pfn >> pageblock_order];
	if (old < MIGRATE_PCPTYPES)
		(*used)[old]--;
	if (mt < MIGRATE_PCPTYPES)
		(*used)[mt]++;
	set_page_order_mt(p, page_order(p), mt);
}

static u64 rmqueue(struct task *tsk, struct zone *preferred, struct zone *z, unsigned order,
		   gfp_t gfp, unsigned alloc_flags, unsigned mt)
{
	u64 pfn = PFN_NONE;
	if (pcp_allowed_order(order))
		pfn = rmqueue_pcplist(tsk, z, order, mt, alloc_flags);
	if (pfn == PFN_NONE)
		pfn = rmqueue_buddy(tsk, z, order, alloc_flags, mt);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	count_vm_events(tsk, z->idx == ZONE_DMA32 ? PGALLOC_DMA32 : PGALLOC_NORMAL, 1ULL << order);
	zone_statistics(tsk, preferred, z);
	if (z->flags & ZONE_BOOSTED_WATERMARK) {
		z->flags &= ~ZONE_BOOSTED_WATERMARK;
		wakeup_kswapd(tsk, z, 0, 0, z->idx);
	}
	return pfn;
}

/* ---- watermarks ---- */

unsigned gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

unsigned gfp_zone(gfp_t gfp)
{
	return (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
}

#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

bool __zone_watermark_ok(const struct zone *z, unsigned order, u64 mark, unsigned highest_zoneidx,
			 unsigned alloc_flags, s64 free_pages)
{
	s64 min = (s64)mark;
	/* free_pages may go negative: that is fine */
	free_pages -= (1LL << order) - 1;
	if (!(alloc_flags & ALLOC_RESERVES))
		free_pages -= (s64)z->nr_reserved_highatomic;
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + (s64)z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* Some block of the order or larger must exist (presence only, any type). */
	for (unsigned o = order; o < MAX_ORDER; o++) {
		const struct free_area *area = &z->free_area[o];
		if (!area->nr_free)
			continue;
		for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!plist_empty(&area->free_list[mt]))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !plist_empty(&area->free_list[MIGRATE_HIGHATOMIC]))
			return true;
	}
	return false;
}

bool zone_watermark_ok(const struct zone *z, unsigned order, u64 mark, unsigned highest_zoneidx,
		       unsigned alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, (s64)z->free_pages);
}

static bool zone_watermark_fast(const struct zone *z, unsigned order, u64 mark,
				unsigned highest_zoneidx, unsigned alloc_flags)
{
	s64 free_pages = (s64)z->free_pages;
	if (!order) {
		s64 fast_free = free_pages - (s64)z->nr_reserved_highatomic;
		if (fast_free > (s64)(mark + z->lowmem_reserve[highest_zoneidx]))
			return true;
	}
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/* __GFP_HIGH order-0 requests may ignore a boost on the min watermark */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
	    (alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN)
		return __zone_watermark_ok(z, order, z->_watermark[WMARK_MIN], highest_zoneidx,
					   alloc_flags, free_pages);
	return false;
}

/* ---- HIGHATOMIC reserve ---- */

static void reserve_highatomic_pageblock(struct task *tsk, struct zone *z, u64 pfn)
{
	struct phys_mem *pm = tsk_pm(tsk);
	u64 max_managed = z->managed_pages / 100 + pageblock_nr_pages;
	if (z->nr_reserved_highatomic >= max_managed)
		return;
	spin_lock(tsk, &z->lock);
	unsigned mt = get_pageblock_migratetype(pm, pfn);
	if (z->nr_reserved_highatomic < max_managed && migratetype_is_mergeable(mt)) {
		z->nr_reserved_highatomic += pageblock_nr_pages;
		move_freepages_block(pm, z, pfn, MIGRATE_HIGHATOMIC);
	}
	spin_unlock(tsk, &z->lock);
}

struct alloc_context {
	struct pglist_data *pgdat;        /* whose zonelist */
	u64 nodemask;                     /* 0 = all */
	struct zone *preferred_zone;
	unsigned migratetype;
	unsigned highest_zoneidx;
};

#define for_each_zone_ac(ac, zp, i)                                                     \
	for (unsigned i = 0; i < (ac)->pgdat->nr_zonelist; i++)                              \
		if (((zp) = (ac)->pgdat->zonelist[i]), (zp)->idx <= (ac)->highest_zoneidx &&    \
		    (!(ac)->nodemask || ((ac)->nodemask >> (zp)->zone_pgdat->node_id) & 1))

static bool unreserve_highatomic_pageblock(struct task *tsk, const struct alloc_context *ac,
					   bool force)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct zone *z;
	for_each_zone_ac(ac, z, i) {
		if (!force && z->nr_reserved_highatomic <= pageblock_nr_pages)
			continue;
		if (!z->nr_reserved_highatomic)
			continue;
		spin_lock(tsk, &z->lock);
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			struct page_list *l = &z->free_area[o].free_list[MIGRATE_HIGHATOMIC];
			if (plist_empty(l))
				continue;
			u64 pfn = zpfn(z, l->head);
			if (get_pageblock_migratetype(pm, pfn) == MIGRATE_HIGHATOMIC)
				z->nr_reserved_highatomic -=
					min_t(u64, pageblock_nr_pages, z->nr_reserved_highatomic);
			u64 moved = move_freepages_block(pm, z, pfn, ac->migratetype);
			if (moved) {
				spin_unlock(tsk, &z->lock);
				return true;
			}
		}
		spin_unlock(tsk, &z->lock);
	}
	return false;
}

/* ---- the allocation paths ---- */

static u64 get_page_from_freelist(struct task *tsk, gfp_t gfp, unsigned order,
				  unsigned alloc_flags, const struct alloc_context *ac)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct zone *z;
retry:;
	bool no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for_each_zone_ac(ac, z, i) {
		/* Locality beats fragmentation avoidance: reaching another node drops
		 * NOFRAGMENT and restarts. */
		if (no_fallback && pm->nr_nodes > 1 && z != ac->preferred_zone &&
		    z->zone_pgdat != ac->preferred_zone->zone_pgdat) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}
		if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
			u64 mark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
			if (!zone_watermark_fast(z, order, mark, ac->highest_zoneidx, alloc_flags))
				continue;
		}
		u64 pfn = rmqueue(tsk, ac->preferred_zone, z, order, gfp, alloc_flags,
				  ac->migratetype);
		if (pfn != PFN_NONE) {
			prep_new_page(pm, pfn, order, ac->migratetype);
			if (alloc_flags & ALLOC_HIGHATOMIC)
				reserve_highatomic_pageblock(tsk, z, pfn);
			return pfn;
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return PFN_NONE;
}

static void wake_all_kswapds(struct task *tsk, unsigned order, gfp_t gfp,
			     const struct alloc_context *ac)
{
	u64 woken = 0;
	struct zone *z;
	for_each_zone_ac(ac, z, i) {
		unsigned nid = z->zone_pgdat->node_id;
		if (woken >> nid & 1)
			continue;
		woken |= 1ULL << nid;
		wakeup_kswapd(tsk, z, gfp, order, ac->highest_zoneidx);
	}
}

static unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order)
{
	unsigned alloc_flags = ALLOC_WMARK_MIN;
	if (gfp & __GFP_HIGH) {
		alloc_flags |= ALLOC_MIN_RESERVE;
		if (!(gfp & __GFP_DIRECT_RECLAIM)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0)
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
	}
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	return alloc_flags;
}

static u64 __alloc_pages_direct_compact(struct task *tsk, gfp_t gfp, unsigned order,
					unsigned alloc_flags, const struct alloc_context *ac,
					enum compact_priority prio, enum compact_result *result)
{
	struct phys_mem *pm = tsk_pm(tsk);
	*result = COMPACT_SKIPPED;
	if (!order || !pm->hooks.try_to_compact_pages)
		return PFN_NONE;
	u64 pfn = PFN_NONE;
	*result = pm->hooks.try_to_compact_pages(pm->hooks.compact_arg, tsk, gfp, order, alloc_flags,
						 (int)ac->pgdat->node_id, ac->nodemask, prio, &pfn);
	if (*result == COMPACT_SKIPPED)
		return PFN_NONE;
	count_vm_event(tsk, COMPACTSTALL);
	if (pfn != PFN_NONE)
		prep_new_page(pm, pfn, order, ac->migratetype);
	else
		pfn = get_page_from_freelist(tsk, gfp, order, alloc_flags, ac);
	if (pfn != PFN_NONE) {
		struct zone *z = page_zone(pm, pfn);
		z->compact_considered = 0;
		z->compact_defer_shift = 0;
		if ((int)order >= z->compact_order_failed)
			z->compact_order_failed = order + 1;
		count_vm_event(tsk, COMPACTSUCCESS);
		return pfn;
	}
	count_vm_event(tsk, COMPACTFAIL);
	return PFN_NONE;
}

static u64 __alloc_pages_direct_reclaim(struct task *tsk, gfp_t gfp, unsigned order,
					unsigned alloc_flags, const struct alloc_context *ac,
					u64 *progress)
{
	struct phys_mem *pm = tsk_pm(tsk);
	/* one allocstall per entry into direct reclaim, by the request's zone */
	count_vm_event(tsk, gfp & __GFP_MOVABLE ? ALLOCSTALL_MOVABLE :
			    gfp_zone(gfp) == ZONE_DMA32 ? ALLOCSTALL_DMA32 : ALLOCSTALL_NORMAL);
	*progress = 0;
	tl_begin(tsk, TL_DIRECT_RECLAIM, order);
	if (pm->hooks.try_to_free_pages)
		*progress = pm->hooks.try_to_free_pages(pm->hooks.reclaim_arg, tsk, gfp, order,
							(int)ac->pgdat->node_id, ac->nodemask);
	tl_end(tsk, TL_DIRECT_RECLAIM);
	if (!*progress)
		return PFN_NONE;
	bool drained = false;
retry:;
	u64 pfn = get_page_from_freelist(tsk, gfp, order, alloc_flags, ac);
	if (pfn == PFN_NONE && !drained) {
		unreserve_highatomic_pageblock(tsk, ac, false);
		drain_all_pages(tsk, NULL);
		drained = true;
		goto retry;
	}
	return pfn;
}

static bool should_reclaim_retry(struct task *tsk, unsigned order, const struct alloc_context *ac,
				 unsigned alloc_flags, bool did_some_progress,
				 int *no_progress_loops)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct zone *z;
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	/* converge to OOM, exhausting the highatomic reserve first */
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return unreserve_highatomic_pageblock(tsk, ac, true);
	for_each_zone_ac(ac, z, i) {
		u64 reclaimable = pm->hooks.zone_reclaimable_pages ?
					  pm->hooks.zone_reclaimable_pages(pm->hooks.reclaim_arg, z) : 0;
		s64 available = (s64)(reclaimable + z->free_pages);
		if (__zone_watermark_ok(z, order, z->_watermark[WMARK_MIN], ac->highest_zoneidx,
					alloc_flags, available))
			return true;
	}
	return false;
}

static bool should_compact_retry(unsigned order, enum compact_result result,
				 enum compact_priority *prio, int *retries)
{
	if (!order)
		return false;
	int max_retries = order > PAGE_ALLOC_COSTLY_ORDER ? MAX_COMPACT_RETRIES / 4 :
							      MAX_COMPACT_RETRIES;
	if (result == COMPACT_SKIPPED || result == COMPACT_DEFERRED)
		return false;
	if (result == COMPACT_COMPLETE || result == COMPACT_PARTIAL_SKIPPED ||
	    result == COMPACT_CONTENDED) {
		/* raise the priority, costly orders stop at SYNC_LIGHT */
		enum compact_priority min_prio = order > PAGE_ALLOC_COSTLY_ORDER ?
							 COMPACT_PRIO_SYNC_LIGHT :
							 MIN_COMPACT_PRIORITY;
		if (*prio > min_prio) {
			(*prio)--;
			*retries = 0;
			return true;
		}
		return false;
	}
	return ++(*retries) <= max_retries;
}

static u64 __alloc_pages_slowpath(struct task *tsk, gfp_t gfp, unsigned order,
				  struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp & __GFP_DIRECT_RECLAIM;
	bool costly = order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority compact_priority = DEF_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	int compaction_retries = 0, no_progress_loops = 0;
	unsigned oom_waits = 0;
	struct phys_mem *pm = tsk_pm(tsk);
	u64 progress = 0;
	u64 pfn;

	unsigned alloc_flags = gfp_to_alloc_flags(gfp, order);
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(tsk, order, gfp, ac);
	pfn = get_page_from_freelist(tsk, gfp, order, alloc_flags, ac);
	if (pfn != PFN_NONE)
		return pfn;

	/* Costly or non-movable high-order requests compact before reclaiming. */
	if (can_direct_reclaim && (costly || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !(gfp & __GFP_MEMALLOC)) {
		pfn = __alloc_pages_direct_compact(tsk, gfp, order, alloc_flags, ac,
						   INIT_COMPACT_PRIORITY, &compact_result);
		if (pfn != PFN_NONE)
			return pfn;
		if (costly && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				return PFN_NONE;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}

retry:
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(tsk, order, gfp, ac);
	if (gfp & __GFP_MEMALLOC)
		alloc_flags = ALLOC_NO_WATERMARKS | (alloc_flags & ALLOC_KSWAPD);
	pfn = get_page_from_freelist(tsk, gfp, order, alloc_flags, ac);
	if (pfn != PFN_NONE)
		return pfn;
	if (!can_direct_reclaim || (gfp & __GFP_MEMALLOC))
		return PFN_NONE;

	pfn = __alloc_pages_direct_reclaim(tsk, gfp, order, alloc_flags, ac, &progress);
	if (pfn != PFN_NONE)
		return pfn;
	pfn = __alloc_pages_direct_compact(tsk, gfp, order, alloc_flags, ac, compact_priority,
					   &compact_result);
	if (pfn != PFN_NONE)
		return pfn;
	if (gfp & __GFP_NORETRY)
		return PFN_NONE;
	if (costly && !(gfp & __GFP_RETRY_MAYFAIL))
		return PFN_NONE;
	if (should_reclaim_retry(tsk, order, ac, alloc_flags, progress > 0, &no_progress_loops))
		goto retry;
	if (progress > 0 &&
	    should_compact_retry(order, compact_result, &compact_priority, &compaction_retries))
		goto retry;
	/* __alloc_pages_may_oom: not for costly orders, RETRY_MAYFAIL/THISNODE requests or
	 * lower zones; a victim's exit is progress (waited for one jiffy, as the busy
	 * oom_lock path sleeps). Bounded here so that a victim that never exits cannot
	 * keep the caller forever. */
	if (!costly && !(gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE)) &&
	    ac->highest_zoneidx >= ZONE_NORMAL && pm->hooks.oom_kill && oom_waits < 1000) {
		pfn = get_page_from_freelist(tsk, gfp, order, ALLOC_WMARK_HIGH | ALLOC_KSWAPD, ac);
		if (pfn != PFN_NONE)
			return pfn;
		if (pm->hooks.oom_kill(pm->hooks.oom_arg, tsk, gfp, order) > 0) {
			oom_waits++;
			task_sleep(tsk, 4 * NSEC_PER_MSEC);
			no_progress_loops = 0;
			goto retry;
		}
	}
	return PFN_NONE;
}

u64 __alloc_pages(struct task *tsk, gfp_t gfp, unsigned order, int preferred_nid, u64 nodemask)
{
	struct phys_mem *pm = tsk_pm(tsk);
	if (order >= MAX_ORDER)
		return PFN_NONE;
	if (preferred_nid < 0 || (unsigned)preferred_nid >= pm->nr_nodes)
		preferred_nid = (int)tsk->node;
	if (gfp & __GFP_THISNODE)
		nodemask = 1ULL << preferred_nid;

	struct alloc_context ac = {
		.pgdat = pm->node_data[preferred_nid],
		.nodemask = nodemask,
		.migratetype = pm->grouping ? gfp_migratetype(gfp) : MIGRATE_UNMOVABLE,
		.highest_zoneidx = gfp_zone(gfp),
	};
	struct zone *z;
	for_each_zone_ac(&ac, z, i) {
		ac.preferred_zone = z;
		break;
	}
	if (!ac.preferred_zone)
		return PFN_NONE;   /* nodemask excludes every node with memory */

	unsigned alloc_flags = ALLOC_WMARK_LOW;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	/* NOFRAGMENT when the preferred zone is Normal and its node has a DMA32 zone below */
	if (ac.preferred_zone->idx == ZONE_NORMAL &&
	    ac.preferred_zone->zone_pgdat->node_zones[ZONE_DMA32].populated)
		alloc_flags |= ALLOC_NOFRAGMENT;

	charge(tsk, cost_list_op(tsk));
	u64 pfn = get_page_from_freelist(tsk, gfp, order, alloc_flags, &ac);
	if (pfn == PFN_NONE)
		pfn = __alloc_pages_slowpath(tsk, gfp, order, &ac);
	ac.preferred_zone->alloc_attempts[order]++;
	if (pfn != PFN_NONE)
		ac.preferred_zone->alloc_success[order]++;
	return pfn;
}

u64 alloc_pages_boot(struct phys_mem *pm, unsigned nid, unsigned order, unsigned mt)
{
	const struct pglist_data *pgdat = pm->node_data[nid];
	for (int zi = MAX_NR_ZONES - 1; zi >= 0; zi--) {
		struct zone *z = (struct zone *)&pgdat->node_zones[zi];
		if (!z->populated)
			continue;
		u64 pfn = __rmqueue_smallest(pm, z, order, mt);
		if (pfn == PFN_NONE)
			continue;
		__mod_zone_freepage_state(pm, z, -(1LL << order), mt);
		prep_new_page(pm, pfn, order, mt);
		return pfn;
	}
	return PFN_NONE;
}

u64 alloc_pages_node(struct task *tsk, int nid, gfp_t gfp, unsigned order)
{
	if (nid < 0)
		nid = (int)tsk->node;
	return __alloc_pages(tsk, gfp, order, nid, 0);
}

/* ---- freeing ---- */

static void free_one_page(struct task *tsk, struct zone *z, u64 pfn, unsigned order, unsigned mt)
{
	spin_lock(tsk, &z->lock);
	__free_one_page(tsk_pm(tsk), z, pfn, order, mt, false);
	charge(tsk, cost_list_op(tsk));
	spin_unlock(tsk, &z->lock);
}

static u32 nr_pcp_free(struct per_cpu_pages *pcp, u32 high, u32 batch, bool free_high)
{
	u32 min_nr_free = batch, max_nr_free = high - batch;
	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	/* free twice as many each time the CPU keeps freeing without allocating */
	u64 n = (u64)batch << pcp->free_factor;
	if (n < max_nr_free)
		pcp->free_factor++;
	return (u32)min_t(u64, max_t(u64, n, min_nr_free), max_nr_free);
}

static u32 nr_pcp_high(const struct per_cpu_pages *pcp, const struct zone *z, bool free_high)
{
	if (!pcp->high || free_high)
		return 0;
	if (!(z->flags & ZONE_RECLAIM_ACTIVE))
		return pcp->high;
	return min(pcp->batch << 2, pcp->high);
}

static void free_unref_page(struct task *tsk, struct zone *z, u64 pfn, unsigned order)
{
	struct phys_mem *pm = tsk_pm(tsk);
	unsigned mt = get_pageblock_migratetype(pm, pfn);
	if (mt >= MIGRATE_PCPTYPES) {
		if (mt == MIGRATE_ISOLATE) {
			free_one_page(tsk, z, pfn, order, mt);
			return;
		}
		mt = MIGRATE_MOVABLE;   /* highatomic pages go to the movable list */
	}
	struct per_cpu_pages *pcp = zone_pcp(z, tsk->cpu);
	if (pcp->locked) {
		free_one_page(tsk, z, pfn, order, mt);
		return;
	}
	pcp->locked = true;
	unsigned pindex = order_to_pindex(mt, order);
	struct page_desc *p = pfn_to_page(pm, pfn);
	p->flags = PG_pcp;
	set_page_order_mt(p, order, mt);
	plist_add(pm, z, &pcp->lists[pindex], pfn, false);
	pcp->count += 1u << order;
	charge(tsk, cost_list_op(tsk));
	bool free_high = pcp->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
	u32 high = nr_pcp_high(pcp, z, free_high);
	if (pcp->count >= high)
		free_pcppages_bulk(tsk, z, nr_pcp_free(pcp, high, pcp->batch, free_high), pcp, pindex);
	pcp->locked = false;
}

void __free_pages(struct task *tsk, u64 pfn, unsigned order)
{
	struct phys_mem *pm = tsk_pm(tsk);
	struct page_desc *p = pfn_to_page(pm, pfn);
	if (p->refcount > 1) {
		p->refcount--;
		return;
	}
	unsigned req_mt = page_mt(p);
	if (req_mt < MIGRATE_PCPTYPES) {
		u64 n = 1ULL << order;
		for (u64 b = pfn; b < pfn + n; b += pageblock_nr_pages)
			pm->pb_used[b >> pageblock_order][req_mt] -= (u16)min_t(u64, n, pageblock_nr_pages);
	}
	p->refcount = 0;
	p->mapcount = 0;
	p->flags = 0;
	struct zone *z = page_zone(pm, pfn);
	count_vm_events(tsk, PGFREE, 1ULL << order);
	if (pcp_allowed_order(order))
		free_unref_page(tsk, z, pfn, order);
	else
		free_one_page(tsk, z, pfn, order, get_pageblock_migratetype(pm, pfn));
}

static void drain_pcp(struct task *tsk, struct zone *z, unsigned cpu)
{
	struct per_cpu_pages *pcp = zone_pcp(z, cpu);
	/* a pcp held by a task blocked inside it is left to that task */
	if (pcp->locked || !pcp->count)
		return;
	pcp->locked = true;
	free_pcppages_bulk(tsk, z, pcp->count, pcp, 0);
	pcp->locked = false;
}

void drain_local_pages(struct task *tsk)
{
	struct phys_mem *pm = tsk_pm(tsk);
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			if (pm->node_data[n]->node_zones[zi].populated)
				drain_pcp(tsk, &pm->node_data[n]->node_zones[zi], tsk->cpu);
}

void drain_all_pages(struct task *tsk, struct zone *only)
{
	struct phys_mem *pm = tsk_pm(tsk);
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!z->populated || (only && only != z))
				continue;
			for (unsigned cpu = 0; cpu < pm->nr_cpus; cpu++)
				drain_pcp(tsk, z, cpu);
		}
	}
}

void __isolate_free_block(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order)
{
	unsigned mt = page_mt(pfn_to_page(pm, pfn));
	del_page_from_free_list(pm, z, pfn, order);
	__mod_zone_freepage_state(pm, z, -(1LL << order), mt);
}

void mod_zone_freepage_state(struct phys_mem *pm, struct zone *z, s64 nr, unsigned mt)
{
	__mod_zone_freepage_state(pm, z, nr, mt);
}

/* ---- set-up ---- */


/* All the zone's pages free, in blocks as large as their alignment allows, each at the
 * tail of its list in pfn order. The max-order blocks (one run: every pageblock is of one
 * type at start-up) are implicit (struct zone_lazy) and the first of them is linked, or
 * all of them with eager (debug.eager_zones). */
static void init_zone_free_memory(struct phys_mem *pm, struct zone *z, bool eager)
{
	u64 pfn = z->zone_start_pfn, end = z->zone_start_pfn + z->managed_pages;
	struct zone_lazy *lz = &z->lazy;
	u64 first = ALIGN_UP(pfn, 1ULL << LAZY_ORDER);
	lz->base_pfn = first;
	lz->nr_blocks = first < end ? (end - first) >> LAZY_ORDER : 0;
	lz->mt = get_pageblock_migratetype(pm, first < end ? first : pfn);
	lz->bits = lz->nr_blocks ? xcalloc(DIV_ROUND_UP(lz->nr_blocks, 64), sizeof(u64)) : NULL;
	while (pfn < end) {
		unsigned order = MAX_ORDER - 1;
		while (order && (!IS_ALIGNED(pfn, 1ULL << order) || pfn + (1ULL << order) > end))
			order--;
		unsigned mt = get_pageblock_migratetype(pm, pfn);
		if (order == LAZY_ORDER && mt == lz->mt) {
			u64 i = (pfn - lz->base_pfn) >> LAZY_ORDER;
			lz->bits[i / 64] |= 1ULL << (i % 64);
			lz->nr++;
			z->free_area[order].nr_free++;
			z->free_area[order].nr_free_mt[mt]++;
		} else {
			add_to_free_list(pm, z, pfn, order, mt, true);
		}
		__mod_zone_freepage_state(pm, z, 1LL << order, MIGRATE_MOVABLE);
		pfn += 1ULL << order;
	}
	if (eager)
		zone_materialise_all(pm, z);
	else if (lz->nr)
		zone_lazy_pull(pm, z);
}

static void setup_per_zone_wmarks(struct phys_mem *pm, unsigned wsf)
{
	u64 pages_min = pm->min_free_kbytes >> (PAGE_SHIFT - 10);
	u64 lowmem_pages = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			lowmem_pages += pm->node_data[n]->node_zones[zi].managed_pages;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!z->populated)
				continue;
			u64 tmp = pages_min * z->managed_pages / lowmem_pages;
			z->_watermark[WMARK_MIN] = tmp;
			/* the distance between marks: a quarter of min, or the scale factor */
			u64 delta = max_t(u64, tmp >> 2, z->managed_pages * wsf / 10000);
			z->watermark_boost = 0;
			z->_watermark[WMARK_LOW] = tmp + delta;
			z->_watermark[WMARK_HIGH] = tmp + 2 * delta;
			z->_watermark[WMARK_PROMO] = tmp + 3 * delta;
		}
	}
}

static void setup_per_zone_lowmem_reserve(struct phys_mem *pm)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		struct pglist_data *pgdat = pm->node_data[n];
		for (unsigned i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *z = &pgdat->node_zones[i];
			bool clear = !lowmem_reserve_ratio[i] || !z->managed_pages;
			u64 managed = 0;
			for (unsigned j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += pgdat->node_zones[j].managed_pages;
				z->lowmem_reserve[j] = clear ? 0 : managed / lowmem_reserve_ratio[i];
			}
		}
		pgdat->totalreserve_pages = 0;
		for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *z = &pgdat->node_zones[i];
			u64 max_res = 0;
			for (unsigned j = i; j < MAX_NR_ZONES; j++)
				max_res = max(max_res, z->lowmem_reserve[j]);
			max_res += z->_watermark[WMARK_HIGH];
			pgdat->totalreserve_pages += min(max_res, z->managed_pages);
		}
	}
}

/* Next node for a zonelist: nearest unused, lower ids and CPU-less nodes penalised,
 * node_load spreading equal distances round-robin. */
static int find_next_best_node(const struct topology *t, unsigned node, u64 *used,
			       const int *node_load)
{
	if (!(*used >> node & 1)) {
		*used |= 1ULL << node;
		return (int)node;
	}
	int best = -1;
	s64 min_val = INT64_MAX;
	for (unsigned n = 0; n < t->nr_nodes; n++) {
		if (*used >> n & 1)
			continue;
		s64 val = node_distance(t, node, n);
		val += n < node;
		val += t->cpus_per_node ? 1 : 0;   /* every node has CPUs */
		val *= MAX_NUMNODES;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best = (int)n;
		}
	}
	if (best >= 0)
		*used |= 1ULL << best;
	return best;
}

static void build_zonelists(struct phys_mem *pm, const struct topology *t)
{
	int node_load[MAX_NUMNODES] = { 0 };
	for (unsigned local = 0; local < pm->nr_nodes; local++) {
		struct pglist_data *pgdat = pm->node_data[local];
		u64 used = 0;
		int node, prev = (int)local;
		pgdat->nr_zonelist = 0;
		while ((node = find_next_best_node(t, local, &used, node_load)) >= 0) {
			if (node_distance(t, local, node) != node_distance(t, local, prev))
				node_load[node]++;
			prev = node;
			for (int zi = MAX_NR_ZONES - 1; zi >= 0; zi--) {
				struct zone *z = &pm->node_data[node]->node_zones[zi];
				if (z->populated)
					pgdat->zonelist[pgdat->nr_zonelist++] = z;
			}
		}
	}
}

void build_all_zonelists(struct phys_mem *pm)
{
	build_zonelists(pm, pm->sim->topo);
}

/* pcp->batch and pcp->high of every CPU from the zone's managed pages and low watermark
 * (zone_set_pageset_high_and_batch). */
static void zone_set_pageset_high_and_batch(struct phys_mem *pm, struct zone *z,
					    const struct topology *t, unsigned high_fraction)
{
	u64 b = min_t(u64, z->managed_pages >> 10, (1ULL << 20) / PAGE_SIZE) / 4;
	if (b < 1)
		b = 1;
	u64 r = b + b / 2, p2 = 1;
	while (p2 * 2 <= r)
		p2 *= 2;
	u32 batch = (u32)(p2 - 1);
	if (!batch)
		batch = 1;
	u64 total = high_fraction ? z->managed_pages / high_fraction : z->_watermark[WMARK_LOW];
	u64 high = total / t->cpus_per_node;
	high = max_t(u64, high, (u64)batch << 2);
	for (unsigned c = 0; c < pm->nr_cpus; c++) {
		struct per_cpu_pages *pcp = &z->pcp[c];
		pcp->batch = batch;
		pcp->high = (u32)min_t(u64, high, UINT32_MAX);
	}
}

static void setup_pcp(struct phys_mem *pm, const struct topology *t, unsigned high_fraction)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (!z->populated)
				continue;
			z->pcp = xcalloc(pm->nr_cpus, sizeof(*z->pcp));
			for (unsigned c = 0; c < pm->nr_cpus; c++)
				for (unsigned l = 0; l < NR_PCP_LISTS; l++)
					plist_init(&z->pcp[c].lists[l]);
			zone_set_pageset_high_and_batch(pm, z, t, high_fraction);
		}
	}
}

void zone_pcp_update(struct phys_mem *pm, struct zone *z)
{
	if (z->populated)
		zone_set_pageset_high_and_batch(pm, z, pm->sim->topo,
						pm->sim->scn->kernel.vm.percpu_pagelist_high_fraction);
}

/* vm.min_free_kbytes: sqrt(16 * lowmem kB), raised by khugepaged when THP is on (its
 * recommendation capped at 5% of total_pages). */
static void calculate_min_free_kbytes(struct phys_mem *pm, u64 total_pages)
{
	const struct scenario *scn = pm->sim->scn;
	u64 lowmem_kb = 0;
	unsigned nr_zones = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			lowmem_kb += pm->node_data[n]->node_zones[zi].managed_pages << (PAGE_SHIFT - 10);
			nr_zones += pm->node_data[n]->node_zones[zi].populated;
		}
	if (scn->kernel.vm.min_free_kbytes) {
		pm->min_free_kbytes = scn->kernel.vm.min_free_kbytes;
	} else {
		u64 m = int_sqrt(lowmem_kb * 16);
		pm->min_free_kbytes = min_t(u64, max_t(u64, m, 128), 262144);
		if (scn->kernel.thp.enabled != THP_NEVER) {
			u64 rec = pageblock_nr_pages * nr_zones * 2;
			rec += pageblock_nr_pages * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
			rec = min_t(u64, rec, total_pages / 20);
			rec <<= PAGE_SHIFT - 10;
			if (rec > pm->min_free_kbytes)
				pm->min_free_kbytes = rec;
		}
	}
}

void init_per_zone_wmark_min(struct phys_mem *pm)
{
	u64 total = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		total += pm->node_data[n]->node_present_pages;
	calculate_min_free_kbytes(pm, total);
	setup_per_zone_wmarks(pm, pm->sim->scn->kernel.vm.watermark_scale_factor);
	setup_per_zone_lowmem_reserve(pm);
}

struct phys_mem *phys_mem_create(struct sim *sim)
{
	const struct topology *t = sim->topo;
	const struct scenario *scn = sim->scn;
	struct phys_mem *pm = xcalloc(1, sizeof(*pm));
	pm->sim = sim;
	pm->nr_nodes = t->nr_nodes;
	pm->nr_cpus = t->nr_cpus;
	pm->grouping = scn->variants.page_alloc_grouping == GROUPING_MOBILITY;
	for (unsigned n = 0; n < t->nr_nodes; n++)
		pm->nr_pages += t->node_memory[n] >> PAGE_SHIFT;
	pm->nr_pageblocks = DIV_ROUND_UP(pm->nr_pages, pageblock_nr_pages);
	pm->pages = xcalloc(pm->nr_pages, sizeof(*pm->pages));
	pm->pb_type = xcalloc(pm->nr_pageblocks, 1);
	pm->pb_zone = xcalloc(pm->nr_pageblocks, 1);
	pm->pb_used = xcalloc(pm->nr_pageblocks, sizeof(*pm->pb_used));

	u64 pfn = 0;
	for (unsigned n = 0; n < t->nr_nodes; n++) {
		struct pglist_data *pgdat = xcalloc(1, sizeof(*pgdat));
		pm->node_data[n] = pgdat;
		pgdat->node_id = n;
		pgdat->node_start_pfn = pfn;
		pgdat->node_present_pages = t->node_memory[n] >> PAGE_SHIFT;
		u64 dma32_pages = 0;
		if (n == 0 && scn->machine.dma32)
			dma32_pages = min_t(u64, pgdat->node_present_pages, (4ULL << 30) >> PAGE_SHIFT);
		u64 sizes[MAX_NR_ZONES] = { dma32_pages, pgdat->node_present_pages - dma32_pages };
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pgdat->node_zones[zi];
			z->zone_pgdat = pgdat;
			z->idx = zi;
			z->zone_start_pfn = pfn;
			z->spanned_pages = z->present_pages = sizes[zi];
			/* links are 32-bit zone offsets: a full 16 TiB zone keeps its last page */
			z->managed_pages = min_t(u64, sizes[zi], PAGE_NIL);
			z->populated = sizes[zi] > 0;
			spin_lock_init(&z->lock, &zone_lock_class);
			for (unsigned o = 0; o < MAX_ORDER; o++)
				for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
					plist_init(&z->free_area[o].free_list[mt]);
			for (u64 pb = pfn >> pageblock_order;
			     pb < DIV_ROUND_UP(pfn + sizes[zi], pageblock_nr_pages); pb++) {
				pm->pb_zone[pb] = (u8)(n * MAX_NR_ZONES + zi);
				set_pageblock_migratetype(pm, pb << pageblock_order, MIGRATE_MOVABLE);
			}
			for (u64 r = z->managed_pages; r < z->present_pages; r++)
				pm->pages[pfn + r].flags = PG_reserved;
			pfn += sizes[zi];
		}
	}

	calculate_min_free_kbytes(pm, pm->nr_pages);
	setup_per_zone_wmarks(pm, scn->kernel.vm.watermark_scale_factor);
	setup_per_zone_lowmem_reserve(pm);
	build_zonelists(pm, t);
	setup_pcp(pm, t, scn->kernel.vm.percpu_pagelist_high_fraction);
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			if (pm->node_data[n]->node_zones[zi].populated)
				init_zone_free_memory(pm, &pm->node_data[n]->node_zones[zi],
						      scn->kernel.eager_zones);
	return pm;
}

void phys_mem_destroy(struct phys_mem *pm)
{
	if (!pm)
		return;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			free(pm->node_data[n]->node_zones[zi].pcp);
			free(pm->node_data[n]->node_zones[zi].lazy.bits);
		}
		free(pm->node_data[n]);
	}
	free(pm->pages);
	free(pm->pb_type);
	free(pm->pb_zone);
	free(pm->pb_used);
	free(pm);
}

u64 node_free_pages(const struct phys_mem *pm, unsigned nid)
{
	u64 n = 0;
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
		n += pm->node_data[nid]->node_zones[zi].free_pages;
	return n;
}

u64 node_present_pages(const struct phys_mem *pm, unsigned nid)
{
	return pm->node_data[nid]->node_present_pages;
}

u64 node_pcp_pages(const struct phys_mem *pm, unsigned nid)
{
	u64 n = 0;
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &pm->node_data[nid]->node_zones[zi];
		if (!z->populated)
			continue;
		for (unsigned c = 0; c < pm->nr_cpus; c++)
			n += z->pcp[c].count;
	}
	return n;
}

double phys_mem_bytes_per_page(const struct phys_mem *pm)
{
	double bytes = (double)pm->nr_pages * sizeof(struct page_desc) +
		       (double)pm->nr_pageblocks * (2 + sizeof(*pm->pb_used));
	return bytes / (double)pm->nr_pages;
}

/* ---- consistency ---- */

#define FAIL(...)                                                                           \
	do {                                                                                \
		snprintf(msg, msglen, __VA_ARGS__);                                         \
		free(seen);                                                                 \
		return -1;                                                                  \
	} while (0)

/* The implicit blocks of a zone (struct zone_lazy): inside the zone, not yet described
 * (a zero descriptor) or described as the list's free block with no links, their pages
 * free and in no other block (seen[] marks them). */
static int check_implicit_blocks(struct phys_mem *pm, struct zone *z, u8 *seen, char *msg,
				 size_t msglen)
{
	const struct zone_lazy *lz = &z->lazy;
	const char *zn = zone_names[z->idx];
	unsigned nid = z->zone_pgdat->node_id;
	u64 n = 0;
	for (u64 i = 0; i < lz->nr_blocks; i++) {
		if (!(lz->bits[i / 64] >> (i % 64) & 1))
			continue;
		n++;
		u64 pfn = lz->base_pfn + (i << LAZY_ORDER);
		const struct page_desc *p = pfn_to_page(pm, pfn);
		bool bare = !p->flags && !p->next && !p->prev;
		bool described = p->flags == (PG_buddy | (LAZY_ORDER << PG_ORDER_SHIFT) |
					      (lz->mt << PG_MT_SHIFT)) &&
				 p->next == PAGE_NIL && p->prev == PAGE_NIL;
		if (i < lz->first || pfn + (1ULL << LAZY_ORDER) > z->zone_start_pfn + z->spanned_pages ||
		    (!bare && !described)) {
			snprintf(msg, msglen, "node %u %s: implicit order-%u block at pfn %llu has flags "
				 "%#x, links %u %u", nid, zn, LAZY_ORDER, (unsigned long long)pfn,
				 p->flags, p->prev, p->next);
			return -1;
		}
		for (u64 k = 0; k < (1ULL << LAZY_ORDER); k++) {
			u64 q = pfn - z->zone_start_pfn + k;
			const struct page_desc *qp = pfn_to_page(pm, pfn + k);
			if (seen[q] || qp->refcount || (k && (qp->flags & (PG_buddy | PG_pcp)))) {
				snprintf(msg, msglen, "node %u %s: pfn %llu of the implicit block at %llu "
					 "is in use (refcount %u, flags %#x)", nid, zn,
					 (unsigned long long)(pfn + k), (unsigned long long)pfn,
					 qp->refcount, qp->flags);
				return -1;
			}
			seen[q] = 1;
		}
	}
	if (n != lz->nr) {
		snprintf(msg, msglen, "node %u %s: %llu implicit blocks, the count says %llu", nid, zn,
			 (unsigned long long)n, (unsigned long long)lz->nr);
		return -1;
	}
	return 0;
}

int check_zone_buddy(struct phys_mem *pm, struct zone *z, bool quiescent, char *msg,
		     size_t msglen)
{
	if (!quiescent && spin_is_locked(&z->lock))
		return 0;   /* its holder is mid-update (parked in a flush) */
	const char *zn = zone_names[z->idx];
	unsigned nid = z->zone_pgdat->node_id;
	u8 *seen = xcalloc(z->spanned_pages ? z->spanned_pages : 1, 1);
	u64 free_pages = 0;
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		const struct free_area *area = &z->free_area[o];
		u64 total = 0;
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
			const struct page_list *l = &area->free_list[mt];
			u64 n = 0;
			u32 prev = PAGE_NIL;
			for (u32 off = l->head; off != PAGE_NIL;) {
				u64 pfn = zpfn(z, off);
				const struct page_desc *p = pfn_to_page(pm, pfn);
				if (!pfn_in_zone(z, pfn) || pfn + (1ULL << o) > z->zone_start_pfn + z->spanned_pages)
					FAIL("node %u %s: order-%u block at pfn %llu outside the zone", nid, zn, o,
					     (unsigned long long)pfn);
				if (!(p->flags & PG_buddy) || page_order(p) != o || page_mt(p) != mt)
					FAIL("node %u %s: pfn %llu on the order-%u %s list has flags %#x", nid,
					     zn, (unsigned long long)pfn, o, migratetype_names[mt], p->flags);
				if (o == LAZY_ORDER && lazy_test(z, pfn))
					FAIL("node %u %s: pfn %llu is linked on the order-%u %s list and "
					     "implicit", nid, zn, (unsigned long long)pfn, o,
					     migratetype_names[mt]);
				if (!IS_ALIGNED(pfn, 1ULL << o))
					FAIL("node %u %s: order-%u block at pfn %llu is not aligned", nid, zn, o,
					     (unsigned long long)pfn);
				if (p->prev != prev)
					FAIL("node %u %s: broken back link at pfn %llu", nid, zn,
					     (unsigned long long)pfn);
				for (u64 i = 0; i < (1ULL << o); i++) {
					u64 q = pfn - z->zone_start_pfn + i;
					if (seen[q])
						FAIL("node %u %s: pfn %llu is in two free blocks", nid, zn,
						     (unsigned long long)(z->zone_start_pfn + q));
					seen[q] = 1;
					const struct page_desc *qp = pfn_to_page(pm, z->zone_start_pfn + q);
					if (qp->refcount)
						FAIL("node %u %s: pfn %llu is free and allocated (refcount %u)",
						     nid, zn, (unsigned long long)(z->zone_start_pfn + q),
						     qp->refcount);
					if (i && (qp->flags & (PG_buddy | PG_pcp)))
						FAIL("node %u %s: pfn %llu inside a free block is marked free itself",
						     nid, zn, (unsigned long long)(z->zone_start_pfn + q));
				}
				/* a free buddy of the same order means a missed merge */
				u64 buddy = pfn ^ (1ULL << o);
				if (o < MAX_ORDER - 1 && page_is_buddy(pm, z, buddy, o)) {
					unsigned bt = get_pageblock_migratetype(pm, buddy);
					unsigned mt2 = get_pageblock_migratetype(pm, pfn);
					if (o < pageblock_order || bt == mt2 ||
					    (migratetype_is_mergeable(bt) && migratetype_is_mergeable(mt2)))
						FAIL("node %u %s: order-%u buddies at pfn %llu and %llu are both free",
						     nid, zn, o, (unsigned long long)pfn,
						     (unsigned long long)buddy);
				}
				n++;
				prev = off;
				off = p->next;
			}
			if (l->tail != prev)
				FAIL("node %u %s: order-%u %s list tail is wrong", nid, zn, o,
				     migratetype_names[mt]);
			if (o == LAZY_ORDER && mt == z->lazy.mt && z->lazy.nr) {
				int r = check_implicit_blocks(pm, z, seen, msg, msglen);
				if (r < 0) {
					free(seen);
					return -1;
				}
				if (n == 0)
					FAIL("node %u %s: the order-%u %s list has implicit blocks but no "
					     "linked one", nid, zn, o, migratetype_names[mt]);
				n += z->lazy.nr;
			}
			if (n != area->nr_free_mt[mt])
				FAIL("node %u %s: order-%u %s list has %llu blocks, counter says %llu", nid,
				     zn, o, migratetype_names[mt], (unsigned long long)n,
				     (unsigned long long)area->nr_free_mt[mt]);
			total += n;
			if (mt != MIGRATE_ISOLATE)
				free_pages += n << o;
		}
		if (total != area->nr_free)
			FAIL("node %u %s: order-%u nr_free %llu but lists hold %llu", nid, zn, o,
			     (unsigned long long)area->nr_free, (unsigned long long)total);
	}
	if (free_pages != z->free_pages)
		FAIL("node %u %s: NR_FREE_PAGES %llu but the lists hold %llu pages", nid, zn,
		     (unsigned long long)z->free_pages, (unsigned long long)free_pages);
	u64 pcp_pages = 0;
	bool pcp_busy = false;
	for (unsigned c = 0; c < pm->nr_cpus; c++) {
		const struct per_cpu_pages *pcp = &z->pcp[c];
		u64 n = 0;
		if (!quiescent && pcp->locked) {
			pcp_busy = true;
			continue;
		}
		for (unsigned l = 0; l < NR_PCP_LISTS; l++) {
			unsigned o = pindex_to_order(l);
			for (u32 off = pcp->lists[l].head; off != PAGE_NIL;) {
				u64 pfn = zpfn(z, off);
				const struct page_desc *p = pfn_to_page(pm, pfn);
				if (!(p->flags & PG_pcp) || page_order(p) != o)
					FAIL("node %u %s: pfn %llu on cpu %u's pcp list has flags %#x", nid, zn,
					     (unsigned long long)pfn, c, p->flags);
				for (u64 i = 0; i < (1ULL << o); i++) {
					if (seen[pfn - z->zone_start_pfn + i])
						FAIL("node %u %s: pfn %llu is on a pcp list and free", nid, zn,
						     (unsigned long long)(pfn + i));
					seen[pfn - z->zone_start_pfn + i] = 1;
				}
				n += 1ULL << o;
				off = p->next;
			}
		}
		if (n != pcp->count)
			FAIL("node %u %s: cpu %u pcp count %u but lists hold %llu", nid, zn, c, pcp->count,
			     (unsigned long long)n);
		pcp_pages += n;
	}
	u64 used = 0;
	u64 first = z->zone_start_pfn >> pageblock_order;
	u64 last = (z->zone_start_pfn + z->spanned_pages - 1) >> pageblock_order;
	for (u64 pb = first; z->spanned_pages && pb <= last; pb++)
		for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			used += pm->pb_used[pb][mt];
	u64 expect = z->managed_pages - free_pages - pcp_pages;
	if (quiescent ? used != expect : !pcp_busy && used > expect)
		FAIL("node %u %s: pageblock counters hold %llu allocated pages, the zone has %llu", nid,
		     zn, (unsigned long long)used, (unsigned long long)expect);
	free(seen);
	return 0;
}

/* --check after an op (mm/check.h): one page whose free-list or pcp-list links changed.
 * 0 when it is consistent (or on no such list), 1 when its zone is mid-update (check it
 * later), -1 with msg. */
int check_buddy_page(struct phys_mem *pm, u64 pfn, char *msg, size_t msglen)
{
	const struct page_desc *p = pfn_to_page(pm, pfn);
	if (!(p->flags & (PG_buddy | PG_pcp)))
		return 0;
	struct zone *z = page_zone(pm, pfn);
	const char *zn = zone_names[z->idx];
	unsigned nid = z->zone_pgdat->node_id;
	unsigned o = page_order(p);
	u32 off = zoff(z, pfn);
	if (p->flags & PG_buddy) {
		if (spin_is_locked(&z->lock))
			return 1;
		unsigned mt = page_mt(p);
		const struct page_list *l = &z->free_area[o].free_list[mt];
		bool implicit = o == LAZY_ORDER && lazy_test(z, pfn);
		if (implicit && (mt != z->lazy.mt || p->prev != PAGE_NIL || p->next != PAGE_NIL)) {
			/* implicit: no links (struct zone_lazy) */
			snprintf(msg, msglen, "node %u %s: broken %s link at pfn %llu (order-%u %s "
				 "list)", nid, zn, p->prev != PAGE_NIL ? "back" : "forward",
				 (unsigned long long)pfn, o, migratetype_names[mt]);
			return -1;
		}
		if (o >= MAX_ORDER || mt >= MIGRATE_TYPES ||
		    pfn + (1ULL << o) > z->zone_start_pfn + z->spanned_pages ||
		    !IS_ALIGNED(pfn, 1ULL << o)) {
			snprintf(msg, msglen, "node %u %s: free block at pfn %llu of order %u misplaced",
				 nid, zn, (unsigned long long)pfn, o);
			return -1;
		}
		if (!implicit && (p->prev == PAGE_NIL ? l->head != off :
		    pfn_to_page(pm, zpfn(z, p->prev))->next != off ||
		    !(pfn_to_page(pm, zpfn(z, p->prev))->flags & PG_buddy))) {
			snprintf(msg, msglen, "node %u %s: broken back link at pfn %llu (order-%u %s "
				 "list)", nid, zn, (unsigned long long)pfn, o, migratetype_names[mt]);
			return -1;
		}
		if (!implicit && (p->next == PAGE_NIL ? l->tail != off :
		    pfn_to_page(pm, zpfn(z, p->next))->prev != off ||
		    !(pfn_to_page(pm, zpfn(z, p->next))->flags & PG_buddy))) {
			snprintf(msg, msglen, "node %u %s: broken forward link at pfn %llu (order-%u "
				 "%s list)", nid, zn, (unsigned long long)pfn, o, migratetype_names[mt]);
			return -1;
		}
		for (u64 i = 0; i < (1ULL << o); i++) {
			const struct page_desc *qp = pfn_to_page(pm, pfn + i);
			if (qp->refcount || (i && (qp->flags & (PG_buddy | PG_pcp)))) {
				snprintf(msg, msglen, "node %u %s: pfn %llu of the free block at %llu has "
					 "refcount %u, flags %#x", nid, zn, (unsigned long long)(pfn + i),
					 (unsigned long long)pfn, qp->refcount, qp->flags);
				return -1;
			}
		}
		u64 buddy = pfn ^ (1ULL << o);
		if (o < MAX_ORDER - 1 && page_is_buddy(pm, z, buddy, o)) {
			unsigned bt = get_pageblock_migratetype(pm, buddy);
			unsigned mt2 = get_pageblock_migratetype(pm, pfn);
			if (o < pageblock_order || bt == mt2 ||
			    (migratetype_is_mergeable(bt) && migratetype_is_mergeable(mt2))) {
				snprintf(msg, msglen, "node %u %s: order-%u buddies at pfn %llu and %llu "
					 "are both free", nid, zn, o, (unsigned long long)pfn,
					 (unsigned long long)buddy);
				return -1;
			}
		}
		return 0;
	}
	/* on some CPU's pcp list: which one is not in the page; its neighbours say */
	for (unsigned c = 0; c < pm->nr_cpus; c++)
		if (z->pcp[c].locked)
			return 1;
	bool head = false, tail = false;
	for (unsigned c = 0; c < pm->nr_cpus && (p->prev == PAGE_NIL || p->next == PAGE_NIL); c++)
		for (unsigned li = 0; li < NR_PCP_LISTS; li++) {
			head |= z->pcp[c].lists[li].head == off;
			tail |= z->pcp[c].lists[li].tail == off;
		}
	const struct page_desc *pp, *np;
	pp = p->prev == PAGE_NIL ? NULL : pfn_to_page(pm, zpfn(z, p->prev));
	np = p->next == PAGE_NIL ? NULL : pfn_to_page(pm, zpfn(z, p->next));
	if ((pp ? pp->next != off || !(pp->flags & PG_pcp) : !head) ||
	    (np ? np->prev != off || !(np->flags & PG_pcp) : !tail)) {
		snprintf(msg, msglen, "node %u %s: pfn %llu on a pcp list has broken links", nid, zn,
			 (unsigned long long)pfn);
		return -1;
	}
	return 0;
}

/* The free counters of a zone against each other: per order, the migratetypes' blocks add
 * up to nr_free, and the blocks add up to NR_FREE_PAGES. 1 when the zone is mid-update. */
int check_zone_free_counts(struct zone *z, char *msg, size_t msglen)
{
	if (spin_is_locked(&z->lock))
		return 1;
	u64 free_pages = 0;
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		const struct free_area *area = &z->free_area[o];
		u64 total = 0;
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
			total += area->nr_free_mt[mt];
			if (mt != MIGRATE_ISOLATE)
				free_pages += area->nr_free_mt[mt] << o;
		}
		if (total != area->nr_free) {
			snprintf(msg, msglen, "node %u %s: order-%u nr_free %llu but its migratetypes "
				 "count %llu", z->zone_pgdat->node_id, zone_names[z->idx], o,
				 (unsigned long long)area->nr_free, (unsigned long long)total);
			return -1;
		}
	}
	if (free_pages != z->free_pages) {
		snprintf(msg, msglen, "node %u %s: NR_FREE_PAGES %llu but the free areas count %llu "
			 "pages", z->zone_pgdat->node_id, zone_names[z->idx],
			 (unsigned long long)z->free_pages, (unsigned long long)free_pages);
		return -1;
	}
	return 0;
}

int check_phys_mem(struct phys_mem *pm, bool quiescent, char *msg, size_t msglen)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->node_data[n]->node_zones[zi];
			if (z->populated && check_zone_buddy(pm, z, quiescent, msg, msglen) < 0)
				return -1;
		}
	return 0;
}
