#!/bin/bash
# madv_oracle.sh - replay of tests/real/madv_oracle.strace (Linux 6.18, recorded on its
# machine): partial application (mprotect, MADV_DONTNEED and MADV_POPULATE_WRITE meeting
# a hole or an unsuitable VMA part-way), populates past the end of a memfd, MADV_FREE
# (EINVAL on a shared mapping; LazyFree and pglazyfree when the lazyfree batch drains).
# Per step the change of Anonymous, Pss_Shmem, LazyFree and pglazyfree equals the real
# one, every recorded result is reproduced, and the final layout of the program's
# mappings is the real one (tests/real/README.md).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/madv_oracle.strace" --machine "$here/real/mlock_oracle.machine.yaml" \
	-o "$out" --quiet --check
grep -q "no findings" "$out/findings.txt"
# every recorded result but the two mprotects of ld.so's mappings made before the trace
grep -q '"ret_mismatch": 2,' "$out/summary.json"
python3 - "$here/real/madv_oracle.truth" "$out" <<'PY'
import os, re, sys
truth_path, out = sys.argv[1], sys.argv[2]
steps, maps, inmaps = [], [], False
for l in open(truth_path):
    l = l.rstrip('\n')
    if l == '== MAPS':
        inmaps = True
    elif inmaps:
        maps.append(l)
    elif l.startswith('== STEP'):
        steps.append([l.split()[2], {}, []])
    elif l.startswith('# result'):
        steps[-1][2].append(l[9:])
    else:
        steps[-1][1][re.split(r'[: ]', l)[0]] = int(l.split()[1])
assert len(steps) == 11, len(steps)
snap = os.path.join(out, 'snapshots')
files = sorted(os.listdir(snap))
assert files == ['%04d-%s' % (2 * i + j + 1, n) for i in range(11)
                 for j, n in enumerate(('smaps_rollup', 'vmstat'))] + ['0023-maps'], files
sim = []
for i in range(11):
    d = {}
    for f in files[2 * i:2 * i + 2]:
        for l in open(os.path.join(snap, f)):
            m = (re.match(r'^(Anonymous|Pss_Shmem|LazyFree):\s+(\d+) kB', l) or
                 re.match(r'^(pglazyfree) (\d+)$', l))
            if m:
                d[m.group(1)] = int(m.group(2))
    sim.append(d)
bad = 0
for i in range(1, 11):
    for k in ('Anonymous', 'Pss_Shmem', 'LazyFree', 'pglazyfree'):
        real = steps[i][1][k] - steps[i - 1][1][k]
        got = sim[i][k] - sim[i - 1][k]
        if real != got:
            print('step %s: %s changed by %d on the real kernel, %d in mmsim'
                  % (steps[i][0], k, real, got))
            bad += 1
# figures spelled out: the part before the hole is populated (8 pages), then the one
# before the read-only VMA (4); 2 memfd pages of 4; MADV_FREE's 8 pages wait in the
# lazyfree batch (LazyFree, pglazyfree +0) until the next populate drains it (+8; the
# 4 rewritten pages are dirty: LazyFree 16 kB)
names = [s[0] for s in steps]
d = lambda st, k: sim[names.index(st)][k] - sim[names.index(st) - 1][k]
assert d('p3_populate_hole', 'Anonymous') == 32 and d('p4_populate_readonly', 'Anonymous') == 16
assert d('e1_populate_past_eof', 'Pss_Shmem') == 8
assert d('f1_madv_free', 'pglazyfree') == 0 and d('f2_rewritten', 'pglazyfree') == 8
assert d('f2_rewritten', 'LazyFree') == 16
# the layout: address range and permissions of each mapping at 0x6000... (the memfd's
# device and inode numbers are the host's). One known difference: 6.18 leaves the two
# PROT_NONE halves at 0x600000200000 apart (the half never faulted lost VM_ACCOUNT when
# made read-only without an anon_vma); mmsim keeps no VM_ACCOUNT and merges them.
key = lambda l: tuple(l.split()[:2])
real = [key(l) for l in maps]
got = [key(l) for l in open(os.path.join(snap, '0023-maps')) if l.startswith('6000')]
merged = [('600000200000-600000204000', '---p'), ('600000204000-600000208000', '---p')]
assert all(m in real for m in merged), real
real = [k for k in real if k not in merged] + [('600000200000-600000208000', '---p')]
if sorted(real) != sorted(got):
    print('maps: real', sorted(real), 'mmsim', sorted(got))
    bad += 1
sys.exit(1 if bad else 0)
PY
