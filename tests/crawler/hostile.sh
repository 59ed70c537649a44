#!/bin/bash
# tests/crawler/hostile.sh - hostile servers, each beside a well-behaved
# one in the same crawl: every hostile case must end with a clear report
# line, in bounded time and memory, and the crawl must still take all of
# the good host.  Servers: tests/server/fg-testsrv on 127.0.0.1 only.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

start_testsrv good --tree 2x5
GOOD="http://127.0.0.1:$PORT/tree/"
GOODPORT=$PORT
# what the good host gives when crawled alone: each crawl beside a hostile
# host must take exactly that
"$CRAWLER" -s "$T/alone" --json "$GOOD" > "$T/alone.json" 2>&1
store_urls "$T/alone" > "$T/want"
check "the good host alone: files above the threshold found" -- test "$(wc -l < "$T/want")" -ge 5
GOODLINKS=$(json_field "$T/alone.json" links)
start_testsrv bad
B="http://127.0.0.1:$PORT/m"

# good_taken STORE: the good host's files, all of them, exact sizes
good_taken() {
	store_urls "$1" | grep ":$GOODPORT/" > "$T/got"
	check "  ... and the good host crawled whole ($(wc -l < "$T/want") files)" -- diff "$T/want" "$T/got"
}

# peak_rss_kb CMD...: run CMD (stdout/stderr as given by the caller),
# sampling its VmHWM; the peak lands in $PEAK (kB), its status in $RC
peak_rss_kb() {
	"$@" &
	local pid=$! hwm
	PEAK=0
	while kill -0 "$pid" 2> /dev/null; do
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null)
		[ -n "$hwm" ] && PEAK=$hwm
		sleep 0.1
	done
	wait "$pid"
	RC=$?
}

# 1. a page dripping one byte a second ends within the stall timeout
start=$(date +%s)
"$CRAWLER" -s "$T/drip" --json --log "$T/drip.log" --stall-timeout 3 \
	"$B/drip.html" "$GOOD" > "$T/drip.json" 2> "$T/drip.err"
is "$?" 0 "drip: exit 0"
took=$(( $(date +%s) - start ))
check "  ... ends within the stall timeout, not --timeout (${took}s)" -- test "$took" -le 10
is "$(json_field "$T/drip.json" errors.timeout)" 1 "  ... counted as a timeout"
like "$(grep '/m/drip.html' "$T/drip.log")" "too slow" "  ... the request log says why"
like "$(cat "$T/drip.err")" "start URL .*/m/drip.html not fetched: Operation too slow" \
	"  ... and so does stderr (a start URL)"
good_taken "$T/drip"

# 2. a host that drips every page is given up after --max-stalls
start=$(date +%s)
"$CRAWLER" -s "$T/drips" --json --stall-timeout 2 --per-host 1 --max-stalls 2 \
	"$B/drips/" "$GOOD" > "$T/drips.json" 2> "$T/drips.err"
is "$?" 0 "dripping host: exit 0"
took=$(( $(date +%s) - start ))
check "  ... done in bounded time (${took}s, 12 pages at 1 byte/s)" -- test "$took" -le 20
like "$(cat "$T/drips.err")" "127.0.0.1:$PORT: 2 transfers stalled or timed out .* giving up on this host, [0-9]+ queued URLs not fetched" \
	"  ... reported at the default verbosity"
is "$(json_field "$T/drips.json" hosts_given_up)" 1 "  ... one host given up"
check "  ... its other pages not fetched" -- test "$(json_field "$T/drips.json" given_up)" -ge 9
good_taken "$T/drips"

# 3. lying servers, reached through the links of /m/hostile.html: a HEAD
# that hangs while GET works, a 206 whose Content-Range total disagrees
# with its Content-Length, pages whose Content-Length is longer and
# shorter than their body.  At the default verbosity, as from cron: a
# line for the page lost, and for the first file of the host whose HEAD
# hangs or whose size is lost
start=$(date +%s)
"$CRAWLER" -s "$T/lie" --json --stall-timeout 2 --log "$T/lie.log" \
	"$B/hostile.html" "$GOOD" > "$T/lie.json" 2> "$T/lie.err"
is "$?" 0 "lying servers: exit 0"
took=$(( $(date +%s) - start ))
check "  ... in bounded time (${took}s)" -- test "$took" -le 15
store_urls "$T/lie" > "$T/lie.got"
like "$(cat "$T/lie.got")" "/m/headhang.bin 31313131" "hanging HEAD: the size from GET Range"
like "$(cat "$T/lie.err")" "headhang.bin: HEAD timed out: trying GET Range \\(the first such file of http://127.0.0.1:$PORT; the others are named with -v\\)" \
	"  ... reported, once for the host"
like "$(grep 'RANGE 206 .*headhang.bin' "$T/lie.log")" "headhang" "  ... the GET Range in the request log"
is "$(grep -c crange.bin "$T/lie.got")" 0 "206 whose total and length disagree: no size stored"
like "$(cat "$T/lie.err")" "crange.bin: size unknown: Content-Length disagrees with the Content-Range span \\(the first such file of http://127.0.0.1:$PORT;" \
	"  ... reported with the reason, once for the host"
