#!/bin/bash
# tests/matcher/cli.sh - flowgrab-matcher as a command: store errors,
# options, batch mode on nfdump CSV (formats, --summary, --unmatched,
# --count, --strict, the statistics line, --hold) and collector mode on NetFlow v5
# datagrams sent to 127.0.0.1 (--duration, a detection as the connection
# ends, picking up what is added to the store while running, a held
# connection released after --hold of wall time); the held ring's bound.
#
# The flows are written here from first principles: a download of N bytes
# over HTTP with TCP timestamps is N + 260 bytes of payload in 1448-byte
# segments, 52 header bytes per packet, and a SYN-ACK with 8 more.
. "$FG_SRCDIR/tests/lib.sh"
need_cmd python3

M=$FLOWGRAB_MATCHER
ST=$T/store

# ---- usage and store errors ---------------------------------------------
like "$($M --version)" "^flowgrab-matcher [0-9]" "--version"
$M --help >/dev/null; ok $? "--help exits 0"
$M - </dev/null >/dev/null 2>"$T/err"; is $? 2 "no --store: usage error"
like "$(cat "$T/err")" "store" "  ... and says so"
$M -s "$T/nowhere" - </dev/null >/dev/null 2>"$T/err"
is $? 3 "missing store: exit 3"
like "$(cat "$T/err")" "$T/nowhere" "  ... naming the directory"
mkdir -p "$T/notastore" && echo junk > "$T/notastore/data.mdb"
$M -s "$T/notastore" - </dev/null >/dev/null 2>"$T/err"
is $? 3 "not a store: exit 3"
like "$(cat "$T/err")" "notastore" "  ... naming the directory"
$M -s "$T/nowhere" --format xml - </dev/null >/dev/null 2>&1
is $? 2 "--format xml refused"
$M -s "$T/nowhere" --min-confidence 2 - </dev/null >/dev/null 2>&1
is $? 2 "--min-confidence out of range refused"

# ---- store ---------------------------------------------------------------
cat > "$T/store.csv" <<EOF
url,size,vendor,source
http://files.example/tool-1.0.tar.gz,3000000,acme,import
http://files.example/tool-1.1.tar.gz,3000300,acme,import
http://files.example/big.iso,700000000,distro,import
EOF
"$FLOWGRAB_STORE" -s "$ST" -q import "$T/store.csv"
ok $? "store made with flowgrab-store import"

# flows.py csv|v5 ...: flow records of downloads (tests/matcher/flows.py);
# copied, since flows_csv below takes its helpers
cp "$FG_SRCDIR/tests/matcher/flows.py" "$T/flows.py"

# flows_csv < SCRIPT: nfdump CSV from the Python on stdin, run with
# flows.py's helpers and `now` (ms) defined, after the CSV header
flows_csv() {
	{
		sed '/^now = int(/,$d' "$T/flows.py"
		echo 'now = int(time.time() * 1000)'
		echo 'print(HEADER)'
		cat
	} | python3 -
}

# ---- batch mode on nfdump CSV --------------------------------------------
python3 "$T/flows.py" csv > "$T/flows.csv"
$M -s "$ST" -f json "$T/flows.csv" > "$T/out.json" 2> "$T/err"
ok $? "batch: exit 0"
is "$(grep -c '"url":"' "$T/out.json")" 2 "batch: two detections"
like "$(sed -n 1p "$T/out.json")" '"url":"http://files.example/tool-1.0.tar.gz".*"size":3000000' \
    "batch: first download named"
like "$(sed -n 2p "$T/out.json")" '"url":"http://files.example/tool-1.1.tar.gz"' \
    "batch: near-duplicate 300 bytes larger named"
like "$(sed -n 1p "$T/out.json")" '"start":"[0-9-]+T[0-9:]+Z","end":"[0-9-]+T[0-9:]+Z","client":"10.9.0.2","client_port":40001,"server":"10.9.0.1","server_port":80,"bytes":[0-9]+,"packets":[0-9]+,"est_size":[0-9]+,' \
    "batch: JSON fields start..est_size"
like "$(sed -n 1p "$T/out.json")" '"file":"tool-1.0.tar.gz","vendor":"acme","size":3000000,"delta":-?[0-9]+,"candidates":[0-9]+,"confidence":[01]\.[0-9]+,"server_match":"unknown","tls":false' \
    "batch: JSON fields file..tls"
