/* compaction.c - migrate and free scanners, direct compaction, kcompactd, compact_memory.
 * The scanning rules follow mm/compaction.c of 6.1 as reference/page-alloc.md section 7
 * describes them; see compaction.h for what is and is not modelled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/spinlock.h"
#include "mm/compaction.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/timeline.h"

enum migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };

enum isolate_result { ISOLATE_ABORT, ISOLATE_NONE, ISOLATE_SUCCESS };

#define MIGRATE_PASSES 10

/* One compaction run over one zone (struct compact_control). */
struct compact_control {
	struct compaction *c;
	struct zone *zone;
	int order;                        /* -1: compact_memory / proactive (whole zone) */
	gfp_t gfp;
	unsigned alloc_flags, highest_zoneidx, migratetype;
	enum migrate_mode mode;
	bool ignore_skip_hint, ignore_block_suitable, whole_zone, direct_compaction, proactive;
	bool contended;
	int search_order;                 /* fast free search: order to start at */
	unsigned fast_search_fail;
	u64 migrate_pfn, free_pfn;        /* scanner cursors */
	u64 migratepages[COMPACT_CLUSTER_MAX];
	unsigned nr_migratepages;
	u64 *freepages;                   /* isolated free pages, prepared as order-0 pages */
	unsigned fp_head, fp_tail, fp_cap;
	u64 total_migrate_scanned, total_free_scanned;
};

struct kcompactd {
	struct compaction *c;
	struct pglist_data *pgdat;
	struct task *tsk;
	int max_order;                    /* kcompactd_max_order */
	unsigned highest_zoneidx;
	bool sleeping;                    /* parked, not yet woken: a waker may unpark it */
};

struct compaction {
	struct sim *sim;
	u8 *skip;                         /* one bit per pageblock (PB_migrate_skip) */
	struct kcompactd kcd[MAX_NUMNODES];
};

static inline struct phys_mem *cc_pm(const struct compact_control *cc)
{
	return cc->c->sim->phys;
}

static inline u64 zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static inline u64 pageblock_start_pfn(u64 pfn)
{
	return pfn & ~(pageblock_nr_pages - 1);
}

static inline u64 pageblock_end_pfn(u64 pfn)
{
	return pageblock_start_pfn(pfn) + pageblock_nr_pages;
}

/* End of the order-aligned block containing pfn (order -1 or 0: the next page). */
static inline u64 block_end_pfn(u64 pfn, int order)
{
	u64 n = order > 0 ? 1ULL << order : 1;
	return (pfn & ~(n - 1)) + n;
}

static inline u64 block_start_pfn(u64 pfn, int order)
{
	u64 n = order > 0 ? 1ULL << order : 1;
	return pfn & ~(n - 1);
}

/* Cost of looking at one struct page. */
static inline u64 scan_cost(struct task *tsk)
{
	return tsk->sim->cost->atomic_local_ns;
}

/* ---- skip bits ---- */

bool pageblock_skip(const struct compaction *c, u64 pfn)
{
	u64 b = pfn >> pageblock_order;
	return c->skip[b / 8] & (1u << (b % 8));
}

static void set_pageblock_skip(struct compaction *c, u64 pfn)
{
	u64 b = pfn >> pageblock_order;
	c->skip[b / 8] |= (u8)(1u << (b % 8));
}

static bool isolation_suitable(const struct compact_control *cc, u64 pfn)
{
	return cc->ignore_skip_hint || !pageblock_skip(cc->c, pfn);
}

static void reset_cached_positions(struct zone *z)
{
	z->compact_cached_migrate_pfn[0] = z->zone_start_pfn;
	z->compact_cached_migrate_pfn[1] = z->zone_start_pfn;
	z->compact_cached_free_pfn = pageblock_start_pfn(zone_end_pfn(z) - 1);
}

static void __reset_isolation_suitable(struct compaction *c, struct zone *z)
{
	for (u64 pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pageblock_nr_pages) {
		u64 b = pfn >> pageblock_order;
		c->skip[b / 8] &= (u8)~(1u << (b % 8));
	}
	reset_cached_positions(z);
	z->compact_blockskip_flush = false;
}

void reset_isolation_suitable(struct sim *sim, struct pglist_data *pgdat)
{
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &pgdat->node_zones[zi];
		if (z->populated && z->compact_blockskip_flush)
			__reset_isolation_suitable(sim->compaction, z);
	}
}

static void update_cached_migrate(struct compact_control *cc, u64 pfn)
{
	struct zone *z = cc->zone;
	if (pfn > z->compact_cached_migrate_pfn[0])
		z->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > z->compact_cached_migrate_pfn[1])
		z->compact_cached_migrate_pfn[1] = pfn;
}

static void update_pageblock_skip(struct compact_control *cc, u64 pfn)
{
	set_pageblock_skip(cc->c, pfn);
	if (pfn < cc->zone->compact_cached_free_pfn)
		cc->zone->compact_cached_free_pfn = pfn;
}

/* ---- deferral ---- */

void defer_compaction(struct zone *z, int order)
{
	z->compact_considered = 0;
	if (z->compact_defer_shift < COMPACT_MAX_DEFER_SHIFT)
		z->compact_defer_shift++;
	if (order < z->compact_order_failed)
		z->compact_order_failed = order;
}

bool compaction_deferred(struct zone *z, int order)
{
	unsigned limit = 1u << z->compact_defer_shift;
	if (order < z->compact_order_failed)
		return false;
	if (++z->compact_considered >= limit) {
		z->compact_considered = limit;
		return false;
	}
	return true;
}

void compaction_defer_reset(struct zone *z, int order, bool alloc_success)
{
	if (alloc_success) {
		z->compact_considered = 0;
		z->compact_defer_shift = 0;
	}
	if (order >= z->compact_order_failed)
		z->compact_order_failed = order + 1;
}

