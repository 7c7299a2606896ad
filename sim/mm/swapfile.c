/* swapfile.c - swap slots, the swap cache and swap I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "config/scenario.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/task.h"
#include "locks/lock_class.h"
#include "locks/spinlock.h"
#include "mm/page_alloc.h"
#include "mm/page_io.h"
#include "mm/rmap.h"
#include "mm/swapfile.h"
#include "mm/vmstat.h"
#include "platform/cost.h"
#include "stats/timeline.h"

static DEFINE_LOCK_CLASS(si_lock_class, "&p->lock", LOCK_SPIN);
static DEFINE_LOCK_CLASS(swap_cache_lock_class, "&xa->xa_lock", LOCK_SPIN);

#define SWAP_HAS_CACHE 0x80u               /* in swap_map: a cache page holds the data */
#define SWAP_COUNT_MASK 0x7fu

struct slot_cache {
	u64 slots[SWAP_SLOTS_CACHE_SIZE];
	unsigned nr;
};

struct swap_info {
	struct sim *sim;
	u64 nr_slots;                      /* device pages, slot 0 = header */
	u8 *swap_map;                      /* per slot: count | SWAP_HAS_CACHE */
	u32 *cache;                        /* per slot: pfn + 1 of its swap cache page, 0 */
	u8 *readahead;                     /* per slot: its cache page has PG_readahead */
	u64 inuse;                         /* slots allocated (incl. in per-CPU caches) */
	u64 cluster_next;                  /* where the next search starts */
	spinlock_t lock;
	spinlock_t *cache_locks;           /* one per SWAP_ADDRESS_SPACE_PAGES slots */
	u64 nr_spaces;
	struct slot_cache *cpu_cache;      /* [nr_cpus] */
	unsigned nr_cpus;
	/* pfn -> slot of the swap cache pages (open addressing; key pfn + 1, ~0 = deleted) */
	u64 *hkey, *hval;
	u64 hcap, hused;
};

#define HDEL UINT64_MAX

static u64 hmix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void hput(struct swap_info *si, u64 pfn, u64 slot);

static void hgrow(struct swap_info *si)
{
	u64 *ok = si->hkey, *ov = si->hval, oc = si->hcap;
	si->hcap = oc ? 2 * oc : 1024;
	si->hkey = xcalloc(si->hcap, sizeof(u64));
	si->hval = xcalloc(si->hcap, sizeof(u64));
	si->hused = 0;
	for (u64 i = 0; i < oc; i++)
		if (ok[i] && ok[i] != HDEL)
			hput(si, ok[i] - 1, ov[i]);
	free(ok);
	free(ov);
}

static void hput(struct swap_info *si, u64 pfn, u64 slot)
{
	if ((si->hused + 1) * 2 > si->hcap)
		hgrow(si);
	for (u64 i = hmix(pfn) & (si->hcap - 1);; i = (i + 1) & (si->hcap - 1)) {
		if (!si->hkey[i] || si->hkey[i] == HDEL) {
			if (!si->hkey[i])
				si->hused++;
			si->hkey[i] = pfn + 1;
			si->hval[i] = slot;
			return;
		}
	}
}

static u64 *hfind(const struct swap_info *si, u64 pfn)
{
	if (!si->hcap)
		return NULL;
	for (u64 i = hmix(pfn) & (si->hcap - 1);; i = (i + 1) & (si->hcap - 1)) {
		if (!si->hkey[i])
			return NULL;
		if (si->hkey[i] == pfn + 1)
			return &si->hkey[i];
	}
}

struct swap_info *swap_create(struct sim *sim)
{
	u64 pages = sim->scn->machine.swap.size >> PAGE_SHIFT;
	if (pages < 2)
		return NULL;
	struct swap_info *si = xcalloc(1, sizeof(*si));
	si->sim = sim;
	si->nr_slots = pages;
	si->swap_map = xcalloc(pages, 1);
	si->cache = xcalloc(pages, sizeof(u32));
	si->readahead = xcalloc(pages, 1);
	si->swap_map[0] = SWAP_COUNT_MASK;  /* the header is never handed out */
	si->inuse = 1;
	si->cluster_next = 1;
	spin_lock_init(&si->lock, &si_lock_class);
	si->nr_spaces = (pages + SWAP_ADDRESS_SPACE_PAGES - 1) / SWAP_ADDRESS_SPACE_PAGES;
	si->cache_locks = xcalloc(si->nr_spaces, sizeof(spinlock_t));
	for (u64 i = 0; i < si->nr_spaces; i++)
		spin_lock_init(&si->cache_locks[i], &swap_cache_lock_class);
	si->nr_cpus = sim->phys->nr_cpus;
	si->cpu_cache = xcalloc(si->nr_cpus, sizeof(*si->cpu_cache));
	sim->swap = si;
	return si;
}

void swap_destroy(struct swap_info *si)
{
	if (!si)
		return;
	free(si->swap_map);
	free(si->cache);
	free(si->readahead);
	free(si->cache_locks);
	free(si->cpu_cache);
	free(si->hkey);
	free(si->hval);
	free(si);
}

