#!/bin/bash
# html_report.sh - `mmsim report DIR --format html` (issue 18) in a real headless browser.
# The pages of configs/default.yaml and configs/examples/swap_storm.yaml are opened in
# Debian's chromium with no network (html_browser.py, DevTools protocol): no console
# error, no exception, no request but the page's own file; every plot an inline gnuplot
# SVG whose data groups have marks with points, as many groups and marks as the raw files
# give (lock_classes.csv, buddyinfo.csv, extfrag.csv, frag.csv, hugetlb.csv); the tables
# as long as the raw files, ranked as they say, sorted by a click on every header. The
# page refers to nothing outside itself, is the same for the same out dir, and leaves no
# temp file; without gnuplot the command fails with exit 2 and writes no file.
# Screenshots and pages are kept in BUILD/tests/html_report/. Exit 77 (skipped) only when
# chromium cannot be started at all.
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
keep=$(cd "$(dirname "$mmsim")" && pwd)/tests/html_report
rm -rf "$keep"
mkdir -p "$keep"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

for cfg in default:configs/default.yaml swap_storm:configs/examples/swap_storm.yaml; do
	name=${cfg%%:*}
	yaml=$here/${cfg#*:}
	out=$tmp/$name
	"$mmsim" run "$yaml" -o "$out" --quiet > /dev/null || { ko "$name: run exit $?"; continue; }
	mkdir -p "$tmp/t-$name"
	TMPDIR=$tmp/t-$name "$mmsim" report "$out" --format html -o "$keep/$name.html" ||
		ko "$name: report exit $?"
	[ -z "$(ls -A "$tmp/t-$name")" ] && ok || ko "$name: temp files left: $(ls -A "$tmp/t-$name")"
	"$mmsim" report "$out" --format html > "$tmp/$name.again.html" && cmp -s "$keep/$name.html" "$tmp/$name.again.html" &&
		ok || ko "$name: two renderings of one out dir differ"
	python3 "$here/tests/e2e/html_browser.py" "$keep/$name.html" "$keep/$name.png" "$keep/$name.json"
	rc=$?
	if [ $rc = 77 ]; then
		echo "SKIP: chromium cannot run here (see above)"
		exit 77
	fi
	[ $rc = 0 ] || { ko "$name: browser exit $rc"; continue; }
	python3 - "$out" "$keep/$name.html" "$keep/$name.json" "$keep/$name.png" <<'PY' && ok || ko "$name: page checks"
import csv, json, math, re, sys
out, page, res, png = sys.argv[1:]
r = json.load(open(res))
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
def rows(f):
    return list(csv.DictReader(open(out + '/' + f)))
def num(s):
    return float(s.replace('\u2009', '').replace(',', ''))
summary = json.load(open(out + '/summary.json'))

check(r['errors'] == [], 'console errors: %s' % r['errors'])
check(r['requests'] == [r['page_url']], 'requests other than the page: %s' % r['requests'])
check(r['sortfn'] == 'function', 'mmsimSortTable is %s' % r['sortfn'])
check(r['title'] == 'mmsim report: ' + summary['scenario']['path'], 'title %r' % r['title'])

# the plots, in order, each an inline SVG with data
bi = rows('buddyinfo.csv')
zones = [h[:-3] for h in bi[0].keys() if h.endswith('_o0')]
want = (['plot-wait-hist', 'plot-contention-time'] + ['plot-buddy-' + z for z in zones] +
        ['plot-extfrag-' + z for z in zones] + ['plot-node-mem', 'plot-hugetlb'])
figs = {f['id']: f for f in r['figs']}
check([f['id'] for f in r['figs']] == want, 'plots %s, want %s' % ([f['id'] for f in r['figs']], want))
for f in r['figs']:
    check(f['svg'] and f['width'] > 500 and f['height'] > 200, '%s: no visible svg %s' % (f['id'], f))
    check(f['groups'] and all(g['marks'] >= 1 and g['best'] >= 2 for g in f['groups']),
          '%s: a data group without marks: %s' % (f['id'], f['groups']))
lc = rows('lock_classes.csv')
contended = [x for x in lc if int(x['contentions']) > 0]
def ngroups(k):
    return len(figs.get(k, {'groups': []})['groups'])
check(ngroups('plot-wait-hist') == min(6, len(contended)),
      'wait-hist: %d classes, lock_classes.csv has %d contended' % (ngroups('plot-wait-hist'), len(contended)))
check(ngroups('plot-contention-time') == 2, 'contention-time: %d series' % ngroups('plot-contention-time'))
per = math.ceil(len(bi) / 240)
cols = math.ceil(len(bi) / per)
for z in zones:
    g = figs.get('plot-buddy-' + z, {'groups': [{'marks': 0}]})['groups']
    check(len(g) == 1 and g[0]['marks'] == cols * 11,
          'buddy %s: %s boxes, want %d columns x 11 orders' % (z, [x['marks'] for x in g], cols))
    check(ngroups('plot-extfrag-' + z) == 10, 'extfrag %s: %d orders' % (z, ngroups('plot-extfrag-' + z)))
nodes = {z.split('_')[0] for z in zones}
check(ngroups('plot-node-mem') == len(nodes), 'node-mem: %d nodes, want %d' % (ngroups('plot-node-mem'), len(nodes)))
hcols = len(next(csv.reader(open(out + '/hugetlb.csv')))) - 1
check(ngroups('plot-hugetlb') == hcols, 'hugetlb: %d series, hugetlb.csv has %d' % (ngroups('plot-hugetlb'), hcols))

# the tables against the raw files
tabs = {t['id']: t for t in r['tables']}
# variants and the knobs that differ from their defaults (summary.json's knobs_changed)
changed = [(k, v) for k, v in summary['scenario'].items() if k.startswith('variants.')] + \
          [(k, v) for k, v in summary.get('knobs_changed', {}).items() if not k.startswith('variants.')]
want_tabs = {'table-knobs', 'table-locks', 'table-points', 'table-zones', 'table-vmstat', 'table-meminfo'}
if changed:
    want_tabs.add('table-changed')
    t = tabs.get('table-changed', {'rows': -1, 'first': []})
    check(t['rows'] == len(changed) and t['first'] == [changed[0][0], str(changed[0][1])],
          'changed knobs table %s, summary.json %s' % (t, changed))
check(set(tabs) == want_tabs, 'tables %s' % sorted(tabs))
t = tabs.get('table-locks', {'rows': -1, 'first': []})
check(t['rows'] == len(lc), 'locks table: %d rows, lock_classes.csv %d' % (t['rows'], len(lc)))
top = sorted(lc, key=lambda x: (-int(x['wait_total_ns']), -int(x['contentions']), x['class'], x['type']))[0]
check(t['first'][:4] == [top['class'], top['type'], t['first'][2], t['first'][3]] and
      num(t['first'][2]) == int(top['acquisitions']) and num(t['first'][3]) == int(top['contentions']) and
      num(t['first'][5]) == int(top['wait_total_ns']),
      'locks table first row %s, lock_classes.csv top %s' % (t['first'], top))
cp = rows('contention.csv')
t = tabs.get('table-points', {'rows': -1, 'first': []})
check(t['rows'] == min(25, len(cp)), 'points table: %d rows of %d' % (t['rows'], len(cp)))
best = max(int(x['total_wait_ns']) for x in cp)
check(num(t['first'][6]) == best, 'points table first wait %s, contention.csv max %d' % (t['first'][6:7], best))
nz = sum(1 for v in summary['metrics']['vmstat'].values() if v != 0)
check(tabs.get('table-vmstat', {}).get('rows') == nz, 'vmstat table rows, want %d' % nz)
mi = [l for l in open(out + '/meminfo.txt') if ':' in l]
check(tabs.get('table-meminfo', {}).get('rows') == len(mi), 'meminfo table rows, want %d' % len(mi))
check(tabs.get('table-zones', {}).get('rows') == len(zones), 'zones table rows, want %d' % len(zones))
heads = sum(len(t['head']) for t in r['tables'])
check(len(r['sort']) == 2 * heads and all(s['ok'] for s in r['sort']),
      'sorting: %s' % [s for s in r['sort'] if not s['ok']][:5])

# nothing outside the page
text = open(page).read()
urls = set(re.findall(r'https?://[^\s"\'<>]+', text))
check(urls <= {'http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'}, 'URLs in the page: %s' % urls)
check(not re.search(r'<(link|img|iframe|object|embed)\b|\ssrc\s*=', text), 'an external reference')
check(all(h.startswith('#') for h in re.findall(r'href\s*=\s*["\']([^"\']*)', text)), 'an href not to the page')
check('mmsim-html.' not in text, 'the temp dir named in the page')
check(open(png, 'rb').read(8) == b'\x89PNG\r\n\x1a\n' and r['screenshot_height'] > 2000, 'screenshot')
for b in bad:
    print('  ' + b)
sys.exit(1 if bad else 0)
PY
done

# no gnuplot: exit 2, a clear message, no file
MMSIM_GNUPLOT=no-such-gnuplot "$mmsim" report "$tmp/default" --format html -o "$tmp/x.html" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && ok || ko "no gnuplot: exit $rc"
grep -qx 'mmsim report: gnuplot (no-such-gnuplot) not found: the HTML report draws its plots with gnuplot (Debian: apt-get install gnuplot-nox)' "$tmp/err" &&
	ok || ko "no gnuplot: message $(cat "$tmp/err")"
[ -z "$(ls "$tmp" | grep '^x\.html')" ] && ok || ko "no gnuplot: a file was left: $(ls "$tmp")"
# a gnuplot that fails: exit 1, no file
printf '#!/bin/sh\necho "gnuplot: broken" >&2\nexit 1\n' > "$tmp/gp" && chmod +x "$tmp/gp"
MMSIM_GNUPLOT=$tmp/gp "$mmsim" report "$tmp/default" --format html -o "$tmp/y.html" 2> "$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "^mmsim report: gnuplot ($tmp/gp) failed on plot wait-hist: gnuplot: broken$" "$tmp/err" &&
	[ -z "$(ls "$tmp" | grep '^y\.html')" ] && ok || ko "failing gnuplot: exit $rc, $(cat "$tmp/err"), $(ls "$tmp")"
# bad input
"$mmsim" report "$tmp/nowhere" --format html > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "nowhere: No such file or directory" "$tmp/err" && ok || ko "missing dir: exit $rc, $(cat "$tmp/err")"
echo '{"schema_version": 99}' > "$tmp/s99.json" && mkdir -p "$tmp/s99" && mv "$tmp/s99.json" "$tmp/s99/summary.json"
"$mmsim" report "$tmp/s99" --format html > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "summary.json: schema_version 99: this mmsim reads version 2" "$tmp/err" && ok || ko "schema 99: exit $rc, $(cat "$tmp/err")"

echo "html_report: $pass passed, $fail failed (pages and screenshots in $keep)"
[ $fail = 0 ]
