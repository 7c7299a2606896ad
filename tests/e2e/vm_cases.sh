#!/bin/bash
# vm_cases.sh - hand-worked virtual-memory cases (tests/vm/README.md): replay each
# tests/vm/NAME.mmt and compare its snapshots with NAME.expected/.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in "$here"/vm/*.mmt; do
	name=$(basename "$t" .mmt)
	exp="$here/vm/$name.expected"
	machine=()
	[ -f "$here/vm/$name.machine.yaml" ] && machine=(--machine "$here/vm/$name.machine.yaml")
	"$mmsim" replay "$t" "${machine[@]}" -o "$out/$name" --quiet --check
	if ! grep -q "no findings" "$out/$name/findings.txt"; then
		echo "$name: findings:"; cat "$out/$name/findings.txt"; fail=1
	fi
	for f in "$exp"/*; do
		b=$(basename "$f")
		[ "$b" = lines ] || [ "$b" = nonzero ] && continue
		if ! diff -u "$f" "$out/$name/snapshots/$b"; then
			echo "$name: snapshot $b differs"; fail=1
		fi
	done
	if [ -f "$exp/nonzero" ]; then
		while read -r snap counter; do
			v=$(awk -v c="$counter" '$1 == c { print $2 }' "$out/$name/snapshots/$snap")
			if [ -z "$v" ] || [ "$v" -eq 0 ]; then
				echo "$name: $snap: $counter is ${v:-missing}, expected > 0"; fail=1
			fi
		done < "$exp/nonzero"
	fi
	if [ -f "$exp/lines" ]; then
		while read -r snap text; do
			if ! grep -qxF -- "$text" "$out/$name/snapshots/$snap"; then
				echo "$name: $snap has no line \"$text\""; fail=1
			fi
		done < "$exp/lines"
	fi
done
# /proc/meminfo's format: the fields of the real file, in its order, same widths
shape() { sed -E 's/[0-9]+/N/g; s/ +/ /g' "$1"; }
for m in "$out"/*/snapshots/*-meminfo; do
	if ! diff <(shape "$here/real/meminfo.linux-6.18") <(shape "$m") > /dev/null ||
	   ! diff <(awk '{ print length($0) - length($NF) }' "$here/real/meminfo.linux-6.18" | sed 1d) \
		  <(awk '{ print length($0) - length($NF) }' "$m" | sed 1d) > /dev/null; then
		echo "$m: not in /proc/meminfo's format:"; diff <(shape "$here/real/meminfo.linux-6.18") <(shape "$m") || true
		fail=1
	fi
done
exit $fail
