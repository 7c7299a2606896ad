#!/bin/bash
# kernel_build.sh - the kernel_build generator (workloads/kernel_build.c) on a configuration
# small enough to work out by hand: 2 jobs x 3 compiles on a 256 MiB node (no memory
# pressure: nothing is reclaimed, no dentry is pruned), slab.account_users on.
#
#   files 4 (sources src/0..3.c), headers 2, both hot (every compile reads both), includes 0;
#   every file 6 KiB (2 pages), every arena 1 MiB (256 pages), object_ratio 1.5 (9216 bytes:
#   3 pages), compile_cpu 2 ms (the default), linger 40 s (make idles after the build so
#   the flusher's periodic writeback runs).
#
# Compile c = k * 2 + j (job j, its k-th compile) builds source c mod 4: c = 0..5 build
# sources 0,1,2,3,0,1; compiles 4 and 5 find obj/0.o and obj/1.o written by compiles 0 and 1
# and truncate them first (O_TRUNC).
#
# Ops: make: 6 forks + 6 wait4s, a linger sleep and an exit per job (2 + 2); each child:
# execve, mmap, 3 inputs x (open, fstat, read, close), touch, compute, open, write, close
# (+ ftruncate for compiles 4 and 5), munmap, exit: opens 6 x 4 = 24, reads and fstats
# 6 x 3 = 18, closes 24, writes 6, ftruncates 2, exits 6 + 2 = 8. Processes 7 (make and
# 6 children), threads 8.
#
# Page cache:
# - pgpgin 48 KiB: the first reads of the 4 sources (8 pages) and of the 2 headers (4
#   pages) come from the device; compiles 4 and 5 re-read sources 0 and 1 and every later
#   header read hits the cache (12 pages x 4 KiB).
# - inserted 30 = 12 read pages + 6 writes x 3 pages; truncated 6 (objects 0 and 1 of
#   compiles 0 and 1, still dirty: the truncate drops them unwritten).
# - nr_dirtied 18 (6 writes x 3 pages); nr_written 12 and pgpgout 48 KiB: the 4 objects'
#   last 3 pages each, written by the flusher's periodic writeback once 30 s old (4
#   requests, one contiguous range per object); Dirty and Writeback 0 at the end.
# - Cached 96 kB: 4 sources x 2 + 2 headers x 2 + 4 objects x 3 = 24 pages.
# Anonymous: 6 arenas x 256 pages, each written once: pgfault 1536, no major fault;
#   nothing anonymous left (AnonPages 0).
# Slab (metrics/slab allocated = kmem_cache_alloc calls; objects = live at the end):
# - dentry and ext4_inode_cache: 10 allocated, 10 live: one of each per file (4 sources,
#   2 headers, 4 objects) at its first open; at the last close each goes on the dentry
#   LRU and stays (no pressure: shrink_slab never runs).
# - radix_tree_node: 12 allocated, 10 live: each file's pages (indices 0..2) need one node
#   (an XArray holds only index 0 in its head); objects 0 and 1 lose theirs at the truncate
#   and get a new one at the rewrite.
# - mm_struct 12 allocated, 0 live: a fork and an execve per compile (the fork's copy goes
#   at the execve, the execve's at the exit; make's own mm comes from before any task and
#   is not a slab object); vm_area_struct, anon_vma and anon_vma_chain 6 allocated (one
#   arena per compile, made after the execve: the forked copy of make's mm is empty), 0
#   live.
# Then the same scenario again: summary.json byte-identical (the host block aside).
set -euo pipefail
mmsim=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/kb.yaml" <<'EOF'
seed: 7
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 256MiB
kernel:
  transparent_hugepage.enabled: never
  slab.account_users: true
workloads:
  - type: kernel_build
    name: kb
    threads: 2
    compiles: 3
    files: 4
    headers: 2
    hot_headers: 2
    includes: 0
    file_size_min: 6KiB
    file_size_max: 6KiB
    footprint_min: 1MiB
    footprint_max: 1MiB
    object_ratio: 1.5
    linger: 40s
EOF
for r in a b; do
	"$mmsim" run "$out/kb.yaml" -o "$out/$r" --quiet --check
