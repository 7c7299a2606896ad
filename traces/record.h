/* record.h - `mmsim record`: run a program under strace (system calls, exact arguments and
 * results) and perf (every page fault of every thread, exceptions:page_fault_user and
 * page_fault_kernel), sample the real process tree's smaps_rollup and /proc/vmstat every
 * --sample-interval, and merge the three logs into one .mmtz (import_perf.c). No SimGrid
 * here: the recorder runs the real program on the host.
 *
 * Exit status: 0 recorded; 1 the trace could not be written; 2 bad command line or the
 * logs could not be merged; 5 the recorders could not run (perf or strace missing, perf
 * events not permitted: kernel.perf_event_paranoid). The program's own exit status is
 * printed, not returned. */
#ifndef MMSIM_TRACES_RECORD_H
#define MMSIM_TRACES_RECORD_H

#define RECORD_EXIT_NO_RECORDER 5

/* argv[0] is "record". */
int record_main(int argc, char **argv);

#endif
