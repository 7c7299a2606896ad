#!/bin/bash
# layering_analysis.sh - the layering check (tests/layering.py) refuses an analysis/ file
# that includes model, lock, engine or other simulator code, even sim.h: analysis/ reads
# out dirs only; analysis/ headers and types.h pass.
set -u
src=${MMSIM_SOURCE_DIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/analysis" "$tmp/sim"
fail=0
for h in mm/vmstat.h locks/lockstat.h engine/engine.h stats/json.h sim.h; do
	printf '#include "%s"\n' "$h" > "$tmp/analysis/bad.c"
	out=$(python3 "$src/tests/layering.py" "$tmp"); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -qxF "analysis/bad.c:1: analysis/ must not include \"$h\"" ||
		{ echo "FAIL: $h: $rc $out"; fail=1; }
done
printf '#include "analysis/json_read.h"\n#include "types.h"\n' > "$tmp/analysis/bad.c"
python3 "$src/tests/layering.py" "$tmp" > /dev/null || { echo "FAIL: allowed includes refused"; fail=1; }
[ $fail = 0 ] && echo "layering_analysis: passed"
exit $fail
