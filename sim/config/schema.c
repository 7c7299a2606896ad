/* schema.c - drives knob tables: convert text, range-check, defaults, format, describe,
 * "did you mean", and the `mmsim knobs` listing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "config/diag.h"
#include "config/schema.h"
#include "config/units.h"

#define MAX_NAME 128

static void *field(const struct knob *k, void *base)
{
	return (char *)base + k->offset;
}

static const void *cfield(const struct knob *k, const void *base)
{
	return (const char *)base + k->offset;
}

static u64 load_uint(const struct knob *k, const void *base)
{
	const void *p = cfield(k, base);

	switch (k->size) {
	case 1:
		return *(const u8 *)p;
	case 2:
		return *(const u16 *)p;
	case 4:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

static void store_uint(const struct knob *k, void *base, u64 v)
{
	void *p = field(k, base);

	switch (k->size) {
	case 1:
		*(u8 *)p = (u8)v;
		break;
	case 2:
		*(u16 *)p = (u16)v;
		break;
	case 4:
		*(u32 *)p = (u32)v;
		break;
	default:
		*(u64 *)p = v;
		break;
	}
}

const struct knob *knob_find(const struct knob_table *t, const char *name)
{
	for (size_t i = 0; i < t->nr; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), on
 * lower-cased names of at most MAX_NAME characters. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned rows[3][MAX_NAME + 1];
	size_t la = strlen(a), lb = strlen(b);
	unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > MAX_NAME || lb > MAX_NAME)
		return ~0u;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned cost = ca != cb;
			unsigned v = min(prev[j] + 1, cur[j - 1] + 1);
			v = min(v, prev[j - 1] + cost);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb)
				v = min(v, prev2[j - 2] + 1);
			cur[j] = v;
		}
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

static const char *last_part(const char *s)
{
	const char *dot = strrchr(s, '.');
	return dot ? dot + 1 : s;
}

const char *suggest_closest(const char *name, const char *const *names, size_t nr)
{
	size_t len = strlen(name);
	unsigned allowed = len <= 2 ? 0 : len <= 3 ? 1 : len <= 6 ? 2 : len <= 12 ? 3 : 4;
	unsigned best = ~0u;
	const char *pick = NULL, *by_part = NULL;
	unsigned nr_by_part = 0;

	for (size_t i = 0; i < nr; i++) {
		if (strcmp(names[i], name) == 0)
			continue;
		unsigned dist = edit_distance(name, names[i]);
		if (dist < best) {
			best = dist;
			pick = names[i];
		}
		if (strcmp(last_part(names[i]), last_part(name)) == 0 && !by_part) {
			by_part = names[i];
			nr_by_part++;
		} else if (strcmp(last_part(names[i]), last_part(name)) == 0) {
			nr_by_part++;
		}
	}
	if (pick && best <= allowed)
		return pick;
	if (nr_by_part == 1)
		return by_part;
	return NULL;
}

const char *knob_suggest(const struct knob_table *t, const char *name)
{
	const char **names = xmalloc((t->nr ? t->nr : 1) * sizeof(*names));
	for (size_t i = 0; i < t->nr; i++)
		names[i] = t->rows[i].name;
	const char *s = suggest_closest(name, names, t->nr);
	free(names);
	return s;
}

void knob_set_defaults(const struct knob_table *t, void *base)
{
	char err[256];

	for (size_t i = 0; i < t->nr; i++)
		if (t->rows[i].def)
			knob_parse(&t->rows[i], t->rows[i].def, base, err, sizeof(err));
}

void knob_free_strings(const struct knob_table *t, void *base)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct knob *k = &t->rows[i];
		if (k->type == KT_STRING || k->type == KT_PATH) {
			char **p = field(k, base);
			free(*p);
			*p = NULL;
		}
	}
}

const char *knob_type_name(enum knob_type type)
{
	switch (type) {
	case KT_BOOL:
		return "bool";
	case KT_UINT:
		return "uint";
	case KT_U64:
		return "u64";
	case KT_SIZE:
		return "size";
	case KT_TIME:
		return "time";
	case KT_BW:
		return "bandwidth";
	case KT_DOUBLE:
		return "double";
	case KT_ENUM:
		return "enum";
	case KT_STRING:
		return "string";
	case KT_PATH:
		return "path";
	case KT_MSECS:
		return "msecs";
	}
	return "?";
}

static void format_u64_as(enum knob_type type, u64 v, char *buf, size_t len)
{
	switch (type) {
	case KT_SIZE:
		units_format_size(v, buf, len);
		break;
	case KT_TIME:
		units_format_time(v, buf, len);
		break;
	case KT_BW:
		units_format_bw(v, buf, len);
		break;
	case KT_MSECS:
		if (v % NSEC_PER_MSEC == 0)
			snprintf(buf, len, "%llu", (unsigned long long)(v / NSEC_PER_MSEC));
		else
			units_format_time(v, buf, len);
		break;
	default:
		snprintf(buf, len, "%llu", (unsigned long long)v);
		break;
	}
}

static void join_names(const char *const *names, const char *sep, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; names && names[i]; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? sep : "", names[i]);
		if (n < 0 || (size_t)n >= len - o)
			return;
		o += (size_t)n;
	}
}

void knob_describe_range(const struct knob *k, char *buf, size_t len)
{
	char lo[64], hi[64];

	switch (k->type) {
	case KT_BOOL:
		snprintf(buf, len, "true|false");
		break;
	case KT_ENUM:
		join_names(k->enum_names, "|", buf, len);
		break;
	case KT_STRING:
		snprintf(buf, len, "text");
		break;
	case KT_PATH:
		snprintf(buf, len, "file");
		break;
	case KT_DOUBLE:
		units_format_double(k->dmin, lo, sizeof(lo));
		units_format_double(k->dmax, hi, sizeof(hi));
		snprintf(buf, len, "%s..%s", lo, hi);
		break;
	default:
		format_u64_as(k->type, k->min, lo, sizeof(lo));
		format_u64_as(k->type, k->max, hi, sizeof(hi));
		snprintf(buf, len, "%s..%s", lo, hi);
		break;
	}
}

void knob_describe_expected(const struct knob *k, char *buf, size_t len)
{
	char range[256];

	knob_describe_range(k, range, sizeof(range));
	switch (k->type) {
	case KT_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case KT_UINT:
	case KT_U64:
		snprintf(buf, len, "an integer %s", range);
		break;
	case KT_SIZE:
		snprintf(buf, len, "a size like 4KiB or 2MiB");
		break;
	case KT_TIME:
		snprintf(buf, len, "a time like 100ns, 5us or 10ms");
		break;
	case KT_BW:
		snprintf(buf, len, "a bandwidth like 500MiB/s or 2GB/s");
		break;
	case KT_DOUBLE:
		snprintf(buf, len, "a number %s", range);
		break;
	case KT_ENUM:
		snprintf(buf, len, "one of %s", range);
		break;
	case KT_STRING:
		snprintf(buf, len, "a string");
		break;
	case KT_PATH:
		snprintf(buf, len, "a file name");
		break;
	case KT_MSECS:
		snprintf(buf, len, "a number of milliseconds %s", range);
		break;
	}
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_msecs(const char *s, u64 *ns, char *reason, size_t len)
{
	u64 ms;

	if (units_parse_u64(s, &ms, reason, len) == 0) {
		if (ms > UINT64_MAX / NSEC_PER_MSEC) {
			snprintf(reason, len, "too large");
			return -1;
		}
		*ns = ms * NSEC_PER_MSEC;
		return 0;
	}
	if (reason[0])
		return -1;
	return units_parse_time(s, ns, reason, len);
}

/* "expected X, got "text"[: reason]" */
static int bad_value(const struct knob *k, const char *text, const char *reason, char *err,
		     size_t errlen)
{
	char what[320], q[256];

	knob_describe_expected(k, what, sizeof(what));
	diag_quote(text, q, sizeof(q));
	snprintf(err, errlen, "expected %s, got %s%s%s", what, q, reason && *reason ? ": " : "",
		 reason ? reason : "");
	return -1;
}

