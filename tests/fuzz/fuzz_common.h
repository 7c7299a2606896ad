/* fuzz_common.h - shared by the libFuzzer targets tests/fuzz/fuzz_*.c: the readers take
 * paths, so an input is written to a private temporary file first; inputs of targets
 * that read several files are split at a line "%%" (FUZZ_SEP). */
#ifndef MMSIM_FUZZ_COMMON_H
#define MMSIM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_SEP "\n%%\n"
#define FUZZ_MAX_PARTS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to temporary file number slot (0..FUZZ_MAX_PARTS-1) of this process with the
 * given suffix; returns its path (static storage, valid until the next call for slot). */
const char *fuzz_file(unsigned slot, const char *suffix, const uint8_t *data, size_t size);

/* Split data at FUZZ_SEP into at most max parts (the last keeps any further separators).
 * Returns the number of parts (>= 1). */
unsigned fuzz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len,
		    unsigned max);

/* Drain a trace reader of the given path/kind: every op until the end or an error. */
struct trace_import_opts;
void fuzz_drain_trace(const char *path, int kind, const struct trace_import_opts *opts);

#endif
