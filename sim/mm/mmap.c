/* mmap.c - mm lifetime, the sorted VMA array with split and merge, and the address-space
 * system calls: mmap, munmap, mprotect, mremap, brk, madvise; dup_mmap for fork. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/lockdep.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "mm/page_alloc.h"
#include "mm/mempolicy.h"
#include "mm/mlock.h"
#include "mm/mmap.h"
#include "mm/readahead.h"
#include "mm/slab.h"
#include "mm/rmap.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "mm/khugepaged.h"

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

/* ---- the VMA array ---- */

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

/* find_vma's cache (the role of the kernel's per-thread vmacache, per mm here): a slot
 * per 1 MiB of address (hashed into VMACACHE_SLOTS) remembers the VMA found there last.
 * A VMA leaving vmas[] is wiped from every slot, so a slot's VMA is always linked; it
 * answers only for an address inside it (VMAs do not overlap: it is the answer whatever
 * moved around it). Allocated once an mm has VMACACHE_MIN VMAs (below, the binary
 * search is as cheap). */
#define VMACACHE_SHIFT 20
#define VMACACHE_SLOTS 1024
#define VMACACHE_MIN 32

static struct vm_area_struct **vmacache_slot(const struct mm_struct *mm, u64 addr)
{
	u64 g = addr >> VMACACHE_SHIFT;   /* folded: mappings 1 GiB apart get their own slots */
	return &mm->vmacache[(g ^ (g >> 10) ^ (g >> 20)) & (VMACACHE_SLOTS - 1)];
}

/* v leaves vmas[] (NULL: every VMA does). */
static void vmacache_forget(struct mm_struct *mm, const struct vm_area_struct *v)
{
	if (!mm->vmacache)
		return;
	for (u32 i = 0; i < VMACACHE_SLOTS; i++)
		if (mm->vmacache[i] == v || !v)
			mm->vmacache[i] = NULL;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, u64 addr)
{
	struct vm_area_struct **c = NULL;
	if (mm->vmacache) {
		c = vmacache_slot(mm, addr);
		struct vm_area_struct *v = *c;
		if (v && v->vm_start <= addr && addr < v->vm_end)
			return v;
	} else if (mm->nr_vmas >= VMACACHE_MIN) {
		mm->vmacache = xcalloc(VMACACHE_SLOTS, sizeof(*mm->vmacache));
		c = vmacache_slot(mm, addr);
	}
	u32 i = vma_index(mm, addr);
	struct vm_area_struct *v = i < mm->nr_vmas ? mm->vmas[i] : NULL;
	if (c && v && v->vm_start <= addr)
		*c = v;
	return v;
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
	vmacache_forget(mm, mm->vmas[i]);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
}

static void vma_insert(struct mm_struct *mm, struct vm_area_struct *v)
{
	vma_insert_at(mm, vma_index(mm, v->vm_start), v);
}

/* The mm_struct object (slab.account_users): a forked mm's in dup_mmap; an exec'd or a
 * boot process's, whose mm_alloc has no task, with its first VMA. Freed by mmput. */
static void mm_slab_account(struct task *tsk, struct mm_struct *mm)
{
	if (!mm->slab_obj)
		mm->slab_obj = slab_user_alloc(tsk, SLAB_MM_STRUCT);
}

/* A copy of src's identity (flags, file, policy, private data) for [start, end); the
 * caller links anon_vmas. The file gains a reference and an i_mmap entry. */
static struct vm_area_struct *vma_dup(struct task *tsk, const struct vm_area_struct *src,
				      struct mm_struct *mm)
{
	struct vm_area_struct *v = xmalloc(sizeof(*v));
	*v = *src;
	v->slab_obj = slab_user_alloc(tsk, SLAB_VM_AREA_STRUCT);
	v->vm_mm = mm;
	vma_ids_assign(mm->sim, v);
	v->avc = NULL;
	v->nr_avc = v->cap_avc = 0;
	v->anon_vma = NULL;
	vma_dup_policy(tsk, v);   /* a copy of the policy of its own */
	if (v->vm_file) {
		iget(v->vm_file);
		i_mmap_insert(v->vm_file, v);
	}
	return v;
}

/* remove_vma: close hook, file reference, anon_vma links, the struct. */
static void vma_free(struct task *tsk, struct sim *sim, struct vm_area_struct *v)
{
	vma_ids_release(sim, v);
	if (v->vm_ops && v->vm_ops->close && tsk)
		v->vm_ops->close(tsk, v);
	unlink_anon_vmas(tsk, sim, v);
	vma_free_policy(tsk, v);
	if (v->vm_file) {
		i_mmap_remove(v->vm_file, v);
		iput(tsk, v->vm_file);
	}
	slab_user_free(tsk, SLAB_VM_AREA_STRUCT, v->slab_obj);
	free(v);
}

/* __split_vma: split the VMA at index i at addr; both parts keep the identity and the
 * anon_vma chain, the new part runs the open hook. Returns the index of the upper part. */
static u32 split_vma(struct task *tsk, struct mm_struct *mm, u32 i, u64 addr)
{
	struct vm_area_struct *v = mm->vmas[i];
	/* vma_adjust_trans_huge: a huge PMD across the new boundary is split first */
	split_huge_pmd_address(tsk, v, addr);
	struct vm_area_struct *hi = vma_dup(tsk, v, mm);
	anon_vma_clone(tsk, hi, v);
	hi->vm_start = addr;
	hi->vm_pgoff = v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT);
	v->vm_end = addr;
	vma_insert_at(mm, i + 1, hi);
	if (hi->vm_ops && hi->vm_ops->open)
		hi->vm_ops->open(tsk, hi);
	charge(tsk, tsk->sim->cost->vma_op_ns);
	return i + 1;
}

/* Whether the VMAs straddling start and end may be split there (may_split hooks):
 * 0 or -errno. */
static int check_split(struct mm_struct *mm, u64 start, u64 end)
{
	u64 at[2] = { start, end };
	for (int k = 0; k < 2; k++) {
		struct vm_area_struct *v = vma_lookup(mm, at[k]);
		if (v && v->vm_start < at[k] && v->vm_ops && v->vm_ops->may_split) {
			int r = v->vm_ops->may_split(v, at[k]);
			if (r)
				return r;
		}
	}
	return 0;
}

/* Make VMA boundaries at start and end (splitting the VMAs that straddle them). Returns
 * the index of the first VMA inside [start, end). */
static u32 split_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	u32 i = vma_index(mm, start);
	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < start && mm->vmas[i]->vm_end > start)
		i = split_vma(tsk, mm, i, start);
	u32 j = vma_index(mm, end);
	if (j < mm->nr_vmas && mm->vmas[j]->vm_start < end && mm->vmas[j]->vm_end > end)
		split_vma(tsk, mm, j, end);
	return i;
}

/* is_mergeable_vma + is_mergeable_anon_vma: a (below) and b (above, adjacent) have the
 * same identity, contiguous file offsets, and anon_vmas that can be one. */
static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	/* a VMA with a close hook is never merged (hugetlb: its reservation) */
	if ((a->vm_ops && a->vm_ops->close) || (b->vm_ops && b->vm_ops->close))
		return false;
	if (a->vm_end != b->vm_start || a->vm_flags != b->vm_flags || a->vm_file != b->vm_file ||
	    a->vm_ops != b->vm_ops || !mpol_equal(a->vm_policy, b->vm_policy) ||
	    a->vm_private_data != b->vm_private_data)
		return false;
	if (a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) != b->vm_pgoff)
		return false;
	/* the same anon_vma (the two halves of a split): one, whatever the chain (a forked
	 * child's halves share theirs too) */
	if (a->anon_vma && b->anon_vma)
		return a->anon_vma == b->anon_vma;
	/* one side has no anonymous pages: it may adopt the other's anon_vma, if that one
	 * was not inherited through fork (a single-entry chain) */
	const struct vm_area_struct *x = a->anon_vma ? a : b;
	return x->nr_avc <= 1;
}

