/* page-writeback.c - dirty accounting, the flusher, balance_dirty_pages, fsync and
 * friends, writeback from reclaim. See writeback.h. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/spinlock.h"
#include "mm/backing_dev.h"
#include "mm/filemap.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"
#include "mm/writeback.h"
#include "platform/cost.h"
#include "stats/timeline.h"

/* A request of sync_file_range(WRITE) handed to the flusher. */
struct wb_range_work {
	u32 inode_id;
	u64 start, end;                    /* page indices, inclusive */
};

struct bdi_writeback {
	struct sim *sim;
	struct task *flusher;              /* flush-8:0, started on the first dirtied page */
	bool idle;                         /* parked, waiting for work or the timer */
	bool want_all;                     /* wakeup_flusher_threads: write every dirty page */
	u64 next_periodic;                 /* when the periodic flush is due (ns); 0: none */
	/* knobs (writable at run time through /proc/sys/vm) */
	unsigned dirty_ratio, dirty_background_ratio;
	u64 dirty_bytes, dirty_background_bytes;
	u64 expire_ns, interval_ns;
	u64 write_bw_pages;                /* the device's write bandwidth, pages/s */
	/* b_dirty: dirty inodes by id, oldest dirtied first */
	u32 *b_dirty;
	u32 nr_dirty_inodes, cap_dirty_inodes;
	struct wb_range_work *work;
	u32 nr_work, cap_work;
	/* tasks waiting for the end of a writeback (folio_wait_writeback) */
	struct task **waiters;
	u32 nr_waiters, cap_waiters;
	/* direct reclaimers throttled on writeback (reclaim_throttle), woken once
	 * SWAP_CLUSTER_MAX pages per waiter have been written since the first waited */
	struct task **throttled;
	u32 nr_throttled, cap_throttled;
	u64 throttle_written;
	u8 *reclaim;                       /* per pfn: PG_reclaim */
	u64 nr_reclaim;
	bool pgdat_dirty[MAX_NUMNODES];
	struct writeback_stats st;
};

static inline struct bdi_writeback *wb_of(const struct sim *sim)
{
	return sim->writeback;
}

struct bdi_writeback *writeback_create(struct sim *sim)
{
	struct bdi_writeback *wb = xcalloc(1, sizeof(*wb));
	const struct vm_cfg *vm = &sim->scn->kernel.vm;
	wb->sim = sim;
	wb->dirty_ratio = vm->dirty_ratio;
	wb->dirty_background_ratio = vm->dirty_background_ratio;
	wb->dirty_bytes = vm->dirty_bytes;
	wb->dirty_background_bytes = vm->dirty_background_bytes;
	wb->expire_ns = (u64)vm->dirty_expire_cs * 10 * NSEC_PER_MSEC;
	wb->interval_ns = (u64)vm->dirty_writeback_cs * 10 * NSEC_PER_MSEC;
	wb->write_bw_pages = max_t(u64, sim->scn->machine.bdi.write_bw >> PAGE_SHIFT, 1);
	sim->writeback = wb;
	return wb;
}

void writeback_destroy(struct bdi_writeback *wb)
{
	if (!wb)
		return;
	free(wb->b_dirty);
	free(wb->work);
	free(wb->waiters);
	free(wb->throttled);
	free(wb->reclaim);
	free(wb);
}

const struct writeback_stats *writeback_stats(const struct sim *sim)
{
	static const struct writeback_stats none;
	return wb_of(sim) ? &wb_of(sim)->st : &none;
}

/* ---- limits ---- */

/* global_dirtyable_memory: free pages above the reserves, plus the file LRU pages. */
static u64 global_dirtyable_memory(struct sim *sim)
{
	const struct vmstat *vs = sim->vmstat;
	s64 free = global_vm_state(vs, NR_FREE_PAGES);
	u64 x = free > 0 ? (u64)free : 0, reserve = 0;
	for (unsigned n = 0; n < sim->phys->nr_nodes; n++)
		reserve += sim->phys->node_data[n]->totalreserve_pages;
	x -= min(x, reserve);
	x += (u64)max_t(s64, 0, global_vm_state(vs, NR_INACTIVE_FILE));
	x += (u64)max_t(s64, 0, global_vm_state(vs, NR_ACTIVE_FILE));
	return x + 1;
}