like "$(cat "$T/err")" "records 8, connections 4, .*detections 2 .*malformed 0" \
    "batch: statistics line on stderr"

like "$(sed -n 1p "$T/out.json")" '"evidence":\{"size_fit":"(header|resend|extra|floor)","residue":-?[0-9]+,"segments":-?[0-9]+,"server_address":"unknown","learned_overhead":(true|false)\}\}$' \
    "json: the evidence that carried the detection"
$M -s "$ST" -f json --unmatched "$T/flows.csv" > "$T/out.json" 2>/dev/null
is "$(grep -c '"url":null' "$T/out.json")" 1 "--unmatched: the unknown 5.5 MB transfer"
$M -s "$ST" -f csv "$T/flows.csv" > "$T/out.csv" 2>/dev/null
like "$(head -1 "$T/out.csv")" "^start,end,client,client_port,server,server_port,bytes,packets,est_size,url,file,vendor,size,delta,candidates,confidence,server_match,tls" \
    "--format csv: header"
is "$(grep -c 'tool-1' "$T/out.csv")" 2 "--format csv: two rows"
$M -s "$ST" "$T/flows.csv" > "$T/out.txt" 2>/dev/null
like "$(cat "$T/out.txt")" "tool-1.0.tar.gz" "--format table (default)"
$M -s "$ST" --summary "$T/flows.csv" > "$T/out.txt" 2>/dev/null
like "$(cat "$T/out.txt")" "downloads per client" "--summary: inventory"
like "$(sed -n '/downloads per client/,$p' "$T/out.txt")" "10.9.0.2" "--summary: per client"
$M -s "$ST" -f json --count 1 "$T/flows.csv" > "$T/out.json" 2>/dev/null
is "$(grep -c '"url":"' "$T/out.json")" 1 "--count 1: stops after one"
$M -s "$ST" -f json - < "$T/flows.csv" > "$T/out.json" 2>/dev/null
is "$(grep -c '"url":"' "$T/out.json")" 2 "stdin"
$M -s "$ST" -f json --min-size 10M "$T/flows.csv" > "$T/out.json" 2>/dev/null
is "$(grep -c '"url":"' "$T/out.json")" 0 "--min-size 10M: nothing looked up"

python3 "$T/flows.py" csv bad > "$T/bad.csv"
$M -s "$ST" -f json "$T/bad.csv" > "$T/out.json" 2> "$T/err"
ok $? "bad line: skipped, exit 0"
like "$(cat "$T/err")" "bad.csv:10" "bad line: reported as file:line"
is "$(grep -c '"url":"' "$T/out.json")" 2 "bad line: the rest still read"
$M -s "$ST" -f json --strict "$T/bad.csv" > /dev/null 2>&1
st=$?
ok $((st == 0)) "--strict: bad line is fatal ($st)"

# ---- held until the server is learned -------------------------------------
# The first download from a server is scored before its header size is
# known (+-100 bytes), so near-duplicates 40 bytes either side make it
# ambiguous; three more downloads from that server teach the matcher the
# header, and the held first one is scored again and named.
cat > "$T/hold.csv" <<EOF
url,size,vendor,source
http://files.example/a.bin,3000000,acme,import
http://files.example/a-near.bin,3000040,acme,import
http://files.example/a-less.bin,2999960,acme,import
http://files.example/b.bin,1234567,acme,import
http://files.example/c.bin,2345678,acme,import
http://files.example/d.bin,4567890,acme,import
EOF
"$FLOWGRAB_STORE" -s "$T/hstore" -q import "$T/hold.csv"
flows_csv > "$T/hflows.csv" <<'PY'
t0 = now - 60000
recs = download(3000000, 42001, t0)
for i, size in enumerate((1234567, 2345678, 4567890)):
    recs += download(size, 42002 + i, t0 + 5000 * (i + 1))
for r in recs:
    print(csv_line(r))
PY
conf_of() { sed -n 's/.*"client_port":42001,.*"confidence":\([0-9.]*\).*/\1/p' "$1"; }
$M -s "$T/hstore" -f json --min-confidence 0 --hold 0 "$T/hflows.csv" > "$T/h0.json" 2>/dev/null
conf0=$(conf_of "$T/h0.json")
ok "$(python3 -c "print(int(not 0 < float('${conf0:-1}') < 0.5))")" \
    "--hold 0: first download ambiguous before learning (confidence $conf0)"
