#!/bin/bash
# hugetlb_cases.sh - the step-by-step hugetlb scenarios of reference/hugetlb.md §11 and
# §9, hand-written as traces in tests/hugetlb/ (README there): after every step the
# replay's /proc/meminfo must show exactly the HugePages_Total/Free/Rsvd/Surp of
# NAME.expected, every recorded result (errors included: ENOMEM, EINVAL, SIGBUS as
# EFAULT from MADV_POPULATE_*) must be reproduced, and --check must find nothing but the
# drift the pre-patch variant is expected to show.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for trace in "$here"/hugetlb/*.mmt; do
	name=$(basename "$trace" .mmt)
	extra=()
	case $name in
	*_count) extra=(--set variants.hugetlb.private_resv=count) ;;
	esac
	"$mmsim" replay "$trace" --machine "$here/hugetlb/machine.yaml" -o "$out/$name" --quiet \
		--check "${extra[@]}"
	python3 - "$name" "$here/hugetlb/$name.expected" "$out/$name" <<'PY' || fail=1
import json, os, sys
name, exp_path, out = sys.argv[1:]
exp = [l.split() for l in open(exp_path).read().splitlines() if l.strip()]
snaps = sorted(f for f in os.listdir(os.path.join(out, 'snapshots')) if f.endswith('meminfo'))
bad = 0
if len(snaps) != len(exp):
    print('%s: %d meminfo snapshots, %d expected steps' % (name, len(snaps), len(exp)))
    bad += 1
keys = ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp']
for (label, *want), f in zip(exp, snaps):
    got = {}
    for line in open(os.path.join(out, 'snapshots', f)):
        k, _, v = line.partition(':')
        if k in keys:
            got[k] = v.split()[0]
    row = [got[k] for k in keys]
    if row != want:
        print('%s: step %s: T/F/R/S %s, expected %s' % (name, label, '/'.join(row), '/'.join(want)))
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
findings = s['findings']
kinds = sorted({f['type'] for f in findings.get('list', [])}) if isinstance(findings, dict) else None
text = open(os.path.join(out, 'findings.txt')).read()
if name.endswith('_count'):
    # the pre-patch design: the counters drift exactly as the seed says
    for needle in ('HugePages_Rsvd 18446744073709551615 above HugePages_Free 6',
                   'wrapped below zero after madvise', 'resv_drift', 'did not return'):
        if needle not in text:
            print('%s: findings lack %r:\n%s' % (name, needle, text))
            bad += 1
elif text.strip() != 'no findings':
    print('%s: unexpected findings:\n%s' % (name, text))
    bad += 1
sys.exit(1 if bad else 0)
PY
done
exit $fail