void global_dirty_limits(struct sim *sim, struct dirty_limits *dl)
{
	struct bdi_writeback *wb = wb_of(sim);
	u64 avail = global_dirtyable_memory(sim);
	/* domain_dirty_limits: the ratios in PAGE_SIZE / 100 steps */
	u64 ratio = (u64)wb->dirty_ratio * PAGE_SIZE / 100;
	u64 bg_ratio = (u64)wb->dirty_background_ratio * PAGE_SIZE / 100;
	u64 thresh = wb->dirty_bytes ? DIV_ROUND_UP(wb->dirty_bytes, PAGE_SIZE)
				     : ratio * avail / PAGE_SIZE;
	u64 bg = wb->dirty_background_bytes ? DIV_ROUND_UP(wb->dirty_background_bytes, PAGE_SIZE)
					    : bg_ratio * avail / PAGE_SIZE;
	if (bg >= thresh)
		bg = thresh / 2;
	dl->dirtyable = avail;
	dl->thresh = thresh;
	dl->bg_thresh = bg;
	dl->freerun = (thresh + bg) / 2;      /* dirty_freerun_ceiling */
}

u64 bdp_pause_ns(u64 dirty, const struct dirty_limits *dl, u64 write_bw_pages, u64 pages_dirtied,
		 u64 *pos_ratio)
{
	*pos_ratio = 1u << RATELIMIT_CALC_SHIFT;
	if (dirty <= dl->freerun)
		return 0;
	u64 limit = dl->thresh;
	if (dirty >= limit) {
		*pos_ratio = 0;
		return DIRTY_MAX_PAUSE_NS;
	}
	/* pos_ratio_polynom: 1 + ((setpoint - dirty) / (limit - setpoint))^3 */
	u64 setpoint = (dl->freerun + limit) / 2;
	s64 x = ((s64)setpoint - (s64)dirty) * (1 << RATELIMIT_CALC_SHIFT) /
		(s64)((limit - setpoint) | 1);
	/* the kernel's arithmetic shifts (floor for negative values, as gcc's >> does) */
	s64 p = x;
	p = (p * x) >> RATELIMIT_CALC_SHIFT;
	p = (p * x) >> RATELIMIT_CALC_SHIFT;
	p += 1 << RATELIMIT_CALC_SHIFT;
	if (p < 0)
		p = 0;
	if (p > 2 << RATELIMIT_CALC_SHIFT)
		p = 2 << RATELIMIT_CALC_SHIFT;
	*pos_ratio = (u64)p;
	u64 task_ratelimit = write_bw_pages * (u64)p >> RATELIMIT_CALC_SHIFT;
	if (!task_ratelimit)
		return DIRTY_MAX_PAUSE_NS;
	u64 pause = pages_dirtied * NSEC_PER_SEC / task_ratelimit;
	return min_t(u64, pause, DIRTY_MAX_PAUSE_NS);
}

/* ---- the flusher's wake-ups and the waiters ---- */

static void flusher_main(struct task *tsk);

static void wb_wakeup(struct task *tsk, struct bdi_writeback *wb)
{
	if (wb->flusher && wb->idle) {
		wb->idle = false;
		task_unpark(tsk, wb->flusher);
	}
}

/* Sleep until the next end of writeback. */
static void wait_for_writeback(struct task *tsk, struct bdi_writeback *wb)
{
	if (wb->nr_waiters == wb->cap_waiters) {
		wb->cap_waiters = wb->cap_waiters ? 2 * wb->cap_waiters : 8;
		wb->waiters = xrealloc(wb->waiters, wb->cap_waiters * sizeof(*wb->waiters));
	}
	wb->waiters[wb->nr_waiters++] = tsk;
	u64 t0 = task_now(tsk);
	task_park(tsk, TASK_BLOCKED_IO);
	wb->st.sync_wait_ns += task_now(tsk) - t0;
}

/* ---- dirty accounting ---- */

static void b_dirty_add(struct bdi_writeback *wb, struct inode *inode, u64 now)
{
	if (wb->nr_dirty_inodes == wb->cap_dirty_inodes) {
		wb->cap_dirty_inodes = wb->cap_dirty_inodes ? 2 * wb->cap_dirty_inodes : 16;
		wb->b_dirty = xrealloc(wb->b_dirty, wb->cap_dirty_inodes * sizeof(*wb->b_dirty));
	}
	wb->b_dirty[wb->nr_dirty_inodes++] = inode->id;
	inode->dirtied_when = now;
	inode->wb_listed = true;
}

