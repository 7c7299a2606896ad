/* import_strace.c - strace logs (`strace -f -tt -e trace=memory,process,ipc,desc`) as ops.
 *
 * One line gives at most one op. Lines are "[PID] TIME CALL(ARGS) = RET [ERRNO (text)]",
 * "<unfinished ...>" halves joined with their "<... CALL resumed>" line (the op keeps the
 * start time), "--- SIG... ---" signal lines (counted), "+++ exited|killed +++" (an EXIT
 * when the thread issued none). Calls that mmsim does not model are counted by name,
 * never fatal. Reads of kernel state files (snapshot_file.h) become OP_SNAPSHOT, and
 * their open/read/close disappear; so do those of the other files under /proc/sys/ and
 * /sys/, where a number written becomes OP_SYSCTL (so does a word of SYSCTL_WORDS written
 * to a THP file: "madvise" to .../transparent_hugepage/enabled). prctl keeps its THP
 * options (OP_PRCTL), madvise its advice (MADV_HUGEPAGE, MADV_COLLAPSE, ...); pipe/pipe2
 * become OP_PIPE (its two fds) and wait4/waitpid OP_WAIT4 (the pid reaped), so that the
 * replay keeps the order they imposed between processes. Memory: one
 * line, plus per live thread its pending unfinished call and per process its open
 * snapshot and sysctl fds (64 of each, the oldest forgotten), and the ops of a move_pages
 * call not yet handed out (one op per page). Argument decoding follows strace's
 * documented output format. The NUMA calls (set_mempolicy, mbind, get_mempolicy,
 * set_mempolicy_home_node, migrate_pages, move_pages, sched_setaffinity) are decoded
 * strictly: a node mask or CPU set that does not fit op.nodemask (bits 0..63), an array
 * strace cut short, or a name this table does not know is an error naming the file and
 * line, since guessing would replay a different call. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traces/linereader.h"
#include "traces/strace_lines.h"
#include "traces/strace_signal.h"
#include "traces/reader_impl.h"
#include "traces/snapshot_file.h"
#include "traces/tidmap.h"
#include "traces/uapi_names.h"

#define MAX_ARGS 8
#define NR_SNAP_FDS 64
#define NR_SYSCTL_FDS 64
#define DAY_NS (86400ULL * NSEC_PER_SEC)

struct sthread {
	u32 pid, tid;
	u64 last_time;
	bool seen, exited;
	bool forked;                /* created by a fork/clone record of the log */
	bool first_done;            /* its first line was read */
	bool held;                  /* its records wait for the fork that made it */
	bool pending_fork;          /* its unfinished call is a fork/clone/vfork */
	char *pending;              /* text of an unfinished call, or NULL */
	u64 pending_time;
	u64 pending_line;           /* source line of the unfinished call */
};

struct snap_fd {
	u32 pid;
	s32 fd;
	u32 file;
	s32 node;                   /* per-node files (numastat): the node, else -1 */
	bool read_done;
	bool used;
};

/* An fd open on a kernel tunable (/proc/sys/..., /sys/...): writes of a number are
 * OP_SYSCTL, everything else on it disappears. */
struct sysctl_fd {
	u32 pid;
	s32 fd;
	bool used;
	char *path;                 /* owned; freed when the entry is reused or closed */
};

struct strace_reader {
	struct trace_reader r;
	struct strace_lines *lr;    /* one log, or the merged files of strace -ff */
	enum strace_ts_form form;   /* the timestamp form of the first timed line */
	u64 form_line;              /* and its line */
	struct tidmap tids;
	struct sthread *threads;
	u32 nr_threads, cap_threads;
	bool have_base;
	u64 base, prev_tod, day;
	struct snap_fd snaps[NR_SNAP_FDS];
	u32 snap_next;
	struct sysctl_fd sysctls[NR_SYSCTL_FDS];
	u32 sysctl_next;
	char joined[2 * LINEREADER_MAX + 64];
	char spliced[2 * LINEREADER_MAX + 64];  /* a line strace's "attached" note cut in two */
	bool bare_aliased;          /* the unprefixed root got its "[pid N]" */
	u64 src_line;               /* source line of the call being decoded */
	char pathbuf[MMT_MAX_PATH + 1];
	/* A fork's record comes when its "resumed" line does; the child's first lines may come
	 * before it. A thread first seen while a fork is unfinished is held until a fork
	 * record names it (then its records follow that record), or until no fork is
	 * unfinished (then it is a root, as before). */
	struct held_op { struct op op; char *path; } *held, *rel;
	u32 nr_held, cap_held, nr_rel, next_rel, cap_rel;
	u32 nr_fork_pending;
	char *rel_path;             /* path of the op last handed out from rel */
	struct op *queue;           /* owned: ops of one call still to hand out (move_pages) */
	u32 nr_queued, next_queued, cap_queue;
	bool failed;                /* a located error is in r.err */
};

static struct sthread *thread_get(struct strace_reader *s, u32 tid)
{
	u32 i = tidmap_get(&s->tids, tid);
	if (i != TIDMAP_NONE)
		return &s->threads[i];
	if (s->nr_threads == s->cap_threads) {
		s->cap_threads = s->cap_threads ? 2 * s->cap_threads : 16;
		s->threads = xrealloc(s->threads, s->cap_threads * sizeof(*s->threads));
	}
	i = s->nr_threads++;
	struct sthread *t = &s->threads[i];
	memset(t, 0, sizeof(*t));
	t->pid = tid;               /* until a clone says otherwise */
	t->tid = tid;
	tidmap_set(&s->tids, tid, i);
	return t;
}

/* ---- small parsers ---- */

static const char *skip_sp(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

struct arg {
	const char *s;
	size_t n;
};

/* Split "a, b, {c, d}, [e]" at top-level commas; stops at the ')' closing the call.
 * Returns the number of arguments and sets *end after the ')', or -1. */
static int split_args(const char *p, struct arg *args, int max, const char **end)
{
	int nr = 0, depth = 0;
	const char *start = p;
	bool inq = false;
	for (; *p; p++) {
		if (inq) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				inq = false;
			continue;
		}
		if (*p == '"') {
			inq = true;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ']' || *p == '}') && depth > 0) {
			depth--;
		} else if (*p == ')') {
			if (depth > 0) {
				depth--;
				continue;
			}
			break;
		} else if (*p == ',' && depth == 0) {
			if (nr < max)
				args[nr++] = (struct arg){ start, (size_t)(p - start) };
			start = skip_sp(p + 1);
			p = start - 1;
		}
	}
	if (*p != ')')
		return -1;
	while (start < p && start[0] == ' ')
		start++;
	if (p > start || nr > 0) {
		if (nr < max)
			args[nr++] = (struct arg){ start, (size_t)(p - start) };
	}
	*end = p + 1;
	return nr;
}

static bool arg_is(const struct arg *a, const char *s)
{
	return a->n == strlen(s) && !strncmp(a->s, s, a->n);
}

/* A number (decimal, 0x hex, 0 octal, negative), "NULL" (0); -1 when not a number. */
static int arg_num(const struct arg *a, u64 *v)
{
	char buf[64], *end;
	if (arg_is(a, "NULL")) {
		*v = 0;
		return 0;
	}
	if (!a->n || a->n >= sizeof(buf))
		return -1;
	memcpy(buf, a->s, a->n);
	buf[a->n] = '\0';
	errno = 0;
	if (buf[0] == '-') {
		long long x = strtoll(buf, &end, 0);
		*v = (u64)x;
	} else {
		*v = strtoull(buf, &end, 0);
	}
	/* "3</path>" with -y: the number comes first */
	if (end == buf || errno || (*end && *end != '<'))
		return -1;
	return 0;
}

/* Flags: names of the table and numbers joined by '|'; unknown names are ignored (a newer
 * strace may know flags this table does not). */
static u64 arg_flags(const struct uapi_table *t, const struct arg *a)
{
	u64 acc = 0;
	const char *p = a->s, *end = a->s + a->n;
	while (p < end) {
		const char *e = memchr(p, '|', (size_t)(end - p));
		if (!e)
			e = end;
		char tok[64];
		size_t n = (size_t)(e - p);
		if (n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			u64 v;
			char bad[8];
			if (uapi_parse(t, UAPI_STRACE, tok, &v, bad, sizeof(bad)) == 0)
				acc |= v;
		}
		p = e + 1;
	}
	return acc;
}

/* The same, but any name the table does not know makes it fail (-1): for a command,
 * where a wrong guess would change the meaning. */
