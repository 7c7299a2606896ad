#!/bin/bash
# check_suite.sh - the whole scenario suite once under --check (ctest label "check"):
# every shipped scenario (configs/default.yaml, configs/examples/*.yaml,
# configs/seeds/*.yaml) and every tests/scenarios/*.yaml. Each config runs plain and under
# --check (default interval: the incremental checks after every op, full walks every
# nr_pages/16 ops and at the end); both exit 0, the checked run adds no finding (the
# plain run's findings, such as seed 000's ref_leak or seed 004's resv_drift, are results
# of the model and stay), and it computes the same run (every metric of summary.json and the
# simulated time are the same: checking charges no time). tests/scenarios/*.yaml under --check
# give their exact expected figures. Long configs run reduced with --set (below).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A reduce=(
	# a quarter of the storm, as swap_storm.sh checks it
	[configs/examples/swap_storm.yaml]="--set workloads.storm.cycles=1 --set workloads.storm.size=24MiB --set machine.memory_per_node=64MiB --set machine.swap.size=256MiB"
	# 200 MiB instead of 800 (still swapped out and collapsed back), the faulting phase shorter
	# 8 nodes of 1 GiB and 64 threads instead of 128 GiB and 1,024 (the same code paths)
	[configs/examples/big-numa.yaml]="--set machine.memory_per_node=1GiB --set workloads.crowd.threads=64"
	# hours of churn: the 1/720 run on 4 x 128 MiB that soak.sh checks
	[configs/examples/soak.yaml]="--set workloads.swapper.accesses=200 --set workloads.thp.cycles=10 --set workloads.hugetlb.iterations=10 --set workloads.interleave.passes=3 --set workloads.slab.files=8 --set workloads.swapper.size=64MiB --set workloads.swapper.window=16MiB --set machine.memory_per_node=128MiB"
	# 12 compiles instead of 225, 600 churned files, 4 order-9 bursts
	[configs/seeds/003-kernel-build.yaml]="--set workloads.kb.compiles=4 --set workloads.churn.files=600 --set workloads.huge.rounds=4"
	[configs/seeds/001-khugepaged-swapin.yaml]="--set workloads.ebru.size=200MiB --set workloads.ebru.fault_touches=30000 --set workloads.ebru.hold=2s --set workloads.ebru.fault_start=1s --set machine.memory_per_node=512MiB --set machine.swap.size=256MiB"
)
cd "$here"
n=0
for f in configs/default.yaml configs/examples/*.yaml configs/seeds/*.yaml; do
	n=$((n + 1))
	# shellcheck disable=SC2206
	sets=(${reduce[$f]:-})
	"$mmsim" run "$f" -o "$tmp/$n.plain" --quiet "${sets[@]}" 2> "$tmp/$n.plain.err"
	echo $? > "$tmp/$n.plain.rc"
	"$mmsim" run "$f" -o "$tmp/$n.check" --quiet --check "${sets[@]}" 2> "$tmp/$n.check.err"
	echo $? > "$tmp/$n.check.rc"
	echo "$f" > "$tmp/$n.name"
done
for f in tests/scenarios/*.yaml; do
	n=$((n + 1))
	"$mmsim" run "$f" -o "$tmp/$n.scn" --quiet --check 2> "$tmp/$n.scn.err"
	echo $? > "$tmp/$n.scn.rc"
	echo "$f" > "$tmp/$n.name"
done
python3 - "$tmp" "$n" <<'PY'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
checks = []
def rc(i, k): return int(open(f"{d}/{i}.{k}.rc").read())
def summary(i, k): return json.load(open(f"{d}/{i}.{k}/summary.json"))
def same_run(a, b):
    return a["simulated_ns"] == b["simulated_ns"] and a["metrics"] == b["metrics"]
for i in range(1, n + 1):
    name = open(f"{d}/{i}.name").read().strip()
    if os.path.exists(f"{d}/{i}.scn.rc"):
        ok = rc(i, "scn") == 0
        why = open(f"{d}/{i}.scn.err").read()[-400:]
        if ok:
            s = summary(i, "scn")
            want = json.load(open(name[:-5] + ".expected.json"))
            for path, v in sorted(want.items()):
                node = s
                try:
                    for part in path.split("/"):
                        node = node[int(part)] if isinstance(node, list) else node[part]
                except (KeyError, IndexError, ValueError):
                    node = "<missing>"
                if node != v:
                    ok, why = False, f"{path}: expected {v!r}, got {node!r}"
                    break
            ok = ok and s["findings"]["counts"]["invariant"] == 0
        checks.append((f"{name} under --check: exit 0, its expected figures, no invariant broken ({why})", ok))
        continue
    p, c = rc(i, "plain"), rc(i, "check")
    if p != 0 or c != 0:
        checks.append((f"{name}: exit {p} plain, {c} under --check: "
                       + open(f"{d}/{i}.check.err").read()[-400:], False))
        continue
    sp, sc = summary(i, "plain"), summary(i, "check")
    checks.append((f"{name}: --check adds no finding "
                   f"({sc['findings']['list'][:2]} vs {sp['findings']['list'][:2]})",
                   sc["findings"]["list"] == sp["findings"]["list"]
                   and sc["findings"]["counts"]["invariant"] == 0))
    checks.append((f"{name}: --check computes the same run", same_run(sp, sc)))
bad = [c for c, ok in checks if not ok]
for c in bad:
    print("FAIL:", c)
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
