#!/bin/bash
# html_compare.sh - `mmsim compare DIR_A DIR_B --format html` (issue 18) in headless
# chromium with no network (html_browser.py): swap_storm at vm.swappiness 10 and 100,
# and seed 004 under its two hugetlb.private_resv variants with the resv_drift finding
# count as an extra metric. No console error and no request but the page; the knob that
# differs is the one row of the knobs table; each metric row holds the figures and the
# change in percent that the text compare prints for the same runs (which compare.sh
# checks against the raw files); the bar chart has one bar per metric that changed; every
# header sorts. The text output stays as it was. Pages and screenshots are kept in
# BUILD/tests/html_compare/.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
keep=$(cd "$(dirname "$mmsim")" && pwd)/tests/html_compare
rm -rf "$keep"
mkdir -p "$keep"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
small=(--set machine.memory_per_node=64MiB --set workloads.storm.size=24MiB)

"$mmsim" run "$here/configs/examples/swap_storm.yaml" -o "$tmp/a" --quiet --set vm.swappiness=10 "${small[@]}" > /dev/null || ko "run a"
"$mmsim" run "$here/configs/examples/swap_storm.yaml" -o "$tmp/b" --quiet --set vm.swappiness=100 "${small[@]}" > /dev/null || ko "run b"
"$mmsim" run "$here/configs/seeds/004-hugetlb-split.yaml" -o "$tmp/r" --quiet > /dev/null || ko "run resv_map"
"$mmsim" run "$here/configs/seeds/004-hugetlb-split.yaml" -o "$tmp/c" --quiet --set variants.hugetlb.private_resv=count > /dev/null || ko "run count"

for pair in swap:a:b:vm.swappiness seed004:r:c:variants.hugetlb.private_resv; do
	IFS=: read -r name x y knob <<< "$pair"
	extra=()
	[ "$name" = seed004 ] && extra=(--metric findings/counts/resv_drift)
	"$mmsim" compare "$tmp/$x" "$tmp/$y" "${extra[@]}" > "$tmp/$name.txt" || ko "$name: text compare exit $?"
	"$mmsim" compare "$tmp/$x" "$tmp/$y" "${extra[@]}" --format html -o "$keep/$name.html" ||
		ko "$name: html compare exit $?"
	"$mmsim" compare "$tmp/$x" "$tmp/$y" "${extra[@]}" > "$tmp/$name.again.txt" && cmp -s "$tmp/$name.txt" "$tmp/$name.again.txt" &&
		ok || ko "$name: text output changed"
	python3 "$here/tests/e2e/html_browser.py" "$keep/$name.html" "$keep/$name.png" "$keep/$name.json"
	rc=$?
	if [ $rc = 77 ]; then
		echo "SKIP: chromium cannot run here (see above)"
		exit 77
	fi
	[ $rc = 0 ] || { ko "$name: browser exit $rc"; continue; }
	python3 - "$tmp/$name.txt" "$keep/$name.json" "$knob" <<'PY' && ok || ko "$name: page checks"
import json, re, sys
txt, res, knob = sys.argv[1:]
r = json.load(open(res))
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
check(r['errors'] == [], 'console errors: %s' % r['errors'])
check(r['requests'] == [r['page_url']], 'requests: %s' % r['requests'])
check(r['sortfn'] == 'function', 'no sort function')
lines = open(txt).read().splitlines()
# the text's knob lines and metric rows
knobs = [l.split() for l in lines if re.match(r'^  \S+ +.* \| ', l)]
metrics = []
for l in lines:
    m = re.match(r'^  (\S.*?) {2,}(\S+) +(\S+)(?: +\(\s*(\S+?)%?\))?\s*$', l)
    if m and ' | ' not in l and not re.match(r'^  run \d+: ', l):
        metrics.append(m.groups())
tabs = {t['id']: t for t in r['tables']}
check(tabs['table-knobs']['rows'] == 1 and tabs['table-knobs']['first'] == [knob, knobs[0][1], knobs[0][3]],
      'knobs table %s, text %s' % (tabs['table-knobs'], knobs))
check(tabs['table-runs']['rows'] == 2, 'runs table')
# the metric rows as first rendered, in the text's order
check(tabs['table-metrics']['rows'] == len(metrics), 'metrics: %d rows, text %d' % (tabs['table-metrics']['rows'], len(metrics)))
PY
	# the full metric table is read from the page file itself (the browser's measure keeps only first rows)
	python3 - "$tmp/$name.txt" "$keep/$name.html" "$keep/$name.json" <<'PY' && ok || ko "$name: metric rows"
import html, json, re, sys
txt, page, res = sys.argv[1:]
r = json.load(open(res))
text = open(page).read()
tbody = text.split('id="table-metrics"')[1].split('</tbody>')[0]
rows = [[html.unescape(re.sub('<[^>]+>', '', c)) for c in re.findall(r'<td[^>]*>.*?</td>', tr)]
        for tr in re.findall(r'<tr>(.*?)</tr>', tbody.split('<tbody>')[1])]
bad = []
changed = 0
for l in open(txt).read().splitlines():
    m = re.match(r'^  (\S.*?) {2,}(\S+) +(\S+)(?: +\(\s*(.+?)\))?\s*$', l)
    if not m or ' | ' in l or re.match(r'^  run \d+: ', l):
        continue
    label, v1, v2, pct = m.groups()
    row = [x for x in rows if x[1] == label]
    if len(row) != 1:
        bad.append('no row for %s' % label)
        continue
    row = row[0]
    want_pct = '-' if pct is None or pct == '0.00%' else 'new' if pct == 'new' else '%+.2f%%' % float(pct.rstrip('%'))
    if row[2:5] != [v1, v2, want_pct]:
        bad.append('%s: page %s, text %s %s %s' % (label, row[2:5], v1, v2, pct))
    # a change too small for two decimals (-0.00%) still draws its bar
    changed += pct not in (None, 'new') and v1 != v2
plot = [f for f in r['figs'] if f['id'] == 'plot-changes']
if changed:
    # a bar is a filled polygon and its border; the key's sample is one more bar
    if len(plot) != 1 or len(plot[0]['groups']) != 1 or plot[0]['groups'][0]['marks'] != 2 * changed + 2:
        bad.append('bar chart: %s, %d metrics changed' % (plot, changed))
elif plot:
    bad.append('a bar chart with nothing changed')
if not all(s['ok'] for s in r['sort']) or len(r['sort']) != 2 * sum(len(t['head']) for t in r['tables']):
    bad.append('sorting: %s' % [s for s in r['sort'] if not s['ok']][:4])
for b in bad:
    print('  ' + b)
sys.exit(1 if bad else 0)
PY
done
"$mmsim" compare "$tmp/a" --format html > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "format html compares two or more runs" "$tmp/err" && ok || ko "one dir: exit $rc $(cat "$tmp/err")"
"$mmsim" compare "$tmp/a" "$tmp/b" --format pdf > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -qx "mmsim compare: --format pdf: not a format (text or html)" "$tmp/err" && ok || ko "pdf: exit $rc $(cat "$tmp/err")"
MMSIM_GNUPLOT=no-such-gnuplot "$mmsim" compare "$tmp/a" "$tmp/b" --format html -o "$tmp/z.html" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "gnuplot (no-such-gnuplot) not found" "$tmp/err" && [ ! -e "$tmp/z.html" ] && ok || ko "no gnuplot: exit $rc $(cat "$tmp/err")"
echo "html_compare: $pass passed, $fail failed (pages and screenshots in $keep)"
[ $fail = 0 ]
