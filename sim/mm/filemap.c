/* filemap.c - inodes, the page cache, file reads/writes/truncate/fallocate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "uapi.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "mm/gfp.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "mm/mempolicy.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmstat.h"

static DEFINE_LOCK_CLASS(i_pages_class, "&mapping->i_pages", LOCK_SPIN);

struct file_table {
	struct sim *sim;
	struct inode **inodes;             /* by id; NULL = free */
	u32 nr, cap;
	u32 *free_ids;
	u32 nr_free, cap_free;
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
	free(inode->pages);
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

/* ---- the page cache hash ---- */

static u64 pc_hash(u64 index)
{
	return (index * 0x9e3779b97f4a7c15ULL) >> 32;
}

static struct pc_slot *pc_find(struct inode *in, u64 index, bool create)
{
	if (create && (in->nr_slots + 1) * 4 > in->cap_slots * 3) {
		u32 ocap = in->cap_slots;
		struct pc_slot *old = in->pages;
		in->cap_slots = ocap ? 2 * ocap : 16;
		in->pages = xcalloc(in->cap_slots, sizeof(*in->pages));
		in->nr_slots = 0;
		for (u32 i = 0; i < ocap; i++)
			if (old[i].used && old[i].pfn != PFN_NONE)
				*pc_find(in, old[i].index, true) = old[i];
		free(old);
	}
	if (!in->cap_slots)
		return NULL;
	u32 mask = in->cap_slots - 1;
	struct pc_slot *tomb = NULL;
	for (u32 i = (u32)pc_hash(index) & mask;; i = (i + 1) & mask) {
		struct pc_slot *s = &in->pages[i];
		if (!s->used) {
			if (!create)
				return NULL;
			if (tomb) {
				s = tomb;
			} else {
				in->nr_slots++;
			}
			*s = (struct pc_slot){ .index = index, .pfn = PFN_NONE, .used = true };
			return s;
		}
		if (s->index == index && (s->pfn != PFN_NONE || create))
			return s;
		if (s->pfn == PFN_NONE && !tomb)
			tomb = s;
	}
}

u64 find_get_page(struct inode *inode, u64 index)
{
	struct pc_slot *s = pc_find(inode, index, false);
	return s ? s->pfn : PFN_NONE;
}

void pagecache_insert(struct inode *inode, u64 index, u64 pfn)
{
	struct pc_slot *s = pc_find(inode, index, true);
	s->pfn = pfn;
	inode->nr_pages++;
}

u64 pagecache_delete(struct inode *inode, u64 index)
{
	struct pc_slot *s = pc_find(inode, index, false);
	if (!s)
		return PFN_NONE;
	u64 pfn = s->pfn;
	s->pfn = PFN_NONE;
	inode->nr_pages--;
	return pfn;
}

void filemap_replace_page(struct inode *inode, u64 index, u64 new_pfn)
{
	struct pc_slot *s = pc_find(inode, index, false);
	if (s)
		s->pfn = new_pfn;
}

u64 filemap_get_page(struct task *tsk, struct inode *inode, u64 index, bool *created)
{
	*created = false;
	u64 pfn = find_get_page(inode, index);
	if (pfn != PFN_NONE)
		return pfn;
	/* __filemap_get_folio(FGP_CREAT): allocate, fill, insert under the xa_lock. Shmem
	 * pages follow the inode's shared policy (shmem_alloc_page), others the task's. */
	pfn = inode->shmem ? shmem_alloc_page(tsk, GFP_HIGHUSER_MOVABLE, inode, index)
			   : alloc_pages_task(tsk, GFP_HIGHUSER_MOVABLE, 0);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	charge(tsk, tsk->sim->cost->zero_4k_ns);
	spin_lock(tsk, &inode->i_pages_lock);
	u64 raced = find_get_page(inode, index);
	if (raced != PFN_NONE) {
		spin_unlock(tsk, &inode->i_pages_lock);
		__free_pages(tsk, pfn, 0);
		return raced;
	}
	struct pc_slot *s = pc_find(inode, index, true);
	s->pfn = pfn;
	inode->nr_pages++;
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (inode->shmem)
		pg->flags |= PG_swapbacked;
	rmap_set_owner(tsk->sim, pfn, OWNER_FILE, inode->id, index);
	unsigned nid = page_to_nid(tsk->sim->phys, pfn);
	mod_node_page_state(tsk, nid, NR_FILE_PAGES, 1);
	if (inode->shmem)
		mod_node_page_state(tsk, nid, NR_SHMEM, 1);
	charge(tsk, tsk->sim->cost->pte_update_ns);
	spin_unlock(tsk, &inode->i_pages_lock);
	lru_cache_add(tsk, pfn);
	*created = true;
	return pfn;
}

