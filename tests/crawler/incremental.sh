#!/bin/bash
# tests/crawler/incremental.sh - periodic runs: conditional page fetches
# (If-None-Match), downloads not probed again before --reprobe-after,
# 404/410 marks a download gone (kept, not deleted), changes detected.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

start_testsrv srv --tree 4x10 --validators
U="http://127.0.0.1:$PORT/tree/"
"$CRAWLER" -s "$T/st" --json "$U" > "$T/1.json" 2> "$T/1.err"
is "$?" 0 "first run exits 0"
first=$(json_field "$T/1.json" downloads.new)
check "first run stores downloads ($first)" -- test "$first" -gt 20
store_urls "$T/st" > "$T/after1"

# second run at once: listings answered 304, nothing probed
: > "$T/srv.log"
"$CRAWLER" -s "$T/st" --json "$U" > "$T/2.json" 2> "$T/2.err"
is "$?" 0 "second run exits 0"
is "$(json_field "$T/2.json" pages_unchanged)" 1 "root listing unchanged (304)"
is "$(grep -c ' 304 ' "$T/srv.log")" 1 "  ... the server answered 304"
like "$(grep ' /tree/ ' "$T/srv.log" | awk '{print $2}')" "GET" "  ... to a conditional GET"
is "$(grep -c '^[0-9.]* HEAD ' "$T/srv.log")" 0 "no download probed again"
store_urls "$T/st" > "$T/after2"
check "store unchanged" -- diff "$T/after1" "$T/after2"
stop_testsrv "$SRVPID"

# the server again, now without validators (pages always fetched) and
# one file gone: downloads inside --reprobe-after are still not probed
GONE=$("$TESTSRV" --tree 4x10 --list | awk '$1 ~ /d001/ && $2 >= 1048576 { print $1; exit }')
start_testsrv srv2 --port "$PORT" --tree 4x10 --gone "$GONE"
is "$PORT" "$(cat "$T/srv.port")" "server back on the same port"
"$CRAWLER" -s "$T/st" --json "$U" > "$T/3.json" 2> "$T/3.err"
is "$(grep -c '^[0-9.]* HEAD ' "$T/srv2.log")" 0 "pages refetched, downloads still fresh: no probes"
check "  ... counted as recently checked" -- test "$(json_field "$T/3.json" fresh)" -gt 20

# --reprobe-after 0: everything probed, the gone one marked gone
: > "$T/srv2.log"
"$CRAWLER" -s "$T/st" --reprobe-after 0 --json "$U" > "$T/4.json" 2> "$T/4.err"
is "$?" 0 "reprobe run exits 0"
check "  ... probed again" -- test "$(grep -c '^[0-9.]* HEAD ' "$T/srv2.log")" -gt 20
is "$(json_field "$T/4.json" downloads.gone)" 1 "404 marks the download gone"
state=$("$STORETOOL" -s "$T/st" export -f csv | awk -F, -v u="$U${GONE#/tree/}" '$1 == u { print $6 }')
is "$state" "gone" "  ... kept in the store as gone"
is "$(json_field "$T/4.json" downloads.new)" 0 "no new downloads"
is "$(json_field "$T/4.json" downloads.changed)" 0 "none changed"
check "unchanged ones confirmed" -- test "$(json_field "$T/4.json" downloads.unchanged)" -gt 20
done_testing
