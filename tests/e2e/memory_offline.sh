#!/bin/bash
# memory_offline.sh - fault injection machine.offline (mm/memory_hotplug.h): a node's
# memory goes offline at a time, movable pages migrate, unmovable ones fail the attempt as
# the kernel's offline_pages does. Two nodes of 256 MiB, one CPU each; a trace maps 32 MiB,
# binds it to node 1 (mbind), writes it, sleeps 300 ms, then checks where its pages are
# (move_pages, whose recorded result is the expected node), snapshots zoneinfo and node 1's
# meminfo and writes the whole region again. Node 1 goes offline at 100 ms.
#  - mov (task on CPU 0: its page tables on node 0): node 1 offlines whole; its 8192
#    anonymous pages migrate to node 0 (pgmigrate_success 8192), the queries after see
#    node 0, the second write faults nothing (8192 faults for 16384 touches); zoneinfo
#    and node1.meminfo show an empty node, buddyinfo has no node 1 line, node 0's
#    watermarks follow vm.min_free_kbytes for 256 MiB (min 362 -> 512); --check holds;
#  - thp (THP always): the 16 THPs migrate whole (thp_migration_success 16);
#  - pt (task on CPU 1: its 16 PTE tables on node 1): EBUSY at the isolation, nothing
#    migrated, the pages stay on node 1; the zones' free pages (buddy plus pcp lists)
#    right after the attempt equal a run without the knob, and so do the pageblock types;
#  - ptlate (the task moves to CPU 1 and faults a page: one PTE table on node 1 at pfn
#    0x12400): the 18 pageblocks before it are isolated, then restored; free pages and
#    pageblock types right after as without the knob; --check holds;
#  - slab (task on CPU 1 with slab.account_users): the 11 slab pages are named too;
#  - htlb (vm.nr_hugepages=4): the 2 pool pages on node 1 fail it (not modelled: the
#    kernel dissolves free ones and migrates used ones);
#  - late (offline at 10 s, after the run): every output byte-identical to no knob;
#  - busy (64 MiB interleaved over both nodes while written; node 1's top 128 MiB at
#    10 ms, the rest at 30 ms while the process exits): both succeed, the second after
#    retried passes while the exit releases pages; --check holds;
#  - einval (node 0 of 4608 MiB has DMA32 and Normal): offlining all of it is EINVAL;
#  - report.md lists the mov and pt attempts under "Injected faults" (none without the knob).
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# trace NODE_AFTER: the expected node of the pages after the sleep
trace() {
	cat <<T
mmt 1
page_size 4096
0.000001000 1/1 mmap addr=0x10000000 len=33554432 prot=rw flags=private|anonymous|fixed = 0x10000000
0.000002000 1/1 mbind addr=0x10000000 len=33554432 mode=bind nodemask=0x2 = 0
0.000003000 1/1 touch addr=0x10000000 len=33554432 flags=write
0.000004000 1/1 move_pages addr=0x10000000 = 1
${2:-# no more}
0.000005000 1/1 sleep ns=300000000
0.300005000 1/1 move_pages addr=0x10000000 = $1
0.300006000 1/1 move_pages addr=0x11fff000 = $1
0.300007000 1/1 snapshot file=zoneinfo
0.300008000 1/1 snapshot file=node_meminfo node=1
0.300008500 1/1 snapshot file=node_meminfo node=0
0.300009000 1/1 snapshot file=pagetypeinfo
0.300010000 1/1 touch addr=0x10000000 len=33554432 flags=write
0.300011000 1/1 exit
T
}
trace 0 > "$tmp/moved.mmt"
trace 1 > "$tmp/stayed.mmt"
# the task moves to node 1's CPU and faults a page of a new region: its PTE table is
# allocated on node 1 after the 32 MiB (pfn 0x12000, the 17th pageblock of node 1)
trace 1 "0.000004100 1/1 sched_setaffinity nodemask=0x2 = 0
0.000004200 1/1 mmap addr=0x40000000 len=4096 prot=rw flags=private|anonymous|fixed = 0x40000000
0.000004300 1/1 touch addr=0x40000000 len=4096 flags=write" > "$tmp/ptlate.mmt"
# scenario NAME TRACE CPU THP OFFLINE_AT
scenario() {
	mkdir -p "$tmp/$1"
	cat > "$tmp/$1/s.yaml" <<Y
seed: 1
machine:
  nodes: 2
  cpus_per_node: 1
  node_memory: [256MiB, 256MiB]
$([ -n "$5" ] && echo "  offline: [{node: 1, at: $5}]")
kernel: {transparent_hugepage.enabled: $4}
workloads:
  - {type: trace, name: t, path: $tmp/$2.mmt, cpus: "$3"}
Y
}
run() { local d=$1; shift; "$mmsim" run "$tmp/$d/s.yaml" -o "$tmp/$d/out" --quiet "$@" 2>/dev/null || echo "FAIL: run $d: $?"; }
scenario mov moved 0 never 100ms; run mov --check
scenario thp moved 0 always 100ms; run thp --check
scenario pt stayed 1 never 100ms; run pt --check
scenario pt_none stayed 1 never ""; run pt_none
scenario slab stayed 1 never 100ms; run slab --set slab.account_users=true
scenario htlb stayed 0 never 100ms; run htlb --check --set vm.nr_hugepages=4
scenario ptlate ptlate 0 never 100ms; run ptlate --check
scenario ptlate_none ptlate 0 never ""; run ptlate_none
scenario none moved 0 never ""; run none
cp -r "$tmp/none" "$tmp/none_copy"
# the late run: the same file path as "none" (the path is in the outputs)
mv "$tmp/none/out" "$tmp/none_out"
scenario none moved 0 never 10s; run none
mv "$tmp/none/out" "$tmp/late_out"

cat > "$tmp/busy.mmt" <<'T'
mmt 1
page_size 4096
0.000001000 1/1 mmap addr=0x10000000 len=67108864 prot=rw flags=private|anonymous|fixed = 0x10000000
0.000002000 1/1 mbind addr=0x10000000 len=67108864 mode=interleave nodemask=0x3 = 0
0.000003000 1/1 touch addr=0x10000000 len=67108864 flags=write
0.000004000 1/1 touch addr=0x10000000 len=67108864 flags=write
0.000005000 1/1 exit
T
mkdir -p "$tmp/busy"
cat > "$tmp/busy/s.yaml" <<Y
seed: 1
machine:
  nodes: 2
  cpus_per_node: 2
  node_memory: [256MiB, 256MiB]
  offline: [{node: 1, at: 10ms, size: 128MiB}, {node: 1, at: 30ms}]
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: trace, name: t, path: $tmp/busy.mmt, cpus: "0"}
Y
run busy --check
mkdir -p "$tmp/einval"
cat > "$tmp/einval/s.yaml" <<Y
seed: 1
machine:
  nodes: 2
  cpus_per_node: 1
  node_memory: [4608MiB, 256MiB]
  dma32: true
  offline: [{node: 0, at: 1ms}]
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: trace, name: t, path: $tmp/moved.mmt, cpus: "0"}
Y
run einval

