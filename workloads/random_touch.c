/* random_touch.c - each thread maps `size` bytes and touches `touches` pages chosen
 * uniformly at random (per-thread deterministic stream), with a read/write mix and
 * think time, then unmaps. Touches of already-faulted pages cost a memory access; the
 * rest take page faults. */
#include "config/scenario.h"
#include "workloads/touch_common.h"
#include "workloads/workload.h"

struct random_touch_params {
	u64 size;
	u64 touches;
	double write_ratio;
	u64 think_ns;
	bool unmap;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct random_touch_params, "size", size, PAGE_SIZE, 1ULL << 40, "64MiB",
		     "bytes each thread maps"),
	KNOB_U64_OF(struct random_touch_params, "touches", touches, 0, 1ULL << 40, "16384",
		    "page touches per thread"),
	KNOB_DOUBLE_OF(struct random_touch_params, "write_ratio", write_ratio, 0.0, 1.0, "0.5",
		       "fraction of touches that are writes"),
	KNOB_TIME_OF(struct random_touch_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two touches"),
	KNOB_BOOL_OF(struct random_touch_params, "unmap", unmap, "true",
		     "munmap the region at the end"),
};
static const struct knob_table table = { "random_touch parameter", params, ARRAY_SIZE(params) };

static u64 rnd_next_page(struct touch_gen *g)
{
	return rng_below(&g->rng, g->size >> PAGE_SHIFT);
}

static struct op_source *rnd_create(const struct workload_cfg *w, unsigned instance_idx,
				    unsigned thread, u64 seed)
{
	const struct random_touch_params *p = w->params;
	struct touch_gen *g = xcalloc(1, sizeof(*g));
	touch_gen_init(g, w->name, w, instance_idx, thread, seed, p->size, p->write_ratio,
		       p->think_ns, p->unmap);
	g->nr_touches = p->touches;
	g->next_page = rnd_next_page;
	return &g->src;
}

const struct workload_type random_touch_type = {
	.schema = { .type = "random_touch",
		    .doc = "map a region per thread and touch random pages of it",
		    .params = &table,
		    .params_size = sizeof(struct random_touch_params) },
	.create = rnd_create,
};