static int arg_flags_strict(const struct uapi_table *t, const struct arg *a, u64 *v)
{
	char buf[128], bad[8];
	if (!a->n || a->n >= sizeof(buf))
		return -1;
	memcpy(buf, a->s, a->n);
	buf[a->n] = '\0';
	return uapi_parse(t, UAPI_STRACE, buf, v, bad, sizeof(bad));
}

/* A strace string argument "..." (possibly followed by "..."), unescaped into out. */
static int arg_string(const struct arg *a, char *out, size_t outlen)
{
	const char *p = a->s, *end = a->s + a->n;
	size_t o = 0;
	if (p >= end || *p != '"')
		return -1;
	for (p++; p < end && *p != '"'; p++) {
		int c = (unsigned char)*p;
		if (c == '\\' && p + 1 < end) {
			p++;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'v': c = '\v'; break;
			case 'f': c = '\f'; break;
			case 'x':
				c = 0;
				for (int k = 0; k < 2 && p + 1 < end && isxdigit((unsigned char)p[1]); k++) {
					p++;
					c = c * 16 + (isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
				}
				break;
			default:
				if (*p >= '0' && *p <= '7') {
					c = 0;
					for (int k = 0; k < 3 && p < end && *p >= '0' && *p <= '7'; k++, p++)
						c = c * 8 + (*p - '0');
					p--;
				} else {
					c = (unsigned char)*p;
				}
			}
		}
		if (c == 0)
			return -1;      /* a path cannot hold NUL */
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	if (p >= end)
		return -1;
	out[o] = '\0';
	return 0;
}

/* ---- NUMA calls: strict decoding with located errors ---- */

/* A located error for the current line; decode_call returns -1 after it. */
static int __attribute__((format(printf, 3, 4)))
bad_call(struct strace_reader *s, const char *call, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->r.err, sizeof(s->r.err), "%s:%llu: %s: %s", strace_lines_path(s->lr),
		 (unsigned long long)strace_lines_lineno(s->lr), call, msg);
	s->failed = true;
	return -1;
}

/* The argument without the comment strace appends to a number it has no name for
 * ("0x9", then a C comment saying MPOL_???). */
static struct arg arg_uncomment(const struct arg *a)
{
	struct arg r = *a;
	const char *c = memmem(r.s, r.n, " /*", 3);
	if (c)
		r.n = (size_t)(c - r.s);
	return r;
}

static struct arg arg_unbracket(const struct arg *a)
{
	struct arg r = *a;
	if (r.n >= 2 && r.s[0] == '[' && r.s[r.n - 1] == ']') {
		r.s++;
		r.n -= 2;
	}
	return r;
}

/* Names of the table (strictly: an unknown name is an error) or a number. */
static int numa_flags(struct strace_reader *s, const char *call, const char *what,
		      const struct uapi_table *t, const struct arg *a, u64 *v)
{
	struct arg u = arg_uncomment(a);
	if (arg_flags_strict(t, &u, v) == 0)
		return 0;
	return bad_call(s, call, "%s \"%.*s\" is not a number or a name mmsim knows", what,
			(int)a->n, a->s);
}

/* The elements of a strace array "[e0, e1, ...]" (or "[e0 e1 ...]", as CPU sets are
 * printed). Returns the count (at most max), 0 for "[]", -1 when a is not an array
 * (NULL or an address strace could not read), -2 when strace cut it short ("..."). */
static int array_elems(const struct arg *a, struct arg *el, int max)
{
	if (a->n < 2 || a->s[0] != '[' || a->s[a->n - 1] != ']')
		return -1;
	const char *p = a->s + 1, *end = a->s + a->n - 1;
	int n = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == ','))
			p++;
		if (p >= end)
			break;
		const char *e = p;
		while (e < end && *e != ',' && *e != ' ')
			e++;
		if (e - p == 3 && !strncmp(p, "...", 3))
			return -2;
		if (n < max)
			el[n] = (struct arg){ p, (size_t)(e - p) };
		n++;
		p = e;
		/* "-EFAULT", and a number followed by a C comment, stay one element */
		if (p + 2 < end && p[0] == ' ' && p[1] == '/' && p[2] == '*') {
			const char *c = memmem(p, (size_t)(end - p), "*/", 2);
			if (!c)
				return -1;
			p = c + 2;
		}
	}
	return n < max ? n : max;
}

/* A number element: decimal, hex with or without 0x (strace prints a zero mask word as
 * "0000000000000000"), or -ENAME (move_pages status). */
static int elem_num(const struct arg *e, bool hex, s64 *v)
{
	char buf[64], *end;
	struct arg u = arg_uncomment(e);
	if (!u.n || u.n >= sizeof(buf))
		return -1;
	memcpy(buf, u.s, u.n);
	buf[u.n] = '\0';
	if (buf[0] == '-' && isupper((unsigned char)buf[1])) {
		int en = uapi_errno_from_name(buf + 1);
		if (en < 0)
			return -1;
		*v = -en;
		return 0;
	}
	errno = 0;
	if (buf[0] == '-')
		*v = strtoll(buf, &end, 10);
	else
		*v = (s64)strtoull(buf, &end, hex ? 16 : 0);
	return end == buf || *end || errno ? -1 : 0;
}

/* A node mask as strace prints it: "[0x0000000000000c]", "[0x2, 0000000000000000, ...]"
 * (one word of 64 nodes each), NULL (empty), or an address it could not read (empty; the
 * call failed). The kernel reads maxnode - 1 bits (strace prints whole words): bits above
 * are dropped. Nodes above 63 do not fit op.nodemask: refused. */
static int numa_mask(struct strace_reader *s, const char *call, const char *what,
		     const struct arg *a, u64 maxnode, u64 *mask)
{
	struct arg el[64];
	u64 nbits = maxnode ? maxnode - 1 : 0;
	*mask = 0;
	int n = array_elems(a, el, 64);
	if (n == -1)
		return 0;
	if (n == -2)
		return bad_call(s, call, "%s \"%.*s\" is cut short; record with a larger strace -s",
				what, (int)(a->n < 60 ? a->n : 60), a->s);
	for (int i = 0; i < n; i++) {
		s64 x;
		if (elem_num(&el[i], true, &x) < 0)
			return bad_call(s, call, "%s: word %d \"%.*s\" is not a hex number", what, i,
					(int)el[i].n, el[i].s);
		u64 w = (u64)x, first = (u64)i * 64;
		if (nbits <= first)
			w = 0;
		else if (nbits - first < 64)
			w &= (1ULL << (nbits - first)) - 1;
		if (i == 0) {
			*mask = w;
		} else if (w) {
			return bad_call(s, call, "%s has node %d set; mmsim's ops carry nodes 0..63 only",
					what, i * 64 + __builtin_ctzll(w));
		}
	}
	return 0;
}

/* A CPU set: "[0 2]" or "[0, 2]"; CPUs above 63 do not fit op.nodemask: refused. */
static int cpu_mask(struct strace_reader *s, const char *call, const struct arg *a, u64 *mask)
{
	struct arg el[64];
	*mask = 0;
	int n = array_elems(a, el, 64);
	if (n == -1)
		return 0;
	if (n == -2)
		return bad_call(s, call, "the CPU set is cut short; record with a larger strace -s");
	for (int i = 0; i < n; i++) {
		/* a CPU or a range "2-5" */
		s64 lo, hi;
		struct arg e = el[i];
		const char *dash = e.n > 1 ? memchr(e.s + 1, '-', e.n - 1) : NULL;
		struct arg l = e, h = e;
		if (dash) {
			l.n = (size_t)(dash - e.s);
			h.s = dash + 1;
			h.n = e.n - l.n - 1;
		}
		if (elem_num(&l, false, &lo) < 0 || elem_num(&h, false, &hi) < 0 || lo < 0 || hi < lo)
			return bad_call(s, call, "CPU \"%.*s\" is not a number or a range", (int)e.n, e.s);
		if (hi > 63)
			return bad_call(s, call, "CPU %lld in the set; mmsim's ops carry CPUs 0..63 only",
					(long long)hi);
		for (s64 c = lo; c <= hi; c++)
			*mask |= 1ULL << c;
	}
	return 0;
}

static struct op *queue_add(struct strace_reader *s)
{
	if (s->nr_queued == s->cap_queue) {
		s->cap_queue = s->cap_queue ? 2 * s->cap_queue : 64;
		s->queue = xrealloc(s->queue, s->cap_queue * sizeof(*s->queue));
	}
	return &s->queue[s->nr_queued++];
}

