/* rwsem.c - struct rw_semaphore (see rwsem.h for the queueing rules).
 *
 * In real (execution) order the semaphore is owned by a writer, held by `readers`
 * readers, or free; b.avail_ns is the logical time the last writer released it and
 * readers_avail_ns the latest logical release of a reader, so a task that finds it free
 * still waits until those times (no simcall). Waiters park FIFO on b's queue. */
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lock_internal.h"
#include "locks/rwsem.h"

#define MAX_READERS_WAKEUP 256

void init_rwsem(struct rw_semaphore *s, const struct lock_class *c)
{
	lock_base_init(&s->b, c);
	s->readers = 0;
	s->readers_avail_ns = 0;
}

/* Serve the head of the queue at logical time t: one writer if the semaphore is free,
 * or (head is a reader) every queued reader, up to MAX_READERS_WAKEUP (6.1's
 * rwsem_mark_wake()). All bookkeeping is done before the first wake-up. Returns the
 * number of tasks woken. */
static unsigned rwsem_wake(struct task *waker, struct rw_semaphore *s, u64 t)
{
	struct lock_base *b = &s->b;
	struct task *wake[MAX_READERS_WAKEUP];
	unsigned n = 0;

	if (!b->head || b->owner)
		return 0;
	if (b->head->write) {
		if (s->readers)
			return 0;
		struct lock_waiter *w = lock_dequeue(b);
		b->owner = w->tsk;
		b->owner_site = w->site;
		w->grant_ns = t;
		w->granted = true;
		wake[n++] = w->tsk;
	} else {
		/* Unlink each reader with its predecessor at hand: one pass over the queue. */
		struct lock_waiter *w = b->head, *prev = NULL, *next;
		for (; w && n < MAX_READERS_WAKEUP; w = next) {
			next = w->next;
			if (w->write) {
				prev = w;
				continue;
			}
			if (prev)
				prev->next = next;
			else
				b->head = next;
			if (b->tail == w)
				b->tail = prev;
			w->next = NULL;
			b->nr_waiters--;
			s->readers++;
			w->grant_ns = t;
			w->granted = true;
			wake[n++] = w->tsk;
		}
	}
	for (unsigned i = 0; i < n; i++)
		task_unpark(waker, wake[i]);
	return n;
}

/* 6.1's rwsem_cond_wake_waiter() for a task about to queue: when the semaphore is
 * owned by readers (no writer) and a reader heads the queue, which happens only once a
 * wake-up stopped at MAX_READERS_WAKEUP, the newcomer wakes the queued readers (a
 * reader in rwsem_down_read_slowpath(), a writer that is not first in
 * rwsem_down_write_slowpath()). Returns how many it woke, or -1 when the rule does not
 * apply. */
static int rwsem_wake_read_owned(struct task *tsk, struct rw_semaphore *s, u64 t)
{
	struct lock_base *b = &s->b;
	if (b->owner || !s->readers || !b->head || b->head->write)
		return -1;
	return (int)rwsem_wake(tsk, s, t);
}

void down_read_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	flush_if_ahead(tsk);
	struct lock_class_stats *cs = lock_stats(tsk, b);
	lockdep_check(tsk, b, site);
	u64 t = task_now(tsk);
	u64 wait;
	const struct lock_site *holder = b->last_site;
	u32 holder_task = b->last_task;
	int holder_rw = b->last_rw;
	int woken = b->head ? rwsem_wake_read_owned(tsk, s, t) : -1;
	if (!b->owner && (!b->head || (woken >= 0 && woken < MAX_READERS_WAKEUP))) {
		/* Free, or owned by readers and this reader is within the batch it woke (it
		 * queued at the tail, behind the readers it woke). */
		wait = lock_wait_until(tsk, t, b->avail_ns, false);
		s->readers++;
	} else {
		wait = ns_since(lock_wait(tsk, b, false, false, site, t), t);  /* readers counted by waker */
	}
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_READ, bounce, wait, site, holder, holder_rw, holder_task);
	lock_tl_wait(tsk, b, site, true, t, wait);
	lockdep_push(tsk, b, site, true, task_now(tsk));
}

