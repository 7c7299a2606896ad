/* slab.h - the SLUB object allocator (models mm/slub.c and mm/slab_common.c, 6.1).
 *
 * Modelled: caches (struct kmem_cache) with the real object size, objects per slab and
 * slab order of the host's /proc/slabinfo; slab pages taken from the buddy allocator as
 * UNMOVABLE, or RECLAIMABLE for caches created with SLAB_RECLAIM_ACCOUNT (gfp
 * __GFP_RECLAIMABLE), at the cache's order first (no reclaim, no retry) and at the
 * minimum order (one object) when that fails, as allocate_slab does; a per-CPU slab per
 * cache (the lockless fast path, charged one cmpxchg); per-node partial lists under
 * "&n->list_lock" (measured by the lock model), taken when a CPU needs a new slab and
 * when a free makes a full slab partial or a slab empty; an empty slab goes back to the
 * buddy allocator unless the node keeps fewer than min_partial partial slabs
 * (min_partial = clamp(ilog2(size) / 2, 5, 10)); kmem_cache_shrink; the node states
 * NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B (kept in pages, as the kernel's node
 * counters are); /proc/slabinfo (version 2.1: free objects of CPU slabs count as active,
 * as SLUB reports them).
 * Objects are addresses in the direct map: PAGE_OFFSET + (pfn << PAGE_SHIFT) + index *
 * size (x86-64's PAGE_OFFSET without KASLR); 0 is NULL.
 * Slab pages are PG_slab, not on the LRU and not PG_movable: compaction cannot migrate
 * them. A cache whose objects can be reclaimed or moved page by page registers the
 * two-phase callbacks of the 2010/2017 SLUB defragmentation design (seed 003): see
 * kmem_cache_defrag_slab; 6.1 has no such callbacks (variants.slab.movable: none).
 * Not modelled: per-CPU partial lists (CONFIG_SLUB_CPU_PARTIAL: a slab that regains a
 * free object goes straight to its node's partial list), freelist randomisation
 * (objects are handed out in address order, then LIFO), cache merging, memcg
 * accounting, debug flags, kmalloc of sizes that are not a kmalloc-N class.
 * Spec: reference/page-alloc.md sections 3, 7, 12. */
#ifndef MMSIM_MM_SLAB_H
#define MMSIM_MM_SLAB_H

#include <stdio.h>
#include "types.h"
#include "mm/gfp.h"
#include "locks/spinlock.h"

struct sim;
struct task;

/* kmem_cache flags (include/linux/slab.h names) */
#define SLAB_RECLAIM_ACCOUNT 0x00020000u /* objects are reclaimable: RECLAIMABLE pages */
#define SLAB_DEFRAG_CALLBACKS 0x80000000u /* has can_free/reclaim (seed 003 design) */

#define SLAB_NONE UINT32_MAX
#define SLAB_PAGE_OFFSET 0xffff888000000000ULL
static inline u64 slab_obj_pfn(u64 obj)
{
	return (obj - SLAB_PAGE_OFFSET) >> PAGE_SHIFT;
}

/* The caches the model creates at boot, in creation order (kmalloc first, as
 * kmem_cache_init does; /proc/slabinfo lists the newest first). */
#define SLAB_CACHES(X)                                                                      \
	X(KMALLOC_8, "kmalloc-8")                                                           \
	X(KMALLOC_16, "kmalloc-16")                                                         \
	X(KMALLOC_32, "kmalloc-32")                                                         \
	X(KMALLOC_64, "kmalloc-64")                                                         \
	X(KMALLOC_96, "kmalloc-96")                                                         \
	X(KMALLOC_128, "kmalloc-128")                                                       \
	X(KMALLOC_192, "kmalloc-192")                                                       \
	X(KMALLOC_256, "kmalloc-256")                                                       \
	X(KMALLOC_512, "kmalloc-512")                                                       \
	X(KMALLOC_1K, "kmalloc-1k")                                                         \
	X(KMALLOC_2K, "kmalloc-2k")                                                         \
	X(KMALLOC_4K, "kmalloc-4k")                                                         \
	X(KMALLOC_8K, "kmalloc-8k")                                                         \
	X(RADIX_TREE_NODE, "radix_tree_node")                                               \
	X(MM_STRUCT, "mm_struct")                                                           \
	X(VM_AREA_STRUCT, "vm_area_struct")                                                 \
	X(ANON_VMA, "anon_vma")                                                             \
	X(DENTRY, "dentry")                                                                 \
	X(SHMEM_INODE, "shmem_inode_cache")                                                 \
	X(EXT4_INODE, "ext4_inode_cache")                                                   \
	X(ANON_VMA_CHAIN, "anon_vma_chain")