static void b_dirty_del(struct bdi_writeback *wb, struct inode *inode)
{
	for (u32 i = 0; i < wb->nr_dirty_inodes; i++)
		if (wb->b_dirty[i] == inode->id) {
			memmove(wb->b_dirty + i, wb->b_dirty + i + 1,
				(wb->nr_dirty_inodes - i - 1) * sizeof(*wb->b_dirty));
			wb->nr_dirty_inodes--;
			break;
		}
	inode->wb_listed = false;
}

void folio_account_dirtied(struct task *tsk, struct inode *inode, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct bdi_writeback *wb = wb_of(sim);
	unsigned nid = page_to_nid(sim->phys, pfn);
	mod_node_page_state(tsk, nid, NR_FILE_DIRTY, 1);
	mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, 1);
	mod_node_page_state(tsk, nid, NR_DIRTIED, 1);
	tsk->nr_dirtied++;
	inode->nr_dirty++;
	if (!wb)
		return;
	if (!inode->wb_listed) {
		/* __mark_inode_dirty: the first dirty page of the inode; the first dirty inode
		 * of the device arms the periodic flush (wb_wakeup_delayed) */
		bool first = !wb->nr_dirty_inodes;
		b_dirty_add(wb, inode, task_now(tsk));
		if (first && !wb->next_periodic && wb->interval_ns)
			wb->next_periodic = inode->dirtied_when + wb->interval_ns;
		if (!wb->flusher) {
			wb->flusher = engine_spawn(sim->eng, "flush-8:0", 0, true, 0, flusher_main,
						   wb, NULL);
			return;
		}
		if (first)
			wb_wakeup(tsk, wb);   /* it re-arms its timer */
	}
}

/* The dirty state of a page goes (written back, or truncated). */
static void account_page_cleaned(struct task *tsk, struct inode *inode, u64 pfn)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	unsigned nid = page_to_nid(tsk->sim->phys, pfn);
	mod_node_page_state(tsk, nid, NR_FILE_DIRTY, -1);
	mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, -1);
	if (inode->nr_dirty)
		inode->nr_dirty--;
	if (!inode->nr_dirty && inode->wb_listed && wb)
		b_dirty_del(wb, inode);
}

void folio_account_cleaned(struct task *tsk, struct inode *inode, u64 pfn)
{
	account_page_cleaned(tsk, inode, pfn);
	folio_clear_reclaim(tsk->sim, pfn);
}

static bool test_reclaim(struct bdi_writeback *wb, u64 pfn)
{
	return wb->reclaim && pfn < wb->nr_reclaim && wb->reclaim[pfn];
}

static void set_reclaim(struct bdi_writeback *wb, u64 pfn)
{
	if (!wb->reclaim) {
		wb->nr_reclaim = wb->sim->phys->nr_pages;
		wb->reclaim = xcalloc(wb->nr_reclaim, 1);
	}
	wb->reclaim[pfn] = 1;
}

void folio_clear_reclaim(struct sim *sim, u64 pfn)
{
	struct bdi_writeback *wb = wb_of(sim);
	if (wb && test_reclaim(wb, pfn))
		wb->reclaim[pfn] = 0;
}

/* ---- writing pages ---- */

struct mkclean_ctx {
	struct task *tsk;
	u64 pfn;
};

static void mkclean_one(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
			unsigned idx)
{
	struct mkclean_ctx *c = arg;
	(void)addr;
	if (!(vma->vm_flags & VM_SHARED))
		return;
	spin_lock(c->tsk, &t->ptl);
	pte_t pte = pte_get(t, idx);
	if ((pte & PTE_PRESENT) && pte_pfn(pte) == c->pfn && (pte & (PTE_WRITE | PTE_DIRTY))) {
		pte_clear_flags(t, idx, PTE_WRITE | PTE_DIRTY);
		charge(c->tsk, c->tsk->sim->cost->pte_update_ns + c->tsk->sim->cost->tlb_miss_4k_ns);
	}
	spin_unlock(c->tsk, &t->ptl);
}

/* folio_end_writeback: the request is done. */
static void end_page_writeback(struct task *tsk, struct bdi_writeback *wb, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	unsigned nid = page_to_nid(sim->phys, pfn);
	pg->flags &= ~PG_writeback;
	mod_node_page_state(tsk, nid, NR_WRITEBACK, -1);
	mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, -1);
	mod_node_page_state(tsk, nid, NR_WRITTEN, 1);
	if (test_reclaim(wb, pfn)) {
		/* folio_rotate_reclaimable: reclaim wanted it; to the inactive tail */
		wb->reclaim[pfn] = 0;
		if ((pg->flags & PG_lru) && !(pg->flags & (PG_dirty | PG_isolated | PG_lru_pending))) {
			struct lruvec *lv = node_lruvec(sim, nid);
			spin_lock(tsk, &lv->lru_lock);
			lru_list_del(sim, lv, pfn, page_lru(pg));
			pg->flags &= ~PG_active;
			lru_list_add(sim, lv, pfn, LRU_INACTIVE_FILE, true);
			count_vm_event(tsk, PGROTATED);
			spin_unlock(tsk, &lv->lru_lock);
		}
	}
	put_user_page(tsk, pfn);         /* the writer's reference */
}

