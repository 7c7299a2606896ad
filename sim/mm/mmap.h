/* mmap.h - address-space operations (models mm/mmap.c, mm/mprotect.c, mm/mremap.c,
 * mm/madvise.c and the VMA part of fork): mm lifetime, VMA lookup, split and merge, mmap
 * (anonymous, file, shared), munmap, mprotect, mremap, brk, madvise, dup_mmap. Entry
 * points take mmap_lock themselves (write, except madvise's read-side advice).
 *
 * Splits run the VMA's open hook on the new part; merges follow is_mergeable_vma (same
 * flags, file, ops, policy and private data, contiguous pgoff) and is_mergeable_anon_vma
 * (same anon_vma, or none on one side whose other side's chain was not inherited
 * through fork). */
#ifndef MMSIM_MM_MMAP_H
#define MMSIM_MM_MMAP_H

#include "mm/mm_types.h"

#define TASK_SIZE 0x00007ffffffff000ULL
#define MMAP_BASE 0x00007f0000000000ULL
#define MMAP_MIN_ADDR 0x10000ULL

struct mm_struct *mm_alloc(struct sim *sim, u32 pid, int node);
/* Take a reference for a new thread. */
void mmget(struct mm_struct *mm);
/* Drop a thread's reference; the last one tears the address space down, freeing every
 * page and page table, and frees the mm. */
void mmput(struct task *tsk, struct mm_struct *mm);

/* Free the host memory of an mm whose threads were killed (deadlock, watchdog) after
 * the simulation has stopped: no simulated cost, no page is returned to the allocator. */
void mm_free_after_run(struct mm_struct *mm);

/* First VMA with vm_end > addr, or NULL. Caller holds mmap_lock. */
struct vm_area_struct *find_vma(struct mm_struct *mm, u64 addr);
/* The VMA containing addr, or NULL. Caller holds mmap_lock. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, u64 addr);

struct inode;

/* mmap(2): returns the address or -errno. addr with MAP_FIXED is honoured (replacing what
 * was there), MAP_FIXED_NOREPLACE fails with EEXIST on overlap; without either a free
 * hint is honoured, else the top-down search below mmap_base. file NULL: anonymous
 * (MAP_SHARED anonymous gets a shmem file of its own); pgoff is the file page offset.
 * extra_vm_flags are added to the VMA (VM_SHM for shmat). vm_mmap is the anonymous-only
 * entry for generators. */
s64 do_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags,
	    struct inode *file, u64 pgoff, u64 extra_vm_flags);
s64 vm_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags);
/* munmap(2) of any range: splits VMAs at the edges. Returns 0 or -errno. */
int vm_munmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len);
/* mprotect(2): 0, or -MM_ENOMEM when the range has a hole (the VMAs before it were
 * changed, as the kernel's VMA-by-VMA walk does). */
int vm_mprotect(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot);
/* mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE, MREMAP_FIXED at new_addr,
 * MREMAP_DONTUNMAP). Returns the new address or -errno. */
s64 vm_mremap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 old_len, u64 new_len,
	      u32 flags, u64 new_addr);
/* brk(2): returns the new break, or the current one when the request cannot be met. The
 * heap starts where mm_set_brk_base() put it (a trace's first brk result). */
s64 vm_brk(struct task *tsk, struct mm_struct *mm, u64 brk);
void mm_set_brk_base(struct mm_struct *mm, u64 brk);
/* A fault below a VM_GROWSDOWN VMA grows it (8 MiB rlimit, 256-page guard gap); true
 * when addr is mapped now. Takes mmap_lock for write. */
bool expand_stack(struct task *tsk, struct mm_struct *mm, u64 addr);
/* The bytes from addr (of len) a system call can copy to (write) or from user memory:
 * VMAs without a hole that allow the access. 0: the call fails with EFAULT; less than
 * len: a read/write copies that much (a short count). */
u64 user_access_len(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write);
/* madvise(2): DONTNEED, FREE, REMOVE, HUGEPAGE, NOHUGEPAGE, DONTFORK/DOFORK,
 * WIPEONFORK/KEEPONFORK, NORMAL/RANDOM/SEQUENTIAL/WILLNEED. *modelled is false for advice whose model belongs to a later part (PAGEOUT,
 * COLLAPSE, ...): nothing is done. Returns 0 or -errno (ENOMEM for a hole). */
int vm_madvise(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 advice,
	       bool *modelled);
/* mlock(2)/mlock2(2) (lock: flags VM_LOCKED, with VM_LOCKONFAULT for MLOCK_ONFAULT) and
 * munlock(2) (flags 0): set the VMAs' lock flags over the range (split and merged; hugetlb
 * VMAs are left unflagged), lock or unlock their present pages, then fault the rest in
 * unless on-fault. A hole stops it there: -MM_ENOMEM after the part before was done. */
int vm_mlock(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, u64 flags);
/* mlockall(2) (MCL_*) and munlockall(2) (flags 0). 0 or -MM_EINVAL. */
int vm_mlockall(struct task *tsk, struct mm_struct *mm, u32 flags);
/* MADV_POPULATE_READ/WRITE: fault in every page of the range, VMA by VMA. Returns the
 * faults taken, or -errno where it stopped (the part before stays populated): ENOMEM at
 * a hole or when a fault cannot allocate, EINVAL for a VMA without the permission, EFAULT
 * for a fault that is SIGBUS (past the end of a file). */
s64 vm_madvise_populate(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write);
struct mempolicy;
/* mbind_range: make VMA boundaries at start and end, give every VMA inside a copy of pol
 * (mempolicy.c: mpol_vma_replace), then merge the VMAs that became equal. Caller holds
 * mmap_lock for write. 0, or -errno when a VMA may not be split there. */
int mbind_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end, struct mempolicy *pol);
/* Consistency of an address space (--check, tests): VMAs sorted, page-aligned, not
 * overlapping; every present PTE inside a VMA and pointing at an allocated page whose
 * mapcount counts it (at least one per PTE); the mm's RSS counters equal its present
 * anonymous, file and shmem PTEs. Returns 0, or -1 with a description in msg. */
int check_mm(const struct sim *sim, struct mm_struct *mm, char *msg, size_t msglen);
/* --check after one op: the PMD slots and PTE tables covering [start, end) of mm (as
 * check_mm, without the RSS totals), and the VMA order when vmas. 0, or -1 with msg. */
int check_mm_range(const struct sim *sim, struct mm_struct *mm, u64 start, u64 end, bool vmas,
		   char *msg, size_t msglen);
/* fork: copy oldmm's VMAs and page tables into the empty mm. */
int dup_mmap(struct task *tsk, struct mm_struct *oldmm, struct mm_struct *mm);

#endif
