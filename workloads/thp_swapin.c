/* thp_swapin.c - seed 001's test of khugepaged's swap-in (Ebru Akagunduz, May 2016), with
 * a concurrent faulting thread in the same process.
 *
 * Thread 0 writes the khugepaged sysfs file scan_sleep_millisecs (when sysfs_write), maps
 * `size` bytes of anonymous memory, writes every page, pushes the region to swap
 * (MADV_PAGEOUT), marks it MADV_HUGEPAGE (which registers the process with khugepaged:
 * the VMA has an anon_vma now), writes it again skipping one page in `skip_every`, so
 * every 2 MiB range keeps about 512/skip_every swap PTEs for khugepaged to swap in, then
 * sleeps `hold` while khugepaged works, and exits.
 * Thread 1 (threads >= 2) is the concurrent faulter: it maps `fault_size` bytes, sleeps
 * `fault_start`, and writes one fresh page every `fault_think` (MADV_DONTNEED of its region when it reaches the end)
 * until it has taken `fault_touches` faults; its faults wait for mmap_lock behind
 * khugepaged's write holds. Further threads idle. */
#include <stdlib.h>

#include "config/scenario.h"
#include "uapi.h"
#include "workloads/workload.h"

struct thp_swapin_params {
	u64 size;
	unsigned skip_every;
	u64 hold_ns;
	bool sysfs_write;
	unsigned scan_sleep_ms;
	u64 fault_size;
	u64 fault_start_ns;
	u64 fault_think_ns;
	u64 fault_touches;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct thp_swapin_params, "size", size, PMD_SIZE, 1ULL << 40, "800MiB",
		     "bytes thread 0 writes, pushes to swap and writes again"),
	KNOB_UINT_OF(struct thp_swapin_params, "skip_every", skip_every, 2, 512, "20",
		     "the second write skips one page in this many (they stay in swap)"),
	KNOB_TIME_OF(struct thp_swapin_params, "hold", hold_ns, 0, 100000 * NSEC_PER_SEC, "20s",
		     "how long thread 0 sleeps after the second write while khugepaged works"),
	KNOB_BOOL_OF(struct thp_swapin_params, "sysfs_write", sysfs_write, "true",
		     "thread 0 first writes khugepaged/scan_sleep_millisecs"),
	KNOB_UINT_OF(struct thp_swapin_params, "scan_sleep_ms", scan_sleep_ms, 0, 3600000, "10",
		     "the value it writes there"),
	KNOB_SIZE_OF(struct thp_swapin_params, "fault_size", fault_size, PAGE_SIZE, 1ULL << 40,
		     "16MiB", "bytes the faulting thread (thread 1) maps"),
	KNOB_TIME_OF(struct thp_swapin_params, "fault_start", fault_start_ns, 0, 100000 * NSEC_PER_SEC,
		     "0s", "time the faulting thread sleeps before its first fault"),
	KNOB_TIME_OF(struct thp_swapin_params, "fault_think", fault_think_ns, 0, NSEC_PER_SEC,
		     "100us", "time between two faults of the faulting thread"),
	KNOB_U64_OF(struct thp_swapin_params, "fault_touches", fault_touches, 0, 1ULL << 40,
		    "150000", "faults the faulting thread takes"),
};
static const struct knob_table table = { "thp_swapin parameter", params, ARRAY_SIZE(params) };

enum { MAIN_SYSFS, MAIN_MMAP, MAIN_WRITE, MAIN_PAGEOUT, MAIN_HUGEPAGE, MAIN_REWRITE,
       MAIN_HOLD, MAIN_END };
enum { F_MMAP, F_START, F_TOUCH, F_THINK, F_DONTNEED, F_END };

struct thp_swapin_gen {
	struct op_source src;
	struct thp_swapin_params p;
	unsigned role;                     /* 0 main, 1 faulter, 2 idle */
	u64 base, size;
	int phase;
	u64 pos;                           /* page index (rewrite, faulter) */
	u64 done;                          /* faults taken (faulter) */
};

static const char scan_sleep_path[] =
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs";

