#!/bin/bash
# khugepaged_cases.sh - the kernel's khugepaged selftest cases for anonymous memory
# (reference/thp-khugepaged.md §10), hand-written as traces in tests/khugepaged/ (README
# there). Each NAME.mmt is replayed on tests/khugepaged/machine.yaml (plus the `set` lines
# of NAME.expected as --set); every recorded result (MADV_COLLAPSE's 0, EINVAL, EAGAIN) must
# be reproduced, and each line of NAME.expected must hold:
#   snap N KEY VALUE   snapshot N (1-based) has "KEY: VALUE" / "KEY VALUE" (KEY - : the
#                      whole file is VALUE)
#   json PATH VALUE    summary.json at the dotted PATH equals VALUE
#   finding TEXT       findings.txt contains TEXT (without any: "no findings")
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for exp in "$here"/khugepaged/*.expected; do
	name=$(basename "$exp" .expected)
	sets=()
	while read -r kw val; do
		[ "$kw" = set ] && sets+=(--set "$val")
	done < "$exp"
	"$mmsim" replay "$here/khugepaged/$name.mmt" --machine "$here/khugepaged/machine.yaml" \
		-o "$out/$name" --quiet --check "${sets[@]}"
	python3 - "$name" "$exp" "$out/$name" <<'PY' || fail=1
import json, os, sys
name, exp_path, out = sys.argv[1:]
bad = 0
snaps = sorted(os.listdir(os.path.join(out, 'snapshots')))
summary = json.load(open(os.path.join(out, 'summary.json')))
findings = open(os.path.join(out, 'findings.txt')).read()
want_finding = False
def fail(msg):
    global bad
    print('%s: %s' % (name, msg))
    bad += 1
for line in open(exp_path):
    w = line.split()
    if not w or w[0].startswith('#') or w[0] == 'set':
        continue
    if w[0] == 'snap':
        n, key, val = int(w[1]), w[2], ' '.join(w[3:])
        if n > len(snaps):
            fail('snapshot %d missing (%d taken)' % (n, len(snaps)))
            continue
        text = open(os.path.join(out, 'snapshots', snaps[n - 1])).read()
        if key == '-':
            got = text.strip()
        else:
            got = None
            for l in text.splitlines():
                k, _, v = l.partition(':') if ':' in l else l.partition(' ')
                if k.strip() == key:
                    got = ' '.join(v.split())
        if got != val:
            fail('snapshot %d (%s) %s: %r, expected %r' % (n, snaps[n - 1], key, got, val))
    elif w[0] == 'json':
        node = summary
        for part in w[1].split('.'):
            node = node.get(part) if isinstance(node, dict) else None
        if str(node) != w[2]:
            fail('summary %s: %r, expected %s' % (w[1], node, w[2]))
    elif w[0] == 'finding':
        want_finding = True
        text = line.split(None, 1)[1].strip()
        if text not in findings:
            fail('findings lack %r:\n%s' % (text, findings))
ev = summary['events']
if ev['ret_mismatch']:
    fail('%d results differ from the recorded ones' % ev['ret_mismatch'])
nm = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if nm:
    fail('ops not modelled: %s' % nm)
if not want_finding and findings.strip() != 'no findings':
    fail('unexpected findings:\n%s' % findings)
sys.exit(1 if bad else 0)
PY
done
exit $fail
