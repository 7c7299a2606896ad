/* units.c - exact parsing and formatting of sizes, times and bandwidths. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/units.h"

struct unit {
	const char *name;
	u64 mult;
};

#define KI (1ULL << 10)
#define MI (1ULL << 20)
#define GI (1ULL << 30)
#define TI (1ULL << 40)
#define PI_ (1ULL << 50)
#define EI (1ULL << 60)

static const struct unit size_units[] = {
	{ "B", 1 },
	{ "K", KI }, { "KiB", KI }, { "M", MI }, { "MiB", MI }, { "G", GI }, { "GiB", GI },
	{ "T", TI }, { "TiB", TI }, { "P", PI_ }, { "PiB", PI_ }, { "E", EI }, { "EiB", EI },
	{ "KB", 1000ULL }, { "kB", 1000ULL }, { "MB", 1000000ULL }, { "GB", 1000000000ULL },
	{ "TB", 1000000000000ULL }, { "PB", 1000000000000000ULL },
	{ "EB", 1000000000000000000ULL },
};
#define SIZE_UNITS_KNOWN "B, K/KiB, M/MiB, G/GiB, T/TiB, P/PiB, E/EiB, KB, MB, GB, TB, PB, EB"

static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1000ULL }, { "\xc2\xb5s", 1000ULL }, { "ms", 1000000ULL },
	{ "s", 1000000000ULL },
};
#define TIME_UNITS_KNOWN "ns, us, ms, s"

struct scale {
	const struct unit *units;
	size_t nr;
	const char *known;             /* list for "unknown unit" messages */
	const char *noun;              /* "sizes": "negative sizes are not allowed" */
	const char *base;              /* "bytes": "not a whole number of bytes" */
	bool unit_required;            /* a non-zero number needs a unit */
};

static const struct scale size_scale = {
	size_units, ARRAY_SIZE(size_units), SIZE_UNITS_KNOWN, "sizes", "bytes", false
};
static const struct scale bw_scale = {
	size_units, ARRAY_SIZE(size_units), SIZE_UNITS_KNOWN, "bandwidths", "bytes", false
};
static const struct scale time_scale = {
	time_units, ARRAY_SIZE(time_units), TIME_UNITS_KNOWN, "times", "nanoseconds", true
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int fail(char *reason, size_t len, const char *msg)
{
	if (len)
		snprintf(reason, len, "%s", msg);
	return -1;
}

/* Digits, then optionally '.' and digits, exactly. Returns the end or NULL. */
struct number {
	unsigned __int128 ip;          /* saturates above u64 range (flagged by big) */
	bool big;
	u64 frac;                      /* fraction digits, trailing zeros removed */
	unsigned nfrac;
	bool frac_too_long;
};

static const char *scan_number(const char *s, struct number *n)
{
	memset(n, 0, sizeof(*n));
	if (!is_digit(*s))
		return NULL;
	for (; is_digit(*s); s++) {
		if (!n->big) {
			n->ip = n->ip * 10 + (unsigned)(*s - '0');
			if (n->ip > UINT64_MAX)
				n->big = true;
		}
	}
	if (*s != '.')
		return s;
	s++;
	if (!is_digit(*s))
		return NULL;
	const char *fs = s;
	while (is_digit(*s))
		s++;
	const char *fe = s;
	while (fe > fs && fe[-1] == '0')
		fe--;
	if (fe - fs > 19) {
		n->frac_too_long = true;
		return s;
	}
	for (const char *p = fs; p < fe; p++) {
		n->frac = n->frac * 10 + (u64)(*p - '0');
		n->nfrac++;
	}
	return s;
}

static bool number_is_zero(const struct number *n)
{
	return !n->big && n->ip == 0 && n->nfrac == 0 && !n->frac_too_long;
}

static int parse_scaled(const char *s, const struct scale *sc, u64 *out, char *reason,
			size_t len)
{
	struct number n;
	const char *p;
	u64 mult = 1;

	if (!s)
		return fail(reason, len, "");
	if (s[0] == '-' && is_digit(s[1]) && scan_number(s + 1, &n)) {
		snprintf(reason, len, "negative %s are not allowed", sc->noun);
		return -1;
	}
	p = scan_number(s, &n);
	if (!p)
		return fail(reason, len, "");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		size_t i;
		for (i = 0; i < sc->nr; i++)
			if (strcmp(p, sc->units[i].name) == 0)
				break;
		if (i == sc->nr) {
			snprintf(reason, len, "unknown unit \"%s\" (known: %s)", p, sc->known);
			return -1;
		}
		mult = sc->units[i].mult;
	} else if (sc->unit_required && !number_is_zero(&n)) {
		snprintf(reason, len, "missing unit (%s)", sc->known);
		return -1;
	}
	if (n.frac_too_long) {
		snprintf(reason, len, "too many digits after the decimal point");
		return -1;
	}
	unsigned __int128 v = 0, f = (unsigned __int128)n.frac * mult, p10 = 1;
	for (unsigned i = 0; i < n.nfrac; i++)
		p10 *= 10;
	if (f % p10) {
		snprintf(reason, len, "not a whole number of %s", sc->base);
		return -1;
	}
	if (!n.big)
		v = n.ip * mult + f / p10;
	if (n.big || v > UINT64_MAX) {
		snprintf(reason, len, "too large (the limit is 2^64-1 %s)", sc->base);
		return -1;
	}
	*out = (u64)v;
	return 0;
}

