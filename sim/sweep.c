/* sweep.c - `mmsim sweep`: a base scenario run at every point of a matrix of overrides.
 *
 * A sweep file names a base scenario and the overrides to vary (keys and values as
 * --set takes them):
 *
 *	base: ../examples/swap_storm.yaml     (relative to the sweep file)
 *	set: {duration: 2s}                   (applied to every point)
 *	points: [{vm.swappiness: 10}, ...]    (explicit override sets; default: one empty set)
 *	matrix: {vm.swappiness: [0, 60], vm.page-cluster: [0, 3]}   (cartesian product)
 *	zip: [{variants.x: [a, b], knob.y: [1, 2]}]   (lists advanced together, equal lengths)
 *	seeds: [1, 2, 3]  or  seeds: 3  (1..3)
 *
 * Points are the product points x matrix x each zip group x seeds, named by their
 * overrides ("vm.swappiness=0,vm.page-cluster=3,seed=1"; "base" for none), in that
 * order. Every point is validated in-process first: an invalid override is reported
 * with the point's name and that point alone is skipped. Each valid point runs as its
 * own `mmsim run` process (SimGrid allows one simulation per process) into DIR/NAME,
 * its stderr in DIR/logs/NAME.log. A point is complete when DIR/NAME/summary.json
 * exists (written last by a run), is not partial, and DIR/NAME/.sweep-point holds the
 * point's overrides: such points are skipped, so an interrupted sweep resumes where it
 * stopped and a crashed or killed point is rerun. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"
#include "sim.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "config/yaml.h"
#include "workloads/workload.h"

extern char **environ;

#define EXIT_BAD_INPUT 2

struct strv {
	char **v;
	unsigned nr;
};

static void strv_push(struct strv *s, char *str)
{
	s->v = xrealloc(s->v, (s->nr + 1) * sizeof(*s->v));
	s->v[s->nr++] = str;
}

static void strv_free(struct strv *s)
{
	for (unsigned i = 0; i < s->nr; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->nr = 0;
}

static struct strv strv_dup(const struct strv *s)
{
	struct strv d = { 0 };
	for (unsigned i = 0; i < s->nr; i++)
		strv_push(&d, xstrdup(s->v[i]));
	return d;
}

enum point_state { PT_PENDING, PT_INVALID, PT_SKIPPED, PT_RUNNING, PT_DONE, PT_FAILED };

struct point {
	char *name;
	struct strv sets;          /* "key=value" overrides (the sweep's set: first) */
	enum point_state state;
	char *why;                 /* PT_INVALID / PT_FAILED: the reason */
	int status;                /* exit status of its run */
	pid_t pid;
	double start, wall;
};

struct sweep {
	const char *path;
	char *base;                /* the base scenario's path, resolved */
	struct point *pts;
	unsigned nr;
};

/* ---- parsing ---- */

static bool scalar(struct diag *d, const struct ynode *n, const char *field)
{
	if (n && n->kind == YN_SCALAR && !ynode_is_null(n) && !memchr(n->str, '\n', n->len))
		return true;
	diag_node(d, n, field, "expected a value as --set takes it (one line of text), got %s",
		  ynode_what(n));
	return false;
}

/* A key=value pair as --set takes it. */
static char *kv(const struct ynode *key, const struct ynode *val)
{
	return xasprintf("%s=%s", key->str, val->str);
}

/* Multiply the current list of override sets by the alternatives of one dimension. */
#define SWEEP_MAX_POINTS 100000

/* Every point of *sets combined with every alternative. A product past SWEEP_MAX_POINTS is
 * not built (a matrix of a few long lists claims billions of points): *claimed, the count
 * the file asks for (saturating), says so and the caller reports it. */
static void product(struct strv **sets, unsigned *nr, struct strv *alts, unsigned nr_alts,
		    u64 *claimed)
{
	*claimed = nr_alts && *claimed > UINT64_MAX / nr_alts ? UINT64_MAX : *claimed * nr_alts;
	if (*claimed > SWEEP_MAX_POINTS)
		return;
	struct strv *out = xcalloc((size_t)*nr * nr_alts, sizeof(*out));
	unsigned k = 0;
	for (unsigned i = 0; i < *nr; i++)
		for (unsigned j = 0; j < nr_alts; j++) {
			out[k] = strv_dup(&(*sets)[i]);
			for (unsigned m = 0; m < alts[j].nr; m++)
				strv_push(&out[k], xstrdup(alts[j].v[m]));
			k++;
		}
	for (unsigned i = 0; i < *nr; i++)
		strv_free(&(*sets)[i]);
	free(*sets);
	*sets = out;
	*nr = k;
}

struct named_idx {
	const char *name;
	unsigned idx;
};

