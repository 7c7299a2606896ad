/* memory_hotplug.h - memory offlining at a simulated time (models offline_pages() of
 * mm/memory_hotplug.c and start_isolate_page_range() of mm/page_isolation.c, 6.1), the
 * fault injection knob machine.offline.
 *
 * Each machine.offline entry {node, at, size} offlines, at its time, the top `size` bytes
 * of the node's online memory (all of it when size is absent), in 128 MiB memory blocks,
 * as writing "offline" to their memoryN/online files does. A task "memory_offline" (the
 * sysfs writer) does it holding mem_hotplug_lock for write:
 *  - the range must lie in one zone (else EINVAL, nothing done);
 *  - the lru_add batches and pcp lists are drained (lru_cache_disable, zone_pcp_disable);
 *  - each pageblock is isolated under zone->lock (MIGRATE_ISOLATE: its free pages move to
 *    the isolate lists and leave NR_FREE_PAGES; nothing allocates from them), unless it
 *    holds an unmovable page (has_unmovable_pages: slab, page tables, hugetlb, reserved
 *    or other kernel pages, pages isolated by reclaim or compaction): then every block
 *    isolated so far is restored (as MIGRATE_MOVABLE, as the kernel does) and the
 *    attempt fails with EBUSY;
 *  - passes over the range migrate every LRU page, THP (whole, or split when no huge
 *    page is free elsewhere) and movable page to other nodes (GFP_USER | __GFP_MOVABLE |
 *    __GFP_RETRY_MAYFAIL from the page's node's zonelist without that node; the node
 *    itself when it is the only one) through compaction's migrate_pages_list (rmap
 *    re-points the PTEs under their page-table locks), until every page of the range is
 *    free on the isolate lists (test_pages_isolated);
 *  - then the free pages leave the buddy allocator (PG_reserved), the zone's spanned,
 *    present and managed pages and the node's present pages shrink, vm.min_free_kbytes
 *    (unless set), the watermarks and lowmem reserves are recomputed
 *    (init_per_zone_wmark_min), and a zone left empty is unpopulated and the zonelists
 *    rebuilt (build_all_zonelists), else its pcp batch and high recomputed
 *    (zone_pcp_update).
 * The kernel retries the passes until a signal interrupts the writer (EINTR); here a
 * pass that migrated nothing is followed by a wait of OFFLINE_IDLE_WAIT_NS (the kernel
 * retries at once, but its drains wait for every CPU's worker) and the writer gives up
 * after OFFLINE_IDLE_PASSES such passes in a row (about 100 ms without progress: EINTR,
 * the isolation undone, the pages already migrated stay where they went).
 * Each attempt is an injected_fault finding (time, outcome, counts) and a summary.json
 * entry (metrics.memory_offline). Not modelled: dissolving free hugetlb pages and
 * migrating hugetlb pages in use (a hugetlb page in the range fails the attempt as
 * unmovable), slab defragmentation for offlining (seed 003's movable slabs are migrated
 * only by compaction), memory onlining, ZONE_MOVABLE, memory notifiers, kswapd and
 * kcompactd staying alive for an empty node (they find no zone to work on). */
#ifndef MMSIM_MM_MEMORY_HOTPLUG_H
#define MMSIM_MM_MEMORY_HOTPLUG_H

#include "types.h"

struct sim;
struct json;

#define OFFLINE_IDLE_PASSES 100
#define OFFLINE_IDLE_WAIT_NS 1000000ULL

/* Set up the machine.offline entries (a ticker per entry; none: nothing). */
void memory_hotplug_create(struct sim *sim);
void memory_hotplug_destroy(struct sim *sim);

/* metrics.memory_offline of summary.json; NULL when no attempt ran. */
struct json *memory_hotplug_json(const struct sim *sim);

#endif
