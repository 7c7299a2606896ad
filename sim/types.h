/* types.h - basic types and helpers shared by every layer of mmsim.
 * Nothing here knows about SimGrid, YAML or the models. */
#ifndef MMSIM_TYPES_H
#define MMSIM_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int64_t s64;
typedef int32_t s32;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define __maybe_unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PMD_SHIFT 21
#define PMD_SIZE (1ULL << PMD_SHIFT)
#define HPAGE_PMD_ORDER (PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR (1U << HPAGE_PMD_ORDER)

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

#define MAX_NUMNODES 64
#define MAX_CPUS 4096

/* Host allocation that cannot fail: exits with a message on host OOM (as Redis's zmalloc). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);

/* A growable array of u64 (pfns, indices); zero-initialised it is empty. */
struct u64_vec {
	u64 *v;
	u32 n, cap;
};

static inline void u64_vec_push(struct u64_vec *a, u64 x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(u64));
	}
	a->v[a->n++] = x;
}
char *xstrdup(const char *s);
__printf(1, 2) char *xasprintf(const char *fmt, ...);

/* floor(sqrt(x)), as the kernel's int_sqrt (Newton's method). */
static inline u64 int_sqrt(u64 x)
{
	if (x < 2)
		return x;
	u64 r = x, y = (x + 1) / 2;
	while (y < r) {
		r = y;
		y = (r + x / r) / 2;
	}
	return r;
}

#endif
