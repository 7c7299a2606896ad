/* fork_oracle.c - ground truth for the fork advice (tests/e2e/fork_oracle.sh):
 * MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK and MADV_KEEPONFORK, and what the child of
 * a fork gets for each: no VMA, an empty one, or the parent's pages shared copy-on-write.
 *
 * Pinned to CPU 0, it changes memory only through system calls strace sees (no plain
 * loads or stores to its mappings: this host maps no zero page, so read faults would
 * allocate) and after every step reads /proc/self/smaps_rollup and /proc/self/smaps. What
 * it read is written to argv[1] (the parent's steps) and argv[1].child (the child's): per
 * step `== STEP name`, `# result CALL = R` for its calls, smaps_rollup's Anonymous, then
 * one line per VMA of its own mappings (all at 0x600000000000 and up):
 * `VMA start-end perms Rss Pss Anonymous Shared_Dirty Private_Dirty dc wf` (kB; dc and
 * wf 1 when VmFlags has them).
 *
 * Build and record (tests/real/README.md):
 *   cc -O1 -o fork_oracle fork_oracle.c
 *   strace -f -tt -e trace=memory,process,desc,sched_setaffinity -o fork_oracle.strace \
 *       ./fork_oracle fork_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#define BASE ((char *)0x600000000000UL)
#define MB 0x100000UL

static char truth[1 << 20];
static size_t truth_len;
static char pending[1024];

#define OUT(...) (truth_len += (size_t)snprintf(truth + truth_len, sizeof(truth) - truth_len, __VA_ARGS__))

static char buf[1 << 17];

static size_t slurp(const char *path)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(2);
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

static long field(const char *from, const char *end, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = from; p && p < end; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

static void step(const char *name)
{
	OUT("== STEP %s\n%s", name, pending);
	pending[0] = '\0';
	slurp("/proc/self/smaps_rollup");
	OUT("Anonymous %ld\n", field(buf, buf + strlen(buf), "Anonymous"));
	slurp("/proc/self/smaps");
	/* each VMA: its header line, then its fields up to the next header */
	for (char *l = buf; l && *l;) {
		char *e = strchr(l, '\n');
		if (!strncmp(l, "6000", 4)) {
			char *next = e;
			while (next && next[1] && !(strchr("0123456789abcdef", next[1]) &&
						    strchr(next + 1, '-') < strchr(next + 1, ' ')))
				next = strchr(next + 1, '\n');
			const char *end = next ? next : l + strlen(l);
			char range[64], perms[8];
			sscanf(l, "%63s %7s", range, perms);
			const char *vf = strstr(l, "VmFlags:");
			const char *vfe = vf ? strchr(vf, '\n') : NULL;
			int dc = 0, wf = 0;
			if (vf && vf < end) {
				for (const char *q = vf; q < (vfe ? vfe : end); q++) {
					dc |= !strncmp(q, " dc", 3) && (q[3] == ' ' || q[3] == '\n');
					wf |= !strncmp(q, " wf", 3) && (q[3] == ' ' || q[3] == '\n');
				}
			}
			OUT("VMA %s %s %ld %ld %ld %ld %ld %d %d\n", range, perms,
			    field(l, end, "Rss"), field(l, end, "Pss"), field(l, end, "Anonymous"),
			    field(l, end, "Shared_Dirty"), field(l, end, "Private_Dirty"), dc, wf);
			l = next ? next + 1 : NULL;
			continue;
		}
		l = e ? e + 1 : NULL;
	}
}

static void result(const char *call, long r)
{
	size_t n = strlen(pending);
	snprintf(pending + n, sizeof(pending) - n, "# result %s = %ld\n", call,
		 r < 0 ? (long)-errno : r);
}

