/* cost.h - the cost model: nanoseconds per modelled primitive, derived from the
 * scenario's costs section (defaults and their sources: knobs.def and docs/costs.md).
 * Memory access and cache-line transfers scale with NUMA distance: a primitive measured
 * at distance 10 costs x * distance / 10 at another distance. */
#ifndef MMSIM_PLATFORM_COST_H
#define MMSIM_PLATFORM_COST_H

#include "types.h"

struct cost_cfg;
struct topology;

struct cost_table {
	u64 syscall_entry_ns;
	u64 fault_entry_ns;
	u64 zero_4k_ns, zero_2m_ns;
	u64 copy_4k_ns, copy_2m_ns;
	u64 tlb_miss_4k_ns, tlb_miss_2m_ns;
	bool tlb_misses;                 /* touches charge TLB misses (costs.tlb_misses) */
	u64 pte_update_ns;
	u64 vma_op_ns;
	u64 page_alloc_ns;
	u64 atomic_local_ns;
	u64 context_switch_ns;
	unsigned nr_nodes;
	u64 access_ns[MAX_NUMNODES][MAX_NUMNODES];   /* memory access from node a to memory of b */
	u64 bounce_ns[MAX_NUMNODES][MAX_NUMNODES];   /* line last written on node a, now on b */
};

struct cost_table *cost_table_create(const struct cost_cfg *c, const struct topology *t);
void cost_table_destroy(struct cost_table *c);

/* Cost of an atomic RMW on a cache line by cpu_node when the previous writer was
 * prev_cpu on prev_node (prev_cpu < 0: line not cached anywhere: local access). */
u64 cost_atomic(const struct cost_table *c, int prev_cpu, int prev_node, int cpu, int node);

#endif
