#!/bin/bash
# vma_oracle.sh - replay of a real program's strace log against what the real kernel
# showed it (tests/real/README.md): smaps_rollup changes per step and the final layout
# of anonymous mappings, exactly.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/vma_oracle.strace" -o "$out" --quiet --check
python3 - "$here/real/vma_oracle.truth" "$out" <<'PY'
import os, re, sys
truth_path, out = sys.argv[1], sys.argv[2]
def sections(text):
    out, cur = [], None
    for line in text.splitlines():
        m = re.match(r'^== (\S+) (\S+)$', line)
        if m:
            cur = [m.group(1), m.group(2), []]
            out.append(cur)
        else:
            cur[2].append(line)
    return out
def rollup(lines):
    return {k: int(v.split()[0]) for k, v in (l.split(':') for l in lines[1:])}
truth = sections(open(truth_path).read())
snapdir = os.path.join(out, 'snapshots')
files = sorted(os.listdir(snapdir))
expected_files = ['%04d-smaps_rollup' % i for i in range(1, 10)] + ['0010-maps']
assert files == expected_files, files
sim = [open(os.path.join(snapdir, f)).read().splitlines() for f in files]
# replay order: the parent's first six, the child's, the parent's last two, maps
parent = [0, 1, 2, 3, 4, 5, 7, 8]
steps = [t[0] for t in truth if t[1].endswith('smaps_rollup')]
assert steps == ['start', 'populate64', 'mprotect', 'munmap', 'mprotect_merge', 'mremap',
                 'after_child', 'dontneed'], steps
ts = [rollup(t[2]) for t in truth if t[1].endswith('smaps_rollup')]
ss = [rollup(sim[i]) for i in parent]
bad = 0
for i in range(1, len(ts)):
    for k in ('Anonymous', 'Private_Dirty', 'Shared_Dirty', 'Pss_Anon'):
        real = ts[i][k] - ts[i - 1][k]
        got = ss[i][k] - ss[i - 1][k]
        # after_child: one anonymous page of the parent's own user-space code (not traced)
        if steps[i] == 'after_child' and k != 'Shared_Dirty':
            real -= 4
        if real != got:
            print('step %s: %s changed by %d kB on the real kernel, %d kB in mmsim'
                  % (steps[i], k, real, got))
            bad += 1
# the child: while it shares the parent's pages, its 8 COW copies are private dirty
child = rollup(sim[6])
assert child['Private_Dirty'] == 32 and child['Shared_Dirty'] == ss[5]['Anonymous'] - 32, child
# final layout of anonymous mappings
anon = lambda lines: {l for l in lines if re.search(r' 00:00 0 +$', l)}
real_maps = anon(truth[-1][2])
sim_maps = anon(sim[9])
if not sim_maps <= real_maps:
    print('mmsim maps lines not on the real kernel:', sorted(sim_maps - real_maps))
    bad += 1
missing = sorted(real_maps - sim_maps)
if missing != ['559a913dc000-559a914dc000 rw-p 00000000 00:00 0 ']:
    print('real maps lines missing in mmsim:', missing)
    bad += 1
assert len(sim_maps) == 6, sorted(sim_maps)
sys.exit(1 if bad else 0)
PY
grep -q "no findings" "$out/findings.txt"
