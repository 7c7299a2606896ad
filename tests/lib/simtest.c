#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "simtest.h"

void simtest_case_(const char *name, simtest_fn fn)
{
	int fds[2];
	if (pipe(fds) != 0) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		check_passed = check_failed = 0;
		fn();
		unsigned long counts[2] = { check_passed, check_failed };
		if (write(fds[1], counts, sizeof(counts)) != (ssize_t)sizeof(counts))
			_exit(3);
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	close(fds[1]);
	unsigned long counts[2];
	ssize_t n = read(fds[0], counts, sizeof(counts));
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(counts) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		check_failed++;
		fprintf(stderr, "FAIL: %s: child died (status 0x%x)\n", name, status);
		return;
	}
	check_passed += counts[0];
	check_failed += counts[1];
	if (counts[1])
		fprintf(stderr, "  in %s\n", name);
}
