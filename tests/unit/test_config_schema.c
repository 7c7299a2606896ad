// LINK: mmsim_config
/* test_config_schema.c - knob tables: every scenario knob's row, defaults, parse
 * messages, formatting round trips, "did you mean", `mmsim knobs` layout. */
#define _GNU_SOURCE
#include <stdlib.h>
#include "check.h"
#include "config/scenario.h"
#include "config/schema.h"

static struct scenario *defaults(void)
{
	struct scenario *s = xcalloc(1, sizeof(*s));
	knob_set_defaults(scenario_knobs(), s);
	return s;
}

static void test_every_scenario_knob_row_is_valid(void)
{
	char err[512] = "";
	CHECK(knob_table_validate(scenario_knobs(), err, sizeof(err)) == 0);
	CHECK_EQ_STR(err, "");
	CHECK(knob_table_validate(workload_common_knobs(), err, sizeof(err)) == 0);
	CHECK_EQ_STR(err, "");
}

static void test_every_default_parses_within_range_and_round_trips(void)
{
	const struct knob_table *t = scenario_knobs();
	struct scenario *a = xcalloc(1, sizeof(*a)), *b = xcalloc(1, sizeof(*b));
	char err[512], buf[256];

	for (size_t i = 0; i < t->nr; i++) {
		const struct knob *k = &t->rows[i];
		CHECK(k->def != NULL);
		CHECK_(knob_parse(k, k->def, a, err, sizeof(err)) == 0, "%s: %s", k->name, err);
		knob_format(k, a, buf, sizeof(buf));
		CHECK_(knob_parse(k, buf, b, err, sizeof(err)) == 0, "%s: %s", k->name, err);
		CHECK_(memcmp((char *)a + k->offset, (char *)b + k->offset, k->size) == 0,
		       "%s: %s formats as %s, which reads back differently", k->name, k->def, buf);
	}
	free(a);
	free(b);
}

static void test_defaults_have_the_documented_values(void)
{
	struct scenario *s = defaults();

	CHECK_EQ_U64(s->seed, 1);
	CHECK_EQ_U64(s->duration_ns, 0);
	CHECK_EQ_U64(s->machine.nr_nodes, 2);
	CHECK_EQ_U64(s->machine.cpus_per_node, 4);
	CHECK_EQ_U64(s->machine.memory_per_node, 4ULL << 30);
	CHECK(!s->machine.dma32);
	CHECK_EQ_U64(s->machine.swap.size, 0);
	CHECK_EQ_U64(s->machine.swap.read_bw, 500ULL << 20);
	CHECK_EQ_U64(s->machine.swap.write_bw, 250ULL << 20);
	CHECK_EQ_U64(s->machine.swap.latency_ns, 100000);
	CHECK_EQ_U64(s->kernel.vm.min_free_kbytes, 0);
	CHECK_EQ_U64(s->kernel.vm.watermark_scale_factor, 10);
	CHECK_EQ_U64(s->kernel.vm.watermark_boost_factor, 15000);
	CHECK_EQ_U64(s->kernel.vm.zone_reclaim_mode, 0);
	CHECK_EQ_U64(s->kernel.vm.swappiness, 60);
	CHECK_EQ_U64(s->kernel.vm.page_cluster, 3);
	CHECK_EQ_U64(s->kernel.vm.extfrag_threshold, 500);
	CHECK_EQ_U64(s->kernel.vm.compaction_proactiveness, 20);
	CHECK_EQ_U64(s->kernel.vm.percpu_pagelist_high_fraction, 0);
	CHECK_EQ_U64(s->kernel.vm.overcommit_memory, 0);
	CHECK_EQ_U64(s->kernel.vm.nr_hugepages, 0);
	CHECK_EQ_U64(s->kernel.vm.nr_overcommit_hugepages, 0);
	CHECK_EQ_U64(s->kernel.thp.enabled, THP_MADVISE);
	CHECK_EQ_U64(s->kernel.thp.defrag, THP_DEFRAG_MADVISE);
	CHECK_EQ_U64(s->kernel.khugepaged.max_ptes_none, 511);
	CHECK_EQ_U64(s->kernel.khugepaged.max_ptes_swap, 64);
	CHECK_EQ_U64(s->kernel.khugepaged.max_ptes_shared, 256);
	CHECK_EQ_U64(s->kernel.khugepaged.pages_to_scan, 4096);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 10000 * NSEC_PER_MSEC);
	CHECK_EQ_U64(s->kernel.khugepaged.alloc_sleep_ns, 60000 * NSEC_PER_MSEC);
	CHECK(s->kernel.khugepaged.defrag);
	CHECK_EQ_U64(s->variants.page_alloc_grouping, GROUPING_MOBILITY);
	CHECK_EQ_U64(s->costs.syscall_entry_ns, 100);
	CHECK_EQ_U64(s->costs.fault_entry_ns, 1000);
	CHECK_EQ_U64(s->costs.zero_4k_ns, 250);
	CHECK_EQ_U64(s->costs.zero_2m_ns, 120000);
	CHECK_EQ_U64(s->costs.copy_4k_ns, 350);
	CHECK_EQ_U64(s->costs.copy_2m_ns, 160000);
	CHECK_EQ_U64(s->costs.local_access_ns, 90);
	CHECK_EQ_U64(s->costs.atomic_local_ns, 20);
	CHECK_EQ_U64(s->costs.cacheline_bounce_ns, 60);
	CHECK_EQ_U64(s->costs.tlb_miss_4k_ns, 25);
	CHECK_EQ_U64(s->costs.tlb_miss_2m_ns, 15);
	CHECK_EQ_U64(s->costs.pte_update_ns, 20);
	CHECK_EQ_U64(s->costs.vma_op_ns, 200);
	CHECK_EQ_U64(s->costs.page_alloc_ns, 80);
	CHECK_EQ_U64(s->costs.context_switch_ns, 1500);
	CHECK_EQ_U64(s->engine.lookahead_ns, 0);
	CHECK_EQ_U64(s->outputs.sample_interval_ns, 10 * NSEC_PER_MSEC);
	free(s);
}

