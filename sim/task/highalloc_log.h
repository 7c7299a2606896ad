/* highalloc_log.h - measured high-order allocations (OP_ALLOC_PAGES with ALLOC_F_MEASURE,
 * made by the highalloc workload): one record per attempt, in the order they ended.
 * Written as highalloc.csv (the series over simulated time), summary.json
 * metrics/highalloc (per order and kind: attempts, successes, latency percentiles and
 * the success rate per tenth of the run) and a report.md section. Nothing is written
 * when no attempt was measured. */
#ifndef MMSIM_TASK_HIGHALLOC_LOG_H
#define MMSIM_TASK_HIGHALLOC_LOG_H

#include <stdio.h>
#include "types.h"

struct sim;
struct json;

struct highalloc_rec {
	u64 t_ns;                          /* when the attempt started */
	u64 latency_ns;                    /* until the allocator returned */
	u8 order;
	bool atomic;                       /* GFP_ATOMIC (else GFP_KERNEL) */
	bool ok;
};

/* Fragmentation of the machine's free memory (every populated zone's free lists added
 * up, then mm/vmstat.c's formulas): x1000 indices at orders 3 and 9. */
struct highalloc_frag {
	s64 unusable_o3, unusable_o9, fragindex_o3, fragindex_o9;
	u64 free_pages, free_o9_blocks, polluted_pageblocks;
};

struct highalloc_log {
	struct highalloc_rec *recs;
	u32 nr, cap;
	struct highalloc_frag first, last; /* before the first and before the last attempt */
};

/* Called before a measured attempt: the fragmentation state it meets. */
void highalloc_before(struct sim *sim);
void highalloc_record(struct sim *sim, u64 t_ns, u64 latency_ns, unsigned order, bool atomic,
		      bool ok);
void highalloc_log_destroy(struct highalloc_log *log);
/* NULL when nothing was measured. */
struct json *highalloc_json(const struct sim *sim);
void highalloc_write_csv(FILE *f, const struct sim *sim);

#endif
