/* vmstat.h - vm counters with kernel names, and the /proc formats that show them and the
 * buddy state (models mm/vmstat.c, 6.1).
 *
 * Every counter is one row of VM_ITEMS, in /proc/vmstat order: state items (which go up
 * and down), then events (which only go up). Counts are kept per node and are exact (no
 * per-CPU drift). Events are counted on the node of the acting CPU, as the kernel's
 * per-CPU events summed per node would be; pgalloc_*, numa_* and page states on the node
 * of the page. Items the models do not drive yet stay 0; the list is complete so that a
 * snapshot of /proc/vmstat has the real file's lines. */
#ifndef MMSIM_MM_VMSTAT_H
#define MMSIM_MM_VMSTAT_H

#include <stdio.h>
#include "types.h"

struct task;
struct phys_mem;
struct zone;

#define VM_ITEMS(X)                                                                         \
	X(NR_FREE_PAGES, "nr_free_pages")                                                   \
	X(NR_ZONE_INACTIVE_ANON, "nr_zone_inactive_anon")                                   \
	X(NR_ZONE_ACTIVE_ANON, "nr_zone_active_anon")                                       \
	X(NR_ZONE_INACTIVE_FILE, "nr_zone_inactive_file")                                   \
	X(NR_ZONE_ACTIVE_FILE, "nr_zone_active_file")                                       \
	X(NR_ZONE_UNEVICTABLE, "nr_zone_unevictable")                                       \
	X(NR_ZONE_WRITE_PENDING, "nr_zone_write_pending")                                   \
	X(NR_MLOCK, "nr_mlock")                                                             \
	X(NR_BOUNCE, "nr_bounce")                                                           \
	X(NR_ZSPAGES, "nr_zspages")                                                         \
	X(NR_FREE_CMA, "nr_free_cma")                                                       \
	X(NUMA_HIT, "numa_hit")                                                             \
	X(NUMA_MISS, "numa_miss")                                                           \
	X(NUMA_FOREIGN, "numa_foreign")                                                     \
	X(NUMA_INTERLEAVE_HIT, "numa_interleave")                                           \
	X(NUMA_LOCAL, "numa_local")                                                         \
	X(NUMA_OTHER, "numa_other")                                                         \
	X(NR_INACTIVE_ANON, "nr_inactive_anon")                                             \
	X(NR_ACTIVE_ANON, "nr_active_anon")                                                 \
	X(NR_INACTIVE_FILE, "nr_inactive_file")                                             \
	X(NR_ACTIVE_FILE, "nr_active_file")                                                 \
	X(NR_UNEVICTABLE, "nr_unevictable")                                                 \
	X(NR_SLAB_RECLAIMABLE_B, "nr_slab_reclaimable")                                     \
	X(NR_SLAB_UNRECLAIMABLE_B, "nr_slab_unreclaimable")                                 \
	X(NR_ISOLATED_ANON, "nr_isolated_anon")                                             \
	X(NR_ISOLATED_FILE, "nr_isolated_file")                                             \
	X(NR_ANON_MAPPED, "nr_anon_pages")                                                  \
	X(NR_FILE_MAPPED, "nr_mapped")                                                      \
	X(NR_FILE_PAGES, "nr_file_pages")                                                   \
	X(NR_FILE_DIRTY, "nr_dirty")                                                        \
	X(NR_WRITEBACK, "nr_writeback")                                                     \
	X(NR_SHMEM, "nr_shmem")                                                             \
	X(NR_ANON_THPS, "nr_anon_transparent_hugepages")                                    \
	X(NR_KERNEL_STACK_KB, "nr_kernel_stack")                                            \
	X(NR_PAGETABLE, "nr_page_table_pages")                                              \
	X(NR_SWAPCACHE, "nr_swapcached")                                                    \
	X(PGPGIN, "pgpgin")                                                                 \
	X(PGPGOUT, "pgpgout")                                                               \
	X(PSWPIN, "pswpin")                                                                 \
	X(PSWPOUT, "pswpout")                                                               \
	X(PGALLOC_DMA32, "pgalloc_dma32")                                                   \
	X(PGALLOC_NORMAL, "pgalloc_normal")                                                 \
	X(PGALLOC_MOVABLE, "pgalloc_movable")                                               \
	X(ALLOCSTALL_DMA32, "allocstall_dma32")                                             \
	X(ALLOCSTALL_NORMAL, "allocstall_normal")                                           \
	X(ALLOCSTALL_MOVABLE, "allocstall_movable")                                         \
	X(PGFREE, "pgfree")                                                                 \
	X(PGACTIVATE, "pgactivate")                                                         \
	X(PGDEACTIVATE, "pgdeactivate")                                                     \
	X(PGLAZYFREE, "pglazyfree")                                                         \
	X(PGFAULT, "pgfault")                                                               \
	X(PGMAJFAULT, "pgmajfault")                                                         \
	X(PGLAZYFREED, "pglazyfreed")                                                       \
	X(PGREFILL, "pgrefill")                                                             \
	X(PGREUSE, "pgreuse")                                                               \
	X(PGSTEAL_KSWAPD, "pgsteal_kswapd")                                                 \
	X(PGSTEAL_DIRECT, "pgsteal_direct")                                                 \
	X(PGSCAN_KSWAPD, "pgscan_kswapd")                                                   \
	X(PGSCAN_DIRECT, "pgscan_direct")                                                   \
	X(PGSCAN_DIRECT_THROTTLE, "pgscan_direct_throttle")                                 \
	X(PGSCAN_ANON, "pgscan_anon")                                                       \
	X(PGSCAN_FILE, "pgscan_file")                                                       \
	X(PGSTEAL_ANON, "pgsteal_anon")                                                     \
	X(PGSTEAL_FILE, "pgsteal_file")                                                     \
	X(ZONE_RECLAIM_FAILED, "zone_reclaim_failed")                                       \
	X(SLABS_SCANNED, "slabs_scanned")                                                   \
	X(KSWAPD_LOW_WMARK_HIT_QUICKLY, "kswapd_low_wmark_hit_quickly")                     \
	X(KSWAPD_HIGH_WMARK_HIT_QUICKLY, "kswapd_high_wmark_hit_quickly")                   \
	X(PAGEOUTRUN, "pageoutrun")                                                         \
	X(PGROTATED, "pgrotated")                                                           \
	X(OOM_KILL, "oom_kill")                                                             \
	X(NUMA_PTE_UPDATES, "numa_pte_updates")                                             \
	X(NUMA_HINT_FAULTS, "numa_hint_faults")                                             \
	X(NUMA_PAGES_MIGRATED, "numa_pages_migrated")                                       \
	X(PGMIGRATE_SUCCESS, "pgmigrate_success")                                           \
	X(PGMIGRATE_FAIL, "pgmigrate_fail")                                                 \
	X(THP_MIGRATION_SUCCESS, "thp_migration_success")                                   \
	X(THP_MIGRATION_FAIL, "thp_migration_fail")                                         \
	X(THP_MIGRATION_SPLIT, "thp_migration_split")                                       \
	X(COMPACTMIGRATE_SCANNED, "compact_migrate_scanned")                               \
	X(COMPACTFREE_SCANNED, "compact_free_scanned")                                     \
	X(COMPACTISOLATED, "compact_isolated")                                             \
	X(COMPACTSTALL, "compact_stall")                                                   \
	X(COMPACTFAIL, "compact_fail")                                                     \
	X(COMPACTSUCCESS, "compact_success")                                               \
	X(KCOMPACTD_WAKE, "compact_daemon_wake")                                       \
	X(KCOMPACTD_MIGRATE_SCANNED, "compact_daemon_migrate_scanned")                 \
	X(KCOMPACTD_FREE_SCANNED, "compact_daemon_free_scanned")                       \
	X(HTLB_BUDDY_PGALLOC, "htlb_buddy_alloc_success")                                   \
	X(HTLB_BUDDY_PGALLOC_FAIL, "htlb_buddy_alloc_fail")                                 \
	X(UNEVICTABLE_PGCULLED, "unevictable_pgs_culled")                                   \
	X(UNEVICTABLE_PGSCANNED, "unevictable_pgs_scanned")                                 \
	X(UNEVICTABLE_PGRESCUED, "unevictable_pgs_rescued")                                 \
	X(UNEVICTABLE_PGMLOCKED, "unevictable_pgs_mlocked")                                 \
	X(UNEVICTABLE_PGMUNLOCKED, "unevictable_pgs_munlocked")                             \
	X(UNEVICTABLE_PGCLEARED, "unevictable_pgs_cleared")                                 \
	X(UNEVICTABLE_PGSTRANDED, "unevictable_pgs_stranded")                               \
	X(THP_FAULT_ALLOC, "thp_fault_alloc")                                               \
	X(THP_FAULT_FALLBACK, "thp_fault_fallback")                                         \
	X(THP_FAULT_FALLBACK_CHARGE, "thp_fault_fallback_charge")                           \
	X(THP_COLLAPSE_ALLOC, "thp_collapse_alloc")                                         \
	X(THP_COLLAPSE_ALLOC_FAILED, "thp_collapse_alloc_failed")                           \
	X(THP_SPLIT_PAGE, "thp_split_page")                                                 \
	X(THP_SPLIT_PAGE_FAILED, "thp_split_page_failed")                                   \
	X(THP_DEFERRED_SPLIT_PAGE, "thp_deferred_split_page")                               \
	X(THP_SPLIT_PMD, "thp_split_pmd")                                                   \
	X(THP_SCAN_EXCEED_NONE_PTE, "thp_scan_exceed_none_pte")                             \
	X(THP_SCAN_EXCEED_SWAP_PTE, "thp_scan_exceed_swap_pte")                             \
	X(THP_SCAN_EXCEED_SHARED_PTE, "thp_scan_exceed_share_pte")                          \
	X(THP_ZERO_PAGE_ALLOC, "thp_zero_page_alloc")                                       \
	X(THP_ZERO_PAGE_ALLOC_FAILED, "thp_zero_page_alloc_failed")                         \
	X(THP_SWPOUT, "thp_swpout")                                                         \
	X(THP_SWPOUT_FALLBACK, "thp_swpout_fallback")                                       \
	X(SWAP_RA, "swap_ra")                                                               \
	X(SWAP_RA_HIT, "swap_ra_hit")

