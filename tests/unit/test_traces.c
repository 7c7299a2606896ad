// LINK: mmsim_traces
/* test_traces.c - trace formats and importers: text -> binary -> text identity on every
 * sample, exact messages (with offsets) for damaged .mmtz files and bad .mmt lines,
 * exact op counts and records from the checked-in strace and lackey logs, per-thread
 * sources with their fork tree, and the CLI's exit statuses. Run from the source root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "traces/mmt.h"
#include "traces/reader_impl.h"
#include "traces/snapshot_file.h"
#include "traces/trace_cli.h"
#include "traces/trace_source.h"

#define SAMPLES "traces/samples/"

static char tmpdir[256];

static char *tmp_path(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void spit(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Convert in -> out; returns 0 or -1 with the message in err. */
static int convert(const char *in, enum trace_kind from, const struct trace_import_opts *o,
		   const char *out, char *err, size_t errlen)
{
	struct trace_reader *r = trace_reader_open(in, from, o, err, errlen);
	if (!r)
		return -1;
	struct trace_writer *w = trace_writer_create(out, trace_kind_from_path(out),
						     trace_reader_info(r)->page_size, err, errlen);
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0)
		if (trace_writer_put(w, &op, err, errlen) < 0)
			break;
	if (rc < 0) {
		snprintf(err, errlen, "%s", trace_reader_error(r));
		trace_writer_abort(w);
		trace_reader_close(r);
		return -1;
	}
	trace_reader_close(r);
	return trace_writer_finish(w, err, errlen);
}

/* Every op of a file counted by type; returns the total, or -1 with err set. */
static long count_ops(const char *path, enum trace_kind from, const struct trace_import_opts *o,
		      u64 *by_type, struct trace_info *info, char *err, size_t errlen)
{
	struct trace_reader *r = trace_reader_open(path, from, o, err, errlen);
	if (!r)
		return -1;
	struct op op;
	long n = 0;
	int rc;
	memset(by_type, 0, NR_OP_TYPES * sizeof(u64));
	while ((rc = trace_reader_next(r, &op)) > 0) {
		by_type[op.type]++;
		n++;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", trace_reader_error(r));
		n = -1;
	}
	if (info)
		*info = *trace_reader_info(r);
	trace_reader_close(r);
	return n;
}

/* The n-th (0-based) op of a file with the given type and tid (0: any) as a .mmt line. */
static const char *nth_op(const char *path, enum op_type type, u32 tid, int nth)
{
	static char line[8192];
	static char err[1024];
	struct trace_reader *r = trace_reader_open(path, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	struct op op;
	snprintf(line, sizeof(line), "(none)");
	if (!r)
		return err;
	while (trace_reader_next(r, &op) > 0)
		if (op.type == type && (!tid || op.tid == tid) && nth-- == 0) {
			mmt_format_op(&op, line, sizeof(line));
			break;
		}
	trace_reader_close(r);
	return line;
}

static void test_round_trip_text_binary_text_is_identity_on_every_sample(void)
{
	static const char *const samples[] = { "map_steps", "threads_churn", "gzip", "sqlite3",
					       "tiny_touch", "touch_steps" };
	char err[1024];
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char in[256], bin[512], txt[512];
		snprintf(in, sizeof(in), SAMPLES "%s.mmt", samples[i]);
		snprintf(bin, sizeof(bin), "%s", tmp_path("rt.mmtz"));
		snprintf(txt, sizeof(txt), "%s", tmp_path("rt.mmt"));
		int rc = convert(in, TRACE_KIND_AUTO, NULL, bin, err, sizeof(err));
		CHECK_EQ_STR(rc == 0 ? "ok" : err, "ok");
		rc = convert(bin, TRACE_KIND_AUTO, NULL, txt, err, sizeof(err));
		CHECK_EQ_STR(rc == 0 ? "ok" : err, "ok");
		size_t a_len, b_len;
		unsigned char *a = slurp(in, &a_len), *b = slurp(txt, &b_len);
		CHECK(a && b);
		CHECK_EQ_U64(a_len, b_len);
		CHECK(a && b && a_len == b_len && memcmp(a, b, a_len) == 0);
		free(a);
		free(b);
	}
	/* the checked-in binary sample decodes to the checked-in text */
	int rc = convert(SAMPLES "map_steps.mmtz", TRACE_KIND_AUTO, NULL, tmp_path("ms.mmt"), err,
			 sizeof(err));
	CHECK_EQ_S64(rc, 0);
	size_t a_len, b_len;
	unsigned char *a = slurp(SAMPLES "map_steps.mmt", &a_len), *b = slurp(tmp_path("ms.mmt"), &b_len);
	CHECK(a && b && a_len == b_len && memcmp(a, b, a_len) == 0);
	free(a);
	free(b);
}

static void test_binary_round_trip_keeps_every_field_of_unusual_ops(void)
{
	char err[1024];
	char path[512];
	snprintf(path, sizeof(path), "%s", tmp_path("fields.mmtz"));
	struct trace_writer *w = trace_writer_create(path, TRACE_KIND_MMTZ, 65536, err, sizeof(err));
	struct op in[4];
	op_init(&in[0], OP_MREMAP);
	in[0].pid = 7;
	in[0].tid = 4000000000u;
	in[0].time_ns = UINT64_MAX - 5;
	in[0].addr = 0xffffffffffff0000ULL;
	in[0].len = 1;
	in[0].addr2 = 2;
	in[0].len2 = UINT64_MAX;
	in[0].ret = INT64_MIN + 1;
	in[0].fd = INT32_MIN;
	in[0].node = INT32_MAX;
	in[0].prot = UINT32_MAX;
	in[0].flags = 0x80000000u;
	in[0].arg = 77;
	in[0].off = ~0ULL;
	in[0].nodemask = 1ULL << 63;
	in[0].id = 99;
	in[0].ns = 5;
	in[0].think_ns = 6;
	in[0].path = "a \"quoted\"\\ path\n\x01\xff";
	op_init(&in[1], OP_TOUCH);
	in[1].pid = 7;
	in[1].tid = 4000000000u;
	in[1].addr = 4096;          /* a negative address delta */
	in[1].len = 4096;
	op_init(&in[2], OP_SNAPSHOT);
	in[2].pid = 8;
	in[2].tid = 8;
	in[2].arg = SNAPSHOT_NUMA_MAPS;
	op_init(&in[3], OP_COMPUTE);
	in[3].pid = 7;
	in[3].tid = 4000000000u;
	in[3].time_ns = 3;          /* time going backwards */
	in[3].ns = 1000;
	for (int i = 0; i < 4; i++)
		CHECK_EQ_S64(trace_writer_put(w, &in[i], err, sizeof(err)), 0);
	CHECK_EQ_S64(trace_writer_finish(w, err, sizeof(err)), 0);
	struct trace_reader *r = trace_reader_open(path, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ_U64(trace_reader_info(r)->page_size, 65536);
	for (int i = 0; i < 4; i++) {
		struct op o;
		char a[8192], b[8192];
		CHECK_EQ_S64(trace_reader_next(r, &o), 1);
		mmt_format_op(&in[i], a, sizeof(a));
		mmt_format_op(&o, b, sizeof(b));
		CHECK_EQ_STR(b, a);
		/* and the text form parses back to the same line */
		const char *txt = tmp_path("one.mmt");
		FILE *f = fopen(txt, "w");
		fprintf(f, "mmt 1\n%s\n", a);
		fclose(f);
		struct trace_reader *tr = trace_reader_open(txt, TRACE_KIND_AUTO, NULL, err, sizeof(err));
		struct op o2;
		CHECK_EQ_S64(tr ? trace_reader_next(tr, &o2) : -9, 1);
		mmt_format_op(&o2, b, sizeof(b));
		CHECK_EQ_STR(b, a);
		trace_reader_close(tr);
	}
	struct op o;
	CHECK_EQ_S64(trace_reader_next(r, &o), 0);
	trace_reader_close(r);
	CHECK_EQ_STR(nth_op(path, OP_SNAPSHOT, 0, 0), "0.000000000 8/8 snapshot file=numa_maps");
}

/* Open a damaged .mmtz and read it to the end: the first error message. */
static const char *read_error(const char *path)
{
	static char err[2048];
	struct trace_reader *r = trace_reader_open(path, TRACE_KIND_MMTZ, NULL, err, sizeof(err));
	if (!r)
		return err;
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0)
		;
	snprintf(err, sizeof(err), "%s", rc < 0 ? trace_reader_error(r) : "(no error)");
	trace_reader_close(r);
	return err;
}

