/* json.h - a deterministic JSON writer. Objects are built as a small tree and written
 * with keys sorted, two-space indentation and fixed number formats (integers as
 * integers, doubles with %.6f, non-finite doubles as null), so equal inputs give equal
 * bytes. */
#ifndef MMSIM_STATS_JSON_H
#define MMSIM_STATS_JSON_H

#include <stdio.h>
#include "types.h"

struct json;

struct json *json_object(void);
struct json *json_array(void);
struct json *json_u64(u64 v);
struct json *json_s64(s64 v);
struct json *json_double(double v);
struct json *json_bool(bool v);
struct json *json_string(const char *s);
struct json *json_null(void);
/* Add to an object (consumes val). A key set twice keeps the last value. */
void json_set(struct json *obj, const char *key, struct json *val);
/* Shorthands that consume nothing of the caller's. */
void json_set_u64(struct json *obj, const char *key, u64 v);
void json_set_double(struct json *obj, const char *key, double v);
void json_set_string(struct json *obj, const char *key, const char *s);
/* Get or create a child object. */
struct json *json_child(struct json *obj, const char *key);
/* Append to an array (consumes val). */
void json_push(struct json *arr, struct json *val);
void json_write(const struct json *j, FILE *f);
void json_free(struct json *j);

#endif
