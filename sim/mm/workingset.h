/* workingset.h - refault detection of evicted file pages (models mm/workingset.c, 6.1).
 *
 * Each node counts its non-resident age: pages evicted from, or activated on, its LRU
 * (workingset_age_nonresident). Reclaim's eviction of a file page leaves a shadow entry
 * in the page's slot (the age, the node, PG_workingset). A page read back into that slot
 * is a refault (workingset_refault_file): its refault distance, the age now minus the age
 * at eviction, is how much the LRU moved meanwhile; when it is at most the workingset
 * size (active file pages, plus all anon pages when there is swap space) the page would
 * have stayed resident with that much more cache, so it starts on the active list
 * (workingset_activate_file) and, if it was part of the working set when evicted
 * (PG_workingset: deactivated from the active list once), counts workingset_restore_file.
 * Not modelled: memcgs, the bucket_order compression of the age (no bits run out here),
 * shadow nodes and their shrinker (workingset_nodes stays 0), anon refaults. */
#ifndef MMSIM_MM_WORKINGSET_H
#define MMSIM_MM_WORKINGSET_H

#include "types.h"

struct sim;
struct task;

struct workingset;
struct workingset *workingset_create(struct sim *sim);
void workingset_destroy(struct workingset *ws);

/* nr pages left or joined node nid's active list */
void workingset_age_nonresident(struct sim *sim, unsigned nid, u64 nr);
/* The shadow value (xa_mk_value argument) of file page pfn being evicted; ages its node. */
u64 workingset_eviction(struct task *tsk, u64 pfn);
/* pfn was just inserted where shadow was (before it joins the LRU): count the refault,
 * maybe activate. */
void workingset_refault(struct task *tsk, u64 pfn, u64 shadow);
/* PG_workingset of a file page (set when reclaim deactivates it). */
void folio_set_workingset(struct sim *sim, u64 pfn);

#endif
