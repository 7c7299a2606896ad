/* slab.c - SLUB caches, slabs, per-CPU slabs and node partial lists (models mm/slub.c
 * and mm/slab_common.c, 6.1). See slab.h for what is and is not modelled. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "config/scenario.h"
#include "mm/filemap.h"
#include "mm/mmzone.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmstat.h"
#include "platform/cost.h"

static DEFINE_LOCK_CLASS(list_lock_class, "&n->list_lock", LOCK_SPIN);

static const struct kmem_defrag_ops move_ops, xa_node_move_ops;

/* The boot caches: object size (slabinfo <objsize>) and slab order (<pagesperslab>), read
 * from /proc/slabinfo of the development host (Linux 6.18, 2 CPUs, SLUB, Dec 2026):
 * calculate_order() gives the same orders on 6.1 for 2 CPUs (slub_min_objects =
 * 4 * (fls(2) + 1) = 12). radix_tree_node is the xa_node cache (lib/radix-tree.c keeps
 * that name). object_size is the struct's own size where slabinfo shows only the slot. */
static const struct boot_cache {
	u32 size;
	u8 order;
	unsigned flags;
} boot_caches[NR_SLAB_CACHES] = {
	[SLAB_KMALLOC_8] = { 8, 0, 0 },
	[SLAB_KMALLOC_16] = { 16, 0, 0 },
	[SLAB_KMALLOC_32] = { 32, 0, 0 },
	[SLAB_KMALLOC_64] = { 64, 0, 0 },
	[SLAB_KMALLOC_96] = { 96, 0, 0 },
	[SLAB_KMALLOC_128] = { 128, 0, 0 },
	[SLAB_KMALLOC_192] = { 192, 0, 0 },
	[SLAB_KMALLOC_256] = { 256, 0, 0 },
	[SLAB_KMALLOC_512] = { 512, 1, 0 },
	[SLAB_KMALLOC_1K] = { 1024, 2, 0 },
	[SLAB_KMALLOC_2K] = { 2048, 3, 0 },
	[SLAB_KMALLOC_4K] = { 4096, 3, 0 },
	[SLAB_KMALLOC_8K] = { 8192, 3, 0 },
	[SLAB_RADIX_TREE_NODE] = { 584, 1, SLAB_RECLAIM_ACCOUNT },
	[SLAB_MM_STRUCT] = { 1600, 3, 0 },
	[SLAB_VM_AREA_STRUCT] = { 192, 0, 0 },
	[SLAB_ANON_VMA] = { 104, 0, 0 },
	[SLAB_DENTRY] = { 192, 0, SLAB_RECLAIM_ACCOUNT },
	[SLAB_SHMEM_INODE] = { 752, 2, 0 },   /* shmem inodes are not SLAB_RECLAIM_ACCOUNT */
	[SLAB_EXT4_INODE] = { 1128, 2, SLAB_RECLAIM_ACCOUNT },
	[SLAB_ANON_VMA_CHAIN] = { 64, 0, 0 },
};

static const char *const boot_cache_names[NR_SLAB_CACHES] = {
#define SLAB_CACHE_NAME(e, n) [SLAB_##e] = n,
	SLAB_CACHES(SLAB_CACHE_NAME)
#undef SLAB_CACHE_NAME
};

/* A bug in the caller (mmsim's, not the simulated kernel's): stop with the reason. */
static void slab_bug(const char *what, u64 obj)
{
	fprintf(stderr, "mmsim: BUG: %s (object 0x%llx)\n", what, (unsigned long long)obj);
	abort();
}

#define MIN_PARTIAL 5
#define MAX_PARTIAL 10

static unsigned ilog2_u32(u32 v)
{
	unsigned r = 0;
	while (v >>= 1)
		r++;
	return r;
}

static struct slab_state *slab_of(struct task *tsk)
{
	return tsk->sim->slab;
}

#define SLAB_CHUNK 1024

static struct slab *slab_by_id(const struct slab_state *ss, u32 id)
{
	return &ss->chunks[id / SLAB_CHUNK][id % SLAB_CHUNK];
}

static u32 slab_id(const struct slab_state *ss, const struct slab *sl)
{
	(void)ss;
	return sl->id;
}

static u32 slab_id_get(struct slab_state *ss)
{
	if (ss->free_ids != SLAB_NONE) {
		u32 id = ss->free_ids;
		ss->free_ids = slab_by_id(ss, id)->next;
		return id;
	}
	if (ss->nr_slab_ids == ss->nr_chunks * SLAB_CHUNK) {
		ss->chunks = xrealloc(ss->chunks, (ss->nr_chunks + 1) * sizeof(*ss->chunks));
		ss->chunks[ss->nr_chunks++] = xcalloc(SLAB_CHUNK, sizeof(struct slab));
	}
	return ss->nr_slab_ids++;
}

static void slab_id_put(struct slab_state *ss, u32 id)
{
	struct slab *sl = slab_by_id(ss, id);
	free(sl->freelist);
	free(sl->owners);
	memset(sl, 0, sizeof(*sl));
	sl->id = id;
	sl->pfn = PFN_NONE;
	sl->next = ss->free_ids;
	ss->free_ids = id;
}

/* ---- caches ---- */

