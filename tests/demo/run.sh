#!/bin/bash
# tests/demo/run.sh - README's first command: install what is missing,
# build, and run the whole flowgrab pipeline on the embedded demo
# (docs/demo.md):
#   1. serve the demo vendor site (tests/demo/mksite.py) on loopback with
#      nginx, one address per vendor (127.0.0.2-5);
#   2. crawl it with tests/demo/demo.seeds into a fresh store;
#   3. replay the shipped capture (tests/demo/capture.pcap.gz), moved in
#      time to end now, through the real softflowd into
#      flowgrab-matcher --listen on 127.0.0.1;
#   4. print the detections and the per-host inventory, and one line saying
#      how many of the downloads in the capture were identified, computed
#      from the matcher's JSON output and the capture's manifest;
#   5. write the HTML report (--report) to BUILD/demo-report.html and say
#      where it is (the file stays; everything else is removed).
# Exit status 0 only if every download was identified and nothing else was
# named.  Everything started here is stopped on any exit.
#
# Environment: FLOWGRAB_NO_INSTALL=1 skips tests/install-deps.sh;
# FLOWGRAB_DEMO_BUILD=DIR uses programs already built in DIR (no build);
# FLOWGRAB_DEMO_KEEP_JSON=FILE keeps the matcher's JSON Lines there.
# FLOWGRAB_DEMO_REPORT=FILE writes the report there instead.
set -eu
cd "$(dirname "$0")/../.."
SRC=$(pwd)
DEMO=$SRC/tests/demo

W=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-demo.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

step "install what is missing (tests/install-deps.sh)"
tests/install-deps.sh

if [ -n "${FLOWGRAB_DEMO_BUILD:-}" ]; then
	B=$FLOWGRAB_DEMO_BUILD
	step "programs from $B"
else
	B=$SRC/build/demo
	step "build in build/demo"
	{
		[ -x configure ] || ./autogen.sh
		mkdir -p "$B"
		[ -f "$B/Makefile" ] || (cd "$B" && "$SRC/configure" -q)
		make -C "$B" -s -j"$(nproc)"
	} > "$W/build.log" 2>&1 || { tail -30 "$W/build.log"; fail "build failed (log above)"; }
fi
CRAWLER=$B/crawler/flowgrab-crawler
MATCHER=$B/matcher/flowgrab-matcher
STORE=$B/store/flowgrab-store
for p in "$CRAWLER" "$MATCHER" "$STORE"; do
	[ -x "$p" ] || fail "$p missing"
done

# ---- 1. the site ---------------------------------------------------------------
. "$DEMO/site.sh"
python3 "$DEMO/mksite.py" "$W/site"
python3 "$DEMO/mksite.py" --list > "$W/site.list"
# a TCP port free on all four vendor addresses, and two UDP ports
read -r PORT UDP1 UDP2 < <(python3 - <<'PY'
import socket
for _ in range(50):
    socks = []
    try:
        s = socket.socket(); s.bind(("127.0.0.2", 0)); socks.append(s)
        port = s.getsockname()[1]
        for a in ("127.0.0.3", "127.0.0.4", "127.0.0.5"):
            t = socket.socket(); t.bind((a, port)); socks.append(t)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    break
else:
    raise SystemExit("no free port on 127.0.0.2-5")
u = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    u.append(s)
print(port, *[s.getsockname()[1] for s in u])
PY
)
demo_nginx_conf "$W/nginx" "$W/site" 127.0.0 "$PORT"
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" \
    2> "$W/nginx/stderr" &
PIDS+=($!)
up=0
for ((i = 0; i < 100; i++)); do
	curl -s -o /dev/null "http://127.0.0.5:$PORT/download/" && { up=1; break; }
	sleep 0.05
done
[ $up = 1 ] || { cat "$W/nginx/stderr" >&2; fail "nginx did not start"; }
step "the demo vendor site: $(wc -l < "$W/site.list") files of 4 vendors," \
    "served by nginx on 127.0.0.2-5:$PORT"
for v in "${DEMO_VENDORS[@]}"; do
	printf '   %-9s http://%s/   %s files\n' "$v" "$(demo_host "$v" 127.0.0 "$PORT")" \
	    "$(awk -v v="$v" '$1 == v' "$W/site.list" | wc -l)"
done

