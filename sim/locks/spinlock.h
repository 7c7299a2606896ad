/* spinlock.h - spinlock_t with kernel semantics. Waiting spins: charged as CPU time.
 * Acquisition order among waiters is FIFO (a queued spinlock). */
#ifndef MMSIM_LOCKS_SPINLOCK_H
#define MMSIM_LOCKS_SPINLOCK_H

#include "locks/lock_class.h"

typedef struct {
	struct lock_base b;
} spinlock_t;

void spin_lock_init(spinlock_t *l, const struct lock_class *c);
void spin_lock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site);
bool spin_trylock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site);
void spin_unlock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site);
bool spin_is_locked(const spinlock_t *l);

#define spin_lock(tsk, l) spin_lock_at((tsk), (l), LOCK_SITE())
#define spin_trylock(tsk, l) spin_trylock_at((tsk), (l), LOCK_SITE())
#define spin_unlock(tsk, l) spin_unlock_at((tsk), (l), LOCK_SITE())

#endif
