/* page_io.c - asynchronous swap-out writeback (see page_io.h). */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "stats/findings.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/spinlock.h"
#include "mm/page_alloc.h"
#include "mm/page_io.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/vmstat.h"
#include "stats/timeline.h"

struct swap_req {
	u64 *pfns;                  /* owned */
	unsigned n;
};

struct swap_wb {
	struct sim *sim;            /* borrowed */
	struct task *io;            /* "swapio": serves the requests */
	bool idle, stopped;
	struct swap_req *q;         /* FIFO: q[head..tail) */
	u32 head, tail, cap;
	u8 *reclaim;                /* per pfn: PG_reclaim of an anonymous page */
	struct task **waiters;      /* submitters waiting for a free request */
	u32 nr_waiters, cap_waiters;
	u64 reads_seen, writes_seen;   /* fault injection: requests in its window */
	u64 slow_seen;                 /* requests in the slow window */
	struct swap_inject_stats st;
	struct swap_io_stats iost;
	u64 wb_pages;                  /* pages under asynchronous writeback now */
};

static struct swap_wb *swb(struct sim *sim)
{
	if (!sim->swap_wb) {
		struct swap_wb *w = xcalloc(1, sizeof(*w));
		w->sim = sim;
		w->reclaim = xcalloc(sim->phys->nr_pages, 1);
		sim->swap_wb = w;
	}
	return sim->swap_wb;
}

/* A fault injection window [from, until) (until 0: no end) holds now. */
static inline bool in_window(u64 now, u64 from, u64 until)
{
	return now >= from && (!until || now < until);
}

bool swap_io_inject_error(struct task *tsk, bool write)
{
	const struct swap_cfg *c = &tsk->sim->scn->machine.swap;
	unsigned every = write ? c->fail_write_every : c->fail_read_every;
	u64 now = task_now(tsk);
	if (!every || !in_window(now, c->fail_from_ns, c->fail_until_ns))
		return false;
	struct swap_wb *w = swb(tsk->sim);
	u64 *seen = write ? &w->writes_seen : &w->reads_seen;
	if (++*seen % every)
		return false;
	if (!w->st.fail_reqs[write]++)
		w->st.fail_first_ns[write] = now;
	if (!write)
		w->st.fail_pages[0]++;       /* the faulting page (complete_req counts writes) */
	return true;
}

/* Is this request, starting now, slowed? Counts it. */
static unsigned swap_io_slow_factor(struct task *tsk)
{
	const struct swap_cfg *c = &tsk->sim->scn->machine.swap;
	u64 now = task_now(tsk);
	if (c->slow_factor <= 1 || !in_window(now, c->slow_from_ns, c->slow_until_ns))
		return 1;
	struct swap_wb *w = swb(tsk->sim);
	return ++w->slow_seen % c->slow_every == 0 ? c->slow_factor : 1;
}

void swap_dev_io(struct task *tsk, bool write, u64 npages)
{
	unsigned f = swap_io_slow_factor(tsk);
	struct swap_wb *w = swb(tsk->sim);
	flush(tsk);
	u64 t0 = task_now(tsk);
	if (f == 1) {
		task_disk_io(tsk, write, npages << PAGE_SHIFT);
	} else {
		/* a slow device: the latency f times, the transfer at 1/f of the bandwidth
		 * (the device busy f times as long, so requests sharing it slow down too) */
		u64 lat = tsk->sim->scn->machine.swap.latency_ns;
		if (lat)
			task_sleep(tsk, (u64)(f - 1) * lat);
		task_disk_io(tsk, write, (npages << PAGE_SHIFT) * f);
	}
	u64 ns = task_now(tsk) - t0;
	w->iost.reqs[write]++;
	w->iost.pages[write] += npages;
	w->iost.ns[write] += ns;
	if (f == 1)
		return;
	struct swap_inject_stats *st = &w->st;
	if (!st->slow_reqs[0] && !st->slow_reqs[1])
		st->slow_first_ns = t0;
	st->slow_reqs[write]++;
	st->slow_pages[write] += npages;
	st->slow_ns[write] += ns;
	st->slow_last_ns = max(st->slow_last_ns, t0 + ns);
	finding_report(tsk->sim->findings, FINDING_INJECTED_FAULT, t0, "swap device slowed "
		       "(machine.swap.slow_factor %u): a %s request took %u times as long", f,
		       write ? "write" : "read", f);
}

