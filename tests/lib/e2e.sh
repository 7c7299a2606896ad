# tests/lib/e2e.sh - sourced by e2e scripts: the common preamble ($here: the repository
# root, $tmp: a temporary directory removed at exit, pass/fail counters with ok and ko)
# and the comparison of one scenario run two ways.
#   source "$(dirname "$0")/../lib/e2e.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# same_outdir A B NAME KNOB: every file of out dir A equals B's, but summary.json's
# "host" object and the knob's own echo (summary.json scenario/knobs_changed, report.md's
# knob table lines)
same_outdir() {
	python3 - "$1" "$2" "$4" <<'PY' && ok || ko "$3: out dirs with and without $4 differ"
import json, os, sys
a, b, knob = sys.argv[1], sys.argv[2], sys.argv[3]
def strip(d):
    d.pop("host", None)
    for k in ("scenario", "knobs_changed"):
        if isinstance(d.get(k), dict):
            d[k].pop(knob, None)
    return d
def files(top):
    return sorted(os.path.relpath(os.path.join(r, f), top) for r, _, fs in os.walk(top) for f in fs)
fa, fb = files(a), files(b)
bad = [] if fa == fb else ["file lists: %s vs %s" % (fa, fb)]
for f in fa:
    if f not in fb:
        continue
    pa, pb = os.path.join(a, f), os.path.join(b, f)
    if f == "summary.json":
        if strip(json.load(open(pa))) != strip(json.load(open(pb))):
            bad.append(f)
    elif f == "report.md":
        la = [l for l in open(pa) if knob not in l]
        lb = [l for l in open(pb) if knob not in l]
        if la != lb:
            bad.append(f)
    elif open(pa, "rb").read() != open(pb, "rb").read():
        bad.append(f)
for x in bad:
    print("  differs:", x)
sys.exit(1 if bad else 0)
PY
}

# run_both_ways MMSIM KNOB NAME ARGS...: `MMSIM run ARGS` as given (out dir $tmp/NAME.a)
# and with --set KNOB=true ($tmp/NAME.b); both must exit 0 and give the same out dirs
run_both_ways() {
	local mm=$1 knob=$2 name=$3; shift 3
	"$mm" run "$@" -o "$tmp/$name.a" --quiet 2> "$tmp/$name.a.err"
	local ra=$?
	"$mm" run "$@" -o "$tmp/$name.b" --quiet --set "$knob=true" 2> "$tmp/$name.b.err"
	local rb=$?
	[ $ra = 0 ] && [ $rb = 0 ] && ok || {
		ko "$name: exit $ra / $rb ($knob=true)"; cat "$tmp/$name.a.err" "$tmp/$name.b.err"; return; }
	same_outdir "$tmp/$name.a" "$tmp/$name.b" "$name" "$knob"
}
