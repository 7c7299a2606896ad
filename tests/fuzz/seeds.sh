#!/bin/bash
# tests/fuzz/seeds.sh TARGET DIR - fill DIR with the seed corpus of a fuzz target, from
# configs/, tests/ and traces/samples/ (gzip logs are unpacked; inputs of several files
# are joined at lines "%%" as fuzz_common.h says). Run from the source root.
set -euo pipefail
shopt -s nullglob
t=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir"
cat_any() { case $1 in *.gz) zcat "$1" ;; *) cat "$1" ;; esac; }
put() {	# put NAME FILE... : the files joined at "%%" lines, cut to 256 KiB
	local name=$1 first=1
	shift
	for f in "$@"; do
		[ $first = 1 ] || printf '%%%%\n'
		cat_any "$f"
		first=0
	done >"$dir/$name"
	truncate -s '<262144' "$dir/$name"
}
case $t in
scenario)
	for f in configs/*.yaml configs/examples/*.yaml configs/seeds/*.yaml tests/scenarios/*.yaml \
		 tests/bad_input/*.yaml; do
		put "$(echo "$f" | tr / _)" "$f"
	done
	printf 'vm.swappiness=10\n' >"$dir/set1"
	{ cat configs/default.yaml; printf '%%%%\nseed=3\n%%%%\nduration=1s\n%%%%\nvm.swappiness=x\n'; } >"$dir/default_sets" ;;
sweep)
	for f in configs/sweeps/*.yaml; do put "$(basename "$f")" "$f"; done ;;
mmt)
	for f in traces/samples/*.mmt configs/seeds/*.mmt $(find tests -name '*.mmt'); do
		put "$(echo "$f" | tr / _)" "$f"
	done ;;
mmtz)
	for f in traces/samples/*.mmtz $(find tests -name '*.mmtz'); do
		cp "$f" "$dir/$(echo "$f" | tr / _)"
	done ;;
strace)
	for f in traces/samples/*.strace traces/samples/*.strace.gz tests/strace_forms/*.log \
		 tests/record/*.strace; do
		put "$(echo "$f" | tr / _)" "$f"
	done ;;
lackey)
	for f in traces/samples/*.lackey.gz; do put "$(basename "$f")" "$f"; done ;;
combine)
	put touch_steps traces/samples/touch_steps.vg.strace.gz traces/samples/touch_steps.lackey.gz ;;
perf)
	put exec_maps tests/record/exec_maps.strace tests/record/exec_maps.faults.txt
	for p in mt_regions gcc sort; do
		put "$p" tests/record/progs/$p.strace.log.gz tests/record/progs/$p.faults.txt.gz \
		    tests/record/progs/$p.observed.txt.gz
	done ;;
*)
	echo "seeds.sh: unknown target $t" >&2
	exit 2 ;;
esac
