/* compare.c - `mmsim compare`: key metrics of several runs side by side (mmtests'
 * compare style: the first run is the baseline, the others with their percent change),
 * or of every point of a sweep (a table, a CSV, and gnuplot plots of a metric against
 * each numeric swept knob, one line per combination of the other knobs, averaged over
 * seeds). Reads out dirs only: each run's summary.json. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/outdir_read.h"
#include "analysis/compare.h"
#include "analysis/html.h"
#include "analysis/json_read.h"

#define EXIT_BAD_INPUT 2

/* ---- metrics ---- */

static double sum_members(const struct jval *obj, const char *field, const char *prefix)
{
	double s = 0;
	if (!obj || obj->type != J_OBJ)
		return NAN;
	for (size_t i = 0; i < obj->n; i++)
		if (!prefix || !strncmp(obj->keys[i], prefix, strlen(prefix)))
			s += jnum(obj->items[i], field, 0);
	return s;
}

static double m_lock_wait(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "wait_total_ns", NULL);
}

static double m_contentions(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "contentions", NULL);
}

static double m_acquisitions(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "acquisitions", NULL);
}

static double m_cross_node(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "cross_node_bounces", NULL);
}

static double m_lock_hold(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "hold_total_ns", NULL);
}

static double m_lock_wait_max(const struct jval *s)
{
	const struct jval *l = jpath(s, "metrics/locks");
	double mx = NAN;
	for (size_t i = 0; l && l->type == J_OBJ && i < l->n; i++) {
		double v = jnum(l->items[i], "wait_max_ns", NAN);
		if (!isnan(v) && (isnan(mx) || v > mx))
			mx = v;
	}
	return mx;
}

static double m_free_o9(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/zones"), "free_o9_blocks", NULL);
}

static double m_swap_used(const struct jval *s)
{
	return jnum(s, "metrics/swap/total_pages", NAN) - jnum(s, "metrics/swap/free_pages", NAN);
}

static double m_mmap_lock_wait(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/locks"), "wait_total_ns", "&mm->mmap_lock");
}

static double m_free_pages(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/zones"), "free_pages", NULL);
}

static double m_polluted(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/zones"), "polluted_pageblocks", NULL);
}

/* Allocations of order >= 1 that succeeded, in percent of those attempted. */
static double m_highorder_ok(const struct jval *s)
{
	const struct jval *z = jpath(s, "metrics/zones");
	double att = 0, ok = 0;
	for (size_t i = 0; z && z->type == J_OBJ && i < z->n; i++) {
		const struct jval *a = jget(z->items[i], "allocations_by_order");
		for (size_t k = 0; a && a->type == J_OBJ && k < a->n; k++) {
			if (atoi(a->keys[k]) < 1)
				continue;
			att += jnum(a->items[k], "attempts", 0);
			ok += jnum(a->items[k], "success", 0);
		}
	}
	return att ? 100.0 * ok / att : NAN;
}

static double m_unusable_o9(const struct jval *s)
{
	const struct jval *z = jpath(s, "metrics/zones");
	double mx = NAN;
	for (size_t i = 0; z && z->type == J_OBJ && i < z->n; i++) {
		double v = jnum(z->items[i], "unusable_index_o9", NAN);
		if (!isnan(v) && (isnan(mx) || v > mx))
			mx = v;
	}
	return mx;
}

static double m_allocstall(const struct jval *s)
{
	return sum_members(jpath(s, "metrics/vmstat"), "", "allocstall_");
}

static double m_findings(const struct jval *s)
{
	return sum_members(jpath(s, "findings/counts"), "", NULL);
}

struct metric {
	const char *group, *label, *path;  /* path: a number in summary.json, or fn */
	double (*fn)(const struct jval *s);
	bool plot;                          /* drawn against swept knobs by default */
};