/* Write pages (referenced by the caller, dirty, not under writeback) as one request:
 * clear_page_dirty_for_io, set writeback, the device request, end writeback. */
static void write_pages(struct task *tsk, struct inode *inode, const u64 *pfns, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct bdi_writeback *wb = wb_of(sim);
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pfns[i]);
		unsigned nid = page_to_nid(sim->phys, pfns[i]);
		if (pg->mapcount) {
			struct mkclean_ctx c = { tsk, pfns[i] };
			rmap_walk(sim, pfns[i], mkclean_one, &c);
		}
		pg->flags &= ~PG_dirty;
		account_page_cleaned(tsk, inode, pfns[i]);
		pg->flags |= PG_writeback;
		mod_node_page_state(tsk, nid, NR_WRITEBACK, 1);
		mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, 1);
		charge(tsk, sim->cost->atomic_local_ns);
	}
	wb->st.requests++;
	u32 owner;
	u64 first = 0;
	rmap_owner(sim, pfns[0], &owner, &first);   /* the request's first page index */
	tl_begin(tsk, TL_WRITEBACK, n);
	bdi_write_pages(tsk, inode, first, n);
	tl_end(tsk, TL_WRITEBACK);
	for (unsigned i = 0; i < n; i++)
		end_page_writeback(tsk, wb, pfns[i]);
	task_unpark_all(tsk, wb->waiters, &wb->nr_waiters);
	if (wb->nr_throttled) {
		/* __acct_reclaim_writeback: enough written for the throttled reclaimers */
		wb->throttle_written += n;
		if (wb->throttle_written >= 32ULL * wb->nr_throttled) {
			u32 k = wb->nr_throttled;
			struct task **w = xmalloc(k * sizeof(*w));
			memcpy(w, wb->throttled, k * sizeof(*w));
			wb->nr_throttled = 0;
			for (u32 i = 0; i < k; i++)
				task_unpark(tsk, w[i]);
			free(w);
		}
	}
}

/* do_writepages of [start, end] (page indices): dirty pages not under writeback, in
 * requests of up to MIN_WRITEBACK_PAGES, at most max_pages. Returns the pages written. */
static u64 writeback_inode_range(struct task *tsk, struct inode *inode, u64 start, u64 end,
				 u64 max_pages)
{
	struct sim *sim = tsk->sim;
	u64 batch[MIN_WRITEBACK_PAGES], done = 0, idx = start;
	iget(inode);    /* the inode stays while its pages are written */
	while (done < max_pages && idx <= end) {
		unsigned n = 0;
		while (n < MIN_WRITEBACK_PAGES && done + n < max_pages) {
			u64 e = xa_find(&inode->i_pages, &idx);
			if (!e || idx > end)
				break;
			if (xa_is_pfn(e)) {
				u64 pfn = xa_to_pfn(e);
				struct page_desc *pg = pfn_to_page(sim->phys, pfn);
				if ((pg->flags & PG_dirty) && !(pg->flags & PG_writeback)) {
					pg->refcount++;
					batch[n++] = pfn;
				}
			}
			if (idx == UINT64_MAX)
				break;
			idx++;
		}
		if (!n)
			break;
		write_pages(tsk, inode, batch, n);
		done += n;
	}
	iput(tsk, inode);
	return done;
}

/* Any page of [start, end] under writeback? */
static bool range_under_writeback(struct sim *sim, struct inode *inode, u64 start, u64 end)
{
	u64 idx = start;
	for (;;) {
		u64 e = xa_find(&inode->i_pages, &idx);
		if (!e || idx > end)
			return false;
		if (xa_is_pfn(e) && (pfn_to_page(sim->phys, xa_to_pfn(e))->flags & PG_writeback))
			return true;
		if (idx == UINT64_MAX)
			return false;
		idx++;
	}
}

/* filemap_write_and_wait_range: write the range's dirty pages, then wait until none of
 * its pages is under writeback (WB_SYNC_ALL). */
