/* hugetlb.c - hugetlb pools, reservations, faults and hugetlbfs files (hugetlb.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "locks/mutex.h"
#include "locks/spinlock.h"
#include "platform/cost.h"
#include "platform/topology.h"
#include "stats/findings.h"
#include "mm/filemap.h"
#include "mm/gfp.h"
#include "mm/hugetlb.h"
#include "mm/mempolicy.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/page_alloc.h"
#include "mm/vmstat.h"
#include "stats/timeline.h"

static DEFINE_LOCK_CLASS(hugetlb_lock_class, "hugetlb_lock", LOCK_SPIN);
static DEFINE_LOCK_CLASS(resize_lock_class, "&h->resize_lock", LOCK_MUTEX);
static DEFINE_LOCK_CLASS(fault_mutex_class, "&hugetlb_fault_mutex_table[i]", LOCK_MUTEX);
static DEFINE_LOCK_CLASS(resv_lock_class, "&resv_map->lock", LOCK_SPIN);

/* Page flags of pool pages (the head page of the order-9 block). */
#define PG_hugetlb (1u << 16)              /* a pool page (free or in use) */
#define PG_hfree (1u << 17)                /* on a node free list */
#define PG_hanon (1u << 18)                /* mapped as a private (anonymous) page */
#define PG_hrestore (1u << 19)             /* RestoreReserve: consumed a reservation */

/* vm_private_data of a MAP_PRIVATE hugetlb VMA: a resv_map pointer (variant resv_map) or
 * a reservation count shifted left by 2 (variant count), with two flag bits. */
#define HPAGE_RESV_OWNER 1UL
#define HPAGE_RESV_UNMAPPED 2UL
#define HPAGE_RESV_MASK 3UL

struct file_region {
	u64 from, to;                      /* [from, to) in huge pages */
};

struct resv_map {
	u32 refs;
	spinlock_t lock;
	struct file_region *rg;            /* sorted, disjoint, not adjacent */
	u32 nr, cap;
	s64 adds_in_progress;
};

struct hfree_list {
	u64 *pfn;                          /* LIFO, as the kernel's list_move to the head */
	u32 nr, cap;
};

struct hugetlb {
	struct sim *sim;
	unsigned nr_nodes;
	unsigned private_resv;             /* enum hugetlb_private_resv */
	/* hstate counters, under lock */
	u64 nr_huge_pages, free_huge_pages, resv_huge_pages, surplus_huge_pages;
	u64 nr_overcommit_huge_pages, max_huge_pages;
	u64 nr_node[MAX_NUMNODES], surplus_node[MAX_NUMNODES];  /* free per node: freelist[].nr */
	unsigned next_nid_to_alloc, next_nid_to_free;
	struct hfree_list freelist[MAX_NUMNODES];
	spinlock_t lock;                   /* hugetlb_lock */
	struct mutex resize_lock;
	struct mutex *fault_mutex;
	u32 nr_fault_mutex;                /* power of two */
	u64 live_inodes;
	u32 busy;                          /* tasks inside an entry point (checks wait) */
	struct hugetlb_stats st;
	u32 bad;                           /* invariants currently violated (bit mask) */
	u64 unlocked_counters[4];          /* Total/Free/Rsvd/Surp at the last unlock */
	u64 counters_changed_ns;           /* logical time of the unlock that last changed them */
	/* hugetlb_lock releases so far, and their number at the last complete check: every
	 * counter the per-op check reads changes under the lock, so with no release since,
	 * the check would find what it found then (hugetlb_check_after_op skips it) */
	u64 unlocks, checked_unlocks;
};

static struct hugetlb *H(const struct sim *sim)
{
	return sim->hugetlb;
}

/* Drop hugetlb_lock, noting when the pool counters it guards last changed: a drift is
 * reported at that time, the instant the sampled series (hugetlb.csv) show it, not at the
 * end of the op that made it. */
static void hugetlb_unlock(struct task *tsk, struct hugetlb *h)
{
	u64 c[4] = { h->nr_huge_pages, h->free_huge_pages, h->resv_huge_pages,
		     h->surplus_huge_pages };
	if (memcmp(c, h->unlocked_counters, sizeof(c))) {
		memcpy(h->unlocked_counters, c, sizeof(c));
		h->counters_changed_ns = task_now(tsk);
	}
	h->unlocks++;
	spin_unlock(tsk, &h->lock);
}

static struct page_desc *hpage(struct hugetlb *h, u64 pfn)
{
	return pfn_to_page(h->sim->phys, pfn);
}

static unsigned hpage_nid(struct hugetlb *h, u64 pfn)
{
	return page_to_nid(h->sim->phys, pfn);
}

/* ---- node round robin (for_each_node_mask_to_alloc / _to_free) ---- */

static unsigned next_allowed(struct hugetlb *h, unsigned nid, u64 allowed)
{
	for (unsigned i = 1; i <= h->nr_nodes; i++) {
		unsigned n = (nid + i) % h->nr_nodes;
		if (allowed & (1ULL << n))
			return n;
	}
	return nid;
}

static unsigned valid_allowed(struct hugetlb *h, unsigned nid, u64 allowed)
{
	if (allowed & (1ULL << nid))
		return nid;
	return next_allowed(h, nid, allowed);
}

static unsigned next_node_to_alloc(struct hugetlb *h, u64 allowed)
{
	unsigned nid = valid_allowed(h, h->next_nid_to_alloc, allowed);
	h->next_nid_to_alloc = next_allowed(h, nid, allowed);
	return nid;
}

static unsigned next_node_to_free(struct hugetlb *h, u64 allowed)
{
	unsigned nid = valid_allowed(h, h->next_nid_to_free, allowed);
	h->next_nid_to_free = next_allowed(h, nid, allowed);
	return nid;
}

static u64 memory_nodes(struct hugetlb *h)
{
	u64 m = 0;
	for (unsigned n = 0; n < h->nr_nodes; n++)
		if (node_present_pages(h->sim->phys, n))
			m |= 1ULL << n;
	return m;
}

static unsigned popcount64(u64 m)
{
	return (unsigned)__builtin_popcountll(m);
}

/* ---- free lists ---- */

static void enqueue_huge_page(struct hugetlb *h, u64 pfn)
{
	unsigned nid = hpage_nid(h, pfn);
	struct hfree_list *l = &h->freelist[nid];
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->pfn = xrealloc(l->pfn, l->cap * sizeof(u64));
	}
	l->pfn[l->nr++] = pfn;
	struct page_desc *pg = hpage(h, pfn);
	pg->flags = (pg->flags & ~(PG_hanon | PG_hrestore)) | PG_hfree;
	pg->refcount = 1;                  /* the pool's (a free pool page is not buddy-free) */
	pg->mapcount = 0;
	h->free_huge_pages++;
}

static u64 dequeue_node(struct hugetlb *h, unsigned nid)
{
	struct hfree_list *l = &h->freelist[nid];
	if (!l->nr)
		return PFN_NONE;
	u64 pfn = l->pfn[--l->nr];
	hpage(h, pfn)->flags &= ~PG_hfree;
	hpage(h, pfn)->refcount = 0;
	h->free_huge_pages--;
	return pfn;
}

/* ---- buddy allocations ---- */

static u64 alloc_fresh_huge_page(struct task *tsk, struct hugetlb *h, gfp_t gfp, int nid, u64 nodemask)
{
	tl_begin(tsk, TL_HUGETLB_ALLOC, (u64)nid);
	u64 pfn = __alloc_pages(tsk, gfp | __GFP_COMP | __GFP_NOWARN, HPAGE_ORDER, nid, nodemask);
	tl_end(tsk, TL_HUGETLB_ALLOC);
	if (pfn == PFN_NONE) {
		count_vm_event(tsk, HTLB_BUDDY_PGALLOC_FAIL);
		h->st.fresh_alloc_fail++;
		return PFN_NONE;
	}
	count_vm_event(tsk, HTLB_BUDDY_PGALLOC);
	hpage(h, pfn)->flags |= PG_hugetlb;
	return pfn;
}

bool page_huge(const struct page_desc *p)
{
	return (p->flags & (PG_hugetlb | PG_head)) == (PG_hugetlb | PG_head);
}

/* update_and_free_page: a page leaving the pool goes back to the buddy allocator. */
static void update_and_free_page(struct task *tsk, struct hugetlb *h, u64 pfn)
{
	struct page_desc *pg = hpage(h, pfn);
	pg->flags &= ~(PG_hugetlb | PG_hfree | PG_hanon | PG_hrestore);
	pg->refcount = 1;
	pg->mapcount = 0;
	if (tsk)
		__free_pages(tsk, pfn, HPAGE_ORDER);
}

/* prep_new_huge_page: a fresh page joins the pool's count. Caller holds the lock. */
static void prep_new_huge_page(struct hugetlb *h, u64 pfn)
{
	unsigned nid = hpage_nid(h, pfn);
	h->nr_huge_pages++;
	h->nr_node[nid]++;
}

/* free_huge_page: the last reference of an in-use page is gone. Caller does not hold
 * the lock. */
