#!/bin/bash
# slab_oracle.sh - the replay of tests/real/slab_oracle's recording (this project's host,
# Linux 6.18, ext4; tests/real/README.md) against what the real kernel showed: 20000 empty
# files created in two halves, 90% unlinked, then the rest, /proc/slabinfo, meminfo and
# pagetypeinfo read after each step. tests/real/slab_oracle_compare.py checks, with the
# tolerances it states and justifies: each step's change of active dentry and ext4 inode
# objects; the slabs the creates added still held after 90% of the files went (every slab
# keeps a survivor) and the inode slabs gone after the rest, the dentry slabs kept (the
# names stay as negative dentries, which 6.18 keeps and the model keeps since this test);
# and SReclaimable since the baseline step. Also: all 20003 opens and 20000 unlinks are
# replayed, nothing unmodelled, the loader's two mprotect calls the only result
# mismatches, --check finds nothing.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
xz -dc "$here/real/slab_oracle.strace.xz" > "$out/slab_oracle.strace"
"$mmsim" replay "$out/slab_oracle.strace" --machine "$here/real/slab_oracle.machine.yaml" \
	-o "$out/o" --quiet --check 2>/dev/null
bad=0
python3 "$here/real/slab_oracle_compare.py" "$here/real/slab_oracle.truth" "$out/o/snapshots" || bad=1
if ! grep -q "no findings" "$out/o/findings.txt"; then
	cat "$out/o/findings.txt"
	bad=1
fi
python3 - "$out/o/summary.json" <<'PY' || bad=1
import json, sys
ev = json.load(open(sys.argv[1]))['events']
bad = 0
ops = ev['ops_by_type']
for k, want in (('open', 20003), ('unlink', 20000), ('snapshot', 18)):
    if ops.get(k) != want:
        print('%s ops %r, expected %d' % (k, ops.get(k), want)); bad = 1
if ev['ret_mismatch'] != 2:
    print('ret_mismatch %d, expected 2 (the loader\'s mprotect calls)' % ev['ret_mismatch']); bad = 1
left = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if left:
    print('ops not modelled:', left); bad = 1
sys.exit(bad)
PY
exit $bad
