/* numa_mbind.c - ground truth for VMA policies and page migration (reference/mempolicy.md
 * §9 M5, M7): mbind ranges that split a mapping, get_mempolicy(MPOL_F_ADDR), mbind's
 * STRICT/MOVE/MOVE_ALL (a page shared with a forked child), migrate_pages and move_pages
 * (move and query). Pinned to CPU 0 (node 0). Steps and output: numa_common.h.
 *   gcc -static -O2 -o numa_mbind numa_mbind.c
 *   run.sh --strace --out OUT ./numa_mbind      (shared/tools/numa-vm) */
#include "numa_common.h"

/* nodes of pages [first, first+n) of a mapping at addr under INTERLEAVE {1,2,3}:
 * {1,2,3}[(u32)vpn % 3], '0' for pages in [pref, pref+npref) (PREFERRED {0}) */
static void m5_spec(char *s, unsigned long addr, int n, int pref, int npref)
{
	for (int i = 0; i < n; i++) {
		unsigned vpn = (unsigned)((addr >> 12) + i);
		s[i] = i >= pref && i < pref + npref ? '0' : (char)('1' + vpn % 3);
	}
	s[n] = 0;
}

static long move_pages_(int n, unsigned long *addrs, const int *nodes, int *status, int flags)
{
	void *pages[64];
	for (int i = 0; i < n; i++)
		pages[i] = (void *)addrs[i];
	return ret_of(syscall(SYS_move_pages, 0, n, pages, nodes, status, flags));
}

