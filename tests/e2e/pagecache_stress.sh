#!/bin/bash
# pagecache_stress.sh - issue 16's randomized stress of the lookup protocol: readers on two
# nodes read and map two hot 1 MiB files (file_readers: 4 readers, 600 accesses each, a
# quarter through their mappings) while its remover punches 8-page holes every 5 us
# (truncate_inode_pages_range) AND a second process writes 26 MiB of anonymous memory
# three times on a 2 x 16 MiB machine (kswapd evicts the files' pages with the freeze).
# Four seeds (the readers' pages and files are drawn from the seed) under both lookup
# variants (the seed's lockless lookup and the tree_lock rwlock before it), all under
# --check: the checker asserts at every lookup's
# linearization point that the page returned is the one cached at that index with the
# caller's reference on top, so a lookup that returned a freed or reused page would be a
# finding (tests/unit/test_filemap: test_check_catches_wrong_page shows it fires). The
# races must really happen: per variant, the exact sums over the seeds of pages reclaimed
# (freezes; under tree_lock the page_count == 2 check under the write lock), pages
# truncated, lookups that retried because the try-get met a frozen page or the slot
# changed (lockless only), and freezes that failed on a reader's reference.
# tree_lock once reported findings here on seeds 1-3 (a freed page still in the tree,
# buddy free-list corruption): readahead dropped the reference filemap_get_folio gave it
# and took the read's afterwards; a hole punch that deleted the new page while
# lru_cache_add waited for the lru_lock kswapd held made that drop free the page, and
# the read's reference revived it (a double free). Readahead now keeps the reference.
set -euo pipefail
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/stress.yaml" <<'EOF2'
seed: 1
machine:
  nodes: 2
  cpus_per_node: 3
  memory_per_node: 16MiB
kernel:
  transparent_hugepage.enabled: never
variants:
  pagecache.lookup: lockless
workloads:
  - type: file_readers
    name: hot
    threads: 5
    cpus: [0, 1, 3, 4, 2]
    files: 2
    file_size: 1MiB
    reads: 600
    mmap: true
    mmap_every: 4
    think: 1us
    remover: punch
    removals: 300
    remover_interval: 5us
    punch_pages: 8
  - type: sequential_touch
    name: press
    threads: 1
    cpus: [5]
    start: 50us
    size: 26MiB
    cycles: 3
EOF2
for lookup in lockless tree_lock; do
	for seed in 1 2 3 4; do
		"$mmsim" run "$out/stress.yaml" -o "$out/$lookup-$seed" --quiet --check \
			--set seed=$seed --set variants.pagecache.lookup=$lookup
	done
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
bad = 0
keys = ('lookups', 'freezes', 'truncated', 'retries_frozen', 'retries_slot_changed',
        'freeze_failed', 'shadow_hits')
got = {}
for lookup in ('lockless', 'tree_lock'):
    tot = dict.fromkeys(keys, 0)
    for seed in (1, 2, 3, 4):
        d = os.path.join(out, '%s-%d' % (lookup, seed))
        f = open(os.path.join(d, 'findings.txt')).read().strip()
        if f != 'no findings':
            print('%s seed %d: %s' % (lookup, seed, f)); bad += 1
        pc = json.load(open(os.path.join(d, 'summary.json')))['metrics']['pagecache']
        for k in keys:
            tot[k] += pc[k]
    got[lookup] = tot
print(json.dumps(got, sort_keys=True))
want = {'lockless': {'freeze_failed': 0, 'freezes': 346, 'lookups': 39806,
                     'retries_frozen': 3, 'retries_slot_changed': 1, 'shadow_hits': 0,
                     'truncated': 7601},
        'tree_lock': {'freeze_failed': 0, 'freezes': 923, 'lookups': 43601,
                      'retries_frozen': 0, 'retries_slot_changed': 0, 'shadow_hits': 0,
                      'truncated': 7549}}
for lookup in want:
    for k in keys:
        if got[lookup][k] != want[lookup][k]:
            print('%s %s: got %d, expected %d' % (lookup, k, got[lookup][k], want[lookup][k])); bad += 1
# the races happened: reclaim and truncation both removed pages while lookups ran, and
# lockless lookups retried on frozen or replaced pages
for lookup in want:
    if not (got[lookup]['freezes'] and got[lookup]['truncated']):
        print('%s: no reclaim or no truncation' % lookup); bad += 1
if not (got['lockless']['retries_frozen'] and got['lockless']['retries_slot_changed']):
    print('lockless: no retries'); bad += 1
print('pagecache_stress: %d failed' % bad)
sys.exit(1 if bad else 0)
PY
