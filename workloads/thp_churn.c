/* thp_churn.c - anonymous regions of mixed sizes and alignments mapped, written, partly
 * dropped and partly unmapped over and over, with forks: the churn that fragments
 * transparent huge pages (split PMDs, deferred-split THPs, khugepaged collapses). Each
 * thread, `cycles` times:
 *
 *   1. mmap a private anonymous region of between `min_size` and `max_size`, uniform
 *      among min_size + k * `size_step` (a step of 256 KiB over 256 KiB..8 MiB gives
 *      sizes below, at and above one huge page, 2 MiB exactly among them). With probability `aligned_ratio` it starts on
 *      a 2 MiB boundary, otherwise 1 to 511 pages after one (uniform), so THPs form only
 *      in its 2 MiB-aligned part, as the kernel does;
 *   2. with probability `madvise_ratio`, madvise(MADV_HUGEPAGE) over it;
 *   3. write its first `touch_ratio` of pages (rounded), one touch op over the range
 *      (every page written once, as MADV_POPULATE_WRITE does);
 *   4. with probability `dontneed_ratio`, madvise(MADV_DONTNEED) a random sub-range
 *      (start page uniform, length uniform up to the end): huge PMDs it covers in part
 *      are split;
 *   5. with probability `partial_unmap_ratio` (regions of 2 pages or more), munmap a
 *      random sub-range drawn the same way but never the whole region;
 *   6. when more than `keep` regions are live, munmap the oldest one (its whole original
 *      range, any hole included), FIFO;
 *   7. with `think`, a compute op of that length.
 *
 * Thread 0 also forks after every `fork_every`-th cycle (0: never): the child writes the
 * first `child_touch_ratio` of the mapped pages of each region thread 0 has live at the
 * fork (skipping the hole of a partial munmap; a write to a huge PMD the parent shares
 * splits it and copies 4 KiB, as 6.1 does) and exits. After the last cycle the live
 * regions are unmapped, oldest first.
 *
 * Placement: region i of a thread takes slot i % (keep + 1) of the thread's area
 * (workload_thread_base()); slots are 2 MiB-aligned and at least 512 pages larger than
 * `max_size`, so an offset region still leaves a free page before the next slot: regions
 * never overlap or merge into one VMA. The mmaps are MAP_FIXED_NOREPLACE.
 *
 * Every choice comes from the thread's own stream (scenario seed, instance, thread), in a
 * fixed order per cycle (size, alignment, offset when unaligned, madvise, dontneed with
 * its range when taken, partial unmap with its range when taken). */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct thp_churn_params {
	u64 min_size, max_size, size_step;
	unsigned cycles;
	double aligned_ratio;
	double madvise_ratio;
	double touch_ratio;
	double dontneed_ratio;
	double partial_unmap_ratio;
	unsigned keep;
	unsigned fork_every;
	double child_touch_ratio;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct thp_churn_params, "min_size", min_size, PAGE_SIZE, 1ULL << 30, "256KiB",
		     "smallest region mapped (rounded up to a page; swapped with max_size if larger)"),
	KNOB_SIZE_OF(struct thp_churn_params, "max_size", max_size, PAGE_SIZE, 1ULL << 30, "8MiB",
		     "largest region mapped (rounded up to a page)"),
	KNOB_SIZE_OF(struct thp_churn_params, "size_step", size_step, PAGE_SIZE, 1ULL << 30, "4KiB",
		     "sizes are min_size plus a whole number of steps (rounded up to a page), up to "
		     "max_size"),
	KNOB_UINT_OF(struct thp_churn_params, "cycles", cycles, 1, 10000000, "50",
		     "regions each thread maps (and unmaps)"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "aligned_ratio", aligned_ratio, 0.0, 1.0, "0.5",
		       "probability that a region starts on a 2 MiB boundary (else 1 to 511 pages "
		       "after one)"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "madvise_ratio", madvise_ratio, 0.0, 1.0, "0.5",
		       "probability of madvise(MADV_HUGEPAGE) over a region after its mmap"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "touch_ratio", touch_ratio, 0.0, 1.0, "1.0",
		       "fraction of a region's pages written, from its start (rounded to a page)"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "dontneed_ratio", dontneed_ratio, 0.0, 1.0, "0.5",
		       "probability of madvise(MADV_DONTNEED) of a random sub-range after the write"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "partial_unmap_ratio", partial_unmap_ratio, 0.0,
		       1.0, "0.5", "probability of a munmap of a random sub-range (not the whole region)"),
	KNOB_UINT_OF(struct thp_churn_params, "keep", keep, 0, 1024, "4",
		     "regions kept mapped; the oldest is unmapped when one more is live (FIFO)"),
	KNOB_UINT_OF(struct thp_churn_params, "fork_every", fork_every, 0, 10000000, "10",
		     "thread 0 forks a child after every this many cycles (0: never)"),
	KNOB_DOUBLE_OF(struct thp_churn_params, "child_touch_ratio", child_touch_ratio, 0.0, 1.0,
		       "0.25", "fraction of the mapped pages of each live region of thread 0 a child "
		       "writes, from the region's start (rounded to a page), before it exits"),
	KNOB_TIME_OF(struct thp_churn_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time at the end of each cycle"),
};
static const struct knob_table table = { "thp_churn parameter", params, ARRAY_SIZE(params) };

