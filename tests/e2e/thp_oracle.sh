#!/bin/bash
# thp_oracle.sh - replay of tests/real/thp_oracle.strace against what the real kernel
# showed (tests/real/README.md), on tests/real/thp_oracle.machine.yaml (the host's shape:
# one node, no swap, THP knobs at the host's values; 1 GiB of memory, see that file).
# After every step, mmsim's AnonHugePages of the process equals the real one, and so do
# the changes since the previous step of thp_fault_alloc, thp_fault_fallback,
# thp_collapse_alloc, thp_collapse_alloc_failed, thp_split_pmd (/proc/vmstat) and
# khugepaged's pages_collapsed; every recorded result is reproduced (MADV_COLLAPSE's
# EINVAL and ENOMEM, prctl's) except the two ld.so mprotect calls, and no op is left
# unmodelled. Every mismatch is printed ("step C2_collapse_1_of_512: thp_collapse_alloc
# real +1 mmsim +0"), then the test fails; so do findings of --check.
#
# A step is the program's read of smaps_rollup, then of vmstat, pages_collapsed and
# full_scans in that order; the other reads of full_scans are the program polling for
# khugepaged's passes and are not steps.
#
# Registered in tests/CMakeLists.txt once the THP fault model and khugepaged land; with
# one of them missing it fails (steps F*, C* need the fault model and MADV_COLLAPSE; K*
# need khugepaged; the sysctl words need the THP knobs).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/thp_oracle.strace" --machine "$here/real/thp_oracle.machine.yaml" \
	-o "$out" --quiet --check
python3 "$here/real/thp_oracle_compare.py" "$here/real/thp_oracle.truth" "$out/snapshots"
findings=$out/findings.txt
if [ -e "$findings" ] && ! grep -q "no findings" "$findings"; then
	echo "findings:"
	cat "$findings"
	exit 1
fi
python3 - "$out/summary.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))['events']
bad = 0
if ev['ret_mismatch'] != 2:
    print('ret_mismatch %d, expected 2 (the two ld.so mprotect calls)' % ev['ret_mismatch'])
    bad = 1
left = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if left:
    print('ops not modelled:', left)
    bad = 1
sys.exit(bad)
PY
