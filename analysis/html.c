/* html.c - `mmsim report DIR --format html`: one self-contained HTML page from an out
 * dir (summary.json, the CSVs and /proc-format files). Plots are gnuplot's own SVG
 * (terminal svg), run as a child process on data files in a private temp dir that is
 * removed at the end, and inlined; tables sort by a click on a header through a few
 * lines of inline script. Nothing on the page refers to another file or host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/outdir_read.h"
#include "analysis/html.h"
#include "analysis/json_read.h"

#define TOP_CLASSES 6          /* classes in the wait-time histogram plot */
#define TOP_POINTS 25          /* rows of the contention-points table */
#define MAX_COLUMNS 240        /* time columns of a heatmap; more samples are averaged */

/* ---- page ---- */

void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
}

static const char page_style[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;color:#222;"
	"padding:0 1em}\n"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}\n"
	"h3{font-size:1.05em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}\n"
	"th,td{border:1px solid #ddd;padding:.2em .5em}td.n{text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}\n"
	".wide{overflow-x:auto}\n"
	"th{background:#f0f0f0}table.sortable th{cursor:pointer}\n"
	"th[data-dir=asc]::after{content:' \\25B2'}th[data-dir=desc]::after{content:' \\25BC'}\n"
	"tr.group td{background:#f7f7f7;font-weight:bold}\n"
	"figure.plot{margin:1em 0;border:1px solid #eee}figure.plot svg{width:100%;height:auto;"
	"display:block}\n"
	"figcaption{font-size:.85em;color:#555;padding:.3em .5em}\n"
	".note{color:#666;font-style:italic}code{background:#f4f4f4;padding:0 .2em}\n"
	".up{color:#a00}.down{color:#070}\n";

/* Click a header: sort the body rows by that column (numbers by data-v, else text);
 * a second click reverses. */
static const char page_script[] =
	"function mmsimKey(td){var v=td.getAttribute('data-v');"
	"if(v!==null&&v!==''&&!isNaN(+v))return +v;return td.textContent;}\n"
	"function mmsimSortTable(th){var t=th.closest('table'),b=t.tBodies[0];"
	"var i=Array.prototype.indexOf.call(th.parentNode.children,th);"
	"var asc=th.getAttribute('data-dir')!=='asc';"
	"Array.prototype.forEach.call(th.parentNode.children,function(h){"
	"h.removeAttribute('data-dir');});th.setAttribute('data-dir',asc?'asc':'desc');"
	"var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){"
	"var a=mmsimKey(x.cells[i]),c=mmsimKey(y.cells[i]),r;"
	"if(typeof a==='number'&&typeof c==='number')r=a-c;"
	"else if(typeof a==='number')r=-1;else if(typeof c==='number')r=1;"
	"else r=String(a).localeCompare(String(c));return asc?r:-r;});"
	"rows.forEach(function(r){b.appendChild(r);});}\n"
	"document.addEventListener('DOMContentLoaded',function(){"
	"document.querySelectorAll('table.sortable th').forEach(function(th){"
	"th.addEventListener('click',function(){mmsimSortTable(th);});});});\n";

void html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	html_esc(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n<script>\n%s</script>\n</head>\n<body>\n<h1>",
		page_style, page_script);
	html_esc(f, title);
	fputs("</h1>\n", f);
}

void html_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

/* ---- gnuplot ---- */

struct gplot {
	char *gnuplot;     /* program path */
	char *dir;         /* private temp dir */
	char **paths;      /* data files handed out */
	unsigned nr_paths;
	unsigned nr_plots;
};

/* The gnuplot program: $MMSIM_GNUPLOT (a path or a name) or gnuplot, looked up on PATH. */
static char *find_gnuplot(void)
{
	const char *g = getenv("MMSIM_GNUPLOT");
	if (!g || !*g)
		g = "gnuplot";
	if (strchr(g, '/'))
		return access(g, X_OK) ? NULL : xstrdup(g);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *cand = xasprintf("%.*s/%s", (int)n, n ? path : ".", g);
		if (!access(cand, X_OK))
			return cand;
		free(cand);
		path += n + (path[n] == ':');
	}
	return NULL;
}

struct gplot *gplot_open(char *err, size_t errlen)
{
	char *prog = find_gnuplot();
	if (!prog) {
		const char *g = getenv("MMSIM_GNUPLOT");
		snprintf(err, errlen, "gnuplot (%s) not found: the HTML report draws its plots with "
			 "gnuplot (Debian: apt-get install gnuplot-nox)", g && *g ? g : "gnuplot on PATH");
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/mmsim-html.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		snprintf(err, errlen, "cannot create a temp dir %s: %s", tmpl, strerror(errno));
		free(tmpl);
		free(prog);
		return NULL;
	}
	struct gplot *g = xcalloc(1, sizeof(*g));
	g->gnuplot = prog;
	g->dir = tmpl;
	return g;
}

static char *gplot_path(struct gplot *g, const char *name)
{
	char *p = xasprintf("%s/%s", g->dir, name);
	g->paths = xrealloc(g->paths, (g->nr_paths + 1) * sizeof(*g->paths));
	g->paths[g->nr_paths++] = p;
	return p;
}

FILE *gplot_data(struct gplot *g, const char *name, const char **path)
{
	char *p = gplot_path(g, name);
	*path = p;
	return fopen(p, "w");
}

void gplot_close(struct gplot *g)
{
	if (!g)
		return;
	DIR *d = opendir(g->dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				char *p = xasprintf("%s/%s", g->dir, de->d_name);
				unlink(p);
				free(p);
			}
		closedir(d);
	}
	rmdir(g->dir);
	for (unsigned i = 0; i < g->nr_paths; i++)
		free(g->paths[i]);
	free(g->paths);
	free(g->dir);
	free(g->gnuplot);
	free(g);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Run gnuplot on script file gp with stdout to /dev/null and stderr to errf. */
