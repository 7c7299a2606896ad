/* hugetlb_oracle.c - ground truth for mmsim's hugetlb model: HugePages_Total/Free/Rsvd/Surp
 * of the real kernel after every step of the scenarios of reference/hugetlb.md §11.
 *
 * Run as root: the program sizes the pool itself, by writing numbers to
 * /proc/sys/vm/nr_hugepages and nr_overcommit_hugepages (strace shows the open and the
 * write, which the importer turns into sysctl ops), and restores the values it found at
 * the end. Memory is touched only through madvise(MADV_POPULATE_WRITE/READ), never by
 * loads or stores, so that strace sees every fault; a fault the kernel refuses (SIGBUS
 * for a plain access) shows as madvise failing with EFAULT, and no signal is raised.
 * Every scenario starts and ends with nothing mapped and no file or segment open.
 *
 * After every step the program reads /proc/meminfo (open, one read, close: the importer
 * makes that read a snapshot) and keeps, under "== STEP meminfo", the four HugePages_
 * lines as read, then "# spec T/F/R/S" (the figures of the reference, "-" where it gives
 * none) and, for calls expected to fail, "# result CALL = -ERRNO". Children take their
 * steps while the parent waits in waitpid() (and then sleeps 50 ms, so that a replay
 * that follows the recorded gaps keeps the order): the truth is kept in a shared
 * anonymous buffer and written to argv[1] at the end, in the order the steps ran.
 * A child that must wait for its parent's step blocks in sigwaitinfo(SIGUSR1) after
 * a first traced call, and the parent sends SIGUSR1 after its step.
 *
 * Build and record (tests/real/README.md):
 *   cc -O1 -o hugetlb_oracle hugetlb_oracle.c
 *   strace -f -tt -e trace=memory,process,ipc,desc -s 64 -o hugetlb_oracle.strace \
 *       ./hugetlb_oracle hugetlb_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#endif

#define HP (2UL << 20)
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define NR_OVERCOMMIT "/proc/sys/vm/nr_overcommit_hugepages"
#define TRUTH_SIZE (1UL << 20)

#define HUGE_ANON (MAP_ANONYMOUS | MAP_HUGETLB)
#define RW (PROT_READ | PROT_WRITE)

/* The truth, shared with the children: its length first, then the text. */
static struct truth {
	size_t len;
	unsigned mismatches;
	char text[TRUTH_SIZE - 64];
} *truth;

static long orig_pages, orig_overcommit;
static char note[256];          /* "# result ..." lines of the current step */

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(2, buf, (size_t)n) < 0)
		_exit(9);
}

static void sysctl_write(const char *path, long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", v);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		say("cannot write %ld to %s: %s\n", v, path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static long sysctl_read(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		say("cannot read %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
	return atol(buf);
}

static void restore_and_exit(int status)
{
	sysctl_write(NR_HUGEPAGES, orig_pages);
	sysctl_write(NR_OVERCOMMIT, orig_overcommit);
	exit(status);
}

static void fail(const char *what)
{
	say("hugetlb_oracle: %s: %s\n", what, strerror(errno));
	restore_and_exit(3);
}

/* Read /proc/meminfo once; keep its four HugePages_ lines under the step's name, with the
 * expected figures and the step's note; out (if not NULL) gets T/F/R/S. spec: "T/F/R/S"
 * as the reference gives them, "~T/F/R/S" for a step it gives no figures for (worked out
 * here from its rules, kept as "# derived"), or "-". */