$M -s "$T/hstore" -f json "$T/hflows.csv" > "$T/h.json" 2>/dev/null
like "$(grep '"client_port":42001' "$T/h.json")" '"url":"http://files.example/a.bin".*"learned":true' \
    "held: first download named once the server is learned"
conf=$(conf_of "$T/h.json")
ok "$(python3 -c "print(int(not float('${conf:-0}') >= 0.9))")" "held: confidence $conf >= 0.9"
is "$(grep -c '"url":"' "$T/h.json")" 4 "held: all four downloads reported"

# The ring of held connections is bounded (4,096): when it is full, the
# oldest goes out as it is.  4,100 ambiguous first downloads from as many
# servers, then one plain detection (b.bin), then a few more: the first
# held one must come out before the detection, not at the end of the input.
flows_csv > "$T/hring.csv" <<'PY'
t0 = now - 200000
recs = []
for i in range(4100):
    recs += download(3000000, 20000 + i, t0 + 10 * i,
                     server="10.10.%d.%d" % (i // 250, i % 250 + 1))
recs += download(1234567, 19999, t0 + 42000, server="10.11.0.1")
for i in range(5):
    recs += download(3000000, 30000 + i, t0 + 46000 + 10 * i,
                     server="10.12.0.%d" % (i + 1))
for r in recs:
    print(csv_line(r))
PY
$M -s "$T/hstore" -f json --unmatched "$T/hring.csv" > "$T/hring.json" 2>/dev/null
first=$(grep -n '"client_port":20000,' "$T/hring.json" | cut -d: -f1)
det=$(grep -n '"client_port":19999,' "$T/hring.json" | cut -d: -f1)
ok $(( ${first:-0} > 0 && ${det:-0} > 0 && first < det ? 0 : 1 )) \
    "held ring full: the oldest goes out before a later detection (lines ${first:-none} < ${det:-none})"
is "$(grep -c '"client_port":' "$T/hring.json")" 4106 \
    "held ring full: every connection reported once"

# ---- collector mode ---------------------------------------------------------
port=$(free_port udp)
start=$(date +%s)
$M -s "$ST" -f json --listen "127.0.0.1:$port" --duration 2 > "$T/c.json" 2> "$T/c.err"
ok $? "--duration 2: exits 0"
el=$(( $(date +%s) - start ))
ok $((el < 2 || el > 5)) "--duration 2: after about 2 s ($el s)"
like "$(cat "$T/c.err")" "records 0, connections 0" "collector: statistics line"

# records without addresses (Cisco WLC station records) are counted as
# decoded, so the line does not read as if nothing arrived; a v9 template
# with a variable-length field (H3C/HPE NetStream) is decoded
cat > "$T/v9odd.py" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
now = int(time.time())
def v9(source, flowsets):
    return struct.pack("!HHIIII", 9, 0, 100000, now, 1, source) + b"".join(flowsets)
def flowset(fid, body):
    return struct.pack("!HH", fid, 4 + len(body)) + body
wlc_tmpl = flowset(0, struct.pack("!HH", 300, 3) + struct.pack("!6H", 365, 6, 1, 8, 95, 4))
wlc_data = flowset(300, b"".join(bytes.fromhex("001b2c3d4e5f") + struct.pack("!QI", 10**6 * (i + 1), i) for i in range(5)))
ns_tmpl = flowset(0, struct.pack("!HH", 301, 7) + struct.pack("!14H", 8, 4, 12, 4, 7, 2, 11, 2, 82, 65535, 4, 1, 1, 4))
name = b"GigabitEthernet1/0/1"
ns_data = flowset(301, socket.inet_aton("10.9.0.1") + socket.inet_aton("192.0.2.80") + struct.pack("!HHB", 3001, 80, len(name)) + name + struct.pack("!BI", 6, 20584230))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(v9(1, [wlc_tmpl, wlc_data]), ("127.0.0.1", port))
s.sendto(v9(2, [ns_tmpl, ns_data]), ("127.0.0.1", port))
PY
port=$(free_port udp)
$M -s "$ST" -f json --listen "127.0.0.1:$port" --duration 2 > "$T/w.json" 2> "$T/w.err" &
mp=$!
at_exit "kill $mp 2>/dev/null"
sleep 0.5
python3 "$T/v9odd.py" "$port"
wait $mp
like "$(cat "$T/w.err")" "decoded 6 \\(5 without addresses\\), records 1, " \
    "collector: WLC records counted as decoded, the NetStream one used"
like "$(cat "$T/w.err")" "malformed 0 " "  ... and nothing dropped as malformed"

port=$(free_port udp)
$M -s "$ST" -f json --listen "127.0.0.1:$port" --count 2 --duration 30 \
    > "$T/c.json" 2> "$T/c.err" &
mp=$!
at_exit "kill $mp"
sleep 0.5
python3 "$T/flows.py" v5 "$port" 3000000 41001
for ((i = 0; i < 60; i++)); do
	grep -q tool-1.0 "$T/c.json" && break
	sleep 0.1
done
like "$(cat "$T/c.json")" "tool-1.0.tar.gz" "collector: detection reported as the connection ends"
# a file the crawler adds now must be found without a restart
printf 'url,size,vendor,source\nhttp://files.example/new.bin,4444444,acme,import\n' > "$T/new.csv"
"$FLOWGRAB_STORE" -s "$ST" -q import "$T/new.csv"
sleep 0.5
python3 "$T/flows.py" v5 "$port" 4444444 41002
for ((i = 0; i < 100; i++)); do
	kill -0 $mp 2>/dev/null || break
	sleep 0.1
done
wait $mp
ok $? "collector: --count 2 ends it, exit 0"
like "$(cat "$T/c.json")" "new.bin" "collector: sees what was added to the store while running"
like "$(cat "$T/c.err")" "records 4, connections 2" "collector: statistics at exit"

# SIGTERM flushes: a connection without FIN is reported at exit
port=$(free_port udp)
$M -s "$ST" -f json --listen "127.0.0.1:$port" > "$T/c.json" 2> "$T/c.err" &
mp=$!
at_exit "kill $mp"
sleep 0.5
python3 - "$port" <<'PY'
import socket, struct, sys, time
now = int(time.time() * 1000)
up = 100000
# one data record of tool-1.1 (no FIN yet, no reverse direction)
size = 3000300 + 260
segs = (size + 1447) // 1448
hdr = struct.pack("!HHIIIIBBH", 5, 1, up, now // 1000, 0, 7, 0, 0, 0)
rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton("10.9.0.1"),
    socket.inet_aton("10.9.0.2"), b"\0" * 4, 0, 0, segs + 1,
    size + (segs + 1) * 52 + 8, up - 2000, up - 1000, 80, 41003, 0, 0x12, 6,
    0, 0, 0, 0, 0, 0)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(hdr + rec, ("127.0.0.1", int(sys.argv[1])))
PY
sleep 0.5
kill -TERM $mp
wait $mp
ok $? "SIGTERM: exit 0"
like "$(cat "$T/c.json")" "tool-1.1" "SIGTERM: open connection flushed and reported"

# A collector releases a held connection after --hold of wall time, while
# it keeps running: the first download from a new server is ambiguous
# (near-duplicates 40 bytes either side), is held, and comes out as
# unmatched a second later, long before the collector stops.
port=$(free_port udp)
$M -s "$T/hstore" -f json --unmatched --hold 1 --listen "127.0.0.1:$port" \
    > "$T/hc.json" 2> "$T/hc.err" &
mp=$!
at_exit "kill $mp"
sleep 0.5
python3 "$T/flows.py" v5 "$port" 3000000 41005
sleep 0.5
is "$(grep -c '"client_port":41005' "$T/hc.json")" 0 \
    "collector --hold 1: the ambiguous first download is held"
for ((i = 0; i < 50; i++)); do
	grep -q '"client_port":41005' "$T/hc.json" && break
	sleep 0.1
done
like "$(cat "$T/hc.json")" '"client_port":41005' \
    "collector --hold 1: released after a second of wall time (${i}00 ms more)"
kill -0 $mp 2>/dev/null
ok $? "collector --hold 1: still running when it was released"
kill -TERM $mp
wait $mp

done_testing
