/* outdir.c - the output directory: files appear under their final name only when
 * complete (written to a temporary name, then renamed). */
#include <errno.h>
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
};

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
	return od;
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
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		free(final);
		return NULL;
	}
	if (od->nr == od->cap) {
		od->cap = od->cap ? od->cap * 2 : 8;
		od->open = xrealloc(od->open, od->cap * sizeof(*od->open));
	}
	od->open[od->nr++] = (struct pending){ f, tmp, final };
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
	free(p->tmp);
	free(p->final);
	*p = od->open[--od->nr];
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
	free(od->open);
	free(od->path);
	free(od);
}
