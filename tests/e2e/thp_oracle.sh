#!/bin/bash
# thp_oracle.sh - replays of tests/real/thp_oracle's two recordings against what the real
# kernels showed (tests/real/README.md): thp_oracle.strace (this project's host, Linux
# 6.18) on thp_oracle.machine.yaml, and thp_oracle.linux-6.1.strace (the numa-vm guest,
# Linux 6.1) on thp_oracle.linux-6.1.machine.yaml. After every step, mmsim's AnonHugePages
# of the process equals the real one, and so do the changes since the previous step of
# thp_fault_alloc, thp_fault_fallback, thp_collapse_alloc, thp_collapse_alloc_failed,
# thp_split_pmd, thp_zero_page_alloc (/proc/vmstat) and khugepaged's pages_collapsed;
# every recorded result is reproduced (MADV_COLLAPSE's EINVAL and ENOMEM, prctl's) except
# the loader's mprotect calls on mappings made before the trace began, and no op is left
# unmodelled. Every mismatch is printed ("step C2_collapse_1_of_512: thp_collapse_alloc
# real +1 mmsim +0"), then the test fails; so do findings of --check.
#
# Two exceptions on the 6.18 log, both checked on the 6.1 one: steps Z1_write_1_page and
# Z1_write_second_2M (6.18 allocates a THP on a write fault to the huge zero page, 6.1
# splits the PMD and faults in one small page, as the reference and mmsim do), and
# thp_zero_page_alloc (the host allocates its huge zero page once and keeps it, so whether
# the program's first use counts +1 depends on what ran on the host before).
#
# Registered in tests/CMakeLists.txt once the THP fault model and khugepaged land; with
# one of them missing it fails (steps F*, Z*, C* need the fault model, the huge zero page
# and MADV_COLLAPSE; K*, ZK*, P* and S* need khugepaged, S* fork of huge PMDs too; the
# sysctl words need the THP knobs).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0

# replay LOG MACHINE RET_MISMATCHES [compare options]
replay() {
	local log=$1 machine=$2 mismatches=$3 dir
	shift 3
	dir=$out/$(basename "$log" .strace)
	echo "== $(basename "$log")"
	"$mmsim" replay "$here/real/$log" --machine "$here/real/$machine" -o "$dir" --quiet --check
	python3 "$here/real/thp_oracle_compare.py" "$@" "$here/real/${log%.strace}.truth" \
		"$dir/snapshots" || bad=1
	if ! grep -q "no findings" "$dir/findings.txt"; then
		echo "findings:"
		cat "$dir/findings.txt"
		bad=1
	fi
	python3 - "$dir/summary.json" "$mismatches" <<-'PY' || bad=1
	import json, sys
	ev = json.load(open(sys.argv[1]))['events']
	bad = 0
	if ev['ret_mismatch'] != int(sys.argv[2]):
	    print('ret_mismatch %d, expected %s (the loader\'s mprotect calls)'
	          % (ev['ret_mismatch'], sys.argv[2]))
	    bad = 1
	left = {k: v for k, v in ev['ops_not_modelled'].items() if v}
	if left:
	    print('ops not modelled:', left)
	    bad = 1
	sys.exit(bad)
	PY
}

# a dynamic executable: ld.so's two mprotect calls; a static one: one
replay thp_oracle.strace thp_oracle.machine.yaml 2 --skip-counter thp_zero_page_alloc \
	--skip-step Z1_write_1_page --skip-step Z1_write_second_2M
replay thp_oracle.linux-6.1.strace thp_oracle.linux-6.1.machine.yaml 1
exit $bad
