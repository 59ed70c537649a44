# tests/matcher/testbed.sh - the end-to-end testbed shared by
# tests/matcher/e2e.sh and bench/matcher/accuracy.sh (sourced, bash, after
# tests/lib.sh).
#
# Two network namespaces joined by a veth pair, with addresses that exist
# only inside them: the server side (nginx on 10.77.0.1, HTTP and HTTPS
# with a certificate made here) and the client side (curl on 10.77.0.2).
# Offloads are off so that the flow meter sees wire-sized packets.
# softflowd captures on the server's end of the pair and exports to
# programs on the server namespace's loopback.  Everything started here is
# stopped by at_exit handlers, by pid.

TB_ID=${TB_ID:-$$}
TB_S=fgs$TB_ID          # server namespace
TB_C=fgc$TB_ID          # client namespace
TB_VS=fgvs$TB_ID        # veth end in the server namespace
TB_VC=fgvc$TB_ID        # veth end in the client namespace
TB_SERVER=10.77.0.1
TB_CLIENT=10.77.0.2
TB_PIDS=()

tb_in_server() { ip netns exec "$TB_S" "$@"; }
tb_in_client() { ip netns exec "$TB_C" "$@"; }

tb_kill_all() {
	local p
	for p in "${TB_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${TB_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	TB_PIDS=()
}

# tb_bg NS CMD...: start CMD in namespace NS in the background, remember it
tb_bg() {
	local ns=$1; shift
	ip netns exec "$ns" "$@" &
	TB_BG_PID=$!
	TB_PIDS+=("$TB_BG_PID")
}

tb_stop() {	# tb_stop PID: SIGTERM and wait for it
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# tb_test_up: for a TAP test (tests/lib.sh): root, the programs the
# two-namespace testbed runs, and its network up, or skip_all
tb_test_up() {
	need_root
	need_cmd ip ethtool nginx curl softflowd softflowctl nfcapd nfdump \
	    openssl python3
	tb_net_up || skip_all "cannot create network namespaces and a veth pair"
}

tb_net_up() {
	ip netns add "$TB_S" || return 1
	at_exit "ip netns del $TB_S"
	ip netns add "$TB_C" || return 1
	at_exit "ip netns del $TB_C"
	ip link add "$TB_VS" type veth peer name "$TB_VC" || return 1
	ip link set "$TB_VS" netns "$TB_S" || return 1
	ip link set "$TB_VC" netns "$TB_C" || return 1
	ip -n "$TB_S" addr add "$TB_SERVER/24" dev "$TB_VS"
	ip -n "$TB_C" addr add "$TB_CLIENT/24" dev "$TB_VC"
	ip -n "$TB_S" link set "$TB_VS" mtu 1500 up
	ip -n "$TB_C" link set "$TB_VC" mtu 1500 up
	ip -n "$TB_S" link set lo up
	ip -n "$TB_C" link set lo up
	tb_in_server ethtool -K "$TB_VS" tso off gso off gro off tx off rx off \
	    >/dev/null 2>&1 || return 1
	tb_in_client ethtool -K "$TB_VC" tso off gso off gro off tx off rx off \
	    >/dev/null 2>&1 || return 1
	at_exit tb_kill_all
}

# tb_file NAME SIZE: a file of random bytes in $T/www
tb_file() {
	mkdir -p "$T/www"
	head -c "$2" /dev/urandom > "$T/www/$1"
}

tb_nginx_up() {
	mkdir -p "$T/nginx"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/nginx/key.pem" \
	    -out "$T/nginx/cert.pem" -days 2 -subj "/CN=$TB_SERVER" \
	    >/dev/null 2>&1 || return 1
	cat > "$T/nginx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 256; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	default_type application/octet-stream;
	# a second Content-Type, 9 bytes shorter (accuracy.sh ZIP_SHARE)
	types { application/zip zip; }
	sendfile on;
	server {
		listen $TB_SERVER:80;
		listen $TB_SERVER:443 ssl;
		ssl_certificate $T/nginx/cert.pem;
		ssl_certificate_key $T/nginx/key.pem;
		root $T/www;
	}
}
EOF
	tb_bg "$TB_S" nginx -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
	TB_NGINX=$TB_BG_PID
	local i
	for ((i = 0; i < 100; i++)); do
		tb_in_client curl -s -o /dev/null "http://$TB_SERVER/" && return 0
		sleep 0.1
	done
	return 1
}

