/* working_set.c - a working set larger than memory, accessed with locality (a database or
 * a cache whose hot part shifts over time): each thread maps `size` bytes of private
 * anonymous memory and writes every page once, in address order (population); then it
 * makes `accesses` one-page accesses. With probability `locality` an access falls in the
 * hot window, `window` bytes starting at the window's offset, uniformly; otherwise
 * anywhere in the region, uniformly. The window starts at the region's start and moves
 * forward by `drift` bytes every `drift_every` accesses, wrapping around the region (so
 * does the window itself when it runs past the region's end). Each access is a write with
 * probability `write_ratio`, else a read; `think` of CPU time separates two accesses
 * (population writes run back to back). At the end the thread unmaps the region.
 *
 * On a machine smaller than the region, population pushes the early pages out to swap
 * and the accesses fault them back in (major faults): the higher `locality` and the
 * slower the window moves, the fewer. Every thread has a region and a window of its own,
 * and a stream of its own (seeded as the touch generators seed theirs).
 *
 * Sizes are whole pages: `size`, `window` and `drift` are rounded up to a page; the
 * window is at most the region; a drift of the region's size or more wraps. */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct working_set_params {
	u64 size;
	u64 accesses;
	double locality;
	u64 window;
	u64 drift;
	u64 drift_every;
	double write_ratio;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct working_set_params, "size", size, PAGE_SIZE, 1ULL << 40, "1GiB",
		     "bytes each thread maps and writes once in order (rounded up to a page)"),
	KNOB_U64_OF(struct working_set_params, "accesses", accesses, 0, 1ULL << 40, "100000",
		    "page accesses per thread after the population"),
	KNOB_DOUBLE_OF(struct working_set_params, "locality", locality, 0.0, 1.0, "0.9",
		       "probability that an access falls in the hot window (else anywhere)"),
	KNOB_SIZE_OF(struct working_set_params, "window", window, PAGE_SIZE, 1ULL << 40, "64MiB",
		     "bytes of the hot window (rounded up to a page, at most the region)"),
	KNOB_SIZE_OF(struct working_set_params, "drift", drift, 0, 1ULL << 40, "1MiB",
		     "bytes the window moves forward, wrapping around the region (rounded up "
		     "to a page; 0: it stays)"),
	KNOB_U64_OF(struct working_set_params, "drift_every", drift_every, 1, 1ULL << 40, "2000",
		    "accesses between two moves of the window"),
	KNOB_DOUBLE_OF(struct working_set_params, "write_ratio", write_ratio, 0.0, 1.0, "0.3",
		       "fraction of accesses that are writes (population writes are extra)"),
	KNOB_TIME_OF(struct working_set_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two accesses"),
};
static const struct knob_table table = { "working_set parameter", params, ARRAY_SIZE(params) };

enum ws_phase { WS_MAP, WS_POPULATE, WS_ACCESS, WS_UNMAP, WS_END };

struct working_set_gen {
	struct op_source src;
	struct rng rng;
	u64 base, nr_pages;       /* the thread's region */
	u64 win_pages;            /* pages of the hot window, 1..nr_pages */
	u64 drift_pages;          /* pages the window moves, < nr_pages */
	u64 drift_every;
	u64 win_start;            /* the window's first page; it wraps at nr_pages */
	u64 nr_accesses;
	u64 done;                 /* population writes, then accesses, issued so far */
	double locality, write_ratio;
	u64 think_ns;
	bool think_next;          /* a COMPUTE op is due before the next access */
	enum ws_phase phase;
};

/* A draw with probability p; no number is drawn when p is 0 or 1. */
static bool ws_chance(struct working_set_gen *g, double p)
{
	if (p >= 1.0)
		return true;
	return p > 0 && rng_double(&g->rng) < p;
}

/* The page of access number g->done: in the window, or anywhere. */
static u64 ws_access_page(struct working_set_gen *g)
{
	if (g->done && g->done % g->drift_every == 0) {
		g->win_start += g->drift_pages;
		if (g->win_start >= g->nr_pages)
			g->win_start -= g->nr_pages;
	}
	if (!ws_chance(g, g->locality))
		return rng_below(&g->rng, g->nr_pages);
	u64 page = g->win_start + rng_below(&g->rng, g->win_pages);
	return page >= g->nr_pages ? page - g->nr_pages : page;
}

static void ws_touch(struct working_set_gen *g, struct op *op, u64 page, bool write)
{
	op_init(op, OP_TOUCH);
	op->addr = g->base + (page << PAGE_SHIFT);
	op->len = PAGE_SIZE;
	op->flags = write ? TOUCH_WRITE : 0;
}

static int ws_next(struct op_source *src, struct op *op)
{
	struct working_set_gen *g = container_of(src, struct working_set_gen, src);
	for (;;) {
		switch (g->phase) {
		case WS_MAP:
			op_init(op, OP_MMAP);
			op->addr = g->base;
			op->len = g->nr_pages << PAGE_SHIFT;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			g->phase = WS_POPULATE;
			g->done = 0;
			return 1;
		case WS_POPULATE:
			if (g->done < g->nr_pages) {
				ws_touch(g, op, g->done++, true);
				return 1;
			}
			g->phase = WS_ACCESS;
			g->done = 0;
			g->think_next = false;
			break;
		case WS_ACCESS: {
			if (g->done == g->nr_accesses) {
				g->phase = WS_UNMAP;
				break;
			}
			if (g->think_next) {
				g->think_next = false;
				op_init(op, OP_COMPUTE);
				op->ns = g->think_ns;
				return 1;
			}
			u64 page = ws_access_page(g);
			ws_touch(g, op, page, ws_chance(g, g->write_ratio));
			g->done++;
			g->think_next = g->think_ns > 0 && g->done < g->nr_accesses;
			return 1;
		}
		case WS_UNMAP:
			op_init(op, OP_MUNMAP);
			op->addr = g->base;
			op->len = g->nr_pages << PAGE_SHIFT;
			g->phase = WS_END;
			return 1;
		case WS_END:
			return 0;
		}
	}
}

static void ws_close(struct op_source *src)
{
	free(container_of(src, struct working_set_gen, src));
}

static const struct op_source_ops ws_ops = { .next = ws_next, .close = ws_close };

static struct op_source *ws_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	const struct working_set_params *p = w->params;
	struct working_set_gen *g = xcalloc(1, sizeof(*g));
	g->src.ops = &ws_ops;
	g->src.name = w->name;
	/* A stream of its own per (instance, thread), as the touch generators seed theirs. */
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0x5eed);
	g->nr_pages = ALIGN_UP(p->size, PAGE_SIZE) >> PAGE_SHIFT;
	g->base = workload_thread_base(instance_idx, thread, g->nr_pages << PAGE_SHIFT);
	g->win_pages = min(ALIGN_UP(p->window, PAGE_SIZE) >> PAGE_SHIFT, g->nr_pages);
	g->drift_pages = (ALIGN_UP(p->drift, PAGE_SIZE) >> PAGE_SHIFT) % g->nr_pages;
	g->drift_every = p->drift_every;
	g->nr_accesses = p->accesses;
	g->locality = p->locality;
	g->write_ratio = p->write_ratio;
	g->think_ns = p->think_ns;
	g->phase = WS_MAP;
	return &g->src;
}

const struct workload_type working_set_type = {
	.schema = { .type = "working_set",
		    .doc = "write a region once, then access it with a drifting hot window (swaps "
			   "when larger than memory)",
		    .params = &table,
		    .params_size = sizeof(struct working_set_params) },
	.create = ws_create,
};
