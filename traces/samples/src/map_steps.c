/* map_steps.c - a small program whose memory story is easy to check against a trace:
 * it maps 64 pages, touches them, makes the middle 16 read-only, unmaps 8 pages inside
 * that middle part, populates a second mapping with MADV_POPULATE_WRITE, grows it with
 * mremap, and reads /proc/meminfo after every step. It also exercises the calls the
 * strace importer knows (shm, memfd, mbind/set_mempolicy, a failing mmap, a fork and a
 * thread) so that one recording covers them.
 *
 * Build: cc -O1 -pthread -o map_steps map_steps.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static char snap_buf[8192];

/* Read a whole file, as a tool checking its own memory state would. */
static void snapshot(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	while (read(fd, snap_buf, sizeof(snap_buf)) > 0)
		;
	close(fd);
}

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += PG)
		p[i] = 1;
}

static void *thread_main(void *arg)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		touch(p, 4 * PG);
		munmap(p, 4 * PG);
	}
	return arg;
}

int main(void)
{
	/* Step 1: map 64 pages and touch them. */
	char *a = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	snapshot("/proc/meminfo");
	touch(a, 64 * PG);
	snapshot("/proc/meminfo");
	/* Step 2: the middle 16 pages become read-only (one VMA becomes three). */
	mprotect(a + 24 * PG, 16 * PG, PROT_READ);
	snapshot("/proc/meminfo");
	/* Step 3: unmap 8 pages inside the read-only part (three VMAs become four). */
	munmap(a + 28 * PG, 8 * PG);
	snapshot("/proc/meminfo");
	/* Step 4: a second mapping populated by madvise, then grown by mremap. */
	char *b = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(b, 16 * PG, MADV_POPULATE_WRITE);
	char *c = mremap(b, 16 * PG, 32 * PG, MREMAP_MAYMOVE);
	if (c != MAP_FAILED)
		touch(c + 16 * PG, 16 * PG);
	snapshot("/proc/meminfo");
	/* A request that fails: 1 PiB of private writable memory without overcommit. */
	void *big = mmap(NULL, 1UL << 50, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big != MAP_FAILED)
		munmap(big, 1UL << 50);
	madvise(a, 4 * PG, MADV_HUGEPAGE);
	/* SysV shared memory and a memfd. */
	int shmid = shmget(IPC_PRIVATE, 8 * PG, IPC_CREAT | 0600);
	if (shmid >= 0) {
		char *s = shmat(shmid, NULL, 0);
		if (s != (void *)-1) {
			touch(s, 8 * PG);
			shmdt(s);
		}
		shmctl(shmid, IPC_RMID, NULL);
	}
	int mfd = memfd_create("map_steps", MFD_CLOEXEC);
	if (mfd >= 0) {
		ftruncate(mfd, 8 * PG);
		fallocate(mfd, 0, 0, 8 * PG);
		char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
		if (m != MAP_FAILED) {
			touch(m, 8 * PG);
			munmap(m, 8 * PG);
		}
		close(mfd);
	}
	/* Memory policy on node 0 (the calls exist on every kernel with NUMA support). */
	unsigned long mask = 1;
	syscall(SYS_mbind, a, 4 * PG, 2 /* MPOL_BIND */, &mask, 64, 0);
	syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
	snapshot("/sys/kernel/mm/transparent_hugepage/enabled");
	snapshot("/proc/self/smaps_rollup");
	/* A thread and a child process, each touching memory of its own. */
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) == 0)
		pthread_join(t, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		touch(a, 8 * PG);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	snapshot("/proc/meminfo");
	return 0;
}