static void put_le32(unsigned char *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static u32 get_le32(const unsigned char *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void test_damaged_mmtz_files_fail_with_the_offset(void)
{
	size_t n;
	unsigned char *good = slurp(SAMPLES "map_steps.mmtz", &n);
	char want[1024];
	const char *p = tmp_path("bad.mmtz");
	CHECK(good && n > 200);
	if (!good)
		return;
	unsigned char *b = malloc(n);
	u32 index_off = get_le32(good + 16);

	/* a corrupted byte inside block 0's payload */
	memcpy(b, good, n);
	b[32 + 28 + 40] ^= 0x5a;
	spit(p, b, n);
	u32 comp_len = get_le32(b + 32 + 20);
	u32 crc = (u32)crc32(crc32(0L, b + 32, 24), b + 32 + 28, comp_len);
	snprintf(want, sizeof(want), "%s: block 0 (offset 0x20): checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 p, get_le32(b + 32 + 24), crc);
	CHECK_EQ_STR(read_error(p), want);

	/* truncated in the middle of the blocks */
	spit(p, good, 500);
	snprintf(want, sizeof(want), "%s: truncated at offset 0x1f4: the index at offset 0x%x is missing",
		 p, index_off);
	CHECK_EQ_STR(read_error(p), want);
	/* truncated inside the index */
	spit(p, good, n - 10);
	snprintf(want, sizeof(want), "%s: truncated at offset 0x%zx: the index (offset 0x%x, 3 threads, 1 blocks) needs %zu bytes, the file has %zu",
		 p, n - 10, index_off, n - index_off, n - 10 - index_off);
	CHECK_EQ_STR(read_error(p), want);
	/* truncated inside the header */
	spit(p, good, 20);
	snprintf(want, sizeof(want), "%s: truncated at offset 0x14: the header needs 32 bytes", p);
	CHECK_EQ_STR(read_error(p), want);

	/* a wrong version (with a consistent header checksum) */
	memcpy(b, good, n);
	b[8] = 7;
	put_le32(b + 28, (u32)crc32(0L, b, 28));
	spit(p, b, n);
	snprintf(want, sizeof(want), "%s: offset 0x8: format version 7 not supported (this mmsim reads version 1)", p);
	CHECK_EQ_STR(read_error(p), want);
	/* ... and without fixing the checksum */
	b[8] = 2;
	spit(p, b, n);
	snprintf(want, sizeof(want), "%s: offset 0x0: header checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 p, get_le32(b + 28), (u32)crc32(0L, b, 28));
	CHECK_EQ_STR(read_error(p), want);

	/* garbage bytes */
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 131 + 7);
	spit(p, b, n);
	snprintf(want, sizeof(want), "%s: offset 0x0: not an .mmtz file (bad magic)", p);
	CHECK_EQ_STR(read_error(p), want);
	char err[1024];
	CHECK(trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s: not a trace mmsim knows (neither .mmtz, .mmt, strace -f -tt nor lackey output; choose with --from strace|lackey)", p);
	CHECK_EQ_STR(err, want);
	/* an empty file */
	spit(p, b, 0);
	snprintf(want, sizeof(want), "%s: offset 0x0: not an .mmtz file (bad magic)", p);
	CHECK_EQ_STR(read_error(p), want);

	/* a corrupted index */
	memcpy(b, good, n);
	b[index_off + 50] ^= 1;
	spit(p, b, n);
	snprintf(want, sizeof(want), "%s: index (offset 0x%x): checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 p, index_off, get_le32(b + n - 4), (u32)crc32(0L, b + index_off, (uInt)(n - 4 - index_off)));
	CHECK_EQ_STR(read_error(p), want);

	/* every single-byte corruption and every truncation fails cleanly or reads fine */
	for (size_t i = 0; i < n; i++) {
		memcpy(b, good, n);
		b[i] ^= 0xff;
		spit(p, b, n);
		const char *e = read_error(p);
		CHECK(strncmp(e, p, strlen(p)) == 0);
		spit(p, good, i);
		e = read_error(p);
		CHECK(strncmp(e, p, strlen(p)) == 0);
	}
	free(b);
	free(good);
}

/* A hand-made .mmtz with one block of the given raw records (checksums all valid). */
static void write_one_block(const char *path, const unsigned char *raw, u32 raw_len, u32 nrec,
			    u32 pid, u32 tid)
{
	unsigned char out[4096];
	uLongf comp_len = 2048;
	compress(out + 60, &comp_len, raw, raw_len);
	memset(out, 0, 60);
	memcpy(out, "\x89MMTZ\r\n\x1a", 8);
	out[8] = 1;
	out[10] = 32;
	put_le32(out + 12, 4096);
	u32 index_off = 60 + (u32)comp_len;
	put_le32(out + 16, index_off);
	put_le32(out + 28, (u32)crc32(0L, out, 28));
	unsigned char *h = out + 32;
	memcpy(h, "MMTB", 4);
	put_le32(h + 4, nrec);
	put_le32(h + 16, raw_len);
	put_le32(h + 20, (u32)comp_len);
	put_le32(h + 24, (u32)crc32(crc32(0L, h, 24), out + 60, (uInt)comp_len));
	unsigned char *x = out + index_off;
	memset(x, 0, 40 + 40 + 32 + 4);
	memcpy(x, "MMTX", 4);
	put_le32(x + 4, 1);
	put_le32(x + 8, 1);
	put_le32(x + 16, nrec);
	put_le32(x + 40, pid);
	put_le32(x + 44, tid);
	put_le32(x + 48, 0xffffffffu);
	put_le32(x + 64, nrec - 1);                 /* last record */
	put_le32(x + 72, nrec);                     /* number of records */
	put_le32(x + 80, 32);                       /* block offset */
	put_le32(x + 96, nrec);
	put_le32(x + 100, raw_len);
	put_le32(x + 104, 1);                       /* thread mask */
	put_le32(x + 112, (u32)crc32(0L, x, 112));
	spit(path, out, index_off + 116);
}

static void test_bad_records_name_the_record_and_block_offset(void)
{
	char want[1024];
	const char *p = tmp_path("rec.mmtz");
	/* record 0: a touch by a new thread 5/5; record 1: op type 0x3f (no op has it) */
	static const unsigned char bad_type[] = { 0x40 | 22, 5, 5, 0, 0x80 | 0x3f, 0 };
	write_one_block(p, bad_type, sizeof(bad_type), 2, 5, 5);
	snprintf(want, sizeof(want), "%s: record 1 (block 0 at offset 0x20): unknown op type 0x3f", p);
	CHECK_EQ_STR(read_error(p), want);
	/* a record cut short: the mask promises a time that is not there */
	static const unsigned char short_rec[] = { 0x40 | 22, 5, 5, 1 };
	write_one_block(p, short_rec, sizeof(short_rec), 1, 5, 5);
	snprintf(want, sizeof(want), "%s: record 0 (block 0 at offset 0x20): truncated record", p);
	CHECK_EQ_STR(read_error(p), want);
	/* a thread index nobody introduced */
	static const unsigned char bad_thread[] = { 0x40 | 22, 5, 5, 0, 22, 3, 0 };
	write_one_block(p, bad_thread, sizeof(bad_thread), 2, 5, 5);
	snprintf(want, sizeof(want), "%s: record 1 (block 0 at offset 0x20): unknown thread index 3", p);
	CHECK_EQ_STR(read_error(p), want);
	/* a path longer than the limit */
	static const unsigned char long_path[] = { 0x40 | 12, 5, 5, 0x80, 0x80, 0x04, 0xff, 0x7f };
	write_one_block(p, long_path, sizeof(long_path), 1, 5, 5);
	snprintf(want, sizeof(want), "%s: record 0 (block 0 at offset 0x20): bad path length 16383", p);
	CHECK_EQ_STR(read_error(p), want);
	/* bytes after the last record */
	static const unsigned char extra[] = { 0x40 | 22, 5, 5, 0, 9 };
	write_one_block(p, extra, sizeof(extra), 1, 5, 5);
	snprintf(want, sizeof(want), "%s: block 0 (offset 0x20): 1 bytes after its last record", p);
	CHECK_EQ_STR(read_error(p), want);
	/* and the same block made right reads */
	static const unsigned char good[] = { 0x40 | 22, 5, 5, 0 };
	write_one_block(p, good, sizeof(good), 1, 5, 5);
	CHECK_EQ_STR(read_error(p), "(no error)");
	CHECK_EQ_STR(nth_op(p, OP_TOUCH, 0, 0), "0.000000000 5/5 touch");
}

static void test_bad_text_lines_are_all_reported_with_line_and_column(void)
{
	const char *p = tmp_path("bad.mmt");
	FILE *f = fopen(p, "w");
	fprintf(f, "# a comment\nmmt 1\n"
		"0.000000001 1/1 mmap len=4096 prot=rw flags=private|anonymous = 0x7f0000000000\n"
		"0.000000002 1/1 mmapp len=4096\n"
		"0.000000003 1/1 mmap prot=rwq\n"
		"0.000000004 1/1 madvise advice=dontneedx\n"
		"0.5 1/x touch\n"
		"0.000000006 1/1 touch len=12 len=13\n"
		"0.000000007 1/1 open path=\"abc\n"
		"0.000000008 1/1 munmap = -EWHAT\n"
		"1.0000000001 1/1 exit\n");
	fclose(f);
	char want[2048];
	snprintf(want, sizeof(want),
		 "%s:4:17: unknown op \"mmapp\"\n"
		 "%s:5:27: prot: expected letters of \"rwx\", \"none\" or a number, got \"rwq\"\n"
		 "%s:6:32: advice: unknown name \"dontneedx\"\n"
		 "%s:7:5: expected PID/TID, got \"1/x\"\n"
		 "%s:8:30: field \"len\" given twice\n"
		 "%s:9:27: expected a quoted string\n"
		 "%s:10:27: unknown errno name \"EWHAT\"\n"
		 "%s:11:1: expected a time SECONDS.NANOSECONDS, got \"1.0000000001\"",
		 p, p, p, p, p, p, p, p);
	char err[4096];
	struct trace_reader *r = trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (!r)
		return;
	struct op op;
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_S64(trace_reader_next(r, &op), -1);
	CHECK_EQ_STR(trace_reader_error(r), want);
	trace_reader_close(r);

	/* wrong header and wrong version */
	f = fopen(p, "w");
	fprintf(f, "mmt 2\n");
	fclose(f);
	snprintf(want, sizeof(want), "%s:1:5: unsupported format version 2 (this mmsim reads 1)", p);
	r = trace_reader_open(p, TRACE_KIND_MMT, NULL, err, sizeof(err));
	CHECK_EQ_S64(trace_reader_next(r, &op), -1);
	CHECK_EQ_STR(trace_reader_error(r), want);
	trace_reader_close(r);
	f = fopen(p, "w");
	fprintf(f, "\x01\x02garbage\n");
	fclose(f);
	snprintf(want, sizeof(want), "%s:1:1: expected the header \"mmt 1\", got \"\\x01\\x02garbage\"", p);
	r = trace_reader_open(p, TRACE_KIND_MMT, NULL, err, sizeof(err));
	CHECK_EQ_S64(trace_reader_next(r, &op), -1);
	CHECK_EQ_STR(trace_reader_error(r), want);
	trace_reader_close(r);
	/* binary bytes in a text trace */
	f = fopen(p, "w");
	fwrite("mmt 1\n0.0 1/1 exit\0\n", 1, 20, f);
	fclose(f);
	snprintf(want, sizeof(want), "%s:2: NUL byte (binary data in a text trace?)", p);
	r = trace_reader_open(p, TRACE_KIND_MMT, NULL, err, sizeof(err));
	CHECK_EQ_S64(trace_reader_next(r, &op), -1);
	CHECK_EQ_STR(trace_reader_error(r), want);
	trace_reader_close(r);
}

static void test_strace_map_steps_exact_counts_and_records(void)
{
	u64 by[NR_OP_TYPES];
	struct trace_info info;
	char err[1024];
	long n = count_ops(SAMPLES "map_steps.strace", TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err));
	CHECK_EQ_S64(n, 64);
	CHECK_EQ_U64(by[OP_FSTAT], 2);
	CHECK_EQ_U64(by[OP_SIGNAL], 1);     /* the parent's SIGCHLD */      /* newfstatat(fd, "", ...) of the two libraries */
	CHECK_EQ_U64(info.kind, TRACE_KIND_STRACE);
	CHECK_EQ_U64(info.lines, 93);
	CHECK_EQ_U64(by[OP_MMAP], 14);
	CHECK_EQ_U64(by[OP_MUNMAP], 4);
	CHECK_EQ_U64(by[OP_MPROTECT], 5);
	CHECK_EQ_U64(by[OP_MREMAP], 1);
	CHECK_EQ_U64(by[OP_MADVISE], 2);
	CHECK_EQ_U64(by[OP_BRK], 3);
	CHECK_EQ_U64(by[OP_MBIND], 1);
	CHECK_EQ_U64(by[OP_SET_MEMPOLICY], 1);
	CHECK_EQ_U64(by[OP_SHMGET], 1);
	CHECK_EQ_U64(by[OP_SHMAT], 1);
	CHECK_EQ_U64(by[OP_SHMDT], 1);
	CHECK_EQ_U64(by[OP_SHMCTL], 1);
	CHECK_EQ_U64(by[OP_MEMFD_CREATE], 1);
	CHECK_EQ_U64(by[OP_OPEN], 2);
	CHECK_EQ_U64(by[OP_CLOSE], 3);
	CHECK_EQ_U64(by[OP_READ], 3);
	CHECK_EQ_U64(by[OP_FTRUNCATE], 1);
	CHECK_EQ_U64(by[OP_FALLOCATE], 1);
	CHECK_EQ_U64(by[OP_FORK], 1);
	CHECK_EQ_U64(by[OP_CLONE], 1);
	CHECK_EQ_U64(by[OP_EXIT], 3);
	CHECK_EQ_U64(by[OP_TOUCH], 1);
	CHECK_EQ_U64(by[OP_SNAPSHOT], 8);
	CHECK_EQ_U64(by[OP_WAIT4], 1);        /* the parent waits for its child */
	CHECK_EQ_U64(info.signals, 1);
	CHECK_EQ_U64(info.skipped, 1);
	CHECK_EQ_U64(info.nr_unknown, 1);
	CHECK_EQ_STR(info.unknown[0].name, "execve");
	const char *f = SAMPLES "map_steps.strace";
	/* the failing call keeps its errno */
	CHECK_EQ_STR(nth_op(f, OP_MMAP, 0, 10),
		     "0.001665000 7507/7507 mmap think=30000 len=1125899906842624 prot=rw flags=private|anonymous = -ENOMEM");
	/* MADV_POPULATE_WRITE is a write touch of the range, marked a populate */
	CHECK_EQ_STR(nth_op(f, OP_TOUCH, 0, 0),
		     "0.001551000 7507/7507 touch think=12000 addr=0x7f28c601e000 len=65536 flags=write|populate");
	CHECK_EQ_STR(nth_op(f, OP_MPROTECT, 0, 3),
		     "0.001412000 7507/7507 mprotect think=33000 addr=0x7f28c6046000 len=65536 prot=r = 0");
	CHECK_EQ_STR(nth_op(f, OP_MUNMAP, 0, 1),
		     "0.001477000 7507/7507 munmap think=33000 addr=0x7f28c604a000 len=32768 = 0");
	CHECK_EQ_STR(nth_op(f, OP_MBIND, 0, 0),
		     "0.001886000 7507/7507 mbind think=13000 addr=0x7f28c602e000 len=16384 mode=bind nodemask=0x1 = 0");
	CHECK_EQ_STR(nth_op(f, OP_SNAPSHOT, 0, 0),
		     "0.001199000 7507/7507 snapshot think=45000 file=meminfo");
	CHECK_EQ_STR(nth_op(f, OP_SNAPSHOT, 0, 6), "0.001991000 7507/7507 snapshot think=53000 file=smaps_rollup");
	CHECK_EQ_STR(nth_op(f, OP_CLONE, 0, 0), "0.002116000 7507/7507 clone think=23000 id=7508 = 7508");
	/* the thread belongs to the process; the forked child is a process of its own */
	CHECK_EQ_STR(nth_op(f, OP_MMAP, 7508, 0),
		     "0.002617000 7507/7508 mmap len=16384 prot=rw flags=private|anonymous = 0x7f28c625b000");
	CHECK_EQ_STR(nth_op(f, OP_EXIT, 7509, 0), "0.003629000 7509/7509 exit");
	CHECK_EQ_STR(nth_op(f, OP_SHMGET, 0, 0),
		     "0.001706000 7507/7507 shmget think=18000 len=32768 flags=ipc_creat|0x180 = 1");
	CHECK_EQ_STR(nth_op(f, OP_MEMFD_CREATE, 0, 0),
		     "0.001801000 7507/7507 memfd_create think=21000 flags=cloexec path=\"map_steps\" = 3");
	/* shmctl(1, IPC_RMID, NULL) = 0: IPC_RMID is command 0, the field's default */
	CHECK_EQ_STR(nth_op(f, OP_SHMCTL, 0, 0), "0.001780000 7507/7507 shmctl think=17000 id=1 = 0");
}

static void test_strace_unfinished_and_resumed_calls_are_joined(void)
{
	u64 by[NR_OP_TYPES];
	struct trace_info info;
	char err[1024];
	long n = count_ops(SAMPLES "threads_churn.strace", TRACE_KIND_STRACE, NULL, by, &info, err,
			   sizeof(err));
	CHECK_EQ_S64(n, 445);               /* with 2 fstat records */
	CHECK_EQ_U64(by[OP_FSTAT], 2);
	CHECK_EQ_U64(by[OP_MMAP], 212);
	CHECK_EQ_U64(by[OP_MUNMAP], 201);
	CHECK_EQ_U64(by[OP_CLONE], 4);
	CHECK_EQ_U64(by[OP_EXIT], 5);
	CHECK_EQ_U64(info.skipped, 1);
	/* "mmap(NULL, 1048576, ... <unfinished ...>" at 04:30:26.376789 and
	 * "<... mmap resumed>) = 0x7f772ad72000" later: one op with the start time */
	CHECK_EQ_STR(nth_op(SAMPLES "threads_churn.strace", OP_MMAP, 7514, 0),
		     "0.006039000 7513/7514 mmap len=1048576 prot=rw flags=private|anonymous = 0x7f772ad72000");
	CHECK_EQ_STR(nth_op(SAMPLES "threads_churn.strace", OP_MUNMAP, 7514, 0),
		     "0.006469000 7513/7514 munmap think=430000 addr=0x7f772ad72000 len=1048576 = 0");
	/* the same log read from gzip gives the same ops */
	const char *gz = tmp_path("tc.strace.gz");
	size_t len;
	unsigned char *b = slurp(SAMPLES "threads_churn.strace", &len);
	gzFile g = gzopen(gz, "wb");
	gzwrite(g, b, (unsigned)len);
	gzclose(g);
	free(b);
	CHECK_EQ_S64(count_ops(gz, TRACE_KIND_AUTO, NULL, by, NULL, err, sizeof(err)), 445);
	/* real tools */
	CHECK_EQ_S64(count_ops(SAMPLES "gzip.strace", TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err)), 33);
	CHECK_EQ_S64(count_ops(SAMPLES "sqlite3.strace", TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err)), 96);
	CHECK_EQ_U64(info.skipped, 5);
}

static void test_strace_odd_lines_are_counted_never_fatal(void)
{
	const char *p = tmp_path("odd.strace");
	FILE *f = fopen(p, "w");
	fprintf(f,
		"100   23:59:59.999000 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NEWFLAG, -1, 0) = 0x1000\n"
		"100   00:00:00.001000 frobnicate(1, 2) = 0\n"
		"[pid   101] 00:00:00.002000 munmap(0x1000, 4096) = 0\n"
		"100   00:00:00.003000 <... wait4 resumed>NULL) = 1\n"
		"100   00:00:00.004000 this is not a call\n"
		"100   00:00:00.005000 madvise(0x1000, 4096, MADV_POPULATE_READ) = -1 EINVAL (Invalid argument)\n"
		"100   00:00:00.006000 openat(AT_FDCWD, \"/proc/101/numa_maps\", O_RDONLY) = 4\n"
		"100   00:00:00.007000 pread64(4, \"\"..., 100, 0) = 10\n"
		"100   00:00:00.008000 pread64(4, \"\"..., 100, 10) = 0\n"
		"100   00:00:00.009000 close(4) = 0\n"
		"100   00:00:00.010000 exit_group(0 <unfinished ...>\n"
		"100   00:00:00.011000 +++ killed by SIGKILL +++\n");
	fclose(f);
	u64 by[NR_OP_TYPES];
	struct trace_info info;
	char err[1024];
	CHECK_EQ_S64(count_ops(p, TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err)), 5);
	CHECK_EQ_U64(info.skipped, 3);
	CHECK_EQ_STR(info.unknown[0].name, "frobnicate");
	CHECK_EQ_STR(info.unknown[1].name, "(resumed without start)");
	CHECK_EQ_STR(info.unknown[2].name, "(unparsed lines)");
	/* midnight passed: the clock went from 23:59:59.999 to 00:00:00.002 */
	CHECK_EQ_STR(nth_op(p, OP_MUNMAP, 0, 0), "0.003000000 101/101 munmap addr=0x1000 len=4096 = 0");
	CHECK_EQ_STR(nth_op(p, OP_MMAP, 0, 0), "0.000000000 100/100 mmap len=4096 prot=r flags=private|anonymous = 4096");
	/* a failed populate stays a madvise with its error */
	CHECK_EQ_STR(nth_op(p, OP_MADVISE, 0, 0),
		     "0.006000000 100/100 madvise think=6000000 addr=0x1000 len=4096 advice=populate_read = -EINVAL");
	CHECK_EQ_STR(nth_op(p, OP_SNAPSHOT, 0, 0), "0.008000000 100/100 snapshot think=2000000 file=numa_maps");
	CHECK_EQ_U64(by[OP_SNAPSHOT], 1);
	CHECK_EQ_STR(nth_op(p, OP_EXIT, 0, 0), "0.012000000 100/100 exit think=4000000");
}

/* Everything a hugetlb program does, as strace 6.1 prints it on Linux 6.18: numbers
 * written to /proc/sys and /sys files become sysctl ops (their open, reads and close
 * disappear, also in a forked child that inherited the fd), shmctl keeps its command,
 * and the page size bits printed as "21<<MAP_HUGE_SHIFT" decode like MAP_HUGE_2MB. */
static void test_strace_hugetlb_sysctl_shmctl_and_flags_decode_exactly(void)
{
	const char *p = tmp_path("hugetlb.strace");
	FILE *f = fopen(p, "w");
	fprintf(f,
		"200   10:00:00.000000 openat(AT_FDCWD, \"/proc/sys/vm/nr_overcommit_hugepages\", O_WRONLY) = 3\n"
		"200   10:00:00.000010 write(3, \"3\\n\", 2) = 2\n"
		"200   10:00:00.000020 close(3)                = 0\n"
		"200   10:00:00.000030 open(\"/proc/sys/vm/nr_hugepages\", O_WRONLY|O_TRUNC) = 3\n"
		"200   10:00:00.000040 write(3, \"8\", 1)       = 1\n"
		"200   10:00:00.000050 write(3, \" 16 \\n\", 5) = -1 ENOMEM (Cannot allocate memory)\n"
		"200   10:00:00.000060 close(3)                = 0\n"
		"200   10:00:00.000070 openat(AT_FDCWD, \"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages\", O_RDWR) = 4\n"
		"200   10:00:00.000080 read(4, \"8\\n\", 64)     = 2\n"
		"200   10:00:00.000090 pwrite64(4, \"0\\n\", 2, 0) = 2\n"
		"200   10:00:00.000100 close(4)                = 0\n"
		"200   10:00:00.000110 openat(AT_FDCWD, \"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages\", O_WRONLY|O_CLOEXEC) = 5\n"
		"200   10:00:00.000120 write(5, \"4\\n\", 2)     = 2\n"
		"200   10:00:00.000130 write(5, \"always\\n\", 7) = -1 EINVAL (Invalid argument)\n"
		"200   10:00:00.000140 write(5, \"12345678\"..., 64) = 64\n"
		"200   10:00:00.000150 close(5)                = 0\n"
		/* a snapshot file opened for writing is a tunable */
		"200   10:00:00.000160 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan\", O_WRONLY) = 6\n"
		"200   10:00:00.000170 write(6, \"4096\\n\", 5)  = 5\n"
		"200   10:00:00.000180 close(6)                = 0\n"
		/* fd 3 again, on a regular file: a plain open, write and close */
		"200   10:00:00.000190 openat(AT_FDCWD, \"/tmp/truth\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
		"200   10:00:00.000200 write(3, \"8\\n\", 2)     = 2\n"
		"200   10:00:00.000210 close(3)                = 0\n"
		/* a failed open leaves nothing behind */
		"200   10:00:00.000220 openat(AT_FDCWD, \"/proc/sys/vm/nope\", O_WRONLY) = -1 ENOENT (No such file or directory)\n"
		/* the child of a fork writes to the fd it inherited */
		"200   10:00:00.000230 openat(AT_FDCWD, \"/proc/sys/vm/nr_hugepages\", O_WRONLY) = 7\n"
		"200   10:00:00.000240 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000001a10) = 201\n"
		"201   10:00:00.000250 write(7, \"2\\n\", 2)     = 2\n"
		"201   10:00:00.000260 close(7)                = 0\n"
		"201   10:00:00.000270 exit_group(0)           = ?\n"
		"201   10:00:00.000280 +++ exited with 0 +++\n"
		"200   10:00:00.000290 close(7)                = 0\n"
		"200   10:00:00.000300 mmap(NULL, 4194304, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0) = 0x7f0000000000\n"
		"200   10:00:00.000310 mmap(NULL, 4194304, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_NORESERVE|MAP_HUGETLB|MAP_HUGE_2MB, -1, 0) = 0x7f0000400000\n"
		"200   10:00:00.000320 mmap(NULL, 18874368, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB, -1, 0) = -1 ENOMEM (Cannot allocate memory)\n"
		"200   10:00:00.000330 memfd_create(\"h\", MFD_CLOEXEC|MFD_HUGETLB|21<<MFD_HUGE_SHIFT) = 8\n"
		"200   10:00:00.000340 memfd_create(\"h2\", MFD_HUGETLB) = 9\n"
		"200   10:00:00.000350 fallocate(8, FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, 2097152, 4194304) = 0\n"
		"200   10:00:00.000360 fallocate(8, 0, 6291456, 2097152) = 0\n"
		"200   10:00:00.000370 shmget(IPC_PRIVATE, 4194304, IPC_CREAT|SHM_HUGETLB|SHM_NORESERVE|0600) = 5\n"
		"200   10:00:00.000380 shmget(0x1234, 4194304, IPC_CREAT|SHM_HUGETLB|21<<SHM_HUGE_SHIFT|0600) = 6\n"
		"200   10:00:00.000390 shmctl(5, IPC_RMID, NULL) = 0\n"
		"200   10:00:00.000400 shmctl(6, IPC_64|IPC_RMID, NULL) = 0\n"
		"200   10:00:00.000410 shmctl(6, IPC_STAT, {shm_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, shm_segsz=4194304, shm_cpid=1621, shm_lpid=0, shm_nattch=0, shm_atime=0, shm_dtime=0, shm_ctime=1795433014}) = 0\n"
		"200   10:00:00.000420 shmctl(6, SHM_LOCK, NULL) = -1 EINVAL (Invalid argument)\n"
		"200   10:00:00.000430 shmctl(6, SHM_FROB, NULL) = 0\n"
		"200   10:00:00.000440 exit_group(0)           = ?\n");
	fclose(f);
	static const char *const want[] = {
		"0.000010000 200/200 sysctl id=3 path=\"/proc/sys/vm/nr_overcommit_hugepages\" = 2",
		"0.000040000 200/200 sysctl think=30000 id=8 path=\"/proc/sys/vm/nr_hugepages\" = 1",
		"0.000050000 200/200 sysctl think=10000 id=16 path=\"/proc/sys/vm/nr_hugepages\" = -ENOMEM",
		"0.000090000 200/200 sysctl think=40000 path=\"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages\" = 2",
		"0.000120000 200/200 sysctl think=30000 id=4 path=\"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages\" = 2",
		"0.000170000 200/200 sysctl think=50000 id=4096 path=\"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan\" = 5",
		"0.000190000 200/200 open think=20000 flags=wronly|creat|trunc path=\"/tmp/truth\" = 3",
		"0.000200000 200/200 write think=10000 len=2 fd=3 off=-1 = 2",
		"0.000210000 200/200 close think=10000 fd=3 = 0",
		"0.000240000 200/200 fork think=30000 id=201 = 201",
		"0.000250000 201/201 sysctl id=2 path=\"/proc/sys/vm/nr_hugepages\" = 2",
		"0.000270000 201/201 exit think=20000",
		"0.000300000 200/200 mmap think=60000 len=4194304 prot=rw flags=private|anonymous|hugetlb|huge_2mb = 0x7f0000000000",
		"0.000310000 200/200 mmap think=10000 len=4194304 prot=rw flags=shared|anonymous|noreserve|hugetlb|huge_2mb = 0x7f0000400000",
		"0.000320000 200/200 mmap think=10000 len=18874368 prot=rw flags=private|anonymous|hugetlb = -ENOMEM",
		"0.000330000 200/200 memfd_create think=10000 flags=cloexec|hugetlb|huge_2mb path=\"h\" = 8",
		"0.000340000 200/200 memfd_create think=10000 flags=hugetlb path=\"h2\" = 9",
		"0.000350000 200/200 fallocate think=10000 len=4194304 mode=keep_size|punch_hole fd=8 off=2097152 = 0",
		"0.000360000 200/200 fallocate think=10000 len=2097152 fd=8 off=6291456 = 0",
		"0.000370000 200/200 shmget think=10000 len=4194304 flags=ipc_creat|shm_hugetlb|shm_noreserve|0x180 = 5",
		"0.000380000 200/200 shmget think=10000 len=4194304 flags=ipc_creat|shm_hugetlb|shm_huge_2mb|0x180 id=4660 = 6",
		"0.000390000 200/200 shmctl think=10000 id=5 = 0",
		"0.000400000 200/200 shmctl think=10000 id=6 = 0",
		"0.000410000 200/200 shmctl think=10000 arg=2 id=6 = 0",
		"0.000420000 200/200 shmctl think=10000 arg=11 id=6 = -EINVAL",
		"0.000440000 200/200 exit think=20000",
	};
	char err[1024], line[8192];
	struct trace_reader *r = trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (!r)
		return;
	struct op op;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ_S64(trace_reader_next(r, &op), 1);
		mmt_format_op(&op, line, sizeof(line));
		CHECK_EQ_STR(line, want[i]);
	}
	CHECK_EQ_S64(trace_reader_next(r, &op), 0);
	const struct trace_info *info = trace_reader_info(r);
	/* "always", the string cut short and the unknown shmctl command */
	CHECK_EQ_U64(info->skipped, 3);
	CHECK_EQ_U64(info->nr_unknown, 2);
	CHECK_EQ_STR(info->unknown[0].name, "(sysctl write, not a number)");
	CHECK_EQ_U64(info->unknown[0].count, 2);
	CHECK_EQ_STR(info->unknown[1].name, "shmctl");
	trace_reader_close(r);
	/* the fields themselves, as the replay sees them */
	r = trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_SYSCTL);
	CHECK_EQ_U64(op.id, 3);
	CHECK_EQ_STR(op.path, "/proc/sys/vm/nr_overcommit_hugepages");
	CHECK_EQ_S64(op.fd, -1);
	while (trace_reader_next(r, &op) > 0 && op.type != OP_MMAP)
		;
	CHECK_EQ_U64(op.flags, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21u << 26));
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.flags, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_HUGETLB | (21u << 26));
	while (trace_reader_next(r, &op) > 0 && op.type != OP_MEMFD_CREATE)
		;
	CHECK_EQ_U64(op.flags, 1 | 4 | (21u << 26));    /* MFD_CLOEXEC|MFD_HUGETLB|MFD_HUGE_2MB */
	while (trace_reader_next(r, &op) > 0 && op.type != OP_FALLOCATE)
		;
	CHECK_EQ_U64(op.arg, 1 | 2);                    /* FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE */
	while (trace_reader_next(r, &op) > 0 && op.type != OP_SHMGET)
		;
	CHECK_EQ_U64(op.flags, 01000 | 04000 | 010000 | 0600);  /* IPC_CREAT|SHM_HUGETLB|SHM_NORESERVE */
	CHECK_EQ_U64(op.id, 0);
	while (trace_reader_next(r, &op) > 0 && op.type != OP_SHMCTL)
		;
	CHECK_EQ_U64(op.id, 5);
	CHECK_EQ_U64(op.arg, 0);                        /* IPC_RMID */
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_SHMCTL);
	CHECK_EQ_U64(op.arg, 0);                        /* IPC_64 stripped */
	trace_reader_close(r);
}

