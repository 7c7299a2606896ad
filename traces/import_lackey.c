/* import_lackey.c - valgrind lackey logs (`valgrind --tool=lackey --trace-mem=yes`) as
 * page touches.
 *
 * "I  ADDR,SIZE" is an instruction fetch (a read touch, unless --no-instr), " L" a load
 * (read), " S" a store and " M" a modify (write). Each access becomes an OP_TOUCH of the
 * pages it covers (page-aligned addr, len a multiple of the page size). Lackey prints no
 * time and no thread: time_ns counts instructions (ns_per_instr each), think_ns is the
 * gap since the previous touch, pid = tid = the "==PID==" of the log. With a dedup
 * window of N instructions, a page is touched at most once per window for reading and
 * once for writing (a read after a write in the same window is dropped). Memory: the
 * pages of one window. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traces/linereader.h"
#include "traces/reader_impl.h"

struct lackey_reader {
	struct trace_reader r;
	struct linereader *lr;
	struct trace_import_opts o;
	u32 pid;
	u32 shift;                  /* log2 page size */
	u64 instrs, last_time;
	/* dedup set of (page << 1 | write) for the current window */
	u64 *keys;
	u64 cap, nr, window;
	lackey_syscall_fn on_syscall;   /* combine.c: the client's syscalls, in order */
	void *on_syscall_arg;
};

void lackey_set_syscall_hook(struct trace_reader *r, lackey_syscall_fn fn, void *arg)
{
	struct lackey_reader *l = container_of(r, struct lackey_reader, r);
	l->on_syscall = fn;
	l->on_syscall_arg = arg;
}

static u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x;
}

/* Insert key; true when it was new. Keys are stored +1 so 0 means empty. */
static bool set_add(struct lackey_reader *l, u64 key)
{
	if ((l->nr + 1) * 2 > l->cap) {
		u64 *old = l->keys, oldcap = l->cap;
		l->cap = oldcap ? oldcap * 2 : 4096;
		l->keys = xcalloc(l->cap, sizeof(u64));
		l->nr = 0;
		for (u64 i = 0; i < oldcap; i++)
			if (old[i])
				set_add(l, old[i] - 1);
		free(old);
	}
	for (u64 i = mix(key) & (l->cap - 1);; i = (i + 1) & (l->cap - 1)) {
		if (!l->keys[i]) {
			l->keys[i] = key + 1;
			l->nr++;
			return true;
		}
		if (l->keys[i] == key + 1)
			return false;
	}
}

static bool set_has(const struct lackey_reader *l, u64 key)
{
	if (!l->cap)
		return false;
	for (u64 i = mix(key) & (l->cap - 1);; i = (i + 1) & (l->cap - 1)) {
		if (!l->keys[i])
			return false;
		if (l->keys[i] == key + 1)
			return true;
	}
}

static int lackey_next(struct trace_reader *r, struct op *op)
{
	struct lackey_reader *l = container_of(r, struct lackey_reader, r);
	char *line;
	size_t len;
	u32 nspi = l->o.lackey_ns_per_instr ? l->o.lackey_ns_per_instr : 1;

	for (;;) {
		int rc = linereader_next(l->lr, &line, &len);
		if (rc < 0) {
			snprintf(r->err, sizeof(r->err), "%s:%s", r->path, linereader_error(l->lr) + 5);
			return -1;
		}
		if (rc == 0)
			return 0;
		r->info.lines++;
		if (line[0] == '=' && line[1] == '=') {
			if (!l->pid && isdigit((unsigned char)line[2]))
				l->pid = (u32)strtoul(line + 2, NULL, 10);
			continue;
		}
		if (len > 8 && !memcmp(line, "SYSCALL[", 8)) {
			/* --trace-syscalls=yes: the client's system calls among its accesses */
			if (l->on_syscall) {
				if (l->on_syscall(l->on_syscall_arg, l->instrs, line, r->info.lines) < 0)
					return -1;
			} else {
				trace_info_unknown(&r->info, "(syscall lines)", 15);
				r->info.skipped++;
			}
			continue;
		}
		if (len < 4 || line[2] != ' ' ||
		    !((line[0] == 'I' && line[1] == ' ') ||
		      (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' || line[1] == 'M')))) {
			if (len == 0)
				continue;
			trace_info_unknown(&r->info, "(unparsed lines)", 16);
			r->info.skipped++;
			continue;
		}
		char kind = line[0] == 'I' ? 'I' : line[1];
		char *p = line + 3, *end;
		while (*p == ' ')
			p++;
		u64 addr = strtoull(p, &end, 16);
		if (end == p || *end != ',') {
			trace_info_unknown(&r->info, "(unparsed lines)", 16);
			r->info.skipped++;
			continue;
		}
		p = end + 1;
		u64 size = strtoull(p, &end, 10);
		if (end == p || *end || size == 0 || size > 4096 || addr + size < addr) {
			trace_info_unknown(&r->info, "(unparsed lines)", 16);
			r->info.skipped++;
			continue;
		}
		if (kind == 'I') {
			l->instrs++;
			if (l->o.lackey_no_instr)
				continue;
		}
		bool write = kind == 'S' || kind == 'M';
		u64 first = addr >> l->shift, last = (addr + size - 1) >> l->shift;
		if (l->o.lackey_dedup_window) {
			u64 w = l->instrs / l->o.lackey_dedup_window;
			if (w != l->window) {
				l->window = w;
				if (l->nr) {
					memset(l->keys, 0, l->cap * sizeof(u64));
					l->nr = 0;
				}
			}
			/* keep the pages not yet touched this way in this window */
			while (first <= last && (set_has(l, first << 1 | 1) ||
						 (!write && set_has(l, first << 1))))
				first++;
			while (last >= first && (set_has(l, last << 1 | 1) ||
						 (!write && set_has(l, last << 1))))
				last--;
			if (first > last)
				continue;
			for (u64 pg = first; pg <= last; pg++)
				set_add(l, pg << 1 | (write ? 1 : 0));
		}
		op_init(op, OP_TOUCH);
		op->pid = op->tid = l->pid;
		op->addr = first << l->shift;
		op->len = (last - first + 1) << l->shift;
		op->flags = write ? TOUCH_WRITE : 0;
		op->time_ns = l->instrs * nspi;
		op->think_ns = op->time_ns - l->last_time;
		l->last_time = op->time_ns;
		r->info.records++;
		return 1;
	}
}

static void lackey_close(struct trace_reader *r)
{
	struct lackey_reader *l = container_of(r, struct lackey_reader, r);
	linereader_close(l->lr);
	free(l->keys);
	free(r->path);
	free(l);
}

struct trace_reader *lackey_open(const char *path, const struct trace_import_opts *opts,
				 char *err, size_t errlen)
{
	struct linereader *lr = linereader_open(path, err, errlen);
	if (!lr)
		return NULL;
	struct lackey_reader *l = xcalloc(1, sizeof(*l));
	trace_reader_init(&l->r, path, TRACE_KIND_LACKEY);
	l->r.next = lackey_next;
	l->r.close = lackey_close;
	l->lr = lr;
	l->o = *opts;
	l->shift = PAGE_SHIFT;
	l->r.info.page_size = 1u << l->shift;
	return &l->r;
}
