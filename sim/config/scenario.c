/* scenario.c - YAML scenario -> validated struct scenario.
 *
 * Order of work: parse the YAML tree; set every knob to its default; apply the file
 * (sections flattened into dotted knob names; workloads with their parameters); name the
 * workloads; apply the --set overrides; then the cross-field checks (CPU count, 2MiB
 * multiples, distance matrix shape, CPU/node ids of workloads, required parameters).
 * Every error is reported with its location and loading goes on, so one run lists them
 * all; a value that failed to parse is left out of the cross-field checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config/diag.h"
#include "config/scenario.h"
#include "config/units.h"
#include "config/yaml.h"

#define KIB(x) ((u64)(x) << 10)
#define MIB(x) ((u64)(x) << 20)
#define GIB(x) ((u64)(x) << 30)
#define TIB(x) ((u64)(x) << 40)
#define USEC(x) ((u64)(x) * NSEC_PER_USEC)
#define MSEC(x) ((u64)(x) * NSEC_PER_MSEC)
#define SEC(x) ((u64)(x) * NSEC_PER_SEC)

#define MAX_WORKLOADS 1024
#define MAX_LISTED_IDS 4096            /* entries of one cpus/nodes list */
#define MAX_ID 65535

/* Name tables of the enum knobs, in the order of the enums in scenario.h. */
static const char *const thp_enabled_names[] = { "always", "madvise", "never", NULL };
static const char *const thp_defrag_names[] = {
	"always", "defer", "defer+madvise", "madvise", "never", NULL
};
static const char *const grouping_names[] = { "mobility", "none", NULL };
static const char *const private_resv_names[] = { "resv_map", "count", NULL };
static const char *const numa_stat_names[] = { "1", "0", NULL };
static const char *const mpol_refcount_names[] = { "conditional", "always", NULL };
static const char *const mpol_leak_names[] = { "fixed", "pre_2.6.24", NULL };
static const char *const mpol_sp_lock_names[] = { "rwlock", "spinlock", NULL };
static const char *const slab_movable_names[] = { "none", "all", "xa_node", NULL };
static const char *const pagecache_lookup_names[] = { "lockless", "tree_lock", NULL };
static const char *const swapin_lock_names[] = { "write", "read", NULL };
const char *const kill_signal_names[] = { "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT",
					   NULL };
const int kill_signal_numbers[] = { 9, 15, 2, 1, 3 };
static const char *const revalidate_names[] = { "full", "find_vma_eq", "none", NULL };
static const char *const check_corrupt_names[] = {
	"none", "buddy_link", "free_count", "lru_link", "pte", "rss", "swap_cache", "thp", NULL
};
static const char *const swapin_gate_names[] = { "referenced", "allocstall", "always", "never",
						 NULL };
static const char *const allocstall_read_names[] = { "before_mmap_lock", "under_mmap_write", NULL };

#define S struct scenario
#define KNOB_BOOL(n, f, d, doc) KNOB_BOOL_OF(S, n, f, d, doc),
#define KNOB_UINT(n, f, lo, hi, d, doc) KNOB_UINT_OF(S, n, f, lo, hi, d, doc),
#define KNOB_U64(n, f, lo, hi, d, doc) KNOB_U64_OF(S, n, f, lo, hi, d, doc),
#define KNOB_SIZE(n, f, lo, hi, d, doc) KNOB_SIZE_OF(S, n, f, lo, hi, d, doc),
#define KNOB_TIME(n, f, lo, hi, d, doc) KNOB_TIME_OF(S, n, f, lo, hi, d, doc),
#define KNOB_BW(n, f, lo, hi, d, doc) KNOB_BW_OF(S, n, f, lo, hi, d, doc),
#define KNOB_MSECS(n, f, lo, hi, d, doc) KNOB_MSECS_OF(S, n, f, lo, hi, d, doc),
#define KNOB_ENUM(n, f, names, d, doc) KNOB_ENUM_OF(S, n, f, names, d, doc),
static const struct knob scenario_rows[] = {
#include "config/knobs.def"
};
#undef KNOB_BOOL
#undef KNOB_UINT
#undef KNOB_U64
#undef KNOB_SIZE
#undef KNOB_TIME
#undef KNOB_BW
#undef KNOB_MSECS
#undef KNOB_ENUM
#undef S

#define NR_KNOBS ARRAY_SIZE(scenario_rows)

static const struct knob_table scenario_table = {
	.what = "knob", .rows = scenario_rows, .nr = NR_KNOBS,
};

const struct knob_table *scenario_knobs(void)
{
	return &scenario_table;
}

/* Keys every workload entry has, besides type, name, cpus and nodes. */
static const struct knob workload_common_rows[] = {
	KNOB_UINT_OF(struct workload_cfg, "threads", threads, 1, 1024, "1",
		     "threads running the workload: tasks of one process, sharing its address space"),
	KNOB_TIME_OF(struct workload_cfg, "start", start_ns, 0, SEC(1000000), "0",
		     "simulated time at which the workload's threads start"),
	KNOB_TIME_OF(struct workload_cfg, "kill_at", kill_at_ns, 0, SEC(1000000), "0",
		     "fault injection: simulated time at which the workload's processes are killed "
		     "(each thread at its next op or page, or at once in a sleep or compute; "
		     "0 = never; after start)"),
	KNOB_ENUM_OF(struct workload_cfg, "kill_signal", kill_signal, kill_signal_names, "SIGKILL",
		     "the signal kill_at sends; every one kills (no handlers), named in the report"),
};

static const struct knob_table workload_common_table = {
	.what = "workload key", .rows = workload_common_rows,
	.nr = ARRAY_SIZE(workload_common_rows),
};

const struct knob_table *workload_common_knobs(void)
{
	return &workload_common_table;
}

/* YAML sections holding knobs; a knob belongs to the section its name starts with, and
 * "kernel" takes every dotted knob no other section claims. */
struct section {
	const char *key;
	const char *prefix;
};

static const struct section sections[] = {
	{ "machine", "machine." }, { "kernel", "" },     { "variants", "variants." },
	{ "costs", "costs." },     { "engine", "engine." }, { "outputs", "outputs." },
};

static const char *const top_keys[] = {
	"seed", "duration", "machine", "kernel", "variants", "costs", "engine", "outputs",
	"workloads",
};

/* Machine keys that are not scalar knobs. */
static const char *const machine_specials[] = { "machine.distances", "machine.node_memory",
						"machine.offline" };

static const char *const workload_keys[] = { "type", "name", "threads", "cpus", "nodes", "start",
					      "kill_at", "kill_signal" };

/* Where a knob's value came from. */
struct origin {
	struct diag_loc loc;
	const char *text;              /* the value as written (borrowed: YAML tree or argv) */
	bool set;                      /* by the file or a --set */
	bool bad;                      /* a value failed to parse: skip cross-field checks */
};

struct id_list {
	unsigned *ids;
	struct diag_loc *locs;
	unsigned nr;
};

struct wl_state {
	const struct ynode *node;      /* the entry */
	const struct ynode *name_node; /* explicit "name:" value */
	struct id_list cpus, nodes;
	bool has_cpus, has_nodes, cpus_bad, nodes_bad;
	struct diag_loc cpus_loc, nodes_loc;
	struct origin corg[ARRAY_SIZE(workload_common_rows)];
	struct origin *porg;           /* per parameter row */
};

struct loader {
	struct scenario *s;
	struct diag *d;
	const struct workload_catalog *cat;
	const char *file;              /* for messages */
	struct origin org[NR_KNOBS];
	/* machine.distances */
	const struct ynode *dist_node;
	bool dist_ok;                  /* parsed, square, values valid */
	unsigned dist_n;
	/* machine.node_memory */
	const struct ynode *nmem_node;
	bool nmem_ok;
	unsigned nmem_n;
	u64 nmem[MAX_NUMNODES];
	/* machine.offline */
	const struct ynode *offline_node;
	const struct ynode *offline_item[MAX_OFFLINE_EVENTS];
	unsigned offline_idx[MAX_OFFLINE_EVENTS];   /* its index in the file's sequence */
	struct wl_state *wl;
};