void filemap_set_dirty(struct task *tsk, struct inode *inode, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (pg->flags & PG_dirty)
		return;
	pg->flags |= PG_dirty;
	if (!inode->shmem)   /* shmem pages are never written back: not counted as Dirty */
		mod_node_page_state(tsk, page_to_nid(tsk->sim->phys, pfn), NR_FILE_DIRTY, 1);
}

/* Remove one cached page (its mappings are gone): the cache's reference is dropped. */
static void delete_from_page_cache(struct task *tsk, struct inode *inode, struct pc_slot *s)
{
	u64 pfn = s->pfn;
	struct phys_mem *pm = tsk->sim->phys;
	struct page_desc *pg = pfn_to_page(pm, pfn);
	unsigned nid = page_to_nid(pm, pfn);
	s->pfn = PFN_NONE;
	inode->nr_pages--;
	mod_node_page_state(tsk, nid, NR_FILE_PAGES, -1);
	if (inode->shmem)
		mod_node_page_state(tsk, nid, NR_SHMEM, -1);
	if ((pg->flags & PG_dirty) && !inode->shmem)
		mod_node_page_state(tsk, nid, NR_FILE_DIRTY, -1);
	if (pg->refcount == 1) {
		rmap_clear_owner(tsk->sim, pfn);
		lru_page_freed(tsk, pfn);
		pg->flags &= ~(PG_lru | PG_dirty | PG_referenced | PG_active | PG_swapbacked);
	}
	__free_pages(tsk, pfn, 0);
}

bool filemap_remove_page(struct task *tsk, u64 pfn, unsigned extra)
{
	u32 id;
	u64 index;
	if (rmap_owner(tsk->sim, pfn, &id, &index) != OWNER_FILE)
		return false;
	struct inode *inode = file_inode_by_id(tsk->sim, id);
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (!inode || inode->shmem)
		return false;
	spin_lock(tsk, &inode->i_pages_lock);
	struct pc_slot *s = pc_find(inode, index, false);
	bool ok = s && s->pfn == pfn && !pg->mapcount && !(pg->flags & PG_dirty) &&
		  pg->refcount == 1 + extra;
	if (ok) {
		/* the caller's reference keeps the page: only the cache's goes here */
		unsigned nid = page_to_nid(tsk->sim->phys, pfn);
		s->pfn = PFN_NONE;
		inode->nr_pages--;
		mod_node_page_state(tsk, nid, NR_FILE_PAGES, -1);
		pg->refcount--;
	}
	spin_unlock(tsk, &inode->i_pages_lock);
	return ok;
}

void truncate_inode_pages_range(struct task *tsk, struct inode *inode, u64 start, u64 end)
{
	if (start >= end)
		return;
	unmap_mapping_pages(tsk, inode, start, end);
	spin_lock(tsk, &inode->i_pages_lock);
	for (u32 i = 0; i < inode->cap_slots; i++) {
		struct pc_slot *s = &inode->pages[i];
		if (s->used && s->pfn != PFN_NONE && s->index >= start && s->index < end)
			delete_from_page_cache(tsk, inode, s);
	}
	spin_unlock(tsk, &inode->i_pages_lock);
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
		u64 pfn = filemap_get_page(tsk, inode, idx, &created);
		if (pfn == PFN_NONE)
			return -MM_ENOMEM;
		u64 lo = max(off, idx << PAGE_SHIFT), hi = min(off + len, (idx + 1) << PAGE_SHIFT);
		charge(tsk, c->copy_4k_ns * (hi - lo) / PAGE_SIZE);
		if (write)
			filemap_set_dirty(tsk, inode, pfn);
		flush_if_ahead(tsk);
	}
	if (write && off + len > inode->size)
		inode->size = off + len;
	return (s64)len;
}

s64 file_read(struct task *tsk, struct inode *inode, u64 off, u64 len)
{
	if (inode->hugetlb)
		return hugetlbfs_read(tsk, inode, off, len);
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
	if (size < inode->size)
		truncate_inode_pages_range(tsk, inode, ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT,
					   UINT64_MAX);
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
