/* hugetlb_churn.c - map, split, fork and unmap hugetlb regions over and over (a database
 * or VM monitor that takes its buffers from the hugetlb pool, resizes and protects parts
 * of them, and forks helpers), the pattern that exercises hugetlb reservations: each
 * thread, `iterations` times,
 *   1. maps a `size` region of 2MiB huge pages (MAP_ANONYMOUS|MAP_HUGETLB, MAP_PRIVATE or
 *      with `shared` MAP_SHARED, with `noreserve` MAP_NORESERVE) at its own address;
 *   2. writes a random `touch_fraction` of its huge pages (in address order);
 *   3. splits the VMA: with probability `split_prob` unmaps one random interior huge page
 *      (not the first or the last; a region of fewer than 3 huge pages has none and takes
 *      the other branch), else makes a random sub-range of 1 to half the huge pages (at
 *      least one) read-only;
 *   4. with probability `fork_prob` forks a child process that writes one huge page of
 *      the region and exits: a random one of those the parent wrote that are still mapped
 *      writable (a copy-on-write fault when the mapping is private), or if there is none
 *      a random page still mapped writable; the child issues no write when nothing is;
 *   5. writes again a random `touch_fraction` / 2 of its huge pages (rounded; at most the
 *      pages still mapped writable), chosen among those still mapped writable;
 *   6. unmaps the whole region (the holes a split left included: munmap of a hole is legal).
 * With `think`, a COMPUTE op of that length comes between two ops of a thread (a child's
 * write and exit included).
 *
 * A write is one OP_TOUCH of the huge page's first 4KiB: one access, which faults the
 * whole huge page in the first time. Every address and length is a multiple of 2MiB
 * (a hugetlb VMA cannot be split elsewhere: -EINVAL). The region starts the thread's
 * slot (workload_thread_base(), 1GiB-aligned) and is mapped MAP_FIXED_NOREPLACE, as
 * mmap_churn maps its regions; each iteration maps it at the same address, the previous
 * iteration having unmapped it.
 *
 * A fork copies the whole process: with several threads, a child also maps the other
 * threads' regions (and never writes them), and their private pages become COW in the
 * parent too. Children are numbered by the simulator (fork's op id 0). */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

#define HPAGE_SIZE (1ULL << 21)   /* the default hugetlb page size, 2MiB */

struct hugetlb_churn_params {
	u64 size;
	unsigned iterations;
	double touch_fraction;
	double split_prob;
	double fork_prob;
	bool shared;
	bool noreserve;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct hugetlb_churn_params, "size", size, 2ULL << 20, 1ULL << 30, "16MiB",
		     "bytes of each hugetlb region (rounded up to a 2MiB huge page)"),
	KNOB_UINT_OF(struct hugetlb_churn_params, "iterations", iterations, 1, 10000000, "10",
		     "map/write/split/fork/write/unmap rounds of each thread"),
	KNOB_DOUBLE_OF(struct hugetlb_churn_params, "touch_fraction", touch_fraction, 0.0, 1.0,
		       "0.5", "fraction of the huge pages written after the mmap (random, rounded); "
		       "half as many are written again before the munmap"),
	KNOB_DOUBLE_OF(struct hugetlb_churn_params, "split_prob", split_prob, 0.0, 1.0, "0.5",
		       "probability that the split unmaps an interior huge page; otherwise it "
		       "makes a sub-range read-only (mprotect)"),
	KNOB_DOUBLE_OF(struct hugetlb_churn_params, "fork_prob", fork_prob, 0.0, 1.0, "0.25",
		       "probability that a round forks a child, which writes one huge page of "
		       "the region (copy-on-write when private) and exits"),
	KNOB_BOOL_OF(struct hugetlb_churn_params, "shared", shared, "false",
		     "map MAP_SHARED instead of MAP_PRIVATE"),
	KNOB_BOOL_OF(struct hugetlb_churn_params, "noreserve", noreserve, "false",
		     "add MAP_NORESERVE: no huge pages reserved at mmap, faults take them from "
		     "the free pool"),
	KNOB_TIME_OF(struct hugetlb_churn_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two ops of a thread"),
};
static const struct knob_table table = { "hugetlb_churn parameter", params, ARRAY_SIZE(params) };

/* A parent walks HC_MAP .. HC_UNMAP `iterations` times; a child starts at HC_CHILD_WRITE. */
enum hc_phase { HC_MAP, HC_TOUCH, HC_SPLIT, HC_FORK, HC_RETOUCH, HC_UNMAP, HC_CHILD_WRITE,
		HC_CHILD_EXIT, HC_END };

/* state[] bits of one huge page of the region, for the current round */
#define HP_WRITTEN 0x1u     /* the parent wrote it this round */
#define HP_UNMAPPED 0x2u    /* unmapped by the split */
#define HP_RDONLY 0x4u      /* made read-only by the split */
#define HP_CHOSEN 0x8u      /* to be written by the current touch phase */

