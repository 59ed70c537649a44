#!/bin/bash
# tests/matcher/e2e.sh - flowgrab-matcher end to end with the real
# softflowd, nginx, curl, nfcapd and nfdump (see tests/matcher/testbed.sh).
#
# nginx serves generated files over HTTP and HTTPS in one namespace, curl
# downloads them from the other: one at a time, four at once, one slowed
# down so that softflowd's short maxlife splits it into several records,
# one aborted, one as two parallel range requests.  softflowd exports
# NetFlow v5, v9 and IPFIX (-A milli) to three matchers in collector mode,
# and v9 to nfcapd, whose file is then read with --nfcapd and as
# "nfdump -o csv" on stdin.  The store holds every file (http and https
# URLs), near-duplicate sizes a few hundred bytes off, and random decoys.
# Each output must name every download with the right URL, and nothing
# else; a download whose payload holds a part of a segment sent again
# (one at a time or four at once) is beyond what flow records allow and
# is excused when it stays unnamed.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/matcher/testbed.sh"

tb_test_up

# ---- files and store ---------------------------------------------------
declare -A SIZE=(
	[h1.bin]=3000000 [h1n.bin]=3000300 [h2.bin]=1500000 [h3.bin]=5123456
	[h4.bin]=800000 [h5.bin]=2222222 [h6.bin]=420000 [big.bin]=12000000
	[abort.bin]=40000000 [r1.bin]=6000000 [w1.bin]=1111111 [w2.bin]=2700000
	[w3.bin]=3900000
)
for f in "${!SIZE[@]}"; do tb_file "$f" "${SIZE[$f]}"; done
for f in "${!SIZE[@]}"; do echo "$f ${SIZE[$f]}"; done > "$T/sizes"
{
	echo "url,size,vendor,source"
	for f in "${!SIZE[@]}"; do
		echo "http://$TB_SERVER/$f,${SIZE[$f]},testbed,import"
		echo "https://$TB_SERVER/$f,${SIZE[$f]},testbed,import"
	done
	# near-duplicates that are never downloaded (h1/h1n are another pair)
	for d in h4.bin:200 h6.bin:-330; do
		f=${d%%:*}; off=${d#*:}
		for s in http https; do
			echo "$s://decoy.example/near-$f,$((SIZE[$f] + off)),decoy,import"
		done
	done
	# 400 random decoys, so that the store is not nearly empty.  They lie
	# between 18 and 39 MB: above every download and every sum the range
	# grouping can form from this traffic (at most 17 MB), below abort.bin.  Near sizes are tested above on purpose;
	# the rate at which random sizes near a lossy transfer or a sum are
	# hit is measured by bench/matcher/accuracy.sh (bench/RESULTS.md), not
	# asserted here, where the loss on the veth pair depends on the load.
	python3 -c '
import random
r = random.Random(4)
for n in range(400):
    print("http://decoy.example/rand%d.bin,%d,decoy,import" % (n, r.randint(18000000, 39000000)))
'

} > "$T/store.csv"
tb_store_import "$T/store.csv"
ok $? "store filled with flowgrab-store import"

tb_nginx_up
ok $? "nginx serves HTTP and HTTPS in the server namespace"

# ---- collectors and meters ----------------------------------------------
M="$FLOWGRAB_MATCHER -s $T/store -f json --min-size 100k --unmatched"
tb_bg "$TB_S" $M --listen 127.0.0.1:9905 > "$T/v5.json" 2> "$T/v5.err"
P5=$TB_BG_PID
tb_bg "$TB_S" $M --listen 127.0.0.1:9909 > "$T/v9.json" 2> "$T/v9.err"
P9=$TB_BG_PID
tb_bg "$TB_S" $M --listen 127.0.0.1:9910 > "$T/v10.json" 2> "$T/v10.err"
P10=$TB_BG_PID
mkdir -p "$T/nfcap"
tb_bg "$TB_S" nfcapd -w "$T/nfcap" -b 127.0.0.1 -p 9911 -t 3600
PNF=$TB_BG_PID
sleep 0.5
tb_softflowd 5 9905 -t maxlife=2
tb_softflowd 9 9909 -t maxlife=2
tb_softflowd 10 9910 -A milli -t maxlife=2
tb_softflowd 9 9911 -t maxlife=2
sleep 1

# ---- downloads ------------------------------------------------------------
# Each phase is written down with its start and end (Unix seconds) and the
# downloads it must yield; the checks classify detections by start time.
: > "$T/want"
: > "$T/phases"
# (NetFlow v9 headers carry whole seconds: times may be 1 s early)
phase() { PHASE=$1; sleep 2.2; PHASE_T0=$(date +%s); }
phase_end() { sleep 2.2; echo "$PHASE $PHASE_T0 $(date +%s)" >> "$T/phases"; }
want() { echo "$PHASE $1" >> "$T/want"; }
H=http://$TB_SERVER S=https://$TB_SERVER

phase one	# one at a time: HTTP, HTTPS, slow, aborted
# Paced at 300 Mbit/s like a real path's bottleneck: unpaced, a veth pair
# lets the sender burst past the receiver's 1000-packet backlog (two CPUs
# shared with four meters), and dozens of segments are retransmitted.
tb_slow 300mbit
for f in h1 h1n h2 h3 h4 h5 h6; do tb_get "$H/$f.bin"; want "$H/$f.bin"; sleep 0.2; done
# The first HTTPS downloads from a server teach the matcher the size of its
# handshake (several kB, unknown until then): they are named only when
# their size is unambiguous, and must never be misnamed.
for f in w1 w2 w3; do tb_get "$S/$f.bin"; want "?$S/$f.bin"; sleep 0.2; done
for f in h3 h2 h5 h4 h6 h1 h1n; do tb_get "$S/$f.bin"; want "$S/$f.bin"; sleep 0.2; done
# slow (20 Mbit/s): several records per direction (maxlife 2 s)
tb_fast; tb_slow 20mbit && tb_get "$H/big.bin"; want "$H/big.bin"; tb_fast
# aborted after a second, a few MB into 40 MB
tb_get --limit-rate 1500k --max-time 1 "$H/abort.bin"
phase_end

phase four	# four at once, HTTP then HTTPS
pids=()
for f in h2 h3 h5 w1; do tb_get "$H/$f.bin" & pids+=($!); want "$H/$f.bin"; done
wait "${pids[@]}"
pids=()
for f in h2 h3 h5 w2; do tb_get "$S/$f.bin" & pids+=($!); want "$S/$f.bin"; done
wait "${pids[@]}"
phase_end

phase range	# one file as two parallel range requests
# paced (tbf), so that the burst of two fresh connections does not overflow
# the receiving veth's backlog: hundreds of retransmitted segments would
# hide the sum (loss is the four-at-once phase's subject).  At 400 Mbit/s
# the sum was missed once when the sanitizer build's tests ran beside it.
# Slow enough that the parts run at the same time even when the second
# curl starts late on a busy machine (parts are summed only when their
# spans intersect, docs/matching.md section 6: at 150 Mbit/s the 2.5 MB
# part took 0.13 s, and in CI's distcheck the two did not meet): 6 MB at
# 24 Mbit/s take 2 s, and the queue (3 s, 9 MB) holds all of it, so
# nothing is dropped.
tb_slow 24mbit 3000ms
pids=()
tb_get -r 0-3499999 "$H/r1.bin" & pids+=($!)
tb_get -r 3500000- "$H/r1.bin" & pids+=($!)
wait "${pids[@]}"
want "$H/r1.bin"
tb_fast
phase_end

tb_flush_meter
tb_expire_all
sleep 4
for p in $P5 $P9 $P10; do tb_stop "$p"; done
tb_stop "$PNF"

# ---- checks ---------------------------------------------------------------
# One at a time: every download named, nothing else.  Four at once (some
# loss): nothing misnamed, and every download named unless its connection
# carried bytes beyond whole segments (a partial segment sent again): then
# every stored size within that excess fits as well as the file, and
# leaving it unmatched is the right answer.  Range: summed.
check_output() {	# check_output NAME FILE
	python3 - "$1" "$2" "$T/want" "$T/phases" "$T/sizes" <<'PY'
import calendar, json, sys, time
name, path, wantf, phasef, sizef = sys.argv[1:6]
sizes = dict((l.split()[0], int(l.split()[1])) for l in open(sizef))
phases = {}
for line in open(phasef):
    p, t0, t1 = line.split()
    phases[p] = (int(t0), int(t1))
want, maybe = {}, {}
for line in open(wantf):
    p, u = line.split()
    if u.startswith("?"):
        maybe.setdefault(p, set()).add(u[1:])
    else:
        want.setdefault(p, {}).setdefault(u, 0)
        want[p][u] += 1
got = {p: {} for p in phases}
lines = []
unmatched = {}
for line in open(path):
    d = json.loads(line)
    t = calendar.timegm(time.strptime(d["start"], "%Y-%m-%dT%H:%M:%SZ"))
    ph = [p for p, (a, b) in phases.items() if a - 1 <= t <= b]
    p = ph[0] if ph else "none"
    if d.get("url") is None:
        unmatched.setdefault(p, []).append(d)
        continue
    lines.append(d)
    got.setdefault(p, {})
    got[p][d["url"]] = got[p].get(d["url"], 0) + 1

def partial_excess(p, u):
    """An unmatched connection of phase p whose estimate lies above u's
    size by more than a few bytes short of whole 1448-byte segments."""
    size = sizes[u.rsplit("/", 1)[1]]
    for d in unmatched.get(p, []):
        x = d["est_size"] - size
        r = x % 1448
        if 16 < x < 3 * 1448 and 16 < r < 1448 - 16:
            unmatched[p].remove(d)
            return "%s +%d" % (u.rsplit("/", 1)[1], x)
    return None
res = []
def counts(p):
    w, g, m = want.get(p, {}), got.get(p, {}), maybe.get(p, set())
    named = sum(min(g.get(u, 0), n) for u, n in w.items())
    extra = {u: n - w.get(u, 0) for u, n in g.items()
             if n > w.get(u, 0) and not (u in m and n == 1)}
    missing = {u: n - g.get(u, 0) for u, n in w.items() if g.get(u, 0) < n}
    return named, sum(w.values()), extra, missing
n, tot, extra, missing = counts("one")
# even one at a time a veth pair resends now and then; a part of a
# segment sent again puts the file beyond what the records allow (the
# ceiling, docs/matching.md section 8): excused as four at once
excused = [partial_excess("one", u) for u, k in missing.items() for i in range(k)]
res.append((all(excused), "%s: one at a time, every download named (%d of %d; missing %s; with bytes beyond whole segments %s)" % (
    name, n, tot, missing or "none", [e for e in excused if e] or "none")))
res.append((not extra, "%s: one at a time, nothing else named (extra %s)" % (name, extra or "none")))
n, tot, extra, missing = counts("four")
excused = [partial_excess("four", u) for u, k in missing.items() for i in range(k)]
res.append((all(excused), "%s: four at once, %d of %d named (missing %s; with bytes beyond whole segments %s)" % (
    name, n, tot, missing or "none", [e for e in excused if e] or "none")))
res.append((not extra, "%s: four at once, nothing misnamed (extra %s)" % (name, extra or "none")))
n, tot, extra, missing = counts("range")
r1 = [d for d in lines if d["url"].endswith("/r1.bin")]
res.append((n == tot and bool(r1) and r1[0]["parts"] == 2,
    "%s: parallel range requests summed (parts %s)" % (name, [d["parts"] for d in r1])))
res.append((not extra, "%s: range phase, nothing else named (extra %s)" % (name, extra or "none")))
res.append((not got.get("none"), "%s: no detection outside the phases (%s)" % (name, got.get("none"))))
ab = [d for d in lines if "abort" in d["url"]]
res.append((not ab, "%s: aborted download not reported as the file" % name))
near = [d for d in lines if "decoy" in d["url"]]
res.append((not near, "%s: near-duplicate and decoy sizes not reported" % name))
big = [d for d in lines if d["url"].endswith("/big.bin")]
res.append((bool(big) and big[0]["records"] >= 4,
    "%s: download split into several records found (records %s)" % (
    name, [d["records"] for d in big])))
tls = [d for d in lines if d["tls"]]
res.append((all(d["url"].startswith("https://") for d in tls) and
    all(d["url"].startswith("http://") for d in lines if not d["tls"]),
    "%s: HTTPS connections named with https URLs" % name))
conf = [d["confidence"] for d in lines]
res.append((all(0 <= c <= 1 for c in conf), "%s: confidence in [0,1]" % name))
for good, desc in res:
    print(("PASS " if good else "FAIL ") + desc)
PY
}

report_checks() {	# turn PASS/FAIL lines into TAP
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ *) ok 0 "${line#PASS }" ;;
		FAIL\ *) ok 1 "${line#FAIL }" ;;
		esac
	done
}

