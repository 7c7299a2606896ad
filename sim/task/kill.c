/* kill.c - workloads[].kill_at: a process killed at a time (see kill.h). */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "mm/mm_types.h"
#include "stats/findings.h"
#include "task/kill.h"
#include "task/replay.h"

bool task_kill_due(struct task *tsk, struct replay_thread *rt, bool in_op)
{
	struct process *p = rt->proc;
	if (!p->kill_at_ns || task_now(tsk) < p->kill_at_ns)
		return false;
	p->kill_threads++;
	p->kill_ops += tsk->nr_ops - (in_op ? 1 : 0);
	return true;
}

u64 task_kill_cut(struct task *tsk, struct replay_thread *rt, u64 ns)
{
	u64 at = rt->proc->kill_at_ns, now = task_now(tsk);
	if (!at || now + ns <= at)
		return ns;
	return at > now ? at - now : 0;
}

void task_kill_exit_begin(struct task *tsk, struct replay_thread *rt, struct kill_note *kn)
{
	struct process *p = rt->proc;
	(void)tsk;
	*kn = (struct kill_note){ 0 };
	if (!p->kill_threads || p->nr_live != 1 || !p->mm)
		return;
	kn->last_killed = true;
	kn->rss_pages = get_mm_rss(p->mm);
	kn->swap_ents = p->mm->swap_ents;
}

void task_kill_exit_end(struct task *tsk, struct replay_thread *rt, const struct kill_note *kn)
{
	if (!kn->last_killed)
		return;
	struct process *p = rt->proc;
	struct replay_world *w = rt->world;
	const struct workload_cfg *wc = p->wcfg;
	struct kill_event e = {
		.kill_at_ns = p->kill_at_ns, .exit_ns = task_now(tsk), .pid = p->pid,
		.sig = kill_signal_numbers[wc->kill_signal], .threads = p->kill_threads,
		.ops = p->kill_ops, .rss_pages = kn->rss_pages, .swap_ents = kn->swap_ents,
	};
	snprintf(e.comm, sizeof(e.comm), "%s", p->comm);
	w->kills = xrealloc(w->kills, (w->nr_kills + 1) * sizeof(*w->kills));
	w->kills[w->nr_kills++] = e;
	finding_report(tsk->sim->findings, FINDING_INJECTED_FAULT, p->kill_at_ns,
		       "%s sent to process %u (%s) (workloads[].kill_at of %s): %u thread%s "
		       "killed after %llu ops, the last exited at %.6f ms; its address space held "
		       "%llu resident pages and %llu swap entries", kill_signal_names[wc->kill_signal],
		       p->pid, p->comm, wc->name, e.threads, e.threads == 1 ? "" : "s",
		       (unsigned long long)e.ops, (double)e.exit_ns / 1e6,
		       (unsigned long long)e.rss_pages, (unsigned long long)e.swap_ents);
}

void kill_events_release(struct replay_world *w)
{
	free(w->kills);
	w->kills = NULL;
	w->nr_kills = 0;
}
