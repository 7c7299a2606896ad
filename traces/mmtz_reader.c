/* mmtz_reader.c - reads .mmtz: header and index checked at open, then blocks streamed one
 * at a time (CRC32 checked before inflating, every record bounds-checked). Memory: one
 * compressed and one raw block, the index, and 16 bytes of delta state per thread; the
 * one cursor of a file with a reader thread (mmtz_prefetch.c: the next blocks read and
 * inflated on another CPU) has four raw blocks more. Every error names the file and a
 * byte offset. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "traces/mmtz_format.h"
#include "traces/reader_impl.h"

static int read_at(FILE *f, u64 off, void *buf, size_t n)
{
	if (fseeko(f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(buf, 1, n, f) == n ? 0 : -1;
}

static void file_free(struct mmtz_file *mf)
{
	if (mf->unlink_on_free) {
		trace_tmp_untrack(mf->path);
		unlink(mf->path);
	}
	free(mf->path);
	free(mf->origin);
	free(mf->threads);
	free(mf->by_first);
	free(mf->by_tid);
	free(mf->blocks);
	free(mf->comp);
	if (mf->fd >= 0)
		close(mf->fd);
	free(mf);
}

struct keyed_idx {
	u64 key;
	u32 idx;
};

static int cmp_keyed_idx(const void *a, const void *b)
{
	const struct keyed_idx *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Thread indices sorted by (key, index) into out; by_tid true keys by tid, else by
 * first record. */
static void sort_threads(const struct mmtz_file *mf, bool by_tid, u32 *out, struct keyed_idx *tmp)
{
	for (u32 i = 0; i < mf->nr_threads; i++)
		tmp[i] = (struct keyed_idx){ by_tid ? mf->threads[i].tid : mf->threads[i].first_rec, i };
	qsort(tmp, mf->nr_threads, sizeof(*tmp), cmp_keyed_idx);
	for (u32 i = 0; i < mf->nr_threads; i++)
		out[i] = tmp[i].idx;
}

static void build_thread_orders(struct mmtz_file *mf)
{
	u32 n = mf->nr_threads ? mf->nr_threads : 1;
	struct keyed_idx *tmp = xcalloc(n, sizeof(*tmp));
	mf->by_first = xcalloc(n, sizeof(u32));
	mf->by_tid = xcalloc(n, sizeof(u32));
	sort_threads(mf, false, mf->by_first, tmp);
	sort_threads(mf, true, mf->by_tid, tmp);
	free(tmp);
}

/* The lowest thread index whose first record is rec, or UINT32_MAX. */
static u32 thread_starting_at(const struct mmtz_file *mf, u64 rec)
{
	u32 lo = 0, hi = mf->nr_threads;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (mf->threads[mf->by_first[mid]].first_rec < rec)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < mf->nr_threads && mf->threads[mf->by_first[lo]].first_rec == rec)
		return mf->by_first[lo];
	return UINT32_MAX;
}

