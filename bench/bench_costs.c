/* bench_costs.c - measure on this host the primitives the cost model charges, to check
 * the defaults in sim/config/knobs.def (docs/costs.md records the figures). Prints ns per
 * operation: syscall entry (getppid), first-touch page fault on anonymous memory (fault
 * entry + zeroing + PTE set), clearing and copying 4 KiB and 2 MiB, a dependent DRAM
 * load (pointer chase over 256 MiB) and an uncontended atomic increment. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static volatile uint64_t sink;

int main(void)
{
	const int n_sys = 2000000;
	double t0 = now_ns();
	for (int i = 0; i < n_sys; i++)
		sink += (uint64_t)syscall(SYS_getppid);
	printf("syscall_entry (getppid)      %8.1f ns\n", (now_ns() - t0) / n_sys);

	size_t fault_len = 256UL << 20;
	char *m = mmap(NULL, fault_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	madvise(m, fault_len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	for (size_t off = 0; off < fault_len; off += 4096)
		m[off] = 1;
	printf("anon write fault, 4KiB       %8.1f ns  (fault entry + zero_4k + pte + alloc)\n",
	       (now_ns() - t0) / (double)(fault_len / 4096));

	char *src = m, *dst = m + (128UL << 20);
	const int n4 = 200000;
	t0 = now_ns();
	for (int i = 0; i < n4; i++)
		memset(dst + (size_t)(i % 1024) * 4096, i, 4096);
	printf("zero_4k (memset, cached)     %8.1f ns\n", (now_ns() - t0) / n4);
	t0 = now_ns();
	for (int i = 0; i < n4; i++)
		memcpy(dst + (size_t)(i % 1024) * 4096, src + (size_t)(i % 1024) * 4096, 4096);
	printf("copy_4k (memcpy, cached)     %8.1f ns\n", (now_ns() - t0) / n4);
	const int n2 = 200;
	t0 = now_ns();
	for (int i = 0; i < n2; i++)
		memset(dst + (size_t)(i % 32) * (2UL << 20), i, 2UL << 20);
	printf("zero_2m (memset)             %8.1f ns\n", (now_ns() - t0) / n2);
	t0 = now_ns();
	for (int i = 0; i < n2; i++)
		memcpy(dst + (size_t)(i % 32) * (2UL << 20), src + (size_t)(i % 32) * (2UL << 20),
		       2UL << 20);
	printf("copy_2m (memcpy)             %8.1f ns\n", (now_ns() - t0) / n2);

	/* a random cyclic permutation of cache lines: every load misses the caches */
	size_t nlines = fault_len / 64;
	uint64_t *perm = malloc(nlines * sizeof(*perm));
	for (size_t i = 0; i < nlines; i++)
		perm[i] = i;
	uint64_t x = 88172645463325252ULL;
	for (size_t i = nlines - 1; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = x % i;
		uint64_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < nlines; i++)
		*(uint64_t *)(m + perm[i] * 64) = perm[(i + 1) % nlines] * 64;
	free(perm);
	const int n_chase = 2000000;
	uint64_t p = 0;
	t0 = now_ns();
	for (int i = 0; i < n_chase; i++)
		p = *(volatile uint64_t *)(m + p);
	sink += p;
	printf("local_access (DRAM load)     %8.1f ns\n", (now_ns() - t0) / n_chase);

	uint64_t counter = 0;
	const int n_at = 20000000;
	t0 = now_ns();
	for (int i = 0; i < n_at; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	sink += counter;
	printf("atomic_local (lock xadd)     %8.1f ns\n", (now_ns() - t0) / n_at);
	munmap(m, fault_len);
	return 0;
}
