/* memory_hotplug.c - offlining a node's memory at a time (machine.offline): pageblock
 * isolation, migration of the movable pages, removal of the range from its zone. See
 * memory_hotplug.h for what is and is not modelled. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"
#include "platform/cost.h"
#include "stats/findings.h"
#include "stats/json.h"
#include "mm/compaction.h"
#include "mm/gfp.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/memory_hotplug.h"
#include "mm/page_alloc.h"
#include "mm/swap.h"

static DEFINE_LOCK_CLASS(mem_hotplug_lock_class, "mem_hotplug_lock", LOCK_RWSEM);

/* Why a page blocks isolation (has_unmovable_pages), for the outcome message. */
enum unmovable_kind { UM_SLAB, UM_PGTABLE, UM_HUGETLB, UM_RESERVED, UM_ISOLATED, UM_OTHER,
		      NR_UNMOVABLE_KINDS };
static const char *const unmovable_names[NR_UNMOVABLE_KINDS] = {
	"slab", "page tables", "hugetlb (migration not modelled)", "reserved",
	"isolated by reclaim or compaction",
	"other kernel",
};

/* unfinished: the run stopped (duration, a signal) while the attempt was going on */
enum offline_outcome { OFFLINE_UNFINISHED, OFFLINE_DONE, OFFLINE_EBUSY, OFFLINE_EINTR,
		       OFFLINE_EINVAL };
static const char *const outcome_names[] = { "unfinished", "offlined", "EBUSY", "EINTR", "EINVAL" };

struct offline_event {
	struct memory_hotplug *mh;
	unsigned idx;                      /* machine.offline[idx] */
	const struct offline_cfg *cfg;
	bool fired;
	enum offline_outcome outcome;
	u64 start_ns, end_ns;
	u64 nr_pages;                      /* the range asked for */
	u64 migrated, failed;              /* pages migrated / not migrated in a pass */
	u64 unmovable;                     /* pages that failed the isolation */
	u64 passes;
	u64 migrated_to[MAX_NUMNODES];     /* targets by node */
};

struct memory_hotplug {
	struct sim *sim;
	struct rw_semaphore mem_hotplug_lock;
	unsigned nr;
	struct offline_event ev[MAX_OFFLINE_EVENTS];
};

/* Every pfn this file looks at goes through here (the one place a lazily initialised
 * zone would materialise its descriptors before offlining reads them). */
/* (offline_pages materialises its whole range first: lazy zones) */
static struct page_desc *offline_pfn_to_page(struct phys_mem *pm, u64 pfn)
{
	return pfn_to_page(pm, pfn);
}

static inline u64 scan_cost(struct task *tsk)
{
	return tsk->sim->cost->atomic_local_ns;
}

/* ---- isolation (mm/page_isolation.c) ---- */

/* An anonymous page unmapped and taken off its LRU list by a release in progress
 * (put_user_pages takes a batch off the lists, then drops the references one by one; the
 * kernel's release_pages drops the reference first, so has_unmovable_pages sees a free
 * page there). */
static bool page_being_released(const struct page_desc *p)
{
	return (p->flags & PG_anon) && !(p->flags & (PG_lru | PG_isolated | PG_lru_pending)) &&
	       !p->mapcount && p->refcount == 1;
}

/* The first page of [pfn, pfn + pageblock) that may not be migrated, or PFN_NONE; *kind
 * says why. Free pages, LRU pages (and pages in an lru_add batch), THPs and movable pages
 * pass. */
