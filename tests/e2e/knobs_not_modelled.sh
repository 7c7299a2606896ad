#!/bin/bash
# knobs_not_modelled.sh - a knob value that asks for a mechanism mmsim does not model is
# refused or warned about, never silently taken (sim/config/scenario.c
# not_modelled_checks): vm.overcommit_memory 2 (strict commit accounting) is refused
# (tests/bad_input/36-overcommit-strict.yaml has the YAML case); 1 (always) is modelled:
# a 64 GiB private writable mmap on an 8 GiB machine without swap fails with ENOMEM under
# the heuristic (0) and succeeds under 1, and its page faults in; vm.zone_reclaim_mode
# is accepted with a located warning (node reclaim is not modelled, only khugepaged's
# node-distance limit follows it).
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$mmsim" validate --set vm.overcommit_memory=2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && ok || ko "overcommit 2: exit $rc"
want='--set vm.overcommit_memory=2: 2 (never overcommit: the commit limit and Committed_AS accounting) is not modelled; 0 (heuristic) and 1 (always) are'
[ "$(cat "$tmp/err")" = "$want" ] && ok || ko "overcommit 2 message: $(cat "$tmp/err")"

cat > "$tmp/big.mmt" <<'MMT'
mmt 1
page_size 4096
0.000001000 1/1 mmap addr=0x0 len=68719476736 prot=rw flags=private|anonymous = 0x7f0000000000
0.000002000 1/1 touch addr=0x7f0000000000 len=4096 flags=write
0.000003000 1/1 exit
MMT
for mode in 0 1; do
	"$mmsim" replay "$tmp/big.mmt" -o "$tmp/o$mode" --quiet --set vm.overcommit_memory=$mode 2>"$tmp/err$mode" ||
		ko "overcommit $mode: replay failed: $(cat "$tmp/err$mode")"
done
python3 - "$tmp" <<'PY' && ok || ko "overcommit 0/1 replays"
import json, sys
t = sys.argv[1]
s = {m: json.load(open(f"{t}/o{m}/summary.json")) for m in (0, 1)}
r0, r1 = s[0]['events']['ret_mismatch'], s[1]['events']['ret_mismatch']
if (r0, r1) != (1, 0):
    print('ret_mismatch under 0 and 1:', r0, r1); sys.exit(1)
PY
grep -q "replayed 1 page touches: 1 page faults, 0 SIGSEGV" "$tmp/err1" && ok || ko "overcommit 1: the page did not fault in: $(cat "$tmp/err1")"
grep -q "replayed 1 page touches: 0 page faults, 1 SIGSEGV" "$tmp/err0" && ok || ko "overcommit 0: the touch of the refused mapping: $(cat "$tmp/err0")"

cat > "$tmp/zr.yaml" <<'YAML'
kernel:
  vm.zone_reclaim_mode: 4
workloads:
  - type: sequential_touch
    size: 4MiB
YAML
"$mmsim" validate "$tmp/zr.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || ko "zone_reclaim_mode: exit $rc"
want="$tmp/zr.yaml:2:25: vm.zone_reclaim_mode: warning: 4 asks for node reclaim (the page allocator reclaiming the local node before it falls back to another), which is not modelled; only khugepaged's node-distance limit follows this knob"
[ "$(cat "$tmp/err")" = "$want" ] && ok || ko "zone_reclaim_mode warning: $(cat "$tmp/err")"
"$mmsim" validate "$tmp/zr.yaml" --set vm.zone_reclaim_mode=0 >"$tmp/out" 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok || ko "zone_reclaim_mode 0 warned: $(cat "$tmp/err")"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