enum thp_phase { TC_MAP, TC_MADVISE, TC_TOUCH, TC_DONTNEED, TC_UNMAP_PART, TC_TRIM, TC_FORK,
		 TC_THINK, TC_DRAIN, TC_CHILD, TC_EXIT, TC_END };

struct thp_region {
	u64 addr, pages;
	u64 hole_start, hole_pages;   /* pages [hole_start, +hole_pages) unmapped */
};

struct thp_churn_gen {
	struct op_source src;
	struct thp_churn_params p;
	struct rng rng;
	u64 base, slot;
	u64 min_pages, max_pages, step_pages;
	bool is_child, forks;         /* a child; this thread forks (thread 0) */
	unsigned mapped, unmapped;    /* live regions are [unmapped, mapped) */
	struct thp_region *live;      /* keep + 1 entries, region i in live[i % (keep + 1)] */
	bool madvise;                 /* the newest region's choices */
	unsigned forked;
	/* a child: its copy of the parent's live regions and its walk over them */
	struct thp_region *regions;
	unsigned nr_regions, cur;
	int piece;                    /* 0: before the hole, 1: after it */
	enum thp_phase phase;
};

static struct thp_region *tc_region(struct thp_churn_gen *g, unsigned i)
{
	return &g->live[i % (g->p.keep + 1)];
}

static bool tc_chance(struct thp_churn_gen *g, double ratio)
{
	return rng_double(&g->rng) < ratio;
}

/* A random sub-range of n pages: start uniform, length uniform up to the end. */
static void tc_subrange(struct thp_churn_gen *g, u64 n, u64 *start, u64 *len)
{
	*start = rng_below(&g->rng, n);
	*len = 1 + rng_below(&g->rng, n - *start);
}

static void tc_munmap_oldest(struct thp_churn_gen *g, struct op *op)
{
	struct thp_region *r = tc_region(g, g->unmapped++);
	op_init(op, OP_MUNMAP);
	op->addr = r->addr;
	op->len = r->pages << PAGE_SHIFT;
}

/* A child's next write: the first child_touch_ratio of region cur's mapped pages, as at
 * most two touch ops (the pages before its hole, then those after it). */