static void step(const char *name, const char *spec, long out[4])
{
	static const char *const keys[4] = { "HugePages_Total:", "HugePages_Free:",
					     "HugePages_Rsvd:", "HugePages_Surp:" };
	char buf[16384];
	long v[4] = { -1, -1, -1, -1 };
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		fail("open /proc/meminfo");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		fail("read /proc/meminfo");
	buf[n] = '\0';
	char *t = truth->text + truth->len;
	size_t room = sizeof(truth->text) - truth->len;
	int w = snprintf(t, room, "== %s meminfo\n", name);
	for (int i = 0; i < 4; i++) {
		char *l = strstr(buf, keys[i]);
		if (!l)
			fail("HugePages_ line missing");
		char *e = strchr(l, '\n');
		w += snprintf(t + w, room - (size_t)w, "%.*s\n", (int)(e - l), l);
		v[i] = atol(l + strlen(keys[i]));
	}
	char real[64];
	snprintf(real, sizeof(real), "%ld/%ld/%ld/%ld", v[0], v[1], v[2], v[3]);
	bool derived = spec[0] == '~';
	if (derived)
		spec++;
	w += snprintf(t + w, room - (size_t)w, "# %s %s\n%s", derived ? "derived" : "spec", spec,
		      note);
	truth->len += (size_t)w;
	note[0] = '\0';
	if (strcmp(spec, "-") && strcmp(spec, real)) {
		truth->mismatches++;
		say("step %s: real %s, %s %s\n", name, real, derived ? "derived" : "reference", spec);
	}
	if (out)
		memcpy(out, v, sizeof(v));
}

/* Note a call's result for the truth; complain when it is not the expected one. */
static void expect(const char *call, int ret_errno, int want_errno)
{
	size_t l = strlen(note);
	if (ret_errno)
		snprintf(note + l, sizeof(note) - l, "# result %s = -%s\n", call,
			 strerrorname_np(ret_errno));
	else
		snprintf(note + l, sizeof(note) - l, "# result %s = 0\n", call);
	if (ret_errno != want_errno)
		say("%s: %s, expected %s\n", call, ret_errno ? strerrorname_np(ret_errno) : "success",
		    want_errno ? strerrorname_np(want_errno) : "success");
}

static void pool(long pages, long overcommit, const char *name, const char *spec)
{
	sysctl_write(NR_OVERCOMMIT, overcommit);
	sysctl_write(NR_HUGEPAGES, pages);
	step(name, spec, NULL);
}

/* The end of all scenarios: nothing reserved, no surplus, the whole pool free. */
static void check_idle(const char *name)
{
	long v[4];
	step(name, "~8/8/0/0", v);
	if (v[1] != v[0] || v[2] || v[3])
		say("%s: not back to an idle pool: %ld/%ld/%ld/%ld\n", name, v[0], v[1], v[2], v[3]);
}

static char *map(size_t pages, int flags)
{
	char *p = mmap(NULL, pages * HP, RW, flags, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	return p;
}

static char *map_fd(size_t pages, int flags, int fd, size_t first)
{
	char *p = mmap(NULL, pages * HP, RW, flags, fd, (off_t)(first * HP));
	if (p == MAP_FAILED)
		fail("mmap of a file");
	return p;
}

/* mmap that must fail with ENOMEM */
static void map_fails(size_t pages, int flags, const char *what)
{
	char *p = mmap(NULL, pages * HP, RW, flags, -1, 0);
	expect(what, p == MAP_FAILED ? errno : 0, ENOMEM);
	if (p != MAP_FAILED)
		munmap(p, pages * HP);
}

/* Fault huge page i of a mapping in, for writing or reading: 0 or the errno. */
static int touch(char *base, size_t i, int advice)
{
	return madvise(base + i * HP, HP, advice) ? errno : 0;
}

static void wr(char *base, size_t i)
{
	if (touch(base, i, MADV_POPULATE_WRITE))
		fail("MADV_POPULATE_WRITE");
}

static void rd(char *base, size_t i)
{
	if (touch(base, i, MADV_POPULATE_READ))
		fail("MADV_POPULATE_READ");
}

static void unmap(char *p, size_t pages)
{
	if (munmap(p, pages * HP))
		fail("munmap");
}

static int memfd(size_t pages, unsigned flags)
{
	int fd = memfd_create("hugetlb_oracle", flags);
	if (fd < 0)
		fail("memfd_create");
	if (ftruncate(fd, (off_t)(pages * HP)))
		fail("ftruncate");
	return fd;
}

/* 50 ms of nothing strace shows: the margin that keeps a replay in the real order. */
static void gap(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* The parent's side of a child's steps: wait for it, then leave a gap. */
static void reap(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		say("child %d failed (status 0x%x)\n", (int)pid, st);
		restore_and_exit(4);
	}
	gap();
}

/* A child's wait for its parent's SIGUSR1 (blocked in every process since the start). */
static void wait_parent(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (sigwaitinfo(&s, NULL) != SIGUSR1)
		_exit(5);
}

/* After the parent's step: a gap, then the child may go on. */
static void release_child(pid_t pid)
{
	gap();
	if (kill(pid, SIGUSR1))
		fail("kill");
}

/* ---- the scenarios (pool 8 unless stated) ---- */

static void h1_private_partial_touch(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON | MAP_HUGE_2MB);
	step("H1_mmap_4P", "8/8/4/0", NULL);
	wr(a, 0);
	wr(a, 2);
	step("H1_write_p0_p2", "8/6/2/0", NULL);
	rd(a, 3);
	step("H1_read_p3", "8/5/1/0", NULL);
	wr(a, 0);
	step("H1_write_p0_again", "8/5/1/0", NULL);
	unmap(a, 4);
	step("H1_munmap", "8/8/0/0", NULL);
}

