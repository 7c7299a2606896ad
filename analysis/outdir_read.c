/* outdir_read.c - load an out dir's files for the analysis layer (see outdir_read.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/outdir_read.h"

static struct outdir_data *checked(const char *dir, char *path, struct jval *sum, char *err,
				   size_t errlen);

struct outdir_data *outdir_load(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory (an out dir of mmsim run)", dir);
		return NULL;
	}
	char *path = xasprintf("%s/summary.json", dir);
	struct jval *sum = jparse_file(path, err, errlen);
	if (!sum) {
		free(path);
		return NULL;
	}
	return checked(dir, path, sum, err, errlen);
}

struct outdir_data *outdir_from_text(const char *dir, const char *json, size_t len, char *err,
				     size_t errlen)
{
	char *path = xasprintf("%s/summary.json", dir);
	char e[256];
	struct jval *sum = jparse(json, len, e, sizeof(e));
	if (!sum) {
		snprintf(err, errlen, "%s: %s", path, e);
		free(path);
		return NULL;
	}
	return checked(dir, path, sum, err, errlen);
}

static struct outdir_data *checked(const char *dir, char *path, struct jval *sum, char *err,
				   size_t errlen)
{
	const struct jval *sv = jget(sum, "schema_version");
	if (!sv || sv->type != J_NUM || !sv->is_int || sv->i != OUTDIR_SCHEMA_VERSION) {
		char got[64];
		if (!sv)
			snprintf(got, sizeof(got), "missing");
		else
			jtext(sv, got, sizeof(got));
		snprintf(err, errlen, "%s: schema_version %s: this mmsim reads version %d "
			 "(rerun the scenario with this mmsim)", path, got, OUTDIR_SCHEMA_VERSION);
		jfree(sum);
		free(path);
		return NULL;
	}
	free(path);
	struct outdir_data *od = xcalloc(1, sizeof(*od));
	od->dir = xstrdup(dir);
	od->sum = sum;
	return od;
}

void outdir_free(struct outdir_data *od)
{
	if (!od)
		return;
	jfree(od->sum);
	free(od->dir);
	free(od);
}

char *outdir_text(const struct outdir_data *od, const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", od->dir, name);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Split one line into fields; "..." quotes a field (no escapes inside: mmsim writes none). */
static size_t split_line(char *line, char **out, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		char *start = p, *end;
		if (*p == '"') {
			start = ++p;
			while (*p && *p != '"')
				p++;
			end = p;
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',')
				p++;
			end = p;
		}
		char c = *p;
		*end = '\0';
		if (n < max)
			out[n] = start;
		n++;
		if (c != ',')
			break;
		p++;
	}
	return n;
}

struct csv_table *outdir_csv(const struct outdir_data *od, const char *name, char *err,
			     size_t errlen)
{
	err[0] = '\0';
	size_t len;
	char *text = outdir_text(od, name, &len);
	if (!text)
		return NULL;
	struct csv_table *t = xcalloc(1, sizeof(*t));
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	if (!line) {
		snprintf(err, errlen, "%s/%s: empty (no header line)", od->dir, name);
		free(text);
		free(t);
		return NULL;
	}
	char *tmp[1024];
	size_t nc = split_line(line, tmp, 1024);
	if (nc > 1024)
		nc = 1024;
	t->ncols = nc;
	t->head = xcalloc(nc, sizeof(char *));
	for (size_t i = 0; i < nc; i++)
		t->head[i] = xstrdup(tmp[i]);
	size_t cap = 0;
	unsigned lineno = 1;
	while ((line = strtok_r(NULL, "\n", &save))) {
		lineno++;
		char **f = xcalloc(nc + 1, sizeof(char *));
		size_t got = split_line(line, f, nc + 1);
		if (got != nc) {
			snprintf(err, errlen, "%s/%s: line %u: %zu fields, the header has %zu", od->dir,
				 name, lineno, got, nc);
			free(f);
			free(text);
			csv_free(t);
			return NULL;
		}
		if (t->nrows == cap) {
			cap = cap ? 2 * cap : 64;
			t->cell = xrealloc(t->cell, cap * nc * sizeof(char *));
		}
		for (size_t i = 0; i < nc; i++)
			t->cell[t->nrows * nc + i] = xstrdup(f[i]);
		t->nrows++;
		free(f);
	}
	free(text);
	return t;
}

void csv_free(struct csv_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->head);
	free(t->cell);
	free(t);
}

int csv_col(const struct csv_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->ncols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}

const char *csv_cell(const struct csv_table *t, size_t row, int col)
{
	if (!t || col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->cell[row * t->ncols + (size_t)col];
}

u64 csv_u64(const struct csv_table *t, size_t row, int col)
{
	return strtoull(csv_cell(t, row, col), NULL, 10);
}

double csv_num(const struct csv_table *t, size_t row, int col)
{
	return strtod(csv_cell(t, row, col), NULL);
}

s64 sum_int(const struct jval *v, const char *path, s64 def)
{
	const struct jval *x = jpath(v, path);
	if (!x || x->type != J_NUM)
		return def;
	return x->is_int ? x->i : (s64)x->num;
}

const char *sum_str(const struct jval *v, const char *path)
{
	const struct jval *x = jpath(v, path);
	return x && x->type == J_STR ? x->str : "";
}

u64 sum_u64(const struct jval *v, const char *path, u64 def)
{
	const struct jval *x = jpath(v, path);
	if (!x || x->type != J_NUM)
		return def;
	if (x->is_u64)
		return x->u;
	return x->num >= 0 ? (u64)x->num : def;
}
