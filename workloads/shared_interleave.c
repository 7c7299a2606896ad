/* shared_interleave.c - threads on every node fault one shared memory region whose
 * shared policy interleaves it over the nodes, while a reader looks at numa_maps (seed
 * 000's pattern: a shm segment with an MPOL_INTERLEAVE shared policy faulted from every
 * node, /proc/PID/numa_maps read meanwhile). One process per instance; its threads:
 *
 *   - the touchers, threads 0 .. T-1 (T = `threads`, minus the reader). Thread 0 maps
 *     the region, `size` bytes (rounded up to `chunk`) of MAP_SHARED|MAP_ANONYMOUS
 *     memory (a shmem object, so its policy is a shared policy) at a fixed address
 *     (MAP_FIXED_NOREPLACE at workload_thread_base() of thread 0), then sets the policy
 *     with mbind(MPOL_INTERLEAVE) over the region; the other touchers first sleep
 *     `start_delay`, which must cover thread 0's mmap and mbind (a few µs with the
 *     default costs: a touch before the mmap would be a segv, counted in the summary).
 *     Then each toucher, `passes` times, writes (or reads, `write: false`) every chunk of
 *     the region, one OP_TOUCH of `chunk` bytes each, toucher k starting at chunk
 *     k * n / T (n chunks) and wrapping around, so the touchers start apart (with
 *     `span: slice`, only the chunks of its own slice, in order: each page is faulted by
 *     one toucher, as in reference/mempolicy.md §9 R2); between two passes it drops its
 *     own slice of the region, chunks [k*n/T, (k+1)*n/T) (none when n < T leaves it
 *     empty), with `drop`: MADV_REMOVE frees the pages (the next pass
 *     allocates them again, through the shared policy), MADV_DONTNEED only unmaps them
 *     (the next pass finds them in the page cache), none keeps them. With `think`, a
 *     COMPUTE of that length comes before every touch but the first of a pass.
 *   - with `reader` (and `threads` >= 2), the reader, the last thread: it sleeps
 *     `start_delay`, then `reader_snapshots` times sleeps `reader_interval` and reads
 *     /proc/self/numa_maps (an OP_SNAPSHOT, written to snapshots/ in the out dir).
 *
 * The mbind nodemask: nodes 0 .. `interleave_nodes` - 1, or when that is 0 the
 * workload's `nodes:` if given, else nodes 0 .. T-1 (one toucher per node). Place the
 * touchers one per node with the workload's `cpus:` (thread i on the i-th CPU listed;
 * CPU numbers go node by node) or, on a machine with one CPU per node, `nodes:`.
 * Nothing is unmapped: the region lives until the process ends.
 *
 * Ops per instance: 1 mmap and 1 mbind (thread 0), T - 1 sleeps, T * passes * n touches
 * (passes * n with `span: slice`; plus as many COMPUTEs minus one per toucher and pass
 * with `think`), (passes - 1) madvises per
 * toucher with a non-empty slice (none with drop: none); the reader 1 + S sleeps and S
 * snapshots (S = reader_snapshots; a zero start_delay or reader_interval sleep is not
 * issued). */
#include <stdlib.h>

#include "config/scenario.h"
#include "uapi.h"
#include "workloads/workload.h"

/* OP_SNAPSHOT's arg for /proc/self/numa_maps: traces/snapshot_file.h's SNAPSHOT_NUMA_MAPS,
 * a value fixed by the trace format (workloads/ may not include traces/). */
#define SNAPSHOT_ARG_NUMA_MAPS 5u

enum si_drop { SI_DROP_NONE, SI_DROP_DONTNEED, SI_DROP_REMOVE };
static const char *const drop_names[] = { "none", "dontneed", "remove", NULL };
enum si_span { SI_SPAN_ALL, SI_SPAN_SLICE };
static const char *const span_names[] = { "all", "slice", NULL };