static void h2_seed_split(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON);
	step("H2_mmap_4P", "8/8/4/0", NULL);
	wr(a, 0);
	step("H2_write_p0", "8/7/3/0", NULL);
	unmap(a + 1 * HP, 1);
	step("H2_munmap_p1", "8/7/2/0", NULL);
	wr(a, 3);
	step("H2_write_p3", "8/6/1/0", NULL);
	unmap(a, 1);
	step("H2_munmap_p0", "8/7/1/0", NULL);
	unmap(a + 2 * HP, 2);
	step("H2_munmap_p2_p3", "8/8/0/0", NULL);
}

static void h3_mprotect_split(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON);
	step("H3_mmap_4P", "8/8/4/0", NULL);
	wr(a, 0);
	step("H3_write_p0", "8/7/3/0", NULL);
	if (mprotect(a + 2 * HP, HP, PROT_READ))
		fail("mprotect");
	step("H3_mprotect_p2_ro", "8/7/3/0", NULL);
	rd(a, 2);
	step("H3_read_p2", "8/6/2/0", NULL);
	if (mprotect(a + 2 * HP, HP, RW))
		fail("mprotect");
	step("H3_mprotect_p2_rw", "8/6/2/0", NULL);
	unmap(a, 4);
	step("H3_munmap", "8/8/0/0", NULL);
}

static void h4_fork_cow(void)
{
	/* the child first: it reads and writes while the parent waits */
	char *a = map(2, MAP_PRIVATE | HUGE_ANON);
	wr(a, 0);
	step("H4_mmap_2P_write_p0", "8/7/1/0", NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		rd(a, 0);
		step("H4_child_read_p0", "8/7/1/0", NULL);
		wr(a, 0);
		step("H4_child_write_p0", "8/6/1/0", NULL);
		rd(a, 1);
		step("H4_child_read_p1", "8/5/1/0", NULL);
		_exit(0);
	}
	reap(pid);
	step("H4_child_exited", "8/7/1/0", NULL);
	wr(a, 0);
	step("H4_parent_write_p0", "8/7/1/0", NULL);
	wr(a, 1);
	step("H4_parent_write_p1", "8/6/0/0", NULL);
	unmap(a, 2);
	step("H4_munmap", "8/8/0/0", NULL);

	/* the parent first: it writes while the child still maps the page */
	a = map(2, MAP_PRIVATE | HUGE_ANON);
	wr(a, 0);
	step("H4p_mmap_2P_write_p0", "8/7/1/0", NULL);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		rd(a, 0);               /* present already: changes nothing */
		wait_parent();
		_exit(0);
	}
	wr(a, 0);
	step("H4p_parent_write_p0", "8/6/1/0", NULL);
	release_child(pid);
	reap(pid);
	step("H4p_child_exited", "8/7/1/0", NULL);
	unmap(a, 2);
	step("H4p_munmap", "8/8/0/0", NULL);
}

