/* json_read.c - a recursive-descent JSON reader (see json_read.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/json_read.h"

#define MAX_DEPTH 64

struct jp {
	const char *s, *end, *p;
	char *err;
	size_t errlen;
	bool failed;
};

__printf(2, 3) static void fail(struct jp *j, const char *fmt, ...)
{
	if (j->failed)
		return;
	j->failed = true;
	int line = 1, col = 1;
	for (const char *c = j->s; c < j->p && c < j->end; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->errlen, "line %d, column %d: %s", line, col, msg);
}

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static struct jval *node(enum jtype t)
{
	struct jval *v = xcalloc(1, sizeof(*v));
	v->type = t;
	return v;
}

static void put_utf8(char **out, unsigned cp)
{
	char *o = *out;
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	*out = o;
}

static int hex4(struct jp *j, unsigned *cp)
{
	if (j->end - j->p < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = j->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	j->p += 4;
	*cp = v;
	return 0;
}

static char *string(struct jp *j)
{
	j->p++;   /* the opening quote */
	/* the decoded text is never longer than the source */
	const char *q = j->p;
	while (q < j->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	char *out = xcalloc(1, (size_t)(q - j->p) + 4), *o = out;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20) {
			fail(j, "control character in a string");
			free(out);
			return NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			j->p++;
			continue;
		}
		j->p++;
		if (j->p >= j->end)
			break;
		char e = *j->p++;
		switch (e) {
		case '"': case '\\': case '/':
			*o++ = e;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(j, &cp) < 0) {
				fail(j, "bad \\u escape");
				free(out);
				return NULL;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
			    j->p[1] == 'u') {
				j->p += 2;
				if (hex4(j, &lo) < 0 || lo < 0xdc00 || lo >= 0xe000) {
					fail(j, "bad surrogate pair");
					free(out);
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(&o, cp);
			break;
		}
		default:
			fail(j, "bad escape \\%c", e);
			free(out);
			return NULL;
		}
	}
	if (j->p >= j->end) {
		fail(j, "unterminated string");
		free(out);
		return NULL;
	}
	j->p++;
	return out;
}

static struct jval *value(struct jp *j, int depth);

static struct jval *number(struct jp *j)
{
	const char *start = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	bool integral = true;
	while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' ||
				 *j->p == 'E' || *j->p == '+' || *j->p == '-')) {
		if (*j->p == '.' || *j->p == 'e' || *j->p == 'E')
			integral = false;
		j->p++;
	}
	char buf[64];
	size_t n = (size_t)(j->p - start);
	if (!n || n >= sizeof(buf)) {
		fail(j, "bad number");
		return NULL;
	}
	memcpy(buf, start, n);
	buf[n] = 0;
	char *e;
	errno = 0;
	double d = strtod(buf, &e);
	if (*e || !isfinite(d)) {
		j->p = start;
		fail(j, "bad number \"%s\"", buf);
		return NULL;
	}
	struct jval *v = node(J_NUM);
	v->num = d;
	if (integral) {
		errno = 0;
		long long x = strtoll(buf, &e, 10);
		if (!errno && !*e) {
			v->is_int = true;
			v->i = x;
		}
		errno = 0;
		unsigned long long ux = buf[0] == '-' ? 0 : strtoull(buf, &e, 10);
		if (buf[0] != '-' && !errno && !*e) {
			v->is_u64 = true;
			v->u = ux;
		}
	}
	return v;
}

static bool word(struct jp *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, w, n)) {
		j->p += n;
		return true;
	}
	return false;
}

