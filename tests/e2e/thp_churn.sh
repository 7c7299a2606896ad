#!/bin/bash
# thp_churn.sh - configs/examples/thp_churn.yaml under --check (workloads/thp_churn.c: two
# threads, 40 cycles each, 256 KiB..8 MiB regions, half 2 MiB-aligned, keep 4, thread 0
# forks every 10 cycles, think 200us), and variants of it whose figures follow from the
# parameters alone.
#
# The example: per thread and cycle 1 mmap, 1 touch (touch_ratio 1: the whole region),
# 1 compute (think), an munmap of the oldest region once 4 are live (36 per thread) and
# the 4 left at the end (so 40 per thread), plus the random ones: MADV_HUGEPAGE
# (madvise_ratio 0.5), MADV_DONTNEED of a sub-range (0.5), munmap of a sub-range (0.5).
# Thread 0 forks after cycles 10, 20, 30, 40: 4 children, each with exactly 4 live
# regions of thread 0 to write a quarter of (1 touch op per region, 2 when the
# region's hole splits the quarter), each exits. So mmap 80, compute 80, fork 4, exit 4,
# 5 processes, 6 threads, munmap 80 + P, touch 80 + C (16 <= C <= 32), madvise H + D.
# The seeded stream gives P = 36, C = 16, H + D = 73; the model gives thp_fault_alloc
# 129 and thp_split_pmd 49 (the DONTNEEDs, partial munmaps and child COW writes that cut
# huge PMDs). With transparent_hugepage.enabled=never: the same ops, thp_fault_alloc 0.
#
# Worked by hand:
#  aligned4m: aligned_ratio 1, 4 MiB regions, no madvise/dontneed/partial unmap/fork:
#    every region is two whole huge pages: thp_fault_alloc = 2 x 40 x 2 = 160, no split.
#  offset4m: aligned_ratio 0: a 4 MiB region starting k pages (1..511) past a 2 MiB
#    boundary wholly covers exactly one aligned 2 MiB range ([512, 1024) of its slot;
#    [1024, 1536) would need k + 1024 >= 1536): thp_fault_alloc = 2 x 40 = 80.
#  nofork: fork_every 0: no fork, no exit, 1 process, 2 threads; the threads' streams are
#    unchanged, so munmap and madvise are those of the example and touch is 80.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scn=$here/configs/examples/thp_churn.yaml
fail_runs=0
# run OUT [ARGS...]: run the example under --check into $tmp/OUT
run() {
	local out=$1 rc=0
	shift
	"$mmsim" run "$scn" -o "$tmp/$out" --quiet --check "$@" || rc=$?
	if [ $rc != 0 ]; then
		echo "FAIL: run $out exited $rc"
		fail_runs=$((fail_runs + 1))
	fi
}
quiet="--set workloads.churn.madvise_ratio=0 --set workloads.churn.dontneed_ratio=0
       --set workloads.churn.partial_unmap_ratio=0 --set workloads.churn.fork_every=0
       --set workloads.churn.min_size=4MiB --set workloads.churn.max_size=4MiB"
run a
run b
run never --set transparent_hugepage.enabled=never
run seed2 --seed 2
run nofork --set workloads.churn.fork_every=0
# shellcheck disable=SC2086
run aligned4m $quiet --set workloads.churn.aligned_ratio=1
# shellcheck disable=SC2086
run offset4m $quiet --set workloads.churn.aligned_ratio=0

python3 - "$tmp" "$fail_runs" <<'PY'
import json, os, sys

d, fail_runs = sys.argv[1], int(sys.argv[2])
checks = []

def check(name, cond):
    checks.append((name, bool(cond)))

def load(run):
    try:
        return json.load(open(os.path.join(d, run, "summary.json")))
    except (OSError, ValueError):
        return None

