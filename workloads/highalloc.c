/* highalloc.c - the seed 003 "highalloc" phase: at regular intervals, a burst of
 * high-order kernel allocations of the kind networking (jumbo-frame and RDMA buffers,
 * GFP_ATOMIC from softirq) and huge-page users (GFP_KERNEL, may reclaim and compact)
 * make, each held for a while and freed, running beside other workloads for minutes
 * of simulated time. Orders are drawn uniformly in [min_order, max_order]; a request
 * is GFP_ATOMIC with probability atomic_ratio, otherwise GFP_KERNEL. Every attempt is
 * measured (op flag ALLOC_F_MEASURE): its time, order, kind, result and latency (the
 * allocator's time including direct reclaim/compaction and lock waits) go to
 * highalloc.csv, and per order and kind to summary.json metrics/highalloc and
 * report.md. A burst's blocks are held for hold (rounded up to whole intervals: they are
 * freed at the start of the first burst at least hold later, so with hold > interval
 * the blocks of several bursts are held at once); the last ones go at the end. */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "workloads/workload.h"

struct highalloc_params {
	u64 rounds;
	u64 burst;
	u64 interval_ns;
	u64 hold_ns;
	u64 min_order, max_order;
	double atomic_ratio;
};

static const struct knob params[] = {
	KNOB_U64_OF(struct highalloc_params, "rounds", rounds, 1, 1ULL << 32, "100",
		    "bursts of allocations"),
	KNOB_U64_OF(struct highalloc_params, "burst", burst, 1, 1ULL << 16, "4",
		    "allocations per burst"),
	KNOB_TIME_OF(struct highalloc_params, "interval", interval_ns, 0, 3600 * NSEC_PER_SEC,
		     "100ms", "time between the starts of two bursts (off-CPU sleep)"),
	KNOB_TIME_OF(struct highalloc_params, "hold", hold_ns, 0, 3600 * NSEC_PER_SEC, "0ns",
		     "how long a burst's blocks are held (0: freed at once; rounded up to intervals)"),
	KNOB_U64_OF(struct highalloc_params, "min_order", min_order, 1, 10, "3",
		    "smallest order requested"),
	KNOB_U64_OF(struct highalloc_params, "max_order", max_order, 1, 10, "10",
		    "largest order requested"),
	KNOB_DOUBLE_OF(struct highalloc_params, "atomic_ratio", atomic_ratio, 0.0, 1.0, "0.5",
		       "fraction of requests that are GFP_ATOMIC (the rest GFP_KERNEL)"),
};
static const struct knob_table table = { "highalloc parameter", params, ARRAY_SIZE(params) };

enum ha_phase { HA_START, HA_FREE, HA_ALLOC, HA_SLEEP, HA_DRAIN, HA_END };

struct highalloc_gen {
	struct op_source src;
	struct highalloc_params p;
	struct rng rng;
	u32 pid, tid;
	u64 round, i;
	u64 held_rounds;          /* a burst is freed this many rounds after it was made */
	u64 drain;                /* next round to free at the end */
	enum ha_phase phase;
};

#define HA_ID_BASE (1ULL << 41)

static void ha_init(struct highalloc_gen *g, struct op *op, enum op_type t)
{
	op_init(op, t);
	op->pid = g->pid;
	op->tid = g->tid;
}

static void ha_free(struct highalloc_gen *g, struct op *op, u64 round, u64 i)
{
	ha_init(g, op, OP_FREE_PAGES);
	op->id = HA_ID_BASE + round * g->p.burst + i;
}

static int ha_next(struct op_source *src, struct op *op)
{
	struct highalloc_gen *g = container_of(src, struct highalloc_gen, src);
	u64 span = g->p.max_order - g->p.min_order + 1;
	for (;;) {
		switch (g->phase) {
		case HA_START:   /* the workload's common start key delays the thread */
			g->phase = HA_FREE;
			break;
		case HA_FREE:
			/* the burst made held_rounds rounds ago has been held long enough */
			if (g->held_rounds && g->round >= g->held_rounds && g->i < g->p.burst) {
				ha_free(g, op, g->round - g->held_rounds, g->i++);
				return 1;
			}
			g->i = 0;
			g->phase = HA_ALLOC;
			break;
		case HA_ALLOC:
			if (g->i < g->p.burst) {
				ha_init(g, op, OP_ALLOC_PAGES);
				op->id = HA_ID_BASE + g->round * g->p.burst + g->i;
				op->arg = (u32)(g->p.min_order + rng_next(&g->rng) % span);
				op->flags = ALLOC_F_MEASURE |
					    (rng_double(&g->rng) < g->p.atomic_ratio ? ALLOC_F_ATOMIC : 0);
				op->node = -1;
				g->i++;
				return 1;
			}
			g->i = 0;
			if (!g->held_rounds) {   /* hold 0: freed at once */
				g->drain = g->round;
				g->phase = HA_DRAIN;
				break;
			}
			g->phase = HA_SLEEP;
			break;
		case HA_SLEEP:
			g->round++;
			if (g->round == g->p.rounds) {
				g->drain = g->round > g->held_rounds ? g->round - g->held_rounds : 0;
				g->phase = HA_DRAIN;
				/* the last bursts are held for hold too */
				if (g->p.hold_ns) {
					ha_init(g, op, OP_SLEEP);
					op->ns = g->p.hold_ns;
					return 1;
				}
				break;
			}
			g->phase = HA_FREE;
			if (g->p.interval_ns) {
				ha_init(g, op, OP_SLEEP);
				op->ns = g->p.interval_ns;
				return 1;
			}
			break;
		case HA_DRAIN:
			if (g->held_rounds) {
				if (g->drain < g->p.rounds) {
					if (g->i < g->p.burst) {
						ha_free(g, op, g->drain, g->i++);
						return 1;
					}
					g->i = 0;
					g->drain++;
					break;
				}
				g->phase = HA_END;
				break;
			}
			/* hold 0: free this round's burst, then sleep and go on */
			if (g->i < g->p.burst) {
				ha_free(g, op, g->drain, g->i++);
				return 1;
			}
			g->i = 0;
			g->round++;
			if (g->round == g->p.rounds) {
				g->phase = HA_END;
				break;
			}
			g->phase = HA_ALLOC;
			if (g->p.interval_ns) {
				ha_init(g, op, OP_SLEEP);
				op->ns = g->p.interval_ns;
				return 1;
			}
			break;
		case HA_END:
			return 0;
		}
	}
}

static void ha_close(struct op_source *src)
{
	free(container_of(src, struct highalloc_gen, src));
}

static const struct op_source_ops ha_ops = { .next = ha_next, .close = ha_close };

static struct op_source *ha_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct highalloc_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct highalloc_params *)w->params;
	if (g->p.max_order < g->p.min_order)
		g->p.max_order = g->p.min_order;
	g->src.ops = &ha_ops;
	g->src.name = w->name;
	g->pid = 1000 + instance_idx;
	g->tid = instance_idx * 1000 + thread;
	if (g->p.hold_ns)
		g->held_rounds = g->p.interval_ns ?
					 (g->p.hold_ns + g->p.interval_ns - 1) / g->p.interval_ns :
					 1;
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) * 2 + 0x41a1);
	return &g->src;
}

const struct workload_type highalloc_type = {
	.schema = { .type = "highalloc",
		    .doc = "bursts of order-3..10 GFP_KERNEL/GFP_ATOMIC allocations at intervals, "
			   "each measured (success, latency) over simulated time",
		    .params = &table,
		    .params_size = sizeof(struct highalloc_params) },
	.create = ha_create,
};
