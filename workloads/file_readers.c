/* file_readers.c - threads on several nodes read and map the same hot files while a
 * remover takes pages out of their page cache (seed 002's picture: a file read on many
 * CPUs at once, pages evicted meanwhile). One process per instance; its threads:
 *
 *   - thread 0 first opens the `files` files /hot/<workload name>.<f> (fd 3 + f, shared by
 *     the process's threads) and fallocates each to `file_size` (the pages land in the
 *     page cache on thread 0's node); the other threads sleep `start_delay` first, which
 *     must cover that.
 *   - the readers, threads 0 .. T-1 (T = `threads`, minus the remover): with `mmap`, each
 *     maps every file MAP_SHARED read-only at its own address; then `reads` times it picks
 *     a file and a page uniformly at random (its own deterministic stream) and reads
 *     `read_size` bytes there (OP_READ); with `mmap`, every `mmap_every`-th access is a
 *     read touch of that page through its mapping instead (a page fault if not mapped
 *     yet). `think` of CPU time comes before every access but the first.
 *   - with `remover` (and `threads` >= 2), the last thread: after `start_delay`,
 *     `removals` times it sleeps `remover_interval` and then, with `remover: punch`,
 *     punches a hole of `punch_pages` pages at a random page of a random file
 *     (fallocate PUNCH_HOLE|KEEP_SIZE: truncate_inode_pages_range); with `remover:
 *     pressure`, touches (writes) `pressure_size` bytes of a private anonymous region
 *     mapped at its start, so reclaim evicts file pages (the freeze protocol), and with
 *     `pressure_unmap` unmaps and remaps it (so the next round faults it again); with
 *     `remover: notifier`, registers an MMU notifier (OP_MM_TAKE_ALL_LOCKS: every lock of
 *     the mm held for `notifier_hold`), blocking the readers' faults meanwhile.
 *
 * Ops per instance: thread 0: F opens + F fallocates; each reader: F mmaps (with mmap),
 * `reads` accesses (+ COMPUTEs with think), a sleep (but thread 0); the remover: 1 sleep,
 * then per removal a sleep and 1 fallocate (punch) or the touch (+ munmap, mmap). */
#include <stdio.h>
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

#define FALLOC_PUNCH_KEEP 0x03u     /* FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE */

enum fr_remover { FR_NONE, FR_PUNCH, FR_PRESSURE, FR_NOTIFIER };
static const char *const remover_names[] = { "none", "punch", "pressure", "notifier", NULL };

struct file_readers_params {
	unsigned files;
	u64 file_size, read_size;
	u64 reads;
	bool mmap;
	unsigned mmap_every;
	u64 think_ns;
	u64 start_delay_ns;
	unsigned remover;
	unsigned removals;
	u64 remover_interval_ns;
	unsigned punch_pages;
	u64 pressure_size;
	bool pressure_unmap;
	u64 notifier_hold_ns;
};

