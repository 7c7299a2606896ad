/* page_alloc.h - the buddy page allocator (models mm/page_alloc.c, 6.1).
 *
 * Modelled: per node the zones (DMA32 on node 0 with machine.dma32, Normal), buddy free
 * areas per order 0..10 and migratetype, pageblocks of order 9 with their type and the
 * fallback/steal/claim rules between types, per-CPU page lists (batch/high, the pcp
 * trylock), zone->lock (the lock model measures it), watermarks from vm.min_free_kbytes
 * and vm.watermark_scale_factor with lowmem_reserve and boosting, zonelists ordered by
 * node distance, numa_* statistics, ALLOC_NOFRAGMENT, the HIGHATOMIC reserve, and the
 * slow path in its order: wake kswapd, direct compaction for costly orders, direct
 * reclaim, retries, failure. Reclaim, kswapd and compaction are reached through hooks
 * (pm->hooks) that vmscan.c, compaction.c and rmap.c install; with no hook installed
 * that step makes no progress, as with a kernel that has nothing reclaimable.
 * Memory offlining is mm/memory_hotplug.c's (isolation, then the zone shrinks).
 * Not modelled: CMA, memory onlining, cpusets, per-CPU vmstat drift (counters are exact),
 * the memmap reservation (managed pages = present pages).
 * Spec: reference/page-alloc.md sections 1-6, 10. */
#ifndef MMSIM_MM_PAGE_ALLOC_H
#define MMSIM_MM_PAGE_ALLOC_H

#include <stdio.h>
#include "mm/gfp.h"
#include "mm/mmzone.h"

struct sim;
struct task;

#define PFN_NONE UINT64_MAX

/* alloc_flags (mm/internal.h) */
#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_HIGH WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04u
#define ALLOC_WMARK_MASK (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM 0x08u
#define ALLOC_NON_BLOCK 0x10u
#define ALLOC_MIN_RESERVE 0x20u
#define ALLOC_HIGHATOMIC 0x200u
#define ALLOC_KSWAPD 0x800u
#define ALLOC_NOFRAGMENT 0x100u

/* Results of a compaction attempt (include/linux/compaction.h). */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,
	COMPACT_DEFERRED,
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,
	COMPACT_PARTIAL_SKIPPED,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,
};

enum compact_priority { COMPACT_PRIO_SYNC_FULL, COMPACT_PRIO_SYNC_LIGHT, COMPACT_PRIO_ASYNC };
#define MIN_COMPACT_PRIORITY COMPACT_PRIO_SYNC_FULL
#define DEF_COMPACT_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY COMPACT_PRIO_ASYNC

/* Hooks other mm files install, each group with its own argument: vmscan.c sets the
 * reclaim group, compaction.c the compaction one, rmap.c migrate_page. All may be NULL. */
struct phys_mem_hooks {
	void *reclaim_arg, *compact_arg, *migrate_arg;
	/* Wake the node's kswapd for an allocation of this order (vmscan.c). */
	void (*wakeup_kswapd)(void *arg, struct task *tsk, struct zone *z, gfp_t gfp, unsigned order,
			      unsigned highest_zoneidx);
	/* Direct reclaim for an allocation; returns pages reclaimed (vmscan.c). */
	u64 (*try_to_free_pages)(void *arg, struct task *tsk, gfp_t gfp, unsigned order,
				 int preferred_nid, u64 nodemask);
	/* Direct compaction: try to make a free block of the order; on success *pfn may hold a
	 * captured block (or PFN_NONE: caller retries the freelists) (compaction.c). */
	enum compact_result (*try_to_compact_pages)(void *arg, struct task *tsk, gfp_t gfp,
						    unsigned order, unsigned alloc_flags,
						    int preferred_nid, u64 nodemask,
						    enum compact_priority prio, u64 *pfn);
	/* Wake the node's kcompactd for an order (compaction.c; called by the reclaim model,
	 * or by the allocator when there is none, for requests that cannot sleep). */
	void (*wakeup_kcompactd)(void *arg, struct task *tsk, struct pglist_data *pgdat,
				 unsigned order, unsigned highest_zoneidx);
	/* out_of_memory: pick and kill a victim (the task layer knows the processes).
	 * Returns 1 when a victim (another process) was killed or is still exiting: the
	 * caller waits a jiffy and retries; 0 when there is nobody to kill; -1 when the
	 * caller's own process was chosen (its allocation fails). */
	void *oom_arg;
	int (*oom_kill)(void *arg, struct task *tsk, gfp_t gfp, unsigned order);
	/* Pages reclaim could free from the zone (LRU lists), for should_reclaim_retry. */
	u64 (*zone_reclaimable_pages)(void *arg, const struct zone *z);
	/* Move the contents and every reference of the allocated order-0 page old_pfn to the
	 * freshly allocated page new_pfn (migrate_pages for one page). The caller (compaction)
	 * isolated old_pfn: PG_isolated set and one extra reference held. On success (0) the
	 * owner's mappings point at new_pfn; new_pfn carries the old page's flags (without
	 * PG_isolated), mapcount and references other than the caller's; old_pfn is left with
	 * refcount 1 (the caller's) and mapcount 0, for the caller to free. -MM_EAGAIN: the page is
	 * busy or pinned, nothing changed. -MM_ENOENT: the owner let go of the page while it
	 * was isolated (it holds only the caller's reference): drop it. May block. */
	int (*migrate_page)(void *arg, struct task *tsk, u64 old_pfn, u64 new_pfn);
};

