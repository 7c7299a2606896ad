/* mmtz_format.h - the .mmtz binary layout (traces/FORMAT.md is the specification) and
 * the block cursor that the sequential reader and the per-thread sources share. Private
 * to traces/. All integers in headers are little-endian. */
#ifndef MMSIM_TRACES_MMTZ_FORMAT_H
#define MMSIM_TRACES_MMTZ_FORMAT_H

#include <stdio.h>
#include <zlib.h>
#include "traces/mmt.h"
#include "task/op_source.h"

#define MMTZ_MAGIC "\x89MMTZ\r\n\x1a"
#define MMTZ_MAGIC_LEN 8
#define MMTZ_HEADER_LEN 32
#define MMTZ_BLOCK_MAGIC "MMTB"
#define MMTZ_INDEX_MAGIC "MMTX"
#define MMTZ_BLOCK_HDR_LEN 28
#define MMTZ_INDEX_HDR_LEN 40
#define MMTZ_INDEX_THREAD_LEN 40
#define MMTZ_INDEX_BLOCK_LEN 32
#define MMTZ_BLOCK_TARGET (64 * 1024)       /* the writer closes a block past this raw size */
#define MMTZ_MAX_RAW (1024 * 1024)          /* largest raw block a reader accepts */
#define MMTZ_MAX_RECORD (MMT_MAX_PATH + 256)
#define MMTZ_NO_PARENT UINT32_MAX

/* record tag byte */
#define MMTZ_TAG_TYPE 0x3f
#define MMTZ_TAG_NEW_THREAD 0x40
#define MMTZ_TAG_SAME_THREAD 0x80

/* field-present bits, in encoding order */
enum {
	MMTZ_F_TIME, MMTZ_F_THINK, MMTZ_F_RET, MMTZ_F_ADDR, MMTZ_F_LEN, MMTZ_F_ADDR2,
	MMTZ_F_LEN2, MMTZ_F_OFF, MMTZ_F_NODEMASK, MMTZ_F_ID, MMTZ_F_NS, MMTZ_F_PROT,
	MMTZ_F_FLAGS, MMTZ_F_ARG, MMTZ_F_FD, MMTZ_F_NODE, MMTZ_F_PATH,
	MMTZ_F_LINE,                /* added later: files written before have no such field */
	MMTZ_NR_FIELDS
};

struct mmtz_thread {
	u32 pid, tid;
	u32 parent;                 /* thread index whose FORK/CLONE named this tid, or NO_PARENT */
	u64 first_rec, last_rec, nr_recs;
};

struct mmtz_block {
	u64 offset;
	u64 first_rec;
	u32 nr_recs, raw_len;
	u64 thread_mask;            /* bit (thread index % 64) for every thread with a record */
};

/* An opened .mmtz file: header and index, shared read-only by its cursors. */
struct mmtz_file {
	char *path;
	u32 version, page_size;
	u64 file_size, index_off;
	u64 nr_records, first_time, last_time;
	u32 nr_threads, nr_blocks;
	struct mmtz_thread *threads;
	/* thread indices sorted by (first_rec, index) and by (tid, index): a cursor finds the
	 * thread a record introduces, a fork its child, in log time (not a scan of threads) */
	u32 *by_first, *by_tid;
	struct mmtz_block *blocks;
	u8 *comp;                   /* compressed payload buffer shared by the cursors */
	u32 prefetch_avail;         /* cursors that may still start a reader thread */
	int fd;                     /* read with pread by every cursor (no FILE per cursor) */
	u32 max_raw;                /* largest raw length of a block */
	u64 max_comp;               /* largest room a block's payload can take */
	unsigned refs;
	bool unlink_on_free;        /* a temporary import: deleted with the last reference */
	char *origin;               /* the input it was imported from (messages), or NULL */
};

/* Open and check header and index. NULL with a located message in err. */
struct mmtz_file *mmtz_file_open(const char *path, char *err, size_t errlen);
void mmtz_file_get(struct mmtz_file *mf);
void mmtz_file_put(struct mmtz_file *mf);
/* Thread index of the thread tid that first appears after record `after` (or at the
 * earliest, when after is UINT64_MAX); MMTZ_NO_PARENT when none. */
u32 mmtz_file_find_thread(const struct mmtz_file *mf, u32 tid, u64 after);
/* The indices of the threads with this tid, in index order: *n of them from the result. */
const u32 *mmtz_file_tid_threads(const struct mmtz_file *mf, u32 tid, u32 *n);