const u32 *mmtz_file_tid_threads(const struct mmtz_file *mf, u32 tid, u32 *n)
{
	u32 lo = 0, hi = mf->nr_threads;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (mf->threads[mf->by_tid[mid]].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	u32 end = lo;
	while (end < mf->nr_threads && mf->threads[mf->by_tid[end]].tid == tid)
		end++;
	*n = end - lo;
	return mf->by_tid + lo;
}

struct mmtz_file *mmtz_file_open(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	u8 h[MMTZ_INDEX_HDR_LEN];
	u8 *ix = NULL;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	struct mmtz_file *mf = xcalloc(1, sizeof(*mf));
	mf->path = xstrdup(path);
	mf->refs = 1;
	mf->fd = -1;
	mf->file_size = (u64)st.st_size;
	if (mf->file_size < MMTZ_HEADER_LEN || read_at(f, 0, h, MMTZ_HEADER_LEN) < 0) {
		if (mf->file_size >= MMTZ_MAGIC_LEN && read_at(f, 0, h, MMTZ_MAGIC_LEN) == 0 &&
		    !memcmp(h, MMTZ_MAGIC, MMTZ_MAGIC_LEN))
			snprintf(err, errlen, "%s: truncated at offset 0x%" PRIx64 ": the header needs %d bytes",
				 path, mf->file_size, MMTZ_HEADER_LEN);
		else
			snprintf(err, errlen, "%s: offset 0x0: not an .mmtz file (bad magic)", path);
		goto fail;
	}
	if (memcmp(h, MMTZ_MAGIC, MMTZ_MAGIC_LEN)) {
		snprintf(err, errlen, "%s: offset 0x0: not an .mmtz file (bad magic)", path);
		goto fail;
	}
	u32 hcrc = (u32)crc32(0L, h, 28);
	if (hcrc != mmtz_le32(h + 28)) {
		snprintf(err, errlen, "%s: offset 0x0: header checksum mismatch (stored 0x%08x, computed 0x%08x)",
			 path, mmtz_le32(h + 28), hcrc);
		goto fail;
	}
	mf->version = (u32)h[8] | (u32)h[9] << 8;
	if (mf->version != MMT_VERSION) {
		snprintf(err, errlen, "%s: offset 0x8: format version %u not supported (this mmsim reads version %d)",
			 path, mf->version, MMT_VERSION);
		goto fail;
	}
	if (((u32)h[10] | (u32)h[11] << 8) != MMTZ_HEADER_LEN) {
		snprintf(err, errlen, "%s: offset 0xa: header length %u, expected %d", path,
			 (u32)h[10] | (u32)h[11] << 8, MMTZ_HEADER_LEN);
		goto fail;
	}
	mf->page_size = mmtz_le32(h + 12);
	if (mf->page_size < 512 || mf->page_size > (1u << 30) || (mf->page_size & (mf->page_size - 1))) {
		snprintf(err, errlen, "%s: offset 0xc: page size %u is not a power of two 512..1GiB",
			 path, mf->page_size);
		goto fail;
	}
	mf->index_off = mmtz_le64(h + 16);
	if (mf->index_off == 0) {
		snprintf(err, errlen, "%s: offset 0x10: the file was never completed (no index)", path);
		goto fail;
	}
	if (mf->index_off < MMTZ_HEADER_LEN || mf->index_off > mf->file_size ||
	    mf->file_size - mf->index_off < MMTZ_INDEX_HDR_LEN + 4) {
		snprintf(err, errlen, "%s: truncated at offset 0x%" PRIx64 ": the index at offset 0x%" PRIx64
			 " is missing", path, mf->file_size, mf->index_off);
		goto fail;
	}
	if (read_at(f, mf->index_off, h, MMTZ_INDEX_HDR_LEN) < 0 || memcmp(h, MMTZ_INDEX_MAGIC, 4)) {
		snprintf(err, errlen, "%s: offset 0x%" PRIx64 ": bad index (magic)", path, mf->index_off);
		goto fail;
	}
	mf->nr_threads = mmtz_le32(h + 4);
	mf->nr_blocks = mmtz_le32(h + 8);
	mf->nr_records = mmtz_le64(h + 16);
	mf->first_time = mmtz_le64(h + 24);
	mf->last_time = mmtz_le64(h + 32);
	u64 need = (u64)MMTZ_INDEX_HDR_LEN + (u64)mf->nr_threads * MMTZ_INDEX_THREAD_LEN +
		   (u64)mf->nr_blocks * MMTZ_INDEX_BLOCK_LEN + 4;
	if (need != mf->file_size - mf->index_off) {
		snprintf(err, errlen, "%s: %s at offset 0x%" PRIx64 ": the index (offset 0x%" PRIx64
			 ", %u threads, %u blocks) needs %" PRIu64 " bytes, the file has %" PRIu64,
			 path, need > mf->file_size - mf->index_off ? "truncated" : "trailing bytes",
			 mf->file_size, mf->index_off, mf->nr_threads, mf->nr_blocks, need,
			 mf->file_size - mf->index_off);
		goto fail;
	}
	ix = xmalloc(need);
	if (read_at(f, mf->index_off, ix, need) < 0) {
		snprintf(err, errlen, "%s: offset 0x%" PRIx64 ": read error", path, mf->index_off);
		goto fail;
	}
	u32 icrc = (u32)crc32(0L, ix, (uInt)(need - 4));
	if (icrc != mmtz_le32(ix + need - 4)) {
		snprintf(err, errlen, "%s: index (offset 0x%" PRIx64 "): checksum mismatch (stored 0x%08x, computed 0x%08x)",
			 path, mf->index_off, mmtz_le32(ix + need - 4), icrc);
		goto fail;
	}
	mf->threads = xcalloc(mf->nr_threads ? mf->nr_threads : 1, sizeof(*mf->threads));
	mf->blocks = xcalloc(mf->nr_blocks ? mf->nr_blocks : 1, sizeof(*mf->blocks));
	const u8 *p = ix + MMTZ_INDEX_HDR_LEN;
	for (u32 i = 0; i < mf->nr_threads; i++, p += MMTZ_INDEX_THREAD_LEN) {
		struct mmtz_thread *t = &mf->threads[i];
		t->pid = mmtz_le32(p);
		t->tid = mmtz_le32(p + 4);
		t->parent = mmtz_le32(p + 8);
		t->first_rec = mmtz_le64(p + 16);
		t->last_rec = mmtz_le64(p + 24);
		t->nr_recs = mmtz_le64(p + 32);
		if ((t->parent != MMTZ_NO_PARENT && t->parent >= i) || t->nr_recs == 0 ||
		    t->first_rec > t->last_rec || t->last_rec >= mf->nr_records) {
			snprintf(err, errlen, "%s: offset 0x%" PRIx64 ": bad index entry for thread %u",
				 path, mf->index_off + (u64)(p - ix), i);
			goto fail;
		}
	}
	u64 expect_off = MMTZ_HEADER_LEN, expect_rec = 0;
	for (u32 i = 0; i < mf->nr_blocks; i++, p += MMTZ_INDEX_BLOCK_LEN) {
		struct mmtz_block *b = &mf->blocks[i];
		b->offset = mmtz_le64(p);
		b->first_rec = mmtz_le64(p + 8);
		b->nr_recs = mmtz_le32(p + 16);
		b->raw_len = mmtz_le32(p + 20);
		b->thread_mask = mmtz_le64(p + 24);
		if (b->offset < expect_off || b->offset >= mf->index_off || b->first_rec != expect_rec ||
		    b->nr_recs == 0 || b->raw_len > MMTZ_MAX_RAW) {
			snprintf(err, errlen, "%s: offset 0x%" PRIx64 ": bad index entry for block %u",
				 path, mf->index_off + (u64)(p - ix), i);
			goto fail;
		}
		expect_off = b->offset + MMTZ_BLOCK_HDR_LEN;
		expect_rec += b->nr_recs;
		if (b->raw_len > mf->max_raw)
			mf->max_raw = b->raw_len;
		u64 next = i + 1 < mf->nr_blocks ? mmtz_le64(p + MMTZ_INDEX_BLOCK_LEN) : mf->index_off;
		if (next >= b->offset + MMTZ_BLOCK_HDR_LEN &&
		    next - b->offset - MMTZ_BLOCK_HDR_LEN > mf->max_comp)
			mf->max_comp = next - b->offset - MMTZ_BLOCK_HDR_LEN;
	}
	if (mf->max_comp > compressBound(MMTZ_MAX_RAW))
		mf->max_comp = compressBound(MMTZ_MAX_RAW);
	if (expect_rec != mf->nr_records) {
		snprintf(err, errlen, "%s: offset 0x%" PRIx64 ": the index counts %" PRIu64
			 " records, its blocks %" PRIu64, path, mf->index_off, mf->nr_records, expect_rec);
		goto fail;
	}
	mf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (mf->fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	build_thread_orders(mf);
	mf->comp = xmalloc(mf->max_comp + 1);
	mf->prefetch_avail = MMTZ_PREFETCH_THREADS;
	free(ix);
	fclose(f);
	return mf;
fail:
	free(ix);
	fclose(f);
	file_free(mf);
	return NULL;
}

void mmtz_file_get(struct mmtz_file *mf)
{
	mf->refs++;
}

void mmtz_file_put(struct mmtz_file *mf)
{
	if (mf && --mf->refs == 0)
		file_free(mf);
}

u32 mmtz_file_find_thread(const struct mmtz_file *mf, u32 tid, u64 after)
{
	u32 n;
	const u32 *v = mmtz_file_tid_threads(mf, tid, &n);
	for (u32 k = 0; k < n; k++)
		if (after == UINT64_MAX || mf->threads[v[k]].first_rec > after)
			return v[k];
	return MMTZ_NO_PARENT;
}

/* ---- blocks ---- */

#ifdef __SSE2__
#include <emmintrin.h>

/* zlib's adler32 (RFC 1950) of buf, 16 bytes a step in SSE2: the byte sums by psadbw, the
 * weighted sums by pmaddwd. In zlib's own, scalar, a block's check was ~40% of inflating
 * it. Segments of at most ADLER_NMAX bytes keep every 32-bit lane from overflowing. */
#define ADLER_BASE 65521u
#define ADLER_NMAX 5536u   /* zlib's NMAX (5552) rounded down to 16 bytes */
u32 mmtz_adler32(const u8 *buf, size_t len)
{
	u64 a = 1, b = 0;
	const __m128i zero = _mm_setzero_si128();
	const __m128i w_lo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
	const __m128i w_hi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
	while (len >= 16) {
		size_t seg = len < ADLER_NMAX ? len & ~(size_t)15 : ADLER_NMAX;
		u64 chunks = seg / 16;
		__m128i s1 = zero, ps = zero, s2 = zero;
		for (u64 k = 0; k < chunks; k++, buf += 16) {
			__m128i d = _mm_loadu_si128((const __m128i *)buf);
			ps = _mm_add_epi32(ps, s1);   /* the byte sum before this chunk */
			s1 = _mm_add_epi32(s1, _mm_sad_epu8(d, zero));
			s2 = _mm_add_epi32(s2, _mm_madd_epi16(_mm_unpacklo_epi8(d, zero), w_lo));
			s2 = _mm_add_epi32(s2, _mm_madd_epi16(_mm_unpackhi_epi8(d, zero), w_hi));
		}
		u32 v1[4], vp[4], v2[4];
		_mm_storeu_si128((__m128i *)v1, s1);
		_mm_storeu_si128((__m128i *)vp, ps);
		_mm_storeu_si128((__m128i *)v2, s2);
		u64 sum1 = (u64)v1[0] + v1[2], sump = (u64)vp[0] + vp[2];
		u64 sum2 = (u64)v2[0] + v2[1] + v2[2] + v2[3];
		/* b after the chunks: b + 16 a per chunk + 16 x the sums before each + weights */
		b = (b + 16 * chunks * a + 16 * sump + sum2) % ADLER_BASE;
		a = (a + sum1) % ADLER_BASE;
		len -= seg;
	}
	while (len--) {
		a += *buf++;
		b += a;
	}
	return (u32)((b % ADLER_BASE) << 16 | (a % ADLER_BASE));
}
#else
u32 mmtz_adler32(const u8 *buf, size_t len)
{
	return (u32)adler32_z(1, buf, len);
}
#endif

static __printf(4, 5) int block_err(char *err, size_t errlen, const struct mmtz_file *mf,
				    const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", mf->path);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int mmtz_block_fetch(const struct mmtz_file *mf, u32 *next, u32 only, z_stream *z, u8 *comp,
		     u8 *raw, struct mmtz_loaded *out, char *err, size_t errlen)
{
	u8 h[MMTZ_BLOCK_HDR_LEN];

	for (;;) {
		u32 bi = *next;
		if (bi >= mf->nr_blocks)
			return 0;
		const struct mmtz_block *b = &mf->blocks[bi];
		if (only != MMTZ_ALL_THREADS) {
			const struct mmtz_thread *t = &mf->threads[only];
			if (b->first_rec > t->last_rec)
				return 0;
			if (!(b->thread_mask & (1ULL << (only % 64))) ||
			    b->first_rec + b->nr_recs <= t->first_rec) {
				(*next)++;
				continue;
			}
		}
		u64 limit = bi + 1 < mf->nr_blocks ? mf->blocks[bi + 1].offset : mf->index_off;
		/* pread on the file's one descriptor: a FILE per cursor (one cursor per live
		 * thread) cost a 256 KiB buffer each and made fclose linear in open FILEs */
		if (pread(mf->fd, h, sizeof(h), (off_t)b->offset) != (ssize_t)sizeof(h))
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): read error",
					 bi, b->offset);
		u32 nrec = mmtz_le32(h + 4), raw_len = mmtz_le32(h + 16), comp_len = mmtz_le32(h + 20);
		u64 first = mmtz_le64(h + 8);
		if (memcmp(h, MMTZ_BLOCK_MAGIC, 4))
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): bad block magic",
					 bi, b->offset);
		if (comp_len > limit - b->offset - MMTZ_BLOCK_HDR_LEN || comp_len > mf->max_comp ||
		    raw_len > mf->max_raw)
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): bad block length "
					 "(%u compressed, %u raw)", bi, b->offset, comp_len, raw_len);
		if (pread(mf->fd, comp, comp_len, (off_t)(b->offset + MMTZ_BLOCK_HDR_LEN)) !=
		    (ssize_t)comp_len)
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): read error",
					 bi, b->offset);
		u32 crc = (u32)crc32(crc32(0L, h, 24), comp, comp_len);
		if (crc != mmtz_le32(h + 24))
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): checksum mismatch "
					 "(stored 0x%08x, computed 0x%08x)", bi, b->offset,
					 mmtz_le32(h + 24), crc);
		if (nrec != b->nr_recs || first != b->first_rec || raw_len != b->raw_len)
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): header disagrees "
					 "with the index", bi, b->offset);
		inflateReset(z);
		inflateValidate(z, 0);   /* the check value: mmtz_adler32 below, as zlib checks it */
		z->next_in = comp;
		z->avail_in = comp_len;
		z->next_out = raw;
		z->avail_out = raw_len;
		int zr = inflate(z, Z_FINISH);
		if (zr == Z_STREAM_END) {
			/* the stream's last 4 bytes, big-endian, over all it inflated */
			const u8 *t = comp + (comp_len - z->avail_in) - 4;
			u32 want = (u32)t[0] << 24 | (u32)t[1] << 16 | (u32)t[2] << 8 | t[3];
			if (mmtz_adler32(raw, raw_len - z->avail_out) != want)
				return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): bad "
						 "compressed data (incorrect data check)", bi, b->offset);
		}
		if (zr != Z_STREAM_END || z->avail_out != 0 || z->avail_in != 0)
			return block_err(err, errlen, mf, "block %u (offset 0x%" PRIx64 "): bad compressed "
					 "data (%s)", bi, b->offset, zr == Z_STREAM_END ? "length mismatch" :
					 z->msg ? z->msg : "zlib error");
		*out = (struct mmtz_loaded){ .block = bi, .nr_recs = nrec, .raw_len = raw_len,
					     .first_rec = first };
		(*next)++;
		return 1;
	}
}

