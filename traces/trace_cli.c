/* trace_cli.c - `mmsim trace convert|cat|stat|--help`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "traces/mmt.h"
#include "traces/trace_cli.h"

#define EXIT_WRITE 1
#define EXIT_BAD_INPUT 2

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: mmsim trace <command> [options] FILE...\n"
		"\n"
		"Commands:\n"
		"  convert [options] IN... OUT\n"
		"                             convert a trace; OUT's extension chooses the format:\n"
		"                             .mmt (text) or .mmtz (binary); OUT \"-\" writes text to\n"
		"                             stdout. IN may be .mmt, .mmtz, or a strace or lackey log,\n"
		"                             plain or gzip-compressed (detected from the content);\n"
		"                             several INs (or one directory) are the LOG.PID files\n"
		"                             of strace -ff, merged in timestamp order. A log with no\n"
		"                             record mmsim can import is an error (exit 2)\n"
		"  cat [options] FILE         print a trace in the text form (.mmt) on stdout\n"
		"  stat [options] FILE        ops by kind, processes, threads, address footprint,\n"
		"                             duration, bytes per record\n"
		"  --help                     this text\n"
		"\n"
		"Options:\n"
		"  --from KIND                the input's format: mmt, mmtz, strace or lackey (perf:\n"
		"                             a perf fault log goes with --faults, not alone)\n"
		"                             (default: detected)\n"
		"  --dedup-window N           lackey: one touch per page (and per read/write) per\n"
		"                             window of N instructions (default 0: every access)\n"
		"  --no-instr                 lackey: drop instruction fetches\n"
		"  --ns-per-instr N           lackey: simulated ns per instruction (default 1)\n"
		"  --touches LACKEY           strace: add the page touches of this lackey log of the\n"
		"                             same run (recorded as below); --dedup-window and\n"
		"                             --no-instr apply to it\n"
		"  --faults PERF              strace: add the page faults of this `perf script` log\n"
		"                             of the same run as touches (what `mmsim record` makes;\n"
		"                             the strace log needs epoch times, traces/FORMAT.md)\n"
		"  --observed SAMPLES         with --faults: the observed samples of `mmsim record`\n"
		"\n"
		"strace logs: record with `strace -f -tt -e trace=memory,process,ipc,desc -o LOG CMD`\n"
		"(`trace=memory,process,ipc,desc,prctl` keeps the THP prctl calls too). -t, -ttt and\n"
		"no timestamps, [pid N] prefixes (stderr), -y, -T, -i, -n and -X raw are read too;\n"
		"-r, -X verbose and -e raw=all are refused (use -ttt or -tt; -X abbrev; no raw).\n"
		"lackey logs: record with `valgrind --tool=lackey --trace-mem=yes --log-file=LOG CMD`.\n"
		"Both of one run (one single-threaded process): `strace -f -tt -e\n"
		"trace=memory,process,ipc,desc -o LOG valgrind --tool=lackey --trace-mem=yes\n"
		"--trace-syscalls=yes --log-file=LACKEY CMD`, then `mmsim trace convert --touches\n"
		"LACKEY LOG OUT`: the mappings come from LOG, the touches from LACKEY, aligned on\n"
		"the program's memory system calls, which both logs show.\n"
		"The formats are described in traces/FORMAT.md.\n"
		"\n"
		"Exit status: 0 success; 1 the output could not be written; 2 bad input (the message\n"
		"names the file and the line, or the record and byte offset).\n");
}

struct trace_args {
	enum trace_kind from;
	struct trace_import_opts opts;
	const char **files;         /* borrowed from argv; convert: inputs then OUT */
	int nr_files;
};

static int parse_u64_arg(const char *cmd, const char *opt, const char *s, u64 *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-') {
		fprintf(stderr, "mmsim trace %s: %s: expected a non-negative integer, got \"%s\"\n",
			cmd, opt, s);
		return -1;
	}
	*v = x;
	return 0;
}

