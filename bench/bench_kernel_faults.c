/* bench_kernel_faults.c - the reference for mmsim's fault rate: this machine's real kernel
 * taking anonymous write faults of 4 KiB pages (THP off for the mapping), one thread.
 * Maps SIZE MiB, writes one byte per page, unmaps; prints the best of REPS rounds as
 * "kernel_faults_per_s N". Prints figures only. Usage: bench_kernel_faults [MiB] [REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 512;
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	size_t len = mib << 20, pages = len >> 12;
	double best = 0;
	for (int r = 0; r < reps; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
#ifdef MADV_NOHUGEPAGE
		madvise(p, len, MADV_NOHUGEPAGE);
#endif
		double t0 = now();
		for (size_t i = 0; i < pages; i++)
			((volatile char *)p)[i << 12] = 1;
		double dt = now() - t0;
		munmap(p, len);
		if ((double)pages / dt > best)
			best = (double)pages / dt;
	}
	printf("kernel_faults_per_s %.0f\n", best);
	return 0;
}