bool compaction_restarting(const struct zone *z, int order)
{
	if (order < z->compact_order_failed)
		return false;
	return z->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       z->compact_considered >= 1u << COMPACT_MAX_DEFER_SHIFT;
}

/* ---- suitability and scores ---- */

static inline u64 compact_gap(int order)
{
	return 2ULL << order;
}

enum compact_result compaction_suitable(const struct sim *sim, const struct zone *z, int order,
					unsigned alloc_flags, unsigned highest_zoneidx)
{
	if (order < 0)
		return COMPACT_CONTINUE;
	u64 mark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
	if (zone_watermark_ok(z, (unsigned)order, mark, highest_zoneidx, alloc_flags))
		return COMPACT_SUCCESS;
	/* enough order-0 pages to hold the migration targets, above the watermark */
	mark = (order > PAGE_ALLOC_COSTLY_ORDER ? wmark_pages(z, WMARK_LOW) :
						  wmark_pages(z, WMARK_MIN)) + compact_gap(order);
	if (!__zone_watermark_ok(z, 0, mark, highest_zoneidx, 0, (s64)z->free_pages))
		return COMPACT_SKIPPED;
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		/* the failure is lack of memory, not fragmentation: reclaim instead */
		int fragindex = fragmentation_index(z, (unsigned)order);
		if (fragindex >= 0 && (unsigned)fragindex <= sim->scn->kernel.vm.extfrag_threshold)
			return COMPACT_SKIPPED;
	}
	return COMPACT_CONTINUE;
}

unsigned fragmentation_score_zone(const struct zone *z)
{
	return extfrag_for_order(z, pageblock_order);
}

unsigned fragmentation_score_node(const struct pglist_data *pgdat)
{
	u64 score = 0;
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &pgdat->node_zones[zi];
		if (z->populated)
			score += z->present_pages * fragmentation_score_zone(z) /
				 (pgdat->node_present_pages + 1);
	}
	return (unsigned)score;
}

unsigned fragmentation_score_wmark(unsigned proactiveness, bool low)
{
	unsigned wmark_low = 100 - proactiveness < 5 ? 5 : 100 - proactiveness;
	return low ? wmark_low : (wmark_low + 10 > 100 ? 100 : wmark_low + 10);
}

/* ---- the isolated free pages (cc->freepages) ---- */

static void freepages_push(struct compact_control *cc, u64 pfn)
{
	if (cc->fp_tail == cc->fp_cap) {
		if (cc->fp_head) {
			memmove(cc->freepages, cc->freepages + cc->fp_head,
				(cc->fp_tail - cc->fp_head) * sizeof(u64));
			cc->fp_tail -= cc->fp_head;
			cc->fp_head = 0;
		}
		if (cc->fp_tail == cc->fp_cap) {
			cc->fp_cap = cc->fp_cap ? 2 * cc->fp_cap : 64;
			cc->freepages = xrealloc(cc->freepages, cc->fp_cap * sizeof(u64));
		}
	}
	cc->freepages[cc->fp_tail++] = pfn;
}

static inline unsigned nr_freepages(const struct compact_control *cc)
{
	return cc->fp_tail - cc->fp_head;
}

/* Give every unused isolated free page back; returns the highest pfn returned (0: none). */
static u64 release_freepages(struct task *tsk, struct compact_control *cc)
{
	u64 high = 0;
	for (unsigned i = cc->fp_head; i < cc->fp_tail; i++) {
		u64 pfn = cc->freepages[i];
		if (pfn > high)
			high = pfn;
		__free_pages(tsk, pfn, 0);
	}
	cc->fp_head = cc->fp_tail = 0;
	return high;
}

/* ---- the free scanner ---- */

/* zone->lock for a scanner: async mode gives up (and ends the run) when it is busy. */
static bool compact_lock(struct task *tsk, struct compact_control *cc, spinlock_t *l)
{
	if (cc->mode == MIGRATE_ASYNC) {
		if (spin_trylock(tsk, l))
			return true;
		cc->contended = true;
		return false;
	}
	spin_lock(tsk, l);
	return true;
}

static bool suitable_migration_target(const struct compact_control *cc, u64 pfn)
{
	struct phys_mem *pm = cc_pm(cc);
	const struct page_desc *p = pfn_to_page(pm, pfn);
	/* a block that is already a free pageblock is what compaction is building */
	if ((p->flags & PG_buddy) && page_order(p) >= pageblock_order)
		return false;
	if (cc->ignore_block_suitable)
		return true;
	return get_pageblock_migratetype(pm, pfn) == MIGRATE_MOVABLE;
}

/* __isolate_free_page + split_map_pages: take the free block at pfn off the lists (zone
 * lock held) and queue its pages as order-0 targets. False when the zone would drop
 * below its min watermark. */
static bool isolate_free_block(struct task *tsk, struct compact_control *cc, u64 pfn,
			       unsigned order)
{
	struct phys_mem *pm = cc_pm(cc);
	struct zone *z = cc->zone;
	if (!zone_watermark_ok(z, 0, wmark_pages(z, WMARK_MIN) + (1ULL << order), 0, 0))
		return false;
	if (order >= pageblock_order - 1) {
		u64 endb = pfn + (1ULL << order);
		for (u64 b = pfn; b < endb; b += pageblock_nr_pages)
			if (get_pageblock_migratetype(pm, b) < MIGRATE_PCPTYPES)
				set_pageblock_migratetype(pm, b, MIGRATE_MOVABLE);
	}
	__isolate_free_block(pm, z, pfn, order);
	unsigned target_mt = pm->grouping ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
	for (u64 k = 0; k < 1ULL << order; k++) {
		prep_compaction_page(pm, pfn + k, target_mt);
		freepages_push(cc, pfn + k);
	}
	charge(tsk, tsk->sim->cost->page_alloc_ns);
	count_vm_events(tsk, COMPACTISOLATED, 1ULL << order);
	return true;
}

