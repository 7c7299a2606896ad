/* combine.c - one trace from a strace log (mappings, files, snapshots, times) and a
 * valgrind lackey log (page touches) of the same run.
 *
 * Recording: strace runs valgrind, and lackey prints the client's system calls among
 * its memory accesses (--trace-syscalls=yes), so both logs see the same process and the
 * same addresses:
 *   strace -f -tt -e trace=memory,process,ipc,desc -o LOG \
 *       valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --log-file=LACKEY CMD
 *
 * Alignment rule. The client's memory system calls (mmap, munmap, mprotect, mremap,
 * madvise, brk), as lackey lists them in program order, are the sync points. Each is
 * matched to the first not yet used strace record after the previous match with the
 * same call, result and range; valgrind performs the client's calls for it, so the
 * record is there unless valgrind emulated the call (brk always; some failures), in
 * which case the op is built from lackey's line. Strace records matched to nothing are
 * valgrind's own and are dropped, except (1) mappings made before the client's first
 * system call that the client touches (its executable and stack, mapped by valgrind's
 * loader, with the open of a mapped file), and (2) after that point, the other calls
 * on the client's file descriptors (below valgrind's own, which it keeps above 1000):
 * opens, reads, writes, snapshots, and the exit. A touch at instruction count c between
 * sync points k and k+1 gets the time t_k + (t_k+1 - t_k) (c - c_k) / (c_k+1 - c_k);
 * before the first and after the last, the run's mean time per instruction applies.
 * Times are the valgrind run's (slower than native by valgrind's factor).
 *
 * Scope: one single-threaded process (lackey does not say which thread made an
 * access). A log with several threads or processes is refused with a message.
 *
 * Memory: the sync table (one entry per client memory call) and the pre-start mappings;
 * the accesses stream. Both logs are read three times (plain or gzip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/reader_impl.h"

#define VALGRIND_FD_MIN 1000         /* valgrind moves its own descriptors above this */

/* One client memory system call, from a lackey SYSCALL line. */
struct csys {
	enum op_type type;
	u64 a[6];                    /* raw arguments */
	s64 ret;                     /* result or -errno */
	u64 instrs;                  /* instructions executed before it */
	s64 match;                   /* index of the strace record, -1: emulated */
	u64 time_ns;                 /* its time (matched) or interpolated */
};

/* A mapping no client call accounts for (candidate: kept when the client touches it). */
struct prestart {
	u64 index;                   /* strace record */
	u64 start, end;
	s64 open_index;              /* the open of its file, -1 */
	bool touched;
};

struct combine_reader {
	struct trace_reader r;
	struct trace_import_opts o;
	char *lackey_path;
	struct csys *sys;
	u64 nr_sys, cap_sys;
	struct prestart *pre;
	u64 nr_pre, cap_pre;
	u64 first_sync_index;        /* strace index of the first match (end of pre-start) */
	u8 *keep;                    /* bit per strace record: emitted */
	u64 nr_records;
	u32 pid;
	double ns_per_instr;         /* mean over the run, for the ends */
	/* emission */
	struct trace_reader *st, *lk;
	u64 st_index;                /* strace records read in the emit pass */
	bool kept_fd[64];            /* descriptors whose open was emitted */
	struct op st_op;             /* the next kept strace record (valid when st_ready) */
	bool st_ready, st_done;
	char st_path[MMT_MAX_PATH + 1];
	struct op lk_op;             /* the next lackey touch */
	bool lk_ready, lk_done;
	u64 lk_sys_seen;             /* client memory calls lackey has passed */
	u64 next_sys;                /* csys entries emitted */
	u64 sync_lo;                 /* interpolation cursor */
	u64 last_time;
	char errbuf[TRACE_ERR_MAX];
	bool failed;
};

/* ---- lackey SYSCALL lines ---- */

static enum op_type sys_type(unsigned nr)
{
	switch (nr) {
	case 9: return OP_MMAP;
	case 10: return OP_MPROTECT;
	case 11: return OP_MUNMAP;
	case 12: return OP_BRK;
	case 25: return OP_MREMAP;
	case 28: return OP_MADVISE;
	default: return OP_NONE;
	}
}

