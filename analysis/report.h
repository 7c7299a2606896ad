/* report.h - the run report (report.md, `mmsim report`) rendered from an out dir only:
 * summary.json, the CSVs and the /proc-format files. One renderer for every format:
 * the report is built once as headings, paragraphs, tables and code blocks, then written
 * as markdown, plain text (aligned columns) or JSON (the same figures, numbers as
 * numbers). `mmsim run` calls report_render() to write report.md. */
#ifndef MMSIM_ANALYSIS_REPORT_H
#define MMSIM_ANALYSIS_REPORT_H

#include <stdio.h>
#include "analysis/outdir_read.h"

enum report_format { REPORT_MD, REPORT_TEXT, REPORT_JSON, REPORT_HTML };

/* Render the report of od to out. Returns 0, or -1 with a message in err (a malformed
 * CSV of the out dir). */
int report_render(const struct outdir_data *od, enum report_format fmt, FILE *out, char *err,
		  size_t errlen);

/* `mmsim report DIR [--format md|text|json] [-o FILE]`: exit status. */
int report_main(int argc, char **argv);

#endif
