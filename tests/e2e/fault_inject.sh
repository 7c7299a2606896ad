#!/bin/bash
# fault_inject.sh - issue 21's fault injection beyond swap errors (swap_faults.sh):
# swap-device slowdowns (machine.swap.slow_*), a workload killed at a time
# (workloads[].kill_at, task/kill.h), and the report's "Injected faults" section.
#  - slow reads: 8 MiB written, pushed to swap (MADV_PAGEOUT) and written again
#    (thp_swapin, page-cluster 0: one 4 KiB read per major fault, no reclaim); the read
#    bandwidth 512 MB/s makes a read 100 us + 8 us = 108 us. Every read starting in
#    [300 ms, 350 ms) takes 3x: 154 of them, 324 us each (49.896 ms), so the run ends
#    154 x 216 us = 33.264 ms later; the vmstat counters are unchanged.
#  - slow writes (48 MiB written twice on 32 MiB: asynchronous swap-out): every write
#    request in [20 ms, 60 ms) takes 4x: 17 requests of 32 pages, each 4 x (100 us +
#    128 KiB at 250 MiB/s) = 2.4 ms (40.8 ms, +1 ns of rounding); reclaim waits for
#    them and the run ends 30.599961 ms later with the same counters: the swap-out
#    writes take 30.6 ms more in all, and reclaim, finding the 128 requests in flight,
#    waits 61.2 ms more for a free one (metrics.swap.io, report's Swap paragraph).
#  - a slow window after the run: every output but the knob echo byte-identical.
#  - every 2nd request 5x slower on a smaller machine under --check: 518 reads and 152
#    writes slowed, no invariant broken.
#  - kill_at 5 ms of a 2-thread workload beside another process: both threads die at
#    their next op (4645 ops done, 4643 pages mapped), the last exit at 5.913550 ms;
#    at 7 ms the anonymous pages are the other process's 2048 and no more; every page
#    allocated is freed by the end; ops = the other's 16385 + 4645.
#  - kill_at 1.8 ms while thread 1 waits for mmap_lock behind thread 2's munmap
#    (1736.32 us + 169.75 us): thread 2 finishes its munmap and dies before its next
#    mmap; thread 1 gets the lock at 1906.07 us, finishes its one-page fault and its exit
#    tears the mm down (exit_mmap holds mmap_lock 5.92 us); no deadlock, --check clean.
#  - kill_at after the run ended: outputs byte-identical but the knob echo.
#  - a trace process (a hugetlb reservation, 48 MiB written on 48 MiB, then read
#    again in one touch op) killed at 100 ms: it stops between two pages of its second
#    touch (668 pages faulted), and an observer's /proc/meminfo at 150 ms shows its
#    anonymous pages, its hugetlb reservation and its swap slots gone (the slots left
#    are the swap cache's: pages whose writeback was in flight).
#  - bad values: file, line, field, exit 2.
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/slow.yaml" <<'Y'
seed: 1
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 64MiB
  swap: {size: 64MiB, read_bw: 512MB/s}
kernel: {transparent_hugepage.enabled: never, vm.page-cluster: 0}
workloads:
  - {type: thp_swapin, name: sw, size: 8MiB, skip_every: 512, hold: 0s, sysfs_write: false, fault_touches: 0}
Y
cat > "$tmp/wr.yaml" <<'Y'
seed: 1
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 32MiB
  swap: {size: 128MiB}
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: sequential_touch, name: seq, size: 48MiB, passes: 2, unmap: false}
Y
cat > "$tmp/kill.yaml" <<'Y'
seed: 1
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 64MiB
  swap: {size: 64MiB}
kernel: {transparent_hugepage.enabled: never}
outputs: {sample_interval: 1ms}
workloads:
  - {type: sequential_touch, name: victim, threads: 2, size: 16MiB, passes: 4, unmap: false}
  - {type: sequential_touch, name: other, threads: 1, size: 8MiB, passes: 8, unmap: false}
