/* timeline.c - the streaming writer of timeline.json (see timeline.h for the tracks and
 * the clipping rule). One event per line, written as slices end; per task a stack of
 * open nested slices and the locks it holds, per CPU the slice being extended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "stats/outdir.h"
#include "stats/timeline.h"

#define TL_MAX_DEPTH 32          /* nested slices kept per task; deeper ones are dropped */
#define TL_MAX_LANES 64          /* "locks held" tracks per task */
#define PID_CPUS 1
#define PID_KTHREADS 2
#define TID_TASK_BASE 1000000u   /* CPU tracks are tids 1..; task tracks above this */

static const struct {
	const char *name, *cat, *arg;
	bool hex;
} kinds[NR_TL_KINDS] = {
	[TL_PAGE_FAULT] = { "page fault", "fault", "address", true },
	[TL_HUGETLB_FAULT] = { "hugetlb_fault", "hugetlb", "address", true },
	[TL_HUGETLB_ALLOC] = { "hugetlb alloc", "hugetlb", "node", false },
	[TL_DIRECT_RECLAIM] = { "direct reclaim", "reclaim", "order", false },
	[TL_SHRINK_NODE] = { "shrink_node", "reclaim", "node", false },
	[TL_COMPACT_ZONE] = { "compact_zone", "compaction", "order", false },
	[TL_SWAP_IN] = { "swap in", "swap", "pages", false },
	[TL_SWAP_OUT] = { "swap out", "swap", "pages", false },
	[TL_KHUGEPAGED_SCAN] = { "khugepaged scan", "khugepaged", "pages", false },
	[TL_COLLAPSE] = { "collapse_huge_page", "khugepaged", "address", true },
	[TL_WRITEBACK] = { "writeback", "writeback", "pages", false },
	[TL_FILE_IO] = { "file I/O", "io", "pages", false },
};

struct tl_open {
	u64 start, arg;
	u8 kind;
	bool emitted;               /* its "B" is in the file */
};

struct tl_held {
	const void *lock;
	const char *class, *func;   /* borrowed: lockstat's names, static sites */
	u64 acquired;
	int line;
	u8 lane;
	bool read;
};

struct tl_task {
	bool named;                 /* thread_name of the main track written */
	u32 pid;                    /* the pid it was named under */
	u32 tid;                    /* its thread id as named (0: none) */
	u64 last_ts;                /* main track */
	int depth, dropped;         /* open slices; nested deeper than TL_MAX_DEPTH */
	struct tl_open stack[TL_MAX_DEPTH];
	struct tl_held held[MAX_LOCK_DEPTH];
	int nr_held;
	u64 lanes_busy, lanes_named;
	u64 *lane_last;             /* TL_MAX_LANES, allocated at the first hold */
	struct task *tsk;           /* for the end of the run (tasks outlive the timeline) */
};

struct tl_cpu {
	struct task *tsk;           /* the slice being extended, or NULL */
	u64 start, end;
	u64 last_ts;
};

struct timeline {
	struct outdir *od;
	FILE *f;
	char *buf;
	u64 from, to;
	unsigned nr_cpus;
	struct tl_cpu *cpus;
	struct tl_task **tasks;     /* by task id */
	u32 nr_tasks;
	u32 *pids;                  /* process_name written: open addressing, 0 = empty */
	u32 pids_cap, nr_pids;
	u64 events, lock_waits;
	timeline_ids_fn ids;
	void *ids_arg;
};

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Microseconds with the nanoseconds as three decimals. */
static void put_us(FILE *f, const char *key, u64 ns)
{
	fprintf(f, ",\"%s\":%llu.%03u", key, (unsigned long long)(ns / 1000), (unsigned)(ns % 1000));
}

/* Every event but the first is preceded by ",\n". */
static void ev_start(struct timeline *tl)
{
	fputs(tl->events++ ? ",\n{" : "\n{", tl->f);
}

static void meta(struct timeline *tl, const char *what, u32 pid, u32 tid, const char *name,
		 long sort)
{
	ev_start(tl);
	fprintf(tl->f, "\"name\":\"%s\",\"ph\":\"M\",\"ts\":0,\"pid\":%u,\"tid\":%u,\"args\":{", what,
		pid, tid);
	if (name) {
		fputs("\"name\":", tl->f);
		put_str(tl->f, name);
	} else {
		fprintf(tl->f, "\"sort_index\":%ld", sort);
	}
	fputs("}}", tl->f);
}

