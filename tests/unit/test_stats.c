// LINK: mmsim_stats
/* test_stats.c - the measurement plumbing: deterministic JSON bytes, findings
 * deduplication and order, sampler CSVs, and the out dir's atomic files. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "stats/findings.h"
#include "stats/json.h"
#include "stats/outdir.h"
#include "stats/sampler.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return xstrdup("<missing>");
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return xstrdup(buf);
}

static char *json_text(const struct json *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_write(j, f);
	fclose(f);
	return buf;
}

static void test_json_sorted_keys_escapes_and_number_formats(void)
{
	struct json *o = json_object();
	json_set_u64(o, "zeta", 18446744073709551615ULL);
	json_set(o, "alpha", json_s64(-3));
	json_set_double(o, "pi", 3.14159265);
	json_set_double(o, "nan", NAN);
	json_set_string(o, "s", "a\"b\\c\nd\x01");
	json_set(o, "t", json_bool(true));
	struct json *arr = json_array();
	json_push(arr, json_u64(1));
	json_push(arr, json_null());
	json_set(o, "list", arr);
	json_set(o, "empty", json_object());
	json_set_u64(json_child(o, "child"), "x", 7);
	json_set_u64(json_child(o, "child"), "x", 8);   /* set twice: the last value wins */
	char *t = json_text(o);
	CHECK_EQ_STR(t, "{\n"
			"  \"alpha\": -3,\n"
			"  \"child\": {\n"
			"    \"x\": 8\n"
			"  },\n"
			"  \"empty\": {},\n"
			"  \"list\": [\n"
			"    1,\n"
			"    null\n"
			"  ],\n"
			"  \"nan\": null,\n"
			"  \"pi\": 3.141593,\n"
			"  \"s\": \"a\\\"b\\\\c\\nd\\u0001\",\n"
			"  \"t\": true,\n"
			"  \"zeta\": 18446744073709551615\n"
			"}\n");
	free(t);
	json_free(o);
}

static void test_findings_dedup_order_and_text(void)
{
	struct findings *f = findings_create();
	finding_report(f, FINDING_OOM_KILL, 2000000000ULL, "killed %d", 7);
	finding_report(f, FINDING_LOCK_INVERSION, 5, "A->B\nB->A");
	finding_report(f, FINDING_OOM_KILL, 3000000000ULL, "killed %d", 7);
	CHECK_EQ_U64(findings_total(f), 3);
	CHECK_EQ_U64(findings_nr_distinct(f), 2);
	CHECK_EQ_U64(findings_count(f, FINDING_OOM_KILL), 2);
	CHECK_EQ_U64(findings_count(f, FINDING_DEADLOCK), 0);
	enum finding_type ty;
	u64 first, count;
	const char *msg;
	findings_get(f, 0, &ty, &first, &count, &msg);   /* earliest first */
	CHECK_EQ_U64(ty, FINDING_LOCK_INVERSION);
	CHECK_EQ_U64(first, 5);
	findings_get(f, 1, &ty, &first, &count, &msg);
	CHECK_EQ_U64(count, 2);
	CHECK_EQ_U64(first, 2000000000ULL);
	CHECK_EQ_STR(msg, "killed 7");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	findings_write(f, out);
	fclose(out);
	CHECK_EQ_STR(buf, "[0.000000005] lock_inversion: A->B\n    B->A\n"
			  "[2.000000000] oom_kill (x2): killed 7\n");
	free(buf);
	findings_destroy(f);
	CHECK_EQ_STR(finding_type_name(FINDING_RESV_DRIFT), "resv_drift");
}

static double probe_base;

static void probe_fn(void *arg, u64 now_ns, double *vals)
{
	(void)arg;
	vals[0] = (double)now_ns / 1000;
	vals[1] = probe_base + 0.5;
}