Y
cat > "$tmp/lock.yaml" <<'Y'
seed: 3
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 128MiB
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: mmap_churn, name: churn, threads: 2, min_size: 2MiB, max_size: 4MiB, cycles: 20}
Y
cat > "$tmp/bad.yaml" <<'Y'
machine: {nodes: 1, cpus_per_node: 1, memory_per_node: 64MiB}
workloads:
  - {type: sequential_touch, size: 1MiB, start: 2ms, kill_at: 1ms}
  - {type: sequential_touch, name: b, size: 1MiB, kill_at: soon, kill_signal: SIGKIL}
Y
run() { local y=$1 o=$2; shift 2; "$mmsim" run "$tmp/$y.yaml" -o "$tmp/$o" --quiet "$@" || echo "FAIL: run $o: $?"; }
slow="--set machine.swap.slow_factor=3 --set machine.swap.slow_from=300ms --set machine.swap.slow_until=350ms"
run slow sbase
run slow s1 $slow
run slow slate --set machine.swap.slow_factor=3 --set machine.swap.slow_from=10s
run wr wbase
run wr w1 --set machine.swap.slow_factor=4 --set machine.swap.slow_from=20ms --set machine.swap.slow_until=60ms
run wr wc --check --set machine.memory_per_node=16MiB --set workloads.seq.size=24MiB \
	--set machine.swap.slow_factor=5 --set machine.swap.slow_every=2
run kill kbase
run kill k1 --set workloads.victim.kill_at=5ms
run kill kterm --set workloads.victim.kill_at=5ms --set workloads.victim.kill_signal=SIGTERM
run kill klate --set workloads.victim.kill_at=20ms
run lock lbase --timeline
run lock l1 --timeline --set workloads.churn.kill_at=1800us
run lock lc --check --set workloads.churn.kill_at=1800us
"$mmsim" report "$tmp/k1" --format json -o "$tmp/k1.report.json" || echo "FAIL: report json"
"$mmsim" validate "$tmp/bad.yaml" > /dev/null 2> "$tmp/bad.err"; echo $? > "$tmp/bad.rc"
"$mmsim" validate "$tmp/slow.yaml" --set machine.swap.slow_from=5ms --set machine.swap.slow_until=2ms \
	> /dev/null 2> "$tmp/bad2.err"; echo $? > "$tmp/bad2.rc"
# a trace process killed in the middle of a touch op: a hugetlb reservation, 48 MiB
# written on 48 MiB (part swapped out), then read again; an observer reads
# /proc/meminfo at 50 ms and 150 ms
mkdir -p "$tmp/tr"
cat > "$tmp/tr/victim.mmt" <<'E'
mmt 1
page_size 4096
0.000000000 100/100 mmap len=4194304 prot=rw flags=private|anonymous|hugetlb = 0x7f0000000000
0.000001000 100/100 mmap len=50331648 prot=rw flags=private|anonymous = 0x7f1000000000
0.000002000 100/100 touch addr=0x7f1000000000 len=50331648 flags=write
0.000003000 100/100 touch addr=0x7f1000000000 len=50331648
E
cat > "$tmp/tr/observer.mmt" <<'E'
mmt 1
page_size 4096
0.000000000 200/200 sleep ns=50000000
0.050000000 200/200 snapshot file=meminfo
0.050000001 200/200 sleep ns=100000000
0.150000000 200/200 snapshot file=meminfo
E
cat > "$tmp/tr/k.yaml" <<'Y'
seed: 1
machine:
  nodes: 1
  cpus_per_node: 2
  memory_per_node: 48MiB
  swap: {size: 128MiB}
kernel: {transparent_hugepage.enabled: never, vm.nr_hugepages: 4}
workloads:
  - {type: trace, name: victim, path: victim.mmt}
  - {type: trace, name: observer, path: observer.mmt}
Y
"$mmsim" run "$tmp/tr/k.yaml" -o "$tmp/tb" --quiet 2>/dev/null || echo "FAIL: run tb"
"$mmsim" run "$tmp/tr/k.yaml" -o "$tmp/tk" --quiet --set workloads.victim.kill_at=100ms 2>/dev/null || echo "FAIL: run tk"
python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
def vm(o):
    return {k: int(x) for k, x in (l.split() for l in open(f"{d}/{o}/vmstat.txt"))}