static char *map_at(char *at, size_t pages, int flags)
{
	char *p = mmap(at, pages * PG, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		exit(4);
	return p;
}

static void save(const char *path)
{
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, truth, truth_len) != (ssize_t)truth_len)
		exit(6);
	close(out);
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 5;
	memset(truth, 0, sizeof(truth));
	memset(buf, 0, sizeof(buf));
	step("start");
	/* A: plain, shared copy-on-write with the child; B: MADV_DONTFORK, the child gets no
	 * VMA; C: MADV_WIPEONFORK, the child gets an empty VMA; D: DONTFORK undone by DOFORK;
	 * E: WIPEONFORK undone by KEEPONFORK; F: WIPEONFORK on its middle 4 pages (split) */
	char *a = map_at(BASE, 16, ANON);
	char *b = map_at(BASE + 1 * MB, 16, ANON);
	char *c = map_at(BASE + 2 * MB, 16, ANON);
	char *d = map_at(BASE + 3 * MB, 16, ANON);
	char *e = map_at(BASE + 4 * MB, 16, ANON);
	char *f = map_at(BASE + 5 * MB, 16, ANON);
	for (char *p = BASE; p <= f; p += MB)
		result("madvise_populate_write", madvise(p, 16 * PG, MADV_POPULATE_WRITE));
	step("populated");
	result("madvise_dontfork", madvise(b, 16 * PG, MADV_DONTFORK));
	result("madvise_wipeonfork", madvise(c, 16 * PG, MADV_WIPEONFORK));
	result("madvise_dontfork", madvise(d, 16 * PG, MADV_DONTFORK));
	result("madvise_dofork", madvise(d, 16 * PG, MADV_DOFORK));
	result("madvise_wipeonfork", madvise(e, 16 * PG, MADV_WIPEONFORK));
	result("madvise_keeponfork", madvise(e, 16 * PG, MADV_KEEPONFORK));
	result("madvise_wipeonfork", madvise(f + 4 * PG, 4 * PG, MADV_WIPEONFORK));
	step("advised");
	/* G: MADV_WIPEONFORK on a shared mapping fails with EINVAL; H: DONTFORK on a range
	 * with a hole (unmapped page) fails with ENOMEM after advising the part before */
	char *g = map_at(BASE + 6 * MB, 4, MAP_SHARED | MAP_ANONYMOUS);
	result("madvise_wipeonfork_shared", madvise(g, 4 * PG, MADV_WIPEONFORK));
	char *h = map_at(BASE + 7 * MB, 8, ANON);
	result("munmap", munmap(h + 4 * PG, PG));
	result("madvise_populate_write", madvise(h, 8 * PG, MADV_POPULATE_WRITE));
	result("madvise_populate_write", madvise(h, 4 * PG, MADV_POPULATE_WRITE));
	result("madvise_dontfork_hole", madvise(h, 8 * PG, MADV_DONTFORK));
	step("errors");
	pid_t pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		truth_len = 0;
		step("child_start");
		/* the wiped VMA faults in fresh pages; the missing one is a hole */
		result("madvise_populate_write", madvise(c, 16 * PG, MADV_POPULATE_WRITE));
		result("madvise_populate_write_missing", madvise(b, 16 * PG, MADV_POPULATE_WRITE));
		step("child_populate_wiped");
		/* writing the shared pages breaks copy-on-write: the child's own copies */
		result("madvise_populate_write", madvise(a, 8 * PG, MADV_POPULATE_WRITE));
		result("madvise_populate_write", madvise(f, 16 * PG, MADV_POPULATE_WRITE));
		step("child_cow");
		result("munmap", munmap(d, 16 * PG));
		step("child_munmap");
		char path[4096];
		snprintf(path, sizeof(path), "%s.child", argv[1]);
		save(path);
		_exit(0);
	}
	int st;
	result("wait4", waitpid(pid, &st, 0));
	step("after_child");
	/* a second fork after KEEPONFORK/DOFORK were undone on C and B */
	result("madvise_dofork", madvise(b, 16 * PG, MADV_DOFORK));
	result("madvise_keeponfork", madvise(c, 16 * PG, MADV_KEEPONFORK));
	step("undone");
	(void)e;
	(void)g;
	save(argv[1]);
	return 0;
}
