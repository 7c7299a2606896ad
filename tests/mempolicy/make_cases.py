#!/usr/bin/env python3
# make_cases.py - writes the .mmt traces of tests/mempolicy/ (run it from this directory
# after changing a case). The expected node of every page is computed here from the
# formulas of reference/mempolicy.md §3 (not from mmsim): interleave by page offset
# k = (u32)(vm_pgoff + page index) mod |S| over the ascending nodes of S, task interleave
# by the il_prev cursor, fallback along the zonelists 0: 0 1 2 3, 1: 1 2 0 3,
# 2: 2 3 1 0, 3: 3 2 1 0.
P = 4096
B = 0x10000000          # 2 MiB aligned: every case's pages share one PTE table

class T:
    def __init__(self, title):
        self.l = ['mmt 1', 'page_size 4096', '# ' + title]
        self.t = 0
    def op(self, pid_tid, text):
        self.t += 1
        self.l.append('0.%09d %s %s' % (self.t * 1000, pid_tid, text))
    def __call__(self, text, who='1/1'):
        self.op(who, text)
    def nodes(self, addr, nodes, who='1/1'):
        for i, n in enumerate(nodes):
            self('move_pages addr=0x%x = %d' % (addr + i * P, n), who)
    def write(self, name):
        open(name + '.mmt', 'w').write('\n'.join(self.l) + '\n')

def il(vpn, S):
    S = sorted(S)
    return S[(vpn & 0xffffffff) % len(S)]

def anon(t, addr, pages, who='1/1'):
    t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|fixed = 0x%x' % (addr, pages * P, addr), who)

def touch(t, addr, pages, who='1/1'):
    t('touch addr=0x%x len=%d flags=write' % (addr, pages * P), who)

# M1: no policy
t = T('M1: no policy: 8 anonymous pages on the task node 0')
anon(t, B, 8); touch(t, B, 8); t.nodes(B, [0] * 8)
t('get_mempolicy arg=0 = 0')
t('snapshot file=numa_maps')
t('exit'); t.write('m1_default')

# M2: preferred {2}
t = T('M2: set_mempolicy(PREFERRED, {2}): 8 pages on node 2')
t('set_mempolicy mode=preferred nodemask=0x4 = 0')
anon(t, B, 8); touch(t, B, 8); t.nodes(B, [2] * 8)
t('get_mempolicy arg=1 nodemask=0x4 = 0')
t('exit'); t.write('m2_preferred')

# M3: bind {2,3}
t = T('M3: set_mempolicy(BIND, {2,3}): the nearest bound node in node 0\'s list, 2')
t('set_mempolicy mode=bind nodemask=0xc = 0')
anon(t, B, 8); touch(t, B, 8); t.nodes(B, [2] * 8)
t('get_mempolicy arg=2 nodemask=0xc = 0')
t('exit'); t.write('m3_bind')

# M4: task interleave: faults by offset, page cache by il_prev
t = T('M4: set_mempolicy(INTERLEAVE, {0-3}): faults by page offset, page cache round-robin')
anon(t, B, 16)
t('touch addr=0x%x len=%d flags=write' % (B + 15 * P, P))   # the PTE table before the policy
t('set_mempolicy mode=interleave nodemask=0xf = 0')
t('get_mempolicy flags=1 arg=0 nodemask=0xf = 0')
touch(t, B, 8)
t.nodes(B, [il((B >> 12) + i, [0, 1, 2, 3]) for i in range(8)])
t('get_mempolicy flags=1 arg=0 nodemask=0xf = 0')           # faults do not move il_prev
t('open path="/tmp/m4" flags=rdwr|creat = 3')
t('write fd=3 off=0 len=%d = %d' % (8 * P, 8 * P))
t('mmap addr=0x%x len=%d prot=r flags=shared|fixed fd=3 = 0x%x' % (B + 16 * P, 8 * P, B + 16 * P))
t('touch addr=0x%x len=%d' % (B + 16 * P, 8 * P))
t.nodes(B + 16 * P, [0, 1, 2, 3, 0, 1, 2, 3])
t('get_mempolicy flags=1 arg=0 nodemask=0xf = 0')           # il_prev 3 after 8 page-cache pages
# the cursor continues across files and mappings: 3 pages of another file on 0 1 2
t('open path="/tmp/m4b" flags=rdwr|creat = 4')
t('write fd=4 off=0 len=%d = %d' % (3 * P, 3 * P))
t('mmap addr=0x%x len=%d prot=r flags=shared|fixed fd=4 = 0x%x' % (B + 32 * P, 3 * P, B + 32 * P))
t('touch addr=0x%x len=%d' % (B + 32 * P, 3 * P))
t.nodes(B + 32 * P, [0, 1, 2])
t('get_mempolicy flags=1 arg=3 nodemask=0xf = 0')
t('exit'); t.write('m4_task_interleave')

