// LINK: mmsim_config
/* test_config.c - YAML tree, diagnostics and scenario loading: exact values after
 * parsing, --set overrides, workloads, cross-field checks, and the exact text of the
 * errors users see. Uses a small fake workload catalog (the real one lives in
 * workloads/ and is tested there). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "config/yaml.h"

/* --- fake catalog: two generators and a trace replayer --- */

struct touch_params {
	u64 size;
	unsigned passes;
	double write_ratio;
	u64 think_ns;
	bool hugepage;
};
static const struct knob touch_rows[] = {
	KNOB_SIZE_OF(struct touch_params, "size", size, 4096, 1ULL << 40, "64MiB", "bytes touched"),
	KNOB_UINT_OF(struct touch_params, "passes", passes, 1, 1000, "1", "passes over the area"),
	KNOB_DOUBLE_OF(struct touch_params, "write_ratio", write_ratio, 0, 1, "0.5",
		       "fraction of touches that write"),
	KNOB_TIME_OF(struct touch_params, "think", think_ns, 0, NSEC_PER_SEC, "0",
		     "compute time between touches"),
	KNOB_BOOL_OF(struct touch_params, "madvise.hugepage", hugepage, "false",
		     "MADV_HUGEPAGE the area"),
};
static const struct knob_table touch_table = { "touch parameter", touch_rows,
					       ARRAY_SIZE(touch_rows) };
static const struct workload_schema touch_schema = {
	"sequential_touch", "touch an area in order", &touch_table, sizeof(struct touch_params)
};

struct churn_params {
	unsigned maps;
	char *label;
};
static const struct knob churn_rows[] = {
	KNOB_UINT_OF(struct churn_params, "maps", maps, 1, 100, "10", "mappings per round"),
	KNOB_STRING_OF(struct churn_params, "label", label, "churn", "a label"),
};
static const struct knob_table churn_table = { "churn parameter", churn_rows,
					       ARRAY_SIZE(churn_rows) };
static const struct workload_schema churn_schema = {
	"mmap_churn", "map and unmap", &churn_table, sizeof(struct churn_params)
};

struct trace_params {
	char *path;
	unsigned mode;
};
static const char *const trace_modes[] = { "closed", "open", NULL };
static const struct knob trace_rows[] = {
	KNOB_PATH_OF(struct trace_params, "path", path, NULL, "trace file to replay"),
	KNOB_ENUM_OF(struct trace_params, "mode", mode, trace_modes, "closed", "replay loop"),
};
static const struct knob_table trace_table = { "trace parameter", trace_rows,
					       ARRAY_SIZE(trace_rows) };
static const struct workload_schema trace_schema = {
	"trace", "replay a trace", &trace_table, sizeof(struct trace_params)
};

static const struct workload_schema *const cat_types[] = {
	&touch_schema, &churn_schema, &trace_schema
};
static const struct workload_catalog cat = { cat_types, ARRAY_SIZE(cat_types) };

#define WL "workloads:\n  - type: sequential_touch\n"

/* --- helpers --- */

static struct scenario *load(const char *text, char *const *sets, int nr, char **errs)
{
	struct diag *d = diag_create();
	struct scenario *s = scenario_load_string("s.yaml", text, &cat, sets, nr, d);
	*errs = diag_format(d);
	CHECK((s == NULL) == (diag_count(d) > 0));
	diag_destroy(d);
	return s;
}

/* The diagnostics a text produces ("" when it loads). */
static char *errors_of(const char *text, char *const *sets, int nr)
{
	char *errs;
	scenario_destroy(load(text, sets, nr, &errs));
	return errs;
}

#define CHECK_ERRORS(text, sets, nr, want)                                                  \
	do {                                                                                \
		char *_e = errors_of((text), (sets), (nr));                                 \
		CHECK_EQ_STR(_e, (want));                                                   \
		free(_e);                                                                   \
	} while (0)

static struct scenario *load_ok(const char *text, char *const *sets, int nr)
{
	char *errs;
	struct scenario *s = load(text, sets, nr, &errs);
	CHECK_EQ_STR(errs, "");
	free(errs);
	return s;
}

/* --- yaml --- */

static void test_yaml_nodes_carry_1_based_positions(void)
{
	struct diag *d = diag_create();
	const char *text = "# comment\nmachine:\n  nodes: 2\n  list: [a, \"b\"]\n";
	struct ydoc *doc = yaml_load_string("x.yaml", text, strlen(text), d);

	CHECK(doc != NULL);
	CHECK_EQ_U64(diag_count(d), 0);
	const struct ynode *root = doc->root;
	CHECK(root->kind == YN_MAP);
	CHECK_EQ_U64(root->nr, 1);
	CHECK_EQ_STR(root->pairs[0].key->str, "machine");
	CHECK_EQ_U64(root->pairs[0].key->line, 2);
	CHECK_EQ_U64(root->pairs[0].key->col, 1);
	const struct ynode *m = ynode_get(root, "machine");
	const struct ynode *n = ynode_get(m, "nodes");
	CHECK_EQ_STR(n->str, "2");
	CHECK_EQ_U64(n->line, 3);
	CHECK_EQ_U64(n->col, 10);
	CHECK(n->plain);
	const struct ynode *l = ynode_get(m, "list");
	CHECK(l->kind == YN_SEQ && l->nr == 2);
	CHECK_EQ_U64(l->col, 9);
	CHECK_EQ_U64(l->items[1]->col, 13);
	CHECK(!l->items[1]->plain);
	CHECK_EQ_STR(n->file, "x.yaml");
	CHECK(ynode_get(m, "absent") == NULL);
	CHECK(ynode_get(n, "nodes") == NULL);
	ydoc_free(doc);
	diag_destroy(d);
}

static void test_yaml_nulls_and_kinds_read_as_words(void)
{
	struct diag *d = diag_create();
	const char *text = "a:\nb: ~\nc: null\nd: \"\"\ne: [1]\nf: {x: 1}\ng: 'null'\n";
	struct ydoc *doc = yaml_load_string("x.yaml", text, strlen(text), d);
	CHECK(doc != NULL);
	CHECK(ynode_is_null(ynode_get(doc->root, "a")));
	CHECK(ynode_is_null(ynode_get(doc->root, "b")));
	CHECK(ynode_is_null(ynode_get(doc->root, "c")));
	CHECK(!ynode_is_null(ynode_get(doc->root, "d")));
	CHECK(!ynode_is_null(ynode_get(doc->root, "g")));
	CHECK_EQ_STR(ynode_what(ynode_get(doc->root, "a")), "nothing");
	CHECK_EQ_STR(ynode_what(ynode_get(doc->root, "d")), "a scalar");
	CHECK_EQ_STR(ynode_what(ynode_get(doc->root, "e")), "a sequence");
	CHECK_EQ_STR(ynode_what(ynode_get(doc->root, "f")), "a mapping");
	ydoc_free(doc);
	diag_destroy(d);
}