struct kmem_cache *kmem_cache_create(struct sim *sim, const char *name, u32 object_size,
				     u32 size, unsigned order, unsigned flags)
{
	struct slab_state *ss = sim->slab;
	struct kmem_cache *s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->id = ss->nr_caches;
	s->size = size;
	s->object_size = object_size;
	s->order = (u8)order;
	/* calculate_order's fallback: the smallest order holding one object */
	unsigned mo = 0;
	while ((PAGE_SIZE << mo) < size)
		mo++;
	s->min_order = (u8)mo;
	s->oo_objects = (u16)((PAGE_SIZE << order) / size);
	s->min_objects = (u16)((PAGE_SIZE << mo) / size);
	s->flags = flags;
	s->allocflags = (flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0;
	if (order)
		s->allocflags |= __GFP_COMP;
	/* set_min_partial: half the log of the object size, clamped */
	s->min_partial = min(max(ilog2_u32(size) / 2, (unsigned)MIN_PARTIAL), (unsigned)MAX_PARTIAL);
	s->cpu_slab = xmalloc(ss->nr_cpus * sizeof(*s->cpu_slab));
	for (unsigned c = 0; c < ss->nr_cpus; c++)
		s->cpu_slab[c] = SLAB_NONE;
	s->node = xcalloc(ss->nr_nodes, sizeof(*s->node));
	for (unsigned n = 0; n < ss->nr_nodes; n++) {
		spin_lock_init(&s->node[n].list_lock, &list_lock_class);
		s->node[n].partial_head = s->node[n].partial_tail = SLAB_NONE;
	}
	ss->caches = xrealloc(ss->caches, (ss->nr_caches + 1) * sizeof(*ss->caches));
	ss->caches[ss->nr_caches++] = s;
	return s;
}

struct kmem_cache *kmem_cache_get(struct sim *sim, enum slab_cache_id id)
{
	return sim->slab->caches[id];
}

void kmem_cache_setup_defrag(struct kmem_cache *s, const struct kmem_defrag_ops *ops, void *arg)
{
	s->defrag = ops;
	s->defrag_arg = arg;
	s->flags |= SLAB_DEFRAG_CALLBACKS;
}

void slab_create(struct sim *sim)
{
	struct slab_state *ss = xcalloc(1, sizeof(*ss));
	ss->sim = sim;
	ss->nr_nodes = sim->phys->nr_nodes;
	ss->nr_cpus = sim->phys->nr_cpus;
	ss->free_ids = SLAB_NONE;
	sim->slab = ss;
	const struct scenario *scn = sim->scn;
	ss->account_users = scn->kernel.slab.account_users;
	ss->rcu_grace_ns = scn->kernel.slab.rcu_grace_ns;
	ss->defrag_object_ns = scn->kernel.slab.defrag_object_ns;
	ss->movable = scn->variants.slab_movable;
	for (unsigned i = 0; i < NR_SLAB_CACHES; i++) {
		const struct boot_cache *b = &boot_caches[i];
		struct kmem_cache *s =
			kmem_cache_create(sim, boot_cache_names[i], b->size, b->size, b->order, b->flags);
		/* seed 003: all = dentries, inodes and XArray nodes; xa_node = XArray nodes */
		bool movable = ss->movable == SLAB_MOVABLE_ALL ?
				       (i == SLAB_DENTRY || i == SLAB_EXT4_INODE ||
					i == SLAB_SHMEM_INODE || i == SLAB_RADIX_TREE_NODE) :
				       ss->movable == SLAB_MOVABLE_XA_NODE && i == SLAB_RADIX_TREE_NODE;
		if (movable)
			kmem_cache_setup_defrag(s, i == SLAB_RADIX_TREE_NODE ? &xa_node_move_ops :
									      &move_ops,
						s);
	}
}

void slab_destroy(struct slab_state *ss)
{
	if (!ss)
		return;
	for (u32 i = 0; i < ss->nr_slab_ids; i++) {
		free(slab_by_id(ss, i)->freelist);
		free(slab_by_id(ss, i)->owners);
	}
	free(ss->deferred);
	for (u32 i = 0; i < ss->nr_negs; i++)
		free(ss->negs[i].cell);
	free(ss->negs);
	for (u32 i = 0; i < ss->nr_dead_cells; i++)
		free(ss->dead_cells[i]);
	free(ss->dead_cells);
	for (u32 c = 0; c < ss->nr_chunks; c++)
		free(ss->chunks[c]);
	free(ss->chunks);
	for (unsigned i = 0; i < ss->nr_caches; i++) {
		free(ss->caches[i]->cpu_slab);
		free(ss->caches[i]->node);
		free(ss->caches[i]);
	}
	free(ss->caches);
	free(ss);
}

/* ---- slab lookup ---- */

struct slab *pfn_slab(struct sim *sim, u64 pfn)
{
	struct phys_mem *pm = sim->phys;
	if (!sim->slab || pfn >= pm->nr_pages)
		return NULL;
	const struct page_desc *p = pfn_to_page(pm, pfn);
	if (!(p->flags & PG_slab) || p->prev >= sim->slab->nr_slab_ids)
		return NULL;
	struct slab *sl = slab_by_id(sim->slab, p->prev);
	return sl->pfn == PFN_NONE ? NULL : sl;
}

struct kmem_cache *slab_cache(struct sim *sim, const struct slab *sl)
{
	return sim->slab->caches[sl->cache];
}

struct slab *obj_to_slab(struct sim *sim, u64 obj, unsigned *idx)
{
	if (obj < SLAB_PAGE_OFFSET)
		return NULL;
	struct slab *sl = pfn_slab(sim, slab_obj_pfn(obj));
	if (!sl)
		return NULL;
	u64 off = obj - SLAB_PAGE_OFFSET - (sl->pfn << PAGE_SHIFT);
	*idx = (unsigned)(off / sim->slab->caches[sl->cache]->size);
	return sl;
}

bool slab_obj_allocated(const struct slab *sl, unsigned idx)
{
	for (unsigned i = 0; i < sl->nr_free; i++)
		if (sl->freelist[i] == idx)
			return false;
	return idx < sl->objects;
}

static u64 obj_addr(const struct kmem_cache *s, const struct slab *sl, unsigned idx)
{
	return SLAB_PAGE_OFFSET + (sl->pfn << PAGE_SHIFT) + (u64)idx * s->size;
}

/* ---- node partial lists (n->list_lock held) ---- */

static void add_partial(struct slab_state *ss, struct kmem_cache_node *n, struct slab *sl,
			bool tail)
{
	u32 id = slab_id(ss, sl);
	sl->on_partial = true;
	if (n->partial_head == SLAB_NONE) {
		sl->next = sl->prev = SLAB_NONE;
		n->partial_head = n->partial_tail = id;
	} else if (tail) {
		sl->prev = n->partial_tail;
		sl->next = SLAB_NONE;
		slab_by_id(ss, n->partial_tail)->next = id;
		n->partial_tail = id;
	} else {
		sl->next = n->partial_head;
		sl->prev = SLAB_NONE;
		slab_by_id(ss, n->partial_head)->prev = id;
		n->partial_head = id;
	}
	n->nr_partial++;
	n->free_on_partial += sl->nr_free;
}

static void remove_partial(struct slab_state *ss, struct kmem_cache_node *n, struct slab *sl)
{
	if (sl->prev != SLAB_NONE)
		slab_by_id(ss, sl->prev)->next = sl->next;
	else
		n->partial_head = sl->next;
	if (sl->next != SLAB_NONE)
		slab_by_id(ss, sl->next)->prev = sl->prev;
	else
		n->partial_tail = sl->prev;
	sl->next = sl->prev = SLAB_NONE;
	sl->on_partial = false;
	n->nr_partial--;
	n->free_on_partial -= sl->nr_free;
}

/* ---- slab pages ---- */

static void account_slab(struct task *tsk, struct kmem_cache *s, struct slab *sl, int sign)
{
	mod_node_page_state(tsk, sl->nid,
			    (s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE_B :
								NR_SLAB_UNRECLAIMABLE_B,
			    sign * (s64)(1ULL << sl->order));
}

/* allocate_slab: the cache's order without reclaim or retry, then the minimum order with
 * the caller's flags. The new slab is frozen for the caller's CPU. */
static struct slab *new_slab(struct task *tsk, struct kmem_cache *s, gfp_t gfp)
{
	struct slab_state *ss = slab_of(tsk);
	struct phys_mem *pm = tsk->sim->phys;
	gfp_t flags = gfp | s->allocflags;
	unsigned order = s->order;
	u64 pfn = PFN_NONE;
	if (s->order > s->min_order) {
		gfp_t g = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_RECLAIM;
		pfn = alloc_pages_node(tsk, -1, g, order);
		if (pfn == PFN_NONE) {
			order = s->min_order;
			s->order_fallback++;
		}
	}
	if (pfn == PFN_NONE)
		pfn = alloc_pages_node(tsk, -1, order ? flags : flags & ~__GFP_COMP, order);
	if (pfn == PFN_NONE)
		return NULL;
	u32 id = slab_id_get(ss);
	struct slab *sl = slab_by_id(ss, id);
	memset(sl, 0, sizeof(*sl));
	sl->id = id;
	sl->pfn = pfn;
	sl->cache = s->id;
	sl->order = (u8)order;
	sl->nid = (u8)page_to_nid(pm, pfn);
	sl->objects = (u16)((PAGE_SIZE << order) / s->size);
	sl->next = sl->prev = SLAB_NONE;
	sl->freelist = xmalloc(sl->objects * sizeof(*sl->freelist));
	for (unsigned i = 0; i < sl->objects; i++)   /* index 0 is handed out first */
		sl->freelist[i] = (u16)(sl->objects - 1 - i);
	sl->nr_free = sl->objects;
	for (u64 i = 0; i < (1ULL << order); i++) {
		struct page_desc *p = pfn_to_page(pm, pfn + i);
		p->flags |= PG_slab;
		p->prev = id;
	}
	struct kmem_cache_node *n = &s->node[sl->nid];
	n->nr_slabs++;
	n->total_objects += sl->objects;
	account_slab(tsk, s, sl, 1);
	s->alloc_slab++;
	charge(tsk, tsk->sim->cost->page_alloc_ns);   /* setup_slab_debug/freelist init */
	return sl;
}

static void discard_slab(struct task *tsk, struct kmem_cache *s, struct slab *sl)
{
	struct slab_state *ss = slab_of(tsk);
	struct phys_mem *pm = tsk->sim->phys;
	struct kmem_cache_node *n = &s->node[sl->nid];
	n->nr_slabs--;
	n->total_objects -= sl->objects;
	account_slab(tsk, s, sl, -1);
	u64 pfn = sl->pfn;
	unsigned order = sl->order;
	for (u64 i = 0; i < (1ULL << order); i++) {
		struct page_desc *p = pfn_to_page(pm, pfn + i);
		p->flags &= ~PG_slab;
		p->prev = 0;
	}
	slab_id_put(ss, slab_id(ss, sl));
	s->free_slab++;
	__free_pages(tsk, pfn, order);
}

/* Under n->list_lock, decide from the slab's current state (another task may have freed
 * objects while this one waited for the lock): an empty slab goes when the node keeps
 * min_partial partial slabs (slab_empty); a slab with free objects on no list joins the
 * partial list at the tail. Returns true when the caller must discard_slab it (it is
 * off every list and frozen, so nobody else touches it). */
static bool settle_slab_locked(struct slab_state *ss, struct kmem_cache *s,
			       struct kmem_cache_node *n, struct slab *sl)
{
	if (sl->frozen)
		return false;
	if (sl->inuse == 0 && n->nr_partial >= s->min_partial) {
		if (sl->on_partial)
			remove_partial(ss, n, sl);
		sl->frozen = true;
		return true;
	}
	if (!sl->on_partial && sl->nr_free)
		add_partial(ss, n, sl, true);
	return false;
}

/* deactivate_slab: a CPU lets go of its slab. Full: on no list (a later free lists it).
 * Otherwise settled under the node's list_lock. */
static void deactivate_slab(struct task *tsk, struct kmem_cache *s, struct slab *sl)
{
	struct slab_state *ss = slab_of(tsk);
	struct kmem_cache_node *n = &s->node[sl->nid];
	u64 pfn = sl->pfn;
	sl->frozen = false;
	if (sl->nr_free == 0)
		return;
	spin_lock(tsk, &n->list_lock);
	bool discard = sl->pfn == pfn && settle_slab_locked(ss, s, n, sl);
	spin_unlock(tsk, &n->list_lock);
	if (discard)
		discard_slab(tsk, s, sl);
}

/* get_partial_node: the first partial slab of the node, taken off the list and frozen. */
static struct slab *get_partial_node(struct task *tsk, struct kmem_cache *s, unsigned nid)
{
	struct slab_state *ss = slab_of(tsk);
	struct kmem_cache_node *n = &s->node[nid];
	if (n->nr_partial == 0)   /* the kernel's unlocked check */
		return NULL;
	spin_lock(tsk, &n->list_lock);
	struct slab *sl = n->partial_head != SLAB_NONE ? slab_by_id(ss, n->partial_head) : NULL;
	if (sl) {
		remove_partial(ss, n, sl);
		sl->frozen = true;
	}
	spin_unlock(tsk, &n->list_lock);
	return sl;
}

static u64 take_object(struct kmem_cache *s, struct slab *sl)
{
	unsigned idx = sl->freelist[--sl->nr_free];
	sl->inuse++;
	return obj_addr(s, sl, idx);
}

u64 kmem_cache_alloc(struct task *tsk, struct kmem_cache *s, gfp_t gfp)
{
	struct slab_state *ss = slab_of(tsk);
	const struct cost_table *ct = tsk->sim->cost;
	u32 *c = &s->cpu_slab[tsk->cpu % ss->nr_cpus];
	charge(tsk, ct->atomic_local_ns);   /* this_cpu_cmpxchg_double of the fast path */
	if (*c != SLAB_NONE) {
		struct slab *sl = slab_by_id(ss, *c);
		if (sl->nr_free) {
			s->alloc_fastpath++;
			return take_object(s, sl);
		}
		/* full: the CPU lets go of it (a full slab is on no list) */
		deactivate_slab(tsk, s, sl);
		*c = SLAB_NONE;
	}
	s->alloc_slowpath++;
	struct slab *sl = get_partial_node(tsk, s, tsk->node);
	if (!sl) {
		/* get_any_partial: other nodes only with remote_node_defrag_ratio; not here */
		sl = new_slab(tsk, s, gfp);
		if (!sl)
			return 0;
		sl->frozen = true;
	}
	/* the task may have blocked in the allocator: another allocation on this CPU may
	 * have installed a slab meanwhile. Take our object, install our slab, then let go
	 * of the other one: it is no longer the CPU's slab while deactivate_slab may block,
	 * so no fast path takes an object from it once it is back on the partial list. */
	u64 obj = take_object(s, sl);
	u32 old = *c;
	*c = slab_id(ss, sl);
	if (old != SLAB_NONE)
		deactivate_slab(tsk, s, slab_by_id(ss, old));
	return obj;
}

void kmem_cache_free(struct task *tsk, struct kmem_cache *s, u64 obj)
{
	struct slab_state *ss = slab_of(tsk);
	unsigned idx;
	struct slab *sl = obj_to_slab(tsk->sim, obj, &idx);
	if (!sl || sl->cache != s->id || !slab_obj_allocated(sl, idx))
		slab_bug("kmem_cache_free of an object not allocated from this cache", obj);
	charge(tsk, tsk->sim->cost->atomic_local_ns);
	bool was_full = sl->nr_free == 0;
	sl->freelist[sl->nr_free++] = (u16)idx;
	sl->inuse--;
	if (sl->owners)
		sl->owners[idx] = (struct slab_owner){ NULL, NULL, false };
	if (sl->frozen) {
		/* a CPU's slab (or one being defragmented): lockless */
		if (s->cpu_slab[tsk->cpu % ss->nr_cpus] == slab_id(ss, sl))
			s->free_fastpath++;
		else
			s->free_slowpath++;
		return;
	}
	s->free_slowpath++;
	struct kmem_cache_node *n = &s->node[sl->nid];
	if (sl->on_partial)
		n->free_on_partial++;
	if (sl->inuse && !was_full)
		return;   /* stays partial: no lock */
	u64 pfn = sl->pfn;
	spin_lock(tsk, &n->list_lock);
	bool discard = sl->pfn == pfn && settle_slab_locked(ss, s, n, sl);
	spin_unlock(tsk, &n->list_lock);
	if (discard)
		discard_slab(tsk, s, sl);
}

u64 kmalloc(struct task *tsk, size_t size, gfp_t gfp)
{
	static const struct {
		u32 size;
		enum slab_cache_id id;
	} classes[] = {
		{ 8, SLAB_KMALLOC_8 },       { 16, SLAB_KMALLOC_16 },   { 32, SLAB_KMALLOC_32 },
		{ 64, SLAB_KMALLOC_64 },     { 96, SLAB_KMALLOC_96 },   { 128, SLAB_KMALLOC_128 },
		{ 192, SLAB_KMALLOC_192 },   { 256, SLAB_KMALLOC_256 }, { 512, SLAB_KMALLOC_512 },
		{ 1024, SLAB_KMALLOC_1K },   { 2048, SLAB_KMALLOC_2K }, { 4096, SLAB_KMALLOC_4K },
		{ 8192, SLAB_KMALLOC_8K },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(classes); i++)
		if (size <= classes[i].size)
			return kmem_cache_alloc(tsk, kmem_cache_get(tsk->sim, classes[i].id), gfp);
	return 0;
}

void kfree(struct task *tsk, u64 obj)
{
	if (!obj)
		return;
	unsigned idx;
	struct slab *sl = obj_to_slab(tsk->sim, obj, &idx);
	if (!sl)
		slab_bug("kfree of an address outside any slab", obj);
	kmem_cache_free(tsk, slab_cache(tsk->sim, sl), obj);
}

/* flush_all + __kmem_cache_do_shrink: every CPU slab is deactivated, then every empty
 * partial slab is freed whatever min_partial says. */
u64 kmem_cache_shrink(struct task *tsk, struct kmem_cache *s)
{
	struct slab_state *ss = slab_of(tsk);
	u64 before = s->free_slab;
	for (unsigned c = 0; c < ss->nr_cpus; c++) {
		u32 id = s->cpu_slab[c];
		if (id == SLAB_NONE)
			continue;
		s->cpu_slab[c] = SLAB_NONE;
		deactivate_slab(tsk, s, slab_by_id(ss, id));
	}
	for (unsigned nid = 0; nid < ss->nr_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		spin_lock(tsk, &n->list_lock);
		u32 empties = SLAB_NONE;   /* chained through next after removal */
		for (u32 id = n->partial_head; id != SLAB_NONE;) {
			struct slab *sl = slab_by_id(ss, id);
			u32 next = sl->next;
			if (sl->inuse == 0 && !sl->frozen) {
				remove_partial(ss, n, sl);
				sl->frozen = true;
				sl->next = empties;
				empties = id;
			}
			id = next;
		}
		spin_unlock(tsk, &n->list_lock);
		while (empties != SLAB_NONE) {
			struct slab *sl = slab_by_id(ss, empties);
			empties = sl->next;
			discard_slab(tsk, s, sl);
		}
	}
	return s->free_slab - before;
}

/* ---- defragmentation (seed 003's two-phase design) ---- */

/* Freeze a slab for defragmentation: taken from any CPU (flush_all's job) and off the
 * partial list under list_lock; nothing is allocated from it until it is unfrozen. False
 * when it is gone or another defragmenter has it. */
static bool defrag_freeze(struct task *tsk, struct kmem_cache *s, struct slab *sl)
{
	struct slab_state *ss = slab_of(tsk);
	u64 spfn = sl->pfn;
	for (unsigned c = 0; c < ss->nr_cpus; c++) {
		if (s->cpu_slab[c] == sl->id) {
			s->cpu_slab[c] = SLAB_NONE;
			sl->frozen = false;
		}
	}
	struct kmem_cache_node *n = &s->node[sl->nid];
	spin_lock(tsk, &n->list_lock);
	bool ok = sl->pfn == spfn && !sl->frozen;
	if (ok) {
		if (sl->on_partial)
			remove_partial(ss, n, sl);
		sl->frozen = true;
	}
	spin_unlock(tsk, &n->list_lock);
	return ok;
}

/* Unfreeze: an empty slab goes back to the buddy allocator (1), otherwise it returns to
 * the head of the partial list (refill it first) (0). */
static int defrag_unfreeze(struct task *tsk, struct kmem_cache *s, struct slab *sl)
{
	struct slab_state *ss = slab_of(tsk);
	struct kmem_cache_node *n = &s->node[sl->nid];
	spin_lock(tsk, &n->list_lock);
	if (sl->inuse == 0) {
		spin_unlock(tsk, &n->list_lock);
		discard_slab(tsk, s, sl);   /* still frozen: nobody else touches it */
		s->defrag_freed_slabs++;
		return 1;
	}
	sl->frozen = false;
	if (sl->nr_free)
		add_partial(ss, n, sl, false);
	spin_unlock(tsk, &n->list_lock);
	return 0;
}

/* Phases 1 and 2 on a frozen slab; true when phase 1 accepted and objects were handed to
 * phase 2. With wait_grace, then waits the RCU grace period (else the caller does, once
 * for a batch). */
static bool defrag_frozen(struct task *tsk, struct kmem_cache *s, struct slab *sl, bool wait_grace)
{
	struct slab_state *ss = slab_of(tsk);
	struct kmem_cache_node *n = &s->node[sl->nid];
	s->defrag_attempts++;
	spin_lock(tsk, &n->list_lock);   /* the slab lock of phase 1 */
	unsigned nr = 0;
	u64 *objs = xmalloc(sl->objects * sizeof(*objs));
	for (unsigned i = 0; i < sl->objects; i++)
		if (slab_obj_allocated(sl, i))
			objs[nr++] = obj_addr(s, sl, i);
	charge(tsk, (u64)nr * tsk->sim->cost->atomic_local_ns);   /* a reference per object */
	bool ok = nr == 0 || s->defrag->can_free(s->defrag_arg, tsk, objs, nr);
	spin_unlock(tsk, &n->list_lock);
	if (ok && nr) {
		s->defrag_objects += nr;
		s->defrag->reclaim(s->defrag_arg, tsk, objs, nr);
		/* the old objects were RCU-freed: their memory (and the page) is reused only
		 * after a grace period, which the defragmenter waits for (rcu_barrier) */
		if (wait_grace)
			charge_idle(tsk, ss->rcu_grace_ns);
	}
	free(objs);
	if (!ok)
		s->defrag_refused++;
	return ok && nr;
}

int kmem_cache_defrag_slab(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct slab *sl = pfn_slab(sim, pfn);
	if (!sl)
		return -1;
	struct kmem_cache *s = slab_cache(sim, sl);
	if (!s->defrag)
		return -1;
	if (!defrag_freeze(tsk, s, sl)) {
		s->defrag_attempts++;
		s->defrag_refused++;
		return 0;
	}
	defrag_frozen(tsk, s, sl, true);
	return defrag_unfreeze(tsk, s, sl);
}

/* ---- the generic move callbacks (objects with a recorded owner) ---- */

void slab_set_owner(struct sim *sim, u64 obj, u64 *ref, spinlock_t *lock)
{
	unsigned idx;
	struct slab *sl = obj ? obj_to_slab(sim, obj, &idx) : NULL;
	if (!sl)
		return;
	if (!sl->owners) {
		if (!ref)
			return;
		sl->owners = xcalloc(sl->objects, sizeof(*sl->owners));
	}
	sl->owners[idx] = (struct slab_owner){ ref, ref ? lock : NULL, false };
}

void slab_set_owner_reclaimable(struct sim *sim, u64 obj, u64 *ref)
{
	unsigned idx;
	slab_set_owner(sim, obj, ref, NULL);
	struct slab *sl = obj ? obj_to_slab(sim, obj, &idx) : NULL;
	if (sl && sl->owners && ref)
		sl->owners[idx].reclaimable = true;
}

/* Phase 1: every object is in place (has an owner) and not busy (its owner's lock is
 * free). Taking the reference is the owner record itself: the owner cannot free the
 * object without clearing it, which phase 2 rechecks. */
static bool move_can_free(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	(void)arg;
	for (unsigned i = 0; i < nr; i++) {
		unsigned idx;
		struct slab *sl = obj_to_slab(tsk->sim, objs[i], &idx);
		if (!sl || !sl->owners || !sl->owners[idx].ref)
			return false;   /* allocated, not yet in place (xa_node: array NULL) */
		if (sl->owners[idx].lock && spin_is_locked(sl->owners[idx].lock))
			return false;   /* under modification */
	}
	return true;
}

/* Phase 2: allocate the replacement (no reclaim: we run inside compaction), take the
 * owner's lock, copy and repoint, unlock, free the old object (RCU). */
static void move_reclaim(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	struct kmem_cache *s = arg;
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	for (unsigned i = 0; i < nr; i++) {
		unsigned idx;
		struct slab *sl = obj_to_slab(sim, objs[i], &idx);
		if (!sl || !slab_obj_allocated(sl, idx) || !sl->owners || !sl->owners[idx].ref)
			continue;   /* its owner let it go meanwhile */
		if (sl->owners[idx].reclaimable) {
			/* reclaim rather than move (a negative dentry: d_invalidate) */
			charge(tsk, ss->defrag_object_ns);
			*sl->owners[idx].ref = 0;
			kmem_cache_free(tsk, s, objs[i]);
			ss->defrag_reclaimed++;
			continue;
		}
		u64 new = kmem_cache_alloc(tsk, s, GFP_NOWAIT | __GFP_NOWARN);
		if (!new) {
			ss->defrag_move_failed++;
			continue;
		}
		struct slab_owner o = sl->owners[idx];
		if (o.lock)
			spin_lock(tsk, o.lock);
		if (!slab_obj_allocated(sl, idx) || sl->owners[idx].ref != o.ref) {
			if (o.lock)
				spin_unlock(tsk, o.lock);
			kmem_cache_free(tsk, s, new);
			continue;
		}
		charge(tsk, ss->defrag_object_ns);
		*o.ref = new;
		slab_set_owner(sim, new, o.ref, o.lock);
		sl->owners[idx] = (struct slab_owner){ NULL, NULL, false };
		if (o.lock)
			spin_unlock(tsk, o.lock);
		kmem_cache_free(tsk, s, objs[i]);
		ss->defrag_moved++;
	}
}

static const struct kmem_defrag_ops move_ops = { move_can_free, move_reclaim };

/* ---- XArray nodes (radix_tree_node) ---- */

/* A leaf whose used slots all hold shadow entries: on the workingset shadow LRU
 * (workingset_update_node puts it there). */
bool xa_node_shadow_only(const struct xa_node *n)
{
	if (n->shift || !n->count)
		return false;
	for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
		if (n->entry[i] && !xa_is_value(n->entry[i]))
			return false;
	return true;
}

/* Linked into its tree (node->array set and reachable from the parent or the head). */
static bool xa_node_in_tree(const struct xa_node *n)
{
	if (!n->array)
		return false;
	return n->parent ? n->parent->child[n->offset] == n : n->array->head == n;
}

static struct xa_node *xa_node_of(const struct slab *sl, unsigned idx)
{
	return container_of(sl->owners[idx].ref, struct xa_node, slab_obj);
}

/* Phase 1 for XArray nodes (Wilcox's rules): a node not yet linked into a tree (array
 * NULL in the kernel) or on the shadow LRU (its list lock cannot be taken here) refuses
 * the whole slab, as does one whose xa_lock is held (under modification). */
static bool xa_node_can_free(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	if (!move_can_free(arg, tsk, objs, nr))
		return false;
	struct slab_state *ss = tsk->sim->slab;
	for (unsigned i = 0; i < nr; i++) {
		unsigned idx;
		struct slab *sl = obj_to_slab(tsk->sim, objs[i], &idx);
		const struct xa_node *n = xa_node_of(sl, idx);
		if (!xa_node_in_tree(n)) {
			ss->xa_refused_not_in_tree++;
			return false;
		}
		if (xa_node_shadow_only(n)) {
			ss->xa_refused_shadow++;
			return false;
		}
	}
	return true;
}

/* Phase 2 for XArray nodes: move_reclaim's allocate, xa_lock, copy, repoint and RCU free,
 * plus the reparenting of the node's children (one store each) and the RCU-safe store
 * of the new node in its parent's slot. */
static void xa_node_reclaim(void *arg, struct task *tsk, const u64 *objs, unsigned nr)
{
	u64 before = tsk->sim->slab->defrag_moved;
	unsigned children = 0;
	for (unsigned i = 0; i < nr; i++) {
		unsigned idx;
		struct slab *sl = obj_to_slab(tsk->sim, objs[i], &idx);
		if (sl && sl->owners && sl->owners[idx].ref) {
			const struct xa_node *n = xa_node_of(sl, idx);
			children += n->shift ? n->count : 0;
		}
	}
	move_reclaim(arg, tsk, objs, nr);
	if (tsk->sim->slab->defrag_moved > before)
		charge(tsk, (u64)(children + 1) * tsk->sim->cost->atomic_local_ns);
	tsk->sim->slab->xa_nodes_moved += tsk->sim->slab->defrag_moved - before;
}

static const struct kmem_defrag_ops xa_node_move_ops = { xa_node_can_free, xa_node_reclaim };

void slab_xa_node_alloc(struct task *tsk, struct xa_node *n)
{
	if (!tsk || !tsk->sim->slab || !tsk->sim->slab->account_users)
		return;
	/* under the xa_lock: no reclaim (xas_nomem's GFP_KERNEL retry is not modelled) */
	n->slab_obj = kmem_cache_alloc(tsk, kmem_cache_get(tsk->sim, SLAB_RADIX_TREE_NODE),
				       GFP_NOWAIT | __GFP_NOWARN);
	if (!n->slab_obj)
		return;
	struct inode *inode = container_of(n->array, struct inode, i_pages);
	/* only the XArray has its own lock to move nodes under; the tree_lock era's radix
	 * tree (variants.pagecache.lookup: tree_lock) left locking to its callers: no owner,
	 * so phase 1 refuses its nodes */
	if (tsk->sim->scn->variants.pagecache_lookup != PAGECACHE_LOOKUP_TREE_LOCK)
		slab_set_owner(tsk->sim, n->slab_obj, &n->slab_obj, &inode->i_pages_lock);
}

void slab_xa_node_free(struct sim *sim, struct task *tsk, struct xa_node *n)
{
	if (!n->slab_obj)
		return;
	if (!tsk) {
		/* freed outside a task (teardown): the object stays, but no longer owned */
		slab_set_owner(sim, n->slab_obj, NULL, NULL);
		n->slab_obj = 0;
		return;
	}
	kmem_cache_free(tsk, kmem_cache_get(sim, SLAB_RADIX_TREE_NODE), n->slab_obj);
	n->slab_obj = 0;
}

static unsigned defrag_pageblock(struct task *tsk, u64 block_pfn);

unsigned slab_defrag_pageblock(struct task *tsk, u64 block_pfn)
{
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	if (!ss || ss->movable == SLAB_MOVABLE_NONE)
		return 0;
	u64 cpu0 = tsk->cpu_ns;
	unsigned freed = defrag_pageblock(tsk, block_pfn);
	ss->defrag_cpu_ns += tsk->cpu_ns - cpu0;
	return freed;
}

/* slab_defrag_pageblock's work, its CPU time measured by the caller. */
static unsigned defrag_pageblock(struct task *tsk, u64 block_pfn)
{
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	struct phys_mem *pm = sim->phys;
	u64 start = block_pfn & ~(u64)(pageblock_nr_pages - 1);
	u64 end = min(start + pageblock_nr_pages, pm->nr_pages);
	u64 heads[pageblock_nr_pages];
	unsigned nr = 0;
	pfn_range_materialise(pm, start, end);
	for (u64 pfn = start; pfn < end; pfn++) {
		const struct page_desc *p = pfn_to_page(pm, pfn);
		if (p->flags & PG_buddy) {
			pfn += (1ULL << page_order(p)) - 1;
			continue;
		}
		if (p->flags & PG_slab) {
			const struct slab *sl = pfn_slab(sim, pfn);
			if (!sl || !slab_cache(sim, sl)->defrag)
				return 0;   /* a slab page that cannot be emptied: not worth it */
			if (sl->pfn == pfn)
				heads[nr++] = pfn;
			continue;
		}
		if (!p->refcount)
			continue;   /* free on a pcp list */
		if (!(p->flags & (PG_lru | PG_movable)))
			return 0;   /* an unmovable page pins the block anyway */
	}
	if (!nr)
		return 0;
	/* Room elsewhere: the objects must fit in free slots of partial slabs outside the
	 * block, or moving them would only refill the block (the free pages next to them
	 * are what a new slab would get). */
	u64 *need = xcalloc((size_t)ss->nr_caches * ss->nr_nodes * 2, sizeof(u64));
	for (unsigned i = 0; i < nr; i++) {
		const struct slab *sl = pfn_slab(sim, heads[i]);
		u64 *a = &need[((size_t)sl->cache * ss->nr_nodes + sl->nid) * 2];
		a[0] += sl->inuse;
		for (unsigned k = 0; sl->owners && k < sl->objects; k++)
			if (sl->owners[k].ref && sl->owners[k].reclaimable)
				a[0]--;   /* freed, not moved: needs no room */
		if (sl->on_partial)
			a[1] += sl->nr_free;
	}
	bool room = true;
	for (unsigned c = 0; c < ss->nr_caches && room; c++)
		for (unsigned nid = 0; nid < ss->nr_nodes; nid++) {
			const u64 *a = &need[((size_t)c * ss->nr_nodes + nid) * 2];
			if (a[0] > ss->caches[c]->node[nid].free_on_partial - a[1])
				room = false;
		}
	free(need);
	if (!room) {
		ss->defrag_no_room++;
		return 0;
	}
	ss->defrag_blocks++;
	/* freeze every slab of the block first: none of them is a target for the moves */
	bool frozen[pageblock_nr_pages];
	for (unsigned i = 0; i < nr; i++) {
		struct slab *sl = pfn_slab(sim, heads[i]);
		frozen[i] = sl && defrag_freeze(tsk, slab_cache(sim, sl), sl);
	}
	unsigned freed = 0;
	bool moved = false;
	for (unsigned i = 0; i < nr; i++)
		if (frozen[i])
			moved |= defrag_frozen(tsk, slab_cache(sim, pfn_slab(sim, heads[i])),
					       pfn_slab(sim, heads[i]), false);
	/* one grace period for the block: the old objects' memory is reused after it */
	if (moved)
		charge_idle(tsk, ss->rcu_grace_ns);
	for (unsigned i = 0; i < nr; i++)
		if (frozen[i])
			freed += (unsigned)defrag_unfreeze(tsk, slab_cache(sim, pfn_slab(sim, heads[i])),
							   pfn_slab(sim, heads[i]));
	if (freed == nr)
		ss->defrag_blocks_freed++;
	return freed;
}

/* ---- users ---- */

void slab_user_free_deferred(struct sim *sim, enum slab_cache_id id, u64 obj)
{
	struct slab_state *ss = sim->slab;
	if (!obj || !ss)
		return;
	if (ss->nr_deferred == ss->cap_deferred) {
		ss->cap_deferred = ss->cap_deferred ? 2 * ss->cap_deferred : 16;
		ss->deferred = xrealloc(ss->deferred, ss->cap_deferred * sizeof(*ss->deferred));
	}
	ss->deferred[ss->nr_deferred++] = (struct slab_deferred){ obj, id };
}

/* The frees queued outside a task, oldest first. */
static void slab_drain_deferred(struct task *tsk)
{
	struct slab_state *ss = tsk->sim->slab;
	for (u32 i = 0; i < ss->nr_deferred; i++) {
		struct slab_deferred d = ss->deferred[i];
		kmem_cache_free(tsk, kmem_cache_get(tsk->sim, d.id), d.obj);
	}
	ss->nr_deferred = 0;
}

u64 slab_user_alloc(struct task *tsk, enum slab_cache_id id)
{
	if (!tsk || !tsk->sim->slab || !tsk->sim->slab->account_users)
		return 0;
	if (tsk->sim->slab->nr_deferred)
		slab_drain_deferred(tsk);
	return kmem_cache_alloc(tsk, kmem_cache_get(tsk->sim, id), GFP_KERNEL);
}

void slab_user_free(struct task *tsk, enum slab_cache_id id, u64 obj)
{
	if (!tsk || !obj)
		return;
	if (tsk->sim->slab->nr_deferred)
		slab_drain_deferred(tsk);
	kmem_cache_free(tsk, kmem_cache_get(tsk->sim, id), obj);
}

void slab_inode_attach(struct task *tsk, struct inode *inode)
{
	if (!tsk || !tsk->sim->slab || !tsk->sim->slab->account_users || inode->hugetlb ||
	    inode->slab_inode)
		return;
	inode->slab_dentry = slab_user_alloc(tsk, SLAB_DENTRY);
	inode->slab_inode = slab_user_alloc(tsk, inode->shmem ? SLAB_SHMEM_INODE : SLAB_EXT4_INODE);
	slab_set_owner(tsk->sim, inode->slab_dentry, &inode->slab_dentry, &inode->i_pages_lock);
	slab_set_owner(tsk->sim, inode->slab_inode, &inode->slab_inode, &inode->i_pages_lock);
}

void slab_inode_detach(struct task *tsk, struct inode *inode)
{
	if (!tsk)
		return;
	slab_user_free(tsk, SLAB_DENTRY, inode->slab_dentry);
	slab_user_free(tsk, inode->shmem ? SLAB_SHMEM_INODE : SLAB_EXT4_INODE, inode->slab_inode);
	inode->slab_dentry = inode->slab_inode = 0;
}

/* ---- the dentry/inode shrinker ---- */

void dcache_lru_add(struct sim *sim, struct inode *inode)
{
	if (sim->slab)
		inode->lru_seq = ++sim->slab->lru_seq;
}

void slab_dentry_unlink(struct task *tsk, struct inode *inode)
{
	struct slab_state *ss = tsk->sim->slab;
	if (!ss || !inode->slab_dentry || inode->refs != 1)
		return;
	if (ss->nr_negs == ss->cap_negs) {
		ss->cap_negs = ss->cap_negs ? 2 * ss->cap_negs : 64;
		ss->negs = xrealloc(ss->negs, ss->cap_negs * sizeof(*ss->negs));
	}
	u64 *cell = xmalloc(sizeof(*cell));
	*cell = inode->slab_dentry;
	inode->slab_dentry = 0;
	ss->negs[ss->nr_negs++] = (struct neg_dentry){ cell, ++ss->lru_seq };
	slab_set_owner_reclaimable(tsk->sim, *cell, cell);   /* defragmentation frees it */
}

/* Drop the records of pruned negative dentries (their cells stay allocated: a reclaimer
 * that blocked may still hold one). */
static void negs_compact(struct slab_state *ss)
{
	u32 k = 0;
	for (u32 i = 0; i < ss->nr_negs; i++) {
		if (*ss->negs[i].cell) {
			ss->negs[k++] = ss->negs[i];
			continue;
		}
		if (ss->nr_dead_cells == ss->cap_dead_cells) {
			ss->cap_dead_cells = ss->cap_dead_cells ? 2 * ss->cap_dead_cells : 64;
			ss->dead_cells = xrealloc(ss->dead_cells,
						  ss->cap_dead_cells * sizeof(*ss->dead_cells));
		}
		ss->dead_cells[ss->nr_dead_cells++] = ss->negs[i].cell;
	}
	ss->nr_negs = k;
}

/* Negative dentries of node nid (by their object's slab), oldest first. */
static unsigned collect_negs(struct sim *sim, unsigned nid, struct neg_dentry **out)
{
	struct slab_state *ss = sim->slab;
	negs_compact(ss);
	struct neg_dentry *v = xmalloc((ss->nr_negs + 1) * sizeof(*v));
	unsigned n = 0;
	for (u32 i = 0; i < ss->nr_negs; i++) {
		const struct slab *sl = pfn_slab(sim, slab_obj_pfn(*ss->negs[i].cell));
		if (sl && sl->nid == nid)
			v[n++] = ss->negs[i];
	}
	*out = v;
	return n;   /* negs[] is in LRU order: appended with increasing seq */
}

static bool file_unused(const struct inode *in)
{
	return in && !in->shmem && !in->hugetlb && !in->unlinked && in->refs == 1 && in->slab_inode;
}

static int cmp_lru(const void *a, const void *b)
{
	const struct inode *x = *(const struct inode *const *)a, *y = *(const struct inode *const *)b;
	return x->lru_seq < y->lru_seq ? -1 : x->lru_seq > y->lru_seq;
}

/* The unused files of node nid's LRUs (dentries cached, or inode only), oldest first.
 * The node of a file's objects is the node of its inode object's slab. */
static unsigned collect_unused(struct sim *sim, unsigned nid, bool dentries, struct inode ***out)
{
	u32 nr = file_table_nr(sim->files);
	struct inode **v = xmalloc((nr + 1) * sizeof(*v));
	unsigned n = 0;
	for (u32 i = 0; i < nr; i++) {
		struct inode *in = file_inode_by_id(sim, i);
		if (!file_unused(in) || (in->slab_dentry != 0) != dentries)
			continue;
		const struct slab *sl = pfn_slab(sim, slab_obj_pfn(in->slab_inode));
		if (sl && sl->nid == nid)
			v[n++] = in;
	}
	qsort(v, n, sizeof(*v), cmp_lru);
	*out = v;
	return n;
}

/* super_cache_scan: split nr_to_scan between the two LRUs in proportion, prune the
 * dentries first (their inodes join the inode LRU), then the inodes. */
static u64 super_cache_scan(struct task *tsk, unsigned nid, u64 nr_to_scan, u64 nd, u64 ni)
{
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	u64 total = nd + ni + 1;
	u64 dentries = nr_to_scan * nd / total, inodes = nr_to_scan * ni / total;
	u64 freed = 0;
	struct inode **v;
	/* the lists are taken by inode id and each entry rechecked: freeing may block (a
	 * lock, the page cache's truncation), and meanwhile another reclaimer (kswapd and a
	 * direct reclaimer) may prune the same files, or their owner unlink them */
	unsigned n = collect_unused(sim, nid, true, &v);
	u32 *ids = xmalloc((n + 1) * sizeof(*ids));
	u64 *seqs = xmalloc((n + 1) * sizeof(*seqs));
	for (unsigned i = 0; i < n; i++) {
		ids[i] = v[i]->id;
		seqs[i] = v[i]->lru_seq;
	}
	free(v);
	struct neg_dentry *neg;
	unsigned nn = collect_negs(sim, nid, &neg);
	/* the dentry LRU: unused files' dentries and negative dentries, oldest first */
	for (unsigned i = 0, j = 0, done = 0; (i < n || j < nn) && done < dentries + 1; done++) {
		if (j < nn && (i == n || neg[j].seq < seqs[i])) {
			u64 *cell = neg[j++].cell;
			if (!*cell)
				continue;
			u64 d = *cell;
			*cell = 0;
			slab_user_free(tsk, SLAB_DENTRY, d);
			ss->dentries_pruned++;
			ss->negative_dentries_pruned++;
			freed++;
			continue;
		}
		struct inode *in = file_inode_by_id(sim, ids[i++]);
		if (!file_unused(in) || !in->slab_dentry)
			continue;
		u64 d = in->slab_dentry;
		in->slab_dentry = 0;
		slab_user_free(tsk, SLAB_DENTRY, d);   /* dentry_kill */
		dcache_lru_add(sim, in);   /* iput_final: the inode joins the inode LRU */
		ss->dentries_pruned++;
		freed++;
	}
	free(neg);
	free(seqs);
	free(ids);
	n = collect_unused(sim, nid, false, &v);
	ids = xmalloc((n + 1) * sizeof(*ids));
	for (unsigned i = 0; i < n; i++)
		ids[i] = v[i]->id;
	free(v);
	for (unsigned i = 0; i < n && i < inodes + 1; i++) {
		/* evict: the page cache and the in-memory inode go; the file (struct inode:
		 * path, size) stays, and a later open makes its dentry and inode anew */
		struct inode *in = file_inode_by_id(sim, ids[i]);
		if (!file_unused(in) || in->slab_dentry)
			continue;
		u64 io = in->slab_inode;
		in->slab_inode = 0;   /* taken: no other reclaimer evicts it meanwhile */
		if (in->nr_pages)
			truncate_inode_pages_range(tsk, in, 0, UINT64_MAX);
		slab_user_free(tsk, SLAB_EXT4_INODE, io);
		ss->inodes_pruned++;
		freed++;
	}
	free(ids);
	return freed;
}

#define DEFAULT_SEEKS 2
#define SUPER_SHRINK_BATCH 1024
#define SHRINK_BATCH 128

/* ---- the workingset shadow-node shrinker (mm/workingset.c) ---- */

struct shadow_ref {
	u32 inode;                         /* file id */
	u64 index;                         /* first index the leaf covers */
};

static void collect_shadow_leaves(const struct xa_node *n, u64 base, u32 id, unsigned nid,
				  struct shadow_ref **v, u32 *nr, u32 *cap)
{
	if (!n->shift) {
		if (n->nid != nid || !xa_node_shadow_only(n))
			return;
		if (*nr == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[(*nr)++] = (struct shadow_ref){ id, base };
		return;
	}
	for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
		if (n->child[i])
			collect_shadow_leaves(n->child[i], base + ((u64)i << n->shift), id, nid, v,
					      nr, cap);
}

/* The shadow nodes of node nid (leaves allocated there holding only shadow entries: the
 * kernel's shadow_nodes list_lru), by file and index (the list's order, when each became
 * shadow-only, is not kept). */
static u32 collect_shadow_nodes(struct sim *sim, unsigned nid, struct shadow_ref **out)
{
	u32 nr = 0, cap = 0;
	*out = NULL;
	for (u32 i = 0; sim->files && i < file_table_nr(sim->files); i++) {
		const struct inode *in = file_inode_by_id(sim, i);
		if (in && !in->hugetlb && in->i_pages.head)
			collect_shadow_leaves(in->i_pages.head, 0, i, nid, out, &nr, &cap);
	}
	return nr;
}

/* The leaf covering index of the file's tree, or NULL. */
static const struct xa_node *leaf_of(const struct inode *in, u64 index)
{
	const struct xa_node *n = in->i_pages.head;
	if (!n || index > ((u64)XA_CHUNK_SIZE << n->shift) - 1)
		return NULL;
	while (n && n->shift)
		n = n->child[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];
	return n;
}

/* shadow_lru_isolate: under the mapping's lock, taken with a trylock (the list lock is
 * held in the kernel: a contended mapping is skipped), a node still holding only shadows
 * loses them all and is freed. True when freed. */
static bool shadow_node_reclaim(struct task *tsk, const struct shadow_ref *r)
{
	struct sim *sim = tsk->sim;
	struct inode *in = file_inode_by_id(sim, r->inode);
	if (!in)
		return false;
	bool tree = sim->scn->variants.pagecache_lookup == PAGECACHE_LOOKUP_TREE_LOCK;
	if (tree ? !write_trylock(tsk, &in->tree_lock) : !spin_trylock(tsk, &in->i_pages_lock))
		return false;
	const struct xa_node *n = leaf_of(in, r->index);
	bool ok = n && xa_node_shadow_only(n);
	if (ok) {
		for (unsigned i = 0; i < XA_CHUNK_SIZE; i++) {
			u64 idx = r->index + i;
			u64 e = xa_load(&in->i_pages, idx, NULL);
			if (e)
				xa_store_by(tsk, &in->i_pages, idx, 0, 0);
		}
		charge(tsk, XA_CHUNK_SIZE * sim->cost->atomic_local_ns);
	}
	if (tree)
		write_unlock(tsk, &in->tree_lock);
	else
		spin_unlock(tsk, &in->i_pages_lock);
	return ok;
}

/* count_shadow_nodes and do_shrink_slab for a shrinker with seeks 0: nodes beyond
 * max_nodes = present pages >> (XA_CHUNK_SHIFT - 3) are freeable, half of them scanned
 * (at most twice the freeable), in batches of 128. */
static u64 shrink_shadow_nodes(struct task *tsk, unsigned nid)
{
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	struct shadow_ref *v;
	u32 nodes = collect_shadow_nodes(sim, nid, &v);
	u64 max_nodes = node_present_pages(sim->phys, nid) >> (XA_CHUNK_SHIFT - 3);
	u64 freed = 0;
	if (nodes > max_nodes) {
		u64 freeable = nodes - max_nodes;
		u64 total_scan = min(freeable / 2, 2 * freeable);
		ss->shadow_shrinker_calls++;
		for (u64 i = 0; i < total_scan && i < nodes; i++) {
			if (shadow_node_reclaim(tsk, &v[i])) {
				ss->shadow_nodes_reclaimed++;
				freed++;
			}
			if ((i + 1) % SHRINK_BATCH == 0)
				count_vm_events(tsk, SLABS_SCANNED, SHRINK_BATCH);
		}
		count_vm_events(tsk, SLABS_SCANNED, min(total_scan, (u64)nodes) % SHRINK_BATCH);
	}
	free(v);
	return freed;
}

u64 shrink_slab(struct task *tsk, unsigned nid, int priority, u64 *slab_pages)
{
	struct sim *sim = tsk->sim;
	struct slab_state *ss = sim->slab;
	if (slab_pages)
		*slab_pages = 0;
	if (!ss || !sim->files)
		return 0;
	/* the workingset shadow-node shrinker runs whether slab users are accounted or not */
	u64 shadow_freed = shrink_shadow_nodes(tsk, nid);
	if (!ss->account_users)
		return shadow_freed;
	if (ss->nr_deferred)
		slab_drain_deferred(tsk);
	s64 before = node_page_state(sim->vmstat, nid, NR_SLAB_RECLAIMABLE_B) +
		     node_page_state(sim->vmstat, nid, NR_SLAB_UNRECLAIMABLE_B);
	u64 freed = 0;
	for (;;) {
		/* super_cache_count: both LRUs, scaled by vfs_cache_pressure */
		struct inode **v;
		struct neg_dentry *ng;
		u64 nd = collect_unused(sim, nid, true, &v);
		free(v);
		nd += collect_negs(sim, nid, &ng);
		free(ng);
		u64 ni = collect_unused(sim, nid, false, &v);
		free(v);
		u64 freeable = (nd + ni) * sim->scn->kernel.vm.vfs_cache_pressure / 100;
		if (!freeable)
			break;
		ss->shrinker_calls++;
		u64 delta = (freeable >> priority) * 4 / DEFAULT_SEEKS;
		u64 total_scan = min(delta, 2 * freeable);
		while (total_scan >= SUPER_SHRINK_BATCH || total_scan >= freeable) {
			u64 nr = min(total_scan, (u64)SUPER_SHRINK_BATCH);
			freed += super_cache_scan(tsk, nid, nr, nd, ni);
			count_vm_events(tsk, SLABS_SCANNED, nr);
			charge(tsk, nr * sim->cost->atomic_local_ns);
			total_scan -= nr;
			if (!total_scan)
				break;
			struct inode **w;
			nd = collect_unused(sim, nid, true, &w);
			free(w);
			nd += collect_negs(sim, nid, &ng);
			free(ng);
			ni = collect_unused(sim, nid, false, &w);
			free(w);
		}
		break;
	}
	s64 after = node_page_state(sim->vmstat, nid, NR_SLAB_RECLAIMABLE_B) +
		    node_page_state(sim->vmstat, nid, NR_SLAB_UNRECLAIMABLE_B);
	if (slab_pages && before > after)
		*slab_pages = (u64)(before - after);
	return freed + shadow_freed;
}

u64 drop_slab(struct task *tsk)
{
	u64 total = 0, freed;
	do {
		freed = 0;
		for (unsigned nid = 0; nid < tsk->sim->slab->nr_nodes; nid++)
			freed += shrink_slab(tsk, nid, 0, NULL);
		total += freed;
	} while (freed > 10);
	return total;
}

/* ---- reporting ---- */

u64 slab_node_pages(const struct sim *sim, unsigned nid, bool reclaimable)
{
	s64 v = node_page_state(sim->vmstat, nid,
				reclaimable ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B);
	return v > 0 ? (u64)v : 0;
}

void write_slabinfo(const struct sim *sim, FILE *f)
{
	const struct slab_state *ss = sim->slab;
	fprintf(f, "slabinfo - version: 2.1\n");
	fprintf(f, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		   "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		   "<active_slabs> <num_slabs> <sharedavail>\n");
	if (!ss)
		return;
	for (unsigned i = ss->nr_caches; i-- > 0;) {   /* slab_caches: newest first */
		const struct kmem_cache *s = ss->caches[i];
		u64 slabs = 0, objs = 0, free = 0;
		for (unsigned nid = 0; nid < ss->nr_nodes; nid++) {
			slabs += s->node[nid].nr_slabs;
			objs += s->node[nid].total_objects;
			free += s->node[nid].free_on_partial;
		}
		fprintf(f, "%-17s %6llu %6llu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6llu %6llu %6u\n",
			s->name, (unsigned long long)(objs - free), (unsigned long long)objs, s->size,
			s->oo_objects, 1 << s->order, 0u, 0u, 0u, (unsigned long long)slabs,
			(unsigned long long)slabs, 0u);
	}
}

u64 kmem_cache_objects_inuse(const struct sim *sim, const struct kmem_cache *s)
{
	const struct slab_state *ss = sim->slab;
	u64 inuse = 0;
	for (u32 id = 0; ss && id < ss->nr_slab_ids; id++) {
		const struct slab *sl = slab_by_id(ss, id);
		if (sl->pfn != PFN_NONE && sl->cache == s->id)
			inuse += sl->inuse;
	}
	return inuse;
}

int check_slab(const struct sim *sim, char *msg, size_t msglen)
{
	const struct slab_state *ss = sim->slab;
	if (!ss)
		return 0;
	unsigned nn = ss->nr_nodes, nc = ss->nr_caches;
	/* per cache and node: slabs, objects, partial slabs, free objects on them */
	u64 *acc = xcalloc((size_t)nc * nn * 4, sizeof(u64));
	u64 pages[MAX_NUMNODES][2] = { { 0 } };
	int rc = 0;
	for (u32 id = 0; id < ss->nr_slab_ids && !rc; id++) {
		const struct slab *sl = slab_by_id(ss, id);
		if (sl->pfn == PFN_NONE)
			continue;
		const struct kmem_cache *s = ss->caches[sl->cache];
		u64 *a = &acc[((size_t)sl->cache * nn + sl->nid) * 4];
		a[0]++;
		a[1] += sl->objects;
		if (sl->on_partial) {
			a[2]++;
			a[3] += sl->nr_free;
		}
		pages[sl->nid][(s->flags & SLAB_RECLAIM_ACCOUNT) ? 0 : 1] += 1ULL << sl->order;
		if (sl->inuse + sl->nr_free != sl->objects) {
			snprintf(msg, msglen, "%s: slab %u inuse %u + free %u != %u", s->name, id,
				 sl->inuse, sl->nr_free, sl->objects);
			rc = -1;
		}
	}
	for (unsigned i = 0; i < nc && !rc; i++) {
		const struct kmem_cache *s = ss->caches[i];
		for (unsigned nid = 0; nid < nn && !rc; nid++) {
			const struct kmem_cache_node *n = &s->node[nid];
			const u64 *a = &acc[((size_t)i * nn + nid) * 4];
			if (a[0] != n->nr_slabs || a[1] != n->total_objects ||
			    a[2] != n->nr_partial || a[3] != n->free_on_partial) {
				snprintf(msg, msglen,
					 "%s node %u: slabs %llu/%llu objects %llu/%llu partial %llu/%llu free %llu/%llu",
					 s->name, nid, (unsigned long long)a[0],
					 (unsigned long long)n->nr_slabs, (unsigned long long)a[1],
					 (unsigned long long)n->total_objects, (unsigned long long)a[2],
					 (unsigned long long)n->nr_partial, (unsigned long long)a[3],
					 (unsigned long long)n->free_on_partial);
				rc = -1;
			}
		}
	}
	free(acc);
	for (unsigned nid = 0; nid < nn && !rc; nid++) {
		if (pages[nid][0] != slab_node_pages(sim, nid, true) ||
		    pages[nid][1] != slab_node_pages(sim, nid, false)) {
			snprintf(msg, msglen, "node %u: slab pages %llu/%llu vs vmstat %llu/%llu", nid,
				 (unsigned long long)pages[nid][0], (unsigned long long)pages[nid][1],
				 (unsigned long long)slab_node_pages(sim, nid, true),
				 (unsigned long long)slab_node_pages(sim, nid, false));
			rc = -1;
		}
	}
	return rc;
}
