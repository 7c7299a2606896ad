#!/bin/bash
# compare.sh - `mmsim compare` (issues 18 and 20). Runs: swap_storm at vm.swappiness 10
# and 100 side by side, the knob that differs named, each figure equal to the raw files
# (vmstat.txt's pswpout, summary.json's lock waits summed over classes) with the change in
# percent. Seed 004 under its two variants: the count design's resv_drift findings. A
# sweep: compare.csv has a row per point equal to the points' summary.json, the plots are
# SVG files with one line per variant. Bad directories are refused with exit 2.
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"
# swap_storm at a quarter of its size (the same storm: 4 x 24 MiB on 64 MiB), so that the
# sanitizer build runs it in reasonable time
small=(--set machine.memory_per_node=64MiB --set workloads.storm.size=24MiB)

"$mmsim" run "$here/configs/examples/swap_storm.yaml" -o "$tmp/a" --quiet --set vm.swappiness=10 "${small[@]}" || ko "run a"
"$mmsim" run "$here/configs/examples/swap_storm.yaml" -o "$tmp/b" --quiet --set vm.swappiness=100 "${small[@]}" || ko "run b"
"$mmsim" compare "$tmp/a" "$tmp/b" > "$tmp/cmp" || ko "compare: exit $?"
grep -qE "^  vm.swappiness +10 \| 100$" "$tmp/cmp" && ok || ko "knob line: $(cat "$tmp/cmp")"
[ "$(grep -c '^  [a-z].* | ' "$tmp/cmp")" = 1 ] && ok || ko "other knobs said to differ: $(cat "$tmp/cmp")"
python3 - "$tmp/a" "$tmp/b" "$tmp/cmp" <<'PY' && ok || ko "figures do not match the raw files"
import json, re, sys
a, b, cmp = sys.argv[1:]
text = open(cmp).read()
def vmstat(d, key):
    for line in open(d + '/vmstat.txt'):
        k, v = line.split()
        if k == key:
            return int(v)
def wait(d):
    s = json.load(open(d + '/summary.json'))
    return sum(c['wait_total_ns'] for c in s['metrics']['locks'].values())
def row(label, x, y):
    pct = '%+7.2f%%' % (100.0 * (y - x) / abs(x))
    want = r'^  %s +%d +%d \(%s\)' % (re.escape(label), x, y, re.escape(pct))
    assert re.search(want, text, re.M), (label, want, text)
row('pswpout', vmstat(a, 'pswpout'), vmstat(b, 'pswpout'))
row('pswpin', vmstat(a, 'pswpin'), vmstat(b, 'pswpin'))
row('lock wait total (ns)', wait(a), wait(b))
for g in ('contention', 'fragmentation', 'memory'):
    assert re.search('^%s$' % g, text, re.M), g
PY

# seed 004: the count design drifts (resv_drift findings), the resv_map design does not
"$mmsim" run "$here/configs/seeds/004-hugetlb-split.yaml" -o "$tmp/r" --quiet || ko "run resv_map"
"$mmsim" run "$here/configs/seeds/004-hugetlb-split.yaml" -o "$tmp/c" --quiet --set variants.hugetlb.private_resv=count || ko "run count"
"$mmsim" compare "$tmp/r" "$tmp/c" --metric findings/counts/resv_drift > "$tmp/cmp4" || ko "compare 004: exit $?"
grep -qE "^  variants.hugetlb.private_resv +resv_map \| count$" "$tmp/cmp4" && ok || ko "004 knobs: $(cat "$tmp/cmp4")"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"]["counts"].get("resv_drift", 0))' "$tmp/c/summary.json")
[ "$n" -gt 0 ] && grep -qE "^  findings/counts/resv_drift +0 +$n \(    new\)" "$tmp/cmp4" && ok || ko "004 resv_drift ($n): $(grep resv_drift "$tmp/cmp4")"
# the two variants' key figures, each as the raw files have it
python3 - "$tmp/r" "$tmp/c" "$tmp/cmp4" <<'PY' && ok || ko "004 figures do not match the raw files: $(cat "$tmp/cmp4")"
import json, re, sys
r, c, cmp = sys.argv[1:]
text = open(cmp).read()
sr, sc = (json.load(open(d + '/summary.json')) for d in (r, c))
def pct(x, y):
    if x == y:
        return '  +0.00%' if x else '  0.00%'
    return '    new' if x == 0 else '%+7.2f%%' % (100.0 * (y - x) / abs(x))