# M5: VMA interleave {1,2,3} on p1..p12, PREFERRED {0} on p5..p8 (three VMAs)
t = T('M5: mbind(p1..p12, INTERLEAVE {1,2,3}); mbind(p5..p8, PREFERRED {0})')
anon(t, B, 13)
t('mbind addr=0x%x len=%d mode=interleave nodemask=0xe = 0' % (B + P, 12 * P))
t('mbind addr=0x%x len=%d mode=preferred nodemask=0x1 = 0' % (B + 5 * P, 4 * P))
touch(t, B, 13)
want = [0] + [il((B >> 12) + i, [1, 2, 3]) for i in range(1, 5)] + [0] * 4 + \
       [il((B >> 12) + i, [1, 2, 3]) for i in range(9, 13)]
t.nodes(B, want)
t('get_mempolicy addr=0x%x flags=2 arg=3 nodemask=0xe = 0' % (B + 2 * P))
t('get_mempolicy addr=0x%x flags=2 arg=1 nodemask=0x1 = 0' % (B + 6 * P))
t('get_mempolicy addr=0x%x flags=2 arg=0 = 0' % B)
t('get_mempolicy addr=0x%x flags=3 arg=%d nodemask=0xe = 0' % (B + 3 * P, want[3]))
t('get_mempolicy addr=0x%x flags=2 = -EFAULT' % (B + 64 * P))
t('snapshot file=numa_maps')
t('exit'); t.write('m5_vma_interleave')
print('M5 nodes', want)

