/* readahead.c - file reads through the page cache, readahead, file faults, fadvise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "mm/backing_dev.h"
#include "mm/filemap.h"
#include "mm/page_alloc.h"
#include "mm/readahead.h"
#include "mm/vmstat.h"

/* Per-pfn state of page-cache pages that struct page_desc has no bits for. */
#define PGR_READAHEAD 0x1u   /* PG_readahead: the async window starts here */
#define PGR_LOCKED 0x2u      /* PG_locked && !PG_uptodate: its read is in flight */
#define PGR_WORKINGSET 0x4u  /* PG_workingset (mm/workingset.h) */

struct ra_waiter {
	u64 pfn;
	struct task *tsk;
};

struct readahead {
	struct sim *sim;
	u8 *pgf;                           /* per pfn: PGR_* */
	u64 nr_pgf;
	struct ra_waiter *waiters;         /* tasks waiting for a locked page */
	u32 nr_waiters, cap_waiters;
	struct ra_stats st;
	u64 fault_around_bytes;            /* debug.fault_around_bytes, or a trace's write */
	u64 read_ahead_kb;                 /* machine.bdi.read_ahead_kb, or a trace's write */
};

/* One asynchronous read: the pages (with a reference each) it unlocks when done. */
struct ra_request {
	struct bdi_request rq;
	u64 nr;
	u64 pfn[];
};

struct readahead *readahead_create(struct sim *sim)
{
	struct readahead *ra = xcalloc(1, sizeof(*ra));
	ra->sim = sim;
	ra->fault_around_bytes = sim->scn->kernel.fault_around_bytes;
	ra->read_ahead_kb = sim->scn->machine.bdi.read_ahead_kb;
	sim->readahead = ra;
	return ra;
}

s64 readahead_sysctl(struct task *tsk, const char *path, u64 value, bool *known)
{
	struct readahead *ra = tsk->sim->readahead;
	char tail[32];
	*known = true;
	if (!strcmp(path, "/sys/kernel/debug/fault_around_bytes")) {
		/* fault_around_bytes_set: rounded down to a power of two pages on use */
		if (!value || value > PMD_SIZE)
			return -MM_EINVAL;
		ra->fault_around_bytes = value;
		return 0;
	}
	/* the file device's queue/read_ahead_kb (one device: any disk's name is it);
	 * files opened afterwards get its window (file_ra_state_init) */
	if ((sscanf(path, "/sys/dev/block/%*u:%*u/queue/%31s", tail) == 1 ||
	     sscanf(path, "/sys/block/%*[^/]/queue/%31s", tail) == 1) &&
	    !strcmp(tail, "read_ahead_kb")) {
		if (value > 65536)
			return -MM_EINVAL;
		ra->read_ahead_kb = value;
		return 0;
	}
	*known = false;
	return -MM_EINVAL;
}

void readahead_destroy(struct readahead *ra)
{
	if (!ra)
		return;
	free(ra->pgf);
	free(ra->waiters);
	free(ra);
}

const struct ra_stats *readahead_stats(const struct sim *sim)
{
	return &sim->readahead->st;
}

/* (unit tests build a sim without it: made at first use) */
static struct readahead *ra_state(struct sim *sim)
{
	return sim->readahead ? sim->readahead : readahead_create(sim);
}

static u8 *pgf(struct sim *sim, u64 pfn)
{
	struct readahead *ra = sim->readahead ? sim->readahead : readahead_create(sim);
	if (!ra->pgf) {
		ra->nr_pgf = sim->phys->nr_pages;
		ra->pgf = xcalloc(ra->nr_pgf, 1);
	}
	return &ra->pgf[pfn];
}

void ra_page_init(struct sim *sim, u64 pfn)
{
	if (sim->readahead && sim->readahead->pgf)
		sim->readahead->pgf[pfn] = 0;
}

void ra_page_set_workingset(struct sim *sim, u64 pfn, bool on)
{
	if (on)
		*pgf(sim, pfn) |= PGR_WORKINGSET;
	else
		*pgf(sim, pfn) &= (u8)~PGR_WORKINGSET;
}