static u64 write_and_wait_range(struct task *tsk, struct inode *inode, u64 start, u64 end)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	u64 n = 0;
	iget(inode);
	for (;;) {
		n += writeback_inode_range(tsk, inode, start, end, UINT64_MAX);
		if (!range_under_writeback(tsk->sim, inode, start, end))
			break;
		wait_for_writeback(tsk, wb);
	}
	iput(tsk, inode);
	wb->st.pages_sync += n;
	return n;
}

static bool writes_back(const struct inode *inode)
{
	return !inode->shmem && !inode->hugetlb;
}

/* ---- the flusher (wb_workfn) ---- */

static struct inode *dirty_inode(struct bdi_writeback *wb, u32 i)
{
	return file_inode_by_id(wb->sim, wb->b_dirty[i]);
}

/* Write back the first n inodes of b_dirty, each once, whole (a snapshot of their ids:
 * the list changes meanwhile). */
static u64 write_inodes(struct task *tsk, struct bdi_writeback *wb, u32 n)
{
	u64 done = 0;
	if (!n)
		return 0;
	u32 *ids = xmalloc(n * sizeof(*ids));
	memcpy(ids, wb->b_dirty, n * sizeof(*ids));
	for (u32 i = 0; i < n && !kthread_should_stop(tsk); i++) {
		struct inode *inode = file_inode_by_id(wb->sim, ids[i]);
		if (inode && inode->wb_listed)
			done += writeback_inode_range(tsk, inode, 0, UINT64_MAX, UINT64_MAX);
	}
	free(ids);
	return done;
}

static u64 wb_do_writeback(struct task *tsk, struct bdi_writeback *wb)
{
	struct sim *sim = tsk->sim;
	u64 done = 0;
	/* queued ranges (sync_file_range WRITE) */
	while (wb->nr_work) {
		struct wb_range_work w = wb->work[0];
		memmove(wb->work, wb->work + 1, (wb->nr_work - 1) * sizeof(*wb->work));
		wb->nr_work--;
		struct inode *inode = file_inode_by_id(sim, w.inode_id);
		if (inode) {
			wb->st.wb_range++;
			done += writeback_inode_range(tsk, inode, w.start, w.end, UINT64_MAX);
		}
	}
	/* wakeup_flusher_threads: everything */
	if (wb->want_all) {
		wb->want_all = false;
		wb->st.wb_vmscan++;
		done += write_inodes(tsk, wb, wb->nr_dirty_inodes);
	}
	/* background: Dirty over bg_thresh, oldest inodes first, a chunk at a time; an
	 * inode with nothing to write now (its dirty pages under writeback by another
	 * writer) is passed over */
	bool counted = false;
	u32 i = 0;
	for (;;) {
		struct dirty_limits dl;
		global_dirty_limits(sim, &dl);
		s64 dirty = global_vm_state(sim->vmstat, NR_FILE_DIRTY);
		if (dirty <= (s64)dl.bg_thresh || i >= wb->nr_dirty_inodes || kthread_should_stop(tsk))
			break;
		if (!counted)
			wb->st.wb_background++;
		counted = true;
		struct inode *inode = dirty_inode(wb, i);
		u64 n = inode ? writeback_inode_range(tsk, inode, 0, UINT64_MAX, MIN_WRITEBACK_PAGES)
			      : 0;
		done += n;
		if (!n)
			i++;
	}
	/* periodic: inodes dirtied expire_ns ago or earlier */
	u64 now = task_now(tsk);
	if (wb->next_periodic && now >= wb->next_periodic) {
		wb->next_periodic = 0;
		wb->st.wb_periodic++;
		/* the list is in dirtied_when order: the expired ones are a prefix */
		u32 n = 0;
		while (n < wb->nr_dirty_inodes &&
		       dirty_inode(wb, n)->dirtied_when + wb->expire_ns <= now)
			n++;
		done += write_inodes(tsk, wb, n);
	}
	wb->st.pages_flusher += done;
	return done;
}

static void flusher_main(struct task *tsk)
{
	struct bdi_writeback *wb = tsk->priv;
	while (!kthread_should_stop(tsk)) {
		u64 done = wb_do_writeback(tsk, wb);
		if (kthread_should_stop(tsk))
			break;
		if (done || wb->nr_work || wb->want_all)
			continue;
		wb->idle = true;
		if (wb->nr_dirty_inodes && wb->interval_ns) {
			u64 now = task_now(tsk);
			if (!wb->next_periodic)
				wb->next_periodic = now + wb->interval_ns;
			if (wb->next_periodic <= now) {
				wb->idle = false;
				continue;            /* due already: the periodic flush now */
			}
			task_park_timeout(tsk, TASK_IDLE, wb->next_periodic - now);
		} else {
			wb->next_periodic = 0;
			task_park(tsk, TASK_IDLE);
		}
		wb->idle = false;
	}
}

