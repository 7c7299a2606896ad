#!/bin/bash
# strace_forms.sh - every strace output form mmsim reads, recorded here from one program
# (tests/strace_forms/forms.c: a fork, a thread, 1 MiB and 64 KiB mappings): -t, -tt, -ttt,
# no timestamps, -X raw, -y -T -i, -f with the pid column, -f to stderr ("[pid N]" only
# while several processes live), and -ff per-process files merged in time order (a
# directory or LOG.*). The forms of one layout import to the same ops (addresses, times and
# pids aside); -r, -X verbose, -e raw=all and -ff without timestamps are refused with file:line and
# the flag to use (exit 2, no output); a log with no importable record exits 2.
# Run by ctest as: strace_forms.sh MMSIM (from the source dir)
set -u
MMSIM=$1
D=tests/strace_forms
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

# expect STATUS STDERR-TEXT -- ARGS...   (STDERR-TEXT "" = not checked)
expect() {
	local want_status=$1 want_err=$2
	shift 3
	"$MMSIM" "$@" > "$T/out" 2> "$T/err"
	local st=$?
	if [ "$st" != "$want_status" ]; then
		echo "FAIL: mmsim $*: status $st, want $want_status"; cat "$T/err"; fail=1
	fi
	if [ -n "$want_err" ] && [ "$(cat "$T/err")" != "$want_err" ]; then
		echo "FAIL: mmsim $*: stderr:"; cat "$T/err"; echo "want:"; echo "$want_err"; fail=1
	fi
}

# each thread's ops in order (threads run concurrently: their interleaving differs from
# run to run), without times, think times and addresses; pids renamed P1, P2... in the
# order of the fork/clone records that name them. Signal deliveries (the parent's
# SIGCHLD) are left out: where one lands among a thread's calls differs from run to run.
norm() {
	grep -v '^mmt \|^page_size \| signal ' "$1" | sed -E 's/^[0-9.]+ //; s/ think=[0-9]+//; s/0x[0-9a-f]{6,}/ADDR/g' |
	awk '{ split($1, a, "/"); for (i = 1; i <= 2; i++) if (!(a[i] in m)) m[a[i]] = "P" (++n);
	       $1 = m[a[1]] "/" m[a[2]]; for (i = 2; i <= NF; i++) if ($i ~ /^id=[0-9]+$/) {
	       v = substr($i, 4); if (!(v in m)) m[v] = "P" (++n); $i = "id=" m[v]; $NF = m[v] } print }' |
	sort -s -k1,1
}

# one process (no -f): 22 records (its wait4 and SIGCHLD included), the same ops in every form
for f in t tt ttt none tt_xraw tt_y_T_i; do
	expect 0 "" -- trace convert $D/forms.$f.log "$T/$f.mmt"
	grep -q "^$T/$f.mmt: 22 records, " "$T/err" || { echo "FAIL: forms.$f.log: $(cat "$T/err")"; fail=1; }
	norm "$T/$f.mmt" > "$T/$f.norm"
	[ "$f" = t ] || cmp -s "$T/t.norm" "$T/$f.norm" || { echo "FAIL: forms.$f.log imports other ops than forms.t.log:"; diff "$T/t.norm" "$T/$f.norm"; fail=1; }
done
# times: -tt and -ttt to the microsecond from the first line, -t to the second, none 0
grep -q '^0.000638000 1/1 mmap think=261000 len=8192 ' "$T/tt.mmt" || { echo "FAIL: -tt time: $(sed -n 4p "$T/tt.mmt")"; fail=1; }
[ "$(sed -n 4p "$T/ttt.mmt" | cut -d' ' -f1-4)" = "0.000655000 1/1 mmap think=270000" ] || { echo "FAIL: -ttt time: $(sed -n 4p "$T/ttt.mmt")"; fail=1; }
[ "$(grep -v '^0.000000000 ' "$T/none.mmt" | grep -vc '^mmt \|^page_size ')" = 0 ] || { echo "FAIL: no-timestamp log has times"; fail=1; }
[ "$(grep -c ' think=' "$T/none.mmt")" = 0 ] || { echo "FAIL: no-timestamp log has think times"; fail=1; }
grep -q '^0.000000000 1/1 clone id=21089 = 21089$' "$T/t.mmt" || { echo "FAIL: -t clone: $(grep clone "$T/t.mmt")"; fail=1; }

