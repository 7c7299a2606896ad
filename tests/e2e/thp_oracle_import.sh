#!/bin/bash
# thp_oracle_import.sh - both recordings of tests/real/thp_oracle (Linux 6.18 host, Linux
# 6.1 guest) import and replay whole, whatever THP model is there: no call the importer
# should keep is lost (no "not a number" sysctl write, no unparsed line; only execve,
# newfstatat and getdents64 are left out; wait4 is imported since replay orders it), the replay on the recording's machine runs
# with --check and no findings, and it gives as many steps (smaps_rollup, vmstat,
# pages_collapsed, full_scans snapshots in a row) as the truth has, 77. The figures
# themselves are compared by thp_oracle.sh.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
check() {
	local log=$here/real/$1 machine=$here/real/$2 not_imported=$3   # $4: the calls left out
	local truth=${log%.strace}.truth
	"$mmsim" trace stat "$log" > "$out/stat.txt" 2>&1
	if ! grep -q "^not imported: $not_imported$" "$out/stat.txt" ||
	   [ "$(sed -n '/^not imported/,/^signals/p' "$out/stat.txt" | sed '1d;$d' |
		awk '{print $1}' | sort | tr '\n' ' ')" != "$4" ]; then
		echo "$1: calls left out other than execve, newfstatat, getdents64:"
		cat "$out/stat.txt"
		exit 1
	fi
	rm -rf "$out/r"
	"$mmsim" replay "$log" --machine "$machine" -o "$out/r" --quiet --check
	grep -q "no findings" "$out/r/findings.txt" || { cat "$out/r/findings.txt"; exit 1; }
	test "$(grep -c '^== ' "$truth")" = 77
	python3 "$here/real/thp_oracle_compare.py" --structure "$truth" "$out/r/snapshots"
}
# (newfstatat of an open regular file is an fstat record; of a path or a directory, left out)
check thp_oracle.strace thp_oracle.machine.yaml 12 "execve getdents64 newfstatat "
check thp_oracle.linux-6.1.strace thp_oracle.linux-6.1.machine.yaml 3 "execve getdents64 "