int main(void)
{
	char spec[64];
	setup(0);

	step_begin("warmup");
	unsigned long w = map_at(0, 1);
	put_ret("populate", populate(w, 1), "0");
	step_end();
	put("tolerance none\n");   /* the region's page tables */
	put_pages(w, "N0=1 N1=0 N2=0 N3=0");
	emit();

	/* M5: p0..p12; p1..p12 INTERLEAVE {1,2,3}, then p5..p8 PREFERRED {0}: 4 VMAs */
	step_begin("M5_mbind_ranges");
	unsigned long p = map_at(0x100000, 13);
	put_ret("mbind(p1-p12,INTERLEAVE,{1,2,3})", mbind_(p + PG, 12, MPOL_INTERLEAVE, 0xe, 0), "0");
	put_ret("mbind(p5-p8,PREFERRED,{0})", mbind_(p + 5 * PG, 4, MPOL_PREFERRED, 0x1, 0), "0");
	put_ret("populate(p1-p12)", populate(p + PG, 12), "0");
	step_end();
	put_pages(p, "N0=0 N1=0 N2=0 N3=0");
	put_pages(p + PG, "N0=0 N1=1 N2=2 N3=1");
	put_pages(p + 5 * PG, "N0=4 N1=0 N2=0 N3=0");
	put_pages(p + 9 * PG, "N0=0 N1=2 N2=1 N3=1");
	m5_spec(spec, p, 13, 5, 4);
	spec[0] = '-';
	put_nodes(p, 13, spec);
	put_getpol("F_ADDR p2", p + 2 * PG, MPOL_F_ADDR, "0 mode=3 mask=0xe");
	put_getpol("F_ADDR p6", p + 6 * PG, MPOL_F_ADDR, "0 mode=1 mask=0x1");
	put_getpol("F_ADDR p0", p, MPOL_F_ADDR, "0 mode=0 mask=0x0");
	put_getpol("F_ADDR|F_NODE p3", p + 3 * PG, MPOL_F_ADDR | MPOL_F_NODE, NULL);
	put_getpol("F_ADDR unmapped", p + 13 * PG, MPOL_F_ADDR, "-EFAULT");
	put_ret("mbind(p0-p13,BIND,{0}) over a hole", mbind_(p, 14, MPOL_BIND, 0x1, 0), "-EFAULT");
	put_ret("mbind(flags 8)", mbind_(p, 1, MPOL_BIND, 0x1, 8), "-EINVAL");
	put_ret("mbind(unaligned)", mbind_(p + 16, 1, MPOL_BIND, 0x1, 0), "-EINVAL");
	put_ret("mbind(BIND,{})", mbind_(p, 1, MPOL_BIND, 0, 0), "-EINVAL");
	put("# spec numastat node1 hit=3 il=3 other=3, node2 hit=3 il=3 other=3, node3 hit=2 il=2 other=2, node0 hit=4 local=4\n");
	emit();

	/* M7: 8 pages on node 0; STRICT refuses and installs nothing */
	step_begin("M7_strict");
	unsigned long a = map_at(0x120000, 8);
	put_ret("populate", populate(a, 8), "0");
	put_ret("mbind(BIND,{3},STRICT)", mbind_(a, 8, MPOL_BIND, 0x8, MPOL_MF_STRICT), "-EIO");
	step_end();
	put_pages(a, "N0=8 N1=0 N2=0 N3=0");
	put_nodes(a, 8, "00000000");
	put_getpol("F_ADDR a", a, MPOL_F_ADDR, "0 mode=0 mask=0x0");
	put("# spec numastat node0 hit=8 local=8\n");
	emit();

	step_begin("M7_move_strict");
	put_ret("mbind(BIND,{3},MOVE|STRICT)",
		mbind_(a, 8, MPOL_BIND, 0x8, MPOL_MF_MOVE | MPOL_MF_STRICT), "0");
	step_end();
	put_pages(a, "N0=0 N1=0 N2=0 N3=8");
	put_nodes(a, 8, "33333333");
	put_getpol("F_ADDR a", a, MPOL_F_ADDR, "0 mode=2 mask=0x8");
	put("# spec numastat node3 hit=8 other=8\n");
	emit();

	/* pages shared with a forked child: MOVE leaves them, MOVE_ALL moves them. The
	 * child waits for SIGUSR1 and exits; the fork's own allocations (task, page
	 * tables) make this step's numastat deltas approximate */
	step_begin("M7_fork");
	unsigned long b = map_at(0x140000, 8);
	put_ret("populate", populate(b, 8), "0");
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	pid_t child = fork();
	if (child == 0) {
		siginfo_t si;
		sigwaitinfo(&usr1, &si);
		_exit(0);
	}
	put("ret fork=%s\n", child > 0 ? "child" : "error");
	step_end();
	put("tolerance none\n");
	put_pages(b, "N0=8 N1=0 N2=0 N3=0");
	emit();

	step_begin("M7_move_shared");
	put_ret("mbind(BIND,{1},MOVE)", mbind_(b, 8, MPOL_BIND, 0x2, MPOL_MF_MOVE), "0");
	step_end();
	put_pages(b, "N0=8 N1=0 N2=0 N3=0");
	put_nodes(b, 8, "00000000");
	put("# spec numastat all 0\n");
	emit();

	step_begin("M7_move_all");
	put_ret("mbind(BIND,{1},MOVE_ALL)", mbind_(b, 8, MPOL_BIND, 0x2, MPOL_MF_MOVE_ALL), "0");
	step_end();
	put_pages(b, "N0=0 N1=8 N2=0 N3=0");
	put_nodes(b, 8, "11111111");
	put("# spec numastat node1 hit=8 other=8\n");
	emit();

	step_begin("M7_child_exit");
	kill(child, SIGUSR1);
	int st;
	put("ret wait=%s\n", waitpid(child, &st, 0) == child && WIFEXITED(st) ? "exited" : "error");
	step_end();
	put("tolerance none\n");   /* the exit and wait allocate in the kernel (3 pages seen) */
	put_pages(b, "N0=0 N1=8 N2=0 N3=0");
	emit();

	/* migrate_pages: the process's pages on node 3 (a, and c below) go to node 1 */
	step_begin("migrate_setup");
	unsigned long c = map_at(0x160000, 8);
	put_ret("mbind(c,PREFERRED,{3})", mbind_(c, 8, MPOL_PREFERRED, 0x8, 0), "0");
	put_ret("populate(c)", populate(c, 8), "0");
	step_end();
	put_pages(c, "N0=0 N1=0 N2=0 N3=8");
	{
		long n3 = 0;
		for (const char *l = strstr(rbuf, " N3="); l; l = strstr(l + 1, " N3="))
			n3 += atol(l + 4);
		/* a (8), c (8) and two interleaved pages of M5 */
		put("# pages of the process on node 3 (numa_maps): %ld\n", n3);
		if (n3 != 18)
			err("SPEC-DIFF migrate_setup: %ld pages on node 3, expected 18\n", n3);
	}
	put("# spec numastat node3 hit=8 other=8\n");
	emit();

	step_begin("migrate_pages");
	unsigned long old = 0x8, new = 0x2;
	put_ret("migrate_pages(0,{3},{1})",
		ret_of(syscall(SYS_migrate_pages, 0, (unsigned long)NODES + 1, &old, &new)), "0");
	step_end();
	put_pages(a, "N0=0 N1=8 N2=0 N3=0");
	put_pages(c, "N0=0 N1=8 N2=0 N3=0");
	put_pages(p + PG, "N0=0 N1=2 N2=2 N3=0");
	put_pages(p + 9 * PG, "N0=0 N1=3 N2=1 N3=0");
	put_nodes(c, 8, "11111111");
	put("# spec numastat node1 hit=18 other=18\n");
	emit();

	step_begin("migrate_pages_errors");
	unsigned long bad = 0x100;  /* node 8: not online */
	put_ret("migrate_pages(0,{3},{8})",
		ret_of(syscall(SYS_migrate_pages, 0, 10UL, &old, &bad)), "-EINVAL");
	put_ret("migrate_pages(99999,{3},{1})",
		ret_of(syscall(SYS_migrate_pages, 99999, (unsigned long)NODES + 1, &old, &new)), "-ESRCH");
	put_ret("migrate_pages(0,{1},{1})",
		ret_of(syscall(SYS_migrate_pages, 0, (unsigned long)NODES + 1, &new, &new)), "0");
	step_end();
	put("# spec numastat all 0\n");
	emit();

	/* move_pages: 8 pages from node 0 to 1,1,2,2,3,3,0,0 and one unmapped address */
	step_begin("move_pages");
	unsigned long d = map_at(0x180000, 8);
	put_ret("populate(d)", populate(d, 8), "0");
	step_end();
	put_pages(d, "N0=8 N1=0 N2=0 N3=0");
	emit();

	step_begin("move_pages_move");
	unsigned long addrs[9];
	int nodes[9] = { 1, 1, 2, 2, 3, 3, 0, 0, 1 }, status[9];
	for (int i = 0; i < 9; i++)
		addrs[i] = d + i * PG;
	addrs[8] = d + 0x10000;    /* unmapped */
	long r = move_pages_(9, addrs, nodes, status, MPOL_MF_MOVE);
	put_ret("move_pages(9 pages,MOVE)", r, "0");
	put("status");
	for (int i = 0; i < 9; i++)
		put(" %d", status[i]);
	put("\n");
	if (memcmp(status, (int[]){ 1, 1, 2, 2, 3, 3, 0, 0, -EFAULT }, sizeof(status)))
		err("SPEC-DIFF move_pages_move: status differs\n");
	step_end();
	put_pages(d, "N0=2 N1=2 N2=2 N3=2");
	put_nodes(d, 8, "11223300");
	put("# spec numastat node1 hit=2 other=2, node2 hit=2 other=2, node3 hit=2 other=2\n");
	emit();

	step_begin("move_pages_errors");
	int n7[1] = { 7 }, st1[1] = { 99 };
	put_ret("move_pages(node 7)", move_pages_(1, addrs, n7, st1, MPOL_MF_MOVE), "-ENODEV");
	put_ret("move_pages(flags 1)", move_pages_(1, addrs, nodes, st1, MPOL_MF_STRICT), "-EINVAL");
	/* the query of a mapped page and of an unmapped one */
	int qs[2] = { 99, 99 };
	unsigned long q[2] = { d, d + 0x10000 };
	put_ret("move_pages(query)", move_pages_(2, q, NULL, qs, 0), "0");
	put("status %d %d\n", qs[0], qs[1]);
	step_end();
	put("# spec numastat all 0\n");
	emit();
	return 0;
}