/* Isolate the free buddy blocks of [*start, end) with the given stride, splitting them
 * into prepared order-0 pages; stops once there are targets for every isolated page.
 * *start is left where the scan stopped. Returns pages isolated. */
static u64 isolate_freepages_block(struct task *tsk, struct compact_control *cc, u64 *start,
				   u64 end, unsigned stride)
{
	struct phys_mem *pm = cc_pm(cc);
	struct zone *z = cc->zone;
	u64 nr_scanned = 0, total = 0;
	bool locked = false;
	u64 pfn = *start;
	zone_materialise_range(pm, z, pfn, end);
	for (; pfn < end; pfn += stride) {
		nr_scanned++;
		if (!(pfn_to_page(pm, pfn)->flags & PG_buddy))
			continue;
		if (!locked) {
			if (!compact_lock(tsk, cc, &z->lock))
				break;
			locked = true;
			/* others ran while we waited for the lock */
			if (!(pfn_to_page(pm, pfn)->flags & PG_buddy))
				continue;
		}
		unsigned order = page_order(pfn_to_page(pm, pfn));
		if (!isolate_free_block(tsk, cc, pfn, order))
			break;
		u64 n = 1ULL << order;
		nr_scanned += n - 1;
		total += n;
		if (cc->nr_migratepages <= nr_freepages(cc)) {
			pfn += n;
			break;
		}
		pfn += n - 1;
	}
	if (locked)
		spin_unlock(tsk, &z->lock);
	if (pfn > end)
		pfn = end;
	*start = pfn;
	charge(tsk, nr_scanned * scan_cost(tsk));
	cc->total_free_scanned += nr_scanned;
	return total;
}

/* ---- the fast free search (fast_isolate_freepages) ---- */

static unsigned freelist_scan_limit(const struct compact_control *cc)
{
	unsigned shift = 0;
	for (unsigned f = cc->fast_search_fail; f; f >>= 1)
		shift++;   /* fls() */
	return (COMPACT_CLUSTER_MAX >> (shift < 31 ? shift : 31)) + 1;
}

/* The next order to search, round-robin below cc->order; -1 when wrapped around. */
static int next_search_order(struct compact_control *cc, int order)
{
	order--;
	if (order < 0)
		order = cc->order - 1;
	if (order == cc->search_order) {
		cc->search_order--;
		if (cc->search_order < 0)
			cc->search_order = cc->order - 1;
		return -1;
	}
	return order;
}

/* Having found a free page at pfn, take the other free pages of its pageblock too
 * (fast_isolate_around); a block that cannot supply enough is marked skip. */
static void fast_isolate_around(struct task *tsk, struct compact_control *cc, u64 pfn,
				u64 nr_isolated)
{
	if (nr_freepages(cc) >= cc->nr_migratepages)
		return;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC)
		return;
	u64 start = pageblock_start_pfn(pfn);
	u64 end = min_t(u64, start + pageblock_nr_pages, zone_end_pfn(cc->zone));
	if (start != pfn) {
		u64 s0 = start;
		isolate_freepages_block(tsk, cc, &s0, pfn, 1);
		if (nr_freepages(cc) >= cc->nr_migratepages)
			return;
	}
	u64 s1 = pfn + nr_isolated;
	if (s1 != end)
		isolate_freepages_block(tsk, cc, &s1, end, 1);
	if (nr_freepages(cc) < cc->nr_migratepages)
		set_pageblock_skip(cc->c, pfn);
}

/* Search the MOVABLE free lists below cc->order, from their tails, for a free page in the
 * top quarter (at worst the top half) of the space between the scanners. Returns where
 * the linear free scanner should go on from. */
static u64 fast_isolate_freepages(struct task *tsk, struct compact_control *cc)
{
	struct phys_mem *pm = cc_pm(cc);
	struct zone *z = cc->zone;
	unsigned limit = max_t(unsigned, 1, freelist_scan_limit(cc) >> 1);
	u64 nr_scanned = 0, nr_isolated = 0, high_pfn = 0, highest = 0;
	u64 page = PFN_NONE;
	bool scan_start = false;
	if (cc->order <= 0)
		return cc->free_pfn;
	if (cc->free_pfn >= pageblock_start_pfn(zone_end_pfn(z) - 1)) {
		limit = pageblock_nr_pages >> 1;   /* starting: search deeper */
		scan_start = true;
	}
	u64 distance = cc->free_pfn - cc->migrate_pfn;
	u64 low_pfn = pageblock_start_pfn(cc->free_pfn - (distance >> 2));
	u64 min_pfn = pageblock_start_pfn(cc->free_pfn - (distance >> 1));
	if (min_pfn > low_pfn)
		low_pfn = min_pfn;
	cc->search_order = min_t(int, cc->order - 1, cc->search_order);
	for (int order = cc->search_order; page == PFN_NONE && order >= 0;
	     order = next_search_order(cc, order)) {
		struct free_area *area = &z->free_area[order];
		unsigned order_scanned = 0;
		if (!area->nr_free_mt[MIGRATE_MOVABLE])
			continue;
		spin_lock(tsk, &z->lock);
		u32 off = area->free_list[MIGRATE_MOVABLE].tail;
		while (off != PAGE_NIL) {
			u64 pfn = z->zone_start_pfn + off;
			order_scanned++;
			nr_scanned++;
			if (pfn >= highest)
				highest = pageblock_start_pfn(pfn);
			if (pfn >= low_pfn) {
				cc->fast_search_fail = 0;
				cc->search_order = order;
				page = pfn;
				break;
			}
			if (pfn >= min_pfn && pfn > high_pfn) {
				high_pfn = pfn;
				limit >>= 1;   /* a candidate: shorten the search */
			}
			if (order_scanned >= limit)
				break;
			off = pfn_to_page(pm, pfn)->prev;
		}
		if (page == PFN_NONE && high_pfn)
			page = high_pfn;
		if (page != PFN_NONE) {
			if (isolate_free_block(tsk, cc, page, (unsigned)order)) {
				nr_isolated = 1ULL << order;
			} else {
				order = cc->search_order + 1;   /* the watermark: give up */
				page = PFN_NONE;
			}
		}
		spin_unlock(tsk, &z->lock);
		if (order_scanned >= limit)
			limit = max_t(unsigned, 1, limit >> 1);
	}
	charge(tsk, nr_scanned * scan_cost(tsk));
	if (page == PFN_NONE) {
		cc->fast_search_fail++;
		if (scan_start) {
			/* go on from the highest block seen, or (direct) the top half's end */
			if (highest) {
				page = highest;
				cc->free_pfn = highest;
			} else if (cc->direct_compaction) {
				page = min_pfn;
				cc->free_pfn = min_pfn;
			}
		}
	}
	if (highest && highest >= z->compact_cached_free_pfn) {
		highest -= pageblock_nr_pages;
		z->compact_cached_free_pfn = highest;
	}
	cc->total_free_scanned += nr_scanned;
	if (page == PFN_NONE)
		return cc->free_pfn;
	fast_isolate_around(tsk, cc, page, nr_isolated);
	return page;
}

