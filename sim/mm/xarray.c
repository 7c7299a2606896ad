/* xarray.c - the page cache's index tree: 64-slot nodes, grown and shrunk with the
 * largest index, entries and value entries (see xarray.h). */
#include <stdlib.h>

#include "mm/xarray.h"
#include "types.h"


void xa_init(struct xarray *xa, const struct xa_node_hooks *hooks, void *hooks_arg)
{
	*xa = (struct xarray){ .hooks = hooks, .hooks_arg = hooks_arg };
}

static struct xa_node *xa_node_alloc(struct task *tsk, struct xarray *xa, unsigned shift,
				     unsigned nid)
{
	struct xa_node *n = xcalloc(1, sizeof(*n));
	n->shift = (u8)shift;
	n->nid = (u16)nid;
	n->array = xa;
	xa->nr_nodes++;
	if (xa->hooks && xa->hooks->alloc)
		xa->hooks->alloc(xa->hooks_arg, tsk, n);
	return n;
}

static void xa_node_free(struct task *tsk, struct xarray *xa, struct xa_node *n)
{
	if (xa->hooks && xa->hooks->free)
		xa->hooks->free(xa->hooks_arg, tsk, n);
	xa->nr_nodes--;
	free(n);
}

static void destroy_subtree(struct task *tsk, struct xarray *xa, struct xa_node *n)
{
	if (n->shift)
		for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
			if (n->child[i])
				destroy_subtree(tsk, xa, n->child[i]);
	xa_node_free(tsk, xa, n);
}

void xa_destroy(struct xarray *xa)
{
	xa_destroy_by(NULL, xa);
}

void xa_destroy_by(struct task *tsk, struct xarray *xa)
{
	if (xa->head)
		destroy_subtree(tsk, xa, xa->head);
	xa->head = NULL;
	xa->head_entry = 0;
	xa->height = 0;
	xa->nr_pages = xa->nr_values = 0;
}

/* Largest index a tree of height h covers. */
static u64 xa_max_index(unsigned h)
{
	if (h * XA_CHUNK_SHIFT >= 64)
		return UINT64_MAX;
	return (1ULL << (h * XA_CHUNK_SHIFT)) - 1;
}

unsigned xa_height_for(u64 max_index)
{
	unsigned h = 0;
	while (max_index > xa_max_index(h))
		h++;
	return h;
}

u64 xa_load(const struct xarray *xa, u64 index, struct xa_walk *walk)
{
	if (walk)
		walk->levels = 0;
	if (!xa->height)
		return index ? 0 : xa->head_entry;
	if (index > xa_max_index(xa->height))
		return 0;
	const struct xa_node *n = xa->head;
	for (;;) {
		if (walk)
			walk->nid[walk->levels++] = n->nid;
		unsigned off = (index >> n->shift) & (XA_CHUNK_SIZE - 1);
		if (!n->shift)
			return n->entry[off];
		n = n->child[off];
		if (!n)
			return 0;
	}
}

static void account(struct xarray *xa, u64 e, int d)
{
	if (xa_is_pfn(e))
		xa->nr_pages += (u64)(s64)d;
	else if (xa_is_value(e))
		xa->nr_values += (u64)(s64)d;
}

/* xas_shrink: while the root has only slot 0 in use, its child (or entry) becomes the
 * root. */
static void xa_shrink(struct task *tsk, struct xarray *xa)
{
	while (xa->height && xa->head->count == 1) {
		struct xa_node *h = xa->head;
		if (!h->shift) {
			if (!h->entry[0])
				return;
			xa->head_entry = h->entry[0];
			xa->head = NULL;
		} else {
			if (!h->child[0])
				return;
			xa->head = h->child[0];
			xa->head->parent = NULL;
			xa->head->offset = 0;
		}
		xa->height--;
		xa_node_free(tsk, xa, h);
	}
}

