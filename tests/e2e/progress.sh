#!/bin/bash
# progress.sh - the progress line of long runs (issue 18). With --progress and stderr in
# a file, each update is a line ("mmsim: simulated T ms, N ops of M trace records, P%,
# ~W left, R ops/s") and a final line closes the run: its simulated time and op count are
# summary.json's, with the known total (a trace's record count, a scenario duration)
# and 100%. Updates, when the run lasts long enough in wall time to have any, count up
# and stay within the final figures. Without --progress and off a terminal: no line. On
# a terminal (script(1)) the line is rewritten in place and cleared at the end, and
# --quiet removes it.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# a trace of 6002 records: 256 MiB mapped, touched 1 MiB at a time, 6000 times
python3 - "$tmp/t.mmt" <<'PY'
import sys
base = 0x7f0000000000
out = ["mmt 1", "page_size 4096",
       "0.000001000 100/100 mmap len=268435456 prot=rw flags=private|anonymous = %#x" % base]
t = 2000
for i in range(6000):
    out.append("0.%09d 100/100 touch addr=%#x len=1048576 flags=write" % (t, base + (i % 256) * 1048576))
    t += 1000
out.append("0.%09d 100/100 munmap addr=%#x len=268435456 = 0" % (t, base))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY

consistent() {   # stderr file, out dir, expected "known" text
	python3 - "$@" <<'PY'
import json, re, sys
err, outdir, known = sys.argv[1:]
s = json.load(open(outdir + "/summary.json"))
lines = [l for l in open(err).read().split("\n") if l.startswith("mmsim: simulated") or l.startswith("mmsim: done")]
final = "mmsim: done: simulated %.3f ms, %d ops%s, 100%%" % (s["simulated_ns"] / 1e6, s["events"]["ops"], known)
assert lines and lines[-1] == final, (lines[-1:], final)
prev_t, prev_n = 0.0, 0
pat = re.compile(r"mmsim: simulated ([0-9.]+) ms, ([0-9]+) ops" + re.escape(known) +
                 r", ([0-9.]+)%, ~(\S+) left, [0-9]+ ops/s$")
for l in lines[:-1]:
    m = pat.match(l)
    assert m, l
    t, n, p = float(m.group(1)), int(m.group(2)), float(m.group(3))
    assert prev_t <= t <= s["simulated_ns"] / 1e6 and prev_n <= n <= s["events"]["ops"] and p <= 100, l
    prev_t, prev_n = t, n
print(len(lines) - 1, "updates")
PY
}

"$mmsim" replay "$tmp/t.mmt" -o "$tmp/r" --progress --quiet 2> "$tmp/err" || ko "replay: exit $?"
out=$(consistent "$tmp/err" "$tmp/r" " of 6002 trace records") && ok || ko "replay: $out: $(cat "$tmp/err")"
grep -qx "mmsim: done: simulated 247.168 ms, 6002 ops of 6002 trace records, 100%" "$tmp/err" && ok ||
	ko "replay final line: $(tail -1 "$tmp/err")"
# a generator with a duration
"$mmsim" run -o "$tmp/d" --set duration=20ms --progress --quiet 2> "$tmp/errd" || ko "duration: exit $?"
out=$(consistent "$tmp/errd" "$tmp/d" " (duration 20.000 ms)") && ok || ko "duration: $out: $(cat "$tmp/errd")"
# off a terminal without --progress: no line
"$mmsim" replay "$tmp/t.mmt" -o "$tmp/r" 2> "$tmp/err2" || ko "replay without --progress: exit $?"
! grep -q "mmsim: simulated\|mmsim: done" "$tmp/err2" && ok || ko "a progress line off a terminal: $(cat "$tmp/err2")"
# on a terminal: drawn in place ("\r...\033[K") and cleared at the end; --quiet: none
if command -v script > /dev/null; then
	script -qec "$mmsim replay $tmp/t.mmt -o $tmp/tty" /dev/null > "$tmp/tty.out" 2>&1
	python3 - "$tmp/tty.out" <<'PY' && ok || ko "terminal: $(od -c "$tmp/tty.out" | head -5)"
import sys
s = open(sys.argv[1], "rb").read()
assert b"mmsim: done" not in s and b"\n" not in s.split(b"mmsim: replayed")[0], s[:200]
if b"mmsim: simulated" in s:
    head = s.split(b"mmsim: replayed")[0]
    assert head.startswith(b"\rmmsim: simulated") and head.endswith(b"\r\x1b[K"), head[-40:]
PY
	script -qec "$mmsim replay $tmp/t.mmt -o $tmp/tty --quiet" /dev/null > "$tmp/tty.out" 2>&1
	! grep -q "simulated" "$tmp/tty.out" && ok || ko "terminal with --quiet: $(cat "$tmp/tty.out")"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
