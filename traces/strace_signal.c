/* strace_signal.c - see strace_signal.h. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "task/op.h"
#include "traces/strace_signal.h"

static const char *const sig_names[] = {
	[1] = "HUP",   [2] = "INT",   [3] = "QUIT",  [4] = "ILL",     [5] = "TRAP",
	[6] = "ABRT",  [7] = "BUS",   [8] = "FPE",   [9] = "KILL",    [10] = "USR1",
	[11] = "SEGV", [12] = "USR2", [13] = "PIPE", [14] = "ALRM",   [15] = "TERM",
	[16] = "STKFLT", [17] = "CHLD", [18] = "CONT", [19] = "STOP", [20] = "TSTP",
	[21] = "TTIN", [22] = "TTOU", [23] = "URG",  [24] = "XCPU",   [25] = "XFSZ",
	[26] = "VTALRM", [27] = "PROF", [28] = "WINCH", [29] = "IO",  [30] = "PWR",
	[31] = "SYS",
};

int strace_signal_number(const char *name, size_t len)
{
	if (len && isdigit((unsigned char)name[0])) {
		int v = 0;
		for (size_t i = 0; i < len; i++) {
			if (!isdigit((unsigned char)name[i]) || v > 64)
				return -1;
			v = v * 10 + (name[i] - '0');
		}
		return v <= 64 ? v : -1;
	}
	if (len < 4 || strncmp(name, "SIG", 3))
		return -1;
	name += 3;
	len -= 3;
	for (int i = 1; i < (int)(sizeof(sig_names) / sizeof(sig_names[0])); i++)
		if (strlen(sig_names[i]) == len && !strncmp(sig_names[i], name, len))
			return i;
	if (len == 3 && !strncmp(name, "IOT", 3))
		return 6;
	if (len == 3 && !strncmp(name, "CLD", 3))
		return 17;
	if (len == 4 && !strncmp(name, "POLL", 4))
		return 29;
	if (len == 5 && !strncmp(name, "RTMIN", 5))
		return 32;
	if (len > 3 && !strncmp(name, "RT_", 3)) {
		int n = strace_signal_number(name + 3, len - 3);
		return n >= 0 && n <= 32 ? 32 + n : -1;
	}
	return -1;
}

/* the value of "key=" in the braces, up to ',' or '}' */
static const char *field(const char *p, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *q = strstr(p, key); q; q = strstr(q + 1, key)) {
		if (q[kl] != '=' || (q != p && q[-1] != '{' && q[-1] != ' '))
			continue;
		const char *v = q + kl + 1, *e = v;
		while (*e && *e != ',' && *e != '}')
			e++;
		*len = (size_t)(e - v);
		return v;
	}
	return NULL;
}

int strace_signal_line(const char *p, struct strace_signal *out)
{
	const char *e = p;
	while (*e && *e != ' ')
		e++;
	int sig = strace_signal_number(p, (size_t)(e - p));
	if (sig <= 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sig = (u32)sig;
	size_t cl, pl;
	const char *code = field(e, "si_code", &cl);
	const char *pid = field(e, "si_pid", &pl);
	u32 sender = pid ? (u32)strtoul(pid, NULL, 10) : 0;
	if (!code)
		return 0;
#define CODE(s) (cl == sizeof(s) - 1 && !strncmp(code, s, cl))
	/* strace -X raw prints the code as a number: SI_USER 0, SI_QUEUE -1, SI_TKILL -6;
	 * for SIGCHLD, CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3 */
	long num = 0;
	bool numeric = isdigit((unsigned char)code[0]) || code[0] == '-';
	if (numeric)
		num = strtol(code, NULL, 0);
	if (numeric ? (num == 0 || num == -1 || num == -6) :
	    (CODE("SI_USER") || CODE("SI_TKILL") || CODE("SI_QUEUE"))) {
		out->flags = SIGNAL_F_USER;
		out->sender = sender;
	} else if (numeric && sig == 17 && num >= 1 && num <= 3) {
		out->flags = SIGNAL_F_USER;
		out->sender = sender;
	} else if (CODE("CLD_EXITED") || CODE("CLD_KILLED") || CODE("CLD_DUMPED")) {
		out->flags = SIGNAL_F_CHILD;
		out->sender = sender;
	}
#undef CODE
	return 0;
}
