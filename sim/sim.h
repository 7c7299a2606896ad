/* sim.h - struct sim, the one simulation context. Every part is owned by the module
 * that creates it (each with its own create/destroy); struct sim only holds pointers,
 * so any layer may include this header to reach its own part through tsk->sim without
 * depending on layers to its right. sim.c assembles the parts from a scenario, runs the
 * simulation and writes the out dir. */
#ifndef MMSIM_SIM_H
#define MMSIM_SIM_H

#include "types.h"

struct scenario;
struct engine;
struct topology;
struct cost_table;
struct findings;
struct lockstat;
struct sampler;
struct vmstat;
struct phys_mem;
struct outdir;
struct compaction;
struct rmap;
struct lru_state;
struct swap_info;
struct vmscan;
struct file_table;
struct backing_dev;
struct readahead;
struct workingset;
struct hugetlb;
struct mpol_state;
struct khugepaged;
struct thp_state;
struct slab_state;
struct highalloc_log;
struct bdi_writeback;
struct sim_run;
struct timeline;
struct task;
struct vm_area_struct;

struct mm_check;
struct sim {
	const struct scenario *scn;        /* borrowed: outlives the sim */
	struct topology *topo;             /* platform/topology.h */
	struct cost_table *cost;           /* platform/cost.h */
	struct engine *eng;                /* engine/engine.h */
	struct findings *findings;         /* stats/findings.h */
	struct sampler *sampler;           /* stats/sampler.h */
	struct lockstat *lockstat;         /* locks/lockstat.h */
	struct vmstat *vmstat;             /* mm/vmstat.h */
	struct phys_mem *phys;             /* mm/page_alloc.h: nodes, zones, page descriptors */
	struct compaction *compaction;     /* mm/compaction.h: per-node kcompactd state */
	struct memory_hotplug *hotplug;    /* mm/memory_hotplug.h: machine.offline (NULL: none) */
	struct rmap *rmap;                 /* mm/rmap.h: page owners, anon_vmas */
	struct lru_state *lru;             /* mm/swap.h: LRU lists and lru_add batches */
	struct swap_info *swap;            /* mm/swapfile.h: the swap device (NULL: none) */
	struct vmscan *vmscan;             /* mm/vmscan.h: reclaim and kswapd */
	struct mm_hooks {                  /* models later issues plug into the VMA code */
		void *arg;
		/* MADV_COLLAPSE of [start, end) of vma, mmap_lock held for read on entry and
		 * return (khugepaged.c; it drops it meanwhile). 0 or -errno; 1: a VMA the model
		 * cannot collapse (file/shmem), counted as not modelled; NULL: likewise */
		int (*madv_collapse)(void *arg, struct task *tsk, struct vm_area_struct *vma,
				     u64 start, u64 end);
	} mm_hooks;
	struct vm_readahead {              /* swap readahead state (swap_ra_info) */
		u64 prev_slot;
		unsigned hits, last_pages;
	} swap_ra;
	struct file_table *files;          /* mm/filemap.h: inodes and their page cache */
	struct backing_dev *bdi;           /* mm/backing_dev.h: the file device */
	struct readahead *readahead;       /* mm/readahead.h: readahead's page state */
	struct workingset *workingset;     /* mm/workingset.h: non-resident ages */
	struct hugetlb *hugetlb;           /* mm/hugetlb.h: hugetlb pools and reservations */
	struct mpol_state *mempolicy;      /* mm/mempolicy.h: policy objects, refcount stats */
	struct khugepaged *khugepaged;     /* mm/khugepaged.h: mm slots, scan cursor, collapses */
	struct thp_state *thp;             /* mm/huge_memory.h: THP knobs, huge zero page, split queues */
	struct slab_state *slab;           /* mm/slab.h: slab caches (NULL: none) */
	struct highalloc_log *highalloc;   /* task/highalloc_log.h: measured attempts (NULL: none) */
	struct bdi_writeback *writeback;   /* mm/writeback.h: dirty limits, the flusher */
	struct swap_wb *swap_wb;           /* mm/page_io.h: swap-out writeback (lazily created) */
	struct sim_run *run;               /* sim.c only: processes, workloads, progress */
	struct timeline *timeline;         /* stats/timeline.h: --timeline (NULL: not written) */
	bool check;                        /* --check: run invariant walkers */
	struct mm_check *mmcheck;          /* mm/check.h: --check's dirty pages (NULL: off) */
	bool quiet;                        /* no progress line */
	unsigned debug;                    /* --debug categories (bit mask) */
};

struct diag;

struct sim_options {
	const char *outdir;                /* NULL: no out dir (tests) */
	bool quiet;
	bool check;
	u64 check_interval;                /* --check=N: ops between full walks (0: automatic) */
	unsigned debug;
	double max_wall_s;                 /* --max-wall: 0 for none */
	u64 max_memory;                    /* --max-memory (host peak RSS, bytes): 0 for none */
	bool timeline;                     /* --timeline: write timeline.json */
	u64 timeline_from, timeline_to;    /* its window [from, to); to = UINT64_MAX: no end */
	bool progress;                     /* --progress: the progress line even off a terminal */
};

/* Exit statuses of a run stopped early, with partial outputs written (summary.json has
 * "partial": true): by SIGINT/SIGTERM/SIGHUP, or by --max-wall/--max-memory. */
#define EXIT_INTERRUPTED 6
#define EXIT_LIMIT       7
/* --check found a broken invariant: the run stopped there (partial outputs written), or
 * the checks at the end of the run found it (outputs written). */
#define EXIT_CHECK       8

/* Build the simulation for a validated scenario. Returns NULL with a message in err
 * when the scenario cannot be instantiated (e.g. a trace file that fails to open). */
struct sim *sim_create(const struct scenario *scn, const struct sim_options *opt, char *err,
		       size_t errlen);
/* Run to completion and write outputs; returns the process exit status (0 ok). */
int sim_run(struct sim *s, const struct sim_options *opt);
void sim_destroy(struct sim *s);

/* Headline figures of a finished run (benchmarks, tests). */
struct sim_result {
	u64 simulated_ns;
	u64 ops;
	u64 faults;
	u64 simcalls;
	u64 parks;
	u64 deadlocks;
	u64 threads_done;
};
void sim_get_result(const struct sim *s, struct sim_result *r);

#endif
