/* filemap.c - inodes, the page cache, file reads/writes/truncate/fallocate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "mm/gfp.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "mm/mmu_notifier.h"
#include "mm/mempolicy.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmstat.h"
#include "mm/workingset.h"
#include "mm/writeback.h"
#include "platform/topology.h"
#include "stats/findings.h"

static DEFINE_LOCK_CLASS(i_pages_class, "&xa->xa_lock", LOCK_SPIN);
static DEFINE_LOCK_CLASS(tree_lock_class, "&mapping->tree_lock", LOCK_RWLOCK);
static DEFINE_LOCK_CLASS(i_mmap_class, "&mapping->i_mmap_rwsem", LOCK_RWSEM);
static DEFINE_LOCK_CLASS(all_locks_class, "mm_all_locks_mutex", LOCK_MUTEX);

static const struct xa_node_hooks pc_node_hooks;

struct file_table {
	struct sim *sim;
	struct inode **inodes;             /* by id; NULL = free */
	u32 nr, cap;
	u32 *free_ids;
	u32 nr_free, cap_free;
	struct pagecache_stats pc;
	const struct xa_node_hooks *hooks;  /* XArray node accounting */
	void *hooks_arg;
	u16 *line_cpu;                     /* per pfn: CPU + 1 that last wrote the refcount line */
	u64 nr_line;
	u64 *lat;                          /* lookup latencies, ns */
	u64 nr_lat, cap_lat;
	bool lat_sorted;
	struct mutex all_locks_mutex;      /* mm/mmap.c: mm_all_locks_mutex */
	struct mm_all_locks_stats all_locks;
};

u32 file_table_nr(const struct file_table *ft)
{
	return ft->nr;
}

struct sim *file_table_sim(const struct file_table *ft)
{
	return ft->sim;
}

struct file_table *file_table_create(struct sim *sim)
{
	struct file_table *ft = xcalloc(1, sizeof(*ft));
	ft->sim = sim;
	ft->hooks = &pc_node_hooks;
	ft->hooks_arg = ft;
	mutex_init(&ft->all_locks_mutex, &all_locks_class);
	return ft;
}

static void inode_free(struct file_table *ft, struct inode *inode)
{
	mpol_free_shared_policy(NULL, inode);   /* left after the run: no task to charge */
	ft->inodes[inode->id] = NULL;
	if (ft->nr_free == ft->cap_free) {
		ft->cap_free = ft->cap_free ? 2 * ft->cap_free : 16;
		ft->free_ids = xrealloc(ft->free_ids, ft->cap_free * sizeof(*ft->free_ids));
	}
	ft->free_ids[ft->nr_free++] = inode->id;
	free(inode->path);
	xa_destroy(&inode->i_pages);
	file_blocks_free(&inode->blocks);
	free(inode->i_mmap);
	free(inode);
}

void file_table_destroy(struct file_table *ft)
{
	if (!ft)
		return;
	for (u32 i = 0; i < ft->nr; i++)
		if (ft->inodes[i]) {
			if (ft->inodes[i]->hugetlb)
				hugetlbfs_evict_inode(NULL, ft->inodes[i]);
			inode_free(ft, ft->inodes[i]);
		}
	free(ft->inodes);
	free(ft->free_ids);
	free(ft->line_cpu);
	free(ft->lat);
	free(ft);
}

static struct inode *inode_new(struct sim *sim, const char *path, bool shmem)
{
	struct file_table *ft = sim->files;
	struct inode *inode = xcalloc(1, sizeof(*inode));
	if (ft->nr_free) {
		inode->id = ft->free_ids[--ft->nr_free];
	} else {
		if (ft->nr == ft->cap) {
			ft->cap = ft->cap ? 2 * ft->cap : 16;
			ft->inodes = xrealloc(ft->inodes, ft->cap * sizeof(*ft->inodes));
		}
		inode->id = ft->nr++;
	}
	ft->inodes[inode->id] = inode;
	inode->ft = ft;
	inode->path = xstrdup(path);
	inode->shmem = shmem;
	spin_lock_init(&inode->i_pages_lock, &i_pages_class);
	rwlock_init(&inode->tree_lock, &tree_lock_class);
	init_rwsem(&inode->i_mmap_rwsem, &i_mmap_class);
	xa_init(&inode->i_pages, ft->hooks, ft->hooks_arg);
	return inode;
}

