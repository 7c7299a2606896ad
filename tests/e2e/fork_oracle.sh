#!/bin/bash
# fork_oracle.sh - replay of tests/real/fork_oracle.strace (Linux 6.18, recorded on this
# machine): MADV_DONTFORK/DOFORK/WIPEONFORK/KEEPONFORK and what the child of a fork gets.
# At each of the 10 steps (6 of the parent, 4 of the child) every VMA of the program's
# own mappings, from smaps, equals the real one exactly (range, perms, Rss, Pss,
# Anonymous, Shared_Dirty, Private_Dirty, dc and wf in VmFlags); smaps_rollup's Anonymous
# changes as on the real kernel within each process; every recorded result is reproduced
# (tests/real/README.md; the harness is tests/lib/oracle_steps.py).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mmsim" replay "$here/real/fork_oracle.strace" --machine "$here/real/mlock_oracle.machine.yaml" \
	-o "$out" --quiet --check 2>/dev/null
grep -q "no findings" "$out/findings.txt"
# every recorded result but the two mprotects of ld.so's mappings made before the trace
grep -q '"ret_mismatch": 2,' "$out/summary.json"
PYTHONPATH="$here/lib" python3 - "$here/real/fork_oracle.truth" "$out" <<'PY'
import sys
from oracle_steps import Compare, parse_truth, smaps_vmas, snapshot_groups, values
truth, out = sys.argv[1], sys.argv[2]
parent, child = parse_truth(truth), parse_truth(truth + '.child')
# the replay's order: the parent's 4 steps up to the fork, the child's 4 while the parent
# waits in wait4, the parent's last 2
steps = parent[:4] + child + parent[4:]
groups = snapshot_groups(out, ('smaps_rollup', 'smaps'))
c = Compare()
c.eq('steps', len(groups), len(steps))
sim = [values(g['smaps_rollup'], ('Anonymous',)) for g in groups]
for (name, _, _, vmas), g in zip(steps, groups):
    c.eq('step %s: VMAs' % name, smaps_vmas(g['smaps']), vmas)
for lo, hi in ((0, 4), (4, 8), (8, 10)):
    c.deltas([s[0] for s in steps[lo:hi]], [s[2] for s in steps[lo:hi]], sim[lo:hi], ('Anonymous',))
# figures spelled out: the child has no VMA at B (DONTFORK) nor at the DONTFORK'd range
# with a hole, C (WIPEONFORK) empty, A shared copy-on-write (Pss half of Rss)
vm = {v.split()[0]: v for v in smaps_vmas(groups[4]['smaps'])}
c.eq('child: VMA at B', '600000100000-600000110000' in vm, False)
c.eq('child: VMAs at H', [k for k in vm if k.startswith('6000007')], [])
c.eq('child: C', vm['600000200000-600000210000'], '600000200000-600000210000 rw-p 0 0 0 0 0 0 1')
c.eq('child: A', vm['600000000000-600000010000'], '600000000000-600000010000 rw-p 64 32 64 64 0 0 0')
sys.exit(c.report())
PY