python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
def rd(p):
    return open(os.path.join(d, p)).read()
def outdir(o):
    return os.path.join(d, o if o.endswith("_out") else o + "/out")
def summ(o):
    return json.load(open(os.path.join(outdir(o), "summary.json")))
def vm(o):
    return summ(o)["metrics"]["vmstat"]
def snap(o, name):
    sd = os.path.join(outdir(o), "snapshots")
    f = [x for x in sorted(os.listdir(sd)) if x.endswith(name)]
    return open(os.path.join(sd, f[0])).read()
def zones(text):
    """per zone: (free, pcp pages) of a zoneinfo text"""
    out, cur = {}, None
    for l in text.splitlines():
        w = l.split()
        if l.startswith("Node "):
            cur = l.replace(",", "").split()[1] + " " + w[-1]
            out[cur] = [0, 0]
        elif w[:2] == ["pages", "free"]:
            out[cur][0] = int(w[2])
        elif w[:1] == ["count:"]:
            out[cur][1] += int(w[1])
    return out
def field(text, zone, key):
    lines = text.splitlines()
    i = lines.index(zone)
    for l in lines[i + 1:]:
        w = l.split()
        if w[:2] == ["pages", "free"] and key == "free":
            return int(w[2])
        if w and w[0] == key:
            return int(w[1])
