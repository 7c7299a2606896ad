/* linereader.c - buffered lines over gzread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "traces/linereader.h"

#define LR_BUF (LINEREADER_MAX + 64 * 1024)

struct linereader {
	gzFile gz;
	char *buf;                  /* LR_BUF + 1 bytes */
	size_t start, end;          /* unread bytes are buf[start..end) */
	bool eof;
	u64 lineno;
	char err[256];
};

struct linereader *linereader_open(const char *path, char *err, size_t errlen)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
		return NULL;
	}
	gzbuffer(gz, 128 * 1024);
	struct linereader *lr = xcalloc(1, sizeof(*lr));
	lr->gz = gz;
	lr->buf = xmalloc(LR_BUF + 1);
	return lr;
}

static int fill(struct linereader *lr)
{
	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	int n = gzread(lr->gz, lr->buf + lr->end, (unsigned)(LR_BUF - lr->end));
	if (n < 0) {
		int zerr;
		const char *m = gzerror(lr->gz, &zerr);
		snprintf(lr->err, sizeof(lr->err), "line %llu: read error: %s",
			 (unsigned long long)lr->lineno + 1,
			 zerr == Z_ERRNO ? strerror(errno) : m);
		return -1;
	}
	if (n == 0) {
		/* gzread returns 0 at the end, also for a gzip stream cut short */
		int zerr;
		const char *m = gzerror(lr->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			snprintf(lr->err, sizeof(lr->err), "line %llu: gzip error: %s",
				 (unsigned long long)lr->lineno + 1, m);
			return -1;
		}
		lr->eof = true;
	}
	lr->end += (size_t)n;
	return 0;
}

int linereader_next(struct linereader *lr, char **line, size_t *lenp)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(s, '\n', avail);
		if (nl || (lr->eof && avail)) {
			size_t n = nl ? (size_t)(nl - s) : avail;
			lr->lineno++;
			lr->start += nl ? n + 1 : n;
			if (n > LINEREADER_MAX) {
				snprintf(lr->err, sizeof(lr->err), "line %llu: longer than %d bytes",
					 (unsigned long long)lr->lineno, LINEREADER_MAX);
				return -1;
			}
			if (memchr(s, '\0', n)) {
				snprintf(lr->err, sizeof(lr->err),
					 "line %llu: NUL byte (binary data in a text trace?)",
					 (unsigned long long)lr->lineno);
				return -1;
			}
			if (n && s[n - 1] == '\r')
				n--;
			s[n] = '\0';
			*line = s;
			*lenp = n;
			return 1;
		}
		if (lr->eof)
			return 0;
		if (avail > LINEREADER_MAX) {
			snprintf(lr->err, sizeof(lr->err), "line %llu: longer than %d bytes",
				 (unsigned long long)lr->lineno + 1, LINEREADER_MAX);
			return -1;
		}
		if (fill(lr) < 0)
			return -1;
	}
}

u64 linereader_lineno(const struct linereader *lr)
{
	return lr->lineno;
}

const char *linereader_error(const struct linereader *lr)
{
	return lr->err;
}

bool linereader_gzip(const struct linereader *lr)
{
	return gzdirect(lr->gz) == 0;
}

void linereader_close(struct linereader *lr)
{
	if (!lr)
		return;
	gzclose(lr->gz);
	free(lr->buf);
	free(lr);
}
