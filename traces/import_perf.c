/* import_perf.c - one trace from a strace log (system calls with their exact arguments and
 * results) and a `perf script` log of the page faults of the same run (the touches), plus
 * the observed samples `mmsim record` takes of the real process tree.
 *
 * Recording (what `mmsim record` runs, sim/record.c):
 *   perf record -k mono -e exceptions:page_fault_user -e exceptions:page_fault_kernel \
 *       -o DATA -- strace -f --timestamps=unix,ns -e trace=memory,process,ipc,desc -o LOG CMD
 *   perf script -i DATA -F pid,tid,time,event,trace --ns >> FAULTS
 * FAULTS starts with the line "# mmsim-clock realtime_minus_monotonic_ns=N" (measured by
 * the recorder around the run): strace stamps CLOCK_REALTIME, perf CLOCK_MONOTONIC
 * (perf 6.1 refuses -k realtime here), and N maps one onto the other.
 *
 * A fault line is "PID/TID SECONDS.NS: exceptions:page_fault_user: address=0x.. ip=0x..
 * error_code=0x..": a one-page touch of the faulting page by TID at that time, a write when
 * the error code's bit 1 (X86_PF_WRITE) is set. page_fault_kernel lines are faults the
 * kernel took on a user address for the thread (copy_to_user, execve's loader); kernel
 * addresses (from 0xffff800000000000) are skipped.
 *
 * Alignment rule: all three streams are merged in time order (strace first on a tie).
 * A traced thread stops at each system call's entry until strace has stamped it, so a
 * fault after a call's return is later than the call's stamp, and a fault before it is
 * earlier. A fault is kept when its tid is a traced thread: from the thread's first
 * imported record (the root: its first call after execve) or from the fork/clone record
 * that created it, until its exit. Others (strace's own, perf's, the root before its
 * first call) are counted in trace_info.faults_foreign. think_ns is recomputed per
 * thread over the merged stream.
 *
 * Mappings execve makes (perf record -d; perf script --show-mmap-events): a line
 * "PID/TID SECONDS.NS: PERF_RECORD_MMAP2 PID/TID: [0xSTART(0xLEN) @ PGOFF MAJ:MIN INO
 * GEN]: PROT PATH" is the kernel mapping the program image, ld.so, the stack, the vdso.
 * The ones of a process between its successful execve and its next traced call (the
 * root: from its "[stack]" event, the first of its exec, to its first call) become mmap
 * records at their address: file mappings carry the path (fd -1), the stack is a
 * MAP_GROWSDOWN anonymous mapping, vdso/vvar anonymous ones. The bss the ELF loader
 * maps with vm_brk (no perf event) comes from the recorder's "# mmsim-elf 0xOFF 0xVADDR
 * 0xFILESZ 0xMEMSZ PATH" lines (a writable PT_LOAD whose memsz exceeds its filesz): an
 * anonymous mapping after that segment's mmap. Mmap events outside an execve are the
 * program's own mmaps, which strace gives with their arguments: skipped.
 *
 * The recorder's "# mmsim-host fault_around_bytes=N read_ahead_kb=N" line (the host's
 * debugfs fault_around_bytes and the program's disk's queue/read_ahead_kb) becomes two
 * sysctl writes of the root at its start (/sys/kernel/debug/fault_around_bytes,
 * /sys/block/recorded/queue/read_ahead_kb), so the replay maps file pages as the host did.
 *
 * The observed samples file has one line per sample: "REALTIME_NS RSS_KB ANON_KB SWAP_KB
 * FLT PGFAULT" (# lines are comments); each becomes an OP_OBSERVE of the root thread
 * while it lives. */
#define _GNU_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traces/linereader.h"
#include "traces/reader_impl.h"
#include "traces/tidmap.h"

#define USER_ADDR_END 0x800000000000ULL
#define CLOCK_TAG "# mmsim-clock realtime_minus_monotonic_ns="
#define ELF_TAG "# mmsim-elf "
#define HOST_TAG "# mmsim-host "

struct pthread_state {
	u32 tid, pid;
	u64 last_time;
	bool seen, live;
	bool exec_window;           /* between its execve and its next traced call */
};

/* A writable PT_LOAD with a bss, from a "# mmsim-elf" line. */
struct elf_bss {
	u64 off, vaddr, filesz, memsz;
	char *path;
};

