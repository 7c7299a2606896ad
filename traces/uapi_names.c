/* uapi_names.c - tables of Linux user-API constant names (values from the uapi headers). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "uapi.h"
#include "traces/uapi_names.h"

#define T(pfx, arr, en) { pfx, arr, ARRAY_SIZE(arr), en }

static const struct uapi_sym prot_syms[] = {
	{ "PROT_NONE", 0, 0 },      { "PROT_READ", 0x1, 0 },     { "PROT_WRITE", 0x2, 0 },
	{ "PROT_EXEC", 0x4, 0 },    { "PROT_SEM", 0x8, 0 },      { "PROT_GROWSDOWN", 0x01000000, 0 },
	{ "PROT_GROWSUP", 0x02000000, 0 },
};
const struct uapi_table uapi_prot = T("PROT_", prot_syms, false);

#define HUGE(n, shift) { "MAP_HUGE_" n, (u64)(shift) << 26, 0x3fULL << 26 }
static const struct uapi_sym map_syms[] = {
	{ "MAP_SHARED", 0x01, 0x0f },   { "MAP_PRIVATE", 0x02, 0x0f },
	{ "MAP_SHARED_VALIDATE", 0x03, 0x0f },
	{ "MAP_FIXED", 0x10, 0 },       { "MAP_ANONYMOUS", 0x20, 0 },   { "MAP_32BIT", 0x40, 0 },
	{ "MAP_GROWSDOWN", 0x100, 0 },  { "MAP_DENYWRITE", 0x800, 0 },  { "MAP_EXECUTABLE", 0x1000, 0 },
	{ "MAP_LOCKED", 0x2000, 0 },    { "MAP_NORESERVE", 0x4000, 0 }, { "MAP_POPULATE", 0x8000, 0 },
	{ "MAP_NONBLOCK", 0x10000, 0 }, { "MAP_STACK", 0x20000, 0 },    { "MAP_HUGETLB", 0x40000, 0 },
	{ "MAP_SYNC", 0x80000, 0 },     { "MAP_FIXED_NOREPLACE", 0x100000, 0 },
	HUGE("64KB", 16), HUGE("512KB", 19), HUGE("1MB", 20), HUGE("2MB", 21), HUGE("8MB", 23),
	HUGE("16MB", 24), HUGE("32MB", 25), HUGE("256MB", 28), HUGE("512MB", 29), HUGE("1GB", 30),
	HUGE("2GB", 31), HUGE("16GB", 34),
};
const struct uapi_table uapi_map = T("MAP_", map_syms, false);

static const struct uapi_sym mlock2_syms[] = { { "MLOCK_ONFAULT", 1, 0 } };
const struct uapi_table uapi_mlock2 = T("MLOCK_", mlock2_syms, false);

static const struct uapi_sym mcl_syms[] = {
	{ "MCL_CURRENT", 1, 0 }, { "MCL_FUTURE", 2, 0 }, { "MCL_ONFAULT", 4, 0 },
};
const struct uapi_table uapi_mcl = T("MCL_", mcl_syms, false);

static const struct uapi_sym open_syms[] = {
	{ "O_RDONLY", 0, 03 },          { "O_WRONLY", 01, 03 },         { "O_RDWR", 02, 03 },
	{ "O_CREAT", 0100, 0 },         { "O_EXCL", 0200, 0 },          { "O_NOCTTY", 0400, 0 },
	{ "O_TRUNC", 01000, 0 },        { "O_APPEND", 02000, 0 },       { "O_NONBLOCK", 04000, 0 },
	{ "O_SYNC", 04010000, 0 },      { "O_DSYNC", 010000, 0 },       { "O_ASYNC", 020000, 0 },
	{ "O_DIRECT", 040000, 0 },      { "O_LARGEFILE", 0100000, 0 },
	{ "O_TMPFILE", 020200000, 0 },  { "O_DIRECTORY", 0200000, 0 },
	{ "O_NOFOLLOW", 0400000, 0 },   { "O_NOATIME", 01000000, 0 },   { "O_CLOEXEC", 02000000, 0 },
	{ "O_PATH", 010000000, 0 },
};
const struct uapi_table uapi_open = T("O_", open_syms, false);

static const struct uapi_sym madv_syms[] = {
	{ "MADV_NORMAL", 0, 0 },        { "MADV_RANDOM", 1, 0 },        { "MADV_SEQUENTIAL", 2, 0 },
	{ "MADV_WILLNEED", 3, 0 },      { "MADV_DONTNEED", 4, 0 },      { "MADV_FREE", 8, 0 },
	{ "MADV_REMOVE", 9, 0 },        { "MADV_DONTFORK", 10, 0 },     { "MADV_DOFORK", 11, 0 },
	{ "MADV_MERGEABLE", 12, 0 },    { "MADV_UNMERGEABLE", 13, 0 },  { "MADV_HUGEPAGE", 14, 0 },
	{ "MADV_NOHUGEPAGE", 15, 0 },   { "MADV_DONTDUMP", 16, 0 },     { "MADV_DODUMP", 17, 0 },
	{ "MADV_WIPEONFORK", 18, 0 },   { "MADV_KEEPONFORK", 19, 0 },   { "MADV_COLD", 20, 0 },
	{ "MADV_PAGEOUT", 21, 0 },      { "MADV_POPULATE_READ", 22, 0 },
	{ "MADV_POPULATE_WRITE", 23, 0 }, { "MADV_DONTNEED_LOCKED", 24, 0 },
	{ "MADV_COLLAPSE", 25, 0 },     { "MADV_HWPOISON", 100, 0 },    { "MADV_SOFT_OFFLINE", 101, 0 },
};
const struct uapi_table uapi_madv = T("MADV_", madv_syms, true);

/* The mode is in the low bits, the MPOL_F_* flags above it (as set_mempolicy takes them). */
static const struct uapi_sym mpol_syms[] = {
	{ "MPOL_DEFAULT", 0, 0xff },    { "MPOL_PREFERRED", 1, 0xff },  { "MPOL_BIND", 2, 0xff },
	{ "MPOL_INTERLEAVE", 3, 0xff }, { "MPOL_LOCAL", 4, 0xff },     { "MPOL_PREFERRED_MANY", 5, 0xff },
	{ "MPOL_WEIGHTED_INTERLEAVE", 6, 0xff },
	{ "MPOL_F_STATIC_NODES", 0x8000, 0 }, { "MPOL_F_RELATIVE_NODES", 0x4000, 0 },
	{ "MPOL_F_NUMA_BALANCING", 0x2000, 0 },
};
const struct uapi_table uapi_mpol_mode = T("MPOL_", mpol_syms, false);

