/* mismatch.c - the known causes of a result mismatch (mismatch.h). */
#include "sim.h"
#include "config/scenario.h"
#include "engine/task.h"
#include "mm/mm_types.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "task/mismatch.h"

/* Whether some page of [addr, addr + len) has no VMA. */
static bool range_has_hole(struct mm_struct *mm, u64 addr, u64 len)
{
	u64 end = addr + (len ? len : 1);
	if (end < addr)
		return true;
	while (addr < end) {
		struct vm_area_struct *v = find_vma(mm, addr);
		if (!v || v->vm_start > addr)
			return true;
		addr = v->vm_end;
	}
	return false;
}

enum mismatch_cause replay_mismatch_cause(struct task *tsk, struct mm_struct *mm,
					  const struct op *op, s64 replayed)
{
	bool rec_ok = op->ret != OP_RET_NONE && (op->ret >= 0 || op->ret <= -4096);
	if (!rec_ok || replayed >= 0 || replayed <= -4096)
		return MISMATCH_UNKNOWN;
	const struct sim *sim = tsk->sim;
	if (op->type == OP_MMAP && replayed == -MM_ENOMEM &&
	    (op->len >> PAGE_SHIFT) > sim->phys->nr_pages + (sim->scn->machine.swap.size >> PAGE_SHIFT))
		return MISMATCH_OVERCOMMIT;
	switch (op->type) {
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MREMAP:
	case OP_MADVISE:
	case OP_MBIND:
	case OP_SET_MEMPOLICY_HOME_NODE:
		if (mm && range_has_hole(mm, op->addr, op->len))
			return MISMATCH_BEFORE_TRACE;
		break;
	default:
		break;
	}
	return MISMATCH_UNKNOWN;
}
