/* fuzz_mmtz.c - the mmtz trace reader: every op of the input until its end or error; then
 * the input read again the way a replay reads it, with the touch runs
 * (mmtz_cursor_touches after every touch), against mmtz_cursor_next alone: any
 * difference of op, thread, record number, result or message aborts. */
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "traces/mmt.h"
#include "traces/mmtz_format.h"

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

static void runs_like_next(struct mmtz_file *mf, u32 only)
{
	char err[512];
	struct mmtz_cursor *a = mmtz_cursor_create(mf, 0, only, err, sizeof(err));
	struct mmtz_cursor *b = mmtz_cursor_create(mf, 0, only, err, sizeof(err));
	if (!a || !b)
		abort();
	struct op_touch run[5];
	u32 nrun = 0, irun = 0, tb = 0;
	u64 rb = 0, first = 0;
	bool in_run = false;
	struct op ob;
	op_init(&ob, OP_NONE);
	for (;;) {
		struct op oa;
		u32 ta;
		u64 ra;
		int rca = mmtz_cursor_next(a, &oa, &ta, &ra), rcb = 1;
		if (irun == nrun && in_run) {
			u64 last = 0;
			nrun = mmtz_cursor_touches(b, run, 5, &last);
			irun = 0;
			first = last + 1 - nrun;
		}
		if (irun < nrun) {
			op_from_touch(&ob, &run[irun]);
			rb = first + irun++;
		} else {
			rcb = mmtz_cursor_next(b, &ob, &tb, &rb);
			in_run = rcb > 0 && ob.type == OP_TOUCH;
			nrun = irun = 0;
		}
		if (rca != rcb)
			abort();
		if (rca < 0 && strcmp(mmtz_cursor_error(a), mmtz_cursor_error(b)))
			abort();
		if (rca <= 0)
			break;
		if (!same_op(&oa, &ob) || ta != tb || ra != rb)
			abort();
	}
	mmtz_cursor_destroy(a);
	mmtz_cursor_destroy(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, ".mmtz", data, size);
	struct trace_import_opts opts = { 0 };
	fuzz_drain_trace(path, TRACE_KIND_MMTZ, &opts);
	char err[512];
	struct mmtz_file *mf = mmtz_file_open(path, err, sizeof(err));
	if (!mf)
		return 0;
	runs_like_next(mf, MMTZ_ALL_THREADS);
	for (u32 t = 0; t < mf->nr_threads && t < 4; t++)
		runs_like_next(mf, t);
	mmtz_file_put(mf);
	return 0;
}