/* Merge vmas[i] with vmas[i + 1] if they can be one VMA. */
static bool try_merge_next(struct task *tsk, struct mm_struct *mm, u32 i)
{
	if (i + 1 >= mm->nr_vmas)
		return false;
	struct vm_area_struct *a = mm->vmas[i], *b = mm->vmas[i + 1];
	if (!can_merge(a, b))
		return false;
	if (!a->anon_vma && b->anon_vma)
		anon_vma_clone(tsk, a, b);
	a->vm_end = b->vm_end;
	vma_remove_at(mm, i + 1);
	vma_free(tsk, tsk->sim, b);
	charge(tsk, tsk->sim->cost->vma_op_ns);
	return true;
}

/* Merge around [start, end) after a change: VMAs inside and with both neighbours. */
static void merge_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	u32 i = vma_index(mm, start);
	if (i > 0 && mm->vmas[i - 1]->vm_end == start)
		i--;
	while (i < mm->nr_vmas && mm->vmas[i]->vm_start <= end) {
		if (!try_merge_next(tsk, mm, i))
			i++;
	}
}

int mbind_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end, struct mempolicy *pol)
{
	lockdep_assert_held_write(tsk, &mm->mmap_lock);
	int err = check_split(mm, start, end);
	if (err)
		return err;
	for (u32 i = split_range(tsk, mm, start, end); i < mm->nr_vmas && mm->vmas[i]->vm_start < end;
	     i++)
		mpol_vma_replace(tsk, mm->vmas[i], pol);
	merge_range(tsk, mm, start, end);
	return 0;
}

static bool range_free(struct mm_struct *mm, u64 start, u64 end)
{
	struct vm_area_struct *v = find_vma(mm, start);
	return !v || v->vm_start >= end;
}

/* Whether [start, end) is covered by VMAs without a hole. */
static bool range_mapped(struct mm_struct *mm, u64 start, u64 end)
{
	u64 a = start;
	for (u32 i = vma_index(mm, start); i < mm->nr_vmas && a < end; i++) {
		if (mm->vmas[i]->vm_start > a)
			return false;
		a = mm->vmas[i]->vm_end;
	}
	return a >= end;
}

u64 user_access_len(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write)
{
	u64 need = write ? VM_WRITE : VM_READ, a = addr, end = addr + len;
	if (end < addr || end > TASK_SIZE)
		end = TASK_SIZE;
	down_read(tsk, &mm->mmap_lock);
	for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && a < end; i++) {
		const struct vm_area_struct *v = mm->vmas[i];
		if (v->vm_start > a || !(v->vm_flags & need))
			break;
		a = v->vm_end;
	}
	up_read(tsk, &mm->mmap_lock);
	return min(a, end) > addr ? min(a, end) - addr : 0;
}

/* Top-down search for a free range of len bytes aligned to align below mmap_base; 0
 * if none. */
static u64 get_unmapped_area_aligned(struct mm_struct *mm, u64 len, u64 align)
{
	u64 top = mm->mmap_base;
	u32 i = vma_index(mm, top);          /* first VMA ending above top */
	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < top)
		i++;                         /* it spans top: the gap loop below steps over it */
	for (;;) {
		u64 below = i > 0 ? mm->vmas[i - 1]->vm_end : MMAP_MIN_ADDR;
		if (below <= top && top - below >= len && ALIGN_DOWN(top - len, align) >= below)
			return ALIGN_DOWN(top - len, align);
		if (i == 0)
			return 0;
		top = min(top, mm->vmas[i - 1]->vm_start);
		i--;
	}
}

/* Remove [start, end) from the address space: split at the edges, unmap the pages of
 * the VMAs inside, drop the VMAs, free the page tables nothing covers any more.
 * Caller holds mmap_lock for write. */
static void do_vmi_munmap(struct task *tsk, struct mm_struct *mm, u64 start, u64 end)
{
	if (range_free(mm, start, end))
		return;
	u32 i = split_range(tsk, mm, start, end);
	u32 j = i;
	while (j < mm->nr_vmas && mm->vmas[j]->vm_start < end)
		j++;
	/* unmap_region: the pages first, then the VMAs and the page tables */
	update_hiwater_vm(mm);
	for (u32 k = i; k < j; k++) {
		struct vm_area_struct *v = mm->vmas[k];
		zap_page_range(tsk, v, v->vm_start, v->vm_end);
		mm->total_vm -= (v->vm_end - v->vm_start) >> PAGE_SHIFT;
	}
	struct vm_area_struct **gone = xmalloc((j - i) * sizeof(*gone));
	memcpy(gone, &mm->vmas[i], (j - i) * sizeof(*gone));
	memmove(&mm->vmas[i], &mm->vmas[j], (mm->nr_vmas - j) * sizeof(*mm->vmas));
	mm->nr_vmas -= j - i;
	for (u32 k = 0; k < j - i; k++)
		vmacache_forget(mm, gone[k]);
	free_pgtables(tsk, mm, start, end);
	for (u32 k = 0; k < j - i; k++) {
		vma_free(tsk, tsk->sim, gone[k]);
		charge(tsk, tsk->sim->cost->vma_op_ns);
	}
	free(gone);
}

/* Tear an mm down (exit_mmap). */
static void exit_mmap(struct task *tsk, struct mm_struct *mm)
{
	down_write(tsk, &mm->mmap_lock);
	for (u32 i = 0; i < mm->nr_vmas; i++)
		zap_page_range(tsk, mm->vmas[i], mm->vmas[i]->vm_start, mm->vmas[i]->vm_end);
	u32 n = mm->nr_vmas;
	struct vm_area_struct **gone = mm->vmas;
	mm->vmas = NULL;
	mm->nr_vmas = mm->cap_vmas = 0;
	vmacache_forget(mm, NULL);
	free_pgtables(tsk, mm, 0, TASK_SIZE);
	for (u32 i = 0; i < n; i++)
		vma_free(tsk, tsk->sim, gone[i]);
	free(gone);
	pgtables_destroy(tsk, mm);
	mm->total_vm = 0;
	up_write(tsk, &mm->mmap_lock);
}

void mmput(struct task *tsk, struct mm_struct *mm)
{
	if (--mm->users)
		return;
	mm->mm_count++;                /* the users' reference, dropped below */
	khugepaged_exit(tsk, mm);      /* before the page tables go */
	exit_mmap(tsk, mm);
	slab_user_free(tsk, SLAB_MM_STRUCT, mm->slab_obj);   /* __mmdrop's free_mm, here */
	mm->slab_obj = 0;
	free(mm->vmas);
	mm->vmas = NULL;
	free(mm->vmacache);
	mm->vmacache = NULL;
	mmdrop(mm);                    /* freed unless khugepaged's mm slot still holds it */
}

void mm_free_after_run(struct mm_struct *mm)
{
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		if (v->vm_flags & VM_HUGETLB)
			hugetlb_vma_drop_resv(mm->sim, v);
		free(v->avc);
		free(v);
	}
	pgtables_destroy(NULL, mm);
	free(mm->vmas);
	free(mm->vmacache);
	free(mm);
}

/* ---- mmap ---- */

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
	if (flags & MAP_GROWSDOWN)
		vf |= VM_GROWSDOWN;
	if (flags & MAP_LOCKED)
		vf |= VM_LOCKED;
	return vf;
}

