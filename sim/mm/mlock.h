/* mlock.h - mlocked pages and the unevictable LRU (models mm/mlock.c since the 5.18
 * rewrite: PG_mlocked, the per-CPU mlock folio batch, mlock_count).
 *
 * A page mapped by a VM_LOCKED VMA is PG_mlocked (counted in NR_MLOCK and
 * unevictable_pgs_mlocked at once) and moves to the unevictable LRU list when the CPU's
 * mlock batch drains (unevictable_pgs_culled); munlock and the unmapping of a locked page
 * queue it on the same batch, whose drain clears PG_mlocked (unevictable_pgs_munlocked)
 * and puts the page back on an evictable list (unevictable_pgs_rescued): until then the
 * batch holds a reference, so an unmapped locked page is still allocated and still
 * counted in Mlocked. The batch drains when full (MLOCK_BATCH), for a THP, in
 * lru_add_drain, and around the page walk of mlock/munlock. The VMA side (VM_LOCKED,
 * VM_LOCKONFAULT, mlock2, mlockall, MAP_LOCKED) is in mmap.c.
 *
 * Batch size and drain points are those of Linux 6.18 as recorded on its machine
 * (tests/real/mlock_oracle.*): 31 folios (6.1's PAGEVEC_SIZE is 15); the end of a populate
 * (mm_populate, MADV_POPULATE_*) drains; munmap does not. Not modelled: a locked page
 * found by reclaim on an evictable list (only the batch's transient pages could be), hence
 * unevictable_pgs_scanned and _stranded stay 0; mlock_count of a page mapped by several
 * locked VMAs is kept (a page goes back to the evictable lists with its last lock). */
#ifndef MMSIM_MM_MLOCK_H
#define MMSIM_MM_MLOCK_H

#include "mm/mm_types.h"

#define MLOCK_BATCH 31

struct mlock_fbatch;

struct mlock_fbatch *mlock_fbatch_create(unsigned nr_cpus);
void mlock_fbatch_destroy(struct mlock_fbatch *b);

/* A present page of a VMA that became VM_LOCKED (mlock_pte_range), or a page mapped into
 * a VM_LOCKED VMA (page_add_*_rmap's mlock_vma_folio). pfn: a 4 KiB page or a THP head. */
void mlock_folio(struct task *tsk, u64 pfn);
/* A new page of a VM_LOCKED VMA, not yet on any LRU list (instead of lru_cache_add). */
void mlock_new_folio(struct task *tsk, u64 pfn);
/* The page lost a locked mapping (munlock, unmap, COW): queued with a reference. */
void munlock_folio(struct task *tsk, u64 pfn);
/* folio_add_lru_vma: a new page of vma enters the LRU (through the mlock batch if the VMA
 * is locked, else the lru_add batch). */
void folio_add_lru_vma(struct task *tsk, u64 pfn, struct vm_area_struct *vma);
/* Drain this CPU's mlock batch (lru_add_drain calls it). */
void mlock_drain_local(struct task *tsk);
/* mlock_vma_pages_range: after vma's flags changed to or from VM_LOCKED, mlock or munlock
 * its present pages in [start, end), with the drains around the walk. */
void mlock_vma_pages_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);
/* A page is being freed: still PG_mlocked, it leaves NR_MLOCK (unevictable_pgs_cleared). */
void mlock_page_freed(struct task *tsk, u64 pfn);

#endif