/* ---- cursor ---- */

/* Delta state of one thread in the loaded block: a hash table keyed by thread index whose
 * entries are valid for one block load (gen), so a cursor costs memory for the threads of
 * a block, not for every thread of the file (a per-thread array made replaying a trace of
 * T threads cost O(T^2) host memory and time, one cursor per live thread). */
struct cthread {
	u64 gen, prev_time, prev_addr, prev_line;
	u32 ti;
};

struct mmtz_cursor {
	struct mmtz_file *mf;
	z_stream z;
	bool z_ok;
	u8 *raw;
	u32 raw_len, pos;
	u32 block;                  /* next block to load */
	u32 cur;                    /* loaded block, or UINT32_MAX */
	u32 left;                   /* records left in the loaded block */
	u64 rec;                    /* number of the next record */
	u32 only;                   /* thread filter or MMTZ_ALL_THREADS */
	u32 prev_thread;
	struct cthread *prev_ts;    /* prev_thread's delta state (this load) */
	bool run_ok;                /* the last mmtz_cursor_next returned a record */
	/* mmtz_cursor_touches' memo: the last two encodings it decoded of a plain touch with
	 * no field but address, length and flags (8 bytes at most, tag included), and what
	 * they decode to. A record of the same bytes decodes to the same values and address
	 * delta, whatever the thread state they apply to. */
	struct touch_memo {
		u64 bytes, lenmask;     /* the encoding, first byte lowest; lenmask 0: unused */
		u64 daddr, len;
		u32 flags, nbytes;
	} memo[2];
	u32 memo_next;              /* the entry the next new encoding replaces */
	u32 nr_known;               /* threads introduced so far (sequential reading) */
	struct cthread *ts;         /* cap entries, a power of two */
	u32 cap, nr_ts;             /* entries, and those valid in this load (gen) */
	u64 gen;                    /* block loads so far */
	struct mmtz_prefetch *pf;   /* the reader thread loading the next blocks, or NULL */
	char pathbuf[MMT_MAX_PATH + 1];
	char err[512];
};

