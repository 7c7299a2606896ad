/* kill.h - a workload's processes killed at a time (workloads[].kill_at / kill_signal,
 * fault injection, issue 21): kill(pid, SIG) sent from outside at kill_at to each process
 * the workload started (processes they fork live on: the signal names a pid, not a
 * process group).
 *
 * The simulated programs install no handlers, so every signal of kill_signal is fatal
 * (complete_signal turns it into a group kill) and is taken as the kernel takes one: a
 * thread dies when it next returns to user mode. Here that is: before its next op;
 * between two pages of a touch (each fault returns to user mode; touch_range stops); a
 * sleep, think time or compute in progress ends at kill_at (an interruptible sleep is
 * woken, user-mode CPU work interrupted). A thread inside the kernel - waiting for a lock
 * such as mmap_lock, for swap or file I/O, in reclaim, in a syscall - finishes that op
 * first and dies when it would return: SimGrid actors are not interrupted inside a
 * simcall, and the kernel's waits there are uninterruptible too (the fault path's
 * mmap_read_lock, I/O); the killable ones (mmap_write_lock_killable in mmap/munmap,
 * which would return -EINTR at once) are not modelled as such. An op cut short by the
 * kill is not counted as carried out.
 *
 * The thread then leaves through the ordinary exit path (replay_main's end: handles and
 * task policy dropped, mmput); the last thread's exit_mmap frees the pages, the swap
 * slots and the hugetlb reservations. When the last thread of a killed process has gone,
 * one injected_fault finding says when it was killed, how many threads and ops, what its
 * address space held, and when the teardown ended; injected_faults.csv has the figures.
 * Not modelled: the exit status a parent's wait4 would see. */
#ifndef MMSIM_TASK_KILL_H
#define MMSIM_TASK_KILL_H

#include "types.h"

struct task;
struct replay_thread;
struct replay_world;

/* One killed process (replay_world.kills). */
struct kill_event {
	u64 kill_at_ns;                  /* when the signal was sent */
	u64 exit_ns;                     /* when its last thread had exited (mm torn down) */
	u32 pid;
	char comm[16];
	int sig;                         /* signal number */
	u32 threads;                     /* threads the signal ended */
	u64 ops;                         /* ops they had carried out */
	u64 rss_pages, swap_ents;        /* what its address space held at the exit */
};

/* Has tsk's process been killed by now? Then the thread must end: returns true (and
 * counts the thread and its ops, in_op: the op in progress not counted). */
bool task_kill_due(struct task *tsk, struct replay_thread *rt, bool in_op);
/* A sleep or compute of ns starting now, cut at the kill time. */
u64 task_kill_cut(struct task *tsk, struct replay_thread *rt, u64 ns);

/* Around the exiting thread's mmput: note what the address space holds, then record
 * the kill once the last thread of a killed process is gone. */
struct kill_note {
	bool last_killed;
	u64 rss_pages, swap_ents;
};
void task_kill_exit_begin(struct task *tsk, struct replay_thread *rt, struct kill_note *kn);
void task_kill_exit_end(struct task *tsk, struct replay_thread *rt, const struct kill_note *kn);

void kill_events_release(struct replay_world *w);

#endif
