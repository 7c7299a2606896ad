#!/bin/bash
# The process model of a replay (tests/record/process_model.strace, a strace log written
# for this test): vfork (the child borrows the parent's mm, the parent waits until the
# child execs), execve (a new empty mm, same pid; the first brk(NULL) sets the new break),
# clone(CLONE_VM) without CLONE_THREAD (a process sharing the mm), clone without CLONE_VM
# (a copy), exit_group. The vfork child's records come before the parent's "vfork
# resumed" line, as strace prints them; they still belong to that child.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
log=$here/record/process_model.strace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$mmsim" trace convert "$log" "$tmp/pm.mmt" 2> /dev/null && ok || ko "convert"
# the vfork record first, then the child's records (which strace printed before it)
grep -A2 " fork " "$tmp/pm.mmt" | head -3 | awk '{print $2, $3}' | tr '\n' ' ' > "$tmp/order"
[ "$(cat "$tmp/order")" = "100/100 fork 101/101 madvise 101/101 execve " ] && ok || ko "order: $(cat "$tmp/order")"
grep -q "fork think=100000 flags=vfork|vm id=101 = 101" "$tmp/pm.mmt" && ok || ko "vfork flags"
grep -q "100/100 fork think=190000 flags=vm id=102 = 102" "$tmp/pm.mmt" && ok || ko "CLONE_VM flags"
grep -q "100/100 fork think=50000 id=103 = 103" "$tmp/pm.mmt" && grep -q "100/100 wait4 think=500000 id=102 = 102" "$tmp/pm.mmt" && ok || ko "plain clone (after the wait4 for the CLONE_VM child)"
grep -q '101/101 execve think=100000 path="/bin/child" = 0' "$tmp/pm.mmt" && ok || ko "execve record"

"$mmsim" replay "$log" -o "$tmp/o" --quiet 2> /dev/null && ok || ko "replay"
anon() { awk '/^Anonymous:/ {print $2}' "$tmp/o/snapshots/$1-smaps_rollup"; }
# 1: the child after execve: only its own 16 pages (its new mm took the address the
#    parent's region has in the old one)
[ "$(anon 0001)" = 64 ] && ok || ko "child after exec: $(anon 0001)"
# 2: the parent after vfork: 256 pages less the 16 the child dropped in the borrowed mm
[ "$(anon 0002)" = 960 ] && ok || ko "parent after vfork: $(anon 0002)"
# 3: the clone without CLONE_VM dropped its copy of the region: none left in its mm
[ "$(anon 0003)" = 0 ] && ok || ko "plain clone child: $(anon 0003)"
# 4: the parent after both: the CLONE_VM child refilled the 16 pages in the shared mm;
#    the copy's MADV_DONTNEED did not reach the parent
[ "$(anon 0004)" = 1024 ] && ok || ko "parent at the end: $(anon 0004)"
cat > "$tmp/want" <<'W'
pid,tid,touches,faults,segv
100,100,256,256,0
101,101,16,16,0
102,102,256,16,0
103,103,0,0,0
W
cmp -s "$tmp/want" "$tmp/o/threads.csv" && ok || ko "threads.csv: $(cat "$tmp/o/threads.csv")"
python3 - "$tmp/o/summary.json" <<'PY' && ok || ko "summary events"
import json, sys
e = json.load(open(sys.argv[1]))["events"]
assert e["processes"] == 4 and e["ret_mismatch"] == 0, e    # the child's brk results too
assert e["ops_by_type"]["execve"] == 1 and e["ops_by_type"]["fork"] == 3, e
assert e["ops_by_type"]["exit"] == 4, e
PY
# the parent waits for the vfork child: its think time after vfork counts from the
# vfork's start, so the time it waited is taken off (the replay lasts as long as without
# the wait: 2.545 ms both ways)
sed 's/flags=vfork|vm/flags=vm/' "$tmp/pm.mmt" > "$tmp/nowait.mmt"
"$mmsim" replay "$tmp/nowait.mmt" -o "$tmp/n" --quiet 2> /dev/null && ok || ko "nowait replay"
grep -q "^Simulated time: 2.545 ms" "$tmp/o/report.md" && ok || ko "vfork time: $(grep Simulated "$tmp/o/report.md")"
grep -q "^Simulated time: 2.545 ms" "$tmp/n/report.md" && ok || ko "no-wait time: $(grep Simulated "$tmp/n/report.md")"
# tests/record/vfork_wait.mmt: the child writes the borrowed region 1 ms in, then exits
# without exec; the parent's snapshot right after vfork sees the 16 pages only because it
# waited (0 kB when the same child does not make it wait)
"$mmsim" replay "$here/record/vfork_wait.mmt" -o "$tmp/w" --quiet 2> /dev/null && ok || ko "vfork_wait replay"
sed 's/flags=vfork|vm/flags=vm/' "$here/record/vfork_wait.mmt" > "$tmp/w2.mmt"
"$mmsim" replay "$tmp/w2.mmt" -o "$tmp/w2" --quiet 2> /dev/null && ok || ko "vfork_wait nowait replay"
[ "$(awk '/^Anonymous:/ {print $2}' "$tmp/w/snapshots/0001-smaps_rollup")" = 64 ] && ok || ko "vfork exit: parent did not wait"
[ "$(awk '/^Anonymous:/ {print $2}' "$tmp/w2/snapshots/0001-smaps_rollup")" = 0 ] && ok || ko "CLONE_VM child: parent waited"

# --check on a machine small enough for the RSS walk: an mm shared by two processes is
# counted once (no invariant finding)
"$mmsim" replay "$log" -o "$tmp/c" --quiet --check --set machine.memory_per_node=256MiB 2> /dev/null && ok || ko "check replay"
[ "$(cat "$tmp/c/findings.txt")" = "no findings" ] && ok || ko "check findings: $(head -3 "$tmp/c/findings.txt")"

echo "record_process_model: $pass passed, $fail failed"
[ $fail -eq 0 ]
