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

bool snapshot_file_per_node(u32 f)
{
	return f == SNAPSHOT_NUMASTAT || f == SNAPSHOT_NODE_MEMINFO || f == SNAPSHOT_NODE_VMSTAT;
}

/* "/sys/devices/system/node/node<digits>/<rest>": the node, and rest in *rest; -1 else. */
static s32 sysfs_node_path(const char *path, const char **rest)
{
	static const char dir[] = "/sys/devices/system/node/node";
	if (strncmp(path, dir, sizeof(dir) - 1))
		return -1;
	const char *p = path + sizeof(dir) - 1;
	long n = 0;
	if (!isdigit((unsigned char)*p) || (*p == '0' && isdigit((unsigned char)p[1])))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > 1 << 20)
			return -1;
	}
	if (*p != '/')
		return -1;
	*rest = p + 1;
	return (s32)n;
}

int snapshot_file_from_path(const char *path)
{
	s32 node;
	return snapshot_file_from_path_node(path, &node);
}

int snapshot_file_from_path_node(const char *path, s32 *node)
{
	char norm[256];
	const char *rest;
	*node = -1;
	s32 n = sysfs_node_path(path, &rest);
	if (n >= 0) {
		/* the per-node files: "nodeN/" then the same name */
		for (int i = 0; i < NR_SNAPSHOT_FILES; i++) {
			const char *slash = strrchr(snap_paths[i], '/');
			if (snapshot_file_per_node((u32)i) && !strcmp(slash + 1, rest)) {
				*node = n;
				return i;
			}
		}
		return -1;
	}
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
		if (!snapshot_file_per_node((u32)i) && !strcmp(snap_paths[i], path))
			return i;
	return -1;
}