static const struct metric key_metrics[] = {
	{ "contention", "lock wait total (ns)", NULL, m_lock_wait, true },
	{ "contention", "lock contentions", NULL, m_contentions, false },
	{ "contention", "lock acquisitions", NULL, m_acquisitions, false },
	{ "contention", "mmap_lock wait (ns)", NULL, m_mmap_lock_wait, false },
	{ "contention", "cross-node bounces", NULL, m_cross_node, false },
	{ "contention", "lock wait max (ns)", NULL, m_lock_wait_max, false },
	{ "contention", "lock hold total (ns)", NULL, m_lock_hold, false },
	{ "fragmentation", "free pages", NULL, m_free_pages, false },
	{ "fragmentation", "high-order allocations ok (%)", NULL, m_highorder_ok, true },
	{ "fragmentation", "polluted pageblocks", NULL, m_polluted, false },
	{ "fragmentation", "unusable index o9 (max)", NULL, m_unusable_o9, false },
	{ "fragmentation", "compact_stall", "metrics/vmstat/compact_stall", NULL, false },
	{ "fragmentation", "compact_success", "metrics/vmstat/compact_success", NULL, false },
	{ "fragmentation", "free order-9 blocks", NULL, m_free_o9, false },
	{ "fragmentation", "compact_migrate_scanned", "metrics/vmstat/compact_migrate_scanned", NULL,
	  false },
	{ "fragmentation", "kcompactd wakeups", "metrics/vmstat/compact_daemon_wake", NULL, false },
	{ "memory", "simulated time (ns)", "simulated_ns", NULL, true },
	{ "memory", "page faults", "metrics/faults", NULL, true },
	{ "memory", "pswpin", "metrics/vmstat/pswpin", NULL, false },
	{ "memory", "pswpout", "metrics/vmstat/pswpout", NULL, true },
	{ "memory", "allocstall", NULL, m_allocstall, false },
	{ "memory", "swap pages in use", NULL, m_swap_used, false },
	{ "memory", "hugetlb faults", "metrics/hugetlb/faults", NULL, false },
	{ "memory", "hugetlb SIGBUS", "metrics/hugetlb/sigbus", NULL, false },
	{ "memory", "thp_fault_alloc", "metrics/vmstat/thp_fault_alloc", NULL, false },
	{ "memory", "file device reads", "metrics/bdi/reads", NULL, false },
	{ "memory", "readahead pages", "metrics/readahead/pages_read", NULL, false },
	{ "memory", "oom kills", "metrics/oom_kills", NULL, false },
	{ "memory", "findings", NULL, m_findings, false },
};

struct mset {
	struct metric *m;
	unsigned nr;
};

static double metric_value(const struct metric *m, const struct jval *s)
{
	if (m->fn)
		return m->fn(s);
	const struct jval *v = jpath(s, m->path);
	if (!v)
		return NAN;
	if (v->type == J_BOOL)
		return v->b;
	return v->type == J_NUM ? v->num : NAN;
}

static void fmt_value(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* ---- runs ---- */

struct run {
	char *dir;
	struct jval *sum;
	char **keys, **vals;       /* a sweep point's overrides (.sweep-point) */
	unsigned nr_kv;
};

static int load_run(struct run *r, const char *dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->dir = xstrdup(dir);
	char *path = xasprintf("%s/summary.json", dir);
	r->sum = jparse_file(path, err, errlen);
	free(path);
	if (!r->sum)
		return -1;
	const struct jval *sv = jget(r->sum, "schema_version");
	if (!sv || sv->type != J_NUM || sv->num < 1 || sv->num > OUTDIR_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s/summary.json: schema_version %s: this mmsim reads "
			 "versions 1..%d (written by another mmsim version?)", dir,
			 sv && sv->type == J_NUM ? "unknown" : "missing", OUTDIR_SCHEMA_VERSION);
		return -1;
	}
	const struct jval *p = jget(r->sum, "partial");
	if (p && p->type == J_BOOL && p->b)
		fprintf(stderr, "mmsim compare: warning: %s is a partial run (stopped early)\n", dir);
	return 0;
}

/* A sweep point's overrides: DIR/.sweep-point holds the base path, then key=value lines. */
static void load_overrides(struct run *r)
{
	char *path = xasprintf("%s/.sweep-point", r->dir);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return;
	char line[4096];
	bool first = true;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *eq = strchr(line, '=');
		if (first || !eq) {
			first = false;
			continue;
		}
		*eq = 0;
		r->keys = xrealloc(r->keys, (r->nr_kv + 1) * sizeof(*r->keys));
		r->vals = xrealloc(r->vals, (r->nr_kv + 1) * sizeof(*r->vals));
		r->keys[r->nr_kv] = xstrdup(line);
		r->vals[r->nr_kv] = xstrdup(eq + 1);
		r->nr_kv++;
	}
	fclose(f);
}

static const char *override(const struct run *r, const char *key)
{
	for (unsigned i = 0; i < r->nr_kv; i++)
		if (!strcmp(r->keys[i], key))
			return r->vals[i];
	return NULL;
}

static void free_run(struct run *r)
{
	free(r->dir);
	jfree(r->sum);
	for (unsigned i = 0; i < r->nr_kv; i++) {
		free(r->keys[i]);
		free(r->vals[i]);
	}
	free(r->keys);
	free(r->vals);
}

/* The scenario value of a knob as the run's summary.json states it. */
static const char *knob_value(const struct run *r, const char *key, char *buf, size_t len)
{
	const struct jval *v = jget(jget(r->sum, "scenario"), key);
	if (!v)
		return NULL;
	if (v->type == J_STR)
		return v->str;
	if (v->type == J_NUM)
		fmt_value(buf, len, v->num);
	else
		jtext(v, buf, len);
	return buf;
}