static int parse_args(const char *cmd, int argc, char **argv, int want_files, struct trace_args *a)
{
	memset(a, 0, sizeof(*a));
	a->files = xcalloc((size_t)argc + 1, sizeof(*a->files));
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		u64 v;
		if (!strcmp(s, "--from") || !strcmp(s, "--dedup-window") || !strcmp(s, "--ns-per-instr") ||
		    !strcmp(s, "--touches") || !strcmp(s, "--faults") || !strcmp(s, "--observed")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim trace %s: %s needs a value\n", cmd, s);
				goto fail;
			}
			const char *val = argv[++i];
			if (!strcmp(s, "--touches")) {
				a->opts.lackey_touches = val;
			} else if (!strcmp(s, "--faults")) {
				a->opts.perf_faults = val;
			} else if (!strcmp(s, "--observed")) {
				a->opts.observed = val;
			} else if (!strcmp(s, "--from")) {
				a->from = trace_kind_from_name(val);
				if (a->from == TRACE_KIND_AUTO) {
					fprintf(stderr, "mmsim trace %s: --from: expected mmt, mmtz, strace, "
						"perf or lackey, got \"%s\"\n", cmd, val);
					goto fail;
				}
			} else if (parse_u64_arg(cmd, s, val, &v) < 0) {
				goto fail;
			} else if (!strcmp(s, "--dedup-window")) {
				a->opts.lackey_dedup_window = v;
			} else {
				if (v == 0 || v > 1000000) {
					fprintf(stderr, "mmsim trace %s: --ns-per-instr: expected 1..1000000\n", cmd);
					goto fail;
				}
				a->opts.lackey_ns_per_instr = (u32)v;
			}
		} else if (!strcmp(s, "--no-instr")) {
			a->opts.lackey_no_instr = true;
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "mmsim trace %s: unknown option \"%s\" (see mmsim trace --help)\n",
				cmd, s);
			goto fail;
		} else {
			if (a->nr_files == want_files && want_files == 1) {
				fprintf(stderr, "mmsim trace %s: too many arguments (\"%s\")\n", cmd, s);
				goto fail;
			}
			a->files[a->nr_files++] = s;
		}
	}
	if (want_files == 2 ? a->nr_files < 2 : a->nr_files != want_files) {
		fprintf(stderr, "mmsim trace %s: expected %s (see mmsim trace --help)\n", cmd,
			want_files == 2 ? "IN and OUT" : "a FILE");
		goto fail;
	}
	return 0;
fail:
	free(a->files);
	a->files = NULL;
	return -1;
}

static void print_not_imported(const char *path, const struct trace_info *info)
{
	if (!info->nr_unknown)
		return;
	u64 total = info->unknown_other;
	for (u32 i = 0; i < info->nr_unknown; i++)
		total += info->unknown[i].count;
	fprintf(stderr, "note: %s: %" PRIu64 " %s not imported:", path, total,
		info->kind == TRACE_KIND_STRACE ? "calls" : "lines");
	for (u32 i = 0; i < info->nr_unknown; i++)
		fprintf(stderr, "%s %s (%" PRIu64 ")", i ? "," : "", info->unknown[i].name,
			info->unknown[i].count);
	if (info->unknown_other)
		fprintf(stderr, ", others (%" PRIu64 ")", info->unknown_other);
	fprintf(stderr, "\n");
}

