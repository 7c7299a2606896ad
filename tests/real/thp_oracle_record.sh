#!/bin/bash
# thp_oracle_record.sh OUTDIR - record tests/real/thp_oracle on this machine (as root):
# build it, run it twice without strace and once under strace, and accept the recording
# only if the three truths are the same and every step that differs from the spec is one
# of the known differences of the running kernel (6.18: the writes to the huge zero page,
# Z1_write_1_page and Z1_write_second_2M). The THP counters are global, so another
# process faulting or splitting THPs while enabled=always (or khugepaged, starved at nice
# 19 on a loaded machine, finishing a pass late) shows as a difference: run this when the
# machine is quiet, and again if it refuses. Writes OUTDIR/thp_oracle.strace and
# OUTDIR/thp_oracle.truth.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cc -O1 -Wall -o "$out/thp_oracle" "$here/thp_oracle.c"
cd "$out"
./thp_oracle run1.truth
./thp_oracle run2.truth
rm -f thp_oracle.strace
strace -f -tt -e trace=memory,process,ipc,desc,prctl -s 64 -o thp_oracle.strace \
	./thp_oracle thp_oracle.truth
if ! cmp -s run1.truth run2.truth || ! cmp -s run2.truth thp_oracle.truth; then
	echo "the three runs differ: the machine was not quiet; run again" >&2
	diff run1.truth run2.truth >&2 || true
	diff run2.truth thp_oracle.truth >&2 || true
	exit 1
fi
differ=$(awk '/^== /{s=$2} /^# differs/{print s}' thp_oracle.truth | sort -u | tr '\n' ' ')
known="Z1_write_1_page Z1_write_second_2M "
if [ "$differ" != "$known" ]; then
	echo "steps that differ from the spec: ${differ:-none}; expected: $known" >&2
	exit 1
fi
rm -f run1.truth run2.truth
echo "recorded $out/thp_oracle.strace and $out/thp_oracle.truth"
