#!/bin/bash
# shared_interleave.sh - configs/examples/shared_interleave.yaml under --check: four
# touchers (one per node) and a numa_maps reader; thread 0 maps a 4 MiB MAP_SHARED|
# MAP_ANONYMOUS region and mbinds it MPOL_INTERLEAVE over the four nodes, every toucher
# writes the 64 chunks of 64 KiB 4 times, dropping its 16-chunk slice (MADV_REMOVE)
# between passes; the reader reads numa_maps 4 times, 1 ms apart.
#
# Op counts (workloads/shared_interleave.c): mmap 1, mbind 1 (carried out, or counted as
# not modelled before the mempolicy model), sleep 3 (touchers 1-3) + 1 + 4 (reader),
# touch 4 x 4 x 64 = 1024, madvise 4 x 3 = 12, snapshot 4. With drop: none, each page of
# the region is allocated exactly once, whatever the policy: the last numa_maps shows 1024
# pages, and the allocations are those plus the 2 PTE tables, plus those of touchers that
# lost a race (a PTE table or a shmem page allocated, then freed because another toucher
# installed one first), exact for this scenario and seed. With span: slice each toucher faults only its own 16 chunks: 4 x 64 = 256
# touches, and no page is faulted by two threads, so after each MADV_REMOVE every pass
# refaults and reallocates its slice: pgfault = 4 x 1024 = 4096 exactly.
# Same scenario twice: byte-identical out dirs (summary.json without "host").
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scn=configs/examples/shared_interleave.yaml
fail_runs=0
run() {
	local out=$1 rc=0
	shift
	"$mmsim" run "$scn" -o "$tmp/$out" --quiet --check "$@" || rc=$?
	if [ $rc != 0 ]; then
		echo "FAIL: run $out exited $rc"
		fail_runs=$((fail_runs + 1))
	fi
}
run a
run b
run keep --set workloads.shm.drop=none
run slice --set workloads.shm.span=slice

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

def nz(m):
    return {k: v for k, v in m.items() if v}

s = load("a")
check("summary.json written", s is not None)
if s:
    e = s["events"]
    ops, nm = nz(e["ops_by_type"]), nz(e["ops_not_modelled"])
    print("ops:", ops, "not modelled:", nm, "failed:", nz(e["ops_failed"]))
    mbind = ops.pop("mbind", 0) + nm.pop("mbind", 0)
    check("mbind issued once (modelled or not)", mbind == 1)
    check("op counts", ops == {"mmap": 1, "sleep": 8, "touch": 1024, "madvise": 12, "snapshot": 4})
    check("no other op left unmodelled", not nm)
    check("no failed op", not nz(e["ops_failed"]))
    check("5 threads, 1 process, all finished",
          e["threads"] == 5 and e["processes"] == 1 and e["threads_finished"] == 5)
    check("no segv (every touch after thread 0's mmap)", s["metrics"]["segv"] == 0)
    check("no finding under --check", not s["findings"]["list"])
    check("pages touched = 1024 touches x 16 pages", s["metrics"]["touched_pages"] == 16384)
    numa = s["metrics"]["numa"]
    check("four nodes in metrics.numa", sorted(numa) == ["node0", "node1", "node2", "node3"])
    check("per node: hit + miss = local + other",
          all(n["numa_hit"] + n["numa_miss"] == n["local_node"] + n["other_node"] for n in numa.values()))
    check("refaults after MADV_REMOVE allocate again (more than 1028 allocations)",
          sum(n["numa_hit"] + n["numa_miss"] for n in numa.values()) > 1028)
snaps = sorted(os.listdir(os.path.join(d, "a", "snapshots"))) if s else []
check("4 numa_maps snapshots", snaps == ["%04d-numa_maps" % i for i in range(1, 5)])
for f in snaps:
    lines = open(os.path.join(d, "a", "snapshots", f)).read().splitlines()
    check(f"{f}: the region's line at 0x100000000000",
          len(lines) == 1 and lines[0].startswith("100000000000 "))

k = load("keep")
if k:
    e = k["events"]
    ops = nz(e["ops_by_type"])
    ops.pop("mbind", None)
    check("drop: none: no madvise, the same other ops",
          ops == {"mmap": 1, "sleep": 8, "touch": 1024, "snapshot": 4})
    numa = k["metrics"]["numa"]
    allocs = sum(n["numa_hit"] + n["numa_miss"] for n in numa.values())
    # 1024 pages + 2 PTE tables + allocations that lost a race and were freed again: a
    # PTE table another toucher installed first (pte_alloc), or a shmem page another
    # toucher added to the page cache first (8 interleaved ones: interleave_hit 1032; the
    # lockless page cache lookup lets other touchers run between its find and try-get)
    il = sum(n["interleave_hit"] for n in numa.values())
    check(f"drop: none: 1024 pages + 2 PTE tables + 9 lost races = 1035: {allocs}, interleave_hit 1032: {il}",
          allocs == 1035 and il == 1032)
    last = open(os.path.join(d, "keep", "snapshots", "0004-numa_maps")).read().split()
    per_node = sum(int(w.split("=")[1]) for w in last if w[0] == "N" and "=" in w)
    check("drop: none: the last numa_maps counts all 1024 pages on the nodes", per_node == 1024)
    check("drop: none: dirty=1024", "dirty=1024" in last)

sl = load("slice")
if sl:
    e = sl["events"]
    ops = nz(e["ops_by_type"])
    ops.pop("mbind", None)
    check("span: slice: op counts", ops == {"mmap": 1, "sleep": 8, "touch": 256, "madvise": 12,
                                          "snapshot": 4})
    check("span: slice: pgfault = 4096", sl["metrics"]["vmstat"]["pgfault"] == 4096)
    numa = sl["metrics"]["numa"]
    allocs = sum(n["numa_hit"] + n["numa_miss"] for n in numa.values())
    il = sum(n["interleave_hit"] for n in numa.values())
    check(f"span: slice: 4 x 1024 pages (interleave_hit 4096: {il}) + 2 PTE tables + 1 lost PTE-table race = 4099: {allocs}",
          allocs == 4099 and il == 4096)
    check("span: slice: no segv, no finding", sl["metrics"]["segv"] == 0 and not sl["findings"]["list"])

a, b = load("a"), load("b")
if a and b:
    for x in (a, b):
        x.pop("host", None)
    check("the same scenario twice gives the same summary.json (without \"host\")", a == b)
    for root, _, files in os.walk(os.path.join(d, "a")):
        for f in sorted(files):
            p = os.path.join(root, f)
            rel = os.path.relpath(p, os.path.join(d, "a"))
            q = os.path.join(d, "b", rel)
            if rel != "summary.json":
                check(f"{rel} byte-identical in both runs",
                      os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read())

bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n)
failed = len(bad) + fail_runs
print(f"{len(checks) - len(bad)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
