/* replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput once on each file named on
 * the command line (directories: each file in them), without libFuzzer: how ctest replays
 * the regression inputs and seeds of tests/fuzz/ in every build, sanitized or not. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz_common.h"

static unsigned nr_run;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *buf = malloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	nr_run++;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	DIR *d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	char **names = NULL;
	size_t nr = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (nr + 1) * sizeof(*names));
		names[nr] = malloc(strlen(path) + strlen(e->d_name) + 2);
		sprintf(names[nr++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (nr)   /* an empty folder: no array to sort (qsort of NULL is undefined) */
		qsort(names, nr, sizeof(*names), cmp);
	int rc = 0;
	for (size_t i = 0; i < nr; i++) {
		rc |= run_path(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i]);
	printf("%u inputs replayed\n", nr_run);
	return rc ? 1 : 0;
}
