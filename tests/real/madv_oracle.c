/* madv_oracle.c - ground truth for partial application and past-end-of-file populates
 * (tests/e2e/madv_oracle.sh).
 *
 * Pinned to CPU 0, it changes memory only through system calls strace sees (no plain
 * loads or stores: this host maps no zero page, so read faults would allocate) and after
 * every step writes 1 to /proc/sys/vm/stat_refresh and reads /proc/self/smaps_rollup and
 * /proc/vmstat; at the end /proc/self/maps. What it read is written to argv[1]: per step
 * `== STEP name`, `# result CALL = R` for its calls, then Rss, Anonymous, Pss_Shmem,
 * LazyFree and pglazyfree; then `== MAPS` and the maps lines of its own mappings (all at
 * 0x600000000000 and up).
 *
 * Build and record (tests/real/README.md), as root:
 *   cc -O1 -o madv_oracle madv_oracle.c
 *   strace -f -tt -e trace=memory,process,desc,sched_setaffinity -o madv_oracle.strace \
 *       ./madv_oracle madv_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PG 4096UL
#define BASE ((char *)0x600000000000UL)

static char truth[1 << 20];
static size_t truth_len;
static char pending[1024];

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

static char buf[1 << 16], maps[1 << 16];

static void step(const char *name)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		exit(7);
	close(fd);
	OUT("== STEP %s\n%s", name, pending);
	pending[0] = '\0';
	slurp("/proc/self/smaps_rollup", buf, sizeof(buf));
	keep(buf, "Rss");
	keep(buf, "Anonymous");
	keep(buf, "Pss_Shmem");
	keep(buf, "LazyFree");
	slurp("/proc/vmstat", buf, sizeof(buf));
	keep(buf, "pglazyfree");
}

static void result(const char *call, long r)
{
	size_t n = strlen(pending);
	snprintf(pending + n, sizeof(pending) - n, "# result %s = %ld\n", call,
		 r < 0 ? (long)-errno : r);
}

static char *map_at(char *at, size_t pages, int prot, int flags, int fd)
{
	char *p = mmap(at, pages * PG, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED)
		exit(4);
	return p;
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 5;
	/* the program's own buffers written once before the first step, so that its steps'
	 * Rss changes are the mappings' alone */
	memset(truth, 0, sizeof(truth));
	memset(buf, 0, sizeof(buf));
	memset(maps, 0, sizeof(maps));
	step("start");
	/* P1: 16 pages written, a hole at pages 8-9; mprotect of all 16 read-only: the part
	 * before the hole becomes read-only (split there), ENOMEM */
	char *a = map_at(BASE, 16, RW, ANON, -1);
	result("madvise_populate_write", madvise(a, 16 * PG, MADV_POPULATE_WRITE));
	result("munmap", munmap(a + 8 * PG, 2 * PG));
	step("p1_setup");
	result("mprotect", mprotect(a, 16 * PG, PROT_READ));
	step("p1_mprotect_hole");
	/* P2: MADV_DONTNEED over the hole: both parts are zapped, ENOMEM */
	result("madvise_dontneed", madvise(a, 16 * PG, MADV_DONTNEED));
	step("p2_dontneed_hole");
	/* P3: MADV_POPULATE_WRITE over a hole: the part before is populated, ENOMEM */
	char *b = map_at(BASE + 0x100000, 16, RW, ANON, -1);
	result("munmap", munmap(b + 8 * PG, 2 * PG));
	result("madvise_populate_write", madvise(b, 16 * PG, MADV_POPULATE_WRITE));
	step("p3_populate_hole");
	/* P4: MADV_POPULATE_WRITE meeting a read-only VMA: the part before is populated,
	 * EINVAL; and starting on a PROT_NONE one: EINVAL at once */
	char *c = map_at(BASE + 0x200000, 8, RW, ANON, -1);
	result("mprotect", mprotect(c + 4 * PG, 4 * PG, PROT_READ));
	result("madvise_populate_write", madvise(c, 8 * PG, MADV_POPULATE_WRITE));
	step("p4_populate_readonly");
	result("mprotect", mprotect(c, 8 * PG, PROT_NONE));
	result("madvise_populate_write", madvise(c, 8 * PG, MADV_POPULATE_WRITE));
	step("p4_populate_none");
	/* E1: a memfd of 2 pages mapped over 4, shared: MADV_POPULATE_WRITE populates the 2
	 * pages and fails with EFAULT; MAP_POPULATE of the 4 pages maps the 2 and succeeds */
	int fd = memfd_create("eof", 0);
	result("ftruncate", ftruncate(fd, 2 * PG));
	char *m = map_at(BASE + 0x300000, 4, RW, MAP_SHARED, fd);
	result("madvise_populate_write", madvise(m, 4 * PG, MADV_POPULATE_WRITE));
	step("e1_populate_past_eof");
	char *m2 = map_at(BASE + 0x400000, 4, RW, MAP_SHARED | MAP_POPULATE, fd);
	step("e1_map_populate_past_eof");
	/* F1: MADV_FREE on a shared mapping fails with EINVAL; on 8 written private pages
	 * they become LazyFree (pglazyfree +8) */
	result("madvise_free_shared", madvise(m, 2 * PG, MADV_FREE));
	char *f = map_at(BASE + 0x500000, 8, RW, ANON, -1);
	result("madvise_populate_write", madvise(f, 8 * PG, MADV_POPULATE_WRITE));
	result("madvise_free", madvise(f, 8 * PG, MADV_FREE));
	step("f1_madv_free");
	/* F2: 4 of them written again: no longer lazily free */
	result("madvise_populate_write", madvise(f, 4 * PG, MADV_POPULATE_WRITE));
	step("f2_rewritten");
	/* the layout */
	slurp("/proc/self/maps", maps, sizeof(maps));
	OUT("== MAPS\n");
	for (char *l = maps; l && *l;) {
		char *e = strchr(l, '\n');
		if (!strncmp(l, "6000", 4))
			OUT("%.*s\n", (int)(e ? e - l : (long)strlen(l)), l);
		l = e ? e + 1 : NULL;
	}
	(void)m2;
	int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, truth, truth_len) != (ssize_t)truth_len)
		return 6;
	close(out);
	return 0;
}