static bool tc_child_touch(struct thp_churn_gen *g, struct op *op)
{
	while (g->cur < g->nr_regions) {
		struct thp_region *r = &g->regions[g->cur];
		u64 mapped = r->pages - r->hole_pages;
		u64 want = min((u64)((double)mapped * g->p.child_touch_ratio + 0.5), mapped);
		u64 before = min(r->hole_start, want);
		u64 start, len;
		if (g->piece == 0) {
			start = 0;
			len = before;
		} else {
			start = r->hole_start + r->hole_pages;
			len = want - before;
		}
		if (++g->piece == 2) {
			g->piece = 0;
			g->cur++;
		}
		if (len) {
			op_init(op, OP_TOUCH);
			op->addr = r->addr + (start << PAGE_SHIFT);
			op->len = len << PAGE_SHIFT;
			op->flags = TOUCH_WRITE;
			return true;
		}
	}
	return false;
}

static int tc_next(struct op_source *src, struct op *op)
{
	struct thp_churn_gen *g = container_of(src, struct thp_churn_gen, src);
	for (;;) {
		switch (g->phase) {
		case TC_MAP: {
			if (g->mapped == g->p.cycles) {
				g->phase = TC_DRAIN;
				break;
			}
			struct thp_region *r = tc_region(g, g->mapped);
			u64 steps = (g->max_pages - g->min_pages) / g->step_pages;
			u64 pages = g->min_pages + g->step_pages * rng_below(&g->rng, steps + 1);
			u64 offset = 0;
			if (!tc_chance(g, g->p.aligned_ratio))
				offset = 1 + rng_below(&g->rng, HPAGE_PMD_NR - 1);
			r->addr = g->base + (u64)(g->mapped % (g->p.keep + 1)) * g->slot +
				  (offset << PAGE_SHIFT);
			r->pages = pages;
			r->hole_start = pages;
			r->hole_pages = 0;
			g->mapped++;
			g->madvise = tc_chance(g, g->p.madvise_ratio);
			g->phase = TC_MADVISE;
			op_init(op, OP_MMAP);
			op->addr = r->addr;
			op->len = pages << PAGE_SHIFT;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			return 1;
		}
		case TC_MADVISE:
			g->phase = TC_TOUCH;
			if (g->madvise) {
				struct thp_region *r = tc_region(g, g->mapped - 1);
				op_init(op, OP_MADVISE);
				op->addr = r->addr;
				op->len = r->pages << PAGE_SHIFT;
				op->arg = MADV_HUGEPAGE;
				return 1;
			}
			break;
		case TC_TOUCH: {
			struct thp_region *r = tc_region(g, g->mapped - 1);
			u64 n = min((u64)((double)r->pages * g->p.touch_ratio + 0.5), r->pages);
			g->phase = TC_DONTNEED;
			if (n) {
				op_init(op, OP_TOUCH);
				op->addr = r->addr;
				op->len = n << PAGE_SHIFT;
				op->flags = TOUCH_WRITE;
				return 1;
			}
			break;
		}
		case TC_DONTNEED: {
			struct thp_region *r = tc_region(g, g->mapped - 1);
			g->phase = TC_UNMAP_PART;
			if (tc_chance(g, g->p.dontneed_ratio)) {
				u64 start, len;
				tc_subrange(g, r->pages, &start, &len);
				op_init(op, OP_MADVISE);
				op->addr = r->addr + (start << PAGE_SHIFT);
				op->len = len << PAGE_SHIFT;
				op->arg = MADV_DONTNEED;
				return 1;
			}
			break;
		}
		case TC_UNMAP_PART: {
			struct thp_region *r = tc_region(g, g->mapped - 1);
			g->phase = TC_TRIM;
			if (r->pages >= 2 && tc_chance(g, g->p.partial_unmap_ratio)) {
				u64 start, len;
				tc_subrange(g, r->pages, &start, &len);
				if (len == r->pages)
					len--;
				r->hole_start = start;
				r->hole_pages = len;
				op_init(op, OP_MUNMAP);
				op->addr = r->addr + (start << PAGE_SHIFT);
				op->len = len << PAGE_SHIFT;
				return 1;
			}
			break;
		}
		case TC_TRIM:
			g->phase = TC_FORK;
			if (g->mapped - g->unmapped > g->p.keep) {
				tc_munmap_oldest(g, op);
				return 1;
			}
			break;
		case TC_FORK:
			g->phase = TC_THINK;
			if (g->forks && g->p.fork_every && g->mapped % g->p.fork_every == 0) {
				/* ->child() is asked for the child's source right after this */
				op_init(op, OP_FORK);
				op->id = 0;
				g->forked++;
				return 1;
			}
			break;
		case TC_THINK:
			g->phase = TC_MAP;
			if (g->p.think_ns) {
				op_init(op, OP_COMPUTE);
				op->ns = g->p.think_ns;
				return 1;
			}
			break;
		case TC_DRAIN:
			if (g->unmapped < g->mapped) {
				tc_munmap_oldest(g, op);
				return 1;
			}
			g->phase = TC_END;
			break;
		case TC_CHILD:
			if (tc_child_touch(g, op))
				return 1;
			g->phase = TC_EXIT;
			break;
		case TC_EXIT:
			op_init(op, OP_EXIT);
			g->phase = TC_END;
			return 1;
		case TC_END:
			return 0;
		}
	}
}

