#!/bin/bash
# thp_churn.sh - configs/examples/thp_churn.yaml under --check (workloads/thp_churn.c: two
# threads, 40 cycles each, 256 KiB..8 MiB regions in steps of 256 KiB, half 2 MiB-aligned,
# keep 4, thread 0 forks every 10 cycles, think 200us), and variants of it.
#
# The op counts are worked here from the parameters and the thread's stream: expect()
# re-implements engine/rng.c (xoshiro256** seeded through splitmix64, stream
# thread + 0x5eed) and draws the generator's choices in its order, so every count by type
# is checked exactly against an independent computation, for seeds 1 and 2. Structure
# (example): per thread and cycle 1 mmap, 1 touch (touch_ratio 1), 1 compute (think),
# an munmap of the oldest region once 4 are live and of the 4 left at the end (40 per
# thread), plus the random ones: MADV_HUGEPAGE (madvise_ratio 0.5), MADV_DONTNEED of a
# sub-range (0.5), munmap of a sub-range (0.5). Thread 0 forks after cycles 10, 20, 30,
# 40: 4 children, each with exactly 4 live regions of thread 0 to write a quarter of
# (1 touch op per region, 2 when the region's hole cuts the quarter), each exits. So mmap
# 80, compute 80, fork 4, exit 4, 5 processes, 6 threads, munmap 80 + P, touch 80 + C
# (16 <= C <= 32), madvise H + D; seed 1 gives P = 36, C = 17, H + D = 73. The model
# gives thp_fault_alloc 100 and thp_split_pmd 51 (DONTNEEDs, partial munmaps and child
# COW writes cutting huge PMDs; deterministic, asserted exactly). With
# transparent_hugepage.enabled=never: the same ops, thp_fault_alloc 0.
#
# THP faults worked from the stream (no DONTNEED, partial munmap or fork): each region,
# written whole, takes one THP fault per 2 MiB-aligned range wholly inside it (its offset
# past the slot's 2 MiB boundary and its size decide), and none elsewhere:
#  faults: the example's sizes and alignments: the sum over its 80 regions (110);
#  aligned4m: aligned_ratio 1, 4 MiB regions: 2 x 40 x 2 = 160;
#  offset4m: aligned_ratio 0: a 4 MiB region k pages (1..511) past a boundary wholly
#    covers exactly one aligned range: 2 x 40 = 80.
#  nofork: fork_every 0: no fork, no exit, 1 process; the threads' streams are unchanged,
#    so munmap and madvise are the example's and touch is 80.
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
run faults --set workloads.churn.dontneed_ratio=0 --set workloads.churn.partial_unmap_ratio=0 \
	--set workloads.churn.fork_every=0
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


M64 = (1 << 64) - 1

