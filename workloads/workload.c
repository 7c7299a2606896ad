/* workload.c - the generator registry. */
#include <string.h>
#include "workloads/workload.h"

static const char *const trace_mode_names[] = { "closed", "open", NULL };
/* in the order of enum trace_kind (traces/mmt.h) */
static const char *const trace_from_names[] = { "auto", "mmt", "mmtz", "strace", "lackey",
						  "perf", NULL };

static const struct knob trace_params[] = {
	KNOB_PATH_OF(struct trace_workload_params, "path", path, NULL,
		     "the trace: .mmt, .mmtz, a strace log or a lackey log (plain or gzip)"),
	KNOB_ENUM_OF(struct trace_workload_params, "mode", mode, trace_mode_names, "closed",
		     "closed: each op after the previous one plus its think time; open: at its "
		     "recorded time when possible"),
	KNOB_ENUM_OF(struct trace_workload_params, "from", from, trace_from_names, "auto",
		     "the trace's format, forcing its importer (auto: detected from the content)"),
};

static const struct knob_table trace_table = { "trace parameter", trace_params,
					       ARRAY_SIZE(trace_params) };

const struct workload_type trace_type = {
	.schema = { .type = "trace",
		    .doc = "replay a recorded trace (its processes, threads and ops)",
		    .params = &trace_table,
		    .params_size = sizeof(struct trace_workload_params) },
	.create = NULL,
};

/* Defined in their own files (workloads/mmap_churn.c, workloads/fork_cow.c,
 * workloads/working_set.c, workloads/hugetlb_churn.c, workloads/shared_interleave.c, workloads/thp_churn.c ...). */
extern const struct workload_type mmap_churn_type;
extern const struct workload_type fork_cow_type;
extern const struct workload_type working_set_type;
extern const struct workload_type hugetlb_churn_type;
extern const struct workload_type shared_interleave_type;
extern const struct workload_type slab_churn_type;
extern const struct workload_type file_readers_type;
extern const struct workload_type file_writer_type;
extern const struct workload_type thp_swapin_type;
extern const struct workload_type thp_churn_type;
extern const struct workload_type highalloc_type;
extern const struct workload_type kernel_build_type;

static const struct workload_type *const types[] = {
	&file_readers_type,
	&file_writer_type,
	&fork_cow_type,
	&highalloc_type,
	&highalloc_stress_type,
	&hugetlb_churn_type,
	&kernel_build_type,
	&mmap_churn_type,
	&random_touch_type,
	&sequential_touch_type,
	&shared_interleave_type,
	&slab_churn_type,
	&thp_churn_type,
	&thp_swapin_type,
	&trace_type,
	&working_set_type,
};

static const struct workload_schema *const schemas[] = {
	&file_readers_type.schema,
	&file_writer_type.schema,
	&fork_cow_type.schema,
	&highalloc_type.schema,
	&highalloc_stress_type.schema,
	&hugetlb_churn_type.schema,
	&kernel_build_type.schema,
	&mmap_churn_type.schema,
	&random_touch_type.schema,
	&sequential_touch_type.schema,
	&shared_interleave_type.schema,
	&slab_churn_type.schema,
	&thp_churn_type.schema,
	&thp_swapin_type.schema,
	&trace_type.schema,
	&working_set_type.schema,
};

static const struct workload_catalog catalog = { schemas, ARRAY_SIZE(schemas) };

const struct workload_catalog *workload_catalog(void)
{
	return &catalog;
}

const struct workload_type *workload_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (strcmp(types[i]->schema.type, name) == 0)
			return types[i];
	return NULL;
}

u64 workload_thread_base(unsigned instance_idx, unsigned thread, u64 size_per_thread)
{
	u64 slot = ALIGN_UP(size_per_thread ? size_per_thread : 1, 1ULL << 30);
	return 0x100000000000ULL + ((u64)instance_idx << 40) + (u64)thread * slot;
}
