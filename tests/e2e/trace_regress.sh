#!/bin/bash
# trace_regress.sh - inputs found by fuzzing and by hand (issue 21), kept forever:
# a .mmt written by `trace convert` reads back (MAP_32BIT spelled "32bit"); a time past
# 2^64-1 ns is refused with its line, not wrapped.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

printf '1234 10:00:00.000001 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT, -1, 0) = 0x40000000\n1234 10:00:00.000002 exit_group(0) = ?\n' > "$tmp/a.strace"
"$mmsim" trace convert "$tmp/a.strace" "$tmp/a.mmt" 2> /dev/null || ko "convert strace: exit $?"
grep -q "flags=private|anonymous|32bit" "$tmp/a.mmt" && ok || ko "a.mmt: $(cat "$tmp/a.mmt")"
"$mmsim" trace convert "$tmp/a.mmt" "$tmp/b.mmt" 2> "$tmp/err" && ok || ko "a.mmt does not read back: $(cat "$tmp/err")"
cmp -s "$tmp/a.mmt" "$tmp/b.mmt" && ok || ko "round trip differs"

printf 'mmt 1\npage_size 4096\n18446744074 1/1 exit\n' > "$tmp/wrap.mmt"
out=$("$mmsim" trace stat "$tmp/wrap.mmt" 2>&1); rc=$?
[ $rc = 2 ] && ok || ko "wrap.mmt: exit $rc (want 2)"
[ "$out" = "$tmp/wrap.mmt:3:1: time \"18446744074\" out of range (at most 18446744073.709551615 s)" ] && ok || ko "wrap.mmt: $out"
printf 'mmt 1\npage_size 4096\n18446744073.709551615 1/1 exit\n' > "$tmp/max.mmt"
"$mmsim" trace stat "$tmp/max.mmt" > /dev/null && ok || ko "the largest time is refused"
printf 'mmt 1\npage_size 4096\n18446744073.709551616 1/1 exit\n' > "$tmp/max1.mmt"
"$mmsim" trace stat "$tmp/max1.mmt" > /dev/null 2>&1; [ $? = 2 ] && ok || ko "2^64 ns accepted"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