static int cmp_named_idx(const void *a, const void *b)
{
	const struct named_idx *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first point (in file order) whose name an earlier point has, or nr when none: names
 * sorted once (n log n; a quadratic scan took minutes on 100000 points). */
static unsigned first_duplicate(const struct point *pts, unsigned nr)
{
	struct named_idx *v = xcalloc(nr ? nr : 1, sizeof(*v));
	unsigned first = nr;
	for (unsigned i = 0; i < nr; i++)
		v[i] = (struct named_idx){ pts[i].name, i };
	qsort(v, nr, sizeof(*v), cmp_named_idx);
	for (unsigned i = 1; i < nr; i++)
		if (!strcmp(v[i].name, v[i - 1].name) && v[i].idx < first)
			first = v[i].idx;
	free(v);
	return first;
}

static void free_alts(struct strv *alts, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		strv_free(&alts[i]);
	free(alts);
}

/* points: a sequence of mappings key -> value. */
static struct strv *parse_points(struct diag *d, const struct ynode *n, unsigned *nr)
{
	*nr = 0;
	if (n->kind != YN_SEQ || !n->nr) {
		diag_node(d, n, "points", "expected a non-empty sequence of mappings of overrides, "
			  "got %s", ynode_what(n));
		return NULL;
	}
	struct strv *alts = xcalloc(n->nr, sizeof(*alts));
	for (size_t i = 0; i < n->nr; i++) {
		const struct ynode *m = n->items[i];
		if (m->kind != YN_MAP) {
			diag_node(d, m, "points", "expected a mapping of overrides, got %s",
				  ynode_what(m));
			continue;
		}
		for (size_t j = 0; j < m->nr; j++)
			if (scalar(d, m->pairs[j].val, m->pairs[j].key->str))
				strv_push(&alts[i], kv(m->pairs[j].key, m->pairs[j].val));
	}
	*nr = (unsigned)n->nr;
	return alts;
}

/* One matrix key or a zip group: alternatives for each position. */
static struct strv *parse_lists(struct diag *d, const struct ynode *m, const char *what,
				bool zip, unsigned *nr)
{
	*nr = 0;
	if (m->kind != YN_MAP || !m->nr) {
		diag_node(d, m, what, "expected a mapping of knob names to lists of values, got %s",
			  ynode_what(m));
		return NULL;
	}
	size_t len = 0;
	for (size_t j = 0; j < m->nr; j++) {
		const struct ynode *l = m->pairs[j].val;
		if (l->kind != YN_SEQ || !l->nr) {
			diag_node(d, l, m->pairs[j].key->str, "expected a non-empty list of values, "
				  "got %s", ynode_what(l));
			return NULL;
		}
		if (zip && j && l->nr != len) {
			diag_node(d, l, m->pairs[j].key->str, "zip: %zu values where %s has %zu (the "
				  "lists of a zip group advance together)", l->nr,
				  m->pairs[0].key->str, len);
			return NULL;
		}
		len = l->nr;
	}
	if (!zip)   /* the caller multiplies key by key */
		return NULL;
	struct strv *alts = xcalloc(len, sizeof(*alts));
	for (size_t i = 0; i < len; i++)
		for (size_t j = 0; j < m->nr; j++) {
			const struct ynode *v = m->pairs[j].val->items[i];
			if (scalar(d, v, m->pairs[j].key->str))
				strv_push(&alts[i], kv(m->pairs[j].key, v));
		}
	*nr = (unsigned)len;
	return alts;
}

static bool parse_seed(struct diag *d, const struct ynode *v, unsigned long long *out)
{
	char *end;
	if (scalar(d, v, "seeds")) {
		errno = 0;
		*out = strtoull(v->str, &end, 10);
		if (!errno && end != v->str && !*end && v->str[0] != '-')
			return true;
		diag_node(d, v, "seeds", "expected a seed (an integer 0..2^64-1), got \"%s\"", v->str);
	}
	return false;
}

static struct strv *parse_seeds(struct diag *d, const struct ynode *n, unsigned *nr)
{
	*nr = 0;
	unsigned long long x;
	struct strv *alts = NULL;
	if (n->kind == YN_SCALAR) {
		if (!parse_seed(d, n, &x))
			return NULL;
		if (!x || x > 100000) {
			diag_node(d, n, "seeds", "expected a count 1..100000 (seeds 1..N) or a list, "
				  "got %llu", x);
			return NULL;
		}
		alts = xcalloc(x, sizeof(*alts));
		for (unsigned long long i = 0; i < x; i++)
			strv_push(&alts[i], xasprintf("seed=%llu", i + 1));
		*nr = (unsigned)x;
		return alts;
	}
	if (n->kind != YN_SEQ || !n->nr) {
		diag_node(d, n, "seeds", "expected a count or a non-empty list of seeds, got %s",
			  ynode_what(n));
		return NULL;
	}
	alts = xcalloc(n->nr, sizeof(*alts));
	for (size_t i = 0; i < n->nr; i++)
		if (parse_seed(d, n->items[i], &x))
			strv_push(&alts[i], xasprintf("seed=%llu", x));
	*nr = (unsigned)n->nr;
	return alts;
}

/* The directory name of a point: its overrides joined by ',' ('/' becomes '_'). */
static char *point_name(const struct strv *sets, unsigned skip)
{
	size_t len = 0;
	for (unsigned i = skip; i < sets->nr; i++)
		len += strlen(sets->v[i]) + 1;
	if (!len)
		return xstrdup("base");
	char *s = xcalloc(1, len + 1), *p = s;
	for (unsigned i = skip; i < sets->nr; i++) {
		p += sprintf(p, "%s%s", i > skip ? "," : "", sets->v[i]);
	}
	for (p = s; *p; p++)
		if (*p == '/')
			*p = '_';
	return s;
}

static char *resolve_base(const char *sweep_path, const char *base)
{
	if (base[0] == '/')
		return xstrdup(base);
	const char *slash = strrchr(sweep_path, '/');
	if (!slash)
		return xstrdup(base);
	return xasprintf("%.*s/%s", (int)(slash - sweep_path), sweep_path, base);
}

static void sweep_free(struct sweep *sw)
{
	for (unsigned i = 0; i < sw->nr; i++) {
		free(sw->pts[i].name);
		free(sw->pts[i].why);
		strv_free(&sw->pts[i].sets);
	}
	free(sw->pts);
	free(sw->base);
}

static const char *const sweep_keys[] = { "base", "set", "points", "matrix", "zip", "seeds" };

/* Parse the sweep file into its points. Returns 0, or -1 with the errors in d. */
static int sweep_load(struct sweep *sw, const char *path, struct diag *d)
{
	memset(sw, 0, sizeof(*sw));
	sw->path = path;
	struct ydoc *doc = yaml_load_file(path, d);
	if (!doc)
		return -1;
	const struct ynode *root = doc->root;
	if (!root || root->kind != YN_MAP) {
		diag_at(d, path, root ? root->line : 0, root ? root->col : 0, NULL,
			"expected a mapping with base: and matrix:, points:, zip: or seeds:");
		ydoc_free(doc);
		return -1;
	}
	for (size_t i = 0; i < root->nr; i++) {
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(sweep_keys); k++)
			known |= !strcmp(root->pairs[i].key->str, sweep_keys[k]);
		if (!known)
			diag_node(d, root->pairs[i].key, root->pairs[i].key->str,
				  "unknown key (expected base, set, points, matrix, zip or seeds)");
	}
	const struct ynode *n = ynode_get(root, "base");
	if (!n)
		diag_at(d, path, root->line, root->col, "base", "missing: the base scenario's path");
	else if (scalar(d, n, "base"))
		sw->base = resolve_base(path, n->str);

	struct strv *sets = xcalloc(1, sizeof(*sets));
	unsigned nr = 1, nr_alts;
	u64 claimed = 1;
	struct strv *alts;
	if ((n = ynode_get(root, "set"))) {
		if (n->kind != YN_MAP)
			diag_node(d, n, "set", "expected a mapping of overrides, got %s", ynode_what(n));
		else
			for (size_t j = 0; j < n->nr; j++)
				if (scalar(d, n->pairs[j].val, n->pairs[j].key->str))
					strv_push(&sets[0], kv(n->pairs[j].key, n->pairs[j].val));
	}
	unsigned common = sets[0].nr;       /* not part of the points' names */
	if ((n = ynode_get(root, "points")) && (alts = parse_points(d, n, &nr_alts))) {
		product(&sets, &nr, alts, nr_alts, &claimed);
		free_alts(alts, nr_alts);
	}
	if ((n = ynode_get(root, "matrix"))) {
		parse_lists(d, n, "matrix", false, &nr_alts);
		if (n->kind == YN_MAP)
			for (size_t j = 0; j < n->nr; j++) {
				const struct ynode *l = n->pairs[j].val;
				if (l->kind != YN_SEQ || !l->nr)
					continue;
				alts = xcalloc(l->nr, sizeof(*alts));
				for (size_t i = 0; i < l->nr; i++)
					if (scalar(d, l->items[i], n->pairs[j].key->str))
						strv_push(&alts[i], kv(n->pairs[j].key, l->items[i]));
				product(&sets, &nr, alts, (unsigned)l->nr, &claimed);
				free_alts(alts, (unsigned)l->nr);
			}
	}
	if ((n = ynode_get(root, "zip"))) {
		if (n->kind != YN_SEQ || !n->nr) {
			diag_node(d, n, "zip", "expected a list of zip groups (mappings of knob names "
				  "to equally long lists), got %s", ynode_what(n));
		} else {
			for (size_t g = 0; g < n->nr; g++)
				if ((alts = parse_lists(d, n->items[g], "zip", true, &nr_alts))) {
					product(&sets, &nr, alts, nr_alts, &claimed);
					free_alts(alts, nr_alts);
				}
		}
	}
	if ((n = ynode_get(root, "seeds")) && (alts = parse_seeds(d, n, &nr_alts))) {
		product(&sets, &nr, alts, nr_alts, &claimed);
		free_alts(alts, nr_alts);
	}
	if (claimed > SWEEP_MAX_POINTS)
		diag_at(d, path, root->line, root->col, NULL, "%llu points (at most %u)",
			(unsigned long long)claimed, SWEEP_MAX_POINTS);
	sw->pts = xcalloc(nr, sizeof(*sw->pts));
	sw->nr = nr;
	for (unsigned i = 0; i < nr; i++) {
		sw->pts[i].sets = sets[i];
		sw->pts[i].name = point_name(&sets[i], common);
	}
	unsigned dup = diag_count(d) ? nr : first_duplicate(sw->pts, nr);
	if (dup < nr)
		diag_at(d, path, root->line, root->col, NULL, "point %s appears twice",
			sw->pts[dup].name);
	free(sets);
	ydoc_free(doc);
	return diag_count(d) ? -1 : 0;
}