static char *yaml_errors(const char *text, size_t len)
{
	struct diag *d = diag_create();
	struct ydoc *doc = yaml_load_string("y.yaml", text, len, d);
	CHECK((doc == NULL) == (diag_count(d) > 0));
	char *s = diag_format(d);
	ydoc_free(doc);
	diag_destroy(d);
	return s;
}

#define CHECK_YAML_ERRORS(text, want)                                                       \
	do {                                                                                \
		char *_e = yaml_errors((text), strlen(text));                               \
		CHECK_EQ_STR(_e, (want));                                                   \
		free(_e);                                                                   \
	} while (0)

static void test_yaml_syntax_errors_are_located(void)
{
	CHECK_YAML_ERRORS("a: 1\nb\nc: 2\n",
			  "y.yaml:3:1: syntax error: could not find expected ':' (while scanning a "
			  "simple key started at line 2, column 1)\n");
	CHECK_YAML_ERRORS("a:\n\tb: 1\n",
			  "y.yaml:2:1: syntax error: found a tab character where a token was "
			  "expected "
			  "(indent YAML with spaces, not tabs)\n");
	CHECK_YAML_ERRORS("a: [1, 2\nb: 3\n",
			  "y.yaml:2:2: syntax error: did not find expected ',' or ']' (while "
			  "parsing a "
			  "flow sequence started at line 1, column 4)\n");
	CHECK_YAML_ERRORS("a: 1\n  b: 2\n",
			  "y.yaml:2:4: syntax error: mapping values are not allowed in this "
			  "context\n");
	CHECK_YAML_ERRORS("a: \xff\n", "y.yaml:1:4: syntax error: invalid leading UTF-8 octet "
			  "(byte 0xff)\n");
	CHECK_YAML_ERRORS("a: 1\x01\n", "y.yaml:1:5: syntax error: control characters are not "
			  "allowed (byte 0x01)\n");
	CHECK_YAML_ERRORS("---\na: 1\n---\nb: 1\n",
			  "y.yaml:3:1: a second YAML document: a scenario file holds exactly "
			  "one\n");
}

static void test_yaml_rejects_duplicates_anchors_aliases_and_complex_keys(void)
{
	CHECK_YAML_ERRORS("a: 1\nb: 2\na: 3\nm: {x: 1, x: 2}\n",
			  "y.yaml:3:1: duplicate key \"a\" (first defined at line 1, column 1)\n"
			  "y.yaml:4:11: duplicate key \"x\" (first defined at line 4, column 5)\n");
	CHECK_YAML_ERRORS("a: &anchor 1\nb: *anchor\n",
			  "y.yaml:1:4: anchors (&anchor) are not supported: write the value out in "
			  "full\n"
			  "y.yaml:2:4: aliases (*anchor) are not supported: write the value out in "
			  "full\n");
	CHECK_YAML_ERRORS("base: &b {x: 1}\nother:\n  <<: *b\n",
			  "y.yaml:1:7: anchors (&b) are not supported: write the value out in "
			  "full\n"
			  "y.yaml:3:7: aliases (*b) are not supported: write the value out in "
			  "full\n");
	CHECK_YAML_ERRORS("? [a, b]\n: 1\n",
			  "y.yaml:1:3: mapping keys must be scalars, got a sequence\n");
	CHECK_YAML_ERRORS("\"a\\0b\": 1\n",
			  "y.yaml:1:1: mapping keys must not contain NUL characters\n");
	/* the same key text in different mappings is fine */
	CHECK_YAML_ERRORS("a: {x: 1}\nb: {x: 1}\n", "");
}

static void test_yaml_empty_inputs_have_no_root(void)
{
	struct diag *d = diag_create();
	static const char *const empties[] = { "", "# only a comment\n", "\n\n\n" };
	for (size_t i = 0; i < ARRAY_SIZE(empties); i++) {
		struct ydoc *doc = yaml_load_string("e.yaml", empties[i], strlen(empties[i]), d);
		CHECK(doc != NULL && doc->root == NULL);
		ydoc_free(doc);
	}
	CHECK_EQ_U64(diag_count(d), 0);
	diag_destroy(d);
}

static void test_yaml_deep_nesting_is_refused(void)
{
	char text[300];
	memset(text, '[', 200);
	text[200] = '\0';
	char *e = yaml_errors(text, strlen(text));
	CHECK_EQ_STR(e, "y.yaml:1:65: nested deeper than 64 levels\n");
	free(e);
}

static void test_yaml_missing_file_and_directory(void)
{
	struct diag *d = diag_create();
	CHECK(yaml_load_file("/nonexistent/mmsim.yaml", d) == NULL);
	CHECK(yaml_load_file("/", d) == NULL);
	char *s = diag_format(d);
	CHECK_EQ_STR(s, "/nonexistent/mmsim.yaml: cannot open: No such file or directory\n"
		     "/: cannot open: Is a directory\n");
	free(s);
	diag_destroy(d);
}

/* Random bytes and random edits of a valid scenario: no crash, no leak, a result or an
 * error but never both. Deterministic (fixed LCG). */
static void test_garbage_never_crashes(void)
{
	static const char base[] =
		"seed: 3\nmachine:\n  nodes: 2\n  distances: [[10, 20], [20, 10]]\n"
		"kernel: {vm: {swappiness: 10}}\nworkloads:\n  - type: sequential_touch\n"
		"    cpus: [0, 1]\n  - {type: trace, path: /dev/null, name: t}\n";
	static const char alphabet[] = " :-[]{}#&*!|>'\"\n\t,0123456789"
				       "abcdefghijklmnopqrstuvwxyz.%@\\";
	u64 x = 88172645463325252ULL;
	unsigned loaded = 0, failed = 0;

	for (int iter = 0; iter < 3000; iter++) {
		char buf[512];
		size_t len;
		if (iter % 3 == 0) {
			len = (size_t)(iter % 200);
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				char c = alphabet[x % (sizeof(alphabet) - 1)];
				buf[i] = iter % 2 ? (char)x : c;
			}
		} else {
			len = sizeof(base) - 1;
			memcpy(buf, base, len);
			for (int m = 0; m < 1 + iter % 4; m++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[x % len] = alphabet[(x >> 20) % (sizeof(alphabet) - 1)];
			}
		}
		buf[len] = '\0';
		struct diag *d = diag_create();
		struct scenario *s = scenario_load_string("g.yaml", buf, &cat, NULL, 0, d);
		char *out = diag_format(d);
		if (s)
			loaded++;
		else
			failed++;
		CHECK_((s != NULL) == (diag_count(d) == 0), "iteration %d", iter);
		free(out);
		scenario_destroy(s);
		diag_destroy(d);
	}
	CHECK(loaded > 0 && failed > 0);
}