# M9: creation rules and get_mempolicy results
t = T('M9: mpol_new rules and what get_mempolicy reads back')
t('set_mempolicy mode=preferred = 0')
t('get_mempolicy arg=4 = 0')                                  # PREFERRED + empty = LOCAL
t('set_mempolicy mode=interleave|f_static_nodes nodemask=0x6 = 0')
t('get_mempolicy arg=32771 nodemask=0x6 = 0')
t('set_mempolicy mode=preferred|f_static_nodes = -EINVAL')
t('set_mempolicy mode=bind = -EINVAL')
t('set_mempolicy mode=local nodemask=0x1 = -EINVAL')
t('set_mempolicy mode=default nodemask=0x1 = -EINVAL')
t('set_mempolicy mode=bind|f_static_nodes|f_relative_nodes nodemask=0x1 = -EINVAL')
t('set_mempolicy mode=interleave|f_numa_balancing nodemask=0x1 = -EINVAL')
t('set_mempolicy mode=7 nodemask=0x1 = -EINVAL')              # mode >= MPOL_MAX
t('set_mempolicy mode=interleave nodemask=0x30 = -EINVAL')    # nodes 4, 5 do not exist
t('set_mempolicy mode=interleave nodemask=0xa = 0')
t('get_mempolicy flags=1 arg=1 nodemask=0xa = 0')             # next interleave node: 1
t('set_mempolicy mode=bind nodemask=0x4 = 0')
t('get_mempolicy flags=1 = -EINVAL')
t('get_mempolicy flags=4 nodemask=0xf = 0')                   # MPOL_F_MEMS_ALLOWED
t('get_mempolicy flags=5 = -EINVAL')
t('get_mempolicy addr=0x1000 = -EINVAL')                      # addr without MPOL_F_ADDR
# relative: {4,5} folded onto the 4 allowed nodes = {0,1}; static {1,5} keeps {1}
t('set_mempolicy mode=interleave|f_relative_nodes nodemask=0x30 = 0')
t('get_mempolicy arg=%d nodemask=0x30 = 0' % (3 | 0x4000))
anon(t, B, 4); touch(t, B, 4)
t.nodes(B, [il((B >> 12) + i, [0, 1]) for i in range(4)])
t('set_mempolicy mode=preferred|f_static_nodes nodemask=0x22 = 0')
t('get_mempolicy arg=%d nodemask=0x22 = 0' % (1 | 0x8000))
t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|fixed = 0x%x' % (B + 4 * P, 4 * P, B + 4 * P))
t('touch addr=0x%x len=%d flags=write' % (B + 4 * P, 4 * P))
t.nodes(B + 4 * P, [1] * 4)
t('mbind addr=0x%x len=%d mode=bind|f_static_nodes nodemask=0xc = 0' % (B + 4 * P, 2 * P))
t('mbind addr=0x%x len=%d mode=preferred_many nodemask=0x6 = 0' % (B + 6 * P, 2 * P))
t('mbind addr=0x%x len=%d mode=local = 0' % (B, P))
t('mbind addr=0x%x len=%d mode=interleave|f_relative_nodes nodemask=0x5 = 0' % (B + P, P))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x1 flags=8 = -EINVAL' % (B, P))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x1 = -EINVAL' % (B + 1, P))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x1 = -EFAULT' % (B + 64 * P, P))
t('mbind addr=0x%x len=%d mode=default = 0' % (B + 64 * P, P))      # DEFAULT tolerates holes
t('snapshot file=numa_maps')
t('set_mempolicy mode=default = 0')
t('get_mempolicy = 0')
t('exit'); t.write('m9_rules')

# M6: PREFERRED {2} with node 2 full falls back along node 2's list (3 next);
# PREFERRED_MANY {1,2} from node 0 takes node 1 (first of its nodes in node 0's list)
def fill(t, node, blocks):
    for i in range(blocks):
        t('alloc_pages order=9 node=%d flags=thisnode|noretry id=%d' % (node, 1000 + i))

t = T('M6: PREFERRED {2} with node 2 full: fallback to node 3; PREFERRED_MANY {1,2}')
fill(t, 2, 28)
t('set_mempolicy mode=preferred nodemask=0x4 = 0')
anon(t, B, 4096); touch(t, B, 4096)
t('snapshot file=numa_maps')
t('set_mempolicy mode=preferred_many nodemask=0x6 = 0')
anon(t, B + 4096 * P, 8); touch(t, B + 4096 * P, 8); t.nodes(B + 4096 * P, [1] * 8)
t('exit'); t.write('m6_preferred_full')

t = T('M6b: BIND {2} with node 2 full: the fault fails, the process is OOM-killed')
fill(t, 2, 40)
t('set_mempolicy mode=bind nodemask=0x4 = 0')
anon(t, B, 4096); touch(t, B, 4096)
t('exit'); t.write('m6b_bind_oom')

# M7: STRICT, MOVE|STRICT, MOVE vs MOVE_ALL on a page shared with a child
t = T('M7: mbind STRICT -> EIO; MOVE|STRICT migrates; MOVE leaves a shared page, MOVE_ALL moves it')
anon(t, B, 8); touch(t, B, 8); t.nodes(B, [0] * 8)
t('mbind addr=0x%x len=%d mode=bind nodemask=0x8 flags=strict = -EIO' % (B, 8 * P))
t.nodes(B, [0] * 8)
t('get_mempolicy addr=0x%x flags=2 = 0' % B)                   # no policy installed
t('mbind addr=0x%x len=%d mode=bind nodemask=0x8 flags=strict|move = 0' % (B, 8 * P))
t.nodes(B, [3] * 8)
t('get_mempolicy addr=0x%x flags=2 arg=2 nodemask=0x8 = 0' % B)
R2a = B + 16 * P
anon(t, R2a, 2); touch(t, R2a, 2)
t('fork id=2 = 2')
t('sleep ns=1000000', '2/2')
t('exit', '2/2')
t('mbind addr=0x%x len=%d mode=bind nodemask=0x2 flags=move = 0' % (R2a, 2 * P))
t.nodes(R2a, [0, 0])
t('mbind addr=0x%x len=%d mode=bind nodemask=0x2 flags=move_all = 0' % (R2a, 2 * P))
t.nodes(R2a, [1, 1])
t('sleep ns=2000000')
t('exit'); t.write('m7_mbind_move')

