/* replay.c - carry out ops. Every op type is either modelled here or counted as not
 * modelled (never silently ignored): the summary lists both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/rwsem.h"
#include "stats/findings.h"
#include "mm/filemap.h"
#include "mm/readahead.h"
#include "config/scenario.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/mempolicy.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/mmu_notifier.h"
#include "mm/compaction.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "task/replay.h"
#include "task/highalloc_log.h"
#include "task/replay_sync.h"
#include "task/mismatch.h"
#include "task/check.h"
#include "task/kill.h"

/* include/linux/fs.h: INT_MAX & PAGE_MASK (4 KiB pages), the most one read or write moves */
#define MAX_RW_COUNT 0x7ffff000ULL

/* ---- OP_ALLOC_PAGES handles ---- */

/* The slot of handle id: its live or failed allocation, or (create) a new slot.
 * Freed handles stay as tombstones until the table grows. */

/* The value a write to /sys/kernel/mm/transparent_hugepage/<file> carries, in the form
 * thp_sysfs_store takes: the enum of the word for enabled/defrag, the number for
 * use_zero_page; -1 for what the file does not accept. */
static s64 thp_sysfs_value(const char *file, const struct op *op)
{
	bool word = op->flags & SYSCTL_F_WORD;
	if (!strcmp(file, "enabled")) {
		if (!word)
			return -1;
		switch (op->id) {
		case SYSCTL_WORD_ALWAYS: return THP_ALWAYS;
		case SYSCTL_WORD_MADVISE: return THP_MADVISE;
		case SYSCTL_WORD_NEVER: return THP_NEVER;
		default: return -1;
		}
	}
	if (!strcmp(file, "defrag")) {
		if (!word)
			return -1;
		switch (op->id) {
		case SYSCTL_WORD_ALWAYS: return THP_DEFRAG_ALWAYS;
		case SYSCTL_WORD_DEFER: return THP_DEFRAG_DEFER;
		case SYSCTL_WORD_DEFER_MADVISE: return THP_DEFRAG_DEFER_MADVISE;
		case SYSCTL_WORD_MADVISE: return THP_DEFRAG_MADVISE;
		case SYSCTL_WORD_NEVER: return THP_DEFRAG_NEVER;
		default: return -1;
		}
	}
	return word || op->id > 1 ? -1 : (s64)op->id;
}

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
	gfp_t gfp = (flags & ALLOC_F_ATOMIC) ? GFP_ATOMIC :
		    (flags & ALLOC_F_NOWAIT) ? GFP_NOWAIT : GFP_KERNEL;
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

/* Order-0 movable blocks are migratable when the owner word can name them. */
static bool handle_movable(const struct replay_thread *rt, u64 order, u32 flags, u64 id)
{
	return !order && (flags & ALLOC_F_MOVABLE) && id < (1ULL << 36) && rt->index < (1u << 26);
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
	if (op->flags & ALLOC_F_MEASURE) {
		flush(tsk);   /* the state the request meets is the state at its time */
		highalloc_before(tsk->sim);
	}
	u64 t0 = task_now(tsk);
	u64 pfn = alloc_pages_node(tsk, op->node, op_alloc_gfp(op->flags), op->arg);
	if (op->flags & ALLOC_F_MEASURE)
		highalloc_record(tsk->sim, t0, task_now(tsk) - t0, op->arg,
				 op->flags & ALLOC_F_ATOMIC, pfn != PFN_NONE);
	h = handle_slot(rt, op->id, true);
	h->order = op->arg;
	if (pfn == PFN_NONE) {
		t->alloc_pages_fail[op->arg]++;
		if (rt->compacted)
			t->alloc_pages_fail_compacted[op->arg]++;
		return -MM_ENOMEM;   /* the handle stays as a NULL block until freed */
	}
	t->alloc_pages_ok[op->arg]++;
	if (rt->compacted)
		t->alloc_pages_ok_compacted[op->arg]++;
	h->pfn = pfn;
	h->state = HANDLE_LIVE;
	if (handle_movable(rt, op->arg, op->flags, op->id)) {
		rmap_set_owner(tsk->sim, pfn, OWNER_EXTERNAL, rt->index, op->id);
		pfn_to_page(tsk->sim->phys, pfn)->flags |= PG_movable;
	}
	return 0;
}

/* Give a block back, dropping the migration owner of a movable one first. */
static void handle_release(struct task *tsk, struct alloc_handle *h)
{
	struct sim *sim = tsk->sim;
	u32 id;
	u64 index;
	if (!h->order && rmap_owner(sim, h->pfn, &id, &index) == OWNER_EXTERNAL) {
		rmap_clear_owner(sim, h->pfn);
		pfn_to_page(sim->phys, h->pfn)->flags &= ~PG_movable;
	}
	__free_pages(tsk, h->pfn, h->order);
}

/* rmap_external_migrate_fn: compaction moved handle `index` of thread `id`. */
static int handle_migrate(void *arg, struct task *tsk, u32 id, u64 index, u64 old_pfn,
			  u64 new_pfn)
{
	struct replay_world *w = arg;
	(void)tsk;
	struct replay_thread *rt = w->ops->thread(w, id);
	struct alloc_handle *h = rt ? handle_slot(rt, index, false) : NULL;
	if (!h || h->state != HANDLE_LIVE || h->pfn != old_pfn)
		return -MM_EAGAIN;
	h->pfn = new_pfn;
	return 0;
}

/* ---- sched_setaffinity ---- */

/* The running thread whose recorded tid is tid (0: the caller). Threads learn their tid
 * from the ops they replay, so a thread that has not issued an op yet is not found. */
static struct task *find_task_by_tid(struct task *tsk, struct replay_thread *rt, u64 tid)
{
	if (!tid || tid == tsk->tid)
		return tsk;
	struct replay_world *w = rt->world;
	for (u32 i = 0;; i++) {
		struct replay_thread *o = w->ops->thread(w, i);
		if (!o)
			return NULL;
		if (o->tsk && o->tsk->tid == tid && o->tsk->state != TASK_DEAD)
			return o->tsk;
	}
}

/* sched_setaffinity(tid, mask): bits 0..63 of the mask are CPUs; bits of CPUs the
 * machine does not have are ignored, and a mask without any CPU of the machine is
 * EINVAL. A task whose CPU stays allowed does not move; otherwise it moves at once to the
 * lowest allowed CPU, with its local node (where its default-policy faults allocate and
 * its NUMA counters are kept local/other) and its SimGrid host. The kernel picks the
 * destination with cpumask_any_and_distribute() (the next allowed CPU after the one it
 * chose last, to spread groups of tasks); the two agree when the mask allows one CPU.
 * The allowed mask itself is not kept: mmsim has no load balancer to honour it. */
static s64 do_sched_setaffinity(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	unsigned nr_cpus = engine_nr_cpus(tsk->eng);
	u64 valid = nr_cpus >= 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	u64 allowed = op->nodemask & valid;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	struct task *p = find_task_by_tid(tsk, rt, op->id);
	if (!p)
		return -MM_ESRCH;
	if (!allowed)
		return -MM_EINVAL;
	if (allowed & (1ULL << p->cpu))
		return 0;
	unsigned cpu = (unsigned)__builtin_ctzll(allowed);
	if (p == tsk)
		charge(tsk, tsk->sim->cost->context_switch_ns);   /* switched out, run elsewhere */
	task_set_cpu(p, cpu);
	return 0;
}

/* oom_badness: the pages a process would give back (rss, swap entries, page tables). */
static u64 oom_badness(const struct mm_struct *mm)
{
	return mm->rss_anon + mm->rss_file + mm->rss_shmem + mm->swap_ents +
	       mm_pgtables_bytes(mm) / PAGE_SIZE;
}

/* __oom_kill_process: mark the victim (its threads stop at their next op or page), count
 * it and report it once, in the kernel's words (UID 0, oom_score_adj 0: neither is
 * modelled). */
