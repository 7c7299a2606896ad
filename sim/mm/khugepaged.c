/* khugepaged.c - the khugepaged thread, hpage_collapse_scan_pmd(), collapse_huge_page() with
 * the seed 001 variants, MADV_COLLAPSE, and the stale-VMA check. See khugepaged.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lockdep.h"
#include "locks/mutex.h"
#include "locks/rwsem.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"
#include "stats/json.h"
#include "stats/sampler.h"
#include "mm/gfp.h"
#include "mm/huge_memory.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "stats/timeline.h"

static const char *const scan_result_names[] = {
#define SCAN_NAME(e, n) n,
	SCAN_RESULTS(SCAN_NAME)
#undef SCAN_NAME
};

const char *scan_result_name(enum scan_result r)
{
	return (unsigned)r < NR_SCAN_RESULTS ? scan_result_names[r] : "?";
}

/* The 2016 allocstall gate reads sum_vm_event(), which took get_online_cpus(): the
 * cpu_hotplug.lock. CPU hot-unplug removes sysfs files under it (kernfs s_active), and a
 * sysfs write holds s_active while it may fault (mmap_lock). */
static DEFINE_LOCK_CLASS(cpu_hotplug_lock_class, "cpu_hotplug.lock", LOCK_MUTEX);
static DEFINE_LOCK_CLASS(kernfs_active_class, "s_active", LOCK_RWSEM);

/* A collapse between its mmap_lock holds: what it saw of the VMA, and the VMA changes made
 * meanwhile (for the stale-VMA report). */
struct collapse_window {
	struct mm_struct *mm;
	u64 addr;
	u64 vm_id, vm_obj, vm_start, vm_end;
	u64 open_ns;
	const char *phase;
	char *log;
	size_t len;
	struct collapse_window *next;
};

struct collapse_control {
	bool is_khugepaged;
	u32 node_load[MAX_NUMNODES];
	u64 alloc_nmask;
	struct collapse_window win;
};

/* One task's page faults while its mm was registered: mmap_lock wait and latency (ns). */
struct fault_samples {
	u32 task_id;
	char name[TASK_COMM_LEN + 12];
	struct u64_vec wait, lat;
};

struct khugepaged {
	struct sim *sim;
	struct khugepaged_cfg cfg;         /* the sysfs values (copied: writable at run time) */
	unsigned swapin_lock, revalidate, swapin_gate, allocstall_read;
	struct mm_struct **slots;          /* mm slots in list order */
	u32 nr_slots, cap_slots;
	struct mm_struct *scan_mm;         /* khugepaged_scan.mm_slot (NULL: at the list head) */
	u64 scan_address;
	struct task *tsk;                  /* the thread, once started */
	bool waiting;                      /* parked until an mm is registered */
	bool sleeping;                     /* in its scan_sleep_millisecs sleep */
	u32 collapsing;                    /* collapse_huge_page calls in flight (--check) */
	u64 allocstall;                    /* the 2016 gate's snapshot */
	struct collapse_window *windows;   /* open windows (khugepaged's and MADV_COLLAPSE's) */
	struct khugepaged_stats st;
	/* vm_area_cachep objects: freed ones are reused last-freed first */
	u64 next_vm_id, next_vm_obj;
	u64 *free_objs;
	u32 nr_free_objs, cap_free_objs;
	struct mutex cpu_hotplug_lock;
	struct rw_semaphore kernfs_active;
	bool hotplug_chain_done;
	struct collapse_control cc;        /* khugepaged's own */
	struct fault_samples *fs;          /* faults in registered mms, per task */
	u32 nr_fs;
	u64 last_anon, last_huge;          /* anon pages and THP pages at the last sample with any */
	u64 share50_ns, share90_ns;        /* first sample with >= 50% / 90% of anon in THPs */
};

static struct khugepaged *kh(const struct sim *sim)
{
	return sim->khugepaged;
}

/* ---- VMA identities ---- */

void vma_ids_assign(struct sim *sim, struct vm_area_struct *vma)
{
	struct khugepaged *k = kh(sim);
	if (!k) {
		vma->vm_id = vma->vm_obj = 0;
		return;
	}
	vma->vm_id = ++k->next_vm_id;
	vma->vm_obj = k->nr_free_objs ? k->free_objs[--k->nr_free_objs] : ++k->next_vm_obj;
}

void vma_ids_release(struct sim *sim, const struct vm_area_struct *vma)
{
	struct khugepaged *k = kh(sim);
	if (!k || !vma->vm_obj)
		return;
	if (k->nr_free_objs == k->cap_free_objs) {
		k->cap_free_objs = k->cap_free_objs ? 2 * k->cap_free_objs : 64;
		k->free_objs = xrealloc(k->free_objs, k->cap_free_objs * sizeof(u64));
	}
	k->free_objs[k->nr_free_objs++] = vma->vm_obj;
}

/* ---- eligibility ---- */

static bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}

/* hugepage_vma_check as khugepaged asks it (not in a fault, not for smaps); file and
 * shmem VMAs are left alone (their collapse is not modelled). */
static bool collapse_vma_check(const struct sim *sim, const struct vm_area_struct *vma,
			       bool enforce_sysfs)
{
	return vma_is_anonymous(vma) && hugepage_vma_check(sim, vma, false, false, enforce_sysfs);
}

static unsigned thp_enabled(const struct sim *sim)
{
	return thp_cfg(sim)->enabled;
}

/* ---- mm slots ---- */

static int slot_index(const struct khugepaged *k, const struct mm_struct *mm)
{
	for (u32 i = 0; i < k->nr_slots; i++)
		if (k->slots[i] == mm)
			return (int)i;
	return -1;
}

static bool test_exit(const struct mm_struct *mm)
{
	return mm->users == 0;
}

void mmdrop(struct mm_struct *mm)
{
	if (--mm->mm_count == 0 && mm->users == 0) {
		free(mm->vmas);
		free(mm);
	}
}

static void khugepaged_main(struct task *tsk);

static void khugepaged_wake(struct task *tsk, struct khugepaged *k)
{
	if (!k->tsk) {
		/* started with the first registered mm: before, it would only wait */
		struct sim *sim = k->sim;
		/* unbound in the kernel: here on the last CPU, away from the first workload threads */
		k->tsk = engine_spawn(sim->eng, "khugepaged", sim->topo->nr_cpus - 1, true, 0,
				      khugepaged_main, k, NULL);
		return;
	}
	if (k->waiting) {
		k->waiting = false;
		task_unpark(tsk, k->tsk);
	}
}

static void __khugepaged_enter(struct task *tsk, struct khugepaged *k, struct mm_struct *mm)
{
	if (test_exit(mm) || slot_index(k, mm) >= 0)
		return;
	bool wakeup = k->nr_slots == 0;
	if (k->nr_slots == k->cap_slots) {
		k->cap_slots = k->cap_slots ? 2 * k->cap_slots : 16;
		k->slots = xrealloc(k->slots, k->cap_slots * sizeof(*k->slots));
	}
	k->slots[k->nr_slots++] = mm;      /* behind the cursor: let it settle */
	mm->mm_count++;                    /* mmgrab */
	if (wakeup)
		khugepaged_wake(tsk, k);
}

static void enter_vma(struct task *tsk, struct vm_area_struct *vma)
{
	struct khugepaged *k = kh(tsk->sim);
	if (!k || thp_enabled(tsk->sim) == THP_NEVER)
		return;
	if (slot_index(k, vma->vm_mm) >= 0)
		return;
	if (collapse_vma_check(tsk->sim, vma, true))
		__khugepaged_enter(tsk, k, vma->vm_mm);
}

void khugepaged_fork(struct task *tsk, struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct khugepaged *k = kh(tsk->sim);
	if (k && slot_index(k, oldmm) >= 0)
		__khugepaged_enter(tsk, k, mm);
}

