/* sim_series.h - the sampled series the reports plot that sim.c's own probes lack:
 * buddyinfo.csv (free blocks of every order per zone, /proc/buddyinfo over time),
 * extfrag.csv (the fragmentation index of every order per zone, x1000, as
 * debugfs extfrag/extfrag_index over time) and locks.csv (lock_stat totals over all
 * classes and states: acquisitions, contentions, wait and hold ns, cumulative). */
#ifndef MMSIM_SIM_SERIES_H
#define MMSIM_SIM_SERIES_H

struct sim;
struct sim_series;

/* Register the three probes with s->sampler; the result owns their column names. */
struct sim_series *sim_series_register(struct sim *s);
void sim_series_destroy(struct sim_series *ss);

#endif