/* One place knobs or parameters are looked up and stored. */
struct scope {
	const struct knob_table *t;
	void *base;
	struct origin *org;            /* per row of t */
	const struct section *sec;     /* scenario knobs: the section; NULL for parameters
					* (and for seed and duration) */
	const char *field;             /* parameters: "workloads[0]" */
	const char *what;              /* parameters: "sequential_touch" */
	const char *dir;               /* KT_PATH base directory (NULL: as written) */
};

static struct diag_loc node_loc(const struct ynode *n)
{
	return (struct diag_loc){ .file = n->file, .line = n->line, .col = n->col };
}

static struct diag_loc set_loc(int idx, const char *arg)
{
	return (struct diag_loc){ .set_idx = idx, .set_arg = arg };
}

static size_t knob_idx(const char *name)
{
	const struct knob *k = knob_find(&scenario_table, name);
	return (size_t)(k - scenario_rows);
}

/* The section of a scenario knob; NULL for the top-level seed and duration. */
static const struct section *knob_section(const char *name)
{
	if (!strchr(name, '.'))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (*sections[i].prefix && strncmp(name, sections[i].prefix,
						   strlen(sections[i].prefix)) == 0)
			return &sections[i];
	return &sections[1];
}

static const struct section *find_section(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strcmp(key, sections[i].key) == 0)
			return &sections[i];
	return NULL;
}

static bool in_scope(const struct scope *sc, const struct knob *k)
{
	return !sc->sec || knob_section(k->name) == sc->sec;
}

/* Names a user may write in this scope (for "did you mean"); the caller frees. */
static const char **scope_names(const struct scope *sc, size_t *nr)
{
	size_t n = 0, cap = sc->t->nr + ARRAY_SIZE(machine_specials) + ARRAY_SIZE(workload_keys);
	const char **v = xmalloc(cap * sizeof(*v));

	for (size_t i = 0; i < sc->t->nr; i++)
		if (in_scope(sc, &sc->t->rows[i]))
			v[n++] = sc->t->rows[i].name;
	if (sc->sec && strcmp(sc->sec->key, "machine") == 0)
		for (size_t i = 0; i < ARRAY_SIZE(machine_specials); i++)
			v[n++] = machine_specials[i];
	if (!sc->sec)
		for (size_t i = 0; i < ARRAY_SIZE(workload_keys); i++)
			v[n++] = workload_keys[i];
	*nr = n;
	return v;
}

/* Is name a proper prefix group ("vm" of "vm.swappiness") in this scope? */
static bool is_group(const struct scope *sc, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sc->t->nr; i++) {
		const struct knob *k = &sc->t->rows[i];
		if (in_scope(sc, k) && strncmp(k->name, name, len) == 0 && k->name[len] == '.')
			return true;
	}
	if (sc->sec && strcmp(sc->sec->key, "machine") == 0)
		for (size_t i = 0; i < ARRAY_SIZE(machine_specials); i++)
			if (strncmp(machine_specials[i], name, len) == 0 &&
			    machine_specials[i][len] == '.')
				return true;
	return false;
}

/* " (did you mean "x"?)", a placement hint, or "" */
static void unknown_hint(const struct scope *sc, const char *name, char *buf, size_t len)
{
	size_t nr;
	const char **names = scope_names(sc, &nr);
	const char *s = suggest_closest(name, names, nr);
	const struct knob *k = sc->sec ? knob_find(&scenario_table, name) : NULL;

	buf[0] = '\0';
	if (k && knob_section(k->name) != sc->sec) {
		const struct section *ks = knob_section(k->name);
		if (ks)
			snprintf(buf, len, " (it belongs in the \"%s:\" section)", ks->key);
		else
			snprintf(buf, len, " (it is a top-level key)");
	} else if (s) {
		snprintf(buf, len, " (did you mean \"%s\"?)", s);
	}
	free(names);
}

static bool has_nul(const struct ynode *n)
{
	return strlen(n->str) != n->len;
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '#' || c == '+';
}

static char *field_name(const struct scope *sc, const char *name)
{
	return sc->field ? xasprintf("%s.%s", sc->field, name) : xstrdup(name);
}

/* KT_PATH: resolve against dir and require a readable regular file. */
static void resolve_path(struct loader *L, const struct scope *sc, const struct knob *k,
			 const struct diag_loc *loc, const char *fld)
{
	char **p = (char **)((char *)sc->base + k->offset);
	char *path;
	struct stat st;

	if ((*p)[0] == '/' || !sc->dir || strcmp(sc->dir, ".") == 0)
		path = xstrdup(*p);
	else
		path = xasprintf("%s/%s", sc->dir, *p);
	free(*p);
	*p = path;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			diag_loc(L->d, loc, fld, "no such file: %s", path);
		else
			diag_loc(L->d, loc, fld, "cannot open %s: %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		diag_loc(L->d, loc, fld, "%s is a directory, not a file", path);
	} else if (access(path, R_OK) < 0) {
		diag_loc(L->d, loc, fld, "cannot read %s: %s", path, strerror(errno));
	} else {
		return;
	}
	sc->org[k - sc->t->rows].bad = true;
}

/* Parse text into knob k of scope sc, recording where it came from. */
static void apply_text(struct loader *L, const struct scope *sc, const struct knob *k,
		       const char *text, const struct diag_loc *loc)
{
	struct origin *o = &sc->org[k - sc->t->rows];
	char err[512];
	char *fld = field_name(sc, k->name);

	if (knob_parse(k, text, sc->base, err, sizeof(err)) < 0) {
		diag_loc(L->d, loc, fld, "%s", err);
		o->bad = true;
	} else {
		o->bad = false;
		if (k->type == KT_PATH)
			resolve_path(L, sc, k, loc, fld);
	}
	o->set = true;
	o->loc = *loc;
	o->text = text;
	free(fld);
}

/* A YAML value for knob k. */
static void apply_node(struct loader *L, const struct scope *sc, const struct knob *k,
		       const struct ynode *v)
{
	struct origin *o = &sc->org[k - sc->t->rows];
	struct diag_loc loc = node_loc(v);
	char what[320];
	char *fld = field_name(sc, k->name);

	knob_describe_expected(k, what, sizeof(what));
	if (o->set && o->loc.file) {
		diag_node(L->d, v, fld, "given twice (first at line %d, column %d)", o->loc.line,
			  o->loc.col);
	} else if (v->kind != YN_SCALAR || ynode_is_null(v)) {
		diag_node(L->d, v, fld, "expected %s, got %s", what, ynode_what(v));
		o->bad = o->set = true;
		o->loc = loc;
	} else if (has_nul(v)) {
		diag_node(L->d, v, fld, "expected %s, got text with a NUL character", what);
		o->bad = o->set = true;
		o->loc = loc;
	} else {
		apply_text(L, sc, k, v->str, &loc);
	}
	free(fld);
}

static void parse_distances(struct loader *L, const struct ynode *v);
static void parse_node_memory(struct loader *L, const struct ynode *v);
static void parse_offline(struct loader *L, const struct ynode *v);

static void walk_pair(struct loader *L, const struct scope *sc, const struct ynode *key,
		      const struct ynode *v, const char *prefix);

static void walk_map(struct loader *L, const struct scope *sc, const struct ynode *m,
		     const char *prefix)
{
	for (size_t i = 0; i < m->nr; i++)
		walk_pair(L, sc, m->pairs[i].key, m->pairs[i].val, prefix);
}

/* One key: value of a knob section or of a workload's parameters. Nested mappings extend
 * the dotted prefix: {vm: {swappiness: 1}} is vm.swappiness. */
