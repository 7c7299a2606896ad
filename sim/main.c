/* main.c - the mmsim command line. Exit status: 0 success, 1 outputs could not be
 * written, 2 bad input (command line, scenario, trace), 3 host out of memory,
 * 4 the simulated kernel deadlocked (outputs written, with the finding), 5 (record) the
 * recorders could not run, 6 interrupted by SIGINT/SIGTERM/SIGHUP and 7 stopped by
 * --max-wall/--max-memory, 8 stopped by --check at a broken invariant (all three with
 * partial outputs, marked as such). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sweep.h"
#include "host_limits.h"
#include "analysis/compare.h"
#include "analysis/report.h"
#include "config/diag.h"
#include "config/scenario.h"
#include "config/schema.h"
#include "config/units.h"
#include "engine/engine.h"
#include "stats/outdir.h"
#include "workloads/workload.h"
#include "traces/trace_cli.h"
#include "traces/record.h"
#include "traces/mmt.h"

extern const char mmsim_default_scenario[];

#define EXIT_BAD_INPUT 2

static volatile sig_atomic_t stopping_once;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mmsim <command> [options]\n"
		"\n"
		"mmsim simulates Linux memory management on a NUMA machine and reports lock\n"
		"contention (/proc/lock_stat style) and fragmentation.\n"
		"\n"
		"Commands:\n"
		"  record [-o OUT.mmtz] [--sample-interval T] -- CMD [ARGS]\n"
		"                             run a program of yours under strace and perf: its\n"
		"                             system calls, every page fault of every thread, the\n"
		"                             mappings execve made, and samples of its real\n"
		"                             Rss/Anonymous/faults, merged into one trace to replay\n"
		"                             (mmsim record --help). The way to capture a program;\n"
		"                             a strace log alone has no page touches, a lackey log\n"
		"                             (with strace: trace convert --touches) has every\n"
		"                             access of a single-threaded program, slowly\n"
		"  run [SCENARIO] [options]   run a scenario (without SCENARIO: the built-in default,\n"
		"                             configs/default.yaml) and write the out dir\n"
		"  replay TRACE [--machine SCENARIO] [--mode closed|open] [--from KIND] [options of run]\n"
		"                             replay a trace (.mmt, .mmtz, strace or lackey log, or a\n"
		"                             directory of strace -ff LOG.PID files; --from forces the\n"
		"                             importer: strace, lackey, mmt, mmtz) on the\n"
		"                             machine and kernel settings of SCENARIO (default: the\n"
		"                             built-in one), in place of its workloads; its processes\n"
		"                             and threads are recreated with their fork tree. closed:\n"
		"                             each op follows the previous one plus its recorded think\n"
		"                             time, and a pipe read waits for the write it read,\n"
		"                             wait4 for the child's exit; open: ops are issued at\n"
		"                             their recorded times\n"
		"                             (lateness is reported). Snapshots the program took of\n"
		"                             /proc and /sys files go to DIR/snapshots/NNNN-<file>;\n"
		"                             its writes to tunables (nr_hugepages, compact_memory,\n"
		"                             drop_caches=1/2/3, transparent_hugepage/{enabled,defrag,\n"
		"                             use_zero_page,khugepaged/*}, mempolicy/\n"
		"                             weighted_interleave/nodeN) and prctl(PR_SET_THP_DISABLE)\n"
		"                             act on the simulated kernel; its NUMA calls (mbind,\n"
		"                             set/get_mempolicy, migrate_pages, move_pages,\n"
		"                             sched_setaffinity) too, and so do its file syncs (fsync,\n"
		"                             fdatasync, msync, sync_file_range, sync, syncfs) and\n"
		"                             /proc/sys/vm/dirty_* writes, and mlock, mlock2,\n"
		"                             munlock, mlockall, munlockall (stat_refresh is accepted:\n"
		"                             mmsim's counters have no per-CPU part). /proc/zoneinfo,\n"
		"                             /proc/PID/status and smaps, a node's meminfo/vmstat are\n"
		"                             snapshots too. report.md and stderr list the results\n"
		"                             that differ from the recorded ones (source line, call,\n"
		"                             cause if known). File sizes seen by fstat, lseek,\n"
		"                             pread/preadv and fadvise64 drive the page cache (files\n"
		"                             that existed read from the machine.bdi device).\n"
		"                             threads.csv: per thread pages\n"
		"                             touched, faults, SIGSEGV; observed.csv (a trace made by\n"
		"                             mmsim record): observed vs simulated Rss and faults\n"
		"  sweep SWEEP.yaml [-o DIR] [-j N] [--list]\n"
		"                             run a base scenario at every point of a matrix of\n"
		"                             overrides (knob values, variants, seeds), N points\n"
		"                             at a time, each into DIR/POINT; resumable; a table\n"
		"                             and DIR/sweep.csv at the end (mmsim sweep --help)\n"
		"  report DIR [--format md|text|json|html] [-o FILE]\n"
		"                             the report of an out dir from its files: contention,\n"
		"                             fragmentation, memory (report.md is the md one);\n"
		"                             html: one self-contained page with gnuplot plots\n"
		"                             (lock wait histograms, contention over time, free\n"
		"                             blocks by order, fragmentation index, per-node use,\n"
		"                             hugetlb) and sortable tables (mmsim report --help)\n"
		"  compare DIR_A DIR_B [DIR...] | compare SWEEP_DIR [-o OUT]\n"
		"                             key metrics of runs side by side with their change,\n"
		"                             or of every point of a sweep: a table, a CSV and\n"
		"                             gnuplot plots against the swept knobs\n"
		"                             (mmsim compare --help)\n"
		"  validate SCENARIO [--set KEY=VALUE]...\n"
		"                             check a scenario; print a one-line summary; run nothing\n"
		"  trace convert|cat|stat ... convert strace / valgrind-lackey logs and .mmt text to\n"
		"                             the compressed .mmtz format, print or summarise a trace\n"
		"                             (mmsim trace --help)\n"
		"  knobs                      every scenario knob and workload parameter: type, range,\n"
		"                             default, meaning\n"
		"  help                       this text\n"
		"\n"
		"Options of run:\n"
		"  -o, --out DIR              output directory (default: out)\n"
		"  --set KEY=VALUE            override a knob, e.g. --set vm.swappiness=10 or\n"
		"                             --set workloads.NAME.PARAM=VALUE (repeatable)\n"
		"  --seed N                   same as --set seed=N\n"
		"  --quiet                    no progress line on stderr and no closing message\n"
		"  --progress                 the progress line even when stderr is no terminal\n"
		"                             (then one line per update and a final \"done\" line;\n"
		"                             on a terminal it is shown unless --quiet, rewritten\n"
		"                             in place a few times a second and cleared at the end):\n"
		"                             simulated time, ops done and, where the end is known\n"
		"                             (a trace's record count, a scenario duration), the\n"
		"                             share done and an estimate of the wall time left\n"
		"  --timeline [FROM..TO]      write timeline.json (Chrome trace-event format: open\n"
		"                             it in Perfetto or chrome://tracing) for the window\n"
		"                             FROM..TO of simulated time (e.g. 0..200ms, 1s..;\n"
		"                             none: the whole run): a track per CPU and per task\n"
		"                             and kernel thread with page faults, lock waits and\n"
		"                             holds (class as in lock_stat.txt, site, read/write),\n"
		"                             reclaim, compaction, swap I/O, hugetlb, khugepaged\n"
		"                             and writeback; streamed as the run goes\n"
		"  --check[=N]                check model invariants as the run goes: after each op\n"
		"                             what it changed (free/pcp/LRU list links of its pages,\n"
		"                             zone free counts, page tables and VMAs of its range),\n"
		"                             the full walks every N ops (default: chosen from the\n"
		"                             machine size, a few times slower than a plain run; 1 =\n"
		"                             after every op, slow) and at the end. The first broken\n"
		"                             invariant stops the run: finding, partial outputs,\n"
		"                             exit status 8\n"
		"  --max-wall TIME            stop the run after TIME of wall-clock time (e.g. 30s)\n"
		"  --max-memory SIZE          stop the run when mmsim's own peak memory (RSS) reaches\n"
		"                             SIZE (e.g. 4GiB); a machine whose estimated host memory\n"
		"                             (mmsim validate prints it) passes SIZE or the host's\n"
		"                             MemAvailable (MMSIM_HOST_AVAILABLE=SIZE overrides it) is\n"
		"                             refused before the run (exit 2)\n"
		"\n"
		"Stopping a run: SIGINT (Ctrl-C), SIGTERM or SIGHUP stops the simulation at its next\n"
		"scheduling point and writes the outputs it has, marked partial (summary.json\n"
		"\"partial\": true, \"stopped_by\"; report.md's first line); a second signal exits at\n"
		"once, leaving no file half-written under its final name. --max-wall and --max-memory\n"
		"stop the same way. Files an earlier run wrote into the out dir (listed in its\n"
		"" OUTDIR_MANIFEST ") are removed first, so an out dir never mixes two runs.\n"
		"\n"
		"The out dir receives summary.json, report.md, lock_stat.txt (as 6.1's\n"
		"/proc/lock_stat), contention.csv, perf_lock_contention.csv (perf lock contention\n"
		"-x, layout), lock_classes.csv, vmstat.txt, meminfo.txt, numastat.txt, slabinfo.txt,\n"
		"buddyinfo.txt, pagetypeinfo.txt, zoneinfo.txt (watermarks, per-CPU list\n"
		"count/high/batch), nodeN.{meminfo,numastat,vmstat}, unusable_index.txt,\n"
		"extfrag_index.txt, findings.txt and sampled\n"
		"series (timeline.csv; frag.csv: per zone free pages, order-9 blocks, the two\n"
		"indices and the min/low/high watermarks; hugetlb.csv: HugePages_Total/Free/Rsvd/\n"
		"Surp; khugepaged.csv: collapses, full scans, AnonHugePages share; buddyinfo.csv\n"
		"and extfrag.csv: per zone free blocks and fragmentation index of every order;\n"
		"locks.csv: lock_stat totals); highalloc.csv\n"
		"(the highalloc workload: each attempt's time, order, kind, result, latency);\n"
		"injected_faults.csv (fault injection: machine.swap.fail_*/slow_*, workloads'\n"
		"kill_at; what fired, when, its figures); timeline.json with --timeline (docs/timeline.md); each file is written\n"
		"atomically. Seed debates: configs/seeds/*.yaml.\n"
		"\n"
		"Exit status: 0 success; 1 outputs could not be written; 2 bad input (command line,\n"
		"scenario or trace: the message names file, line and field); 3 host out of memory;\n"
		"4 the simulated kernel deadlocked (outputs written, see findings.txt); 5 (record)\n"
		"the recorders could not run (perf or strace missing, perf events not permitted);\n"
		"6 interrupted by a signal, 7 stopped by --max-wall/--max-memory and 8 stopped by\n"
		"--check at a broken invariant (partial outputs written).\n"
		"\n"
		"  --help, --version\n");
}