struct inode *file_inode_by_id(struct sim *sim, u32 id)
{
	struct file_table *ft = sim->files;
	return ft && id < ft->nr ? ft->inodes[id] : NULL;
}

struct inode *file_open_path(struct sim *sim, const char *path)
{
	struct file_table *ft = sim->files;
	for (u32 i = 0; i < ft->nr; i++) {
		struct inode *in = ft->inodes[i];
		if (in && !in->shmem && !in->unlinked && !strcmp(in->path, path))
			return iget(in);
	}
	/* the file table keeps regular files (and their cache) to the end of the run; a
	 * file under /dev/hugepages (the default hugetlbfs mount) is a hugetlb file */
	struct inode *in = !strncmp(path, "/dev/hugepages/", 15) ? hugetlb_file_create(sim, path, 0)
								   : inode_new(sim, path, false);
	in->refs = 2;
	return in;
}

int file_unlink_path(struct task *tsk, const char *path)
{
	struct file_table *ft = tsk->sim->files;
	for (u32 i = 0; i < ft->nr; i++) {
		struct inode *in = ft->inodes[i];
		if (in && !in->shmem && !in->hugetlb && !in->unlinked && !strcmp(in->path, path)) {
			slab_dentry_unlink(tsk, in);   /* d_delete */
			in->unlinked = true;
			iput(tsk, in);
			return 0;
		}
	}
	return -MM_ENOENT;
}

struct inode *shmem_file_create(struct sim *sim, const char *name, u64 size)
{
	struct inode *in = inode_new(sim, name, true);
	in->size = size;
	in->refs = 1;
	return in;
}

struct inode *inode_create(struct sim *sim, const char *name, u64 size, bool shmem, bool hugetlb)
{
	struct inode *in = inode_new(sim, name, shmem);
	in->hugetlb = hugetlb;
	in->size = size;
	in->refs = 1;
	return in;
}

struct inode *iget(struct inode *inode)
{
	inode->refs++;
	return inode;
}

/* ---- the page cache: XArray, lookup protocol, insert, remove ---- */

static unsigned lookup_variant(const struct sim *sim)
{
	return sim->scn ? sim->scn->variants.pagecache_lookup : PAGECACHE_LOOKUP_LOCKLESS;
}

struct mutex *mm_all_locks_mutex(struct sim *sim)
{
	return &sim->files->all_locks_mutex;
}

struct mm_all_locks_stats *mm_all_locks_stats_mut(struct sim *sim)
{
	return &sim->files->all_locks;
}

const struct mm_all_locks_stats *mm_all_locks_stats(const struct sim *sim)
{
	return &sim->files->all_locks;
}

const struct pagecache_stats *pagecache_stats(const struct sim *sim)
{
	return &sim->files->pc;
}

void filemap_set_xa_node_hooks(struct sim *sim, const struct xa_node_hooks *hooks, void *arg)
{
	sim->files->hooks = hooks;
	sim->files->hooks_arg = arg;
}

/* Counted here; with slab.account_users each node is also a radix_tree_node object. */
static void pc_node_alloc(void *arg, struct task *tsk, struct xa_node *n)
{
	((struct file_table *)arg)->pc.xa_nodes_alloc++;
	slab_xa_node_alloc(tsk, n);
}

static void pc_node_free(void *arg, struct task *tsk, struct xa_node *n)
{
	((struct file_table *)arg)->pc.xa_nodes_free++;
	slab_xa_node_free(((struct file_table *)arg)->sim, tsk, n);
}

static const struct xa_node_hooks pc_node_hooks = { pc_node_alloc, pc_node_free };

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