static void walk_pair(struct loader *L, const struct scope *sc, const struct ynode *key,
		      const struct ynode *v, const char *prefix)
{
	char hint[256], q[256];
	char *name = xasprintf("%s%s", prefix, key->str);
	const struct knob *k = has_nul(key) || !*key->str ? NULL : knob_find(sc->t, name);

	if (k && in_scope(sc, k)) {
		apply_node(L, sc, k, v);
	} else if (sc->sec && strcmp(name, "machine.distances") == 0) {
		parse_distances(L, v);
	} else if (sc->sec && strcmp(name, "machine.node_memory") == 0) {
		parse_node_memory(L, v);
	} else if (sc->sec && strcmp(name, "machine.offline") == 0) {
		parse_offline(L, v);
	} else if (!has_nul(key) && *key->str && is_group(sc, name)) {
		if (v->kind == YN_MAP) {
			char *p = xasprintf("%s.", name);
			walk_map(L, sc, v, p);
			free(p);
		} else if (!ynode_is_null(v)) {
			char *fld = field_name(sc, name);
			diag_node(L->d, v, fld, "expected a mapping of %s.* %s, got %s", name,
				  sc->sec ? "knobs" : "parameters", ynode_what(v));
			free(fld);
		}
	} else {
		unknown_hint(sc, name, hint, sizeof(hint));
		diag_quote(name, q, sizeof(q));
		if (sc->sec)
			diag_node(L->d, key, NULL, "unknown knob %s%s", q, hint);
		else
			diag_node(L->d, key, sc->field, "unknown parameter %s of %s%s", q, sc->what,
				  hint);
	}
	free(name);
}

static struct scope knob_scope(struct loader *L, const struct section *sec)
{
	return (struct scope){ .t = &scenario_table, .base = L->s, .org = L->org, .sec = sec };
}

/* --- machine.distances and machine.node_memory --- */

static bool parse_uint_node(const struct ynode *v, u64 *out)
{
	char reason[128];
	return v->kind == YN_SCALAR && !has_nul(v) &&
	       units_parse_u64(v->str, out, reason, sizeof(reason)) == 0;
}

static void parse_distances(struct loader *L, const struct ynode *v)
{
	const char *fld = "machine.distances";
	u8 dist[MAX_NUMNODES][MAX_NUMNODES];
	const struct ynode *cell[MAX_NUMNODES][MAX_NUMNODES];
	bool ok = true;
	unsigned n;

	if (L->dist_node) {
		diag_node(L->d, v, fld, "given twice (first at line %d, column %d)",
			  L->dist_node->line, L->dist_node->col);
		return;
	}
	L->dist_node = v;
	if (v->kind != YN_SEQ || v->nr == 0) {
		diag_node(L->d, v, fld, "expected a matrix (a sequence of rows, one per node, "
			  "like [[10, 20], [20, 10]]), got %s",
			  v->kind == YN_SEQ ? "an empty sequence" : ynode_what(v));
		return;
	}
	if (v->nr > MAX_NUMNODES) {
		diag_node(L->d, v, fld, "expected at most %d rows (one per node), got %zu",
			  MAX_NUMNODES, v->nr);
		return;
	}
	n = (unsigned)v->nr;
	for (unsigned i = 0; i < n; i++) {
		const struct ynode *row = v->items[i];
		char rf[64];
		snprintf(rf, sizeof(rf), "%s[%u]", fld, i);
		if (row->kind != YN_SEQ) {
			diag_node(L->d, row, rf, "expected a row of %u distances, got %s", n,
				  ynode_what(row));
			ok = false;
			continue;
		}
		if (row->nr != n) {
			diag_node(L->d, row, rf, "expected %u distances (the matrix must be "
				  "square: it has %u rows), got %zu", n, n, row->nr);
			ok = false;
			continue;
		}
		for (unsigned j = 0; j < n; j++) {
			const struct ynode *c = row->items[j];
			char cf[80], q[256];
			u64 x = 0;
			snprintf(cf, sizeof(cf), "%s[%u][%u]", fld, i, j);
			cell[i][j] = c;
			dist[i][j] = 0;
			bool num = parse_uint_node(c, &x);
			if (i == j && !(num && x == 10)) {
				diag_node(L->d, c, cf, "the distance of a node to itself must be "
					  "10, got %s", c->kind == YN_SCALAR ?
					  diag_quote(c->str, q, sizeof(q)) : ynode_what(c));
				ok = false;
			} else if (i != j && !(num && x >= 11 && x <= 254)) {
				diag_node(L->d, c, cf, "expected a distance 11..254 between two "
					  "nodes, got %s", c->kind == YN_SCALAR ?
					  diag_quote(c->str, q, sizeof(q)) : ynode_what(c));
				ok = false;
			} else {
				dist[i][j] = (u8)x;
			}
		}
	}
	if (!ok)
		return;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (dist[i][j] != dist[j][i]) {
				char cf[80];
				snprintf(cf, sizeof(cf), "%s[%u][%u]", fld, i, j);
				diag_node(L->d, cell[i][j], cf, "the matrix must be symmetric: "
					  "[%u][%u] is %u but [%u][%u] is %u", i, j, dist[i][j], j,
					  i, dist[j][i]);
				ok = false;
			}
		}
	}
	if (!ok)
		return;
	L->dist_ok = true;
	L->dist_n = n;
	memcpy(L->s->machine.distance, dist, sizeof(dist));
}

static void parse_node_memory(struct loader *L, const struct ynode *v)
{
	const char *fld = "machine.node_memory";
	const struct knob *k = knob_find(&scenario_table, "machine.memory_per_node");
	bool ok = true;

	if (L->nmem_node) {
		diag_node(L->d, v, fld, "given twice (first at line %d, column %d)",
			  L->nmem_node->line, L->nmem_node->col);
		return;
	}
	L->nmem_node = v;
	if (v->kind != YN_SEQ || v->nr == 0) {
		diag_node(L->d, v, fld, "expected a sequence of sizes, one per node, got %s",
			  v->kind == YN_SEQ ? "an empty sequence" : ynode_what(v));
		return;
	}
	if (v->nr > MAX_NUMNODES) {
		diag_node(L->d, v, fld, "expected at most %d sizes (one per node), got %zu",
			  MAX_NUMNODES, v->nr);
		return;
	}
	for (size_t i = 0; i < v->nr; i++) {
		const struct ynode *c = v->items[i];
		char cf[64], err[512];
		struct scenario tmp;
		snprintf(cf, sizeof(cf), "%s[%zu]", fld, i);
		if (c->kind != YN_SCALAR || ynode_is_null(c) || has_nul(c)) {
			diag_node(L->d, c, cf, "expected a size like 4KiB or 2MiB, got %s",
				  ynode_what(c));
			ok = false;
		} else if (knob_parse(k, c->str, &tmp, err, sizeof(err)) < 0) {
			diag_node(L->d, c, cf, "%s", err);
			ok = false;
		} else if (!IS_ALIGNED(tmp.machine.memory_per_node, PMD_SIZE)) {
			diag_node(L->d, c, cf, "%s is not a multiple of 2MiB", c->str);
			ok = false;
		} else {
			L->nmem[i] = tmp.machine.memory_per_node;
		}
	}
	L->nmem_ok = ok;
	L->nmem_n = (unsigned)v->nr;
}

/* --- machine.offline: [{node: 1, at: 5ms, size: 256MiB}, ...] --- */

