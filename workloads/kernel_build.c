/* kernel_build.c - a parallel build (make -jN of many small C files): the mix of page-cache
 * reads of many small files, compiler-sized anonymous memory and short-lived processes that
 * the seed-era high-order allocation studies ran for minutes (seeds 002 and 003).
 *
 * One process per instance (make); each of its `threads` threads is a job slot (-j). A job
 * runs `compiles` compiles one after another; compile k of job j is compile c = k * jobs + j
 * of the instance and builds source s = c mod `files`. A compile:
 *
 *   make (the job thread):  fork (the child's pid given: see kb_child_pid), wait4 for it.
 *   the child (cc1):        execve (a new, empty mm: the fork's copy goes), mmap its arena
 *                           (anonymous, private: `footprint_min`..`footprint_max`, uniform,
 *                           whole pages), reads src/<s>.c, the `hot_headers` first headers
 *                           and `includes` more drawn uniformly from the other headers of
 *                           include/ (each: open, fstat, read of the whole file, close), writes
 *                           every page of its arena while it computes `compile_cpu` (in
 *                           slices of at most 4 ms, each after its share of the arena's
 *                           writes), writes
 *                           obj/<s>.o (open, ftruncate 0 when an earlier compile wrote it, one
 *                           write of object_ratio x the source's size, close), unmaps the
 *                           arena and exits.
 *
 * Files are /kbuild/<instance name>/{include/<h>.h,src/<s>.c,obj/<s>.o}. Headers and sources
 * exist on the device before the run: their fstat gives the size (drawn once per file,
 * uniform in [file_size_min, file_size_max], from the scenario seed and the file's number,
 * so every job and every run sees the same tree), so a first read goes to the device
 * (pgpgin) and a later one hits the page cache. Objects are new: their pages are dirty until
 * the flusher writes them back. After its last compile a job sleeps `linger` (make waiting
 * for the other jobs, or an idle machine after the build) and exits.
 *
 * What the models do with it: each open of a file with no dentry allocates a dentry and an
 * inode (with slab.account_users), which go on the dentry LRU at the last close and stay
 * until shrink_slab prunes them; fork and execve allocate and free mm_structs, the arena's
 * vm_area_struct, its anon_vma and anon_vma_chain and its page tables; exit frees them.
 *
 * Ops per compile: make 2 (fork, wait4); the child 4 + 4 x (1 + hot_headers + includes)
 * + 3 (+1 ftruncate) + 2 x slices (touch, compute; one slice and no compute when
 * compile_cpu is 0). */
#include <stdio.h>
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct kernel_build_params {
	u64 compiles;
	u64 files;
	u64 headers;
	u64 hot_headers;
	u64 includes;
	u64 file_size_min, file_size_max;
	u64 footprint_min, footprint_max;
	double object_ratio;
	u64 compile_cpu_ns;
	u64 linger_ns;
};

static const struct knob params[] = {
	KNOB_U64_OF(struct kernel_build_params, "compiles", compiles, 1, 65535, "100",
		    "compiles each job (thread) runs, one after another"),
	KNOB_U64_OF(struct kernel_build_params, "files", files, 1, 1ULL << 24, "1000",
		    "source files of the tree (compile c builds source c mod files)"),
	KNOB_U64_OF(struct kernel_build_params, "headers", headers, 0, 1ULL << 24, "512",
		    "headers of include/"),
	KNOB_U64_OF(struct kernel_build_params, "hot_headers", hot_headers, 0, 1ULL << 24, "32",
		    "the first headers, read by every compile (at most headers)"),
	KNOB_U64_OF(struct kernel_build_params, "includes", includes, 0, 1ULL << 16, "16",
		    "other headers each compile reads, drawn uniformly from the rest"),
	KNOB_SIZE_OF(struct kernel_build_params, "file_size_min", file_size_min, 1, 1ULL << 30,
		     "2KiB", "smallest size of a source or header (sizes uniform in [min, max])"),
	KNOB_SIZE_OF(struct kernel_build_params, "file_size_max", file_size_max, 1, 1ULL << 30,
		     "24KiB", "largest size of a source or header"),
	KNOB_SIZE_OF(struct kernel_build_params, "footprint_min", footprint_min, PAGE_SIZE,
		     1ULL << 36, "8MiB", "smallest anonymous arena of a compile (uniform, whole pages)"),
	KNOB_SIZE_OF(struct kernel_build_params, "footprint_max", footprint_max, PAGE_SIZE,
		     1ULL << 36, "32MiB", "largest anonymous arena of a compile"),
	KNOB_DOUBLE_OF(struct kernel_build_params, "object_ratio", object_ratio, 0.0, 64.0, "1.5",
		       "object file size over its source's size (0: no object written)"),
	KNOB_TIME_OF(struct kernel_build_params, "compile_cpu", compile_cpu_ns, 0,
		     100 * NSEC_PER_SEC, "2ms", "CPU time of a compile besides its memory accesses"),
	KNOB_TIME_OF(struct kernel_build_params, "linger", linger_ns, 0, 3600 * NSEC_PER_SEC,
		     "0ns", "off-CPU time a job sleeps after its last compile, before it exits"),
};
static const struct knob_table table = { "kernel_build parameter", params, ARRAY_SIZE(params) };