static const struct knob params[] = {
	KNOB_UINT_OF(struct file_readers_params, "files", files, 1, 64, "2",
		     "hot files shared by the readers"),
	KNOB_SIZE_OF(struct file_readers_params, "file_size", file_size, PAGE_SIZE, 1ULL << 34,
		     "256KiB", "bytes of each file (whole pages)"),
	KNOB_SIZE_OF(struct file_readers_params, "read_size", read_size, 1, 1ULL << 24, "4KiB",
		     "bytes of one read"),
	KNOB_U64_OF(struct file_readers_params, "reads", reads, 0, 1ULL << 32, "2000",
		    "accesses (reads and touches) per reader"),
	KNOB_BOOL_OF(struct file_readers_params, "mmap", mmap, "true",
		     "readers also map the files and touch pages through the mappings"),
	KNOB_UINT_OF(struct file_readers_params, "mmap_every", mmap_every, 1, 1000000, "4",
		     "with mmap: every n-th access is a touch of the mapped page"),
	KNOB_TIME_OF(struct file_readers_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two accesses of a reader"),
	KNOB_TIME_OF(struct file_readers_params, "start_delay", start_delay_ns, 0,
		     10 * NSEC_PER_SEC, "200us",
		     "threads other than 0 sleep this long first, while thread 0 creates the files"),
	KNOB_ENUM_OF(struct file_readers_params, "remover", remover, remover_names, "punch",
		     "the last thread (of 2 or more) removes pages: punch (fallocate punch holes), "
		     "pressure (anonymous memory: reclaim evicts file pages), notifier (no removal: "
		     "registers an MMU notifier, mm_take_all_locks) or none"),
	KNOB_UINT_OF(struct file_readers_params, "removals", removals, 0, 1000000, "100",
		     "hole punches or pressure rounds of the remover"),
	KNOB_TIME_OF(struct file_readers_params, "remover_interval", remover_interval_ns, 0,
		     10 * NSEC_PER_SEC, "20us", "the remover's sleep before each removal"),
	KNOB_UINT_OF(struct file_readers_params, "punch_pages", punch_pages, 1, 1u << 20, "4",
		     "pages of one hole punch"),
	KNOB_SIZE_OF(struct file_readers_params, "pressure_size", pressure_size, PAGE_SIZE,
		     1ULL << 36, "4MiB", "bytes of anonymous memory the pressure remover writes"),
	KNOB_BOOL_OF(struct file_readers_params, "pressure_unmap", pressure_unmap, "true",
		     "the pressure remover unmaps and remaps its region after each round"),
	KNOB_TIME_OF(struct file_readers_params, "notifier_hold", notifier_hold_ns, 0,
		     10 * NSEC_PER_SEC, "20us",
		     "remover notifier: the MMU notifier setup done with every lock of the mm held"),
};
static const struct knob_table table = { "file_readers parameter", params, ARRAY_SIZE(params) };

enum fr_phase { FR_OPEN, FR_FALLOC, FR_DELAY, FR_MAP, FR_ACCESS, FR_THINK_DONE, FR_RM_SLEEP,
		FR_RM_ACT, FR_RM_UNMAP, FR_RM_MAP, FR_END };

struct file_readers_gen {
	struct op_source src;
	struct file_readers_params p;
	struct rng rng;
	char path[96];
	const char *name;
	unsigned thread;
	bool is_remover;
	u64 pages;               /* per file */
	u64 base;                /* the thread's mappings: file f at base + f * file_size */
	unsigned f;              /* files opened/fallocated/mapped so far */
	u64 done;                /* accesses / removals done */
	enum fr_phase phase;
};

static void fr_path(struct file_readers_gen *g, unsigned f)
{
	snprintf(g->path, sizeof(g->path), "/hot/%s.%u", g->name, f);
}

static int fr_next(struct op_source *src, struct op *op)
{
	struct file_readers_gen *g = container_of(src, struct file_readers_gen, src);
	const struct file_readers_params *p = &g->p;
	for (;;) {
		switch (g->phase) {
		case FR_OPEN:
			if (g->f == p->files) {
				g->f = 0;
				g->phase = FR_FALLOC;
				break;
			}
			op_init(op, OP_OPEN);
			fr_path(g, g->f);
			op->path = g->path;
			op->ret = 3 + g->f++;
			return 1;
		case FR_FALLOC:
			if (g->f == p->files) {
				g->f = 0;
				g->phase = FR_MAP;
				break;
			}
			op_init(op, OP_FALLOCATE);
			op->fd = (s32)(3 + g->f++);
			op->arg = 0;
			op->off = 0;
			op->len = g->pages << PAGE_SHIFT;
			return 1;
		case FR_DELAY:
			g->phase = g->is_remover ? FR_RM_MAP : FR_MAP;
			if (p->start_delay_ns) {
				op_init(op, OP_SLEEP);
				op->ns = p->start_delay_ns;
				return 1;
			}
			break;
		case FR_MAP:
			if (!p->mmap || g->f == p->files) {
				g->phase = FR_ACCESS;
				break;
			}
			op_init(op, OP_MMAP);
			op->addr = g->base + (u64)g->f * (g->pages << PAGE_SHIFT);
			op->len = g->pages << PAGE_SHIFT;
			op->prot = PROT_READ;
			op->flags = MAP_SHARED | MAP_FIXED_NOREPLACE;
			op->fd = (s32)(3 + g->f++);
			op->off = 0;
			return 1;
		case FR_ACCESS:
			if (g->done == p->reads) {
				g->phase = FR_END;
				break;
			}
			if (p->think_ns && g->done) {
				op_init(op, OP_COMPUTE);
				op->ns = p->think_ns;
				g->phase = FR_THINK_DONE;
				return 1;
			}
			/* fall through */
		case FR_THINK_DONE: {
			unsigned f = (unsigned)rng_below(&g->rng, p->files);
			u64 pg = rng_below(&g->rng, g->pages);
			g->done++;
			g->phase = FR_ACCESS;
			if (p->mmap && g->done % p->mmap_every == 0) {
				op_init(op, OP_TOUCH);
				op->addr = g->base + (u64)f * (g->pages << PAGE_SHIFT) + (pg << PAGE_SHIFT);
				op->len = PAGE_SIZE;
				op->flags = 0;
				return 1;
			}
			op_init(op, OP_READ);
			op->fd = (s32)(3 + f);
			op->off = pg << PAGE_SHIFT;
			op->len = p->read_size;
			return 1;
		}
		case FR_RM_MAP:
			if (p->remover == FR_PRESSURE) {
				op_init(op, OP_MMAP);
				op->addr = g->base;
				op->len = ALIGN_UP(p->pressure_size, PAGE_SIZE);
				op->prot = PROT_READ | PROT_WRITE;
				op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
				g->phase = FR_RM_SLEEP;
				return 1;
			}
			g->phase = FR_RM_SLEEP;
			break;
		case FR_RM_SLEEP:
			if (g->done == p->removals) {
				g->phase = FR_END;
				break;
			}
			g->phase = FR_RM_ACT;
			if (p->remover_interval_ns) {
				op_init(op, OP_SLEEP);
				op->ns = p->remover_interval_ns;
				return 1;
			}
			break;
		case FR_RM_ACT:
			g->done++;
			if (p->remover == FR_PUNCH) {
				unsigned f = (unsigned)rng_below(&g->rng, p->files);
				u64 pg = rng_below(&g->rng, g->pages);
				op_init(op, OP_FALLOCATE);
				op->fd = (s32)(3 + f);
				op->arg = FALLOC_PUNCH_KEEP;
				op->off = pg << PAGE_SHIFT;
				op->len = (u64)p->punch_pages << PAGE_SHIFT;
				g->phase = FR_RM_SLEEP;
				return 1;
			}
			if (p->remover == FR_NOTIFIER) {
				op_init(op, OP_MM_TAKE_ALL_LOCKS);
				op->ns = p->notifier_hold_ns;
				g->phase = FR_RM_SLEEP;
				return 1;
			}
			op_init(op, OP_TOUCH);
			op->addr = g->base;
			op->len = ALIGN_UP(p->pressure_size, PAGE_SIZE);
			op->flags = TOUCH_WRITE;
			g->phase = p->pressure_unmap ? FR_RM_UNMAP : FR_RM_SLEEP;
			return 1;
		case FR_RM_UNMAP:
			op_init(op, OP_MUNMAP);
			op->addr = g->base;
			op->len = ALIGN_UP(p->pressure_size, PAGE_SIZE);
			g->phase = FR_RM_MAP;
			return 1;
		case FR_END:
			return 0;
		}
	}
}

static void fr_close(struct op_source *src)
{
	free(container_of(src, struct file_readers_gen, src));
}

static const struct op_source_ops fr_ops = {
	.next = fr_next,
	.close = fr_close,
};

static struct op_source *fr_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct file_readers_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct file_readers_params *)w->params;
	g->src.ops = &fr_ops;
	g->src.name = w->name;
	g->name = w->name;
	g->thread = thread;
	unsigned threads = w->threads ? w->threads : 1;
	g->is_remover = g->p.remover != FR_NONE && threads >= 2 && thread == threads - 1;
	g->pages = (g->p.file_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	u64 span = g->is_remover ? ALIGN_UP(g->p.pressure_size, PAGE_SIZE)
				 : (u64)g->p.files * (g->pages << PAGE_SHIFT);
	g->base = workload_thread_base(instance_idx, thread, span);
	rng_seed(&g->rng, seed, ((u64)instance_idx << 32 | thread) + 0xf11e);
	g->phase = thread == 0 && !g->is_remover ? FR_OPEN : FR_DELAY;
	return &g->src;
}

const struct workload_type file_readers_type = {
	.schema = { .type = "file_readers",
		    .doc = "threads on several nodes read and map the same hot files while a "
			   "remover punches holes or reclaim evicts pages",
		    .params = &table,
		    .params_size = sizeof(struct file_readers_params) },
	.create = fr_create,
};