/* mmtests' style: baseline value, then each run's value with its change in percent. */
static void compare_runs(FILE *f, struct run *runs, unsigned nr, const struct mset *ms)
{
	fprintf(f, "mmsim compare: %u runs, the first is the baseline\n", nr);
	for (unsigned i = 0; i < nr; i++)
		fprintf(f, "  run %u: %s\n", i + 1, runs[i].dir);
	/* knobs that differ */
	const struct jval *scn = jget(runs[0].sum, "scenario");
	bool any = false;
	for (size_t k = 0; scn && scn->type == J_OBJ && k < scn->n; k++) {
		char b0[4096], bi[4096];
		const char *v0 = knob_value(&runs[0], scn->keys[k], b0, sizeof(b0));
		bool differs = false;
		for (unsigned i = 1; i < nr; i++) {
			const char *vi = knob_value(&runs[i], scn->keys[k], bi, sizeof(bi));
			if (!v0 || !vi || strcmp(v0, vi))
				differs = true;
		}
		if (!differs || !strcmp(scn->keys[k], "path"))
			continue;
		if (!any)
			fprintf(f, "knobs that differ:\n");
		any = true;
		fprintf(f, "  %-40s", scn->keys[k]);
		for (unsigned i = 0; i < nr; i++) {
			const char *vi = knob_value(&runs[i], scn->keys[k], bi, sizeof(bi));
			fprintf(f, " %s%.60s%s", i ? "| " : "", vi ? vi : "(unset)",
				vi && strlen(vi) > 60 ? "..." : "");
		}
		fprintf(f, "\n");
	}
	if (!any)
		fprintf(f, "knobs that differ: none (same scenario and knobs)\n");
	fprintf(f, "\n%-32s %14s", "", "run 1");
	for (unsigned i = 1; i < nr; i++) {
		char h[16];
		snprintf(h, sizeof(h), "run %u", i + 1);
		fprintf(f, " %14s %-10s", h, "");
	}
	fprintf(f, "\n");
	const char *group = NULL;
	for (unsigned m = 0; m < ms->nr; m++) {
		const struct metric *mt = &ms->m[m];
		if (!group || strcmp(group, mt->group)) {
			group = mt->group;
			fprintf(f, "%s\n", group);
		}
		double base = metric_value(mt, runs[0].sum);
		char b[48];
		fmt_value(b, sizeof(b), base);
		fprintf(f, "  %-30s %14s", mt->label, b);
		for (unsigned i = 1; i < nr; i++) {
			double v = metric_value(mt, runs[i].sum);
			fmt_value(b, sizeof(b), v);
			char pct[24];
			if (isnan(v) || isnan(base))
				pct[0] = 0;
			else if (base == 0)
				snprintf(pct, sizeof(pct), v == 0 ? "(  0.00%%)" : "(    new)");
			else
				snprintf(pct, sizeof(pct), "(%+7.2f%%)", 100.0 * (v - base) / fabs(base));
			fprintf(f, " %14s %-10s", b, pct);
		}
		fprintf(f, "\n");
	}
}

/* The same comparison as one self-contained HTML page: the runs, the knobs that differ,
 * the metrics with their change (a sortable table) and a gnuplot bar chart of the
 * changes. */
struct html_cmp {
	struct run *runs;
	unsigned nr;
	const struct mset *ms;
};

static double pct_change(double base, double v)
{
	if (isnan(v) || isnan(base) || base == 0)
		return NAN;
	return 100.0 * (v - base) / fabs(base);
}

static void html_td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_esc(f, s);
	fputs("</td>", f);
}