static void test_enum_name_tables_follow_the_enums(void)
{
	const struct knob_table *t = scenario_knobs();
	const struct knob *k = knob_find(t, "transparent_hugepage.defrag");
	CHECK_EQ_STR(k->enum_names[THP_DEFRAG_ALWAYS], "always");
	CHECK_EQ_STR(k->enum_names[THP_DEFRAG_DEFER], "defer");
	CHECK_EQ_STR(k->enum_names[THP_DEFRAG_DEFER_MADVISE], "defer+madvise");
	CHECK_EQ_STR(k->enum_names[THP_DEFRAG_MADVISE], "madvise");
	CHECK_EQ_STR(k->enum_names[THP_DEFRAG_NEVER], "never");
	k = knob_find(t, "transparent_hugepage.enabled");
	CHECK_EQ_STR(k->enum_names[THP_ALWAYS], "always");
	CHECK_EQ_STR(k->enum_names[THP_MADVISE], "madvise");
	CHECK_EQ_STR(k->enum_names[THP_NEVER], "never");
	k = knob_find(t, "variants.page_alloc.grouping");
	CHECK_EQ_STR(k->enum_names[GROUPING_MOBILITY], "mobility");
	CHECK_EQ_STR(k->enum_names[GROUPING_NONE], "none");
}

static void test_knob_find_is_exact(void)
{
	const struct knob_table *t = scenario_knobs();
	CHECK(knob_find(t, "vm.swappiness") != NULL);
	CHECK_EQ_STR(knob_find(t, "vm.page-cluster")->name, "vm.page-cluster");
	CHECK(knob_find(t, "vm.swappines") == NULL);
	CHECK(knob_find(t, "VM.SWAPPINESS") == NULL);
	CHECK(knob_find(t, "") == NULL);
	CHECK(knob_find(t, "machine") == NULL);
}

