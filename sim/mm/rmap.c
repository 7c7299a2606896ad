/* rmap.c - page owners, anon_vma chains, rmap walks and page migration. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/memory.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"

/* owner word: kind (2 bits) | id (26 bits) | index (36 bits) */
#define OWNER_KIND_SHIFT 62
#define OWNER_ID_SHIFT 36
#define OWNER_ID_MASK ((1ULL << 26) - 1)
#define OWNER_INDEX_MASK ((1ULL << 36) - 1)

/* The owners of one pageblock's pages. While every owned page of the block has the owner
 * word base + its offset in the block (a run faulted in order: same owner, index rising
 * with the pfn, the common case) the block keeps only base and a bitmap of owned pages
 * (80 bytes); the first page that breaks the rule turns it into 512 owner words (4 KiB). */
struct owner_chunk {
	u64 base;                          /* uniform: the owner word of offset 0 */
	u64 set[pageblock_nr_pages / 64];  /* uniform: pages that have an owner */
	u64 *words;                        /* [512] owner words once not uniform, else NULL */
};

struct rmap {
	struct sim *sim;
	struct owner_chunk **chunks;       /* [nr_pageblocks], NULL until a page is owned */
	u64 nr_chunks, chunks_used, chunks_full;
	struct anon_vma **avs;             /* by id; NULL = free id */
	u32 nr_avs, cap_avs;
	u32 *free_ids;
	u32 nr_free_ids, cap_free_ids;
	rmap_external_migrate_fn ext_fn;
	void *ext_arg;
};

static int migrate_page_hook(void *arg, struct task *tsk, u64 old_pfn, u64 new_pfn);

struct rmap *rmap_create(struct sim *sim)
{
	struct rmap *r = xcalloc(1, sizeof(*r));
	r->sim = sim;
	r->nr_chunks = sim->phys->nr_pageblocks;
	r->chunks = xcalloc(r->nr_chunks ? r->nr_chunks : 1, sizeof(*r->chunks));
	sim->phys->hooks.migrate_page = migrate_page_hook;
	sim->phys->hooks.migrate_arg = r;
	return r;
}

void rmap_destroy(struct rmap *r)
{
	if (!r)
		return;
	for (u64 i = 0; i < r->nr_chunks; i++) {
		if (r->chunks[i])
			free(r->chunks[i]->words);
		free(r->chunks[i]);
	}
	free(r->chunks);
	for (u32 i = 0; i < r->nr_avs; i++) {
		if (r->avs[i]) {
			free(r->avs[i]->vmas);
			free(r->avs[i]->avc_obj);
			free(r->avs[i]);
		}
	}
	free(r->avs);
	free(r->free_ids);
	free(r);
}

void rmap_set_external(struct rmap *r, rmap_external_migrate_fn fn, void *arg)
{
	r->ext_fn = fn;
	r->ext_arg = arg;
}

/* ---- owner table ---- */

static bool chunk_empty(const struct owner_chunk *c)
{
	for (unsigned i = 0; i < ARRAY_SIZE(c->set); i++)
		if (c->set[i])
			return false;
	return true;
}

void rmap_set_owner(struct sim *sim, u64 pfn, enum page_owner_kind kind, u32 id, u64 index)
{
	struct rmap *r = sim->rmap;
	u64 b = pfn >> pageblock_order, off = pfn & (pageblock_nr_pages - 1);
	u64 w = ((u64)kind << OWNER_KIND_SHIFT) | (((u64)id & OWNER_ID_MASK) << OWNER_ID_SHIFT) |
		(index & OWNER_INDEX_MASK);
	/* base + off gives w back only when the index field does not borrow */
	bool fits = (w & OWNER_INDEX_MASK) >= off;
	struct owner_chunk *c = r->chunks[b];
	if (!c) {
		c = r->chunks[b] = xcalloc(1, sizeof(*c));
		r->chunks_used++;
	}
	if (!c->words) {
		/* (the run's base need only be looked at when w does not continue it) */
		if (fits && c->base + off != w && chunk_empty(c))
			c->base = w - off;
		if (fits && c->base + off == w) {
			c->set[off / 64] |= 1ULL << (off % 64);
			return;
		}
		c->words = xcalloc(pageblock_nr_pages, sizeof(u64));
		r->chunks_full++;
		for (u64 i = 0; i < pageblock_nr_pages; i++)
			if (c->set[i / 64] >> (i % 64) & 1)
				c->words[i] = c->base + i;
	}
	c->words[off] = w;
}

