/* backing_dev.h - the file device ("bdi") regular files live on: block reads of page-cache
 * misses and readahead, block writes of writeback (models the bio submission of
 * mm/readahead.c read_pages and of the writeback paths, include/linux/backing-dev.h).
 *
 * One device per machine (machine.bdi.read_bw, write_bw, latency), a second SimGrid disk
 * on node 0's host beside the swap device. A request of n pages costs the latency, then
 * n * 4 KiB at the device's bandwidth, shared among the requests in flight. pgpgin and
 * pgpgout count the KiB moved, as the kernel's submit_bio does (on the submitter's node).
 *
 * Synchronous requests block the submitting task for that time. Asynchronous ones
 * (readahead's async window, writeback that does not wait) go to the device's I/O
 * worker, a kernel thread "bdi-io" started at the first one: it serves them one at a
 * time in submission order and runs each request's completion in its own context; it is
 * not a modelled kernel thread (the kernel completes bios in interrupt context), only the
 * carrier of the device's time.
 *
 * The blocks of a file: which pages of a regular file have data on the device. A page
 * that is not there (a hole, a file created in the run and never written) is read as
 * zeroes without I/O, as filesystems do. Pre-existing files whose size a trace reveals
 * (fstat, a read's result, a mapping) have all their pages on the device; a write()
 * allocates the blocks of the pages it writes (no delayed allocation), truncate and hole
 * punching free them. Not modelled: request merging and plugging, several devices, the
 * block layer's queue depth and schedulers, read errors. */
#ifndef MMSIM_MM_BACKING_DEV_H
#define MMSIM_MM_BACKING_DEV_H

#include "types.h"

struct inode;
struct sim;
struct task;

/* Block map of one file: sorted, disjoint [start, end) page ranges with data on the device. */
struct file_blocks {
	u64 *r;                            /* r[2i], r[2i+1]: start, end of range i */
	u32 nr, cap;
};

void file_blocks_add(struct file_blocks *b, u64 start, u64 end);
void file_blocks_remove(struct file_blocks *b, u64 start, u64 end);
bool file_blocks_test(const struct file_blocks *b, u64 index);
/* Pages of [start, end) with data on the device. */
u64 file_blocks_count(const struct file_blocks *b, u64 start, u64 end);
void file_blocks_free(struct file_blocks *b);

/* Synchronous I/O of nr pages of inode from index: the task blocks for the device's time
 * (returned, ns). pgpgin / pgpgout += nr * 4. */
u64 bdi_read_pages(struct task *tsk, struct inode *inode, u64 index, u64 nr);
u64 bdi_write_pages(struct task *tsk, struct inode *inode, u64 index, u64 nr);

/* An asynchronous request: filled by the submitter, owned by the device until done()
 * ran (in the I/O worker's context, wtsk; the request may be freed there). */
struct bdi_request {
	struct inode *inode;
	u64 index, nr;
	bool write;
	void (*done)(struct task *wtsk, struct bdi_request *rq);
	void *priv;
	struct bdi_request *next;          /* the device's queue */
};
/* Queue rq; pgpgin/pgpgout are counted now, on the submitter's node. When the run ends
 * with requests still queued, their done() runs without the device's time. */
void bdi_submit(struct task *tsk, struct bdi_request *rq);

/* Statistics of the device (summary.json bdi section). */
struct bdi_stats {
	u64 reads, writes;                 /* requests */
	u64 read_pages, write_pages;
	u64 async_reads, async_writes;
	u64 read_ns, write_ns;             /* summed request times seen by their submitters */
};
const struct bdi_stats *bdi_stats(const struct sim *sim);

struct backing_dev;
struct backing_dev *bdi_create(struct sim *sim);
void bdi_destroy(struct backing_dev *bdi);

#endif
