#!/bin/bash
# tests/matcher/metrics.sh - flowgrab-matcher --metrics and
# --stats-interval: a collector on loopback takes the demo capture
# (tests/demo/capture.pcap.gz) replayed by the real softflowd, first as
# NetFlow v9, then as IPFIX, and curl scrapes its Prometheus endpoint
# before, between and after: the counters must move with what arrived.
# Also: the endpoint's bounds (404, an oversized request, an idle client
# that must not hold collection up), loopback by default, the store
# generation moving when the store is written, and the log line.
. "$FG_SRCDIR/tests/lib.sh"

need_cmd softflowd curl python3 ss

DEMO=$FG_SRCDIR/tests/demo
M=$FLOWGRAB_MATCHER

# the store: every file of the demo site, as the demo's crawl finds them
python3 "$DEMO/mksite.py" --list | awk 'BEGIN { print "url,size,vendor,source" }
	$3 >= 1048576 && $2 !~ /^\/pub\/private\// { printf "http://%s.example%s,%s,%s,import\n", $1, $2, $3, $1 }' \
    > "$T/store.csv"
"$FLOWGRAB_STORE" -s "$T/store" -q import "$T/store.csv"
ok $? "store: the demo site's files imported"
python3 "$DEMO/retime.py" "$DEMO/capture.pcap.gz" "$T/capture.pcap"
ok $? "capture moved in time to end now"

"$M" -s "$T/store" --metrics 9 "$T/store.csv" > /dev/null 2> "$T/nolisten.err"
is $? 2 "--metrics without --listen: exit 2"
"$M" -s "$T/store" --listen 127.0.0.1:0 --metrics 127.0.0.1:x \
    > /dev/null 2> "$T/bad.err"
is $? 1 "--metrics with a bad address: exit 1"
like "$(cat "$T/bad.err")" "--metrics 127.0.0.1:x" "... naming it"

udp=$(free_port udp)
tcp=$(free_port)
"$M" -s "$T/store" -f json --listen "127.0.0.1:$udp" --metrics "$tcp" \
    --stats-interval 1s > "$T/det.json" 2> "$T/m.err" &
mp=$!
at_exit "kill $mp"
wait_port "$tcp"
ok $? "metrics endpoint listens on port $tcp"
like "$(ss -Hltn "sport = :$tcp")" "127\.0\.0\.1:$tcp" \
    "--metrics PORT: bound to loopback only"

scrape() { curl -s --max-time 5 "http://127.0.0.1:$tcp/metrics"; }
val() {	# val FILE METRIC-WITH-LABELS: the value, or "none"
	awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "none" }' "$1"
}

curl -s -D "$T/h0" -o "$T/s0" "http://127.0.0.1:$tcp/metrics"
ok $? "scrape before any datagram"
like "$(cat "$T/h0")" "Content-Type: text/plain; version=0\.0\.4" \
    "Prometheus text format 0.0.4"
is "$(val "$T/s0" flowgrab_datagrams_total)" 0 "no datagram yet"
is "$(val "$T/s0" flowgrab_connections_live)" 0 "no connection yet"
# every sample line is NAME{LABELS} VALUE, every family has HELP and TYPE
bad=$(grep -v '^#' "$T/s0" | grep -Evc '^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [-+0-9.eInf]+$')
is "$bad" 0 "every sample line is well formed"
is "$(grep -c '^# TYPE' "$T/s0")" "$(grep -c '^# HELP' "$T/s0")" \
    "a HELP for every TYPE"

softflowd -r "$T/capture.pcap" -a -v 9 -n "127.0.0.1:$udp" -d -c none \
    -p "$T/sf.pid" > "$T/sf.out" 2>&1
ok $? "softflowd replayed the capture as NetFlow v9"
# the connections end (FIN both ways, then a short grace) and are scored
for ((i = 0; i < 100; i++)); do
	scrape > "$T/s1"
	d=$(val "$T/s1" flowgrab_detections_total)
	[ "$d" != none ] && [ "$d" -ge 12 ] && break
	sleep 0.1
done
dg1=$(val "$T/s1" flowgrab_datagrams_total)
ok $(( dg1 > 0 ? 0 : 1 )) "datagrams counted ($dg1)"
is "$(val "$T/s1" 'flowgrab_datagrams_by_version_total{version="9"}')" "$dg1" \
    "all of them NetFlow v9"
r9=$(val "$T/s1" 'flowgrab_flow_records_by_version_total{version="9"}')
ok $(( r9 >= 24 ? 0 : 1 )) "v9 records counted ($r9: two or more per download)"
is "$(val "$T/s1" 'flowgrab_flow_records_total{proto="tcp"}')" "$r9" \
    "... all of them TCP"
like "$(grep '^flowgrab_templates{' "$T/s1")" \
    '^flowgrab_templates\{exporter="127\.0\.0\.1",version="9",domain="[0-9]+"\} [1-9]' \
    "templates per exporter: softflowd's"