checks = []
def check(name, got, want):
    checks.append((name, got == want, got, want))

# mov: a node of movable pages offlines whole
check("mov: finding", rd("mov/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offlined "
      "256 MiB at 100.000 ms: 8192 pages migrated (to node 0: 8192) in 8.538 ms, 0 MiB left online\n")
s = summ("mov")
a = s["metrics"]["memory_offline"]["attempts"][0]
check("mov: attempt", (a["outcome"], a["pages_migrated"], a["migrated_to"], a["migration_failures"],
                       a["passes"], a["size_bytes"]),
      ("offlined", 8192, {"node0": 8192, "node1": 0}, 0, 1, 268435456))
check("mov: per node", s["metrics"]["memory_offline"]["nodes"],
      {"node1": {"attempts": 1, "bytes_offlined": 268435456, "migration_failures": 0,
                 "offlined": 1, "pages_migrated": 8192}})
check("mov: pages on node 0 after, no fault on the second write",
      (s["events"]["ret_mismatch"], vm("mov")["pgfault"], vm("mov")["pgmigrate_success"],
       vm("mov")["pgmigrate_fail"]), (0, 8192, 8192, 0))
check("mov: no invariant broken", s["findings"]["counts"]["invariant"], 0)
z = snap("mov", "zoneinfo")
check("mov: zoneinfo of node 1 after",
      [field(z, "Node 1, zone   Normal", k) for k in ("free", "spanned", "present", "managed", "min", "high")],
      [0, 0, 0, 0, 0, 0])
# vm.min_free_kbytes sqrt(16 x 512 MiB in kB) = 2896 (362 pages a zone) becomes
# sqrt(16 x 256 MiB) = 2048: min 512 pages, low and high a quarter of it apart
check("mov: node 0's watermarks recomputed for 256 MiB",
      [field(z, "Node 0, zone   Normal", k) for k in ("present", "min", "low", "high")], [65536, 512, 640, 768])
check("mov: node 0's watermarks before", [field(snap("none_out", "zoneinfo"), "Node 0, zone   Normal", k)
                                          for k in ("min", "low", "high")], [362, 452, 542])
check("mov: node1 meminfo after", snap("mov", "node1.meminfo").splitlines()[0].split()[-2], "0")
anon = lambda t: [l.split()[-2] for l in t.splitlines() if "AnonPages:" in l]
check("mov: AnonPages per node after: all 32 MiB on node 0",
      (anon(snap("mov", "node0.meminfo")), anon(snap("mov", "node1.meminfo"))), (["32768"], ["0"]))
check("mov: AnonPages per node without the knob: on node 1",
      (anon(snap("none_out", "node0.meminfo")), anon(snap("none_out", "node1.meminfo"))), (["0"], ["32768"]))
check("mov: buddyinfo has no node 1", [l.split(",")[0] for l in rd("mov/out/buddyinfo.txt").splitlines()],
      ["Node 0"])
check("mov: end node1.meminfo", rd("mov/out/node1.meminfo").splitlines()[0].split()[-2], "0")
check("mov: lock_stat shows mem_hotplug_lock held once",
      [l.split()[8] for l in rd("mov/out/lock_stat.txt").splitlines() if "mem_hotplug_lock:" in l], ["1"])

# thp: whole THPs migrate
check("thp: finding", rd("thp/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offlined "
      "256 MiB at 100.000 ms: 8192 pages migrated (to node 0: 8192) in 4.457 ms, 0 MiB left online\n")
check("thp: THPs migrated whole", (vm("thp")["thp_migration_success"], vm("thp")["thp_migration_split"],
                                   vm("thp")["pgmigrate_success"], summ("thp")["events"]["ret_mismatch"],
                                   summ("thp")["findings"]["counts"]["invariant"]),
      (16, 0, 8192, 0, 0))

# pt: page tables on node 1 make the isolation fail; nothing is lost
check("pt: finding", rd("pt/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offline of "
      "256 MiB failed at 100.000 ms with EBUSY (failure to isolate range): 16 unmovable pages (page tables 16), the first "
      "at pfn 0x10000 (page tables); isolation undone\n")
# report.md says what happened and when, in its Injected faults section
def injected(o):
    rep = rd(o + "/out/report.md")
    sec = rep.split("## Injected faults\n", 1)[1].split("\n## ", 1)[0] if "## Injected faults\n" in rep else ""
    return [l for l in sec.splitlines() if l.startswith("- at ")]
check("mov: report.md's Injected faults", injected("mov"),
      ["- at 100.000 ms: memory offline (machine.offline[0]): node 1: offlined 256 MiB at 100.000 ms: "
       "8192 pages migrated (to node 0: 8192) in 8.538 ms, 0 MiB left online"])
check("pt: report.md's Injected faults", injected("pt"),
      ["- at 100.000 ms: memory offline (machine.offline[0]): node 1: offline of 256 MiB failed at "
       "100.000 ms with EBUSY (failure to isolate range): 16 unmovable pages (page tables 16), the first "
       "at pfn 0x10000 (page tables); isolation undone"])
check("no knob: no Injected faults section", "## Injected faults" in rd("none_out/report.md"), False)
s = summ("pt")
a = s["metrics"]["memory_offline"]["attempts"][0]
check("pt: attempt", (a["outcome"], a["pages_migrated"], a["unmovable_pages"], a["passes"]), ("EBUSY", 0, 16, 0))
check("pt: pages still on node 1, nothing migrated",
      (s["events"]["ret_mismatch"], vm("pt")["pgmigrate_success"], s["findings"]["counts"]["invariant"]), (0, 0, 0))
zp, zn = zones(snap("pt", "zoneinfo")), zones(snap("pt_none", "zoneinfo"))
check("pt: free pages (buddy + pcp) per zone as without the knob",
      {k: sum(v) for k, v in zp.items()}, {k: sum(v) for k, v in zn.items()})
check("pt: node 1 free pages after the attempt", zp["1 Normal"], [57328, 0])
check("pt: node 1 still present", field(snap("pt", "zoneinfo"), "Node 1, zone   Normal", "present"), 65536)
check("pt: pageblock types as without the knob",
      snap("pt", "pagetypeinfo").split("Number of blocks type")[1],
      snap("pt_none", "pagetypeinfo").split("Number of blocks type")[1])

# ptlate: 18 pageblocks isolated before the one with the page table; all restored
check("ptlate: finding", rd("ptlate/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offline of "
      "256 MiB failed at 100.000 ms with EBUSY (failure to isolate range): 1 unmovable page (page tables 1), the first "
      "at pfn 0x12400 (page tables); isolation undone\n")
zp, zn = zones(snap("ptlate", "zoneinfo")), zones(snap("ptlate_none", "zoneinfo"))
check("ptlate: free pages (buddy + pcp) per zone as without the knob",
      {k: sum(v) for k, v in zp.items()}, {k: sum(v) for k, v in zn.items()})
check("ptlate: free pages (buddy + pcp) per zone at the end as without the knob",
      {k: sum(v) for k, v in zones(rd("ptlate/out/zoneinfo.txt")).items()},
      {k: sum(v) for k, v in zones(rd("ptlate_none/out/zoneinfo.txt")).items()})
check("ptlate: pgfree as without the knob", vm("ptlate")["pgfree"], vm("ptlate_none")["pgfree"])
check("ptlate: pageblock types as without the knob",
      snap("ptlate", "pagetypeinfo").split("Number of blocks type")[1],
      snap("ptlate_none", "pagetypeinfo").split("Number of blocks type")[1])
check("ptlate: no invariant broken, pages stay", (summ("ptlate")["findings"]["counts"]["invariant"],
      summ("ptlate")["events"]["ret_mismatch"]), (0, 0))

# slab: slab pages are unmovable too
check("slab: finding", rd("slab/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offline of "
      "256 MiB failed at 100.000 ms with EBUSY (failure to isolate range): 27 unmovable pages (slab 11, page tables 16), "
      "the first at pfn 0x10000 (slab); isolation undone\n")

# htlb: hugetlb pool pages (2 of vm.nr_hugepages=4 on node 1) are not dissolved or
# migrated by this model: the attempt fails on them, saying so
check("htlb: finding", rd("htlb/out/findings.txt"),
      "[0.100000000] injected_fault: memory offline (machine.offline[0]): node 1: offline of "
      "256 MiB failed at 100.000 ms with EBUSY (failure to isolate range): 1024 unmovable pages (hugetlb (migration not "
      "modelled) 1024), the first at pfn 0x10000 (hugetlb (migration not modelled)); isolation undone\n")
check("htlb: the pool intact, no invariant broken",
      (summ("htlb")["metrics"]["hugetlb"]["nodes"], summ("htlb")["findings"]["counts"]["invariant"]),
      ({"node0": {"Free": 2, "Surp": 0, "Total": 2}, "node1": {"Free": 2, "Surp": 0, "Total": 2}}, 0))

# late: after the run, nothing changes
for f in sorted(os.listdir(os.path.join(d, "none_out"))):
    p1, p2 = os.path.join(d, "none_out", f), os.path.join(d, "late_out", f)
    if os.path.isdir(p1):
        continue
    if f == "summary.json":
        j1, j2 = json.load(open(p1)), json.load(open(p2))
        j1.pop("host"); j2.pop("host")
        check("late: summary.json (but host)", j1 == j2, True)
    else:
        check("late: " + f, open(p1, "rb").read() == open(p2, "rb").read(), True)
check("late: no finding", rd("late_out/findings.txt"), "no findings\n")

# busy: offline while the process writes and exits
check("busy: findings", rd("busy/out/findings.txt"),
      "[0.010000000] injected_fault: memory offline (machine.offline[0]): node 1: offlined "
      "128 MiB at 10.000 ms: 0 pages migrated in 1.035 ms, 128 MiB left online\n"
      "[0.030000000] injected_fault: memory offline (machine.offline[1]): node 1: offlined "
      "128 MiB at 30.000 ms: 3001 pages migrated (to node 0: 3001) in 6.207 ms, 0 MiB left online\n")
a = summ("busy")["metrics"]["memory_offline"]["attempts"][1]
check("busy: retried passes", (a["passes"], a["migration_failures"]), (4, 4563))
check("busy: no invariant broken", summ("busy")["findings"]["counts"]["invariant"], 0)
check("busy: node 1 empty at the end", rd("busy/out/node1.meminfo").splitlines()[0].split()[-2], "0")

# einval: a range across two zones
check("einval: finding", rd("einval/out/findings.txt"),
      "[0.001000000] injected_fault: memory offline (machine.offline[0]): node 0: offline of "
      "4608 MiB failed at 1.000 ms with EINVAL: the range spans zones DMA32 and Normal "
      "(test_pages_in_a_zone)\n")

bad = [c for c in checks if not c[1]]
for n, _, got, want in bad:
    print(f"FAIL: {n}: {got!r}, expected {want!r}")
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