static void parse_offline(struct loader *L, const struct ynode *v)
{
	const char *fld = "machine.offline";
	struct machine_cfg *m = &L->s->machine;

	if (L->offline_node) {
		diag_node(L->d, v, fld, "given twice (first at line %d, column %d)",
			  L->offline_node->line, L->offline_node->col);
		return;
	}
	L->offline_node = v;
	if (v->kind != YN_SEQ) {
		diag_node(L->d, v, fld, "expected a sequence of {node, at, size} mappings, got %s",
			  ynode_what(v));
		return;
	}
	if (v->nr > MAX_OFFLINE_EVENTS) {
		diag_node(L->d, v, fld, "expected at most %d entries, got %zu", MAX_OFFLINE_EVENTS,
			  v->nr);
		return;
	}
	for (size_t i = 0; i < v->nr; i++) {
		const struct ynode *e = v->items[i];
		struct offline_cfg oc = { 0 };
		bool ok = true, has_node = false, has_at = false;
		char ef[64];
		snprintf(ef, sizeof(ef), "%s[%zu]", fld, i);
		if (e->kind != YN_MAP) {
			diag_node(L->d, e, ef, "expected a mapping like {node: 1, at: 5ms, size: "
				  "256MiB}, got %s", ynode_what(e));
			continue;
		}
		for (size_t j = 0; j < e->nr; j++) {
			const struct ynode *k = e->pairs[j].key, *c = e->pairs[j].val;
			char cf[96], reason[256], q[256];
			const char *key = has_nul(k) ? "" : k->str;
			snprintf(cf, sizeof(cf), "%s.%s", ef, key);
			bool scalar = c->kind == YN_SCALAR && !ynode_is_null(c) && !has_nul(c);
			if (strcmp(key, "node") == 0) {
				u64 x = 0;
				has_node = true;
				if (!scalar || units_parse_u64(c->str, &x, reason, sizeof(reason)) ||
				    x >= MAX_NUMNODES) {
					diag_node(L->d, c, cf, "expected a node number 0..%d, got %s",
						  MAX_NUMNODES - 1, scalar ? diag_quote(c->str, q,
						  sizeof(q)) : ynode_what(c));
					ok = false;
				} else {
					oc.node = (unsigned)x;
				}
			} else if (strcmp(key, "at") == 0) {
				has_at = true;
				if (!scalar) {
					diag_node(L->d, c, cf, "expected a time like 5ms, got %s",
						  ynode_what(c));
					ok = false;
				} else if (units_parse_time(c->str, &oc.at_ns, reason, sizeof(reason))) {
					diag_node(L->d, c, cf, "%s", reason);
					ok = false;
				} else if (!oc.at_ns || oc.at_ns > SEC(1000000)) {
					diag_node(L->d, c, cf, "expected a time after 0 and at most "
						  "1000000s, got %s", diag_quote(c->str, q, sizeof(q)));
					ok = false;
				}
			} else if (strcmp(key, "size") == 0) {
				if (!scalar) {
					diag_node(L->d, c, cf, "expected a size like 256MiB, got %s",
						  ynode_what(c));
					ok = false;
				} else if (units_parse_size(c->str, &oc.size, reason, sizeof(reason))) {
					diag_node(L->d, c, cf, "%s", reason);
					ok = false;
				} else if (!oc.size || !IS_ALIGNED(oc.size, MEMORY_BLOCK_SIZE)) {
					diag_node(L->d, c, cf, "%s is not a multiple of the 128MiB "
						  "memory block size", diag_quote(c->str, q, sizeof(q)));
					ok = false;
				}
			} else {
				diag_node(L->d, k, ef, "unknown key %s (expected node, at or size)",
					  diag_quote(key, q, sizeof(q)));
				ok = false;
			}
		}
		if (!has_node || !has_at) {
			diag_node(L->d, e, ef, "missing %s", !has_node ? "node" : "at");
			ok = false;
		}
		if (!ok)
			continue;
		L->offline_item[m->nr_offline] = e;
		L->offline_idx[m->nr_offline] = (unsigned)i;
		m->offline[m->nr_offline++] = oc;
	}
}

/* After machine.nodes and machine.node_memory: the node exists, the size fits, and the
 * node's memory is made of whole memory blocks (its start and end 128MiB-aligned). */
static void check_offline(struct loader *L)
{
	struct machine_cfg *m = &L->s->machine;
	char a[32], b[32];
	for (unsigned i = 0; i < m->nr_offline; i++) {
		const struct offline_cfg *oc = &m->offline[i];
		const struct ynode *e = L->offline_item[i];
		char ef[64];
		snprintf(ef, sizeof(ef), "machine.offline[%u].node", L->offline_idx[i]);
		const struct ynode *nd = ynode_get(e, "node");
		if (oc->node >= m->nr_nodes) {
			diag_node(L->d, nd ? nd : e, ef, "node %u does not exist (machine.nodes is %u)",
				  oc->node, m->nr_nodes);
			continue;
		}
		u64 start = 0;
		for (unsigned n = 0; n < oc->node; n++)
			start += m->node_memory[n];
		u64 mem = m->node_memory[oc->node];
		if (!IS_ALIGNED(start, MEMORY_BLOCK_SIZE) || !IS_ALIGNED(mem, MEMORY_BLOCK_SIZE)) {
			units_format_size(start, a, sizeof(a));
			units_format_size(start + mem, b, sizeof(b));
			diag_node(L->d, nd ? nd : e, ef, "node %u spans [%s, %s), not whole 128MiB "
				  "memory blocks", oc->node, a, b);
			continue;
		}
		if (oc->size > mem) {
			const struct ynode *sz = ynode_get(e, "size");
			units_format_size(mem, a, sizeof(a));
			snprintf(ef, sizeof(ef), "machine.offline[%u].size", L->offline_idx[i]);
			diag_node(L->d, sz ? sz : e, ef, "more than node %u's %s", oc->node, a);
		}
	}
}

/* --- workloads --- */

static void id_list_free(struct id_list *l)
{
	free(l->ids);
	free(l->locs);
	memset(l, 0, sizeof(*l));
}

static void id_list_add(struct id_list *l, unsigned id, const struct diag_loc *loc)
{
	l->ids = xrealloc(l->ids, (l->nr + 1) * sizeof(*l->ids));
	l->locs = xrealloc(l->locs, (l->nr + 1) * sizeof(*l->locs));
	l->ids[l->nr] = id;
	l->locs[l->nr] = *loc;
	l->nr++;
}

static bool parse_id(const char **p, unsigned *id)
{
	u64 v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (u64)(*s - '0');
		if (v > MAX_ID)
			return false;
		s++;
	}
	*p = s;
	*id = (unsigned)v;
	return true;
}

/* A kernel-style list "0-3,8": returns false on bad syntax or too many entries. */
static bool parse_idlist_text(const char *s, const struct diag_loc *loc, struct id_list *l)
{
	if (!*s)
		return false;
	for (;;) {
		unsigned a, b;
		if (!parse_id(&s, &a))
			return false;
		b = a;
		if (*s == '-') {
			s++;
			if (!parse_id(&s, &b) || b < a)
				return false;
		}
		if (l->nr + (b - a) + 1 > MAX_LISTED_IDS)
			return false;
		for (unsigned i = a; i <= b; i++)
			id_list_add(l, i, loc);
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

/* cpus: / nodes: a list text or a sequence of ids. what is "CPU" or "node". */
static bool parse_ids_node(struct loader *L, const struct ynode *v, const char *fld,
			   const char *what, struct id_list *l)
{
	char q[256];
	struct diag_loc loc = node_loc(v);

	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		if (!has_nul(v) && parse_idlist_text(v->str, &loc, l))
			return true;
		diag_node(L->d, v, fld, "expected a %s list like 0-3,8 or a sequence of %s "
			  "numbers, got %s", what, what, diag_quote(v->str, q, sizeof(q)));
		return false;
	}
	if (v->kind != YN_SEQ) {
		diag_node(L->d, v, fld, "expected a %s list like 0-3,8 or a sequence of %s "
			  "numbers, got %s", what, what, ynode_what(v));
		return false;
	}
	if (v->nr > MAX_LISTED_IDS) {
		diag_node(L->d, v, fld, "lists more than %d %ss", MAX_LISTED_IDS, what);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < v->nr; i++) {
		const struct ynode *c = v->items[i];
		u64 x;
		if (!parse_uint_node(c, &x) || x > MAX_ID) {
			diag_node(L->d, c, fld, "expected a %s number, got %s", what,
				  c->kind == YN_SCALAR && !ynode_is_null(c) ?
				  diag_quote(c->str, q, sizeof(q)) : ynode_what(c));
			ok = false;
			continue;
		}
		struct diag_loc cl = node_loc(c);
		id_list_add(l, (unsigned)x, &cl);
	}
	return ok;
}

/* Empty lists and duplicates, reported where the second occurrence is. */
static bool check_ids(struct loader *L, const struct id_list *l, const struct diag_loc *loc,
		      const char *fld, const char *what)
{
	if (!l->nr) {
		diag_loc(L->d, loc, fld, "expected at least one %s", what);
		return false;
	}
	for (unsigned i = 1; i < l->nr; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (l->ids[i] == l->ids[j]) {
				diag_loc(L->d, &l->locs[i], fld, "%s %u is listed twice", what,
					 l->ids[i]);
				return false;
			}
		}
	}
	return true;
}