def row(label, x, y):
    want = r'^  %s +%d +%d \(%s\)' % (re.escape(label), x, y, re.escape(pct(x, y)))
    assert re.search(want, text, re.M), (label, want)
row('hugetlb faults', sr['metrics']['hugetlb']['faults'], sc['metrics']['hugetlb']['faults'])
row('hugetlb SIGBUS', sr['metrics']['hugetlb']['sigbus'], sc['metrics']['hugetlb']['sigbus'])
row('findings', sum(sr['findings']['counts'].values()), sum(sc['findings']['counts'].values()))
row('page faults', sr['metrics']['faults'], sc['metrics']['faults'])
sw = lambda s: s['metrics']['swap']['total_pages'] - s['metrics']['swap']['free_pages']
row('swap pages in use', sw(sr), sw(sc))
free9 = lambda s: sum(z['free_o9_blocks'] for z in s['metrics']['zones'].values())
row('free order-9 blocks', free9(sr), free9(sc))
for g in ('contention', 'fragmentation', 'memory'):
    assert re.search('^%s$' % g, text, re.M), g
PY

# a sweep: the table and the plots
cat > "$tmp/s.yaml" <<EOF2
base: $here/configs/seeds/004-hugetlb-split.yaml
matrix:
  variants.hugetlb.private_resv: [resv_map, count]
  vm.nr_hugepages: [4, 16]
seeds: 2
EOF2
"$mmsim" sweep "$tmp/s.yaml" -o "$tmp/sw" --quiet > /dev/null || ko "sweep: exit $?"
"$mmsim" compare "$tmp/sw" --metric findings/counts/resv_drift > "$tmp/table" 2> "$tmp/err" || ko "compare sweep: exit $?"
python3 - "$tmp/sw" <<'PY' && ok || ko "compare.csv does not match the points"
import csv, json, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + '/compare/compare.csv')))
assert len(rows) == 8, len(rows)
for r in rows:
    s = json.load(open(os.path.join(d, r['point'], 'summary.json')))
    assert r['variants.hugetlb.private_resv'] == s['scenario']['variants.hugetlb.private_resv'], r
    assert r['vm.nr_hugepages'] == s['scenario']['vm.nr_hugepages'], r
    assert int(r['page faults']) == s['metrics']['faults'], r
    assert int(r['simulated time (ns)']) == s['simulated_ns'], r
    assert int(r['findings/counts/resv_drift']) == s['findings']['counts'].get('resv_drift', 0), r
PY
svg=$tmp/sw/compare/plots/findings_counts_resv_drift-vs-vm.nr_hugepages.svg
[ -s "$svg" ] && grep -q "variants.hugetlb.private_resv=count" "$svg" && grep -q "variants.hugetlb.private_resv=resv_map" "$svg" && grep -q "</svg>" "$svg" && ok || ko "plot $svg"
grep -qF "mmsim compare: 8 points, 2 swept knobs; wrote $tmp/sw/compare/compare.csv" "$tmp/err" && ok || ko "message: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/table")" = 9 ] && ok || ko "table: $(cat "$tmp/table")"

# refusals
out=$("$mmsim" compare "$tmp/none" "$tmp/a" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "mmsim compare: $tmp/none/summary.json: cannot open: No such file or directory" && ok || ko "missing dir: $rc $out"
mkdir "$tmp/v9" && sed 's/"schema_version": [0-9]*/"schema_version": 9/' "$tmp/a/summary.json" > "$tmp/v9/summary.json"
out=$("$mmsim" compare "$tmp/a" "$tmp/v9" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "summary.json: schema_version unknown: this mmsim reads versions 1..2" && ok || ko "schema: $rc $out"
printf '{"schema_version": 1,' > "$tmp/v9/summary.json"
out=$("$mmsim" compare "$tmp/a" "$tmp/v9" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "$tmp/v9/summary.json: line 1, column 22: unexpected end of text" && ok || ko "truncated: $rc $out"
out=$("$mmsim" compare "$tmp/a" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "no complete sweep point" && ok || ko "one run dir: $rc $out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
