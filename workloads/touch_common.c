/* touch_common.c - the map / touch / unmap op stream shared by the touch generators. */
#include <stdlib.h>

#include "config/scenario.h"
#include "uapi.h"
#include "workloads/touch_common.h"
#include "workloads/workload.h"

static int touch_next(struct op_source *src, struct op *op)
{
	struct touch_gen *g = container_of(src, struct touch_gen, src);
	switch (g->phase) {
	case 0:
		op_init(op, OP_MMAP);
		op->addr = g->base;
		op->len = g->size;
		op->prot = PROT_READ | PROT_WRITE;
		op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
		g->phase = g->nr_touches ? 1 : 2;
		return 1;
	case 1:
		if (g->think_next) {
			g->think_next = false;
			op_init(op, OP_COMPUTE);
			op->ns = g->think_ns;
			return 1;
		}
		op_init(op, OP_TOUCH);
		op->addr = g->base + (g->next_page(g) << PAGE_SHIFT);
		op->len = PAGE_SIZE;
		if (g->write_ratio >= 1.0 || (g->write_ratio > 0 && rng_double(&g->rng) < g->write_ratio))
			op->flags = TOUCH_WRITE;
		g->done++;
		g->think_next = g->think_ns > 0;
		if (g->done == g->nr_touches) {
			g->phase = 2;
			g->think_next = false;
		}
		return 1;
	case 2:
		g->phase = 3;
		if (g->cycles) {
			/* another round: unmap, then map and touch again from the start */
			g->cycles--;
			g->done = 0;
			g->phase = 0;
			op_init(op, OP_MUNMAP);
			op->addr = g->base;
			op->len = g->size;
			return 1;
		}
		if (g->unmap) {
			op_init(op, OP_MUNMAP);
			op->addr = g->base;
			op->len = g->size;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void touch_close(struct op_source *src)
{
	free(container_of(src, struct touch_gen, src));
}

static const struct op_source_ops touch_ops = {
	.next = touch_next,
	.close = touch_close,
};

void touch_gen_init(struct touch_gen *g, const char *name, const struct workload_cfg *w,
		    unsigned instance_idx, unsigned thread, u64 seed, u64 size, double write_ratio,
		    u64 think_ns, bool unmap)
{
	g->src.ops = &touch_ops;
	g->src.name = name;
	/* A stream of its own per (instance, thread), independent of the actor ids. */
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0x5eed);
	g->size = ALIGN_UP(size, PAGE_SIZE);
	g->base = workload_thread_base(instance_idx, thread, g->size);
	g->write_ratio = write_ratio;
	g->think_ns = think_ns;
	g->unmap = unmap;
	(void)w;
}