struct hugetlb_churn_gen {
	struct op_source src;
	struct hugetlb_churn_params p;
	struct rng rng;
	u64 base;                 /* the region's address */
	u64 nr_hpages;            /* huge pages of the region */
	u8 *state;                /* nr_hpages entries (NULL in a child) */
	unsigned round;           /* rounds started */
	u64 cursor;               /* the next huge page a touch phase considers */
	s64 child_page;           /* of the fork just returned: the child's page, -1 none */
	bool is_child;
	enum hc_phase phase;
	/* think: the op that follows the COMPUTE just returned */
	bool started, have_pending;
	struct op pending;
};

/* Mark HP_CHOSEN a uniform random set of `want` of the huge pages whose bits under
 * `mask` equal `need` (selection sampling, as fork_cow picks its pages), clearing the
 * other marks; returns how many were chosen (want, capped at the candidates). */
static u64 hc_choose(struct hugetlb_churn_gen *g, unsigned mask, unsigned need, u64 want)
{
	u64 left = 0;
	for (u64 i = 0; i < g->nr_hpages; i++) {
		g->state[i] &= ~HP_CHOSEN;
		left += (g->state[i] & mask) == need;
	}
	want = min(want, left);
	u64 chosen = 0;
	for (u64 i = 0; i < g->nr_hpages && chosen < want; i++) {
		if ((g->state[i] & mask) != need)
			continue;
		if (rng_below(&g->rng, left) < want - chosen) {
			g->state[i] |= HP_CHOSEN;
			chosen++;
		}
		left--;
	}
	g->cursor = 0;
	return chosen;
}

/* A random huge page whose bits under `mask` equal `need`; -1 if none. */
static s64 hc_pick_one(struct hugetlb_churn_gen *g, unsigned mask, unsigned need)
{
	if (!hc_choose(g, mask, need, 1))
		return -1;
	for (u64 i = 0; i < g->nr_hpages; i++)
		if (g->state[i] & HP_CHOSEN) {
			g->state[i] &= ~HP_CHOSEN;
			return (s64)i;
		}
	return -1;
}

static void hc_write(struct op *op, u64 addr)
{
	op_init(op, OP_TOUCH);
	op->addr = addr;
	op->len = PAGE_SIZE;
	op->flags = TOUCH_WRITE;
}

/* A write of the current touch phase's next chosen page; false when the phase is done. */
static bool hc_touch(struct hugetlb_churn_gen *g, struct op *op)
{
	for (; g->cursor < g->nr_hpages; g->cursor++) {
		u64 i = g->cursor;
		if (g->state[i] & HP_CHOSEN) {
			g->state[i] = (u8)((g->state[i] & ~HP_CHOSEN) | HP_WRITTEN);
			g->cursor++;
			hc_write(op, g->base + i * HPAGE_SIZE);
			return true;
		}
	}
	return false;
}

static u64 hc_fraction(u64 n, double f)
{
	return min((u64)((double)n * f + 0.5), n);
}

/* The split: an interior huge page unmapped, or a sub-range made read-only. */
static void hc_split(struct hugetlb_churn_gen *g, struct op *op)
{
	u64 n = g->nr_hpages;
	bool unmap = rng_double(&g->rng) < g->p.split_prob;
	if (unmap && n >= 3) {
		u64 i = 1 + rng_below(&g->rng, n - 2);
		g->state[i] |= HP_UNMAPPED;
		op_init(op, OP_MUNMAP);
		op->addr = g->base + i * HPAGE_SIZE;
		op->len = HPAGE_SIZE;
		return;
	}
	/* 1 .. n/2 huge pages (at least 1), anywhere: never the whole region when n >= 2 */
	u64 len = 1 + rng_below(&g->rng, max(n / 2, (u64)1));
	u64 first = rng_below(&g->rng, n - len + 1);
	for (u64 i = first; i < first + len; i++)
		g->state[i] |= HP_RDONLY;
	op_init(op, OP_MPROTECT);
	op->addr = g->base + first * HPAGE_SIZE;
	op->len = len * HPAGE_SIZE;
	op->prot = PROT_READ;
}

