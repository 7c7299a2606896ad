#!/bin/bash
# touch_runs.sh - a replay reads the runs of plain touches of a trace without the general
# .mmtz decoder (op_source_ops.touches: traces/mmtz_reader.c mmtz_cursor_touches, task/
# replay.c replay_touch_run). Each replay here runs twice, the second time with
# MMSIM_NO_TOUCH_RUNS=1 (every op through the source's next()): the out dirs must be
# byte-identical but summary.json's "host" object, whose touch_run_ops is 0 the second
# way and, the first way, the exact number of touches that follow a touch of their thread
# in the same 64 KiB block (the others start a block or follow another op):
#  - present touches (bench/run's third figure, small): 2 MiB mapped, 20,000 4 KiB touches
#    in address order, a write every fourth; also with --check and with lookahead 1 us
#  - the same trace as a workload killed (kill_at) in the middle of a run
#  - traces/samples: .mmt logs with think times, threads, file ops; a lackey log
set -u
mmsim=$1
source "$(dirname "$0")/../lib/e2e.sh"

python3 - "$tmp/pt.mmt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("mmt 1\npage_size 4096\n")
    f.write("0.000000000 1000/1000 mmap len=2097152 prot=rw flags=private|anonymous = 0x7f0000000000\n")
    for k in range(20000):
        w = " flags=write" if k < 512 or k % 4 == 0 else ""
        f.write("0.000000000 1000/1000 touch addr=0x%x len=4096%s\n" % (0x7f0000000000 + (k % 512) * 4096, w))
    f.write("0.000000000 1000/1000 munmap addr=0x7f0000000000 len=2097152 = 0\n")
PY
cat > "$tmp/kill.yaml" <<Y
seed: 1
machine: {nodes: 1, cpus_per_node: 2, memory_per_node: 64MiB}
kernel: {transparent_hugepage.enabled: never}
workloads:
  - {type: trace, name: victim, path: $tmp/pt.mmt, kill_at: 1500us}
  - {type: sequential_touch, name: other, threads: 1, size: 1MiB, passes: 4}
Y

host_ops() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host"]["touch_run_ops"])' "$1"; }
# same NAME WANT_RUN_OPS ARGS...: mmsim ARGS twice, out dirs equal but "host"
same() {
	local name=$1 want=$2
	shift 2
	"$mmsim" "$@" -o "$tmp/$name.runs" --quiet 2>"$tmp/$name.err1"
	local rc1=$?
	MMSIM_NO_TOUCH_RUNS=1 "$mmsim" "$@" -o "$tmp/$name.next" --quiet 2>"$tmp/$name.err2"
	local rc2=$?
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && ok || { ko "$name: exit $rc1 / $rc2: $(head -3 "$tmp/$name.err1")"; return; }
	cmp -s "$tmp/$name.err1" "$tmp/$name.err2" && ok || ko "$name: stderr differs"
	[ "$(cd "$tmp/$name.runs" && find . -type f | sort)" = "$(cd "$tmp/$name.next" && find . -type f | sort)" ] \
		&& ok || ko "$name: file lists differ"
	local f
	while read -r f; do
		if [ "$f" = ./summary.json ]; then
			python3 - "$tmp/$name.runs/$f" "$tmp/$name.next/$f" <<'PY' && ok || ko "$name: summary.json differs beyond host"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a.pop("host"); b.pop("host")
sys.exit(a != b)
PY
		else
			cmp -s "$tmp/$name.runs/$f" "$tmp/$name.next/$f" && ok || ko "$name: $f differs"
		fi
	done < <(cd "$tmp/$name.runs" && find . -type f | sort)
	local got
	got=$(host_ops "$tmp/$name.runs/summary.json")
	[ "$got" = "$want" ] && ok || ko "$name: touch_run_ops $got, expected $want"
	got=$(host_ops "$tmp/$name.next/summary.json")
	[ "$got" = 0 ] && ok || ko "$name: touch_run_ops $got with MMSIM_NO_TOUCH_RUNS"
}

same present 19997 replay "$tmp/pt.mmt"
same present_check 19997 replay "$tmp/pt.mmt" --check
same present_la 19997 replay "$tmp/pt.mmt" --set engine.lookahead=1us
same kill 8017 run "$tmp/kill.yaml"
same threads_churn 0 replay "$here/traces/samples/threads_churn.mmt"   # no touches
same touch_steps 456 replay "$here/traces/samples/touch_steps.mmt"
same tiny_touch 420 replay "$here/traces/samples/tiny_touch.mmt"
same lackey 47239 replay "$here/traces/samples/touch_steps.lackey.gz" --from lackey

# the present touches were replayed in full; the kill came in the middle of a run of the
# victim's touches: the mmap and 8,018 touches (the first through next(), 8,017 from runs)
python3 - "$tmp" <<'PY' || fail=$((fail + 1))
import json, sys
d = sys.argv[1]
s = json.load(open(f"{d}/kill.runs/summary.json"))
p = json.load(open(f"{d}/present.runs/summary.json"))
bad = 0
def check(what, got, want):
    global bad
    if got != want:
        print(f"FAIL: {what}: {got}, expected {want}"); bad += 1
check("present: touches", p["events"]["ops_by_type"]["touch"], 20000)
rows = [l.strip().split(",") for l in open(f"{d}/kill.runs/injected_faults.csv")][1:]
check("kill: the victim's ops", [r[5] for r in rows if r[4] == "ops"], ["8019"])
th = [l.strip() for l in open(f"{d}/kill.runs/threads.csv")]
check("kill: the victim's touches", [l for l in th if l.startswith("1000,")], ["1000,1000,8018,512,0"])
sys.exit(bad)
PY
echo "touch_runs: $pass passed, $fail failed"
[ $fail = 0 ]
