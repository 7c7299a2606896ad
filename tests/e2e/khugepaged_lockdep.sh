#!/bin/bash
# khugepaged_lockdep.sh - seed 001 patch 2: with the 2016 allocstall gate, reading the
# ALLOCSTALL sum (cpu_hotplug.lock) under mmap_lock closes the cycle lockdep reported to
# the list (s_active -> mmap_lock from a sysfs write, cpu_hotplug.lock -> s_active from CPU
# hot-unplug); reading it before taking mmap_lock (the patch) does not.
# tests/khugepaged/allocstall_lockdep.mmt under both variants; the collapse is the same.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for v in under_mmap_write before_mmap_lock; do
	"$mmsim" replay "$here/khugepaged/allocstall_lockdep.mmt" \
		--machine "$here/khugepaged/machine.yaml" -o "$out/$v" --quiet --check \
		--set variants.khugepaged.swapin_gate=allocstall \
		--set variants.khugepaged.allocstall_read=$v --set variants.khugepaged.swapin_lock=write
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
for v, inv in [('under_mmap_write', 1), ('before_mmap_lock', 0)]:
    s = json.load(open(os.path.join(out, v, 'summary.json')))
    k = s['metrics']['khugepaged']
    text = open(os.path.join(out, v, 'findings.txt')).read()
    check(s['findings']['counts']['lock_inversion'] == inv, '%s: %s' % (v, s['findings']['counts']))
    # the same collapse either way: the first pass submits the read (NOWAIT) and fails on
    # the swap PTE, the next maps the page from the swap cache and collapses
    check(k['results_khugepaged'].get('pte_non_present') == 1 and
          k['results_khugepaged'].get('succeeded') == 1, '%s: %s' % (v, k['results_khugepaged']))
    check(k['swapins'] == 1 and k['swapin_reads'] == 1, '%s: swapins %d reads %d' % (v, k['swapins'], k['swapin_reads']))
    if inv:
        for needle in ['lock order inversion: &mm->mmap_lock -> cpu_hotplug.lock',
                       '&mm->mmap_lock at collapse_huge_page:', '-> cpu_hotplug.lock at sum_allocstall:',
                       'cpu_hotplug.lock at cpu_hotplug_chain:', '-> s_active at cpu_hotplug_chain:',
                       's_active-R at khugepaged_sysfs_store:', '-> &mm->mmap_lock at khugepaged_sysfs_store:']:
            check(needle in text, '%s: findings lack %r:\n%s' % (v, needle, text))
    else:
        check(text.strip() == 'no findings', '%s: unexpected findings:\n%s' % (v, text))
sys.exit(1 if bad else 0)
PY
