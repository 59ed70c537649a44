# tests/demo/site.sh - nginx serving the demo vendor site (sourced by
# tests/demo/run.sh and tests/demo/record-capture.sh, bash).
#
# Each vendor is its own host, as on the real web: vendor N of mksite.py's
# VENDORS (acme, globex, initech, umbrella) listens on address PREFIX.(N+2),
# i.e. 127.0.0.2-5 on loopback for the crawl, 10.77.5.2-5 inside the
# recording's server namespace.  acme, globex and initech have directory
# listings (autoindex); umbrella only has download pages, its /get/
# directory is not listed.  The config, pid, logs and temp files live in
# the directory given, never in /etc/nginx or /var.

DEMO_VENDORS=(acme globex initech umbrella)

# demo_nginx_conf DIR SITE PREFIX PORT: write DIR/nginx.conf for the tree
# SITE (mksite.py's output) on PREFIX.2-5:PORT
demo_nginx_conf() {
	local dir=$1 site=$2 prefix=$3 port=$4 i user=""
	mkdir -p "$dir/logs" "$dir/tmp"
	[ "$(id -u)" = 0 ] && user="user root;"
	{
		cat <<CONF
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 512; }
http {
	access_log $dir/logs/access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	types { text/html html; text/plain txt; }
	default_type application/octet-stream;
	sendfile on;
	server_tokens on;
CONF
		for i in 0 1 2 3; do
			local v=${DEMO_VENDORS[$i]} index="autoindex on;"
			[ "$v" = umbrella ] && index="autoindex off;"
			cat <<CONF
	server {
		listen $prefix.$((i + 2)):$port;
		server_name $v;
		root $site/$v;
		$index
	}
CONF
		done
		echo "}"
	} > "$dir/nginx.conf"
}

# demo_host VENDOR PREFIX PORT: the host part of VENDOR's URLs ("ADDR" on
# port 80, "ADDR:PORT" otherwise)
demo_host() {
	local i
	for i in 0 1 2 3; do
		if [ "${DEMO_VENDORS[$i]}" = "$1" ]; then
			if [ "$3" = 80 ]; then echo "$2.$((i + 2))"
			else echo "$2.$((i + 2)):$3"; fi
			return 0
		fi
	done
	return 1
}
