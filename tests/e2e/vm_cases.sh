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
	"$mmsim" replay "$t" -o "$out/$name" --quiet --check
	if ! grep -q "no findings" "$out/$name/findings.txt"; then
		echo "$name: findings:"; cat "$out/$name/findings.txt"; fail=1
	fi
	for f in "$exp"/*; do
		b=$(basename "$f")
		[ "$b" = lines ] && continue
		if ! diff -u "$f" "$out/$name/snapshots/$b"; then
			echo "$name: snapshot $b differs"; fail=1
		fi
	done
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
