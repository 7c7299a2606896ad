/* mutex.c - struct mutex: an exclusive sleeping lock; waiters sleep and pay a wake-up. */
#include "locks/mutex.h"
#include "locks/lock_internal.h"

void mutex_init(struct mutex *m, const struct lock_class *c)
{
	lock_base_init(&m->b, c);
}

void mutex_lock_at(struct task *tsk, struct mutex *m, const struct lock_site *site)
{
	excl_lock(tsk, &m->b, site, false);
}

bool mutex_trylock_at(struct task *tsk, struct mutex *m, const struct lock_site *site)
{
	return excl_trylock(tsk, &m->b, site);
}

void mutex_unlock_at(struct task *tsk, struct mutex *m, const struct lock_site *site)
{
	excl_unlock(tsk, &m->b, site);
}

bool mutex_is_locked(const struct mutex *m)
{
	return m->b.owner != NULL;
}
