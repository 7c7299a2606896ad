/* uapi_names.h - names of the Linux user-API constants that appear in traces: MAP_*,
 * PROT_*, O_*, MADV_*, MPOL_* (modes, mbind and get_mempolicy flags), CLONE_*, shmctl
 * commands, the THP prctl options, errno names. Values are the Linux x86-64/generic ABI
 * ones (facts from the uapi headers). Two spellings: strace's ("MAP_PRIVATE", flags
 * joined by "|") and .mmt's (lower case without the prefix: "private").
 *
 * A table is a list of {name, value, mask}; a value matches when (v & mask) == value,
 * so multi-bit fields (O_ACCMODE, MAP_TYPE) are named exactly. */
#ifndef MMSIM_TRACES_UAPI_NAMES_H
#define MMSIM_TRACES_UAPI_NAMES_H

#include "types.h"

struct uapi_sym {
	const char *name;           /* full name as strace prints it, e.g. "MAP_PRIVATE" */
	u64 value;
	u64 mask;                   /* 0: the same as value (a single flag) */
};

struct uapi_table {
	const char *prefix;         /* "MAP_": stripped and lower-cased in .mmt text */
	const struct uapi_sym *syms;
	unsigned nr;
	bool is_enum;               /* one value (MADV_*), not a flag set */
};

extern const struct uapi_table uapi_prot, uapi_map, uapi_open, uapi_madv, uapi_mpol_mode,
	uapi_mpol_mf, uapi_mpol_get, uapi_mremap, uapi_mfd, uapi_falloc, uapi_ipc, uapi_shm,
	uapi_shmctl, uapi_clone, uapi_prctl, uapi_msync, uapi_sync_file_range, uapi_mlock2,
	uapi_mcl;

enum uapi_style { UAPI_STRACE, UAPI_MMT };

/* Format v: names joined by "|", leftover bits as 0x..; "0" when v is 0 and no name
 * matches 0. Returns buf. */
char *uapi_format(const struct uapi_table *t, enum uapi_style style, u64 v, char *buf,
		  size_t len);
/* Parse names, numbers (C syntax: 0x.., 0..., decimal) and "|" joins in the given style;
 * in strace's style also "N<<MAP_HUGE_SHIFT" (MFD_, SHM_ likewise; or "N<<K").
 * Returns 0, or -1 with the first unknown name copied to bad. */
int uapi_parse(const struct uapi_table *t, enum uapi_style style, const char *s, u64 *v,
	       char *bad, size_t badlen);

/* errno name <-> number ("ENOMEM" <-> 12); NULL / -1 when unknown. */
const char *uapi_errno_name(int e);
int uapi_errno_from_name(const char *name);

#endif
