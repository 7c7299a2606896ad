/* spawn.c - the multi-process program of tests/record: a region written by the parent, a
 * fork child that writes half of it (copy-on-write) and exits, then posix_spawn of
 * /bin/true (glibc: clone3(CLONE_VM|CLONE_VFORK), the child execs). Recorded with
 * `mmsim record -o spawn.mmtz -- ./spawn` (cc -O1 -o spawn spawn.c). */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
int main(void)
{
	char *r = mmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(r, 1, 256 * 4096);
	pid_t c = fork();
	if (c == 0) {           /* the child writes half of the region: copy-on-write */
		memset(r, 2, 128 * 4096);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	pid_t s;
	char *argv[] = { "true", NULL };
	posix_spawn(&s, "/bin/true", NULL, NULL, argv, environ);
	waitpid(s, NULL, 0);
	return 0;
}
