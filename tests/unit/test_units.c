// LINK: mmsim_config
/* test_units.c - sizes, times, bandwidths, integers and doubles: exact values, exact
 * reasons for every kind of bad text, and format/parse round trips. */
#include <stdint.h>
#include "check.h"
#include "config/units.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

static u64 size_of(const char *s)
{
	char reason[200];
	u64 v = 0xdeadbeef;
	if (units_parse_size(s, &v, reason, sizeof(reason)) < 0)
		return 0xdeadbeef;
	return v;
}

static u64 time_of(const char *s)
{
	char reason[200];
	u64 v = 0xdeadbeef;
	if (units_parse_time(s, &v, reason, sizeof(reason)) < 0)
		return 0xdeadbeef;
	return v;
}

static u64 bw_of(const char *s)
{
	char reason[200];
	u64 v = 0xdeadbeef;
	if (units_parse_bw(s, &v, reason, sizeof(reason)) < 0)
		return 0xdeadbeef;
	return v;
}

/* The reason a parse failed ("" if it failed without one, "OK" if it succeeded). */
static const char *size_err(const char *s)
{
	static char reason[200];
	u64 v;
	if (units_parse_size(s, &v, reason, sizeof(reason)) == 0)
		return "OK";
	return reason;
}

static const char *time_err(const char *s)
{
	static char reason[200];
	u64 v;
	if (units_parse_time(s, &v, reason, sizeof(reason)) == 0)
		return "OK";
	return reason;
}

static const char *bw_err(const char *s)
{
	static char reason[200];
	u64 v;
	if (units_parse_bw(s, &v, reason, sizeof(reason)) == 0)
		return "OK";
	return reason;
}

static const char *u64_err(const char *s)
{
	static char reason[200];
	u64 v;
	if (units_parse_u64(s, &v, reason, sizeof(reason)) == 0)
		return "OK";
	return reason;
}

static void test_size_binary_units_are_powers_of_1024(void)
{
	CHECK_EQ_U64(size_of("4KiB"), 4 * KiB);
	CHECK_EQ_U64(size_of("2MiB"), 2 * MiB);
	CHECK_EQ_U64(size_of("4GiB"), 4 * GiB);
	CHECK_EQ_U64(size_of("1TiB"), TiB);
	CHECK_EQ_U64(size_of("1PiB"), 1024 * TiB);
	CHECK_EQ_U64(size_of("15EiB"), 15ULL << 60);
	CHECK_EQ_U64(size_of("4K"), 4 * KiB);
	CHECK_EQ_U64(size_of("2M"), 2 * MiB);
	CHECK_EQ_U64(size_of("4G"), 4 * GiB);
	CHECK_EQ_U64(size_of("1T"), TiB);
	CHECK_EQ_U64(size_of("4 KiB"), 4 * KiB);
	CHECK_EQ_U64(size_of("4096"), 4096);
	CHECK_EQ_U64(size_of("512B"), 512);
	CHECK_EQ_U64(size_of("0"), 0);
	CHECK_EQ_U64(size_of("0GiB"), 0);
	CHECK_EQ_U64(size_of("18446744073709551615"), UINT64_MAX);
}

static void test_size_decimal_units_are_powers_of_1000(void)
{
	CHECK_EQ_U64(size_of("4KB"), 4000);
	CHECK_EQ_U64(size_of("4kB"), 4000);
	CHECK_EQ_U64(size_of("2MB"), 2000000);
	CHECK_EQ_U64(size_of("2GB"), 2000000000ULL);
	CHECK_EQ_U64(size_of("1TB"), 1000000000000ULL);
	CHECK_EQ_U64(size_of("18EB"), 18000000000000000000ULL);
}

