/* sweep.h - `mmsim sweep`: a base scenario run at every point of a matrix of overrides,
 * each point its own `mmsim run` process (see sweep.c for the sweep file). */
#ifndef MMSIM_SWEEP_H
#define MMSIM_SWEEP_H

/* argv[0] is "sweep". Returns the exit status. */
int sweep_main(int argc, char **argv);

struct diag;
/* Read a sweep file and expand its points, then drop them: 0, or -1 with the errors in d
 * (the reader of sweep_main, on its own for tests/fuzz/fuzz_sweep.c). */
int sweep_parse_file(const char *path, struct diag *d);

#endif
