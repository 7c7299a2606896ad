#!/bin/bash
# execve's own mappings from perf's mmap events (tests/record/exec_maps.strace and
# exec_maps.faults.txt, written for this test in strace's and `perf script
# --show-mmap-events`' formats, with the recorder's "# mmsim-elf" lines):
#  - root 300 (/bin/prog, non-PIE): its exec window runs from its "[stack]" event to its
#    first traced call: stack (MAP_GROWSDOWN), image segments by path, vdso, and the bss
#    from the ELF line (0x401000 + 0x800 .. + 0x5000: 0x402000-0x406000); its faults in
#    that window are kept; the program's own mmap event (//anon at 0x7f1000000000) is not
#    imported (strace has the call);
#  - a fault 2 pages below the stack grows it (expand_stack); 9 MiB below the child's
#    stack is beyond the 8 MiB rlimit: SIGSEGV;
#  - vfork child 301 whose first call is its execve (before the "vfork resumed" line):
#    the execve is imported, the child gets a new mm with /bin/child's mappings (PIE: the
#    bss perf reports as //anon equals the ELF line's and is mapped once), its own
#    break (brk reset: 0x557000000000) and keeps its pid; the parent's mm is untouched;
#  - RELRO: /lib/libx.so's rw part made read-only by mprotect keeps VM_ACCOUNT and stays
#    its own VMA beside the read-only mapping of the same file (three VMAs, not two);
#  - a read or write with a buffer the replay has not mapped: EFAULT (or a short count).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
d=$here/record
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$mmsim" trace convert "$d/exec_maps.strace" "$tmp/em.mmt" --faults "$d/exec_maps.faults.txt" \
	2> "$tmp/conv.err" && ok || ko "convert: $(cat "$tmp/conv.err")"
has() { grep -qxF "$1" "$tmp/em.mmt" && ok || ko "missing record: $1"; }
has '0.000100000 300/300 mmap addr=0x7ffd00000000 len=135168 prot=rw flags=private|fixed|anonymous|growsdown = 0x7ffd00000000'
has '0.000110000 300/300 mmap think=10000 addr=0x400000 len=4096 prot=r flags=private|fixed path="/bin/prog" = 0x400000'
has '0.000120000 300/300 mmap think=10000 addr=0x401000 len=4096 prot=rw flags=private|fixed off=4096 path="/bin/prog" = 0x401000'
has '0.000120000 300/300 mmap addr=0x402000 len=16384 prot=rw flags=private|fixed|anonymous = 0x402000'
has '0.000130000 300/300 mmap think=10000 addr=0x7f2000000000 len=8192 prot=rx flags=private|fixed|anonymous = 0x7f2000000000'
has '0.000140000 300/300 touch think=10000 addr=0x402000 len=4096 flags=write'
has '0.000900000 301/301 execve path="/bin/child" = 0'
has '0.000932000 301/301 mmap addr=0x555500003000 len=8192 prot=rw flags=private|fixed|anonymous = 0x555500003000'
[ "$(grep -c ' mmap ' "$tmp/em.mmt")" = 13 ] && ok || ko "mmap records: $(grep -c ' mmap ' "$tmp/em.mmt")"
[ "$(grep -c '0x7f1000000000' "$tmp/em.mmt")" = 2 ] && ok || ko "the program's own mmap event was imported"
grep -q "exec_maps.faults.txt: 7 faults imported as touches, 0 of other tasks" "$tmp/conv.err" && ok || ko "faults: $(cat "$tmp/conv.err")"

"$mmsim" replay "$tmp/em.mmt" -o "$tmp/o" --quiet 2> /dev/null && ok || ko "replay"
printf 'pid,tid,touches,faults,segv\n300,300,5,5,0\n301,301,2,1,1\n' > "$tmp/want"
cmp -s "$tmp/want" "$tmp/o/threads.csv" && ok || ko "threads.csv: $(cat "$tmp/o/threads.csv")"
cmp -s "$d/exec_maps.parent.numa_maps" "$tmp/o/snapshots/0001-numa_maps" && ok ||
	ko "parent numa_maps: $(cat "$tmp/o/snapshots/0001-numa_maps")"
cmp -s "$d/exec_maps.child.numa_maps" "$tmp/o/snapshots/0002-numa_maps" && ok ||
	ko "child numa_maps: $(cat "$tmp/o/snapshots/0002-numa_maps")"
[ "$(grep -c 'file=/lib/libx.so' "$tmp/o/snapshots/0001-numa_maps")" = 3 ] && ok || ko "RELRO merged"
grep -q '^7ffcffffe000 default stack anon=2' "$tmp/o/snapshots/0001-numa_maps" && ok || ko "stack growth"
python3 - "$tmp/o/summary.json" <<'PY' && ok || ko "summary"
import json, sys
e = json.load(open(sys.argv[1]))["events"]
assert e["ret_mismatch"] == 0 and e["processes"] == 2 and e["ops_by_type"]["execve"] == 1, e
PY
# the control: two read-only private mappings of adjacent parts of one file, never
# writable (no VM_ACCOUNT), merge into one VMA
cat > "$tmp/merge.mmt" <<'M'
mmt 1
page_size 4096
0.000000000 400/400 open path="/lib/liby.so" = 3
0.000001000 400/400 mmap len=8192 prot=r flags=private fd=3 = 0x7f4000000000
0.000002000 400/400 mmap addr=0x7f4000002000 len=8192 prot=r flags=private|fixed fd=3 off=8192 = 0x7f4000002000
0.000003000 400/400 snapshot file=numa_maps
0.000004000 400/400 exit
M
"$mmsim" replay "$tmp/merge.mmt" -o "$tmp/m" --quiet 2> /dev/null && ok || ko "merge replay"
[ "$(cat "$tmp/m/snapshots/0001-numa_maps")" = "7f4000000000 default file=/lib/liby.so" ] && ok ||
	ko "control merge: $(cat "$tmp/m/snapshots/0001-numa_maps")"
# a read into memory not mapped fails with EFAULT (the strace line gives the buffer's
# address when the call failed so); a write from a buffer whose second page is not
# mapped copies the first page only (a short count); a write from a mapped buffer, all
grep -qx '0.000661000 300/300 read think=1000 addr=0x7f9000000000 len=4096 fd=3 off=-1 = -EFAULT' "$tmp/em.mmt" &&
	ok || ko "read with its buffer: $(grep ' read ' "$tmp/em.mmt")"
cat > "$tmp/efault.mmt" <<'M'
mmt 1
page_size 4096
0.000000000 600/600 mmap len=8192 prot=rw flags=private|anonymous = 0x7f6000000000
0.000001000 600/600 open flags=rdwr|creat path="/data/out" = 3
0.000002000 600/600 write fd=3 addr=0x7f6000001000 len=8192 off=-1 = 4096
0.000003000 600/600 write fd=3 addr=0x7f6000000000 len=8192 off=-1 = 8192
0.000004000 600/600 read fd=3 addr=0x7f5000000000 len=4096 off=0 = -EFAULT
0.000005000 600/600 exit
M
"$mmsim" replay "$tmp/efault.mmt" -o "$tmp/e" --quiet 2> /dev/null && ok || ko "efault replay"
python3 - "$tmp/e/summary.json" <<'PY' && ok || ko "efault results"
import json, sys
e = json.load(open(sys.argv[1]))["events"]
assert e["ret_mismatch"] == 0 and e["ops_by_type"]["write"] == 2 and e["ops_by_type"]["read"] == 1, e
PY
echo "record_exec_maps: $pass passed, $fail failed"
[ $fail -eq 0 ]
