/* page_io.h - swap-out writeback, asynchronous as the kernel's bio path (models
 * mm/page_io.c's __swap_writepage / end_swap_bio_write and mm/swap.c's
 * folio_rotate_reclaimable, 6.1).
 *
 * Reclaim's pageout of dirty swap cache pages (vmscan.c) marks them PG_reclaim, sets
 * PG_writeback (NR_WRITEBACK, NR_ZONE_WRITE_PENDING: meminfo Writeback), counts pswpout
 * and pgpgout and submits one request per batch; the reclaimer does not wait for it and
 * puts the pages back on the inactive list ("goto keep"). One kernel thread ("swapio",
 * the block layer's completion) serves the requests in order on the swap device; at the
 * end of each page's writeback PG_writeback goes, nr_written counts, and a page still
 * marked PG_reclaim, on the LRU, clean and evictable moves to the tail of the inactive
 * anon list and counts in pgrotated, so that the next reclaim pass frees it. Reclaim
 * meeting a page still under writeback marks it PG_reclaim and activates it (6.1's
 * shrink_folio_list for global reclaim). A submitter sleeps while SWAP_WB_MAX_REQUESTS
 * requests are in flight (blk_mq_get_tag with the device's BLKDEV_DEFAULT_RQ requests).
 * Each page under writeback holds a reference, so it stays in the swap cache until its
 * writeback ends (folio_free_swap refuses it meanwhile).
 *
 * Fault injection (machine.swap.fail_read_every / fail_write_every, in the window
 * fail_from..fail_until): every Nth request in the window fails. A failed write
 * (end_swap_bio_write's error path) makes its pages dirty again and clears PG_reclaim:
 * they stay in the swap cache and are written again by a later pass. A failed read
 * leaves the faulting page not uptodate: do_swap_page returns VM_FAULT_SIGBUS, the
 * process gets SIGBUS and dies (mm.fatal_signal; its threads stop). Each is a finding
 * ("injected_fault") with its time. Requests written synchronously (MADV_PAGEOUT, the
 * run's end) and khugepaged's swap-ins never fail.
 *
 * Slowdowns (machine.swap.slow_factor / slow_every, in the window slow_from..slow_until):
 * every Nth request (reads and writes, every path: faults' swap-ins with their
 * readahead, khugepaged's, reclaim's synchronous and asynchronous writes) starting in the
 * window takes slow_factor times as long: its latency times the factor, its transfer at
 * 1/factor of the device bandwidth, so the device is busy that much longer and requests
 * sharing it wait too. What the kernel sees follows: the faulting task waits longer for
 * its swap-in, the swapio worker completes writes later (more pages under writeback, so
 * a direct reclaimer waits in swap_writeback_throttle and submitters wait for a free
 * request). Counted in struct swap_inject_stats (injected_faults.csv).
 *
 * Not modelled: the lru_rotate per-CPU batch (pgrotated counts at each end of writeback,
 * as the landed file writeback does, not when a batch of 15 moves), MADV_PAGEOUT's
 * writes (reclaim_pages stays synchronous). */
#ifndef MMSIM_MM_PAGE_IO_H
#define MMSIM_MM_PAGE_IO_H

#include "types.h"

struct sim;
struct task;
struct swap_wb;

#define SWAP_WB_MAX_REQUESTS 128

/* Submit the writeback of n isolated dirty swap cache pages (PG_dirty cleared by the
 * caller). Returns 1 when submitted; 0 when no asynchronous writeback is possible (the
 * kernel threads are stopping: the caller writes them with swap_io); -1 when they were
 * written synchronously here, counted (the run ended while waiting for a request). */
int swap_writepage_async(struct task *tsk, const u64 *pfns, unsigned n);
/* Reclaim met a page under writeback: mark it PG_reclaim (its end of writeback rotates it). */
void swap_folio_set_reclaim(struct sim *sim, u64 pfn);
void swap_wb_destroy(struct swap_wb *w);
/* reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) for swap: direct reclaim that freed nothing
 * while swap writes are in flight waits for the next request to complete (its pages are
 * then at the inactive tail), at most SWAP_WB_THROTTLE_NS (HZ / 10). */
#define SWAP_WB_THROTTLE_NS (100 * NSEC_PER_MSEC)
void swap_writeback_throttle(struct task *tsk);
/* Fault injection: does this swap request (a read, or a write) fail? Counts it. */
bool swap_io_inject_error(struct task *tsk, bool write);

/* The device time of one swap request of npages (task_disk_io), slowed when the
 * machine.swap.slow_* knobs say so. Every swap read and write goes through it. */
void swap_dev_io(struct task *tsk, bool write, u64 npages);

/* What fault injection did to the swap device ([0] reads, [1] writes). */
struct swap_inject_stats {
	u64 slow_reqs[2], slow_pages[2];
	u64 slow_ns[2];                  /* time the slowed requests took, latency included */
	u64 slow_first_ns, slow_last_ns; /* start of the first, end of the last */
	u64 fail_reqs[2], fail_pages[2]; /* requests failed (pages: of the failed writes;
					  * a failed read is one faulting page) */
	u64 fail_first_ns[2];
};
/* NULL when no swap request was made. */
const struct swap_inject_stats *swap_inject_stats(const struct sim *sim);

/* The swap device as its users saw it ([0] reads, [1] writes; summary.json
 * metrics.swap.io): what a slowdown changes. */
struct swap_io_stats {
	u64 reqs[2], pages[2];
	u64 ns[2];                       /* time the requests took, latency included */
	u64 wb_max_pages;                /* most pages under asynchronous writeback at once */
	u64 throttle_waits, throttle_ns; /* direct reclaim in swap_writeback_throttle */
	u64 tag_waits, tag_ns;           /* submitters waiting for a free request */
};
/* NULL when no swap request was made. */
const struct swap_io_stats *swap_io_stats(const struct sim *sim);

#endif
