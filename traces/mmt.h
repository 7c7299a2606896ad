/* mmt.h - reading and writing traces: mmsim's own formats (.mmt text, .mmtz binary,
 * both version 1, see traces/FORMAT.md) and the foreign logs it imports (strace,
 * valgrind lackey). Every reader yields the same struct op stream, in recorded order,
 * in constant memory (memory grows with the number of threads, never with the length).
 *
 * Errors are messages in the diag style, naming the file and a line (text logs) or a
 * record and byte offset (.mmtz):
 *	t.mmt:14:9: unknown op "mmapp"
 *	t.mmtz: block 3 (offset 0x3f2a1): checksum mismatch (stored 0x..., computed 0x...)
 * A strace log and a lackey log of the same run combine into one trace (mappings from
 * strace, touches from lackey; see struct trace_import_opts.lackey_touches). */
#ifndef MMSIM_TRACES_MMT_H
#define MMSIM_TRACES_MMT_H

#include <stdio.h>
#include "task/op.h"

#define MMT_VERSION 1
#define MMT_MAX_PATH 4096           /* longest path (bytes) a record may carry */

enum trace_kind {
	TRACE_KIND_AUTO = 0,        /* by content: .mmtz magic, "mmt" header, strace, lackey */
	TRACE_KIND_MMT,             /* text form */
	TRACE_KIND_MMTZ,            /* binary form */
	TRACE_KIND_STRACE,          /* strace -f -tt log (plain or gzip) */
	TRACE_KIND_LACKEY,          /* valgrind --tool=lackey --trace-mem=yes log (plain or gzip) */
	TRACE_KIND_PERF,            /* a `perf script` log of page faults: only with a strace log */
};

const char *trace_kind_name(enum trace_kind k);
/* "mmt", "mmtz", "strace", "lackey" -> kind; TRACE_KIND_AUTO when unknown. */
enum trace_kind trace_kind_from_name(const char *name);
/* Kind by file name: .mmtz -> MMTZ, .mmt (or .mmt.gz) -> MMT; AUTO otherwise. */
enum trace_kind trace_kind_from_path(const char *path);

/* Options of the importers; zero-initialised means the defaults. */
struct trace_import_opts {
	/* lackey: keep one touch per page (and per read/write) per window of this many
	 * instructions; 0 keeps every access. */
	u64 lackey_dedup_window;
	/* lackey: drop instruction fetches ("I" lines) instead of turning them into reads. */
	bool lackey_no_instr;
	/* lackey: simulated ns per instruction for time_ns/think_ns (0 means 1). */
	u32 lackey_ns_per_instr;
	/* strace: merge in the touches of this lackey log, recorded in the same run with
	 * `strace -f -tt -e trace=memory,process,ipc,desc -o LOG valgrind --tool=lackey
	 * --trace-mem=yes --trace-syscalls=yes --log-file=LACKEY CMD` (FORMAT.md). */
	const char *lackey_touches;
	/* strace (-ttt): merge in the page faults of this `perf script` log of the same run
	 * (import_perf.c): each fault of a traced thread becomes a one-page touch. */
	const char *perf_faults;
	/* with perf_faults: the observed samples of `mmsim record` (OP_OBSERVE records). */
	const char *observed;
};

/* What a reader knows about its input. Counters are filled as the reader goes; an
 * importer's counts are final once next() returned 0. */
#define TRACE_MAX_UNKNOWN 32
struct trace_info {
	enum trace_kind kind;
	u32 version;                /* format version (mmt/mmtz), 0 for foreign logs */
	u32 page_size;              /* recording's page size (4096 when not recorded) */
	u64 lines;                  /* input lines read (text inputs) */
	u64 records;                /* ops produced so far */
	/* importers: syscalls (strace) or line kinds (lackey) seen but not imported */
	u64 skipped;
	u64 signals;                /* strace: signal lines */
	u32 nr_unknown;             /* distinct unknown syscall names listed below */
	struct {
		char name[32];
		u64 count;
	} unknown[TRACE_MAX_UNKNOWN];
	u64 unknown_other;          /* unknown calls beyond the listed names */
	u64 time_base_ns;           /* strace: absolute timestamp of time 0 (-ttt: epoch ns) */
	/* perf faults merged in (import_perf.c): imported as touches, and dropped because
	 * no traced thread was alive with that tid (strace itself, perf, before the exec) */
	u64 faults_imported, faults_foreign;
	/* perf's mmap events of an execve (image, ld.so, stack, vdso, and the bss from the
	 * recorder's ELF lines) imported as mmap records */
	u64 exec_maps;
	/* mmtz only (from the header and index): */
	u64 file_bytes;
	u32 nr_blocks;
	u64 index_records;          /* total records per the index */
};

struct trace_reader;

/* Open any trace. kind AUTO detects the format from the content. Plain or gzip input
 * is accepted for text forms. Returns NULL with a message in err. */
struct trace_reader *trace_reader_open(const char *path, enum trace_kind kind,
				       const struct trace_import_opts *opts, char *err,
				       size_t errlen);
/* Several inputs as one: the per-process files LOG.PID of `strace -ff -o LOG` (n > 1, or
 * n 1 naming a directory of them), merged in timestamp order. n 1 and no directory is
 * trace_reader_open(). */
struct trace_reader *trace_reader_open_files(const char *const *paths, unsigned n,
					     enum trace_kind kind,
					     const struct trace_import_opts *opts, char *err,
					     size_t errlen);
/* Next op in recorded order: 1 produced, 0 end, -1 error (trace_reader_error()).
 * op->path is borrowed until the next call. */
int trace_reader_next(struct trace_reader *r, struct op *op);
const char *trace_reader_error(const struct trace_reader *r);
const struct trace_info *trace_reader_info(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

struct trace_writer;

/* Create a writer of kind MMT or MMTZ. path "-" writes text to stdout. The file appears
 * under its name only at trace_writer_finish() (written to PATH.tmp, then renamed). */
struct trace_writer *trace_writer_create(const char *path, enum trace_kind kind,
					 u32 page_size, char *err, size_t errlen);
/* Append one op. Returns 0, or -1 with a message in err (I/O error, bad op). */
int trace_writer_put(struct trace_writer *w, const struct op *op, char *err, size_t errlen);
/* Complete the file (flush, index, rename). Frees w. Returns 0 or -1 with err. */
int trace_writer_finish(struct trace_writer *w, char *err, size_t errlen);
/* Drop a half-written file. Frees w. */
void trace_writer_abort(struct trace_writer *w);

/* Temporary files (a writer's PATH.tmp.XXXXXX, an imported trace's $TMPDIR/mmsim-trace-*)
 * are tracked while they exist, so that SIGINT, SIGTERM or SIGHUP does not leave them
 * behind: trace_tmp_catch_signals(true) installs a handler that removes them and dies of
 * the signal (false: the default action again); a handler of the caller's own calls
 * trace_tmp_unlink_all() (async-signal-safe) before dying. path is borrowed until untracked. */
void trace_tmp_track(const char *path);
void trace_tmp_untrack(const char *path);
void trace_tmp_unlink_all(void);
void trace_tmp_catch_signals(bool on);

/* One op as a canonical .mmt line (no newline) into buf; returns the length it needs
 * (as snprintf). */
int mmt_format_op(const struct op *op, char *buf, size_t len);

/* Names of constants as written in .mmt text (NULL when the value has none). */
const char *mmt_advice_name(u32 advice);
const char *mmt_mpol_mode_name(u32 mode);

#endif
