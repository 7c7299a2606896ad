/* record.c - `mmsim record [-o OUT.mmtz] [--sample-interval T] [--keep DIR] [--no-baseline]
 * -- CMD [ARGS]` (record.h).
 *
 * The pair: strace gives every system call with its decoded arguments and result (what
 * perf trace prints is less complete: no decoded structures, no unfinished/resumed
 * pairing); perf gives every page fault of every thread with its address, tid, time and
 * error code, which strace cannot see. Clocks: strace stamps CLOCK_REALTIME
 * (--timestamps=unix,ns), perf CLOCK_MONOTONIC (-k mono); the recorder measures
 * REALTIME - MONOTONIC just before the run (the smallest bracket of five reads) and
 * writes it at the top of the faults log. The observed samples are read by this process
 * while the program runs: every interval, the descendants of strace (found through
 * /proc/N/stat's ppid), their smaps_rollup Rss/Anonymous/Swap (an mm shared with the
 * parent, vfork or CLONE_VM, once) and their minflt+majflt (/proc/N/stat), and
 * /proc/vmstat pgfault since the start (host-wide). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/units.h"
#include "traces/mmt.h"
#include "traces/record.h"

#define EXIT_WRITE 1
#define EXIT_BAD 2
#define MAX_TREE 4096

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: mmsim record [-o OUT.mmtz] [--sample-interval T] [--keep DIR] [--no-baseline]\n"
		"                    -- CMD [ARGS]\n"
		"\n"
		"Runs CMD under strace (system calls) and perf (page faults of every thread, and\n"
		"the mappings execve makes: image, ld.so, stack, vdso; the bss from the ELF file),\n"
		"samples the real process tree every T of wall time (default 10ms): Rss, Anonymous\n"
		"and Swap from /proc/PID/smaps_rollup, minflt+majflt, /proc/vmstat pgfault; merges\n"
		"everything into OUT (default: CMD's name + .mmtz) for `mmsim replay`, which compares\n"
		"its simulation with these samples (observed.csv). Before recording, CMD runs once\n"
		"alone to measure the recording overhead (--no-baseline skips it). --keep DIR keeps\n"
		"the raw logs (strace.log, faults.txt, observed.txt), which `mmsim trace convert\n"
		"strace.log OUT --faults faults.txt --observed observed.txt` merges again.\n"
		"Without perf: a strace log alone replays the calls but no page touch (no faults,\n"
		"no RSS); valgrind lackey with strace (mmsim trace convert --touches) gives every\n"
		"access of a single-threaded program at valgrind's cost.\n"
		"Needs strace and perf (Debian: strace, linux-perf) and perf tracepoints permitted\n"
		"(root, CAP_PERFMON, or sysctl kernel.perf_event_paranoid=-1).\n"
		"Exit status: 0 recorded; 1 OUT could not be written; 2 bad command line or logs;\n"
		"5 the recorders could not run (missing, or perf events not permitted).\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static u64 clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
}

/* REALTIME - MONOTONIC from the tightest of five brackets. */
static s64 clock_offset(void)
{
	s64 best = 0;
	u64 best_gap = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		u64 m0 = clock_ns(CLOCK_MONOTONIC);
		u64 r = clock_ns(CLOCK_REALTIME);
		u64 m1 = clock_ns(CLOCK_MONOTONIC);
		if (m1 - m0 < best_gap) {
			best_gap = m1 - m0;
			best = (s64)r - (s64)(m0 + (m1 - m0) / 2);
		}
	}
	return best;
}

/* Start argv with stdout/stderr redirected to files (NULL: inherited). */
static pid_t spawn(char **argv, const char *out, const char *errf)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (out) {
			int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
		}
		if (errf) {
			int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		fprintf(stderr, "mmsim record: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char buf[4096];
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (c ? 1 : 0);
	}
	return false;
}

