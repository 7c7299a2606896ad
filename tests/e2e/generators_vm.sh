#!/bin/bash
# The mmap_churn and fork_cow generators on a 1-node machine, with figures worked by hand
# from the model (sim/mm/memory.c, mmap.c) before they were compared with mmsim's:
# op counts by type, faults, copy-on-write copies and reuses, page-table pages, the
# mmap_lock and page_table_lock acquisitions; every run under --check ends with no
# finding, and the same scenario gives the same out dir twice.
#
# Facts of the model the derivations use:
# - a generator thread's memory starts on a 1 GiB boundary (workload_thread_base), so a
#   region of at most 2 MiB there needs one PTE table; mmap_churn starts every region on
#   a PMD boundary of its own, so each touched region has a table of its own, allocated
#   by its first fault (under page_table_lock) and freed by its munmap (free_pgtables,
#   page_table_lock again);
# - every fault counts pgfault once and takes mmap_lock for read once; a first write
#   allocates a zeroed page; a write to a write-protected anonymous page copies it when
#   another PTE still maps it (a COW copy: one more page allocated) and reuses it when
#   it is the last mapping (pgreuse);
# - fork (dup_mmap) takes the parent's and the child's mmap_lock for write, write-protects
#   the parent's PTEs and copies them into a PTE table of the child's; exit (exit_mmap)
#   takes mmap_lock for write once, frees the pages of the last mapping and the tables;
# - mmap and munmap take mmap_lock for write once each.
# COW copies are not a counter of their own: pgalloc_normal = first touches + copies +
# PTE tables.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail_runs=0
machine='machine: {nodes: 1, cpus_per_node: 4, memory_per_node: 1GiB}'

# scenario NAME WORKLOAD-FLOW-MAPPING: write $tmp/NAME.yaml
scenario() {
	printf 'seed: 1\n%s\nworkloads:\n  - %s\n' "$machine" "$2" > "$tmp/$1.yaml"
}
# run NAME OUT [ARGS...]: run a scenario under --check into $tmp/OUT
run() {
	local name=$1 out=$2
	shift 2
	if ! "$mmsim" run "$tmp/$name.yaml" -o "$tmp/$out" --quiet --check "$@"; then
		echo "FAIL: run $name ($out) exited $?"
		fail_runs=$((fail_runs + 1))
	fi
}

# -- fork_cow: working_set 1MiB = 256 pages, 2 children each writing 25% = 64 pages --
fc='type: fork_cow, name: fc, working_set: 1MiB, children: 2, write_ratio: 0.25'
# wait: the parent sleeps 10ms after its forks (the children write 64 pages each and
# exit within microseconds), then writes the first 50% = 128 pages.
scenario fc_wait "{$fc, parent_wait: 10ms, parent_write_ratio: 0.5}"
# hold: the children sleep 20ms after their writes, so they still map the working set
# when the parent writes its 128 pages at 10ms.
scenario fc_hold "{$fc, parent_wait: 10ms, child_hold: 20ms, parent_write_ratio: 0.5}"
# random: as wait, each child and the parent writing a random set of pages.
scenario fc_random "{$fc, parent_wait: 10ms, parent_write_ratio: 0.5, random: true}"
# random_hold: as hold, random sets.
scenario fc_random_hold "{$fc, parent_wait: 10ms, child_hold: 20ms, parent_write_ratio: 0.5, random: true}"
# race: no waiting: the parent writes the first 64 pages while the children write theirs.
scenario fc_race "{$fc, parent_write_ratio: 0.25}"
# alone: no child: the parent's own faults.
scenario fc_alone "{type: fork_cow, name: fc, working_set: 1MiB, children: 0}"
for s in fc_wait fc_hold fc_random fc_random_hold fc_race fc_alone; do
	run $s $s
done
run fc_random fc_random.again

