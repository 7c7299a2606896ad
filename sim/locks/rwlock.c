/* rwlock.c - rwlock_t (see rwlock.h for the queueing rules).
 *
 * In real (execution) order the lock is owned by a writer, held by `readers` readers, or
 * free; b.avail_ns is the logical time the last writer released it and readers_avail_ns
 * the latest logical release of a reader, so a task that finds it free still spins until
 * those times (no simcall). Waiters park FIFO on b's queue and spin all along. */
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lock_internal.h"
#include "locks/rwlock.h"

void rwlock_init(rwlock_t *l, const struct lock_class *c)
{
	lock_base_init(&l->b, c);
	l->readers = 0;
	l->readers_avail_ns = 0;
}

static u64 rwlock_free_ns(const rwlock_t *l)
{
	return l->readers_avail_ns > l->b.avail_ns ? l->readers_avail_ns : l->b.avail_ns;
}

/* Serve the head of the queue at logical time t: one writer if nobody holds the lock, or
 * the run of readers at the head up to the next writer. The granted entries are unlinked
 * and chained first; each entry lives on its waiter's stack, so its successor is read
 * before the waiter is woken (it may run at once). */
static void rwlock_wake(struct task *waker, rwlock_t *l, u64 t)
{
	struct lock_base *b = &l->b;
	struct lock_waiter *granted = NULL, **tail = &granted;

	if (!b->head || b->owner)
		return;
	if (b->head->write) {
		if (l->readers)
			return;
		struct lock_waiter *w = lock_dequeue(b);
		b->owner = w->tsk;
		b->owner_site = w->site;
		*tail = w;
	} else {
		while (b->head && !b->head->write) {
			struct lock_waiter *w = lock_dequeue(b);
			l->readers++;
			*tail = w;
			tail = &w->next;
		}
	}
	for (struct lock_waiter *w = granted; w;) {
		struct lock_waiter *next = w->next;
		struct task *tsk = w->tsk;
		w->next = NULL;
		w->grant_ns = t;
		w->granted = true;
		task_unpark(waker, tsk);
		w = next;
	}
}

void read_lock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	flush_if_ahead(tsk);
	struct lock_class_stats *cs = lock_stats(tsk, b);
	lockdep_check(tsk, b, site);
	u64 t = task_now(tsk);
	u64 wait;
	const struct lock_site *holder = b->last_site;
	u32 holder_task = b->last_task;
	int holder_rw = b->last_rw;
	if (!b->owner && !b->head) {
		wait = lock_wait_until(tsk, t, b->avail_ns, true);
		l->readers++;
	} else {
		wait = ns_since(lock_wait(tsk, b, false, true, site, t), t);  /* counted by waker */
	}
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_READ, bounce, wait, site, holder, holder_rw, holder_task);
	lock_tl_wait(tsk, b, site, true, t, wait);
	lockdep_push(tsk, b, site, true, task_now(tsk));
}

bool read_trylock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	struct lock_class_stats *cs = lock_stats(tsk, b);
	if (b->owner || b->head || b->avail_ns > task_now(tsk)) {
		lockstat_trylock_failed(cs, LS_READ);   /* only read the word: no RMW */
		return false;
	}
	l->readers++;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_READ, bounce, 0, site, NULL, LS_WRITE, 0);
	lockdep_push(tsk, b, site, true, task_now(tsk));
	return true;
}

void read_unlock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	flush_if_ahead(tsk);
	if (!l->readers)
		lock_bug(tsk, b, "read_unlock without readers (%s:%d)", site->func, site->line);
	lock_touch(tsk, b);   /* the release is an atomic on the lock word too */
	u64 r = task_now(tsk);
	u64 acquired = lockdep_pop(tsk, b, site, true);
	lockstat_released(lock_stats(tsk, b), LS_READ, ns_since(r, acquired));
	l->readers--;
	if (r > l->readers_avail_ns)
		l->readers_avail_ns = r;
	if (!l->readers)
		rwlock_wake(tsk, l, rwlock_free_ns(l));
}

void write_lock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	flush_if_ahead(tsk);
	struct lock_class_stats *cs = lock_stats(tsk, b);
	lockdep_check(tsk, b, site);
	u64 t = task_now(tsk);
	u64 wait;
	const struct lock_site *holder = b->last_site;
	u32 holder_task = b->last_task;
	int holder_rw = b->last_rw;
	if (!b->owner && !l->readers && !b->head) {
		wait = lock_wait_until(tsk, t, rwlock_free_ns(l), true);
		b->owner = tsk;
	} else {
		wait = ns_since(lock_wait(tsk, b, true, true, site, t), t);
	}
	b->owner_site = site;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_WRITE, bounce, wait, site, holder, holder_rw, holder_task);
	lock_tl_wait(tsk, b, site, false, t, wait);
	lockdep_push(tsk, b, site, false, task_now(tsk));
}

bool write_trylock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	struct lock_class_stats *cs = lock_stats(tsk, b);
	if (b->owner || l->readers || b->head || rwlock_free_ns(l) > task_now(tsk)) {
		lockstat_trylock_failed(cs, LS_WRITE);
		return false;
	}
	b->owner = tsk;
	b->owner_site = site;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_WRITE, bounce, 0, site, NULL, LS_WRITE, 0);
	lockdep_push(tsk, b, site, false, task_now(tsk));
	return true;
}

void write_unlock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site)
{
	struct lock_base *b = &l->b;
	flush_if_ahead(tsk);
	if (b->owner != tsk)
		lock_bug(tsk, b, "write_unlock by a task that does not hold it (%s:%d)", site->func,
			 site->line);
	lock_touch(tsk, b);
	u64 r = task_now(tsk);
	u64 acquired = lockdep_pop(tsk, b, site, false);
	lockstat_released(lock_stats(tsk, b), LS_WRITE, ns_since(r, acquired));
	b->avail_ns = r;
	b->owner = NULL;
	b->owner_site = NULL;
	rwlock_wake(tsk, l, r);
}

bool rwlock_is_locked(const rwlock_t *l)
{
	return l->b.owner || l->readers;
}

bool rwlock_is_contended(const rwlock_t *l)
{
	return l->b.head != NULL;
}