/* The strace reader hands out a call that was "<unfinished ...>" when its "resumed" line
 * comes, with its start time: a clone is handed out after the first calls of the child
 * it created. Its records are put back in time order through a window of
 * STRACE_WINDOW_NS past the earliest one waiting (a longer unfinished call stays late). */
#define STRACE_WINDOW_NS (50ULL * 1000 * 1000)

struct st_item {
	struct op op;
	u64 seq;
	char *path;                 /* owned copy of op.path */
};

struct perf_reader {
	struct trace_reader r;
	struct trace_reader *st;
	struct st_item *heap;       /* min-heap by (time, seq) */
	u32 nr_heap, cap_heap;
	u64 seq, max_time;
	struct linereader *pf, *sm;
	char *pf_path, *sm_path;
	s64 clock_off;
	bool have_clock;
	struct op st_op, pf_op, sm_op;
	bool st_ready, pf_ready, sm_ready;
	bool st_done, pf_done, sm_done;
	char st_path[MMT_MAX_PATH + 1];
	u64 pf_abs, sm_abs;
	struct tidmap tids;
	struct pthread_state *th;
	u32 nr_th, cap_th;
	bool have_root;
	u32 root_pid, root_tid;
	bool failed;
	bool pf_map;                /* pf_op is an mmap event, not a fault */
	char pf_mpath[MMT_MAX_PATH + 1];
	struct elf_bss *elf;
	u32 nr_elf, cap_elf;
	struct op pendq[4];         /* ops due before the next one: a bss mapping right after
				     * its segment, the host's settings at the root's start */
	u32 npend, ipend;
	u64 host_fab, host_ra;      /* "# mmsim-host" line: fault_around_bytes, read_ahead_kb */
	bool have_host, host_done;
	u64 bss_addr, bss_len;      /* the last one: perf reports it for PIE programs */
	u32 bss_pid;
};

static struct pthread_state *pth(struct perf_reader *p, u32 tid, bool create)
{
	u32 i = tidmap_get(&p->tids, tid);
	if (i != TIDMAP_NONE)
		return &p->th[i];
	if (!create)
		return NULL;
	if (p->nr_th == p->cap_th) {
		p->cap_th = p->cap_th ? 2 * p->cap_th : 16;
		p->th = xrealloc(p->th, p->cap_th * sizeof(*p->th));
	}
	i = p->nr_th++;
	memset(&p->th[i], 0, sizeof(p->th[i]));
	p->th[i].tid = tid;
	p->th[i].pid = tid;
	tidmap_set(&p->tids, tid, i);
	return &p->th[i];
}

static int perr(struct perf_reader *p, const char *path, u64 line, const char *msg)
{
	snprintf(p->r.err, sizeof(p->r.err), "%s:%" PRIu64 ": %s", path, line, msg);
	p->failed = true;
	return -1;
}

static int hexfield(const char *line, const char *key, u64 *v)
{
	const char *f = strstr(line, key);
	if (!f)
		return -1;
	f += strlen(key);
	char *end;
	if (strncmp(f, "0x", 2))
		return -1;
	*v = strtoull(f, &end, 16);
	return end == f + 2 ? -1 : 0;
}

/* "0xOFF 0xVADDR 0xFILESZ 0xMEMSZ PATH" */
static int parse_elf_line(struct perf_reader *p, const char *s)
{
	u64 v[4];
	char *end;
	for (int i = 0; i < 4; i++) {
		while (*s == ' ')
			s++;
		if (strncmp(s, "0x", 2))
			return -1;
		v[i] = strtoull(s + 2, &end, 16);
		if (end == s + 2 || *end != ' ')
			return -1;
		s = end;
	}
	while (*s == ' ')
		s++;
	if (*s != '/' || v[3] < v[2])
		return -1;
	if (p->nr_elf == p->cap_elf) {
		p->cap_elf = p->cap_elf ? 2 * p->cap_elf : 16;
		p->elf = xrealloc(p->elf, p->cap_elf * sizeof(*p->elf));
	}
	p->elf[p->nr_elf++] = (struct elf_bss){ v[0], v[1], v[2], v[3], xstrdup(s) };
	return 0;
}

