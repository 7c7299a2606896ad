#include "check.h"

unsigned long check_passed, check_failed;

int check_summary(void)
{
	printf("%lu passed, %lu failed\n", check_passed, check_failed);
	fflush(stdout);
	return (check_failed == 0 && check_passed > 0) ? 0 : 1;
}
