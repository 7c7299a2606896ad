/* trace_io.c - opening any trace: kind names, detection by content, and the common
 * reader/writer entry points that dispatch to the formats. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "traces/mmtz_format.h"
#include "traces/reader_impl.h"
#include "traces/strace_lines.h"

static const char *const kind_names[] = {
	[TRACE_KIND_AUTO] = "auto",     [TRACE_KIND_MMT] = "mmt",       [TRACE_KIND_MMTZ] = "mmtz",
	[TRACE_KIND_STRACE] = "strace", [TRACE_KIND_LACKEY] = "lackey",
	[TRACE_KIND_PERF] = "perf",
};

const char *trace_kind_name(enum trace_kind k)
{
	return (unsigned)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

enum trace_kind trace_kind_from_name(const char *name)
{
	for (unsigned i = 1; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(kind_names[i], name))
			return (enum trace_kind)i;
	return TRACE_KIND_AUTO;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

enum trace_kind trace_kind_from_path(const char *path)
{
	if (ends_with(path, ".mmtz"))
		return TRACE_KIND_MMTZ;
	if (ends_with(path, ".mmt") || ends_with(path, ".mmt.gz"))
		return TRACE_KIND_MMT;
	return TRACE_KIND_AUTO;
}

void trace_reader_init(struct trace_reader *r, const char *path, enum trace_kind kind)
{
	r->path = xstrdup(path);
	r->info.kind = kind;
	r->info.page_size = 4096;
}

void trace_info_unknown(struct trace_info *info, const char *name, size_t len)
{
	if (len >= sizeof(info->unknown[0].name))
		len = sizeof(info->unknown[0].name) - 1;
	for (u32 i = 0; i < info->nr_unknown; i++)
		if (strlen(info->unknown[i].name) == len && !strncmp(info->unknown[i].name, name, len)) {
			info->unknown[i].count++;
			return;
		}
	if (info->nr_unknown == TRACE_MAX_UNKNOWN) {
		info->unknown_other++;
		return;
	}
	memcpy(info->unknown[info->nr_unknown].name, name, len);
	info->unknown[info->nr_unknown].name[len] = '\0';
	info->unknown[info->nr_unknown].count = 1;
	info->nr_unknown++;
}

/* A strace line: an optional "[pid N] " or "PID  " column (-f), an optional timestamp
 * (-t, -tt, -ttt, or -r's relative seconds, which the importer refuses with a message),
 * then a call "name(", or one of strace's "+++", "---" and "<... resumed>" lines. */
static bool looks_strace(const char *l)
{
	const char *p = l;
	if (!strncmp(p, "[pid ", 5)) {
		p += 5;
		while (*p == ' ')
			p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p != ']')
			return false;
		p++;
	} else {
		const char *q = p;
		while (isdigit((unsigned char)*q))
			q++;
		if (q != p && *q == ' ')
			p = q;      /* the pid column of strace -f -o */
	}
	while (*p == ' ')
		p++;
	/* HH:MM:SS[.frac] (-t, -tt) or SECONDS.frac (-ttt, -r) */
	const char *q = p;
	while (isdigit((unsigned char)*q) || *q == ':' || *q == '.')
		q++;
	if (q != p) {
		if (*q != ' ')
			return false;
		p = q + 1;
	}
	/* -i's "[00007f...] " (instruction pointer) or -n's "[  9] " (syscall number) */
	if (*p == '[') {
		q = p + 1;
		while (isxdigit((unsigned char)*q) || *q == ' ' || *q == '?')
			q++;
		if (*q != ']' || q[1] != ' ')
			return false;
		p = q + 2;
	}
	if (!strncmp(p, "+++ ", 4) || !strncmp(p, "--- SIG", 7) || !strncmp(p, "<... ", 5))
		return true;
	if (!islower((unsigned char)*p) && *p != '_')
		return false;
	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
		p++;
	return *p == '(' && (strstr(p, ") = ") || strstr(p, ")  ") || strstr(p, "<unfinished ...>"));
}

/* A `perf script` line of a page-fault event (import_perf.c's input). */
static bool looks_perf_faults(const char *l)
{
	return strstr(l, ": exceptions:page_fault_") != NULL || !strncmp(l, "# mmsim-clock ", 14);
}