/* --- diag --- */

static void test_diag_sorts_by_position_then_insertion(void)
{
	struct diag *d = diag_create();
	diag_at(d, "a.yaml", 5, 3, "x.y", "third");
	diag_set(d, 1, "k=v", "second set");
	diag_at(d, "a.yaml", 2, 9, NULL, "second");
	diag_set(d, 0, "j=w", "first set");
	diag_at(d, "a.yaml", 5, 3, "x.z", "fourth, same place, later");
	diag_at(d, "a.yaml", 0, 0, NULL, "whole file");
	diag_at(d, "a.yaml", 2, 1, "f", "first");
	diag_at(d, "b.yaml", 1, 1, NULL, "other file");
	struct diag_loc loc = { .set_idx = 1, .set_arg = "k=v" };
	diag_loc(d, &loc, "ignored", "set, via a location");
	CHECK_EQ_U64(diag_count(d), 9);
	char *s = diag_format(d);
	CHECK_EQ_STR(s, "a.yaml: whole file\n"
		     "a.yaml:2:1: f: first\n"
		     "a.yaml:2:9: second\n"
		     "a.yaml:5:3: x.y: third\n"
		     "a.yaml:5:3: x.z: fourth, same place, later\n"
		     "b.yaml:1:1: other file\n"
		     "--set j=w: first set\n"
		     "--set k=v: second set\n"
		     "--set k=v: set, via a location\n");
	free(s);
	diag_destroy(d);
}

static void test_diag_prints_at_most_20_then_a_count(void)
{
	struct diag *d = diag_create();
	for (int i = 25; i >= 1; i--)
		diag_at(d, "big.yaml", i, 1, NULL, "error %d", i);
	char *s = diag_format(d);
	char want[2048] = "";
	for (int i = 1; i <= 20; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "big.yaml:%d:1: error %d\n", i, i);
	strcat(want, "big.yaml: too many errors (5 more)\n");
	CHECK_EQ_STR(s, want);
	free(s);
	diag_destroy(d);

	d = diag_create();
	s = diag_format(d);
	CHECK_EQ_STR(s, "");
	free(s);
	for (int i = 0; i < 21; i++)
		diag_set(d, i, "a=b", "bad");
	s = diag_format(d);
	CHECK_CONTAINS(s, "--set a=b: bad\nmmsim: too many errors (1 more)\n");
	free(s);
	diag_destroy(d);
}

