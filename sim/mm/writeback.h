/* writeback.h - dirty page accounting, writeback of regular files and dirty throttling
 * (models mm/page-writeback.c, fs/fs-writeback.c, fs/sync.c and mm/msync.c, 6.1).
 *
 * Dirty accounting (folio_account_dirtied / clear_page_dirty_for_io): a regular file's
 * page that becomes dirty counts in NR_FILE_DIRTY (meminfo Dirty), NR_ZONE_WRITE_PENDING
 * and nr_dirtied, and its inode joins the device's dirty list (b_dirty) with
 * dirtied_when = now when it had no dirty page. Writing a page back clears PG_dirty
 * (write-protecting and cleaning the PTEs of shared mappings, page_mkclean, so that the
 * next write through them faults and dirties it again) and sets PG_writeback
 * (NR_WRITEBACK, meminfo Writeback) for the time of the device request; the end of the
 * request (end_page_writeback) clears it, counts nr_written, and moves a page reclaim
 * asked for (PG_reclaim) to the tail of the inactive file list (pgrotated). The device
 * request is synchronous for the task that writes (mm/backing_dev.h); pgpgout counts KiB.
 *
 * Dirty limits (domain_dirty_limits over global_dirtyable_memory: free pages above the
 * reserves plus the file LRU pages): thresh = vm.dirty_bytes in pages, or dirty_ratio
 * percent of dirtyable memory (as ratio * PAGE_SIZE / 100 * memory / PAGE_SIZE); bg_thresh
 * likewise from the background knobs, halved to thresh / 2 when it is not below thresh;
 * freerun = (thresh + bg_thresh) / 2.
 *
 * The flusher ("flush-8:0", one per device, wb_workfn): started on the first dirtied page;
 * woken by writers over bg_thresh (NR_FILE_DIRTY above it: background writeback of the
 * oldest dirty inodes first until Dirty is at or under bg_thresh), by reclaim meeting
 * dirty pages (all dirty pages written, WB_REASON_VMSCAN), by sync_file_range's WRITE
 * without a wait, and every dirty_writeback_centisecs while dirty inodes exist (the
 * periodic flush writes the inodes dirtied dirty_expire_centisecs ago or earlier). It
 * writes in chunks of MIN_WRITEBACK_PAGES (1024 pages, one device request each).
 *
 * balance_dirty_pages (simplified, stated): a writer of a regular file calls it once it
 * dirtied nr_dirtied_pause pages (32 to start; below freerun 1 << (ilog2(thresh - dirty)
 * / 2), the kernel's dirty_poll_interval; 32 after a pause). dirty = Dirty + Writeback.
 * At or below freerun nothing happens (but Dirty over bg_thresh wakes the flusher).
 * Above it the writer sleeps
 *	pause = pages_dirtied / (write_bw * pos_ratio)
 * with write_bw the device's write bandwidth in pages/s (the kernel's estimated
 * dirty_ratelimit of a single writer), pos_ratio the global control line
 *	pos_ratio = 1 + ((setpoint - dirty) / (limit - setpoint))^3, setpoint = (freerun + limit) / 2,
 * limit = thresh (fixed point, 1/1024, clamped to 0..2), at most MAX_PAUSE (200 ms); at
 * or above the limit pos_ratio is 0: the writer sleeps 200 ms and checks again until
 * dirty is under the limit. Not modelled: the per-wb control line and bandwidth
 * estimation, the pause credit for time spent since the last pause, min_pause, memcg
 * domains, strictlimit, laptop mode. Writes through shared mappings are throttled after
 * the fault (fault_dirty_shared_page), mmap_lock held for read. Statistics:
 * metrics.writeback in summary.json.
 *
 * Sync calls: fsync / fdatasync (vfs_fsync_range: the file's dirty pages written and
 * waited for, then any of its pages under writeback by others waited for; no journal or
 * metadata I/O), msync (MS_SYNC on a shared file mapping: its range of the file, as
 * fdatasync; MS_ASYNC does nothing, as since 2.6.19), sync_file_range (WAIT_BEFORE,
 * WRITE, WAIT_AFTER), sync / syncfs (every dirty inode). shmem and hugetlbfs files have
 * nothing to write. Reclaim (vmscan.c) meeting a dirty file page: see
 * reclaim_dirty_file_page. */
#ifndef MMSIM_MM_WRITEBACK_H
#define MMSIM_MM_WRITEBACK_H

#include "types.h"

struct sim;
struct task;
struct inode;
struct mm_struct;
struct bdi_writeback;

#define MIN_WRITEBACK_PAGES 1024
#define DIRTY_MAX_PAUSE_NS (200 * NSEC_PER_MSEC)     /* MAX_PAUSE: HZ / 5 */
#define RATELIMIT_CALC_SHIFT 10

/* sync_file_range flags */
#define SYNC_FILE_RANGE_WAIT_BEFORE 1u
#define SYNC_FILE_RANGE_WRITE 2u
#define SYNC_FILE_RANGE_WAIT_AFTER 4u
/* msync flags */
#define MS_ASYNC 1u
#define MS_INVALIDATE 2u
#define MS_SYNC 4u