const struct swap_inject_stats *swap_inject_stats(const struct sim *sim)
{
	return sim->swap_wb ? &sim->swap_wb->st : NULL;
}

const struct swap_io_stats *swap_io_stats(const struct sim *sim)
{
	return sim->swap_wb ? &sim->swap_wb->iost : NULL;
}

void swap_folio_set_reclaim(struct sim *sim, u64 pfn)
{
	swb(sim)->reclaim[pfn] = 1;
}

/* end_swap_bio_write -> folio_end_writeback for one page */
static void end_swap_writeback(struct task *tsk, struct swap_wb *w, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	unsigned nid = page_to_nid(sim->phys, pfn);
	pg->flags &= ~PG_writeback;
	mod_node_page_state(tsk, nid, NR_WRITEBACK, -1);
	mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, -1);
	mod_node_page_state(tsk, nid, NR_WRITTEN, 1);
	if (w->reclaim[pfn]) {
		/* folio_rotate_reclaimable: to the inactive tail, where reclaim looks first */
		w->reclaim[pfn] = 0;
		if ((pg->flags & PG_lru) &&
		    !(pg->flags & (PG_dirty | PG_isolated | PG_lru_pending | PG_unevictable))) {
			struct lruvec *lv = node_lruvec(sim, nid);
			spin_lock(tsk, &lv->lru_lock);
			lru_list_del(sim, lv, pfn, page_lru(pg));
			pg->flags &= ~PG_active;
			lru_list_add(sim, lv, pfn, page_lru(pg), true);
			count_vm_event(tsk, PGROTATED);
			spin_unlock(tsk, &lv->lru_lock);
		}
	}
	put_user_page(tsk, pfn);         /* the writeback's reference */
}

static void complete_req(struct task *tsk, struct swap_wb *w, struct swap_req *r, bool error)
{
	for (unsigned i = 0; i < r->n; i++) {
		if (error) {
			/* end_swap_bio_write with an error: set_page_dirty, ClearPageReclaim:
			 * the page stays in the swap cache, dirty, to be written again */
			pfn_to_page(tsk->sim->phys, r->pfns[i])->flags |= PG_dirty;
			w->reclaim[r->pfns[i]] = 0;
		}
		end_swap_writeback(tsk, w, r->pfns[i]);
	}
	w->wb_pages -= r->n;
	if (error) {
		w->st.fail_pages[1] += r->n;
		finding_report(tsk->sim->findings, FINDING_INJECTED_FAULT, task_now(tsk),
			       "Write-error on swap-device: a request of %u pages failed; they stay "
			       "dirty in the swap cache (machine.swap.fail_write_every)", r->n);
	}
	free(r->pfns);
}

static void swapio_main(struct task *tsk)
{
	struct swap_wb *w = tsk->priv;
	for (;;) {
		while (w->head != w->tail && !kthread_should_stop(tsk)) {
			struct swap_req r = w->q[w->head % w->cap];
			/* the device time first: the request is in flight until it is done */
			tl_begin(tsk, TL_SWAP_OUT, r.n);
			swap_dev_io(tsk, true, r.n);
			tl_end(tsk, TL_SWAP_OUT);
			w->head++;
			complete_req(tsk, w, &r, swap_io_inject_error(tsk, true));
			task_unpark_all(tsk, w->waiters, &w->nr_waiters);
		}
		if (kthread_should_stop(tsk)) {
			/* the run ends: what is in flight completes now */
			w->stopped = true;
			while (w->head != w->tail) {
				struct swap_req r = w->q[w->head++ % w->cap];
				complete_req(tsk, w, &r, false);
			}
			task_unpark_all(tsk, w->waiters, &w->nr_waiters);
			return;
		}
		w->idle = true;
		task_park_timeout(tsk, TASK_IDLE, NSEC_PER_SEC);
		w->idle = false;
	}
}

