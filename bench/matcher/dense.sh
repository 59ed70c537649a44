#!/bin/bash
# bench/matcher/dense.sh - flowgrab-matcher against a dense store
# (issue 12): precision, recall, calibration and lookups/s when most big
# transfers are files nobody crawled; and "every record a big transfer"
# beside nfdump.
#
#   bench/matcher/dense.sh [BUILDDIR]
#        (today's matcher: 3-4 minutes with BIG=50000; the default BIG of
#        1,000,000 takes it about half an hour at ~600 lines/s)
#   env: STORE_N (1000000 sizes), DOWNLOADS (2000), OTHER (20000), SEED
#        (1: the traffic), STORE_SEED (1), BIG (1000000 records), CPU
#        (the core everything is pinned to; the last one), WORK (scratch
#        directory, kept and reused when given)
#
# The store: STORE_N sizes log-uniform 100 KB - 4 GB of 40 vendors, each
# file under http:// and https:// URLs with its vendor's 4 server
# addresses (bench-flowgen dense-store).  The traffic: DOWNLOADS downloads
# of stored files among OTHER transfers of files not in the store (80%
# from other servers, 20% from the vendors' own), half TLS, 40% with whole
# segments sent again and SACK-laden ACKs back, 25% of clients without TCP
# timestamps, two nfdump CSV records per connection modelled on a real
# stack (bench-flowgen.c, "the dense-store benchmark").  flowgrab-matcher
# reads the CSV (--unmatched --min-confidence 0, JSON); lookups/s is
# connections scored per second of its CPU time (user + system, from
# /usr/bin/time).
#
# Every record a big transfer: BIG one-direction records of random big
# transfers (100 KB - 4 GB, none a stored file) as NetFlow v9 to nfcapd
# on 127.0.0.1, then "nfdump -r FILE -o csv" (the peer: lines/s writing
# them) and flowgrab-matcher reading what nfdump wrote (lines/s, and the
# share named as a stored file).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$SRC}" && pwd)
STORE_N=${STORE_N:-1000000}
DOWNLOADS=${DOWNLOADS:-2000}
OTHER=${OTHER:-20000}
SEED=${SEED:-1}
STORE_SEED=${STORE_SEED:-1}
BIG=${BIG:-1000000}
CPU=${CPU:-$(($(nproc) - 1))}
W=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-dense.XXXXXX")}
mkdir -p "$W" || exit 1
M=$B/matcher/flowgrab-matcher
G=$B/bench/matcher/bench-flowgen
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -z "${WORK:-}" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
make -C "$B" -s bench/matcher/bench-flowgen matcher/flowgrab-matcher \
    store/flowgrab-store || exit 1
for c in nfcapd nfdump taskset python3 /usr/bin/time; do
	command -v $c >/dev/null || { echo "dense.sh: $c missing" >&2; exit 1; }
done
pin() { taskset -c "$CPU" "$@"; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print('%.0f' % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" "$@"; }

echo "# dense store: $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), pinned to CPU $CPU"
echo "# STORE_N=$STORE_N DOWNLOADS=$DOWNLOADS OTHER=$OTHER SEED=$SEED STORE_SEED=$STORE_SEED BIG=$BIG"
if [ ! -d "$W/store" ]; then
	"$G" dense-store "$STORE_N" "$STORE_SEED" > "$W/store.csv" || exit 1
	"$B/store/flowgrab-store" -s "$W/store" -q import "$W/store.csv" || exit 1
fi
"$G" dense "$DOWNLOADS" "$OTHER" "$SEED" "$STORE_N" "$STORE_SEED" "$W/truth" \
    > "$W/flows.csv" || exit 1

# ---- the realistic mix -------------------------------------------------------------
pin /usr/bin/time -f "%e %U %S" -o "$W/time" "$M" -s "$W/store" -f json \
    --unmatched --min-confidence 0 "$W/flows.csv" > "$W/out.json" 2> "$W/err"
echo "matcher: $(grep records "$W/err" | tail -1)"
read -r el us sy < "$W/time"
echo "matcher: $el s elapsed, $us s user, $sy s system"
python3 "$SRC/bench/matcher/dense-eval.py" "$W/truth" "$W/out.json" \
    "$(python3 -c "print($us + $sy)")"

# ---- every record a big transfer ------------------------------------------------------------
"$G" big v9 "$BIG" "$SEED" > "$W/big.v9" 2>/dev/null || exit 1
rm -rf "$W/nfcap" && mkdir -p "$W/nfcap"
port=$((20000 + RANDOM % 20000))
nfcapd -w "$W/nfcap" -b 127.0.0.1 -p "$port" -t 3600 > /dev/null 2>&1 &
np=$!
PIDS+=("$np")
sleep 1
# paced (200,000 records/s), so that the socket keeps every datagram
"$G" send "$W/big.v9" "$port" 200000 > /dev/null 2>&1
sleep 2
kill -TERM "$np"; wait "$np" 2>/dev/null
nff=$(ls "$W"/nfcap/nfcapd.* | head -1)
t0=$(now)
pin nfdump -r "$nff" -o csv > "$W/big.csv" 2>/dev/null
t1=$(now)
lines=$(grep -c '^2' "$W/big.csv")
nfr=$(rate "$lines" "$t0" "$t1")
echo "big transfers: nfcapd kept $lines of $BIG records"
echo "nfdump -r -o csv: $nfr lines/s"
t0=$(now)
pin /usr/bin/time -f "%e %U %S" -o "$W/big.time" "$M" -s "$W/store" -f json \
    "$W/big.csv" > "$W/big.json" 2> "$W/big.err"
t1=$(now)
mr=$(rate "$lines" "$t0" "$t1")
read -r el us sy < "$W/big.time"
named=$(grep -c '"url":"' "$W/big.json")
echo "flowgrab-matcher on that CSV: $mr lines/s elapsed, $(python3 -c "print('%.0f' % ($lines / ($us + $sy)))") per CPU second ($(grep records "$W/big.err" | tail -1))"
python3 -c "import sys; m, n, named, lines = map(float, sys.argv[1:]); print('ratio matcher / nfdump (elapsed): %.4f; named as a stored file (confidence >= 0.5): %d of %d (%.2f%%)' % (m / n, named, lines, 100 * named / lines))" "$mr" "$nfr" "$named" "$lines"