/* What a THP program does, as strace 6.1 prints it on Linux 6.18: words written to the
 * THP files become sysctl ops with SYSCTL_F_WORD and the word's number in op.id (a number
 * there stays a number; a word elsewhere, or one that is no sysctl word, is not imported);
 * prctl keeps its THP options; madvise keeps MADV_HUGEPAGE, MADV_NOHUGEPAGE and
 * MADV_COLLAPSE with their results. */
static void test_strace_thp_words_prctl_and_madvise_decode_exactly(void)
{
	const char *p = tmp_path("thp.strace");
	FILE *f = fopen(p, "w");
	fprintf(f,
		"300   10:00:00.000000 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/enabled\", O_WRONLY) = 3\n"
		"300   10:00:00.000010 write(3, \"always\\n\", 7) = 7\n"
		"300   10:00:00.000020 write(3, \" never \", 7) = 7\n"
		"300   10:00:00.000030 write(3, \"sometimes\\n\", 10) = -1 EINVAL (Invalid argument)\n"
		"300   10:00:00.000040 close(3)                = 0\n"
		"300   10:00:00.000050 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/defrag\", O_WRONLY) = 3\n"
		"300   10:00:00.000060 write(3, \"defer+madvise\\n\", 14) = 14\n"
		"300   10:00:00.000070 close(3)                = 0\n"
		"300   10:00:00.000080 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/shmem_enabled\", O_WRONLY) = 3\n"
		"300   10:00:00.000090 write(3, \"within_size\", 11) = 11\n"
		"300   10:00:00.000100 close(3)                = 0\n"
		"300   10:00:00.000110 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none\", O_WRONLY) = 3\n"
		"300   10:00:00.000120 write(3, \"64\\n\", 3)   = 3\n"
		"300   10:00:00.000130 close(3)                = 0\n"
		"300   10:00:00.000140 openat(AT_FDCWD, \"/sys/kernel/mm/transparent_hugepage/use_zero_page\", O_WRONLY) = 3\n"
		"300   10:00:00.000150 write(3, \"0\\n\", 2)    = 2\n"
		"300   10:00:00.000160 close(3)                = 0\n"
		/* a THP word to a file outside transparent_hugepage/ */
		"300   10:00:00.000170 openat(AT_FDCWD, \"/proc/sys/vm/nr_hugepages\", O_WRONLY) = 3\n"
		"300   10:00:00.000180 write(3, \"madvise\\n\", 8) = -1 EINVAL (Invalid argument)\n"
		"300   10:00:00.000190 close(3)                = 0\n"
		"300   10:00:00.000200 prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) = 0\n"
		"300   10:00:00.000210 prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) = 1\n"
		"300   10:00:00.000220 prctl(PR_GET_THP_DISABLE) = 0\n"
		"300   10:00:00.000230 prctl(PR_SET_NAME, \"x\") = 0\n"
		"300   10:00:00.000240 prctl(0x3e /* PR_??? */, 0) = -1 EINVAL (Invalid argument)\n"
		"300   10:00:00.000250 madvise(0x40000000, 2097152, MADV_HUGEPAGE) = 0\n"
		"300   10:00:00.000260 madvise(0x40000000, 2097152, MADV_NOHUGEPAGE) = 0\n"
		"300   10:00:00.000270 madvise(0x40000000, 4194304, MADV_COLLAPSE) = -1 EINVAL (Invalid argument)\n"
		"300   10:00:00.000280 madvise(0x40000000, 2097152, MADV_COLLAPSE) = 0\n"
		"300   10:00:00.000290 exit_group(0)           = ?\n");
	fclose(f);
	static const char *const want[] = {
		"0.000010000 300/300 sysctl value=always path=\"/sys/kernel/mm/transparent_hugepage/enabled\" = 7",
		"0.000020000 300/300 sysctl think=10000 value=never path=\"/sys/kernel/mm/transparent_hugepage/enabled\" = 7",
		"0.000060000 300/300 sysctl think=40000 value=defer+madvise path=\"/sys/kernel/mm/transparent_hugepage/defrag\" = 14",
		"0.000090000 300/300 sysctl think=30000 value=within_size path=\"/sys/kernel/mm/transparent_hugepage/shmem_enabled\" = 11",
		"0.000120000 300/300 sysctl think=30000 id=64 path=\"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none\" = 3",
		"0.000150000 300/300 sysctl think=30000 path=\"/sys/kernel/mm/transparent_hugepage/use_zero_page\" = 2",
		"0.000200000 300/300 prctl think=50000 option=set_thp_disable id=1 = 0",
		"0.000210000 300/300 prctl think=10000 option=get_thp_disable = 1",
		"0.000220000 300/300 prctl think=10000 option=get_thp_disable = 0",
		"0.000250000 300/300 madvise think=30000 addr=0x40000000 len=2097152 advice=hugepage = 0",
		"0.000260000 300/300 madvise think=10000 addr=0x40000000 len=2097152 advice=nohugepage = 0",
		"0.000270000 300/300 madvise think=10000 addr=0x40000000 len=4194304 advice=collapse = -EINVAL",
		"0.000280000 300/300 madvise think=10000 addr=0x40000000 len=2097152 advice=collapse = 0",
		"0.000290000 300/300 exit think=10000",
	};
	char err[1024], line[8192];
	struct trace_reader *r = trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (!r)
		return;
	struct op op;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ_S64(trace_reader_next(r, &op), 1);
		mmt_format_op(&op, line, sizeof(line));
		CHECK_EQ_STR(line, want[i]);
	}
	CHECK_EQ_S64(trace_reader_next(r, &op), 0);
	const struct trace_info *info = trace_reader_info(r);
	/* "sometimes", the word to nr_hugepages, PR_SET_NAME and the unknown option */
	CHECK_EQ_U64(info->skipped, 4);
	CHECK_EQ_U64(info->nr_unknown, 2);
	CHECK_EQ_STR(info->unknown[0].name, "(sysctl write, not a number)");
	CHECK_EQ_U64(info->unknown[0].count, 2);
	CHECK_EQ_STR(info->unknown[1].name, "prctl");
	CHECK_EQ_U64(info->unknown[1].count, 2);
	trace_reader_close(r);
	/* the fields themselves, as the replay sees them */
	r = trace_reader_open(p, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_SYSCTL);
	CHECK_EQ_U64(op.flags, SYSCTL_F_WORD);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_ALWAYS);
	CHECK_EQ_U64(op.arg, 0);
	CHECK_EQ_STR(op.path, "/sys/kernel/mm/transparent_hugepage/enabled");
	CHECK_EQ_S64(op.ret, 7);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_NEVER);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.flags, SYSCTL_F_WORD);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_DEFER_MADVISE);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_WITHIN_SIZE);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.flags, 0);
	CHECK_EQ_U64(op.id, 64);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.flags, 0);
	CHECK_EQ_U64(op.id, 0);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_PRCTL);
	CHECK_EQ_U64(op.arg, PR_SET_THP_DISABLE);
	CHECK_EQ_U64(op.id, 1);
	CHECK_EQ_S64(op.ret, 0);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.arg, PR_GET_THP_DISABLE);
	CHECK_EQ_U64(op.id, 0);
	CHECK_EQ_S64(op.ret, 1);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_MADVISE);
	CHECK_EQ_U64(op.arg, MADV_HUGEPAGE);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.arg, MADV_NOHUGEPAGE);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.arg, MADV_COLLAPSE);
	CHECK_EQ_U64(op.addr, 0x40000000);
	CHECK_EQ_U64(op.len, 4194304);
	CHECK_EQ_S64(op.ret, -22);
	trace_reader_close(r);
	/* the text form reads back what it wrote */
	const char *t = tmp_path("thp.mmt");
	f = fopen(t, "w");
	fprintf(f, "mmt 1\n"
		"0.000000001 1/1 sysctl value=defer+madvise path=\"/sys/kernel/mm/transparent_hugepage/defrag\" = 14\n"
		"0.000000002 1/1 prctl option=set_thp_disable id=1 = 0\n"
		"0.000000003 1/1 prctl arg=42 = 1\n");
	fclose(f);
	r = trace_reader_open(t, TRACE_KIND_AUTO, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.flags, SYSCTL_F_WORD);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_DEFER_MADVISE);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	CHECK_EQ_U64(op.type, OP_PRCTL);
	CHECK_EQ_U64(op.arg, PR_SET_THP_DISABLE);
	CHECK_EQ_U64(op.id, 1);
	CHECK_EQ_S64(trace_reader_next(r, &op), 1);
	mmt_format_op(&op, line, sizeof(line));
	CHECK_EQ_STR(line, "0.000000003 1/1 prctl option=get_thp_disable = 1");
	trace_reader_close(r);
}

