/* lockstat.c - per-simulation lock statistics: per class and read/write state, per call
 * site, and the lockdep class graph. Formats: /proc/lock_stat (version 0.4, same columns
 * and meaning, reference/pagecache-locks.md §8), contention.csv (perf-lock-contention
 * style: who waited at which site behind which holder site) and lock_classes.csv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks/lock_internal.h"
#include "locks/lockstat.h"

struct site_stat {
	const struct lock_site *site;     /* waiter */
	const struct lock_site *holder;   /* holder at the time (NULL: readers or unknown) */
	u64 count, wait_total, wait_max;
};

struct lock_class_stats {
	const struct lock_class *class;
	int index;
	bool used[2];
	struct lock_stat_row row[2];
	struct site_stat *sites[2];       /* one per (waiter site, holder site) pair */
	size_t nr_sites[2], cap_sites[2];
};

struct lockstat {
	struct findings *findings;        /* borrowed */
	struct lock_class_stats **classes;
	size_t nr, cap;
	char **edge;                      /* cap x cap: path text of edge from -> to, or NULL */
	u64 inversions;
};

struct lockstat *lockstat_create(struct findings *findings)
{
	struct lockstat *ls = xcalloc(1, sizeof(*ls));
	ls->findings = findings;
	return ls;
}

void lockstat_destroy(struct lockstat *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->nr; i++) {
		free(ls->classes[i]->sites[0]);
		free(ls->classes[i]->sites[1]);
		free(ls->classes[i]);
	}
	for (size_t i = 0; i < ls->cap * ls->cap; i++)
		free(ls->edge[i]);
	free(ls->edge);
	free(ls->classes);
	free(ls);
}

struct findings *lockstat_findings(struct lockstat *ls)
{
	return ls->findings;
}

struct lock_class_stats *lockstat_class(struct lockstat *ls, const struct lock_class *c)
{
	for (size_t i = 0; i < ls->nr; i++)
		if (ls->classes[i]->class == c)
			return ls->classes[i];
	/* Two static classes with the same name are one class for reporting purposes. */
	for (size_t i = 0; i < ls->nr; i++)
		if (strcmp(ls->classes[i]->class->name, c->name) == 0)
			return ls->classes[i];
	if (ls->nr == ls->cap) {
		size_t ncap = ls->cap ? 2 * ls->cap : 32;
		char **ne = xcalloc(ncap * ncap, sizeof(*ne));
		for (size_t a = 0; a < ls->cap; a++)
			for (size_t b = 0; b < ls->cap; b++)
				ne[a * ncap + b] = ls->edge[a * ls->cap + b];
		free(ls->edge);
		ls->edge = ne;
		ls->classes = xrealloc(ls->classes, ncap * sizeof(*ls->classes));
		ls->cap = ncap;
	}
	struct lock_class_stats *cs = xcalloc(1, sizeof(*cs));
	cs->class = c;
	cs->index = (int)ls->nr;
	ls->classes[ls->nr++] = cs;
	return cs;
}

int lockstat_class_index(const struct lock_class_stats *cs)
{
	return cs->index;
}

const char *lockstat_class_name(const struct lockstat *ls, int idx)
{
	return ls->classes[idx]->class->name;
}

static unsigned hist_bucket(u64 ns)
{
	unsigned b = 63 - (unsigned)__builtin_clzll(ns);
	return b < LOCK_HIST_BUCKETS ? b : LOCK_HIST_BUCKETS - 1;
}

static struct site_stat *site_slot(struct lock_class_stats *cs, int rw, const struct lock_site *site,
				   const struct lock_site *holder)
{
	for (size_t i = 0; i < cs->nr_sites[rw]; i++)
		if (cs->sites[rw][i].site == site && cs->sites[rw][i].holder == holder)
			return &cs->sites[rw][i];
	if (cs->nr_sites[rw] == cs->cap_sites[rw]) {
		cs->cap_sites[rw] = cs->cap_sites[rw] ? 2 * cs->cap_sites[rw] : 8;
		cs->sites[rw] = xrealloc(cs->sites[rw], cs->cap_sites[rw] * sizeof(struct site_stat));
	}
	struct site_stat *s = &cs->sites[rw][cs->nr_sites[rw]++];
	*s = (struct site_stat){ .site = site, .holder = holder };
	return s;
}