int units_parse_u64(const char *s, u64 *out, char *reason, size_t len)
{
	struct number n;
	const char *p;

	if (!s || strchr(s, '.'))
		return fail(reason, len, "");
	if (s[0] == '-' && is_digit(s[1]) && (p = scan_number(s + 1, &n)) && !*p)
		return fail(reason, len, "negative values are not allowed");
	p = scan_number(s, &n);
	if (!p || *p)
		return fail(reason, len, "");
	if (n.big)
		return fail(reason, len, "too large (the limit is 2^64-1)");
	*out = (u64)n.ip;
	return 0;
}

int units_parse_size(const char *s, u64 *bytes, char *reason, size_t len)
{
	return parse_scaled(s, &size_scale, bytes, reason, len);
}

int units_parse_time(const char *s, u64 *ns, char *reason, size_t len)
{
	return parse_scaled(s, &time_scale, ns, reason, len);
}

int units_parse_bw(const char *s, u64 *bytes_per_s, char *reason, size_t len)
{
	size_t n;
	u64 v;

	if (!s)
		return fail(reason, len, "");
	n = strlen(s);
	if (n >= 2 && strcmp(s + n - 2, "/s") == 0) {
		char *head = xstrdup(s);
		head[n - 2] = '\0';
		int ret = parse_scaled(head, &bw_scale, bytes_per_s, reason, len);
		free(head);
		return ret;
	}
	if (parse_scaled(s, &bw_scale, &v, reason, len) < 0)
		return -1;
	if (v != 0)
		return fail(reason, len, "missing \"/s\" (a bandwidth is a size per second)");
	*bytes_per_s = 0;
	return 0;
}

int units_parse_double(const char *s, double *out, char *reason, size_t len)
{
	char *end;
	double v;

	if (!s || !*s || *s == ' ' || *s == '\t' || *s == '\n')
		return fail(reason, len, "");
	/* strtod also takes hex floats, "inf" and "nan": accept plain decimals only. */
	for (const char *p = s; *p; p++)
		if (!is_digit(*p) && !strchr("+-.eE", *p))
			return fail(reason, len, "");
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end)
		return fail(reason, len, "");
	if (errno == ERANGE || !isfinite(v))
		return fail(reason, len, "out of the range of a double");
	*out = v;
	return 0;
}

/* The unit of list[] with the largest multiplier dividing v exactly (first wins a tie). */
static void format_scaled(u64 v, const struct unit *list, size_t nr, const char *suffix,
			  char *buf, size_t len)
{
	const struct unit *best = NULL;

	for (size_t i = 0; i < nr; i++)
		if (v % list[i].mult == 0 && (!best || list[i].mult > best->mult))
			best = &list[i];
	if (best)
		snprintf(buf, len, "%llu%s%s", (unsigned long long)(v / best->mult), best->name,
			 suffix);
	else
		snprintf(buf, len, "%llu%s", (unsigned long long)v, *suffix ? "B/s" : "");
}

/* Binary units first (they win ties); decimal ones from MB up, so 1000 stays "1000". */
static const struct unit size_fmt_units[] = {
	{ "EiB", EI }, { "PiB", PI_ }, { "TiB", TI }, { "GiB", GI }, { "MiB", MI }, { "KiB", KI },
	{ "EB", 1000000000000000000ULL }, { "PB", 1000000000000000ULL },
	{ "TB", 1000000000000ULL }, { "GB", 1000000000ULL }, { "MB", 1000000ULL },
};
static const struct unit time_fmt_units[] = {
	{ "s", 1000000000ULL }, { "ms", 1000000ULL }, { "us", 1000ULL }, { "ns", 1 },
};

void units_format_size(u64 bytes, char *buf, size_t len)
{
	if (!bytes) {
		snprintf(buf, len, "0");
		return;
	}
	format_scaled(bytes, size_fmt_units, ARRAY_SIZE(size_fmt_units), "", buf, len);
}

void units_format_bw(u64 bytes_per_s, char *buf, size_t len)
{
	if (!bytes_per_s) {
		snprintf(buf, len, "0");
		return;
	}
	format_scaled(bytes_per_s, size_fmt_units, ARRAY_SIZE(size_fmt_units), "/s", buf, len);
}

void units_format_time(u64 ns, char *buf, size_t len)
{
	if (!ns) {
		snprintf(buf, len, "0");
		return;
	}
	format_scaled(ns, time_fmt_units, ARRAY_SIZE(time_fmt_units), "", buf, len);
}

void units_format_double(double v, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}
