/* mmu_notifier.c - mmu_notifier_register's mm_take_all_locks (see mmu_notifier.h). */
#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "locks/lockdep.h"
#include "platform/cost.h"
#include "locks/mutex.h"
#include "locks/rwsem.h"
#include "mm/filemap.h"
#include "mm/mmu_notifier.h"
#include "mm/rmap.h"

static bool already(const struct mm_all_locks *held, const struct rw_semaphore *s)
{
	for (unsigned i = 0; i < held->n; i++)
		if (held->locked[i] == s)
			return true;
	return false;
}

static void lock_one(struct task *tsk, struct mm_all_locks *held, struct rw_semaphore *s)
{
	if (already(held, s))
		return;                     /* AS_MM_ALL_LOCKS / the anon_vma's mark: once */
	if (held->n == MM_ALL_LOCKS_MAX) {
		held->not_taken++;
		return;
	}
	down_write(tsk, s);
	held->locked[held->n++] = s;
}

int mm_take_all_locks(struct task *tsk, struct mm_struct *mm, struct mm_all_locks *held)
{
	struct mutex *all = mm_all_locks_mutex(tsk->sim);
	lockdep_assert_held_write(tsk, &mm->mmap_lock);
	mutex_lock(tsk, all);
	*held = (struct mm_all_locks){ 0 };
	/* hugetlbfs mappings first (their i_mmap_rwsem nests outside the others) */
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct inode *f = mm->vmas[i]->vm_file;
		if (f && is_file_hugepages(f))
			lock_one(tsk, held, &f->i_mmap_rwsem);
	}
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct inode *f = mm->vmas[i]->vm_file;
		if (f && !is_file_hugepages(f))
			lock_one(tsk, held, &f->i_mmap_rwsem);
	}
	held->n_i_mmap = held->n;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		const struct vm_area_struct *v = mm->vmas[i];
		for (u32 k = 0; k < v->nr_avc; k++)
			lock_one(tsk, held, &v->avc[k]->rwsem);
		if (v->anon_vma)
			lock_one(tsk, held, &v->anon_vma->rwsem);
	}
	held->n_anon_vma = held->n - held->n_i_mmap;
	return 0;
}

void mm_drop_all_locks(struct task *tsk, struct mm_struct *mm, struct mm_all_locks *held)
{
	struct mm_all_locks_stats *st = mm_all_locks_stats_mut(tsk->sim);
	lockdep_assert_held_write(tsk, &mm->mmap_lock);
	/* who is queued behind what we hold, at the moment we let go */
	for (unsigned i = 0; i < held->n; i++) {
		if (i < held->n_i_mmap)
			st->waiters_i_mmap += held->locked[i]->b.nr_waiters;
		else
			st->waiters_anon_vma += held->locked[i]->b.nr_waiters;
	}
	st->waiters_mutex += mm_all_locks_mutex(tsk->sim)->b.nr_waiters;
	for (unsigned i = held->n; i-- > 0;)
		up_write(tsk, held->locked[i]);
	mutex_unlock(tsk, mm_all_locks_mutex(tsk->sim));
}

int mmu_notifier_register(struct task *tsk, struct mm_struct *mm, u64 setup_ns)
{
	struct mm_all_locks_stats *st = mm_all_locks_stats_mut(tsk->sim);
	struct mm_all_locks held;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	down_write(tsk, &mm->mmap_lock);
	u64 t0 = task_now(tsk);
	mm_take_all_locks(tsk, mm, &held);
	charge(tsk, setup_ns);              /* the notifier's setup, everything held */
	flush(tsk);                         /* others run meanwhile, and queue */
	st->waiters_mmap_lock += mm->mmap_lock.b.nr_waiters;
	mm_drop_all_locks(tsk, mm, &held);
	up_write(tsk, &mm->mmap_lock);
	st->calls++;
	st->i_mmap_locked += held.n_i_mmap;
	st->anon_vma_locked += held.n_anon_vma;
	st->not_taken += held.not_taken;
	st->hold_ns += task_now(tsk) - t0;
	return 0;
}
