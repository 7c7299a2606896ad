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
	const struct lock_site *holder;   /* the lock's latest acquisition when asked (lock->ip) */
	int holder_rw;                    /* the state the holder site took */
	u64 count, wait_total, wait_max, wait_min;
	u64 wait_hist[LOCK_HIST_BUCKETS];
};

/* Who waited on whom: waiter task and site, holder task, site and state. */
struct pair_stat {
	u32 waiter_task, holder_task;
	const struct lock_site *site, *holder;
	int holder_rw;
	u64 count, wait_total, wait_max;
};

/* A contention point as the kernel keeps it: the first LOCKSTAT_POINTS distinct sites
 * seen, in that order, each with the contentions counted there afterwards. */
#define LOCKSTAT_POINTS 4
struct lock_point {
	const struct lock_site *site;
	u64 count;
};

struct lock_class_stats {
	const struct lock_class *class;
	char *name;                       /* class name, "#N" for the N-th class of that name */
	int name_version;
	int index;
	bool used[2];
	struct lock_stat_row row[2];
	struct site_stat *sites[2];       /* one per (waiter site, holder site) pair */
	size_t nr_sites[2], cap_sites[2];
	struct pair_stat *pairs[2];
	size_t nr_pairs[2], cap_pairs[2], last_pair[2];
	struct lock_point contention_point[LOCKSTAT_POINTS];  /* waiters' sites */
	struct lock_point contending_point[LOCKSTAT_POINTS];  /* holders' sites */
};

struct lockstat {
	struct findings *findings;        /* borrowed */
	struct lock_class_stats **classes;
	size_t nr, cap;
	char **edge;                      /* cap x cap: path text of edge from -> to, or NULL */
	u64 inversions;
	char **task_names;                /* lockstat_task_id() - 1 -> comm */
	u32 nr_task_names, cap_task_names;
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
		free(ls->classes[i]->pairs[0]);
		free(ls->classes[i]->pairs[1]);
		free(ls->classes[i]->name);
		free(ls->classes[i]);
	}
	for (size_t i = 0; i < ls->cap * ls->cap; i++)
		free(ls->edge[i]);
	free(ls->edge);
	free(ls->classes);
	for (u32 i = 0; i < ls->nr_task_names; i++)
		free(ls->task_names[i]);
	free(ls->task_names);
	free(ls);
}

u32 lockstat_task_id(struct lockstat *ls, const char *comm)
{
	for (u32 i = 0; i < ls->nr_task_names; i++)
		if (strcmp(ls->task_names[i], comm) == 0)
			return i + 1;
	if (ls->nr_task_names == ls->cap_task_names) {
		ls->cap_task_names = ls->cap_task_names ? 2 * ls->cap_task_names : 16;
		ls->task_names = xrealloc(ls->task_names, ls->cap_task_names * sizeof(char *));
	}
	ls->task_names[ls->nr_task_names++] = xstrdup(comm);
	return ls->nr_task_names;
}

static const char *task_name(const struct lockstat *ls, u32 id)
{
	return id && id <= ls->nr_task_names ? ls->task_names[id - 1] : "-";
}

static struct pair_stat *pair_slot(struct lock_class_stats *cs, int rw, u32 wt,
				   const struct lock_site *site, u32 ht,
				   const struct lock_site *holder, int holder_rw)
{
	size_t n = cs->nr_pairs[rw];
	struct pair_stat *p = cs->pairs[rw];
	size_t last = cs->last_pair[rw];
	for (size_t k = 0; k < n; k++) {
		size_t i = (last + k) % n;
		if (p[i].waiter_task == wt && p[i].site == site && p[i].holder_task == ht &&
		    p[i].holder == holder && p[i].holder_rw == holder_rw) {
			cs->last_pair[rw] = i;
			return &p[i];
		}
	}
	if (n == cs->cap_pairs[rw]) {
		cs->cap_pairs[rw] = n ? 2 * n : 8;
		cs->pairs[rw] = xrealloc(cs->pairs[rw], cs->cap_pairs[rw] * sizeof(struct pair_stat));
	}
	cs->last_pair[rw] = n;
	p = &cs->pairs[rw][cs->nr_pairs[rw]++];
	*p = (struct pair_stat){ .waiter_task = wt, .site = site, .holder_task = ht,
				 .holder = holder, .holder_rw = holder_rw };
	return p;
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
	/* Another class object of the same name is another class, as two lock_class_keys
	 * with one name are in lockdep: the N-th registered is shown as "name#N". */
	int version = 1;
	for (size_t i = 0; i < ls->nr; i++)
		if (strcmp(ls->classes[i]->class->name, c->name) == 0)
			version++;
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
	cs->name_version = version;
	cs->name = version > 1 ? xasprintf("%s#%d", c->name, version) : xstrdup(c->name);
	cs->index = (int)ls->nr;
	ls->classes[ls->nr++] = cs;
	return cs;
}