static void set_ids(struct loader *L, struct wl_state *ws, bool cpus, const struct ynode *v,
		    const char *text, const struct diag_loc *loc, const char *fld)
{
	struct id_list *l = cpus ? &ws->cpus : &ws->nodes;
	const char *what = cpus ? "CPU" : "node";
	bool ok;

	id_list_free(l);
	if (v) {
		ok = parse_ids_node(L, v, fld, what, l);
	} else {
		ok = parse_idlist_text(text, loc, l);
		if (!ok) {
			char q[256];
			diag_loc(L->d, loc, fld, "expected a %s list like 0-3,8, got %s", what,
				 diag_quote(text, q, sizeof(q)));
		}
	}
	if (ok)
		ok = check_ids(L, l, loc, fld, what);
	if (cpus) {
		ws->has_cpus = true;
		ws->cpus_bad = !ok;
		ws->cpus_loc = *loc;
	} else {
		ws->has_nodes = true;
		ws->nodes_bad = !ok;
		ws->nodes_loc = *loc;
	}
}

static struct scope common_scope(struct wl_state *ws, struct workload_cfg *w, const char *fld)
{
	return (struct scope){ .t = &workload_common_table, .base = w, .org = ws->corg,
			       .field = fld };
}

static struct scope param_scope(struct loader *L, struct wl_state *ws, struct workload_cfg *w,
				const char *fld, const char *dir)
{
	return (struct scope){ .t = w->schema->params, .base = w->params, .org = ws->porg,
			       .field = fld, .what = w->schema->type, .dir = dir };
}

static const struct workload_schema *find_type(const struct workload_catalog *cat,
					       const char *type)
{
	for (size_t i = 0; cat && i < cat->nr; i++)
		if (strcmp(cat->types[i]->type, type) == 0)
			return cat->types[i];
	return NULL;
}

static void type_hint(const struct workload_catalog *cat, const char *type, char *buf, size_t len)
{
	size_t nr = cat ? cat->nr : 0, o;
	const char **names = xmalloc((nr ? nr : 1) * sizeof(*names));

	for (size_t i = 0; i < nr; i++)
		names[i] = cat->types[i]->type;
	const char *s = suggest_closest(type, names, nr);
	if (s) {
		snprintf(buf, len, " (did you mean \"%s\"?)", s);
	} else if (!nr) {
		snprintf(buf, len, " (no workload types are built in)");
	} else {
		o = (size_t)snprintf(buf, len, " (known types:");
		for (size_t i = 0; i < nr && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s %s", i ? "," : "", names[i]);
		if (o < len)
			snprintf(buf + o, len - o, ")");
	}
	free(names);
}

static void load_workload(struct loader *L, unsigned idx, const struct ynode *n)
{
	struct workload_cfg *w = &L->s->workloads[idx];
	struct wl_state *ws = &L->wl[idx];
	char fld[64], tfld[64], hint[512], q[256];
	const struct ynode *tn;

	snprintf(fld, sizeof(fld), "workloads[%u]", idx);
	snprintf(tfld, sizeof(tfld), "workloads[%u].type", idx);
	ws->node = n;
	w->file = xstrdup(L->file);
	w->line = n->line;
	w->col = n->col;
	knob_set_defaults(&workload_common_table, w);
	if (n->kind != YN_MAP) {
		diag_node(L->d, n, fld, "expected a mapping with at least a \"type\", got %s",
			  ynode_what(n));
		return;
	}
	tn = ynode_get(n, "type");
	if (!tn) {
		diag_node(L->d, n, fld, "missing required field \"type\"");
	} else if (tn->kind != YN_SCALAR || ynode_is_null(tn) || has_nul(tn)) {
		diag_node(L->d, tn, tfld, "expected a workload type name, got %s",
			  tn->kind == YN_SCALAR && has_nul(tn) ? "text with a NUL character" :
			  ynode_what(tn));
	} else if (!(w->schema = find_type(L->cat, tn->str))) {
		type_hint(L->cat, tn->str, hint, sizeof(hint));
		diag_node(L->d, tn, tfld, "unknown workload type %s%s",
			  diag_quote(tn->str, q, sizeof(q)), hint);
	} else {
		w->type = xstrdup(tn->str);
		w->params = xcalloc(1, w->schema->params_size ? w->schema->params_size : 1);
		ws->porg = xcalloc(w->schema->params->nr + 1, sizeof(*ws->porg));
		knob_set_defaults(w->schema->params, w->params);
	}

	struct scope cs = common_scope(ws, w, fld);
	for (size_t i = 0; i < n->nr; i++) {
		const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
		const struct knob *ck = knob_find(&workload_common_table, k->str);
		char kf[96];

		snprintf(kf, sizeof(kf), "%s.%s", fld, k->str);
		if (strcmp(k->str, "type") == 0) {
			continue;
		} else if (strcmp(k->str, "name") == 0) {
			ws->name_node = v;
		} else if (ck) {
			apply_node(L, &cs, ck, v);
		} else if (strcmp(k->str, "cpus") == 0 || strcmp(k->str, "nodes") == 0) {
			struct diag_loc loc = node_loc(v);
			set_ids(L, ws, k->str[0] == 'c', v, NULL, &loc, kf);
		} else if (w->schema) {
			struct scope ps = param_scope(L, ws, w, fld, L->s->dir);
			walk_pair(L, &ps, k, v, "");
		}
	}
	if (ws->name_node) {
		const struct ynode *v = ws->name_node;
		snprintf(fld, sizeof(fld), "workloads[%u].name", idx);
		if (v->kind != YN_SCALAR || ynode_is_null(v) || has_nul(v)) {
			diag_node(L->d, v, fld, "expected a workload name, got %s", ynode_what(v));
			return;
		}
		for (const char *p = v->str; *p; p++) {
			if (!is_ident_char(*p)) {
				diag_node(L->d, v, fld, "invalid workload name %s: use letters, "
					  "digits and _ - + #", diag_quote(v->str, q, sizeof(q)));
				return;
			}
		}
		if (!*v->str) {
			diag_node(L->d, v, fld, "expected a workload name, got \"\"");
			return;
		}
		w->name = xstrdup(v->str);
	}
}

/* Default names (type, or type#index when several entries share the type), then
 * uniqueness. */
static void name_workloads(struct loader *L)
{
	struct scenario *s = L->s;

	for (unsigned i = 0; i < s->nr_workloads; i++) {
		struct workload_cfg *w = &s->workloads[i];
		unsigned same = 0;
		if (w->name || !w->type || L->wl[i].name_node)
			continue;
		for (unsigned j = 0; j < s->nr_workloads; j++)
			same += s->workloads[j].type && strcmp(s->workloads[j].type, w->type) == 0;
		w->name = same > 1 ? xasprintf("%s#%u", w->type, i) : xstrdup(w->type);
	}
	for (unsigned i = 0; i < s->nr_workloads; i++) {
		const struct workload_cfg *w = &s->workloads[i];
		if (!w->name)
			continue;
		for (unsigned j = 0; j < i; j++) {
			if (s->workloads[j].name && strcmp(s->workloads[j].name, w->name) == 0) {
				const struct ynode *at = L->wl[i].name_node ? L->wl[i].name_node :
							 L->wl[i].node;
				char fld[64];
				snprintf(fld, sizeof(fld), "workloads[%u].name", i);
				diag_node(L->d, at, fld, "duplicate workload name \"%s\" (also the "
					  "name of workloads[%u])", w->name, j);
				break;
			}
		}
	}
}

static void load_workloads(struct loader *L, const struct ynode *v)
{
	struct scenario *s = L->s;

	if (v->kind != YN_SEQ || v->nr == 0) {
		diag_node(L->d, v, "workloads", "expected a sequence of at least one workload, "
			  "got %s", v->kind == YN_SEQ ? "an empty sequence" : ynode_what(v));
		return;
	}
	if (v->nr > MAX_WORKLOADS) {
		diag_node(L->d, v, "workloads", "expected at most %d workloads, got %zu",
			  MAX_WORKLOADS, v->nr);
		return;
	}
	s->nr_workloads = (unsigned)v->nr;
	s->workloads = xcalloc(v->nr, sizeof(*s->workloads));
	L->wl = xcalloc(v->nr, sizeof(*L->wl));
	for (unsigned i = 0; i < s->nr_workloads; i++)
		load_workload(L, i, v->items[i]);
	name_workloads(L);
}

/* --- top level --- */

static void load_section(struct loader *L, const struct section *sec, const struct ynode *v)
{
	struct scope sc = knob_scope(L, sec);

	if (ynode_is_null(v))
		return;
	if (v->kind != YN_MAP) {
		diag_node(L->d, v, sec->key, "expected a mapping of %s knobs, got %s", sec->key,
			  ynode_what(v));
		return;
	}
	walk_map(L, &sc, v, sec->prefix);
}

/* Returns true when the key looks like a misspelt "workloads". */
static bool unknown_top_key(struct loader *L, const struct ynode *k)
{
	char q[256], hint[256] = "";
	const struct knob *kn = has_nul(k) ? NULL : knob_find(&scenario_table, k->str);
	const struct section *ks = kn ? knob_section(kn->name) : NULL;
	const char *s = suggest_closest(k->str, top_keys, ARRAY_SIZE(top_keys));

	if (ks)
		snprintf(hint, sizeof(hint), " (it belongs in the \"%s:\" section)", ks->key);
	else if (s)
		snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", s);
	diag_node(L->d, k, NULL, "unknown key %s%s", diag_quote(k->str, q, sizeof(q)), hint);
	return !ks && s && strcmp(s, "workloads") == 0;
}

/* "machine.nodes: 2" or "kernel.vm.swappiness: 10" at the top level. */
static bool load_dotted_top(struct loader *L, const struct ynode *k, const struct ynode *v)
{
	const char *dot = strchr(k->str, '.');
	const struct section *sec = NULL;

	if (!dot || has_nul(k))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i].key) == (size_t)(dot - k->str) &&
		    strncmp(k->str, sections[i].key, (size_t)(dot - k->str)) == 0)
			sec = &sections[i];
	if (!sec)
		return false;
	struct scope sc = knob_scope(L, sec);
	struct ynode sub = *k;
	sub.str = (char *)dot + 1;
	sub.len = strlen(sub.str);
	walk_pair(L, &sc, &sub, v, sec->prefix);
	return true;
}

