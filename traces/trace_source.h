/* trace_source.h - a recorded trace as per-thread op sources, for the replay and the
 * `trace:` workload kind.
 *
 * Usage (the lead's replay):
 *	char err[1024];
 *	struct trace_set *ts = trace_set_open(path, NULL, err, sizeof(err));
 *	if (!ts) { fprintf(stderr, "%s\n", err); exit 2; }      // names file and line/offset
 *	for (unsigned i = 0; i < trace_set_nr_roots(ts); i++) {
 *		struct op_source *src = trace_set_root(ts, i, err, sizeof(err));
 *		// start a task actor for root thread i (trace_set_root_ids() gives its pid/tid)
 *	}
 *	trace_set_close(ts);       // sources keep what they need; close any time after
 *
 * In the actor: op_source_next(src, &op) gives the thread's ops in recorded order (1),
 * 0 at its end, -1 on a corrupted trace (op_source_error(src) names file and offset; the
 * error can only come from a damaged .mmtz, since imports are checked at open). After an
 * OP_FORK or OP_CLONE, src->ops->child(src, &op) returns the source of the new process's
 * or thread's first thread (the thread whose tid is op.id and whose records follow the
 * fork), or NULL when the child left no records. Each source is closed with
 * op_source_close(); a source is used by one actor at a time.
 *
 * A root is a thread no fork/clone record created: usually one (the traced program),
 * more when strace attached to several processes or a hand-written trace has them.
 *
 * Inputs: .mmtz is read in place. Any other input (.mmt, strace, lackey, plain or gzip)
 * is imported once at open into a temporary .mmtz under $TMPDIR (default /tmp), deleted
 * when the last source is closed. Memory per source: one compressed and one raw block
 * (about 1 MiB at most) plus 24 bytes per thread of the trace. A thread's source skips
 * the blocks that hold none of its records (thread mask in the block index). */
#ifndef MMSIM_TRACES_TRACE_SOURCE_H
#define MMSIM_TRACES_TRACE_SOURCE_H

#include "task/op_source.h"
#include "traces/mmt.h"

struct trace_source_opts {
	enum trace_kind from;               /* AUTO: detected */
	struct trace_import_opts import;    /* lackey options */
};

struct trace_set;

/* Open (and for foreign inputs import) a trace. opts may be NULL. NULL with err set. */
struct trace_set *trace_set_open(const char *path, const struct trace_source_opts *opts,
				 char *err, size_t errlen);
unsigned trace_set_nr_roots(const struct trace_set *ts);
/* Recorded pid/tid of root i. */
void trace_set_root_ids(const struct trace_set *ts, unsigned i, u32 *pid, u32 *tid);
/* Recording's page size, number of records and of threads. */
u32 trace_set_page_size(const struct trace_set *ts);
u64 trace_set_nr_records(const struct trace_set *ts);
u32 trace_set_nr_threads(const struct trace_set *ts);
/* Source of root thread i; NULL with err set (cannot open the file). */
struct op_source *trace_set_root(struct trace_set *ts, unsigned i, char *err, size_t errlen);
void trace_set_close(struct trace_set *ts);

/* Shorthand: the source of the first root thread of the trace at path. */
struct op_source *trace_open_source(const char *path, const struct trace_source_opts *opts,
				    char *err, size_t errlen);

#endif
