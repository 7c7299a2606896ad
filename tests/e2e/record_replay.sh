#!/bin/bash
# Replay of a program recorded with `mmsim record` on this machine (tests/record/README.md):
# each thread takes in the replay exactly the faults perf recorded for it; the simulated
# Anonymous and fault counts stay within the execve share (the mappings execve made and
# their faults, which no trace sees) of the observed samples, Rss within that plus the
# file pages fault-around mapped. The raw logs merge to the checked-in trace byte for
# byte. A trace with mappings and no touches warns on stderr and in report.md.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
rec=$here/record
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# 1. the raw logs merge to the checked-in trace
"$mmsim" trace convert --faults "$rec/mt_regions.faults.txt.gz" --observed "$rec/mt_regions.observed.txt.gz" \
	"$rec/mt_regions.strace.log.gz" "$tmp/re.mmtz" 2> "$tmp/convert.err" && ok || ko "convert: exit $?"
cmp -s "$tmp/re.mmtz" "$rec/mt_regions.mmtz" && ok || ko "merged trace differs from tests/record/mt_regions.mmtz"
grep -q "faults.txt.gz: 2355 faults imported as touches, 293 of other tasks" "$tmp/convert.err" && ok || ko "convert counts: $(cat "$tmp/convert.err")"

# 2. the replay, open loop (ops at their recorded times, as the samples were taken)
"$mmsim" replay "$rec/mt_regions.mmtz" --mode open -o "$tmp/o" --quiet 2> "$tmp/replay.err" && ok || ko "replay: exit $?"
"$mmsim" trace cat "$rec/mt_regions.mmtz" | awk '$3 == "touch" { n[$2]++ } END { for (t in n) print t, n[t] }' | sort > "$tmp/recorded"
python3 - "$tmp/o/threads.csv" "$tmp/recorded" <<'PY' && ok || ko "per-thread faults"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rec = {l.split()[0]: int(l.split()[1]) for l in open(sys.argv[2])}
assert len(rows) == 5, rows
for r in rows:
    key = "%s/%s" % (r["pid"], r["tid"])
    faults, segv = int(r["faults"]), int(r["segv"])
    if r["pid"] != r["tid"]:
        # a worker: every recorded fault is a fault of the replay, none lands outside
        assert faults == rec[key] and segv == 0, (key, r, rec[key])
    else:
        # the main thread: its touches of execve's mappings (stack, program data) are
        # outside any mapping the trace made
        assert faults + segv == rec[key] and (faults, segv) == (37, 7), (key, r, rec[key])
got = sorted(int(r["faults"]) for r in rows)
assert got == [37, 577, 577, 578, 579], got
assert sum(int(r["segv"]) for r in rows) == 7, rows
PY
grep -qx "mmsim: replayed 2355 page touches: 2348 page faults, 7 SIGSEGV/SIGBUS" "$tmp/replay.err" && ok || ko "stderr: $(cat "$tmp/replay.err")"
grep -q "^Touches replayed: 2355 pages, 2348 page faults, 7 SIGSEGV/SIGBUS touches" "$tmp/o/report.md" && ok || ko "report head"
grep -q "^## Observed vs simulated" "$tmp/o/report.md" && ok || ko "report section"
# Tolerances (kB): Anonymous and faults may be short by the execve share, at most 64 kB
# (16 pages: the main stack, the program's data and bss, ld.so's early writes; 36 kB and
# 27 faults at every sample of this recording), never above; Rss also misses the file
# pages mapped by fault-around and execve (libc, ld.so, the program text): at most 1536 kB
# (1036 to 1096 kB here). The samples fall in the program's pauses (25 ms each, sampled
# every 10 ms); a sample taken while threads write can be off by the pages written while
# the sampler read the counters, which this recording does not have.
python3 - "$tmp/o/observed.csv" <<'PY' && ok || ko "observed vs simulated"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 12, len(rows)
for r in rows:
    v = {k: int(x) for k, x in r.items()}
    assert 0 <= v["obs_anon_kb"] - v["sim_anon_kb"] <= 64, r
    assert 0 <= v["obs_faults"] - v["sim_faults"] <= 64, r
    assert 0 <= v["obs_rss_kb"] - v["sim_rss_kb"] <= 1536, r
# the growth, the peak and the drop after the workers' munmap, as recorded
assert [int(r["sim_anon_kb"]) for r in rows] == [84, 2140, 2140, 5212, 5212, 7260, 7260, 9308,
    9308, 1116, 1116, 1116], rows
assert [int(r["obs_anon_kb"]) for r in rows] == [120, 2176, 2176, 5248, 5248, 7296, 7296, 9344,
    9344, 1152, 1152, 1152], rows
assert [int(r["obs_faults"]) - int(r["sim_faults"]) for r in rows] == [27] * 12, rows
assert rows[7]["anon_dev_permille"] == "-4", rows[7]
PY

