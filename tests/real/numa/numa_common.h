/* numa_common.h - helpers shared by the NUMA ground-truth programs (tests/real/numa/).
 *
 * Every step of a program is framed by step_begin() and step_end(): step_begin reads the
 * numastat of nodes 0..3 (one pread64 each, the importer's snapshots), the step does its
 * calls, step_end reads the four numastat files again and then /proc/self/numa_maps, and
 * the step prints, with ONE write(1), its marker and what it saw:
 *
 *   == NAME                                  step marker
 *   ret CALL=VALUE                           result of a call (-ENAME for errors)
 *   pages 0xADDR N0=a N1=b N2=c N3=d         per-node pages of the VMA starting at ADDR
 *                                            (numa_maps; "pages 0xADDR none" = no such line)
 *   nodes 0xADDR 0123...                     node of each page (move_pages query, made after
 *                                            the numastat read; '-' = not present)
 *   numastat nodeN hit=. miss=. foreign=. il=. local=. other=.   deltas over the step
 *   tolerance none                           the step's numastat deltas include kernel
 *                                            allocations a replay cannot know of (page
 *                                            tables of a new region, a fork): not compared
 *   # spec ...                               what reference/mempolicy.md §9 says (comment)
 *
 * The program compares what it saw with its "# spec" lines and reports each difference
 * on stderr ("SPEC-DIFF ..."); the exit status stays 0. All mappings lie in one 2 MiB
 * aligned region (BASE): the warm-up step faults its page tables once, so later steps
 * allocate no page-table pages and their numastat deltas are the program's own pages
 * plus at most a slab page or two (sysfs/seq_file buffers). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NODE (1 << 0)
#define MPOL_F_ADDR (1 << 1)
#define MPOL_MF_STRICT (1 << 0)
#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif

#define NODES 4
#define PG 4096UL
#define BASE 0x7e0000000000UL /* 2 MiB aligned; vpn 0x7e0000000 = 0 mod 4 and mod 3 */

static int maps_fd, stat_fd[NODES];
static char rbuf[1 << 16];        /* the last numa_maps read */
static char out[16384];
static size_t olen;
static long before[NODES][6];
static const char *step_name;

static void put(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + olen, sizeof(out) - olen, fmt, ap);
	va_end(ap);
	if (n > 0)
		olen += (size_t)n < sizeof(out) - olen ? (size_t)n : sizeof(out) - olen - 1;
}

static void err(const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (write(2, b, (size_t)n) < 0)
		_exit(9);
}

static size_t rd(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? (size_t)n : 0;
}

static void numastat(long v[NODES][6])
{
	char b[512];
	for (int n = 0; n < NODES; n++) {
		rd(stat_fd[n], b, sizeof(b));
		sscanf(b, "numa_hit %ld numa_miss %ld numa_foreign %ld interleave_hit %ld "
			  "local_node %ld other_node %ld",
		       &v[n][0], &v[n][1], &v[n][2], &v[n][3], &v[n][4], &v[n][5]);
	}
}

/* Pin to one CPU (CPU i is node i's), open the state files once. */
static void setup(int cpu)
{
	char path[96];
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		err("sched_setaffinity: %s\n", strerror(errno));
	maps_fd = open("/proc/self/numa_maps", O_RDONLY);
	for (int n = 0; n < NODES; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/numastat", n);
		stat_fd[n] = open(path, O_RDONLY);
	}
	if (maps_fd < 0 || stat_fd[NODES - 1] < 0) {
		err("cannot open the state files\n");
		exit(2);
	}
}

static void step_begin(const char *name)
{
	step_name = name;
	olen = 0;
	put("== %s\n", name);
	numastat(before);
}

/* After the step's calls: numastat deltas, then numa_maps (kept in rbuf). */
static void step_end(void)
{
	long after[NODES][6];
	numastat(after);
	rd(maps_fd, rbuf, sizeof(rbuf));
	for (int n = 0; n < NODES; n++)
		put("numastat node%d hit=%ld miss=%ld foreign=%ld il=%ld local=%ld other=%ld\n", n,
		    after[n][0] - before[n][0], after[n][1] - before[n][1],
		    after[n][2] - before[n][2], after[n][3] - before[n][3],
		    after[n][4] - before[n][4], after[n][5] - before[n][5]);
}

static void emit(void)
{
	if (write(1, out, olen) < 0)
		_exit(9);
}

static const char *ename(long r)
{
	static char b[24];
	switch (r) {
	case EINVAL: return "-EINVAL";
	case EFAULT: return "-EFAULT";
	case EIO: return "-EIO";
	case EPERM: return "-EPERM";
	case ENOENT: return "-ENOENT";
	case ENODEV: return "-ENODEV";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	case EACCES: return "-EACCES";
	case EBUSY: return "-EBUSY";
	case ENOMEM: return "-ENOMEM";
	case ESRCH: return "-ESRCH";
	}
	snprintf(b, sizeof(b), "-%ld", r);
	return b;
}