/* move_pages(pid, count, pages, nodes, status, flags): one OP_MOVE_PAGES per page, its
 * target node (-1 for a query, nodes NULL) and its status as the op's result (the call's
 * error for every page when the call failed). The ops go to the queue; *first gets the
 * first of them. Returns 1, 0 (nothing to replay), or -1. */
static int decode_move_pages(struct strace_reader *s, const struct arg *a, int nr, const u64 *v,
			     s64 ret, struct op *first)
{
	static const char call[] = "move_pages";
	if (nr < 6)
		return bad_call(s, call, "%d arguments, expected 6", nr);
	u64 flags;
	if (numa_flags(s, call, "flags", &uapi_mpol_mf, &a[5], &flags) < 0)
		return -1;
	u64 count = v[1];
	/* a line holds at most LINEREADER_MAX bytes: no array can be longer than this */
	int max = LINEREADER_MAX / 2;
	if (count == 0)
		return 0;
	if (count > (u64)max)
		return bad_call(s, call, "count %llu is more than a log line can list",
				(unsigned long long)count);
	struct arg *el = xmalloc(3 * (size_t)count * sizeof(*el));
	struct arg *pg = el, *nd = el + count, *st = el + 2 * count;
	int rc = -1;
	int np = array_elems(&a[2], pg, (int)count);
	if (np == -1) {
		/* pages unreadable: the call failed with EFAULT, nothing to replay per page */
		trace_info_unknown(&s->r.info, "(move_pages without pages)", 26);
		s->r.info.skipped++;
		rc = 0;
		goto out;
	}
	if (np != (int)count) {
		bad_call(s, call, "the pages array lists %s of %llu entries; record with a larger strace -s",
			 np == -2 ? "fewer" : "a different number", (unsigned long long)count);
		goto out;
	}
	bool query = arg_is(&a[3], "NULL");
	if (!query && array_elems(&a[3], nd, (int)count) != (int)count) {
		bad_call(s, call, "the nodes array does not list %llu entries", (unsigned long long)count);
		goto out;
	}
	bool have_status = ret >= 0 && ret != OP_RET_NONE;
	if (have_status && array_elems(&a[4], st, (int)count) != (int)count) {
		bad_call(s, call, "the status array does not list %llu entries", (unsigned long long)count);
		goto out;
	}
	s->nr_queued = s->next_queued = 0;
	for (u64 i = 0; i < count; i++) {
		struct op *op = queue_add(s);
		s64 x;
		*op = *first;
		op->type = OP_MOVE_PAGES;
		op->id = v[0];
		op->flags = (u32)flags;
		if (elem_num(&pg[i], false, &x) < 0) {
			bad_call(s, call, "page %llu \"%.*s\" is not an address", (unsigned long long)i,
				 (int)pg[i].n, pg[i].s);
			goto out;
		}
		op->addr = (u64)x;
		op->node = -1;
		if (!query) {
			if (elem_num(&nd[i], false, &x) < 0 || x < INT32_MIN || x > INT32_MAX) {
				bad_call(s, call, "node %llu \"%.*s\" is not a node number",
					 (unsigned long long)i, (int)nd[i].n, nd[i].s);
				goto out;
			}
			op->node = (s32)x;
		}
		op->ret = ret;
		if (have_status) {
			if (elem_num(&st[i], false, &x) < 0) {
				bad_call(s, call, "status %llu \"%.*s\" is not a node or -ERRNO",
					 (unsigned long long)i, (int)st[i].n, st[i].s);
				goto out;
			}
			op->ret = x;
		}
	}
	rc = 1;
out:
	free(el);
	if (rc != 1)
		s->nr_queued = s->next_queued = 0;
	return rc;
}

/* ---- snapshot files ---- */

static struct snap_fd *snap_find(struct strace_reader *s, u32 pid, s32 fd)
{
	for (u32 i = 0; i < NR_SNAP_FDS; i++)
		if (s->snaps[i].used && s->snaps[i].pid == pid && s->snaps[i].fd == fd)
			return &s->snaps[i];
	return NULL;
}

static void snap_add(struct strace_reader *s, u32 pid, s32 fd, u32 file, s32 node)
{
	struct snap_fd *e = snap_find(s, pid, fd);
	if (!e) {
		e = &s->snaps[s->snap_next];
		s->snap_next = (s->snap_next + 1) % NR_SNAP_FDS;
	}
	*e = (struct snap_fd){ .pid = pid, .fd = fd, .file = file, .node = node, .used = true };
}

/* ---- sysctl files ---- */

static bool is_sysctl_path(const char *path)
{
	return !strncmp(path, "/proc/sys/", 10) || !strncmp(path, "/sys/", 5);
}

static struct sysctl_fd *sysctl_find(struct strace_reader *s, u32 pid, s32 fd)
{
	for (u32 i = 0; i < NR_SYSCTL_FDS; i++)
		if (s->sysctls[i].used && s->sysctls[i].pid == pid && s->sysctls[i].fd == fd)
			return &s->sysctls[i];
	return NULL;
}

static void sysctl_drop(struct sysctl_fd *e)
{
	free(e->path);
	*e = (struct sysctl_fd){ 0 };
}

static void sysctl_add(struct strace_reader *s, u32 pid, s32 fd, const char *path)
{
	struct sysctl_fd *e = sysctl_find(s, pid, fd);
	if (!e) {
		e = &s->sysctls[s->sysctl_next];
		s->sysctl_next = (s->sysctl_next + 1) % NR_SYSCTL_FDS;
	}
	sysctl_drop(e);
	*e = (struct sysctl_fd){ .pid = pid, .fd = fd, .used = true, .path = xstrdup(path) };
}

/* A forked child starts with copies of its parent's snapshot and sysctl fds. */
static void fds_fork(struct strace_reader *s, u32 parent, u32 child)
{
	for (u32 i = 0; i < NR_SNAP_FDS; i++) {
		struct snap_fd e = s->snaps[i];
		if (e.used && e.pid == parent)
			snap_add(s, child, e.fd, e.file, e.node);
	}
	for (u32 i = 0; i < NR_SYSCTL_FDS; i++) {
		struct sysctl_fd *e = &s->sysctls[i];
		if (e->used && e->pid == parent && !sysctl_find(s, child, e->fd)) {
			char *path = xstrdup(e->path);  /* the slot may be the one reused */
			sysctl_add(s, child, e->fd, path);
			free(path);
		}
	}
}

/* The data of a write to a sysctl file as a number ("8\n", " -1 "): 0, or -1 when it is
 * something else (a word, several numbers, a string strace cut short). */
static int sysctl_value(const struct arg *a, u64 *v)
{
	char buf[64], *end;
	if (arg_string(a, buf, sizeof(buf)) < 0 || a->s[a->n - 1] != '"')
		return -1;
	const char *p = buf;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '-' && isdigit((unsigned char)p[1])))
		return -1;
	errno = 0;
	if (*p == '-')
		*v = (u64)strtoll(p, &end, 10);
	else
		*v = strtoull(p, &end, 10);
	if (errno)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	return *end ? -1 : 0;
}

/* The data of a write to one of the THP files (enabled, defrag, ...) as a word
 * ("madvise\n", "defer+madvise"): its enum sysctl_word, or -1 when the path is no THP file
 * or the data no word of SYSCTL_WORDS (op.h). */