static long read_long_file(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/* Open the page_fault_user tracepoint on ourselves as perf would. 0 permitted, -1 not
 * permitted (errno EACCES/EPERM), 1 could not tell (no tracefs). */
static int probe_perf(void)
{
	static const char *ids[] = {
		"/sys/kernel/tracing/events/exceptions/page_fault_user/id",
		"/sys/kernel/debug/tracing/events/exceptions/page_fault_user/id",
	};
	long id = -1;
	for (size_t i = 0; i < ARRAY_SIZE(ids) && id < 0; i++)
		id = read_long_file(ids[i], -1);
	if (id < 0)
		return 1;
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (u64)id;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_RAW | PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
	attr.disabled = 1;
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return (errno == EACCES || errno == EPERM) ? -1 : 1;
	close((int)fd);
	return 0;
}

static void not_permitted(void)
{
	long p = read_long_file("/proc/sys/kernel/perf_event_paranoid", 99);
	fprintf(stderr,
		"mmsim record: perf events are not permitted: kernel.perf_event_paranoid is %ld\n"
		"(/proc/sys/kernel/perf_event_paranoid); the page-fault tracepoints need root,\n"
		"CAP_PERFMON, or `sysctl kernel.perf_event_paranoid=-1`\n", p);
}

/* ---- the bss of the programs execve loaded ---- */

/* "# mmsim-elf 0xOFF 0xVADDR 0xFILESZ 0xMEMSZ PATH" for each writable PT_LOAD of path
 * whose memsz exceeds its filesz: the ELF loader maps that bss with vm_brk, which perf
 * does not report. 64-bit little-endian ELF only; anything else writes nothing. */
static void elf_bss_lines(FILE *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	unsigned char eh[64];
	if (fread(eh, 1, sizeof(eh), f) != sizeof(eh) || memcmp(eh, "\177ELF", 4) || eh[4] != 2 ||
	    eh[5] != 1) {
		fclose(f);
		return;
	}
	u64 phoff;
	uint16_t phentsize, phnum;
	memcpy(&phoff, eh + 32, 8);
	memcpy(&phentsize, eh + 54, 2);
	memcpy(&phnum, eh + 56, 2);
	for (unsigned i = 0; i < phnum && phentsize >= 56; i++) {
		unsigned char ph[56];
		uint32_t type, pflags;
		u64 off, vaddr, filesz, memsz;
		if (fseek(f, (long)(phoff + (u64)i * phentsize), SEEK_SET) ||
		    fread(ph, 1, sizeof(ph), f) != sizeof(ph))
			break;
		memcpy(&type, ph, 4);
		memcpy(&pflags, ph + 4, 4);
		memcpy(&off, ph + 8, 8);
		memcpy(&vaddr, ph + 16, 8);
		memcpy(&filesz, ph + 32, 8);
		memcpy(&memsz, ph + 40, 8);
		if (type == 1 && (pflags & 2) && memsz > filesz)   /* PT_LOAD, PF_W */
			fprintf(out, "# mmsim-elf 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
				" %s\n", off, vaddr, filesz, memsz, path);
	}
	fclose(f);
}

/* queue/read_ahead_kb of the disk holding the program (what mmap read-around uses for
 * its image and libraries); the kernel's default 128 when it cannot be found. */
static long disk_read_ahead_kb(const char *prog)
{
	char path[4200];
	struct stat st;
	const char *p = prog;
	if (!strchr(prog, '/')) {
		const char *env = getenv("PATH");
		p = NULL;
		while (env && *env && !p) {
			const char *c = strchr(env, ':');
			size_t n = c ? (size_t)(c - env) : strlen(env);
			snprintf(path, sizeof(path), "%.*s/%s", (int)n, env, prog);
			if (access(path, X_OK) == 0)
				p = path;
			env += n + (c ? 1 : 0);
		}
	}
	if (!p || stat(p, &st) < 0)
		return 128;
	char q[128];
	unsigned maj = major(st.st_dev), min = minor(st.st_dev);
	snprintf(q, sizeof(q), "/sys/dev/block/%u:%u/queue/read_ahead_kb", maj, min);
	long v = read_long_file(q, -1);
	if (v < 0) {   /* a partition: its disk's queue */
		snprintf(q, sizeof(q), "/sys/dev/block/%u:%u/../queue/read_ahead_kb", maj, min);
		v = read_long_file(q, 128);
	}
	return v;
}

/* faults = the clock line, the bss lines of every file mapped from offset 0 (execve's
 * images among them), then perf script's output (raw). */
static int write_faults(const char *faults, const char *raw, s64 off, long ra_kb)
{
	FILE *in = fopen(raw, "r"), *out = fopen(faults, "w");
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	fprintf(out, "# mmsim-clock realtime_minus_monotonic_ns=%" PRId64 "\n", off);
	fprintf(out, "# mmsim-host fault_around_bytes=%ld read_ahead_kb=%ld\n",
		read_long_file("/sys/kernel/debug/fault_around_bytes", 65536), ra_kb);
	char line[8192], **seen = NULL;
	size_t nseen = 0;
	while (fgets(line, sizeof(line), in)) {
		const char *m = strstr(line, ": PERF_RECORD_MMAP2 ");
		const char *at = m ? strstr(m, " @ 0 ") : NULL;
		const char *pp = at ? strstr(at, "]: ") : NULL;
		if (!pp || strlen(pp) < 9 || pp[8] != '/')
			continue;
		char *path = xstrdup(pp + 8);
		path[strcspn(path, "\n")] = '\0';
		size_t i = 0;
		while (i < nseen && strcmp(seen[i], path))
			i++;
		if (i < nseen) {
			free(path);
			continue;
		}
		seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
		seen[nseen++] = path;
		elf_bss_lines(out, path);
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	rewind(in);
	size_t n;
	while ((n = fread(line, 1, sizeof(line), in)) > 0)
		fwrite(line, 1, n, out);
	fclose(in);
	return fclose(out) ? -1 : 0;
}

/* ---- sampling the real process tree ---- */

struct tree_sample {
	u64 rss_kb, anon_kb, swap_kb, flt;
	unsigned nr;
};

static bool stat_of(pid_t pid, pid_t *ppid, char *comm, size_t clen, u64 *flt)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
	if (!lp || !rp)
		return false;
	snprintf(comm, clen, "%.*s", (int)(rp - lp - 1), lp + 1);
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt */
	char st;
	int pp;
	unsigned long long minflt, cmin, majflt;
	if (sscanf(rp + 2, "%c %d %*d %*d %*d %*d %*u %llu %llu %llu", &st, &pp, &minflt, &cmin,
		   &majflt) != 5)
		return false;
	*ppid = pp;
	*flt = minflt + majflt;
	return true;
}

static void rollup(pid_t pid, struct tree_sample *s)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	unsigned long long v;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Rss: %llu kB", &v) == 1)
			s->rss_kb += v;
		else if (sscanf(line, "Anonymous: %llu kB", &v) == 1)
			s->anon_kb += v;
		else if (sscanf(line, "Swap: %llu kB", &v) == 1)
			s->swap_kb += v;
	}
	fclose(f);
}

