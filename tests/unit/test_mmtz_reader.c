// LINK: mmsim_traces
/* test_mmtz_reader.c - the .mmtz reader thread (traces/mmtz_prefetch.c) and the decoder's
 * inline paths: a multi-block file of varied records reads back the ops written, field
 * for field, with the thread and without it (whole file and one thread's cursor); a
 * damaged block is refused after the same records with the same message both ways. The
 * touch runs (mmtz_cursor_touches, what a replay reads): the same ops, record numbers
 * and errors as mmtz_cursor_next alone, and exactly the records they should take. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "traces/mmt.h"
#include "traces/mmtz_format.h"

#define NREC 120000u

static char tmpdir[256];

/* Record k of the test file: touches of every varint width (addresses forward and back
 * by 1, 2 and 3+ bytes, lengths of 1 to 3 bytes, with and without flags), mmaps with a
 * result, files opened by path, ops with a source line; three threads. */
static void gen_op(u32 k, struct op *op, char *path)
{
	u64 r = (u64)k * 0x9e3779b97f4a7c15ULL;
	op_init(op, OP_TOUCH);
	op->pid = 1000;
	op->tid = 1000 + k % 3;
	op->time_ns = (u64)k * 150 + (r >> 60);
	if (k % 7 == 0)
		op->think_ns = (r >> 40) & 0xffff;
	switch (k % 11) {
	case 5:
		op->type = OP_MMAP;
		op->len = 1ULL << (12 + k % 9);
		op->prot = PROT_READ | PROT_WRITE;
		op->flags = MAP_PRIVATE | MAP_ANONYMOUS;
		op->ret = (s64)(0x7f0000000000ULL + (u64)k * 4096);
		break;
	case 9:
		op->type = OP_OPEN;
		snprintf(path, 64, "/data/file-%u.bin", k);
		op->path = path;
		op->flags = 2;
		op->ret = 3 + k % 50;
		op->src_line = k * 3;
		break;
	default:
		op->addr = 0x7f0000000000ULL + ((r >> 20) & ((k % 3 == 0) ? 0xfffULL : 0xffffffULL)) * 4096;
		op->len = (k % 4 == 0) ? 4096 : (k % 4 == 1) ? 100 : 1 + (r & 0x3fffff);
		op->flags = (k & 1) ? TOUCH_WRITE : 0;
		break;
	}
}