# several processes: -f -o (pid column), -f to stderr ([pid N] prefixes, the root bare
# at first, strace's "Process N attached" note inside a line), -ff files: 30 records,
# three threads in two processes, the same ops
for f in f_ttt f_none stderr_tt; do
	expect 0 "" -- trace convert $D/forms.$f.log "$T/$f.mmt"
	grep -q "^$T/$f.mmt: 30 records, " "$T/err" || { echo "FAIL: forms.$f.log: $(cat "$T/err")"; fail=1; }
	norm "$T/$f.mmt" > "$T/$f.norm"
	[ "$f" = f_ttt ] || cmp -s "$T/f_ttt.norm" "$T/$f.norm" || { echo "FAIL: forms.$f.log imports other ops than forms.f_ttt.log:"; diff "$T/f_ttt.norm" "$T/$f.norm"; fail=1; }
done
expect 0 "" -- trace convert $D/ff "$T/ff.mmt"
norm "$T/ff.mmt" > "$T/ff.norm"
cmp -s "$T/f_ttt.norm" "$T/ff.norm" || { echo "FAIL: the -ff files import other ops than forms.f_ttt.log:"; diff "$T/f_ttt.norm" "$T/ff.norm"; fail=1; }
[ "$(grep -c '^[0-9.]* 21179/21179 ' "$T/ff.mmt") $(grep -c '^[0-9.]* 21180/21180 ' "$T/ff.mmt") $(grep -c '^[0-9.]* 21179/21181 ' "$T/ff.mmt")" = "22 4 4" ] ||
	{ echo "FAIL: -ff pids from the file names: $(cut -d' ' -f2 "$T/ff.mmt" | sort | uniq -c | tr '\n' ' ')"; fail=1; }
grep -q '^0.000[0-9]* 1/1 brk = ' "$T/stderr_tt.mmt" || { echo "FAIL: stderr log's bare root is not 1/1"; fail=1; }
[ "$(grep -c '^[0-9.]* 1/1 ' "$T/stderr_tt.mmt")" = 22 ] || { echo "FAIL: stderr log: the root's [pid N] lines are not the bare root's"; fail=1; }
# the program's own output inside a log strace wrote to stderr: not a call, not refused
sed '3a hello from the program' $D/forms.stderr_tt.log > "$T/noisy.log"
expect 0 "" -- trace convert "$T/noisy.log" "$T/noisy.mmt"
grep -q '(unparsed lines) (1)' "$T/err" || { echo "FAIL: noisy log: $(cat "$T/err")"; fail=1; }
cmp -s "$T/stderr_tt.mmt" "$T/noisy.mmt" || { echo "FAIL: noisy log imports differently"; fail=1; }
# strace -p's first line is its own note: detected as strace all the same
{ echo "strace: Process 21170 attached"; cat $D/forms.stderr_tt.log; } > "$T/attached.log"
expect 0 "" -- trace convert "$T/attached.log" "$T/attached.mmt"
cmp -s "$T/stderr_tt.mmt" "$T/attached.mmt" || { echo "FAIL: a log starting with strace's note imports differently"; fail=1; }
# LOG.* on the command line is the directory
expect 0 "" -- trace convert $D/ff/forms.21179 $D/ff/forms.21181 $D/ff/forms.21180 "$T/ff2.mmt"
cmp -s "$T/ff.mmt" "$T/ff2.mmt" || { echo "FAIL: LOG.* and the directory differ"; fail=1; }
# the -f -o log cut into per-pid files merges back into the same trace, byte for byte
mkdir "$T/split"
awk '{ pid = $1; sub(/^[0-9]+ +/, ""); print > ("'"$T"'/split/forms." pid) }' $D/forms.f_ttt.log
expect 0 "" -- trace convert "$T/split" "$T/split.mmt"
cmp -s "$T/f_ttt.mmt" "$T/split.mmt" || { echo "FAIL: split -f log merges differently:"; diff "$T/f_ttt.mmt" "$T/split.mmt"; fail=1; }
# replay of the -ff directory: 3 threads, 2 processes
expect 0 "" -- replay $D/ff -o "$T/rp" --quiet
grep -q '^Simulated time: [0-9.]* ms. Threads: 3 (3 finished). Ops: 30. ' "$T/rp/report.md" || { echo "FAIL: -ff replay: $(grep '^Simulated' "$T/rp/report.md")"; fail=1; }