static void free_huge_page(struct task *tsk, struct hugetlb *h, u64 pfn)
{
	struct page_desc *pg = hpage(h, pfn);
	unsigned nid = hpage_nid(h, pfn);
	spin_lock(tsk, &h->lock);
	if (pg->flags & PG_hrestore)
		h->resv_huge_pages++;
	pg->flags &= ~(PG_hanon | PG_hrestore);
	if (h->surplus_node[nid]) {
		/* a node with surplus pages shrinks: this page leaves the pool */
		h->nr_huge_pages--;
		h->nr_node[nid]--;
		h->surplus_huge_pages--;
		h->surplus_node[nid]--;
		hugetlb_unlock(tsk, h);
		update_and_free_page(tsk, h, pfn);
		return;
	}
	enqueue_huge_page(h, pfn);
	charge(tsk, tsk->sim->cost->atomic_local_ns);
	hugetlb_unlock(tsk, h);
}

static void put_huge_page(struct task *tsk, struct hugetlb *h, u64 pfn)
{
	struct page_desc *pg = hpage(h, pfn);
	if (--pg->refcount == 0)
		free_huge_page(tsk, h, pfn);
}

/* ---- pool sizing ---- */

/* alloc_pool_huge_page: one fresh page from the allowed nodes, round robin; nodes that
 * failed once in this request get a light attempt only (node_alloc_noretry). */
static bool alloc_pool_huge_page(struct task *tsk, struct hugetlb *h, u64 allowed, u64 *noretry)
{
	for (unsigned k = popcount64(allowed); k > 0; k--) {
		unsigned nid = next_node_to_alloc(h, allowed);
		gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
		gfp |= (*noretry & (1ULL << nid)) ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
		u64 pfn = alloc_fresh_huge_page(tsk, h, gfp, (int)nid, 0);
		if (pfn == PFN_NONE) {
			*noretry |= 1ULL << nid;
			h->st.grow_failed_nodes++;
			continue;
		}
		*noretry &= ~(1ULL << nid);
		spin_lock(tsk, &h->lock);
		prep_new_huge_page(h, pfn);
		enqueue_huge_page(h, pfn);
		hugetlb_unlock(tsk, h);
		h->st.grow_allocated++;
		return true;
	}
	return false;
}

/* remove_pool_huge_page: take a free page out of the pool (caller holds the lock);
 * with acct_surplus only from nodes with surplus pages, which then count one less. */
static u64 remove_pool_huge_page(struct hugetlb *h, u64 allowed, bool acct_surplus)
{
	for (unsigned k = popcount64(allowed); k > 0; k--) {
		unsigned nid = next_node_to_free(h, allowed);
		if ((!acct_surplus || h->surplus_node[nid]) && h->freelist[nid].nr) {
			u64 pfn = dequeue_node(h, nid);
			if (acct_surplus) {
				h->surplus_huge_pages--;
				h->surplus_node[nid]--;
			}
			h->nr_huge_pages--;
			h->nr_node[nid]--;
			return pfn;
		}
	}
	return PFN_NONE;
}

/* adjust_pool_surplus: relabel one page surplus (+1) or persistent (-1). */
static bool adjust_pool_surplus(struct hugetlb *h, u64 allowed, int delta)
{
	for (unsigned k = popcount64(allowed); k > 0; k--) {
		unsigned nid = delta < 0 ? next_node_to_alloc(h, allowed) : next_node_to_free(h, allowed);
		if (delta < 0 ? h->surplus_node[nid] > 0 : h->surplus_node[nid] < h->nr_node[nid]) {
			h->surplus_huge_pages += (u64)(s64)delta;
			h->surplus_node[nid] += (u64)(s64)delta;
			return true;
		}
	}
	return false;
}

static u64 persistent_huge_pages(const struct hugetlb *h)
{
	return h->nr_huge_pages - h->surplus_huge_pages;
}

/* set_max_huge_pages: a write to nr_hugepages (nid -1) or a node's nr_hugepages. */
static void set_max_huge_pages(struct task *tsk, struct hugetlb *h, u64 count, int nid,
			       u64 policy_nodes)
{
	u64 allowed = policy_nodes ? policy_nodes & memory_nodes(h) : memory_nodes(h), noretry = 0;
	mutex_lock(tsk, &h->resize_lock);
	spin_lock(tsk, &h->lock);
	if (nid >= 0) {
		/* a node's target, as a global one */
		u64 old = count;
		count += h->nr_huge_pages - h->nr_node[nid];
		if (count < old)
			count = UINT64_MAX;
		allowed = 1ULL << nid;
	}
	if (count > persistent_huge_pages(h))
		h->st.grow_requested += count - persistent_huge_pages(h);
	while (h->surplus_huge_pages && count > persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, allowed, -1))
			break;
	while (count > persistent_huge_pages(h)) {
		hugetlb_unlock(tsk, h);
		bool ok = alloc_pool_huge_page(tsk, h, allowed, &noretry);
		flush_if_ahead(tsk);
		spin_lock(tsk, &h->lock);
		if (!ok)
			break;
	}
	/* never below what is reserved and in use */
	u64 min_count = h->resv_huge_pages + h->nr_huge_pages - h->free_huge_pages;
	min_count = max(count, min_count);
	struct u64_vec gone = { 0 };
	while (min_count < persistent_huge_pages(h)) {
		u64 pfn = remove_pool_huge_page(h, allowed, false);
		if (pfn == PFN_NONE)
			break;
		u64_vec_push(&gone, pfn);
	}
	while (count < persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, allowed, 1))
			break;
	h->max_huge_pages = persistent_huge_pages(h);
	hugetlb_unlock(tsk, h);
	for (u32 i = 0; i < gone.n; i++)
		update_and_free_page(tsk, h, gone.v[i]);
	free(gone.v);
	mutex_unlock(tsk, &h->resize_lock);
}

/* The knob a hugetlb sysctl or global sysfs file names ("nr_hugepages" ...), or NULL. */
static const char *hugetlb_knob(const char *path)
{
	static const char *const dirs[] = { "/proc/sys/vm/", "/sys/kernel/mm/hugepages/hugepages-2048kB/" };
	for (unsigned i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])))
			return path + strlen(dirs[i]);
	return NULL;
}

static int __hugetlb_sysctl(struct task *tsk, const char *path, u64 val, bool *known)
{
	struct hugetlb *h = H(tsk->sim);
	static const char node[] = "/sys/devices/system/node/node";
	static const char node_tail[] = "/hugepages/hugepages-2048kB/nr_hugepages";
	const char *knob = hugetlb_knob(path);
	*known = true;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (knob && !strcmp(knob, "nr_hugepages")) {
		set_max_huge_pages(tsk, h, val, -1, 0);
		return 0;
	}
	if (knob && !strcmp(knob, "nr_hugepages_mempolicy")) {
		/* the pool grows and shrinks on the nodes of the writer's task policy */
		set_max_huge_pages(tsk, h, val, -1, init_nodemask_of_mempolicy(tsk));
		return 0;
	}
	if (knob && !strcmp(knob, "nr_overcommit_hugepages")) {
		spin_lock(tsk, &h->lock);
		h->nr_overcommit_huge_pages = val;
		hugetlb_unlock(tsk, h);
		return 0;
	}
	if (!strncmp(path, node, sizeof(node) - 1)) {
		char *end;
		unsigned long n = strtoul(path + sizeof(node) - 1, &end, 10);
		if (end != path + sizeof(node) - 1 && !strcmp(end, node_tail)) {
			if (n >= h->nr_nodes)
				return -MM_ENOENT;
			set_max_huge_pages(tsk, h, val, (int)n, 0);
			return 0;
		}
	}
	*known = false;
	return -MM_EINVAL;
}

int hugetlb_sysctl(struct task *tsk, const char *path, u64 val, bool *known)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	int r_ = __hugetlb_sysctl(tsk, path, val, known);
	hb_->busy--;
	return r_;
}

/* ---- surplus pages and reservation accounting ---- */

/* alloc_surplus_huge_page: a page beyond the persistent pool, while S < overcommit.
 * Returned in use (not on a free list), counted in T and S. */
static u64 alloc_surplus_huge_page(struct task *tsk, struct hugetlb *h, int nid, u64 nodemask)
{
	spin_lock(tsk, &h->lock);
	bool over = h->surplus_huge_pages >= h->nr_overcommit_huge_pages;
	hugetlb_unlock(tsk, h);
	if (over)
		return PFN_NONE;
	u64 pfn = alloc_fresh_huge_page(tsk, h, GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL, nid,
					nodemask);
	if (pfn == PFN_NONE) {
		h->st.alloc_surplus_fail++;
		return PFN_NONE;
	}
	spin_lock(tsk, &h->lock);
	if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages) {
		/* others took the allowance meanwhile */
		hugetlb_unlock(tsk, h);
		update_and_free_page(tsk, h, pfn);
		h->st.alloc_surplus_fail++;
		return PFN_NONE;
	}
	unsigned n = hpage_nid(h, pfn);
	prep_new_huge_page(h, pfn);
	h->surplus_huge_pages++;
	h->surplus_node[n]++;
	hugetlb_unlock(tsk, h);
	hpage(h, pfn)->refcount = 0;
	h->st.alloc_surplus++;
	return pfn;
}