static void slot_remove(struct khugepaged *k, int i)
{
	struct mm_struct *mm = k->slots[i];
	memmove(&k->slots[i], &k->slots[i + 1], (k->nr_slots - (u32)i - 1) * sizeof(*k->slots));
	k->nr_slots--;
	mmdrop(mm);
}

void khugepaged_exit(struct task *tsk, struct mm_struct *mm)
{
	struct khugepaged *k = kh(tsk->sim);
	if (!k)
		return;
	khugepaged_note_vma_change(tsk, mm, "exit (last user of the mm)", 0, 0);
	int i = slot_index(k, mm);
	if (i < 0)
		return;
	if (k->scan_mm != mm) {
		slot_remove(k, i);
		return;
	}
	/* khugepaged works on this mm under mmap_lock read: wait for it to finish */
	down_write(tsk, &mm->mmap_lock);
	up_write(tsk, &mm->mmap_lock);
}

/* collect_mm_slot: the slot of an exiting mm goes with the cursor's move. */
static void collect_mm_slot(struct khugepaged *k, struct mm_struct *mm)
{
	int i = slot_index(k, mm);
	if (i >= 0 && test_exit(mm))
		slot_remove(k, i);
}

/* ---- the stale-VMA window ---- */

static void window_open(struct task *tsk, struct collapse_control *cc, struct mm_struct *mm,
			const struct vm_area_struct *vma, u64 addr, const char *phase)
{
	struct khugepaged *k = kh(tsk->sim);
	struct collapse_window *w = &cc->win;
	free(w->log);
	*w = (struct collapse_window){ .mm = mm, .addr = addr, .vm_id = vma->vm_id,
				       .vm_obj = vma->vm_obj, .vm_start = vma->vm_start,
				       .vm_end = vma->vm_end, .open_ns = task_now(tsk),
				       .phase = phase, .next = k->windows };
	k->windows = w;
}

static void window_close(struct task *tsk, struct collapse_control *cc)
{
	struct khugepaged *k = kh(tsk->sim);
	for (struct collapse_window **p = &k->windows; *p; p = &(*p)->next) {
		if (*p == &cc->win) {
			*p = cc->win.next;
			break;
		}
	}
	cc->win.next = NULL;
	cc->win.mm = NULL;
}

static void window_free(struct collapse_control *cc)
{
	free(cc->win.log);
	cc->win.log = NULL;
	cc->win.len = 0;
}

void khugepaged_note_vma_change(struct task *tsk, struct mm_struct *mm, const char *what,
				u64 start, u64 end)
{
	struct khugepaged *k = kh(tsk->sim);
	if (!k)
		return;
	for (struct collapse_window *w = k->windows; w; w = w->next) {
		if (w->mm != mm)
			continue;
		char *line = start == end ? xasprintf("  %.9f s  %s/%u: %s\n", task_now(tsk) / 1e9,
						      tsk->comm, tsk->id, what)
					  : xasprintf("  %.9f s  %s/%u: %s [0x%llx, 0x%llx)\n",
						      task_now(tsk) / 1e9, tsk->comm, tsk->id, what,
						      (unsigned long long)start, (unsigned long long)end);
		size_t n = strlen(line);
		w->log = xrealloc(w->log, w->len + n + 1);
		memcpy(w->log + w->len, line, n + 1);
		w->len += n;
		free(line);
	}
}

/* ---- scan ---- */

/* find_pmd_or_thp_or_none: SCAN_SUCCEED when a PTE table maps addr's 2 MiB range. No PMD
 * level at all (nothing ever mapped in the 1 GiB around it) is SCAN_PMD_NULL. */
static enum scan_result find_pmd_or_thp_or_none(struct mm_struct *mm, u64 addr)
{
	struct pmd_slot *s = pmd_lookup(mm, addr);
	if (s && s->kind == PMD_TABLE)
		return SCAN_SUCCEED;
	if (s && s->kind == PMD_HUGE)
		return SCAN_PMD_MAPPED;
	u64 pud = ALIGN_DOWN(addr, 1ULL << 30);
	for (u64 a = pud; a < pud + (1ULL << 30); a += PMD_SIZE)
		if (pmd_lookup(mm, a))
			return SCAN_PMD_NONE;
	return SCAN_PMD_NULL;
}

/* With node reclaim on, pages on nodes farther apart than node_reclaim_distance (30) stop
 * the scan (hpage_collapse_scan_abort). */
static bool scan_abort(struct sim *sim, unsigned nid, const struct collapse_control *cc)
{
	if (!sim->scn->kernel.vm.zone_reclaim_mode || cc->node_load[nid])
		return false;
	for (unsigned i = 0; i < sim->topo->nr_nodes; i++)
		if (cc->node_load[i] && node_distance(sim->topo, nid, i) > 30)
			return true;
	return false;
}

/* The page whose LRU entry, node and flags stand for pfn: the THP head for a subpage. */
static u64 lru_pfn(const struct page_desc *pg, u64 pfn)
{
	return page_is_thp(pg) ? thp_head(pfn) : pfn;
}

/* page_mapcount(): the PTEs mapping this page, plus the huge PMDs mapping its THP. */
static unsigned page_mapcount(struct sim *sim, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	if (!page_is_thp(pg))
		return pg->mapcount;
	return pg->mapcount + compound_mapcount(pfn_to_page(sim->phys, thp_head(pfn)));
}

/* is_refcount_suitable: no reference besides the mappings and the swap cache's (a GUP pin,
 * another isolation). References are per subpage for a THP (huge_memory.h). */
static bool refcount_suitable(struct sim *sim, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	unsigned expected = pg->mapcount + ((pg->flags & PG_swapcache) ? 1 : 0);
	if (page_is_thp(pg) && thp_head(pfn) == pfn)
		expected += compound_mapcount(pg);
	return pg->refcount == expected;
}

static bool page_referenced_young(pte_t p, const struct page_desc *head)
{
	return (p & PTE_YOUNG) || (head->flags & PG_referenced);
}

static void count_result(struct khugepaged *k, const struct collapse_control *cc,
			 enum scan_result r)
{
	k->st.result[cc->is_khugepaged ? COLLAPSE_KHUGEPAGED : COLLAPSE_MADVISE][r]++;
}

static enum scan_result collapse_huge_page(struct task *tsk, struct mm_struct *mm, u64 addr,
					   int referenced, int unmapped, struct collapse_control *cc);

/* hpage_collapse_scan_pmd: with mmap_lock read held; *mmap_locked false when a collapse was
 * attempted (it returns with the lock released). */
