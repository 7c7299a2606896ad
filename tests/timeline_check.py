#!/usr/bin/env python3
"""timeline_check.py - validate an mmsim timeline.json (Chrome trace-event format).

  timeline_check.py TIMELINE.json [--lock-stat LOCK_STAT.txt] [--classes LOCK_CLASSES.csv]
                    [--clipped-from WHOLE.json]

Always: the file is one JSON object with a traceEvents list and otherData; every event
has name, ph, ts, pid, tid (and dur for "X"); per track (pid, tid) the timestamps never
decrease in file order; "B"/"E" pairs are balanced and properly nested with matching
names; "X" slices of one track do not overlap on the CPU and lock-hold tracks; every
event lies inside the window of otherData.

--lock-stat/--classes (a run without a window): the lock-wait slices of each class and
state add up to lock_stat.txt's waittime-total (as printed: microseconds, two decimals)
and to lock_classes.csv's wait_total_ns exactly, and there is one slice per contention.

--clipped-from WHOLE.json (this file was written with a window, WHOLE without one): the
lock-wait slices here are exactly WHOLE's lock-wait slices clipped to the window (same
task, class, site, state; ts and dur cut at the edges; wait_ns the unclipped wait), so a
window's wait totals are the whole run's waits that fall inside it.

Prints a summary and exits 1 with the first problems found."""
import csv
import json
import sys
from collections import defaultdict


def ns(us):
    """ts/dur are microseconds with three decimals: back to exact integer ns."""
    return int(round(float(us) * 1000))


def fail(msgs):
    for m in msgs[:20]:
        print("FAIL:", m)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errs = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail([f"{path}: not an object with a traceEvents list"])
    other = doc.get("otherData", {})
    frm = other.get("window_from_ns", 0)
    to = other.get("window_to_ns")
    last = {}
    stacks = defaultdict(list)
    xend = {}
    waits = []
    counts = defaultdict(int)
    for i, e in enumerate(doc["traceEvents"]):
        where = f"{path}: event {i}"
        for k in ("name", "ph", "ts", "pid", "tid"):
            if k not in e:
                errs.append(f"{where}: no {k}: {e}")
        ph = e.get("ph")
        counts[ph] += 1
        if ph == "M":
            continue
        track = (e["pid"], e["tid"])
        ts = ns(e["ts"])
        if ts < last.get(track, 0):
            errs.append(f"{where}: ts {e['ts']} before the track's previous {last[track] / 1000}")
        last[track] = ts
        if ts < frm or (to is not None and ts > to):
            errs.append(f"{where}: ts {e['ts']} outside the window")
        if ph == "B":
            stacks[track].append(e["name"])
        elif ph == "E":
            if not stacks[track]:
                errs.append(f"{where}: E without B")
            elif stacks[track].pop() != e["name"]:
                errs.append(f"{where}: E {e['name']} closes another slice")
        elif ph == "X":
            if "dur" not in e:
                errs.append(f"{where}: X without dur")
                continue
            d = ns(e["dur"])
            if d < 0 or (to is not None and ts + d > to):
                errs.append(f"{where}: dur {e['dur']} outside the window")
            cat = e.get("cat")
            if cat in ("cpu", "lock hold"):
                if ts < xend.get(track, 0):
                    errs.append(f"{where}: {cat} slice overlaps the previous one")
                xend[track] = ts + d
            if cat == "lock wait":
                a = e["args"]
                for k in ("class", "site", "line", "rw", "wait_ns"):
                    if k not in a:
                        errs.append(f"{where}: lock wait without args.{k}")
                waits.append((track, a["class"], a["site"], a["line"], a["rw"], ts, d,
                               a["wait_ns"], bool(a.get("clipped"))))
        else:
            errs.append(f"{where}: unexpected ph {ph}")
    for track, st in stacks.items():
        if st:
            errs.append(f"{path}: track {track}: {len(st)} B without E ({st[-1]})")
    if errs:
        fail(errs)
    return doc, waits, counts


def fmt_us(total_ns):
    """lock_stat's seq_time(): microseconds rounded to 10 ns, two decimals."""
    n = total_ns + 5
    return f"{n // 1000}.{(n % 1000) // 10:02d}"