u64 pagecache_lookup_latency(const struct sim *sim, unsigned p)
{
	struct file_table *ft = sim->files;
	if (!ft || !ft->nr_lat)
		return 0;
	if (!ft->lat_sorted) {
		qsort(ft->lat, ft->nr_lat, sizeof(*ft->lat), cmp_u64);
		ft->lat_sorted = true;
	}
	/* nearest rank */
	u64 rank = (ft->nr_lat * p + 99) / 100;
	return ft->lat[rank ? rank - 1 : 0];
}

static void note_latency(struct file_table *ft, u64 ns)
{
	if (ft->nr_lat == ft->cap_lat) {
		ft->cap_lat = ft->cap_lat ? 2 * ft->cap_lat : 1024;
		ft->lat = xrealloc(ft->lat, ft->cap_lat * sizeof(*ft->lat));
	}
	ft->lat[ft->nr_lat++] = ns;
	ft->lat_sorted = false;
	ft->pc.lookup_ns += ns;
}

/* An atomic on the page's refcount line: a bounce when another CPU wrote it last. write:
 * the RMW succeeded (this CPU owns the line now); a failed "unless zero" only reads it. */
static void page_ref_atomic(struct task *tsk, u64 pfn, bool write)
{
	struct sim *sim = tsk->sim;
	struct file_table *ft = sim->files;
	if (!ft->line_cpu) {
		ft->nr_line = sim->phys->nr_pages;
		ft->line_cpu = xcalloc(ft->nr_line, sizeof(*ft->line_cpu));
	}
	int pc = ft->line_cpu[pfn] ? (int)ft->line_cpu[pfn] - 1 : -1;
	int pn = pc >= 0 ? (int)cpu_to_node(sim->topo, (unsigned)pc) : -1;
	u64 ns = cost_atomic(sim->cost, pc, pn, (int)tsk->cpu, (int)tsk->node);
	charge(tsk, ns);
	ft->pc.ref_rmws++;
	if (pc >= 0 && pc != (int)tsk->cpu) {
		ft->pc.ref_bounces++;
		ft->pc.ref_bounce_ns += ns;
	}
	if (write)
		ft->line_cpu[pfn] = (u16)(tsk->cpu + 1);
}

/* xas_load with its cost: one cache miss per level, scaled by the distance to the node
 * the tree node lives on. */
static u64 xa_walk_load(struct task *tsk, struct inode *inode, u64 index)
{
	struct file_table *ft = tsk->sim->files;
	struct xa_walk w;
	u64 e = xa_load(&inode->i_pages, index, &w);
	u64 ns = 0;
	for (unsigned l = 0; l < w.levels; l++)
		ns += tsk->sim->cost->xa_miss_ns[tsk->node][w.nid[l]];
	charge(tsk, ns);
	ft->pc.walks++;
	ft->pc.walk_levels += w.levels;
	ft->pc.walk_ns += ns;
	if (inode->i_pages.height > ft->pc.max_height)
		ft->pc.max_height = inode->i_pages.height;
	return e;
}

/* The writers' lock of the mapping: xa_lock, or tree_lock for write. Macros, so that
 * lock_stat names the caller as the contention point. */
#define i_pages_lock_w(tsk, inode)                                                          \
	do {                                                                                \
		if (lookup_variant((tsk)->sim) == PAGECACHE_LOOKUP_TREE_LOCK)               \
			write_lock((tsk), &(inode)->tree_lock);                             \
		else                                                                        \
			spin_lock((tsk), &(inode)->i_pages_lock);                           \
	} while (0)

#define i_pages_unlock_w(tsk, inode)                                                        \
	do {                                                                                \
		if (lookup_variant((tsk)->sim) == PAGECACHE_LOOKUP_TREE_LOCK)               \
			write_unlock((tsk), &(inode)->tree_lock);                           \
		else                                                                        \
			spin_unlock((tsk), &(inode)->i_pages_lock);                         \
	} while (0)

u64 find_get_page(struct inode *inode, u64 index)
{
	u64 e = xa_load(&inode->i_pages, index, NULL);
	return xa_is_pfn(e) ? xa_to_pfn(e) : PFN_NONE;
}

void page_ref_charge(struct task *tsk, u64 pfn)
{
	page_ref_atomic(tsk, pfn, true);
}