static const char *write_file(void)
{
	static char path[512];
	char err[512], pbuf[64];
	snprintf(path, sizeof(path), "%s/multi.mmtz", tmpdir);
	struct trace_writer *w = trace_writer_create(path, TRACE_KIND_MMTZ, 4096, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return NULL;
	for (u32 k = 0; k < NREC; k++) {
		struct op op;
		gen_op(k, &op, pbuf);
		if (trace_writer_put(w, &op, err, sizeof(err)) < 0) {
			CHECK_EQ_STR(err, "");
			break;
		}
	}
	CHECK(trace_writer_finish(w, err, sizeof(err)) == 0);
	return path;
}

static bool same_op(const struct op *a, const struct op *b)
{
	return a->type == b->type && a->pid == b->pid && a->tid == b->tid &&
	       a->time_ns == b->time_ns && a->think_ns == b->think_ns && a->ret == b->ret &&
	       a->addr == b->addr && a->len == b->len && a->addr2 == b->addr2 &&
	       a->len2 == b->len2 && a->off == b->off && a->nodemask == b->nodemask &&
	       a->id == b->id && a->ns == b->ns && a->prot == b->prot && a->flags == b->flags &&
	       a->arg == b->arg && a->fd == b->fd && a->node == b->node &&
	       a->src_line == b->src_line && !a->path == !b->path &&
	       (!a->path || !strcmp(a->path, b->path));
}

static struct mmtz_file *open_file(const char *path, bool thread)
{
	char err[512];
	struct mmtz_file *mf = mmtz_file_open(path, err, sizeof(err));
	CHECK(mf != NULL);
	if (mf && !thread)
		mf->prefetch_avail = 0;   /* every cursor reads in place */
	return mf;
}

static void test_reader_thread_reads_back_what_was_written(void)
{
	const char *path = write_file();
	if (!path)
		return;
	struct mmtz_file *ma = open_file(path, true), *mb = open_file(path, false);
	if (!ma || !mb)
		return;
	CHECK(ma->nr_blocks >= 8);
	CHECK_EQ_U64(ma->nr_records, NREC);
	CHECK_EQ_U64(ma->prefetch_avail, MMTZ_PREFETCH_THREADS);
	char err[512], pbuf[64];
	struct mmtz_cursor *a = mmtz_cursor_create(ma, 0, MMTZ_ALL_THREADS, err, sizeof(err));
	struct mmtz_cursor *b = mmtz_cursor_create(mb, 0, MMTZ_ALL_THREADS, err, sizeof(err));
	/* a took the file's reader thread, b reads in place */
	CHECK_EQ_U64(ma->prefetch_avail, MMTZ_PREFETCH_THREADS - 1);
	CHECK_EQ_U64(mb->prefetch_avail, 0);
	u32 k = 0, bad = 0;
	for (;; k++) {
		struct op oa, ob, want;
		u32 ta, tb;
		u64 ra, rb;
		int rca = mmtz_cursor_next(a, &oa, &ta, &ra), rcb = mmtz_cursor_next(b, &ob, &tb, &rb);
		if (rca != rcb || rca <= 0) {
			CHECK_EQ_S64(rca, 0);
			CHECK_EQ_S64(rcb, 0);
			break;
		}
		gen_op(k, &want, pbuf);
		if (!same_op(&oa, &want) || !same_op(&ob, &want) || ta != tb || ra != k || rb != k)
			bad++;
	}
	CHECK_EQ_U64(k, NREC);
	CHECK_EQ_U64(bad, 0);
	/* the end is returned again */
	struct op o;
	u32 t;
	CHECK_EQ_S64(mmtz_cursor_next(a, &o, &t, NULL), 0);
	mmtz_cursor_destroy(a);
	mmtz_cursor_destroy(b);
	CHECK_EQ_U64(ma->prefetch_avail, MMTZ_PREFETCH_THREADS);

	/* one thread's cursor (the per-thread sources of a replay): thread index 1's records,
	 * every third record from record 1 */
	a = mmtz_cursor_create(ma, 0, 1, err, sizeof(err));
	b = mmtz_cursor_create(mb, 0, 1, err, sizeof(err));
	CHECK_EQ_U64(ma->prefetch_avail, MMTZ_PREFETCH_THREADS - 1);
	u32 n = 0;
	bad = 0;
	for (;;) {
		struct op oa, ob, want;
		u32 ta, tb;
		u64 ra, rb;
		int rca = mmtz_cursor_next(a, &oa, &ta, &ra), rcb = mmtz_cursor_next(b, &ob, &tb, &rb);
		if (rca != rcb || rca <= 0) {
			CHECK_EQ_S64(rca, 0);
			CHECK_EQ_S64(rcb, 0);
			break;
		}
		gen_op((u32)ra, &want, pbuf);
		if (!same_op(&oa, &want) || !same_op(&ob, &want) || ta != 1 || tb != 1 || ra != rb ||
		    ra != 1 + 3ULL * n)
			bad++;
		n++;
	}
	CHECK_EQ_U64(n, NREC / 3);
	CHECK_EQ_U64(bad, 0);
	mmtz_cursor_destroy(a);
	mmtz_cursor_destroy(b);
	mmtz_file_put(ma);
	mmtz_file_put(mb);
}

/* Read path to its end or error with the thread (or not): records read, message. */
static u64 drain(const char *path, bool thread, char *msg, size_t len, int *rc_out)
{
	struct mmtz_file *mf = open_file(path, thread);
	char err[512];
	msg[0] = '\0';
	*rc_out = 1;
	if (!mf)
		return 0;
	struct mmtz_cursor *c = mmtz_cursor_create(mf, 0, MMTZ_ALL_THREADS, err, sizeof(err));
	CHECK_EQ_U64(mf->prefetch_avail, thread ? MMTZ_PREFETCH_THREADS - 1 : 0);
	struct op op;
	u32 t;
	u64 n = 0;
	int rc;
	while ((rc = mmtz_cursor_next(c, &op, &t, NULL)) > 0)
		n++;
	*rc_out = rc;
	if (rc < 0) {
		snprintf(msg, len, "%s", mmtz_cursor_error(c));
		/* and again: the error stays */
		CHECK_EQ_S64(mmtz_cursor_next(c, &op, &t, NULL), -1);
		CHECK_EQ_STR(mmtz_cursor_error(c), msg);
	}
	mmtz_cursor_destroy(c);
	mmtz_file_put(mf);
	return n;
}

/* b (n bytes) written to bad, then read with and without the reader thread: both stop
 * after `first` records with rc -1 and the message want */
static void check_damaged_both_ways(const char *bad, const u8 *b, size_t n, u64 first,
				    const char *want)
{
	char ma[1024], mb[1024];
	int rca, rcb;
	FILE *f = fopen(bad, "wb");
	CHECK(f && fwrite(b, 1, n, f) == n);
	if (f)
		fclose(f);
	CHECK_EQ_U64(drain(bad, true, ma, sizeof(ma), &rca), first);
	CHECK_EQ_U64(drain(bad, false, mb, sizeof(mb), &rcb), first);
	CHECK_EQ_S64(rca, -1);
	CHECK_EQ_S64(rcb, -1);
	CHECK_EQ_STR(ma, want);
	CHECK_EQ_STR(mb, want);
}

static void test_reader_thread_refuses_a_damaged_block_like_the_in_place_reader(void)
{
	char path[512], bad[512], want[1024], ma[1024];
	snprintf(path, sizeof(path), "%s/multi.mmtz", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.mmtz", tmpdir);
	struct mmtz_file *mf = open_file(path, true);
	if (!mf)
		return;
	const u32 k = 5;     /* the damaged block: after several whole blocks */
	u64 off = mf->blocks[k].offset, first = mf->blocks[k].first_rec;
	CHECK(first > 0 && k + 1 < mf->nr_blocks);
	mmtz_file_put(mf);
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size_t n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	u8 *good = malloc(n), *b = malloc(n);
	CHECK(fread(good, 1, n, f) == n);
	fclose(f);
	u8 *h = good + off;
	u32 comp_len = mmtz_le32(h + 20);
	int rca;

	/* a flipped payload byte: the CRC32 check */
	memcpy(b, good, n);
	b[off + MMTZ_BLOCK_HDR_LEN + comp_len / 2] ^= 0x10;
	u32 crc = (u32)crc32(crc32(0L, b + off, 24), b + off + MMTZ_BLOCK_HDR_LEN, comp_len);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): checksum mismatch (stored 0x%08x, "
		 "computed 0x%08x)", bad, k, (unsigned long long)off, mmtz_le32(h + 24), crc);
	check_damaged_both_ways(bad, b, n, first, want);
	/* through the public reader (which has the thread) */
	char err[1024];
	struct trace_reader *r = trace_reader_open(bad, TRACE_KIND_MMTZ, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		struct op op;
		u64 recs = 0;
		int rc;
		while ((rc = trace_reader_next(r, &op)) > 0)
			recs++;
		CHECK_EQ_S64(rc, -1);
		CHECK_EQ_U64(recs, first);
		CHECK_EQ_STR(trace_reader_error(r), want);
		trace_reader_close(r);
	}

	/* bad deflate data under a valid CRC32: zlib's own message */
	memcpy(b, good, n);
	memset(b + off + MMTZ_BLOCK_HDR_LEN + 2, 0xff, 8);
	mmtz_put_le32(b + off + 24, (u32)crc32(crc32(0L, b + off, 24), b + off + MMTZ_BLOCK_HDR_LEN,
					       comp_len));
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad compressed data (invalid block type)",
		 bad, k, (unsigned long long)off);
	check_damaged_both_ways(bad, b, n, first, want);

	/* a wrong adler32 at the end of the deflate stream under a valid CRC32: the check
	 * the reader makes itself (mmtz_adler32), with zlib's message */
	memcpy(b, good, n);
	b[off + MMTZ_BLOCK_HDR_LEN + comp_len - 1] ^= 0x01;
	mmtz_put_le32(b + off + 24, (u32)crc32(crc32(0L, b + off, 24), b + off + MMTZ_BLOCK_HDR_LEN,
					       comp_len));
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad compressed data (incorrect data check)",
		 bad, k, (unsigned long long)off);
	check_damaged_both_ways(bad, b, n, first, want);

	/* a block header that is not one */
	memcpy(b, good, n);
	b[off] = 'X';
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad block magic", bad, k,
		 (unsigned long long)off);
	check_damaged_both_ways(bad, b, n, first, want);

	/* a compressed length past the next block */
	memcpy(b, good, n);
	mmtz_put_le32(b + off + 20, comp_len + 100000);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad block length (%u compressed, %u raw)",
		 bad, k, (unsigned long long)off, comp_len + 100000, mmtz_le32(h + 16));
	check_damaged_both_ways(bad, b, n, first, want);

	/* and the good file still reads to its end both ways */
	CHECK_EQ_U64(drain(path, true, ma, sizeof(ma), &rca), NREC);
	CHECK_EQ_S64(rca, 0);
	free(good);
	free(b);
}

