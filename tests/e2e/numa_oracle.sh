#!/bin/bash
# numa_oracle.sh - replay of the NUMA ground-truth logs of tests/real/numa (recorded on
# Debian's 6.1.192 kernel in a 4-node qemu guest, tests/real/README.md) on the guest's
# machine (tests/real/numa/machine.yaml), compared step by step with what the real kernel
# showed (<name>.truth, the program's output):
#   - "pages 0xADDR N0=.. N1=.. N2=.. N3=..": the per-node pages of the VMA at ADDR in the
#     step's last numa_maps snapshot, exactly ("none": no VMA there);
#   - "numastat nodeN hit=.. miss=.. foreign=.. il=.. local=.. other=..": the change of each
#     counter over the step (the snapshots the program took before and after its calls):
#     0 <= real - mmsim <= 2, the real kernel's own allocations in the task's context
#     (sysfs/seq_file buffers, a slab page) being the difference; not compared for a step
#     marked "tolerance none" (page tables of a new region, a fork);
#   - every recorded result (move_pages statuses, i.e. the "nodes" and "status" lines,
#     get_mempolicy, mbind, migrate_pages ...) is reproduced: the replay's result
#     mismatches (MMSIM_DEBUG_RET) are listed under the step whose pages they concern.
# Every difference is printed ("numa_policy M3_bind23: pages 0x7e0000030000 real N0=0
# N1=0 N2=8 N3=0 mmsim N0=8 N1=0 N2=0 N3=0"), then the test fails.
#
# usage: numa_oracle.sh MMSIM [model-free]
# "model-free" compares only the steps that need no mempolicy model (no policy, no
# migration, no affinity change before them in the same mapping): the test numa_import.sh
# runs it so; e2e/numa_oracle runs the full comparison (every step of the three logs).
set -euo pipefail
mmsim=$1
only=${2:-all}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$here/real/numa
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0
for name in numa_policy numa_mbind numa_shared; do
	MMSIM_DEBUG_RET=1 "$mmsim" replay "$dir/$name.strace" --machine "$dir/machine.yaml" \
		--mode open -o "$out/$name" --quiet 2>"$out/$name.stderr" || {
		echo "$name: mmsim replay failed:"; cat "$out/$name.stderr"; exit 1; }
	python3 - "$name" "$dir/$name.truth" "$out/$name" "$out/$name.stderr" "$only" <<'PY' || bad=1
import json, os, re, sys
name, truth_path, out, stderr_path, only = sys.argv[1:6]
BASE, REGION = 0x7e0000000000, 0x200000
KEYS = ('hit', 'miss', 'foreign', 'il', 'local', 'other')
FILE_KEYS = ('numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node',
             'other_node')
EPS = 2
# steps that need no mempolicy model: no set_mempolicy/mbind/migration/affinity op acts on
# their pages (a task policy set earlier in numa_policy rules out everything after M1)
MODEL_FREE = {
    'numa_policy': {'warmup', 'M1_default'},
    'numa_mbind': {'warmup', 'M7_fork', 'move_pages'},
    'numa_shared': {'warmup', 'M8_second_memfd'},
}

steps = []      # (name, pages {addr: str}, numastat {node: {key: n}}, tolerance, ranges)
for line in open(truth_path).read().splitlines():
    if line.startswith('== '):
        steps.append({'name': line[3:], 'pages': {}, 'stat': {}, 'tol': True, 'ranges': []})
    elif line.startswith('#') or not steps:
        continue
    elif line.startswith('pages '):
        f = line.split(' ', 2)
        steps[-1]['pages'][int(f[1], 16)] = f[2]
    elif line.startswith('numastat '):
        f = line.split()
        steps[-1]['stat'][int(f[1][4:])] = {k: int(v) for k, v in (x.split('=') for x in f[2:])}
    elif line == 'tolerance none':
        steps[-1]['tol'] = False
    elif line.startswith('nodes '):
        f = line.split()
        steps[-1]['ranges'].append((int(f[1], 16), len(f[2])))
