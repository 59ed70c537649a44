#!/bin/bash
# softflowctl.sh - "softflowctl dump-flows" from a live softflowd: softflowd
# watches the loopback downloads of traffic.sh as they happen (-i lo, a
# control socket of its own; no BPF filter: softflowd 1.1.0 given one on lo
# saw nothing here, so its other loopback flows are filtered out below by
# nginx's port), then softflowctl dumps its flow table and the text input must read from it
# the bytes and packets tcpdump saw.
. "$FG_SRCDIR/tests/lib.sh"
need_cmd softflowd softflowctl tcpdump nginx curl python3
need_root

before_traffic() {
	softflowd -i lo -D -B 134217728 -c "$T/ctl" -p "$T/softflowd.pid" -n "127.0.0.1:$(free_port udp)" \
		-v 9 -6 >"$T/softflowd.log" 2>&1 &
	sfd_pid=$!
	at_exit "kill $sfd_pid"
	for i in $(seq 100); do [ -S "$T/ctl" ] && break; sleep 0.05; done
	sleep 0.5
}
. "$FG_SRCDIR/tests/matcher/input/traffic.sh"

# softflowd reads its capture ring only when libpcap hands over a block
# (block timeout, later under load; a few packets to the discard port move
# it along): ask again until it has caught up with what tcpdump saw, for at
# most 10 s
for i in $(seq 20); do
	for k in 1 2 3; do echo nudge >/dev/udp/127.0.0.1/9; done 2>/dev/null
	softflowctl -c "$T/ctl" dump-flows >"$T/dump.txt" 2>&1
	st=$?
	"$DUMP" --stream "$T/dump.txt" 2>"$T/dump.err" |
		awk -v p="$http" '/^#/ || $2 == p || $4 == p' >"$T/dump.out"
	[ "$(flows "$T/dump.out")" = "$(cat "$T/want.all")" ] && break
	sleep 0.5
done
ok $st "softflowctl dump-flows ran"
"$DUMP" --stream "$T/dump.txt" >"$T/dump.all" 2>"$T/dump.err"
ok $? "dump-flows text read with the format detected"
awk -v p="$http" '/^#/ || $2 == p || $4 == p' "$T/dump.all" >"$T/dump.out"
is "$(flows "$T/dump.out")" "$(cat "$T/want.all")" "dump-flows: per-direction bytes and packets equal the pcap's"
times_ok "$T/dump.out" 2; ok $? "dump-flows: times within 2 ms of the pcap"
like "$(tail -1 "$T/dump.out")" "bad_lines=0" "dump-flows: its other lines are not errors"
"$DUMP" --format softflowctl --strict --stream - <"$T/dump.txt" >"$T/strict.out" 2>&1
ok $? "dump-flows: clean under --strict from stdin"
softflowctl -c "$T/ctl" shutdown >/dev/null 2>&1
done_testing
