/* fuzz_strace.c - the strace trace reader: every op of the input until its end or error. */
#include "fuzz_common.h"
#include "traces/mmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, ".strace", data, size);
	struct trace_import_opts opts = { 0 };
	fuzz_drain_trace(path, TRACE_KIND_STRACE, &opts);
	return 0;
}
