/* fork_cow.c - fork and copy-on-write (a server that forks workers from a warm parent, or
 * a snapshotting database): each thread maps `working_set` bytes of private anonymous
 * memory and writes every page, then forks `children` child processes one after another.
 * Each child writes `write_ratio` of the working set (the first pages, or with `random` a
 * random set of pages, in address order), sleeps `child_hold`, and exits. After the last
 * fork the parent sleeps `parent_wait` (there is no wait() op: a long enough sleep lets
 * the children finish first), writes `parent_write_ratio` of the pages itself (chosen
 * the same way, from its own stream) and exits.
 *
 * What the model does with it: fork write-protects every PTE of the parent and copies it
 * to the child, sharing the page; a write to a shared page takes a fault that copies it
 * (COW), a write by the last process still mapping it takes a fault that reuses it
 * (pgreuse). So each page a child writes is a copy while the parent still maps the page,
 * and each page the parent writes after its children have exited is reused.
 *
 * Children are numbered by the simulator (fork's op id 0). A fork copies the whole
 * process: with several threads, the children of one thread also share the other
 * threads' pages (and never write them). */
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct fork_cow_params {
	u64 working_set;
	unsigned children;
	double write_ratio;
	bool random;
	u64 child_hold_ns;
	u64 parent_wait_ns;
	double parent_write_ratio;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct fork_cow_params, "working_set", working_set, PAGE_SIZE, 1ULL << 40,
		     "64MiB", "bytes each thread maps and writes before forking (rounded up to a page)"),
	KNOB_UINT_OF(struct fork_cow_params, "children", children, 0, 4096, "2",
		     "child processes each thread forks, one after another"),
	KNOB_DOUBLE_OF(struct fork_cow_params, "write_ratio", write_ratio, 0.0, 1.0, "0.25",
		       "fraction of the working set each child writes (rounded to a page)"),
	KNOB_BOOL_OF(struct fork_cow_params, "random", random, "false",
		     "children and parent write a random set of pages (in address order) instead "
		     "of the first ones"),
	KNOB_TIME_OF(struct fork_cow_params, "child_hold", child_hold_ns, 0, 100 * NSEC_PER_SEC,
		     "0ns", "off-CPU time a child sleeps after its writes, before it exits"),
	KNOB_TIME_OF(struct fork_cow_params, "parent_wait", parent_wait_ns, 0, 100 * NSEC_PER_SEC,
		     "0ns", "off-CPU time the parent sleeps after its last fork, before its writes"),
	KNOB_DOUBLE_OF(struct fork_cow_params, "parent_write_ratio", parent_write_ratio, 0.0, 1.0,
		       "0.0", "fraction of the working set the parent writes after forking"),
	KNOB_TIME_OF(struct fork_cow_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two touches"),
};
static const struct knob_table table = { "fork_cow parameter", params, ARRAY_SIZE(params) };

/* The parent walks every phase from COW_MAP; a child starts at COW_WRITE. */
enum cow_phase { COW_MAP, COW_FILL, COW_FORK, COW_WAIT, COW_WRITE, COW_HOLD, COW_EXIT,
		 COW_END };

struct fork_cow_gen {
	struct op_source src;
	struct fork_cow_params p;
	bool is_child;
	struct rng rng;           /* the random page set of this process's writes */
	u64 seed, stream;         /* the parent's; a child's stream derives from them */
	u64 base, nr_pages;       /* the thread's working set */
	u64 want, chosen;         /* pages this phase writes, and written so far */
	u64 next;                 /* random: the next page to consider */
	unsigned forked;          /* children forked so far (the parent) */
	bool think_next;          /* a COMPUTE op is due before the next touch */
	enum cow_phase phase;
};

static u64 ratio_pages(u64 nr_pages, double ratio)
{
	return min((u64)((double)nr_pages * ratio + 0.5), nr_pages);
}

/* The next page of this phase's writes: the first `want` pages in order or, with
 * `random`, a uniform random set of `want` pages in address order (selection sampling:
 * page i is taken with probability still-needed / pages-left, so exactly `want` are). */
static u64 cow_next_page(struct fork_cow_gen *g)
{
	if (!g->p.random)
		return g->chosen++;
	for (;;) {
		u64 i = g->next++;
		if (rng_below(&g->rng, g->nr_pages - i) < g->want - g->chosen) {
			g->chosen++;
			return i;
		}
	}
}

static void cow_start_writes(struct fork_cow_gen *g, enum cow_phase phase, u64 want)
{
	g->phase = phase;
	g->want = want;
	g->chosen = 0;
	g->next = 0;
	g->think_next = false;
}