# 3. a strace log with mappings and no touches: warned on stderr and in report.md
"$mmsim" replay "$here/../traces/samples/sqlite3.strace" -o "$tmp/nt" --quiet 2> "$tmp/nt.err" && ok || ko "no-touch replay: exit $?"
grep -qxF 'mmsim: warning: this strace log has no page touches; record with `mmsim record` (the replay'"'"'s page faults, Rss and AnonPages are 0)' "$tmp/nt.err" && ok || ko "no-touch stderr: $(cat "$tmp/nt.err")"
grep -qF '**Warning: this strace log has no page touches; record with `mmsim record`**' "$tmp/nt/report.md" && ok || ko "no-touch report.md"
grep -q "^Touches replayed: 0 pages, 0 page faults, 0 SIGSEGV/SIGBUS" "$tmp/nt/report.md" && ok || ko "no-touch count"
# the first result mismatches: simulated and recorded time, ids, the call, both results
grep -qxF '| 5.561 ms | 6.153 ms | 7529/7529 | mprotect(0x55a916e20000, 0x2000) | 0 | -12 |' "$tmp/nt/report.md" && ok || ko "mismatch row"
grep -qxF '| 5.880 ms | 6.471 ms | 7529/7529 | close(fd 3) | 0 | -9 |' "$tmp/nt/report.md" && ok || ko "mismatch row (fd)"
grep -q "^First results that differ from the recorded ones (of 4):" "$tmp/nt/report.md" && ok || ko "mismatch head"
# ... and a trace with touches does not warn
grep -q "warning" "$tmp/replay.err" && ko "warning on a trace with touches" || ok

# 3b. a real multi-process recording (tests/record/spawn.c): fork with copy-on-write, and
# posix_spawn's clone3(CLONE_VM|CLONE_VFORK) + execve of /bin/true. Every recorded fault
# of each process is a fault or (execve's mappings, never seen) a SIGSEGV touch.
"$mmsim" trace cat "$rec/spawn.mmtz" > "$tmp/spawn.mmt"
grep -q "4304/4304 fork think=18019 flags=vfork|vm id=4306 = 4306" "$tmp/spawn.mmt" && ok || ko "spawn: vfork record"
grep -q '4306/4306 execve think=2426475 path="/bin/true" = 0' "$tmp/spawn.mmt" && ok || ko "spawn: execve record"
"$mmsim" replay "$rec/spawn.mmtz" --mode open -o "$tmp/sp" --quiet 2> /dev/null && ok || ko "spawn replay"
printf 'pid,tid,touches,faults,segv\n4304,4304,307,296,11\n4305,4305,144,136,8\n4306,4306,50,31,19\n' > "$tmp/sp.want"
cmp -s "$tmp/sp.want" "$tmp/sp/threads.csv" && ok || ko "spawn threads.csv: $(cat "$tmp/sp/threads.csv")"
awk '$3 == "touch" { n[$2]++ } END { for (t in n) print t, n[t] }' "$tmp/spawn.mmt" | sort | tr '\n' ' ' > "$tmp/sp.rec"
[ "$(cat "$tmp/sp.rec")" = "4304/4304 307 4305/4305 144 4306/4306 50 " ] && ok || ko "spawn recorded touches: $(cat "$tmp/sp.rec")"
# the results that differ are the mprotects of execve's RELRO mappings (program, ld.so)
grep -qxF '| 9.772 ms | 9.772 ms | 4306/4306 | mprotect(0x556ccdcd4000, 0x1000) | 0 | -12 |' "$tmp/sp/report.md" && ok || ko "spawn mismatch row"

# determinism: the same trace twice gives the same files
"$mmsim" replay "$rec/mt_regions.mmtz" --mode open -o "$tmp/o2" --quiet 2> /dev/null
for f in threads.csv observed.csv report.md; do
	cmp -s "$tmp/o/$f" "$tmp/o2/$f" && ok || ko "$f differs between identical runs"
done

# 4. bad perf logs: named file and line, exit 2
printf '123/123  5.000000001: exceptions:page_fault_user: address=0x1000 ip=0x1 error_code=0x6\n' > "$tmp/noclock.txt"
zcat "$rec/mt_regions.strace.log.gz" > "$tmp/s.log"
out=$("$mmsim" trace convert --faults "$tmp/noclock.txt" "$tmp/s.log" "$tmp/x.mmtz" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "$tmp/noclock.txt:1: no \"# mmsim-clock realtime_minus_monotonic_ns=N\" line before the first fault: record with \`mmsim record\`" ] && ok || ko "no clock: $rc $out"
printf '# mmsim-clock realtime_minus_monotonic_ns=5\n1/1  5.0001: exceptions:page_fault_user: address=0x1000 ip=0x1 error_code=0x6\n' > "$tmp/us.txt"
out=$("$mmsim" trace convert --faults "$tmp/us.txt" "$tmp/s.log" "$tmp/x.mmtz" 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "$tmp/us.txt:2: expected a time with 9 decimals (perf script --ns)" ] && ok || ko "µs times: $rc $out"
out=$("$mmsim" trace convert --faults "$tmp/us.txt" "$here/../traces/samples/sqlite3.strace" "$tmp/x.mmtz" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"sqlite3.strace: the strace log's times are times of day; faults merge only with epoch times"* ]] && ok || ko "time of day: $rc $out"
[ ! -e "$tmp/x.mmtz" ] && ok || ko "a trace was written from bad input"

echo "record_replay: $pass passed, $fail failed"
[ $fail -eq 0 ]
