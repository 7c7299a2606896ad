/* sampler.c - probes sampled over simulated time, one CSV per series file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/outdir.h"
#include "stats/sampler.h"

struct probe {
	const char *file;
	const char *const *cols;
	size_t nr_cols;
	sample_fn fn;
	void *arg;
	double *vals;             /* [nr_samples][nr_cols] */
};

struct sampler {
	struct probe *probes;
	size_t nr_probes;
	u64 *times;
	size_t nr_samples, cap_samples;
	u64 nr_ticks;             /* periodic ticks so far */
	u64 stride;               /* a periodic tick is sampled when nr_ticks % stride == 0 */
};

struct sampler *sampler_create(void)
{
	struct sampler *s = xcalloc(1, sizeof(struct sampler));
	s->stride = 1;
	return s;
}

/* Keep rows 1, 3, 5... (periodic ticks 2, 4, 6... times the stride) and double the stride. */
static void sampler_thin(struct sampler *s)
{
	size_t n = 0;
	for (size_t r = 1; r < s->nr_samples; r += 2, n++) {
		s->times[n] = s->times[r];
		for (size_t i = 0; i < s->nr_probes; i++) {
			struct probe *p = &s->probes[i];
			memmove(p->vals + n * p->nr_cols, p->vals + r * p->nr_cols,
				p->nr_cols * sizeof(double));
		}
	}
	s->nr_samples = n;
	s->stride *= 2;
}

bool sampler_periodic_due(struct sampler *s)
{
	s->nr_ticks++;
	if (s->nr_ticks % s->stride)
		return false;
	if (s->nr_samples >= SAMPLER_MAX_ROWS)
		sampler_thin(s);
	return s->nr_ticks % s->stride == 0;
}

void sampler_destroy(struct sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_probes; i++)
		free(s->probes[i].vals);
	free(s->probes);
	free(s->times);
	free(s);
}

void sampler_add(struct sampler *s, const char *file, const char *const *cols, size_t nr_cols,
		 sample_fn fn, void *arg)
{
	s->probes = xrealloc(s->probes, (s->nr_probes + 1) * sizeof(*s->probes));
	struct probe *p = &s->probes[s->nr_probes++];
	*p = (struct probe){ file, cols, nr_cols, fn, arg, NULL };
	/* a probe added late has no values for earlier samples: NAN */
	if (s->cap_samples) {
		p->vals = xmalloc(s->cap_samples * (nr_cols ? nr_cols : 1) * sizeof(double));
		for (size_t i = 0; i < s->nr_samples * nr_cols; i++)
			p->vals[i] = NAN;
	}
}

void sampler_tick(struct sampler *s, u64 now_ns)
{
	/* a final sample at the time of the last one replaces it */
	size_t row = s->nr_samples;
	if (row && s->times[row - 1] == now_ns)
		row--;
	if (row == s->cap_samples) {
		s->cap_samples = s->cap_samples ? s->cap_samples * 2 : 64;
		s->times = xrealloc(s->times, s->cap_samples * sizeof(*s->times));
		for (size_t i = 0; i < s->nr_probes; i++) {
			struct probe *p = &s->probes[i];
			p->vals = xrealloc(p->vals, s->cap_samples * (p->nr_cols ? p->nr_cols : 1) *
							    sizeof(double));
		}
	}
	s->times[row] = now_ns;
	for (size_t i = 0; i < s->nr_probes; i++) {
		struct probe *p = &s->probes[i];
		p->fn(p->arg, now_ns, p->vals + row * p->nr_cols);
	}
	s->nr_samples = row + 1;
}

size_t sampler_nr_samples(const struct sampler *s)
{
	return s->nr_samples;
}

static void write_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("nan", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
}

struct series_arg {
	const struct sampler *s;
	const char *file;
};

static void write_series(FILE *f, void *arg)
{
	const struct series_arg *a = arg;
	const struct sampler *s = a->s;
	fputs("time_ns", f);
	for (size_t i = 0; i < s->nr_probes; i++)
		if (!strcmp(s->probes[i].file, a->file))
			for (size_t c = 0; c < s->probes[i].nr_cols; c++)
				fprintf(f, ",%s", s->probes[i].cols[c]);
	fputc('\n', f);
	for (size_t r = 0; r < s->nr_samples; r++) {
		fprintf(f, "%llu", (unsigned long long)s->times[r]);
		for (size_t i = 0; i < s->nr_probes; i++) {
			const struct probe *p = &s->probes[i];
			if (strcmp(p->file, a->file))
				continue;
			for (size_t c = 0; c < p->nr_cols; c++) {
				fputc(',', f);
				write_value(f, p->vals[r * p->nr_cols + c]);
			}
		}
		fputc('\n', f);
	}
}

int sampler_write(const struct sampler *s, struct outdir *od)
{
	int rc = 0;
	for (size_t i = 0; i < s->nr_probes; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->probes[j].file, s->probes[i].file))
				first = false;
		if (!first)
			continue;
		struct series_arg a = { s, s->probes[i].file };
		rc |= outdir_write(od, s->probes[i].file, write_series, &a);
	}
	return rc ? -1 : 0;
}

double sampler_value(const struct sampler *s, const char *file, const char *col, size_t i)
{
	if (i >= s->nr_samples)
		return NAN;
	for (size_t k = 0; k < s->nr_probes; k++) {
		const struct probe *p = &s->probes[k];
		if (strcmp(p->file, file))
			continue;
		for (size_t c = 0; c < p->nr_cols; c++)
			if (!strcmp(p->cols[c], col))
				return p->vals[i * p->nr_cols + c];
	}
	return NAN;
}