# M8: memfd, i_ino 2 (two regular files opened first), mapped twice
A2 = B + 0x100000
t = T('M8: memfd (i_ino 2) mapped twice; mbind(a, INTERLEAVE {0,1}) is the file\'s shared policy')
t('open path="/tmp/m8a" flags=rdwr|creat = 3')
t('open path="/tmp/m8b" flags=rdwr|creat = 4')
t('memfd_create path="m8" = 5')
t('ftruncate fd=5 len=%d = 0' % (8 * P))
t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=5 = 0x%x' % (B, 8 * P, B))
t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=5 = 0x%x' % (A2, 8 * P, A2))
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x3 = 0' % (B, 8 * P))
t('get_mempolicy addr=0x%x flags=2 arg=3 nodemask=0x3 = 0' % A2)
for i in range(8):
    t('touch addr=0x%x len=%d flags=write' % ((B if i % 2 == 0 else A2) + i * P, P))
for i in range(8):   # through the mapping that faulted it: node (index + i_ino) mod 2
    t('move_pages addr=0x%x = %d' % ((B if i % 2 == 0 else A2) + i * P, (i + 2) % 2))
t('snapshot file=numa_maps')
t('munmap addr=0x%x len=%d = 0' % (B, 8 * P))
t('munmap addr=0x%x len=%d = 0' % (A2, 8 * P))
t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=5 = 0x%x' % (B, 8 * P, B))
t('get_mempolicy addr=0x%x flags=2 arg=3 nodemask=0x3 = 0' % (B + 5 * P))
t('exit'); t.write('m8_memfd_shared')

# R1: seed 000's leak (run under both leak_paths variants)
for variant in ('fixed', 'pre'):
    t = T('R1 (%s): SysV shm on node 2; mbind(INTERLEAVE {0,1}, MOVE) migrates 8 pages; '
          'get_mempolicy(F_ADDR) x3; numa_maps x1; IPC_RMID + shmdt' % variant)
    t('shmget id=0 len=%d flags=ipc_creat|0600 = 7' % (8 * P))
    t('shmat id=7 addr=0x%x = 0x%x' % (B, B))
    touch(t, B, 8); t.nodes(B, [2] * 8)
    t('mbind addr=0x%x len=%d mode=interleave nodemask=0x3 flags=move = 0' % (B, 8 * P))
    t.nodes(B, [i % 2 for i in range(8)])    # migration: the real VMA, no i_ino bias
    for k in range(3):
        t('get_mempolicy addr=0x%x flags=2 arg=3 nodemask=0x3 = 0' % (B + k * P))
    t('snapshot file=numa_maps')
    t('shmctl id=7 = 0')
    t('shmdt addr=0x%x = 0' % B)
    t('exit'); t.write('r1_leak_' + variant)

# fork: the child inherits the task policy (a copy) and every VMA policy; COW copies
# follow the VMA's interleave
t = T('fork: task and VMA policies inherited; COW copies interleaved by offset')
t('set_mempolicy mode=preferred nodemask=0x8 = 0')
anon(t, B, 4)
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x6 = 0' % (B, 4 * P))
touch(t, B, 4)
cow = [il((B >> 12) + i, [1, 2]) for i in range(4)]
t.nodes(B, cow)
t('fork id=2 = 2')
touch(t, B, 4, '2/2'); t.nodes(B, cow, '2/2')
anon(t, B + 8 * P, 2, '2/2'); touch(t, B + 8 * P, 2, '2/2'); t.nodes(B + 8 * P, [3, 3], '2/2')
t('get_mempolicy arg=1 nodemask=0x8 = 0', '2/2')
t('snapshot file=numa_maps', '2/2')
t('exit', '2/2')
t('sleep ns=2000000')
t('exit'); t.write('m10_fork_cow')

