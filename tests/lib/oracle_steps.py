"""oracle_steps.py - shared harness of the real-kernel oracle tests (tests/real/*.c
recorded under strace, tests/e2e/*_oracle.sh): reads a truth file of `== STEP name`
blocks, the snapshots a replay wrote, and compares them step by step.

A truth file: `== STEP name`, then `# result CALL = R` lines for the calls of the step,
then value lines, `Key: N kB`, `Key N` or `VMA start-end perms N...` (one per VMA of the
program's own mappings). The replay writes snapshots/NNNN-<file> in the order the
program read its files; snapshot_groups() cuts them into one group per step."""
import os
import re
import sys


def parse_truth(path):
    """[(name, [result lines], {key: int}, [VMA lines])] in file order."""
    steps = []
    for l in open(path):
        l = l.rstrip('\n')
        if l.startswith('== STEP'):
            steps.append((l.split()[2], [], {}, []))
        elif l.startswith('# result'):
            steps[-1][1].append(l[9:])
        elif l.startswith('VMA '):
            steps[-1][3].append(l[4:])
        elif l and not l.startswith('#'):
            k = re.split(r'[: ]', l)[0]
            steps[-1][2][k] = int(l.split()[1])
    return steps


def snapshot_groups(out, per_step):
    """The out dir's snapshots, per_step (a tuple of short names) at a time: a list of
    {short name: path}. Fails when the files are not that sequence."""
    snap = os.path.join(out, 'snapshots')
    files = sorted(os.listdir(snap))
    n = len(files) // len(per_step)
    want = ['%04d-%s' % (len(per_step) * i + j + 1, name)
            for i in range(n) for j, name in enumerate(per_step)]
    if files != want:
        sys.exit('snapshots: %s, expected %s' % (files, want))
    return [{name: os.path.join(snap, files[len(per_step) * i + j])
             for j, name in enumerate(per_step)} for i in range(n)]


def values(path, keys):
    """{key: int} of the `Key: N` / `Key N` lines of a /proc file."""
    d = {}
    for l in open(path):
        m = re.match(r'^([A-Za-z_]\w*):?\s+(\d+)', l)
        if m and m.group(1) in keys:
            d[m.group(1)] = int(m.group(2))
    return d


def smaps_vmas(path, prefix='6000'):
    """The VMAs of an smaps file whose start begins with prefix, in the truth's form:
    'start-end perms Rss Pss Anonymous Shared_Dirty Private_Dirty dc wf'."""
    vmas, cur = [], None
    for l in open(path):
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', l):
            cur = None
            if l.startswith(prefix):
                f = l.split()
                cur = {'range': f[0], 'perms': f[1]}
                vmas.append(cur)
        elif cur is not None:
            m = re.match(r'^(\w+):\s+(\d+) kB', l)
            if m:
                cur.setdefault(m.group(1), int(m.group(2)))
            elif l.startswith('VmFlags:'):
                fl = l.split()[1:]
                cur['dc'] = int('dc' in fl)
                cur['wf'] = int('wf' in fl)
    return ['%s %s %d %d %d %d %d %d %d' % (v['range'], v['perms'], v['Rss'], v['Pss'],
            v['Anonymous'], v['Shared_Dirty'], v['Private_Dirty'], v['dc'], v['wf'])
            for v in vmas]


class Compare:
    """Collects differences; report() prints them and gives the exit status."""

    def __init__(self):
        self.bad = 0
        self.checked = 0

    def eq(self, what, got, want):
        self.checked += 1
        if got != want:
            print('FAIL: %s: mmsim %s, real kernel %s' % (what, got, want))
            self.bad += 1

    def deltas(self, names, real, sim, keys):
        """real, sim: lists of {key: int} per step of one process; each step's change of
        each key must be equal (the first step is the base)."""
        for i in range(1, len(real)):
            for k in keys:
                self.eq('step %s: change of %s' % (names[i], k),
                        sim[i][k] - sim[i - 1][k], real[i][k] - real[i - 1][k])

    def report(self):
        print('%d checked, %d failed' % (self.checked, self.bad))
        return 1 if self.bad else 0