bool down_read_trylock_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	struct lock_class_stats *cs = lock_stats(tsk, b);
	if (b->owner || b->head || b->avail_ns > task_now(tsk)) {
		lockstat_trylock_failed(cs, LS_READ);
		return false;
	}
	s->readers++;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_READ, bounce, 0, site, NULL, LS_WRITE, 0);
	lockdep_push(tsk, b, site, true, task_now(tsk));
	return true;
}

void up_read_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	flush_if_ahead(tsk);
	if (!s->readers)
		lock_bug(tsk, b, "up_read without readers (%s:%d)", site->func, site->line);
	u64 r = task_now(tsk);
	u64 acquired = lockdep_pop(tsk, b, site, true);
	lockstat_released(lock_stats(tsk, b), LS_READ, ns_since(r, acquired));
	s->readers--;
	if (r > s->readers_avail_ns)
		s->readers_avail_ns = r;
	if (!s->readers)
		rwsem_wake(tsk, s, s->readers_avail_ns > b->avail_ns ? s->readers_avail_ns : b->avail_ns);
}

void down_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	flush_if_ahead(tsk);
	struct lock_class_stats *cs = lock_stats(tsk, b);
	lockdep_check(tsk, b, site);
	u64 t = task_now(tsk);
	u64 wait;
	const struct lock_site *holder = b->last_site;
	u32 holder_task = b->last_task;
	int holder_rw = b->last_rw;
	if (b->head)
		rwsem_wake_read_owned(tsk, s, t);
	if (!b->owner && !s->readers && !b->head) {
		u64 avail = s->readers_avail_ns > b->avail_ns ? s->readers_avail_ns : b->avail_ns;
		wait = lock_wait_until(tsk, t, avail, false);
		b->owner = tsk;
	} else {
		wait = ns_since(lock_wait(tsk, b, true, false, site, t), t);
	}
	b->owner_site = site;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_WRITE, bounce, wait, site, holder, holder_rw, holder_task);
	lock_tl_wait(tsk, b, site, false, t, wait);
	lockdep_push(tsk, b, site, false, task_now(tsk));
}

bool down_write_trylock_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	struct lock_class_stats *cs = lock_stats(tsk, b);
	u64 t = task_now(tsk);
	if (b->owner || s->readers || b->head || b->avail_ns > t || s->readers_avail_ns > t) {
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

void up_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	flush_if_ahead(tsk);
	if (b->owner != tsk)
		lock_bug(tsk, b, "up_write by a task that does not hold it (%s:%d)", site->func,
			 site->line);
	u64 r = task_now(tsk);
	u64 acquired = lockdep_pop(tsk, b, site, false);
	lockstat_released(lock_stats(tsk, b), LS_WRITE, ns_since(r, acquired));
	b->avail_ns = r;
	b->owner = NULL;
	b->owner_site = NULL;
	rwsem_wake(tsk, s, r);
}

void downgrade_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site)
{
	struct lock_base *b = &s->b;
	flush_if_ahead(tsk);
	if (b->owner != tsk)
		lock_bug(tsk, b, "downgrade_write by a task that does not hold it (%s:%d)", site->func,
			 site->line);
	u64 r = task_now(tsk);
	/* The write hold ends here; the same task now holds it for read. */
	u64 acquired = lockdep_pop(tsk, b, site, false);
	lockstat_released(lock_stats(tsk, b), LS_WRITE, ns_since(r, acquired));
	lockdep_push(tsk, b, site, true, r);
	b->owner = NULL;
	b->owner_site = NULL;
	b->avail_ns = r;
	s->readers++;
	if (b->head && !b->head->write)
		rwsem_wake(tsk, s, r);
}

bool rwsem_is_locked(const struct rw_semaphore *s)
{
	return s->b.owner || s->readers;
}

bool rwsem_is_contended(const struct rw_semaphore *s)
{
	return s->b.head != NULL;
}