/* ---- balance_dirty_pages ---- */

/* dirty_poll_interval: how many pages a writer under freerun may dirty before the next
 * check. */
static u32 dirty_poll_interval(u64 dirty, u64 thresh)
{
	if (thresh > dirty) {
		u64 d = thresh - dirty;
		unsigned l = 0;
		while (d >>= 1)
			l++;
		return 1u << (l >> 1);
	}
	return 1;
}

static void balance_dirty_pages(struct task *tsk, struct bdi_writeback *wb, u64 pages_dirtied)
{
	struct sim *sim = tsk->sim;
	wb->st.bdp_calls++;
	for (;;) {
		struct dirty_limits dl;
		global_dirty_limits(sim, &dl);
		u64 reclaimable = (u64)max_t(s64, 0, global_vm_state(sim->vmstat, NR_FILE_DIRTY));
		u64 dirty = reclaimable + (u64)max_t(s64, 0, global_vm_state(sim->vmstat, NR_WRITEBACK));
		if (dirty <= dl.freerun) {
			tsk->nr_dirtied_pause = dirty_poll_interval(dirty, dl.thresh);
			if (reclaimable > dl.bg_thresh)
				wb_wakeup(tsk, wb);
			return;
		}
		wb_wakeup(tsk, wb);           /* wb_start_background_writeback */
		u64 pos_ratio;
		u64 pause = bdp_pause_ns(dirty, &dl, wb->write_bw_pages, pages_dirtied, &pos_ratio);
		wb->st.bdp_pauses++;
		wb->st.bdp_pause_ns += pause;
		if (pause > wb->st.bdp_max_pause_ns)
			wb->st.bdp_max_pause_ns = pause;
		if (!pos_ratio)
			wb->st.bdp_limit_pauses++;
		tsk->nr_dirtied_pause = 32;
		task_sleep(tsk, pause);
		if (pos_ratio || kthread_should_stop(tsk))
			return;
	}
}

void balance_dirty_pages_ratelimited(struct task *tsk)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	if (!wb)
		return;
	if (!tsk->nr_dirtied_pause)
		tsk->nr_dirtied_pause = 32;   /* 128 KiB, as a new task's */
	if (tsk->nr_dirtied < tsk->nr_dirtied_pause)
		return;
	u64 n = tsk->nr_dirtied;
	tsk->nr_dirtied = 0;
	balance_dirty_pages(tsk, wb, n);
}

/* ---- sync calls ---- */

int vfs_fsync_range(struct task *tsk, struct inode *inode, u64 start, u64 end, bool datasync)
{
	(void)datasync;   /* no metadata I/O is modelled: the same work */
	struct bdi_writeback *wb = wb_of(tsk->sim);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	wb->st.fsync++;
	if (!writes_back(inode) || start > end)
		return 0;
	write_and_wait_range(tsk, inode, start >> PAGE_SHIFT, end >> PAGE_SHIFT);
	return 0;
}

int ksys_sync_file_range(struct task *tsk, struct inode *inode, s64 off, s64 nbytes, u32 flags)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	wb->st.sync_file_range++;
	if (flags & ~(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER))
		return -MM_EINVAL;
	if (off < 0 || nbytes < 0 || off + nbytes < off)
		return -MM_EINVAL;
	if (!writes_back(inode) || !flags)
		return 0;
	u64 start = (u64)off >> PAGE_SHIFT;
	u64 end = nbytes ? ((u64)off + (u64)nbytes - 1) >> PAGE_SHIFT : UINT64_MAX;
	iget(inode);
	if (flags & SYNC_FILE_RANGE_WAIT_BEFORE)
		while (range_under_writeback(tsk->sim, inode, start, end))
			wait_for_writeback(tsk, wb);
	if ((flags & SYNC_FILE_RANGE_WRITE) && (flags & SYNC_FILE_RANGE_WAIT_AFTER)) {
		write_and_wait_range(tsk, inode, start, end);
	} else if (flags & SYNC_FILE_RANGE_WRITE) {
		/* WB_SYNC_NONE, not waited for: the flusher writes the range now */
		if (wb->nr_work == wb->cap_work) {
			wb->cap_work = wb->cap_work ? 2 * wb->cap_work : 8;
			wb->work = xrealloc(wb->work, wb->cap_work * sizeof(*wb->work));
		}
		wb->work[wb->nr_work++] = (struct wb_range_work){ inode->id, start, end };
		wb_wakeup(tsk, wb);
	} else if (flags & SYNC_FILE_RANGE_WAIT_AFTER) {
		while (range_under_writeback(tsk->sim, inode, start, end))
			wait_for_writeback(tsk, wb);
	}
	iput(tsk, inode);
	return 0;
}