static enum scan_result hpage_collapse_scan_pmd(struct task *tsk, struct mm_struct *mm,
						struct vm_area_struct *vma, u64 addr,
						bool *mmap_locked, struct collapse_control *cc)
{
	struct sim *sim = tsk->sim;
	struct khugepaged *k = kh(sim);
	const struct khugepaged_cfg *cfg = &k->cfg;
	int none_or_zero = 0, shared = 0, referenced = 0, unmapped = 0;
	bool writable = false;
	enum scan_result result = find_pmd_or_thp_or_none(mm, addr);
	if (result != SCAN_SUCCEED)
		return result;
	memset(cc->node_load, 0, sizeof(cc->node_load));
	struct pte_table *t = pmd_lookup(mm, addr)->table;
	spin_lock(tsk, &t->ptl);
	result = SCAN_FAIL;
	unsigned i;
	for (i = 0; i < PTRS_PER_PTE; i++) {
		pte_t p = pte_get(t, i);
		if (pte_is_swap(p)) {
			++unmapped;
			if (!cc->is_khugepaged || unmapped <= (int)cfg->max_ptes_swap)
				continue;
			result = SCAN_EXCEED_SWAP_PTE;
			count_vm_event(tsk, THP_SCAN_EXCEED_SWAP_PTE);
			goto out_unmap;
		}
		if (!p || (p & PTE_ZERO)) {
			++none_or_zero;
			if (!cc->is_khugepaged || none_or_zero <= (int)cfg->max_ptes_none)
				continue;
			result = SCAN_EXCEED_NONE_PTE;
			count_vm_event(tsk, THP_SCAN_EXCEED_NONE_PTE);
			goto out_unmap;
		}
		if (!(p & PTE_PRESENT)) {
			result = SCAN_PAGE_NULL;  /* another non-present entry (migration) */
			goto out_unmap;
		}
		if (p & PTE_WRITE)
			writable = true;
		u64 pfn = pte_pfn(p);
		if (page_mapcount(sim, pfn) > 1) {
			++shared;
			if (cc->is_khugepaged && shared > (int)cfg->max_ptes_shared) {
				result = SCAN_EXCEED_SHARED_PTE;
				count_vm_event(tsk, THP_SCAN_EXCEED_SHARED_PTE);
				goto out_unmap;
			}
		}
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		struct page_desc *head = pfn_to_page(sim->phys, lru_pfn(pg, pfn));
		unsigned nid = page_to_nid(sim->phys, pfn);
		if (scan_abort(sim, nid, cc)) {
			result = SCAN_SCAN_ABORT;
			goto out_unmap;
		}
		cc->node_load[nid]++;
		/* a page still in a CPU's lru_add batch counts as on the LRU: the kernel's
		 * lru_add_drain_all() at the start of the pass put it there */
		if (!(head->flags & (PG_lru | PG_lru_pending))) {
			result = SCAN_PAGE_LRU;
			goto out_unmap;
		}
		if (!(pg->flags & PG_anon)) {
			result = SCAN_PAGE_ANON;
			goto out_unmap;
		}
		if (!refcount_suitable(sim, pfn)) {
			result = SCAN_PAGE_COUNT;
			goto out_unmap;
		}
		if (cc->is_khugepaged && page_referenced_young(p, head))
			referenced++;
	}
	if (!writable) {
		result = SCAN_PAGE_RO;
	} else if (cc->is_khugepaged &&
		   (!referenced ||
		    (k->swapin_gate == SWAPIN_GATE_REFERENCED && unmapped &&
		     referenced < (int)HPAGE_PMD_NR / 2))) {
		result = SCAN_LACK_REFERENCED_PAGE;
	} else {
		result = SCAN_SUCCEED;
	}
out_unmap:
	/* the walk: a PTE read per entry looked at */
	charge(tsk, (u64)min_t(unsigned, i + 1, PTRS_PER_PTE) * sim->cost->pte_update_ns / 4);
	spin_unlock(tsk, &t->ptl);
	if (result == SCAN_SUCCEED) {
		kh(sim)->collapsing++;
		tl_begin(tsk, TL_COLLAPSE, addr);
		result = collapse_huge_page(tsk, mm, addr, referenced, unmapped, cc);
		tl_end(tsk, TL_COLLAPSE);
		kh(sim)->collapsing--;
		*mmap_locked = false;
	}
	return result;
}

/* ---- collapse ---- */

/* hpage_collapse_find_target_node: the node most scanned pages are on; every node tied
 * with it may be used. */
static int find_target_node(const struct sim *sim, struct collapse_control *cc)
{
	unsigned target = 0, best = 0;
	for (unsigned n = 0; n < sim->topo->nr_nodes; n++) {
		if (cc->node_load[n] > best) {
			best = cc->node_load[n];
			target = n;
		}
	}
	cc->alloc_nmask = 0;
	for (unsigned n = 0; n < sim->topo->nr_nodes; n++)
		if (cc->node_load[n] == best)
			cc->alloc_nmask |= 1ULL << n;
	return (int)target;
}

/* hugepage_vma_revalidate (6.1): the VMA at addr still exists, still holds the aligned
 * range, is still eligible and anonymous; and the mm has not exited. */
static enum scan_result hugepage_vma_revalidate(struct sim *sim, struct mm_struct *mm, u64 addr,
						struct vm_area_struct **vmap,
						const struct collapse_control *cc)
{
	if (test_exit(mm))
		return SCAN_ANY_PROCESS;
	struct vm_area_struct *vma = find_vma(mm, addr);
	*vmap = vma;
	if (!vma)
		return SCAN_VMA_NULL;
	if (!transhuge_vma_suitable(vma, addr))
		return SCAN_ADDRESS_RANGE;
	if (!collapse_vma_check(sim, vma, cc->is_khugepaged))
		return SCAN_VMA_CHECK;
	if (!vma->anon_vma || !vma_is_anonymous(vma))
		return SCAN_PAGE_ANON;
	return SCAN_SUCCEED;
}

/* The sum of ALLOCSTALL over nodes and zones (2016's sum_vm_event), under cpu_hotplug.lock. */
static u64 sum_allocstall(struct task *tsk, struct khugepaged *k)
{
	mutex_lock(tsk, &k->cpu_hotplug_lock);
	const struct vmstat *vs = tsk->sim->vmstat;
	u64 s = (u64)(global_vm_state(vs, ALLOCSTALL_DMA32) + global_vm_state(vs, ALLOCSTALL_NORMAL) +
		      global_vm_state(vs, ALLOCSTALL_MOVABLE));
	charge(tsk, tsk->sim->cost->atomic_local_ns * tsk->sim->topo->nr_cpus);
	mutex_unlock(tsk, &k->cpu_hotplug_lock);
	return s;
}

/* After the lock trade: is the collapse going on with a VMA the 6.1 revalidation would
 * refuse, or with the old VMA object after its VMA went? NULL when not stale. */
static const char *stale_reason(struct sim *sim, struct mm_struct *mm,
				const struct collapse_control *cc)
{
	const struct collapse_window *w = &cc->win;
	if (test_exit(mm))
		return "the mm exited";
	struct vm_area_struct *v = find_vma(mm, w->addr);
	if (!v || v->vm_start > w->addr)
		return "the VMA was unmapped";
	if (v->vm_id != w->vm_id) {
		struct vm_area_struct *tmp;
		if (hugepage_vma_revalidate(sim, mm, w->addr, &tmp, cc) == SCAN_SUCCEED &&
		    v->vm_obj == w->vm_obj)
			return NULL;   /* a new VMA in the old object, as the full check accepts */
		if (v->vm_obj == w->vm_obj)
			return !vma_is_anonymous(v) ? "the VMA was replaced by a non-anonymous one in "
						      "the freed VMA's object"
						    : "the VMA was replaced by another in the freed "
						      "VMA's object";
		return "the VMA was replaced (the old VMA object is freed)";
	}
	if (!transhuge_vma_suitable(v, w->addr))
		return "the VMA was resized off the range";
	if (!vma_is_anonymous(v))
		return "the VMA was made non-anonymous";
	if (!collapse_vma_check(sim, v, cc->is_khugepaged) || !v->anon_vma)
		return "the VMA is no longer eligible";
	return NULL;
}

static void report_stale(struct task *tsk, struct mm_struct *mm, const struct collapse_control *cc,
			 const char *reason, const char *variant, const char *retaken)
{
	const struct collapse_window *w = &cc->win;
	finding_report(tsk->sim->findings, FINDING_STALE_VMA, task_now(tsk),
		       "%s/%u collapse of [0x%llx, 0x%llx) in mm of pid %u went on with a stale VMA "
		       "(revalidate=%s): %s\n"
		       "  %.9f s  %s/%u: dropped mmap_lock (%s), VMA [0x%llx, 0x%llx)\n"
		       "%s"
		       "  %.9f s  %s/%u: took mmap_lock for %s and went on",
		       tsk->comm, tsk->id, (unsigned long long)w->addr,
		       (unsigned long long)(w->addr + PMD_SIZE), mm->pid, variant, reason,
		       w->open_ns / 1e9, tsk->comm, tsk->id, w->phase,
		       (unsigned long long)w->vm_start, (unsigned long long)w->vm_end,
		       w->log ? w->log : "  (no VMA change recorded)\n", task_now(tsk) / 1e9,
		       tsk->comm, tsk->id, retaken);
}

