/* op_source.h - where a thread's ops come from.
 *
 * One op_source feeds one simulated thread. Generators (workloads/) and trace readers
 * (traces/) implement it; task/replay.c consumes it and never knows which it has.
 * A source fills the caller's struct op; it must not allocate per op. */
#ifndef MMSIM_TASK_OP_SOURCE_H
#define MMSIM_TASK_OP_SOURCE_H

#include "task/op.h"

struct op_source;

/* One record of a run of plain touches (op_source_ops.touches): an OP_TOUCH whose other
 * fields are the neutral ones of op_init, with the pid and tid of the op next() last
 * returned. */
struct op_touch {
	u64 time_ns, think_ns;
	u64 addr, len;
	u64 src_line;
	u32 flags;
};

/* The fields of op that a run's touch t sets (op is already an OP_TOUCH as op_init made
 * it, with its pid and tid) */
static inline void op_set_touch(struct op *op, const struct op_touch *t)
{
	op->time_ns = t->time_ns;
	op->think_ns = t->think_ns;
	op->addr = t->addr;
	op->len = t->len;
	op->src_line = t->src_line;
	op->flags = t->flags;
}

/* op made the run's touch t, keeping the pid and tid it had (replay_touch_run's ops) */
static inline void op_from_touch(struct op *op, const struct op_touch *t)
{
	u32 pid = op->pid, tid = op->tid;
	op_init(op, OP_TOUCH);
	op->pid = pid;
	op->tid = tid;
	op_set_touch(op, t);
}

struct op_source_ops {
	/* Fill *op with the next op. Returns 1 when an op was produced, 0 at the end of the
	 * stream, -1 on an error (message from ->error()). */
	int (*next)(struct op_source *src, struct op *op);
	/* Source for the new thread or process created by the OP_FORK/OP_CLONE just returned
	 * by next(); NULL when the child issues no ops of its own. May be NULL. */
	struct op_source *(*child)(struct op_source *src, const struct op *fork_op);
	/* Message describing the last error, naming file and record/line. May be NULL. */
	const char *(*error)(struct op_source *src);
	/* Optional (NULL: not offered). After next() returned an OP_TOUCH, the plain touches
	 * that directly follow it in the stream, consumed in one call: *run points at n of
	 * them (valid until the source's next call), 0 when the next op is anything else
	 * (next() then returns it, or the end, or the error, as it would have). Replaying
	 * them one by one is replaying what next() would have returned: a source
	 * implements it only to skip its general decoding of the commonest op. */
	u32 (*touches)(struct op_source *src, const struct op_touch **run);
	/* Release the source (consumes it). */
	void (*close)(struct op_source *src);
};

struct op_source {
	const struct op_source_ops *ops;
	const char *name;   /* for messages, e.g. "sequential_touch[0]" or a trace path; borrowed */
};

static inline int op_source_next(struct op_source *src, struct op *op)
{
	return src->ops->next(src, op);
}

static inline void op_source_close(struct op_source *src)
{
	if (src)
		src->ops->close(src);
}

static inline const char *op_source_error(struct op_source *src)
{
	const char *e = src->ops->error ? src->ops->error(src) : NULL;
	return e ? e : "unknown error";
}

#endif