s64 do_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags,
	    struct inode *file, u64 pgoff, u64 extra_vm_flags)
{
	if (!len)
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > TASK_SIZE)
		return -MM_ENOMEM;
	if ((addr & (PAGE_SIZE - 1)) && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return -MM_EINVAL;
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 ||
	    (flags & (MAP_SHARED | MAP_PRIVATE)) == (MAP_SHARED | MAP_PRIVATE))
		return -MM_EINVAL;
	bool huge = (flags & MAP_HUGETLB) || is_file_hugepages(file);
	u64 align = PAGE_SIZE;
	if (huge) {
		if ((flags & MAP_HUGETLB) && file && !is_file_hugepages(file))
			return -MM_EINVAL;
		if (!hugetlb_size_modelled(flags))
			return -MM_EINVAL;
		align = HPAGE_SIZE;
		len = ALIGN_UP(len, HPAGE_SIZE);
		if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (HPAGE_SIZE - 1)))
			return -MM_EINVAL;
	}
	/* overcommit heuristic (vm.overcommit_memory 0): a private writable mapping larger
	 * than all of RAM and swap fails (hugetlb memory is not accounted so); 1 (always)
	 * lets it through. 2 (strict) is refused by the config. */
	if (tsk->sim->scn->kernel.vm.overcommit_memory == 0 && !huge && !(flags & (MAP_SHARED | MAP_NORESERVE)) && (prot & PROT_WRITE) &&
	    (len >> PAGE_SHIFT) > tsk->sim->phys->nr_pages + (tsk->sim->scn->machine.swap.size >> PAGE_SHIFT))
		return -MM_ENOMEM;

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
			int r = check_split(mm, start, start + len);
			if (r) {
				up_write(tsk, &mm->mmap_lock);
				return r;
			}
			do_vmi_munmap(tsk, mm, start, start + len);
			khugepaged_note_vma_change(tsk, mm, "munmap (MAP_FIXED replaces)", start,
						   start + len);
		}
	} else {
		addr = huge ? ALIGN_UP(addr, align) : ALIGN_DOWN(addr, PAGE_SIZE);
		if (addr >= MMAP_MIN_ADDR && addr + len <= TASK_SIZE && range_free(mm, addr, addr + len))
			start = addr;
		else
			start = get_unmapped_area_aligned(mm, len, align);
		if (!start) {
			up_write(tsk, &mm->mmap_lock);
			return -MM_ENOMEM;
		}
	}
	mm_slab_account(tsk, mm);
	struct vm_area_struct *v = xcalloc(1, sizeof(*v));
	v->slab_obj = slab_user_alloc(tsk, SLAB_VM_AREA_STRUCT);
	vma_ids_assign(tsk->sim, v);
	v->vm_start = start;
	v->vm_end = start + len;
	v->vm_flags = calc_vm_flags(prot, flags) | extra_vm_flags | mm->def_flags;
	/* accountable_mapping: private writable memory is charged to the commit (mmap_region
	 * sets VM_ACCOUNT); the flag takes part in VMA merging */
	if (!huge && !(v->vm_flags & (VM_SHARED | VM_NORESERVE)) && (v->vm_flags & VM_WRITE))
		v->vm_flags |= VM_ACCOUNT;
	/* populate a locked mapping, or on MAP_POPULATE (the flags asked for, before a
	 * hugetlb VMA loses its lock flags below) */
	bool populate = (v->vm_flags & VM_LOCKED) || (flags & MAP_POPULATE);
	if (huge)
		v->vm_flags &= ~VM_LOCKED_MASK;   /* mmap_region: hugetlb is never VM_LOCKED */
	else if (v->vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	v->vm_mm = mm;
	bool shared_anon = !file && (flags & MAP_SHARED) && !huge;
	bool anon_huge = !file && huge;
	if (shared_anon)
		file = shmem_file_create(tsk->sim, "/dev/zero (deleted)", len); /* shmem_zero_setup */
	else if (anon_huge)
		file = hugetlb_file_create(tsk->sim, "/anon_hugepage (deleted)", len);
	else if (file)
		iget(file);
	v->vm_file = file;
	v->vm_pgoff = file ? pgoff : start >> PAGE_SHIFT;
	if (file)
		i_mmap_insert(file, v);   /* a new file's first reference is the VMA's */
	if (huge) {
		/* hugetlbfs_file_mmap: the reservation, before the VMA is linked */
		int r = hugetlbfs_file_mmap(tsk, v);
		if (r < 0) {
			v->vm_ops = NULL;   /* nothing to close: nothing was reserved */
			vma_free(tsk, tsk->sim, v);
			up_write(tsk, &mm->mmap_lock);
			return r;
		}
	}
	vma_insert(mm, v);
	mm->total_vm += len >> PAGE_SHIFT;
	charge(tsk, tsk->sim->cost->vma_op_ns);
	merge_range(tsk, mm, start, start + len);
	khugepaged_note_vma_change(tsk, mm, file ? "mmap (file or shared)" : "mmap (anonymous)",
				   start, start + len);
	up_write(tsk, &mm->mmap_lock);

	/* mm_populate (an on-fault locked VMA is not populated) */
	if (populate && !(v->vm_flags & VM_LOCKONFAULT)) {
		s64 r = touch_range(tsk, mm, start, len, (prot & PROT_WRITE) && !(flags & MAP_SHARED));
		populate_drain(tsk);
		if (r == -MM_ENOMEM)
			return -MM_ENOMEM;
	}
	return (s64)start;
}

s64 vm_mmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot, u32 flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (!(flags & MAP_ANONYMOUS))
		return -MM_EBADF;
	return do_mmap(tsk, mm, addr, len, prot, flags, NULL, 0, 0);
}

int vm_munmap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if ((addr & (PAGE_SIZE - 1)) || !len || addr + len > TASK_SIZE || addr + len < addr)
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	down_write(tsk, &mm->mmap_lock);
	int r = check_split(mm, addr, addr + len);
	if (!r) {
		do_vmi_munmap(tsk, mm, addr, addr + len);
		khugepaged_note_vma_change(tsk, mm, "munmap", addr, addr + len);
	}
	up_write(tsk, &mm->mmap_lock);
	return r;
}

/* ---- mprotect ---- */

/* change_protection: PTEs of a VMA losing write become read-only; gaining it, the PTEs of
 * dirty exclusive anonymous pages (and of shared mappings) become writable at once. */
static void change_protection(struct task *tsk, struct vm_area_struct *v, bool writable)
{
	struct mm_struct *mm = v->vm_mm;
	for (u64 a = ALIGN_DOWN(v->vm_start, PMD_SIZE); a < v->vm_end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (s && s->kind == PMD_HUGE && !(v->vm_flags & VM_HUGETLB)) {
			change_huge_pmd(tsk, v, a, writable);
			continue;
		}
		if (!s || s->kind != PMD_TABLE || !s->table->nr_present)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, v->vm_start), hi = min(a + PMD_SIZE, v->vm_end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			unsigned i = pte_index(x);
			pte_t p = pte_get(t, i);
			if (!(p & PTE_PRESENT))
				continue;
			if (!writable) {
				pte_clear_flags(t, i, PTE_WRITE);
			} else if (!(p & PTE_ZERO) && (p & PTE_DIRTY)) {
				struct page_desc *pg = pfn_to_page(tsk->sim->phys, pte_pfn(p));
				/* a THP subpage only while exclusive: a huge PMD elsewhere may map it */
				if ((v->vm_flags & VM_SHARED) ||
				    ((pg->flags & PG_anon) && pg->mapcount == 1 && pg->refcount == 1 &&
				     (!page_is_thp(pg) || (pg->flags & PG_anon_exclusive))))
					pte_set_flags(t, i, PTE_WRITE);
			}
			charge(tsk, tsk->sim->cost->pte_update_ns);
		}
		spin_unlock(tsk, &t->ptl);
	}
}

/* Set vm_flags = (flags & ~clear) | set on every VMA of [start, end) (splitting and
 * merging as mprotect and madvise do). Caller holds mmap_lock for write and has checked
 * that the range is mapped. */