/* The recorded thp_oracle logs (tests/real/: Linux 6.18 with a dynamic executable, Linux
 * 6.1 with a static one) import whole: every call mmsim models, every knob written (words
 * and numbers), no write left out, the three children forked. */
static void test_strace_thp_oracle_logs_import_without_losses(void)
{
	static const struct {
		const char *path;
		long records;
		u64 sysctl, prctl, madvise, touch, snapshot, skipped, newfstatat;
	} logs[] = {
		/* records: with the 3 SIGCHLD deliveries (OP_SIGNAL) */
		{ "tests/real/thp_oracle.strace", 864, 68, 5, 50, 95, 501, 12, 9 },
		{ "tests/real/thp_oracle.linux-6.1.strace", 762, 68, 5, 50, 95, 417, 3, 0 },
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		u64 by[NR_OP_TYPES];
		struct trace_info info;
		char err[1024];
		CHECK_EQ_S64(count_ops(logs[i].path, TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err)),
			     logs[i].records);
		CHECK_EQ_U64(by[OP_SYSCTL], logs[i].sysctl);
		CHECK_EQ_U64(by[OP_PRCTL], logs[i].prctl);
		CHECK_EQ_U64(by[OP_MADVISE], logs[i].madvise);
		CHECK_EQ_U64(by[OP_TOUCH], logs[i].touch);
		CHECK_EQ_U64(by[OP_SNAPSHOT], logs[i].snapshot);
		CHECK_EQ_U64(by[OP_FORK], 3);
		/* only execve, newfstatat by path (the fd ones are fstat records) and
		 * getdents64 (the glob over hugepages-*kB) are left; the parent's three
		 * wait4s for its children are ops */
		CHECK_EQ_U64(by[OP_WAIT4], 3);
		CHECK_EQ_U64(info.skipped, logs[i].skipped);
		CHECK_EQ_U64(info.nr_unknown, logs[i].newfstatat ? 3 : 2);
		CHECK_EQ_STR(info.unknown[0].name, "execve");
		u64 nfs = 0;
		bool getdents = false;
		for (unsigned u = 0; u < info.nr_unknown; u++) {
			if (!strcmp(info.unknown[u].name, "newfstatat"))
				nfs = info.unknown[u].count;
			if (!strcmp(info.unknown[u].name, "getdents64"))
				getdents = true;
		}
		CHECK_EQ_U64(nfs, logs[i].newfstatat);
		CHECK(getdents);
	}
}