def summ(o):
    return json.load(open(f"{d}/{o}/summary.json"))
def text(o, f):
    return open(f"{d}/{o}/{f}").read()
def csvrows(o):
    return [l.rstrip("\n").split(",") for l in open(f"{d}/{o}/injected_faults.csv")][1:]
checks = []
def check(name, got, want):
    checks.append((name, got == want, got, want))
def same_but_knobs(a, b):
    """every file byte-identical, but summary.json's and report.md's knob echo"""
    fa, fb = sorted(os.listdir(f"{d}/{a}")), sorted(os.listdir(f"{d}/{b}"))
    if fa != fb:
        return f"files {fa} vs {fb}"
    for f in fa:
        if f in ("summary.json", "report.md") or os.path.isdir(f"{d}/{a}/{f}"):
            continue
        if open(f"{d}/{a}/{f}", "rb").read() != open(f"{d}/{b}/{f}", "rb").read():
            return f"{f} differs"
    sa, sb = summ(a), summ(b)
    for s in (sa, sb):
        s.pop("knobs_changed"); s.pop("host", None)
        s["scenario"] = {k: v for k, v in s["scenario"].items() if ".slow_" not in k and "workloads" != k}
    if sa != sb:
        return "summary.json differs"
    ra = [l for l in text(a, "report.md").splitlines() if "slow_" not in l and "kill_" not in l]
    rb = [l for l in text(b, "report.md").splitlines() if "slow_" not in l and "kill_" not in l]
    return "same" if ra == rb else "report.md differs"

# slow reads
check("slow reads: the figures", csvrows("s1"), [
    ["swap_slow", "reads", "300052992", "350173532", "requests", "154"],
    ["swap_slow", "reads", "300052992", "350173532", "pages", "154"],
    ["swap_slow", "reads", "300052992", "350173532", "device_ns", str(154 * 324000)]])
check("slow reads: the run ends 154 x 216 us later",
      (summ("sbase")["simulated_ns"], summ("s1")["simulated_ns"] - summ("sbase")["simulated_ns"]),
      (464831452, 154 * 216000))
check("slow reads: same counters (one read per major fault)",
      (text("s1", "vmstat.txt") == text("sbase", "vmstat.txt"), vm("s1")["pgmajfault"], vm("s1")["pswpin"]),
      (True, 2044, 2044))
io = lambda o: summ(o)["metrics"]["swap"]["io"]
check("slow reads: the faulting task's swap-in waits (metrics.swap.io)",
      (io("sbase")["read_requests"], io("sbase")["read_ns"], io("s1")["read_ns"] - io("sbase")["read_ns"],
       io("s1")["write_ns"] - io("sbase")["write_ns"]), (2044, 220751998, 154 * 216000, 0))
check("slow reads: report's swap paragraph", "2044 read requests (2044 pages) took 254.016 ms" in text("s1", "report.md"), True)
check("slow reads: the finding", text("s1", "findings.txt"),
      "[0.300052992] injected_fault (x154): swap device slowed (machine.swap.slow_factor 3): "
      "a read request took 3 times as long\n")
rep = text("s1", "report.md")
check("slow reads: report section", ("## Injected faults" in rep,
      "| swap_slow | reads | 300.053 ms | 350.174 ms | requests 154, pages 154, device_ns 49.896 ms |" in rep,
      "- at 300.053 ms: swap device slowed (machine.swap.slow_factor 3): a read request took 3 "
      "times as long (x154, the first at that time)" in rep), (True, True, True))
check("slow window after the run: outputs identical", same_but_knobs("sbase", "slate"), "same")
check("no injection: no section, no csv", ("Injected faults" in text("sbase", "report.md"),
      os.path.exists(f"{d}/sbase/injected_faults.csv")), (False, False))