void lockstat_acquired(struct lock_class_stats *cs, int rw, unsigned bounce, u64 wait_ns,
		       const struct lock_site *site, const struct lock_site *holder_site)
{
	struct lock_stat_row *r = &cs->row[rw];
	cs->used[rw] = true;
	r->acquisitions++;
	if (bounce & LOCK_BOUNCE)
		r->acq_bounces++;
	if (bounce & LOCK_BOUNCE_NODE)
		r->cross_node_bounces++;
	if (!wait_ns)
		return;
	r->contentions++;
	if (bounce & LOCK_BOUNCE)
		r->con_bounces++;
	r->wait_total += wait_ns;
	if (!r->wait_min || wait_ns < r->wait_min)
		r->wait_min = wait_ns;
	if (wait_ns > r->wait_max)
		r->wait_max = wait_ns;
	r->wait_hist[hist_bucket(wait_ns)]++;
	struct site_stat *s = site_slot(cs, rw, site, holder_site);
	s->count++;
	s->wait_total += wait_ns;
	if (wait_ns > s->wait_max)
		s->wait_max = wait_ns;
}

void lockstat_released(struct lock_class_stats *cs, int rw, u64 hold_ns)
{
	struct lock_stat_row *r = &cs->row[rw];
	r->hold_total += hold_ns;
	if (hold_ns && (!r->hold_min || hold_ns < r->hold_min))
		r->hold_min = hold_ns;
	if (hold_ns > r->hold_max)
		r->hold_max = hold_ns;
}

void lockstat_trylock_failed(struct lock_class_stats *cs, int rw)
{
	cs->used[rw] = true;
	cs->row[rw].trylock_failures++;
}

/* ---- lockdep graph ---- */

bool lockstat_edge_exists(const struct lockstat *ls, int from, int to)
{
	return ls->edge[(size_t)from * ls->cap + (size_t)to] != NULL;
}

bool lockstat_edge_add(struct lockstat *ls, int from, int to, const char *path)
{
	char **e = &ls->edge[(size_t)from * ls->cap + (size_t)to];
	if (*e)
		return false;
	*e = xstrdup(path);
	return true;
}

char *lockstat_edge_path(const struct lockstat *ls, int from, int to)
{
	size_t n = ls->nr;
	int *prev = xmalloc(n * sizeof(*prev));
	int *queue = xmalloc(n * sizeof(*queue));
	for (size_t i = 0; i < n; i++)
		prev[i] = -2;
	size_t qh = 0, qt = 0;
	queue[qt++] = from;
	prev[from] = -1;
	char *out = NULL;
	while (qh < qt) {
		int u = queue[qh++];
		if (u == to) {
			/* Walk back, then print the edges from the start. */
			int chain[64], len = 0;
			for (int v = to; v != -1 && len < 64; v = prev[v])
				chain[len++] = v;
			out = xstrdup("");
			for (int i = len - 1; i > 0; i--) {
				const char *p = ls->edge[(size_t)chain[i] * ls->cap + (size_t)chain[i - 1]];
				char *o = xasprintf("%s%s%s", out, *out ? "\n                " : "", p);
				free(out);
				out = o;
			}
			break;
		}
		for (size_t v = 0; v < n; v++) {
			if (prev[v] == -2 && ls->edge[(size_t)u * ls->cap + v]) {
				prev[v] = u;
				queue[qt++] = (int)v;
			}
		}
	}
	free(prev);
	free(queue);
	return out;
}

void lockstat_note_inversion(struct lockstat *ls)
{
	ls->inversions++;
}

u64 lockstat_nr_inversions(const struct lockstat *ls)
{
	return ls->inversions;
}

/* ---- queries and formats ---- */

static const struct lock_class_stats *find_class(const struct lockstat *ls, const char *name)
{
	for (size_t i = 0; i < ls->nr; i++)
		if (strcmp(ls->classes[i]->class->name, name) == 0)
			return ls->classes[i];
	return NULL;
}

const struct lock_stat_row *lockstat_class_row(const struct lockstat *ls, const char *class_name,
					       int rw)
{
	const struct lock_class_stats *cs = find_class(ls, class_name);
	return cs && cs->used[rw] ? &cs->row[rw] : NULL;
}

static int cmp_name(const void *a, const void *b)
{
	const struct lock_class_stats *x = *(const struct lock_class_stats *const *)a;
	const struct lock_class_stats *y = *(const struct lock_class_stats *const *)b;
	return strcmp(x->class->name, y->class->name);
}

/* Classes sorted by name (deterministic, independent of first-use order). */
static struct lock_class_stats **sorted_by_name(const struct lockstat *ls)
{
	struct lock_class_stats **v = xmalloc((ls->nr ? ls->nr : 1) * sizeof(*v));
	if (ls->nr) {
		memcpy(v, ls->classes, ls->nr * sizeof(*v));
		qsort(v, ls->nr, sizeof(*v), cmp_name);
	}
	return v;
}

