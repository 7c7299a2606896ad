/* mempolicy.c - NUMA memory policies: objects and their reference counts, the task,
 * VMA and shared scopes, the node choice of every allocation, and the system calls
 * (models mm/mempolicy.c, 6.1; the refcount variants of seed 000). Header: mempolicy.h. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/task.h"
#include "platform/cost.h"
#include "locks/lockdep.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"
#include "stats/findings.h"
#include "mm/filemap.h"
#include "mm/huge_memory.h"
#include "mm/mempolicy.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/pgtable.h"
#include "mm/vmstat.h"

/* The static default policy (mode LOCAL): never counted, never written. */
static struct mempolicy default_policy = { .mode = MPOL_LOCAL, .home_node = NUMA_NO_NODE,
					    .is_static = true, .refcnt = 1, .line_cpu = -1,
					    .line_node = -1 };

struct mpol_state {
	struct mempolicy *live;           /* every counted object */
	u32 next_id;
	bool always;                      /* variants.mempolicy.refcount = always */
	bool leaky;                       /* variants.mempolicy.leak_paths = pre_2.6.24 */
	bool botched;                     /* both: the interim code's interleave (un)refs */
	u8 iw_table[MAX_NUMNODES];        /* weighted interleave weights (0 = default 1) */
	struct mpol_stats st;
	/* references each task took in use and has not dropped, per path (--check) */
	u32 (*task_refs)[NR_MPOL_PATHS];
	u32 nr_task_refs;
};

static struct mpol_state *MS(const struct sim *sim)
{
	return sim->mempolicy;
}

static const char *const path_names[] = {
#define MPOL_PATH_NAME(e, n) n,
	MPOL_PATHS(MPOL_PATH_NAME)
#undef MPOL_PATH_NAME
};

const char *mpol_path_name(enum mpol_path p)
{
	return p < NR_MPOL_PATHS ? path_names[p] : "?";
}

/* ---- sp->lock: an rwlock_t as in 6.1 (spinning readers/writer, locks/rwlock.h), or the
 * spinlock of 2007 under variants.mempolicy.sp_lock = spinlock (lookups serialised);
 * lookups read, replacement writes. ---- */

static DEFINE_LOCK_CLASS(sp_lock_class, "&sp->lock", LOCK_RWLOCK);
static DEFINE_LOCK_CLASS(sp_spin_class, "&sp->lock", LOCK_SPIN);

static void sp_lock_init(struct shared_policy *sp, bool spin)
{
	sp->use_spin = spin;
	if (spin)
		spin_lock_init(&sp->spin, &sp_spin_class);
	else
		rwlock_init(&sp->lock, &sp_lock_class);
}

static void sp_read_lock(struct task *tsk, struct shared_policy *sp)
{
	MS(tsk->sim)->st.sp_lock_acquisitions++;
	if (sp->use_spin)
		spin_lock(tsk, &sp->spin);
	else
		read_lock(tsk, &sp->lock);
}

static void sp_read_unlock(struct task *tsk, struct shared_policy *sp)
{
	if (sp->use_spin)
		spin_unlock(tsk, &sp->spin);
	else
		read_unlock(tsk, &sp->lock);
}

static void sp_write_lock(struct task *tsk, struct shared_policy *sp)
{
	MS(tsk->sim)->st.sp_lock_acquisitions++;
	if (sp->use_spin)
		spin_lock(tsk, &sp->spin);
	else
		write_lock(tsk, &sp->lock);
}

static void sp_write_unlock(struct task *tsk, struct shared_policy *sp)
{
	if (sp->use_spin)
		spin_unlock(tsk, &sp->spin);
	else
		write_unlock(tsk, &sp->lock);
}

/* ---- state ---- */

void mempolicy_create(struct sim *sim)
{
	struct mpol_state *ms = xcalloc(1, sizeof(*ms));
	if (sim->scn) {
		ms->always = sim->scn->variants.mempolicy_refcount == MPOL_REFCOUNT_ALWAYS;
		ms->leaky = sim->scn->variants.mempolicy_leak_paths == MPOL_LEAK_PRE_2_6_24;
		ms->botched = ms->always && ms->leaky;
	}
	sim->mempolicy = ms;
}

void mempolicy_destroy(struct sim *sim)
{
	struct mpol_state *ms = MS(sim);
	if (!ms)
		return;
	while (ms->live) {
		struct mempolicy *p = ms->live;
		ms->live = p->next;
		free(p);
	}
	free(ms->task_refs);
	free(ms);
	sim->mempolicy = NULL;
}

const struct mpol_stats *mempolicy_stats(const struct sim *sim)
{
	return &MS(sim)->st;
}

static u32 *task_refs(struct task *tsk)
{
	struct mpol_state *ms = MS(tsk->sim);
	if (tsk->id >= ms->nr_task_refs) {
		u32 n = max(tsk->id + 1, 2 * ms->nr_task_refs);
		ms->task_refs = xrealloc(ms->task_refs, n * sizeof(*ms->task_refs));
		memset(&ms->task_refs[ms->nr_task_refs], 0,
		       (n - ms->nr_task_refs) * sizeof(*ms->task_refs));
		ms->nr_task_refs = n;
	}
	return ms->task_refs[tsk->id];
}

/* ---- reference counting: each get/put is an atomic RMW on the refcount's line ---- */

static void refcnt_rmw(struct task *tsk, struct mempolicy *pol)
{
	if (!tsk)
		return;
	struct mpol_state *ms = MS(tsk->sim);
	const struct cost_table *c = tsk->sim->cost;
	if (pol->line_cpu >= 0 && pol->line_node != (int)tsk->node)
		ms->st.remote++;
	if (c) {
		u64 ns = cost_atomic(c, pol->line_cpu, pol->line_node, (int)tsk->cpu, (int)tsk->node);
		charge(tsk, ns);
		ms->st.rmw_ns += ns;
	}
	pol->line_cpu = (int)tsk->cpu;
	pol->line_node = (int)tsk->node;
}

static struct mempolicy *mpol_alloc(struct sim *sim, struct task *tsk)
{
	struct mpol_state *ms = MS(sim);
	struct mempolicy *p = xcalloc(1, sizeof(*p));
	p->refcnt = 1;
	p->home_node = NUMA_NO_NODE;
	p->id = ++ms->next_id;
	p->owners = 1;   /* the creator installs it (or drops it with mpol_put INSTALL) */
	p->line_cpu = tsk ? (int)tsk->cpu : -1;
	p->line_node = tsk ? (int)tsk->node : -1;
	p->next = ms->live;
	if (ms->live)
		ms->live->prev = p;
	ms->live = p;
	ms->st.created++;
	return p;
}

static void mpol_free(struct sim *sim, struct mempolicy *p)
{
	struct mpol_state *ms = MS(sim);
	if (p->prev)
		p->prev->next = p->next;
	else
		ms->live = p->next;
	if (p->next)
		p->next->prev = p->prev;
	ms->st.freed++;
	free(p);
}

void mpol_get(struct task *tsk, struct mempolicy *pol, enum mpol_path path)
{
	if (!pol || pol->is_static)
		return;
	pol->refcnt++;
	if (path == MPOL_PATH_INSTALL) {
		pol->owners++;
	} else {
		pol->inflight[path]++;
		if (tsk)
			task_refs(tsk)[path]++;
	}
	if (tsk)
		MS(tsk->sim)->st.gets[path]++;
	refcnt_rmw(tsk, pol);
}

/* The put of an object whose sim is known even without a task (inode teardown after
 * the run). */
static void __mpol_put(struct sim *sim, struct task *tsk, struct mempolicy *pol,
		       enum mpol_path path)
{
	if (!pol || pol->is_static)
		return;
	if (path == MPOL_PATH_INSTALL) {
		if (pol->owners)
			pol->owners--;
	} else {
		if (pol->inflight[path])
			pol->inflight[path]--;
		if (tsk && task_refs(tsk)[path])
			task_refs(tsk)[path]--;
	}
	MS(sim)->st.puts[path]++;
	refcnt_rmw(tsk, pol);
	if (--pol->refcnt == 0)
		mpol_free(sim, pol);
}