static void load_root(struct loader *L, const struct ynode *root)
{
	const struct ynode *wl = NULL;
	bool misspelt = false;

	if (root && !ynode_is_null(root) && root->kind != YN_MAP) {
		diag_node(L->d, root, NULL, "expected a mapping of top-level keys (seed, duration, "
			  "machine, kernel, variants, costs, engine, outputs, workloads), got %s",
			  ynode_what(root));
		return;
	}
	for (size_t i = 0; root && root->kind == YN_MAP && i < root->nr; i++) {
		const struct ynode *k = root->pairs[i].key, *v = root->pairs[i].val;
		const struct section *sec = has_nul(k) ? NULL : find_section(k->str);

		if (strcmp(k->str, "seed") == 0 || strcmp(k->str, "duration") == 0) {
			struct scope sc = knob_scope(L, NULL);
			apply_node(L, &sc, knob_find(&scenario_table, k->str), v);
		} else if (sec) {
			load_section(L, sec, v);
		} else if (strcmp(k->str, "workloads") == 0) {
			wl = v;
			load_workloads(L, v);
		} else if (!load_dotted_top(L, k, v)) {
			misspelt |= unknown_top_key(L, k);
		}
	}
	if (wl || misspelt)             /* "worklods": the did-you-mean says it all */
		return;
	if (root && root->kind == YN_MAP)
		diag_node(L->d, root, "workloads", "missing required field (a sequence of at least "
			  "one workload)");
	else
		diag_at(L->d, L->file, 1, 1, "workloads", "missing required field (a sequence of "
			"at least one workload)");
}

/* --- --set key=value --- */

static void unknown_workload(struct loader *L, const struct diag_loc *loc, const char *name)
{
	struct scenario *s = L->s;
	const char **names = xmalloc((s->nr_workloads + 1) * sizeof(*names));
	size_t nr = 0;
	char q[256], hint[512] = "";

	for (unsigned i = 0; i < s->nr_workloads; i++)
		if (s->workloads[i].name)
			names[nr++] = s->workloads[i].name;
	const char *sug = suggest_closest(name, names, nr);
	if (sug) {
		snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", sug);
	} else if (nr) {
		size_t o = (size_t)snprintf(hint, sizeof(hint), " (workloads:");
		for (size_t i = 0; i < nr && o < sizeof(hint); i++)
			o += (size_t)snprintf(hint + o, sizeof(hint) - o, "%s %s", i ? "," : "",
					      names[i]);
		if (o < sizeof(hint))
			snprintf(hint + o, sizeof(hint) - o, ")");
	}
	diag_loc(L->d, loc, NULL, "unknown workload %s%s", diag_quote(name, q, sizeof(q)), hint);
	free(names);
}

static void set_workload(struct loader *L, const struct diag_loc *loc, const char *rest,
			 const char *val)
{
	struct scenario *s = L->s;
	const char *dot = strchr(rest, '.');
	char q[256], hint[256];

	if (!dot || dot == rest || !dot[1]) {
		diag_loc(L->d, loc, NULL, "expected workloads.<name>.<parameter>=value");
		return;
	}
	char *name = xasprintf("%.*s", (int)(dot - rest), rest);
	const char *param = dot + 1;
	unsigned i;
	for (i = 0; i < s->nr_workloads; i++)
		if (s->workloads[i].name && strcmp(s->workloads[i].name, name) == 0)
			break;
	if (i == s->nr_workloads) {
		unknown_workload(L, loc, name);
		free(name);
		return;
	}
	free(name);

	struct workload_cfg *w = &s->workloads[i];
	struct wl_state *ws = &L->wl[i];
	const struct knob *k;
	char fld[64], kf[128];
	snprintf(fld, sizeof(fld), "workloads[%u]", i);
	snprintf(kf, sizeof(kf), "%s.%s", fld, param);
	if (strcmp(param, "type") == 0 || strcmp(param, "name") == 0) {
		diag_loc(L->d, loc, NULL, "the %s of a workload cannot be changed with --set",
			 param);
	} else if ((k = knob_find(&workload_common_table, param))) {
		struct scope cs = common_scope(ws, w, fld);
		apply_text(L, &cs, k, val, loc);
	} else if (strcmp(param, "cpus") == 0 || strcmp(param, "nodes") == 0) {
		set_ids(L, ws, param[0] == 'c', NULL, val, loc, kf);
	} else if (w->schema) {
		struct scope ps = param_scope(L, ws, w, fld, NULL);
		k = knob_find(ps.t, param);
		if (k) {
			apply_text(L, &ps, k, val, loc);
		} else {
			unknown_hint(&ps, param, hint, sizeof(hint));
			diag_loc(L->d, loc, NULL, "unknown parameter %s of %s%s",
				 diag_quote(param, q, sizeof(q)), w->schema->type, hint);
		}
	}
}