static bool multi_task_call(unsigned nr)
{
	return nr == 56 || nr == 57 || nr == 58 || nr == 435;   /* clone fork vfork clone3 */
}

/* "Success(0x..)" / "Failure(0x..)" after "-->"; false when the result is pending. */
static bool parse_result(const char *s, s64 *ret)
{
	const char *p = strstr(s, "--> ");
	if (!p)
		return false;
	const char *q = strstr(p, "Success(");
	if (q) {
		*ret = (s64)strtoull(q + 8, NULL, 0);
		return true;
	}
	q = strstr(p, "Failure(");
	if (q) {
		*ret = -(s64)strtoull(q + 8, NULL, 0);
		return true;
	}
	return false;
}

struct scan_ctx {
	struct combine_reader *c;
	const char *path;
	bool pending;                /* an [async] call waits for its result line */
	u64 pending_idx;
};

static int fail_line(struct scan_ctx *x, u64 lineno, const char *msg)
{
	snprintf(x->c->errbuf, sizeof(x->c->errbuf), "%s:%llu: %s", x->path,
		 (unsigned long long)lineno, msg);
	x->c->failed = true;
	return -1;
}

/* Pass 1 hook: collect the client's memory calls. */
static int collect_syscall(void *arg, u64 instrs, const char *line, u64 lineno)
{
	struct scan_ctx *x = arg;
	struct combine_reader *c = x->c;
	unsigned pid = 0, tid = 0, nr = 0;
	const char *p = line + 8;
	char *end;
	pid = (unsigned)strtoul(p, &end, 10);
	if (*end != ',')
		return fail_line(x, lineno, "unreadable SYSCALL line");
	tid = (unsigned)strtoul(end + 1, &end, 10);
	if (*end != ']' || end[1] != '(')
		return fail_line(x, lineno, "unreadable SYSCALL line");
	nr = (unsigned)strtoul(end + 2, &end, 10);
	if (*end != ')')
		return fail_line(x, lineno, "unreadable SYSCALL line");
	const char *rest = end + 1;
	if (tid != 1 || (c->pid && pid != c->pid) || multi_task_call(nr))
		return fail_line(x, lineno, "the program has more than one thread or process: lackey "
					    "does not say which thread made an access, so only "
					    "single-threaded programs can be combined");
	c->pid = pid;
	while (*rest == ' ')
		rest++;
	if (!strncmp(rest, "...", 3)) {
		/* the result line of an [async] call */
		if (x->pending) {
			s64 ret;
			if (parse_result(rest, &ret))
				c->sys[x->pending_idx].ret = ret;
			x->pending = false;
		}
		return 0;
	}
	enum op_type t = sys_type(nr);
	if (t == OP_NONE)
		return 0;
	if (c->nr_sys == c->cap_sys) {
		c->cap_sys = c->cap_sys ? 2 * c->cap_sys : 64;
		c->sys = xrealloc(c->sys, c->cap_sys * sizeof(*c->sys));
	}
	struct csys *s = &c->sys[c->nr_sys];
	memset(s, 0, sizeof(*s));
	s->type = t;
	s->instrs = instrs;
	s->match = -1;
	s->ret = OP_RET_NONE;
	/* arguments: "name ( a, b(path), c )" */
	const char *lp = strchr(rest, '(');
	if (!lp)
		return fail_line(x, lineno, "SYSCALL line without arguments");
	lp++;
	for (int i = 0; i < 6; i++) {
		while (*lp == ' ')
			lp++;
		if (*lp == ')')
			break;
		s->a[i] = strtoull(lp, &end, 0);
		lp = end;
		int depth = 0;
		while (*lp && (depth || (*lp != ',' && *lp != ')'))) {
			depth += *lp == '(' ? 1 : *lp == ')' ? -1 : 0;
			lp++;
		}
		if (*lp == ',')
			lp++;
	}
	if (!parse_result(rest, &s->ret)) {
		x->pending = true;
		x->pending_idx = c->nr_sys;
	}
	c->nr_sys++;
	return 0;
}

