/* mmap.c - mm lifetime, the sorted VMA array, mmap and munmap of anonymous memory. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "mm/memory.h"
#include "mm/mmap.h"

static DEFINE_LOCK_CLASS(mmap_lock_class, "&mm->mmap_lock", LOCK_RWSEM);
static DEFINE_LOCK_CLASS(page_table_lock_class, "&mm->page_table_lock", LOCK_SPIN);

struct mm_struct *mm_alloc(struct sim *sim, u32 pid, int node)
{
	struct mm_struct *mm = xcalloc(1, sizeof(*mm));
	mm->sim = sim;
	mm->pid = pid;
	mm->home_node = node;
	mm->users = 1;
	mm->mmap_base = MMAP_BASE;
	init_rwsem(&mm->mmap_lock, &mmap_lock_class);
	spin_lock_init(&mm->page_table_lock, &page_table_lock_class);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	mm->users++;
}

void mmput(struct task *tsk, struct mm_struct *mm)
{
	if (--mm->users)
		return;
	/* exit_mmap: nobody else can reach this mm, so no lock is needed for the teardown;
	 * the kernel still takes mmap_lock for write briefly, and so do we. */
	down_write(tsk, &mm->mmap_lock);
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		zap_page_range(tsk, mm, v->vm_start, v->vm_end);
		free(v);
	}
	mm->nr_vmas = 0;
	pgtables_destroy(tsk, mm);
	up_write(tsk, &mm->mmap_lock);
	free(mm->vmas);
	free(mm);
}

void mm_free_after_run(struct mm_struct *mm)
{
	for (u32 i = 0; i < mm->nr_vmas; i++)
		free(mm->vmas[i]);
	pgtables_destroy(NULL, mm);
	free(mm->vmas);
	free(mm);
}

/* Index of the first VMA with vm_end > addr (nr_vmas if none). */
static u32 vma_index(const struct mm_struct *mm, u64 addr)
{
	u32 lo = 0, hi = mm->nr_vmas;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (mm->vmas[mid]->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, u64 addr)
{
	u32 i = vma_index(mm, addr);
	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, u64 addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);
	return v && v->vm_start <= addr ? v : NULL;
}

static void vma_insert_at(struct mm_struct *mm, u32 i, struct vm_area_struct *v)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		mm->cap_vmas = mm->cap_vmas ? 2 * mm->cap_vmas : 16;
		mm->vmas = xrealloc(mm->vmas, mm->cap_vmas * sizeof(*mm->vmas));
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = v;
	mm->nr_vmas++;
}

static void vma_remove_at(struct mm_struct *mm, u32 i)
{
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
}

static bool range_free(struct mm_struct *mm, u64 start, u64 end)
{
	struct vm_area_struct *v = find_vma(mm, start);
	return !v || v->vm_start >= end;
}

/* Top-down search for a free range of len bytes below mmap_base; 0 if none. */
static u64 get_unmapped_area(struct mm_struct *mm, u64 len)
{
	u64 top = mm->mmap_base;
	u32 i = vma_index(mm, top);          /* first VMA ending above top */
	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < top)
		i++;                         /* it spans top: the gap loop below steps over it */
	for (;;) {
		u64 below = i > 0 ? mm->vmas[i - 1]->vm_end : MMAP_MIN_ADDR;
		if (below <= top && top - below >= len)
			return top - len;
		if (i == 0)
			return 0;
		top = min(top, mm->vmas[i - 1]->vm_start);
		i--;
	}
}

/* Remove [start, end) from the VMA set, splitting VMAs at the edges, and free its
 * pages. Caller holds mmap_lock for write. */
