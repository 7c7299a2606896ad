/* sweep.h - `mmsim sweep`: a base scenario run at every point of a matrix of overrides,
 * each point its own `mmsim run` process (see sweep.c for the sweep file). */
#ifndef MMSIM_SWEEP_H
#define MMSIM_SWEEP_H

/* argv[0] is "sweep". Returns the exit status. */
int sweep_main(int argc, char **argv);

#endif
