#!/bin/bash
# swap_faults.sh - fault injection on the swap device (mm/page_io.h): every Nth request
# in a time window fails, and the models react as the kernel does. A 48 MiB working set
# written twice on a 32 MiB machine (seed 1):
#  - no injection: no finding; pswpout 17396, pgrotated 17378 (each written page rotated
#    at its end of writeback, but 18 isolated or dirty by then);
#  - every 4th write request from 20 ms to 60 ms fails (end_swap_bio_write's error path):
#    16 requests of 32 pages, first at 22.386864 ms, reported once with the count; the
#    512 pages stay dirty in the swap cache and are not rotated (pgrotated = nr_written -
#    512) and are written again (pswpout 21076); the run completes;
#  - every 5th read request fails: the 5th major fault (at 107.613963 ms) gets SIGBUS,
#    the process dies there (pswpin 23: 5 faults with their readahead; the run ends at
#    108.862343 ms instead of 450 ms), report.md says so under its findings;
#  - a window that starts after the run: nothing fails, the same vmstat as no injection;
#  - under --check (a smaller run, every 3rd write failing): no invariant broken.
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/s.yaml" <<'Y'
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
run() { local o=$1; shift; "$mmsim" run "$tmp/s.yaml" -o "$tmp/$o" --quiet "$@" || echo "FAIL: run $o: $?"; }
run base
run w --set machine.swap.fail_write_every=4 --set machine.swap.fail_from=20ms --set machine.swap.fail_until=60ms
run r --set machine.swap.fail_read_every=5
run late --set machine.swap.fail_read_every=1 --set machine.swap.fail_write_every=1 --set machine.swap.fail_from=10s
run c --check --set machine.memory_per_node=16MiB --set workloads.seq.size=24MiB --set machine.swap.fail_write_every=3
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def vm(o):
    return {k: int(x) for k, x in (l.split() for l in open(f"{d}/{o}/vmstat.txt"))}
def summ(o):
    return json.load(open(f"{d}/{o}/summary.json"))
b, w, r = vm("base"), vm("w"), vm("r")
checks = []
def check(name, got, want):
    checks.append((name, got == want, got, want))
check("base: no finding", open(f"{d}/base/findings.txt").read(), "no findings\n")
check("base: pswpout, pgrotated", (b["pswpout"], b["pgrotated"]), (17396, 17378))
check("write errors: the finding, its first time and count", open(f"{d}/w/findings.txt").read(),
      "[0.022386864] injected_fault (x16): Write-error on swap-device: a request of 32 pages "
      "failed; they stay dirty in the swap cache (machine.swap.fail_write_every)\n")
check("write errors: failed pages not rotated, written again",
      (w["nr_written"] - w["pgrotated"], w["pswpout"], w["nr_written"], w["oom_kill"]), (512, 21076, 21076, 0))
check("write errors: the run completes", summ("w")["simulated_ns"], 451857389)
check("read error: the finding", open(f"{d}/r/findings.txt").read(),
      "[0.107613963] injected_fault: swap read error (machine.swap.fail_read_every): task 0 "
      "(seq) killed by SIGBUS faulting at 0x10000000b000\n")
check("read error: killed at the 5th major fault", (r["pgmajfault"], r["pswpin"], summ("r")["simulated_ns"]),
      (5, 23, 108862343))
check("read error: in report.md", "killed by SIGBUS faulting at 0x10000000b000" in open(f"{d}/r/report.md").read(), True)
check("read error: counted in summary.json", summ("r")["findings"]["counts"]["injected_fault"], 1)
check("window after the run: nothing fails",
      (open(f"{d}/late/findings.txt").read(), open(f"{d}/late/vmstat.txt").read() == open(f"{d}/base/vmstat.txt").read()),
      ("no findings\n", True))
c = summ("c")["findings"]["counts"]
check("--check with write errors: injected, no invariant broken", (c["injected_fault"] > 0, c["invariant"]), (True, 0))
bad = [c for c in checks if not c[1]]
for n, _, got, want in bad:
    print(f"FAIL: {n}: {got!r}, expected {want!r}")
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