def lock_stat_rows(path):
    """class row label -> (contentions, waittime-total string)."""
    rows = {}
    with open(path) as f:
        for line in f:
            if ":" not in line or line.startswith(("lock_stat", "  ")) and "." not in line:
                continue
            name, _, rest = line.rpartition(":")
            cols = rest.split()
            if len(cols) != 12 or not cols[1].isdigit():
                continue
            rows[name.strip()] = (int(cols[1]), cols[4])
    return rows


def check_lock_stat(waits, lock_stat, classes_csv):
    per = defaultdict(lambda: [0, 0])
    for (_, cls, _, _, rw, _, d, wait_ns, clipped) in waits:
        if clipped or d != wait_ns:
            fail([f"a clipped wait in a run without a window: {cls}"])
        per[(cls, rw)][0] += 1
        per[(cls, rw)][1] += d
    errs = []
    with open(classes_csv) as f:
        csv_rows = {(r["class"], "read" if r["type"].endswith(":R") else "write"): r
                    for r in csv.DictReader(f)}
    has_read = {c for (c, rw) in csv_rows if rw == "read"}
    rows = lock_stat_rows(lock_stat)
    checked = 0
    for (cls, rw), r in sorted(csv_rows.items()):
        cont, total = per.get((cls, rw), (0, 0))
        if int(r["contentions"]) != cont or int(r["wait_total_ns"]) != total:
            errs.append(f"{cls} {rw}: timeline {cont} waits, {total} ns; lock_classes.csv "
                        f"{r['contentions']}, {r['wait_total_ns']} ns")
        label = cls + (("-R" if rw == "read" else "-W") if cls in has_read else "")
        if label in rows and int(r["acquisitions"]):
            lc, lt = rows[label]
            if lc != cont or lt != fmt_us(total):
                errs.append(f"{label}: timeline {cont} waits, {fmt_us(total)} us; lock_stat.txt "
                            f"{lc}, {lt} us")
            checked += 1
    for key in per:
        if key not in csv_rows:
            errs.append(f"{key}: waits in the timeline, no class in lock_classes.csv")
    if errs:
        fail(errs)
    return checked, per


def check_clipped(doc, waits, whole_path):
    other = doc["otherData"]
    frm, to = other["window_from_ns"], other["window_to_ns"]
    _, whole, _ = load(whole_path)
    want = []
    for (track, cls, site, line, rw, ts, d, wait_ns, _) in whole:
        s, e = max(ts, frm), min(ts + d, to)
        if s < e:
            want.append((track, cls, site, line, rw, s, e - s, wait_ns, s != ts or e != ts + d))
    got = sorted(waits)
    want.sort()
    if got != want:
        diff = [f"only in the window: {w}" for w in got if w not in set(want)][:5]
        diff += [f"only in the whole run, clipped: {w}" for w in want if w not in set(got)][:5]
        fail([f"{len(got)} window waits vs {len(want)} clipped whole-run waits"] + diff)
    return len(got), sum(w[6] for w in got), sum(1 for w in got if w[8])


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    path, opts = args[0], dict(zip(args[1::2], args[2::2]))
    doc, waits, counts = load(path)
    other = doc.get("otherData")
    if not other or other.get("lock_wait_slices") != len(waits):
        fail([f"otherData.lock_wait_slices {other and other.get('lock_wait_slices')} != "
              f"{len(waits)} lock-wait slices"])
    print(f"{path}: {sum(counts.values())} events (B {counts['B']}, E {counts['E']}, "
          f"X {counts['X']}, M {counts['M']}), {len(waits)} lock waits, "
          f"{sum(w[6] for w in waits)} ns")
    if "--lock-stat" in opts:
        checked, per = check_lock_stat(waits, opts["--lock-stat"], opts["--classes"])
        for (cls, rw), (n, t) in sorted(per.items()):
            print(f"  {cls} {rw}: {n} waits, {t} ns = {fmt_us(t)} us")
        print(f"  lock_stat.txt: {checked} rows agree")
    if "--clipped-from" in opts:
        n, total, clipped = check_clipped(doc, waits, opts["--clipped-from"])
        print(f"  window: {n} waits ({clipped} clipped), {total} ns: the whole run's, clipped")


if __name__ == "__main__":
    main()
