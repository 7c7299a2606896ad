/* lockstat.h - per-simulation lock statistics, per class, per read/write state and per
 * call site; lockdep's class graph. Written as /proc/lock_stat (version 0.4) and as
 * contention.csv. Spec: reference/pagecache-locks.md §8. */
#ifndef MMSIM_LOCKS_LOCKSTAT_H
#define MMSIM_LOCKS_LOCKSTAT_H

#include <stdio.h>
#include "locks/lock_class.h"

#define LOCK_HIST_BUCKETS 48       /* log2 ns buckets: [2^i, 2^(i+1)) */

struct lock_stat_row {
	u64 contentions, con_bounces;
	u64 acquisitions, acq_bounces;
	u64 cross_node_bounces;        /* acquired on another node than the previous holder */
	u64 trylock_failures;
	u64 wait_min, wait_max, wait_total;   /* ns; min is the shortest non-zero */
	u64 hold_min, hold_max, hold_total;
	u64 wait_hist[LOCK_HIST_BUCKETS];
};

enum { LS_WRITE = 0, LS_READ = 1 };

struct lockstat;
struct findings;

struct lockstat *lockstat_create(struct findings *findings);
void lockstat_destroy(struct lockstat *ls);

/* Per-class totals, for summaries and tests; NULL if the class was never used. */
const struct lock_stat_row *lockstat_class_row(const struct lockstat *ls, const char *class_name,
					       int rw);
/* Write /proc/lock_stat's format (classes sorted by contentions, then name). */
void lockstat_write_proc(const struct lockstat *ls, FILE *f);
/* contention.csv: one row per (class, state, waiter site, holder site). */
void lockstat_write_csv(const struct lockstat *ls, FILE *f);
/* lock_classes.csv: every class and state with all counters and the wait histogram. */
void lockstat_write_classes_csv(const struct lockstat *ls, FILE *f);
/* Number of classes; iterate in name order with lockstat_class_at(). */
size_t lockstat_nr_classes(const struct lockstat *ls);
const char *lockstat_class_name_at(const struct lockstat *ls, size_t i);
/* Number of lock-order inversions found. */
u64 lockstat_nr_inversions(const struct lockstat *ls);

#endif
