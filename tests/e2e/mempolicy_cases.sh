#!/bin/bash
# mempolicy_cases.sh - the step-by-step mempolicy scenarios of reference/mempolicy.md §9
# (M1-M9, R1, R2 and more), hand-written as traces in tests/mempolicy/ (README there).
# Each NAME.mmt runs as the only workload of a scenario on tests/mempolicy/machine.yaml
# (4 nodes, chain SLIT). Every recorded result must be reproduced: the node of every page
# (move_pages queries, op.ret = node), get_mempolicy's mode and mask, error codes. NAME.expected
# then says the exact NUMA counters per node at the end, metrics.mempolicy values, the
# numa_maps lines and the findings (none unless listed).
set -euo pipefail
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for trace in "$here"/mempolicy/*.mmt; do
	name=$(basename "$trace" .mmt)
	exp="$here/mempolicy/$name.expected"
	cpus=$(awk '$1 == "cpus" { print $2 }' "$exp")
	sets=()
	while read -r kv; do sets+=(--set "$kv"); done < <(awk '$1 == "set" { print $2 }' "$exp")
	{
		sed -n '/^machine:/,$p' "$here/mempolicy/machine.yaml"
		printf 'workloads:\n  - type: trace\n    name: %s\n    path: %s\n    cpus: "%s"\n' \
			"$name" "$trace" "${cpus:-0-3}"
	} > "$out/$name.yaml"
	"$mmsim" run "$out/$name.yaml" -o "$out/$name" --quiet --check ${sets[@]+"${sets[@]}"} \
		> "$out/$name.log" 2>&1 || { echo "$name: mmsim failed:"; cat "$out/$name.log"; fail=1; continue; }
	python3 - "$name" "$exp" "$out/$name" <<'PY' || fail=1
import json, os, sys
name, exp_path, out = sys.argv[1:]
s = json.load(open(os.path.join(out, 'summary.json')))
ev = s['events']
mp = s['metrics']['mempolicy']
bad = 0
def err(msg):
    global bad
    print('%s: %s' % (name, msg))
    bad += 1
if ev['ret_mismatch']:
    err('%d results differ from the recorded ones (MMSIM_DEBUG_RET=1 shows them)' % ev['ret_mismatch'])
nm = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if nm:
    err('ops not modelled: %s' % nm)
snapdir = os.path.join(out, 'snapshots')
snaps = sorted(os.listdir(snapdir)) if os.path.isdir(snapdir) else []
findings = open(os.path.join(out, 'findings.txt')).read()
want_findings = []
keys = ['numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node']
for line in open(exp_path).read().splitlines():
    f = line.split()
    if not f or f[0].startswith('#'):
        continue
    if f[0] == 'node':
        n = int(f[1])
        got = [s['metrics']['numa']['node%d' % n][k] for k in keys]
        want = [int(x) for x in f[2:8]]
        if got != want:
            err('node %d hit/miss/foreign/il_hit/local/other %s, expected %s' % (n, got, want))
    elif f[0] == 'metric':
        v = mp
        for k in f[1].split('.'):
            v = v[k]
        if str(v) != f[2]:
            err('metrics.mempolicy.%s = %s, expected %s' % (f[1], v, f[2]))
    elif f[0] == 'snapline':
        i = int(f[1]) - 1
        text = line.split(None, 2)[2]
        lines = open(os.path.join(snapdir, snaps[i])).read().splitlines() if i < len(snaps) else []
        if text not in lines:
            err('snapshot %d lacks the line %r; it has:\n  %s' % (i + 1, text, '\n  '.join(lines)))
    elif f[0] == 'finding':
        want_findings.append(line.split(None, 1)[1])
    elif f[0] in ('cpus', 'set'):
        pass
    else:
        err('bad expected line %r' % line)
for w in want_findings:
    if w not in findings:
        err('findings lack %r:\n%s' % (w, findings))
if not want_findings and findings.strip() != 'no findings':
    err('unexpected findings:\n%s' % findings)
sys.exit(1 if bad else 0)
PY
done
exit $fail
