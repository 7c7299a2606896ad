#!/bin/bash
# tests/fuzz/build.sh CLANG DIR - configure and build the libFuzzer targets with clang,
# ASan and UBSan in DIR (-DMMSIM_FUZZ=ON). Run from the source root.
set -euo pipefail
clang=$1 dir=$2
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$clang" -DMMSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DMMSIM_WERROR=ON >/dev/null
targets=()
for t in scenario sweep mmt mmtz strace lackey combine perf; do targets+=(--target "fuzz_$t"); done
cmake --build "$dir" -j"$(nproc)" "${targets[@]}"