/* return_unused_surplus_pages (lock held on entry and exit): R -= unused, then free
 * surplus pages up to that many. */
static void return_unused_surplus_pages(struct task *tsk, struct hugetlb *h, u64 unused)
{
	h->resv_huge_pages -= unused;
	u64 nr = min(unused, h->surplus_huge_pages);
	struct u64_vec gone = { 0 };
	while (nr--) {
		u64 pfn = remove_pool_huge_page(h, memory_nodes(h), true);
		if (pfn == PFN_NONE)
			break;
		u64_vec_push(&gone, pfn);
	}
	if (!gone.n)
		return;
	hugetlb_unlock(tsk, h);
	for (u32 i = 0; i < gone.n; i++)
		update_and_free_page(tsk, h, gone.v[i]);
	free(gone.v);
	spin_lock(tsk, &h->lock);
}

/* gather_surplus_pages (lock held): make F cover R + delta, all or nothing. */
static int gather_surplus_pages(struct task *tsk, struct hugetlb *h, u64 delta)
{
	s64 needed = (s64)(h->resv_huge_pages + delta) - (s64)h->free_huge_pages;
	if (needed <= 0) {
		h->resv_huge_pages += delta;
		return 0;
	}
	struct u64_vec pages = { 0 };
	int ret = -MM_ENOMEM;
	for (;;) {
		hugetlb_unlock(tsk, h);
		bool alloc_ok = true;
		for (s64 i = 0; i < needed; i++) {
			/* the local node with the normal fallback, no policy */
			u64 pfn = alloc_surplus_huge_page(tsk, h, (int)tsk->node, 0);
			if (pfn == PFN_NONE) {
				alloc_ok = false;
				break;
			}
			u64_vec_push(&pages, pfn);
		}
		spin_lock(tsk, &h->lock);
		needed = (s64)(h->resv_huge_pages + delta) - (s64)(h->free_huge_pages + pages.n);
		if (needed > 0) {
			if (alloc_ok)
				continue;
			break;
		}
		/* enough: R grows and the needed pages join the free lists */
		needed += (s64)pages.n;
		h->resv_huge_pages += delta;
		ret = 0;
		break;
	}
	u32 i = 0;
	if (!ret)
		for (; i < pages.n && needed > 0; i++, needed--)
			enqueue_huge_page(h, pages.v[i]);
	if (i < pages.n) {
		/* the rest are freed: their nodes have surplus, so they leave the pool */
		hugetlb_unlock(tsk, h);
		for (; i < pages.n; i++)
			free_huge_page(tsk, h, pages.v[i]);
		spin_lock(tsk, &h->lock);
	}
	free(pages.v);
	return ret;
}

/* hugetlb_acct_memory: reserve (delta > 0) or release (delta < 0) delta pages. */
static int hugetlb_acct_memory(struct task *tsk, struct hugetlb *h, s64 delta)
{
	int ret = -MM_ENOMEM;
	spin_lock(tsk, &h->lock);
	if (delta > 0) {
		if (gather_surplus_pages(tsk, h, (u64)delta) < 0)
			goto out;
		/* allowed_mems_nr: the free pages of the task's allowed nodes (all, without
		 * a cpuset or a BIND task policy) */
		if ((u64)delta > h->free_huge_pages) {
			return_unused_surplus_pages(tsk, h, (u64)delta);
			goto out;
		}
	}
	ret = 0;
	if (delta < 0)
		return_unused_surplus_pages(tsk, h, (u64)-delta);
out:
	hugetlb_unlock(tsk, h);
	return ret;
}

/* ---- region maps (reservation maps) ---- */

static struct resv_map *resv_map_alloc(void)
{
	struct resv_map *m = xcalloc(1, sizeof(*m));
	m->refs = 1;
	spin_lock_init(&m->lock, &resv_lock_class);
	return m;
}

static void resv_map_put(struct resv_map *m)
{
	if (--m->refs)
		return;
	free(m->rg);
	free(m);
}

static u64 __region_count(const struct resv_map *m, u64 f, u64 t)
{
	u64 n = 0;
	for (u32 i = 0; i < m->nr; i++) {
		u64 lo = max(f, m->rg[i].from), hi = min(t, m->rg[i].to);
		if (lo < hi)
			n += hi - lo;
	}
	return n;
}

static void resv_lock(struct task *tsk, struct hugetlb *h, struct resv_map *m)
{
	spin_lock(tsk, &m->lock);
	h->st.resv_ops++;
	charge(tsk, tsk->sim->cost->atomic_local_ns);
}

static u64 region_count(struct task *tsk, struct hugetlb *h, struct resv_map *m, u64 f, u64 t)
{
	resv_lock(tsk, h, m);
	u64 n = __region_count(m, f, t);
	spin_unlock(tsk, &m->lock);
	return n;
}

/* region_chg: indices of [f, t) not covered; one add is now in progress. */
static u64 region_chg(struct task *tsk, struct hugetlb *h, struct resv_map *m, u64 f, u64 t)
{
	resv_lock(tsk, h, m);
	u64 n = (t - f) - __region_count(m, f, t);
	m->adds_in_progress++;
	spin_unlock(tsk, &m->lock);
	return n;
}

static void region_abort(struct task *tsk, struct hugetlb *h, struct resv_map *m)
{
	resv_lock(tsk, h, m);
	m->adds_in_progress--;
	spin_unlock(tsk, &m->lock);
}

/* region_add: cover [f, t), merging with overlapping and adjacent regions; returns the
 * indices newly covered. in_progress: a region_chg preceded it. */
static u64 region_add(struct task *tsk, struct hugetlb *h, struct resv_map *m, u64 f, u64 t,
		      bool in_progress)
{
	resv_lock(tsk, h, m);
	u64 added = (t - f) - __region_count(m, f, t);
	u32 i = 0;
	while (i < m->nr && m->rg[i].to < f)
		i++;
	u32 j = i;
	u64 lo = f, hi = t;
	while (j < m->nr && m->rg[j].from <= t) {
		lo = min(lo, m->rg[j].from);
		hi = max(hi, m->rg[j].to);
		j++;
	}
	/* regions i..j-1 become one */
	if (j == i) {
		if (m->nr == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 4;
			m->rg = xrealloc(m->rg, m->cap * sizeof(*m->rg));
		}
		memmove(&m->rg[i + 1], &m->rg[i], (m->nr - i) * sizeof(*m->rg));
		m->nr++;
	} else if (j > i + 1) {
		memmove(&m->rg[i + 1], &m->rg[j], (m->nr - j) * sizeof(*m->rg));
		m->nr -= j - i - 1;
	}
	m->rg[i] = (struct file_region){ lo, hi };
	if (in_progress)
		m->adds_in_progress--;
	spin_unlock(tsk, &m->lock);
	return added;
}

/* region_del: uncover [f, t); returns the indices removed. */
static u64 region_del(struct task *tsk, struct hugetlb *h, struct resv_map *m, u64 f, u64 t)
{
	resv_lock(tsk, h, m);
	u64 del = 0;
	for (u32 i = 0; i < m->nr;) {
		struct file_region *r = &m->rg[i];
		if (r->to <= f || r->from >= t) {
			i++;
			continue;
		}
		del += min(t, r->to) - max(f, r->from);
		if (r->from < f && r->to > t) {
			/* split in two */
			if (m->nr == m->cap) {
				m->cap = 2 * m->cap;
				m->rg = xrealloc(m->rg, m->cap * sizeof(*m->rg));
				r = &m->rg[i];
			}
			memmove(&m->rg[i + 2], &m->rg[i + 1], (m->nr - i - 1) * sizeof(*m->rg));
			m->nr++;
			m->rg[i + 1] = (struct file_region){ t, r->to };
			r->to = f;
			break;
		}
		if (r->from < f) {
			r->to = f;
			i++;
		} else if (r->to > t) {
			r->from = t;
			i++;
		} else {
			memmove(&m->rg[i], &m->rg[i + 1], (m->nr - i - 1) * sizeof(*m->rg));
			m->nr--;
		}
	}
	spin_unlock(tsk, &m->lock);
	return del;
}

/* ---- VMA reservation state ---- */

static uintptr_t vma_priv(const struct vm_area_struct *vma)
{
	return (uintptr_t)vma->vm_private_data;
}

static bool is_vma_resv_set(const struct vm_area_struct *vma, uintptr_t flag)
{
	return !(vma->vm_flags & VM_SHARED) && (vma_priv(vma) & flag);
}

static void set_vma_resv_flags(struct vm_area_struct *vma, uintptr_t flag)
{
	vma->vm_private_data = (void *)(vma_priv(vma) | flag);
}

static bool count_variant(const struct hugetlb *h)
{
	return h->private_resv == PRIVATE_RESV_COUNT;
}

/* The map reservations of vma use: the inode's for shared VMAs, the VMA's own for
 * private ones (NULL: none, or the count variant). */
static struct resv_map *vma_resv_map(const struct hugetlb *h, const struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return vma->vm_file->resv_map;
	if (count_variant(h))
		return NULL;
	return (struct resv_map *)(vma_priv(vma) & ~HPAGE_RESV_MASK);
}