static int run_gnuplot(const char *prog, const char *gp, const char *errf)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		if (e >= 0)
			dup2(e, 2);
		execl(prog, prog, gp, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int gplot_figure(struct gplot *g, FILE *out, const char *id, const char *caption,
		 unsigned width, unsigned height, const char *script, char *err, size_t errlen)
{
	unsigned k = g->nr_plots++;
	char name[64];
	snprintf(name, sizeof(name), "plot%u.gp", k);
	char *gp = gplot_path(g, name);
	snprintf(name, sizeof(name), "plot%u.svg", k);
	char *svg = gplot_path(g, name);
	snprintf(name, sizeof(name), "plot%u.err", k);
	char *errf = gplot_path(g, name);
	FILE *f = fopen(gp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", gp, strerror(errno));
		return -1;
	}
	fprintf(f, "set terminal svg size %u,%u dynamic enhanced font 'sans,10' "
		   "background '#ffffff'\nset encoding utf8\nset output '%s'\n%s\nunset output\n",
		width, height, svg, script);
	if (fclose(f)) {
		snprintf(err, errlen, "cannot write %s: %s", gp, strerror(errno));
		return -1;
	}
	if (run_gnuplot(g->gnuplot, gp, errf) < 0) {
		char *msg = slurp(errf, NULL);
		char *nl = msg ? strchr(msg, '\n') : NULL;
		/* gnuplot's message is the line after the echoed command, when there is one */
		const char *line = msg;
		if (nl && nl[1] && strstr(nl + 1, "line "))
			line = nl + 1;
		snprintf(err, errlen, "gnuplot (%s) failed on plot %s: %.*s", g->gnuplot, id,
			 line ? (int)strcspn(line, "\n") : 0, line ? line : "");
		free(msg);
		return -1;
	}
	size_t len;
	char *text = slurp(svg, &len);
	char *start = text ? strstr(text, "<svg") : NULL;
	if (!start) {
		snprintf(err, errlen, "gnuplot (%s) wrote no SVG for plot %s", g->gnuplot, id);
		free(text);
		return -1;
	}
	fprintf(out, "<figure class=\"plot\" id=\"plot-%s\">\n", id);
	/* the canvas group gets an id of its own: several plots share one page */
	for (char *p = start; *p;) {
		char *c = strstr(p, "id=\"gnuplot_canvas\"");
		if (!c) {
			fputs(p, out);
			break;
		}
		fwrite(p, 1, (size_t)(c - p), out);
		fprintf(out, "id=\"canvas-%s\"", id);
		p = c + strlen("id=\"gnuplot_canvas\"");
	}
	fputs("<figcaption>", out);
	html_esc(out, caption);
	fputs("</figcaption>\n</figure>\n", out);
	free(text);
	return 0;
}

/* A gnuplot single-quoted string: no escapes but '' for a quote. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* ---- out-dir files ---- */

/* A cell as a number: NaN when empty or not a number (a table shows "-"). */
static double cnum(const struct csv_table *t, size_t row, int col)
{
	const char *s = csv_cell(t, row, col);
	char *e;
	double v = strtod(s, &e);
	return *s && !*e ? v : NAN;
}

/* ---- formatting ---- */

static void td_num(FILE *f, double v, int decimals)
{
	if (isnan(v)) {
		fputs("<td class=\"n\" data-v=\"\">-</td>", f);
		return;
	}
	fprintf(f, "<td class=\"n\" data-v=\"%.17g\">", v);
	if (decimals == 0 && fabs(v) < 1e18) {
		/* thousands grouped with thin spaces, as the eye reads big counts */
		char b[64];
		snprintf(b, sizeof(b), "%.0f", v);
		const char *d = b + (b[0] == '-');
		size_t nd = strlen(d);
		if (b[0] == '-')
			fputc('-', f);
		for (size_t i = 0; i < nd; i++) {
			if (i && (nd - i) % 3 == 0)
				fputs("&#8201;", f);
			fputc(d[i], f);
		}
	} else {
		fprintf(f, "%.*f", decimals, v);
	}
	fputs("</td>", f);
}

static void td_text(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_esc(f, s);
	fputs("</td>", f);
}

static void th_row(FILE *f, const char *const *cols, unsigned n)
{
	fputs("<thead><tr>", f);
	for (unsigned i = 0; i < n; i++) {
		fputs("<th>", f);
		html_esc(f, cols[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

/* The time axis: seconds when the run is long, else milliseconds. */
static double time_unit(const struct csv_table *c, const char **label)
{
	double end = c && c->nrows ? cnum(c, c->nrows - 1, 0) : 0;
	if (end >= 2e9) {
		*label = "simulated time (s)";
		return 1e9;
	}
	*label = "simulated time (ms)";
	return 1e6;
}

/* ---- the report ---- */

struct rep {
	const char *dir;
	struct jval *sum;
	struct gplot *gp;
	FILE *out;
	char *err;
	size_t errlen;
	int rc;              /* first failure: 1 (gnuplot), 2 (a malformed out-dir file) */
	const struct outdir_data *od;
};

/* An out-dir CSV (outdir_read.h); NULL when absent. A malformed one stops the page with
 * the reader's message (file and line), as the md/text/json report does. */
static struct csv_table *rcsv(struct rep *r, const char *name)
{
	char err[400];
	struct csv_table *t = outdir_csv(r->od, name, err, sizeof(err));
	if (!t && err[0] && !r->rc) {
		snprintf(r->err, r->errlen, "%s", err);
		r->rc = 2;
	}
	return t;
}

static void note(struct rep *r, const char *fmt, const char *arg)
{
	fputs("<p class=\"note\">", r->out);
	const char *pct = strstr(fmt, "%s");
	if (pct) {
		fwrite(fmt, 1, (size_t)(pct - fmt), r->out);
		fputs("<code>", r->out);
		html_esc(r->out, arg);
		fputs("</code>", r->out);
		fputs(pct + 2, r->out);
	} else {
		fputs(fmt, r->out);
	}
	fputs("</p>\n", r->out);
}

static void figure(struct rep *r, const char *id, const char *caption, unsigned w, unsigned h,
		   char *script, size_t len)
{
	(void)len;
	if (!r->rc && gplot_figure(r->gp, r->out, id, caption, w, h, script, r->err, r->errlen) < 0)
		r->rc = 1;
	free(script);
}

static void section_header(struct rep *r)
{
	FILE *f = r->out;
	const struct jval *scn = jget(r->sum, "scenario");
	fputs("<table class=\"run\">\n<tbody>\n", f);
	const struct {
		const char *label, *path;
	} rows[] = {
		{ "scenario", "scenario/path" },  { "seed", "scenario/seed" },
		{ "mmsim version", "mmsim_version" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct jval *v = jpath(r->sum, rows[i].path);
		char b[512];
		fputs("<tr><th>", f);
		html_esc(f, rows[i].label);
		fputs("</th>", f);
		td_text(f, !v ? "-" : v->type == J_STR ? v->str : jtext(v, b, sizeof(b)));
		fputs("</tr>\n", f);
	}
	fprintf(f, "<tr><th>simulated time</th><td>%.6f s</td></tr>\n",
		jnum(r->sum, "simulated_ns", 0) / 1e9);
	fputs("<tr><th>out dir</th>", f);
	td_text(f, r->dir);
	fputs("</tr>\n", f);
	const struct jval *p = jget(r->sum, "partial");
	if (p && p->type == J_BOOL && p->b)
		fputs("<tr><th>partial</th><td>yes: the run stopped early</td></tr>\n", f);
	double nf = 0;
	const struct jval *fc = jpath(r->sum, "findings/counts");
	for (size_t i = 0; fc && fc->type == J_OBJ && i < fc->n; i++)
		nf += fc->items[i]->type == J_NUM ? fc->items[i]->num : 0;
	fprintf(f, "<tr><th>findings</th><td>%.0f%s</td></tr>\n", nf,
		nf ? " (findings.txt)" : "");
	double ni = jnum(r->sum, "findings/counts/injected_fault", 0);
	if (ni)
		fprintf(f, "<tr><th>injected faults</th><td>%.0f (report.md: Injected faults; "
			"injected_faults.csv)</td></tr>\n", ni);
	fputs("</tbody>\n</table>\n", f);
	/* the variants and the knobs that differ from their defaults (summary.json's
	 * knobs_changed), as the md report states them */
	const struct jval *kc = jget(r->sum, "knobs_changed");
	size_t nkc = 0;
	for (size_t i = 0; scn && scn->type == J_OBJ && i < scn->n; i++)
		nkc += !strncmp(scn->keys[i], "variants.", 9);
	for (size_t i = 0; kc && kc->type == J_OBJ && i < kc->n; i++)
		nkc += strncmp(kc->keys[i], "variants.", 9) != 0;
	fputs("<h3>Variants and knobs that differ from their defaults</h3>\n", f);
	if (!nkc) {
		fputs("<p>Every knob at its default.</p>\n", f);
	} else {
		fputs("<table class=\"sortable\" id=\"table-changed\">\n", f);
		static const char *const ccols[] = { "knob", "value" };
		th_row(f, ccols, 2);
		for (size_t i = 0; scn && scn->type == J_OBJ && i < scn->n; i++)
			if (!strncmp(scn->keys[i], "variants.", 9) && scn->items[i]->type == J_STR) {
				fputs("<tr>", f);
				td_text(f, scn->keys[i]);
				td_text(f, scn->items[i]->str);
				fputs("</tr>\n", f);
			}
		for (size_t i = 0; kc && kc->type == J_OBJ && i < kc->n; i++)
			if (strncmp(kc->keys[i], "variants.", 9) && kc->items[i]->type == J_STR) {
				fputs("<tr>", f);
				td_text(f, kc->keys[i]);
				td_text(f, kc->items[i]->str);
				fputs("</tr>\n", f);
			}
		fputs("</tbody>\n</table>\n", f);
	}
	if (scn && scn->type == J_OBJ) {
		fputs("<details><summary>all knobs of the run</summary>\n<table class=\"sortable\" "
		      "id=\"table-knobs\">\n", f);
		static const char *const cols[] = { "knob", "value" };
		th_row(f, cols, 2);
		for (size_t i = 0; i < scn->n; i++) {
			char b[4096];
			const struct jval *v = scn->items[i];
			fputs("<tr>", f);
			td_text(f, scn->keys[i]);
			td_text(f, v->type == J_STR ? v->str : jtext(v, b, sizeof(b)));
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table>\n</details>\n", f);
	}
}

/* A class and state of lock_classes.csv. */
struct lclass {
	const char *name, *type;
	double acq, con, wait_total, wait_max, hold_total, hold_max, acq_b, con_b, xnode;
	double hist[64];
	unsigned nh;
};

static int cmp_wait(const void *a, const void *b)
{
	const struct lclass *x = a, *y = b;
	if (x->wait_total != y->wait_total)
		return x->wait_total < y->wait_total ? 1 : -1;
	if (x->con != y->con)
		return x->con < y->con ? 1 : -1;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->type, y->type);
}

/* The wait a fraction q of the contended acquisitions stay under: the upper edge of the
 * log2 bucket [2^i, 2^(i+1)) that holds that rank. */
static double hist_pct(const struct lclass *c, double q)
{
	double tot = 0;
	for (unsigned i = 0; i < c->nh; i++)
		tot += c->hist[i];
	if (!tot)
		return NAN;
	double need = ceil(q * tot), run = 0;
	for (unsigned i = 0; i < c->nh; i++) {
		run += c->hist[i];
		if (run >= need)
			return ldexp(1.0, (int)i + 1);
	}
	return NAN;
}

static void section_contention(struct rep *r)
{
	FILE *f = r->out;
	fputs("<h2 id=\"contention\">Contention</h2>\n", f);
	struct csv_table *lc = rcsv(r, "lock_classes.csv");
	if (!lc) {
		note(r, "No %s in this out dir: no lock classes to show.", "lock_classes.csv");
	} else {
		struct lclass *cl = xcalloc(lc->nrows + 1, sizeof(*cl));
		int c_name = csv_col(lc, "class"), c_type = csv_col(lc, "type");
		int c_acq = csv_col(lc, "acquisitions"), c_con = csv_col(lc, "contentions");
		int c_wt = csv_col(lc, "wait_total_ns"), c_wm = csv_col(lc, "wait_max_ns");
		int c_ht = csv_col(lc, "hold_total_ns"), c_hm = csv_col(lc, "hold_max_ns");
		int c_ab = csv_col(lc, "acq_bounces"), c_cb = csv_col(lc, "con_bounces");
		int c_xn = csv_col(lc, "cross_node_bounces");
		int c_h0 = csv_col(lc, "wait_hist_2^0");
		for (unsigned i = 0; i < lc->nrows; i++) {
			struct lclass *c = &cl[i];
			c->name = csv_cell(lc, i, c_name);
			c->type = csv_cell(lc, i, c_type);
			c->acq = cnum(lc, i, c_acq);
			c->con = cnum(lc, i, c_con);
			c->wait_total = cnum(lc, i, c_wt);
			c->wait_max = cnum(lc, i, c_wm);
			c->hold_total = cnum(lc, i, c_ht);
			c->hold_max = cnum(lc, i, c_hm);
			c->acq_b = cnum(lc, i, c_ab);
			c->con_b = cnum(lc, i, c_cb);
			c->xnode = cnum(lc, i, c_xn);
			for (unsigned k = 0; c_h0 >= 0 && k < ARRAY_SIZE(c->hist) &&
			     (unsigned)c_h0 + k < lc->ncols; k++) {
				c->hist[k] = cnum(lc, i, c_h0 + (int)k);
				if (isnan(c->hist[k]))
					c->hist[k] = 0;
				c->nh = k + 1;
			}
		}
		qsort(cl, lc->nrows, sizeof(*cl), cmp_wait);
		/* histogram plot of the top classes by total wait */
		unsigned top = 0, lo = 64, hi = 0;
		for (unsigned i = 0; i < lc->nrows && top < TOP_CLASSES; i++) {
			if (!(cl[i].con > 0) || !cl[i].nh)
				continue;
			top++;
			for (unsigned k = 0; k < cl[i].nh; k++)
				if (cl[i].hist[k] > 0) {
					lo = min(lo, k);
					hi = max(hi, k);
				}
		}
		fputs("<h3>Wait-time histogram of the top lock classes</h3>\n", f);
		if (!top || lo > hi) {
			note(r, "No contended acquisition in this run (%s has no waits).",
			     "lock_classes.csv");
		} else {
			const char *dat;
			FILE *d = gplot_data(r->gp, "wait_hist.dat", &dat);
			char *script = NULL;
			size_t len = 0;
			FILE *s = d ? open_memstream(&script, &len) : NULL;
			if (!d || !s) {
				snprintf(r->err, r->errlen, "cannot write plot data: %s", strerror(errno));
				r->rc = 1;
				if (d)
					fclose(d);
			} else {
				fputs("set title 'contended acquisitions by wait time (log2 buckets of "
				      "lock_classes.csv)' noenhanced\nset logscale x 2\n", s);
				/* a labelled tic every few buckets, in ns/us/ms/s */
				unsigned step = (hi - lo) / 10 + 1;
				fputs("set xtics (", s);
				for (unsigned k = lo; k <= hi; k += step) {
					double ns = ldexp(1.0, (int)k);
					const char *u = ns >= 1e9 ? "s" : ns >= 1e6 ? "ms" : ns >= 1e3 ? "us" : "ns";
					double div = ns >= 1e9 ? 1e9 : ns >= 1e6 ? 1e6 : ns >= 1e3 ? 1e3 : 1;
					fprintf(s, "%s'%.3g%s' %.17g", k > lo ? ", " : "", ns / div, u, ns);
				}
				fputs(")\n"
				      "set xlabel 'wait (lower edge of the bucket)'\nset ylabel "
				      "'contended acquisitions'\nset key top right noenhanced\nset grid\n"
				      "set style fill transparent solid 0.25\nset style data histeps\n"
				      "plot ", s);
				unsigned n = 0;
				for (unsigned i = 0; i < lc->nrows && n < top; i++) {
					if (!(cl[i].con > 0) || !cl[i].nh)
						continue;
					fprintf(d, "# %s %s\n", cl[i].name, cl[i].type);
					for (unsigned k = lo; k <= hi && k < cl[i].nh; k++)
						fprintf(d, "%.17g %.17g\n", ldexp(1.0, (int)k),
							cl[i].hist[k]);
					fprintf(d, "\n\n");
					char t[512];
					snprintf(t, sizeof(t), "%s (%s)", cl[i].name, cl[i].type);
					fprintf(s, "%s'%s' index %u using 1:2 with linespoints lw 2 title ",
						n ? ", " : "", dat, n);
					gp_str(s, t);
					n++;
				}
				fputs("\n", s);
				fclose(d);
				fclose(s);
				figure(r, "wait-hist", "Wait-time histogram of the lock classes with the "
				       "largest total wait: contended acquisitions per log2 bucket of the wait "
				       "(lock_classes.csv).", 900, 420, script, len);
				script = NULL;
			}
			free(script);
		}
		/* the ranked table */
		fputs("<h3>Lock classes ranked by total wait</h3>\n"
		      "<div class=\"wide\"><table class=\"sortable\" id=\"table-locks\">\n", f);
		static const char *const cols[] = {
			"class", "state", "acquisitions", "contentions", "contention %",
			"wait total (ns)", "wait avg (ns)", "wait max (ns)", "wait p50 (\xe2\x89\xa4ns)",
			"wait p90 (\xe2\x89\xa4ns)", "wait p99 (\xe2\x89\xa4ns)", "hold total (ns)",
			"hold avg (ns)", "hold max (ns)", "acq bounces", "con bounces",
			"cross-node bounces"
		};
		th_row(f, cols, ARRAY_SIZE(cols));
		for (unsigned i = 0; i < lc->nrows; i++) {
			const struct lclass *c = &cl[i];
			fputs("<tr>", f);
			td_text(f, c->name);
			td_text(f, c->type);
			td_num(f, c->acq, 0);
			td_num(f, c->con, 0);
			td_num(f, c->acq > 0 ? 100.0 * c->con / c->acq : NAN, 2);
			td_num(f, c->wait_total, 0);
			td_num(f, c->con > 0 ? c->wait_total / c->con : NAN, 0);
			td_num(f, c->wait_max, 0);
			td_num(f, hist_pct(c, 0.50), 0);
			td_num(f, hist_pct(c, 0.90), 0);
			td_num(f, hist_pct(c, 0.99), 0);
			td_num(f, c->hold_total, 0);
			td_num(f, c->acq > 0 ? c->hold_total / c->acq : NAN, 0);
			td_num(f, c->hold_max, 0);
			td_num(f, c->acq_b, 0);
			td_num(f, c->con_b, 0);
			td_num(f, c->xnode, 0);
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
		free(cl);
		csv_free(lc);
	}

	/* contention over time */
	fputs("<h3>Contention over simulated time</h3>\n", f);
	struct csv_table *ls = rcsv(r, "locks.csv");
	int c_con = csv_col(ls, "contentions"), c_wait = csv_col(ls, "wait_total_ns");
	if (!ls || c_con < 0 || c_wait < 0 || ls->nrows < 2) {
		note(r, "No %s series in this out dir (written by mmsim since the HTML report).",
		     "locks.csv");
	} else {
		const char *tl, *dat;
		double tu = time_unit(ls, &tl);
		FILE *d = gplot_data(r->gp, "locks.dat", &dat);
		if (d) {
			double pc = 0, pw = 0, pt = 0;
			for (unsigned i = 0; i < ls->nrows; i++) {
				double t = cnum(ls, i, 0), c = cnum(ls, i, c_con);
				double w = cnum(ls, i, c_wait);
				if (t > pt)
					fprintf(d, "%.17g %.17g %.17g\n", t / tu, c - pc, (w - pw) / 1e6);
				pc = c;
				pw = w;
				pt = t;
			}
			fclose(d);
			char *script = xasprintf(
				"set title 'contention per sample interval (locks.csv: all classes)' noenhanced\n"
				"set xlabel '%s'\nset ylabel 'contentions'\nset y2label 'wait (ms)'\n"
				"set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n"
				"set key top right\nset grid\n"
				"plot '%s' using 1:2 with steps lw 2 title 'contentions', "
				"'%s' using 1:3 axes x1y2 with steps lw 2 title 'wait (ms)'\n",
				tl, dat, dat);
			figure(r, "contention-time", "Contended acquisitions and time spent waiting in "
			       "each sample interval, all lock classes and states (locks.csv).", 900,
			       380, script, 0);
		}
	}
	csv_free(ls);

	/* top contention points */
	struct csv_table *cp = rcsv(r, "contention.csv");
	if (cp && cp->nrows) {
		int cc = csv_col(cp, "class"), ct = csv_col(cp, "type");
		int cn = csv_col(cp, "contended"), cw = csv_col(cp, "total_wait_ns");
		int cm = csv_col(cp, "max_wait_ns"), ca = csv_col(cp, "avg_wait_ns");
		int cw1 = csv_col(cp, "caller"), ch = csv_col(cp, "holder");
		int cht = csv_col(cp, "holder_type");
		unsigned *idx = xcalloc(cp->nrows, sizeof(*idx));
		for (unsigned i = 0; i < cp->nrows; i++)
			idx[i] = i;
		/* by total wait (insertion sort: stable, the file's order breaks ties) */
		for (unsigned i = 1; i < cp->nrows; i++)
			for (unsigned j = i; j > 0 && cnum(cp, idx[j - 1], cw) <
						   cnum(cp, idx[j], cw); j--) {
				unsigned t = idx[j];
				idx[j] = idx[j - 1];
				idx[j - 1] = t;
			}
		fprintf(f, "<h3>Top contention points</h3>\n<p>The %u waiter/holder call-site pairs "
			   "with the largest total wait (of %u in <code>contention.csv</code>).</p>\n"
			   "<table class=\"sortable\" id=\"table-points\">\n",
			(unsigned)min(cp->nrows, (size_t)TOP_POINTS), (unsigned)cp->nrows);
		static const char *const cols[] = { "class", "state", "waiter site", "holder site",
						    "holder state", "contended", "wait total (ns)",
						    "wait max (ns)", "wait avg (ns)" };
		th_row(f, cols, ARRAY_SIZE(cols));
		for (unsigned k = 0; k < cp->nrows && k < TOP_POINTS; k++) {
			unsigned i = idx[k];
			fputs("<tr>", f);
			td_text(f, csv_cell(cp, i, cc));
			td_text(f, csv_cell(cp, i, ct));
			td_text(f, csv_cell(cp, i, cw1));
			td_text(f, csv_cell(cp, i, ch));
			td_text(f, csv_cell(cp, i, cht));
			td_num(f, cnum(cp, i, cn), 0);
			td_num(f, cnum(cp, i, cw), 0);
			td_num(f, cnum(cp, i, cm), 0);
			td_num(f, cnum(cp, i, ca), 0);
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table>\n", f);
		free(idx);
	}
	csv_free(cp);
}

/* The zones of a per-zone series: column prefixes "nodeN_Zone" in order of appearance,
 * taken from columns ending in suffix. */
static unsigned series_zones(const struct csv_table *c, const char *suffix, char ***out)
{
	char **z = NULL;
	unsigned n = 0;
	size_t sl = strlen(suffix);
	for (unsigned i = 1; c && i < c->ncols; i++) {
		size_t hl = strlen(c->head[i]);
		if (hl <= sl || strcmp(c->head[i] + hl - sl, suffix))
			continue;
		char *p = xasprintf("%.*s", (int)(hl - sl), c->head[i]);
		bool seen = false;
		for (unsigned k = 0; k < n; k++)
			seen |= !strcmp(z[k], p);
		if (seen) {
			free(p);
			continue;
		}
		z = xrealloc(z, (n + 1) * sizeof(*z));
		z[n++] = p;
	}
	*out = z;
	return n;
}

static void free_strs(char **s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

/* The columns ZONE<infix>0, ZONE<infix>1, ... of a per-order series, as many as exist
 * (at most 16), into col; returns how many. */
static unsigned order_columns(const struct csv_table *t, const char *zone, const char *infix,
			      int col[16])
{
	unsigned n = 0;
	for (; n < 16; n++) {
		char h[128];
		snprintf(h, sizeof(h), "%s%s%u", zone, infix, n);
		if ((col[n] = csv_col(t, h)) < 0)
			break;
	}
	return n;
}

static void section_fragmentation(struct rep *r)
{
	FILE *f = r->out;
	fputs("<h2 id=\"fragmentation\">Fragmentation</h2>\n", f);
	/* free blocks by order: a heatmap per zone */
	fputs("<h3>Free blocks by order over time</h3>\n", f);
	struct csv_table *bi = rcsv(r, "buddyinfo.csv");
	char **zones = NULL;
	unsigned nz = series_zones(bi, "_o0", &zones);
	if (!bi || !nz || bi->nrows < 1) {
		note(r, "No %s series in this out dir (written by mmsim since the HTML report); "
		     "buddyinfo.txt has the end state.", "buddyinfo.csv");
	}
	for (unsigned z = 0; bi && z < nz && !r->rc; z++) {
		const char *tl, *dat;
		double tu = time_unit(bi, &tl);
		char name[96];
		snprintf(name, sizeof(name), "buddy%u.dat", z);
		FILE *d = gplot_data(r->gp, name, &dat);
		if (!d)
			continue;
		int col[16];
		unsigned no = order_columns(bi, zones[z], "_o", col);
		/* columns of at most MAX_COLUMNS groups of samples, each the mean of its group */
		unsigned grp = (bi->nrows + MAX_COLUMNS - 1) / MAX_COLUMNS;
		double t0 = 0;
		for (unsigned s = 0; s < bi->nrows; s += grp) {
			unsigned e = min(s + grp, bi->nrows);
			double t1 = cnum(bi, e - 1, 0);
			for (unsigned o = 0; o < no; o++) {
				double sum = 0;
				for (unsigned k = s; k < e; k++)
					sum += cnum(bi, k, col[o]);
				double mean = sum / (e - s);
				/* box: x center, y order, half widths, colour log2(1+blocks) */
				fprintf(d, "%.17g %u %.17g 0.5 %.17g %.17g\n", (t0 + t1) / 2 / tu, o,
					(t1 - t0) / 2 / tu, log2(1 + mean), mean);
			}
			t0 = t1;
		}
		fclose(d);
		char *script = xasprintf(
			"set title '%s: free blocks of each order (buddyinfo.csv)' noenhanced\n"
			"set xlabel '%s'\nset ylabel 'order'\nset yrange [-0.5:%u.5]\nset ytics 1\n"
			"set xrange [0:*]\nset cblabel 'log2(1 + free blocks)'\nset palette "
			"defined (0 '#fff7ec', 1 '#fdbb84', 2 '#d7301f', 3 '#7f0000')\n"
			"set cbrange [0:*]\nset style fill solid 1.0 noborder\nunset key\n"
			"plot '%s' using 1:2:3:4:5 with boxxyerror fillcolor palette notitle\n",
			zones[z], tl, no - 1, dat);
		char id[128], cap[256];
		snprintf(id, sizeof(id), "buddy-%s", zones[z]);
		snprintf(cap, sizeof(cap), "%s: free blocks of each order over time (colour: log2 "
			 "of 1 + the count; buddyinfo.csv).", zones[z]);
		figure(r, id, cap, 900, 360, script, 0);
	}
	free_strs(zones, nz);
	csv_free(bi);

	/* fragmentation index per order */
	fputs("<h3>Fragmentation index per order over time</h3>\n", f);
	struct csv_table *ef = rcsv(r, "extfrag.csv");
	nz = series_zones(ef, "_fragindex_o0", &zones);
	if (!ef || !nz || ef->nrows < 1)
		note(r, "No %s series in this out dir (written by mmsim since the HTML report); "
		     "extfrag_index.txt has the end state, frag.csv order 9 over time.",
		     "extfrag.csv");
	for (unsigned z = 0; ef && z < nz && !r->rc; z++) {
		const char *tl, *dat;
		double tu = time_unit(ef, &tl);
		char name[96];
		snprintf(name, sizeof(name), "extfrag%u.dat", z);
		FILE *d = gplot_data(r->gp, name, &dat);
		if (!d)
			continue;
		int col[16];
		unsigned no = order_columns(ef, zones[z], "_fragindex_o", col);
		for (unsigned i = 0; i < ef->nrows; i++) {
			fprintf(d, "%.17g", cnum(ef, i, 0) / tu);
			for (unsigned o = 0; o < no; o++)
				fprintf(d, " %.17g", cnum(ef, i, col[o]) / 1000);
			fputc('\n', d);
		}
		fclose(d);
		char *script = NULL;
		size_t len = 0;
		FILE *s = open_memstream(&script, &len);
		fprintf(s, "set title '%s: fragmentation index by order (extfrag.csv; -1: a free "
			   "block of the order exists)' noenhanced\nset xlabel '%s'\n"
			   "set ylabel 'fragmentation index'\nset yrange [-1.1:1.1]\n"
			   "set key outside right\nset grid\nplot ", zones[z], tl);
		for (unsigned o = 1; o < no; o++)
			fprintf(s, "%s'%s' using 1:%u with steps lw 1.5 title 'order %u'",
				o > 1 ? ", " : "", dat, o + 2, o);
		fputs("\n", s);
		fclose(s);
		char id[128], cap[256];
		snprintf(id, sizeof(id), "extfrag-%s", zones[z]);
		snprintf(cap, sizeof(cap), "%s: fragmentation index of each order from 1 over time "
			 "(0: failure would be for lack of memory, towards 1: for fragmentation; "
			 "extfrag.csv).", zones[z]);
		figure(r, id, cap, 900, 380, script, len);
	}
	free_strs(zones, nz);
	csv_free(ef);

	/* the end state per zone, from summary.json */
	const struct jval *zs = jpath(r->sum, "metrics/zones");
	if (zs && zs->type == J_OBJ && zs->n) {
		fputs("<h3>Zones at the end of the run</h3>\n<div class=\"wide\"><table class=\"sortable\" "
		      "id=\"table-zones\">\n<thead><tr><th>zone</th><th>managed pages</th>"
		      "<th>free pages</th><th>unusable index o9</th><th>fragmentation index o9</th>"
		      "<th>polluted pageblocks</th>", f);
		for (unsigned o = 0; o < 11; o++)
			fprintf(f, "<th>free o%u</th>", o);
		fputs("</tr></thead>\n<tbody>\n", f);
		for (size_t i = 0; i < zs->n; i++) {
			const struct jval *z = zs->items[i];
			fputs("<tr>", f);
			td_text(f, zs->keys[i]);
			td_num(f, jnum(z, "managed_pages", NAN), 0);
			td_num(f, jnum(z, "free_pages", NAN), 0);
			td_num(f, jnum(z, "unusable_index_o9", NAN) / 1000, 3);
			td_num(f, jnum(z, "fragmentation_index_o9", NAN) / 1000, 3);
			td_num(f, jnum(z, "polluted_pageblocks", NAN), 0);
			const struct jval *b = jget(z, "buddyinfo");
			for (unsigned o = 0; o < 11; o++)
				td_num(f, b && b->type == J_ARR && o < b->n &&
						  b->items[o]->type == J_NUM ? b->items[o]->num : NAN, 0);
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}
}

/* nodeN.meminfo files: "Node N Key: value kB". */
static void section_memory(struct rep *r)
{
	FILE *f = r->out;
	fputs("<h2 id=\"memory\">Memory</h2>\n", f);
	/* per-node use over time: managed - free of the node's zones (frag.csv) */
	fputs("<h3>Per-node memory use over time</h3>\n", f);
	struct csv_table *fr = rcsv(r, "frag.csv");
	const struct jval *zs = jpath(r->sum, "metrics/zones");
	char **zones = NULL;
	unsigned nz = series_zones(fr, "_free_pages", &zones);
	if (!fr || !nz || !zs) {
		note(r, "No %s series in this out dir.", "frag.csv");
	} else {
		/* nodes in order of appearance, each a sum over its zones */
		unsigned node_of[64], nodes[64], nn = 0;
		for (unsigned z = 0; z < nz && z < 64; z++) {
			unsigned nid = (unsigned)atoi(zones[z] + 4);
			node_of[z] = nid;
			bool seen = false;
			for (unsigned k = 0; k < nn; k++)
				seen |= nodes[k] == nid;
			if (!seen && nn < 64)
				nodes[nn++] = nid;
		}
		const char *tl, *dat;
		double tu = time_unit(fr, &tl);
		FILE *d = gplot_data(r->gp, "nodes.dat", &dat);
		if (d) {
			for (unsigned i = 0; i < fr->nrows; i++) {
				fprintf(d, "%.17g", cnum(fr, i, 0) / tu);
				for (unsigned k = 0; k < nn; k++) {
					double used = 0;
					for (unsigned z = 0; z < nz && z < 64; z++) {
						if (node_of[z] != nodes[k])
							continue;
						char h[128];
						snprintf(h, sizeof(h), "%s_free_pages", zones[z]);
						double managed = jnum(jget(zs, zones[z]), "managed_pages", 0);
						used += managed - cnum(fr, i, csv_col(fr, h));
					}
					fprintf(d, " %.17g", used * 4096 / 1048576);
				}
				fputc('\n', d);
			}
			fclose(d);
			char *script = NULL;
			size_t len = 0;
			FILE *s = open_memstream(&script, &len);
			fprintf(s, "set title 'memory in use per node (managed - free pages, frag.csv)' noenhanced\n"
				   "set xlabel '%s'\nset ylabel 'MiB'\nset yrange [0:*]\n"
				   "set key top left\nset grid\nplot ", tl);
			for (unsigned k = 0; k < nn; k++)
				fprintf(s, "%s'%s' using 1:%u with lines lw 2 title 'node %u'", k ? ", " : "",
					dat, k + 2, nodes[k]);
			fputs("\n", s);
			fclose(s);
			figure(r, "node-mem", "Memory in use on each node over time: managed pages less "
			       "free pages of the node's zones (frag.csv, summary.json), 4 KiB pages.",
			       900, 360, script, len);
		}
	}
	free_strs(zones, nz);
	csv_free(fr);

	/* hugetlb counters */
	fputs("<h3>hugetlb counters over time</h3>\n", f);
	struct csv_table *hc = rcsv(r, "hugetlb.csv");
	if (!hc || hc->ncols < 2 || !hc->nrows) {
		note(r, "No %s series in this out dir.", "hugetlb.csv");
	} else {
		const char *tl, *dat;
		double tu = time_unit(hc, &tl);
		FILE *d = gplot_data(r->gp, "hugetlb.dat", &dat);
		if (d) {
			bool any = false;
			for (unsigned i = 0; i < hc->nrows; i++) {
				fprintf(d, "%.17g", cnum(hc, i, 0) / tu);
				for (unsigned c = 1; c < hc->ncols; c++) {
					double v = cnum(hc, i, (int)c);
					any |= v != 0;
					fprintf(d, " %.17g", v);
				}
				fputc('\n', d);
			}
			fclose(d);
			char *script = NULL;
			size_t len = 0;
			FILE *s = open_memstream(&script, &len);
			fprintf(s, "set title 'hugetlb counters (hugetlb.csv)' noenhanced\nset xlabel '%s'\n"
				   "set ylabel 'huge pages'\nset key outside right noenhanced\nset grid\n"
				   "%splot ", tl, any ? "" : "set yrange [-1:1]\n");
			for (unsigned c = 1; c < hc->ncols; c++) {
				fprintf(s, "%s'%s' using 1:%u with steps lw %s title ", c > 1 ? ", " : "",
					dat, c + 1, c <= 4 ? "2" : "1");
				gp_str(s, hc->head[c]);
			}
			fputs("\n", s);
			fclose(s);
			figure(r, "hugetlb", any ? "HugePages_Total/Free/Rsvd/Surp over time, and per "
			       "node with several nodes (hugetlb.csv)." : "HugePages counters over time "
			       "(hugetlb.csv): all zero in this run, no hugetlb pool.", 900, 360, script,
			       len);
		}
	}
	csv_free(hc);

	/* vmstat at the end */
	const struct jval *vm = jpath(r->sum, "metrics/vmstat");
	if (vm && vm->type == J_OBJ) {
		unsigned nz2 = 0;
		for (size_t i = 0; i < vm->n; i++)
			nz2 += vm->items[i]->type == J_NUM && vm->items[i]->num != 0;
		fprintf(f, "<h3>vmstat deltas over the run</h3>\n<p>The %u counters of "
			   "<code>/proc/vmstat</code> that are not zero at the end (event counters start "
			   "at 0, so the value is the change over the run; <code>nr_*</code> are the "
			   "state at the end). The other %u are zero.</p>\n"
			   "<table class=\"sortable\" id=\"table-vmstat\">\n", nz2,
			(unsigned)vm->n - nz2);
		static const char *const cols[] = { "counter", "value" };
		th_row(f, cols, 2);
		for (size_t i = 0; i < vm->n; i++) {
			if (vm->items[i]->type != J_NUM || vm->items[i]->num == 0)
				continue;
			fputs("<tr>", f);
			td_text(f, vm->keys[i]);
			td_num(f, vm->items[i]->num, 0);
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table>\n", f);
	}

	/* meminfo, the system's and each node's */
	char *path = xasprintf("%s/meminfo.txt", r->dir);
	char *mi = slurp(path, NULL);
	free(path);
	if (mi) {
		char *nodes[64] = { 0 };
		unsigned nn = 0;
		for (; nn < 64; nn++) {
			char *p = xasprintf("%s/node%u.meminfo", r->dir, nn);
			nodes[nn] = slurp(p, NULL);
			free(p);
			if (!nodes[nn])
				break;
		}
		fputs("<h3>meminfo at the end of the run</h3>\n<table class=\"sortable\" "
		      "id=\"table-meminfo\">\n<thead><tr><th>field</th><th>system (kB)</th>", f);
		for (unsigned n = 0; n < nn; n++)
			fprintf(f, "<th>node %u (kB)</th>", n);
		fputs("</tr></thead>\n<tbody>\n", f);
		for (char *line = mi; *line;) {
			size_t ll = strcspn(line, "\n");
			char *colon = memchr(line, ':', ll);
			if (colon) {
				char key[128];
				snprintf(key, sizeof(key), "%.*s", (int)(colon - line), line);
				fputs("<tr>", f);
				td_text(f, key);
				td_num(f, strtod(colon + 1, NULL), 0);
				for (unsigned n = 0; n < nn; n++) {
					char pat[160];
					snprintf(pat, sizeof(pat), "Node %u %s:", n, key);
					char *hit = strstr(nodes[n], pat);
					td_num(f, hit ? strtod(hit + strlen(pat), NULL) : NAN, 0);
				}
				fputs("</tr>\n", f);
			}
			line += ll + (line[ll] == '\n');
		}
		fputs("</tbody>\n</table>\n", f);
		for (unsigned n = 0; n < nn; n++)
			free(nodes[n]);
		free(mi);
	}
}

int html_write_file(const char *path, int (*fn)(void *arg, FILE *f, char *err, size_t errlen),
		    void *arg, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return 1;
	}
	int rc = fn(arg, f, err, errlen);
	if ((fflush(f) || ferror(f)) && !rc) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		rc = 1;
	}
	if (fclose(f) && !rc) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		rc = 1;
	}
	/* mkstemp's 0600 would outlive the rename: the usual 0666 less umask */
	mode_t um = umask(0);
	umask(um);
	if (!rc && chmod(tmp, 0666 & ~um) < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		rc = 1;
	}
	if (!rc && rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		rc = 1;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int html_report(const char *dir, FILE *out, char *err, size_t errlen)
{
	struct outdir_data *od = outdir_load(dir, err, errlen);   /* checks schema_version */
	if (!od)
		return 2;
	struct jval *sum = od->sum;
	struct gplot *gp = gplot_open(err, errlen);
	if (!gp) {
		outdir_free(od);
		return 2;
	}
	struct rep r = { dir, sum, gp, out, err, errlen, 0, od };
	const struct jval *scn = jpath(sum, "scenario/path");
	char *title = xasprintf("mmsim report: %s", scn && scn->type == J_STR ? scn->str : dir);
	html_begin(out, title);
	free(title);
	fputs("<p>Sections: <a href=\"#contention\">contention</a> \xc2\xb7 "
	      "<a href=\"#fragmentation\">fragmentation</a> \xc2\xb7 "
	      "<a href=\"#memory\">memory</a>. Click a table header to sort by that column.</p>\n",
	      out);
	section_header(&r);
	section_contention(&r);
	if (!r.rc)
		section_fragmentation(&r);
	if (!r.rc)
		section_memory(&r);
	html_end(out);
	gplot_close(gp);
	outdir_free(od);
	return r.rc;
}
