/* mmtz_writer.c - writes .mmtz: records are encoded into a raw block (per-thread deltas
 * that restart at every block), each block is deflated and written with its CRC32, and
 * the thread table and block index go at the end, where the header points. Memory: one
 * block plus the index (a few dozen bytes per thread and per block). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "traces/mmtz_format.h"
#include "traces/reader_impl.h"
#include "traces/tidmap.h"

struct wthread {
	struct mmtz_thread t;
	u64 gen;                    /* block number the delta state below belongs to */
	u64 prev_time, prev_addr, prev_line;
};

struct mmtz_writer {
	struct trace_writer w;
	char *path, *tmp;
	FILE *f;
	u32 page_size;
	u64 off;                    /* bytes written so far */
	z_stream z;
	bool z_ok;
	u8 *raw, *comp;
	size_t raw_len, comp_cap;
	u32 blk_recs;
	u64 blk_first, blk_mask;
	u32 prev_thread;            /* thread of the previous record in this block, or NONE */
	u64 nr_records, first_time, last_time;
	struct wthread *threads;
	u32 nr_threads, cap_threads;
	struct tidmap tids;         /* tid -> latest thread index with that tid */
	struct tidmap forked;       /* child tid named by a FORK/CLONE -> parent thread index */
	struct mmtz_block *blocks;
	u32 nr_blocks, cap_blocks;
};

static int werr(struct mmtz_writer *m, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s: %s", m->path, what, strerror(errno));
	return -1;
}

static int write_all(struct mmtz_writer *m, const void *p, size_t n, char *err, size_t errlen)
{
	if (fwrite(p, 1, n, m->f) != n)
		return werr(m, err, errlen, "write error");
	m->off += n;
	return 0;
}

static int flush_block(struct mmtz_writer *m, char *err, size_t errlen)
{
	if (!m->blk_recs)
		return 0;
	if (deflateReset(&m->z) != Z_OK) {
		snprintf(err, errlen, "%s: zlib deflateReset failed", m->path);
		return -1;
	}
	m->z.next_in = m->raw;
	m->z.avail_in = (uInt)m->raw_len;
	m->z.next_out = m->comp;
	m->z.avail_out = (uInt)m->comp_cap;
	if (deflate(&m->z, Z_FINISH) != Z_STREAM_END) {
		snprintf(err, errlen, "%s: zlib deflate failed", m->path);
		return -1;
	}
	size_t comp_len = m->comp_cap - m->z.avail_out;
	u8 hdr[MMTZ_BLOCK_HDR_LEN];
	memcpy(hdr, MMTZ_BLOCK_MAGIC, 4);
	mmtz_put_le32(hdr + 4, m->blk_recs);
	mmtz_put_le64(hdr + 8, m->blk_first);
	mmtz_put_le32(hdr + 16, (u32)m->raw_len);
	mmtz_put_le32(hdr + 20, (u32)comp_len);
	uLong crc = crc32(0L, hdr, 24);
	crc = crc32(crc, m->comp, (uInt)comp_len);
	mmtz_put_le32(hdr + 24, (u32)crc);
	if (m->nr_blocks == m->cap_blocks) {
		m->cap_blocks = m->cap_blocks ? 2 * m->cap_blocks : 64;
		m->blocks = xrealloc(m->blocks, m->cap_blocks * sizeof(*m->blocks));
	}
	m->blocks[m->nr_blocks++] = (struct mmtz_block){
		.offset = m->off, .first_rec = m->blk_first, .nr_recs = m->blk_recs,
		.raw_len = (u32)m->raw_len, .thread_mask = m->blk_mask,
	};
	if (write_all(m, hdr, sizeof(hdr), err, errlen) < 0 ||
	    write_all(m, m->comp, comp_len, err, errlen) < 0)
		return -1;
	m->raw_len = 0;
	m->blk_recs = 0;
	m->blk_mask = 0;
	m->blk_first = m->nr_records;
	m->prev_thread = TIDMAP_NONE;
	return 0;
}

