// LINK: mmsim_traces
/* test_import_numa.c - the strace importer on the NUMA calls: set_mempolicy, mbind,
 * get_mempolicy, set_mempolicy_home_node, migrate_pages, move_pages (one op per page),
 * sched_setaffinity and reads of /sys/devices/system/node/nodeN/numastat decode to exact
 * ops, as strace 6.1 printed them on Linux 6.1.192 (tests/real/numa); masks wider than
 * 64 nodes, CPU sets beyond CPU 63, arrays strace cut short and unknown names are refused
 * with the file and line; the recorded logs import without an error and survive the
 * text -> binary -> text round trip. Run from the source root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "traces/mmt.h"
#include "traces/snapshot_file.h"

#define REAL "tests/real/numa/"

static char tmpdir[256];

static char *tmp_path(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Every op of a log as canonical .mmt lines joined by '\n'; then "ERROR: msg" when the
 * reader failed. */
static const char *ops_of(const char *path)
{
	static char all[1 << 16];
	char err[1024], line[1024];
	size_t o = 0;
	all[0] = '\0';
	struct trace_reader *r = trace_reader_open(path, TRACE_KIND_STRACE, NULL, err, sizeof(err));
	if (!r) {
		snprintf(all, sizeof(all), "OPEN: %s", err);
		return all;
	}
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0) {
		mmt_format_op(&op, line, sizeof(line));
		o += (size_t)snprintf(all + o, sizeof(all) - o, "%s\n", line);
	}
	if (rc < 0)
		snprintf(all + o, sizeof(all) - o, "ERROR: %s", trace_reader_error(r));
	trace_reader_close(r);
	return all;
}

