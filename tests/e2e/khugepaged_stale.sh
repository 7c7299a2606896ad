#!/bin/bash
# khugepaged_stale.sh - seed 001's objection to patch 3: between mmap_lock read and write
# (here: while khugepaged waits for a swap-in read with mmap_lock dropped) another thread
# maps over the range with MAP_FIXED. tests/khugepaged/stale_remap.mmt, replayed in open
# mode under each variant: revalidate=full gives up (page_locked, no finding); find_vma_eq
# and none find the new VMA in the old VMA's object, go on, and are reported with the
# interleaving; swapin_lock=write never drops mmap_lock there (no finding).
# exit_during_collapse.mmt: the process exits during that read instead: no finding, the
# collapse gives up (page_locked, or vma_null after the read), --check finds nothing.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
	"$mmsim" replay "$here/khugepaged/${TRACE:-stale_remap}.mmt" --mode open \
		--machine "$here/khugepaged/machine.yaml" -o "$out/$1" --quiet --check "${@:2}"
}
run full --set variants.khugepaged.revalidate=full
run find_vma_eq --set variants.khugepaged.revalidate=find_vma_eq
run none --set variants.khugepaged.revalidate=none
run write_none --set variants.khugepaged.revalidate=none --set variants.khugepaged.swapin_lock=write
# the process exits during the read instead: no finding, the collapse gives up, the mm is
# freed by khugepaged's slot
for rv in full find_vma_eq none; do
	TRACE=exit_during_collapse run exit_$rv --set variants.khugepaged.revalidate=$rv
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
bad = 0
def check(cond, msg):
    global bad
    if not cond:
        print(msg)
        bad += 1
for v, stale, results in [('full', 0, {'page_locked': 1}),
                          ('find_vma_eq', 1, {'failed': 1}),
                          ('none', 1, {'failed': 1}),
                          ('write_none', 0, None),
                          ('exit_full', 0, {'page_locked': 1}),
                          ('exit_find_vma_eq', 0, {'vma_null': 1}),
                          ('exit_none', 0, {'vma_null': 1})]:
    s = json.load(open(os.path.join(out, v, 'summary.json')))
    k = s['metrics']['khugepaged']
    text = open(os.path.join(out, v, 'findings.txt')).read()
    check(s['events']['ret_mismatch'] == 0, '%s: results differ from the trace' % v)
    check(k['stale_collapses'] == stale, '%s: stale_collapses %d, expected %d' % (v, k['stale_collapses'], stale))
    check(s['findings']['counts']['stale_vma'] == stale, '%s: stale_vma findings %s' % (v, s['findings']['counts']))
    if results is not None:
        check(k['results_khugepaged'] == results, '%s: results %s, expected %s' % (v, k['results_khugepaged'], results))
    if stale:
        for needle in ['stale_vma: khugepaged/', '(revalidate=%s): the VMA was replaced by another in the freed VMA\'s object' % v,
                       ': dropped mmap_lock (to wait for a swap-in read), VMA [0x40000000, 0x40200000)',
                       ': munmap (MAP_FIXED replaces) [0x40000000, 0x40200000)',
                       ': mmap (anonymous) [0x40000000, 0x40200000)',
                       ': took mmap_lock for read and went on']:
            check(needle in text, '%s: findings lack %r:\n%s' % (v, needle, text))
    else:
        check(text.strip() == 'no findings', '%s: unexpected findings:\n%s' % (v, text))
sys.exit(1 if bad else 0)
PY