static int out_of_range(const struct knob *k, const char *text, char *err, size_t errlen)
{
	char range[256];

	knob_describe_range(k, range, sizeof(range));
	snprintf(err, errlen, "%s is out of range %s", text, range);
	return -1;
}

int knob_parse(const struct knob *k, const char *text, void *base, char *err, size_t errlen)
{
	char reason[200] = "";
	u64 v = 0;
	int ret = 0;

	if (!text)
		text = "";
	switch (k->type) {
	case KT_BOOL: {
		bool b;
		if (parse_bool(text, &b) < 0)
			return bad_value(k, text, NULL, err, errlen);
		*(bool *)field(k, base) = b;
		return 0;
	}
	case KT_UINT:
	case KT_U64:
		ret = units_parse_u64(text, &v, reason, sizeof(reason));
		break;
	case KT_SIZE:
		ret = units_parse_size(text, &v, reason, sizeof(reason));
		break;
	case KT_TIME:
		ret = units_parse_time(text, &v, reason, sizeof(reason));
		break;
	case KT_BW:
		ret = units_parse_bw(text, &v, reason, sizeof(reason));
		break;
	case KT_MSECS:
		ret = parse_msecs(text, &v, reason, sizeof(reason));
		break;
	case KT_DOUBLE: {
		double d;
		if (units_parse_double(text, &d, reason, sizeof(reason)) < 0)
			return bad_value(k, text, reason, err, errlen);
		if (d < k->dmin || d > k->dmax)
			return out_of_range(k, text, err, errlen);
		*(double *)field(k, base) = d;
		return 0;
	}
	case KT_ENUM: {
		size_t i, n = 0;
		for (i = 0; k->enum_names && k->enum_names[i]; i++)
			if (strcmp(k->enum_names[i], text) == 0)
				break;
		if (k->enum_names && k->enum_names[i]) {
			store_uint(k, base, i);
			return 0;
		}
		while (k->enum_names && k->enum_names[n])
			n++;
		const char *s = suggest_closest(text, (const char *const *)k->enum_names, n);
		if (s)
			snprintf(reason, sizeof(reason), "did you mean \"%s\"?", s);
		bad_value(k, text, NULL, err, errlen);
		if (s) {
			size_t l = strlen(err);
			snprintf(err + l, errlen - l, " (%s)", reason);
		}
		return -1;
	}
	case KT_PATH:
		if (!*text)
			return bad_value(k, text, NULL, err, errlen);
		/* fall through */
	case KT_STRING: {
		char **p = field(k, base);
		free(*p);
		*p = xstrdup(text);
		return 0;
	}
	}
	if (ret < 0)
		return bad_value(k, text, reason, err, errlen);
	if (v < k->min || v > k->max)
		return out_of_range(k, text, err, errlen);
	store_uint(k, base, v);
	return 0;
}

