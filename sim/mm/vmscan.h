/* vmscan.h - page reclaim (models mm/vmscan.c, 6.1 without MGLRU): kswapd per node and
 * direct reclaim in the allocator's slow path, both shrinking the LRU lists of a node.
 *
 * Modelled: get_scan_count (swappiness with the anon/file cost balance, file only when
 * there is no free swap or enough inactive file: cache_trim_mode, anon only when file
 * and free pages are under the high watermarks: file_is_tiny, whatever the swappiness,
 * equal split at priority 0 unless swappiness is 0), a last pass with forced
 * deactivation when an active list was spared and nothing was reclaimed, priorities 12 -> 0, SWAP_CLUSTER_MAX batches, inactive_is_low aging of the active
 * lists, page_referenced through the reverse map (young PTEs cleared, PG_referenced,
 * activation of pages referenced twice or by several PTEs and of referenced executable
 * file pages), swap-out of anonymous pages (slot, swap cache, try_to_unmap to swap
 * entries, pageout with the device's I/O time, __remove_mapping's reference check),
 * dropping clean unmapped file pages, kswapd woken below the low watermark and working
 * to the high one for the order asked, its failures count, its sleep (a 100 ms nap, then
 * kcompactd woken and the skip bits reset), and the allocstall / pgscan / pgsteal /
 * pgrefill / pgactivate / pgdeactivate / pageoutrun / kswapd_*_hit_quickly counters.
 * The OOM killer is the task layer's (replay.c: the process with the most pages, through
 * the allocator's oom_kill hook). Swap I/O is synchronous for the reclaimer: a batch of
 * up to 32 pages is one request.
 * Dirty file pages: mm/writeback.h (reclaim_dirty_file_page, pageout of the ones kswapd
 * meets again on a dirty node, the flusher woken when a batch is all dirty, direct
 * reclaim stalling for writeback when it freed nothing).
 * Not modelled: shmem swap-out (shmem pages
 * stay), anon workingset refault detection (shadow entries in the swap cache, so refaults
 * never set may_deactivate), shrink_lruvec's proportional adjustment once the target is
 * reached (it stops), the per-zone list sizes of a restricted reclaim_idx, memcg, the unevictable list, node_reclaim (and
 * zone_reclaim_mode), swap cache pages that no process maps yet are not migrated by
 * compaction (they have no owner in the reverse map). */
#ifndef MMSIM_MM_VMSCAN_H
#define MMSIM_MM_VMSCAN_H

#include "types.h"

struct sim;
struct task;
struct vmscan;

#define SWAP_CLUSTER_MAX 32
#define DEF_PRIORITY 12

/* Install the allocator's reclaim hooks. */
struct vmscan *vmscan_create(struct sim *sim);
/* Spawn kswapd<N> on every node (after the engine exists). */
void vmscan_start_kthreads(struct vmscan *v);
void vmscan_destroy(struct vmscan *v);

/* MADV_PAGEOUT: reclaim these pages (isolated off their LRU lists by the caller, with
 * an isolation reference and PG_isolated each) whatever their references; the ones
 * that cannot go are put back. Returns the pages freed. */
u64 reclaim_pages(struct task *tsk, const u64 *pfns, unsigned n);

/* Free memory of a node against its watermarks (pgdat_balanced). */
bool node_balanced(struct sim *sim, unsigned nid, unsigned order, unsigned highest_zoneidx);

#endif
