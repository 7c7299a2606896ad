/* fuzz_common.c - temporary files and input splitting for the fuzz targets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "traces/mmt.h"

static char paths[FUZZ_MAX_PARTS][256];

static void fuzz_cleanup(void)
{
	for (unsigned i = 0; i < FUZZ_MAX_PARTS; i++)
		if (paths[i][0])
			unlink(paths[i]);
}

const char *fuzz_file(unsigned slot, const char *suffix, const uint8_t *data, size_t size)
{
	static int registered;
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	if (!registered) {
		atexit(fuzz_cleanup);
		registered = 1;
	}
	if (paths[slot][0])
		unlink(paths[slot]);
	snprintf(paths[slot], sizeof(paths[slot]), "%s/mmsim-fuzz-%d-%u%s", dir, (int)getpid(),
		 slot, suffix);
	FILE *f = fopen(paths[slot], "wb");
	if (!f) {
		perror(paths[slot]);
		abort();
	}
	if (size && fwrite(data, 1, size, f) != size) {
		perror(paths[slot]);
		abort();
	}
	fclose(f);
	return paths[slot];
}

unsigned fuzz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len,
		    unsigned max)
{
	const size_t seplen = strlen(FUZZ_SEP);
	unsigned n = 0;
	size_t start = 0;
	for (size_t i = 0; n + 1 < max && i + seplen <= size; i++) {
		if (memcmp(data + i, FUZZ_SEP, seplen))
			continue;
		part[n] = data + start;
		len[n++] = i + 1 - start;       /* keep the part's last newline */
		start = i + seplen;
		i = start - 1;
	}
	part[n] = data + start;
	len[n++] = size - start;
	return n;
}

void fuzz_drain_trace(const char *path, int kind, const struct trace_import_opts *opts)
{
	char err[4096];
	struct trace_reader *r = trace_reader_open(path, (enum trace_kind)kind, opts, err,
						   sizeof(err));
	if (!r)
		return;
	struct op op;
	while (trace_reader_next(r, &op) > 0)
		;
	(void)trace_reader_info(r);
	trace_reader_close(r);
}
