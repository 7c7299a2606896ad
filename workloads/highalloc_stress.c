/* highalloc_stress.c - fragment memory with a mix of movable and unmovable pages, then
 * try to allocate as many high-order blocks as possible (after the kernel's old
 * "stress-highalloc" benchmark, and seed 003's question: how reliable are high-order
 * allocations when unmovable pages are interleaved with movable ones?).
 *
 * Each thread: (1) allocates `fill` bytes as order-0 pages, each unmovable with
 * probability `unmovable_ratio` (GFP_KERNEL) or movable (GFP_HIGHUSER_MOVABLE; these are
 * migratable, so compaction can move them); (2) frees movable pages in runs of
 * `free_chunk` consecutive movable allocations (the memory of one short-lived process or
 * file), each run with probability `free_ratio`; (3) makes `attempts` allocations of
 * order `order`, holding what it gets; (4) with `compact` (default), writes
 * /proc/sys/vm/compact_memory and (5) makes `attempts` more; (6) frees everything.
 * The attempts are movable and, by default, GFP_NOWAIT-like (no direct reclaim or
 * compaction: they measure what the free lists hold); with direct_compaction they are
 * __GFP_RETRY_MAYFAIL (compact and retry hard, never OOM-kill). With
 * variants.page_alloc.grouping=mobility the allocator keeps unmovable pages together in
 * their own pageblocks; with none they are scattered, and fewer blocks can be rebuilt.
 * The replay counts successes per order, and apart those made after compact_memory
 * (summary.json metrics/alloc_pages). */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "workloads/workload.h"

struct highalloc_params {
	u64 fill;
	double unmovable_ratio;
	double free_ratio;
	u64 free_chunk;
	u64 attempts;
	u64 order;
	u64 think_ns;
	bool compact;
	bool direct_compaction;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct highalloc_params, "fill", fill, PAGE_SIZE, 1ULL << 44, "1GiB",
		     "memory each thread allocates as order-0 pages before the attempts"),
	KNOB_DOUBLE_OF(struct highalloc_params, "unmovable_ratio", unmovable_ratio, 0.0, 1.0, "0.1",
		       "fraction of the fill allocated unmovable (kernel memory)"),
	KNOB_DOUBLE_OF(struct highalloc_params, "free_ratio", free_ratio, 0.0, 1.0, "0.5",
		       "fraction of the movable fill freed before the attempts"),
	KNOB_SIZE_OF(struct highalloc_params, "free_chunk", free_chunk, PAGE_SIZE, 1ULL << 40, "4MiB",
		     "movable memory freed together (consecutive movable allocations)"),
	KNOB_U64_OF(struct highalloc_params, "attempts", attempts, 0, 1ULL << 32, "256",
		    "high-order allocations attempted (held until the end)"),
	KNOB_U64_OF(struct highalloc_params, "order", order, 1, 10, "9",
		    "order of the attempted allocations (9 = 2MiB, a THP)"),
	KNOB_TIME_OF(struct highalloc_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two operations"),
	KNOB_BOOL_OF(struct highalloc_params, "compact", compact, "true",
		     "write compact_memory after the attempts, then attempt as many again"),
	KNOB_BOOL_OF(struct highalloc_params, "direct_compaction", direct_compaction, "false",
		     "attempts may reclaim and compact (__GFP_RETRY_MAYFAIL) instead of GFP_NOWAIT"),
};
static const struct knob_table table = { "highalloc_stress parameter", params,
					 ARRAY_SIZE(params) };

enum ha_phase { HA_FILL, HA_FREE, HA_ATTEMPT, HA_COMPACT, HA_ATTEMPT_AFTER, HA_RELEASE_FILL,
		HA_RELEASE_ATTEMPTS, HA_END };

struct highalloc_gen {
	struct op_source src;
	struct highalloc_params p;
	struct rng kind_rng;      /* page i movable or not: replayed identically in HA_FREE */
	struct rng free_rng;
	u64 pid, tid;
	u64 nr_fill;
	u64 i;
	u8 *freed;                /* bit per fill page: freed in HA_FREE */
	u64 movable_seen;         /* HA_FREE: movable pages passed, for the runs */
	bool run_freed;
	enum ha_phase phase;
	u64 seed, stream;
};

#define ATTEMPT_ID_BASE (1ULL << 40)

static bool fill_is_movable(struct highalloc_gen *g)
{
	return rng_double(&g->kind_rng) >= g->p.unmovable_ratio;
}

static void set_alloc(struct highalloc_gen *g, struct op *op, u64 id, unsigned order, u32 flags)
{
	op_init(op, OP_ALLOC_PAGES);
	op->id = id;
	op->arg = order;
	op->flags = flags;
	op->node = -1;
	op->pid = (u32)g->pid;
	op->tid = (u32)g->tid;
	op->think_ns = g->p.think_ns;
}

