/* mm_types.h - processes' address spaces: struct mm_struct, struct vm_area_struct and
 * the page tables (models include/linux/mm_types.h and the x86-64 page-table layout).
 *
 * VMAs are kept in an array sorted by address (binary-search lookup). Page tables have
 * two modelled levels: a hash of PMD slots (one per 2 MiB of address space, none / PTE
 * table / huge: hugetlb or THP) and 512-entry PTE tables, each table with its split page-table lock as
 * the kernel has with NR_CPUS >= 4. Upper levels (PGD/P4D/PUD) are covered by
 * mm->page_table_lock. File-backed and shared VMAs map pages of an inode's page cache
 * (mm/filemap.h); anonymous pages are found back through their anon_vma (mm/rmap.h).
 * A non-present PTE may hold a swap entry (mm/swapfile.h). */
#ifndef MMSIM_MM_MM_TYPES_H
#define MMSIM_MM_MM_TYPES_H

#include "types.h"
#include "uapi.h"
#include "locks/rwsem.h"
#include "locks/spinlock.h"

struct task;
struct sim;
struct inode;
struct anon_vma;

/* vm_flags (kernel values where they exist) */
#define VM_READ 0x00000001ULL
#define VM_WRITE 0x00000002ULL
#define VM_EXEC 0x00000004ULL
#define VM_SHARED 0x00000008ULL
#define VM_MAYREAD 0x00000010ULL
#define VM_MAYWRITE 0x00000020ULL
#define VM_MAYEXEC 0x00000040ULL
#define VM_SHM 0x00000400ULL              /* SysV shm segment (kernel: VM_SHARED on a shm file) */
#define VM_GROWSDOWN 0x00000100ULL
#define VM_DENYWRITE 0x00000800ULL
#define VM_LOCKED 0x00002000ULL
#define VM_DONTCOPY 0x00020000ULL         /* MADV_DONTFORK: not copied at fork */
#define VM_DONTEXPAND 0x00040000ULL
#define VM_LOCKONFAULT 0x00080000ULL       /* mlock2(MLOCK_ONFAULT): locked as faulted in */
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
#define VM_ACCOUNT 0x00100000ULL
#define VM_NORESERVE 0x00200000ULL
#define VM_HUGETLB 0x00400000ULL
#define VM_SEQ_READ 0x00008000ULL          /* madvise(MADV_SEQUENTIAL): read ahead on faults */
#define VM_RAND_READ 0x00010000ULL         /* madvise(MADV_RANDOM): no readahead on faults */
#define VM_WIPEONFORK 0x02000000ULL        /* MADV_WIPEONFORK: the child's copy is empty */
#define VM_HUGEPAGE 0x20000000ULL
#define VM_NOHUGEPAGE 0x40000000ULL

struct vm_area_struct;

/* Per-VMA model state hooks (the kernel's vm_operations_struct, reduced): open runs on
 * the new VMA a split, an mremap move or a fork creates (so per-VMA state can be shared
 * or duplicated), close when a VMA goes away, may_split before a split. Any may be NULL. */
struct vm_operations {
	const char *name;
	/* 0 if the VMA may be split at addr, else -errno (hugetlb: huge page alignment) */
	int (*may_split)(struct vm_area_struct *vma, u64 addr);
	void (*open)(struct task *tsk, struct vm_area_struct *vma);
	void (*close)(struct task *tsk, struct vm_area_struct *vma);
};

struct vm_area_struct {
	u64 vm_start, vm_end;              /* [start, end) */
	u64 vm_flags;
	u64 vm_pgoff;                      /* file page index (anon: linear page index) */
	struct mm_struct *vm_mm;           /* borrowed: owner */
	struct inode *vm_file;             /* counted reference, NULL for private anonymous */
	const struct vm_operations *vm_ops; /* NULL: none */
	void *vm_private_data;             /* per-VMA model state (hugetlb resv_map ...) */
	struct mempolicy *vm_policy;       /* owned copy (mm/mempolicy.h); NULL: none */
	struct anon_vma *anon_vma;         /* where this VMA's new anonymous pages are filed */
	struct anon_vma **avc;             /* anon_vma chain: every anon_vma whose pages this */
	u32 nr_avc, cap_avc;               /* VMA may map (own, and its ancestors' after fork) */
	u64 slab_obj;                      /* its vm_area_struct object (mm/slab.h; 0: none) */
	u64 vm_id;                         /* unique per VMA ever created (khugepaged's checks) */
	u64 vm_obj;                        /* the vm_area_cachep object it occupies: a freed */
					   /* VMA's object is reused first (slab LIFO) */
};

/* PTE encoding: present pfn mapping, or the shared zero page mapped read-only. */
typedef u64 pte_t;
#define PTE_PRESENT 0x1ULL
#define PTE_WRITE 0x2ULL
#define PTE_DIRTY 0x4ULL
#define PTE_YOUNG 0x8ULL
#define PTE_ZERO 0x10ULL                   /* maps the zero page (no pfn of its own) */
#define PTE_PFN_SHIFT 12
static inline u64 pte_pfn(pte_t p)
{
	return p >> PTE_PFN_SHIFT;
}

