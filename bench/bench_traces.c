/* bench_traces.c - trace I/O figures: .mmtz read throughput (records/s, MB/s of
 * compressed input) against zlib inflate of the very same block payloads and against
 * `zcat` of a gzip file of the same raw record bytes, in the same run; importer
 * throughput (lines/s) for strace and lackey logs; bytes per record. Prints figures
 * only. Run from the source root (reads traces/samples/). Usage: bench_traces [SCALE], or
 * bench_traces --raw IN.mmtz OUT (writes the raw bytes of IN's blocks to OUT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "traces/mmt.h"
#include "traces/mmtz_format.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static u64 file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (u64)st.st_size : 0;
}

static u64 rng = 88172645463325252ULL;
static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A synthetic trace: 4 threads, mostly touches (sequential runs and random pages) with
 * some mmap/munmap, like an imported lackey+strace recording. */
static void make_trace(const char *path, u64 n)
{
	char err[512];
	struct trace_writer *w = trace_writer_create(path, TRACE_KIND_MMTZ, 4096, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	u64 t[4] = { 0 }, cur[4];
	for (int i = 0; i < 4; i++)
		cur[i] = 0x7f0000000000ULL + ((u64)i << 32);
	for (u64 k = 0; k < n; k++) {
		struct op op;
		unsigned th = (unsigned)(next_rand() % 4);
		u64 r = next_rand() % 100;
		if (r < 2) {
			op_init(&op, OP_MMAP);
			op.len = 1ULL << 20;
			op.prot = PROT_READ | PROT_WRITE;
			op.flags = MAP_PRIVATE | MAP_ANONYMOUS;
			op.ret = (s64)(cur[th] & ~0xfffffULL);
		} else if (r < 4) {
			op_init(&op, OP_MUNMAP);
			op.addr = cur[th] & ~0xfffffULL;
			op.len = 1ULL << 20;
			op.ret = 0;
		} else {
			op_init(&op, OP_TOUCH);
			if (r < 70)
				cur[th] += 4096;
			else
				cur[th] = 0x7f0000000000ULL + ((u64)th << 32) + (next_rand() % 65536) * 4096;
			op.addr = cur[th];
			op.len = 4096;
			op.flags = r & 1 ? TOUCH_WRITE : 0;
		}
		u64 dt = 50 + next_rand() % 200;
		t[th] += dt;
		op.time_ns = t[th];
		op.think_ns = dt;
		op.pid = 1000;
		op.tid = 1000 + th;
		if (trace_writer_put(w, &op, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			exit(1);
		}
	}
	if (trace_writer_finish(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

/* Inflate every block payload of an .mmtz (no record decoding); writes the raw bytes to
 * raw_out when not NULL. Returns seconds. */
static double inflate_blocks(const char *path, const char *raw_out, u64 *raw_total)
{
	char err[512];
	struct mmtz_file *mf = mmtz_file_open(path, err, sizeof(err));
	if (!mf) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	FILE *f = fopen(path, "rb"), *out = raw_out ? fopen(raw_out, "wb") : NULL;
	u8 *comp = malloc(mf->max_comp + 1), *raw = malloc(mf->max_raw + 1);
	z_stream z = { 0 };
	inflateInit(&z);
	*raw_total = 0;
	double t0 = now();
	for (u32 i = 0; i < mf->nr_blocks; i++) {
		u8 h[MMTZ_BLOCK_HDR_LEN];
		fseeko(f, (off_t)mf->blocks[i].offset, SEEK_SET);
		if (fread(h, 1, sizeof(h), f) != sizeof(h))
			break;
		u32 clen = mmtz_le32(h + 20), rlen = mmtz_le32(h + 16);
		if (fread(comp, 1, clen, f) != clen)
			break;
		inflateReset(&z);
		z.next_in = comp;
		z.avail_in = clen;
		z.next_out = raw;
		z.avail_out = rlen;
		inflate(&z, Z_FINISH);
		*raw_total += rlen;
		if (out)
			fwrite(raw, 1, rlen, out);
	}
	double dt = now() - t0;
	inflateEnd(&z);
	free(comp);
	free(raw);
	fclose(f);
	if (out)
		fclose(out);
	mmtz_file_put(mf);
	return dt;
}

static double read_all(const char *path, enum trace_kind kind, const struct trace_import_opts *o,
		       u64 *records, u64 *lines)
{
	char err[1024];
	double t0 = now();
	struct trace_reader *r = trace_reader_open(path, kind, o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	struct op op;
	u64 n = 0;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0)
		n++;
	if (rc < 0) {
		fprintf(stderr, "%s\n", trace_reader_error(r));
		exit(1);
	}
	if (lines)
		*lines = trace_reader_info(r)->lines;
	trace_reader_close(r);
	*records = n;
	return now() - t0;
}

/* Concatenate a (possibly gzip) text file `times` times into out. */
static void repeat_file(const char *in, const char *out, unsigned times)
{
	FILE *o = fopen(out, "wb");
	char buf[65536];
	for (unsigned i = 0; i < times; i++) {
		gzFile g = gzopen(in, "rb");
		int n;
		while ((n = gzread(g, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, o);
		gzclose(g);
	}
	fclose(o);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--raw")) {
		/* bench_traces --raw IN.mmtz OUT: the raw record bytes of every block (what
		 * bench/run gzips for its zcat reference of a given trace) */
		u64 raw_total;
		inflate_blocks(argv[2], argv[3], &raw_total);
		printf("%llu\n", (unsigned long long)raw_total);
		return 0;
	}
	unsigned scale = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	if (!scale)
		scale = 1;
	char dir[] = "/tmp/bench_traces.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char mmtz[256], rawf[256], gz[256], big[256], cmd[1024];
	snprintf(mmtz, sizeof(mmtz), "%s/synthetic.mmtz", dir);
	snprintf(rawf, sizeof(rawf), "%s/raw.bin", dir);
	snprintf(gz, sizeof(gz), "%s/raw.bin.gz", dir);
	u64 n = 4000000ULL * scale;

	double t0 = now();
	make_trace(mmtz, n);
	double wt = now() - t0;
	u64 bytes = file_size(mmtz);
	printf("synthetic trace: %llu records, %llu bytes, %.2f bytes/record, written at %.0f records/s\n",
	       (unsigned long long)n, (unsigned long long)bytes, (double)bytes / (double)n,
	       (double)n / wt);

	u64 raw_total, recs;
	inflate_blocks(mmtz, rawf, &raw_total);
	double best_read = 1e30, best_infl = 1e30, best_zcat = 1e30;
	snprintf(cmd, sizeof(cmd), "gzip -6 -c %s > %s", rawf, gz);
	if (system(cmd) != 0)
		fprintf(stderr, "gzip failed\n");
	u64 gzbytes = file_size(gz);
	snprintf(cmd, sizeof(cmd), "zcat %s > /dev/null", gz);
	for (int rep = 0; rep < 3; rep++) {
		double d = read_all(mmtz, TRACE_KIND_MMTZ, NULL, &recs, NULL);
		if (d < best_read)
			best_read = d;
		d = inflate_blocks(mmtz, NULL, &raw_total);
		if (d < best_infl)
			best_infl = d;
		t0 = now();
		if (system(cmd) != 0)
			fprintf(stderr, "zcat failed\n");
		d = now() - t0;
		if (d < best_zcat)
			best_zcat = d;
	}
	printf(".mmtz read (decode every record): %.0f records/s, %.1f MB/s compressed, %.1f MB/s raw (best of 3)\n",
	       (double)recs / best_read, (double)bytes / best_read / 1e6,
	       (double)raw_total / best_read / 1e6);
	printf("zlib inflate of the same blocks:  %.1f MB/s compressed (%.2fx the reader's time)\n",
	       (double)bytes / best_infl / 1e6, best_read / best_infl);
	printf("zcat of the same raw bytes (%llu bytes gzip -6): %.1f MB/s compressed, %.1f MB/s raw "
	       "(reader/zcat throughput on compressed input: %.2f)\n",
	       (unsigned long long)gzbytes, (double)gzbytes / best_zcat / 1e6,
	       (double)raw_total / best_zcat / 1e6,
	       ((double)bytes / best_read) / ((double)gzbytes / best_zcat));

	/* importers */
	u64 lines;
	snprintf(big, sizeof(big), "%s/big.strace", dir);
	repeat_file("traces/samples/threads_churn.strace", big, 200 * scale);
	double d = read_all(big, TRACE_KIND_STRACE, NULL, &recs, &lines);
	printf("strace import: %llu lines in %.3f s: %.0f lines/s, %.0f ops/s\n",
	       (unsigned long long)lines, d, (double)lines / d, (double)recs / d);
	snprintf(big, sizeof(big), "%s/big.lackey", dir);
	repeat_file("traces/samples/tiny_touch.lackey.gz", big, 20 * scale);
	d = read_all(big, TRACE_KIND_LACKEY, NULL, &recs, &lines);
	printf("lackey import: %llu lines in %.3f s: %.0f lines/s, %.0f ops/s\n",
	       (unsigned long long)lines, d, (double)lines / d, (double)recs / d);
	struct trace_import_opts o = { .lackey_dedup_window = 10000 };
	d = read_all(big, TRACE_KIND_LACKEY, &o, &recs, &lines);
	printf("lackey import, dedup window 10000: %.0f lines/s, %llu ops\n", (double)lines / d,
	       (unsigned long long)recs);

	/* bytes per record of the real samples */
	static const char *const samples[] = { "map_steps.strace", "threads_churn.strace",
					       "sqlite3.strace", "tiny_touch.lackey.gz" };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char in[256], out[256], err[1024];
		snprintf(in, sizeof(in), "traces/samples/%s", samples[i]);
		snprintf(out, sizeof(out), "%s/s.mmtz", dir);
		struct trace_reader *r = trace_reader_open(in, TRACE_KIND_AUTO, NULL, err, sizeof(err));
		if (!r) {
			fprintf(stderr, "%s\n", err);
			continue;
		}
		struct trace_writer *w = trace_writer_create(out, TRACE_KIND_MMTZ, 4096, err, sizeof(err));
		struct op op;
		u64 k = 0;
		while (trace_reader_next(r, &op) > 0) {
			trace_writer_put(w, &op, err, sizeof(err));
			k++;
		}
		trace_reader_close(r);
		trace_writer_finish(w, err, sizeof(err));
		u64 b = file_size(out);
		printf("%-22s %7llu records  %8llu bytes .mmtz  %.2f bytes/record (log: %llu bytes)\n",
		       samples[i], (unsigned long long)k, (unsigned long long)b,
		       k ? (double)b / (double)k : 0.0, (unsigned long long)file_size(in));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}
