/* khugepaged.h - khugepaged and MADV_COLLAPSE for anonymous memory (models mm/khugepaged.c,
 * 6.1), with the designs of the 2016 swap-in debate (seed 001) as variants.
 *
 * khugepaged is one kernel thread (spawned at the first mm registration, on the last CPU:
 * the kernel's is unbound). An mm is
 * registered (its mm slot appended to the list, an mmgrab reference taken) when one of its
 * VMAs becomes eligible with an anon_vma: MADV_HUGEPAGE on touched memory, a THP fault,
 * fork of a registered parent. Each wake-up scans up to pages_to_scan pages under
 * mmap_lock read (trylock: a contended mm is skipped), then sleeps scan_sleep_millisecs
 * (alloc_sleep_millisecs after a failed huge page allocation). A range that qualifies is
 * collapsed by collapse_huge_page: mmap_lock dropped, huge page allocated on the node most
 * of its pages are on, mmap_lock read and revalidation, swap-in, mmap_lock write and
 * anon_vma write, isolation, copy, PMD install. MADV_COLLAPSE runs the same scan and
 * collapse synchronously in the caller, ignoring max_ptes_* and the referenced rule.
 *
 * Swap-in: the swap device is not synchronous, so a swap PTE whose page is not in the swap
 * cache needs a read that do_swap_page waits for with the page locked.
 *
 * Variants (variants.khugepaged.*):
 *  - swapin_lock read (6.1): swap-in under mmap_lock read after a full revalidation; a read
 *    is submitted under the lock, waited for with the lock dropped, and the collapse is
 *    abandoned (VM_FAULT_RETRY -> SCAN_PAGE_LOCK, MADV_COLLAPSE: EAGAIN). Then mmap_lock
 *    read is traded for write and the VMA checked per `revalidate`.
 *    write (2016): mmap_lock write taken after the allocation and held through
 *    revalidation and swap-in with FAULT_FLAG_RETRY_NOWAIT: the reads are submitted, not
 *    waited for, their PTEs stay swap entries and the isolation fails on them
 *    (SCAN_PTE_NON_PRESENT); khugepaged waits for the device after releasing the lock.
 *  - revalidate full (6.1: hugepage_vma_revalidate + check_pmd_still_valid), find_vma_eq
 *    (seed 001 patch 3 with Kirill's find_vma(): the VMA object found at the address must
 *    be the old one; a VMA freed and allocated again occupies the same object, as with the
 *    kernel's LIFO slab), none (patch 3 as posted: nothing after down_write). With
 *    find_vma_eq and none the swap-in also goes on after a read's wait, as patch 3 did,
 *    once find_vma() gives the old VMA object.
 *  - swapin_gate referenced (6.1: swap PTEs only with >= 256 referenced PTEs), allocstall
 *    (2016: no direct reclaim since khugepaged last slept, and MM_SWAPENTS != 0), always,
 *    never; allocstall_read before_mmap_lock (patch 2) or under_mmap_write: the sum takes
 *    cpu_hotplug.lock (get_online_cpus), whose order against kernfs s_active (CPU
 *    hot-unplug at boot, replayed when khugepaged starts with this gate) and mmap_lock (a
 *    write to a khugepaged sysfs file faults under s_active) lockdep checks.
 * A collapse that goes on after its VMA was unmapped,
 * replaced, resized, made non-anonymous or its mm exited is reported as a
 * FINDING_STALE_VMA naming the interleaving; the simulation then abandons it (it cannot
 * model the use-after-free) and counts it in stale_collapses.
 *
 * Not modelled: file/shmem collapse (SCAN_TRUNCATED, SCAN_PAGE_HAS_PRIVATE,
 * SCAN_STORE_FAILED, SCAN_PTE_MAPPED_HUGEPAGE never occur), userfaultfd (SCAN_PTE_UFFD_WP),
 * memcg charging (SCAN_CGROUP_CHARGE_FAIL), page locks other than swap-in I/O in flight,
 * GUP pins, MMU notifiers. Spec: reference/thp-khugepaged.md sections 4-10. */
