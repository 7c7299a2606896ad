/* numa_shared.c - ground truth for a shared policy (reference/mempolicy.md §9 M8): a memfd
 * (shmem) of 8 pages mapped twice; mbind through one mapping sets the inode's shared
 * policy, which the other mapping sees; pages written alternately through both go to
 * node (index + i_ino) % 2; the policy outlives both mappings. Pinned to CPU 0.
 * Steps and output: numa_common.h.
 *   gcc -static -O2 -o numa_shared numa_shared.c
 *   run.sh --strace --out OUT ./numa_shared      (shared/tools/numa-vm) */
#include "numa_common.h"
#include <sys/stat.h>

static unsigned long map_fd_at(unsigned long off, int n, int fd)
{
	void *p = mmap((void *)(BASE + off), n * PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (p != (void *)(BASE + off)) {
		err("mmap at 0x%lx failed\n", BASE + off);
		exit(2);
	}
	return (unsigned long)p;
}

int main(void)
{
	setup(0);

	step_begin("warmup");
	unsigned long w = map_at(0, 1);
	put_ret("populate", populate(w, 1), "0");
	step_end();
	put("tolerance none\n");   /* the region's page tables */
	put_pages(w, "N0=1 N1=0 N2=0 N3=0");
	emit();

	step_begin("M8_memfd_mbind");
	int fd = (int)syscall(SYS_memfd_create, "m8", 0);
	put_ret("ftruncate", ftruncate(fd, 8 * PG) ? -errno : 0, "0");
	struct stat sb;
	fstat(fd, &sb);
	put("# i_ino %lu\n", (unsigned long)sb.st_ino);
	unsigned long a = map_fd_at(0x10000, 8, fd), b = map_fd_at(0x30000, 8, fd);
	put_ret("mbind(a,INTERLEAVE,{0,1})", mbind_(a, 8, MPOL_INTERLEAVE, 0x3, 0), "0");
	step_end();
	put_getpol("F_ADDR b", b, MPOL_F_ADDR, "0 mode=3 mask=0x3");
	put_getpol("F_ADDR a", a, MPOL_F_ADDR, "0 mode=3 mask=0x3");
	emit();

	/* pages 0,2,4,6 through a, 1,3,5,7 through b */
	step_begin("M8_write_alternately");
	for (int i = 0; i < 8; i++)
		put_ret(i & 1 ? "populate(b+i)" : "populate(a+i)",
			populate((i & 1 ? b : a) + i * PG, 1), "0");
	step_end();
	char spec[16];
	int na[2] = { 0 }, nb[2] = { 0 };
	for (int i = 0; i < 8; i++) {
		int node = (int)((i + sb.st_ino) % 2);
		spec[i] = (char)('0' + node);
		(i & 1 ? nb : na)[node]++;
	}
	spec[8] = 0;
	char sa[64], sbb[64];
	snprintf(sa, sizeof(sa), "N0=%d N1=%d N2=0 N3=0", na[0], na[1]);
	snprintf(sbb, sizeof(sbb), "N0=%d N1=%d N2=0 N3=0", nb[0], nb[1]);
	put_pages(a, sa);
	put_pages(b, sbb);
	put_nodes(a, 8, NULL);   /* a maps only its own 4 pages: the others show '-' */
	put_nodes(b, 8, NULL);
	put("# spec nodes of the file's pages %s; numastat node0 il=4 hit=4 local=4, node1 il=4 hit=4 other=4\n", spec);
	emit();

	/* both mappings gone: the shared policy stays with the inode */
	step_begin("M8_policy_outlives_mappings");
	put_ret("munmap(a)", munmap((void *)a, 8 * PG) ? -errno : 0, "0");
	put_ret("munmap(b)", munmap((void *)b, 8 * PG) ? -errno : 0, "0");
	unsigned long c = map_fd_at(0x50000, 8, fd);
	step_end();
	put_getpol("F_ADDR c", c, MPOL_F_ADDR, "0 mode=3 mask=0x3");
	put_ret("populate(c)", populate(c, 8), "0");
	/* numa_maps again, after the populate */
	rd(maps_fd, rbuf, sizeof(rbuf));
	put_pages(c, "N0=4 N1=4 N2=0 N3=0");
	put_nodes(c, 8, spec);
	emit();

	/* a second memfd without a policy: the task's default (node 0) */
	step_begin("M8_second_memfd");
	int fd2 = (int)syscall(SYS_memfd_create, "m8b", 0);
	put_ret("ftruncate", ftruncate(fd2, 8 * PG) ? -errno : 0, "0");
	unsigned long d = map_fd_at(0x70000, 8, fd2);
	put_ret("populate(d)", populate(d, 8), "0");
	step_end();
	put_pages(d, "N0=8 N1=0 N2=0 N3=0");
	put_getpol("F_ADDR d", d, MPOL_F_ADDR, "0 mode=0 mask=0x0");
	put("# spec numastat node0 hit=8 local=8\n");
	emit();
	return 0;
}