static int main_next(struct thp_swapin_gen *g, struct op *op)
{
	u64 pages = g->size >> PAGE_SHIFT, k = g->p.skip_every;
	switch (g->phase) {
	case MAIN_SYSFS:
		g->phase = MAIN_MMAP;
		if (g->p.sysfs_write) {
			op_init(op, OP_SYSCTL);
			op->path = scan_sleep_path;
			op->id = g->p.scan_sleep_ms;
			return 1;
		}
		/* fall through */
	case MAIN_MMAP:
		op_init(op, OP_MMAP);
		op->addr = g->base;
		op->len = g->size;
		op->prot = PROT_READ | PROT_WRITE;
		op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
		g->phase = MAIN_WRITE;
		return 1;
	case MAIN_WRITE:
		op_init(op, OP_TOUCH);
		op->addr = g->base;
		op->len = g->size;
		op->flags = TOUCH_WRITE;
		g->phase = MAIN_PAGEOUT;
		return 1;
	case MAIN_PAGEOUT:
	case MAIN_HUGEPAGE:
		op_init(op, OP_MADVISE);
		op->addr = g->base;
		op->len = g->size;
		op->arg = g->phase == MAIN_PAGEOUT ? MADV_PAGEOUT : MADV_HUGEPAGE;
		g->phase++;
		return 1;
	case MAIN_REWRITE: {
		/* pages [pos, pos + k - 1) of each run of k; page pos + k - 1 stays in swap */
		u64 run = min_t(u64, k - 1, pages - g->pos);
		op_init(op, OP_TOUCH);
		op->addr = g->base + (g->pos << PAGE_SHIFT);
		op->len = run << PAGE_SHIFT;
		op->flags = TOUCH_WRITE;
		g->pos += k;
		if (g->pos >= pages)
			g->phase = MAIN_HOLD;
		return 1;
	}
	case MAIN_HOLD:
		g->phase = MAIN_END;
		if (g->p.hold_ns) {
			op_init(op, OP_SLEEP);
			op->ns = g->p.hold_ns;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static int faulter_next(struct thp_swapin_gen *g, struct op *op)
{
	u64 pages = g->size >> PAGE_SHIFT;
	switch (g->phase) {
	case F_MMAP:
		op_init(op, OP_MMAP);
		op->addr = g->base;
		op->len = g->size;
		op->prot = PROT_READ | PROT_WRITE;
		op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
		g->phase = g->p.fault_touches ? F_START : F_END;
		return 1;
	case F_START:
		g->phase = F_TOUCH;
		if (g->p.fault_start_ns) {
			op_init(op, OP_SLEEP);
			op->ns = g->p.fault_start_ns;
			return 1;
		}
		/* fall through */
	case F_TOUCH:
		op_init(op, OP_TOUCH);
		op->addr = g->base + (g->pos << PAGE_SHIFT);
		op->len = PAGE_SIZE;
		op->flags = TOUCH_WRITE;
		g->done++;
		g->pos++;
		if (g->done == g->p.fault_touches)
			g->phase = F_END;
		else if (g->pos == pages)
			g->phase = F_DONTNEED;
		else if (g->p.fault_think_ns)
			g->phase = F_THINK;
		return 1;
	case F_THINK:
		op_init(op, OP_SLEEP);
		op->ns = g->p.fault_think_ns;
		g->phase = F_TOUCH;
		return 1;
	case F_DONTNEED:
		op_init(op, OP_MADVISE);
		op->addr = g->base;
		op->len = g->size;
		op->arg = MADV_DONTNEED;
		g->pos = 0;
		g->phase = g->p.fault_think_ns ? F_THINK : F_TOUCH;
		return 1;
	default:
		return 0;
	}
}

static int thp_swapin_next(struct op_source *src, struct op *op)
{
	struct thp_swapin_gen *g = container_of(src, struct thp_swapin_gen, src);
	if (g->role == 0)
		return main_next(g, op);
	if (g->role == 1)
		return faulter_next(g, op);
	return 0;
}

static void thp_swapin_close(struct op_source *src)
{
	free(container_of(src, struct thp_swapin_gen, src));
}

static const struct op_source_ops thp_swapin_ops = {
	.next = thp_swapin_next,
	.close = thp_swapin_close,
};

static struct op_source *thp_swapin_create(const struct workload_cfg *w, unsigned instance_idx,
					   unsigned thread, u64 seed)
{
	(void)seed;
	struct thp_swapin_gen *g = xcalloc(1, sizeof(*g));
	g->src.ops = &thp_swapin_ops;
	g->src.name = w->name;
	g->p = *(const struct thp_swapin_params *)w->params;
	g->role = thread < 2 ? thread : 2;
	g->size = ALIGN_UP(g->role == 1 ? g->p.fault_size : g->p.size, PAGE_SIZE);
	g->base = workload_thread_base(instance_idx, thread, g->size);
	return &g->src;
}

const struct workload_type thp_swapin_type = {
	.schema = { .type = "thp_swapin",
		    .doc = "seed 001: write, swap out, rewrite skipping 1 page in 20 while "
			   "khugepaged collapses with swap-in; thread 1 faults concurrently",
		    .params = &table,
		    .params_size = sizeof(struct thp_swapin_params) },
	.create = thp_swapin_create,
};
