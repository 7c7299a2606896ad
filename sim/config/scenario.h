/* scenario.h - a validated scenario: machine, kernel knobs, variants, costs, workloads,
 * outputs. Built only by scenario_load*(); models receive their own sub-struct and never
 * see YAML or strings. Every scalar knob is a row of knobs.def. */
#ifndef MMSIM_CONFIG_SCENARIO_H
#define MMSIM_CONFIG_SCENARIO_H

#include "types.h"
#include "config/schema.h"

struct diag;

#define MAX_TOTAL_CPUS 1024

struct swap_cfg {
	u64 size;              /* bytes; 0 = no swap device */
	u64 read_bw, write_bw; /* bytes/s */
	u64 latency_ns;        /* per request */
	/* fault injection (mm/page_io.h): every Nth request in [fail_from, fail_until) fails */
	unsigned fail_read_every, fail_write_every;
	u64 fail_from_ns, fail_until_ns;   /* fail_until 0: no end */
	/* every slow_every-th request starting in [slow_from, slow_until) takes slow_factor
	 * times as long (mm/page_io.h) */
	unsigned slow_factor, slow_every;
	u64 slow_from_ns, slow_until_ns;   /* slow_until 0: no end */
};

struct bdi_cfg {
	u64 read_bw, write_bw;             /* bytes/s */
	u64 latency_ns;                    /* per request */
	unsigned read_ahead_kb;            /* /sys/block/<dev>/queue/read_ahead_kb */
	unsigned max_sectors_kb;           /* /sys/block/<dev>/queue/max_sectors_kb (io_pages) */
	unsigned max_folio_order;          /* large page-cache folios of its file system */
};

/* machine.offline: memory offlined at a time (fault injection, mm/memory_hotplug.h) */
#define MAX_OFFLINE_EVENTS 16
#define MEMORY_BLOCK_SIZE (128ULL << 20)   /* x86-64 memory block (memory_block_size_bytes) */
struct offline_cfg {
	unsigned node;
	u64 at_ns;                         /* simulated time of the attempt */
	u64 size;                          /* bytes at the top of the node's online memory; */
					   /* 0 = all of it */
};

struct machine_cfg {
	unsigned nr_nodes;
	unsigned cpus_per_node;
	u64 memory_per_node;               /* bytes, used where node_memory[] is not given */
	u64 node_memory[MAX_NUMNODES];     /* bytes per node (filled from memory_per_node) */
	u8 distance[MAX_NUMNODES][MAX_NUMNODES]; /* SLIT: 10 local; default 20 remote */
	bool dma32;                        /* node 0 gets a DMA32 zone (first 4 GiB) */
	struct swap_cfg swap;
	struct bdi_cfg bdi;                /* the file device (mm/backing_dev.h) */
	struct offline_cfg offline[MAX_OFFLINE_EVENTS];   /* in file order */
	unsigned nr_offline;
};

struct vm_cfg {
	unsigned min_free_kbytes;          /* 0 = computed as the kernel does */
	unsigned watermark_scale_factor;
	unsigned watermark_boost_factor;
	unsigned zone_reclaim_mode;
	unsigned swappiness;
	unsigned page_cluster;
	unsigned extfrag_threshold;
	unsigned compaction_proactiveness;
	unsigned percpu_pagelist_high_fraction;
	unsigned overcommit_memory;
	u64 nr_hugepages;
	u64 nr_overcommit_hugepages;
	unsigned numa_stat;                /* vm.numa_stat: enum numa_stat (0 = counting) */
	unsigned vfs_cache_pressure;       /* vm.vfs_cache_pressure: dentry/inode shrinker weight */
	unsigned dirty_ratio, dirty_background_ratio;   /* percent of dirtyable memory */
	u64 dirty_bytes, dirty_background_bytes;        /* non-zero: override the ratios */
	unsigned dirty_expire_cs, dirty_writeback_cs;   /* centiseconds */
};

enum thp_enabled { THP_ALWAYS, THP_MADVISE, THP_NEVER };
enum thp_defrag { THP_DEFRAG_ALWAYS, THP_DEFRAG_DEFER, THP_DEFRAG_DEFER_MADVISE, THP_DEFRAG_MADVISE, THP_DEFRAG_NEVER };

