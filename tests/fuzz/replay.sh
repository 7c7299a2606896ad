#!/bin/bash
# tests/fuzz/replay.sh REPLAY_BIN TARGET SEEDS_DIR - run a fuzz target once on each kept
# regression input (tests/fuzz/regress/TARGET/) and each seed; fails on a crash, a
# sanitizer report or a leak. Run from the source root.
set -euo pipefail
bin=$1 t=$2 seeds=$3/$t
bash tests/fuzz/seeds.sh "$t" "$seeds"
n=$(ls tests/fuzz/regress/"$t" | wc -l)
echo "fuzz_regress/$t: $n regression inputs, $(ls "$seeds" | wc -l) seeds"
"$bin" tests/fuzz/regress/"$t" "$seeds" 2>/dev/null >"$seeds.out" || {
	"$bin" tests/fuzz/regress/"$t" "$seeds" 2>&1 | tail -40
	exit 1
}
cat "$seeds.out"
