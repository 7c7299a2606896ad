#!/bin/bash
# procfiles.sh - /proc/zoneinfo, /proc/PID/status, /proc/PID/smaps and the per-node
# meminfo, vmstat and numastat, as snapshots a program takes and in the out dir at the
# end, on a scenario worked by hand (tests/procfiles/procfiles.mmt on the built-in
# machine: 2 nodes of 4 GiB, 1048576 pages each, 4 CPUs each, pcp batch 63):
#  - 256 pages written, then 128 unmapped: 128 anon pages + 1 PTE table in use; the
#    per-CPU list of CPU 0 was refilled 6 times by 63 pages (378 from the buddy), so
#    nr_free_pages = 1048576 - 378 = 1048198 and count 249 (378 - 257 + 128) on CPU 0:
#    free + pcp + used = 1048198 + 249 + 129 = managed 1048576, MemUsed 1512 kB
#  - status: VmPeak 1088 kB (1 MiB + 64 KiB before the munmap), VmSize 576, VmHWM 1024
#    (the munmap raised the mark), VmRSS 512 = RssAnon 512 + RssFile 0 + RssShmem 0
#  - the per-node meminfo files sum to /proc/meminfo
#  - at the end everything is free: 1048198 in the buddy and 378 on per-CPU lists
# Run by ctest as: procfiles.sh MMSIM (from the source dir)
set -u
MMSIM=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
O=$T/out
S=$O/snapshots

"$MMSIM" replay tests/procfiles/procfiles.mmt -o "$O" --quiet 2> "$T/err" || { echo "FAIL: replay: $(cat "$T/err")"; exit 1; }
[ "$(ls "$S" | tr '\n' ' ')" = "0001-zoneinfo 0002-status 0003-smaps 0004-meminfo 0005-node0.meminfo 0006-node1.meminfo 0007-node0.vmstat 0008-node0.numastat " ] ||
	{ echo "FAIL: snapshots: $(ls "$S" | tr '\n' ' ')"; fail=1; }

# eq WHAT GOT WANT
eq() { [ "$2" = "$3" ] || { echo "FAIL: $1: got '$2', want '$3'"; fail=1; }; }

# zoneinfo: the Normal zone of node 0 (fields in the kernel's layout)
zone() { awk -v n="$2" '/^Node /{z = ($0 ~ "^Node " n ", zone +Normal$")} z' "$1"; }
Z=$(zone "$S/0001-zoneinfo" 0)
eq "pages free" "$(echo "$Z" | grep '^  pages free ')" "  pages free     1048198"
eq "min/low/high" "$(echo "$Z" | grep -E '^        (min|low|high|promo) ' | tr -s ' ' | tr '\n' ' ')" " min 5632  low 7040  high 8448 "
eq "spanned/present/managed" "$(echo "$Z" | grep -E '^        (spanned|present|managed) ' | awk '{print $2}' | tr '\n' ' ')" "1048576 1048576 1048576 "
eq "nr_free_pages" "$(echo "$Z" | grep '^      nr_free_pages ')" "      nr_free_pages 1048198"
eq "nr_zone_inactive_anon" "$(echo "$Z" | grep '^      nr_zone_inactive_anon ')" "      nr_zone_inactive_anon 128"
eq "numa_hit" "$(echo "$Z" | grep '^      numa_hit ')" "      numa_hit     257"
eq "cpu 0 pageset" "$(echo "$Z" | grep -A3 '^    cpu: 0$' | tr -s ' ' | tr '\n' '|')" " cpu: 0| count: 249| high: 1760| batch: 63|"
eq "pcp pages" "$(echo "$Z" | awk '/^              count:/{s += $2} END{print s}')" "249"
eq "cpus listed" "$(echo "$Z" | grep -c '^    cpu: ')" "8"
eq "threshold" "$(echo "$Z" | grep -m1 '^  vm stats threshold: ')" "  vm stats threshold: 56"
eq "per-node stats nr_anon_pages" "$(echo "$Z" | grep '^      nr_anon_pages ')" "      nr_anon_pages 128"
eq "free+pcp+used" "$((1048198 + 249 + 128 + 1))" "1048576"
eq "DMA32 unpopulated" "$(grep -A11 '^Node 0, zone    DMA32$' "$S/0001-zoneinfo" | tail -2 | tr '\n' '|')" "        protection: (0, 0)|Node 0, zone   Normal|"
eq "tail" "$(echo "$Z" | tail -2 | tr '\n' '|')" "  node_unreclaimable:  0|  start_pfn:           0|"