/* Variant count: the reservation count of a private owner VMA. */
static u64 vma_resv_count(const struct vm_area_struct *vma)
{
	return vma_priv(vma) >> 2;
}

static void set_vma_resv_count(struct vm_area_struct *vma, u64 count)
{
	vma->vm_private_data = (void *)((uintptr_t)(count << 2) | (vma_priv(vma) & HPAGE_RESV_MASK));
}

/* Index of addr in the file, in huge pages (vma_hugecache_offset). */
static u64 vma_hindex(const struct vm_area_struct *vma, u64 addr)
{
	return ((addr - vma->vm_start) >> HPAGE_SHIFT) + (vma->vm_pgoff >> HPAGE_ORDER);
}

/* vma_needs_reservation: 0 when a reservation exists for idx (consume it), 1 when not.
 * A region_chg on the map; vma_commit_reservation or vma_end_reservation follows. */
static u64 vma_needs_reservation(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
				 u64 idx)
{
	if (count_variant(h) && !(vma->vm_flags & VM_SHARED))
		return is_vma_resv_set(vma, HPAGE_RESV_OWNER) && vma_resv_count(vma) ? 0 : 1;
	struct resv_map *m = vma_resv_map(h, vma);
	if (!m)
		return 1;
	u64 chg = region_chg(tsk, h, m, idx, idx + 1);
	if (vma->vm_flags & VM_SHARED)
		return chg;
	/* private map entries mark consumed reservations */
	return chg ? 0 : 1;
}

static void vma_commit_reservation(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
				   u64 idx)
{
	struct resv_map *m = vma_resv_map(h, vma);
	if (m)
		region_add(tsk, h, m, idx, idx + 1, true);
}

static void vma_end_reservation(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma)
{
	struct resv_map *m = vma_resv_map(h, vma);
	if (m)
		region_abort(tsk, h, m);
}