bool ra_page_workingset(struct sim *sim, u64 pfn)
{
	return *pgf(sim, pfn) & PGR_WORKINGSET;
}

static u64 bdi_ra_pages(const struct sim *sim)
{
	return sim->readahead->read_ahead_kb / 4;
}

/* 6.18 with large folios: an async window raises the folio order by 2 (up to the file
 * system's maximum) and ends on a boundary of that order, when one lies in it */
static void ra_align_window(struct task *tsk, struct file_ra_state *ra)
{
	unsigned cap = tsk->sim->scn->machine.bdi.max_folio_order;
	if (!cap)
		return;
	ra->order = min(ra->order + 2, cap);
	u64 end = ra->start + ra->size;
	u64 aligned = end & ~((1ULL << ra->order) - 1);
	if (aligned > ra->start) {
		ra->size = aligned - ra->start;
		ra->async_size = ra->size;
	}
}

static u64 bdi_io_pages(const struct sim *sim)
{
	return sim->scn->machine.bdi.max_sectors_kb / 4;
}

void ra_note_fault_around(struct sim *sim)
{
	if (sim->readahead)
		sim->readahead->st.fault_around_mapped++;
}

u64 fault_around_pages(const struct sim *sim)
{
	u64 n = sim->readahead->fault_around_bytes >> PAGE_SHIFT;
	u64 p = 1;
	while (p * 2 <= n)
		p *= 2;
	return p;
}

/* file_ra_state_init, at the file's first use */
static struct file_ra_state *file_ra(struct task *tsk, struct inode *inode)
{
	struct file_ra_state *ra = &inode->f_ra;
	if (!ra->init) {
		ra->init = true;
		ra->ra_pages = bdi_ra_pages(tsk->sim);
		ra->prev_pos = ~0ULL;
	}
	return ra;
}