# refusals: file, line, the flag to use; exit 2; nothing written
R='relative timestamps (strace -r) put no two lines on one clock; record with -ttt (or -tt) instead'
expect 2 "$D/forms.r.log:1: $R" -- trace convert $D/forms.r.log "$T/r.mmt"
expect 2 "$D/forms.f_r.log:1: $R" -- trace convert $D/forms.f_r.log "$T/r.mmt"
expect 2 "$D/forms.xverbose.log:3: strace -X verbose output (numbers with their names in comments); record with the default -X abbrev (or -X raw) instead" -- trace convert $D/forms.xverbose.log "$T/r.mmt"
expect 2 "$D/ff_none/ffnone.21204:1: the per-process files of strace -ff need timestamps to be merged in time order; record with -ff -ttt (or -tt)" -- trace convert $D/ff_none "$T/r.mmt"
expect 2 "$D/forms.raw_all.log:4: a path given as its address (strace -e raw=all): the files cannot be told apart; record without -e raw" -- trace convert $D/forms.raw_all.log "$T/r.mmt"
[ ! -e "$T/r.mmt" ] && [ -z "$(ls "$T" | grep "r.mmt.tmp")" ] || { echo "FAIL: a refused log left an output"; fail=1; }
expect 2 "$D/forms.r.log:1: $R" -- replay $D/forms.r.log -o "$T/rr" --quiet
# mixed forms in one log (two runs concatenated)
cat $D/forms.tt.log $D/forms.ttt.log > "$T/mixed.log"
expect 2 "$T/mixed.log:25: timestamps of the form -ttt (SECONDS.frac), but line 1 has -tt (HH:MM:SS.frac): one strace run per log (or the files of strace -ff given together)" -- trace convert "$T/mixed.log" "$T/r.mmt"
# -ff files of two runs, or a file without a .PID suffix
expect 2 "$D/forms.tt.log: not a per-process file of strace -ff (its name must end in .PID)" -- trace convert $D/forms.tt.log $D/ff/forms.21179 "$T/r.mmt"
cp $D/ff_none/ffnone.21205 "$T/forms.7"
expect 2 "$T/forms.7: not a file of the same strace -ff run as $D/ff/forms.21179 (one LOG.PID prefix)" -- trace convert $D/ff/forms.21179 "$T/forms.7" "$T/r.mmt"

# nothing importable: exit 2 with a message, no output
printf '08:00:00.000001 getpid() = 5\n08:00:00.000002 getppid() = 4\n' > "$T/none.log"
expect 2 "note: $T/none.log: 2 calls not imported: getpid (1), getppid (1)
$T/none.log: no record mmsim can import in 2 lines of this strace log" -- trace convert "$T/none.log" "$T/r.mmt"
[ ! -e "$T/r.mmt" ] || { echo "FAIL: an empty import left an output"; fail=1; }
expect 2 "$D/forms.tt.log: no record mmsim can import in 24 lines of this lackey log" -- replay $D/forms.tt.log --from lackey -o "$T/rl" --quiet
# --from
expect 0 "" -- replay $D/forms.tt.log --from strace -o "$T/rs" --quiet
expect 2 'mmsim replay: --from: expected strace, perf, lackey, mmt or mmtz, got "straec"' -- replay $D/forms.tt.log --from straec
expect 2 "$D/forms.tt.log: a perf script log of page faults gives the touches of a run, not its mappings; import it with the strace log of the same run: mmsim trace convert --faults $D/forms.tt.log STRACE_LOG OUT (what mmsim record does)" -- replay $D/forms.tt.log --from perf -o "$T/rp2" --quiet
zcat tests/record/mt_regions.faults.txt.gz | head -20 > "$T/faults.txt"
expect 2 "$T/faults.txt: a perf script log of page faults: the touches of a run, not its mappings; import it with the strace log of the same run: mmsim trace convert --faults $T/faults.txt STRACE_LOG OUT (what mmsim record does)" -- trace convert "$T/faults.txt" "$T/r.mmt"

[ $fail = 0 ] && echo "strace_forms: all passed"
exit $fail
