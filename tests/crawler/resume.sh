#!/bin/bash
# tests/crawler/resume.sh - the frontier lives in the store: a run killed
# with kill -9 is resumed by the next run with the same store, which does
# not probe again what was done and committed; SIGTERM/SIGINT commit, exit 4
# and resume the same way.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

# 20 listings x 40 files at 20 ms a response, 4 at a time: ~4 s to crawl
start_testsrv srv --tree 20x40 --delay-ms 20
U="http://127.0.0.1:$PORT/tree/"
{ "$TESTSRV" --tree 20x40 --list; echo /tree/private/secret.bin 52428800; } |
	awk -v p="$PORT" '$2 >= 1048576 { print "http://127.0.0.1:" p $1, $2 }' | sort > "$T/want"
files=$("$TESTSRV" --tree 20x40 --list | wc -l)

"$CRAWLER" -s "$T/st" --per-host 4 --json "$U" > "$T/1.json" 2> "$T/1.err" &
pid=$!
at_exit "kill -9 $pid 2>/dev/null"
# a reader (as the matcher is) uses the store while the crawler writes:
# wait for the first commit, then see a later one
count() { "$STORETOOL" -s "$T/st" stats -f json 2> /dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["downloads"])' 2> /dev/null || echo 0; }
n1=0
for ((i = 0; i < 25 && n1 == 0; i++)); do
	sleep 0.2
	n1=$(count)
done
sleep 1.2
n2=$(count)
check "a reader sees the crawl's commits while it runs ($n1, then $n2)" -- test "${n1:-0}" -gt 0 -a "${n2:-0}" -gt "${n1:-0}"
kill -9 "$pid"
wait "$pid" 2>/dev/null
heads1=$(grep -c '^[0-9.]* HEAD ' "$T/srv.log")
check "killed mid-crawl ($heads1 of $files probed)" -- test "$heads1" -gt 20 -a "$heads1" -lt "$files"
fr=$("$STORETOOL" -s "$T/st" stats -f json | python3 -c 'import json,sys; print(json.load(sys.stdin)["frontier"])')
check "frontier saved in the store ($fr items)" -- test "$fr" -gt 0
check "store consistent after kill -9" -- "$STORETOOL" -s "$T/st" check

"$CRAWLER" -s "$T/st" --per-host 4 --json "$U" > "$T/2.json" 2> "$T/2.err"
is "$?" 0 "next run exits 0"
is "$(json_field "$T/2.json" outcome)" "resumed and completed" "  ... it resumed"
store_urls "$T/st" > "$T/got"
check "every file found with its size" -- diff "$T/want" "$T/got"
again=$(awk '$2 == "HEAD" { print $3 }' "$T/srv.log" | sort | uniq -d | wc -l)
# what was probed but not yet committed at the kill (at most ~1 s of work)
# is probed again; nothing else
check "files probed twice: $again (uncommitted at the kill only)" -- test "$again" -lt $((heads1 / 2 + 50))
is "$(grep -c ' /tree/ ' "$T/srv.log")" 1 "the root listing is not fetched again"
fr=$("$STORETOOL" -s "$T/st" stats -f json | python3 -c 'import json,sys; print(json.load(sys.stdin)["frontier"])')
is "$fr" 0 "frontier empty after a completed run"

# SIGTERM: commits, exits 4, resumes
: > "$T/srv.log"
"$CRAWLER" -s "$T/st2" --per-host 4 --json "$U" > "$T/3.json" 2> "$T/3.err" &
pid=$!
sleep 2
kill -TERM "$pid"
wait "$pid"
is "$?" 4 "SIGTERM: exit status 4"
is "$(json_field "$T/3.json" outcome)" "interrupted" "  ... summary says interrupted"
like "$(cat "$T/3.err")" "interrupted" "  ... and tells how to resume"
heads1=$(grep -c '^[0-9.]* HEAD ' "$T/srv.log")
stored=$(store_urls "$T/st2" | wc -l)
check "  ... work done is committed ($stored stored of $heads1 probed)" -- test "$stored" -gt $((heads1 / 2))
"$CRAWLER" -s "$T/st2" --per-host 4 --json "$U" > "$T/4.json" 2> "$T/4.err"
is "$(json_field "$T/4.json" outcome)" "resumed and completed" "  ... next run resumes"
again=$(awk '$2 == "HEAD" { print $3 }' "$T/srv.log" | sort | uniq -d | wc -l)
check "  ... and probes again only what was in flight ($again)" -- test "$again" -le 4
store_urls "$T/st2" > "$T/got2"
check "  ... every file found" -- diff "$T/want" "$T/got2"

# SIGINT the same way; --restart forgets the saved frontier
"$CRAWLER" -s "$T/st3" --per-host 4 --json "$U" > "$T/5.json" 2> /dev/null &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
is "$?" 4 "SIGINT: exit status 4"
"$CRAWLER" -s "$T/st3" --restart --per-host 4 --json "$U" > "$T/6.json" 2> /dev/null
is "$(json_field "$T/6.json" outcome)" "completed" "--restart starts afresh"
# a resumed run also starts the start URLs it had not reached (here one
# added to the command line since)
"$CRAWLER" -s "$T/st5" --per-host 4 --json "$U" > "$T/7.json" 2> /dev/null &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid"
: > "$T/srv.log"
"$CRAWLER" -s "$T/st5" --per-host 4 --json "$U" "http://127.0.0.1:$PORT/m/final.bin" > "$T/8.json" 2> /dev/null
is "$(json_field "$T/8.json" outcome)" "resumed and completed" "resumed with a new start URL"
is "$(grep -c ' /m/final.bin ' "$T/srv.log")" 1 "  ... which was fetched"
is "$(grep -c ' /tree/ ' "$T/srv.log")" 0 "  ... while the old start page was not fetched again"
done_testing
