/* pagecache_oracle.c - ground truth for mmsim's page-cache read side: readahead windows of
 * a sequential read, random reads with and without POSIX_FADV_RANDOM, fadvise WILLNEED
 * and DONTNEED, mmap read-around on a read fault and fault-around under
 * MADV_POPULATE_READ, on a 16 MiB file of an ext4 disk.
 *
 *   pagecache_oracle prep FILE         writes FILE (16 MiB), fsyncs it (not traced)
 *   pagecache_oracle run FILE TRUTH    the traced part
 *
 * The run opens FILE read-only, fstats it, drops its pages (POSIX_FADV_DONTNEED) and then
 * takes the steps below. After every step it reads /proc/meminfo, /proc/vmstat and
 * /proc/self/smaps_rollup, in that order (open, one read, close: the importer makes each
 * read a snapshot), and writes to TRUTH under "== STEP" the values read: Cached (kB),
 * pgpgin, pgmajfault, workingset_refault_file (since the start) and Rss, and the file's
 * own pages in the page cache as cachestat(2) counts them (nr_cache; strace shows the call,
 * which the importer skips). Memory is touched
 * only through madvise(MADV_POPULATE_READ), so that strace sees every fault.
 *
 * Build and record (tests/real/README.md):
 *   cc -O1 -o pagecache_oracle pagecache_oracle.c
 *   ./pagecache_oracle prep /var/tmp/pco.dat
 *   strace -f -tt -e trace=memory,process,desc,fadvise64 -s 64 -o pagecache_oracle.strace \
 *       ./pagecache_oracle run /var/tmp/pco.dat pagecache_oracle.truth */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

#define PG 4096L
#define FILE_PAGES 4096L
#define BASE ((char *)(1UL << 32))

static FILE *truth;
static long long base_pgpgin, base_majflt, base_refault;
static int fd;
static char buf[1 << 16];

static long long field(const char *path, const char *key)
{
	char text[1 << 16];
	int f = open(path, O_RDONLY);
	ssize_t n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n < 0)
		n = 0;
	text[n] = '\0';
	size_t kl = strlen(key);
	for (char *p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, kl))
			return atoll(p + kl);
	}
	return -1;
}

static void step(const char *name)
{
	long long cached = field("/proc/meminfo", "Cached:");
	long long pgpgin, majflt, refault;
	/* one read of /proc/vmstat per step: take the other two from the same text */
	{
		char text[1 << 16];
		int f = open("/proc/vmstat", O_RDONLY);
		ssize_t n = read(f, text, sizeof(text) - 1);
		close(f);
		text[n > 0 ? n : 0] = '\0';
		char *p = strstr(text, "\npgmajfault ");
		majflt = p ? atoll(p + 12) : -1;
		p = strstr(text, "\nworkingset_refault_file ");
		refault = p ? atoll(p + 25) : -1;
		p = strstr(text, "\npgpgin ");
		pgpgin = p ? atoll(p + 8) : -1;
	}
	long long rss = field("/proc/self/smaps_rollup", "Rss:");
	struct { unsigned long long off, len; } range = { 0, 0 };
	struct { unsigned long long nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recent; } cs;
	long long file_cached = syscall(__NR_cachestat, fd, &range, &cs, 0) ? -1 : (long long)cs.nr_cache;
	if (!strcmp(name, "start")) {
		base_pgpgin = pgpgin;
		base_majflt = majflt;
		base_refault = refault;
	}
	fprintf(truth, "== %s\nCached %lld\npgpgin %lld\npgmajfault %lld\nworkingset_refault_file %lld\nRss %lld\n"
		"file_cached %lld\n",
		name, cached, pgpgin - base_pgpgin, majflt - base_majflt, refault - base_refault, rss,
		file_cached);
	fflush(truth);
}

static void rd(long page, long pages)
{
	if (pread(fd, buf, pages * PG, page * PG) != pages * PG) {
		perror("pread");
		exit(1);
	}
}

static void prep(const char *path)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(buf, 0x5a, sizeof(buf));
	for (long i = 0; i < FILE_PAGES * PG / (long)sizeof(buf); i++)
		if (write(f, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("write");
			exit(1);
		}
	fsync(f);
	close(f);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "prep")) {
		prep(argv[2]);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: %s prep FILE | run FILE TRUTH\n", argv[0]);
		return 2;
	}
	truth = fopen(argv[3], "w");
	fd = open(argv[2], O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	if (st.st_size != FILE_PAGES * PG) {
		fprintf(stderr, "%s: not prepared\n", argv[2]);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	step("start");

	/* sequential 4 KiB reads from offset 0 (read(2) at the file position) */
	if (read(fd, buf, PG) != PG)
		return 1;
	step("seq_page_0");
	if (read(fd, buf, PG) != PG)
		return 1;
	step("seq_page_1");
	for (long i = 2; i < 64; i++)
		if (read(fd, buf, PG) != PG)
			return 1;
	step("seq_pages_2_63");
	for (long i = 64; i < 1024; i++)
		if (read(fd, buf, PG) != PG)
			return 1;
	step("seq_pages_64_1023");

	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	step("dontneed_all");

	/* random reads: 16 pages under POSIX_FADV_RANDOM, 8 without */
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	static const long rnd[16] = { 3001, 17, 2222, 905, 3900, 1500, 77, 2700,
				      1203, 3333, 450, 2050, 3650, 999, 1800, 2900 };
	for (int i = 0; i < 16; i++)
		rd(rnd[i], 1);
	step("random_16_fadv_random");
	posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
	static const long rnd2[8] = { 3500, 250, 1100, 3150, 600, 2450, 3800, 1650 };
	for (int i = 0; i < 8; i++)
		rd(rnd2[i], 1);
	step("random_8_normal");

	/* WILLNEED of 1 MiB at 8 MiB, then a pause for its I/O */
	posix_fadvise(fd, 8L << 20, 1L << 20, POSIX_FADV_WILLNEED);
	usleep(200000);
	step("willneed_1M_at_8M");

	/* mmap read-around and fault-around */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	step("dontneed_all_2");
	char *m = mmap(BASE, FILE_PAGES * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	madvise(m + 2000 * PG, PG, MADV_POPULATE_READ);
	step("fault_page_2000");
	madvise(m + 2001 * PG, 64 * PG, MADV_POPULATE_READ);
	step("populate_2001_2064");

	/* re-read after DONTNEED: does the invalidation leave shadows (refaults)? */
	munmap(m, FILE_PAGES * PG);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	rd(0, 16);
	step("reread_16_after_dontneed");
	close(fd);
	fclose(truth);
	return 0;
}