# status
st() { grep "^$1:" "$S/0002-status" | awk '{print $2}'; }
eq "status fields" "$(st VmPeak) $(st VmSize) $(st VmHWM) $(st VmRSS) $(st RssAnon) $(st RssFile) $(st RssShmem) $(st VmData) $(st VmPTE) $(st VmSwap) $(st Threads)" "1088 576 1024 512 512 0 0 512 4 0 1"
eq "VmRSS = RssAnon+RssFile+RssShmem" "$(st VmRSS)" "$(( $(st RssAnon) + $(st RssFile) + $(st RssShmem) ))"
eq "status layout" "$(grep '^VmRSS:' "$S/0002-status")" "$(printf 'VmRSS:\t     512 kB')"

# smaps: two VMAs; the written one 512 kB private dirty anonymous, Rss sums to VmRSS
eq "smaps VMAs" "$(grep -c '^Size:' "$S/0003-smaps")" "2"
eq "smaps first" "$(sed -n '1p;5p;11p;13p' "$S/0003-smaps" | tr -s ' ' | tr '\n' '|')" "7f0000000000-7f0000080000 rw-p 00000000 00:00 0 |Rss: 512 kB|Private_Dirty: 512 kB|Anonymous: 512 kB|"
eq "smaps Rss sum" "$(awk '/^Rss:/{s += $2} END{print s}' "$S/0003-smaps")" "$(st VmRSS)"
eq "smaps VmFlags" "$(grep '^VmFlags:' "$S/0003-smaps" | tr '\n' '|')" "VmFlags: rd wr mr mw me ac|VmFlags: rd mr mw me|"

# per-node meminfo sums to /proc/meminfo; node vmstat and numastat
for k in MemTotal MemFree AnonPages 'Inactive(anon)' PageTables; do
	sum=$(cat "$S/0005-node0.meminfo" "$S/0006-node1.meminfo" | awk -v k="$k:" '$3 == k {s += $4} END{print s}')
	eq "sum of node $k" "$sum" "$(awk -v k="$k:" '$1 == k {print $2}' "$S/0004-meminfo")"
done
eq "node0 MemUsed" "$(grep 'MemUsed' "$S/0005-node0.meminfo")" "Node 0 MemUsed:            1512 kB"
eq "node0 vmstat" "$(grep -E '^(nr_free_pages|nr_anon_pages|numa_hit) ' "$S/0007-node0.vmstat" | tr '\n' '|')" "nr_free_pages 1048198|numa_hit 257|nr_anon_pages 128|"
eq "node0 numastat" "$(head -1 "$S/0008-node0.numastat")" "numa_hit 257"

# the out dir at the end: all free, 378 pages of it on per-CPU lists
Z=$(zone "$O/zoneinfo.txt" 0)
eq "end pages free" "$(echo "$Z" | grep '^  pages free ')" "  pages free     1048198"
eq "end pcp pages" "$(echo "$Z" | awk '/^              count:/{s += $2} END{print s}')" "378"
eq "end node0 meminfo" "$(grep -E 'MemFree|AnonPages' "$O/node0.meminfo" | tr -s ' ' | tr '\n' '|')" "Node 0 MemFree: 4192792 kB|Node 0 AnonPages: 0 kB|"
for n in 0 1; do for f in meminfo numastat vmstat; do
	[ -s "$O/node$n.$f" ] || { echo "FAIL: node$n.$f missing"; fail=1; }
done; done

[ $fail = 0 ] && echo "procfiles: all passed"
exit $fail
