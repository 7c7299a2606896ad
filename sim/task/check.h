/* check.h - --check after each op of a replayed thread (task/replay.c calls it).
 *
 * Each op checks what it changed: the pages whose free-list, pcp or LRU links moved
 * (mm/check.h), the free counters of their zones, and the page tables and VMAs of the
 * op's range in its address space and, after an op that may change VMAs, their order
 * (mm/mmap.h: check_mm_range; when no other thread of the process can be inside an op). The full invariant walks (buddy, LRU, slab, swap,
 * THP, address spaces, RSS totals) run every mm_check->interval ops and at the end.
 * The first violation is a finding naming the op, the task and the simulated time, and
 * stops the run (partial outputs, exit status EXIT_CHECK). debug.check_corrupt injects a
 * corruption after a chosen op to show the checker catches it. */
#ifndef MMSIM_TASK_CHECK_H
#define MMSIM_TASK_CHECK_H

#include <stddef.h>
#include "types.h"

struct task;
struct mm_struct;
struct op;

/* After an op of tsk: the injection, then the per-op checks. Returns true when the full
 * walks are due after this op too (false once a violation stopped the run). */
bool check_op(struct task *tsk, struct mm_struct *mm, const struct op *op);
/* Report a violation found after the op (kind: which check), and stop the run. */
void check_fail(struct task *tsk, const struct op *op, const char *kind, const char *msg);
/* "touch addr=0x... len=... (pid P tid T)": the op as findings name it. */
void check_describe_op(char *what, size_t len, const struct op *op);

#endif
