/* filemap.h - files and their page cache (models mm/filemap.c, mm/shmem.c, ipc/shm.c
 * in the parts mappings and the file ops of traces need).
 *
 * An inode is a regular file (found by path: every open of the same path is the same
 * file), a shmem file (memfd_create, MAP_SHARED|MAP_ANONYMOUS, a SysV shm segment), or
 * a hugetlbfs file. Its page cache is an XArray (mm/xarray.h) of page index -> pfn, with
 * workingset shadow value entries where reclaim evicted a page; the cache holds
 * one reference to each page, each PTE mapping it one more. Pages are allocated on the
 * first access (read, write, fault, fallocate) on the accessing task's node, as movable
 * LRU pages; NR_FILE_PAGES counts them, NR_SHMEM the shmem ones, NR_FILE_MAPPED those
 * mapped at least once, NR_FILE_DIRTY the written ones of regular files.
 *
 * Simplifications (also in README.md): a page missing from the cache costs a page fill,
 * not a read of the block device; dirty pages of regular files are written back to it
 * (mm/writeback.h), and reclaim drops clean ones.
 *
 * Lookups follow variants.pagecache.lookup (reference/pagecache-locks.md, seed 002):
 * lockless (mapping_get_entry: walk under RCU, try-get unless the count is zero, recheck
 * the slot, retry) or tree_lock (read_lock of the mapping's rwlock around walk and get).
 * Insertion and removal take the xa_lock (lockless) or the tree_lock for write; reclaim
 * freezes the page's count with one cmpxchg from the expected references to zero. The
 * find and the try-get of a lockless lookup are separate events, the walk cost apart,
 * so removals interleave with lookups by themselves. Only the refcount RMWs of the page
 * cache paths (lookup, insert, freeze, put) track the refcount line's last writer.
 * hugetlbfs keeps its own locking (fault mutex + xa_lock) and does not use the protocol. */
#ifndef MMSIM_MM_FILEMAP_H
#define MMSIM_MM_FILEMAP_H

#include "mm/backing_dev.h"
#include "mm/mm_types.h"
#include "mm/readahead.h"
#include "mm/xarray.h"
#include "locks/mutex.h"
#include "locks/rwlock.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"

struct file_table;
struct shared_policy;

struct inode {
	u32 id;
	struct file_table *ft;             /* borrowed: the table that owns it */
	char *path;                        /* regular files: the path; shmem: a description */
	bool shmem;
	bool hugetlb;                      /* hugetlbfs (mm/hugetlb.h): cache indexed in 2 MiB pages */
	bool s_private;                    /* S_PRIVATE: a SysV shm segment's (mmap reserves nothing) */
	struct resv_map *resv_map;         /* hugetlb: the shared reservation map */
	struct shared_policy *spol;        /* shmem: mempolicy ranges (mm/mempolicy.h); NULL: none */
	u64 size;                          /* bytes (i_size) */
	u32 refs;                          /* open fds + VMAs + the registries holding it */
	spinlock_t i_pages_lock;           /* &xa->xa_lock: page cache updates (lockless) */
	rwlock_t tree_lock;                /* &mapping->tree_lock (variant tree_lock) */
	struct xarray i_pages;             /* index -> page or shadow entry */
	u64 nr_pages;
	struct rw_semaphore i_mmap_rwsem;  /* the file rmap: truncation's unmapping (read),
					    * mm_take_all_locks (write) */
	struct vm_area_struct **i_mmap;    /* VMAs mapping it */
	u32 nr_mmap, cap_mmap;
	u64 slab_dentry, slab_inode;       /* slab objects (mm/slab.h; 0: not accounted) */
	bool unlinked;                     /* a regular file whose name was removed */
	u64 lru_seq;                       /* when it joined the dentry (or inode) LRU */
	struct file_blocks blocks;         /* regular files: pages with data on the file
					    * device (mm/backing_dev.h) */
	struct file_ra_state f_ra;         /* readahead state (mm/readahead.h) */
	u64 nr_dirty;                      /* dirty pages (mm/writeback.h) */
	u64 dirtied_when;                  /* ns: when its first dirty page came */
	bool wb_listed;                    /* on the device's dirty inode list */
};

static inline bool is_file_hugepages(const struct inode *inode)
{
	return inode && inode->hugetlb;
}

struct file_table *file_table_create(struct sim *sim);
struct sim *file_table_sim(const struct file_table *ft);
/* Inode ids run from 0 to this (exclusive); file_inode_by_id gives NULL for free ones. */
u32 file_table_nr(const struct file_table *ft);
/* Frees every inode; pages still cached go back to the allocator only with tsk (end of
 * run by a task); without, host memory only. */
void file_table_destroy(struct file_table *ft);

/* The regular file at path (created empty on first use); returns a new reference. */
struct inode *file_open_path(struct sim *sim, const char *path);
/* unlink(2) of a regular file: the table's reference goes; the inode, its page cache and
 * its dentry/inode objects go with the last reference. 0 or -MM_ENOENT. */
int file_unlink_path(struct task *tsk, const char *path);
/* A new shmem file of size bytes; returns its first reference. */
struct inode *shmem_file_create(struct sim *sim, const char *name, u64 size);
struct inode *iget(struct inode *inode);
/* The live inode with this id, or NULL (rmap). */
struct inode *file_inode_by_id(struct sim *sim, u32 id);
/* Drop a reference; the last one of a shmem file frees its pages. */
void iput(struct task *tsk, struct inode *inode);

