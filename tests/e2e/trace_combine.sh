#!/bin/bash
# trace_combine.sh - a strace log and a lackey log of the same run (traces/samples/
# touch_steps.*, recorded here) combine into one trace: the mappings from strace, the
# touches from lackey, aligned on the program's memory calls. The conversion is the
# checked-in touch_steps.mmt; its replay touches only mapped memory (no SEGV), every
# recorded result is reproduced, and the program's three /proc/meminfo reads show
# AnonPages +128 kB after it wrote its 32 pages, then -32 kB after munmap of 4 pages and
# an mremap from 8 pages to 4. Bad combinations fail with exit 2 and a message.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
s=traces/samples
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$mmsim" trace convert --dedup-window 1000 --touches $s/touch_steps.lackey.gz \
	$s/touch_steps.vg.strace.gz "$tmp/c.mmt" 2> "$tmp/err" || ko "convert failed: $(cat "$tmp/err")"
if cmp -s "$tmp/c.mmt" $s/touch_steps.mmt; then ok; else ko "conversion differs from $s/touch_steps.mmt"; diff "$tmp/c.mmt" $s/touch_steps.mmt | head; fi

# exact records: the loader's mappings kept, brk from lackey (valgrind emulates it), the
# client's mmap from strace, the mremap from lackey (emulated too), valgrind's own gone
for line in \
	'0.019956000 1083/1083 mmap think=100000 addr=0x400000 len=4096 prot=r flags=private|fixed fd=3 = 0x400000' \
	'0.020118000 1083/1083 close think=17000 fd=3 = 0' \
	'3.731756757 1083/1083 brk think=5900831 = 0x4000000' \
	'5.249406000 1083/1083 mmap think=7945000 addr=0x4800000 len=131072 prot=rw flags=private|fixed|anonymous = 0x4800000' \
	'5.361165970 1083/1083 mremap think=2341719 addr=0x4800000 len=32768 addr2=0x4800000 len2=16384 = 0x4800000' \
	'5.472192000 1083/1083 exit think=10227202'; do
	if grep -qxF -- "$line" "$tmp/c.mmt"; then ok; else ko "no record: $line"; fi
done
counts=$(grep -v '^mmt\|^page_size' "$tmp/c.mmt" | awk '{ print $3 }' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
want="brk=5 close=1 exit=1 mmap=7 mprotect=2 mremap=1 munmap=2 open=1 snapshot=3 touch=464 "
if [ "$counts" = "$want" ]; then ok; else ko "op counts: $counts (want $want)"; fi
if grep -q 'valgrind\|0x1002' "$tmp/c.mmt"; then ko "valgrind's own calls leaked in"; else ok; fi

"$mmsim" replay "$tmp/c.mmt" -o "$tmp/r" --quiet --check || ko "replay failed"
python3 - "$tmp/r" <<'PY' && ok || ko "replay figures"
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
anon = [int(re.search(r"^AnonPages:\s+(\d+) kB", open(f"{d}/snapshots/000{i}-meminfo").read(), re.M).group(1))
        for i in (1, 2, 3)]
checks = {
    "no touch outside a mapping": s["metrics"]["segv"] == 0,
    "every recorded result reproduced": s["events"]["ret_mismatch"] == 0,
    "no failed op": not s["events"]["ops_failed"],
    "three meminfo snapshots": s["events"]["snapshots"] == 3,
    "AnonPages +128 kB, then -32 kB": (anon[1] - anon[0], anon[2] - anon[1]) == (128, -32),
    "no findings": not s["findings"]["list"],
}
bad = [k for k, v in checks.items() if not v]
for k in bad:
    print("  ", k, anon, s["metrics"]["segv"], s["events"]["ret_mismatch"])
sys.exit(1 if bad else 0)
PY

# bad combinations: exit 2, a message, no output file
expect_fail() {
	local what=$1 msg=$2; shift 2
	rm -f "$tmp/o.mmt"
	"$mmsim" trace convert "$@" "$tmp/o.mmt" 2> "$tmp/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$msg" "$tmp/err" && [ ! -e "$tmp/o.mmt" ]; then ok
	else ko "$what: rc $rc, stderr: $(cat "$tmp/err")"; fi
}
expect_fail "lackey log without SYSCALL lines" \
	"tiny_touch.lackey.gz: no SYSCALL lines: record the lackey log with --trace-syscalls=yes" \
	--touches $s/tiny_touch.lackey.gz $s/touch_steps.vg.strace.gz
expect_fail "logs of different runs" "not a recording of the same run" \
	--touches $s/touch_steps.lackey.gz $s/map_steps.strace
expect_fail "not a strace log" "combine with a strace log, not with a mmt trace" \
	--touches $s/touch_steps.lackey.gz $s/map_steps.mmt
expect_fail "missing lackey log" "nope.lackey: cannot open" \
	--touches $s/nope.lackey $s/touch_steps.vg.strace.gz
printf '==7== Lackey\nI  00401000,3\nSYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4800000) \nSYSCALL[7,2](11) sys_munmap ( 0x4800000, 4096 )[sync] --> Success(0x0) \n' > "$tmp/two.lackey"
expect_fail "two threads" "two.lackey:4: the program has more than one thread or process" \
	--touches "$tmp/two.lackey" $s/touch_steps.vg.strace.gz
printf '==7== Lackey\nSYSCALL[7,1](9) sys_mmap\n' > "$tmp/bad.lackey"
expect_fail "a SYSCALL line without arguments" "bad.lackey:2: SYSCALL line without arguments" \
	--touches "$tmp/bad.lackey" $s/touch_steps.vg.strace.gz

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
