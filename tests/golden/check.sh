#!/bin/bash
# check.sh MMSIM - the golden-report test: run small.yaml (from the source dir, so the
# report names it by its relative path), then compare its report.md and `mmsim report
# --format json` byte for byte with small.report.md and small.report.json. Nothing is
# masked. After a deliberate change of the figures or the wording, rewrite the expected
# files with tests/golden/regen.sh (MMSIM_UPDATE_GOLDEN=1) and review the diff.
set -u
mmsim=$1
src=${MMSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mmsim" run tests/golden/small.yaml -o "$tmp/o" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
"$mmsim" report "$tmp/o" --format json -o "$tmp/report.json" || exit 1
"$mmsim" report "$tmp/o" -o "$tmp/report.md" || exit 1
fail=0
# one renderer: the report mmsim run wrote is the one mmsim report writes
cmp -s "$tmp/o/report.md" "$tmp/report.md" || { echo "FAIL: run's report.md differs from mmsim report's"; fail=1; }
if [ "${MMSIM_UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$tmp/o/report.md" tests/golden/small.report.md
	cp "$tmp/report.json" tests/golden/small.report.json
	echo "rewrote tests/golden/small.report.md and small.report.json"
	exit $fail
fi
for f in md json; do
	if ! cmp -s "$tmp/report.$f" "tests/golden/small.report.$f"; then
		echo "FAIL: report.$f differs from tests/golden/small.report.$f:"
		diff "tests/golden/small.report.$f" "$tmp/report.$f" | head -40
		fail=1
	fi
done
[ $fail = 0 ] && echo "golden: report.md and report.json identical"
exit $fail
