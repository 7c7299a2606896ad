/* test_html.c - the HTML report's pieces: escaping, the all-or-nothing file writer, the
 * gnuplot look-up, and a page from a hand-made out dir (two lock classes whose log2 wait
 * histograms give known p50/p90/p99, no series files): the table rows, the percentiles,
 * the notes for what the out dir lacks, and the private temp dir gone afterwards. */
// LINK: mmsim_analysis
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "types.h"
#include "analysis/html.h"

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	unsigned n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	html_esc(f, "&mm->mmap_lock <\"x\"> 'y'");
	fclose(f);
	CHECK_EQ_STR(buf, "&amp;mm-&gt;mmap_lock &lt;&quot;x&quot;&gt; &#39;y&#39;");
	free(buf);
}

static int write_ok(void *arg, FILE *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	fputs(arg, f);
	return 0;
}

static int write_fail(void *arg, FILE *f, char *err, size_t errlen)
{
	fputs(arg, f);
	snprintf(err, errlen, "half way");
	return 2;
}

static void test_write_file(const char *dir)
{
	char *path = xasprintf("%s/page.html", dir);
	char err[256] = "";
	CHECK_EQ_S64(html_write_file(path, write_ok, "old", err, sizeof(err)), 0);
	CHECK_EQ_STR(read_all(path), "old");
	/* a failing writer leaves the old file as it was and no temp file */
	CHECK_EQ_S64(html_write_file(path, write_fail, "partial", err, sizeof(err)), 2);
	CHECK_EQ_STR(err, "half way");
	CHECK_EQ_STR(read_all(path), "old");
	CHECK_EQ_U64(entries(dir), 1);
	unlink(path);
	/* a directory that does not exist: status 1, nothing written */
	char *bad = xasprintf("%s/none/page.html", dir);
	CHECK_EQ_S64(html_write_file(bad, write_ok, "x", err, sizeof(err)), 1);
	CHECK_CONTAINS(err, "none/page.html: cannot write: No such file or directory");
	CHECK_EQ_U64(entries(dir), 0);
	free(bad);
	free(path);
}