enum slab_cache_id {
#define SLAB_CACHE_ENUM(e, n) SLAB_##e,
	SLAB_CACHES(SLAB_CACHE_ENUM)
#undef SLAB_CACHE_ENUM
	NR_SLAB_CACHES
};

/* Two-phase reclaim/move of the objects of one slab (Lameter's SLUB defragmentation as
 * agreed with Wilcox on linux-mm, March 2017).
 * can_free: the slab is frozen and its lock held; must not allocate or sleep. For all nr
 *   objects, take what keeps them from going away (a reference) and return true, or
 *   return false having kept nothing: all or nothing.
 * reclaim: no lock held; may allocate (a move) and sleep. Frees or moves every object
 *   (kmem_cache_free on the old address) and drops what can_free took. An object freed
 *   here is an RCU-freed one: its memory is reused only after a grace period.
 * objs[] are the object addresses in index order. */
struct kmem_defrag_ops {
	bool (*can_free)(void *arg, struct task *tsk, const u64 *objs, unsigned nr);
	void (*reclaim)(void *arg, struct task *tsk, const u64 *objs, unsigned nr);
};

/* The owner of a movable object: *ref holds the object's address (updated when the object
 * moves); lock, when not NULL, is held while the owner works on the object (busy). */
struct slab_owner {
	u64 *ref;
	spinlock_t *lock;
	bool reclaimable;                  /* phase 2 frees it (*ref = 0) instead of moving it */
};

/* One slab: 2^order pages holding objects; every page's page_desc.prev is its id. */
struct slab {
	u64 pfn;                           /* first page (PFN_NONE: free id) */
	u32 id;
	u32 cache;                         /* enum slab_cache_id or a later cache's index */
	u32 next, prev;                    /* node partial list (slab ids) */
	u16 objects, inuse;
	u8 order;
	bool frozen;                       /* a CPU's slab, or being defragmented */
	bool on_partial;
	u8 nid;
	u16 nr_free;                       /* entries of freelist[] */
	u16 *freelist;                     /* free object indices; the last is handed out next */
	struct slab_owner *owners;         /* [objects], caches with callbacks; NULL until used */
};

struct kmem_cache_node {
	spinlock_t list_lock;              /* "&n->list_lock" */
	u32 partial_head, partial_tail;    /* slab ids */
	u64 nr_partial;
	u64 nr_slabs, total_objects;
	u64 free_on_partial;               /* count_partial(n, count_free) */
};

struct kmem_cache {
	char name[32];
	u32 id;
	u32 size;                          /* object size with metadata and alignment */
	u32 object_size;
	u16 oo_objects, min_objects;       /* objects per slab at order / at min_order */
	u8 order, min_order;
	unsigned flags;
	gfp_t allocflags;
	u32 min_partial;
	u32 *cpu_slab;                     /* [nr_cpus] slab id or SLAB_NONE */
	struct kmem_cache_node *node;      /* [nr_nodes] */
	const struct kmem_defrag_ops *defrag;   /* NULL: objects pin their slab */
	void *defrag_arg;
	/* statistics (CONFIG_SLUB_STATS names) */
	u64 alloc_fastpath, alloc_slowpath, alloc_slab, free_fastpath, free_slowpath,
		free_slab, order_fallback;
	u64 defrag_attempts, defrag_refused, defrag_freed_slabs, defrag_objects;
};

struct slab_deferred {
	u64 obj;
	u32 id;                            /* enum slab_cache_id */
};

/* A negative dentry: the name of an unlinked file, still cached (d_delete of an unused
 * dentry keeps it, without its inode, on the dentry LRU). cell holds the object (moved
 * with it; 0 once pruned) and lives until slab_destroy. */
struct neg_dentry {
	u64 *cell;
	u64 seq;                           /* when it joined the LRU */
};

