#!/bin/bash
# runahead_identity.sh - run-ahead (engine.runahead, issue 19) changes nothing but the
# number of simcalls. Each scenario runs at engine.lookahead: 0 (exact lock ordering)
# with run-ahead off and on, and the two out dirs must be byte-identical except these
# lines, which the script names and checks:
#   summary.json  "simcalls"            fewer with run-ahead (strictly, for every scenario here)
#   summary.json  "flushes_run_ahead"   0 off, > 0 on
#   summary.json  "host" object         wall-clock figures (wall_seconds, ops_per_second,
#                                       simcalls_per_second)
#   summary.json, report.md: the echo of the knob engine.runahead (false is a changed knob)
# "flushes" (flush points, skipped or not) must be equal. The contention scenarios run
# with --timeline too: its CPU slices and lock waits must be the same.
set -u
mmsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# swap_storm with one cycle instead of two: the same storm (kswapd, direct reclaim, swap
# I/O and readahead) in half the time.
sed -e 's/^\( *cycles:\) 2$/\1 1/' configs/examples/swap_storm.yaml > "$tmp/swap_storm.yaml"
grep -q '^ *cycles: 1$' "$tmp/swap_storm.yaml" && ok || ko "swap_storm.yaml: no 'cycles: 2' to trim"

# summary.json lines allowed to differ, and the knob's echo
allowed='^[<>] *("simcalls"|"flushes_run_ahead"|"wall_seconds"|"ops_per_second"|"simcalls_per_second"): |engine\.runahead'
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"][sys.argv[2]])' "$1" "$2"; }

same_dirs() { # same_dirs NAME OFF ON: every file (snapshots/ too) equal but the allowed lines
	local name=$1 off=$2 on=$3 b other
	[ "$(cd "$off" && find . -type f | sort)" = "$(cd "$on" && find . -type f | sort)" ] \
		&& ok || ko "$name: file lists differ"
	while read -r b; do
		other=$(diff "$off/$b" "$on/$b" | grep '^[<>]' | grep -Ev "$allowed")
		[ -z "$other" ] && ok || ko "$name: $b differs: $(echo "$other" | head -4)"
	done < <(cd "$off" && find . -type f | sort)
}

check() { # check NAME SCENARIO [ARGS...]
	local name=$1 scn=$2
	shift 2
	"$mmsim" run "$scn" --quiet -o "$tmp/$name.off" --set engine.lookahead=0 \
		--set engine.runahead=false "$@" 2>"$tmp/err" || { ko "$name: off run exit $?"; return; }
	"$mmsim" run "$scn" --quiet -o "$tmp/$name.on" --set engine.lookahead=0 \
		--set engine.runahead=true "$@" 2>"$tmp/err" || { ko "$name: on run exit $?"; return; }
	same_dirs "$name" "$tmp/$name.off" "$tmp/$name.on"
	local s_off s_on
	s_off=$(field "$tmp/$name.off/summary.json" simcalls)
	s_on=$(field "$tmp/$name.on/summary.json" simcalls)
	[ "$s_on" -lt "$s_off" ] && ok || ko "$name: simcalls $s_off off, $s_on on"
	[ "$(field "$tmp/$name.off/summary.json" flushes)" = "$(field "$tmp/$name.on/summary.json" flushes)" ] \
		&& ok || ko "$name: flush counts differ"
	[ "$(field "$tmp/$name.off/summary.json" flushes_run_ahead)" = 0 ] && ok || ko "$name: skips with run-ahead off"
	[ "$(field "$tmp/$name.on/summary.json" flushes_run_ahead)" -gt 0 ] && ok || ko "$name: no skip with run-ahead on"
	echo "$name: simcalls $s_off -> $s_on"
}

check mmap_lock_contention configs/examples/mmap_lock_contention.yaml --timeline
check default configs/default.yaml --timeline
# under ASan (MMSIM_SANITIZE=1) the swap storm is left out: the longest pair
[ "${MMSIM_SANITIZE:-0}" = 1 ] || check swap_storm "$tmp/swap_storm.yaml"
check seed000 configs/seeds/000-mempolicy-refcount.yaml
check seed004 configs/seeds/004-hugetlb-split.yaml
check seed003_highalloc configs/seeds/003-highalloc.yaml
check numa_spill configs/examples/numa_spill.yaml
check thp_churn configs/examples/thp_churn.yaml
# the default lookahead (1 us) too: run-ahead skips the flushes it makes
"$mmsim" run configs/default.yaml --quiet -o "$tmp/la1.off" --set engine.runahead=false || ko "la1 off"
"$mmsim" run configs/default.yaml --quiet -o "$tmp/la1.on" || ko "la1 on"
same_dirs "lookahead 1us" "$tmp/la1.off" "$tmp/la1.on"
[ -s "$tmp/default.on/timeline.json" ] && ok || ko "no timeline.json"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