#ifndef MMSIM_MM_KHUGEPAGED_H
#define MMSIM_MM_KHUGEPAGED_H

#include <stdio.h>
#include "mm/mm_types.h"

#define SCAN_RESULTS(X)                                                                     \
	X(FAIL, "failed")                                                                   \
	X(SUCCEED, "succeeded")                                                             \
	X(PMD_NULL, "pmd_null")                                                             \
	X(PMD_NONE, "pmd_none")                                                             \
	X(PMD_MAPPED, "page_pmd_mapped")                                                    \
	X(EXCEED_NONE_PTE, "exceed_none_pte")                                               \
	X(EXCEED_SWAP_PTE, "exceed_swap_pte")                                               \
	X(EXCEED_SHARED_PTE, "exceed_shared_pte")                                           \
	X(PTE_NON_PRESENT, "pte_non_present")                                               \
	X(PTE_UFFD_WP, "pte_uffd_wp")                                                       \
	X(PTE_MAPPED_HUGEPAGE, "pte_mapped_hugepage")                                       \
	X(PAGE_RO, "no_writable_page")                                                      \
	X(LACK_REFERENCED_PAGE, "lack_referenced_page")                                     \
	X(PAGE_NULL, "page_null")                                                           \
	X(SCAN_ABORT, "scan_aborted")                                                       \
	X(PAGE_COUNT, "not_suitable_page_count")                                            \
	X(PAGE_LRU, "page_not_in_lru")                                                      \
	X(PAGE_LOCK, "page_locked")                                                         \
	X(PAGE_ANON, "page_not_anon")                                                       \
	X(PAGE_COMPOUND, "page_compound")                                                   \
	X(ANY_PROCESS, "no_process_for_page")                                               \
	X(VMA_NULL, "vma_null")                                                             \
	X(VMA_CHECK, "vma_check_failed")                                                    \
	X(ADDRESS_RANGE, "not_suitable_address_range")                                      \
	X(DEL_PAGE_LRU, "could_not_delete_page_from_lru")                                   \
	X(ALLOC_HUGE_PAGE_FAIL, "alloc_huge_page_failed")                                   \
	X(CGROUP_CHARGE_FAIL, "ccgroup_charge_failed")                                      \
	X(TRUNCATED, "truncated")                                                           \
	X(PAGE_HAS_PRIVATE, "page_has_private")                                             \
	X(STORE_FAILED, "store_failed")

/* enum scan_result of 6.1, in its order; names as the kernel's trace points print them */
enum scan_result {
#define SCAN_ENUM(e, n) SCAN_##e,
	SCAN_RESULTS(SCAN_ENUM)
#undef SCAN_ENUM
	NR_SCAN_RESULTS
};

const char *scan_result_name(enum scan_result r);

struct sim;
struct task;
struct khugepaged;

/* Who collapsed: khugepaged, or a MADV_COLLAPSE caller. */
enum collapse_ctx { COLLAPSE_KHUGEPAGED, COLLAPSE_MADVISE, NR_COLLAPSE_CTX };

struct khugepaged_stats {
	u64 pages_collapsed;               /* /sys/.../khugepaged/pages_collapsed */
	u64 full_scans;                    /* /sys/.../khugepaged/full_scans */
	u64 wakeups;                       /* khugepaged_do_scan passes */
	u64 result[NR_COLLAPSE_CTX][NR_SCAN_RESULTS]; /* outcome of every PMD range looked at */
	u64 collapses[NR_COLLAPSE_CTX];    /* PMDs installed */
	u64 trylock_skips;                 /* mm skipped: mmap_read_trylock failed */
	u64 swapins;                       /* swap PTEs mapped back by a collapse's swap-in */
	u64 swapin_reads;                  /* pages read from the swap device for it */
	u64 swapins_wasted;                /* mapped back, then the collapse was abandoned */
	u64 swapin_skipped;                /* ranges with swap PTEs the gate kept from swap-in */
	u64 stale_collapses;               /* collapses that went on with a stale VMA */
	u64 write_holds;                   /* mmap_lock write holds of collapse_huge_page */
	u64 write_hold_ns_total, write_hold_ns_max;
	u64 madv_collapse_calls;
};

