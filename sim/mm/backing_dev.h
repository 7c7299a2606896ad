/* backing_dev.h - the block device holding the regular files (models the parts of
 * block/blk-core.c and mm/backing-dev.c that page cache I/O needs), minimal.
 *
 * One device (machine.bdev: read/write bandwidth and a per-request latency, a SimGrid
 * disk of its own next to the swap device). A request of N pages is synchronous for the
 * task that submits it: it blocks for latency + N pages / bandwidth, concurrent requests
 * sharing the bandwidth. submit_bio's accounting: pgpgout / pgpgin count the KiB moved
 * (the kernel counts sectors and /proc/vmstat shows them halved). Not modelled: request
 * queues and merging across submitters, the device's write cache and flush commands,
 * more than one device. */
#ifndef MMSIM_MM_BACKING_DEV_H
#define MMSIM_MM_BACKING_DEV_H

#include "types.h"

struct task;

/* Write nr_pages pages to the device (one request); returns when it completed. */
void bdev_submit_write(struct task *tsk, u64 nr_pages);
/* Read nr_pages pages from the device (one request); returns when it completed. */
void bdev_submit_read(struct task *tsk, u64 nr_pages);

#endif