static const struct uapi_sym mpol_mf_syms[] = {
	{ "MPOL_MF_STRICT", 1, 0 }, { "MPOL_MF_MOVE", 2, 0 }, { "MPOL_MF_MOVE_ALL", 4, 0 },
};
const struct uapi_table uapi_mpol_mf = T("MPOL_MF_", mpol_mf_syms, false);

/* get_mempolicy flags */
static const struct uapi_sym mpol_get_syms[] = {
	{ "MPOL_F_NODE", 1, 0 }, { "MPOL_F_ADDR", 2, 0 }, { "MPOL_F_MEMS_ALLOWED", 4, 0 },
};
const struct uapi_table uapi_mpol_get = T("MPOL_F_", mpol_get_syms, false);

static const struct uapi_sym mremap_syms[] = {
	{ "MREMAP_MAYMOVE", 1, 0 }, { "MREMAP_FIXED", 2, 0 }, { "MREMAP_DONTUNMAP", 4, 0 },
};
const struct uapi_table uapi_mremap = T("MREMAP_", mremap_syms, false);

static const struct uapi_sym mfd_syms[] = {
	{ "MFD_CLOEXEC", 1, 0 },        { "MFD_ALLOW_SEALING", 2, 0 },  { "MFD_HUGETLB", 4, 0 },
	{ "MFD_NOEXEC_SEAL", 8, 0 },    { "MFD_EXEC", 0x10, 0 },
	{ "MFD_HUGE_2MB", 21ULL << 26, 0x3fULL << 26 }, { "MFD_HUGE_1GB", 30ULL << 26, 0x3fULL << 26 },
};
const struct uapi_table uapi_mfd = T("MFD_", mfd_syms, false);