/* The mmap event after "PERF_RECORD_MMAP2 " as an OP_MMAP in pf_op (pid/tid/time by
 * the caller): fixed at its address, the file by path, anonymous for the special ones. */
static int parse_mmap_event(struct perf_reader *p, const char *ev)
{
	const char *b = strchr(ev, '[');
	char *end;
	if (!b || strncmp(b + 1, "0x", 2))
		return -1;
	u64 start = strtoull(b + 3, &end, 16);
	if (strncmp(end, "(0x", 3))
		return -1;
	u64 len = strtoull(end + 3, &end, 16);
	if (strncmp(end, ") @ ", 4))
		return -1;
	u64 pgoff = strtoull(end + 4, &end, 0);
	const char *c = strstr(end, "]: ");
	if (!c || strlen(c) < 7 || c[7] != ' ')
		return -1;
	const char *prot = c + 3, *path = c + 8;
	op_init(&p->pf_op, OP_MMAP);
	p->pf_map = true;
	p->pf_op.addr = start;
	p->pf_op.len = len;
	p->pf_op.ret = (s64)start;
	p->pf_op.prot = (prot[0] == 'r' ? PROT_READ : 0) | (prot[1] == 'w' ? PROT_WRITE : 0) |
			(prot[2] == 'x' ? PROT_EXEC : 0);
	p->pf_op.flags = MAP_FIXED | (prot[3] == 's' ? MAP_SHARED : MAP_PRIVATE);
	if (*path == '/' && strncmp(path, "//anon", 6)) {
		snprintf(p->pf_mpath, sizeof(p->pf_mpath), "%s", path);
		p->pf_op.path = p->pf_mpath;
		p->pf_op.off = pgoff;
	} else {
		p->pf_op.flags |= MAP_ANONYMOUS;
		if (!strcmp(path, "[stack]"))
			p->pf_op.flags |= MAP_GROWSDOWN;
	}
	return 0;
}

/* The ELF loader's bss after a writable segment mapped by execve: an op into pendq. */
static void exec_bss(struct perf_reader *p, const struct op *seg)
{
	if (!seg->path || !(seg->prot & PROT_WRITE))
		return;
	for (u32 i = 0; i < p->nr_elf; i++) {
		const struct elf_bss *e = &p->elf[i];
		if (strcmp(e->path, seg->path) || (e->off & ~4095ULL) != seg->off)
			continue;
		u64 bias = seg->addr - (e->vaddr & ~4095ULL);
		u64 from = (bias + e->vaddr + e->filesz + 4095) & ~4095ULL;
		u64 to = (bias + e->vaddr + e->memsz + 4095) & ~4095ULL;
		if (to <= from || p->npend >= ARRAY_SIZE(p->pendq))
			return;
		struct op *b = &p->pendq[p->npend++];
		*b = *seg;
		b->path = NULL;
		b->off = 0;
		b->addr = from;
		b->len = to - from;
		b->ret = (s64)from;
		b->flags = MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS;
		b->think_ns = 0;
		p->bss_pid = b->pid;
		p->bss_addr = b->addr;
		p->bss_len = b->len;
		return;
	}
}

