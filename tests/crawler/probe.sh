#!/bin/bash
# tests/crawler/probe.sh - size probing against servers that misbehave:
# no Content-Length on HEAD, 405/403 on HEAD, Range ignored (with and
# without a length), redirects, redirect loops, redirects to other schemes,
# 429 with Retry-After, 503, files below the threshold.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

start_testsrv srv
B="http://127.0.0.1:$PORT/m"
"$CRAWLER" -s "$T/st" --json --log "$T/req.log" --max-retry-after 1 \
	"$B/index.html" > "$T/out.json" 2> "$T/err"
is "$?" 0 "crawl exits 0"
store_urls "$T/st" > "$T/got"
size_of() { awk -v u="$B/$1" '$1 == u { print $2 }' "$T/got"; }

is "$(size_of nolen.bin)" 123456789 "HEAD without length: size from GET Range"
like "$(grep ' /m/nolen.bin' "$T/srv.log" | awk '{print $2}' | tr '\n' ' ')" "HEAD GET" "  ... HEAD then GET"
is "$(size_of h405.bin)" 22222222 "405 on HEAD: size from GET Range"
is "$(size_of norange-cl.bin)" 3221225472 "Range ignored, length given: size from Content-Length"
is "$(size_of norange.bin)" "" "Range ignored, no length: not stored"
sent=$(awk '$3 == "/m/norange.bin" && $2 == "GET" { print $5 }' "$T/srv.log")
ok "$([ -n "$sent" ] && [ "$sent" -lt $((256 << 20)) ]; echo $?)" "  ... cut off early ($sent of 4 GiB sent)"
sent=$(awk '$3 == "/m/norange-cl.bin" && $2 == "GET" { print $5 }' "$T/srv.log")
ok "$([ -n "$sent" ] && [ "$sent" -lt $((256 << 20)) ]; echo $?)" "  ... and with a length too ($sent of 3 GiB sent)"
is "$(json_field "$T/out.json" errors.size_unknown)" 1 "  ... counted as size unknown"
is "$(size_of final.bin)" 33333333 "redirected link recorded under its final URL"
is "$(size_of redir1.bin)" "" "  ... not under the link's URL"
is "$(json_field "$T/out.json" errors.redirects)" 1 "redirect loop stopped, counted"
loops=$(grep -c '/m/loop' "$T/srv.log")
ok "$([ "$loops" -le 12 ]; echo $?)" "  ... after a bounded number of requests ($loops)"
is "$(json_field "$T/out.json" errors.protocol)" 1 "redirect to ftp:// refused"
is "$(size_of 429.bin)" 55555555 "429 with Retry-After: retried and stored"
t429=$(awk '$3 == "/m/429.bin" { print $1 }' "$T/srv.log" | tr '\n' ' ')
gap=$(python3 -c "import sys; t=[float(x) for x in sys.argv[1].split()]; print(round(t[1]-t[0],2) if len(t)>1 else 0)" "$t429")
check "  ... not before Retry-After (capped to 1 s by --max-retry-after): ${gap}s" -- python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.9 else 1)" "$gap"
is "$(size_of 503.bin)" 66666666 "503 twice: backed off, retried, stored"
check "  ... retries counted" -- test "$(json_field "$T/out.json" retries)" -ge 3
is "$(size_of small.bin)" "" "file below --min-size not stored"
check "  ... but counted" -- test "$(json_field "$T/out.json" below_min)" -ge 1
is "$(size_of gone.bin)" 44444444 "plain file stored"
ct=$("$STORETOOL" -s "$T/st" export -f csv | awk -F, -v u="$B/final.bin" '$1 == u { print $7 }')
is "$ct" "application/x-iso9660-image" "content type recorded"
et=$("$STORETOOL" -s "$T/st" export -f json | grep -c '"etag":"\\"[0-9a-f]*\\""')
ok "$([ "$et" -ge 4 ]; echo $?)" "ETags recorded ($et)"
lm=$("$STORETOOL" -s "$T/st" export -f csv | awk -F, -v u="$B/gone.bin" '$1 == u { print $9 }')
is "$lm" "2026-03-03T10:00:00Z" "Last-Modified recorded"
like "$(head -1 "$T/req.log")" '^[0-9T:.-]+Z ROBOTS 404 ' "--log writes one line per request"
is "$(grep -c . "$T/req.log")" "$(json_field "$T/out.json" requests)" "  ... as many as requests"
# a redirect to another host goes through the scheduler: that host's
# robots.txt is read first and obeyed
printf 'User-agent: *\nDisallow: /m/final.bin\n' > "$T/deny.txt"
PA=$PORT
start_testsrv other --robots "$T/deny.txt"
PB=$PORT
start_testsrv redir --redirect-to "http://127.0.0.1:$PB/m/final.bin"
"$CRAWLER" -s "$T/st4" --json "http://127.0.0.1:$PORT/m/away.bin" > "$T/out4.json" 2> "$T/err4"
is "$(head -1 "$T/other.log" | awk '{print $3}')" "/robots.txt" "redirect to another host: its robots.txt read first"
is "$(grep -c 'final.bin' "$T/other.log")" 0 "  ... and its Disallow obeyed"
is "$(json_field "$T/out4.json" robots_denied)" 1 "  ... counted as denied by robots.txt"
start_testsrv other2
start_testsrv redir2 --redirect-to "http://127.0.0.1:$PORT/m/final.bin"
"$CRAWLER" -s "$T/st5" --json "http://127.0.0.1:$PORT/m/away.bin" > "$T/out5.json" 2> "$T/err5"
like "$(store_urls "$T/st5")" "^http://127.0.0.1:[0-9]+/m/final.bin 33333333$" "allowed there: stored under the other host's URL"
PORT=$PA

# a start URL that is itself a download: its GET's headers give the size,
# its body is not read
: > "$T/srv.log"
"$CRAWLER" -s "$T/st2" --json "$B/norange-cl.bin" > "$T/out2.json" 2> "$T/err2"
is "$?" 0 "a download as start URL: exit 0"
is "$(store_urls "$T/st2" | awk '{print $2}')" 3221225472 "  ... stored with the size from the GET's headers"
sent=$(awk '$3 == "/m/norange-cl.bin" { print $5 }' "$T/srv.log")
ok "$([ -n "$sent" ] && [ "$sent" -lt $((256 << 20)) ]; echo $?)" "  ... its body not read ($sent bytes sent)"
# the same when the server compresses it for us: the compressed length is
# not the size; a HEAD probe (which asks for no encoding) is made instead
: > "$T/srv.log"
"$CRAWLER" -s "$T/st3" --json "$B/gz.bin" > "$T/out3.json" 2> "$T/err3"
is "$(store_urls "$T/st3" | awk '{print $2}')" 88888888 "compressed answer: size from a HEAD probe, not the gzip length"
like "$(awk '$3 == "/m/gz.bin" { print $2 }' "$T/srv.log" | tr '\n' ' ')" "^GET HEAD" "  ... GET, then HEAD"
done_testing