static u64 isize_pages(const struct inode *inode)
{
	return (inode->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static u64 roundup_pow_of_two(u64 n)
{
	u64 p = 1;
	while (p < n)
		p *= 2;
	return p;
}

/* get_init_ra_size: the first window of a stream reading req pages */
static u64 get_init_ra_size(u64 req, u64 max)
{
	u64 n = roundup_pow_of_two(req);
	if (n <= max / 32)
		return n * 4;
	if (n <= max / 4)
		return n * 2;
	return max;
}

/* get_next_ra_size: the window after one of cur pages */
static u64 get_next_ra_size(u64 cur, u64 max)
{
	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* ---- waiting for reads in flight ---- */

static bool page_locked(struct task *tsk, u64 pfn)
{
	return *pgf(tsk->sim, pfn) & PGR_LOCKED;
}

/* folio_wait_locked: sleep until the read of pfn completes (the caller holds a reference,
 * so the page cannot be freed meanwhile). */
static void wait_on_page_read(struct task *tsk, u64 pfn)
{
	struct readahead *ra = ra_state(tsk->sim);
	if (!page_locked(tsk, pfn))
		return;
	ra->st.waits++;
	while (page_locked(tsk, pfn)) {
		if (ra->nr_waiters == ra->cap_waiters) {
			ra->cap_waiters = ra->cap_waiters ? 2 * ra->cap_waiters : 16;
			ra->waiters = xrealloc(ra->waiters, ra->cap_waiters * sizeof(*ra->waiters));
		}
		ra->waiters[ra->nr_waiters++] = (struct ra_waiter){ pfn, tsk };
		if (!task_park(tsk, TASK_BLOCKED_IO))
			return;
	}
}

/* The device finished an asynchronous window: its pages are uptodate and unlocked, their
 * waiters run, the request's page references go. */
static void ra_read_done(struct task *wtsk, struct bdi_request *brq)
{
	struct ra_request *r = (struct ra_request *)brq;
	struct sim *sim = wtsk->sim;
	struct readahead *ra = sim->readahead;
	for (u64 i = 0; i < r->nr; i++)
		*pgf(sim, r->pfn[i]) &= (u8)~PGR_LOCKED;
	for (u32 w = 0; w < ra->nr_waiters;) {
		bool mine = false;
		for (u64 i = 0; i < r->nr && !mine; i++)
			mine = ra->waiters[w].pfn == r->pfn[i];
		if (!mine) {
			w++;
			continue;
		}
		struct task *t = ra->waiters[w].tsk;
		ra->waiters[w] = ra->waiters[--ra->nr_waiters];
		task_unpark(wtsk, t);
	}
	for (u64 i = 0; i < r->nr; i++)
		folio_put(wtsk, r->pfn[i]);
	free(r);
}

/* ---- reading pages in ---- */

struct ra_batch {
	struct inode *inode;
	u64 start;                         /* index of pfn[0] */
	u64 nr, io;                        /* pages; of them with blocks on the device */
	u64 *pfn;
	u64 cap;
};

/* read_pages: submit the batch, synchronously (the caller waits for it) or through the
 * device's worker (the pages stay locked until it completes them). */
static void read_pages(struct task *tsk, struct ra_batch *b, bool async)
{
	struct readahead *ra = ra_state(tsk->sim);
	if (!b->nr)
		return;
	ra->st.pages_read += b->nr;
	ra->st.pages_io += b->io;
	if (!b->io) {
		/* holes only: zeroed pages, no I/O, uptodate at once */
		for (u64 i = 0; i < b->nr; i++)
			folio_put(tsk, b->pfn[i]);
	} else if (!async) {
		bdi_read_pages(tsk, b->inode, b->start, b->io);
		for (u64 i = 0; i < b->nr; i++)
			folio_put(tsk, b->pfn[i]);
	} else {
		struct ra_request *r = xcalloc(1, sizeof(*r) + b->nr * sizeof(u64));
		r->rq.inode = b->inode;
		r->rq.index = b->start;
		r->rq.nr = b->io;
		r->rq.done = ra_read_done;
		r->nr = b->nr;
		for (u64 i = 0; i < b->nr; i++) {
			r->pfn[i] = b->pfn[i];
			*pgf(tsk->sim, b->pfn[i]) |= PGR_LOCKED;
		}
		bdi_submit(tsk, &r->rq);
	}
	b->nr = b->io = 0;
}

/* page_cache_ra_unbounded: insert the missing pages of [index, index + nr) (a page
 * already cached ends the current request), the one at nr - lookahead marked
 * PG_readahead, and read them. */
static void page_cache_ra_unbounded(struct task *tsk, struct inode *inode, u64 index, u64 nr,
				    u64 lookahead, bool async)
{
	struct ra_batch b = { .inode = inode };
	b.pfn = xcalloc(nr ? nr : 1, sizeof(u64));
	for (u64 i = 0; i < nr; i++) {
		u64 idx = index + i;
		u64 e = xa_load(&inode->i_pages, idx, NULL);
		if (xa_is_pfn(e)) {
			read_pages(tsk, &b, async);
			continue;
		}
		bool created;
		u64 pfn = filemap_get_folio(tsk, inode, idx, &created);
		if (pfn == PFN_NONE)
			break;
		if (!created) {               /* raced with another filler: its page */
			folio_put(tsk, pfn);
			read_pages(tsk, &b, async);
			continue;
		}
		/* The reference filemap_get_folio returned is the read's, kept until read_pages
		 * puts it. (Dropping it and taking the read's afterwards left a window: a
		 * hole punch that deleted the page while lru_cache_add waited made that put
		 * free the page, and the read's reference revived a free page.) The one
		 * atomic of the insertion: __filemap_add_folio's folio_ref_add on the new
		 * page's line. */
		page_ref_charge(tsk, pfn);
		if (!b.nr)
			b.start = idx;
		b.pfn[b.nr++] = pfn;
		if (file_blocks_test(&inode->blocks, idx))
			b.io++;
		if (i == nr - lookahead)
			*pgf(tsk->sim, pfn) |= PGR_READAHEAD;
	}
	read_pages(tsk, &b, async);
	free(b.pfn);
}

/* do_page_cache_ra: clipped at the end of the file */
static void do_page_cache_ra(struct task *tsk, struct inode *inode, u64 index, u64 nr,
			     u64 lookahead, bool async)
{
	u64 end = isize_pages(inode);
	if (!end || index >= end)
		return;
	if (nr > end - index)
		nr = end - index;
	page_cache_ra_unbounded(tsk, inode, index, nr, lookahead, async);
}

/* force_page_cache_ra: read exactly [index, index + nr), at most io_pages at a time */
static void force_page_cache_ra(struct task *tsk, struct inode *inode, u64 index, u64 nr,
				bool async)
{
	struct file_ra_state *ra = file_ra(tsk, inode);
	u64 max = max(bdi_io_pages(tsk->sim), ra->ra_pages);
	ra_state(tsk->sim)->st.forced_ra++;
	nr = min(nr, max);
	while (nr) {
		u64 chunk = min(nr, (u64)(2u << 20) >> PAGE_SHIFT);
		do_page_cache_ra(tsk, inode, index, chunk, 0, async);
		index += chunk;
		nr -= chunk;
	}
}

/* page_cache_next_miss: the first index in [index, index + max) without a page */
static u64 page_cache_next_miss(struct inode *inode, u64 index, u64 max)
{
	for (u64 i = 0; i < max; i++)
		if (!xa_is_pfn(xa_load(&inode->i_pages, index + i, NULL)))
			return index + i;
	return index + max;
}

/* page_cache_prev_miss */
static u64 page_cache_prev_miss(struct inode *inode, u64 index, u64 max)
{
	for (u64 i = 0; i < max; i++) {
		if (!xa_is_pfn(xa_load(&inode->i_pages, index - i, NULL)))
			return index - i;
		if (index - i == 0)
			return ~0ULL;
	}
	return index - max;
}

/* ondemand_readahead (6.1). hit_marker: started by a PG_readahead page (async). */
static void ondemand_readahead(struct task *tsk, struct inode *inode, u64 index, u64 req,
			       bool hit_marker)
{
	struct readahead *rs = ra_state(tsk->sim);
	struct file_ra_state *ra = file_ra(tsk, inode);
	u64 max = ra->ra_pages;
	if (req > max && bdi_io_pages(tsk->sim) > max)
		max = min(req, bdi_io_pages(tsk->sim));
	if (!index)
		goto initial;
	/* the expected next window: the marker or the first page past the window */
	if (index == ra->start + ra->size - ra->async_size || index == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size = get_next_ra_size(ra->size, max);
		ra->async_size = ra->size;
		if (hit_marker)
			ra_align_window(tsk, ra);
		else
			ra->order = 0;
		goto readit;
	}
	if (hit_marker) {
		/* a marker of an interleaved stream: find where its window ended */
		u64 start = page_cache_next_miss(inode, index + 1, max);
		if (!start || start - index > max)
			return;
		rs->st.context_ra++;
		ra->start = start;
		ra->size = start - index + req;
		ra->size = get_next_ra_size(ra->size, max);
		ra->async_size = ra->size;
		ra_align_window(tsk, ra);
		goto readit;
	}
	ra->order = 0;
	if (req > max)
		goto initial;               /* oversize read */
	{
		u64 prev = ra->prev_pos == ~0ULL ? ~0ULL : ra->prev_pos >> PAGE_SHIFT;
		if (prev != ~0ULL && index - prev <= 1)
			goto initial;       /* sequential cache miss */
		/* try_context_readahead: the pages cached just before index say how long
		 * this stream has been reading */
		u64 miss = page_cache_prev_miss(inode, index - 1, max);
		u64 size = miss == ~0ULL ? index : index - 1 - miss;
		if (size > req) {     /* more history than this request: a stream */
			if (size >= index)
				size *= 2;      /* the stream started at the file's beginning */
			ra->start = index;
			ra->size = min(size + req, max);
			ra->async_size = 1;
			goto readit;
		}
	}
	/* a small random read: what it asks, no window */
	do_page_cache_ra(tsk, inode, index, req, 0, hit_marker);
	return;
initial:
	ra->start = index;
	ra->size = get_init_ra_size(req, max);
	ra->async_size = ra->size > req ? ra->size - req : ra->size;
readit:
	/* the marker is on the first page: read the next window now too */
	if (index == ra->start && ra->size == ra->async_size) {
		u64 add = get_next_ra_size(ra->size, max);
		if (ra->size + add <= max) {
			ra->async_size = add;
			ra->size += add;
		} else {
			ra->size = max;
			ra->async_size = max >> 1;
		}
	}
	if (hit_marker)
		rs->st.async_ra++;
	else
		rs->st.sync_ra++;
	do_page_cache_ra(tsk, inode, ra->start, ra->size, ra->async_size, hit_marker);
}

/* page_cache_sync_readahead */
static void page_cache_sync_ra(struct task *tsk, struct inode *inode, u64 index, u64 req)
{
	struct file_ra_state *ra = file_ra(tsk, inode);
	if (ra->random) {
		force_page_cache_ra(tsk, inode, index, req, false);
		return;
	}
	if (!ra->ra_pages)
		return;
	ondemand_readahead(tsk, inode, index, req, false);
}

/* page_cache_async_readahead: the reader met the marker of pfn at index */
static void page_cache_async_ra(struct task *tsk, struct inode *inode, u64 pfn, u64 index,
				u64 req)
{
	struct file_ra_state *ra = file_ra(tsk, inode);
	if (!ra->ra_pages)
		return;
	*pgf(tsk->sim, pfn) &= (u8)~PGR_READAHEAD;
	ondemand_readahead(tsk, inode, index, req, true);
}

/* filemap_create_folio: one page, read synchronously (no readahead) */
static u64 filemap_create_page(struct task *tsk, struct inode *inode, u64 index)
{
	page_cache_ra_unbounded(tsk, inode, index, 1, 0, false);
	u64 e = filemap_get_entry(tsk, inode, index);
	return xa_is_pfn(e) ? xa_to_pfn(e) : PFN_NONE;
}

void file_note_size(struct inode *inode, u64 size)
{
	if (inode->shmem || inode->hugetlb || size <= inode->size)
		return;
	file_blocks_add(&inode->blocks, (inode->size + PAGE_SIZE - 1) >> PAGE_SHIFT,
			(size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	inode->size = size;
}

/* a page filemap_get_folio just created: its read, when it has data on the device */
static void read_created_page(struct task *tsk, struct inode *inode, u64 idx)
{
	struct readahead *rs = ra_state(tsk->sim);
	rs->st.pages_read++;
	if (file_blocks_test(&inode->blocks, idx)) {
		rs->st.pages_io++;
		bdi_read_pages(tsk, inode, idx, 1);
	}
}

/* ---- read(2) ---- */

s64 filemap_read(struct task *tsk, struct inode *inode, u64 off, u64 len)
{
	const struct cost_table *c = tsk->sim->cost;
	charge(tsk, c->syscall_entry_ns);
	if (off >= inode->size)
		return 0;
	len = min(len, inode->size - off);
	if (!len)
		return 0;
	struct file_ra_state *ra = file_ra(tsk, inode);
	u64 last = (off + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	for (u64 idx = off >> PAGE_SHIFT; idx < last; idx++) {
		u64 pfn;
		if (!ra->ra_pages && !ra->random) {
			/* no readahead: the page, created (and read) on a miss */
			bool created;
			pfn = filemap_get_folio(tsk, inode, idx, &created);
			if (created && pfn != PFN_NONE)
				read_created_page(tsk, inode, idx);
		} else {
			/* filemap_get_pages */
			u64 e = filemap_get_entry(tsk, inode, idx);
			if (!xa_is_pfn(e)) {
				page_cache_sync_ra(tsk, inode, idx, last - idx);
				e = filemap_get_entry(tsk, inode, idx);
			}
			pfn = xa_is_pfn(e) ? xa_to_pfn(e) : filemap_create_page(tsk, inode, idx);
		}
		if (pfn == PFN_NONE)
			return -MM_ENOMEM;
		if (*pgf(tsk->sim, pfn) & PGR_READAHEAD)
			page_cache_async_ra(tsk, inode, pfn, idx, last - idx);
		wait_on_page_read(tsk, pfn);
		u64 lo = max(off, idx << PAGE_SHIFT), hi = min(off + len, (idx + 1) << PAGE_SHIFT);
		charge(tsk, c->copy_4k_ns * (hi - lo) / PAGE_SIZE);
		folio_put(tsk, pfn);
		flush_if_ahead(tsk);
	}
	ra->prev_pos = off + len;
	return (s64)len;
}

/* ---- faults ---- */

/* do_sync_mmap_readahead: the faulting page is not cached. True when it read ahead (the
 * kernel dropped mmap_lock for it: the fault is retried). */
static bool do_sync_mmap_readahead(struct task *tsk, struct vm_area_struct *vma, u64 index)
{
	struct readahead *rs = ra_state(tsk->sim);
	struct inode *inode = vma->vm_file;
	struct file_ra_state *ra = file_ra(tsk, inode);
	if (vma->vm_flags & VM_RAND_READ)
		return false;
	if (!ra->ra_pages)
		return false;
	if (vma->vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(tsk, inode, index, ra->ra_pages);
		return true;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS) {
		rs->st.mmap_lotsamiss++;
		return false;
	}
	/* read-around: ra_pages centred on the fault, the last quarter asynchronous */
	rs->st.mmap_read_around++;
	ra->start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	ra->order = 0;
	do_page_cache_ra(tsk, inode, ra->start, ra->size, ra->async_size, false);
	return true;
}

/* do_async_mmap_readahead: the faulting page is cached */
static void do_async_mmap_readahead(struct task *tsk, struct vm_area_struct *vma, u64 pfn,
				    u64 index)
{
	struct inode *inode = vma->vm_file;
	struct file_ra_state *ra = file_ra(tsk, inode);
	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (*pgf(tsk->sim, pfn) & PGR_READAHEAD)
		page_cache_async_ra(tsk, inode, pfn, index, ra->ra_pages);
}

u64 filemap_fault_page(struct task *tsk, struct vm_area_struct *vma, u64 index, bool *major,
		       bool *retry)
{
	struct inode *inode = vma->vm_file;
	*major = false;
	*retry = false;
	struct file_ra_state *ra = file_ra(tsk, inode);
	if (!ra->ra_pages || (vma->vm_flags & VM_RAND_READ)) {
		/* no readahead: the page, created (and read) on a miss */
		bool created;
		u64 pfn = filemap_get_folio(tsk, inode, index, &created);
		if (created && pfn != PFN_NONE) {
			*major = true;
			count_vm_event(tsk, PGMAJFAULT);
			read_created_page(tsk, inode, index);
		}
		if (pfn != PFN_NONE)
			wait_on_page_read(tsk, pfn);
		return pfn;
	}
	u64 e = filemap_get_entry(tsk, inode, index);
	u64 pfn;
	if (xa_is_pfn(e)) {
		pfn = xa_to_pfn(e);
		do_async_mmap_readahead(tsk, vma, pfn, index);
	} else {
		*major = true;
		count_vm_event(tsk, PGMAJFAULT);
		*retry = do_sync_mmap_readahead(tsk, vma, index);
		e = filemap_get_entry(tsk, inode, index);
		pfn = xa_is_pfn(e) ? xa_to_pfn(e) : filemap_create_page(tsk, inode, index);
		if (pfn == PFN_NONE)
			return PFN_NONE;
	}
	wait_on_page_read(tsk, pfn);
	return pfn;
}

u64 filemap_map_page_get(struct task *tsk, struct inode *inode, u64 index)
{
	if (index >= isize_pages(inode) && !inode->shmem)
		return PFN_NONE;
	u64 e = filemap_get_entry(tsk, inode, index);
	if (!xa_is_pfn(e))
		return PFN_NONE;
	u64 pfn = xa_to_pfn(e);
	if (*pgf(tsk->sim, pfn) & (PGR_READAHEAD | PGR_LOCKED)) {
		folio_put(tsk, pfn);
		return PFN_NONE;
	}
	struct file_ra_state *ra = file_ra(tsk, inode);
	if (ra->mmap_miss)
		ra->mmap_miss--;
	return pfn;
}

/* ---- fadvise, madvise, drop_caches ---- */

/* invalidate_mapping_pages: clean, unmapped, unlocked pages of [start, end] go, without
 * a shadow entry */
static u64 invalidate_mapping_pages(struct task *tsk, struct inode *inode, u64 start, u64 end)
{
	struct phys_mem *pm = tsk->sim->phys;
	u64 n = 0;
	for (u64 idx = start;;) {
		u64 e = xa_find(&inode->i_pages, &idx);
		if (!e || idx > end)
			break;
		if (xa_is_pfn(e)) {
			u64 pfn = xa_to_pfn(e);
			struct page_desc *pg = pfn_to_page(pm, pfn);
			if (!pg->mapcount && !(pg->flags & PG_dirty) && pg->refcount == 1 &&
			    !page_locked(tsk, pfn)) {
				truncate_inode_pages_range(tsk, inode, idx, idx + 1);
				n++;
			}
		}
		if (idx == ~0ULL)
			break;
		idx++;
	}
	return n;
}

int vfs_fadvise(struct task *tsk, struct inode *inode, u64 off, u64 len, int advice)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (inode->shmem || inode->hugetlb) {
		/* no readahead or writeback on these (generic_fadvise's early return) */
		return advice >= POSIX_FADV_NORMAL && advice <= POSIX_FADV_NOREUSE ? 0 : -MM_EINVAL;
	}
	struct file_ra_state *ra = file_ra(tsk, inode);
	u64 endbyte = len ? off + len - 1 : ~0ULL >> 1;
	if (len && endbyte < off)
		endbyte = ~0ULL >> 1;
	switch (advice) {
	case POSIX_FADV_NORMAL:
		ra->ra_pages = bdi_ra_pages(tsk->sim);
		ra->random = false;
		return 0;
	case POSIX_FADV_RANDOM:
		ra->random = true;
		return 0;
	case POSIX_FADV_SEQUENTIAL:
		ra->ra_pages = 2 * bdi_ra_pages(tsk->sim);
		ra->random = false;
		return 0;
	case POSIX_FADV_NOREUSE:
		return 0;
	case POSIX_FADV_WILLNEED: {
		u64 start = off >> PAGE_SHIFT, end = endbyte >> PAGE_SHIFT;
		u64 nr = end - start + 1;
		if (!nr)
			nr = 1;
		/* force_page_cache_readahead: the I/O is submitted, not waited for */
		u64 isz = isize_pages(inode);
		if (start < isz)
			force_page_cache_ra(tsk, inode, start, min(nr, isz - start), true);
		return 0;
	}
	case POSIX_FADV_DONTNEED: {
		/* dirty pages would be written first (WB_SYNC_NONE) and stay; partial pages at
		 * both ends stay */
		u64 start = (off + PAGE_SIZE - 1) >> PAGE_SHIFT;
		u64 end = endbyte >> PAGE_SHIFT;
		if ((endbyte & (PAGE_SIZE - 1)) != PAGE_SIZE - 1 && endbyte != inode->size - 1) {
			if (!end)
				return 0;
			end--;
		}
		if (end >= start)
			ra_state(tsk->sim)->st.fadvise_dontneed_pages +=
				invalidate_mapping_pages(tsk, inode, start, end);
		return 0;
	}
	default:
		return -MM_EINVAL;
	}
}

void madvise_willneed_file(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end)
{
	struct inode *inode = vma->vm_file;
	if (!inode || inode->shmem || inode->hugetlb)
		return;
	u64 idx = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	u64 nr = (end - start) >> PAGE_SHIFT;
	u64 isz = isize_pages(inode);
	if (idx < isz && nr)
		force_page_cache_ra(tsk, inode, idx, min(nr, isz - idx), true);
}

void drop_pagecache(struct task *tsk)
{
	for (u32 id = 0; id < file_table_nr(tsk->sim->files); id++) {
		struct inode *in = file_inode_by_id(tsk->sim, id);
		if (in && !in->shmem && !in->hugetlb && in->nr_pages)
			invalidate_mapping_pages(tsk, in, 0, ~0ULL);
	}
}