void rmap_clear_owner(struct sim *sim, u64 pfn)
{
	struct rmap *r = sim->rmap;
	struct owner_chunk *c = r->chunks[pfn >> pageblock_order];
	u64 off = pfn & (pageblock_nr_pages - 1);
	if (!c)
		return;
	if (c->words)
		c->words[off] = 0;
	else
		c->set[off / 64] &= ~(1ULL << (off % 64));
}

enum page_owner_kind rmap_owner(const struct sim *sim, u64 pfn, u32 *id, u64 *index)
{
	const struct rmap *r = sim->rmap;
	const struct owner_chunk *c = r ? r->chunks[pfn >> pageblock_order] : NULL;
	u64 off = pfn & (pageblock_nr_pages - 1), w = 0;
	if (c)
		w = c->words ? c->words[off] : (c->set[off / 64] >> (off % 64) & 1) ? c->base + off : 0;
	if (id)
		*id = (u32)((w >> OWNER_ID_SHIFT) & OWNER_ID_MASK);
	if (index)
		*index = w & OWNER_INDEX_MASK;
	return (enum page_owner_kind)(w >> OWNER_KIND_SHIFT);
}

u64 rmap_table_bytes(const struct rmap *r)
{
	return r->nr_chunks * sizeof(*r->chunks) + r->chunks_used * sizeof(struct owner_chunk) +
	       r->chunks_full * pageblock_nr_pages * sizeof(u64);
}

/* ---- anon_vma ---- */

static DEFINE_LOCK_CLASS(anon_vma_rwsem_class, "&anon_vma->rwsem", LOCK_RWSEM);

static struct anon_vma *anon_vma_alloc(struct task *tsk, struct rmap *r)
{
	struct anon_vma *av = xcalloc(1, sizeof(*av));
	av->slab_obj = slab_user_alloc(tsk, SLAB_ANON_VMA);
	init_rwsem(&av->rwsem, &anon_vma_rwsem_class);
	if (r->nr_free_ids) {
		av->id = r->free_ids[--r->nr_free_ids];
	} else {
		if (r->nr_avs == r->cap_avs) {
			r->cap_avs = r->cap_avs ? 2 * r->cap_avs : 64;
			r->avs = xrealloc(r->avs, r->cap_avs * sizeof(*r->avs));
		}
		av->id = r->nr_avs++;
	}
	r->avs[av->id] = av;
	return av;
}

/* A slab object of the model's users: freed by tsk, or deferred without one. */
static void user_obj_free(struct task *tsk, struct sim *sim, enum slab_cache_id id, u64 obj)
{
	if (tsk)
		slab_user_free(tsk, id, obj);
	else
		slab_user_free_deferred(sim, id, obj);
}

static void anon_vma_maybe_free(struct task *tsk, struct rmap *r, struct anon_vma *av)
{
	if (av->nr_vmas || av->nr_pages)
		return;
	user_obj_free(tsk, r->sim, SLAB_ANON_VMA, av->slab_obj);
	r->avs[av->id] = NULL;
	if (r->nr_free_ids == r->cap_free_ids) {
		r->cap_free_ids = r->cap_free_ids ? 2 * r->cap_free_ids : 64;
		r->free_ids = xrealloc(r->free_ids, r->cap_free_ids * sizeof(*r->free_ids));
	}
	r->free_ids[r->nr_free_ids++] = av->id;
	free(av->vmas);
	free(av->avc_obj);
	free(av);
}

