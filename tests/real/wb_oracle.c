/* wb_oracle.c - dirty pages and writeback of a regular file on the real kernel, step by
 * step, for tests/e2e/wb_oracle.sh (tests/real/README.md).
 *
 * Run as root in a directory on a disk-backed filesystem (ext4 here):
 *	wb_oracle TRUTH [CGROUP_DIR]
 * It moves itself into a fresh memory cgroup (v1, CGROUP_DIR/wb_oracle, made and removed
 * by it; default: under its own memory cgroup), so that the cgroup's memory.stat shows the
 * page cache, Dirty and Writeback of this process's file alone (strace and the rest of the
 * machine stay outside). After every step it reads /proc/meminfo, /proc/vmstat and
 * /proc/self/smaps_rollup (the snapshots of the replay) and the cgroup's memory.stat, and
 * keeps under "== STEP" the cgroup's cache/dirty/writeback in kB, the global Dirty,
 * Writeback and Cached of meminfo, and the changes since the previous step of pgpgout,
 * nr_dirtied and nr_written (/proc/vmstat), plus Private_Dirty of smaps_rollup. The truth
 * is written at the end (writing it earlier would dirty pages of the cgroup).
 *
 * Steps: write 8 MiB with pwrite (4 KiB calls), fsync, map the file MAP_SHARED and write
 * its first 1 MiB (MADV_POPULATE_WRITE, so that strace sees the faults), msync MS_ASYNC
 * (does nothing), msync MS_SYNC, write the same 1 MiB again (the PTEs were write-protected
 * by the writeback: the faults dirty the pages again), fdatasync, pwrite 4 pages, map the
 * file read-only MAP_PRIVATE and read those pages (MADV_POPULATE_READ): Private_Dirty
 * shows the 4 dirty page cache pages (issue 15), sync_file_range(WRITE|WAIT_AFTER) of
 * them, then unmap, close and unlink. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define MIB (1024 * 1024)
#define FILE_SIZE (8 * MIB)
#define FNAME "wb_oracle.data"

static char truth[1 << 16];
static size_t tlen;
static char cgdir[512];

static void tprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tlen += (size_t)vsnprintf(truth + tlen, sizeof(truth) - tlen, fmt, ap);
	va_end(ap);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One open, one read, one close: one snapshot in the log. */
static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		die(path);
	buf[n] = '\0';
	close(fd);
}

static long long field(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == ':'))
			return atoll(p + kl + 1 + strspn(p + kl + 1, " \t"));
	fprintf(stderr, "no %s\n", key);
	exit(1);
}

static long long prev[3];
static int first = 1;

static void step(const char *name)
{
	static char buf[1 << 16];
	long long dirty, wb, cached, v[3], pd;
	slurp("/proc/meminfo", buf, sizeof(buf));
	dirty = field(buf, "Dirty");
	wb = field(buf, "Writeback");
	cached = field(buf, "Cached");
	slurp("/proc/vmstat", buf, sizeof(buf));
	v[0] = field(buf, "pgpgout");
	v[1] = field(buf, "nr_dirtied");
	v[2] = field(buf, "nr_written");
	slurp("/proc/self/smaps_rollup", buf, sizeof(buf));
	pd = field(buf, "Private_Dirty");
	char path2[600];
	snprintf(path2, sizeof(path2), "%s/memory.stat", cgdir);
	slurp(path2, buf, sizeof(buf));
	tprintf("== %s\n", name);
	tprintf("cgroup cache %lld kB dirty %lld kB writeback %lld kB\n",
		field(buf, "cache") / 1024, field(buf, "dirty") / 1024, field(buf, "writeback") / 1024);
	tprintf("Dirty: %lld kB\nWriteback: %lld kB\nCached: %lld kB\n", dirty, wb, cached);
	static const char *const names[] = { "pgpgout", "nr_dirtied", "nr_written" };
	for (int i = 0; i < 3; i++) {
		tprintf("%s %+lld\n", names[i], first ? 0 : v[i] - prev[i]);
		prev[i] = v[i];
	}
	tprintf("Private_Dirty: %lld kB\n", pd);
	first = 0;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: wb_oracle TRUTH [CGROUP_DIR]\n");
		return 2;
	}
	/* a memory cgroup of our own, under the one we are in (v1) */
	char base[400];
	if (argc > 2) {
		snprintf(base, sizeof(base), "%s", argv[2]);
	} else {
		FILE *f = fopen("/proc/self/cgroup", "r");
		char line[512];
		base[0] = '\0';
		while (f && fgets(line, sizeof(line), f)) {
			char *m = strstr(line, ":memory:");
			if (m) {
				m[strcspn(m, "\n")] = '\0';
				snprintf(base, sizeof(base), "/sys/fs/cgroup/memory%s", m + 8);
			}
		}
		if (f)
			fclose(f);
	}
	snprintf(cgdir, sizeof(cgdir), "%s/wb_oracle", base);
	if (mkdir(cgdir, 0755) && errno != EEXIST)
		die(cgdir);
	char path[600], pid[32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	write_str(path, pid);

	static char chunk[MIB];
	memset(chunk, 'w', sizeof(chunk));
	unlink(FNAME);
	step("start");
	int fd = open(FNAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(FNAME);
	/* 4 KiB calls: a longer write would make ext4 (6.16 and later) cache the file in large
	 * folios, dirtied and written whole; 6.1 and mmsim have 4 KiB pages */
	for (long off = 0; off < FILE_SIZE; off += 4096)
		if (pwrite(fd, chunk, 4096, off) != 4096)
			die("pwrite");
	step("W1_pwrite_8M");
	if (fsync(fd))
		die("fsync");
	step("W2_fsync");
	char *m = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	step("M1_mmap_shared_8M");
	if (madvise(m, MIB, MADV_POPULATE_WRITE))
		die("madvise");
	step("M2_write_1M");
	if (msync(m, FILE_SIZE, MS_ASYNC))
		die("msync async");
	step("M3_msync_async");
	if (msync(m, FILE_SIZE, MS_SYNC))
		die("msync sync");
	step("M4_msync_sync");
	if (madvise(m, MIB, MADV_POPULATE_WRITE))
		die("madvise");
	step("M5_write_1M_again");
	if (fdatasync(fd))
		die("fdatasync");
	step("M6_fdatasync");
	munmap(m, FILE_SIZE);
	if (pwrite(fd, chunk, 4 * 4096, 4 * MIB) != 4 * 4096)
		die("pwrite");
	step("P1_pwrite_4_pages");
	char *r = mmap(NULL, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (r == MAP_FAILED)
		die("mmap");
	if (madvise(r + 4 * MIB, 4 * 4096, MADV_POPULATE_READ))
		die("madvise");
	step("P2_private_read_4_pages");
	if (sync_file_range(fd, 4 * MIB, 4 * 4096, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER))
		die("sync_file_range");
	step("P3_sync_file_range");
	munmap(r, FILE_SIZE);
	close(fd);
	unlink(FNAME);
	step("E1_unlink");

	/* back to the parent cgroup, then the truth */
	snprintf(path, sizeof(path), "%s/cgroup.procs", base);
	write_str(path, pid);
	rmdir(cgdir);

	FILE *t = fopen(argv[1], "w");
	if (!t || fwrite(truth, 1, tlen, t) != tlen || fclose(t))
		die(argv[1]);
	return 0;
}
