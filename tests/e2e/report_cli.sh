#!/bin/bash
# report_cli.sh MMSIM - `mmsim report DIR [--format md|text|json] [-o FILE]`: the md is
# report.md byte for byte; the json's figures equal the raw files' (summary.json,
# lock_pairs.csv, lock_hist.csv, buddyinfo.csv); text has aligned columns; a bad dir, a
# missing or malformed file and another schema version exit 2 with a message naming the
# file, leaving no -o file.
set -u
mmsim=$1
cd "${MMSIM_SOURCE_DIR:-.}" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
"$mmsim" run tests/golden/small.yaml -o "$tmp/o" >/dev/null 2>&1 || { echo "run failed"; exit 1; }
d=$tmp/o

"$mmsim" report "$d" > "$tmp/r.md" && cmp -s "$tmp/r.md" "$d/report.md" && ok || ko "md on stdout is not report.md"
"$mmsim" report "$d" --format json -o "$tmp/r.json" && ok || ko "json"
"$mmsim" report "$d" --format text -o "$tmp/r.txt" && ok || ko "text"

python3 - "$d" "$tmp/r.json" "$tmp/r.txt" <<'PY' && ok || ko "figures against the raw files"
import csv, json, sys
d, rj, rt = sys.argv[1:4]
s = json.load(open(d + "/summary.json"))
r = json.load(open(rj))
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print("%s: report %r, raw files %r" % (what, got, want)); bad += 1
def table(title, first_col):
    for sec in r["sections"]:
        if sec["title"] != title: continue
        for c in sec["content"]:
            t = c.get("table")
            if t and t["columns"][0] == first_col:
                return t
    raise SystemExit("no table %s/%s" % (title, first_col))
locks = s["metrics"]["locks"]
# the lock table: every class's acquisitions/contentions/bounces as summary.json has them
t = table("Lock contention", "class")
for row in t["rows"]:
    name = row[0].strip("`")
    check(name + " acquisitions", row[1], locks[name]["acquisitions"])
    check(name + " contentions", row[2], locks[name]["contentions"])
    check(name + " acq-bounces", row[6], locks[name]["acq_bounces"])
    check(name + " cross-node", row[7], locks[name]["cross_node_bounces"])
check("classes listed", len(t["rows"]), min(10, len(locks)))
# lock_pairs.csv: per class and state the waits add up to lock_stat's
def label(cls, ty):
    suf = "-W" if ty.endswith(":W") else "-R" if ty.endswith(":R") else ""
    return cls + suf if (cls + suf) in locks else cls
pairs = list(csv.DictReader(open(d + "/lock_pairs.csv")))
agg = {}
for p in pairs:
    k = label(p["class"], p["type"])
    a = agg.setdefault(k, [0, 0])
    a[0] += int(p["contended"]); a[1] += int(p["total_wait_ns"])
for k, v in locks.items():
    check(k + " pairs' contentions", agg.get(k, [0, 0])[0], v["contentions"])
    check(k + " pairs' wait", agg.get(k, [0, 0])[1], v["wait_total_ns"])
# lock_hist.csv: the class wait histogram counts every contention, per-site ones too
hist = list(csv.DictReader(open(d + "/lock_hist.csv")))
for k, v in locks.items():
    cls_n = sum(int(h["count"]) for h in hist if label(h["class"], h["type"]) == k and h["what"] == "wait" and h["site"] == "-")
    site_n = sum(int(h["count"]) for h in hist if label(h["class"], h["type"]) == k and h["what"] == "wait" and h["site"] != "-")
    check(k + " wait hist", cls_n, v["contentions"])
    check(k + " site hists", site_n, v["contentions"])
# per process: the mm-lock waits per task equal lock_pairs.csv's
t = table("Per process", "task")
for row in t["rows"]:
    cls = row[1].strip("`")
    n = sum(int(p["contended"]) for p in pairs if p["waiter_task"] == row[0] and p["class"] == cls)
    check("per process %s %s" % (row[0], cls), row[2], n)
