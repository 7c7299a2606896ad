/* trace_source.c - per-thread op sources over a .mmtz file (importing other inputs into a
 * temporary one first). Each source is an mmtz cursor filtered to one thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "traces/mmtz_format.h"
#include "traces/trace_source.h"

struct trace_set {
	struct mmtz_file *mf;
	u32 *roots;
	unsigned nr_roots;
};

struct thread_source {
	struct op_source src;
	struct mmtz_file *mf;
	struct mmtz_cursor *c;
	u32 thread;
	u64 last_rec;               /* record number of the op last returned */
	struct op_touch *run;       /* TS_RUN_MAX entries for touches(), allocated at its first call */
	char err[1024];
};

#define TS_RUN_MAX 128

static int ts_next(struct op_source *src, struct op *op)
{
	struct thread_source *t = container_of(src, struct thread_source, src);
	u32 ti;
	int rc = mmtz_cursor_next(t->c, op, &ti, &t->last_rec);
	if (rc < 0)
		snprintf(t->err, sizeof(t->err), "%s", mmtz_cursor_error(t->c));
	return rc;
}

static u32 ts_touches(struct op_source *src, const struct op_touch **run)
{
	struct thread_source *t = container_of(src, struct thread_source, src);
	if (!t->run)
		t->run = xmalloc(TS_RUN_MAX * sizeof(*t->run));
	*run = t->run;
	return mmtz_cursor_touches(t->c, t->run, TS_RUN_MAX, &t->last_rec);
}

static struct op_source *thread_source_create(struct mmtz_file *mf, u32 thread, char *err,
					      size_t errlen);

static struct op_source *ts_child(struct op_source *src, const struct op *fork_op)
{
	struct thread_source *t = container_of(src, struct thread_source, src);
	const struct mmtz_file *mf = t->mf;
	if (!fork_op->id || fork_op->id > UINT32_MAX)
		return NULL;
	/* the child: a thread with that tid whose records start after the fork, created by
	 * this thread (or, failing that, the first such thread) */
	u32 found = MMTZ_NO_PARENT, nr;
	const u32 *same_tid = mmtz_file_tid_threads(mf, (u32)fork_op->id, &nr);
	for (u32 k = 0; k < nr; k++) {
		u32 i = same_tid[k];
		const struct mmtz_thread *c = &mf->threads[i];
		if (c->tid != (u32)fork_op->id || c->first_rec <= t->last_rec)
			continue;
		if (c->parent == t->thread) {
			found = i;
			break;
		}
		if (found == MMTZ_NO_PARENT)
			found = i;
	}
	if (found == MMTZ_NO_PARENT)
		return NULL;
	char err[256];
	struct op_source *child = thread_source_create(t->mf, found, err, sizeof(err));
	if (!child)
		snprintf(t->err, sizeof(t->err), "%s", err);
	return child;
}

static const char *ts_error(struct op_source *src)
{
	struct thread_source *t = container_of(src, struct thread_source, src);
	return t->err[0] ? t->err : NULL;
}

static void ts_close(struct op_source *src)
{
	struct thread_source *t = container_of(src, struct thread_source, src);
	mmtz_cursor_destroy(t->c);
	mmtz_file_put(t->mf);
	free(t->run);
	free(t);
}

static const struct op_source_ops thread_source_ops = {
	.next = ts_next,
	.touches = ts_touches,
	.child = ts_child,
	.error = ts_error,
	.close = ts_close,
};

static struct op_source *thread_source_create(struct mmtz_file *mf, u32 thread, char *err,
					      size_t errlen)
{
	/* the first block holding the thread's first record (blocks are in record order) */
	u64 first = mf->threads[thread].first_rec;
	u32 lo = 0, hi = mf->nr_blocks;
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;
		if (mf->blocks[mid].first_rec <= first)
			lo = mid;
		else
			hi = mid;
	}
	struct mmtz_cursor *c = mmtz_cursor_create(mf, lo, thread, err, errlen);
	if (!c)
		return NULL;
	struct thread_source *t = xcalloc(1, sizeof(*t));
	t->src.ops = &thread_source_ops;
	t->src.name = mf->origin ? mf->origin : mf->path;
	mmtz_file_get(mf);
	t->mf = mf;
	t->c = c;
	t->thread = thread;
	t->last_rec = first ? first - 1 : 0;
	return &t->src;
}