static u64 vmstat_pgfault(void)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char line[128];
	unsigned long long v = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "pgfault %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A vfork child before its exec, or a CLONE_VM child, shares its parent's mm: its
 * smaps_rollup is its parent's, counted once (kcmp KCMP_VM). Its faults still count. */
static bool same_mm_as_parent(pid_t pid, pid_t ppid, const pid_t *pids, const bool *in, unsigned n)
{
	for (unsigned j = 0; j < n; j++)
		if (pids[j] == ppid)
			return in[j] && syscall(SYS_kcmp, pid, ppid, 1 /* KCMP_VM */, 0, 0) == 0;
	return false;
}

/* The processes below strace (not strace itself, not its forked child before exec). */
static bool sample_tree(pid_t perf_pid, struct tree_sample *s, u64 *when)
{
	static pid_t pids[MAX_TREE], ppids[MAX_TREE];
	static u64 flts[MAX_TREE];   /* unused here: re-read at the sample's time */
	static char comms[MAX_TREE][32];
	unsigned n = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAX_TREE) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (stat_of(pid, &ppids[n], comms[n], sizeof(comms[n]), &flts[n]))
			pids[n++] = pid;
	}
	closedir(d);
	/* descendants of strace; strace's own processes (its child before exec) excluded */
	static bool in[MAX_TREE];
	memset(in, 0, sizeof(in));
	bool grew = true;
	while (grew) {
		grew = false;
		for (unsigned i = 0; i < n; i++) {
			if (in[i])
				continue;
			/* strace (perf's child once it exec'd strace) and below */
			bool parent_in = ppids[i] == perf_pid && !strcmp(comms[i], "strace");
			for (unsigned j = 0; j < n && !parent_in; j++)
				parent_in = in[j] && pids[j] == ppids[i];
			if (parent_in) {
				in[i] = true;
				grew = true;
			}
		}
	}
	/* the sample's time: the middle of the reads of the tree's counters (the /proc
	 * walk before them takes milliseconds on a busy host) */
	memset(s, 0, sizeof(*s));
	u64 t0 = clock_ns(CLOCK_REALTIME);
	for (unsigned i = 0; i < n; i++) {
		if (!in[i] || !strcmp(comms[i], "strace"))
			continue;
		u64 flt;
		pid_t pp;
		char comm[32];
		if (!same_mm_as_parent(pids[i], ppids[i], pids, in, n))
			rollup(pids[i], s);
		if (stat_of(pids[i], &pp, comm, sizeof(comm), &flt))
			s->flt += flt;
		s->nr++;
	}
	*when = t0 + (clock_ns(CLOCK_REALTIME) - t0) / 2;
	return s->nr > 0;
}

