/* html.h - the HTML report of an out dir: one self-contained file (inline CSS, inline SVG
 * plots drawn by gnuplot's svg terminal, a few lines of inline JS that sort tables by a
 * click on a header; nothing fetched). Reads out dirs only. The page helpers and the
 * gnuplot runner are shared with `mmsim compare --format html`. */
#ifndef MMSIM_ANALYSIS_HTML_H
#define MMSIM_ANALYSIS_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write the report of out dir `dir` to out. Returns 0, 2 on bad input (no summary.json,
 * an unknown schema version, gnuplot missing) or 1 when gnuplot fails, with the reason
 * in err. */
int html_report(const char *dir, FILE *out, char *err, size_t errlen);

/* Write FILE through a temp file in its directory renamed over it at the end: a reader
 * never sees a partial file; on failure nothing is left. fn() returns 0 or an exit
 * status with err set. Returns fn()'s status, or 1 when the file cannot be written. */
int html_write_file(const char *path, int (*fn)(void *arg, FILE *f, char *err, size_t errlen),
		    void *arg, char *err, size_t errlen);

/* ---- shared with compare.c ---- */

/* Page head (title escaped, inline style and the sort script) and end. */
void html_begin(FILE *f, const char *title);
void html_end(FILE *f);
/* s with & < > " ' escaped. */
void html_esc(FILE *f, const char *s);

/* A gnuplot session: a private temp dir (mode 0700) for data and scripts, removed by
 * gplot_close() whatever happened. gnuplot is $MMSIM_GNUPLOT or `gnuplot` on PATH. */
struct gplot;
/* NULL with the reason in err when gnuplot is not found or the temp dir fails. */
struct gplot *gplot_open(char *err, size_t errlen);
/* Create data file `name` in the session's dir for writing; its full path in *path
 * (owned by the session). NULL on failure. */
FILE *gplot_data(struct gplot *g, const char *name, const char **path);
/* Run `script` (after the svg terminal and output lines, at width x height) and write the
 * SVG into out inside <figure class="plot" id="plot-ID"> with caption. Returns 0, or -1
 * with gnuplot's first message in err. */
int gplot_figure(struct gplot *g, FILE *out, const char *id, const char *caption,
		 unsigned width, unsigned height, const char *script, char *err, size_t errlen);
void gplot_close(struct gplot *g);

#endif