int sweep_parse_file(const char *path, struct diag *d)
{
	struct sweep sw;
	int rc = sweep_load(&sw, path, d);
	sweep_free(&sw);
	return rc;
}

/* Validate every point in-process; an invalid one is marked with its message. */
static unsigned sweep_validate(struct sweep *sw)
{
	unsigned bad = 0;
	for (unsigned i = 0; i < sw->nr; i++) {
		struct point *p = &sw->pts[i];
		struct diag *d = diag_create();
		struct scenario *scn = scenario_load(sw->base, workload_catalog(), p->sets.v,
						     (int)p->sets.nr, d);
		if (!scn) {
			p->state = PT_INVALID;
			p->why = diag_format(d);
			size_t l = strlen(p->why);
			while (l && p->why[l - 1] == '\n')
				p->why[--l] = 0;
			bad++;
		} else {
			scenario_destroy(scn);
		}
		diag_destroy(d);
	}
	return bad;
}

/* ---- running ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The overrides of a point as written to DIR/NAME/.sweep-point. */
static char *signature(const struct sweep *sw, const struct point *p)
{
	size_t len = strlen(sw->base) + 2;
	for (unsigned i = 0; i < p->sets.nr; i++)
		len += strlen(p->sets.v[i]) + 1;
	char *s = xcalloc(1, len + 1), *q = s;
	q += sprintf(q, "%s\n", sw->base);
	for (unsigned i = 0; i < p->sets.nr; i++)
		q += sprintf(q, "%s\n", p->sets.v[i]);
	return s;
}

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = xcalloc(1, max + 1);
	size_t n = fread(buf, 1, max, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static bool point_complete(const char *dir, const struct sweep *sw, const struct point *p)
{
	char *pd = xasprintf("%s/%s", dir, p->name);
	char *mark = xasprintf("%s/.sweep-point", pd);
	char *sum = xasprintf("%s/summary.json", pd);
	char *want = signature(sw, p);
	char *have = read_file(mark, 1 << 20);
	char *js = read_file(sum, 64 << 20);
	bool ok = have && !strcmp(have, want) && js && strstr(js, "\"partial\": false");
	free(pd);
	free(mark);
	free(sum);
	free(want);
	free(have);
	free(js);
	return ok;
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return -1;
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Start a point's `mmsim run`; returns 0, or -1 with p->why set. */
static int start_point(const char *self, const char *dir, const struct sweep *sw, struct point *p)
{
	char *pd = xasprintf("%s/%s", dir, p->name);
	char *log = xasprintf("%s/logs/%s.log", dir, p->name);
	char *mark = xasprintf("%s/.sweep-point", pd);
	char *sig = signature(sw, p);
	int rc = -1;
	if (mkdir_one(pd) < 0 || write_text(mark, sig) < 0) {
		p->why = xasprintf("cannot create %s: %s", pd, strerror(errno));
		goto out;
	}
	struct strv argv = { 0 };
	strv_push(&argv, xstrdup("mmsim"));
	strv_push(&argv, xstrdup("run"));
	strv_push(&argv, xstrdup(sw->base));
	strv_push(&argv, xstrdup("--quiet"));
	strv_push(&argv, xstrdup("-o"));
	strv_push(&argv, xstrdup(pd));
	for (unsigned i = 0; i < p->sets.nr; i++) {
		strv_push(&argv, xstrdup("--set"));
		strv_push(&argv, xstrdup(p->sets.v[i]));
	}
	strv_push(&argv, NULL);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	int e = posix_spawn(&p->pid, self, &fa, NULL, argv.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	argv.nr--;               /* the NULL */
	strv_free(&argv);
	if (e) {
		p->why = xasprintf("cannot start mmsim: %s", strerror(e));
		goto out;
	}
	p->state = PT_RUNNING;
	p->start = now_s();
	rc = 0;
out:
	free(pd);
	free(log);
	free(mark);
	free(sig);
	return rc;
}

/* The first line of a point's log, for the failure message. */
static char *log_first_line(const char *dir, const struct point *p)
{
	char *log = xasprintf("%s/logs/%s.log", dir, p->name);
	char *text = read_file(log, 4096);
	free(log);
	if (!text || !*text) {
		free(text);
		return xstrdup("(no message)");
	}
	text[strcspn(text, "\n")] = 0;
	return text;
}

static void fmt_eta(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "?");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else
		snprintf(buf, len, "%.0f min", s / 60);
}

static void progress(const struct sweep *sw, unsigned done, unsigned failed, unsigned running,
		     unsigned todo, double t0)
{
	char eta[32];
	double el = now_s() - t0;
	unsigned finished = done + failed;
	fmt_eta(eta, sizeof(eta), finished ? el / finished * (todo - finished) : -1);
	fprintf(stderr, "mmsim sweep: %u/%u points run, %u failed, %u running, ETA %s (%u "
			"points in %s)\n", finished, todo, failed, running, eta,
		sw->nr, sw->path);
}

static volatile sig_atomic_t sweep_signal;

static void on_sweep_signal(int sig)
{
	sweep_signal = sig;   /* the children got it too: they write partial outputs */
}

static const char *state_name(enum point_state s)
{
	static const char *const names[] = { "not run", "invalid", "complete", "running",
					     "done", "failed" };
	return names[s];
}

static void write_table(FILE *f, const struct sweep *sw)
{
	size_t w = 5;
	for (unsigned i = 0; i < sw->nr; i++)
		w = max(w, strlen(sw->pts[i].name));
	fprintf(f, "%-*s  %-8s  %4s  %8s  %s\n", (int)w, "point", "status", "exit", "wall", "note");
	for (unsigned i = 0; i < sw->nr; i++) {
		const struct point *p = &sw->pts[i];
		char wall[32] = "";
		if (p->state == PT_DONE || p->state == PT_FAILED)
			snprintf(wall, sizeof(wall), "%.2f s", p->wall);
		char st[16] = "";
		if (p->state == PT_DONE || p->state == PT_FAILED)
			snprintf(st, sizeof(st), "%d", p->status);
		const char *why = p->why ? p->why : "";
		fprintf(f, "%-*s  %-8s  %4s  %8s  %.*s\n", (int)w, p->name, state_name(p->state), st,
			wall, (int)strcspn(why, "\n"), why);
	}
}

static void write_csv(const char *dir, const struct sweep *sw)
{
	char *path = xasprintf("%s/sweep.csv", dir);
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "point,status,exit,wall_s,note\n");
		for (unsigned i = 0; i < sw->nr; i++) {
			const struct point *p = &sw->pts[i];
			const char *why = p->why ? p->why : "";
			fprintf(f, "\"%s\",%s,", p->name, state_name(p->state));
			if (p->state == PT_DONE || p->state == PT_FAILED)
				fprintf(f, "%d,%.3f,", p->status, p->wall);
			else
				fprintf(f, ",,");
			fputc('"', f);
			for (const char *c = why; *c && *c != '\n'; c++)
				fprintf(f, *c == '"' ? "\"\"" : "%c", *c);
			fprintf(f, "\"\n");
		}
		if (fclose(f) == 0)
			rename(tmp, path);
		else
			unlink(tmp);
	}
	free(path);
	free(tmp);
}