size_t lockstat_nr_classes(const struct lockstat *ls)
{
	return ls->nr;
}

const char *lockstat_class_name_at(const struct lockstat *ls, size_t i)
{
	struct lock_class_stats **v = sorted_by_name(ls);
	const char *n = v[i]->class->name;
	free(v);
	return n;
}

static u64 class_contentions(const struct lock_class_stats *cs)
{
	return cs->row[0].contentions + cs->row[1].contentions;
}

static int cmp_contentions(const void *a, const void *b)
{
	const struct lock_class_stats *x = *(const struct lock_class_stats *const *)a;
	const struct lock_class_stats *y = *(const struct lock_class_stats *const *)b;
	u64 cx = class_contentions(x), cy = class_contentions(y);
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->class->name, y->class->name);
}

static bool has_rw(const struct lock_class_stats *cs)
{
	return cs->class->kind == LOCK_RWSEM || cs->class->kind == LOCK_RWLOCK;
}

/* lock_stat prints times in microseconds with two decimals. */
static void fmt_time(char *buf, size_t len, u64 ns)
{
	snprintf(buf, len, "%llu.%02llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)((ns % 1000) / 10));
}

#define LS_LINE_WIDTH (40 + 1 + 12 * (14 + 1))

static void line(FILE *f, char c, int offset, int length)
{
	for (int i = 0; i < offset; i++)
		fputc(' ', f);
	for (int i = 0; i < length; i++)
		fputc(c, f);
	fputc('\n', f);
}

static void write_row(FILE *f, const char *name, const char *suffix, const struct lock_stat_row *r)
{
	char label[128], t[6][32];
	snprintf(label, sizeof(label), "%s%s", name, suffix);
	fmt_time(t[0], sizeof(t[0]), r->wait_min);
	fmt_time(t[1], sizeof(t[1]), r->wait_max);
	fmt_time(t[2], sizeof(t[2]), r->wait_total);
	fmt_time(t[3], sizeof(t[3]), r->contentions ? r->wait_total / r->contentions : 0);
	fmt_time(t[4], sizeof(t[4]), r->hold_min);
	fmt_time(t[5], sizeof(t[5]), r->hold_max);
	char ht[32], ha[32];
	fmt_time(ht, sizeof(ht), r->hold_total);
	fmt_time(ha, sizeof(ha), r->acquisitions ? r->hold_total / r->acquisitions : 0);
	fprintf(f, "%40s: %14llu %14llu %14s %14s %14s %14s %14llu %14llu %14s %14s %14s %14s\n",
		label, (unsigned long long)r->con_bounces, (unsigned long long)r->contentions, t[0],
		t[1], t[2], t[3], (unsigned long long)r->acq_bounces,
		(unsigned long long)r->acquisitions, t[4], t[5], ht, ha);
}

static int cmp_site_count(const void *a, const void *b)
{
	const struct site_stat *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	int c = strcmp(x->site->func, y->site->func);
	if (c)
		return c;
	return x->site->line - y->site->line;
}

/* Up to 4 points: merge the (waiter, holder) pairs by one side. */
static void write_points(FILE *f, const char *name, const struct lock_class_stats *cs, bool holder)
{
	struct site_stat pts[64];
	size_t n = 0;
	for (int rw = 0; rw < 2; rw++) {
		for (size_t i = 0; i < cs->nr_sites[rw]; i++) {
			const struct lock_site *s = holder ? cs->sites[rw][i].holder : cs->sites[rw][i].site;
			if (!s)
				continue;
			size_t j;
			for (j = 0; j < n && pts[j].site != s; j++)
				;
			if (j == n) {
				if (n == ARRAY_SIZE(pts))
					continue;
				pts[n++] = (struct site_stat){ .site = s };
			}
			pts[j].count += cs->sites[rw][i].count;
		}
	}
	if (!n)
		return;
	qsort(pts, n, sizeof(pts[0]), cmp_site_count);
	int namelen = (int)strlen(name);
	line(f, '-', 40 - namelen, namelen);
	for (size_t i = 0; i < n && i < 4; i++) {
		char where[64];
		snprintf(where, sizeof(where), "[<%s:%d>]", pts[i].site->file ? strrchr(pts[i].site->file, '/') ?
			 strrchr(pts[i].site->file, '/') + 1 : pts[i].site->file : "?", pts[i].site->line);
		fprintf(f, "%40s %14llu %29s %s\n", name, (unsigned long long)pts[i].count, where,
			pts[i].site->func);
	}
}

void lockstat_write_proc(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "lock_stat version 0.4\n");
	line(f, '-', 0, LS_LINE_WIDTH);
	fprintf(f, "%40s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n",
		"class name", "con-bounces", "contentions", "waittime-min", "waittime-max",
		"waittime-total", "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min",
		"holdtime-max", "holdtime-total", "holdtime-avg");
	line(f, '-', 0, LS_LINE_WIDTH);
	fprintf(f, "\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	if (ls->nr)
		qsort(v, ls->nr, sizeof(*v), cmp_contentions);
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = v[i];
		const char *name = cs->class->name;
		if (has_rw(cs)) {
			if (cs->used[LS_WRITE])
				write_row(f, name, "-W", &cs->row[LS_WRITE]);
			if (cs->used[LS_READ])
				write_row(f, name, "-R", &cs->row[LS_READ]);
		} else {
			write_row(f, name, "", &cs->row[LS_WRITE]);
		}
		if (class_contentions(cs)) {
			write_points(f, name, cs, false);
			write_points(f, name, cs, true);
		}
		fprintf(f, "\n");
		line(f, '.', 0, LS_LINE_WIDTH);
		fprintf(f, "\n");
	}
	free(v);
}

