#!/bin/bash
# swap_reclaim.sh - a working set 1.5x memory (tests/swap/seq_twice.mmt: 96 MiB =
# 24576 pages written in order, then read in order, on a 64 MiB machine with 256 MiB of
# swap and no readahead), checked against a hand calculation:
#  - pass 1 takes one fault per page (24576) and reads nothing from swap; every page is
#    then either resident (AnonPages) or was written to swap once:
#    pswpout_1 + AnonPages_1 / 4 kB = 24576;
#  - in pass 2 every page that is not resident takes a major fault that reads exactly
#    that page (page-cluster 0), and every page goes out once and comes back once: the
#    pages resident at the end of pass 1 are written when pass 2 evicts them, and pages
#    read back are clean and keep their slot, so evicting them again writes nothing:
#    pswpin = pswpout = pgmajfault = faults of pass 2 = used slots at the end;
#  - at least the pages that cannot fit go out: pswpout_1 >= 24576 - 16384.
# Reclaim keeps free memory near the watermarks: from the first time free memory falls
# to the low watermark until the process exits, frag.csv never shows it below the min
# watermark by more than a per-CPU batch, nor above low + one kswapd round (the high
# watermark's worth of pages) + a batch (a boost moves the watermarks at once and free
# memory follows: the lower bound takes the last four samples' lowest min, the upper
# one the highest low + high seen). --check runs the invariants (PTEs, swap slots,
# swap cache, LRU lists, buddy) after every op.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" replay tests/swap/seq_twice.mmt --machine tests/swap/seq_twice.machine.yaml \
	-o "$tmp/o" --quiet --check || { echo "replay failed"; echo "0 passed, 1 failed"; exit 1; }
python3 - "$tmp/o" <<'PY'
import csv, re, sys
d = sys.argv[1]
def vmstat(n):
    return {l.split()[0]: int(l.split()[1]) for l in open(f"{d}/snapshots/000{n}-vmstat")}
def meminfo(n):
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+):\s+(\d+) kB", open(f"{d}/snapshots/000{n}-meminfo").read(), re.M)}
v1, m1, v2, m2 = vmstat(1), meminfo(2), vmstat(3), meminfo(4)
N, RAM = 24576, 16384
pass2 = v2["pgfault"] - v1["pgfault"]
used_slots = (m2["SwapTotal"] - m2["SwapFree"]) // 4
checks = [
    ("pass 1: one fault per page, no swap-in", v1["pgfault"] == N and v1["pswpin"] == 0 and v1["pgmajfault"] == 0),
    ("pass 1: every page resident or written once", v1["pswpout"] + m1["AnonPages"] // 4 == N),
    ("pass 1: at least the pages that cannot fit went out", v1["pswpout"] >= N - RAM),
    ("pass 2: each major fault reads its page only", v2["pswpin"] == v2["pgmajfault"] and v2["swap_ra"] == 0),
    ("pass 2: every fault is a swap-in", pass2 == v2["pgmajfault"]),
    ("every page out once and in once", v2["pswpout"] == v2["pswpin"]),
    ("no slot freed: each page keeps its slot", used_slots == v2["pswpout"]),
    ("most pages went out", v2["pswpout"] > N - RAM),
    ("reclaim ran in kswapd and directly", v2["pgsteal_kswapd"] > 0 and v2["allocstall_movable"] > 0),
    ("no findings", open(f"{d}/findings.txt").read().strip() == "no findings"),
]
rows = list(csv.DictReader(open(f"{d}/frag.csv")))
anon = [int(r["anon_pages"]) for r in csv.DictReader(open(f"{d}/timeline.csv"))]
free = [int(r["node0_Normal_free_pages"]) for r in rows]
lo = [int(r["node0_Normal_wmark_low"]) for r in rows]
mn = [int(r["node0_Normal_wmark_min"]) for r in rows]
hi = [int(r["node0_Normal_wmark_high"]) for r in rows]
start = next(i for i, f in enumerate(free) if f <= lo[i])
end = max(i for i, a in enumerate(anon) if a >= 0.9 * max(anon))
# the watermarks move when a fallback boosts them and kswapd resets the boost: free
# memory follows within a few samples (lower bound: the lowest min of the last four),
# and memory freed while boosted stays free until used (upper bound: the highest low +
# high seen so far)
W = 4
bad = [(i, free[i]) for i in range(start, end + 1)
       if not (min(mn[max(0, i - W):i + 1]) - 64 <= free[i] <=
               max(lo[j] + hi[j] for j in range(start, i + 1)) + 64)]
checks.append((f"free pages within the watermarks over {end - start + 1} samples", end > start + 10 and not bad))
failed = [c for c, ok in checks if not ok]
for c in failed:
    print("FAIL:", c, {k: v2[k] for k in ("pswpin", "pswpout", "pgmajfault", "pgfault")}, v1["pswpout"], m1["AnonPages"], used_slots, bad[:5])
print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
