#!/bin/bash
# sysctl_ops.sh - writes to /proc/sys and /sys files (the sysctl op): compact_memory and a
# node's compact file run compaction, nr_hugepages sizes the pool, each write's byte
# count is reproduced; drop_caches 3 drops the page cache and the slab caches; a node
# that does not exist is counted as not modelled, never silently taken.
set -euo pipefail
mmsim=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/t.mmt" <<'MMT'
mmt 1
page_size 4096
0.000001000 1/1 sysctl id=1 path="/proc/sys/vm/compact_memory" = 2
0.000002000 1/1 sysctl id=1 path="/sys/devices/system/node/node0/compact" = 2
0.000003000 1/1 sysctl id=1 path="/sys/devices/system/node/node9/compact" = 2
0.000004000 1/1 sysctl id=3 path="/proc/sys/vm/drop_caches" = 2
0.000005000 1/1 sysctl id=4 path="/proc/sys/vm/nr_hugepages" = 2
0.000006000 1/1 snapshot file=meminfo
MMT
"$mmsim" replay "$out/t.mmt" -o "$out/o" --quiet --check
python3 - "$out/o" <<'PY'
import json, os, sys
o = sys.argv[1]
ev = json.load(open(os.path.join(o, 'summary.json')))['events']
assert ev['ops_by_type']['sysctl'] == 4, ev['ops_by_type']
assert ev['ops_not_modelled']['sysctl'] == 1, ev['ops_not_modelled']   # node9 (no such node)
assert ev['ret_mismatch'] == 0, ev['ret_mismatch']
m = open(os.path.join(o, 'snapshots', '0001-meminfo')).read()
assert 'HugePages_Total:       4' in m, m
PY
