/* outdir.c - the output directory: files appear under their final name only when
 * complete (written to a temporary name, then renamed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/outdir.h"

struct pending {
	FILE *f;
	char *tmp;                /* full path of the temporary file */
	char *final;              /* full path of the final name */
};

struct outdir {
	char *path;
	struct pending *open;
	size_t nr, cap;
	mode_t mode;              /* 0666 & ~umask */
};

/* The outdir whose temporary files a second signal removes (one at a time), and a flag
 * that keeps the handler off the list while it is being changed. */
static struct outdir *volatile signal_od;
static volatile sig_atomic_t pending_busy;

void outdir_unlink_pending(void)
{
	struct outdir *od = signal_od;
	if (!od || pending_busy)
		return;
	for (size_t i = 0; i < od->nr; i++)
		unlink(od->open[i].tmp);
}

static int mkdir_p(const char *path, char *err, size_t errlen)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	struct stat st;
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a directory", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* Remove the files listed in an earlier run's manifest (names relative to the dir, one
 * per line, never absolute or with ".."), then subdirectories they leave empty. */
static int remove_previous_run(const char *path, char *err, size_t errlen)
{
	char *mpath = xasprintf("%s/%s", path, OUTDIR_MANIFEST);
	FILE *m = fopen(mpath, "r");
	if (!m) {
		int e = errno;
		free(mpath);
		if (e == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s/%s: %s", path, OUTDIR_MANIFEST, strerror(e));
		return -1;
	}
	char line[4096];
	while (fgets(line, sizeof(line), m)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line || line[0] == '/' || strstr(line, ".."))
			continue;
		char *f = xasprintf("%s/%s", path, line);
		unlink(f);
		char *slash = strrchr(f, '/');
		if (slash > f + strlen(path)) {
			*slash = 0;
			rmdir(f);             /* fails while other files remain: fine */
		}
		free(f);
	}
	fclose(m);
	unlink(mpath);
	free(mpath);
	return 0;
}

int outdir_prepare(const char *path, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "empty output directory name");
		return -1;
	}
	if (mkdir_p(path, err, errlen) < 0)
		return -1;
	char *probe = xasprintf("%s/.mmsim-probe.XXXXXX", path);
	int fd = mkstemp(probe);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create files in output directory %s: %s", path,
			 strerror(errno));
		free(probe);
		return -1;
	}
	close(fd);
	unlink(probe);
	free(probe);
	return remove_previous_run(path, err, errlen);
}

struct outdir *outdir_create(const char *path, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "empty output directory name");
		return NULL;
	}
	if (mkdir_p(path, err, errlen) < 0)
		return NULL;
	struct outdir *od = xcalloc(1, sizeof(*od));
	od->path = xstrdup(path);
	mode_t um = umask(0);
	umask(um);
	od->mode = 0666 & ~um;
	signal_od = od;
	return od;
}

/* Append a committed file's name to the manifest, so the next run into this directory
 * can remove it. */
static void manifest_add(struct outdir *od, const char *final)
{
	char *mpath = xasprintf("%s/%s", od->path, OUTDIR_MANIFEST);
	FILE *m = fopen(mpath, "a");
	if (m) {
		fprintf(m, "%s\n", final + strlen(od->path) + 1);
		fclose(m);
	}
	free(mpath);
}

const char *outdir_path(const struct outdir *od)
{
	return od->path;
}

FILE *outdir_open(struct outdir *od, const char *name)
{
	char *final = xasprintf("%s/%s", od->path, name);
	const char *slash = strrchr(name, '/');
	if (slash) {
		char *sub = xasprintf("%s/%.*s", od->path, (int)(slash - name), name);
		char err[256];
		int rc = mkdir_p(sub, err, sizeof(err));
		free(sub);
		if (rc < 0) {
			fprintf(stderr, "mmsim: %s\n", err);
			free(final);
			return NULL;
		}
	}
	char *tmp = xasprintf("%s.tmp.XXXXXX", final);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "mmsim: cannot create %s: %s\n", final, strerror(errno));
		free(tmp);
		free(final);
		return NULL;
	}
	fchmod(fd, od->mode);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		free(final);
		return NULL;
	}
	pending_busy = 1;
	if (od->nr == od->cap) {
		od->cap = od->cap ? od->cap * 2 : 8;
		od->open = xrealloc(od->open, od->cap * sizeof(*od->open));
	}
	od->open[od->nr++] = (struct pending){ f, tmp, final };
	pending_busy = 0;
	return f;
}

static struct pending *find_pending(struct outdir *od, FILE *f)
{
	for (size_t i = 0; i < od->nr; i++)
		if (od->open[i].f == f)
			return &od->open[i];
	return NULL;
}

static void drop_pending(struct outdir *od, struct pending *p)
{
	pending_busy = 1;
	free(p->tmp);
	free(p->final);
	*p = od->open[--od->nr];
	pending_busy = 0;
}

int outdir_commit(struct outdir *od, FILE *f)
{
	struct pending *p = find_pending(od, f);
	if (!p)
		return -1;
	int rc = 0;
	if (ferror(f) | (fflush(f) != 0)) {
		fprintf(stderr, "mmsim: write error on %s: %s\n", p->final, strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && !rc) {
		fprintf(stderr, "mmsim: write error on %s: %s\n", p->final, strerror(errno));
		rc = -1;
	}
	if (!rc && rename(p->tmp, p->final) < 0) {
		fprintf(stderr, "mmsim: cannot rename %s to %s: %s\n", p->tmp, p->final,
			strerror(errno));
		rc = -1;
	}
	if (rc)
		unlink(p->tmp);
	else
		manifest_add(od, p->final);
	drop_pending(od, p);
	return rc;
}

void outdir_abort(struct outdir *od, FILE *f)
{
	struct pending *p = find_pending(od, f);
	if (!p)
		return;
	fclose(f);
	unlink(p->tmp);
	drop_pending(od, p);
}

int outdir_write(struct outdir *od, const char *name, void (*fn)(FILE *f, void *arg), void *arg)
{
	FILE *f = outdir_open(od, name);
	if (!f)
		return -1;
	fn(f, arg);
	return outdir_commit(od, f);
}

void outdir_destroy(struct outdir *od)
{
	if (!od)
		return;
	while (od->nr)
		outdir_abort(od, od->open[0].f);
	if (signal_od == od)
		signal_od = NULL;
	free(od->open);
	free(od->path);
	free(od);
}
