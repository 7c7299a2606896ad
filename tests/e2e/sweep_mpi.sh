#!/bin/bash
# sweep_mpi.sh - `mpirun -np 3 mmsim sweep` (issue 20): rank 0 hands the points out to the
# two other ranks; every per-point output is byte-identical to the local -j 1 sweep's;
# an invalid point is reported once (by the coordinator) and the others run; a resumed
# MPI sweep skips the complete points; mmsim without mmsim-mpi beside it refuses an MPI
# launch with a message. mmsim hands over to mmsim-mpi (built when CMake finds MPI:
# tests/setup.sh installs libopenmpi-dev, so its absence fails this test).
set -u
mmsim=$1
mpi=$(dirname "$mmsim")/mmsim-mpi
source "$(dirname "$0")/../lib/e2e.sh"
[ -x "$mpi" ] && ok || { ko "$mpi was not built (is libopenmpi-dev installed?)"; echo "$pass passed, $fail failed"; exit 1; }
# as root, on one host with 2 CPUs: --allow-run-as-root and --oversubscribe; shared
# memory and loopback TCP only
run_mpi() { mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp -np "$@"; }

cat > "$tmp/s.yaml" <<EOF2
base: $here/configs/default.yaml
set: {workloads.db.touches: 1500, workloads.churn.cycles: 1}
matrix:
  vm.swappiness: [10, 60, 300]
  workloads.db.threads: [2, 4]
seeds: 2
EOF2
"$mmsim" sweep "$tmp/s.yaml" -o "$tmp/local" -j 1 --quiet > /dev/null 2>&1
[ $? = 1 ] && ok || ko "local sweep: want exit 1 (4 invalid points)"
run_mpi 3 "$mmsim" sweep "$tmp/s.yaml" -o "$tmp/mpi" > "$tmp/table" 2> "$tmp/err"; rc=$?
[ $rc = 1 ] && ok || ko "mpirun sweep: exit $rc (want 1: invalid points); $(tail -5 "$tmp/err")"
[ "$(grep -c ' done ' "$tmp/table")" = 8 ] && [ "$(grep -c ' invalid ' "$tmp/table")" = 4 ] && ok || ko "table: $(cat "$tmp/table")"
[ "$(grep -c 'is invalid:' "$tmp/err")" = 4 ] && ok || ko "invalid points reported $(grep -c 'is invalid:' "$tmp/err") times (want 4: once each)"
grep -q "mmsim sweep: 12 points: 8 to run, 0 complete already, 4 invalid" "$tmp/err" && ok || ko "header: $(head -3 "$tmp/err")"
[ "$(cat "$tmp/mpi/ranks.txt")" = "rank 1: (idle)
rank 2: (idle)" ] && ok || ko "ranks.txt: $(cat "$tmp/mpi/ranks.txt")"
strip_host() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("host",None); print(json.dumps(d,sort_keys=True))' "$1"; }
same=1 n=0
for p in "$tmp"/local/*seed=*; do
	b=$(basename "$p")
	n=$((n + 1))
	for f in $(cd "$p" && find . -type f ! -name summary.json); do
		cmp -s "$p/$f" "$tmp/mpi/$b/$f" || { same=0; echo "differs: $b/$f"; }
	done
	[ "$(strip_host "$p/summary.json")" = "$(strip_host "$tmp/mpi/$b/summary.json")" ] || { same=0; echo "differs: $b/summary.json"; }
done
[ $same = 1 ] && [ $n = 8 ] && ok || ko "local and MPI outputs differ ($n points compared)"
# resumed under MPI: nothing left to run
run_mpi 2 "$mmsim" sweep "$tmp/s.yaml" -o "$tmp/mpi" > /dev/null 2> "$tmp/err2"
grep -q "mmsim sweep: 12 points: 0 to run, 8 complete already, 4 invalid" "$tmp/err2" && ok || ko "resume: $(head -3 "$tmp/err2")"
# an MPI launch of an mmsim without mmsim-mpi beside it
mkdir "$tmp/bin" && cp "$mmsim" "$tmp/bin/mmsim"
out=$(OMPI_COMM_WORLD_SIZE=3 OMPI_COMM_WORLD_RANK=0 "$tmp/bin/mmsim" sweep "$tmp/s.yaml" -o "$tmp/x" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "mmsim sweep: started by an MPI launcher with 3 ranks, but this mmsim has no MPI support and mmsim-mpi is not beside it" && ok || ko "no mmsim-mpi: exit $rc: $out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