static void avc_link(struct task *tsk, struct vm_area_struct *vma, struct anon_vma *av)
{
	if (vma->nr_avc == vma->cap_avc) {
		vma->cap_avc = vma->cap_avc ? 2 * vma->cap_avc : 2;
		vma->avc = xrealloc(vma->avc, vma->cap_avc * sizeof(*vma->avc));
	}
	vma->avc[vma->nr_avc++] = av;
	if (av->nr_vmas == av->cap_vmas) {
		av->cap_vmas = av->cap_vmas ? 2 * av->cap_vmas : 4;
		av->vmas = xrealloc(av->vmas, av->cap_vmas * sizeof(*av->vmas));
		av->avc_obj = xrealloc(av->avc_obj, av->cap_vmas * sizeof(*av->avc_obj));
	}
	av->avc_obj[av->nr_vmas] = slab_user_alloc(tsk, SLAB_ANON_VMA_CHAIN);
	av->vmas[av->nr_vmas++] = vma;
}

void anon_vma_prepare(struct task *tsk, struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		return;
	struct anon_vma *av = anon_vma_alloc(tsk, tsk->sim->rmap);
	vma->anon_vma = av;
	avc_link(tsk, vma, av);
}

void anon_vma_clone(struct task *tsk, struct vm_area_struct *dst, const struct vm_area_struct *src)
{
	dst->avc = NULL;
	dst->nr_avc = dst->cap_avc = 0;
	dst->anon_vma = src->anon_vma;
	for (u32 i = 0; i < src->nr_avc; i++)
		avc_link(tsk, dst, src->avc[i]);
}

void anon_vma_fork(struct task *tsk, struct vm_area_struct *dst, const struct vm_area_struct *src)
{
	anon_vma_clone(tsk, dst, src);
	dst->anon_vma = NULL;
	if (src->anon_vma)
		anon_vma_prepare(tsk, dst);
}

void unlink_anon_vmas(struct task *tsk, struct sim *sim, struct vm_area_struct *vma)
{
	for (u32 i = 0; i < vma->nr_avc; i++) {
		struct anon_vma *av = vma->avc[i];
		for (u32 j = 0; j < av->nr_vmas; j++) {
			if (av->vmas[j] == vma) {
				user_obj_free(tsk, sim, SLAB_ANON_VMA_CHAIN, av->avc_obj[j]);
				av->vmas[j] = av->vmas[--av->nr_vmas];
				av->avc_obj[j] = av->avc_obj[av->nr_vmas];
				break;
			}
		}
		anon_vma_maybe_free(tsk, sim->rmap, av);
	}
	free(vma->avc);
	vma->avc = NULL;
	vma->nr_avc = vma->cap_avc = 0;
	vma->anon_vma = NULL;
}

void page_add_new_anon_rmap(struct sim *sim, u64 pfn, struct vm_area_struct *vma, u64 addr)
{
	struct anon_vma *av = vma->anon_vma;
	rmap_set_owner(sim, pfn, OWNER_ANON, av->id,
		       vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT));
	av->nr_pages++;
}

void page_add_swapin_rmap(struct sim *sim, u64 pfn, struct vm_area_struct *vma, u64 addr)
{
	if (rmap_owner(sim, pfn, NULL, NULL) != OWNER_NONE)
		return;
	struct anon_vma *av = vma->nr_avc ? vma->avc[0] : vma->anon_vma;
	rmap_set_owner(sim, pfn, OWNER_ANON, av->id,
		       vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT));
	av->nr_pages++;
}

void rmap_release_owner(struct sim *sim, u64 pfn)
{
	u32 id;
	if (rmap_owner(sim, pfn, &id, NULL) == OWNER_ANON) {
		struct anon_vma *av = sim->rmap->avs[id];
		av->nr_pages--;
		anon_vma_maybe_free(NULL, sim->rmap, av);
	}
	rmap_clear_owner(sim, pfn);
}