static void test_size_decimals_must_give_whole_bytes(void)
{
	CHECK_EQ_U64(size_of("1.5KiB"), 1536);
	CHECK_EQ_U64(size_of("0.5GiB"), 512 * MiB);
	CHECK_EQ_U64(size_of("1.25MB"), 1250000);
	CHECK_EQ_U64(size_of("1.0"), 1);
	CHECK_EQ_U64(size_of("2.000000000000000000000000000MiB"), 2 * MiB);
	CHECK_EQ_STR(size_err("0.3KiB"), "not a whole number of bytes");
	CHECK_EQ_STR(size_err("1.5"), "not a whole number of bytes");
	CHECK_EQ_STR(size_err("0.00000000000000000001EiB"),
		     "too many digits after the decimal point");
}

static void test_size_errors_say_why(void)
{
	CHECK_EQ_STR(size_err("-1GiB"), "negative sizes are not allowed");
	CHECK_EQ_STR(size_err("-0.5KiB"), "negative sizes are not allowed");
	CHECK_EQ_STR(size_err("16EiB"), "too large (the limit is 2^64-1 bytes)");
	CHECK_EQ_STR(size_err("18446744073709551616"), "too large (the limit is 2^64-1 bytes)");
	CHECK_EQ_STR(size_err("99999999999999999999999999TiB"),
		     "too large (the limit is 2^64-1 bytes)");
	CHECK_EQ_STR(size_err("4XB"), "unknown unit \"XB\" (known: B, K/KiB, M/MiB, G/GiB, "
		     "T/TiB, P/PiB, E/EiB, KB, MB, GB, TB, PB, EB)");
	CHECK_EQ_STR(size_err("4kib"), "unknown unit \"kib\" (known: B, K/KiB, M/MiB, G/GiB, "
		     "T/TiB, P/PiB, E/EiB, KB, MB, GB, TB, PB, EB)");
	CHECK_EQ_STR(size_err(""), "");
	CHECK_EQ_STR(size_err("GiB"), "");
	CHECK_EQ_STR(size_err("4.KiB"), "");
	CHECK_EQ_STR(size_err(".5KiB"), "");
	CHECK_EQ_STR(size_err("+4KiB"), "");
	CHECK_EQ_STR(size_err(" 4KiB"), "");
	CHECK_EQ_STR(size_err("-"), "");
	CHECK_EQ_STR(size_err("4e3"), "unknown unit \"e3\" (known: B, K/KiB, M/MiB, G/GiB, "
		     "T/TiB, P/PiB, E/EiB, KB, MB, GB, TB, PB, EB)");
}

static void test_times_are_exact_nanoseconds(void)
{
	CHECK_EQ_U64(time_of("100ns"), 100);
	CHECK_EQ_U64(time_of("5us"), 5000);
	CHECK_EQ_U64(time_of("5\xc2\xb5s"), 5000);
	CHECK_EQ_U64(time_of("10ms"), 10000000);
	CHECK_EQ_U64(time_of("2s"), 2000000000ULL);
	CHECK_EQ_U64(time_of("1.5ms"), 1500000);
	CHECK_EQ_U64(time_of("0.000000001s"), 1);
	CHECK_EQ_U64(time_of("2.5 us"), 2500);
	CHECK_EQ_U64(time_of("0"), 0);
	CHECK_EQ_U64(time_of("0.0"), 0);
	CHECK_EQ_U64(time_of("0ns"), 0);
	CHECK_EQ_U64(time_of("18446744073709551615ns"), UINT64_MAX);
	CHECK_EQ_U64(time_of("18446744073s"), 18446744073000000000ULL);
}

static void test_time_errors_say_why(void)
{
	CHECK_EQ_STR(time_err("100"), "missing unit (ns, us, ms, s)");
	CHECK_EQ_STR(time_err("1.5ns"), "not a whole number of nanoseconds");
	CHECK_EQ_STR(time_err("0.0000000001s"), "not a whole number of nanoseconds");
	CHECK_EQ_STR(time_err("-1s"), "negative times are not allowed");
	CHECK_EQ_STR(time_err("10m"), "unknown unit \"m\" (known: ns, us, ms, s)");
	CHECK_EQ_STR(time_err("10 min"), "unknown unit \"min\" (known: ns, us, ms, s)");
	CHECK_EQ_STR(time_err("18446744074s"), "too large (the limit is 2^64-1 nanoseconds)");
	CHECK_EQ_STR(time_err("ms"), "");
	CHECK_EQ_STR(time_err("1e3ns"), "unknown unit \"e3ns\" (known: ns, us, ms, s)");
}

