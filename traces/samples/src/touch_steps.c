/* touch_steps.c - maps 32 pages, writes each, makes 8 of them read-only, unmaps 4, reads
 * the rest, shrinks the first 8 pages to 4 with mremap, reads /proc/meminfo between the steps:
 * recorded at once by strace (mappings) and valgrind lackey (touches) to test their
 * combination (traces/samples/README.md).
 * Build: cc -O1 -static -o touch_steps touch_steps.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[4096];

static void look(void)
{
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd >= 0) {
		read(fd, buf, sizeof(buf));
		close(fd);
	}
}

int main(void)
{
	long pg = 4096;
	look();
	char *p = mmap(0, 32 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (int i = 0; i < 32; i++)
		p[i * pg] = (char)i;
	look();
	mprotect(p + 8 * pg, 8 * pg, PROT_READ);
	munmap(p + 12 * pg, 4 * pg);
	int s = 0;
	for (int i = 0; i < 32; i++)
		if (i < 12 || i >= 16)
			s += p[i * pg];
	p = mremap(p, 8 * pg, 4 * pg, 0);
	look();
	munmap(p, 4 * pg);
	return s == 0 ? 1 : 0;
}