static void test_diag_quote_escapes_and_truncates(void)
{
	char buf[256];
	CHECK_EQ_STR(diag_quote("plain", buf, sizeof(buf)), "\"plain\"");
	CHECK_EQ_STR(diag_quote("a\"b\\c\nd\te\x01", buf, sizeof(buf)),
		     "\"a\\\"b\\\\c\\nd\\te\\x01\"");
	CHECK_EQ_STR(diag_quote("", buf, sizeof(buf)), "\"\"");
	char longtext[100];
	memset(longtext, 'x', 99);
	longtext[99] = '\0';
	diag_quote(longtext, buf, sizeof(buf));
	CHECK_EQ_U64(strlen(buf), 1 + 60 + 3 + 1);
	CHECK_CONTAINS(buf, "xxx...\"");
	char tiny[8];
	diag_quote("abcdefghij", tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
}

/* --- scenario: values --- */

static void test_scenario_values_after_parsing(void)
{
	struct scenario *s = load_ok(
		"seed: 42\n"
		"duration: 1.5s\n"
		"machine:\n"
		"  nodes: 4\n"
		"  cpus_per_node: 16\n"
		"  memory_per_node: 8GiB\n"
		"  dma32: yes\n"
		"  swap:\n"
		"    size: 16GiB\n"
		"    read_bw: 2GB/s\n"
		"    latency: 50us\n"
		"kernel:\n"
		"  vm:\n"
		"    swappiness: 100\n"
		"    page-cluster: 0\n"
		"    nr_hugepages: 512\n"
		"  transparent_hugepage:\n"
		"    enabled: always\n"
		"    defrag: defer+madvise\n"
		"  khugepaged.max_ptes_none: 0\n"
		"  khugepaged.scan_sleep_millisecs: 100\n"
		"variants:\n"
		"  page_alloc.grouping: none\n"
		"costs:\n"
		"  zero_2m: 100us\n"
		"engine: {lookahead: 500ns}\n"
		"outputs: {sample_interval: 1ms}\n"
		WL, NULL, 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ_STR(s->path, "s.yaml");
	CHECK_EQ_STR(s->dir, ".");
	CHECK_EQ_U64(s->seed, 42);
	CHECK_EQ_U64(s->duration_ns, 1500 * NSEC_PER_MSEC);
	CHECK_EQ_U64(s->machine.nr_nodes, 4);
	CHECK_EQ_U64(s->machine.cpus_per_node, 16);
	CHECK_EQ_U64(scenario_nr_cpus(s), 64);
	CHECK_EQ_U64(s->machine.memory_per_node, 8ULL << 30);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ_U64(s->machine.node_memory[i], 8ULL << 30);
	CHECK_EQ_U64(s->machine.node_memory[4], 0);
	CHECK(s->machine.dma32);
	CHECK_EQ_U64(s->machine.swap.size, 16ULL << 30);
	CHECK_EQ_U64(s->machine.swap.read_bw, 2000000000ULL);
	CHECK_EQ_U64(s->machine.swap.write_bw, 250ULL << 20);
	CHECK_EQ_U64(s->machine.swap.latency_ns, 50000);
	CHECK_EQ_U64(s->machine.distance[0][0], 10);
	CHECK_EQ_U64(s->machine.distance[0][3], 20);
	CHECK_EQ_U64(s->machine.distance[3][3], 10);
	CHECK_EQ_U64(s->kernel.vm.swappiness, 100);
	CHECK_EQ_U64(s->kernel.vm.page_cluster, 0);
	CHECK_EQ_U64(s->kernel.vm.nr_hugepages, 512);
	CHECK_EQ_U64(s->kernel.thp.enabled, THP_ALWAYS);
	CHECK_EQ_U64(s->kernel.thp.defrag, THP_DEFRAG_DEFER_MADVISE);
	CHECK_EQ_U64(s->kernel.khugepaged.max_ptes_none, 0);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 100 * NSEC_PER_MSEC);
	CHECK_EQ_U64(s->kernel.khugepaged.alloc_sleep_ns, 60000 * NSEC_PER_MSEC);
	CHECK_EQ_U64(s->variants.page_alloc_grouping, GROUPING_NONE);
	CHECK_EQ_U64(s->costs.zero_2m_ns, 100000);
	CHECK_EQ_U64(s->costs.zero_4k_ns, 250);
	CHECK_EQ_U64(s->engine.lookahead_ns, 500);
	CHECK_EQ_U64(s->outputs.sample_interval_ns, NSEC_PER_MSEC);
	CHECK_EQ_U64(s->nr_workloads, 1);
	struct workload_cfg *w = &s->workloads[0];
	CHECK_EQ_STR(w->type, "sequential_touch");
	CHECK_EQ_STR(w->name, "sequential_touch");
	CHECK(w->schema == &touch_schema);
	CHECK_EQ_U64(w->threads, 1);
	CHECK_EQ_U64(w->nr_cpus, 0);
	CHECK(w->cpus == NULL);
	CHECK_EQ_U64(w->nodemask, 0);
	CHECK_EQ_U64(w->start_ns, 0);
	CHECK_EQ_STR(w->file, "s.yaml");
	CHECK_EQ_U64(w->line, 29);
	CHECK_EQ_U64(w->col, 5);
	const struct touch_params *p = w->params;
	CHECK_EQ_U64(p->size, 64ULL << 20);
	CHECK_EQ_U64(p->passes, 1);
	CHECK(p->write_ratio == 0.5);
	CHECK(!p->hugepage);
	scenario_destroy(s);
}

static void test_defaults_apply_to_a_minimal_scenario(void)
{
	struct scenario *s = load_ok(WL, NULL, 0);
	struct scenario *ref = xcalloc(1, sizeof(*ref));
	knob_set_defaults(scenario_knobs(), ref);
	const struct knob_table *t = scenario_knobs();
	for (size_t i = 0; i < t->nr; i++)
		CHECK_(memcmp((char *)s + t->rows[i].offset, (char *)ref + t->rows[i].offset,
			      t->rows[i].size) == 0,
		       "%s differs from its default", t->rows[i].name);
	CHECK_EQ_U64(s->machine.node_memory[0], 4ULL << 30);
	CHECK_EQ_U64(s->machine.node_memory[1], 4ULL << 30);
	CHECK_EQ_U64(s->machine.distance[0][1], 20);
	CHECK_EQ_U64(s->machine.distance[1][0], 20);
	CHECK_EQ_U64(s->machine.distance[1][1], 10);
	free(ref);
	scenario_destroy(s);
}

static void test_nested_dotted_and_top_level_forms_name_the_same_knob(void)
{
	static const char *const forms[] = {
		"kernel:\n  vm:\n    swappiness: 7\n" WL,
		"kernel:\n  vm.swappiness: 7\n" WL,
		"kernel.vm.swappiness: 7\n" WL,
		"kernel: {vm: {swappiness: 7}}\n" WL,
	};
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct scenario *s = load_ok(forms[i], NULL, 0);
		CHECK_(s && s->kernel.vm.swappiness == 7, "form %zu", i);
		scenario_destroy(s);
	}
	struct scenario *s = load_ok("machine.swap.size: 1GiB\nmachine:\n  swap.latency: 1ms\n"
				     "costs.zero_4k: 1us\n" WL, NULL, 0);
	CHECK_EQ_U64(s->machine.swap.size, 1ULL << 30);
	CHECK_EQ_U64(s->machine.swap.latency_ns, NSEC_PER_MSEC);
	CHECK_EQ_U64(s->costs.zero_4k_ns, 1000);
	scenario_destroy(s);
	CHECK_ERRORS("kernel:\n  vm:\n    swappiness: 7\n  vm.swappiness: 8\n" WL, NULL, 0,
		     "s.yaml:4:18: vm.swappiness: given twice (first at line 3, column 17)\n");
}

static void test_empty_sections_are_fine(void)
{
	struct scenario *s = load_ok("kernel:\nmachine: ~\ncosts: {}\n" WL, NULL, 0);
	CHECK(s != NULL);
	scenario_destroy(s);
}

static void test_distances_and_node_memory(void)
{
	struct scenario *s = load_ok(
		"machine:\n"
		"  nodes: 3\n"
		"  distances:\n"
		"    - [10, 21, 31]\n"
		"    - [21, 10, 21]\n"
		"    - [31, 21, 10]\n"
		"  node_memory: [1GiB, 2GiB, 512MiB]\n"
		WL, NULL, 0);
	CHECK_EQ_U64(s->machine.distance[0][2], 31);
	CHECK_EQ_U64(s->machine.distance[2][0], 31);
	CHECK_EQ_U64(s->machine.distance[1][2], 21);
	CHECK_EQ_U64(s->machine.distance[1][1], 10);
	CHECK_EQ_U64(s->machine.node_memory[0], 1ULL << 30);
	CHECK_EQ_U64(s->machine.node_memory[1], 2ULL << 30);
	CHECK_EQ_U64(s->machine.node_memory[2], 512ULL << 20);
	scenario_destroy(s);
}

