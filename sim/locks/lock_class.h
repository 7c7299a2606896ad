/* lock_class.h - lock classes, call sites and the state every kernel-semantics lock
 * shares. A class is declared once (static, const) and names a lockdep class as in
 * /proc/lock_stat ("&mm->mmap_lock"); every acquisition records its call site.
 *
 * Timing model: a lock remembers the logical time at which it last became free
 * (avail_ns). A task that finds the lock free takes it at max(its logical time,
 * avail_ns) without any simcall; the difference is a contention and is charged as wait.
 * A task that finds it held by a task blocked in simulated time parks (one simcall) and
 * is handed the lock at the holder's logical release time. Grants are FIFO. */
#ifndef MMSIM_LOCKS_LOCK_CLASS_H
#define MMSIM_LOCKS_LOCK_CLASS_H

#include "types.h"

struct task;
struct lock_class_stats;

enum lock_kind {
	LOCK_SPIN,     /* spinlock: waiting burns CPU */
	LOCK_MUTEX,    /* sleeping mutex */
	LOCK_RWSEM,    /* rw_semaphore: readers or one writer; queued writer blocks new readers */
	LOCK_RWLOCK,   /* rwlock_t: spinning readers/writer, FIFO queue (qrwlock, task context) */
};

struct lock_class {
	const char *name;
	enum lock_kind kind;
};

#define DEFINE_LOCK_CLASS(var, nm, kd) const struct lock_class var = { .name = (nm), .kind = (kd) }

struct lock_site {
	const char *func;
	const char *file;
	int line;
};

/* A static site for the calling statement: function + line, not an address. */
#define LOCK_SITE()                                                                         \
	({                                                                                  \
		static const struct lock_site __lock_site = { __func__, __FILE__, __LINE__ };  \
		&__lock_site;                                                               \
	})

struct lock_waiter {
	struct task *tsk;
	struct lock_waiter *next;
	const struct lock_site *site;
	u64 request_ns;               /* logical time of the request */
	u64 grant_ns;                 /* set by the releaser */
	bool write;
	bool granted;
};

struct lock_base {
	const struct lock_class *class;    /* borrowed: static */
	struct lock_class_stats *stats;    /* resolved at first acquisition */
	u64 avail_ns;                      /* logical time the exclusive holder last released */
	int last_cpu, last_node;           /* previous acquirer, for bounces; -1 = none */
	struct task *owner;                /* exclusive holder or NULL */
	const struct lock_site *owner_site;
	const struct lock_site *last_site; /* latest acquisition's site (the kernel's lock->ip):
					    * the holder a contended waiter is charged to */
	int last_rw;                       /* LS_WRITE or LS_READ: the state last_site took */
	u32 last_task;                     /* lockstat's task-name id of that acquirer, 0: none */
	struct lock_waiter *head, *tail;   /* FIFO of parked waiters */
	u32 nr_waiters;
};

void lock_base_init(struct lock_base *b, const struct lock_class *c);

#endif