struct shared_interleave_params {
	u64 size, chunk;
	unsigned passes;
	unsigned span;              /* enum si_span */
	unsigned drop;              /* enum si_drop */
	bool write;
	unsigned interleave_nodes;
	u64 start_delay_ns;
	bool reader;
	unsigned reader_snapshots;
	u64 reader_interval_ns;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct shared_interleave_params, "size", size, PAGE_SIZE, 1ULL << 36, "4MiB",
		     "bytes of the shared region (rounded up to a whole number of chunks)"),
	KNOB_SIZE_OF(struct shared_interleave_params, "chunk", chunk, PAGE_SIZE, 1ULL << 30, "64KiB",
		     "bytes of one touch (rounded up to a page)"),
	KNOB_UINT_OF(struct shared_interleave_params, "passes", passes, 1, 1000000, "4",
		     "times each toucher touches the whole region"),
	KNOB_ENUM_OF(struct shared_interleave_params, "span", span, span_names, "all",
		     "what a toucher touches in a pass: all (the whole region, starting at its "
		     "slice) or slice (its own 1/T of the region only)"),
	KNOB_ENUM_OF(struct shared_interleave_params, "drop", drop, drop_names, "remove",
		     "between passes each toucher drops its slice: remove (MADV_REMOVE: pages "
		     "freed, re-faults allocate), dontneed (MADV_DONTNEED: unmapped only, re-faults "
		     "find them in the page cache) or none"),
	KNOB_BOOL_OF(struct shared_interleave_params, "write", write, "true",
		     "touches write (else read: a read fault on shmem allocates too)"),
	KNOB_UINT_OF(struct shared_interleave_params, "interleave_nodes", interleave_nodes, 0, 64,
		     "0", "mbind(MPOL_INTERLEAVE) over nodes 0..n-1; 0: the workload's nodes, else "
		     "one node per toucher"),
	KNOB_TIME_OF(struct shared_interleave_params, "start_delay", start_delay_ns, 0,
		     10 * NSEC_PER_SEC, "100us",
		     "the other threads sleep this long first, while thread 0 maps the region "
		     "and sets its policy"),
	KNOB_BOOL_OF(struct shared_interleave_params, "reader", reader, "true",
		     "the last thread (of 2 or more) reads /proc/self/numa_maps instead of touching"),
	KNOB_UINT_OF(struct shared_interleave_params, "reader_snapshots", reader_snapshots, 0,
		     1000000, "4", "numa_maps reads of the reader thread"),
	KNOB_TIME_OF(struct shared_interleave_params, "reader_interval", reader_interval_ns, 0,
		     100 * NSEC_PER_SEC, "1ms", "the reader's sleep before each numa_maps read"),
	KNOB_TIME_OF(struct shared_interleave_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time between two touches of a pass"),
};
static const struct knob_table table = { "shared_interleave parameter", params,
					 ARRAY_SIZE(params) };

enum si_phase { SI_SETUP, SI_MBIND, SI_TOUCH, SI_THINK_DONE, SI_DROP, SI_READ_SLEEP,
		SI_READ_SNAP, SI_END };

struct shared_interleave_gen {
	struct op_source src;
	struct shared_interleave_params p;
	u64 base;                 /* the region's address */
	u64 chunk;                /* bytes per touch */
	u64 nr_chunks;
	unsigned touchers;        /* T */
	unsigned k;               /* this toucher's number */
	bool is_reader;
	u64 nodemask;             /* for the mbind */
	u64 touch_lo, touch_n;    /* a pass touches touch_n chunks from touch_lo, wrapping */
	u64 first;                /* ... starting first chunks after touch_lo */
	u64 slice_lo, slice_hi;   /* its slice, in chunks */
	unsigned pass;
	u64 done;                 /* chunks touched in this pass */
	unsigned snaps;
	enum si_phase phase;
};

static void si_sleep(struct op *op, u64 ns)
{
	op_init(op, OP_SLEEP);
	op->ns = ns;
}