static void isolate_freepages(struct task *tsk, struct compact_control *cc)
{
	struct zone *z = cc->zone;
	u64 isolate_start = cc->free_pfn;
	u64 bstart = pageblock_start_pfn(cc->free_pfn);
	u64 bend = min_t(u64, bstart + pageblock_nr_pages, zone_end_pfn(z));
	u64 low = pageblock_end_pfn(cc->migrate_pfn);
	unsigned stride = cc->mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;
	if (cc->fp_head == cc->fp_tail)
		cc->fp_head = cc->fp_tail = 0;
	/* a short search of the free lists first */
	isolate_start = fast_isolate_freepages(tsk, cc);
	if (nr_freepages(cc))
		return;
	isolate_start = cc->free_pfn;
	bstart = pageblock_start_pfn(cc->free_pfn);
	bend = min_t(u64, bstart + pageblock_nr_pages, zone_end_pfn(z));
	for (;; bend = bstart, bstart -= pageblock_nr_pages, isolate_start = bstart) {
		if (bstart < low || bstart < z->zone_start_pfn)
			break;
		zone_materialise_range(cc_pm(cc), z, bstart, bend);
		if (!suitable_migration_target(cc, bstart) || !isolation_suitable(cc, bstart)) {
			if (bstart < pageblock_nr_pages)
				break;
			continue;
		}
		u64 nr = isolate_freepages_block(tsk, cc, &isolate_start, bend, stride);
		if (isolate_start == bend)
			update_pageblock_skip(cc, bstart);
		if (nr_freepages(cc) >= cc->nr_migratepages) {
			if (isolate_start >= bend)
				isolate_start = bstart >= pageblock_nr_pages ? bstart - pageblock_nr_pages : 0;
			break;
		} else if (isolate_start < bend) {
			break;   /* stopped inside the block: lock contention or the watermark */
		}
		stride = nr ? 1 : min_t(unsigned, COMPACT_CLUSTER_MAX, stride << 1);
		if (bstart < pageblock_nr_pages)
			break;
	}
	cc->free_pfn = isolate_start;
}

/* compaction_alloc: the next migration target, isolating more when none is left. */
static u64 compaction_alloc(struct task *tsk, struct compact_control *cc)
{
	if (!nr_freepages(cc))
		isolate_freepages(tsk, cc);
	if (!nr_freepages(cc))
		return PFN_NONE;
	return cc->freepages[cc->fp_head++];
}

/* compaction_free: a target not used after all goes back on the list. */
static void compaction_free(struct compact_control *cc, u64 pfn)
{
	cc->freepages[--cc->fp_head] = pfn;
}

/* ---- the migrate scanner ---- */

/* Put an isolated page back where it was (putback_movable_pages): the isolation's
 * reference goes; if it was the last (the owner let go meanwhile) the page is freed. */
static void putback_page(struct task *tsk, u64 pfn)
{
	struct page_desc *p = pfn_to_page(tsk->sim->phys, pfn);
	p->flags &= ~PG_isolated;
	/* an LRU page goes back on its list unless its owner let it go meanwhile */
	if (!(p->flags & PG_movable) && p->refcount > 1)
		putback_lru_page(tsk, pfn);
	__free_pages(tsk, pfn, 0);
}

void putback_movable_pages_list(struct task *tsk, const u64 *pages, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		putback_page(tsk, pages[i]);
}

static void putback_movable_pages(struct task *tsk, struct compact_control *cc)
{
	putback_movable_pages_list(tsk, cc->migratepages, cc->nr_migratepages);
	cc->nr_migratepages = 0;
}

/* May the page at pfn be isolated for migration? (isolate_migratepages_block's tests) */
static bool page_migratable(const struct compact_control *cc, const struct page_desc *p)
{
	if (!(p->flags & (PG_lru | PG_movable)) || (p->flags & (PG_isolated | PG_head)))
		return false;
	if (!p->refcount)
		return false;   /* being freed */
	/* an anonymous page with references beyond its mappings is pinned */
	if ((p->flags & PG_anon) && p->refcount > p->mapcount)
		return false;
	(void)cc;
	return true;
}