# hugetlb: huge_node interleaves by huge page index; nr_hugepages_mempolicy grows the
# pool on the task policy's nodes
H = 0x40000000
t = T('hugetlb: VMA interleave by huge page index; nr_hugepages_mempolicy under BIND {3}')
t('sysctl id=8 path="/proc/sys/vm/nr_hugepages"')
t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|hugetlb|fixed = 0x%x' % (H, 4 << 21, H))
t('mbind addr=0x%x len=%d mode=interleave nodemask=0xf = 0' % (H, 4 << 21))
t('madvise addr=0x%x len=%d advice=populate_write = 0' % (H, 4 << 21))
for i in range(4):
    t('move_pages addr=0x%x = %d' % (H + (i << 21), i))
t('set_mempolicy mode=bind nodemask=0x8 = 0')
t('sysctl id=12 path="/proc/sys/vm/nr_hugepages_mempolicy"')
t('snapshot file=meminfo')
t('set_mempolicy mode=default = 0')
t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|hugetlb|fixed = 0x%x' % (H + (8 << 21), 2 << 21, H + (8 << 21)))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x8 = 0' % (H + (8 << 21), 2 << 21))
t('madvise addr=0x%x len=%d advice=populate_write = 0' % (H + (8 << 21), 2 << 21))
t('move_pages addr=0x%x = 3' % (H + (8 << 21)))
t('move_pages addr=0x%x = 3' % (H + (9 << 21)))
# 3 free pages left on node 3 (6 free in all): a BIND {3} mapping of 5 reserves 5, but
# its 4th fault finds node 3 empty: SIGBUS although reserved (reference/hugetlb.md §5.1)
t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|hugetlb|fixed = 0x%x' % (H + (16 << 21), 5 << 21, H + (16 << 21)))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x8 = 0' % (H + (16 << 21), 5 << 21))
t('snapshot file=meminfo')
t('madvise addr=0x%x len=%d advice=populate_write = -EFAULT' % (H + (16 << 21), 5 << 21))
t('snapshot file=meminfo')
t('exit'); t.write('m11_hugetlb')

# R2: 4 threads, one per node, each faulting 1000 pages of one region
N = 1000
for kind in ('anon', 'shmem'):
    for variant in ('conditional', 'always'):
        t = T('R2 %s (%s): 4 threads x %d faults in a region with an interleave policy' % (kind, variant, N))
        if kind == 'anon':
            anon(t, B, 4 * N)
        else:
            t('memfd_create path="r2" = 3')
            t('ftruncate fd=3 len=%d = 0' % (4 * N * P))
            t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=3 = 0x%x' % (B, 4 * N * P, B))
        t('mbind addr=0x%x len=%d mode=interleave nodemask=0xf = 0' % (B, 4 * N * P))
        for k in range(1, 4):
            t('clone id=%d = %d' % (k + 1, k + 1))
        for k in range(4):
            touch(t, B + k * N * P, N, '1/%d' % (k + 1))
        for k in range(1, 4):
            t('exit', '1/%d' % (k + 1))
        t('sleep ns=10000000')
        t('exit'); t.write('r2_%s_%s' % (kind, variant))

