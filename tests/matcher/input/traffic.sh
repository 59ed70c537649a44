# traffic.sh - sourced by the flow input shell tests: downloads three
# files from nginx on loopback (two over IPv4 from client 127.0.0.2, one
# over IPv6) while tcpdump captures them into $T/lo.pcap, then says what
# a flow meter must report for that pcap (pcapsum.py):
#   $T/expect.all  "src sport dst dport proto octets packets first_ms last_ms"
#   $T/want.all, $T/want.v4   the first 7 columns, sorted (all / IPv4 only)
#   $n_all, $n_v4             how many directions
# A test that defines before_traffic() gets it called once nginx listens
# on $http, before the downloads.  Defines flows FILE (flow-dump output in that form) and
# times_ok FILE TOLERANCE_MS.
DUMP=$FG_BUILDDIR/tests/matcher/input/flow-dump
PCAPSUM=$FG_SRCDIR/tests/matcher/input/pcapsum.py

http=$(free_port)
mkdir -p "$T/www" "$T/tmp"
head -c 300000 /dev/urandom >"$T/www/a.bin"
head -c 1234567 /dev/urandom >"$T/www/b.bin"
head -c 70001 /dev/urandom >"$T/www/c.bin"
cat >"$T/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/tmp; proxy_temp_path $T/tmp;
	fastcgi_temp_path $T/tmp; uwsgi_temp_path $T/tmp; scgi_temp_path $T/tmp;
	server {
		listen 127.0.0.1:$http;
		listen [::1]:$http;
		root $T/www;
	}
}
EOF
nginx -c "$T/nginx.conf" -p "$T" >"$T/nginx.out" 2>&1 &
nginx_pid=$!
at_exit "kill $nginx_pid; wait $nginx_pid"
wait_port "$http" 10 || { cat "$T/nginx.err" "$T/nginx.out"; skip_all "nginx did not start"; }

# a test may start its own flow meter here (it knows $http now)
if declare -F before_traffic >/dev/null; then before_traffic; fi
tcpdump --immediate-mode -Z root -i lo -U -s 128 -w "$T/lo.pcap" "tcp port $http" 2>"$T/tcpdump.err" &
td_pid=$!
at_exit "kill $td_pid"
for i in $(seq 100); do grep -q "listening on" "$T/tcpdump.err" && break; sleep 0.05; done
# the IPv4 client is 127.0.0.2, so a meter tells the two ends apart and
# softflowd -b can pair the directions (RFC 5103)
curl -s --interface 127.0.0.2 -o /dev/null "http://127.0.0.1:$http/a.bin"
curl -s --interface 127.0.0.2 -o /dev/null "http://127.0.0.1:$http/b.bin"
curl -s -g -o /dev/null "http://[::1]:$http/c.bin"
sleep 0.5
kill -INT $td_pid; wait $td_pid
python3 "$PCAPSUM" "$T/lo.pcap" >"$T/expect.all"
n_all=$(wc -l <"$T/expect.all")
grep -v ':' "$T/expect.all" >"$T/expect.v4"
n_v4=$(wc -l <"$T/expect.v4")
is "$n_all" 6 "pcap holds 6 directions of 3 downloads (4 IPv4, 2 IPv6)"
[ "$n_all" -gt 0 ] || { cat "$T/tcpdump.err"; done_testing; }

# flows: "src sport dst dport proto octets packets" per direction, sorted;
# a biflow record (rev_packets > 0) gives its reverse direction too.
flows() {
	awk '!/^#/ { print $1, $2, $3, $4, $5, $6, $7
		if ($13 > 0) print $3, $4, $1, $2, $5, $12, $13 }' "$1" | sort
}
cut -d' ' -f1-7 "$T/expect.all" | sort >"$T/want.all"
cut -d' ' -f1-7 "$T/expect.v4" | sort >"$T/want.v4"

# start/end within $2 ms of the first/last packet of the record's
# connection, both directions together: softflowd keeps one flow for both
# directions and exports its one start and finish with each (NetFlow,
# IPFIX, dump-flows and -D alike).  A direction's own first packet can be
# later than the connection's by more than that: the kernel stamps a
# loopback packet when it is queued, and on a loaded machine the SYN waits
# in the backlog for milliseconds before the SYN-ACK it draws is queued
# (seen once in CI's sanitizer run).
times_ok() {
	awk -v tol="$2" '
		function conn(a, ap, b, bp) { return (a" "ap < b" "bp) ? a" "ap" "b" "bp : b" "bp" "a" "ap }
		NR == FNR { d[$1" "$2" "$3" "$4] = 1; c = conn($1, $2, $3, $4)
			if (!(c in f) || $8 < f[c]) f[c] = $8
			if (!(c in l) || $9 > l[c]) l[c] = $9
			next }
		!/^#/ { n++; c = conn($1, $2, $3, $4); if (!(($1" "$2" "$3" "$4) in d)) { bad++; next }
			d1 = $8 - f[c]; d2 = $9 - l[c]; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
			if (d1 > tol || d2 > tol) { bad++
				printf "# %s %s > %s %s: start %+d ms, end %+d ms from the connection'"'"'s\n", $1, $2, $3, $4, $8 - f[c], $9 - l[c] } }
		END { exit (bad || !n) ? 1 : 0 }' "$T/expect.all" "$1"
}