/* pool 2: the owner's COW takes the page from the child */
static void h5_cow_exhausted(void)
{
	char *a = map(2, MAP_PRIVATE | HUGE_ANON);
	step("H5_mmap_2P", "2/2/2/0", NULL);
	wr(a, 0);
	wr(a, 1);
	step("H5_write_p0_p1", "2/0/0/0", NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		rd(a, 1);               /* present already: changes nothing */
		wait_parent();
		expect("child MADV_POPULATE_READ p1", touch(a, 1, MADV_POPULATE_READ), 0);
		step("H5_child_read_p1", "~2/0/0/0", NULL);
		expect("child MADV_POPULATE_READ p0", touch(a, 0, MADV_POPULATE_READ), EFAULT);
		step("H5_child_read_p0_sigbus", "~2/0/0/0", NULL);
		_exit(0);
	}
	wr(a, 0);
	step("H5_parent_write_p0", "2/0/0/0", NULL);
	release_child(pid);
	reap(pid);
	step("H5_child_exited", "~2/0/0/0", NULL);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		expect("child MADV_POPULATE_WRITE p1", touch(a, 1, MADV_POPULATE_WRITE), EFAULT);
		step("H5_child2_write_p1_sigbus", "~2/0/0/0", NULL);
		_exit(0);
	}
	reap(pid);
	step("H5_child2_exited", "~2/0/0/0", NULL);
	unmap(a, 2);
	step("H5_munmap", "2/2/0/0", NULL);
}

static void h6_memfd_shared_twice(void)
{
	int fd = memfd(4, MFD_HUGETLB);
	step("H6_memfd_ftruncate_4", "8/8/0/0", NULL);
	char *a = map_fd(4, MAP_SHARED, fd, 0);
	step("H6_mmap_S_0_4", "8/8/4/0", NULL);
	char *b = map_fd(2, MAP_SHARED, fd, 2);
	step("H6_mmap_S_2_4", "8/8/4/0", NULL);
	wr(a, 0);                   /* file page 0 */
	wr(b, 0);                   /* file page 2 */
	step("H6_write_f0_via_a_f2_via_b", "8/6/2/0", NULL);
	unmap(a, 4);
	unmap(b, 2);
	step("H6_munmap_both", "8/6/2/0", NULL);
	a = map_fd(4, MAP_SHARED, fd, 0);
	step("H6_mmap_again", "8/6/2/0", NULL);
	unmap(a, 4);
	step("H6_munmap_again", "~8/6/2/0", NULL);
	close(fd);
	step("H6_close", "8/8/0/0", NULL);
}

static void h7_noreserve(void)
{
	char *nr = map(4, MAP_PRIVATE | HUGE_ANON | MAP_NORESERVE);
	step("H7_mmap_4P_NR", "8/8/0/0", NULL);
	wr(nr, 0);
	wr(nr, 1);
	step("H7_NR_write_p0_p1", "8/6/0/0", NULL);
	char *a = map(6, MAP_PRIVATE | HUGE_ANON);
	step("H7_mmap_6P", "8/6/6/0", NULL);
	expect("MADV_POPULATE_WRITE NR p2", touch(nr, 2, MADV_POPULATE_WRITE), EFAULT);
	step("H7_NR_write_p2_sigbus", "8/6/6/0", NULL);
	unmap(a, 6);
	step("H7_munmap_6P", "8/6/0/0", NULL);
	unmap(nr, 4);
	step("H7_munmap_NR", "8/8/0/0", NULL);
	nr = map(16, MAP_PRIVATE | HUGE_ANON | MAP_NORESERVE);
	step("H7_mmap_16P_NR", "~8/8/0/0", NULL);
	for (size_t i = 0; i < 8; i++)
		wr(nr, i);
	step("H7_NR_write_8", "~8/0/0/0", NULL);
	expect("MADV_POPULATE_WRITE NR p8", touch(nr, 8, MADV_POPULATE_WRITE), EFAULT);
	step("H7_NR_write_p8_sigbus", "~8/0/0/0", NULL);
	unmap(nr, 16);
	step("H7_munmap_16P_NR", "~8/8/0/0", NULL);
}

