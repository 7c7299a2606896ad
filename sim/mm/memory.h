/* memory.h - page faults and page-table teardown (models mm/memory.c).
 * handle_mm_fault() is called with mmap_lock held for read, as the kernel's fault path
 * does; it takes mm->page_table_lock to install a PTE table and the table's split PTE
 * lock to install the PTE. Anonymous read faults map the shared zero page; a write to it
 * or to an unmapped page allocates a zeroed page on the task's node. */
#ifndef MMSIM_MM_MEMORY_H
#define MMSIM_MM_MEMORY_H

#include "mm/mm_types.h"

typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM 0x0001
#define VM_FAULT_SIGBUS 0x0002
#define VM_FAULT_SIGSEGV 0x0040
#define VM_FAULT_NOPAGE 0x0100        /* nothing to do: someone else installed it */
#define VM_FAULT_RETRY 0x0400         /* the page is locked (swap I/O in flight): not mapped */

#define FAULT_FLAG_WRITE 0x01

vm_fault_t handle_mm_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr,
			   unsigned int flags);

/* khugepaged's swap-in of the swap PTE at addr (do_swap_page for a read, as
 * __collapse_huge_page_swapin calls it): a page found in the swap cache is mapped (0);
 * otherwise VM_FAULT_RETRY with the PTE unchanged, after submitting the readahead into the
 * swap cache when read_if_missing (its pages counted into *deferred_io, or read at once
 * when deferred_io is NULL). VM_FAULT_NOPAGE: no swap PTE there any more. Caller holds
 * mmap_lock. */
vm_fault_t collapse_swapin_one(struct task *tsk, struct vm_area_struct *vma, u64 addr,
				bool read_if_missing, u64 *deferred_io);

/* What a thread's load/store does to every page of [addr, addr+len): a mapped page
 * costs a memory access (local or remote); a missing or write-protected one takes a page
 * fault under mmap_lock (read). Returns the number of faults taken, or -MM_EFAULT (SIGSEGV:
 * no VMA or no permission), -MM_EBUSY (SIGBUS: beyond the end of a mapped file) or
 * -MM_ENOMEM (the fault could not allocate). */
s64 touch_range(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write);

/* Unmap every page of vma in [start, end) (a range inside the VMA); each page loses the
 * mapping's reference and is freed with its last one. Page tables stay. Caller holds
 * mmap_lock (read for MADV_DONTNEED, write for munmap). */
struct inode;
void zap_page_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);
/* Free the PTE tables in [start, end) that no VMA overlaps any more (free_pgtables:
 * after the VMAs of an unmapped range are gone). Caller holds mmap_lock for write. */
void free_pgtables(struct task *tsk, struct mm_struct *mm, u64 start, u64 end);
/* Unmap pages of a file with index in [start, end) from every VMA mapping it, private
 * COW copies included (truncate, hole punch). */
void unmap_mapping_pages(struct task *tsk, struct inode *inode, u64 start, u64 end);
/* fork: copy the PTEs of src (parent) into dst (child), sharing anonymous pages
 * copy-on-write (both PTEs write-protected). Returns 0 or -MM_ENOMEM. */
int copy_page_range(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src);

/* A PTE table for mm that is not installed (pte_alloc_one, e.g. to deposit under a huge
 * PMD): its page is allocated and counted in NR_PAGETABLE and mm->nr_ptes. NULL if the
 * allocator fails. */
struct pte_table *pte_alloc_one(struct task *tsk, struct mm_struct *mm);
/* Free a PTE table that is no longer installed (deposited table withdrawn, a table taken
 * out by a collapse, or a race's loser): its page, NR_PAGETABLE, mm->nr_ptes. */
void pte_free(struct task *tsk, struct mm_struct *mm, struct pte_table *t);
/* The PTE table covering addr, allocated if missing; NULL if the allocator fails. */
struct pte_table *pte_alloc_for(struct task *tsk, struct mm_struct *mm, u64 addr);
/* MADV_FREE on [start, end) of a private anonymous VMA: the PTEs of exclusive pages are
 * made clean and old and the pages queued to become lazily free (mark_page_lazyfree: not
 * swap-backed once the batch drains, then reclaim discards them unless written again).
 * Returns the pages of whole THPs made lazily free at once (counted by the caller). */
u64 madv_free_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);

/* A PTE that mapped pfn was cleared or made a swap entry (reclaim's try_to_unmap): the
 * mapping's accounting (mapcount, RSS, NR_*_MAPPED). The caller drops the reference. */
void page_remove_rmap(struct task *tsk, struct mm_struct *mm, u64 pfn, struct inode *file);

/* Page-table hash helpers (mmap.c and memory.c). */
struct pmd_slot *pmd_lookup(struct mm_struct *mm, u64 addr);
/* The slot of addr, created (PMD_NONE) if missing; caller holds the page table lock. A
 * creation may move other slots: no slot pointer survives it. */
struct pmd_slot *pmd_alloc_slot(struct mm_struct *mm, u64 addr);
/* Free every page table; with tsk, their pages go back to the allocator (exit), without
 * only host memory is released (after the run). */
void pgtables_destroy(struct task *tsk, struct mm_struct *mm);
/* Bytes of page tables (mm_pgtables_bytes): the PTE tables, plus the PMD and PUD tables
 * above the PMD entries in use (the upper levels are not kept as tables: counted from the
 * entries, as if each were freed with its last entry). */
u64 mm_pgtables_bytes(const struct mm_struct *mm);

#endif
