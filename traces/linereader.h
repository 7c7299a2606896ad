/* linereader.h - lines of a plain or gzip-compressed text file, in constant memory
 * (zlib's gzread reads both). Lines longer than LINEREADER_MAX are reported, not
 * truncated silently. Used by the .mmt reader and the importers. */
#ifndef MMSIM_TRACES_LINEREADER_H
#define MMSIM_TRACES_LINEREADER_H

#include "types.h"

#define LINEREADER_MAX (64 * 1024)

struct linereader;

/* NULL with a message in err when the file cannot be opened. */
struct linereader *linereader_open(const char *path, char *err, size_t errlen);
/* Next line without its newline (and without a trailing '\r'), NUL-terminated, valid until
 * the next call; *lenp gets its length. Returns 1, 0 at the end, -1 on an error (a line
 * longer than LINEREADER_MAX, a NUL byte in a line, a read or gzip error) with a message
 * in linereader_error(). lineno counts from 1. */
int linereader_next(struct linereader *lr, char **line, size_t *lenp);
u64 linereader_lineno(const struct linereader *lr);
const char *linereader_error(const struct linereader *lr);
/* Whether the input was gzip-compressed. */
bool linereader_gzip(const struct linereader *lr);
void linereader_close(struct linereader *lr);

#endif
