/* sim_internal.h - private between sim.c and sim_output.c. */
#ifndef MMSIM_SIM_INTERNAL_H
#define MMSIM_SIM_INTERNAL_H

#include "sim.h"

struct replay_totals;

const struct replay_totals *sim_totals(const struct sim *s);
u64 sim_end_ns(const struct sim *s);
unsigned sim_nr_threads(const struct sim *s);
/* Thread i of the replay (creation order), and the world (observed samples). */
const struct replay_thread *sim_thread(const struct sim *s, unsigned i);
const struct replay_world *sim_world(const struct sim *s);
/* Snapshots traced programs took, in order (snapshots/NNNN-<file>). */
unsigned sim_nr_snapshots(const struct sim *s);
void sim_snapshot(const struct sim *s, unsigned i, const char **name, const char **data,
		  size_t *len);
/* Write every output file; wall_s goes only under "host" in summary.json. */
int sim_write_outputs(struct sim *s, const char *dir, double wall_s);

#endif
