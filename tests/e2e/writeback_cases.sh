#!/bin/bash
# writeback_cases.sh - hand-worked writeback cases (tests/writeback/README.md): replay each
# tests/writeback/NAME.mmt on NAME.machine.yaml and check the figures of NAME.expected:
# "SNAPSHOT FIELD VALUE" (a field of one of the replay's snapshots, meminfo in kB) or
# "metrics KEY VALUE" (summary.json's metrics.writeback) or "summary PATH VALUE" (a dotted
# path in summary.json); no finding of --check.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in "$here"/writeback/*.mmt; do
	name=$(basename "$t" .mmt)
	"$mmsim" replay "$t" --machine "$here/writeback/$name.machine.yaml" -o "$out/$name" \
		--quiet --check
	if ! grep -q "no findings" "$out/$name/findings.txt"; then
		echo "$name: findings:"; cat "$out/$name/findings.txt"; fail=1
	fi
	while read -r snap key want; do
		case "$snap" in ''|'#'*) continue ;; esac
		if [ "$snap" = metrics ] || [ "$snap" = summary ]; then
			got=$(python3 -c "
import json, sys
v = json.load(open(sys.argv[1]))
if sys.argv[3] == 'metrics':
    v = v['metrics']['writeback']
for k in sys.argv[2].split('.'):
    v = v[k]
print(v)" "$out/$name/summary.json" "$key" "$snap")
		else
			got=$(awk -v k="$key" '{ sub(":", "", $1) } $1 == k { print $2 }' \
				"$out/$name/snapshots/$snap")
		fi
		if [ "$got" != "$want" ]; then
			echo "$name: $snap $key is ${got:-missing}, expected $want"; fail=1
		fi
	done < "$here/writeback/$name.expected"
done
exit $fail
