/* snapshot_file.h - the kernel state files a traced program may read, as op.arg of
 * OP_SNAPSHOT. When a program reads one of these files, the importer records an
 * OP_SNAPSHOT at that instant; the replay writes what the simulated kernel shows, in
 * the real file's format, to snapshots/NNNN-<short name> in the out dir.
 *
 * X(enum suffix, path as the program opens it, short name used in .mmt text and in
 * snapshot file names). For the per-process files the path is the /proc/self form;
 * /proc/PID/... and /proc/thread-self/... name the same file (snapshot_file_from_path).
 * Values are part of the trace format (.mmtz stores the number): append, never reorder. */
#ifndef MMSIM_TRACES_SNAPSHOT_FILE_H
#define MMSIM_TRACES_SNAPSHOT_FILE_H

#include "types.h"

#define SNAPSHOT_FILES(X)                                                                   \
	X(MEMINFO, "/proc/meminfo", "meminfo")                                              \
	X(VMSTAT, "/proc/vmstat", "vmstat")                                                 \
	X(BUDDYINFO, "/proc/buddyinfo", "buddyinfo")                                        \
	X(PAGETYPEINFO, "/proc/pagetypeinfo", "pagetypeinfo")                               \
	X(SMAPS_ROLLUP, "/proc/self/smaps_rollup", "smaps_rollup")                          \
	X(NUMA_MAPS, "/proc/self/numa_maps", "numa_maps")                                   \
	X(THP_ENABLED, "/sys/kernel/mm/transparent_hugepage/enabled", "thp_enabled")         \
	X(THP_DEFRAG, "/sys/kernel/mm/transparent_hugepage/defrag", "thp_defrag")            \
	X(THP_USE_ZERO_PAGE, "/sys/kernel/mm/transparent_hugepage/use_zero_page",             \
	  "thp_use_zero_page")                                                              \
	X(THP_HPAGE_PMD_SIZE, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",           \
	  "thp_hpage_pmd_size")                                                             \
	X(THP_SHMEM_ENABLED, "/sys/kernel/mm/transparent_hugepage/shmem_enabled",             \
	  "thp_shmem_enabled")                                                              \
	X(KHUGEPAGED_DEFRAG, "/sys/kernel/mm/transparent_hugepage/khugepaged/defrag",         \
	  "khugepaged_defrag")                                                              \
	X(KHUGEPAGED_PAGES_TO_SCAN,                                                         \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan",                   \
	  "khugepaged_pages_to_scan")                                                       \
	X(KHUGEPAGED_SCAN_SLEEP_MILLISECS,                                                  \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",            \
	  "khugepaged_scan_sleep_millisecs")                                                \
	X(KHUGEPAGED_ALLOC_SLEEP_MILLISECS,                                                 \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs",           \
	  "khugepaged_alloc_sleep_millisecs")                                               \
	X(KHUGEPAGED_PAGES_COLLAPSED,                                                       \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/pages_collapsed",                 \
	  "khugepaged_pages_collapsed")                                                     \
	X(KHUGEPAGED_FULL_SCANS, "/sys/kernel/mm/transparent_hugepage/khugepaged/full_scans", \
	  "khugepaged_full_scans")                                                          \
	X(KHUGEPAGED_MAX_PTES_NONE,                                                         \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none",                   \
	  "khugepaged_max_ptes_none")                                                       \
	X(KHUGEPAGED_MAX_PTES_SWAP,                                                         \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_swap",                   \
	  "khugepaged_max_ptes_swap")                                                       \
	X(KHUGEPAGED_MAX_PTES_SHARED,                                                       \
	  "/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared",                 \
	  "khugepaged_max_ptes_shared")                                                     \
	X(MAPS, "/proc/self/maps", "maps")                                                  \
	/* per node: N in the path is the node number, carried in op.node */                \
	X(NUMASTAT, "/sys/devices/system/node/nodeN/numastat", "numastat")                   \
	X(SLABINFO, "/proc/slabinfo", "slabinfo")                                           \
	X(ZONEINFO, "/proc/zoneinfo", "zoneinfo")                                           \
	X(STATUS, "/proc/self/status", "status")                                            \
	X(SMAPS, "/proc/self/smaps", "smaps")                                               \
	X(NODE_MEMINFO, "/sys/devices/system/node/nodeN/meminfo", "node_meminfo")            \
	X(NODE_VMSTAT, "/sys/devices/system/node/nodeN/vmstat", "node_vmstat")

enum snapshot_file {
#define SNAPSHOT_ENUM(e, path, name) SNAPSHOT_##e,
	SNAPSHOT_FILES(SNAPSHOT_ENUM)
#undef SNAPSHOT_ENUM
	NR_SNAPSHOT_FILES
};

/* Short name ("meminfo"), or NULL when f is out of range. */
const char *snapshot_file_name(u32 f);
/* Path as opened ("/proc/meminfo"), or NULL when f is out of range. */
const char *snapshot_file_path(u32 f);
/* The file a short name stands for; -1 when unknown. */
int snapshot_file_from_name(const char *name);
/* The file a path opened by process pid names (accepts /proc/self/, /proc/thread-self/
 * and /proc/PID/ forms of the per-process files); -1 when it is no snapshot file. */
int snapshot_file_from_path(const char *path);
/* The same, and for a per-node file (/sys/devices/system/node/node2/numastat) its node in
 * *node; -1 in *node for the other files. */
int snapshot_file_from_path_node(const char *path, s32 *node);
/* Whether file f exists once per node (its op carries the node in op.node). */
bool snapshot_file_per_node(u32 f);

#endif
