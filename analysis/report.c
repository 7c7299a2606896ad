/* report.c - the run report from an out dir (see report.h). The sections are built from
 * summary.json and the files beside it into a small document (headings, paragraphs,
 * tables, code blocks, lists); three writers print it as markdown, text or JSON. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/report.h"
#include "analysis/html.h"

/* ---- the document ---- */

enum el_kind { EL_HEAD, EL_PARA, EL_TABLE, EL_CODE, EL_LIST };

struct table {
	size_t ncols, nrows, cap, fill;    /* fill: cells of the row being added */
	char **head;
	char *align;                       /* 'l' or 'r' per column */
	char **cells;                      /* nrows x ncols */
	bool *gap;                         /* a "..." row standing for rows left out */
};

struct el {
	enum el_kind kind;
	int level;                         /* EL_HEAD */
	char *text;                        /* HEAD, PARA, CODE */
	struct table *t;
	char **items;                      /* EL_LIST */
	size_t nitems;
};

struct doc {
	struct el *el;
	size_t n, cap;
};

static struct el *d_add(struct doc *d, enum el_kind k)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->el = xrealloc(d->el, d->cap * sizeof(*d->el));
	}
	struct el *e = &d->el[d->n++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	return e;
}

static char *vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

__printf(3, 4) static void d_head(struct doc *d, int level, const char *fmt, ...)
{
	struct el *e = d_add(d, EL_HEAD);
	e->level = level;
	va_list ap;
	va_start(ap, fmt);
	e->text = vfmt(fmt, ap);
	va_end(ap);
}

__printf(2, 3) static void d_para(struct doc *d, const char *fmt, ...)
{
	struct el *e = d_add(d, EL_PARA);
	va_list ap;
	va_start(ap, fmt);
	e->text = vfmt(fmt, ap);
	va_end(ap);
}

/* A paragraph grown piece by piece: p_add() appends to the last paragraph. */
__printf(2, 3) static void p_add(struct doc *d, const char *fmt, ...)
{
	struct el *e = &d->el[d->n - 1];
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(fmt, ap);
	va_end(ap);
	char *t = xasprintf("%s%s", e->text, s);
	free(s);
	free(e->text);
	e->text = t;
}

static void d_code(struct doc *d, const char *text)
{
	d_add(d, EL_CODE)->text = xstrdup(text);
}

static void d_list_item(struct doc *d, char *item)
{
	struct el *e = d->n ? &d->el[d->n - 1] : NULL;
	if (!e || e->kind != EL_LIST)
		e = d_add(d, EL_LIST);
	e->items = xrealloc(e->items, (e->nitems + 1) * sizeof(char *));
	e->items[e->nitems++] = item;
}

/* A table: head is "name|name|..."; align has one 'l' or 'r' per column. */
static struct table *d_table(struct doc *d, const char *head, const char *align)
{
	struct table *t = xcalloc(1, sizeof(*t));
	t->ncols = strlen(align);
	t->align = xstrdup(align);
	t->head = xcalloc(t->ncols, sizeof(char *));
	const char *p = head;
	for (size_t i = 0; i < t->ncols; i++) {
		const char *q = strchr(p, '|');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		t->head[i] = xmalloc(n + 1);
		memcpy(t->head[i], p, n);
		t->head[i][n] = '\0';
		p = q ? q + 1 : p + n;
	}
	d_add(d, EL_TABLE)->t = t;
	return t;
}

static void t_grow(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
		t->gap = xrealloc(t->gap, t->cap * sizeof(bool));
	}
}

/* The next cell, filling rows left to right. */
__printf(2, 3) static void t_cell(struct table *t, const char *fmt, ...)
{
	if (t->fill == 0) {
		t_grow(t);
		t->gap[t->nrows] = false;
	}
	va_list ap;
	va_start(ap, fmt);
	t->cells[t->nrows * t->ncols + t->fill] = vfmt(fmt, ap);
	va_end(ap);
	if (++t->fill == t->ncols) {
		t->fill = 0;
		t->nrows++;
	}
}

static void t_gap(struct table *t)
{
	t_grow(t);
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup(i ? "" : "...");
	t->gap[t->nrows++] = true;
}

static void doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct el *e = &d->el[i];
		free(e->text);
		for (size_t k = 0; k < e->nitems; k++)
			free(e->items[k]);
		free(e->items);
		if (e->t) {
			for (size_t k = 0; k < e->t->ncols; k++)
				free(e->t->head[k]);
			for (size_t k = 0; k < e->t->nrows * e->t->ncols; k++)
				free(e->t->cells[k]);
			free(e->t->head);
			free(e->t->cells);
			free(e->t->gap);
			free(e->t->align);
			free(e->t);
		}
	}
	free(d->el);
}

/* ---- writers ---- */

static void w_md(const struct doc *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct el *e = &d->el[i];
		switch (e->kind) {
		case EL_HEAD:
			fprintf(f, "%.*s %s\n", e->level, "######", e->text);
			break;
		case EL_PARA:
			fprintf(f, "%s\n", e->text);
			break;
		case EL_CODE:
			fprintf(f, "```\n%s```\n", e->text);
			break;
		case EL_LIST:
			for (size_t k = 0; k < e->nitems; k++)
				fprintf(f, "- %s\n", e->items[k]);
			break;
		case EL_TABLE: {
			const struct table *t = e->t;
			fprintf(f, "|");
			for (size_t c = 0; c < t->ncols; c++)
				fprintf(f, " %s |", t->head[c]);
			fprintf(f, "\n|");
			for (size_t c = 0; c < t->ncols; c++)
				fprintf(f, "%s|", t->align[c] == 'r' ? "---:" : "---");
			fprintf(f, "\n");
			for (size_t r = 0; r < t->nrows; r++) {
				fprintf(f, "|");
				for (size_t c = 0; c < t->ncols; c++) {
					const char *s = t->cells[r * t->ncols + c];
					if (t->gap[r] && !*s)
						fprintf(f, " |");
					else
						fprintf(f, " %s |", s);
				}
				fprintf(f, "\n");
			}
			break;
		}
		}
		if (i + 1 < d->n)
			fprintf(f, "\n");
	}
}

/* Text: markdown's marks dropped (`code`, **bold**), headings underlined, tables in
 * aligned columns. */
static void put_plain(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '`' || (s[0] == '*' && s[1] == '*')) {
			if (*s == '*')
				s++;
			continue;
		}
		fputc(*s, f);
	}
}

static size_t plain_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == '`' || (s[0] == '*' && s[1] == '*')) {
			if (*s == '*')
				s++;
			continue;
		}
		n++;
	}
	return n;
}

