/* sampler.h - time series over simulated time. Modules register a probe (a set of named
 * columns and a callback that fills them); the sampler calls every probe each
 * outputs.sample_interval of simulated time and once at the end, and writes one CSV per
 * series name (e.g. frag.csv, meminfo.csv) with a leading time_ns column. */
#ifndef MMSIM_STATS_SAMPLER_H
#define MMSIM_STATS_SAMPLER_H

#include <stdio.h>
#include "types.h"

struct sampler;
struct outdir;

/* Fill vals[0..nr_cols-1] for time now_ns. */
typedef void (*sample_fn)(void *arg, u64 now_ns, double *vals);

struct sampler *sampler_create(void);
void sampler_destroy(struct sampler *s);
/* Register a probe writing to series `file` (e.g. "frag.csv"). cols are borrowed
 * (static strings). Several probes may write to one file; their columns are joined in
 * registration order. */
void sampler_add(struct sampler *s, const char *file, const char *const *cols, size_t nr_cols,
		 sample_fn fn, void *arg);
/* At most this many rows per series: a run longer than SAMPLER_MAX_ROWS intervals keeps
 * every other row and samples at twice the interval from then on (again at each fill),
 * so idle simulated time (a trace's hour-long sleep) costs no host memory past this. */
#define SAMPLER_MAX_ROWS 32768
/* A periodic tick of the engine's ticker: true when it is to be sampled (every tick until
 * SAMPLER_MAX_ROWS rows, then every 2nd, 4th...; the rows taken are thinned to match). */
bool sampler_periodic_due(struct sampler *s);
/* Take one sample of every probe at now_ns (called by the engine's ticker). */
void sampler_tick(struct sampler *s, u64 now_ns);
size_t sampler_nr_samples(const struct sampler *s);
/* Write every series to the out dir. Values print with %.6g; integers exactly. */
int sampler_write(const struct sampler *s, struct outdir *od);
/* Read back a value (tests, reports): series file, column, sample index; NAN if none. */
double sampler_value(const struct sampler *s, const char *file, const char *col, size_t i);

#endif