def splitmix(x):
    x = (x + 0x9e3779b97f4a7c15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return x, z ^ (z >> 31)

class Rng:
    """engine/rng.c: xoshiro256** seeded through splitmix64"""
    def __init__(self, seed, stream):
        x = seed ^ ((stream * 0xd1342543de82ef95 + 0x2545f4914f6cdd1d) & M64)
        self.s = []
        for _ in range(4):
            x, v = splitmix(x)
            self.s.append(v)

    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        limit = M64 - M64 % n
        while True:
            v = self.next()
            if v < limit:
                return v % n

    def double(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

KIB = 1024
EXAMPLE = dict(threads=2, cycles=40, min_size=256 * KIB, max_size=8192 * KIB, size_step=256 * KIB,
               aligned_ratio=0.5, madvise_ratio=0.5, touch_ratio=1.0, dontneed_ratio=0.5,
               partial_unmap_ratio=0.5, keep=4, fork_every=10, child_touch_ratio=0.25, think=True)

def expect(seed=1, **over):
    """The ops workloads/thp_churn.c issues for the example with `over`, worked from the
    same stream: ops by type, the THP faults a full write of every region takes (its
    wholly covered 2 MiB-aligned ranges) and the region sizes in pages."""
    p = dict(EXAMPLE, **over)
    ops, faults, sizes = {}, 0, []
    add = lambda t, n=1: ops.__setitem__(t, ops.get(t, 0) + n)
    lo, hi = p["min_size"] // 4096, p["max_size"] // 4096
    step = p["size_step"] // 4096
    for t in range(p["threads"]):
        r = Rng(seed, t + 0x5eed)
        live = []
        for c in range(p["cycles"]):
            pages = lo + step * r.below((hi - lo) // step + 1)
            off = 0 if r.double() < p["aligned_ratio"] else 1 + r.below(511)
            sizes.append(pages)
            faults += max(0, (off + pages) // 512 - (off + 511) // 512)
            madv = r.double() < p["madvise_ratio"]
            add("mmap")
            if madv:
                add("madvise")
            if min(int(pages * p["touch_ratio"] + 0.5), pages):
                add("touch")
            if r.double() < p["dontneed_ratio"]:
                s = r.below(pages)
                r.below(pages - s)
                add("madvise")
            hole = (pages, 0)
            if pages >= 2 and r.double() < p["partial_unmap_ratio"]:
                s = r.below(pages)
                n = 1 + r.below(pages - s)
                hole = (s, min(n, pages - 1))
                add("munmap")
            live.append((pages, hole))
            if len(live) > p["keep"]:
                live.pop(0)
                add("munmap")
            if t == 0 and p["fork_every"] and (c + 1) % p["fork_every"] == 0:
                add("fork")
                for pages_, (hs, hn) in live:
                    want = min(int((pages_ - hn) * p["child_touch_ratio"] + 0.5), pages_ - hn)
                    before = min(hs, want)
                    add("touch", (before > 0) + (want - before > 0))
                add("exit")
            if p["think"]:
                add("compute")
        add("munmap", len(live))
    return ops, faults, sizes

THREADS, CYCLES, KEEP, FORKS = 2, 40, 4, 4
runs = {r: load(r) for r in ("a", "b", "never", "seed2", "nofork", "faults", "aligned4m", "offset4m")}
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

def full(x):
    """ops_by_type with the counts the model leaves out (none here) as 0"""
    return {k: v for k, v in x.items() if v}

o = ops("a")
print("a:", o, {k: vm("a", k) for k in ("thp_fault_alloc", "thp_split_pmd", "thp_deferred_split_page", "thp_collapse_alloc")})
want, _, sizes = expect()
print("expected from the stream:", want)
check("a: ops by type = those worked from the thread's stream", full(o) == want)
check("a: the example maps sizes below, at and above 2 MiB",
      min(sizes) < 512 and 512 in sizes and max(sizes) > 512)
P, C, M = o.get("munmap", 0) - THREADS * CYCLES, o.get("touch", 0) - THREADS * CYCLES, o.get("madvise", 0)
check("a: fork = exit = 4 (cycles 10, 20, 30, 40 of thread 0)", o.get("fork") == FORKS and o.get("exit") == FORKS)
if runs["a"]:
    e = runs["a"]["events"]
    check("a: 5 processes, 6 threads, all finished",
          e["processes"] == 1 + FORKS and e["threads"] == THREADS + FORKS and e["threads_finished"] == THREADS + FORKS)
check(f"a: child touches C = {C} within 4 x [4, 8]", FORKS * KEEP <= C <= 2 * FORKS * KEEP)
check(f"a: partial munmaps P = {P} = 36, child touches C = {C} = 17, madvise = {M} = 73",
      P == 36 and C == 17 and M == 73)
check("a: thp_fault_alloc = 100", vm("a", "thp_fault_alloc") == 100)
check("a: thp_split_pmd = 51", vm("a", "thp_split_pmd") == 51)
check("a: THPs were split and partly unmapped (thp_deferred_split_page > 0)",
      (vm("a", "thp_deferred_split_page") or 0) > 0)

n = ops("never")
check("never: the same ops as with THPs (the stream does not depend on the model)", n == o)
check("never: thp_fault_alloc = 0, thp_split_pmd = 0",
      vm("never", "thp_fault_alloc") == 0 and vm("never", "thp_split_pmd") == 0)

check("seed2: ops by type = those worked from seed 2's streams", full(ops("seed2")) == expect(seed=2)[0])

nf = ops("nofork")
check("nofork: ops by type = those worked from the stream", full(nf) == expect(fork_every=0)[0])
check("nofork: no fork, no exit; munmap and madvise as the example; touch = 80",
      "fork" not in nf and "exit" not in nf and nf.get("munmap") == o.get("munmap")
      and nf.get("madvise") == o.get("madvise") and nf.get("touch") == THREADS * CYCLES)
if runs["nofork"]:
    check("nofork: 1 process, 2 threads", runs["nofork"]["events"]["processes"] == 1
          and runs["nofork"]["events"]["threads"] == THREADS)

fw, ff, _ = expect(dontneed_ratio=0, partial_unmap_ratio=0, fork_every=0)
print(f"faults: {ops('faults')}, thp_fault_alloc {vm('faults', 'thp_fault_alloc')}, worked {ff}")
check("faults: ops by type = those worked from the stream", full(ops("faults")) == fw)
check(f"faults: thp_fault_alloc = the 2 MiB-aligned ranges wholly inside the regions = {ff}",
      vm("faults", "thp_fault_alloc") == ff and vm("faults", "thp_split_pmd") == 0)

four = dict(min_size=4096 * KIB, max_size=4096 * KIB, madvise_ratio=0, dontneed_ratio=0,
            partial_unmap_ratio=0, fork_every=0)
for r, want, ratio in (("aligned4m", 160, 1), ("offset4m", 80, 0)):
    x = ops(r)
    ew, ef, _ = expect(aligned_ratio=ratio, **four)
    check(f"{r}: munmap = 80, touch = 80, no madvise, no fork",
          x.get("munmap") == 80 and x.get("touch") == 80 and "madvise" not in x and "fork" not in x)
    check(f"{r}: ops and THP faults worked from the stream agree", full(x) == ew and ef == want)
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
