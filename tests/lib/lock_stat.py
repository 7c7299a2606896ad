"""lock_stat.py - read /proc/lock_stat (version 0.4) by the column positions of the
format strings in 6.1's kernel/locking/lockdep_proc.c, not by splitting on blanks:

  header   "%40s %14s %14s ... %14s\\n"            (class name, then 12 columns)
  row      "%40s:" or "%38s-W:" / "%38s-R:"         (label, colon at column 40)
           "%14lu " con-bounces, "%14lu" contentions, " %14s" x 4 wait times,
           " %14lu " acq-bounces, "%14lu" acquisitions, " %14s" x 4 hold times
  point    "%40s %14lu %29s %pS\\n"                  (name, count, [<ip>], symbol)
  underline  seq_line('-', 40 - namelen, namelen)   before each list of points
  separator  "\\n" + 221 dots + "\\n\\n"              after a contended class's points

So column k (0..11) of the header and of every row spans [41 + 15k, 55 + 15k): each
number must end exactly under its header. parse() raises ValueError naming the line and
the column of anything out of place."""

import re

WIDTH = 40 + 1 + 12 * (14 + 1)     # the dashed and dotted lines
ROW = 40 + 12 * (14 + 1)           # header and rows: 40 + ':' or ' ', then 12 x (14 + ' ') less the last blank
HEADERS = ("con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
           "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
           "holdtime-total", "holdtime-avg")
INTS = {"con-bounces", "contentions", "acq-bounces", "acquisitions"}
IP = re.compile(r"\[<[0-9a-f]{16}>\]$")
SYM = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+$")
TIME = re.compile(r"\d+\.\d\d$")


def span(k):
    return 41 + 15 * k, 55 + 15 * k


def kernel_time(ns):
    """snprint_time(): +5 ns, then microseconds with the last 10 ns digit dropped."""
    n = ns + 5
    return "%d.%02d" % (n // 1000, (n % 1000) // 10)


def _field(line, no, k, name):
    a, b = span(k)
    cell = line[a:b]
    if len(line) < b or line[a - 1] not in " :" or (len(line) > b and line[b] != " "):
        raise ValueError(f"line {no}: column {name} not at [{a},{b}): {line!r}")
    v = cell.strip()
    if not v or cell != v.rjust(14):
        raise ValueError(f"line {no}: {name} {cell!r} not right-aligned in [{a},{b})")
    if name in INTS:
        if not v.isdigit():
            raise ValueError(f"line {no}: {name} {v!r} is not an integer")
        return int(v)
    if not TIME.match(v):
        raise ValueError(f"line {no}: {name} {v!r} is not a time")
    return v


def parse(text):
    """Returns (classes, order): classes maps a row label ("&mm->mmap_lock-W", or the
    bare name for a class without read state) to its 12 values by header, plus
    'contention_points' and 'contending_points' lists of (count, ip, symbol) on the
    class name; order is the list of class names as printed."""
    lines = text.split("\n")
    if lines[-1] != "":
        raise ValueError("no newline at the end")
    lines = lines[:-1]
    dash = "-" * WIDTH
    if lines[0] != "lock_stat version 0.4" or lines[1] != dash or lines[3] != dash or lines[4]:
        raise ValueError("header lines are not as the kernel prints them")
    head = lines[2]
    if head[:40] != "class name".rjust(40) or len(head) != ROW:
        raise ValueError(f"header: {head!r}")
    for k, h in enumerate(HEADERS):
        a, b = span(k)
        if head[a - 1] != " " or head[a:b] != h.rjust(14):
            raise ValueError(f"header: {h} not at [{a},{b})")
    classes, order = {}, []
    i, n = 5, len(lines)
    while i < n:
        line = lines[i]
        no = i + 1
        if len(line) != ROW or line[40] != ":":
            raise ValueError(f"line {no}: not a class row: {line!r}")
        label = line[:40].strip()
        if line[:40] != label.rjust(40):
            raise ValueError(f"line {no}: label not right-aligned in 40 columns")
        name = label[:-2] if label[-2:] in ("-W", "-R") else label
        classes[label] = {h: _field(line, no, k, h) for k, h in enumerate(HEADERS)}
        classes[label]["name"] = name
        if not order or order[-1] != name:
            order.append(name)
        i += 1
        if label.endswith("-W") and i < n and lines[i][:41] == (name + "-R").rjust(40) + ":":
            continue  # the -R row of the same class
        # Points: only after a contended class, each list under its underline.
        if i < n and set(lines[i].strip()) == {"-"}:
            rd = label.endswith("-W") or label.endswith("-R")
            namelen = len(name) + (2 if rd else 0)
            want = " " * (40 - namelen) + "-" * namelen
            lists = []
            while i < n and set(lines[i].strip()) == {"-"}:
                if lines[i] != want:
                    raise ValueError(f"line {i + 1}: underline {lines[i]!r}, expected {want!r}")
                i += 1
                pts = []
                while i < n and len(lines[i]) > 86 and lines[i][:40] == name.rjust(40):
                    p = lines[i]
                    cnt = p[41:55]
                    ip = p[56:85]
                    if p[40] != " " or p[55] != " " or p[85] != " " or not cnt.strip().isdigit() \
                            or cnt != cnt.strip().rjust(14) or not IP.match(ip.strip()) \
                            or ip != ip.strip().rjust(29) or not SYM.match(p[86:]):
                        raise ValueError(f"line {i + 1}: point not as \"%40s %14lu %29s %pS\": {p!r}")
                    pts.append((int(cnt), ip.strip(), p[86:]))
                    i += 1
                lists.append(pts)
            for lbl in (name, name + "-W", name + "-R"):
                if lbl in classes:
                    classes[lbl]["contention_points"] = lists[0]
                    classes[lbl]["contending_points"] = lists[1] if len(lists) > 1 else []
            if len(lists) > 1:
                if lines[i:i + 3] != ["", "." * WIDTH, ""]:
                    raise ValueError(f"line {i + 1}: no dotted separator after {name}'s points")
                i += 3
        elif i < n and lines[i] == "":
            raise ValueError(f"line {i + 1}: blank line after the uncontended class {name}")
    return classes, order
