#!/bin/bash
# wb_oracle_record.sh OUTDIR - record tests/real/wb_oracle on this machine (as root, in a
# directory on a disk-backed filesystem): build it, run it twice without strace and once
# under strace, and accept the recording only if the three runs agree with each other
# within the tolerances of wb_oracle_compare.py (global Dirty changes within 512 kB,
# nr_dirtied/nr_written within 320 pages, pgpgout within 1024 KiB, the cgroup's figures
# within 512 kB, Private_Dirty exactly): other processes writing files meanwhile move the
# global counters; run it when the machine is quiet, and again if it refuses. Writes
# OUTDIR/wb_oracle.strace and OUTDIR/wb_oracle.truth.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cc -O1 -Wall -o "$out/wb_oracle" "$here/wb_oracle.c"
cd "$out"
./wb_oracle run1.truth
./wb_oracle run2.truth
rm -f wb_oracle.strace
strace -f -ttt -e trace=memory,process,ipc,desc,unlink,unlinkat -s 64 -o wb_oracle.strace \
	./wb_oracle wb_oracle.truth
python3 - run1.truth run2.truth wb_oracle.truth <<'PY'
import re, sys
def steps(p):
    st = []
    for line in open(p):
        m = re.match(r'^== (\S+)', line)
        if m:
            st.append({'name': m.group(1)}); continue
        m = re.match(r'^cgroup cache (\d+) kB dirty (\d+) kB', line)
        if m:
            st[-1]['cg_cache'], st[-1]['cg_dirty'] = map(int, m.groups()); continue
        m = re.match(r'^(\w+):?\s+([+-]?\d+)', line)
        if m:
            st[-1][m.group(1)] = int(m.group(2))
    for i in range(len(st) - 1, 0, -1):
        st[i]['Dirty'] -= st[i - 1]['Dirty']
    for s in st[1:]:
        s['Private_Dirty'] -= st[0]['Private_Dirty']
    st[0]['Private_Dirty'] = 0
    return st
runs = [steps(p) for p in sys.argv[1:]]
tol = {'Dirty': 512, 'cg_cache': 512, 'cg_dirty': 512, 'pgpgout': 1024, 'nr_dirtied': 320,
       'nr_written': 320, 'Private_Dirty': 0}
bad = 0
for a in range(3):
    for b in range(a + 1, 3):
        for x, y in zip(runs[a], runs[b]):
            for k, t in tol.items():
                if abs(x[k] - y[k]) > t:
                    print('%s: %s differs between runs %d and %d: %d vs %d'
                          % (x['name'], k, a + 1, b + 1, x[k], y[k]), file=sys.stderr)
                    bad = 1
if bad:
    print('the three runs differ: the machine was not quiet; run again', file=sys.stderr)
sys.exit(bad)
PY