/* State of one sweep run (local or MPI coordinator). */
struct runner {
	const char *dir;
	char self[4096];           /* the mmsim executable each point runs */
	unsigned todo, skipped, done, failed, running;
	double t0;
	bool quiet;
};

/* The executable points run: this one, or plain `mmsim` beside mmsim-mpi. */
static int find_self(char *self, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", self, len - 1);
	if (n <= 0)
		return -1;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash && !strcmp(slash + 1, "mmsim-mpi") && (size_t)(slash - self) + 7 < len) {
		strcpy(slash + 1, "mmsim");
		if (access(self, X_OK) < 0)
			strcpy(slash + 1, "mmsim-mpi");
	}
	return 0;
}

/* Create the out dir and mark the complete points. Returns 0, or 1 with a message. */
static int runner_prepare(struct runner *r, struct sweep *sw, const char *dir, bool quiet)
{
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	r->quiet = quiet;
	char *logs = xasprintf("%s/logs", dir);
	int bad = mkdir_one(dir) < 0 || mkdir_one(logs) < 0;
	free(logs);
	if (bad) {
		fprintf(stderr, "mmsim sweep: -o %s: cannot create the directory: %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (find_self(r->self, sizeof(r->self)) < 0) {
		fprintf(stderr, "mmsim sweep: cannot find the mmsim executable: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned i = 0; i < sw->nr; i++) {
		struct point *p = &sw->pts[i];
		if (p->state == PT_INVALID)
			continue;
		if (point_complete(dir, sw, p)) {
			p->state = PT_SKIPPED;
			r->skipped++;
		} else {
			r->todo++;
		}
	}
	if (!quiet)
		fprintf(stderr, "mmsim sweep: %u points: %u to run, %u complete already, %u invalid\n",
			sw->nr, r->todo, r->skipped, sw->nr - r->todo - r->skipped);
	r->t0 = now_s();
	return 0;
}

/* A point's run ended: status is its exit status, or -N when killed by signal N. */
static void point_finished(struct runner *r, struct point *p, int status, double wall)
{
	p->wall = wall;
	if (status >= 0) {
		p->status = status;
		/* 4: the simulated kernel deadlocked, outputs written (a result) */
		if (status == 0 || status == 4) {
			p->state = PT_DONE;
			r->done++;
			return;
		}
		char *l = log_first_line(r->dir, p);
		p->why = xasprintf("exit %d: %s", status, l);
		free(l);
	} else {
		p->status = 128 - status;
		p->why = xasprintf("killed by signal %d", -status);
	}
	p->state = PT_FAILED;
	r->failed++;
	fprintf(stderr, "mmsim sweep: point %s failed: %s\n", p->name, p->why);
}

static int wait_status(int wstatus)
{
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
}

/* Table, sweep.csv, exit status. */
static int runner_finish(struct runner *r, struct sweep *sw)
{
	write_csv(r->dir, sw);
	write_table(stdout, sw);
	if (sweep_signal) {
		fprintf(stderr, "mmsim sweep: interrupted; run the same command again to complete "
				"the remaining points\n");
		return EXIT_INTERRUPTED;
	}
	unsigned invalid = sw->nr - r->todo - r->skipped;
	return r->failed || invalid ? 1 : 0;
}

static int run_sweep(struct sweep *sw, const char *dir, unsigned jobs, bool quiet)
{
	struct runner r;
	if (runner_prepare(&r, sw, dir, quiet))
		return 1;
	struct sigaction sa = { .sa_handler = on_sweep_signal }, old[3];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);
	unsigned next = 0;
	bool changed = false;
	for (;;) {
		while (!sweep_signal && r.running < jobs && next < sw->nr) {
			struct point *p = &sw->pts[next++];
			if (p->state != PT_PENDING)
				continue;
			if (start_point(r.self, dir, sw, p) < 0) {
				p->state = PT_FAILED;
				fprintf(stderr, "mmsim sweep: point %s failed: %s\n", p->name, p->why);
				r.failed++;
				changed = true;
				continue;
			}
			r.running++;
		}
		if (changed && !quiet)
			progress(sw, r.done, r.failed, r.running, r.todo, r.t0);
		changed = false;
		if (!r.running)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (unsigned i = 0; i < sw->nr; i++) {
			struct point *p = &sw->pts[i];
			if (p->state != PT_RUNNING || p->pid != pid)
				continue;
			r.running--;
			point_finished(&r, p, wait_status(status), now_s() - p->start);
			changed = true;
		}
	}
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
	return runner_finish(&r, sw);
}

/* ---- MPI: a coordinator (rank 0) hands out points as workers free up ---- */

/* The ranks of a job started by mpirun/mpiexec (Open MPI, MPICH) or srun, 0 if none. */
static long launcher_ranks(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE" };
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strtol(v, NULL, 10);
	}
	return getenv("PMIX_RANK") ? 2 : 0;   /* a PMIx launch without the size variable */
}

