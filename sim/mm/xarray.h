/* xarray.h - the index tree of a mapping (models lib/xarray.c and include/linux/xarray.h,
 * 6.1, in the parts the page cache uses).
 *
 * A radix tree of 64-slot nodes (XA_CHUNK_SHIFT 6). Its height follows the largest index
 * stored: 0 while only index 0 is used (the entry sits in the head), then h levels cover
 * indices below 64^h. Erasing shrinks it again (xas_shrink) and frees empty nodes.
 * Entries are u64: 0 is empty; an even value is a page (xa_mk_pfn); an odd one is a value
 * entry (xa_mk_value: workingset shadows of evicted pages). Interior nodes are objects with
 * an allocation/free hook pair (a slab model can account them) and remember the NUMA node
 * they were allocated on, so a walk can be costed level by level.
 *
 * Not modelled: multi-index entries (large folios), marks (dirty/writeback/towrite tags),
 * retry entries (a walk is one event in mmsim, so no walker is ever inside a node being
 * freed), RCU-delayed node freeing. The shadow-node shrinker is mm/slab.c's. */
#ifndef MMSIM_MM_XARRAY_H
#define MMSIM_MM_XARRAY_H

#include "types.h"

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1u << XA_CHUNK_SHIFT)
#define XA_MAX_HEIGHT 11               /* 64^11 > 2^64 */

struct xa_node {
	u8 shift;                          /* 0: leaf (slots hold entries) */
	u8 offset;                         /* slot in the parent */
	u8 count;                          /* used slots */
	u16 nid;                           /* NUMA node it was allocated on */
	struct xa_node *parent;
	struct xarray *array;              /* the tree it belongs to */
	u64 slab_obj;                      /* its radix_tree_node object (mm/slab.h; 0: none) */
	union {
		struct xa_node *child[XA_CHUNK_SIZE];
		u64 entry[XA_CHUNK_SIZE];
	};
};

/* Allocation and free of interior nodes (the slab model accounts them). tsk is the task
 * storing or erasing (NULL: an update made outside any task, e.g. hugetlbfs's raw slots
 * or the teardown after the run). alloc runs before the node is linked into the tree. */
struct xarray;
struct task;
struct xa_node_hooks {
	void (*alloc)(void *arg, struct task *tsk, struct xa_node *node);
	void (*free)(void *arg, struct task *tsk, struct xa_node *node);
};

struct xarray {
	u64 head_entry;                    /* height 0: the entry of index 0 */
	struct xa_node *head;              /* height > 0: the root node */
	unsigned height;
	u64 nr_pages, nr_values;           /* entries of each kind */
	u32 nr_nodes;
	const struct xa_node_hooks *hooks;
	void *hooks_arg;
};

/* The nodes one walk went through, root first. */
struct xa_walk {
	unsigned levels;
	u16 nid[XA_MAX_HEIGHT];
};

static inline u64 xa_mk_pfn(u64 pfn)
{
	return (pfn + 1) << 1;
}
static inline u64 xa_to_pfn(u64 e)
{
	return (e >> 1) - 1;
}
static inline u64 xa_mk_value(u64 v)
{
	return (v << 1) | 1;
}
static inline u64 xa_to_value(u64 e)
{
	return e >> 1;
}
static inline bool xa_is_value(u64 e)
{
	return e & 1;
}
static inline bool xa_is_pfn(u64 e)
{
	return e && !(e & 1);
}

void xa_init(struct xarray *xa, const struct xa_node_hooks *hooks, void *hooks_arg);
/* Frees every node (calls the free hook for each). */
void xa_destroy(struct xarray *xa);
void xa_destroy_by(struct task *tsk, struct xarray *xa);
/* The entry at index (0: none); walk (optional) gets the nodes passed. */
u64 xa_load(const struct xarray *xa, u64 index, struct xa_walk *walk);
/* Store entry at index (0 erases); returns the old entry. New nodes record nid. */
u64 xa_store(struct xarray *xa, u64 index, u64 entry, unsigned nid);
/* The same, by a task (handed to the node hooks). */
u64 xa_store_by(struct task *tsk, struct xarray *xa, u64 index, u64 entry, unsigned nid);
/* The first entry at an index >= *index (page or value), *index set to it; 0: none. */
u64 xa_find(const struct xarray *xa, u64 *index);
/* Height needed for max_index: ceil(log64(max_index + 1)). */
unsigned xa_height_for(u64 max_index);

#endif