void folio_put(struct task *tsk, u64 pfn)
{
	page_ref_atomic(tsk, pfn, true);
	put_user_page(tsk, pfn);
}

/* --check, at the lookup's linearization point (under tree_lock; at the recheck of the
 * lockless protocol): the page is the one cached at (inode, index), and the caller's
 * reference is on top of the cache's. A freed or reused page fails it. */
static void check_lookup(struct task *tsk, struct inode *inode, u64 index, u64 pfn)
{
	u32 id;
	u64 idx;
	const struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (rmap_owner(tsk->sim, pfn, &id, &idx) == OWNER_FILE && id == inode->id && idx == index &&
	    pg->refcount >= 2 && find_get_page(inode, index) == pfn)
		return;
	finding_report(tsk->sim->findings, FINDING_INVARIANT, task_now(tsk),
		       "page cache lookup of %s index %llu returned pfn %llu, not the cached "
		       "page (refcount %u)", inode->path, (unsigned long long)index,
		       (unsigned long long)pfn, pg->refcount);
}

u64 filemap_get_entry(struct task *tsk, struct inode *inode, u64 index)
{
	struct file_table *ft = tsk->sim->files;
	struct phys_mem *pm = tsk->sim->phys;
	u64 t0 = task_now(tsk), e;
	ft->pc.lookups++;
	if (lookup_variant(tsk->sim) == PAGECACHE_LOOKUP_TREE_LOCK) {
		/* find_get_page <= 2.6.26: the rwlock's two atomics on the mapping's line */
		read_lock(tsk, &inode->tree_lock);
		e = xa_walk_load(tsk, inode, index);
		if (xa_is_pfn(e)) {
			page_ref_atomic(tsk, xa_to_pfn(e), true);
			pfn_to_page(pm, xa_to_pfn(e))->refcount++;
			if (tsk->sim->check)
				check_lookup(tsk, inode, index, xa_to_pfn(e));
		}
		read_unlock(tsk, &inode->tree_lock);
	} else {
		for (;;) {
			flush(tsk);                  /* rcu_read_lock: the walk reads the tree now */
			e = xa_walk_load(tsk, inode, index);
			if (!xa_is_pfn(e))
				break;
			/* the window between find and try-get: other actors run here */
			flush(tsk);
			u64 pfn = xa_to_pfn(e);
			struct page_desc *pg = pfn_to_page(pm, pfn);
			if (!pg->refcount) {         /* folio_try_get_rcu: frozen or freed */
				page_ref_atomic(tsk, pfn, false);
				ft->pc.retries_frozen++;
				continue;
			}
			page_ref_atomic(tsk, pfn, true);
			pg->refcount++;
			if (xa_load(&inode->i_pages, index, NULL) != e) {   /* xas_reload */
				ft->pc.retries_slot_changed++;
				folio_put(tsk, pfn);
				continue;
			}
			if (tsk->sim->check)   /* the linearization point: still this event */
				check_lookup(tsk, inode, index, pfn);
			break;
		}
	}
	note_latency(ft, task_now(tsk) - t0);
	if (xa_is_pfn(e)) {
		ft->pc.hits++;
		/* a writer may have run since (truncate), but our reference keeps the page */
		if (tsk->sim->check && !pfn_to_page(pm, xa_to_pfn(e))->refcount)
			finding_report(tsk->sim->findings, FINDING_INVARIANT, task_now(tsk),
				       "page cache lookup of %s index %llu returned freed pfn %llu",
				       inode->path, (unsigned long long)index,
				       (unsigned long long)xa_to_pfn(e));
	} else if (xa_is_value(e)) {
		ft->pc.shadow_hits++;
	}
	return e;
}

void pagecache_insert(struct inode *inode, u64 index, u64 pfn)
{
	xa_store(&inode->i_pages, index, xa_mk_pfn(pfn), 0);
	inode->nr_pages++;
}

u64 pagecache_delete(struct inode *inode, u64 index)
{
	u64 e = xa_store(&inode->i_pages, index, 0, 0);
	if (!xa_is_pfn(e))
		return PFN_NONE;
	inode->nr_pages--;
	return xa_to_pfn(e);
}

