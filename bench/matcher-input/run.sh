#!/bin/bash
# bench/matcher-input/run.sh - throughput of the flow inputs (no store
# lookups) beside the peers, on loopback only.
#
#   bench/matcher-input/run.sh [BUILDDIR] [RECORDS]     (defaults: . and 10000000)
#
# 1. flow_decode_datagram on softflowd-like NetFlow v9 and IPFIX datagrams
#    held in memory: records/s on one core.
# 2. flow_read_stream on an nfdump 1.7.1 CSV file of RECORDS/5 lines.
# 3. The collector taking the datagrams over loopback UDP at fixed rates:
#    records received of records sent.
# 4. Peers: nfcapd taking the same datagrams at the same rates, and
#    "nfdump -r FILE -o csv" turning its file into CSV (and our
#    flow_read_nfcapd, which runs that nfdump and parses the CSV).
# Prints a Markdown table for bench/RESULTS-matcher-input.md.
set -u
build=.
records=10000000
for a in "$@"; do
	case $a in ''|*[!0-9]*) build=$a ;; *) records=$a ;; esac
done
build=$(cd "$build" && pwd)
B=$build/bench/matcher-input/bench-input
make -C "$build" -s bench/matcher-input/bench-input tests/matcher/input/flow-dump >/dev/null || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-bench-input.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
free_udp() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| what | records or lines | seconds | per second |"
echo "|---|---|---|---|"
for f in v9 ipfix; do
	out=$("$B" decode $f "$records")
	echo "| decode $f datagrams in memory (1 core) | $(val "$out" records) | $(val "$out" cpu_s) | $(val "$out" records_per_cpu_s) |"
done
lines=$((records / 5))
"$B" csv "$work/flows.csv" "$lines"
cat "$work/flows.csv" >/dev/null
out=$("$B" read "$work/flows.csv")
echo "| parse nfdump 1.7.1 CSV (1 core) | $(val "$out" lines) | $(val "$out" cpu_s) | $(val "$out" lines_per_cpu_s) |"

# collector vs nfcapd over loopback: same datagrams (v9), same rates
n_udp=$((records / 10))
for rate in 200000 500000 0; do
	port=$(free_udp)
	"$B" collect "$port" "$n_udp" >"$work/collect.out" &
	cpid=$!; pids+=($cpid)
	for i in $(seq 100); do grep -q listening "$work/collect.out" && break; sleep 0.05; done
	sent=$("$B" send v9 "$port" "$n_udp" "$rate")
	wait $cpid
	got=$(tail -1 "$work/collect.out")
	label=$([ "$rate" = 0 ] && echo "as fast as the sender goes" || echo "at $rate/s")
	echo "| collector (v9 over UDP), $label: received of $(val "$sent" sent_records) sent | $(val "$got" received_records) | $(val "$got" wall_s) | $(val "$got" records_per_s) |"

	port=$(free_udp)
	rm -rf "$work/nfc"; mkdir -p "$work/nfc"
	nfcapd -w "$work/nfc" -p "$port" -b 127.0.0.1 -t 3600 -B 134217728 >"$work/nfcapd.log" 2>&1 &
	npid=$!; pids+=($npid)
	sleep 1
	sent=$("$B" send v9 "$port" "$n_udp" "$rate")
	sleep 2
	kill -TERM $npid; wait $npid
	flows=$(grep -o "Flows: [0-9]*" "$work/nfcapd.log" | tail -1 | grep -o "[0-9]*")
	echo "| nfcapd 1.7.1 (same datagrams), $label: received of $(val "$sent" sent_records) sent | ${flows:-?} | $(val "$sent" wall_s) (send) | - |"
done

# nfdump -r to CSV on the nfcapd file of the last run, and our reader of it
file=$(ls "$work"/nfc/nfcapd.2* | head -1)
t0=$(date +%s.%N)
n=$(TZ=UTC nfdump -r "$file" -o csv | wc -l)
t1=$(date +%s.%N)
echo "| nfdump -r FILE -o csv (peer) | $n | $(calc "$t1 - $t0") | $(calc "$n / ($t1 - $t0)") |"
t0=$(date +%s.%N)
n=$("$build/tests/matcher/input/flow-dump" --nfcapd "$file" 2>/dev/null | tail -1 | sed -n 's/.* records=\([0-9]*\).*/\1/p')
t1=$(date +%s.%N)
echo "| flow_read_nfcapd (runs that nfdump, parses its CSV, prints) | $n | $(calc "$t1 - $t0") | $(calc "$n / ($t1 - $t0)") |"