static void test_suggest_finds_typos_and_missing_prefixes(void)
{
	const struct knob_table *t = scenario_knobs();
	CHECK_EQ_STR(knob_suggest(t, "vm.swapines"), "vm.swappiness");
	CHECK_EQ_STR(knob_suggest(t, "vm.swapiness"), "vm.swappiness");
	CHECK_EQ_STR(knob_suggest(t, "VM.SWAPPINESS"), "vm.swappiness");
	CHECK_EQ_STR(knob_suggest(t, "swappiness"), "vm.swappiness");
	CHECK_EQ_STR(knob_suggest(t, "machine.nodez"), "machine.nodes");
	CHECK_EQ_STR(knob_suggest(t, "vm.compaction_proactivness"), "vm.compaction_proactiveness");
	CHECK_EQ_STR(knob_suggest(t, "khugepaged.max_ptes_nnoe"), "khugepaged.max_ptes_none");
	CHECK_EQ_STR(knob_suggest(t, "vm.page_cluster"), "vm.page-cluster");
	CHECK_EQ_STR(knob_suggest(t, "costs.zero4k"), "costs.zero_4k");
	CHECK(knob_suggest(t, "frobnicate") == NULL);
	CHECK(knob_suggest(t, "") == NULL);
	CHECK(knob_suggest(t, "vm.swappiness") == NULL);      /* exact names suggest nothing */
}

static void test_suggest_closest_over_any_list(void)
{
	static const char *const names[] = { "machine", "kernel", "costs", "workloads" };
	CHECK_EQ_STR(suggest_closest("machin", names, 4), "machine");
	CHECK_EQ_STR(suggest_closest("Kernel", names, 4), "kernel");
	CHECK_EQ_STR(suggest_closest("cost", names, 4), "costs");
	CHECK_EQ_STR(suggest_closest("workload", names, 4), "workloads");
	CHECK_EQ_STR(suggest_closest("wrokloads", names, 4), "workloads");
	CHECK(suggest_closest("zzz", names, 4) == NULL);
	CHECK(suggest_closest("x", names, 0) == NULL);
}

static const char *parse_msg(const char *name, const char *text)
{
	static char err[512];
	struct scenario *s = defaults();
	const struct knob *k = knob_find(scenario_knobs(), name);
	if (knob_parse(k, text, s, err, sizeof(err)) == 0)
		snprintf(err, sizeof(err), "OK");
	free(s);
	return err;
}

static void test_parse_messages_name_what_was_expected(void)
{
	CHECK_EQ_STR(parse_msg("machine.nodes", "two"), "expected an integer 1..64, got \"two\"");
	CHECK_EQ_STR(parse_msg("machine.nodes", "0"), "0 is out of range 1..64");
	CHECK_EQ_STR(parse_msg("machine.nodes", "-3"),
		     "expected an integer 1..64, got \"-3\": negative values are not allowed");
	CHECK_EQ_STR(parse_msg("machine.nodes", "99999999999999999999"),
		     "expected an integer 1..64, got \"99999999999999999999\": too large (the "
		     "limit "
		     "is 2^64-1)");
	CHECK_EQ_STR(parse_msg("machine.nodes", "2.0"), "expected an integer 1..64, got \"2.0\"");
	CHECK_EQ_STR(parse_msg("machine.memory_per_node", "8MiB"),
		     "8MiB is out of range 16MiB..16TiB");
	CHECK_EQ_STR(parse_msg("machine.memory_per_node", "lots"),
		     "expected a size like 4KiB or 2MiB, got \"lots\"");
	CHECK_EQ_STR(parse_msg("machine.swap.latency", "2s"), "2s is out of range 0..1s");
	CHECK_EQ_STR(parse_msg("engine.lookahead", "1001us"), "1001us is out of range 0..1ms");
	CHECK_EQ_STR(parse_msg("outputs.sample_interval", "0"), "0 is out of range 1us..1000s");
	CHECK_EQ_STR(parse_msg("machine.swap.read_bw", "2TiB/s"),
		     "2TiB/s is out of range 0..1TiB/s");
	CHECK_EQ_STR(parse_msg("machine.swap.read_bw", "1GiB"),
		     "expected a bandwidth like 500MiB/s or 2GB/s, got \"1GiB\": missing \"/s\" (a "
		     "bandwidth is a size per second)");
	CHECK_EQ_STR(parse_msg("machine.dma32", "maybe"), "expected true or false, got \"maybe\"");
	CHECK_EQ_STR(parse_msg("transparent_hugepage.enabled", "sometimes"),
		     "expected one of always|madvise|never, got \"sometimes\"");
	CHECK_EQ_STR(parse_msg("transparent_hugepage.enabled", "Always"),
		     "expected one of always|madvise|never, got \"Always\" (did you mean "
		     "\"always\"?)");
	CHECK_EQ_STR(parse_msg("variants.page_alloc.grouping", "mobilty"),
		     "expected one of mobility|none, got \"mobilty\" (did you mean \"mobility\"?)");
	CHECK_EQ_STR(parse_msg("khugepaged.scan_sleep_millisecs", "soon"),
		     "expected a number of milliseconds 0..4294967295, got \"soon\"");
	CHECK_EQ_STR(parse_msg("khugepaged.scan_sleep_millisecs", "4294967296"),
		     "4294967296 is out of range 0..4294967295");
	CHECK_EQ_STR(parse_msg("vm.swappiness", "6\n0"),
		     "expected an integer 0..200, got \"6\\n0\"");
	CHECK_EQ_STR(parse_msg("vm.swappiness", ""), "expected an integer 0..200, got \"\"");
}

