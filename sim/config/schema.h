/* schema.h - knob tables: one row per knob, driving conversion, range checks, defaults,
 * "did you mean", `mmsim knobs` and the scenario echo.
 *
 * The scenario's own knobs are the rows of knobs.def (fields of struct scenario).
 * Workload generators describe their parameters with the same rows (fields of their own
 * params struct), so a workload parameter is validated exactly like a kernel knob. */
#ifndef MMSIM_CONFIG_SCHEMA_H
#define MMSIM_CONFIG_SCHEMA_H

#include <stdio.h>
#include "types.h"

struct diag;
struct ynode;

enum knob_type {
	KT_BOOL,   /* bool: true/false, yes/no, on/off, 1/0 */
	KT_UINT,   /* unsigned int, range-checked */
	KT_U64,    /* u64, range-checked */
	KT_SIZE,   /* u64 bytes: "4KiB", "2MiB", "4GiB" or a plain byte count */
	KT_TIME,   /* u64 ns: "100ns", "5us", "10ms", "2s" */
	KT_BW,     /* u64 bytes per second: "500MiB/s", "2GB/s" */
	KT_DOUBLE, /* double, range-checked */
	KT_ENUM,   /* unsigned int index into enum_names */
	KT_STRING, /* char * (owned by the base struct; freed by knob_free_strings) */
	KT_PATH,   /* char *: a file that must exist; resolved relative to the scenario file */
	KT_MSECS,  /* u64 ns, written as an integer count of milliseconds like sysfs's
		    * *_millisecs files ("10000"); a time with a unit ("10s") is also accepted */
};

struct knob {
	const char *name;                /* dotted name, as in sysctl/sysfs: "vm.min_free_kbytes" */
	enum knob_type type;
	size_t offset;                   /* of the field in the base struct */
	size_t size;                     /* sizeof the field (checked against the type) */
	u64 min, max;                    /* integer types (size/time/bw too) */
	double dmin, dmax;               /* KT_DOUBLE */
	const char *const *enum_names;   /* KT_ENUM, NULL-terminated */
	const char *def;                 /* default, written as a user would write it; NULL: the
					  * knob is required (the field stays zero until set) */
	const char *doc;                 /* one line */
};

#define KNOB_ROW_(base, nm, kt, fld, lo, hi, dlo, dhi, names, dflt, dc)                          \
	{ .name = nm, .type = kt, .offset = offsetof(base, fld), .size = sizeof(((base *)0)->fld),   \
	  .min = lo, .max = hi, .dmin = dlo, .dmax = dhi, .enum_names = names, .def = dflt, .doc = dc }
#define KNOB_BOOL_OF(b, nm, f, d, doc)          KNOB_ROW_(b, nm, KT_BOOL, f, 0, 1, 0, 0, NULL, d, doc)
#define KNOB_UINT_OF(b, nm, f, lo, hi, d, doc)  KNOB_ROW_(b, nm, KT_UINT, f, lo, hi, 0, 0, NULL, d, doc)
#define KNOB_U64_OF(b, nm, f, lo, hi, d, doc)   KNOB_ROW_(b, nm, KT_U64, f, lo, hi, 0, 0, NULL, d, doc)
#define KNOB_SIZE_OF(b, nm, f, lo, hi, d, doc)  KNOB_ROW_(b, nm, KT_SIZE, f, lo, hi, 0, 0, NULL, d, doc)
#define KNOB_TIME_OF(b, nm, f, lo, hi, d, doc)  KNOB_ROW_(b, nm, KT_TIME, f, lo, hi, 0, 0, NULL, d, doc)
#define KNOB_BW_OF(b, nm, f, lo, hi, d, doc)    KNOB_ROW_(b, nm, KT_BW, f, lo, hi, 0, 0, NULL, d, doc)
#define KNOB_DOUBLE_OF(b, nm, f, lo, hi, d, doc) KNOB_ROW_(b, nm, KT_DOUBLE, f, 0, 0, lo, hi, NULL, d, doc)
#define KNOB_ENUM_OF(b, nm, f, names, d, doc)   KNOB_ROW_(b, nm, KT_ENUM, f, 0, 0, 0, 0, names, d, doc)
#define KNOB_STRING_OF(b, nm, f, d, doc)        KNOB_ROW_(b, nm, KT_STRING, f, 0, 0, 0, 0, NULL, d, doc)
#define KNOB_PATH_OF(b, nm, f, d, doc)          KNOB_ROW_(b, nm, KT_PATH, f, 0, 0, 0, 0, NULL, d, doc)
/* lo and hi in milliseconds; the field holds nanoseconds. */
#define KNOB_MSECS_OF(b, nm, f, lo, hi, d, doc)                                                  \
	KNOB_ROW_(b, nm, KT_MSECS, f, (lo) * NSEC_PER_MSEC, (hi) * NSEC_PER_MSEC, 0, 0, NULL, d,   \
		  doc)

struct knob_table {
	const char *what;              /* "kernel knob", "sequential_touch parameter" ... */
	const struct knob *rows;
	size_t nr;
};

/* Look a knob up by exact name; NULL if none. */
const struct knob *knob_find(const struct knob_table *t, const char *name);
/* Closest name within a small edit distance, for "did you mean"; NULL if none is close. */
const char *knob_suggest(const struct knob_table *t, const char *name);
/* The same over any list of names: the closest by edit distance (case-insensitive,
 * transpositions count 1) within about a third of the name's length (exact but for case
 * when it has 1 or 2 characters), or the one name
 * whose last dotted part equals name's ("swappiness" -> "vm.swappiness"); ties go to the
 * earliest. NULL if none is close. */
const char *suggest_closest(const char *name, const char *const *names, size_t nr);
/* Write every row's default into base. Defaults are validated by the unit tests. */
void knob_set_defaults(const struct knob_table *t, void *base);
/* Convert text to the knob's type, range-check, store in base. On failure returns -1 and
 * writes a message (without location) to err, e.g. "expected a size like 4KiB, got \"x\"".
 * KT_STRING/KT_PATH: stores a copy of the text (freeing the previous one); a KT_PATH is
 * stored as written: scenario.c resolves it against the scenario's directory. */
int knob_parse(const struct knob *k, const char *text, void *base, char *err, size_t errlen);
/* Free the KT_STRING/KT_PATH fields of base. */
void knob_free_strings(const struct knob_table *t, void *base);
/* Format the value of a knob in base the way a user writes it ("2MiB", "100ns", "read"). */
void knob_format(const struct knob *k, const void *base, char *buf, size_t len);
/* Human description of the accepted range/values, e.g. "0..511" or "write|read". */
void knob_describe_range(const struct knob *k, char *buf, size_t len);
/* `mmsim knobs`: name, type, range, default, doc, one row per knob. */
void knob_table_print(FILE *f, const struct knob_table *t);

/* What a value of this knob looks like, for "expected ..." messages: "an integer 0..511",
 * "a size like 4KiB or 2MiB", "one of always|madvise|never". */
void knob_describe_expected(const struct knob *k, char *buf, size_t len);
/* "bool", "uint", "u64", "size", "time", "bandwidth", "double", "enum", "string", "path",
 * "msecs". */
const char *knob_type_name(enum knob_type type);
/* Self-check of a table (for unit tests of every table, incl. workload parameters): field
 * sizes fit the types, names are unique, ranges are ordered and every default parses and
 * lies in range. Returns 0, or -1 with the first problem in err. */
int knob_table_validate(const struct knob_table *t, char *err, size_t errlen);

#endif