static void test_bandwidth_is_a_size_per_second(void)
{
	CHECK_EQ_U64(bw_of("500MiB/s"), 500 * MiB);
	CHECK_EQ_U64(bw_of("2GB/s"), 2000000000ULL);
	CHECK_EQ_U64(bw_of("1.5GiB/s"), 1536 * MiB);
	CHECK_EQ_U64(bw_of("100/s"), 100);
	CHECK_EQ_U64(bw_of("0"), 0);
	CHECK_EQ_STR(bw_err("500MiB"), "missing \"/s\" (a bandwidth is a size per second)");
	CHECK_EQ_STR(bw_err("-1MiB/s"), "negative bandwidths are not allowed");
	CHECK_EQ_STR(bw_err("5 parsecs/s"), "unknown unit \"parsecs\" (known: B, K/KiB, M/MiB, "
		     "G/GiB, T/TiB, P/PiB, E/EiB, KB, MB, GB, TB, PB, EB)");
	CHECK_EQ_STR(bw_err("/s"), "");
	CHECK_EQ_STR(bw_err("fast"), "");
}

static void test_integers_are_plain_decimal(void)
{
	u64 v = 0;
	char reason[100];
	CHECK(units_parse_u64("18446744073709551615", &v, reason, sizeof(reason)) == 0);
	CHECK_EQ_U64(v, UINT64_MAX);
	CHECK_EQ_STR(u64_err("0"), "OK");
	CHECK_EQ_STR(u64_err("007"), "OK");
	CHECK_EQ_STR(u64_err("18446744073709551616"), "too large (the limit is 2^64-1)");
	CHECK_EQ_STR(u64_err("-1"), "negative values are not allowed");
	CHECK_EQ_STR(u64_err("1.0"), "");
	CHECK_EQ_STR(u64_err("0x10"), "");
	CHECK_EQ_STR(u64_err("1k"), "");
	CHECK_EQ_STR(u64_err(""), "");
	CHECK_EQ_STR(u64_err("two"), "");
}

static void test_doubles_are_finite_decimals(void)
{
	double d = 0;
	char reason[100];
	CHECK(units_parse_double("0.25", &d, reason, sizeof(reason)) == 0);
	CHECK(d == 0.25);
	CHECK(units_parse_double("1e-3", &d, reason, sizeof(reason)) == 0);
	CHECK(d == 1e-3);
	CHECK(units_parse_double("-2", &d, reason, sizeof(reason)) == 0);
	CHECK(d == -2);
	CHECK(units_parse_double("inf", &d, reason, sizeof(reason)) < 0);
	CHECK(units_parse_double("nan", &d, reason, sizeof(reason)) < 0);
	CHECK(units_parse_double("0x1p3", &d, reason, sizeof(reason)) < 0);
	CHECK(units_parse_double("", &d, reason, sizeof(reason)) < 0);
	CHECK(units_parse_double(" 1", &d, reason, sizeof(reason)) < 0);
	CHECK(units_parse_double("1e999", &d, reason, sizeof(reason)) < 0);
	CHECK_EQ_STR(reason, "out of the range of a double");
}

static const char *fmt_size(u64 v)
{
	static char buf[64];
	units_format_size(v, buf, sizeof(buf));
	return buf;
}

static const char *fmt_time(u64 v)
{
	static char buf[64];
	units_format_time(v, buf, sizeof(buf));
	return buf;
}

static const char *fmt_bw(u64 v)
{
	static char buf[64];
	units_format_bw(v, buf, sizeof(buf));
	return buf;
}

