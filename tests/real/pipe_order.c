/* pipe_order.c - cross-process order a replay must keep: the parent reads, through a
 * pipe, a byte the child writes once it has populated 32 MiB of anonymous memory; the
 * parent then reads /proc/meminfo (AnonPages holds the child's 32 MiB), waits for the
 * child's exit (the child sleeps 50 ms first) and reads /proc/meminfo again (the child's
 * memory is gone). Each meminfo read is also written to argv[1] (the truth). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void meminfo(FILE *truth, const char *step)
{
	char buf[8192];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		exit(1);
	buf[n] = '\0';
	char *a = strstr(buf, "AnonPages:");
	fprintf(truth, "%s %ld\n", step, a ? strtol(a + 10, NULL, 10) : -1L);
}

int main(int argc, char **argv)
{
	FILE *truth = fopen(argc > 1 ? argv[1] : "/dev/null", "w");
	int p[2];
	if (pipe(p))
		return 1;
	meminfo(truth, "before");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		void *m = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(p[1]);
	char c;
	if (read(p[0], &c, 1) != 1)
		return 1;
	meminfo(truth, "after_read");
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	meminfo(truth, "after_wait");
	fclose(truth);
	return 0;
}
