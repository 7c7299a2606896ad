/* findings.h - results about the modelled kernel misbehaving: counter drift, lock-order
 * inversions, leaked references, deadlocks. A finding is an outcome of the simulation,
 * written to the out dir (findings.txt and summary.json), never a crash. */
#ifndef MMSIM_STATS_FINDINGS_H
#define MMSIM_STATS_FINDINGS_H

#include <stdio.h>
#include "types.h"

#define FINDING_TYPES(X)                                                                    \
	X(LOCK_INVERSION, "lock_inversion")   /* A->B in one path, B->A in another */            \
	X(DEADLOCK, "deadlock")               /* every live task parked on a lock */             \
	X(COUNTER_DRIFT, "counter_drift")     /* a counter went negative/wrapped or did not return */ \
	X(RESV_DRIFT, "resv_drift")           /* hugetlb reservation accounting inconsistent */  \
	X(REF_LEAK, "ref_leak")               /* a modelled refcount not back to zero at teardown */ \
	X(OOM_KILL, "oom_kill")               /* the OOM killer chose a victim */                \
	X(WATCHDOG, "watchdog")               /* the run hit its duration with tasks alive */    \
	X(INVARIANT, "invariant")             /* a --check invariant walker failed */           \
	X(STALE_VMA, "stale_vma")             /* a collapse went on after its VMA changed */ \
	X(INJECTED_FAULT, "injected_fault")   /* a fault injection knob fired: what followed */

enum finding_type {
#define FINDING_ENUM(e, n) FINDING_##e,
	FINDING_TYPES(FINDING_ENUM)
#undef FINDING_ENUM
	NR_FINDING_TYPES
};

struct findings;

struct findings *findings_create(void);
void findings_destroy(struct findings *f);

/* Record a finding at simulated time now_ns. The message may span several lines (both
 * lock paths, the op that caused it). Identical (type, message) pairs are counted, not
 * repeated. At most 1000 distinct findings are kept; the rest are only counted. */
__printf(4, 5) void finding_report(struct findings *f, enum finding_type type, u64 now_ns,
				   const char *fmt, ...);

const char *finding_type_name(enum finding_type t);
u64 findings_count(const struct findings *f, enum finding_type t);
u64 findings_total(const struct findings *f);
size_t findings_nr_distinct(const struct findings *f);
/* i-th distinct finding in report order (first occurrence time, then report order). */
void findings_get(const struct findings *f, size_t i, enum finding_type *type, u64 *first_ns,
		  u64 *count, const char **message);
/* findings.txt */
void findings_write(const struct findings *f, FILE *out);

#endif
