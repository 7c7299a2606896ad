/* sequential_touch.c - each thread maps `size` bytes of anonymous memory and touches
 * its pages in address order, `stride` apart, `passes` times, with a read/write mix and
 * think time between touches, then unmaps it; `cycles` repeats the whole round. First-pass touches fault; later passes
 * hit mapped pages (or the zero page, for reads). */
#include "config/scenario.h"
#include "workloads/touch_common.h"
#include "workloads/workload.h"

struct sequential_touch_params {
	u64 size;
	u64 stride;
	unsigned passes;
	double write_ratio;
	u64 think_ns;
	bool unmap;
	unsigned cycles;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct sequential_touch_params, "size", size, PAGE_SIZE, 1ULL << 40, "64MiB",
		     "bytes each thread maps and touches"),
	KNOB_SIZE_OF(struct sequential_touch_params, "stride", stride, PAGE_SIZE, 1ULL << 30, "4KiB",
		     "distance between consecutive touches (a multiple of 4KiB)"),
	KNOB_UINT_OF(struct sequential_touch_params, "passes", passes, 1, 1000000, "1",
		     "times each thread walks its region"),
	KNOB_DOUBLE_OF(struct sequential_touch_params, "write_ratio", write_ratio, 0.0, 1.0, "1.0",
		       "fraction of touches that are writes"),
	KNOB_TIME_OF(struct sequential_touch_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two touches"),
	KNOB_BOOL_OF(struct sequential_touch_params, "unmap", unmap, "true",
		     "munmap the region at the end"),
	KNOB_UINT_OF(struct sequential_touch_params, "cycles", cycles, 1, 1000000, "1",
		     "map/touch/unmap rounds (rounds after the first remap the region)"),
};
static const struct knob_table table = { "sequential_touch parameter", params, ARRAY_SIZE(params) };

/* Page (g->done mod touches per pass) x stride. done counts up by one from call to call
 * (or restarts at 0 for a new cycle): the place in the pass follows it without a
 * division per touch. */
static u64 seq_next_page(struct touch_gen *g)
{
	u64 pos;
	if (g->done && g->done == g->seq_done + 1)
		pos = g->seq_pos + 1 == g->seq_per_pass ? 0 : g->seq_pos + 1;
	else
		pos = g->done % g->seq_per_pass;
	g->seq_done = g->done;
	g->seq_pos = pos;
	return pos * g->stride_pages;
}

static struct op_source *seq_create(const struct workload_cfg *w, unsigned instance_idx,
				    unsigned thread, u64 seed)
{
	const struct sequential_touch_params *p = w->params;
	struct touch_gen *g = xcalloc(1, sizeof(*g));
	touch_gen_init(g, w->name, w, instance_idx, thread, seed, p->size, p->write_ratio,
		       p->think_ns, p->unmap);
	g->stride_pages = max_t(u64, p->stride >> PAGE_SHIFT, 1);
	g->passes = p->passes;
	g->nr_touches = DIV_ROUND_UP(g->size >> PAGE_SHIFT, g->stride_pages) * p->passes;
	g->next_page = seq_next_page;
	g->seq_per_pass = g->nr_touches / g->passes;
	g->cycles = p->cycles - 1;
	return &g->src;
}

const struct workload_type sequential_touch_type = {
	.schema = { .type = "sequential_touch",
		    .doc = "map a region per thread and touch its pages in order",
		    .params = &table,
		    .params_size = sizeof(struct sequential_touch_params) },
	.create = seq_create,
};
