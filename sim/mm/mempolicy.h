/* mempolicy.h - NUMA memory policies (models mm/mempolicy.c and the policy parts of
 * mm/shmem.c, mm/hugetlb.c and mm/page_alloc.c, 6.1).
 *
 * Modelled: policy objects (modes default, preferred, bind, interleave, local,
 * preferred_many; flags static/relative nodes; home_node), the scopes task
 * (set_mempolicy), VMA (mbind; split and fork duplicate, merge only equal policies) and
 * shared (a per-inode tree of ranges for shmem/memfd/SysV files, under sp->lock), the
 * node choice of every allocation (policy_node/policy_nodemask, interleave by offset or
 * by the task's il_prev cursor, huge_node), mbind with MPOL_MF_STRICT/MOVE/MOVE_ALL
 * through the migrate_page hook, get_mempolicy, migrate_pages, move_pages,
 * set_mempolicy_home_node, the numa_maps policy strings.
 * The reference count is an explicit, measured model: every get/put is an atomic RMW on
 * the object's cache line (cost_atomic from its last writer), counted per path; variant
 * variants.mempolicy.refcount (always: the June 2007 interim design, every lookup of a
 * VMA, shared or other task's policy takes a reference; conditional: seed 000's design,
 * only shared policies) and variants.mempolicy.leak_paths (pre_2.6.24: migration,
 * numa_maps and get_mempolicy(F_ADDR) never drop the shared-policy reference they take;
 * with refcount = always also the interim code's interleave botches: alloc_page_vma's
 * INTERLEAVE branch keeps its reference, huge_zonelist drops one it never took).
 * A checker compares each object's count with the references its owners hold.
 * Weighted interleave is 6.9's (weights per node written to
 * /sys/kernel/mm/mempolicy/weighted_interleave/nodeN, default 1; the task cursor
 * il_prev/il_weight; by offset: the offset modulo the total weight).
 * Not modelled: cpusets (mems_allowed = every node with memory, so no rebind),
 * NUMA balancing (MPOL_F_MOF/MORON), THP allocations (no THP model yet), tmpfs mpol=
 * mounts, hugetlb page migration.
 * Spec: reference/mempolicy.md; seed 000. */
#ifndef MMSIM_MM_MEMPOLICY_H
#define MMSIM_MM_MEMPOLICY_H

#include <stdio.h>
#include "types.h"
#include "mm/gfp.h"
#include "locks/rwlock.h"
#include "locks/spinlock.h"

struct sim;
struct task;
struct inode;
struct mm_struct;
struct vm_area_struct;

/* modes (uapi); MPOL_DEFAULT..MPOL_LOCAL are in uapi.h */
#define MPOL_PREFERRED_MANY 5
#define MPOL_WEIGHTED_INTERLEAVE 6        /* 6.9: weights per node (sysfs) */
#define MPOL_MAX 7
/* mode flags (uapi) */
#define MPOL_F_STATIC_NODES (1u << 15)
#define MPOL_F_RELATIVE_NODES (1u << 14)
#define MPOL_F_NUMA_BALANCING (1u << 13)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
/* internal flag: the object lives in a shared-policy tree */
#define MPOL_F_SHARED (1u << 0)
/* get_mempolicy flags */
#define MPOL_F_NODE (1u << 0)
#define MPOL_F_ADDR (1u << 1)
#define MPOL_F_MEMS_ALLOWED (1u << 2)
/* mbind flags */
#define MPOL_MF_STRICT (1u << 0)
#define MPOL_MF_MOVE (1u << 1)
#define MPOL_MF_MOVE_ALL (1u << 2)
#define MPOL_MF_VALID (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

#define NUMA_NO_NODE (-1)

/* Who takes and drops a reference during use (counted per path). */
#define MPOL_PATHS(X)                                                                     \
	X(INSTALL, "install")             /* owners: task, VMA, sp_node (new/dup/free) */ \
	X(FAULT, "fault")                 /* vma_alloc_folio: anon, COW, page cache, shmem */ \
	X(SHMEM_LOOKUP, "shmem_lookup")   /* mpol_shared_policy_lookup for an allocation */ \
	X(SWAPIN, "swapin")               /* swap-in readahead */                        \
	X(HUGETLB, "hugetlb")             /* huge_node */                                \
	X(MIGRATION, "migration")         /* new_page target allocation (mbind MOVE ...) */ \
	X(GET_MEMPOLICY, "get_mempolicy") /* do_get_mempolicy(MPOL_F_ADDR) */            \
	X(NUMA_MAPS, "numa_maps")         /* show_numa_map */

