#!/bin/bash
# pte_runs.sh - PTE runs (mm/pgtable.h: a PTE table kept as a base pfn and bit planes
# while its entries map pfn base + index) change nothing but host memory: each scenario
# runs as shipped (runs) and with debug.plain_pte_tables=true (every table a 4 KiB array
# from the start, the build before runs), and the two out dirs are byte-identical: every
# file, summary.json without its "host" object and the knob's own echo. The scenarios:
# anonymous write faults kept mapped (and the same under --check), configs/default.yaml,
# a trace of the paths that rewrite PTEs (mprotect both ways, fork and COW in parent and
# child, MADV_DONTNEED and refault, MADV_FREE, mremap, move_pages and mbind(MPOL_MF_MOVE)
# migrating pages to the other node, a zero-page read then a write), swap (swap_storm
# reduced as in lazy_zones), THP faults, splits and forks (thp_churn), khugepaged
# collapse with swap-in (seed 001 reduced), compaction (the trace's compact_memory, seed
# 003's direct compaction), NUMA spill, and memory offline migrating a node's pages (the
# trace again with node 1 offlined while its pages are mapped).
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"
cd "$here"

# run NAME ARGS...: the scenario as shipped ($tmp/NAME.a) and with debug.plain_pte_tables=true
# ($tmp/NAME.b), then compare
run() { run_both_ways "$mmsim" debug.plain_pte_tables "$@"; }

# summ DIR EXPR: a value of DIR/summary.json (e: events, m: metrics, v: vmstat)
summ() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1] + "/summary.json"))
m = d["metrics"]
print(eval(sys.argv[2], {}, {"d": d, "e": d["events"], "m": m, "v": m["vmstat"]}))' "$1" "$2"
}

cat > "$tmp/seq.yaml" <<Y
machine: {nodes: 1, cpus_per_node: 1, memory_per_node: 512MiB}
workloads:
  - {type: sequential_touch, threads: 1, size: 64MiB, name: p0, unmap: false}
Y

# The trace: 16 MiB written on node 0, then every PTE-rewriting path on parts of it.
cat > "$tmp/paths.mmt" <<'T'
mmt 1
page_size 4096
0.000001000 1/1 mmap addr=0x10000000 len=16777216 prot=rw flags=private|anonymous|fixed = 0x10000000
0.000002000 1/1 touch addr=0x10000000 len=16777216 flags=write
0.000003000 1/1 mprotect addr=0x10400000 len=4194304 prot=r = 0
0.000004000 1/1 touch addr=0x10000000 len=8388608
0.000005000 1/1 mprotect addr=0x10400000 len=4194304 prot=rw = 0
0.000006000 1/1 touch addr=0x10400000 len=4194304 flags=write
0.000007000 1/1 fork id=2 = 2
0.000008000 2/2 touch addr=0x10000000 len=2097152 flags=write
0.000009000 2/2 touch addr=0x10200000 len=2097152
0.000010000 2/2 exit
0.000011000 1/1 touch addr=0x10200000 len=1048576 flags=write
0.000012000 1/1 wait4 id=2 = 2
0.000013000 1/1 madvise addr=0x10800000 len=1048576 advice=dontneed = 0
0.000014000 1/1 touch addr=0x10800000 len=1048576 flags=write
0.000015000 1/1 madvise addr=0x10900000 len=1048576 advice=free = 0
0.000016000 1/1 touch addr=0x10900000 len=524288 flags=write
0.000017000 1/1 mremap addr=0x10a00000 len=2097152 addr2=0x20000000 len2=2097152 flags=maymove|fixed = 0x20000000
0.000018000 1/1 touch addr=0x20000000 len=2097152 flags=write
0.000019000 1/1 move_pages addr=0x10c00000 node=1 = 1
0.000020000 1/1 move_pages addr=0x10c01000 node=1 = 1
0.000021000 1/1 mbind addr=0x10d00000 len=1048576 mode=bind nodemask=0x2 flags=move = 0
0.000022000 1/1 touch addr=0x10c00000 len=2097152 flags=write
0.000022500 1/1 compact_memory node=0
0.000023000 1/1 mmap addr=0x30000000 len=4194304 prot=rw flags=private|anonymous|fixed = 0x30000000
0.000024000 1/1 touch addr=0x30000000 len=2097152
0.000025000 1/1 touch addr=0x30000000 len=1048576 flags=write
0.000026000 1/1 snapshot file=smaps
0.000027000 1/1 sleep ns=200000000
0.200027000 1/1 touch addr=0x10000000 len=10485760 flags=write
0.200028000 1/1 munmap addr=0x10000000 len=16777216 = 0
0.200029000 1/1 exit
T
paths_yaml() {
	cat <<Y
seed: 1
machine:
  nodes: 2
  cpus_per_node: 1
  node_memory: [256MiB, 256MiB]
$1
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: trace, name: t, path: $tmp/paths.mmt, cpus: "0"}
Y
}
paths_yaml "" > "$tmp/paths.yaml"
paths_yaml "  offline: [{node: 1, at: 100ms}]" > "$tmp/offline.yaml"

