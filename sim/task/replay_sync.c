/* replay_sync.c - cross-process order in closed-mode replay: pipes and wait4 (see
 * replay_sync.h). The state hangs off the replay world, created at first use. Waiters
 * park; every event that may end a wait (bytes written, a write end closed, a process
 * exited, a thread gone) wakes them all, and each checks its own condition again. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "task/op.h"
#include "task/replay.h"
#include "task/replay_sync.h"

struct rpipe {
	u64 written, read;          /* bytes through the pipe so far */
	u32 writers, readers;       /* open fds on each end, over all processes */
	struct replay_sync *sync;   /* borrowed: its waiters */
};

struct sync_waiter {
	struct task *tsk;
	struct sync_waiter *next;
};

struct sync_proc {
	u32 trace_pid;
	bool exited;
};

/* kills from one process to another (target 0: a group) of one signal, and the
 * deliveries of it the target has replayed */
struct sig_count {
	u32 sender, target, sig;
	u64 sent, delivered;
};

struct replay_sync {
	struct sig_count *sigs;     /* owned */
	u32 nr_sigs, cap_sigs;
	struct rpipe **pipes;       /* owned, freed at release */
	u32 nr_pipes;
	struct sync_proc *procs;
	u32 nr_procs, cap_procs;
	struct sync_waiter *waiters;  /* parked, each on its own stack */
	u32 nr_waiting;
	u64 give_up_gen;            /* bumped when the waits nothing can end are given up */
};

static struct replay_sync *S(struct replay_world *w)
{
	if (!w->sync)
		w->sync = xcalloc(1, sizeof(*w->sync));
	return w->sync;
}

/* Wake every waiter; each checks its condition again. The waker's charged time is
 * flushed first, so that a woken task resumes no earlier than the event. */
static void wake_all(struct task *tsk, struct replay_sync *s)
{
	if (!s->waiters)
		return;
	flush(tsk);
	struct sync_waiter *w = s->waiters;
	s->waiters = NULL;
	while (w) {
		struct sync_waiter *next = w->next;
		task_unpark(tsk, w->tsk);
		w = next;
	}
}

/* Nothing but waiters left to run: no wait can end. */
static bool all_waiting(const struct replay_sync *s, const struct task *tsk, u32 extra)
{
	return s->nr_waiting + extra >= engine_nr_live_user(tsk->eng);
}

typedef bool (*sync_cond)(const void *arg);

/* Park until cond(arg) holds. Returns false when the wait was given up (nothing could
 * end it). The time waited is taken off the next op's think time. */
static bool sync_wait(struct task *tsk, struct replay_thread *rt, sync_cond cond, const void *arg)
{
	struct replay_sync *s = S(rt->world);
	if (cond(arg))
		return true;
	u64 t0 = task_now(tsk), gen = s->give_up_gen;
	bool met = true, waited = false;
	while (!cond(arg)) {
		if (all_waiting(s, tsk, 1) || s->give_up_gen != gen) {
			met = false;
			break;
		}
		struct sync_waiter me = { .tsk = tsk, .next = s->waiters };
		s->waiters = &me;
		s->nr_waiting++;
		waited = true;
		task_park(tsk, TASK_IDLE);
		s->nr_waiting--;
		/* a waker took the whole list; if another event came first we are still on it */
		for (struct sync_waiter **pp = &s->waiters; *pp; pp = &(*pp)->next)
			if (*pp == &me) {
				*pp = me.next;
				break;
			}
	}
	if (waited) {
		u64 dt = task_now(tsk) - t0;
		rt->totals->sync_waits++;
		rt->totals->sync_wait_ns += dt;
		rt->think_credit += dt;
	}
	if (!met)
		rt->totals->sync_unmet++;
	return met;
}

/* ---- pipes ---- */

