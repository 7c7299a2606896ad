#!/bin/bash
# The working_set generator: a region written once in order, then accessed with a
# drifting hot window. Two machines:
#
# ram: 256 MiB, no swap; 32 MiB = 8192 pages per thread, 5000 accesses, 100ns of think
# time between two accesses. Worked by hand from the model (sim/mm/memory.c, mmap.c):
# - the ops: mmap 1, touch 8192 (population) + 5000 (accesses) = 13192, compute 4999
#   (one between two accesses, none around the population), munmap 1;
# - each population write is the first touch of its page: an anonymous write fault that
#   allocates a zeroed page and maps it writable; nothing is reclaimed (32 MiB of 256), so
#   every later access, read or write, finds a present writable PTE and takes no fault:
#   pgfault = faults = 8192, no major fault, nothing swapped;
# - the region starts on a 1 GiB boundary (workload_thread_base): 32 MiB need 16 PTE
#   tables, each allocated by its first fault under page_table_lock and freed by munmap
#   (free_pgtables, page_table_lock again): pgalloc_normal = 8192 + 16 = 8208 = pgfree,
#   page_table_lock-W 2*16 = 32;
# - mmap_lock: read once per fault (8192), write for mmap, munmap and exit_mmap (3);
# - --check finds nothing, and the same scenario twice gives the same out dir (every
#   file byte-identical; summary.json apart from "host"; these two runs go without
#   --check, which costs its invariants after every op).
#
# swap: 32 MiB of memory (8192 pages, a few taken by the kernel), 128 MiB of swap; a
# 48 MiB = 12288-page region (1.5x memory), 10000 accesses, an 8 MiB = 2048-page window
# moving 1 MiB = 256 pages every 2000 accesses (4 moves: it covers pages 0..3071 over the
# run), 30% writes, vm.page-cluster 3 (the default: adaptive readahead up to 8 pages).
# Not the default window and drift: a 64 MiB window is the whole region here, and 4 MiB
# every 1000 accesses brings about one cold page into the window per access, so a hot
# window would fault as much as uniform accesses or more (measured: 6100 major faults
# with an 8 MiB window at that drift, against 3700 uniform).
# - the population cannot fit: at least 12288 - 8192 = 4096 pages went out to swap;
# - every major fault reads its own page and the readahead pages it adds to the swap
#   cache, in one I/O, and nothing else reads swap: pswpin = pgmajfault + swap_ra;
# - touch ops 12288 + 10000; munmap frees every page and every swap slot but those of
#   the pages whose swap-out was still being written (asynchronously, mm/page_io.h):
#   free_swap_and_cache leaves a page under writeback, which stays in the swap cache with
#   its slot (SwapTotal - SwapFree = SwapCached, no anonymous page, pgfree = pgalloc -
#   SwapCached pages; before swap writeback was asynchronous SwapCached was 0);
# - with locality 1.0 only pages 0..3071 are accessed, and population pushed the first
#   pages out first: the window's pages fault in, each at most once while the pages the
#   window never covers are the coldest on the LRU: pgmajfault <= 3072 (2048 + 4*256);
#   and more than the 2048 pages of the first window (expected: each page the window
#   covers is accessed with probability 1 - e^(-k*2000/2048) over its k positions,
#   about 2760 pages in all, a few of them read ahead instead), so the window moved.
#   With locality 0.0 the accesses are uniform over the region, a third of which at
#   least is out at any time, and the pages keep going out and coming back: more major
#   faults than with 1.0 (about 3700 against 2700 here);
# - the accesses come from the scenario seed: seed 2 gives other major faults; the same
#   seed twice gives the same out dir, kswapd and direct reclaim included.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail_runs=0

cat > "$tmp/ram.yaml" <<'EOF'
seed: 1
machine: {nodes: 1, cpus_per_node: 2, memory_per_node: 256MiB}
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: working_set, name: ws, size: 32MiB, accesses: 5000, think: 100ns}
EOF
cat > "$tmp/swap.yaml" <<'EOF'
seed: 1
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 32MiB
  swap: {size: 128MiB}