struct timeline *timeline_open(struct outdir *od, u64 from_ns, u64 to_ns, unsigned nr_cpus,
			       unsigned cpus_per_node, timeline_ids_fn ids, void *ids_arg)
{
	FILE *f = outdir_open(od, "timeline.json");
	if (!f)
		return NULL;
	struct timeline *tl = xcalloc(1, sizeof(*tl));
	tl->od = od;
	tl->f = f;
	tl->buf = xmalloc(1 << 20);
	setvbuf(f, tl->buf, _IOFBF, 1 << 20);
	tl->from = from_ns;
	tl->ids = ids;
	tl->ids_arg = ids_arg;
	tl->to = to_ns;
	tl->nr_cpus = nr_cpus;
	tl->cpus = xcalloc(nr_cpus ? nr_cpus : 1, sizeof(*tl->cpus));
	fputs("{\"traceEvents\":[", f);
	meta(tl, "process_name", PID_CPUS, 0, "CPUs", 0);
	meta(tl, "process_sort_index", PID_CPUS, 0, NULL, -2);
	meta(tl, "process_name", PID_KTHREADS, 0, "kernel threads", 0);
	meta(tl, "process_sort_index", PID_KTHREADS, 0, NULL, -1);
	for (unsigned c = 0; c < nr_cpus; c++) {
		char name[48];
		snprintf(name, sizeof(name), "CPU %u (node %u)", c, c / (cpus_per_node ? cpus_per_node : 1));
		meta(tl, "thread_name", PID_CPUS, 1 + c, name, 0);
		meta(tl, "thread_sort_index", PID_CPUS, 1 + c, NULL, (long)c);
	}
	return tl;
}

/* ---- tasks and their tracks ---- */

static u32 task_tid(const struct task *tsk)
{
	return TID_TASK_BASE + tsk->id * (TL_MAX_LANES + 1);
}


static struct tl_task *tl_task(struct timeline *tl, struct task *tsk)
{
	if (tsk->id >= tl->nr_tasks) {
		u32 n = tl->nr_tasks ? tl->nr_tasks : 64;
		while (n <= tsk->id)
			n *= 2;
		tl->tasks = xrealloc(tl->tasks, n * sizeof(*tl->tasks));
		memset(tl->tasks + tl->nr_tasks, 0, (n - tl->nr_tasks) * sizeof(*tl->tasks));
		tl->nr_tasks = n;
	}
	struct tl_task *t = tl->tasks[tsk->id];
	if (!t) {
		t = tl->tasks[tsk->id] = xcalloc(1, sizeof(*t));
		t->tsk = tsk;
	}
	return t;
}

/* A process's name, once per pid. */
static void name_process(struct timeline *tl, u32 pid, const char *comm)
{
	if (pid == PID_KTHREADS)
		return;
	if (tl->nr_pids * 2 >= tl->pids_cap) {
		u32 ncap = tl->pids_cap ? 2 * tl->pids_cap : 64;
		u32 *np = xcalloc(ncap, sizeof(*np));
		for (u32 i = 0; i < tl->pids_cap; i++) {
			if (!tl->pids[i])
				continue;
			u32 h = (tl->pids[i] * 2654435761u) & (ncap - 1);
			while (np[h])
				h = (h + 1) & (ncap - 1);
			np[h] = tl->pids[i];
		}
		free(tl->pids);
		tl->pids = np;
		tl->pids_cap = ncap;
	}
	u32 h = (pid * 2654435761u) & (tl->pids_cap - 1);
	for (; tl->pids[h]; h = (h + 1) & (tl->pids_cap - 1))
		if (tl->pids[h] == pid)
			return;
	tl->pids[h] = pid;
	tl->nr_pids++;
	char name[64];
	snprintf(name, sizeof(name), "%s (pid %u)", comm, pid);
	meta(tl, "process_name", pid, 0, name, 0);
}

static void name_task(struct timeline *tl, struct tl_task *t, struct task *tsk)
{
	if (t->named)
		return;
	t->named = true;
	t->pid = tsk->pid;
	t->tid = tsk->tid;
	if (!tsk->kthread && tl->ids)
		tl->ids(tl->ids_arg, tsk, &t->pid, &t->tid);
	if (tsk->kthread || t->pid <= PID_KTHREADS)
		t->pid = PID_KTHREADS;
	name_process(tl, t->pid, tsk->comm);
	char name[64];
	if (tsk->kthread || !t->tid)
		snprintf(name, sizeof(name), "%s", tsk->comm);
	else
		snprintf(name, sizeof(name), "%s/%u", tsk->comm, t->tid);
	meta(tl, "thread_name", t->pid, task_tid(tsk), name, 0);
	meta(tl, "thread_sort_index", t->pid, task_tid(tsk), NULL, (long)tsk->id * (TL_MAX_LANES + 1));
}

