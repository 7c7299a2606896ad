#!/bin/bash
# slab_cases.sh - the slab model through a trace, with slab.account_users: 30 files opened
# and closed make 30 dentries (2 slabs of 21) and 30 ext4 inodes (3 slabs of 14, 4 pages
# each), seen in /proc/slabinfo and meminfo snapshots; unlink of one file frees its inode
# and leaves its dentry negative (a second unlink is -ENOENT); drop_caches 2 prunes every unused dentry and
# inode (the open file's stay), giving back the slabs beyond min_partial; a mapped file
# keeps its objects; drop_caches 3 (page cache too, modelled since pcio's drop_pagecache)
# changes none of the slab figures (the files have no pages; drop_slab ran at 2 already).
set -euo pipefail
mmsim=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
{
	echo 'mmt 1'
	echo 'page_size 4096'
	for i in $(seq 0 29); do
		echo "0.0000$((10 + i))000 1/1 open path=\"/d/$i\" = 3"
		echo "0.0000$((10 + i))500 1/1 close fd=3 = 0"
	done
	echo '0.000100000 1/1 open path="/d/keep" = 3'
	echo '0.000101000 1/1 snapshot file=slabinfo'
	echo '0.000102000 1/1 snapshot file=meminfo'
	echo '0.000103000 1/1 unlink path="/d/0" = 0'
	echo '0.000104000 1/1 unlink path="/d/0" = -2'
	echo '0.000105000 1/1 snapshot file=slabinfo'
	echo '0.000106000 1/1 sysctl id=2 path="/proc/sys/vm/drop_caches" = 2'
	echo '0.000107000 1/1 sysctl id=3 path="/proc/sys/vm/drop_caches" = 2'
	echo '0.000108000 1/1 snapshot file=slabinfo'
	echo '0.000109000 1/1 snapshot file=meminfo'
} > "$out/t.mmt"
"$mmsim" replay "$out/t.mmt" -o "$out/o" --quiet --check --set slab.account_users=true
python3 - "$out/o" <<'PY'
import json, os, sys
o = sys.argv[1]
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print('%s: got %r, expected %r' % (what, got, want)); bad += 1
snaps = sorted(os.listdir(os.path.join(o, 'snapshots')))
check('snapshots', snaps, ['0001-slabinfo', '0002-meminfo', '0003-slabinfo', '0004-slabinfo', '0005-meminfo'])
def row(f, name):
    for l in open(os.path.join(o, 'snapshots', f)):
        if l.startswith(name + ' '):
            return l.rstrip('\n')
def mi(f, key):
    for l in open(os.path.join(o, 'snapshots', f)):
        if l.startswith(key + ':'):
            return int(l.split()[1])
check('header', open(os.path.join(o, 'snapshots', '0001-slabinfo')).readline(), 'slabinfo - version: 2.1\n')
# 31 files: 2 dentry slabs (21 + 10), 3 inode slabs (14 + 14 + 3)
check('dentry 1', row('0001-slabinfo', 'dentry'),
      'dentry                42     42    192   21    1 : tunables    0    0    0 : slabdata      2      2      0')
check('ext4 1', row('0001-slabinfo', 'ext4_inode_cache'),
      'ext4_inode_cache      42     42   1128   14    4 : tunables    0    0    0 : slabdata      3      3      0')
check('Slab 1', mi('0002-meminfo', 'Slab'), (2 + 3 * 4) * 4)
check('SReclaimable 1', mi('0002-meminfo', 'SReclaimable'), (2 + 3 * 4) * 4)
# unlink /d/0: its inode goes (inode slab 0 is now partial with one free); its dentry
# stays as a negative dentry, as on Linux 6.18 (tests/real/slab_oracle)
check('dentry 2', row('0003-slabinfo', 'dentry'),
      'dentry                42     42    192   21    1 : tunables    0    0    0 : slabdata      2      2      0')
check('ext4 2', row('0003-slabinfo', 'ext4_inode_cache'),
      'ext4_inode_cache      41     42   1128   14    4 : tunables    0    0    0 : slabdata      3      3      0')
# drop_caches 2: the 29 unused files lose both objects, the negative dentry of /d/0
# goes; /d/keep (open) keeps them. Dentry
# slab 0 empties with 1 partial slab: kept (min_partial 5); inode slabs 0 and 1 empty
# and stay too (fewer than 5 partial); the CPU slabs hold /d/keep's objects, and their
# free objects count as active, as SLUB reports them (21 dentries, 14 inodes).
check('dentry 3', row('0004-slabinfo', 'dentry'),
      'dentry                21     42    192   21    1 : tunables    0    0    0 : slabdata      2      2      0')
check('ext4 3', row('0004-slabinfo', 'ext4_inode_cache'),
      'ext4_inode_cache      14     42   1128   14    4 : tunables    0    0    0 : slabdata      3      3      0')
s = json.load(open(os.path.join(o, 'summary.json')))
ev = s['events']
check('unlink ops', ev['ops_by_type'].get('unlink'), 2)
check('not modelled', ev['ops_not_modelled'], {})
check('ret_mismatch', ev['ret_mismatch'], 0)
vm = dict(l.split() for l in open(os.path.join(o, 'vmstat.txt')))
check('slabs_scanned', int(vm['slabs_scanned']) > 0, True)
check('findings', open(os.path.join(o, 'findings.txt')).read().strip(), 'no findings')
print('slab_cases: %d failed' % bad)
sys.exit(1 if bad else 0)
PY