static void apply_vma_flags(struct task *tsk, struct mm_struct *mm, u64 start, u64 end, u64 clear,
			    u64 set, bool prot_change)
{
	u32 i = split_range(tsk, mm, start, end);
	for (; i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		u64 old = v->vm_flags;
		v->vm_flags = (old & ~clear) | set;
		/* mprotect_fixup: a private mapping made writable is charged (VM_ACCOUNT) and
		 * stays so when made read-only again (glibc's RELRO stays its own VMA) */
		if (prot_change && (v->vm_flags & VM_WRITE) &&
		    !(old & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)))
			v->vm_flags |= VM_ACCOUNT;
		if (prot_change && (old & VM_WRITE) != (v->vm_flags & VM_WRITE))
			change_protection(tsk, v, v->vm_flags & VM_WRITE);
	}
	merge_range(tsk, mm, start, end);
}

int vm_mprotect(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 prot)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(u32)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -MM_EINVAL;
	if (!len)
		return 0;
	u64 end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end <= addr || end > TASK_SIZE)
		return -MM_ENOMEM;
	down_write(tsk, &mm->mmap_lock);
	/* do_mprotect_pkey: VMA by VMA from addr; a hole ends the walk with ENOMEM after the
	 * VMAs before it were changed (split at addr and at the hole) */
	int r = 0;
	u64 stop = addr;
	for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start <= stop &&
					     stop < end; i++)
		stop = min(end, mm->vmas[i]->vm_end);
	if (stop < end)
		r = -MM_ENOMEM;
	if (stop > addr) {
		int s = check_split(mm, addr, stop);
		if (s) {
			up_write(tsk, &mm->mmap_lock);
			return s;
		}
		apply_vma_flags(tsk, mm, addr, stop, VM_READ | VM_WRITE | VM_EXEC,
				calc_vm_flags(prot, 0) & (VM_READ | VM_WRITE | VM_EXEC), true);
		khugepaged_note_vma_change(tsk, mm, "mprotect", addr, stop);
	}
	up_write(tsk, &mm->mmap_lock);
	return r;
}

/* ---- mremap ---- */

/* move_page_tables: every PTE of [old, old+len) moves to new (same pages, same rmap
 * index: the VMA's vm_pgoff moved with them). */
static int move_ptes(struct task *tsk, struct mm_struct *mm, u64 old, u64 new, u64 len)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, old + off);
		if (s && s->kind == PMD_HUGE) {
			/* move_huge_pmd when the whole PMD moves to an aligned address, else split */
			if (!((old + off) & (PMD_SIZE - 1)) && !((new + off) & (PMD_SIZE - 1)) &&
			    len - off >= PMD_SIZE) {
				if (move_huge_pmd(tsk, mm, old + off, new + off) < 0)
					return -MM_ENOMEM;
				off += PMD_SIZE - PAGE_SIZE;
				continue;
			}
			__split_huge_pmd(tsk, vma_lookup(mm, old + off), old + off);
			s = pmd_lookup(mm, old + off);
		}
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *st = s->table;
		unsigned si = pte_index(old + off);
		if (!pte_get(st, si))
			continue;
		struct pte_table *dt = pte_alloc_for(tsk, mm, new + off);
		if (!dt)
			return -MM_ENOMEM;
		/* pte_alloc may have rehashed the PMD table: look the source up again */
		st = pmd_lookup(mm, old + off)->table;
		spin_lock(tsk, &st->ptl);
		if (dt != st)
			spin_lock(tsk, &dt->ptl);
		pte_set(dt, pte_index(new + off), pte_get(st, si));
		dt->nr_present++;
		pte_clear(st, si);
		st->nr_present--;
		charge(tsk, 2 * tsk->sim->cost->pte_update_ns);
		if (dt != st)
			spin_unlock(tsk, &dt->ptl);
		spin_unlock(tsk, &st->ptl);
	}
	return 0;
}

s64 vm_mremap(struct task *tsk, struct mm_struct *mm, u64 addr, u64 old_len, u64 new_len,
	      u32 flags, u64 new_addr)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(u32)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -MM_EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -MM_EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len || new_len > TASK_SIZE)
		return -MM_EINVAL;
	if ((flags & MREMAP_FIXED) && ((new_addr & (PAGE_SIZE - 1)) || new_addr + new_len > TASK_SIZE ||
				       (new_addr < addr + old_len && addr < new_addr + new_len)))
		return -MM_EINVAL;
	down_write(tsk, &mm->mmap_lock);
	s64 ret;
	struct vm_area_struct *v = vma_lookup(mm, addr);
	if (v && (v->vm_flags & VM_HUGETLB)) {
		/* whole huge pages; a hugetlb mapping never grows (its reservation could
		 * not follow) and is not anonymous memory for MREMAP_DONTUNMAP */
		old_len = ALIGN_UP(old_len, HPAGE_SIZE);
		new_len = ALIGN_UP(new_len, HPAGE_SIZE);
		if ((addr & (HPAGE_SIZE - 1)) || ((flags & MREMAP_FIXED) && (new_addr & (HPAGE_SIZE - 1))) ||
		    new_len > old_len || (flags & MREMAP_DONTUNMAP)) {
			ret = -MM_EINVAL;
			goto out;
		}
	}
	if (!v || !old_len || addr + old_len > v->vm_end) {
		ret = !v ? -MM_EFAULT : !old_len ? -MM_EINVAL : -MM_EFAULT;
		goto out;
	}
	ret = check_split(mm, addr, addr + old_len);
	if (!ret && new_len < old_len)
		ret = check_split(mm, addr + new_len, addr + old_len);
	if (ret)
		goto out;
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			/* shrink in place */
			do_vmi_munmap(tsk, mm, addr + new_len, addr + old_len);
			ret = (s64)addr;
			goto out;
		}
		/* grow in place when the VMA ends at the old end and the space above is free */
		if (addr + old_len == v->vm_end && addr + new_len <= TASK_SIZE &&
		    range_free(mm, v->vm_end, addr + new_len)) {
			mm->total_vm += (addr + new_len - v->vm_end) >> PAGE_SHIFT;
			v->vm_end = addr + new_len;
			charge(tsk, tsk->sim->cost->vma_op_ns);
			merge_range(tsk, mm, v->vm_start, v->vm_end);
			ret = (s64)addr;
			goto out;
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			ret = -MM_ENOMEM;
			goto out;
		}
		new_addr = get_unmapped_area_aligned(mm, new_len, (v->vm_flags & VM_HUGETLB) ? HPAGE_SIZE
										      : PAGE_SIZE);
		if (!new_addr) {
			ret = -MM_ENOMEM;
			goto out;
		}
	} else {
		do_vmi_munmap(tsk, mm, new_addr, new_addr + new_len);
		if (old_len > new_len) {
			do_vmi_munmap(tsk, mm, addr + new_len, addr + old_len);
			old_len = new_len;
		}
	}
	/* move_vma: the old range becomes its own VMA, a copy at new_addr takes its pages */
	u32 i = split_range(tsk, mm, addr, addr + old_len);
	v = mm->vmas[i];
	struct vm_area_struct *nv = vma_dup(tsk, v, mm);
	anon_vma_clone(tsk, nv, v);
	nv->vm_start = new_addr;
	nv->vm_end = new_addr + new_len;
	vma_insert(mm, nv);
	if (nv->vm_ops && nv->vm_ops->open)
		nv->vm_ops->open(tsk, nv);
	if (v->vm_flags & VM_HUGETLB)
		hugetlb_vma_drop_resv(tsk->sim, v);   /* the copy holds the reservation now */
	charge(tsk, tsk->sim->cost->vma_op_ns);
	if ((v->vm_flags & VM_HUGETLB) ? move_hugetlb_page_tables(tsk, mm, addr, new_addr, old_len) < 0
				       : move_ptes(tsk, mm, addr, new_addr, old_len) < 0) {
		ret = -MM_ENOMEM;
		goto out;
	}
	mm->total_vm += new_len >> PAGE_SHIFT;
	if (flags & MREMAP_DONTUNMAP)
		v->vm_flags &= ~VM_ACCOUNT;     /* the old VMA stays, empty */
	else
		do_vmi_munmap(tsk, mm, addr, addr + old_len);
	merge_range(tsk, mm, new_addr, new_addr + new_len);
	khugepaged_note_vma_change(tsk, mm, "mremap from", addr, addr + old_len);
	khugepaged_note_vma_change(tsk, mm, "mremap to", new_addr, new_addr + new_len);
	ret = (s64)new_addr;
