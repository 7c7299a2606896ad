/* json_read.h - a small JSON reader for the out-dir files the analysis layer reads
 * (summary.json). Strict RFC 8259 text, nesting at most 64 levels; numbers kept as a
 * double and, when integral and exact, as an int64. */
#ifndef MMSIM_ANALYSIS_JSON_READ_H
#define MMSIM_ANALYSIS_JSON_READ_H

#include <stddef.h>
#include "types.h"

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	bool is_int;               /* J_NUM: an integer in the text that fits in s64 */
	s64 i;
	bool is_u64;               /* J_NUM: a non-negative integer that fits in u64 */
	u64 u;
	double num;
	char *str;                 /* J_STR */
	struct jval **items;       /* J_ARR items / J_OBJ values */
	char **keys;               /* J_OBJ keys, parallel to items */
	size_t n;
};

/* Parse len bytes. Returns NULL with "line L, column C: message" in err on bad input. */
struct jval *jparse(const char *text, size_t len, char *err, size_t errlen);
/* Read and parse a file; err names the file. */
struct jval *jparse_file(const char *path, char *err, size_t errlen);
void jfree(struct jval *v);

/* The member key of an object (NULL when absent or v is not an object). */
const struct jval *jget(const struct jval *v, const char *key);
/* A '/'-separated path of object keys ("metrics/vmstat/pswpout"): keys may hold dots. */
const struct jval *jpath(const struct jval *v, const char *path);
/* The value as compact JSON text, cut to len-1 bytes. Returns buf. */
char *jtext(const struct jval *v, char *buf, size_t len);
/* A number at path, or def. */
double jnum(const struct jval *v, const char *path, double def);

#endif
