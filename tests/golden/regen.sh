#!/bin/bash
# regen.sh [MMSIM] - rewrite the golden reports (small.report.md, small.report.json) after a
# deliberate change of the report's figures or wording; review `git diff tests/golden`.
src=$(cd "$(dirname "$0")/../.." && pwd)
MMSIM_UPDATE_GOLDEN=1 exec bash "$src/tests/golden/check.sh" "${1:-$src/build/mmsim}"
