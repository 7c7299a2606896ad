/* trace_io.c - opening any trace: kind names, detection by content, and the common
 * reader/writer entry points that dispatch to the formats. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "traces/mmtz_format.h"
#include "traces/reader_impl.h"

static const char *const kind_names[] = {
	[TRACE_KIND_AUTO] = "auto",     [TRACE_KIND_MMT] = "mmt",       [TRACE_KIND_MMTZ] = "mmtz",
	[TRACE_KIND_STRACE] = "strace", [TRACE_KIND_LACKEY] = "lackey",
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

static bool looks_strace(const char *l)
{
	const char *p = l;
	if (!strncmp(p, "[pid ", 5)) {
		p += 5;
		while (*p == ' ')
			p++;
	}
	while (isdigit((unsigned char)*p))
		p++;
	if (p != l) {
		if (*p == ']')
			p++;
		while (*p == ' ')
			p++;
	}
	/* SECONDS.FRAC (-ttt, --timestamps=unix): at least 9 digits of epoch seconds */
	const char *q = p;
	while (isdigit((unsigned char)*q))
		q++;
	if (q - p >= 9 && *q == '.' && isdigit((unsigned char)q[1]))
		return true;
	/* HH:MM:SS */
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
	       isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == ':';
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
			else if (line[0] && line[0] != '#')
				break;
			line = nl ? nl + 1 : NULL;
		}
	}
	free(buf);
	if (k == TRACE_KIND_AUTO)
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
