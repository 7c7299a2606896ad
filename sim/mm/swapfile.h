/* swapfile.h - the swap device and the swap cache (models mm/swapfile.c, mm/swap_slots.c
 * and mm/swap_state.c, 6.1).
 *
 * One device (machine.swap.size bytes on the node-0 host's disk, bandwidth and latency
 * from machine.swap.*). Slot 0 holds the header, as in the kernel. Each slot has a use
 * count (swap PTEs pointing at it) and a SWAP_HAS_CACHE bit (a page of the swap cache
 * holds its data). Slots are handed out through per-CPU caches of 64, refilled and
 * drained in batches under "&p->lock" (lockdep's name: alloc_swap_info's p); the swap
 * cache has one lock per 16384 slots (its xarray's, "&xa->xa_lock"), like the kernel's swapper_spaces. I/O is synchronous for the
 * task that does it, with the disk's bandwidth shared among all I/O in flight.
 * Not modelled: several devices and priorities, swap clusters (THP swap-out), discard,
 * frontswap/zswap. */
#ifndef MMSIM_MM_SWAPFILE_H
#define MMSIM_MM_SWAPFILE_H

#include "types.h"
#include "mm/mm_types.h"

struct sim;
struct task;
struct swap_info;

/* Swap entries in PTEs: not present, PTE_SWAP, the slot where the pfn would be. */
#define PTE_SWAP 0x20ULL
static inline bool pte_is_swap(pte_t p)
{
	return (p & (PTE_PRESENT | PTE_SWAP)) == PTE_SWAP;
}
static inline pte_t swp_entry_to_pte(u64 slot)
{
	return (slot << PTE_PFN_SHIFT) | PTE_SWAP;
}
static inline u64 pte_to_swp_slot(pte_t p)
{
	return p >> PTE_PFN_SHIFT;
}

#define SWAP_SLOTS_CACHE_SIZE 64
#define SWAP_ADDRESS_SPACE_PAGES 16384

/* NULL when the machine has no swap (sim->swap stays NULL). */
struct swap_info *swap_create(struct sim *sim);
void swap_destroy(struct swap_info *si);

/* Pages of the device, and its free slots (those in per-CPU slot caches included). */
u64 swap_total_pages(const struct swap_info *si);
u64 swap_free_pages(const struct swap_info *si);

/* A free slot for a page about to be written (SWAP_HAS_CACHE set), 0 when full. */
u64 get_swap_page(struct task *tsk);
/* swapcache_prepare: claim the right to read slot into the swap cache (its
 * SWAP_HAS_CACHE bit). False when the slot already has a cache page or another task is
 * reading it. swapcache_clear gives the claim back (the read was not done). */
bool swapcache_prepare(struct task *tsk, u64 slot);
void swapcache_clear(struct task *tsk, u64 slot);
/* Put pfn in the swap cache under slot (it takes a page reference). */
void add_to_swap_cache(struct task *tsk, u64 slot, u64 pfn);
/* Take pfn out of the swap cache (its reference goes; the slot keeps its PTE count and
 * is freed when that is 0). */
void delete_from_swap_cache(struct task *tsk, u64 pfn);
/* PG_readahead of the cache page of slot: set when readahead (not the fault itself) read
 * it; a fault that finds it tests and clears it (a swap_ra_hit). It goes with the page's
 * leaving the cache. */
void swap_set_readahead(struct sim *sim, u64 slot);
bool swap_test_clear_readahead(struct sim *sim, u64 slot);
/* The swap cache page of slot, PFN_NONE. */
u64 lookup_swap_cache(const struct sim *sim, u64 slot);
/* The slot of a swap cache page. */
u64 page_swap_slot(const struct sim *sim, u64 pfn);

/* A swap PTE was copied (fork) or made (unmap for swap-out). */
void swap_duplicate(struct task *tsk, u64 slot);
/* A swap PTE went (zap, swap-in): one use less; the last frees the slot, and a swap
 * cache page nobody maps any more goes with it (free_swap_and_cache). */
void swap_free(struct task *tsk, u64 slot);
/* Use count of a slot (invariant checks). */
unsigned swap_count(const struct sim *sim, u64 slot);

/* Write/read n pages at slot (swap_writepage, swap_readpage): the disk's time. */
void swap_io(struct task *tsk, bool write, u64 npages);
/* swap_io's counters alone (pswpin/pswpout, pgpgin/pgpgout) for I/O timed elsewhere */
void count_swap_io(struct task *tsk, bool write, u64 npages);

/* Consistency of the swap cache (each page and its slot agree, NR_SWAPCACHE); with
 * full, also the count of used slots (a walk over every slot: end of run). */
int check_swap(struct sim *sim, bool full, char *msg, size_t msglen);

#endif