void filemap_replace_page(struct inode *inode, u64 index, u64 new_pfn)
{
	if (xa_is_pfn(xa_load(&inode->i_pages, index, NULL)))
		xa_store(&inode->i_pages, index, xa_mk_pfn(new_pfn), 0);
}

/* __filemap_get_folio(FGP_CREAT): the page at index with a reference for the caller,
 * allocated and inserted when missing. */
u64 filemap_get_folio(struct task *tsk, struct inode *inode, u64 index, bool *created)
{
	struct file_table *ft = tsk->sim->files;
	*created = false;
	u64 e = filemap_get_entry(tsk, inode, index);
	if (xa_is_pfn(e))
		return xa_to_pfn(e);
	/* allocate, fill, insert under the xa_lock. Shmem pages follow the inode's shared
	 * policy (shmem_alloc_page), others the task's. */
	u64 pfn = inode->shmem ? shmem_alloc_page(tsk, GFP_HIGHUSER_MOVABLE, inode, index)
			       : alloc_pages_task(tsk, GFP_HIGHUSER_MOVABLE, 0);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	charge(tsk, tsk->sim->cost->zero_4k_ns);
	i_pages_lock_w(tsk, inode);
	e = xa_walk_load(tsk, inode, index);
	if (xa_is_pfn(e)) {
		/* raced with another filler: its page, a reference taken under the lock */
		u64 raced = xa_to_pfn(e);
		page_ref_atomic(tsk, raced, true);
		pfn_to_page(tsk->sim->phys, raced)->refcount++;
		i_pages_unlock_w(tsk, inode);
		__free_pages(tsk, pfn, 0);
		return raced;
	}
	u64 shadow = xa_is_value(e) ? xa_to_value(e) : 0;
	if (xa_is_value(e))
		ft->pc.shadow_refaults++;    /* workingset_refault: evicted earlier */
	xa_store_by(tsk, &inode->i_pages, index, xa_mk_pfn(pfn), tsk->node);
	inode->nr_pages++;
	ft->pc.inserted++;
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	pg->refcount++;                      /* the caller's, on top of the cache's */
	ra_page_init(tsk->sim, pfn);
	if (shadow && !inode->shmem)
		workingset_refault(tsk, pfn, shadow);
	if (ft->line_cpu)
		ft->line_cpu[pfn] = (u16)(tsk->cpu + 1);
	if (inode->shmem)
		pg->flags |= PG_swapbacked;
	rmap_set_owner(tsk->sim, pfn, OWNER_FILE, inode->id, index);
	unsigned nid = page_to_nid(tsk->sim->phys, pfn);
	mod_node_page_state(tsk, nid, NR_FILE_PAGES, 1);
	if (inode->shmem)
		mod_node_page_state(tsk, nid, NR_SHMEM, 1);
	charge(tsk, tsk->sim->cost->pte_update_ns);
	i_pages_unlock_w(tsk, inode);
	lru_cache_add(tsk, pfn);
	*created = true;
	return pfn;
}

u64 filemap_get_page(struct task *tsk, struct inode *inode, u64 index, bool *created)
{
	u64 pfn = filemap_get_folio(tsk, inode, index, created);
	if (pfn != PFN_NONE)
		folio_put(tsk, pfn);
	return pfn;
}

void filemap_set_dirty(struct task *tsk, struct inode *inode, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (pg->flags & PG_dirty)
		return;
	pg->flags |= PG_dirty;
	if (!inode->shmem)   /* shmem pages are never written back: not counted as Dirty */
		folio_account_dirtied(tsk, inode, pfn);
}

/* Remove one cached page (its mappings are gone): the cache's reference is dropped. A
 * speculative holder keeps the page until its own put frees it. */