static void test_lackey_touches_counts_and_dedup(void)
{
	u64 by[NR_OP_TYPES];
	struct trace_info info;
	char err[1024];
	const char *f = SAMPLES "tiny_touch.lackey.gz";
	CHECK_EQ_S64(count_ops(f, TRACE_KIND_AUTO, NULL, by, &info, err, sizeof(err)), 46606);
	CHECK_EQ_U64(info.kind, TRACE_KIND_LACKEY);
	CHECK_EQ_U64(info.lines, 46631);
	CHECK_EQ_U64(info.skipped, 0);
	struct trace_import_opts o = { .lackey_no_instr = true };
	CHECK_EQ_S64(count_ops(f, TRACE_KIND_LACKEY, &o, by, NULL, err, sizeof(err)), 8258);
	o = (struct trace_import_opts){ .lackey_dedup_window = 1000 };
	CHECK_EQ_S64(count_ops(f, TRACE_KIND_LACKEY, &o, by, NULL, err, sizeof(err)), 421);
	CHECK_EQ_U64(by[OP_TOUCH], 421);
	const char *p = tmp_path("small.lackey");
	FILE *fp = fopen(p, "w");
	fprintf(fp, "==42== Lackey\nI  00400000,4\n S 7ff000ffc,8\n L 7ff000ffc,4\nI  00400004,2\n"
		" M 10000,4\n L 10000,4\nbogus\n");
	fclose(fp);
	o = (struct trace_import_opts){ .lackey_dedup_window = 100, .lackey_ns_per_instr = 3 };
	struct trace_reader *r = trace_reader_open(p, TRACE_KIND_AUTO, &o, err, sizeof(err));
	static const char *const want[] = {
		"0.000000003 42/42 touch think=3 addr=0x400000 len=4096",
		/* a store across a page boundary touches both pages */
		"0.000000003 42/42 touch addr=0x7ff000000 len=8192 flags=write",
		"0.000000006 42/42 touch think=3 addr=0x10000 len=4096 flags=write",
	};
	struct op op;
	char line[512];
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_S64(r ? trace_reader_next(r, &op) : -9, 1);
		mmt_format_op(&op, line, sizeof(line));
		CHECK_EQ_STR(line, want[i]);
	}
	CHECK_EQ_S64(r ? trace_reader_next(r, &op) : -9, 0);
	CHECK_EQ_U64(r ? trace_reader_info(r)->skipped : 9, 1);
	trace_reader_close(r);
}

