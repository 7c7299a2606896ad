#!/usr/bin/env python3
"""check.py MMSIM SCENARIO.yaml - run a scenario and compare summary.json with
SCENARIO.expected.json, a flat map of slash-separated paths to exact values
("metrics/vmstat/pgfault": 4096). Prints 'N passed, N failed'."""
import json, os, subprocess, sys, tempfile

mmsim, yaml = sys.argv[1], sys.argv[2]
expected = json.load(open(yaml[:-5] + ".expected.json"))
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    r = subprocess.run([mmsim, "run", yaml, "-o", out, "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    summary = json.load(open(os.path.join(out, "summary.json")))
passed = failed = 0
for path, want in sorted(expected.items()):
    node = summary
    try:
        for part in path.split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
    except (KeyError, IndexError, ValueError):
        node = "<missing>"
    if node == want:
        passed += 1
    else:
        failed += 1
        print(f"{yaml}: {path}: expected {want!r}, got {node!r}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
