/* lock_internal.h - private to locks/: the shared acquire/release core and the hooks
 * between the lock kinds, lockstat and lockdep. */
#ifndef MMSIM_LOCKS_LOCK_INTERNAL_H
#define MMSIM_LOCKS_LOCK_INTERNAL_H


#include "sim.h"
#include "engine/task.h"
#include "locks/lock_class.h"
#include "locks/lockstat.h"
#include "stats/timeline.h"

/* later - earlier, 0 when a rounding of SimGrid's clock (double seconds) put later 1 ns
 * before earlier: durations never wrap around. */
static inline u64 ns_since(u64 later, u64 earlier)
{
	return later > earlier ? later - earlier : 0;
}


struct task;

/* lockstat.c */
struct lock_class_stats *lockstat_class(struct lockstat *ls, const struct lock_class *c);
/* holder_site/holder_rw: the lock's latest acquisition when the waiter asked for it
 * (the kernel's lock->ip), NULL for an uncontended acquisition. */
/* waiter_task/holder_task: ids from lockstat_task_id() (0: unknown holder). */
void lockstat_acquired(struct lock_class_stats *cs, int rw, unsigned bounce, u64 wait_ns,
		       const struct lock_site *site, const struct lock_site *holder_site,
		       int holder_rw, u32 waiter_task, u32 holder_task);
/* The id (1..) of a task name (comm), for lock_pairs.csv's waiter/holder tasks. */
u32 lockstat_task_id(struct lockstat *ls, const char *comm);
void lockstat_released(struct lock_class_stats *cs, int rw, u64 hold_ns);
void lockstat_trylock_failed(struct lock_class_stats *cs, int rw);
/* lockstat.c: the class's name as lock_stat.txt prints it ("name#N" for the N-th) */
const char *lockstat_stats_name(const struct lock_class_stats *cs);
/* lockstat.c: index of a class in the lockdep graph */
int lockstat_class_index(const struct lock_class_stats *cs);

/* lockdep.c: check the order before waiting, push once acquired, pop at release
 * (returns the logical acquisition time). */
void lockdep_check(struct task *tsk, struct lock_base *b, const struct lock_site *site);
void lockdep_push(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool read,
		  u64 now_ns);
u64 lockdep_pop(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool read);
struct held_lock *lockdep_find(struct task *tsk, const void *lock);
/* lockstat.c: the class graph used by lockdep */
bool lockstat_edge_exists(const struct lockstat *ls, int from, int to);
/* Record edge from -> to with its path text (copied); returns false if it existed. */
bool lockstat_edge_add(struct lockstat *ls, int from, int to, const char *path);
/* Path of classes from -> ... -> to over recorded edges, as text with each edge's path,
 * or NULL if unreachable (caller frees). */
char *lockstat_edge_path(const struct lockstat *ls, int from, int to);
const char *lockstat_class_name(const struct lockstat *ls, int idx);
void lockstat_note_inversion(struct lockstat *ls);
struct findings *lockstat_findings(struct lockstat *ls);
__noreturn __printf(3, 4) void lock_bug(const struct task *tsk, const struct lock_base *b,
					 const char *fmt, ...);

/* lock_core.c */
struct lock_class_stats *lock_stats(struct task *tsk, struct lock_base *b);
/* Park tsk on b's FIFO as a waiter until a releaser grants the lock; returns the
 * logical time at which tsk holds it (grant + wake-up cost for sleeping locks). */
u64 lock_wait(struct task *tsk, struct lock_base *b, bool write, bool spin,
	      const struct lock_site *site, u64 request_ns);
/* Wait for a lock that is free in real order but was released at a later logical time
 * (avail_ns): charge the difference, CPU for spinning kinds. Returns the wait. */
u64 lock_wait_until(struct task *tsk, u64 now_ns, u64 avail_ns, bool spin);
#define LOCK_BOUNCE 1
#define LOCK_BOUNCE_NODE 2
/* Charge the atomic on the lock word; returns LOCK_BOUNCE* flags. */
unsigned lock_touch(struct task *tsk, struct lock_base *b);
/* Record an acquisition in lockstat and make site the lock's latest acquisition. */
void lock_acquired(struct task *tsk, struct lock_base *b, struct lock_class_stats *cs, int rw,
		   unsigned bounce, u64 wait_ns, const struct lock_site *site,
		   const struct lock_site *holder, int holder_rw, u32 holder_task);
/* Dequeue the head waiter (NULL if none). */
struct lock_waiter *lock_dequeue(struct lock_base *b);
/* Remove a specific waiter from the queue. */
void lock_dequeue_waiter(struct lock_base *b, struct lock_waiter *w);

/* lock_core.c: exclusive locks (spinlock_t and struct mutex share this) */
void excl_lock(struct task *tsk, struct lock_base *b, const struct lock_site *site, bool spin);
bool excl_trylock(struct task *tsk, struct lock_base *b, const struct lock_site *site);
void excl_unlock(struct task *tsk, struct lock_base *b, const struct lock_site *site);

/* timeline.json hooks (stats/timeline.h): a contended acquisition's wait, a hold's start
 * and end. One test of tsk->sim->timeline each when no timeline is written. */
static inline void lock_tl_wait(struct task *tsk, struct lock_base *b, const struct lock_site *site,
				bool read, u64 start_ns, u64 wait_ns)
{
	if (unlikely(tsk->sim->timeline != NULL) && wait_ns)
		timeline_lock_wait(tsk->sim->timeline, tsk, lockstat_stats_name(b->stats), site->func,
				   site->line, read, start_ns, wait_ns);
}

static inline void lock_tl_acquired(struct task *tsk, struct lock_base *b,
				    const struct lock_site *site, bool read, u64 now_ns)
{
	if (unlikely(tsk->sim->timeline != NULL))
		timeline_lock_acquired(tsk->sim->timeline, tsk, b, lockstat_stats_name(b->stats),
				       site->func, site->line, read, now_ns);
}

static inline void lock_tl_released(struct task *tsk, struct lock_base *b, const struct held_lock *h)
{
	if (unlikely(tsk->sim->timeline != NULL))
		timeline_lock_released(tsk->sim->timeline, tsk, b, lockstat_stats_name(b->stats),
				       h->site->func, h->site->line, h->read, h->acquired_ns);
}

#endif
