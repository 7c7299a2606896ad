/* lock_core.c - what every lock kind shares: class statistics lookup, the FIFO of
 * parked waiters, the wait for a logically-held lock, the lock-word atomic. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/lock_internal.h"

void lock_base_init(struct lock_base *b, const struct lock_class *c)
{
	*b = (struct lock_base){ .class = c, .last_cpu = -1, .last_node = -1 };
}

void lock_bug(const struct task *tsk, const struct lock_base *b, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mmsim: BUG: lock %s: ", b && b->class ? b->class->name : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (tsk)
		fprintf(stderr, " (task %s/%u, %d locks held)", tsk->comm, tsk->id, tsk->lockdep_depth);
	fprintf(stderr, "\n");
	abort();
}

struct lock_class_stats *lock_stats(struct task *tsk, struct lock_base *b)
{
	if (unlikely(!b->stats))
		b->stats = lockstat_class(tsk->sim->lockstat, b->class);
	return b->stats;
}

unsigned lock_touch(struct task *tsk, struct lock_base *b)
{
	unsigned flags = 0;
	if (b->last_cpu >= 0 && (unsigned)b->last_cpu != tsk->cpu) {
		flags |= LOCK_BOUNCE;
		if ((unsigned)b->last_node != tsk->node)
			flags |= LOCK_BOUNCE_NODE;
	}
	const struct cost_table *c = tsk->sim->cost;
	if (c)
		charge(tsk, cost_atomic(c, b->last_cpu, b->last_node, (int)tsk->cpu, (int)tsk->node));
	b->last_cpu = (int)tsk->cpu;
	b->last_node = (int)tsk->node;
	return flags;
}

u64 lock_wait_until(struct task *tsk, u64 now_ns, u64 avail_ns, bool spin)
{
	if (avail_ns <= now_ns)
		return 0;
	u64 wait = avail_ns - now_ns;
	if (spin)
		charge(tsk, wait);
	else
		charge_idle(tsk, wait);
	tsk->wait_ns += wait;
	return wait;
}

void lock_acquired(struct task *tsk, struct lock_base *b, struct lock_class_stats *cs, int rw,
		   unsigned bounce, u64 wait_ns, const struct lock_site *site,
		   const struct lock_site *holder, int holder_rw, u32 holder_task)
{
	if (unlikely(!tsk->lockstat_id))
		tsk->lockstat_id = lockstat_task_id(tsk->sim->lockstat, tsk->comm);
	lockstat_acquired(cs, rw, bounce, wait_ns, site, holder, holder_rw, tsk->lockstat_id,
			  holder_task);
	b->last_site = site;
	b->last_rw = rw;
	b->last_task = tsk->lockstat_id;
}

struct lock_waiter *lock_dequeue(struct lock_base *b)
{
	struct lock_waiter *w = b->head;
	if (w) {
		b->head = w->next;
		if (!b->head)
			b->tail = NULL;
		w->next = NULL;
		b->nr_waiters--;
	}
	return w;
}

void lock_dequeue_waiter(struct lock_base *b, struct lock_waiter *w)
{
	struct lock_waiter **pp = &b->head, *prev = NULL;
	while (*pp && *pp != w) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = w->next;
	if (b->tail == w)
		b->tail = prev;
	w->next = NULL;
	b->nr_waiters--;
}

u64 lock_wait(struct task *tsk, struct lock_base *b, bool write, bool spin,
	      const struct lock_site *site, u64 request_ns)
{
	/* The entry lives on this task's stack: it is parked until a releaser has filled
	 * it in, and the releaser never touches it after waking us. */
	struct lock_waiter w = { .tsk = tsk, .site = site, .request_ns = request_ns, .write = write };
	if (b->tail)
		b->tail->next = &w;
	else
		b->head = &w;
	b->tail = &w;
	b->nr_waiters++;
	tsk->wait_entry = &w;
	tsk->wait_desc = b->class->name;
	task_park(tsk, TASK_BLOCKED_LOCK);
	tsk->wait_entry = NULL;
	tsk->wait_desc = NULL;
	if (!w.granted)
		lock_bug(tsk, b, "woken without a grant");
	u64 now = task_now(tsk);
	u64 at = w.grant_ns > now ? w.grant_ns : now;
	/* A sleeping waiter runs only after the wake-up; a spinner notices at once. */
	if (!spin && tsk->sim->cost)
		at += tsk->sim->cost->context_switch_ns;
	charge_idle(tsk, at - now);
	if (spin)
		tsk->cpu_ns += at - request_ns;  /* it spun all along */
	tsk->wait_ns += at - request_ns;
	return at;
}

/* ---- exclusive locks (spinlock, mutex): one holder, FIFO hand-off ---- */

void excl_lock(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool spin)
{
	flush_if_ahead(tsk);
	struct lock_class_stats *cs = lock_stats(tsk, b);
	lockdep_check(tsk, b, site);
	u64 t = task_now(tsk);
	u64 wait;
	const struct lock_site *holder = b->last_site;
	u32 holder_task = b->last_task;
	int holder_rw = b->last_rw;
	if (!b->owner && !b->head) {
		wait = lock_wait_until(tsk, t, b->avail_ns, spin);
		b->owner = tsk;
	} else {
		wait = ns_since(lock_wait(tsk, b, true, spin, site, t), t);  /* the releaser made us owner */
	}
	b->owner_site = site;
	unsigned bounce = lock_touch(tsk, b);
	lock_acquired(tsk, b, cs, LS_WRITE, bounce, wait, site, holder, holder_rw, holder_task);
	lock_tl_wait(tsk, b, site, false, t, wait);
	lockdep_push(tsk, b, site, false, task_now(tsk));
}

bool excl_trylock(struct task *tsk, struct lock_base *b, const struct lock_site *site)
{
	struct lock_class_stats *cs = lock_stats(tsk, b);
	if (b->owner || b->head || b->avail_ns > task_now(tsk)) {
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

void excl_unlock(struct task *tsk, struct lock_base *b, const struct lock_site *site)
{
	flush_if_ahead(tsk);
	if (b->owner != tsk)
		lock_bug(tsk, b, "released by a task that does not hold it (%s:%d)", site->func,
			 site->line);
	u64 r = task_now(tsk);
	u64 acquired = lockdep_pop(tsk, b, site, false);
	lockstat_released(lock_stats(tsk, b), LS_WRITE, ns_since(r, acquired));
	b->avail_ns = r;
	b->owner = NULL;
	b->owner_site = NULL;
	struct lock_waiter *w = lock_dequeue(b);
	if (w) {
		/* Hand off: all bookkeeping before the wake, which may run the waiter. */
		struct task *next = w->tsk;
		b->owner = next;
		b->owner_site = w->site;
		w->grant_ns = r;
		w->granted = true;
		task_unpark(tsk, next);
	}
}