static int sysctl_word(const char *path, const struct arg *a)
{
	char buf[64];
	if (strncmp(path, "/sys/kernel/mm/transparent_hugepage/", 36) ||
	    arg_string(a, buf, sizeof(buf)) < 0 || a->s[a->n - 1] != '"')
		return -1;
	const char *p = buf, *e = buf + strlen(buf);
	while (isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	return sysctl_word_from_name(p, (size_t)(e - p));
}

/* ---- one call ---- */

static s64 parse_ret(const char *p, bool *ok)
{
	*ok = true;
	p = skip_sp(p);
	if (*p == '?') {
		p = skip_sp(p + 1);
		/* "? ERESTARTSYS (To be restarted...)" */
		if (isupper((unsigned char)*p)) {
			char name[32];
			size_t n = 0;
			while ((isupper((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '_') &&
			       n < sizeof(name) - 1)
				n++;
			memcpy(name, p, n);
			name[n] = '\0';
			int e = uapi_errno_from_name(name);
			if (e > 0)
				return -e;
		}
		return OP_RET_NONE;
	}
	char *end;
	errno = 0;
	s64 v;
	if (*p == '-') {
		v = strtoll(p, &end, 0);
	} else {
		v = (s64)strtoull(p, &end, 0);
	}
	if (end == p || errno) {
		*ok = false;
		return OP_RET_NONE;
	}
	if (v == -1 && *end == ' ') {
		const char *q = end + 1;
		char name[32];
		size_t n = 0;
		while ((isupper((unsigned char)q[n]) || isdigit((unsigned char)q[n]) || q[n] == '_') &&
		       n < sizeof(name) - 1)
			n++;
		memcpy(name, q, n);
		name[n] = '\0';
		int e = n ? uapi_errno_from_name(name) : -1;
		if (e > 0)
			return -e;
	}
	return v;
}

/* Decode "NAME(ARGS) = RET" for thread t into op. Returns 1 when an op was produced,
 * 0 when the call produces none (not modelled, or a snapshot file's read/close), -1 on
 * a NUMA call that cannot be decoded (the message is in s->r.err). */
static int decode_call(struct strace_reader *s, struct sthread *t, const char *text, u64 time,
		       struct op *op)
{
	const char *paren = strchr(text, '(');
	struct arg a[MAX_ARGS];
	const char *end;
	u64 v[MAX_ARGS] = { 0 };
	bool ok;

	if (!paren || paren == text) {
		trace_info_unknown(&s->r.info, "(unparsed lines)", 16);
		s->r.info.skipped++;
		return 0;
	}
	size_t nl = (size_t)(paren - text);
	int nr = split_args(paren + 1, a, MAX_ARGS, &end);
	const char *eq = nr >= 0 ? strstr(end, "= ") : NULL;
	if (nr < 0 || !eq) {
		trace_info_unknown(&s->r.info, "(unparsed lines)", 16);
		s->r.info.skipped++;
		return 0;
	}
	s64 ret = parse_ret(eq + 2, &ok);
	if (!ok) {
		trace_info_unknown(&s->r.info, "(unparsed lines)", 16);
		s->r.info.skipped++;
		return 0;
	}
	for (int i = 0; i < nr; i++)
		if (arg_num(&a[i], &v[i]) < 0)
			v[i] = 0;
	char name[40];
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, text, nl);
	name[nl] = '\0';
#define IS(n) (!strcmp(name, n))
#define NEED(k) do { if (nr < (k)) goto unknown; } while (0)
	enum op_type type = OP_NONE;
	op_init(op, OP_NONE);
	op->ret = ret;
	if (IS("mmap") || IS("mmap2")) {
		NEED(6);
		type = OP_MMAP;
		op->addr = v[0];
		op->len = v[1];
		op->prot = (u32)arg_flags(&uapi_prot, &a[2]);
		op->flags = (u32)arg_flags(&uapi_map, &a[3]);
		op->fd = (s32)v[4];
		op->off = IS("mmap2") ? v[5] * 4096 : v[5];
	} else if (IS("munmap")) {
		NEED(2);
		type = OP_MUNMAP;
		op->addr = v[0];
		op->len = v[1];
	} else if (IS("mprotect") || IS("pkey_mprotect")) {
		NEED(3);
		type = OP_MPROTECT;
		op->addr = v[0];
		op->len = v[1];
		op->prot = (u32)arg_flags(&uapi_prot, &a[2]);
	} else if (IS("mremap")) {
		NEED(4);
		type = OP_MREMAP;
		op->addr = v[0];
		op->len = v[1];
		op->len2 = v[2];
		op->flags = (u32)arg_flags(&uapi_mremap, &a[3]);
		if (nr >= 5)
			op->addr2 = v[4];
	} else if (IS("madvise")) {
		NEED(3);
		u64 adv = arg_flags(&uapi_madv, &a[2]);
		op->addr = v[0];
		op->len = v[1];
		if ((adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE) && ret == 0) {
			type = OP_TOUCH;
			op->flags = (adv == MADV_POPULATE_WRITE ? TOUCH_WRITE : 0) | TOUCH_POPULATE;
			op->ret = OP_RET_NONE;
		} else {
			type = OP_MADVISE;
			op->arg = (u32)adv;
		}
	} else if (IS("mlock") || IS("mlock2") || IS("munlock")) {
		NEED(2);
		type = IS("munlock") ? OP_MUNLOCK : OP_MLOCK;
		op->addr = v[0];
		op->len = v[1];
		if (IS("mlock2") && nr >= 3)
			op->flags = (u32)arg_flags(&uapi_mlock2, &a[2]);
	} else if (IS("mlockall")) {
		NEED(1);
		type = OP_MLOCKALL;
		op->flags = (u32)arg_flags(&uapi_mcl, &a[0]);
	} else if (IS("munlockall")) {
		type = OP_MUNLOCKALL;
	} else if (IS("brk")) {
		NEED(1);
		type = OP_BRK;
		op->addr = v[0];
	} else if (IS("mbind")) {
		/* mbind(addr, len, mode|MPOL_F_*, nodemask, maxnode, MPOL_MF_*) */
		NEED(6);
		type = OP_MBIND;
		op->addr = v[0];
		op->len = v[1];
		u64 mode, mf;
		if (numa_flags(s, name, "mode", &uapi_mpol_mode, &a[2], &mode) < 0 ||
		    numa_mask(s, name, "nodemask", &a[3], v[4], &op->nodemask) < 0 ||
		    numa_flags(s, name, "flags", &uapi_mpol_mf, &a[5], &mf) < 0)
			return -1;
		op->arg = (u32)mode;
		op->flags = (u32)mf;
	} else if (IS("set_mempolicy")) {
		/* set_mempolicy(mode|MPOL_F_STATIC_NODES|MPOL_F_RELATIVE_NODES, nodemask, maxnode) */
		NEED(3);
		type = OP_SET_MEMPOLICY;
		u64 mode;
		if (numa_flags(s, name, "mode", &uapi_mpol_mode, &a[0], &mode) < 0 ||
		    numa_mask(s, name, "nodemask", &a[1], v[2], &op->nodemask) < 0)
			return -1;
		op->arg = (u32)mode;
	} else if (IS("get_mempolicy")) {
		/* get_mempolicy([MODE], [MASK], maxnode, addr, MPOL_F_*): what the kernel
		 * returned (the mode, or the node with MPOL_F_NODE, and the mask) is printed
		 * only when the call succeeded, else the two addresses */
		NEED(5);
		type = OP_GET_MEMPOLICY;
		u64 gf, mode = 0;
		if (numa_flags(s, name, "flags", &uapi_mpol_get, &a[4], &gf) < 0)
			return -1;
		struct arg m = arg_unbracket(&a[0]);
		if (m.s != a[0].s && numa_flags(s, name, "mode", &uapi_mpol_mode, &m, &mode) < 0)
			return -1;
		if (numa_mask(s, name, "nodemask", &a[1], v[2], &op->nodemask) < 0)
			return -1;
		op->addr = v[3];
		op->flags = (u32)gf;
		op->arg = (u32)mode;
	} else if (IS("set_mempolicy_home_node")) {
		/* set_mempolicy_home_node(start, len, home_node, flags) */
		NEED(4);
		type = OP_SET_MEMPOLICY_HOME_NODE;
		op->addr = v[0];
		op->len = v[1];
		op->node = v[2] > INT32_MAX ? INT32_MAX : (s32)v[2];
		op->flags = (u32)v[3];
	} else if (IS("migrate_pages")) {
		/* migrate_pages(pid, maxnode, old_nodes, new_nodes) */
		NEED(4);
		type = OP_MIGRATE_PAGES;
		op->id = v[0];
		if (numa_mask(s, name, "old_nodes", &a[2], v[1], &op->nodemask) < 0 ||
		    numa_mask(s, name, "new_nodes", &a[3], v[1], &op->len2) < 0)
			return -1;
	} else if (IS("move_pages")) {
		op->type = OP_MOVE_PAGES;
		op->pid = t->pid;
		op->tid = t->tid;
		op->time_ns = time;
		op->think_ns = t->seen && time >= t->last_time ? time - t->last_time : 0;
		int rc = decode_move_pages(s, a, nr, v, ret, op);
		if (rc <= 0)
			return rc;
		t->last_time = time;
		t->seen = true;
		/* the first page's op now, the others from the queue (no think time) */
		for (u32 i = 0; i < s->nr_queued; i++)
			s->queue[i].src_line = s->src_line;
		*op = s->queue[0];
		for (u32 i = 1; i < s->nr_queued; i++)
			s->queue[i].think_ns = 0;
		s->next_queued = 1;
		return 1;
	} else if (IS("sched_setaffinity")) {
		/* sched_setaffinity(tid, size, [CPUS]) */
		NEED(3);
		type = OP_SCHED_SETAFFINITY;
		op->id = v[0];
		if (cpu_mask(s, name, &a[2], &op->nodemask) < 0)
			return -1;
	} else if (IS("shmget")) {
		NEED(3);
		type = OP_SHMGET;
		op->id = arg_is(&a[0], "IPC_PRIVATE") ? 0 : v[0];
		op->len = v[1];
		op->flags = (u32)arg_flags(&uapi_ipc, &a[2]);
	} else if (IS("shmat")) {
		NEED(3);
		type = OP_SHMAT;
		op->id = v[0];
		op->addr = v[1];
		op->flags = (u32)arg_flags(&uapi_shm, &a[2]);
	} else if (IS("shmctl")) {
		NEED(2);
		u64 cmd;
		if (arg_flags_strict(&uapi_shmctl, &a[1], &cmd) < 0)
			goto unknown;
		type = OP_SHMCTL;
		op->id = v[0];
		op->arg = (u32)(cmd & ~0x100ULL);     /* IPC_64 */
	} else if (IS("shmdt")) {
		NEED(1);
		type = OP_SHMDT;
		op->addr = v[0];
	} else if (IS("memfd_create")) {
		NEED(2);
		type = OP_MEMFD_CREATE;
		if (arg_string(&a[0], s->pathbuf, sizeof(s->pathbuf)) == 0)
			op->path = s->pathbuf;
		op->flags = (u32)arg_flags(&uapi_mfd, &a[1]);
	} else if (IS("open") || IS("openat") || IS("creat")) {
		int pi = IS("openat") ? 1 : 0;
		NEED(pi + 1);
		if (arg_string(&a[pi], s->pathbuf, sizeof(s->pathbuf)) < 0)
			goto unknown;
		u32 oflags = 0;
		if (IS("creat"))
			oflags = 0100 | 01000 | 01;     /* O_CREAT|O_TRUNC|O_WRONLY */
		else if (nr > pi + 1)
			oflags = (u32)arg_flags(&uapi_open, &a[pi + 1]);
		bool opened = ret >= 0 && ret != OP_RET_NONE;
		/* a state file read (snapshot); a tunable written, or read (not modelled) */
		s32 snode;
		int sf = snapshot_file_from_path_node(s->pathbuf, &snode);
		bool snap = sf >= 0 && (oflags & 03) != 01;
		bool sysctl = is_sysctl_path(s->pathbuf) && (sf < 0 || (oflags & 03) != 0);
		if (snap && opened)
			snap_add(s, t->pid, (s32)ret, (u32)sf, snode);
		if (sysctl && opened)
			sysctl_add(s, t->pid, (s32)ret, s->pathbuf);
		if (snap || sysctl || sf >= 0)
			return 0;
		type = OP_OPEN;
		op->path = s->pathbuf;
		op->flags = oflags;
	} else if (IS("unlink") || IS("unlinkat")) {
		/* unlinkat(dirfd, path, 0); AT_REMOVEDIR (rmdir) has no file to remove here */
		int pi = IS("unlinkat") ? 1 : 0;
		NEED(pi + 1);
		if (arg_string(&a[pi], s->pathbuf, sizeof(s->pathbuf)) < 0)
			goto unknown;
		if (pi && nr > 2 && memmem(a[2].s, a[2].n, "AT_REMOVEDIR", 12))
			goto unknown;
		type = OP_UNLINK;
		op->path = s->pathbuf;
	} else if ((IS("dup") || IS("dup2") || IS("dup3")) && ret >= 0 && ret != OP_RET_NONE) {
		/* dup(old) / dup2(old, new) / dup3(old, new, flags): new refers to old's file */
		NEED(1);
		type = OP_DUP;
		op->fd = (s32)v[0];
		op->id = (u64)ret;
	} else if (IS("fcntl") && nr >= 2 && ret >= 0 && ret != OP_RET_NONE &&
		   (!strncmp(a[1].s, "F_DUPFD,", 8) || !strncmp(a[1].s, "F_DUPFD_CLOEXEC,", 16) ||
		    (a[1].n == 7 && !strncmp(a[1].s, "F_DUPFD", 7)) ||
		    (a[1].n == 15 && !strncmp(a[1].s, "F_DUPFD_CLOEXEC", 15)))) {
		type = OP_DUP;
		op->fd = (s32)v[0];
		op->id = (u64)ret;
	} else if (IS("close")) {
		NEED(1);
		struct snap_fd *sn = snap_find(s, t->pid, (s32)v[0]);
		struct sysctl_fd *sc = sysctl_find(s, t->pid, (s32)v[0]);
		if (sn)
			sn->used = false;
		if (sc)
			sysctl_drop(sc);
		if (sn || sc)
			return 0;
		type = OP_CLOSE;
		op->fd = (s32)v[0];
	} else if (IS("read") || IS("pread64") || IS("write") || IS("pwrite64")) {
		bool positional = IS("pread64") || IS("pwrite64");
		NEED(positional ? 4 : 3);
		struct snap_fd *sn = snap_find(s, t->pid, (s32)v[0]);
		bool is_read = IS("read") || IS("pread64");
		if (sn && is_read) {
			/* the first read since the open (or a pread at 0) is the look */
			if ((positional && v[3] == 0) || !sn->read_done) {
				sn->read_done = true;
				type = OP_SNAPSHOT;
				op->arg = sn->file;
				op->node = sn->node;
				op->ret = OP_RET_NONE;
				goto emit;
			}
			return 0;
		}
		struct sysctl_fd *sc = sysctl_find(s, t->pid, (s32)v[0]);
		if (sc && !is_read) {
			if (sysctl_value(&a[1], &op->id) < 0) {
				int w = sysctl_word(sc->path, &a[1]);
				if (w < 0) {
					trace_info_unknown(&s->r.info, "(sysctl write, not a number)",
							   28);
					s->r.info.skipped++;
					return 0;
				}
				op->flags |= SYSCTL_F_WORD;
				op->id = (u64)w;
			}
			type = OP_SYSCTL;
			snprintf(s->pathbuf, sizeof(s->pathbuf), "%s", sc->path);
			op->path = s->pathbuf;
			goto emit;
		}
		if (sc || sn)
			return 0;
		type = is_read ? OP_READ : OP_WRITE;
		op->fd = (s32)v[0];
		op->len = v[2];
		op->off = positional ? v[3] : ~0ULL;
		/* strace prints the buffer's address instead of its bytes when it could not
		 * read them (EFAULT): the replay checks it (addr) */
		if (a[1].n > 2 && !strncmp(a[1].s, "0x", 2))
			op->addr = v[1];
	} else if (IS("lseek")) {
		NEED(3);
		struct snap_fd *sn = snap_find(s, t->pid, (s32)v[0]);
		if (sn && v[1] == 0)
			sn->read_done = false;
		if (sn || sysctl_find(s, t->pid, (s32)v[0]))
			return 0;
		/* lseek(fd, off, SEEK_SET|SEEK_CUR|SEEK_END) = new position */
		int whence = arg_is(&a[2], "SEEK_SET") ? 0 : arg_is(&a[2], "SEEK_CUR") ? 1 :
			     arg_is(&a[2], "SEEK_END") ? 2 : -1;
		if (whence < 0)
			goto unknown;
		type = OP_LSEEK;
		op->fd = (s32)v[0];
		op->off = v[1];
		op->arg = (u32)whence;
	} else if (IS("fstat") || IS("newfstatat") || IS("statx")) {
		/* a regular file's size through its fd: fstat(fd, {.., st_size=N, ..}),
		 * newfstatat(fd, "", {..}, AT_EMPTY_PATH), statx(fd, "", flags, mask,
		 * {.., stx_size=N, ..}); stats by path are not about an open file */
		NEED(2);
		int si = IS("fstat") ? 1 : IS("newfstatat") ? 2 : 4;
		if (nr <= si || ret != 0 || (si > 1 && !arg_is(&a[1], "\"\"")))
			goto unknown;
		if (snap_find(s, t->pid, (s32)v[0]) || sysctl_find(s, t->pid, (s32)v[0]))
			return 0;
		const char *key = IS("statx") ? "stx_size=" : "st_size=";
		const char *p = memmem(a[si].s, a[si].n, key, strlen(key));
		if (!p || !memmem(a[si].s, a[si].n, "S_IFREG", 7))
			return 0;                /* not a regular file: no page cache */
		type = OP_FSTAT;
		op->fd = (s32)v[0];
		op->len = strtoull(p + strlen(key), NULL, 10);
	} else if (IS("fadvise64")) {
		/* fadvise64(fd, offset, len, POSIX_FADV_*) */
		NEED(4);
		static const char *const adv[] = { "POSIX_FADV_NORMAL", "POSIX_FADV_RANDOM",
						   "POSIX_FADV_SEQUENTIAL", "POSIX_FADV_WILLNEED",
						   "POSIX_FADV_DONTNEED", "POSIX_FADV_NOREUSE" };
		u64 advice = ~0ULL;
		for (unsigned i = 0; i < ARRAY_SIZE(adv); i++)
			if (arg_is(&a[3], adv[i]))
				advice = i;
		if (advice == ~0ULL && arg_num(&a[3], &advice) < 0)
			goto unknown;
		type = OP_FADVISE;
		op->fd = (s32)v[0];
		op->off = v[1];
		op->len = v[2];
		op->arg = (u32)advice;
	} else if (IS("preadv") || IS("preadv2")) {
		/* preadv(fd, [{iov_base=.., iov_len=N}, ..], iovcnt, offset): a read at offset
		 * of the iovecs' total length */
		NEED(4);
		if (snap_find(s, t->pid, (s32)v[0]) || sysctl_find(s, t->pid, (s32)v[0]))
			return 0;
		u64 total = 0;
		const char *p = a[1].s, *iend = a[1].s + a[1].n;
		while ((p = memmem(p, (size_t)(iend - p), "iov_len=", 8))) {
			p += 8;
			total += strtoull(p, NULL, 10);
		}
		type = OP_READ;
		op->fd = (s32)v[0];
		op->len = total;
		op->off = v[3];
	} else if (IS("fsync") || IS("fdatasync") || IS("syncfs")) {
		NEED(1);
		if (snap_find(s, t->pid, (s32)v[0]) || sysctl_find(s, t->pid, (s32)v[0]))
			return 0;
		type = IS("syncfs") ? OP_SYNC : OP_FSYNC;
		op->fd = (s32)v[0];
		if (IS("fdatasync"))
			op->flags = FSYNC_F_DATASYNC;
	} else if (IS("sync")) {
		type = OP_SYNC;
		op->fd = -1;
	} else if (IS("msync")) {
		NEED(3);
		type = OP_MSYNC;
		op->addr = v[0];
		op->len = v[1];
		op->flags = (u32)arg_flags(&uapi_msync, &a[2]);
	} else if (IS("sync_file_range") || IS("sync_file_range2")) {
		/* sync_file_range2(fd, flags, offset, nbytes) puts the flags second */
		NEED(4);
		bool two = IS("sync_file_range2");
		type = OP_SYNC_FILE_RANGE;
		op->fd = (s32)v[0];
		op->off = two ? v[2] : v[1];
		op->len = two ? v[3] : v[2];
		op->flags = (u32)arg_flags(&uapi_sync_file_range, &a[two ? 1 : 3]);
	} else if (IS("ftruncate")) {
		NEED(2);
		type = OP_FTRUNCATE;
		op->fd = (s32)v[0];
		op->len = v[1];
	} else if (IS("fallocate")) {
		NEED(4);
		type = OP_FALLOCATE;
		op->fd = (s32)v[0];
		op->arg = (u32)arg_flags(&uapi_falloc, &a[1]);
		op->off = v[2];
		op->len = v[3];
	} else if (IS("execve") || IS("execveat")) {
		/* execve(path, argv, envp) / execveat(dirfd, path, ...): a new mm; the
		 * program's mappings made by the kernel (image, ld.so, stack) are not seen */
		int pi = IS("execveat") ? 1 : 0;
		NEED(pi + 1);
		/* the root's first calls are strace starting the program (its mm is new); a
		 * vfork child's first call is often its execve, before the "vfork resumed"
		 * line that names it (held until then) */
		if (!t->seen && !t->forked && !t->held)
			goto unknown;
		type = OP_EXECVE;
		if (arg_string(&a[pi], s->pathbuf, sizeof(s->pathbuf)) == 0)
			op->path = s->pathbuf;
	} else if (IS("clone") || IS("clone3") || IS("fork") || IS("vfork")) {
		bool thread = false;
		u32 fflags = IS("vfork") ? FORK_F_VFORK | FORK_F_VM : 0;
		if (IS("clone") || IS("clone3")) {
			NEED(1);
			/* clone(child_stack=..., flags=A|B, ...) or clone3({flags=A|B, ...}, size) */
			for (int i = 0; i < nr; i++) {
				const char *f = memmem(a[i].s, a[i].n, "flags=", 6);
				if (!f)
					continue;
				const char *fe = f + 6;
				while (fe < a[i].s + a[i].n && *fe != ',' && *fe != '}')
					fe++;
				struct arg fa = { f + 6, (size_t)(fe - f - 6) };
				u64 cf = arg_flags(&uapi_clone, &fa);
				thread = cf & 0x10000;                      /* CLONE_THREAD */
				if (!thread && (cf & 0x100))                 /* CLONE_VM */
					fflags |= FORK_F_VM;
				if (!thread && (cf & 0x4000))                /* CLONE_VFORK */
					fflags |= FORK_F_VFORK;
				break;
			}
		}
		type = thread ? OP_CLONE : OP_FORK;
		if (!thread)
			op->flags = fflags;
		if (ret > 0 && ret <= UINT32_MAX) {
			u32 self = t->tid, pid = t->pid;
			op->id = (u64)ret;
			struct sthread *child = thread_get(s, (u32)ret);  /* may move threads[] */
			if (!child->seen)
				child->pid = thread ? pid : (u32)ret;
			child->forked = true;
			if (!thread)
				fds_fork(s, pid, (u32)ret);
			t = &s->threads[tidmap_get(&s->tids, self)];
		}
	} else if (IS("pipe") || IS("pipe2")) {
		/* pipe([RFD, WFD]) / pipe2([RFD, WFD], flags): the two fds, when it worked */
		NEED(1);
		if (ret != 0)
			goto unknown;
		struct arg in = arg_unbracket(&a[0]);
		struct arg f[2];
		const char *e2;
		char buf[64];
		if (in.s == a[0].s || in.n + 2 >= sizeof(buf))
			goto unknown;
		snprintf(buf, sizeof(buf), "%.*s)", (int)in.n, in.s);
		u64 rfd, wfd;
		if (split_args(buf, f, 2, &e2) != 2 || arg_num(&f[0], &rfd) < 0 ||
		    arg_num(&f[1], &wfd) < 0 || rfd > INT32_MAX || wfd > INT32_MAX)
			goto unknown;
		type = OP_PIPE;
		op->fd = (s32)rfd;
		op->id = wfd;
	} else if (IS("wait4") || IS("waitpid")) {
		/* wait4(pid, [status], options, rusage) = the pid reaped (0 with WNOHANG) */
		NEED(1);
		type = OP_WAIT4;
		op->id = (s64)v[0] > 0 ? v[0] : 0;
	} else if (IS("kill") || IS("tkill") || IS("tgkill")) {
		/* kill(pid, SIG) / tkill(tid, SIG) / tgkill(tgid, tid, SIG): the target process */
		int ns = IS("tgkill") ? 2 : 1;
		NEED(ns + 1);
		int sig = strace_signal_number(a[ns].s, a[ns].n);
		if (sig < 0)
			goto unknown;
		type = OP_KILL;
		op->arg = (u32)sig;
		op->id = (s64)v[0] > 0 ? v[0] : 0;
		if (IS("tkill")) {
			u32 ti = tidmap_get(&s->tids, (u32)v[0]);
			op->id = ti != TIDMAP_NONE ? s->threads[ti].pid : v[0];
		}
	} else if (IS("prctl")) {
		/* prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0): the THP options; any other is dropped */
		NEED(1);
		u64 option;
		if (arg_flags_strict(&uapi_prctl, &a[0], &option) < 0 ||
		    (option != PR_SET_THP_DISABLE && option != PR_GET_THP_DISABLE))
			goto unknown;
		type = OP_PRCTL;
		op->arg = (u32)option;
		op->id = nr >= 2 ? v[1] : 0;
	} else if (IS("exit") || IS("exit_group")) {
		type = OP_EXIT;
		op->ret = OP_RET_NONE;
		t->exited = true;
	} else {
		goto unknown;
	}
emit:
	op->type = type;
	op->pid = t->pid;
	op->tid = t->tid;
	op->time_ns = time;
	op->think_ns = t->seen ? time - t->last_time : 0;
	if (time < t->last_time)
		op->think_ns = 0;
	t->last_time = time;
	t->seen = true;
	return 1;
unknown:
	trace_info_unknown(&s->r.info, name, strlen(name));
	s->r.info.skipped++;
	return 0;
#undef IS
#undef NEED
}

/* A "--- SIGxxx {...} ---" line: an OP_SIGNAL of the thread (flags SIGNAL_F_TRACED when
 * the sender is a thread this log has shown, so that the replay waits for its kill). */
static bool signal_op(struct strace_reader *s, struct sthread *t, const char *p, u64 time,
		      u64 lno, struct op *op)
{
	struct strace_signal sg;
	if (strace_signal_line(p, &sg) < 0)
		return false;
	op_init(op, OP_SIGNAL);
	op->arg = sg.sig;
	op->id = sg.sender;
	op->flags = sg.flags;
	if (sg.sender && tidmap_get(&s->tids, sg.sender) != TIDMAP_NONE)
		op->flags |= SIGNAL_F_TRACED;
	op->pid = t->pid;
	op->tid = t->tid;
	op->time_ns = time;
	op->think_ns = t->seen && time >= t->last_time ? time - t->last_time : 0;
	op->src_line = lno;
	t->last_time = time;
	t->seen = true;
	s->r.info.records++;
	return true;
}

static bool is_fork_call(const char *text)
{
	return !strncmp(text, "clone(", 6) || !strncmp(text, "clone3(", 7) ||
	       !strncmp(text, "fork(", 5) || !strncmp(text, "vfork(", 6);
}

static void pending_clear(struct strace_reader *s, struct sthread *t)
{
	if (t->pending_fork) {
		t->pending_fork = false;
		s->nr_fork_pending--;
	}
	free(t->pending);
	t->pending = NULL;
}

/* A located refusal of the current line: the log cannot be read right. */
static int __attribute__((format(printf, 2, 3)))
refuse(struct strace_reader *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->r.err, sizeof(s->r.err), "%s:%llu: %s", strace_lines_path(s->lr),
		 (unsigned long long)strace_lines_lineno(s->lr), msg);
	s->failed = true;
	return -1;
}

/* -X verbose writes "0x3 /\* PROT_READ|PROT_WRITE *\/": a number, then its names in a
 * comment (the default -X abbrev writes a comment only for a number it has no name for,
 * "0x9 /\* MPOL_??? *\/"). */
static bool xverbose_line(const char *p)
{
	for (const char *c = strstr(p, " /* "); c; c = strstr(c + 4, " /* ")) {
		const char *q = c;
		while (q > p && isxdigit((unsigned char)q[-1]))
			q--;
		if (q - p < 3 || q[-1] != 'x' || q[-2] != '0' || q == c)
			continue;
		/* the comment is names joined by '|': "PROT_READ|PROT_WRITE" */
		const char *n = c + 4;
		if (!isupper((unsigned char)*n))
			continue;
		while (isupper((unsigned char)*n) || isdigit((unsigned char)*n) || *n == '_' ||
		       *n == '|')
			n++;
		if (!strncmp(n, " */", 3))
			return true;
	}
	return false;
}

/* The timestamp form of a line against the log's: -r and -X verbose are refused, and one
 * log has one form. */
static int check_line_form(struct strace_reader *s, const char *p, enum strace_ts_form form)
{
	if (form == STRACE_TS_REL)
		return refuse(s, "relative timestamps (strace -r) put no two lines on one clock; "
			      "record with -ttt (or -tt) instead");
	/* a line without a timestamp (the program's own output in a log strace wrote to
	 * stderr, ...) is not a call: counted as unparsed, never a reason to refuse */
	if (form != STRACE_TS_NONE && s->form_line == 0) {
		s->form = form;
		s->form_line = strace_lines_lineno(s->lr);
	} else if (form != STRACE_TS_NONE && form != s->form) {
		return refuse(s, "timestamps of the form %s, but line %llu has %s: one strace run "
			      "per log (or the files of strace -ff given together)",
			      strace_ts_form_name(form), (unsigned long long)s->form_line,
			      strace_ts_form_name(s->form));
	}
	if (xverbose_line(p))
		return refuse(s, "strace -X verbose output (numbers with their names in comments); "
			      "record with the default -X abbrev (or -X raw) instead");
	/* -e raw=all prints a path as its address: the files cannot be told apart */
	const char *path = !strncmp(p, "open(", 5) ? p + 5 :
			   !strncmp(p, "openat(", 7) ? strstr(p + 7, ", ") : NULL;
	if (path && path != p + 5)
		path += 2;
	if (path && !strncmp(path, "0x", 2))
		return refuse(s, "a path given as its address (strace -e raw=all): the files "
			      "cannot be told apart; record without -e raw");
	return 0;
}

/* -i's "[00007f...] " (the instruction pointer, "[????????????????]" at exit) and -n's
 * "[  9] " (the syscall number)
 * before the call carry nothing mmsim uses: skipped. */
static const char *skip_insn_prefix(const char *p)
{
	if (*p != '[')
		return p;
	const char *q = p + 1;
	while (isxdigit((unsigned char)*q) || *q == ' ' || *q == '?')
		q++;
	return *q == ']' && q[1] == ' ' && q > p + 1 ? q + 2 : p;
}

/* strace -f writing to stderr (no -o) prints "[pid N] " only while it traces more than
 * one process: the root's first lines are bare (tid 1 here). The first prefixed line of a
 * pid that no fork record made is the root's, when no fork is unfinished or when it
 * resumes the root's unfinished fork; the root keeps its tid 1. */
static void alias_bare_root(struct strace_reader *s, u32 tid, const char *p)
{
	u32 ri = tidmap_get(&s->tids, 1);
	if (ri == TIDMAP_NONE || tidmap_get(&s->tids, tid) != TIDMAP_NONE)
		return;
	struct sthread *root = &s->threads[ri];
	if (root->exited)
		return;
	bool resumes_fork = root->pending_fork &&
			    (!strncmp(p, "<... clone resumed>", 19) ||
			     !strncmp(p, "<... clone3 resumed>", 20) ||
			     !strncmp(p, "<... fork resumed>", 18) ||
			     !strncmp(p, "<... vfork resumed>", 19));
	if (s->nr_fork_pending && !resumes_fork)
		return;
	tidmap_set(&s->tids, tid, ri);
	s->bare_aliased = true;
}

static int strace_next_line(struct trace_reader *r, struct op *op)
{
	struct strace_reader *s = container_of(r, struct strace_reader, r);
	char *line;
	size_t len;

	if (s->failed)
		return -1;
	if (s->next_queued < s->nr_queued) {
		*op = s->queue[s->next_queued++];
		r->info.records++;
		return 1;
	}
	for (;;) {
		int rc = strace_lines_next(s->lr, &line, &len);
		if (rc < 0) {
			snprintf(r->err, sizeof(r->err), "%s", strace_lines_error(s->lr));
			return -1;
		}
		if (rc == 0)
			return 0;
		r->info.lines++;
		u64 lno = strace_lines_lineno(s->lr);   /* the line the call starts on */
		/* strace -f writing to stderr puts "strace: Process N attached" in the middle of
		 * the line it is printing: the line goes on after it */
		const char *att = strstr(line, "strace: Process ");
		if (att && att != line && strstr(att, " attached") &&
		    !strcmp(strstr(att, " attached"), " attached")) {
			size_t n1 = (size_t)(att - line);
			memcpy(s->spliced, line, n1);
			rc = strace_lines_next(s->lr, &line, &len);
			if (rc < 0) {
				snprintf(r->err, sizeof(r->err), "%s", strace_lines_error(s->lr));
				return -1;
			}
			if (rc > 0) {
				r->info.lines++;
				memcpy(s->spliced + n1, line, len + 1);
			} else {
				s->spliced[n1] = '\0';
			}
			line = s->spliced;
		}
		const char *p = line;
		u32 tid = 1;
		bool prefixed = false;
		/* "[pid  123] " or "123 " (strace -f), or nothing (one process) */
		if (!strncmp(p, "[pid ", 5)) {
			p = skip_sp(p + 5);
			tid = (u32)strtoul(p, (char **)&p, 10);
			if (*p != ']')
				goto unparsed;
			p = skip_sp(p + 1);
			prefixed = true;
		} else if (isdigit((unsigned char)*p)) {
			/* a digit run ended by a space is the pid column; a timestamp has ':' or '.' */
			const char *q = p;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == ' ') {
				tid = (u32)strtoul(p, NULL, 10);
				p = skip_sp(q);
			}
		} else if (!strncmp(p, "strace: ", 8)) {
			continue;
		}
		u64 tod = 0;
		p = skip_sp(p);
		enum strace_ts_form form = strace_ts_parse(&p, &tod);
		if (form == STRACE_TS_BAD)
			goto unparsed;
		if (check_line_form(s, p, form) < 0)
			return -1;
		p = skip_insn_prefix(p);
		if (!s->have_base) {
			s->have_base = true;
			s->base = tod;
			r->info.time_base_ns = tod;
			s->prev_tod = tod;
		}
		/* a clock going back by more than 12 hours crossed midnight */
		if (tod + DAY_NS / 2 < s->prev_tod)
			s->day += DAY_NS;
		s->prev_tod = tod;
		u64 time = tod + s->day - s->base;
		if (tod + s->day < s->base)
			time = 0;
		if (tid == 0)
			goto unparsed;
		if (prefixed && !s->bare_aliased)
			alias_bare_root(s, tid, p);
		struct sthread *t = thread_get(s, tid);
		u32 ti = tidmap_get(&s->tids, tid);
		if (!t->first_done) {
			t->first_done = true;
			t->held = !t->forked && s->nr_fork_pending > 0;
		}
		if (!strncmp(p, "--- ", 4)) {
			r->info.signals++;
			if (signal_op(s, t, p + 4, time, lno, op))
				return 1;
			continue;
		}
		if (!strncmp(p, "+++ ", 4)) {
			pending_clear(s, t);
			if (t->exited)
				continue;
			t->exited = true;
			op_init(op, OP_EXIT);
			op->pid = t->pid;
			op->tid = t->tid;
			op->time_ns = time;
			op->think_ns = t->seen && time >= t->last_time ? time - t->last_time : 0;
			op->src_line = lno;
			t->last_time = time;
			t->seen = true;
			r->info.records++;
			return 1;
		}
		if (!strncmp(p, "<... ", 5)) {
			const char *res = strstr(p, " resumed>");
			if (!res) {
				goto unparsed;
			}
			if (!t->pending) {
				trace_info_unknown(&r->info, "(resumed without start)", 23);
				r->info.skipped++;
				continue;
			}
			size_t nlen = (size_t)(res - (p + 5));
			if (strncmp(t->pending, p + 5, nlen) || t->pending[nlen] != '(') {
				trace_info_unknown(&r->info, "(resumed without start)", 23);
				r->info.skipped++;
				free(t->pending);
				t->pending = NULL;
				continue;
			}
			snprintf(s->joined, sizeof(s->joined), "%s%s", t->pending, res + 9);
			u64 start = t->pending_time;
			s->src_line = t->pending_line;
			pending_clear(s, t);
			t = &s->threads[ti];
			int dc = decode_call(s, t, s->joined, start, op);
			if (dc < 0)
				return -1;
			if (dc) {
				op->src_line = s->src_line;
				r->info.records++;
				return 1;
			}
			continue;
		}
		const char *unf = strstr(p, " <unfinished ...>");
		if (unf) {
			pending_clear(s, t);
			size_t n = (size_t)(unf - p);
			t->pending = xmalloc(n + 1);
			memcpy(t->pending, p, n);
			t->pending[n] = '\0';
			t->pending_time = time;
			t->pending_line = lno;
			if (is_fork_call(t->pending)) {
				t->pending_fork = true;
				s->nr_fork_pending++;
			}
			continue;
		}
		s->src_line = lno;
		int dc = decode_call(s, t, p, time, op);
		if (dc < 0)
			return -1;
		if (dc) {
			op->src_line = s->src_line;
			r->info.records++;
			return 1;
		}
		continue;
unparsed:
		trace_info_unknown(&r->info, "(unparsed lines)", 16);
		r->info.skipped++;
	}
}

