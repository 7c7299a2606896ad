/* cost.c - the per-distance cost table. Memory access and cache-line transfers are
 * measured at distance 10 (local) and scale linearly with the SLIT distance, which is
 * what SLIT distances are meant to express (ACPI: relative memory latency x10). */
#include <stdlib.h>

#include "config/scenario.h"
#include "platform/cost.h"
#include "platform/topology.h"

struct cost_table *cost_table_create(const struct cost_cfg *c, const struct topology *t)
{
	struct cost_table *ct = xcalloc(1, sizeof(*ct));
	ct->syscall_entry_ns = c->syscall_entry_ns;
	ct->fault_entry_ns = c->fault_entry_ns;
	ct->zero_4k_ns = c->zero_4k_ns;
	ct->zero_2m_ns = c->zero_2m_ns;
	ct->copy_4k_ns = c->copy_4k_ns;
	ct->copy_2m_ns = c->copy_2m_ns;
	ct->tlb_miss_4k_ns = c->tlb_miss_4k_ns;
	ct->tlb_miss_2m_ns = c->tlb_miss_2m_ns;
	ct->tlb_misses = c->tlb_misses;
	ct->pte_update_ns = c->pte_update_ns;
	ct->vma_op_ns = c->vma_op_ns;
	ct->page_alloc_ns = c->page_alloc_ns;
	ct->atomic_local_ns = c->atomic_local_ns;
	ct->context_switch_ns = c->context_switch_ns;
	ct->nr_nodes = t->nr_nodes;
	for (unsigned a = 0; a < t->nr_nodes; a++) {
		for (unsigned b = 0; b < t->nr_nodes; b++) {
			u64 d = node_distance(t, a, b);
			ct->access_ns[a][b] = c->local_access_ns * d / 10;
			ct->bounce_ns[a][b] = c->cacheline_bounce_ns * d / 10;
		}
	}
	return ct;
}

void cost_table_destroy(struct cost_table *c)
{
	free(c);
}

u64 cost_atomic(const struct cost_table *c, int prev_cpu, int prev_node, int cpu, int node)
{
	if (prev_cpu < 0 || prev_cpu == cpu)
		return c->atomic_local_ns;
	return c->bounce_ns[prev_node][node];
}
