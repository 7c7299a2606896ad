#!/bin/bash
# swap_readahead.sh - the swap readahead window (swapin_nr_pages, cluster mode) follows its
# hits, one state for the whole machine, as in 6.1:
# - a page read ahead counts a hit (swap_ra_hit) only when a fault finds it still marked
#   (PG_readahead, tested and cleared): at most once, never more hits than pages read
#   ahead; a page still cached after swap-out is no hit;
# - the window is hits + 2 rounded up to a power of 2 (max 1 << page-cluster = 8), 1 when
#   there was no hit and the fault is not next to the previous one, never below half the
#   last window.
# seq: one thread writes 48 MiB twice on a 32 MiB machine: the second pass faults in
# slot order, every page read ahead is hit, so the window stays at 8: each major fault
# reads up to 7 more pages, fewer where slots of the window still have their page in the
# swap cache (written out asynchronously, not yet freed by reclaim: mm/page_io.h), which
# are not read again (swap_ra = 10470 for 1806 major faults, hits 10464; before swap
# writeback was asynchronous every written page was freed at once: 10743 for 1546). rnd: after a 48 MiB fill, another process touches its
# own 48 MiB at random: no fault is next to the one before and nothing is hit, so the
# window falls to 1 page at once and no page is ever read ahead (swap_ra = 0): every
# swap-in is a major fault. That collapse is the kernel's: a workload whose faults stop
# following the slot order (threads interleaving, a changed reclaim order) loses its
# readahead hits, and the window stays at 1 until two faults in a row land on adjacent
# slots. (swap_storm's readahead does not depend on vm.swappiness at all: see
# swap_storm.sh.)
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head='seed: 1
machine:
  nodes: 1
  cpus_per_node: 4
  memory_per_node: 32MiB
  swap: {size: 128MiB}
kernel: {transparent_hugepage.enabled: never, vm.page-cluster: 3}
workloads:'
printf '%s\n%s\n' "$head" '  - {type: sequential_touch, name: seq, size: 48MiB, passes: 2, unmap: false}' > "$tmp/seq.yaml"
printf '%s\n%s\n%s\n' "$head" '  - {type: sequential_touch, name: fill, size: 48MiB, passes: 1, unmap: false}' \
	'  - {type: random_touch, name: rnd, size: 48MiB, touches: 20000, start: 1ms}' > "$tmp/rnd.yaml"
for n in seq rnd; do
	"$mmsim" run "$tmp/$n.yaml" -o "$tmp/$n" --quiet || { echo "run $n failed: $?"; echo "0 passed, 1 failed"; exit 1; }
done
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
def vm(n):
    return {k: int(x) for k, x in (l.split() for l in open(f"{d}/{n}/vmstat.txt"))}
s, r = vm("seq"), vm("rnd")
f = lambda v: (v["pswpin"], v["pgmajfault"], v["swap_ra"], v["swap_ra_hit"])
checks = [
    ("seq: pswpin, major faults, read ahead, hits", f(s) == (12276, 1806, 10470, 10464)),
    ("seq: pswpin = major faults + pages read ahead", s["pswpin"] == s["pgmajfault"] + s["swap_ra"]),
    ("seq: the window stays at 8: at most 7 pages read ahead per major fault, nearly all hit",
     s["swap_ra"] <= 7 * s["pgmajfault"] and s["swap_ra"] > 5 * s["pgmajfault"] and
     s["swap_ra"] - s["swap_ra_hit"] <= 7),
    ("no more hits than pages read ahead", s["swap_ra_hit"] <= s["swap_ra"] and r["swap_ra_hit"] <= r["swap_ra"]),
    ("rnd: the window collapsed to 1: nothing read ahead, every swap-in a major fault",
     f(r) == (1894, 1894, 0, 0)),
]
bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n, "seq", f(s), "rnd", f(r))
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