static void delete_from_page_cache(struct task *tsk, struct inode *inode, u64 index, u64 pfn)
{
	struct phys_mem *pm = tsk->sim->phys;
	struct page_desc *pg = pfn_to_page(pm, pfn);
	unsigned nid = page_to_nid(pm, pfn);
	xa_store_by(tsk, &inode->i_pages, index, 0, 0);
	inode->nr_pages--;
	tsk->sim->files->pc.truncated++;
	mod_node_page_state(tsk, nid, NR_FILE_PAGES, -1);
	if (inode->shmem)
		mod_node_page_state(tsk, nid, NR_SHMEM, -1);
	if ((pg->flags & PG_dirty) && !inode->shmem) {
		folio_account_cleaned(tsk, inode, pfn);
		pg->flags &= ~PG_dirty;
	}
	folio_clear_reclaim(tsk->sim, pfn);
	put_user_page(tsk, pfn);   /* the cache's reference (a speculative holder keeps it) */
}

bool filemap_remove_page(struct task *tsk, u64 pfn, unsigned extra)
{
	u32 id;
	u64 index;
	if (rmap_owner(tsk->sim, pfn, &id, &index) != OWNER_FILE)
		return false;
	struct inode *inode = file_inode_by_id(tsk->sim, id);
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	struct file_table *ft = tsk->sim->files;
	if (!inode || inode->shmem)
		return false;
	i_pages_lock_w(tsk, inode);
	bool ok = find_get_page(inode, index) == pfn && !pg->mapcount && !(pg->flags & PG_dirty);
	if (ok) {
		/* __remove_mapping: freeze the count from (cache + caller) to zero with one
		 * cmpxchg; a speculative reference makes it fail and the page stays */
		page_ref_atomic(tsk, pfn, true);   /* a failed cmpxchg takes the line too */
		if (pg->refcount != 1 + extra) {
			ft->pc.freeze_failed++;
			ok = false;
		}
	}
	if (ok) {
		ft->pc.freezes++;
		/* delete, leaving a workingset shadow entry (the eviction's node and order) */
		unsigned nid = page_to_nid(tsk->sim->phys, pfn);
		xa_store_by(tsk, &inode->i_pages, index, xa_mk_value(workingset_eviction(tsk, pfn)), 0);
		ft->pc.removed++;
		ft->pc.shadows_stored++;
		inode->nr_pages--;
		mod_node_page_state(tsk, nid, NR_FILE_PAGES, -1);
		/* the count stays frozen at zero: reclaim frees the page without another atomic
		 * (its put of the isolation reference finds the count at zero); the page has
		 * no owner any more */
		pg->refcount = 0;
		rmap_clear_owner(tsk->sim, pfn);
		lru_page_freed(tsk, pfn);
	}
	i_pages_unlock_w(tsk, inode);
	return ok;
}