static u32 thread_of(struct mmtz_writer *m, const struct op *op, bool *is_new)
{
	u32 idx = tidmap_get(&m->tids, op->tid);
	*is_new = false;
	if (idx != TIDMAP_NONE && m->threads[idx].t.pid == op->pid)
		return idx;
	/* a new thread (or a tid reused by another process) */
	if (m->nr_threads == m->cap_threads) {
		m->cap_threads = m->cap_threads ? 2 * m->cap_threads : 16;
		m->threads = xrealloc(m->threads, m->cap_threads * sizeof(*m->threads));
	}
	idx = m->nr_threads++;
	struct wthread *t = &m->threads[idx];
	memset(t, 0, sizeof(*t));
	t->gen = UINT64_MAX;
	t->t.pid = op->pid;
	t->t.tid = op->tid;
	t->t.first_rec = m->nr_records;
	u32 parent = tidmap_get(&m->forked, op->tid);
	t->t.parent = parent == TIDMAP_NONE ? MMTZ_NO_PARENT : parent;
	tidmap_set(&m->tids, op->tid, idx);
	*is_new = true;
	return idx;
}

static int mmtz_put(struct trace_writer *w, const struct op *op, char *err, size_t errlen)
{
	struct mmtz_writer *m = container_of(w, struct mmtz_writer, w);
	size_t pathlen = op->path ? strlen(op->path) : 0;

	if (op->type <= OP_NONE || op->type >= NR_OP_TYPES || op->type > MMTZ_TAG_TYPE) {
		snprintf(err, errlen, "%s: op of unknown type %d", m->path, (int)op->type);
		return -1;
	}
	if (pathlen > MMT_MAX_PATH) {
		snprintf(err, errlen, "%s: path longer than %d bytes", m->path, MMT_MAX_PATH);
		return -1;
	}
	if (m->raw_len + MMTZ_MAX_RECORD > MMTZ_MAX_RAW || m->raw_len >= MMTZ_BLOCK_TARGET)
		if (flush_block(m, err, errlen) < 0)
			return -1;
	bool is_new;
	u32 ti = thread_of(m, op, &is_new);
	struct wthread *t = &m->threads[ti];
	u64 gen = m->nr_blocks;
	if (t->gen != gen) {
		t->gen = gen;
		t->prev_time = t->prev_addr = t->prev_line = 0;
	}
	u8 *p = m->raw + m->raw_len;
	u8 tag = (u8)op->type;
	if (is_new)
		tag |= MMTZ_TAG_NEW_THREAD;
	else if (ti == m->prev_thread)
		tag |= MMTZ_TAG_SAME_THREAD;
	*p++ = tag;
	if (is_new) {
		p = mmtz_put_varint(p, op->pid);
		p = mmtz_put_varint(p, op->tid);
	} else if (ti != m->prev_thread) {
		p = mmtz_put_varint(p, ti);
	}
	u64 mask = 0;
	if (op->time_ns != t->prev_time)
		mask |= 1u << MMTZ_F_TIME;
	if (op->think_ns)
		mask |= 1u << MMTZ_F_THINK;
	if (op->ret != OP_RET_NONE)
		mask |= 1u << MMTZ_F_RET;
	if (op->addr)
		mask |= 1u << MMTZ_F_ADDR;
	if (op->len)
		mask |= 1u << MMTZ_F_LEN;
	if (op->addr2)
		mask |= 1u << MMTZ_F_ADDR2;
	if (op->len2)
		mask |= 1u << MMTZ_F_LEN2;
	if (op->off)
		mask |= 1u << MMTZ_F_OFF;
	if (op->nodemask)
		mask |= 1u << MMTZ_F_NODEMASK;
	if (op->id)
		mask |= 1u << MMTZ_F_ID;
	if (op->ns)
		mask |= 1u << MMTZ_F_NS;
	if (op->prot)
		mask |= 1u << MMTZ_F_PROT;
	if (op->flags)
		mask |= 1u << MMTZ_F_FLAGS;
	if (op->arg)
		mask |= 1u << MMTZ_F_ARG;
	if (op->fd != -1)
		mask |= 1u << MMTZ_F_FD;
	if (op->node != -1)
		mask |= 1u << MMTZ_F_NODE;
	if (op->path)
		mask |= 1u << MMTZ_F_PATH;
	if (op->src_line)
		mask |= 1u << MMTZ_F_LINE;
	p = mmtz_put_varint(p, mask);
	if (mask & (1u << MMTZ_F_TIME)) {
		p = mmtz_put_varint(p, mmtz_zigzag((s64)(op->time_ns - t->prev_time)));
		t->prev_time = op->time_ns;
	}
	if (op->think_ns)
		p = mmtz_put_varint(p, op->think_ns);
	if (op->ret != OP_RET_NONE)
		p = mmtz_put_varint(p, mmtz_zigzag(op->ret));
	if (op->addr) {
		p = mmtz_put_varint(p, mmtz_zigzag((s64)(op->addr - t->prev_addr)));
		t->prev_addr = op->addr;
	}
	if (op->len)
		p = mmtz_put_varint(p, op->len);
	if (op->addr2)
		p = mmtz_put_varint(p, op->addr2);
	if (op->len2)
		p = mmtz_put_varint(p, op->len2);
	if (op->off)
		p = mmtz_put_varint(p, op->off);
	if (op->nodemask)
		p = mmtz_put_varint(p, op->nodemask);
	if (op->id)
		p = mmtz_put_varint(p, op->id);
	if (op->ns)
		p = mmtz_put_varint(p, op->ns);
	if (op->prot)
		p = mmtz_put_varint(p, op->prot);
	if (op->flags)
		p = mmtz_put_varint(p, op->flags);
	if (op->arg)
		p = mmtz_put_varint(p, op->arg);
	if (op->fd != -1)
		p = mmtz_put_varint(p, mmtz_zigzag(op->fd));
	if (op->node != -1)
		p = mmtz_put_varint(p, mmtz_zigzag(op->node));
	if (op->path) {
		p = mmtz_put_varint(p, pathlen);
		memcpy(p, op->path, pathlen);
		p += pathlen;
	}
	if (op->src_line) {
		p = mmtz_put_varint(p, mmtz_zigzag((s64)(op->src_line - t->prev_line)));
		t->prev_line = op->src_line;
	}
	m->raw_len = (size_t)(p - m->raw);
	m->prev_thread = ti;
	m->blk_recs++;
	m->blk_mask |= 1ULL << (ti % 64);
	if (op->type == OP_FORK || op->type == OP_CLONE)
		if (op->id && op->id <= UINT32_MAX)
			tidmap_set(&m->forked, (u32)op->id, ti);
	t->t.last_rec = m->nr_records;
	t->t.nr_recs++;
	if (!m->nr_records || op->time_ns < m->first_time)
		m->first_time = op->time_ns;
	if (op->time_ns > m->last_time)
		m->last_time = op->time_ns;
	m->nr_records++;
	return 0;
}

