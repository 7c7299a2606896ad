#!/bin/bash
# check_corrupt.sh - --check catches a corrupted structure at the op that corrupted it.
# tests/check/storm1.yaml (one thread writes 48 MiB twice on a 32 MiB node with swap) runs
# clean under --check (full walks every 512 ops: 8192 pages / 16); then debug.check_corrupt
# corrupts, after op 3000 (a 4 KiB touch at 0x100000bb6000, simulated 4.775730 ms), one
# structure that op changed, with the full walks pushed out of the way (--check=100000), so
# only the per-op checks of what the op changed can see it:
#   buddy_link: the back link of free pfn 4023 (order 0, Movable): caught after op 3000;
#   free_count: NR_FREE_PAGES of node 0 Normal one page up (5188 vs 5187): op 3000;
#   lru_link:   the back link of pfn 4023, which op 3001 put on the inactive anon list
#               (op 3000 put none there; the corruption waits for an op that does): op 3001;
#   pte:        the mapcount of pfn 4022, which op 3000's PTE maps: op 3000;
#   thp:        on tests/check/thp1.yaml (THP always, 16 MiB written page by page), from
#               op 600 on: the compound mapcount of the THP at pfn 2048, which op 1026
#               (the first touch of the third 2 MiB range) faulted and put on the LRU:
#               caught after op 1026 (stderr: no full walk ran before it).
# Each stops the run: exit 8, one "invariant" finding naming the op, the task (storm) and
# the simulated time, summary.json "partial": true, report.md's first line says why.
# What only the full walks see: rss (MM_ANONPAGES one up) is caught by the next full walk
# after op 3072 (the default interval; the one after op 2560 passed), and after op 3000
# itself with --check=1; swap_cache (NR_SWAPCACHE one up) with no walk until the end is
# caught by the end-of-run walk: exit 8 with complete outputs (not partial).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
scn="$here/tests/check/storm1.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {   # run NAME CHECK-OPTION [CORRUPTION]: exit status to NAME.rc, stderr to NAME.err
	local name=$1 opt=$2 k=${3:-}
	local sets=()
	[ -n "$k" ] && sets=(--set "debug.check_corrupt=$k" --set debug.check_corrupt_op=3000)
	"$mmsim" run "$scn" -o "$tmp/$name" --quiet "$opt" "${sets[@]}" 2> "$tmp/$name.err"
	echo $? > "$tmp/$name.rc"
}
run clean --check
"$mmsim" run "$scn" -o "$tmp/plain" --quiet; echo $? > "$tmp/plain.rc"
for k in buddy_link free_count lru_link pte; do run "$k" --check=100000 "$k"; done
run rss --check rss
run rss1 --check=1 rss
run swap_cache --check=100000 swap_cache
"$mmsim" run "$here/tests/check/thp1.yaml" -o "$tmp/thp0" --quiet --check 2> "$tmp/thp0.err"
echo $? > "$tmp/thp0.rc"
"$mmsim" run "$here/tests/check/thp1.yaml" -o "$tmp/thp" --quiet --check=100000 \
	--set debug.check_corrupt=thp --set debug.check_corrupt_op=600 2> "$tmp/thp.err"
echo $? > "$tmp/thp.rc"
python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
checks = []
def rc(n): return int(open(f"{d}/{n}.rc").read())
def summary(n): return json.load(open(f"{d}/{n}/summary.json"))
def findings(n): return open(f"{d}/{n}/findings.txt").read()
def err(n): return open(f"{d}/{n}.err").read()
def check(what, ok):
    checks.append((what, ok))
check("clean run under --check: exit 0, no finding", rc("clean") == 0 and findings("clean") == "no findings\n"
      and not summary("clean")["findings"]["list"])
check("--check changes nothing the run computes (vmstat, faults, simulated time)",
      rc("plain") == 0 and summary("clean")["metrics"]["vmstat"] == summary("plain")["metrics"]["vmstat"]
      and summary("clean")["metrics"]["faults"] == summary("plain")["metrics"]["faults"]
      and summary("clean")["simulated_ns"] == summary("plain")["simulated_ns"])
op3000 = "after touch addr=0x100000bb6000 len=4096 (pid 0 tid 0) by storm (op 3000)"
op3001 = "after touch addr=0x100000bb7000 len=4096 (pid 0 tid 0) by storm (op 3001)"
want = {
    "buddy_link": ("[0.004775730] invariant: " + op3000 + ": changed pages: node 0 Normal: broken "
                   "back link at pfn 4023 (order-0 Movable list)\n"),
    "free_count": ("[0.004775730] invariant: " + op3000 + ": changed pages: node 0 Normal: "
                   "NR_FREE_PAGES 5188 but the free areas count 5187 pages\n"),
    "lru_link": ("[0.004777620] invariant: " + op3001 + ": changed pages: node 0 LRU list 0: pfn "
                 "4023 flags 0x10008108 refcount 1 out of place\n"),
    "pte": ("[0.004775730] invariant: " + op3000 + ": address space: pid 1000: PTE at "
            "0x100000bb6000 maps pfn 4022 with refcount 1, mapcount 0\n"),
    "rss": ("[0.004890370] invariant: after touch addr=0x100000bfe000 len=4096 (pid 0 tid 0) by "
            "storm (op 3072): full walk: RSS: anonymous RSS of all processes 3072, anonymous "
            "mappings 3071\n"),
    "rss1": ("[0.004775730] invariant: " + op3000 + ": full walk: RSS: anonymous RSS of all "
             "processes 3000, anonymous mappings 2999\n"),
    "thp": ("[0.000457970] invariant: after touch addr=0x100000400000 len=4096 (pid 0 tid 0) by "
            "thp (op 1026): changed pages: THP 2048: compound mapcount 2, 1 huge PMDs map it\n"),
}
check("thp1 clean under --check: exit 0, 8 THP faults, no finding",
      rc("thp0") == 0 and findings("thp0") == "no findings\n"
      and summary("thp0")["metrics"]["vmstat"]["thp_fault_alloc"] == 8)
for k, f in want.items():
    s = summary(k)
    check(f"{k}: exit 8", rc(k) == 8)
    check(f"{k}: the one finding names the op, the task and the time", findings(k) == f)
    check(f"{k}: summary.json partial, one invariant finding",
          s.get("partial") is True and [x["type"] for x in s["findings"]["list"]] == ["invariant"])
    check(f"{k}: report.md says the run was stopped by the check",
          open(f"{d}/{k}/report.md").readline().startswith(
              "# mmsim report (partial: the run was stopped by an invariant violation (--check)"))
    check(f"{k}: stderr names the corruption and the violation",
          "mmsim: debug.check_corrupt: corrupted after op " + ("1026" if k == "thp" else "300") in err(k)
          and "mmsim: --check: invariant broken after op " + ("1026" if k == "thp" else "30") in err(k))
check("thp: no full walk ran before", "mmsim: --check: no full walk ran before (--check=1" in err("thp"))
check("rss: stderr gives the last full walk that passed (after op 2560)",
      "the last full walk passed after op 2560 (--check=1 walks after every op)" in err("rss"))
s = summary("swap_cache")
check("swap_cache: found by the end-of-run walk: exit 8, complete outputs",
      rc("swap_cache") == 8 and not s.get("partial")
      and findings("swap_cache") == "[0.450352210] invariant: swap: swap cache: 0 pages, NR_SWAPCACHE 1\n")
bad = [c for c, ok in checks if not ok]
for c in bad:
    print("FAIL:", c)
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
