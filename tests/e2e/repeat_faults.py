"""Repeat faults of a perf-recorded trace (`mmsim trace cat` output on stdin or argv[1]).

The kernel reports every page-fault exception. Two exceptions on one page of one mm with
no unmap between (the second not needing more access than the first had) happen when two
threads touch a page not yet mapped at the same time (both enter the handler; the second
finds the PTE the first installed), or when the page was migrated (compaction) or
reclaimed between two touches of a thread. The trace keeps both faults but not why; the
replay maps the page at the first and takes no fault at the second. Prints
"PID/TID REPEATS" for each thread with any. Handles munmap, MADV_DONTNEED/FREE/REMOVE,
MAP_FIXED over a range, and execve (a new mm); mm sharing is by pid (threads)."""
import collections
import sys

PAGE = 4096


def repeats(lines):
    present = collections.defaultdict(dict)   # pid -> page -> written
    rep = collections.Counter()

    def drop(pid, addr, length):
        pages = present[pid]
        end = addr + length
        for pg in [p for p in pages if addr <= p < end]:
            del pages[pg]

    for line in lines:
        f = line.split()
        if len(f) < 3 or "/" not in f[1]:
            continue
        who, typ = f[1], f[2]
        pid = who.split("/")[0]
        kv = dict(x.split("=", 1) for x in f[3:] if "=" in x)
        if typ == "touch":
            pg = int(kv["addr"], 16) // PAGE
            w = "write" in kv.get("flags", "")
            prev = present[pid].get(pg)
            if prev is not None and (prev or not w):
                rep[who] += 1
            present[pid][pg] = bool(prev) or w
        elif typ == "munmap" or (typ == "madvise" and kv.get("advice") in ("dontneed", "free", "remove")):
            drop(pid, int(kv["addr"], 16) // PAGE, (int(kv["len"]) + PAGE - 1) // PAGE)
        elif typ == "mmap" and "fixed" in kv.get("flags", ""):
            drop(pid, int(kv["addr"], 16) // PAGE, (int(kv["len"]) + PAGE - 1) // PAGE)
        elif typ == "execve":
            present[pid] = {}
    return rep


if __name__ == "__main__":
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    for who, n in sorted(repeats(src).items()):
        print(who, n)
