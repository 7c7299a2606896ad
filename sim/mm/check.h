/* check.h - --check's incremental part: the pages whose list state the models changed
 * since the last check (a dirty set), checked locally after every op, and the interval
 * of the full invariant walks.
 *
 * The free-list and pcp-list primitives (page_alloc.c: plist_add/plist_del) and the LRU
 * primitives (swap.c: lru_list_add/lru_list_del) note the page they link or unlink and
 * the neighbours whose links they rewrite (mm_check_note). After an op, mm_check_pages()
 * checks each noted page against the list it is on: flags, order, alignment, both links
 * and the list's head/tail, free blocks not left unmerged, no free page with a reference,
 * and the free counters of the zones touched; a THP head among them, its mapcounts
 * against the reverse map (mm/huge_memory.h: check_thp). A page whose zone->lock, pcp or lru_lock is
 * held by a task parked mid-update stays in the set for the next check.
 *
 * The set is global: pages changed by a kernel thread (kswapd, kcompactd) are checked
 * after the next op of any task. Not checked per op (left to the full walks): the list
 * lengths against their counters, the pageblock counters, slab, the swap cache table, the
 * THPs no list operation moved and the RSS totals. */
#ifndef MMSIM_MM_CHECK_H
#define MMSIM_MM_CHECK_H

#include <stddef.h>
#include "sim.h"
#include "types.h"

/* What --check=... and the corruption knob ask for. */
struct mm_check_opts {
	u64 interval;        /* ops between two full walks; 0: chosen from the machine size */
	unsigned corrupt;    /* debug.check_corrupt: enum check_corrupt (0: none) */
	u64 corrupt_op;      /* the op (counted from 1 over all tasks) after which to corrupt */
};

struct mm_check {
	u64 *dirty;          /* pfns noted since the last check (each once) */
	u32 nr, cap;
	u64 *bits;           /* one bit per pfn: in dirty[] */
	u64 ops;             /* ops checked so far, all tasks */
	u64 interval;        /* ops between two full walks */
	u64 last_full;       /* ops at the last full walk (0: none yet) */
	u64 prev_full;       /* ops at the one before */
	u64 full_walks;      /* full walks run */
	u64 pages_checked;   /* dirty pages checked one by one */
	bool stopped;        /* a violation was reported: the run is stopping */
	struct mm_check_opts opts;
};

struct mm_check *mm_check_create(struct sim *sim, const struct mm_check_opts *opts);
void mm_check_destroy(struct mm_check *mc);

void mm_check_note_pfn(struct mm_check *mc, u64 pfn);
static inline void mm_check_note(struct sim *sim, u64 pfn)
{
	if (unlikely(sim->mmcheck != NULL))
		mm_check_note_pfn(sim->mmcheck, pfn);
}

/* Count one op; true when the full walks are due after it. */
bool mm_check_op_done(struct mm_check *mc);

/* Check the noted pages (those not deferred leave the set). 0, or -1 with msg. */
int mm_check_pages(struct sim *sim, char *msg, size_t msglen);

#endif