/* make's phases, then the child's */
enum kb_phase { KB_FORK, KB_WAIT, KB_LINGER, KB_EXIT, KB_END,
		KB_EXECVE, KB_ARENA, KB_INPUT, KB_TOUCH, KB_COMPUTE, KB_OBJ_OPEN, KB_OBJ_TRUNC,
		KB_OBJ_WRITE, KB_OBJ_CLOSE, KB_UNMAP };

/* The four ops of reading one input file whole. */
enum kb_read_step { KR_OPEN, KR_FSTAT, KR_READ, KR_CLOSE };

struct kernel_build_gen {
	struct op_source src;
	struct kernel_build_params p;
	const char *name;          /* the instance's name: the tree's directory */
	u64 seed;
	unsigned instance, thread, jobs;
	enum kb_phase phase;
	u64 k;                     /* make: compiles forked so far */
	/* the child */
	u64 c, s;                  /* its compile and source */
	struct rng rng;            /* its footprint and includes */
	u64 arena, arena_len;
	u64 input;                 /* 0: the source, 1..: headers */
	u64 input_file;            /* the header being read (its number) */
	u64 slice, nr_slices;      /* the compile's CPU slices (KB_CPU_SLICE_NS each at most) */
	enum kb_read_step step;
	char path[128];
};

#define KB_FD 3
/* A compile's CPU time is issued in slices of at most this much, each after its share of
 * the arena's writes: the compiler's memory grows as it works, and a CPU's queue (the
 * engine runs a CPU's work in order, without preemption) never holds one long compile
 * in front of a kthread for more than a scheduler slice (CFS: a few ms). */
#define KB_CPU_SLICE_NS (4 * NSEC_PER_MSEC)
#define KB_SIZE_STREAM 0x6b62756900000000ULL   /* file sizes: "kbui" << 32 | file number */

/* The pid a compile's child gets: distinct for every instance (< 16), job (< 256) and
 * compile (< 65536), so make's wait4 names it. */
static u32 kb_child_pid(const struct kernel_build_gen *g, u64 k)
{
	return 0x10000000u + ((u32)(g->instance & 0xf) << 24) + ((u32)(g->thread & 0xff) << 16) +
	       (u32)k;
}

/* Size of source s (header: 1 << 24 | h): the same for every job and run of a seed. */
static u64 kb_file_size(const struct kernel_build_gen *g, u64 file)
{
	const struct kernel_build_params *p = &g->p;
	if (p->file_size_max <= p->file_size_min)
		return p->file_size_min;
	struct rng r;
	rng_seed(&r, g->seed, KB_SIZE_STREAM | file);
	return p->file_size_min + rng_below(&r, p->file_size_max - p->file_size_min + 1);
}

#define KB_HEADER (1ULL << 24)

static void kb_path(struct kernel_build_gen *g, const char *dir, u64 n, const char *ext)
{
	snprintf(g->path, sizeof(g->path), "/kbuild/%s/%s/%llu.%s", g->name, dir,
		 (unsigned long long)n, ext);
}

