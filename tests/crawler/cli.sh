#!/bin/bash
# tests/crawler/cli.sh - the command line: --help fits a screen, --version,
# exit statuses for bad arguments (2), a bad seed file with file:line (2),
# an unusable store (3), a crawl that reaches no start URL (5), quiet
# output off a terminal, progress and summary on one.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"

out=$("$CRAWLER" --help)
is "$?" 0 "--help exits 0"
check "--help fits a screen ($(echo "$out" | wc -l) lines)" -- test "$(echo "$out" | wc -l)" -le 40
check "--help lines fit 80 columns" -- test "$(echo "$out" | awk '{ if (length > m) m = length } END { print m + 0 }')" -le 80
like "$("$CRAWLER" --version)" '^flowgrab-crawler [0-9]' "--version"

"$CRAWLER" > /dev/null 2> "$T/e"; is "$?" 2 "no store: exit 2"
like "$(cat "$T/e")" "no store" "  ... says so"
"$CRAWLER" -s "$T/st" > /dev/null 2> "$T/e"; is "$?" 2 "nothing to crawl: exit 2"
"$CRAWLER" -s "$T/st" --threads 0 http://127.0.0.1:1/ 2> "$T/e"; is "$?" 2 "--threads 0: exit 2"
like "$(cat "$T/e")" "threads" "  ... names the option"
"$CRAWLER" -s "$T/st" --bogus 2> /dev/null; is "$?" 2 "unknown option: exit 2"
"$CRAWLER" -s "$T/st" ftp://127.0.0.1/x 2> "$T/e"; is "$?" 2 "ftp URL: exit 2"
"$CRAWLER" -s "$T/st" --reprobe-after soon http://127.0.0.1:1/ 2> "$T/e"; is "$?" 2 "bad duration: exit 2"

printf '[ok]\nstart = http://127.0.0.1:1/\n\n[broken]\nstart = http://127.0.0.1:1/\ndepth = deep\n' > "$T/bad.seeds"
"$CRAWLER" -s "$T/st" --seeds "$T/bad.seeds" 2> "$T/e"; is "$?" 2 "bad seed file: exit 2"
like "$(cat "$T/e")" "bad.seeds:6: depth must be" "  ... file:line: what is wrong"
ok "$([ ! -e "$T/st" ]; echo $?)" "  ... and the crawl did not start (no store created)"

echo "not a store" > "$T/file"
"$CRAWLER" -s "$T/file" http://127.0.0.1:1/ 2> "$T/e"; is "$?" 3 "store is a file: exit 3"
like "$(cat "$T/e")" "$T/file" "  ... message names it"
mkdir "$T/ro"; chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	"$CRAWLER" -s "$T/ro/st" http://127.0.0.1:1/ 2> /dev/null; is "$?" 3 "unwritable store: exit 3"
fi

"$CRAWLER" -A nobody > /dev/null 2> "$T/e"
like "$(cat "$T/e")" "carries no contact URL" "a User-Agent without a contact is warned about"

# off a terminal: nothing on stdout or stderr for a clean crawl
start_testsrv srv --tree 2x5
"$CRAWLER" -s "$T/st1" "http://127.0.0.1:$PORT/tree/" > "$T/o" 2> "$T/e"
is "$?" 0 "crawl exits 0"
is "$(cat "$T/o" "$T/e")" "" "off a terminal: silent"
"$CRAWLER" -s "$T/st2" --summary "http://127.0.0.1:$PORT/tree/" > "$T/o" 2> "$T/e"
like "$(cat "$T/e")" "downloads: [0-9]+ new" "--summary prints the summary"
# one start URL of two reached: exit 0, the other named
"$CRAWLER" -s "$T/st2b" --connect-timeout 2 "http://127.0.0.1:$PORT/tree/" \
	"http://127.0.0.1:$PORT/nowhere/" > /dev/null 2> "$T/e"
is "$?" 0 "one of two start URLs reached: exit 0"
like "$(cat "$T/e")" "start URL http://127.0.0.1:$PORT/nowhere/ not fetched: HTTP status 404" \
	"  ... the other is named with its status"
"$CRAWLER" -s "$T/st2c" "http://127.0.0.1:$PORT/nowhere/" > /dev/null 2> "$T/e"
is "$?" 5 "the only start URL answers 404: exit 5"
# a crawl that reaches nothing says so, at the default verbosity, and
# exits 5 (nothing listens on port 1 of loopback)
"$CRAWLER" -s "$T/st3" --json --connect-timeout 2 "http://127.0.0.1:1/x/" > "$T/o" 2> "$T/e"
is "$?" 5 "unreachable start URL: exit 5"
is "$(json_field "$T/o" errors.connect)" 1 "  ... counted as a connect error (robots.txt)"
is "$(json_field "$T/o" robots_denied)" 1 "  ... and the host treated as disallowed (RFC 9309)"
like "$(cat "$T/e")" "127.0.0.1:1/robots.txt: .*connect.*nothing of this host is crawled" \
	"  ... the lost host is named on stderr without -v"
like "$(cat "$T/e")" "start URL http://127.0.0.1:1/x/ not fetched" "  ... and so is the start URL"
like "$(cat "$T/e")" "could not be fetched: nothing crawled" "  ... and the run's end"
is "$(json_field "$T/o" outcome)" "reached nothing" "  ... summary says so"
is "$(json_field "$T/o" starts_failed)" 1 "  ... one start URL lost"
"$CRAWLER" -s "$T/st3b" --ignore-robots --connect-timeout 2 "http://127.0.0.1:1/a/" \
	"http://127.0.0.1:1/b/" > /dev/null 2> "$T/e"
is "$?" 5 "two unreachable start URLs, robots.txt ignored: exit 5"
is "$(grep -c 'not fetched: .*connect' "$T/e")" 2 "  ... each named with libcurl's reason"

# the store fills its disk mid-run (a 256 KiB tmpfs): exit 3, named
if [ "$(id -u)" = 0 ] && mkdir "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small"; then
	at_exit "umount '$T/small'"
	stop_testsrv "$SRVPID"
	start_testsrv big --tree 50x100
	"$CRAWLER" -s "$T/small/st" --json "http://127.0.0.1:$PORT/tree/" > "$T/o" 2> "$T/e"
	is "$?" 3 "store disk full mid-run: exit 3"
	like "$(cat "$T/e")" "$T/small/st: " "  ... the message names the store"
	is "$(json_field "$T/o" outcome)" "failed" "  ... summary says failed"
else
	diag "not root: disk-full case not run"
fi

# on a terminal (script(1) gives one): progress line and summary
if command -v script > /dev/null; then
	script -qec "$CRAWLER -s $T/st4 http://127.0.0.1:$PORT/tree/" /dev/null > "$T/tty" 2>&1
	like "$(tr '\r' '\n' < "$T/tty")" "pages, [0-9]+ probes, .*req/s" "terminal: progress line"
	like "$(cat "$T/tty")" "crawl completed in" "terminal: summary"
	script -qec "$CRAWLER -q -s $T/st5 http://127.0.0.1:$PORT/tree/" /dev/null > "$T/tty" 2>&1
	is "$(cat "$T/tty")" "" "terminal with --quiet: silent"
fi
done_testing
