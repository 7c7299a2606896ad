#!/bin/bash
# tests/run_all.sh - the whole test suite: a warnings-as-errors build and every ctest
# test, then the same tests in an AddressSanitizer+UndefinedBehaviorSanitizer build.
# Installs what it needs (Debian, as root). This is what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== build (warnings are errors)"
bash tests/setup.sh build
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build with ASan+UBSan"
bash tests/setup.sh build-asan -DMMSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== tests under ASan+UBSan"
# SimGrid's thread contexts let the sanitizers follow every actor (reference/simgrid.md §8).
(cd build-asan && MMSIM_SG_FACTORY=thread UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ctest --output-on-failure -j"$jobs")
