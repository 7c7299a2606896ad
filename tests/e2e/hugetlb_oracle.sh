#!/bin/bash
# hugetlb_oracle.sh - replay of tests/real/hugetlb_oracle.strace against what the real
# kernel showed (tests/real/README.md): after every step, HugePages_Total, _Free, _Rsvd
# and _Surp of mmsim's /proc/meminfo equal the real ones, exactly, and there are as many
# meminfo snapshots as steps. Every mismatch is printed ("step H2_munmap_p1:
# HugePages_Rsvd real 2 mmsim 3"), then the test fails; so do findings of --check.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/hugetlb_oracle.strace" -o "$out" --quiet --check
python3 - "$here/real/hugetlb_oracle.truth" "$out" <<'PY'
import os, re, sys
truth_path, out = sys.argv[1], sys.argv[2]
KEYS = ('HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp')

def counters(lines, where):
    got = {}
    for l in lines:
        m = re.match(r'^(HugePages_\w+):\s+(\d+)$', l)
        if m:
            got[m.group(1)] = int(m.group(2))
    missing = [k for k in KEYS if k not in got]
    if missing:
        sys.exit('%s: no %s line' % (where, ', '.join(missing)))
    return got

# truth: "== STEP meminfo", the four lines as read, then "# ..." comments
steps = []
for line in open(truth_path).read().splitlines():
    m = re.match(r'^== (\S+) meminfo$', line)
    if m:
        steps.append((m.group(1), []))
    elif not line.startswith('#'):
        steps[-1][1].append(line)
names = [s[0] for s in steps]
assert len(set(names)) == len(names), 'step names repeat in the truth'
real = [(name, counters(lines, '%s: step %s' % (truth_path, name))) for name, lines in steps]

snapdir = os.path.join(out, 'snapshots')
files = sorted(os.listdir(snapdir)) if os.path.isdir(snapdir) else []
meminfo = [f for f in files if re.match(r'^\d{4}-meminfo$', f)]
bad = 0
if meminfo != files:
    print('snapshots other than meminfo:', [f for f in files if f not in meminfo])
    bad += 1
if meminfo != ['%04d-meminfo' % (i + 1) for i in range(len(meminfo))]:
    print('meminfo snapshots not numbered 0001.. in order:', meminfo)
    bad += 1
if len(meminfo) != len(real):
    print('%d meminfo snapshots in mmsim, %d steps on the real kernel'
          % (len(meminfo), len(real)))
    bad += 1
for (name, r), f in zip(real, meminfo):
    path = os.path.join(snapdir, f)
    s = counters(open(path).read().splitlines(), path)
    for k in KEYS:
        if r[k] != s[k]:
            print('step %s: %s real %d mmsim %d' % (name, k, r[k], s[k]))
            bad += 1
if bad:
    print('%d differences from the real kernel' % bad)
sys.exit(1 if bad else 0)
PY
findings=$out/findings.txt
if [ -e "$findings" ] && ! grep -q "no findings" "$findings"; then
	echo "findings:"
	cat "$findings"
	exit 1
fi
# every recorded result is reproduced (ENOMEM, EINVAL, EFAULT of refused faults, the
# sysctl writes' byte counts), except the two mprotect calls of ld.so on its own
# mappings, made before the trace could show them being mapped
python3 - "$out/summary.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))['events']
assert ev['ret_mismatch'] == 2, ev['ret_mismatch']
assert not any(ev['ops_not_modelled'].values()), ev['ops_not_modelled']
PY
