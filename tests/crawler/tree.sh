#!/bin/bash
# tests/crawler/tree.sh - crawl the test server's generated vendor tree from
# a seed file and from the command line: every file above the threshold
# found with its exact size, nothing out of scope, links fetched once.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

start_testsrv srv --tree 12x40
"$TESTSRV" --tree 12x40 --list | awk -v p="$PORT" '$2 >= 1048576 { print "http://127.0.0.1:" p $1, $2 }' | sort > "$T/want"
total=$(wc -l < "$T/want")

# the demo seed file, pointed at this server's port
sed "s/127.0.0.1:8080/127.0.0.1:$PORT/" "$FG_SRCDIR/seeds/demo.seeds" > "$T/demo.seeds"
"$CRAWLER" -s "$T/st" --seeds "$T/demo.seeds" --json > "$T/out.json" 2> "$T/err"
is "$?" 0 "seed crawl exits 0"
store_urls "$T/st" > "$T/got"
check "every file >= 1 MiB found with its exact size ($total)" -- diff "$T/want" "$T/got"
is "$(json_field "$T/out.json" downloads.new)" "$total" "summary counts the new downloads"
ok "$(grep -c 'private' "$T/srv.log" | tr -d ' ')" "reject-regex: nothing under /tree/private/ fetched"
below=$("$TESTSRV" --tree 12x40 --list | awk '$2 < 1048576' | wc -l)
is "$(json_field "$T/out.json" below_min)" "$below" "files under the threshold counted, not stored"
is "$(grep -c 'NOTES.txt' "$T/srv.log")" 0 "links that are neither pages nor downloads not fetched"
dups=$(awk '{ print $2, $3 }' "$T/srv.log" | sort | uniq -d | wc -l)
is "$dups" 0 "no URL requested twice"
is "$(grep -c ' /tree/ ' "$T/srv.log")" 1 "sort links (?C=N;O=D) normalised to the listing itself"
vendors=$("$STORETOOL" -s "$T/st" export -f csv | awk -F, 'NR > 1 { print $3 }' | sort -u)
is "$vendors" "demo" "vendor label from the seed section"
addrs=$("$STORETOOL" -s "$T/st" export -f csv | awk -F, 'NR > 1 { print $NF }' | sort -u)
is "$addrs" "127.0.0.1" "server address recorded"
check "store is consistent" -- "$STORETOOL" -s "$T/st" check

# a vendor's own min-size and scope from the seed file: two vendors, one
# directory each, different thresholds
cat > "$T/two.seeds" <<S
[small]
start = http://127.0.0.1:$PORT/tree/d001/
download-ext = bin
[big]
start = http://127.0.0.1:$PORT/tree/d002/
download-ext = bin
min-size = 3G
S
"$CRAWLER" -s "$T/st3" --seeds "$T/two.seeds" --json > "$T/out3.json" 2> "$T/err3"
is "$?" 0 "two-vendor seed crawl exits 0"
"$TESTSRV" --tree 12x40 --list | awk -v p="$PORT" '($1 ~ /d001/ && $2 >= 1048576) || ($1 ~ /d002/ && $2 >= 3221225472) { print "http://127.0.0.1:" p $1, $2 }' | sort > "$T/want3"
store_urls "$T/st3" > "$T/got3"
check "per-vendor min-size: 1M for one, 3G for the other" -- diff "$T/want3" "$T/got3"
is "$("$STORETOOL" -s "$T/st3" export -f csv | awk -F, 'NR > 1 && $1 ~ /d002/ { print $3 }' | sort -u)" "big" "  ... each labelled with its vendor"

# command-line mode: prefix scope, every non-page link is a download,
# --min-size and --vendor
: > "$T/srv.log"
"$CRAWLER" -s "$T/st2" --vendor acme --min-size 2G --json "http://127.0.0.1:$PORT/tree/d003/" > "$T/out2.json" 2> "$T/err2"
is "$?" 0 "URL crawl exits 0"
"$TESTSRV" --tree 12x40 --list | awk -v p="$PORT" '$1 ~ /d003/ && $2 >= 2147483648 { print "http://127.0.0.1:" p $1, $2 }' | sort > "$T/want2"
store_urls "$T/st2" > "$T/got2"
check "URL mode: only below the start URL, only >= --min-size" -- diff "$T/want2" "$T/got2"
is "$(grep -c -E ' /tree/d00[^3]' "$T/srv.log")" 0 "nothing outside the path prefix fetched"
like "$("$STORETOOL" -s "$T/st2" export -f csv | awk -F, 'NR == 2 { print $3 }')" '^acme$' "--vendor label"
is "$(grep -c 'outside.invalid' "$T/err2")" 0 "other hosts never contacted"
done_testing