/* Next fault line as an op (absolute realtime in pf_abs). 1, 0 at the end, -1 error. */
static int next_fault(struct perf_reader *p)
{
	char *line;
	size_t len;
	for (;;) {
		int rc = linereader_next(p->pf, &line, &len);
		if (rc < 0)
			return perr(p, p->pf_path, linereader_lineno(p->pf), linereader_error(p->pf));
		if (rc == 0)
			return 0;
		u64 ln = linereader_lineno(p->pf);
		if (!strncmp(line, CLOCK_TAG, strlen(CLOCK_TAG))) {
			char *end;
			p->clock_off = strtoll(line + strlen(CLOCK_TAG), &end, 10);
			if (end == line + strlen(CLOCK_TAG) || *end)
				return perr(p, p->pf_path, ln, "clock line: expected an integer");
			p->have_clock = true;
			continue;
		}
		if (!strncmp(line, HOST_TAG, strlen(HOST_TAG))) {
			unsigned long long fab, ra;
			int n = 0;
			if (sscanf(line + strlen(HOST_TAG), "fault_around_bytes=%llu read_ahead_kb=%llu%n",
				   &fab, &ra, &n) != 2 || line[strlen(HOST_TAG) + (size_t)n])
				return perr(p, p->pf_path, ln, "mmsim-host line: expected "
					    "fault_around_bytes=N read_ahead_kb=N");
			p->host_fab = fab;
			p->host_ra = ra;
			p->have_host = true;
			continue;
		}
		if (!strncmp(line, ELF_TAG, strlen(ELF_TAG))) {
			if (parse_elf_line(p, line + strlen(ELF_TAG)) < 0)
				return perr(p, p->pf_path, ln, "mmsim-elf line: expected 0xOFF 0xVADDR "
					    "0xFILESZ 0xMEMSZ PATH");
			continue;
		}
		const char *s = line;
		while (*s == ' ')
			s++;
		if (!*s || *s == '#')
			continue;
		const char *ev = strstr(s, "exceptions:page_fault_");
		const char *mev = ev ? NULL : strstr(s, ": PERF_RECORD_MMAP2 ");
		if (!ev && !mev && strstr(s, ": PERF_RECORD_MMAP ")) {
			p->r.info.skipped++;   /* the kernel image perf synthesizes */
			continue;
		}
		if (!ev && mev)
			ev = mev;
		if (!ev) {
			trace_info_unknown(&p->r.info, "(perf: other events)", 20);
			p->r.info.skipped++;
			continue;
		}
		if (!p->have_clock)
			return perr(p, p->pf_path, ln, "no \"" CLOCK_TAG "N\" line before the first "
				    "fault: record with `mmsim record`");
		char *end;
		unsigned long pid = strtoul(s, &end, 10);
		if (end == s || *end != '/')
			return perr(p, p->pf_path, ln, "expected PID/TID (perf script -F "
				    "pid,tid,time,event,trace --ns)");
		const char *t = end + 1;
		unsigned long tid = strtoul(t, &end, 10);
		if (end == t || *end != ' ')
			return perr(p, p->pf_path, ln, "expected PID/TID");
		t = end;
		while (*t == ' ')
			t++;
		unsigned long long sec = strtoull(t, &end, 10);
		if (end == t || *end != '.')
			return perr(p, p->pf_path, ln, "expected a time SECONDS.NANOSECONDS:");
		t = end + 1;
		const char *fs = t;
		unsigned long long frac = strtoull(t, &end, 10);
		if (end - fs != 9 || *end != ':')
			return perr(p, p->pf_path, ln, "expected a time with 9 decimals (perf script "
				    "--ns)");
		/* the time plus the recording's clock offset, in signed 64-bit nanoseconds */
		s64 abs;
		if (sec > (u64)INT64_MAX / NSEC_PER_SEC - 1 ||
		    __builtin_add_overflow((s64)(sec * NSEC_PER_SEC + frac), p->clock_off, &abs))
			return perr(p, p->pf_path, ln, "time out of range (seconds plus the "
				    "recording's clock offset pass 2^63 ns)");
		if (mev) {
			if (parse_mmap_event(p, mev) < 0)
				return perr(p, p->pf_path, ln, "PERF_RECORD_MMAP2: expected [0xSTART(0xLEN) "
					    "@ PGOFF MAJ:MIN INO GEN]: PROT PATH");
			p->pf_op.pid = (u32)pid;
			p->pf_op.tid = (u32)tid;
			p->pf_abs = abs < 0 ? 0 : (u64)abs;
			return 1;
		}
		p->pf_map = false;
		u64 addr, ecode;
		if (hexfield(ev, "address=", &addr) < 0 || hexfield(ev, "error_code=", &ecode) < 0)
			return perr(p, p->pf_path, ln, "expected address=0x... and error_code=0x...");
		if (addr >= USER_ADDR_END) {
			p->r.info.skipped++;
			continue;
		}
		op_init(&p->pf_op, OP_TOUCH);
		p->pf_op.pid = (u32)pid;
		p->pf_op.tid = (u32)tid;
		p->pf_op.addr = addr & ~4095ULL;
		p->pf_op.len = 4096;
		p->pf_op.flags = (ecode & 2) ? TOUCH_WRITE : 0;
		p->pf_abs = abs < 0 ? 0 : (u64)abs;
		return 1;
	}
}

