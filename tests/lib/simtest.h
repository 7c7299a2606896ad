/* simtest.h - run a test case that needs a simulation engine. SimGrid allows one engine
 * per process, so each case runs in a forked child; the child's check counts are added
 * to the parent's. A case that crashes counts as one failure. */
#ifndef MMSIM_TESTS_SIMTEST_H
#define MMSIM_TESTS_SIMTEST_H

typedef void (*simtest_fn)(void);

void simtest_case_(const char *name, simtest_fn fn);
#define SIMTEST(fn) simtest_case_(#fn, fn)

#endif
