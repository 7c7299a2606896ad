/* file_writer.c - streaming writers of regular files (issue 16): they dirty pages faster
 * than the block device writes them, so the flusher's background writeback and
 * balance_dirty_pages throttling (mm/writeback.h) set their pace. One process per
 * instance; each thread T:
 *
 *   - opens its own file /data/<workload name>.<T> (fd 3 + T);
 *   - `passes` times, writes it from offset 0 to `file_size` in `write_size` calls
 *     (OP_WRITE at explicit offsets; a second pass rewrites the pages, dirty or already
 *     written back), with `think` of CPU time before every write but the first, and an
 *     fsync after every `fsync_every` writes (0: none);
 *   - with `fsync_at_end`, fsyncs the file once more after the last write; with
 *     `unlink_at_end`, closes and unlinks it (its page cache goes).
 *
 * Ops per thread: 1 open + passes * ceil(file_size / write_size) writes (+ computes with
 * think, + fsyncs) (+ 1 fsync) (+ close and unlink). */
#include <stdio.h>
#include <stdlib.h>

#include "config/scenario.h"
#include "engine/rng.h"
#include "uapi.h"
#include "workloads/workload.h"

struct file_writer_params {
	u64 file_size, write_size;
	unsigned passes;
	unsigned fsync_every;
	bool fsync_at_end, unlink_at_end;
	u64 think_ns;
};

static const struct knob params[] = {
	KNOB_SIZE_OF(struct file_writer_params, "file_size", file_size, PAGE_SIZE, 1ULL << 40,
		     "64MiB", "bytes each thread writes to its file per pass"),
	KNOB_SIZE_OF(struct file_writer_params, "write_size", write_size, 1, 1ULL << 30, "1MiB",
		     "bytes of one write call"),
	KNOB_UINT_OF(struct file_writer_params, "passes", passes, 1, 1000000, "1",
		     "times the file is written from its start"),
	KNOB_UINT_OF(struct file_writer_params, "fsync_every", fsync_every, 0, 1u << 30, "0",
		     "an fsync after every n writes; 0 = none"),
	KNOB_BOOL_OF(struct file_writer_params, "fsync_at_end", fsync_at_end, "false",
		     "fsync the file after the last write"),
	KNOB_BOOL_OF(struct file_writer_params, "unlink_at_end", unlink_at_end, "false",
		     "close and unlink the file at the end (its page cache goes)"),
	KNOB_TIME_OF(struct file_writer_params, "think", think_ns, 0, 10 * NSEC_PER_SEC, "0ns",
		     "CPU time before every write but the first"),
};

static const struct knob_table table = { "file_writer parameter", params, ARRAY_SIZE(params) };

enum fw_phase { FW_OPEN, FW_WRITE, FW_THINK_DONE, FW_FSYNC_END, FW_CLOSE, FW_UNLINK, FW_END };

struct file_writer_gen {
	struct op_source src;
	struct file_writer_params p;
	char path[96];
	s32 fd;
	u64 off;                 /* next write's offset in the current pass */
	unsigned pass;
	u64 writes;              /* writes done */
	bool fsync_due;
	enum fw_phase phase;
};

static int fw_next(struct op_source *src, struct op *op)
{
	struct file_writer_gen *g = container_of(src, struct file_writer_gen, src);
	const struct file_writer_params *p = &g->p;
	for (;;) {
		switch (g->phase) {
		case FW_OPEN:
			op_init(op, OP_OPEN);
			op->path = g->path;
			op->flags = 0102;        /* O_RDWR | O_CREAT */
			op->ret = g->fd;
			g->phase = FW_WRITE;
			return 1;
		case FW_WRITE:
			if (g->fsync_due) {
				g->fsync_due = false;
				op_init(op, OP_FSYNC);
				op->fd = g->fd;
				return 1;
			}
			if (g->off >= p->file_size) {
				g->off = 0;
				if (++g->pass == p->passes) {
					g->phase = FW_FSYNC_END;
					break;
				}
			}
			if (p->think_ns && g->writes) {
				op_init(op, OP_COMPUTE);
				op->ns = p->think_ns;
				g->phase = FW_THINK_DONE;
				return 1;
			}
			/* fall through */
		case FW_THINK_DONE:
			op_init(op, OP_WRITE);
			op->fd = g->fd;
			op->off = g->off;
			op->len = min(p->write_size, p->file_size - g->off);
			g->off += op->len;
			g->writes++;
			g->fsync_due = p->fsync_every && g->writes % p->fsync_every == 0;
			g->phase = FW_WRITE;
			return 1;
		case FW_FSYNC_END:
			g->phase = FW_CLOSE;
			if (p->fsync_at_end) {
				op_init(op, OP_FSYNC);
				op->fd = g->fd;
				return 1;
			}
			break;
		case FW_CLOSE:
			if (!p->unlink_at_end) {
				g->phase = FW_END;
				break;
			}
			op_init(op, OP_CLOSE);
			op->fd = g->fd;
			g->phase = FW_UNLINK;
			return 1;
		case FW_UNLINK:
			op_init(op, OP_UNLINK);
			op->path = g->path;
			g->phase = FW_END;
			return 1;
		case FW_END:
			return 0;
		}
	}
}

static void fw_close(struct op_source *src)
{
	free(container_of(src, struct file_writer_gen, src));
}

static const struct op_source_ops fw_ops = {
	.next = fw_next,
	.close = fw_close,
};

static struct op_source *fw_create(const struct workload_cfg *w, unsigned instance_idx,
				   unsigned thread, u64 seed)
{
	(void)instance_idx;
	(void)seed;
	struct file_writer_gen *g = xcalloc(1, sizeof(*g));
	g->p = *(const struct file_writer_params *)w->params;
	g->src.ops = &fw_ops;
	g->src.name = w->name;
	g->fd = (s32)(3 + thread);
	snprintf(g->path, sizeof(g->path), "/data/%s.%u", w->name, thread);
	g->phase = FW_OPEN;
	return &g->src;
}

const struct workload_type file_writer_type = {
	.schema = { .type = "file_writer",
		    .doc = "streaming writers of regular files, paced by background writeback and "
			   "dirty throttling (optionally fsyncing)",
		    .params = &table,
		    .params_size = sizeof(struct file_writer_params) },
	.create = fw_create,
};
