#!/usr/bin/env python3
"""thp_oracle_compare.py [OPTIONS] TRUTH SNAPSHOT_DIR - compare mmsim's snapshots of a replay of
thp_oracle.strace with the real kernel's figures kept in thp_oracle.truth.

TRUTH: per step "== NAME", the AnonHugePages line of smaps_rollup as read, then
"COUNTER +DELTA" lines (the change since the previous step), then "# ..." comments.
SNAPSHOT_DIR: mmsim's NNNN-<file> snapshots. A step is a smaps_rollup snapshot followed
by a vmstat, a khugepaged_pages_collapsed and a khugepaged_full_scans snapshot; other
full_scans snapshots (the program polling) and the knob snapshots of the start are not
steps. Prints every difference; exit 1 if there is one, 2 if the inputs are malformed.
Options: --skip-counter NAME (a counter not compared), --skip-step NAME (a step not
compared), --list (print mmsim's figures per step instead, for a model author),
--structure (check only that both sides parse and have the same number of steps)."""
import os
import re
import sys

COUNTERS = ('thp_fault_alloc', 'thp_collapse_alloc', 'thp_fault_fallback',
            'thp_collapse_alloc_failed', 'thp_split_pmd', 'thp_zero_page_alloc',
            'pages_collapsed')


def die(msg):
    print(msg)
    sys.exit(2)


def read_truth(path):
    steps = []
    for n, line in enumerate(open(path).read().splitlines(), 1):
        m = re.match(r'^== (\S+)$', line)
        if m:
            steps.append({'name': m.group(1)})
            continue
        if line.startswith('#') or not line:
            continue
        if not steps:
            die('%s:%d: a line before the first step' % (path, n))
        m = re.match(r'^AnonHugePages:\s+(\d+) kB$', line)
        if m:
            steps[-1]['AnonHugePages'] = int(m.group(1))
            continue
        m = re.match(r'^(\w+) \+(\d+)$', line)
        if m and m.group(1) in COUNTERS:
            steps[-1][m.group(1)] = int(m.group(2))
            continue
        die('%s:%d: unexpected line %r' % (path, n, line))
    names = [s['name'] for s in steps]
    if len(set(names)) != len(names):
        die('%s: step names repeat' % path)
    for s in steps:
        missing = [k for k in ('AnonHugePages',) + COUNTERS if k not in s]
        if missing:
            die('%s: step %s has no %s' % (path, s['name'], ', '.join(missing)))
    return steps


def read_snapshots(snapdir):
    files = sorted(os.listdir(snapdir)) if os.path.isdir(snapdir) else []
    snaps = []
    for f in files:
        m = re.match(r'^(\d{4})-(\w+)$', f)
        if not m:
            die('%s: unexpected file %s' % (snapdir, f))
        snaps.append((m.group(2), os.path.join(snapdir, f)))
    if [int(f[:4]) for f in files] != list(range(1, len(files) + 1)):
        die('%s: snapshots not numbered 0001.. in order' % snapdir)
    steps = []
    i = 0
    while i < len(snaps):
        if snaps[i][0] != 'smaps_rollup':
            i += 1
            continue
        kinds = [k for k, _ in snaps[i:i + 4]]
        if kinds != ['smaps_rollup', 'vmstat', 'khugepaged_pages_collapsed',
                     'khugepaged_full_scans']:
            die('%s: step at %s is followed by %s' % (snapdir, snaps[i][1], kinds[1:]))
        text = open(snaps[i][1]).read()
        m = re.search(r'^AnonHugePages:\s+(\d+) kB$', text, re.M)
        if not m:
            die('%s: no AnonHugePages line' % snaps[i][1])
        st = {'AnonHugePages': int(m.group(1)), 'file': snaps[i][1]}
        vm = dict(l.split() for l in open(snaps[i + 1][1]).read().splitlines() if l)
        for k in COUNTERS[:-1]:
            if k not in vm:
                die('%s: no %s line' % (snaps[i + 1][1], k))
            st[k] = int(vm[k])
        st['pages_collapsed'] = int(open(snaps[i + 2][1]).read().split()[0])
        steps.append(st)
        i += 4
    # counters as changes since the previous step (the first step: none)
    prev = None
    for st in steps:
        cur = {k: st[k] for k in COUNTERS}
        for k in COUNTERS:
            st[k] = cur[k] - prev[k] if prev else 0
        prev = cur
    return steps


def main():
    args = sys.argv[1:]
    listing = structure = False
    skip_counters, skip_steps, files = set(), set(), []
    while args:
        a = args.pop(0)
        if a == '--list':
            listing = True
        elif a == '--structure':
            structure = True
        elif a in ('--skip-counter', '--skip-step') and args:
            (skip_counters if a == '--skip-counter' else skip_steps).add(args.pop(0))
        else:
            files.append(a)
    if len(files) != 2 or not skip_counters <= set(COUNTERS):
        die('usage: thp_oracle_compare.py [--list|--structure] [--skip-counter NAME] '
            '[--skip-step NAME] TRUTH SNAPSHOT_DIR')
    args = files
    real = read_truth(args[0])
    sim = read_snapshots(args[1])
    if listing:
        for r, s in zip(real, sim):
            print('%-44s AnonHugePages %5d %s' % (r['name'], s['AnonHugePages'], ' '.join(
                '%s +%d' % (k, s[k]) for k in COUNTERS)))
        return 0
    bad = 0
    if len(sim) != len(real):
        print('%d steps in mmsim, %d on the real kernel' % (len(sim), len(real)))
        bad += 1
    if structure:
        return 1 if bad else 0
    unknown = skip_steps - set(r['name'] for r in real)
    if unknown:
        die('--skip-step: no step %s in %s' % (', '.join(sorted(unknown)), args[0]))
    for r, s in zip(real, sim):
        if r['name'] in skip_steps:
            continue
        if r['AnonHugePages'] != s['AnonHugePages']:
            print('step %s: AnonHugePages real %d kB mmsim %d kB'
                  % (r['name'], r['AnonHugePages'], s['AnonHugePages']))
            bad += 1
        for k in COUNTERS:
            if k not in skip_counters and r[k] != s[k]:
                print('step %s: %s real +%d mmsim +%d' % (r['name'], k, r[k], s[k]))
                bad += 1
    if bad:
        print('%d differences from the real kernel' % bad)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
