/* mmap_churn.c - each thread maps and unmaps anonymous regions of varying size, over and
 * over (an allocator that takes its arenas from mmap, a program's short-lived buffers):
 * `cycles` times, it maps a private anonymous region of between `min_size` and
 * `max_size` (a whole number of pages, uniform in pages, from the thread's own stream),
 * writes the first `touch_ratio` of its pages in address order, and keeps it while at
 * most `keep` regions are live: when one more is live, the oldest is unmapped (FIFO).
 * After the last cycle the live regions are unmapped, oldest first, so every thread
 * issues `cycles` mmaps and `cycles` munmaps.
 *
 * Placement: a region starts a slot of its own, PMD-aligned and at least a page larger
 * than `max_size`, so regions never merge into one VMA and never share a PTE table;
 * region i of a thread takes slot i % (keep + 1), which the region keep + 1 before it
 * has left. The mmaps are MAP_FIXED_NOREPLACE (the generator must know where its
 * touches go), so the mmap_lock and VMA work is that of a fixed-address mmap. */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct mmap_churn_params {
	u64 min_size, max_size;
	unsigned cycles;
	double touch_ratio;
	unsigned keep;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct mmap_churn_params, "min_size", min_size, PAGE_SIZE, 1ULL << 30, "64KiB",
		     "smallest region mapped (rounded up to a page; swapped with max_size if larger)"),
	KNOB_SIZE_OF(struct mmap_churn_params, "max_size", max_size, PAGE_SIZE, 1ULL << 30, "4MiB",
		     "largest region mapped (rounded up to a page)"),
	KNOB_UINT_OF(struct mmap_churn_params, "cycles", cycles, 1, 10000000, "100",
		     "regions each thread maps (and unmaps)"),
	KNOB_DOUBLE_OF(struct mmap_churn_params, "touch_ratio", touch_ratio, 0.0, 1.0, "1.0",
		       "fraction of a region's pages written, from its start (rounded to a page)"),
	KNOB_UINT_OF(struct mmap_churn_params, "keep", keep, 0, 1024, "0",
		     "regions kept mapped after their touches; the oldest is unmapped when one "
		     "more is live (0: each region is unmapped right after its touches)"),
	KNOB_TIME_OF(struct mmap_churn_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two touches"),
};
static const struct knob_table table = { "mmap_churn parameter", params, ARRAY_SIZE(params) };

enum churn_phase { CHURN_MAP, CHURN_TOUCH, CHURN_TRIM, CHURN_DRAIN, CHURN_END };

struct churn_region {
	u64 addr, len;
};

struct mmap_churn_gen {
	struct op_source src;
	struct rng rng;
	u64 base;                 /* the thread's first slot */
	u64 slot;                 /* bytes between two slots */
	u64 min_pages, max_pages;
	double touch_ratio;
	u64 think_ns;
	unsigned cycles, keep;
	unsigned mapped;          /* regions mapped so far (the next region's number) */
	unsigned unmapped;        /* regions unmapped so far: the live ones are [unmapped, mapped) */
	struct churn_region *live;   /* keep + 1 entries, region i in live[i % (keep + 1)] */
	u64 nr_touches, done;     /* touches of the newest region */
	bool think_next;          /* a COMPUTE op is due before the next touch */
	enum churn_phase phase;
};

static struct churn_region *churn_region(struct mmap_churn_gen *g, unsigned i)
{
	return &g->live[i % (g->keep + 1)];
}

static void churn_munmap_oldest(struct mmap_churn_gen *g, struct op *op)
{
	struct churn_region *r = churn_region(g, g->unmapped++);
	op_init(op, OP_MUNMAP);
	op->addr = r->addr;
	op->len = r->len;
}

static int churn_next(struct op_source *src, struct op *op)
{
	struct mmap_churn_gen *g = container_of(src, struct mmap_churn_gen, src);
	for (;;) {
		switch (g->phase) {
		case CHURN_MAP: {
			if (g->mapped == g->cycles) {
				g->phase = CHURN_DRAIN;
				break;
			}
			u64 pages = g->min_pages + rng_below(&g->rng, g->max_pages - g->min_pages + 1);
			struct churn_region *r = churn_region(g, g->mapped);
			r->addr = g->base + (u64)(g->mapped % (g->keep + 1)) * g->slot;
			r->len = pages << PAGE_SHIFT;
			g->mapped++;
			g->nr_touches = (u64)((double)pages * g->touch_ratio + 0.5);
			g->done = 0;
			g->phase = g->nr_touches ? CHURN_TOUCH : CHURN_TRIM;
			op_init(op, OP_MMAP);
			op->addr = r->addr;
			op->len = r->len;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			return 1;
		}
		case CHURN_TOUCH:
			if (g->think_next) {
				g->think_next = false;
				op_init(op, OP_COMPUTE);
				op->ns = g->think_ns;
				return 1;
			}
			op_init(op, OP_TOUCH);
			op->addr = churn_region(g, g->mapped - 1)->addr + (g->done << PAGE_SHIFT);
			op->len = PAGE_SIZE;
			op->flags = TOUCH_WRITE;
			g->done++;
			g->think_next = g->think_ns > 0 && g->done < g->nr_touches;
			if (g->done == g->nr_touches)
				g->phase = CHURN_TRIM;
			return 1;
		case CHURN_TRIM:
			g->phase = CHURN_MAP;
			if (g->mapped - g->unmapped > g->keep) {
				churn_munmap_oldest(g, op);
				return 1;
			}
			break;
		case CHURN_DRAIN:
			if (g->unmapped < g->mapped) {
				churn_munmap_oldest(g, op);
				return 1;
			}
			g->phase = CHURN_END;
			break;
		case CHURN_END:
			return 0;
		}
	}
}

static void churn_close(struct op_source *src)
{
	struct mmap_churn_gen *g = container_of(src, struct mmap_churn_gen, src);
	free(g->live);
	free(g);
}

static const struct op_source_ops churn_ops = { .next = churn_next, .close = churn_close };

static struct op_source *churn_create(const struct workload_cfg *w, unsigned instance_idx,
				      unsigned thread, u64 seed)
{
	const struct mmap_churn_params *p = w->params;
	struct mmap_churn_gen *g = xcalloc(1, sizeof(*g));
	g->src.ops = &churn_ops;
	g->src.name = w->name;
	/* A stream of its own per (instance, thread), as the touch generators seed theirs. */
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0x5eed);
	u64 lo = ALIGN_UP(p->min_size, PAGE_SIZE) >> PAGE_SHIFT;
	u64 hi = ALIGN_UP(p->max_size, PAGE_SIZE) >> PAGE_SHIFT;
	g->min_pages = min(lo, hi);
	g->max_pages = max(lo, hi);
	g->slot = ALIGN_UP((g->max_pages + 1) << PAGE_SHIFT, PMD_SIZE);
	g->touch_ratio = p->touch_ratio;
	g->think_ns = p->think_ns;
	g->cycles = p->cycles;
	g->keep = p->keep;
	g->live = xcalloc((size_t)g->keep + 1, sizeof(*g->live));
	g->base = workload_thread_base(instance_idx, thread, (u64)(g->keep + 1) * g->slot);
	return &g->src;
}

const struct workload_type mmap_churn_type = {
	.schema = { .type = "mmap_churn",
		    .doc = "map anonymous regions of random size, write them, unmap them (FIFO)",
		    .params = &table,
		    .params_size = sizeof(struct mmap_churn_params) },
	.create = churn_create,
};