#ifdef MMSIM_MPI
#include <mpi.h>

enum { TAG_RESULT = 1, TAG_POINT = 2 };

/* Worker -> coordinator: {point index or -1 (ready), run status, wall time in us}.
 * Coordinator -> worker: a point index, or -1 (no more: stop). */
static int mpi_coordinator(struct sweep *sw, const char *dir, bool quiet, int size)
{
	struct runner r;
	int rc = runner_prepare(&r, sw, dir, quiet);
	char *ranks_path = xasprintf("%s/ranks.txt", dir);
	int *assigned = xcalloc((size_t)size, sizeof(*assigned));
	for (int i = 0; i < size; i++)
		assigned[i] = -1;
	unsigned next = 0;
	int live = size - 1;
	while (live > 0) {
		long msg[3];
		MPI_Status st;
		MPI_Recv(msg, 3, MPI_LONG, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &st);
		int w = st.MPI_SOURCE;
		if (msg[0] >= 0 && (unsigned long)msg[0] < sw->nr) {
			struct point *p = &sw->pts[msg[0]];
			r.running--;
			point_finished(&r, p, (int)msg[1], (double)msg[2] * 1e-6);
			assigned[w] = -1;
		}
		long give = -1;
		while (!rc && next < sw->nr && give < 0) {
			if (sw->pts[next].state == PT_PENDING)
				give = next;
			next++;
		}
		if (give >= 0) {
			sw->pts[give].state = PT_RUNNING;
			assigned[w] = (int)give;
			r.running++;
		} else {
			live--;
		}
		/* who runs what, for a rank that dies (mpirun then names the rank) */
		FILE *f = fopen(ranks_path, "w");
		if (f) {
			for (int i = 1; i < size; i++)
				fprintf(f, "rank %d: %s\n", i,
					assigned[i] >= 0 ? sw->pts[assigned[i]].name : "(idle)");
			fclose(f);
		}
		MPI_Send(&give, 1, MPI_LONG, w, TAG_POINT, MPI_COMM_WORLD);
		if (!quiet && msg[0] >= 0)
			progress(sw, r.done, r.failed, r.running, r.todo, r.t0);
	}
	free(assigned);
	free(ranks_path);
	return rc ? rc : runner_finish(&r, sw);
}