struct slab_state {
	struct sim *sim;                   /* borrowed */
	struct neg_dentry *negs;           /* live (and not yet compacted pruned) ones */
	u32 nr_negs, cap_negs;
	u64 **dead_cells;                  /* cells of pruned negative dentries */
	u32 nr_dead_cells, cap_dead_cells;
	struct slab_deferred *deferred;    /* frees made outside a task, not yet done */
	u32 nr_deferred, cap_deferred;
	unsigned nr_caches;
	struct kmem_cache **caches;        /* in creation order */
	struct slab **chunks;              /* slab id -> chunks[id >> 10][id & 1023] (stable) */
	u32 nr_slab_ids, nr_chunks;
	u32 free_ids;                      /* chain through slab.next */
	u32 nr_nodes, nr_cpus;
	u64 rcu_grace_ns;                  /* delay before RCU-freed objects' memory is reused */
	u64 defrag_object_ns;              /* phase 2 cost per object moved */
	bool account_users;                /* slab.account_users */
	unsigned movable;                  /* variants.slab.movable (enum slab_movable) */
	/* compaction's defragmentation step */
	u64 defrag_blocks, defrag_blocks_freed, defrag_moved, defrag_move_failed, defrag_no_room;
	u64 defrag_reclaimed;              /* objects phase 2 freed instead of moving */
	/* the dentry/inode shrinker */
	u64 lru_seq;
	u64 dentries_pruned, inodes_pruned, shrinker_calls, negative_dentries_pruned;
	u64 shadow_shrinker_calls, shadow_nodes_reclaimed;   /* workingset shadow nodes */
	/* XArray nodes */
	u64 xa_nodes_moved, xa_refused_not_in_tree, xa_refused_shadow;
	u64 defrag_cpu_ns;                 /* CPU time of slab_defrag_pageblock */
};

/* Create the slab state and the boot caches (sim->slab). */
void slab_create(struct sim *sim);
void slab_destroy(struct slab_state *ss);

/* A new cache; size and order as SLUB computes them are given by the caller (the boot
 * caches take them from the host's /proc/slabinfo). */
struct kmem_cache *kmem_cache_create(struct sim *sim, const char *name, u32 object_size,
				     u32 size, unsigned order, unsigned flags);
struct kmem_cache *kmem_cache_get(struct sim *sim, enum slab_cache_id id);
/* Register the two-phase callbacks (sets SLAB_DEFRAG_CALLBACKS). */
void kmem_cache_setup_defrag(struct kmem_cache *s, const struct kmem_defrag_ops *ops, void *arg);

/* An object (its address), or 0 when no slab page could be had. May block when gfp allows. */
u64 kmem_cache_alloc(struct task *tsk, struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct task *tsk, struct kmem_cache *s, u64 obj);
/* kmalloc of size bytes from the smallest kmalloc-N class that fits (<= 8 KiB). */
u64 kmalloc(struct task *tsk, size_t size, gfp_t gfp);
void kfree(struct task *tsk, u64 obj);
/* Flush CPU slabs and give every empty slab back to the buddy allocator. Returns the
 * slabs freed. */
u64 kmem_cache_shrink(struct task *tsk, struct kmem_cache *s);

/* The slab holding page pfn (NULL: not a slab page). */
struct slab *pfn_slab(struct sim *sim, u64 pfn);
struct kmem_cache *slab_cache(struct sim *sim, const struct slab *sl);
/* The slab and index of an object. */
struct slab *obj_to_slab(struct sim *sim, u64 obj, unsigned *idx);
bool slab_obj_allocated(const struct slab *sl, unsigned idx);

/* Defragment one slab (the slab page containing pfn): freeze it; phase 1 (can_free for
 * every allocated object, with the slab locked); phase 2 (reclaim, no lock); wait an RCU
 * grace period; free the slab if empty. Returns 1 when the slab's pages went back to the
 * buddy allocator, 0 when phase 1 refused or objects stayed, -1 when pfn is no slab page
 * or its cache has no callbacks. Cost: per object, and the list_lock traffic. */
int kmem_cache_defrag_slab(struct task *tsk, u64 pfn);

/* The model's users (slab.account_users): the object standing for a VMA, an anon_vma,
 * an inode..., or 0 when users are not accounted (or tsk is NULL: after the run). An
 * allocation failure also gives 0: the model goes on without the object (the kernel
 * would fail the syscall with -ENOMEM; not modelled). */
u64 slab_user_alloc(struct task *tsk, enum slab_cache_id id);
void slab_user_free(struct task *tsk, enum slab_cache_id id, u64 obj);
/* A free where the model has no acting task (an anon_vma whose last page goes during a
 * migration or a THP split): queued, and done by the next slab_user_alloc/free or
 * shrink_slab of any task. The kernel frees at once; the model's slab figures lag by
 * at most one user slab operation. */
void slab_user_free_deferred(struct sim *sim, enum slab_cache_id id, u64 obj);
/* Record the owner of a movable object (caches with callbacks); ref NULL clears it. */
void slab_set_owner(struct sim *sim, u64 obj, u64 *ref, spinlock_t *lock);
/* An object defragmentation may simply free (a negative dentry): phase 2 sets *ref to 0
 * and frees it; compaction's room check does not count it. */
