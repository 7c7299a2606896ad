/* diag.h - the list of errors found in user input (scenario files, --set arguments,
 * traces). Collect every error, then print them all at once, sorted, and exit 2.
 *
 * Printed format, one error per line (field omitted when NULL):
 *	FILE:LINE:COL: FIELD: message      a position in a file (1-based line and column)
 *	FILE: FIELD: message               the whole file (line 0), e.g. "cannot open: ..."
 *	--set ARG: message                 a command-line override (the field is in ARG)
 * Sort order: files in the order they were first reported, within a file by line, column
 * and then insertion; --set errors after all file errors, in command-line order. At most
 * DIAG_MAX_PRINT lines are printed, then "FILE: too many errors (N more)" where FILE is
 * the first file reported (or "mmsim" when there is none). */
#ifndef MMSIM_CONFIG_DIAG_H
#define MMSIM_CONFIG_DIAG_H

#include <stdarg.h>
#include <stdio.h>
#include "types.h"

#define DIAG_MAX_PRINT 20

struct diag;
struct ynode;

/* Where a value came from, for errors found after parsing (cross-field checks). */
struct diag_loc {
	const char *file;              /* NULL: the value came from a --set argument */
	int line, col;                 /* 1-based; line 0: the whole file */
	int set_idx;                   /* --set: index on the command line (orders errors) */
	const char *set_arg;           /* --set: the whole "key=value" argument */
};

struct diag *diag_create(void);
void diag_destroy(struct diag *d);

/* An error at FILE:LINE:COL (line 0: the file as a whole). field may be NULL. */
__printf(6, 7) void diag_at(struct diag *d, const char *file, int line, int col,
			    const char *field, const char *fmt, ...);
void diag_vat(struct diag *d, const char *file, int line, int col, const char *field,
	      const char *fmt, va_list ap);
/* An error at a YAML node (a value or a mapping key). */
__printf(4, 5) void diag_node(struct diag *d, const struct ynode *n, const char *field,
			      const char *fmt, ...);
/* An error in the idx-th --set argument arg ("key=value"). */
__printf(4, 5) void diag_set(struct diag *d, int idx, const char *arg, const char *fmt, ...);
/* An error at a recorded location (a file position or a --set argument). */
__printf(4, 5) void diag_loc(struct diag *d, const struct diag_loc *loc, const char *field,
			     const char *fmt, ...);

/* A warning at a recorded location: printed with the errors (its message prefixed
 * "warning: "), but not counted by diag_count(), so the input is still accepted. */
__printf(4, 5) void diag_warn_loc(struct diag *d, const struct diag_loc *loc, const char *field,
				  const char *fmt, ...);

/* Quote user text for a message: "text" with \", \\, \n, \t and \xNN escapes, cut at 60
 * characters with "..." (binary garbage stays one readable line). Returns buf. */
char *diag_quote(const char *text, char *buf, size_t len);

/* Number of errors reported so far (warnings not included). */
unsigned diag_count(const struct diag *d);
/* Print the sorted, capped list (the format above), warnings included. What `mmsim`
 * prints before exit 2, and the warnings of an accepted input. */
void diag_print(const struct diag *d, FILE *f);
/* The same text as one malloc'd string ("" when empty); the caller frees it. */
char *diag_format(const struct diag *d);

#endif