/* Page cache */
/* The cached page at index, or PFN_NONE: a plain peek with no reference and no cost, for
 * callers that hold a lock excluding removal (hugetlb fault mutex, the PTE lock's
 * recheck). */
u64 find_get_page(struct inode *inode, u64 index);
/* mapping_get_entry: the lookup protocol of variants.pagecache.lookup, costed. Returns the
 * entry at index: a page (xa_is_pfn) with a reference taken for the caller, a shadow value
 * entry (no reference), or 0. */
u64 filemap_get_entry(struct task *tsk, struct inode *inode, u64 index);
/* Drop a reference taken by filemap_get_entry (whatever the page has become). */
void folio_put(struct task *tsk, u64 pfn);
/* The cost of one atomic on the page's refcount line (a bounce when another CPU wrote it
 * last), for a reference change made without a put or a lookup. */
void page_ref_charge(struct task *tsk, u64 pfn);
/* Statistics of the page cache (metrics.pagecache). */
struct pagecache_stats {
	u64 lookups, hits, shadow_hits;    /* protocol runs; pages returned; shadows returned */
	u64 retries_frozen;                /* try-get saw a zero count (frozen, freed) */
	u64 retries_slot_changed;          /* got it, but the slot no longer held it */
	u64 retries_retry_entry;           /* walk met a retry entry: never in mmsim */
	u64 freezes, freeze_failed;        /* reclaim's cmpxchg to zero; failed: extra refs */
	u64 ref_rmws, ref_bounces, ref_bounce_ns;   /* refcount line atomics (page cache paths) */
	u64 walks, walk_levels, walk_ns;   /* index walks and their cost */
	u64 inserted, removed, truncated, shadows_stored, shadow_refaults;
	u64 xa_nodes_alloc, xa_nodes_free, max_height;
	u64 lookup_ns;                     /* sum of lookup latencies */
};
const struct pagecache_stats *pagecache_stats(const struct sim *sim);
/* Lookup latency percentile (p in 0..100) over the run's lookups, ns; 0 without any. */
u64 pagecache_lookup_latency(const struct sim *sim, unsigned p);
/* mm/mmap.c's global mm_all_locks_mutex (the file table outlives every mm) and the
 * statistics of mm_take_all_locks (mm/mmu_notifier.h). */
struct mutex *mm_all_locks_mutex(struct sim *sim);
struct mm_all_locks_stats *mm_all_locks_stats_mut(struct sim *sim);
/* A slab model plugs its accounting of XArray nodes here (default: counted in the stats).
 * Applies to mappings created afterwards. */
void filemap_set_xa_node_hooks(struct sim *sim, const struct xa_node_hooks *hooks, void *arg);
/* Reclaim (__remove_mapping): drop a clean, unmapped page from its page cache if only
 * the cache and the caller (extra references) hold it: one cmpxchg freezes the count
 * from 1 + extra to zero, a workingset shadow entry takes the page's slot. True when
 * removed: the count stays frozen at zero, so the caller's put frees the page. */
bool filemap_remove_page(struct task *tsk, u64 pfn, unsigned extra);
/* The page at index, allocated and inserted when missing (*created set). PFN_NONE when
 * the allocator fails. The page's refcount is the cache's; callers that map it add
 * their own. */
u64 filemap_get_page(struct task *tsk, struct inode *inode, u64 index, bool *created);
/* __filemap_get_folio(FGP_CREAT): the page at index with a reference for the caller,
 * allocated and inserted when missing (*created set). PFN_NONE when allocation fails. */
u64 filemap_get_folio(struct task *tsk, struct inode *inode, u64 index, bool *created);
/* Raw page cache slots for hugetlbfs (no accounting, no LRU): insert pfn at index
 * (none there), remove the page at index (returns it, or PFN_NONE). */
void pagecache_insert(struct inode *inode, u64 index, u64 pfn);
u64 pagecache_delete(struct inode *inode, u64 index);
/* A new inode with no pages, size bytes, one reference; flags as in struct inode. */
struct inode *inode_create(struct sim *sim, const char *name, u64 size, bool shmem, bool hugetlb);
/* Replace the page at index (migration). */
void filemap_replace_page(struct inode *inode, u64 index, u64 new_pfn);
/* Mark a cached page dirty (written through a shared mapping or write()). */
void filemap_set_dirty(struct task *tsk, struct inode *inode, u64 pfn);
/* Drop cached pages with index in [start, end), unmapping them from every VMA first
 * (truncate_inode_pages_range with unmap_mapping_range). */
void truncate_inode_pages_range(struct task *tsk, struct inode *inode, u64 start, u64 end);

/* File ops (the syscalls' effect on the cache); return bytes or -errno. */
s64 file_read(struct task *tsk, struct inode *inode, u64 off, u64 len);
s64 file_write(struct task *tsk, struct inode *inode, u64 off, u64 len);
int file_truncate(struct task *tsk, struct inode *inode, u64 size);
/* fallocate: mode 0 allocates the pages of [off, off+len) (growing i_size), mode
 * FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE frees them. */
int file_fallocate(struct task *tsk, struct inode *inode, u32 mode, u64 off, u64 len);

#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02

#endif
