/* spinlock.c - spinlock_t: an exclusive lock whose waiters spin (CPU time). */
#include "locks/spinlock.h"
#include "locks/lock_internal.h"

void spin_lock_init(spinlock_t *l, const struct lock_class *c)
{
	lock_base_init(&l->b, c);
}

void spin_lock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site)
{
	excl_lock(tsk, &l->b, site, true);
}

bool spin_trylock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site)
{
	return excl_trylock(tsk, &l->b, site);
}

void spin_unlock_at(struct task *tsk, spinlock_t *l, const struct lock_site *site)
{
	excl_unlock(tsk, &l->b, site);
}

bool spin_is_locked(const spinlock_t *l)
{
	return l->b.owner != NULL;
}
