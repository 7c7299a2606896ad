/* readahead.h - reads of regular files through the page cache, readahead, the file fault
 * path and fault-around's page picking (models mm/readahead.c and the read side of
 * mm/filemap.c: filemap_read, filemap_get_pages, filemap_fault, do_sync_mmap_readahead,
 * do_async_mmap_readahead, filemap_map_pages' next_uptodate_folio, and mm/fadvise.c).
 *
 * A page-cache miss reads from the file device (mm/backing_dev.h). Readahead follows
 * 6.1's ondemand_readahead: the initial window get_init_ra_size(request, ra_pages), the
 * ramp get_next_ra_size (x4 below ra_pages/16, x2 up to ra_pages/2, then ra_pages), the
 * PG_readahead marker on the first page of the async part, whose access starts the next
 * window asynchronously (page_cache_async_ra), the context readahead of interleaved
 * streams (page_cache_next_miss), a request larger than the window reading up to io_pages
 * (machine.bdi.max_sectors_kb), and small random reads reading just what they ask.
 * Faults read around the faulting page (ra_pages centred on it, a quarter async) until
 * the file's mmap_miss passes MMAP_LOTSAMISS (100); VM_RAND_READ faults read one page,
 * VM_SEQ_READ ones read ahead as read() does. Pages read synchronously are in the cache
 * when the reader continues; asynchronous windows (the marker's, fadvise/madvise
 * WILLNEED) are locked, not uptodate, until the device's I/O worker completes them, and a
 * reader or a fault that meets one waits for it (folio_wait_locked).
 *
 * Simplifications: one file_ra_state per inode (the kernel keeps one per open file; the
 * same for a program with one open file description per file); no large folios
 * (page_cache_ra_order reads order-0 pages); the read batch is looked up page by page;
 * a page inserted by readahead is visible to lookups a moment before its lock is. */
#ifndef MMSIM_MM_READAHEAD_H
#define MMSIM_MM_READAHEAD_H

#include "types.h"

struct inode;
struct sim;
struct task;
struct vm_area_struct;

#define MMAP_LOTSAMISS 100

struct file_ra_state {
	u64 start;                         /* first page of the current window */
	u64 size;                          /* pages in it */
	u64 async_size;                    /* pages of it still ahead when the marker is hit */
	u64 ra_pages;                      /* maximum window (fadvise SEQUENTIAL doubles it) */
	u64 mmap_miss;                     /* faults that missed the cache, less hits */
	u64 prev_pos;                      /* byte after the last read */
	unsigned order;                    /* folio order of the last window (large folios) */
	bool random;                       /* FMODE_RANDOM (fadvise POSIX_FADV_RANDOM) */
	bool init;                         /* file_ra_state_init done */
};

/* Statistics (summary.json "readahead"). */
struct ra_stats {
	u64 sync_ra, async_ra, forced_ra;  /* windows started: sync, marker, fadvise/random */
	u64 context_ra;                    /* async windows of interleaved streams */
	u64 pages_read;                    /* pages inserted by readahead and reads */
	u64 pages_io;                      /* of those, read from the device (not holes) */
	u64 mmap_read_around, mmap_lotsamiss;
	u64 waits;                         /* readers that waited for an async window */
	u64 fault_around_mapped;           /* PTEs installed by fault-around */
	u64 fadvise_dontneed_pages;        /* pages invalidated by POSIX_FADV_DONTNEED */
};

struct readahead;
struct readahead *readahead_create(struct sim *sim);
void readahead_destroy(struct readahead *ra);
const struct ra_stats *readahead_stats(const struct sim *sim);
/* A trace's write to /sys/kernel/debug/fault_around_bytes or to a disk's
 * queue/read_ahead_kb (a recording's host values): sets the run's fault-around window
 * or the file device's read_ahead_kb (debug.fault_around_bytes and
 * machine.bdi.read_ahead_kb at the start). *known false for another path. */
s64 readahead_sysctl(struct task *tsk, const char *path, u64 value, bool *known);

/* A page just inserted into a page cache (any path): clear readahead's state of its pfn. */
void ra_page_init(struct sim *sim, u64 pfn);

/* A trace saw the regular file inode at least size bytes large when the program found
 * it (fstat, a read's result): i_size grows to it and the pages below it
 * that had no blocks on the file device get them (the file existed before the run). */
void file_note_size(struct inode *inode, u64 size);

/* PG_workingset, kept with readahead's per-page state */
void ra_page_set_workingset(struct sim *sim, u64 pfn, bool on);
bool ra_page_workingset(struct sim *sim, u64 pfn);

/* read(2) of a regular file (filemap_read): bytes read. */
s64 filemap_read(struct task *tsk, struct inode *inode, u64 off, u64 len);

/* filemap_fault for a regular file's page at index: the page with a reference for the
 * caller (PFN_NONE when memory ran out); *major when it was not cached (pgmajfault);
 * *retry when it read ahead synchronously: the kernel drops mmap_lock for that I/O
 * and returns VM_FAULT_RETRY, and the retried fault (pgfault again) runs fault-around
 * over the pages just read. */
u64 filemap_fault_page(struct task *tsk, struct vm_area_struct *vma, u64 index, bool *major,
		       bool *retry);

/* next_uptodate_folio for fault-around: the cached page at index with a reference, if it
 * can be mapped now (uptodate, not locked, no PG_readahead marker, below i_size);
 * PFN_NONE otherwise. Lowers the file's mmap_miss as filemap_map_pages does. */
u64 filemap_map_page_get(struct task *tsk, struct inode *inode, u64 index);
void ra_note_fault_around(struct sim *sim);
/* fault_around_bytes in pages (a power of two; 1 = fault-around off). */
u64 fault_around_pages(const struct sim *sim);

/* fadvise64: POSIX_FADV_NORMAL/RANDOM/SEQUENTIAL/WILLNEED/DONTNEED/NOREUSE on a regular
 * file; 0 or -errno. */
#define POSIX_FADV_NORMAL 0
#define POSIX_FADV_RANDOM 1
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED 3
#define POSIX_FADV_DONTNEED 4
#define POSIX_FADV_NOREUSE 5
int vfs_fadvise(struct task *tsk, struct inode *inode, u64 off, u64 len, int advice);
/* madvise(MADV_WILLNEED) on a file VMA: read [start, end) of it ahead, asynchronously. */
void madvise_willneed_file(struct task *tsk, struct vm_area_struct *vma, u64 start, u64 end);
/* drop_caches 1: every clean, unmapped page of every regular file leaves the cache. */
void drop_pagecache(struct task *tsk);

#endif
