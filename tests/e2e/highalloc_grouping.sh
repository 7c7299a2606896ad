#!/bin/bash
# Seed 003 on the allocator: with grouping by mobility, freeing runs of movable pages
# rebuilds free pageblocks that order-9 allocations can use, and compact_memory makes
# more by migrating movable pages; with grouping disabled the unmovable pages are
# scattered over the pageblocks, far fewer order-9 blocks form, and compaction has no
# target pageblock (all are of the unmovable type). Also: every order-0 fill allocation
# succeeds and the runs end with no finding (buddy invariants checked after every op).
set -u
mmsim=$1
# figures measured at engine.lookahead 1us (the default before issue 19): runs pinned there
export MMSIM_BIN=$mmsim; mmsim=$(cd "$(dirname "$0")/../lib" && pwd)/mmsim_1us
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in mobility none; do
	"$mmsim" run configs/examples/highalloc.yaml -o "$tmp/$v" --quiet --check \
		--set variants.page_alloc.grouping=$v \
		--set workloads.stress.fill=48MiB --set machine.memory_per_node=64MiB \
		--set workloads.stress.attempts=16 --set workloads.stress.free_chunk=256KiB || { echo "run $v failed: $?"; echo "0 passed, 1 failed"; exit 1; }
done
# the full example, whose figures configs/examples/highalloc.yaml quotes
for v in mobility none; do
	"$mmsim" run configs/examples/highalloc.yaml -o "$tmp/full-$v" --quiet \
		--set variants.page_alloc.grouping=$v || { echo "full run $v failed: $?"; echo "0 passed, 1 failed"; exit 1; }
done
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
g = json.load(open(d + "/mobility/summary.json"))
n = json.load(open(d + "/none/summary.json"))
ok = lambda s, o: s["metrics"]["alloc_pages"].get(str(o), {}).get("ok", 0)
fail = lambda s, o: s["metrics"]["alloc_pages"].get(str(o), {}).get("failed", 0)
after = lambda s, o: s["metrics"]["alloc_pages"].get(str(o), {}).get("ok_after_compact_memory", 0)
after_fail = lambda s, o: s["metrics"]["alloc_pages"].get(str(o), {}).get("failed_after_compact_memory", 0)
vm = lambda s, k: s["metrics"]["vmstat"][k]
fill = 2 * 48 * 256   # pages, two threads
checks = [
    ("every order-0 fill allocation succeeds (grouped)", ok(g, 0) == fill and fail(g, 0) == 0),
    ("every order-0 fill allocation succeeds (interleaved)", ok(n, 0) == fill and fail(n, 0) == 0),
    ("64 order-9 attempts in each run (2 threads, 16 before and 16 after compact_memory)",
        ok(g, 9) + fail(g, 9) == 64 and ok(n, 9) + fail(n, 9) == 64),
    ("32 of them after compact_memory", after(g, 9) + after_fail(g, 9) == 32 and after(n, 9) + after_fail(n, 9) == 32),
    ("grouped: compaction migrates pages and yields more order-9 blocks",
        vm(g, "pgmigrate_success") > 0 and after(g, 9) > after(n, 9)),
    ("interleaved: compaction finds no target pageblock, migrates nothing",
        vm(n, "pgmigrate_success") == 0 and vm(n, "compact_free_scanned") == 0),
    ("grouping by mobility gives more order-9 blocks", ok(g, 9) > ok(n, 9)),
    ("no findings (buddy invariants checked after every op)", not g["findings"]["list"] and not n["findings"]["list"]),
    ("unmovable pageblocks exist only with grouping", g["metrics"]["zones"]["node0_Normal"]["pageblocks"]["Unmovable"] > 0
        and n["metrics"]["zones"]["node0_Normal"]["pageblocks"]["Movable"] == 0),
]
fg = json.load(open(d + "/full-mobility/summary.json"))
fn = json.load(open(d + "/full-none/summary.json"))
checks += [
    ("example, grouped: 155 of 512 before, 362 of 512 after compact_memory",
        ok(fg, 9) - after(fg, 9) == 155 and after(fg, 9) == 362 and after(fg, 9) + after_fail(fg, 9) == 512),
    ("example, interleaved: 127 of 512 before, 1 after, nothing migrated",
        ok(fn, 9) - after(fn, 9) == 127 and after(fn, 9) == 1 and vm(fn, "pgmigrate_success") == 0),
]
bad = [c for c, r in checks if not r]
for c in bad:
    print("FAIL:", c, "grouped", ok(g, 9), "interleaved", ok(n, 9))
print(f"{len(checks) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
