#!/bin/bash
# Real programs recorded here with `mmsim record` (tests/record/progs/README.md): xz -T2,
# python3 building a list, sort, gcc -O2 (gcc, cc1, as, collect2, ld through vfork and
# execve) and mt_regions (four threads). Their raw logs are converted at test time and
# replayed in open mode. For each:
#  - every thread takes exactly the faults recorded for it, no SIGSEGV (execve's own
#    mappings come from perf's mmap events, the bss from the recorder's ELF lines, the
#    stack grows below its first VMA), and threads.csv is the expected one;
#  - no result differs from the recorded one;
#  - at every observed sample, simulated Anonymous and Rss are within the tolerance
#    below of what was observed.
# Tolerance at sample i: 64 kB (pages execve fills without a fault: argv and environment
# on the stack, 4 to 8 kB a process; the vdso) plus the largest change of the observed
# value to a neighbouring sample (the recorder reads smaps_rollup while the program runs,
# so a sample is smeared over its read time, up to milliseconds on a busy host); for Rss
# also 20% of the observed file pages (fault-around maps what the page cache holds, and the
# replay's cache is not the host's: gcc's cc1 is up to 17.7% short while it starts).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
d=$here/record/progs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

check() {
	local n=$1 want=$2
	"$mmsim" trace convert "$d/$n.strace.log.gz" "$tmp/$n.mmtz" --faults "$d/$n.faults.txt.gz" \
		--observed "$d/$n.observed.txt.gz" 2> /dev/null && ok || { ko "$n: convert"; return; }
	"$mmsim" replay "$tmp/$n.mmtz" --mode open -o "$tmp/$n" --quiet 2> "$tmp/$n.err" && ok || ko "$n: replay"
	[ "$(cat "$tmp/$n/threads.csv")" = "$(printf "pid,tid,touches,faults,segv\n$want")" ] && ok ||
		ko "$n: threads.csv: $(cat "$tmp/$n/threads.csv")"
	"$mmsim" trace cat "$tmp/$n.mmtz" | awk '$3 == "touch" { n[$2]++ } END { for (t in n) print t, n[t] }' |
		sort > "$tmp/$n.rec"
	python3 - "$tmp/$n" "$tmp/$n.rec" "$n" <<'PY' && ok || ko "$n: comparison"
import csv, json, sys
out, recf, name = sys.argv[1:]
rec = {l.split()[0]: int(l.split()[1]) for l in open(recf)}
rows = list(csv.DictReader(open(out + "/threads.csv")))
assert len(rows) == len(rec), (rows, rec)
for r in rows:
    assert int(r["faults"]) == rec[r["pid"] + "/" + r["tid"]] and r["segv"] == "0", r
e = json.load(open(out + "/summary.json"))["events"]
assert e["ret_mismatch"] == 0, e["ret_mismatch"]
obs = list(csv.DictReader(open(out + "/observed.csv")))
assert len(obs) >= 10, len(obs)
def moved(i, key):
    v = [int(o[key]) for o in obs]
    return max([abs(v[i] - v[j]) for j in (i - 1, i + 1) if 0 <= j < len(v)])
rdev, adev = [], []
for i, o in enumerate(obs):
    oa, sa = int(o["obs_anon_kb"]), int(o["sim_anon_kb"])
    orr, sr = int(o["obs_rss_kb"]), int(o["sim_rss_kb"])
    ta = 64 + moved(i, "obs_anon_kb")
    tr = 64 + moved(i, "obs_rss_kb") + 0.2 * (orr - oa)
    assert abs(sa - oa) <= ta, ("anon", i + 1, oa, sa, ta)
    assert abs(sr - orr) <= tr, ("rss", i + 1, orr, sr, tr)
    rdev.append(abs(sr - orr) / orr)
    adev.append(abs(sa - oa) / max(oa, 1))
print("%s: %d samples, Rss deviation max %.1f%% mean %.1f%%, Anonymous max %.1f%% mean %.1f%%"
      % (name, len(obs), 100 * max(rdev), 100 * sum(rdev) / len(rdev), 100 * max(adev),
         100 * sum(adev) / len(adev)))
PY
}

check xz '4628,4628,1635,1635,0\n4628,4629,3618,3618,0\n4628,4630,3971,3971,0'
check python3 '5976,5976,10617,10617,0'
check sort '6095,6095,3596,3596,0\n6095,6097,590,590,0'
check gcc '14312,14312,104,104,0\n14314,14314,1604,1604,0\n14335,14335,285,285,0\n14346,14346,75,75,0\n14350,14350,1738,1738,0'
check mt_regions '6643,6643,53,53,0\n6643,6644,577,577,0\n6643,6646,578,578,0\n6643,6647,580,580,0\n6643,6648,577,577,0'

# gcc: five processes; cc1 (the vfork child that exec'd) got its image, ld.so, stack
# and vdso from perf's mmap events and cc1's 1.6 MiB bss from the ELF line (0x23cd000 to
# 0x256d000: its writable PT_LOAD ends at 0x23bdcf8 + 0x1af028)
"$mmsim" trace cat "$tmp/gcc.mmtz" > "$tmp/gcc.mmt"
grep -q '^[0-9.]* 14314/14314 mmap .*addr=0x23cd000 len=1703936 prot=rw flags=private|fixed|anonymous = 0x23cd000$' \
	"$tmp/gcc.mmt" && ok || ko "cc1 bss"
[ "$(grep -c ' 14314/14314 mmap .*path="/usr/lib/gcc/x86_64-linux-gnu/12/cc1"' "$tmp/gcc.mmt")" = 4 ] && ok || ko "cc1 image"
grep -q ' 14314/14314 mmap .*flags=private|fixed|anonymous|growsdown' "$tmp/gcc.mmt" && ok || ko "cc1 stack"
python3 - "$tmp/gcc/summary.json" <<'PY' && ok || ko "gcc process model"
import json, sys
e = json.load(open(sys.argv[1]))["events"]
assert e["processes"] == 5 and e["ops_by_type"]["execve"] == 14, e
assert e["ops_failed"]["execve"] == 10, e   # the PATH search for as
PY
echo "record_programs: $pass passed, $fail failed"
[ $fail -eq 0 ]
