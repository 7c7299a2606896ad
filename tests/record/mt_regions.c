/* mt_regions.c - the multi-threaded program of tests/record: NTHREADS threads each write
 * their own anonymous region, in PHASES phases with a pause between them, and each writes
 * its slice of one region shared by all; then each unmaps its own region. The pauses leave
 * the process quiet while `mmsim record` samples it, so the observed samples compare with
 * the replay's at well-defined points.
 *
 * Build: cc -O1 -pthread -o mt_regions mt_regions.c
 * Record: mmsim record -o mt_regions.mmtz -- ./mt_regions */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define NTHREADS 4
#define PHASES 4
#define PAGE 4096
#define OWN_PAGES 512                  /* 2 MiB per thread, 128 pages per phase */
#define SHARED_PAGES (NTHREADS * 64)   /* 1 MiB, 64 pages per thread */
#define PAUSE_MS 25

static char *shared;
static pthread_barrier_t phase_barrier;

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
	long id = (long)arg;
	char *own = mmap(NULL, OWN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (int ph = 0; ph < PHASES; ph++) {
		pthread_barrier_wait(&phase_barrier);
		for (int i = 0; i < OWN_PAGES / PHASES; i++)
			own[(ph * (OWN_PAGES / PHASES) + i) * PAGE] = (char)ph;
		if (ph == 1)
			for (int i = 0; i < 64; i++)
				shared[(id * 64 + i) * PAGE] = (char)id;
		pthread_barrier_wait(&phase_barrier);
		pause_ms(PAUSE_MS);
	}
	munmap(own, OWN_PAGES * PAGE);
	pthread_barrier_wait(&phase_barrier);
	pause_ms(PAUSE_MS);
	return NULL;
}

int main(void)
{
	shared = mmap(NULL, SHARED_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pthread_barrier_init(&phase_barrier, NULL, NTHREADS);
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	munmap(shared, SHARED_PAGES * PAGE);
	return 0;
}