/* Scan [low, end) of one pageblock for pages to migrate. Returns false when the run
 * must end (contention). */
static bool isolate_migratepages_block(struct task *tsk, struct compact_control *cc, u64 low,
				       u64 end)
{
	struct phys_mem *pm = cc_pm(cc);
	u64 nr_scanned = 0, nr_isolated = 0;
	bool skip_on_failure = false, valid = false;
	u64 next_skip = 0;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC) {
		skip_on_failure = true;
		next_skip = block_end_pfn(low, cc->order);
	}
	zone_materialise_range(pm, cc->zone, low, end);
	for (; low < end; low++) {
		if (skip_on_failure && low >= next_skip) {
			if (nr_isolated)
				break;   /* a whole order-aligned block isolated: migrate it */
			next_skip = block_end_pfn(low, cc->order);
		}
		nr_scanned++;
		struct page_desc *p = pfn_to_page(pm, low);
		if (!valid && (low & (pageblock_nr_pages - 1)) == 0) {
			if (!isolation_suitable(cc, low)) {
				low = end;
				goto out_noskip;
			}
			valid = true;
		}
		if (p->flags & PG_buddy) {
			low += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (p->flags & PG_head) {
			low += (1ULL << page_order(p)) - 1;
			goto isolate_fail;
		}
		if (!page_migratable(cc, p))
			goto isolate_fail;
		if ((p->flags & PG_lru) && !isolate_lru_page(tsk, low, cc->mode == MIGRATE_ASYNC)) {
			if (cc->mode == MIGRATE_ASYNC && (p->flags & PG_lru)) {
				cc->contended = true;   /* lru_lock busy: async gives up */
				low++;
				break;
			}
			goto isolate_fail;
		}
		p->flags |= PG_isolated;
		p->refcount++;
		cc->migratepages[cc->nr_migratepages++] = low;
		nr_isolated++;
		if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX) {
			low++;
			break;
		}
		continue;
isolate_fail:
		if (!skip_on_failure)
			continue;
		/* this order-aligned block cannot become free: give back what it gave */
		if (nr_isolated) {
			putback_movable_pages(tsk, cc);
			nr_isolated = 0;
		}
		if (low < next_skip) {
			low = next_skip - 1;
			next_skip += 1ULL << cc->order;
		}
	}
	if (low > end)
		low = end;
	if (low == end && !nr_isolated) {
		if (valid)
			set_pageblock_skip(cc->c, pageblock_start_pfn(end - 1));
		update_cached_migrate(cc, low);
	}
out_noskip:
	charge(tsk, nr_scanned * scan_cost(tsk));
	cc->total_migrate_scanned += nr_scanned;
	if (nr_isolated)
		count_vm_events(tsk, COMPACTISOLATED, nr_isolated);
	cc->migrate_pfn = low;
	return true;
}

static bool suitable_migration_source(const struct compact_control *cc, u64 pfn)
{
	struct phys_mem *pm = cc_pm(cc);
	const struct page_desc *p = pfn_to_page(pm, pfn);
	/* a huge page filling the block (pageblock_skip_persistent) */
	if ((p->flags & PG_head) && page_order(p) >= pageblock_order)
		return false;
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	unsigned mt = get_pageblock_migratetype(pm, pfn);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return mt == MIGRATE_MOVABLE;
	return mt == cc->migratetype;
}