const char *lockstat_stats_name(const struct lock_class_stats *cs)
{
	return cs->name;
}

int lockstat_class_index(const struct lock_class_stats *cs)
{
	return cs->index;
}

const char *lockstat_class_name(const struct lockstat *ls, int idx)
{
	return ls->classes[idx]->name;
}

static unsigned hist_bucket(u64 ns)
{
	unsigned b = 63 - (unsigned)__builtin_clzll(ns);
	return b < LOCK_HIST_BUCKETS ? b : LOCK_HIST_BUCKETS - 1;
}

static struct site_stat *site_slot(struct lock_class_stats *cs, int rw, const struct lock_site *site,
				   const struct lock_site *holder, int holder_rw)
{
	for (size_t i = 0; i < cs->nr_sites[rw]; i++)
		if (cs->sites[rw][i].site == site && cs->sites[rw][i].holder == holder &&
		    cs->sites[rw][i].holder_rw == holder_rw)
			return &cs->sites[rw][i];
	if (cs->nr_sites[rw] == cs->cap_sites[rw]) {
		cs->cap_sites[rw] = cs->cap_sites[rw] ? 2 * cs->cap_sites[rw] : 8;
		cs->sites[rw] = xrealloc(cs->sites[rw], cs->cap_sites[rw] * sizeof(struct site_stat));
	}
	struct site_stat *s = &cs->sites[rw][cs->nr_sites[rw]++];
	*s = (struct site_stat){ .site = site, .holder = holder, .holder_rw = holder_rw };
	return s;
}

/* The kernel's lock_point(): the slot of site among the first LOCKSTAT_POINTS seen. */
static void lock_point(struct lock_point *pts, const struct lock_site *site)
{
	if (!site)
		return;
	for (int i = 0; i < LOCKSTAT_POINTS; i++) {
		if (!pts[i].site)
			pts[i].site = site;
		if (pts[i].site == site) {
			pts[i].count++;
			return;
		}
	}
}

static void lockstat_contended(struct lock_class_stats *cs, int rw, unsigned bounce, u64 wait_ns,
			       const struct lock_site *site, const struct lock_site *holder_site,
			       int holder_rw, u32 waiter_task, u32 holder_task);

void lockstat_acquired(struct lock_class_stats *cs, int rw, unsigned bounce, u64 wait_ns,
		       const struct lock_site *site, const struct lock_site *holder_site,
		       int holder_rw, u32 waiter_task, u32 holder_task)
{
	struct lock_stat_row *r = &cs->row[rw];
	cs->used[rw] = true;
	r->acquisitions++;
	if (bounce & LOCK_BOUNCE)
		r->acq_bounces++;
	if (bounce & LOCK_BOUNCE_NODE)
		r->cross_node_bounces++;
	if (wait_ns)
		lockstat_contended(cs, rw, bounce, wait_ns, site, holder_site, holder_rw, waiter_task,
				   holder_task);
}