static bool vma_has_reserves(const struct hugetlb *h, const struct vm_area_struct *vma, u64 chg)
{
	if (vma->vm_flags & VM_NORESERVE) {
		/* only a shared NORESERVE VMA on an index someone else reserved */
		return (vma->vm_flags & VM_SHARED) && chg == 0;
	}
	if (vma->vm_flags & VM_SHARED)
		return chg == 0;
	if (count_variant(h))
		return is_vma_resv_set(vma, HPAGE_RESV_OWNER) && vma_resv_count(vma) > 0;
	if (is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return chg == 0;
	return false;
}

/* A page consumed a reservation (lock held): R-1, RestoreReserve; in the count variant
 * the owner VMA's count goes down too. */
static void consume_reservation(struct hugetlb *h, struct vm_area_struct *vma, u64 pfn)
{
	hpage(h, pfn)->flags |= PG_hrestore;
	h->resv_huge_pages--;
	if (count_variant(h) && !(vma->vm_flags & VM_SHARED) && is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		set_vma_resv_count(vma, vma_resv_count(vma) - 1);
}

/* The nodes in the fallback order of nid's zonelist. */
static unsigned node_fallback(struct hugetlb *h, unsigned nid, unsigned *order)
{
	const struct pglist_data *pg = h->sim->phys->node_data[nid];
	unsigned n = 0;
	u64 seen = 0;
	for (unsigned i = 0; i < pg->nr_zonelist; i++) {
		unsigned x = pg->zonelist[i]->zone_pgdat->node_id;
		if (!(seen & (1ULL << x))) {
			seen |= 1ULL << x;
			order[n++] = x;
		}
	}
	return n;
}

/* dequeue_huge_page_nodemask: the first free page along nid's zonelist on a node of
 * mask (0: any). */
static u64 dequeue_huge_page_nodemask(struct hugetlb *h, int nid, u64 mask)
{
	unsigned order[MAX_NUMNODES];
	unsigned n = node_fallback(h, (unsigned)nid, order);
	u64 pfn = PFN_NONE;
	for (unsigned i = 0; i < n && pfn == PFN_NONE; i++)
		if (!mask || (mask >> order[i] & 1))
			pfn = dequeue_node(h, order[i]);
	return pfn;
}

/* The address of huge page idx of the file in vma (pseudo VMAs: vm_start 0, pgoff 0). */
static u64 hugetlb_vma_addr(const struct vm_area_struct *vma, u64 idx)
{
	return vma->vm_start + (((idx << (HPAGE_SHIFT - PAGE_SHIFT)) - vma->vm_pgoff) << PAGE_SHIFT);
}

/* dequeue_huge_page_vma (lock held). */
static u64 dequeue_huge_page_vma(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
				 u64 idx, bool avoid_reserve, u64 chg)
{
	bool has = vma_has_reserves(h, vma, chg);
	if (!has && h->free_huge_pages - h->resv_huge_pages == 0)
		return PFN_NONE;
	if (avoid_reserve && h->free_huge_pages - h->resv_huge_pages == 0)
		return PFN_NONE;
	/* huge_node: the policy's node and mask; PREFERRED_MANY tries its nodes first */
	u64 mask;
	bool many;
	int nid = huge_node(tsk, vma, hugetlb_vma_addr(vma, idx), &mask, &many);
	u64 pfn = dequeue_huge_page_nodemask(h, nid, mask);
	if (pfn == PFN_NONE && many)
		pfn = dequeue_huge_page_nodemask(h, nid, 0);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	h->st.alloc_pool++;
	if (!avoid_reserve && has)
		consume_reservation(h, vma, pfn);
	return pfn;
}

/* alloc_huge_page: a page for idx of vma, with its reservation (or not). Returns the
 * pfn (refcount 1, the caller's) or PFN_NONE with *err -MM_ENOSPC. */
static u64 alloc_huge_page(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma, u64 idx,
			   bool avoid_reserve, int *err)
{
	u64 map_chg = vma_needs_reservation(tsk, h, vma, idx);
	u64 gbl_chg = map_chg;
	if (map_chg || avoid_reserve)
		gbl_chg = 1;          /* no subpool: the global pool is charged one page */
	spin_lock(tsk, &h->lock);
	u64 pfn = dequeue_huge_page_vma(tsk, h, vma, idx, avoid_reserve, gbl_chg);
	if (pfn == PFN_NONE) {
		hugetlb_unlock(tsk, h);
		/* alloc_buddy_huge_page_with_mpol: a surplus page by the policy (PREFERRED_MANY:
		 * its nodes, then any) */
		u64 mask;
		bool many;
		int nid = huge_node(tsk, vma, hugetlb_vma_addr(vma, idx), &mask, &many);
		pfn = alloc_surplus_huge_page(tsk, h, nid, mask);
		if (pfn == PFN_NONE && many)
			pfn = alloc_surplus_huge_page(tsk, h, nid, 0);
		if (pfn == PFN_NONE) {
			vma_end_reservation(tsk, h, vma);
			h->st.alloc_fail++;
			*err = -MM_ENOSPC;
			return PFN_NONE;
		}
		spin_lock(tsk, &h->lock);
		if (!avoid_reserve && vma_has_reserves(h, vma, gbl_chg))
			consume_reservation(h, vma, pfn);
	}
	charge(tsk, tsk->sim->cost->atomic_local_ns);
	hugetlb_unlock(tsk, h);
	hpage(h, pfn)->refcount = 1;
	if (!(count_variant(h) && !(vma->vm_flags & VM_SHARED)))
		vma_commit_reservation(tsk, h, vma, idx);
	return pfn;
}

/* ---- files ---- */

/* hugetlb_fault_mutex_hash: the mutex of (mapping, index). */
static struct mutex *fault_mutex(struct hugetlb *h, const struct inode *inode, u64 idx)
{
	u64 key = ((u64)inode->id << 40) ^ idx;
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ULL;
	key ^= key >> 32;
	return &h->fault_mutex[key & (h->nr_fault_mutex - 1)];
}

struct inode *hugetlb_file_create(struct sim *sim, const char *name, u64 size)
{
	struct inode *in = inode_create(sim, name, size, false, true);
	in->resv_map = resv_map_alloc();
	H(sim)->live_inodes++;
	return in;
}

/* hugetlb_reserve_pages: reserve [from, to) of inode for vma (NULL: the SHM segment). */
static int hugetlb_reserve_pages(struct task *tsk, struct hugetlb *h, struct inode *inode, u64 from,
				 u64 to, struct vm_area_struct *vma, u64 vm_flags)
{
	if (from > to)
		return -MM_EINVAL;
	if (vm_flags & VM_NORESERVE)
		return 0;
	bool shared = !vma || (vma->vm_flags & VM_SHARED);
	struct resv_map *m = NULL;
	u64 chg;
	if (shared) {
		m = inode->resv_map;
		chg = region_chg(tsk, h, m, from, to);
	} else if (count_variant(h)) {
		chg = to - from;
		vma->vm_private_data = (void *)((uintptr_t)(chg << 2) | HPAGE_RESV_OWNER);
	} else {
		m = resv_map_alloc();
		chg = to - from;
		vma->vm_private_data = (void *)((uintptr_t)m | HPAGE_RESV_OWNER);
	}
	if (hugetlb_acct_memory(tsk, h, (s64)chg) < 0) {
		if (shared) {
			region_abort(tsk, h, m);
		} else {
			if (m)
				resv_map_put(m);
			vma->vm_private_data = NULL;
		}
		return -MM_ENOMEM;
	}
	if (shared) {
		u64 add = region_add(tsk, h, m, from, to, true);
		if (add < chg)
			hugetlb_acct_memory(tsk, h, -(s64)(chg - add));  /* raced faults instantiated some */
	}
	return 0;
}

struct inode *hugetlb_shm_create(struct task *tsk, const char *name, u64 size, bool noreserve,
				 int *err)
{
	struct hugetlb *h = H(tsk->sim);
	size = ALIGN_UP(size, HPAGE_SIZE);
	struct inode *in = hugetlb_file_create(tsk->sim, name, size);
	in->s_private = true;
	h->busy++;
	int r = hugetlb_reserve_pages(tsk, h, in, 0, size >> HPAGE_SHIFT, NULL,
				      noreserve ? VM_NORESERVE : 0);
	h->busy--;
	if (r < 0) {
		iput(tsk, in);
		*err = -MM_ENOMEM;
		return NULL;
	}
	return in;
}

/* hugetlb_unreserve_pages: drop the map coverage of [start, end) and the reservations
 * of the indices no page was freed from. */
static void hugetlb_unreserve_pages(struct task *tsk, struct hugetlb *h, struct inode *inode,
				    u64 start, u64 end, u64 freed)
{
	u64 chg = inode->resv_map ? region_del(tsk, h, inode->resv_map, start, end) : 0;
	if (chg > freed)
		hugetlb_acct_memory(tsk, h, -(s64)(chg - freed));
}

/* remove_inode_hugepages: the cached pages of [start, end) leave the cache (mappings
 * are gone already); truncate (end = UINT64_MAX) unreserves once at the end, a hole
 * punch page by page. */
static void remove_inode_hugepages(struct task *tsk, struct hugetlb *h, struct inode *inode,
				   u64 start, u64 end)
{
	bool truncate = end == UINT64_MAX;
	struct u64_vec idx = { 0 };      /* page indices, not pfns */
	for (u64 i = start; i < end; i++) {
		u64 e = xa_find(&inode->i_pages, &i);
		if (!e || i >= end)
			break;
		if (xa_is_pfn(e))
			u64_vec_push(&idx, i);
	}
	for (u32 i = 0; i < idx.n; i++) {
		struct mutex *fm = fault_mutex(h, inode, idx.v[i]);
		mutex_lock(tsk, fm);
		spin_lock(tsk, &inode->i_pages_lock);
		u64 pfn = pagecache_delete(inode, idx.v[i]);
		spin_unlock(tsk, &inode->i_pages_lock);
		if (!truncate)
			hugetlb_unreserve_pages(tsk, h, inode, idx.v[i], idx.v[i] + 1, 1);
		put_huge_page(tsk, h, pfn);
		mutex_unlock(tsk, fm);
	}
	free(idx.v);
	if (truncate)   /* every page found was freed */
		hugetlb_unreserve_pages(tsk, h, inode, start, UINT64_MAX, idx.n);
}

void hugetlbfs_evict_inode(struct task *tsk, struct inode *inode)
{
	struct hugetlb *h = H(file_table_sim(inode->ft));
	if (tsk) {
		h->busy++;
		remove_inode_hugepages(tsk, h, inode, 0, UINT64_MAX);
		h->busy--;
	}
	if (inode->resv_map)
		resv_map_put(inode->resv_map);
	inode->resv_map = NULL;
	h->live_inodes--;
}

/* ---- mmap and the VMA hooks ---- */

static int hugetlb_vm_may_split(struct vm_area_struct *vma, u64 addr)
{
	(void)vma;
	return (addr & (HPAGE_SIZE - 1)) ? -MM_EINVAL : 0;
}

/* hugetlb_vm_op_open: a split or an mremap copy of an owner VMA shares its map. */
static void hugetlb_vm_open(struct task *tsk, struct vm_area_struct *vma)
{
	struct hugetlb *h = H(tsk->sim);
	struct resv_map *m = vma_resv_map(h, vma);
	if (m && !(vma->vm_flags & VM_SHARED) && is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		m->refs++;
}

/* hugetlb_vm_op_close: an owner VMA returns the reservations it did not consume. */
static void __hugetlb_vm_close(struct task *tsk, struct vm_area_struct *vma)
{
	struct hugetlb *h = H(tsk->sim);
	if (!is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return;
	u64 reserve;
	if (count_variant(h)) {
		/* the pre-patch close: the count this VMA holds, whatever other pieces hold */
		reserve = vma_resv_count(vma);
	} else {
		struct resv_map *m = vma_resv_map(h, vma);
		if (!m)
			return;
		u64 start = vma_hindex(vma, vma->vm_start), end = vma_hindex(vma, vma->vm_end);
		reserve = (end - start) - region_count(tsk, h, m, start, end);
		resv_map_put(m);
	}
	vma->vm_private_data = NULL;
	if (reserve)
		hugetlb_acct_memory(tsk, h, -(s64)reserve);
}

static void hugetlb_vm_close(struct task *tsk, struct vm_area_struct *vma)
{
	struct hugetlb *h = H(tsk->sim);
	h->busy++;
	__hugetlb_vm_close(tsk, vma);
	h->busy--;
}

static const struct vm_operations hugetlb_vm_ops = {
	.name = "hugetlb",
	.may_split = hugetlb_vm_may_split,
	.open = hugetlb_vm_open,
	.close = hugetlb_vm_close,
};

static int __hugetlbfs_file_mmap(struct task *tsk, struct vm_area_struct *vma)
{
	struct hugetlb *h = H(tsk->sim);
	struct inode *inode = vma->vm_file;
	vma->vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
	vma->vm_ops = &hugetlb_vm_ops;
	if (vma->vm_pgoff & (HPAGE_NR_PAGES - 1))
		return -MM_EINVAL;
	u64 len = (vma->vm_end - vma->vm_start) + (vma->vm_pgoff << PAGE_SHIFT);
	/* a shm segment reserved (or not, SHM_NORESERVE) at shmget: attaching adds nothing */
	u64 vm_flags = vma->vm_flags | (inode->s_private ? VM_NORESERVE : 0);
	int r = hugetlb_reserve_pages(tsk, h, inode, vma->vm_pgoff >> HPAGE_ORDER, len >> HPAGE_SHIFT,
				      vma, vm_flags);
	if (r < 0)
		return r;
	if ((vma->vm_flags & VM_WRITE) && inode->size < len)
		inode->size = len;
	return 0;
}

int hugetlbfs_file_mmap(struct task *tsk, struct vm_area_struct *vma)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	int r_ = __hugetlbfs_file_mmap(tsk, vma);
	hb_->busy--;
	return r_;
}

void hugetlb_dup_vma_private(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		vma->vm_private_data = NULL;    /* a child holds no reservation */
}

void hugetlb_vma_drop_resv(struct sim *sim, struct vm_area_struct *vma)
{
	struct resv_map *m = vma_resv_map(H(sim), vma);
	if (m && is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		resv_map_put(m);
	if (!(vma->vm_flags & VM_SHARED))
		vma->vm_private_data = NULL;
}

/* ---- page table entries ---- */

static pte_t mk_huge_pte(u64 pfn, bool writable, bool dirty)
{
	return (pfn << PTE_PFN_SHIFT) | PTE_PRESENT | PTE_YOUNG | (writable ? PTE_WRITE : 0) |
	       (dirty ? PTE_DIRTY : 0);
}

/* The huge entry of addr, or 0. */
static pte_t huge_pte(struct mm_struct *mm, u64 haddr)
{
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	return s && s->kind == PMD_HUGE ? s->huge : 0;
}

/* Clear the huge entry at haddr (page table lock held); returns the page it mapped. */
static u64 clear_huge_pte(struct task *tsk, struct mm_struct *mm, u64 haddr)
{
	struct pmd_slot *s = pmd_lookup(mm, haddr);
	if (!s || s->kind != PMD_HUGE || !(s->huge & PTE_PRESENT))
		return PFN_NONE;
	u64 pfn = pte_pfn(s->huge);
	s->kind = PMD_NONE;
	s->huge = 0;
	charge(tsk, tsk->sim->cost->pte_update_ns);
	return pfn;
}

static void __unmap_hugepage_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	struct hugetlb *h = H(tsk->sim);
	struct mm_struct *mm = vma->vm_mm;
	for (u64 a = ALIGN_DOWN(start, HPAGE_SIZE); a < end; a += HPAGE_SIZE) {
		spin_lock(tsk, &mm->page_table_lock);
		u64 pfn = clear_huge_pte(tsk, mm, a);
		if (pfn != PFN_NONE)
			hpage(h, pfn)->mapcount--;
		spin_unlock(tsk, &mm->page_table_lock);
		if (pfn != PFN_NONE)
			put_huge_page(tsk, h, pfn);
	}
}

void unmap_hugepage_range(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	__unmap_hugepage_range(tsk, vma, start, end);
	hb_->busy--;
}

void hugetlb_madv_dontneed(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	struct hugetlb *h = H(tsk->sim);
	struct mm_struct *mm = vma->vm_mm;
	h->busy++;
	for (u64 a = start; a < end; a += HPAGE_SIZE) {
		spin_lock(tsk, &mm->page_table_lock);
		u64 pfn = clear_huge_pte(tsk, mm, a);
		bool restore = false;
		if (pfn != PFN_NONE) {
			struct page_desc *pg = hpage(h, pfn);
			pg->mapcount--;
			/* __unmap_hugepage_range: the private owner's anonymous page gives its
			 * reservation back (unless surplus pages exist), so that a later fault
			 * here finds one */
			restore = !(vma->vm_flags & VM_SHARED) && !count_variant(h) &&
				  is_vma_resv_set(vma, HPAGE_RESV_OWNER) && (pg->flags & PG_hanon) &&
				  !h->surplus_huge_pages;
			if (restore)
				pg->flags |= PG_hrestore;
		}
		spin_unlock(tsk, &mm->page_table_lock);
		if (pfn == PFN_NONE)
			continue;
		if (restore) {
			struct resv_map *m = vma_resv_map(h, vma);
			u64 idx = vma_hindex(vma, a);
			if (m)
				region_del(tsk, h, m, idx, idx + 1);   /* vma_add_reservation */
		}
		put_huge_page(tsk, h, pfn);
	}
	h->busy--;
}

/* unmap_ref_private: an owner whose COW found the pool empty takes the page back from
 * every child (non-owner private VMA) mapping it; they are marked so that their next
 * fault there gets SIGBUS rather than silently other data. */
static void unmap_ref_private(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
			      u64 pfn, u64 haddr)
{
	struct inode *inode = vma->vm_file;
	u64 pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	for (u32 i = 0; i < inode->nr_mmap; i++) {
		struct vm_area_struct *v = inode->i_mmap[i];
		if (v == vma || (v->vm_flags & VM_SHARED) || is_vma_resv_set(v, HPAGE_RESV_OWNER))
			continue;
		u64 vend = v->vm_pgoff + ((v->vm_end - v->vm_start) >> PAGE_SHIFT);
		if (pgoff < v->vm_pgoff || pgoff >= vend)
			continue;
		u64 a = v->vm_start + ((pgoff - v->vm_pgoff) << PAGE_SHIFT);
		struct mm_struct *mm = v->vm_mm;
		spin_lock(tsk, &mm->page_table_lock);
		pte_t e = huge_pte(mm, a);
		bool same = (e & PTE_PRESENT) && pte_pfn(e) == pfn;
		if (same) {
			clear_huge_pte(tsk, mm, a);
			hpage(h, pfn)->mapcount--;
			set_vma_resv_flags(v, HPAGE_RESV_UNMAPPED);
		}
		spin_unlock(tsk, &mm->page_table_lock);
		if (same) {
			put_huge_page(tsk, h, pfn);
			h->st.unmap_ref_private++;
		}
	}
}

/* hugetlb_wp: a write to a read-only huge entry. fm is held on entry and exit. */
static vm_fault_t hugetlb_wp(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
			     u64 haddr, u64 idx, u64 pagecache_pfn, struct mutex *fm)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct cost_table *c = tsk->sim->cost;
	for (;;) {
		spin_lock(tsk, &mm->page_table_lock);
		struct pmd_slot *s = pmd_lookup(mm, haddr);
		if (!s || s->kind != PMD_HUGE) {
			spin_unlock(tsk, &mm->page_table_lock);
			return 0;
		}
		u64 old = pte_pfn(s->huge);
		struct page_desc *opg = hpage(h, old);
		if ((vma->vm_flags & VM_SHARED) || (opg->mapcount == 1 && (opg->flags & PG_hanon))) {
			/* shared mapping, or the only mapper of an anonymous page: reuse */
			s->huge |= PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
			charge(tsk, c->pte_update_ns);
			spin_unlock(tsk, &mm->page_table_lock);
			if (!(vma->vm_flags & VM_SHARED))
				h->st.cow_reuse++;
			return 0;
		}
		/* the owner copying a page it shares with a child must not use up a
		 * reservation: it consumed this index's one when it faulted the page */
		bool outside = is_vma_resv_set(vma, HPAGE_RESV_OWNER) && old != pagecache_pfn;
		opg->refcount++;
		spin_unlock(tsk, &mm->page_table_lock);
		int err = 0;
		u64 pfn = alloc_huge_page(tsk, h, vma, idx, outside, &err);
		if (pfn == PFN_NONE) {
			put_huge_page(tsk, h, old);
			if (!outside)
				return err == -MM_ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
			mutex_unlock(tsk, fm);
			unmap_ref_private(tsk, h, vma, old, haddr);
			mutex_lock(tsk, fm);
			spin_lock(tsk, &mm->page_table_lock);
			pte_t e = huge_pte(mm, haddr);
			spin_unlock(tsk, &mm->page_table_lock);
			if ((e & PTE_PRESENT) && pte_pfn(e) == old)
				continue;   /* now the only mapper: reused on the retry */
			return 0;
		}
		charge(tsk, c->copy_2m_ns);
		spin_lock(tsk, &mm->page_table_lock);
		s = pmd_lookup(mm, haddr);
		if (s && s->kind == PMD_HUGE && pte_pfn(s->huge) == old) {
			struct page_desc *npg = hpage(h, pfn);
			npg->flags = (npg->flags & ~PG_hrestore) | PG_hanon;
			npg->mapcount = 1;
			s->huge = mk_huge_pte(pfn, true, true);
			opg->mapcount--;
			charge(tsk, c->pte_update_ns);
			spin_unlock(tsk, &mm->page_table_lock);
			put_huge_page(tsk, h, old);    /* the mapping's reference */
			h->st.cow_copies++;
		} else {
			spin_unlock(tsk, &mm->page_table_lock);
			put_huge_page(tsk, h, pfn);    /* raced: the reservation is restored */
		}
		put_huge_page(tsk, h, old);            /* ours */
		return 0;
	}
}

/* hugetlb_no_page: nothing mapped at haddr. fm is held. */
static vm_fault_t hugetlb_no_page(struct task *tsk, struct hugetlb *h, struct vm_area_struct *vma,
				  u64 haddr, u64 idx, bool write, struct mutex *fm)
{
	struct mm_struct *mm = vma->vm_mm;
	struct inode *inode = vma->vm_file;
	const struct cost_table *c = tsk->sim->cost;
	if (is_vma_resv_set(vma, HPAGE_RESV_UNMAPPED))
		return VM_FAULT_SIGBUS;   /* "killed due to inadequate hugepage pool" */
	bool shared = vma->vm_flags & VM_SHARED;
	u64 pfn = find_get_page(inode, idx);
	bool anon = false;
	if (pfn == PFN_NONE) {
		if (idx >= inode->size >> HPAGE_SHIFT)
			return VM_FAULT_SIGBUS;
		int err = 0;
		pfn = alloc_huge_page(tsk, h, vma, idx, false, &err);
		if (pfn == PFN_NONE)
			return err == -MM_ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		charge(tsk, c->zero_2m_ns);
		if (shared) {
			/* hugetlb_add_to_page_cache: the cache keeps the reservation's entry */
			spin_lock(tsk, &inode->i_pages_lock);
			pagecache_insert(inode, idx, pfn);
			spin_unlock(tsk, &inode->i_pages_lock);
			hpage(h, pfn)->flags &= ~PG_hrestore;
			hpage(h, pfn)->refcount++;
		} else {
			anon = true;
		}
	} else {
		hpage(h, pfn)->refcount++;
	}
	if (write && !shared && !count_variant(h)) {
		/* the reservation pre-check of a private write fault (needs + end) */
		struct resv_map *m = vma_resv_map(h, vma);
		if (m) {
			region_chg(tsk, h, m, idx, idx + 1);
			region_abort(tsk, h, m);
		}
	}
	spin_lock(tsk, &mm->page_table_lock);
	struct pmd_slot *s = pmd_alloc_slot(mm, haddr);
	struct page_desc *pg = hpage(h, pfn);
	if (anon)
		pg->flags = (pg->flags & ~PG_hrestore) | PG_hanon;
	pg->mapcount++;
	s->kind = PMD_HUGE;
	s->huge = mk_huge_pte(pfn, (vma->vm_flags & VM_WRITE) && shared, write && shared);
	charge(tsk, c->pte_update_ns);
	spin_unlock(tsk, &mm->page_table_lock);
	if (write && !shared)
		return hugetlb_wp(tsk, h, vma, haddr, idx, anon ? PFN_NONE : pfn, fm);
	return 0;
}

static vm_fault_t __hugetlb_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr, unsigned flags)
{
	struct hugetlb *h = H(tsk->sim);
	struct mm_struct *mm = vma->vm_mm;
	bool write = flags & FAULT_FLAG_WRITE;
	u64 haddr = ALIGN_DOWN(addr, HPAGE_SIZE);
	u64 idx = vma_hindex(vma, haddr);
	h->st.faults++;
	struct mutex *fm = fault_mutex(h, vma->vm_file, idx);
	mutex_lock(tsk, fm);
	pte_t e = huge_pte(mm, haddr);
	vm_fault_t ret = 0;
	if (!(e & PTE_PRESENT)) {
		ret = hugetlb_no_page(tsk, h, vma, haddr, idx, write, fm);
	} else if (write && !(e & PTE_WRITE)) {
		u64 pc = (vma->vm_flags & VM_SHARED) ? PFN_NONE : find_get_page(vma->vm_file, idx);
		ret = hugetlb_wp(tsk, h, vma, haddr, idx, pc, fm);
	} else {
		spin_lock(tsk, &mm->page_table_lock);
		struct pmd_slot *s = pmd_lookup(mm, haddr);
		s->huge |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
		spin_unlock(tsk, &mm->page_table_lock);
	}
	mutex_unlock(tsk, fm);
	if (ret & VM_FAULT_SIGBUS) {
		h->st.sigbus++;
		if (!(vma->vm_flags & VM_NORESERVE) &&
		    ((vma->vm_flags & VM_SHARED) || is_vma_resv_set(vma, HPAGE_RESV_OWNER)))
			h->st.sigbus_reserved++;
	}
	return ret;
}

vm_fault_t hugetlb_fault(struct task *tsk, struct vm_area_struct *vma, u64 addr, unsigned flags)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	tl_begin(tsk, TL_HUGETLB_FAULT, addr);
	vm_fault_t r_ = __hugetlb_fault(tsk, vma, addr, flags);
	tl_end(tsk, TL_HUGETLB_FAULT);
	hb_->busy--;
	return r_;
}