static void mpi_worker(struct sweep *sw, const char *dir)
{
	char self[4096];
	if (find_self(self, sizeof(self)) < 0)
		self[0] = 0;
	long msg[3] = { -1, 0, 0 };
	for (;;) {
		long idx;
		MPI_Send(msg, 3, MPI_LONG, 0, TAG_RESULT, MPI_COMM_WORLD);
		MPI_Recv(&idx, 1, MPI_LONG, 0, TAG_POINT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (idx < 0 || (unsigned long)idx >= sw->nr)
			break;
		struct point *p = &sw->pts[idx];
		msg[0] = idx;
		if (!self[0] || start_point(self, dir, sw, p) < 0) {
			msg[1] = 127;     /* the coordinator reads the log: there is none */
			msg[2] = 0;
			continue;
		}
		int wstatus;
		while (waitpid(p->pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		msg[1] = wait_status(wstatus);
		msg[2] = (long)((now_s() - p->start) * 1e6);
	}
}

static int sweep_mpi(struct sweep *sw, const char *dir, bool quiet)
{
	int rank, size, rc = 0;
	MPI_Init(NULL, NULL);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size < 2) {
		if (rank == 0)
			rc = run_sweep(sw, dir, (unsigned)max(sysconf(_SC_NPROCESSORS_ONLN), 1L), quiet);
	} else if (rank == 0) {
		rc = mpi_coordinator(sw, dir, quiet, size);
	} else {
		/* the coordinator creates the directories before handing out points */
		mpi_worker(sw, dir);
	}
	MPI_Finalize();
	return rc;
}
#endif

#ifndef MMSIM_MPI
/* Launched by mpirun/srun with several ranks: this executable has no MPI, so it hands
 * over to mmsim-mpi beside it (exec: the same process keeps the launcher's environment).
 * Returns only when that is impossible, with the exit status. */
static int exec_mmsim_mpi(int argc, char **argv, long ranks)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 16);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		strcpy(slash ? slash + 1 : self, "mmsim-mpi");
		char **av = xcalloc((size_t)argc + 2, sizeof(*av));
		av[0] = self;
		for (int i = 0; i < argc; i++)
			av[i + 1] = argv[i];
		execv(self, av);
		free(av);
	}
	fprintf(stderr, "mmsim sweep: started by an MPI launcher with %ld ranks, but this mmsim "
			"has no MPI support and mmsim-mpi is not beside it (install libopenmpi-dev "
			"and rebuild: CMake builds mmsim-mpi when it finds MPI)\n", ranks);
	return EXIT_BAD_INPUT;
}
#endif

