#!/bin/bash
# run_bad_input.sh MMSIM FILE.yaml: FILE.yaml must be rejected with exactly FILE.stderr
# on stderr, nothing on stdout, exit status FILE.status, and no output directory.
set -u
mmsim=$1 yaml=$2
base=${yaml%.yaml}
rel=${yaml#"$PWD"/}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=()
[ -f "$base.args" ] && read -r -a args < "$base.args"
cmd=run
[ -f "$base.cmd" ] && cmd=$(cat "$base.cmd")
"$mmsim" $cmd "$rel" -o "$tmp/out" --quiet "${args[@]}" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
status=$?
fail=0
want_status=$(cat "$base.status")
if [ "$status" != "$want_status" ]; then
	echo "exit status $status, expected $want_status"; fail=1
fi
if ! diff -u "$base.stderr" "$tmp/stderr"; then
	echo "stderr differs from $base.stderr"; fail=1
fi
if [ -s "$tmp/stdout" ]; then
	echo "unexpected stdout:"; cat "$tmp/stdout"; fail=1
fi
if [ -e "$tmp/out" ]; then
	echo "an output directory was created for bad input"; fail=1
fi
if [ $fail = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
