#!/bin/bash
# tests/fuzz/run.sh FUZZ_BUILD TARGET SECONDS SEEDS_DIR - fuzz one target for SECONDS with
# libFuzzer (ASan+UBSan, leak detection, 2 GB RSS and 10 s per input limits), starting
# from its seeds and kept regression inputs. A crash, leak, timeout or OOM fails the test;
# the input is left in FUZZ_BUILD/artifacts/TARGET/ to be fixed and then kept in
# tests/fuzz/regress/TARGET/. Prints the executions done. Run from the source root.
set -euo pipefail
build=$1 t=$2 secs=$3 seeds=$4/run-$t
bash tests/fuzz/seeds.sh "$t" "$seeds"
corpus=$build/corpus/$t art=$build/artifacts/$t
mkdir -p "$corpus" "$art"
log=$build/fuzz_$t.log
set +e
ASAN_OPTIONS=detect_leaks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$art/" "$corpus" "$seeds" \
	tests/fuzz/regress/"$t" >"$log" 2>&1
rc=$?
set -e
grep -E "^stat::number_of_executed_units|^stat::peak_rss|^#[0-9]+ *DONE" "$log" || true
if [ $rc != 0 ]; then
	grep -v "^#[0-9]" "$log" | tail -60
	echo "fuzz/run/$t: failed (exit $rc); input in $art/"
	exit 1
fi
echo "fuzz/run/$t: ok"