/* The contended part of lockstat_acquired(), out of line. */
static __attribute__((noinline)) void lockstat_contended(struct lock_class_stats *cs, int rw,
							 unsigned bounce, u64 wait_ns,
							 const struct lock_site *site,
							 const struct lock_site *holder_site,
							 int holder_rw, u32 waiter_task,
							 u32 holder_task)
{
	struct lock_stat_row *r = &cs->row[rw];
	r->contentions++;
	if (bounce & LOCK_BOUNCE)
		r->con_bounces++;
	r->wait_total += wait_ns;
	if (!r->wait_min || wait_ns < r->wait_min)
		r->wait_min = wait_ns;
	if (wait_ns > r->wait_max)
		r->wait_max = wait_ns;
	r->wait_hist[hist_bucket(wait_ns)]++;
	lock_point(cs->contention_point, site);
	lock_point(cs->contending_point, holder_site);
	struct site_stat *s = site_slot(cs, rw, site, holder_site, holder_rw);
	s->count++;
	s->wait_total += wait_ns;
	if (wait_ns > s->wait_max)
		s->wait_max = wait_ns;
	if (!s->wait_min || wait_ns < s->wait_min)
		s->wait_min = wait_ns;
	s->wait_hist[hist_bucket(wait_ns)]++;
	struct pair_stat *p = pair_slot(cs, rw, waiter_task, site, holder_task, holder_site,
					holder_rw);
	p->count++;
	p->wait_total += wait_ns;
	if (wait_ns > p->wait_max)
		p->wait_max = wait_ns;
}

void lockstat_released(struct lock_class_stats *cs, int rw, u64 hold_ns)
{
	struct lock_stat_row *r = &cs->row[rw];
	/* As lock_time_inc(): a zero hold is a hold, so it can be the minimum. */
	if (!r->holds || hold_ns < r->hold_min)
		r->hold_min = hold_ns;
	r->holds++;
	r->hold_total += hold_ns;
	if (hold_ns > r->hold_max)
		r->hold_max = hold_ns;
	r->hold_hist[hold_ns ? hist_bucket(hold_ns) : 0]++;
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
		if (strcmp(ls->classes[i]->name, name) == 0)
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
	return strcmp(x->name, y->name);
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
	const char *n = v[i]->name;
	free(v);
	return n;
}

/* A state has a row in /proc/lock_stat once it was acquired; a class has a read state
 * when it was ever taken for read, and only then are its rows suffixed -W and -R. */
static bool has_row(const struct lock_class_stats *cs, int rw)
{
	return cs->used[rw] && cs->row[rw].acquisitions;
}

const char *lockstat_row_label(const struct lockstat *ls, const char *class_name, int rw,
			       char *buf, size_t len)
{
	const struct lock_class_stats *cs = find_class(ls, class_name);
	if (!cs || !has_row(cs, rw))
		return NULL;
	snprintf(buf, len, "%s%s", cs->name,
		 !has_row(cs, LS_READ) ? "" : rw == LS_READ ? "-R" : "-W");
	return buf;
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
	return strcmp(x->name, y->name);
}

/* ---- call sites as the kernel prints code addresses ----
 * A site has no address, so it gets a stable pseudo one: 32 bits of an FNV-1a hash of
 * file, line and function, printed as a hashed %p is ("00000000xxxxxxxx"). Its %pS form
 * "func+0xoff/0xsize" has a size per function and an offset per site drawn from the same
 * hashes: both synthetic, stable across runs and builds of the same source. */

