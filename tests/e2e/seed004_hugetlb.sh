#!/bin/bash
# seed004_hugetlb.sh - configs/seeds/004-hugetlb-split.yaml under both designs of
# variants.hugetlb.private_resv: the pre-patch count drifts exactly as the seed describes
# (reference/hugetlb.md §9: Rsvd 4 3 0 2^64-1 2^64-4 2^64-6), is reported as resv_drift
# findings naming the op, and breaks a later reservation (SIGBUS in a reserved mapping);
# the fix (resv_map) keeps every counter right and reports nothing.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for v in resv_map count; do
	"$mmsim" run "$here/configs/seeds/004-hugetlb-split.yaml" -o "$out/$v" --quiet --check \
		--set variants.hugetlb.private_resv=$v
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def rsvd(v):
    d = os.path.join(out, v, 'snapshots')
    rows = []
    for f in sorted(os.listdir(d)):
        m = dict(l.split(':', 1) for l in open(os.path.join(d, f)) if ':' in l)
        rows.append(tuple(int(m[k].split()[0]) for k in
                          ('HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp')))
    return rows
W = 2**64
fixed = [(8, 8, 4, 0), (8, 7, 3, 0), (8, 7, 2, 0), (8, 6, 1, 0), (8, 7, 1, 0), (8, 8, 0, 0),
         (8, 8, 8, 0), (8, 8, 8, 0), (8, 0, 0, 0)]
prepatch = [(8, 8, 4, 0), (8, 7, 3, 0), (8, 7, 0, 0), (8, 6, W - 1, 0), (8, 7, W - 4, 0),
            (8, 8, W - 6, 0), (8, 8, 2, 0), (8, 2, 2, 0), (8, 0, 0, 0)]
bad = 0
for v, want in (('resv_map', fixed), ('count', prepatch)):
    got = rsvd(v)
    if got != want:
        print('%s: meminfo steps %s, expected %s' % (v, got, want)); bad += 1
s = {v: json.load(open(os.path.join(out, v, 'summary.json'))) for v in ('resv_map', 'count')}
h = {v: s[v]['metrics']['hugetlb'] for v in s}
exp = {'resv_map': dict(HugePages_Rsvd=0, resv_min_signed=0, sigbus=6, sigbus_reserved=0),
       'count': dict(HugePages_Rsvd=W - 6, resv_min_signed=-6, sigbus=6, sigbus_reserved=6)}
for v in exp:
    for k, want in exp[v].items():
        if h[v][k] != want:
            print('%s: metrics.hugetlb.%s = %s, expected %s' % (v, k, h[v][k], want)); bad += 1
if s['resv_map']['events']['ret_mismatch'] != 0 or s['count']['events']['ret_mismatch'] != 12:
    print('ret_mismatch', s['resv_map']['events']['ret_mismatch'], s['count']['events']['ret_mismatch']); bad += 1
fixed_findings = open(os.path.join(out, 'resv_map', 'findings.txt')).read()
if fixed_findings.strip() != 'no findings':
    print('resv_map findings:', fixed_findings); bad += 1
f = open(os.path.join(out, 'count', 'findings.txt')).read()
for needle in ('HugePages_Rsvd 0 but the reservation maps hold 6 after munmap addr=0x40200000',
               'wrapped below zero after madvise addr=0x40600000',
               'HugePages_Rsvd 18446744073709551615 above HugePages_Free 6',
               'counters did not return: HugePages_Total 8 Free 8 Rsvd 18446744073709551610'):
    if needle not in f:
        print('count findings lack %r' % needle); bad += 1
rep = open(os.path.join(out, 'count', 'report.md')).read()
for needle in ('## Hugetlb', '| 8 | 8 | 18446744073709551610 | 0 |', 'ranged from -6 to 4',
               '| ... in a VMA holding reservations (the guarantee broken) | 6 |'):
    if needle not in rep:
        print('count report lacks %r' % needle); bad += 1
rep = open(os.path.join(out, 'resv_map', 'report.md')).read()
for needle in ('| 8 | 8 | 0 | 0 |', 'ranged from 0 to 8'):
    if needle not in rep:
        print('resv_map report lacks %r' % needle); bad += 1
csv = open(os.path.join(out, 'count', 'hugetlb.csv')).read().splitlines()
assert csv[0].split(',')[1:5] == ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp'], csv[0]
# Findings carry the time the counters went wrong, which is when hugetlb.csv (every
# 100 us) shows it: the madvise's fault wrapped Rsvd at 169.57 us (the op ended at
# 335.64 us), so the 100 us row still has Rsvd 3 and the 200 us row -1; the munmap of the
# second process at 5679.38 us, so 5.6 ms shows 0 and 5.7 ms -6.
rows = [tuple(int(x) for x in l.split(',')[:5]) for l in csv[1:]]
wraps = [l for l in f.splitlines() if 'wrapped below zero' in l]
times = [round(float(l[1:l.index(']')]) * 1e9) for l in wraps]
if times != [169570, 5679380]:
    print('wrap finding times %s, expected [169570, 5679380]' % times); bad += 1
for t, l in zip(times, wraps):
    free = int(l.split(' Free ')[1].split()[0])
    rsvd = int(l.split(' Rsvd ')[1].split()[0]) - W
    after = next(r for r in rows if r[0] >= t)
    before = [r for r in rows if r[0] < t][-1]
    if (after[2], after[3]) != (free, rsvd) or before[3] == rsvd:
        print('finding at %d ns (Free %d Rsvd %d) vs hugetlb.csv %s then %s' % (t, free, rsvd, before, after)); bad += 1
if any(r[0] % 100000 for r in rows[:-1]):
    print('hugetlb.csv times off the 100 us grid'); bad += 1
sys.exit(1 if bad else 0)
PY