void knob_format(const struct knob *k, const void *base, char *buf, size_t len)
{
	u64 v;

	switch (k->type) {
	case KT_BOOL:
		snprintf(buf, len, "%s", *(const bool *)cfield(k, base) ? "true" : "false");
		return;
	case KT_DOUBLE:
		units_format_double(*(const double *)cfield(k, base), buf, len);
		return;
	case KT_ENUM: {
		u64 i = load_uint(k, base), n = 0;
		while (k->enum_names && k->enum_names[n])
			n++;
		snprintf(buf, len, "%s", i < n ? k->enum_names[i] : "?");
		return;
	}
	case KT_STRING:
	case KT_PATH: {
		const char *s = *(char *const *)cfield(k, base);
		snprintf(buf, len, "%s", s ? s : "");
		return;
	}
	default:
		v = load_uint(k, base);
		format_u64_as(k->type, v, buf, len);
		return;
	}
}

void knob_table_print(FILE *f, const struct knob_table *t)
{
	static const char *const head[] = { "NAME", "TYPE", "RANGE", "DEFAULT", "DESCRIPTION" };
	size_t w[4];
	char range[256];

	for (int c = 0; c < 4; c++)
		w[c] = strlen(head[c]);
	for (size_t i = 0; i < t->nr; i++) {
		const struct knob *k = &t->rows[i];
		knob_describe_range(k, range, sizeof(range));
		w[0] = max(w[0], strlen(k->name));
		w[1] = max(w[1], strlen(knob_type_name(k->type)));
		w[2] = max(w[2], strlen(range));
		w[3] = max(w[3], strlen(k->def ? k->def : "(required)"));
	}
	fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], head[0], (int)w[1], head[1],
		(int)w[2], head[2], (int)w[3], head[3], head[4]);
	for (size_t i = 0; i < t->nr; i++) {
		const struct knob *k = &t->rows[i];
		knob_describe_range(k, range, sizeof(range));
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], k->name, (int)w[1],
			knob_type_name(k->type), (int)w[2], range, (int)w[3],
			k->def ? k->def : "(required)", k->doc ? k->doc : "");
	}
}

