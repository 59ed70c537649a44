#!/bin/bash
# tests/matcher/observe.sh - observed references (issue 13) end to end, on
# the testbed of tests/matcher/testbed.sh: nginx serving HTTP and HTTPS in
# the server namespace, softflowd metering the veth pair.
#
# 1. A reference host (the client namespace's 10.77.0.2) downloads three
#    files over HTTP and HTTPS while a collector runs with --observe
#    10.77.0.2 --label ...; nfcapd records the same flows.  The store then
#    lists them as observed references with the label, with their raw
#    counters; the file the host fetched twice is one reference seen
#    twice; the collector reported none of them.  The recorded flows, read back with --nfcapd
#    --observe into another store (files mode), give the same references.
# 2. Another client (10.77.0.7, the same subnet and path) downloads the
#    same files and one never observed; a collector (no --observe) with a
#    store that holds no crawled entry for any of them names each from
#    its observed reference (source observed, the label, the counters'
#    fit) and leaves the unobserved one unnamed.
# 3. export -> import into a new store gives back the same references,
#    and matching phase 2's recorded flows against that store names the
#    same downloads.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/matcher/testbed.sh"

tb_test_up
OTHER=10.77.0.7
ip -n "$TB_C" addr add "$OTHER/24" dev "$TB_VC" || skip_all "no second address"
LABEL="lab-host 2026-12 updates"

declare -A SIZE=([o1.bin]=1234567 [o2.bin]=3000000 [o3.bin]=5200000
    [never.bin]=2500000)
for f in "${!SIZE[@]}"; do tb_file "$f" "${SIZE[$f]}"; done
for f in "${!SIZE[@]}"; do echo "$f ${SIZE[$f]}"; done > "$T/sizes"

# stores with decoys only: nothing crawled for the files downloaded (no
# decoy within 30 kB of one, HTTPS overhead included)
python3 - "$T/sizes" <<'PY' > "$T/decoys.csv"
import random, sys
sizes = [int(l.split()[1]) for l in open(sys.argv[1])] + [4000000]
r = random.Random(13)
print("url,size,vendor,source")
n = 0
while n < 200:
    s = r.randint(100000, 9000000)
    if all(abs(s - f) > 30000 for f in sizes):
        print("http://decoy.example/rand%d.bin,%d,decoy,import" % (n, s))
        n += 1
PY
for s in store filestore; do
	"$FLOWGRAB_STORE" -s "$T/$s" -q import "$T/decoys.csv"
done
ok $? "stores of decoys made"

tb_nginx_up
ok $? "nginx serves HTTP and HTTPS in the server namespace"
# paced like e2e.sh's one-at-a-time phase: no burst past the receiver
tb_slow 300mbit

H=http://$TB_SERVER S=https://$TB_SERVER
M="$FLOWGRAB_MATCHER -f json --min-size 100k --unmatched"

# capture: softflowd exporting NetFlow v9 to PORT, nfcapd writing DIR
SF_PIDS=()
meter_to() {	# meter_to PORT: softflowd exporting v9 to 127.0.0.1:PORT
	tb_softflowd 9 "$1" -t maxlife=2
	SF_PIDS+=("$TB_BG_PID")
}
meters_stop() {
	local p
	for p in "${SF_PIDS[@]}"; do tb_stop "$p"; done
	SF_PIDS=()
	TB_SF_CTL=()
}
# capture_start NAME PORT NFDIR [ARG...]: a collector on PORT writing
# $T/NAME.json and .err (matcher ARGs), nfcapd on PORT+1 writing NFDIR,
# a meter exporting to each
capture_start() {
	local name=$1 port=$2 nf=$3
	shift 3
	tb_bg "$TB_S" $M --listen "127.0.0.1:$port" "$@" > "$T/$name.json" \
	    2> "$T/$name.err"
	CAP_PIDS=("$TB_BG_PID")
	tb_bg "$TB_S" nfcapd -w "$nf" -b 127.0.0.1 -p $((port + 1)) -t 3600
	CAP_PIDS+=("$TB_BG_PID")
	sleep 0.5
	meter_to "$port"
	meter_to $((port + 1))
	sleep 1
}
# capture_stop: the meters' last flows out, then collector, nfcapd, meters
capture_stop() {
	local p
	sleep 1
	tb_expire_all
	sleep 3
	for p in "${CAP_PIDS[@]}"; do tb_stop "$p"; done
	meters_stop
}

# ---- 1. the reference host ------------------------------------------------
mkdir -p "$T/nf1" "$T/nf2"
capture_start ref 9921 "$T/nf1" -s "$T/store" --observe "$TB_CLIENT" \
    --label "$LABEL" -v
for f in o1 o2 o3; do
	tb_get "$H/$f.bin"; sleep 0.2
	tb_get "$S/$f.bin"; sleep 0.2
