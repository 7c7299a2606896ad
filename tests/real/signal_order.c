/* signal_order.c - cross-process order a replay must keep through signals
 * (tests/e2e/signal_order.sh). The parent sleeps in sigsuspend() until a signal comes;
 * what it reads from /proc/meminfo after each depends on what the other side did before
 * sending it:
 *  1. the child populates 32 MiB, then kill(parent, SIGUSR1): the parent sees +32 MiB;
 *  2. the parent kill(child, SIGUSR2); the child's handler returns, the child unmaps
 *     16 MiB and kill(parent, SIGUSR1): the parent sees +16 MiB;
 *  3. the parent kill(child, SIGTERM) (default action: the child dies); the parent's
 *     SIGCHLD handler runs: the parent sees the child's memory gone (exit_mm comes before
 *     exit_notify), before it reaps the child with waitpid.
 *  4. a second child unmaps its own stack page... no: a second child writes to a
 *     read-only page and dies of SIGSEGV (a fault, no sender); the parent's SIGCHLD
 *     again, then waitpid.
 * The child sleeps 30 ms before each kill it sends, so that a replay that ignored the
 * signals would let the parent run ahead. Each meminfo read's AnonPages is written to
 * argv[1] (the truth). Build and record (tests/real/README.md):
 *   cc -O1 -o signal_order signal_order.c
 *   strace -f -tt -e trace=memory,process,desc,kill,tgkill,rt_sigsuspend \
 *       -o signal_order.strace ./signal_order signal_order.truth */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char truth[4096];
static size_t truth_len;
static char buf[8192];
static volatile sig_atomic_t got;

static void meminfo(const char *step)
{
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		exit(1);
	buf[n] = '\0';
	char *a = strstr(buf, "AnonPages:");
	truth_len += (size_t)snprintf(truth + truth_len, sizeof(truth) - truth_len, "%s %ld\n",
				      step, a ? strtol(a + 10, NULL, 10) : -1L);
}

static void handler(int sig)
{
	got = sig;
}

static void nap(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* wait, with sig blocked outside, until sig has come */
static void await(sigset_t *old, int sig)
{
	got = 0;
	while (got != sig)
		sigsuspend(old);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(truth, 0, sizeof(truth));
	memset(buf, 0, sizeof(buf));
	meminfo("before");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		nap();
		kill(parent, SIGUSR1);
		await(&old, SIGUSR2);
		munmap(m, 16 << 20);
		nap();
		kill(parent, SIGUSR1);
		for (;;)
			pause();    /* until SIGTERM */
	}
	await(&old, SIGUSR1);
	meminfo("child_populated");
	kill(pid, SIGUSR2);
	await(&old, SIGUSR1);
	meminfo("child_unmapped_half");
	kill(pid, SIGTERM);
	await(&old, SIGCHLD);
	meminfo("child_killed");
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		return 2;
	/* the second child: 8 MiB populated, then a store to a read-only page */
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || ro == MAP_FAILED)
			_exit(1);
		nap();
		signal(SIGSEGV, SIG_DFL);
		*(volatile char *)ro = 1;
		_exit(3);
	}
	await(&old, SIGCHLD);
	meminfo("child_segv");
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		return 3;
	int out = open(argc > 1 ? argv[1] : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, truth, truth_len) != (ssize_t)truth_len)
		return 6;
	close(out);
	return 0;
}