static void test_numa_calls_decode_to_exact_ops(void)
{
	const char *p = tmp_path("numa.strace");
	spit(p,
	     "120   05:04:01.000000 sched_setaffinity(0, 128, [0]) = 0\n"
	     "120   05:04:01.000010 sched_setaffinity(121, 128, [0 2 63]) = 0\n"
	     "120   05:04:01.000020 sched_setaffinity(0, 8, [1, 3]) = -1 EINVAL (Invalid argument)\n"
	     "120   05:04:01.000030 openat(AT_FDCWD, \"/sys/devices/system/node/node2/numastat\", O_RDONLY) = 4\n"
	     "120   05:04:01.000040 pread64(4, \"numa_hit 11775\\nnuma_miss 0\\n\"..., 511, 0) = 94\n"
	     "120   05:04:01.000050 pread64(4, \"numa_hit 11791\\nnuma_miss 0\\n\"..., 511, 0) = 94\n"
	     "120   05:04:01.000060 set_mempolicy(MPOL_INTERLEAVE|MPOL_F_STATIC_NODES, [0x00000000000006], 5) = 0\n"
	     "120   05:04:01.000070 set_mempolicy(MPOL_PREFERRED, NULL, 5) = 0\n"
	     "120   05:04:01.000080 set_mempolicy(0x9 /* MPOL_??? */, [0x00000000000001], 5) = -1 EINVAL (Invalid argument)\n"
	     "120   05:04:01.000090 set_mempolicy(MPOL_PREFERRED, [0x00000000000002, 0000000000000000, 0000000000000000], 129) = 0\n"
	     "120   05:04:01.000100 set_mempolicy(MPOL_BIND|MPOL_F_RELATIVE_NODES, [0000000000000000], 5) = -1 EINVAL (Invalid argument)\n"
	     "120   05:04:01.000110 mbind(0x7e0000100000, 4096, MPOL_BIND, [0x00000000000001], 5, 0x8 /* MPOL_??? */) = -1 EINVAL (Invalid argument)\n"
	     "120   05:04:01.000120 mbind(0x7e0000120000, 32768, MPOL_BIND, [0x00000000000008], 5, MPOL_MF_STRICT|MPOL_MF_MOVE) = 0\n"
	     "120   05:04:01.000130 get_mempolicy([0x8003 /* MPOL_??? */], [0x00000000000006], 5, NULL, 0) = 0\n"
	     "120   05:04:01.000140 get_mempolicy([MPOL_PREFERRED], [0x0000000000000e], 5, 0x7e0000103000, MPOL_F_NODE|MPOL_F_ADDR) = 0\n"
	     "120   05:04:01.000150 get_mempolicy(0x7ffca6baa744, 0x7ffca6baa748, 5, 0x7e000010d000, MPOL_F_ADDR) = -1 EFAULT (Bad address)\n"
	     "120   05:04:01.000160 get_mempolicy([MPOL_DEFAULT], [0x0000000000000f], 5, NULL, MPOL_F_MEMS_ALLOWED) = 0\n"
	     "120   05:04:01.000170 set_mempolicy_home_node(0x7e0000050000, 32768, 3, 0) = 0\n"
	     "120   05:04:01.000180 set_mempolicy_home_node(0x7e0000050000, 32768, 1, 0x1) = -1 EINVAL (Invalid argument)\n"
	     "120   05:04:01.000190 migrate_pages(0, 5, [0x00000000000008], [0x00000000000002]) = 0\n"
	     "120   05:04:01.000200 migrate_pages(99999, 5, [0x00000000000008], [0x00000000000002]) = -1 ESRCH (No such process)\n"
	     "120   05:04:01.000210 move_pages(0, 3, [0x7e0000180000, 0x7e0000181000, 0x7e0000190000], [1, 2, 1], [1, 2, -EFAULT], MPOL_MF_MOVE) = 0\n"
	     "120   05:04:01.000220 move_pages(0, 2, [0x7e0000180000, 0x7e0000190000], NULL, [1, -EFAULT], 0) = 0\n"
	     "120   05:04:01.000230 move_pages(0, 1, [0x7e0000180000], [7], 0x7ffca6baa7cc, MPOL_MF_MOVE) = -1 ENODEV (No such device)\n"
	     "120   05:04:01.000240 move_pages(0, 2, [0x7e0000180000, 0x7e0000181000], NULL,  <unfinished ...>\n"
	     "121   05:04:01.000250 set_mempolicy(MPOL_LOCAL, NULL, 0) = 0\n"
	     "120   05:04:01.000260 <... move_pages resumed>[0, 3], 0) = 0\n"
	     "120   05:04:01.000270 move_pages(0, 0, [], NULL, [], 0) = 0\n"
	     "120   05:04:01.000280 close(4) = 0\n"
	     /* the kernel reads maxnode - 1 bits of the mask; strace prints whole words */
	     "120   05:04:01.000290 set_mempolicy(MPOL_BIND, [0x0000000000000f], 3) = 0\n"
	     "120   05:04:01.000300 mbind(0x7e0000100000, 4096, MPOL_BIND, [0x1, 0x1], 65, 0) = 0\n"
	     "120   05:04:01.000310 set_mempolicy(MPOL_BIND, [0x1], 0) = -1 EINVAL (Invalid argument)\n"
	     /* CPU ranges */
	     "120   05:04:01.000320 sched_setaffinity(0, 128, [0-2 5]) = 0\n");
	CHECK_EQ_STR(ops_of(p),
		     "0.000000000 120/120 sched_setaffinity nodemask=0x1 = 0\n"
		     "0.000010000 120/120 sched_setaffinity think=10000 nodemask=0x8000000000000005 id=121 = 0\n"
		     "0.000020000 120/120 sched_setaffinity think=10000 nodemask=0xa = -EINVAL\n"
		     /* the first read is the look; the second pread at 0 another */
		     "0.000040000 120/120 snapshot think=20000 file=numastat node=2\n"
		     "0.000050000 120/120 snapshot think=10000 file=numastat node=2\n"
		     "0.000060000 120/120 set_mempolicy think=10000 mode=interleave|f_static_nodes nodemask=0x6 = 0\n"
		     "0.000070000 120/120 set_mempolicy think=10000 mode=preferred = 0\n"
		     "0.000080000 120/120 set_mempolicy think=10000 mode=9 nodemask=0x1 = -EINVAL\n"
		     "0.000090000 120/120 set_mempolicy think=10000 mode=preferred nodemask=0x2 = 0\n"
		     "0.000100000 120/120 set_mempolicy think=10000 mode=bind|f_relative_nodes = -EINVAL\n"
		     "0.000110000 120/120 mbind think=10000 addr=0x7e0000100000 len=4096 flags=8 mode=bind nodemask=0x1 = -EINVAL\n"
		     "0.000120000 120/120 mbind think=10000 addr=0x7e0000120000 len=32768 flags=strict|move mode=bind nodemask=0x8 = 0\n"
		     "0.000130000 120/120 get_mempolicy think=10000 arg=32771 nodemask=0x6 = 0\n"
		     "0.000140000 120/120 get_mempolicy think=10000 addr=0x7e0000103000 flags=node|addr arg=1 nodemask=0xe = 0\n"
		     "0.000150000 120/120 get_mempolicy think=10000 addr=0x7e000010d000 flags=addr = -EFAULT\n"
		     "0.000160000 120/120 get_mempolicy think=10000 flags=mems_allowed nodemask=0xf = 0\n"
		     "0.000170000 120/120 set_mempolicy_home_node think=10000 addr=0x7e0000050000 len=32768 node=3 = 0\n"
		     "0.000180000 120/120 set_mempolicy_home_node think=10000 addr=0x7e0000050000 len=32768 flags=1 node=1 = -EINVAL\n"
		     "0.000190000 120/120 migrate_pages think=10000 len2=2 nodemask=0x8 = 0\n"
		     "0.000200000 120/120 migrate_pages think=10000 len2=2 nodemask=0x8 id=99999 = -ESRCH\n"
		     /* one op per page: target node, the page's status as result */
		     "0.000210000 120/120 move_pages think=10000 addr=0x7e0000180000 flags=move node=1 = 1\n"
		     "0.000210000 120/120 move_pages addr=0x7e0000181000 flags=move node=2 = 2\n"
		     "0.000210000 120/120 move_pages addr=0x7e0000190000 flags=move node=1 = -EFAULT\n"
		     /* a query: node -1 (not written) */
		     "0.000220000 120/120 move_pages think=10000 addr=0x7e0000180000 = 1\n"
		     "0.000220000 120/120 move_pages addr=0x7e0000190000 = -EFAULT\n"
		     /* the call failed: every page has its error */
		     "0.000230000 120/120 move_pages think=10000 addr=0x7e0000180000 flags=move node=7 = -ENODEV\n"
		     "0.000250000 121/121 set_mempolicy mode=local = 0\n"
		     /* joined halves keep the start time */
		     "0.000240000 120/120 move_pages think=10000 addr=0x7e0000180000 = 0\n"
		     "0.000240000 120/120 move_pages addr=0x7e0000181000 = 3\n"
		     "0.000290000 120/120 set_mempolicy think=50000 mode=bind nodemask=0x3 = 0\n"
		     "0.000300000 120/120 mbind think=10000 addr=0x7e0000100000 len=4096 mode=bind nodemask=0x1 = 0\n"
		     "0.000310000 120/120 set_mempolicy think=10000 mode=bind = -EINVAL\n"
		     "0.000320000 120/120 sched_setaffinity think=10000 nodemask=0x27 = 0\n");
}