void mpol_put(struct task *tsk, struct mempolicy *pol, enum mpol_path path)
{
	if (tsk)
		__mpol_put(tsk->sim, tsk, pol, path);
}

/* Whether a use of pol took a reference the user must drop: the seed's rule (only
 * shared policies), or the interim one (every policy but the default and the task's
 * own). */
static bool mpol_needs_cond_ref(struct task *tsk, const struct mempolicy *pol)
{
	if (!pol || pol->is_static)
		return false;
	if (pol->flags & MPOL_F_SHARED)
		return true;
	return MS(tsk->sim)->always && pol != tsk->mempolicy;
}

static void mpol_cond_put(struct task *tsk, struct mempolicy *pol, enum mpol_path path)
{
	if (mpol_needs_cond_ref(tsk, pol))
		mpol_put(tsk, pol, path);
}

struct mempolicy *mpol_dup(struct task *tsk, struct mempolicy *old)
{
	if (!old || old->is_static)
		return NULL;
	struct mempolicy *p = mpol_alloc(tsk->sim, tsk);
	p->mode = old->mode;
	p->flags = old->flags & ~MPOL_F_SHARED;
	p->nodes = old->nodes;
	p->user_nodemask = old->user_nodemask;
	p->home_node = old->home_node;
	return p;
}

static bool mpol_store_user_nodemask(const struct mempolicy *p)
{
	return p->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
}

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (a->mode != b->mode || (a->flags & ~MPOL_F_SHARED) != (b->flags & ~MPOL_F_SHARED) ||
	    a->home_node != b->home_node)
		return false;
	if (mpol_store_user_nodemask(a) && a->user_nodemask != b->user_nodemask)
		return false;
	return a->mode == MPOL_LOCAL || a->nodes == b->nodes;
}

/* ---- nodemasks ---- */