struct thp_cfg {
	unsigned enabled;                  /* enum thp_enabled */
	unsigned defrag;                   /* enum thp_defrag */
	bool use_zero_page;                /* read faults map the huge zero page */
};

struct khugepaged_cfg {
	unsigned max_ptes_none;
	unsigned max_ptes_swap;
	unsigned max_ptes_shared;
	unsigned pages_to_scan;
	u64 scan_sleep_ns;
	u64 alloc_sleep_ns;
	bool defrag;
};

struct slab_cfg {
	bool account_users;                /* VMAs, anon_vmas, mm_structs, inodes, dentries in slabs */
	u64 rcu_grace_ns;                  /* an RCU grace period (defragmentation waits one) */
	u64 defrag_object_ns;              /* phase 2 cost per object moved (copy + repoint) */
};

struct kernel_cfg {
	struct vm_cfg vm;
	u64 fault_around_bytes;            /* /sys/kernel/debug/fault_around_bytes */
	unsigned check_corrupt;            /* debug.check_corrupt: enum check_corrupt (--check tests) */
	u64 check_corrupt_op;              /* debug.check_corrupt_op: after this op (1 = the first) */
	bool eager_zones;                  /* debug.eager_zones: link every free block at start-up */
	bool plain_pte_tables;             /* debug.plain_pte_tables: no PTE runs (mm/pgtable.h) */
	struct slab_cfg slab;
	struct thp_cfg thp;
	struct khugepaged_cfg khugepaged;
};

/* The debated designs (one knob per seed debate). The model issues add rows. */
struct variants_cfg {
	unsigned page_alloc_grouping;      /* enum page_alloc_grouping (seed 003) */
	unsigned hugetlb_private_resv;     /* enum hugetlb_private_resv (seed 004) */
	unsigned mempolicy_refcount;       /* enum mpol_refcount (seed 000) */
	unsigned mempolicy_leak_paths;     /* enum mpol_leak_paths (seed 000) */
	unsigned mempolicy_sp_lock;        /* enum mpol_sp_lock (seed 000) */
	unsigned slab_movable;             /* enum slab_movable (seed 003) */
	unsigned pagecache_lookup;         /* enum pagecache_lookup (seed 002) */
	unsigned khugepaged_swapin_lock;   /* enum khugepaged_swapin_lock (seed 001) */
	unsigned khugepaged_revalidate;    /* enum khugepaged_revalidate (seed 001) */
	unsigned khugepaged_swapin_gate;   /* enum khugepaged_swapin_gate (seed 001) */
	unsigned khugepaged_allocstall_read; /* enum khugepaged_allocstall_read (seed 001) */
};
enum page_alloc_grouping { GROUPING_MOBILITY, GROUPING_NONE };
enum hugetlb_private_resv { PRIVATE_RESV_MAP, PRIVATE_RESV_COUNT };
enum numa_stat { NUMA_STAT_ON, NUMA_STAT_OFF };
enum mpol_refcount { MPOL_REFCOUNT_CONDITIONAL, MPOL_REFCOUNT_ALWAYS };
enum mpol_leak_paths { MPOL_LEAK_FIXED, MPOL_LEAK_PRE_2_6_24 };
enum mpol_sp_lock { MPOL_SP_LOCK_RWLOCK, MPOL_SP_LOCK_SPINLOCK };
enum slab_movable { SLAB_MOVABLE_NONE, SLAB_MOVABLE_ALL, SLAB_MOVABLE_XA_NODE };
enum pagecache_lookup { PAGECACHE_LOOKUP_LOCKLESS, PAGECACHE_LOOKUP_TREE_LOCK };
enum khugepaged_swapin_lock { SWAPIN_LOCK_WRITE, SWAPIN_LOCK_READ };
enum khugepaged_revalidate { REVALIDATE_FULL, REVALIDATE_FIND_VMA_EQ, REVALIDATE_NONE };
enum khugepaged_swapin_gate { SWAPIN_GATE_REFERENCED, SWAPIN_GATE_ALLOCSTALL, SWAPIN_GATE_ALWAYS,
			      SWAPIN_GATE_NEVER };
enum khugepaged_allocstall_read { ALLOCSTALL_BEFORE_MMAP_LOCK, ALLOCSTALL_UNDER_MMAP_WRITE };

