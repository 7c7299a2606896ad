/* clock.h - charged time and the one place that turns it into simulated time.
 *
 * charge() accumulates cost on the acting task without any simcall. task_now() is the
 * task's logical time: the global simulated clock plus its pending cost. flush() turns
 * the pending cost into simulated time (one simcall), queueing behind other tasks
 * pinned to the same CPU. Call flush() (or a blocking engine call, which flushes
 * first) before anything whose outcome depends on other actors' timing.
 *
 * With engine.runahead, flush() makes no simcall when no other actor can act before
 * the time it would sleep to (engine.c): the task then runs ahead of the global clock
 * by the skipped sleeps too, which task_now() includes, and takes them before its next
 * call into SimGrid. Every outcome is the same; only the simcall count drops. */
#ifndef MMSIM_ENGINE_CLOCK_H
#define MMSIM_ENGINE_CLOCK_H

#include "engine/task.h"

/* CPU work: the task is busy on its CPU. */
static inline void charge(struct task *tsk, u64 ns)
{
	tsk->pending_ns += ns;
	tsk->pending_cpu_ns += ns;
	tsk->cpu_ns += ns;
}

/* Time that passes without using the CPU (a sleeping wait already decided). */
static inline void charge_idle(struct task *tsk, u64 ns)
{
	tsk->pending_ns += ns;
}

/* Global simulated clock in ns. */
u64 engine_now_ns(const struct engine *e);

/* The task's logical time: engine_now_ns() + the sleeps run-ahead skipped + pending. */
u64 task_now(const struct task *tsk);

/* Turn pending cost into simulated time. No simcall when nothing is pending. */
void flush(struct task *tsk);

/* Flush if the task has run ahead by the scenario's engine.lookahead or more. */
void flush_if_ahead(struct task *tsk);

#endif
