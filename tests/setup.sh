#!/bin/bash
# tests/setup.sh [BUILD_DIR] [CMAKE_ARGS...] - install what mmsim needs (Debian packages,
# as root) if it is missing, then configure and build with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
pkgs=(build-essential cmake pkg-config libsimgrid-dev libyaml-dev zlib1g-dev python3 gnuplot-nox strace openmpi-bin libopenmpi-dev
	chromium python3-websocket clang libclang-rt-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S . -B "$build" -DMMSIM_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
