/* lockdep.c - lock-order checking in the manner of the kernel's lockdep, per class.
 * Each acquisition made while other classes are held adds the edges held -> new to the
 * class graph (kept in lockstat) with the path that first produced them. An edge that
 * closes a cycle is an inversion: reported once, as a finding carrying both paths.
 * Nesting two locks of one class is not checked (the kernel needs subclass annotations
 * for that; mmsim has none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lock_internal.h"
#include "locks/lockdep.h"
#include "stats/findings.h"

static int class_index(const struct held_lock *h)
{
	return lockstat_class_index(((const struct lock_base *)h->lock)->stats);
}

static char *held_path(const struct task *tsk, const struct lock_base *b,
		       const struct lock_site *site)
{
	char *s = xasprintf("%s/%u:", tsk->comm, tsk->id);
	for (int i = 0; i < tsk->lockdep_depth; i++) {
		const struct held_lock *h = &tsk->held[i];
		char *n = xasprintf("%s %s%s at %s:%d ->", s, h->class->name, h->read ? "-R" : "",
				    h->site->func, h->site->line);
		free(s);
		s = n;
	}
	char *n = xasprintf("%s %s at %s:%d", s, b->class->name, site->func, site->line);
	free(s);
	return n;
}

/* A held lock whose class has no edge to the new one's yet (or the same lock again):
 * out of line, so that the common walk over known edges stays small. */
static __attribute__((noinline, cold)) void lockdep_new_edge(struct task *tsk,
							     struct lock_base *b,
							     const struct lock_site *site,
							     const struct held_lock *h, int from, int to)
{
	struct lockstat *ls = tsk->sim->lockstat;
	if (h->lock == b)
		lock_bug(tsk, b, "recursive acquisition at %s:%d, already held since %s:%d",
			 site->func, site->line, h->site->func, h->site->line);
	char *path = held_path(tsk, b, site);
	char *back = lockstat_edge_path(ls, to, from);
	if (back) {
		lockstat_note_inversion(ls);
		struct findings *f = lockstat_findings(ls);
		if (f)
			finding_report(f, FINDING_LOCK_INVERSION, task_now(tsk),
				       "lock order inversion: %s -> %s\n"
				       "  this path:    %s\n"
				       "  earlier path: %s",
				       lockstat_class_name(ls, from), lockstat_class_name(ls, to),
				       path, back);
		free(back);
	}
	lockstat_edge_add(ls, from, to, path);
	free(path);
}

void lockdep_check(struct task *tsk, struct lock_base *b, const struct lock_site *site)
{
	int n = tsk->lockdep_depth;
	if (!n)
		return;
	struct lockstat *ls = tsk->sim->lockstat;
	int to = lockstat_class_index(b->stats);
	for (int i = 0; i < n; i++) {
		const struct held_lock *h = &tsk->held[i];
		int from = class_index(h);
		if (h->lock == b || (from != to && !lockstat_edge_exists(ls, from, to)))
			lockdep_new_edge(tsk, b, site, h, from, to);
	}
}

static __attribute__((noinline, cold)) void lockdep_push_slow(struct task *tsk,
							      struct lock_base *b,
							      const struct lock_site *site,
							      bool read, u64 now_ns)
{
	if (tsk->lockdep_depth >= MAX_LOCK_DEPTH)
		lock_bug(tsk, b, "more than %d locks held", MAX_LOCK_DEPTH);
	tsk->held[tsk->lockdep_depth++] = (struct held_lock){
		.lock = b, .class = b->class, .site = site, .acquired_ns = now_ns, .read = read,
	};
	if (tsk->lockdep_depth == 1)
		task_lock_depth_changed(tsk);
	lock_tl_acquired(tsk, b, site, read, now_ns);
}

void lockdep_push(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool read,
		  u64 now_ns)
{
	if (unlikely(tsk->lockdep_depth >= MAX_LOCK_DEPTH || tsk->sim->timeline != NULL)) {
		lockdep_push_slow(tsk, b, site, read, now_ns);
		return;
	}
	tsk->held[tsk->lockdep_depth++] = (struct held_lock){
		.lock = b, .class = b->class, .site = site, .acquired_ns = now_ns, .read = read,
	};
	if (tsk->lockdep_depth == 1)
		task_lock_depth_changed(tsk);
}

struct held_lock *lockdep_find(struct task *tsk, const void *lock)
{
	for (int i = tsk->lockdep_depth - 1; i >= 0; i--)
		if (tsk->held[i].lock == lock)
			return &tsk->held[i];
	return NULL;
}

static __attribute__((noinline, cold)) u64 lockdep_pop_slow(struct task *tsk,
							     struct lock_base *b,
							     const struct lock_site *site, bool read)
{
	struct held_lock *h = lockdep_find(tsk, b);
	if (!h)
		lock_bug(tsk, b, "released at %s:%d but not held", site->func, site->line);
	if (h->read != read)
		lock_bug(tsk, b, "released for %s at %s:%d but held for %s", read ? "read" : "write",
			 site->func, site->line, h->read ? "read" : "write");
	u64 acquired = h->acquired_ns;
	lock_tl_released(tsk, b, h);
	int i = (int)(h - tsk->held);
	memmove(&tsk->held[i], &tsk->held[i + 1],
		(size_t)(tsk->lockdep_depth - i - 1) * sizeof(tsk->held[0]));
	tsk->lockdep_depth--;
	if (!tsk->lockdep_depth)
		task_lock_depth_changed(tsk);
	return acquired;
}

u64 lockdep_pop(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool read)
{
	/* Locks are mostly released in reverse order: the top of the stack first. */
	int top = tsk->lockdep_depth - 1;
	if (likely(top >= 0 && tsk->held[top].lock == b && tsk->held[top].read == read &&
		   tsk->sim->timeline == NULL)) {
		tsk->lockdep_depth = top;
		if (!top)
			task_lock_depth_changed(tsk);
		return tsk->held[top].acquired_ns;
	}
	return lockdep_pop_slow(tsk, b, site, read);
}

bool lock_is_held_by(const struct task *tsk, const void *lock, int read)
{
	for (int i = 0; i < tsk->lockdep_depth; i++)
		if (tsk->held[i].lock == lock)
			return read < 0 || tsk->held[i].read == read;
	return false;
}

void lockdep_assert_held_at(const struct task *tsk, const void *lock, int read, const char *expr,
			    const char *file, int line)
{
	if (lock_is_held_by(tsk, lock, read))
		return;
	lock_bug(tsk, lock, "%s:%d: lockdep_assert_held%s(%s) failed", file, line,
		 read == 0 ? "_write" : read == 1 ? "_read" : "", expr);
}