static void held_push(struct held_op **a, u32 *nr, u32 *cap, const struct op *op, char *path)
{
	if (*nr == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[*nr].op = *op;
	(*a)[*nr].op.path = NULL;
	(*a)[*nr].path = path;
	(*nr)++;
}

/* Move the held records of tid (all when tid is 0) to the release list, in order. */
static void held_release(struct strace_reader *s, u32 tid, u32 pid)
{
	u32 k = 0;
	for (u32 i = 0; i < s->nr_held; i++) {
		struct held_op *h = &s->held[i];
		if (tid && h->op.tid != tid) {
			s->held[k++] = *h;
			continue;
		}
		if (tid)
			h->op.pid = pid;
		held_push(&s->rel, &s->nr_rel, &s->cap_rel, &h->op, h->path);
	}
	s->nr_held = k;
	for (u32 i = 0; i < s->nr_threads; i++)
		if (s->threads[i].held && (!tid || s->threads[i].tid == tid)) {
			s->threads[i].held = false;
			if (tid)
				s->threads[i].pid = pid;
		}
}

static int strace_next(struct trace_reader *r, struct op *op)
{
	struct strace_reader *s = container_of(r, struct strace_reader, r);
	free(s->rel_path);
	s->rel_path = NULL;
	for (;;) {
		if (s->next_rel < s->nr_rel) {
			struct held_op *h = &s->rel[s->next_rel++];
			*op = h->op;
			op->path = s->rel_path = h->path;
			if (s->next_rel == s->nr_rel)
				s->next_rel = s->nr_rel = 0;
			return 1;
		}
		int rc = strace_next_line(r, op);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!s->nr_held)
				return 0;
			held_release(s, 0, 0);
			continue;
		}
		u32 ti = tidmap_get(&s->tids, op->tid);
		if (ti != TIDMAP_NONE && s->threads[ti].held) {
			held_push(&s->held, &s->nr_held, &s->cap_held, op,
				  op->path ? xstrdup(op->path) : NULL);
			continue;
		}
		if ((op->type == OP_FORK || op->type == OP_CLONE) && op->id && s->nr_held) {
			/* this record first, then the child's records held so far */
			held_push(&s->rel, &s->nr_rel, &s->cap_rel, op, op->path ? xstrdup(op->path) : NULL);
			held_release(s, (u32)op->id, op->type == OP_FORK ? (u32)op->id : op->pid);
			continue;
		}
		if (!s->nr_fork_pending && s->nr_held) {
			/* no fork can claim them any more: roots, in their order, then this one */
			held_release(s, 0, 0);
			held_push(&s->rel, &s->nr_rel, &s->cap_rel, op, op->path ? xstrdup(op->path) : NULL);
			continue;
		}
		return 1;
	}
}

