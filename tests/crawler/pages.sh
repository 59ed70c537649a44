#!/bin/bash
# tests/crawler/pages.sh - pages that try to hurt a crawler: an endless
# link trap, slow and stalled responses, a page larger than --max-page,
# broken HTML, Latin-1 and Shift_JIS pages.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

start_testsrv srv
B="http://127.0.0.1:$PORT/m"

# the trap: every page links deeper ones, sort links, calendars, sessions
"$CRAWLER" -s "$T/trap" --json --depth 30 "$B/trap/" > "$T/trap.json" 2> "$T/trap.err"
is "$?" 0 "trap crawl ends, exit 0"
n=$(grep -c ' /m/trap/' "$T/srv.log")
ok "$([ "$n" -le 60 ]; echo $?)" "trap: bounded number of requests ($n)"
is "$(grep -c 'cal.html' "$T/srv.log")" 0 "calendar links not followed"
is "$(grep -c 'jsessionid\|PHPSESSID' "$T/srv.log")" 0 "session ids stripped from URLs"
is "$(grep -c 'C=N\|C=S' "$T/srv.log")" 0 "sort links not followed"
check "  ... traps counted" -- test "$(json_field "$T/trap.json" traps)" -ge 1
"$CRAWLER" -s "$T/trap2" --json --depth 3 "$B/trap/" > "$T/trap2.json" 2>&1
n=$(grep -c ' /m/trap/' "$T/srv.log")
check "depth limit bounds the trap too" -- test "$(json_field "$T/trap2.json" pages)" -le 40

# --max-urls: a hard bound on what one run queues
"$CRAWLER" -s "$T/trap3" --json --depth 30 --max-urls 5 "$B/trap/" > "$T/trap3.json" 2> "$T/trap3.err"
is "$?" 0 "--max-urls: exit 0"
check "  ... links beyond the limit dropped and counted" -- test "$(json_field "$T/trap3.json" over_limit)" -ge 1
check "  ... at most 5 URLs fetched besides robots.txt" -- test "$(json_field "$T/trap3.json" requests)" -le 6
like "$(cat "$T/trap3.err")" "max-urls 5 reached" "  ... with one warning"

# slow (1 byte / 0.5 s) and stalled pages time out without holding the run
: > "$T/srv.log"
start=$(date +%s)
"$CRAWLER" -s "$T/slow" --json --timeout 3 --stall-timeout 2 "$B/slow.html" "$B/stall.html" > "$T/slow.json" 2> "$T/slow.err"
is "$?" 5 "slow/stalled crawl: exit 5 (neither start URL fetched)"
took=$(( $(date +%s) - start ))
is "$(json_field "$T/slow.json" errors.timeout)" 2 "slow (2 bytes/s) and stalled pages both stall out"
ok "$([ "$took" -le 8 ]; echo $?)" "  ... within the timeouts (${took}s)"

# a 24 MiB page: cut off at --max-page, links before the cut still found
"$CRAWLER" -s "$T/huge" --json --max-page 1M "$B/huge.html" > "$T/huge.json" 2> "$T/huge.err"
is "$?" 0 "huge page crawl exits 0"
is "$(json_field "$T/huge.json" truncated)" 1 "page cut off at --max-page"
store_urls "$T/huge" > "$T/huge.got"
like "$(cat "$T/huge.got")" "huge-early.bin" "  ... links before the cut found"
is "$(grep -c huge-late "$T/huge.got")" 0 "  ... links after it not"
sent=$(awk '$3 == "/m/huge.html" { print $5 }' "$T/srv.log")
ok "$([ -n "$sent" ] && [ "$sent" -lt $((16 << 20)) ]; echo $?)" "  ... and the rest not read ($sent bytes sent)"
"$CRAWLER" -s "$T/huge2" --json --max-page 32M "$B/huge.html" > /dev/null 2>&1
like "$(store_urls "$T/huge2")" "huge-late.bin" "with a larger --max-page the late link is found"

# broken markup and charsets
"$CRAWLER" -s "$T/html" --json "$B/broken.html" "$B/latin1.html" "$B/sjis.html" > "$T/html.json" 2> "$T/html.err"
is "$?" 0 "broken/charset pages exit 0"
store_urls "$T/html" > "$T/html.got"
for f in b1.bin b2.bin b3.bin; do
	like "$(cat "$T/html.got")" "/m/$f " "broken HTML: $f found"
done
is "$(grep -c 'nope.bin\|comment.bin' "$T/srv.log")" 0 "no links from scripts or comments"
like "$(cat "$T/html.got")" "/m/caf%C3%A9.bin " "Latin-1 page: link decoded by its charset"
like "$(cat "$T/html.got")" "/m/%E3%83%86%E3%82%B9%E3%83%88.bin " "Shift_JIS page: link decoded by its charset"
done_testing