done
tb_get "$H/o1.bin"	# the same transfer again: one reference
sleep 0.2
# the meter's last packets out (tb_flush_meter), from the other address:
# the last one's may stay in the ring, and it is no reference's
tb_file pad.bin 4000000
tb_get --interface "$OTHER" "$H/pad.bin"
tb_get --interface "$OTHER" "$H/pad.bin"
capture_stop

"$FLOWGRAB_STORE" -s "$T/store" list --source observed > "$T/list"
"$FLOWGRAB_STORE" -s "$T/store" export --source observed > "$T/obs.csv"
diag "$(cat "$T/list")"
is "$(grep -c "observed://$TB_SERVER:80/" "$T/list")" 3 \
    "list --source observed: three files over HTTP"
is "$(grep -c "observed://$TB_SERVER:443/" "$T/list")" 3 \
    "list --source observed: three files over HTTPS"
is "$(grep -c "($LABEL)" "$T/list")" 6 "list shows the label of every one"
like "$(cat "$T/ref.err")" "observed 7," \
    "the collector counts 7 transfers written (one seen twice)"
# named JSON: a line per detection, "client:port -> server:port bytes url conf"
named() {
	python3 - "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("summary") or not d.get("url"):
        continue
    print("%s:%d -> %s:%d bytes %d %s %.3f" % (d["client"], d["client_port"],
          d["server"], d["server_port"], d["bytes"], d["url"], d["confidence"]))
PY
}
named "$T/ref.json" > "$T/ref.named"
diag "named in phase 1: $(cat "$T/ref.named")"
is "$(grep -c -F "$TB_CLIENT:" "$T/ref.named")" 0 \
    "the reference host's transfers are not reported as detections"

# the counters, read with export's header
python3 - "$T/obs.csv" "$T/sizes" "$TB_SERVER" > "$T/refs" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sizes = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
for r in rows:
    pay, port = int(r["payload"]), int(r["server_port"])
    # the file: the one whose size the payload exceeds by an overhead
    f = [n for n, s in sizes.items() if 0 < pay - s < 20000]
    print(r["url"], port, f[0] if len(f) == 1 else "?", r["observations"],
          r["label"].replace(" ", "_"), r["data_octets"], r["data_packets"],
          r["req_octets"], r["req_packets"], r["payload_sd"], r["addrs"])
PY
diag "$(cat "$T/refs")"
is "$(awk '$3 == "?"' "$T/refs" | wc -l)" 0 "every reference's payload is one file's"
is "$(awk '$3 == "o1.bin" && $2 == 80 { print $4 }' "$T/refs")" 2 \
    "o1.bin over HTTP, fetched twice, is one reference observed twice"
is "$(awk '$4 == 1' "$T/refs" | wc -l)" 5 \
    "each other file and protocol is one reference observed once"
is "$(awk '$6 > 0 && $7 > 0 && $8 > 0 && $9 > 0 && $11 == "'$TB_SERVER'"' "$T/refs" | wc -l)" 6 \
    "raw counters both ways and the server address are kept"

# files mode: the recorded flows, observed into another store
$M -s "$T/filestore" --nfcapd "$T/nf1" --observe "$TB_CLIENT" --label "$LABEL" \
    > "$T/fileref.json" 2> "$T/fileref.err"
ok $? "--nfcapd with --observe runs"
"$FLOWGRAB_STORE" -s "$T/filestore" export --source observed > "$T/fobs.csv"
is "$(cut -d, -f1 "$T/fobs.csv" | sort)" "$(cut -d, -f1 "$T/obs.csv" | sort)" \
    "files mode writes the same references as the collector"

# ---- 2. another host downloads the same files -------------------------------
capture_start other 9923 "$T/nf2" -s "$T/store"
: > "$T/want"
for f in o1 o2 o3 never; do
	tb_get --interface "$OTHER" "$H/$f.bin"; echo "80 $f.bin" >> "$T/want"
	sleep 0.2
	tb_get --interface "$OTHER" "$S/$f.bin"; echo "443 $f.bin" >> "$T/want"
	sleep 0.2
done
tb_get --interface "$OTHER" "$H/pad.bin"	# the meter's last packets out
tb_get --interface "$OTHER" "$H/pad.bin"
capture_stop

