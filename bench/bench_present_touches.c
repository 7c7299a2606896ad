/* bench_present_touches.c - writes the .mmtz trace of the "replay of touches of present
 * pages" figure: one thread maps SIZE bytes, touches every page once (the faults), then
 * touches its pages again in address order, cycling, until N touch records in all (each
 * a 4 KiB read or write of a present page), then unmaps. Usage:
 * bench_present_touches OUT.mmtz N [SIZE_MIB] */
#include <stdio.h>
#include <stdlib.h>

#include "traces/mmt.h"

static void put(struct trace_writer *w, struct op *op, u64 *t)
{
	char err[512];
	op->time_ns = *t;        /* no think time: the replay is CPU-bound, as a hot loop */
	op->think_ns = 0;
	op->pid = 1000;
	op->tid = 1000;
	if (trace_writer_put(w, op, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_present_touches OUT.mmtz N [SIZE_MIB]\n");
		return 2;
	}
	u64 n = strtoull(argv[2], NULL, 0);
	u64 size = (argc > 3 ? strtoull(argv[3], NULL, 0) : 64) << 20;
	u64 base = 0x7f0000000000ULL, pages = size >> 12, t = 0;
	char err[512];
	struct trace_writer *w = trace_writer_create(argv[1], TRACE_KIND_MMTZ, 4096, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct op op;
	op_init(&op, OP_MMAP);
	op.len = size;
	op.prot = PROT_READ | PROT_WRITE;
	op.flags = MAP_PRIVATE | MAP_ANONYMOUS;
	op.ret = (s64)base;
	put(w, &op, &t);
	for (u64 k = 0; k < n; k++) {
		op_init(&op, OP_TOUCH);
		op.addr = base + (k % pages) * 4096;
		op.len = 4096;
		op.flags = (k < pages || (k & 3) == 0) ? TOUCH_WRITE : 0;
		put(w, &op, &t);
	}
	op_init(&op, OP_MUNMAP);
	op.addr = base;
	op.len = size;
	op.ret = 0;
	put(w, &op, &t);
	if (trace_writer_finish(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}