/* The next op of the round, without think time. */
static int hc_step(struct hugetlb_churn_gen *g, struct op *op)
{
	for (;;) {
		switch (g->phase) {
		case HC_MAP:
			if (g->round == g->p.iterations) {
				g->phase = HC_END;
				break;
			}
			g->round++;
			for (u64 i = 0; i < g->nr_hpages; i++)
				g->state[i] = 0;
			op_init(op, OP_MMAP);
			op->addr = g->base;
			op->len = g->nr_hpages * HPAGE_SIZE;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED_NOREPLACE |
				    (g->p.shared ? MAP_SHARED : MAP_PRIVATE) |
				    (g->p.noreserve ? MAP_NORESERVE : 0);
			hc_choose(g, 0, 0, hc_fraction(g->nr_hpages, g->p.touch_fraction));
			g->phase = HC_TOUCH;
			return 1;
		case HC_TOUCH:
			if (hc_touch(g, op))
				return 1;
			g->phase = HC_SPLIT;
			break;
		case HC_SPLIT:
			hc_split(g, op);
			g->phase = HC_FORK;
			return 1;
		case HC_FORK: {
			g->phase = HC_RETOUCH;
			/* drawn every round, so the stream does not depend on fork_prob's outcome */
			bool fork = rng_double(&g->rng) < g->p.fork_prob;
			const unsigned gone = HP_UNMAPPED | HP_RDONLY;
			s64 page = hc_pick_one(g, HP_WRITTEN | gone, HP_WRITTEN);
			if (page < 0)
				page = hc_pick_one(g, gone, 0);
			hc_choose(g, gone, 0, hc_fraction(g->nr_hpages, g->p.touch_fraction / 2));
			if (fork) {
				/* ->child() is asked for the child's source right after this */
				g->child_page = page;
				op_init(op, OP_FORK);
				op->id = 0;
				return 1;
			}
			break;
		}
		case HC_RETOUCH:
			if (hc_touch(g, op))
				return 1;
			g->phase = HC_UNMAP;
			break;
		case HC_UNMAP:
			op_init(op, OP_MUNMAP);
			op->addr = g->base;
			op->len = g->nr_hpages * HPAGE_SIZE;
			g->phase = HC_MAP;
			return 1;
		case HC_CHILD_WRITE:
			g->phase = HC_CHILD_EXIT;
			if (g->child_page >= 0) {
				hc_write(op, g->base + (u64)g->child_page * HPAGE_SIZE);
				return 1;
			}
			break;
		case HC_CHILD_EXIT:
			op_init(op, OP_EXIT);
			g->phase = HC_END;
			return 1;
		case HC_END:
			return 0;
		}
	}
}

static int hc_next(struct op_source *src, struct op *op)
{
	struct hugetlb_churn_gen *g = container_of(src, struct hugetlb_churn_gen, src);
	if (g->have_pending) {
		*op = g->pending;
		g->have_pending = false;
		return 1;
	}
	int r = hc_step(g, op);
	if (r != 1)
		return r;
	if (g->p.think_ns && g->started) {
		/* the think time goes before this op: no COMPUTE after a thread's last op */
		g->pending = *op;
		g->have_pending = true;
		op_init(op, OP_COMPUTE);
		op->ns = g->p.think_ns;
	}
	g->started = true;
	return 1;
}

/* The child of the OP_FORK just returned (the OP_FORK itself, when a COMPUTE came before
 * it): its page was chosen by the parent, from the parent's stream. */
static struct op_source *hc_child(struct op_source *src, const struct op *fork_op)
{
	struct hugetlb_churn_gen *g = container_of(src, struct hugetlb_churn_gen, src);
	struct hugetlb_churn_gen *c = xcalloc(1, sizeof(*c));
	(void)fork_op;
	c->src = g->src;
	c->p = g->p;
	c->base = g->base;
	c->nr_hpages = g->nr_hpages;
	c->child_page = g->child_page;
	c->is_child = true;
	c->phase = HC_CHILD_WRITE;
	return &c->src;
}

static void hc_close(struct op_source *src)
{
	struct hugetlb_churn_gen *g = container_of(src, struct hugetlb_churn_gen, src);
	free(g->state);
	free(g);
}

static const struct op_source_ops hc_ops = {
	.next = hc_next,
	.child = hc_child,
	.close = hc_close,
};

static struct op_source *hc_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct hugetlb_churn_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct hugetlb_churn_params *)w->params;
	g->src.ops = &hc_ops;
	g->src.name = w->name;
	/* A stream of its own per (instance, thread), as the touch generators seed theirs. */
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0x5eed);
	g->nr_hpages = ALIGN_UP(g->p.size, HPAGE_SIZE) / HPAGE_SIZE;
	g->state = xcalloc(g->nr_hpages, sizeof(*g->state));
	g->base = workload_thread_base(instance_idx, thread, g->nr_hpages * HPAGE_SIZE);
	g->child_page = -1;
	g->phase = HC_MAP;
	return &g->src;
}

const struct workload_type hugetlb_churn_type = {
	.schema = { .type = "hugetlb_churn",
		    .doc = "map hugetlb regions, write, split (munmap/mprotect), fork a writer, unmap",
		    .params = &table,
		    .params_size = sizeof(struct hugetlb_churn_params) },
	.create = hc_create,
};
