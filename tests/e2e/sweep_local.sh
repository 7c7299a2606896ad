#!/bin/bash
# sweep_local.sh - `mmsim sweep` on this machine (issue 20): points named by their
# overrides in product order (points x matrix x zip x seeds); -j 1 and -j 4 give
# byte-identical per-point outputs; a point killed mid-sweep is reported with its name and
# rerun (alone) by the same command; an incomplete or partial point is rerun, a complete
# one skipped; an invalid override is reported with the point's name and the others run;
# a bad sweep file is refused with file:line:col.
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"

cat > "$tmp/s.yaml" <<EOF2
base: $here/configs/default.yaml
set: {workloads.db.touches: 1500, workloads.churn.cycles: 1}
points: [{workloads.db.write_ratio: 0.5}, {workloads.db.write_ratio: 1.0}]
matrix:
  vm.swappiness: [10, 60]
zip:
  - {workloads.db.threads: [2, 4], workloads.db.think: [100ns, 400ns]}
seeds: 2
EOF2
"$mmsim" sweep "$tmp/s.yaml" --list > "$tmp/list"; rc=$?
[ $rc = 0 ] && ok || ko "--list: exit $rc"
python3 - "$tmp/list" <<'PY' && ok || ko "--list: $(cat "$tmp/list")"
import itertools, sys
want = []
for wr, sw, (th, tk), seed in itertools.product(['0.5', '1.0'], ['10', '60'],
                                               [('2', '100ns'), ('4', '400ns')], ['1', '2']):
    want.append(f"workloads.db.write_ratio={wr},vm.swappiness={sw},workloads.db.threads={th},"
                f"workloads.db.think={tk},seed={seed}")
got = open(sys.argv[1]).read().split('\n')[:-1]
assert got == want, (got, want)
PY