static const struct uapi_sym falloc_syms[] = {
	{ "FALLOC_FL_KEEP_SIZE", 1, 0 },      { "FALLOC_FL_PUNCH_HOLE", 2, 0 },
	{ "FALLOC_FL_NO_HIDE_STALE", 4, 0 },  { "FALLOC_FL_COLLAPSE_RANGE", 8, 0 },
	{ "FALLOC_FL_ZERO_RANGE", 0x10, 0 },  { "FALLOC_FL_INSERT_RANGE", 0x20, 0 },
	{ "FALLOC_FL_UNSHARE_RANGE", 0x40, 0 },
};
const struct uapi_table uapi_falloc = T("FALLOC_FL_", falloc_syms, false);

static const struct uapi_sym msync_syms[] = {
	{ "MS_ASYNC", 1, 0 }, { "MS_INVALIDATE", 2, 0 }, { "MS_SYNC", 4, 0 },
};
const struct uapi_table uapi_msync = T("MS_", msync_syms, false);

static const struct uapi_sym sfr_syms[] = {
	{ "SYNC_FILE_RANGE_WAIT_BEFORE", 1, 0 }, { "SYNC_FILE_RANGE_WRITE", 2, 0 },
	{ "SYNC_FILE_RANGE_WAIT_AFTER", 4, 0 },
};
const struct uapi_table uapi_sync_file_range = T("SYNC_FILE_RANGE_", sfr_syms, false);

/* shmget flags (the low nine bits are the mode, printed as a number) */
static const struct uapi_sym ipc_syms[] = {
	{ "IPC_CREAT", 01000, 0 },  { "IPC_EXCL", 02000, 0 },  { "SHM_HUGETLB", 04000, 0 },
	{ "SHM_NORESERVE", 010000, 0 },
	{ "SHM_HUGE_2MB", 21ULL << 26, 0x3fULL << 26 }, { "SHM_HUGE_1GB", 30ULL << 26, 0x3fULL << 26 },
};
const struct uapi_table uapi_ipc = T("", ipc_syms, false);

/* shmctl commands: one command in the low byte; strace may add IPC_64 (the new
 * structure layout), which the kernel strips before looking at the command. */
static const struct uapi_sym shmctl_syms[] = {
	{ "IPC_RMID", 0, 0xff },   { "IPC_SET", 1, 0xff },     { "IPC_STAT", 2, 0xff },
	{ "IPC_INFO", 3, 0xff },   { "SHM_LOCK", 11, 0xff },   { "SHM_UNLOCK", 12, 0xff },
	{ "SHM_STAT", 13, 0xff },  { "SHM_INFO", 14, 0xff },   { "SHM_STAT_ANY", 15, 0xff },
	{ "IPC_64", 0x100, 0 },
};
const struct uapi_table uapi_shmctl = T("", shmctl_syms, false);

static const struct uapi_sym shm_syms[] = {
	{ "SHM_RDONLY", 010000, 0 }, { "SHM_RND", 020000, 0 }, { "SHM_REMAP", 040000, 0 },
	{ "SHM_EXEC", 0100000, 0 },
};
const struct uapi_table uapi_shm = T("SHM_", shm_syms, false);

