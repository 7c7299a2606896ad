#!/bin/bash
# numa_cases.sh - hand-written NUMA traces in tests/numa/ (README there), replayed on the
# 4-node chain machine of tests/numa/machine4.yaml with --check: the pages of every
# numa_maps snapshot per node, every node's numastat counters at the end and the failed
# ops by type must be exactly those of NAME.expected; every recorded result (errors
# included) must be reproduced; no op may be left unmodelled and nothing found.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for trace in "$here"/numa/*.mmt; do
	name=$(basename "$trace" .mmt)
	"$mmsim" replay "$trace" --machine "$here/numa/machine4.yaml" -o "$out/$name" --quiet --check
	python3 - "$name" "$here/numa/$name.expected" "$out/$name" <<'PY' || fail=1
import json, os, sys
name, exp_path, out = sys.argv[1:]
exp = [l.split() for l in open(exp_path).read().splitlines() if l.strip() and not l.startswith('#')]
bad = []
# numa_maps snapshots: per VMA, the N<node>=<pages> fields
snaps = sorted(f for f in os.listdir(os.path.join(out, 'snapshots')) if f.endswith('numa_maps'))
want_snaps = [' '.join(e[1:]) for e in exp if e[0] == 'snap']
got_snaps = []
for f in snaps:
    vmas = []
    for line in open(os.path.join(out, 'snapshots', f)):
        w = line.split()
        vmas.append(w[0] + ':' + ','.join(x for x in w if x[0] == 'N' and '=' in x))
    got_snaps.append(' '.join(vmas))
if got_snaps != want_snaps:
    bad.append('numa_maps snapshots %s, expected %s' % (got_snaps, want_snaps))
s = json.load(open(os.path.join(out, 'summary.json')))
keys = ['numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node']
numa = s['metrics']['numa']
want_nodes = {'node' + e[1]: [int(x) for x in e[2:]] for e in exp if e[0] == 'node'}
got_nodes = {n: [numa[n][k] for k in keys] for n in numa}
if got_nodes != want_nodes:
    bad.append('numastat %s, expected %s' % (got_nodes, want_nodes))
ev = s['events']
want_failed = {e[1]: int(e[2]) for e in exp if e[0] == 'failed'}
got_failed = {k: v for k, v in ev['ops_failed'].items() if v}
if got_failed != want_failed:
    bad.append('failed ops %s, expected %s' % (got_failed, want_failed))
if ev['ret_mismatch']:
    bad.append('%d results differ from the recorded ones' % ev['ret_mismatch'])
nm = {k: v for k, v in ev['ops_not_modelled'].items() if v}
if nm:
    bad.append('ops not modelled: %s' % nm)
text = open(os.path.join(out, 'findings.txt')).read()
if text.strip() != 'no findings':
    bad.append('unexpected findings:\n' + text)
for b in bad:
    print('%s: %s' % (name, b))
sys.exit(1 if bad else 0)
PY
done
exit $fail