static u64 fnv1a(u64 h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_BASIS 0xcbf29ce484222325ULL

static const char *site_file(const struct lock_site *s)
{
	if (!s->file)
		return "?";
	const char *b = strrchr(s->file, '/');
	return b ? b + 1 : s->file;
}

static u32 site_addr(const struct lock_site *s)
{
	const char *file = site_file(s);
	u64 h = fnv1a(FNV_BASIS, file, strlen(file));
	h = fnv1a(h, &s->line, sizeof(s->line));
	h = fnv1a(h, s->func, strlen(s->func));
	return (u32)(h ^ (h >> 32));
}

static void site_offset(const struct lock_site *s, unsigned *off, unsigned *size)
{
	u64 hf = fnv1a(FNV_BASIS, s->func, strlen(s->func));
	*size = (unsigned)(0x100 + hf % 0x700) & ~0xfu;
	*off = 1 + site_addr(s) % (*size - 1);
}

void lockstat_site_ip(const struct lock_site *s, char *buf, size_t len)
{
	snprintf(buf, len, "[<%016llx>]", (unsigned long long)site_addr(s));
}

void lockstat_site_symbol(const struct lock_site *s, bool with_size, char *buf, size_t len)
{
	unsigned off, size;
	site_offset(s, &off, &size);
	if (with_size)
		snprintf(buf, len, "%s+%#x/%#x", s->func, off, size);
	else
		snprintf(buf, len, "%s+%#x", s->func, off);
}

/* ---- /proc/lock_stat, as 6.1's kernel/locking/lockdep_proc.c prints it ---- */

#define LS_LINE_WIDTH (40 + 1 + 12 * (14 + 1))

static void seq_line(FILE *f, char c, int offset, int length)
{
	for (int i = 0; i < offset; i++)
		fputc(' ', f);
	for (int i = 0; i < length; i++)
		fputc(c, f);
	fputc('\n', f);
}

/* Microseconds with two decimals, rounded to the nearest 10 ns (+5 then truncate), in a
 * 15-byte buffer as the kernel's, so at most 14 characters. */
static void seq_time(FILE *f, u64 ns)
{
	char num[32];
	u64 n = ns + 5;
	snprintf(num, sizeof(num), "%llu.%02u", (unsigned long long)(n / 1000),
		 (unsigned)(n % 1000) / 10);
	num[14] = '\0';
	fprintf(f, " %14s", num);
}

static void seq_lock_time(FILE *f, u64 nr, u64 min, u64 max, u64 total)
{
	fprintf(f, "%14llu", (unsigned long long)nr);
	seq_time(f, min);
	seq_time(f, max);
	seq_time(f, total);
	seq_time(f, nr ? total / nr : 0);
}

static void seq_row(FILE *f, const char *name, const char *suffix, const struct lock_stat_row *r)
{
	if (*suffix)
		fprintf(f, "%38s%s:", name, suffix);
	else
		fprintf(f, "%40s:", name);
	fprintf(f, "%14llu ", (unsigned long long)r->con_bounces);
	seq_lock_time(f, r->contentions, r->wait_min, r->wait_max, r->wait_total);
	fprintf(f, " %14llu ", (unsigned long long)r->acq_bounces);
	seq_lock_time(f, r->acquisitions, r->hold_min, r->hold_max, r->hold_total);
	fputc('\n', f);
}

static int seq_points(FILE *f, const char *name, int namelen, const struct lock_point *pts)
{
	int i;
	for (i = 0; i < LOCKSTAT_POINTS && pts[i].site; i++) {
		char ip[32], sym[160];
		if (!i)
			seq_line(f, '-', 40 - namelen, namelen);
		lockstat_site_ip(pts[i].site, ip, sizeof(ip));
		lockstat_site_symbol(pts[i].site, true, sym, sizeof(sym));
		fprintf(f, "%40s %14llu %29s %s\n", name, (unsigned long long)pts[i].count, ip, sym);
	}
	return i;
}

static void seq_stats(FILE *f, const struct lock_class_stats *cs)
{
	/* The name is cut to 37 characters (35 with a "#N" version, of which only one
	 * digit is printed). */
	char name[40];
	int namelen = cs->name_version > 1 ? 36 : 38;
	size_t n = strlen(cs->class->name);
	if (n > (size_t)namelen - 1)
		n = (size_t)namelen - 1;
	memcpy(name, cs->class->name, n);
	name[n] = '\0';
	if (cs->name_version > 1) {
		char v[16];
		snprintf(v, sizeof(v), "%d", cs->name_version);
		name[n++] = '#';
		name[n++] = v[0];
		name[n] = '\0';
	}
	namelen = (int)n;

	bool rd = has_row(cs, LS_READ);
	if (has_row(cs, LS_WRITE))
		seq_row(f, name, rd ? "-W" : "", &cs->row[LS_WRITE]);
	if (rd)
		seq_row(f, name, "-R", &cs->row[LS_READ]);
	if (!class_contentions(cs))
		return;
	if (rd)
		namelen += 2;
	seq_points(f, name, namelen, cs->contention_point);
	if (seq_points(f, name, namelen, cs->contending_point)) {
		fputc('\n', f);
		seq_line(f, '.', 0, LS_LINE_WIDTH);
		fputc('\n', f);
	}
}

void lockstat_write_proc(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "lock_stat version 0.4\n");
	seq_line(f, '-', 0, LS_LINE_WIDTH);
	fprintf(f, "%40s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n",
		"class name", "con-bounces", "contentions", "waittime-min", "waittime-max",
		"waittime-total", "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min",
		"holdtime-max", "holdtime-total", "holdtime-avg");
	seq_line(f, '-', 0, LS_LINE_WIDTH);
	fprintf(f, "\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	if (ls->nr)
		qsort(v, ls->nr, sizeof(*v), cmp_contentions);
	for (size_t i = 0; i < ls->nr; i++)
		seq_stats(f, v[i]);
	free(v);
}

/* ---- contention.csv and perf lock contention's layout ---- */

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

static int cmp_site(const struct lock_site *x, const struct lock_site *y)
{
	int c = strcmp(x->func, y->func);
	if (c)
		return c;
	return x->line - y->line;
}

static int cmp_site_wait(const void *a, const void *b)
{
	const struct site_stat *x = a, *y = b;
	if (x->wait_total != y->wait_total)
		return x->wait_total > y->wait_total ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	int c = cmp_site(x->site, y->site);
	if (c || x->holder == y->holder)
		return c;
	if (!x->holder || !y->holder)
		return x->holder ? -1 : 1;
	c = cmp_site(x->holder, y->holder);
	return c ? c : x->holder_rw - y->holder_rw;
}

void lockstat_write_csv(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "class,type,contended,total_wait_ns,max_wait_ns,avg_wait_ns,caller,caller_line,"
		   "holder,holder_line,holder_type\n");
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
				fprintf(f, "\"%s\",%s,%llu,%llu,%llu,%llu,%s,%d,%s,%d,%s\n", cs->name,
					kind_name(cs->class, rw), (unsigned long long)s[j].count,
					(unsigned long long)s[j].wait_total,
					(unsigned long long)s[j].wait_max,
					(unsigned long long)(s[j].wait_total / s[j].count),
					s[j].site->func, s[j].site->line,
					s[j].holder ? s[j].holder->func : "-",
					s[j].holder ? s[j].holder->line : 0,
					s[j].holder ? kind_name(cs->class, s[j].holder_rw) : "-");
			}
			free(s);
		}
	}
	free(v);
}