static int compare_runs_html(void *arg, FILE *f, char *err, size_t errlen)
{
	const struct html_cmp *hc = arg;
	struct run *runs = hc->runs;
	unsigned nr = hc->nr;
	const struct mset *ms = hc->ms;
	struct gplot *gp = gplot_open(err, errlen);
	if (!gp)
		return EXIT_BAD_INPUT;
	char title[64];
	snprintf(title, sizeof(title), "mmsim compare: %u runs", nr);
	html_begin(f, title);
	fputs("<p>The first run is the baseline; the others show their change in percent "
	      "(mmtests' compare style). Click a table header to sort.</p>\n"
	      "<table class=\"sortable\" id=\"table-runs\">\n<thead><tr><th>run</th><th>out dir</th>"
	      "<th>scenario</th><th>seed</th><th>simulated time (s)</th></tr></thead>\n<tbody>\n", f);
	for (unsigned i = 0; i < nr; i++) {
		const struct jval *p = jpath(runs[i].sum, "scenario/path");
		const struct jval *sd = jpath(runs[i].sum, "scenario/seed");
		fprintf(f, "<tr><td data-v=\"%u\">run %u</td>", i + 1, i + 1);
		html_td(f, runs[i].dir);
		html_td(f, p && p->type == J_STR ? p->str : "-");
		html_td(f, sd && sd->type == J_STR ? sd->str : "-");
		double ns = jnum(runs[i].sum, "simulated_ns", NAN);
		fprintf(f, "<td class=\"n\" data-v=\"%.17g\">%.6f</td></tr>\n", ns / 1e9, ns / 1e9);
	}
	fputs("</tbody>\n</table>\n<h2>Knobs that differ</h2>\n", f);
	const struct jval *scn = jget(runs[0].sum, "scenario");
	bool any = false;
	for (size_t k = 0; scn && scn->type == J_OBJ && k < scn->n; k++) {
		char b0[4096], bi[4096];
		const char *v0 = knob_value(&runs[0], scn->keys[k], b0, sizeof(b0));
		bool differs = false;
		for (unsigned i = 1; i < nr; i++) {
			const char *vi = knob_value(&runs[i], scn->keys[k], bi, sizeof(bi));
			if (!v0 || !vi || strcmp(v0, vi))
				differs = true;
		}
		if (!differs || !strcmp(scn->keys[k], "path"))
			continue;
		if (!any) {
			fputs("<table class=\"sortable\" id=\"table-knobs\">\n<thead><tr><th>knob</th>", f);
			for (unsigned i = 0; i < nr; i++)
				fprintf(f, "<th>run %u</th>", i + 1);
			fputs("</tr></thead>\n<tbody>\n", f);
		}
		any = true;
		fputs("<tr>", f);
		html_td(f, scn->keys[k]);
		for (unsigned i = 0; i < nr; i++) {
			const char *vi = knob_value(&runs[i], scn->keys[k], bi, sizeof(bi));
			html_td(f, vi ? vi : "(unset)");
		}
		fputs("</tr>\n", f);
	}
	fputs(any ? "</tbody>\n</table>\n" : "<p>None: the same scenario and knobs.</p>\n", f);
	/* the metrics */
	fputs("<h2>Key metrics</h2>\n<table class=\"sortable\" id=\"table-metrics\">\n<thead><tr>"
	      "<th>group</th><th>metric</th><th>run 1</th>", f);
	for (unsigned i = 1; i < nr; i++)
		fprintf(f, "<th>run %u</th><th>run %u change %%</th>", i + 1, i + 1);
	fputs("</tr></thead>\n<tbody>\n", f);
	const char *dat;
	FILE *d = gplot_data(gp, "changes.dat", &dat);
	unsigned nbars = 0;
	for (unsigned m = 0; m < ms->nr; m++) {
		const struct metric *mt = &ms->m[m];
		double base = metric_value(mt, runs[0].sum);
		char b[48];
		fputs("<tr>", f);
		html_td(f, mt->group);
		html_td(f, mt->label);
		fmt_value(b, sizeof(b), base);
		fprintf(f, "<td class=\"n\" data-v=\"%s\">%s</td>", isnan(base) ? "" : b, b);
		bool bar = false;
		for (unsigned i = 1; i < nr; i++) {
			double v = metric_value(mt, runs[i].sum), pc = pct_change(base, v);
			fmt_value(b, sizeof(b), v);
			fprintf(f, "<td class=\"n\" data-v=\"%s\">%s</td>", isnan(v) ? "" : b, b);
			if (isnan(pc))
				fprintf(f, "<td class=\"n\" data-v=\"\">%s</td>",
					!isnan(v) && base == 0 && v != 0 ? "new" : "-");
			else
				fprintf(f, "<td class=\"n%s\" data-v=\"%.17g\">%+.2f%%</td>",
					pc > 0 ? " up" : pc < 0 ? " down" : "", pc, pc);
			bar |= !isnan(pc) && pc != 0;
		}
		fputs("</tr>\n", f);
		if (d && bar) {
			/* a row per metric that changed: label, then each run's change */
			fputc('"', d);
			for (const char *c = mt->label; *c; c++)
				if (*c != '"' && *c != '\\')
					fputc(*c, d);
			fputc('"', d);
			for (unsigned i = 1; i < nr; i++) {
				double pc = pct_change(base, metric_value(mt, runs[i].sum));
				fprintf(d, isnan(pc) ? " 0" : " %.17g", pc);
			}
			fputc('\n', d);
			nbars++;
		}
	}
	fputs("</tbody>\n</table>\n<h2>Changes against run 1</h2>\n", f);
	int rc = 0;
	if (d)
		fclose(d);
	if (!d) {
		snprintf(err, errlen, "cannot write plot data: %s", strerror(errno));
		rc = 1;
	} else if (!nbars) {
		fputs("<p class=\"note\">No metric changed between the runs.</p>\n", f);
	} else {
		char *script = NULL;
		size_t len = 0;
		FILE *s = open_memstream(&script, &len);
		fprintf(s, "set title 'change of each metric against run 1 (%%)' noenhanced\n"
			   "set style data histograms\nset style histogram clustered gap 1\n"
			   "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
			   "set xtics rotate by -40 noenhanced\nset ylabel 'change (%%)'\nset grid ytics\n"
			   "set key top right\nset xzeroaxis lt -1\nset bmargin 9\nplot ");
		for (unsigned i = 1; i < nr; i++)
			fprintf(s, "%s'%s' using %u:xtic(1) title 'run %u'", i > 1 ? ", " : "", dat,
				i + 1, i + 1);
		fputs("\n", s);
		fclose(s);
		if (gplot_figure(gp, f, "changes", "Change of each metric that changed, in percent "
				 "of run 1 (a metric new in a run, or absent, is drawn at 0).", 900, 480,
				 script, err, errlen) < 0)
			rc = 1;
		free(script);
	}
	html_end(f);
	gplot_close(gp);
	return rc;
}