/* A block loaded: raw bytes (in the caller's buffer) of records first_rec.. */
struct mmtz_loaded {
	u32 block, nr_recs, raw_len;
	u64 first_rec;
};
/* Load block *next, or the first block from it that can hold thread only (all blocks
 * with MMTZ_ALL_THREADS): read it with comp (mf->max_comp + 1 bytes), check its CRC32
 * and header, inflate it with z into raw (mf->max_raw + 1 bytes). 1 with *out and *next
 * past it, 0 when no block is left for the filter, -1 with "PATH: block N (offset X):
 * ..." in err (*next unchanged). Touches nothing of mf that can change: a reader thread
 * calls it too. */
int mmtz_block_fetch(const struct mmtz_file *mf, u32 *next, u32 only, z_stream *z, u8 *comp,
		     u8 *raw, struct mmtz_loaded *out, char *err, size_t errlen);

/* zlib's adler32 of len bytes (1 for none), vectorised where the host has SSE2: the
 * reader checks each inflated block with it, zlib's own check turned off. */
u32 mmtz_adler32(const u8 *buf, size_t len);

/* The reader thread of one cursor (mmtz_prefetch.c): a pthread that runs
 * mmtz_block_fetch on the next blocks, a few ahead, while the cursor decodes; only zlib
 * and pread on its own buffers, so the decoded stream is the same bytes in the same order
 * as without it, and an error reaches the cursor where it would have met it. At most
 * prefetch_avail cursors of a file have one at a time (the others read in place). */
#define MMTZ_PREFETCH_THREADS 1
struct mmtz_prefetch;
/* NULL when no thread could be started (the cursor then reads in place). */
struct mmtz_prefetch *mmtz_prefetch_start(const struct mmtz_file *mf, u32 first_block, u32 only);
/* The next block's result as mmtz_block_fetch's (an end or error is returned again on
 * every later call); on 1, *raw is swapped with the buffer holding its bytes. */
int mmtz_prefetch_take(struct mmtz_prefetch *pf, u8 **raw, struct mmtz_loaded *out, char *err,
		       size_t errlen);
void mmtz_prefetch_stop(struct mmtz_prefetch *pf);

/* Decoding blocks in order from a starting block. With only_thread set, blocks whose
 * thread mask cannot hold it are skipped unread and its records alone are returned. */
struct mmtz_cursor;
struct mmtz_cursor *mmtz_cursor_create(struct mmtz_file *mf, u32 first_block, u32 only_thread,
				       char *err, size_t errlen);
/* 1 with *op (and *thread = thread index, *recno), 0 at the end, -1 with err filled. */
int mmtz_cursor_next(struct mmtz_cursor *c, struct op *op, u32 *thread, u64 *recno);
/* The plain touches (an OP_TOUCH record tagged "same thread" whose fields are among
 * time, think time, address, length, flags and line) that directly follow the record
 * mmtz_cursor_next last returned, in its block: up to max of them decoded into out and
 * consumed, *recno the number of the last. Each is the op mmtz_cursor_next would have
 * returned (the other fields op_init's, pid and tid the last record's), and the cursor
 * is left as that many calls would have left it. 0 when the next record is anything
 * else, starts the next block or does not decode: mmtz_cursor_next then meets it as
 * before, error included. */
u32 mmtz_cursor_touches(struct mmtz_cursor *c, struct op_touch *out, u32 max, u64 *recno);
const char *mmtz_cursor_error(const struct mmtz_cursor *c);
void mmtz_cursor_destroy(struct mmtz_cursor *c);
#define MMTZ_ALL_THREADS UINT32_MAX

static inline u64 mmtz_zigzag(s64 v)
{
	return ((u64)v << 1) ^ (u64)(v >> 63);
}

static inline s64 mmtz_unzigzag(u64 v)
{
	return (s64)(v >> 1) ^ -(s64)(v & 1);
}

static inline u8 *mmtz_put_varint(u8 *p, u64 v)
{
	while (v >= 0x80) {
		*p++ = (u8)(v | 0x80);
		v >>= 7;
	}
	*p++ = (u8)v;
	return p;
}

static inline void mmtz_put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static inline void mmtz_put_le64(u8 *p, u64 v)
{
	mmtz_put_le32(p, (u32)v);
	mmtz_put_le32(p + 4, (u32)(v >> 32));
}

static inline u32 mmtz_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 mmtz_le64(const u8 *p)
{
	return (u64)mmtz_le32(p) | (u64)mmtz_le32(p + 4) << 32;
}

#endif
