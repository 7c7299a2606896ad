/* replay.h - the task actor loop: take the next op from the thread's op source and
 * carry it out through the mm entry points (vm_mmap, vm_munmap, touch_range, ...).
 * The loop does not know whether its ops come from a generator or a trace. */
#ifndef MMSIM_TASK_REPLAY_H
#define MMSIM_TASK_REPLAY_H

#include "task/op_source.h"

struct task;
struct mm_struct;

/* One simulated process: an mm shared by its threads. */
struct process {
	u32 pid;
	char comm[16];
	struct mm_struct *mm;            /* owned: dropped by its last thread */
	u32 nr_threads;                  /* started */
	u32 nr_live;
};

/* What the replay did, summed over all threads (owned by the caller). */
struct replay_totals {
	u64 ops[NR_OP_TYPES];            /* ops carried out, by type */
	u64 not_modelled[NR_OP_TYPES];   /* ops whose model has not arrived yet (skipped) */
	u64 failed[NR_OP_TYPES];         /* ops that returned an error */
	u64 ret_mismatch;                /* recorded result differs from the simulated one */
	u64 touched_pages;
	u64 faults;                      /* page faults taken by touches */
	u64 segv;                        /* touches outside any VMA / without permission */
	u64 oom_kills;
	u64 alloc_pages_ok[16];          /* OP_ALLOC_PAGES successes by order */
	u64 alloc_pages_fail[16];        /* and failures */
	u64 bad_handles;                 /* FREE_PAGES of a handle not allocated */
	u64 source_errors;
	u64 threads_done;
};

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
	struct replay_totals *totals;    /* borrowed */
	char *error;                     /* owned: message if the source failed */
};

/* task_fn of a replaying thread; tsk->priv is its struct replay_thread. */
void replay_main(struct task *tsk);

#endif
