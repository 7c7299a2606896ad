#!/usr/bin/env python3
"""layering.py - fail when an #include goes against the layer order of ARCHITECTURE.md:
config -> platform -> engine -> stats -> locks -> mm -> task, with sim.c/main.c on top.
A layer includes only itself and layers to its left. types.h, uapi.h and sim.h (the
context struct of forward-declared parts) are base headers anyone may include.
workloads/ and traces/ see only task/op*.h, engine/rng.h and config/; analysis/ sees no
sim/ code; only engine/ includes SimGrid; nothing outside mm/ includes mm/internal.h."""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
order = ["config", "platform", "engine", "stats", "locks", "mm", "task"]
base = {"types.h", "uapi.h", "sim.h"}
inc = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
errors, checked = [], 0

def allowed(src_area, header):
    top = header.split("/")[0]
    if src_area == "analysis":
        return top == "analysis" or header == "types.h"
    if header in base:
        return True
    top = header.split("/")[0]
    if src_area == "top":
        return True
    if src_area in ("workloads", "traces"):
        return (header.startswith("task/op") or header == "engine/rng.h" or top == "config"
                or top == src_area)
    if src_area == "analysis":
        # out-dir files only: no sim/ header, not even the context (sim.h, uapi.h)
        return top == "analysis" or header == "types.h"
    if top in order and src_area in order:
        return order.index(top) <= order.index(src_area)
    return top == src_area

for area_dir, area in [("sim", None), ("workloads", "workloads"), ("traces", "traces"),
                       ("analysis", "analysis")]:
    d = os.path.join(root, area_dir)
    for dirpath, _, files in os.walk(d):
        for fn in sorted(files):
            if not fn.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root)
            if area is None:
                parts = os.path.relpath(path, d).split(os.sep)
                src_area = parts[0] if len(parts) > 1 else "top"
            else:
                src_area = area
            for n, line in enumerate(open(path, errors="replace"), 1):
                m = inc.match(line)
                if not m:
                    continue
                kind, h = m.groups()
                checked += 1
                if kind == "<":
                    if h.startswith(("simgrid/", "xbt/")) and src_area != "engine":
                        errors.append(f"{rel}:{n}: only engine/ may include <{h}>")
                    continue
                if h.startswith(("check.h", "simtest.h")):
                    continue
                if h == "mm/internal.h" and src_area != "mm":
                    errors.append(f"{rel}:{n}: mm/internal.h is private to mm/")
                elif src_area == "top" and h == "sim_internal.h":
                    pass
                elif not allowed(src_area, h) and not (h.endswith("_internal.h") and
                                                      h.split("/")[0] == src_area):
                    errors.append(f"{rel}:{n}: {src_area}/ must not include \"{h}\"")
for e in errors:
    print(e)
print(f"{checked - len(errors)} passed, {len(errors)} failed")
sys.exit(1 if errors else 0)
