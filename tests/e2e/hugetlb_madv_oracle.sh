#!/bin/bash
# hugetlb_madv_oracle.sh - replay of tests/real/hugetlb_madv_oracle.strace (Linux 6.18,
# recorded on this machine as root with a pool of 4 huge pages it sized itself): madvise
# on hugetlb mappings. At each of the 20 steps HugePages_Total, _Free, _Rsvd and _Surp of
# mmsim's meminfo equal the real ones exactly, and every recorded result is reproduced
# (DONTNEED gives a private page's reservation back, 4 KiB DONTNEED frees nothing, an
# unaligned start is EINVAL, MADV_REMOVE is EACCES on a private mapping and punches the
# page out of a memfd or shared anonymous mapping). tests/real/README.md;
# tests/lib/oracle_steps.py.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/hugetlb_madv_oracle.strace" \
	--machine "$here/real/mlock_oracle.machine.yaml" -o "$out" --quiet --check 2>/dev/null
grep -q "no findings" "$out/findings.txt"
grep -q '"ret_mismatch": 2,' "$out/summary.json"
PYTHONPATH="$here/lib" python3 - "$here/real/hugetlb_madv_oracle.truth" "$out" <<'PY'
import sys
from oracle_steps import Compare, parse_truth, snapshot_groups, values
steps = parse_truth(sys.argv[1])
groups = snapshot_groups(sys.argv[2], ('meminfo',))
c = Compare()
c.eq('steps', (len(steps), len(groups)), (20, 20))
keys = ('HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp')
for (name, _, real, _), g in zip(steps, groups):
    got = values(g['meminfo'], keys)
    c.eq('step %s: T/F/R/S' % name, [got[k] for k in keys], [real[k] for k in keys])
# spelled out: after the private DONTNEED, 3 free and 1 reserved (the reservation back)
names = [s[0] for s in steps]
c.eq('private_dontneed', [values(groups[names.index('private_dontneed')]['meminfo'], keys)[k]
                          for k in keys], [4, 3, 1, 0])
c.eq('results', [r for s in steps for r in s[1] if 'dontneed_unaligned' in r or 'remove_private' in r],
     ['madvise_dontneed_unaligned = -22', 'madvise_remove_private = -13'])
sys.exit(c.report())
PY