/* Swap in the range's swap PTEs (__collapse_huge_page_swapin), mmap_lock read held (write
 * in the 2016 design). A page not in the swap cache must be read:
 *  - write variant (2016): FAULT_FLAG_RETRY_NOWAIT, the read is submitted and not waited
 *    for; the PTE stays a swap entry (the isolation fails on it, a later pass maps it);
 *  - read variant, revalidate full (6.1): do_swap_page drops mmap_lock to wait for the I/O
 *    and returns VM_FAULT_RETRY: the collapse is abandoned (SCAN_PAGE_LOCK, *locked false);
 *  - read variant, find_vma_eq / none (seed 001 patch 3): after the wait mmap_lock is taken
 *    again for read and the swap-in goes on if find_vma(addr) is the old VMA object.
 * *vmap is the VMA the caller goes on with. */
static enum scan_result collapse_swapin(struct task *tsk, struct khugepaged *k, struct mm_struct *mm,
					struct vm_area_struct **vmap, u64 haddr, bool *locked,
					u64 *deferred_io, u64 *swapped_in,
					struct collapse_control *cc)
{
	bool nowait = k->swapin_lock == SWAPIN_LOCK_WRITE;
	for (u64 a = haddr; a < haddr + PMD_SIZE; a += PAGE_SIZE) {
		struct pmd_slot *s = pmd_lookup(mm, a);
		if (!s || s->kind != PMD_TABLE)
			return SCAN_PMD_NULL;
		if (!pte_is_swap(pte_get(s->table, pte_index(a))))
			continue;
		/* the read is submitted under mmap_lock (swapin_readahead) */
		u64 io = 0;
		vm_fault_t r = collapse_swapin_one(tsk, *vmap, a, true, &io);
		k->st.swapin_reads += io;
		if (r == VM_FAULT_RETRY) {
			if (nowait) {
				*deferred_io += io;
				continue;       /* left as a swap entry: the isolation will fail */
			}
			/* do_swap_page drops mmap_lock to wait for the page's I/O */
			if (k->revalidate != REVALIDATE_FULL)
				window_open(tsk, cc, mm, *vmap, haddr, "to wait for a swap-in read");
			up_read(tsk, &mm->mmap_lock);
			if (io)
				swap_io(tsk, false, io);
			if (k->revalidate == REVALIDATE_FULL) {
				*locked = false;
				return SCAN_PAGE_LOCK;
			}
			down_read(tsk, &mm->mmap_lock);
			window_close(tsk, cc);
			struct vm_area_struct *v = find_vma(mm, haddr);
			if (!v || v->vm_obj != cc->win.vm_obj) {
				window_free(cc);
				return SCAN_VMA_NULL;   /* "vma is no longer available" */
			}
			const char *why = stale_reason(tsk->sim, mm, cc);
			if (why) {
				report_stale(tsk, mm, cc, why,
					     k->revalidate == REVALIDATE_NONE ? "none" : "find_vma_eq", "read");
				k->st.stale_collapses++;
				window_free(cc);
				return SCAN_FAIL;       /* the kernel would go on: we cannot */
			}
			window_free(cc);
			*vmap = v;
			a -= PAGE_SIZE;                 /* this PTE again: its page is cached now */
			continue;
		}
		if (r & (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
			return SCAN_FAIL;
		if (!r) {
			(*swapped_in)++;
			k->st.swapins++;
		}
	}
	if (*swapped_in)
		lru_add_drain(tsk);
	return SCAN_SUCCEED;
}

/* The pages a collapse took off the LRU (a THP's head once for all its subpages). */
struct isolated {
	u64 pfn[PTRS_PER_PTE];
	unsigned n;
};

static bool isolated_has(const struct isolated *iso, u64 pfn)
{
	for (unsigned i = 0; i < iso->n; i++)
		if (iso->pfn[i] == pfn)
			return true;
	return false;
}

static void release_isolated(struct task *tsk, struct isolated *iso)
{
	for (unsigned i = 0; i < iso->n; i++) {
		u64 pfn = iso->pfn[i];
		struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
		s64 nr = page_is_thp(pg) ? HPAGE_PMD_NR : 1;
		mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_ISOLATED_ANON, -nr);
		putback_lru_page(tsk, pfn);
	}
	iso->n = 0;
}

/* __collapse_huge_page_isolate: with mmap_lock write, anon_vma write and the PTE lock;
 * the PMD is cleared (no fault can reach the table). */
static enum scan_result collapse_isolate(struct task *tsk, struct khugepaged *k,
					 struct pte_table *t, struct collapse_control *cc,
					 struct isolated *iso)
{
	struct sim *sim = tsk->sim;
	int none_or_zero = 0, shared = 0, referenced = 0;
	bool writable = false;
	enum scan_result result;
	iso->n = 0;
	for (unsigned i = 0; i < PTRS_PER_PTE; i++) {
		pte_t p = pte_get(t, i);
		if (!p || (p & PTE_ZERO)) {
			++none_or_zero;
			if (!cc->is_khugepaged || none_or_zero <= (int)k->cfg.max_ptes_none)
				continue;
			result = SCAN_EXCEED_NONE_PTE;
			count_vm_event(tsk, THP_SCAN_EXCEED_NONE_PTE);
			goto out;
		}
		if (!(p & PTE_PRESENT)) {
			result = SCAN_PTE_NON_PRESENT;
			goto out;
		}
		u64 pfn = pte_pfn(p);
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		if (page_mapcount(sim, pfn) > 1) {
			++shared;
			if (cc->is_khugepaged && shared > (int)k->cfg.max_ptes_shared) {
				result = SCAN_EXCEED_SHARED_PTE;
				count_vm_event(tsk, THP_SCAN_EXCEED_SHARED_PTE);
				goto out;
			}
		}
		u64 lp = lru_pfn(pg, pfn);
		struct page_desc *head = pfn_to_page(sim->phys, lp);
		if (lp != pfn && isolated_has(iso, lp))
			goto next;            /* this THP is isolated already */
		if (!refcount_suitable(sim, pfn)) {
			result = SCAN_PAGE_COUNT;
			goto out;
		}
		if (!isolate_lru_page(tsk, lp, false)) {
			result = SCAN_DEL_PAGE_LRU;
			goto out;
		}
		iso->pfn[iso->n++] = lp;
		mod_node_page_state(tsk, page_to_nid(sim->phys, lp), NR_ISOLATED_ANON,
				    lp != pfn ? HPAGE_PMD_NR : 1);
next:
		if (p & PTE_WRITE)
			writable = true;
		if (cc->is_khugepaged && page_referenced_young(p, head))
			referenced++;
	}
	charge(tsk, PTRS_PER_PTE * sim->cost->pte_update_ns / 4);
	if (!writable)
		result = SCAN_PAGE_RO;
	else if (cc->is_khugepaged && !referenced)
		result = SCAN_LACK_REFERENCED_PAGE;
	else
		return SCAN_SUCCEED;
out:
	release_isolated(tsk, iso);
	return result;
}

/* __collapse_huge_page_copy: every 4 KiB of the huge page zeroed or copied from the page
 * the PTE maps; the PTEs are cleared, the old pages lose their mapping, go back to the
 * LRU and are freed with their last reference. */
static void collapse_copy(struct task *tsk, struct vm_area_struct *vma, struct pte_table *t,
			  struct isolated *iso)
{
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	u64 old[PTRS_PER_PTE];
	unsigned n = 0;
	for (unsigned i = 0; i < PTRS_PER_PTE; i++) {
		pte_t p = pte_get(t, i);
		if (!p || (p & PTE_ZERO)) {
			charge(tsk, sim->cost->zero_4k_ns);
			if (p) {
				pte_clear(t, i);
				t->nr_present--;
			}
			continue;
		}
		u64 pfn = pte_pfn(p);
		charge(tsk, sim->cost->copy_4k_ns);
		spin_lock(tsk, &t->ptl);
		pte_clear(t, i);
		t->nr_present--;
		page_remove_rmap(tsk, mm, pfn, NULL);
		charge(tsk, sim->cost->pte_update_ns);
		spin_unlock(tsk, &t->ptl);
		old[n++] = pfn;
	}
	release_isolated(tsk, iso);
	for (unsigned i = 0; i < n; i++) {
		u64 pfn = old[i];
		struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		/* free_page_and_swap_cache: a swap cache page nobody maps any more leaves it */
		if ((pg->flags & PG_swapcache) && !pg->mapcount && pg->refcount == 2 &&
		    !swap_count(sim, page_swap_slot(sim, pfn)))
			delete_from_swap_cache(tsk, pfn);
		put_user_page(tsk, pfn);
	}
}

/* collapse_huge_page: called with mmap_lock read held, returns with it released. */
static enum scan_result collapse_huge_page(struct task *tsk, struct mm_struct *mm, u64 addr,
					   int referenced, int unmapped, struct collapse_control *cc)
{
	struct sim *sim = tsk->sim;
	struct khugepaged *k = kh(sim);
	enum scan_result result;
	struct vm_area_struct *vma = find_vma(mm, addr);
	bool write_variant = k->swapin_lock == SWAPIN_LOCK_WRITE;
	bool gate_allocstall = k->swapin_gate == SWAPIN_GATE_ALLOCSTALL;
	u64 curr_allocstall = 0, deferred_io = 0, swapped_in = 0, write_since = 0;
	bool have_allocstall = false, write_held = false;
	(void)referenced;

	/* 1. no mmap_lock for the allocation */
	window_open(tsk, cc, mm, vma, addr, "to allocate the huge page");
	up_read(tsk, &mm->mmap_lock);
	gfp_t gfp = !cc->is_khugepaged || k->cfg.defrag ? GFP_TRANSHUGE : GFP_TRANSHUGE_LIGHT;
	int node = find_target_node(sim, cc);
	u64 hpfn = alloc_transhuge_page(tsk, gfp, node, cc->alloc_nmask);
	if (hpfn == PFN_NONE) {
		count_vm_event(tsk, THP_COLLAPSE_ALLOC_FAILED);
		window_close(tsk, cc);
		window_free(cc);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}
	count_vm_event(tsk, THP_COLLAPSE_ALLOC);

	if (gate_allocstall && k->allocstall_read == ALLOCSTALL_BEFORE_MMAP_LOCK) {
		curr_allocstall = sum_allocstall(tsk, k);    /* seed 001 patch 2 */
		have_allocstall = true;
	}
	/* 2. revalidate under mmap_lock (write at once in the 2016 design) */
	if (write_variant) {
		down_write(tsk, &mm->mmap_lock);
		write_held = true;
		write_since = task_now(tsk);
	} else {
		down_read(tsk, &mm->mmap_lock);
	}
	window_close(tsk, cc);
	window_free(cc);
	result = hugepage_vma_revalidate(sim, mm, addr, &vma, cc);
	if (result == SCAN_SUCCEED)
		result = find_pmd_or_thp_or_none(mm, addr);
	if (result != SCAN_SUCCEED)
		goto out_unlock;
	if (gate_allocstall && !have_allocstall) {
		curr_allocstall = sum_allocstall(tsk, k);    /* under mmap_lock: the cycle */
		have_allocstall = true;
	}

	/* 3. swap-in */
	if (unmapped) {
		bool go;
		switch (k->swapin_gate) {
		case SWAPIN_GATE_ALLOCSTALL:
			go = curr_allocstall == k->allocstall && mm->swap_ents;
			break;
		case SWAPIN_GATE_NEVER:
			go = false;
			break;
		default:
			go = true;   /* referenced: the scan already asked for >= 256 young PTEs */
		}
		if (!go) {
			k->st.swapin_skipped++;
		} else {
			bool locked = true;
			result = collapse_swapin(tsk, k, mm, &vma, addr, &locked, &deferred_io,
						 &swapped_in, cc);
			if (!locked) {
				k->st.swapins_wasted += swapped_in;
				goto out_free;       /* mmap_lock already released */
			}
			if (result != SCAN_SUCCEED)
				goto out_unlock;
		}
	}

	/* 4. mmap_lock for write: the 6.1 read variant trades its read hold */
	if (!write_variant) {
		window_open(tsk, cc, mm, vma, addr, "to take it for write");
		up_read(tsk, &mm->mmap_lock);
		down_write(tsk, &mm->mmap_lock);
		write_held = true;
		write_since = task_now(tsk);
		window_close(tsk, cc);
		static const char *const rv_names[] = { "full", "find_vma_eq", "none" };
		if (k->revalidate == REVALIDATE_FULL) {
			result = hugepage_vma_revalidate(sim, mm, addr, &vma, cc);
			if (result == SCAN_SUCCEED)
				result = find_pmd_or_thp_or_none(mm, addr);   /* check_pmd_still_valid */
		} else {
			if (k->revalidate == REVALIDATE_FIND_VMA_EQ) {
				struct vm_area_struct *v = find_vma(mm, addr);
				result = v && v->vm_obj == cc->win.vm_obj ? SCAN_SUCCEED : SCAN_VMA_NULL;
			} else {
				result = SCAN_SUCCEED;
			}
			if (result == SCAN_SUCCEED) {
				const char *why = stale_reason(sim, mm, cc);
				if (why) {
					report_stale(tsk, mm, cc, why, rv_names[k->revalidate], "write");
					k->st.stale_collapses++;
					result = SCAN_FAIL;   /* the kernel would go on: we cannot */
				} else {
					vma = find_vma(mm, addr);
					result = find_pmd_or_thp_or_none(mm, addr);
				}
			}
		}
		window_free(cc);
		if (result != SCAN_SUCCEED) {
			k->st.swapins_wasted += swapped_in;
			goto out_unlock;
		}
	}

	/* 5. the atomic part: anon_vma write, PMD cleared, PTEs isolated, copied */
	{
		struct anon_vma *av = vma->anon_vma;
		down_write(tsk, &av->rwsem);
		struct pte_table *t = pmdp_collapse_flush(tsk, mm, addr);
		struct isolated *iso = xmalloc(sizeof(*iso));
		spin_lock(tsk, &t->ptl);
		result = collapse_isolate(tsk, k, t, cc, iso);
		spin_unlock(tsk, &t->ptl);
		if (result != SCAN_SUCCEED) {
			spin_lock(tsk, &mm->page_table_lock);
			struct pmd_slot *s = pmd_alloc_slot(mm, addr);
			s->kind = PMD_TABLE;     /* the old table back (pmd_populate) */
			s->table = t;
			spin_unlock(tsk, &mm->page_table_lock);
			up_write(tsk, &av->rwsem);
			free(iso);
			k->st.swapins_wasted += swapped_in;
			goto out_unlock;
		}
		up_write(tsk, &av->rwsem);
		collapse_copy(tsk, vma, t, iso);
		free(iso);
		int r = set_huge_pmd_anon(tsk, vma, addr, hpfn, t);
		if (r) {
			/* an mmsim bug: the PMD was cleared under mmap_lock write */
			fprintf(stderr, "mmsim: bug: set_huge_pmd_anon %d at 0x%llx after the PMD "
				"was cleared\n", r, (unsigned long long)addr);
			abort();
		}
		hpfn = PFN_NONE;
		k->st.collapses[cc->is_khugepaged ? COLLAPSE_KHUGEPAGED : COLLAPSE_MADVISE]++;
		result = SCAN_SUCCEED;
	}

out_unlock:
	if (write_held) {
		u64 held = task_now(tsk) - write_since;
		k->st.write_holds++;
		k->st.write_hold_ns_total += held;
		if (held > k->st.write_hold_ns_max)
			k->st.write_hold_ns_max = held;
		up_write(tsk, &mm->mmap_lock);
	} else {
		up_read(tsk, &mm->mmap_lock);
	}
out_free:
	if (hpfn != PFN_NONE)
		free_transhuge_page(tsk, hpfn);
	if (deferred_io)
		swap_io(tsk, false, deferred_io);   /* the NOWAIT reads' device time */
	return result;
}

/* ---- the thread ---- */

static bool khugepaged_has_work(const struct khugepaged *k)
{
	return k->nr_slots && thp_enabled(k->sim) != THP_NEVER;
}

/* khugepaged_scan_mm_slot: scan from the cursor; returns the pages of progress. */
static unsigned khugepaged_scan_mm_slot(struct task *tsk, struct khugepaged *k, unsigned pages,
					enum scan_result *result, struct collapse_control *cc)
{
	struct sim *sim = tsk->sim;
	unsigned progress = 0;
	if (!k->scan_mm) {
		k->scan_mm = k->slots[0];
		k->scan_address = 0;
	}
	struct mm_struct *mm = k->scan_mm;
	struct vm_area_struct *vma = NULL;
	*result = SCAN_FAIL;
	if (!down_read_trylock(tsk, &mm->mmap_lock)) {
		k->st.trylock_skips++;
		goto breakouterloop_mmap_lock;
	}
	progress++;
	if (test_exit(mm))
		goto breakouterloop;
	while ((vma = find_vma(mm, k->scan_address)) != NULL) {
		if (test_exit(mm)) {
			progress++;
			break;
		}
		u64 hstart = ALIGN_UP(vma->vm_start, PMD_SIZE), hend = ALIGN_DOWN(vma->vm_end, PMD_SIZE);
		if (!collapse_vma_check(sim, vma, true) || k->scan_address > hend ||
		    hstart >= hend) {
			progress++;
			k->scan_address = vma->vm_end;
			continue;
		}
		if (k->scan_address < hstart)
			k->scan_address = hstart;
		while (k->scan_address < hend) {
			bool mmap_locked = true;
			if (test_exit(mm))
				goto breakouterloop;
			*result = hpage_collapse_scan_pmd(tsk, mm, vma, k->scan_address, &mmap_locked, cc);
			count_result(k, cc, *result);
			if (*result == SCAN_SUCCEED)
				k->st.pages_collapsed++;
			k->scan_address += PMD_SIZE;
			progress += HPAGE_PMD_NR;
			if (!mmap_locked)
				goto breakouterloop_mmap_lock;
			if (progress >= pages)
				goto breakouterloop;
		}
		k->scan_address = vma->vm_end;
	}
breakouterloop:
	up_read(tsk, &mm->mmap_lock);
breakouterloop_mmap_lock:
	if (test_exit(mm) || !vma) {
		int i = slot_index(k, mm);
		if (i >= 0 && (u32)i + 1 < k->nr_slots) {
			k->scan_mm = k->slots[i + 1];
			k->scan_address = 0;
		} else {
			k->scan_mm = NULL;
			k->st.full_scans++;
		}
		collect_mm_slot(k, mm);
	}
	return progress;
}

static void khugepaged_do_scan(struct task *tsk, struct khugepaged *k, struct collapse_control *cc)
{
	unsigned progress = 0, pass_through_head = 0, pages = k->cfg.pages_to_scan;
	bool wait = true;
	enum scan_result result = SCAN_SUCCEED;
	k->st.wakeups++;
	lru_add_drain_all(tsk);
	for (;;) {
		if (kthread_should_stop(tsk))
			break;
		if (!k->scan_mm)
			pass_through_head++;
		if (khugepaged_has_work(k) && pass_through_head < 2)
			progress += khugepaged_scan_mm_slot(tsk, k, pages - progress, &result, cc);
		else
			progress = pages;
		if (progress >= pages)
			break;
		if (result == SCAN_ALLOC_HUGE_PAGE_FAIL) {
			if (!wait)
				break;
			wait = false;
			task_park_timeout(tsk, TASK_IDLE, k->cfg.alloc_sleep_ns);
		}
		flush_if_ahead(tsk);
	}
}

/* CPU hot-unplug at boot (the seed's lockdep report): device removal under
 * cpu_hotplug.lock takes kernfs s_active. */
static void cpu_hotplug_chain(struct task *tsk, struct khugepaged *k)
{
	if (k->hotplug_chain_done)
		return;
	k->hotplug_chain_done = true;
	mutex_lock(tsk, &k->cpu_hotplug_lock);
	down_write(tsk, &k->kernfs_active);
	up_write(tsk, &k->kernfs_active);
	mutex_unlock(tsk, &k->cpu_hotplug_lock);
}

static void khugepaged_main(struct task *tsk)
{
	struct khugepaged *k = tsk->priv;
	struct collapse_control *cc = &k->cc;
	if (k->swapin_gate == SWAPIN_GATE_ALLOCSTALL) {
		cpu_hotplug_chain(tsk, k);
		k->allocstall = sum_allocstall(tsk, k);
	}
	while (!kthread_should_stop(tsk)) {
		tl_begin(tsk, TL_KHUGEPAGED_SCAN, k->cfg.pages_to_scan);
		khugepaged_do_scan(tsk, k, cc);
		tl_end(tsk, TL_KHUGEPAGED_SCAN);
		if (kthread_should_stop(tsk))
			break;
		/* khugepaged_wait_work; the 2016 gate's snapshot is taken as it sleeps */
		if (k->swapin_gate == SWAPIN_GATE_ALLOCSTALL)
			k->allocstall = sum_allocstall(tsk, k);
		if (khugepaged_has_work(k)) {
			if (k->cfg.scan_sleep_ns) {
				k->sleeping = true;   /* a write of the sleep knobs ends it */
				task_park_timeout(tsk, TASK_IDLE, k->cfg.scan_sleep_ns);
				k->sleeping = false;
			}
		} else {
			k->waiting = true;
			task_park(tsk, TASK_IDLE);
			k->waiting = false;
		}
	}
	if (k->scan_mm) {
		struct mm_struct *mm = k->scan_mm;
		k->scan_mm = NULL;
		collect_mm_slot(k, mm);
	}
}

/* ---- MADV_COLLAPSE ---- */

static int madvise_collapse_errno(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -MM_ENOMEM;
	case SCAN_CGROUP_CHARGE_FAIL:
		return -MM_EBUSY;
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return -MM_EAGAIN;
	default:
		return -MM_EINVAL;
	}
}

