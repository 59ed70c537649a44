#!/bin/bash
# nfdump.sh - the text inputs against Debian's nfdump 1.7.1: the same
# loopback downloads (traffic.sh) go softflowd -> nfcapd, and the records
# read back with --nfcapd (flow_read_nfcapd running "nfdump -R/-r ... -o
# csv") and from a saved "nfdump -o csv" file (format detected, summary
# lines skipped) must carry the pcap's bytes and packets.  Also softflowd's
# own text: "softflowd -D" EXPIRED lines.
. "$FG_SRCDIR/tests/lib.sh"
need_cmd softflowd nfcapd nfdump tcpdump nginx curl python3
need_root

. "$FG_SRCDIR/tests/matcher/input/traffic.sh"

port=$(free_port udp)
mkdir -p "$T/nfc"
nfcapd -w "$T/nfc" -p "$port" -b 127.0.0.1 -t 3600 >"$T/nfcapd.log" 2>&1 &
nfcapd_pid=$!
at_exit "kill $nfcapd_pid"
sleep 1
# v5 (IPv4 only) and IPFIX with ms times: nfdump 1.7.1 misreads the
# sysUpTime times of softflowd's v9 and default IPFIX (49.7 days ahead)
timeout 30 softflowd -r "$T/lo.pcap" -n "127.0.0.1:$port" -v 5 >/dev/null 2>&1
timeout 30 softflowd -r "$T/lo.pcap" -n "127.0.0.1:$port" -v 10 -A milli -6 >/dev/null 2>&1
sleep 1
kill -TERM $nfcapd_pid; wait $nfcapd_pid
file=$(ls "$T"/nfc/nfcapd.2* 2>/dev/null | head -1)
ok $([ -n "$file" ]; echo $?) "nfcapd wrote a file"

sort "$T/want.v4" "$T/want.all" >"$T/want.both"

"$DUMP" --nfcapd "$T/nfc" >"$T/dir.out" 2>"$T/dir.err"
ok $? "--nfcapd DIR: nfdump -R ran and its CSV was read"
is "$(flows "$T/dir.out")" "$(cat "$T/want.both")" "--nfcapd DIR: per-direction bytes and packets equal the pcap's"
times_ok "$T/dir.out" 1000; ok $? "--nfcapd DIR: times within 1 s of the pcap (nfdump 1.7.1 prints seconds)"
like "$(tail -1 "$T/dir.out")" "bad_lines=0" "--nfcapd DIR: nfdump's summary lines are not errors"

"$DUMP" --nfcapd "$file" >"$T/file.out" 2>"$T/file.err"
ok $? "--nfcapd FILE: nfdump -r ran"
is "$(flows "$T/file.out")" "$(cat "$T/want.both")" "--nfcapd FILE: same records"

TZ=UTC nfdump -r "$file" -o csv >"$T/nf.csv"
head -1 "$T/nf.csv" | grep -q '^ts,te,td,sa,da,sp,dp,pr,flg,'
ok $? "nfdump 1.7.1's CSV header is the one documented (ts,te,td,sa,da,sp,dp,pr,flg,...)"
"$DUMP" --stream "$T/nf.csv" >"$T/csv.out" 2>"$T/csv.err"
ok $? "nfdump CSV file: read with the format detected"
is "$(flows "$T/csv.out")" "$(cat "$T/want.both")" "nfdump CSV file: same records"
TZ=UTC nfdump -q -r "$file" -o csv >"$T/nfq.csv"
"$DUMP" --format nfdump-csv --stream "$T/nfq.csv" >"$T/q.out" 2>"$T/q.err"
is "$(flows "$T/q.out")" "$(cat "$T/want.both")" "nfdump -q CSV (no header) with --input-format nfdump-csv"

# a broken nfcapd file: nfdump fails, and we say so
head -c 300 "$file" >"$T/broken.nfcapd"
"$DUMP" --nfcapd "$T/broken.nfcapd" >"$T/broken.out" 2>"$T/broken.err"
st=$?
ok $([ $st -ne 0 ]; echo $?) "--nfcapd on a truncated file fails"
like "$(cat "$T/broken.err")" "nfdump -r .*broken.nfcapd" "... naming the nfdump command and file"

# softflowd -D: its EXPIRED lines
timeout 30 softflowd -D -r "$T/lo.pcap" -n "127.0.0.1:$(free_port udp)" -v 9 >"$T/debug.txt" 2>&1
"$DUMP" --stream "$T/debug.txt" >"$T/debug.out" 2>"$T/debug.err"
ok $? "softflowd -D output: read with the format detected"
is "$(flows "$T/debug.out")" "$(cat "$T/want.all")" "softflowd -D EXPIRED lines: bytes and packets equal the pcap's"
times_ok "$T/debug.out" 1; ok $? "softflowd -D EXPIRED lines: times to the ms"

done_testing