static void h8_too_large(void)
{
	map_fails(9, MAP_PRIVATE | HUGE_ANON, "mmap 9P");
	step("H8_mmap_9P_enomem", "~8/8/0/0", NULL);
	map_fails(9, MAP_SHARED | HUGE_ANON, "mmap 9S");
	step("H8_mmap_9S_enomem", "8/8/0/0", NULL);
	char *a = map(5, MAP_PRIVATE | HUGE_ANON);
	step("H8_mmap_5P", "8/8/5/0", NULL);
	wr(a, 0);
	step("H8_write_p0", "8/7/4/0", NULL);
	char *b = map(3, MAP_PRIVATE | HUGE_ANON);
	step("H8_mmap_3P", "8/7/7/0", NULL);
	map_fails(1, MAP_PRIVATE | HUGE_ANON, "mmap 1P");
	step("H8_mmap_1P_enomem", "~8/7/7/0", NULL);
	unmap(a, 5);
	unmap(b, 3);
	step("H8_munmap_all", "8/8/0/0", NULL);
}

/* pool 2, overcommit 3 */
static void h9_overcommit(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON);
	step("H9_mmap_4P", "4/4/4/2", NULL);
	wr(a, 0);
	step("H9_write_p0", "4/3/3/2", NULL);
	unmap(a, 4);
	step("H9_munmap", "2/2/0/0", NULL);
	a = map(4, MAP_PRIVATE | HUGE_ANON);
	for (size_t i = 0; i < 4; i++)
		wr(a, i);
	step("H9_mmap_4P_write_all", "4/0/0/2", NULL);
	unmap(a, 4);
	step("H9_munmap_2", "2/2/0/0", NULL);
	char *nr = map(6, MAP_PRIVATE | HUGE_ANON | MAP_NORESERVE);
	for (size_t i = 0; i < 4; i++)
		wr(nr, i);
	step("H9_mmap_6P_NR_write_4", "4/0/0/2", NULL);
	map_fails(2, MAP_PRIVATE | HUGE_ANON, "mmap 2P");
	step("H9_mmap_2P_enomem", "4/0/0/2", NULL);
	a = map(1, MAP_PRIVATE | HUGE_ANON);
	step("H9_mmap_1P", "5/1/1/3", NULL);
	unmap(a, 1);
	step("H9_munmap_1P", "4/0/0/2", NULL);
	unmap(nr, 6);
	step("H9_munmap_NR", "2/2/0/0", NULL);
}

static void punch(int fd, size_t first, size_t pages)
{
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, (off_t)(first * HP),
		      (off_t)(pages * HP)))
		fail("fallocate punch");
}

static void h10_punch_truncate(void)
{
	int fd = memfd(4, MFD_HUGETLB | (21U << 26));   /* MFD_HUGE_2MB */
	char *a = map_fd(4, MAP_SHARED, fd, 0);
	step("H10_memfd_4_mmap_S", "8/8/4/0", NULL);
	wr(a, 0);
	wr(a, 1);
	step("H10_write_p0_p1", "8/6/2/0", NULL);
	punch(fd, 1, 2);
	step("H10_punch_1_3", "8/7/2/0", NULL);
	wr(a, 2);
	step("H10_write_p2", "8/6/1/0", NULL);
	wr(a, 1);
	step("H10_write_p1", "8/5/1/0", NULL);
	if (fallocate(fd, 0, (off_t)(3 * HP), (off_t)HP))
		fail("fallocate");
	step("H10_fallocate_p3", "8/4/0/0", NULL);
	unmap(a, 4);
	step("H10_munmap", "~8/4/0/0", NULL);
	if (ftruncate(fd, (off_t)HP))
		fail("ftruncate");
	step("H10_ftruncate_1", "8/7/0/0", NULL);
	close(fd);
	step("H10_close", "8/8/0/0", NULL);

	fd = memfd(4, MFD_HUGETLB);
	a = map_fd(4, MAP_SHARED, fd, 0);
	wr(a, 0);
	wr(a, 1);
	step("H10b_memfd_mmap_write_p0_p1", "8/6/2/0", NULL);
	if (ftruncate(fd, (off_t)HP))
		fail("ftruncate");
	step("H10b_ftruncate_1_mapped", "8/7/0/0", NULL);
	unmap(a, 4);
	step("H10b_munmap", "~8/7/0/0", NULL);
	close(fd);
	step("H10b_close", "8/8/0/0", NULL);

	fd = memfd(4, MFD_HUGETLB);
	a = map_fd(4, MAP_SHARED, fd, 0);
	step("H10c_memfd_mmap_S", "~8/8/4/0", NULL);
	punch(fd, 0, 4);
	step("H10c_punch_all_unfaulted", "8/8/4/0", NULL);
	unmap(a, 4);
	step("H10c_munmap", "~8/8/4/0", NULL);
	close(fd);
	step("H10c_close", "8/8/0/0", NULL);
}

