#!/bin/bash
# configs/examples/numa_spill.yaml: 384 MiB written on node 0 of a 2 x 256 MiB machine.
# Every data page (98304) and PTE-table page (192) is allocated once; node 0 serves until
# its low watermark, node 1 the rest, and the NUMA counters agree with each other.
# The per-node counters appear in numastat.txt (the sysfs numastat format under "node N"
# headings), in summary.json's metrics.numa and in report.md's NUMA table, all equal.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" run configs/examples/numa_spill.yaml -o "$tmp/o" --quiet || { echo "run failed: $?"; echo "0 passed, 1 failed"; exit 1; }
python3 - "$tmp/o/summary.json" "$tmp/o" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
out = sys.argv[2]
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
# Exact per-node figures: node 0 served 65063 pages (all hits, all local), node 1 the
# other 33433 (misses for the task on node 0: foreign on node 0, other_node on node 1).
node0 = dict(numa_hit=65063, numa_miss=0, numa_foreign=33433, interleave_hit=0,
             local_node=65063, other_node=0)
node1 = dict(numa_hit=0, numa_miss=33433, numa_foreign=0, interleave_hit=0,
             local_node=0, other_node=33433)
order = ["numa_hit", "numa_miss", "numa_foreign", "interleave_hit", "local_node", "other_node"]
numa = s["metrics"].get("numa", {})
checks.append(("metrics.numa node0 %s" % numa.get("node0"), numa.get("node0") == node0))
checks.append(("metrics.numa node1 %s" % numa.get("node1"), numa.get("node1") == node1))
checks.append(("metrics.numa has two nodes", sorted(numa) == ["node0", "node1"]))
want = "".join("%snode %d\n" % ("\n" if n else "", n) + "".join("%s %d\n" % (k, d[k]) for k in order)
               for n, d in enumerate([node0, node1]))
got = open(os.path.join(out, "numastat.txt")).read()
checks.append(("numastat.txt:\n" + got, got == want))
rep = open(os.path.join(out, "report.md")).read()
checks.append(("report.md NUMA table header", "| node | numa_hit | numa_miss | numa_foreign | "
               "interleave_hit | local_node | other_node |" in rep))
checks.append(("report.md NUMA row node 0", "| 0 | 65063 | 0 | 33433 | 0 | 65063 | 0 |" in rep))
checks.append(("report.md NUMA row node 1", "| 1 | 0 | 33433 | 0 | 0 | 0 | 33433 |" in rep))
bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n, {k: v[k] for k in ("numa_hit", "numa_miss", "numa_foreign", "numa_other", "pgalloc_normal")})
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
rc=$?
# A one-node machine: numastat.txt has node 0 only, and report.md no NUMA section.
"$mmsim" run tests/hugetlb/machine.yaml -o "$tmp/one" --quiet || { echo "one-node run failed"; exit 1; }
if [ "$(head -1 "$tmp/one/numastat.txt")" != "node 0" ] || grep -q "^node 1" "$tmp/one/numastat.txt" ||
	grep -q "^## NUMA" "$tmp/one/report.md"; then
	echo "FAIL: one-node machine: numastat.txt or report.md's NUMA section"
	exit 1
fi
exit $rc
