/* rwlock.h - rwlock_t with the semantics of the kernel's queued rwlock
 * (kernel/locking/qrwlock.c, 6.1) in task context: many readers or one writer, waiters
 * spin (CPU time), and every acquire and release is an atomic RMW on the lock word,
 * charged through the cache-line bounce model (lock_core.c: a line last written by
 * another CPU costs a bounce that scales with the NUMA distance).
 *
 * Queueing, as qrwlock does it in task context: a reader takes the lock at once unless a
 * writer holds it or waits for it; a writer takes it at once only when it is free. Every
 * other arrival joins one FIFO queue (qrwlock's wait_lock is a queued spinlock). The head
 * writer marks itself waiting, which keeps new readers out while it waits for the current
 * readers to drain ("fair": a waiting writer is not starved by a stream of readers). When
 * the lock becomes free, the head of the queue is served: one writer, or the run of
 * consecutive readers at the head, up to the next queued writer (each reader at the head
 * releases wait_lock as soon as it holds the lock, so the next reader follows at once; a
 * reader behind a queued writer waits for that writer). Unlike rwsem's phase-fair wake-up,
 * readers behind a queued writer do not join the earlier readers.
 *
 * Not modelled: readers in interrupt context, which ignore a waiting writer and only wait
 * for a writer that holds the lock (the "reader-preferring" behaviour Linux keeps for
 * them: mmsim has no interrupt context). Recursive read acquisition by one task is a
 * lockdep error here, as lockdep treats a task-context qrwlock read (read_lock_is_recursive()
 * is false outside interrupts): with a writer queued in between it deadlocks. The
 * waiters' reads of the lock word while they spin are not charged as line transfers (only
 * the RMWs of acquire and release are); a failed trylock only reads the word (no RMW).
 *
 * Statistics appear in lockstat under the class name as "rwlock:R" and "rwlock:W" rows.
 * read_trylock fails if a writer holds or waits for the lock; write_trylock only succeeds on
 * a free lock with nobody queued. Neither waits. */
#ifndef MMSIM_LOCKS_RWLOCK_H
#define MMSIM_LOCKS_RWLOCK_H

#include "locks/lock_class.h"

typedef struct {
	struct lock_base b;
	u32 readers;                  /* current read holders */
	u64 readers_avail_ns;         /* latest logical release time of a reader */
} rwlock_t;

void rwlock_init(rwlock_t *l, const struct lock_class *c);
void read_lock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
bool read_trylock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
void read_unlock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
void write_lock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
bool write_trylock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
void write_unlock_at(struct task *tsk, rwlock_t *l, const struct lock_site *site);
/* Held by anyone (reader or writer). */
bool rwlock_is_locked(const rwlock_t *l);
/* Someone is queued. */
bool rwlock_is_contended(const rwlock_t *l);

#define read_lock(tsk, l) read_lock_at((tsk), (l), LOCK_SITE())
#define read_trylock(tsk, l) read_trylock_at((tsk), (l), LOCK_SITE())
#define read_unlock(tsk, l) read_unlock_at((tsk), (l), LOCK_SITE())
#define write_lock(tsk, l) write_lock_at((tsk), (l), LOCK_SITE())
#define write_trylock(tsk, l) write_trylock_at((tsk), (l), LOCK_SITE())
#define write_unlock(tsk, l) write_unlock_at((tsk), (l), LOCK_SITE())

#endif
