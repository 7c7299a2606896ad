#!/bin/bash
# mmsim replay: a real multi-process trace replays to byte-identical out dirs (snapshots
# included) in both timing modes; bad command lines and traces fail with exit status 2,
# a message naming the problem, and no out dir.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
trace=$here/../traces/samples/map_steps.strace
strip_host() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("host",None); print(json.dumps(d,sort_keys=True))' "$1"; }
for mode in closed open; do
	for run in a b; do
		"$mmsim" replay "$trace" --mode $mode -o "$tmp/$mode$run" --quiet || ko "$mode $run: exit $?"
	done
	(cd "$tmp/${mode}a" && find . -type f ! -name summary.json | sort) > "$tmp/files"
	while read -r f; do
		cmp -s "$tmp/${mode}a/$f" "$tmp/${mode}b/$f" && ok || ko "$mode: $f differs between identical runs"
	done < "$tmp/files"
	[ "$(strip_host "$tmp/${mode}a/summary.json")" = "$(strip_host "$tmp/${mode}b/summary.json")" ] && ok || ko "$mode: summary differs"
	# map_steps reads /proc/meminfo five times, then THP's enabled, smaps_rollup, meminfo
	[ "$(ls "$tmp/${mode}a/snapshots" | tr '\n' ' ')" = "0001-meminfo 0002-meminfo 0003-meminfo 0004-meminfo 0005-meminfo 0006-thp_enabled 0007-smaps_rollup 0008-meminfo " ] && ok || ko "$mode: snapshots $(ls "$tmp/${mode}a/snapshots")"
	# the fork and the clone made a second process and a second thread
	python3 - "$tmp/${mode}a/summary.json" <<'PY' && ok || ko "$mode: process/thread counts"
import json, sys
e = json.load(open(sys.argv[1]))['events']
assert e['processes'] == 2 and e['threads'] == 3 and e['threads_finished'] == 3, e
assert e['snapshots'] == 8, e
PY
done
grep -qx "always \[madvise\] never" "$tmp/closeda/snapshots/0006-thp_enabled" && ok || ko "thp_enabled snapshot"
# open mode: ops are due at their recorded times; the figures are reported
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"]; assert "late_ops" in e and "lateness_max_ns" in e' "$tmp/opena/summary.json" && ok || ko "lateness figures missing"

bad() {   # expected message, then the command line
	local msg=$1; shift
	out=$("$mmsim" "$1" -o "$tmp/bad" "${@:2}" 2>&1); rc=$?
	[ $rc = 2 ] && ok || ko "$* : exit $rc (want 2)"
	echo "$out" | grep -qF -- "$msg" && ok || ko "$* : message \"$out\" lacks \"$msg\""
	[ ! -e "$tmp/bad" ] && ok || { ko "$* : left an out dir"; rm -rf "$tmp/bad"; }
}
bad "needs a trace" replay
bad "no-such.strace" replay "$tmp/no-such.strace"
bad "expected closed or open" replay "$trace" --mode sideways
bad "needs a value" replay "$trace" --machine
printf 'mmt 1\npage_size 4096\n0.000001000 1/1 mmap len=zz\n' > "$tmp/broken.mmt"
bad "broken.mmt:3" replay "$tmp/broken.mmt"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