static void test_workloads_names_placement_and_params(void)
{
	struct scenario *s = load_ok(
		"machine: {nodes: 2, cpus_per_node: 4}\n"
		"workloads:\n"
		"  - type: sequential_touch\n"
		"    size: 1GiB\n"
		"    write_ratio: 0.25\n"
		"    madvise:\n"
		"      hugepage: true\n"
		"    threads: 3\n"
		"    cpus: 0-2,7\n"
		"  - type: sequential_touch\n"
		"    cpus: [5, 4]\n"
		"    start: 10ms\n"
		"  - type: mmap_churn\n"
		"    nodes: [1]\n"
		"    label: hello\n"
		"  - type: mmap_churn\n"
		"    name: second-churn\n"
		"    nodes: 0-1\n",
		NULL, 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ_U64(s->nr_workloads, 4);
	CHECK_EQ_STR(s->workloads[0].name, "sequential_touch#0");
	CHECK_EQ_STR(s->workloads[1].name, "sequential_touch#1");
	CHECK_EQ_STR(s->workloads[2].name, "mmap_churn#2");
	CHECK_EQ_STR(s->workloads[3].name, "second-churn");
	const struct touch_params *p = s->workloads[0].params;
	CHECK_EQ_U64(p->size, 1ULL << 30);
	CHECK(p->write_ratio == 0.25);
	CHECK(p->hugepage);
	CHECK_EQ_U64(s->workloads[0].threads, 3);
	CHECK_EQ_U64(s->workloads[0].nr_cpus, 4);
	CHECK_EQ_U64(s->workloads[0].cpus[0], 0);
	CHECK_EQ_U64(s->workloads[0].cpus[2], 2);
	CHECK_EQ_U64(s->workloads[0].cpus[3], 7);
	CHECK_EQ_U64(s->workloads[1].nr_cpus, 2);
	CHECK_EQ_U64(s->workloads[1].cpus[0], 5);
	CHECK_EQ_U64(s->workloads[1].cpus[1], 4);
	CHECK_EQ_U64(s->workloads[1].start_ns, 10 * NSEC_PER_MSEC);
	CHECK_EQ_U64(s->workloads[2].nodemask, 2);
	CHECK_EQ_U64(s->workloads[3].nodemask, 3);
	CHECK_EQ_STR(((struct churn_params *)s->workloads[2].params)->label, "hello");
	CHECK_EQ_STR(((struct churn_params *)s->workloads[3].params)->label, "churn");
	CHECK_EQ_U64(((struct churn_params *)s->workloads[3].params)->maps, 10);
	scenario_destroy(s);
}

static void test_set_overrides_file_values(void)
{
	char *sets[] = {
		"vm.swappiness=5", "seed=9", "duration=2s", "machine.nodes=3",
		"transparent_hugepage.enabled=never", "costs.zero_4k=300ns",
		"workloads.w.size=2GiB", "workloads.w.threads=8", "workloads.w.cpus=1,3",
		"workloads.w.madvise.hugepage=on", "vm.swappiness=6",
	};
	struct scenario *s = load_ok("kernel: {vm.swappiness: 50}\nseed: 1\n"
				     "workloads:\n  - {type: sequential_touch, name: w, size: "
				     "1GiB}\n",
				     sets, ARRAY_SIZE(sets));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ_U64(s->kernel.vm.swappiness, 6);        /* the last --set wins */
	CHECK_EQ_U64(s->seed, 9);
	CHECK_EQ_U64(s->duration_ns, 2 * NSEC_PER_SEC);
	CHECK_EQ_U64(s->machine.nr_nodes, 3);
	CHECK_EQ_U64(s->machine.distance[2][0], 20);   /* default matrix follows --set nodes */
	CHECK_EQ_U64(s->machine.node_memory[2], 4ULL << 30);
	CHECK_EQ_U64(s->kernel.thp.enabled, THP_NEVER);
	CHECK_EQ_U64(s->costs.zero_4k_ns, 300);
	const struct touch_params *p = s->workloads[0].params;
	CHECK_EQ_U64(p->size, 2ULL << 30);
	CHECK(p->hugepage);
	CHECK_EQ_U64(s->workloads[0].threads, 8);
	CHECK_EQ_U64(s->workloads[0].nr_cpus, 2);
	CHECK_EQ_U64(s->workloads[0].cpus[1], 3);
	scenario_destroy(s);
}

static void test_set_errors_name_the_argument(void)
{
	char *sets[] = {
		"vm.swapines=3", "vm.swappiness=300", "novalue", "=3", "seed=",
		"machine.distances=[[10]]", "workloads.w.sizee=1", "workloads.x.size=1",
		"workloads.w=1", "workloads.w.type=trace", "workloads.w.cpus=0-99",
		"machine.memory_per_node=3MiB",
	};
	CHECK_ERRORS("workloads:\n  - {type: sequential_touch, name: w}\n", sets, ARRAY_SIZE(sets),
		     "--set vm.swapines=3: unknown knob \"vm.swapines\" (did you mean "
		     "\"vm.swappiness\"?)\n"
		     "--set vm.swappiness=300: 300 is out of range 0..200\n"
		     "--set novalue: expected key=value, like vm.swappiness=10\n"
		     "--set =3: expected key=value, like vm.swappiness=10\n"
		     "--set seed=: expected an integer 0..18446744073709551615, got \"\"\n"
		     "--set machine.distances=[[10]]: machine.distances cannot be set with --set: "
		     "write it in the scenario file\n"
		     "--set workloads.w.sizee=1: unknown parameter \"sizee\" of sequential_touch "
		     "(did you mean \"size\"?)\n"
		     "--set workloads.x.size=1: unknown workload \"x\" (workloads: w)\n"
		     "--set workloads.w=1: expected workloads.<name>.<parameter>=value\n"
		     "--set workloads.w.type=trace: the type of a workload cannot be changed with "
		     "--set\n"
		     "--set workloads.w.cpus=0-99: CPU 8 does not exist (the machine has 8 CPUs: "
		     "0-7)\n"
		     "--set machine.memory_per_node=3MiB: 3MiB is out of range 16MiB..16TiB\n");
	char *cross[] = { "machine.memory_per_node=4GB" };
	CHECK_ERRORS(WL, cross, 1, "--set machine.memory_per_node=4GB: 4GB is not a multiple of "
		     "2MiB\n");
}

static void test_relative_paths_resolve_against_the_scenario_directory(void)
{
	char dir[] = "/tmp/mmsim-test-config-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *sub = xasprintf("%s/traces", dir), *trace = xasprintf("%s/traces/a.mmtz", dir);
	char *scn = xasprintf("%s/s.yaml", dir);
	CHECK(mkdir(sub, 0700) == 0);
	FILE *f = fopen(trace, "w");
	fputs("x", f);
	fclose(f);
	f = fopen(scn, "w");
	fputs("workloads:\n  - type: trace\n    path: traces/a.mmtz\n    mode: open\n"
	      "  - type: trace\n    path: traces/missing.mmtz\n"
	      "  - type: trace\n    path: traces\n", f);
	fclose(f);

	struct diag *d = diag_create();
	CHECK(scenario_load(scn, &cat, NULL, 0, d) == NULL);
	char *errs = diag_format(d), *want = xasprintf(
		"%s:6:11: workloads[1].path: no such file: %s/traces/missing.mmtz\n"
		"%s:8:11: workloads[2].path: %s/traces is a directory, not a file\n",
		scn, dir, scn, dir);
	CHECK_EQ_STR(errs, want);
	free(errs);
	free(want);
	diag_destroy(d);

	/* only the good one, then --set paths are taken as written (relative to the cwd) */
	f = fopen(scn, "w");
	fputs("workloads:\n  - {type: trace, path: traces/a.mmtz, mode: open, name: t}\n", f);
	fclose(f);
	d = diag_create();
	struct scenario *s = scenario_load(scn, &cat, NULL, 0, d);
	CHECK(s != NULL);
	if (s) {
		const struct trace_params *p = s->workloads[0].params;
		CHECK_EQ_STR(p->path, trace);
		CHECK_EQ_U64(p->mode, 1);
		CHECK_EQ_STR(s->dir, dir);
		CHECK_EQ_STR(s->workloads[0].name, "t");
	}
	scenario_destroy(s);
	char *set = xasprintf("workloads.t.path=%s", trace);
	char *sets[] = { set, "workloads.t.path=traces/a.mmtz" };
	s = scenario_load(scn, &cat, sets, 1, d);
	CHECK(s && strcmp(((struct trace_params *)s->workloads[0].params)->path, trace) == 0);
	scenario_destroy(s);
	CHECK(scenario_load(scn, &cat, sets + 1, 1, d) == NULL);
	errs = diag_format(d);
	CHECK_EQ_STR(errs, "--set workloads.t.path=traces/a.mmtz: no such file: traces/a.mmtz\n");
	free(errs);
	diag_destroy(d);

	unlink(trace);
	unlink(scn);
	rmdir(sub);
	rmdir(dir);
	free(set);
	free(sub);
	free(trace);
	free(scn);
}

/* --- scenario: exact diagnostics --- */

static void test_missing_and_empty_inputs(void)
{
	CHECK_ERRORS("", NULL, 0,
		     "s.yaml:1:1: workloads: missing required field (a sequence of at least one "
		     "workload)\n");
	CHECK_ERRORS("# comment\nseed: 3\n", NULL, 0,
		     "s.yaml:2:1: workloads: missing required field (a sequence of at least one "
		     "workload)\n");
	CHECK_ERRORS("workloads: []\n", NULL, 0,
		     "s.yaml:1:12: workloads: expected a sequence of at least one workload, got an "
		     "empty sequence\n");
	CHECK_ERRORS("workloads:\n", NULL, 0,
		     "s.yaml:1:11: workloads: expected a sequence of at least one workload, got "
		     "nothing\n");
	CHECK_ERRORS("[1, 2]\n", NULL, 0,
		     "s.yaml:1:1: expected a mapping of top-level keys (seed, duration, machine, "
		     "kernel, variants, costs, engine, outputs, workloads), got a sequence\n");
	struct diag *d = diag_create();
	CHECK(scenario_load("/nonexistent/x.yaml", &cat, NULL, 0, d) == NULL);
	char *s = diag_format(d);
	CHECK_EQ_STR(s, "/nonexistent/x.yaml: cannot open: No such file or directory\n");
	free(s);
	diag_destroy(d);
}

static void test_unknown_keys_suggest_the_closest(void)
{
	CHECK_ERRORS("machin: {nodes: 2}\n" WL, NULL, 0,
		     "s.yaml:1:1: unknown key \"machin\" (did you mean \"machine\"?)\n");
	CHECK_ERRORS("frobnicate: 1\n" WL, NULL, 0, "s.yaml:1:1: unknown key \"frobnicate\"\n");
	CHECK_ERRORS("worklods:\n  - type: sequential_touch\n", NULL, 0,
		     "s.yaml:1:1: unknown key \"worklods\" (did you mean \"workloads\"?)\n");
	CHECK_ERRORS("vm.swappiness: 1\n" WL, NULL, 0,
		     "s.yaml:1:1: unknown key \"vm.swappiness\" (it belongs in the \"kernel:\" "
		     "section)\n");
	CHECK_ERRORS("machine:\n  nodez: 2\n  swap: {sise: 1GiB}\n" WL, NULL, 0,
		     "s.yaml:2:3: unknown knob \"machine.nodez\" (did you mean "
		     "\"machine.nodes\"?)\n"
		     "s.yaml:3:10: unknown knob \"machine.swap.sise\" (did you mean "
		     "\"machine.swap.size\"?)\n");
	CHECK_ERRORS("kernel:\n  vm: {swapines: 1}\n  costs.zero_4k: 1ns\n  seed: 3\n" WL, NULL, 0,
		     "s.yaml:2:8: unknown knob \"vm.swapines\" (did you mean \"vm.swappiness\"?)\n"
		     "s.yaml:3:3: unknown knob \"costs.zero_4k\" (it belongs in the \"costs:\" "
		     "section)\n"
		     "s.yaml:4:3: unknown knob \"seed\" (it is a top-level key)\n");
	CHECK_ERRORS("costs:\n  zero4k: 1ns\n" WL, NULL, 0,
		     "s.yaml:2:3: unknown knob \"costs.zero4k\" (did you mean "
		     "\"costs.zero_4k\"?)\n");
}

static void test_wrong_shapes_are_reported(void)
{
	CHECK_ERRORS("machine: 4\nkernel: [1]\n" WL, NULL, 0,
		     "s.yaml:1:10: machine: expected a mapping of machine knobs, got a scalar\n"
		     "s.yaml:2:9: kernel: expected a mapping of kernel knobs, got a sequence\n");
	CHECK_ERRORS("machine:\n  nodes: [2]\n  swap: 3\n  cpus_per_node:\n  dma32: {a: 1}\n" WL,
		     NULL, 0,
		     "s.yaml:2:10: machine.nodes: expected an integer 1..64, got a sequence\n"
		     "s.yaml:3:9: machine.swap: expected a mapping of machine.swap.* knobs, got a "
		     "scalar\n"
		     "s.yaml:4:17: machine.cpus_per_node: expected an integer 1..256, got nothing\n"
		     "s.yaml:5:10: machine.dma32: expected true or false, got a mapping\n");
	CHECK_ERRORS("workloads:\n  - sequential_touch\n", NULL, 0,
		     "s.yaml:2:5: workloads[0]: expected a mapping with at least a \"type\", got a "
		     "scalar\n");
	CHECK_ERRORS("workloads:\n  - type: [a]\n    name: {x: 1}\n", NULL, 0,
		     "s.yaml:2:11: workloads[0].type: expected a workload type name, got a "
		     "sequence\n"
		     "s.yaml:3:11: workloads[0].name: expected a workload name, got a mapping\n");
	CHECK_ERRORS("workloads: {type: sequential_touch}\n", NULL, 0,
		     "s.yaml:1:12: workloads: expected a sequence of at least one workload, got a "
		     "mapping\n");
}

static void test_machine_checks(void)
{
	CHECK_ERRORS("machine: {nodes: 64, cpus_per_node: 17}\n" WL, NULL, 0,
		     "s.yaml:1:37: machine.cpus_per_node: 64 nodes x 17 CPUs per node = 1088 "
		     "CPUs, more than the 1024 supported\n");
	CHECK_ERRORS("machine: {nodes: 64}\n" WL, (char *[]){ "machine.cpus_per_node=32" }, 1,
		     "--set machine.cpus_per_node=32: 64 nodes x 32 CPUs per node = 2048 CPUs, "
		     "more "
		     "than the 1024 supported\n");
	CHECK_ERRORS("machine: {memory_per_node: 1023MiB, swap: {size: 4097}}\n" WL, NULL, 0,
		     "s.yaml:1:28: machine.memory_per_node: 1023MiB is not a multiple of 2MiB\n"
		     "s.yaml:1:50: machine.swap.size: 4097 is not a multiple of 4KiB\n");
	CHECK_ERRORS("machine:\n  swap: {size: 1GiB, read_bw: 0, write_bw: 0}\n" WL, NULL, 0,
		     "s.yaml:2:31: machine.swap.read_bw: must be more than 0 when there is swap "
		     "(machine.swap.size is 1GiB)\n"
		     "s.yaml:2:44: machine.swap.write_bw: must be more than 0 when there is swap "
		     "(machine.swap.size is 1GiB)\n");
	struct scenario *s = load_ok("machine:\n  swap: {read_bw: 0}\n" WL, NULL, 0);
	CHECK(s != NULL);                               /* no swap: bandwidth does not matter */
	scenario_destroy(s);
	CHECK_ERRORS("kernel: {vm.percpu_pagelist_high_fraction: 7}\n" WL, NULL, 0,
		     "s.yaml:1:44: vm.percpu_pagelist_high_fraction: must be 0 or at least 8, got "
		     "7\n");
	CHECK_ERRORS("machine: {nodes: x}\n" WL, NULL, 0,
		     "s.yaml:1:18: machine.nodes: expected an integer 1..64, got \"x\"\n");
}

static void test_distance_matrix_checks(void)
{
	CHECK_ERRORS("machine:\n  distances: [[10, 20], [20]]\n" WL, NULL, 0,
		     "s.yaml:2:25: machine.distances[1]: expected 2 distances (the matrix must be "
		     "square: it has 2 rows), got 1\n");
	CHECK_ERRORS("machine:\n  nodes: 2\n  distances: [[10]]\n" WL, NULL, 0,
		     "s.yaml:3:14: machine.distances: expected a 2x2 matrix (machine.nodes is 2), "
		     "got 1 rows\n");
	CHECK_ERRORS("machine:\n  distances: [[10, 20], [30, 10]]\n" WL, NULL, 0,
		     "s.yaml:2:26: machine.distances[1][0]: the matrix must be symmetric: [1][0] "
		     "is "
		     "30 but [0][1] is 20\n");
	CHECK_ERRORS("machine:\n  distances: [[12, 10], [255, x]]\n" WL, NULL, 0,
		     "s.yaml:2:16: machine.distances[0][0]: the distance of a node to itself must "
		     "be 10, got \"12\"\n"
		     "s.yaml:2:20: machine.distances[0][1]: expected a distance 11..254 between "
		     "two "
		     "nodes, got \"10\"\n"
		     "s.yaml:2:26: machine.distances[1][0]: expected a distance 11..254 between "
		     "two "
		     "nodes, got \"255\"\n"
		     "s.yaml:2:31: machine.distances[1][1]: the distance of a node to itself must "
		     "be 10, got \"x\"\n");
	CHECK_ERRORS("machine:\n  distances: 10\n" WL, NULL, 0,
		     "s.yaml:2:14: machine.distances: expected a matrix (a sequence of rows, one "
		     "per "
		     "node, like [[10, 20], [20, 10]]), got a scalar\n");
	CHECK_ERRORS("machine:\n  distances: [10, 20]\n" WL, NULL, 0,
		     "s.yaml:2:15: machine.distances[0]: expected a row of 2 distances, got a "
		     "scalar\n"
		     "s.yaml:2:19: machine.distances[1]: expected a row of 2 distances, got a "
		     "scalar\n");
	/* --set machine.nodes is checked against the file's matrix */
	CHECK_ERRORS("machine:\n  distances: [[10, 20], [20, 10]]\n" WL,
		     (char *[]){ "machine.nodes=3" }, 1,
		     "s.yaml:2:14: machine.distances: expected a 3x3 matrix (machine.nodes is 3), "
		     "got 2 rows\n");
	CHECK_ERRORS("machine:\n  node_memory: [1GiB, 3MiB, 17MiB, x]\n" WL, NULL, 0,
		     "s.yaml:2:23: machine.node_memory[1]: 3MiB is out of range 16MiB..16TiB\n"
		     "s.yaml:2:29: machine.node_memory[2]: 17MiB is not a multiple of 2MiB\n"
		     "s.yaml:2:36: machine.node_memory[3]: expected a size like 4KiB or 2MiB, got "
		     "\"x\"\n");
	CHECK_ERRORS("machine:\n  node_memory: [1GiB, 2GiB, 4GiB]\n" WL, NULL, 0,
		     "s.yaml:2:16: machine.node_memory: expected 2 sizes (machine.nodes is 2), got "
		     "3\n");
}

static void test_workload_checks(void)
{
	CHECK_ERRORS("workloads:\n  - type: sequentail_touch\n  - type: zzz\n  - size: 1\n",
		     NULL, 0,
		     "s.yaml:2:11: workloads[0].type: unknown workload type \"sequentail_touch\" "
		     "(did you mean \"sequential_touch\"?)\n"
		     "s.yaml:3:11: workloads[1].type: unknown workload type \"zzz\" (known types: "
		     "sequential_touch, mmap_churn, trace)\n"
		     "s.yaml:4:5: workloads[2]: missing required field \"type\"\n");
	CHECK_ERRORS("workloads:\n  - type: sequential_touch\n    sizee: 1\n    passes: 0\n"
		     "    write_ratio: 2\n    madvise: {hugepag: 1}\n    threads: 2000\n", NULL, 0,
		     "s.yaml:3:5: workloads[0]: unknown parameter \"sizee\" of sequential_touch "
		     "(did "
		     "you mean \"size\"?)\n"
		     "s.yaml:4:13: workloads[0].passes: 0 is out of range 1..1000\n"
		     "s.yaml:5:18: workloads[0].write_ratio: 2 is out of range 0..1\n"
		     "s.yaml:6:15: workloads[0]: unknown parameter \"madvise.hugepag\" of "
		     "sequential_touch (did you mean \"madvise.hugepage\"?)\n"
		     "s.yaml:7:14: workloads[0].threads: 2000 is out of range 1..1024\n");
	CHECK_ERRORS("workloads:\n  - {type: sequential_touch, name: a}\n"
		     "  - {type: mmap_churn, name: a}\n  - {type: trace, path: /dev/null}\n"
		     "  - {type: sequential_touch, name: trace}\n"
		     "  - {type: mmap_churn, name: 'bad.name'}\n", NULL, 0,
		     "s.yaml:3:30: workloads[1].name: duplicate workload name \"a\" (also the name "
		     "of workloads[0])\n"
		     "s.yaml:5:36: workloads[3].name: duplicate workload name \"trace\" (also "
		     "the name of workloads[2])\n"
		     "s.yaml:6:30: workloads[4].name: invalid workload name \"bad.name\": use "
		     "letters, digits and _ - + #\n");
	CHECK_ERRORS("workloads:\n  - type: sequential_touch\n    cpus: [0, 8, 3, 3, x]\n"
		     "  - type: sequential_touch\n    cpus: 6-12\n    nodes: 2\n"
		     "  - type: sequential_touch\n    nodes: 0-\n"
		     "  - type: sequential_touch\n    cpus: []\n", NULL, 0,
		     "s.yaml:3:24: workloads[0].cpus: expected a CPU number, got \"x\"\n"
		     "s.yaml:5:11: workloads[1].cpus: CPU 8 does not exist (the machine has 8 "
		     "CPUs: "
		     "0-7)\n"
		     "s.yaml:6:12: workloads[1].nodes: give either cpus or nodes, not both\n"
		     "s.yaml:6:12: workloads[1].nodes: node 2 does not exist (the machine has 2 "
		     "nodes: 0-1)\n"
		     "s.yaml:8:12: workloads[2].nodes: expected a node list like 0-3,8 or a "
		     "sequence "
		     "of node numbers, got \"0-\"\n"
		     "s.yaml:10:11: workloads[3].cpus: expected at least one CPU\n");
	CHECK_ERRORS("workloads:\n  - type: sequential_touch\n    cpus: [0, 3, 3]\n", NULL, 0,
		     "s.yaml:3:18: workloads[0].cpus: CPU 3 is listed twice\n");
	CHECK_ERRORS("workloads:\n  - type: trace\n    mode: open\n", NULL, 0,
		     "s.yaml:2:5: workloads[0]: missing required parameter \"path\" of trace\n");
	CHECK_ERRORS("machine: {nodes: 1, cpus_per_node: 1}\n"
		     "workloads:\n  - {type: sequential_touch, cpus: 1}\n", NULL, 0,
		     "s.yaml:3:36: workloads[0].cpus: CPU 1 does not exist (the machine has 1 CPU: "
		     "0)\n");
}

static void test_several_errors_all_reported_in_file_order(void)
{
	char *sets[] = { "vm.swappiness=abc" };
	CHECK_ERRORS("machine:\n"
		     "  memory_per_node: 3001MiB\n"
		     "  nodes: 0\n"
		     "kernel:\n"
		     "  vm.swappiness: 300\n"
		     "  transparent_hugepage.enabled: sometimes\n"
		     "workloads:\n"
		     "  - type: sequential_touch\n"
		     "    think: 10\n",
		     sets, 1,
		     "s.yaml:2:20: machine.memory_per_node: 3001MiB is not a multiple of 2MiB\n"
		     "s.yaml:3:10: machine.nodes: 0 is out of range 1..64\n"
		     "s.yaml:5:18: vm.swappiness: 300 is out of range 0..200\n"
		     "s.yaml:6:33: transparent_hugepage.enabled: expected one of "
		     "always|madvise|never, "
		     "got \"sometimes\"\n"
		     "s.yaml:9:12: workloads[0].think: expected a time like 100ns, 5us or 10ms, "
		     "got "
		     "\"10\": missing unit (ns, us, ms, s)\n"
		     "--set vm.swappiness=abc: expected an integer 0..200, got \"abc\"\n");
}

static void test_load_leaves_earlier_diagnostics_alone(void)
{
	struct diag *d = diag_create();
	diag_at(d, "other", 1, 1, NULL, "an earlier error");
	struct scenario *s = scenario_load_string("s.yaml", WL, &cat, NULL, 0, d);
	CHECK(s != NULL);                               /* its own input was fine */
	CHECK_EQ_U64(diag_count(d), 1);
	scenario_destroy(s);
	scenario_destroy(NULL);
	diag_destroy(d);
}

int main(void)
{
	RUN_TEST(test_yaml_nodes_carry_1_based_positions);
	RUN_TEST(test_yaml_nulls_and_kinds_read_as_words);
	RUN_TEST(test_yaml_syntax_errors_are_located);
	RUN_TEST(test_yaml_rejects_duplicates_anchors_aliases_and_complex_keys);
	RUN_TEST(test_yaml_empty_inputs_have_no_root);
	RUN_TEST(test_yaml_deep_nesting_is_refused);
	RUN_TEST(test_yaml_missing_file_and_directory);
	RUN_TEST(test_diag_sorts_by_position_then_insertion);
	RUN_TEST(test_diag_prints_at_most_20_then_a_count);
	RUN_TEST(test_diag_quote_escapes_and_truncates);
	RUN_TEST(test_scenario_values_after_parsing);
	RUN_TEST(test_defaults_apply_to_a_minimal_scenario);
	RUN_TEST(test_nested_dotted_and_top_level_forms_name_the_same_knob);
	RUN_TEST(test_empty_sections_are_fine);
	RUN_TEST(test_distances_and_node_memory);
	RUN_TEST(test_workloads_names_placement_and_params);
	RUN_TEST(test_set_overrides_file_values);
	RUN_TEST(test_set_errors_name_the_argument);
	RUN_TEST(test_relative_paths_resolve_against_the_scenario_directory);
	RUN_TEST(test_missing_and_empty_inputs);
	RUN_TEST(test_unknown_keys_suggest_the_closest);
	RUN_TEST(test_wrong_shapes_are_reported);
	RUN_TEST(test_machine_checks);
	RUN_TEST(test_distance_matrix_checks);
	RUN_TEST(test_workload_checks);
	RUN_TEST(test_several_errors_all_reported_in_file_order);
	RUN_TEST(test_load_leaves_earlier_diagnostics_alone);
	RUN_TEST(test_garbage_never_crashes);
	return check_summary();
}
