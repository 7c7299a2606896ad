#!/bin/bash
# lock_stat.txt read by the column positions of 6.1's lockdep_proc.c format strings
# (tests/lib/lock_stat.py): every number sits under its header, times are the kernel's
# rounding of summary.json's and lock_classes.csv's nanoseconds, -W/-R rows only for
# classes taken for read, classes by contentions, contention points under underlines of
# the kernel's length and the dotted separator only after contended classes. The points
# (waiters' sites; holders' sites) add up to the class's contentions when the class has at
# most four such sites, as contention.csv shows. The parser rejects the old layout (a
# blank after the colon: every number one column right of its header).
set -u
mmsim=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" run "$here/configs/examples/mmap_lock_contention.yaml" -o "$tmp/o" --quiet || { echo "run failed"; echo "0 passed, 1 failed"; exit 1; }
PYTHONPATH="$here/tests/lib" python3 - "$tmp/o" <<'PY'
import csv, json, os, sys
import lock_stat
out = sys.argv[1]
text = open(os.path.join(out, "lock_stat.txt")).read()
classes, order = lock_stat.parse(text)
s = json.load(open(os.path.join(out, "summary.json")))["metrics"]["locks"]
mins = {}
for r in csv.DictReader(open(os.path.join(out, "lock_classes.csv"))):
    mins[(r["class"], r["type"][-1:] == "R")] = (int(r["wait_min_ns"]), int(r["hold_min_ns"]))
sites = {}
for r in csv.DictReader(open(os.path.join(out, "contention.csv"))):
    sites.setdefault(r["class"], (set(), set()))
    sites[r["class"]][0].add((r["caller"], r["caller_line"]))
    sites[r["class"]][1].add((r["holder"], r["holder_line"]))
passed = failed = 0
def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
t = lock_stat.kernel_time
check(f"the same rows as summary.json's locks ({sorted(classes)} vs {sorted(s)})",
      sorted(classes) == sorted(s))
check("the run has contended rw classes and uncontended classes",
      "&mm->mmap_lock-R" in classes and "&mm->mmap_lock-W" in classes
      and any(c["contentions"] == 0 for c in classes.values()))
for label, c in classes.items():
    j = s.get(label, {})
    rd = label.endswith("-R")
    wmin, hmin = mins[(c["name"], rd)]
    acq, con = j.get("acquisitions", -1), j.get("contentions", -1)
    want = {"con-bounces": j.get("con_bounces"), "contentions": con,
            "waittime-min": t(wmin), "waittime-max": t(j.get("wait_max_ns", 0)),
            "waittime-total": t(j.get("wait_total_ns", 0)),
            "waittime-avg": t(j.get("wait_total_ns", 0) // con if con else 0),
            "acq-bounces": j.get("acq_bounces"), "acquisitions": acq,
            "holdtime-min": t(hmin), "holdtime-max": t(j.get("hold_max_ns", 0)),
            "holdtime-total": t(j.get("hold_total_ns", 0)),
            "holdtime-avg": t(j.get("hold_total_ns", 0) // acq if acq else 0)}
    got = {h: c[h] for h in lock_stat.HEADERS}
    check(f"{label}: {got} != summary.json's {want}", got == want)
    # -W/-R only on classes with a read state
    check(f"{label}: suffix only with a read state",
          (label != c["name"]) == (c["name"] + "-R" in classes))
    pts = c.get("contention_points")
    check(f"{label}: points exactly when the class is contended",
          (pts is not None) == any(classes[l]["contentions"] for l in classes
                                   if classes[l]["name"] == c["name"]))
by_class = {}
for c in classes.values():
    by_class[c["name"]] = by_class.get(c["name"], 0) + c["contentions"]
check("classes printed by contentions", [by_class[n] for n in order] == sorted(by_class.values(), reverse=True))
for name, total in by_class.items():
    if not total:
        continue
    c = classes.get(name) or classes[name + "-W"] if name in classes or name + "-W" in classes else classes[name + "-R"]
    waiters, holders = sites[name]
    if len(waiters) <= 4:
        check(f"{name}: contention points add up to {total}", sum(p[0] for p in c["contention_points"]) == total)
    if len(holders) <= 4:
        check(f"{name}: contending points add up to {total}", sum(p[0] for p in c["contending_points"]) == total)
    check(f"{name}: one contention point per distinct waiting site (max 4)",
          len(c["contention_points"]) == min(4, len(waiters)))
check("dotted separators: one per contended class",
      text.count("." * lock_stat.WIDTH) == sum(1 for v in by_class.values() if v))
check("mmap_lock's underline: 14 + 2 dashes at column 24",
      "\n" + " " * 24 + "-" * 16 + "\n" in text)
# The old layout, "%40s: %14llu", puts every number one column right: rejected.
first = text.split("\n")[5]
old = text.replace(first, first[:41] + " " + first[41:-1], 1)
try:
    lock_stat.parse(old)
    check("the parser rejects a row shifted one column right", False)
except ValueError:
    check("", True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