static enum isolate_result isolate_migratepages(struct task *tsk, struct compact_control *cc)
{
	struct zone *z = cc->zone;
	u64 low = cc->migrate_pfn;
	u64 bstart = max_t(u64, pageblock_start_pfn(low), z->zone_start_pfn);
	u64 bend = pageblock_end_pfn(low);
	for (; bend <= cc->free_pfn;
	     cc->migrate_pfn = low = bend, bstart = bend, bend += pageblock_nr_pages) {
		/* a block is checked against its skip bit once, at its start */
		if (((low & (pageblock_nr_pages - 1)) == 0 || low == z->zone_start_pfn) &&
		    !isolation_suitable(cc, bstart))
			continue;
		zone_materialise_range(cc_pm(cc), z, bstart, bend);
		if (!suitable_migration_source(cc, bstart)) {
			update_cached_migrate(cc, bend);
			continue;
		}
		/* seed 003: a block held only by movable slab objects is defragmented first */
		if ((low & (pageblock_nr_pages - 1)) == 0)
			slab_defrag_pageblock(tsk, bstart);
		if (!isolate_migratepages_block(tsk, cc, low, min_t(u64, bend, zone_end_pfn(z))))
			return ISOLATE_ABORT;
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* migrate_pages (mm/migrate.c): up to 10 passes over the isolated order-0 pages
 * pages[0..*nr); see compaction.h. */
int migrate_pages_list(struct task *tsk, u64 *pages, unsigned *nr, new_page_fn get_new_page,
		       free_page_fn put_new_page, void *private, u64 *nr_succeeded)
{
	struct phys_mem *pm = tsk->sim->phys;
	unsigned n = *nr, left = n;
	bool done[COMPACT_CLUSTER_MAX] = { false };
	u64 ok = 0, failed = 0;
	int rc = 0;
	if (n > COMPACT_CLUSTER_MAX) {
		fprintf(stderr, "mmsim: bug: migrate_pages_list of %u pages\n", n);
		abort();
	}
	for (unsigned pass = 0; pass < MIGRATE_PASSES && left; pass++) {
		for (unsigned i = 0; i < n; i++) {
			if (done[i])
				continue;
			u64 old = pages[i];
			struct page_desc *o = pfn_to_page(pm, old);
			bool lru = !(o->flags & PG_movable);
			u64 new = get_new_page(tsk, old, private);
			if (new == PFN_NONE) {
				failed++;
				rc = -1;
				goto out;
			}
			set_page_request_mt(pm, new, page_mt(o));
			int r = pm->hooks.migrate_page ?
					pm->hooks.migrate_page(pm->hooks.migrate_arg, tsk, old, new) :
					-MM_EAGAIN;
			if (r == 0 || r == -MM_ENOENT) {
				if (r == -MM_ENOENT)
					put_new_page(tsk, new, private);
				else if (lru)
					putback_lru_page(tsk, new);   /* the copy takes the old page's place */
				o->flags &= ~PG_isolated;
				__free_pages(tsk, old, 0);
				done[i] = true;
				left--;
				ok++;
			} else {
				put_new_page(tsk, new, private);
			}
		}
	}
	failed += left;
out:;
	/* keep what is still isolated for the caller to put back */
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		if (!done[i])
			pages[k++] = pages[i];
	*nr = k;
	if (ok)
		count_vm_events(tsk, PGMIGRATE_SUCCESS, ok);
	if (failed)
		count_vm_events(tsk, PGMIGRATE_FAIL, failed);
	*nr_succeeded = ok;
	return rc ? rc : (int)k;
}

static u64 compaction_new_page(struct task *tsk, u64 old, void *private)
{
	(void)old;
	return compaction_alloc(tsk, private);
}

static void compaction_put_page(struct task *tsk, u64 new, void *private)
{
	(void)tsk;
	compaction_free(private, new);
}

/* Migrate cc's isolated pages into the free pages of its free scanner. */
static int migrate_pages(struct task *tsk, struct compact_control *cc, u64 *nr_succeeded)
{
	return migrate_pages_list(tsk, cc->migratepages, &cc->nr_migratepages,
				  compaction_new_page, compaction_put_page, cc, nr_succeeded);
}

/* ---- a compaction run ---- */

static inline bool compact_scanners_met(const struct compact_control *cc)
{
	return (cc->free_pfn >> pageblock_order) <= (cc->migrate_pfn >> pageblock_order);
}

static bool kswapd_is_running(const struct pglist_data *pgdat)
{
	(void)pgdat;   /* no kswapd model yet: never running */
	return false;
}

static enum compact_result __compact_finished(struct task *tsk, struct compact_control *cc)
{
	struct phys_mem *pm = cc_pm(cc);
	enum compact_result ret;
	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone);
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive) {
		if (kswapd_is_running(cc->zone->zone_pgdat))
			return COMPACT_PARTIAL_SKIPPED;
		unsigned wmark_low = fragmentation_score_wmark(
			tsk->sim->scn->kernel.vm.compaction_proactiveness, true);
		ret = fragmentation_score_zone(cc->zone) > wmark_low ? COMPACT_CONTINUE :
								       COMPACT_SUCCESS;
		goto out;
	}
	if (cc->order < 0)
		ret = COMPACT_CONTINUE;
	else if (cc->migrate_pfn & (pageblock_nr_pages - 1))
		/* finish the pageblock: fewer fallbacks later */
		ret = COMPACT_CONTINUE;
	else {
		ret = COMPACT_NO_SUITABLE_PAGE;
		for (unsigned o = (unsigned)cc->order; o < MAX_ORDER; o++) {
			const struct free_area *area = &cc->zone->free_area[o];
			bool can_steal;
			if (area->nr_free_mt[cc->migratetype])
				return COMPACT_SUCCESS;
			if (find_suitable_fallback(pm, area, o, cc->migratetype, true, &can_steal) >= 0)
				return COMPACT_SUCCESS;
		}
	}
out:
	/* a kernel thread asked to stop ends the run as a fatal signal would */
	if (cc->contended || (tsk->kthread && kthread_should_stop(tsk)))
		ret = COMPACT_CONTENDED;
	return ret;
}

