/* hugetlb_madv_oracle.c - ground truth for madvise on hugetlb mappings
 * (tests/e2e/hugetlb_madv_oracle.sh): MADV_DONTNEED on a private mapping gives the freed
 * pages' reservations back, a DONTNEED smaller than a huge page frees nothing,
 * MADV_REMOVE fails with EACCES on a private mapping and frees the page from the file on
 * a shared one (memfd and MAP_SHARED|MAP_ANONYMOUS).
 *
 * Run as root: it sizes the pool by writing /proc/sys/vm/nr_hugepages (strace shows the
 * write, which the importer turns into a sysctl op) and restores the value it found.
 * Memory is touched only through MADV_POPULATE_WRITE (this host maps no zero page; no
 * plain loads or stores). After every step it reads /proc/meminfo and keeps, under
 * `== STEP name`, `# result CALL = R` for its calls and the four HugePages_ lines as read;
 * written to argv[1] at the end.
 *
 * Build and record (tests/real/README.md), as root:
 *   cc -O1 -o hugetlb_madv_oracle hugetlb_madv_oracle.c
 *   strace -f -tt -e trace=memory,process,desc -o hugetlb_madv_oracle.strace \
 *       ./hugetlb_madv_oracle hugetlb_madv_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif

#define HP (2UL << 20)
#define BASE ((char *)0x600000000000UL)
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static char truth[1 << 16];
static size_t truth_len;
static char pending[1024];
static char buf[1 << 14];

#define OUT(...) (truth_len += (size_t)snprintf(truth + truth_len, sizeof(truth) - truth_len, __VA_ARGS__))

static void step(const char *name)
{
	OUT("== STEP %s\n%s", name, pending);
	pending[0] = '\0';
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		exit(2);
	buf[n] = '\0';
	for (char *l = buf; l && *l;) {
		char *e = strchr(l, '\n');
		if (!strncmp(l, "HugePages_", 10))
			OUT("%.*s\n", (int)(e ? e - l : (long)strlen(l)), l);
		l = e ? e + 1 : NULL;
	}
}

static void result(const char *call, long r)
{
	size_t n = strlen(pending);
	snprintf(pending + n, sizeof(pending) - n, "# result %s = %ld\n", call,
		 r < 0 ? (long)-errno : r);
}

static void set_pool(const char *v)
{
	int fd = open(NR_HUGEPAGES, O_WRONLY);
	if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		exit(3);
	close(fd);
}

static char *map_at(char *at, size_t len, int flags, int fd)
{
	char *p = mmap(at, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED)
		exit(4);
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	char old[32] = "0";
	int fd = open(NR_HUGEPAGES, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, old, sizeof(old) - 1);
	close(fd);
	if (n <= 0)
		return 2;
	old[n] = '\0';
	memset(truth, 0, sizeof(truth));
	set_pool("4");
	step("pool4");
	/* private: 2 huge pages reserved at mmap, both faulted in */
	char *a = map_at(BASE, 2 * HP, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1);
	step("private_map");
	result("madvise_populate_write", madvise(a, 2 * HP, MADV_POPULATE_WRITE));
	step("private_populate");
	/* DONTNEED of the first: the page is freed and its reservation comes back */
	result("madvise_dontneed", madvise(a, HP, MADV_DONTNEED));
	step("private_dontneed");
	/* DONTNEED of 4 KiB at the start of the second: nothing is freed */
	result("madvise_dontneed_4k", madvise(a + HP, 4096, MADV_DONTNEED));
	step("private_dontneed_4k");
	/* DONTNEED from inside a huge page (not aligned to it) */
	result("madvise_dontneed_unaligned", madvise(a + HP + 4096, HP - 4096, MADV_DONTNEED));
	step("private_dontneed_unaligned");
	/* MADV_REMOVE on a private mapping: EACCES */
	result("madvise_remove_private", madvise(a, 2 * HP, MADV_REMOVE));
	step("private_remove");
	/* the first faulted in again: it consumes the reservation given back */
	result("madvise_populate_write", madvise(a, HP, MADV_POPULATE_WRITE));
	step("private_refault");
	result("munmap", munmap(a, 2 * HP));
	step("private_unmap");
	/* shared memfd of 2 huge pages: reserved at mmap, faulted in */
	int m = memfd_create("huge", MFD_HUGETLB);
	result("ftruncate", ftruncate(m, 2 * HP));
	char *s = map_at(BASE + 0x10000000, 2 * HP, MAP_SHARED, m);
	step("memfd_map");
	result("madvise_populate_write", madvise(s, 2 * HP, MADV_POPULATE_WRITE));
	step("memfd_populate");
	/* DONTNEED: unmapped, the page stays in the file */
	result("madvise_dontneed", madvise(s, HP, MADV_DONTNEED));
	step("memfd_dontneed");
	/* MADV_REMOVE: the page is punched out of the file */
	result("madvise_remove", madvise(s, HP, MADV_REMOVE));
	step("memfd_remove");
	/* faulted again: a new page, no reservation left for it */
	result("madvise_populate_write", madvise(s, HP, MADV_POPULATE_WRITE));
	step("memfd_refault");
	result("munmap", munmap(s, 2 * HP));
	step("memfd_unmap");
	result("close", close(m));
	step("memfd_close");
	/* shared anonymous: MADV_REMOVE frees the page */
	char *t = map_at(BASE + 0x20000000, 2 * HP, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1);
	result("madvise_populate_write", madvise(t, 2 * HP, MADV_POPULATE_WRITE));
	step("shanon_populate");
	result("madvise_remove", madvise(t + HP, HP, MADV_REMOVE));
	step("shanon_remove");
	result("munmap", munmap(t, 2 * HP));
	step("shanon_unmap");
	set_pool(old);
	step("restored");
	int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, truth, truth_len) != (ssize_t)truth_len)
		return 6;
	close(out);
	return 0;
}