/* ---- touch runs ---- */

#define NRUN 60000u

/* Record k of the touch-run file: pid 2000, mostly thread 2000 in runs of plain touches
 * (the bench's pattern: 4 KiB pages in address order wrapping every 4096 pages, a write
 * every fourth), in phases of 1000 records: no time, time deltas, think times, source
 * lines, varied lengths and flags, varied addresses. Thread 2001's touches, an mmap now
 * and then and touches with a result (not plain) break the runs. */
static void gen_run_op(u32 k, struct op *op)
{
	u64 r = (u64)k * 0x9e3779b97f4a7c15ULL;
	u32 phase = (k / 1000) % 6;
	op_init(op, OP_TOUCH);
	op->pid = 2000;
	op->tid = (k % 97 == 13 || k % 97 == 14) ? 2001 : 2000;
	op->addr = 0x7f0000000000ULL + (u64)(k % 4096) * 4096;
	op->len = 4096;
	op->flags = (k & 3) == 0 ? TOUCH_WRITE : 0;
	op->time_ns = (u64)(k / 1000) * 1000000;
	if (phase == 1)
		op->time_ns += (u64)(k % 1000) * 100 + (k % 5 == 0 ? r >> 62 : 0);
	if (phase == 2)
		op->think_ns = (k % 3) ? r >> 60 : 0;
	if (phase == 3)
		op->src_line = k * 2 + (r >> 63);
	if (phase == 4) {
		op->len = 1 + (r & 0x3ffff);
		op->flags = (u32)(r >> 61);   /* TOUCH_POPULATE and bits no op has */
	}
	if (phase == 5)
		op->addr = 0x7f0000000000ULL + ((r >> 24) & 0xffffff) * 4096 + (r & 0xfff);
	if (k % 211 == 107)
		op->ret = 0;
	if (k % 503 == 111) {
		op->type = OP_MMAP;
		op->len = 1 << 20;
		op->prot = PROT_READ | PROT_WRITE;
		op->flags = MAP_PRIVATE | MAP_ANONYMOUS;
		op->ret = 0x7e0000000000LL;
	}
}