/* perf lock contention aggregates by caller (its call stack; here the waiting site) and
 * lock type, and sorts by total wait. */
struct perf_entry {
	const struct lock_site *site;
	const char *type;
	u64 contended, total, max, min;
};

static int cmp_perf_entry(const void *a, const void *b)
{
	const struct perf_entry *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	int c = cmp_site(x->site, y->site);
	return c ? c : strcmp(x->type, y->type);
}

void lockstat_write_perf_contention(const struct lockstat *ls, FILE *f)
{
	struct perf_entry *e = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = ls->classes[i];
		for (int rw = 0; rw < 2; rw++) {
			const char *type = kind_name(cs->class, rw);
			for (size_t j = 0; j < cs->nr_sites[rw]; j++) {
				const struct site_stat *s = &cs->sites[rw][j];
				size_t k;
				for (k = 0; k < n; k++)
					if (e[k].site == s->site && strcmp(e[k].type, type) == 0)
						break;
				if (k == n) {
					if (n == cap) {
						cap = cap ? 2 * cap : 16;
						e = xrealloc(e, cap * sizeof(*e));
					}
					e[n++] = (struct perf_entry){ .site = s->site, .type = type };
				}
				e[k].contended += s->count;
				e[k].total += s->wait_total;
				if (s->wait_max > e[k].max)
					e[k].max = s->wait_max;
				if (!e[k].min || s->wait_min < e[k].min)
					e[k].min = s->wait_min;
			}
		}
	}
	if (n)
		qsort(e, n, sizeof(*e), cmp_perf_entry);
	fprintf(f, "# output: contended, total wait, max wait, avg wait, type, caller\n");
	for (size_t k = 0; k < n; k++) {
		char sym[160];
		if (!e[k].total)
			continue;
		lockstat_site_symbol(e[k].site, false, sym, sizeof(sym));
		fprintf(f, "%llu, %llu, %llu, %llu, %s, %s\n", (unsigned long long)e[k].contended,
			(unsigned long long)e[k].total, (unsigned long long)e[k].max,
			(unsigned long long)(e[k].total / e[k].contended), e[k].type, sym);
	}
	free(e);
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
				cs->name, kind_name(cs->class, rw),
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

/* ---- lock_pairs.csv and lock_hist.csv (read by analysis/) ---- */

