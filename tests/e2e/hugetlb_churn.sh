#!/bin/bash
# hugetlb_churn.sh - configs/examples/hugetlb_churn.yaml under --check: four threads
# (two MAP_PRIVATE in one process, one MAP_SHARED, one MAP_PRIVATE|MAP_NORESERVE) map,
# write, split (munmap of an interior huge page or mprotect of a sub-range), fork,
# write and unmap 16 MiB hugetlb regions 20 times each, from a pool of 64 huge pages.
# Every region is unmapped and every child has exited at the end, so the pool is whole
# again: HugePages_Total = HugePages_Free = 64, HugePages_Rsvd = 0 (no reservation
# leaked or returned twice by the splits), HugePages_Surp = 0. The run has no finding,
# no failed op and no segv, and the same scenario gives the same out dir twice.
#
# Op counts follow from the generator (workloads/hugetlb_churn.c) with 16 MiB = 8 huge
# pages and touch_fraction 0.5: a round is 1 mmap, 4 writes, 1 split (munmap or
# mprotect), a fork with probability 1/4, 2 writes, 1 munmap of the whole region; a
# child writes 1 page (one always exists: a split leaves at least 4 pages writable) and
# exits. So for 4 x 20 = 80 rounds and F forks: mmap 80, munmap + mprotect 160,
# touch 480 + F, exit F (the parents' streams end without an exit op), F + 3 processes.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scn=configs/examples/hugetlb_churn.yaml
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
run a
run b
run seed2 --seed 2

python3 - "$tmp" "$fail_runs" <<'PY'
import json, os, re, sys

d, fail_runs = sys.argv[1], int(sys.argv[2])
checks = []

def check(name, cond):
    checks.append((name, bool(cond)))

def load(run):
    try:
        return json.load(open(os.path.join(d, run, "summary.json")))
    except (OSError, ValueError):
        return None

def meminfo(run):
    try:
        text = open(os.path.join(d, run, "meminfo.txt")).read()
    except OSError:
        return {}
    return {k: int(v) for k, v in re.findall(r"^(HugePages_\w+|Hugetlb):\s+(\d+)", text, re.M)}

THREADS, ROUNDS = 4, 20

s = load("a")
check("summary.json written", s is not None)
if s:
    e = s["events"]
    ops = e["ops_by_type"]
    forks = ops.get("fork", 0)
    print(f"ops: {ops}, failed: {e['ops_failed']}, segv: {s['metrics']['segv']}")
    check(f"mmap = threads * iterations = {THREADS * ROUNDS}", ops.get("mmap", 0) == THREADS * ROUNDS)
    check(f"munmap + mprotect = 2 per round = {2 * THREADS * ROUNDS}",
          ops.get("munmap", 0) + ops.get("mprotect", 0) == 2 * THREADS * ROUNDS)
    check("both kinds of split happened (munmap of an interior page, mprotect)",
          ops.get("munmap", 0) > THREADS * ROUNDS and ops.get("mprotect", 0) > 0)
    check(f"some rounds forked (fork_prob 0.25: 0 < {forks} < {THREADS * ROUNDS})",
          0 < forks < THREADS * ROUNDS)
    check(f"touch = 6 per round + 1 per child = {6 * THREADS * ROUNDS + forks}",
          ops.get("touch", 0) == 6 * THREADS * ROUNDS + forks)
    check(f"every child exits (exit = fork = {forks})", ops.get("exit", 0) == forks)
    check(f"{forks + 3} processes, {forks + THREADS} threads, all finished",
          e["processes"] == forks + 3 and e["threads"] == forks + THREADS
          and e["threads_finished"] == forks + THREADS)
    check("no failed op", not e["ops_failed"])
    check("no op counted as not modelled", not e["ops_not_modelled"])
    check("no segv (no write to an unmapped or read-only page, no SIGBUS)", s["metrics"]["segv"] == 0)
    check("no finding under --check", not s["findings"]["list"])
    check("huge pages were faulted in (faults > 0)", s["metrics"]["faults"] > 0)

m = meminfo("a")
print("meminfo:", m)
check("HugePages_Total = 64 (vm.nr_hugepages)", m.get("HugePages_Total") == 64)
check("HugePages_Free = HugePages_Total at the end", m.get("HugePages_Free") == m.get("HugePages_Total") == 64)
check("HugePages_Rsvd = 0 at the end (no reservation leaked)", m.get("HugePages_Rsvd") == 0)
check("HugePages_Surp = 0 at the end", m.get("HugePages_Surp") == 0)
check("Hugetlb = 64 * 2048 kB", m.get("Hugetlb") == 64 * 2048)

a, b, c = load("a"), load("b"), load("seed2")
if a and b:
    for x in (a, b):
        x.pop("host", None)
    check("the same scenario twice gives the same summary.json (without \"host\")", a == b)
    for f in sorted(os.listdir(os.path.join(d, "a"))):
        p, q = os.path.join(d, "a", f), os.path.join(d, "b", f)
        if f != "summary.json" and os.path.isfile(p):
            check(f"{f} byte-identical in both runs",
                  os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read())
if a and c:
    c.pop("host", None)
    check("seed 2 gives another run", a != c)
    check("seed 2: pool whole again at the end",
          meminfo("seed2").get("HugePages_Free") == 64 and meminfo("seed2").get("HugePages_Rsvd") == 0)

bad = [n for n, ok in checks if not ok]
for n in bad:
    print("FAIL:", n)
failed = len(bad) + fail_runs
print(f"{len(checks) - len(bad)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
