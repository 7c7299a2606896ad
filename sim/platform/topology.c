/* topology.c - the simulated machine from the scenario's machine section. */
#include <stdlib.h>
#include <string.h>

#include "config/scenario.h"
#include "platform/topology.h"

struct topology *topology_create(const struct machine_cfg *m)
{
	struct topology *t = xcalloc(1, sizeof(*t));
	t->nr_nodes = m->nr_nodes;
	t->cpus_per_node = m->cpus_per_node;
	t->nr_cpus = m->nr_nodes * m->cpus_per_node;
	for (unsigned a = 0; a < m->nr_nodes; a++) {
		t->node_memory[a] = m->node_memory[a] ? m->node_memory[a] : m->memory_per_node;
		for (unsigned b = 0; b < m->nr_nodes; b++) {
			u8 d = m->distance[a][b];
			/* SLIT defaults where the scenario gave none: 10 local, 20 remote */
			t->distance[a][b] = d ? d : (a == b ? 10 : 20);
		}
	}
	return t;
}

void topology_destroy(struct topology *t)
{
	free(t);
}
