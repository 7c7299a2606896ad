/* op.h - one memory-relevant action of one thread.
 *
 * Workload generators and trace readers both produce struct op; the replay loop
 * (task/replay.c) does not know where its ops come from. Every op type is one row of
 * OP_TYPES so that its enum value, its trace-format name and its replay handler cannot
 * drift apart. Field use per type is documented in traces/FORMAT.md. */
#ifndef MMSIM_TASK_OP_H
#define MMSIM_TASK_OP_H

#include "types.h"
#include "uapi.h"

/* X(enum suffix, name used in .mmt text and reports) */
#define OP_TYPES(X)                                                                        \
	X(MMAP, "mmap")           /* addr len prot flags fd off; ret = address or -errno */    \
	X(MUNMAP, "munmap")       /* addr len */                                               \
	X(MPROTECT, "mprotect")   /* addr len prot */                                          \
	X(MREMAP, "mremap")       /* addr len -> len2 flags [addr2] */                         \
	X(MADVISE, "madvise")     /* addr len arg=advice */                                    \
	X(BRK, "brk")             /* addr = requested break; ret = new break */                \
	X(MBIND, "mbind")         /* addr len arg=mode nodemask flags */                       \
	X(SET_MEMPOLICY, "set_mempolicy") /* arg=mode nodemask flags */                        \
	X(SHMGET, "shmget")       /* id=key len flags; ret = shmid */                          \
	X(SHMAT, "shmat")         /* id=shmid addr flags; ret = address */                     \
	X(SHMDT, "shmdt")         /* addr */                                                   \
	X(MEMFD_CREATE, "memfd_create") /* path flags; ret = fd */                             \
	X(OPEN, "open")           /* path flags; ret = fd */                                   \
	X(CLOSE, "close")         /* fd */                                                     \
	X(READ, "read")           /* fd off len (off = ~0 means the file position) */          \
	X(WRITE, "write")         /* fd off len */                                             \
	X(FTRUNCATE, "ftruncate") /* fd len */                                                 \
	X(FALLOCATE, "fallocate") /* fd arg=mode off len */                                    \
	X(FORK, "fork")           /* id = child pid; new process, copy of the mm */            \
	X(CLONE, "clone")         /* id = child tid; new thread in the same mm */              \
	X(EXIT, "exit")           /* thread exit; the last thread of a process ends the mm */  \
	X(TOUCH, "touch")         /* addr len flags&TOUCH_WRITE: access every page once */     \
	X(COMPUTE, "compute")     /* ns of CPU work */                                         \
	X(SLEEP, "sleep")         /* ns off-CPU */                                             \
	X(SNAPSHOT, "snapshot")   /* arg = enum snapshot_file: write what the kernel shows */  \
	X(ALLOC_PAGES, "alloc_pages") /* arg=order flags=gfp-like node=nid; id = handle */     \
	X(FREE_PAGES, "free_pages")   /* id = handle from ALLOC_PAGES */                       \
	X(COMPACT_MEMORY, "compact_memory") /* node (-1 = all) */                             \
	X(SYSCTL, "sysctl")       /* path id=value: a number written to a /proc/sys or sysfs file */ \
	X(SHMCTL, "shmctl")       /* id=shmid arg=cmd (IPC_RMID 0; others not modelled) */    \
	X(GET_MEMPOLICY, "get_mempolicy") /* addr flags; recorded: arg=mode nodemask; ret */    \
	X(SET_MEMPOLICY_HOME_NODE, "set_mempolicy_home_node") /* addr len node flags */        \
	X(MIGRATE_PAGES, "migrate_pages") /* id=pid nodemask=old len2=new nodes; ret */        \
	X(MOVE_PAGES, "move_pages") /* id=pid addr=one page node=target (-1: query) flags; ret=status */ \
	X(SCHED_SETAFFINITY, "sched_setaffinity") /* id=tid (0: self) nodemask=CPU mask */     \
	X(PRCTL, "prctl")         /* arg=option id=value (PR_SET_THP_DISABLE ...) */          \
	X(OBSERVE, "observe")     /* recorded sample of the real process tree (mmsim record): */ \
	                          /* id=Rss kB len=Anonymous kB len2=Swap kB addr=minflt+majflt */ \
	                          /* of the tree, addr2=/proc/vmstat pgfault delta (whole host) */ \
	X(EXECVE, "execve")       /* path; ret 0 or -errno: a new, empty mm (same pid, fds) */ \
	X(UNLINK, "unlink")       /* path: a regular file's name goes (its inode with the last reference) */ \
	X(MM_TAKE_ALL_LOCKS, "mm_take_all_locks") /* ns = notifier setup with all locks held */ \
	X(FADVISE, "fadvise")     /* fd off len arg=advice (POSIX_FADV_*) */                  \
	X(FSTAT, "fstat")         /* fd len = st_size seen (the file existed that large) */   \
	X(LSEEK, "lseek")         /* fd off arg=whence; ret = new position */                   \
	X(PIPE, "pipe")           /* fd = read end, id = write end (pipe, pipe2); ret 0 */    \
	X(WAIT4, "wait4")         /* id = pid asked for (0: any); ret = pid reaped or -errno */ \
	X(FSYNC, "fsync")         /* fd flags&FSYNC_F_DATASYNC: fsync or fdatasync */          \
	X(MSYNC, "msync")         /* addr len flags=MS_* */                                    \
	X(SYNC_FILE_RANGE, "sync_file_range") /* fd off len flags=SYNC_FILE_RANGE_* */        \
	X(SYNC, "sync")           /* fd = -1: sync(); else syncfs(fd) */                        \
	X(MLOCK, "mlock")         /* addr len flags (MLOCK_ONFAULT: mlock2); ret */            \
	X(MUNLOCK, "munlock")     /* addr len; ret */                                          \
	X(MLOCKALL, "mlockall")   /* flags (MCL_*); ret */                                     \
	X(MUNLOCKALL, "munlockall") /* ret */                                                   \
	X(DUP, "dup")             /* fd = old fd, id = new fd; ret = the new fd (dup, dup2, dup3, F_DUPFD) */ \
	X(KILL, "kill")           /* id = target pid (tgid; 0: a group) arg = signal; ret (kill, tkill, tgkill) */ \
	X(SIGNAL, "signal")       /* delivery: arg = signal, id = sender pid (si_pid) flags = SIGNAL_F_* */

