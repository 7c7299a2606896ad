/* reader_impl.h - the reader object every trace format implements (private to traces/).
 * An implementation embeds struct trace_reader first and fills next/close. */
#ifndef MMSIM_TRACES_READER_IMPL_H
#define MMSIM_TRACES_READER_IMPL_H

#include "traces/mmt.h"

#define TRACE_ERR_MAX 4096

struct trace_reader {
	int (*next)(struct trace_reader *r, struct op *op);
	void (*close)(struct trace_reader *r);
	struct trace_info info;
	char *path;                 /* owned */
	char err[TRACE_ERR_MAX];    /* one message, or several lines for text inputs */
};

/* Constructors; each returns NULL with err filled. */
struct trace_reader *mmt_text_open(const char *path, char *err, size_t errlen);
struct trace_reader *mmtz_open(const char *path, char *err, size_t errlen);
struct trace_reader *strace_open(const char *path, const struct trace_import_opts *opts,
				 char *err, size_t errlen);
/* The per-process files of strace -ff (ff true: merged in time order, pids from the
 * LOG.PID names) or one log (ff false, n 1). */
struct trace_reader *strace_open_files(const char *const *paths, unsigned n, bool ff,
				       const struct trace_import_opts *opts, char *err,
				       size_t errlen);
struct trace_reader *lackey_open(const char *path, const struct trace_import_opts *opts,
				 char *err, size_t errlen);

/* lackey: called for each "SYSCALL[...]" line (valgrind --trace-syscalls=yes) with the
 * instructions executed so far, the line and its number; a negative return ends the
 * reader with an error (the callee fills the reader's err through its own means). */
typedef int (*lackey_syscall_fn)(void *arg, u64 instrs, const char *line, u64 lineno);
void lackey_set_syscall_hook(struct trace_reader *r, lackey_syscall_fn fn, void *arg);
/* A strace log with the touches of a lackey log of the same run (combine.c). */
struct trace_reader *combine_open(const char *strace_path, const struct trace_import_opts *opts,
				  char *err, size_t errlen);

/* A strace log (epoch times) with the page faults of a perf script log and the observed
 * samples of the same run (import_perf.c; opts->perf_faults, opts->observed). */
struct trace_reader *perf_faults_open(const char *strace_path, const struct trace_import_opts *opts,
				      char *err, size_t errlen);

/* Common setup of the embedded part. */
void trace_reader_init(struct trace_reader *r, const char *path, enum trace_kind kind);
/* Count one unknown name in info (listed up to TRACE_MAX_UNKNOWN names). */
void trace_info_unknown(struct trace_info *info, const char *name, size_t len);

/* Writers (private constructors used by trace_writer_create). */
struct trace_writer {
	int (*put)(struct trace_writer *w, const struct op *op, char *err, size_t errlen);
	int (*finish)(struct trace_writer *w, char *err, size_t errlen);
	void (*abort)(struct trace_writer *w);
};
struct trace_writer *mmt_text_writer_create(const char *path, u32 page_size, char *err,
					    size_t errlen);
struct trace_writer *mmtz_writer_create(const char *path, u32 page_size, char *err,
					size_t errlen);

/* Create the temporary file a writer fills before renaming it to path: a unique name
 * PATH.tmp.XXXXXX beside it (two runs writing one output never share it), mode 0666 less
 * the umask. Returns the stream and *tmp (malloc'd), or NULL with err. */
FILE *trace_tmp_create(const char *path, char **tmp, char *err, size_t errlen);

/* Parse one .mmt record line into op (path copied into pathbuf of MMT_MAX_PATH + 1
 * bytes). Returns 0, or -1 with "COL: message" in err (COL 1-based). */
int mmt_parse_record(const char *line, struct op *op, char *pathbuf, char *err, size_t errlen);

#endif