/* ---- sweeps ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys whose values vary across the points (seed apart), in first-seen order. */
static unsigned varying_keys(struct run *pts, unsigned nr, char ***out)
{
	char **keys = NULL;
	unsigned nk = 0;
	for (unsigned i = 0; i < nr; i++)
		for (unsigned k = 0; k < pts[i].nr_kv; k++) {
			const char *key = pts[i].keys[k];
			bool seen = false;
			for (unsigned j = 0; j < nk; j++)
				seen |= !strcmp(keys[j], key);
			if (seen || !strcmp(key, "seed"))
				continue;
			const char *v0 = override(&pts[0], key);
			bool varies = false;
			for (unsigned j = 0; j < nr; j++) {
				const char *vj = override(&pts[j], key);
				if (!v0 || !vj || strcmp(v0, vj))
					varies = true;
			}
			if (!varies)
				continue;
			keys = xrealloc(keys, (nk + 1) * sizeof(*keys));
			keys[nk++] = xstrdup(key);
		}
	*out = keys;
	return nk;
}

static bool numeric(const char *s, double *v)
{
	char *e;
	if (!s || !*s)
		return false;
	*v = strtod(s, &e);
	return !*e && isfinite(*v);
}

static void csv_field(FILE *f, const char *s)
{
	bool q = strpbrk(s, ",\"\n") != NULL;
	if (!q) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void sweep_csv(FILE *csv, struct run *pts, unsigned nr, char **keys, unsigned nk,
		      const struct mset *ms)
{
	fprintf(csv, "point");
	for (unsigned k = 0; k < nk; k++) {
		fputc(',', csv);
		csv_field(csv, keys[k]);
	}
	fprintf(csv, ",seed");
	for (unsigned m = 0; m < ms->nr; m++) {
		fputc(',', csv);
		csv_field(csv, ms->m[m].label);
	}
	fprintf(csv, "\n");
	for (unsigned i = 0; i < nr; i++) {
		const char *slash = strrchr(pts[i].dir, '/');
		csv_field(csv, slash ? slash + 1 : pts[i].dir);
		for (unsigned k = 0; k < nk; k++) {
			fputc(',', csv);
			const char *v = override(&pts[i], keys[k]);
			csv_field(csv, v ? v : "");
		}
		const char *seed = override(&pts[i], "seed");
		fprintf(csv, ",%s", seed ? seed : "");
		for (unsigned m = 0; m < ms->nr; m++) {
			char b[48];
			fmt_value(b, sizeof(b), metric_value(&ms->m[m], pts[i].sum));
			fprintf(csv, ",%s", strcmp(b, "-") ? b : "");
		}
		fprintf(csv, "\n");
	}
}

/* The text table: one row per point with the plotted metrics. */
static void sweep_txt(FILE *txt, struct run *pts, unsigned nr, const struct mset *ms)
{
	size_t w = 5;
	for (unsigned i = 0; i < nr; i++) {
		const char *slash = strrchr(pts[i].dir, '/');
		w = max(w, strlen(slash ? slash + 1 : pts[i].dir));
	}
	fprintf(txt, "%-*s", (int)w, "point");
	for (unsigned m = 0; m < ms->nr; m++)
		if (ms->m[m].plot)
			fprintf(txt, "  %*s", (int)max(strlen(ms->m[m].label), (size_t)12),
				ms->m[m].label);
	fprintf(txt, "\n");
	for (unsigned i = 0; i < nr; i++) {
		const char *slash = strrchr(pts[i].dir, '/');
		fprintf(txt, "%-*s", (int)w, slash ? slash + 1 : pts[i].dir);
		for (unsigned m = 0; m < ms->nr; m++) {
			if (!ms->m[m].plot)
				continue;
			char b[48];
			fmt_value(b, sizeof(b), metric_value(&ms->m[m], pts[i].sum));
			fprintf(txt, "  %*s", (int)max(strlen(ms->m[m].label), (size_t)12), b);
		}
		fprintf(txt, "\n");
	}
}

/* A file-name form of a label: runs of other characters become one '_'. */
static void slug(char *out, size_t len, const char *s)
{
	size_t o = 0;
	for (; *s && o + 1 < len; s++) {
		bool keep = isalnum((unsigned char)*s) || *s == '.' || *s == '-';
		if (keep)
			out[o++] = *s;
		else if (o && out[o - 1] != '_')
			out[o++] = '_';
	}
	while (o && out[o - 1] == '_')
		o--;
	out[o] = 0;
}

/* One plot: metric m against numeric knob keys[x]; one line per combination of the
 * other varying knobs; points averaged over seeds. Returns 0, or -1 when gnuplot fails. */
static int plot(const char *outdir, struct run *pts, unsigned nr, char **keys, unsigned nk,
		unsigned x, const struct metric *m, const char *gnuplot)
{
	/* series labels */
	char **labels = xcalloc(nr, sizeof(*labels));
	for (unsigned i = 0; i < nr; i++) {
		char buf[1024] = "";
		size_t o = 0;
		for (unsigned k = 0; k < nk; k++)
			if (k != x)
				if (o < sizeof(buf)) {
					const char *v = override(&pts[i], keys[k]);
					o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s=%s",
							      o ? "," : "", keys[k], v ? v : "");
				}
		labels[i] = xstrdup(o ? buf : "all points");
	}
	char **uniq = xcalloc(nr, sizeof(*uniq));
	memcpy(uniq, labels, nr * sizeof(*uniq));
	qsort(uniq, nr, sizeof(*uniq), cmp_str);
	unsigned nu = 0;
	for (unsigned i = 0; i < nr; i++)
		if (!nu || strcmp(uniq[nu - 1], uniq[i]))
			uniq[nu++] = uniq[i];
	char ms[96], ks[96];
	slug(ms, sizeof(ms), m->label);
	slug(ks, sizeof(ks), keys[x]);
	char *dat = xasprintf("%s/plots/%s-vs-%s.dat", outdir, ms, ks);
	char *gp = xasprintf("%s/plots/%s-vs-%s.gp", outdir, ms, ks);
	char *svg = xasprintf("%s/plots/%s-vs-%s.svg", outdir, ms, ks);
	FILE *d = fopen(dat, "w"), *g = fopen(gp, "w");
	int rc = -1;
	if (!d || !g)
		goto out;
	for (unsigned u = 0; u < nu; u++) {
		/* x values of this series, sorted, each the mean over its points */
		double xs[1024];
		unsigned nx = 0;
		for (unsigned i = 0; i < nr && nx < ARRAY_SIZE(xs); i++) {
			double xv;
			if (strcmp(labels[i], uniq[u]) || !numeric(override(&pts[i], keys[x]), &xv))
				continue;
			bool seen = false;
			for (unsigned j = 0; j < nx; j++)
				seen |= xs[j] == xv;
			if (!seen)
				xs[nx++] = xv;
		}
		for (unsigned a = 1; a < nx; a++)
			for (unsigned b = a; b > 0 && xs[b - 1] > xs[b]; b--) {
				double t = xs[b];
				xs[b] = xs[b - 1];
				xs[b - 1] = t;
			}
		fprintf(d, "# %s\n", uniq[u]);
		for (unsigned j = 0; j < nx; j++) {
			double sum = 0;
			unsigned cnt = 0;
			for (unsigned i = 0; i < nr; i++) {
				double xv, v;
				if (strcmp(labels[i], uniq[u]) || !numeric(override(&pts[i], keys[x]), &xv) ||
				    xv != xs[j] || isnan(v = metric_value(m, pts[i].sum)))
					continue;
				sum += v;
				cnt++;
			}
			if (cnt)
				fprintf(d, "%.17g %.17g %u\n", xs[j], sum / cnt, cnt);
		}
		fprintf(d, "\n\n");
	}
	fprintf(g, "set terminal svg size 800,500 dynamic enhanced font 'sans,11' background '#ffffff'\n"
		   "set output '%s'\nset title \"%s against %s\" noenhanced\n"
		   "set xlabel \"%s\" noenhanced\nset ylabel \"%s (mean over seeds)\" noenhanced\n"
		   "set key below noenhanced\nset grid\nset offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05\n", svg, m->label, keys[x], keys[x],
		m->label);
	fprintf(g, "plot ");
	for (unsigned u = 0; u < nu; u++)
		fprintf(g, "%s'%s' index %u using 1:2 with linespoints title \"%s\"", u ? ", " : "",
			dat, u, uniq[u]);
	fprintf(g, "\n");
	fclose(d);
	fclose(g);
	d = g = NULL;
	char *cmd = xasprintf("'%s' '%s' 2>&1", gnuplot, gp);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (p) {
		char line[512], first[512] = "";
		while (fgets(line, sizeof(line), p))
			if (!first[0])
				snprintf(first, sizeof(first), "%s", line);
		int st = pclose(p);
		rc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
		if (rc && first[0])   /* warnings of a plot that worked are not news */
			fprintf(stderr, "mmsim compare: gnuplot: %s", first);
	}
out:
	if (d)
		fclose(d);
	if (g)
		fclose(g);
	free(dat);
	free(gp);
	free(svg);
	for (unsigned i = 0; i < nr; i++)
		free(labels[i]);
	free(labels);
	free(uniq);
	return rc;
}