static u64 has_unmovable_pages(struct task *tsk, u64 start, u64 end, enum unmovable_kind *kind)
{
	struct phys_mem *pm = tsk->sim->phys;
	u64 scanned = 0, found = PFN_NONE;
	for (u64 pfn = start; pfn < end; pfn++) {
		struct page_desc *p = offline_pfn_to_page(pm, pfn);
		scanned++;
		if (p->flags & PG_buddy) {
			pfn += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (p->flags & PG_reserved) {
			*kind = UM_RESERVED;
			found = pfn;
			break;
		}
		if (page_huge(p)) {
			*kind = UM_HUGETLB;
			found = pfn;
			break;
		}
		if (page_is_thp(p)) {
			pfn = thp_head(pfn) + HPAGE_PMD_NR - 1;
			continue;
		}
		if (!p->refcount || page_being_released(p))
			continue;   /* being freed */
		if (p->flags & (PG_lru | PG_movable | PG_lru_pending))
			continue;
		*kind = (p->flags & PG_slab) ? UM_SLAB : (p->flags & PG_pgtable) ? UM_PGTABLE :
			(p->flags & PG_isolated) ? UM_ISOLATED : UM_OTHER;
		found = pfn;
		break;
	}
	charge(tsk, scanned * scan_cost(tsk));
	return found;
}

/* The unmovable pages of the whole range by kind (for the outcome message only: the
 * kernel stops at the first; not charged). */
static u64 count_unmovable(struct phys_mem *pm, u64 start, u64 end, u64 *by_kind)
{
	u64 total = 0;
	for (u64 pfn = start; pfn < end; pfn++) {
		struct page_desc *p = offline_pfn_to_page(pm, pfn);
		enum unmovable_kind k;
		u64 n = 1;
		if (p->flags & PG_buddy) {
			pfn += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (page_is_thp(p)) {
			pfn = thp_head(pfn) + HPAGE_PMD_NR - 1;
			continue;
		}
		if (p->flags & PG_reserved) {
			k = UM_RESERVED;
		} else if (page_huge(p)) {
			k = UM_HUGETLB;
			n = 1ULL << page_order(p);
		} else if (!p->refcount || page_being_released(p) ||
			   (p->flags & (PG_lru | PG_movable | PG_lru_pending))) {
			continue;
		} else {
			k = (p->flags & PG_slab) ? UM_SLAB : (p->flags & PG_pgtable) ? UM_PGTABLE :
			    (p->flags & PG_isolated) ? UM_ISOLATED : UM_OTHER;
			if (p->flags & PG_head)
				n = 1ULL << page_order(p);
		}
		by_kind[k] += n;
		total += n;
		pfn += n - 1;
	}
	return total;
}

/* set_migratetype_isolate for one pageblock (zone->lock held): its free pages move to
 * the isolate lists and stop counting as free. */
static void isolate_pageblock(struct phys_mem *pm, struct zone *z, u64 pfn)
{
	u64 moved = move_freepages_block(pm, z, pfn, MIGRATE_ISOLATE);
	mod_zone_freepage_state(pm, z, -(s64)moved, MIGRATE_MOVABLE);
}

/* unset_migratetype_isolate (zone->lock held): back to MIGRATE_MOVABLE, the free pages
 * counted again; a free block of pageblock order or more is freed anew so that it merges
 * with a free buddy outside the isolated range. */
static void unisolate_pageblock(struct phys_mem *pm, struct zone *z, u64 pfn)
{
	u64 moved = move_freepages_block(pm, z, pfn, MIGRATE_MOVABLE);
	mod_zone_freepage_state(pm, z, (s64)moved, MIGRATE_MOVABLE);
	struct page_desc *p = offline_pfn_to_page(pm, pfn);
	if ((p->flags & PG_buddy) && page_order(p) >= pageblock_order &&
	    page_order(p) < MAX_ORDER - 1) {
		unsigned order = page_order(p);
		__isolate_free_block(pm, z, pfn, order);
		__free_one_page(pm, z, pfn, order, MIGRATE_MOVABLE, false);
	}
}

static void undo_isolate_page_range(struct task *tsk, struct zone *z, u64 start, u64 end)
{
	struct phys_mem *pm = tsk->sim->phys;
	for (u64 pb = start; pb < end; pb += pageblock_nr_pages) {
		spin_lock(tsk, &z->lock);
		unisolate_pageblock(pm, z, pb);
		spin_unlock(tsk, &z->lock);
	}
}

/* start_isolate_page_range: PFN_NONE when every pageblock is isolated; else the first
 * unmovable page (the blocks isolated before it are restored). */
static u64 start_isolate_page_range(struct task *tsk, struct zone *z, u64 start, u64 end,
				    enum unmovable_kind *kind)
{
	struct phys_mem *pm = tsk->sim->phys;
	for (u64 pb = start; pb < end; pb += pageblock_nr_pages) {
		spin_lock(tsk, &z->lock);
		u64 bad = get_pageblock_migratetype(pm, pb) == MIGRATE_ISOLATE ?
				  pb : has_unmovable_pages(tsk, pb, pb + pageblock_nr_pages, kind);
		if (bad == pb && get_pageblock_migratetype(pm, pb) == MIGRATE_ISOLATE)
			*kind = UM_ISOLATED;
		if (bad == PFN_NONE)
			isolate_pageblock(pm, z, pb);
		spin_unlock(tsk, &z->lock);
		if (bad != PFN_NONE) {
			undo_isolate_page_range(tsk, z, start, pb);
			return bad;
		}
	}
	return PFN_NONE;
}

/* test_pages_isolated: every page of the range free on the isolate lists? The first
 * page that is not, or PFN_NONE. */
static u64 test_pages_isolated(struct task *tsk, struct zone *z, u64 start, u64 end)
{
	struct phys_mem *pm = tsk->sim->phys;
	u64 scanned = 0, busy = PFN_NONE;
	spin_lock(tsk, &z->lock);
	for (u64 pfn = start; pfn < end; pfn++) {
		struct page_desc *p = offline_pfn_to_page(pm, pfn);
		scanned++;
		if (!(p->flags & PG_buddy) || page_mt(p) != MIGRATE_ISOLATE) {
			busy = pfn;
			break;
		}
		pfn += (1ULL << page_order(p)) - 1;
	}
	spin_unlock(tsk, &z->lock);
	charge(tsk, scanned * scan_cost(tsk));
	return busy;
}

/* ---- migration (do_migrate_range) ---- */

struct migrate_ctx {
	struct offline_event *ev;
	u64 nodemask;                      /* where targets may come from */
	u64 batch[COMPACT_CLUSTER_MAX];
	unsigned nr;
};

/* alloc_migration_target: an order-0 page by the old page's node's zonelist, that node
 * excluded (unless it is the only node with memory). */
static u64 offline_new_page(struct task *tsk, u64 old_pfn, void *private)
{
	struct migrate_ctx *mc = private;
	struct phys_mem *pm = tsk->sim->phys;
	u64 new = __alloc_pages(tsk, GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL, 0,
				(int)page_to_nid(pm, old_pfn), mc->nodemask);
	if (new != PFN_NONE)
		mc->ev->migrated_to[page_to_nid(pm, new)]++;
	return new;
}

static void offline_put_page(struct task *tsk, u64 new_pfn, void *private)
{
	struct migrate_ctx *mc = private;
	mc->ev->migrated_to[page_to_nid(tsk->sim->phys, new_pfn)]--;
	__free_pages(tsk, new_pfn, 0);
}

static void migrate_batch(struct task *tsk, struct migrate_ctx *mc)
{
	if (!mc->nr)
		return;
	u64 ok = 0;
	migrate_pages_list(tsk, mc->batch, &mc->nr, offline_new_page, offline_put_page, mc, &ok);
	mc->ev->migrated += ok;
	if (mc->nr) {
		mc->ev->failed += mc->nr;
		putback_movable_pages_list(tsk, mc->batch, mc->nr);
	}
	mc->nr = 0;
}

static void batch_add(struct task *tsk, struct migrate_ctx *mc, u64 pfn)
{
	mc->batch[mc->nr++] = pfn;
	if (mc->nr == COMPACT_CLUSTER_MAX)
		migrate_batch(tsk, mc);
}

/* A THP of the range, whole to the nearest other node with memory, or split and its
 * pages one by one when that node has no free huge page (migrate_thp). */
static void offline_migrate_thp(struct task *tsk, struct migrate_ctx *mc, u64 head)
{
	struct phys_mem *pm = tsk->sim->phys;
	struct page_desc *p = offline_pfn_to_page(pm, head);
	if (!(p->flags & PG_lru) || (p->flags & PG_isolated) || !p->refcount ||
	    !isolate_lru_page(tsk, head, false)) {
		mc->ev->failed += HPAGE_PMD_NR;
		return;
	}
	p->flags |= PG_isolated;
	p->refcount++;
	unsigned nid = page_to_nid(pm, head);
	const struct pglist_data *pg = pm->node_data[nid];
	int target = (int)nid;
	for (unsigned i = 0; i < pg->nr_zonelist; i++) {
		unsigned n = pg->zonelist[i]->zone_pgdat->node_id;
		if (mc->nodemask >> n & 1) {
			target = (int)n;
			break;
		}
	}
	u64 nh;
	struct u64_vec tails = { 0 };
	int r = migrate_thp(tsk, head, target, &nh, &tails);
	if (r == 0) {
		struct page_desc *q = offline_pfn_to_page(pm, nh);
		q->flags &= ~PG_isolated;
		putback_lru_page(tsk, nh);
		q->refcount--;
		mc->ev->migrated += HPAGE_PMD_NR;
		mc->ev->migrated_to[page_to_nid(pm, nh)] += HPAGE_PMD_NR;
		return;
	}
	if (r != -MM_ENOMEM) {
		p->flags &= ~PG_isolated;
		putback_lru_page(tsk, head);
		p->refcount--;
		mc->ev->failed += HPAGE_PMD_NR;
		return;
	}
	/* split: the head and the tails still referenced are isolated 4 KiB pages now */
	u64_vec_push(&tails, head);
	for (u32 i = 0; i < tails.n; i++)
		batch_add(tsk, mc, tails.v[i]);
	free(tails.v);
}

/* One pass of scan_movable_pages + do_migrate_range over [start, end). */
static void do_migrate_range(struct task *tsk, struct migrate_ctx *mc, u64 start, u64 end)
{
	struct phys_mem *pm = tsk->sim->phys;
	u64 scanned = 0;
	for (u64 pfn = start; pfn < end; pfn++) {
		struct page_desc *p = offline_pfn_to_page(pm, pfn);
		scanned++;
		if (p->flags & PG_buddy) {
			pfn += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (!p->refcount)
			continue;
		if (page_is_thp(p)) {
			u64 head = thp_head(pfn);
			pfn = head + HPAGE_PMD_NR - 1;
			charge(tsk, scanned * scan_cost(tsk));
			scanned = 0;
			offline_migrate_thp(tsk, mc, head);
			continue;
		}
		if (p->flags & PG_head) {
			mc->ev->failed += 1ULL << page_order(p);
			pfn += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (!(p->flags & (PG_lru | PG_movable)) || (p->flags & PG_isolated) ||
		    ((p->flags & PG_anon) && p->refcount > p->mapcount)) {
			mc->ev->failed++;   /* busy, pinned or not movable: a later pass */
			continue;
		}
		if ((p->flags & PG_lru) && !isolate_lru_page(tsk, pfn, false)) {
			mc->ev->failed++;
			continue;
		}
		p->flags |= PG_isolated;
		p->refcount++;
		charge(tsk, scanned * scan_cost(tsk));
		scanned = 0;
		batch_add(tsk, mc, pfn);
	}
	charge(tsk, scanned * scan_cost(tsk));
	migrate_batch(tsk, mc);
}

/* ---- removal from the zone (__offline_isolated_pages and what follows) ---- */

static void offline_isolated_pages(struct task *tsk, struct zone *z, u64 start, u64 end)
{
	struct phys_mem *pm = tsk->sim->phys;
	spin_lock(tsk, &z->lock);
	for (u64 pfn = start; pfn < end;) {
		struct page_desc *p = offline_pfn_to_page(pm, pfn);
		unsigned order = page_order(p);
		__isolate_free_block(pm, z, pfn, order);
		for (u64 i = 0; i < (1ULL << order); i++) {
			struct page_desc *q = offline_pfn_to_page(pm, pfn + i);
			q->flags = PG_reserved;
			q->refcount = 0;
			q->mapcount = 0;
		}
		pfn += 1ULL << order;
	}
	charge(tsk, (end - start) * scan_cost(tsk));
	spin_unlock(tsk, &z->lock);
}

static void shrink_zone(struct task *tsk, struct zone *z, u64 start, u64 nr)
{
	struct phys_mem *pm = tsk->sim->phys;
	struct pglist_data *pgdat = z->zone_pgdat;
	spin_lock(tsk, &z->lock);
	z->present_pages -= nr;
	z->managed_pages -= nr;
	if (start + nr == z->zone_start_pfn + z->spanned_pages)
		z->spanned_pages -= nr;   /* shrink_zone_span: the range was the zone's top */
	pgdat->node_present_pages -= nr;
	bool emptied = !z->present_pages;
	if (emptied) {
		/* no managed pages: the watermarks setup_per_zone_wmarks gives it are 0 */
		z->populated = false;
		z->spanned_pages = 0;
		memset(z->_watermark, 0, sizeof(z->_watermark));
		z->watermark_boost = 0;
	}
	spin_unlock(tsk, &z->lock);
	init_per_zone_wmark_min(pm);
	if (emptied)
		build_all_zonelists(pm);
	else
		zone_pcp_update(pm, z);
}

/* ---- the attempt ---- */

static void fmt_ms(u64 ns, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%03llu ms", (unsigned long long)(ns / NSEC_PER_MSEC),
		 (unsigned long long)(ns % NSEC_PER_MSEC / 1000));
}

/* Each failure with the reason the kernel logs ("memory offlining [mem ...] failed due
 * to ..."); EINVAL has none. */
static void report(struct task *tsk, struct offline_event *ev, const char *fmt, ...)
	__printf(3, 4);

static void report(struct task *tsk, struct offline_event *ev, const char *fmt, ...)
{
	const char *reason = ev->outcome == OFFLINE_EBUSY ? " (failure to isolate range)" :
			     ev->outcome == OFFLINE_EINTR ? " (signal backoff)" : "";
	char what[512], at[32], sz[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fmt_ms(ev->start_ns, at, sizeof(at));
	snprintf(sz, sizeof(sz), "%llu MiB", (unsigned long long)(ev->nr_pages >> (20 - PAGE_SHIFT)));
	if (ev->outcome == OFFLINE_DONE)
		finding_report(tsk->sim->findings, FINDING_INJECTED_FAULT, ev->start_ns,
			       "memory offline (machine.offline[%u]): node %u: offlined %s at %s: %s",
			       ev->idx, ev->cfg->node, sz, at, what);
	else
		finding_report(tsk->sim->findings, FINDING_INJECTED_FAULT, ev->start_ns,
			       "memory offline (machine.offline[%u]): node %u: offline of %s failed "
			       "at %s with %s%s: %s", ev->idx, ev->cfg->node, sz, at,
			       outcome_names[ev->outcome], reason, what);
}

static void offline_pages(struct task *tsk, struct offline_event *ev)
{
	struct memory_hotplug *mh = ev->mh;
	struct phys_mem *pm = tsk->sim->phys;
	unsigned nid = ev->cfg->node;
	struct pglist_data *pgdat = pm->node_data[nid];
	u64 online = pgdat->node_present_pages;
	u64 nr = ev->cfg->size ? ev->cfg->size >> PAGE_SHIFT : online;
	u64 end = pgdat->node_start_pfn + online, start = end - nr;
	ev->nr_pages = nr;

	down_write(tsk, &mh->mem_hotplug_lock);
	if (!nr || nr > online) {
		ev->outcome = OFFLINE_EINVAL;
		report(tsk, ev, "%llu MiB online", (unsigned long long)(online >> (20 - PAGE_SHIFT)));
		goto out;
	}
	struct zone *z = page_zone(pm, start);
	if (z != page_zone(pm, end - 1) || !z->populated) {
		ev->outcome = OFFLINE_EINVAL;
		report(tsk, ev, "the range spans zones %s and %s (test_pages_in_a_zone)",
		       zone_names[z->idx], zone_names[page_zone(pm, end - 1)->idx]);
		goto out;
	}
	/* every walk below reads descriptors by pfn: give the zone's implicit free blocks
	 * in the range theirs first (lazy zones, mm/page_alloc.h; no simulated cost) */
	pfn_range_materialise(pm, start, end);
	lru_add_drain_all(tsk);
	drain_all_pages(tsk, z);
	enum unmovable_kind kind = UM_OTHER;
	u64 bad = start_isolate_page_range(tsk, z, start, end, &kind);
	if (bad != PFN_NONE) {
		u64 by_kind[NR_UNMOVABLE_KINDS] = { 0 };
		ev->unmovable = count_unmovable(pm, start, end, by_kind);
		char list[256] = "";
		size_t o = 0;
		for (unsigned k = 0; k < NR_UNMOVABLE_KINDS; k++)
			if (by_kind[k])
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s %llu",
						      o ? ", " : "", unmovable_names[k],
						      (unsigned long long)by_kind[k]);
		ev->outcome = OFFLINE_EBUSY;
		report(tsk, ev, "%llu unmovable page%s (%s), the first at pfn %#llx (%s); "
		       "isolation undone", (unsigned long long)ev->unmovable,
		       ev->unmovable == 1 ? "" : "s", list, (unsigned long long)bad,
		       unmovable_names[kind]);
		goto out;
	}
	drain_all_pages(tsk, z);

	struct migrate_ctx *mc = xcalloc(1, sizeof(*mc));
	mc->ev = ev;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		if (n != nid && node_present_pages(pm, n))
			mc->nodemask |= 1ULL << n;
	if (!mc->nodemask)
		mc->nodemask = 1ULL << nid;
	unsigned idle = 0;
	u64 busy;
	for (;;) {
		u64 before = ev->migrated;
		ev->passes++;
		lru_add_drain_all(tsk);
		do_migrate_range(tsk, mc, start, end);
		drain_all_pages(tsk, z);
		busy = test_pages_isolated(tsk, z, start, end);
		if (busy == PFN_NONE)
			break;
		idle = ev->migrated == before ? idle + 1 : 0;
		if (idle == OFFLINE_IDLE_PASSES)
			break;
		if (idle)
			task_sleep(tsk, OFFLINE_IDLE_WAIT_NS);
	}
	free(mc);
	if (busy != PFN_NONE) {
		undo_isolate_page_range(tsk, z, start, end);
		ev->outcome = OFFLINE_EINTR;
		report(tsk, ev, "%u passes in a row migrated nothing (the page at pfn %#llx stays "
		       "busy), the writer gave up after %llu passes; %llu pages migrated, %llu "
		       "migration failures; isolation undone", OFFLINE_IDLE_PASSES,
		       (unsigned long long)busy, (unsigned long long)ev->passes,
		       (unsigned long long)ev->migrated, (unsigned long long)ev->failed);
		goto out;
	}
	offline_isolated_pages(tsk, z, start, end);
	shrink_zone(tsk, z, start, nr);
	ev->outcome = OFFLINE_DONE;
	char to[256] = "";
	size_t o = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		if (ev->migrated_to[n])
			o += (size_t)snprintf(to + o, sizeof(to) - o, "%snode %u: %llu", o ? ", " : "",
					      n, (unsigned long long)ev->migrated_to[n]);
	char done[32];
	fmt_ms(task_now(tsk) - ev->start_ns, done, sizeof(done));
	report(tsk, ev, "%llu pages migrated%s%s%s in %s, %llu MiB left online",
	       (unsigned long long)ev->migrated, o ? " (to " : "", to, o ? ")" : "", done,
	       (unsigned long long)(pgdat->node_present_pages >> (20 - PAGE_SHIFT)));
out:
	up_write(tsk, &mh->mem_hotplug_lock);
	ev->end_ns = task_now(tsk);
}

static void offline_main(struct task *tsk)
{
	offline_pages(tsk, tsk->priv);
}

/* The entry's time has come (its ticker's first tick): start the writer task, unless the
 * run is over. */
static void offline_tick(void *arg, u64 now_ns, bool final)
{
	struct offline_event *ev = arg;
	struct sim *sim = ev->mh->sim;
	if (final || ev->fired || !engine_nr_live_user(sim->eng))
		return;
	ev->fired = true;
	ev->start_ns = now_ns;   /* the tick's due time: machine.offline[i].at */
	engine_spawn(sim->eng, "memory_offline", 0, true, 0, offline_main, ev, NULL);
}

void memory_hotplug_create(struct sim *sim)
{
	const struct machine_cfg *m = &sim->scn->machine;
	if (!m->nr_offline)
		return;
	struct memory_hotplug *mh = xcalloc(1, sizeof(*mh));
	mh->sim = sim;
	init_rwsem(&mh->mem_hotplug_lock, &mem_hotplug_lock_class);
	mh->nr = m->nr_offline;
	for (unsigned i = 0; i < mh->nr; i++) {
		mh->ev[i] = (struct offline_event){ .mh = mh, .idx = i, .cfg = &m->offline[i] };
		engine_add_ticker(sim->eng, m->offline[i].at_ns, offline_tick, &mh->ev[i]);
	}
	sim->hotplug = mh;
}

void memory_hotplug_destroy(struct sim *sim)
{
	free(sim->hotplug);
	sim->hotplug = NULL;
}

struct json *memory_hotplug_json(const struct sim *sim)
{
	const struct memory_hotplug *mh = sim->hotplug;
	if (!mh)
		return NULL;
	bool any = false;
	for (unsigned i = 0; i < mh->nr; i++)
		any |= mh->ev[i].fired;
	if (!any)
		return NULL;
	unsigned nr_nodes = sim->phys->nr_nodes;
	struct json *o = json_object(), *a = json_array(), *nodes = json_object();
	u64 off_bytes[MAX_NUMNODES] = { 0 }, migrated[MAX_NUMNODES] = { 0 };
	u64 failed[MAX_NUMNODES] = { 0 }, attempts[MAX_NUMNODES] = { 0 };
	u64 ok[MAX_NUMNODES] = { 0 };
	for (unsigned i = 0; i < mh->nr; i++) {
		const struct offline_event *ev = &mh->ev[i];
		if (!ev->fired)
			continue;
		unsigned nd = ev->cfg->node;
		struct json *j = json_object();
		json_set_u64(j, "node", nd);
		json_set_u64(j, "at_ns", ev->cfg->at_ns);
		json_set_u64(j, "size_bytes", ev->nr_pages << PAGE_SHIFT);
		json_set_string(j, "outcome", outcome_names[ev->outcome]);
		json_set_u64(j, "duration_ns", ev->end_ns - ev->start_ns);
		json_set_u64(j, "passes", ev->passes);
		json_set_u64(j, "pages_migrated", ev->migrated);
		json_set_u64(j, "migration_failures", ev->failed);
		json_set_u64(j, "unmovable_pages", ev->unmovable);
		struct json *to = json_object();
		for (unsigned n = 0; n < nr_nodes; n++) {
			char key[16];
			snprintf(key, sizeof(key), "node%u", n);
			json_set_u64(to, key, ev->migrated_to[n]);
		}
		json_set(j, "migrated_to", to);
		json_push(a, j);
		attempts[nd]++;
		migrated[nd] += ev->migrated;
		failed[nd] += ev->failed;
		if (ev->outcome == OFFLINE_DONE) {
			ok[nd]++;
			off_bytes[nd] += ev->nr_pages << PAGE_SHIFT;
		}
	}
	for (unsigned n = 0; n < nr_nodes; n++) {
		if (!attempts[n])
			continue;
		char key[16];
		snprintf(key, sizeof(key), "node%u", n);
		struct json *j = json_object();
		json_set_u64(j, "attempts", attempts[n]);
		json_set_u64(j, "offlined", ok[n]);
		json_set_u64(j, "bytes_offlined", off_bytes[n]);
		json_set_u64(j, "pages_migrated", migrated[n]);
		json_set_u64(j, "migration_failures", failed[n]);
		json_set(nodes, key, j);
	}
	json_set(o, "attempts", a);
	json_set(o, "nodes", nodes);
	return o;
}
