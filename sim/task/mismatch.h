/* mismatch.h - why a replayed system call's result differs from the recorded one, where
 * the replay can tell (the first mismatches of report.md and stderr).
 *
 * Known causes: MISMATCH_OVERCOMMIT, an mmap the overcommit heuristic refused with ENOMEM
 * because it asks for more than the simulated machine's RAM and swap (the recording ran on
 * a larger machine); MISMATCH_BEFORE_TRACE, a call on a range where the replay has no
 * mapping although the recorded call succeeded: the program mapped it before the trace
 * began (ld.so, the program image, the stack, or strace attached late). Others: none. */
#ifndef MMSIM_TASK_MISMATCH_H
#define MMSIM_TASK_MISMATCH_H

#include "task/op.h"

struct task;
struct mm_struct;

enum mismatch_cause {
	MISMATCH_UNKNOWN = 0,
	MISMATCH_OVERCOMMIT,
	MISMATCH_BEFORE_TRACE,
};

/* Called right after the op was replayed (its result in replayed); mm may be NULL. */
enum mismatch_cause replay_mismatch_cause(struct task *tsk, struct mm_struct *mm,
					  const struct op *op, s64 replayed);

#endif