static void apply_set(struct loader *L, int idx, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct diag_loc loc = set_loc(idx, arg);
	char q[256], hint[256] = "";

	if (!eq || eq == arg) {
		diag_loc(L->d, &loc, NULL, "expected key=value, like vm.swappiness=10");
		return;
	}
	char *key = xasprintf("%.*s", (int)(eq - arg), arg);
	const char *val = eq + 1;
	const struct knob *k = knob_find(&scenario_table, key);

	if (strncmp(key, "workloads.", 10) == 0) {
		set_workload(L, &loc, key + 10, val);
	} else if (strcmp(key, "machine.distances") == 0 ||
		   strcmp(key, "machine.node_memory") == 0 || strcmp(key, "machine.offline") == 0) {
		diag_loc(L->d, &loc, NULL, "%s cannot be set with --set: write it in the scenario "
			 "file", key);
	} else if (k) {
		struct scope sc = knob_scope(L, knob_section(k->name));
		apply_text(L, &sc, k, val, &loc);
	} else {
		const char *s = knob_suggest(&scenario_table, key);
		if (s)
			snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", s);
		diag_loc(L->d, &loc, NULL, "unknown knob %s%s", diag_quote(key, q, sizeof(q)),
			 hint);
	}
	free(key);
}

/* --- cross-field checks, after the file and every --set --- */

static struct diag_loc origin_loc(const struct loader *L, size_t idx)
{
	if (L->org[idx].set)
		return L->org[idx].loc;
	return (struct diag_loc){ .file = L->file };
}

/* The value of a scenario knob as the user wrote it, else formatted. */
static const char *origin_text(const struct loader *L, size_t idx, char *buf, size_t len)
{
	if (L->org[idx].set && L->org[idx].text)
		return L->org[idx].text;
	knob_format(&scenario_rows[idx], L->s, buf, len);
	return buf;
}

static bool same_loc(const struct diag_loc *a, const struct diag_loc *b)
{
	if (!a->file != !b->file)
		return false;
	if (!a->file)
		return a->set_idx == b->set_idx;
	return a->line == b->line && a->col == b->col && strcmp(a->file, b->file) == 0;
}

/* Every id must be < limit; one message per place the ids were written. */
static bool check_id_range(struct loader *L, const struct id_list *l, unsigned limit,
			   const char *fld, const char *what)
{
	const struct diag_loc *last = NULL;
	bool ok = true;

	for (unsigned i = 0; i < l->nr; i++) {
		if (l->ids[i] < limit)
			continue;
		ok = false;
		if (last && same_loc(last, &l->locs[i]))
			continue;
		last = &l->locs[i];
		if (limit == 1)
			diag_loc(L->d, last, fld, "%s %u does not exist (the machine has 1 %s: 0)",
				 what, l->ids[i], what);
		else
			diag_loc(L->d, last, fld, "%s %u does not exist (the machine has %u %ss: "
				 "0-%u)", what, l->ids[i], limit, what, limit - 1);
	}
	return ok;
}

static void check_workloads(struct loader *L, bool nodes_ok, bool cpus_ok)
{
	struct scenario *s = L->s;
	unsigned nr_cpus = scenario_nr_cpus(s);

	for (unsigned i = 0; i < s->nr_workloads; i++) {
		struct workload_cfg *w = &s->workloads[i];
		struct wl_state *ws = &L->wl[i];
		char fld[64], kf[96];

		snprintf(fld, sizeof(fld), "workloads[%u]", i);
		if (ws->has_cpus && ws->has_nodes) {
			snprintf(kf, sizeof(kf), "%s.nodes", fld);
			diag_loc(L->d, &ws->nodes_loc, kf, "give either cpus or nodes, not both");
		}
		snprintf(kf, sizeof(kf), "%s.cpus", fld);
		if (ws->has_cpus && !ws->cpus_bad && cpus_ok &&
		    check_id_range(L, &ws->cpus, nr_cpus, kf, "CPU")) {
			w->nr_cpus = ws->cpus.nr;
			w->cpus = xmalloc(ws->cpus.nr * sizeof(*w->cpus));
			memcpy(w->cpus, ws->cpus.ids, ws->cpus.nr * sizeof(*w->cpus));
		}
		snprintf(kf, sizeof(kf), "%s.nodes", fld);
		if (ws->has_nodes && !ws->nodes_bad && nodes_ok &&
		    check_id_range(L, &ws->nodes, s->machine.nr_nodes, kf, "node")) {
			for (unsigned j = 0; j < ws->nodes.nr; j++)
				w->nodemask |= 1ULL << ws->nodes.ids[j];
		}
		/* rows 1 and 2 of workload_common_rows: start, kill_at */
		if (w->kill_at_ns && w->kill_at_ns <= w->start_ns && !ws->corg[1].bad &&
		    !ws->corg[2].bad) {
			struct diag_loc loc = ws->corg[2].set ? ws->corg[2].loc :
					      (struct diag_loc){ .file = L->file };
			char ka[64], st[64];
			knob_format(&workload_common_rows[2], w, ka, sizeof(ka));
			knob_format(&workload_common_rows[1], w, st, sizeof(st));
			snprintf(kf, sizeof(kf), "%s.kill_at", fld);
			diag_loc(L->d, &loc, kf, "%s is not after the workload's start (%s): its "
				 "processes would be killed before they run",
				 ws->corg[2].text ? ws->corg[2].text : ka,
				 ws->corg[1].text ? ws->corg[1].text : st);
		}
		if (!w->schema || ws->node->kind != YN_MAP)
			continue;
		const struct knob_table *pt = w->schema->params;
		for (size_t j = 0; j < pt->nr; j++) {
			if (pt->rows[j].def || ws->porg[j].set)
				continue;
			diag_node(L->d, ws->node, fld, "missing required parameter \"%s\" of %s",
				  pt->rows[j].name, w->type);
		}
	}
}

/* Knobs whose value asks for a mechanism mmsim does not model are refused (or, when
 * part of what they steer is modelled, accepted with a warning saying what is not),
 * never silently taken. */
static void not_modelled_checks(struct loader *L)
{
	const struct scenario *s = L->s;
	size_t i_oc = knob_idx("vm.overcommit_memory"), i_zr = knob_idx("vm.zone_reclaim_mode");
	struct diag_loc loc;

	if (!L->org[i_oc].bad && s->kernel.vm.overcommit_memory == 2) {
		loc = origin_loc(L, i_oc);
		diag_loc(L->d, &loc, "vm.overcommit_memory", "2 (never overcommit: the commit limit "
			 "and Committed_AS accounting) is not modelled; 0 (heuristic) and 1 (always) "
			 "are");
	}
	if (!L->org[i_zr].bad && s->kernel.vm.zone_reclaim_mode) {
		loc = origin_loc(L, i_zr);
		diag_warn_loc(L->d, &loc, "vm.zone_reclaim_mode", "%u asks for node reclaim (the "
			      "page allocator reclaiming the local node before it falls back to "
			      "another), which is not modelled; only khugepaged's node-distance limit "
			      "follows this knob", s->kernel.vm.zone_reclaim_mode);
	}
}

