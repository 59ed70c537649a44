# tests/crawler/nginx-lib.sh - a private nginx (Debian's nginx-light) with
# autoindex over a directory, on 127.0.0.1, with its own config and prefix
# under $T; sourced by the tests and bench/crawler.  Stopped at exit.

# start_nginx ROOT [CERT KEY]: listens on $NGINX_PORT afterwards; with a
# certificate and key, HTTPS with HTTP/2.
start_nginx() {
	local root=$1 user="" listen
	NGINX_PORT=$(free_port)
	listen="listen 127.0.0.1:$NGINX_PORT;"
	# and on ::1 when this machine has IPv6 loopback
	NGINX_V6=0
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2> /dev/null; then
		listen="$listen listen [::1]:$NGINX_PORT;"
		NGINX_V6=1
	fi
	[ $# -ge 3 ] && listen="listen 127.0.0.1:$NGINX_PORT ssl http2;
		ssl_certificate $2; ssl_certificate_key $3;
		ssl_session_cache shared:fgtls:1m;"
	mkdir -p "$T/nginx/logs" "$T/nginx/tmp"
	[ "$(id -u)" = 0 ] && user="user root;"
	cat > "$T/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 1024; }
http {
	log_format fg '\$remote_addr "\$request" \$status \$body_bytes_sent \$connection \$ssl_session_reused';
	access_log $T/nginx/logs/access.log fg;
	client_body_temp_path $T/nginx/tmp/body;
	proxy_temp_path $T/nginx/tmp/proxy;
	fastcgi_temp_path $T/nginx/tmp/fastcgi;
	uwsgi_temp_path $T/nginx/tmp/uwsgi;
	scgi_temp_path $T/nginx/tmp/scgi;
	types { text/html html; application/octet-stream bin iso; }
	default_type application/octet-stream;
	keepalive_requests 100000;
	server {
		$listen
		root $root;
		autoindex on;
	}
}
CONF
	nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' \
		2> "$T/nginx/logs/stderr" &
	NGINX_PID=$!
	at_exit "kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null"
	wait_port "$NGINX_PORT" 10
}
