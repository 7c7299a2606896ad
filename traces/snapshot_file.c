/* snapshot_file.c - names and paths of the snapshot files. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "traces/snapshot_file.h"

static const char *const snap_paths[NR_SNAPSHOT_FILES] = {
#define SNAPSHOT_PATH(e, path, name) [SNAPSHOT_##e] = path,
	SNAPSHOT_FILES(SNAPSHOT_PATH)
#undef SNAPSHOT_PATH
};

static const char *const snap_names[NR_SNAPSHOT_FILES] = {
#define SNAPSHOT_NAME(e, path, name) [SNAPSHOT_##e] = name,
	SNAPSHOT_FILES(SNAPSHOT_NAME)
#undef SNAPSHOT_NAME
};

const char *snapshot_file_name(u32 f)
{
	return f < NR_SNAPSHOT_FILES ? snap_names[f] : NULL;
}

const char *snapshot_file_path(u32 f)
{
	return f < NR_SNAPSHOT_FILES ? snap_paths[f] : NULL;
}

int snapshot_file_from_name(const char *name)
{
	for (int i = 0; i < NR_SNAPSHOT_FILES; i++)
		if (!strcmp(snap_names[i], name))
			return i;
	return -1;
}

int snapshot_file_from_path(const char *path)
{
	char norm[256];
	/* /proc/PID/x and /proc/thread-self/x -> /proc/self/x */
	if (!strncmp(path, "/proc/", 6)) {
		const char *p = path + 6, *q = p;
		while (isdigit((unsigned char)*q))
			q++;
		if (q > p && *q == '/') {
			snprintf(norm, sizeof(norm), "/proc/self%s", q);
			path = norm;
		} else if (!strncmp(p, "thread-self/", 12)) {
			snprintf(norm, sizeof(norm), "/proc/self/%s", p + 12);
			path = norm;
		}
	}
	for (int i = 0; i < NR_SNAPSHOT_FILES; i++)
		if (!strcmp(snap_paths[i], path))
			return i;
	return -1;
}