static void probe2_fn(void *arg, u64 now_ns, double *vals)
{
	(void)arg;
	(void)now_ns;
	vals[0] = 1.0 / 3;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* 40000 periodic ticks of 1 us: 32768 rows, then every other row kept (ticks 2, 4 ... 32768)
 * and every 2nd tick sampled: 16384 + 3616 = 20000 rows, times 2 us ... 40000 us; a
 * final sample is always taken. Host memory of idle time stops growing at the cap. */
static void test_sampler_thins_past_max_rows(void)
{
	struct sampler *s = sampler_create();
	static const char *const cols[] = { "us", "half" };
	sampler_add(s, "a.csv", cols, 2, probe_fn, NULL);
	for (u64 k = 1; k <= 40000; k++)
		if (sampler_periodic_due(s))
			sampler_tick(s, k * 1000);
	CHECK_EQ_U64(sampler_nr_samples(s), 20000);
	CHECK(sampler_value(s, "a.csv", "us", 0) == 2);
	CHECK(sampler_value(s, "a.csv", "us", 16383) == 32768);
	CHECK(sampler_value(s, "a.csv", "us", 16384) == 32770);
	CHECK(sampler_value(s, "a.csv", "us", 19999) == 40000);
	sampler_tick(s, 40001000);   /* the final sample */
	CHECK_EQ_U64(sampler_nr_samples(s), 20001);
	CHECK(sampler_value(s, "a.csv", "us", 20000) == 40001);
	sampler_destroy(s);
}

static void test_sampler_csv_and_outdir_atomic_files(void)
{
	char tmpl[] = "/tmp/mmsim-test-stats-XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL);
	char *path = xasprintf("%s/out/sub", dir);
	char err[256];
	struct outdir *od = outdir_create(path, err, sizeof(err));
	CHECK(od != NULL);

	struct sampler *s = sampler_create();
	static const char *const cols[] = { "us", "half" };
	static const char *const cols2[] = { "third" };
	sampler_add(s, "a.csv", cols, 2, probe_fn, NULL);
	sampler_add(s, "a.csv", cols2, 1, probe2_fn, NULL);
	probe_base = 1;
	sampler_tick(s, 1000);
	probe_base = 2;
	sampler_tick(s, 2000);
	sampler_tick(s, 2000);   /* final sample at the same time replaces the last */
	CHECK_EQ_U64(sampler_nr_samples(s), 2);
	CHECK(sampler_value(s, "a.csv", "half", 1) == 2.5);
	CHECK(isnan(sampler_value(s, "a.csv", "nope", 0)));
	CHECK_EQ_S64(sampler_write(s, od), 0);
	char *csv_path = xasprintf("%s/a.csv", path);
	char *csv = slurp(csv_path);
	CHECK_EQ_STR(csv, "time_ns,us,half,third\n1000,1,1.5,0.333333\n2000,2,2.5,0.333333\n");
	free(csv);
	free(csv_path);
	sampler_destroy(s);

	/* an aborted file leaves nothing; a file in a subdirectory appears when committed */
	FILE *f = outdir_open(od, "aborted.txt");
	fputs("partial", f);
	outdir_abort(od, f);
	f = outdir_open(od, "snapshots/0001-meminfo");
	fputs("MemTotal: 1 kB\n", f);
	char *snapdir = xasprintf("%s/snapshots", path);
	char *snap = xasprintf("%s/snapshots/0001-meminfo", path);
	CHECK_EQ_S64(count_entries(snapdir), 1);   /* the temporary file only */
	CHECK(access(snap, F_OK) != 0);
	CHECK_EQ_S64(outdir_commit(od, f), 0);
	CHECK_EQ_S64(count_entries(snapdir), 1);   /* renamed into place */
	free(snapdir);
	char *text = slurp(snap);
	CHECK_EQ_STR(text, "MemTotal: 1 kB\n");
	free(text);
	free(snap);
	/* a file left open is removed by outdir_destroy, never renamed into place */
	f = outdir_open(od, "left-open.txt");
	fputs("x", f);
	outdir_destroy(od);
	CHECK_EQ_S64(count_entries(path), 2);   /* a.csv and snapshots/ */
	char *left = xasprintf("%s/left-open.txt", path);
	CHECK(access(left, F_OK) != 0);
	free(left);

	/* a path through a regular file cannot be an out dir */
	char *file = xasprintf("%s/a.csv/x", path);
	CHECK(outdir_create(file, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "cannot create directory");
	free(file);
	char *cmd = xasprintf("rm -rf %s", dir);
	CHECK_EQ_S64(system(cmd), 0);
	free(cmd);
	free(path);
}

int main(void)
{
	RUN_TEST(test_json_sorted_keys_escapes_and_number_formats);
	RUN_TEST(test_findings_dedup_order_and_text);
	RUN_TEST(test_sampler_thins_past_max_rows);
	RUN_TEST(test_sampler_csv_and_outdir_atomic_files);
	return check_summary();
}