enum vm_item {
#define VM_ITEM_ENUM(e, n) e,
	VM_ITEMS(VM_ITEM_ENUM)
#undef VM_ITEM_ENUM
	NR_VM_ITEMS
};

/* First event item: items before it are states, printed as nr_* values. */
#define NR_VM_STAT_ITEMS PGPGIN

/* The memory.c name for anonymous pages. */
#define NR_ANON_PAGES NR_ANON_MAPPED

struct vmstat {
	unsigned nr_nodes;
	s64 (*node)[NR_VM_ITEMS];         /* [nr_nodes][NR_VM_ITEMS] */
};

struct vmstat *vmstat_create(unsigned nr_nodes);
void vmstat_destroy(struct vmstat *vs);
const char *vmstat_item_name(enum vm_item i);

static inline void __mod_node_state(struct vmstat *vs, unsigned nid, enum vm_item i, s64 delta)
{
	vs->node[nid][i] += delta;
}

/* Events of the acting task, counted on its node. */
void count_vm_event(struct task *tsk, enum vm_item i);
void count_vm_events(struct task *tsk, enum vm_item i, u64 n);
/* A state item of node nid. */
void mod_node_page_state(struct task *tsk, unsigned nid, enum vm_item i, s64 delta);

s64 node_page_state(const struct vmstat *vs, unsigned nid, enum vm_item i);
/* Sum over nodes (as /proc/vmstat shows). */
s64 global_vm_state(const struct vmstat *vs, enum vm_item i);