static void h11_mremap(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON);
	wr(a, 0);
	step("H11_mmap_4P_write_p0", "8/7/3/0", NULL);
	/* a free, huge-page aligned place to move to: a normal mapping given back */
	char *hole = mmap(NULL, 6 * HP, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hole == MAP_FAILED)
		fail("mmap hole");
	char *to = (char *)(((unsigned long)hole + HP - 1) & ~(HP - 1));
	if (munmap(hole, 6 * HP))
		fail("munmap hole");
	char *b = mremap(a, 4 * HP, 4 * HP, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (b != to)
		fail("mremap move");
	step("H11_mremap_move", "8/7/3/0", NULL);
	wr(b, 1);
	step("H11_write_p1", "8/6/2/0", NULL);
	if (mremap(b, 4 * HP, 2 * HP, 0) != b)
		fail("mremap shrink");
	step("H11_mremap_shrink_4_2", "8/6/0/0", NULL);
	char *c = mremap(b, 2 * HP, 4 * HP, MREMAP_MAYMOVE);
	expect("mremap grow 2->4", c == MAP_FAILED ? errno : 0, EINVAL);
	if (c != MAP_FAILED)
		b = c;
	step("H11_mremap_grow_einval", "~8/6/0/0", NULL);
	unmap(b, c == MAP_FAILED ? 2 : 4);
	step("H11_munmap", "8/8/0/0", NULL);
}

static void h12_shm(void)
{
	int id = shmget(IPC_PRIVATE, 4 * HP, SHM_HUGETLB | IPC_CREAT | 0600);
	if (id < 0)
		fail("shmget");
	step("H12_shmget_4", "8/8/4/0", NULL);
	char *a = shmat(id, NULL, 0);
	if (a == (void *)-1)
		fail("shmat");
	step("H12_shmat", "8/8/4/0", NULL);
	wr(a, 0);
	wr(a, 3);
	step("H12_write_p0_p3", "8/6/2/0", NULL);
	char *b = shmat(id, NULL, 0);
	if (b == (void *)-1)
		fail("shmat");
	rd(b, 0);
	step("H12_shmat2_read_p0", "8/6/2/0", NULL);
	if (shmdt(a) || shmdt(b))
		fail("shmdt");
	step("H12_shmdt_both", "8/6/2/0", NULL);
	if (shmctl(id, IPC_RMID, NULL))
		fail("shmctl");
	step("H12_ipc_rmid", "8/8/0/0", NULL);

	/* SHM_NORESERVE: nothing reserved; the write takes a free page */
	id = shmget(IPC_PRIVATE, 4 * HP, SHM_HUGETLB | SHM_NORESERVE | IPC_CREAT | 0600);
	if (id < 0)
		fail("shmget");
	step("H12n_shmget_4_noreserve", "~8/8/0/0", NULL);
	a = shmat(id, NULL, 0);
	if (a == (void *)-1)
		fail("shmat");
	wr(a, 0);
	step("H12n_shmat_write_p0", "~8/7/0/0", NULL);
	/* removed while attached: the segment lives until the last detach */
	if (shmctl(id, IPC_RMID, NULL))
		fail("shmctl");
	step("H12n_ipc_rmid_attached", "~8/7/0/0", NULL);
	if (shmdt(a))
		fail("shmdt");
	step("H12n_shmdt", "~8/8/0/0", NULL);
}

