#!/bin/bash
# pagecache_oracle.sh - the replay of tests/real/pagecache_oracle.strace (Linux 6.18 on
# this project's host, ext4 on virtio: read_ahead_kb 8192, max_sectors_kb 4096, large
# folios) on tests/real/pagecache_oracle.machine.yaml against what the kernel showed
# (tests/real/README.md): at all 13 steps pgpgin since the start equals the real one
# (16, 80, 1280, 6144, ... 15704 KiB: the readahead windows 4, 16, 60, 240, 448, 256, 512
# pages of the sequential read, the random reads, WILLNEED, the fault's 2048-page
# read-around), so do pgmajfault and the file's cached pages (cachestat) but at the last
# step, and the process's Rss changes at the two steps that fault the file in (+64 kB: the
# retried fault's fault-around; +256 kB: MADV_POPULATE_READ of 64 pages); see
# tests/real/pagecache_oracle_compare.py for the tolerances of the host-wide counters.
# No finding under --check.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/pagecache_oracle.strace" --machine "$here/real/pagecache_oracle.machine.yaml" \
	-o "$out/r" --quiet --check 2>/dev/null
python3 "$here/real/pagecache_oracle_compare.py" "$here/real/pagecache_oracle.truth" "$out/r/snapshots"
if ! grep -q "no findings" "$out/r/findings.txt"; then
	cat "$out/r/findings.txt"
	exit 1
fi