/* madvise_collapse: mmap_lock read held on entry and on return (dropped meanwhile). */
static int madv_collapse(void *arg, struct task *tsk, struct vm_area_struct *vma, u64 start,
			 u64 end)
{
	struct khugepaged *k = arg;
	struct sim *sim = tsk->sim;
	struct mm_struct *mm = vma->vm_mm;
	k->st.madv_collapse_calls++;
	if (vma->vm_file && !(vma->vm_flags & VM_HUGETLB))
		return 1;              /* file/shmem collapse: not modelled */
	if (!collapse_vma_check(sim, vma, false))
		return -MM_EINVAL;
	struct collapse_control cc = { .is_khugepaged = false };
	enum scan_result last_fail = SCAN_FAIL;
	bool mmap_locked = true;
	unsigned thps = 0;
	lru_add_drain_all(tsk);
	u64 hstart = ALIGN_UP(start, PMD_SIZE), hend = ALIGN_DOWN(end, PMD_SIZE);
	for (u64 addr = hstart; addr < hend; addr += PMD_SIZE) {
		enum scan_result result;
		if (!mmap_locked) {
			down_read(tsk, &mm->mmap_lock);
			mmap_locked = true;
			result = hugepage_vma_revalidate(sim, mm, addr, &vma, &cc);
			if (result != SCAN_SUCCEED) {
				last_fail = result;
				count_result(k, &cc, result);
				goto out_nolock;
			}
			hend = min(hend, ALIGN_DOWN(vma->vm_end, PMD_SIZE));
		}
		result = hpage_collapse_scan_pmd(tsk, mm, vma, addr, &mmap_locked, &cc);
		count_result(k, &cc, result);
		switch (result) {
		case SCAN_SUCCEED:
		case SCAN_PMD_MAPPED:
			++thps;
			break;
		case SCAN_PMD_NULL:
		case SCAN_PTE_NON_PRESENT:
		case SCAN_PTE_UFFD_WP:
		case SCAN_PAGE_RO:
		case SCAN_LACK_REFERENCED_PAGE:
		case SCAN_PAGE_NULL:
		case SCAN_PAGE_COUNT:
		case SCAN_PAGE_LOCK:
		case SCAN_PAGE_COMPOUND:
		case SCAN_PAGE_LRU:
		case SCAN_DEL_PAGE_LRU:
			last_fail = result;
			break;
		default:
			last_fail = result;
			goto out_maybelock;
		}
	}
out_maybelock:
	if (!mmap_locked)
		down_read(tsk, &mm->mmap_lock);
out_nolock:
	/* as 6.1 counts: a range holding no whole PMD with its end below the first aligned
	 * start wraps (hend - hstart is unsigned) and fails with last_fail (SCAN_FAIL:
	 * EINVAL), as the real kernels do (tests/real/thp_oracle C4); an aligned empty range
	 * (hend == hstart) succeeds */
	return thps == ((hend - hstart) >> PMD_SHIFT) ? 0 : madvise_collapse_errno(last_fail);
}