# -- mmap_churn --
# fixed: 2 threads x 10 cycles of 64KiB = 16 pages (min_size = max_size), half of each
# region written (8 pages), up to 3 regions kept.
scenario mc_fixed '{type: mmap_churn, name: mc, threads: 2, cycles: 10, min_size: 64KiB, max_size: 64KiB, touch_ratio: 0.5, keep: 3}'
# random: 2 threads x 20 cycles of 4KiB..256KiB (1..64 pages, uniform), every page
# written, 100ns of CPU between two touches of a region, up to 5 regions kept.
scenario mc_random '{type: mmap_churn, name: mc, threads: 2, cycles: 20, min_size: 4KiB, max_size: 256KiB, keep: 5, think: 100ns}'
# swapped: min_size above max_size: the two are swapped (1..4 pages), nothing kept.
scenario mc_swapped '{type: mmap_churn, name: mc, cycles: 8, min_size: 16KiB, max_size: 4KiB}'
for s in mc_fixed mc_random mc_swapped; do
	run $s $s
done
run mc_random mc_random.again
run mc_random mc_random.seed2 --seed 2

python3 - "$tmp" "$fail_runs" <<'PY'
import json, os, sys

d, fail_runs = sys.argv[1], int(sys.argv[2])
checks = []

def load(out):
    try:
        return json.load(open(os.path.join(d, out, "summary.json")))
    except (OSError, ValueError) as e:
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

def common_fork_cow(n, s, touches, fork, sleep, exits, processes):
    """What every fork_cow run with 2 children shows whatever the timing."""
    check(f"{n}: ops mmap 1, touch {touches}, fork {fork}, sleep {sleep}, exit {exits}",
          ops(s, "mmap") == 1 and ops(s, "touch") == touches and ops(s, "fork") == fork
          and ops(s, "sleep") == sleep and ops(s, "exit") == exits and ops(s, "munmap") == 0)
    check(f"{n}: {processes} processes, {exits} threads, all finished",
          s["events"]["processes"] == processes and s["events"]["threads"] == exits
          and s["events"]["threads_finished"] == exits)
    # every touch of a page this process has not written since the fork faults: first
    # touches, COW copies and reuses alike
    check(f"{n}: pgfault = faults = touches = {touches}",
          vm(s, "pgfault") == touches and s["metrics"]["faults"] == touches)
    check(f"{n}: mmap_lock-R once per fault", acq(s, "&mm->mmap_lock-R") == touches)
    # 1 mmap + 2 per fork (parent's and child's mm) + 1 exit_mmap per process
    check(f"{n}: mmap_lock-W = 1 + 2*{fork} + {processes}",
          acq(s, "&mm->mmap_lock-W") == 1 + 2 * fork + processes)
    # one table per process: installed (first fault, or fork's copy) and freed at exit
    check(f"{n}: page_table_lock-W = 2*{processes}", acq(s, "&mm->page_table_lock") == 2 * processes)
    check(f"{n}: everything freed at exit (pgfree = pgalloc, no anon page or table left)",
          vm(s, "pgfree") == vm(s, "pgalloc_normal") and vm(s, "nr_anon_pages") == 0
          and vm(s, "nr_page_table_pages") == 0)
    check(f"{n}: no findings under --check, no failed op, no segv", clean(s))

P, W, M = 256, 64, 128     # working set, each child's writes, the parent's writes (pages)
TABLES = 3                 # parent's, and one per child (copied at fork)

s = load("fc_wait")
if s:
    # 256 first touches + 2*64 children's writes + 128 parent's writes
    common_fork_cow("fc_wait", s, P + 2 * W + M, 2, 1, 3, 3)
    # children's writes: the parent still maps every page, so each is a copy (128);
    # the parent's writes come after both children exited: it is the last mapping of
    # each page, so each is a reuse (128): 256 + 128 + 3 = 387 pages allocated
    check("fc_wait: 2*64 COW copies (pgalloc_normal 256 + 128 + 3 = 387)",
          vm(s, "pgalloc_normal") == P + 2 * W + TABLES == 387)
    check("fc_wait: the parent's 128 writes reuse their pages (pgreuse 128)", vm(s, "pgreuse") == M)