check("per process rows", len(t["rows"]), len({(p["waiter_task"], p["class"]) for p in pairs if p["class"].startswith("&mm->")}))
# free blocks by order: the last sample of buddyinfo.csv is /proc/buddyinfo at the end
b = list(csv.DictReader(open(d + "/buddyinfo.csv")))
bi = [l.split() for l in open(d + "/buddyinfo.txt")]
for node in (0, 1):
    want = [int(x) for x in bi[node][4:]]
    got = [int(b[-1]["node%d_Normal_o%d" % (node, o)]) for o in range(11)]
    check("buddyinfo.csv last node %d" % node, got, want)
# File I/O and the run: from summary.json
for sec in r["sections"]:
    if sec["title"] == "Run":
        p = sec["content"][0]["paragraph"]
        check("run head", p, "mmsim %s; scenario `tests/golden/small.yaml`, seed 7; simulated 12.764 ms." % s["mmsim_version"])
# the text format: aligned columns
txt = open(rt).read()
for l in ["Lock contention\n---------------\n",
          "class                 acquisitions  contentions  total wait  max wait    avg wait   acq-bounces  cross-node\n",
          "&mm->mmap_lock-R             18345           32    2.230 ms  200.460 us  69.697 us        13719       11552\n",
          "  - page faults of task churn (in touch_range) waited 1.890 ms in total (18 times, at most 109.224 us) on mmap_lock held for write by churn in vm_munmap\n"]:
    if l not in txt:
        print("text lacks %r" % l); bad += 1
sys.exit(1 if bad else 0)
PY

# bad input: exit 2, a message naming the file, no -o file
out=$("$mmsim" report "$tmp/none" -o "$tmp/x.md" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "mmsim report: $tmp/none: No such file or directory" ] && [ ! -e "$tmp/x.md" ] && ok || ko "missing dir: $rc $out"
mkdir "$tmp/empty"
out=$("$mmsim" report "$tmp/empty" -o "$tmp/x.md" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "$tmp/empty/summary.json: cannot open" && [ ! -e "$tmp/x.md" ] && ok || ko "no summary.json: $rc $out"
cp -r "$d" "$tmp/v1"
sed -i 's/"schema_version": [0-9]*/"schema_version": 1/' "$tmp/v1/summary.json"
out=$("$mmsim" report "$tmp/v1" -o "$tmp/x.md" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "mmsim report: $tmp/v1/summary.json: schema_version 1: this mmsim reads version 2 (rerun the scenario with this mmsim)" ] && [ ! -e "$tmp/x.md" ] && ok || ko "schema 1: $rc $out"
sed -i '/"schema_version"/d' "$tmp/v1/summary.json"
out=$("$mmsim" report "$tmp/v1" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "summary.json: schema_version missing: this mmsim reads version 2" && ok || ko "schema missing: $rc $out"
cp -r "$d" "$tmp/badcsv"
echo '"&zone->lock",spinlock,db' >> "$tmp/badcsv/lock_pairs.csv"
n=$(wc -l < "$tmp/badcsv/lock_pairs.csv")
out=$("$mmsim" report "$tmp/badcsv" --format json -o "$tmp/x.json" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "mmsim report: $tmp/badcsv/lock_pairs.csv: line $n: 3 fields, the header has 12" ] && [ ! -e "$tmp/x.json" ] && ok || ko "bad csv: $rc $out"
# the HTML page reads the CSVs through the same reader: a malformed one stops it the same way
cp -r "$d" "$tmp/badbuddy"
echo '1,2' >> "$tmp/badbuddy/buddyinfo.csv"
n=$(wc -l < "$tmp/badbuddy/buddyinfo.csv")
nh=$(head -1 "$tmp/badbuddy/buddyinfo.csv" | tr ',' '\n' | wc -l)
out=$("$mmsim" report "$tmp/badbuddy" --format html -o "$tmp/x.html" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "mmsim report: $tmp/badbuddy/buddyinfo.csv: line $n: 2 fields, the header has $nh" ] && [ -z "$(ls "$tmp" | grep '^x\.html')" ] && ok || ko "bad csv, html: $rc $out"
out=$("$mmsim" report "$d" --format pdf 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "mmsim report: --format pdf: expected md, text, json or html" ] && ok || ko "format: $rc $out"
out=$("$mmsim" report 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "^usage: mmsim report DIR" && ok || ko "no dir: $rc"
"$mmsim" report --help | grep -q "^usage: mmsim report DIR \[--format md|text|json|html\] \[-o FILE\]" && ok || ko "--help"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
