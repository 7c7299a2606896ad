/* check.c - --check after each op: injection, per-op checks, the stop (see check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "stats/findings.h"
#include "mm/check.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/swapfile.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "task/check.h"
#include "task/op.h"

enum check_corrupt {   /* debug.check_corrupt, in the order of check_corrupt_names */
	CORRUPT_NONE,
	CORRUPT_BUDDY_LINK,   /* a free block the op linked or unlinked: its back link */
	CORRUPT_FREE_COUNT,   /* NR_FREE_PAGES of a zone the op changed, one page off */
	CORRUPT_LRU_LINK,     /* a page the op put on or took off an LRU list: its back link */
	CORRUPT_PTE,          /* a page mapped in the op's range: its mapcount to 0 */
	CORRUPT_RSS,          /* the op's mm: MM_ANONPAGES one page off (full walks find it) */
	CORRUPT_SWAP_CACHE,   /* NR_SWAPCACHE one page off (full walks find it) */
	CORRUPT_THP,          /* a THP the op put on an LRU list: its compound mapcount */
};

static bool op_has_range(const struct op *op)
{
	switch (op->type) {
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MREMAP:
	case OP_MADVISE:
	case OP_TOUCH:
		return op->len != 0;
	default:
		return false;
	}
}

/* Ops that may split, merge, add or remove VMAs. */
static bool op_changes_vmas(const struct op *op)
{
	switch (op->type) {
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MREMAP:
	case OP_MADVISE:
	case OP_BRK:
	case OP_MBIND:
	case OP_SHMAT:
	case OP_SHMDT:
	case OP_EXECVE:
	case OP_MLOCK:
	case OP_MUNLOCK:
	case OP_MLOCKALL:
	case OP_MUNLOCKALL:
		return true;
	default:
		return false;
	}
}

/* The first page of the dirty set with flag (and its zone offset in *off). */
static u64 dirty_with(struct sim *sim, u32 flag)
{
	struct mm_check *mc = sim->mmcheck;
	for (u32 i = 0; i < mc->nr; i++)
		if (pfn_to_page(sim->phys, mc->dirty[i])->flags & flag)
			return mc->dirty[i];
	return PFN_NONE;
}

/* Corrupt one structure the op changed; false when it changed none of that kind (the
 * next op is tried). */
static bool inject(struct task *tsk, struct mm_struct *mm, const struct op *op)
{
	struct sim *sim = tsk->sim;
	struct phys_mem *pm = sim->phys;
	struct mm_check *mc = sim->mmcheck;
	u64 pfn;
	switch (mc->opts.corrupt) {
	case CORRUPT_BUDDY_LINK:
		if ((pfn = dirty_with(sim, PG_buddy)) == PFN_NONE)
			return false;
		pfn_to_page(pm, pfn)->prev = (u32)(pfn - page_zone(pm, pfn)->zone_start_pfn);
		break;
	case CORRUPT_FREE_COUNT:
		if (!mc->nr)
			return false;
		page_zone(pm, mc->dirty[0])->free_pages++;
		pfn = mc->dirty[0];
		break;
	case CORRUPT_LRU_LINK:
		if ((pfn = dirty_with(sim, PG_lru)) == PFN_NONE)
			return false;
		pfn_to_page(pm, pfn)->prev =
			(u32)(pfn - pm->node_data[page_to_nid(pm, pfn)]->node_start_pfn);
		break;
	case CORRUPT_PTE: {
		if (!mm || mm->users != 1 || !op_has_range(op))
			return false;
		pfn = PFN_NONE;
		for (u64 a = op->addr & ~(PAGE_SIZE - 1); a < op->addr + op->len && pfn == PFN_NONE;
		     a += PAGE_SIZE) {
			struct pmd_slot *s = pmd_lookup(mm, a);
			if (!s || s->kind != PMD_TABLE)
				continue;
			pte_t p = pte_get(s->table, pte_index(a));
			if (p && !(p & PTE_ZERO) && !pte_is_swap(p))
				pfn = pte_pfn(p);
		}
		if (pfn == PFN_NONE)
			return false;
		pfn_to_page(pm, pfn)->mapcount = 0;
		break;
	}
	case CORRUPT_RSS:
		if (!mm)
			return false;
		mm->rss_anon++;
		pfn = PFN_NONE;
		break;
	case CORRUPT_SWAP_CACHE:
		__mod_node_state(sim->vmstat, 0, NR_SWAPCACHE, 1);
		pfn = PFN_NONE;
		break;
	case CORRUPT_THP:
		pfn = PFN_NONE;
		for (u32 i = 0; i < mc->nr && pfn == PFN_NONE; i++)
			if ((pfn_to_page(pm, mc->dirty[i])->flags & (PG_transhuge | PG_head)) ==
			    (PG_transhuge | PG_head))
				pfn = mc->dirty[i];
		if (pfn == PFN_NONE)
			return false;
		pfn_to_page(pm, pfn)[1].next++;   /* the compound mapcount */
		break;
	default:
		return true;
	}
	fprintf(stderr, "mmsim: debug.check_corrupt: corrupted after op %llu (%s by %s)",
		(unsigned long long)mc->ops, op_type_name(op->type), tsk->comm);
	if (pfn != PFN_NONE)
		fprintf(stderr, ", pfn %llu", (unsigned long long)pfn);
	fputc('\n', stderr);
	return true;
}