/* One bad line after a good one: the good op comes out, then the error, exactly. */
static const char *first_error(const char *bad_line)
{
	static char text[2048];
	const char *p = tmp_path("bad.strace");
	snprintf(text, sizeof(text), "7 10:00:00.000000 set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0\n%s\n",
		 bad_line);
	spit(p, text);
	const char *all = ops_of(p);
	const char *want = "0.000000000 7/7 set_mempolicy = 0\n";
	if (strncmp(all, want, strlen(want)))
		return all;
	return all + strlen(want);
}

static void test_masks_beyond_64_nodes_and_cut_arrays_are_refused_with_the_line(void)
{
	char want[512];
#define BAD(line, msg)                                                                      \
	do {                                                                                \
		snprintf(want, sizeof(want), "ERROR: %s:2: %s", tmp_path("bad.strace"), msg); \
		CHECK_EQ_STR(first_error(line), want);                                      \
	} while (0)
	BAD("7 10:00:00.000010 set_mempolicy(MPOL_BIND, [0x00000000000001, 0x00000000000001], 129) = 0",
	    "set_mempolicy: nodemask has node 64 set; mmsim's ops carry nodes 0..63 only");
	BAD("7 10:00:00.000010 migrate_pages(0, 193, [0x1, 0000000000000000, 0000000000000000], [0x1, 0000000000000000, 0x4]) = 0",
	    "migrate_pages: new_nodes has node 130 set; mmsim's ops carry nodes 0..63 only");
	BAD("7 10:00:00.000010 mbind(0x7e0000100000, 4096, MPOL_BIND, [0x1, ...], 1025, 0) = 0",
	    "mbind: nodemask \"[0x1, ...]\" is cut short; record with a larger strace -s");
	BAD("7 10:00:00.000010 mbind(0x7e0000100000, 4096, MPOL_FROB, [0x1], 5, 0) = 0",
	    "mbind: mode \"MPOL_FROB\" is not a number or a name mmsim knows");
	BAD("7 10:00:00.000010 mbind(0x7e0000100000, 4096, MPOL_BIND, [0x1], 5, MPOL_MF_LAZY) = 0",
	    "mbind: flags \"MPOL_MF_LAZY\" is not a number or a name mmsim knows");
	BAD("7 10:00:00.000010 mbind(0x7e0000100000, 4096, MPOL_BIND, [0xz1], 5, 0) = 0",
	    "mbind: nodemask: word 0 \"0xz1\" is not a hex number");
	BAD("7 10:00:00.000010 get_mempolicy([MPOL_BIND], [0x1], 5, NULL, MPOL_F_FROB) = 0",
	    "get_mempolicy: flags \"MPOL_F_FROB\" is not a number or a name mmsim knows");
	BAD("7 10:00:00.000010 sched_setaffinity(0, 128, [0 64]) = 0",
	    "sched_setaffinity: CPU 64 in the set; mmsim's ops carry CPUs 0..63 only");
	BAD("7 10:00:00.000010 sched_setaffinity(0, 128, [0 x]) = 0",
	    "sched_setaffinity: CPU \"x\" is not a number or a range");
	BAD("7 10:00:00.000010 sched_setaffinity(0, 128, [3-1]) = 0",
	    "sched_setaffinity: CPU \"3-1\" is not a number or a range");
	BAD("7 10:00:00.000010 sched_setaffinity(0, 128, [60-70]) = 0",
	    "sched_setaffinity: CPU 70 in the set; mmsim's ops carry CPUs 0..63 only");
	BAD("7 10:00:00.000010 sched_setaffinity(0, 128, [0 ...]) = 0",
	    "sched_setaffinity: the CPU set is cut short; record with a larger strace -s");
	BAD("7 10:00:00.000010 move_pages(0, 4, [0x1000, 0x2000, ...], NULL, [0, 0, ...], 0) = 0",
	    "move_pages: the pages array lists fewer of 4 entries; record with a larger strace -s");
	BAD("7 10:00:00.000010 move_pages(0, 2, [0x1000, 0x2000], [1], [1, 1], MPOL_MF_MOVE) = 0",
	    "move_pages: the nodes array does not list 2 entries");
	BAD("7 10:00:00.000010 move_pages(0, 2, [0x1000, 0x2000], NULL, [0, -EFROB], 0) = 0",
	    "move_pages: status 1 \"-EFROB\" is not a node or -ERRNO");
	BAD("7 10:00:00.000010 move_pages(0, 2) = 0",
	    "move_pages: 2 arguments, expected 6");
#undef BAD
}