static int compare_sweep(const char *dir, const char *outdir, const struct mset *ms)
{
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "mmsim compare: %s: cannot open: %s\n", dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	char **names = NULL;
	unsigned nn = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		char *sp = xasprintf("%s/%s/.sweep-point", dir, de->d_name);
		char *sj = xasprintf("%s/%s/summary.json", dir, de->d_name);
		if (!access(sp, R_OK) && !access(sj, R_OK)) {
			names = xrealloc(names, (nn + 1) * sizeof(*names));
			names[nn++] = xstrdup(de->d_name);
		}
		free(sp);
		free(sj);
	}
	closedir(dh);
	if (!nn) {
		fprintf(stderr, "mmsim compare: %s: no complete sweep point (a DIR/POINT with "
				"summary.json and .sweep-point, as mmsim sweep writes)\n", dir);
		return EXIT_BAD_INPUT;
	}
	qsort(names, nn, sizeof(*names), cmp_str);
	struct run *pts = xcalloc(nn, sizeof(*pts));
	int rc = 0;
	for (unsigned i = 0; i < nn && !rc; i++) {
		char err[512];
		char *pd = xasprintf("%s/%s", dir, names[i]);
		if (load_run(&pts[i], pd, err, sizeof(err)) < 0) {
			fprintf(stderr, "mmsim compare: %s\n", err);
			rc = EXIT_BAD_INPUT;
		}
		load_overrides(&pts[i]);
		free(pd);
	}
	char **keys = NULL;
	unsigned nk = 0;
	if (!rc)
		nk = varying_keys(pts, nn, &keys);
	char *plots = xasprintf("%s/plots", outdir);
	if (!rc && ((mkdir(outdir, 0777) < 0 && errno != EEXIST) ||
		    (mkdir(plots, 0777) < 0 && errno != EEXIST))) {
		fprintf(stderr, "mmsim compare: -o %s: cannot create: %s\n", outdir, strerror(errno));
		rc = 1;
	}
	if (!rc) {
		char *csvp = xasprintf("%s/compare.csv", outdir);
		char *txtp = xasprintf("%s/compare.txt", outdir);
		FILE *csv = fopen(csvp, "w"), *txt = fopen(txtp, "w");
		if (!csv || !txt) {
			fprintf(stderr, "mmsim compare: cannot write %s: %s\n", csvp, strerror(errno));
			rc = 1;
		} else {
			sweep_csv(csv, pts, nn, keys, nk, ms);
			sweep_txt(txt, pts, nn, ms);
			sweep_txt(stdout, pts, nn, ms);
		}
		if (csv && fclose(csv))
			rc = 1;
		if (txt && fclose(txt))
			rc = 1;
		free(csvp);
		free(txtp);
	}
	unsigned nplots = 0;
	const char *gnuplot = getenv("MMSIM_GNUPLOT");
	if (!gnuplot)
		gnuplot = "gnuplot";
	for (unsigned x = 0; x < nk && !rc; x++) {
		bool num = true;
		unsigned distinct = 0;
		for (unsigned i = 0; i < nn; i++) {
			double v;
			num &= numeric(override(&pts[i], keys[x]), &v);
			bool seen = false;
			const char *vi = override(&pts[i], keys[x]);
			for (unsigned j = 0; j < i; j++) {
				const char *vj = override(&pts[j], keys[x]);
				seen |= vi && vj && !strcmp(vi, vj);
			}
			distinct += !seen;
		}
		if (!num || distinct < 2)
			continue;
		for (unsigned m = 0; m < ms->nr && !rc; m++) {
			if (!ms->m[m].plot)
				continue;
			bool data = false;
			for (unsigned i = 0; i < nn; i++)
				data |= !isnan(metric_value(&ms->m[m], pts[i].sum));
			if (!data)
				continue;   /* e.g. no high-order allocation in any point */
			if (plot(outdir, pts, nn, keys, nk, x, &ms->m[m], gnuplot) < 0) {
				fprintf(stderr, "mmsim compare: gnuplot (%s) failed: plots need gnuplot "
						"(Debian: gnuplot-nox)\n", gnuplot);
				rc = 1;
			}
			nplots++;
		}
	}
	if (!rc)
		fprintf(stderr, "mmsim compare: %u points, %u swept knob%s; wrote %s/compare.csv, "
				"%s/compare.txt and %u plot%s in %s/plots\n", nn, nk, nk == 1 ? "" : "s",
			outdir, outdir, nplots, nplots == 1 ? "" : "s", outdir);
	free(plots);
	for (unsigned k = 0; k < nk; k++)
		free(keys[k]);
	free(keys);
	for (unsigned i = 0; i < nn; i++) {
		free_run(&pts[i]);
		free(names[i]);
	}
	free(pts);
	free(names);
	return rc;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: mmsim compare DIR_A DIR_B [DIR...] [--metric PATH]... [--format text|html]\n"
		"                     [-o FILE]\n"
		"       mmsim compare SWEEP_DIR [-o OUT] [--metric PATH]...\n"
		"\n"
		"Runs: the key metrics of two or more out dirs side by side, grouped as contention,\n"
		"fragmentation and memory, the first run the baseline and the others with their\n"
		"change in percent (mmtests' compare style), after the knobs that differ.\n"
		"--format html writes the same as one self-contained HTML page (sortable tables,\n"
		"a gnuplot bar chart of the changes) to stdout or to -o FILE.\n"
		"Sweep (one directory written by mmsim sweep): a row per point with its swept knobs\n"
		"and every key metric in OUT/compare.csv (default OUT: SWEEP_DIR/compare), the\n"
		"plotted metrics in OUT/compare.txt and on stdout, and SVG plots by gnuplot in\n"
		"OUT/plots: each plotted metric against each numeric swept knob, one line per\n"
		"combination of the other swept knobs, averaged over seeds.\n"
		"--metric PATH adds a number of summary.json by its '/'-separated path, e.g.\n"
		"metrics/vmstat/thp_fault_alloc (plotted too).\n");
}