struct phys_mem {
	struct sim *sim;                  /* borrowed */
	unsigned nr_nodes, nr_cpus;
	struct pglist_data *node_data[MAX_NUMNODES];
	u64 nr_pages;                     /* pfns 0..nr_pages-1 */
	struct page_desc *pages;          /* [nr_pages] */
	u8 *pb_type;                      /* [nr_pageblocks] migratetype of each pageblock */
	u8 *pb_zone;                      /* [nr_pageblocks] node * MAX_NR_ZONES + zone */
	u16 (*pb_used)[MIGRATE_PCPTYPES]; /* [nr_pageblocks] allocated pages per request type */
	u64 nr_pageblocks;
	u64 min_free_kbytes;              /* effective value */
	bool grouping;                    /* variants.page_alloc_grouping == mobility */
	struct phys_mem_hooks hooks;
};

/* Build the nodes and zones from the scenario (all memory free, every pageblock MOVABLE). */
struct phys_mem *phys_mem_create(struct sim *sim);
void phys_mem_destroy(struct phys_mem *pm);

static inline struct page_desc *pfn_to_page(struct phys_mem *pm, u64 pfn)
{
	return &pm->pages[pfn];
}

static inline struct zone *page_zone(const struct phys_mem *pm, u64 pfn)
{
	unsigned zid = pm->pb_zone[pfn >> pageblock_order];
	return &pm->node_data[zid / MAX_NR_ZONES]->node_zones[zid % MAX_NR_ZONES];
}

static inline unsigned page_to_nid(const struct phys_mem *pm, u64 pfn)
{
	return pm->pb_zone[pfn >> pageblock_order] / MAX_NR_ZONES;
}

static inline unsigned get_pageblock_migratetype(const struct phys_mem *pm, u64 pfn)
{
	return pm->pb_type[pfn >> pageblock_order];
}

/* Allocate 2^order contiguous pages; nid -1 = the task's node. Returns the first pfn, or
 * PFN_NONE when the allocation fails (as the kernel returns NULL). May block (zone->lock,
 * reclaim) when gfp allows. */
u64 alloc_pages_node(struct task *tsk, int nid, gfp_t gfp, unsigned order);
/* Before the simulation runs (boot: hugepages= on the command line): a block of order
 * from node nid's free lists of type mt, highest zone first, no task, no cost, no
 * watermark. PFN_NONE if none is free. */
u64 alloc_pages_boot(struct phys_mem *pm, unsigned nid, unsigned order, unsigned mt);
/* The general form: preferred node and an allowed-nodes mask (0 = all nodes). */
u64 __alloc_pages(struct task *tsk, gfp_t gfp, unsigned order, int preferred_nid, u64 nodemask);
/* Free a block returned by the allocator (order as allocated). */
void __free_pages(struct task *tsk, u64 pfn, unsigned order);

/* Watermark check of zone z for an order (reference 5). */
bool __zone_watermark_ok(const struct zone *z, unsigned order, u64 mark, unsigned highest_zoneidx,
			 unsigned alloc_flags, s64 free_pages);
bool zone_watermark_ok(const struct zone *z, unsigned order, u64 mark, unsigned highest_zoneidx,
		       unsigned alloc_flags);
unsigned gfp_migratetype(gfp_t gfp);
unsigned gfp_zone(gfp_t gfp);

/* Return every page on the task's CPU's pcp lists (all zones) to the buddy lists. */
void drain_local_pages(struct task *tsk);
/* Drain every CPU's pcp lists (drain_all_pages after a failed direct reclaim). */
void drain_all_pages(struct task *tsk, struct zone *only);

/* Buddy-level helpers for compaction (zone->lock held by the caller). */
void __isolate_free_block(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order);
void __free_one_page(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned order, unsigned mt,
		     bool to_tail);