static void test_no_gnuplot(void)
{
	char err[512] = "";
	setenv("MMSIM_GNUPLOT", "no-such-gnuplot", 1);
	CHECK(gplot_open(err, sizeof(err)) == NULL);
	CHECK_EQ_STR(err, "gnuplot (no-such-gnuplot) not found: the HTML report draws its plots "
			  "with gnuplot (Debian: apt-get install gnuplot-nox)");
	setenv("MMSIM_GNUPLOT", "/nonexistent/gnuplot", 1);
	CHECK(gplot_open(err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "gnuplot (/nonexistent/gnuplot) not found");
	unsetenv("MMSIM_GNUPLOT");
}

/* A class with 10 contentions: 5 waits in [8,16) ns, 4 in [32,64), 1 in [1024,2048): p50
 * is at most 16 ns, p90 64, p99 2048. The other class has no contention. */
static void test_report(const char *dir)
{
	char *od = xasprintf("%s/out", dir), *tmp = xasprintf("%s/tmp", dir);
	mkdir(od, 0777);
	mkdir(tmp, 0777);
	char *p = xasprintf("%s/summary.json", od);
	write_file(p, "{\"schema_version\": 2, \"mmsim_version\": \"0.1.0\", \"simulated_ns\": "
		      "2000000, \"scenario\": {\"path\": \"x.yaml\", \"seed\": \"3\"}, "
		      "\"metrics\": {\"vmstat\": {\"pgfault\": 12, \"pswpin\": 0}}}\n");
	free(p);
	p = xasprintf("%s/lock_classes.csv", od);
	FILE *f = fopen(p, "w");
	fprintf(f, "class,type,acquisitions,contentions,wait_total_ns,wait_min_ns,wait_max_ns,"
		   "hold_total_ns,hold_min_ns,hold_max_ns,acq_bounces,con_bounces,"
		   "cross_node_bounces,trylock_failures");
	for (int i = 0; i < 48; i++)
		fprintf(f, ",wait_hist_2^%d", i);
	fprintf(f, "\n\"&zone->lock\",spinlock,40,10,1500,9,1100,4000,1,300,7,5,2,0");
	for (int i = 0; i < 48; i++)
		fprintf(f, ",%d", i == 3 ? 5 : i == 5 ? 4 : i == 10 ? 1 : 0);
	fprintf(f, "\nquiet_lock,mutex,3,0,0,0,0,30,10,10,0,0,0,0");
	for (int i = 0; i < 48; i++)
		fprintf(f, ",0");
	fprintf(f, "\n");
	fclose(f);
	free(p);
	setenv("TMPDIR", tmp, 1);
	char *buf = NULL;
	size_t len = 0;
	f = open_memstream(&buf, &len);
	char err[512] = "";
	int rc = html_report(od, f, err, sizeof(err));
	fclose(f);
	CHECK_EQ_S64(rc, 0);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_U64(entries(tmp), 0);           /* the private temp dir is gone */
	CHECK_CONTAINS(buf, "<title>mmsim report: x.yaml</title>");
	CHECK_CONTAINS(buf, "<tr><td>&amp;zone-&gt;lock</td><td>spinlock</td>"
			    "<td class=\"n\" data-v=\"40\">40</td><td class=\"n\" data-v=\"10\">10</td>"
			    "<td class=\"n\" data-v=\"25\">25.00</td>"
			    "<td class=\"n\" data-v=\"1500\">1&#8201;500</td>"
			    "<td class=\"n\" data-v=\"150\">150</td>"
			    "<td class=\"n\" data-v=\"1100\">1&#8201;100</td>"
			    "<td class=\"n\" data-v=\"16\">16</td><td class=\"n\" data-v=\"64\">64</td>"
			    "<td class=\"n\" data-v=\"2048\">2&#8201;048</td>"
			    "<td class=\"n\" data-v=\"4000\">4&#8201;000</td>"
			    "<td class=\"n\" data-v=\"100\">100</td>");
	/* the quiet class: no wait, so no percentile */
	CHECK_CONTAINS(buf, "<tr><td>quiet_lock</td><td>mutex</td>");
	CHECK_CONTAINS(buf, "<td class=\"n\" data-v=\"\">-</td><td class=\"n\" data-v=\"\">-</td>"
			    "<td class=\"n\" data-v=\"\">-</td><td class=\"n\" data-v=\"30\">30</td>");
	/* the ranking: the contended class first */
	CHECK(strstr(buf, "&amp;zone-&gt;lock</td>") < strstr(buf, "quiet_lock</td>"));
	/* one plot: the histogram, with its one class */
	CHECK_CONTAINS(buf, "<figure class=\"plot\" id=\"plot-wait-hist\">");
	CHECK_CONTAINS(buf, "<title>&amp;zone->lock (spinlock)</title>");  /* gnuplot's escaping */
	CHECK(strstr(buf, "<figure class=\"plot\" id=\"plot-contention-time\"") == NULL);
	CHECK_CONTAINS(buf, "No <code>locks.csv</code> series in this out dir");
	CHECK_CONTAINS(buf, "No <code>buddyinfo.csv</code> series in this out dir");
	CHECK_CONTAINS(buf, "No <code>hugetlb.csv</code> series in this out dir.");
	/* vmstat: the counter that is not zero */
	CHECK_CONTAINS(buf, "<tr><td>pgfault</td><td class=\"n\" data-v=\"12\">12</td></tr>");
	CHECK(strstr(buf, "<td>pswpin</td>") == NULL);
	free(buf);
	/* another schema version is refused */
	p = xasprintf("%s/summary.json", od);
	write_file(p, "{\"schema_version\": 3}");
	f = fopen("/dev/null", "w");
	CHECK_EQ_S64(html_report(od, f, err, sizeof(err)), 2);
	fclose(f);
	CHECK_CONTAINS(err, "/out/summary.json: schema_version 3: this mmsim reads version 2");
	unlink(p);
	free(p);
	p = xasprintf("%s/lock_classes.csv", od);
	unlink(p);
	free(p);
	rmdir(od);
	rmdir(tmp);
	unsetenv("TMPDIR");
	free(od);
	free(tmp);
}

int main(void)
{
	char tmpl[] = "/tmp/test_html.XXXXXX";
	const char *dir = mkdtemp(tmpl);
	if (!dir)
		return 1;
	RUN_TEST(test_escape);
	test_write_file(dir);
	RUN_TEST(test_no_gnuplot);
	test_report(dir);
	rmdir(dir);
	return check_summary();
}