static int next_sample(struct perf_reader *p)
{
	char *line;
	size_t len;
	for (;;) {
		int rc = linereader_next(p->sm, &line, &len);
		if (rc < 0)
			return perr(p, p->sm_path, linereader_lineno(p->sm), linereader_error(p->sm));
		if (rc == 0)
			return 0;
		if (!len || line[0] == '#')
			continue;
		unsigned long long v[6];
		int n;
		if (sscanf(line, "%llu %llu %llu %llu %llu %llu%n", &v[0], &v[1], &v[2], &v[3],
			   &v[4], &v[5], &n) != 6 || line[n])
			return perr(p, p->sm_path, linereader_lineno(p->sm),
				    "expected REALTIME_NS RSS_KB ANON_KB SWAP_KB FLT PGFAULT");
		op_init(&p->sm_op, OP_OBSERVE);
		p->sm_op.id = v[1];
		p->sm_op.len = v[2];
		p->sm_op.len2 = v[3];
		p->sm_op.addr = v[4];
		p->sm_op.addr2 = v[5];
		p->sm_abs = v[0];
		return 1;
	}
}

static bool item_less(const struct st_item *a, const struct st_item *b)
{
	return a->op.time_ns < b->op.time_ns || (a->op.time_ns == b->op.time_ns && a->seq < b->seq);
}

static void heap_push(struct perf_reader *p, const struct op *op)
{
	if (p->nr_heap == p->cap_heap) {
		p->cap_heap = p->cap_heap ? 2 * p->cap_heap : 256;
		p->heap = xrealloc(p->heap, p->cap_heap * sizeof(*p->heap));
	}
	u32 i = p->nr_heap++;
	struct st_item it = { *op, p->seq++, op->path ? xstrdup(op->path) : NULL };
	it.op.path = NULL;
	while (i) {
		u32 up = (i - 1) / 2;
		if (!item_less(&it, &p->heap[up]))
			break;
		p->heap[i] = p->heap[up];
		i = up;
	}
	p->heap[i] = it;
}

/* The earliest record into op; its path is copied to st_path. */
static void heap_pop(struct perf_reader *p, struct op *op)
{
	struct st_item top = p->heap[0];
	struct st_item last = p->heap[--p->nr_heap];
	u32 i = 0;
	for (;;) {
		u32 c = 2 * i + 1;
		if (c >= p->nr_heap)
			break;
		if (c + 1 < p->nr_heap && item_less(&p->heap[c + 1], &p->heap[c]))
			c++;
		if (!item_less(&p->heap[c], &last))
			break;
		p->heap[i] = p->heap[c];
		i = c;
	}
	if (p->nr_heap)
		p->heap[i] = last;
	*op = top.op;
	if (top.path) {
		snprintf(p->st_path, sizeof(p->st_path), "%s", top.path);
		op->path = p->st_path;
		free(top.path);
	}
}

static int fill(struct perf_reader *p)
{
	while (!p->st_done && (!p->nr_heap || p->max_time < p->heap[0].op.time_ns + STRACE_WINDOW_NS)) {
		struct op o;
		int rc = trace_reader_next(p->st, &o);
		if (rc < 0) {
			snprintf(p->r.err, sizeof(p->r.err), "%s", trace_reader_error(p->st));
			p->failed = true;
			return -1;
		}
		if (rc == 0) {
			p->st_done = true;
			break;
		}
		if (!p->seq) {
			const struct trace_info *si = trace_reader_info(p->st);
			if (si->time_base_ns < 86400ULL * NSEC_PER_SEC) {
				snprintf(p->r.err, sizeof(p->r.err), "%s: the strace log's times are "
					 "times of day; faults merge only with epoch times (strace "
					 "--timestamps=unix,ns or -ttt)", p->r.path);
				p->failed = true;
				return -1;
			}
		}
		heap_push(p, &o);
		p->max_time = max(p->max_time, o.time_ns);
	}
	if (!p->st_ready && p->nr_heap) {
		heap_pop(p, &p->st_op);
		p->st_ready = true;
	}
	if (!p->pf_ready && !p->pf_done) {
		int rc = next_fault(p);
		if (rc < 0)
			return -1;
		p->pf_ready = rc;
		p->pf_done = !rc;
	}
	if (p->sm && !p->sm_ready && !p->sm_done) {
		int rc = next_sample(p);
		if (rc < 0)
			return -1;
		p->sm_ready = rc;
		p->sm_done = !rc;
	}
	return 0;
}

