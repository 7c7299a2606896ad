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

/* /sys/kernel/mm/transparent_hugepage/ files by their path below that directory
 * ("enabled", "khugepaged/pages_to_scan" ...). Returns false for an unknown name. */
bool procfs_thp_file(const struct sim *sim, const char *name, FILE *f);

#endif
