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
#define VM_FAULT_SIGSEGV 0x0040
#define VM_FAULT_NOPAGE 0x0100        /* nothing to do: someone else installed it */

#define FAULT_FLAG_WRITE 0x01

vm_fault_t handle_mm_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr,
			   unsigned int flags);

/* What a thread's load/store does to every page of [addr, addr+len): a mapped page
 * costs a memory access (local or remote); a missing or write-protected one takes a page
 * fault under mmap_lock (read). Returns the number of faults taken, or -MM_EFAULT (SIGSEGV:
 * no VMA or no permission) or -MM_ENOMEM (the fault could not allocate). */
s64 touch_range(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write);

/* Unmap and free every page in [start, end); free PTE tables left empty.
 * Caller holds mmap_lock for write. */
void zap_page_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end);

/* Page-table hash helpers (mmap.c and memory.c). */
struct pmd_slot *pmd_lookup(struct mm_struct *mm, u64 addr);
/* Free every page table; with tsk, their pages go back to the allocator (exit), without
 * only host memory is released (after the run). */
void pgtables_destroy(struct task *tsk, struct mm_struct *mm);

#endif