static bool plain_touch(const struct op *op)
{
	struct op d;
	op_init(&d, OP_TOUCH);
	return op->type == OP_TOUCH && op->ret == d.ret && !op->addr2 && !op->len2 && !op->off &&
	       !op->nodemask && !op->id && !op->ns && !op->prot && !op->arg && op->fd == d.fd &&
	       op->node == d.node && !op->path;
}

static const char *write_run_file(const char *name, u32 nrec)
{
	static char path[512];
	char err[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	struct trace_writer *w = trace_writer_create(path, TRACE_KIND_MMTZ, 4096, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return NULL;
	for (u32 k = 0; k < nrec; k++) {
		struct op op;
		gen_run_op(k, &op);
		if (trace_writer_put(w, &op, err, sizeof(err)) < 0) {
			CHECK_EQ_STR(err, "");
			break;
		}
	}
	CHECK(trace_writer_finish(w, err, sizeof(err)) == 0);
	return path;
}

struct both_ways {
	u64 ops;              /* ops read (the same both ways, or bad counts it) */
	u64 from_runs;        /* those the second way took from mmtz_cursor_touches */
	u64 bad;              /* ops, threads or record numbers that differ */
	int rc;               /* the final result, the same both ways (else bad) */
	char msg[1024];       /* the error, the same both ways (else bad) */
};

/* Read mf with cursor a through mmtz_cursor_next alone and with cursor b as a replay reads
 * it (mmtz_cursor_touches after every touch, through a small buffer), op by op. */
static void read_both_ways(struct mmtz_file *mf, u32 only, struct both_ways *res)
{
	char err[512];
	struct mmtz_cursor *a = mmtz_cursor_create(mf, 0, only, err, sizeof(err));
	struct mmtz_cursor *b = mmtz_cursor_create(mf, 0, only, err, sizeof(err));
	struct op_touch run[7];
	u32 nrun = 0, irun = 0, tb = 0;
	u64 rb = 0, run_first = 0;
	bool in_run = false;   /* b's last op was a touch: replay asks for a run */
	struct op ob;
	op_init(&ob, OP_NONE);
	*res = (struct both_ways){ 0 };
	for (;;) {
		struct op oa;
		u32 ta;
		u64 ra;
		int rca = mmtz_cursor_next(a, &oa, &ta, &ra), rcb;
		if (irun == nrun && in_run) {
			u64 last = 0;
			nrun = mmtz_cursor_touches(b, run, ARRAY_SIZE(run), &last);
			irun = 0;
			run_first = last + 1 - nrun;   /* a run is consecutive records */
		}
		if (irun < nrun) {
			/* the next op of the run, as replay_touch_run makes it */
			op_from_touch(&ob, &run[irun]);
			rb = run_first + irun++;
			rcb = 1;
			res->from_runs++;
		} else {
			rcb = mmtz_cursor_next(b, &ob, &tb, &rb);
			in_run = rcb > 0 && ob.type == OP_TOUCH;
			nrun = irun = 0;
		}
		if (rca != rcb) {
			res->bad++;
			break;
		}
		if (rca <= 0) {
			res->rc = rca;
			if (rca < 0) {
				snprintf(res->msg, sizeof(res->msg), "%s", mmtz_cursor_error(a));
				if (strcmp(res->msg, mmtz_cursor_error(b)))
					res->bad++;
			}
			break;
		}
		res->ops++;
		if (!same_op(&oa, &ob) || ta != tb || ra != rb)
			res->bad++;
	}
	/* after the end or an error, no run */
	u64 last;
	if (mmtz_cursor_touches(b, run, ARRAY_SIZE(run), &last))
		res->bad++;
	mmtz_cursor_destroy(a);
	mmtz_cursor_destroy(b);
}

/* What the touch runs must take of records 0..nrec-1 of the run file: a plain touch whose
 * record follows one of the same thread in the same block (thread only, or any). */
static u64 expected_from_runs(const struct mmtz_file *mf, u32 nrec, u32 only_tid)
{
	u64 n = 0;
	u32 blk = 0;
	struct op prev, op;
	op_init(&prev, OP_NONE);
	for (u32 k = 0; k < nrec; k++) {
		gen_run_op(k, &op);
		while (blk + 1 < mf->nr_blocks && mf->blocks[blk + 1].first_rec <= k)
			blk++;
		bool follows = k > mf->blocks[blk].first_rec && prev.tid == op.tid &&
			       prev.type == OP_TOUCH;
		if (follows && plain_touch(&op) && (!only_tid || op.tid == only_tid))
			n++;
		prev = op;
	}
	return n;
}

static void test_touch_runs_read_what_next_reads(void)
{
	const char *path = write_run_file("runs.mmtz", NRUN);
	if (!path)
		return;
	struct mmtz_file *mf = open_file(path, true);
	if (!mf)
		return;
	CHECK(mf->nr_blocks >= 4);
	CHECK_EQ_U64(mf->nr_threads, 2);
	struct both_ways res;
	read_both_ways(mf, MMTZ_ALL_THREADS, &res);
	CHECK_EQ_U64(res.ops, NRUN);
	CHECK_EQ_U64(res.bad, 0);
	CHECK_EQ_S64(res.rc, 0);
	u64 want = expected_from_runs(mf, NRUN, 0);
	CHECK_EQ_U64(res.from_runs, want);
	CHECK(want > NRUN * 9 / 10);
	/* one thread's cursor: thread 2000 is index 0, 2001 index 1 */
	read_both_ways(mf, 0, &res);
	CHECK_EQ_U64(res.bad, 0);
	CHECK_EQ_S64(res.rc, 0);
	CHECK_EQ_U64(res.from_runs, expected_from_runs(mf, NRUN, 2000));
	read_both_ways(mf, 1, &res);
	CHECK_EQ_U64(res.bad, 0);
	CHECK_EQ_U64(res.ops, NRUN / 97 * 2 + (NRUN % 97 > 14 ? 2 : NRUN % 97 > 13));
	CHECK_EQ_U64(res.from_runs, expected_from_runs(mf, NRUN, 2001));
	mmtz_file_put(mf);
}

/* A copy of the one-block file src at dst with its raw block edited by edit (same length):
 * recompressed, its checksums and the index offset made right again. */
static bool rewrite_block(const char *src, const char *dst, void (*edit)(u8 *raw, u32 len))
{
	FILE *f = fopen(src, "rb");
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	size_t n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	u8 *in = malloc(n);
	bool ok = fread(in, 1, n, f) == n;
	fclose(f);
	u64 index_off = mmtz_le64(in + 16);
	u8 *bh = in + MMTZ_HEADER_LEN;
	u32 raw_len = mmtz_le32(bh + 16), comp_len = mmtz_le32(bh + 20);
	CHECK_EQ_U64(index_off, MMTZ_HEADER_LEN + MMTZ_BLOCK_HDR_LEN + comp_len);   /* one block */
	uLongf rl = raw_len, cl = compressBound(raw_len);
	u8 *raw = malloc(raw_len), *comp = malloc(cl);
	ok = ok && uncompress(raw, &rl, bh + MMTZ_BLOCK_HDR_LEN, comp_len) == Z_OK && rl == raw_len;
	edit(raw, raw_len);
	ok = ok && compress2(comp, &cl, raw, raw_len, 6) == Z_OK;
	f = fopen(dst, "wb");
	u8 h[MMTZ_HEADER_LEN], b[MMTZ_BLOCK_HDR_LEN];
	memcpy(h, in, sizeof(h));
	mmtz_put_le64(h + 16, MMTZ_HEADER_LEN + MMTZ_BLOCK_HDR_LEN + cl);
	mmtz_put_le32(h + 28, (u32)crc32(0L, h, 28));
	memcpy(b, bh, sizeof(b));
	mmtz_put_le32(b + 20, (u32)cl);
	mmtz_put_le32(b + 24, (u32)crc32(crc32(0L, b, 24), comp, (uInt)cl));
	ok = ok && f && fwrite(h, 1, sizeof(h), f) == sizeof(h) && fwrite(b, 1, sizeof(b), f) == sizeof(b) &&
	     fwrite(comp, 1, cl, f) == cl && fwrite(in + index_off, 1, n - index_off, f) == n - index_off;
	if (f)
		fclose(f);
	free(in);
	free(raw);
	free(comp);
	CHECK(ok);
	return ok;
}

/* The one-block file: records 0..12 of the run file, plain touches of thread 2000 (its
 * first "new thread", the others "same thread"); small_off[j]: record j's offset in the
 * raw block. */
#define SMALL_NREC 13u
static u32 small_off[SMALL_NREC + 1];

static void edit_tag_both(u8 *raw, u32 len)
{
	(void)len;
	raw[small_off[9]] |= MMTZ_TAG_NEW_THREAD;   /* "new" and "same" at once */
}

static void edit_mask_unknown(u8 *raw, u32 len)
{
	(void)len;
	raw[small_off[5] + 1] |= 0x04;   /* the result field: a record that is no plain touch */
}

static void edit_truncate_last(u8 *raw, u32 len)
{
	raw[len - 1] |= 0x80;   /* the last varint runs past the block's end */
}

static void test_touch_runs_stop_where_next_fails(void)
{
	const char *p = write_run_file("small.mmtz", SMALL_NREC);
	if (!p)
		return;
	char path[512], bad[512], want[1024];
	snprintf(path, sizeof(path), "%s", p);
	snprintf(bad, sizeof(bad), "%s/small-bad.mmtz", tmpdir);
	/* the records' offsets in the raw block, from their encodings */
	u8 tmp[64];
	struct op op;
	u32 off = 0;
	for (u32 k = 0; k < SMALL_NREC; k++) {
		gen_run_op(k, &op);
		CHECK(op.tid == 2000 && plain_touch(&op) && !op.time_ns && !op.think_ns);
		small_off[k] = off;
		u8 *q = tmp;
		u64 prev = k ? 0x7f0000000000ULL + (u64)(k - 1) * 4096 : 0;
		*q++ = OP_TOUCH;
		if (!k) {
			q = mmtz_put_varint(q, 2000);
			q = mmtz_put_varint(q, 2000);
		}
		q = mmtz_put_varint(q, (1u << MMTZ_F_ADDR) | (1u << MMTZ_F_LEN) |
				    (op.flags ? 1u << MMTZ_F_FLAGS : 0));
		q = mmtz_put_varint(q, mmtz_zigzag((s64)(op.addr - prev)));
		q = mmtz_put_varint(q, op.len);
		if (op.flags)
			q = mmtz_put_varint(q, op.flags);
		off += (u32)(q - tmp);
	}
	small_off[SMALL_NREC] = off;
	struct mmtz_file *mf = open_file(path, false);
	if (!mf)
		return;
	CHECK_EQ_U64(mf->nr_blocks, 1);
	CHECK_EQ_U64(mf->blocks[0].raw_len, off);
	struct both_ways res;
	read_both_ways(mf, MMTZ_ALL_THREADS, &res);
	CHECK_EQ_U64(res.ops, SMALL_NREC);
	CHECK_EQ_U64(res.from_runs, SMALL_NREC - 1);
	CHECK_EQ_U64(res.bad, 0);
	mmtz_file_put(mf);

	/* a bad tag in the middle of a run: the run ends before it, next() reports it */
	if (rewrite_block(path, bad, edit_tag_both) && (mf = open_file(bad, false))) {
		read_both_ways(mf, MMTZ_ALL_THREADS, &res);
		CHECK_EQ_U64(res.ops, 9);
		CHECK_EQ_U64(res.from_runs, 8);
		CHECK_EQ_U64(res.bad, 0);
		CHECK_EQ_S64(res.rc, -1);
		snprintf(want, sizeof(want), "%s: record 9 (block 0 at offset 0x20): bad record tag 0x%02x",
			 bad, MMTZ_TAG_SAME_THREAD | MMTZ_TAG_NEW_THREAD | OP_TOUCH);
		CHECK_EQ_STR(res.msg, want);
		mmtz_file_put(mf);
	}
	/* a record with another field: read by next(), whatever it decodes to, both ways */
	if (rewrite_block(path, bad, edit_mask_unknown) && (mf = open_file(bad, false))) {
		read_both_ways(mf, MMTZ_ALL_THREADS, &res);
		CHECK_EQ_U64(res.bad, 0);
		/* record 5 by next() (its address delta's bytes read as a result, the rest
		 * shifted), then record 6 misread from the bytes that follow */
		CHECK_EQ_U64(res.ops, 6);
		CHECK_EQ_U64(res.from_runs, 4);
		snprintf(want, sizeof(want), "%s: record 6 (block 0 at offset 0x20): unknown op type 0x0",
			 bad);
		CHECK_EQ_STR(res.msg, want);
		CHECK_EQ_S64(res.rc, -1);
		mmtz_file_put(mf);
	}
	/* the block's last varint cut: the run ends before the last record */
	if (rewrite_block(path, bad, edit_truncate_last) && (mf = open_file(bad, false))) {
		read_both_ways(mf, MMTZ_ALL_THREADS, &res);
		CHECK_EQ_U64(res.ops, SMALL_NREC - 1);
		CHECK_EQ_U64(res.from_runs, SMALL_NREC - 2);
		CHECK_EQ_U64(res.bad, 0);
		CHECK_EQ_S64(res.rc, -1);
		snprintf(want, sizeof(want), "%s: record %u (block 0 at offset 0x20): truncated record",
			 bad, SMALL_NREC - 1);
		CHECK_EQ_STR(res.msg, want);
		mmtz_file_put(mf);
	}
}

/* mmtz_adler32 (SSE2) is zlib's adler32: every length to 300, longer ones across its
 * 5536-byte segments, at every alignment, and all-0xff data (the largest sums). */
static void test_adler32_is_zlibs(void)
{
	size_t cap = (1u << 20) + 64;
	u8 *buf = malloc(cap);
	u64 x = 88172645463325252ULL;
	for (size_t i = 0; i < cap; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (u8)x;
	}
	u32 bad = 0, n = 0;
	for (size_t len = 0; len <= 300; len++, n++)
		bad += mmtz_adler32(buf + len % 16, len) != (u32)adler32(1, buf + len % 16, (uInt)len);
	static const size_t lens[] = { 5535, 5536, 5537, 5552, 11072, 11073, 65536, 65537,
				       1000003, 1u << 20 };
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++)
		for (unsigned o = 0; o < 16; o += 5, n++)
			bad += mmtz_adler32(buf + o, lens[i]) != (u32)adler32(1, buf + o, (uInt)lens[i]);
	memset(buf, 0xff, cap);
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++, n++)
		bad += mmtz_adler32(buf + 3, lens[i]) != (u32)adler32(1, buf + 3, (uInt)lens[i]);
	CHECK_EQ_U64(n, 301 + 40 + 10);
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(mmtz_adler32(buf, 0), 1);
	CHECK_EQ_U64(mmtz_adler32((const u8 *)"Wikipedia", 9), 0x11e60398);
	free(buf);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_mmtz_reader.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_reader_thread_reads_back_what_was_written);
	RUN_TEST(test_reader_thread_refuses_a_damaged_block_like_the_in_place_reader);
	RUN_TEST(test_adler32_is_zlibs);
	RUN_TEST(test_touch_runs_read_what_next_reads);
	RUN_TEST(test_touch_runs_stop_where_next_fails);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