u64 swap_total_pages(const struct swap_info *si)
{
	return si ? si->nr_slots - 1 : 0;
}

u64 swap_free_pages(const struct swap_info *si)
{
	if (!si)
		return 0;
	u64 cached = 0;
	for (unsigned c = 0; c < si->nr_cpus; c++)
		cached += si->cpu_cache[c].nr;
	/* slots in the per-CPU caches are free for /proc/meminfo's SwapFree */
	return si->nr_slots - si->inuse + cached;
}

static spinlock_t *cache_lock(struct swap_info *si, u64 slot)
{
	return &si->cache_locks[slot / SWAP_ADDRESS_SPACE_PAGES];
}

/* scan_swap_map: up to n free slots from the cursor on, marked SWAP_HAS_CACHE. */
static unsigned scan_slots(struct task *tsk, struct swap_info *si, u64 *out, unsigned n)
{
	unsigned got = 0;
	u64 scanned = 0;
	while (got < n && si->inuse < si->nr_slots && scanned < si->nr_slots) {
		u64 s = si->cluster_next;
		si->cluster_next = s + 1 < si->nr_slots ? s + 1 : 1;
		scanned++;
		if (si->swap_map[s])
			continue;
		si->swap_map[s] = SWAP_HAS_CACHE;
		si->inuse++;
		out[got++] = s;
	}
	charge(tsk, scanned * tsk->sim->cost->atomic_local_ns);
	return got;
}

u64 get_swap_page(struct task *tsk)
{
	struct swap_info *si = tsk->sim->swap;
	if (!si)
		return 0;
	struct slot_cache *c = &si->cpu_cache[tsk->cpu % si->nr_cpus];
	if (!c->nr) {
		spin_lock(tsk, &si->lock);
		u64 got[SWAP_SLOTS_CACHE_SIZE];
		unsigned n = scan_slots(tsk, si, got, SWAP_SLOTS_CACHE_SIZE);
		spin_unlock(tsk, &si->lock);
		/* (another task of this CPU may have refilled the cache while we waited) */
		for (unsigned i = 0; i < n; i++) {
			if (c->nr < SWAP_SLOTS_CACHE_SIZE) {
				c->slots[c->nr++] = got[n - 1 - i];
			} else {
				si->swap_map[got[n - 1 - i]] = 0;
				si->inuse--;
			}
		}
		if (!c->nr)
			return 0;
	}
	return c->slots[--c->nr];
}

/* Change a slot's map under si->lock; a slot whose map reaches 0 is free again. The
 * change and the accounting happen together, so no scan sees a half-freed slot.
 * Returns the new map value. */
static u8 swap_map_update(struct task *tsk, struct swap_info *si, u64 slot, int count_delta,
			  bool clear_cache)
{
	spin_lock(tsk, &si->lock);
	u8 m = (u8)(si->swap_map[slot] + count_delta);
	if (clear_cache)
		m &= (u8)~SWAP_HAS_CACHE;
	si->swap_map[slot] = m;
	if (!m)
		si->inuse--;
	spin_unlock(tsk, &si->lock);
	return m;
}

bool swapcache_prepare(struct task *tsk, u64 slot)
{
	struct swap_info *si = tsk->sim->swap;
	if (slot >= si->nr_slots || !(si->swap_map[slot] & SWAP_COUNT_MASK) ||
	    (si->swap_map[slot] & SWAP_HAS_CACHE))
		return false;
	si->swap_map[slot] |= SWAP_HAS_CACHE;
	return true;
}

void swapcache_clear(struct task *tsk, u64 slot)
{
	swap_map_update(tsk, tsk->sim->swap, slot, 0, true);
}

void add_to_swap_cache(struct task *tsk, u64 slot, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct swap_info *si = sim->swap;
	spinlock_t *l = cache_lock(si, slot);
	spin_lock(tsk, l);
	si->cache[slot] = (u32)(pfn + 1);
	si->swap_map[slot] |= SWAP_HAS_CACHE;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	pg->flags |= PG_swapcache;
	pg->refcount++;
	mod_node_page_state(tsk, page_to_nid(sim->phys, pfn), NR_SWAPCACHE, 1);
	hput(si, pfn, slot);
	charge(tsk, sim->cost->pte_update_ns);
	spin_unlock(tsk, l);
}

void delete_from_swap_cache(struct task *tsk, u64 pfn)
{
	struct sim *sim = tsk->sim;
	struct swap_info *si = sim->swap;
	u64 slot = page_swap_slot(sim, pfn);
	spinlock_t *l = cache_lock(si, slot);
	spin_lock(tsk, l);
	si->cache[slot] = 0;
	si->readahead[slot] = 0;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	pg->flags &= ~PG_swapcache;
	mod_node_page_state(tsk, page_to_nid(sim->phys, pfn), NR_SWAPCACHE, -1);
	*hfind(si, pfn) = HDEL;
	spin_unlock(tsk, l);
	swap_map_update(tsk, si, slot, 0, true);
	put_user_page(tsk, pfn);   /* the cache's reference */
}