static void header_bytes(struct mmtz_writer *m, u8 *h, u64 index_off)
{
	memset(h, 0, MMTZ_HEADER_LEN);
	memcpy(h, MMTZ_MAGIC, MMTZ_MAGIC_LEN);
	h[8] = MMT_VERSION;
	h[10] = MMTZ_HEADER_LEN;
	mmtz_put_le32(h + 12, m->page_size);
	mmtz_put_le64(h + 16, index_off);
	mmtz_put_le32(h + 28, (u32)crc32(0L, h, 28));
}

static void mmtz_free(struct mmtz_writer *m)
{
	trace_tmp_untrack(m->tmp);
	if (m->z_ok)
		deflateEnd(&m->z);
	free(m->raw);
	free(m->comp);
	free(m->threads);
	free(m->blocks);
	tidmap_free(&m->tids);
	tidmap_free(&m->forked);
	free(m->path);
	free(m->tmp);
	free(m);
}

static int write_index(struct mmtz_writer *m, char *err, size_t errlen)
{
	u64 index_off = m->off;
	u8 h[MMTZ_INDEX_HDR_LEN], e[MMTZ_INDEX_THREAD_LEN];
	memset(h, 0, sizeof(h));
	memcpy(h, MMTZ_INDEX_MAGIC, 4);
	mmtz_put_le32(h + 4, m->nr_threads);
	mmtz_put_le32(h + 8, m->nr_blocks);
	mmtz_put_le64(h + 16, m->nr_records);
	mmtz_put_le64(h + 24, m->first_time);
	mmtz_put_le64(h + 32, m->last_time);
	uLong crc = crc32(0L, h, sizeof(h));
	if (write_all(m, h, sizeof(h), err, errlen) < 0)
		return -1;
	for (u32 i = 0; i < m->nr_threads; i++) {
		const struct mmtz_thread *t = &m->threads[i].t;
		memset(e, 0, sizeof(e));
		mmtz_put_le32(e, t->pid);
		mmtz_put_le32(e + 4, t->tid);
		mmtz_put_le32(e + 8, t->parent);
		mmtz_put_le64(e + 16, t->first_rec);
		mmtz_put_le64(e + 24, t->last_rec);
		mmtz_put_le64(e + 32, t->nr_recs);
		crc = crc32(crc, e, MMTZ_INDEX_THREAD_LEN);
		if (write_all(m, e, MMTZ_INDEX_THREAD_LEN, err, errlen) < 0)
			return -1;
	}
	for (u32 i = 0; i < m->nr_blocks; i++) {
		const struct mmtz_block *b = &m->blocks[i];
		mmtz_put_le64(e, b->offset);
		mmtz_put_le64(e + 8, b->first_rec);
		mmtz_put_le32(e + 16, b->nr_recs);
		mmtz_put_le32(e + 20, b->raw_len);
		mmtz_put_le64(e + 24, b->thread_mask);
		crc = crc32(crc, e, MMTZ_INDEX_BLOCK_LEN);
		if (write_all(m, e, MMTZ_INDEX_BLOCK_LEN, err, errlen) < 0)
			return -1;
	}
	u8 c[4];
	mmtz_put_le32(c, (u32)crc);
	if (write_all(m, c, 4, err, errlen) < 0)
		return -1;
	/* point the header at the index */
	header_bytes(m, h, index_off);
	if (fseeko(m->f, 0, SEEK_SET) != 0 || fwrite(h, 1, MMTZ_HEADER_LEN, m->f) != MMTZ_HEADER_LEN)
		return werr(m, err, errlen, "write error");
	return 0;
}