static bool looks_lackey(const char *l)
{
	if (l[0] == '=' && l[1] == '=' && isdigit((unsigned char)l[2]))
		return true;
	return (!strncmp(l, "I  ", 3) || !strncmp(l, " L ", 3) || !strncmp(l, " S ", 3) ||
		!strncmp(l, " M ", 3)) && isxdigit((unsigned char)l[3]);
}

static enum trace_kind detect(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return TRACE_KIND_AUTO;
	}
	unsigned char magic[MMTZ_MAGIC_LEN];
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	if (n == sizeof(magic) && !memcmp(magic, MMTZ_MAGIC, MMTZ_MAGIC_LEN))
		return TRACE_KIND_MMTZ;
	gzFile gz = gzopen(path, "rb");
	if (!gz) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return TRACE_KIND_AUTO;
	}
	static const int probe = 8192;
	char *buf = xmalloc((size_t)probe + 1);
	int got = gzread(gz, buf, (unsigned)probe);
	gzclose(gz);
	enum trace_kind k = TRACE_KIND_AUTO;
	if (got > 0 && memchr(buf, '\0', (size_t)got))
		got = 0;            /* binary: no text trace */
	if (got > 0) {
		buf[got] = '\0';
		/* look at the first lines that are neither blank nor comments */
		char *line = buf;
		for (int i = 0; i < 8 && line && *line && k == TRACE_KIND_AUTO; i++) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			else if (line != buf && got == probe)
				break;  /* an incomplete last line */
			if (!strncmp(line, "mmt ", 4))
				k = TRACE_KIND_MMT;
			else if (looks_strace(line))
				k = TRACE_KIND_STRACE;
			else if (looks_lackey(line))
				k = TRACE_KIND_LACKEY;
			else if (looks_perf_faults(line))
				k = TRACE_KIND_PERF;
			else if (line[0] && line[0] != '#' && strncmp(line, "strace: ", 8))
				break;      /* strace's own notes ("strace: Process N attached") pass */
			line = nl ? nl + 1 : NULL;
		}
	}
	free(buf);
	if (k == TRACE_KIND_PERF) {
		snprintf(err, errlen, "%s: a perf script log of page faults: the touches of a run, "
			 "not its mappings; import it with the strace log of the same run: mmsim trace "
			 "convert --faults %s STRACE_LOG OUT (what mmsim record does)", path, path);
		k = TRACE_KIND_AUTO;
	} else if (k == TRACE_KIND_AUTO)
		snprintf(err, errlen,
			 "%s: not a trace mmsim knows (neither .mmtz, .mmt, strace -f -tt nor lackey "
			 "output; choose with --from strace|lackey)", path);
	return k;
}

struct trace_reader *trace_reader_open(const char *path, enum trace_kind kind,
				       const struct trace_import_opts *opts, char *err,
				       size_t errlen)
{
	static const struct trace_import_opts defaults;
	if (!opts)
		opts = &defaults;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return trace_reader_open_files(&path, 1, kind, opts, err, errlen);
	if (kind == TRACE_KIND_PERF) {
		snprintf(err, errlen, "%s: a perf script log of page faults gives the touches of a "
			 "run, not its mappings; import it with the strace log of the same run: mmsim "
			 "trace convert --faults %s STRACE_LOG OUT (what mmsim record does)", path, path);
		return NULL;
	}
	if (kind == TRACE_KIND_AUTO) {
		kind = detect(path, err, errlen);
		if (kind == TRACE_KIND_AUTO)
			return NULL;
	}
	if ((opts->perf_faults || opts->observed) && kind != TRACE_KIND_STRACE) {
		snprintf(err, errlen, "%s: perf faults and observed samples combine with a strace "
			 "log, not with a %s trace", path, trace_kind_name(kind));
		return NULL;
	}
	if (opts->observed && !opts->perf_faults) {
		snprintf(err, errlen, "%s: observed samples need the perf faults log (--faults)",
			 path);
		return NULL;
	}
	if (opts->perf_faults && opts->lackey_touches) {
		snprintf(err, errlen, "%s: touches come from lackey or from perf faults, not both",
			 path);
		return NULL;
	}
	if (opts->lackey_touches && kind != TRACE_KIND_STRACE) {
		snprintf(err, errlen, "%s: the touches of a lackey log combine with a strace log, "
			 "not with a %s trace", path, trace_kind_name(kind));
		return NULL;
	}
	switch (kind) {
	case TRACE_KIND_MMT: return mmt_text_open(path, err, errlen);
	case TRACE_KIND_MMTZ: return mmtz_open(path, err, errlen);
	case TRACE_KIND_STRACE:
		if (opts->lackey_touches)
			return combine_open(path, opts, err, errlen);
		if (opts->perf_faults)
			return perf_faults_open(path, opts, err, errlen);
		return strace_open(path, opts, err, errlen);
	case TRACE_KIND_LACKEY: return lackey_open(path, opts, err, errlen);
	default:
		snprintf(err, errlen, "%s: unknown trace kind", path);
		return NULL;
	}
}