void ksys_sync(struct task *tsk)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	struct sim *sim = tsk->sim;
	charge(tsk, sim->cost->syscall_entry_ns);
	wb->st.sync++;
	u32 n = wb->nr_dirty_inodes;
	u32 *ids = xmalloc((n ? n : 1) * sizeof(*ids));
	if (n)                        /* (b_dirty may still be NULL) */
		memcpy(ids, wb->b_dirty, n * sizeof(*ids));
	for (u32 i = 0; i < n; i++) {
		struct inode *inode = file_inode_by_id(sim, ids[i]);
		if (inode && inode->wb_listed)
			write_and_wait_range(tsk, inode, 0, UINT64_MAX);
	}
	free(ids);
	/* and what others are still writing */
	for (u32 i = 0; i < file_table_nr(sim->files); i++) {
		struct inode *in = file_inode_by_id(sim, i);
		if (in && writes_back(in))
			while (range_under_writeback(sim, in, 0, UINT64_MAX))
				wait_for_writeback(tsk, wb);
	}
}

int ksys_msync(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, u32 flags)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	wb->st.msync++;
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -MM_EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	u64 end = start + len;
	if (end < start)
		return -MM_ENOMEM;
	if (end == start)
		return 0;
	int unmapped_error = 0, error;
	down_read(tsk, &mm->mmap_lock);
	struct vm_area_struct *vma = find_vma(mm, start);
	for (;;) {
		error = -MM_ENOMEM;
		if (!vma)
			break;
		if (start < vma->vm_start) {
			if (flags == MS_ASYNC)
				break;
			start = vma->vm_start;
			if (start >= end)
				break;
			unmapped_error = -MM_ENOMEM;
		}
		struct inode *file = vma->vm_file;
		u64 fstart = (start - vma->vm_start) + (vma->vm_pgoff << PAGE_SHIFT);
		u64 fend = fstart + (min(end, vma->vm_end) - start) - 1;
		start = vma->vm_end;
		if ((flags & MS_SYNC) && file && (vma->vm_flags & VM_SHARED)) {
			iget(file);
			up_read(tsk, &mm->mmap_lock);
			if (writes_back(file))
				write_and_wait_range(tsk, file, fstart >> PAGE_SHIFT, fend >> PAGE_SHIFT);
			iput(tsk, file);
			if (start >= end)
				return unmapped_error;
			down_read(tsk, &mm->mmap_lock);
			vma = find_vma(mm, start);
		} else {
			if (start >= end) {
				error = 0;
				break;
			}
			vma = find_vma(mm, start);
		}
	}
	up_read(tsk, &mm->mmap_lock);
	return error ? error : unmapped_error;
}

/* ---- reclaim ---- */

void reclaim_throttle_writeback(struct task *tsk)
{
	struct sim *sim = tsk->sim;
	struct bdi_writeback *wb = wb_of(sim);
	if (!wb || !wb->flusher || global_vm_state(sim->vmstat, NR_ZONE_WRITE_PENDING) <= 0)
		return;
	if (global_vm_state(sim->vmstat, NR_FILE_DIRTY) > 0 && wb->nr_dirty_inodes) {
		wb->want_all = true;
		wb_wakeup(tsk, wb);
	}
	if (wb->nr_throttled == wb->cap_throttled) {
		wb->cap_throttled = wb->cap_throttled ? 2 * wb->cap_throttled : 8;
		wb->throttled = xrealloc(wb->throttled, wb->cap_throttled * sizeof(*wb->throttled));
	}
	if (!wb->nr_throttled)
		wb->throttle_written = 0;
	wb->throttled[wb->nr_throttled++] = tsk;
	u64 t0 = task_now(tsk);
	wb->st.reclaim_throttled++;
	if (!task_park_timeout(tsk, TASK_BLOCKED_IO, RECLAIM_THROTTLE_WRITEBACK_NS)) {
		/* timed out: off the wait list (a later wake-up must not find us) */
		for (u32 i = 0; i < wb->nr_throttled; i++)
			if (wb->throttled[i] == tsk) {
				wb->throttled[i] = wb->throttled[--wb->nr_throttled];
				break;
			}
	}
	wb->st.reclaim_throttled_ns += task_now(tsk) - t0;
}

