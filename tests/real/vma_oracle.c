/* vma_oracle.c - ground truth for mmsim's replay of its own strace log.
 *
 * Every step changes memory through system calls strace sees (mmap, mprotect, munmap,
 * mremap, madvise with MADV_POPULATE_WRITE in place of plain stores, fork), then reads
 * /proc/self/smaps_rollup; at the end it reads /proc/self/maps. The importer turns those
 * reads into snapshots, and mmsim's replay writes its own versions of the same files.
 * The program also keeps what the real kernel showed and writes it, after the last
 * step, to the file named by argv[1]: the expected values of tests/e2e/vma_oracle.sh.
 *
 * Build and record (tests/real/README.md):
 *   cc -O1 -o vma_oracle vma_oracle.c
 *   strace -f -tt -e trace=memory,process,ipc,desc -o vma_oracle.strace ./vma_oracle truth.txt */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PG 4096UL

static char truth[1 << 20];
static size_t truth_len;

/* Read a whole /proc file and keep its text under a header line. */
static void snapshot(const char *path, const char *step)
{
	char buf[65536];
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(2);
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	truth_len += (size_t)snprintf(truth + truth_len, sizeof(truth) - truth_len,
				      "== %s %s\n%.*s", step, path, (int)n, buf);
}

static void populate(void *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE))
		exit(3);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	snapshot("/proc/self/smaps_rollup", "start");
	/* 1: 64 pages, written */
	char *a = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	populate(a, 64 * PG);
	snapshot("/proc/self/smaps_rollup", "populate64");
	/* 2: the middle 16 pages read-only: three VMAs */
	mprotect(a + 24 * PG, 16 * PG, PROT_READ);
	snapshot("/proc/self/smaps_rollup", "mprotect");
	/* 3: 8 pages unmapped inside the read-only part: four VMAs */
	munmap(a + 28 * PG, 8 * PG);
	snapshot("/proc/self/smaps_rollup", "munmap");
	/* 4: the read-only part writable again: it merges with its neighbours */
	mprotect(a + 24 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	snapshot("/proc/self/smaps_rollup", "mprotect_merge");
	/* 5: a second mapping, written, then grown by mremap (it moves) and the new half
	 * written */
	char *b = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	populate(b, 16 * PG);
	/* a guard right above b so that mremap cannot grow it in place */
	mmap(b + 16 * PG, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *c = mremap(b, 16 * PG, 32 * PG, MREMAP_MAYMOVE);
	if (c == MAP_FAILED)
		return 1;
	populate(c + 16 * PG, 16 * PG);
	snapshot("/proc/self/smaps_rollup", "mremap");
	/* 6: a child writes 8 shared pages (COW copies), reports, exits */
	pid_t pid = fork();
	if (pid == 0) {
		populate(a, 8 * PG);
		snapshot("/proc/self/smaps_rollup", "child");
		/* the child's own record goes to argv[1].child */
		char name[4096];
		snprintf(name, sizeof(name), "%s.child", argv[1]);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (write(fd, truth, truth_len) < 0)
				_exit(4);
			close(fd);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	snapshot("/proc/self/smaps_rollup", "after_child");
	/* 7: MADV_DONTNEED drops 8 pages of the first mapping */
	madvise(a + 40 * PG, 8 * PG, MADV_DONTNEED);
	snapshot("/proc/self/smaps_rollup", "dontneed");
	snapshot("/proc/self/maps", "end");
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, truth, truth_len) != (ssize_t)truth_len)
		return 5;
	close(fd);
	printf("a=%p c=%p\n", (void *)a, (void *)c);
	return 0;
}
