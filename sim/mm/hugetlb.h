/* hugetlb.h - hugetlb pools and reservations (models mm/hugetlb.c and the parts of
 * fs/hugetlbfs/inode.c, ipc/shm.c and mm/memfd.c they need; spec reference/hugetlb.md).
 *
 * One hstate: 2 MiB pages (order 9). The pool is counted as the kernel counts it: T
 * (nr_huge_pages), F (free), R (resv) and S (surplus), globally and per node, all under
 * hugetlb_lock. Pool pages come from the buddy allocator as order-9 __GFP_THISNODE
 * allocations, node by node round-robin, so a fragmented node fails to grow its pool.
 *
 * Files: every hugetlb mapping has an inode (an internal one for MAP_ANONYMOUS|
 * MAP_HUGETLB and SysV SHM_HUGETLB segments, a memfd with MFD_HUGETLB, or a file under
 * /dev/hugepages/) whose page cache is indexed in huge pages and whose resv_map is the
 * shared reservation map (a region list: chg/add/del/count). A MAP_PRIVATE mapping
 * reserves through a resv_map of its own, owned by the VMA that mmap() created and
 * shared by the VMAs a split makes (the open hook takes a reference), or - variant
 * hugetlb.private_resv: count, the design before seed 004's fix - through a count kept
 * in the VMA and copied verbatim by a split.
 *
 * Faults take the fault mutex hashed by (mapping, index) and install a PMD-level entry
 * (struct pmd_slot PMD_HUGE) under mm->page_table_lock. Hugetlb pages are not on the LRU,
 * not in RSS and not in NR_FILE_PAGES, as in the kernel.
 *
 * Not modelled: gigantic (1 GiB) pages, hugetlbfs mounts with size=/min_size= (no
 * subpools: every file lives on the default mount), PMD sharing and the per-VMA hugetlb
 * vma lock, cgroup charging, page migration and demotion of pool pages. */
#ifndef MMSIM_MM_HUGETLB_H
#define MMSIM_MM_HUGETLB_H

#include "mm/mm_types.h"

#define HPAGE_SHIFT PMD_SHIFT
#define HPAGE_SIZE (1ULL << HPAGE_SHIFT)
#define HPAGE_ORDER HPAGE_PMD_ORDER
#define HPAGE_NR_PAGES (1ULL << HPAGE_ORDER)

/* Huge page size bits of mmap/memfd flags: none (the default size) or 2 MiB, the one
 * size modelled. */
static inline bool hugetlb_size_modelled(u32 flags)
{
	u32 size_log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	return !size_log || size_log == HPAGE_SHIFT;
}

struct sim;
struct task;
struct inode;
struct hugetlb;

/* The counters of the default hstate. Values are unsigned 64-bit as in the kernel: a
 * reservation count that goes below zero wraps (variant count). */
struct hugetlb_counters {
	u64 total, free, resv, surplus;
	u64 overcommit, max_huge_pages;
	u64 node_total[MAX_NUMNODES], node_free[MAX_NUMNODES], node_surplus[MAX_NUMNODES];
};

/* Event counts for the report and summary. */
struct hugetlb_stats {
	u64 faults;                        /* hugetlb faults handled */
	u64 alloc_pool;                    /* pages taken from the free lists */
	u64 alloc_surplus, alloc_surplus_fail;
	u64 alloc_fail;                    /* alloc_huge_page failures (SIGBUS) */
	u64 cow_copies, cow_reuse;
	u64 unmap_ref_private;             /* pages an owner's COW took from its children */
	u64 sigbus;                        /* faults that ended in SIGBUS */
	u64 sigbus_reserved;               /* ... in a VMA that holds reservations (owner or
					    * shared, not NORESERVE): the guarantee broken */
	s64 resv_min, resv_max;            /* HugePages_Rsvd read as signed, over all checks */
	u64 grow_requested, grow_allocated, grow_failed_nodes;   /* pool growth (sysctl) */
	u64 fresh_alloc_fail;              /* order-9 buddy allocations that failed */
	u64 resv_ops;                      /* region_* calls */
	u64 invariant_violations;          /* distinct invariant violations reported */
};

/* Create sim->hugetlb; the boot-time pool (vm.nr_hugepages at start, as hugepages= on
 * the command line) is allocated from the free memory node by node. */
void hugetlb_create(struct sim *sim);
void hugetlb_destroy(struct hugetlb *h);

void hugetlb_get_counters(const struct sim *sim, struct hugetlb_counters *c);
const struct hugetlb_stats *hugetlb_get_stats(const struct sim *sim);

