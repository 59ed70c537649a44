#!/bin/bash
# bench/matcher/throughput.sh - flowgrab-matcher throughput and memory,
# beside its peers nfcapd and "nfdump -r".
#
#   bench/matcher/throughput.sh [BUILDDIR]        (10-15 minutes)
#   env: RECORDS (10000000), DOWNLOADS (store size, 1000000), CPU (the
#        last one: on the 2-core VMs here CPU 0 also serves the host's
#        agent and its runs vary by +-10%, CPU 1 by +-2%),
#        RATE (records/s for the loss test, 500000), WORK (scratch dir,
#        kept and reused when given), SOCKET_ONLY (skip to the socket runs)
#
# A store of DOWNLOADS downloads (flowgrab-store import) and RECORDS flow
# records from bench-flowgen (1% downloads of stored files, the rest small
# transfers; two records per connection) as nfdump CSV, NetFlow v9 and
# IPFIX datagrams.  Everything runs pinned to one core (taskset -c CPU);
# the sender of the socket tests runs on another.  Only 127.0.0.1.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
RECORDS=${RECORDS:-10000000}
DOWNLOADS=${DOWNLOADS:-1000000}
CPU=${CPU:-$(($(nproc) - 1))}
RATE=${RATE:-500000}
W=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-matcher.XXXXXX")}
mkdir -p "$W" || exit 1
M=$B/matcher/flowgrab-matcher
G=$B/bench/matcher/bench-flowgen
P=$B/bench/matcher/bench-pipeline
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -z "${WORK:-}" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
OTHER=$(( (CPU + 1) % $(nproc) ))
pin() { taskset -c "$CPU" "$@"; }

make -C "$B" -s bench/matcher/bench-flowgen bench/matcher/bench-pipeline \
    matcher/flowgrab-matcher store/flowgrab-store || exit 1
for c in nfcapd nfdump taskset python3; do
	command -v $c >/dev/null || { echo "throughput.sh: $c missing" >&2; exit 1; }
done

now() { date +%s.%N; }
rate() { python3 -c "import sys; print('%.0f' % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" "$@"; }
field() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$2" | tail -1; }

echo "# flowgrab-matcher throughput, $(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "# records $RECORDS, store $DOWNLOADS downloads, pinned to CPU $CPU"

# ---- data -------------------------------------------------------------------
if [ ! -d "$W/store" ]; then
	"$G" store "$DOWNLOADS" 1 > "$W/store.csv"
	t0=$(now)
	"$B/store/flowgrab-store" -s "$W/store" -q import "$W/store.csv" || exit 1
	t1=$(now)
	echo "store: imported $DOWNLOADS downloads in $(python3 -c "print('%.1f' % ($t1 - $t0))") s"
fi
[ -f "$W/flows.csv" ] || "$G" csv "$RECORDS" 7 "$DOWNLOADS" > "$W/flows.csv"
[ -f "$W/flows.v9" ] || "$G" v9 "$RECORDS" 7 "$DOWNLOADS" > "$W/flows.v9"
[ -f "$W/flows.ipfix" ] || "$G" ipfix "$RECORDS" 7 "$DOWNLOADS" > "$W/flows.ipfix"
ls -l "$W"/flows.* | awk '{print "data: " $NF ": " $5 " bytes"}'

if [ -z "${SOCKET_ONLY:-}" ]; then
# ---- memory per live connection ------------------------------------------------
pin "$P" conn 1000000

# ---- files, no socket ------------------------------------------------------------
for f in v9 ipfix; do
	echo "pipeline ($f datagrams from a file, decode + connections + lookups):"
	pin "$P" file "$W/store" "$W/flows.$f"
done
echo "flowgrab-matcher on nfdump CSV (one file, JSON to /dev/null):"
# read the 3.5 GB once first: cold, the disk is what gets measured
# (0.9-1.3 M lines/s here against 1.6-1.7 M warm)
cat "$W/flows.csv" > /dev/null
t0=$(now)
pin "$M" -s "$W/store" -f json "$W/flows.csv" > /dev/null 2> "$W/csv.err"
t1=$(now)
echo "  $(tail -1 "$W/csv.err")"
echo "  $(rate "$RECORDS" "$t0" "$t1") lines/s"
fi

# ---- the socket ---------------------------------------------------------------------
sock_run() {	# sock_run NAME FILE RATE SECONDS
	local port=$((20000 + RANDOM % 20000)) sent t0 t1 recv recs
	taskset -c "$CPU" "$M" -s "$W/store" -f json \
	    --listen "127.0.0.1:$port" > /dev/null 2> "$W/sock.err" &
	local mp=$!
	PIDS+=("$mp")
	sleep 0.5
	t0=$(now)
	sent=$(taskset -c "$OTHER" "$G" send "$3" "$port" "$4" "$5" 2>/dev/null)
	# let it drain: until it uses less than 20 ms of CPU per 0.5 s (it
	# polls every 200 ms, so its CPU time never stands quite still)
	local last cur i
	last=$(cut -d' ' -f1 /proc/$mp/schedstat 2>/dev/null || echo 0)
	for ((i = 0; i < 600; i++)); do
		sleep 0.5
		cur=$(cut -d' ' -f1 /proc/$mp/schedstat 2>/dev/null || echo 0)
		[ $((cur - last)) -lt 20000000 ] && break
		last=$cur
	done
	t1=$(now)
	kill -TERM "$mp"; wait "$mp" 2>/dev/null
	recv=$(field datagrams "$W/sock.err")
	recs=$(field records "$W/sock.err")
	echo "$1: sent $sent datagrams, received $recv ($((sent - recv)) lost), $recs records"
	[ "$4" = 0 ] && echo "  $(rate "$recs" "$t0" "$t1") records/s (flat out, drain included)"
}
sock_run "socket v9, flat out" v9 "$W/flows.v9" 0 0
sock_run "socket IPFIX, flat out" ipfix "$W/flows.ipfix" 0 0
sock_run "socket v9 at $RATE records/s for 10 s" v9 "$W/flows.v9" "$RATE" 10

# ---- peers ------------------------------------------------------------------------------
rm -rf "$W/nfcap" && mkdir -p "$W/nfcap"
port=$((20000 + RANDOM % 20000))
taskset -c "$CPU" nfcapd -w "$W/nfcap" -b 127.0.0.1 -p "$port" -t 3600 \
    > /dev/null 2>&1 &
np=$!
PIDS+=("$np")
sleep 1
t0=$(now)
sent=$(taskset -c "$OTHER" "$G" send "$W/flows.v9" "$port" 0 2>/dev/null)
sleep 3
kill -TERM "$np"; wait "$np" 2>/dev/null
t1=$(now)
nff=$(ls "$W"/nfcap/nfcapd.* | head -1)
flows=$(nfdump -r "$nff" -q -o csv 2>/dev/null | grep -c '^2')
echo "nfcapd (v9, flat out): $sent datagrams sent, $flows of $RECORDS records kept"
t0=$(now)
pin nfdump -r "$nff" -o csv > "$W/nfdump.csv" 2>/dev/null
t1=$(now)
lines=$(wc -l < "$W/nfdump.csv")
echo "nfdump -r -o csv: $lines lines, $(rate "$lines" "$t0" "$t1") lines/s"