/* ---- sysfs and fault latency ---- */

int khugepaged_sysfs_store(struct task *tsk, const char *file, s64 value, bool *known)
{
	struct khugepaged *k = kh(tsk->sim);
	*known = false;
	if (!k || strncmp(file, "khugepaged/", 11))
		return 0;
	const char *name = file + 11;
	static const char *const files[] = { "defrag", "pages_to_scan", "scan_sleep_millisecs",
					     "alloc_sleep_millisecs", "max_ptes_none",
					     "max_ptes_swap", "max_ptes_shared" };
	unsigned f;
	for (f = 0; f < ARRAY_SIZE(files); f++)
		if (!strcmp(name, files[f]))
			break;
	if (f == ARRAY_SIZE(files))
		return 0;
	*known = true;
	/* kernfs_fop_write: s_active held while the value is copied from the writer's
	 * memory (__might_fault: mmap_lock read) */
	down_read(tsk, &k->kernfs_active);
	if (tsk->mm) {
		down_read(tsk, &tsk->mm->mmap_lock);
		up_read(tsk, &tsk->mm->mmap_lock);
	}
	int ret = 0;
	struct khugepaged_cfg *c = &k->cfg;
	switch (f) {
	case 0:
		if (value != 0 && value != 1)
			ret = -MM_EINVAL;
		else
			c->defrag = value;
		break;
	case 1:
		if (value <= 0 || value > UINT32_MAX)
			ret = -MM_EINVAL;
		else
			c->pages_to_scan = (unsigned)value;
		break;
	case 2:
	case 3:
		if (value < 0 || value > UINT32_MAX)
			ret = -MM_EINVAL;
		else if (f == 2)
			c->scan_sleep_ns = (u64)value * NSEC_PER_MSEC;
		else
			c->alloc_sleep_ns = (u64)value * NSEC_PER_MSEC;
		if (!ret && k->tsk && k->sleeping) {
			/* khugepaged_sleep_expire = 0 and a wake-up: the next pass starts now */
			k->sleeping = false;
			task_unpark(tsk, k->tsk);
		}
		break;
	default:
		if (value < 0 || value > HPAGE_PMD_NR - 1)
			ret = -MM_EINVAL;
		else if (f == 4)
			c->max_ptes_none = (unsigned)value;
		else if (f == 5)
			c->max_ptes_swap = (unsigned)value;
		else
			c->max_ptes_shared = (unsigned)value;
	}
	up_read(tsk, &k->kernfs_active);
	return ret;
}