static void test_bools_accept_the_usual_spellings(void)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "on", "1" };
	static const char *const no[] = { "false", "False", "no", "NO", "off", "0" };
	const struct knob *k = knob_find(scenario_knobs(), "machine.dma32");
	struct scenario *s = defaults();
	char err[256];
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		s->machine.dma32 = false;
		CHECK(knob_parse(k, yes[i], s, err, sizeof(err)) == 0 && s->machine.dma32);
		CHECK(knob_parse(k, no[i], s, err, sizeof(err)) == 0 && !s->machine.dma32);
	}
	CHECK(knob_parse(k, "2", s, err, sizeof(err)) < 0);
	CHECK(knob_parse(k, "y", s, err, sizeof(err)) < 0);
	free(s);
}

static void test_millisecond_knobs_store_nanoseconds(void)
{
	const struct knob *k = knob_find(scenario_knobs(), "khugepaged.scan_sleep_millisecs");
	struct scenario *s = defaults();
	char err[256], buf[64];
	CHECK(knob_parse(k, "100", s, err, sizeof(err)) == 0);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 100 * NSEC_PER_MSEC);
	knob_format(k, s, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "100");
	CHECK(knob_parse(k, "10s", s, err, sizeof(err)) == 0);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 10 * NSEC_PER_SEC);
	knob_format(k, s, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "10000");
	CHECK(knob_parse(k, "1500us", s, err, sizeof(err)) == 0);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 1500 * NSEC_PER_USEC);
	knob_format(k, s, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1500us");
	CHECK(knob_parse(k, "0", s, err, sizeof(err)) == 0);
	CHECK_EQ_U64(s->kernel.khugepaged.scan_sleep_ns, 0);
	free(s);
}

static const char *range_of(const char *name)
{
	static char buf[256];
	knob_describe_range(knob_find(scenario_knobs(), name), buf, sizeof(buf));
	return buf;
}

static void test_describe_range_reads_like_the_input(void)
{
	CHECK_EQ_STR(range_of("khugepaged.max_ptes_none"), "0..511");
	CHECK_EQ_STR(range_of("seed"), "0..18446744073709551615");
	CHECK_EQ_STR(range_of("machine.memory_per_node"), "16MiB..16TiB");
	CHECK_EQ_STR(range_of("engine.lookahead"), "0..1ms");
	CHECK_EQ_STR(range_of("outputs.sample_interval"), "1us..1000s");
	CHECK_EQ_STR(range_of("machine.swap.write_bw"), "0..1TiB/s");
	CHECK_EQ_STR(range_of("khugepaged.alloc_sleep_millisecs"), "0..4294967295");
	CHECK_EQ_STR(range_of("machine.dma32"), "true|false");
	CHECK_EQ_STR(range_of("transparent_hugepage.defrag"),
		     "always|defer|defer+madvise|madvise|never");
}