enum op_type {
	OP_NONE = 0,
#define OP_ENUM(e, n) OP_##e,
	OP_TYPES(OP_ENUM)
#undef OP_ENUM
	NR_OP_TYPES
};

/* op.flags bits for OP_TOUCH; TOUCH_POPULATE: the touch is a MADV_POPULATE_* call of an
 * imported trace, which ends with the CPU's LRU batches drained (as 6.18's populate) */
#define TOUCH_WRITE 0x1u
#define TOUCH_POPULATE 0x2u

/* op.flags bits for OP_FORK: vfork (the parent waits until the child execs or exits) and
 * CLONE_VM without CLONE_THREAD (the child process shares the parent's mm). */
#define FORK_F_VFORK 0x1u
#define FORK_F_VM 0x2u

/* op.flags bits for OP_FSYNC */
#define FSYNC_F_DATASYNC 0x1u

/* op.flags bits for OP_SYSCTL: the value written is a word, not a number: op.id is an
 * enum sysctl_word (the THP sysfs files take "always", "madvise", "defer+madvise", ...). */
#define SYSCTL_F_WORD 0x1u

/* Words written to sysctl/sysfs files. The values are part of the trace format: new words
 * are appended, never renumbered (traces/FORMAT.md). */
#define SYSCTL_WORDS(X)                                                                     \
	X(ALWAYS, "always")                                                                 \
	X(MADVISE, "madvise")                                                               \
	X(NEVER, "never")                                                                   \
	X(DEFER, "defer")                                                                   \
	X(DEFER_MADVISE, "defer+madvise")                                                   \
	X(WITHIN_SIZE, "within_size")                                                       \
	X(ADVISE, "advise")                                                                 \
	X(DENY, "deny")                                                                     \
	X(FORCE, "force")

enum sysctl_word {
#define SYSCTL_WORD_ENUM(e, n) SYSCTL_WORD_##e,
	SYSCTL_WORDS(SYSCTL_WORD_ENUM)
#undef SYSCTL_WORD_ENUM
	NR_SYSCTL_WORDS
};