static int si_next(struct op_source *src, struct op *op)
{
	struct shared_interleave_gen *g = container_of(src, struct shared_interleave_gen, src);
	for (;;) {
		switch (g->phase) {
		case SI_SETUP:
			if (g->is_reader) {
				g->phase = SI_READ_SLEEP;
			} else if (g->k == 0) {
				op_init(op, OP_MMAP);
				op->addr = g->base;
				op->len = g->nr_chunks * g->chunk;
				op->prot = PROT_READ | PROT_WRITE;
				op->flags = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
				g->phase = SI_MBIND;
				return 1;
			} else {
				g->phase = SI_TOUCH;
			}
			if (g->p.start_delay_ns) {
				si_sleep(op, g->p.start_delay_ns);
				return 1;
			}
			break;
		case SI_MBIND:
			op_init(op, OP_MBIND);
			op->addr = g->base;
			op->len = g->nr_chunks * g->chunk;
			op->arg = MPOL_INTERLEAVE;
			op->nodemask = g->nodemask;
			g->phase = SI_TOUCH;
			return 1;
		case SI_TOUCH:
			if (g->done == g->touch_n) {
				g->done = 0;
				if (++g->pass == g->p.passes) {
					g->phase = SI_END;
					break;
				}
				if (g->p.drop != SI_DROP_NONE && g->slice_lo < g->slice_hi)
					g->phase = SI_DROP;
				break;
			}
			if (g->p.think_ns && g->done) {
				op_init(op, OP_COMPUTE);
				op->ns = g->p.think_ns;
				g->phase = SI_THINK_DONE;
				return 1;
			}
			/* fall through */
		case SI_THINK_DONE: {
			u64 c = g->touch_lo + (g->first + g->done) % g->touch_n;
			op_init(op, OP_TOUCH);
			op->addr = g->base + c * g->chunk;
			op->len = g->chunk;
			op->flags = g->p.write ? TOUCH_WRITE : 0;
			g->done++;
			g->phase = SI_TOUCH;
			return 1;
		}
		case SI_DROP:
			op_init(op, OP_MADVISE);
			op->addr = g->base + g->slice_lo * g->chunk;
			op->len = (g->slice_hi - g->slice_lo) * g->chunk;
			op->arg = g->p.drop == SI_DROP_REMOVE ? MADV_REMOVE : MADV_DONTNEED;
			g->phase = SI_TOUCH;
			return 1;
		case SI_READ_SLEEP:
			if (g->snaps == g->p.reader_snapshots) {
				g->phase = SI_END;
				break;
			}
			g->phase = SI_READ_SNAP;
			if (g->p.reader_interval_ns) {
				si_sleep(op, g->p.reader_interval_ns);
				return 1;
			}
			break;
		case SI_READ_SNAP:
			op_init(op, OP_SNAPSHOT);
			op->arg = SNAPSHOT_ARG_NUMA_MAPS;
			g->snaps++;
			g->phase = SI_READ_SLEEP;
			return 1;
		case SI_END:
			return 0;
		}
	}
}

static void si_close(struct op_source *src)
{
	free(container_of(src, struct shared_interleave_gen, src));
}

static const struct op_source_ops si_ops = {
	.next = si_next,
	.close = si_close,
};

static struct op_source *si_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	struct shared_interleave_gen *g = xcalloc(1, sizeof(*g));
	(void)seed;   /* the op stream has no random choice */
	g->p = *(const struct shared_interleave_params *)w->params;
	g->src.ops = &si_ops;
	g->src.name = w->name;
	unsigned threads = w->threads ? w->threads : 1;
	bool reader = g->p.reader && threads >= 2;
	g->touchers = threads - (reader ? 1 : 0);
	g->is_reader = reader && thread == threads - 1;
	g->k = thread;
	g->chunk = ALIGN_UP(g->p.chunk, PAGE_SIZE);
	g->nr_chunks = (g->p.size + g->chunk - 1) / g->chunk;
	g->base = workload_thread_base(instance_idx, 0, g->nr_chunks * g->chunk);
	unsigned n = g->p.interleave_nodes;
	if (!n && !w->nodemask)
		n = min(g->touchers, 64u);
	g->nodemask = n ? (n >= 64 ? ~0ULL : (1ULL << n) - 1) : w->nodemask;
	if (!g->is_reader) {
		g->slice_lo = (u64)g->k * g->nr_chunks / g->touchers;
		g->slice_hi = (u64)(g->k + 1) * g->nr_chunks / g->touchers;
		if (g->p.span == SI_SPAN_SLICE) {
			g->touch_lo = g->slice_lo;
			g->touch_n = g->slice_hi - g->slice_lo;
		} else {
			g->touch_n = g->nr_chunks;
			g->first = g->slice_lo;
		}
	}
	g->phase = SI_SETUP;
	return &g->src;
}

const struct workload_type shared_interleave_type = {
	.schema = { .type = "shared_interleave",
		    .doc = "threads on every node fault one shared region with an interleave "
			   "shared policy; a reader reads numa_maps",
		    .params = &table,
		    .params_size = sizeof(struct shared_interleave_params) },
	.create = si_create,
};