/* A table over a struct with every knob type, narrow integer fields and strings. */
struct every {
	bool b;
	u8 u8v;
	u16 u16v;
	unsigned u;
	u64 big;
	u64 size, time, bw, ms;
	double d;
	unsigned e;
	char *str;
	char *path;
};
static const char *const colors[] = { "red", "green", "blue", NULL };
static const struct knob every_rows[] = {
	KNOB_BOOL_OF(struct every, "b", b, "on", "a bool"),
	KNOB_UINT_OF(struct every, "u8", u8v, 0, 255, "255", "a byte"),
	KNOB_UINT_OF(struct every, "u16", u16v, 1, 65535, "300", "a short"),
	KNOB_UINT_OF(struct every, "u", u, 0, 10, "7", "an unsigned"),
	KNOB_U64_OF(struct every, "big", big, 0, UINT64_MAX, "18446744073709551615", "a u64"),
	KNOB_SIZE_OF(struct every, "size", size, 0, 1ULL << 40, "1.5MiB", "a size"),
	KNOB_TIME_OF(struct every, "time", time, 0, NSEC_PER_SEC, "1000ns", "a time"),
	KNOB_BW_OF(struct every, "bw", bw, 1, 1ULL << 40, "2GB/s", "a bandwidth"),
	KNOB_MSECS_OF(struct every, "ms", ms, 0, 1000, "250", "some ms"),
	KNOB_DOUBLE_OF(struct every, "d", d, -1, 1, "-0.25", "a double"),
	KNOB_ENUM_OF(struct every, "color", e, colors, "green", "an enum"),
	KNOB_STRING_OF(struct every, "str", str, "hello world", "a string"),
	KNOB_PATH_OF(struct every, "path", path, NULL, "a required file"),
};
static const struct knob_table every_table = { "test knob", every_rows, ARRAY_SIZE(every_rows) };

