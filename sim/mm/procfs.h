/* procfs.h - what the simulated kernel shows in the /proc and /sys files a traced program
 * may read (fs/proc/meminfo.c, fs/proc/task_mmu.c, mm/huge_memory.c, mm/khugepaged.c),
 * in the real files' formats, for trace snapshots and the out dir.
 *
 * Until the LRU model (reclaim) lands, no page is ever activated: anonymous and shmem
 * pages count as Inactive(anon), page cache pages as Inactive(file), as they start in
 * the kernel. Fields of parts not modelled (Buffers, Slab, KernelStack, Vmalloc*, Percpu,
 * Committed_AS, hugetlb before the hugetlb model) show 0; DirectMap* show the memory as
 * mapped with 2 MiB pages. */
#ifndef MMSIM_MM_PROCFS_H
#define MMSIM_MM_PROCFS_H

#include <stdio.h>
#include "types.h"

struct sim;
struct mm_struct;

void procfs_meminfo(const struct sim *sim, FILE *f);
/* /proc/PID/smaps_rollup and /proc/PID/numa_maps of the process owning mm. */
void procfs_smaps_rollup(const struct sim *sim, struct mm_struct *mm, FILE *f);
/* numa_maps reads each VMA's policy as the reading task tsk (its references count). */
struct task;
void procfs_numa_maps(struct task *tsk, struct mm_struct *mm, FILE *f);
/* /proc/PID/maps: file mappings show 00:00 and inode 0 (no device is modelled). */
void procfs_maps(const struct sim *sim, struct mm_struct *mm, FILE *f);

/* /proc/zoneinfo (6.1's layout; zone counters: see procfs.c zone_item), the per-node
 * /sys/devices/system/node/nodeN/{meminfo,vmstat}, and per process /proc/PID/status (the
 * memory lines, Name, Tgid, Pid, THP_enabled, Threads; the other lines are not modelled:
 * left out; VmExe 0 and every executable mapping in VmLib, since the program image is not
 * mapped; VmPTE counts PTE tables only) and /proc/PID/smaps (per VMA, the rollup's fields;
 * Shared/Private_Hugetlb, LazyFree and Locked 0). */
void procfs_zoneinfo(const struct sim *sim, FILE *f);
void procfs_node_meminfo(const struct sim *sim, unsigned nid, FILE *f);
void procfs_node_vmstat(const struct sim *sim, unsigned nid, FILE *f);
void procfs_status(const struct sim *sim, struct mm_struct *mm, const char *comm, u32 pid,
		   u32 threads, FILE *f);
void procfs_smaps(const struct sim *sim, struct mm_struct *mm, FILE *f);

/* /sys/kernel/mm/transparent_hugepage/ files by their path below that directory
 * ("enabled", "khugepaged/pages_to_scan" ...). Returns false for an unknown name. */
bool procfs_thp_file(const struct sim *sim, const char *name, FILE *f);

#endif
