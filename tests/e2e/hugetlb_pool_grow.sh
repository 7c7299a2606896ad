#!/bin/bash
# hugetlb_pool_grow.sh - growing the hugetlb pool takes order-9 __GFP_THISNODE pages
# from the buddy allocator, so a fragmented node grows its pool only partially (the
# write succeeds; the pool is what could be had). tests/hugetlb/pool_grow/fragmented.mmt
# pins 20 of node 1's 32 pageblocks with an unmovable order-8 allocation each: of the 16
# pages asked for node 1 it gets the 11 whole free pageblocks above the watermark; node 0,
# untouched, gets all 16.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/hugetlb/pool_grow/fragmented.mmt" \
	--machine "$here/hugetlb/pool_grow/machine.yaml" -o "$out" --quiet --check
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
snap = lambda n: open(os.path.join(out, 'snapshots', n)).read()
bi = snap('0001-buddyinfo').splitlines()
# node 1: twenty free order-8 halves, no free order-9/10 block but 6 order-10 (12 pageblocks)
assert bi[1].split()[4:] == ['0'] * 8 + ['20', '0', '6'], bi[1]
def hp(n):
    return {l.split(':')[0]: int(l.split()[1]) for l in snap(n).splitlines() if l.startswith('HugePages_')}
assert hp('0002-meminfo') == dict(HugePages_Total=11, HugePages_Free=11, HugePages_Rsvd=0, HugePages_Surp=0), hp('0002-meminfo')
assert hp('0003-meminfo')['HugePages_Total'] == 27, hp('0003-meminfo')
vm = dict(l.split() for l in snap('0004-vmstat').splitlines())
assert vm['htlb_buddy_alloc_success'] == '27' and vm['htlb_buddy_alloc_fail'] == '1', vm
h = json.load(open(os.path.join(out, 'summary.json')))['metrics']['hugetlb']
assert h['grow_requested'] == 32 and h['grow_allocated'] == 27, h
rep = open(os.path.join(out, 'report.md')).read()
assert '| 0 | 16 | 16 | 0 |' in rep and '| 1 | 11 | 11 | 0 |' in rep, rep
assert open(os.path.join(out, 'findings.txt')).read().strip() == 'no findings'
PY
