/* timeline.h - timeline.json (`mmsim run --timeline [FROM..TO]`): what each task, kernel
 * thread and CPU did over simulated time, in Chrome's trace-event format (JSON object
 * form), which Perfetto and chrome://tracing open.
 *
 * Tracks (pid/tid): pid 1 "CPUs" has a track per CPU with the tasks running on it (the
 * engine's CPU occupancy, "X" slices); each task has a main track (pid = its process,
 * pid 2 for kernel threads) with nested "B"/"E" slices for page faults, reclaim,
 * compaction, swap I/O, hugetlb, khugepaged and writeback and leaf "X" slices for lock
 * waits, and "locks held" tracks (one per simultaneously held lock, "X" slices).
 *
 * Streamed: each slice is written when it ends (a nested slice's "B" when it begins), so
 * memory is bounded by the tasks' nesting depth and held locks; on every track the
 * timestamps never decrease in file order. Only the window [FROM, TO) of simulated time
 * is written: a slice that crosses an edge is clipped to it (its args keep the full
 * duration, "clipped": true), a nested slice open at FROM starts at FROM, one open at TO
 * or at the end of the run ends there. Times are the acting task's logical time (the
 * same clock lock_stat's wait and hold times are measured on); ts/dur in microseconds
 * with three decimals, so exact to the nanosecond.
 *
 * Models call the one-line hooks below; each costs one test of tsk->sim->timeline when
 * no timeline is written. */
#ifndef MMSIM_STATS_TIMELINE_H
#define MMSIM_STATS_TIMELINE_H

#include "sim.h"
#include "engine/task.h"

struct outdir;
struct timeline;

enum tl_kind {
	TL_PAGE_FAULT,          /* handle_mm_fault (arg: address) */
	TL_HUGETLB_FAULT,       /* hugetlb_fault (arg: address) */
	TL_HUGETLB_ALLOC,       /* a huge page from the buddy allocator (arg: node) */
	TL_DIRECT_RECLAIM,      /* __alloc_pages_direct_reclaim (arg: order) */
	TL_SHRINK_NODE,         /* shrink_node: kswapd or direct (arg: node) */
	TL_COMPACT_ZONE,        /* compact_zone: direct, kcompactd or proactive (arg: order) */
	TL_SWAP_IN,             /* swap device read (arg: pages) */
	TL_SWAP_OUT,            /* swap device write (arg: pages) */
	TL_KHUGEPAGED_SCAN,     /* khugepaged_do_scan: one wake-up's scan (arg: pages to scan) */
	TL_COLLAPSE,            /* collapse_huge_page (arg: address) */
	TL_WRITEBACK,           /* writeback of dirty file pages (arg: pages) */
	TL_FILE_IO,             /* file device I/O (arg: pages) */
	NR_TL_KINDS
};

/* How a user task's track is named: its process's pid and its thread id (0: none
 * known), asked once per task. Kernel threads are named by comm under pid 2. */
typedef void (*timeline_ids_fn)(void *arg, const struct task *tsk, u32 *pid, u32 *tid);

/* The window [from_ns, to_ns); to_ns = UINT64_MAX for no end. Opens timeline.json under
 * a temporary name in od. NULL (message on stderr) if the file cannot be created. */
struct timeline *timeline_open(struct outdir *od, u64 from_ns, u64 to_ns, unsigned nr_cpus,
			       unsigned cpus_per_node, timeline_ids_fn ids, void *ids_arg);
/* Close open slices at end_ns (clipped to the window), write the trailer (otherData:
 * window, clipping rule, partial) and rename into place (keep), or delete it (a run
 * that writes no outputs). Returns 0, or -1 on a write error. Frees tl. */
int timeline_close(struct timeline *tl, u64 end_ns, bool partial, const char *scenario,
		   u64 seed, bool keep);

void timeline_begin(struct timeline *tl, struct task *tsk, enum tl_kind kind, u64 arg);
void timeline_end(struct timeline *tl, struct task *tsk, enum tl_kind kind);
/* A lock wait [start_ns, start_ns + wait_ns) of tsk for class (as lock_stat.txt names
 * it) at site func:line, for read or write. */
void timeline_lock_wait(struct timeline *tl, struct task *tsk, const char *class, const char *func,
			int line, bool read, u64 start_ns, u64 wait_ns);
/* tsk holds lock from acquired_ns on (class, site and state kept for the slice). */
void timeline_lock_acquired(struct timeline *tl, struct task *tsk, const void *lock,
			    const char *class, const char *func, int line, bool read,
			    u64 acquired_ns);
/* tsk releases lock, held since acquired_ns, at its current logical time. */
void timeline_lock_released(struct timeline *tl, struct task *tsk, const void *lock,
			    const char *class, const char *func, int line, bool read,
			    u64 acquired_ns);
/* The engine ran tsk on its CPU over [start_ns, end_ns). */
void timeline_cpu(void *tl, struct task *tsk, u64 start_ns, u64 end_ns);

/* ---- the hooks models call ---- */

static inline void tl_begin(struct task *tsk, enum tl_kind kind, u64 arg)
{
	if (unlikely(tsk->sim->timeline != NULL))
		timeline_begin(tsk->sim->timeline, tsk, kind, arg);
}

static inline void tl_end(struct task *tsk, enum tl_kind kind)
{
	if (unlikely(tsk->sim->timeline != NULL))
		timeline_end(tsk->sim->timeline, tsk, kind);
}

#endif
