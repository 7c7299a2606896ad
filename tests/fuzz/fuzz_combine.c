/* fuzz_combine.c - a strace log combined with the lackey log of the same run (combine.c):
 * the input is the strace part, a line "%%", then the lackey part. */
#include "fuzz_common.h"
#include "traces/mmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[2];
	size_t len[2];
	unsigned n = fuzz_split(data, size, part, len, 2);
	const char *st = fuzz_file(0, ".strace", part[0], len[0]);
	struct trace_import_opts opts = { 0 };
	opts.lackey_touches = fuzz_file(1, ".lackey", n > 1 ? part[1] : part[0], n > 1 ? len[1] : 0);
	fuzz_drain_trace(st, TRACE_KIND_STRACE, &opts);
	return 0;
}