void put_user_pages(struct task *tsk, const u64 *pfns, unsigned n)
{
	struct sim *sim = tsk->sim;
	struct lruvec *locked = NULL;
	for (unsigned i = 0; i < n; i++) {
		struct page_desc *pg = pfn_to_page(sim->phys, pfns[i]);
		if (pg->refcount != 1 || !(pg->flags & PG_lru) || page_is_thp(pg))
			continue;
		struct lruvec *v = node_lruvec(sim, page_to_nid(sim->phys, pfns[i]));
		if (v != locked) {
			if (locked)
				spin_unlock(tsk, &locked->lru_lock);
			spin_lock(tsk, &v->lru_lock);
			locked = v;
		}
		if ((pg->flags & PG_lru) && pg->refcount == 1)
			lru_list_del(sim, v, pfns[i], page_lru(pg));
	}
	if (locked)
		spin_unlock(tsk, &locked->lru_lock);
	for (unsigned i = 0; i < n; i++)
		put_user_page(tsk, pfns[i]);
}

void put_user_page(struct task *tsk, u64 pfn)
{
	struct page_desc *pg = pfn_to_page(tsk->sim->phys, pfn);
	if (page_is_thp(pg)) {
		/* a subpage of a THP: the block goes when all 512 are unreferenced */
		pg->refcount--;
		thp_put_subpage(tsk, pfn);
		return;
	}
	if (pg->refcount == 1) {
		rmap_release_owner(tsk->sim, pfn);
		lru_page_freed(tsk, pfn);
		pg->flags &= ~(PG_anon | PG_lru | PG_dirty | PG_swapcache | PG_referenced | PG_active |
			       PG_swapbacked | PG_unevictable | PG_mlocked);
	}
	__free_pages(tsk, pfn, 0);
}

/* ---- rmap walk ---- */

/* The PTE table holding addr's entry, or NULL */
static struct pte_table *vma_pte_table(struct vm_area_struct *vma, u64 addr)
{
	struct pmd_slot *s = pmd_lookup(vma->vm_mm, addr);
	return s && s->kind == PMD_TABLE ? s->table : NULL;
}

static u32 walk_vmas(struct vm_area_struct **vmas, u32 n, u64 index, u64 pfn, rmap_one_fn fn,
		     void *arg)
{
	u32 found = 0;
	for (u32 i = 0; i < n; i++) {
		struct vm_area_struct *v = vmas[i];
		u64 npages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		if (index < v->vm_pgoff || index >= v->vm_pgoff + npages)
			continue;
		u64 addr = v->vm_start + ((index - v->vm_pgoff) << PAGE_SHIFT);
		struct pte_table *t = vma_pte_table(v, addr);
		pte_t pte = t ? pte_get(t, pte_index(addr)) : 0;
		if (!(pte & PTE_PRESENT) || (pte & PTE_ZERO) || pte_pfn(pte) != pfn)
			continue;
		found++;
		if (fn)
			fn(arg, v, addr, t, pte_index(addr));
	}
	return found;
}

u32 rmap_walk(struct sim *sim, u64 pfn, rmap_one_fn fn, void *arg)
{
	u32 id;
	u64 index;
	switch (rmap_owner(sim, pfn, &id, &index)) {
	case OWNER_ANON: {
		struct anon_vma *av = sim->rmap->avs[id];
		return av ? walk_vmas(av->vmas, av->nr_vmas, index, pfn, fn, arg) : 0;
	}
	case OWNER_FILE: {
		struct inode *inode = file_inode_by_id(sim, id);
		return inode ? walk_vmas(inode->i_mmap, inode->nr_mmap, index, pfn, fn, arg) : 0;
	}
	default:
		return 0;
	}
}

