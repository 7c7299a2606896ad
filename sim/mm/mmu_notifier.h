/* mmu_notifier.h - mmu_notifier_register and the mm_take_all_locks it runs (models
 * mm/mmu_notifier.c and the mm_take_all_locks/mm_drop_all_locks of mm/mmap.c, 6.1; seed
 * 002's second patch). Kept beside its one caller rather than in mmap.c.
 *
 * Registration takes mmap_lock for write, then the global mm_all_locks_mutex, then every
 * i_mmap_rwsem of the mm's file VMAs (hugetlbfs mappings first, then the others) and the
 * rwsem of every anon_vma on the VMAs' anon_vma chains, each once and for write; holds them
 * for the notifier setup (setup_ns of CPU time, during which other tasks run and queue)
 * and drops them in reverse order. Faults (mmap_lock read), truncation's unmapping
 * (i_mmap_rwsem read) and anon_vma users queue behind them: the waiters queued on each
 * kind when the locks are dropped are counted (metrics.mm_take_all_locks).
 * Not modelled: interruption by a signal (-EINTR), the notifier itself (no secondary MMU),
 * anon_vma roots (mmsim's anon_vmas have none: each is locked), more than
 * MM_ALL_LOCKS_MAX locks (mmsim's lockdep depth): the rest are counted as not taken. */
#ifndef MMSIM_MM_MMU_NOTIFIER_H
#define MMSIM_MM_MMU_NOTIFIER_H

#include "mm/mm_types.h"

#define MM_ALL_LOCKS_MAX 40

struct mm_all_locks {
	struct rw_semaphore *locked[MM_ALL_LOCKS_MAX];
	unsigned n, n_i_mmap, n_anon_vma;
	unsigned not_taken;
};

struct mm_all_locks_stats {
	u64 calls;
	u64 i_mmap_locked, anon_vma_locked, not_taken;
	u64 hold_ns;                       /* mmap_lock W acquired -> all dropped */
	u64 waiters_mmap_lock;             /* queued behind the locks when they were dropped */
	u64 waiters_i_mmap, waiters_anon_vma, waiters_mutex;
};

/* Returns 0. The caller holds no lock of the mm. */
int mmu_notifier_register(struct task *tsk, struct mm_struct *mm, u64 setup_ns);
/* Called with mmap_lock held for write; returns with every lock of the mm held. */
int mm_take_all_locks(struct task *tsk, struct mm_struct *mm, struct mm_all_locks *held);
void mm_drop_all_locks(struct task *tsk, struct mm_struct *mm, struct mm_all_locks *held);
const struct mm_all_locks_stats *mm_all_locks_stats(const struct sim *sim);

#endif