/* /proc/vmstat */
void vmstat_write_proc(const struct vmstat *vs, FILE *f);
/* /sys/devices/system/node/nodeN/numastat of node nid (drivers/base/node.c: numa_hit,
 * numa_miss, numa_foreign, interleave_hit, local_node, other_node). */
void write_node_numastat(const struct vmstat *vs, unsigned nid, FILE *f);

/* ---- fragmentation (mm/vmstat.c: fill_contig_page_info and the extfrag files) ---- */

struct contig_page_info {
	u64 free_pages;
	u64 free_blocks_total;
	u64 free_blocks_suitable;
};

void fill_contig_page_info(const struct zone *z, unsigned order, struct contig_page_info *info);
/* x1000; -1000 when a suitable block exists; 0 with no free memory. */
int __fragmentation_index(unsigned order, const struct contig_page_info *info);
int fragmentation_index(const struct zone *z, unsigned order);
/* x1000; 1000 with no free memory. */
int unusable_free_index(unsigned order, const struct contig_page_info *info);
/* Percent of free memory unusable for this order (compaction proactiveness score). */
unsigned extfrag_for_order(const struct zone *z, unsigned order);

/* /proc/buddyinfo, /proc/pagetypeinfo, debugfs extfrag/{unusable_index,extfrag_index} */
void write_buddyinfo(const struct phys_mem *pm, FILE *f);
void write_pagetypeinfo(const struct phys_mem *pm, FILE *f);
void write_unusable_index(const struct phys_mem *pm, FILE *f);
void write_extfrag_index(const struct phys_mem *pm, FILE *f);
/* Pageblocks holding allocated pages of a type other than the block's own. */
u64 zone_polluted_pageblocks(const struct phys_mem *pm, const struct zone *z);

#endif