/* ---- fork and mremap ---- */

static int __copy_hugetlb_page_range(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct hugetlb *h = H(tsk->sim);
	struct mm_struct *smm = src->vm_mm, *dmm = dst->vm_mm;
	bool cow = !(src->vm_flags & VM_SHARED);
	for (u64 a = src->vm_start; a < src->vm_end; a += HPAGE_SIZE) {
		struct pmd_slot *s = pmd_lookup(smm, a);
		if (!s || s->kind != PMD_HUGE || !(s->huge & PTE_PRESENT))
			continue;
		spin_lock(tsk, &dmm->page_table_lock);
		spin_lock(tsk, &smm->page_table_lock);
		struct pmd_slot *d = pmd_alloc_slot(dmm, a);
		u64 pfn = pte_pfn(s->huge);
		struct page_desc *pg = hpage(h, pfn);
		pg->refcount++;
		pg->mapcount++;
		if (cow)
			s->huge &= ~PTE_WRITE;     /* both write-protected */
		d->kind = PMD_HUGE;
		d->huge = s->huge & ~PTE_YOUNG;
		charge(tsk, tsk->sim->cost->pte_update_ns);
		spin_unlock(tsk, &smm->page_table_lock);
		spin_unlock(tsk, &dmm->page_table_lock);
	}
	return 0;
}

