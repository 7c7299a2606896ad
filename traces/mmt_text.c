/* mmt_text.c - the .mmt text form: one op a line (grammar in traces/FORMAT.md).
 * The writer prints the canonical form; the reader accepts it and a little more (numbers
 * in any C base, "arg=" for the per-type aliases), reporting up to MMT_MAX_ERRORS bad
 * lines at once as FILE:LINE:COL: message. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config/diag.h"
#include "traces/linereader.h"
#include "traces/reader_impl.h"
#include "traces/snapshot_file.h"
#include "traces/uapi_names.h"

#define MMT_MAX_ERRORS 20

static const struct uapi_sym touch_syms[] = { { "TOUCH_WRITE", TOUCH_WRITE, 0 },
					      { "TOUCH_POPULATE", TOUCH_POPULATE, 0 } };
static const struct uapi_table touch_table = { "TOUCH_", touch_syms, 2, false };
static const struct uapi_sym fork_syms[] = { { "FORK_F_VFORK", FORK_F_VFORK, 0 },
					     { "FORK_F_VM", FORK_F_VM, 0 } };
static const struct uapi_table fork_table = { "FORK_F_", fork_syms, 2, false };
static const struct uapi_sym fsync_syms[] = { { "FSYNC_F_DATASYNC", FSYNC_F_DATASYNC, 0 } };
static const struct uapi_table fsync_table = { "FSYNC_F_", fsync_syms, 1, false };
static const struct uapi_sym alloc_syms[] = {
	{ "ALLOC_F_MOVABLE", ALLOC_F_MOVABLE, 0 },     { "ALLOC_F_RECLAIMABLE", ALLOC_F_RECLAIMABLE, 0 },
	{ "ALLOC_F_ATOMIC", ALLOC_F_ATOMIC, 0 },       { "ALLOC_F_NORETRY", ALLOC_F_NORETRY, 0 },
	{ "ALLOC_F_RETRY_MAYFAIL", ALLOC_F_RETRY_MAYFAIL, 0 },
	{ "ALLOC_F_THISNODE", ALLOC_F_THISNODE, 0 },   { "ALLOC_F_NOWAIT", ALLOC_F_NOWAIT, 0 },
};
static const struct uapi_table alloc_table = { "ALLOC_F_", alloc_syms, ARRAY_SIZE(alloc_syms), false };

/* The symbolic table of op.flags per op type (NULL: a number). */
static const struct uapi_table *flags_table(enum op_type t)
{
	switch (t) {
	case OP_MMAP: return &uapi_map;
	case OP_OPEN: return &uapi_open;
	case OP_MREMAP: return &uapi_mremap;
	case OP_MBIND:
	case OP_MOVE_PAGES: return &uapi_mpol_mf;
	case OP_GET_MEMPOLICY: return &uapi_mpol_get;
	case OP_SHMGET: return &uapi_ipc;
	case OP_SHMAT: return &uapi_shm;
	case OP_MEMFD_CREATE: return &uapi_mfd;
	case OP_TOUCH: return &touch_table;
	case OP_ALLOC_PAGES: return &alloc_table;
	case OP_FORK: return &fork_table;
	case OP_FSYNC: return &fsync_table;
	case OP_MSYNC: return &uapi_msync;
	case OP_SYNC_FILE_RANGE: return &uapi_sync_file_range;
	case OP_MLOCK: return &uapi_mlock2;
	case OP_MLOCKALL: return &uapi_mcl;
	default: return NULL;
	}
}

/* The key of op.arg per op type, and its table (NULL: a number). */
static const char *arg_key(enum op_type t, const struct uapi_table **tab)
{
	*tab = NULL;
	switch (t) {
	case OP_MADVISE: *tab = &uapi_madv; return "advice";
	case OP_MBIND:
	case OP_SET_MEMPOLICY: *tab = &uapi_mpol_mode; return "mode";
	case OP_FALLOCATE: *tab = &uapi_falloc; return "mode";
	case OP_SNAPSHOT: return "file";
	case OP_ALLOC_PAGES: return "order";
	case OP_PRCTL: *tab = &uapi_prctl; return "option";
	default: return "arg";
	}
}

const char *mmt_advice_name(u32 advice)
{
	for (unsigned i = 0; i < uapi_madv.nr; i++)
		if (uapi_madv.syms[i].value == advice)
			return uapi_madv.syms[i].name;
	return NULL;
}