static void cross_checks(struct loader *L)
{
	struct scenario *s = L->s;
	struct machine_cfg *m = &s->machine;
	size_t i_nodes = knob_idx("machine.nodes"), i_cpn = knob_idx("machine.cpus_per_node");
	size_t i_mem = knob_idx("machine.memory_per_node"), i_swap = knob_idx("machine.swap.size");
	size_t i_pcp = knob_idx("vm.percpu_pagelist_high_fraction");
	bool nodes_ok = !L->org[i_nodes].bad, cpus_ok = nodes_ok && !L->org[i_cpn].bad;
	struct diag_loc loc;
	char buf[64];

	if (cpus_ok && m->nr_nodes * m->cpus_per_node > MAX_TOTAL_CPUS) {
		size_t at = L->org[i_cpn].set ? i_cpn : i_nodes;
		loc = origin_loc(L, at);
		diag_loc(L->d, &loc, scenario_rows[at].name, "%u nodes x %u CPUs per node = %u "
			 "CPUs, more than the %d supported", m->nr_nodes, m->cpus_per_node,
			 m->nr_nodes * m->cpus_per_node, MAX_TOTAL_CPUS);
		cpus_ok = false;
	}
	if (!L->org[i_mem].bad && !IS_ALIGNED(m->memory_per_node, PMD_SIZE)) {
		loc = origin_loc(L, i_mem);
		diag_loc(L->d, &loc, "machine.memory_per_node", "%s is not a multiple of 2MiB",
			 origin_text(L, i_mem, buf, sizeof(buf)));
	}
	if (!L->org[i_swap].bad && !IS_ALIGNED(m->swap.size, PAGE_SIZE)) {
		loc = origin_loc(L, i_swap);
		diag_loc(L->d, &loc, "machine.swap.size", "%s is not a multiple of 4KiB",
			 origin_text(L, i_swap, buf, sizeof(buf)));
	}
	if (!L->org[i_swap].bad && m->swap.size) {
		static const char *const bws[] = {
			"machine.swap.read_bw", "machine.swap.write_bw"
		};
		const char *swap = origin_text(L, i_swap, buf, sizeof(buf));
		for (size_t i = 0; i < ARRAY_SIZE(bws); i++) {
			size_t at = knob_idx(bws[i]);
			u64 bw = i ? m->swap.write_bw : m->swap.read_bw;
			if (L->org[at].bad || bw)
				continue;
			loc = origin_loc(L, at);
			diag_loc(L->d, &loc, bws[i], "must be more than 0 when there is swap "
				 "(machine.swap.size is %s)", swap);
		}
	}
	size_t i_sf = knob_idx("machine.swap.slow_from"), i_su = knob_idx("machine.swap.slow_until");
	if (!L->org[i_sf].bad && !L->org[i_su].bad && m->swap.slow_until_ns &&
	    m->swap.slow_until_ns <= m->swap.slow_from_ns) {
		char b2[64];
		loc = origin_loc(L, i_su);
		diag_loc(L->d, &loc, "machine.swap.slow_until", "%s is not after "
			 "machine.swap.slow_from (%s): the window is empty (0 = no end)",
			 origin_text(L, i_su, buf, sizeof(buf)), origin_text(L, i_sf, b2, sizeof(b2)));
	}
	if (!L->org[i_pcp].bad && s->kernel.vm.percpu_pagelist_high_fraction &&
	    s->kernel.vm.percpu_pagelist_high_fraction < 8) {
		loc = origin_loc(L, i_pcp);
		diag_loc(L->d, &loc, "vm.percpu_pagelist_high_fraction", "must be 0 or at least 8, "
			 "got %u", s->kernel.vm.percpu_pagelist_high_fraction);
	}

	if (L->dist_node && L->dist_ok && nodes_ok && L->dist_n != m->nr_nodes) {
		diag_node(L->d, L->dist_node, "machine.distances", "expected a %ux%u matrix "
			  "(machine.nodes is %u), got %u rows", m->nr_nodes, m->nr_nodes,
			  m->nr_nodes, L->dist_n);
	} else if (!L->dist_node && nodes_ok) {
		for (unsigned i = 0; i < m->nr_nodes; i++)
			for (unsigned j = 0; j < m->nr_nodes; j++)
				m->distance[i][j] = i == j ? 10 : 20;
	}
	if (L->nmem_node && L->nmem_ok && nodes_ok && L->nmem_n != m->nr_nodes) {
		diag_node(L->d, L->nmem_node, "machine.node_memory", "expected %u sizes "
			  "(machine.nodes is %u), got %u", m->nr_nodes, m->nr_nodes, L->nmem_n);
	} else if (L->nmem_node && L->nmem_ok) {
		memcpy(m->node_memory, L->nmem, sizeof(L->nmem));
	} else if (!L->nmem_node && nodes_ok) {
		for (unsigned i = 0; i < m->nr_nodes; i++)
			m->node_memory[i] = m->memory_per_node;
	}
	if (nodes_ok && (!L->nmem_node || L->nmem_ok))
		check_offline(L);
	check_workloads(L, nodes_ok, cpus_ok);
	not_modelled_checks(L);
}

/* --- entry points --- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

static struct scenario *load_doc(const struct ydoc *doc, const struct workload_catalog *cat,
				 char *const *sets, int nr_sets, struct diag *d)
{
	unsigned before = diag_count(d);
	struct loader *L = xcalloc(1, sizeof(*L));
	struct scenario *s = xcalloc(1, sizeof(*s));

	s->path = xstrdup(doc->file);
	s->dir = dir_of(doc->file);
	knob_set_defaults(&scenario_table, s);
	L->s = s;
	L->d = d;
	L->cat = cat;
	L->file = doc->file;
	load_root(L, doc->root);
	for (int i = 0; i < nr_sets; i++)
		apply_set(L, i, sets[i]);
	cross_checks(L);

	for (unsigned i = 0; L->wl && i < s->nr_workloads; i++) {
		id_list_free(&L->wl[i].cpus);
		id_list_free(&L->wl[i].nodes);
		free(L->wl[i].porg);
	}
	free(L->wl);
	free(L);
	if (diag_count(d) != before) {
		scenario_destroy(s);
		return NULL;
	}
	return s;
}

struct scenario *scenario_load(const char *path, const struct workload_catalog *cat,
			       char *const *sets, int nr_sets, struct diag *d)
{
	struct ydoc *doc = yaml_load_file(path, d);
	if (!doc)
		return NULL;
	struct scenario *s = load_doc(doc, cat, sets, nr_sets, d);
	ydoc_free(doc);
	return s;
}

struct scenario *scenario_load_string(const char *name, const char *text,
				      const struct workload_catalog *cat,
				      char *const *sets, int nr_sets, struct diag *d)
{
	struct ydoc *doc = yaml_load_string(name, text, strlen(text), d);
	if (!doc)
		return NULL;
	struct scenario *s = load_doc(doc, cat, sets, nr_sets, d);
	ydoc_free(doc);
	return s;
}

void scenario_clear_workloads(struct scenario *s)
{
	for (unsigned i = 0; i < s->nr_workloads; i++) {
		struct workload_cfg *w = &s->workloads[i];
		if (w->schema && w->params)
			knob_free_strings(w->schema->params, w->params);
		free(w->params);
		free(w->type);
		free(w->name);
		free(w->cpus);
		free(w->file);
	}
	free(s->workloads);
	s->workloads = NULL;
	s->nr_workloads = 0;
}

void scenario_destroy(struct scenario *s)
{
	if (!s)
		return;
	scenario_clear_workloads(s);
	knob_free_strings(&scenario_table, s);
	free(s->path);
	free(s->dir);
	free(s);
}