static const struct uapi_sym clone_syms[] = {
	{ "CLONE_VM", 0x100, 0 },            { "CLONE_FS", 0x200, 0 },
	{ "CLONE_FILES", 0x400, 0 },         { "CLONE_SIGHAND", 0x800, 0 },
	{ "CLONE_PIDFD", 0x1000, 0 },        { "CLONE_PTRACE", 0x2000, 0 },
	{ "CLONE_VFORK", 0x4000, 0 },        { "CLONE_PARENT", 0x8000, 0 },
	{ "CLONE_THREAD", 0x10000, 0 },      { "CLONE_NEWNS", 0x20000, 0 },
	{ "CLONE_SYSVSEM", 0x40000, 0 },     { "CLONE_SETTLS", 0x80000, 0 },
	{ "CLONE_PARENT_SETTID", 0x100000, 0 }, { "CLONE_CHILD_CLEARTID", 0x200000, 0 },
	{ "CLONE_DETACHED", 0x400000, 0 },   { "CLONE_UNTRACED", 0x800000, 0 },
	{ "CLONE_CHILD_SETTID", 0x1000000, 0 }, { "CLONE_NEWCGROUP", 0x2000000, 0 },
	{ "CLONE_NEWUTS", 0x4000000, 0 },    { "CLONE_NEWIPC", 0x8000000, 0 },
	{ "CLONE_NEWUSER", 0x10000000, 0 },  { "CLONE_NEWPID", 0x20000000, 0 },
	{ "CLONE_NEWNET", 0x40000000, 0 },   { "CLONE_IO", 0x80000000ULL, 0 },
	/* the exit signal in the low byte */
	{ "SIGCHLD", 17, 0xff },
};
const struct uapi_table uapi_clone = T("CLONE_", clone_syms, false);

/* prctl options the importer keeps (the THP ones); any other option is dropped by name */
static const struct uapi_sym prctl_syms[] = {
	{ "PR_SET_THP_DISABLE", PR_SET_THP_DISABLE, 0 },
	{ "PR_GET_THP_DISABLE", PR_GET_THP_DISABLE, 0 },
};
const struct uapi_table uapi_prctl = T("PR_", prctl_syms, true);

static size_t prefix_len(const struct uapi_table *t, const char *name)
{
	size_t n = strlen(t->prefix);
	return strncmp(name, t->prefix, n) == 0 ? n : 0;
}

/* Append s to buf at *pos (truncating safely). */
static void put(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos < len) {
		size_t room = len - *pos - 1;
		memcpy(buf + *pos, s, n < room ? n : room);
		buf[*pos + (n < room ? n : room)] = '\0';
	}
	*pos += n;
}

static void put_name(char *buf, size_t len, size_t *pos, const struct uapi_table *t,
		     enum uapi_style style, const char *name)
{
	if (style == UAPI_STRACE) {
		put(buf, len, pos, name);
		return;
	}
	char low[64];
	const char *s = name + prefix_len(t, name);
	size_t i = 0;
	for (; s[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	put(buf, len, pos, low);
}

char *uapi_format(const struct uapi_table *t, enum uapi_style style, u64 v, char *buf, size_t len)
{
	size_t pos = 0;
	u64 left = v;
	bool any = false;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < t->nr; i++) {
		const struct uapi_sym *s = &t->syms[i];
		u64 mask = s->mask ? s->mask : s->value;
		bool match;
		if (t->is_enum)
			match = v == s->value;
		else if (!mask)
			match = v == 0;
		else
			match = (left & mask) == s->value && (s->value || (v & mask) == 0);
		if (!match)
			continue;
		if (any)
			put(buf, len, &pos, "|");
		put_name(buf, len, &pos, t, style, s->name);
		any = true;
		left &= ~mask;
		if (t->is_enum || !mask)
			return buf;
	}
	if (t->is_enum && !any)
		left = v;
	if (left || !any) {
		char num[24];
		snprintf(num, sizeof(num), left < 10 ? "%llu" : "0x%llx", (unsigned long long)left);
		if (any)
			put(buf, len, &pos, "|");
		put(buf, len, &pos, num);
	}
	return buf;
}

static bool name_eq(const struct uapi_table *t, enum uapi_style style, const char *full,
		    const char *s, size_t n)
{
	if (style == UAPI_STRACE)
		return strlen(full) == n && strncmp(full, s, n) == 0;
	const char *short_name = full + prefix_len(t, full);
	if (strlen(short_name) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)short_name[i]) != s[i])
			return false;
	return true;
}