show() {	# show JSON: a line per connection, for the log
	python3 - "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("summary"):
        continue
    print("# %s:%d -> %s:%d bytes %d packets %d req %d/%d est %d %s %.3f" % (
        d["client"], d["client_port"], d["server"], d["server_port"],
        d["bytes"], d["packets"], d["req_bytes"], d["req_packets"],
        d["est_size"], d["url"], d["confidence"]))
PY
}
check_named() {	# check_named NAME JSON: PASS/FAIL lines
	python3 - "$1" "$2" "$T/refs" "$T/want" "$OTHER" "$LABEL" "$T/sizes" <<'PY'
import json, sys
name, path, refsf, wantf, other, label, sizef = sys.argv[1:8]
sizes = dict((l.split()[0], int(l.split()[1])) for l in open(sizef))
ref, refcnt = {}, {}
for l in open(refsf):
    f = l.split()
    ref[(int(f[1]), f[2])] = f[0]
    refcnt[f[0]] = (int(f[5]), int(f[6]))
want = [(int(l.split()[0]), l.split()[1]) for l in open(wantf)]
det = [json.loads(l) for l in open(path)]
det = [d for d in det if d.get("client") == other and not d.get("summary")]
res = []
named, excused = [], []
for port, f in want:
    if f == "pad.bin":
        continue
    got = [d for d in det if d["server_port"] == port and d["url"] and
           d["bytes"] > 0]
    exp = ref.get((port, f))
    hit = [d for d in got if d["url"] == exp] if exp else []
    if f == "never.bin":
        # no observed reference nor crawled entry: nothing may name it
        size = sizes[f]
        wrong = [d for d in det if d["server_port"] == port and d["url"] and
                 abs(d["est_size"] - size) < 30000]
        res.append((not wrong, "%s: %s:%d, never observed, not named (%s)" % (
            name, f, port, [d["url"] for d in wrong] or "none")))
        continue
    ok = len(hit) == 1 and hit[0]["source"] == "observed" and \
        hit[0]["label"] == label and hit[0]["evidence"]["size_fit"] == "observed"
    if ok:
        named.append(f)
    why = ""
    if not hit and exp:
        # a download whose packets differ from the reference's (a
        # segment, or a part of one, resent or missed on a busy machine)
        # may carry bytes no whole segment explains: excused if it stays
        # unnamed (docs/matching.md section 8, as in e2e.sh)
        rb, rp = refcnt[exp]
        lossy = [d for d in det if d["server_port"] == port and
                 d["url"] is None and abs(d["bytes"] - rb) < 3 * 1500 and
                 d["packets"] != rp]
        if lossy:
            ok = True
            excused.append(f)
            why = "excused: unnamed, %d packets against the reference's %d" % (
                lossy[0]["packets"], rp)
    res.append((ok, "%s: %s:%d named from its observed reference %s (%s)" % (
        name, f, port, exp, why or ["%s conf %.3f delta %d source %s label %s fit %s" % (
            d["url"], d["confidence"], d["delta"], d["source"], d["label"],
            d["evidence"]["size_fit"]) for d in (hit or got)] or "nothing")))
    if hit:
        res.append((hit[0]["confidence"] >= 0.9 and abs(hit[0]["delta"]) <= 8,
            "%s: %s:%d same path: confidence %.3f >= 0.9, payloads %d bytes apart" % (
            name, f, port, hit[0]["confidence"], hit[0]["delta"])))
# at least 4 of 6; on a busy machine (CI runs tests two at a time, and
# the sanitizers' build slows every program) up to 3 may be excused as
# above, each shown to be a transfer with other packets than its reference
res.append((len(named) >= 4 or (len(named) >= 3 and
    len(named) + len(excused) == 6), "%s: at least 4 of the 6 downloads "
    "named, or 3 and the rest excused (%d; excused %s)" % (name, len(named),
    excused or "none")))
obs = [d for d in det if d["url"] and d["url"].startswith("observed://")]
exp_urls = set(ref.values())
res.append((all(d["url"] in exp_urls for d in obs),
    "%s: only observed references named (%s)" % (name, sorted(set(d["url"] for d in obs)))))
for good, desc in res:
    print(("PASS " if good else "FAIL ") + desc)
PY
}
report() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS*) ok 0 "${line#PASS }" ;;
		*) ok 1 "${line#FAIL }" ;;
		esac
	done
}
show "$T/other.json"
check_named collector "$T/other.json" > "$T/checks"
report < "$T/checks"
# the JSON reader of --from-detections and the HTML report take them
$M --report "$T/other.html" --from-detections "$T/other.json" 2> "$T/html.err"
ok $? "--from-detections reads the detections of observed references"
is "$(grep -o "$LABEL" "$T/other.html" | wc -l | awk '$1 >= 6 { print "yes" }')" yes \
    "the HTML report names the six downloads by the observation's label"

# ---- 3. export -> import ----------------------------------------------------
"$FLOWGRAB_STORE" -s "$T/imported" -q import "$T/obs.csv"
ok $? "import reads the exported observed references"
"$FLOWGRAB_STORE" -s "$T/imported" export --source observed > "$T/obs2.csv"
check "export of the imported store is the export it was made from" -- \
    cmp "$T/obs.csv" "$T/obs2.csv"
$M -s "$T/imported" --nfcapd "$T/nf2" > "$T/imported.json" 2> "$T/imported.err"
ok $? "--nfcapd with the imported store runs"
check_named "imported, files" "$T/imported.json" > "$T/checks2"
report < "$T/checks2"

done_testing
