/* findings.c - the list of findings: deduplicated by (type, message), kept in order of
 * first occurrence, written as findings.txt. */
#define _GNU_SOURCE   /* vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/findings.h"

#define MAX_DISTINCT 1000

struct finding {
	enum finding_type type;
	u64 first_ns;
	u64 count;
	u64 seq;                  /* report order, to break ties on first_ns */
	char *message;
};

struct findings {
	struct finding *items;
	size_t nr, cap;
	u64 count[NR_FINDING_TYPES];
	u64 total;
	u64 dropped;              /* distinct findings beyond MAX_DISTINCT */
	u64 seq;
};

static const char *const type_names[NR_FINDING_TYPES] = {
#define FINDING_NAME(e, n) n,
	FINDING_TYPES(FINDING_NAME)
#undef FINDING_NAME
};

struct findings *findings_create(void)
{
	return xcalloc(1, sizeof(struct findings));
}

void findings_destroy(struct findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr; i++)
		free(f->items[i].message);
	free(f->items);
	free(f);
}

const char *finding_type_name(enum finding_type t)
{
	return t < NR_FINDING_TYPES ? type_names[t] : "?";
}

void finding_report(struct findings *f, enum finding_type type, u64 now_ns, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		msg = xstrdup("(message lost: host out of memory)");
	f->count[type]++;
	f->total++;
	for (size_t i = 0; i < f->nr; i++) {
		struct finding *it = &f->items[i];
		if (it->type == type && !strcmp(it->message, msg)) {
			it->count++;
			if (now_ns < it->first_ns)
				it->first_ns = now_ns;
			free(msg);
			return;
		}
	}
	if (f->nr == MAX_DISTINCT) {
		f->dropped++;
		free(msg);
		return;
	}
	if (f->nr == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	f->items[f->nr++] = (struct finding){ type, now_ns, 1, f->seq++, msg };
}

u64 findings_count(const struct findings *f, enum finding_type t)
{
	return t < NR_FINDING_TYPES ? f->count[t] : 0;
}

u64 findings_total(const struct findings *f)
{
	return f->total;
}

size_t findings_nr_distinct(const struct findings *f)
{
	return f->nr;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pointers to the findings in report order (first time, then report order). */
static const struct finding **sorted(const struct findings *f)
{
	const struct finding **v = xcalloc(f->nr ? f->nr : 1, sizeof(*v));
	for (size_t i = 0; i < f->nr; i++)
		v[i] = &f->items[i];
	qsort(v, f->nr, sizeof(*v), cmp_finding);
	return v;
}

void findings_get(const struct findings *f, size_t i, enum finding_type *type, u64 *first_ns,
		  u64 *count, const char **message)
{
	const struct finding **v = sorted(f);
	const struct finding *it = v[i];
	free(v);
	if (type)
		*type = it->type;
	if (first_ns)
		*first_ns = it->first_ns;
	if (count)
		*count = it->count;
	if (message)
		*message = it->message;
}

void findings_write(const struct findings *f, FILE *out)
{
	if (!f->total) {
		fprintf(out, "no findings\n");
		return;
	}
	const struct finding **v = sorted(f);
	for (size_t i = 0; i < f->nr; i++) {
		const struct finding *it = v[i];
		fprintf(out, "[%llu.%09llu] %s", (unsigned long long)(it->first_ns / NSEC_PER_SEC),
			(unsigned long long)(it->first_ns % NSEC_PER_SEC), type_names[it->type]);
		if (it->count > 1)
			fprintf(out, " (x%llu)", (unsigned long long)it->count);
		fprintf(out, ": ");
		/* continuation lines are indented under the first */
		for (const char *p = it->message; *p; p++) {
			fputc(*p, out);
			if (*p == '\n' && p[1])
				fputs("    ", out);
		}
		fputc('\n', out);
	}
	if (f->dropped)
		fprintf(out, "(%llu more distinct findings not kept)\n", (unsigned long long)f->dropped);
	free(v);
}
