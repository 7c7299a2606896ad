#!/bin/bash
# The same scenario and seed give byte-identical out dirs (summary.json compared without
# its "host" object, the one place for wall-clock figures); another seed differs.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
for run in a b; do
	"$mmsim" run configs/default.yaml -o "$tmp/$run" --quiet || ko "run $run exit $?"
done
"$mmsim" run configs/default.yaml -o "$tmp/c" --quiet --seed 2 || ko "run c exit $?"
strip_host() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("host",None); print(json.dumps(d,sort_keys=True))' "$1"; }
for f in "$tmp"/a/*; do
	name=$(basename "$f")
	[ -f "$tmp/b/$name" ] || { ko "missing $name in second run"; continue; }
	if [ "$name" = summary.json ]; then
		[ "$(strip_host "$f")" = "$(strip_host "$tmp/b/$name")" ] && ok || ko "$name differs"
	else
		cmp -s "$f" "$tmp/b/$name" && ok || ko "$name differs between identical runs"
	fi
done
for f in summary.json report.md lock_stat.txt contention.csv vmstat.txt buddyinfo.txt pagetypeinfo.txt; do
	[ -s "$tmp/a/$f" ] && ok || ko "$f missing or empty"
done
[ "$(strip_host "$tmp/a/summary.json")" != "$(strip_host "$tmp/c/summary.json")" ] && ok || ko "seed 2 gave the same summary"
ls -a "$tmp/a" | grep -q '\.tmp' && ko "temporary files left in the out dir" || ok
echo "$pass passed, $fail failed"
[ $fail = 0 ]
