/* rwsem.h - struct rw_semaphore with the kernel's queueing rules (kernel/locking/rwsem.c,
 * 6.1): many readers or one writer; once anyone is queued, new readers queue too, so a
 * queued writer blocks every later reader. On release the head of the queue is served:
 * a writer alone, or, when the head is a reader, every queued reader at once (6.1's
 * phase-fair wake-up: readers anywhere in the queue join the reader phase; writers keep
 * their order). down_*_trylock never wait; downgrade_write() turns the write hold into a
 * read hold and, if the head waiter is a reader, admits the queued readers.
 * A wake-up admits at most MAX_READERS_WAKEUP (256) readers; while the semaphore is
 * owned by readers with a reader still at the head of the queue, a newcomer (reader or
 * writer) wakes the queued readers first, and a reader joins them if it is within the
 * 256 (6.1's rwsem_cond_wake_waiter()).
 * Not modelled: optimistic spinning, reader lock stealing, the hand-off bit. A release
 * grants the lock to the woken waiter directly, so the semaphore is never free with
 * waiters queued: the window in which 6.1 lets a reader steal it (not writer-owned, no
 * hand-off pending) does not exist here, which is what the hand-off bit enforces after
 * a writer has waited RWSEM_WAIT_TIMEOUT (4 ms at HZ=250). */
#ifndef MMSIM_LOCKS_RWSEM_H
#define MMSIM_LOCKS_RWSEM_H

#include "locks/lock_class.h"

struct rw_semaphore {
	struct lock_base b;
	u32 readers;                  /* current read holders */
	u64 readers_avail_ns;         /* latest logical release time of a reader */
};

void init_rwsem(struct rw_semaphore *s, const struct lock_class *c);
void down_read_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
bool down_read_trylock_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
void up_read_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
void down_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
bool down_write_trylock_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
void up_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
void downgrade_write_at(struct task *tsk, struct rw_semaphore *s, const struct lock_site *site);
bool rwsem_is_locked(const struct rw_semaphore *s);
bool rwsem_is_contended(const struct rw_semaphore *s);

#define down_read(tsk, s) down_read_at((tsk), (s), LOCK_SITE())
#define down_read_trylock(tsk, s) down_read_trylock_at((tsk), (s), LOCK_SITE())
#define up_read(tsk, s) up_read_at((tsk), (s), LOCK_SITE())
#define down_write(tsk, s) down_write_at((tsk), (s), LOCK_SITE())
#define down_write_trylock(tsk, s) down_write_trylock_at((tsk), (s), LOCK_SITE())
#define up_write(tsk, s) up_write_at((tsk), (s), LOCK_SITE())
#define downgrade_write(tsk, s) downgrade_write_at((tsk), (s), LOCK_SITE())

#endif
