/* fuzz_perf.c - a strace -ttt log with the page faults of a `perf script` log and the
 * observed samples of `mmsim record` (import_perf.c): parts strace, perf, observed
 * separated by lines "%%" (no third part: no observed file). */
#include "fuzz_common.h"
#include "traces/mmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3];
	size_t len[3];
	unsigned n = fuzz_split(data, size, part, len, 3);
	const char *st = fuzz_file(0, ".strace", part[0], len[0]);
	struct trace_import_opts opts = { 0 };
	opts.perf_faults = fuzz_file(1, ".perf", n > 1 ? part[1] : part[0], n > 1 ? len[1] : 0);
	if (n > 2)
		opts.observed = fuzz_file(2, ".observed", part[2], len[2]);
	fuzz_drain_trace(st, TRACE_KIND_STRACE, &opts);
	return 0;
}
