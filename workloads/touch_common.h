/* touch_common.h - what sequential_touch and random_touch share: a thread that maps
 * its region, touches pages in some order with a read/write mix and think time, and
 * unmaps it. Private to workloads/. */
#ifndef MMSIM_WORKLOADS_TOUCH_COMMON_H
#define MMSIM_WORKLOADS_TOUCH_COMMON_H

#include "engine/rng.h"
#include "task/op_source.h"

struct touch_gen {
	struct op_source src;
	struct rng rng;
	u64 base, size;           /* the thread's mapping */
	u64 nr_touches;           /* page touches to issue */
	u64 done;
	double write_ratio;
	u64 think_ns;
	bool unmap;
	int phase;                /* 0 mmap, 1 touching, 2 munmap, 3 end */
	bool think_next;          /* a COMPUTE op is due before the next touch */
	u64 (*next_page)(struct touch_gen *g);  /* page index of touch number g->done */
	u64 stride_pages;
	u64 passes;
	unsigned cycles;          /* map/touch/unmap rounds left after this one */
	u64 seq_per_pass;         /* sequential_touch: touches per pass */
	u64 seq_done, seq_pos;    /* sequential_touch: the last call's done and its place */
};

/* Fill g->src and the mapping; the caller sets the order fields and next_page. */
void touch_gen_init(struct touch_gen *g, const char *name, const struct workload_cfg *w,
		    unsigned instance_idx, unsigned thread, u64 seed, u64 size, double write_ratio,
		    u64 think_ns, bool unmap);

#endif
