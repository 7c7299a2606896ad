/* units.h - numbers with units, as users write them in scenarios and --set.
 *
 * Sizes (bytes):  "4096" (plain bytes), "512B"; binary "4KiB" "2MiB" "4GiB" "1TiB" (also
 *                 PiB, EiB; "K" "M" "G" "T" "P" "E" mean the same); decimal "4KB" or "4kB",
 *                 "2MB" "1GB" "1TB" "1PB" "1EB" (powers of 1000).
 * Times (ns):     "100ns", "5us" (or "5µs"), "10ms", "2s"; "0" needs no unit.
 * Bandwidths:     a size followed by "/s": "500MiB/s", "2GB/s"; "0" needs no unit.
 * Decimals are exact ("1.5ms" = 1500000 ns, "1.5KiB" = 1536 bytes) and must come out as a
 * whole number of the base unit ("1.5ns" is an error). Blanks between the number and the
 * unit are allowed; signs, exponents and digit separators are not.
 *
 * Every parser returns 0 on success. On failure it returns -1 and writes the reason to
 * reason ("negative sizes are not allowed"; "" when the text simply is not of that form):
 * the caller says what it expected, e.g. `expected a size like 4KiB or 2MiB, got "x": ...`. */
#ifndef MMSIM_CONFIG_UNITS_H
#define MMSIM_CONFIG_UNITS_H

#include "types.h"

int units_parse_u64(const char *s, u64 *out, char *reason, size_t len);
int units_parse_size(const char *s, u64 *bytes, char *reason, size_t len);
int units_parse_time(const char *s, u64 *ns, char *reason, size_t len);
int units_parse_bw(const char *s, u64 *bytes_per_s, char *reason, size_t len);
/* A finite decimal number ("0.25", "-3", "1e-3"). */
int units_parse_double(const char *s, double *out, char *reason, size_t len);

/* Shortest exact spelling that the parsers read back to the same value: "0", "4KiB",
 * "2GB/s", "4097", "1500us", "0.1". */
void units_format_size(u64 bytes, char *buf, size_t len);
void units_format_time(u64 ns, char *buf, size_t len);
void units_format_bw(u64 bytes_per_s, char *buf, size_t len);
void units_format_double(double v, char *buf, size_t len);

#endif