void check_describe_op(char *what, size_t len, const struct op *op)
{
	bool range = op->type == OP_MMAP || op->type == OP_MUNMAP || op->type == OP_MPROTECT ||
		     op->type == OP_MREMAP || op->type == OP_MADVISE || op->type == OP_TOUCH;
	if (range)   /* as replay.c's describe_op for the hugetlb findings */
		snprintf(what, len, "%s addr=0x%llx len=%llu (pid %u tid %u)",
			 op_type_name(op->type), (unsigned long long)op->addr,
			 (unsigned long long)op->len, op->pid, op->tid);
	else
		snprintf(what, len, "%s (pid %u tid %u)", op_type_name(op->type), op->pid, op->tid);
}

void check_fail(struct task *tsk, const struct op *op, const char *kind, const char *msg)
{
	char what[160];
	struct sim *sim = tsk->sim;
	struct mm_check *mc = sim->mmcheck;
	u64 now = task_now(tsk);
	u64 nth = mc ? mc->ops : 0;
	if (mc && mc->stopped)
		return;
	check_describe_op(what, sizeof(what), op);
	finding_report(sim->findings, FINDING_INVARIANT, now, "after %s by %s (op %llu): %s: %s",
		       what, tsk->comm, (unsigned long long)nth, kind, msg);
	if (!mc)
		return;   /* a debug build without --check: the finding only */
	mc->stopped = true;
	fprintf(stderr, "mmsim: --check: invariant broken after op %llu (%s by %s) at simulated "
			"time %.9f s: %s: %s\n", (unsigned long long)nth, what, tsk->comm,
		(double)now / 1e9, kind, msg);
	u64 passed = mc->last_full == nth ? mc->prev_full : mc->last_full;
	if (mc->interval > 1 && passed)
		fprintf(stderr, "mmsim: --check: the last full walk passed after op %llu (--check=1 "
				"walks after every op)\n", (unsigned long long)passed);
	else if (mc->interval > 1)
		fprintf(stderr, "mmsim: --check: no full walk ran before (--check=1 walks after "
				"every op)\n");
	engine_request_stop(ENGINE_STOP_CHECK);
	task_sleep(tsk, 1);   /* a scheduling point: the stop takes effect here */
}

bool check_op(struct task *tsk, struct mm_struct *mm, const struct op *op)
{
	struct sim *sim = tsk->sim;
	struct mm_check *mc = sim->mmcheck;
	char msg[256];
	if (!mc)
		return true;   /* a debug build without --check: the full walks every op */
	if (mc->stopped)
		return false;
	bool full = mm_check_op_done(mc);
	if (mc->opts.corrupt && mc->ops >= mc->opts.corrupt_op && inject(tsk, mm, op))
		mc->opts.corrupt = CORRUPT_NONE;
	if (mm_check_pages(sim, msg, sizeof(msg)) < 0) {
		check_fail(tsk, op, "changed pages", msg);
		return false;
	}
	/* the address space is stable only when no other thread of it is inside an op */
	if (mm && mm->users == 1 && !khugepaged_collapse_in_flight(sim) &&
	    check_mm_range(sim, mm, op->addr, op_has_range(op) ? op->addr + op->len : op->addr,
			   op_changes_vmas(op), msg, sizeof(msg)) < 0) {
		check_fail(tsk, op, "address space", msg);
		return false;
	}
	return full;
}