int copy_hugetlb_page_range(struct task *tsk, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	int r_ = __copy_hugetlb_page_range(tsk, dst, src);
	hb_->busy--;
	return r_;
}

int move_hugetlb_page_tables(struct task *tsk, struct mm_struct *mm, u64 old, u64 new, u64 len)
{
	for (u64 off = 0; off < len; off += HPAGE_SIZE) {
		spin_lock(tsk, &mm->page_table_lock);
		struct pmd_slot *s = pmd_lookup(mm, old + off);
		if (s && s->kind == PMD_HUGE) {
			pte_t e = s->huge;
			s->kind = PMD_NONE;
			s->huge = 0;
			struct pmd_slot *d = pmd_alloc_slot(mm, new + off);
			d->kind = PMD_HUGE;
			d->huge = e;
			charge(tsk, 2 * tsk->sim->cost->pte_update_ns);
		}
		spin_unlock(tsk, &mm->page_table_lock);
	}
	return 0;
}

/* ---- hugetlbfs file operations ---- */

static int __hugetlbfs_truncate(struct task *tsk, struct inode *inode, u64 size)
{
	struct hugetlb *h = H(tsk->sim);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (size & (HPAGE_SIZE - 1))
		return -MM_EINVAL;
	if (size < inode->size) {
		/* hugetlb_vmtruncate: unmap from every VMA, then drop the pages and the
		 * reservations of the indices beyond */
		u64 pgoff = size >> HPAGE_SHIFT;
		inode->size = size;
		unmap_mapping_pages(tsk, inode, pgoff << HPAGE_ORDER, UINT64_MAX);
		remove_inode_hugepages(tsk, h, inode, pgoff, UINT64_MAX);
	}
	inode->size = size;
	return 0;
}

int hugetlbfs_truncate(struct task *tsk, struct inode *inode, u64 size)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	int r_ = __hugetlbfs_truncate(tsk, inode, size);
	hb_->busy--;
	return r_;
}