void truncate_inode_pages_range(struct task *tsk, struct inode *inode, u64 start, u64 end)
{
	if (start >= end)
		return;
	down_read(tsk, &inode->i_mmap_rwsem);   /* unmap_mapping_range's i_mmap_lock_read */
	unmap_mapping_pages(tsk, inode, start, end);
	up_read(tsk, &inode->i_mmap_rwsem);
	i_pages_lock_w(tsk, inode);
	u64 idx = start;
	for (;;) {
		u64 e = xa_find(&inode->i_pages, &idx);
		if (!e || idx >= end)
			break;
		if (xa_is_pfn(e))
			delete_from_page_cache(tsk, inode, idx, xa_to_pfn(e));
		else
			xa_store_by(tsk, &inode->i_pages, idx, 0, 0);   /* shadows of the range go too */
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	i_pages_unlock_w(tsk, inode);
}

void iput(struct task *tsk, struct inode *inode)
{
	if (--inode->refs) {
		if (inode->refs == 1 && !inode->shmem && !inode->hugetlb && !inode->unlinked)
			dcache_lru_add(inode->ft->sim, inode);   /* only the table: unused */
		return;
	}
	/* the last reference of a shmem or hugetlb file, or of an unlinked regular file
	 * (regular files are kept by the table until unlinked) */
	if (inode->hugetlb)
		hugetlbfs_evict_inode(tsk, inode);
	else if (tsk && inode->nr_pages)
		truncate_inode_pages_range(tsk, inode, 0, UINT64_MAX);
	mpol_free_shared_policy(tsk, inode);    /* shmem_evict_inode */
	slab_inode_detach(tsk, inode);          /* dentry_kill + destroy_inode */
	xa_destroy_by(tsk, &inode->i_pages);    /* nodes left holding shadow entries */
	inode_free(inode->ft, inode);
}

/* ---- file ops ---- */

static s64 file_rw(struct task *tsk, struct inode *inode, u64 off, u64 len, bool write)
{
	const struct cost_table *c = tsk->sim->cost;
	charge(tsk, c->syscall_entry_ns);
	if (!write) {
		if (off >= inode->size)
			return 0;
		len = min(len, inode->size - off);
	}
	if (!len)
		return 0;
	for (u64 idx = off >> PAGE_SHIFT; idx <= (off + len - 1) >> PAGE_SHIFT; idx++) {
		bool created;
		u64 pfn = filemap_get_folio(tsk, inode, idx, &created);
		if (pfn == PFN_NONE)
			return -MM_ENOMEM;
		u64 lo = max(off, idx << PAGE_SHIFT), hi = min(off + len, (idx + 1) << PAGE_SHIFT);
		charge(tsk, c->copy_4k_ns * (hi - lo) / PAGE_SIZE);
		if (write)
			filemap_set_dirty(tsk, inode, pfn);
		folio_put(tsk, pfn);
		if (write && !inode->shmem)
			balance_dirty_pages_ratelimited(tsk);
		flush_if_ahead(tsk);
	}
	if (write && off + len > inode->size)
		inode->size = off + len;
	if (write && !inode->shmem)   /* the written pages get blocks on the file device */
		file_blocks_add(&inode->blocks, off >> PAGE_SHIFT,
				(off + len + PAGE_SIZE - 1) >> PAGE_SHIFT);
	return (s64)len;
}

s64 file_read(struct task *tsk, struct inode *inode, u64 off, u64 len)
{
	if (inode->hugetlb)
		return hugetlbfs_read(tsk, inode, off, len);
	if (!inode->shmem)
		return filemap_read(tsk, inode, off, len);   /* mm/readahead.c */
	return file_rw(tsk, inode, off, len, false);
}

s64 file_write(struct task *tsk, struct inode *inode, u64 off, u64 len)
{
	if (inode->hugetlb) {
		charge(tsk, tsk->sim->cost->syscall_entry_ns);
		return -MM_EINVAL;      /* hugetlbfs has no write() */
	}
	return file_rw(tsk, inode, off, len, true);
}

int file_truncate(struct task *tsk, struct inode *inode, u64 size)
{
	if (inode->hugetlb)
		return hugetlbfs_truncate(tsk, inode, size);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (size < inode->size) {
		truncate_inode_pages_range(tsk, inode, ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT,
					   UINT64_MAX);
		file_blocks_remove(&inode->blocks, ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT,
				   UINT64_MAX);
	}
	inode->size = size;
	return 0;
}

int file_fallocate(struct task *tsk, struct inode *inode, u32 mode, u64 off, u64 len)
{
	if (inode->hugetlb)
		return hugetlbfs_fallocate(tsk, inode, mode, off, len);
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (!len || off + len < off)
		return -MM_EINVAL;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -MM_EINVAL;
		/* whole pages inside the hole go; partial pages are zeroed in place */
		truncate_inode_pages_range(tsk, inode, ALIGN_UP(off, PAGE_SIZE) >> PAGE_SHIFT,
					   (off + len) >> PAGE_SHIFT);
		file_blocks_remove(&inode->blocks, ALIGN_UP(off, PAGE_SIZE) >> PAGE_SHIFT,
				   (off + len) >> PAGE_SHIFT);
		return 0;
	}
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -MM_EINVAL;
	for (u64 idx = off >> PAGE_SHIFT; idx <= (off + len - 1) >> PAGE_SHIFT; idx++) {
		bool created;
		if (filemap_get_page(tsk, inode, idx, &created) == PFN_NONE)
			return -MM_ENOMEM;
		flush_if_ahead(tsk);
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > inode->size)
		inode->size = off + len;
	return 0;
}