static enum compact_result compact_finished(struct task *tsk, struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(tsk, cc);
	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

static enum compact_result compact_zone_one(struct task *tsk, struct compact_control *cc);

/* compact_zone(), as one slice of the timeline */
static enum compact_result compact_zone(struct task *tsk, struct compact_control *cc)
{
	tl_begin(tsk, TL_COMPACT_ZONE, (u64)(s64)cc->order);
	enum compact_result r = compact_zone_one(tsk, cc);
	tl_end(tsk, TL_COMPACT_ZONE);
	return r;
}

static enum compact_result compact_zone_one(struct task *tsk, struct compact_control *cc)
{
	struct zone *z = cc->zone;
	struct phys_mem *pm = cc_pm(cc);
	u64 start = z->zone_start_pfn, end = zone_end_pfn(z);
	bool sync = cc->mode != MIGRATE_ASYNC;
	u64 last_migrated = 0;
	enum compact_result ret;

	cc->migratetype = pm->grouping ? gfp_migratetype(cc->gfp) : MIGRATE_UNMOVABLE;
	cc->total_migrate_scanned = cc->total_free_scanned = 0;
	cc->nr_migratepages = 0;
	cc->fp_head = cc->fp_tail = 0;
	cc->contended = false;
	lru_add_drain(tsk);
	if (cc->order >= 0) {
		ret = compaction_suitable(tsk->sim, z, cc->order, cc->alloc_flags,
					  cc->highest_zoneidx);
		if (ret == COMPACT_SUCCESS || ret == COMPACT_SKIPPED)
			return ret;
	}
	if (compaction_restarting(z, cc->order))
		__reset_isolation_suitable(cc->c, z);
	if (cc->whole_zone) {
		cc->migrate_pfn = start;
		cc->free_pfn = pageblock_start_pfn(end - 1);
	} else {
		cc->migrate_pfn = z->compact_cached_migrate_pfn[sync];
		cc->free_pfn = z->compact_cached_free_pfn;
		if (cc->free_pfn < start || cc->free_pfn >= end) {
			cc->free_pfn = pageblock_start_pfn(end - 1);
			z->compact_cached_free_pfn = cc->free_pfn;
		}
		if (cc->migrate_pfn < start || cc->migrate_pfn >= end) {
			cc->migrate_pfn = start;
			z->compact_cached_migrate_pfn[0] = z->compact_cached_migrate_pfn[1] = start;
		}
		if (cc->migrate_pfn <= start)
			cc->whole_zone = true;
	}
	bool update_cached = !sync && z->compact_cached_migrate_pfn[0] == z->compact_cached_migrate_pfn[1];

	while ((ret = compact_finished(tsk, cc)) == COMPACT_CONTINUE) {
		u64 iteration_start = cc->migrate_pfn;
		switch (isolate_migratepages(tsk, cc)) {
		case ISOLATE_ABORT:
			ret = COMPACT_CONTENDED;
			putback_movable_pages(tsk, cc);
			goto out;
		case ISOLATE_NONE:
			if (update_cached)
				z->compact_cached_migrate_pfn[1] = z->compact_cached_migrate_pfn[0];
			goto check_drain;
		case ISOLATE_SUCCESS:
			update_cached = false;
			last_migrated = iteration_start ? iteration_start : 1;
			break;
		}
		u64 nr_succeeded;
		int err = migrate_pages(tsk, cc, &nr_succeeded);
		if (err) {
			putback_movable_pages(tsk, cc);
			if (err < 0 && !compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				goto out;
			}
			if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC && cc->migrate_pfn) {
				cc->migrate_pfn = block_end_pfn(cc->migrate_pfn - 1, cc->order);
				last_migrated = 0;
			}
		}
check_drain:
		/* left the order-aligned block pages were migrated from: flush the pages freed
		 * to this CPU's lists so that they merge and compact_finished() sees them */
		if (cc->order > 0 && last_migrated &&
		    last_migrated < block_start_pfn(cc->migrate_pfn, cc->order)) {
			drain_local_pages(tsk);
			last_migrated = 0;
		}
	}
out:
	if (nr_freepages(cc)) {
		u64 free_pfn = release_freepages(tsk, cc);
		free_pfn = pageblock_start_pfn(free_pfn);
		if (free_pfn > z->compact_cached_free_pfn)
			z->compact_cached_free_pfn = free_pfn;
	}
	free(cc->freepages);
	cc->freepages = NULL;
	cc->fp_cap = 0;
	count_vm_events(tsk, COMPACTMIGRATE_SCANNED, cc->total_migrate_scanned);
	count_vm_events(tsk, COMPACTFREE_SCANNED, cc->total_free_scanned);
	return ret;
}

/* ---- direct compaction ---- */

static enum compact_result compact_zone_order(struct task *tsk, struct compaction *c,
					      struct zone *z, int order, gfp_t gfp,
					      enum compact_priority prio, unsigned alloc_flags,
					      unsigned highest_zoneidx)
{
	struct compact_control cc = {
		.c = c,
		.zone = z,
		.order = order,
		.gfp = gfp,
		.alloc_flags = alloc_flags,
		.highest_zoneidx = highest_zoneidx,
		.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT,
		.direct_compaction = true,
		.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
		.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY,
		.search_order = order,
	};
	return compact_zone(tsk, &cc);
}

static enum compact_result try_to_compact_pages(void *arg, struct task *tsk, gfp_t gfp,
						unsigned order, unsigned alloc_flags,
						int preferred_nid, u64 nodemask,
						enum compact_priority prio, u64 *pfn)
{
	struct compaction *c = arg;
	struct pglist_data *pgdat = c->sim->phys->node_data[preferred_nid];
	unsigned highest = gfp_zone(gfp);
	enum compact_result rc = COMPACT_SKIPPED;
	*pfn = PFN_NONE;
	for (unsigned i = 0; i < pgdat->nr_zonelist; i++) {
		struct zone *z = pgdat->zonelist[i];
		if (z->idx > highest || (nodemask && !((nodemask >> z->zone_pgdat->node_id) & 1)))
			continue;
		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(z, (int)order)) {
			rc = max_t(enum compact_result, COMPACT_DEFERRED, rc);
			continue;
		}
		enum compact_result status =
			compact_zone_order(tsk, c, z, (int)order, gfp, prio, alloc_flags, highest);
		rc = max_t(enum compact_result, status, rc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(z, (int)order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(z, (int)order);
	}
	return rc;
}

/* ---- compact_memory ---- */

static void compact_node(struct task *tsk, struct compaction *c, struct pglist_data *pgdat)
{
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &pgdat->node_zones[zi];
		if (!z->populated)
			continue;
		struct compact_control cc = {
			.c = c,
			.zone = z,
			.order = -1,
			.gfp = GFP_KERNEL,
			.mode = MIGRATE_SYNC,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.highest_zoneidx = zi,
		};
		compact_zone(tsk, &cc);
	}
}

void compact_nodes(struct task *tsk, int nid)
{
	struct sim *sim = tsk->sim;
	struct phys_mem *pm = sim->phys;
	/* pages on the pcp lists are free but invisible to the scanners (lru_add_drain_all
	 * and the drain of compact_nodes) */
	drain_all_pages(tsk, NULL);
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		if (nid < 0 || (unsigned)nid == n)
			compact_node(tsk, sim->compaction, pm->node_data[n]);
}

/* ---- kcompactd ---- */

static bool kcompactd_node_suitable(struct kcompactd *k)
{
	for (unsigned zi = 0; zi <= k->highest_zoneidx && zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &k->pgdat->node_zones[zi];
		if (z->populated && compaction_suitable(k->c->sim, z, k->max_order, 0, zi) ==
					    COMPACT_CONTINUE)
			return true;
	}
	return false;
}

