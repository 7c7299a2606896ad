/* json.c - a small JSON tree written deterministically (sorted keys, fixed formats). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/json.h"

enum json_kind { J_OBJECT, J_ARRAY, J_U64, J_S64, J_DOUBLE, J_BOOL, J_STRING, J_NULL };

struct json_member {
	char *key;
	struct json *val;
};

struct json {
	enum json_kind kind;
	union {
		u64 u;
		s64 s;
		double d;
		bool b;
		char *str;
	};
	/* object members or array items */
	struct json_member *members;
	size_t nr, cap;
};

static struct json *jnew(enum json_kind k)
{
	struct json *j = xcalloc(1, sizeof(*j));
	j->kind = k;
	return j;
}

struct json *json_object(void) { return jnew(J_OBJECT); }
struct json *json_array(void) { return jnew(J_ARRAY); }
struct json *json_null(void) { return jnew(J_NULL); }

struct json *json_u64(u64 v)
{
	struct json *j = jnew(J_U64);
	j->u = v;
	return j;
}

struct json *json_s64(s64 v)
{
	struct json *j = jnew(J_S64);
	j->s = v;
	return j;
}

struct json *json_double(double v)
{
	struct json *j = jnew(J_DOUBLE);
	j->d = v;
	return j;
}

struct json *json_bool(bool v)
{
	struct json *j = jnew(J_BOOL);
	j->b = v;
	return j;
}

struct json *json_string(const char *s)
{
	struct json *j = jnew(J_STRING);
	j->str = xstrdup(s ? s : "");
	return j;
}

static void append(struct json *j, char *key, struct json *val)
{
	if (j->nr == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 8;
		j->members = xrealloc(j->members, j->cap * sizeof(*j->members));
	}
	j->members[j->nr++] = (struct json_member){ key, val };
}

void json_set(struct json *obj, const char *key, struct json *val)
{
	for (size_t i = 0; i < obj->nr; i++) {
		if (!strcmp(obj->members[i].key, key)) {
			json_free(obj->members[i].val);
			obj->members[i].val = val;
			return;
		}
	}
	append(obj, xstrdup(key), val);
}

void json_set_u64(struct json *obj, const char *key, u64 v)
{
	json_set(obj, key, json_u64(v));
}

void json_set_double(struct json *obj, const char *key, double v)
{
	json_set(obj, key, json_double(v));
}

void json_set_string(struct json *obj, const char *key, const char *s)
{
	json_set(obj, key, json_string(s));
}

struct json *json_child(struct json *obj, const char *key)
{
	for (size_t i = 0; i < obj->nr; i++)
		if (!strcmp(obj->members[i].key, key) && obj->members[i].val->kind == J_OBJECT)
			return obj->members[i].val;
	struct json *c = json_object();
	json_set(obj, key, c);
	return c;
}

void json_push(struct json *arr, struct json *val)
{
	append(arr, NULL, val);
}

static void write_string(const char *s, FILE *f)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static int cmp_member(const void *a, const void *b)
{
	const struct json_member *x = *(const struct json_member *const *)a;
	const struct json_member *y = *(const struct json_member *const *)b;
	return strcmp(x->key, y->key);
}

static void indent(FILE *f, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

static void write_value(const struct json *j, FILE *f, int depth)
{
	switch (j->kind) {
	case J_U64:
		fprintf(f, "%llu", (unsigned long long)j->u);
		break;
	case J_S64:
		fprintf(f, "%lld", (long long)j->s);
		break;
	case J_DOUBLE:
		if (isfinite(j->d))
			fprintf(f, "%.6f", j->d);
		else
			fputs("null", f);
		break;
	case J_BOOL:
		fputs(j->b ? "true" : "false", f);
		break;
	case J_STRING:
		write_string(j->str, f);
		break;
	case J_NULL:
		fputs("null", f);
		break;
	case J_ARRAY:
		if (!j->nr) {
			fputs("[]", f);
			break;
		}
		fputs("[\n", f);
		for (size_t i = 0; i < j->nr; i++) {
			indent(f, depth + 1);
			write_value(j->members[i].val, f, depth + 1);
			fputs(i + 1 < j->nr ? ",\n" : "\n", f);
		}
		indent(f, depth);
		fputc(']', f);
		break;
	case J_OBJECT: {
		if (!j->nr) {
			fputs("{}", f);
			break;
		}
		const struct json_member **v = xcalloc(j->nr, sizeof(*v));
		for (size_t i = 0; i < j->nr; i++)
			v[i] = &j->members[i];
		qsort(v, j->nr, sizeof(*v), cmp_member);
		fputs("{\n", f);
		for (size_t i = 0; i < j->nr; i++) {
			indent(f, depth + 1);
			write_string(v[i]->key, f);
			fputs(": ", f);
			write_value(v[i]->val, f, depth + 1);
			fputs(i + 1 < j->nr ? ",\n" : "\n", f);
		}
		indent(f, depth);
		fputc('}', f);
		free(v);
		break;
	}
	}
}

void json_write(const struct json *j, FILE *f)
{
	write_value(j, f, 0);
	fputc('\n', f);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nr; i++) {
		free(j->members[i].key);
		json_free(j->members[i].val);
	}
	free(j->members);
	if (j->kind == J_STRING)
		free(j->str);
	free(j);
}
