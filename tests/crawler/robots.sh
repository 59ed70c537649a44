#!/bin/bash
# tests/crawler/robots.sh - robots.txt per RFC 9309: rules for our token
# and for *, 4xx = all allowed, 5xx = nothing allowed, --ignore-robots,
# and the User-Agent that carries a contact URL.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

cat > "$T/robots.txt" <<'R'
User-agent: *
Disallow: /

User-agent: flowgrab-crawler
Disallow: /tree/d001/
Disallow: /tree/*/f00003.bin$
Allow: /tree/d001/f00002.bin
R
start_testsrv srv --tree 3x5 --robots "$T/robots.txt"
"$CRAWLER" -s "$T/st" --json "http://127.0.0.1:$PORT/tree/" > "$T/out.json" 2> "$T/err"
is "$?" 0 "crawl exits 0"
is "$(grep -c ' /robots.txt ' "$T/srv.log")" 1 "robots.txt fetched once"
is "$(head -1 "$T/srv.log" | awk '{print $3}')" "/robots.txt" "  ... before anything else"
is "$(grep -c ' /tree/d001/ ' "$T/srv.log")" 0 "disallowed directory not fetched"
is "$(grep -c 'f00003.bin' "$T/srv.log")" 0 "wildcard rule with \$ honoured"
# d001/f00002.bin is only reachable through the disallowed listing
check "robots-denied URLs counted" -- test "$(json_field "$T/out.json" robots_denied)" -ge 1
ok "$(grep -c ' /tree/d000/f00000.bin ' "$T/srv.log" | grep -qx 1; echo $?)" "allowed files probed"
stop_testsrv "$SRVPID"

# --ignore-robots
start_testsrv srv2 --tree 3x5 --robots "$T/robots.txt"
"$CRAWLER" -s "$T/st2" --ignore-robots --json "http://127.0.0.1:$PORT/tree/" > "$T/out2.json" 2>&1
is "$(grep -c ' /robots.txt ' "$T/srv2.log")" 0 "--ignore-robots: robots.txt not fetched"
check "  ... disallowed directory fetched" -- grep -q ' /tree/d001/ ' "$T/srv2.log"
stop_testsrv "$SRVPID"

# 5xx: nothing of the host is crawled
start_testsrv srv3 --tree 3x5 --robots-status 503
"$CRAWLER" -s "$T/st3" --json "http://127.0.0.1:$PORT/tree/" > "$T/out3.json" 2> "$T/err3"
is "$?" 5 "robots.txt 503: exit 5 (the only start URL lost)"
like "$(cat "$T/err3")" "robots.txt: HTTP status 503; nothing of this host is crawled" \
	"  ... said at the default verbosity"
is "$(grep -vc ' /robots.txt ' "$T/srv3.log")" 0 "  ... nothing but robots.txt requested"
stop_testsrv "$SRVPID"

# 4xx: everything allowed
start_testsrv srv4 --tree 3x5 --robots-status 403
"$CRAWLER" -s "$T/st4" --json -A "testbot/1.0 (+http://example.invalid/bot)" "http://127.0.0.1:$PORT/tree/" > "$T/out4.json" 2>&1
check "robots.txt 403: the tree is crawled" -- grep -q ' /tree/d002/ ' "$T/srv4.log"
stop_testsrv "$SRVPID"

# the User-Agent: the default carries a contact URL; -A replaces it
like "$(awk 'NR == 1 { print $6 }' "$T/srv.log")" '^flowgrab-crawler/[0-9.]+_\(\+https?://' "default User-Agent names us and a contact URL"
is "$(awk '{ print $6 }' "$T/srv4.log" | sort -u)" "testbot/1.0_(+http://example.invalid/bot)" "-A sets the User-Agent of every request"
done_testing
