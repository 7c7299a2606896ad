/* check.h - minimal test harness. Each CHECK prints file:line on failure; the test
 * binary ends with check_summary(), which prints "N passed, N failed" and returns the
 * exit status (0 only if nothing failed and at least one check ran). */
#ifndef MMSIM_TESTS_CHECK_H
#define MMSIM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

extern unsigned long check_passed, check_failed;

#define CHECK_(cond, fmt, ...)                                                              \
	do {                                                                                \
		if (cond) {                                                                 \
			check_passed++;                                                     \
		} else {                                                                    \
			check_failed++;                                                     \
			fprintf(stderr, "%s:%d: FAIL: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__); \
		}                                                                           \
	} while (0)

#define CHECK(cond) CHECK_((cond), "%s", #cond)
#define CHECK_EQ_U64(a, b)                                                                  \
	do {                                                                                \
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);                            \
		CHECK_(_a == _b, "%s == %s (%" PRIu64 " vs %" PRIu64 ")", #a, #b, _a, _b);  \
	} while (0)
#define CHECK_EQ_S64(a, b)                                                                  \
	do {                                                                                \
		int64_t _a = (int64_t)(a), _b = (int64_t)(b);                               \
		CHECK_(_a == _b, "%s == %s (%" PRId64 " vs %" PRId64 ")", #a, #b, _a, _b);  \
	} while (0)
#define CHECK_EQ_STR(a, b)                                                                  \
	do {                                                                                \
		const char *_a = (a), *_b = (b);                                            \
		CHECK_(_a && _b && strcmp(_a, _b) == 0, "%s == %s (\"%s\" vs \"%s\")", #a, #b, \
		       _a ? _a : "(null)", _b ? _b : "(null)");                             \
	} while (0)
#define CHECK_NEAR(a, b, eps)                                                               \
	do {                                                                                \
		double _a = (a), _b = (b);                                                  \
		CHECK_(_a - _b <= (eps) && _b - _a <= (eps), "%s ~= %s (%.9g vs %.9g)", #a, #b, _a, _b); \
	} while (0)
#define CHECK_CONTAINS(hay, needle)                                                         \
	do {                                                                                \
		const char *_h = (hay), *_n = (needle);                                     \
		CHECK_(_h && strstr(_h, _n), "%s contains \"%s\" (got \"%s\")", #hay, _n, _h ? _h : "(null)"); \
	} while (0)

/* Run a named test function, printing its name on failure. */
#define RUN_TEST(fn)                                                                        \
	do {                                                                                \
		unsigned long _f = check_failed;                                            \
		fn();                                                                       \
		if (check_failed != _f)                                                     \
			fprintf(stderr, "  in %s\n", #fn);                                  \
	} while (0)

int check_summary(void);

#endif
