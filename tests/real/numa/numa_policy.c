/* numa_policy.c - ground truth for task policies (reference/mempolicy.md §9 M1-M4, M9),
 * set_mempolicy_home_node, PREFERRED_MANY, and a sched_setaffinity move from CPU 0 to
 * CPU 2.
 * Pinned to CPU 0 (node 0) until the last step. Steps and output: numa_common.h.
 *   gcc -static -O2 -o numa_policy numa_policy.c
 *   run.sh --strace --out OUT ./numa_policy      (shared/tools/numa-vm) */
#include "numa_common.h"

int main(void)
{
	setup(0);

	/* page tables of the region, and one page on node 0 */
	step_begin("warmup");
	unsigned long w = map_at(0, 1);
	put_ret("populate", populate(w, 1), "0");
	step_end();
	put("tolerance none\n");   /* the region's page tables */
	put_pages(w, "N0=1 N1=0 N2=0 N3=0");
	emit();

	step_begin("M1_default");
	unsigned long a = map_at(0x10000, 8);
	put_ret("populate", populate(a, 8), "0");
	step_end();
	put_pages(a, "N0=8 N1=0 N2=0 N3=0");
	put_nodes(a, 8, "00000000");
	put("# spec numastat node0 hit=8 local=8\n");
	emit();

	step_begin("M2_preferred2");
	put_ret("set_mempolicy(PREFERRED,{2})", set_mempolicy_(MPOL_PREFERRED, 0x4, NODES + 1), "0");
	a = map_at(0x20000, 8);
	put_ret("populate", populate(a, 8), "0");
	step_end();
	put_pages(a, "N0=0 N1=0 N2=8 N3=0");
	put_nodes(a, 8, "22222222");
	put_getpol("0", 0, 0, "0 mode=1 mask=0x4");
	put("# spec numastat node2 hit=8 other=8\n");
	emit();

	step_begin("M3_bind23");
	put_ret("set_mempolicy(BIND,{2,3})", set_mempolicy_(MPOL_BIND, 0xc, NODES + 1), "0");
	a = map_at(0x30000, 8);
	put_ret("populate", populate(a, 8), "0");
	step_end();
	put_pages(a, "N0=0 N1=0 N2=8 N3=0");
	put_nodes(a, 8, "22222222");
	put("# spec numastat node2 hit=8 other=8\n");
	emit();

	step_begin("M4_interleave");
	put_ret("set_mempolicy(INTERLEAVE,{0-3})", set_mempolicy_(MPOL_INTERLEAVE, 0xf, NODES + 1), "0");
	put_getpol("F_NODE", 0, MPOL_F_NODE, "0 mode=0 mask=0xf");
	a = map_at(0x40000, 8);
	put_ret("populate", populate(a, 8), "0");
	step_end();
	put_pages(a, "N0=2 N1=2 N2=2 N3=2");
	put_nodes(a, 8, "01230123");
	put("# spec numastat nodeN hit=2 il=2, node0 local=2, nodes 1-3 other=2\n");
	emit();

	/* F_NODE after the faults: the numastat and numa_maps reads above are kernel
	 * allocations without a VMA and may have moved the task's interleave cursor */
	step_begin("M9_readbacks");
	put_getpol("F_NODE", 0, MPOL_F_NODE, NULL);
	put_ret("set_mempolicy(PREFERRED,{})", set_mempolicy_(MPOL_PREFERRED, 0, NODES + 1), "0");
	put_getpol("0", 0, 0, "0 mode=4 mask=0x0");
	put_ret("set_mempolicy(INTERLEAVE|STATIC,{1,2})",
		set_mempolicy_(MPOL_INTERLEAVE | MPOL_F_STATIC_NODES, 0x6, NODES + 1), "0");
	put_getpol("0", 0, 0, "0 mode=32771 mask=0x6");
	put_ret("set_mempolicy(INTERLEAVE|RELATIVE,{0,2})",
		set_mempolicy_(MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 0x5, NODES + 1), "0");
	put_getpol("0", 0, 0, "0 mode=16387 mask=0x5");
	put_ret("set_mempolicy(PREFERRED|STATIC,{})",
		set_mempolicy_(MPOL_PREFERRED | MPOL_F_STATIC_NODES, 0, NODES + 1), "-EINVAL");
	put_ret("set_mempolicy(BIND,{})", set_mempolicy_(MPOL_BIND, 0, NODES + 1), "-EINVAL");
	put_ret("set_mempolicy(STATIC|RELATIVE)",
		set_mempolicy_(MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, 0x1,
			       NODES + 1), "-EINVAL");
	put_ret("set_mempolicy(mode 9)", set_mempolicy_(9, 0x1, NODES + 1), "-EINVAL");
	put_ret("set_mempolicy(LOCAL,{1})", set_mempolicy_(MPOL_LOCAL, 0x2, NODES + 1), "-EINVAL");
	put_ret("set_mempolicy(INTERLEAVE,{1,3})", set_mempolicy_(MPOL_INTERLEAVE, 0xa, NODES + 1), "0");
	put_getpol("F_NODE", 0, MPOL_F_NODE, "0 mode=1 mask=0xa");
	put_ret("set_mempolicy(BIND,{1})", set_mempolicy_(MPOL_BIND, 0x2, NODES + 1), "0");
	put_getpol("F_NODE", 0, MPOL_F_NODE, "-EINVAL");
	put_getpol("F_MEMS_ALLOWED", 0, 1 << 2, "0 mode=0 mask=0xf");
	put_getpol("F_NODE|F_MEMS_ALLOWED", 0, (1 << 2) | MPOL_F_NODE, "-EINVAL");
	/* a mask of 1024 nodes (16 words, the upper ones zero): strace prints every word */
	{
		unsigned long wide[16] = { 0x2 };
		long r = ret_of(syscall(SYS_set_mempolicy, MPOL_PREFERRED, wide, 1025UL));
		put_ret("set_mempolicy(PREFERRED,{1},maxnode=1025)", r, "0");
		int mode = -1;
		unsigned long back[16] = { 0 };
		r = ret_of(syscall(SYS_get_mempolicy, &mode, back, 1025UL, 0UL, 0UL));
		put("ret get_mempolicy(maxnode=1025)=%ld mode=%d mask=0x%lx\n", r, mode, back[0]);
	}
	put_ret("set_mempolicy(DEFAULT)", set_mempolicy_(MPOL_DEFAULT, 0, NODES + 1), "0");
	put_getpol("0", 0, 0, "0 mode=0 mask=0x0");
	step_end();
	emit();

	/* home node: BIND {1,2,3} VMA, home node 3 -> pages on 3 (not the nearest, 1) */
	step_begin("home_node");
	a = map_at(0x50000, 8);
	unsigned long b = map_at(0x60000, 8), c = map_at(0x70000, 8);
	put_ret("mbind(a,BIND,{1,2,3})", mbind_(a, 8, MPOL_BIND, 0xe, 0), "0");
	put_ret("mbind(c,INTERLEAVE,{0,1})", mbind_(c, 8, MPOL_INTERLEAVE, 0x3, 0), "0");
	put_ret("home_node(a,3)", ret_of(syscall(SYS_set_mempolicy_home_node, a, 8 * PG, 3UL, 0UL)), "0");
	/* a VMA without a policy: ENOENT on 6.1.192 (the reference does not say) */
	put_ret("home_node(b,3)", ret_of(syscall(SYS_set_mempolicy_home_node, b, 8 * PG, 3UL, 0UL)),
		"-ENOENT");
	put_ret("home_node(c,3)", ret_of(syscall(SYS_set_mempolicy_home_node, c, 8 * PG, 3UL, 0UL)),
		"-EOPNOTSUPP");
	put_ret("home_node(a,7)", ret_of(syscall(SYS_set_mempolicy_home_node, a, 8 * PG, 7UL, 0UL)),
		"-EINVAL");
	put_ret("home_node(a,1,flags 1)",
		ret_of(syscall(SYS_set_mempolicy_home_node, a, 8 * PG, 1UL, 1UL)), "-EINVAL");
	put_ret("populate(a)", populate(a, 8), "0");
	put_ret("populate(b)", populate(b, 8), "0");
	step_end();
	put_pages(a, "N0=0 N1=0 N2=0 N3=8");
	put_pages(b, "N0=8 N1=0 N2=0 N3=0");
	put_nodes(a, 8, "33333333");
	put("# spec numastat node3 hit=8 other=8, node0 hit=8 local=8\n");
	emit();

	/* PREFERRED_MANY {1,2}: the first pass walks node 0's zonelist within the mask (node
	 * 1 first); a VMA policy PREFERRED_MANY {1,2} with home node 2 starts from node 2 */
	step_begin("preferred_many");
	put_ret("set_mempolicy(PREFERRED_MANY,{1,2})",
		set_mempolicy_(MPOL_PREFERRED_MANY, 0x6, NODES + 1), "0");
	put_getpol("0", 0, 0, "0 mode=5 mask=0x6");
	a = map_at(0xa0000, 8);
	b = map_at(0xb0000, 8);
	put_ret("populate(a)", populate(a, 8), "0");
	put_ret("mbind(b,PREFERRED_MANY,{1,2})", mbind_(b, 8, MPOL_PREFERRED_MANY, 0x6, 0), "0");
	put_ret("home_node(b,2)", ret_of(syscall(SYS_set_mempolicy_home_node, b, 8 * PG, 2UL, 0UL)), "0");
	put_ret("populate(b)", populate(b, 8), "0");
	put_ret("set_mempolicy(DEFAULT)", set_mempolicy_(MPOL_DEFAULT, 0, NODES + 1), "0");
	step_end();
	put_pages(a, "N0=0 N1=8 N2=0 N3=0");
	put_pages(b, "N0=0 N1=0 N2=8 N3=0");
	put_nodes(a, 8, "11111111");
	put_nodes(b, 8, "22222222");
	emit();

	/* the task moves to CPU 2: default-policy faults are local to node 2 */
	step_begin("affinity_cpu2");
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	put_ret("sched_setaffinity(2)", sched_setaffinity(0, sizeof(set), &set) ? -errno : 0, "0");
	a = map_at(0x90000, 8);
	put_ret("populate", populate(a, 8), "0");
	step_end();
	put_pages(a, "N0=0 N1=0 N2=8 N3=0");
	put_nodes(a, 8, "22222222");
	put("# spec numastat node2 hit=8 local=8\n");
	emit();
	return 0;
}