/* The next op of reading input g->input (open, fstat, read, close); false when done. */
static bool kb_read_input(struct kernel_build_gen *g, struct op *op)
{
	const struct kernel_build_params *p = &g->p;
	u64 hot = min(p->hot_headers, p->headers);
	u64 nr_inputs = 1 + hot + (p->headers > hot ? p->includes : 0);
	if (g->input == nr_inputs)
		return false;
	u64 file = g->input == 0 ? g->s : KB_HEADER | g->input_file;
	switch (g->step) {
	case KR_OPEN:
		if (g->input == 0) {
			kb_path(g, "src", g->s, "c");
		} else {
			g->input_file = g->input <= hot ? g->input - 1
							: hot + rng_below(&g->rng, p->headers - hot);
			kb_path(g, "include", g->input_file, "h");
		}
		op_init(op, OP_OPEN);
		op->path = g->path;
		op->ret = KB_FD;
		g->step = KR_FSTAT;
		return true;
	case KR_FSTAT:
		op_init(op, OP_FSTAT);
		op->fd = KB_FD;
		op->len = kb_file_size(g, file);
		g->step = KR_READ;
		return true;
	case KR_READ:
		op_init(op, OP_READ);
		op->fd = KB_FD;
		op->off = 0;
		op->len = kb_file_size(g, file);
		g->step = KR_CLOSE;
		return true;
	case KR_CLOSE:
		op_init(op, OP_CLOSE);
		op->fd = KB_FD;
		g->step = KR_OPEN;
		g->input++;
		return true;
	}
	return false;
}

static u64 kb_object_size(const struct kernel_build_gen *g)
{
	return (u64)((double)kb_file_size(g, g->s) * g->p.object_ratio + 0.5);
}

static int kb_next(struct op_source *src, struct op *op)
{
	struct kernel_build_gen *g = container_of(src, struct kernel_build_gen, src);
	const struct kernel_build_params *p = &g->p;
	for (;;) {
		switch (g->phase) {
		case KB_FORK:
			if (g->k == p->compiles) {
				g->phase = KB_LINGER;
				break;
			}
			/* ->child() is asked for the child's source right after this */
			op_init(op, OP_FORK);
			op->id = kb_child_pid(g, g->k);
			g->phase = KB_WAIT;
			return 1;
		case KB_WAIT:
			op_init(op, OP_WAIT4);
			op->id = kb_child_pid(g, g->k);
			op->ret = kb_child_pid(g, g->k);   /* the child it reaps */
			g->k++;
			g->phase = KB_FORK;
			return 1;
		case KB_LINGER:
			g->phase = KB_EXIT;
			if (p->linger_ns) {
				op_init(op, OP_SLEEP);
				op->ns = p->linger_ns;
				return 1;
			}
			break;
		case KB_EXIT:
			op_init(op, OP_EXIT);
			g->phase = KB_END;
			return 1;
		case KB_END:
			return 0;
		case KB_EXECVE:
			op_init(op, OP_EXECVE);
			op->path = "/usr/lib/gcc/cc1";
			g->phase = KB_ARENA;
			return 1;
		case KB_ARENA:
			op_init(op, OP_MMAP);
			op->addr = g->arena;
			op->len = g->arena_len;
			op->prot = PROT_READ | PROT_WRITE;
			op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
			g->phase = KB_INPUT;
			return 1;
		case KB_INPUT:
			if (kb_read_input(g, op))
				return 1;
			g->phase = KB_TOUCH;
			break;
		case KB_TOUCH: {
			/* slice i of n: its share of the arena, written, then its CPU time */
			u64 pages = g->arena_len >> PAGE_SHIFT;
			u64 from = pages * g->slice / g->nr_slices;
			u64 to = pages * (g->slice + 1) / g->nr_slices;
			g->phase = KB_COMPUTE;
			if (to > from) {
				op_init(op, OP_TOUCH);
				op->addr = g->arena + (from << PAGE_SHIFT);
				op->len = (to - from) << PAGE_SHIFT;
				op->flags = TOUCH_WRITE;
				return 1;
			}
			break;
		}
		case KB_COMPUTE: {
			u64 ns = p->compile_cpu_ns * (g->slice + 1) / g->nr_slices -
				 p->compile_cpu_ns * g->slice / g->nr_slices;
			g->slice++;
			if (g->slice < g->nr_slices)
				g->phase = KB_TOUCH;
			else
				g->phase = p->object_ratio > 0.0 ? KB_OBJ_OPEN : KB_UNMAP;
			if (ns) {
				op_init(op, OP_COMPUTE);
				op->ns = ns;
				return 1;
			}
			break;
		}
		case KB_OBJ_OPEN:
			op_init(op, OP_OPEN);
			kb_path(g, "obj", g->s, "o");
			op->path = g->path;
			op->flags = 0100 | 01;     /* O_CREAT|O_WRONLY (the replay truncates by ftruncate) */
			op->ret = KB_FD;
			/* O_TRUNC: an earlier compile of the same source wrote it */
			g->phase = g->c >= p->files ? KB_OBJ_TRUNC : KB_OBJ_WRITE;
			return 1;
		case KB_OBJ_TRUNC:
			op_init(op, OP_FTRUNCATE);
			op->fd = KB_FD;
			op->len = 0;
			g->phase = KB_OBJ_WRITE;
			return 1;
		case KB_OBJ_WRITE:
			g->phase = KB_OBJ_CLOSE;
			if (kb_object_size(g)) {
				op_init(op, OP_WRITE);
				op->fd = KB_FD;
				op->off = 0;
				op->len = kb_object_size(g);
				return 1;
			}
			break;
		case KB_OBJ_CLOSE:
			op_init(op, OP_CLOSE);
			op->fd = KB_FD;
			g->phase = KB_UNMAP;
			return 1;
		case KB_UNMAP:
			op_init(op, OP_MUNMAP);
			op->addr = g->arena;
			op->len = g->arena_len;
			g->phase = KB_EXIT;
			return 1;
		}
	}
}

