/* mmzone.h - physical memory: nodes (pglist_data), zones, buddy free areas, per-CPU
 * page lists, pageblocks and the per-pfn page descriptor (models include/linux/mmzone.h
 * and mm_types.h, 6.1).
 *
 * Memory: every simulated page has one 16-byte struct page_desc in a flat array indexed
 * by pfn (allocated lazily by the host: untouched descriptors cost nothing, and start-up
 * writes none for the free max-order blocks, see struct zone_lazy), plus two
 * bytes per pageblock (type and owning zone) and six bytes per pageblock of allocation
 * counters per migratetype. Free-list links are 32-bit page offsets within the zone,
 * so a zone holds at most 2^32 - 1 pages (16 TiB). Spec: reference/page-alloc.md. */
#ifndef MMSIM_MM_MMZONE_H
#define MMSIM_MM_MMZONE_H

#include "types.h"
#include "locks/spinlock.h"

#define MAX_ORDER 11                      /* orders 0..10 */
#define pageblock_order 9
#define pageblock_nr_pages (1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER 3

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,                 /* the number of types on pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

enum zone_type { ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };

extern const char *const zone_names[MAX_NR_ZONES];

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

#define PAGE_NIL UINT32_MAX               /* end of a list of zone page offsets */

/* The per-pfn descriptor (a deliberately small struct page). */
struct page_desc {
	u32 next, prev;                   /* list links (free, pcp, LRU): zone page offsets */
	u32 flags;                        /* PG_* bits, order and list migratetype fields */
	u16 refcount;                     /* 0 = free or on a pcp list */
	u16 mapcount;                     /* PTEs mapping it (0 = unmapped) */
};

/* page_desc.flags */
#define PG_buddy (1u << 0)                /* head of a free buddy block */
#define PG_pcp (1u << 1)                  /* on a per-CPU list (allocated, from the buddy's view) */
#define PG_head (1u << 2)                 /* head of an allocated block of order > 0 */
#define PG_lru (1u << 3)
#define PG_active (1u << 4)
#define PG_referenced (1u << 5)
#define PG_dirty (1u << 6)
#define PG_swapcache (1u << 7)
#define PG_anon (1u << 8)
#define PG_pgtable (1u << 9)
#define PG_slab (1u << 10)
#define PG_reserved (1u << 11)            /* never handed to the buddy allocator */
#define PG_isolated (1u << 12)            /* taken off the LRU by compaction/reclaim */
#define PG_movable (1u << 13)             /* non-LRU movable (movable slab objects) */
#define PG_lru_pending (1u << 14)         /* in a CPU's lru_add batch, not yet on a list */
#define PG_swapbacked (1u << 15)          /* anonymous or shmem: reclaimed to swap */
/* bits 16..19 are hugetlb.c's own (pool pages only); an LRU page never is one and mlock
 * leaves hugetlb pages alone, so bits 18 and 19 double as PG_mlocked and PG_unevictable
 * (bit 31 is PG_writeback: an mlocked file page can be under writeback) */
#define PG_mlocked (1u << 18)             /* mlocked: counted in NR_MLOCK */
#define PG_unevictable (1u << 19)         /* on the unevictable LRU list (mm/mlock.h) */
#define PG_transhuge (1u << 20)           /* head of a THP (mm/huge_memory.h) */
#define PG_tail (1u << 21)                /* tail page of a THP */
#define PG_deferred_split (1u << 22)      /* THP head on its node's deferred split queue */
#define PG_anon_exclusive (1u << 23)      /* THP subpage mapped by one process only (PageAnonExclusive) */
#define PG_ORDER_SHIFT 24                 /* bits 24..27: order of a buddy/pcp/allocated head */
#define PG_ORDER_MASK (0xfu << PG_ORDER_SHIFT)
#define PG_MT_SHIFT 28                    /* bits 28..30: migratetype of the list / of the request */
#define PG_MT_MASK (0x7u << PG_MT_SHIFT)
#define PG_writeback (1u << 31)           /* a device request is writing it (mm/writeback.h) */

