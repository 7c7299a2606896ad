/* mutex.h - struct mutex: a sleeping lock, FIFO hand-off. Waiting is off-CPU. */
#ifndef MMSIM_LOCKS_MUTEX_H
#define MMSIM_LOCKS_MUTEX_H

#include "locks/lock_class.h"

struct mutex {
	struct lock_base b;
};

void mutex_init(struct mutex *m, const struct lock_class *c);
void mutex_lock_at(struct task *tsk, struct mutex *m, const struct lock_site *site);
bool mutex_trylock_at(struct task *tsk, struct mutex *m, const struct lock_site *site);
void mutex_unlock_at(struct task *tsk, struct mutex *m, const struct lock_site *site);
bool mutex_is_locked(const struct mutex *m);

#define mutex_lock(tsk, m) mutex_lock_at((tsk), (m), LOCK_SITE())
#define mutex_trylock(tsk, m) mutex_trylock_at((tsk), (m), LOCK_SITE())
#define mutex_unlock(tsk, m) mutex_unlock_at((tsk), (m), LOCK_SITE())

#endif