/* Cost model inputs, in ns (platform/cost.c derives the per-distance table). */
struct cost_cfg {
	u64 syscall_entry_ns;
	u64 fault_entry_ns;
	u64 zero_4k_ns, zero_2m_ns;
	u64 copy_4k_ns, copy_2m_ns;
	u64 local_access_ns;               /* DRAM access on the local node (distance 10) */
	u64 atomic_local_ns;               /* atomic RMW on a line this CPU last wrote */
	u64 xa_node_miss_ns;               /* page cache XArray walk, per level (distance 10) */
	u64 cacheline_bounce_ns;           /* line last written by another CPU of the same node */
	u64 tlb_miss_4k_ns, tlb_miss_2m_ns;
	bool tlb_misses;                   /* charge TLB misses in touches (the THP benefit) */
	u64 pte_update_ns;                 /* set/clear one PTE, incl. rmap/counter updates */
	u64 vma_op_ns;                     /* find/insert/split one VMA */
	u64 page_alloc_ns;                 /* buddy or pcp list manipulation for one block */
	u64 context_switch_ns;             /* sleeping lock hand-off */
};

struct engine_cfg {
	u64 lookahead_ns;                  /* max charged cost an actor may run ahead unflushed */
	bool runahead;                     /* flushes skip SimGrid when nobody can act meanwhile */
};

struct outputs_cfg {
	u64 sample_interval_ns;
};

struct workload_schema {
	const char *type;                  /* "sequential_touch" */
	const char *doc;
	const struct knob_table *params;   /* rows over a params struct of params_size bytes */
	size_t params_size;
};

struct workload_catalog {
	const struct workload_schema *const *types;
	size_t nr;
};

/* workloads[].kill_signal: fatal signals whose default action terminates the process
 * (the simulated programs install no handlers, so each kills as SIGKILL does). */
enum kill_signal { KILL_SIGKILL, KILL_SIGTERM, KILL_SIGINT, KILL_SIGHUP, KILL_SIGQUIT };
extern const char *const kill_signal_names[];
extern const int kill_signal_numbers[];

struct workload_cfg {
	char *type;                        /* registry name */
	char *name;                        /* unique instance name */
	const struct workload_schema *schema; /* borrowed: static table */
	void *params;                      /* owned: params_size bytes, defaults then YAML */
	unsigned threads;
	unsigned nr_cpus;                  /* explicit placement: cpus[i] for thread i % nr_cpus */
	unsigned *cpus;
	u64 nodemask;                      /* else spread threads over these nodes' CPUs (0 = all) */
	u64 start_ns;                      /* simulated start time */
	u64 kill_at_ns;                    /* fault injection: its processes killed then (0 = never) */
	unsigned kill_signal;              /* enum kill_signal: the signal they get */
	char *file;                        /* where it was declared, for runtime messages */
	int line, col;
};

struct scenario {
	char *path;                        /* file name for messages, "<built-in default>" */
	char *dir;                         /* directory for relative paths */
	u64 seed;
	u64 duration_ns;                   /* 0 = until every workload thread has exited */
	struct machine_cfg machine;
	struct kernel_cfg kernel;
	struct variants_cfg variants;
	struct cost_cfg costs;
	struct engine_cfg engine;
	struct outputs_cfg outputs;
	unsigned nr_workloads;
	struct workload_cfg *workloads;
};

/* The table of every scenario knob (knobs.def). */
const struct knob_table *scenario_knobs(void);
/* Keys every workload entry takes besides type, name, cpus and nodes (threads, start). */
const struct knob_table *workload_common_knobs(void);

/* Parse and validate. sets[] are "key=value" overrides applied after the file (knob
 * names, e.g. "vm.swappiness=10", "seed=3", "duration=1s"). All errors go to d; returns
 * NULL when any error was reported. */
struct scenario *scenario_load(const char *path, const struct workload_catalog *cat,
			       char *const *sets, int nr_sets, struct diag *d);
/* Same from a string; name is used in messages. */
struct scenario *scenario_load_string(const char *name, const char *text,
				      const struct workload_catalog *cat,
				      char *const *sets, int nr_sets, struct diag *d);
/* Drop every workload (mmsim replay puts its trace in their place). */
void scenario_clear_workloads(struct scenario *s);
void scenario_destroy(struct scenario *s);

/* Total CPUs of the machine. */
static inline unsigned scenario_nr_cpus(const struct scenario *s)
{
	return s->machine.nr_nodes * s->machine.cpus_per_node;
}

#endif
