#!/bin/bash
# replay_mismatch.sh - a replay says what it could not reproduce: report.md's first lines
# count the SIGSEGV/SIGBUS touches, and its mismatch table (the first on stderr) gives each
# result that differs with simulated and recorded time, the source log's line (through a
# strace log, an -ff merge's held child record, an .mmtz conversion, an .mmt), pid/tid,
# the call with hex addresses, both results and the cause where known: an mmap of 64 GiB
# the overcommit heuristic refuses on the built-in machine (8 GiB + 2 GiB swap), ranges
# mapped before the trace began. Run by ctest as: replay_mismatch.sh MMSIM (source dir)
set -u
MMSIM=$1
D=tests/replay_mismatch
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
has() { grep -qxF "$2" "$3" || { echo "FAIL: $1: no line"; echo "  $2"; echo "in $3:"; grep '^|\|^mmsim' "$3"; fail=1; }; }

OC='overcommit: 65536 MiB asked, more than this machine'"'"'s RAM + swap (10240 MiB); the recording ran on a larger machine'
BT='no mapping there in the replay: mapped before the trace began'
"$MMSIM" replay $D/mismatch.strace -o "$T/a" --quiet 2> "$T/a.err" || { echo "FAIL: replay exit $?"; fail=1; }
has "overcommit row" "| 100.220 us | 100.000 us | $D/mismatch.strace:2 | 500/500 | mmap(0x0, 0x1000000000) | 0x7e0000000000 | -12 | $OC |" "$T/a/report.md"
has "mprotect row" "| 200.340 us | 200.000 us | $D/mismatch.strace:3 | 500/500 | mprotect(0x7fff00000000, 0x1000) | 0 | -12 | $BT |" "$T/a/report.md"
has "child's madvise row (held until its clone)" "| 501.040 us | 600.000 us | $D/mismatch.strace:7 | 500/501 | madvise(0x7ffe00000000, 0x2000) | 0 | -12 | $BT |" "$T/a/report.md"
[ "$(grep -c '^| [0-9.]* us |' "$T/a/report.md")" = 3 ] || { echo "FAIL: not 3 rows"; fail=1; }
has "stderr" "mmsim: 3 results differ from the recorded ones; the first: $D/mismatch.strace:2: 500/500 mmap(0x0, 0x1000000000) recorded 0x7e0000000000, replayed -12: $OC (report.md lists the first 3)" "$T/a.err"

# through .mmtz: the line travels in the record ("line N": the .mmtz does not name the log)
"$MMSIM" trace convert $D/mismatch.strace "$T/m.mmtz" 2> /dev/null
"$MMSIM" replay "$T/m.mmtz" -o "$T/b" --quiet 2> /dev/null
has "mmtz row" "| 501.040 us | 600.000 us | line 7 | 500/501 | madvise(0x7ffe00000000, 0x2000) | 0 | -12 | $BT |" "$T/b/report.md"
# mmtz -> mmt -> mmtz: the text form has no source line, its records' lines take over
"$MMSIM" trace cat "$T/m.mmtz" > "$T/m.mmt"
"$MMSIM" replay "$T/m.mmt" -o "$T/c" --quiet 2> /dev/null
has "mmt row" "| 200.340 us | 200.000 us | $T/m.mmt:5 | 500/500 | mprotect(0x7fff00000000, 0x1000) | 0 | -12 | $BT |" "$T/c/report.md"
# -ff: the files of each process, the line in the thread's own file
mkdir "$T/ff"
awk '{ pid = $1; sub(/^[0-9]+ +/, ""); print > ("'"$T"'/ff/log." pid) }' $D/mismatch.strace
"$MMSIM" replay "$T/ff" -o "$T/d" --quiet 2> /dev/null
has "-ff row" "| 501.040 us | 600.000 us | $T/ff/*.501:1 | 500/501 | madvise(0x7ffe00000000, 0x2000) | 0 | -12 | $BT |" "$T/d/report.md"

# SIGSEGV/SIGBUS touches in the report's first lines; a .mmt's own line
"$MMSIM" replay $D/segv.mmt -o "$T/e" --quiet 2> "$T/e.err"
[ "$(sed -n 7p "$T/e/report.md")" = "Touches replayed: 5 pages, 2 page faults, 2 SIGSEGV/SIGBUS touches (outside any mapping or without permission: mappings the recording did not see, as execve's)." ] ||
	{ echo "FAIL: segv line: $(sed -n 7p "$T/e/report.md")"; fail=1; }
has "mmt mismatch" "| 16.310 us | 5.000 us | $D/segv.mmt:11 | 300/300 | mprotect(0x7f3000000000, 0x1000) | 0 | -12 | $BT |" "$T/e/report.md"
grep -qx "mmsim: replayed 5 page touches: 2 page faults, 2 SIGSEGV/SIGBUS" "$T/e.err" || { echo "FAIL: segv stderr: $(cat "$T/e.err")"; fail=1; }

[ $fail = 0 ] && echo "replay_mismatch: all passed"
exit $fail