d1=$(val "$T/s1" flowgrab_detections_total)
is "$d1" 12 "detections: the capture's 12 downloads"
is "$(wc -l < "$T/det.json")" "$d1" "... as many as the JSON lines written"
l1=$(val "$T/s1" flowgrab_lookups_total)
ok $(( l1 >= d1 ? 0 : 1 )) "lookups counted ($l1)"
c1=$(val "$T/s1" flowgrab_connections_total)
ok $(( c1 >= l1 ? 0 : 1 )) "connections counted ($c1)"
lc=$(val "$T/s1" flowgrab_record_lag_seconds_count)
is "$lc" "$r9" "every record's lag measured"
# the capture ends a second ago: no record is over 5 minutes late
is "$(val "$T/s1" 'flowgrab_record_lag_seconds_bucket{le="300"}')" "$lc" \
    "lag: every record within 300 s"
ls1=$(val "$T/s1" flowgrab_learned_servers)
ok $(( ls1 >= 1 ? 0 : 1 )) "learned servers ($ls1)"

# an idle client holds a slot but must not hold collection up
exec 5<>"/dev/tcp/127.0.0.1/$tcp"
printf 'GET /metrics HTTP/1.1\r\n' >&5      # and never the end of it
python3 - "$udp" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for v in (7, 8):       # no such NetFlow version
    s.sendto(bytes([0, v]) + b"\0" * 30, ("127.0.0.1", int(sys.argv[1])))
s.sendto(b"\0", ("127.0.0.1", int(sys.argv[1])))         # too short
PY
softflowd -r "$T/capture.pcap" -a -v 10 -n "127.0.0.1:$udp" -d -c none \
    -p "$T/sf.pid" > "$T/sf.out" 2>&1
ok $? "softflowd replayed the capture as IPFIX, an idle client connected"
for ((i = 0; i < 50; i++)); do
	scrape > "$T/s2"
	r10=$(val "$T/s2" 'flowgrab_flow_records_by_version_total{version="10"}')
	[ "$r10" != none ] && [ "$r10" -ge "$r9" ] && break
	sleep 0.1
done
ok $(( r10 >= r9 ? 0 : 1 )) "IPFIX records counted while a client idles ($r10)"
dg2=$(val "$T/s2" flowgrab_datagrams_total)
ok $(( dg2 > dg1 + 3 ? 0 : 1 )) "datagrams moved on ($dg1 -> $dg2)"
is "$(val "$T/s2" 'flowgrab_malformed_datagrams_total{reason="version"}')" 2 \
    "malformed: 2 of an unknown version"
is "$(val "$T/s2" 'flowgrab_malformed_datagrams_total{reason="short"}')" 1 \
    "malformed: 1 too short"
is "$(val "$T/s2" 'flowgrab_datagrams_by_version_total{version="other"}')" 3 \
    "... counted as of another version"
like "$(grep '^flowgrab_templates{' "$T/s2")" 'version="10"' \
    "templates per exporter: the IPFIX one too"
exec 5>&-

# the crawler (here: an import) writes; the matcher renews its snapshot
g1=$(val "$T/s2" flowgrab_store_generation)
printf 'url,size,vendor,source\nhttp://new.example/n.bin,7777777,new,import\n' \
    > "$T/new.csv"
"$FLOWGRAB_STORE" -s "$T/store" -q import "$T/new.csv"
for ((i = 0; i < 50; i++)); do
	scrape > "$T/s3"
	g2=$(val "$T/s3" flowgrab_store_generation)
	[ "$g2" -gt "$g1" ] && break
	sleep 0.1
done
ok $(( g2 > g1 ? 0 : 1 )) "store generation follows a write ($g1 -> $g2)"

# bounds of the responder
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tcp/nope")" 404 \
    "another path: 404"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$tcp/metrics")" \
    405 "POST: 405"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 3000 /dev/zero | tr '\0' a)" \
    "http://127.0.0.1:$tcp/metrics")" 431 "a request head over 2 kB: 431"
# more clients than slots: the extra ones are closed, scraping goes on
for i in 1 2 3 4 5 6; do exec {fd}<>"/dev/tcp/127.0.0.1/$tcp"; fds+=($fd); done
sleep 0.3
for fd in "${fds[@]}"; do exec {fd}>&-; done
scrape > "$T/s4"
ok $? "scrape after a crowd of idle clients"
like "$(val "$T/s4" flowgrab_uptime_seconds)" '^[0-9]+\.[0-9]+$' "uptime given"

sleep 1.2
kill -TERM $mp
wait $mp
ok $? "SIGTERM: exit 0"
like "$(grep -c ': stats: datagrams' "$T/m.err")" '^[1-9]' \
    "--stats-interval 1s: lines of counters in the log"
like "$(grep ': stats: ' "$T/m.err" | tail -1)" \
    "stats: datagrams $dg2, malformed 3, records [0-9]+, connections [0-9]+ \(live [0-9]+, evicted 0\), lookups [0-9]+, detections [0-9]+" \
    "the last one with the totals"

done_testing
