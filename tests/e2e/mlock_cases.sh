#!/bin/bash
# mlock_cases.sh - hand-worked mlock and fork-advice cases (tests/mlock/README.md): replay each
# tests/mlock/NAME.mmt on tests/mlock/machine.yaml with --check; every line `SNAPSHOT
# TEXT` of NAME.expected must be a line of that snapshot (`SNAPSHOT KEY >0`: the value
# after KEY is above 0; `SNAPSHOT !TEXT`: no such line; trailing blanks are ignored), and every recorded result (the EINVALs) must be reproduced.
set -euo pipefail
mmsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in "$here"/mlock/*.mmt; do
	name=$(basename "$t" .mmt)
	"$mmsim" replay "$t" --machine "$here/mlock/machine.yaml" -o "$out/$name" --quiet --check
	if ! grep -q "no findings" "$out/$name/findings.txt"; then
		echo "$name: findings:"; cat "$out/$name/findings.txt"; fail=1
	fi
	if ! grep -q '"ret_mismatch": 0' "$out/$name/summary.json"; then
		echo "$name: a recorded result was not reproduced"; fail=1
	fi
	while read -r snap text; do
		f="$out/$name/snapshots/$snap"
		if [[ $text == "!"* ]]; then
			if sed 's/ *$//' "$f" | grep -qxF -- "${text#!}"; then
				echo "$name: $snap has the line \"${text#!}\""; fail=1
			fi
		elif [[ $text == *" >0" ]]; then
			key=${text% >0}
			v=$(grep -F -- "$key" "$f" | head -1 | sed -E "s/^.{${#key}} *([0-9]+).*/\1/")
			if [ -z "$v" ] || [ "$v" -eq 0 ]; then
				echo "$name: $snap: $key is ${v:-missing}, expected > 0"; fail=1
			fi
		elif ! sed 's/ *$//' "$f" | grep -qxF -- "$text"; then
			echo "$name: $snap has no line \"$text\""; fail=1
		fi
	done < "$here/mlock/$name.expected"
done
exit $fail