/* Create the khugepaged state and install the MADV_COLLAPSE hook (sim->mm_hooks). */
void khugepaged_create(struct sim *sim);
/* Drop the mm slots' references (before the processes' mms are freed) and free. */
void khugepaged_destroy(struct khugepaged *k);

/* khugepaged_enter_vma (huge_memory.h, the THP fault and MADV_HUGEPAGE call it) reaches
 * this model through the THP hooks: the mm is registered if the VMA is eligible for
 * khugepaged now (enforcing the sysfs setting; a VMA without an anon_vma is not). */
/* fork: the child is registered when the parent is. */
void khugepaged_fork(struct task *tsk, struct mm_struct *mm, struct mm_struct *oldmm);
/* __khugepaged_exit: the mm's last user is leaving (before its page tables go). The slot
 * goes at once unless khugepaged is scanning this mm; then mmap_lock is taken and released
 * for write as a barrier and khugepaged collects the slot. Caller holds no mmap_lock. */
void khugepaged_exit(struct task *tsk, struct mm_struct *mm);
/* mmdrop: the last mmgrab reference of an mm whose users are gone frees the struct. */
void mmdrop(struct mm_struct *mm);

/* The VMA code reports each change of an mm's VMAs (the caller holds mmap_lock for write);
 * a collapse waiting between its mmap_lock holds records it for the stale-VMA report. */
void khugepaged_note_vma_change(struct task *tsk, struct mm_struct *mm, const char *what,
				u64 start, u64 end);
/* VMA identities (vm_id, vm_obj) for a new VMA, and the object of a freed one. */
void vma_ids_assign(struct sim *sim, struct vm_area_struct *vma);
void vma_ids_release(struct sim *sim, const struct vm_area_struct *vma);

/* A write to /sys/kernel/mm/transparent_hugepage/khugepaged/<file> by tsk (kernfs holds
 * the file's s_active while copying the value from the writer's memory, which may fault:
 * mmap_lock read). Returns 0 or -MM_EINVAL; *known false for another file. */
int khugepaged_sysfs_store(struct task *tsk, const char *file, s64 value, bool *known);
/* The mmap_lock wait and the whole latency of a page fault of a thread whose mm is
 * registered with khugepaged (the seed's concurrent faulting thread). */
void khugepaged_note_fault(struct task *tsk, struct mm_struct *mm, u64 wait_ns, u64 latency_ns);

/* Page faults of the threads of registered mms, per task (i < khugepaged_nr_fault_tasks):
 * how many, how many waited for mmap_lock, the quantiles (nearest rank) of the waits of
 * those that waited, and of the latency of all (ns). */
struct khugepaged_fault_q {
	const char *name;                  /* comm/task id */
	u64 nr, waited, wait_total;
	u64 wait_p50, wait_p99, wait_max;
	u64 lat_p50, lat_p99, lat_max;
};
unsigned khugepaged_nr_fault_tasks(const struct sim *sim);
void khugepaged_fault_quantiles(const struct sim *sim, unsigned i, struct khugepaged_fault_q *q);

const struct khugepaged_stats *khugepaged_get_stats(const struct sim *sim);
struct khugepaged_cfg;
/* The khugepaged sysfs knobs now (the scenario's when there is no khugepaged state). */
const struct khugepaged_cfg *khugepaged_cfg(const struct sim *sim);
/* /sys/kernel/mm/transparent_hugepage/khugepaged/{pages_collapsed,full_scans} values */
u64 khugepaged_pages_collapsed(const struct sim *sim);
u64 khugepaged_full_scans(const struct sim *sim);
/* khugepaged ran, or MADV_COLLAPSE was called: the outputs have a khugepaged part. */
bool khugepaged_active(const struct sim *sim);
/* A collapse is between its first and last step (pages isolated, PTEs cleared): the
 * --check walkers of THPs and address spaces must wait for it to finish. */
bool khugepaged_collapse_in_flight(const struct sim *sim);
/* summary.json metrics.khugepaged (NULL when not active) and the report.md section. */
struct json;
struct json *khugepaged_summary_json(const struct sim *sim);

#endif
