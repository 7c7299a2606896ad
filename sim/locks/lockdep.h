/* lockdep.h - lock-order checking and held-lock assertions.
 *
 * Every acquisition records, for each class already held by the task, the edge
 * held -> acquired with the call path that first created it. An acquisition that would
 * close a cycle is reported once as a FINDING_LOCK_INVERSION with both paths. Held-lock
 * assertions abort through MM_BUG-style reporting when a locking contract is broken. */
#ifndef MMSIM_LOCKS_LOCKDEP_H
#define MMSIM_LOCKS_LOCKDEP_H

#include "locks/lock_class.h"

struct rw_semaphore;

/* Is the lock (any kind) held by tsk? read: -1 any, 0 exclusive, 1 shared. */
bool lock_is_held_by(const struct task *tsk, const void *lock, int read);

void lockdep_assert_held_at(const struct task *tsk, const void *lock, int read,
			    const char *expr, const char *file, int line);
#define lockdep_assert_held(tsk, l) lockdep_assert_held_at((tsk), (l), -1, #l, __FILE__, __LINE__)
#define lockdep_assert_held_write(tsk, l) lockdep_assert_held_at((tsk), (l), 0, #l, __FILE__, __LINE__)
#define lockdep_assert_held_read(tsk, l) lockdep_assert_held_at((tsk), (l), 1, #l, __FILE__, __LINE__)

#endif