#define PTRS_PER_PTE 512

/* A PTE table: 512 entries, read and written only through mm/pgtable.h's accessors. While
 * every present entry i maps pfn run_base + i with no flag but PTE_WRITE, PTE_DIRTY and
 * PTE_YOUNG, the table is a run (plain NULL): byte i of run[] holds entry i's low bits
 * (present and those three); the first entry that breaks the pattern makes it plain (the
 * 4 KiB array), for good. The simulated table is one page either way (pfn): the form is
 * host memory only. */
struct pte_table {
	pte_t *plain;                      /* the 512 entries, or NULL while a run */
	u64 run_base;                      /* run: present entry i maps pfn run_base + i;
					    * PTE_RUN_NOBASE until an entry is stored */
	u8 run[PTRS_PER_PTE];              /* run: entry i's low 4 bits (0: none) */
	spinlock_t ptl;                    /* split PTE lock */
	u64 pfn;                           /* the page holding this table */
	u32 nr_present;                    /* entries not none (present, zero page or swap) */
};
#define PTE_RUN_NOBASE (1ULL << 63)        /* no pfn minus an index is this */

enum pmd_kind { PMD_NONE, PMD_TABLE, PMD_HUGE };

struct pmd_slot {
	u64 index;                         /* address >> PMD_SHIFT */
	u8 kind;                           /* enum pmd_kind; PMD_NONE also marks a free slot */
	bool used;                         /* hash occupancy (tombstones stay used) */
	struct pte_table *table;           /* PMD_TABLE; PMD_HUGE of a THP: the deposited table */
	pte_t huge;                        /* PMD_HUGE: a PTE-format entry for the 2 MiB page
					    * (hugetlb in VM_HUGETLB VMAs, else an anonymous THP
					    * or the huge zero page: mm/huge_memory.h) */
};

struct mm_struct {
	struct sim *sim;                   /* borrowed */
	u32 pid;
	u64 slab_obj;                      /* its mm_struct object (mm/slab.h; 0: none) */
	struct rw_semaphore mmap_lock;
	spinlock_t page_table_lock;
	struct vm_area_struct **vmas;      /* sorted by vm_start */
	u32 nr_vmas, cap_vmas;
	struct vm_area_struct **vmacache;  /* mmap.c: find_vma's cache (VMACACHE_SLOTS), NULL
					    * until the mm has many VMAs */
	struct pmd_slot *pmds;             /* open-addressing hash, power-of-two size */
	u32 nr_pmds, cap_pmds;
	struct pmd_slot *pmd_last;         /* the slot pmd_lookup found last, or NULL: a
					    * lookup checks it first (valid until pmds moves) */
	u32 touch_fast_skip;               /* touch_range calls left that skip its one-page
					    * fast path (host only: mm/memory.c) */
	u64 mmap_base;                     /* top-down search start for non-fixed mmaps */
	u64 start_brk, brk;                /* heap: [start_brk, brk); 0 until first known */
	u64 total_vm;                      /* pages mapped */
	u64 locked_vm;                     /* pages in VM_LOCKED VMAs */
	u64 def_flags;                     /* added to every new VMA (mlockall MCL_FUTURE) */
	u64 rss_anon;                      /* pages (MM_ANONPAGES) */
	u64 rss_file;                      /* pages (MM_FILEPAGES) */
	u64 rss_shmem;                     /* pages (MM_SHMEMPAGES) */
	u64 swap_ents;                     /* swap PTEs (MM_SWAPENTS) */
	bool oom_victim;                   /* chosen by the OOM killer: its threads stop */
	u8 fatal_signal;                   /* a fault sent this signal (SIGBUS of an injected
					    * swap read error): its threads stop */
	bool thp_disabled;                 /* MMF_DISABLE_THP: prctl(PR_SET_THP_DISABLE, 1) */
	u64 nr_ptes;                       /* PTE tables allocated */
	u32 users;                         /* threads using it (mm_users) */
	u32 mm_count;                      /* mmgrab references (khugepaged's mm slot): the */
					   /* struct outlives exit_mmap until the last mmdrop */
	int home_node;                     /* node of the thread that created it */
	/* high-water marks as the kernel keeps them: raised only when memory is unmapped or
	 * zapped (update_hiwater_rss/vm); VmHWM/VmPeak show max(mark, current) */
	u64 hiwater_rss, hiwater_vm;       /* pages */
};

static inline u64 get_mm_rss(const struct mm_struct *mm)
{
	return mm->rss_anon + mm->rss_file + mm->rss_shmem;
}

static inline void update_hiwater_rss(struct mm_struct *mm)
{
	u64 rss = get_mm_rss(mm);
	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

static inline void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

#endif
