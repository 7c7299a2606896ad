// LINK: mmsim_traces
/* test_mmtz_reader.c - the .mmtz reader thread (traces/mmtz_prefetch.c) and the decoder's
 * inline paths: a multi-block file of varied records reads back the ops written, field
 * for field, with the thread and without it (whole file and one thread's cursor); a
 * damaged block is refused after the same records with the same message both ways. */
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

static void test_reader_thread_refuses_a_damaged_block_like_the_in_place_reader(void)
{
	char path[512], bad[512], want[1024], ma[1024], mb[1024];
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
	int rca, rcb;

	/* a flipped payload byte: the CRC32 check */
	memcpy(b, good, n);
	b[off + MMTZ_BLOCK_HDR_LEN + comp_len / 2] ^= 0x10;
	f = fopen(bad, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	u32 crc = (u32)crc32(crc32(0L, b + off, 24), b + off + MMTZ_BLOCK_HDR_LEN, comp_len);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): checksum mismatch (stored 0x%08x, "
		 "computed 0x%08x)", bad, k, (unsigned long long)off, mmtz_le32(h + 24), crc);
	CHECK_EQ_U64(drain(bad, true, ma, sizeof(ma), &rca), first);
	CHECK_EQ_U64(drain(bad, false, mb, sizeof(mb), &rcb), first);
	CHECK_EQ_S64(rca, -1);
	CHECK_EQ_S64(rcb, -1);
	CHECK_EQ_STR(ma, want);
	CHECK_EQ_STR(mb, want);
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
	f = fopen(bad, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	CHECK_EQ_U64(drain(bad, true, ma, sizeof(ma), &rca), first);
	CHECK_EQ_U64(drain(bad, false, mb, sizeof(mb), &rcb), first);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad compressed data (invalid block type)",
		 bad, k, (unsigned long long)off);
	CHECK_EQ_STR(ma, want);
	CHECK_EQ_STR(mb, want);

	/* a block header that is not one */
	memcpy(b, good, n);
	b[off] = 'X';
	f = fopen(bad, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	CHECK_EQ_U64(drain(bad, true, ma, sizeof(ma), &rca), first);
	CHECK_EQ_U64(drain(bad, false, mb, sizeof(mb), &rcb), first);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad block magic", bad, k,
		 (unsigned long long)off);
	CHECK_EQ_STR(ma, want);
	CHECK_EQ_STR(mb, want);

	/* a compressed length past the next block */
	memcpy(b, good, n);
	mmtz_put_le32(b + off + 20, comp_len + 100000);
	f = fopen(bad, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	CHECK_EQ_U64(drain(bad, true, ma, sizeof(ma), &rca), first);
	CHECK_EQ_U64(drain(bad, false, mb, sizeof(mb), &rcb), first);
	snprintf(want, sizeof(want), "%s: block %u (offset 0x%llx): bad block length (%u compressed, %u raw)",
		 bad, k, (unsigned long long)off, comp_len + 100000, mmtz_le32(h + 16));
	CHECK_EQ_STR(ma, want);
	CHECK_EQ_STR(mb, want);

	/* and the good file still reads to its end both ways */
	CHECK_EQ_U64(drain(path, true, ma, sizeof(ma), &rca), NREC);
	CHECK_EQ_S64(rca, 0);
	free(good);
	free(b);
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
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