static void test_numastat_paths_name_the_node(void)
{
	s32 node;
	CHECK_EQ_S64(SNAPSHOT_NUMASTAT, 21);     /* part of the trace format */
	CHECK_EQ_STR(snapshot_file_name(SNAPSHOT_NUMASTAT), "numastat");
	CHECK(snapshot_file_per_node(SNAPSHOT_NUMASTAT));
	CHECK(!snapshot_file_per_node(SNAPSHOT_NUMA_MAPS));
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node3/numastat", &node),
		     SNAPSHOT_NUMASTAT);
	CHECK_EQ_S64(node, 3);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node12/numastat", &node),
		     SNAPSHOT_NUMASTAT);
	CHECK_EQ_S64(node, 12);
	CHECK_EQ_S64(snapshot_file_from_path("/sys/devices/system/node/node0/numastat"),
		     SNAPSHOT_NUMASTAT);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node03/numastat", &node), -1);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/nodeN/numastat", &node), -1);
	/* node meminfo and vmstat are snapshot files too (issue 14) */
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node1/meminfo", &node),
		     SNAPSHOT_NODE_MEMINFO);
	CHECK_EQ_S64(node, 1);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node2/vmstat", &node),
		     SNAPSHOT_NODE_VMSTAT);
	CHECK_EQ_S64(node, 2);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node1/hugepages", &node), -1);
	CHECK_EQ_S64(snapshot_file_from_path("/proc/1234/status"), SNAPSHOT_STATUS);
	CHECK_EQ_S64(snapshot_file_from_path("/proc/thread-self/smaps"), SNAPSHOT_SMAPS);
	CHECK_EQ_S64(snapshot_file_from_path("/proc/zoneinfo"), SNAPSHOT_ZONEINFO);
	CHECK_EQ_S64(snapshot_file_from_path_node("/sys/devices/system/node/node1/numastat/x", &node), -1);
	CHECK_EQ_S64(snapshot_file_from_path_node("/proc/self/numa_maps", &node), SNAPSHOT_NUMA_MAPS);
	CHECK_EQ_S64(node, -1);
}

