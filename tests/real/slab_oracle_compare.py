#!/usr/bin/env python3
"""slab_oracle_compare.py TRUTH SNAPSHOTS - compare mmsim's replay of tests/real/slab_oracle
with what the real kernel showed (tests/real/README.md). Each step of the truth has three
snapshots in the replay (slabinfo, meminfo, pagetypeinfo, in that order).

The real counts are global and the replay starts with empty caches, so the comparison is
of changes, with tolerances taken from the recordings:
- active dentry and ext4 inode objects: the change of each step within OBJ_TOL (1500) of
  the real change. Three runs on the host gave create steps of 10000 files changes of
  9711..11183 dentries: other processes create and delete files meanwhile (a step lasts
  seconds under strace).
- slab pages kept: after unlinking 90% of the files, at least 90% of the dentry and inode
  slabs the creates added are still there (every slab keeps a surviving object), in both;
  after unlinking the rest, at most 10% of the inode slabs, and still at least 90% of the
  dentry slabs (unlinked names stay as negative dentries), in both.
- SReclaimable since the baseline step B0, within KB_TOL (2048 kB, under 1% of the host's
  SReclaimable) of the replay's figure less a credit: the real caches had free objects on
  partial slabs at B0 (objs - active), which the first creates filled without new slabs;
  the replay needs new slabs for them. The credit is those slabs' pages, as long as the
  replay still holds that many of its new slabs.
Prints a table and every failure; exit 1 on any."""
import os, sys

OBJ_TOL = 1500
KB_TOL = 2048
CACHES = (('dentry', 21, 1), ('ext4_inode_cache', 14, 4))   # objects per slab, pages

def parse_truth(path):
    steps, cur = [], None
    for l in open(path):
        w = l.split()
        if l.startswith('== '):
            cur = {'name': w[1]}
            steps.append(cur)
        elif w[0] in ('dentry', 'ext4_inode_cache'):
            cur[w[0]] = dict(active=int(w[2]), objs=int(w[4]), slabs=int(w[6]))
        elif w[0] in ('Slab:', 'SReclaimable:', 'SUnreclaim:'):
            cur[w[0][:-1]] = int(w[1])
    return steps

def parse_snaps(d, n):
    names = sorted(os.listdir(d))
    if len(names) != 3 * n:
        sys.exit('%d snapshots, expected %d' % (len(names), 3 * n))
    steps = []
    for i in range(n):
        st = {}
        for l in open(os.path.join(d, names[3 * i])):
            w = l.split()
            if w and w[0] in ('dentry', 'ext4_inode_cache'):
                st[w[0]] = dict(active=int(w[1]), objs=int(w[2]), slabs=int(w[14]))
        for l in open(os.path.join(d, names[3 * i + 1])):
            w = l.split()
            if w and w[0] in ('Slab:', 'SReclaimable:', 'SUnreclaim:'):
                st[w[0][:-1]] = int(w[1])
        steps.append(st)
    return steps

def main():
    real = parse_truth(sys.argv[1])
    sim = parse_snaps(sys.argv[2], len(real))
    names = [s['name'] for s in real]
    want = ['S0_start', 'B0_nothing', 'S1_create_first_half', 'S2_create_second_half',
            'S3_unlink_90pct', 'S4_unlink_rest']
    if names != want:
        sys.exit('truth steps %r, expected %r' % (names, want))
    bad = 0
    print('%-22s %-17s %9s %9s' % ('step', 'cache', 'real', 'mmsim'))
    for i in range(1, len(real)):
        for c, _, _ in CACHES:
            dr = real[i][c]['active'] - real[i - 1][c]['active']
            ds = sim[i][c]['active'] - sim[i - 1][c]['active']
            flag = '' if abs(dr - ds) <= OBJ_TOL else '  <-- off by more than %d' % OBJ_TOL
            bad += bool(flag)
            print('%-22s %-17s %+9d %+9d%s' % (names[i], c, dr, ds, flag))
    b0, s2, s3, s4 = 1, 3, 4, 5
    for c, _, _ in CACHES:
        for who, st in (('real', real), ('mmsim', sim)):
            added = st[s2][c]['slabs'] - st[b0][c]['slabs']
            kept3 = (st[s3][c]['slabs'] - st[b0][c]['slabs']) / added
            kept4 = (st[s4][c]['slabs'] - st[b0][c]['slabs']) / added
            ok3 = kept3 >= 0.9
            ok4 = kept4 >= 0.9 if c == 'dentry' else kept4 <= 0.1
            print('%-5s %-17s slabs added %5d, kept after 90%% unlinked %5.1f%%, after all %6.1f%%%s'
                  % (who, c, added, 100 * kept3, 100 * kept4,
                     '' if ok3 and ok4 else '  <-- wrong'))
            bad += not (ok3 and ok4)
    credit = {}
    for c, per, pages in CACHES:
        free = real[b0][c]['objs'] - real[b0][c]['active']
        created = sim[s2][c]['active'] - sim[b0][c]['active']
        credit[c] = (min(free, created) // per, pages)
    for i in range(2, len(real)):
        dr = real[i]['SReclaimable'] - real[b0]['SReclaimable']
        ds = sim[i]['SReclaimable'] - sim[b0]['SReclaimable']
        cr = 0
        for c, (slabs, pages) in credit.items():
            held = sim[i][c]['slabs'] - sim[b0][c]['slabs']
            cr += min(slabs, max(held, 0)) * pages * 4
        pred = ds - cr
        flag = '' if abs(pred - dr) <= KB_TOL else '  <-- off by more than %d kB' % KB_TOL
        bad += bool(flag)
        print('%-22s SReclaimable since B0: real %+7d kB, mmsim %+7d kB - credit %5d = %+7d%s'
              % (names[i], dr, ds, cr, pred, flag))
    print('slab_oracle: %d failed' % bad)
    sys.exit(1 if bad else 0)

main()