# tb_softflowd VERSION PORT [extra args]: export to 127.0.0.1:PORT
tb_softflowd() {
	local v=$1 port=$2; shift 2
	local n=${#TB_PIDS[@]}
	tb_bg "$TB_S" softflowd -i "$TB_VS" -n "127.0.0.1:$port" -v "$v" \
	    -B 134217728 -d -p "$T/sf$n.pid" -c "$T/sf$n.ctl" \
	    -t tcp.fin=1 -t tcp.rst=1 -t expint=1 "$@"
	TB_SF_CTL+=("$T/sf$n.ctl")
	# softflowd opens its capture before its control socket: once
	# softflowctl answers, the meter sees every packet.  Callers slept a
	# fixed second instead; in CI (sanitizer build, two tests at a time)
	# observe.sh's first download after its meters started was missing
	# from both meters' flows, which a meter still starting explains.
	local i
	for i in $(seq 100); do
		tb_in_server softflowctl -c "$T/sf$n.ctl" statistics \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# softflowd with $T/sf$n.ctl not answering after 10 s" >&2
}
TB_SF_CTL=()

# tb_expire_all: make every softflowd send what it holds
tb_expire_all() {
	local c
	for c in "${TB_SF_CTL[@]}"; do
		tb_in_server softflowctl -c "$c" expire-all >/dev/null 2>&1
	done
}

# tb_slow RATE [LATENCY] / tb_fast: shape the server's sending to RATE
# (tbf; there is no netem here) for long transfers that stay ACK-clocked:
# curl --limit-rate would close the receive window and nginx's limit_rate
# pauses the sender, and both make TCP retransmit partial segments.  The
# queue holds LATENCY (400ms) of traffic; a short one drops what overflows
# it, as a real bottleneck does.
tb_slow() {
	tb_in_server tc qdisc add dev "$TB_VS" root tbf rate "$1" burst 32kb \
	    latency "${2:-400ms}"
}
tb_fast() { tb_in_server tc qdisc del dev "$TB_VS" root 2>/dev/null; }

# tb_get [curl args] URL: one download from the client namespace
tb_get() {
	tb_in_client curl -sk -o /dev/null "$@"
}

# tb_flush_meter: softflowd's libpcap (TPACKET_V3) hands packets over a
# block at a time, so the last packets before a quiet spell wait in the
# ring until more traffic fills the block: send some (pad.bin is not in
# any store).
tb_flush_meter() {
	[ -f "$T/www/pad.bin" ] || tb_file pad.bin 4000000
	tb_get "http://$TB_SERVER/pad.bin"
	tb_get "http://$TB_SERVER/pad.bin"
	sleep 1
}

# tb_store_csv FILE: url,size,vendor,source lines for flowgrab-store import
tb_store_import() {
	"$FLOWGRAB_STORE" -s "$T/store" -q import "$1"
}

# ---- the matrix bed (bench/matcher/matrix.sh, tests/matcher/matrix-e2e.sh) --
#
# tb_matrix_net_up builds, beside the direct pair above, a routed path:
# a third namespace (router, forwarding) between the server and the
# client.  The server namespace holds every server's address twice, once
# on each path:
#   10.77.0.X  direct (veth TB_VS <-> TB_VC, client 10.77.0.2)
#   10.78.0.X  routed (server veth TB_VS2 <-> router TB_VRS 10.78.0.254,
#              router TB_VRC 10.78.1.254 <-> client TB_VC2 10.78.1.2)
# with X = 1 nginx (HTTP, HTTPS), 3 Apache httpd, 4 lighttpd, 5 nginx's
# HTTP/2 TLS listener, 9 nginx as "another server" (files not in the
# store).  Meters (softflowd) go where a cell says: tb_meter NS DEV.
# Everything is stopped at exit.
TB_R=fgr$TB_ID          # router namespace
TB_VS2=fgws$TB_ID       # server namespace, routed path
TB_VRS=fgrs$TB_ID       # router, server-facing
TB_VRC=fgrc$TB_ID       # router, client-facing
TB_VC2=fgwc$TB_ID       # client namespace, routed path
TB_HOSTS="1 3 4 5 9"
# the python3 client is Debian's (python3 on PATH may be another build)
TB_PYTHON=${TB_PYTHON:-/usr/bin/python3}

tb_offloads_off() {	# tb_offloads_off NS DEV
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off \
	    rx off >/dev/null 2>&1
}

tb_matrix_net_up() {
	tb_net_up || return 1
	ip netns add "$TB_R" || return 1
	at_exit "ip netns del $TB_R"
	ip link add "$TB_VS2" type veth peer name "$TB_VRS" || return 1
	ip link add "$TB_VRC" type veth peer name "$TB_VC2" || return 1
	ip link set "$TB_VS2" netns "$TB_S" && ip link set "$TB_VRS" netns "$TB_R" &&
	ip link set "$TB_VRC" netns "$TB_R" && ip link set "$TB_VC2" netns "$TB_C" ||
	    return 1
	local x
	for x in $TB_HOSTS; do
		[ "$x" = 1 ] || ip -n "$TB_S" addr add "10.77.0.$x/24" dev "$TB_VS"
		ip -n "$TB_S" addr add "10.78.0.$x/24" dev "$TB_VS2"
	done
	ip -n "$TB_R" addr add 10.78.0.254/24 dev "$TB_VRS"
	ip -n "$TB_R" addr add 10.78.1.254/24 dev "$TB_VRC"
	ip -n "$TB_C" addr add 10.78.1.2/24 dev "$TB_VC2"
	ip -n "$TB_S" link set "$TB_VS2" mtu 1500 up
	ip -n "$TB_R" link set "$TB_VRS" mtu 1500 up
	ip -n "$TB_R" link set "$TB_VRC" mtu 1500 up
	ip -n "$TB_C" link set "$TB_VC2" mtu 1500 up
	ip -n "$TB_R" link set lo up
	ip -n "$TB_S" route add 10.78.1.0/24 via 10.78.0.254 || return 1
	ip -n "$TB_C" route add 10.78.0.0/24 via 10.78.1.254 || return 1
	ip netns exec "$TB_R" sysctl -qw net.ipv4.ip_forward=1 || return 1
	tb_offloads_off "$TB_S" "$TB_VS2" && tb_offloads_off "$TB_R" "$TB_VRS" &&
	tb_offloads_off "$TB_R" "$TB_VRC" && tb_offloads_off "$TB_C" "$TB_VC2"
}

# tb_tcp TIMESTAMPS SACK: the client namespace's TCP (0/1 each; Windows
# hosts offer no timestamps by default, some stacks no SACK)
tb_tcp() {
	tb_in_client sysctl -qw net.ipv4.tcp_timestamps="$1" \
	    net.ipv4.tcp_sack="$2"
}

# tb_pace NS DEV RATE QUEUE / tb_unpace NS DEV: a token bucket with a queue
# of QUEUE (e.g. 10ms: short, drops what overflows it) on DEV's egress
tb_pace() {
	ip netns exec "$1" tc qdisc replace dev "$2" root tbf rate "$3" \
	    burst 32kb latency "$4"
}
tb_unpace() { ip netns exec "$1" tc qdisc del dev "$2" root 2>/dev/null; return 0; }

# tb_meter NS DEV VERSION PORT [args]: softflowd on DEV in NS, exporting to
# 127.0.0.1:PORT in NS
tb_meter() {
	local ns=$1 dev=$2 v=$3 port=$4; shift 4
	local n=${#TB_PIDS[@]}
	tb_bg "$ns" softflowd -i "$dev" -n "127.0.0.1:$port" -v "$v" \
	    -B 134217728 -d -p "$T/sf$n.pid" -c "$T/sf$n.ctl" \
	    -t tcp.fin=1 -t tcp.rst=1 -t expint=1 "$@"
	TB_METERS+=("$ns $T/sf$n.ctl")
}
TB_METERS=()

tb_meters_expire() {
	local m
	for m in "${TB_METERS[@]}"; do
		ip netns exec "${m%% *}" softflowctl -c "${m#* }" expire-all \
		    >/dev/null 2>&1
	done
}

# tb_sparse_file NAME SIZE: 64 KB of random bytes, then a sparse tail (the
# content does not matter for sizes; TLS still encrypts every byte)
tb_sparse_file() {
	mkdir -p "$T/www"
	local h=$(( $2 < 65536 ? $2 : 65536 ))
	head -c "$h" /dev/urandom > "$T/www/$1" && truncate -s "$2" "$T/www/$1"
}

tb_cert() {
	[ -f "$T/tls/cert.pem" ] && return 0
	mkdir -p "$T/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls/key.pem" \
	    -out "$T/tls/cert.pem" -days 2 -subj "/CN=dl.testbed.example" \
	    >/dev/null 2>&1
}

# Every server logs each request as one line in $T/logs/NAME.log:
#   END_SECONDS CLIENT CLIENT_PORT SERVER SERVER_PORT STATUS BYTES_SENT BODY_BYTES URI PROTOCOL
# (bytes sent: header and body, before TLS).  This is the ground truth of
# the matrix: several lines for one connection are a keep-alive connection.
tb_servers_up() {
	tb_cert || return 1
	mkdir -p "$T/logs" "$T/nginx2" "$T/apache" "$T/lighttpd" "$T/www"
	local x p l1="" l2="" l5="" a1="" lb=""
	for p in 10.77.0 10.78.0; do
		for x in 1 9; do
			l1="$l1 listen $p.$x:80; listen $p.$x:443 ssl;"
		done
		l5="$l5 listen $p.5:443 ssl http2; listen $p.5:80;"
		a1="${a1}Listen $p.3:80
Listen $p.3:443 https
"
		[ $p = 10.77.0 ] ||
		    lb="$lb\$SERVER[\"socket\"] == \"$p.4:80\" { }
"
		lb="$lb\$SERVER[\"socket\"] == \"$p.4:443\" { ssl.engine = \"enable\" }
"
	done
	cat > "$T/nginx2/nginx.conf" <<NGX
daemon off;
user root;
worker_processes 1;
pid $T/nginx2/nginx.pid;
error_log $T/nginx2/error.log;
events { worker_connections 1024; }
http {
	log_format tb '\$msec \$remote_addr \$remote_port \$server_addr \$server_port \$status \$bytes_sent \$body_bytes_sent \$request_uri \$server_protocol';
	access_log $T/logs/nginx.log tb;
	client_body_temp_path $T/nginx2;
	proxy_temp_path $T/nginx2;
	fastcgi_temp_path $T/nginx2;
	uwsgi_temp_path $T/nginx2;
	scgi_temp_path $T/nginx2;
	default_type application/octet-stream;
	sendfile on;
	ssl_certificate $T/tls/cert.pem;
	ssl_certificate_key $T/tls/key.pem;
	ssl_protocols TLSv1.2 TLSv1.3;
	server { $l1 root $T/www; }
	server { $l5 root $T/www; }
}
NGX
	tb_bg "$TB_S" nginx -c "$T/nginx2/nginx.conf" -e "$T/nginx2/error.log"
	local m=/usr/lib/apache2/modules
	cat > "$T/apache/httpd.conf" <<APA
ServerRoot $T/apache
ServerName dl.testbed.example
PidFile $T/apache/httpd.pid
Mutex file:$T/apache default
DefaultRuntimeDir $T/apache
User www-data
Group www-data
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule ssl_module $m/mod_ssl.so
LoadModule socache_shmcb_module $m/mod_socache_shmcb.so
TypesConfig /etc/mime.types
$a1
ErrorLog $T/apache/error.log
LogFormat "%{end:sec}t.%{end:msec_frac}t %a %{remote}p %A %{local}p %>s %O %B %U %H" tb
CustomLog $T/logs/apache.log tb
DocumentRoot $T/www
<Directory $T/www>
	Require all granted
</Directory>
EnableSendfile On
SSLCertificateFile $T/tls/cert.pem
SSLCertificateKeyFile $T/tls/key.pem
SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLSessionCache shmcb:$T/apache/scache(512000)
<VirtualHost _default_:443>
	SSLEngine on
</VirtualHost>
APA
	# apache2 refuses to serve as root: its children run as www-data,
	# which must reach the files
	chmod 755 "$T" "$T/www"
	tb_bg "$TB_S" env APACHE_RUN_DIR="$T/apache" /usr/sbin/apache2 \
	    -f "$T/apache/httpd.conf" -DFOREGROUND
	cat "$T/tls/cert.pem" "$T/tls/key.pem" > "$T/tls/both.pem"
	cat > "$T/lighttpd/lighttpd.conf" <<LIG
server.modules = ( "mod_openssl", "mod_accesslog" )
server.document-root = "$T/www"
server.bind = "10.77.0.4"
server.port = 80
server.pid-file = "$T/lighttpd/lighttpd.pid"
server.errorlog = "$T/lighttpd/error.log"
server.max-connections = 1024
mimetype.assign = ( "" => "application/octet-stream" )
ssl.pemfile = "$T/tls/both.pem"
ssl.openssl.ssl-conf-cmd = ( "MinProtocol" => "TLSv1.2" )
accesslog.filename = "$T/logs/lighttpd.log"
accesslog.format = "%{end:sec}t.%{end:msec_frac}t %h %{remote}p %A %{local}p %>s %O %b %U %H"
$lb
LIG
	tb_bg "$TB_S" lighttpd -D -f "$T/lighttpd/lighttpd.conf"
	local i u
	for u in http://10.77.0.1/ http://10.77.0.3/ http://10.77.0.4/ \
	    https://10.77.0.5/ http://10.78.0.9/; do
		for ((i = 0; i < 100; i++)); do
			tb_in_client curl -sk -o /dev/null "$u" && break
			sleep 0.1
		done
		[ $i -lt 100 ] || { echo "testbed: $u does not answer" >&2; return 1; }
	done
	: > "$T/logs/nginx.log"; : > "$T/logs/apache.log"; : > "$T/logs/lighttpd.log"
}

# tb_fetch CLIENT PROTO URL...: one connection from the client namespace
# that fetches every URL (several URLs: keep-alive).  CLIENT curl, wget or
# python (urllib; several URLs through http.client on one connection);
# PROTO http, tls12, tls13, h2 (curl only).  Output discarded.  Ended
# after TB_FETCH_TIMEOUT seconds (300): over a veth pair without SACK and
# timestamps the server's TCP (BBR, lighttpd) was seen to fall to a
# pacing rate of 688 bit/s with the RTO backed off to 27 s, and one such
# transfer held a matrix run for ten minutes
tb_fetch() {
	local cl=$1 pr=$2; shift 2
	local a=() u
	local to=(timeout "${TB_FETCH_TIMEOUT:-300}")
	case $cl in
	curl)
		case $pr in
		http) a=(--http1.1) ;;
		tls12) a=(--http1.1 --tlsv1.2 --tls-max 1.2) ;;
		tls13) a=(--http1.1 --tlsv1.3) ;;
		h2) a=(--http2 --tlsv1.3) ;;
		esac
		for u in "$@"; do a+=("$u" -o /dev/null); done
		tb_in_client "${to[@]}" curl -sk "${a[@]}" ;;
	wget)
		case $pr in
		tls12) a=(--secure-protocol=TLSv1_2) ;;
		tls13) a=(--secure-protocol=TLSv1_3) ;;
		esac
		tb_in_client "${to[@]}" wget -q -O /dev/null --tries=1 \
		    --no-check-certificate "${a[@]}" "$@" ;;
	python)
		tb_in_client "${to[@]}" "$TB_PYTHON" \
		    "$FG_SRCDIR/tests/matcher/tb-get.py" "$pr" "$@" ;;
	*) return 2 ;;
	esac
}
