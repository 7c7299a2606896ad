/* forms.c - a small program recorded under strace with each timestamp form and output
 * layout (tests/e2e/strace_forms.sh): a fork whose child maps, writes and unmaps 1 MiB, a
 * thread that maps 64 KiB, then the parent waits for both. Build: gcc -O1 -pthread. */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void *worker(void *arg)
{
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 2, 65536);
	munmap(p, 65536);
	return arg;
}

int main(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(p, 1, 1 << 20);
		madvise(p, 1 << 20, MADV_DONTNEED);
		munmap(p, 1 << 20);
		_exit(0);
	}
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	waitpid(pid, NULL, 0);
	return 0;
}
