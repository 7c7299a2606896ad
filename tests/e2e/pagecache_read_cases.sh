#!/bin/bash
# pagecache_read_cases.sh - hand-worked page-cache read cases (tests/pagecache/README.md):
# replay each tests/pagecache/NAME.mmt under --check; every "SNAPSHOT KEY VALUE" line of
# NAME.expected must match the snapshot's line "KEY VALUE ..." exactly (first number).
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in "$here"/pagecache/*.mmt; do
	name=$(basename "$t" .mmt)
	machine=()
	[ -f "$here/pagecache/$name.machine.yaml" ] && machine=(--machine "$here/pagecache/$name.machine.yaml")
	"$mmsim" replay "$t" "${machine[@]}" -o "$out/$name" --quiet --check 2>/dev/null
	if ! grep -q "no findings" "$out/$name/findings.txt"; then
		echo "$name: findings:"; cat "$out/$name/findings.txt"; fail=1
	fi
	n=0
	while read -r snap key want; do
		case "$snap" in ''|'#'*) continue ;; esac
		got=$(awk -v k="$key" '$1 == k { print $2; exit }' "$out/$name/snapshots/$snap")
		if [ "$got" != "$want" ]; then
			echo "$name: $snap: $key is ${got:-missing}, expected $want"; fail=1
		fi
		n=$((n + 1))
	done < "$here/pagecache/$name.expected"
	echo "$name: $n values checked"
done
exit $fail