/* strace log -> .mmt -> .mmtz -> .mmt: the same text. */
static int convert(const char *in, enum trace_kind from, const char *out)
{
	char err[1024];
	struct trace_reader *r = trace_reader_open(in, from, NULL, err, sizeof(err));
	if (!r)
		return -1;
	struct trace_writer *w = trace_writer_create(out, trace_kind_from_path(out), 4096, err,
						     sizeof(err));
	struct op op;
	int rc;
	while ((rc = trace_reader_next(r, &op)) > 0)
		trace_writer_put(w, &op, err, sizeof(err));
	trace_reader_close(r);
	if (rc < 0) {
		trace_writer_abort(w);
		return -1;
	}
	return trace_writer_finish(w, err, sizeof(err));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char *keep[2];
	static int k;
	char *b = calloc(1, 1 << 20);
	size_t n = fread(b, 1, (1 << 20) - 1, f);
	b[n] = 0;
	fclose(f);
	free(keep[k]);
	keep[k] = b;
	k = !k;
	return b;
}

static void test_recorded_logs_import_and_round_trip(void)
{
	static const struct {
		const char *name;
		u64 records, skipped, snapshots, move_pages;
	} logs[] = {
		{ "numa_policy", 223, 8, 81, 64 },
		{ "numa_mbind", 261, 11, 126, 74 },   /* its wait4, kill and SIGCHLD are ops */
		{ "numa_shared", 111, 8, 46, 24 },    /* and an fstat */
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		char path[256], err[1024];
		snprintf(path, sizeof(path), REAL "%s.strace", logs[i].name);
		struct trace_reader *r = trace_reader_open(path, TRACE_KIND_STRACE, NULL, err, sizeof(err));
		CHECK(r != NULL);
		if (!r)
			continue;
		struct op op;
		u64 n = 0, snaps = 0, mp = 0, nodes_seen = 0;
		int rc;
		while ((rc = trace_reader_next(r, &op)) > 0) {
			n++;
			snaps += op.type == OP_SNAPSHOT;
			mp += op.type == OP_MOVE_PAGES;
			if (op.type == OP_SNAPSHOT && op.arg == SNAPSHOT_NUMASTAT)
				nodes_seen |= 1ULL << op.node;
		}
		CHECK_EQ_S64(rc, 0);
		CHECK_EQ_U64(n, logs[i].records);
		CHECK_EQ_U64(trace_reader_info(r)->skipped, logs[i].skipped);
		CHECK_EQ_U64(snaps, logs[i].snapshots);
		CHECK_EQ_U64(mp, logs[i].move_pages);
		CHECK_EQ_U64(nodes_seen, 0xf);
		trace_reader_close(r);
		char *t1 = tmp_path("a.mmt"), *z = tmp_path("a.mmtz"), *t2 = tmp_path("b.mmt");
		CHECK_EQ_S64(convert(path, TRACE_KIND_STRACE, t1), 0);
		CHECK_EQ_S64(convert(t1, TRACE_KIND_AUTO, z), 0);
		CHECK_EQ_S64(convert(z, TRACE_KIND_AUTO, t2), 0);
		char *a = slurp(t1), *b = slurp(t2);
		CHECK(a && b && !strcmp(a, b));
	}
	/* two ops of the recorded logs, as the kernel answered */
	const char *all = ops_of(REAL "numa_mbind.strace");
	CHECK_CONTAINS(all, " move_pages addr=0x7e0000190000 flags=move node=1 = -EFAULT\n");
	CHECK_CONTAINS(all, " mbind think=");
	CHECK_CONTAINS(all, " addr=0x7e0000120000 len=32768 flags=strict mode=bind nodemask=0x8 = -EIO\n");
	CHECK_CONTAINS(all, " migrate_pages think=");
	CHECK_CONTAINS(all, " len2=2 nodemask=0x8 = 0\n");
	all = ops_of(REAL "numa_policy.strace");
	CHECK_CONTAINS(all, " sched_setaffinity think=");
	CHECK_CONTAINS(all, " nodemask=0x4 = 0\n");
	CHECK_CONTAINS(all, " get_mempolicy think=");
	CHECK_CONTAINS(all, " arg=16387 nodemask=0x5 = 0\n");
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_import_numa.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_numa_calls_decode_to_exact_ops);
	RUN_TEST(test_masks_beyond_64_nodes_and_cut_arrays_are_refused_with_the_line);
	RUN_TEST(test_numastat_paths_name_the_node);
	RUN_TEST(test_recorded_logs_import_and_round_trip);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
