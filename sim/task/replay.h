/* replay.h - the task actor loop: take the next op from the thread's op source and
 * carry it out through the mm entry points (vm_mmap, vm_munmap, touch_range, ...).
 * The loop does not know whether its ops come from a generator or a trace. */
#ifndef MMSIM_TASK_REPLAY_H
#define MMSIM_TASK_REPLAY_H

#include "task/op_source.h"

struct task;
struct mm_struct;
struct inode;
struct replay_world;
struct replay_sync;
struct rpipe;
struct mempolicy;
struct kill_event;

/* An open file descriptor of a process. */
struct fd_entry {
	struct inode *inode;             /* counted reference; NULL = free slot (or a pipe) */
	u64 pos;                         /* file position (read/write without offset) */
	struct rpipe *pipe;              /* a pipe end (replay_sync.h), counted; or NULL */
	bool pipe_write;                 /* the write end */
};

/* One simulated process: an mm shared by its threads, and its file descriptors. */
struct process {
	u32 pid;                         /* simulated pid */
	u32 trace_pid;                   /* recorded pid (traces), else = pid */
	char comm[16];
	struct mm_struct *mm;            /* owned: dropped by its last thread */
	u32 nr_threads;                  /* started */
	u32 nr_live;
	struct fd_entry *fds;            /* indexed by the recorded fd number */
	u32 nr_fds;
	const void *wcfg;                /* borrowed: the workload it belongs to (placement) */
	u64 check_gen;                   /* --check: last RSS sum that counted it */
	unsigned instance;               /* workload instance index */
	struct task *vfork_parent;       /* borrowed: parked until this vfork child execs or exits */
	bool vfork_done;
	u64 kill_at_ns;                  /* workloads[].kill_at (task/kill.h): killed then; 0 never */
	u32 kill_threads;                /* threads the kill ended */
	u64 kill_ops;                    /* ops they had carried out */
};

/* What the replay did, summed over all threads (owned by the caller). */
struct replay_totals {
	u64 ops[NR_OP_TYPES];            /* ops carried out, by type */
	u64 not_modelled[NR_OP_TYPES];   /* ops whose model has not arrived yet (skipped) */
	u64 failed[NR_OP_TYPES];         /* ops that returned an error */
	u64 ret_mismatch;                /* recorded result differs from the simulated one */
	u64 touch_run_ops;               /* touches taken from their sources' touch runs
					  * (op_source_ops.touches): how the replay read them,
					  * not what they did (summary.json "host") */
	s64 last_replayed_ret;           /* the replayed result of the last mismatch */
	const void *last_mismatch_op;    /* and its op (a thread's own), to attribute it */
	/* the first mismatches, as the replay met them */
	struct ret_mismatch_row {
		u64 sim_ns, rec_ns;
		u32 pid, tid;
		enum op_type type;
		s32 fd;
		u64 addr, len;
		s64 recorded, replayed;
		u64 src_line;                /* op.src_line: the line of the imported log */
		unsigned cause;              /* enum mismatch_cause (task/mismatch.h) */
	} first_mismatch[10];
	u32 nr_first_mismatch;
	u64 touched_pages;
	u64 faults;                      /* page faults taken by touches */
	u64 segv;                        /* touches outside any VMA / without permission */
	u64 oom_kills;
	u64 alloc_pages_ok[16];          /* OP_ALLOC_PAGES successes by order */
	u64 alloc_pages_fail[16];        /* and failures */
	u64 alloc_pages_ok_compacted[16];   /* of those: made after the thread's compact_memory */
	u64 alloc_pages_fail_compacted[16];
	u64 bad_handles;                 /* FREE_PAGES of a handle not allocated */
	u64 source_errors;
	u64 threads_done;
	u64 processes;                   /* created (initial and forked) */
	u64 threads;                     /* started */
	u64 madvise_not_modelled;        /* advice whose model has not arrived */
	u64 late_ops;                    /* open mode: ops issued after their recorded time */
	u64 lateness_total_ns, lateness_max_ns;
	u64 snapshots;
	u64 sync_waits;                  /* closed mode: pipe reads and wait4s that waited */
	u64 sync_wait_ns;                /* time they waited */
	u64 sync_unmet;                  /* waits given up: nothing could end them */
	u64 signals_sent;                /* kill/tkill/tgkill replayed */
	u64 signals_delivered;           /* signal deliveries replayed (OP_SIGNAL) */
};

/* What sim.c provides to replaying threads: process/thread creation for fork and
 * clone (placement and actor start), and the snapshot writer. */