static void oom_kill_process(struct task *tsk, struct replay_totals *t, struct process *victim)
{
	struct mm_struct *mm = victim->mm;
	mm->oom_victim = true;
	t->oom_kills++;
	count_vm_event(tsk, OOM_KILL);
	finding_report(tsk->sim->findings, FINDING_OOM_KILL, task_now(tsk),
		       "Out of memory: Killed process %u (%s) total-vm:%llukB, anon-rss:%llukB, "
		       "file-rss:%llukB, shmem-rss:%llukB, UID:0 pgtables:%llukB oom_score_adj:0",
		       victim->pid, victim->comm,
		       (unsigned long long)(mm->total_vm << (PAGE_SHIFT - 10)),
		       (unsigned long long)(mm->rss_anon << (PAGE_SHIFT - 10)),
		       (unsigned long long)(mm->rss_file << (PAGE_SHIFT - 10)),
		       (unsigned long long)(mm->rss_shmem << (PAGE_SHIFT - 10)),
		       (unsigned long long)(mm_pgtables_bytes(mm) >> 10));
}

/* The oom_reaper: unmap the victim's private anonymous memory now, without waiting for
 * its threads to exit (skipped when its mmap_lock is held for writing). */
static void oom_reap(struct task *tsk, struct mm_struct *mm)
{
	if (!down_read_trylock(tsk, &mm->mmap_lock))
		return;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		if (!v->vm_file && !(v->vm_flags & VM_SHARED))
			zap_page_range(tsk, v, v->vm_start, v->vm_end);
	}
	up_read(tsk, &mm->mmap_lock);
}

/* out_of_memory (phys_mem_hooks.oom_kill): kill the process with the most pages. */
static int oom_kill(void *arg, struct task *tsk, gfp_t gfp, unsigned order)
{
	struct replay_world *w = arg;
	(void)gfp;
	(void)order;
	struct process *victim = NULL;
	u64 best = 0;
	for (u32 i = 0;; i++) {
		struct replay_thread *rt = w->ops->thread(w, i);
		if (!rt)
			break;
		struct process *p = rt->proc;
		if (!p->mm || !p->nr_live)
			continue;
		if (p->mm->oom_victim)
			return p->mm == tsk->mm ? -1 : 1;   /* a victim is on its way out */
		u64 b = oom_badness(p->mm);
		if (b > best) {
			best = b;
			victim = p;
		}
	}
	if (!victim)
		return 0;
	struct mm_struct *mm = victim->mm;
	oom_kill_process(tsk, &w->totals, victim);
	if (mm == tsk->mm)
		return -1;
	oom_reap(tsk, mm);
	return 1;
}

void replay_world_attach(struct replay_world *w, struct sim *sim)
{
	rmap_set_external(sim->rmap, handle_migrate, w);
	sim->phys->hooks.oom_arg = w;
	sim->phys->hooks.oom_kill = oom_kill;
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
		handle_release(tsk, h);
	h->state = HANDLE_FREED;
	return 0;
}

/* Blocks still held when the thread ends go back, as a test module's would on unload. */
static void free_all_handles(struct task *tsk, struct replay_thread *rt)
{
	for (u32 i = 0; i < rt->cap_handles; i++) {
		struct alloc_handle *h = &rt->handles[i];
		if (h->state == HANDLE_LIVE)
			handle_release(tsk, h);
		if (h->state != HANDLE_EMPTY)
			h->state = HANDLE_FREED;
	}
}

static void record_ret(struct replay_totals *t, const struct op *op, s64 ret)
{
	if (ret < 0)
		t->failed[op->type]++;
	if (op->ret != OP_RET_NONE && op->ret != ret) {
		t->ret_mismatch++;
		t->last_replayed_ret = ret;
		t->last_mismatch_op = op;
		if (getenv("MMSIM_DEBUG_RET"))
			fprintf(stderr, "%s addr=0x%llx len=%llu: recorded %lld, replayed %lld\n",
				op_type_name(op->type), (unsigned long long)op->addr,
				(unsigned long long)op->len, (long long)op->ret, (long long)ret);
	}
}

/* ---- file descriptors ---- */

void process_fd_install(struct process *p, s32 fd, struct inode *inode)
{
	if (fd < 0)
		return;
	if ((u32)fd >= p->nr_fds) {
		u32 n = max((u32)fd + 1, 2 * p->nr_fds);
		p->fds = xrealloc(p->fds, n * sizeof(*p->fds));
		memset(&p->fds[p->nr_fds], 0, (n - p->nr_fds) * sizeof(*p->fds));
		p->nr_fds = n;
	}
	p->fds[fd] = (struct fd_entry){ .inode = inode, .pos = 0 };
}

void process_fd_install_pipe(struct process *p, s32 fd, struct rpipe *pipe, bool write)
{
	if (fd < 0)
		return;
	process_fd_install(p, fd, NULL);
	p->fds[fd].pipe = pipe;
	p->fds[fd].pipe_write = write;
	rpipe_get(pipe, write);
}

struct fd_entry *process_fd(struct process *p, s32 fd)
{
	if (fd < 0 || (u32)fd >= p->nr_fds || (!p->fds[fd].inode && !p->fds[fd].pipe))
		return NULL;
	return &p->fds[fd];
}

void process_fd_close(struct task *tsk, struct process *p, s32 fd)
{
	struct fd_entry *e = process_fd(p, fd);
	if (!e)
		return;
	if (e->pipe) {
		struct rpipe *pp = e->pipe;
		e->pipe = NULL;
		rpipe_put(tsk, pp, e->pipe_write);
		return;
	}
	iput(tsk, e->inode);
	e->inode = NULL;
}

void process_fds_copy(struct process *dst, const struct process *src)
{
	for (u32 i = 0; i < src->nr_fds; i++)
		if (src->fds[i].inode) {
			process_fd_install(dst, (s32)i, iget(src->fds[i].inode));
			dst->fds[i].pos = src->fds[i].pos;
		} else if (src->fds[i].pipe) {
			process_fd_install_pipe(dst, (s32)i, src->fds[i].pipe, src->fds[i].pipe_write);
		}
}

void process_fds_release(struct task *tsk, struct process *p)
{
	for (u32 i = 0; i < p->nr_fds; i++)
		process_fd_close(tsk, p, (s32)i);
	free(p->fds);
	p->fds = NULL;
	p->nr_fds = 0;
}

/* The fd a call returned: the recorded number when there is one (the trace's later ops
 * use it), else the lowest free one. */
static s32 new_fd(struct process *p, const struct op *op)
{
	if (op->ret != OP_RET_NONE && op->ret >= 0 && op->ret < (1 << 20))
		return (s32)op->ret;
	s32 fd = 3;
	while (process_fd(p, fd))
		fd++;
	return fd;
}

/* ---- SysV shm segments (ipc/shm.c): by the recorded shmid ---- */

static struct shm_seg *shm_find(struct replay_world *w, u64 id)
{
	for (u32 i = 0; i < w->nr_shm_segs; i++)
		if (w->shm_segs[i].id == id)
			return &w->shm_segs[i];
	return NULL;
}

void replay_world_release(struct replay_world *w)
{
	free(w->observed);
	w->observed = NULL;
	w->nr_observed = w->cap_observed = 0;
	for (u32 i = 0; i < w->nr_shm_segs; i++)
		if (w->shm_segs[i].inode)
			iput(NULL, w->shm_segs[i].inode);
	free(w->shm_segs);
	w->shm_segs = NULL;
	w->nr_shm_segs = 0;
	replay_sync_release(w);
	kill_events_release(w);
}