s = load("fc_hold")
if s:
    common_fork_cow("fc_hold", s, P + 2 * W + M, 2, 3, 3, 3)
    # the children hold while the parent writes pages 0..127: pages 0..63 were copied
    # by both children, the parent is their last mapping: 64 reuses; pages 64..127 are
    # still mapped by both children: 64 copies. Copies 128 + 64 = 192.
    check("fc_hold: 2*64 + 64 COW copies (pgalloc_normal 256 + 192 + 3 = 451)",
          vm(s, "pgalloc_normal") == P + 2 * W + 64 + TABLES == 451)
    check("fc_hold: the parent reuses the 64 pages both children copied (pgreuse 64)",
          vm(s, "pgreuse") == 64)

s = load("fc_random")
if s:
    # which pages does not matter here: the children write 64 distinct pages each while
    # the parent maps all of them (128 copies), the parent writes 128 distinct pages
    # after they exited (128 reuses): the figures of fc_wait
    common_fork_cow("fc_random", s, P + 2 * W + M, 2, 1, 3, 3)
    check("fc_random: 128 COW copies, 128 reuses, as with the first pages",
          vm(s, "pgalloc_normal") == 387 and vm(s, "pgreuse") == M)
    a, b = load("fc_random"), load("fc_random.again")
    if b:
        a.pop("host", None), b.pop("host", None)
        check("fc_random: the same scenario twice gives the same summary.json", a == b)

s = load("fc_random_hold")
if s:
    common_fork_cow("fc_random_hold", s, P + 2 * W + M, 2, 3, 3, 3)
    # the parent reuses only the pages of its 128 that both children copied (about
    # 128/16 = 8 of them at random, 64 with the first pages) and copies the rest: its
    # writes are 128 reuses plus copies; fewer than 64 reuses shows the sets are random
    copies = vm(s, "pgalloc_normal") - P - TABLES
    check("fc_random_hold: the parent's 128 writes are copies or reuses",
          copies - 2 * W + vm(s, "pgreuse") == M)
    check("fc_random_hold: random sets: fewer reuses than with the first pages (< 64)",
          0 <= vm(s, "pgreuse") < 64)

s = load("fc_race")
if s:
    # all three processes write pages 0..63 at the same time. One at a time, the first
    # two writers of a page would copy it and the last reuse it (128 copies, 64
    # reuses); but a fault decides copy or reuse from the mapcount it sees before it
    # allocates, so two concurrent faults on one page can both copy (as in the kernel).
    # Timing-proof: each of the 192 writes is a copy or a reuse, at most one reuse per page.
    common_fork_cow("fc_race", s, P + 3 * W, 2, 0, 3, 3)
    copies = vm(s, "pgalloc_normal") - P - TABLES
    check("fc_race: 192 writes after the forks, each a COW copy or a reuse",
          copies + vm(s, "pgreuse") == 3 * W)
    check("fc_race: at most one reuse per page (pgreuse <= 64, copies >= 128)",
          vm(s, "pgreuse") <= W and copies >= 2 * W)

s = load("fc_alone")
if s:
    # the parent's first touches alone: 256 faults, 256 zeroed pages + 1 table
    common_fork_cow("fc_alone", s, P, 0, 0, 1, 1)
    check("fc_alone: 256 first-touch faults allocate 256 pages + 1 table, nothing reused",
          vm(s, "pgalloc_normal") == P + 1 and vm(s, "pgreuse") == 0)