# slow writes
check("slow writes: the figures", csvrows("w1"), [
    ["swap_slow", "writes", "20583202", "61412643", "requests", "17"],
    ["swap_slow", "writes", "20583202", "61412643", "pages", "544"],
    ["swap_slow", "writes", "20583202", "61412643", "device_ns", "40800001"]])
check("slow writes: the run ends later, same counters",
      (summ("w1")["simulated_ns"] - summ("wbase")["simulated_ns"],
       text("w1", "vmstat.txt") == text("wbase", "vmstat.txt")), (30599961, True))
check("slow writes: writeback 30.6 ms longer, reclaim waits 61.2 ms longer for a free request",
      (io("w1")["write_ns"] - io("wbase")["write_ns"], io("wbase")["request_waits"],
       io("w1")["request_waits"], io("w1")["request_wait_ns"] - io("wbase")["request_wait_ns"],
       io("w1")["writeback_max_pages"]), (30599968, 213, 213, 61200099, 4070))
c = summ("wc")["findings"]["counts"]
check("every 2nd request 5x slower under --check: no invariant broken",
      (c["injected_fault"], c["invariant"], [r[5] for r in csvrows("wc") if r[4] == "requests"]),
      (670, 0, ["518", "152"]))
# kill
kmsg = ("SIGKILL sent to process 1000 (victim) (workloads[].kill_at of victim): 2 threads killed "
        "after 4645 ops, the last exited at 5.913550 ms; its address space held 4643 resident "
        "pages and 0 swap entries")
check("kill: the finding", text("k1", "findings.txt"), f"[0.005000000] injected_fault: {kmsg}\n")
check("kill: SIGTERM named", text("kterm", "findings.txt").startswith(
      "[0.005000000] injected_fault: SIGTERM sent to process 1000 (victim)"), True)
check("kill: the figures", csvrows("k1"), [
    ["kill", "pid 1000 (victim) signal 9", "5000000", "5913550", f, v] for f, v in
    (("threads", "2"), ("ops", "4645"), ("resident_pages", "4643"), ("swap_entries", "0"))])
ops_other = 1 + 8 * 2048
check("kill: ops = the other's + the victim's", (summ("k1")["events"]["ops"], summ("kbase")["events"]["ops"]),
      (ops_other + 4645, ops_other + 2 * (1 + 4 * 4096)))
tl = {int(l.split(",")[0]): l.strip().split(",") for l in open(f"{d}/k1/timeline.csv").readlines()[1:]}
tb = {int(l.split(",")[0]): l.strip().split(",") for l in open(f"{d}/kbase/timeline.csv").readlines()[1:]}
check("kill: at 7 ms only the other's 2048 anonymous pages (base: 8336)",
      (tl[7000000][4], tb[7000000][4]), ("2048", "8336"))
k = vm("k1")
check("kill: every page allocated is freed", (k["pgalloc_normal"], k["pgfree"]), (6706, 6706))
check("kill: threads finished", summ("k1")["events"]["threads_finished"], 3)
kr = json.load(open(f"{d}/k1.report.json"))
check("kill: report json has the section", "Injected faults" in json.dumps(kr) and kmsg in json.dumps(kr), True)
check("kill after the run: outputs identical", same_but_knobs("kbase", "klate"), "same")
# kill while waiting for mmap_lock
def lock_events(o):
    t = json.load(open(f"{d}/{o}/timeline.json"))
    ev = t["traceEvents"] if isinstance(t, dict) else t
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    out = [(names.get((e["pid"], e["tid"]), "?").split(" ")[0], e["ts"], e["dur"], e["args"].get("site"),
            "wait" if "wait_ns" in e["args"] else "hold")
           for e in ev if e.get("ph") == "X" and "mmap_lock" in e.get("name", "")]
    return sorted(out, key=lambda x: x[1])
