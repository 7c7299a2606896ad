#!/bin/bash
# trace_regress.sh - inputs found by fuzzing and by hand (issue 21), kept forever:
# a .mmt written by `trace convert` reads back (MAP_32BIT spelled "32bit"); a time past
# 2^64-1 ns is refused with its line, not wrapped; ftruncate to 2^64-1 or 2^63 is EINVAL
# (do_sys_ftruncate); one read moves at most MAX_RW_COUNT (0x7ffff000) bytes, so a 1 TiB
# read with no recorded result caches 2 GiB, not 1 TiB page by page; a sweep whose matrix
# claims 30^8 points is refused before it is built; a 1000-thread .mmtz replays every thread;
# two converts to one output do not share a temporary name; a sleep past an hour is refused.
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

get() { grep -o "\"$1\": [0-9]*" "$2" | head -1 | sed 's/.*: //'; }
cat > "$tmp/trunc.mmt" <<'EOF2'
mmt 1
page_size 4096
0.000001000 1/1 open flags=rdwr|creat path="/tmp/f" = 3
0.000002000 1/1 ftruncate fd=3 len=18446744073709551615 = -22
0.000003000 1/1 ftruncate fd=3 len=9223372036854775808 = -22
0.000004000 1/1 ftruncate fd=3 len=8192 = 0
0.000005000 1/1 exit = 0
EOF2
"$mmsim" replay "$tmp/trunc.mmt" -o "$tmp/trunc" --quiet 2> /dev/null || ko "trunc.mmt: exit $?"
[ "$(get ret_mismatch "$tmp/trunc/summary.json")" = 0 ] && ok || ko "ftruncate: $(get ret_mismatch "$tmp/trunc/summary.json") results differ (want EINVAL, EINVAL, 0)"

cat > "$tmp/bigread.mmt" <<'EOF2'
mmt 1
page_size 4096
0.000001000 1/1 open flags=rdwr|creat path="/tmp/f" = 3
0.000002000 1/1 ftruncate fd=3 len=4398046511104 = 0
0.000003000 1/1 read fd=3 len=1099511627776 off=0
0.000005000 1/1 exit = 0
EOF2
"$mmsim" replay "$tmp/bigread.mmt" -o "$tmp/bigread" --quiet 2> /dev/null || ko "bigread.mmt: exit $?"
[ "$(get nr_file_pages "$tmp/bigread/summary.json")" = 524607 ] && ok || ko "1 TiB read: nr_file_pages $(get nr_file_pages "$tmp/bigread/summary.json") (want 524607: 0x7ffff000 bytes and readahead)"

out=$("$mmsim" sweep tests/fuzz/regress/sweep/matrix_bomb.yaml -o "$tmp/sw" 2>&1); rc=$?
[ $rc = 2 ] && ok || ko "matrix bomb: exit $rc (want 2)"
[ "$out" = "tests/fuzz/regress/sweep/matrix_bomb.yaml:1:1: 656100000000 points (at most 100000)" ] && ok || ko "matrix bomb: $out"

{
	printf 'mmt 1\npage_size 4096\n'
	for i in $(seq 2 1001); do
		printf '0.%09d 1/1 clone id=%d = %d\n' $((i * 3)) $i $i
		printf '0.%09d 1/%d mmap len=4096 prot=rw flags=private|anonymous = 0x%x\n' $((i * 3 + 1)) $i $((0x10000000 + i * 4096))
		printf '0.%09d 1/%d exit = 0\n' $((i * 3 + 2)) $i
	done
} > "$tmp/thr.mmt"
"$mmsim" trace convert "$tmp/thr.mmt" "$tmp/thr.mmtz" 2> /dev/null || ko "thr.mmt: convert exit $?"
"$mmsim" replay "$tmp/thr.mmtz" -o "$tmp/thr" --quiet 2> /dev/null || ko "thr.mmtz: exit $?"
[ "$(get threads_finished "$tmp/thr/summary.json")" = 1001 ] && ok || ko "thr.mmtz: threads_finished $(get threads_finished "$tmp/thr/summary.json")"
[ "$(get mmap "$tmp/thr/summary.json")" = 1000 ] && ok || ko "thr.mmtz: mmap $(get mmap "$tmp/thr/summary.json")"

# two converts to one output at once: each writes its own PATH.tmp.XXXXXX, so the output
# is whole (one of them), and nothing is left beside it; the file follows the umask
(umask 022; "$mmsim" trace convert "$tmp/thr.mmt" "$tmp/two.mmtz" & "$mmsim" trace convert "$tmp/thr.mmt" "$tmp/two.mmtz"; wait) 2> /dev/null
out=$("$mmsim" trace stat "$tmp/two.mmtz" 2>&1 | grep '^records:')
[ "$out" = "records: 3000" ] && ok || ko "two converts: $out"
[ -z "$(ls "$tmp" | grep 'two.mmtz.tmp')" ] && ok || ko "two converts left $(ls "$tmp" | grep 'two.mmtz.tmp')"
[ "$(stat -c %a "$tmp/two.mmtz")" = 644 ] && ok || ko "two.mmtz mode $(stat -c %a "$tmp/two.mmtz")"

# a sleep near 2^64 ns never ended (and sampled its idle time into host memory): refused
printf 'mmt 1\npage_size 4096\n0.000001000 1/1 sleep ns=18446744073709551000\n0.000002000 1/1 exit = 0\n' > "$tmp/sleep.mmt"
out=$("$mmsim" replay "$tmp/sleep.mmt" -o "$tmp/sleep" --quiet 2>&1); rc=$?
[ $rc = 2 ] && ok || ko "sleep.mmt: exit $rc (want 2)"
[ "$out" = "$tmp/sleep.mmt: 1/1 sleep (line 3): sleep of 18446744073709551000 ns (18446744074 s) is longer than the hour one op may wait in a replay" ] && ok || ko "sleep.mmt: $out"

# SIGINT during a convert (its input a FIFO held open, so it is mid-way for sure) removes
# the output's PATH.tmp.XXXXXX and leaves no output; the same during a replay's import
# leaves no $TMPDIR/mmsim-trace-* behind
mkfifo "$tmp/fifo.mmt"
"$mmsim" trace convert --from mmt "$tmp/fifo.mmt" "$tmp/sig.mmtz" 2> /dev/null &
pid=$!
exec 7> "$tmp/fifo.mmt"
printf 'mmt 1\npage_size 4096\n0.000001000 1/1 brk = 0x1000\n' >&7
for i in $(seq 50); do ls "$tmp" | grep -q 'sig.mmtz.tmp' && break; sleep 0.1; done
ls "$tmp" | grep -q 'sig.mmtz.tmp' && ok || ko "convert from a FIFO: no temporary file seen"
kill -INT $pid
wait $pid; rc=$?
exec 7>&-
[ $rc = 130 ] && ok || ko "SIGINT convert: exit $rc (want 130)"
[ -z "$(ls "$tmp" | grep 'sig.mmtz')" ] && ok || ko "SIGINT convert left $(ls "$tmp" | grep 'sig.mmtz')"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
