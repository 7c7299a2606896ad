/* compaction.h - memory compaction (models mm/compaction.c, 6.1): per zone a migrate
 * scanner walking pageblocks up from the zone start and a free scanner walking down from
 * the end; movable pages found by the first are migrated (through the reverse map, the
 * allocator's migrate_page hook) into free pages isolated by the second, until the
 * scanners meet or a free block of the wanted order exists.
 *
 * Modelled: compaction_suitable with compact_gap and the fragmentation index against
 * vm.extfrag_threshold; deferral (compact_considered, compact_defer_shift,
 * compact_order_failed); cached scanner positions per zone and per-pageblock skip bits;
 * async/sync-light/sync modes (async direct compaction scans only blocks of the
 * requester's type, gives up the rest of an order-aligned block at the first failure and
 * ends on zone->lock contention); COMPACT_CLUSTER_MAX batches; the free scanner's
 * target rules (movable blocks, never one holding a free block of pageblock order,
 * except at the highest priority) and its watermark check; migrate_pages' 10 passes;
 * direct compaction (try_to_compact_pages, the allocator's hook), one kcompactd per node
 * woken for an order and every 500 ms for proactive compaction
 * (vm.compaction_proactiveness), and the compact_memory sysctl (compact_nodes).
 * Not modelled: the fast search paths (fast_find_migrateblock, fast_isolate_freepages:
 * the linear scanners find the same pages, more slowly), capturing a freed block for
 * the compacting task (the caller retries the free lists instead), too_many_isolated
 * throttling and the lru_lock (no LRU lists yet: PG_isolated marks a page off its list).
 * Spec: reference/page-alloc.md section 7. */
#ifndef MMSIM_MM_COMPACTION_H
#define MMSIM_MM_COMPACTION_H

#include "mm/page_alloc.h"

struct sim;
struct task;
struct compaction;

#define COMPACT_CLUSTER_MAX 32
#define COMPACT_MAX_DEFER_SHIFT 6
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC 500

/* Build the compaction state and install the allocator's compaction hooks. */
struct compaction *compaction_create(struct sim *sim);
/* Spawn kcompactd<N> on the first CPU of every node (after the engine exists). */
void compaction_start_kthreads(struct compaction *c);
void compaction_destroy(struct compaction *c);

/* Is compaction worth it for an order in this zone: COMPACT_SUCCESS (the watermark is
 * already met), COMPACT_SKIPPED (too little free memory, or the fragmentation index says
 * the failure is lack of memory), else COMPACT_CONTINUE. order -1 = compact_memory. */
enum compact_result compaction_suitable(const struct sim *sim, const struct zone *z, int order,
					unsigned alloc_flags, unsigned highest_zoneidx);
/* Deferral (reference 7). */
void defer_compaction(struct zone *z, int order);
bool compaction_deferred(struct zone *z, int order);
void compaction_defer_reset(struct zone *z, int order, bool alloc_success);
bool compaction_restarting(const struct zone *z, int order);

/* The compact_memory sysctl (nid -1) or a node's sysfs "compact" file: compact every
 * zone of the node(s) whole, synchronously. */
void compact_nodes(struct task *tsk, int nid);

/* Ask the node's kcompactd to compact for an order (wakeup_kcompactd). */
void wakeup_kcompactd(struct task *tsk, struct pglist_data *pgdat, int order,
		      unsigned highest_zoneidx);
/* Forget the skip bits of every zone of the node that asked for it (kswapd, going to
 * sleep, calls this: reset_isolation_suitable). */
void reset_isolation_suitable(struct sim *sim, struct pglist_data *pgdat);

/* Proactive compaction scores (percent): zone = extfrag_for_order(zone, 9); node = the
 * zones' scores weighted by present pages. */
unsigned fragmentation_score_zone(const struct zone *z);
unsigned fragmentation_score_node(const struct pglist_data *pgdat);
unsigned fragmentation_score_wmark(unsigned proactiveness, bool low);

/* migrate_pages (mm/migrate.c), compaction's and memory offlining's: up to 10 passes
 * over the isolated order-0 pages pages[0..*nr) (at most COMPACT_CLUSTER_MAX; each with
 * PG_isolated and one reference of the caller, as isolate_lru_page leaves them). Each
 * gets a target from get_new_page (PFN_NONE: none, stop) and moves there through the
 * allocator's migrate_page hook (rmap: every PTE re-pointed under its page-table lock);
 * an unused target goes to put_new_page. Migrated pages are freed; the rest stay isolated
 * in pages[0..*nr) for the caller to put back. Counts pgmigrate_success/fail. Returns
 * the pages left, or -1 when get_new_page found no target. May block. */
typedef u64 (*new_page_fn)(struct task *tsk, u64 old_pfn, void *private);
typedef void (*free_page_fn)(struct task *tsk, u64 new_pfn, void *private);
int migrate_pages_list(struct task *tsk, u64 *pages, unsigned *nr, new_page_fn get_new_page,
		       free_page_fn put_new_page, void *private, u64 *nr_succeeded);
/* putback_movable_pages: isolated pages back to their LRU (or freed when their owner let
 * go meanwhile). */
void putback_movable_pages_list(struct task *tsk, const u64 *pages, unsigned nr);

/* Per-pageblock skip bit (tests, reports). */
bool pageblock_skip(const struct compaction *c, u64 pfn);

#endif