struct mmtz_cursor *mmtz_cursor_create(struct mmtz_file *mf, u32 first_block, u32 only_thread,
				       char *err, size_t errlen)
{
	struct mmtz_cursor *c = xcalloc(1, sizeof(*c));
	if (inflateInit(&c->z) != Z_OK) {
		snprintf(err, errlen, "%s: zlib inflateInit failed", mf->path);
		free(c);
		return NULL;
	}
	c->z_ok = true;
	mmtz_file_get(mf);
	c->mf = mf;
	c->raw = xmalloc(mf->max_raw + 1);
	c->block = first_block;
	c->cur = UINT32_MAX;
	c->only = only_thread;
	c->cap = 16;
	c->ts = xcalloc(c->cap, sizeof(*c->ts));
	c->memo[0].bytes = c->memo[1].bytes = UINT64_MAX;   /* matches nothing */
	/* reading from the start, threads are introduced in the stream; from a later block,
	 * the index has introduced them all */
	c->nr_known = first_block == 0 ? 0 : mf->nr_threads;
	if (first_block < mf->nr_blocks) {
		c->rec = mf->blocks[first_block].first_rec;
	}
	/* two blocks or more ahead: a reader thread inflates them while this one decodes */
	if (mf->prefetch_avail && first_block < mf->nr_blocks && mf->nr_blocks - first_block >= 2) {
		c->pf = mmtz_prefetch_start(mf, first_block, only_thread);
		if (c->pf)
			mf->prefetch_avail--;
	}
	return c;
}

