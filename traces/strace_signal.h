/* strace_signal.h - signals in strace logs: names (the Linux x86-64/generic numbers) and
 * the "--- SIGxxx {si_signo=..., si_code=..., si_pid=N, ...} ---" delivery lines. */
#ifndef MMSIM_TRACES_STRACE_SIGNAL_H
#define MMSIM_TRACES_STRACE_SIGNAL_H

#include <stddef.h>
#include "types.h"

/* "SIGUSR1" -> 10, "SIGRT_3" -> 35, "SIGRTMIN" -> 32, a decimal number as itself (0..64);
 * -1 when unknown. */
int strace_signal_number(const char *name, size_t len);

struct strace_signal {
	u32 sig;
	u32 flags;                  /* SIGNAL_F_USER or SIGNAL_F_CHILD (or none: the kernel) */
	u32 sender;                 /* si_pid of a user or child signal, else 0 */
};

/* p points after "--- ". Returns 0 with *out filled, -1 when the line is not a
 * delivery line of a known signal. */
int strace_signal_line(const char *p, struct strace_signal *out);

#endif