/* The child of the OP_FORK just returned: compile k of this job. */
static struct op_source *kb_child(struct op_source *src, const struct op *fork_op)
{
	struct kernel_build_gen *g = container_of(src, struct kernel_build_gen, src);
	const struct kernel_build_params *p = &g->p;
	struct kernel_build_gen *c = xcalloc(1, sizeof(*c));
	(void)fork_op;
	*c = *g;
	c->c = g->k * g->jobs + g->thread;
	c->s = c->c % p->files;
	/* a stream per compile of the instance: its footprint and includes */
	rng_seed(&c->rng, g->seed, ((u64)g->instance << 40 | c->c) + 0x6b6200000000ULL);
	u64 lo = ALIGN_UP(p->footprint_min, PAGE_SIZE) >> PAGE_SHIFT;
	u64 hi = max(lo, ALIGN_UP(p->footprint_max, PAGE_SIZE) >> PAGE_SHIFT);
	c->arena_len = (lo + rng_below(&c->rng, hi - lo + 1)) << PAGE_SHIFT;
	c->arena = workload_thread_base(g->instance, g->thread, ALIGN_UP(p->footprint_max, PAGE_SIZE));
	c->input = 0;
	c->step = KR_OPEN;
	c->slice = 0;
	c->nr_slices = max(1ULL, (p->compile_cpu_ns + KB_CPU_SLICE_NS - 1) / KB_CPU_SLICE_NS);
	c->phase = KB_EXECVE;
	return &c->src;
}

static void kb_close(struct op_source *src)
{
	free(container_of(src, struct kernel_build_gen, src));
}

static const struct op_source_ops kb_ops = {
	.next = kb_next,
	.child = kb_child,
	.close = kb_close,
};

static struct op_source *kb_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct kernel_build_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct kernel_build_params *)w->params;
	g->src.ops = &kb_ops;
	g->src.name = w->name;
	g->name = w->name;
	g->seed = seed;
	g->instance = instance_idx;
	g->thread = thread;
	g->jobs = w->threads;
	g->phase = KB_FORK;
	return &g->src;
}

const struct workload_type kernel_build_type = {
	.schema = { .type = "kernel_build",
		    .doc = "a parallel build: jobs fork compiles that read many small files, "
			   "use tens of MiB of anonymous memory and write object files",
		    .params = &table,
		    .params_size = sizeof(struct kernel_build_params) },
	.create = kb_create,
};