out:
	up_write(tsk, &mm->mmap_lock);
	return ret;
}

/* ---- stack ---- */

/* expand_stack: a fault below a VM_GROWSDOWN VMA (the stack execve made) grows it down to
 * the faulting page, up to the 8 MiB stack rlimit and no closer than stack_guard_gap
 * (256 pages) to the VMA below. Takes mmap_lock for write (as 6.5+). Returns true when
 * addr is mapped now. */
bool expand_stack(struct task *tsk, struct mm_struct *mm, u64 addr)
{
	const u64 rlimit = 8ULL << 20, gap = 256ULL << PAGE_SHIFT;
	bool ok = false;
	addr = ALIGN_DOWN(addr, PAGE_SIZE);
	down_write(tsk, &mm->mmap_lock);
	u32 i = vma_index(mm, addr);
	struct vm_area_struct *v = i < mm->nr_vmas ? mm->vmas[i] : NULL;
	if (v && v->vm_start <= addr) {
		ok = true;   /* someone else grew it */
	} else if (v && (v->vm_flags & VM_GROWSDOWN) && v->vm_end - addr <= rlimit &&
		   (!i || mm->vmas[i - 1]->vm_end + gap <= addr)) {
		mm->total_vm += (v->vm_start - addr) >> PAGE_SHIFT;
		if (!v->vm_file)
			v->vm_pgoff = addr >> PAGE_SHIFT;
		v->vm_start = addr;
		charge(tsk, tsk->sim->cost->vma_op_ns);
		ok = true;
	}
	up_write(tsk, &mm->mmap_lock);
	return ok;
}

/* ---- brk ---- */

s64 vm_brk(struct task *tsk, struct mm_struct *mm, u64 brk)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	down_write(tsk, &mm->mmap_lock);
	u64 ret = mm->brk;
	if (!mm->start_brk || brk < mm->start_brk)
		goto out;
	u64 newbrk = ALIGN_UP(brk, PAGE_SIZE), oldbrk = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (newbrk == oldbrk) {
		mm->brk = ret = brk;
		goto out;
	}
	if (newbrk < oldbrk) {
		do_vmi_munmap(tsk, mm, newbrk, oldbrk);
		mm->brk = ret = brk;
		goto out;
	}
	if (newbrk > TASK_SIZE || !range_free(mm, oldbrk, newbrk))
		goto out;
	/* do_brk_flags: a private anonymous VMA, merged with the heap below */
	mm_slab_account(tsk, mm);
	struct vm_area_struct *v = xcalloc(1, sizeof(*v));
	v->slab_obj = slab_user_alloc(tsk, SLAB_VM_AREA_STRUCT);
	vma_ids_assign(tsk->sim, v);
	v->vm_start = oldbrk;
	v->vm_end = newbrk;
	v->vm_flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
	v->vm_pgoff = oldbrk >> PAGE_SHIFT;
	v->vm_mm = mm;
	vma_insert(mm, v);
	mm->total_vm += (newbrk - oldbrk) >> PAGE_SHIFT;
	charge(tsk, tsk->sim->cost->vma_op_ns);
	merge_range(tsk, mm, oldbrk, newbrk);
	mm->brk = ret = brk;
	khugepaged_note_vma_change(tsk, mm, "brk", oldbrk, newbrk);
out:
	up_write(tsk, &mm->mmap_lock);
	return (s64)ret;
}

void mm_set_brk_base(struct mm_struct *mm, u64 brk)
{
	if (!mm->start_brk && brk)
		mm->start_brk = mm->brk = brk;
}

/* ---- madvise ---- */

/* MADV_PAGEOUT over [start, end) of v: the pages only this mapping maps, their young
 * bits cleared, are taken off the LRU and reclaimed (madvise_cold_or_pageout). */
static u64 madv_pageout_range(struct task *tsk, struct vm_area_struct *v, u64 start, u64 end)
{
	struct sim *sim = tsk->sim;
	u64 *list = NULL, reclaimed = 0;
	unsigned n = 0, cap = 0;
	lru_add_drain(tsk);   /* pages still in this CPU's batch join their list first */
	split_thps_in_range(tsk, v, start, end, true);
	for (u64 a = ALIGN_DOWN(start, PMD_SIZE); a < end; a += PMD_SIZE) {
		struct pmd_slot *s = pmd_lookup(v->vm_mm, a);
		if (s && s->kind == PMD_HUGE && !(v->vm_flags & VM_HUGETLB) &&
		    !(s->huge & PTE_ZERO)) {
			/* a whole huge PMD: the THP, if mapped only here, goes to reclaim whole */
			u64 head = pte_pfn(s->huge);
			if (!thp_exclusive_pmd(sim, head))
				continue;
			s->huge &= ~PTE_YOUNG;
			if (!isolate_lru_page(tsk, head, false))
				continue;
			pfn_to_page(sim->phys, head)->refcount++;
			pfn_to_page(sim->phys, head)->flags |= PG_isolated;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				list = xrealloc(list, cap * sizeof(u64));
			}
			list[n++] = head;
			continue;
		}
		if (!s || s->kind != PMD_TABLE)
			continue;
		struct pte_table *t = s->table;
		u64 lo = max(a, start), hi = min(a + PMD_SIZE, end);
		spin_lock(tsk, &t->ptl);
		for (u64 x = lo; x < hi; x += PAGE_SIZE) {
			unsigned i = pte_index(x);
			pte_t p = pte_get(t, i);
			if (!(p & PTE_PRESENT) || (p & PTE_ZERO))
				continue;
			u64 pfn = pte_pfn(p);
			struct page_desc *pg = pfn_to_page(sim->phys, pfn);
			if (pg->mapcount != 1)
				continue;   /* other mappings are left alone */
			pte_clear_flags(t, i, PTE_YOUNG);
			if (!isolate_lru_page(tsk, pfn, false))
				continue;
			pg->refcount++;
			pg->flags |= PG_isolated;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				list = xrealloc(list, cap * sizeof(u64));
			}
			list[n++] = pfn;
		}
		spin_unlock(tsk, &t->ptl);
	}
	if (n)
		reclaimed = reclaim_pages(tsk, list, n);
	free(list);
	return reclaimed;
}

s64 vm_madvise_populate(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, bool write)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (addr & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	u64 end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end < addr)
		return -MM_EINVAL;
	s64 faults = 0, ret = 0;
	/* madvise_populate: VMA by VMA; what is before a failure stays populated */
	for (u64 a = addr; a < end;) {
		down_read(tsk, &mm->mmap_lock);
		struct vm_area_struct *v = vma_lookup(mm, a);
		u64 e = v ? min(end, v->vm_end) : 0, vf = v ? v->vm_flags : 0;
		up_read(tsk, &mm->mmap_lock);
		if (!v) {
			ret = -MM_ENOMEM;           /* a hole */
			break;
		}
		/* faultin_vma_page_range: check_vma_flags' permission errors become EINVAL */
		if (!(vf & (write ? VM_WRITE : VM_READ))) {
			ret = -MM_EINVAL;
			break;
		}
		s64 r = touch_range(tsk, mm, a, e - a, write);
		if (r < 0) {
			ret = r == -MM_ENOMEM ? -MM_ENOMEM : -MM_EFAULT;   /* SIGBUS/SIGSEGV */
			break;
		}
		faults += r;
		a = e;
	}
	populate_drain(tsk);   /* a populate ends with the drain (6.18) */
	return ret ? ret : faults;
}