# -j 1 and -j 4: the same per-point outputs
"$mmsim" sweep "$tmp/s.yaml" -o "$tmp/j1" -j 1 --quiet > "$tmp/table1" || ko "-j 1: exit $?"
"$mmsim" sweep "$tmp/s.yaml" -o "$tmp/j3" -j 4 --quiet > /dev/null || ko "-j 4: exit $?"
[ "$(grep -c ' done ' "$tmp/table1")" = 16 ] && ok || ko "table: $(cat "$tmp/table1")"
[ "$(ls "$tmp/j1" | grep -c seed=)" = 16 ] && ok || ko "16 point dirs: $(ls "$tmp/j1")"
strip_host() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("host",None); print(json.dumps(d,sort_keys=True))' "$1"; }
same=1
for p in "$tmp"/j1/*seed=*; do
	n=$(basename "$p")
	for f in $(cd "$p" && find . -type f ! -name summary.json); do
		cmp -s "$p/$f" "$tmp/j3/$n/$f" || { same=0; echo "differs: $n/$f"; }
	done
	[ "$(strip_host "$p/summary.json")" = "$(strip_host "$tmp/j3/$n/summary.json")" ] || { same=0; echo "differs: $n/summary.json"; }
done
[ $same = 1 ] && ok || ko "-j 1 and -j 4 outputs differ"
# the points really differ from each other (the overrides reached the runs)
p1="$tmp/j1/workloads.db.write_ratio=0.5,vm.swappiness=10,workloads.db.threads=2,workloads.db.think=100ns,seed=1"
p2="$tmp/j1/workloads.db.write_ratio=0.5,vm.swappiness=10,workloads.db.threads=4,workloads.db.think=400ns,seed=1"
python3 - "$p1/summary.json" "$p2/summary.json" <<'PY' && ok || ko "overrides did not reach the runs"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a['scenario']['vm.swappiness'] == '10', a['scenario']['vm.swappiness']
assert a['events']['threads'] == 4 and b['events']['threads'] == 6, (a['events']['threads'], b['events']['threads'])
PY

# resuming: a point without summary.json and a partial one are rerun, the rest skipped
rm "$p1/summary.json"
sed -i 's/"partial": false/"partial": true/' "$p2/summary.json"
"$mmsim" sweep "$tmp/s.yaml" -o "$tmp/j1" -j 2 > "$tmp/table2" 2> "$tmp/err2" || ko "resume: exit $?"
grep -q "mmsim sweep: 16 points: 2 to run, 14 complete already, 0 invalid" "$tmp/err2" && ok || ko "resume: $(head -1 "$tmp/err2")"
[ "$(grep -c ' done ' "$tmp/table2")" = 2 ] && [ "$(grep -c ' complete ' "$tmp/table2")" = 14 ] && ok || ko "resume table: $(cat "$tmp/table2")"
cmp -s "$p1/lock_stat.txt" "$tmp/j3/$(basename "$p1")/lock_stat.txt" && ok || ko "the rerun point differs"

# a point killed mid-sweep: reported with its name, rerun alone by the same command
cat > "$tmp/k.yaml" <<EOF2
base: $here/configs/default.yaml
set: {workloads.churn.cycles: 1}
matrix:
  workloads.db.touches: [1000, 100000000]
EOF2
"$mmsim" sweep "$tmp/k.yaml" -o "$tmp/k" -j 2 > "$tmp/ktable" 2> "$tmp/kerr" &
sp=$!
victim=
for _ in $(seq 600); do
	victim=$(pgrep -f -- "-o $tmp/k/workloads.db.touches=100000000" | head -1)
	[ -n "$victim" ] && [ -f "$tmp/k/workloads.db.touches=1000/summary.json" ] && break
	sleep 0.1
done
kill -KILL "$victim"
wait $sp; rc=$?
[ $rc = 1 ] && ok || ko "killed point: sweep exit $rc (want 1)"
grep -qF "mmsim sweep: point workloads.db.touches=100000000 failed: killed by signal 9" "$tmp/kerr" && ok || ko "kill message: $(cat "$tmp/kerr")"
grep -q "^workloads.db.touches=100000000 *failed *137" "$tmp/ktable" && ok || ko "kill table: $(cat "$tmp/ktable")"
grep -q '^"workloads.db.touches=100000000",failed,137,' "$tmp/k/sweep.csv" && ok || ko "sweep.csv: $(cat "$tmp/k/sweep.csv")"
sed -i 's/100000000/2000/' "$tmp/k.yaml"
# (a changed point is a new point; the killed one's directory stays, incomplete)
"$mmsim" sweep "$tmp/k.yaml" -o "$tmp/k" -j 2 > /dev/null 2> "$tmp/kerr2" || ko "rerun: exit $?"
grep -q "mmsim sweep: 2 points: 1 to run, 1 complete already, 0 invalid" "$tmp/kerr2" && ok || ko "rerun: $(head -1 "$tmp/kerr2")"

# an invalid override: that point is reported and skipped, the others run
cat > "$tmp/b.yaml" <<EOF2
base: $here/configs/default.yaml
set: {workloads.db.touches: 500, workloads.churn.cycles: 1}
matrix:
  vm.swappiness: [10, 300]
EOF2
"$mmsim" sweep "$tmp/b.yaml" -o "$tmp/b" -j 2 > "$tmp/btable" 2> "$tmp/berr"; rc=$?
[ $rc = 1 ] && ok || ko "invalid point: exit $rc (want 1)"
grep -qF "mmsim sweep: point vm.swappiness=300 is invalid:" "$tmp/berr" && ok || ko "invalid message: $(cat "$tmp/berr")"
grep -qF -- "--set vm.swappiness=300: " "$tmp/berr" && ok || ko "the diagnostic: $(cat "$tmp/berr")"
[ -f "$tmp/b/vm.swappiness=10/summary.json" ] && [ ! -e "$tmp/b/vm.swappiness=300" ] && ok || ko "the valid point did not run alone"
grep -q "^vm.swappiness=300 *invalid" "$tmp/btable" && ok || ko "table: $(cat "$tmp/btable")"

# bad sweep files
bad() {   # expected message, file content
	printf '%s\n' "$2" > "$tmp/bad.yaml"
	out=$("$mmsim" sweep "$tmp/bad.yaml" -o "$tmp/badout" 2>&1); rc=$?
	[ $rc = 2 ] && ok || ko "bad sweep ($1): exit $rc"
	echo "$out" | grep -qF -- "$1" && ok || ko "bad sweep: \"$out\" lacks \"$1\""
	[ ! -e "$tmp/badout" ] && ok || ko "bad sweep ($1) left an out dir"
}
bad "bad.yaml:2:1: sizes: unknown key (expected base, set, points, matrix, zip or seeds)" "base: $here/configs/default.yaml
sizes: [1]"
bad "bad.yaml:2:58: workloads.db.think: zip: 1 values where workloads.db.threads has 2" "base: $here/configs/default.yaml
zip: [{workloads.db.threads: [1, 2], workloads.db.think: [1ns]}]"
bad "bad.yaml:1:1: base: missing: the base scenario's path" "seeds: 2"
bad "bad.yaml:2:9: seeds: expected a seed (an integer 0..2^64-1), got \"x\"" "base: a.yaml
seeds: [x]"
bad "bad.yaml:2:26: vm.swappiness: expected a value as --set takes it" "base: a.yaml
matrix: {vm.swappiness: [[1]]}"
out=$("$mmsim" sweep "$tmp/s.yaml" -j 0 2>&1); [ $? = 2 ] && echo "$out" | grep -qF -- '-j: expected a number of parallel runs 1..4096, got "0"' && ok || ko "-j 0: $out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
