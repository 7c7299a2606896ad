/* rmap.h - reverse mapping (models mm/rmap.c): from a physical page back to every PTE
 * that maps it, for migration (compaction), reclaim and the invariant checks.
 *
 * Anonymous pages are filed under the anon_vma of the VMA that faulted them, with their
 * linear page index (vm_pgoff + offset in the VMA). A VMA's anon_vma chain lists every
 * anon_vma whose pages it may map: its own, and after fork the ones of its ancestors, so
 * a COW-shared page is found in parent and children. The chain survives VMA splits (both
 * halves keep it) and mremap (vm_pgoff moves with the pages). File and shmem pages are
 * filed under their inode and page index; the inode's i_mmap lists the VMAs mapping it.
 *
 * The page owner (kind, id, index) lives in a side table allocated per pageblock on
 * first use, keeping struct page_desc at 16 bytes: 80 bytes for a pageblock whose owned
 * pages form one run (same owner, index rising with the pfn: pages faulted in order),
 * 8 bytes per page (4 KiB) once one page breaks the run.
 * Blocks held by ALLOC_PAGES handles are owned by the task layer, which registers a
 * migration callback for them. */
#ifndef MMSIM_MM_RMAP_H
#define MMSIM_MM_RMAP_H

#include "mm/mm_types.h"
#include "locks/rwsem.h"

struct anon_vma {
	u32 id;
	struct rw_semaphore rwsem;         /* "&anon_vma->rwsem": khugepaged's collapse holds it */
					   /* for write against rmap walkers; mm_take_all_locks */
	u32 nr_pages;                      /* pages filed under it (owner table entries) */
	struct vm_area_struct **vmas;      /* VMAs whose chain includes it */
	u32 nr_vmas, cap_vmas;
	u64 slab_obj;                      /* its anon_vma object (mm/slab.h; 0: none) */
	u64 *avc_obj;                      /* [cap_vmas]: the anon_vma_chain object linking */
					   /* vmas[i] to it (0: none) */
};

enum page_owner_kind { OWNER_NONE, OWNER_ANON, OWNER_FILE, OWNER_EXTERNAL };

/* Migration of pages owned outside mm/ (ALLOC_PAGES handles): re-point the owner's
 * reference from old_pfn to new_pfn (rmap moves the page state, flags and owner entry
 * afterwards). id and index are what rmap_set_owner() recorded. Returns 0, or -MM_EAGAIN
 * when the owner does not hold old_pfn there (nothing changed). Only pages with no
 * mapping and exactly two references (the owner's and the isolation's) are offered. */
typedef int (*rmap_external_migrate_fn)(void *arg, struct task *tsk, u32 id, u64 index,
					u64 old_pfn, u64 new_pfn);

struct rmap;

struct rmap *rmap_create(struct sim *sim);
void rmap_destroy(struct rmap *r);
void rmap_set_external(struct rmap *r, rmap_external_migrate_fn fn, void *arg);

/* Page owner table */
void rmap_set_owner(struct sim *sim, u64 pfn, enum page_owner_kind kind, u32 id, u64 index);
void rmap_clear_owner(struct sim *sim, u64 pfn);
enum page_owner_kind rmap_owner(const struct sim *sim, u64 pfn, u32 *id, u64 *index);
/* Host bytes of the owner table. */
u64 rmap_table_bytes(const struct rmap *r);

/* anon_vma lifetime, driven by the VMA code. With slab.account_users, an anon_vma is an
 * anon_vma object and each link of a chain an anon_vma_chain object, allocated by tsk;
 * freed by tsk, or, when the last page's release frees an anon_vma outside a task (tsk
 * NULL: migration, THP split), at the next slab operation of any task
 * (slab_user_free_deferred). */
/* Give the VMA an anon_vma of its own if it has none (before its first anonymous page). */
void anon_vma_prepare(struct task *tsk, struct vm_area_struct *vma);
/* dst (a split part, or a moved copy) shares src's anon_vma and chain. */
void anon_vma_clone(struct task *tsk, struct vm_area_struct *dst, const struct vm_area_struct *src);
/* dst (the child's copy of src at fork) gets src's chain plus an anon_vma of its own. */
void anon_vma_fork(struct task *tsk, struct vm_area_struct *dst, const struct vm_area_struct *src);
/* Drop the VMA from every anon_vma of its chain (VMA freed). */
void unlink_anon_vmas(struct task *tsk, struct sim *sim, struct vm_area_struct *vma);

/* The anonymous page at addr of vma was just mapped for the first time: file it. */
void page_add_new_anon_rmap(struct sim *sim, u64 pfn, struct vm_area_struct *vma, u64 addr);
/* A page read back from swap, mapped at addr of vma: filed under the oldest anon_vma of
 * the VMA's chain, which every process sharing the swap entry has in its chain too (the
 * kernel keeps the original anon_vma). No-op when the page is filed already. */
void page_add_swapin_rmap(struct sim *sim, u64 pfn, struct vm_area_struct *vma, u64 addr);
/* Drop a reference to a mapped page the caller unmapped (mapcount already lowered):
 * when it is the last one the owner entry goes and the page returns to the allocator. */
void put_user_page(struct task *tsk, u64 pfn);
/* The same for many pages at once (release_pages after an unmap): the LRU lock is
 * taken once per run of pages of one node, as the kernel's batched release does. */
void put_user_pages(struct task *tsk, const u64 *pfns, unsigned n);

/* Every mapping of a page: fn(vma, addr, t, idx) for each PTE that maps pfn, entry idx
 * of the PTE table t (read and written through mm/pgtable.h). The caller holds no
 * page-table lock; fn runs with none held either (it takes t->ptl if it changes the
 * PTE). Returns the number of mappings found. */
typedef void (*rmap_one_fn)(void *arg, struct vm_area_struct *vma, u64 addr,
			    struct pte_table *t, unsigned idx);
u32 rmap_walk(struct sim *sim, u64 pfn, rmap_one_fn fn, void *arg);

/* Every huge PMD mapping the THP head (anonymous): fn(arg, vma, haddr). Neither the
 * walker nor fn holds a lock when fn is called. Returns the number found. */
typedef void (*rmap_pmd_fn)(void *arg, struct vm_area_struct *vma, u64 haddr);
u32 rmap_walk_pmd(struct sim *sim, u64 head, rmap_pmd_fn fn, void *arg);
/* Drop the page's owner entry (and its anon_vma's page count): the page is being freed. */
void rmap_release_owner(struct sim *sim, u64 pfn);

/* Inode i_mmap list (filemap.c keeps it with the VMA code) */
void i_mmap_insert(struct inode *inode, struct vm_area_struct *vma);
void i_mmap_remove(struct inode *inode, struct vm_area_struct *vma);

#endif