/* The right side of strace's "N<<NAME" (a page size encoded in the MAP_HUGE_*, MFD_HUGE_*
 * and SHM_HUGE_* bits, printed as "21<<MAP_HUGE_SHIFT" when strace has no name for it):
 * the shift, or -1. */
static int shift_value(const char *s)
{
	static const char *const huge_shift[] = { "MAP_HUGE_SHIFT", "MFD_HUGE_SHIFT",
						  "SHM_HUGE_SHIFT" };
	for (size_t i = 0; i < ARRAY_SIZE(huge_shift); i++)
		if (!strcmp(s, huge_shift[i]))
			return MAP_HUGE_SHIFT;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	return *end == '\0' && v < 64 ? (int)v : -1;
}

int uapi_parse(const struct uapi_table *t, enum uapi_style style, const char *s, u64 *v,
	       char *bad, size_t badlen)
{
	u64 acc = 0;
	const char *p = s;

	for (;;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		bool ok = false;
		if (n && isdigit((unsigned char)p[0])) {
			char num[32], *end;
			if (n < sizeof(num)) {
				memcpy(num, p, n);
				num[n] = '\0';
				errno = 0;
				u64 x = strtoull(num, &end, 0);
				if (*end == '\0' && errno == 0) {
					acc |= x;
					ok = true;
				} else if (style == UAPI_STRACE && errno == 0 && !strncmp(end, "<<", 2)) {
					int sh = shift_value(end + 2);
					if (sh >= 0 && (sh == 0 || x >> (64 - sh) == 0)) {
						acc |= x << sh;
						ok = true;
					}
				}
			}
		}
		if (!ok) {   /* names may begin with a digit: "32bit" (MAP_32BIT) */
			for (unsigned i = 0; i < t->nr && !ok; i++)
				if (name_eq(t, style, t->syms[i].name, p, n)) {
					acc |= t->syms[i].value;
					ok = true;
				}
		}
		if (!ok) {
			if (badlen) {
				size_t m = n < badlen - 1 ? n : badlen - 1;
				memcpy(bad, p, m);
				bad[m] = '\0';
			}
			return -1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	*v = acc;
	return 0;
}

static const char *const errno_names[] = {
	[1] = "EPERM",    [2] = "ENOENT",   [3] = "ESRCH",    [4] = "EINTR",    [5] = "EIO",
	[6] = "ENXIO",    [7] = "E2BIG",    [8] = "ENOEXEC",  [9] = "EBADF",    [10] = "ECHILD",
	[11] = "EAGAIN",  [12] = "ENOMEM",  [13] = "EACCES",  [14] = "EFAULT",  [15] = "ENOTBLK",
	[16] = "EBUSY",   [17] = "EEXIST",  [18] = "EXDEV",   [19] = "ENODEV",  [20] = "ENOTDIR",
	[21] = "EISDIR",  [22] = "EINVAL",  [23] = "ENFILE",  [24] = "EMFILE",  [25] = "ENOTTY",
	[26] = "ETXTBSY", [27] = "EFBIG",   [28] = "ENOSPC",  [29] = "ESPIPE",  [30] = "EROFS",
	[31] = "EMLINK",  [32] = "EPIPE",   [33] = "EDOM",    [34] = "ERANGE",  [35] = "EDEADLK",
	[36] = "ENAMETOOLONG", [37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP",
	[61] = "ENODATA", [75] = "EOVERFLOW", [95] = "EOPNOTSUPP", [110] = "ETIMEDOUT",
	[512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR", [514] = "ERESTARTNOHAND",
	[516] = "ERESTART_RESTARTBLOCK",
};

const char *uapi_errno_name(int e)
{
	return e > 0 && (size_t)e < ARRAY_SIZE(errno_names) ? errno_names[e] : NULL;
}

int uapi_errno_from_name(const char *name)
{
	for (size_t i = 1; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i] && strcmp(errno_names[i], name) == 0)
			return (int)i;
	return -1;
}
