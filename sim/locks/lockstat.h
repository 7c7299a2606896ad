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
	u64 holds;                     /* releases (the kernel's holdtime.nr) */
	u64 hold_min, hold_max, hold_total;   /* min may be 0: a zero hold is a hold */
	u64 wait_hist[LOCK_HIST_BUCKETS];
	u64 hold_hist[LOCK_HIST_BUCKETS];
};

enum { LS_WRITE = 0, LS_READ = 1 };

struct lockstat;
struct findings;

struct lockstat *lockstat_create(struct findings *findings);
void lockstat_destroy(struct lockstat *ls);

/* Per-class totals, for summaries and tests; NULL if the class was never used. */
const struct lock_stat_row *lockstat_class_row(const struct lockstat *ls, const char *class_name,
					       int rw);
/* The label /proc/lock_stat gives a state's row: the class name, suffixed -W / -R only
 * when the class has a read state; NULL when the state has no row. */
const char *lockstat_row_label(const struct lockstat *ls, const char *class_name, int rw,
			       char *buf, size_t len);
/* Write /proc/lock_stat as 6.1 prints it (classes sorted by contentions, then name). */
void lockstat_write_proc(const struct lockstat *ls, FILE *f);
/* contention.csv: one row per (class, state, waiter site, holder site, holder state). */
void lockstat_write_csv(const struct lockstat *ls, FILE *f);
/* `perf lock contention -x,` layout: per caller site and lock type, by total wait. */
void lockstat_write_perf_contention(const struct lockstat *ls, FILE *f);
/* A call site as the kernel prints a code address: "[<00000000xxxxxxxx>]" (a stable
 * pseudo-address) and "func+0xoff/0xsize" (%pS) or "func+0xoff" (perf's caller). */
void lockstat_site_ip(const struct lock_site *s, char *buf, size_t len);
void lockstat_site_symbol(const struct lock_site *s, bool with_size, char *buf, size_t len);
/* lock_classes.csv: every class and state with all counters and the wait histogram. */
void lockstat_write_classes_csv(const struct lockstat *ls, FILE *f);
/* lock_pairs.csv: per class and state, who waited on whom: the waiter's task name and
 * site, the holder's (latest acquirer's) task name, site and state, with the waits. */
void lockstat_write_pairs_csv(const struct lockstat *ls, FILE *f);
/* lock_hist.csv: the log2 wait histograms per class and state and per waiting site, and
 * the hold histograms per class and state; non-empty buckets only. */
void lockstat_write_hist_csv(const struct lockstat *ls, FILE *f);
/* Number of classes; iterate in name order with lockstat_class_name_at(). A class is
 * named as lockdep names it: its name, "#N" for the N-th class object of that name. */
size_t lockstat_nr_classes(const struct lockstat *ls);
const char *lockstat_class_name_at(const struct lockstat *ls, size_t i);
/* Number of lock-order inversions found. */
u64 lockstat_nr_inversions(const struct lockstat *ls);

#endif