u32 rmap_walk_pmd(struct sim *sim, u64 head, rmap_pmd_fn fn, void *arg)
{
	u32 id;
	u64 index;
	if (rmap_owner(sim, head, &id, &index) != OWNER_ANON || !sim->rmap->avs[id])
		return 0;
	struct anon_vma *av = sim->rmap->avs[id];
	u32 found = 0;
	for (u32 i = 0; i < av->nr_vmas; i++) {
		struct vm_area_struct *v = av->vmas[i];
		u64 npages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		if ((v->vm_flags & VM_HUGETLB) || index < v->vm_pgoff || index >= v->vm_pgoff + npages)
			continue;
		u64 addr = v->vm_start + ((index - v->vm_pgoff) << PAGE_SHIFT);
		struct pmd_slot *s = pmd_lookup(v->vm_mm, addr);
		if (!s || s->kind != PMD_HUGE || (s->huge & PTE_ZERO) || !(s->huge & PTE_PRESENT) ||
		    pte_pfn(s->huge) != head)
			continue;
		found++;
		if (fn)
			fn(arg, v, addr);
	}
	return found;
}

/* ---- migration ---- */

/* The mappings of a page being migrated: collected, then all their PTE locks taken with
 * trylock, so that the whole move happens with no scheduling point in between (the
 * kernel's migration entries make it atomic for faulting threads in the same way). */
#define MIGRATE_MAX_MAPS 64

struct map_ref {
	struct pte_table *t;
	unsigned idx;                      /* the entry in t */
};

struct collect_ctx {
	struct map_ref refs[MIGRATE_MAX_MAPS];
	u32 n;
	bool overflow;
};

static void collect_one(void *arg, struct vm_area_struct *vma, u64 addr, struct pte_table *t,
			unsigned idx)
{
	struct collect_ctx *c = arg;
	(void)vma;
	(void)addr;
	if (c->n == MIGRATE_MAX_MAPS) {
		c->overflow = true;
		return;
	}
	c->refs[c->n++] = (struct map_ref){ t, idx };
}

static void move_page_state(struct task *tsk, u64 old_pfn, u64 new_pfn, enum page_owner_kind kind,
			    bool shmem)
{
	struct phys_mem *pm = tsk->sim->phys;
	struct page_desc *o = pfn_to_page(pm, old_pfn), *n = pfn_to_page(pm, new_pfn);
	const u32 keep = PG_ORDER_MASK | PG_MT_MASK | PG_head;
	n->flags = (n->flags & keep) | (o->flags & ~(keep | PG_isolated));
	n->mapcount = o->mapcount;
	n->refcount = (u16)(o->refcount - 1);
	o->flags &= keep;
	o->mapcount = 0;
	o->refcount = 1;
	unsigned on = page_to_nid(pm, old_pfn), nn = page_to_nid(pm, new_pfn);
	bool anon = kind == OWNER_ANON;
	if (on != nn && kind != OWNER_EXTERNAL) {
		if (anon && n->mapcount) {
			mod_node_page_state(tsk, on, NR_ANON_MAPPED, -1);
			mod_node_page_state(tsk, nn, NR_ANON_MAPPED, 1);
		}
		if (!anon) {
			mod_node_page_state(tsk, on, NR_FILE_PAGES, -1);
			mod_node_page_state(tsk, nn, NR_FILE_PAGES, 1);
			if (shmem) {
				mod_node_page_state(tsk, on, NR_SHMEM, -1);
				mod_node_page_state(tsk, nn, NR_SHMEM, 1);
			}
			if (n->mapcount) {
				mod_node_page_state(tsk, on, NR_FILE_MAPPED, -1);
				mod_node_page_state(tsk, nn, NR_FILE_MAPPED, 1);
			}
		}
	}
	u32 id;
	u64 index;
	enum page_owner_kind k = rmap_owner(tsk->sim, old_pfn, &id, &index);
	rmap_set_owner(tsk->sim, new_pfn, k, id, index);
	rmap_clear_owner(tsk->sim, old_pfn);
}

