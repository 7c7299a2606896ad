#!/bin/bash
# runahead_faults.sh - a single-threaded fault loop at engine.lookahead: 0 (exact) makes
# far fewer simcalls than faults with run-ahead (issue 19). Nothing else can act between
# two sampler ticks (kswapd and kcompactd are parked waiting for work), so at most one
# flush per tick period reaches SimGrid (the one whose sleep would cross the tick),
# taking two simcalls (the skipped sleeps in one, then its own). With ticks =
# floor(simulated time / sample_interval), the bounds checked are:
#   flushes that reach SimGrid (flushes - flushes_run_ahead) <= ticks + 2
#   simcalls <= 2 * (ticks + 2) + 2 * parks + 1
# (a park and the wake-up that ends it; one catch-up sleep at the task's end)
# and, without run-ahead, every flush is a simcall: simcalls >= 3 x faults. The outputs
# of the two runs are the same but for the simcall counters (runahead_identity.sh).
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat > "$tmp/faults.yaml" <<'YAML'
seed: 1
machine: {nodes: 1, cpus_per_node: 1, memory_per_node: 256MiB}
outputs: {sample_interval: 1ms}
workloads:
  - {type: sequential_touch, threads: 1, size: 64MiB, name: faulter}
YAML
for ra in true false; do
	"$mmsim" run "$tmp/faults.yaml" --quiet -o "$tmp/$ra" --set engine.lookahead=0 \
		--set engine.runahead=$ra || ko "runahead $ra: exit $?"
done
get() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1] + "/summary.json"))
e = d["events"]
print(d["simulated_ns"], e["simcalls"], e["flushes"], e["flushes_run_ahead"], e["parks"])' "$1"; }
read -r sim sc fl fra parks < <(get "$tmp/true")
read -r sim0 sc0 fl0 fra0 parks0 < <(get "$tmp/false")
faults=$(awk '$1 == "pgfault" { print $2 }' "$tmp/true/vmstat.txt")
[ "$faults" = 16384 ] && ok || ko "pgfault $faults (want 16384: 64 MiB of 4 KiB pages)"
[ "$(awk '$1 == "pgfault" { print $2 }' "$tmp/false/vmstat.txt")" = 16384 ] && ok || ko "pgfault without run-ahead"
[ "$sim" = "$sim0" ] && ok || ko "simulated time $sim with run-ahead, $sim0 without"
[ "$fl" = "$fl0" ] && ok || ko "flush points $fl with run-ahead, $fl0 without"
ticks=$((sim / 1000000))
[ $((fl - fra)) -le $((ticks + 2)) ] && ok || ko "$((fl - fra)) flushes reached SimGrid, more than ticks + 2 = $((ticks + 2))"
bound=$((2 * (ticks + 2) + 2 * parks + 1))
[ "$sc" -le $bound ] && ok || ko "$sc simcalls, more than 2 x (ticks + 2) + 2 x parks + 1 = $bound"
[ "$sc" -gt 0 ] && ok || ko "no simcall at all"
[ "$sc0" -ge $((3 * faults)) ] && ok || ko "without run-ahead: $sc0 simcalls for $faults faults (want >= 3 per fault)"
[ "$fra0" = 0 ] && ok || ko "skips with run-ahead off: $fra0"
echo "faults $faults, simulated $sim ns ($ticks ticks): simcalls $sc0 -> $sc, flushes to SimGrid $((fl0 - fra0)) -> $((fl - fra))"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
