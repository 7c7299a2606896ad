/* replay_sync.h - the order a recorded program's own synchronisation imposed between its
 * processes, kept by closed-mode replay (fs/pipe.c's pipe_read/pipe_write and
 * kernel/exit.c's wait4, as far as ordering goes):
 *  - a read from a pipe returns once the bytes it got have been written (bytes are
 *    matched in order: the pipe is a FIFO), a read that got end of file once no write end
 *    is left open;
 *  - wait4 returns once the child it reaped (its recorded result) has exited;
 *  - a signal delivery sent by another process of the recording (kill, tkill, tgkill:
 *    strace's "--- SIGxxx {si_code=SI_USER, si_pid=N} ---") is replayed once that process
 *    has issued as many kills of it to this process (or to a group) as this process has
 *    had deliveries; a SIGCHLD of a child's exit once that child has exited. Signals the
 *    kernel raised (SIGSEGV/SIGBUS of a fault, ...) and those of senders outside the
 *    recording are counted and keep their place in their own thread's order.
 * The time a thread waits is taken off its next op's think time (the recorded gap already
 * holds the wait). Open mode issues ops at their recorded times and does not wait. A wait
 * that nothing could end (every other live task waits too, or no write end is left) is
 * given up and counted in replay_totals.sync_unmet.
 * Not modelled: what a signal does (its handler, blocking, a fatal default action: the
 * recording's own "+++ killed by +++" ends the thread), SIGKILL's order (strace shows no
 * delivery line for it), the pipe's capacity (a writer never blocks), FIFOs, sockets,
 * waitid. */
#ifndef MMSIM_TASK_REPLAY_SYNC_H
#define MMSIM_TASK_REPLAY_SYNC_H

#include "types.h"

struct task;
struct op;
struct rpipe;
struct fd_entry;
struct replay_world;
struct replay_thread;

/* OP_PIPE: a pipe; its read end at fd op->fd and its write end at fd op->id. */
s64 replay_pipe(struct task *tsk, struct replay_thread *rt, const struct op *op);
/* OP_READ / OP_WRITE (others: -EINVAL) on a pipe fd. */
s64 replay_pipe_rw(struct task *tsk, struct replay_thread *rt, struct fd_entry *e,
		   const struct op *op);
/* OP_WAIT4 */
s64 replay_wait4(struct task *tsk, struct replay_thread *rt, const struct op *op);

/* OP_KILL: counted for the deliveries it allows; OP_SIGNAL: waits as above. */
s64 replay_kill(struct task *tsk, struct replay_thread *rt, const struct op *op);
s64 replay_signal(struct task *tsk, struct replay_thread *rt, const struct op *op);

/* fd table: a copy (fork) takes a reference, a close drops it. */
void rpipe_get(struct rpipe *p, bool write);
void rpipe_put(struct task *tsk, struct rpipe *p, bool write);

/* A process of the recording was forked (wait4 may wait for it), or has exited. */
void replay_sync_process_start(struct replay_world *w, u32 trace_pid);
void replay_sync_process_exit(struct task *tsk, struct replay_world *w, u32 trace_pid);
/* A replay thread ends: waits nothing could end any more are given up. */
void replay_sync_thread_exit(struct task *tsk, struct replay_world *w);
void replay_sync_release(struct replay_world *w);

#endif
