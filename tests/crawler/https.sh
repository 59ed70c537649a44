#!/bin/bash
# tests/crawler/https.sh - HTTPS with HTTP/2 (Debian's nginx-light, a
# certificate made here for 127.0.0.1): the crawl works over TLS, uses
# HTTP/2, verifies the certificate (no --cacert: nothing is fetched) and
# reuses TLS sessions across its connections.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
need_cmd nginx openssl python3 truncate

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
	-out "$T/cert.pem" 2> /dev/null
ok $? "test certificate made"
mkdir -p "$T/www/v/a" "$T/www/v/b"
for i in $(seq 1 20); do
	truncate -s "$((i * 300))M" "$T/www/v/a/f$i.bin"
	truncate -s "$((i * 7))M" "$T/www/v/b/g$i.iso"
done
start_nginx "$T/www" "$T/cert.pem" "$T/key.pem"
U="https://127.0.0.1:$NGINX_PORT/v/"

# two workers of 4 transfers each: each worker has its own connections
"$CRAWLER" -s "$T/st" --cacert "$T/cert.pem" --per-host 8 --threads 2 --parallel 4 --json "$U" > "$T/out.json" 2> "$T/err"
is "$?" 0 "HTTPS crawl exits 0"
is "$(store_urls "$T/st" | wc -l)" 40 "every file found over HTTPS"
like "$(store_urls "$T/st" | grep 'a/f6.bin')" " 1887436800$" "  ... with its size"
is "$(grep -c 'HTTP/2.0"' "$T/nginx/logs/access.log")" "$(grep -c . "$T/nginx/logs/access.log")" "every request used HTTP/2"
# access log: ... connection-number session-reused ("r" or ".")
conns=$(awk '{ print $(NF-1) }' "$T/nginx/logs/access.log" | sort -u | wc -l)
resumed=$(awk '$NF == "r" { print $(NF-1) }' "$T/nginx/logs/access.log" | sort -u | wc -l)
check "more than one connection ($conns) for two workers" -- test "$conns" -ge 2
is "$resumed" "$((conns - 1))" "every connection after the first resumed a shared TLS session"

: > "$T/nginx/logs/access.log"
"$CRAWLER" -s "$T/st2" --json "$U" > "$T/out2.json" 2> "$T/err2"
is "$?" 5 "unverifiable certificate: exit 5 (no start URL fetched)"
like "$(cat "$T/err2")" "robots.txt: .*certificate.*nothing of this host is crawled" \
	"  ... the certificate problem named at the default verbosity"
is "$(json_field "$T/out2.json" errors.connect)" 1 "  ... counted as a connect error"
is "$(store_urls "$T/st2" | wc -l)" 0 "  ... and nothing fetched"
done_testing