int vm_madvise(struct task *tsk, struct mm_struct *mm, u64 addr, u64 len, u32 advice,
	       bool *modelled)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	*modelled = true;
	if (addr & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	u64 end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end < addr)
		return -MM_EINVAL;
	if (end == addr)
		return 0;
	bool write_lock = advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE ||
			  advice == MADV_NORMAL || advice == 1 || advice == 2 ||
			  advice == MADV_DONTFORK || advice == MADV_DOFORK ||
			  advice == MADV_WIPEONFORK || advice == MADV_KEEPONFORK;
	if (write_lock)
		down_write(tsk, &mm->mmap_lock);
	else
		down_read(tsk, &mm->mmap_lock);
	int ret = 0;
	bool mapped = range_mapped(mm, addr, end);
	switch (advice) {
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		if (!mapped) {
			ret = -MM_ENOMEM;
			break;
		}
		apply_vma_flags(tsk, mm, addr, end, VM_HUGEPAGE | VM_NOHUGEPAGE,
				advice == MADV_HUGEPAGE ? VM_HUGEPAGE : VM_NOHUGEPAGE, false);
		khugepaged_note_vma_change(tsk, mm, advice == MADV_HUGEPAGE ? "madvise(MADV_HUGEPAGE)"
									 : "madvise(MADV_NOHUGEPAGE)",
					   addr, end);
		if (advice == MADV_HUGEPAGE)
			for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++)
				khugepaged_enter_vma(tsk, mm->vmas[i]);
		break;
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
			struct vm_area_struct *v = mm->vmas[i];
			u64 s = max(v->vm_start, addr), e = min(v->vm_end, end);
			if (advice != MADV_REMOVE && (v->vm_flags & VM_LOCKED)) {
				/* madvise_dontneed_free_valid_vma: not on locked memory */
				ret = -MM_EINVAL;
				break;
			}
			if (advice == MADV_DONTNEED && (v->vm_flags & VM_HUGETLB)) {
				/* whole huge pages from an aligned start: a part of one is kept */
				if (s & (HPAGE_SIZE - 1)) {
					ret = -MM_EINVAL;
					break;
				}
				e = ALIGN_DOWN(e, HPAGE_SIZE);
				if (e > s)
					hugetlb_madv_dontneed(tsk, v, s, e);
				continue;
			}
			if (advice == MADV_FREE && (v->vm_flags & VM_HUGETLB)) {
				ret = -MM_EINVAL;   /* lazy free is not for hugetlb */
				break;
			}
			if (advice == MADV_REMOVE) {
				/* madvise_remove: locked EINVAL, then a writable shared mapping of
				 * a file or EACCES */
				if (v->vm_flags & VM_LOCKED) {
					ret = -MM_EINVAL;
					break;
				}
				if ((v->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE)) {
					ret = -MM_EACCES;
					break;
				}
				if (!v->vm_file) {
					ret = -MM_EINVAL;
					break;
				}
				if (v->vm_flags & VM_HUGETLB) {
					/* vfs_fallocate(PUNCH_HOLE): the whole huge pages of the range
					 * leave the file */
					int r = hugetlbfs_fallocate(tsk, v->vm_file,
								    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
								    (v->vm_pgoff << PAGE_SHIFT) + (s - v->vm_start),
								    e - s);
					if (r < 0) {
						ret = r;
						break;
					}
					continue;
				}
				u64 pg0 = v->vm_pgoff + ((s - v->vm_start) >> PAGE_SHIFT);
				truncate_inode_pages_range(tsk, v->vm_file, pg0,
							   pg0 + ((e - s) >> PAGE_SHIFT));
			} else if (advice == MADV_FREE && (v->vm_file || (v->vm_flags & VM_SHARED))) {
				/* madvise_free_single_vma: private anonymous memory only */
				ret = -MM_EINVAL;
				break;
			} else if (advice == MADV_FREE) {
				/* lazily freeable: clean the PTEs; the pages go only under memory
				 * pressure (reclaim), which finds them clean */
				count_vm_events(tsk, PGLAZYFREE, madv_free_range(tsk, v, s, e));
			} else {
				zap_page_range(tsk, v, s, e);
			}
		}
		if (!ret && !mapped)
			ret = -MM_ENOMEM;
		break;
	case MADV_PAGEOUT:
		for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
			struct vm_area_struct *v = mm->vmas[i];
			if (v->vm_flags & VM_LOCKED) {
				ret = -MM_EINVAL;   /* can_madv_lru_vma: not on locked memory */
				break;
			}
			madv_pageout_range(tsk, v, max(v->vm_start, addr), min(v->vm_end, end));
		}
		if (!ret && !mapped)
			ret = -MM_ENOMEM;
		break;
	case MADV_COLLAPSE:
		if (!tsk->sim->mm_hooks.madv_collapse) {
			*modelled = false;   /* until the THP model installs its hook */
			break;
		}
		for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
			struct vm_area_struct *v = mm->vmas[i];
			int r = tsk->sim->mm_hooks.madv_collapse(tsk->sim->mm_hooks.arg, tsk, v,
								 max(v->vm_start, addr),
								 min(v->vm_end, end));
			if (r > 0) {
				*modelled = false;   /* a VMA kind the model does not collapse */
				break;
			}
			if (r < 0) {
				ret = r;             /* madvise_walk_vmas stops at the first error */
				break;
			}
		}
		if (!ret && !mapped)
			ret = -MM_ENOMEM;
		break;
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK: {
		/* madvise_behavior: VMA by VMA (split and merged), holes skipped (ENOMEM at the
		 * end); WIPEONFORK only on private anonymous memory (EINVAL stops the walk) */
		u64 flag = (advice == MADV_DONTFORK || advice == MADV_DOFORK) ? VM_DONTCOPY
									     : VM_WIPEONFORK;
		bool set = advice == MADV_DONTFORK || advice == MADV_WIPEONFORK;
		u64 a = addr;
		while (a < end) {
			struct vm_area_struct *v = find_vma(mm, a);
			if (!v || v->vm_start >= end)
				break;
			u64 s = max(a, v->vm_start), e = min(end, v->vm_end);
			if (advice == MADV_WIPEONFORK && (v->vm_file || (v->vm_flags & VM_SHARED))) {
				ret = -MM_EINVAL;
				break;
			}
			if (check_split(mm, s, e)) {
				ret = -MM_EINVAL;
				break;
			}
			apply_vma_flags(tsk, mm, s, e, flag, set ? flag : 0, false);
			a = e;
		}
		if (!ret && !mapped)
			ret = -MM_ENOMEM;
		break;
	}
	case MADV_NORMAL:
	case 1: /* MADV_RANDOM */
	case 2: /* MADV_SEQUENTIAL */
		/* the VMA's readahead hint (VM_RAND_READ, VM_SEQ_READ), splitting as needed */
		if (!mapped) {
			ret = -MM_ENOMEM;
			break;
		}
		apply_vma_flags(tsk, mm, addr, end, VM_RAND_READ | VM_SEQ_READ,
				advice == 1 ? VM_RAND_READ : advice == 2 ? VM_SEQ_READ : 0, false);
		break;
	case MADV_WILLNEED:
		/* madvise_willneed: a file VMA's range is read ahead (asynchronously) */
		for (u32 i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
			struct vm_area_struct *v = mm->vmas[i];
			if (v->vm_file && !(v->vm_flags & VM_HUGETLB))
				madvise_willneed_file(tsk, v, max(v->vm_start, addr), min(v->vm_end, end));
		}
		if (!mapped)
			ret = -MM_ENOMEM;
		break;
	default:
		/* the rest (MADV_COLD, MADV_MERGEABLE, ...) */
		*modelled = false;
		break;
	}
	if (write_lock)
		up_write(tsk, &mm->mmap_lock);
	else
		up_read(tsk, &mm->mmap_lock);
	return ret;
}