struct cli {
	const char *scenario;
	const char *trace;                 /* replay: the trace */
	const char *mode;                  /* replay: closed|open */
	const char *from;                  /* replay: the trace's kind, or NULL (detected) */
	const char *outdir;
	char **sets;
	int nr_sets;
	bool quiet, check, progress;
	bool timeline;                     /* --timeline [FROM..TO] */
	u64 tl_from, tl_to;
	u64 check_interval;                /* --check=N */
	double max_wall_s;
	u64 max_memory;
};

static void add_set(struct cli *c, const char *s)
{
	c->sets = xrealloc(c->sets, (size_t)(c->nr_sets + 1) * sizeof(*c->sets));
	c->sets[c->nr_sets++] = xstrdup(s);
}

static void cli_free(struct cli *c)
{
	for (int i = 0; i < c->nr_sets; i++)
		free(c->sets[i]);
	free(c->sets);
}

/* A --timeline argument: FROM..TO of simulated time (either side may be empty: from the
 * start, to the end), e.g. 0..200ms, 1s.., ..500us. Returns 0, or prints why not and -1. */
static int parse_window(const char *cmd, const char *v, struct cli *c)
{
	const char *dots = strstr(v, "..");
	char reason[128] = "";
	const char *why = NULL;
	c->tl_from = 0;
	c->tl_to = UINT64_MAX;
	if (!dots) {
		why = "no \"..\" between FROM and TO";
	} else {
		char *from = strndup(v, (size_t)(dots - v));
		const char *to = dots + 2;
		if (*from && units_parse_time(from, &c->tl_from, reason, sizeof(reason)) < 0)
			why = "FROM";
		else if (*to && units_parse_time(to, &c->tl_to, reason, sizeof(reason)) < 0)
			why = "TO";
		else if (c->tl_to <= c->tl_from)
			why = "the window is empty (TO must be after FROM)";
		free(from);
	}
	if (!why)
		return 0;
	fprintf(stderr, "mmsim %s: --timeline: expected a window FROM..TO of simulated time like "
			"0..200ms, got \"%s\": %s%s%s\n", cmd, v, why, *reason ? ": " : "", reason);
	return -1;
}