# ---- 2. the crawl ----------------------------------------------------------------
sed "s|:8080/|:$PORT/|" "$DEMO/demo.seeds" > "$W/demo.seeds"
step "crawl: flowgrab-crawler -s STORE --seeds tests/demo/demo.seeds (port $PORT)"
"$CRAWLER" -s "$W/store" --seeds "$W/demo.seeds" --summary ||
    fail "the crawl failed"
# what the crawl should have found: every file of 1 MiB or more, except
# where robots.txt keeps crawlers out
awk '$3 >= 1048576 && $2 !~ /^\/pub\/private\// { print $1, $2, $3 }' \
    "$W/site.list" | sort > "$W/want.store"
"$STORE" -s "$W/store" export -f csv | awk -F, 'NR > 1 {
	u = $1; sub(/^http:\/\/[^\/]*/, "", u); print $3, u, $2 }' |
    sort > "$W/got.store"
if ! cmp -s "$W/want.store" "$W/got.store"; then
	diff "$W/want.store" "$W/got.store" | head -20 >&2
	fail "the store does not hold what the site offers (above: < missing, > extra)"
fi
echo "store: $(wc -l < "$W/got.store") downloads, each file of 1 MiB or more" \
    "the site lets crawlers see, with its exact size"

# ---- 3. the replay ---------------------------------------------------------------
# as if its downloads had just happened (tests/demo/retime.py says why)
python3 "$DEMO/retime.py" "$DEMO/capture.pcap.gz" "$W/capture.pcap"
M=$DEMO/capture.manifest
ndl=$(grep -c '^download' "$M")
nother=$(grep -c '^other' "$M")
nhosts=$(awk '!/^#/ { print $2 }' "$M" | sort -u | wc -l)
step "replay tests/demo/capture.pcap.gz: $ndl downloads of known files by" \
    "$nhosts hosts among $nother other transfers, through softflowd -r into" \
    "flowgrab-matcher --listen"

# Two collectors: one prints the table a user reads, the other writes the
# JSON Lines that are checked against the manifest.  softflowd 1.1.0 sends
# to one destination, so the capture is replayed once into each.
REPORT=${FLOWGRAB_DEMO_REPORT:-$B/demo-report.html}
"$MATCHER" -s "$W/store" --listen "127.0.0.1:$UDP1" --summary \
    --report "$REPORT" --duration 60s > "$W/table.out" 2> "$W/table.err" &
MT=$!
PIDS+=($MT)
"$MATCHER" -s "$W/store" --listen "127.0.0.1:$UDP2" -f json \
    --duration 60s > "$W/detections.json" 2> "$W/json.err" &
MJ=$!
PIDS+=($MJ)
for port in "$UDP1" "$UDP2"; do
	up=0
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ss -Hlun "sport = :$port" 2>/dev/null)" ] && { up=1; break; }
		sleep 0.05
	done
	[ $up = 1 ] || { cat "$W"/*.err >&2; fail "the matcher does not listen on $port"; }
done
for port in "$UDP1" "$UDP2"; do
	# -r: read the capture; -a: flow times from the packets' times
	# (without it, softflowd 1.1.0 reading a file exports times that
	# nfdump puts weeks ahead); -c none: no control socket (with one,
	# it waits on the socket forever when reading a file)
	echo "+ softflowd -r capture.pcap -a -v 9 -n 127.0.0.1:$port -d -c none"
	timeout 30 softflowd -r "$W/capture.pcap" -a -v 9 -n "127.0.0.1:$port" \
	    -d -c none -p "$W/softflowd.pid" > "$W/softflowd.out" 2>&1 ||
	    { cat "$W/softflowd.out" >&2; fail "softflowd failed"; }
done
sleep 0.5	# the last datagrams on their way
for p in $MT $MJ; do kill -TERM "$p" 2>/dev/null || true; done
wait $MT || fail "flowgrab-matcher (table) failed: $(cat "$W/table.err")"
wait $MJ || fail "flowgrab-matcher (json) failed: $(cat "$W/json.err")"

# ---- 4. what it found --------------------------------------------------------------
step "detections (flowgrab-matcher --summary)"
cat "$W/table.out"
echo
cat "$W/table.err"
echo
if [ -n "${FLOWGRAB_DEMO_KEEP_JSON:-}" ]; then
	cp "$W/detections.json" "$FLOWGRAB_DEMO_KEEP_JSON"
fi
[ -s "$REPORT" ] || fail "no report in $REPORT"
echo "report: $REPORT (open it in a browser; one file, no network needed)"
python3 "$DEMO/tally.py" "$M" "$W/detections.json"