void swap_set_readahead(struct sim *sim, u64 slot)
{
	sim->swap->readahead[slot] = 1;
}

bool swap_test_clear_readahead(struct sim *sim, u64 slot)
{
	struct swap_info *si = sim->swap;
	if (!si || slot >= si->nr_slots || !si->readahead[slot])
		return false;
	si->readahead[slot] = 0;
	return true;
}

u64 lookup_swap_cache(const struct sim *sim, u64 slot)
{
	const struct swap_info *si = sim->swap;
	if (!si || slot >= si->nr_slots || !si->cache[slot])
		return PFN_NONE;
	return si->cache[slot] - 1;
}

u64 page_swap_slot(const struct sim *sim, u64 pfn)
{
	const struct swap_info *si = sim->swap;
	u64 *k = si ? hfind(si, pfn) : NULL;
	return k ? si->hval[k - si->hkey] : 0;
}

void swap_duplicate(struct task *tsk, u64 slot)
{
	struct swap_info *si = tsk->sim->swap;
	si->swap_map[slot]++;
}

unsigned swap_count(const struct sim *sim, u64 slot)
{
	const struct swap_info *si = sim->swap;
	return si && slot < si->nr_slots ? si->swap_map[slot] & SWAP_COUNT_MASK : 0;
}

void swap_free(struct task *tsk, u64 slot)
{
	struct sim *sim = tsk->sim;
	struct swap_info *si = sim->swap;
	u8 m = swap_map_update(tsk, si, slot, -1, false);
	if ((m & SWAP_COUNT_MASK) || !(m & SWAP_HAS_CACHE))
		return;
	/* free_swap_and_cache: a cache page that nobody maps or holds goes too */
	u64 pfn = lookup_swap_cache(sim, slot);
	if (pfn == PFN_NONE)
		return;
	struct page_desc *pg = pfn_to_page(sim->phys, pfn);
	if (!pg->mapcount && pg->refcount == 1 && !(pg->flags & PG_isolated))
		delete_from_swap_cache(tsk, pfn);
}

void count_swap_io(struct task *tsk, bool write, u64 npages)
{
	count_vm_events(tsk, write ? PSWPOUT : PSWPIN, npages);
	/* submit_bio's pgpgin/pgpgout (sectors, shown in KiB: kept in KiB here) */
	count_vm_events(tsk, write ? PGPGOUT : PGPGIN, npages << (PAGE_SHIFT - 10));
}

void swap_io(struct task *tsk, bool write, u64 npages)
{
	count_swap_io(tsk, write, npages);
	tl_begin(tsk, write ? TL_SWAP_OUT : TL_SWAP_IN, npages);
	swap_dev_io(tsk, write, npages);
	tl_end(tsk, write ? TL_SWAP_OUT : TL_SWAP_IN);
}

int check_swap(struct sim *sim, bool full, char *msg, size_t msglen)
{
	struct swap_info *si = sim->swap;
	if (!si)
		return 0;
	/* the cache pages, through the pfn -> slot table */
	u64 cached = 0;
	for (u64 i = 0; i < si->hcap; i++) {
		if (!si->hkey[i] || si->hkey[i] == HDEL)
			continue;
		u64 pfn = si->hkey[i] - 1, s = si->hval[i];
		const struct page_desc *pg = pfn_to_page(sim->phys, pfn);
		cached++;
		if (s >= si->nr_slots || si->cache[s] != pfn + 1 ||
		    !(si->swap_map[s] & SWAP_HAS_CACHE) || !(pg->flags & PG_swapcache) ||
		    !pg->refcount) {
			snprintf(msg, msglen, "swap cache page %llu of slot %llu inconsistent "
				 "(map 0x%x, flags 0x%x, refcount %u)", (unsigned long long)pfn,
				 (unsigned long long)s, s < si->nr_slots ? si->swap_map[s] : 0,
				 pg->flags, pg->refcount);
			return -1;
		}
	}
	s64 nr = global_vm_state(sim->vmstat, NR_SWAPCACHE);
	if (nr != (s64)cached) {
		snprintf(msg, msglen, "swap cache: %llu pages, NR_SWAPCACHE %lld",
			 (unsigned long long)cached, (long long)nr);
		return -1;
	}
	if (!full)
		return 0;
	/* every slot: the used ones against the count, and no cache entry the table misses */
	u64 used = 0, entries = 0;
	for (u64 s = 0; s < si->nr_slots; s++) {
		used += si->swap_map[s] != 0;
		entries += si->cache[s] != 0;
	}
	if (entries != cached) {
		snprintf(msg, msglen, "swap cache: %llu slots name a page, %llu pages known",
			 (unsigned long long)entries, (unsigned long long)cached);
		return -1;
	}
	if (used != si->inuse) {
		snprintf(msg, msglen, "swap: %llu slots in use, %llu counted",
			 (unsigned long long)used, (unsigned long long)si->inuse);
		return -1;
	}
	return 0;
}
