#!/bin/bash
# bench/crawler/run.sh - flowgrab-crawler against wget and wget2 on the same
# generated site, and against curl --parallel on nginx without delay.
#
# Part 1 (issue 3): fg-testsrv serves DIRS listing pages of FILES downloads
# each (default 200 x 100 = 20,000) and holds every response DELAY_MS
# (default 20 ms) to stand in for a round trip.  Each client crawls it with
# CONC connections (wget: one), through its own server instance so that the
# server's log shows exactly which files each one found.
# Part 2: the same tree as sparse files behind nginx on loopback, no delay:
# requests/s of the crawler beside curl --parallel HEADing the same URLs
# (the client ceiling of this machine).
#
# Usage: bench/crawler/run.sh [BUILDDIR]    (results on stdout, markdown)
# Env: DIRS FILES DELAY_MS CONC SKIP_WGET=1 SKIP_NGINX=1
# Only loopback is used.  Needs: wget wget2 nginx curl python3 GNU time.
set -u
B=${1:-$(pwd)}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CRAWLER=$B/crawler/flowgrab-crawler
TESTSRV=$B/tests/server/fg-testsrv
DIRS=${DIRS:-200}
FILES=${FILES:-100}
DELAY_MS=${DELAY_MS:-20}
CONC=${CONC:-16}
T=$(mktemp -d /tmp/fg-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_srv() {	# start_srv NAME: $PORT, log $T/NAME.log
	rm -f "$T/$1.port"
	"$TESTSRV" --port-file "$T/$1.port" --log "$T/$1.log" --lifetime 3600 \
		--tree "${DIRS}x${FILES}" --delay-ms "$DELAY_MS" &
	SRV=$!
	PIDS+=("$SRV")
	while [ ! -s "$T/$1.port" ]; do sleep 0.05; done
	PORT=$(cat "$T/$1.port")
}

# measure NAME CMD...: wall seconds and peak RSS (KiB) into $T/NAME.time
measure() {
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$T/$name.time" "$@" > "$T/$name.out" 2> "$T/$name.err"
}

# row NAME LABEL CONNS: one table row from the server log of NAME
row() {
	local name=$1 label=$2 conns=$3
	read -r wall rss < <(tail -1 "$T/$name.time")
	local reqs files
	reqs=$(grep -c . "$T/$name.log")
	files=$(awk '$3 ~ /^\/tree\/d[0-9]+\/f[0-9]+\.bin$/ { print $3 }' "$T/$name.log" | sort -u | wc -l)
	python3 - "$label" "$conns" "$wall" "$rss" "$reqs" "$files" "$DELAY_MS" <<'PY'
import sys
label, conns, wall, rss, reqs, files, delay = sys.argv[1:]
conns, wall, rss, reqs, files, delay = int(conns), float(wall), int(rss), int(reqs), int(files), int(delay)
ideal = reqs * delay / 1000 / conns
ratio = wall / ideal if ideal else 0
print(f"| {label} | {conns} | {files} | {reqs} | {wall:.1f} | {reqs / wall:.0f} | {ideal:.1f} | {ratio:.2f} | {rss / 1024:.1f} |")
PY
}

echo "## Crawler benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r))"
echo
echo "Site: $DIRS listings x $FILES files = $((DIRS * FILES)) downloads, every response held ${DELAY_MS} ms."
echo
echo "| client | connections | files found | requests | wall s | req/s | ideal s | wall/ideal | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"

start_srv fg
measure fg "$CRAWLER" -s "$T/store" --nosync --min-size 1 --per-host "$CONC" \
	--threads 2 --parallel "$CONC" --json "http://127.0.0.1:$PORT/tree/"
row fg "flowgrab-crawler" "$CONC"
kill "$SRV"

start_srv wget2
measure wget2 wget2 --spider -r -np --robots=off --max-threads="$CONC" \
	-q -P "$T/w2" "http://127.0.0.1:$PORT/tree/"
row wget2 "wget2 --spider -r --max-threads=$CONC" "$CONC"
kill "$SRV"

if [ "${SKIP_WGET:-0}" != 1 ]; then
	start_srv wget
	measure wget wget --spider -r -l inf -np -nd -q -e robots=off \
		-P "$T/w1" "http://127.0.0.1:$PORT/tree/"
	row wget "wget --spider -r" 1
	kill "$SRV"
fi
echo

if [ "${SKIP_NGINX:-0}" != 1 ] && command -v nginx > /dev/null; then
	# same tree, sparse files, nginx autoindex, no delay
	FG_SRCDIR=$SRC
	at_exit() { :; }
	wait_port() {
		local i; for ((i = 0; i < 200; i++)); do
			(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
	. "$SRC/tests/crawler/nginx-lib.sh"
	"$TESTSRV" --tree "${DIRS}x${FILES}" --list > "$T/list"
	mkdir -p "$T/www"
	python3 - "$T/www" "$T/list" <<'PY'
import os, sys
root = sys.argv[1]
for line in open(sys.argv[2]):
    path, size = line.split()
    p = root + path
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.truncate(int(size))
PY
	start_nginx "$T/www"
	PIDS+=("$NGINX_PID")
	U="http://127.0.0.1:$NGINX_PORT/tree/"
	measure ng "$CRAWLER" -s "$T/store2" --nosync --min-size 1 \
		--per-host "$CONC" --threads 2 --parallel "$CONC" --json "$U"
	read -r wall rss < <(tail -1 "$T/ng.time")
	reqs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$T/ng.out")
	awk -v u="http://127.0.0.1:$NGINX_PORT" '{ print "url = \"" u $1 "\"\noutput = \"/dev/null\"" }' "$T/list" > "$T/curl.cfg"
	measure curl curl -s -I --parallel --parallel-max "$CONC" --config "$T/curl.cfg"
	read -r cwall crss < <(tail -1 "$T/curl.time")
	echo "Loopback, no delay, nginx $(nginx -v 2>&1 | sed 's/.*\///') autoindex over the same tree ($CONC connections):"
	echo
	echo "| client | requests | wall s | req/s | peak RSS MiB |"
	echo "|---|---|---|---|---|"
	python3 -c "import sys; r,w,m=int(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); print(f'| flowgrab-crawler (pages + HEAD probes + store) | {r} | {w:.2f} | {r/w:.0f} | {m/1024:.1f} |')" "$reqs" "$wall" "$rss"
	n=$(wc -l < "$T/list")
	python3 -c "import sys; r,w,m=int(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); print(f'| curl -I --parallel --parallel-max $CONC (HEAD of the file URLs only) | {r} | {w:.2f} | {r/w:.0f} | {m/1024:.1f} |')" "$n" "$cwall" "$crss"
	echo
fi

# Part 3: memory per URL of a million-URL frontier (the crawler's own
# structures: items in the scheduler plus the seen set)
if [ -x "$B/bench/crawler/bench-frontier" ] || make -C "$B" -s bench/crawler/bench-frontier > /dev/null 2>&1; then
	echo "Memory of a frontier of ${FRONTIER:-1000000} URLs (bench/crawler/bench-frontier):"
	echo
	"$B/bench/crawler/bench-frontier" "${FRONTIER:-1000000}" | sed 's/^/    /'
	echo
fi