int compare_main(int argc, char **argv)
{
	char **dirs = NULL;
	unsigned nd = 0;
	const char *out = NULL, *format = "text";
	struct mset ms = { xcalloc(ARRAY_SIZE(key_metrics) + (size_t)argc, sizeof(struct metric)),
			   ARRAY_SIZE(key_metrics) };
	memcpy(ms.m, key_metrics, sizeof(key_metrics));
	int rc = 0;
	for (int i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			compare_usage(stdout);
			free(dirs);
			free(ms.m);
			return 0;
		} else if (!strcmp(a, "--metric") || !strcmp(a, "-o") || !strcmp(a, "--format")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "mmsim compare: option %s needs a value\n", a);
				rc = EXIT_BAD_INPUT;
				break;
			}
			if (!strcmp(a, "-o"))
				out = argv[++i];
			else if (!strcmp(a, "--format"))
				format = argv[++i];
			else
				ms.m[ms.nr++] = (struct metric){ "custom", argv[i + 1], argv[i + 1], NULL,
								  true }, i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmsim compare: unknown option \"%s\" (see mmsim compare "
					"--help)\n", a);
			rc = EXIT_BAD_INPUT;
		} else {
			dirs = xrealloc(dirs, (nd + 1) * sizeof(*dirs));
			dirs[nd++] = argv[i];
		}
	}
	if (!rc && !nd) {
		compare_usage(stderr);
		rc = EXIT_BAD_INPUT;
	}
	bool html = !strcmp(format, "html");
	if (!rc && !html && strcmp(format, "text")) {
		fprintf(stderr, "mmsim compare: --format %s: not a format (text or html)\n", format);
		rc = EXIT_BAD_INPUT;
	}
	if (!rc && html && nd == 1) {
		fprintf(stderr, "mmsim compare: --format html compares two or more runs (a sweep "
				"gets its CSV, table and SVG plots in its -o directory)\n");
		rc = EXIT_BAD_INPUT;
	}
	if (!rc && nd == 1) {
		char *o = out ? xstrdup(out) : xasprintf("%s/compare", dirs[0]);
		rc = compare_sweep(dirs[0], o, &ms);
		free(o);
	} else if (!rc) {
		if (out && !html)
			fprintf(stderr, "mmsim compare: -o applies to a sweep; runs are compared on "
					"stdout\n");
		struct run *runs = xcalloc(nd, sizeof(*runs));
		unsigned loaded = 0;
		for (unsigned i = 0; i < nd && !rc; i++, loaded++) {
			char err[512];
			if (load_run(&runs[i], dirs[i], err, sizeof(err)) < 0) {
				fprintf(stderr, "mmsim compare: %s\n", err);
				rc = EXIT_BAD_INPUT;
			}
		}
		struct html_cmp hc = { runs, nd, &ms };
		char err[1024] = "";
		if (!rc && html) {
			rc = out ? html_write_file(out, compare_runs_html, &hc, err, sizeof(err))
				 : compare_runs_html(&hc, stdout, err, sizeof(err));
			if (rc)
				fprintf(stderr, "mmsim compare: %s\n", err);
		} else if (!rc) {
			compare_runs(stdout, runs, nd, &ms);
		}
		for (unsigned i = 0; i < loaded; i++)
			free_run(&runs[i]);
		free(runs);
	}
	free(dirs);
	free(ms.m);
	return rc;
}