s64 replay_pipe(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_sync *s = S(rt->world);
	struct process *p = rt->proc;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (op->ret != OP_RET_NONE && op->ret < 0)
		return op->ret;
	s32 rfd = op->fd, wfd = (s32)op->id;
	if (rfd < 0 || wfd < 0 || rfd == wfd)
		return -MM_EINVAL;
	struct rpipe *pp = xcalloc(1, sizeof(*pp));
	pp->sync = s;
	s->pipes = xrealloc(s->pipes, (s->nr_pipes + 1) * sizeof(*s->pipes));
	s->pipes[s->nr_pipes++] = pp;
	process_fd_close(tsk, p, rfd);
	process_fd_close(tsk, p, wfd);
	process_fd_install_pipe(p, rfd, pp, false);
	process_fd_install_pipe(p, wfd, pp, true);
	return 0;
}

void rpipe_get(struct rpipe *p, bool write)
{
	if (write)
		p->writers++;
	else
		p->readers++;
}

void rpipe_put(struct task *tsk, struct rpipe *p, bool write)
{
	if (write) {
		if (--p->writers == 0 && tsk)
			wake_all(tsk, p->sync);   /* readers waiting for end of file */
	} else {
		p->readers--;
	}
}

struct pipe_need {
	const struct rpipe *p;
	u64 upto;                   /* bytes that must have been written; ~0: end of file */
};

static bool pipe_ready(const void *arg)
{
	const struct pipe_need *n = arg;
	if (n->upto == ~0ULL)
		return n->p->writers == 0;
	/* bytes that no one can write any more never come: do not wait for them */
	return n->p->written >= n->upto || n->p->writers == 0;
}

s64 replay_pipe_rw(struct task *tsk, struct replay_thread *rt, struct fd_entry *e,
		   const struct op *op)
{
	struct rpipe *p = e->pipe;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	bool recorded = op->ret != OP_RET_NONE;
	if (recorded && op->ret < 0)
		return op->ret;
	switch (op->type) {
	case OP_WRITE: {
		if (!e->pipe_write)
			return -MM_EBADF;
		u64 n = recorded ? (u64)op->ret : op->len;
		p->written += n;
		wake_all(tsk, S(rt->world));
		return (s64)n;
	}
	case OP_READ: {
		if (e->pipe_write)
			return -MM_EBADF;
		if (!recorded)
			return (s64)op->len;  /* what it got is unknown: no order to keep */
		u64 n = (u64)op->ret;
		if (!rt->open_mode) {   /* open mode: issued at its recorded time, no waiting */
			struct pipe_need need = { p, n ? p->read + n : ~0ULL };
			sync_wait(tsk, rt, pipe_ready, &need);
			/* given up, or no writer left: it gets what is there (the difference
			 * is counted as a result mismatch) */
			if (n && p->written < p->read + n)
				n = p->written > p->read ? p->written - p->read : 0;
		}
		p->read += n;
		return (s64)n;
	}
	default:
		return -MM_EINVAL;
	}
}

/* ---- wait4 ---- */

static struct sync_proc *find_proc(struct replay_sync *s, u32 trace_pid)
{
	for (u32 i = 0; i < s->nr_procs; i++)
		if (s->procs[i].trace_pid == trace_pid)
			return &s->procs[i];
	return NULL;
}

void replay_sync_process_start(struct replay_world *w, u32 trace_pid)
{
	struct replay_sync *s = S(w);
	struct sync_proc *sp = find_proc(s, trace_pid);
	if (sp) {
		sp->exited = false;
		return;
	}
	if (s->nr_procs == s->cap_procs) {
		s->cap_procs = s->cap_procs ? 2 * s->cap_procs : 16;
		s->procs = xrealloc(s->procs, s->cap_procs * sizeof(*s->procs));
	}
	s->procs[s->nr_procs++] = (struct sync_proc){ .trace_pid = trace_pid };
}

void replay_sync_process_exit(struct task *tsk, struct replay_world *w, u32 trace_pid)
{
	struct replay_sync *s = S(w);
	struct sync_proc *sp = find_proc(s, trace_pid);
	if (sp)
		sp->exited = true;
	wake_all(tsk, s);
}

struct proc_ref {
	const struct replay_sync *s;
	u32 idx;                    /* procs[] may move while parked */
};

