#!/bin/bash
# tests/matcher/input/flood.sh - a flood at the collector: 200,000
# datagrams from one Python sender on loopback (flood.py), five in seven
# malformed (random bytes, cut headers, template bombs with random ids,
# lying set lengths, lying variable lengths).  The collector must stay up,
# its memory stay within its documented bounds, and every valid record be
# decoded.
. "$FG_SRCDIR/tests/lib.sh"
need_cmd python3

M=$FLOWGRAB_MATCHER
COUNT=${FLOOD_COUNT:-200000}
printf 'url,size,vendor,source\nhttp://files.example/x.bin,3000000,acme,import\n' > "$T/s.csv"
"$FLOWGRAB_STORE" -s "$T/st" -q import "$T/s.csv"

port=$(free_port udp)
$M -s "$T/st" -f json --listen "127.0.0.1:$port" > "$T/out.json" 2> "$T/err" &
mp=$!
at_exit "kill $mp 2>/dev/null"
sleep 0.5
base=$(awk '/^VmRSS/ { print $2 }' "/proc/$mp/status")
start=$(date +%s)
python3 "$FG_SRCDIR/tests/matcher/input/flood.py" "$port" "$COUNT" 14 > "$T/sent" &
sp=$!
peak=$base
while kill -0 "$sp" 2> /dev/null; do
	r=$(awk '/^VmRSS/ { print $2 }' "/proc/$mp/status" 2> /dev/null)
	[ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
	sleep 0.2
done
wait "$sp"
ok $? "flood sent ($(cat "$T/sent"))"
sleep 1	# what is still in the socket's buffer
alive=$(kill -0 "$mp" 2> /dev/null; echo $?)
ok "$alive" "the collector is still up after $COUNT datagrams"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$mp/status")
drops=$(awk -v p="$(printf '%04X' "$port")" '$2 ~ ":" p "$" { print $NF }' /proc/net/udp)
kill -TERM "$mp"
wait "$mp"
is "$?" 0 "  ... and exits 0 on SIGTERM"
took=$(( $(date +%s) - start ))
diag "flood took ${took}s; RSS ${base} kB before, ${peak} kB peak (VmHWM ${hwm} kB); kernel drops ${drops:-?}"
# the bound: the decoder's template budget (FLOW_MAX_TEMPLATE_BYTES, 32 MiB)
# and held sets (1 MiB) over what it needed before, with 32 MiB for the
# allocator and the matcher's own tables
if sanitized; then
	diag "ASan build: VmHWM ${hwm} kB, bound checked in the plain build"
else
	check "  ... memory within its bounds (${hwm} kB <= ${base} + 65 MiB)" -- test "$hwm" -le $((base + (65 << 10)))
fi
want=$(awk '{ print $2 }' "$T/sent")
line=$(grep 'decoded' "$T/err")
got=$(echo "$line" | sed -n 's/.*decoded \([0-9]*\) .*/\1/p')
is "$got" "$want" "every valid record decoded ($want)"
mal=$(echo "$line" | sed -n 's/.*malformed \([0-9]*\) .*/\1/p')
bad=$(awk '{ for (i = 1; i < NF; i++) if ($i ~ /^(random|short|setlen|varlen)$/) n += $(i + 1); print n }' "$T/sent")
is "$mal" "$bad" "  ... every malformed one dropped and counted"
n=$(grep -c 'dropped malformed' "$T/err")
check "  ... and logged at most once a minute per exporter ($n lines)" -- test "$n" -le $(( took / 60 + 2 ))
done_testing
