/* simcore.h - the core of a simulation that a model's unit test builds around its own
 * module: topology, cost table, findings, lock_stat, vmstat, the engine and physical
 * memory, created from the test's scenario in the order sim.c creates them, and
 * destroyed in reverse. A test adds its module(s) after simcore_create() and removes
 * them before simcore_destroy(). */
#ifndef MMSIM_TESTS_SIMCORE_H
#define MMSIM_TESTS_SIMCORE_H

struct sim;
struct scenario;

/* sim->scn = scn and the core above, with vmstat sized for nr_nodes (the scenario's
 * own node count when 0). The rest of *sim is left as the caller set it. */
void simcore_create(struct sim *sim, const struct scenario *scn, unsigned nr_nodes);
void simcore_destroy(struct sim *sim);

#endif