static bool proc_exited(const void *arg)
{
	const struct proc_ref *r = arg;
	return r->s->procs[r->idx].exited;
}

s64 replay_wait4(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_sync *s = S(rt->world);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (op->ret == OP_RET_NONE || op->ret <= 0)
		return op->ret == OP_RET_NONE ? 0 : op->ret;  /* WNOHANG with nothing, or an error */
	struct sync_proc *sp = find_proc(s, (u32)op->ret);   /* the child it reaped */
	if (sp && !rt->open_mode) {
		struct proc_ref ref = { s, (u32)(sp - s->procs) };
		sync_wait(tsk, rt, proc_exited, &ref);
	}
	return op->ret;
}

/* ---- signals ---- */

static u32 sig_count_idx(struct replay_sync *s, u32 sender, u32 target, u32 sig)
{
	for (u32 i = 0; i < s->nr_sigs; i++)
		if (s->sigs[i].sender == sender && s->sigs[i].target == target && s->sigs[i].sig == sig)
			return i;
	if (s->nr_sigs == s->cap_sigs) {
		s->cap_sigs = s->cap_sigs ? 2 * s->cap_sigs : 16;
		s->sigs = xrealloc(s->sigs, s->cap_sigs * sizeof(*s->sigs));
	}
	s->sigs[s->nr_sigs] = (struct sig_count){ .sender = sender, .target = target, .sig = sig };
	return s->nr_sigs++;
}

s64 replay_kill(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_sync *s = S(rt->world);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (op->ret != OP_RET_NONE && op->ret < 0)
		return op->ret;
	rt->totals->signals_sent++;
	if (op->arg) {      /* signal 0 only checks that the target exists */
		u32 i = sig_count_idx(s, op->pid, (u32)op->id, op->arg);   /* may move sigs */
		s->sigs[i].sent++;
		wake_all(tsk, s);
	}
	return 0;
}

struct sig_ref {
	const struct replay_sync *s;
	u32 one, group;             /* indices: kills to the target, kills to a group */
};

/* as many kills sent as deliveries replayed (signals of one kind may merge: a delivery
 * needs at least one kill more than the deliveries before it) */
static bool sig_sent(const void *arg)
{
	const struct sig_ref *r = arg;
	const struct sig_count *one = &r->s->sigs[r->one], *grp = &r->s->sigs[r->group];
	return one->sent + grp->sent >= one->delivered;
}

s64 replay_signal(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_sync *s = S(rt->world);
	rt->totals->signals_delivered++;
	if (rt->open_mode)
		return 0;
	if (op->flags & SIGNAL_F_CHILD) {
		struct sync_proc *sp = find_proc(s, (u32)op->id);
		if (sp) {
			struct proc_ref ref = { s, (u32)(sp - s->procs) };
			sync_wait(tsk, rt, proc_exited, &ref);
		}
	} else if ((op->flags & SIGNAL_F_USER) && (op->flags & SIGNAL_F_TRACED) &&
		   (u32)op->id != op->pid) {
		struct sig_ref ref = { s, 0, 0 };
		ref.one = sig_count_idx(s, (u32)op->id, op->pid, op->arg);
		ref.group = sig_count_idx(s, (u32)op->id, 0, op->arg);
		s->sigs[ref.one].delivered++;
		sync_wait(tsk, rt, sig_sent, &ref);
	}
	return 0;
}

void replay_sync_thread_exit(struct task *tsk, struct replay_world *w)
{
	struct replay_sync *s = w->sync;
	if (!s || !s->nr_waiting)
		return;
	/* this thread still counts as live until it returns */
	if (s->nr_waiting + 1 >= engine_nr_live_user(tsk->eng)) {
		s->give_up_gen++;
		wake_all(tsk, s);
	}
}

void replay_sync_release(struct replay_world *w)
{
	struct replay_sync *s = w->sync;
	if (!s)
		return;
	for (u32 i = 0; i < s->nr_pipes; i++)
		free(s->pipes[i]);
	free(s->pipes);
	free(s->procs);
	free(s->sigs);
	free(s);
	w->sync = NULL;
}