kernel: {transparent_hugepage.enabled: never, vm.page-cluster: 3}
workloads:
  - {type: working_set, name: ws, size: 48MiB, accesses: 10000, locality: 0.9,
     window: 8MiB, drift: 1MiB, drift_every: 2000}
EOF

# run NAME OUT [ARGS...]: run $tmp/NAME.yaml into $tmp/OUT
run() {
	local name=$1 out=$2
	shift 2
	if ! "$mmsim" run "$tmp/$name.yaml" -o "$tmp/$out" --quiet "$@"; then
		echo "FAIL: run $name ($out) exited $?"
		fail_runs=$((fail_runs + 1))
	fi
}
run ram ram --check
run ram ram.1
run ram ram.2
run swap swap --check
run swap swap.loc1 --set workloads.ws.locality=1.0
run swap swap.loc0 --set workloads.ws.locality=0.0
run swap swap.loc0.again --set workloads.ws.locality=0.0
run swap swap.seed2 --seed 2

python3 - "$tmp" "$fail_runs" <<'PY'
import json, os, re, sys

d, fail_runs = sys.argv[1], int(sys.argv[2])
checks = []

def load(out):
    try:
        return json.load(open(os.path.join(d, out, "summary.json")))
    except (OSError, ValueError):
        return None

def check(name, cond):
    checks.append((name, bool(cond)))

def ops(s, t):
    return s["events"]["ops_by_type"].get(t, 0)

def vm(s, k):
    return s["metrics"]["vmstat"][k]

def acq(s, lock):
    return s["metrics"]["locks"].get(lock, {}).get("acquisitions", 0)

def clean(s):
    return not s["findings"]["list"] and not s["events"]["ops_failed"] and s["metrics"]["segv"] == 0

def same_out(n, a, b):
    """Out dirs a and b: every file byte-identical, summary.json apart from "host"."""
    x, y = load(a), load(b)
    if not (x and y):
        return
    x.pop("host", None), y.pop("host", None)
    check(f"{n}: the same scenario twice gives the same summary.json (but \"host\")", x == y)
    names = sorted(os.listdir(os.path.join(d, a)))
    check(f"{n}: the same files in both out dirs", names == sorted(os.listdir(os.path.join(d, b))))
    for f in names:
        p, q = os.path.join(d, a, f), os.path.join(d, b, f)
        if f != "summary.json" and os.path.isfile(p):
            check(f"{n}: {f} byte-identical in both runs",
                  os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read())

def meminfo(out):
    text = open(os.path.join(d, out, "meminfo.txt")).read()
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+):\s+(\d+) kB", text, re.M)}

# -- ram: 8192 pages, 5000 accesses, no swap --
N, A, TABLES = 8192, 5000, 16
s = load("ram")
if s:
    check(f"ram: ops mmap 1, touch {N} + {A}, compute {A - 1}, munmap 1",
          ops(s, "mmap") == 1 and ops(s, "touch") == N + A and ops(s, "compute") == A - 1
          and ops(s, "munmap") == 1 and s["events"]["ops"] == 2 + N + A + A - 1)
    check(f"ram: one fault per page, during population (pgfault = faults = {N})",
          vm(s, "pgfault") == N and s["metrics"]["faults"] == N)
    check("ram: nothing swapped, no major fault",
          vm(s, "pgmajfault") == 0 and vm(s, "pswpin") == 0 and vm(s, "pswpout") == 0)
    check(f"ram: pgalloc_normal = pgfree = {N} pages + {TABLES} tables = {N + TABLES}",
          vm(s, "pgalloc_normal") == N + TABLES == vm(s, "pgfree"))
    check(f"ram: page_table_lock-W = 2*{TABLES} (install, free)",
          acq(s, "&mm->page_table_lock") == 2 * TABLES)
    check(f"ram: mmap_lock-R once per fault ({N}), -W mmap + munmap + exit_mmap (3)",
          acq(s, "&mm->mmap_lock-R") == N and acq(s, "&mm->mmap_lock-W") == 3)
    check("ram: everything unmapped (no anon page or table left)",
          vm(s, "nr_anon_pages") == 0 and vm(s, "nr_page_table_pages") == 0)
    check("ram: one process, one thread, finished", s["events"]["processes"] == 1
          and s["events"]["threads"] == 1 and s["events"]["threads_finished"] == 1)
    check("ram: no findings under --check, no failed op, no segv", clean(s))
