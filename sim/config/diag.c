/* diag.c - error list: collect located messages, print them sorted and capped. */
#include <stdlib.h>
#include <string.h>
#include "config/diag.h"
#include "config/yaml.h"

struct diag_entry {
	char *file;                    /* NULL for a --set argument */
	int line, col;
	int set_idx;
	char *set_arg;
	char *field;                   /* may be NULL */
	char *msg;
	unsigned seq;                  /* insertion order */
	bool warning;                  /* printed with "warning: ", not counted as an error */
	unsigned file_rank;            /* order in which this file was first reported */
};

struct diag {
	struct diag_entry *e;
	unsigned nr, alloc;
	unsigned nr_warnings;
	char **files;                  /* distinct file names, in first-report order */
	unsigned nr_files;
};

struct diag *diag_create(void)
{
	return xcalloc(1, sizeof(struct diag));
}

void diag_destroy(struct diag *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nr; i++) {
		free(d->e[i].file);
		free(d->e[i].set_arg);
		free(d->e[i].field);
		free(d->e[i].msg);
	}
	for (unsigned i = 0; i < d->nr_files; i++)
		free(d->files[i]);
	free(d->files);
	free(d->e);
	free(d);
}

static unsigned file_rank(struct diag *d, const char *file)
{
	for (unsigned i = 0; i < d->nr_files; i++)
		if (strcmp(d->files[i], file) == 0)
			return i;
	d->files = xrealloc(d->files, (d->nr_files + 1) * sizeof(*d->files));
	d->files[d->nr_files] = xstrdup(file);
	return d->nr_files++;
}

static struct diag_entry *diag_add(struct diag *d, const char *field, const char *fmt, va_list ap)
{
	if (d->nr == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 16;
		d->e = xrealloc(d->e, d->alloc * sizeof(*d->e));
	}
	struct diag_entry *e = &d->e[d->nr];
	memset(e, 0, sizeof(*e));
	e->seq = d->nr++;
	e->field = field ? xstrdup(field) : NULL;
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	e->msg = xmalloc((size_t)n + 1);
	vsnprintf(e->msg, (size_t)n + 1, fmt, ap);
	return e;
}

void diag_vat(struct diag *d, const char *file, int line, int col, const char *field,
	      const char *fmt, va_list ap)
{
	struct diag_entry *e = diag_add(d, field, fmt, ap);
	e->file = xstrdup(file ? file : "<input>");
	e->file_rank = file_rank(d, e->file);
	e->line = line > 0 ? line : 0;
	e->col = line > 0 && col > 0 ? col : 0;
}

void diag_at(struct diag *d, const char *file, int line, int col, const char *field,
	     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, file, line, col, field, fmt, ap);
	va_end(ap);
}

void diag_node(struct diag *d, const struct ynode *n, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, n->file, n->line, n->col, field, fmt, ap);
	va_end(ap);
}

static void diag_vset(struct diag *d, int idx, const char *arg, const char *fmt, va_list ap)
{
	struct diag_entry *e = diag_add(d, NULL, fmt, ap);
	e->set_idx = idx;
	e->set_arg = xstrdup(arg);
}

void diag_set(struct diag *d, int idx, const char *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vset(d, idx, arg, fmt, ap);
	va_end(ap);
}

void diag_loc(struct diag *d, const struct diag_loc *loc, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (loc->file)
		diag_vat(d, loc->file, loc->line, loc->col, field, fmt, ap);
	else
		diag_vset(d, loc->set_idx, loc->set_arg ? loc->set_arg : "", fmt, ap);
	va_end(ap);
}

void diag_warn_loc(struct diag *d, const struct diag_loc *loc, const char *field,
		   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (loc->file)
		diag_vat(d, loc->file, loc->line, loc->col, field, fmt, ap);
	else
		diag_vset(d, loc->set_idx, loc->set_arg ? loc->set_arg : "", fmt, ap);
	va_end(ap);
	d->e[d->nr - 1].warning = true;
	d->nr_warnings++;
}

unsigned diag_count(const struct diag *d)
{
	return d->nr - d->nr_warnings;
}

static int cmp_u(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct diag_entry *a = *(struct diag_entry *const *)pa;
	const struct diag_entry *b = *(struct diag_entry *const *)pb;
	int c;

	if (!a->file != !b->file)
		return a->file ? -1 : 1;        /* file errors before --set errors */
	if (a->file) {
		if ((c = cmp_u(a->file_rank, b->file_rank)) != 0)
			return c;
		if ((c = cmp_u(a->line, b->line)) != 0)
			return c;
		if ((c = cmp_u(a->col, b->col)) != 0)
			return c;
	} else if ((c = cmp_u(a->set_idx, b->set_idx)) != 0) {
		return c;
	}
	return cmp_u(a->seq, b->seq);
}

static void print_entry(FILE *f, const struct diag_entry *e)
{
	if (!e->file)
		fprintf(f, "--set %s: ", e->set_arg);
	else if (e->line)
		fprintf(f, "%s:%d:%d: ", e->file, e->line, e->col);
	else
		fprintf(f, "%s: ", e->file);
	if (e->field && e->file)
		fprintf(f, "%s: ", e->field);
	fprintf(f, "%s%s\n", e->warning ? "warning: " : "", e->msg);
}

void diag_print(const struct diag *d, FILE *f)
{
	if (!d->nr)
		return;
	const struct diag_entry **v = xmalloc(d->nr * sizeof(*v));
	for (unsigned i = 0; i < d->nr; i++)
		v[i] = &d->e[i];
	qsort(v, d->nr, sizeof(*v), entry_cmp);
	unsigned n = d->nr > DIAG_MAX_PRINT ? DIAG_MAX_PRINT : d->nr;
	for (unsigned i = 0; i < n; i++)
		print_entry(f, v[i]);
	if (d->nr > n)
		fprintf(f, "%s: too many errors (%u more)\n", d->nr_files ? d->files[0] : "mmsim",
			d->nr - n);
	free(v);
}

char *diag_format(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return xstrdup("");
	diag_print(d, f);
	fclose(f);
	if (!buf)
		return xstrdup("");
	return buf;
}

char *diag_quote(const char *text, char *buf, size_t len)
{
	size_t o = 0, shown = 0;

	if (!len)
		return buf;
#define PUT(c) do { if (o + 1 < len) buf[o++] = (c); } while (0)
	PUT('"');
	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
		bool cont = (*p & 0xc0) == 0x80;   /* inside a UTF-8 sequence */
		if ((shown >= 60 && !cont) || o + 12 >= len) {
			PUT('.');
			PUT('.');
			PUT('.');
			break;
		}
		shown += !cont;
		if (*p == '"' || *p == '\\') {
			PUT('\\');
			PUT((char)*p);
		} else if (*p == '\n') {
			PUT('\\');
			PUT('n');
		} else if (*p == '\t') {
			PUT('\\');
			PUT('t');
		} else if (*p < 0x20 || *p == 0x7f) {
			char hex[5];
			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			for (int i = 0; i < 4; i++)
				PUT(hex[i]);
		} else {
			PUT((char)*p);
		}
	}
	PUT('"');
#undef PUT
	buf[o] = '\0';
	return buf;
}