static void set_free(struct highalloc_gen *g, struct op *op, u64 id)
{
	op_init(op, OP_FREE_PAGES);
	op->id = id;
	op->pid = (u32)g->pid;
	op->tid = (u32)g->tid;
	op->think_ns = g->p.think_ns;
}

static int ha_next(struct op_source *src, struct op *op)
{
	struct highalloc_gen *g = container_of(src, struct highalloc_gen, src);
	for (;;) {
		switch (g->phase) {
		case HA_FILL:
			if (g->i < g->nr_fill) {
				u32 flags = fill_is_movable(g) ? ALLOC_F_MOVABLE : 0;
				set_alloc(g, op, g->i, 0, flags);
				g->i++;
				return 1;
			}
			rng_seed(&g->kind_rng, g->seed, g->stream);   /* replay the kinds */
			g->phase = HA_FREE;
			g->i = 0;
			break;
		case HA_FREE:
			while (g->i < g->nr_fill) {
				u64 i = g->i++;
				if (!fill_is_movable(g))
					continue;
				u64 chunk = g->p.free_chunk >> PAGE_SHIFT;
				if (g->movable_seen++ % chunk == 0)
					g->run_freed = rng_double(&g->free_rng) < g->p.free_ratio;
				if (g->run_freed) {
					g->freed[i / 8] |= (u8)(1u << (i % 8));
					set_free(g, op, i);
					return 1;
				}
			}
			g->phase = HA_ATTEMPT;
			g->i = 0;
			break;
		case HA_ATTEMPT:
		case HA_ATTEMPT_AFTER:
			if (g->i < g->p.attempts) {
				u64 id = ATTEMPT_ID_BASE + g->i +
					 (g->phase == HA_ATTEMPT_AFTER ? g->p.attempts : 0);
				set_alloc(g, op, id, (unsigned)g->p.order,
					  ALLOC_F_MOVABLE | (g->p.direct_compaction ?
								     ALLOC_F_RETRY_MAYFAIL :
								     ALLOC_F_NOWAIT));
				g->i++;
				return 1;
			}
			g->phase = g->phase == HA_ATTEMPT && g->p.compact ? HA_COMPACT : HA_RELEASE_FILL;
			g->i = 0;
			break;
		case HA_COMPACT:
			op_init(op, OP_COMPACT_MEMORY);
			op->node = -1;
			op->pid = (u32)g->pid;
			op->tid = (u32)g->tid;
			op->think_ns = g->p.think_ns;
			g->phase = HA_ATTEMPT_AFTER;
			return 1;
		case HA_RELEASE_FILL:
			while (g->i < g->nr_fill) {
				u64 i = g->i++;
				if (!(g->freed[i / 8] & (1u << (i % 8)))) {
					set_free(g, op, i);
					return 1;
				}
			}
			g->phase = HA_RELEASE_ATTEMPTS;
			g->i = 0;
			break;
		case HA_RELEASE_ATTEMPTS:
			/* a failed attempt holds nothing: freeing it is a no-op, as free_pages(0) */
			if (g->i < g->p.attempts * (g->p.compact ? 2 : 1)) {
				set_free(g, op, ATTEMPT_ID_BASE + g->i);
				g->i++;
				return 1;
			}
			g->phase = HA_END;
			break;
		case HA_END:
			return 0;
		}
	}
}

static void ha_close(struct op_source *src)
{
	struct highalloc_gen *g = container_of(src, struct highalloc_gen, src);
	free(g->freed);
	free(g);
}

static const struct op_source_ops ha_ops = { .next = ha_next, .close = ha_close };

static struct op_source *ha_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct highalloc_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct highalloc_params *)w->params;
	g->src.ops = &ha_ops;
	g->src.name = w->name;
	g->pid = 1000 + instance_idx;
	g->tid = (u64)instance_idx * 1000 + thread;
	g->nr_fill = g->p.fill >> PAGE_SHIFT;
	g->freed = xcalloc(g->nr_fill / 8 + 1, 1);
	g->seed = seed;
	g->stream = ((u64)instance_idx << 32 | thread) * 2 + 0x4a11;
	rng_seed(&g->kind_rng, seed, g->stream);
	rng_seed(&g->free_rng, seed, g->stream + 1);
	return &g->src;
}

const struct workload_type highalloc_stress_type = {
	.schema = { .type = "highalloc_stress",
		    .doc = "fragment memory with movable and unmovable pages, then try high-order allocations",
		    .params = &table,
		    .params_size = sizeof(struct highalloc_params) },
	.create = ha_create,
};