same_out("ram", "ram.1", "ram.2")

# -- swap: 12288 pages on 8192 of memory, 10000 accesses --
P, RAM, A2, COVERED = 12288, 8192, 10000, 2048 + 4 * 256
def swapped(n, s, out):
    check(f"{n}: ops mmap 1, touch {P} + {A2}, munmap 1",
          ops(s, "mmap") == 1 and ops(s, "touch") == P + A2 and ops(s, "munmap") == 1
          and ops(s, "compute") == 0)
    check(f"{n}: population pushed at least {P - RAM} pages out (pswpout {vm(s, 'pswpout')})",
          vm(s, "pswpout") >= P - RAM)
    check(f"{n}: swapped back in: pswpin {vm(s, 'pswpin')} > 0, pgmajfault {vm(s, 'pgmajfault')} > 0",
          vm(s, "pswpin") > 0 and vm(s, "pgmajfault") > 0)
    check(f"{n}: pswpin = pgmajfault + swap_ra ({vm(s, 'pswpin')} = {vm(s, 'pgmajfault')} + {vm(s, 'swap_ra')})",
          vm(s, "pswpin") == vm(s, "pgmajfault") + vm(s, "swap_ra"))
    m = meminfo(out)
    check(f"{n}: munmap freed every page and every swap slot but the swap cache's "
          f"(SwapCached {m['SwapCached']} kB)",
          m["SwapTotal"] > 0 and m["SwapTotal"] - m["SwapFree"] == m["SwapCached"]
          and m["AnonPages"] == 0
          and vm(s, "pgfree") == vm(s, "pgalloc_normal") - m["SwapCached"] // 4)
    check(f"{n}: no findings, no failed op, no segv", clean(s))

s = load("swap")
if s:
    swapped("swap", s, "swap")
    check("swap: the first write to a page swapped in by a read takes a write-protect "
          "fault of its own: pgfault > population + major faults",
          vm(s, "pgfault") > P + vm(s, "pgmajfault"))
l1, l0 = load("swap.loc1"), load("swap.loc0")
if l1 and l0:
    swapped("swap.loc1", l1, "swap.loc1")
    swapped("swap.loc0", l0, "swap.loc0")
    check(f"swap.loc1: only the {COVERED} pages the window covers fault in, once each, and "
          f"more than the first window's 2048: it moved (2048 < pgmajfault {vm(l1, 'pgmajfault')} "
          f"<= {COVERED})", 2048 < vm(l1, "pgmajfault") <= COVERED)
    check(f"locality 1.0 has fewer major faults than 0.0 ({vm(l1, 'pgmajfault')} < {vm(l0, 'pgmajfault')})",
          vm(l1, "pgmajfault") < vm(l0, "pgmajfault"))
s2 = load("swap.seed2")
if s and s2:
    swapped("swap.seed2", s2, "swap.seed2")
    check(f"swap.seed2: other accesses, other major faults ({vm(s2, 'pgmajfault')} != {vm(s, 'pgmajfault')})",
          vm(s2, "pgmajfault") != vm(s, "pgmajfault"))
same_out("swap.loc0", "swap.loc0", "swap.loc0.again")

for r in ["ram", "ram.1", "ram.2", "swap", "swap.loc1", "swap.loc0", "swap.loc0.again",
          "swap.seed2"]:
    check(f"{r}: summary.json written", load(r) is not None)
bad = [c for c, ok in checks if not ok]
for c in bad:
    print("FAIL:", c)
failed = len(bad) + fail_runs
print(f"{len(checks) - len(bad)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
