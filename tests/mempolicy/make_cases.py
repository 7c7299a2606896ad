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
t('set_mempolicy mode=weighted_interleave nodemask=0x1 = -EINVAL')   # 6.9+, not in 6.1
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