/* Pass 3 hook: nothing to collect, the touches mark the pre-start mappings. */
static int ignore_syscall(void *arg, u64 instrs, const char *line, u64 lineno)
{
	(void)arg;
	(void)instrs;
	(void)line;
	(void)lineno;
	return 0;
}

/* ---- matching ---- */

static u64 page_up(u64 x)
{
	return (x + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
}

/* Does strace record op carry client call s? */
static bool same_call(const struct csys *s, const struct op *op)
{
	if (op->type != s->type || op->ret != s->ret)
		return false;
	switch (s->type) {
	case OP_MMAP:
		return page_up(op->len) == page_up(s->a[1]);
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MADVISE:
	case OP_MREMAP:
		return op->addr == s->a[0] && page_up(op->len) == page_up(s->a[1]);
	default:
		return true;
	}
}

static void keep_set(struct combine_reader *c, u64 i)
{
	if (i / 8 >= (c->nr_records + 7) / 8) {
		u64 old = (c->nr_records + 7) / 8, want = i / 8 + 1;
		u64 cap = old ? old : 64;
		while (cap < want)
			cap *= 2;
		c->keep = xrealloc(c->keep, cap);
		memset(c->keep + old, 0, cap - old);
		c->nr_records = cap * 8;
	}
	c->keep[i / 8] |= (u8)(1u << (i % 8));
}

static bool keep_get(const struct combine_reader *c, u64 i)
{
	return i < c->nr_records && (c->keep[i / 8] & (1u << (i % 8)));
}

/* Pass 2: walk the strace records, match the client's calls in order, decide what to
 * keep. Matching looks ahead at most `window` records of the same kind for each call;
 * a call not found is one valgrind emulated. */
#define MATCH_WINDOW 4096

struct rec {
	enum op_type type;
	s64 ret;
	u64 addr, len;
	u64 time_ns;
	s32 fd;
	u64 index;                   /* strace record number */
};

static bool sys_type_of_op(enum op_type t)
{
	return t == OP_MMAP || t == OP_MUNMAP || t == OP_MPROTECT || t == OP_MREMAP ||
	       t == OP_MADVISE || t == OP_BRK;
}

static int match_pass(struct combine_reader *c, const char *strace_path)
{
	char err[TRACE_ERR_MAX];
	struct trace_reader *st = strace_open(strace_path, &c->o, err, sizeof(err));
	if (!st) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", err);
		return -1;
	}
	/* a sliding buffer of records not yet passed by the matching cursor */
	struct rec *buf = NULL;
	u64 nbuf = 0, cap = 0, pos = 0;    /* buf[pos..nbuf) not yet passed */
	u64 nread = 0;
	bool eof = false;
	s64 open_of_fd[64];
	for (int i = 0; i < 64; i++)
		open_of_fd[i] = -1;
	u64 k = 0;
	c->first_sync_index = UINT64_MAX;
	struct op op;
	for (;;) {
		/* fill up to the window ahead of the cursor */
		while (!eof && nbuf - pos < MATCH_WINDOW) {
			int rc = trace_reader_next(st, &op);
			if (rc < 0) {
				snprintf(c->errbuf, sizeof(c->errbuf), "%s", trace_reader_error(st));
				trace_reader_close(st);
				free(buf);
				return -1;
			}
			if (rc == 0) {
				eof = true;
				break;
			}
			u64 idx = nread++;
			if (sys_type_of_op(op.type)) {
				if (nbuf == cap) {
					cap = cap ? 2 * cap : 1024;
					buf = xrealloc(buf, cap * sizeof(*buf));
				}
				buf[nbuf++] = (struct rec){ op.type, op.ret, op.addr, op.len, op.time_ns,
							    op.fd, idx };
			}
			/* mappings valgrind may have made for the client, with the opens of
			 * their files */
			{
				if (op.type == OP_OPEN && op.ret >= 0 && op.ret < 64)
					open_of_fd[op.ret] = (s64)idx;
				if (op.type == OP_MMAP && op.ret >= 0) {
					if (c->nr_pre == c->cap_pre) {
						c->cap_pre = c->cap_pre ? 2 * c->cap_pre : 32;
						c->pre = xrealloc(c->pre, c->cap_pre * sizeof(*c->pre));
					}
					c->pre[c->nr_pre++] = (struct prestart){
						.index = idx, .start = (u64)op.ret,
						.end = (u64)op.ret + page_up(op.len),
						.open_index = op.fd >= 0 && op.fd < 64 ? open_of_fd[op.fd] : -1,
					};
				}
			}
		}
		if (k == c->nr_sys)
			break;
		struct csys *s = &c->sys[k];
		u64 found = UINT64_MAX;
		for (u64 j = pos; j < nbuf; j++) {
			const struct rec *rr = &buf[j];
			struct op probe;
			op_init(&probe, rr->type);
			probe.ret = rr->ret;
			probe.addr = rr->addr;
			probe.len = rr->len;
			if (same_call(s, &probe)) {
				found = j;
				break;
			}
		}
		if (found != UINT64_MAX) {
			const struct rec *rr = &buf[found];
			s->match = (s64)rr->index;
			s->time_ns = rr->time_ns;
			keep_set(c, rr->index);
			if (c->first_sync_index == UINT64_MAX)
				c->first_sync_index = rr->index;
			pos = found + 1;
		}
		k++;
		/* drop what the cursor passed */
		if (pos > 1024 && pos > nbuf / 2) {
			memmove(buf, buf + pos, (nbuf - pos) * sizeof(*buf));
			nbuf -= pos;
			pos = 0;
		}
	}
	trace_reader_close(st);
	free(buf);
	if (c->first_sync_index == UINT64_MAX) {
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "%s and %s: none of the client's memory calls in the lackey log is in the "
			 "strace log: not a recording of the same run (record both at once, see "
			 "traces/FORMAT.md)", strace_path, c->lackey_path);
		return -1;
	}
	/* Candidates: mappings not matched to a client call, outside the client's brk
	 * area (valgrind emulates brk with mappings of its own; the brk ops make it). */
	u64 brk_lo = UINT64_MAX, brk_hi = 0;
	for (u64 q = 0; q < c->nr_sys; q++) {
		const struct csys *s = &c->sys[q];
		if (s->type != OP_BRK || s->ret <= 0)
			continue;
		brk_lo = min_t(u64, brk_lo, (u64)s->ret & ~(u64)(PAGE_SIZE - 1));
		brk_hi = max_t(u64, brk_hi, page_up((u64)s->ret));
	}
	u64 n = 0;
	for (u64 i = 0; i < c->nr_pre; i++) {
		const struct prestart *p = &c->pre[i];
		if (keep_get(c, p->index))
			continue;
		if (brk_lo < brk_hi && p->start < brk_hi && p->end > brk_lo)
			continue;
		c->pre[n++] = *p;
	}
	c->nr_pre = n;
	return 0;
}