/* Walk a source and its children depth-first; returns the ops seen. */
static long walk(struct op_source *src, int depth, u64 *forks)
{
	struct op op;
	long n = 0;
	int rc;
	u32 tid = 0;
	while ((rc = op_source_next(src, &op)) > 0) {
		n++;
		if (tid)
			CHECK_EQ_U64(op.tid, tid);
		tid = op.tid;
		if (op.type == OP_FORK || op.type == OP_CLONE) {
			struct op_source *c = src->ops->child(src, &op);
			if (c) {
				(*forks)++;
				n += walk(c, depth + 1, forks);
				op_source_close(c);
			}
		}
	}
	CHECK_EQ_S64(rc, 0);
	return n;
}

static void test_trace_source_demultiplexes_threads_and_follows_the_fork_tree(void)
{
	char err[1024];
	static const struct { const char *path; long ops; u64 children; } cases[] = {
		{ SAMPLES "map_steps.mmtz", 60, 2 },
		{ SAMPLES "map_steps.strace", 64, 2 },   /* its wait4, SIGCHLD and 2 fstat (the .mmtz predates them) */
		{ SAMPLES "threads_churn.mmt", 443, 4 },
		{ SAMPLES "sqlite3.strace", 96, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct trace_set *ts = trace_set_open(cases[i].path, NULL, err, sizeof(err));
		CHECK(ts != NULL);
		if (!ts)
			continue;
		CHECK_EQ_U64(trace_set_nr_roots(ts), 1);
		CHECK_EQ_U64(trace_set_nr_records(ts), (u64)cases[i].ops);
		struct op_source *src = trace_set_root(ts, 0, err, sizeof(err));
		trace_set_close(ts);
		u64 forks = 0;
		CHECK_EQ_S64(walk(src, 0, &forks), cases[i].ops);
		CHECK_EQ_U64(forks, cases[i].children);
		op_source_close(src);
	}
	/* the shorthand, and a missing file */
	struct op_source *s = trace_open_source(SAMPLES "gzip.mmt", NULL, err, sizeof(err));
	CHECK(s != NULL);
	u64 forks = 0;
	CHECK_EQ_S64(s ? walk(s, 0, &forks) : -1, 30);
	op_source_close(s);
	CHECK(trace_open_source("traces/samples/nope.mmtz", NULL, err, sizeof(err)) == NULL);
	CHECK_EQ_STR(err, "traces/samples/nope.mmtz: cannot open: No such file or directory");
}

static int run_cli(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[6] = { "trace", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;
	while (argc < 5 && argv[argc])
		argc++;
	fflush(stdout);
	return trace_main(argc, argv);
}

static void test_cli_exit_statuses_and_no_half_written_output(void)
{
	const char *out = tmp_path("cli.mmtz");
	CHECK_EQ_S64(run_cli("convert", SAMPLES "gzip.strace", out, NULL), 0);
	CHECK(access(out, F_OK) == 0);
	unlink(out);
	CHECK_EQ_S64(run_cli("convert", SAMPLES "gzip.strace", tmp_path("x.txt"), NULL), 2);
	CHECK_EQ_S64(run_cli("convert", "--from", "bogus", NULL), 2);
	CHECK_EQ_S64(run_cli("frobnicate", NULL, NULL, NULL), 2);
	CHECK_EQ_S64(run_cli("stat", NULL, NULL, NULL), 2);
	CHECK_EQ_S64(run_cli(NULL, NULL, NULL, NULL), 2);
	const char *bad = tmp_path("bad2.mmt");
	FILE *f = fopen(bad, "w");
	fprintf(f, "mmt 1\n0.0 1/1 exit\n0.0 1/1 nope\n");
	fclose(f);
	CHECK_EQ_S64(run_cli("convert", bad, out, NULL), 2);
	CHECK(access(out, F_OK) != 0);
	char tmpname[600];
	snprintf(tmpname, sizeof(tmpname), "%s.tmp", out);
	CHECK(access(tmpname, F_OK) != 0);
}

/* A word written to a THP sysfs file: value=WORD sets SYSCTL_F_WORD and the word's
 * number (traces/FORMAT.md), is written back the same way; value=N is id=N. */
static void test_sysctl_value_words(void)
{
	char pathbuf[MMT_MAX_PATH + 1], err[256], buf[512];
	struct op op;
	const char *line = "0.000000001 1/1 sysctl value=defer+madvise "
			   "path=\"/sys/kernel/mm/transparent_hugepage/defrag\" = 0";
	CHECK_EQ_S64(mmt_parse_record(line, &op, pathbuf, err, sizeof(err)), 0);
	CHECK_EQ_U64(op.flags, SYSCTL_F_WORD);
	CHECK_EQ_U64(op.id, SYSCTL_WORD_DEFER_MADVISE);
	CHECK_EQ_U64(op.id, 4);
	mmt_format_op(&op, buf, sizeof(buf));
	CHECK_EQ_STR(buf, line);
	CHECK_EQ_S64(mmt_parse_record("0.000000001 1/1 sysctl value=8 path=\"/proc/sys/vm/nr_hugepages\"",
				      &op, pathbuf, err, sizeof(err)), 0);
	CHECK_EQ_U64(op.flags, 0);
	CHECK_EQ_U64(op.id, 8);
	mmt_format_op(&op, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0.000000001 1/1 sysctl id=8 path=\"/proc/sys/vm/nr_hugepages\"");
	CHECK_EQ_S64(mmt_parse_record("0.000000001 1/1 sysctl value=sometimes", &op, pathbuf, err,
				      sizeof(err)), -1);
	CHECK_EQ_STR(err, "30: value: unknown word \"sometimes\" (expected a number or one of "
		     "always, madvise, never, defer, defer+madvise, within_size, advise, deny, force)");
	CHECK_EQ_S64(mmt_parse_record("0.000000001 1/1 sysctl value=never id=2", &op, pathbuf, err,
				      sizeof(err)), -1);
	CHECK_EQ_STR(sysctl_word_name(SYSCTL_WORD_NEVER), "never");
	CHECK_EQ_S64(sysctl_word_from_name("defer", 5), SYSCTL_WORD_DEFER);
	CHECK_EQ_S64(sysctl_word_from_name("defe", 4), -1);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_traces.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_round_trip_text_binary_text_is_identity_on_every_sample);
	RUN_TEST(test_binary_round_trip_keeps_every_field_of_unusual_ops);
	RUN_TEST(test_damaged_mmtz_files_fail_with_the_offset);
	RUN_TEST(test_bad_records_name_the_record_and_block_offset);
	RUN_TEST(test_bad_text_lines_are_all_reported_with_line_and_column);
	RUN_TEST(test_strace_map_steps_exact_counts_and_records);
	RUN_TEST(test_strace_unfinished_and_resumed_calls_are_joined);
	RUN_TEST(test_strace_odd_lines_are_counted_never_fatal);
	RUN_TEST(test_strace_hugetlb_sysctl_shmctl_and_flags_decode_exactly);
	RUN_TEST(test_strace_thp_words_prctl_and_madvise_decode_exactly);
	RUN_TEST(test_strace_thp_oracle_logs_import_without_losses);
	RUN_TEST(test_lackey_touches_counts_and_dedup);
	RUN_TEST(test_trace_source_demultiplexes_threads_and_follows_the_fork_tree);
	RUN_TEST(test_cli_exit_statuses_and_no_half_written_output);
	RUN_TEST(test_sysctl_value_words);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