struct pair_sort {
	const struct lockstat *ls;
	const struct pair_stat *p;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair_sort *x = a, *y = b;
	if (x->p->wait_total != y->p->wait_total)
		return x->p->wait_total > y->p->wait_total ? -1 : 1;
	if (x->p->count != y->p->count)
		return x->p->count > y->p->count ? -1 : 1;
	int c = strcmp(task_name(x->ls, x->p->waiter_task), task_name(y->ls, y->p->waiter_task));
	if (c)
		return c;
	c = cmp_site(x->p->site, y->p->site);
	if (c)
		return c;
	c = strcmp(task_name(x->ls, x->p->holder_task), task_name(y->ls, y->p->holder_task));
	if (c || x->p->holder == y->p->holder)
		return c ? c : x->p->holder_rw - y->p->holder_rw;
	if (!x->p->holder || !y->p->holder)
		return x->p->holder ? -1 : 1;
	c = cmp_site(x->p->holder, y->p->holder);
	return c ? c : x->p->holder_rw - y->p->holder_rw;
}

void lockstat_write_pairs_csv(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "class,type,waiter_task,waiter,waiter_line,holder_task,holder,holder_line,"
		   "holder_type,contended,total_wait_ns,max_wait_ns\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = v[i];
		for (int rw = 0; rw < 2; rw++) {
			size_t n = cs->nr_pairs[rw];
			if (!n)
				continue;
			struct pair_sort *ps = xmalloc(n * sizeof(*ps));
			for (size_t j = 0; j < n; j++)
				ps[j] = (struct pair_sort){ ls, &cs->pairs[rw][j] };
			qsort(ps, n, sizeof(*ps), cmp_pair);
			for (size_t j = 0; j < n; j++) {
				const struct pair_stat *p = ps[j].p;
				fprintf(f, "\"%s\",%s,%s,%s,%d,%s,%s,%d,%s,%llu,%llu,%llu\n", cs->name,
					kind_name(cs->class, rw), task_name(ls, p->waiter_task),
					p->site->func, p->site->line, task_name(ls, p->holder_task),
					p->holder ? p->holder->func : "-", p->holder ? p->holder->line : 0,
					p->holder ? kind_name(cs->class, p->holder_rw) : "-",
					(unsigned long long)p->count, (unsigned long long)p->wait_total,
					(unsigned long long)p->wait_max);
			}
			free(ps);
		}
	}
	free(v);
}

static void hist_rows(FILE *f, const char *cls, const char *type, const char *what,
		      const struct lock_site *site, const u64 *h)
{
	for (int b = 0; b < LOCK_HIST_BUCKETS; b++)
		if (h[b])
			fprintf(f, "\"%s\",%s,%s,%s,%d,%d,%llu\n", cls, type, what,
				site ? site->func : "-", site ? site->line : 0, b,
				(unsigned long long)h[b]);
}

static int cmp_site_ptr(const void *a, const void *b)
{
	const struct site_stat *const *x = a, *const *y = b;
	return cmp_site((*x)->site, (*y)->site);
}

void lockstat_write_hist_csv(const struct lockstat *ls, FILE *f)
{
	fprintf(f, "class,type,what,site,site_line,log2_ns,count\n");
	struct lock_class_stats **v = sorted_by_name(ls);
	for (size_t i = 0; i < ls->nr; i++) {
		const struct lock_class_stats *cs = v[i];
		for (int rw = 0; rw < 2; rw++) {
			if (!cs->used[rw])
				continue;
			const char *type = kind_name(cs->class, rw);
			hist_rows(f, cs->name, type, "wait", NULL, cs->row[rw].wait_hist);
			hist_rows(f, cs->name, type, "hold", NULL, cs->row[rw].hold_hist);
			/* per waiting site: the (site, holder) slots summed */
			size_t n = cs->nr_sites[rw];
			const struct site_stat **s = xmalloc((n ? n : 1) * sizeof(*s));
			for (size_t j = 0; j < n; j++)
				s[j] = &cs->sites[rw][j];
			if (n)
				qsort(s, n, sizeof(*s), cmp_site_ptr);
			for (size_t j = 0; j < n;) {
				u64 h[LOCK_HIST_BUCKETS] = { 0 };
				size_t k = j;
				for (; k < n && !cmp_site(s[k]->site, s[j]->site); k++)
					for (int b = 0; b < LOCK_HIST_BUCKETS; b++)
						h[b] += s[k]->wait_hist[b];
				hist_rows(f, cs->name, type, "wait", s[j]->site, h);
				j = k;
			}
			free(s);
		}
	}
	free(v);
}
