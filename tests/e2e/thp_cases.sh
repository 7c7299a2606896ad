#!/bin/bash
# thp_cases.sh - the hand-worked THP cases in tests/thp/ (README there): each NAME.mmt is
# replayed with --check on tests/thp/machine.yaml (plus the options of its "# args:"
# line); after every snapshot the values NAME.expected lists for it (one line per
# snapshot: a label, then KEY=VALUE pairs of that file: /proc/vmstat counters, meminfo or
# smaps_rollup fields in kB, text=WORDS_JOINED_BY_UNDERSCORES for a one-line sysfs file)
# must be exactly those; every recorded result must be
# reproduced, every op modelled, and --check must find nothing.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for trace in "$here"/thp/*.mmt; do
	name=$(basename "$trace" .mmt)
	args=()
	line=$(grep -m1 '^# args:' "$trace" || true)
	[ -n "$line" ] && read -r -a args <<<"${line#\# args:}"
	"$mmsim" replay "$trace" --machine "$here/thp/machine.yaml" -o "$out/$name" --quiet \
		--check "${args[@]}"
	python3 - "$name" "$here/thp/$name.expected" "$out/$name" <<'PY' || fail=1
import json, os, sys
name, exp_path, out = sys.argv[1:]
exp = [l.split() for l in open(exp_path).read().splitlines() if l.strip() and not l.startswith('#')]
snapdir = os.path.join(out, 'snapshots')
snaps = sorted(os.listdir(snapdir)) if os.path.isdir(snapdir) else []
bad = 0
if len(snaps) != len(exp):
    print('%s: %d snapshots, %d expected lines' % (name, len(snaps), len(exp)))
    bad += 1
for (label, *pairs), f in zip(exp, snaps):
    got = {}
    lines = open(os.path.join(snapdir, f)).read().splitlines()
    if len(lines) == 1:
        got['text'] = '_'.join(lines[0].split())   # one-line sysfs files: text=a_[b]_c
    for line in lines:
        k, sep, v = line.partition(':')
        if sep and v.split():
            got[k.strip()] = v.split()[0]
        elif len(line.split()) == 2:
            got[line.split()[0]] = line.split()[1]
    for p in pairs:
        k, _, want = p.partition('=')
        if got.get(k) != want:
            print('%s: step %s (%s): %s = %s, expected %s' % (name, label, f, k, got.get(k), want))
            bad += 1
s = json.load(open(os.path.join(out, 'summary.json')))
ev = s['events']
if ev['ret_mismatch']:
    print('%s: %d results differ from the recorded ones' % (name, ev['ret_mismatch']))
    bad += 1
nm = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if nm:
    print('%s: ops not modelled: %s' % (name, nm))
    bad += 1
text = open(os.path.join(out, 'findings.txt')).read()
if text.strip() != 'no findings':
    print('%s: unexpected findings:\n%s' % (name, text))
    bad += 1
sys.exit(1 if bad else 0)
PY
done
exit $fail