static int mmtz_finish(struct trace_writer *w, char *err, size_t errlen)
{
	struct mmtz_writer *m = container_of(w, struct mmtz_writer, w);
	int rc = flush_block(m, err, errlen);
	if (rc == 0)
		rc = write_index(m, err, errlen);
	if (fclose(m->f) != 0 && rc == 0)
		rc = werr(m, err, errlen, "write error");
	if (rc == 0 && rename(m->tmp, m->path) != 0)
		rc = werr(m, err, errlen, "cannot rename the temporary file");
	if (rc)
		unlink(m->tmp);
	mmtz_free(m);
	return rc;
}

static void mmtz_abort(struct trace_writer *w)
{
	struct mmtz_writer *m = container_of(w, struct mmtz_writer, w);
	fclose(m->f);
	unlink(m->tmp);
	mmtz_free(m);
}

struct trace_writer *mmtz_writer_create(const char *path, u32 page_size, char *err, size_t errlen)
{
	struct mmtz_writer *m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	m->page_size = page_size ? page_size : 4096;
	m->raw = xmalloc(MMTZ_MAX_RAW);
	m->comp_cap = compressBound(MMTZ_MAX_RAW);
	m->comp = xmalloc(m->comp_cap);
	m->prev_thread = TIDMAP_NONE;
	if (deflateInit(&m->z, 6) != Z_OK) {
		snprintf(err, errlen, "%s: zlib deflateInit failed", path);
		mmtz_free(m);
		return NULL;
	}
	m->z_ok = true;
	m->f = trace_tmp_create(path, &m->tmp, err, errlen);
	if (!m->f) {
		mmtz_free(m);
		return NULL;
	}
	u8 h[MMTZ_HEADER_LEN];
	header_bytes(m, h, 0);
	if (write_all(m, h, sizeof(h), err, errlen) < 0) {
		mmtz_abort(&m->w);
		return NULL;
	}
	m->w.put = mmtz_put;
	m->w.finish = mmtz_finish;
	m->w.abort = mmtz_abort;
	return &m->w;
}
