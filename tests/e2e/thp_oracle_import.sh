#!/bin/bash
# thp_oracle_import.sh - tests/real/thp_oracle.strace imports and replays whole, whatever
# THP model is there: no call the importer should keep is lost (no "not a number" sysctl
# write, no unparsed line; only execve, newfstatat and getdents64 are left out), the
# replay on tests/real/thp_oracle.machine.yaml runs with --check and no findings, and it
# gives as many steps (smaps_rollup, vmstat, pages_collapsed, full_scans snapshots in a
# row) as the truth has, 51. The figures themselves are compared by thp_oracle.sh.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" trace stat "$here/real/thp_oracle.strace" > "$out/stat.txt" 2>&1
grep -q "^not imported: 15$" "$out/stat.txt" || { cat "$out/stat.txt"; exit 1; }
grep -A3 "^not imported" "$out/stat.txt" | tail -3 | awk '{print $1}' | tr '\n' ' ' |
	grep -qx "execve newfstatat getdents64 " || { cat "$out/stat.txt"; exit 1; }
"$mmsim" replay "$here/real/thp_oracle.strace" --machine "$here/real/thp_oracle.machine.yaml" \
	-o "$out/r" --quiet --check
grep -q "no findings" "$out/r/findings.txt" || { cat "$out/r/findings.txt"; exit 1; }
test "$(grep -c '^== ' "$here/real/thp_oracle.truth")" = 51
python3 "$here/real/thp_oracle_compare.py" --structure "$here/real/thp_oracle.truth" \
	"$out/r/snapshots"
