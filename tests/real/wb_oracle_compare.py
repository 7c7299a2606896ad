#!/usr/bin/env python3
"""wb_oracle_compare.py TRUTH SNAPSHOT_DIR - compare mmsim's snapshots of a replay of
wb_oracle.strace with the real kernel's figures kept in wb_oracle.truth (tests/real/README.md).

A step is a meminfo, a vmstat and a smaps_rollup snapshot, in that order. Per step, with the
tolerance each comparison allows and why:

* the program's cgroup (memory.stat, its own file alone): the change since the start of
  "cache" and "dirty" equals mmsim's change of Cached and Dirty within 512 kB. memcg
  statistics are flushed (rstat) only after 64 x CPUs (here 2) page updates or every 2 s,
  so up to 128 pages may be missing from what the program reads; ext4 also charges a
  metadata page of its own to the cgroup at the first fsync (+4 kB of "cache").
* global meminfo Dirty: the change since the previous step equals mmsim's within 512 kB
  (other processes dirty and clean pages meanwhile; per-CPU counter drift, threshold 24
  pages x 2 CPUs, hides up to ~200 kB). Writeback: mmsim shows 0 at every step (every sync
  call waits for its I/O) and the real value never exceeds 1024 kB (the journal, others).
* pgpgout (an event count, summed exactly over CPUs): real - mmsim between 0 and 1024 KiB
  per step: other processes and ext4's journal commit (6 blocks at an fsync) only add.
* nr_dirtied, nr_written (node counters with per-CPU drift): real - mmsim between -64 and
  +320 pages (drift up to 2 x 25; other processes' writes measured up to 225 pages in a
  step of this program).
* Private_Dirty of smaps_rollup: the change since the start equals mmsim's exactly (the
  process's own mappings; the real baseline holds the program's static buffers, which
  strace cannot see).
Prints every difference; exit 1 if there is one, 2 if the inputs are malformed; --list
prints mmsim's figures per step."""
import os
import re
import sys


def die(msg):
    print(msg)
    sys.exit(2)


def read_truth(path):
    steps = []
    for n, line in enumerate(open(path).read().splitlines(), 1):
        m = re.match(r'^== (\S+)$', line)
        if m:
            steps.append({'name': m.group(1)})
            continue
        if not steps:
            die('%s:%d: a line before the first step' % (path, n))
        s = steps[-1]
        m = re.match(r'^cgroup cache (\d+) kB dirty (\d+) kB writeback (\d+) kB$', line)
        if m:
            s['cg_cache'], s['cg_dirty'], s['cg_writeback'] = map(int, m.groups())
            continue
        m = re.match(r'^(Dirty|Writeback|Cached|Private_Dirty):\s+(\d+) kB$', line)
        if m:
            s[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'^(pgpgout|nr_dirtied|nr_written) ([+-]\d+)$', line)
        if m:
            s[m.group(1)] = int(m.group(2))
            continue
        die('%s:%d: unexpected line: %s' % (path, n, line))
    return steps


def kv(path):
    out = {}
    for line in open(path):
        p = line.replace(':', ' ').split()
        if len(p) >= 2 and p[1].lstrip('-').isdigit():
            out[p[0]] = int(p[1])
    return out


def read_sim(d):
    files = sorted(os.listdir(d))
    if len(files) % 3:
        die('%s: %d snapshots, not a multiple of 3' % (d, len(files)))
    steps, prev = [], None
    for i in range(0, len(files), 3):
        names = [f.split('-', 1)[1] for f in files[i:i + 3]]
        if names != ['meminfo', 'vmstat', 'smaps_rollup']:
            die('%s: snapshots %s are not meminfo, vmstat, smaps_rollup' % (d, files[i:i + 3]))
        mi, vm, sr = (kv(os.path.join(d, f)) for f in files[i:i + 3])
        s = {'Dirty': mi['Dirty'], 'Writeback': mi['Writeback'], 'Cached': mi['Cached'],
             'Private_Dirty': sr['Private_Dirty']}
        for c in ('pgpgout', 'nr_dirtied', 'nr_written'):
            s[c] = vm[c] - prev[c] if prev else 0
        prev = vm
        steps.append(s)
    return steps


def main():
    args = sys.argv[1:]
    listing = '--list' in args
    args = [a for a in args if a != '--list']
    if len(args) != 2:
        die(__doc__)
    real, sim = read_truth(args[0]), read_sim(args[1])
    if len(real) != len(sim):
        die('%d steps in the truth, %d in the replay' % (len(real), len(sim)))
    bad = 0

    def check(step, what, r, m, lo, hi):
        nonlocal bad
        if not lo <= r - m <= hi:
            print('step %s: %s real %d mmsim %d (allowed real - mmsim in [%d, %d])'
                  % (step, what, r, m, lo, hi))
            bad = 1

    r0, m0 = real[0], sim[0]
    for i, (r, m) in enumerate(zip(real, sim)):
        name = r['name']
        if listing:
            print(name, ' '.join('%s=%d' % kv for kv in sorted(m.items())))
            continue
        check(name, 'cgroup cache change / Cached change', r['cg_cache'] - r0['cg_cache'],
              m['Cached'] - m0['Cached'], -512, 512)
        check(name, 'cgroup dirty change / Dirty change', r['cg_dirty'] - r0['cg_dirty'],
              m['Dirty'] - m0['Dirty'], -512, 512)
        if i:
            p, q = real[i - 1], sim[i - 1]
            check(name, 'Dirty change', r['Dirty'] - p['Dirty'], m['Dirty'] - q['Dirty'],
                  -512, 512)
        check(name, 'Writeback', r['Writeback'], m['Writeback'], 0, 1024)
        if m['Writeback']:
            print('step %s: mmsim Writeback %d kB after a step' % (name, m['Writeback']))
            bad = 1
        check(name, 'pgpgout change', r['pgpgout'], m['pgpgout'], 0, 1024)
        for c in ('nr_dirtied', 'nr_written'):
            check(name, c + ' change', r[c], m[c], -64, 320)
        check(name, 'Private_Dirty change', r['Private_Dirty'] - r0['Private_Dirty'],
              m['Private_Dirty'] - m0['Private_Dirty'], 0, 0)
    sys.exit(bad)


main()