/* Import any non-.mmtz input into a temporary .mmtz; returns its path (malloc'd). */
static char *import_to_tmp(const char *path, const struct trace_source_opts *o, char *err,
			   size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/mmsim-trace-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", path,
			 dir && *dir ? dir : "/tmp", strerror(errno));
		free(tmpl);
		return NULL;
	}
	close(fd);
	char *out = xasprintf("%s.mmtz", tmpl);
	trace_tmp_track(out);
	unlink(tmpl);
	free(tmpl);
	struct trace_reader *r = trace_reader_open(path, o->from, &o->import, err, errlen);
	if (!r) {
		trace_tmp_untrack(out);
		free(out);
		return NULL;
	}
	struct trace_writer *w = trace_writer_create(out, TRACE_KIND_MMTZ,
						     trace_reader_info(r)->page_size, err, errlen);
	if (!w) {
		trace_reader_close(r);
		trace_tmp_untrack(out);
		free(out);
		return NULL;
	}
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0)
		if (trace_writer_put(w, &op, err, errlen) < 0) {
			rc = -2;
			break;
		}
	if (rc == -1)
		snprintf(err, errlen, "%s", trace_reader_error(r));
	const struct trace_info *info = trace_reader_info(r);
	if (rc == 0 && !info->records &&
	    (info->kind == TRACE_KIND_STRACE || info->kind == TRACE_KIND_LACKEY)) {
		snprintf(err, errlen, "%s: no record mmsim can import in %llu line%s of this %s log",
			 path, (unsigned long long)info->lines, info->lines == 1 ? "" : "s",
			 trace_kind_name(info->kind));
		rc = -2;
	}
	trace_reader_close(r);
	if (rc < 0) {
		trace_writer_abort(w);
		trace_tmp_untrack(out);
		free(out);
		return NULL;
	}
	if (trace_writer_finish(w, err, errlen) < 0) {
		trace_tmp_untrack(out);
		free(out);
		return NULL;
	}
	return out;
}

struct trace_set *trace_set_open(const char *path, const struct trace_source_opts *opts,
				 char *err, size_t errlen)
{
	static const struct trace_source_opts defaults;
	const struct trace_source_opts *o = opts ? opts : &defaults;
	enum trace_kind k = o->from != TRACE_KIND_AUTO ? o->from : TRACE_KIND_AUTO;
	struct mmtz_file *mf = NULL;

	if (k == TRACE_KIND_AUTO) {
		/* an .mmtz is recognised by its magic, whatever its name */
		FILE *f = fopen(path, "rb");
		char magic[MMTZ_MAGIC_LEN];
		if (!f) {
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
			return NULL;
		}
		if (fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
		    !memcmp(magic, MMTZ_MAGIC, MMTZ_MAGIC_LEN))
			k = TRACE_KIND_MMTZ;
		fclose(f);
	}
	if (k == TRACE_KIND_MMTZ) {
		mf = mmtz_file_open(path, err, errlen);
	} else {
		char *tmp = import_to_tmp(path, o, err, errlen);
		if (!tmp)
			return NULL;
		mf = mmtz_file_open(tmp, err, errlen);
		if (mf) {
			mf->unlink_on_free = true;
			mf->origin = xstrdup(path);
			trace_tmp_track(mf->path);
		} else {
			unlink(tmp);
		}
		trace_tmp_untrack(tmp);
		free(tmp);
	}
	if (!mf)
		return NULL;
	struct trace_set *ts = xcalloc(1, sizeof(*ts));
	ts->mf = mf;
	ts->roots = xcalloc(mf->nr_threads ? mf->nr_threads : 1, sizeof(u32));
	for (u32 i = 0; i < mf->nr_threads; i++)
		if (mf->threads[i].parent == MMTZ_NO_PARENT)
			ts->roots[ts->nr_roots++] = i;
	return ts;
}

unsigned trace_set_nr_roots(const struct trace_set *ts)
{
	return ts->nr_roots;
}

void trace_set_root_ids(const struct trace_set *ts, unsigned i, u32 *pid, u32 *tid)
{
	const struct mmtz_thread *t = &ts->mf->threads[ts->roots[i]];
	*pid = t->pid;
	*tid = t->tid;
}

u32 trace_set_page_size(const struct trace_set *ts)
{
	return ts->mf->page_size;
}

u64 trace_set_nr_records(const struct trace_set *ts)
{
	return ts->mf->nr_records;
}

u32 trace_set_nr_threads(const struct trace_set *ts)
{
	return ts->mf->nr_threads;
}

struct op_source *trace_set_root(struct trace_set *ts, unsigned i, char *err, size_t errlen)
{
	if (i >= ts->nr_roots) {
		snprintf(err, errlen, "%s: no root thread %u", ts->mf->path, i);
		return NULL;
	}
	return thread_source_create(ts->mf, ts->roots[i], err, errlen);
}

void trace_set_close(struct trace_set *ts)
{
	if (!ts)
		return;
	mmtz_file_put(ts->mf);
	free(ts->roots);
	free(ts);
}

struct op_source *trace_open_source(const char *path, const struct trace_source_opts *opts,
				    char *err, size_t errlen)
{
	struct trace_set *ts = trace_set_open(path, opts, err, errlen);
	if (!ts)
		return NULL;
	struct op_source *src = NULL;
	if (trace_set_nr_roots(ts) == 0)
		snprintf(err, errlen, "%s: the trace has no records", path);
	else
		src = trace_set_root(ts, 0, err, errlen);
	trace_set_close(ts);
	return src;
}