static void sweep_usage(FILE *f)
{
	fprintf(f,
		"usage: mmsim sweep SWEEP.yaml [-o DIR] [-j N] [--quiet]\n"
		"       mmsim sweep SWEEP.yaml --list\n"
		"\n"
		"Runs a base scenario at every point of a matrix of overrides, each point its own\n"
		"`mmsim run` process into DIR/POINT (stderr in DIR/logs/POINT.log), N at a time\n"
		"(default: the number of CPUs). Points already complete are skipped, so a sweep\n"
		"that was interrupted or had a point killed resumes with the same command. A point\n"
		"whose overrides are invalid is reported by name and skipped; the others run.\n"
		"At the end: a table on stdout and DIR/sweep.csv (point, status, exit, wall time).\n"
		"Exit status: 0 every point complete, 1 some point invalid or failed, 2 bad sweep\n"
		"file or command line, 6 interrupted.\n"
		"\n"
		"On a cluster: mpirun -np N mmsim sweep SWEEP.yaml -o DIR (or srun): rank 0 hands\n"
		"points out to the other ranks as they free up, each rank running one point at a\n"
		"time into the shared DIR; DIR/ranks.txt says which rank runs which point (when a\n"
		"rank dies, mpirun names it). Needs mmsim-mpi, built beside mmsim when CMake finds\n"
		"MPI (Debian: libopenmpi-dev).\n"
		"\n"
		"Sweep file (YAML; keys and values as --set takes them):\n"
		"  base: SCENARIO.yaml          the scenario every point starts from (a path\n"
		"                               relative to the sweep file)\n"
		"  set: {KEY: VALUE, ...}       overrides of every point (not in point names)\n"
		"  points: [{KEY: VALUE}, ...]  explicit override sets\n"
		"  matrix: {KEY: [V1, V2], ...} the cartesian product of the lists\n"
		"  zip: [{K1: [A, B], K2: [C, D]}, ...]  lists advanced together\n"
		"  seeds: N | [S1, S2, ...]     seeds 1..N or the listed ones\n"
		"Points are points x matrix x each zip group x seeds, named by their overrides:\n"
		"DIR/vm.swappiness=0,vm.page-cluster=3,seed=1 (\"base\" for none).\n");
}