/* A raw syscall's result as the log shows it: the value, or -ENAME. */
static long ret_of(long r)
{
	return r < 0 ? -errno : r;
}

static void put_ret(const char *what, long r, const char *spec)
{
	char v[32];
	if (r < 0)
		snprintf(v, sizeof(v), "%s", ename(-r));
	else
		snprintf(v, sizeof(v), "%ld", r);
	put("ret %s=%s\n", what, v);
	if (spec && strcmp(spec, v)) {
		put("# spec %s=%s\n", what, spec);
		err("SPEC-DIFF %s: %s=%s, spec %s\n", step_name, what, v, spec);
	}
}

/* The per-node pages of the VMA at addr from the last numa_maps read. */
static void put_pages(unsigned long addr, const char *spec)
{
	char key[32], line[1024], got[96];
	snprintf(key, sizeof(key), "%lx ", addr);
	const char *l = rbuf;
	while (l && strncmp(l, key, strlen(key))) {
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	if (!l || !*l) {
		snprintf(got, sizeof(got), "none");
	} else {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, l, n);
		line[n] = 0;
		long c[NODES] = { 0 };
		for (int i = 0; i < NODES; i++) {
			char k[8];
			snprintf(k, sizeof(k), " N%d=", i);
			const char *p = strstr(line, k);
			if (p)
				c[i] = atol(p + strlen(k));
		}
		snprintf(got, sizeof(got), "N0=%ld N1=%ld N2=%ld N3=%ld", c[0], c[1], c[2], c[3]);
		put("# numa_maps %s\n", line);
	}
	put("pages 0x%lx %s\n", addr, got);
	if (spec && strcmp(spec, got)) {
		put("# spec pages %s\n", spec);
		err("SPEC-DIFF %s: pages at 0x%lx %s, spec %s\n", step_name, addr, got, spec);
	}
}

/* The node of each of n pages from addr (move_pages query); '-' for an error status. */
static void put_nodes(unsigned long addr, int n, const char *spec)
{
	void *pages[64];
	int status[64];
	char got[80];
	for (int i = 0; i < n; i++)
		pages[i] = (void *)(addr + i * PG);
	long r = ret_of(syscall(SYS_move_pages, 0, n, pages, NULL, status, 0));
	for (int i = 0; i < n; i++)
		got[i] = r ? '?' : status[i] >= 0 && status[i] < 10 ? (char)('0' + status[i]) : '-';
	got[n] = 0;
	put("nodes 0x%lx %s\n", addr, got);
	if (spec && strcmp(spec, got)) {
		put("# spec nodes %s\n", spec);
		err("SPEC-DIFF %s: nodes at 0x%lx %s, spec %s\n", step_name, addr, got, spec);
	}
}

/* n pages at BASE + off, private anonymous, read-write, at exactly that address. */
static unsigned long map_at(unsigned long off, int n)
{
	void *p = mmap((void *)(BASE + off), n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)(BASE + off)) {
		err("mmap at 0x%lx failed\n", BASE + off);
		exit(2);
	}
	return (unsigned long)p;
}

static long populate(unsigned long addr, int n)
{
	return madvise((void *)addr, n * PG, MADV_POPULATE_WRITE) ? -errno : 0;
}

static long set_mempolicy_(int mode, unsigned long mask, unsigned long maxnode)
{
	return ret_of(syscall(SYS_set_mempolicy, mode, mask ? &mask : NULL, maxnode));
}

static long mbind_(unsigned long addr, int n, int mode, unsigned long mask, unsigned flags)
{
	return ret_of(syscall(SYS_mbind, addr, n * PG, mode, mask ? &mask : NULL,
			      (unsigned long)NODES + 1, flags));
}

/* get_mempolicy; prints "ret get_mempolicy(WHAT)=R mode=M mask=0xK" */
static void put_getpol(const char *what, unsigned long addr, unsigned flags, const char *spec)
{
	int mode = -1;
	unsigned long mask = 0;
	long r = ret_of(syscall(SYS_get_mempolicy, &mode, &mask, (unsigned long)NODES + 1,
				addr, flags));
	char v[64];
	if (r < 0)
		snprintf(v, sizeof(v), "%s", ename(-r));
	else
		snprintf(v, sizeof(v), "%ld mode=%d mask=0x%lx", r, mode, mask);
	put("ret get_mempolicy(%s)=%s\n", what, v);
	if (spec && strcmp(spec, v)) {
		put("# spec get_mempolicy(%s)=%s\n", what, spec);
		err("SPEC-DIFF %s: get_mempolicy(%s)=%s, spec %s\n", step_name, what, v, spec);
	}
}