static void w_text(const struct doc *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct el *e = &d->el[i];
		switch (e->kind) {
		case EL_HEAD: {
			put_plain(f, e->text);
			fprintf(f, "\n");
			size_t n = plain_len(e->text);
			for (size_t k = 0; k < n; k++)
				fputc(e->level == 1 ? '=' : e->level == 2 ? '-' : '.', f);
			fprintf(f, "\n");
			break;
		}
		case EL_PARA:
			put_plain(f, e->text);
			fprintf(f, "\n");
			break;
		case EL_CODE:
			fprintf(f, "%s", e->text);
			break;
		case EL_LIST:
			for (size_t k = 0; k < e->nitems; k++) {
				fprintf(f, "  - ");
				put_plain(f, e->items[k]);
				fprintf(f, "\n");
			}
			break;
		case EL_TABLE: {
			const struct table *t = e->t;
			size_t *w = xcalloc(t->ncols, sizeof(size_t));
			for (size_t c = 0; c < t->ncols; c++) {
				w[c] = plain_len(t->head[c]);
				for (size_t r = 0; r < t->nrows; r++) {
					size_t n = plain_len(t->cells[r * t->ncols + c]);
					if (n > w[c])
						w[c] = n;
				}
			}
			for (size_t r = 0; r <= t->nrows + 1; r++) {
				for (size_t c = 0; c < t->ncols; c++) {
					const char *s = r == 0 ? t->head[c]
						      : r == 1 ? "" : t->cells[(r - 2) * t->ncols + c];
					size_t n = plain_len(s), pad = w[c] - n;
					if (c)
						fprintf(f, "  ");
					if (r == 1) {
						for (size_t k = 0; k < w[c]; k++)
							fputc('-', f);
						continue;
					}
					bool right = t->align[c] == 'r' && r > 0;
					bool last = c + 1 == t->ncols;
					if (right)
						fprintf(f, "%*s", (int)pad, "");
					put_plain(f, s);
					if (!right && !last)
						fprintf(f, "%*s", (int)pad, "");
				}
				fprintf(f, "\n");
			}
			free(w);
			break;
		}
		}
		if (i + 1 < d->n)
			fprintf(f, "\n");
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fprintf(f, "\\n");
		else if (c == '\t')
			fprintf(f, "\\t");
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A cell that is a plain decimal number is written as a JSON number. */
static bool is_number(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static void json_cell(FILE *f, const char *s)
{
	if (is_number(s))
		fprintf(f, "%s", s);
	else
		json_str(f, s);
}

/* JSON: {"title": .., "sections": [{"title", "level", "content": [{"paragraph"} |
 * {"table": {"columns", "rows"}} | {"code"} | {"list"}]}]}; the text before the first
 * heading below the title is the section "" (the run's head). */
static void w_json(const struct doc *d, FILE *f)
{
	size_t i = 0;
	fprintf(f, "{\n  \"format\": \"mmsim-report\",\n  \"title\": ");
	if (d->n && d->el[0].kind == EL_HEAD && d->el[0].level == 1)
		json_str(f, d->el[i++].text);
	else
		json_str(f, "");
	fprintf(f, ",\n  \"sections\": [");
	bool first_sec = true, first_item = true, open = false;
	for (; i < d->n; i++) {
		const struct el *e = &d->el[i];
		if (e->kind == EL_HEAD || !open) {
			if (open)
				fprintf(f, "\n      ]\n    }");
			fprintf(f, "%s\n    {\n      \"title\": ", first_sec ? "" : ",");
			json_str(f, e->kind == EL_HEAD ? e->text : "");
			fprintf(f, ",\n      \"level\": %d,\n      \"content\": [",
				e->kind == EL_HEAD ? e->level : 1);
			first_sec = false;
			first_item = true;
			open = true;
			if (e->kind == EL_HEAD)
				continue;
		}
		fprintf(f, "%s\n        {", first_item ? "" : ",");
		first_item = false;
		switch (e->kind) {
		case EL_HEAD:
			break;
		case EL_PARA:
			fprintf(f, "\"paragraph\": ");
			json_str(f, e->text);
			break;
		case EL_CODE:
			fprintf(f, "\"code\": ");
			json_str(f, e->text);
			break;
		case EL_LIST:
			fprintf(f, "\"list\": [");
			for (size_t k = 0; k < e->nitems; k++) {
				fprintf(f, "%s", k ? ", " : "");
				json_str(f, e->items[k]);
			}
			fprintf(f, "]");
			break;
		case EL_TABLE: {
			const struct table *t = e->t;
			fprintf(f, "\"table\": {\n          \"columns\": [");
			for (size_t c = 0; c < t->ncols; c++) {
				fprintf(f, "%s", c ? ", " : "");
				json_str(f, t->head[c]);
			}
			fprintf(f, "],\n          \"rows\": [");
			bool fr = true;
			for (size_t r = 0; r < t->nrows; r++) {
				if (t->gap[r])
					continue;
				fprintf(f, "%s\n            [", fr ? "" : ",");
				fr = false;
				for (size_t c = 0; c < t->ncols; c++) {
					fprintf(f, "%s", c ? ", " : "");
					json_cell(f, t->cells[r * t->ncols + c]);
				}
				fprintf(f, "]");
			}
			fprintf(f, "%s]\n        }", fr ? "" : "\n          ");
			break;
		}
		}
		fprintf(f, "}");
	}
	if (open)
		fprintf(f, "\n      ]\n    }");
	fprintf(f, "\n  ]\n}\n");
}

/* ---- figures ---- */

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MSEC 1000000ULL
#define NS_PER_USEC 1000ULL

static char *fmt_ns(char *buf, size_t len, u64 ns)
{
	if (ns >= NS_PER_SEC)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns >= NS_PER_MSEC)
		snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
	else if (ns >= NS_PER_USEC)
		snprintf(buf, len, "%.3f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	return buf;
}

/* A result as the kernel gives it: an address in hex, an error as -ERRNO, else decimal. */
static void fmt_ret(char *buf, size_t len, s64 r)
{
	if (r < 0 && r > -4096)
		snprintf(buf, len, "%lld", (long long)r);
	else if (r >= 0x10000)
		snprintf(buf, len, "0x%llx", (unsigned long long)r);
	else
		snprintf(buf, len, "%lld", (long long)r);
}

struct rctx {
	const struct outdir_data *od;
	const struct jval *s;              /* summary.json */
	struct doc d;
	char err[512];
	bool failed;
};

#define U(path) ((unsigned long long)sum_u64(c->s, (path), 0))
#define S(path) ((long long)sum_int(c->s, (path), 0))

static u64 vm(const struct rctx *c, const char *name)
{
	char p[128];
	snprintf(p, sizeof(p), "metrics/vmstat/%s", name);
	return (u64)sum_int(c->s, p, 0);
}

static struct csv_table *csv(struct rctx *c, const char *name)
{
	char err[400];
	struct csv_table *t = outdir_csv(c->od, name, err, sizeof(err));
	if (!t && err[0] && !c->failed) {
		snprintf(c->err, sizeof(c->err), "%s", err);
		c->failed = true;
	}
	return t;
}

static unsigned nr_nodes(const struct rctx *c)
{
	const struct jval *m = jpath(c->s, "scenario/machine.node_memory");
	return m && m->type == J_ARR ? (unsigned)m->n : 1;
}

/* ---- head ---- */

static void sec_head(struct rctx *c)
{
	struct doc *d = &c->d;
	char b1[32], b2[32], b3[32];
	const struct jval *p = jget(c->s, "partial");
	if (p && p->type == J_BOOL && p->b)
		d_head(d, 1, "mmsim report (partial: the run was stopped by %s at simulated time %s)",
		       sum_str(c->s, "stopped_by"), fmt_ns(b1, sizeof(b1), U("stopped_at_ns")));
	else
		d_head(d, 1, "mmsim report");
	d_para(d, "Scenario `%s`, seed %s. Machine: %s node(s) x %s CPU(s)",
	       sum_str(c->s, "scenario/path"), sum_str(c->s, "scenario/seed"),
	       sum_str(c->s, "scenario/machine.nodes"), sum_str(c->s, "scenario/machine.cpus_per_node"));
	u64 mem = 0;
	const struct jval *nm = jpath(c->s, "scenario/machine.node_memory");
	for (size_t i = 0; nm && nm->type == J_ARR && i < nm->n; i++)
		mem += (u64)nm->items[i]->num;
	p_add(d, ", %llu MiB of memory", (unsigned long long)(mem >> 20));
	u64 swap = U("metrics/swap/size_bytes");
	if (swap)
		p_add(d, ", %llu MiB of swap", (unsigned long long)(swap >> 20));
	p_add(d, ".");
	d_para(d, "Simulated time: %s. Threads: %llu (%llu finished). Ops: %llu. Page faults: %llu "
	       "(pgfault %llu). Pages touched: %llu.", fmt_ns(b1, sizeof(b1), U("simulated_ns")),
	       U("events/threads"), U("events/threads_finished"), U("events/ops"),
	       U("metrics/faults"), (unsigned long long)vm(c, "pgfault"), U("metrics/touched_pages"));

	/* a trace replay: its touches and the first results that differ */
	const struct jval *tr = jpath(c->s, "replay/trace");
	if (tr && tr->type == J_BOOL && tr->b) {
		const struct jval *nt = jpath(c->s, "replay/no_touch_warning");
		if (nt && nt->type == J_BOOL && nt->b)
			d_para(d, "**Warning: this strace log has no page touches; record with `mmsim "
			       "record`**: the replay maps memory but never touches it, so its page "
			       "faults, Rss and AnonPages are 0.");
		d_para(d, "Touches replayed: %llu pages, %llu page faults, %llu SIGSEGV/SIGBUS touches "
		       "(outside any mapping or without permission: mappings the recording did not "
		       "see, as execve's).", U("metrics/touched_pages"), U("metrics/faults"),
		       U("metrics/segv"));
		const struct jval *mm = jpath(c->s, "replay/first_mismatches");
		if (mm && mm->type == J_ARR && mm->n) {
			d_para(d, "First results that differ from the recorded ones (of %llu):",
			       U("events/ret_mismatch"));
			struct table *t = d_table(d, "simulated time|recorded time|source line|pid/tid|"
						  "call|recorded|replayed|cause", "rrlllrrl");
			for (size_t i = 0; i < mm->n; i++) {
				const struct jval *m = mm->items[i];
				char rec[32], rep[32];
				fmt_ret(rec, sizeof(rec), sum_int(m, "recorded", 0));
				fmt_ret(rep, sizeof(rep), sum_int(m, "replayed", 0));
				t_cell(t, "%s", fmt_ns(b1, sizeof(b1), (u64)sum_int(m, "simulated_ns", 0)));
				t_cell(t, "%s", fmt_ns(b2, sizeof(b2), (u64)sum_int(m, "recorded_ns", 0)));
				t_cell(t, "%s", sum_str(m, "source"));
				t_cell(t, "%lld/%lld", (long long)sum_int(m, "pid", 0),
				       (long long)sum_int(m, "tid", 0));
				t_cell(t, "%s", sum_str(m, "call"));
				t_cell(t, "%s", rec);
				t_cell(t, "%s", rep);
				t_cell(t, "%s", sum_str(m, "cause"));
			}
			d_para(d, "(source line: the line of the log the trace was imported from, the "
			       "call's first line for strace; ?: the trace does not say, written before "
			       "mmsim kept source lines.)");
		}
	}
	if (U("events/deadlocks"))
		d_para(d, "**The run stopped on a deadlock** (see Findings).");
	const struct jval *wl = jpath(c->s, "scenario/workloads");
	u64 nr_wl = wl && wl->type == J_ARR ? wl->n : 0;
	if (U("events/processes") > nr_wl || U("events/snapshots") || U("events/ret_mismatch")) {
		d_para(d, "Replay: %llu processes (forks included), %llu results differ from the "
		       "recorded ones (usually calls on mappings the program had before the trace "
		       "began), %llu snapshots in `snapshots/`.", U("events/processes"),
		       U("events/ret_mismatch"), U("events/snapshots"));
		u64 late = U("events/late_ops");
		if (late)
			p_add(d, " Open-loop timing: %llu ops issued late, by %s on average, %s at most.",
			      (unsigned long long)late,
			      fmt_ns(b3, sizeof(b3), U("events/lateness_total_ns") / late),
			      fmt_ns(b2, sizeof(b2), U("events/lateness_max_ns")));
	}
	(void)b3;
}

/* Observed vs simulated (a replay of `mmsim record`): observed.csv. */
static void sec_observed(struct rctx *c)
{
	struct csv_table *o = csv(c, "observed.csv");
	if (!o)
		return;
	struct doc *d = &c->d;
	if (!o->nrows) {
		csv_free(o);
		return;
	}
	d_head(d, 2, "Observed vs simulated");
	d_para(d, "The real process tree as `mmsim record` sampled it (smaps_rollup, minflt+majflt) "
	       "beside the simulated one at the same point of the trace; every sample in "
	       "`observed.csv`. Deviation = (simulated - observed) / observed. The observed side "
	       "also holds what the trace cannot replay: the mappings execve made (program, ld.so, "
	       "stack) and their faults, file pages mapped by fault-around.");
	struct table *t = d_table(d, "sample|recorded at|Rss kB obs / sim|Anonymous kB obs / sim|"
				  "faults obs / sim", "rrrrr");
	int c_rec = csv_col(o, "recorded_ns");
	static const char *const k[3][3] = {
		{ "obs_rss_kb", "sim_rss_kb", "rss_dev_permille" },
		{ "obs_anon_kb", "sim_anon_kb", "anon_dev_permille" },
		{ "obs_faults", "sim_faults", "faults_dev_permille" },
	};
	size_t n = o->nrows;
	for (size_t i = 0; i < n; i++) {
		if (n > 12 && i >= 6 && i + 6 < n) {
			if (i == 6)
				t_gap(t);
			continue;
		}
		char b[32];
		t_cell(t, "%zu", i + 1);
		t_cell(t, "%s", fmt_ns(b, sizeof(b), csv_u64(o, i, c_rec)));
		for (int j = 0; j < 3; j++) {
			long long dv = strtoll(csv_cell(o, i, csv_col(o, k[j][2])), NULL, 10);
			t_cell(t, "%llu / %llu (%+lld.%lld%%)",
			       (unsigned long long)csv_u64(o, i, csv_col(o, k[j][0])),
			       (unsigned long long)csv_u64(o, i, csv_col(o, k[j][1])), dv / 10,
			       llabs(dv % 10));
		}
	}
	csv_free(o);
}

/* The run: version, variants and the knobs that differ from their defaults. */
static void sec_run(struct rctx *c)
{
	struct doc *d = &c->d;
	d_head(d, 2, "Run");
	char b[32];
	d_para(d, "mmsim %s; scenario `%s`, seed %s; simulated %s.", sum_str(c->s, "mmsim_version"),
	       sum_str(c->s, "scenario/path"), sum_str(c->s, "scenario/seed"),
	       fmt_ns(b, sizeof(b), U("simulated_ns")));
	const struct jval *sc = jget(c->s, "scenario");
	struct table *t = d_table(d, "variant|value", "ll");
	for (size_t i = 0; sc && sc->type == J_OBJ && i < sc->n; i++)
		if (!strncmp(sc->keys[i], "variants.", 9) && sc->items[i]->type == J_STR) {
			t_cell(t, "%s", sc->keys[i] + 9);
			t_cell(t, "%s", sc->items[i]->str);
		}
	const struct jval *kc = jget(c->s, "knobs_changed");
	size_t nk = 0;
	for (size_t i = 0; kc && kc->type == J_OBJ && i < kc->n; i++)
		nk += strncmp(kc->keys[i], "variants.", 9) != 0;
	if (!nk) {
		d_para(d, "Every other knob at its default.");
		return;
	}
	d_para(d, "Knobs that differ from their defaults (`mmsim knobs` lists all):");
	t = d_table(d, "knob|value", "ll");
	for (size_t i = 0; i < kc->n; i++)
		if (strncmp(kc->keys[i], "variants.", 9) && kc->items[i]->type == J_STR) {
			t_cell(t, "%s", kc->keys[i]);
			t_cell(t, "%s", kc->items[i]->str);
		}
}

static void sec_workloads(struct rctx *c)
{
	struct doc *d = &c->d;
	d_head(d, 2, "Workloads");
	struct table *t = d_table(d, "name|type|threads", "lll");
	const struct jval *wl = jpath(c->s, "scenario/workloads");
	for (size_t i = 0; wl && wl->type == J_ARR && i < wl->n; i++) {
		t_cell(t, "%s", sum_str(wl->items[i], "name"));
		t_cell(t, "%s", sum_str(wl->items[i], "type"));
		t_cell(t, "%lld", (long long)sum_int(wl->items[i], "threads", 0));
	}
}

/* ---- contention ---- */

struct lrow {
	const char *name;
	const struct jval *v;
};

/* Injected faults: every injected_fault finding (whatever knob fired it: swap errors
 * and slowdowns, kill_at, a node going offline...) with its time, then the figures of
 * injected_faults.csv. Absent when nothing was injected. */
static void sec_injected(struct rctx *c)
{
	struct doc *d = &c->d;
	u64 nf = U("findings/counts/injected_fault");
	struct csv_table *t = csv(c, "injected_faults.csv");
	if (!nf && !t)
		return;
	d_head(d, 2, "Injected faults");
	d_para(d, "What the fault injection knobs did and when (first time, and how often when it "
	       "repeated; `findings.txt`, `injected_faults.csv`):");
	const struct jval *fl = jpath(c->s, "findings/list");
	char b1[32], b2[32];
	for (size_t i = 0; fl && fl->type == J_ARR && i < fl->n; i++) {
		const struct jval *f = fl->items[i];
		if (strcmp(sum_str(f, "type"), "injected_fault"))
			continue;
		u64 n = (u64)sum_int(f, "count", 1);
		char *m = xasprintf("at %s: %s", fmt_ns(b1, sizeof(b1), (u64)sum_int(f, "first_ns", 0)),
				    sum_str(f, "message"));
		for (char *p = m; *p; p++)
			if (*p == '\n')
				*p = ' ';
		if (n > 1) {
			char *m2 = xasprintf("%s (x%llu, the first at that time)", m,
					     (unsigned long long)n);
			free(m);
			m = m2;
		}
		d_list_item(d, m);
	}
	if (!t)
		return;
	int ck = csv_col(t, "kind"), ct = csv_col(t, "target"), cs = csv_col(t, "start_ns"),
	    ce = csv_col(t, "end_ns"), cf = csv_col(t, "figure"), cv = csv_col(t, "value");
	if (ck < 0 || ct < 0 || cs < 0 || ce < 0 || cf < 0 || cv < 0) {
		csv_free(t);
		return;
	}
	d_para(d, "Figures (swap_slow device_ns: the time the slowed requests took, latency "
	       "included; kill: from the signal to the end of the last thread's exit):");
	struct table *tb = d_table(d, "fault|target|from|to|figures", "llrrl");
	for (size_t r = 0; r < t->nrows;) {
		size_t e = r;
		char *figs = xstrdup("");
		while (e < t->nrows && !strcmp(csv_cell(t, e, ck), csv_cell(t, r, ck)) &&
		       !strcmp(csv_cell(t, e, ct), csv_cell(t, r, ct))) {
			const char *fn = csv_cell(t, e, cf);
			size_t l = strlen(fn);
			char v[48];
			if (l > 3 && !strcmp(fn + l - 3, "_ns"))
				fmt_ns(v, sizeof(v), csv_u64(t, e, cv));
			else
				snprintf(v, sizeof(v), "%llu", (unsigned long long)csv_u64(t, e, cv));
			char *n2 = xasprintf("%s%s%s %s", figs, e > r ? ", " : "", fn, v);
			free(figs);
			figs = n2;
			e++;
		}
		t_cell(tb, "%s", csv_cell(t, r, ck));
		t_cell(tb, "%s", csv_cell(t, r, ct));
		t_cell(tb, "%s", fmt_ns(b1, sizeof(b1), csv_u64(t, r, cs)));
		const char *end = csv_cell(t, r, ce);
		t_cell(tb, "%s", *end ? fmt_ns(b2, sizeof(b2), csv_u64(t, r, ce)) : "-");
		t_cell(tb, "%s", figs);
		free(figs);
		r = e;
	}
	csv_free(t);
}

static int cmp_lrow(const void *a, const void *b)
{
	const struct lrow *x = a, *y = b;
	s64 wx = sum_int(x->v, "wait_total_ns", 0), wy = sum_int(y->v, "wait_total_ns", 0);
	if (wx != wy)
		return wx > wy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The class label of lock_stat.txt ("name-W"/"name-R") for a CSV row's class and type. */
static void label_of(const struct jval *locks, const char *cls, const char *type, char *buf,
		     size_t len)
{
	const char *suffix = "";
	if (!strcmp(type, "rwsem:W") || !strcmp(type, "rwlock:W"))
		suffix = "-W";
	else if (!strcmp(type, "rwsem:R") || !strcmp(type, "rwlock:R"))
		suffix = "-R";
	snprintf(buf, len, "%s%s", cls, suffix);
	if (*suffix && !jget(locks, buf))
		snprintf(buf, len, "%s", cls);
}

/* Quantile q (percent) of a log2 histogram: the upper bound of the bucket it falls in. */
static u64 hist_quantile(const u64 *h, unsigned nb, unsigned q)
{
	u64 total = 0;
	for (unsigned b = 0; b < nb; b++)
		total += h[b];
	if (!total)
		return 0;
	u64 want = (total * q + 99) / 100, acc = 0;
	for (unsigned b = 0; b < nb; b++) {
		acc += h[b];
		if (acc >= want)
			return 2ULL << b;
	}
	return 0;
}

#define HIST_BUCKETS 64

/* The histogram of (label, what, site) from lock_hist.csv; site "-": the whole class. */
static void hist_of(const struct csv_table *h, const struct jval *locks, const char *label,
		    const char *what, const char *site, u64 *out)
{
	memset(out, 0, HIST_BUCKETS * sizeof(u64));
	if (!h)
		return;
	int cc = csv_col(h, "class"), ct = csv_col(h, "type"), cw = csv_col(h, "what");
	int cs = csv_col(h, "site"), cb = csv_col(h, "log2_ns"), cn = csv_col(h, "count");
	for (size_t r = 0; r < h->nrows; r++) {
		char l[200];
		label_of(locks, csv_cell(h, r, cc), csv_cell(h, r, ct), l, sizeof(l));
		if (strcmp(l, label) || strcmp(csv_cell(h, r, cw), what) ||
		    strcmp(csv_cell(h, r, cs), site))
			continue;
		u64 b = csv_u64(h, r, cb);
		if (b < HIST_BUCKETS)
			out[b] += csv_u64(h, r, cn);
	}
}

static const char *q_str(char *buf, size_t len, const u64 *h, unsigned q)
{
	u64 v = hist_quantile(h, HIST_BUCKETS, q);
	if (!v)
		return "-";
	char b[32];
	snprintf(buf, len, "<%s", fmt_ns(b, sizeof(b), v));
	return buf;
}

/* "page faults of task db" from the waiting site's function */
static void waiter_words(char *buf, size_t len, const char *task, const char *func)
{
	if (strstr(func, "fault") || !strcmp(func, "touch_range"))
		snprintf(buf, len, "page faults of task %s (in %s)", task, func);
	else
		snprintf(buf, len, "%s of task %s", func, task);
}

static const char *short_class(const char *cls)
{
	/* "&mm->mmap_lock" reads as "mmap_lock" in a sentence */
	return strncmp(cls, "&mm->", 5) ? cls : cls + 5;
}

static void sec_contention(struct rctx *c)
{
	struct doc *d = &c->d;
	char b1[32], b2[32], b3[32];
	d_head(d, 2, "Lock contention");
	d_para(d, "Classes by total wait (as /proc/lock_stat; full table in `lock_stat.txt`, call "
	       "sites in `contention.csv`).");
	struct table *t = d_table(d, "class|acquisitions|contentions|total wait|max wait|avg wait|"
				  "acq-bounces|cross-node", "lrrrrrrr");
	const struct jval *locks = jpath(c->s, "metrics/locks");
	size_t n = locks && locks->type == J_OBJ ? locks->n : 0;
	struct lrow *rows = xcalloc(n + 1, sizeof(*rows));
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct lrow){ locks->keys[i], locks->items[i] };
	qsort(rows, n, sizeof(*rows), cmp_lrow);
	for (size_t i = 0; i < n && i < 10; i++) {
		const struct jval *r = rows[i].v;
		u64 cont = (u64)sum_int(r, "contentions", 0), wt = (u64)sum_int(r, "wait_total_ns", 0);
		t_cell(t, "`%s`", rows[i].name);
		t_cell(t, "%lld", (long long)sum_int(r, "acquisitions", 0));
		t_cell(t, "%llu", (unsigned long long)cont);
		t_cell(t, "%s", fmt_ns(b1, sizeof(b1), wt));
		t_cell(t, "%s", fmt_ns(b2, sizeof(b2), (u64)sum_int(r, "wait_max_ns", 0)));
		t_cell(t, "%s", fmt_ns(b3, sizeof(b3), cont ? wt / cont : 0));
		t_cell(t, "%lld", (long long)sum_int(r, "acq_bounces", 0));
		t_cell(t, "%lld", (long long)sum_int(r, "cross_node_bounces", 0));
	}

	/* The contended classes in detail: ratios, quantiles from the histograms. */
	struct csv_table *h = csv(c, "lock_hist.csv");
	size_t contended = 0;
	for (size_t i = 0; i < n; i++)
		contended += sum_int(rows[i].v, "contentions", 0) > 0;
	if (contended) {
		d_head(d, 3, "Wait and hold times");
		d_para(d, "Per contended class and state: contention ratio (contentions / "
		       "acquisitions), wait and hold quantiles from the log2 histograms "
		       "(`lock_hist.csv`; \"<x\": in the bucket below x), bounces (acquired on "
		       "another CPU than the previous holder) and cross-node bounces.");
		t = d_table(d, "class|acquisitions|contentions|ratio|wait total|wait avg|wait max|"
			    "wait p50|wait p90|wait p99|hold total|hold avg|hold max|hold p50|hold p90|"
			    "hold p99|bounces|"
			    "cross-node", "lrrrrrrrrrrrrrrrrr");
		for (size_t i = 0; i < n; i++) {
			const struct jval *r = rows[i].v;
			u64 acq = (u64)sum_int(r, "acquisitions", 0);
			u64 cont = (u64)sum_int(r, "contentions", 0);
			if (!cont)
				continue;
			u64 wt = (u64)sum_int(r, "wait_total_ns", 0);
			u64 ht = (u64)sum_int(r, "hold_total_ns", 0);
			u64 wh[HIST_BUCKETS], hh[HIST_BUCKETS], holds = 0;
			hist_of(h, locks, rows[i].name, "wait", "-", wh);
			hist_of(h, locks, rows[i].name, "hold", "-", hh);
			for (unsigned b = 0; b < HIST_BUCKETS; b++)
				holds += hh[b];
			char q[6][40];
			t_cell(t, "`%s`", rows[i].name);
			t_cell(t, "%llu", (unsigned long long)acq);
			t_cell(t, "%llu", (unsigned long long)cont);
			t_cell(t, "%.2f%%", acq ? 100.0 * (double)cont / (double)acq : 0.0);
			t_cell(t, "%s", fmt_ns(b1, sizeof(b1), wt));
			t_cell(t, "%s", fmt_ns(b2, sizeof(b2), wt / cont));
			t_cell(t, "%s", fmt_ns(b3, sizeof(b3), (u64)sum_int(r, "wait_max_ns", 0)));
			t_cell(t, "%s", q_str(q[0], sizeof(q[0]), wh, 50));
			t_cell(t, "%s", q_str(q[1], sizeof(q[1]), wh, 90));
			t_cell(t, "%s", q_str(q[2], sizeof(q[2]), wh, 99));
			t_cell(t, "%s", fmt_ns(b1, sizeof(b1), ht));
			t_cell(t, "%s", fmt_ns(b2, sizeof(b2), holds ? ht / holds : 0));
			t_cell(t, "%s", fmt_ns(b3, sizeof(b3), (u64)sum_int(r, "hold_max_ns", 0)));
			t_cell(t, "%s", q_str(q[3], sizeof(q[3]), hh, 50));
			t_cell(t, "%s", q_str(q[4], sizeof(q[4]), hh, 90));
			t_cell(t, "%s", q_str(q[5], sizeof(q[5]), hh, 99));
			t_cell(t, "%lld", (long long)sum_int(r, "acq_bounces", 0));
			t_cell(t, "%lld", (long long)sum_int(r, "cross_node_bounces", 0));
		}
	}

	/* Who waited on whom: lock_pairs.csv, per class the top pairs in words. */
	struct csv_table *p = csv(c, "lock_pairs.csv");
	if (p && p->nrows) {
		int cc = csv_col(p, "class"), ct = csv_col(p, "type"), cwt = csv_col(p, "waiter_task");
		int cw = csv_col(p, "waiter"), cht = csv_col(p, "holder_task");
		int ch = csv_col(p, "holder"), chy = csv_col(p, "holder_type");
		int cn = csv_col(p, "contended"), ctot = csv_col(p, "total_wait_ns");
		int cmax = csv_col(p, "max_wait_ns");
		d_head(d, 3, "Top contention points");
		d_para(d, "Per class, the sites that waited longest (all in `contention.csv`, with "
		       "per-site wait histograms in `lock_hist.csv`) and who waited on whom: the "
		       "waiting task and site, the task and site that held the lock when it asked "
		       "(`lock_pairs.csv`).");
		for (size_t i = 0; i < n && i < 10; i++) {
			if (!sum_int(rows[i].v, "contentions", 0))
				continue;
			/* the rows of this label, already sorted by total wait */
			size_t shown = 0;
			for (size_t r = 0; r < p->nrows && shown < 5; r++) {
				char l[200];
				label_of(locks, csv_cell(p, r, cc), csv_cell(p, r, ct), l, sizeof(l));
				if (strcmp(l, rows[i].name))
					continue;
				char who[200];
				waiter_words(who, sizeof(who), csv_cell(p, r, cwt), csv_cell(p, r, cw));
				const char *hty = csv_cell(p, r, chy);
				const char *mode = strstr(hty, ":W") ? " for write"
						   : strstr(hty, ":R") ? " for read" : "";
				u64 cnt = csv_u64(p, r, cn);
				char line[800];
				if (strcmp(csv_cell(p, r, ch), "-"))
					snprintf(line, sizeof(line), "%s waited %s in total (%llu time%s, "
						 "at most %s) on %s held%s by %s in %s", who,
						 fmt_ns(b1, sizeof(b1), csv_u64(p, r, ctot)),
						 (unsigned long long)cnt, cnt == 1 ? "" : "s",
						 fmt_ns(b2, sizeof(b2), csv_u64(p, r, cmax)),
						 short_class(csv_cell(p, r, cc)), mode,
						 csv_cell(p, r, cht), csv_cell(p, r, ch));
				else
					snprintf(line, sizeof(line), "%s waited %s in total (%llu time%s, "
						 "at most %s) on %s (holder not recorded)", who,
						 fmt_ns(b1, sizeof(b1), csv_u64(p, r, ctot)),
						 (unsigned long long)cnt, cnt == 1 ? "" : "s",
						 fmt_ns(b2, sizeof(b2), csv_u64(p, r, cmax)),
						 short_class(csv_cell(p, r, cc)));
				if (!shown)
					d_para(d, "`%s`:", rows[i].name);
				d_list_item(d, xstrdup(line));
				shown++;
			}
		}

		/* per process: the mm-level locks (mm_struct's) by waiting task */
		struct pp {
			char task[64], cls[160];
			u64 n, total, max;
		} *pv = NULL;
		size_t np = 0;
		for (size_t r = 0; r < p->nrows; r++) {
			const char *cls = csv_cell(p, r, cc);
			if (strncmp(cls, "&mm->", 5))
				continue;
			size_t k;
			for (k = 0; k < np; k++)
				if (!strcmp(pv[k].task, csv_cell(p, r, cwt)) && !strcmp(pv[k].cls, cls))
					break;
			if (k == np) {
				pv = xrealloc(pv, (np + 1) * sizeof(*pv));
				memset(&pv[np], 0, sizeof(*pv));
				snprintf(pv[np].task, sizeof(pv[np].task), "%s", csv_cell(p, r, cwt));
				snprintf(pv[np].cls, sizeof(pv[np].cls), "%s", cls);
				np++;
			}
			pv[k].n += csv_u64(p, r, cn);
			pv[k].total += csv_u64(p, r, ctot);
			if (csv_u64(p, r, cmax) > pv[k].max)
				pv[k].max = csv_u64(p, r, cmax);
		}
		if (np) {
			/* by total wait, then task and class */
			for (size_t a = 1; a < np; a++)
				for (size_t b = a; b > 0; b--) {
					struct pp *x = &pv[b - 1], *y = &pv[b];
					int cmp = x->total != y->total ? (x->total < y->total ? 1 : -1)
						  : strcmp(x->task, y->task) ? strcmp(x->task, y->task)
									       : strcmp(x->cls, y->cls);
					if (cmp <= 0)
						break;
					struct pp tmp = *x;
					*x = *y;
					*y = tmp;
				}
			d_head(d, 3, "Per process");
			d_para(d, "Waits on the mm-level locks (`&mm->...`), per waiting task:");
			t = d_table(d, "task|class|contentions|wait total|wait avg|wait max", "llrrrr");
			for (size_t k = 0; k < np; k++) {
				t_cell(t, "%s", pv[k].task);
				t_cell(t, "`%s`", pv[k].cls);
				t_cell(t, "%llu", (unsigned long long)pv[k].n);
				t_cell(t, "%s", fmt_ns(b1, sizeof(b1), pv[k].total));
				t_cell(t, "%s", fmt_ns(b2, sizeof(b2), pv[k].n ? pv[k].total / pv[k].n : 0));
				t_cell(t, "%s", fmt_ns(b3, sizeof(b3), pv[k].max));
			}
		}
		free(pv);
	}
	csv_free(p);
	csv_free(h);

	/* lockdep: inversions and deadlocks from the findings */
	const struct jval *fl = jpath(c->s, "findings/list");
	u64 inv = U("findings/counts/lock_inversion"), dl = U("findings/counts/deadlock");
	if (inv || dl) {
		d_head(d, 3, "Lock order");
		d_para(d, "%llu lock-order inversion(s) and %llu deadlock(s) found; each with both "
		       "paths:", (unsigned long long)inv, (unsigned long long)dl);
		for (size_t i = 0; fl && fl->type == J_ARR && i < fl->n; i++) {
			const char *ty = sum_str(fl->items[i], "type");
			if (strcmp(ty, "lock_inversion") && strcmp(ty, "deadlock"))
				continue;
			char *code = xasprintf("%s\n", sum_str(fl->items[i], "message"));
			d_code(d, code);
			free(code);
		}
	} else if (n) {
		d_para(d, "Lock order: no inversion and no deadlock found.");
	}
	free(rows);
}

/* ---- memory ---- */

static void sec_memory(struct rctx *c)
{
	struct doc *d = &c->d;
	d_head(d, 2, "Memory");
	struct table *t = d_table(d, "node|present pages|free pages|anon pages", "rrrr");
	unsigned nn = nr_nodes(c);
	for (unsigned i = 0; i < nn; i++) {
		char p[64];
		t_cell(t, "%u", i);
		snprintf(p, sizeof(p), "metrics/nodes/node%u/present_pages", i);
		t_cell(t, "%llu", U(p));
		snprintf(p, sizeof(p), "metrics/nodes/node%u/free_pages", i);
		t_cell(t, "%llu", U(p));
		snprintf(p, sizeof(p), "metrics/nodes/node%u/anon_pages", i);
		t_cell(t, "%llu", U(p));
	}
	d_para(d, "Free blocks per order at the end (/proc/buddyinfo):");
	char *bi = outdir_text(c->od, "buddyinfo.txt", NULL);
	d_code(d, bi ? bi : "");
	free(bi);
}

static const char *const numastat_labels[] = { "numa_hit", "numa_miss", "numa_foreign",
					       "interleave_hit", "local_node", "other_node" };

static void sec_numa(struct rctx *c)
{
	unsigned nn = nr_nodes(c);
	if (nn < 2)
		return;
	struct doc *d = &c->d;
	d_head(d, 2, "NUMA");
	d_para(d, "Per node, as /sys/devices/system/node/nodeN/numastat shows them at the end "
	       "(`numastat.txt`): pages allocated on the node that was intended (hit) or not "
	       "(miss; foreign counts on the intended node), by interleaving, and for a task "
	       "running on that node (local) or elsewhere (other).");
	struct table *t = d_table(d, "node|numa_hit|numa_miss|numa_foreign|interleave_hit|"
				  "local_node|other_node", "rrrrrrr");
	for (unsigned n = 0; n < nn; n++) {
		t_cell(t, "%u", n);
		for (unsigned i = 0; i < 6; i++) {
			char p[96];
			snprintf(p, sizeof(p), "metrics/numa/node%u/%s", n, numastat_labels[i]);
			t_cell(t, "%lld", S(p));
		}
	}
}

/* The populated zones in node then zone order: "node0_DMA32", "node0_Normal", ... */
static size_t zone_keys(const struct rctx *c, const char **out, size_t max)
{
	static const char *const zn[] = { "DMA32", "Normal", "Movable" };
	const struct jval *zs = jpath(c->s, "metrics/zones");
	size_t k = 0;
	for (unsigned n = 0; n < nr_nodes(c); n++)
		for (unsigned z = 0; z < 3; z++)
			for (size_t i = 0; zs && zs->type == J_OBJ && i < zs->n && k < max; i++) {
				char key[48];
				snprintf(key, sizeof(key), "node%u_%s", n, zn[z]);
				if (!strcmp(zs->keys[i], key))
					out[k++] = zs->keys[i];
			}
	return k;
}

static void zone_label(char *buf, size_t len, const char *key)
{
	unsigned n = 0;
	const char *us = strchr(key, '_');
	sscanf(key, "node%u", &n);
	snprintf(buf, len, "node %u %s", n, us ? us + 1 : key);
}

#define MAX_ORDERS 11

/* The kernel's fragmentation figures of a zone at an order from its free counts per
 * order (as mm/vmstat.c's fill_contig_page_info, unusable_free_index and
 * __fragmentation_index), x1000. */
static void frag_indices(const u64 *nr_free, unsigned order, int *unusable, int *fragindex)
{
	u64 free_pages = 0, total = 0, suitable = 0;
	for (unsigned o = 0; o < MAX_ORDERS; o++) {
		total += nr_free[o];
		free_pages += nr_free[o] << o;
		if (o >= order)
			suitable += nr_free[o] << (o - order);
	}
	*unusable = free_pages ? (int)(((free_pages - (suitable << order)) * 1000ULL) / free_pages)
			       : 1000;
	if (!total)
		*fragindex = 0;
	else if (suitable)
		*fragindex = -1000;
	else
		*fragindex = (int)(1000 - (1000 + (free_pages * 1000ULL) / (1ULL << order)) / total);
}

static void sec_fragmentation(struct rctx *c)
{
	struct doc *d = &c->d;
	d_head(d, 2, "Fragmentation");
	d_para(d, "At the end, per zone, at pageblock order (9): the unusable free space index and "
	       "the fragmentation index (x1000, as debugfs extfrag shows them; -1000: a free "
	       "order-9 block exists), pageblocks holding pages of a foreign migratetype, and "
	       "high-order allocation success. Time series: `frag.csv`.");
	struct table *t = d_table(d, "zone|free pages|free order-9 units|unusable|fragindex|"
				  "polluted pageblocks|order>=1 success", "lrrrrrl");
	const char *keys[64];
	size_t nz = zone_keys(c, keys, 64);
	const struct jval *zs = jpath(c->s, "metrics/zones");
	for (size_t i = 0; i < nz; i++) {
		const struct jval *z = jget(zs, keys[i]);
		char lab[64];
		zone_label(lab, sizeof(lab), keys[i]);
		t_cell(t, "%s", lab);
		t_cell(t, "%lld", (long long)sum_int(z, "contig_free_pages", 0));
		t_cell(t, "%lld", (long long)sum_int(z, "free_o9_blocks", 0));
		t_cell(t, "%lld", (long long)sum_int(z, "unusable_index_o9", 0));
		t_cell(t, "%lld", (long long)sum_int(z, "fragmentation_index_o9", 0));
		t_cell(t, "%lld", (long long)sum_int(z, "polluted_pageblocks", 0));
		char cell[1024] = "";
		size_t o2 = 0;
		for (unsigned o = 1; o < MAX_ORDERS; o++) {
			char p[64];
			snprintf(p, sizeof(p), "allocations_by_order/%u", o);
			const struct jval *a = jpath(z, p);
			if (!a)
				continue;
			u64 att = (u64)sum_int(a, "attempts", 0), ok = (u64)sum_int(a, "success", 0);
			if (!att)
				continue;
			o2 += (size_t)snprintf(cell + o2, sizeof(cell) - o2, "%sorder %u: %llu/%llu (%.1f%%)",
					       o2 ? ", " : "", o, (unsigned long long)ok,
					       (unsigned long long)att, 100.0 * (double)ok / (double)att);
			if (o2 >= sizeof(cell))
				break;
		}
		t_cell(t, "%s", o2 ? cell : "-");
	}
}

/* Fragmentation over time from buddyinfo.csv, migratetypes and compaction. */
static void sec_frag_detail(struct rctx *c)
{
	struct doc *d = &c->d;
	struct csv_table *b = csv(c, "buddyinfo.csv");
	const char *keys[64];
	size_t nz = zone_keys(c, keys, 64);
	const struct jval *zs = jpath(c->s, "metrics/zones");
	char b1[32];
	if (b && b->nrows) {
		d_head(d, 3, "Free blocks by order over time");
		d_para(d, "Per zone, free blocks of each order (/proc/buddyinfo) at up to eight "
		       "sample times (every sample in `buddyinfo.csv`), then the unusable free "
		       "space index and the fragmentation index of each order at the same times "
		       "(x1000, computed from the free blocks as the kernel does).");
		size_t pick[8], np = 0;
		size_t nr = b->nrows;
		for (size_t k = 0; k < 8 && k < nr; k++) {
			size_t r = nr <= 8 ? k : (k * (nr - 1)) / 7;
			if (!np || pick[np - 1] != r)
				pick[np++] = r;
		}
		int ct = csv_col(b, "time_ns");
		for (size_t zi = 0; zi < nz; zi++) {
			char lab[64];
			zone_label(lab, sizeof(lab), keys[zi]);
			int col[MAX_ORDERS];
			bool have = true;
			for (unsigned o = 0; o < MAX_ORDERS; o++) {
				char cn[64];
				snprintf(cn, sizeof(cn), "%s_o%u", keys[zi], o);
				col[o] = csv_col(b, cn);
				have &= col[o] >= 0;
			}
			if (!have)
				continue;
			d_para(d, "%s, free blocks:", lab);
			struct table *t = d_table(d, "time|o0|o1|o2|o3|o4|o5|o6|o7|o8|o9|o10",
						  "lrrrrrrrrrrr");
			for (size_t k = 0; k < np; k++) {
				t_cell(t, "at %s", fmt_ns(b1, sizeof(b1), csv_u64(b, pick[k], ct)));
				for (unsigned o = 0; o < MAX_ORDERS; o++)
					t_cell(t, "%llu", (unsigned long long)csv_u64(b, pick[k], col[o]));
			}
			for (int which = 0; which < 2; which++) {
				d_para(d, "%s, %s index per order:", lab,
				       which ? "fragmentation" : "unusable free space");
				t = d_table(d, "time|o1|o2|o3|o4|o5|o6|o7|o8|o9|o10", "lrrrrrrrrrr");
				for (size_t k = 0; k < np; k++) {
					u64 nf[MAX_ORDERS];
					for (unsigned o = 0; o < MAX_ORDERS; o++)
						nf[o] = csv_u64(b, pick[k], col[o]);
					t_cell(t, "at %s", fmt_ns(b1, sizeof(b1), csv_u64(b, pick[k], ct)));
					for (unsigned o = 1; o < MAX_ORDERS; o++) {
						int un, fi;
						frag_indices(nf, o, &un, &fi);
						t_cell(t, "%d", which ? fi : un);
					}
				}
			}
		}
	}
	csv_free(b);

	/* migratetype pollution: pageblocks per type */
	if (nz) {
		d_head(d, 3, "Migratetypes");
		d_para(d, "Pageblocks per migratetype at the end (`pagetypeinfo.txt`), and those "
		       "holding pages of another migratetype (polluted).");
		struct table *t = d_table(d, "zone|Unmovable|Movable|Reclaimable|HighAtomic|Isolate|"
					  "polluted", "lrrrrrr");
		static const char *const mt[] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic",
						  "Isolate" };
		for (size_t zi = 0; zi < nz; zi++) {
			const struct jval *z = jget(zs, keys[zi]);
			char lab[64], p[64];
			zone_label(lab, sizeof(lab), keys[zi]);
			t_cell(t, "%s", lab);
			for (unsigned m = 0; m < 5; m++) {
				snprintf(p, sizeof(p), "pageblocks/%s", mt[m]);
				t_cell(t, "%lld", (long long)sum_int(z, p, 0));
			}
			t_cell(t, "%lld", (long long)sum_int(z, "polluted_pageblocks", 0));
		}
	}

	/* compaction effort */
	static const char *const cv[] = { "compact_stall", "compact_fail", "compact_success",
					  "compact_migrate_scanned", "compact_free_scanned",
					  "compact_isolated", "compact_daemon_wake",
					  "compact_daemon_migrate_scanned",
					  "compact_daemon_free_scanned", "pgmigrate_success",
					  "pgmigrate_fail" };
	u64 any = 0;
	for (unsigned i = 0; i < sizeof(cv) / sizeof(cv[0]); i++)
		any |= vm(c, cv[i]);
	d_head(d, 3, "Compaction");
	if (!any) {
		d_para(d, "No compaction ran (compact_stall, compact_daemon_wake and the scanners "
		       "at 0).");
		return;
	}
	d_para(d, "Compaction effort over the run (/proc/vmstat): direct compaction stalls and "
	       "their outcome, pages scanned by the migration and free scanners, pages isolated "
	       "and migrated, kcompactd wake-ups.");
	struct table *t = d_table(d, "counter|value", "lr");
	for (unsigned i = 0; i < sizeof(cv) / sizeof(cv[0]); i++) {
		char p[96];
		snprintf(p, sizeof(p), "metrics/vmstat/%s", cv[i]);
		if (!jpath(c->s, p))
			continue;
		t_cell(t, "%s", cv[i]);
		t_cell(t, "%llu", (unsigned long long)vm(c, cv[i]));
	}
}

static void sec_reclaim(struct rctx *c)
{
	u64 scanned = vm(c, "pgscan_kswapd") + vm(c, "pgscan_direct");
	u64 swapped = vm(c, "pswpout") + vm(c, "pswpin");
	if (!scanned && !swapped && !vm(c, "oom_kill"))
		return;
	struct doc *d = &c->d;
	d_head(d, 2, "Reclaim and swap");
	static const char *const items[] = {
		"pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct", "pgsteal_direct",
		"allocstall_movable", "allocstall_normal", "pageoutrun", "pgactivate",
		"pgdeactivate", "pswpout", "pswpin", "pgmajfault", "swap_ra", "swap_ra_hit",
		"oom_kill",
	};
	struct table *t = d_table(d, "counter|value", "lr");
	for (unsigned i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		t_cell(t, "%s", items[i]);
		t_cell(t, "%lld", (long long)vm(c, items[i]));
	}
	d_para(d, "Killed processes, if any, are listed under Findings. Swap device: %llu of %llu "
	       "pages in use at the end.",
	       U("metrics/swap/total_pages") - U("metrics/swap/free_pages"),
	       U("metrics/swap/total_pages"));
}

static void sec_thp(struct rctx *c)
{
	static const char *const items[] = {
		"thp_fault_alloc", "thp_fault_fallback", "thp_fault_fallback_charge",
		"thp_zero_page_alloc", "thp_zero_page_alloc_failed", "thp_split_pmd",
		"thp_deferred_split_page", "thp_split_page", "thp_split_page_failed", "thp_swpout",
		"thp_swpout_fallback", "thp_migration_success", "thp_migration_fail",
		"thp_migration_split", "thp_collapse_alloc", "thp_collapse_alloc_failed",
	};
	u64 any = 0;
	for (unsigned i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		any |= vm(c, items[i]);
	if (!any)
		return;
	struct doc *d = &c->d;
	long long thps = (long long)vm(c, "nr_anon_transparent_hugepages");
	d_head(d, 2, "Transparent huge pages");
	d_para(d, "At the end: transparent_hugepage.enabled %s, defrag %s; %lld THPs mapped huge "
	       "(AnonHugePages %lld kB).", sum_str(c->s, "metrics/thp/enabled"),
	       sum_str(c->s, "metrics/thp/defrag"), thps, thps * 2048);
	struct table *t = d_table(d, "counter|value", "lr");
	for (unsigned i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		t_cell(t, "%s", items[i]);
		t_cell(t, "%lld", (long long)vm(c, items[i]));
	}
}

static const struct {
	const char *key, *label;
} htlb_events[] = {
	{ "faults", "hugetlb faults" },
	{ "alloc_pool", "pages taken from the free lists" },
	{ "alloc_surplus", "surplus pages allocated" },
	{ "alloc_surplus_fail", "surplus allocations refused or failed" },
	{ "cow_copies", "COW copies" },
	{ "cow_reuse", "COW reuses (only mapper)" },
	{ "unmap_ref_private", "pages an owner's COW took back from children" },
	{ "sigbus", "faults ending in SIGBUS" },
	{ "sigbus_reserved", "... in a VMA holding reservations (the guarantee broken)" },
	{ "grow_requested", "pool growth requested (pages)" },
	{ "grow_allocated", "pool growth allocated (pages)" },
	{ "fresh_alloc_fail", "order-9 buddy allocations failed" },
	{ "resv_ops", "reservation map operations" },
	{ "violations", "accounting violations reported (findings)" },
};

static void sec_hugetlb(struct rctx *c)
{
	if (!U("metrics/hugetlb/HugePages_Total") && !U("metrics/hugetlb/faults") &&
	    !U("metrics/hugetlb/grow_requested") && !U("metrics/hugetlb/resv_ops"))
		return;
	struct doc *d = &c->d;
	const char *v = sum_str(c->s, "scenario/variants.hugetlb.private_resv");
	d_head(d, 2, "Hugetlb");
	d_para(d, "Pool of 2 MiB pages (hugetlb.private_resv: %s). At the end, as /proc/meminfo "
	       "shows them:", !strcmp(v, "count") ? "count, the design before seed 004's fix"
						 : "resv_map");
	struct table *t = d_table(d, "HugePages_Total|HugePages_Free|HugePages_Rsvd|HugePages_Surp",
				  "rrrr");
	t_cell(t, "%llu", U("metrics/hugetlb/HugePages_Total"));
	t_cell(t, "%llu", U("metrics/hugetlb/HugePages_Free"));
	t_cell(t, "%llu", U("metrics/hugetlb/HugePages_Rsvd"));
	t_cell(t, "%llu", U("metrics/hugetlb/HugePages_Surp"));
	unsigned nn = nr_nodes(c);
	if (nn > 1) {
		t = d_table(d, "node|Total|Free|Surp", "rrrr");
		for (unsigned n = 0; n < nn; n++) {
			char p[64];
			t_cell(t, "%u", n);
			snprintf(p, sizeof(p), "metrics/hugetlb/nodes/node%u/Total", n);
			t_cell(t, "%llu", U(p));
			snprintf(p, sizeof(p), "metrics/hugetlb/nodes/node%u/Free", n);
			t_cell(t, "%llu", U(p));
			snprintf(p, sizeof(p), "metrics/hugetlb/nodes/node%u/Surp", n);
			t_cell(t, "%llu", U(p));
		}
	}
	d_para(d, "HugePages_Rsvd read as a signed number ranged from %lld to %lld over the run "
	       "(below 0: the count wrapped; `hugetlb.csv` has the series).",
	       S("metrics/hugetlb/resv_min_signed"), S("metrics/hugetlb/resv_max_signed"));
	t = d_table(d, "event|count", "lr");
	for (unsigned i = 0; i < sizeof(htlb_events) / sizeof(htlb_events[0]); i++) {
		char p[96];
		snprintf(p, sizeof(p), "metrics/hugetlb/%s", htlb_events[i].key);
		t_cell(t, "%s", htlb_events[i].label);
		t_cell(t, "%llu", U(p));
	}
}

static void sec_mempolicy(struct rctx *c)
{
	const struct jval *mp = jpath(c->s, "metrics/mempolicy");
	if (!sum_int(mp, "objects_created", 0))
		return;
	struct doc *d = &c->d;
	const struct jval *paths = jget(mp, "paths");
	u64 gets = 0, puts = 0;
	for (size_t i = 0; paths && paths->type == J_ARR && i < paths->n; i++) {
		const char *pn = paths->items[i]->str;
		if (!pn || !strcmp(pn, "install"))
			continue;
		char p[96];
		snprintf(p, sizeof(p), "gets/%s", pn);
		gets += (u64)sum_int(mp, p, 0);
		snprintf(p, sizeof(p), "puts/%s", pn);
		puts += (u64)sum_int(mp, p, 0);
	}
	d_head(d, 2, "Memory policies");
	d_para(d, "Reference counting: %s, leak paths: %s. %llu policy objects created, %llu "
	       "freed; %llu references taken and %llu dropped in use (lookups for allocations and "
	       "queries), %llu of the refcount RMWs pulled the line from another node, %llu ns in "
	       "them; sp->lock taken %llu times. %llu interleaved allocations; %llu pages migrated "
	       "by mbind/migrate_pages/move_pages (%llu failed).", sum_str(mp, "refcount"),
	       sum_str(mp, "leak_paths"), (unsigned long long)sum_int(mp, "objects_created", 0),
	       (unsigned long long)sum_int(mp, "objects_freed", 0), (unsigned long long)gets,
	       (unsigned long long)puts, (unsigned long long)sum_int(mp, "remote_transfers", 0),
	       (unsigned long long)sum_int(mp, "rmw_ns", 0),
	       (unsigned long long)sum_int(mp, "sp_lock_acquisitions", 0),
	       (unsigned long long)sum_int(mp, "interleave_allocs", 0),
	       (unsigned long long)sum_int(mp, "pages_migrated", 0),
	       (unsigned long long)sum_int(mp, "pages_not_migrated", 0));
	struct table *t = d_table(d, "path|gets|puts|leaked", "lrrr");
	for (size_t i = 0; paths && paths->type == J_ARR && i < paths->n; i++) {
		const char *pn = paths->items[i]->str;
		char p1[96], p2[96], p3[96];
		snprintf(p1, sizeof(p1), "gets/%s", pn);
		snprintf(p2, sizeof(p2), "puts/%s", pn);
		snprintf(p3, sizeof(p3), "leaked_by_path/%s", pn);
		u64 g = (u64)sum_int(mp, p1, 0), pu = (u64)sum_int(mp, p2, 0);
		u64 l = (u64)sum_int(mp, p3, 0);
		if (!g && !pu && !l)
			continue;
		t_cell(t, "%s", pn);
		t_cell(t, "%llu", (unsigned long long)g);
		t_cell(t, "%llu", (unsigned long long)pu);
		t_cell(t, "%llu", (unsigned long long)l);
	}
}

static void sec_pagecache(struct rctx *c)
{
	const struct jval *pc = jpath(c->s, "metrics/pagecache");
	if (!sum_int(pc, "lookups", 0))
		return;
	struct doc *d = &c->d;
#define P(k) ((unsigned long long)sum_int(pc, (k), 0))
	d_head(d, 2, "Page cache");
	d_para(d, "Lookup: %s. %llu lookups (%llu pages, %llu shadow entries), latency p50 %llu "
	       "ns, p99 %llu ns; %llu walks of %llu levels (%llu ns). Retries: %llu frozen or "
	       "freed, %llu slot changed, %llu retry entries. Reclaim: %llu freezes, %llu failed "
	       "on an extra reference. %llu refcount atomics, %llu of them bounced (%llu ns). %llu "
	       "pages inserted (%llu over a shadow), %llu evicted, %llu truncated; XArray nodes "
	       "%llu allocated, %llu freed, height up to %llu.", sum_str(pc, "lookup"), P("lookups"),
	       P("hits"), P("shadow_hits"), P("lookup_p50_ns"), P("lookup_p99_ns"), P("walks"),
	       P("walk_levels"), P("walk_ns"), P("retries_frozen"), P("retries_slot_changed"),
	       P("retries_retry_entry"), P("freezes"), P("freeze_failed"), P("ref_rmws"),
	       P("ref_bounces"), P("ref_bounce_ns"), P("inserted"), P("shadow_refaults"),
	       P("removed"), P("truncated"), P("xa_nodes_alloc"), P("xa_nodes_free"),
	       P("max_height"));
#undef P
	const struct jval *al = jpath(c->s, "metrics/mm_take_all_locks");
#define A(k) ((unsigned long long)sum_int(al, (k), 0))
	if (!A("calls"))
		return;
	d_para(d, "mm_take_all_locks (MMU notifier registration): %llu calls, %llu i_mmap_rwsem and "
	       "%llu anon_vma locks taken (%llu not taken), %llu ns held in all; queued behind "
	       "them when dropped: %llu on mmap_lock (faults), %llu on i_mmap_rwsem, %llu on "
	       "anon_vma, %llu on mm_all_locks_mutex.", A("calls"), A("i_mmap_locked"),
	       A("anon_vma_locked"), A("not_taken"), A("hold_ns"), A("waiters_mmap_lock"),
	       A("waiters_i_mmap"), A("waiters_anon_vma"), A("waiters_mutex"));
#undef A
}

static void sec_khugepaged(struct rctx *c)
{
	const struct jval *k = jpath(c->s, "metrics/khugepaged");
	if (!k)
		return;
	struct doc *d = &c->d;
#define K(p) ((unsigned long long)sum_int(k, (p), 0))
	d_head(d, 2, "khugepaged");
	d_para(d, "Variants: swapin_lock %s, revalidate %s, swapin_gate %s, allocstall_read %s. "
	       "pages_collapsed %llu, full_scans %llu, %llu wake-ups; MADV_COLLAPSE calls %llu.",
	       sum_str(k, "variants/swapin_lock"), sum_str(k, "variants/revalidate"),
	       sum_str(k, "variants/swapin_gate"), sum_str(k, "variants/allocstall_read"),
	       K("pages_collapsed"), K("full_scans"), K("wakeups"), K("madv_collapse_calls"));
	struct table *t = d_table(d, "scan_result|khugepaged|madvise", "lrr");
	const struct jval *ord = jget(k, "results_order");
	for (size_t i = 0; ord && ord->type == J_ARR && i < ord->n; i++) {
		const char *r = ord->items[i]->str;
		char p1[96], p2[96];
		snprintf(p1, sizeof(p1), "results_khugepaged/%s", r);
		snprintf(p2, sizeof(p2), "results_madvise/%s", r);
		t_cell(t, "%s", r);
		t_cell(t, "%llu", K(p1));
		t_cell(t, "%llu", K(p2));
	}
	u64 anon = K("anon_pages_last"), huge = K("anon_huge_pages_last");
	t = d_table(d, "metric|value", "lr");
	t_cell(t, "collapses (khugepaged / madvise)");
	t_cell(t, "%llu / %llu", K("collapses/khugepaged"), K("collapses/madvise"));
	t_cell(t, "mmap_lock write holds by collapses");
	t_cell(t, "%llu", K("mmap_write_holds"));
	t_cell(t, "write hold total / max (ns)");
	t_cell(t, "%llu / %llu", K("mmap_write_hold_ns_total"), K("mmap_write_hold_ns_max"));
	t_cell(t, "swap PTEs swapped in / pages read / in abandoned attempts");
	t_cell(t, "%llu / %llu / %llu", K("swapins"), K("swapin_reads"), K("swapins_wasted"));
	t_cell(t, "ranges whose swap-in the gate skipped");
	t_cell(t, "%llu", K("swapin_skipped"));
	t_cell(t, "mms skipped (mmap_lock contended)");
	t_cell(t, "%llu", K("trylock_skips"));
	t_cell(t, "stale-VMA collapses (findings)");
	t_cell(t, "%llu", K("stale_collapses"));
	t_cell(t, "AnonHugePages at the last sample");
	t_cell(t, "%llu of %llu anon pages (%.1f%%)", (unsigned long long)huge,
	       (unsigned long long)anon, anon ? 100.0 * (double)huge / (double)anon : 0.0);
	t_cell(t, "AnonHugePages share first >= 50%% / 90%% (s)");
	t_cell(t, "%.3f / %.3f", (double)K("anon_huge_share_50pct_ns") / 1e9,
	       (double)K("anon_huge_share_90pct_ns") / 1e9);
	const struct jval *fa = jget(k, "faults_by_task");
	if (fa && fa->type == J_OBJ && fa->n) {
		d_para(d, "Page faults while the mm was registered, per task (mmap_lock wait of the "
		       "faults that waited; latency of all, ns):");
		t = d_table(d, "task|faults|waited|wait total|wait p50|wait p99|wait max|latency p50|"
			    "latency p99|latency max", "lrrrrrrrrr");
		for (size_t idx = 0; idx < fa->n; idx++)
			for (size_t i = 0; i < fa->n; i++) {
				const struct jval *q = fa->items[i];
				if ((size_t)sum_int(q, "index", -1) != idx)
					continue;
				static const char *const f[] = { "faults", "waited", "wait_ns_total",
								 "wait_ns_p50", "wait_ns_p99",
								 "wait_ns_max", "latency_ns_p50",
								 "latency_ns_p99", "latency_ns_max" };
				t_cell(t, "%s", fa->keys[i]);
				for (unsigned j = 0; j < 9; j++)
					t_cell(t, "%llu", (unsigned long long)sum_int(q, f[j], 0));
			}
	}
#undef K
}

static void sec_highalloc(struct rctx *c)
{
	const struct jval *h = jpath(c->s, "metrics/highalloc");
	if (!h)
		return;
	struct doc *d = &c->d;
	static const char *const kinds[] = { "kernel", "atomic" };
	d_para(d, "High-order allocations measured by the highalloc workload (highalloc.csv):");
	struct table *t = d_table(d, "order|kind|attempts|succeeded|success rate|latency p50|p99|max",
				  "rlrrrrrr");
	for (unsigned o = 1; o <= 10; o++)
		for (unsigned k = 0; k < 2; k++) {
			char p[64];
			snprintf(p, sizeof(p), "by_order/%u/%s", o, kinds[k]);
			const struct jval *g = jpath(h, p);
			u64 att = (u64)sum_int(g, "attempts", 0), ok = (u64)sum_int(g, "ok", 0);
			if (!g || !att)
				continue;
			t_cell(t, "%u", o);
			t_cell(t, "%s", kinds[k]);
			t_cell(t, "%llu", (unsigned long long)att);
			t_cell(t, "%llu", (unsigned long long)ok);
			t_cell(t, "%.1f%%", 100.0 * (double)ok / (double)att);
			t_cell(t, "%lld ns", (long long)sum_int(g, "latency_p50_ns", 0));
			t_cell(t, "%lld ns", (long long)sum_int(g, "latency_p99_ns", 0));
			t_cell(t, "%lld ns", (long long)sum_int(g, "latency_max_ns", 0));
		}
	d_para(d, "Free memory before the first and the last measured attempt: unusable free space "
	       "index and fragmentation index (x1000) at orders 3 and 9, free order-9 blocks, "
	       "polluted pageblocks:");
	t = d_table(d, "when|unusable o3|unusable o9|fragindex o3|fragindex o9|free o9 blocks|polluted",
		    "lrrrrrr");
	for (unsigned k = 0; k < 2; k++) {
		const struct jval *x = jget(h, k ? "before_last" : "before_first");
		t_cell(t, "%s", k ? "before the last" : "before the first");
		t_cell(t, "%lld", (long long)sum_int(x, "unusable_index_o3", 0));
		t_cell(t, "%lld", (long long)sum_int(x, "unusable_index_o9", 0));
		t_cell(t, "%lld", (long long)sum_int(x, "fragmentation_index_o3", 0));
		t_cell(t, "%lld", (long long)sum_int(x, "fragmentation_index_o9", 0));
		t_cell(t, "%lld", (long long)sum_int(x, "free_o9_blocks", 0));
		t_cell(t, "%lld", (long long)sum_int(x, "polluted_pageblocks", 0));
	}
}

static void sec_alloc_pages(struct rctx *c)
{
	const struct jval *ap = jpath(c->s, "metrics/alloc_pages");
	if (!ap || ap->type != J_OBJ || !ap->n)
		return;
	struct doc *d = &c->d;
	bool split = false;
	for (size_t i = 0; i < ap->n; i++)
		split |= sum_int(ap->items[i], "ok_after_compact_memory", 0) ||
			 sum_int(ap->items[i], "failed_after_compact_memory", 0);
	d_para(d, "Allocations requested by the workloads (`alloc_pages` ops)%s:",
	       split ? ", before and after the threads wrote /proc/sys/vm/compact_memory" : "");
	struct table *t = split ? d_table(d, "order|before: succeeded|failed|success rate|after: "
					  "succeeded|failed|success rate", "rrrrrrr")
				: d_table(d, "order|succeeded|failed|success rate", "rrrr");
	for (unsigned o = 0; o < 16; o++) {
		char key[8];
		snprintf(key, sizeof(key), "%u", o);
		const struct jval *r = jget(ap, key);
		u64 ok = (u64)sum_int(r, "ok", 0), ko = (u64)sum_int(r, "failed", 0);
		u64 ok2 = (u64)sum_int(r, "ok_after_compact_memory", 0);
		u64 ko2 = (u64)sum_int(r, "failed_after_compact_memory", 0);
		if (!ok && !ko)
			continue;
		t_cell(t, "%u", o);
		if (!split) {
			t_cell(t, "%llu", (unsigned long long)ok);
			t_cell(t, "%llu", (unsigned long long)ko);
			t_cell(t, "%.1f%%", 100.0 * (double)ok / (double)(ok + ko));
			continue;
		}
		u64 ok1 = ok - ok2, ko1 = ko - ko2;
		t_cell(t, "%llu", (unsigned long long)ok1);
		t_cell(t, "%llu", (unsigned long long)ko1);
		if (ok1 + ko1)
			t_cell(t, "%.1f%%", 100.0 * (double)ok1 / (double)(ok1 + ko1));
		else
			t_cell(t, "-");
		t_cell(t, "%llu", (unsigned long long)ok2);
		t_cell(t, "%llu", (unsigned long long)ko2);
		if (ok2 + ko2)
			t_cell(t, "%.1f%%", 100.0 * (double)ok2 / (double)(ok2 + ko2));
		else
			t_cell(t, "-");
	}
}

/* Memory in detail: vmstat over the run, meminfo, swap, slab, file I/O, the checkers. */
static void sec_memory_detail(struct rctx *c)
{
	struct doc *d = &c->d;
	d_head(d, 2, "Memory in detail");
	const struct jval *vs = jpath(c->s, "metrics/vmstat");
	d_head(d, 3, "vmstat over the run");
	d_para(d, "The /proc/vmstat counters that moved (the run starts from 0, so each is the "
	       "delta over the run; `vmstat.txt` has them all, `nodeN.vmstat` per node):");
	struct table *t = d_table(d, "counter|value", "lr");
	for (size_t i = 0; vs && vs->type == J_OBJ && i < vs->n; i++) {
		const struct jval *v = vs->items[i];
		if (v->type != J_NUM || (v->is_int ? v->i == 0 : v->num == 0))
			continue;
		t_cell(t, "%s", vs->keys[i]);
		t_cell(t, "%lld", (long long)(v->is_int ? v->i : (s64)v->num));
	}
	char *mi = outdir_text(c->od, "meminfo.txt", NULL);
	if (mi) {
		d_head(d, 3, "meminfo");
		d_para(d, "/proc/meminfo at the end (`nodeN.meminfo` per node):");
		d_code(d, mi);
		free(mi);
	}
	d_head(d, 3, "Swap");
	d_para(d, "Swap device: %llu pages, %llu in use at the end; %llu pages swapped out, %llu "
	       "in (pswpout, pswpin), %llu swap readahead pages of which %llu hit.",
	       U("metrics/swap/total_pages"),
	       U("metrics/swap/total_pages") - U("metrics/swap/free_pages"),
	       (unsigned long long)vm(c, "pswpout"), (unsigned long long)vm(c, "pswpin"),
	       (unsigned long long)vm(c, "swap_ra"), (unsigned long long)vm(c, "swap_ra_hit"));
	if (U("metrics/swap/io/read_requests") || U("metrics/swap/io/write_requests")) {
		char b1[32], b2[32], b3[32], b4[32];
		p_add(d, " The device as its users saw it: %llu read requests (%llu pages) took %s, "
		      "%llu write requests (%llu pages) %s, latency included; at most %llu pages "
		      "under asynchronous writeback at once; submitters waited %llu times for a free "
		      "request (%s), direct reclaim %llu times for a writeback to complete (%s).",
		      U("metrics/swap/io/read_requests"), U("metrics/swap/io/read_pages"),
		      fmt_ns(b1, sizeof(b1), U("metrics/swap/io/read_ns")),
		      U("metrics/swap/io/write_requests"), U("metrics/swap/io/write_pages"),
		      fmt_ns(b2, sizeof(b2), U("metrics/swap/io/write_ns")),
		      U("metrics/swap/io/writeback_max_pages"), U("metrics/swap/io/request_waits"),
		      fmt_ns(b3, sizeof(b3), U("metrics/swap/io/request_wait_ns")),
		      U("metrics/swap/io/throttle_waits"),
		      fmt_ns(b4, sizeof(b4), U("metrics/swap/io/throttle_wait_ns")));
	}
	const struct jval *sl = jpath(c->s, "metrics/slab");
	bool any = false;
	for (size_t i = 0; sl && sl->type == J_OBJ && i < sl->n; i++)
		any |= sum_int(sl, sl->keys[i], 0) != 0;
	if (any) {
		d_head(d, 3, "Slab");
		d_para(d, "Slab pages at the end and slab defragmentation (`slabinfo.txt`; the "
		       "figures not shown are 0):");
		t = d_table(d, "figure|value", "lr");
		for (size_t i = 0; i < sl->n; i++) {
			if (!sum_int(sl, sl->keys[i], 0))
				continue;
			t_cell(t, "%s", sl->keys[i]);
			t_cell(t, "%lld", (long long)sum_int(sl, sl->keys[i], 0));
		}
	}
	const struct jval *bdi = jpath(c->s, "metrics/bdi");
	const struct jval *ra = jpath(c->s, "metrics/readahead");
	any = false;
	for (size_t i = 0; bdi && bdi->type == J_OBJ && i < bdi->n; i++)
		any |= sum_int(bdi, bdi->keys[i], 0) != 0;
	for (size_t i = 0; ra && ra->type == J_OBJ && i < ra->n; i++)
		any |= sum_int(ra, ra->keys[i], 0) != 0;
	d_head(d, 3, "File I/O");
	if (!any) {
		d_para(d, "No file device requests and no readahead.");
	} else {
		d_para(d, "The file device (struct bdi_stats) and readahead (struct ra_stats): "
		       "requests, pages and the time their submitters saw; readahead windows by "
		       "kind and the pages they read (the figures not shown are 0).");
		t = d_table(d, "figure|value", "lr");
		for (size_t i = 0; bdi && bdi->type == J_OBJ && i < bdi->n; i++) {
			if (!sum_int(bdi, bdi->keys[i], 0))
				continue;
			t_cell(t, "bdi.%s", bdi->keys[i]);
			t_cell(t, "%lld", (long long)sum_int(bdi, bdi->keys[i], 0));
		}
		for (size_t i = 0; ra && ra->type == J_OBJ && i < ra->n; i++) {
			if (!sum_int(ra, ra->keys[i], 0))
				continue;
			t_cell(t, "readahead.%s", ra->keys[i]);
			t_cell(t, "%lld", (long long)sum_int(ra, ra->keys[i], 0));
		}
	}
	const struct jval *fc = jpath(c->s, "findings/counts");
	d_head(d, 3, "Checkers");
	u64 total = 0;
	for (size_t i = 0; fc && fc->type == J_OBJ && i < fc->n; i++)
		total += (u64)sum_int(fc, fc->keys[i], 0);
	if (!total) {
		d_para(d, "The invariant checkers and lockdep reported nothing.");
		return;
	}
	d_para(d, "Findings by type (each listed under Findings and in `findings.txt`):");
	t = d_table(d, "type|count", "lr");
	for (size_t i = 0; i < fc->n; i++) {
		u64 v = (u64)sum_int(fc, fc->keys[i], 0);
		if (!v)
			continue;
		t_cell(t, "%s", fc->keys[i]);
		t_cell(t, "%llu", (unsigned long long)v);
	}
}

static void sec_tail(struct rctx *c)
{
	struct doc *d = &c->d;
	const struct jval *nm = jpath(c->s, "events/ops_not_modelled_order");
	if (nm && nm->type == J_ARR && nm->n) {
		d_head(d, 2, "Ops not modelled yet");
		d_para(d, "These ops were skipped (counted, not simulated):");
		for (size_t i = 0; i < nm->n; i++) {
			char p[96];
			snprintf(p, sizeof(p), "events/ops_not_modelled/%s", nm->items[i]->str);
			d_list_item(d, xasprintf("%s: %llu", nm->items[i]->str, U(p)));
		}
	}
	d_head(d, 2, "Findings");
	u64 total = 0;
	const struct jval *fc = jpath(c->s, "findings/counts");
	for (size_t i = 0; fc && fc->type == J_OBJ && i < fc->n; i++)
		total += (u64)sum_int(fc, fc->keys[i], 0);
	if (!total) {
		d_para(d, "None.");
		return;
	}
	char *ft = outdir_text(c->od, "findings.txt", NULL);
	d_code(d, ft ? ft : "");
	free(ft);
}

int report_render(const struct outdir_data *od, enum report_format fmt, FILE *out, char *err,
		  size_t errlen)
{
	struct rctx c = { .od = od, .s = od->sum };
	sec_head(&c);
	sec_run(&c);
	sec_observed(&c);
	sec_workloads(&c);
	sec_injected(&c);
	sec_contention(&c);
	sec_memory(&c);
	sec_numa(&c);
	sec_fragmentation(&c);
	sec_frag_detail(&c);
	sec_reclaim(&c);
	sec_thp(&c);
	sec_hugetlb(&c);
	sec_mempolicy(&c);
	sec_pagecache(&c);
	sec_khugepaged(&c);
	sec_highalloc(&c);
	sec_alloc_pages(&c);
	sec_memory_detail(&c);
	sec_tail(&c);
	if (c.failed) {
		snprintf(err, errlen, "%s", c.err);
		doc_free(&c.d);
		return -1;
	}
	if (fmt == REPORT_MD)
		w_md(&c.d, out);
	else if (fmt == REPORT_TEXT)
		w_text(&c.d, out);
	else
		w_json(&c.d, out);
	doc_free(&c.d);
	return 0;
}

/* ---- mmsim report ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: mmsim report DIR [--format md|text|json|html] [-o FILE]\n"
		   "  The report of a run's out dir, from its files only (summary.json, the CSVs,\n"
		   "  the /proc-format files): contention (lock classes by total wait, quantiles,\n"
		   "  who waited on whom, per process, lock order), fragmentation (per zone and\n"
		   "  order over time, migratetypes, compaction), memory (vmstat, meminfo, NUMA,\n"
		   "  swap, hugetlb, THP/khugepaged, mempolicy, slab, file I/O, findings).\n"
		   "  --format md    markdown, as report.md (default)\n"
		   "  --format text  plain text, aligned columns\n"
		   "  --format json  the same figures as JSON (numbers as numbers)\n"
		   "  --format html  one self-contained page (no network): gnuplot SVG plots and\n"
		   "                 tables sorted by a click on a header; needs gnuplot\n"
		   "  -o FILE        write FILE (atomically) instead of stdout\n"
		   "  Exit 2: bad arguments, DIR not an out dir, a missing or malformed file, or a\n"
		   "  summary.json of another schema version.\n");
}

static int html_report_cb(void *arg, FILE *f, char *err, size_t errlen)
{
	return html_report(arg, f, err, errlen);
}

int report_main(int argc, char **argv)
{
	const char *dir = NULL, *outp = NULL, *fmt_s = "md";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim report: %s needs a value\n", argv[i]);
				return 2;
			}
			if (!strcmp(argv[i], "-o"))
				outp = argv[++i];
			else
				fmt_s = argv[++i];
		} else if (!strncmp(argv[i], "--format=", 9)) {
			fmt_s = argv[i] + 9;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mmsim report: unknown option %s (mmsim report --help)\n",
				argv[i]);
			return 2;
		} else if (!dir) {
			dir = argv[i];
		} else {
			fprintf(stderr, "mmsim report: one out dir only (got %s and %s)\n", dir,
				argv[i]);
			return 2;
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	enum report_format fmt;
	if (!strcmp(fmt_s, "md"))
		fmt = REPORT_MD;
	else if (!strcmp(fmt_s, "text"))
		fmt = REPORT_TEXT;
	else if (!strcmp(fmt_s, "json"))
		fmt = REPORT_JSON;
	else if (!strcmp(fmt_s, "html"))
		fmt = REPORT_HTML;
	else {
		fprintf(stderr, "mmsim report: --format %s: expected md, text, json or html\n", fmt_s);
		return 2;
	}
	char err[1024];
	if (fmt == REPORT_HTML) {
		/* html.c reads the out dir itself and renders through gnuplot */
		int hrc = outp ? html_write_file(outp, html_report_cb, (void *)dir, err, sizeof(err))
			       : html_report(dir, stdout, err, sizeof(err));
		if (hrc)
			fprintf(stderr, "mmsim report: %s\n", err);
		return hrc;
	}
	struct outdir_data *od = outdir_load(dir, err, sizeof(err));
	if (!od) {
		fprintf(stderr, "mmsim report: %s\n", err);
		return 2;
	}
	/* render into memory first: a bad file leaves no partial output */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc = report_render(od, fmt, m, err, sizeof(err));
	fclose(m);
	outdir_free(od);
	if (rc) {
		fprintf(stderr, "mmsim report: %s\n", err);
		free(buf);
		return 2;
	}
	if (!outp) {
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	char *tmp = xasprintf("%s.tmp.%ld", outp, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0 || rename(tmp, outp) != 0) {
		fprintf(stderr, "mmsim report: %s: %s\n", outp, strerror(errno));
		unlink(tmp);
		free(tmp);
		free(buf);
		return 2;
	}
	free(tmp);
	free(buf);
	return 0;
}