void mmtz_cursor_destroy(struct mmtz_cursor *c)
{
	if (!c)
		return;
	if (c->pf) {
		mmtz_prefetch_stop(c->pf);
		c->mf->prefetch_avail++;
	}
	if (c->z_ok)
		inflateEnd(&c->z);
	free(c->raw);
	free(c->ts);
	mmtz_file_put(c->mf);
	free(c);
}

const char *mmtz_cursor_error(const struct mmtz_cursor *c)
{
	return c->err;
}

static __printf(2, 3) __attribute__((cold, noinline)) int cerr(struct mmtz_cursor *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, sizeof(c->err), "%s: ", c->mf->path);
	if (n < 0 || (size_t)n >= sizeof(c->err))
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Load the next block (skipping those the thread filter rules out), from the reader
 * thread when the cursor has one; 0 at the end. Either way the same blocks, bytes and
 * messages, in the same order. */
static int load_block(struct mmtz_cursor *c)
{
	struct mmtz_loaded l;
	int rc = c->pf ? mmtz_prefetch_take(c->pf, &c->raw, &l, c->err, sizeof(c->err))
		       : mmtz_block_fetch(c->mf, &c->block, c->only, &c->z, c->mf->comp, c->raw, &l,
					  c->err, sizeof(c->err));
	if (rc <= 0)
		return rc;
	c->cur = l.block;
	c->block = l.block + 1;
	c->raw_len = l.raw_len;
	c->pos = 0;
	c->left = l.nr_recs;
	c->rec = l.first_rec;
	c->prev_thread = UINT32_MAX;
	c->prev_ts = NULL;
	c->gen++;
	c->nr_ts = 0;
	return 1;
}

static u32 cthread_slot(const struct mmtz_cursor *c, u32 ti)
{
	u32 h = ti * 0x9e3779b1u, mask = c->cap - 1;
	for (h &= mask; c->ts[h].gen == c->gen && c->ts[h].ti != ti; h = (h + 1) & mask)
		;
	return h;
}

/* The delta state of thread ti in the loaded block (zero when the block first names it). */
static struct cthread *thread_state(struct mmtz_cursor *c, u32 ti)
{
	u32 h = cthread_slot(c, ti);
	if (c->ts[h].gen == c->gen)
		return &c->ts[h];
	if ((c->nr_ts + 1) * 2 > c->cap) {
		struct cthread *old = c->ts;
		u32 old_cap = c->cap;
		c->cap *= 2;
		c->ts = xcalloc(c->cap, sizeof(*c->ts));
		for (u32 i = 0; i < old_cap; i++)
			if (old[i].gen == c->gen)
				c->ts[cthread_slot(c, old[i].ti)] = old[i];
		free(old);
		h = cthread_slot(c, ti);
	}
	c->nr_ts++;
	c->ts[h] = (struct cthread){ .gen = c->gen, .ti = ti };
	return &c->ts[h];
}

