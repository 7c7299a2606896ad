/* workload.c - the generator registry. */
#include <string.h>
#include "workloads/workload.h"

static const struct workload_type *const types[] = {
	&random_touch_type,
	&sequential_touch_type,
};

static const struct workload_schema *const schemas[] = {
	&random_touch_type.schema,
	&sequential_touch_type.schema,
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