static u64 xa_erase(struct task *tsk, struct xarray *xa, u64 index)
{
	u64 old;
	if (!xa->height) {
		if (index)
			return 0;
		old = xa->head_entry;
		xa->head_entry = 0;
		account(xa, old, -1);
		return old;
	}
	if (index > xa_max_index(xa->height))
		return 0;
	struct xa_node *n = xa->head;
	while (n->shift) {
		n = n->child[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];
		if (!n)
			return 0;
	}
	unsigned off = index & (XA_CHUNK_SIZE - 1);
	old = n->entry[off];
	if (!old)
		return 0;
	account(xa, old, -1);
	n->entry[off] = 0;
	n->count--;
	/* free the emptied nodes bottom-up (xas_delete_node) */
	while (n && !n->count) {
		struct xa_node *p = n->parent;
		if (p) {
			p->child[n->offset] = NULL;
			p->count--;
		} else {
			xa->head = NULL;
			xa->height = 0;
		}
		xa_node_free(tsk, xa, n);
		n = p;
	}
	xa_shrink(tsk, xa);
	return old;
}

u64 xa_store(struct xarray *xa, u64 index, u64 entry, unsigned nid)
{
	return xa_store_by(NULL, xa, index, entry, nid);
}

u64 xa_store_by(struct task *tsk, struct xarray *xa, u64 index, u64 entry, unsigned nid)
{
	if (!entry)
		return xa_erase(tsk, xa, index);
	unsigned need = xa_height_for(index);
	if (!xa->height && !need) {
		u64 old = xa->head_entry;
		xa->head_entry = entry;
		account(xa, old, -1);
		account(xa, entry, 1);
		return old;
	}
	if (!xa->height && !xa->head_entry) {
		/* an empty tree: one root at the height the index needs */
		xa->head = xa_node_alloc(tsk, xa, (need - 1) * XA_CHUNK_SHIFT, nid);
		xa->height = need;
	}
	/* xas_expand: new roots above the old one */
	while (xa->height < need || !xa->height) {
		struct xa_node *n = xa_node_alloc(tsk, xa, xa->height * XA_CHUNK_SHIFT, nid);
		if (!xa->height) {
			if (xa->head_entry) {
				n->entry[0] = xa->head_entry;
				n->count = 1;
				xa->head_entry = 0;
			}
		} else {
			n->child[0] = xa->head;
			xa->head->parent = n;
			xa->head->offset = 0;
			n->count = 1;
		}
		xa->head = n;
		xa->height++;
	}
	struct xa_node *n = xa->head;
	while (n->shift) {
		unsigned off = (index >> n->shift) & (XA_CHUNK_SIZE - 1);
		if (!n->child[off]) {
			struct xa_node *c = xa_node_alloc(tsk, xa, n->shift - XA_CHUNK_SHIFT, nid);
			c->parent = n;
			c->offset = (u8)off;
			n->child[off] = c;
			n->count++;
		}
		n = n->child[off];
	}
	unsigned off = index & (XA_CHUNK_SIZE - 1);
	u64 old = n->entry[off];
	if (!old)
		n->count++;
	n->entry[off] = entry;
	account(xa, old, -1);
	account(xa, entry, 1);
	return old;
}

static u64 find_in(const struct xa_node *n, u64 base, u64 start, u64 *index)
{
	unsigned off = 0;
	if (start > base) {
		u64 o = (start - base) >> n->shift;
		if (o >= XA_CHUNK_SIZE)
			return 0;
		off = (unsigned)o;
	}
	for (; off < XA_CHUNK_SIZE; off++) {
		u64 b = base + ((u64)off << n->shift);
		if (!n->shift) {
			if (n->entry[off]) {
				*index = b;
				return n->entry[off];
			}
		} else if (n->child[off]) {
			u64 e = find_in(n->child[off], b, start, index);
			if (e)
				return e;
		}
	}
	return 0;
}

u64 xa_find(const struct xarray *xa, u64 *index)
{
	if (!xa->height)
		return *index == 0 ? xa->head_entry : 0;
	return find_in(xa->head, 0, *index, index);
}
