/* compare.h - `mmsim compare`: key metrics of several out dirs side by side, or of every
 * point of a sweep with plots (see compare.c). Reads out dirs only. */
#ifndef MMSIM_ANALYSIS_COMPARE_H
#define MMSIM_ANALYSIS_COMPARE_H

/* argv[0] is "compare". Returns the exit status. */
int compare_main(int argc, char **argv);

#endif