/* Whether the argument after --timeline is its window (not the scenario or a trace): it
 * has "..", no '/', and is no YAML file name. */
static bool looks_like_window(const char *a)
{
	size_t n = strlen(a);
	return a[0] != '-' && strstr(a, "..") && !strchr(a, '/') &&
	       !(n > 5 && !strcmp(a + n - 5, ".yaml")) && !(n > 4 && !strcmp(a + n - 4, ".yml"));
}

/* Parse the options of run/validate. Returns 0, or prints a message and returns -1. */
static int parse_opts(const char *cmd, int argc, char **argv, struct cli *c, bool allow_run_opts)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (allow_run_opts && (!strcmp(a, "--max-wall") || !strcmp(a, "--max-memory"))) {
			char reason[128] = "";
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim %s: option %s needs a value\n", cmd, a);
				return -1;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--max-wall")) {
				u64 ns;
				if (units_parse_time(v, &ns, reason, sizeof(reason)) < 0 || !ns) {
					fprintf(stderr, "mmsim %s: --max-wall: expected a time like 30s or "
							"500ms, got \"%s\"%s%s\n", cmd, v,
						*reason ? ": " : "", reason);
					return -1;
				}
				c->max_wall_s = (double)ns * 1e-9;
			} else if (units_parse_size(v, &c->max_memory, reason, sizeof(reason)) < 0 ||
				   !c->max_memory) {
				fprintf(stderr, "mmsim %s: --max-memory: expected a size like 4GiB or "
						"512MiB, got \"%s\"%s%s\n", cmd, v, *reason ? ": " : "",
					reason);
				return -1;
			}
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--set") || !strcmp(a, "--seed")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim %s: option %s needs a value\n", cmd, a);
				return -1;
			}
			val = argv[++i];
		} else if (!strncmp(a, "--out=", 6) || !strncmp(a, "--set=", 6)) {
			val = a + 6;
		} else if (!strncmp(a, "--seed=", 7)) {
			val = a + 7;
		} else if (c->trace && (!strcmp(a, "--machine") || !strcmp(a, "--mode") ||
					!strcmp(a, "--from"))) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim %s: option %s needs a value\n", cmd, a);
				return -1;
			}
			if (!strcmp(a, "--machine"))
				c->scenario = argv[++i];
			else if (!strcmp(a, "--from"))
				c->from = argv[++i];
			else
				c->mode = argv[++i];
			continue;
		}
		if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
			add_set(c, val);
		} else if (!strcmp(a, "--seed") || !strncmp(a, "--seed=", 7)) {
			char buf[256];
			snprintf(buf, sizeof(buf), "seed=%s", val);
			add_set(c, buf);
		} else if (allow_run_opts && (!strcmp(a, "-o") || !strcmp(a, "--out") || !strncmp(a, "--out=", 6))) {
			if (!*val) {
				fprintf(stderr, "mmsim %s: option -o needs a directory\n", cmd);
				return -1;
			}
			c->outdir = val;
		} else if (allow_run_opts && !strcmp(a, "--quiet")) {
			c->quiet = true;
		} else if (allow_run_opts && !strcmp(a, "--progress")) {
			c->progress = true;
		} else if (allow_run_opts && (!strcmp(a, "--timeline") || !strncmp(a, "--timeline=", 11))) {
			c->timeline = true;
			c->tl_from = 0;
			c->tl_to = UINT64_MAX;
			const char *w = a[10] == '=' ? a + 11 : NULL;
			if (!w && i + 1 < argc && looks_like_window(argv[i + 1]))
				w = argv[++i];
			if (w && parse_window(cmd, w, c) < 0)
				return -1;
		} else if (allow_run_opts && !strcmp(a, "--check")) {
			c->check = true;
		} else if (allow_run_opts && !strncmp(a, "--check=", 8)) {
			char *end;
			unsigned long long n = strtoull(a + 8, &end, 10);
			if (!a[8] || *end || !n || a[8] == '-') {
				fprintf(stderr, "mmsim %s: --check=N: expected a number of ops >= 1 "
						"between two full invariant walks, got \"%s\"\n", cmd, a + 8);
				return -1;
			}
			c->check = true;
			c->check_interval = n;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "mmsim %s: unknown option \"%s\" (see mmsim --help)\n", cmd, a);
			return -1;
		} else if (c->trace && !*c->trace) {
			c->trace = a;               /* replay: the first argument is the trace */
		} else if (!c->scenario && !c->trace) {
			c->scenario = a;
		} else {
			fprintf(stderr, "mmsim %s: unexpected argument \"%s\" (one %s at a time)\n",
				cmd, a, c->trace ? "trace" : "scenario");
			return -1;
		}
	}
	return 0;
}