def common_churn(n, s, threads, cycles, touches, regions_touched, compute):
    check(f"{n}: mmap = munmap = threads*cycles = {threads * cycles}",
          ops(s, "mmap") == threads * cycles and ops(s, "munmap") == threads * cycles)
    check(f"{n}: touch {touches}, compute {compute}",
          ops(s, "touch") == touches and ops(s, "compute") == compute)
    check(f"{n}: one process, {threads} threads", s["events"]["processes"] == 1
          and s["events"]["threads"] == threads and s["events"]["threads_finished"] == threads)
    check(f"{n}: every touch is a first write: pgfault = faults = {touches}",
          vm(s, "pgfault") == touches and s["metrics"]["faults"] == touches and vm(s, "pgreuse") == 0)
    # a zeroed page per touch and a PTE table per touched region
    check(f"{n}: pgalloc_normal = touches + tables = {touches + regions_touched}",
          vm(s, "pgalloc_normal") == touches + regions_touched)
    check(f"{n}: page_table_lock-W: a table installed and freed per region ({2 * regions_touched})",
          acq(s, "&mm->page_table_lock") == 2 * regions_touched)
    check(f"{n}: mmap_lock-W: every mmap and munmap, and exit_mmap ({2 * threads * cycles + 1})",
          acq(s, "&mm->mmap_lock-W") == 2 * threads * cycles + 1)
    check(f"{n}: everything unmapped (pgfree = pgalloc, no anon page or table left)",
          vm(s, "pgfree") == vm(s, "pgalloc_normal") and vm(s, "nr_anon_pages") == 0
          and vm(s, "nr_page_table_pages") == 0)
    # a mapping over a region still live (wrong slot or FIFO order) fails with EEXIST
    check(f"{n}: no findings, no failed op (no slot reused while live), no segv", clean(s))

s = load("mc_fixed")
if s:
    # 20 regions of 16 pages, 8 written each: 160 touches; no think time
    common_churn("mc_fixed", s, 2, 10, 160, 20, 0)
    check("mc_fixed: pgalloc_normal 180", vm(s, "pgalloc_normal") == 180)

s = load("mc_random")
if s:
    t = ops(s, "touch")
    # 40 regions, all pages written; sizes random: 40 <= touches <= 40*64; a COMPUTE op
    # between two touches of a region: touches - 40
    common_churn("mc_random", s, 2, 20, t, 40, t - 40)
    check(f"mc_random: 40 <= touches ({t}) <= 2560, sizes vary (not all 1 or all 64 pages)",
          40 < t < 2560)
    a, b, c = load("mc_random"), load("mc_random.again"), load("mc_random.seed2")
    if b and c:
        for x in (a, b, c):
            x.pop("host", None)
        check("mc_random: the same scenario twice gives the same summary.json", a == b)
        check("mc_random: seed 2 gives other sizes", ops(c, "touch") != t)
        common_churn("mc_random.seed2", c, 2, 20, ops(c, "touch"), 40, ops(c, "touch") - 40)
        for f in sorted(os.listdir(os.path.join(d, "mc_random"))):
            p, q = os.path.join(d, "mc_random", f), os.path.join(d, "mc_random.again", f)
            if f != "summary.json" and os.path.isfile(p):
                check(f"mc_random: {f} byte-identical in both runs",
                      os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read())

s = load("mc_swapped")
if s:
    t = ops(s, "touch")
    # 8 regions of 1..4 pages (16KiB and 4KiB swapped), all written
    common_churn("mc_swapped", s, 1, 8, t, 8, 0)
    check(f"mc_swapped: 8 <= touches ({t}) <= 32", 8 <= t <= 32)

expected_runs = ["fc_wait", "fc_hold", "fc_random", "fc_random_hold", "fc_race", "fc_alone",
                 "fc_random.again", "mc_fixed", "mc_random", "mc_swapped", "mc_random.again",
                 "mc_random.seed2"]
for r in expected_runs:
    check(f"{r}: summary.json written", load(r) is not None)
bad = [c for c, ok in checks if not ok]
for c in bad:
    print("FAIL:", c)
failed = len(bad) + fail_runs
print(f"{len(checks) - len(bad)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
