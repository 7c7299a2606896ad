#!/bin/bash
# numa_import.sh - the NUMA ground-truth logs of tests/real/numa import and replay without
# the mempolicy model: every NUMA call of the three logs decodes (no import error; exact
# counts of records and of the calls not imported, by type), the replay writes one numastat
# snapshot per node and read (NNNN-nodeN.numastat, in the real file's format: the keys of
# the guest's own numastat in the same order) and one numa_maps snapshot per step, and the
# steps that need no model match the real kernel (numa_oracle.sh model-free).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$here/real/numa
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# name records not-imported snapshots ops-by-kind (the NUMA ones)
check() {
	local name=$1 records=$2 skipped=$3 snaps=$4 numa=$5
	"$mmsim" trace stat "$dir/$name.strace" >"$out/$name.stat" 2>&1 || {
		cat "$out/$name.stat"; fail "$name: trace stat"; }
	grep -qx "records: $records" "$out/$name.stat" || fail "$name: not $records records: $(grep records: "$out/$name.stat")"
	grep -qx "not imported: $skipped" "$out/$name.stat" || fail "$name: not $skipped calls not imported"
	got=$(awk '/^  (set_mempolicy|mbind|get_mempolicy|set_mempolicy_home_node|migrate_pages|move_pages|sched_setaffinity|snapshot) /{printf "%s=%s ", $1, $2}' "$out/$name.stat")
	[ "$got" = "$numa" ] || fail "$name: NUMA ops: got \"$got\", want \"$numa\""
	"$mmsim" replay "$dir/$name.strace" --machine "$dir/machine.yaml" --mode open \
		-o "$out/$name" --quiet || fail "$name: replay"
	n=$(ls "$out/$name/snapshots" | wc -l)
	[ "$n" = "$snaps" ] || fail "$name: $n snapshots, want $snaps"
	# numastat snapshots: nodes 0..3 in turn, each in the guest's format
	keys=$(sed -n '2,7p' "$dir/$name.numastat.before" | cut -d' ' -f1 | tr '\n' ' ')
	i=0
	for f in "$out/$name/snapshots"/*-node*.numastat; do
		[[ $(basename "$f") =~ ^[0-9]{4}-node$((i % 4))\.numastat$ ]] || fail "$name: $(basename "$f") out of turn"
		k=$(cut -d' ' -f1 "$f" | tr '\n' ' ')
		[ "$k" = "$keys" ] || fail "$name: $(basename "$f"): keys \"$k\", the guest's \"$keys\""
		grep -qvE '^[a-z_]+ [0-9]+$' "$f" && fail "$name: $(basename "$f"): a line is not \"name count\""
		i=$((i + 1))
	done
	steps=$(grep -c '^== ' "$dir/$name.truth")
	[ $((i / 8)) = "$steps" ] || fail "$name: $i numastat snapshots for $steps steps"
}
check numa_policy 223 8 81 "mbind=3 set_mempolicy=17 snapshot=81 get_mempolicy=13 set_mempolicy_home_node=6 move_pages=64 sched_setaffinity=2 "
check numa_mbind 261 11 126 "mbind=11 snapshot=126 get_mempolicy=7 migrate_pages=4 move_pages=74 sched_setaffinity=1 "
check numa_shared 111 8 46 "mbind=1 snapshot=46 get_mempolicy=4 move_pages=24 sched_setaffinity=1 "
# a mask beyond node 63 stops the import and the replay with the line, exit status 2
printf '7 10:00:00.000000 set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0\n7 10:00:00.000010 set_mempolicy(MPOL_BIND, [0x00000000000001, 0x00000000000001], 129) = 0\n' >"$out/wide.strace"
want="$out/wide.strace:2: set_mempolicy: nodemask has node 64 set; mmsim's ops carry nodes 0..63 only"
for cmd in "trace convert $out/wide.strace $out/wide.mmt" "replay $out/wide.strace -o $out/wide --quiet"; do
	set +e
	msg=$($mmsim $cmd 2>&1)
	rc=$?
	set -e
	[ $rc = 2 ] || fail "mmsim $cmd: exit $rc, want 2"
	[ "$msg" = "$want" ] || fail "mmsim $cmd: \"$msg\", want \"$want\""
	[ ! -e "$out/wide.mmt" ] && [ ! -e "$out/wide" ] || fail "mmsim $cmd left an output behind"
done
bash "$here/e2e/numa_oracle.sh" "$mmsim" model-free