static u64 rel(const struct perf_reader *p, u64 abs)
{
	u64 base = trace_reader_info(p->st)->time_base_ns;
	return abs > base ? abs - base : 0;
}

static void set_think(struct perf_reader *p, struct pthread_state *t, struct op *op)
{
	op->think_ns = t->seen && op->time_ns > t->last_time ? op->time_ns - t->last_time : 0;
	if (op->time_ns > t->last_time || !t->seen)
		t->last_time = op->time_ns;
	t->seen = true;
	(void)p;
}

/* The recording host's fault-around and read-ahead sizes, as writes of the root thread
 * at its start (the replay's page-cache fault model follows them). */
static void host_settings(struct perf_reader *p, u32 pid, u32 tid, u64 time)
{
	static const char *const paths[] = { "/sys/kernel/debug/fault_around_bytes",
					     "/sys/block/recorded/queue/read_ahead_kb" };
	if (!p->have_host || p->host_done || p->npend + 2 > ARRAY_SIZE(p->pendq))
		return;
	p->host_done = true;
	for (int i = 0; i < 2; i++) {
		struct op *o = &p->pendq[p->npend++];
		op_init(o, OP_SYSCTL);
		o->pid = pid;
		o->tid = tid;
		o->time_ns = time;
		o->path = (char *)paths[i];
		o->id = i ? p->host_ra : p->host_fab;
	}
}

static int perf_next(struct trace_reader *r, struct op *op)
{
	struct perf_reader *p = container_of(r, struct perf_reader, r);
	if (p->failed)
		return -1;
	for (;;) {
		if (p->ipend < p->npend) {
			*op = p->pendq[p->ipend++];
			if (p->ipend == p->npend)
				p->ipend = p->npend = 0;
			r->info.exec_maps += op->type == OP_MMAP;
			r->info.records++;
			return 1;
		}
		if (fill(p) < 0)
			return -1;
		if (!p->st_ready && !p->pf_ready && !p->sm_ready) {
			/* the strace reader's counts of what it did not import */
			const struct trace_info *si = trace_reader_info(p->st);
			r->info.lines = si->lines;
			r->info.signals = si->signals;
			r->info.nr_unknown = si->nr_unknown;
			memcpy(r->info.unknown, si->unknown, sizeof(si->unknown));
			r->info.unknown_other = si->unknown_other;
			r->info.time_base_ns = si->time_base_ns;
			return 0;
		}
		u64 st_abs = p->st_ready ? trace_reader_info(p->st)->time_base_ns + p->st_op.time_ns
					 : UINT64_MAX;
		u64 pf_abs = p->pf_ready ? p->pf_abs : UINT64_MAX;
		u64 sm_abs = p->sm_ready ? p->sm_abs : UINT64_MAX;
		if (p->st_ready && st_abs <= pf_abs && st_abs <= sm_abs) {
			*op = p->st_op;
			p->st_ready = false;
			struct pthread_state *t = pth(p, op->tid, true);
			if (t->live || t->seen)
				op->pid = t->pid;   /* the strace reader learns a child's pid late */
			else
				t->pid = op->pid;
			if (!p->have_root) {
				p->have_root = true;
				p->root_pid = op->pid;
				p->root_tid = op->tid;
				t->live = true;
				host_settings(p, op->pid, op->tid, op->time_ns);
			}
			if (!t->live && !t->seen)
				t->live = true;   /* a root of its own (strace -p) */
			if ((op->type == OP_FORK || op->type == OP_CLONE) && op->id && op->ret > 0) {
				u32 self = op->tid;
				struct pthread_state *c = pth(p, (u32)op->id, true);
				c->pid = op->type == OP_FORK ? (u32)op->id : op->pid;
				c->live = true;
				t = pth(p, self, false);
			}
			op->think_ns = 0;
			set_think(p, t, op);
			if (op->type == OP_EXIT)
				t->live = false;
			/* the kernel's mappings of a successful execve come next */
			t->exec_window = op->type == OP_EXECVE &&
					 (op->ret == OP_RET_NONE || op->ret >= 0);
			/* the strace reader's think time is per thread over its own records;
			 * recomputed over the merged stream */
			r->info.records++;
			return 1;
		}
		if (p->sm_ready && sm_abs <= pf_abs) {
			p->sm_ready = false;
			struct pthread_state *t = p->have_root ? pth(p, p->root_tid, false) : NULL;
			if (!t || !t->live)
				continue;
			*op = p->sm_op;
			op->pid = p->root_pid;
			op->tid = p->root_tid;
			op->time_ns = rel(p, p->sm_abs);
			set_think(p, t, op);
			r->info.records++;
			return 1;
		}
		p->pf_ready = false;
		if (p->pf_map) {
			/* the root's exec: its "[stack]" event before its first traced call */
			if (!p->have_root && p->st_ready && p->pf_op.pid == p->st_op.pid &&
			    p->pf_op.pid == p->pf_op.tid && (p->pf_op.flags & MAP_GROWSDOWN)) {
				struct pthread_state *rt = pth(p, p->pf_op.tid, true);
				p->have_root = true;
				p->root_pid = rt->pid = p->pf_op.pid;
				p->root_tid = p->pf_op.tid;
				rt->live = rt->exec_window = true;
				host_settings(p, p->pf_op.pid, p->pf_op.tid, rel(p, p->pf_abs));
			}
			struct pthread_state *mt = pth(p, p->pf_op.tid, false);
			if (!mt || !mt->live || !mt->exec_window || mt->pid != p->pf_op.pid) {
				r->info.skipped++;   /* the program's own mmap: strace has it */
				continue;
			}
			if ((p->pf_op.flags & MAP_ANONYMOUS) && p->pf_op.pid == p->bss_pid &&
			    p->pf_op.addr == p->bss_addr && p->pf_op.len == p->bss_len) {
				r->info.skipped++;   /* the bss we mapped from the ELF line */
				continue;
			}
			*op = p->pf_op;
			op->time_ns = rel(p, p->pf_abs);
			set_think(p, mt, op);
			exec_bss(p, op);
			r->info.exec_maps++;
			r->info.records++;
			return 1;
		}
		struct pthread_state *t = pth(p, p->pf_op.tid, false);
		if (!t || !t->live || t->pid != p->pf_op.pid) {
			r->info.faults_foreign++;
			continue;
		}
		*op = p->pf_op;
		op->time_ns = rel(p, p->pf_abs);
		set_think(p, t, op);
		r->info.faults_imported++;
		r->info.records++;
		return 1;
	}
}