for s in steps:
    s['ranges'] += [(a, 16) for a in s['pages']]

snapdir = os.path.join(out, 'snapshots')
files = sorted(os.listdir(snapdir)) if os.path.isdir(snapdir) else []
# per step: numastat of nodes 0..3 before, the same after, then one or more numa_maps
groups, i = [], 0
bad = 0
def numastat(path):
    got = dict(l.split() for l in open(path).read().splitlines())
    if tuple(got) != FILE_KEYS:
        sys.exit('%s: not the numastat format: %s' % (path, list(got)))
    return {k: int(got[f]) for k, f in zip(KEYS, FILE_KEYS)}
while i < len(files):
    want = ['node%d.numastat' % n for n in range(4)] * 2
    names = [f[5:] for f in files[i:i + 8]]
    if names != want:
        print('%s: snapshots from %s are not the 4+4 numastat reads of a step: %s'
              % (name, files[i], names))
        bad += 1
        break
    j = i + 8
    while j < len(files) and files[j].endswith('-numa_maps'):
        j += 1
    if j == i + 8:
        print('%s: no numa_maps snapshot after %s' % (name, files[i + 7]))
        bad += 1
        break
    groups.append((files[i:i + 4], files[i + 4:i + 8], files[j - 1]))
    i = j
if len(groups) != len(steps):
    print('%s: %d steps in the snapshots, %d on the real kernel' % (name, len(groups), len(steps)))
    bad += 1

def pages_of(path, addr):
    for l in open(path).read().splitlines():
        if l.startswith('%x ' % addr):
            c = [0] * 4
            for m in re.finditer(r' N(\d+)=(\d+)', l):
                if int(m.group(1)) < 4:
                    c[int(m.group(1))] = int(m.group(2))
            return 'N0=%d N1=%d N2=%d N3=%d' % tuple(c)
    return 'none'

# the replay's result mismatches, by step (the step whose pages hold the address)
mism = {}
for l in open(stderr_path).read().splitlines():
    m = re.match(r'^(\w+) addr=0x([0-9a-f]+) len=\d+: recorded (-?\d+), replayed (-?\d+)$', l)
    if not m:
        continue
    addr = int(m.group(2), 16)
    if addr == 0:
        step = '(other)'    # calls without an address: set_mempolicy, migrate_pages ...
    elif not BASE <= addr < BASE + REGION:
        step = None         # the executable's own mappings, made before the trace began
    else:
        step = next((s['name'] for s in steps for a, n in s['ranges'] if a <= addr < a + n * 4096),
                    '(other)')
    if step:
        mism.setdefault(step, []).append(l)

compared = 0
for s, (before, after, maps) in zip(steps, groups):
    if only == 'model-free' and s['name'] not in MODEL_FREE[name]:
        continue
    compared += 1
    where = '%s %s' % (name, s['name'])
    mp = os.path.join(snapdir, maps)
    for addr, real in s['pages'].items():
        sim = pages_of(mp, addr)
        if sim != real:
            print('%s: pages 0x%x real %s mmsim %s' % (where, addr, real, sim))
            bad += 1
    if s['tol']:
        for n in range(4):
            b = numastat(os.path.join(snapdir, before[n]))
            a = numastat(os.path.join(snapdir, after[n]))
            for k in KEYS:
                sim, real = a[k] - b[k], s['stat'][n][k]
                if not 0 <= real - sim <= EPS:
                    print('%s: numastat node%d %s real %+d mmsim %+d' % (where, n, k, real, sim))
                    bad += 1
    for l in mism.get(s['name'], []):
        print('%s: result: %s' % (where, l))
        bad += 1
if only != 'model-free':
    for l in mism.get('(other)', []):
        print('%s: result: %s' % (name, l))
        bad += 1
print('%s: %d of %d steps compared, %d differences' % (name, compared, len(steps), bad))
sys.exit(1 if bad else 0)
PY
done
exit $bad