static struct jval *container(struct jp *j, int depth, bool obj)
{
	struct jval *v = node(obj ? J_OBJ : J_ARR);
	size_t cap = 0;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
		j->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		ws(j);
		if (j->p >= j->end) {
			fail(j, "unexpected end of text");
			break;
		}
		if (obj) {
			if (j->p >= j->end || *j->p != '"') {
				fail(j, "expected a member name");
				break;
			}
			if (!(key = string(j)))
				break;
			ws(j);
			if (j->p >= j->end || *j->p != ':') {
				fail(j, "expected ':'");
				free(key);
				break;
			}
			j->p++;
		}
		struct jval *item = value(j, depth + 1);
		if (!item) {
			free(key);
			break;
		}
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			v->items = xrealloc(v->items, cap * sizeof(*v->items));
			if (obj)
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		v->items[v->n] = item;
		if (obj)
			v->keys[v->n] = key;
		v->n++;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
			j->p++;
			return v;
		}
		if (j->p >= j->end)
			fail(j, "unexpected end of text");
		else
			fail(j, "expected ',' or '%c'", obj ? '}' : ']');
		break;
	}
	jfree(v);
	return NULL;
}

static struct jval *value(struct jp *j, int depth)
{
	if (depth > MAX_DEPTH) {
		fail(j, "nested deeper than %d levels", MAX_DEPTH);
		return NULL;
	}
	ws(j);
	if (j->p >= j->end) {
		fail(j, "unexpected end of text");
		return NULL;
	}
	char c = *j->p;
	if (c == '{' || c == '[')
		return container(j, depth, c == '{');
	if (c == '"') {
		char *s = string(j);
		if (!s)
			return NULL;
		struct jval *v = node(J_STR);
		v->str = s;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(j);
	if (word(j, "true") || word(j, "false")) {
		struct jval *v = node(J_BOOL);
		v->b = j->p[-1] == 'e' && j->p[-2] == 'u';
		return v;
	}
	if (word(j, "null"))
		return node(J_NULL);
	fail(j, "unexpected character '%c'", c);
	return NULL;
}

struct jval *jparse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jp j = { text, text + len, text, err, errlen, false };
	struct jval *v = value(&j, 0);
	if (v) {
		ws(&j);
		if (j.p != j.end) {
			fail(&j, "text after the value");
			jfree(v);
			v = NULL;
		}
	}
	return v;
}

struct jval *jparse_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= (1ULL << 30)) {
				snprintf(err, errlen, "%s: larger than 1 GiB", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	bool rerr = ferror(f);
	fclose(f);
	if (rerr) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		return NULL;
	}
	char e[300];
	struct jval *v = jparse(buf, len, e, sizeof(e));
	free(buf);
	if (!v)
		snprintf(err, errlen, "%s: %s", path, e);
	return v;
}

void jfree(struct jval *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jfree(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct jval *jget(const struct jval *v, const char *key)
{
	if (!v || v->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->items[i];
	return NULL;
}

const struct jval *jpath(const struct jval *v, const char *path)
{
	char key[512];
	while (v && *path) {
		size_t n = strcspn(path, "/");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		v = jget(v, key);
		path += n;
		if (*path == '/')
			path++;
	}
	return v;
}

double jnum(const struct jval *v, const char *path, double def)
{
	const struct jval *x = jpath(v, path);
	return x && x->type == J_NUM ? x->num : def;
}

static void jtext_rec(const struct jval *v, char *buf, size_t len, size_t *o)
{
#define PUT(...) do { if (*o < len) *o += (size_t)snprintf(buf + *o, len - *o, __VA_ARGS__); } while (0)
	switch (v->type) {
	case J_NULL:
		PUT("null");
		break;
	case J_BOOL:
		PUT("%s", v->b ? "true" : "false");
		break;
	case J_NUM:
		if (v->is_int)
			PUT("%lld", (long long)v->i);
		else
			PUT("%.17g", v->num);
		break;
	case J_STR:
		PUT("\"%s\"", v->str);
		break;
	case J_ARR:
	case J_OBJ:
		PUT("%c", v->type == J_ARR ? '[' : '{');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				PUT(",");
			if (v->type == J_OBJ)
				PUT("\"%s\":", v->keys[i]);
			jtext_rec(v->items[i], buf, len, o);
		}
		PUT("%c", v->type == J_ARR ? ']' : '}');
		break;
	}
#undef PUT
}

char *jtext(const struct jval *v, char *buf, size_t len)
{
	size_t o = 0;
	if (len)
		buf[0] = 0;
	if (v && len)
		jtext_rec(v, buf, len, &o);
	return buf;
}
