#!/bin/bash
# host_limits.sh - a machine that cannot be represented in the host's memory is refused up
# front (issue 21): exit 2 with the machine. keys, the estimate and the limit, before any
# output is written; --max-memory below the estimate is refused the same way; a normal
# machine runs. MMSIM_HOST_AVAILABLE stands for /proc/meminfo's MemAvailable, so that the
# messages do not depend on this host's RAM. The estimate (sim/host_limits.c):
# 34 MiB + 24 B per page + 8 B per pageblock + 6 B per swap slot.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat > "$tmp/big.yaml" <<'YAML'
machine:
  nodes: 64
  cpus_per_node: 1
  memory_per_node: 1TiB
workloads:
  - type: sequential_touch
    size: 4KiB
YAML
# 64 TiB: 2^34 pages x 24 B = 384 GiB (+ 34 MiB + 256 MiB of pageblock maps)
MMSIM_HOST_AVAILABLE=22GiB "$mmsim" run "$tmp/big.yaml" -o "$tmp/out" >"$tmp/o" 2>"$tmp/e"
rc=$?
[ $rc = 2 ] && ok || ko "64 TiB: exit $rc (want 2)"
want="$tmp/big.yaml: machine.nodes x machine.memory_per_node = 64TiB needs about 384 GiB of host memory at start-up; this host has 22 GiB available"
[ "$(cat "$tmp/e")" = "$want" ] && ok || ko "64 TiB message: $(cat "$tmp/e")"
[ ! -e "$tmp/out" ] && ok || ko "64 TiB: an out dir was made"
# with --max-memory above the host's figure, the host's is the limit and both are named
MMSIM_HOST_AVAILABLE=22GiB "$mmsim" run "$tmp/big.yaml" -o "$tmp/out" --max-memory 100GiB 2>"$tmp/e"
want="$tmp/big.yaml: machine.nodes x machine.memory_per_node = 64TiB needs about 384 GiB of host memory at start-up; this host has 22 GiB available (--max-memory 100 GiB)"
[ "$(cat "$tmp/e")" = "$want" ] && ok || ko "64 TiB --max-memory 100GiB: $(cat "$tmp/e")"
# per-node sizes and swap are named by their keys
cat > "$tmp/nodes.yaml" <<'YAML'
machine:
  nodes: 2
  cpus_per_node: 1
  node_memory: [256GiB, 512GiB]
  swap:
    size: 1TiB
workloads:
  - type: sequential_touch
    size: 4KiB
YAML
# 768 GiB: 3 x 2^26 pages x 24 B = 4.5 GiB; 1 TiB of swap: 2^28 slots x 6 B = 1.5 GiB; + 34 MiB + 3 MiB
MMSIM_HOST_AVAILABLE=5GiB "$mmsim" validate "$tmp/nodes.yaml" >"$tmp/o" 2>"$tmp/e"
want="$tmp/nodes.yaml: host memory at start-up: about 6.0 GiB (this host has 5.0 GiB available)"
[ "$(sed -n 2p "$tmp/o")" = "$want" ] && ok || ko "validate estimate: $(cat "$tmp/o" "$tmp/e")"
MMSIM_HOST_AVAILABLE=5GiB "$mmsim" run "$tmp/nodes.yaml" -o "$tmp/out" 2>"$tmp/e"
rc=$?
want="$tmp/nodes.yaml: machine.node_memory = 768GiB + machine.swap.size = 1TiB needs about 6.0 GiB of host memory at start-up; this host has 5.0 GiB available"
[ $rc = 2 ] && [ "$(cat "$tmp/e")" = "$want" ] && ok || ko "768 GiB + swap in 7 GiB: $rc $(cat "$tmp/e")"

# a normal machine runs; --max-memory below its estimate (1 GiB: 34 MiB + 6 MiB) is refused
"$mmsim" run "$tmp/big.yaml" -o "$tmp/small" --quiet --set machine.nodes=1 \
	--set machine.memory_per_node=1GiB 2>"$tmp/e"
rc=$?
[ $rc = 0 ] && [ -s "$tmp/small/summary.json" ] && ok || ko "1 GiB: exit $rc $(cat "$tmp/e")"
MMSIM_HOST_AVAILABLE=22GiB "$mmsim" validate "$tmp/big.yaml" --set machine.nodes=1 \
	--set machine.memory_per_node=1GiB >"$tmp/o"
want="$tmp/big.yaml: host memory at start-up: about 40 MiB (this host has 22 GiB available)"
[ "$(sed -n 2p "$tmp/o")" = "$want" ] && ok || ko "validate 1 GiB: $(cat "$tmp/o")"
MMSIM_HOST_AVAILABLE=22GiB "$mmsim" run "$tmp/big.yaml" -o "$tmp/lim" --set machine.nodes=1 \
	--set machine.memory_per_node=1GiB --max-memory 32MiB 2>"$tmp/e"
rc=$?
want="$tmp/big.yaml: machine.nodes x machine.memory_per_node = 1GiB needs about 40 MiB of host memory at start-up; --max-memory is 32 MiB (this host has 22 GiB available)"
[ $rc = 2 ] && [ "$(cat "$tmp/e")" = "$want" ] && ok || ko "--max-memory 32MiB: $rc $(cat "$tmp/e")"
[ ! -e "$tmp/lim" ] && ok || ko "--max-memory 32MiB: an out dir was made"

# the knob itself is checked
MMSIM_HOST_AVAILABLE=lots "$mmsim" run "$tmp/big.yaml" -o "$tmp/x" 2>"$tmp/e"
rc=$?
[ $rc = 2 ] && [ "$(cat "$tmp/e")" = 'mmsim: MMSIM_HOST_AVAILABLE: expected a size like 16GiB, got "lots"' ] && ok || ko "MMSIM_HOST_AVAILABLE=lots: $rc $(cat "$tmp/e")"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