static inline unsigned page_order(const struct page_desc *p)
{
	return (p->flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

static inline unsigned page_mt(const struct page_desc *p)
{
	return (p->flags & PG_MT_MASK) >> PG_MT_SHIFT;
}

static inline void set_page_order_mt(struct page_desc *p, unsigned order, unsigned mt)
{
	p->flags = (p->flags & ~(PG_ORDER_MASK | PG_MT_MASK)) | (order << PG_ORDER_SHIFT) |
		   (mt << PG_MT_SHIFT);
}

struct page_list {
	u32 head, tail;                   /* PAGE_NIL when empty */
};

struct free_area {
	struct page_list free_list[MIGRATE_TYPES];
	u64 nr_free;                      /* blocks of this order, all types */
	u64 nr_free_mt[MIGRATE_TYPES];    /* blocks per type (pagetypeinfo) */
};

/* Lists: 3 types x orders 0..3, then order-9 movable and order-9 unmovable+reclaimable. */
#define NR_LOWORDER_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS (NR_LOWORDER_PCP_LISTS + 2)

struct per_cpu_pages {
	bool locked;                      /* pcp->lock held (by a task that then blocked) */
	u8 free_factor;
	u32 count;                        /* pages on all lists */
	u32 high, batch;
	struct page_list lists[NR_PCP_LISTS];
};

struct pglist_data;

/* Deferred free-list build (the kernel's deferred struct page init, at the grain of a free
 * block). At start-up a zone's run of max-order blocks goes on free_area[MAX_ORDER - 1].
 * free_list[mt] without its descriptors being written: those blocks are "implicit". They
 * are counted in nr_free, nr_free_mt and free_pages exactly as if present, and they sit,
 * in pfn order, at the tail of that list after its real entries. The real part is never
 * empty while implicit blocks remain (when it empties, the lowest implicit block gets its
 * descriptor and is linked at the tail), so the list's head, its emptiness and the order in
 * which blocks leave it are those of an eager build. A tail insertion into that list
 * links every implicit block first. Code that reads the descriptors of free pages by pfn
 * (compaction's scanners, move_freepages, checkers, a future memory offline) calls
 * zone_materialise_range() (mm/page_alloc.h) on the range first: it writes the head
 * descriptors of the implicit blocks there (PG_buddy, order, type, links PAGE_NIL); they
 * stay implicit, in their list place, and a deletion knows them by their bit. With
 * debug.eager_zones every block is linked at start-up (the build before deferral). */
struct zone_lazy {
	u64 *bits;                        /* bit i: the block at base_pfn + i * 1024 is implicit */
	u64 base_pfn;                     /* first max-order block of the run */
	u64 nr_blocks;                    /* blocks in the run (bits in the map) */
	u64 nr;                           /* implicit blocks left */
	u64 first;                        /* no implicit block below this index */
	unsigned mt;                      /* the free list they are on */
};

/* zone->flags */
#define ZONE_BOOSTED_WATERMARK 0x1u
#define ZONE_RECLAIM_ACTIVE 0x2u

struct zone {
	struct pglist_data *zone_pgdat;   /* borrowed */
	enum zone_type idx;
	bool populated;
	u32 flags;
	u64 zone_start_pfn;
	u64 spanned_pages, present_pages, managed_pages;
	u64 free_pages;                   /* NR_FREE_PAGES (buddy only; pcp pages excluded) */
	u64 _watermark[NR_WMARK];
	u64 watermark_boost;
	u64 nr_reserved_highatomic;
	u64 lowmem_reserve[MAX_NR_ZONES];
	struct free_area free_area[MAX_ORDER];
	struct zone_lazy lazy;            /* implicit max-order blocks (above) */
	spinlock_t lock;                  /* "&zone->lock" */
	struct per_cpu_pages *pcp;        /* [nr_cpus] */
	/* compaction state (compaction.c) */
	u64 compact_cached_free_pfn;
	u64 compact_cached_migrate_pfn[2];
	unsigned compact_considered, compact_defer_shift;
	int compact_order_failed;
	bool compact_blockskip_flush;     /* skip bits to be cleared when kswapd sleeps */
	/* high-order allocation outcomes per order (fragmentation report) */
	u64 alloc_attempts[MAX_ORDER], alloc_success[MAX_ORDER];
};

struct pglist_data {
	unsigned node_id;
	u64 node_start_pfn, node_present_pages;
	struct zone node_zones[MAX_NR_ZONES];
	unsigned nr_zonelist;
	struct zone *zonelist[MAX_NUMNODES * MAX_NR_ZONES];  /* fallback order (build_zonelists) */
	u64 totalreserve_pages;
	/* kswapd / kcompactd requests (vmscan.c, compaction.c act on them) */
	unsigned kswapd_order, kswapd_highest_zoneidx;
	unsigned kswapd_failures;
	u64 kswapd_wakeups;
};

/* min/low/high watermark of a zone including its boost */
static inline u64 wmark_pages(const struct zone *z, enum zone_watermarks w)
{
	return z->_watermark[w] + z->watermark_boost;
}

static inline bool zone_is_populated(const struct zone *z)
{
	return z->populated;
}

#endif
