/* outdir.h - the output directory. Every file is written under a temporary name in the
 * same directory and renamed into place when complete, so an interrupted run never
 * leaves a half-written file under its final name. The only code that writes outputs. */
#ifndef MMSIM_STATS_OUTDIR_H
#define MMSIM_STATS_OUTDIR_H

#include <stdio.h>
#include "types.h"

struct outdir;

/* Before a run: create the directory (mkdir -p), check that files can be created in it,
 * and remove the files an earlier run wrote there (listed in its manifest, MANIFEST), so
 * that an out dir never mixes two runs. Returns 0, or -1 with a message in err. */
int outdir_prepare(const char *path, char *err, size_t errlen);
#define OUTDIR_MANIFEST ".mmsim-files"

/* Second signal: remove the temporary files of the outputs being written (only
 * async-signal-safe calls). */
void outdir_unlink_pending(void);

/* Create (mkdir -p) the directory. Returns NULL and fills err on failure. Every file
 * committed is appended to the manifest; files are created with mode 0666 & ~umask. */
struct outdir *outdir_create(const char *path, char *err, size_t errlen);
void outdir_destroy(struct outdir *od);   /* removes leftover temporary files */
const char *outdir_path(const struct outdir *od);

/* Open a file (relative name, may include one subdirectory level, e.g.
 * "snapshots/0001-meminfo") for writing under a temporary name. */
FILE *outdir_open(struct outdir *od, const char *name);
/* Close and rename into place. Returns 0, or -1 (message on stderr) on a write error. */
int outdir_commit(struct outdir *od, FILE *f);
/* Close and delete a file opened with outdir_open (error paths). */
void outdir_abort(struct outdir *od, FILE *f);
/* Convenience: write a whole file through a callback. */
int outdir_write(struct outdir *od, const char *name, void (*fn)(FILE *f, void *arg), void *arg);

#endif
