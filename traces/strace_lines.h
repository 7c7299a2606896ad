/* strace_lines.h - the lines of a strace log, or of the per-process files of `strace -ff
 * -o LOG` (LOG.PID, one per thread) merged into one stream in timestamp order, each line
 * given the "[pid PID] " prefix of its file's suffix. Errors and the source line of each
 * line name the file it came from and its line there.
 *
 * Timestamp forms (strace_ts_parse): none, -t (HH:MM:SS), -tt (HH:MM:SS.frac), -ttt and
 * --timestamps=unix (SECONDS.frac, 9 or more digits of epoch seconds), and -r (a relative
 * SECONDS.frac of fewer than 9 digits), which the importer refuses. Per-process files must
 * carry -t, -tt or -ttt times (the merge needs them). */
#ifndef MMSIM_TRACES_STRACE_LINES_H
#define MMSIM_TRACES_STRACE_LINES_H

#include "types.h"

enum strace_ts_form {
	STRACE_TS_NONE = 0,
	STRACE_TS_T,                /* -t: HH:MM:SS */
	STRACE_TS_TT,               /* -tt: HH:MM:SS.frac */
	STRACE_TS_TTT,              /* -ttt: SECONDS.frac since the epoch */
	STRACE_TS_REL,              /* -r: seconds since the previous line */
	STRACE_TS_BAD,              /* digits that are no timestamp */
};

/* Parse the timestamp at *pp (after any pid column); on a timestamp, *pp moves past it and
 * its space and *t gets ns since midnight (-t, -tt) or the epoch (-ttt) or the relative ns
 * (-r). Returns its form; STRACE_TS_NONE leaves *pp where it was. */
enum strace_ts_form strace_ts_parse(const char **pp, u64 *t);
/* "-tt (HH:MM:SS.frac)" and so on, for messages. */
const char *strace_ts_form_name(enum strace_ts_form f);

struct strace_lines;

/* One file (ff false, n 1: its lines as they are), or the per-process files of strace -ff
 * (ff true; each name must end in .PID). NULL with a message in err. */
struct strace_lines *strace_lines_open(const char *const *paths, unsigned n, bool ff,
				       char *err, size_t errlen);
/* The per-process files of strace -ff in directory dir (every file named PREFIX.PID with
 * one PREFIX), sorted by pid: an array of n malloc'd paths, or NULL with err. */
char **strace_ff_list(const char *dir, unsigned *n, char *err, size_t errlen);
/* Next line (1), end (0), or -1 with a message in strace_lines_error(). The line is valid
 * until the next call. */
int strace_lines_next(struct strace_lines *sl, char **line, size_t *len);
const char *strace_lines_error(const struct strace_lines *sl);
/* File and 1-based line number of the line last returned. */
const char *strace_lines_path(const struct strace_lines *sl);
u64 strace_lines_lineno(const struct strace_lines *sl);
/* Whether the lines come from several -ff files (each line has a "[pid N] " prefix). */
bool strace_lines_merged(const struct strace_lines *sl);
void strace_lines_close(struct strace_lines *sl);

#endif
