#!/bin/bash
# swap_storm.sh - configs/examples/swap_storm.yaml gives the figures its comment quotes
# (seed 1): swap traffic, direct reclaim, and contention on mmap_lock and on the swap and
# LRU locks, all shown in report.md; every swap slot is free again at the end, and the
# run has no finding (the same storm at a quarter of the size, under --check, breaks no
# invariant: the checks after every op are too slow for the full size in a test).
# vm.swappiness=0 swaps the same (it OOM-killed before get_scan_count had file_is_tiny):
# there is no page cache, so file + free pages stay under the zones' high watermarks
# whenever reclaim runs and the inactive anon list is never low (nothing is activated:
# each page is reclaimed before its second pass touches it again, see pgactivate), so
# every get_scan_count call is SCAN_ANON whatever the swappiness: byte-identical vmstat,
# at 0 and at 150 alike. So swappiness cannot move swap_storm's readahead either (164500
# hits at 0, 60 and 150); where readahead hits do fall, it is the window's own feedback
# (swap_readahead.sh): faults that stop following the slot order get no hit and the
# machine-wide window drops to one page.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" run configs/examples/swap_storm.yaml -o "$tmp/o" --quiet || { echo "run failed"; echo "0 passed, 1 failed"; exit 1; }
"$mmsim" run configs/examples/swap_storm.yaml -o "$tmp/c" --quiet --check \
	--set workloads.storm.cycles=1 --set workloads.storm.size=24MiB \
	--set machine.memory_per_node=64MiB --set machine.swap.size=256MiB || { echo "checked run failed"; echo "0 passed, 1 failed"; exit 1; }
"$mmsim" run configs/examples/swap_storm.yaml -o "$tmp/z" --quiet --set vm.swappiness=0 || { echo "swappiness 0 run failed"; echo "0 passed, 1 failed"; exit 1; }
"$mmsim" run configs/examples/swap_storm.yaml -o "$tmp/h" --quiet --set vm.swappiness=150 || { echo "swappiness 150 run failed"; echo "0 passed, 1 failed"; exit 1; }
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/o/summary.json"))
v, l = s["metrics"]["vmstat"], s["metrics"]["locks"]
report = open(d + "/o/report.md").read()
meminfo = open(d + "/o/meminfo.txt").read()
c = json.load(open(d + "/c/summary.json"))
z = json.load(open(d + "/z/summary.json"))
checks = [
    ("swap traffic as quoted", (v["pswpout"], v["pswpin"], v["pgmajfault"], v["swap_ra_hit"]) == (239599, 200265, 32108, 164500)),
    ("direct reclaim stalls as quoted", v["allocstall_movable"] == 2935),
    ("anon only scanned: pgscan_anon = kswapd + direct", (v["pgscan_anon"], v["pgscan_kswapd"], v["pgscan_direct"], v["pgscan_file"]) == (563956, 208762, 355194, 0)),
    ("pgsteal_anon = kswapd + direct", (v["pgsteal_anon"], v["pgsteal_kswapd"], v["pgsteal_direct"]) == (243167, 108075, 135092)),
    ("no page activated, so no active list to refill or deactivate", (v["pgactivate"], v["pgrefill"], v["pgdeactivate"]) == (0, 0, 0)),
    ("mmap_lock readers waited behind munmap", l["&mm->mmap_lock-R"]["contentions"] == 30 and l["&mm->mmap_lock-W"]["contentions"] > 0),
    ("swap and LRU lock contention as quoted", (l["&lruvec->lru_lock"]["contentions"], l["&xa->xa_lock"]["contentions"], l["&p->lock"]["contentions"]) == (16031, 25197, 2342)),
    ("the report shows them", "`&p->lock`" in report and "`&mm->mmap_lock-R`" in report and "| pswpout | 239599 |" in report),
    ("no OOM, no finding", v["oom_kill"] == 0 and not s["findings"]["list"]),
    ("every slot free at the end", "SwapFree:        1048572 kB" in meminfo),
    ("checked run: no finding, swapped", not c["findings"]["list"] and c["metrics"]["vmstat"]["pswpout"] > 0),
    ("swappiness 0: swaps, no OOM kill", z["metrics"]["vmstat"]["oom_kill"] == 0 and z["metrics"]["vmstat"]["pswpout"] == 239599 and not z["findings"]["list"]),
    ("swappiness 0: the same vmstat, every counter", open(d + "/z/vmstat.txt").read() == open(d + "/o/vmstat.txt").read()),
    ("swappiness 150: the same vmstat (readahead hits 164500 too)", open(d + "/h/vmstat.txt").read() == open(d + "/o/vmstat.txt").read()),
]
bad = [k for k, ok in checks if not ok]
for k in bad:
    print("FAIL:", k, {x: v[x] for x in ("pswpout", "pswpin", "pgmajfault", "swap_ra_hit", "allocstall_movable")},
          {x: l[x]["contentions"] for x in l})
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