/* ---- mlock ---- */

/* mlock_fixup of vmas[i] over [start, end) (inside it): hugetlb VMAs and VMAs whose lock
 * flags do not change are left alone; others are split at start and end, take newflags,
 * and have their present pages locked or unlocked. Caller holds mmap_lock for write. */
static void mlock_fixup(struct task *tsk, struct mm_struct *mm, u32 i, u64 start, u64 end,
			u64 newflags)
{
	struct vm_area_struct *v = mm->vmas[i];
	u64 old = v->vm_flags;
	if (newflags == old || (old & VM_HUGETLB))
		return;
	if (v->vm_start < start)
		i = split_vma(tsk, mm, i, start);
	if (mm->vmas[i]->vm_end > end)
		split_vma(tsk, mm, i, end);
	v = mm->vmas[i];
	u64 n = (end - start) >> PAGE_SHIFT;
	if (!(newflags & VM_LOCKED))
		mm->locked_vm -= n;
	else if (!(old & VM_LOCKED))
		mm->locked_vm += n;
	v->vm_flags = newflags;
	if ((newflags & VM_LOCKED) != (old & VM_LOCKED))
		mlock_vma_pages_range(tsk, v, start, end);
}

/* __mm_populate: fault in every VMA of [start, end) but on-fault locked ones (holes are
 * skipped). Returns 0 or the first error as gup reports it (-MM_EFAULT, -MM_ENOMEM)
 * unless ignore_errors. Drains this CPU's mlock batch at the end (as 6.18 does). */
static int mm_populate(struct task *tsk, struct mm_struct *mm, u64 start, u64 end,
		       bool ignore_errors)
{
	int ret = 0;
	u64 a = start;
	while (a < end) {
		down_read(tsk, &mm->mmap_lock);
		struct vm_area_struct *v = find_vma(mm, a);
		if (!v || v->vm_start >= end) {
			up_read(tsk, &mm->mmap_lock);
			break;
		}
		u64 s = max(a, v->vm_start), e = min(end, v->vm_end);
		u64 vf = v->vm_flags;
		up_read(tsk, &mm->mmap_lock);
		a = e;
		if ((vf & VM_LOCKONFAULT) || !(vf & (VM_READ | VM_WRITE | VM_EXEC)))
			continue;
		s64 r = touch_range(tsk, mm, s, e - s, (vf & (VM_WRITE | VM_SHARED)) == VM_WRITE);
		if (r < 0 && !ignore_errors) {
			ret = r == -MM_ENOMEM ? -MM_ENOMEM : -MM_EFAULT;
			break;
		}
	}
	populate_drain(tsk);
	return ret;
}

int vm_mlock(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, u64 flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	len = ALIGN_UP(len + (start & (PAGE_SIZE - 1)), PAGE_SIZE);
	start = ALIGN_DOWN(start, PAGE_SIZE);
	u64 end = start + len;
	if (end < start)
		return -MM_EINVAL;
	if (end == start)
		return 0;
	down_write(tsk, &mm->mmap_lock);
	/* apply_vma_lock_flags: VMA by VMA from start; a hole ends it with ENOMEM */
	int ret = 0;
	u64 a = start;
	if (!vma_lookup(mm, start))
		ret = -MM_ENOMEM;
	while (!ret && a < end) {
		u32 i = vma_index(mm, a);
		if (i >= mm->nr_vmas || mm->vmas[i]->vm_start > a) {
			ret = -MM_ENOMEM;
			break;
		}
		u64 e = min(end, mm->vmas[i]->vm_end);
		mlock_fixup(tsk, mm, i, a, e, (mm->vmas[i]->vm_flags & ~VM_LOCKED_MASK) | flags);
		a = e;
	}
	if (a > start)
		merge_range(tsk, mm, start, a);
	up_write(tsk, &mm->mmap_lock);
	if (ret || !(flags & VM_LOCKED))
		return ret;
	ret = mm_populate(tsk, mm, start, end, false);
	/* __mlock_posix_error_return */
	return ret == -MM_EFAULT ? -MM_ENOMEM : ret == -MM_ENOMEM ? -MM_EAGAIN : ret;
}