/* A record's error: its number, its block and the block's offset, then the message. */
#define REC_ERR(fmt, ...)                                                                   \
	cerr(c, "record %" PRIu64 " (block %u at offset 0x%" PRIx64 "): " fmt, c->rec, c->cur, \
	     mf->blocks[c->cur].offset, ##__VA_ARGS__)

/* A varint of two bytes or more at p (or one at the end of the block): the byte after
 * it, or NULL when the block ends first or it runs past 64 bits. */
static const u8 *varint_slow(const u8 *p, const u8 *end, u64 *v)
{
	u64 x = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return NULL;
		u8 b = *p++;
		x |= (u64)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

/* Most fields are deltas and small values: one or two bytes, inline. */
#define GET_VARINT(v)                                                                       \
	do {                                                                                \
		if (likely(end - p >= 2)) {                                                 \
			if (!(p[0] & 0x80)) {                                               \
				(v) = *p++;                                                 \
				break;                                                      \
			}                                                                   \
			if (!(p[1] & 0x80)) {                                               \
				(v) = (u64)(p[0] & 0x7f) | (u64)p[1] << 7;                  \
				p += 2;                                                     \
				break;                                                      \
			}                                                                   \
		}                                                                           \
		if (!(p = varint_slow(p, end, &(v)))) {                                     \
			return REC_ERR("truncated record");                                 \
		}                                                                           \
	} while (0)

int mmtz_cursor_next(struct mmtz_cursor *c, struct op *op, u32 *thread, u64 *recno)
{
	const struct mmtz_file *mf = c->mf;
	u64 v;

	c->run_ok = false;
	for (;;) {
		while (unlikely(c->left == 0)) {
			if (c->cur != UINT32_MAX && c->pos != c->raw_len) {
				u64 off = mf->blocks[c->cur].offset;
				return cerr(c, "block %u (offset 0x%" PRIx64 "): %u bytes after its last record",
					    c->cur, off, c->raw_len - c->pos);
			}
			int rc = load_block(c);
			if (rc <= 0)
				return rc;
		}
		/* the record is decoded from locals: stores to *op cannot alias them */
		const u8 *p = c->raw + c->pos, *end = c->raw + c->raw_len;
		if (unlikely(p >= end))
			return REC_ERR("record past the end of its block");
		u8 tag = *p++;
		u32 type = tag & MMTZ_TAG_TYPE, ti;
		struct cthread *t;
		if (unlikely(type == OP_NONE || type >= NR_OP_TYPES))
			return REC_ERR("unknown op type 0x%x", type);
		if (likely(tag & MMTZ_TAG_SAME_THREAD)) {
			if (unlikely(tag & MMTZ_TAG_NEW_THREAD))
				return REC_ERR("bad record tag 0x%02x", tag);
			if (unlikely(c->prev_thread == UINT32_MAX))
				return REC_ERR("\"same thread\" in the first record of a block");
			ti = c->prev_thread;
			t = c->prev_ts;   /* no thread was added to the table since */
		} else {
			if (tag & MMTZ_TAG_NEW_THREAD) {
				u64 pid, tid;
				GET_VARINT(pid);
				GET_VARINT(tid);
				/* introduced here; the index must agree */
				ti = thread_starting_at(mf, c->rec);
				if (ti == UINT32_MAX || mf->threads[ti].pid != pid ||
				    mf->threads[ti].tid != tid)
					return REC_ERR("thread %" PRIu64 "/%" PRIu64 " is not in the index",
						       pid, tid);
				if (ti >= c->nr_known)
					c->nr_known = ti + 1;
			} else {
				GET_VARINT(v);
				if (v >= c->nr_known || v >= mf->nr_threads)
					return REC_ERR("unknown thread index %" PRIu64, v);
				ti = (u32)v;
			}
			t = thread_state(c, ti);
		}
		u64 mask;
		GET_VARINT(mask);
		if (unlikely(mask >> MMTZ_NR_FIELDS))
			return REC_ERR("unknown fields 0x%" PRIx64, mask);
		/* op_init's values, field by field (a whole-struct initialiser clears the
		 * struct with a string store first, a third of the decoding time) */
		op->type = (enum op_type)type;
		op->pid = mf->threads[ti].pid;
		op->tid = mf->threads[ti].tid;
		op->time_ns = t->prev_time;
		op->think_ns = 0;
		op->ret = OP_RET_NONE;
		op->addr = 0;
		op->len = 0;
		op->addr2 = 0;
		op->len2 = 0;
		op->off = 0;
		op->nodemask = 0;
		op->id = 0;
		op->ns = 0;
		op->prot = 0;
		op->flags = 0;
		op->arg = 0;
		op->fd = -1;
		op->node = -1;
		op->path = NULL;
		op->src_line = 0;
		/* the fields present, in ascending order: the first five (time, think time,
		 * result, address, length) and a following lone flags field, what most
		 * records carry, inline; any other by the loop, one step per set bit */
		if (mask & (1u << MMTZ_F_TIME)) {
			GET_VARINT(v);
			op->time_ns = t->prev_time += (u64)mmtz_unzigzag(v);
		}
		if (mask & (1u << MMTZ_F_THINK))
			GET_VARINT(op->think_ns);
		if (mask & (1u << MMTZ_F_RET)) {
			GET_VARINT(v);
			op->ret = mmtz_unzigzag(v);
			if (op->ret == OP_RET_NONE)
				return REC_ERR("bad result");
		}
		if (mask & (1u << MMTZ_F_ADDR)) {
			GET_VARINT(v);
			op->addr = t->prev_addr += (u64)mmtz_unzigzag(v);
		}
		if (mask & (1u << MMTZ_F_LEN))
			GET_VARINT(op->len);
		u64 rest = mask & ~(u64)((1u << (MMTZ_F_LEN + 1)) - 1);
		if (rest == 1u << MMTZ_F_FLAGS) {
			GET_VARINT(v);
			if (v > UINT32_MAX)
				return REC_ERR("field value out of range");
			op->flags = (u32)v;
			rest = 0;
		}
		for (u64 left = rest; left; left &= left - 1) {
			unsigned f = (unsigned)__builtin_ctzll(left);
			GET_VARINT(v);
			switch (f) {
			case MMTZ_F_LINE: op->src_line = t->prev_line += (u64)mmtz_unzigzag(v); break;
			case MMTZ_F_ADDR2: op->addr2 = v; break;
			case MMTZ_F_LEN2: op->len2 = v; break;
			case MMTZ_F_OFF: op->off = v; break;
			case MMTZ_F_NODEMASK: op->nodemask = v; break;
			case MMTZ_F_ID: op->id = v; break;
			case MMTZ_F_NS: op->ns = v; break;
			case MMTZ_F_PROT:
			case MMTZ_F_FLAGS:
			case MMTZ_F_ARG:
				if (v > UINT32_MAX)
					return REC_ERR("field value out of range");
				*(f == MMTZ_F_PROT ? &op->prot : f == MMTZ_F_FLAGS ? &op->flags : &op->arg) = (u32)v;
				break;
			case MMTZ_F_FD:
			case MMTZ_F_NODE: {
				s64 s = mmtz_unzigzag(v);
				if (s < INT32_MIN || s > INT32_MAX)
					return REC_ERR("field value out of range");
				*(f == MMTZ_F_FD ? &op->fd : &op->node) = (s32)s;
				break;
			}
			case MMTZ_F_PATH:
				if (v > MMT_MAX_PATH || v > (u64)(end - p))
					return REC_ERR("bad path length %" PRIu64, v);
				memcpy(c->pathbuf, p, v);
				c->pathbuf[v] = '\0';
				if (strlen(c->pathbuf) != v)
					return REC_ERR("NUL byte in a path");
				p += v;
				op->path = c->pathbuf;
				break;
			}
		}
		c->pos = (u32)(p - c->raw);
		u64 r = c->rec++;
		c->left--;
		c->prev_thread = ti;
		c->prev_ts = t;
		if (c->only != MMTZ_ALL_THREADS && ti != c->only)
			continue;
		*thread = ti;
		if (recno)
			*recno = r;
		c->run_ok = true;
		return 1;
	}
}

/* GET_VARINT as a function: the byte after the varint, or NULL where GET_VARINT would
 * have reported a truncated record. */
static inline const u8 *get_varint(const u8 *p, const u8 *end, u64 *v)
{
	if (likely(end - p >= 2)) {
		if (!(p[0] & 0x80)) {
			*v = p[0];
			return p + 1;
		}
		if (!(p[1] & 0x80)) {
			*v = (u64)(p[0] & 0x7f) | (u64)p[1] << 7;
			return p + 2;
		}
	}
	return varint_slow(p, end, v);
}

#define MEMO_FIELDS ((1u << MMTZ_F_ADDR) | (1u << MMTZ_F_LEN) | (1u << MMTZ_F_FLAGS))
#define PLAIN_TOUCH_FIELDS                                                                  \
	((1u << MMTZ_F_TIME) | (1u << MMTZ_F_THINK) | (1u << MMTZ_F_ADDR) | (1u << MMTZ_F_LEN) | \
	 (1u << MMTZ_F_FLAGS) | (1u << MMTZ_F_LINE))

u32 mmtz_cursor_touches(struct mmtz_cursor *c, struct op_touch *out, u32 max, u64 *recno)
{
	if (!c->run_ok)
		return 0;
	struct cthread *t = c->prev_ts;
	const u8 *p = c->raw + c->pos, *end = c->raw + c->raw_len;
	u64 time = t->prev_time, addr = t->prev_addr, line = t->prev_line;
	u32 n = 0, left = min(c->left, max);
	/* the memo in locals: out cannot alias them */
	struct touch_memo memo[2] = { c->memo[0], c->memo[1] };
	u32 memo_next = c->memo_next;
	while (n < left) {
		/* repeats of the memo's encodings (a loop's touches: the same deltas) */
		const u8 *safe_end = end - 8;   /* a memo's 8 bytes can be read up to here */
		struct touch_memo m0 = memo[0], m1 = memo[1];
		while (n < left && p <= safe_end) {
			u64 w = mmtz_le64(p);
			const struct touch_memo *m;
			if ((w & m0.lenmask) == m0.bytes)
				m = &m0;
			else if ((w & m1.lenmask) == m1.bytes)
				m = &m1;
			else
				break;
			addr += m->daddr;
			out[n++] = (struct op_touch){ .time_ns = time, .addr = addr, .len = m->len,
						      .flags = m->flags };
			p += m->nbytes;
		}
		if (n == left)
			break;
		/* decoded into locals and taken only when all of it decodes the way
		 * mmtz_cursor_next decodes it; anything else stays for mmtz_cursor_next */
		const u8 *q = p;
		u64 mask, v, think = 0, len = 0, src_line = 0;
		u64 rtime = time, raddr = addr, rline = line;
		u32 flags = 0;
		if (q >= end || *q != (MMTZ_TAG_SAME_THREAD | OP_TOUCH))
			break;
		if (!(q = get_varint(q + 1, end, &mask)) || (mask & ~(u64)PLAIN_TOUCH_FIELDS))
			break;
		if (mask & (1u << MMTZ_F_TIME)) {
			if (!(q = get_varint(q, end, &v)))
				break;
			rtime += (u64)mmtz_unzigzag(v);
		}
		if ((mask & (1u << MMTZ_F_THINK)) && !(q = get_varint(q, end, &think)))
			break;
		if (mask & (1u << MMTZ_F_ADDR)) {
			if (!(q = get_varint(q, end, &v)))
				break;
			raddr += (u64)mmtz_unzigzag(v);
		}
		if ((mask & (1u << MMTZ_F_LEN)) && !(q = get_varint(q, end, &len)))
			break;
		if (mask & (1u << MMTZ_F_FLAGS)) {
			if (!(q = get_varint(q, end, &v)) || v > UINT32_MAX)
				break;
			flags = (u32)v;
		}
		if (mask & (1u << MMTZ_F_LINE)) {
			if (!(q = get_varint(q, end, &v)))
				break;
			src_line = rline += (u64)mmtz_unzigzag(v);
		}
		out[n++] = (struct op_touch){ .time_ns = rtime, .think_ns = think, .addr = raddr,
					      .len = len, .src_line = src_line, .flags = flags };
		u32 nbytes = (u32)(q - p);
		if (nbytes <= 8 && end - p >= 8 && !(mask & ~(u64)MEMO_FIELDS)) {
			struct touch_memo *m = &memo[memo_next];
			memo_next ^= 1;
			m->lenmask = nbytes == 8 ? UINT64_MAX : (1ULL << (8 * nbytes)) - 1;
			m->bytes = mmtz_le64(p) & m->lenmask;
			m->daddr = raddr - addr;
			m->len = len;
			m->flags = flags;
			m->nbytes = nbytes;
		}
		time = rtime;
		addr = raddr;
		line = rline;
		p = q;
	}
	c->memo[0] = memo[0];
	c->memo[1] = memo[1];
	c->memo_next = memo_next;
	if (!n)
		return 0;
	t->prev_time = time;
	t->prev_addr = addr;
	t->prev_line = line;
	c->pos = (u32)(p - c->raw);
	c->left -= n;
	c->rec += n;
	*recno = c->rec - 1;
	return n;
}

/* ---- the sequential trace_reader ---- */

struct mmtz_reader {
	struct trace_reader r;
	struct mmtz_file *mf;
	struct mmtz_cursor *c;
};

static int mmtz_next(struct trace_reader *r, struct op *op)
{
	struct mmtz_reader *m = container_of(r, struct mmtz_reader, r);
	u32 ti;
	int rc = mmtz_cursor_next(m->c, op, &ti, NULL);
	if (rc < 0)
		snprintf(r->err, sizeof(r->err), "%s", mmtz_cursor_error(m->c));
	else if (rc > 0)
		r->info.records++;
	return rc;
}

static void mmtz_close(struct trace_reader *r)
{
	struct mmtz_reader *m = container_of(r, struct mmtz_reader, r);
	mmtz_cursor_destroy(m->c);
	mmtz_file_put(m->mf);
	free(r->path);
	free(m);
}

struct trace_reader *mmtz_open(const char *path, char *err, size_t errlen)
{
	struct mmtz_file *mf = mmtz_file_open(path, err, errlen);
	if (!mf)
		return NULL;
	struct mmtz_cursor *c = mmtz_cursor_create(mf, 0, MMTZ_ALL_THREADS, err, errlen);
	if (!c) {
		mmtz_file_put(mf);
		return NULL;
	}
	struct mmtz_reader *m = xcalloc(1, sizeof(*m));
	trace_reader_init(&m->r, path, TRACE_KIND_MMTZ);
	m->r.next = mmtz_next;
	m->r.close = mmtz_close;
	m->r.info.version = mf->version;
	m->r.info.page_size = mf->page_size;
	m->r.info.file_bytes = mf->file_size;
	m->r.info.nr_blocks = mf->nr_blocks;
	m->r.info.index_records = mf->nr_records;
	m->mf = mf;
	m->c = c;
	return &m->r;
}