const char *mmt_mpol_mode_name(u32 mode)
{
	for (unsigned i = 0; i < uapi_mpol_mode.nr; i++)
		if (uapi_mpol_mode.syms[i].value == mode && uapi_mpol_mode.syms[i].mask == 0xff)
			return uapi_mpol_mode.syms[i].name;
	return NULL;
}

/* ---- formatting ---- */

struct sbuf {
	char *buf;
	size_t len, pos;
};

static __printf(2, 3) void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->pos < b->len ? b->buf + b->pos : NULL,
			  b->pos < b->len ? b->len - b->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->pos += (size_t)n;
}

static void format_prot(u32 prot, char *buf, size_t len)
{
	if (prot & ~7u)
		snprintf(buf, len, "0x%x", prot);
	else if (!prot)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s%s%s", prot & 1 ? "r" : "", prot & 2 ? "w" : "", prot & 4 ? "x" : "");
}

static void sb_quote(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_printf(b, "\\n");
		else if (c == '\t')
			sb_printf(b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\x%02x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

int mmt_format_op(const struct op *op, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };
	char sym[256];
	const struct uapi_table *tab;

	if (len)
		buf[0] = '\0';
	sb_printf(&b, "%llu.%09llu %u/%u %s", (unsigned long long)(op->time_ns / NSEC_PER_SEC),
		  (unsigned long long)(op->time_ns % NSEC_PER_SEC), op->pid, op->tid,
		  op_type_name(op->type));
	if (op->think_ns)
		sb_printf(&b, " think=%llu", (unsigned long long)op->think_ns);
	if (op->addr)
		sb_printf(&b, " addr=0x%llx", (unsigned long long)op->addr);
	if (op->len)
		sb_printf(&b, " len=%llu", (unsigned long long)op->len);
	if (op->addr2)
		sb_printf(&b, " addr2=0x%llx", (unsigned long long)op->addr2);
	if (op->len2)
		sb_printf(&b, " len2=%llu", (unsigned long long)op->len2);
	if (op->prot) {
		format_prot(op->prot, sym, sizeof(sym));
		sb_printf(&b, " prot=%s", sym);
	}
	/* a sysctl word is written as value=WORD (flags and id together) */
	bool word = op->type == OP_SYSCTL && (op->flags & SYSCTL_F_WORD) && sysctl_word_name((unsigned)op->id);
	u32 flags = word ? op->flags & ~SYSCTL_F_WORD : op->flags;
	if (flags) {
		tab = flags_table(op->type);
		if (tab)
			uapi_format(tab, UAPI_MMT, flags, sym, sizeof(sym));
		else
			snprintf(sym, sizeof(sym), "%u", flags);
		sb_printf(&b, " flags=%s", sym);
	}
	const char *key = arg_key(op->type, &tab);
	/* MPOL_DEFAULT and MADV_NORMAL are 0 and so not written; a snapshot always names its file */
	if (op->arg || op->type == OP_SNAPSHOT) {
		const char *sname = op->type == OP_SNAPSHOT ? snapshot_file_name(op->arg) : NULL;
		if (sname)
			snprintf(sym, sizeof(sym), "%s", sname);
		else if (tab)
			uapi_format(tab, UAPI_MMT, op->arg, sym, sizeof(sym));
		else
			snprintf(sym, sizeof(sym), "%u", op->arg);
		sb_printf(&b, " %s=%s", key, sym);
	}
	if (op->fd != -1)
		sb_printf(&b, " fd=%d", op->fd);
	if (op->off == ~0ULL)
		sb_printf(&b, " off=-1");
	else if (op->off)
		sb_printf(&b, " off=%llu", (unsigned long long)op->off);
	if (op->nodemask)
		sb_printf(&b, " nodemask=0x%llx", (unsigned long long)op->nodemask);
	if (word)
		sb_printf(&b, " value=%s", sysctl_word_name((unsigned)op->id));
	else if (op->id)
		sb_printf(&b, " id=%llu", (unsigned long long)op->id);
	if (op->node != -1)
		sb_printf(&b, " node=%d", op->node);
	if (op->ns)
		sb_printf(&b, " ns=%llu", (unsigned long long)op->ns);
	if (op->path) {
		sb_printf(&b, " path=");
		sb_quote(&b, op->path);
	}
	if (op->ret != OP_RET_NONE) {
		const char *en = op->ret < 0 && op->ret > -4096 ? uapi_errno_name((int)-op->ret) : NULL;
		if (en)
			sb_printf(&b, " = -%s", en);
		else if (op->ret > 0xffff)
			sb_printf(&b, " = 0x%llx", (unsigned long long)op->ret);
		else
			sb_printf(&b, " = %lld", (long long)op->ret);
	}
	return (int)b.pos;
}

/* ---- parsing ---- */

struct cursor {
	const char *line, *p;
	char *err;
	size_t errlen;
};

static __printf(3, 4) int fail_at(struct cursor *c, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%d: ", (int)(at - c->line) + 1);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void quote(const char *s, size_t n, char *buf, size_t len)
{
	char tmp[128];
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	diag_quote(tmp, buf, len);
}

/* A token: up to the next space (quoted strings may hold spaces). */
static size_t token_len(const char *p)
{
	size_t n = 0;
	bool inq = false;
	while (p[n] && (inq || p[n] != ' ')) {
		if (p[n] == '\\' && inq && p[n + 1])
			n++;
		else if (p[n] == '"')
			inq = !inq;
		n++;
	}
	return n;
}

static int parse_u64(const char *s, size_t n, u64 *v)
{
	char num[40], *end;
	bool neg = false;
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	const char *q = num;
	if (*q == '-') {
		neg = true;
		q++;
	}
	if (!isdigit((unsigned char)*q))
		return -1;
	errno = 0;
	u64 x = strtoull(q, &end, 0);
	if (*end || errno)
		return -1;
	if (neg) {
		if (x > (u64)INT64_MAX + 1)
			return -1;
		x = (u64)0 - x;
	}
	*v = x;
	return 0;
}

static int parse_s64(const char *s, size_t n, s64 *v)
{
	u64 x;
	if (parse_u64(s, n, &x) < 0)
		return -1;
	/* a leading '-' already wrapped; a large unsigned value keeps its bits */
	*v = (s64)x;
	return 0;
}

static int parse_quoted(struct cursor *c, const char *s, size_t n, char *out)
{
	size_t o = 0;
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return fail_at(c, s, "expected a quoted string");
	for (size_t i = 1; i < n - 1; i++) {
		char ch = s[i];
		if (ch == '\\') {
			char e = s[++i];
			if (e == 'n')
				ch = '\n';
			else if (e == 't')
				ch = '\t';
			else if (e == 'r')
				ch = '\r';
			else if (e == '\\' || e == '"')
				ch = e;
			else if (e == 'x' && isxdigit((unsigned char)s[i + 1]) &&
				 isxdigit((unsigned char)s[i + 2])) {
				char hx[3] = { s[i + 1], s[i + 2], 0 };
				ch = (char)strtoul(hx, NULL, 16);
				i += 2;
				if (!ch)
					return fail_at(c, s + i - 3, "\\x00 in a string");
			} else {
				return fail_at(c, s + i - 1, "unknown escape in a string");
			}
		}
		if (o >= MMT_MAX_PATH)
			return fail_at(c, s, "string longer than %d bytes", MMT_MAX_PATH);
		out[o++] = ch;
	}
	out[o] = '\0';
	return 0;
}

static int parse_prot(const char *s, size_t n, u32 *v)
{
	u64 x;
	if (n == 4 && !strncmp(s, "none", 4)) {
		*v = 0;
		return 0;
	}
	if (isdigit((unsigned char)s[0])) {
		if (parse_u64(s, n, &x) < 0 || x > UINT32_MAX)
			return -1;
		*v = (u32)x;
		return 0;
	}
	u32 p = 0;
	for (size_t i = 0; i < n; i++) {
		u32 bit = s[i] == 'r' ? 1 : s[i] == 'w' ? 2 : s[i] == 'x' ? 4 : 0;
		if (!bit || (p & bit))
			return -1;
		p |= bit;
	}
	*v = p;
	return n ? 0 : -1;
}

static int parse_sym(struct cursor *c, const struct uapi_table *tab, const char *key,
		     const char *s, size_t n, u32 *v)
{
	char val[256], bad[64], q[160];
	u64 x;
	if (n >= sizeof(val))
		return fail_at(c, s, "%s: value too long", key);
	memcpy(val, s, n);
	val[n] = '\0';
	if (!tab) {
		if (parse_u64(s, n, &x) < 0 || x > UINT32_MAX) {
			quote(s, n, q, sizeof(q));
			return fail_at(c, s, "%s: expected an integer 0..4294967295, got %s", key, q);
		}
		*v = (u32)x;
		return 0;
	}
	if (uapi_parse(tab, UAPI_MMT, val, &x, bad, sizeof(bad)) < 0 || x > UINT32_MAX) {
		quote(bad, strlen(bad), q, sizeof(q));
		return fail_at(c, s, "%s: unknown name %s", key, q);
	}
	*v = (u32)x;
	return 0;
}

enum { F_THINK, F_ADDR, F_LEN, F_ADDR2, F_LEN2, F_PROT, F_FLAGS, F_ARG, F_FD, F_OFF,
       F_NODEMASK, F_ID, F_NODE, F_NS, F_PATH, NR_FIELDS };
static const char *const field_keys[NR_FIELDS] = {
	"think", "addr", "len", "addr2", "len2", "prot", "flags", "arg", "fd", "off",
	"nodemask", "id", "node", "ns", "path",
};

static int field_value(struct cursor *c, struct op *op, int f, const char *key, const char *v,
		       size_t n, char *pathbuf)
{
	u64 x;
	s64 sx;
	char q[160];
	u64 *u64f[NR_FIELDS] = {
		[F_THINK] = &op->think_ns, [F_ADDR] = &op->addr, [F_LEN] = &op->len,
		[F_ADDR2] = &op->addr2, [F_LEN2] = &op->len2, [F_OFF] = &op->off,
		[F_NODEMASK] = &op->nodemask, [F_ID] = &op->id, [F_NS] = &op->ns,
	};
	const struct uapi_table *tab;

	if (n == 0)
		return fail_at(c, v, "%s: missing value", key);
	switch (f) {
	case F_PROT:
		if (parse_prot(v, n, &op->prot) < 0) {
			quote(v, n, q, sizeof(q));
			return fail_at(c, v, "prot: expected letters of \"rwx\", \"none\" or a number, got %s", q);
		}
		return 0;
	case F_FLAGS:
		return parse_sym(c, flags_table(op->type), key, v, n, &op->flags);
	case F_ARG:
		arg_key(op->type, &tab);
		if (op->type == OP_SNAPSHOT && !isdigit((unsigned char)v[0])) {
			char name[64];
			int sf = -1;
			if (n < sizeof(name)) {
				memcpy(name, v, n);
				name[n] = '\0';
				sf = snapshot_file_from_name(name);
			}
			if (sf < 0) {
				quote(v, n, q, sizeof(q));
				return fail_at(c, v, "%s: unknown snapshot file %s", key, q);
			}
			op->arg = (u32)sf;
			return 0;
		}
		return parse_sym(c, tab, key, v, n, &op->arg);
	case F_FD:
	case F_NODE:
		if (parse_s64(v, n, &sx) < 0 || sx < INT32_MIN || sx > INT32_MAX) {
			quote(v, n, q, sizeof(q));
			return fail_at(c, v, "%s: expected an integer, got %s", key, q);
		}
		*(f == F_FD ? &op->fd : &op->node) = (s32)sx;
		return 0;
	case F_ID:
		if (op->type == OP_SYSCTL && !strcmp(key, "value") && !isdigit((unsigned char)v[0])) {
			/* sysctl value=WORD: a word written to a THP sysfs file */
			int w = sysctl_word_from_name(v, n);
			if (w < 0) {
				quote(v, n, q, sizeof(q));
				return fail_at(c, v, "value: unknown word %s (expected a number or one of "
					       "always, madvise, never, defer, defer+madvise, within_size, "
					       "advise, deny, force)", q);
			}
			op->flags |= SYSCTL_F_WORD;
			op->id = (u64)w;
			return 0;
		}
		if (parse_u64(v, n, &x) < 0) {
			quote(v, n, q, sizeof(q));
			return fail_at(c, v, "%s: expected an integer, got %s", key, q);
		}
		op->id = x;
		return 0;
	case F_PATH:
		if (parse_quoted(c, v, n, pathbuf) < 0)
			return -1;
		op->path = pathbuf;
		return 0;
	default:
		if (parse_u64(v, n, &x) < 0) {
			quote(v, n, q, sizeof(q));
			return fail_at(c, v, "%s: expected an integer, got %s", key, q);
		}
		*u64f[f] = x;
		return 0;
	}
}

static int parse_time(const char *s, size_t n, u64 *t)
{
	u64 sec = 0, frac = 0;
	size_t i = 0, digits = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (sec > (UINT64_MAX / NSEC_PER_SEC) / 10)
			return -2;
		sec = sec * 10 + (u64)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n) {
		if (s[i++] != '.')
			return -1;
		for (; i < n && isdigit((unsigned char)s[i]); i++, digits++) {
			if (digits >= 9)
				return -1;
			frac = frac * 10 + (u64)(s[i] - '0');
		}
		if (i < n || digits == 0)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (sec > (UINT64_MAX - frac) / NSEC_PER_SEC)
		return -2;                  /* would wrap: more than 2^64-1 ns */
	*t = sec * NSEC_PER_SEC + frac;
	return 0;
}

int mmt_parse_record(const char *line, struct op *op, char *pathbuf, char *err, size_t errlen)
{
	struct cursor c = { line, line, err, errlen };
	char q[160];
	const char *p = line;
	size_t n;
	u64 t, pid, tid;
	unsigned seen = 0;

	/* time */
	n = token_len(p);
	int trc = parse_time(p, n, &t);
	if (trc < 0) {
		quote(p, n, q, sizeof(q));
		if (trc == -2)
			return fail_at(&c, p, "time %s out of range (at most 18446744073.709551615 "
					      "s)", q);
		return fail_at(&c, p, "expected a time SECONDS.NANOSECONDS, got %s", q);
	}
	p += n;
	if (*p++ != ' ')
		return fail_at(&c, p - 1, "expected PID/TID after the time");
	/* pid/tid */
	n = token_len(p);
	const char *slash = memchr(p, '/', n);
	if (!slash || parse_u64(p, (size_t)(slash - p), &pid) < 0 || pid > UINT32_MAX ||
	    parse_u64(slash + 1, n - (size_t)(slash + 1 - p), &tid) < 0 || tid > UINT32_MAX) {
		quote(p, n, q, sizeof(q));
		return fail_at(&c, p, "expected PID/TID, got %s", q);
	}
	p += n;
	if (*p++ != ' ')
		return fail_at(&c, p - 1, "expected an op name after PID/TID");
	/* op */
	n = token_len(p);
	char name[32];
	enum op_type type = OP_NONE;
	if (n < sizeof(name)) {
		memcpy(name, p, n);
		name[n] = '\0';
		type = op_type_from_name(name);
	}
	if (type == OP_NONE) {
		quote(p, n, q, sizeof(q));
		return fail_at(&c, p, "unknown op %s", q);
	}
	op_init(op, type);
	op->time_ns = t;
	op->pid = (u32)pid;
	op->tid = (u32)tid;
	p += n;
	/* fields, then "= RET" */
	while (*p) {
		if (*p++ != ' ')
			return fail_at(&c, p - 1, "expected a space");
		n = token_len(p);
		if (n == 1 && *p == '=') {
			p += 2;
			if (p[-1] != ' ')
				return fail_at(&c, p - 1, "expected a result after \"=\"");
			n = token_len(p);
			s64 r;
			if (n > 2 && p[0] == '-' && isupper((unsigned char)p[1])) {
				char en[32];
				int e = -1;
				if (n - 1 < sizeof(en)) {
					memcpy(en, p + 1, n - 1);
					en[n - 1] = '\0';
					e = uapi_errno_from_name(en);
				}
				if (e < 0) {
					quote(p + 1, n - 1, q, sizeof(q));
					return fail_at(&c, p + 1, "unknown errno name %s", q);
				}
				r = -e;
			} else if (parse_s64(p, n, &r) < 0 || r == OP_RET_NONE) {
				quote(p, n, q, sizeof(q));
				return fail_at(&c, p, "expected a result (integer or -ERRNO), got %s", q);
			}
			op->ret = r;
			p += n;
			if (*p)
				return fail_at(&c, p, "unexpected text after the result");
			break;
		}
		const char *eq = memchr(p, '=', n);
		if (!eq)  {
			quote(p, n, q, sizeof(q));
			return fail_at(&c, p, "expected KEY=VALUE, got %s", q);
		}
		size_t kn = (size_t)(eq - p);
		const struct uapi_table *tab;
		const char *alias = arg_key(type, &tab);
		int f = -1;
		for (int i = 0; i < NR_FIELDS; i++)
			if (strlen(field_keys[i]) == kn && !strncmp(field_keys[i], p, kn))
				f = i;
		if (strlen(alias) == kn && !strncmp(alias, p, kn))
			f = F_ARG;
		if (type == OP_SYSCTL && kn == 5 && !strncmp(p, "value", 5))
			f = F_ID;           /* value= is id= for sysctl, and may be a word */
		if (f < 0) {
			quote(p, kn, q, sizeof(q));
			return fail_at(&c, p, "unknown field %s for %s", q, op_type_name(type));
		}
		if (seen & (1u << f)) {
			quote(p, kn, q, sizeof(q));
			return fail_at(&c, p, "field %s given twice", q);
		}
		seen |= 1u << f;
		char key[16];
		snprintf(key, sizeof(key), "%.*s", (int)kn, p);
		if (field_value(&c, op, f, key, eq + 1, n - kn - 1, pathbuf) < 0)
			return -1;
		p += n;
	}
	return 0;
}

/* ---- reader ---- */

struct mmt_text_reader {
	struct trace_reader r;
	struct linereader *lr;
	bool header_seen;
	unsigned nr_errors;
	size_t errpos;
	char pathbuf[MMT_MAX_PATH + 1];
};

static __printf(3, 4) void text_error(struct mmt_text_reader *t, u64 line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->nr_errors++;
	if (t->nr_errors > MMT_MAX_ERRORS)
		return;
	int n = snprintf(t->r.err + t->errpos, sizeof(t->r.err) - t->errpos, "%s%s:%llu:%s",
			 t->errpos ? "\n" : "", t->r.path, (unsigned long long)line, msg);
	if (n > 0)
		t->errpos = min(t->errpos + (size_t)n, sizeof(t->r.err) - 1);
}

static int finish_errors(struct mmt_text_reader *t)
{
	if (t->nr_errors > MMT_MAX_ERRORS) {
		int n = snprintf(t->r.err + t->errpos, sizeof(t->r.err) - t->errpos,
				 "\n%s: too many errors (%u more)", t->r.path,
				 t->nr_errors - MMT_MAX_ERRORS);
		if (n > 0)
			t->errpos = min(t->errpos + (size_t)n, sizeof(t->r.err) - 1);
	}
	return -1;
}

static int mmt_text_next(struct trace_reader *r, struct op *op)
{
	struct mmt_text_reader *t = container_of(r, struct mmt_text_reader, r);
	char *line, msg[400];
	size_t len;

	for (;;) {
		int rc = linereader_next(t->lr, &line, &len);
		if (rc < 0) {
			/* the reader's message starts with "line N:" */
			text_error(t, linereader_lineno(t->lr), "%s",
				   strchr(linereader_error(t->lr), ':') + 1);
			return finish_errors(t);
		}
		if (rc == 0) {
			if (!t->header_seen && !t->nr_errors)
				text_error(t, 1, "1: empty trace (expected the header \"mmt %d\")",
					   MMT_VERSION);
			return t->nr_errors ? finish_errors(t) : 0;
		}
		u64 ln = linereader_lineno(t->lr);
		r->info.lines = ln;
		if (len == 0 || line[0] == '#')
			continue;
		if (!t->header_seen) {
			unsigned v;
			char extra;
			if (sscanf(line, "mmt %u%c", &v, &extra) != 1) {
				char q[160];
				quote(line, len, q, sizeof(q));
				text_error(t, ln, "1: expected the header \"mmt %d\", got %s",
					   MMT_VERSION, q);
				return finish_errors(t);
			}
			if (v != MMT_VERSION) {
				text_error(t, ln, "5: unsupported format version %u (this mmsim reads %d)",
					   v, MMT_VERSION);
				return finish_errors(t);
			}
			r->info.version = v;
			t->header_seen = true;
			continue;
		}
		if (!strncmp(line, "page_size ", 10)) {
			unsigned ps;
			char extra;
			if (sscanf(line + 10, "%u%c", &ps, &extra) != 1 || ps < 512 || (ps & (ps - 1)) ||
			    ps > (1u << 30))
				text_error(t, ln, "11: page_size: expected a power of two 512..1073741824");
			else
				r->info.page_size = ps;
			continue;
		}
		if (mmt_parse_record(line, op, t->pathbuf, msg, sizeof(msg)) < 0) {
			text_error(t, ln, "%s", msg);
			continue;
		}
		if (t->nr_errors)
			continue;
		op->src_line = ln;       /* the record's own line (the text form carries no other) */
		r->info.records++;
		return 1;
	}
}

static void mmt_text_close(struct trace_reader *r)
{
	struct mmt_text_reader *t = container_of(r, struct mmt_text_reader, r);
	linereader_close(t->lr);
	free(r->path);
	free(t);
}

struct trace_reader *mmt_text_open(const char *path, char *err, size_t errlen)
{
	struct linereader *lr = linereader_open(path, err, errlen);
	if (!lr)
		return NULL;
	struct mmt_text_reader *t = xcalloc(1, sizeof(*t));
	trace_reader_init(&t->r, path, TRACE_KIND_MMT);
	t->r.next = mmt_text_next;
	t->r.close = mmt_text_close;
	t->lr = lr;
	return &t->r;
}

/* ---- writer ---- */

struct mmt_text_writer {
	struct trace_writer w;
	FILE *f;
	char *path, *tmp;           /* tmp NULL when writing to stdout */
	char line[2 * MMT_MAX_PATH + 1024];
};

static int text_put(struct trace_writer *w, const struct op *op, char *err, size_t errlen)
{
	struct mmt_text_writer *t = container_of(w, struct mmt_text_writer, w);
	if (op->type <= OP_NONE || op->type >= NR_OP_TYPES) {
		snprintf(err, errlen, "%s: op of unknown type %d", t->path, (int)op->type);
		return -1;
	}
	if (op->path && strlen(op->path) > MMT_MAX_PATH) {
		snprintf(err, errlen, "%s: path longer than %d bytes", t->path, MMT_MAX_PATH);
		return -1;
	}
	int n = mmt_format_op(op, t->line, sizeof(t->line));
	if (n >= (int)sizeof(t->line) - 1) {
		snprintf(err, errlen, "%s: record too long", t->path);
		return -1;
	}
	t->line[n] = '\n';
	if (fwrite(t->line, 1, (size_t)n + 1, t->f) != (size_t)n + 1) {
		snprintf(err, errlen, "%s: write error: %s", t->path, strerror(errno));
		return -1;
	}
	return 0;
}

static void text_free(struct mmt_text_writer *t)
{
	trace_tmp_untrack(t->tmp);
	free(t->path);
	free(t->tmp);
	free(t);
}

static int text_finish(struct trace_writer *w, char *err, size_t errlen)
{
	struct mmt_text_writer *t = container_of(w, struct mmt_text_writer, w);
	int rc = 0;
	if (fflush(t->f) != 0 || ferror(t->f)) {
		snprintf(err, errlen, "%s: write error: %s", t->path, strerror(errno));
		rc = -1;
	}
	if (t->tmp) {
		if (fclose(t->f) != 0 && rc == 0) {
			snprintf(err, errlen, "%s: write error: %s", t->path, strerror(errno));
			rc = -1;
		}
		if (rc == 0 && rename(t->tmp, t->path) != 0) {
			snprintf(err, errlen, "%s: cannot rename %s: %s", t->path, t->tmp, strerror(errno));
			rc = -1;
		}
		if (rc)
			unlink(t->tmp);
	}
	text_free(t);
	return rc;
}

static void text_abort(struct trace_writer *w)
{
	struct mmt_text_writer *t = container_of(w, struct mmt_text_writer, w);
	if (t->tmp) {
		fclose(t->f);
		unlink(t->tmp);
	} else {
		fflush(t->f);
	}
	text_free(t);
}

struct trace_writer *mmt_text_writer_create(const char *path, u32 page_size, char *err,
					    size_t errlen)
{
	struct mmt_text_writer *t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	if (!strcmp(path, "-")) {
		t->f = stdout;
	} else {
		t->f = trace_tmp_create(path, &t->tmp, err, errlen);
		if (!t->f) {
			text_free(t);
			return NULL;
		}
	}
	t->w.put = text_put;
	t->w.finish = text_finish;
	t->w.abort = text_abort;
	fprintf(t->f, "mmt %d\npage_size %u\n", MMT_VERSION, page_size ? page_size : 4096);
	return &t->w;
}