void wakeup_kcompactd(struct task *tsk, struct pglist_data *pgdat, int order,
		      unsigned highest_zoneidx)
{
	struct kcompactd *k = &tsk->sim->compaction->kcd[pgdat->node_id];
	if (!order || !k->tsk)
		return;
	if (k->max_order < order)
		k->max_order = order;
	if (k->highest_zoneidx > highest_zoneidx)
		k->highest_zoneidx = highest_zoneidx;
	if (!k->sleeping)
		return;
	if (!kcompactd_node_suitable(k))
		return;
	k->sleeping = false;
	task_unpark(tsk, k->tsk);
}

static void wakeup_kcompactd_hook(void *arg, struct task *tsk, struct pglist_data *pgdat,
				  unsigned order, unsigned highest_zoneidx)
{
	(void)arg;
	wakeup_kcompactd(tsk, pgdat, (int)order, highest_zoneidx);
}

static void kcompactd_do_work(struct task *tsk, struct kcompactd *k)
{
	int order = k->max_order;
	unsigned highest = k->highest_zoneidx;
	count_vm_event(tsk, KCOMPACTD_WAKE);
	for (unsigned zi = 0; zi <= highest && zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &k->pgdat->node_zones[zi];
		if (!z->populated)
			continue;
		if (compaction_deferred(z, order))
			continue;
		if (compaction_suitable(tsk->sim, z, order, 0, zi) != COMPACT_CONTINUE)
			continue;
		if (kthread_should_stop(tsk))
			return;
		struct compact_control cc = {
			.c = k->c,
			.zone = z,
			.order = order,
			.search_order = order,
			.gfp = GFP_KERNEL,
			.mode = MIGRATE_SYNC_LIGHT,
			.highest_zoneidx = highest,
		};
		enum compact_result status = compact_zone(tsk, &cc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(z, order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
			drain_all_pages(tsk, z);
			defer_compaction(z, order);
		}
		count_vm_events(tsk, KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(tsk, KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
	}
	if (k->max_order <= order)
		k->max_order = 0;
	if (k->highest_zoneidx >= highest)
		k->highest_zoneidx = MAX_NR_ZONES - 1;
}

static bool should_proactive_compact_node(struct task *tsk, struct kcompactd *k)
{
	unsigned p = tsk->sim->scn->kernel.vm.compaction_proactiveness;
	if (!p || kswapd_is_running(k->pgdat))
		return false;
	return fragmentation_score_node(k->pgdat) > fragmentation_score_wmark(p, false);
}

static void proactive_compact_node(struct task *tsk, struct kcompactd *k)
{
	for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &k->pgdat->node_zones[zi];
		if (!z->populated)
			continue;
		struct compact_control cc = {
			.c = k->c,
			.zone = z,
			.order = -1,
			.gfp = GFP_KERNEL,
			.mode = MIGRATE_SYNC_LIGHT,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.proactive = true,
			.highest_zoneidx = zi,
		};
		compact_zone(tsk, &cc);
		count_vm_events(tsk, KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(tsk, KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
	}
}

static void kcompactd_main(struct task *tsk)
{
	struct kcompactd *k = tsk->priv;
	const u64 default_timeout = HPAGE_FRAG_CHECK_INTERVAL_MSEC * NSEC_PER_MSEC;
	u64 timeout = default_timeout;
	while (!kthread_should_stop(tsk)) {
		if (!k->max_order) {
			k->sleeping = true;
			task_park_timeout(tsk, TASK_IDLE, timeout);
			k->sleeping = false;
		}
		if (kthread_should_stop(tsk))
			break;
		if (k->max_order) {
			kcompactd_do_work(tsk, k);
			timeout = default_timeout;
			continue;
		}
		timeout = default_timeout;
		if (should_proactive_compact_node(tsk, k)) {
			unsigned prev = fragmentation_score_node(k->pgdat);
			proactive_compact_node(tsk, k);
			/* no progress: check again much later */
			if (fragmentation_score_node(k->pgdat) >= prev)
				timeout = default_timeout << COMPACT_MAX_DEFER_SHIFT;
		}
	}
}

/* ---- set-up ---- */

struct compaction *compaction_create(struct sim *sim)
{
	struct compaction *c = xcalloc(1, sizeof(*c));
	struct phys_mem *pm = sim->phys;
	c->sim = sim;
	c->skip = xcalloc(pm->nr_pageblocks / 8 + 1, 1);
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		c->kcd[n] = (struct kcompactd){ .c = c, .pgdat = pm->node_data[n],
						.highest_zoneidx = MAX_NR_ZONES - 1 };
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			if (pm->node_data[n]->node_zones[zi].populated)
				reset_cached_positions(&pm->node_data[n]->node_zones[zi]);
	}
	pm->hooks.compact_arg = c;
	pm->hooks.try_to_compact_pages = try_to_compact_pages;
	pm->hooks.wakeup_kcompactd = wakeup_kcompactd_hook;
	sim->compaction = c;
	return c;
}

void compaction_start_kthreads(struct compaction *c)
{
	struct sim *sim = c->sim;
	for (unsigned n = 0; n < sim->phys->nr_nodes; n++) {
		char comm[TASK_COMM_LEN];
		snprintf(comm, sizeof(comm), "kcompactd%u", (unsigned)(u8)n);
		c->kcd[n].tsk = engine_spawn(sim->eng, comm, n * sim->topo->cpus_per_node, true, 0,
					     kcompactd_main, &c->kcd[n], NULL);
	}
}

void compaction_destroy(struct compaction *c)
{
	if (!c)
		return;
	free(c->skip);
	free(c);
}