int vm_mlockall(struct task *tsk, struct mm_struct *mm, u32 flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if ((flags & ~(u32)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -MM_EINVAL;
	if (flags && !(flags & (MCL_CURRENT | MCL_FUTURE)))
		return -MM_EINVAL;
	down_write(tsk, &mm->mmap_lock);
	/* apply_mlockall_flags */
	u64 lockf = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE)
		mm->def_flags |= lockf;
	if (!(flags & MCL_FUTURE) || (flags & MCL_CURRENT)) {
		u64 to_add = (flags & MCL_CURRENT) ? lockf : 0;
		for (u32 i = 0; i < mm->nr_vmas; i++) {
			struct vm_area_struct *v = mm->vmas[i];
			u64 s = v->vm_start, e = v->vm_end;
			mlock_fixup(tsk, mm, i, s, e, (v->vm_flags & ~VM_LOCKED_MASK) | to_add);
		}
		if (mm->nr_vmas)
			merge_range(tsk, mm, mm->vmas[0]->vm_start, mm->vmas[mm->nr_vmas - 1]->vm_end);
	}
	up_write(tsk, &mm->mmap_lock);
	if (flags & MCL_CURRENT)
		mm_populate(tsk, mm, 0, TASK_SIZE, true);
	return 0;
}

/* ---- fork ---- */

int dup_mmap(struct task *tsk, struct mm_struct *oldmm, struct mm_struct *mm)
{
	int ret = 0;
	mm_slab_account(tsk, mm);   /* dup_mm's allocate_mm */
	down_write(tsk, &oldmm->mmap_lock);
	down_write(tsk, &mm->mmap_lock);
	mm->thp_disabled = oldmm->thp_disabled;   /* MMF_DISABLE_THP is in MMF_INIT_MASK */
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->mmap_base = oldmm->mmap_base;
	for (u32 i = 0; i < oldmm->nr_vmas; i++) {
		struct vm_area_struct *src = oldmm->vmas[i];
		if (src->vm_flags & VM_DONTCOPY)
			continue;                 /* MADV_DONTFORK: the child has no such VMA */
		struct vm_area_struct *v = vma_dup(tsk, src, mm);
		v->vm_flags &= ~VM_LOCKED_MASK;   /* locks are not inherited */
		if (v->vm_flags & VM_HUGETLB)
			hugetlb_dup_vma_private(v);
		if (!(v->vm_flags & VM_WIPEONFORK))
			anon_vma_fork(tsk, v, src);   /* wiped: no anon_vma, no pages */
		vma_insert_at(mm, mm->nr_vmas, v);
		mm->total_vm += (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		if (v->vm_ops && v->vm_ops->open)
			v->vm_ops->open(tsk, v);
		charge(tsk, tsk->sim->cost->vma_op_ns);
		if (!(v->vm_flags & VM_WIPEONFORK) && copy_page_range(tsk, v, src) < 0) {
			ret = -MM_ENOMEM;
			break;
		}
	}
	if (!ret)
		khugepaged_fork(tsk, mm, oldmm);
	up_write(tsk, &mm->mmap_lock);
	up_write(tsk, &oldmm->mmap_lock);
	return ret;
}

/* ---- invariants ---- */

/* One PMD slot of mm: a huge PMD maps a THP inside a VMA; every PTE of a table from index
 * lo to hi (excluded) lies in a VMA and maps a live page or a used swap slot; the table's
 * present count is right. Adds those PTEs' anon/file/shmem/swap entries to cnt. Returns 0
 * or -1 with msg. */
static int check_pmd_slot(const struct sim *sim, struct mm_struct *mm, const struct pmd_slot *s,
			  unsigned lo, unsigned hi, u64 cnt[4], char *msg, size_t msglen)
{
	if (s->used && s->kind == PMD_HUGE) {
		u64 addr = s->index << PMD_SHIFT;
		struct vm_area_struct *v = vma_lookup(mm, addr);
		if (!v || v->vm_start > addr || v->vm_end < addr + PMD_SIZE) {
			snprintf(msg, msglen, "pid %u: huge PMD at 0x%llx outside every VMA",
				 mm->pid, (unsigned long long)addr);
			return -1;
		}
		if ((v->vm_flags & VM_HUGETLB) || (s->huge & PTE_ZERO))
			return 0;
		u64 head = pte_pfn(s->huge);
		const struct page_desc *pg = &sim->phys->pages[head];
		if (!(pg->flags & PG_transhuge) || !compound_mapcount(pg) || !pg->refcount ||
		    !s->table) {
			snprintf(msg, msglen, "pid %u: huge PMD at 0x%llx maps pfn %llu (flags 0x%x, "
				 "compound mapcount %u, refcount %u, %s deposited table)", mm->pid,
				 (unsigned long long)addr, (unsigned long long)head, pg->flags,
				 compound_mapcount(pg), pg->refcount, s->table ? "a" : "no");
			return -1;
		}
		cnt[0] += HPAGE_PMD_NR;
		return 0;
	}
	if (!s->used || s->kind != PMD_TABLE)
		return 0;
	u32 present = 0;
	for (unsigned k = 0; k < PTRS_PER_PTE; k++)
		present += pte_get(s->table, k) != 0;
	if (present != s->table->nr_present) {
		snprintf(msg, msglen, "pid %u: PTE table at 0x%llx counts %u present, has %u",
			 mm->pid, (unsigned long long)(s->index << PMD_SHIFT), s->table->nr_present,
			 present);
		return -1;
	}
	struct vm_area_struct *v = NULL;
	for (unsigned k = lo; k < hi; k++) {
		pte_t p = pte_get(s->table, k);
		if (!p)
			continue;
		u64 addr = (s->index << PMD_SHIFT) + ((u64)k << PAGE_SHIFT);
		if (!v || addr < v->vm_start || addr >= v->vm_end)
			v = vma_lookup(mm, addr);
		if (!v) {
			snprintf(msg, msglen, "pid %u: PTE at 0x%llx outside every VMA", mm->pid,
				 (unsigned long long)addr);
			return -1;
		}
		if (p & PTE_ZERO)
			continue;
		if (pte_is_swap(p)) {
			cnt[3]++;
			if (!swap_count(sim, pte_to_swp_slot(p))) {
				snprintf(msg, msglen, "pid %u: swap PTE at 0x%llx has no slot %llu",
					 mm->pid, (unsigned long long)addr,
					 (unsigned long long)pte_to_swp_slot(p));
				return -1;
			}
			continue;
		}
		u64 pfn = pte_pfn(p);
		if (pfn >= sim->phys->nr_pages) {
			snprintf(msg, msglen, "pid %u: PTE at 0x%llx maps pfn %llu beyond memory",
				 mm->pid, (unsigned long long)addr, (unsigned long long)pfn);
			return -1;
		}
		const struct page_desc *pg = &sim->phys->pages[pfn];
		if (!pg->refcount || (pg->flags & PG_buddy) || !pg->mapcount ||
		    pg->refcount < pg->mapcount) {
			snprintf(msg, msglen, "pid %u: PTE at 0x%llx maps pfn %llu with refcount %u, "
				 "mapcount %u", mm->pid, (unsigned long long)addr,
				 (unsigned long long)pfn, pg->refcount, pg->mapcount);
			return -1;
		}
		if (pg->flags & PG_anon)
			cnt[0]++;
		else if (v->vm_file && v->vm_file->shmem)
			cnt[2]++;
		else
			cnt[1]++;
	}
	return 0;
}

/* VMAs sorted, page-aligned, non-empty, not overlapping. */
static int check_vmas(struct mm_struct *mm, char *msg, size_t msglen)
{
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		const struct vm_area_struct *v = mm->vmas[i];
		if (v->vm_start >= v->vm_end || (v->vm_start | v->vm_end) & (PAGE_SIZE - 1) ||
		    (i && mm->vmas[i - 1]->vm_end > v->vm_start)) {
			snprintf(msg, msglen, "pid %u: VMA %u [0x%llx, 0x%llx) misplaced", mm->pid, i,
				 (unsigned long long)v->vm_start, (unsigned long long)v->vm_end);
			return -1;
		}
	}
	return 0;
}

int check_mm_range(const struct sim *sim, struct mm_struct *mm, u64 start, u64 end, bool vmas,
		   char *msg, size_t msglen)
{
	if (vmas && check_vmas(mm, msg, msglen) < 0)
		return -1;
	u64 cnt[4] = { 0 };
	u64 first = start >> PMD_SHIFT, last = (end + PMD_SIZE - 1) >> PMD_SHIFT;
	if (end <= start)
		return 0;
	if (last - first > mm->cap_pmds) {   /* a huge range: the table's slots instead */
		for (u32 i = 0; i < mm->cap_pmds; i++) {
			const struct pmd_slot *s = &mm->pmds[i];
			if (s->used && s->index >= first && s->index < last &&
			    check_pmd_slot(sim, mm, s, 0, PTRS_PER_PTE, cnt, msg, msglen) < 0)
				return -1;
		}
		return 0;
	}
	for (u64 i = first; i < last; i++) {
		const struct pmd_slot *s = pmd_lookup(mm, i << PMD_SHIFT);
		u64 lo = max(start, i << PMD_SHIFT), hi = min(end, (i + 1) << PMD_SHIFT);
		unsigned klo = (unsigned)((lo >> PAGE_SHIFT) & (PTRS_PER_PTE - 1));
		unsigned khi = (unsigned)(((hi - 1) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) + 1;
		if (s && check_pmd_slot(sim, mm, s, klo, khi, cnt, msg, msglen) < 0)
			return -1;
	}
	return 0;
}

int check_mm(const struct sim *sim, struct mm_struct *mm, char *msg, size_t msglen)
{
	if (check_vmas(mm, msg, msglen) < 0)
		return -1;
	u64 cnt[4] = { 0 };
	for (u32 i = 0; i < mm->cap_pmds; i++)
		if (check_pmd_slot(sim, mm, &mm->pmds[i], 0, PTRS_PER_PTE, cnt, msg, msglen) < 0)
			return -1;
	u64 anon = cnt[0], file = cnt[1], shmem = cnt[2], swapped = cnt[3];
	if (swapped != mm->swap_ents) {
		snprintf(msg, msglen, "pid %u: %llu swap PTEs, MM_SWAPENTS %llu", mm->pid,
			 (unsigned long long)swapped, (unsigned long long)mm->swap_ents);
		return -1;
	}
	if (anon != mm->rss_anon || file != mm->rss_file || shmem != mm->rss_shmem) {
		snprintf(msg, msglen, "pid %u: RSS anon/file/shmem %llu/%llu/%llu, PTEs %llu/%llu/%llu",
			 mm->pid, (unsigned long long)mm->rss_anon, (unsigned long long)mm->rss_file,
			 (unsigned long long)mm->rss_shmem, (unsigned long long)anon,
			 (unsigned long long)file, (unsigned long long)shmem);
		return -1;
	}
	return 0;
}