int sweep_main(int argc, char **argv)
{
	const char *file = NULL, *dir = "sweep-out";
	bool list = false, quiet = false;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			sweep_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			list = true;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "-j")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "mmsim sweep: option %s needs a value\n", a);
				return EXIT_BAD_INPUT;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "-j")) {
				char *end;
				errno = 0;
				jobs = strtol(v, &end, 10);
				if (errno || *end || jobs < 1 || jobs > 4096) {
					fprintf(stderr, "mmsim sweep: -j: expected a number of parallel runs "
							"1..4096, got \"%s\"\n", v);
					return EXIT_BAD_INPUT;
				}
			} else {
				dir = v;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmsim sweep: unknown option \"%s\" (see mmsim sweep --help)\n", a);
			return EXIT_BAD_INPUT;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "mmsim sweep: unexpected argument \"%s\" (one sweep file)\n", a);
			return EXIT_BAD_INPUT;
		}
	}
	if (!file) {
		sweep_usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (jobs < 1)
		jobs = 1;
	bool mpi = !list && launcher_ranks() > 1;
#ifndef MMSIM_MPI
	if (mpi)
		return exec_mmsim_mpi(argc, argv, launcher_ranks());
#endif
	struct sweep sw;
	struct diag *d = diag_create();
	if (sweep_load(&sw, file, d) < 0) {
		diag_print(d, stderr);
		diag_destroy(d);
		sweep_free(&sw);
		return EXIT_BAD_INPUT;
	}
	diag_destroy(d);
	unsigned bad = sweep_validate(&sw);
	const char *rank = getenv("OMPI_COMM_WORLD_RANK");
	if (!rank)
		rank = getenv("PMI_RANK");
	if (!rank)
		rank = getenv("PMIX_RANK");
	bool rank0 = !rank || !strcmp(rank, "0");   /* only the coordinator speaks */
	for (unsigned i = 0; i < sw.nr && rank0; i++)
		if (sw.pts[i].state == PT_INVALID)
			fprintf(stderr, "mmsim sweep: point %s is invalid:\n%s\n", sw.pts[i].name,
				sw.pts[i].why);
	int rc;
	if (list) {
		for (unsigned i = 0; i < sw.nr; i++)
			printf("%s%s\n", sw.pts[i].name,
			       sw.pts[i].state == PT_INVALID ? " (invalid)" : "");
		rc = bad ? 1 : 0;
	} else {
#ifdef MMSIM_MPI
		if (mpi)
			rc = sweep_mpi(&sw, dir, quiet);
		else
#endif
			rc = run_sweep(&sw, dir, (unsigned)jobs, quiet);
	}
	sweep_free(&sw);
	return rc;
}