struct writeback_stats {
	u64 bdp_calls;                     /* balance_dirty_pages runs */
	u64 bdp_pauses, bdp_pause_ns, bdp_max_pause_ns;   /* writers' sleeps (throttling) */
	u64 bdp_limit_pauses;              /* of which at or above the limit (pos_ratio 0) */
	u64 wb_background, wb_periodic, wb_vmscan, wb_range;   /* flusher passes by reason */
	u64 pages_flusher, pages_sync, pages_pageout;   /* pages written, by whom */
	u64 requests;                      /* device write requests */
	u64 fsync, msync, sync_file_range, sync;   /* calls */
	u64 sync_wait_ns;                  /* time sync callers waited for others' writeback */
	u64 reclaim_throttled, reclaim_throttled_ns;   /* direct reclaim waits for writeback */
};

struct dirty_limits {
	u64 dirtyable;                     /* global_dirtyable_memory, pages */
	u64 bg_thresh, thresh, freerun;    /* pages */
};

struct bdi_writeback *writeback_create(struct sim *sim);
void writeback_destroy(struct bdi_writeback *wb);
const struct writeback_stats *writeback_stats(const struct sim *sim);

/* Dirty limits from the current knobs and memory. */
void global_dirty_limits(struct sim *sim, struct dirty_limits *dl);
/* The throttling formula alone: the pause (ns) of a writer that dirtied pages_dirtied
 * pages when dirty (Dirty + Writeback) pages exist, on a device writing write_bw_pages
 * pages/s; *pos_ratio gets the control line's value (1/1024). 0 at or below freerun. */
u64 bdp_pause_ns(u64 dirty, const struct dirty_limits *dl, u64 write_bw_pages, u64 pages_dirtied,
		 u64 *pos_ratio);

/* filemap_set_dirty's accounting of a regular file's page that just became dirty. */
void folio_account_dirtied(struct task *tsk, struct inode *inode, u64 pfn);
/* A dirty page leaving the page cache (truncate): its dirty state is dropped. */
void folio_account_cleaned(struct task *tsk, struct inode *inode, u64 pfn);
/* A page is leaving the page cache: forget reclaim's PG_reclaim mark. */
void folio_clear_reclaim(struct sim *sim, u64 pfn);
/* Called by writers of regular files after each page they dirtied (no lock held). */
void balance_dirty_pages_ratelimited(struct task *tsk);

/* fsync(2) / fdatasync(2) of [start, end] (bytes, end inclusive): 0 */
int vfs_fsync_range(struct task *tsk, struct inode *inode, u64 start, u64 end, bool datasync);
/* sync_file_range(2): 0 or -MM_EINVAL. */
int ksys_sync_file_range(struct task *tsk, struct inode *inode, s64 off, s64 nbytes, u32 flags);
/* sync(2), syncfs(2): every dirty inode written and waited for. */
void ksys_sync(struct task *tsk);
/* msync(2) of [start, start + len) in mm: 0 or -errno as 6.1's. */
int ksys_msync(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, u32 flags);

/* Reclaim (shrink_folio_list) meeting a dirty or under-writeback page of a regular file.
 * Under writeback: marked PG_reclaim, kept. Dirty: unless kswapd meets it a second time
 * (PG_reclaim already set) while its node is marked dirty (set_pgdat_dirty: a kswapd batch
 * of file pages all dirty), it is marked PG_reclaim, counted in
 * nr_vmscan_immediate_reclaim and activated (6.1: the flusher is to write it, and its end
 * of writeback rotates it to the inactive tail); else it is paged out. */
enum wb_reclaim_verdict { WB_RECLAIM_KEEP, WB_RECLAIM_ACTIVATE, WB_RECLAIM_PAGEOUT };
enum wb_reclaim_verdict reclaim_dirty_file_page(struct task *tsk, u64 pfn, bool kswapd);
/* pageout: write these isolated dirty file pages now (nr_vmscan_write), synchronously;
 * they are clean when it returns. */
void pageout_file_pages(struct task *tsk, const u64 *pfns, unsigned n);
/* wakeup_flusher_threads(WB_REASON_VMSCAN): write back every dirty page. */
void wakeup_flusher_threads(struct task *tsk);
/* reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): direct reclaim that freed nothing while
 * pages are dirty or under writeback waits until SWAP_CLUSTER_MAX pages per throttled
 * task have been written since the first one waited, at most 100 ms (HZ / 10), after
 * waking the flusher to write every dirty page. */
#define RECLAIM_THROTTLE_WRITEBACK_NS (100 * NSEC_PER_MSEC)
void reclaim_throttle_writeback(struct task *tsk);
/* PGDAT_DIRTY of node nid (kswapd sets it when a batch's file pages were all dirty and
 * clears it when the node is balanced). */
void set_pgdat_dirty(struct sim *sim, unsigned nid, bool dirty);

/* A write to /proc/sys/vm/dirty_*: *known set when the path is one of them. */
s64 writeback_sysctl(struct task *tsk, const char *path, u64 value, bool *known);

#endif
