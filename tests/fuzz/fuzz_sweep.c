/* fuzz_sweep.c - the sweep file reader of `mmsim sweep` (base, set, points, matrix, zip,
 * seeds expanded into points). */
#include "fuzz_common.h"
#include "config/diag.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, ".yaml", data, size);
	struct diag *d = diag_create();
	sweep_parse_file(path, d);
	diag_destroy(d);
	return 0;
}