static void test_format_picks_the_largest_exact_unit(void)
{
	CHECK_EQ_STR(fmt_size(0), "0");
	CHECK_EQ_STR(fmt_size(1), "1");
	CHECK_EQ_STR(fmt_size(1000), "1000");
	CHECK_EQ_STR(fmt_size(1000000), "1MB");
	CHECK_EQ_STR(fmt_size(1ULL << 30), "1GiB");
	CHECK_EQ_STR(fmt_size(4096), "4KiB");
	CHECK_EQ_STR(fmt_size(4097), "4097");
	CHECK_EQ_STR(fmt_size(2 * MiB), "2MiB");
	CHECK_EQ_STR(fmt_size(3 * GiB + 4 * KiB), "3145732KiB");
	CHECK_EQ_STR(fmt_size(16 * TiB), "16TiB");
	CHECK_EQ_STR(fmt_size(1ULL << 60), "1EiB");
	CHECK_EQ_STR(fmt_size(4000000000ULL), "4GB");
	CHECK_EQ_STR(fmt_size(UINT64_MAX), "18446744073709551615");
	CHECK_EQ_STR(fmt_time(0), "0");
	CHECK_EQ_STR(fmt_time(100), "100ns");
	CHECK_EQ_STR(fmt_time(1000), "1us");
	CHECK_EQ_STR(fmt_time(1500000), "1500us");
	CHECK_EQ_STR(fmt_time(10000000), "10ms");
	CHECK_EQ_STR(fmt_time(2000000000ULL), "2s");
	CHECK_EQ_STR(fmt_bw(0), "0");
	CHECK_EQ_STR(fmt_bw(500 * MiB), "500MiB/s");
	CHECK_EQ_STR(fmt_bw(2000000000ULL), "2GB/s");
	CHECK_EQ_STR(fmt_bw(123), "123B/s");
}

static void test_format_then_parse_gives_the_same_value(void)
{
	static const u64 vals[] = {
		0, 1, 2, 999, 1000, 1023, 1024, 4095, 4096, 4097, 1000000, 2 * MiB,
		3 * GiB + 4 * KiB,
		123456789012345ULL, 1ULL << 60, (1ULL << 63) + 1, 18000000000000000000ULL,
		UINT64_MAX - 1, UINT64_MAX,
	};
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		char buf[64];
		u64 v = ~vals[i];
		char reason[200];
		units_format_size(vals[i], buf, sizeof(buf));
		CHECK(units_parse_size(buf, &v, reason, sizeof(reason)) == 0 && v == vals[i]);
		units_format_time(vals[i], buf, sizeof(buf));
		CHECK(units_parse_time(buf, &v, reason, sizeof(reason)) == 0 && v == vals[i]);
		units_format_bw(vals[i], buf, sizeof(buf));
		CHECK(units_parse_bw(buf, &v, reason, sizeof(reason)) == 0 && v == vals[i]);
	}
	static const double dv[] = { 0, 0.1, 0.5, 1.0 / 3, 1e-300, 123456.789, -2.5, 1e300 };
	for (size_t i = 0; i < ARRAY_SIZE(dv); i++) {
		char buf[64], reason[100];
		double d = -1;
		units_format_double(dv[i], buf, sizeof(buf));
		CHECK(units_parse_double(buf, &d, reason, sizeof(reason)) == 0 && d == dv[i]);
	}
	char buf[64];
	units_format_double(0.1, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0.1");
}

int main(void)
{
	RUN_TEST(test_size_binary_units_are_powers_of_1024);
	RUN_TEST(test_size_decimal_units_are_powers_of_1000);
	RUN_TEST(test_size_decimals_must_give_whole_bytes);
	RUN_TEST(test_size_errors_say_why);
	RUN_TEST(test_times_are_exact_nanoseconds);
	RUN_TEST(test_time_errors_say_why);
	RUN_TEST(test_bandwidth_is_a_size_per_second);
	RUN_TEST(test_integers_are_plain_decimal);
	RUN_TEST(test_doubles_are_finite_decimals);
	RUN_TEST(test_format_picks_the_largest_exact_unit);
	RUN_TEST(test_format_then_parse_gives_the_same_value);
	return check_summary();
}