/* ---- the command ---- */

struct rec_args {
	const char *out;
	const char *keep;
	u64 interval_ns;
	bool baseline;
	char **cmd;
};

static int parse(int argc, char **argv, struct rec_args *a)
{
	a->interval_ns = 10 * 1000 * 1000;
	a->baseline = true;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--")) {
			if (i + 1 >= argc)
				break;
			a->cmd = &argv[i + 1];
			return 0;
		}
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			record_usage(stdout);
			return 1;
		}
		if (!strcmp(s, "--no-baseline")) {
			a->baseline = false;
			continue;
		}
		if (!strcmp(s, "-o") || !strcmp(s, "--sample-interval") || !strcmp(s, "--keep")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmsim record: %s needs a value\n", s);
				return -1;
			}
			const char *v = argv[++i];
			if (!strcmp(s, "-o")) {
				a->out = v;
			} else if (!strcmp(s, "--keep")) {
				a->keep = v;
			} else {
				char why[128];
				if (units_parse_time(v, &a->interval_ns, why, sizeof(why)) < 0 ||
				    a->interval_ns < 1000000 || a->interval_ns > 60 * NSEC_PER_SEC) {
					fprintf(stderr, "mmsim record: --sample-interval: expected a time "
						"from 1ms to 60s (e.g. 10ms), got \"%s\"\n", v);
					return -1;
				}
			}
			continue;
		}
		fprintf(stderr, "mmsim record: unexpected argument \"%s\" (the program goes after "
			"--; see mmsim record --help)\n", s);
		return -1;
	}
	fprintf(stderr, "mmsim record: no program to record (usage: mmsim record [-o OUT.mmtz] "
		"[--sample-interval T] -- CMD [ARGS])\n");
	return -1;
}

static void rm_tree(const char *dir, const char *const *names, size_t n)
{
	char p[4200];
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static bool file_mentions(const char *path, const char *word)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool hit = false;
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f))
		hit = strstr(line, word) != NULL;
	fclose(f);
	return hit;
}

static u64 lost_events(const char *dir, const char *data)
{
	char out[4200], errf[4200];
	snprintf(out, sizeof(out), "%s/stats.txt", dir);
	snprintf(errf, sizeof(errf), "%s/stats.err", dir);
	char *argv[] = { "perf", "report", "-i", (char *)data, "--stats", NULL };
	pid_t p = spawn(argv, out, errf);
	if (p < 0)
		return 0;
	wait_status(p);
	FILE *f = fopen(out, "r");
	char line[256];
	unsigned long long v, lost = 0;
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " LOST events: %llu", &v) == 1 ||
			    sscanf(line, " LOST_SAMPLES events: %llu", &v) == 1)
				lost += v;
		fclose(f);
	}
	return lost;
}