static int __hugetlbfs_fallocate(struct task *tsk, struct inode *inode, u32 mode, u64 off, u64 len)
{
	struct hugetlb *h = H(tsk->sim);
	const struct cost_table *c = tsk->sim->cost;
	charge(tsk, c->syscall_entry_ns);
	if (!len || off + len < off)
		return -MM_EINVAL;
	if (mode & ~(u32)(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -MM_EOPNOTSUPP;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -MM_EOPNOTSUPP;
		/* whole huge pages only; the partial ones at the edges are zeroed */
		u64 hs = ALIGN_UP(off, HPAGE_SIZE), he = ALIGN_DOWN(off + len, HPAGE_SIZE);
		if (he > hs) {
			unmap_mapping_pages(tsk, inode, hs >> PAGE_SHIFT, he >> PAGE_SHIFT);
			remove_inode_hugepages(tsk, h, inode, hs >> HPAGE_SHIFT, he >> HPAGE_SHIFT);
		}
		return 0;
	}
	/* allocate through a pseudo shared VMA: a reservation is used where the inode map
	 * has one, else a free page */
	struct vm_area_struct pv = { .vm_flags = VM_HUGETLB | VM_SHARED, .vm_file = inode };
	u64 start = off >> HPAGE_SHIFT, end = ALIGN_UP(off + len, HPAGE_SIZE) >> HPAGE_SHIFT;
	for (u64 idx = start; idx < end; idx++) {
		struct mutex *fm = fault_mutex(h, inode, idx);
		mutex_lock(tsk, fm);
		if (find_get_page(inode, idx) != PFN_NONE) {
			mutex_unlock(tsk, fm);
			continue;
		}
		int err = 0;
		u64 pfn = alloc_huge_page(tsk, h, &pv, idx, false, &err);
		if (pfn == PFN_NONE) {
			mutex_unlock(tsk, fm);
			return -MM_ENOSPC;
		}
		charge(tsk, c->zero_2m_ns);
		spin_lock(tsk, &inode->i_pages_lock);
		pagecache_insert(inode, idx, pfn);
		spin_unlock(tsk, &inode->i_pages_lock);
		hpage(h, pfn)->flags &= ~PG_hrestore;
		mutex_unlock(tsk, fm);
		flush_if_ahead(tsk);
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > inode->size)
		inode->size = off + len;
	return 0;
}

int hugetlbfs_fallocate(struct task *tsk, struct inode *inode, u32 mode, u64 off, u64 len)
{
	struct hugetlb *hb_ = H(tsk->sim);
	hb_->busy++;
	int r_ = __hugetlbfs_fallocate(tsk, inode, mode, off, len);
	hb_->busy--;
	return r_;
}

s64 hugetlbfs_read(struct task *tsk, struct inode *inode, u64 off, u64 len)
{
	const struct cost_table *c = tsk->sim->cost;
	charge(tsk, c->syscall_entry_ns);
	if (off >= inode->size)
		return 0;
	len = min(len, inode->size - off);
	charge(tsk, c->copy_4k_ns * (ALIGN_UP(len, PAGE_SIZE) >> PAGE_SHIFT));
	return (s64)len;   /* holes read as zeroes: nothing is allocated */
}

/* ---- invariants ---- */

enum {
	INV_WRAP = 1u << 0,
	INV_RSVD_FREE = 1u << 1,
	INV_FREE_TOTAL = 1u << 2,
	INV_SURP_TOTAL = 1u << 3,
	INV_NODES = 1u << 4,
	INV_RECOMPUTE = 1u << 5,
};

/* R recomputed from the maps: inode maps' covered indices without a cached page, and
 * the owner VMAs' unconsumed indices (or counts). */
static u64 recompute_resv(struct hugetlb *h)
{
	struct sim *sim = h->sim;
	u64 r = 0;
	for (u32 id = 0; id < file_table_nr(sim->files); id++) {
		struct inode *in = file_inode_by_id(sim, id);
		if (!in || !in->hugetlb)
			continue;
		if (in->resv_map) {
			const struct resv_map *m = in->resv_map;
			for (u32 i = 0; i < m->nr; i++)
				for (u64 x = m->rg[i].from; x < m->rg[i].to; x++)
					if (find_get_page(in, x) == PFN_NONE)
						r++;
		}
		for (u32 i = 0; i < in->nr_mmap; i++) {
			const struct vm_area_struct *v = in->i_mmap[i];
			if (!is_vma_resv_set(v, HPAGE_RESV_OWNER))
				continue;
			if (count_variant(h)) {
				r += vma_resv_count(v);
				continue;
			}
			const struct resv_map *m = vma_resv_map(h, v);
			u64 s = vma_hindex(v, v->vm_start), e = vma_hindex(v, v->vm_end);
			r += (e - s) - (m ? __region_count(m, s, e) : 0);
		}
	}
	return r;
}

static bool hugetlb_busy(const struct hugetlb *h)
{
	return h->busy || spin_is_locked(&h->lock) || mutex_is_locked(&h->resize_lock);
}

static void hugetlb_check_counters(struct task *tsk, struct hugetlb *h,
				   hugetlb_describe_fn describe, const void *arg, bool full);

void hugetlb_check_after_op(struct task *tsk, hugetlb_describe_fn describe, const void *arg,
			    bool full)
{
	struct hugetlb *h = H(tsk->sim);
	if (h && (full || h->checked_unlocks != h->unlocks))
		hugetlb_check_counters(tsk, h, describe, arg, full);
	/* else no counter changed since the last check */
}

static __attribute__((noinline)) void hugetlb_check_counters(struct task *tsk, struct hugetlb *h,
							     hugetlb_describe_fn describe,
							     const void *arg, bool full)
{
	if (hugetlb_busy(h))
		return;   /* another task is mid-update */
	u64 T = h->nr_huge_pages, F = h->free_huge_pages, R = h->resv_huge_pages,
	    S = h->surplus_huge_pages;
	const u64 big = 1ULL << 63;
	u32 bad = 0;
	h->st.resv_min = min(h->st.resv_min, (s64)R);
	h->st.resv_max = max(h->st.resv_max, (s64)R);
	if (T >= big || F >= big || R >= big || S >= big)
		bad |= INV_WRAP;
	if (R > F)
		bad |= INV_RSVD_FREE;
	if (F > T)
		bad |= INV_FREE_TOTAL;
	if (S > T)
		bad |= INV_SURP_TOTAL;
	u64 st = 0, sf = 0, ss = 0;
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		st += h->nr_node[n];
		sf += h->freelist[n].nr;
		ss += h->surplus_node[n];
		if (h->freelist[n].nr > h->nr_node[n] || h->surplus_node[n] > h->nr_node[n])
			bad |= INV_NODES;
	}
	if (st != T || sf != F || ss != S)
		bad |= INV_NODES;
	u64 rr = 0;
	if (full && !(bad & INV_WRAP)) {
		rr = recompute_resv(h);
		if (rr != R)
			bad |= INV_RECOMPUTE;
	}
	u32 fresh = bad & ~h->bad;
	h->bad = bad;
	h->checked_unlocks = h->unlocks;
	if (!fresh)
		return;
	const char *variant = count_variant(h) ? "count" : "resv_map";
	struct findings *fs = tsk->sim->findings;
	/* A counter invariant breaks when the counters change: at the last unlock that
	 * changed them. The reservation maps' recount breaks with the op itself. */
	u64 now = task_now(tsk);
	char what[160];
	describe(what, sizeof(what), arg);
	u64 changed = h->counters_changed_ns && h->counters_changed_ns <= now ?
		      h->counters_changed_ns : now;
#define REPORT(bit, ...)                                                                    \
	do {                                                                                \
		if (fresh & (bit)) {                                                        \
			h->st.invariant_violations++;                                       \
			finding_report(fs, FINDING_RESV_DRIFT,                              \
				       (bit) == INV_RECOMPUTE ? now : changed, __VA_ARGS__);       \
		}                                                                           \
	} while (0)
	REPORT(INV_WRAP, "hugetlb: a pool counter wrapped below zero after %s: HugePages_Total %llu "
	       "Free %llu Rsvd %llu Surp %llu (hugetlb.private_resv: %s)", what,
	       (unsigned long long)T, (unsigned long long)F, (unsigned long long)R,
	       (unsigned long long)S, variant);
	REPORT(INV_RSVD_FREE, "hugetlb: HugePages_Rsvd %llu above HugePages_Free %llu after %s "
	       "(hugetlb.private_resv: %s)", (unsigned long long)R, (unsigned long long)F, what,
	       variant);
	REPORT(INV_FREE_TOTAL, "hugetlb: HugePages_Free %llu above HugePages_Total %llu after %s",
	       (unsigned long long)F, (unsigned long long)T, what);
	REPORT(INV_SURP_TOTAL, "hugetlb: HugePages_Surp %llu above HugePages_Total %llu after %s",
	       (unsigned long long)S, (unsigned long long)T, what);
	REPORT(INV_NODES, "hugetlb: per-node counters do not add up to the global ones after %s", what);
	REPORT(INV_RECOMPUTE, "hugetlb: HugePages_Rsvd %llu but the reservation maps hold %llu "
	       "after %s (hugetlb.private_resv: %s)", (unsigned long long)R, (unsigned long long)rr,
	       what, variant);
#undef REPORT
}

void hugetlb_check_quiescent(struct sim *sim, u64 now_ns)
{
	struct hugetlb *h = H(sim);
	if (h->live_inodes)
		return;
	if (h->resv_huge_pages || h->surplus_huge_pages || h->free_huge_pages != h->nr_huge_pages) {
		h->st.invariant_violations++;
		finding_report(sim->findings, FINDING_RESV_DRIFT, now_ns,
			       "hugetlb: no hugetlb mapping or file is left, yet the counters did not "
			       "return: HugePages_Total %llu Free %llu Rsvd %llu Surp %llu (expected "
			       "Free = Total, Rsvd 0, Surp 0; hugetlb.private_resv: %s)",
			       (unsigned long long)h->nr_huge_pages,
			       (unsigned long long)h->free_huge_pages,
			       (unsigned long long)h->resv_huge_pages,
			       (unsigned long long)h->surplus_huge_pages,
			       count_variant(h) ? "count" : "resv_map");
	}
}

/* ---- create, destroy, counters ---- */

void hugetlb_create(struct sim *sim)
{
	struct hugetlb *h = xcalloc(1, sizeof(*h));
	const struct scenario *scn = sim->scn;
	h->sim = sim;
	h->nr_nodes = sim->phys->nr_nodes;
	h->private_resv = scn->variants.hugetlb_private_resv;
	h->nr_overcommit_huge_pages = scn->kernel.vm.nr_overcommit_hugepages;
	h->unlocks = 1;                    /* the boot pool below: the first check runs */
	spin_lock_init(&h->lock, &hugetlb_lock_class);
	mutex_init(&h->resize_lock, &resize_lock_class);
	u32 n = 1;
	while (n < 8 * sim->topo->nr_cpus)
		n <<= 1;
	h->nr_fault_mutex = n;
	h->fault_mutex = xcalloc(n, sizeof(*h->fault_mutex));
	for (u32 i = 0; i < n; i++)
		mutex_init(&h->fault_mutex[i], &fault_mutex_class);
	sim->hugetlb = h;
	/* the boot-time pool, round robin over the nodes with memory, before any task */
	u64 allowed = memory_nodes(h);
	for (u64 i = 0; i < scn->kernel.vm.nr_hugepages; i++) {
		u64 pfn = PFN_NONE;
		for (unsigned k = popcount64(allowed); k > 0 && pfn == PFN_NONE; k--) {
			unsigned nid = next_node_to_alloc(h, allowed);
			pfn = alloc_pages_boot(sim->phys, nid, HPAGE_ORDER, MIGRATE_MOVABLE);
		}
		if (pfn == PFN_NONE)
			break;
		hpage(h, pfn)->flags |= PG_hugetlb;
		prep_new_huge_page(h, pfn);
		enqueue_huge_page(h, pfn);
	}
	h->max_huge_pages = h->nr_huge_pages;
	h->st.grow_requested = scn->kernel.vm.nr_hugepages;
	h->st.grow_allocated = h->nr_huge_pages;
}

void hugetlb_destroy(struct hugetlb *h)
{
	if (!h)
		return;
	for (unsigned n = 0; n < h->nr_nodes; n++)
		free(h->freelist[n].pfn);
	free(h->fault_mutex);
	free(h);
}

void hugetlb_get_counters(const struct sim *sim, struct hugetlb_counters *c)
{
	const struct hugetlb *h = H(sim);
	memset(c, 0, sizeof(*c));
	if (!h)
		return;
	c->total = h->nr_huge_pages;
	c->free = h->free_huge_pages;
	c->resv = h->resv_huge_pages;
	c->surplus = h->surplus_huge_pages;
	c->overcommit = h->nr_overcommit_huge_pages;
	c->max_huge_pages = h->max_huge_pages;
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		c->node_total[n] = h->nr_node[n];
		c->node_free[n] = h->freelist[n].nr;
		c->node_surplus[n] = h->surplus_node[n];
	}
}

const struct hugetlb_stats *hugetlb_get_stats(const struct sim *sim)
{
	return &H(sim)->st;
}
