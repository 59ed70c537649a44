#!/bin/bash
# softflowd.sh - the collector against the real softflowd: downloads from
# nginx on loopback (IPv4 and IPv6) are captured with tcpdump, softflowd
# replays the pcap ("softflowd -r") to flow-dump's collector as NetFlow v5,
# v9 and IPFIX (every time format, biflow, sampling), and each record's
# bytes, packets and times must equal what the pcap itself holds.
# Also: listening on IPv6 and dual-stack, and garbage datagrams.
. "$FG_SRCDIR/tests/lib.sh"
need_cmd softflowd tcpdump nginx curl python3
need_root

. "$FG_SRCDIR/tests/matcher/input/traffic.sh"

# run_export NAME LISTEN DEST COUNT softflowd-args...
run_export() {
	local name=$1 listen=$2 dest=$3 count=$4; shift 4
	"$DUMP" --listen "$listen" --seconds 20 --count "$count" >"$T/$name.out" 2>"$T/$name.err" &
	local pid=$!
	for i in $(seq 100); do grep -q "^# listening" "$T/$name.out" && break; sleep 0.05; done
	timeout 30 softflowd -r "$T/lo.pcap" -n "$dest" "$@" >"$T/$name.sfd" 2>&1
	wait $pid
}

port=$(free_port udp)
run_export v5 "127.0.0.1:$port" "127.0.0.1:$port" "$n_v4" -v 5
is "$(flows "$T/v5.out")" "$(cat "$T/want.v4")" "NetFlow v5: per-direction bytes and packets equal the pcap's"
times_ok "$T/v5.out" 2; ok $? "NetFlow v5: times within 2 ms of the pcap"

for mode in "9" "10" "10 -A sec" "10 -A milli" "10 -A micro" "10 -A nano" "10 -b"; do
	name=v$(echo "$mode" | tr -d ' ')
	port=$(free_port udp)
	# with -b, softflowd pairs the IPv4 directions (distinct addresses)
	count=$n_all
	[ "$mode" = "10 -b" ] && count=$((n_all - n_v4 / 2))
	# shellcheck disable=SC2086
	run_export "$name" "127.0.0.1:$port" "127.0.0.1:$port" "$count" -6 -v $mode
	is "$(flows "$T/$name.out")" "$(cat "$T/want.all")" \
		"softflowd -v $mode: per-direction bytes and packets equal the pcap's"
	# v9 headers carry whole seconds, as does -A sec; the rest is ms exact
	case $mode in 9|"10 -A sec") tol=1000 ;; *) tol=2 ;; esac
	times_ok "$T/$name.out" $tol; ok $? "softflowd -v $mode: times within $tol ms of the pcap"
	grep -q "malformed=0 " "$T/$name.out"; ok $? "softflowd -v $mode: nothing malformed"
done
grep -v '^#' "$T/v10-b.out" | awk '{ if ($11 != "01") bad++ } END { exit bad ? 1 : 0 }'
ok $? "softflowd -b: records are marked biflow (RFC 5103 reverse elements)"
n=$(grep -v '^#' "$T/v10-b.out" | awk '$1 ~ /^127/ && $13 > 0 && $12 > 0' | wc -l)
is "$n" $((n_v4 / 2)) "softflowd -b: each IPv4 download is one record with both directions"

# sampling 1 in 10: records are marked, counts are whatever was sampled
port=$(free_port udp)
run_export v10s "127.0.0.1:$port" "127.0.0.1:$port" 1 -6 -v 10 -s 10
awk '!/^#/ && $14 == 10 && $11 == "02" { n++ } END { exit n ? 0 : 1 }' "$T/v10s.out"
ok $? "softflowd -s 10: records say sampled, 1 in 10"

# listening on IPv6 only, and dual-stack ("PORT") taking IPv4 and IPv6
port=$(free_port udp)
run_export v6listen "[::1]:$port" "[::1]:$port" "$n_all" -6 -v 10
is "$(flows "$T/v6listen.out")" "$(cat "$T/want.all")" "--listen [::1]:PORT receives from softflowd over IPv6"
port=$(free_port udp)
run_export dual4 "$port" "127.0.0.1:$port" "$n_all" -6 -v 9
is "$(flows "$T/dual4.out")" "$(cat "$T/want.all")" "--listen PORT (dual-stack) receives over IPv4"
port=$(free_port udp)
run_export dual6 "$port" "[::1]:$port" "$n_all" -6 -v 9
is "$(flows "$T/dual6.out")" "$(cat "$T/want.all")" "--listen PORT (dual-stack) receives over IPv6"

# garbage, truncated and lying datagrams between good ones: counted, dropped
port=$(free_port udp)
"$DUMP" --listen "127.0.0.1:$port" --seconds 4 >"$T/junk.out" 2>"$T/junk.err" &
pid=$!
for i in $(seq 100); do grep -q "^# listening" "$T/junk.out" && break; sleep 0.05; done
python3 - "$port" "$FG_SRCDIR/tests/matcher/input/data/softflowd-v10.bin" <<'EOF'
import socket, sys
port, good = int(sys.argv[1]), open(sys.argv[2], "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for d in (b"\x00\x07hello", good[:40], good[:2] + b"\x7f\xff" + good[4:], b"", b"\x00\x0a", good):
    s.sendto(d, ("127.0.0.1", port))
EOF
wait $pid
like "$(tail -1 "$T/junk.out")" "records=6 datagrams=6 malformed=5 " "junk datagrams counted, the good one decoded"
like "$(tail -1 "$T/junk.out")" "bad_short=2 bad_version=1 bad_length=2" "junk datagrams counted by reason"
n=$(grep -c "dropped malformed" "$T/junk.err")
is "$n" 1 "malformed datagrams from one exporter logged once a minute"
like "$(cat "$T/junk.err")" "exporter 127\\.0\\.0\\.1:[0-9]+: dropped malformed .*datagram: " "the log names the exporter and what was wrong"

done_testing