/* A write of val to a hugetlb sysctl or sysfs file: /proc/sys/vm/nr_hugepages (also
 * nr_hugepages_mempolicy), /proc/sys/vm/nr_overcommit_hugepages,
 * /sys/kernel/mm/hugepages/hugepages-2048kB/{nr_hugepages,nr_overcommit_hugepages},
 * /sys/devices/system/node/nodeN/hugepages/hugepages-2048kB/nr_hugepages. Returns 0, or
 * -MM_EINVAL for another file (*known false). */
int hugetlb_sysctl(struct task *tsk, const char *path, u64 val, bool *known);

/* A new hugetlb inode of size bytes with no reservation (anonymous hugetlb mmap, memfd
 * MFD_HUGETLB, a /dev/hugepages file); returns its first reference. */
struct inode *hugetlb_file_create(struct sim *sim, const char *name, u64 size);
/* shmget(SHM_HUGETLB): a new inode of size bytes (rounded up to huge pages), its pages
 * reserved unless noreserve. NULL with *err = -MM_ENOMEM when the pool cannot back it. */
struct inode *hugetlb_shm_create(struct task *tsk, const char *name, u64 size, bool noreserve,
				 int *err);

/* mmap of a hugetlb file (hugetlbfs_file_mmap): vma is set up (range, flags, file,
 * pgoff) but not yet linked; reserves and attaches the private resv_map. 0 or -errno;
 * on failure nothing is reserved and the caller frees the VMA. Caller holds mmap_lock
 * for write. */
int hugetlbfs_file_mmap(struct task *tsk, struct vm_area_struct *vma);

/* Fault at addr of a VM_HUGETLB VMA (mmap_lock held for read). */
unsigned int hugetlb_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr, unsigned flags);
/* Unmap the huge pages of vma in [start, end) (munmap, exit, truncate). */
void unmap_hugepage_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);
/* MADV_DONTNEED of the huge pages in [start, end) (aligned): unmapped as munmap would,
 * but a private owner's anonymous page gives its reservation back (Rsvd rises again when
 * it is freed; the next fault there consumes it), as 6.18 does. */
void hugetlb_madv_dontneed(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);
/* fork: the child VMA keeps no reservation (hugetlb_dup_vma_private); then its PMDs. */
void hugetlb_dup_vma_private(struct vm_area_struct *vma);
int copy_hugetlb_page_range(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src);
/* mremap move: the huge PMDs of [old, old+len) move to new. */
int move_hugetlb_page_tables(struct task *tsk, struct mm_struct *mm, u64 old, u64 new, u64 len);
/* The VMA gives up its reservation reference, with no accounting: the old VMA of an
 * mremap move (clear_vma_resv_huge_pages: its close returns nothing, the copy holds the
 * reservation), or a VMA freed after the run (killed threads). */
void hugetlb_vma_drop_resv(struct sim *sim, struct vm_area_struct *vma);

/* File operations on a hugetlb inode. */
int hugetlbfs_truncate(struct task *tsk, struct inode *inode, u64 size);
int hugetlbfs_fallocate(struct task *tsk, struct inode *inode, u32 mode, u64 off, u64 len);
s64 hugetlbfs_read(struct task *tsk, struct inode *inode, u64 off, u64 len);
/* The last reference of a hugetlb inode is gone (evict): truncate to 0, free the map.
 * Without tsk (end of run) only host memory is released. */
void hugetlbfs_evict_inode(struct task *tsk, struct inode *inode);

/* Invariants of reference/hugetlb.md §10 (1-3), checked after every op: a violation
 * (Rsvd above Free, a wrapped counter, per-node sums) is reported once as a resv_drift
 * finding naming the op (described by describe(arg), called only then), until the
 * counters are consistent again. With full, invariant 4 too: R recomputed from the reservation maps (and the
 * VMA counts). Nothing is checked while another task is inside the hugetlb code. */
typedef void (*hugetlb_describe_fn)(char *buf, size_t len, const void *arg);
void hugetlb_check_after_op(struct task *tsk, hugetlb_describe_fn describe, const void *arg,
			    bool full);
/* End of run: with no hugetlb file or mapping left, R and S must be back to 0 and F to
 * T. Reported as a resv_drift finding. */
void hugetlb_check_quiescent(struct sim *sim, u64 now_ns);

/* The page is a hugetlb pool page (free or in use; PageHuge). */
struct page_desc;
bool page_huge(const struct page_desc *p);

#endif
