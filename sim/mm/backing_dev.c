/* backing_dev.c - the file device: block maps, synchronous and queued page I/O. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "mm/backing_dev.h"
#include "mm/vmstat.h"
#include "stats/timeline.h"

struct backing_dev {
	struct sim *sim;
	struct bdi_stats st;
	struct bdi_request *head, *tail;   /* queued asynchronous requests */
	struct task *worker;               /* "bdi-io", started by the first bdi_submit */
	bool worker_idle;                  /* parked, waiting for a request */
};

/* ---- block maps ---- */

static void blocks_insert(struct file_blocks *b, u32 at, u64 start, u64 end)
{
	if (b->nr == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 4;
		b->r = xrealloc(b->r, 2 * b->cap * sizeof(*b->r));
	}
	memmove(&b->r[2 * (at + 1)], &b->r[2 * at], 2 * (b->nr - at) * sizeof(*b->r));
	b->r[2 * at] = start;
	b->r[2 * at + 1] = end;
	b->nr++;
}

static void blocks_delete(struct file_blocks *b, u32 at, u32 n)
{
	if (!n)
		return;               /* (b->r may still be NULL) */
	memmove(&b->r[2 * at], &b->r[2 * (at + n)], 2 * (b->nr - at - n) * sizeof(*b->r));
	b->nr -= n;
}

void file_blocks_add(struct file_blocks *b, u64 start, u64 end)
{
	if (start >= end)
		return;
	/* ranges that touch or overlap [start, end) merge into it */
	u32 i = 0;
	while (i < b->nr && b->r[2 * i + 1] < start)
		i++;
	u32 j = i;
	while (j < b->nr && b->r[2 * j] <= end) {
		start = min(start, b->r[2 * j]);
		end = max(end, b->r[2 * j + 1]);
		j++;
	}
	blocks_delete(b, i, j - i);
	blocks_insert(b, i, start, end);
}

void file_blocks_remove(struct file_blocks *b, u64 start, u64 end)
{
	if (start >= end)
		return;
	for (u32 i = 0; i < b->nr;) {
		u64 s = b->r[2 * i], e = b->r[2 * i + 1];
		if (e <= start || s >= end) {
			i++;
			continue;
		}
		if (s < start && e > end) {          /* a hole in the middle: split */
			b->r[2 * i + 1] = start;
			blocks_insert(b, i + 1, end, e);
			return;
		}
		if (s < start) {
			b->r[2 * i + 1] = start;
			i++;
		} else if (e > end) {
			b->r[2 * i] = end;
			i++;
		} else {
			blocks_delete(b, i, 1);
		}
	}
}

bool file_blocks_test(const struct file_blocks *b, u64 index)
{
	for (u32 i = 0; i < b->nr; i++)
		if (index < b->r[2 * i + 1])
			return index >= b->r[2 * i];
	return false;
}

u64 file_blocks_count(const struct file_blocks *b, u64 start, u64 end)
{
	u64 n = 0;
	for (u32 i = 0; i < b->nr; i++) {
		u64 s = max(start, b->r[2 * i]), e = min(end, b->r[2 * i + 1]);
		if (s < e)
			n += e - s;
	}
	return n;
}

void file_blocks_free(struct file_blocks *b)
{
	free(b->r);
	memset(b, 0, sizeof(*b));
}

/* ---- I/O ---- */

struct backing_dev *bdi_create(struct sim *sim)
{
	struct backing_dev *bdi = xcalloc(1, sizeof(*bdi));
	bdi->sim = sim;
	sim->bdi = bdi;
	return bdi;
}

void bdi_destroy(struct backing_dev *bdi)
{
	free(bdi);
}

const struct bdi_stats *bdi_stats(const struct sim *sim)
{
	return &sim->bdi->st;
}

/* (unit tests build a sim without it: made at first use) */
static struct backing_dev *bdi_state(struct sim *sim)
{
	return sim->bdi ? sim->bdi : bdi_create(sim);
}

static void account(struct task *tsk, bool write, u64 nr)
{
	struct bdi_stats *st = &bdi_state(tsk->sim)->st;
	count_vm_events(tsk, write ? PGPGOUT : PGPGIN, nr * (PAGE_SIZE / 1024));
	if (write) {
		st->writes++;
		st->write_pages += nr;
	} else {
		st->reads++;
		st->read_pages += nr;
	}
}

static u64 do_io(struct task *tsk, bool write, u64 nr)
{
	struct bdi_stats *st = &bdi_state(tsk->sim)->st;
	flush(tsk);
	u64 t0 = task_now(tsk);
	tl_begin(tsk, TL_FILE_IO, nr);
	task_bdev_io(tsk, write, nr << PAGE_SHIFT);
	tl_end(tsk, TL_FILE_IO);
	u64 ns = task_now(tsk) - t0;
	if (write)
		st->write_ns += ns;
	else
		st->read_ns += ns;
	return ns;
}

u64 bdi_read_pages(struct task *tsk, struct inode *inode, u64 index, u64 nr)
{
	(void)inode;
	(void)index;
	if (!nr)
		return 0;
	account(tsk, false, nr);
	return do_io(tsk, false, nr);
}

u64 bdi_write_pages(struct task *tsk, struct inode *inode, u64 index, u64 nr)
{
	(void)inode;
	(void)index;
	if (!nr)
		return 0;
	account(tsk, true, nr);
	return do_io(tsk, true, nr);
}

static void bdi_worker(struct task *tsk)
{
	struct backing_dev *bdi = tsk->priv;
	for (;;) {
		struct bdi_request *rq = bdi->head;
		if (!rq) {
			if (kthread_should_stop(tsk))
				break;
			bdi->worker_idle = true;
			task_park(tsk, TASK_IDLE);
			bdi->worker_idle = false;
			continue;
		}
		bdi->head = rq->next;
		if (!bdi->head)
			bdi->tail = NULL;
		if (!kthread_should_stop(tsk))
			do_io(tsk, rq->write, rq->nr);
		rq->done(tsk, rq);
	}
}

void bdi_submit(struct task *tsk, struct bdi_request *rq)
{
	struct backing_dev *bdi = bdi_state(tsk->sim);
	account(tsk, rq->write, rq->nr);
	if (rq->write)
		bdi->st.async_writes++;
	else
		bdi->st.async_reads++;
	rq->next = NULL;
	if (bdi->tail)
		bdi->tail->next = rq;
	else
		bdi->head = rq;
	bdi->tail = rq;
	if (!bdi->worker) {
		/* on the submitter's CPU: its time is device time, not CPU time */
		bdi->worker = engine_spawn(tsk->sim->eng, "bdi-io", tsk->cpu, true, task_now(tsk),
					   bdi_worker, bdi, NULL);
	} else if (bdi->worker_idle) {
		bdi->worker_idle = false;
		flush(tsk);
		task_unpark(tsk, bdi->worker);
	}
}
