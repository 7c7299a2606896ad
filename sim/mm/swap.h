/* swap.h - the LRU lists (models mm/swap.c and the lruvec of include/linux/mmzone.h,
 * 6.1 without MGLRU, which is off by default there).
 *
 * Per node one lruvec: inactive/active anon and file lists, each a list of pages through
 * page_desc.next/prev (node page offsets: an LRU page is allocated, so the links are
 * free), under "&lruvec->lru_lock". New pages first go to the CPU's lru_add batch (15
 * pages, as folio_batch), marked PG_lru_pending; the batch moves to the lists in one
 * lru_lock section when full or drained. Shmem pages are on the anon lists (swap-backed),
 * as in the kernel. The sizes are the node's NR_{IN,}ACTIVE_{ANON,FILE} counters (and
 * the NR_ZONE_* ones). */
#ifndef MMSIM_MM_SWAP_H
#define MMSIM_MM_SWAP_H

#include "types.h"
#include "mm/mmzone.h"

struct sim;
struct task;

/* NR_LRU_LISTS counts the evictable lists (the kernel's for_each_evictable_lru); the
 * unevictable list (mlocked pages, mm/mlock.h) comes after them. */
enum lru_list { LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, NR_LRU_LISTS,
		LRU_UNEVICTABLE = NR_LRU_LISTS };
#define NR_ALL_LRU_LISTS (NR_LRU_LISTS + 1)

#define LRU_BATCH 15                       /* PAGEVEC_SIZE - 1 */
#define LAZYFREE_BATCH 31                  /* lru_lazyfree's folio batch: PAGEVEC_SIZE of 6.18 */

struct lru_head {
	u32 head, tail;                        /* node page offsets, PAGE_NIL when empty */
};

struct lruvec {
	struct lru_head lists[NR_ALL_LRU_LISTS];
	u64 nr[NR_ALL_LRU_LISTS];
	spinlock_t lru_lock;
	/* reclaim cost of each type (lru_note_cost), for get_scan_count */
	u64 anon_cost, file_cost;
};

struct lru_state;

struct lru_state *lru_create(struct sim *sim);
void lru_destroy(struct lru_state *l);

struct lruvec *node_lruvec(struct sim *sim, unsigned nid);
/* The per-CPU mlock batches (mm/mlock.c), [nr_cpus]. */
struct mlock_fbatch *lru_mlock_batches(struct sim *sim);
/* Which list a page belongs on (PG_unevictable; anon/file by PG_anon or swap backing, PG_active). */
enum lru_list page_lru(const struct page_desc *pg);

/* A new page (anonymous, page cache or shmem) enters the LRU through the CPU's batch. */
void lru_cache_add(struct task *tsk, u64 pfn);
/* Move this CPU's batch to the lists (lru_add_drain). */
void lru_add_drain(struct task *tsk);
/* mark_page_lazyfree (MADV_FREE): an anonymous swap-backed page not in the swap cache
 * joins this CPU's lazyfree batch (with a reference); its drain (full, a THP, or
 * lru_add_drain) clears PG_swapbacked of the pages that still qualify, puts them at the
 * head of the inactive list and counts them in pglazyfree (lru_lazyfree_fn). */
void mark_page_lazyfree(struct task *tsk, u64 pfn);
/* Drain this CPU's lazyfree batch (lru_add_drain does it too). */
void lru_lazyfree_drain(struct task *tsk);
/* The end of a populate (mm_populate, MADV_POPULATE_*, an imported trace's populate
 * touch): Linux 6.18 drains this CPU's batches there, lru_add_drain (recorded:
 * tests/real/mlock_oracle, madv_oracle). */
void populate_drain(struct task *tsk);
/* Every CPU's batch (lru_add_drain_all: khugepaged's pass, MADV_COLLAPSE). */
void lru_add_drain_all(struct task *tsk);
/* The page is being freed (its last reference goes): off its list or batch. */
void lru_page_freed(struct task *tsk, u64 pfn);
/* Take an LRU page off its list for migration or reclaim (PG_lru cleared). trylock:
 * return false rather than wait for lru_lock (async compaction). False also when the
 * page is not on a list. */
bool isolate_lru_page(struct task *tsk, u64 pfn, bool trylock);
/* Put an isolated page (or a migrated copy) back on the list its flags say. */
void putback_lru_page(struct task *tsk, u64 pfn);

/* Under lru_lock (vmscan.c): list primitives. */
void lru_list_add(struct sim *sim, struct lruvec *v, u64 pfn, enum lru_list lru, bool tail);
void lru_list_del(struct sim *sim, struct lruvec *v, u64 pfn, enum lru_list lru);
/* The page at the tail of a list, PFN_NONE when empty. */
u64 lru_list_tail(struct sim *sim, unsigned nid, enum lru_list lru);
u64 lru_prev(struct sim *sim, unsigned nid, u64 pfn);

/* Consistency: list lengths match their counters and every page on a list says so.
 * Returns 0 or -1 with msg. quiescent: nobody inside lru_lock. */
int check_lru(struct sim *sim, char *msg, size_t msglen);
/* --check after an op (mm/check.h): one page whose LRU links changed, against its list
 * and its neighbours. 0, 1 (its lru_lock is held: check it later), or -1 with msg. */
int check_lru_page(struct sim *sim, u64 pfn, char *msg, size_t msglen);

#endif
