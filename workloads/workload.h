/* workload.h - the registry of synthetic workload generators.
 *
 * A generator is a type row: its name, a one-line doc, a knob table over its own params
 * struct (validated by config/ exactly like kernel knobs), and create(), which returns
 * the op source of one thread of one instance. Generators see only task/op*.h,
 * engine/rng.h and config/; they produce ops, never touch the models. */
#ifndef MMSIM_WORKLOADS_WORKLOAD_H
#define MMSIM_WORKLOADS_WORKLOAD_H

#include "config/scenario.h"
#include "task/op_source.h"

struct workload_type {
	struct workload_schema schema;
	/* Op source of thread `thread` (0-based) of instance w, which is the instance_idx-th
	 * workload of the scenario; seed is the scenario seed. Each thread of an instance
	 * belongs to the instance's one process and maps memory of its own at the address
	 * workload_thread_base() gives. */
	struct op_source *(*create)(const struct workload_cfg *w, unsigned instance_idx,
				    unsigned thread, u64 seed);
};

/* The `trace` type replays a recorded trace: its processes and threads come from the
 * trace, so it has no create(); sim.c opens it through traces/. */
enum trace_mode { TRACE_CLOSED, TRACE_OPEN };
struct trace_workload_params {
	char *path;                        /* resolved, existing file */
	unsigned mode;                     /* enum trace_mode */
	unsigned from;                     /* enum trace_kind (traces/mmt.h); 0: detected */
};

/* Every generator, for config/'s validation. */
const struct workload_catalog *workload_catalog(void);
const struct workload_type *workload_type_find(const char *name);

/* A deterministic, non-overlapping base address for a thread's mapping: 1 TiB per
 * instance, and within it a slot per thread aligned to 1 GiB, so generators can place
 * memory with MAP_FIXED_NOREPLACE and still know its address. */
u64 workload_thread_base(unsigned instance_idx, unsigned thread, u64 size_per_thread);

extern const struct workload_type sequential_touch_type;
extern const struct workload_type random_touch_type;
extern const struct workload_type highalloc_stress_type;
extern const struct workload_type trace_type;

#endif
