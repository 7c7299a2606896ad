/* strace_lines.c - one strace log's lines, or strace -ff's per-process files merged in
 * timestamp order (strace_lines.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traces/linereader.h"
#include "traces/strace_lines.h"

#define DAY_NS (86400ULL * NSEC_PER_SEC)

enum strace_ts_form strace_ts_parse(const char **pp, u64 *t)
{
	const char *p = *pp;
	u64 v[3] = { 0 };
	int n = 0, digits0 = 0;
	if (!isdigit((unsigned char)*p))
		return STRACE_TS_NONE;
	for (;;) {
		if (!isdigit((unsigned char)*p))
			return STRACE_TS_BAD;
		while (isdigit((unsigned char)*p)) {
			if (v[n] > UINT64_MAX / 100)
				return STRACE_TS_BAD;
			v[n] = v[n] * 10 + (u64)(*p++ - '0');
			if (n == 0)
				digits0++;
		}
		if (*p == ':' && n < 2) {
			n++;
			p++;
			continue;
		}
		break;
	}
	if (n == 1)
		return STRACE_TS_BAD;
	u64 sec = n == 2 ? v[0] * 3600 + v[1] * 60 + v[2] : v[0];
	if (sec > UINT64_MAX / NSEC_PER_SEC - 1)
		return STRACE_TS_BAD;
	bool frac_seen = *p == '.';
	u64 frac = 0, scale = NSEC_PER_SEC;
	if (frac_seen) {
		p++;
		if (!isdigit((unsigned char)*p))
			return STRACE_TS_BAD;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (u64)(*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p != ' ')
		return STRACE_TS_BAD;
	enum strace_ts_form f;
	if (n == 2)
		f = frac_seen ? STRACE_TS_TT : STRACE_TS_T;
	else if (!frac_seen)
		return STRACE_TS_BAD;
	else
		f = digits0 >= 9 ? STRACE_TS_TTT : STRACE_TS_REL;
	*t = sec * NSEC_PER_SEC + frac;
	*pp = p + 1;
	return f;
}

const char *strace_ts_form_name(enum strace_ts_form f)
{
	switch (f) {
	case STRACE_TS_NONE: return "no timestamps";
	case STRACE_TS_T: return "-t (HH:MM:SS)";
	case STRACE_TS_TT: return "-tt (HH:MM:SS.frac)";
	case STRACE_TS_TTT: return "-ttt (SECONDS.frac)";
	case STRACE_TS_REL: return "-r (relative SECONDS.frac)";
	default: return "not a timestamp";
	}
}

struct ff_file {
	struct linereader *lr;
	char *path;
	u32 pid;
	char *line;                 /* the next line (owned copy), NULL at the end */
	size_t cap;
	u64 lineno;
	u64 key;                    /* its time: ns, days counted across midnight */
	u64 prev_tod, day;
	bool started;
};

struct strace_lines {
	struct linereader *lr;      /* one file */
	char *path;                 /* one file: its name */
	u64 lineno;
	struct ff_file *ff;         /* -ff: the files, sorted by pid */
	unsigned nr_ff;
	enum strace_ts_form form;   /* -ff: the files' timestamp form */
	unsigned form_file;         /* and the file that set it */
	int cur;                    /* -ff: file of the line last returned */
	char *buf;                  /* -ff: "[pid N] " + line */
	char err[1024];
};

static bool parse_pid_suffix(const char *path, u32 *pid, size_t *prefix_len)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || !dot[1] || (slash && dot < slash))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(dot + 1, &end, 10);
	if (*end || errno || v == 0 || v > UINT32_MAX || !isdigit((unsigned char)dot[1]))
		return false;
	*pid = (u32)v;
	*prefix_len = (size_t)(dot - path);
	return true;
}

/* Read file f's next line into f->line with its time in f->key. Returns 0, or -1 with
 * sl->err set. */
static int ff_fill(struct strace_lines *sl, unsigned fi)
{
	struct ff_file *f = &sl->ff[fi];
	char *line;
	size_t len;
	int rc = linereader_next(f->lr, &line, &len);
	if (rc < 0) {
		snprintf(sl->err, sizeof(sl->err), "%s:%s", f->path, linereader_error(f->lr) + 5);
		return -1;
	}
	if (rc == 0) {
		free(f->line);
		f->line = NULL;
		return 0;
	}
	f->lineno = linereader_lineno(f->lr);
	if (len + 1 > f->cap) {
		f->cap = len + 1;
		f->line = xrealloc(f->line, f->cap);
	}
	memcpy(f->line, line, len + 1);
	const char *p = f->line;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;           /* a blank line keeps the file's last time */
	u64 tod;
	enum strace_ts_form form = strace_ts_parse(&p, &tod);
	if (form == STRACE_TS_REL) {
		snprintf(sl->err, sizeof(sl->err), "%s:%llu: relative timestamps (strace -r) put "
			 "no two lines on one clock; record with -ttt (or -tt) instead", f->path,
			 (unsigned long long)f->lineno);
		return -1;
	}
	if (form == STRACE_TS_NONE || form == STRACE_TS_BAD) {
		snprintf(sl->err, sizeof(sl->err), "%s:%llu: the per-process files of strace -ff "
			 "need timestamps to be merged in time order; record with -ff -ttt (or -tt)",
			 f->path, (unsigned long long)f->lineno);
		return -1;
	}
	if (sl->form == STRACE_TS_NONE) {
		sl->form = form;
		sl->form_file = fi;
	} else if (form != sl->form) {
		snprintf(sl->err, sizeof(sl->err), "%s:%llu: timestamps of the form %s, but %s has "
			 "%s: not the files of one strace -ff run", f->path,
			 (unsigned long long)f->lineno, strace_ts_form_name(form),
			 sl->ff[sl->form_file].path, strace_ts_form_name(sl->form));
		return -1;
	}
	/* a clock going back by more than 12 hours crossed midnight */
	if (f->started && form != STRACE_TS_TTT && tod + DAY_NS / 2 < f->prev_tod)
		f->day += DAY_NS;
	f->started = true;
	f->prev_tod = tod;
	f->key = tod + f->day;
	return 0;
}