/* Implicit max-order blocks (struct zone_lazy, mm/mmzone.h): code that reads the
 * descriptors of free pages by pfn calls zone_materialise_range() on [start_pfn, end_pfn)
 * of zone z first. It writes the head descriptor of every implicit block overlapping the
 * range (PG_buddy, order MAX_ORDER - 1, the list's type, links PAGE_NIL), as an eager
 * build would have; nothing else changes (the blocks keep their list places and counts,
 * and del_page_from_free_list knows them by their bit). Cheap when the zone has none
 * left. No lock needed: it moves nothing (the kernel's deferred init takes zone->lock to
 * grow a zone, which we never do). pfn_range_materialise() does it for every zone a pfn
 * range crosses (a memory offline walking a node). zone_materialise_all() links every
 * implicit block at the tail of its list, in pfn order (debug.eager_zones at start-up). */
void zone_materialise_range(struct phys_mem *pm, struct zone *z, u64 start_pfn, u64 end_pfn);
void pfn_range_materialise(struct phys_mem *pm, u64 start_pfn, u64 end_pfn);
void zone_materialise_all(struct phys_mem *pm, struct zone *z);
/* Implicit blocks the zone still has (tests, the checkers). */
u64 zone_implicit_blocks(const struct zone *z);

/* Move the free pages of the pageblock containing pfn to type mt's lists and set the
 * block type. Returns free pages moved. */
u64 move_freepages_block(struct phys_mem *pm, struct zone *z, u64 pfn, unsigned mt);

/* Memory offlining (mm/memory_hotplug.h): account nr free pages moved off (nr < 0) or
 * back onto (nr > 0) the allocatable lists of type mt (__mod_zone_freepage_state; no-op
 * for MIGRATE_ISOLATE); rebuild every node's zonelist after a zone emptied; recompute
 * vm.min_free_kbytes (unless set), the watermarks and lowmem reserves from the present
 * pages (init_per_zone_wmark_min). */
void mod_zone_freepage_state(struct phys_mem *pm, struct zone *z, s64 nr, unsigned mt);
void build_all_zonelists(struct phys_mem *pm);
void init_per_zone_wmark_min(struct phys_mem *pm);
/* Recompute pcp->batch and pcp->high of the zone's CPUs from its managed pages. */
void zone_pcp_update(struct phys_mem *pm, struct zone *z);

/* A free page compaction isolated becomes an allocated order-0 page of request type mt
 * (as split_map_pages/post_alloc_hook; not counted in pgalloc, as in the kernel). */
void prep_compaction_page(struct phys_mem *pm, u64 pfn, unsigned mt);
/* Change the request type an allocated order-0 page is accounted under. */
void set_page_request_mt(struct phys_mem *pm, u64 pfn, unsigned mt);
void set_pageblock_migratetype(struct phys_mem *pm, u64 pfn, unsigned mt);
/* First fallback type of mt with a free block in area (-1: none); can_steal as
 * can_steal_fallback for a block of this order (reference 3). */
int find_suitable_fallback(const struct phys_mem *pm, const struct free_area *area, unsigned order,
			   unsigned mt, bool only_stealable, bool *can_steal);

u64 node_free_pages(const struct phys_mem *pm, unsigned nid);
u64 node_present_pages(const struct phys_mem *pm, unsigned nid);
u64 node_pcp_pages(const struct phys_mem *pm, unsigned nid);

/* Consistency of the buddy state of one zone (free counts match the lists, no page both
 * free and allocated, buddies aligned and inside the zone, pageblock counters). Returns 0,
 * or -1 with a description in msg. Used by tests, --check and MMSIM_DEBUG_VM builds.
 * quiescent: no task is inside the allocator (tests, end of run). Otherwise a zone whose
 * zone->lock is held and a pcp a task is inside are skipped, and pages between the free
 * lists and their new owner are allowed for (other tasks may be parked mid-operation). */
int check_zone_buddy(struct phys_mem *pm, struct zone *z, bool quiescent, char *msg,
		     size_t msglen);
int check_phys_mem(struct phys_mem *pm, bool quiescent, char *msg, size_t msglen);
/* --check after an op (mm/check.h): one page whose free-list or pcp-list links changed,
 * checked against its list, its block and its buddy; the free counters of a zone against
 * each other. 0, 1 (its zone is mid-update: check it later), or -1 with msg. */
int check_buddy_page(struct phys_mem *pm, u64 pfn, char *msg, size_t msglen);
int check_zone_free_counts(struct zone *z, char *msg, size_t msglen);

/* Host bytes used per simulated page (descriptor and pageblock arrays). */
double phys_mem_bytes_per_page(const struct phys_mem *pm);

#endif
