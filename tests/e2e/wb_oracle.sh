#!/bin/bash
# wb_oracle.sh - replay of tests/real/wb_oracle.strace (this project's host, Linux 6.18,
# ext4; recorded by tests/real/wb_oracle_record.sh) against what the real kernel showed:
# after every step (pwrite of 8 MiB, fsync, a shared mapping written and msync'd with
# MS_ASYNC then MS_SYNC, written again, fdatasync, a 4-page pwrite seen through a private
# read-only mapping, sync_file_range, unlink), mmsim's Dirty, Cached, Writeback, pgpgout,
# nr_dirtied, nr_written and Private_Dirty agree with the real ones within the tolerances
# tests/real/wb_oracle_compare.py states and justifies (the program's own cgroup for
# Dirty and Cached; global counters that other processes also move). No finding of
# --check; the only ops not modelled are the program's two writes to its memory cgroup's
# cgroup.procs, and the only result mismatches ld.so's two mprotect calls.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0
"$mmsim" replay "$here/real/wb_oracle.strace" --machine "$here/real/wb_oracle.machine.yaml" \
	-o "$out/r" --quiet --check
python3 "$here/real/wb_oracle_compare.py" "$here/real/wb_oracle.truth" "$out/r/snapshots" || bad=1
if ! grep -q "no findings" "$out/r/findings.txt"; then
	echo "findings:"; cat "$out/r/findings.txt"; bad=1
fi
python3 - "$out/r/summary.json" <<'PY' || bad=1
import json, sys
s = json.load(open(sys.argv[1]))
ev = s['events']
bad = 0
if ev['ret_mismatch'] != 2:
    print('ret_mismatch %d, expected 2 (ld.so\'s mprotect calls)' % ev['ret_mismatch'])
    bad = 1
left = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if left != {'sysctl': 2}:
    print('ops not modelled:', left, 'expected the two cgroup.procs writes')
    bad = 1
wb = s['metrics']['writeback']
want = {'fsync': 2, 'msync': 2, 'sync_file_range': 1, 'pages_sync': 2048 + 256 + 256 + 4,
        'pages_flusher': 0, 'bdp_pauses': 0}
for k, v in want.items():
    if wb[k] != v:
        print('metrics.writeback.%s = %d, expected %d' % (k, wb[k], v))
        bad = 1
sys.exit(bad)
PY
exit $bad
