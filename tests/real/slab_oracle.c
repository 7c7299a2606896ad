/* slab_oracle.c - ground truth for mmsim's slab model (seed 003): the dentry and ext4
 * inode caches and the slab page counts of the real kernel while a program creates and
 * deletes many small files.
 *
 * In DIR (default /var/tmp/mmsim_slab_oracle, on ext4; created, emptied and removed by
 * the program) it creates N empty files (default 20000) in two halves, unlinks 90% of
 * them (every file whose number is not a multiple of 10), then the rest. Before the first
 * step and after every step it sleeps 200 ms (RCU-freed inodes and dentries reach their
 * slab by then) and reads /proc/slabinfo, /proc/meminfo and /proc/pagetypeinfo, in that
 * order (open, reads to end of file, close: the strace importer makes the first read of
 * each open a snapshot). The truth keeps under "== STEP" the dentry and ext4_inode_cache rows'
 * active and total objects and slabs, meminfo's Slab, SReclaimable and SUnreclaim (kB),
 * and the pageblock count per migratetype of node 0's Normal zone.
 *
 * The counts are global: every other process's dentries and inodes are in them too. A
 * baseline step (B0, a second look 200 ms after the first with nothing done in between)
 * measures that background drift, which the test's tolerance covers.
 *
 * Run as root (pagetypeinfo is root-only). Build and record (tests/real/README.md):
 *   cc -O1 -o slab_oracle slab_oracle.c
 *   strace -f -ttt -e trace=memory,process,ipc,desc,file -s 64 -o slab_oracle.strace \
 *       ./slab_oracle slab_oracle.truth */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static FILE *truth;

/* The whole file: reads until end of file (a seq_file hands out about a page per read;
 * the importer takes the first read as the look). */
static size_t read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0) {
			perror(path);
			exit(1);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	close(fd);
	return len;
}

static void slab_row(const char *name)
{
	size_t len = strlen(name);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ' ') {
			unsigned long active, num, objsize, perslab, pages, aslabs, nslabs;
			if (sscanf(p + len, " %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %lu %lu",
				   &active, &num, &objsize, &perslab, &pages, &aslabs, &nslabs) == 7) {
				fprintf(truth, "%s active %lu objs %lu slabs %lu\n", name, active, num,
					nslabs);
				return;
			}
		}
	}
	fprintf(truth, "%s missing\n", name);
}

static void meminfo_line(const char *key)
{
	char *p = strstr(buf, key);
	unsigned long kb = 0;
	if (p)
		sscanf(p + strlen(key), " %lu", &kb);
	fprintf(truth, "%s %lu\n", key, kb);
}

static void look(const char *step)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	fprintf(truth, "== %s\n", step);
	read_file("/proc/slabinfo");
	slab_row("dentry");
	slab_row("ext4_inode_cache");
	read_file("/proc/meminfo");
	meminfo_line("Slab:");
	meminfo_line("SReclaimable:");
	meminfo_line("SUnreclaim:");
	read_file("/proc/pagetypeinfo");
	/* "Number of blocks type  Unmovable Movable Reclaimable HighAtomic Isolate" */
	char *p = strstr(buf, "Number of blocks type");
	if (p)
		p = strstr(p, "Node 0, zone   Normal");
	if (p) {
		unsigned long u, m, r;
		if (sscanf(p, "Node 0, zone   Normal %lu %lu %lu", &u, &m, &r) == 3)
			fprintf(truth, "pageblocks unmovable %lu movable %lu reclaimable %lu\n", u, m, r);
	}
	fflush(truth);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s TRUTH [DIR [N]]\n", argv[0]);
		return 2;
	}
	const char *dir = argc > 2 ? argv[2] : "/var/tmp/mmsim_slab_oracle";
	unsigned n = argc > 3 ? (unsigned)atoi(argv[3]) : 20000;
	truth = fopen(argv[1], "w");
	if (!truth) {
		perror(argv[1]);
		return 1;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	char path[256];
	look("S0_start");
	look("B0_nothing");
	for (unsigned half = 0; half < 2; half++) {
		for (unsigned i = half * n / 2; i < (half + 1) * n / 2; i++) {
			snprintf(path, sizeof(path), "%s/f%05u", dir, i);
			int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		look(half ? "S2_create_second_half" : "S1_create_first_half");
	}
	for (unsigned i = 0; i < n; i++) {
		if (i % 10 == 0)
			continue;
		snprintf(path, sizeof(path), "%s/f%05u", dir, i);
		if (unlink(path) < 0) {
			perror(path);
			return 1;
		}
	}
	look("S3_unlink_90pct");
	for (unsigned i = 0; i < n; i += 10) {
		snprintf(path, sizeof(path), "%s/f%05u", dir, i);
		if (unlink(path) < 0) {
			perror(path);
			return 1;
		}
	}
	look("S4_unlink_rest");
	rmdir(dir);
	fclose(truth);
	return 0;
}
