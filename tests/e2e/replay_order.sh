#!/bin/bash
# replay_order.sh - closed-mode replay keeps the order the recorded program's own
# synchronisation imposed between its processes (sim/task/replay_sync.c).
# tests/real/pipe_order.c, recorded on this machine under strace (tests/real/README.md):
# the child populates 32 MiB, then writes a byte to a pipe; the parent reads it, reads
# /proc/meminfo, waits for the child (which sleeps 50 ms before exiting), reads meminfo
# again. The real kernel's AnonPages (pipe_order.truth): +32400 kB after the read, -30600
# kB after the wait (host noise around the child's 32768). The replay, even with page
# zeroing 200 times slower than recorded (costs.zero_4k=50us, so the child populates for
# 410 ms where the recording's parent waited 202 ms), shows +32768 kB after the read and
# the child's memory gone after the wait4 (before: 15704 kB and 21304 kB: the parent ran
# ahead). Then a .mmt of a pipe read to end of file (waits for the child's exit, which
# closes the last write end) and one whose read nothing can satisfy (given up, no hang).
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"

"$mmsim" trace convert "$here/tests/real/pipe_order.strace" "$tmp/p.mmt" 2>/dev/null || ko "convert"
grep -q ' 8021/8021 pipe think=1167000 fd=4 id=5 = 0$' "$tmp/p.mmt" && ok || ko "pipe2 not imported: $(grep pipe "$tmp/p.mmt")"
grep -q ' 8021/8021 wait4 think=95000 id=8047 = 8047$' "$tmp/p.mmt" && ok || ko "wait4 not imported: $(grep wait4 "$tmp/p.mmt")"
for z in 250ns 50us; do
	"$mmsim" replay "$here/tests/real/pipe_order.strace" -o "$tmp/o_$z" --quiet \
		--set costs.zero_4k=$z 2>/dev/null || ko "replay zero_4k=$z failed"
done
python3 - "$tmp" "$here/tests/real/pipe_order.truth" <<'PY' || fail=$((fail + 1))
import glob, json, sys
t, truth = sys.argv[1], sys.argv[2]
real = [int(l.split()[1]) for l in open(truth)]
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print(f"FAIL: {what}: {got}, expected {want}"); bad += 1
check("real kernel: +32 MiB after the read, back after the wait (within 4 MiB of host noise)",
      (abs(real[1] - real[0] - 32768) < 4096, abs(real[1] - real[2] - 32768) < 4096), (True, True))
for z, waited in (("250ns", 272657280), ("50us", 681005280)):
    o = f"{t}/o_{z}"
    anon = [int(next(l for l in open(f) if l.startswith("AnonPages:")).split()[1])
            for f in sorted(glob.glob(o + "/snapshots/*meminfo"))]
    check(f"zero_4k={z}: AnonPages before, after the read, after the wait", anon, [0, 32768, 0])
    e = json.load(open(o + "/summary.json"))["events"]
    check(f"zero_4k={z}: sync waits/ns/unmet", (e["sync_waits"], e["sync_wait_ns"], e["sync_unmet"]), (2, waited, 0))
    # the two left are the exec image's mprotects, which the trace cannot see mapped
    check(f"zero_4k={z}: mismatches, ops not modelled", (e["ret_mismatch"], e["ops_not_modelled"]), (2, {}))
    check(f"zero_4k={z}: pipe, wait4, reads, writes", [e["ops_by_type"].get(k) for k in ("pipe", "wait4")], [1, 1])
print(f"{5 * 2 + 1 - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY

cat > "$tmp/eof.mmt" <<'MMT'
mmt 1
page_size 4096
0.000001000 1/1 pipe fd=3 id=4 = 0
0.000002000 1/1 fork id=2 = 2
0.000003000 2/2 close fd=3 = 0
0.005000000 2/2 write len=10 fd=4 off=-1 think=5000000 = 10
0.008000000 2/2 exit think=3000000
0.000004000 1/1 close fd=4 = 0
0.000005000 1/1 read len=100 fd=3 off=-1 = 10
0.005001000 1/1 read len=100 fd=3 off=-1 think=1000 = 0
0.008002000 1/1 wait4 id=2 think=1000 = 2
0.008003000 1/1 exit think=1000
MMT
cat > "$tmp/stuck.mmt" <<'MMT'
mmt 1
page_size 4096
0.000001000 1/1 pipe fd=3 id=4 = 0
0.000002000 1/1 read len=1 fd=3 off=-1 = 1
0.000003000 1/1 exit
MMT
# dup: the child's write end duplicated (dup2 4 -> 5) and the original closed; the copy
# carries the write and keeps the pipe open until the child exits
cat > "$tmp/dup.mmt" <<'MMT'
mmt 1
page_size 4096
0.000001000 1/1 pipe fd=3 id=4 = 0
0.000002000 1/1 fork id=2 = 2
0.000003000 2/2 close fd=3 = 0
0.000003500 2/2 dup fd=4 id=5 = 5
0.000003600 2/2 close fd=4 = 0
0.005000000 2/2 write len=10 fd=5 off=-1 think=5000000 = 10
0.008000000 2/2 exit think=3000000
0.000004000 1/1 close fd=4 = 0
0.000005000 1/1 read len=100 fd=3 off=-1 = 10
0.005001000 1/1 read len=100 fd=3 off=-1 think=1000 = 0
0.008002000 1/1 wait4 id=2 think=1000 = 2
0.008003000 1/1 exit think=1000
MMT
for m in eof stuck dup; do
	timeout 60 "$mmsim" replay "$tmp/$m.mmt" -o "$tmp/o_$m" --quiet 2>/dev/null || ko "replay $m failed or hung"
done
python3 - "$tmp" <<'PY' && ok || ko ".mmt cases"
import json, sys
t = sys.argv[1]
# eof: the first read waits for the child's write at 5 ms, the end-of-file read for its
# exit at 8 ms (the last write end closes); wait4 then finds it gone (a 0 ns wait: the
# fds close before the exit is reported, as exit_files before exit_notify)
# stuck: the only process holds the write end itself: given up at once, the read gets 0
# dup: as eof, the EOF read waits for the exit (the dup holds the write end); 200 ns more
# for the dup and the close
want = {"eof": (8001620, 3, 7999960, 0, 0), "stuck": (220, 0, 0, 1, 1), "dup": (8001820, 3, 8000160, 0, 0)}
bad = 0
for m, w in want.items():
    s = json.load(open(f"{t}/o_{m}/summary.json"))
    e = s["events"]
    got = (s["simulated_ns"], e["sync_waits"], e["sync_wait_ns"], e["sync_unmet"], e["ret_mismatch"])
    if got != w:
        print(f"{m}: simulated_ns/sync_waits/sync_wait_ns/sync_unmet/ret_mismatch {got}, expected {w}"); bad += 1
sys.exit(1 if bad else 0)
PY
echo "$pass passed, $fail failed"
[ $fail = 0 ]