static void strace_close(struct trace_reader *r)
{
	struct strace_reader *s = container_of(r, struct strace_reader, r);
	for (u32 i = 0; i < s->nr_held; i++)
		free(s->held[i].path);
	for (u32 i = s->next_rel; i < s->nr_rel; i++)
		free(s->rel[i].path);
	free(s->held);
	free(s->rel);
	free(s->rel_path);
	for (u32 i = 0; i < s->nr_threads; i++)
		free(s->threads[i].pending);
	for (u32 i = 0; i < NR_SYSCTL_FDS; i++)
		free(s->sysctls[i].path);
	free(s->threads);
	free(s->queue);
	tidmap_free(&s->tids);
	strace_lines_close(s->lr);
	free(r->path);
	free(s);
}

struct trace_reader *strace_open(const char *path, const struct trace_import_opts *opts,
				 char *err, size_t errlen)
{
	return strace_open_files(&path, 1, false, opts, err, errlen);
}

struct trace_reader *strace_open_files(const char *const *paths, unsigned n, bool ff,
				       const struct trace_import_opts *opts, char *err,
				       size_t errlen)
{
	(void)opts;
	const char *path = paths[0];
	struct strace_lines *lr = strace_lines_open(paths, n, ff, err, errlen);
	if (!lr)
		return NULL;
	struct strace_reader *s = xcalloc(1, sizeof(*s));
	trace_reader_init(&s->r, path, TRACE_KIND_STRACE);
	s->r.next = strace_next;
	s->r.close = strace_close;
	s->lr = lr;
	return &s->r;
}