static void h13_shrink_below_use(void)
{
	char *a = map(4, MAP_PRIVATE | HUGE_ANON);
	wr(a, 0);
	wr(a, 1);
	step("H13_mmap_4P_write_p0_p1", "8/6/2/0", NULL);
	sysctl_write(NR_HUGEPAGES, 0);
	step("H13_nr_hugepages_0", "4/2/2/4", NULL);
	wr(a, 2);
	step("H13_write_p2", "4/1/1/4", NULL);
	unmap(a, 4);
	step("H13_munmap", "0/0/0/0", NULL);
}

static void h15_noreserve_private_file(void)
{
	int fd = memfd(4, MFD_HUGETLB);
	char *a = map_fd(4, MAP_SHARED, fd, 0);
	char *b = map_fd(4, MAP_SHARED | MAP_NORESERVE, fd, 0);
	step("H15_memfd_mmap_S_and_S_NR", "8/8/4/0", NULL);
	wr(b, 0);
	step("H15_write_p0_via_NR", "8/7/3/0", NULL);
	char *c = map_fd(4, MAP_PRIVATE, fd, 0);
	step("H15_mmap_P", "8/7/7/0", NULL);
	rd(c, 0);
	step("H15_read_p0_via_P", "8/7/7/0", NULL);
	wr(c, 0);
	step("H15_write_p0_via_P_cow", "8/6/6/0", NULL);
	unmap(c, 4);
	step("H15_munmap_P", "8/7/3/0", NULL);
	if (ftruncate(fd, (off_t)(2 * HP)))
		fail("ftruncate");
	step("H15_ftruncate_2", "8/7/1/0", NULL);
	expect("MADV_POPULATE_READ p3 beyond EOF", touch(a, 3, MADV_POPULATE_READ), EFAULT);
	step("H15_read_p3_sigbus", "8/7/1/0", NULL);
	unmap(a, 4);
	unmap(b, 4);
	step("H15_munmap", "~8/7/1/0", NULL);
	close(fd);
	step("H15_close", "8/8/0/0", NULL);

	fd = memfd(4, MFD_HUGETLB);
	b = map_fd(4, MAP_SHARED | MAP_NORESERVE, fd, 0);
	wr(b, 0);
	step("H15b_memfd_mmap_S_NR_write_p0", "8/7/0/0", NULL);
	unmap(b, 4);
	close(fd);
	step("H15b_munmap_close", "8/8/0/0", NULL);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		say("usage: hugetlb_oracle TRUTH (as root)\n");
		return 1;
	}
	truth = mmap(NULL, TRUTH_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (truth == MAP_FAILED)
		return 1;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	orig_pages = sysctl_read(NR_HUGEPAGES);
	orig_overcommit = sysctl_read(NR_OVERCOMMIT);

	step("start", "-", NULL);
	pool(8, 0, "pool_8", "~8/8/0/0");
	h1_private_partial_touch();
	h2_seed_split();
	h3_mprotect_split();
	h4_fork_cow();
	pool(2, 0, "pool_2", "~2/2/0/0");
	h5_cow_exhausted();
	pool(8, 0, "pool_8_again", "~8/8/0/0");
	h6_memfd_shared_twice();
	h7_noreserve();
	h8_too_large();
	pool(2, 3, "pool_2_overcommit_3", "~2/2/0/0");
	h9_overcommit();
	pool(8, 0, "pool_8_overcommit_0", "~8/8/0/0");
	h10_punch_truncate();
	h11_mremap();
	h12_shm();
	h13_shrink_below_use();
	pool(8, 0, "pool_8_after_shrink", "~8/8/0/0");
	h15_noreserve_private_file();
	check_idle("idle");
	sysctl_write(NR_HUGEPAGES, orig_pages);
	sysctl_write(NR_OVERCOMMIT, orig_overcommit);
	step("restored", "-", NULL);

	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, truth->text, truth->len) != (ssize_t)truth->len) {
		say("cannot write %s\n", argv[1]);
		return 1;
	}
	close(fd);
	if (truth->mismatches)
		say("%u steps differ from the reference\n", truth->mismatches);
	return 0;
}