void slab_set_owner_reclaimable(struct sim *sim, u64 obj, u64 *ref);
/* A new regular (ext4) or shmem inode and its dentry (d_alloc + alloc_inode), and their
 * release (dentry_kill + destroy_inode), for struct inode's slab_dentry/slab_inode. */
struct inode;
void slab_inode_attach(struct task *tsk, struct inode *inode);
void slab_inode_detach(struct task *tsk, struct inode *inode);
/* The compaction step (variants.slab.movable != none): when every allocated page of the
 * pageblock at block_pfn is either migratable or a slab page of a cache with callbacks,
 * and their objects fit in the free slots of partial slabs outside the block, freeze
 * those slabs (so none is a target) and defragment each. Returns the slabs freed. */
unsigned slab_defrag_pageblock(struct task *tsk, u64 block_pfn);

/* The dentry/inode cache shrinker (fs/super.c super_cache_count/scan, fs/dcache.c
 * prune_dcache_sb, fs/inode.c prune_icache_sb). A regular file that only the file table
 * holds (no fd, no VMA) is unused: its dentry is on the dentry LRU; pruning the dentry
 * puts its inode on the inode LRU; pruning the inode evicts it (page cache truncated,
 * inode object freed; the model's struct inode stays as the file on disk, and a later
 * open allocates its dentry and inode again). Only files with slab objects
 * (slab.account_users) take part. LRU order: when each became unused (no referenced
 * bit, no second chance: not modelled). */
void dcache_lru_add(struct sim *sim, struct inode *inode);
/* unlink(2) of a regular file (before its name's reference is dropped): when only the
 * name held it (no fd, no mapping), its dentry stays as a negative dentry on the LRU, as
 * Linux 6.18 does (tests/real/slab_oracle: 18000 unlinks leave the dentry count as it
 * was); otherwise the dentry goes with the inode's last reference. A later create of the
 * same name allocates a new dentry (the kernel would reuse the negative one: not
 * modelled). */
void slab_dentry_unlink(struct task *tsk, struct inode *inode);
/* shrink_slab for node nid at a reclaim priority (do_shrink_slab: freeable scaled by
 * vm.vfs_cache_pressure, (freeable >> priority) * 4 / DEFAULT_SEEKS, at most twice the
 * freeable objects, in batches of 1024; deferred work not modelled). Returns the objects
 * freed; *slab_pages (may be NULL) gets the slab pages given back meanwhile. */
u64 shrink_slab(struct task *tsk, unsigned nid, int priority, u64 *slab_pages);
/* shrink_slab also runs the workingset shadow-node shrinker (mm/workingset.c
 * count_shadow_nodes/scan_shadow_nodes; with or without slab.account_users): leaves of
 * page-cache trees holding only shadow entries, beyond present pages >> 3 of the node,
 * half of the excess per call, each under its mapping's lock taken with a trylock (a
 * contended one is skipped), lose their shadows and are freed. */
/* drop_slab (drop_caches 2): shrink_slab at priority 0 until a pass frees <= 10 objects. */
u64 drop_slab(struct task *tsk);

/* The page cache's XArray nodes (the xa_node hooks of mm/filemap.c call these): with
 * slab.account_users, a node is a radix_tree_node object allocated under the xa_lock
 * (GFP_NOWAIT) and owned by the node (moved under the mapping's xa_lock when its cache
 * is movable). A free without a task only drops the ownership. */
struct xa_node;
void slab_xa_node_alloc(struct task *tsk, struct xa_node *n);
void slab_xa_node_free(struct sim *sim, struct task *tsk, struct xa_node *n);
/* A leaf whose used slots hold only shadow entries (the workingset shadow LRU's nodes). */
bool xa_node_shadow_only(const struct xa_node *n);

/* Slab pages of node nid: reclaimable and unreclaimable. */
u64 slab_node_pages(const struct sim *sim, unsigned nid, bool reclaimable);

/* Objects of cache s allocated now (slabinfo's active_objs counts CPU slabs whole, as
 * SLUB does; this is the number of live objects: summary.json metrics/slab/objects). */
u64 kmem_cache_objects_inuse(const struct sim *sim, const struct kmem_cache *s);

/* /proc/slabinfo (version 2.1) */
void write_slabinfo(const struct sim *sim, FILE *f);

/* Consistency: per cache and node, slab counts, objects, partial lists and the vmstat
 * slab states agree. 0, or -1 with a description. */
int check_slab(const struct sim *sim, char *msg, size_t msglen);

#endif
