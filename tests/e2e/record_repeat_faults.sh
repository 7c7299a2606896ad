#!/bin/bash
# Why a live recording's replay can take fewer faults than recorded for a thread
# (record_live once saw 577 replayed of 579 recorded for a worker): the kernel reported
# an exception on a page the replay already has mapped: two threads first touching one
# page at once (both enter the fault handler) or a page migrated/reclaimed between two
# touches. tests/record/repeat_faults.mmt has one of each beside two that are no repeats
# (read then write; unmapped then touched again). repeat_faults.py lists the candidates
# (a fault on a page the mm has mapped with enough access since its last unmap); the
# replay takes no fault for a candidate unless it races as the kernel did (the two first
# touches of page 0 are 1 us apart: both fault in the replay too). So per thread:
# recorded - candidates <= replayed faults <= recorded, which record_live asserts.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$mmsim" replay "$here/record/repeat_faults.mmt" --mode open -o "$tmp/o" --quiet 2> /dev/null && ok || ko "replay"
printf 'pid,tid,touches,faults,segv\n500,500,3,3,0\n500,501,5,4,0\n' > "$tmp/want"
cmp -s "$tmp/want" "$tmp/o/threads.csv" && ok || ko "threads.csv: $(cat "$tmp/o/threads.csv")"
"$mmsim" trace cat "$here/record/repeat_faults.mmt" | python3 "$here/e2e/repeat_faults.py" > "$tmp/rep"
[ "$(cat "$tmp/rep")" = "$(printf '500/500 1\n500/501 1')" ] && ok || ko "repeats: $(cat "$tmp/rep")"
echo "record_repeat_faults: $pass passed, $fail failed"
[ $fail -eq 0 ]