static void __do_munmap(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	const struct cost_table *c = tsk->sim->cost;
	u32 i = vma_index(mm, start);
	while (i < mm->nr_vmas && mm->vmas[i]->vm_start < end) {
		struct vm_area_struct *v = mm->vmas[i];
		u64 s = max(v->vm_start, start), e = min(v->vm_end, end);
		zap_page_range(tsk, mm, s, e);
		mm->total_vm -= (e - s) >> PAGE_SHIFT;
		if (c)
			charge(tsk, c->vma_op_ns);
		if (s > v->vm_start && e < v->vm_end) {
			/* hole in the middle: split into two */
			struct vm_area_struct *tail = xmalloc(sizeof(*tail));
			*tail = *v;
			tail->vm_start = e;
			tail->vm_pgoff = v->vm_pgoff + ((e - v->vm_start) >> PAGE_SHIFT);
			v->vm_end = s;
			vma_insert_at(mm, i + 1, tail);
			return;
		}
		if (s > v->vm_start) {          /* cut the tail */
			v->vm_end = s;
			i++;
		} else if (e < v->vm_end) {     /* cut the head */
			v->vm_pgoff += (e - v->vm_start) >> PAGE_SHIFT;
			v->vm_start = e;
			i++;
		} else {                        /* the whole VMA */
			vma_remove_at(mm, i);
			free(v);
		}
	}
}

static u64 calc_vm_flags(u32 prot, u32 flags)
{
	u64 vf = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (prot & PROT_READ)
		vf |= VM_READ;
	if (prot & PROT_WRITE)
		vf |= VM_WRITE;
	if (prot & PROT_EXEC)
		vf |= VM_EXEC;
	if (flags & MAP_SHARED)
		vf |= VM_SHARED;
	if (flags & MAP_NORESERVE)
		vf |= VM_NORESERVE;
	return vf;
}

s64 vm_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags)
{
	const struct cost_table *c = tsk->sim->cost;
	if (!len)
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (len > TASK_SIZE || (addr & (PAGE_SIZE - 1) && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))))
		return -MM_EINVAL;
	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_HUGETLB))
		return -MM_EINVAL;      /* file and hugetlb mappings: later issues */
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -MM_EINVAL;
	if (c)
		charge(tsk, c->syscall_entry_ns);

	down_write(tsk, &mm->mmap_lock);
	u64 start;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr + len > TASK_SIZE || addr < MMAP_MIN_ADDR) {
			up_write(tsk, &mm->mmap_lock);
			return -MM_EPERM;
		}
		start = addr;
		if (!range_free(mm, start, start + len)) {
			if (flags & MAP_FIXED_NOREPLACE) {
				up_write(tsk, &mm->mmap_lock);
				return -MM_EEXIST;
			}
			__do_munmap(tsk, mm, start, start + len);
		}
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (addr >= MMAP_MIN_ADDR && addr + len <= TASK_SIZE && range_free(mm, addr, addr + len))
			start = addr;
		else
			start = get_unmapped_area(mm, len);
		if (!start) {
			up_write(tsk, &mm->mmap_lock);
			return -MM_ENOMEM;
		}
	}
	struct vm_area_struct *v = xcalloc(1, sizeof(*v));
	v->vm_start = start;
	v->vm_end = start + len;
	v->vm_flags = calc_vm_flags(prot, flags);
	v->vm_pgoff = start >> PAGE_SHIFT;
	v->vm_mm = mm;
	vma_insert_at(mm, vma_index(mm, start), v);
	mm->total_vm += len >> PAGE_SHIFT;
	if (c)
		charge(tsk, c->vma_op_ns);
	up_write(tsk, &mm->mmap_lock);

	if (flags & MAP_POPULATE) {
		s64 r = touch_range(tsk, mm, start, len, (prot & PROT_WRITE) != 0);
		if (r == -MM_ENOMEM)
			return -MM_ENOMEM;
	}
	return (s64)start;
}

int vm_munmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len)
{
	const struct cost_table *c = tsk->sim->cost;
	if ((addr & (PAGE_SIZE - 1)) || !len || addr + len > TASK_SIZE || addr + len < addr)
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (c)
		charge(tsk, c->syscall_entry_ns);
	down_write(tsk, &mm->mmap_lock);
	__do_munmap(tsk, mm, addr, addr + len);
	up_write(tsk, &mm->mmap_lock);
	return 0;
}
