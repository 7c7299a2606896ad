/* gfp.h - allocation request flags (models include/linux/gfp_types.h, 6.1).
 * Only the bits the allocator model acts on exist; their meaning is the kernel's:
 * which migratetype a request belongs to, whether it may sleep (direct reclaim and
 * compaction), wake kswapd, dip into reserves, retry, or stay on one node. */
#ifndef MMSIM_MM_GFP_H
#define MMSIM_MM_GFP_H

#include "types.h"

typedef unsigned int gfp_t;

#define __GFP_DMA32 0x0001u            /* highest zone DMA32 */
#define __GFP_MOVABLE 0x0002u          /* MIGRATE_MOVABLE; highest zone MOVABLE (= NORMAL here) */
#define __GFP_RECLAIMABLE 0x0004u      /* MIGRATE_RECLAIMABLE */
#define __GFP_HIGH 0x0008u             /* may use part of the min reserve */
#define __GFP_DIRECT_RECLAIM 0x0010u   /* may sleep: direct reclaim and compaction */
#define __GFP_KSWAPD_RECLAIM 0x0020u   /* wake kswapd when below the low watermark */
#define __GFP_NORETRY 0x0040u          /* one light attempt at reclaim/compaction */
#define __GFP_RETRY_MAYFAIL 0x0080u    /* retry hard, but fail rather than OOM-kill */
#define __GFP_THISNODE 0x0200u         /* only the preferred node, no fallback */
#define __GFP_COMP 0x0400u             /* compound page */
#define __GFP_ZERO 0x0800u             /* zeroed */
#define __GFP_NOWARN 0x1000u
#define __GFP_MEMALLOC 0x2000u         /* ignore watermarks (reclaim's own allocations) */
#define __GFP_HARDWALL 0x4000u         /* cpuset hardwall (no effect: no cpusets modelled) */

#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM)
#define GFP_USER (__GFP_RECLAIM | __GFP_HARDWALL)
#define GFP_HIGHUSER_MOVABLE (GFP_USER | __GFP_MOVABLE)
#define GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO)
/* THP: "light" never sleeps to compact (defrag=never/defer), the full form does. */
#define GFP_TRANSHUGE_LIGHT ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

#endif