for v in v5 v9 v10; do
	like "$(cat "$T/$v.err")" "records [1-9][0-9]*, connections" \
	    "$v: statistics line at exit"
	check_output "$v" "$T/$v.json" > "$T/$v.check"
	report_checks < "$T/$v.check"
done

# the same flows through nfcapd: --nfcapd, and nfdump CSV on stdin
ls "$T"/nfcap/nfcapd.* >/dev/null 2>&1
ok $? "nfcapd wrote a file"
$M --nfcapd "$T/nfcap" > "$T/nfcapd.json" 2> "$T/nfcapd.err"
ok $? "--nfcapd exits 0"
like "$(cat "$T/nfcapd.err")" "records [1-9][0-9]*, connections" \
    "--nfcapd: statistics line"
check_output nfcapd "$T/nfcapd.json" > "$T/nfcapd.check"
report_checks < "$T/nfcapd.check"
TZ=UTC nfdump -R "$T/nfcap" -o csv > "$T/flows.csv"
$M - < "$T/flows.csv" > "$T/csv.json" 2> "$T/csv.err"
ok $? "nfdump CSV on stdin exits 0"
is "$(grep -c '"url":"' "$T/csv.json")" "$(grep -c '"url":"' "$T/nfcapd.json")" \
    "CSV on stdin finds what --nfcapd finds"

if [ $_tap_failed -gt 0 ]; then
	for f in v5 v9 v10 nfcapd; do
		diag "---- $f"
		sed 's/^/# /' "$T/$f.err"
		python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    print("# %s %s:%s bytes=%s pk=%s req=%s/%s est=%s size=%s delta=%s c=%s conf=%s seg=%s rec=%s parts=%s learned=%s" % (d["url"], d["server_port"], d["client_port"], d["bytes"], d["packets"], d["req_bytes"], d["req_packets"], d["est_size"], d["size"], d["delta"], d["candidates"], d["confidence"], d["segments"], d["records"], d["parts"], d["learned"]))
' "$T/$f.json"
	done
fi
done_testing
