/* host_limits.h - the host memory a scenario's machine needs, checked before it is built.
 *
 * A machine whose descriptors cannot fit in the host's memory is refused up front (exit 2,
 * bad input) with the estimate and the limit, instead of the OS killing mmsim part-way
 * through building it. The limit is the host's MemAvailable (/proc/meminfo), or --max-memory
 * when that is smaller. MMSIM_HOST_AVAILABLE (a size such as "16GiB") replaces MemAvailable:
 * tests use it so that their messages do not depend on the host they run on. */
#ifndef MMSIM_HOST_LIMITS_H
#define MMSIM_HOST_LIMITS_H

#include <stddef.h>
#include "config/scenario.h"

/* Bytes of host memory the machine's representation takes (see the formula in the .c). */
u64 host_machine_estimate(const struct scenario *scn);

/* Available host memory in bytes (MMSIM_HOST_AVAILABLE, else MemAvailable); 0 when neither
 * can be read. -1 with a message in err when MMSIM_HOST_AVAILABLE is not a size. */
int host_available(u64 *bytes, char *err, size_t len);

/* 0 when the machine fits in min(available, max_memory) (max_memory 0: none); else -1 with
 * the message ("FILE: machine.nodes x machine.memory_per_node = 64TiB needs about ...") in
 * err. */
int host_limits_check(const struct scenario *scn, u64 max_memory, char *err, size_t len);

/* "about 1.2 GiB" (what mmsim validate prints). */
void host_format_approx(u64 bytes, char *buf, size_t len);

#endif