static s64 do_shmget(struct task *tsk, struct replay_world *w, const struct op *op)
{
	struct shm_seg **segs = &w->shm_segs;
	u32 nr_shm_segs = w->nr_shm_segs;
	u64 id = op->ret != OP_RET_NONE && op->ret >= 0 ? (u64)op->ret : nr_shm_segs + 1;
	if (op->ret != OP_RET_NONE && op->ret < 0)
		return op->ret;            /* the recorded failure (the key's state is unknown) */
	if (shm_find(w, id))
		return (s64)id;            /* an existing segment by key */
	if (!op->len)
		return -MM_EINVAL;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	char name[32];
	snprintf(name, sizeof(name), "/SYSV%08llx (deleted)", (unsigned long long)(op->id & 0xffffffffULL));
	struct inode *in;
	if (op->flags & SHM_HUGETLB) {
		/* newseg with SHM_HUGETLB: the pages are reserved now */
		int err = 0;
		in = hugetlb_shm_create(tsk, name, op->len, op->flags & SHM_NORESERVE, &err);
		if (!in)
			return err;
	} else {
		in = shmem_file_create(tsk->sim, name, ALIGN_UP(op->len, PAGE_SIZE));
	}
	*segs = xrealloc(*segs, (nr_shm_segs + 1) * sizeof(**segs));
	(*segs)[w->nr_shm_segs++] = (struct shm_seg){ .id = id, .inode = in };
	return (s64)id;
}

#define SHM_RDONLY 010000

static s64 do_shmat(struct task *tsk, struct replay_world *w, struct mm_struct *mm,
		       const struct op *op)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	struct shm_seg *seg = shm_find(w, op->id);
	if (!seg)
		return -MM_EINVAL;
	u32 prot = PROT_READ | ((op->flags & SHM_RDONLY) ? 0 : PROT_WRITE);
	u32 flags = MAP_SHARED | (op->addr ? MAP_FIXED : 0);
	/* a recorded address is where the kernel put it: honour it */
	u64 addr = op->addr;
	if (!addr && op->ret != OP_RET_NONE && op->ret > 0) {
		addr = (u64)op->ret;
		flags |= MAP_FIXED_NOREPLACE;
	}
	s64 r = do_mmap(tsk, mm, addr, seg->inode->size, prot, flags, seg->inode, 0, VM_SHM);
	if (r == -MM_EEXIST)
		r = do_mmap(tsk, mm, 0, seg->inode->size, prot, MAP_SHARED, seg->inode, 0, VM_SHM);
	return r;
}

/* shmctl: IPC_RMID removes the segment; it is destroyed with its last attachment. */
static s64 do_shmctl(struct task *tsk, struct replay_world *w, const struct op *op)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	struct shm_seg *seg = shm_find(w, op->id);
	if (!seg || !seg->inode)
		return -MM_EINVAL;
	if (op->arg != IPC_RMID)
		return 0;      /* IPC_STAT, IPC_SET, SHM_LOCK ...: no memory effect modelled */
	struct inode *in = seg->inode;
	*seg = w->shm_segs[--w->nr_shm_segs];
	iput(tsk, in);
	return 0;
}

static s64 do_shmdt(struct task *tsk, struct mm_struct *mm, const struct op *op)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	down_read(tsk, &mm->mmap_lock);
	struct vm_area_struct *v = vma_lookup(mm, op->addr);
	bool ok = v && (v->vm_flags & VM_SHM) && v->vm_start == op->addr;
	u64 len = ok ? v->vm_end - v->vm_start : 0;
	up_read(tsk, &mm->mmap_lock);
	if (!ok)
		return -MM_EINVAL;
	return vm_munmap(tsk, mm, op->addr, len);
}

/* ---- mmap of a file or an fd-less request ---- */

/* A file mapping execve made (a recorded mmap event: fd -1, the file's path): the
 * program image or ld.so, mapped where it was without an fd of the process. */
