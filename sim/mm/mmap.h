/* mmap.h - address-space operations (models mm/mmap.c): mm lifetime, VMA lookup,
 * mmap and munmap. Entry points take mmap_lock for write themselves; helpers named
 * __x expect it held. Not modelled yet: VMA merging, mremap, mprotect, file mappings
 * (the virtual-memory issue). */
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

/* mmap(2) of anonymous memory: returns the address or -errno. addr with MAP_FIXED is
 * honoured (replacing what was there); without it, a free hint is honoured. */
s64 vm_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags);
/* munmap(2) of any range: splits VMAs at the edges. Returns 0 or -errno. */
int vm_munmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len);

#endif
