/* slab_churn.c - fill memory with small kernel objects interleaved with user pages, delete
 * most of them, then try high-order allocations (seed 003: a few long-lived dentries and
 * inodes per slab page keep whole pageblocks from ever being free).
 *
 * Each thread, in rounds: creates a small file (open, write `file_size`, close: a dentry
 * and an inode in slabs with slab.account_users, and page-cache pages), and every
 * `vma_every` files maps one anonymous page at its own address (a vm_area_struct) and
 * touches it. Then it unlinks each file with probability `unlink_ratio` (the inode,
 * dentry and page cache go) and unmaps each VMA with probability `unmap_ratio`. Then
 * `attempts` movable allocations of order `order` (GFP_NOWAIT-like: what the free lists
 * hold), compact_memory, and `attempts` more; everything it holds is freed at the end.
 * The replay counts the successes per order, apart those after compact_memory
 * (summary.json metrics/alloc_pages). Files are /slab_churn/<instance>/<thread>/<i>. */
#include <stdio.h>
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "workloads/workload.h"

struct slab_churn_params {
	u64 files;
	u64 file_size;
	u64 vma_every;
	double unlink_ratio;
	double unmap_ratio;
	u64 attempts;
	u64 order;
	u64 think_ns;
	bool compact;
};

static const struct knob params[] = {
	KNOB_U64_OF(struct slab_churn_params, "files", files, 1, 1ULL << 28, "20000",
		    "files each thread creates"),
	KNOB_SIZE_OF(struct slab_churn_params, "file_size", file_size, 0, 1ULL << 30, "4KiB",
		     "bytes written to each file (page cache)"),
	KNOB_U64_OF(struct slab_churn_params, "vma_every", vma_every, 0, 1ULL << 20, "4",
		    "map and touch one anonymous page every this many files (0: never)"),
	KNOB_DOUBLE_OF(struct slab_churn_params, "unlink_ratio", unlink_ratio, 0.0, 1.0, "0.9",
		       "fraction of the files unlinked afterwards"),
	KNOB_DOUBLE_OF(struct slab_churn_params, "unmap_ratio", unmap_ratio, 0.0, 1.0, "0.9",
		       "fraction of the VMAs unmapped afterwards"),
	KNOB_U64_OF(struct slab_churn_params, "attempts", attempts, 0, 1ULL << 32, "64",
		    "high-order allocations attempted before and again after compact_memory"),
	KNOB_U64_OF(struct slab_churn_params, "order", order, 1, 10, "9",
		    "order of the attempted allocations"),
	KNOB_TIME_OF(struct slab_churn_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two operations"),
	KNOB_BOOL_OF(struct slab_churn_params, "compact", compact, "true",
		     "write compact_memory between the two rounds of attempts"),
};
static const struct knob_table table = { "slab_churn parameter", params, ARRAY_SIZE(params) };

enum sc_phase { SC_OPEN, SC_WRITE, SC_CLOSE, SC_MMAP, SC_TOUCH, SC_UNLINK, SC_MUNMAP,
		SC_ATTEMPT, SC_COMPACT, SC_ATTEMPT_AFTER, SC_RELEASE, SC_END };

struct slab_churn_gen {
	struct op_source src;
	struct slab_churn_params p;
	struct rng rng;
	u32 pid, tid;
	unsigned instance, thread;
	u64 base;                 /* VMA i at base + 2 * i pages (a gap keeps them apart) */
	u64 i, nr_vmas;
	enum sc_phase phase;
	char path[96];
};

#define SC_FD 3
#define ATTEMPT_ID_BASE (1ULL << 40)

static void sc_init(struct slab_churn_gen *g, struct op *op, enum op_type t)
{
	op_init(op, t);
	op->pid = g->pid;
	op->tid = g->tid;
	op->think_ns = g->p.think_ns;
}

static void sc_path(struct slab_churn_gen *g, u64 i)
{
	snprintf(g->path, sizeof(g->path), "/slab_churn/%u/%u/%llu", g->instance, g->thread,
		 (unsigned long long)i);
}

static int sc_next(struct op_source *src, struct op *op)
{
	struct slab_churn_gen *g = container_of(src, struct slab_churn_gen, src);
	for (;;) {
		switch (g->phase) {
		case SC_OPEN:
			if (g->i == g->p.files) {
				g->phase = SC_UNLINK;
				g->i = 0;
				break;
			}
			sc_init(g, op, OP_OPEN);
			sc_path(g, g->i);
			op->path = g->path;
			op->ret = SC_FD;
			g->phase = g->p.file_size ? SC_WRITE : SC_CLOSE;
			return 1;
		case SC_WRITE:
			sc_init(g, op, OP_WRITE);
			op->fd = SC_FD;
			op->off = 0;
			op->len = g->p.file_size;
			g->phase = SC_CLOSE;
			return 1;
		case SC_CLOSE:
			sc_init(g, op, OP_CLOSE);
			op->fd = SC_FD;
			g->i++;
			g->phase = g->p.vma_every && g->i % g->p.vma_every == 0 ? SC_MMAP : SC_OPEN;
			return 1;
		case SC_MMAP:
			sc_init(g, op, OP_MMAP);
			op->addr = g->base + g->nr_vmas * 2 * PAGE_SIZE;
			op->len = PAGE_SIZE;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			g->phase = SC_TOUCH;
			return 1;
		case SC_TOUCH:
			sc_init(g, op, OP_TOUCH);
			op->addr = g->base + g->nr_vmas * 2 * PAGE_SIZE;
			op->len = PAGE_SIZE;
			op->flags = TOUCH_WRITE;
			g->nr_vmas++;
			g->phase = SC_OPEN;
			return 1;
		case SC_UNLINK:
			while (g->i < g->p.files) {
				u64 i = g->i++;
				if (rng_double(&g->rng) < g->p.unlink_ratio) {
					sc_init(g, op, OP_UNLINK);
					sc_path(g, i);
					op->path = g->path;
					return 1;
				}
			}
			g->phase = SC_MUNMAP;
			g->i = 0;
			break;
		case SC_MUNMAP:
			while (g->i < g->nr_vmas) {
				u64 i = g->i++;
				if (rng_double(&g->rng) < g->p.unmap_ratio) {
					sc_init(g, op, OP_MUNMAP);
					op->addr = g->base + i * 2 * PAGE_SIZE;
					op->len = PAGE_SIZE;
					return 1;
				}
			}
			g->phase = SC_ATTEMPT;
			g->i = 0;
			break;
		case SC_ATTEMPT:
		case SC_ATTEMPT_AFTER:
			if (g->i < g->p.attempts) {
				sc_init(g, op, OP_ALLOC_PAGES);
				op->id = ATTEMPT_ID_BASE + g->i +
					 (g->phase == SC_ATTEMPT_AFTER ? g->p.attempts : 0);
				op->arg = (u32)g->p.order;
				op->flags = ALLOC_F_MOVABLE | ALLOC_F_NOWAIT;
				op->node = -1;
				g->i++;
				return 1;
			}
			g->phase = g->phase == SC_ATTEMPT ? SC_COMPACT : SC_RELEASE;
			g->i = 0;
			break;
		case SC_COMPACT:
			if (!g->p.compact) {
				g->phase = SC_ATTEMPT_AFTER;
				break;
			}
			sc_init(g, op, OP_COMPACT_MEMORY);
			op->node = -1;
			g->phase = SC_ATTEMPT_AFTER;
			return 1;
		case SC_RELEASE:
			if (g->i < 2 * g->p.attempts) {
				sc_init(g, op, OP_FREE_PAGES);
				op->id = ATTEMPT_ID_BASE + g->i;
				g->i++;
				return 1;
			}
			g->phase = SC_END;
			break;
		case SC_END:
			return 0;
		}
	}
}

static void sc_close(struct op_source *src)
{
	free(container_of(src, struct slab_churn_gen, src));
}

static const struct op_source_ops sc_ops = { .next = sc_next, .close = sc_close };

static struct op_source *sc_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct slab_churn_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct slab_churn_params *)w->params;
	g->src.ops = &sc_ops;
	g->src.name = w->name;
	g->pid = 1000 + instance_idx;
	g->tid = instance_idx * 1000 + thread;
	g->instance = instance_idx;
	g->thread = thread;
	u64 span = (g->p.vma_every ? g->p.files / g->p.vma_every + 1 : 1) * 2 * PAGE_SIZE;
	g->base = workload_thread_base(instance_idx, thread, span);
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) * 2 + 0x51ab);
	return &g->src;
}

const struct workload_type slab_churn_type = {
	.schema = { .type = "slab_churn",
		    .doc = "create and delete many small files and VMAs (slab objects), then try "
			   "high-order allocations",
		    .params = &table,
		    .params_size = sizeof(struct slab_churn_params) },
	.create = sc_create,
};
