/* mlock_oracle.c - ground truth for mmsim's mlock model (tests/e2e/mlock_oracle.sh).
 *
 * Pinned to CPU 0 (the kernel's mlock folio batch is per CPU), it changes memory only
 * through system calls strace sees (mmap, munmap, mlock, mlock2, munlock, mlockall,
 * munlockall, madvise with MADV_POPULATE_WRITE in place of plain stores) and, after
 * every step, writes 1 to /proc/sys/vm/stat_refresh and reads /proc/self/smaps_rollup,
 * /proc/meminfo and /proc/vmstat. What it
 * read is kept and written at the end to argv[1]: per step `== STEP name`, then the
 * lines Rss and Locked of smaps_rollup, Mlocked and Unevictable of meminfo, the seven
 * unevictable_pgs_* counters of vmstat, and `# result CALL = -ERRNO` for a call expected
 * to fail. No read faults (this host maps no zero page).
 *
 * Build and record (tests/real/README.md), as root:
 *   cc -O1 -o mlock_oracle mlock_oracle.c
 *   strace -f -tt -e trace=memory,process,desc,sched_setaffinity -o mlock_oracle.strace \
 *       ./mlock_oracle mlock_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define PG 4096UL

static char truth[1 << 20];
static size_t truth_len;

#define OUT(...) (truth_len += (size_t)snprintf(truth + truth_len, sizeof(truth) - truth_len, __VA_ARGS__))

static size_t slurp(const char *path, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(2);
	while ((r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

/* The line of buf starting with key (followed by ':' or ' '), copied whole. */
static void keep(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl) && (p[kl] == ':' || p[kl] == ' ')) {
			const char *e = strchr(p, '\n');
			OUT("%.*s\n", (int)(e ? e - p : (long)strlen(p)), p);
			return;
		}
	}
	OUT("%s missing\n", key);
}

static char pending[256];

/* The kernel's per-CPU counter deltas are folded into the global counters first
 * (vm.stat_refresh), so that meminfo's Mlocked and Unevictable are exact. */
static void step(const char *name)
{
	static char buf[1 << 16];
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		exit(7);
	close(fd);
	OUT("== STEP %s\n%s", name, pending);
	pending[0] = '\0';
	slurp("/proc/self/smaps_rollup", buf, sizeof(buf));
	keep(buf, "Rss");
	keep(buf, "Locked");
	slurp("/proc/meminfo", buf, sizeof(buf));
	keep(buf, "Mlocked");
	keep(buf, "Unevictable");
	slurp("/proc/vmstat", buf, sizeof(buf));
	static const char *const ctr[] = { "unevictable_pgs_culled", "unevictable_pgs_scanned",
		"unevictable_pgs_rescued", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
		"unevictable_pgs_cleared", "unevictable_pgs_stranded" };
	for (unsigned i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		keep(buf, ctr[i]);
}

static void result(const char *call, int r)
{
	size_t n = strlen(pending);
	snprintf(pending + n, sizeof(pending) - n, "# result %s = %d\n", call, r < 0 ? -errno : r);
}

static void populate(void *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE))
		exit(3);
}

static char *map(size_t pages, int extra)
{
	char *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra,
		       -1, 0);
	if (p == MAP_FAILED)
		exit(4);
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 5;
	step("start");
	/* L1: 64 pages written, the middle 32 mlocked: three VMAs, 32 pages culled */
	char *a = map(64, 0);
	populate(a, 64 * PG);
	step("populate64");
	result("mlock", mlock(a + 16 * PG, 32 * PG));
	step("mlock32");
	/* L2: mlock2(MLOCK_ONFAULT) of 32 untouched pages: nothing faulted in; 8 written
	 * (mlocked, still in the CPU's batch), then 24 more (a full batch drains) */
	char *b = map(32, 0);
	result("mlock2", (int)syscall(SYS_mlock2, b, 32 * PG, MLOCK_ONFAULT));
	step("mlock2_onfault");
	populate(b, 8 * PG);
	step("onfault_write8");
	populate(b + 8 * PG, 24 * PG);
	step("onfault_write24");
	/* L3: munlock of the first 16 locked pages: they merge back with the pages below */
	result("munlock", munlock(a + 16 * PG, 16 * PG));
	step("munlock16");
	/* L4: MADV_DONTNEED on locked memory fails */
	result("madvise_dontneed", madvise(a + 32 * PG, 4 * PG, MADV_DONTNEED));
	step("dontneed_locked");
	/* L5: munmap of the other 16 locked pages: their munlock waits in the batch */
	result("munmap", munmap(a + 32 * PG, 16 * PG));
	step("munmap_locked16");
	/* L6: munmap of the onfault mapping: the drain at its start shows L5's pages */
	result("munmap", munmap(b, 32 * PG));
	step("munmap_onfault");
	/* L7: mlockall(MCL_FUTURE): a new mapping is populated and locked */
	result("mlockall", mlockall(MCL_FUTURE));
	step("mlockall_future");
	char *c = map(16, 0);
	step("mmap_future16");
	/* L8: munlockall */
	result("munlockall", munlockall());
	step("munlockall");
	/* L9: MAP_LOCKED, then munmap of it and of c */
	char *d = map(16, MAP_LOCKED);
	step("map_locked16");
	result("munmap", munmap(d, 16 * PG));
	step("munmap_map_locked");
	result("munmap", munmap(c, 16 * PG));
	step("munmap_c");
	/* L10: mlock2(MLOCK_ONFAULT) of written pages locks them at once */
	char *e = map(8, 0);
	populate(e, 8 * PG);
	result("mlock2", (int)syscall(SYS_mlock2, e, 8 * PG, MLOCK_ONFAULT));
	step("mlock2_present8");
	result("munmap", munmap(a, 32 * PG));
	step("munmap_a");
	result("munmap", munmap(e, 8 * PG));
	step("end");
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, truth, truth_len) != (ssize_t)truth_len)
		return 6;
	close(fd);
	return 0;
}