void set_pgdat_dirty(struct sim *sim, unsigned nid, bool dirty)
{
	if (wb_of(sim))
		wb_of(sim)->pgdat_dirty[nid] = dirty;
}

enum wb_reclaim_verdict reclaim_dirty_file_page(struct task *tsk, u64 pfn, bool kswapd)
{
	struct sim *sim = tsk->sim;
	struct bdi_writeback *wb = wb_of(sim);
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	if (!wb)
		return WB_RECLAIM_KEEP;         /* no writeback model (unit tests) */
	if (pg->flags & PG_writeback) {
		set_reclaim(wb, pfn);           /* its end of writeback rotates it */
		return WB_RECLAIM_KEEP;
	}
	unsigned nid = page_to_nid(sim->phys, pfn);
	if (!kswapd || !test_reclaim(wb, pfn) || !wb->pgdat_dirty[nid]) {
		mod_node_page_state(tsk, nid, NR_VMSCAN_IMMEDIATE_RECLAIM, 1);
		set_reclaim(wb, pfn);
		return WB_RECLAIM_ACTIVATE;
	}
	return WB_RECLAIM_PAGEOUT;
}

void pageout_file_pages(struct task *tsk, const u64 *pfns, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct bdi_writeback *wb = wb_of(sim);
	for (unsigned i = 0; i < n; i++) {
		u32 id;
		u64 index;
		struct page_desc *pg = pfn_to_page(sim->phys, pfns[i]);
		if (!(pg->flags & PG_dirty) || (pg->flags & PG_writeback) ||
		    rmap_owner(sim, pfns[i], &id, &index) != OWNER_FILE)
			continue;
		struct inode *inode = file_inode_by_id(sim, id);
		if (!inode)
			continue;
		wb->reclaim[pfns[i]] = 0;
		pg->refcount++;
		mod_node_page_state(tsk, page_to_nid(sim->phys, pfns[i]), NR_VMSCAN_WRITE, 1);
		wb->st.pages_pageout++;
		write_pages(tsk, inode, &pfns[i], 1);
	}
}

void wakeup_flusher_threads(struct task *tsk)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	if (!wb || !wb->nr_dirty_inodes)
		return;
	wb->want_all = true;
	wb_wakeup(tsk, wb);
}

/* ---- sysctl ---- */

s64 writeback_sysctl(struct task *tsk, const char *path, u64 value, bool *known)
{
	struct bdi_writeback *wb = wb_of(tsk->sim);
	static const char dir[] = "/proc/sys/vm/";
	*known = false;
	if (!wb || strncmp(path, dir, sizeof(dir) - 1))
		return -MM_EINVAL;
	const char *f = path + sizeof(dir) - 1;
	*known = true;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	/* writing a ratio clears the bytes knob and the other way round (dirty_*_handler) */
	if (!strcmp(f, "dirty_ratio")) {
		if (value > 100)
			return -MM_EINVAL;
		wb->dirty_ratio = (unsigned)value;
		wb->dirty_bytes = 0;
	} else if (!strcmp(f, "dirty_background_ratio")) {
		if (value > 100)
			return -MM_EINVAL;
		wb->dirty_background_ratio = (unsigned)value;
		wb->dirty_background_bytes = 0;
	} else if (!strcmp(f, "dirty_bytes")) {
		if (value < 2 * PAGE_SIZE)
			return -MM_EINVAL;
		wb->dirty_bytes = value;
		wb->dirty_ratio = 0;
	} else if (!strcmp(f, "dirty_background_bytes")) {
		if (value < 1)
			return -MM_EINVAL;
		wb->dirty_background_bytes = value;
		wb->dirty_background_ratio = 0;
	} else if (!strcmp(f, "dirty_expire_centisecs")) {
		wb->expire_ns = value * 10 * NSEC_PER_MSEC;
	} else if (!strcmp(f, "dirty_writeback_centisecs")) {
		wb->interval_ns = value * 10 * NSEC_PER_MSEC;
		wb_wakeup(tsk, wb);
	} else {
		*known = false;
		return -MM_EINVAL;
	}
	return 0;
}