/* ---- times ---- */

static void compute_times(struct combine_reader *c)
{
	/* mean ns per instruction between the first and the last matched call */
	s64 first = -1, last = -1;
	for (u64 k = 0; k < c->nr_sys; k++) {
		if (c->sys[k].match < 0)
			continue;
		if (first < 0)
			first = (s64)k;
		last = (s64)k;
	}
	c->ns_per_instr = 1.0;
	if (first >= 0 && last > first) {
		const struct csys *a = &c->sys[first], *b = &c->sys[last];
		if (b->instrs > a->instrs && b->time_ns > a->time_ns)
			c->ns_per_instr = (double)(b->time_ns - a->time_ns) /
					  (double)(b->instrs - a->instrs);
	}
	/* emulated calls: interpolated between the matched calls around them */
	s64 *next = xcalloc(c->nr_sys + 1, sizeof(s64));
	s64 nx = -1;
	for (u64 k = c->nr_sys; k-- > 0;) {
		next[k] = nx;
		if (c->sys[k].match >= 0)
			nx = (s64)k;
	}
	s64 lo = -1;
	for (u64 k = 0; k < c->nr_sys; k++) {
		struct csys *s = &c->sys[k];
		if (s->match >= 0) {
			lo = (s64)k;
			continue;
		}
		s64 hi = next[k];
		if (lo >= 0 && hi >= 0 && c->sys[hi].instrs > c->sys[lo].instrs)
			s->time_ns = c->sys[lo].time_ns +
				(u64)((double)(c->sys[hi].time_ns - c->sys[lo].time_ns) *
				      (double)(s->instrs - c->sys[lo].instrs) /
				      (double)(c->sys[hi].instrs - c->sys[lo].instrs));
		else if (lo >= 0)
			s->time_ns = c->sys[lo].time_ns +
				(u64)(c->ns_per_instr * (double)(s->instrs - c->sys[lo].instrs));
		else if (hi >= 0)
			s->time_ns = c->sys[hi].time_ns -
				min_t(u64, c->sys[hi].time_ns,
				      (u64)(c->ns_per_instr * (double)(c->sys[hi].instrs - s->instrs)));
	}
	free(next);
}

