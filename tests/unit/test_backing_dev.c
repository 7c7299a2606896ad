// LINK: mmsim_mm
/* test_backing_dev.c - the file device's block maps (mm/backing_dev.h): which pages of a
 * file have data on the device, as writes add ranges and truncate/hole punching remove
 * them. */
#include "check.h"
#include "mm/backing_dev.h"

static void test_blocks(void)
{
	struct file_blocks b = { 0 };
	CHECK(!file_blocks_test(&b, 0));
	file_blocks_add(&b, 10, 20);
	file_blocks_add(&b, 30, 40);
	CHECK_EQ_U64(b.nr, 2);
	CHECK(file_blocks_test(&b, 10) && file_blocks_test(&b, 19) && !file_blocks_test(&b, 20));
	CHECK_EQ_U64(file_blocks_count(&b, 0, 100), 20);
	file_blocks_add(&b, 20, 30);          /* touching both: one range [10,40) */
	CHECK_EQ_U64(b.nr, 1);
	CHECK_EQ_U64(file_blocks_count(&b, 0, 100), 30);
	file_blocks_remove(&b, 15, 17);       /* a hole in the middle splits it */
	CHECK_EQ_U64(b.nr, 2);
	CHECK(!file_blocks_test(&b, 15) && !file_blocks_test(&b, 16) && file_blocks_test(&b, 17));
	CHECK_EQ_U64(file_blocks_count(&b, 12, 20), 6);
	file_blocks_add(&b, 5, 50);           /* overlapping everything: [5,50) */
	CHECK_EQ_U64(b.nr, 1);
	CHECK_EQ_U64(file_blocks_count(&b, 0, ~0ULL), 45);
	file_blocks_remove(&b, 30, ~0ULL);    /* truncate to 30 pages */
	file_blocks_remove(&b, 0, 6);         /* a punch over the start */
	CHECK_EQ_U64(b.nr, 1);
	CHECK_EQ_U64(b.r[0], 6);
	CHECK_EQ_U64(b.r[1], 30);
	file_blocks_remove(&b, 0, ~0ULL);
	CHECK_EQ_U64(b.nr, 0);
	file_blocks_free(&b);
}

int main(void)
{
	test_blocks();
	return check_summary();
}