int swap_writepage_async(struct task *tsk, const u64 *pfns, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct swap_wb *w = swb(sim);
	if (w->stopped || kthread_should_stop(tsk))
		return 0;
	if (!w->io)
		w->io = engine_spawn(sim->eng, "swapio", 0, true, 0, swapio_main, w, NULL);
	/* __swap_writepage counts pswpout before submit_bio, which may wait for a tag */
	count_swap_io(tsk, true, n);
	/* blk_mq_get_tag: no free request, sleep until one completes */
	bool waited = w->tail - w->head >= SWAP_WB_MAX_REQUESTS && !w->stopped;
	u64 t0 = task_now(tsk);
	if (waited)
		w->iost.tag_waits++;
	while (w->tail - w->head >= SWAP_WB_MAX_REQUESTS && !w->stopped) {
		if (w->nr_waiters == w->cap_waiters) {
			w->cap_waiters = w->cap_waiters ? 2 * w->cap_waiters : 8;
			w->waiters = xrealloc(w->waiters, w->cap_waiters * sizeof(*w->waiters));
		}
		w->waiters[w->nr_waiters++] = tsk;
		task_park(tsk, TASK_BLOCKED_IO);
	}
	if (waited)
		w->iost.tag_ns += task_now(tsk) - t0;
	if (w->stopped) {
		/* the run ends while waiting: written synchronously, counted already */
		swap_dev_io(tsk, true, n);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pfns[i]);
		unsigned nid = page_to_nid(sim->phys, pfns[i]);
		pg->flags |= PG_writeback;
		pg->refcount++;
		w->reclaim[pfns[i]] = 1;    /* pageout's folio_set_reclaim */
		mod_node_page_state(tsk, nid, NR_WRITEBACK, 1);
		mod_node_page_state(tsk, nid, NR_ZONE_WRITE_PENDING, 1);
	}
	if (w->tail - w->head == w->cap) {
		/* grow the ring, keeping its order */
		u32 ncap = w->cap ? 2 * w->cap : 16;
		struct swap_req *nq = xmalloc(ncap * sizeof(*nq));
		for (u32 i = 0; i < w->tail - w->head; i++)
			nq[i] = w->q[(w->head + i) % w->cap];
		w->tail -= w->head;
		w->head = 0;
		free(w->q);
		w->q = nq;
		w->cap = ncap;
	}
	w->wb_pages += n;
	w->iost.wb_max_pages = max(w->iost.wb_max_pages, w->wb_pages);
	struct swap_req r = { xmalloc(n * sizeof(u64)), n };
	memcpy(r.pfns, pfns, n * sizeof(u64));
	w->q[w->tail++ % w->cap] = r;
	if (w->idle) {
		flush(tsk);   /* a scheduling point: the worker's nap may have ended meanwhile */
		if (w->idle) {
			w->idle = false;
			task_unpark(tsk, w->io);
		}
	}
	return 1;
}

void swap_writeback_throttle(struct task *tsk)
{
	struct swap_wb *w = tsk->sim->swap_wb;
	if (!w || w->head == w->tail || w->stopped)
		return;
	if (w->nr_waiters == w->cap_waiters) {
		w->cap_waiters = w->cap_waiters ? 2 * w->cap_waiters : 8;
		w->waiters = xrealloc(w->waiters, w->cap_waiters * sizeof(*w->waiters));
	}
	w->waiters[w->nr_waiters++] = tsk;
	flush(tsk);
	u64 t0 = task_now(tsk);
	w->iost.throttle_waits++;
	int woken = task_park_timeout(tsk, TASK_BLOCKED_IO, SWAP_WB_THROTTLE_NS);
	w->iost.throttle_ns += task_now(tsk) - t0;
	if (!woken) {
		/* timed out: off the list (a later wake-up must not find us) */
		for (u32 i = 0; i < w->nr_waiters; i++)
			if (w->waiters[i] == tsk) {
				w->waiters[i] = w->waiters[--w->nr_waiters];
				break;
			}
	}
}

void swap_wb_destroy(struct swap_wb *w)
{
	if (!w)
		return;
	while (w->head != w->tail)
		free(w->q[w->head++ % w->cap].pfns);
	free(w->q);
	free(w->reclaim);
	free(w->waiters);
	free(w);
}
