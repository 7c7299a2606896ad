/* workingset.c - shadow entries and refault distances of file pages. */
#include <stdlib.h>

#include "sim.h"
#include "engine/task.h"
#include "mm/page_alloc.h"
#include "mm/readahead.h"
#include "mm/swapfile.h"
#include "mm/vmstat.h"
#include "mm/workingset.h"

#define WS_NODE_BITS 6

struct workingset {
	u64 nonresident_age[MAX_NUMNODES];
};

struct workingset *workingset_create(struct sim *sim)
{
	struct workingset *ws = xcalloc(1, sizeof(*ws));
	sim->workingset = ws;
	return ws;
}

void workingset_destroy(struct workingset *ws)
{
	free(ws);
}

static struct workingset *ws_state(struct sim *sim)
{
	return sim->workingset ? sim->workingset : workingset_create(sim);
}

void workingset_age_nonresident(struct sim *sim, unsigned nid, u64 nr)
{
	ws_state(sim)->nonresident_age[nid] += nr;
}

void folio_set_workingset(struct sim *sim, u64 pfn)
{
	ra_page_set_workingset(sim, pfn, true);
}

u64 workingset_eviction(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	unsigned nid = page_to_nid(sim->phys, pfn);
	u64 age = ws_state(sim)->nonresident_age[nid];
	workingset_age_nonresident(sim, nid, 1);
	return (((age << WS_NODE_BITS) | nid) << 1) | (ra_page_workingset(sim, pfn) ? 1 : 0);
}

void workingset_refault(struct task *tsk, u64 pfn, u64 shadow)
{
	struct sim *sim = tsk->sim;
	bool workingset = shadow & 1;
	unsigned nid = (unsigned)((shadow >> 1) & ((1u << WS_NODE_BITS) - 1));
	u64 eviction = shadow >> (WS_NODE_BITS + 1);
	if (nid >= sim->phys->nr_nodes)
		return;
	u64 distance = ws_state(sim)->nonresident_age[nid] - eviction;
	/* the workingset the refaulting page competes with, on the node it was evicted from */
	u64 size = (u64)node_page_state(sim->vmstat, nid, NR_ACTIVE_FILE);
	if (sim->swap && swap_free_pages(sim->swap))
		size += (u64)(node_page_state(sim->vmstat, nid, NR_ACTIVE_ANON) +
			      node_page_state(sim->vmstat, nid, NR_INACTIVE_ANON));
	unsigned pnid = page_to_nid(sim->phys, pfn);
	mod_node_page_state(tsk, pnid, WORKINGSET_REFAULT_FILE, 1);
	if (distance > size)
		return;
	pfn_to_page(sim->phys, pfn)->flags |= PG_active;
	workingset_age_nonresident(sim, pnid, 1);
	mod_node_page_state(tsk, pnid, WORKINGSET_ACTIVATE_FILE, 1);
	if (workingset) {
		ra_page_set_workingset(sim, pfn, true);
		mod_node_page_state(tsk, pnid, WORKINGSET_RESTORE_FILE, 1);
	}
}