struct trace_reader *trace_reader_open_files(const char *const *paths, unsigned n,
					     enum trace_kind kind,
					     const struct trace_import_opts *opts, char *err,
					     size_t errlen)
{
	static const struct trace_import_opts defaults;
	char **list = NULL;
	unsigned nr = n;
	struct stat st;
	if (!opts)
		opts = &defaults;
	if (n == 1 && stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		list = strace_ff_list(paths[0], &nr, err, errlen);
		if (!list)
			return NULL;
		paths = (const char *const *)list;
	} else if (n == 1) {
		return trace_reader_open(paths[0], kind, opts, err, errlen);
	}
	struct trace_reader *r = NULL;
	if (kind != TRACE_KIND_AUTO && kind != TRACE_KIND_STRACE)
		snprintf(err, errlen, "%s: several inputs are the per-process files of strace -ff, "
			 "not %s traces", paths[0], trace_kind_name(kind));
	else if (opts->lackey_touches || opts->perf_faults || opts->observed)
		snprintf(err, errlen, "%s: the per-process files of strace -ff do not combine with "
			 "--touches, --faults or --observed (record with strace -f -o ONE_LOG)",
			 paths[0]);
	else
		r = strace_open_files(paths, nr, true, opts, err, errlen);
	for (unsigned i = 0; list && i < nr; i++)
		free(list[i]);
	free(list);
	return r;
}

int trace_reader_next(struct trace_reader *r, struct op *op)
{
	return r->next(r, op);
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->err[0] ? r->err : "unknown error";
}

const struct trace_info *trace_reader_info(const struct trace_reader *r)
{
	return &r->info;
}

void trace_reader_close(struct trace_reader *r)
{
	if (r)
		r->close(r);
}

struct trace_writer *trace_writer_create(const char *path, enum trace_kind kind,
					 u32 page_size, char *err, size_t errlen)
{
	if (kind == TRACE_KIND_MMT)
		return mmt_text_writer_create(path, page_size, err, errlen);
	if (kind == TRACE_KIND_MMTZ)
		return mmtz_writer_create(path, page_size, err, errlen);
	snprintf(err, errlen, "%s: mmsim writes only .mmt and .mmtz traces", path);
	return NULL;
}

int trace_writer_put(struct trace_writer *w, const struct op *op, char *err, size_t errlen)
{
	return w->put(w, op, err, errlen);
}

int trace_writer_finish(struct trace_writer *w, char *err, size_t errlen)
{
	return w->finish(w, err, errlen);
}

void trace_writer_abort(struct trace_writer *w)
{
	if (w)
		w->abort(w);
}

/* A fixed table the signal handler reads without locks; entries are borrowed strings. */
#define TRACE_TMP_SLOTS 16
static const char *volatile tmp_slots[TRACE_TMP_SLOTS];

void trace_tmp_track(const char *path)
{
	for (unsigned i = 0; i < TRACE_TMP_SLOTS; i++)
		if (!tmp_slots[i]) {
			tmp_slots[i] = path;
			return;
		}
}

void trace_tmp_untrack(const char *path)
{
	for (unsigned i = 0; path && i < TRACE_TMP_SLOTS; i++)
		if (tmp_slots[i] == path)
			tmp_slots[i] = NULL;
}

void trace_tmp_unlink_all(void)
{
	for (unsigned i = 0; i < TRACE_TMP_SLOTS; i++) {
		const char *p = tmp_slots[i];
		if (p)
			unlink(p);
	}
}

static void on_fatal_signal(int sig)
{
	trace_tmp_unlink_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void trace_tmp_catch_signals(bool on)
{
	struct sigaction sa = { .sa_handler = on ? on_fatal_signal : SIG_DFL };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

FILE *trace_tmp_create(const char *path, char **tmp, char *err, size_t errlen)
{
	*tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	trace_tmp_track(*tmp);
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot create: %s", *tmp, strerror(errno));
		close(fd);
		unlink(*tmp);
		trace_tmp_untrack(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}
