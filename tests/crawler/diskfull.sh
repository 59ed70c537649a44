#!/bin/bash
# tests/crawler/diskfull.sh - the store's disk fills while the crawler
# commits (a tmpfs the test mounts, filled by a file once the crawl has
# committed some downloads): a clear error naming the store, exit 3,
# nothing committed lost, and the next run, with room again, resumes and
# ends with every file.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3 mount umount dd
need_root

mkdir "$T/small"
mount -t tmpfs -o size=32m tmpfs "$T/small" || skip_all "cannot mount a tmpfs"
at_exit "umount '$T/small'"
start_testsrv srv --tree 40x100 --delay-ms 5
U="http://127.0.0.1:$PORT/tree/"
# the tree's files above the threshold, and the 50 MiB one the server
# keeps under /tree/private/ (no seed file here to reject it)
{ "$TESTSRV" --tree 40x100 --list | awk -v p="$PORT" '$2 >= 1048576 { print "http://127.0.0.1:" p $1, $2 }'
  echo "http://127.0.0.1:$PORT/tree/private/secret.bin 52428800"; } | sort > "$T/want"

ST=$T/small/st
"$CRAWLER" -s "$ST" --json "$U" > "$T/1.json" 2> "$T/1.err" &
cp=$!
# wait for committed downloads, then fill the file system
for ((i = 0; i < 200; i++)); do
	n=$("$STORETOOL" -s "$ST" stats 2> /dev/null | awk '/^downloads:/ { print $2 }')
	[ "${n:-0}" -ge 200 ] && break
	sleep 0.05
done
dd if=/dev/zero of="$T/small/filler" bs=64k 2> /dev/null
wait "$cp"
is "$?" 3 "disk full during the crawl: exit 3"
like "$(cat "$T/1.err")" "$ST: commit: no space left on the store's file system" \
	"  ... a clear error naming the store"
is "$(json_field "$T/1.json" outcome)" "failed" "  ... the summary says failed"
check "the store is consistent after it" -- "$STORETOOL" -s "$ST" check
store_urls "$ST" > "$T/committed"
k=$(wc -l < "$T/committed")
check "  ... and holds what was committed before ($k downloads)" -- test "$k" -ge 200
check "  ... each with its exact size" -- sh -c "comm -23 '$T/committed' '$T/want' | grep -q . && exit 1 || exit 0"

# room again: the next run resumes the saved frontier and completes
rm -f "$T/small/filler"
"$CRAWLER" -s "$ST" --json "$U" > "$T/2.json" 2> "$T/2.err"
is "$?" 0 "the next run: exit 0"
is "$(json_field "$T/2.json" outcome)" "resumed and completed" "  ... it resumed the interrupted run"
store_urls "$ST" > "$T/got"
check "  ... every file >= 1 MiB in the store with its exact size ($(wc -l < "$T/want"))" -- diff "$T/want" "$T/got"
check "  ... nothing committed in the failed run lost" -- sh -c "comm -23 '$T/committed' '$T/got' | grep -q . && exit 1 || exit 0"
all=$(( $("$TESTSRV" --tree 40x100 --list | wc -l) + 1 ))
check "  ... fewer probes than a run from scratch ($all)" -- test "$(json_field "$T/2.json" probes)" -lt "$all"
done_testing