static void ev_head(struct timeline *tl, const char *ph, const char *name, const char *cat,
		    u64 ts, u32 pid, u32 tid)
{
	ev_start(tl);
	fprintf(tl->f, "\"name\":");
	put_str(tl->f, name);
	fprintf(tl->f, ",\"cat\":\"%s\",\"ph\":\"%s\"", cat, ph);
	put_us(tl->f, "ts", ts);
	fprintf(tl->f, ",\"pid\":%u,\"tid\":%u", pid, tid);
}

static void put_kind_args(struct timeline *tl, const struct tl_open *o)
{
	if (kinds[o->kind].hex)
		fprintf(tl->f, ",\"args\":{\"%s\":\"%#llx\"}", kinds[o->kind].arg,
			(unsigned long long)o->arg);
	else
		fprintf(tl->f, ",\"args\":{\"%s\":%lld}", kinds[o->kind].arg, (long long)o->arg);
}

/* Before writing an event at time ts (inside the window) on tsk's main track: the
 * slices it is nested in that began before the window, or were not written yet, begin
 * at max(their start, FROM). Returns the clamped time (never before the track's last). */
static u64 sync_track(struct timeline *tl, struct tl_task *t, struct task *tsk, u64 ts)
{
	name_task(tl, t, tsk);
	int n = t->depth < TL_MAX_DEPTH ? t->depth : TL_MAX_DEPTH;
	for (int i = 0; i < n; i++) {
		struct tl_open *o = &t->stack[i];
		if (o->emitted)
			continue;
		u64 b = o->start > tl->from ? o->start : tl->from;
		if (b < t->last_ts)
			b = t->last_ts;
		ev_head(tl, "B", kinds[o->kind].name, kinds[o->kind].cat, b, t->pid, task_tid(tsk));
		put_kind_args(tl, o);
		fputc('}', tl->f);
		o->emitted = true;
		t->last_ts = b;
	}
	return ts > t->last_ts ? ts : t->last_ts;
}

void timeline_begin(struct timeline *tl, struct task *tsk, enum tl_kind kind, u64 arg)
{
	struct tl_task *t = tl_task(tl, tsk);
	u64 now = task_now(tsk);
	if (t->depth++ >= TL_MAX_DEPTH) {
		t->dropped++;
		return;
	}
	t->stack[t->depth - 1] = (struct tl_open){ .start = now, .arg = arg, .kind = (u8)kind };
	if (now >= tl->from && now < tl->to)
		sync_track(tl, t, tsk, now);   /* writes this one's "B" too */
}

/* End the innermost open slice at time now. */
static void end_top(struct timeline *tl, struct tl_task *t, struct task *tsk, u64 now)
{
	struct tl_open *o = &t->stack[t->depth - 1];
	u64 e = now < tl->to ? now : tl->to;
	if (!o->emitted && o->start < tl->to && now > tl->from)
		sync_track(tl, t, tsk, e);
	if (o->emitted) {
		if (e < t->last_ts)
			e = t->last_ts;
		ev_head(tl, "E", kinds[o->kind].name, kinds[o->kind].cat, e, t->pid, task_tid(tsk));
		fputc('}', tl->f);
		t->last_ts = e;
	}
	t->depth--;
}

void timeline_end(struct timeline *tl, struct task *tsk, enum tl_kind kind)
{
	struct tl_task *t = tl_task(tl, tsk);
	if (!t->depth)
		return;
	if (t->depth > TL_MAX_DEPTH) {
		t->depth--;
		t->dropped--;
		return;
	}
	if (t->stack[t->depth - 1].kind != kind) {
		fprintf(stderr, "mmsim: bug: timeline: %s ends while %s is open (task %s/%u)\n",
			kinds[kind].name, kinds[t->stack[t->depth - 1].kind].name, tsk->comm, tsk->id);
		abort();
	}
	end_top(tl, t, tsk, task_now(tsk));
}

/* ---- locks ---- */

