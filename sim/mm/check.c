/* check.c - --check's dirty pages and full-walk interval (see check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "locks/spinlock.h"
#include "mm/check.h"
#include "mm/huge_memory.h"
#include "mm/khugepaged.h"
#include "mm/page_alloc.h"
#include "mm/swap.h"

/* The full walks cost about one visit per simulated page; an op of a plain run costs
 * about as much as a few hundred such visits. So by default a full walk comes every
 * nr_pages / CHECK_PAGES_PER_OP ops (at least every CHECK_MIN_INTERVAL): the walks add
 * a bounded multiple of the run's own time whatever the machine size. */
#define CHECK_PAGES_PER_OP 16
#define CHECK_MIN_INTERVAL 256

struct mm_check *mm_check_create(struct sim *sim, const struct mm_check_opts *opts)
{
	struct mm_check *mc = xcalloc(1, sizeof(*mc));
	u64 nr = sim->phys->nr_pages;
	mc->opts = *opts;
	mc->interval = opts->interval ? opts->interval :
		       max((u64)CHECK_MIN_INTERVAL, nr / CHECK_PAGES_PER_OP);
	mc->bits = xcalloc((nr + 63) / 64, sizeof(u64));
	mc->cap = 1024;
	mc->dirty = xmalloc(mc->cap * sizeof(u64));
	return mc;
}

void mm_check_destroy(struct mm_check *mc)
{
	if (!mc)
		return;
	free(mc->dirty);
	free(mc->bits);
	free(mc);
}

void mm_check_note_pfn(struct mm_check *mc, u64 pfn)
{
	u64 bit = 1ULL << (pfn & 63);
	if (mc->bits[pfn >> 6] & bit)
		return;
	mc->bits[pfn >> 6] |= bit;
	if (mc->nr == mc->cap) {
		mc->cap *= 2;
		mc->dirty = xrealloc(mc->dirty, mc->cap * sizeof(u64));
	}
	mc->dirty[mc->nr++] = pfn;
}

bool mm_check_op_done(struct mm_check *mc)
{
	mc->ops++;
	if (mc->ops - mc->last_full < mc->interval)
		return false;
	mc->prev_full = mc->last_full;
	mc->last_full = mc->ops;
	mc->full_walks++;
	return true;
}

/* What is mid-update now, found per zone when a page of it is first met: bit 0 the zone's
 * zone->lock, bit 1 one of its pcps, bit 2 the node's lru_lock; bit 3 = known. */
#define BUSY_ZONE 1u
#define BUSY_PCP  2u
#define BUSY_LRU  4u
#define BUSY_KNOWN 8u
static u8 zone_busy(struct sim *sim, struct zone *z, u8 *busy)
{
	unsigned nid = z->zone_pgdat->node_id;
	u8 *b = &busy[nid * MAX_NR_ZONES + z->idx];
	if (*b & BUSY_KNOWN)
		return *b;
	*b = BUSY_KNOWN;
	if (spin_is_locked(&node_lruvec(sim, nid)->lru_lock))
		*b |= BUSY_LRU;
	if (spin_is_locked(&z->lock))
		*b |= BUSY_ZONE;
	for (unsigned c = 0; c < sim->phys->nr_cpus; c++)
		if (z->pcp[c].locked) {
			*b |= BUSY_PCP;
			break;
		}
	return *b;
}

int mm_check_pages(struct sim *sim, char *msg, size_t msglen)
{
	struct mm_check *mc = sim->mmcheck;
	struct phys_mem *pm = sim->phys;
	u8 busy[MAX_NUMNODES * MAX_NR_ZONES];
	u32 kept = 0;
	int rc = 0;
	if (!mc->nr)
		return 0;
	memset(busy, 0, (size_t)pm->nr_nodes * MAX_NR_ZONES);
	for (u32 i = 0; i < mc->nr; i++) {
		u64 pfn = mc->dirty[i];
		const struct page_desc *p = pfn_to_page(pm, pfn);
		struct zone *z = page_zone(pm, pfn);
		u8 b = zone_busy(sim, z, busy);
		if (((p->flags & PG_buddy) && (b & BUSY_ZONE)) ||
		    ((p->flags & PG_pcp) && (b & BUSY_PCP)) ||
		    ((p->flags & PG_lru) && (b & BUSY_LRU))) {
			mc->dirty[kept++] = pfn;   /* mid-update elsewhere: next time */
			continue;
		}
		mc->bits[pfn >> 6] &= ~(1ULL << (pfn & 63));
		if (rc)
			continue;
		mc->pages_checked++;
		int r = check_buddy_page(pm, pfn, msg, msglen);
		if (!r)
			r = check_lru_page(sim, pfn, msg, msglen);
		/* a THP the op put on or took off an LRU list (a collapse in flight has pages
		 * out of their mappings: the full walks wait for it too) */
		if (!r && (p->flags & (PG_transhuge | PG_head)) == (PG_transhuge | PG_head) &&
		    sim->thp && !khugepaged_collapse_in_flight(sim))
			r = check_thp(sim, pfn, msg, msglen);
		if (r < 0)
			rc = -1;
	}
	mc->nr = kept;
	/* the free counters of every zone met whose zone->lock is free */
	for (unsigned n = 0; n < pm->nr_nodes && !rc; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES && !rc; zi++)
			if ((busy[n * MAX_NR_ZONES + zi] & (BUSY_KNOWN | BUSY_ZONE)) == BUSY_KNOWN &&
			    check_zone_free_counts(&pm->node_data[n]->node_zones[zi], msg, msglen) < 0)
				rc = -1;
	return rc;
}