enum mpol_path {
#define MPOL_PATH_ENUM(e, n) MPOL_PATH_##e,
	MPOL_PATHS(MPOL_PATH_ENUM)
#undef MPOL_PATH_ENUM
	NR_MPOL_PATHS
};

struct mempolicy {
	u32 refcnt;
	u16 mode;
	u16 flags;                        /* MPOL_MODE_FLAGS given by the user | MPOL_F_SHARED */
	u64 nodes;                        /* effective nodemask */
	u64 user_nodemask;                /* w.user_nodemask: as given (STATIC/RELATIVE) */
	int home_node;                    /* NUMA_NO_NODE unless set_mempolicy_home_node */
	/* model state */
	bool is_static;                   /* default_policy: never counted, never freed */
	u32 id;                           /* creation number (findings) */
	u32 owners;                       /* task, VMA and sp_node slots pointing at it */
	int line_cpu, line_node;          /* last writer of the refcount's cache line */
	u32 inflight[NR_MPOL_PATHS];      /* references taken in use, not dropped yet */
	struct mempolicy *prev, *next;    /* live objects */
};

/* A shared policy: ranges of page indexes of one inode (the kernel's rb-tree, here a
 * sorted array), protected by sp->lock. */
struct sp_node {
	u64 start, end;                   /* [start, end) in pages */
	struct mempolicy *policy;         /* owned (MPOL_F_SHARED) */
};
struct shared_policy {
	rwlock_t lock;                    /* sp->lock: rwlock in 6.1 ... */
	spinlock_t spin;                  /* ... spinlock in 2007 (variants.mempolicy.sp_lock) */
	bool use_spin;
	struct sp_node *nodes;
	u32 nr, cap;
};

/* Per-run counts of the refcount model (summary.json metrics.mempolicy). */
struct mpol_stats {
	u64 gets[NR_MPOL_PATHS], puts[NR_MPOL_PATHS];
	u64 remote;                       /* RMWs whose line came from another node */
	u64 rmw_ns;                       /* time charged for refcount RMWs */
	u64 sp_lock_acquisitions;         /* sp->lock read/write acquisitions */
	u64 created, freed;
	u64 leaked_objects, leaked_refs;  /* at the end of the run */
	u64 leaked_by_path[NR_MPOL_PATHS];
	u64 interleave_allocs;            /* allocations that took an interleave path */
	u64 overputs;                     /* puts without a reference (interim design) */
	u64 mbind_migrated, mbind_failed; /* pages moved by mbind/migrate_pages/move_pages */
};

void mempolicy_create(struct sim *sim);
void mempolicy_destroy(struct sim *sim);
const struct mpol_stats *mempolicy_stats(const struct sim *sim);
const char *mpol_path_name(enum mpol_path p);
/* Leak check: every live object's count equals its owners' references (plus, unless
 * final, references tasks still hold). Each excess becomes a FINDING_REF_LEAK naming
 * the paths; at the end of the run (final) the leaks are also counted in the stats and
 * the NUMA counter identities checked (COUNTER_DRIFT). Returns the violations. */
unsigned mempolicy_check(struct sim *sim, u64 now_ns, const char *after, bool final);

/* ---- objects ---- */
void mpol_get(struct task *tsk, struct mempolicy *pol, enum mpol_path path);
void mpol_put(struct task *tsk, struct mempolicy *pol, enum mpol_path path);
/* A copy (refcnt 1, one owner to be attached by the caller), or NULL for NULL. */
struct mempolicy *mpol_dup(struct task *tsk, struct mempolicy *pol);
bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b);
/* mpol_to_str: "default", "prefer:2", "bind=static:2-3", "interleave:0-3", "local",
 * "prefer (many):1-2". pol NULL = default. */
void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol);

/* ---- task policy (fork/clone give the child mpol_dup of it and il_prev) ---- */
/* exit: drop the task policy. */
void mpol_task_exit(struct task *tsk);

/* ---- VMA and shared policies ---- */
/* vma_dup_policy: dst (a copy of src's struct) gets its own copy of the policy. */
void vma_dup_policy(struct task *tsk, struct vm_area_struct *dst);
/* remove_vma: the VMA's policy goes. */
void vma_free_policy(struct task *tsk, struct vm_area_struct *vma);
/* The inode's shared policy is destroyed with it. */
void mpol_free_shared_policy(struct task *tsk, struct inode *inode);
/* Whether the VMA has get/set_policy ops (shmem, memfd, SysV shm; not hugetlbfs). */
bool vma_has_shared_policy(const struct vm_area_struct *vma);

