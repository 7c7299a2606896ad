/* outdir_read.h - the analysis layer's view of an out dir: summary.json (its
 * schema_version checked), the CSVs and the /proc-format text files, read as files only.
 * Shared by report.c (md/text/json) and the HTML page. */
#ifndef MMSIM_ANALYSIS_OUTDIR_READ_H
#define MMSIM_ANALYSIS_OUTDIR_READ_H

#include <stddef.h>
#include "types.h"
#include "analysis/json_read.h"

/* The summary.json schema this reader needs (sim/sim_output.c writes it). */
#define OUTDIR_SCHEMA_VERSION 2

struct csv_table {
	size_t ncols, nrows;
	char **head;               /* ncols names */
	char **cell;               /* nrows x ncols, row-major; missing cells are "" */
};

struct outdir_data {
	char *dir;
	struct jval *sum;          /* summary.json */
};

/* Load DIR/summary.json and check its schema_version. NULL with a message naming the
 * file in err (missing dir or file, bad JSON, missing or other schema version). */
struct outdir_data *outdir_load(const char *dir, char *err, size_t errlen);
/* The same from summary.json's text in memory (`mmsim run` renders report.md before it
 * commits summary.json, its last file); the other files are read from dir. */
struct outdir_data *outdir_from_text(const char *dir, const char *json, size_t len, char *err,
				     size_t errlen);
void outdir_free(struct outdir_data *od);

/* DIR/name as text (NUL-terminated; *len without it). NULL when absent. */
char *outdir_text(const struct outdir_data *od, const char *name, size_t *len);
/* DIR/name as a CSV table (header line, comma-separated, "quoted" fields). NULL when the
 * file is absent (err "") or malformed (err says where). */
struct csv_table *outdir_csv(const struct outdir_data *od, const char *name, char *err,
			     size_t errlen);
void csv_free(struct csv_table *t);
/* Column index of name, -1 if none. */
int csv_col(const struct csv_table *t, const char *name);
const char *csv_cell(const struct csv_table *t, size_t row, int col);
/* The cell as an unsigned/signed integer or double (0 when empty or col < 0). */
u64 csv_u64(const struct csv_table *t, size_t row, int col);
double csv_num(const struct csv_table *t, size_t row, int col);

/* Helpers on summary.json: the value at a '/'-path as an integer (def when absent), as a
 * string ("" when absent). */
s64 sum_int(const struct jval *v, const char *path, s64 def);
const char *sum_str(const struct jval *v, const char *path);
/* As an unsigned 64-bit count (exact up to 2^64-1; a negative value reads as def). */
u64 sum_u64(const struct jval *v, const char *path, u64 def);

#endif