/* The child of the OP_FORK just returned: a copy of the parent's live regions at the
 * fork, which it writes in part and exits. */
static struct op_source *tc_child(struct op_source *src, const struct op *fork_op)
{
	struct thp_churn_gen *g = container_of(src, struct thp_churn_gen, src);
	struct thp_churn_gen *c = xcalloc(1, sizeof(*c));
	(void)fork_op;
	c->src = g->src;
	c->p = g->p;
	c->is_child = true;
	c->nr_regions = g->mapped - g->unmapped;
	c->regions = xcalloc(c->nr_regions ? c->nr_regions : 1, sizeof(*c->regions));
	for (unsigned i = 0; i < c->nr_regions; i++)
		c->regions[i] = *tc_region(g, g->unmapped + i);
	c->phase = TC_CHILD;
	return &c->src;
}

static void tc_close(struct op_source *src)
{
	struct thp_churn_gen *g = container_of(src, struct thp_churn_gen, src);
	free(g->live);
	free(g->regions);
	free(g);
}

static const struct op_source_ops tc_ops = {
	.next = tc_next,
	.child = tc_child,
	.close = tc_close,
};

static struct op_source *tc_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct thp_churn_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct thp_churn_params *)w->params;
	g->src.ops = &tc_ops;
	g->src.name = w->name;
	/* A stream of its own per (instance, thread), as the other generators seed theirs. */
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0x5eed);
	u64 lo = ALIGN_UP(g->p.min_size, PAGE_SIZE) >> PAGE_SHIFT;
	u64 hi = ALIGN_UP(g->p.max_size, PAGE_SIZE) >> PAGE_SHIFT;
	g->min_pages = min(lo, hi);
	g->max_pages = max(lo, hi);
	g->step_pages = ALIGN_UP(g->p.size_step, PAGE_SIZE) >> PAGE_SHIFT;
	/* room for the largest region after the largest offset (511 pages), plus a page */
	g->slot = ALIGN_UP((g->max_pages + HPAGE_PMD_NR) << PAGE_SHIFT, PMD_SIZE);
	g->forks = thread == 0;
	g->live = xcalloc((size_t)g->p.keep + 1, sizeof(*g->live));
	g->base = workload_thread_base(instance_idx, thread, (u64)(g->p.keep + 1) * g->slot);
	g->phase = TC_MAP;
	return &g->src;
}

const struct workload_type thp_churn_type = {
	.schema = { .type = "thp_churn",
		    .doc = "map regions of mixed sizes and alignments, write them, drop and unmap "
			   "parts of them, fork: THP fragmentation",
		    .params = &table,
		    .params_size = sizeof(struct thp_churn_params) },
	.create = tc_create,
};