int record_main(int argc, char **argv)
{
	struct rec_args a = { 0 };
	int pr = parse(argc, argv, &a);
	if (pr)
		return pr > 0 ? 0 : EXIT_BAD;
	char outbuf[4200];
	if (!a.out) {
		const char *b = strrchr(a.cmd[0], '/');
		snprintf(outbuf, sizeof(outbuf), "%s.mmtz", b ? b + 1 : a.cmd[0]);
		a.out = outbuf;
	}
	if (trace_kind_from_path(a.out) != TRACE_KIND_MMTZ) {
		fprintf(stderr, "mmsim record: -o %s: the output must end in .mmtz\n", a.out);
		return EXIT_BAD;
	}
	if (strchr(a.cmd[0], '/') ? access(a.cmd[0], X_OK) != 0 : !in_path(a.cmd[0])) {
		fprintf(stderr, "mmsim record: cannot run %s: not found or not executable\n",
			a.cmd[0]);
		return EXIT_BAD;
	}
	if (!in_path("perf") || !in_path("strace")) {
		fprintf(stderr, "mmsim record: needs %s in PATH (Debian packages linux-perf and "
			"strace)\n", in_path("perf") ? "strace" : "perf");
		return RECORD_EXIT_NO_RECORDER;
	}
	if (probe_perf() < 0) {
		not_permitted();
		return RECORD_EXIT_NO_RECORDER;
	}
	char tmpl[] = "/tmp/mmsim-record.XXXXXX";
	char *dir = a.keep ? (char *)a.keep : mkdtemp(tmpl);
	if (!dir || (a.keep && mkdir(a.keep, 0755) < 0 && errno != EEXIST)) {
		fprintf(stderr, "mmsim record: cannot create %s: %s\n", a.keep ? a.keep : tmpl,
			strerror(errno));
		return EXIT_WRITE;
	}
	char data[4200], slog[4200], faults[4200], observed[4200], perr[4200];
	snprintf(data, sizeof(data), "%s/perf.data", dir);
	snprintf(slog, sizeof(slog), "%s/strace.log", dir);
	snprintf(faults, sizeof(faults), "%s/faults.txt", dir);
	snprintf(observed, sizeof(observed), "%s/observed.txt", dir);
	snprintf(perr, sizeof(perr), "%s/perf.err", dir);
	static const char *const names[] = { "perf.data", "perf.data.old", "strace.log",
		"faults.txt", "observed.txt", "perf.err", "script.err", "stats.txt", "stats.err",
		"faults.raw" };
	int rc = 0;

	/* the program alone */
	double base_s = 0;
	if (a.baseline) {
		double t0 = now_s();
		pid_t p = spawn(a.cmd, NULL, NULL);
		if (p < 0 || wait_status(p) < 0) {
			fprintf(stderr, "mmsim record: cannot run %s\n", a.cmd[0]);
			rc = EXIT_BAD;
			goto out;
		}
		base_s = now_s() - t0;
	}

	/* under the recorders */
	size_t nc = 0;
	while (a.cmd[nc])
		nc++;
	char **pv = xcalloc(nc + 24, sizeof(char *));
	size_t k = 0;
	const char *fixed[] = { "perf", "record", "-q", "-k", "mono", "-m", "1024", "-d",
		"-e", "exceptions:page_fault_user", "-e", "exceptions:page_fault_kernel",
		"-o", data, "--", "strace", "-f", "--timestamps=unix,ns",
		"-e", "trace=memory,process,ipc,desc,prctl", "-o", slog };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		pv[k++] = (char *)fixed[i];
	for (size_t i = 0; i < nc; i++)
		pv[k++] = a.cmd[i];
	pv[k] = NULL;
	FILE *obs = fopen(observed, "w");
	if (!obs) {
		fprintf(stderr, "mmsim record: cannot write %s: %s\n", observed, strerror(errno));
		free(pv);
		rc = EXIT_WRITE;
		goto out;
	}
	fprintf(obs, "# realtime_ns rss_kb anon_kb swap_kb minflt+majflt vmstat_pgfault\n");
	s64 off = clock_offset();
	u64 pgf0 = vmstat_pgfault();
	double t0 = now_s();
	pid_t perf = spawn(pv, NULL, perr);
	free(pv);
	if (perf < 0) {
		fclose(obs);
		fprintf(stderr, "mmsim record: cannot start perf: %s\n", strerror(errno));
		rc = RECORD_EXIT_NO_RECORDER;
		goto out;
	}
	u64 nsamples = 0;
	int st = 0;
	for (;;) {
		pid_t w = waitpid(perf, &st, WNOHANG);
		if (w == perf)
			break;
		struct tree_sample ts;
		u64 now;
		if (sample_tree(perf, &ts, &now)) {
			fprintf(obs, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
				"\n", now, ts.rss_kb, ts.anon_kb, ts.swap_kb, ts.flt,
				vmstat_pgfault() - pgf0);
			nsamples++;
		}
		struct timespec sl = { (time_t)(a.interval_ns / NSEC_PER_SEC),
				       (long)(a.interval_ns % NSEC_PER_SEC) };
		nanosleep(&sl, NULL);
	}
	double rec_s = now_s() - t0;
	fclose(obs);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || access(slog, R_OK) != 0) {
		bool perm = file_mentions(perr, "paranoid") || file_mentions(perr, "ermission");
		if (perm) {
			not_permitted();
		} else {
			fprintf(stderr, "mmsim record: perf record failed (status %d); its messages:\n",
				WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			FILE *f = fopen(perr, "r");
			char line[512];
			while (f && fgets(line, sizeof(line), f))
				fprintf(stderr, "  %s", line);
			if (f)
				fclose(f);
		}
		/* strace returns the program's status: a failing program is still recorded */
		if (perm || access(slog, R_OK) != 0 || access(data, R_OK) != 0) {
			rc = RECORD_EXIT_NO_RECORDER;
			goto out;
		}
	}

	/* the faults and mmap events as text; the clock and bss lines go first */
	char raw[4200];
	snprintf(raw, sizeof(raw), "%s/faults.raw", dir);
	unlink(raw);
	char serr[4200];
	snprintf(serr, sizeof(serr), "%s/script.err", dir);
	char *sv[] = { "perf", "script", "-i", data, "-F", "pid,tid,time,event,trace", "--ns",
		       "--show-mmap-events", NULL };
	pid_t sp = spawn(sv, raw, serr);
	int sst = sp < 0 ? -1 : wait_status(sp);
	if (sst < 0 || !WIFEXITED(sst) || WEXITSTATUS(sst) != 0) {
		fprintf(stderr, "mmsim record: perf script failed (see %s)\n", serr);
		rc = RECORD_EXIT_NO_RECORDER;
		goto out;
	}
	if (write_faults(faults, raw, off, disk_read_ahead_kb(a.cmd[0])) < 0) {
		fprintf(stderr, "mmsim record: cannot write %s: %s\n", faults, strerror(errno));
		rc = EXIT_WRITE;
		goto out;
	}
	unlink(raw);
	u64 lost = lost_events(dir, data);

	/* merge */
	struct trace_import_opts io = { .perf_faults = faults, .observed = observed };
	char err[4096];
	struct trace_reader *r = trace_reader_open(slog, TRACE_KIND_STRACE, &io, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		rc = EXIT_BAD;
		goto out;
	}
	struct trace_writer *w = trace_writer_create(a.out, TRACE_KIND_MMTZ, 4096, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		trace_reader_close(r);
		rc = EXIT_WRITE;
		goto out;
	}
	struct op op;
	int nrc;
	u64 observes = 0;
	while ((nrc = trace_reader_next(r, &op)) > 0) {
		observes += op.type == OP_OBSERVE;
		if (trace_writer_put(w, &op, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			trace_writer_abort(w);
			trace_reader_close(r);
			rc = EXIT_WRITE;
			goto out;
		}
	}
	if (nrc < 0) {
		fprintf(stderr, "%s\n", trace_reader_error(r));
		trace_writer_abort(w);
		trace_reader_close(r);
		rc = EXIT_BAD;
		goto out;
	}
	if (trace_writer_finish(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		trace_reader_close(r);
		rc = EXIT_WRITE;
		goto out;
	}
	const struct trace_info *info = trace_reader_info(r);
	if (!info->records) {
		fprintf(stderr, "mmsim record: %s left no system call in the strace log: nothing "
			"to replay\n", a.cmd[0]);
		unlink(a.out);
		trace_reader_close(r);
		rc = EXIT_BAD;
		goto out;
	}
	fprintf(stderr, "mmsim record: wrote %s: %" PRIu64 " records, %" PRIu64 " page faults as "
		"touches, %" PRIu64 " observed samples\n", a.out, info->records,
		info->faults_imported, observes);
	if (a.baseline)
		fprintf(stderr, "mmsim record: overhead: %.3f s recorded vs %.3f s alone (x%.1f, "
			"wall time, measured)\n", rec_s, base_s, base_s > 0 ? rec_s / base_s : 0.0);
	else
		fprintf(stderr, "mmsim record: %.3f s recorded (no baseline run)\n", rec_s);
	fprintf(stderr, "mmsim record: not captured: touches of pages already present (the kernel "
		"reports faults, not accesses); pages mapped without a fault of their own "
		"(fault-around of file pages, which the replay models, and THP); %" PRIu64
		" faults of other tasks (strace, perf); %" PRIu64 " perf events lost; %" PRIu64
		" samples; %" PRIu64 " mappings of execve imported\n", info->faults_foreign,
		lost, nsamples, info->exec_maps);
	if (info->nr_unknown) {
		fprintf(stderr, "mmsim record: calls not modelled:");
		for (u32 i = 0; i < info->nr_unknown; i++)
			fprintf(stderr, "%s %s (%" PRIu64 ")", i ? "," : "", info->unknown[i].name,
				info->unknown[i].count);
		fprintf(stderr, "\n");
	}
	trace_reader_close(r);
out:
	if (!a.keep)
		rm_tree(dir, names, ARRAY_SIZE(names));
	return rc;
}