struct replay_world_ops {
	/* Start a new thread of p (fork child or clone) reading ops from src. */
	void (*start_thread)(struct replay_world *w, struct task *parent, struct process *p,
			     struct op_source *src, u32 trace_tid);
	/* A new process (fork): registered, with no mm and no thread yet. */
	struct process *(*new_process)(struct replay_world *w, const struct process *parent,
				       u32 trace_pid);
	/* OP_SNAPSHOT: record what the kernel shows in file `file` (of node `node` for the
	 * per-node files, else -1) for this thread now. */
	void (*snapshot)(struct replay_world *w, struct task *tsk, struct process *p, u32 file,
			 s32 node);
	/* The thread with this index (replay_thread.index), for page migration. */
	struct replay_thread *(*thread)(struct replay_world *w, u32 index);
};

/* A SysV shm segment, by the id the recording's shmget returned. */
struct shm_seg {
	u64 id;
	struct inode *inode;               /* counted reference */
};

/* OP_OBSERVE: what `mmsim record` saw of the real process tree at a sample point, and
 * what the simulation has at the same point of the recording's thread. Sizes in kB. */
struct observe_row {
	u64 rec_ns, sim_ns;                /* recorded time, simulated time */
	u64 obs_rss_kb, obs_anon_kb, obs_swap_kb, obs_faults, obs_pgfault;
	u64 sim_rss_kb, sim_anon_kb, sim_swap_kb, sim_faults;
};

struct replay_world {
	const struct replay_world_ops *ops;
	struct replay_totals totals;
	struct observe_row *observed;      /* owned; in the order the samples were replayed */
	u32 nr_observed, cap_observed;
	struct shm_seg *shm_segs;          /* owned; segments live to the end of the run */
	u32 nr_shm_segs;
	u64 check_gen;                     /* --check: generation of the RSS sum */
	struct replay_sync *sync;          /* owned: pipes, exits waited for (replay_sync.c) */
	struct kill_event *kills;          /* owned: processes killed by kill_at (task/kill.h) */
	u32 nr_kills;
};

/* Release what the world holds (after the run). */
void replay_world_release(struct replay_world *w);
/* Make the blocks threads hold from OP_ALLOC_PAGES migratable: order-0 movable blocks
 * are non-LRU movable pages (as a driver's pages with movable_operations), which
 * compaction moves by re-pointing the handle (rmap_set_external). */
void replay_world_attach(struct replay_world *w, struct sim *sim);

/* Blocks a thread holds from OP_ALLOC_PAGES, by handle (open addressing). */
enum handle_state { HANDLE_EMPTY, HANDLE_LIVE, HANDLE_NULL, HANDLE_FREED };

struct alloc_handle {
	u64 id;
	u64 pfn;
	u32 order;
	u8 state;                        /* enum handle_state; NULL: the allocation failed */
};

struct replay_thread {
	struct alloc_handle *handles;    /* owned */
	u32 nr_handles, cap_handles;
	struct op_source *src;           /* owned: closed when the thread ends */
	struct process *proc;            /* borrowed */
	struct replay_totals *totals;    /* borrowed: &world->totals */
	struct replay_world *world;      /* borrowed */
	char *error;                     /* owned: message if the source failed */
	u32 index;                       /* creation order among all threads (replay_world_ops.thread) */
	u32 trace_pid, trace_tid;        /* recorded ids (from its first op; 0 before) */
	u64 touches, faults, segv;       /* this thread's touched pages, faults, SIGSEGV touches */
	u64 think_credit;                /* closed loop: time a vfork parent waited, taken off the
					  * next op's think time (recorded from the vfork's start) */
	bool compacted;                  /* issued compact_memory: later allocations count apart */
	bool open_mode;                  /* issue ops at their recorded time (else closed loop) */
	u64 t0_ns;                       /* simulated time of the trace's time 0 (open mode) */
	struct task *tsk;                /* borrowed: the running thread's task, NULL before and after */
	bool started;                    /* its task runs */
	struct mempolicy *init_mempolicy; /* owned until it starts: the inherited task policy */
	int init_il_prev;
};

/* Process file descriptors (fd_install with the recorded number; close drops the
 * reference). fork copies the table. */
void process_fd_install(struct process *p, s32 fd, struct inode *inode);
void process_fd_install_pipe(struct process *p, s32 fd, struct rpipe *pipe, bool write);
struct fd_entry *process_fd(struct process *p, s32 fd);
void process_fd_close(struct task *tsk, struct process *p, s32 fd);
void process_fds_copy(struct process *dst, const struct process *src);
void process_fds_release(struct task *tsk, struct process *p);

/* task_fn of a replaying thread; tsk->priv is its struct replay_thread. */
void replay_main(struct task *tsk);
/* task_exit_fn of a replaying thread: closes its source. */
void replay_thread_exit(struct task *tsk, bool failed);

#endif