static bool size_ok(const struct knob *k)
{
	switch (k->type) {
	case KT_BOOL:
		return k->size == sizeof(bool);
	case KT_UINT:
		return (k->size == 1 || k->size == 2 || k->size == 4 || k->size == 8) &&
		       (k->size == 8 || k->max < (1ULL << (8 * k->size)));
	case KT_ENUM:
		return k->size == 1 || k->size == 2 || k->size == 4 || k->size == 8;
	case KT_U64:
	case KT_SIZE:
	case KT_TIME:
	case KT_BW:
	case KT_MSECS:
		return k->size == sizeof(u64);
	case KT_DOUBLE:
		return k->size == sizeof(double);
	case KT_STRING:
	case KT_PATH:
		return k->size == sizeof(char *);
	}
	return false;
}

int knob_table_validate(const struct knob_table *t, char *err, size_t errlen)
{
	char msg[512];

	for (size_t i = 0; i < t->nr; i++) {
		const struct knob *k = &t->rows[i];
		if (!k->name || !*k->name) {
			snprintf(err, errlen, "%s row %zu: no name", t->what, i);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t->rows[j].name, k->name) == 0) {
				snprintf(err, errlen, "%s: two rows named %s", t->what, k->name);
				return -1;
			}
		}
		if (!size_ok(k)) {
			snprintf(err, errlen, "%s: field size %zu does not fit type %s", k->name,
				 k->size, knob_type_name(k->type));
			return -1;
		}
		if (k->min > k->max || k->dmin > k->dmax ||
		    (k->type == KT_ENUM && (!k->enum_names || !k->enum_names[0]))) {
			snprintf(err, errlen, "%s: empty range", k->name);
			return -1;
		}
		if (!k->doc || !*k->doc || strchr(k->doc, '\n')) {
			snprintf(err, errlen, "%s: doc must be one non-empty line", k->name);
			return -1;
		}
		if (!k->def)
			continue;
		void *scratch = xcalloc(1, k->offset + k->size + 8);
		int ret = knob_parse(k, k->def, scratch, msg, sizeof(msg));
		if (k->type == KT_STRING || k->type == KT_PATH)
			free(*(char **)field(k, scratch));
		free(scratch);
		if (ret < 0) {
			snprintf(err, errlen, "%s: default: %s", k->name, msg);
			return -1;
		}
	}
	return 0;
}