done
python3 - "$out/a" <<'PY'
import json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, 'summary.json')))
vm = {l.split()[0]: int(l.split()[1]) for l in open(os.path.join(d, 'vmstat.txt'))}
mi = {l.split(':')[0]: int(l.split()[1]) for l in open(os.path.join(d, 'meminfo.txt'))}
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print('%s: got %r, expected %r' % (what, got, want)); bad = 1
ev = s['events']
ops = {k: v for k, v in ev['ops_by_type'].items() if v}
check('ops', ops, {'fork': 6, 'wait4': 6, 'sleep': 2, 'exit': 8, 'execve': 6, 'mmap': 6,
                   'open': 24, 'fstat': 18, 'read': 18, 'close': 24, 'touch': 6,
                   'compute': 6, 'write': 6, 'ftruncate': 2, 'munmap': 6})
check('ops_failed', ev['ops_failed'], {})
check('ops_not_modelled', ev['ops_not_modelled'], {})
check('processes', ev['processes'], 7)
check('threads', ev['threads'], 8)
check('threads_finished', ev['threads_finished'], 8)
check('sync_waits', ev['sync_waits'], 6)
check('sync_unmet', ev['sync_unmet'], 0)
check('pgpgin', vm['pgpgin'], 48)
check('pgpgout', vm['pgpgout'], 48)
check('nr_dirtied', vm['nr_dirtied'], 18)
check('nr_written', vm['nr_written'], 12)
check('nr_file_pages', vm['nr_file_pages'], 24)
check('pgfault', vm['pgfault'], 1536)
check('pgmajfault', vm['pgmajfault'], 0)
check('Cached', mi['Cached'], 96)
check('Dirty', mi['Dirty'], 0)
check('Writeback', mi['Writeback'], 0)
check('AnonPages', mi['AnonPages'], 0)
pc = s['metrics']['pagecache']
check('inserted', pc['inserted'], 30)
check('truncated', pc['truncated'], 6)
wb = s['metrics']['writeback']
check('pages_flusher', wb['pages_flusher'], 12)
check('requests', wb['requests'], 4)
sl = s['metrics']['slab']
check('objects', sl['objects'], {'anon_vma': 0, 'anon_vma_chain': 0, 'dentry': 10,
                                 'ext4_inode_cache': 10, 'mm_struct': 0,
                                 'radix_tree_node': 10, 'vm_area_struct': 0})
check('allocated', sl['allocated'], {'anon_vma': 6, 'anon_vma_chain': 6, 'dentry': 10,
                                     'ext4_inode_cache': 10, 'mm_struct': 12,
                                     'radix_tree_node': 12, 'vm_area_struct': 6})
if open(os.path.join(d, 'findings.txt')).read().strip() != 'no findings':
    print('findings:', open(os.path.join(d, 'findings.txt')).read()); bad = 1
sys.exit(bad)
PY
strip() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); s.pop('host', None); print(json.dumps(s, sort_keys=True))" "$1"; }
if [ "$(strip "$out/a/summary.json")" != "$(strip "$out/b/summary.json")" ]; then
	echo "two runs differ"; exit 1
fi
cmp "$out/a/slabinfo.txt" "$out/b/slabinfo.txt"
cmp "$out/a/vmstat.txt" "$out/b/vmstat.txt"
# Drawn sizes, footprints and includes (the defaults' ranges, a smaller tree): two runs of
# the same seed are byte-identical; another seed draws another build.
cat > "$out/kb2.yaml" <<'EOF2'
seed: 11
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 128MiB
kernel:
  transparent_hugepage.enabled: never
  slab.account_users: true
workloads:
  - type: kernel_build
    name: kb
    threads: 3
    compiles: 4
    files: 20
    headers: 40
    hot_headers: 8
    includes: 6
    footprint_min: 2MiB
    footprint_max: 6MiB
EOF2
for r in c d; do
	"$mmsim" run "$out/kb2.yaml" -o "$out/$r" --quiet --check
done
"$mmsim" run "$out/kb2.yaml" -o "$out/e" --quiet --set seed=12
if [ "$(strip "$out/c/summary.json")" != "$(strip "$out/d/summary.json")" ]; then
	echo "kb2: two runs differ"; exit 1
fi
if [ "$(strip "$out/c/summary.json")" = "$(strip "$out/e/summary.json")" ]; then
	echo "kb2: seeds 11 and 12 give the same build"; exit 1
fi
grep -q "no findings" "$out/c/findings.txt"
