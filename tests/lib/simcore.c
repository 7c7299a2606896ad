#include "simcore.h"
#include "sim.h"
#include "config/scenario.h"
#include "engine/engine.h"
#include "locks/lockstat.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"

void simcore_create(struct sim *sim, const struct scenario *scn, unsigned nr_nodes)
{
	sim->scn = scn;
	sim->topo = topology_create(&scn->machine);
	sim->cost = cost_table_create(&scn->costs, sim->topo);
	sim->findings = findings_create();
	sim->lockstat = lockstat_create(sim->findings);
	sim->vmstat = vmstat_create(nr_nodes ? nr_nodes : scn->machine.nr_nodes);
	sim->eng = engine_create(sim, scn);
	sim->phys = phys_mem_create(sim);
}

void simcore_destroy(struct sim *sim)
{
	phys_mem_destroy(sim->phys);
	engine_destroy(sim->eng);
	vmstat_destroy(sim->vmstat);
	lockstat_destroy(sim->lockstat);
	findings_destroy(sim->findings);
	cost_table_destroy(sim->cost);
	topology_destroy(sim->topo);
}