void timeline_lock_wait(struct timeline *tl, struct task *tsk, const char *class, const char *func,
			int line, bool read, u64 start_ns, u64 wait_ns)
{
	u64 end = start_ns + wait_ns;
	u64 s = start_ns > tl->from ? start_ns : tl->from;
	u64 e = end < tl->to ? end : tl->to;
	if (s >= e)
		return;
	struct tl_task *t = tl_task(tl, tsk);
	u64 ts = sync_track(tl, t, tsk, s);
	e += ts - s;
	ev_head(tl, "X", class, "lock wait", ts, t->pid, task_tid(tsk));
	put_us(tl->f, "dur", e - ts);
	fprintf(tl->f, ",\"args\":{\"class\":");
	put_str(tl->f, class);
	fprintf(tl->f, ",\"site\":");
	put_str(tl->f, func);
	fprintf(tl->f, ",\"line\":%d,\"rw\":\"%s\",\"wait_ns\":%llu", line, read ? "read" : "write",
		(unsigned long long)wait_ns);
	if (s != start_ns || e - ts != wait_ns)
		fputs(",\"clipped\":true", tl->f);
	fputs("}}", tl->f);
	t->last_ts = ts;
	tl->lock_waits++;
}

void timeline_lock_acquired(struct timeline *tl, struct task *tsk, const void *lock,
			    const char *class, const char *func, int line, bool read,
			    u64 acquired_ns)
{
	struct tl_task *t = tl_task(tl, tsk);
	if (t->nr_held >= MAX_LOCK_DEPTH)
		return;
	int lane = __builtin_ctzll(~t->lanes_busy);   /* lanes <= MAX_LOCK_DEPTH < 64 */
	t->lanes_busy |= 1ULL << lane;
	t->held[t->nr_held++] = (struct tl_held){ .lock = lock, .class = class, .func = func,
						  .acquired = acquired_ns, .line = line,
						  .lane = (u8)lane, .read = read };
}

static void hold_slice(struct timeline *tl, struct tl_task *t, struct task *tsk, int lane,
		       const char *class, const char *func, int line, bool read, u64 acq, u64 rel)
{
	u64 s = acq > tl->from ? acq : tl->from;
	u64 e = rel < tl->to ? rel : tl->to;
	if (s > e || (s == e && (acq < s || rel > e || acq >= tl->to)))
		return;
	if (!t->lane_last)
		t->lane_last = xcalloc(TL_MAX_LANES, sizeof(*t->lane_last));
	name_task(tl, t, tsk);
	u32 tid = task_tid(tsk) + 1 + (u32)lane;
	if (!(t->lanes_named & (1ULL << lane))) {
		char name[64];
		t->lanes_named |= 1ULL << lane;
		int n = tsk->kthread || !t->tid ?
			snprintf(name, sizeof(name), "%s locks held", tsk->comm) :
			snprintf(name, sizeof(name), "%s/%u locks held", tsk->comm, t->tid);
		if (lane && n > 0 && (size_t)n < sizeof(name))
			snprintf(name + n, sizeof(name) - (size_t)n, " #%d", lane + 1);
		meta(tl, "thread_name", t->pid, tid, name, 0);
		meta(tl, "thread_sort_index", t->pid, tid, NULL,
		     (long)tsk->id * (TL_MAX_LANES + 1) + 1 + lane);
	}
	if (s < t->lane_last[lane]) {
		e += t->lane_last[lane] - s;
		s = t->lane_last[lane];
	}
	ev_head(tl, "X", class, "lock hold", s, t->pid, tid);
	put_us(tl->f, "dur", e - s);
	fprintf(tl->f, ",\"args\":{\"class\":");
	put_str(tl->f, class);
	fprintf(tl->f, ",\"site\":");
	put_str(tl->f, func);
	fprintf(tl->f, ",\"line\":%d,\"rw\":\"%s\",\"hold_ns\":%llu", line, read ? "read" : "write",
		(unsigned long long)(rel - acq));
	if (s != acq || e != rel)
		fputs(",\"clipped\":true", tl->f);
	fputs("}}", tl->f);
	t->lane_last[lane] = s;
}

void timeline_lock_released(struct timeline *tl, struct task *tsk, const void *lock,
			    const char *class, const char *func, int line, bool read,
			    u64 acquired_ns)
{
	struct tl_task *t = tl_task(tl, tsk);
	int lane = -1;
	for (int i = t->nr_held - 1; i >= 0; i--) {
		if (t->held[i].lock != lock)
			continue;
		lane = t->held[i].lane;
		t->held[i] = t->held[--t->nr_held];
		t->lanes_busy &= ~(1ULL << lane);
		break;
	}
	if (lane < 0)       /* taken before the timeline was opened */
		lane = __builtin_ctzll(~t->lanes_busy);
	u64 now = task_now(tsk);
	hold_slice(tl, t, tsk, lane, class, func, line, read, acquired_ns,
		   now > acquired_ns ? now : acquired_ns);
}