/* Time of instruction count x (touches), from the sync points around it. */
static u64 time_at(struct combine_reader *c, u64 x)
{
	while (c->sync_lo + 1 < c->nr_sys && c->sys[c->sync_lo + 1].instrs <= x)
		c->sync_lo++;
	const struct csys *a = &c->sys[c->sync_lo];
	if (x < a->instrs)   /* before the first call */
		return a->time_ns - min_t(u64, a->time_ns,
					  (u64)(c->ns_per_instr * (double)(a->instrs - x)));
	if (c->sync_lo + 1 < c->nr_sys) {
		const struct csys *b = &c->sys[c->sync_lo + 1];
		if (b->instrs > a->instrs && b->time_ns >= a->time_ns)
			return a->time_ns + (u64)((double)(b->time_ns - a->time_ns) *
						  (double)(x - a->instrs) /
						  (double)(b->instrs - a->instrs));
	}
	return a->time_ns + (u64)(c->ns_per_instr * (double)(x - a->instrs));
}

/* ---- emission ---- */

static bool is_memory_call_line(const char *line)
{
	const char *end = strchr(line, ']');
	if (!end || end[1] != '(')
		return false;
	unsigned nr = (unsigned)strtoul(end + 2, NULL, 10);
	const char *rest = strchr(end + 2, ')');
	if (!rest)
		return false;
	rest++;
	while (*rest == ' ')
		rest++;
	return sys_type(nr) != OP_NONE && strncmp(rest, "...", 3) != 0;
}

static int emit_syscall_hook(void *arg, u64 instrs, const char *line, u64 lineno)
{
	struct combine_reader *c = arg;
	(void)instrs;
	(void)lineno;
	if (is_memory_call_line(line))
		c->lk_sys_seen++;   /* the k-th such line is sys[k] (as in pass 1) */
	return 0;
}

static bool prestart_kept(const struct combine_reader *c, u64 index)
{
	for (u64 i = 0; i < c->nr_pre; i++)
		if (c->pre[i].touched &&
		    (c->pre[i].index == index || (u64)c->pre[i].open_index == index))
			return true;
	return false;
}

/* Advance the strace side to its next kept record. */
static int st_advance(struct combine_reader *c)
{
	while (!c->st_ready && !c->st_done) {
		int rc = trace_reader_next(c->st, &c->st_op);
		if (rc < 0) {
			snprintf(c->errbuf, sizeof(c->errbuf), "%s", trace_reader_error(c->st));
			return -1;
		}
		if (rc == 0) {
			c->st_done = true;
			break;
		}
		u64 i = c->st_index++;
		bool keep;
		const struct op *o = &c->st_op;
		bool started = i >= c->first_sync_index;
		if (keep_get(c, i))
			keep = true;   /* matched memory call: emitted at its sync point */
		else if (prestart_kept(c, i))
			keep = true;   /* a mapping valgrind made for the client, or its open */
		else
			switch (o->type) {
			case OP_MMAP: case OP_MUNMAP: case OP_MPROTECT: case OP_MREMAP:
			case OP_MADVISE: case OP_BRK:
				keep = false;   /* valgrind's own */
				break;
			case OP_CLOSE:
				keep = (o->fd >= 0 && o->fd < 64 && c->kept_fd[o->fd]) ||
				       (started && o->fd < VALGRIND_FD_MIN);
				break;
			case OP_EXIT: case OP_SNAPSHOT:
				keep = started;
				break;
			default:
				keep = started && o->fd < VALGRIND_FD_MIN &&
				       !(o->type == OP_OPEN && o->ret >= VALGRIND_FD_MIN);
				break;
			}
		if (!keep)
			continue;
		if (o->type == OP_OPEN && o->ret >= 0 && o->ret < 64)
			c->kept_fd[o->ret] = true;
		if (o->type == OP_CLOSE && o->fd >= 0 && o->fd < 64)
			c->kept_fd[o->fd] = false;
		if (c->st_op.path) {
			snprintf(c->st_path, sizeof(c->st_path), "%s", c->st_op.path);
			c->st_op.path = c->st_path;
		}
		c->st_ready = true;
	}
	return 0;
}