static struct scenario *load(const struct cli *c)
{
	struct diag *d = diag_create();
	struct scenario *scn;
	if (c->scenario)
		scn = scenario_load(c->scenario, workload_catalog(), c->sets, c->nr_sets, d);
	else
		scn = scenario_load_string("<built-in default>", mmsim_default_scenario,
					   workload_catalog(), c->sets, c->nr_sets, d);
	diag_print(d, stderr);   /* the errors, or the warnings of an accepted scenario */
	diag_destroy(d);
	return scn;
}

/* SIGINT/SIGTERM/SIGHUP during a run: the first asks the engine to stop (partial outputs
 * follow); the handler then resets itself (SA_RESETHAND), so a second signal removes the
 * temporary files of outputs being written and kills the process. */
static void on_stop_signal(int sig)
{
	if (stopping_once) {
		outdir_unlink_pending();
		trace_tmp_unlink_all();
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stopping_once = 1;
	engine_request_stop(sig);
}

static void catch_stop_signals(bool on)
{
	struct sigaction sa = { .sa_handler = on ? on_stop_signal : SIG_DFL };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Build, run and tear down the simulation of a loaded scenario; returns the exit status. */
static int run_scenario(const struct scenario *scn, const struct cli *c)
{
	struct sim_options opt = { .outdir = c->outdir, .quiet = c->quiet, .check = c->check,
				   .check_interval = c->check_interval,
				   .max_wall_s = c->max_wall_s, .max_memory = c->max_memory,
				   .timeline = c->timeline, .timeline_from = c->tl_from,
				   .timeline_to = c->tl_to, .progress = c->progress };
	char err[1024] = "";
	if (host_limits_check(scn, c->max_memory, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_BAD_INPUT;
	}
	trace_tmp_catch_signals(true);   /* a trace imported by sim_create leaves nothing */
	struct sim *s = sim_create(scn, &opt, err, sizeof(err));
	if (!s) {
		trace_tmp_catch_signals(false);
		fprintf(stderr, "%s\n", err);
		return EXIT_BAD_INPUT;
	}
	/* an unusable out dir is found before the run, not after it (and bad input above
	 * leaves an earlier run's outputs alone) */
	if (outdir_prepare(c->outdir, err, sizeof(err)) < 0) {
		fprintf(stderr, "mmsim: -o %s: %s\n", c->outdir, err);
		sim_destroy(s);
		return 1;
	}
	catch_stop_signals(true);
	int rc = sim_run(s, &opt);
	catch_stop_signals(false);
	sim_destroy(s);
	if (rc == 0 && !c->quiet)
		fprintf(stderr, "mmsim: wrote %s/report.md\n", c->outdir);
	else if (rc == EXIT_CHECK && !c->quiet)
		fprintf(stderr, "mmsim: wrote %s/report.md; --check found a broken invariant (see "
				"findings.txt)\n", c->outdir);
	else if ((rc == EXIT_INTERRUPTED || rc == EXIT_LIMIT) && !c->quiet)
		fprintf(stderr, "mmsim: wrote partial outputs to %s (report.md, summary.json "
				"\"partial\": true)\n", c->outdir);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct cli c = { .outdir = "out" };
	if (parse_opts("run", argc, argv, &c, true) < 0) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	struct scenario *scn = load(&c);
	if (!scn) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	int rc = run_scenario(scn, &c);
	scenario_destroy(scn);
	cli_free(&c);
	return rc;
}

static int cmd_replay(int argc, char **argv)
{
	struct cli c = { .outdir = "out", .mode = "closed", .trace = "" };
	if (parse_opts("replay", argc, argv, &c, true) < 0) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	if (!*c.trace) {
		fprintf(stderr, "mmsim replay: needs a trace (usage: mmsim replay TRACE [--machine "
				"SCENARIO] [--mode closed|open] [-o DIR] [--set KEY=VALUE]...)\n");
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	unsigned mode;
	if (!strcmp(c.mode, "closed")) {
		mode = TRACE_CLOSED;
	} else if (!strcmp(c.mode, "open")) {
		mode = TRACE_OPEN;
	} else {
		fprintf(stderr, "mmsim replay: --mode: expected closed or open, got \"%s\"\n", c.mode);
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	enum trace_kind from = TRACE_KIND_AUTO;
	if (c.from && (from = trace_kind_from_name(c.from)) == TRACE_KIND_AUTO) {
		fprintf(stderr, "mmsim replay: --from: expected strace, perf, lackey, mmt or mmtz, "
			"got \"%s\"\n", c.from);
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	struct scenario *scn = load(&c);
	if (!scn) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	/* the trace in place of the scenario's workloads */
	scenario_clear_workloads(scn);
	const struct workload_type *tt = &trace_type;
	struct workload_cfg *w = xcalloc(1, sizeof(*w));
	w->type = xstrdup("trace");
	const char *base = strrchr(c.trace, '/');
	w->name = xstrdup(base ? base + 1 : c.trace);
	w->schema = &tt->schema;
	w->params = xcalloc(1, tt->schema.params_size);
	struct trace_workload_params *tp = w->params;
	tp->path = xstrdup(c.trace);
	tp->mode = mode;
	tp->from = from;
	w->threads = 1;
	w->file = xstrdup("<command line>");
	scn->workloads = w;
	scn->nr_workloads = 1;
	int rc = run_scenario(scn, &c);
	scenario_destroy(scn);
	cli_free(&c);
	return rc;
}

static int cmd_validate(int argc, char **argv)
{
	struct cli c = { 0 };
	if (parse_opts("validate", argc, argv, &c, false) < 0) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	struct scenario *scn = load(&c);
	if (!scn) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	unsigned threads = 0;
	u64 mem = 0;
	for (unsigned i = 0; i < scn->nr_workloads; i++)
		threads += scn->workloads[i].threads;
	for (unsigned n = 0; n < scn->machine.nr_nodes; n++)
		mem += scn->machine.node_memory[n];
	printf("%s: ok (%u node%s, %u CPUs, %llu MiB, %u workload%s, %u thread%s)\n", scn->path,
	       scn->machine.nr_nodes, scn->machine.nr_nodes == 1 ? "" : "s", scenario_nr_cpus(scn),
	       (unsigned long long)(mem >> 20), scn->nr_workloads, scn->nr_workloads == 1 ? "" : "s",
	       threads, threads == 1 ? "" : "s");
	char need[32], avail_s[32], why[256];
	u64 avail;
	host_format_approx(host_machine_estimate(scn), need, sizeof(need));
	if (host_available(&avail, why, sizeof(why)) < 0) {
		fprintf(stderr, "mmsim validate: %s\n", why);
		scenario_destroy(scn);
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	host_format_approx(avail, avail_s, sizeof(avail_s));
	printf("%s: host memory at start-up: about %s (this host has %s available)\n", scn->path,
	       need, avail ? avail_s : "an unknown amount");
	scenario_destroy(scn);
	cli_free(&c);
	return 0;
}

static int cmd_knobs(int argc, char **argv)
{
	(void)argv;
	if (argc) {
		fprintf(stderr, "mmsim knobs: takes no arguments\n");
		return EXIT_BAD_INPUT;
	}
	printf("Scenario knobs (set in the scenario file or with --set KEY=VALUE):\n\n");
	knob_table_print(stdout, scenario_knobs());
	const struct workload_catalog *cat = workload_catalog();
	for (size_t i = 0; i < cat->nr; i++) {
		const struct workload_schema *w = cat->types[i];
		printf("\nWorkload type %s: %s\n(common keys: type, name, threads, cpus, nodes, start, kill_at, kill_signal)\n\n",
		       w->type, w->doc);
		knob_table_print(stdout, w->params);
	}
	return 0;
}

static int dispatch(int argc, char **argv);

/* Every command's output to stdout must have been written: a full disk or a closed pipe
 * is an error (status 1), not a silent success. */
int main(int argc, char **argv)
{
	int rc = dispatch(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mmsim: cannot write standard output: %s\n", strerror(errno));
		if (!rc)
			rc = 1;
	}
	return rc;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("mmsim %s\n", MMSIM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 2, argv + 2);
	if (!strcmp(cmd, "knobs"))
		return cmd_knobs(argc - 2, argv + 2);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(cmd, "record"))
		return record_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "sweep"))
		return sweep_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return report_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "trace"))
		return trace_main(argc - 1, argv + 1);
	fprintf(stderr, "mmsim: unknown command \"%s\" (see mmsim --help)\n", cmd);
	return EXIT_BAD_INPUT;
}