static int migrate_page_hook(void *arg, struct task *tsk, u64 old_pfn, u64 new_pfn)
{
	struct rmap *r = arg;
	struct sim *sim = tsk->sim;
	struct page_desc *o = pfn_to_page(sim->phys, old_pfn);
	u32 id;
	u64 index;
	enum page_owner_kind k = rmap_owner(sim, old_pfn, &id, &index);
	if (k == OWNER_EXTERNAL) {
		/* the owner's reference and the isolation's, nothing else */
		if (!r->ext_fn || o->mapcount || o->refcount != 2)
			return -MM_EAGAIN;
		int rc = r->ext_fn(r->ext_arg, tsk, id, index, old_pfn, new_pfn);
		if (rc)
			return rc;
		move_page_state(tsk, old_pfn, new_pfn, k, false);
		charge(tsk, sim->cost->copy_4k_ns);
		return 0;
	}
	if (k == OWNER_NONE) {
		/* the owner let go while compaction held the page */
		return o->refcount == 1 && !o->mapcount ? -MM_ENOENT : -MM_EAGAIN;
	}
	if (k == OWNER_ANON && o->refcount == 1 && !o->mapcount) {
		rmap_release_owner(sim, old_pfn);
		o->flags &= ~(PG_anon | PG_lru | PG_dirty | PG_swapbacked);
		return -MM_ENOENT;
	}
	/* Every reference must be a mapping found by the walk (plus the page cache's and
	 * the isolation's); anything else (a fault or an unmap in progress) pins the page. */
	struct collect_ctx c = { .n = 0 };
	u32 mappings = rmap_walk(sim, old_pfn, collect_one, &c);
	u32 expected = mappings + 1 + (k == OWNER_FILE ? 1 : 0);
	if (c.overflow || mappings != o->mapcount || o->refcount != expected)
		return -MM_EAGAIN;
	u32 locked = 0;
	for (; locked < c.n; locked++) {
		struct pte_table *t = c.refs[locked].t;
		bool dup = false;
		for (u32 j = 0; j < locked; j++)
			dup |= c.refs[j].t == t;
		if (!dup && !spin_trylock(tsk, &t->ptl))
			break;
	}
	if (locked < c.n) {
		for (u32 i = locked; i-- > 0;) {
			bool dup = false;
			for (u32 j = 0; j < i; j++)
				dup |= c.refs[j].t == c.refs[i].t;
			if (!dup)
				spin_unlock(tsk, &c.refs[i].t->ptl);
		}
		return -MM_EAGAIN;
	}
	bool shmem = false;
	if (k == OWNER_FILE) {
		struct inode *inode = file_inode_by_id(sim, id);
		shmem = inode->shmem;
		filemap_replace_page(inode, index, new_pfn);
	}
	for (u32 i = 0; i < c.n; i++) {
		struct pte_table *t = c.refs[i].t;
		pte_t pte = pte_get(t, c.refs[i].idx);
		pte_set(t, c.refs[i].idx, (pte & PTE_LOW_MASK) | (new_pfn << PTE_PFN_SHIFT));
	}
	move_page_state(tsk, old_pfn, new_pfn, k, shmem);
	charge(tsk, sim->cost->copy_4k_ns + c.n * sim->cost->pte_update_ns);
	for (u32 i = c.n; i-- > 0;) {
		bool dup = false;
		for (u32 j = 0; j < i; j++)
			dup |= c.refs[j].t == c.refs[i].t;
		if (!dup)
			spin_unlock(tsk, &c.refs[i].t->ptl);
	}
	return 0;
}

/* ---- i_mmap ---- */

void i_mmap_insert(struct inode *inode, struct vm_area_struct *vma)
{
	if (inode->nr_mmap == inode->cap_mmap) {
		inode->cap_mmap = inode->cap_mmap ? 2 * inode->cap_mmap : 4;
		inode->i_mmap = xrealloc(inode->i_mmap, inode->cap_mmap * sizeof(*inode->i_mmap));
	}
	inode->i_mmap[inode->nr_mmap++] = vma;
}

void i_mmap_remove(struct inode *inode, struct vm_area_struct *vma)
{
	for (u32 i = 0; i < inode->nr_mmap; i++) {
		if (inode->i_mmap[i] == vma) {
			inode->i_mmap[i] = inode->i_mmap[--inode->nr_mmap];
			return;
		}
	}
}