void khugepaged_note_fault(struct task *tsk, struct mm_struct *mm, u64 wait_ns, u64 latency_ns)
{
	struct khugepaged *k = kh(tsk->sim);
	if (!k || !mm->mm_count)
		return;                    /* only mms khugepaged works on */
	struct fault_samples *f = NULL;
	for (u32 i = 0; i < k->nr_fs && !f; i++)
		if (k->fs[i].task_id == tsk->id)
			f = &k->fs[i];
	if (!f) {
		k->fs = xrealloc(k->fs, (k->nr_fs + 1) * sizeof(*k->fs));
		f = &k->fs[k->nr_fs++];
		*f = (struct fault_samples){ .task_id = tsk->id };
		snprintf(f->name, sizeof(f->name), "%s/%u", tsk->comm, tsk->id);
	}
	u64_vec_push(&f->wait, wait_ns);
	u64_vec_push(&f->lat, latency_ns);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

/* The value at quantile q (nearest rank) of a sorted vector, 0 when empty. */
static u64 quantile(const struct u64_vec *v, double q)
{
	if (!v->n)
		return 0;
	u64 rank = (u64)(q * (double)v->n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > v->n)
		rank = v->n;
	return v->v[rank - 1];
}

unsigned khugepaged_nr_fault_tasks(const struct sim *sim)
{
	return kh(sim) ? kh(sim)->nr_fs : 0;
}

void khugepaged_fault_quantiles(const struct sim *sim, unsigned i, struct khugepaged_fault_q *q)
{
	struct khugepaged *k = kh(sim);
	struct fault_samples *f = &k->fs[i];
	*q = (struct khugepaged_fault_q){ .name = f->name };
	qsort(f->wait.v, f->wait.n, sizeof(u64), cmp_u64);
	qsort(f->lat.v, f->lat.n, sizeof(u64), cmp_u64);
	q->nr = f->wait.n;
	/* the waits of the faults that waited at all */
	struct u64_vec w = { 0 };
	for (size_t j = 0; j < f->wait.n; j++)
		if (f->wait.v[j])
			u64_vec_push(&w, f->wait.v[j]);
	q->waited = w.n;
	q->wait_p50 = quantile(&w, 0.50);
	q->wait_p99 = quantile(&w, 0.99);
	q->wait_max = w.n ? w.v[w.n - 1] : 0;
	for (size_t j = 0; j < w.n; j++)
		q->wait_total += w.v[j];
	free(w.v);
	q->lat_p50 = quantile(&f->lat, 0.50);
	q->lat_p99 = quantile(&f->lat, 0.99);
	q->lat_max = f->lat.n ? f->lat.v[f->lat.n - 1] : 0;
}

/* ---- outputs ---- */

bool khugepaged_collapse_in_flight(const struct sim *sim)
{
	const struct khugepaged *k = kh(sim);
	return k && k->collapsing;
}

bool khugepaged_active(const struct sim *sim)
{
	const struct khugepaged *k = kh(sim);
	return k && (k->tsk || k->st.madv_collapse_calls);
}

static u64 anon_huge_pages(const struct sim *sim)
{
	return (u64)global_vm_state(sim->vmstat, NR_ANON_THPS) * HPAGE_PMD_NR;
}

/* khugepaged.csv: progress and the share of anonymous memory in huge pages over time. */
static const char *const kh_cols[] = { "pages_collapsed", "full_scans", "collapses",
				       "anon_pages", "anon_huge_pages", "anon_huge_share",
				       "swap_ents_read", "stale_collapses" };

static void kh_probe(void *arg, u64 now_ns, double *vals)
{
	const struct sim *sim = arg;
	const struct khugepaged *k = kh(sim);
	u64 anon = (u64)global_vm_state(sim->vmstat, NR_ANON_MAPPED), huge = anon_huge_pages(sim);
	if (anon) {
		struct khugepaged *kw = sim->khugepaged;   /* the last sample with anon memory */
		kw->last_anon = anon;
		kw->last_huge = huge;
		if (!kw->share50_ns && 2 * huge >= anon && huge)
			kw->share50_ns = now_ns;
		if (!kw->share90_ns && 10 * huge >= 9 * anon && huge)
			kw->share90_ns = now_ns;
	}
	vals[0] = (double)k->st.pages_collapsed;
	vals[1] = (double)k->st.full_scans;
	vals[2] = (double)(k->st.collapses[0] + k->st.collapses[1]);
	vals[3] = (double)anon;
	vals[4] = (double)huge;
	vals[5] = anon ? (double)huge / (double)anon : 0.0;
	vals[6] = (double)k->st.swapin_reads;
	vals[7] = (double)k->st.stale_collapses;
}

static const char *const swapin_lock_s[] = { "write", "read" };
static const char *const revalidate_s[] = { "full", "find_vma_eq", "none" };
static const char *const swapin_gate_s[] = { "referenced", "allocstall", "always", "never" };
static const char *const allocstall_read_s[] = { "before_mmap_lock", "under_mmap_write" };
static const char *const ctx_s[] = { "khugepaged", "madvise" };

struct json *khugepaged_summary_json(const struct sim *sim)
{
	const struct khugepaged *k = kh(sim);
	if (!khugepaged_active(sim))
		return NULL;
	const struct khugepaged_stats *st = &k->st;
	struct json *j = json_object();
	struct json *v = json_object();
	json_set_string(v, "swapin_lock", swapin_lock_s[k->swapin_lock]);
	json_set_string(v, "revalidate", revalidate_s[k->revalidate]);
	json_set_string(v, "swapin_gate", swapin_gate_s[k->swapin_gate]);
	json_set_string(v, "allocstall_read", allocstall_read_s[k->allocstall_read]);
	json_set(j, "variants", v);
	json_set_u64(j, "pages_collapsed", st->pages_collapsed);
	json_set_u64(j, "full_scans", st->full_scans);
	json_set_u64(j, "wakeups", st->wakeups);
	json_set_u64(j, "madv_collapse_calls", st->madv_collapse_calls);
	for (unsigned c = 0; c < NR_COLLAPSE_CTX; c++) {
		struct json *r = json_object();
		for (unsigned i = 0; i < NR_SCAN_RESULTS; i++)
			if (st->result[c][i])
				json_set_u64(r, scan_result_name(i), st->result[c][i]);
		json_set(j, c ? "results_madvise" : "results_khugepaged", r);
		json_set_u64(json_child(j, "collapses"), ctx_s[c], st->collapses[c]);
	}
	struct json *ord = json_array();  /* the scan results in enum order, either context */
	for (unsigned i = 0; i < NR_SCAN_RESULTS; i++)
		if (st->result[0][i] || st->result[1][i])
			json_push(ord, json_string(scan_result_name(i)));
	json_set(j, "results_order", ord);
	json_set_u64(j, "trylock_skips", st->trylock_skips);
	json_set_u64(j, "swapins", st->swapins);
	json_set_u64(j, "swapin_reads", st->swapin_reads);
	json_set_u64(j, "swapins_wasted", st->swapins_wasted);
	json_set_u64(j, "swapin_skipped", st->swapin_skipped);
	json_set_u64(j, "stale_collapses", st->stale_collapses);
	json_set_u64(j, "mmap_write_holds", st->write_holds);
	json_set_u64(j, "mmap_write_hold_ns_total", st->write_hold_ns_total);
	json_set_u64(j, "mmap_write_hold_ns_max", st->write_hold_ns_max);
	struct json *fa = json_object();
	for (unsigned i = 0; i < k->nr_fs; i++) {
		struct khugepaged_fault_q q;
		khugepaged_fault_quantiles(sim, i, &q);
		struct json *fj = json_object();
		json_set_u64(fj, "index", i);  /* the report's row order */
		json_set_u64(fj, "faults", q.nr);
		json_set_u64(fj, "waited", q.waited);
		json_set_u64(fj, "wait_ns_total", q.wait_total);
		json_set_u64(fj, "wait_ns_p50", q.wait_p50);
		json_set_u64(fj, "wait_ns_p99", q.wait_p99);
		json_set_u64(fj, "wait_ns_max", q.wait_max);
		json_set_u64(fj, "latency_ns_p50", q.lat_p50);
		json_set_u64(fj, "latency_ns_p99", q.lat_p99);
		json_set_u64(fj, "latency_ns_max", q.lat_max);
		json_set(fa, q.name, fj);
	}
	json_set(j, "faults_by_task", fa);
	json_set_u64(j, "anon_pages_last", k->last_anon);
	json_set_u64(j, "anon_huge_pages_last", k->last_huge);
	json_set_u64(j, "anon_huge_share_50pct_ns", k->share50_ns);
	json_set_u64(j, "anon_huge_share_90pct_ns", k->share90_ns);
	return j;
}

/* ---- set-up and results ---- */

static void hook_enter_vma(void *arg, struct task *tsk, struct vm_area_struct *vma)
{
	(void)arg;
	enter_vma(tsk, vma);
}

static void hook_enabled_changed(void *arg, struct task *tsk)
{
	struct khugepaged *k = arg;
	if (k->tsk && k->waiting && khugepaged_has_work(k)) {
		k->waiting = false;
		task_unpark(tsk, k->tsk);
	}
}

void khugepaged_create(struct sim *sim)
{
	struct khugepaged *k = xcalloc(1, sizeof(*k));
	const struct scenario *scn = sim->scn;
	k->sim = sim;
	k->cfg = scn->kernel.khugepaged;
	k->swapin_lock = scn->variants.khugepaged_swapin_lock;
	k->revalidate = scn->variants.khugepaged_revalidate;
	k->swapin_gate = scn->variants.khugepaged_swapin_gate;
	k->allocstall_read = scn->variants.khugepaged_allocstall_read;
	mutex_init(&k->cpu_hotplug_lock, &cpu_hotplug_lock_class);
	init_rwsem(&k->kernfs_active, &kernfs_active_class);
	sim->khugepaged = k;
	sampler_add(sim->sampler, "khugepaged.csv", kh_cols, ARRAY_SIZE(kh_cols), kh_probe, sim);
	sim->mm_hooks.arg = k;
	sim->mm_hooks.madv_collapse = madv_collapse;
	k->cc.is_khugepaged = true;
	struct thp_hooks h = { .arg = k, .khugepaged_enter_vma = hook_enter_vma,
			       .enabled_changed = hook_enabled_changed };
	thp_set_hooks(sim, &h);
}

void khugepaged_destroy(struct khugepaged *k)
{
	if (!k)
		return;
	while (k->nr_slots) {
		struct mm_struct *mm = k->slots[k->nr_slots - 1];
		k->nr_slots--;
		if (--mm->mm_count == 0 && mm->users == 0) {
			free(mm->vmas);
			free(mm);
		}
	}
	free(k->slots);
	free(k->free_objs);
	for (u32 i = 0; i < k->nr_fs; i++) {
		free(k->fs[i].wait.v);
		free(k->fs[i].lat.v);
	}
	free(k->fs);
	window_free(&k->cc);
	free(k);
}

const struct khugepaged_stats *khugepaged_get_stats(const struct sim *sim)
{
	return &kh(sim)->st;
}

const struct khugepaged_cfg *khugepaged_cfg(const struct sim *sim)
{
	return kh(sim) ? &kh(sim)->cfg : &sim->scn->kernel.khugepaged;
}

u64 khugepaged_pages_collapsed(const struct sim *sim)
{
	return kh(sim) ? kh(sim)->st.pages_collapsed : 0;
}

u64 khugepaged_full_scans(const struct sim *sim)
{
	return kh(sim) ? kh(sim)->st.full_scans : 0;
}

