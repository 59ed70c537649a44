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
