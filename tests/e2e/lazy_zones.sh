#!/bin/bash
# lazy_zones.sh - implicit max-order blocks (struct zone_lazy, mm/mmzone.h) change nothing
# but host memory: each config runs as shipped (lazy zones) and with debug.eager_zones=true
# (every free block linked at start-up, the build before deferral), and the two out dirs
# are byte-identical: every file, summary.json without its "host" object and the knob's
# own echo (summary.json scenario/knobs_changed, report.md's knob table). The configs
# cover compaction (highalloc's compact_memory, seed 003's direct and proactive compaction,
# thp_churn), slab defragmentation (seed 003 movable slab), hugetlb (seed 004), swap
# (swap_storm, reduced as check_suite runs it), NUMA spill and the 8-node machine
# (big-numa reduced to 8 x 1 GiB), and a --check run.
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"
cd "$here"

# run NAME ARGS...: the scenario as shipped ($tmp/NAME.a) and with debug.eager_zones=true
# ($tmp/NAME.b), then compare
run() { run_both_ways "$mmsim" debug.eager_zones "$@"; }

run default configs/default.yaml
run highalloc configs/examples/highalloc.yaml
# with 2 GiB nodes compact_memory's scanners meet 252 blocks still implicit, and the 256 MiB
# slab seed's compaction 33: they are described on the way (and --check checks them)
run highalloc_2g configs/examples/highalloc.yaml --set machine.memory_per_node=2GiB
run highalloc_2g_check configs/examples/highalloc.yaml --set machine.memory_per_node=2GiB --check
run thp_churn configs/examples/thp_churn.yaml
run numa_spill configs/examples/numa_spill.yaml
run seed003_highalloc configs/seeds/003-highalloc.yaml
run seed003_slab configs/seeds/003-movable-slab.yaml
run seed003_slab_256m configs/seeds/003-movable-slab.yaml --set machine.memory_per_node=256MiB
run seed004 configs/seeds/004-hugetlb-split.yaml
run swap_storm configs/examples/swap_storm.yaml --set workloads.storm.cycles=1 \
	--set workloads.storm.size=24MiB --set machine.memory_per_node=64MiB \
	--set machine.swap.size=256MiB
run big_numa configs/examples/big-numa.yaml --set machine.memory_per_node=1GiB \
	--set workloads.crowd.threads=64
# the knob is a knob: listed, and refused with a located message when it is not a boolean
"$mmsim" knobs | grep -q "^debug.eager_zones" && ok || ko "mmsim knobs lists no debug.eager_zones"
"$mmsim" run configs/default.yaml -o "$tmp/bad" --set debug.eager_zones=maybe 2> "$tmp/bad.err"
[ $? = 2 ] && ok || ko "debug.eager_zones=maybe: exit not 2"
grep -q "debug.eager_zones" "$tmp/bad.err" && ok || ko "bad value message: $(cat "$tmp/bad.err")"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