static const char *kind_name(const struct lock_class *c, int rw)
{
	switch (c->kind) {
	case LOCK_SPIN:
		return "spinlock";
	case LOCK_MUTEX:
		return "mutex";
	case LOCK_RWSEM:
		return rw == LS_READ ? "rwsem:R" : "rwsem:W";
	case LOCK_RWLOCK:
		return rw == LS_READ ? "rwlock:R" : "rwlock:W";
	}
	return "?";
}

static int cmp_site_wait(const void *a, const void *b)
{
	const struct site_stat *x = a, *y = b;
	if (x->wait_total != y->wait_total)
		return x->wait_total > y->wait_total ? -1 : 1;
	return cmp_site_count(a, b);
}

void lockstat_write_csv(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "class,type,contended,total_wait_ns,max_wait_ns,avg_wait_ns,caller,caller_line,"
		   "holder,holder_line\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = v[i];
		for (int rw = 0; rw < 2; rw++) {
			size_t n = cs->nr_sites[rw];
			struct site_stat *s = xmalloc((n ? n : 1) * sizeof(*s));
			if (n) {
				memcpy(s, cs->sites[rw], n * sizeof(*s));
				qsort(s, n, sizeof(*s), cmp_site_wait);
			}
			for (size_t j = 0; j < n; j++) {
				fprintf(f, "\"%s\",%s,%llu,%llu,%llu,%llu,%s,%d,%s,%d\n",
					cs->class->name, kind_name(cs->class, rw),
					(unsigned long long)s[j].count,
					(unsigned long long)s[j].wait_total,
					(unsigned long long)s[j].wait_max,
					(unsigned long long)(s[j].wait_total / s[j].count),
					s[j].site->func, s[j].site->line,
					s[j].holder ? s[j].holder->func : (rw == LS_WRITE ? "readers" : "writer"),
					s[j].holder ? s[j].holder->line : 0);
			}
			free(s);
		}
	}
	free(v);
}

void lockstat_write_classes_csv(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "class,type,acquisitions,contentions,wait_total_ns,wait_min_ns,wait_max_ns,"
		   "hold_total_ns,hold_min_ns,hold_max_ns,acq_bounces,con_bounces,"
		   "cross_node_bounces,trylock_failures");
	for (int b = 0; b < LOCK_HIST_BUCKETS; b++)
		fprintf(f, ",wait_hist_2^%d", b);
	fprintf(f, "\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = v[i];
		for (int rw = 0; rw < 2; rw++) {
			if (!cs->used[rw])
				continue;
			const struct lock_stat_row *r = &cs->row[rw];
			fprintf(f, "\"%s\",%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu",
				cs->class->name, kind_name(cs->class, rw),
				(unsigned long long)r->acquisitions, (unsigned long long)r->contentions,
				(unsigned long long)r->wait_total, (unsigned long long)r->wait_min,
				(unsigned long long)r->wait_max, (unsigned long long)r->hold_total,
				(unsigned long long)r->hold_min, (unsigned long long)r->hold_max,
				(unsigned long long)r->acq_bounces, (unsigned long long)r->con_bounces,
				(unsigned long long)r->cross_node_bounces,
				(unsigned long long)r->trylock_failures);
			for (int b = 0; b < LOCK_HIST_BUCKETS; b++)
				fprintf(f, ",%llu", (unsigned long long)r->wait_hist[b]);
			fprintf(f, "\n");
		}
	}
	free(v);
}
