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
#include "mm/page_alloc.h"
#include "task/replay.h"

/* ---- OP_ALLOC_PAGES handles ---- */

/* The slot of handle id: its live or failed allocation, or (create) a new slot.
 * Freed handles stay as tombstones until the table grows. */
static struct alloc_handle *handle_slot(struct replay_thread *rt, u64 id, bool create)
{
	if (create && (rt->nr_handles + 1) * 2 > rt->cap_handles) {
		struct alloc_handle *old = rt->handles;
		u32 ocap = rt->cap_handles;
		rt->cap_handles = ocap ? ocap * 2 : 64;
		rt->handles = xcalloc(rt->cap_handles, sizeof(*rt->handles));
		rt->nr_handles = 0;
		for (u32 i = 0; i < ocap; i++)
			if (old[i].state == HANDLE_LIVE || old[i].state == HANDLE_NULL)
				*handle_slot(rt, old[i].id, true) = old[i];
		free(old);
	}
	if (!rt->cap_handles)
		return NULL;
	u32 mask = rt->cap_handles - 1;
	for (u32 i = (u32)(id * 0x9e3779b97f4a7c15ULL >> 40) & mask;; i = (i + 1) & mask) {
		struct alloc_handle *h = &rt->handles[i];
		if (h->state == HANDLE_EMPTY) {
			if (!create)
				return NULL;
			rt->nr_handles++;
			*h = (struct alloc_handle){ .id = id, .pfn = PFN_NONE, .state = HANDLE_NULL };
			return h;
		}
		if (h->id == id && h->state != HANDLE_FREED)
			return h;
	}
}

static gfp_t op_alloc_gfp(u32 flags)
{
	gfp_t gfp = (flags & ALLOC_F_ATOMIC) ? GFP_ATOMIC : GFP_KERNEL;
	if (flags & ALLOC_F_MOVABLE)
		gfp |= __GFP_MOVABLE;
	if (flags & ALLOC_F_RECLAIMABLE)
		gfp |= __GFP_RECLAIMABLE;
	if (flags & ALLOC_F_NORETRY)
		gfp |= __GFP_NORETRY;
	if (flags & ALLOC_F_RETRY_MAYFAIL)
		gfp |= __GFP_RETRY_MAYFAIL;
	if (flags & ALLOC_F_THISNODE)
		gfp |= __GFP_THISNODE;
	return gfp;
}

static s64 do_alloc_pages(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_totals *t = rt->totals;
	if (op->arg >= MAX_ORDER || (op->flags & ~ALLOC_F_ALL))
		return -MM_EINVAL;
	struct alloc_handle *h = handle_slot(rt, op->id, false);
	if (h)
		return -MM_EEXIST;   /* the handle still names a block (or a failed attempt) */
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	u64 pfn = alloc_pages_node(tsk, op->node, op_alloc_gfp(op->flags), op->arg);
	h = handle_slot(rt, op->id, true);
	h->order = op->arg;
	if (pfn == PFN_NONE) {
		t->alloc_pages_fail[op->arg]++;
		return -MM_ENOMEM;   /* the handle stays as a NULL block until freed */
	}
	t->alloc_pages_ok[op->arg]++;
	h->pfn = pfn;
	h->state = HANDLE_LIVE;
	return 0;
}

static s64 do_free_pages(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct alloc_handle *h = handle_slot(rt, op->id, false);
	if (!h) {
		rt->totals->bad_handles++;
		return -MM_EINVAL;
	}
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	/* freeing a failed allocation is a no-op, as free_pages(0) is */
	if (h->state == HANDLE_LIVE)
		__free_pages(tsk, h->pfn, h->order);
	h->state = HANDLE_FREED;
	return 0;
}

/* Blocks still held when the thread ends go back, as a test module's would on unload. */
static void free_all_handles(struct task *tsk, struct replay_thread *rt)
{
	for (u32 i = 0; i < rt->cap_handles; i++) {
		struct alloc_handle *h = &rt->handles[i];
		if (h->state == HANDLE_LIVE)
			__free_pages(tsk, h->pfn, h->order);
		if (h->state != HANDLE_EMPTY)
			h->state = HANDLE_FREED;
	}
}

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
	case OP_ALLOC_PAGES:
		ret = do_alloc_pages(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_FREE_PAGES:
		ret = do_free_pages(tsk, rt, op);
		record_ret(t, op, ret);
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

#ifdef MMSIM_DEBUG_VM
#define MMSIM_DEBUG_VM_ENABLED 1
#else
#define MMSIM_DEBUG_VM_ENABLED 0
#endif

/* --check and debug builds: the buddy invariants after every op; the first violation
 * becomes a finding naming the op. */
static void check_after_op(struct task *tsk, const struct op *op)
{
	char msg[256];
	if (check_phys_mem(tsk->sim->phys, false, msg, sizeof(msg)) < 0)
		finding_report(tsk->sim->findings, FINDING_INVARIANT, task_now(tsk),
			       "after %s by tid %u: buddy allocator: %s", op_type_name(op->type),
			       op->tid, msg);
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
		bool go_on = do_op(tsk, rt, &op);
		if (tsk->sim->check || MMSIM_DEBUG_VM_ENABLED)
			check_after_op(tsk, &op);
		if (!go_on)
			break;
		flush_if_ahead(tsk);
	}
	free_all_handles(tsk, rt);
	rt->totals->threads_done++;
	struct process *p = rt->proc;
	mmput(tsk, p->mm);
	if (--p->nr_live == 0)
		p->mm = NULL;
	tsk->mm = NULL;
}