/* ---- allocation (the allocator's users call these instead of alloc_pages_node) ---- */
/* vma_alloc_folio / alloc_page_vma: a user page for addr of vma (anon fault, COW,
 * swap-in with path SWAPIN). */
u64 alloc_pages_vma(struct task *tsk, gfp_t gfp, unsigned order, struct vm_area_struct *vma,
		    u64 addr, enum mpol_path path);
/* vma_alloc_folio(hugepage=true) (6.1): a THP at addr of vma. Interleave by huge-page
 * index and PREFERRED_MANY as for small pages; otherwise, when the policy allows the
 * preferred node, that node alone first (__GFP_THISNODE|__GFP_NORETRY), then any allowed
 * node only if gfp allows direct reclaim; BIND without the preferred node walks the bound
 * nodes. gfp carries __GFP_COMP; the caller preps the compound page. */
u64 vma_alloc_hugepage(struct task *tsk, gfp_t gfp, unsigned order, struct vm_area_struct *vma,
		       u64 addr);
/* alloc_pages in task context (page tables, page cache of regular files, slab): the
 * task policy, interleave by il_prev. */
u64 alloc_pages_task(struct task *tsk, gfp_t gfp, unsigned order);
/* shmem_alloc_page: a page for index of a shmem inode (shared policy, pseudo VMA with
 * vm_pgoff = index + i_ino). */
u64 shmem_alloc_page(struct task *tsk, gfp_t gfp, struct inode *inode, u64 index);
/* huge_node: preferred node and nodemask (0 = none) for a hugetlb page at addr of vma;
 * *many set for PREFERRED_MANY (try the mask first, then every node). The reference
 * taken (if any) is dropped before returning: the nodemask is a copy. */
int huge_node(struct task *tsk, struct vm_area_struct *vma, u64 addr, u64 *nodemask, bool *many);
/* init_nodemask_of_mempolicy (nr_hugepages_mempolicy): the task policy's nodes, or 0
 * when the task has no policy. */
u64 init_nodemask_of_mempolicy(struct task *tsk);

/* A write of val to a /sys/kernel/mm/mempolicy/ file (weighted_interleave/nodeN): 0 or
 * -errno; *known false for other paths. */
int mempolicy_sysctl(struct task *tsk, const char *path, u64 val, bool *known);

/* ---- system calls (return 0 / a value, or -errno) ---- */
long do_set_mempolicy(struct task *tsk, unsigned mode_flags, u64 nodemask);
/* *mode and *nodemask receive the results (mode | user flags, or a node for F_NODE). */
long do_get_mempolicy(struct task *tsk, struct mm_struct *mm, int *mode, u64 *nodemask, u64 addr,
		      unsigned flags);
long do_mbind(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, unsigned mode_flags,
	      u64 nodemask, unsigned flags);
long set_mempolicy_home_node(struct task *tsk, struct mm_struct *mm, u64 start, u64 len,
			     int home_node, unsigned flags);
/* migrate_pages(pid's mm, old, new): pages not moved, or -errno. */
long kernel_migrate_pages(struct task *tsk, struct mm_struct *mm, u64 old_nodes, u64 new_nodes);
/* move_pages for one page: node < 0 queries. Returns the status (node, or -errno). */
long kernel_move_page(struct task *tsk, struct mm_struct *mm, u64 addr, int node, unsigned flags);

/* mbind_range's per-VMA step: vma gets a copy of pol (NULL: none); a shmem VMA's
 * shared tree too. Caller holds mmap_lock for write. */
void mpol_vma_replace(struct task *tsk, struct vm_area_struct *vma, struct mempolicy *pol);
/* --check after an op of tsk: references the task took in use and kept are a finding. */
void mempolicy_check_task(struct task *tsk, const char *after);
/* Whether tsk holds references taken in use (mempolicy_check_task would report them). */
bool mempolicy_task_holds_refs(struct task *tsk);

/* numa_maps: the policy string of vma at its start (show_numa_map's lookup). */
void numa_maps_policy(struct task *tsk, struct vm_area_struct *vma, char *buf, size_t len);

#endif