static int lk_advance(struct combine_reader *c)
{
	if (c->lk_ready || c->lk_done)
		return 0;
	int rc = trace_reader_next(c->lk, &c->lk_op);
	if (rc < 0) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", trace_reader_error(c->lk));
		return -1;
	}
	if (rc == 0)
		c->lk_done = true;
	else
		c->lk_ready = true;
	return 0;
}

/* The op of client call k built from lackey's numbers (valgrind emulated it). */
static void op_from_lackey(struct combine_reader *c, const struct csys *s, struct op *op)
{
	op_init(op, s->type);
	op->ret = s->ret;
	switch (s->type) {
	case OP_MMAP:
		op->addr = s->ret >= 0 ? (u64)s->ret : s->a[0];
		op->len = s->a[1];
		op->prot = (u32)s->a[2];
		op->flags = (u32)s->a[3] | (s->ret >= 0 ? 0x10u : 0);   /* MAP_FIXED where it went */
		op->fd = (s32)(u32)s->a[4];
		op->off = s->a[5];
		break;
	case OP_MUNMAP:
		op->addr = s->a[0];
		op->len = s->a[1];
		break;
	case OP_MPROTECT:
		op->addr = s->a[0];
		op->len = s->a[1];
		op->prot = (u32)s->a[2];
		break;
	case OP_MADVISE:
		op->addr = s->a[0];
		op->len = s->a[1];
		op->arg = (u32)s->a[2];
		break;
	case OP_MREMAP:
		op->addr = s->a[0];
		op->len = s->a[1];
		op->len2 = s->a[2];
		op->flags = (u32)s->a[3];
		op->addr2 = s->ret >= 0 ? (u64)s->ret : s->a[4];
		break;
	case OP_BRK:
		op->addr = s->a[0];
		break;
	default:
		break;
	}
	(void)c;
}

static void finish_op(struct combine_reader *c, struct op *op, u64 time)
{
	if (time < c->last_time)
		time = c->last_time;   /* interpolation never reorders */
	op->pid = op->tid = c->pid;
	op->time_ns = time;
	op->think_ns = time - c->last_time;
	c->last_time = time;
	c->r.info.records++;
}

static int combine_next(struct trace_reader *r, struct op *op)
{
	struct combine_reader *c = container_of(r, struct combine_reader, r);
	for (;;) {
		if (st_advance(c) < 0 || lk_advance(c) < 0) {
			snprintf(r->err, sizeof(r->err), "%s", c->errbuf);
			return -1;
		}
		/* the next client call, when lackey has passed it */
		bool sys_due = c->next_sys < c->nr_sys &&
			       (c->next_sys < c->lk_sys_seen || c->lk_done);
		const struct csys *s = sys_due ? &c->sys[c->next_sys] : NULL;
		u64 t_sys = s ? s->time_ns : UINT64_MAX;
		u64 t_touch = c->lk_ready && !sys_due ? time_at(c, c->lk_op.time_ns) : UINT64_MAX;
		/* a kept strace record goes first unless it is the matched call itself or
		 * comes later than what lackey offers */
		if (c->st_ready) {
			u64 i = c->st_index - 1;
			bool is_sync = keep_get(c, i);
			if (!is_sync && (i < c->first_sync_index ||
					 c->st_op.time_ns <= min_t(u64, t_sys, t_touch))) {
				*op = c->st_op;
				c->st_ready = false;
				finish_op(c, op, op->time_ns);
				return 1;
			}
		}
		if (s) {
			if (s->match >= 0) {
				/* its record must be the pending strace one */
				if (!c->st_ready || c->st_index - 1 != (u64)s->match) {
					snprintf(r->err, sizeof(r->err), "%s: internal: lost the record of a "
						 "matched call", r->path);
					return -1;
				}
				*op = c->st_op;
				c->st_ready = false;
			} else {
				op_from_lackey(c, s, op);
			}
			c->next_sys++;
			finish_op(c, op, t_sys);
			return 1;
		}
		if (c->lk_ready) {
			*op = c->lk_op;
			c->lk_ready = false;
			finish_op(c, op, t_touch);
			return 1;
		}
		if (c->st_ready) {
			*op = c->st_op;
			c->st_ready = false;
			finish_op(c, op, op->time_ns);
			return 1;
		}
		return 0;
	}
}