# set_mempolicy_home_node, migrate_pages, move_pages
t = T('home_node on a BIND VMA; migrate_pages; move_pages moves and queries')
anon(t, B, 12)
t('mbind addr=0x%x len=%d mode=bind nodemask=0xc = 0' % (B, 4 * P))
t('set_mempolicy_home_node addr=0x%x len=%d node=3 = 0' % (B + 2 * P, 2 * P))
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x3 = 0' % (B + 4 * P, 4 * P))
t('set_mempolicy_home_node addr=0x%x len=%d node=3 = -EOPNOTSUPP' % (B + 4 * P, 4 * P))
t('set_mempolicy_home_node addr=0x%x len=%d node=7 = -EINVAL' % (B, P))
touch(t, B, 8)
# p0, p1: BIND {2,3} from node 0 -> 2; p2, p3: home node 3; p4..p7: interleave {0,1}
t.nodes(B, [2, 2, 3, 3] + [il((B >> 12) + i, [0, 1]) for i in range(4, 8)])
t('get_mempolicy addr=0x%x flags=2 arg=2 nodemask=0xc = 0' % (B + 2 * P))
t('snapshot file=numa_maps')
# migrate_pages(self, {0,1} -> {2,3}): 0 -> 2, 1 -> 3 (equal weights)
t('migrate_pages id=0 nodemask=0x3 len2=12 = 0')
t.nodes(B, [2, 2, 3, 3] + [il((B >> 12) + i, [2, 3]) for i in range(4, 8)])
# migrate_pages({2,3} -> {1}): everything to node 1
t('migrate_pages id=0 nodemask=0xc len2=2 = 0')
t.nodes(B, [1] * 8)
t('move_pages addr=0x%x node=0 flags=2 = 0' % B)
t('move_pages addr=0x%x node=3 flags=2 = 3' % (B + P))
t.nodes(B, [0, 3] + [1] * 6)
t('move_pages addr=0x%x = -ENOENT' % (B + 10 * P))
t('move_pages addr=0x%x = -EFAULT' % (B + 64 * P))
t('move_pages addr=0x%x node=2 flags=8 = -EINVAL' % B)
t('exit'); t.write('m12_home_migrate_move')

# swap-in: readahead pages are allocated by the policy at the faulting address
t = T('swap-in: the readahead window follows the VMA policy of the faulting address')
anon(t, B, 8)
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x6 = 0' % (B, 8 * P))
touch(t, B, 8)
first = [il((B >> 12) + i, [1, 2]) for i in range(8)]
t.nodes(B, first)
t('madvise addr=0x%x len=%d advice=pageout = 0' % (B, 8 * P))
t('touch addr=0x%x len=%d' % (B + 3 * P, P))       # swap-in of p3 reads the window p0..p7
t('touch addr=0x%x len=%d' % (B, 8 * P))
# the swap slots pageout gave the pages put p1 p2 p3 p7 in p3's readahead window: all on
# p3's node 2 (p2's own node is 1); p0's fault then reads p0 p4 p5 p6: all on node 1
# (p5's own node is 2)
t.nodes(B, [1, 2, 2, 2, 1, 1, 1, 2])
t('exit'); t.write('m13_swapin')

# VMAs with equal policies merge, unequal ones do not; an mprotect split copies the policy
t = T('merge only equal policies; a split copies the policy')
anon(t, B, 12)
t('mbind addr=0x%x len=%d mode=bind nodemask=0x2 = 0' % (B + 2 * P, 4 * P))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x2 = 0' % (B + 6 * P, 4 * P))   # merges: p2..p9
t('mbind addr=0x%x len=%d mode=bind nodemask=0x4 = 0' % (B + 4 * P, 2 * P))   # p4, p5 apart
t('mbind addr=0x%x len=%d mode=bind nodemask=0x2 = 0' % (B + 4 * P, 2 * P))   # merged again
t('snapshot file=numa_maps')
t('mprotect addr=0x%x len=%d prot=r = 0' % (B + 6 * P, 2 * P))                # p6, p7 split off
t('touch addr=0x%x len=%d' % (B, 12 * P))
t('touch addr=0x%x len=%d flags=write' % (B, 6 * P))
t('touch addr=0x%x len=%d flags=write' % (B + 8 * P, 4 * P))
t('snapshot file=numa_maps')
t.nodes(B, [0, 0, 1, 1, 1, 1])
t.nodes(B + 8 * P, [1, 1, 0, 0])
t('mprotect addr=0x%x len=%d prot=rw = 0' % (B + 6 * P, 2 * P))               # one VMA again
t('snapshot file=numa_maps')
t('exit'); t.write('m14_merge_split')