lb, l1 = lock_events("lbase"), lock_events("l1")
w = [e for e in lb if e[0] == "churn/1" and e[4] == "wait" and e[1] < 1800 < e[1] + e[2]]
check("mmap_lock: thread 1 waits across 1.8 ms in the base run", w, [("churn/1", 1736.32, 169.75, "touch_range", "wait")])
check("mmap_lock: the killed run's last lock events", [e for e in l1 if e[1] >= 1735.8], [
    ("churn/2", 1735.83, 1.5, "vm_munmap", "wait"),
    ("churn/1", 1736.32, 169.75, "touch_range", "wait"),
    ("churn/2", 1737.35, 167.22, "vm_munmap", "hold"),
    ("churn/1", 1906.13, 0.45, "touch_range", "hold"),
    ("churn/1", 1906.6, 5.92, "exit_mmap", "hold")])
check("mmap_lock: the finding", text("l1", "findings.txt"),
      "[0.001800000] injected_fault: SIGKILL sent to process 1000 (churn) (workloads[].kill_at of "
      "churn): 2 threads killed after 1939 ops, the last exited at 1.912520 ms; its address space "
      "held 57 resident pages and 0 swap entries\n")
lv = vm("l1")
check("mmap_lock: no deadlock, pages freed", (summ("l1")["events"]["deadlocks"], lv["pgalloc_normal"], lv["pgfree"]),
      (0, 1939, 1939))
c = summ("lc")["findings"]["counts"]
check("mmap_lock kill under --check: no invariant broken", (c["injected_fault"], c["invariant"], c["deadlock"]), (1, 0, 0))
# a trace process killed in the middle of a touch
def meminfo(o, n):
    return {l.split(":")[0]: int(l.split()[1]) for l in open(f"{d}/{o}/snapshots/000{n}-meminfo")}
mb, mk = meminfo("tb", 2), meminfo("tk", 2)
check("trace kill: the finding", text("tk", "findings.txt"),
      "[0.100000000] injected_fault: SIGKILL sent to process 1000 (victim) (workloads[].kill_at of "
      "victim): 1 thread killed after 3 ops, the last exited at 101.734214 ms; its address space "
      "held 6572 resident pages and 5716 swap entries\n")
check("trace kill: stopped between two pages of its second touch (668 faults of 12288)",
      (vm("tk")["pgfault"] - 12288, vm("tb")["pgfault"], summ("tk")["events"]["ops"]), (668, 24576, 3 + 4))
check("trace kill: at 150 ms its memory, swap slots and hugetlb reservation are gone",
      (mk["AnonPages"], mk["HugePages_Rsvd"], mk["SwapTotal"] - mk["SwapFree"], mk["SwapCached"]),
      (0, 0, 7812, 7812))
check("trace kill: base at 150 ms", (mb["AnonPages"], mb["HugePages_Rsvd"]), (31240, 2))
check("trace kill: the run ends with the observer", (summ("tk")["simulated_ns"], summ("tb")["simulated_ns"]),
      (150000020, 391184279))
# bad values
check("bad values: exit 2", (open(f"{d}/bad.rc").read().strip(), open(f"{d}/bad2.rc").read().strip()), ("2", "2"))
bad = open(f"{d}/bad.err").read()
check("bad values: messages", [l for l in bad.splitlines() if "kill" in l], [
    f"{d}/bad.yaml:3:63: workloads[0].kill_at: 1ms is not after the workload's start (2ms): its processes would be killed before they run",
    f"{d}/bad.yaml:4:60: workloads[1].kill_at: expected a time like 100ns, 5us or 10ms, got \"soon\"",
    f"{d}/bad.yaml:4:79: workloads[1].kill_signal: expected one of SIGKILL|SIGTERM|SIGINT|SIGHUP|SIGQUIT, got \"SIGKIL\" (did you mean \"SIGKILL\"?)"])
check("bad values: slow window", open(f"{d}/bad2.err").read().splitlines()[0],
      "--set machine.swap.slow_until=2ms: 2ms is not after machine.swap.slow_from (5ms): the window is empty (0 = no end)")
bad = [c for c in checks if not c[1]]
for n, _, got, want in bad:
    print(f"FAIL: {n}: {got!r}, expected {want!r}")
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