THREADS, CYCLES, KEEP, FORKS = 2, 40, 4, 4
runs = {r: load(r) for r in ("a", "b", "never", "seed2", "nofork", "aligned4m", "offset4m")}
for r, s in runs.items():
    check(f"{r}: summary.json written", s is not None)
    if not s:
        continue
    e = s["events"]
    check(f"{r}: no failed op", not e["ops_failed"])
    check(f"{r}: no op counted as not modelled", not e["ops_not_modelled"])
    check(f"{r}: no segv", s["metrics"]["segv"] == 0)
    check(f"{r}: no finding under --check", not s["findings"]["list"])
    ops = e["ops_by_type"]
    check(f"{r}: mmap = threads x cycles = 80", ops.get("mmap") == THREADS * CYCLES)
    check(f"{r}: compute = threads x cycles = 80 (think)", ops.get("compute") == THREADS * CYCLES)

def ops(r):
    return runs[r]["events"]["ops_by_type"] if runs[r] else {}

def vm(r, c):
    return runs[r]["metrics"]["vmstat"][c] if runs[r] else None

o = ops("a")
print("a:", o, {k: vm("a", k) for k in ("thp_fault_alloc", "thp_split_pmd", "thp_deferred_split_page", "thp_collapse_alloc")})
P, C, M = o.get("munmap", 0) - THREADS * CYCLES, o.get("touch", 0) - THREADS * CYCLES, o.get("madvise", 0)
check("a: fork = exit = 4 (cycles 10, 20, 30, 40 of thread 0)", o.get("fork") == FORKS and o.get("exit") == FORKS)
if runs["a"]:
    e = runs["a"]["events"]
    check("a: 5 processes, 6 threads, all finished",
          e["processes"] == 1 + FORKS and e["threads"] == THREADS + FORKS and e["threads_finished"] == THREADS + FORKS)
check(f"a: child touches C = {C} within 4 x [4, 8]", FORKS * KEEP <= C <= 2 * FORKS * KEEP)
check(f"a: partial munmaps P = {P} = 36 and child touches C = 16", P == 36 and C == 16)
check(f"a: madvise (MADV_HUGEPAGE + MADV_DONTNEED) = {M} = 73", M == 73)
check("a: thp_fault_alloc = 129", vm("a", "thp_fault_alloc") == 129)
check("a: thp_split_pmd = 49", vm("a", "thp_split_pmd") == 49)
check("a: THPs were split and partly unmapped (thp_deferred_split_page > 0)",
      (vm("a", "thp_deferred_split_page") or 0) > 0)

n = ops("never")
check("never: the same ops as with THPs (the stream does not depend on the model)", n == o)
check("never: thp_fault_alloc = 0, thp_split_pmd = 0",
      vm("never", "thp_fault_alloc") == 0 and vm("never", "thp_split_pmd") == 0)

nf = ops("nofork")
check("nofork: no fork, no exit; munmap and madvise as the example; touch = 80",
      "fork" not in nf and "exit" not in nf and nf.get("munmap") == o.get("munmap")
      and nf.get("madvise") == o.get("madvise") and nf.get("touch") == THREADS * CYCLES)
if runs["nofork"]:
    check("nofork: 1 process, 2 threads", runs["nofork"]["events"]["processes"] == 1
          and runs["nofork"]["events"]["threads"] == THREADS)

for r, want in (("aligned4m", 160), ("offset4m", 80)):
    x = ops(r)
    check(f"{r}: munmap = 80, touch = 80, no madvise, no fork",
          x.get("munmap") == 80 and x.get("touch") == 80 and "madvise" not in x and "fork" not in x)
    check(f"{r}: thp_fault_alloc = {want} (got {vm(r, 'thp_fault_alloc')}), thp_split_pmd = 0",
          vm(r, "thp_fault_alloc") == want and vm(r, "thp_split_pmd") == 0)

a, b, c = runs["a"], runs["b"], runs["seed2"]
if a and b:
    a, b = dict(a), dict(b)
    a.pop("host", None)
    b.pop("host", None)
    check("the same scenario twice gives the same summary.json (without \"host\")", a == b)
    for f in sorted(os.listdir(os.path.join(d, "a"))):
        p, q = os.path.join(d, "a", f), os.path.join(d, "b", f)
        if f != "summary.json" and os.path.isfile(p):
            check(f"{f} byte-identical in both runs",
                  os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read())
if a and c:
    c = dict(c)
    c.pop("host", None)
    check("seed 2 gives other ops", c["events"]["ops_by_type"] != a["events"]["ops_by_type"])

bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n)
failed = len(bad) + fail_runs
print(f"{len(checks) - len(bad)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