static void perf_close(struct trace_reader *r)
{
	struct perf_reader *p = container_of(r, struct perf_reader, r);
	trace_reader_close(p->st);
	linereader_close(p->pf);
	if (p->sm)
		linereader_close(p->sm);
	tidmap_free(&p->tids);
	for (u32 i = 0; i < p->nr_heap; i++)
		free(p->heap[i].path);
	free(p->heap);
	free(p->th);
	for (u32 i = 0; i < p->nr_elf; i++)
		free(p->elf[i].path);
	free(p->elf);
	free(p->pf_path);
	free(p->sm_path);
	free(r->path);
	free(p);
}

struct trace_reader *perf_faults_open(const char *strace_path, const struct trace_import_opts *opts,
				      char *err, size_t errlen)
{
	struct trace_import_opts o = *opts;
	o.perf_faults = NULL;
	o.observed = NULL;
	struct trace_reader *st = strace_open(strace_path, &o, err, errlen);
	if (!st)
		return NULL;
	struct linereader *pf = linereader_open(opts->perf_faults, err, errlen);
	if (!pf) {
		trace_reader_close(st);
		return NULL;
	}
	struct linereader *sm = NULL;
	if (opts->observed) {
		sm = linereader_open(opts->observed, err, errlen);
		if (!sm) {
			linereader_close(pf);
			trace_reader_close(st);
			return NULL;
		}
	}
	struct perf_reader *p = xcalloc(1, sizeof(*p));
	trace_reader_init(&p->r, strace_path, TRACE_KIND_STRACE);
	p->r.next = perf_next;
	p->r.close = perf_close;
	p->st = st;
	p->pf = pf;
	p->sm = sm;
	p->pf_path = xstrdup(opts->perf_faults);
	p->sm_path = opts->observed ? xstrdup(opts->observed) : NULL;
	return &p->r;
}