static s64 exec_file_mmap(struct task *tsk, struct mm_struct *mm, const struct op *op)
{
	if (op->off & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	struct inode *in = file_open_path(tsk->sim, op->path);
	if (!in->shmem)
		in->size = max(in->size, op->off + ALIGN_UP(op->len, PAGE_SIZE));
	s64 r = do_mmap(tsk, mm, op->addr, op->len, op->prot, op->flags, in, op->off >> PAGE_SHIFT, 0);
	iput(tsk, in);
	return r;
}

static s64 do_mmap_op(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct mm_struct *mm = rt->proc->mm;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	u32 flags = op->flags;
	u64 addr = op->addr;
	/* the layout of the recording: a successful mapping goes where it went then */
	if (op->ret != OP_RET_NONE && op->ret > 0 && !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		addr = (u64)op->ret;
	}
	if (flags & MAP_ANONYMOUS)
		return do_mmap(tsk, mm, addr, op->len, op->prot, flags, NULL, 0, 0);
	if (op->fd < 0 && op->path)
		return exec_file_mmap(tsk, mm, op);   /* execve's mapping of the image or ld.so */
	struct fd_entry *e = process_fd(rt->proc, op->fd);
	if (!e)
		return -MM_EBADF;
	if (e->pipe)
		return -MM_ENODEV;
	if (op->off & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	struct inode *in = e->inode;
	/* the program mapped this much of the file: it was at least that large */
	if (!in->shmem)
		in->size = max(in->size, min(op->off + op->len, ALIGN_UP(op->off + op->len, PAGE_SIZE)));
	return do_mmap(tsk, mm, addr, op->len, op->prot, flags, in, op->off >> PAGE_SHIFT, 0);
}

static s64 do_file_op(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct process *p = rt->proc;
	struct fd_entry *e;
	switch (op->type) {
	case OP_OPEN:
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		if (op->ret != OP_RET_NONE && op->ret < 0)
			return op->ret;    /* it failed then (no such file ...): it fails now */
		if (!op->path)
			return -MM_EINVAL;
		{
			s32 fd = new_fd(p, op);
			process_fd_close(tsk, p, fd);
			struct inode *in = file_open_path(tsk->sim, op->path);
			slab_inode_attach(tsk, in);   /* d_alloc + alloc_inode of a new file */
			process_fd_install(p, fd, in);
			return fd;
		}
	case OP_MEMFD_CREATE: {
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		char name[256];
		snprintf(name, sizeof(name), "/memfd:%s (deleted)", op->path ? op->path : "");
		if ((op->flags & MFD_HUGETLB) && !hugetlb_size_modelled(op->flags))
			return -MM_EINVAL;   /* a huge page size other than 2 MiB */
		s32 fd = new_fd(p, op);
		process_fd_close(tsk, p, fd);
		process_fd_install(p, fd, (op->flags & MFD_HUGETLB) ? hugetlb_file_create(tsk->sim, name, 0)
								  : shmem_file_create(tsk->sim, name, 0));
		return fd;
	}
	case OP_DUP: {
		/* the new fd takes the old one's file (its position copied: the shared
		 * file description is not modelled); stdio from before the trace stays stdio */
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		s32 nfd = (s32)op->id;
		struct fd_entry *oe = process_fd(p, op->fd);
		if (!oe && !(op->fd >= 0 && op->fd <= 2))
			return -MM_EBADF;
		if (nfd < 0 || nfd >= (1 << 20))
			return -MM_EINVAL;
		if (nfd == op->fd)
			return nfd;
		struct inode *in = oe && oe->inode ? iget(oe->inode) : NULL;
		u64 pos = oe ? oe->pos : 0;
		struct rpipe *pipe = oe ? oe->pipe : NULL;   /* the old fd keeps its reference */
		bool pipe_write = oe && oe->pipe_write;
		process_fd_close(tsk, p, nfd);
		if (in) {
			process_fd_install(p, nfd, in);
			p->fds[nfd].pos = pos;
		} else if (pipe) {
			process_fd_install_pipe(p, nfd, pipe, pipe_write);
		}
		return nfd;
	}
	case OP_CLOSE:
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		if (!process_fd(p, op->fd) && op->fd >= 0 && op->fd <= 2)
			return op->ret != OP_RET_NONE ? op->ret : 0;   /* stdio, open before the trace */
		if (!process_fd(p, op->fd))
			return -MM_EBADF;
		process_fd_close(tsk, p, op->fd);
		return 0;
	default:
		break;
	}
	e = process_fd(p, op->fd);
	if (!e && op->fd >= 0 && op->fd <= 2 &&
	    (op->type == OP_READ || op->type == OP_WRITE || op->type == OP_FSYNC ||
	     op->type == OP_SYNC_FILE_RANGE || op->type == OP_FSTAT || op->type == OP_LSEEK ||
	     op->type == OP_FADVISE)) {
		/* stdin/stdout/stderr, open before the trace began: a terminal or a pipe,
		 * no page cache; the recorded result stands */
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		if (op->ret != OP_RET_NONE)
			return op->ret;
		return op->type == OP_READ || op->type == OP_WRITE ? (s64)min(op->len, MAX_RW_COUNT) : 0;
	}
	if (!e)
		return -MM_EBADF;
	if (e->pipe)
		return replay_pipe_rw(tsk, rt, e, op);
	struct inode *in = e->inode;
	bool at_pos = op->off == ~0ULL;
	u64 off = at_pos ? e->pos : op->off;
	u64 count = op->len;
	if (op->type == OP_READ || op->type == OP_WRITE)
		count = min(count, MAX_RW_COUNT);   /* rw_verify_area(): one call moves at most this */
	if ((op->type == OP_READ || op->type == OP_WRITE) && op->addr && count) {
		/* the buffer (known when the trace has its address): copy_to_user or
		 * copy_from_user stops at the first page it cannot access */
		count = user_access_len(tsk, p->mm, op->addr, count, op->type == OP_READ);
		if (!count)
			return -MM_EFAULT;
	}
	s64 r;
	switch (op->type) {
	case OP_READ: {
		u64 len = count;
		if (op->ret != OP_RET_NONE && op->ret >= 0) {
			/* the file held that much there: learn its size from the result */
			len = min(len, (u64)op->ret);
			if (!in->shmem && op->ret > 0)
				file_note_size(in, off + (u64)op->ret);
		}
		r = file_read(tsk, in, off, len);
		break;
	}
	case OP_WRITE:
		r = file_write(tsk, in, off, count);
		break;
	case OP_FTRUNCATE:
		/* do_sys_ftruncate(): a length negative as loff_t (past MAX_LFS_FILESIZE,
		 * e.g. 2^64-1) is EINVAL */
		if ((s64)op->len < 0)
			return -MM_EINVAL;
		return file_truncate(tsk, in, op->len);
	case OP_FALLOCATE:
		return file_fallocate(tsk, in, op->arg, op->off, op->len);
	case OP_FADVISE:
		return vfs_fadvise(tsk, in, op->off, op->len, (int)op->arg);
	case OP_FSTAT:
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		file_note_size(in, op->len);
		return 0;
	case OP_LSEEK:
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		if (op->ret != OP_RET_NONE && op->ret >= 0)
			e->pos = (u64)op->ret;   /* the position the recording reached */
		else if (op->arg == 0)
			e->pos = op->off;        /* SEEK_SET */
		else if (op->arg == 1)
			e->pos += op->off;       /* SEEK_CUR */
		else if (op->arg == 2)
			e->pos = in->size + op->off;   /* SEEK_END */
		else
			return -MM_EINVAL;
		return (s64)e->pos;
	case OP_FSYNC:
		return vfs_fsync_range(tsk, in, 0, INT64_MAX, op->flags & FSYNC_F_DATASYNC);
	case OP_SYNC_FILE_RANGE:
		return ksys_sync_file_range(tsk, in, (s64)op->off, (s64)op->len, op->flags);
	case OP_SYNC:
		ksys_sync(tsk);     /* syncfs(fd): the one device holds every file */
		return 0;
	default:
		return -MM_EINVAL;
	}
	if (r > 0 && at_pos)
		e->pos += (u64)r;
	return r;
}

/* ---- fork, clone ---- */

/* The thread start_thread just created: it inherits the task policy (a copy) and the
 * interleave cursor when it starts (copy_process: mpol_dup). */
static void inherit_mempolicy(struct task *tsk, struct replay_world *w)
{
	struct replay_thread *last = NULL;
	for (u32 i = 0;; i++) {
		struct replay_thread *rt = w->ops->thread(w, i);
		if (!rt)
			break;
		last = rt;
	}
	if (!last || last->started)
		return;
	last->init_mempolicy = mpol_dup(tsk, tsk->mempolicy);
	last->init_il_prev = tsk->il_prev;
}

/* The vfork parent resumes: the child execs or exits (kernel/fork.c's vfork_done). */
static void vfork_release(struct task *tsk, struct process *p)
{
	struct task *parent = p->vfork_parent;
	if (!parent || p->vfork_done)
		return;
	p->vfork_done = true;
	p->vfork_parent = NULL;
	task_unpark(tsk, parent);
}

/* execve: a new, empty mm for the process (same pid, same fds); the old one is dropped
 * (or given back to the vfork parent that lent it). The program's first brk(NULL) sets
 * the new break. Not modelled: the mappings the kernel makes (program image, ld.so,
 * stack, vdso; the trace does not see them), and exec by a process with other live
 * threads (de_thread). */
static s64 do_execve(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct process *p = rt->proc;
	if (op->ret != OP_RET_NONE && op->ret < 0)
		return op->ret;   /* failed in the recording (PATH search): nothing changes */
	if (p->nr_live > 1) {
		rt->totals->not_modelled[OP_EXECVE]++;
		return OP_RET_NONE;
	}
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	struct mm_struct *old = p->mm;
	p->mm = mm_alloc(tsk->sim, p->pid, (int)tsk->node);
	tsk->mm = p->mm;
	if (old)
		mmput(tsk, old);
	vfork_release(tsk, p);
	return 0;
}

static s64 do_fork(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_world *w = rt->world;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	struct op_source *child_src = rt->src->ops->child ? rt->src->ops->child(rt->src, op) : NULL;
	u32 trace_id = (u32)op->id;
	if (op->type == OP_CLONE) {
		if (child_src) {
			mmget(rt->proc->mm);
			rt->proc->nr_threads++;
			rt->proc->nr_live++;
			w->ops->start_thread(w, tsk, rt->proc, child_src, trace_id);
			inherit_mempolicy(tsk, w);
		}
		return op->id ? (s64)op->id : 0;
	}
	struct process *parent = rt->proc;
	struct process *child = w->ops->new_process(w, parent, trace_id ? trace_id : 0);
	if (op->flags & FORK_F_VM) {
		/* vfork, clone(CLONE_VM) without CLONE_THREAD: the child borrows the mm */
		mmget(parent->mm);
		child->mm = parent->mm;
	} else {
		child->mm = mm_alloc(tsk->sim, child->pid, (int)tsk->node);
	}
	if (!(op->flags & FORK_F_VM) && dup_mmap(tsk, parent->mm, child->mm) < 0) {
		mmput(tsk, child->mm);
		child->mm = NULL;
		op_source_close(child_src);
		return -MM_ENOMEM;
	}
	process_fds_copy(child, parent);
	replay_sync_process_start(w, child->trace_pid);
	if (child_src) {
		child->nr_threads++;
		child->nr_live++;
		if (op->flags & FORK_F_VFORK)
			child->vfork_parent = tsk;
		w->ops->start_thread(w, tsk, child, child_src, trace_id);
		inherit_mempolicy(tsk, w);
		/* vfork: the parent sleeps until the child execs or exits */
		u64 t0 = task_now(tsk);
		while ((op->flags & FORK_F_VFORK) && !child->vfork_done)
			if (!task_park(tsk, TASK_IDLE))
				break;
		rt->think_credit = task_now(tsk) - t0;
	} else {
		/* the child left no records: it exited at once */
		mmput(tsk, child->mm);
		child->mm = NULL;
		process_fds_release(tsk, child);
	}
	return op->id ? (s64)op->id : child->trace_pid;
}

/* ---- memory policy calls ---- */

/* The mm of the process a recorded pid names (0: the caller's), or NULL. */
static struct mm_struct *pid_mm(struct replay_thread *rt, u64 pid)
{
	if (!pid || pid == rt->proc->trace_pid)
		return rt->proc->mm;
	for (u32 i = 0;; i++) {
		struct replay_thread *o = rt->world->ops->thread(rt->world, i);
		if (!o)
			return NULL;
		if (o->proc->trace_pid == pid && o->proc->mm)
			return o->proc->mm;
	}
}

/* get_mempolicy: the result, and with a recorded success also the recorded mode (op.arg)
 * and nodemask. */
static void record_get_mempolicy(struct replay_totals *t, const struct op *op, s64 ret, int mode,
				 u64 mask)
{
	record_ret(t, op, ret);
	if (op->ret == 0 && ret == 0 && ((u32)mode != op->arg || mask != op->nodemask)) {
		t->ret_mismatch++;
		if (getenv("MMSIM_DEBUG_RET"))
			fprintf(stderr, "get_mempolicy addr=0x%llx flags=%u: recorded mode %u mask 0x%llx, "
				"replayed mode %d mask 0x%llx\n", (unsigned long long)op->addr, op->flags,
				op->arg, (unsigned long long)op->nodemask, mode, (unsigned long long)mask);
	}
}

/* Whether another live process of a thread before index i has p's mm (vfork, CLONE_VM). */
static bool mm_counted_before(struct replay_world *w, u32 i, const struct process *p)
{
	for (u32 j = 0; j < i; j++) {
		const struct process *q = w->ops->thread(w, j)->proc;
		if (q != p && q->mm == p->mm && q->nr_live)
			return true;
	}
	return false;
}

/* OP_OBSERVE: the recorded sample beside the simulated process tree's Rss, Anonymous,
 * Swap (all processes of the replay alive now, each once) and their faults so far. */
static void do_observe(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_world *w = rt->world;
	u64 rss = 0, anon = 0, swap = 0, faults = 0;
	u64 gen = ++w->check_gen;
	for (u32 i = 0;; i++) {
		struct replay_thread *o = w->ops->thread(w, i);
		if (!o)
			break;
		struct process *p = o->proc;
		/* minflt+majflt of the live processes, as the recorder sums /proc/PID/stat
		 * (a process's count holds its ended threads' too) */
		if (p->nr_live)
			faults += o->faults;
		if (p->check_gen == gen || !p->mm || !p->nr_live)
			continue;
		p->check_gen = gen;
		if (mm_counted_before(w, i, p))
			continue;     /* an mm shared by processes (vfork, CLONE_VM) counts once */
		rss += p->mm->rss_anon + p->mm->rss_file + p->mm->rss_shmem;
		anon += p->mm->rss_anon;
		swap += p->mm->swap_ents;
	}
	if (w->nr_observed == w->cap_observed) {
		w->cap_observed = w->cap_observed ? 2 * w->cap_observed : 64;
		w->observed = xrealloc(w->observed, w->cap_observed * sizeof(*w->observed));
	}
	u64 kb = PAGE_SIZE / 1024;
	w->observed[w->nr_observed++] = (struct observe_row){
		.rec_ns = op->time_ns, .sim_ns = task_now(tsk),
		.obs_rss_kb = op->id, .obs_anon_kb = op->len, .obs_swap_kb = op->len2,
		.obs_faults = op->addr, .obs_pgfault = op->addr2,
		.sim_rss_kb = rss * kb, .sim_anon_kb = anon * kb, .sim_swap_kb = swap * kb,
		.sim_faults = faults,
	};
}

/* Before an op: its recorded time comes (open loop), or its think time passes (closed).
 * False when the thread was killed meanwhile (kill_at, task/kill.h). */
static inline bool op_wait(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_totals *t = rt->totals;
	if (rt->open_mode) {
		/* open loop: the op is due at its recorded time */
		flush_if_ahead(tsk);
		u64 due = rt->t0_ns + op->time_ns, now = task_now(tsk);
		if (due > now) {
			task_sleep(tsk, task_kill_cut(tsk, rt, due - now));
		} else if (now > due) {
			t->late_ops++;
			t->lateness_total_ns += now - due;
			t->lateness_max_ns = max(t->lateness_max_ns, now - due);
		}
	} else if (op->think_ns > rt->think_credit) {
		task_sleep(tsk, task_kill_cut(tsk, rt, op->think_ns - rt->think_credit));
		rt->think_credit = 0;
	} else {
		rt->think_credit = 0;
	}
	if (unlikely(tsk->fatal_at_ns) && task_kill_due(tsk, rt, true))
		return false;   /* killed while waiting for its time (task/kill.h) */
	return true;
}

/* do_touch's ending when touch_range failed: a SIGSEGV/SIGBUS (counted; false when it
 * killed the process), a kill or the OOM killer (false). Out of line: the touch of a
 * present page, replay's commonest op, never comes here. */
static __attribute__((noinline, cold)) bool touch_failed(struct task *tsk,
							 struct replay_thread *rt, s64 ret)
{
	struct replay_totals *t = rt->totals;
	struct mm_struct *mm = rt->proc->mm;
	if (ret == -MM_EFAULT || ret == -MM_EBUSY) {
		t->segv++;
		rt->segv++;
		if (mm->fatal_signal)
			return false;   /* killed by the fault's signal (reported there) */
		return true;
	} else if (task_kill_due(tsk, rt, true)) {
		return false;   /* kill_at: stopped between two pages (task/kill.h) */
	} else if (mm->oom_victim) {
		return false;   /* killed by the OOM killer (reported there) */
	}
	/* The allocator failed the fault without an OOM kill (no victim left, or the victim
	 * never exits). 6.1 would retry the fault for ever (pagefault_out_of_memory); here
	 * the process goes, reported once as a kill, and its other threads stop without a
	 * word. */
	oom_kill_process(tsk, t, rt->proc);
	return false;
}

/* OP_TOUCH, most records of a trace: replay_op carries it out (after op_wait) without
 * going through do_op's switch. False when the thread stops. */
static inline __attribute__((always_inline)) bool do_touch(struct task *tsk,
							   struct replay_thread *rt,
							   const struct op *op)
{
	struct replay_totals *t = rt->totals;
	s64 ret = touch_range(tsk, rt->proc->mm, op->addr, op->len, op->flags & TOUCH_WRITE);
	if (unlikely(op->flags & TOUCH_POPULATE))
		populate_drain(tsk);   /* MADV_POPULATE_*'s end */
	u64 pages = (ALIGN_UP(op->addr + op->len, PAGE_SIZE) -
		     ALIGN_DOWN(op->addr, PAGE_SIZE)) >> PAGE_SHIFT;
	t->touched_pages += pages;
	rt->touches += pages;
	if (likely(ret == 0)) {
		/* present pages only */
	} else if (ret > 0) {
		t->faults += (u64)ret;
		rt->faults += (u64)ret;
	} else if (!touch_failed(tsk, rt, ret)) {
		return false;
	}
	t->ops[OP_TOUCH]++;
	return true;
}

/* Returns false when the thread must end (exit op, or killed). */
static bool do_op(struct task *tsk, struct replay_thread *rt, const struct op *op)
{
	struct replay_totals *t = rt->totals;
	struct mm_struct *mm = rt->proc->mm;
	s64 ret;

	if (!op_wait(tsk, rt, op))
		return false;
	switch (op->type) {
	case OP_MMAP:
		ret = do_mmap_op(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_MUNMAP:
		ret = vm_munmap(tsk, mm, op->addr, op->len);
		record_ret(t, op, ret);
		break;
	case OP_MPROTECT:
		ret = vm_mprotect(tsk, mm, op->addr, op->len, op->prot);
		record_ret(t, op, ret);
		break;
	case OP_MREMAP: {
		u64 new_addr = op->addr2;
		u32 flags = op->flags;
		/* a move goes where the recording's went */
		if ((flags & MREMAP_MAYMOVE) && !(flags & MREMAP_FIXED) && op->ret != OP_RET_NONE &&
		    op->ret > 0 && (u64)op->ret != op->addr) {
			new_addr = (u64)op->ret;
			flags |= MREMAP_FIXED;
		}
		ret = vm_mremap(tsk, mm, op->addr, op->len, op->len2, flags, new_addr);
		record_ret(t, op, ret);
		break;
	}
	case OP_BRK:
		if (op->ret != OP_RET_NONE && op->ret > 0)
			mm_set_brk_base(mm, op->addr && op->addr < (u64)op->ret ? op->addr : (u64)op->ret);
		ret = vm_brk(tsk, mm, op->addr);
		record_ret(t, op, ret);
		break;
	case OP_MLOCK:
	case OP_MUNLOCK:
		ret = vm_mlock(tsk, mm, op->addr, op->len,
			       op->type == OP_MUNLOCK ? 0 :
			       VM_LOCKED | ((op->flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
		record_ret(t, op, ret);
		break;
	case OP_MLOCKALL:
	case OP_MUNLOCKALL:
		ret = vm_mlockall(tsk, mm, op->type == OP_MUNLOCKALL ? 0 : op->flags);
		record_ret(t, op, ret);
		break;
	case OP_MADVISE:
		if (op->arg == MADV_POPULATE_READ || op->arg == MADV_POPULATE_WRITE) {
			ret = vm_madvise_populate(tsk, mm, op->addr, op->len,
						  op->arg == MADV_POPULATE_WRITE);
			if (ret > 0) {
				t->faults += (u64)ret;
				ret = 0;
			}
		} else {
			bool modelled;
			ret = vm_madvise(tsk, mm, op->addr, op->len, op->arg, &modelled);
			if (!modelled) {
				t->madvise_not_modelled++;
				t->not_modelled[op->type]++;
				return true;
			}
		}
		record_ret(t, op, ret);
		break;
	case OP_OPEN:
	case OP_DUP:
	case OP_CLOSE:
	case OP_READ:
	case OP_WRITE:
	case OP_FTRUNCATE:
	case OP_FALLOCATE:
	case OP_MEMFD_CREATE:
	case OP_FADVISE:
	case OP_FSTAT:
	case OP_LSEEK:
	case OP_FSYNC:
	case OP_SYNC_FILE_RANGE:
		ret = do_file_op(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_SYNC:
		if (op->fd < 0) {
			ksys_sync(tsk);
			ret = 0;
		} else {
			ret = do_file_op(tsk, rt, op);
		}
		record_ret(t, op, ret);
		break;
	case OP_MSYNC:
		ret = ksys_msync(tsk, mm, op->addr, op->len, op->flags);
		record_ret(t, op, ret);
		break;
	case OP_UNLINK:
		ret = op->path ? file_unlink_path(tsk, op->path) : -MM_ENOENT;
		record_ret(t, op, ret);
		break;
	case OP_PIPE:
		ret = replay_pipe(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_WAIT4:
		ret = replay_wait4(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_KILL:
		ret = replay_kill(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_SIGNAL:
		replay_signal(tsk, rt, op);
		break;
	case OP_SHMGET:
		ret = do_shmget(tsk, rt->world, op);
		record_ret(t, op, ret);
		break;
	case OP_SHMAT:
		ret = do_shmat(tsk, rt->world, mm, op);
		record_ret(t, op, ret);
		break;
	case OP_SHMDT:
		ret = do_shmdt(tsk, mm, op);
		record_ret(t, op, ret);
		break;
	case OP_SHMCTL:
		ret = do_shmctl(tsk, rt->world, op);
		record_ret(t, op, ret);
		break;
	case OP_SYSCTL: {
		bool known = false;
		static const char thp_dir[] = "/sys/kernel/mm/transparent_hugepage/";
		if (op->path && !strncmp(op->path, thp_dir, sizeof(thp_dir) - 1)) {
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			ret = thp_sysfs_store(tsk, op->path + sizeof(thp_dir) - 1,
					      thp_sysfs_value(op->path + sizeof(thp_dir) - 1, op), &known);
			if (!known)   /* khugepaged/<file> */
				ret = khugepaged_sysfs_store(tsk, op->path + sizeof(thp_dir) - 1,
							     (s64)op->id, &known);
		} else if (op->path && !strcmp(op->path, "/proc/sys/vm/drop_caches") &&
			   (op->id == 1 || op->id == 3)) {
			/* drop_pagecache (3: and drop_slab, as 2 below) */
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			drop_pagecache(tsk);
			if (op->id == 3) {
				drop_slab(tsk);
				for (unsigned n = 0; n < tsk->sim->phys->nr_nodes; n++)
					shrink_deferred_split(tsk, n, 0);
			}
			known = true;
			ret = 0;
		} else if (op->path && !strcmp(op->path, "/proc/sys/vm/stat_refresh")) {
			/* folds the per-CPU counter deltas: mmsim's counters have none */
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			known = true;
			ret = 0;
		} else if (op->path && !strcmp(op->path, "/proc/sys/vm/drop_caches") && op->id == 2) {
			/* drop_slab: every shrinker at priority 0, the slab caches' and the THP
			 * deferred split queue's (dropping the page cache, 1 and 3, is not
			 * modelled) */
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			drop_slab(tsk);
			count_vm_event(tsk, DROP_SLAB);
			for (unsigned n = 0; n < tsk->sim->phys->nr_nodes; n++)
				shrink_deferred_split(tsk, n, 0);
			known = true;
			ret = 0;
		} else if (op->flags & SYSCTL_F_WORD) {
			ret = -MM_EINVAL;
			known = false;   /* a word to a file taking a number: not modelled */
		} else {
			ret = op->path ? hugetlb_sysctl(tsk, op->path, op->id, &known) : -MM_EINVAL;
			if (!known && op->path)
				ret = mempolicy_sysctl(tsk, op->path, op->id, &known);
			if (!known && op->path)
				ret = writeback_sysctl(tsk, op->path, op->id, &known);
			if (!known && op->path)
				ret = readahead_sysctl(tsk, op->path, op->id, &known);
		}
		unsigned node;
		char tail[16];
		if (!known && op->path && (!strcmp(op->path, "/proc/sys/vm/compact_memory") ||
					    (sscanf(op->path, "/sys/devices/system/node/node%u/%15s", &node,
						    tail) == 2 && !strcmp(tail, "compact") &&
					     node < tsk->sim->phys->nr_nodes))) {
			/* a write to compact_memory, or to a node's compact file */
			known = true;
			compact_nodes(tsk, strstr(op->path, "/node/") ? (int)node : -1);
			rt->compacted = true;
			ret = 0;
		}
		if (!known) {
			t->not_modelled[op->type]++;   /* a knob without a model behind it */
			return true;
		}
		if (!ret && op->ret != OP_RET_NONE && op->ret > 0)
			ret = op->ret;   /* write() returns the bytes written */
		record_ret(t, op, ret);
		break;
	}
	case OP_PRCTL:
		if (op->arg == PR_SET_THP_DISABLE) {
			/* MMF_DISABLE_THP, set under mmap_lock for write; THPs already mapped stay */
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			down_write(tsk, &mm->mmap_lock);
			mm->thp_disabled = op->id != 0;
			up_write(tsk, &mm->mmap_lock);
			ret = 0;
		} else if (op->arg == PR_GET_THP_DISABLE) {
			charge(tsk, tsk->sim->cost->syscall_entry_ns);
			ret = mm->thp_disabled;
		} else {
			t->not_modelled[op->type]++;
			return true;
		}
		record_ret(t, op, ret);
		break;
	case OP_FORK:
	case OP_CLONE:
		ret = do_fork(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_SET_MEMPOLICY:
		ret = do_set_mempolicy(tsk, op->arg, op->nodemask);
		record_ret(t, op, ret);
		break;
	case OP_MBIND:
		ret = do_mbind(tsk, mm, op->addr, op->len, op->arg, op->nodemask, op->flags);
		record_ret(t, op, ret);
		break;
	case OP_GET_MEMPOLICY: {
		int mode;
		u64 mask;
		ret = do_get_mempolicy(tsk, mm, &mode, &mask, op->addr, op->flags);
		record_get_mempolicy(t, op, ret, mode, mask);
		break;
	}
	case OP_SET_MEMPOLICY_HOME_NODE:
		ret = set_mempolicy_home_node(tsk, mm, op->addr, op->len, op->node, op->flags);
		record_ret(t, op, ret);
		break;
	case OP_MIGRATE_PAGES: {
		struct mm_struct *target = pid_mm(rt, op->id);
		ret = target ? kernel_migrate_pages(tsk, target, op->nodemask, op->len2) : -MM_ESRCH;
		record_ret(t, op, ret);
		break;
	}
	case OP_MOVE_PAGES: {
		struct mm_struct *target = pid_mm(rt, op->id);
		ret = target ? kernel_move_page(tsk, target, op->addr, op->node, op->flags) : -MM_ESRCH;
		record_ret(t, op, ret);
		break;
	}
	case OP_SNAPSHOT:
		rt->world->ops->snapshot(rt->world, tsk, rt->proc, op->arg, op->node);
		t->snapshots++;
		break;
	case OP_TOUCH:
		return do_touch(tsk, rt, op);   /* counted there */
	case OP_ALLOC_PAGES:
		ret = do_alloc_pages(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_FREE_PAGES:
		ret = do_free_pages(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_COMPACT_MEMORY:
		/* echo 1 > /proc/sys/vm/compact_memory (node -1), or a node's sysfs compact */
		if (op->node >= (s32)tsk->sim->phys->nr_nodes) {
			record_ret(t, op, -MM_EINVAL);
			break;
		}
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		compact_nodes(tsk, op->node);
		rt->compacted = true;
		record_ret(t, op, 0);
		break;
	case OP_MM_TAKE_ALL_LOCKS:
		/* mmu_notifier_register (a driver such as KVM attaching to this mm) */
		ret = mmu_notifier_register(tsk, mm, op->ns);
		record_ret(t, op, ret);
		break;
	case OP_SCHED_SETAFFINITY:
		ret = do_sched_setaffinity(tsk, rt, op);
		record_ret(t, op, ret);
		break;
	case OP_COMPUTE:
		charge(tsk, task_kill_cut(tsk, rt, op->ns));
		if (task_kill_due(tsk, rt, true))
			return false;   /* interrupted by kill_at */
		break;
	case OP_SLEEP:
		task_sleep(tsk, task_kill_cut(tsk, rt, op->ns));
		if (task_kill_due(tsk, rt, true))
			return false;   /* woken by kill_at's signal */
		break;
	case OP_EXIT:
		t->ops[op->type]++;
		return false;
	case OP_OBSERVE:
		do_observe(tsk, rt, op);
		break;
	case OP_EXECVE:
		ret = do_execve(tsk, rt, op);
		if (ret == OP_RET_NONE)
			return true;
		record_ret(t, op, ret);
		break;
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

/* The processes' anonymous RSS summed equals the anonymous pages' mapcounts summed (a
 * page shared by n processes counts n times on both sides). A walk over every page:
 * at --check's intervals, or after every op of a debug build on machines of up to 1 GiB.
 * Returns 0 or -1 with msg. */
#define RSS_CHECK_MAX_PAGES (1ULL << 18)
static int check_rss_total(struct task *tsk, char *msg, size_t msglen)
{
	struct sim *sim = tsk->sim;
	struct replay_world *w = tsk->priv ? ((struct replay_thread *)tsk->priv)->world : NULL;
	if (!w || (!sim->mmcheck && sim->phys->nr_pages > RSS_CHECK_MAX_PAGES))
		return 0;   /* every op of a debug build: small machines only */
	u64 rss = 0, mapped = 0;
	u64 gen = ++w->check_gen;
	for (u32 i = 0;; i++) {
		struct replay_thread *rt = w->ops->thread(w, i);
		if (!rt)
			break;
		struct process *p = rt->proc;
		if (p->check_gen == gen || !p->mm || !p->nr_live)
			continue;
		p->check_gen = gen;   /* each process once, whatever its threads */
		if (mm_counted_before(w, i, p))
			continue;     /* an mm shared by processes (vfork, CLONE_VM) counts once */
		rss += p->mm->rss_anon;
	}
	for (u64 pfn = 0; pfn < sim->phys->nr_pages; pfn++) {
		const struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		/* a THP's huge PMDs count 512 each; its subpages' PTEs one each */
		if ((pg->flags & PG_transhuge) && (pg->flags & PG_anon))
			mapped += (u64)compound_mapcount(pg) * HPAGE_PMD_NR;
		if ((pg->flags & PG_anon) && (pg->refcount || page_is_thp(pg)))
			mapped += pg->mapcount;
	}
	if (rss != mapped) {
		snprintf(msg, msglen, "anonymous RSS of all processes %llu, anonymous mappings %llu",
			 (unsigned long long)rss, (unsigned long long)mapped);
		return -1;
	}
	return 0;
}

/* --check and debug builds, after every op: what the op changed (task/check.c), and the
 * full invariant walks when due (every op in a debug build without --check); the first
 * violation is a finding naming the op and stops the run. */
static void check_after_op(struct task *tsk, struct mm_struct *mm, const struct op *op)
{
	char msg[256];
	if (!check_op(tsk, mm, op))
		return;
	if (check_rss_total(tsk, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: RSS", msg);
	/* a collapse in flight (another task: khugepaged or a MADV_COLLAPSE) has pages out
	 * of their mappings: the THP and address-space walkers wait for it to finish */
	bool collapsing = khugepaged_collapse_in_flight(tsk->sim);
	bool small = tsk->sim->phys->nr_pages <= RSS_CHECK_MAX_PAGES;
	if (tsk->sim->thp && (tsk->sim->mmcheck || small) && !collapsing &&
	    check_thps(tsk->sim, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: THP", msg);
	if (check_phys_mem(tsk->sim->phys, false, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: buddy allocator", msg);
	if (check_lru(tsk->sim, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: LRU lists", msg);
	if (check_slab(tsk->sim, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: slab", msg);
	if (check_swap(tsk->sim, false, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: swap", msg);
	/* the address space is stable only when no other thread of it is inside an op */
	if (mm && mm->users == 1 && !collapsing && check_mm(tsk->sim, mm, msg, sizeof(msg)) < 0)
		check_fail(tsk, op, "full walk: address space", msg);
}

/* What check_hugetlb's findings say of the op (built only when one is reported). */
static void describe_op(char *what, size_t len, const void *arg)
{
	const struct op *op = arg;
	switch (op->type) {
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MREMAP:
	case OP_MADVISE:
	case OP_TOUCH:
		snprintf(what, len, "%s addr=0x%llx len=%llu (pid %u tid %u)",
			 op_type_name(op->type), (unsigned long long)op->addr,
			 (unsigned long long)op->len, op->pid, op->tid);
		break;
	default:
		snprintf(what, len, "%s (pid %u tid %u)", op_type_name(op->type), op->pid, op->tid);
		break;
	}
}

/* The hugetlb pool counters after every op (cheap; the recount of the reservation maps
 * with --check only). */
static void check_hugetlb(struct task *tsk, const struct op *op)
{
	hugetlb_check_after_op(tsk, describe_op, op, tsk->sim->check);
}

/* The longest wait one op may ask for (sleep, compute, think time): an hour. A recorded
 * time near 2^64 ns never ended and sampled idle time without bound. */
#define REPLAY_MAX_WAIT_NS (3600ULL * NSEC_PER_SEC)

static bool replay_wait_too_long(struct replay_thread *rt, const struct op *op)
{
	const char *what = NULL;
	u64 ns = 0;
	if ((op->type == OP_SLEEP || op->type == OP_COMPUTE) && op->ns > REPLAY_MAX_WAIT_NS) {
		what = op_type_name(op->type);
		ns = op->ns;
	} else if (op->think_ns > REPLAY_MAX_WAIT_NS) {
		what = "think time";
		ns = op->think_ns;
	}
	if (!what)
		return false;
	char line[32] = "";
	if (op->src_line)
		snprintf(line, sizeof(line), " (line %llu)", (unsigned long long)op->src_line);
	rt->error = xasprintf("%s: %u/%u %s%s: %s of %llu ns (%.0f s) is longer than the hour one "
			      "op may wait in a replay", rt->src->name, op->pid, op->tid,
			      op_type_name(op->type), line, what, (unsigned long long)ns,
			      (double)ns / 1e9);
	return true;
}

/* One op as replay_main carries it out: the stop checks before it, the op, the checks
 * after it. touch: the op is known to be an OP_TOUCH (replay_touch_run's loop). False
 * when the thread must end. */
static inline __attribute__((always_inline)) bool replay_op(struct task *tsk,
							    struct replay_thread *rt,
							    struct op *op, bool touch)
{
	if (rt->proc->mm && (rt->proc->mm->oom_victim || rt->proc->mm->fatal_signal))
		return false;   /* the process was killed: its threads stop */
	if (unlikely(rt->proc->kill_at_ns) && task_kill_due(tsk, rt, false))
		return false;   /* workloads[].kill_at (task/kill.h) */
	/* a touch can only wait too long by its think time */
	if ((!touch || unlikely(op->think_ns > REPLAY_MAX_WAIT_NS)) && replay_wait_too_long(rt, op)) {
		rt->totals->source_errors++;
		return false;
	}
	tsk->nr_ops++;
	if (!touch) {
		/* (a run's touches have the ids of the touch before them, set here) */
		tsk->pid = op->pid;   /* the recorded ids: sched_setaffinity finds threads by tid */
		tsk->tid = op->tid;
		if (!rt->trace_tid) {
			rt->trace_pid = op->pid;
			rt->trace_tid = op->tid;
		}
	}
	u64 mismatches = rt->totals->ret_mismatch;
	bool go_on;
	if (touch || op->type == OP_TOUCH) {
		go_on = op_wait(tsk, rt, op) && do_touch(tsk, rt, op);
	} else {
		go_on = do_op(tsk, rt, op);
	}
	struct replay_totals *tt = rt->totals;
	/* this op's own mismatch: record_ret() set it with no simcall since, so no
	 * other thread's can have come in between (a touch records no result) */
	bool mine = !touch && tt->ret_mismatch > mismatches && tt->last_mismatch_op == op;
	if (mine)
		tt->last_mismatch_op = NULL;
	if (mine && tt->nr_first_mismatch < ARRAY_SIZE(tt->first_mismatch))
		tt->first_mismatch[tt->nr_first_mismatch++] = (struct ret_mismatch_row){
			.sim_ns = task_now(tsk), .rec_ns = op->time_ns, .pid = op->pid,
			.tid = op->tid, .type = op->type, .fd = op->fd,
			.addr = op->addr, .len = op->len, .recorded = op->ret,
			.replayed = tt->last_replayed_ret, .src_line = op->src_line,
			.cause = replay_mismatch_cause(tsk, rt->proc->mm, op,
						       tt->last_replayed_ret),
		};
	if (tsk->sim->check || MMSIM_DEBUG_VM_ENABLED) {
		check_after_op(tsk, rt->proc->mm, op);
		if (mempolicy_task_holds_refs(tsk)) {   /* the message only for a leak */
			char what[96];
			snprintf(what, sizeof(what), "%s (pid %u)", op_type_name(op->type), op->pid);
			mempolicy_check_task(tsk, what);
		}
	}
	check_hugetlb(tsk, op);
	if (!go_on)
		return false;
	flush_if_ahead(tsk);
	return true;
}

/* After a touch: the plain touches that follow it in the stream, taken from the source
 * in runs (op_source_ops.touches, without the source's general decoding) and each
 * replayed as replay_main replays an op, in op (the fields a run does not carry are
 * op_init's, pid and tid the touch's). False when the thread must end. */
static bool replay_touch_run(struct task *tsk, struct replay_thread *rt, struct op *op)
{
	const struct op_touch *run;
	u32 n = rt->src->ops->touches(rt->src, &run);
	if (!n)
		return true;
	u32 pid = op->pid, tid = op->tid;
	op_init(op, OP_TOUCH);
	op->pid = pid;
	op->tid = tid;
	do {
		for (u32 i = 0; i < n; i++) {
			op_set_touch(op, &run[i]);
			if (!replay_op(tsk, rt, op, true)) {
				rt->totals->touch_run_ops += i + 1;
				return false;
			}
		}
		rt->totals->touch_run_ops += n;
	} while ((n = rt->src->ops->touches(rt->src, &run)));
	return true;
}

void replay_main(struct task *tsk)
{
	struct replay_thread *rt = tsk->priv;
	struct op op;
	tsk->mm = rt->proc->mm;
	tsk->fatal_at_ns = rt->proc->kill_at_ns;   /* task/kill.h */
	rt->tsk = tsk;
	rt->started = true;
	tsk->mempolicy = rt->init_mempolicy;   /* inherited at fork/clone */
	tsk->il_prev = rt->init_il_prev;
	rt->init_mempolicy = NULL;
	/* MMSIM_NO_TOUCH_RUNS: every op through the source's next() (the e2e test that
	 * compares both ways) */
	bool runs = rt->src->ops->touches && !getenv("MMSIM_NO_TOUCH_RUNS");
	for (;;) {
		int r = op_source_next(rt->src, &op);
		if (r == 0)
			break;
		if (r < 0) {
			rt->totals->source_errors++;
			rt->error = xstrdup(op_source_error(rt->src));
			break;
		}
		if (!replay_op(tsk, rt, &op, false))
			break;
		if (op.type == OP_TOUCH && runs && !replay_touch_run(tsk, rt, &op))
			break;
	}
	rt->tsk = NULL;
	free_all_handles(tsk, rt);
	mpol_task_exit(tsk);
	rt->totals->threads_done++;
	struct process *p = rt->proc;
	if (p->nr_live == 1)
		vfork_release(tsk, p);   /* a vfork child that exits without exec */
	struct kill_note kn;
	task_kill_exit_begin(tsk, rt, &kn);
	mmput(tsk, p->mm);
	task_kill_exit_end(tsk, rt, &kn);
	op_init(&op, OP_EXIT);
	op.pid = tsk->pid;
	op.tid = tsk->tid;
	check_hugetlb(tsk, &op);
	if (--p->nr_live == 0) {
		p->mm = NULL;
		process_fds_release(tsk, p);
		replay_sync_process_exit(tsk, rt->world, p->trace_pid);
	}
	replay_sync_thread_exit(tsk, rt->world);
	tsk->mm = NULL;
}

void replay_thread_exit(struct task *tsk, bool failed)
{
	struct replay_thread *rt = tsk->priv;
	(void)failed;
	rt->tsk = NULL;
	op_source_close(rt->src);
	rt->src = NULL;
}