like "$(grep '/m/cl-long.html' "$T/lie.log")" "remaining|[Pp]artial|closed" \
	"Content-Length longer than the body: the request log says so"
is "$(grep -c cl-long.bin "$T/lie.got")" 0 "  ... the page counts as failed, its links unused"
like "$(cat "$T/lie.err")" "cl-long.html: page not read: .*(remaining|[Pp]artial|closed).*; its links are not followed" \
	"  ... reported"
like "$(cat "$T/lie.got")" "/m/cl-short.bin " "Content-Length shorter than the body: links within the length used"
is "$(grep -c cl-beyond.bin "$T/lie.got")" 0 "  ... none beyond it"
is "$(grep -c 'warning:' "$T/lie.err")" 3 "  ... three lines in all, none for the good host"
good_taken "$T/lie"

# 4. a robots.txt of 100 MB: read up to 512 KiB, its rules kept, the rest
# not even received
stop_testsrv "$SRVPID"
start_testsrv bigrobots --robots-size 104857600
BR="http://127.0.0.1:$PORT"
peak_rss_kb "$CRAWLER" -s "$T/rob" --json --log "$T/rob.log" "$BR/m/index.html" "$GOOD" \
	> "$T/rob.json" 2> "$T/rob.err"
is "$RC" 0 "100 MB robots.txt: exit 0"
like "$(grep 'ROBOTS 200 .*:'"$PORT"'/robots.txt' "$T/rob.log")" "truncated" "  ... cut off, the request log says so"
like "$(cat "$T/rob.err")" ":$PORT/robots.txt: cut off at 524288 bytes; the rules after the cut are ignored" \
	"  ... and so does stderr"
sent=$(awk '$3 == "/robots.txt" { print $5 }' "$T/bigrobots.log")
check "  ... the server could send only part of it ($sent bytes)" -- test "$sent" -lt $((32 << 20))
if sanitized; then
	diag "ASan build: peak memory ${PEAK} kB, bound checked in the plain build"
else
	check "  ... peak memory bounded (${PEAK} kB)" -- test "$PEAK" -lt $((512 << 10))
fi
check "  ... the pages it allows crawled" -- test "$(grep -c " /m/" "$T/bigrobots.log")" -ge 5
good_taken "$T/rob"

# 5. a listing with a million links (44 MB): the page read up to
# --max-page (12 MiB here, about 285,000 links), 200,000 links taken from
# it, the frontier bounded by --max-urls
stop_testsrv "$SRVPID"
start_testsrv million
B="http://127.0.0.1:$PORT/m"
peak_rss_kb "$CRAWLER" -s "$T/mil" --json --max-page 12M --max-urls 100 \
	"$B/million.html" "$GOOD" > "$T/mil.json" 2> "$T/mil.err"
is "$RC" 0 "a million links: exit 0"
is "$(json_field "$T/mil.json" truncated)" 1 "  ... the page cut at --max-page"
is "$(json_field "$T/mil.json" links)" $((200000 + GOODLINKS)) "  ... 200,000 links taken from the page"
check "  ... the frontier bounded by --max-urls" -- test "$(json_field "$T/mil.json" over_limit)" -ge 1
like "$(cat "$T/mil.err")" "max-urls 100 reached" "  ... reported"
like "$(cat "$T/mil.err")" "million.html: page cut off at 12582912 bytes \\(--max-page\\) and at 200000 links; the links after the cut are not followed" \
	"  ... and the cut page"
if sanitized; then
	diag "ASan build: peak memory ${PEAK} kB, bound checked in the plain build"
else
	check "  ... peak memory bounded (${PEAK} kB; 12 MiB of page kept)" -- test "$PEAK" -lt $((96 << 10))
fi
check "  ... at most --max-urls requests" -- test "$(grep -c ' /m/million/' "$T/million.log")" -le 100

# 6. a server that invents paths: every directory links three new ones.
# --depth is the seeds' own bound, met on most real sites: the summary
# counts the links beyond it, and cron is not sent a line each run
start=$(date +%s)
"$CRAWLER" -s "$T/maze" --json --summary --depth 4 "$B/maze/" "$GOOD" > "$T/maze.json" 2> "$T/maze.err"
is "$?" 0 "invented paths: exit 0"
like "$(cat "$T/maze.err")" "skipped: .*, [0-9]+ out of scope" "  ... the summary counts the links beyond --depth"
is "$(grep -c 'warning:' "$T/maze.err")" 0 "  ... and no warning"
n=$(grep -c ' /m/maze/' "$T/million.log")
check "  ... pages bounded by --depth 4 ($n; 1+3+9+27+81 = 121)" -- test "$n" -le 121
check "  ... deeper links counted as out of scope" -- test "$(json_field "$T/maze.json" out_of_scope)" -ge 243
good_taken "$T/maze"
done_testing