/* ---- CPUs ---- */

static void cpu_emit(struct timeline *tl, unsigned cpu)
{
	struct tl_cpu *c = &tl->cpus[cpu];
	if (!c->tsk)
		return;
	u64 s = c->start > tl->from ? c->start : tl->from;
	u64 e = c->end < tl->to ? c->end : tl->to;
	if (s < c->last_ts)
		s = c->last_ts;
	if (s < e) {
		name_task(tl, tl_task(tl, c->tsk), c->tsk);   /* every task that ran has a track */
		struct tl_task *t = tl->tasks[c->tsk->id];
		char name[48];
		if (c->tsk->kthread || !t->tid)
			snprintf(name, sizeof(name), "%s", c->tsk->comm);
		else
			snprintf(name, sizeof(name), "%s/%u", c->tsk->comm, t->tid);
		ev_head(tl, "X", name, "cpu", s, PID_CPUS, 1 + cpu);
		put_us(tl->f, "dur", e - s);
		fprintf(tl->f, ",\"args\":{\"task\":%u}}", c->tsk->id);
		c->last_ts = e;
	}
	c->tsk = NULL;
}

void timeline_cpu(void *arg, struct task *tsk, u64 start_ns, u64 end_ns)
{
	struct timeline *tl = arg;
	if (tsk->cpu >= tl->nr_cpus)
		return;
	struct tl_cpu *c = &tl->cpus[tsk->cpu];
	if (c->tsk == tsk && start_ns <= c->end) {
		if (end_ns > c->end)
			c->end = end_ns;
		return;
	}
	cpu_emit(tl, tsk->cpu);
	*c = (struct tl_cpu){ .tsk = tsk, .start = start_ns, .end = end_ns, .last_ts = c->last_ts };
}

/* ---- the end ---- */

int timeline_close(struct timeline *tl, u64 end_ns, bool partial, const char *scenario, u64 seed,
		   bool keep)
{
	for (unsigned c = 0; c < tl->nr_cpus; c++)
		cpu_emit(tl, c);
	for (u32 i = 0; i < tl->nr_tasks; i++) {
		struct tl_task *t = tl->tasks[i];
		if (!t)
			continue;
		/* slices and holds still open (tasks killed by a stop or deadlock, kernel
		 * threads at the end) end with the run */
		u64 now = end_ns > t->last_ts ? end_ns : t->last_ts;
		if (t->depth > TL_MAX_DEPTH)
			t->depth = TL_MAX_DEPTH;
		while (t->depth)
			end_top(tl, t, t->tsk, now);
		for (int k = 0; k < t->nr_held; k++) {
			const struct tl_held *h = &t->held[k];
			hold_slice(tl, t, t->tsk, h->lane, h->class, h->func, h->line, h->read,
				   h->acquired, now > h->acquired ? now : h->acquired);
		}
		free(t->lane_last);
		free(t);
	}
	fprintf(tl->f, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"mmsim %s\","
		       "\"scenario\":", MMSIM_VERSION);
	put_str(tl->f, scenario ? scenario : "");
	fprintf(tl->f, ",\"seed\":%llu,\"window_from_ns\":%llu,\"window_to_ns\":",
		(unsigned long long)seed, (unsigned long long)tl->from);
	if (tl->to == UINT64_MAX)
		fputs("null", tl->f);
	else
		fprintf(tl->f, "%llu", (unsigned long long)tl->to);
	fprintf(tl->f, ",\"end_ns\":%llu,\"partial\":%s,\"lock_wait_slices\":%llu,"
		       "\"clipping\":\"slices crossing the window's edges are cut at them; args keep "
		       "the full wait_ns/hold_ns and say clipped\"}}\n",
		(unsigned long long)end_ns, partial ? "true" : "false",
		(unsigned long long)tl->lock_waits);
	int rc = 0;
	if (keep)
		rc = outdir_commit(tl->od, tl->f);
	else
		outdir_abort(tl->od, tl->f);
	free(tl->buf);
	free(tl->cpus);
	free(tl->tasks);
	free(tl->pids);
	free(tl);
	return rc;
}