/* A write touch of the current phase's next page; false when the phase is done. */
static bool cow_touch(struct fork_cow_gen *g, struct op *op)
{
	if (g->chosen == g->want)
		return false;
	if (g->think_next) {
		g->think_next = false;
		op_init(op, OP_COMPUTE);
		op->ns = g->p.think_ns;
		return true;
	}
	u64 page = g->phase == COW_FILL ? g->chosen++ : cow_next_page(g);
	op_init(op, OP_TOUCH);
	op->addr = g->base + (page << PAGE_SHIFT);
	op->len = PAGE_SIZE;
	op->flags = TOUCH_WRITE;
	g->think_next = g->p.think_ns > 0 && g->chosen < g->want;
	return true;
}

static int cow_next(struct op_source *src, struct op *op)
{
	struct fork_cow_gen *g = container_of(src, struct fork_cow_gen, src);
	for (;;) {
		switch (g->phase) {
		case COW_MAP:
			op_init(op, OP_MMAP);
			op->addr = g->base;
			op->len = g->nr_pages << PAGE_SHIFT;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			cow_start_writes(g, COW_FILL, g->nr_pages);
			return 1;
		case COW_FILL:
			if (cow_touch(g, op))
				return 1;
			g->phase = COW_FORK;
			break;
		case COW_FORK:
			if (g->forked < g->p.children) {
				/* ->child() is asked for the child's source right after this */
				op_init(op, OP_FORK);
				op->id = 0;
				g->forked++;
				return 1;
			}
			g->phase = COW_WAIT;
			if (g->p.parent_wait_ns) {
				op_init(op, OP_SLEEP);
				op->ns = g->p.parent_wait_ns;
				return 1;
			}
			break;
		case COW_WAIT:
			cow_start_writes(g, COW_WRITE, ratio_pages(g->nr_pages, g->p.parent_write_ratio));
			break;
		case COW_WRITE:
			if (cow_touch(g, op))
				return 1;
			g->phase = g->is_child ? COW_HOLD : COW_EXIT;
			break;
		case COW_HOLD:
			g->phase = COW_EXIT;
			if (g->p.child_hold_ns) {
				op_init(op, OP_SLEEP);
				op->ns = g->p.child_hold_ns;
				return 1;
			}
			break;
		case COW_EXIT:
			op_init(op, OP_EXIT);
			g->phase = COW_END;
			return 1;
		case COW_END:
			return 0;
		}
	}
}

/* The child of the OP_FORK just returned: a source of its own (it may outlive the
 * parent's), writing its pages from a stream of its own. */
static struct op_source *cow_child(struct op_source *src, const struct op *fork_op)
{
	struct fork_cow_gen *g = container_of(src, struct fork_cow_gen, src);
	struct fork_cow_gen *c = xcalloc(1, sizeof(*c));
	(void)fork_op;
	c->src = g->src;
	c->p = g->p;
	c->is_child = true;
	c->base = g->base;
	c->nr_pages = g->nr_pages;
	/* child k (1-based) of a thread: the thread's stream with k in the top 16 bits */
	rng_seed(&c->rng, g->seed, g->stream + ((u64)g->forked << 48));
	cow_start_writes(c, COW_WRITE, ratio_pages(c->nr_pages, c->p.write_ratio));
	return &c->src;
}

static void cow_close(struct op_source *src)
{
	free(container_of(src, struct fork_cow_gen, src));
}

static const struct op_source_ops cow_ops = {
	.next = cow_next,
	.child = cow_child,
	.close = cow_close,
};

static struct op_source *cow_create(const struct workload_cfg *w, unsigned instance_idx,
				    unsigned thread, u64 seed)
{
	struct fork_cow_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct fork_cow_params *)w->params;
	g->src.ops = &cow_ops;
	g->src.name = w->name;
	/* A stream of its own per (instance, thread), as the touch generators seed theirs. */
	g->seed = seed;
	g->stream = ((u64)instance_idx << 32 | thread) + 0x5eed;
	rng_seed(&g->rng, seed, g->stream);
	g->nr_pages = ALIGN_UP(g->p.working_set, PAGE_SIZE) >> PAGE_SHIFT;
	g->base = workload_thread_base(instance_idx, thread, g->nr_pages << PAGE_SHIFT);
	g->phase = COW_MAP;
	return &g->src;
}

const struct workload_type fork_cow_type = {
	.schema = { .type = "fork_cow",
		    .doc = "write a working set, fork children that write part of it (copy-on-write)",
		    .params = &table,
		    .params_size = sizeof(struct fork_cow_params) },
	.create = cow_create,
};