# weighted interleave (6.9): weights node1 = 3, node2 = 1 (default)
t = T('weighted interleave {1,2}, node 1 weight 3: task cursor and VMA offsets')
t('sysctl id=3 path="/sys/kernel/mm/mempolicy/weighted_interleave/node1"')
t('sysctl id=0 path="/sys/kernel/mm/mempolicy/weighted_interleave/node2" = -EINVAL')
anon(t, B, 16)
t('touch addr=0x%x len=%d flags=write' % (B + 15 * P, P))   # the PTE table before the policy
t('set_mempolicy mode=weighted_interleave nodemask=0x6 = 0')
t('get_mempolicy arg=6 nodemask=0x6 = 0')
t('get_mempolicy flags=1 arg=1 nodemask=0x6 = 0')
touch(t, B, 8)
# by offset: (vpn mod 4) < 3 -> node 1, else node 2 (vpn of B is a multiple of 4)
t.nodes(B, [1 if ((B >> 12) + i) % 4 < 3 else 2 for i in range(8)])
t('open path="/tmp/m15" flags=rdwr|creat = 3')
t('write fd=3 off=0 len=%d = %d' % (6 * P, 6 * P))
t('mmap addr=0x%x len=%d prot=r flags=shared|fixed fd=3 = 0x%x' % (B + 16 * P, 6 * P, B + 16 * P))
t('touch addr=0x%x len=%d' % (B + 16 * P, 6 * P))
# the cursor: 3 pages on node 1, 1 on node 2, then node 1 again
t.nodes(B + 16 * P, [1, 1, 1, 2, 1, 1])
t('get_mempolicy flags=1 arg=1 nodemask=0x6 = 0')           # node 1 has 1 page left
t('snapshot file=numa_maps')
t('exit'); t.write('m15_weighted_interleave')

# shared policy ranges: a policy set inside another splits its range (the tail a copy)
t = T('shared policy tree: a range inside another splits it; the tree outlives the mapping')
t('memfd_create path="m16" = 3')                                 # i_ino 0
t('ftruncate fd=3 len=%d = 0' % (12 * P))
t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=3 = 0x%x' % (B, 12 * P, B))
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x3 = 0' % (B, 12 * P))
t('mbind addr=0x%x len=%d mode=bind nodemask=0x8 = 0' % (B + 4 * P, 4 * P))
touch(t, B, 12)
t.nodes(B, [i % 2 for i in range(4)] + [3] * 4 + [i % 2 for i in range(8, 12)])
t('munmap addr=0x%x len=%d = 0' % (B, 12 * P))
t('mmap addr=0x%x len=%d prot=rw flags=shared|fixed fd=3 off=%d = 0x%x' % (A2, 8 * P, 4 * P, A2))
t('get_mempolicy addr=0x%x flags=2 arg=2 nodemask=0x8 = 0' % (A2 + 3 * P))   # index 7
t('get_mempolicy addr=0x%x flags=2 arg=3 nodemask=0x3 = 0' % (A2 + 4 * P))   # index 8
t('snapshot file=numa_maps')
t('exit'); t.write('m16_shared_ranges')

# the interim design's own botches (refcount = always with leak_paths = pre_2.6.24)
t = T('interim -mm code (refcount always, pre_2.6.24): interleave faults keep their VMA '
      'reference; huge_zonelist drops a task policy reference it never took')
anon(t, B, 8)
t('mbind addr=0x%x len=%d mode=interleave nodemask=0x3 = 0' % (B, 8 * P))
touch(t, B, 8)
t.nodes(B, [il((B >> 12) + i, [0, 1]) for i in range(8)])
t('set_mempolicy mode=interleave nodemask=0xf = 0')
t('sysctl id=4 path="/proc/sys/vm/nr_hugepages"')
t('mmap addr=0x%x len=%d prot=rw flags=private|anonymous|hugetlb|fixed = 0x%x' % (H, 2 << 21, H))
t('madvise addr=0x%x len=%d advice=populate_write = 0' % (H, 2 << 21))
t('move_pages addr=0x%x = 0' % H)
t('move_pages addr=0x%x = 1' % (H + (1 << 21)))
t('exit'); t.write('r3_interim_botch')
