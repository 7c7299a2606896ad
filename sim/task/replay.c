/* replay.c - carry out ops. Every op type is either modelled here or counted as not
 * modelled (never silently ignored): the summary lists both. */
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "stats/findings.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "task/replay.h"

static void record_ret(struct replay_totals *t, const struct op *op, s64 ret)
{
	if (ret < 0)
		t->failed[op->type]++;
	if (op->ret != OP_RET_NONE && op->ret != ret)
		t->ret_mismatch++;
}

/* Returns false when the thread must end (exit op, or killed). */
static bool do_op(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_totals *t = rt->totals;
	struct mm_struct *mm = rt->proc->mm;
	s64 ret;

	if (op->think_ns)
		task_sleep(tsk, op->think_ns);
	switch (op->type) {
	case OP_MMAP:
		ret = vm_mmap(tsk, mm, op->addr, op->len, op->prot, op->flags);
		record_ret(t, op, ret);
		break;
	case OP_MUNMAP:
		ret = vm_munmap(tsk, mm, op->addr, op->len);
		record_ret(t, op, ret);
		break;
	case OP_TOUCH:
		ret = touch_range(tsk, mm, op->addr, op->len, op->flags & TOUCH_WRITE);
		t->touched_pages += (ALIGN_UP(op->addr + op->len, PAGE_SIZE) -
				     ALIGN_DOWN(op->addr, PAGE_SIZE)) >> PAGE_SHIFT;
		if (ret >= 0) {
			t->faults += (u64)ret;
		} else if (ret == -MM_EFAULT) {
			t->segv++;
		} else {
			/* The allocator could not serve the fault: the OOM killer picks this
			 * thread's process (the reclaim/OOM model refines the choice). */
			t->oom_kills++;
			finding_report(tsk->sim->findings, FINDING_OOM_KILL, task_now(tsk),
				       "out of memory: killed process %u (%s) faulting at 0x%llx",
				       rt->proc->pid, rt->proc->comm, (unsigned long long)op->addr);
			return false;
		}
		break;
	case OP_COMPUTE:
		charge(tsk, op->ns);
		break;
	case OP_SLEEP:
		task_sleep(tsk, op->ns);
		break;
	case OP_EXIT:
		t->ops[op->type]++;
		return false;
	default:
		t->not_modelled[op->type]++;
		return true;
	}
	t->ops[op->type]++;
	return true;
}

void replay_main(struct task *tsk)
{
	struct replay_thread *rt = tsk->priv;
	struct op op;
	tsk->mm = rt->proc->mm;
	for (;;) {
		int r = op_source_next(rt->src, &op);
		if (r == 0)
			break;
		if (r < 0) {
			rt->totals->source_errors++;
			rt->error = xstrdup(op_source_error(rt->src));
			break;
		}
		tsk->nr_ops++;
		if (!do_op(tsk, rt, &op))
			break;
		flush_if_ahead(tsk);
	}
	rt->totals->threads_done++;
	struct process *p = rt->proc;
	mmput(tsk, p->mm);
	if (--p->nr_live == 0)
		p->mm = NULL;
	tsk->mm = NULL;
}