static void test_every_type_parses_formats_and_frees(void)
{
	struct every *e = xcalloc(1, sizeof(*e));
	char err[256], buf[256];
	const char *want[] = { "true", "255", "300", "7", "18446744073709551615", "1536KiB", "1us",
			       "2GB/s", "250", "-0.25", "green", "hello world", "" };

	CHECK(knob_table_validate(&every_table, err, sizeof(err)) == 0);
	knob_set_defaults(&every_table, e);
	CHECK(e->b);
	CHECK_EQ_U64(e->u8v, 255);
	CHECK_EQ_U64(e->u16v, 300);
	CHECK_EQ_U64(e->u, 7);
	CHECK_EQ_U64(e->big, UINT64_MAX);
	CHECK_EQ_U64(e->size, 1536 * 1024);
	CHECK_EQ_U64(e->time, 1000);
	CHECK_EQ_U64(e->bw, 2000000000ULL);
	CHECK_EQ_U64(e->ms, 250 * NSEC_PER_MSEC);
	CHECK(e->d == -0.25);
	CHECK_EQ_U64(e->e, 1);
	CHECK_EQ_STR(e->str, "hello world");
	CHECK(e->path == NULL);
	for (size_t i = 0; i < ARRAY_SIZE(every_rows); i++) {
		knob_format(&every_rows[i], e, buf, sizeof(buf));
		CHECK_EQ_STR(buf, want[i]);
	}
	CHECK(knob_parse(&every_rows[1], "256", e, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "256 is out of range 0..255");
	CHECK_EQ_U64(e->u8v, 255);                       /* a failed parse stores nothing */
	CHECK(knob_parse(&every_rows[9], "1.5", e, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "1.5 is out of range -1..1");
	CHECK(knob_parse(&every_rows[9], "half", e, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "expected a number -1..1, got \"half\"");
	CHECK(knob_parse(&every_rows[12], "", e, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "expected a file name, got \"\"");
	CHECK(knob_parse(&every_rows[12], "a/b.mmtz", e, err, sizeof(err)) == 0);
	CHECK(knob_parse(&every_rows[12], "c.mmtz", e, err, sizeof(err)) == 0);  /* frees a/b */
	CHECK_EQ_STR(e->path, "c.mmtz");
	CHECK(knob_parse(&every_rows[11], "", e, err, sizeof(err)) == 0);
	CHECK_EQ_STR(e->str, "");
	knob_free_strings(&every_table, e);
	CHECK(e->str == NULL && e->path == NULL);
	free(e);
}

struct bad {
	unsigned u;
	u8 small;
	char *s;
};

static void test_validate_rejects_broken_rows(void)
{
	char err[256];
	const struct knob dup[] = {
		KNOB_UINT_OF(struct bad, "x", u, 0, 9, "1", "one"),
		KNOB_UINT_OF(struct bad, "x", u, 0, 9, "1", "two"),
	};
	const struct knob wide[] = {
		KNOB_UINT_OF(struct bad, "small", small, 0, 300, "1", "byte"),
	};
	const struct knob baddef[] = { KNOB_UINT_OF(struct bad, "u", u, 0, 9, "10", "doc") };
	const struct knob wrongsize[] = { KNOB_U64_OF(struct bad, "u", u, 0, 9, "1", "doc") };
	const struct knob nodoc[] = { KNOB_UINT_OF(struct bad, "u", u, 0, 9, "1", "") };
	const struct knob_table t1 = { "t", dup, 2 }, t2 = { "t", wide, 1 };
	const struct knob_table t3 = { "t", baddef, 1 }, t4 = { "t", wrongsize, 1 };
	const struct knob_table t5 = { "t", nodoc, 1 };

	CHECK(knob_table_validate(&t1, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "t: two rows named x");
	CHECK(knob_table_validate(&t2, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "small: field size 1 does not fit type uint");
	CHECK(knob_table_validate(&t3, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "u: default: 10 is out of range 0..9");
	CHECK(knob_table_validate(&t4, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "u: field size 4 does not fit type u64");
	CHECK(knob_table_validate(&t5, err, sizeof(err)) < 0);
	CHECK_EQ_STR(err, "u: doc must be one non-empty line");
}

static void test_knob_table_print_aligns_columns(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	knob_table_print(f, &every_table);
	fclose(f);
	CHECK_EQ_STR(buf,
		"NAME   TYPE       RANGE                    DEFAULT               DESCRIPTION\n"
		"b      bool       true|false               on                    a bool\n"
		"u8     uint       0..255                   255                   a byte\n"
		"u16    uint       1..65535                 300                   a short\n"
		"u      uint       0..10                    7                     an unsigned\n"
		"big    u64        0..18446744073709551615  18446744073709551615  a u64\n"
		"size   size       0..1TiB                  1.5MiB                a size\n"
		"time   time       0..1s                    1000ns                a time\n"
		"bw     bandwidth  1B/s..1TiB/s             2GB/s                 a bandwidth\n"
		"ms     msecs      0..1000                  250                   some ms\n"
		"d      double     -1..1                    -0.25                 a double\n"
		"color  enum       red|green|blue           green                 an enum\n"
		"str    string     text                     hello world           a string\n"
		"path   path       file                     (required)            a required "
		"file\n");
	free(buf);

	/* The scenario table: every line has its columns at the same offsets. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	knob_table_print(f, scenario_knobs());
	fclose(f);
	CHECK_CONTAINS(buf, "\nvm.swappiness                        uint       0..200");
	size_t lines = 0, type_col = strstr(buf, "TYPE") - buf;
	for (char *p = buf; *p; p = strchr(p, '\n') + 1, lines++)
		CHECK(p[type_col - 1] == ' ' && p[type_col - 2] == ' ' && p[type_col] != ' ');
	CHECK_EQ_U64(lines, scenario_knobs()->nr + 1);
	free(buf);
}

int main(void)
{
	RUN_TEST(test_every_scenario_knob_row_is_valid);
	RUN_TEST(test_every_default_parses_within_range_and_round_trips);
	RUN_TEST(test_defaults_have_the_documented_values);
	RUN_TEST(test_enum_name_tables_follow_the_enums);
	RUN_TEST(test_knob_find_is_exact);
	RUN_TEST(test_suggest_finds_typos_and_missing_prefixes);
	RUN_TEST(test_suggest_closest_over_any_list);
	RUN_TEST(test_parse_messages_name_what_was_expected);
	RUN_TEST(test_bools_accept_the_usual_spellings);
	RUN_TEST(test_millisecond_knobs_store_nanoseconds);
	RUN_TEST(test_describe_range_reads_like_the_input);
	RUN_TEST(test_every_type_parses_formats_and_frees);
	RUN_TEST(test_validate_rejects_broken_rows);
	RUN_TEST(test_knob_table_print_aligns_columns);
	return check_summary();
}
