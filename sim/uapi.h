/* uapi.h - Linux user-API constants used in op fields and by the syscall models
 * (values as in include/uapi/asm-generic/mman*.h, errno-base.h and mempolicy.h). */
#ifndef MMSIM_UAPI_H
#define MMSIM_UAPI_H

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_NORESERVE 0x4000
#define MAP_LOCKED 0x2000
#define MAP_POPULATE 0x8000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_HUGE_SHIFT 26            /* log2 of the huge page size (also MFD_, SHM_HUGE_) */
#define MAP_HUGE_MASK 0x3f

#define MFD_HUGETLB 0x0004U          /* memfd_create */
#define SHM_HUGETLB 04000            /* shmget */
#define SHM_NORESERVE 010000
#define IPC_RMID 0                   /* shmctl */

#define MLOCK_ONFAULT 1              /* mlock2 */
#define MCL_CURRENT 1                /* mlockall */
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

#define PR_SET_THP_DISABLE 41         /* prctl options */
#define PR_GET_THP_DISABLE 42

#define MADV_NORMAL 0
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_COLLAPSE 25

/* prctl options */
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4

#define MM_EPERM 1
#define MM_ENOENT 2
#define MM_ESRCH 3
#define MM_EIO 5
#define MM_EBADF 9
#define MM_EAGAIN 11
#define MM_ENOMEM 12
#define MM_EACCES 13
#define MM_EFAULT 14
#define MM_EBUSY 16
#define MM_EEXIST 17
#define MM_ENODEV 19
#define MM_EINVAL 22
#define MM_ENOSPC 28
#define MM_EIDRM 43
#define MM_EOPNOTSUPP 95

#endif