/* Copy every op of IN to the writer. Returns an exit status. */
static int copy_ops(struct trace_reader *r, struct trace_writer *w, const char *in)
{
	struct op op;
	char err[1024];
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0) {
		if (trace_writer_put(w, &op, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			trace_writer_abort(w);
			return EXIT_WRITE;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", trace_reader_error(r));
		trace_writer_abort(w);
		return EXIT_BAD_INPUT;
	}
	const struct trace_info *info = trace_reader_info(r);
	if (!info->records && (info->kind == TRACE_KIND_STRACE || info->kind == TRACE_KIND_LACKEY)) {
		print_not_imported(in, info);
		fprintf(stderr, "%s: no record mmsim can import in %" PRIu64 " line%s of this %s "
			"log\n", in, info->lines, info->lines == 1 ? "" : "s",
			trace_kind_name(info->kind));
		trace_writer_abort(w);
		return EXIT_BAD_INPUT;
	}
	if (trace_writer_finish(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_WRITE;
	}
	return 0;
}

static int convert_files(int argc, char **argv);

/* SIGINT, SIGTERM or SIGHUP during a convert removes its temporary files (the output's
 * PATH.tmp.XXXXXX) and exits as killed by the signal. */
static int cmd_convert(int argc, char **argv)
{
	trace_tmp_catch_signals(true);
	int rc = convert_files(argc, argv);
	trace_tmp_catch_signals(false);
	return rc;
}

static int convert_files(int argc, char **argv)
{
	struct trace_args a;
	char err[1024];
	if (parse_args("convert", argc, argv, 2, &a) < 0)
		return EXIT_BAD_INPUT;
	const char *in = a.files[0], *out = a.files[a.nr_files - 1];
	unsigned nr_in = (unsigned)a.nr_files - 1;
	enum trace_kind ok = !strcmp(out, "-") ? TRACE_KIND_MMT : trace_kind_from_path(out);
	if (ok == TRACE_KIND_AUTO) {
		fprintf(stderr, "mmsim trace convert: %s: the output's extension must be .mmt or .mmtz\n",
			out);
		return EXIT_BAD_INPUT;
	}
	struct trace_reader *r = trace_reader_open_files(a.files, nr_in, a.from, &a.opts, err,
							 sizeof(err));
	free(a.files);
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return EXIT_BAD_INPUT;
	}
	struct trace_writer *w = trace_writer_create(out, ok, trace_reader_info(r)->page_size, err,
						     sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		trace_reader_close(r);
		return EXIT_WRITE;
	}
	int rc = copy_ops(r, w, in);
	if (rc == 0) {
		const struct trace_info *info = trace_reader_info(r);
		print_not_imported(in, info);
		if (a.opts.perf_faults)
			fprintf(stderr, "note: %s: %" PRIu64 " faults imported as touches, %" PRIu64
				" of other tasks (strace, perf, before the first call) dropped\n",
				a.opts.perf_faults, info->faults_imported, info->faults_foreign);
		struct stat st;
		if (strcmp(out, "-") && stat(out, &st) == 0)
			fprintf(stderr, "%s: %" PRIu64 " records, %lld bytes (%.2f bytes/record)\n", out,
				info->records, (long long)st.st_size,
				info->records ? (double)st.st_size / (double)info->records : 0.0);
	}
	trace_reader_close(r);
	return rc;
}

static int cmd_cat(int argc, char **argv)
{
	struct trace_args a;
	char err[1024];
	if (parse_args("cat", argc, argv, 1, &a) < 0)
		return EXIT_BAD_INPUT;
	const char *in = a.files[0];
	free(a.files);
	struct trace_reader *r = trace_reader_open(in, a.from, &a.opts, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return EXIT_BAD_INPUT;
	}
	struct trace_writer *w = trace_writer_create("-", TRACE_KIND_MMT,
						     trace_reader_info(r)->page_size, err, sizeof(err));
	int rc = w ? copy_ops(r, w, in) : EXIT_WRITE;
	trace_reader_close(r);
	return rc;
}

/* ---- stat ---- */

/* A set of (pid, page) for the touched-page footprint: memory grows with the footprint,
 * not with the trace. Open addressing, one 16-byte entry per member (key and pid in one
 * cache line), Fibonacci hashing (one multiply). */
struct pageset_ent {
	u64 key;                    /* page number + 1 (0 = empty) */
	u32 pid;
};

struct pageset {
	struct pageset_ent *e;
	u64 cap, nr;
	unsigned bits;              /* cap = 1 << bits */
};

static void pageset_add(struct pageset *s, u32 pid, u64 page);

/* Twice the room (out of pageset_add's path: that one stays a leaf, inlined). */
static __attribute__((noinline)) void pageset_grow(struct pageset *s)
{
	struct pageset old = *s;
	s->bits = old.cap ? old.bits + 1 : 10;
	s->cap = 1ULL << s->bits;
	s->e = xcalloc(s->cap, sizeof(*s->e));
	s->nr = 0;
	for (u64 i = 0; i < old.cap; i++)
		if (old.e[i].key)
			pageset_add(s, old.e[i].pid, old.e[i].key - 1);
	free(old.e);
}

static inline void pageset_add(struct pageset *s, u32 pid, u64 page)
{
	if (unlikely((s->nr + 1) * 2 > s->cap))
		pageset_grow(s);
	u64 key = page + 1;
	/* 16 pages in a row share a hashed run of slots: a sequential sweep walks memory
	 * in order (the table outgrows the caches; a miss per page was half of trace stat) */
	u64 h = (((page >> 4) * 31 + pid) * 0x9e3779b97f4a7c15ULL) >> (64 - s->bits);
	for (u64 i = h ^ (page & 15);; i = (i + 1) & (s->cap - 1)) {
		struct pageset_ent *x = &s->e[i];
		if (!x->key) {
			x->key = key;
			x->pid = pid;
			s->nr++;
			return;
		}
		if (x->key == key && x->pid == pid)
			return;
	}
}

#define STAT_MAX_PAGES_PER_OP (1u << 20)

static int cmd_stat(int argc, char **argv)
{
	struct trace_args a;
	char err[1024];
	if (parse_args("stat", argc, argv, 1, &a) < 0)
		return EXIT_BAD_INPUT;
	const char *path = a.files[0];
	free(a.files);
	struct trace_reader *r = trace_reader_open(path, a.from, &a.opts, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return EXIT_BAD_INPUT;
	}
	u64 by_type[NR_OP_TYPES] = { 0 }, failed = 0, mapped = 0, big_touch_pages = 0;
	u64 tmin = UINT64_MAX, tmax = 0, n = 0;
	u32 last_pid = 0, last_tid = 0;
	bool have_ids = false;
	struct pageset pages = { 0 };
	struct pageset procs = { 0 }, threads = { 0 };
	u32 shift = 0;
	for (u32 ps = trace_reader_info(r)->page_size; ps > 1; ps >>= 1)
		shift++;
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0) {
		n++;
		by_type[op.type]++;
		if (op.time_ns < tmin)
			tmin = op.time_ns;
		if (op.time_ns > tmax)
			tmax = op.time_ns;
		if (!have_ids || op.pid != last_pid || op.tid != last_tid) {
			/* the same thread as the record before: already in both sets */
			pageset_add(&procs, 0, op.pid);
			pageset_add(&threads, op.pid, op.tid);
			last_pid = op.pid;
			last_tid = op.tid;
			have_ids = true;
		}
		if (op.ret != OP_RET_NONE && op.ret < 0 && op.ret > -4096)
			failed++;
		bool ok = op.ret == OP_RET_NONE || op.ret >= 0 || op.ret <= -4096;
		if (ok && (op.type == OP_MMAP || op.type == OP_SHMAT))
			mapped += DIV_ROUND_UP(op.len, 1ULL << shift);
		if (op.type == OP_TOUCH && op.len) {
			u64 first = op.addr >> shift, last = (op.addr + op.len - 1) >> shift;
			if (last < first || last - first >= STAT_MAX_PAGES_PER_OP)
				big_touch_pages += op.len >> shift;
			else
				for (u64 p = first; p <= last; p++)
					pageset_add(&pages, op.pid, p);
		}
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", trace_reader_error(r));
		trace_reader_close(r);
		free(pages.e), free(procs.e), free(threads.e);
		return EXIT_BAD_INPUT;
	}
	const struct trace_info *info = trace_reader_info(r);
	struct stat st;
	u64 bytes = stat(path, &st) == 0 ? (u64)st.st_size : 0;
	printf("file: %s\n", path);
	printf("format: %s", trace_kind_name(info->kind));
	if (info->version)
		printf(" version %u", info->version);
	printf(", page size %u\n", info->page_size);
	if (info->kind == TRACE_KIND_MMTZ)
		printf("blocks: %u\n", info->nr_blocks);
	if (info->lines)
		printf("lines: %" PRIu64 "\n", info->lines);
	printf("records: %" PRIu64 "\n", n);
	printf("bytes: %" PRIu64 " (%.2f bytes/record)\n", bytes, n ? (double)bytes / (double)n : 0.0);
	printf("processes: %" PRIu64 "\n", procs.nr);
	printf("threads: %" PRIu64 "\n", threads.nr);
	printf("duration: %" PRIu64 ".%09" PRIu64 " s\n", n ? (u64)((tmax - tmin) / NSEC_PER_SEC) : 0,
	       n ? (u64)((tmax - tmin) % NSEC_PER_SEC) : 0);
	printf("footprint: %" PRIu64 " pages touched", pages.nr + big_touch_pages);
	if (big_touch_pages)
		printf(" (%" PRIu64 " of them in touches of over %u pages, not deduplicated)",
		       big_touch_pages, STAT_MAX_PAGES_PER_OP);
	printf(", %" PRIu64 " pages mapped (mmap and shmat lengths)\n", mapped);
	printf("failed calls: %" PRIu64 "\n", failed);
	printf("ops by kind:\n");
	for (int t = 1; t < NR_OP_TYPES; t++)
		if (by_type[t])
			printf("  %-16s %" PRIu64 "\n", op_type_name((enum op_type)t), by_type[t]);
	if (info->kind == TRACE_KIND_STRACE || info->kind == TRACE_KIND_LACKEY) {
		printf("not imported: %" PRIu64 "\n", info->skipped);
		for (u32 i = 0; i < info->nr_unknown; i++)
			printf("  %-16s %" PRIu64 "\n", info->unknown[i].name, info->unknown[i].count);
		if (info->unknown_other)
			printf("  %-16s %" PRIu64 "\n", "(others)", info->unknown_other);
		if (info->kind == TRACE_KIND_STRACE)
			printf("signals: %" PRIu64 "\n", info->signals);
	}
	trace_reader_close(r);
	free(pages.e), free(procs.e), free(threads.e);
	return 0;
}

int trace_main(int argc, char **argv)
{
	if (argc < 2) {
		trace_usage(stderr);
		return EXIT_BAD_INPUT;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		trace_usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "convert"))
		return cmd_convert(argc - 2, argv + 2);
	if (!strcmp(cmd, "cat"))
		return cmd_cat(argc - 2, argv + 2);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 2, argv + 2);
	fprintf(stderr, "mmsim trace: unknown command \"%s\" (see mmsim trace --help)\n", cmd);
	return EXIT_BAD_INPUT;
}