static u64 memory_nodes(const struct sim *sim)
{
	unsigned n = sim->phys->nr_nodes;
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static int first_node(u64 mask)
{
	return mask ? __builtin_ctzll(mask) : MAX_NUMNODES;
}

static int next_node_in(int prev, u64 mask)
{
	if (!mask)
		return MAX_NUMNODES;
	u64 above = prev + 1 >= 64 ? 0 : mask & ~((2ULL << prev) - 1);
	return above ? __builtin_ctzll(above) : __builtin_ctzll(mask);
}

/* The n-th (0-based) node of mask. */
static int nth_node(u64 mask, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		mask &= mask - 1;
	return first_node(mask);
}

/* mpol_relative_nodemask: fold the user's mask onto the allowed nodes. */
static u64 relative_nodemask(u64 user, u64 allowed)
{
	unsigned w = (unsigned)__builtin_popcountll(allowed);
	if (!w)
		return 0;
	u64 folded = 0, out = 0;
	for (unsigned i = 0; i < 64; i++)
		if (user >> i & 1)
			folded |= 1ULL << (i % w);
	for (unsigned i = 0; i < 64; i++)
		if (folded >> i & 1)
			out |= 1ULL << nth_node(allowed, i);
	return out;
}

/* mpol_new + mpol_set_nodemask. *out NULL for DEFAULT (no object). 0 or -errno. */
static int mpol_new(struct task *tsk, unsigned mode_flags, u64 nodes, struct mempolicy **out)
{
	unsigned flags = mode_flags & MPOL_MODE_FLAGS;
	unsigned mode = mode_flags & ~MPOL_MODE_FLAGS;
	*out = NULL;
	/* sanitize_mpol_flags */
	if (mode >= MPOL_MAX)
		return -MM_EINVAL;
	if ((flags & MPOL_F_STATIC_NODES) && (flags & MPOL_F_RELATIVE_NODES))
		return -MM_EINVAL;
	if ((flags & MPOL_F_NUMA_BALANCING) && mode != MPOL_BIND)
		return -MM_EINVAL;
	if (mode == MPOL_DEFAULT)
		return nodes ? -MM_EINVAL : 0;
	if (mode == MPOL_PREFERRED && !nodes) {
		if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
			return -MM_EINVAL;
		mode = MPOL_LOCAL;
	} else if (mode == MPOL_LOCAL) {
		if (nodes || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return -MM_EINVAL;
	} else if (!nodes) {
		return -MM_EINVAL;
	}
	u64 eff = 0;
	if (mode != MPOL_LOCAL) {
		u64 allowed = memory_nodes(tsk->sim);   /* no cpusets: every node with memory */
		eff = (flags & MPOL_F_RELATIVE_NODES) ? relative_nodemask(nodes, allowed)
						      : nodes & allowed;
		if (!eff)
			return -MM_EINVAL;
		if (mode == MPOL_PREFERRED)
			eff = 1ULL << first_node(eff);
	}
	struct mempolicy *p = mpol_alloc(tsk->sim, tsk);
	p->mode = (u16)mode;
	p->flags = (u16)flags;
	p->nodes = eff;
	p->user_nodemask = (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) ? nodes : 0;
	*out = p;
	return 0;
}

/* "%*pbl": 0-3, 1,3, 0,2-3 */
static int nodelist_str(char *buf, size_t len, u64 mask)
{
	size_t n = 0;
	for (int i = 0; i < 64 && n < len; i++) {
		if (!(mask >> i & 1))
			continue;
		int j = i;
		while (j + 1 < 64 && (mask >> (j + 1) & 1))
			j++;
		n += (size_t)snprintf(buf + n, len - n, j > i ? "%s%d-%d" : "%s%d", n ? "," : "", i, j);
		i = j;
	}
	return (int)n;
}

void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol)
{
	static const char *const modes[] = { "default", "prefer", "bind", "interleave", "local",
					     "prefer (many)", "weighted interleave" };
	unsigned mode = MPOL_DEFAULT, flags = 0;
	u64 nodes = 0;
	if (pol && !pol->is_static) {
		mode = pol->mode;
		flags = pol->flags;
	}
	if (mode != MPOL_DEFAULT && mode != MPOL_LOCAL)
		nodes = pol->nodes;
	size_t n = (size_t)snprintf(buf, len, "%s", mode < ARRAY_SIZE(modes) ? modes[mode] : "unknown");
	if (n < len && (flags & MPOL_MODE_FLAGS)) {
		n += (size_t)snprintf(buf + n, len - n, "=%s",
				      (flags & MPOL_F_STATIC_NODES) ? "static" :
				      (flags & MPOL_F_RELATIVE_NODES) ? "relative" : "");
	}
	if (n < len && nodes) {
		n += (size_t)snprintf(buf + n, len - n, ":");
		if (n < len)
			nodelist_str(buf + n, len - n, nodes);
	}
}

/* ---- task scope ---- */

void mpol_task_exit(struct task *tsk)
{
	struct mempolicy *old = tsk->mempolicy;
	tsk->mempolicy = NULL;
	mpol_put(tsk, old, MPOL_PATH_INSTALL);
}

/* get_task_policy: the task's policy, else the per-node preferred (local) policy. */
static struct mempolicy *get_task_policy(struct task *tsk)
{
	return tsk->mempolicy ? tsk->mempolicy : &default_policy;
}

/* ---- shared policies ---- */

static struct shared_policy *inode_sp(const struct sim *sim, struct inode *inode, bool create)
{
	if (!inode->spol && create) {
		inode->spol = xcalloc(1, sizeof(*inode->spol));
		sp_lock_init(inode->spol,
			     sim->scn->variants.mempolicy_sp_lock == MPOL_SP_LOCK_SPINLOCK);
	}
	return inode->spol;
}

bool vma_has_shared_policy(const struct vm_area_struct *vma)
{
	return vma && vma->vm_file && vma->vm_file->shmem && !vma->vm_file->hugetlb;
}

/* sp_lookup: the node covering idx (caller holds sp->lock). */
static struct sp_node *sp_lookup(struct shared_policy *sp, u64 idx)
{
	u32 lo = 0, hi = sp->nr;
	while (lo < hi) {
		u32 mid = (lo + hi) / 2;
		if (sp->nodes[mid].end <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sp->nr && sp->nodes[lo].start <= idx ? &sp->nodes[lo] : NULL;
}

/* mpol_shared_policy_lookup: the policy for idx with a reference (path), or NULL. An
 * empty tree is seen without the lock. */
static struct mempolicy *mpol_shared_policy_lookup(struct task *tsk, struct inode *inode, u64 idx,
						   enum mpol_path path)
{
	struct shared_policy *sp = inode->spol;
	if (!sp || !sp->nr)
		return NULL;
	sp_read_lock(tsk, sp);
	struct sp_node *n = sp_lookup(sp, idx);
	struct mempolicy *pol = NULL;
	if (n) {
		pol = n->policy;
		mpol_get(tsk, pol, path);
	}
	sp_read_unlock(tsk, sp);
	return pol;
}

static void sp_insert_at(struct shared_policy *sp, u32 i, u64 start, u64 end, struct mempolicy *p)
{
	if (sp->nr == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 4;
		sp->nodes = xrealloc(sp->nodes, sp->cap * sizeof(*sp->nodes));
	}
	memmove(&sp->nodes[i + 1], &sp->nodes[i], (sp->nr - i) * sizeof(*sp->nodes));
	sp->nodes[i] = (struct sp_node){ start, end, p };
	sp->nr++;
}

/* shared_policy_replace: [start, end) gets new (NULL: no policy), trimming and splitting
 * the ranges it overlaps, under sp->lock write. A split range's tail gets a copy. */
static void shared_policy_replace(struct task *tsk, struct shared_policy *sp, u64 start, u64 end,
				  struct mempolicy *new)
{
	sp_write_lock(tsk, sp);
	for (u32 i = 0; i < sp->nr;) {
		struct sp_node *n = &sp->nodes[i];
		if (n->end <= start || n->start >= end) {
			i++;
			continue;
		}
		if (n->start < start && n->end > end) {
			/* new lies inside n: n keeps the head, a copy of its policy the tail */
			struct mempolicy *tail = mpol_dup(tsk, n->policy);
			tail->flags |= MPOL_F_SHARED;
			u64 tail_end = n->end;
			n->end = start;
			sp_insert_at(sp, i + 1, end, tail_end, tail);
			i += 2;
			continue;
		}
		if (n->start < start) {
			n->end = start;
			i++;
			continue;
		}
		if (n->end > end) {
			n->start = end;
			i++;
			continue;
		}
		struct mempolicy *old = n->policy;
		memmove(n, n + 1, (sp->nr - i - 1) * sizeof(*n));
		sp->nr--;
		mpol_put(tsk, old, MPOL_PATH_INSTALL);
	}
	if (new) {
		u32 i = 0;
		while (i < sp->nr && sp->nodes[i].start < start)
			i++;
		sp_insert_at(sp, i, start, end, new);
	}
	sp_write_unlock(tsk, sp);
}

/* mpol_set_shared_policy: the range vma maps gets a shared copy of pol. */
static void mpol_set_shared_policy(struct task *tsk, struct vm_area_struct *vma,
				   struct mempolicy *pol)
{
	struct shared_policy *sp = inode_sp(tsk->sim, vma->vm_file, pol != NULL);
	if (!sp)
		return;
	struct mempolicy *n = NULL;
	if (pol) {
		n = mpol_dup(tsk, pol);   /* sp_alloc */
		n->flags |= MPOL_F_SHARED;
	}
	shared_policy_replace(tsk, sp, vma->vm_pgoff,
			      vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT), n);
}

void mpol_free_shared_policy(struct task *tsk, struct inode *inode)
{
	struct shared_policy *sp = inode->spol;
	if (!sp)
		return;
	struct sim *sim = file_table_sim(inode->ft);
	for (u32 i = 0; i < sp->nr; i++)
		__mpol_put(sim, tsk, sp->nodes[i].policy, MPOL_PATH_INSTALL);
	free(sp->nodes);
	free(sp);
	inode->spol = NULL;
}

/* ---- VMA scope ---- */

void vma_dup_policy(struct task *tsk, struct vm_area_struct *dst)
{
	if (dst->vm_policy)
		dst->vm_policy = mpol_dup(tsk, dst->vm_policy);
}

void vma_free_policy(struct task *tsk, struct vm_area_struct *vma)
{
	struct mempolicy *p = vma->vm_policy;
	vma->vm_policy = NULL;
	if (!p)
		return;
	if (tsk)
		mpol_put(tsk, p, MPOL_PATH_INSTALL);
	else if (vma->vm_mm)
		__mpol_put(vma->vm_mm->sim, NULL, p, MPOL_PATH_INSTALL);
}

/* vma_replace_policy: vma gets a copy of pol (shmem: also its shared tree). */
void mpol_vma_replace(struct task *tsk, struct vm_area_struct *vma, struct mempolicy *pol)
{
	struct mempolicy *new = mpol_dup(tsk, pol);
	if (vma_has_shared_policy(vma))
		mpol_set_shared_policy(tsk, vma, new);
	struct mempolicy *old = vma->vm_policy;
	vma->vm_policy = new;
	mpol_put(tsk, old, MPOL_PATH_INSTALL);
}

/* __get_vma_policy: the shared policy at addr (a reference taken), else the VMA's.
 * Under the interim design (refcount = always) a VMA policy is referenced too. */
static struct mempolicy *__get_vma_policy(struct task *tsk, struct vm_area_struct *vma, u64 addr,
					  enum mpol_path path)
{
	if (!vma)
		return NULL;
	if (vma_has_shared_policy(vma)) {
		u64 idx = ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
		return mpol_shared_policy_lookup(tsk, vma->vm_file, idx, path);
	}
	struct mempolicy *pol = vma->vm_policy;
	if (pol && mpol_needs_cond_ref(tsk, pol))
		mpol_get(tsk, pol, path);
	return pol;
}

/* get_vma_policy: never NULL; a reference is held when mpol_needs_cond_ref() says so. */
static struct mempolicy *get_vma_policy(struct task *tsk, struct vm_area_struct *vma, u64 addr,
					enum mpol_path path)
{
	struct mempolicy *pol = __get_vma_policy(tsk, vma, addr, path);
	return pol ? pol : get_task_policy(tsk);
}

/* ---- node choice ---- */

/* policy_node: the preferred node of an allocation (nd: the CPU's node). */
static int policy_node(const struct mempolicy *pol, int nd)
{
	if (pol->mode == MPOL_PREFERRED)
		nd = first_node(pol->nodes);
	if ((pol->mode == MPOL_BIND || pol->mode == MPOL_PREFERRED_MANY) &&
	    pol->home_node != NUMA_NO_NODE)
		return pol->home_node;
	return nd;
}

/* policy_nodemask: BIND applies to the policy zone only (requests for lower zones
 * ignore it); PREFERRED_MANY's first pass. 0 = no mask. */
static u64 policy_nodemask(gfp_t gfp, const struct mempolicy *pol)
{
	if (pol->mode == MPOL_BIND && gfp_zone(gfp) >= ZONE_NORMAL)
		return pol->nodes;
	if (pol->mode == MPOL_PREFERRED_MANY)
		return pol->nodes;
	return 0;
}

static bool mpol_interleaves(const struct mempolicy *pol)
{
	return pol->mode == MPOL_INTERLEAVE || pol->mode == MPOL_WEIGHTED_INTERLEAVE;
}

static unsigned get_il_weight(struct task *tsk, int nid)
{
	u8 w = MS(tsk->sim)->iw_table[nid];
	return w ? w : 1;
}

/* weighted_interleave_nodes: il_weight pages on il_prev, then the next node. */
static int weighted_interleave_nodes(struct task *tsk, const struct mempolicy *pol)
{
	int node = tsk->il_prev;
	if (!tsk->il_weight || node >= MAX_NUMNODES || !(pol->nodes >> node & 1)) {
		node = next_node_in(node, pol->nodes);
		if (node == MAX_NUMNODES)
			return node;
		tsk->il_prev = node;
		tsk->il_weight = get_il_weight(tsk, node);
	}
	tsk->il_weight--;
	return node;
}

/* weighted_interleave_nid: the node whose share of the total weight holds ilx. */
static int weighted_interleave_nid(struct task *tsk, const struct mempolicy *pol, u64 ilx)
{
	if (!pol->nodes)
		return (int)tsk->node;
	u64 total = 0;
	for (int n = 0; n < 64; n++)
		if (pol->nodes >> n & 1)
			total += get_il_weight(tsk, n);
	u64 target = ilx % total;
	int nid = first_node(pol->nodes);
	while (target) {
		unsigned w = get_il_weight(tsk, nid);
		if (target < w)
			break;
		target -= w;
		nid = next_node_in(nid, pol->nodes);
	}
	return nid;
}

/* interleave_nodes: the task's cursor il_prev advances to the next node of the mask. */
static int interleave_nodes(struct task *tsk, const struct mempolicy *pol)
{
	if (pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		return weighted_interleave_nodes(tsk, pol);
	int nid = next_node_in(tsk->il_prev, pol->nodes);
	if (nid < MAX_NUMNODES)
		tsk->il_prev = nid;
	return nid;
}

/* offset_il_node: the (n mod |nodes|)-th node, n truncated to 32 bits. */
static int offset_il_node(struct task *tsk, const struct mempolicy *pol, u64 n)
{
	unsigned nnodes = (unsigned)__builtin_popcountll(pol->nodes);
	if (!nnodes)
		return (int)tsk->node;
	return nth_node(pol->nodes, (u32)n % nnodes);
}

static int interleave_nid(struct task *tsk, const struct mempolicy *pol,
			  const struct vm_area_struct *vma, u64 addr, unsigned shift)
{
	if (!vma)
		return interleave_nodes(tsk, pol);
	u64 off = vma->vm_pgoff >> (shift - PAGE_SHIFT);
	off += (addr - vma->vm_start) >> shift;
	if (pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		return weighted_interleave_nid(tsk, pol, off);
	return offset_il_node(tsk, pol, off);
}

/* alloc_page_interleave: interleave_hit when the page came from the target node. */
static u64 alloc_page_interleave(struct task *tsk, gfp_t gfp, unsigned order, int nid)
{
	MS(tsk->sim)->st.interleave_allocs++;
	u64 pfn = __alloc_pages(tsk, gfp, order, nid, 0);
	if (pfn != PFN_NONE && page_to_nid(tsk->sim->phys, pfn) == (unsigned)nid &&
	    (!tsk->sim->scn || tsk->sim->scn->kernel.vm.numa_stat == NUMA_STAT_ON))
		__mod_node_state(tsk->sim->vmstat, (unsigned)nid, NUMA_INTERLEAVE_HIT, 1);
	return pfn;
}

/* alloc_pages_preferred_many: the policy's nodes first without direct reclaim, then
 * every node. */
static u64 alloc_pages_preferred_many(struct task *tsk, gfp_t gfp, unsigned order, int nid,
				      const struct mempolicy *pol)
{
	u64 pfn = __alloc_pages(tsk, (gfp | __GFP_NOWARN) & ~__GFP_DIRECT_RECLAIM, order, nid,
				pol->nodes);
	if (pfn == PFN_NONE)
		pfn = __alloc_pages(tsk, gfp, order, nid, 0);
	return pfn;
}

/* Allocate by an already looked-up policy for addr of vma (vma NULL: task context). */
static u64 alloc_by_policy(struct task *tsk, gfp_t gfp, unsigned order, struct mempolicy *pol,
			   const struct vm_area_struct *vma, u64 addr)
{
	if (mpol_interleaves(pol))
		return alloc_page_interleave(tsk, gfp, order,
					     interleave_nid(tsk, pol, vma, addr, PAGE_SHIFT + order));
	int nd = policy_node(pol, (int)tsk->node);
	if (pol->mode == MPOL_PREFERRED_MANY)
		return alloc_pages_preferred_many(tsk, gfp, order, nd, pol);
	u64 mask = policy_nodemask(gfp, pol);
	u64 pfn = __alloc_pages(tsk, gfp, order, nd, mask);
	/* reference §8.4: a page allocated under BIND lies in the bound set */
	if (mask && pfn != PFN_NONE && !(mask >> page_to_nid(tsk->sim->phys, pfn) & 1))
		finding_report(tsk->sim->findings, FINDING_INVARIANT, task_now(tsk),
			       "mempolicy: a page allocated under BIND 0x%llx came from node %u",
			       (unsigned long long)mask, page_to_nid(tsk->sim->phys, pfn));
	return pfn;
}

u64 alloc_pages_vma(struct task *tsk, gfp_t gfp, unsigned order, struct vm_area_struct *vma,
		    u64 addr, enum mpol_path path)
{
	struct mempolicy *pol = get_vma_policy(tsk, vma, addr, path);
	/* pre-2.6.24: alloc_page_vma never dropped the shared reference new_vma_page's
	 * lookup took (seed 000 (a)); shmem's own paths dropped theirs themselves */
	bool leak = path == MPOL_PATH_MIGRATION && MS(tsk->sim)->leaky &&
		    (pol->flags & MPOL_F_SHARED);
	if (mpol_interleaves(pol)) {
		int nid = interleave_nid(tsk, pol, vma, addr, PAGE_SHIFT + order);
		/* the interim code's INTERLEAVE branch returned without its put (seed 000 (d)) */
		if (!leak && !MS(tsk->sim)->botched)
			mpol_cond_put(tsk, pol, path);
		return alloc_page_interleave(tsk, gfp, order, nid);
	}
	u64 pfn = alloc_by_policy(tsk, gfp, order, pol, vma, addr);
	if (!leak)
		mpol_cond_put(tsk, pol, path);   /* BIND: after the allocation used its mask */
	return pfn;
}

u64 vma_alloc_hugepage(struct task *tsk, gfp_t gfp, unsigned order, struct vm_area_struct *vma,
		       u64 addr)
{
	struct mempolicy *pol = get_vma_policy(tsk, vma, addr, MPOL_PATH_FAULT);
	u64 pfn;
	if (mpol_interleaves(pol) || pol->mode == MPOL_PREFERRED_MANY) {
		/* interleaved by huge-page index; PREFERRED_MANY as for small pages */
		pfn = alloc_by_policy(tsk, gfp, order, pol, vma, addr);
		mpol_cond_put(tsk, pol, MPOL_PATH_FAULT);
		return pfn;
	}
	int nd = policy_node(pol, (int)tsk->node);
	u64 mask = policy_nodemask(gfp, pol);
	if (!mask || (mask >> nd & 1)) {
		mpol_cond_put(tsk, pol, MPOL_PATH_FAULT);
		/* the preferred node alone first, compacting but not reclaiming there */
		pfn = __alloc_pages(tsk, gfp | __GFP_THISNODE | __GFP_NORETRY, order, nd, 0);
		/* defrag=always or a madvised VMA: any allowed node, reclaim and compaction */
		if (pfn == PFN_NONE && (gfp & __GFP_DIRECT_RECLAIM))
			pfn = __alloc_pages(tsk, gfp, order, nd, mask);
		return pfn;
	}
	/* BIND without the preferred node: the bound nodes in the preferred node's order */
	pfn = alloc_by_policy(tsk, gfp, order, pol, vma, addr);
	mpol_cond_put(tsk, pol, MPOL_PATH_FAULT);
	return pfn;
}

u64 alloc_pages_task(struct task *tsk, gfp_t gfp, unsigned order)
{
	if (gfp & __GFP_THISNODE)
		return __alloc_pages(tsk, gfp, order, (int)tsk->node, 0);
	return alloc_by_policy(tsk, gfp, order, get_task_policy(tsk), NULL, 0);
}

u64 shmem_alloc_page(struct task *tsk, gfp_t gfp, struct inode *inode, u64 index)
{
	/* a pseudo VMA carrying the shared policy of index, its offset biased by i_ino */
	struct vm_area_struct pvma = { .vm_start = 0, .vm_end = PAGE_SIZE,
				       .vm_pgoff = index + inode->id };
	pvma.vm_policy = mpol_shared_policy_lookup(tsk, inode, index, MPOL_PATH_SHMEM_LOOKUP);
	struct mempolicy *pol = pvma.vm_policy;
	/* the interim design: get_vma_policy referenced the pseudo VMA's policy again */
	bool extra = pol && MS(tsk->sim)->always;
	if (extra)
		mpol_get(tsk, pol, MPOL_PATH_FAULT);
	if (!pol)
		pol = get_task_policy(tsk);
	u64 pfn = alloc_by_policy(tsk, gfp, 0, pol, &pvma, 0);
	/* alloc_page_vma's put; the interim INTERLEAVE branch had none (seed 000 (d)) */
	if (extra && !(MS(tsk->sim)->botched && mpol_interleaves(pol)))
		mpol_put(tsk, pol, MPOL_PATH_FAULT);
	if (pvma.vm_policy)
		mpol_put(tsk, pvma.vm_policy, MPOL_PATH_SHMEM_LOOKUP);   /* the lookup's */
	return pfn;
}

int huge_node(struct task *tsk, struct vm_area_struct *vma, u64 addr, u64 *nodemask, bool *many)
{
	struct mempolicy *pol = get_vma_policy(tsk, vma, addr, MPOL_PATH_HUGETLB);
	int nid;
	*nodemask = 0;
	*many = false;
	if (mpol_interleaves(pol)) {
		nid = interleave_nid(tsk, pol, vma, addr, PAGE_SHIFT + 9);
		if (MS(tsk->sim)->botched && !mpol_needs_cond_ref(tsk, pol) && !pol->is_static) {
			/* the interim huge_zonelist dropped a reference of every interleave
			 * policy, the task's own too, which it never took (seed 000 (d)): an
			 * over-put, counted and reported; the count is left as the owners'
			 * (the kernel would free the policy still installed) */
			MS(tsk->sim)->st.overputs++;
			char str[64];
			mpol_to_str(str, sizeof(str), pol);
			finding_report(tsk->sim->findings, FINDING_COUNTER_DRIFT, task_now(tsk),
				       "mempolicy #%u (%s): dropped by hugetlb (huge_zonelist) without a "
				       "reference: its count would fall below its owners' (freed while "
				       "installed)", pol->id, str);
			return nid;
		}
	} else {
		nid = policy_node(pol, (int)tsk->node);
		if (pol->mode == MPOL_BIND || pol->mode == MPOL_PREFERRED_MANY)
			*nodemask = pol->nodes;
		*many = pol->mode == MPOL_PREFERRED_MANY;
	}
	mpol_cond_put(tsk, pol, MPOL_PATH_HUGETLB);
	return nid;
}

u64 init_nodemask_of_mempolicy(struct task *tsk)
{
	const struct mempolicy *pol = tsk->mempolicy;
	if (!pol)
		return 0;
	return pol->mode == MPOL_LOCAL ? 1ULL << tsk->node : pol->nodes;
}

/* ---- sysfs ---- */

int mempolicy_sysctl(struct task *tsk, const char *path, u64 val, bool *known)
{
	static const char dir[] = "/sys/kernel/mm/mempolicy/weighted_interleave/node";
	*known = false;
	if (strncmp(path, dir, sizeof(dir) - 1))
		return 0;
	char *end;
	unsigned long n = strtoul(path + sizeof(dir) - 1, &end, 10);
	if (end == path + sizeof(dir) - 1 || *end || n >= tsk->sim->phys->nr_nodes)
		return 0;   /* no such file */
	*known = true;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (!val || val > 255)
		return -MM_EINVAL;   /* kstrtou8, and 0 is refused */
	MS(tsk->sim)->iw_table[n] = (u8)val;
	return 0;
}

/* ---- system calls ---- */

long do_set_mempolicy(struct task *tsk, unsigned mode_flags, u64 nodemask)
{
	struct mempolicy *new;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	int err = mpol_new(tsk, mode_flags, nodemask, &new);
	if (err)
		return err;
	/* task_lock: only the task itself changes its policy */
	struct mempolicy *old = tsk->mempolicy;
	tsk->mempolicy = new;
	if (new && mpol_interleaves(new)) {
		tsk->il_prev = MAX_NUMNODES - 1;
		tsk->il_weight = 0;
	}
	mpol_put(tsk, old, MPOL_PATH_INSTALL);
	return 0;
}

/* The entry of addr (a huge PMD's for a huge page), 0 when none. */
static pte_t addr_pte(struct mm_struct *mm, u64 addr)
{
	struct pmd_slot *s = pmd_lookup(mm, addr);
	if (!s)
		return 0;
	if (s->kind == PMD_HUGE)
		return s->huge;
	if (s->kind != PMD_TABLE)
		return 0;
	return pte_get(s->table, pte_index(addr));
}

/* The page mapped at addr (not the zero page), or PFN_NONE. */
static u64 addr_page(struct mm_struct *mm, u64 addr)
{
	pte_t p = addr_pte(mm, addr);
	if (!(p & PTE_PRESENT) || (p & PTE_ZERO))
		return PFN_NONE;
	return pte_pfn(p);
}

long do_get_mempolicy(struct task *tsk, struct mm_struct *mm, int *mode, u64 *nodemask, u64 addr,
		      unsigned flags)
{
	struct mpol_state *ms = MS(tsk->sim);
	struct mempolicy *pol = tsk->mempolicy;
	struct vm_area_struct *vma = NULL;
	bool locked = false;
	long err = 0;
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	*mode = 0;
	*nodemask = 0;
	if (flags & ~(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -MM_EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -MM_EINVAL;
		*nodemask = memory_nodes(tsk->sim);
		return 0;
	}
	if (flags & MPOL_F_ADDR) {
		down_read(tsk, &mm->mmap_lock);
		locked = true;
		vma = vma_lookup(mm, addr);
		if (!vma) {
			up_read(tsk, &mm->mmap_lock);
			return -MM_EFAULT;
		}
		if (vma_has_shared_policy(vma)) {
			u64 idx = ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
			pol = mpol_shared_policy_lookup(tsk, vma->vm_file, idx, MPOL_PATH_GET_MEMPOLICY);
		} else {
			pol = vma->vm_policy;
		}
	} else if (addr) {
		return -MM_EINVAL;
	}
	if (!pol)
		pol = &default_policy;
	struct mempolicy *pinned = NULL;
	if (flags & MPOL_F_NODE) {
		if (flags & MPOL_F_ADDR) {
			/* a real reference while mmap_lock is dropped for the GUP fault-in */
			pinned = pol;
			mpol_get(tsk, pinned, MPOL_PATH_GET_MEMPOLICY);
			up_read(tsk, &mm->mmap_lock);
			locked = false;
			u64 pfn = addr_page(mm, addr);
			if (pfn == PFN_NONE) {
				s64 r = touch_range(tsk, mm, addr, 1, false);
				if (r < 0) {
					err = r == -MM_ENOMEM ? -MM_ENOMEM : -MM_EFAULT;
					goto out;
				}
				pfn = addr_page(mm, addr);
			}
			if (pfn == PFN_NONE) {
				/* a read fault mapped the zero page: its node is node 0's */
				*mode = 0;
			} else {
				*mode = (int)page_to_nid(tsk->sim->phys, pfn);
			}
		} else if (pol == tsk->mempolicy && pol->mode == MPOL_INTERLEAVE) {
			*mode = next_node_in(tsk->il_prev, pol->nodes);
		} else if (pol == tsk->mempolicy && pol->mode == MPOL_WEIGHTED_INTERLEAVE) {
			*mode = tsk->il_weight ? tsk->il_prev : next_node_in(tsk->il_prev, pol->nodes);
		} else {
			err = -MM_EINVAL;
			goto out;
		}
	} else {
		*mode = pol == &default_policy ? MPOL_DEFAULT : pol->mode;
		*mode |= pol->flags & MPOL_MODE_FLAGS;
	}
	if (mpol_store_user_nodemask(pol))
		*nodemask = pol->user_nodemask;
	else if (pol->mode != MPOL_LOCAL)
		*nodemask = pol->nodes;
out:
	/* pre-2.6.24: the shared policy's reference was never dropped here */
	if (!(ms->leaky && (pol->flags & MPOL_F_SHARED)))
		if (pol->flags & MPOL_F_SHARED)
			mpol_put(tsk, pol, MPOL_PATH_GET_MEMPOLICY);
	if (locked)
		up_read(tsk, &mm->mmap_lock);
	if (pinned)
		mpol_put(tsk, pinned, MPOL_PATH_GET_MEMPOLICY);
	return err;
}

/* Whether [start, end) is covered by VMAs. */
static bool range_covered(struct mm_struct *mm, u64 start, u64 end)
{
	u64 a = start;
	while (a < end) {
		struct vm_area_struct *v = find_vma(mm, a);
		if (!v || v->vm_start > a)
			return false;
		a = v->vm_end;
	}
	return true;
}

/* ---- page migration for mbind / migrate_pages / move_pages ---- */

struct mpol_pagelist {
	u64 *pfn, *addr;
	u32 nr, cap;
};

static void pagelist_add(struct mpol_pagelist *l, u64 pfn, u64 addr)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->pfn = xrealloc(l->pfn, l->cap * sizeof(*l->pfn));
		l->addr = xrealloc(l->addr, l->cap * sizeof(*l->addr));
	}
	l->pfn[l->nr] = pfn;
	l->addr[l->nr++] = addr;
}

static void pagelist_free(struct mpol_pagelist *l)
{
	free(l->pfn);
	free(l->addr);
}

/* isolate_lru_page for migration: an LRU page nobody else pins. */
static bool isolate_for_migration(struct task *tsk, u64 pfn)
{
	struct page_desc *p = pfn_to_page(tsk->sim->phys, pfn);
	if (!(p->flags & PG_lru) || (p->flags & (PG_isolated | PG_head)) || !p->refcount)
		return false;
	if ((p->flags & PG_anon) && p->refcount > p->mapcount)
		return false;
	if (!isolate_lru_page(tsk, pfn, false))
		return false;
	p->flags |= PG_isolated;
	p->refcount++;
	return true;
}

static void putback_isolated(struct task *tsk, u64 pfn)
{
	struct page_desc *p = pfn_to_page(tsk->sim->phys, pfn);
	if (p->flags & PG_transhuge) {
		/* a whole THP: back on the LRU, the isolation reference on its head dropped */
		p->flags &= ~PG_isolated;
		putback_lru_page(tsk, pfn);
		p->refcount--;
		return;
	}
	p->flags &= ~PG_isolated;
	if (p->refcount > 1)
		putback_lru_page(tsk, pfn);
	__free_pages(tsk, pfn, 0);
}

/* Move one isolated page to a new page (target node, or by the VMA's policy at addr
 * when target < 0). 0 on success. */
static int migrate_one(struct task *tsk, struct vm_area_struct *vma, u64 pfn, u64 addr, int target)
{
	struct phys_mem *pm = tsk->sim->phys;
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL;
	u64 new = target >= 0 ? __alloc_pages(tsk, gfp | __GFP_THISNODE, 0, target, 0)
			      : alloc_pages_vma(tsk, gfp, 0, vma, addr, MPOL_PATH_MIGRATION);
	if (new == PFN_NONE) {
		/* no target page: the page goes back where it was (putback_movable_pages) */
		putback_isolated(tsk, pfn);
		MS(tsk->sim)->st.mbind_failed++;
		count_vm_event(tsk, PGMIGRATE_FAIL);
		return -MM_ENOMEM;
	}
	set_page_request_mt(pm, new, page_mt(pfn_to_page(pm, pfn)));
	int r = pm->hooks.migrate_page ? pm->hooks.migrate_page(pm->hooks.migrate_arg, tsk, pfn, new)
				       : -MM_EAGAIN;
	if (r == 0) {
		putback_lru_page(tsk, new);
		pfn_to_page(pm, pfn)->flags &= ~PG_isolated;
		__free_pages(tsk, pfn, 0);
		MS(tsk->sim)->st.mbind_migrated++;
		count_vm_event(tsk, PGMIGRATE_SUCCESS);
		return 0;
	}
	__free_pages(tsk, new, 0);
	if (r == -MM_ENOENT) {
		pfn_to_page(pm, pfn)->flags &= ~PG_isolated;
		__free_pages(tsk, pfn, 0);
		return 0;
	}
	putback_isolated(tsk, pfn);
	MS(tsk->sim)->st.mbind_failed++;
	count_vm_event(tsk, PGMIGRATE_FAIL);
	return r;
}

/* isolate_lru_page of a THP's head for migration (the whole THP: it is on the LRU as one
 * 512-page entry); the isolation reference sits on the head. */
static bool isolate_thp_for_migration(struct task *tsk, u64 head)
{
	struct page_desc *p = pfn_to_page(tsk->sim->phys, head);
	if (!(p->flags & PG_lru) || (p->flags & PG_isolated) || !p->refcount)
		return false;
	if (!isolate_lru_page(tsk, head, false))
		return false;
	p->flags |= PG_isolated;
	p->refcount++;
	return true;
}

/* The node a THP for addr of vma goes to under the VMA's policy (new_page /
 * alloc_hugepage_vma): the interleave target by huge-page index, else the preferred node
 * when allowed, else the first allowed node of the preferred node's zonelist. */
static int thp_policy_node(struct task *tsk, struct vm_area_struct *vma, u64 addr)
{
	struct mempolicy *pol = get_vma_policy(tsk, vma, addr, MPOL_PATH_MIGRATION);
	int nd;
	if (mpol_interleaves(pol)) {
		nd = interleave_nid(tsk, pol, vma, addr, PAGE_SHIFT + HPAGE_PMD_ORDER);
	} else {
		nd = policy_node(pol, (int)tsk->node);
		u64 mask = pol->mode == MPOL_PREFERRED_MANY ? pol->nodes
							    : policy_nodemask(GFP_TRANSHUGE, pol);
		if (mask && !(mask >> nd & 1)) {
			const struct pglist_data *pg = tsk->sim->phys->node_data[nd];
			for (unsigned i = 0; i < pg->nr_zonelist; i++) {
				unsigned n = pg->zonelist[i]->zone_pgdat->node_id;
				if (mask >> n & 1) {
					nd = (int)n;
					break;
				}
			}
		}
	}
	mpol_cond_put(tsk, pol, MPOL_PATH_MIGRATION);
	return nd;
}

/* Migrate an isolated THP (head at haddr of vma) whole to target (< 0: by the VMA's
 * policy), as 6.1 does on x86-64 (THP migration); when the target node has no free huge
 * page the THP is split and its pages move one by one. Returns the pages not moved. */
static unsigned migrate_one_thp(struct task *tsk, struct vm_area_struct *vma, u64 head, u64 haddr,
				int target)
{
	int nid = target >= 0 ? target : thp_policy_node(tsk, vma, haddr);
	u64 nh;
	struct u64_vec tails = { 0 };
	int r = migrate_thp(tsk, head, nid, &nh, &tails);
	if (r == 0) {
		putback_isolated(tsk, nh);   /* the new THP, isolated with the caller's reference */
		MS(tsk->sim)->st.mbind_migrated += HPAGE_PMD_NR;
		return 0;
	}
	if (r != -MM_ENOMEM) {
		putback_isolated(tsk, head);
		MS(tsk->sim)->st.mbind_failed += HPAGE_PMD_NR;
		return HPAGE_PMD_NR;
	}
	/* split: the head and the mapped tails are isolated 4 KiB pages now */
	unsigned failed = 0;
	u64_vec_push(&tails, head);
	for (u32 i = 0; i < tails.n; i++) {
		u64 pfn = tails.v[i];
		if (migrate_one(tsk, vma, pfn, haddr + (pfn - head) * PAGE_SIZE, target))
			failed++;
	}
	free(tails.v);
	return failed;
}

/* Migrate an isolated page queued at addr: a THP whole, else one page. 0 on success. */
static int migrate_queued(struct task *tsk, struct vm_area_struct *vma, u64 pfn, u64 addr,
			  int target)
{
	if (pfn_to_page(tsk->sim->phys, pfn)->flags & PG_transhuge)
		return migrate_one_thp(tsk, vma, pfn, addr, target) ? -MM_EBUSY : 0;
	return migrate_one(tsk, vma, pfn, addr, target);
}

/* Isolate the page mapped at addr for migration; for a page of a THP the whole THP (its
 * head) is isolated and *pfn, *addr become the head's. False when it cannot be isolated. */
static bool isolate_mapped_for_migration(struct task *tsk, u64 *pfn, u64 *addr)
{
	struct page_desc *p = pfn_to_page(tsk->sim->phys, *pfn);
	if (!page_is_thp(p))
		return isolate_for_migration(tsk, *pfn);
	u64 head = thp_head(*pfn);
	*addr -= (*pfn - head) * PAGE_SIZE;
	*pfn = head;
	return isolate_thp_for_migration(tsk, head);
}

/* page_mapcount of what migration moves: a THP's compound mapcount plus its head's own
 * PTE mappings, or the page's mapcount. */
static u32 migration_mapcount(struct phys_mem *pm, u64 pfn)
{
	struct page_desc *p = pfn_to_page(pm, pfn);
	if (!page_is_thp(p))
		return p->mapcount;
	struct page_desc *h = pfn_to_page(pm, thp_head(pfn));
	return compound_mapcount(h) + h->mapcount;
}

/* queue_pages_range: walk the present pages of [start, end); a page on a node outside
 * nmask is misplaced. STRICT without MOVE: -EIO at the first one. MOVE queues pages
 * mapped once, MOVE_ALL every one. Returns 1 when a misplaced page could not be queued,
 * else 0. */
static int queue_pages_range(struct task *tsk, struct mm_struct *mm, u64 start, u64 end, u64 nmask,
			     unsigned flags, struct mpol_pagelist *l)
{
	struct phys_mem *pm = tsk->sim->phys;
	bool unmovable = false;
	if (!(flags & (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
		return 0;
	u64 last_thp = PFN_NONE;
	for (u64 a = start; a < end; a += PAGE_SIZE) {
		struct vm_area_struct *v = vma_lookup(mm, a);
		if (!v)
			continue;
		if (v->vm_flags & VM_HUGETLB) {
			a = v->vm_end - PAGE_SIZE;   /* hugetlb pages: not modelled here */
			continue;
		}
		u64 pfn = addr_page(mm, a);
		if (pfn == PFN_NONE)
			continue;
		struct page_desc *p = pfn_to_page(pm, pfn);
		if (page_is_thp(p)) {
			/* a THP is queued (or refused) once, whole, by its first page met */
			if (thp_head(pfn) == last_thp)
				continue;
			last_thp = thp_head(pfn);
		}
		if (nmask >> page_to_nid(pm, pfn) & 1)
			continue;
		if (!(flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
			return -MM_EIO;
		if ((flags & MPOL_MF_MOVE_ALL) || migration_mapcount(pm, pfn) == 1) {
			u64 qa = a;
			if (!isolate_mapped_for_migration(tsk, &pfn, &qa)) {
				if (flags & MPOL_MF_STRICT)
					return -MM_EIO;
				unmovable = true;
			} else {
				pagelist_add(l, pfn, qa);
			}
		}
	}
	return unmovable ? 1 : 0;
}

long do_mbind(struct task *tsk, struct mm_struct *mm, u64 start, u64 len, unsigned mode_flags,
	      u64 nodemask, unsigned flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (flags & ~MPOL_MF_VALID)
		return -MM_EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	if ((mode_flags & ~MPOL_MODE_FLAGS) == MPOL_DEFAULT)
		flags &= ~MPOL_MF_STRICT;
	len = ALIGN_UP(len, PAGE_SIZE);
	u64 end = start + len;
	if (end < start)
		return -MM_EINVAL;
	if (end == start)
		return 0;
	struct mempolicy *new;
	int err = mpol_new(tsk, mode_flags, nodemask, &new);
	if (err)
		return err;
	struct mpol_pagelist l = { 0 };
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		lru_add_drain(tsk);   /* lru_cache_disable: batched pages reach their lists */
	down_write(tsk, &mm->mmap_lock);
	/* a hole is an error unless the policy is the default */
	if (new && !range_covered(mm, start, end)) {
		err = -MM_EFAULT;
		goto out;
	}
	int q = queue_pages_range(tsk, mm, start, end, nodemask, flags, &l);
	if (q < 0) {
		err = q;
		goto out;
	}
	err = mbind_range(tsk, mm, start, end, new);
	if (!err) {
		unsigned failed = 0;
		for (u32 i = 0; i < l.nr; i++) {
			struct vm_area_struct *v = vma_lookup(mm, l.addr[i]);
			if (!v || migrate_queued(tsk, v, l.pfn[i], l.addr[i], -1))
				failed++;
		}
		l.nr = 0;
		if (q > 0 || (failed && (flags & MPOL_MF_STRICT)))
			err = -MM_EIO;
	}
out:
	for (u32 i = 0; i < l.nr; i++)
		putback_isolated(tsk, l.pfn[i]);
	up_write(tsk, &mm->mmap_lock);
	pagelist_free(&l);
	mpol_put(tsk, new, MPOL_PATH_INSTALL);
	return err;
}

long set_mempolicy_home_node(struct task *tsk, struct mm_struct *mm, u64 start, u64 len,
			     int home_node, unsigned flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (start & (PAGE_SIZE - 1))
		return -MM_EINVAL;
	if (flags)
		return -MM_EINVAL;
	if (home_node < 0 || (unsigned)home_node >= tsk->sim->phys->nr_nodes)
		return -MM_EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	u64 end = start + len;
	if (end < start)
		return -MM_EINVAL;
	if (end == start)
		return 0;
	long err = -MM_ENOENT;   /* no VMA in the range has a policy to update */
	down_write(tsk, &mm->mmap_lock);
	for (u64 a = start; a < end;) {
		struct vm_area_struct *v = find_vma(mm, a);
		if (!v || v->vm_start >= end)
			break;
		struct mempolicy *old = v->vm_policy;
		if (!old) {
			a = v->vm_end;
			continue;
		}
		if (old->mode != MPOL_BIND && old->mode != MPOL_PREFERRED_MANY) {
			err = -MM_EOPNOTSUPP;
			break;
		}
		struct mempolicy *new = mpol_dup(tsk, old);
		new->home_node = home_node;
		u64 s = max(a, v->vm_start), e = min(end, v->vm_end);
		err = mbind_range(tsk, mm, s, e, new);
		mpol_put(tsk, new, MPOL_PATH_INSTALL);
		if (err)
			break;
		a = e;
	}
	up_write(tsk, &mm->mmap_lock);
	return err;
}

long kernel_migrate_pages(struct task *tsk, struct mm_struct *mm, u64 old_nodes, u64 new_nodes)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	u64 all = memory_nodes(tsk->sim);
	if ((new_nodes & ~all) || !mm)
		return -MM_EINVAL;
	old_nodes &= all;
	/* do_migrate_pages: a page on source node s of old goes to node_remap(s, old, new),
	 * the (k mod |new|)-th node of new for the k-th node of old; when |old| != |new| a
	 * source that is also in new stays. Each page moves once (its address is visited
	 * once), which is what the kernel's ordering of the (source, dest) pairs ensures.
	 * The caller is privileged: shared pages move too (MPOL_MF_MOVE_ALL). */
	unsigned nold = (unsigned)__builtin_popcountll(old_nodes);
	unsigned nnew = (unsigned)__builtin_popcountll(new_nodes);
	if (!nold || !nnew || old_nodes == new_nodes)
		return 0;
	long failed = 0;
	lru_add_drain(tsk);
	down_read(tsk, &mm->mmap_lock);
	struct phys_mem *pm = tsk->sim->phys;
	for (u32 i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		if (v->vm_flags & VM_HUGETLB)
			continue;   /* hugetlb migration: not modelled */
		u64 last_thp = PFN_NONE;
		for (u64 a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
			u64 pfn = addr_page(mm, a);
			if (pfn == PFN_NONE)
				continue;
			if (page_is_thp(pfn_to_page(pm, pfn))) {
				if (thp_head(pfn) == last_thp)
					continue;   /* the THP moved (or stayed) whole */
				last_thp = thp_head(pfn);
			}
			unsigned nid = page_to_nid(pm, pfn);
			if (!(old_nodes >> nid & 1))
				continue;
			if (nold != nnew && (new_nodes >> nid & 1))
				continue;
			unsigned k = (unsigned)__builtin_popcountll(old_nodes & ((1ULL << nid) - 1));
			int dest = nth_node(new_nodes, k % nnew);
			if (dest == (int)nid)
				continue;
			u64 qa = a;
			if (!isolate_mapped_for_migration(tsk, &pfn, &qa))
				failed++;
			else if (pfn_to_page(pm, pfn)->flags & PG_transhuge)
				failed += migrate_one_thp(tsk, v, pfn, qa, dest);
			else if (migrate_one(tsk, v, pfn, qa, dest))
				failed++;
		}
	}
	up_read(tsk, &mm->mmap_lock);
	return failed;
}

long kernel_move_page(struct task *tsk, struct mm_struct *mm, u64 addr, int node, unsigned flags)
{
	charge(tsk, tsk->sim->cost->syscall_entry_ns);
	if (flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -MM_EINVAL;
	/* the whole call fails: EINVAL beyond MAX_NUMNODES (1024 in Debian's kernels),
	 * ENODEV for a node number without memory */
	if (node >= 1024)
		return -MM_EINVAL;
	if (node >= 0 && (unsigned)node >= tsk->sim->phys->nr_nodes)
		return -MM_ENODEV;
	long status;
	if (node >= 0)
		lru_add_drain(tsk);
	down_read(tsk, &mm->mmap_lock);
	struct vm_area_struct *v = vma_lookup(mm, addr);
	u64 pfn = v ? addr_page(mm, addr & ~(PAGE_SIZE - 1)) : PFN_NONE;
	if (!v) {
		status = -MM_EFAULT;
	} else if (pfn == PFN_NONE) {
		/* follow_page(FOLL_DUMP): a swap entry is no page (ENOENT); the zero page, and
		 * an empty PTE of an anonymous VMA (no fault handler), are EFAULT; an empty PTE
		 * of a file or shmem VMA is ENOENT */
		pte_t p = addr_pte(mm, addr);
		bool swap = p && !(p & PTE_PRESENT);
		bool zero = (p & PTE_PRESENT) && (p & PTE_ZERO);
		status = swap || (!zero && v->vm_file) ? -MM_ENOENT : -MM_EFAULT;
	} else {
		unsigned nid = page_to_nid(tsk->sim->phys, pfn);
		status = (long)nid;
		if (node >= 0 && (unsigned)node != nid) {
			if (v->vm_flags & VM_HUGETLB) {
				status = -MM_EBUSY;
			} else if (!(flags & MPOL_MF_MOVE_ALL) &&
				   migration_mapcount(tsk->sim->phys, pfn) > 1) {
				status = -MM_EACCES;
			} else {
				/* a page of a THP moves the whole THP (add_page_for_migration
				 * isolates the head) */
				u64 qa = addr & ~(PAGE_SIZE - 1);
				if (!isolate_mapped_for_migration(tsk, &pfn, &qa))
					status = -MM_EBUSY;
				else
					status = migrate_queued(tsk, v, pfn, qa, node) ? -MM_EBUSY
											: node;
			}
		}
	}
	up_read(tsk, &mm->mmap_lock);
	return status;
}

void numa_maps_policy(struct task *tsk, struct vm_area_struct *vma, char *buf, size_t len)
{
	struct mempolicy *pol = __get_vma_policy(tsk, vma, vma->vm_start, MPOL_PATH_NUMA_MAPS);
	if (pol) {
		mpol_to_str(buf, len, pol);
		/* pre-2.6.24: show_numa_map never dropped the shared policy's reference */
		if (!(MS(tsk->sim)->leaky && (pol->flags & MPOL_F_SHARED)))
			mpol_cond_put(tsk, pol, MPOL_PATH_NUMA_MAPS);
	} else {
		mpol_to_str(buf, len, get_task_policy(tsk));
	}
}

/* ---- the checker ---- */

static void leak_paths_str(const u32 *refs, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned p = 0; p < NR_MPOL_PATHS && n < len; p++)
		if (refs[p])
			n += (size_t)snprintf(buf + n, len - n, "%s%s %u", n ? ", " : "",
					      path_names[p], refs[p]);
}

bool mempolicy_task_holds_refs(struct task *tsk)
{
	struct mpol_state *ms = MS(tsk->sim);
	if (!ms || tsk->id >= ms->nr_task_refs)
		return false;
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++)
		if (ms->task_refs[tsk->id][p])
			return true;
	return false;
}

/* After an op of tsk: the references it took in use must all be dropped. */
void mempolicy_check_task(struct task *tsk, const char *after)
{
	struct mpol_state *ms = MS(tsk->sim);
	if (!ms || tsk->id >= ms->nr_task_refs)
		return;
	u32 *refs = ms->task_refs[tsk->id];
	u32 sum = 0;
	for (unsigned p = 0; p < NR_MPOL_PATHS; p++)
		sum += refs[p];
	if (!sum)
		return;
	char paths[256];
	leak_paths_str(refs, paths, sizeof(paths));
	finding_report(tsk->sim->findings, FINDING_REF_LEAK, task_now(tsk),
		       "mempolicy: %u reference(s) taken during %s never dropped (%s)", sum, after,
		       paths);
	memset(refs, 0, sizeof(u32) * NR_MPOL_PATHS);   /* reported once */
}

/* Reference §5/§8.5: per node hit + miss = local + other; the misses of all nodes are
 * their foreigns; interleave hits no more than interleaved allocations. */
static unsigned check_numa_counters(struct sim *sim, u64 now_ns)
{
	const struct vmstat *vs = sim->vmstat;
	s64 miss = 0, foreign = 0, il = 0;
	unsigned bad = 0;
	for (unsigned n = 0; n < sim->phys->nr_nodes; n++) {
		s64 h = node_page_state(vs, n, NUMA_HIT), m = node_page_state(vs, n, NUMA_MISS);
		s64 l = node_page_state(vs, n, NUMA_LOCAL), o = node_page_state(vs, n, NUMA_OTHER);
		miss += m;
		foreign += node_page_state(vs, n, NUMA_FOREIGN);
		il += node_page_state(vs, n, NUMA_INTERLEAVE_HIT);
		if (h + m != l + o) {
			bad++;
			finding_report(sim->findings, FINDING_COUNTER_DRIFT, now_ns,
				       "node %u: numa_hit %lld + numa_miss %lld != local_node %lld + "
				       "other_node %lld", n, (long long)h, (long long)m, (long long)l,
				       (long long)o);
		}
	}
	if (miss != foreign || il > (s64)MS(sim)->st.interleave_allocs) {
		bad++;
		finding_report(sim->findings, FINDING_COUNTER_DRIFT, now_ns,
			       "numa_miss %lld, numa_foreign %lld, interleave_hit %lld of %llu "
			       "interleaved allocations", (long long)miss, (long long)foreign,
			       (long long)il, (unsigned long long)MS(sim)->st.interleave_allocs);
	}
	return bad;
}

unsigned mempolicy_check(struct sim *sim, u64 now_ns, const char *after, bool final)
{
	struct mpol_state *ms = MS(sim);
	unsigned bad = 0;
	if (!ms)
		return 0;
	if (final)
		bad += check_numa_counters(sim, now_ns);
	for (struct mempolicy *p = ms->live; p; p = p->next) {
		u32 inflight = 0;
		for (unsigned k = 0; k < NR_MPOL_PATHS; k++)
			inflight += p->inflight[k];
		if (p->refcnt == p->owners + (final ? 0 : inflight))
			continue;
		bad++;
		char str[64], paths[256];
		mpol_to_str(str, sizeof(str), p);
		leak_paths_str(p->inflight, paths, sizeof(paths));
		finding_report(sim->findings, FINDING_REF_LEAK, now_ns,
			       "mempolicy #%u (%s%s) %s: refcount %u, its %u owner(s) hold %u; "
			       "references never dropped: %s",
			       p->id, str, (p->flags & MPOL_F_SHARED) ? ", shared" : "", after,
			       p->refcnt, p->owners, p->owners, paths[0] ? paths : "none recorded");
		if (final) {
			ms->st.leaked_objects++;
			ms->st.leaked_refs += p->refcnt > p->owners ? p->refcnt - p->owners : 0;
			for (unsigned k = 0; k < NR_MPOL_PATHS; k++)
				ms->st.leaked_by_path[k] += p->inflight[k];
		}
	}
	return bad;
}