static void combine_close(struct trace_reader *r)
{
	struct combine_reader *c = container_of(r, struct combine_reader, r);
	if (c->st)
		trace_reader_close(c->st);
	if (c->lk)
		trace_reader_close(c->lk);
	free(c->sys);
	free(c->pre);
	free(c->keep);
	free(c->lackey_path);
	free(r->path);
	free(c);
}

struct trace_reader *combine_open(const char *strace_path, const struct trace_import_opts *opts,
				  char *err, size_t errlen)
{
	struct combine_reader *c = xcalloc(1, sizeof(*c));
	trace_reader_init(&c->r, strace_path, TRACE_KIND_STRACE);
	c->r.next = combine_next;
	c->r.close = combine_close;
	c->o = *opts;
	c->o.lackey_touches = NULL;
	c->o.lackey_ns_per_instr = 1;   /* time_ns of a touch = its instruction count */
	c->lackey_path = xstrdup(opts->lackey_touches);
	c->r.info.page_size = PAGE_SIZE;

	/* pass 1: the client's memory calls from lackey */
	struct trace_reader *lk = lackey_open(c->lackey_path, &c->o, err, errlen);
	if (!lk)
		goto fail;
	struct scan_ctx x = { .c = c, .path = c->lackey_path };
	lackey_set_syscall_hook(lk, collect_syscall, &x);
	struct op op;
	int rc;
	while ((rc = trace_reader_next(lk, &op)) > 0)
		;
	if (rc < 0) {
		snprintf(err, errlen, "%s", c->failed ? c->errbuf : trace_reader_error(lk));
		trace_reader_close(lk);
		goto fail;
	}
	trace_reader_close(lk);
	if (!c->nr_sys) {
		snprintf(err, errlen, "%s: no SYSCALL lines: record the lackey log with "
			 "--trace-syscalls=yes to combine it with a strace log (traces/FORMAT.md)",
			 c->lackey_path);
		goto fail;
	}
	/* pass 2: match them in the strace log */
	if (match_pass(c, strace_path) < 0) {
		snprintf(err, errlen, "%s", c->errbuf);
		goto fail;
	}
	compute_times(c);
	/* pass 3: which of the candidate mappings the client touches */
	if (c->nr_pre) {
		lk = lackey_open(c->lackey_path, &c->o, err, errlen);
		if (!lk)
			goto fail;
		lackey_set_syscall_hook(lk, ignore_syscall, NULL);
		while ((rc = trace_reader_next(lk, &op)) > 0)
			for (u64 i = 0; i < c->nr_pre; i++)
				if (op.addr < c->pre[i].end && op.addr + op.len > c->pre[i].start)
					c->pre[i].touched = true;
		if (rc < 0) {
			snprintf(err, errlen, "%s", trace_reader_error(lk));
			trace_reader_close(lk);
			goto fail;
		}
		trace_reader_close(lk);
	}
	/* emission readers */
	c->st = strace_open(strace_path, &c->o, err, errlen);
	if (!c->st)
		goto fail;
	c->lk = lackey_open(c->lackey_path, &c->o, err, errlen);
	if (!c->lk)
		goto fail;
	lackey_set_syscall_hook(c->lk, emit_syscall_hook, c);
	return &c->r;
fail:
	combine_close(&c->r);
	return NULL;
}
