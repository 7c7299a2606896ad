/* threads_churn.c - four threads that each map, touch and unmap 1 MiB 50 times, so that a
 * strace -f log has concurrent calls (<unfinished ...> / <... resumed> pairs).
 * Build: cc -O1 -pthread -o threads_churn threads_churn.c */
#include <pthread.h>
#include <sys/mman.h>

#define LEN (1UL << 20)

static void *worker(void *arg)
{
	for (int i = 0; i < 50; i++) {
		char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		for (unsigned long off = 0; off < LEN; off += 4096)
			p[off] = 1;
		munmap(p, LEN);
	}
	return arg;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
