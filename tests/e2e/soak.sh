#!/bin/bash
# soak.sh - the long run (issue 21) at reduced length: configs/examples/soak.yaml (4 nodes,
# swap, hugetlb, THP with khugepaged, an interleave mempolicy, accounted slab) with its
# counts scaled down. A short run under --check: exit 0, no finding, the invariant walks
# pass. Then the run at 1/100 (T) and at 1/50 (2T) of its full length, plain: both exit 0
# with no finding, the 2T run simulates at least 1.8x the time of the T run, and its peak
# RSS (/usr/bin/time -v) is at most the T run's + 8 MiB. The margin: the machine's page
# descriptors and rmap entries (24 B per page: up to 12 MiB for 2 GiB) become resident as
# its memory is first used, and the T run has not used all of it yet (the full-length run
# reaches its plateau, about 71 MiB, within its first 10 wall seconds and stays there);
# the sampled series (outputs.sample_interval 1s: a few hundred more rows) and the larger
# out-dir files add well under 1 MiB. Measured: T 56.1 MiB, 2T 61.2 MiB. A leak of per-op
# or per-cycle state would add tens of MiB (2T runs about 270000 more ops than T).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
scn=$here/configs/examples/soak.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

clean() {   # dir: exit 0 seen by the caller; summary has no finding and is not partial
	python3 - "$1/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['partial'] is False, d['partial']
assert d['findings']['list'] == [], d['findings']['list']
assert all(v == 0 for v in d['findings']['counts'].values()), d['findings']['counts']
print(d['simulated_ns'])
PY
}

scale() {   # 1/n of the full counts
	local n=$1
	echo --set workloads.swapper.accesses=$((144000 / n)) --set workloads.thp.cycles=$((7200 / n)) \
		--set workloads.hugetlb.iterations=$((7200 / n)) \
		--set workloads.interleave.passes=$((2250 / n)) --set workloads.slab.files=$((6000 / n))
}

# --check on a short run on 4 x 128 MiB (the invariant walks are costly on 2 GiB)
"$mmsim" run "$scn" $(scale 720) --set workloads.swapper.size=64MiB \
	--set workloads.swapper.window=16MiB --set machine.memory_per_node=128MiB \
	-o "$tmp/check" --quiet --check 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || ko "--check run: exit $rc $(cat "$tmp/err")"
clean "$tmp/check" >/dev/null && ok || ko "--check run: findings"

rss() {   # n, dir: peak RSS in KiB of a run at 1/n length
	/usr/bin/time -v "$mmsim" run "$scn" $(scale "$1") -o "$2" --quiet 2>"$2.time" >/dev/null
	local rc=$?
	[ $rc = 0 ] || { echo "exit $rc" >&2; return 1; }
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$2.time"
}
t1=$(rss 100 "$tmp/t1") && ok || ko "T run: $(cat "$tmp/t1.time")"
t2=$(rss 50 "$tmp/t2") && ok || ko "2T run: $(cat "$tmp/t2.time")"
s1=$(clean "$tmp/t1") && ok || ko "T run: findings"
s2=$(clean "$tmp/t2") && ok || ko "2T run: findings"
[ "$s1" -gt 0 ] && [ $((s2 * 10)) -ge $((s1 * 18)) ] && ok || ko "2T simulated $s2 ns, T $s1 ns"
if [ "${MMSIM_SANITIZE:-0}" = 1 ]; then
	# ASan keeps freed blocks resident in its quarantine (up to 256 MiB): peak RSS says
	# nothing about mmsim's own growth there; the plain build's run checks it
	echo "peak RSS not compared under ASan (T $t1 KiB, 2T $t2 KiB)"
else
	[ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" -le $((t1 + 8192)) ] && ok ||
		ko "peak RSS: T $t1 KiB, 2T $t2 KiB (margin 8192 KiB)"
fi
# SIGTERM stops the full-length run at once with partial outputs (exit 6). It once spun
# in free_pcppages_bulk: a count taken before the zone lock wait, the lists drained meanwhile.
"$mmsim" run "$scn" -o "$tmp/term" --quiet 2>"$tmp/term.err" &
pid=$!
sleep 3
kill -TERM $pid
for _ in $(seq 1 120); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
if kill -0 $pid 2>/dev/null; then
	kill -9 $pid
	ko "SIGTERM: still running 60 s later"
else
	wait $pid
	rc=$?
	[ $rc = 6 ] && head -1 "$tmp/term/report.md" | grep -q "^# mmsim report (partial: the run was stopped by SIGTERM" &&
		ok || ko "SIGTERM: exit $rc $(cat "$tmp/term.err")"
fi
echo "T: $s1 ns simulated, peak RSS $t1 KiB; 2T: $s2 ns, $t2 KiB"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
