/* fuzz_mmt.c - the mmt trace reader: every op of the input until its end or error. */
#include "fuzz_common.h"
#include "traces/mmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, ".mmt", data, size);
	struct trace_import_opts opts = { 0 };
	fuzz_drain_trace(path, TRACE_KIND_MMT, &opts);
	return 0;
}