static int cmp_ff(const void *a, const void *b)
{
	const struct ff_file *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct strace_lines *strace_lines_open(const char *const *paths, unsigned n, bool ff,
				       char *err, size_t errlen)
{
	struct strace_lines *sl = xcalloc(1, sizeof(*sl));
	sl->cur = -1;
	if (!ff) {
		sl->lr = linereader_open(paths[0], err, errlen);
		if (!sl->lr) {
			free(sl);
			return NULL;
		}
		sl->path = xstrdup(paths[0]);
		return sl;
	}
	sl->ff = xcalloc(n, sizeof(*sl->ff));
	size_t plen0 = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ff_file *f = &sl->ff[i];
		size_t plen;
		if (!parse_pid_suffix(paths[i], &f->pid, &plen)) {
			snprintf(err, errlen, "%s: not a per-process file of strace -ff (its name must "
				 "end in .PID)", paths[i]);
			goto fail;
		}
		if (i && (plen != plen0 || strncmp(paths[i], paths[0], plen))) {
			snprintf(err, errlen, "%s: not a file of the same strace -ff run as %s (one "
				 "LOG.PID prefix)", paths[i], paths[0]);
			goto fail;
		}
		plen0 = plen;
		f->path = xstrdup(paths[i]);
		sl->nr_ff = i + 1;
	}
	qsort(sl->ff, n, sizeof(*sl->ff), cmp_ff);
	for (unsigned i = 1; i < n; i++)
		if (sl->ff[i].pid == sl->ff[i - 1].pid) {
			snprintf(err, errlen, "%s: given twice", sl->ff[i].path);
			goto fail;
		}
	for (unsigned i = 0; i < n; i++) {
		sl->ff[i].lr = linereader_open(sl->ff[i].path, err, errlen);
		if (!sl->ff[i].lr)
			goto fail;
	}
	for (unsigned i = 0; i < n; i++)
		if (ff_fill(sl, i) < 0) {
			snprintf(err, errlen, "%s", sl->err);
			goto fail;
		}
	sl->buf = xmalloc(LINEREADER_MAX + 32);
	return sl;
fail:
	strace_lines_close(sl);
	return NULL;
}

int strace_lines_next(struct strace_lines *sl, char **line, size_t *len)
{
	if (!sl->ff) {
		int rc = linereader_next(sl->lr, line, len);
		if (rc < 0)
			snprintf(sl->err, sizeof(sl->err), "%s:%s", sl->path,
				 linereader_error(sl->lr) + 5);
		sl->lineno = linereader_lineno(sl->lr);
		return rc;
	}
	/* the earliest next line; on a tie the lower pid's file */
	int best = -1;
	for (unsigned i = 0; i < sl->nr_ff; i++)
		if (sl->ff[i].line && (best < 0 || sl->ff[i].key < sl->ff[best].key))
			best = (int)i;
	if (best < 0)
		return 0;
	struct ff_file *f = &sl->ff[best];
	int n = snprintf(sl->buf, LINEREADER_MAX + 32, "[pid %u] %s", f->pid, f->line);
	sl->cur = best;
	sl->lineno = f->lineno;
	*line = sl->buf;
	*len = (size_t)n;
	if (ff_fill(sl, (unsigned)best) < 0)
		return -1;
	return 1;
}

const char *strace_lines_error(const struct strace_lines *sl)
{
	return sl->err;
}

const char *strace_lines_path(const struct strace_lines *sl)
{
	return sl->ff ? (sl->cur >= 0 ? sl->ff[sl->cur].path : sl->ff[0].path) : sl->path;
}

u64 strace_lines_lineno(const struct strace_lines *sl)
{
	return sl->lineno;
}

bool strace_lines_merged(const struct strace_lines *sl)
{
	return sl->ff != NULL;
}

void strace_lines_close(struct strace_lines *sl)
{
	if (!sl)
		return;
	if (sl->lr)
		linereader_close(sl->lr);
	for (unsigned i = 0; i < sl->nr_ff; i++) {
		if (sl->ff[i].lr)
			linereader_close(sl->ff[i].lr);
		free(sl->ff[i].path);
		free(sl->ff[i].line);
	}
	free(sl->ff);
	free(sl->buf);
	free(sl->path);
	free(sl);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **strace_ff_list(const char *dir, unsigned *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	unsigned nr = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[nr++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (!nr) {
		snprintf(err, errlen, "%s: an empty directory (expected the LOG.PID files of "
			 "strace -ff -o DIR/LOG)", dir);
		free(names);
		return NULL;
	}
	qsort(names, nr, sizeof(*names), cmp_str);
	*n = nr;
	return names;
}