run seq "$tmp/seq.yaml"
run seq_check "$tmp/seq.yaml" --check
run default configs/default.yaml
run paths "$tmp/paths.yaml" --check
run offline "$tmp/offline.yaml"
run swap_storm configs/examples/swap_storm.yaml --set workloads.storm.cycles=1 \
	--set workloads.storm.size=24MiB --set machine.memory_per_node=64MiB \
	--set machine.swap.size=256MiB
run thp_churn configs/examples/thp_churn.yaml
run seed001 configs/seeds/001-khugepaged-swapin.yaml --set workloads.ebru.size=96MiB \
	--set workloads.ebru.hold=3s --set workloads.ebru.fault_start=1s \
	--set workloads.ebru.fault_touches=30000 --set machine.memory_per_node=256MiB
run seed003_highalloc configs/seeds/003-highalloc.yaml
run numa_spill configs/examples/numa_spill.yaml

# the scenarios did what they are here for (the same with runs and without, as above)
p=$tmp/paths.a
# chk NAME EXPR WANT: the runs' value of EXPR (as summ prints it) is WANT
chk() { local got; got=$(summ "$tmp/$1.a" "$2"); [ "$got" = "$3" ] && ok || ko "$1: $2 = $got, want $3"; }
chk paths '(m["faults"], m["segv"], e["ret_mismatch"], v["pgmigrate_success"], v["compact_migrate_scanned"])' \
	"(8960, 0, 0, 616, 402)"
chk offline '(m["faults"], v["pgmigrate_success"])' "(8960, 874)"
chk seq 'm["faults"]' 16384
chk swap_storm '(v["pswpout"], v["pswpin"])' "(34888, 24797)"
chk thp_churn '(v["thp_fault_alloc"], v["thp_split_pmd"], v["thp_collapse_alloc"])' "(100, 51, 14)"
chk seed001 '(v["pswpin"], v["thp_collapse_alloc"])' "(24576, 1276)"
chk seed003_highalloc '(v["pgfault"], v["pgmigrate_success"])' "(750, 77)"
# the knob is a knob: listed, and refused with a located message when it is not a boolean
"$mmsim" knobs | grep -q "^debug.plain_pte_tables" && ok || ko "mmsim knobs lists no debug.plain_pte_tables"
"$mmsim" run "$tmp/seq.yaml" -o "$tmp/bad" --set debug.plain_pte_tables=maybe 2> "$tmp/bad.err"
[ $? = 2 ] && ok || ko "debug.plain_pte_tables=maybe: exit not 2"
grep -q "debug.plain_pte_tables" "$tmp/bad.err" && ok || ko "bad value message: $(cat "$tmp/bad.err")"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
