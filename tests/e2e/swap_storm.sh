#!/bin/bash
# swap_storm.sh - configs/examples/swap_storm.yaml gives the figures its comment quotes
# (seed 1): swap traffic, direct reclaim, and contention on mmap_lock and on the swap and
# LRU locks, all shown in report.md; at the end every swap slot is free but those of the
# pages still in the swap cache (SwapCached: written when the process exited, their
# writeback then still running, so free_swap_and_cache could not drop them), and the
# run has no finding (the same storm at a quarter of the size, under --check, breaks no
# invariant: the checks after every op are too slow for the full size in a test).
# vm.swappiness=0 swaps the same (it OOM-killed before get_scan_count had file_is_tiny):
# there is no page cache, so file + free pages stay under the zones' high watermarks
# whenever reclaim runs and the inactive anon list is never low (nothing is activated:
# each page is reclaimed before its second pass touches it again; pgactivate counts only
# pages reclaim met under writeback, which activates them without a reference check), so
# every get_scan_count call is SCAN_ANON whatever the swappiness: byte-identical vmstat,
# at 0 and at 150 alike. So swappiness cannot move swap_storm's readahead either (83101
# hits at 0, 60 and 150); where readahead hits do fall, it is the window's own feedback
# (swap_readahead.sh): faults that stop following the slot order get no hit and the
# machine-wide window drops to one page.
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
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
    ("swap traffic as quoted", (v["pswpout"], v["pswpin"], v["pgmajfault"], v["swap_ra_hit"]) == (133778, 98454, 15202, 83101)),
    # issue 15: swap writeback was synchronous (239599, 200265, 32108, 164500, 2935
    # stalls, pgrotated 0); asynchronous, written pages wait in the swap cache, where the
    # second pass finds many of them: fewer major faults and writes
    ("every written page rotated at the end of its writeback", v["pgrotated"] == v["pswpout"] == v["nr_written"]),
    ("direct reclaim stalls as quoted", v["allocstall_movable"] == 1454),
    ("anon only scanned: pgscan_anon = kswapd + direct", (v["pgscan_anon"], v["pgscan_kswapd"], v["pgscan_direct"], v["pgscan_file"]) == (458538, 175057, 283481, 0)),
    ("pgsteal_anon = kswapd + direct", (v["pgsteal_anon"], v["pgsteal_kswapd"], v["pgsteal_direct"]) == (131161, 60217, 70944)),
    ("only pages under writeback activated, the active list never refilled", (v["pgactivate"], v["pgrefill"], v["pgdeactivate"]) == (3787, 0, 0)),
    ("mmap_lock readers waited behind munmap", l["&mm->mmap_lock-R"]["contentions"] == 24 and l["&mm->mmap_lock-W"]["contentions"] > 0),
    ("swap and LRU lock contention as quoted", (l["&lruvec->lru_lock"]["contentions"], l["&xa->xa_lock"]["contentions"], l["&p->lock"]["contentions"]) == (15509, 5333, 958)),
    ("the report shows them", "`&p->lock`" in report and "`&mm->mmap_lock-R`" in report and "| pswpout | 133778 |" in report),
    ("no OOM, no finding", v["oom_kill"] == 0 and not s["findings"]["list"]),
    ("every slot free at the end but the swap cache's", "SwapFree:        1041552 kB" in meminfo and "SwapCached:         7020 kB" in meminfo),
    ("checked run: no finding, swapped", not c["findings"]["list"] and c["metrics"]["vmstat"]["pswpout"] > 0),
    ("swappiness 0: swaps, no OOM kill", z["metrics"]["vmstat"]["oom_kill"] == 0 and z["metrics"]["vmstat"]["pswpout"] == 133778 and not z["findings"]["list"]),
    ("swappiness 0: the same vmstat, every counter", open(d + "/z/vmstat.txt").read() == open(d + "/o/vmstat.txt").read()),
    ("swappiness 150: the same vmstat (readahead hits 83101 too)", open(d + "/h/vmstat.txt").read() == open(d + "/o/vmstat.txt").read()),
]
bad = [k for k, ok in checks if not ok]
for k in bad:
    print("FAIL:", k, {x: v[x] for x in ("pswpout", "pswpin", "pgmajfault", "swap_ra_hit", "allocstall_movable")},
          {x: l[x]["contentions"] for x in l})
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
