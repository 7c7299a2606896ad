#!/bin/bash
# configs/examples/numa_spill.yaml: 384 MiB written on node 0 of a 2 x 256 MiB machine.
# Every data page (98304) and PTE-table page (192) is allocated once; node 0 serves until
# its low watermark, node 1 the rest, and the NUMA counters agree with each other.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" run configs/examples/numa_spill.yaml -o "$tmp/o" --quiet || { echo "run failed: $?"; echo "0 passed, 1 failed"; exit 1; }
python3 - "$tmp/o/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
v = s["metrics"]["vmstat"]
z = s["metrics"]["zones"]
checks = [
    ("pgalloc_normal = 98304 + 192", v["pgalloc_normal"] == 98304 + 192),
    ("numa_hit + numa_miss = all allocations", v["numa_hit"] + v["numa_miss"] == 98496),
    ("numa_miss == numa_foreign == numa_other", v["numa_miss"] == v["numa_foreign"] == v["numa_other"] > 0),
    ("numa_local == numa_hit", v["numa_local"] == v["numa_hit"]),
    ("pgfault = 98304 (second pass hits mapped pages)", v["pgfault"] == 98304),
    # node 0 stops at its low watermark: 256 MiB = 65536 pages, min_free_kbytes
    # sqrt(16 * 524288) = 2896 kB -> 724 pages, 362 per zone, delta 90 -> low 452
    ("node 0 low watermark 452", z["node0_Normal"]["wmark_low"] == 452),
    ("node 0 served 65536 - 452 pages at most", v["numa_hit"] <= 65536 - 452),
    ("node 0 served all but its pcp remainder", v["numa_hit"] >= 65536 - 452 - 2 * 15),
]
bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n, {k: v[k] for k in ("numa_hit", "numa_miss", "numa_foreign", "numa_other", "pgalloc_normal")})
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
