/* topology.h - the simulated machine: nodes, CPUs, SLIT distances, memory per node.
 * CPUs are numbered node by node: cpu = node * cpus_per_node + i. */
#ifndef MMSIM_PLATFORM_TOPOLOGY_H
#define MMSIM_PLATFORM_TOPOLOGY_H

#include "types.h"

struct machine_cfg;

struct topology {
	unsigned nr_nodes;
	unsigned cpus_per_node;
	unsigned nr_cpus;
	u64 node_memory[MAX_NUMNODES];      /* bytes */
	u8 distance[MAX_NUMNODES][MAX_NUMNODES];
};

struct topology *topology_create(const struct machine_cfg *m);
void topology_destroy(struct topology *t);

static inline unsigned cpu_to_node(const struct topology *t, unsigned cpu)
{
	return cpu / t->cpus_per_node;
}

static inline unsigned node_distance(const struct topology *t, unsigned a, unsigned b)
{
	return t->distance[a][b];
}

#endif