/* op.flags bits for OP_ALLOC_PAGES: the request's kind, as a GFP mask would say it.
 * None set: an unmovable kernel allocation that may sleep (GFP_KERNEL). */
#define ALLOC_F_MOVABLE 0x01u        /* user/page-cache memory (__GFP_MOVABLE) */
#define ALLOC_F_RECLAIMABLE 0x02u    /* reclaimable slab (__GFP_RECLAIMABLE) */
#define ALLOC_F_ATOMIC 0x04u         /* cannot sleep, may use reserves (GFP_ATOMIC) */
#define ALLOC_F_NORETRY 0x08u        /* one light attempt (__GFP_NORETRY) */
#define ALLOC_F_RETRY_MAYFAIL 0x10u  /* retry hard, never OOM-kill (__GFP_RETRY_MAYFAIL) */
#define ALLOC_F_THISNODE 0x20u       /* only op.node (__GFP_THISNODE) */
#define ALLOC_F_NOWAIT 0x40u         /* no direct reclaim or compaction (GFP_NOWAIT) */
#define ALLOC_F_MEASURE 0x80u        /* record time, latency and result (highalloc.csv) */
#define ALLOC_F_ALL 0xffu

/* op.flags of OP_SIGNAL: who raised it (strace's si_code) */
#define SIGNAL_F_USER 0x01u          /* kill/tkill/tgkill/sigqueue (SI_USER, SI_TKILL, SI_QUEUE) */
#define SIGNAL_F_CHILD 0x02u         /* SIGCHLD of a child's exit (CLD_EXITED/KILLED/DUMPED) */
#define SIGNAL_F_TRACED 0x04u        /* the sender (id) is a process of the recording */

/* op.ret when the source recorded no result */
#define OP_RET_NONE INT64_MIN

struct op {
	enum op_type type;
	u32 pid, tid;       /* recorded ids (generators: their own numbering) */
	u64 time_ns;        /* recorded start time of the op, relative to the trace start; 0 if unknown */
	u64 think_ns;       /* idle time before this op (closed-loop replay) */
	s64 ret;            /* recorded result (address, fd, id, -errno) or OP_RET_NONE */
	u64 addr, len;      /* range */
	u64 addr2, len2;    /* second range (mremap new address/length) */
	u64 off;            /* file offset */
	u64 nodemask;       /* nodes 0..63 (mbind, set_mempolicy) */
	u64 id;             /* key, shmid, child pid/tid, alloc handle */
	u64 ns;             /* duration of COMPUTE/SLEEP */
	u32 prot, flags;    /* PROT_* and MAP_*, or per-type flags */
	u32 arg;            /* advice, mempolicy mode, order, snapshot file ... */
	s32 fd;
	s32 node;           /* node argument (ALLOC_PAGES, COMPACT_MEMORY); -1 = any */
	const char *path;   /* borrowed from the source until its next op; NULL if none */
	u64 src_line;       /* line of the log the op was imported from (strace: the call's */
	                    /* first line; .mmt: its record line); 0 when unknown */
};

const char *op_type_name(enum op_type t);
/* Returns OP_NONE when the name is unknown. */
enum op_type op_type_from_name(const char *name);
/* "always" <-> SYSCTL_WORD_ALWAYS ...; NULL / -1 when unknown. The name is matched
 * exactly (case-sensitive, as the kernel's sysfs parsers do after trimming whitespace). */
const char *sysctl_word_name(unsigned w);
int sysctl_word_from_name(const char *name, size_t len);
/* Initialise an op of a given type with neutral field values (ret = OP_RET_NONE, fd = -1,
 * node = -1). Inline: the trace decoders call it per record, and a compound literal
 * compiles to a few stores where an out-of-line memset was a call per op. */
static inline void op_init(struct op *op, enum op_type type)
{
	/* A copy of a constant: GCC makes it nine vector stores, where the struct literal
	 * became a `rep stos` slow to start (2-3% of a generated fault's time). */
	static const struct op neutral = { .ret = OP_RET_NONE, .fd = -1, .node = -1 };
	__builtin_memcpy(op, &neutral, sizeof(*op));
	op->type = type;
}

#endif
