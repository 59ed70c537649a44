#!/bin/bash
# tests/crawler/politeness.sh - the scheduler's politeness: at most
# --per-host requests in flight to one host, --delay between request starts
# (also before a probe's GET Range fallback), per-vendor delay from the
# seed file.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
need_cmd python3

# Every response takes 200 ms.  With --per-host 2, N requests need at
# least N/2 x 0.2 s whatever the threads and --parallel allow; the server
# log (response end times) shows how many were served in any 200 ms.
# max_in_flight LOG: the most responses of the server log (end times)
# that ended within one 200 ms window, i.e. were in flight together
max_in_flight() {
	python3 - "$1" <<'PY'
import sys
t = sorted(float(l.split()[0]) for l in open(sys.argv[1]))
best = 0
j = 0
for i in range(len(t)):
    while t[i] - t[j] >= 0.19:
        j += 1
    best = max(best, i - j + 1)
print(best)
PY
}

start_testsrv srv --tree 2x20 --delay-ms 200
"$CRAWLER" -s "$T/st" --threads 2 --parallel 16 --per-host 2 --json "http://127.0.0.1:$PORT/tree/" > "$T/out.json" 2> "$T/err"
is "$?" 0 "crawl exits 0"
n=$(grep -c . "$T/srv.log")
maxconc=$(max_in_flight "$T/srv.log")
ok "$([ "$maxconc" -le 2 ]; echo $?)" "--per-host 2: at most 2 requests in flight ($maxconc seen, $n requests)"
secs=$(json_field "$T/out.json" seconds)
check "  ... so the crawl took >= N/2 x 200 ms ($secs s)" -- python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= int(sys.argv[2]) / 2 * 0.2 * 0.95 else 1)" "$secs" "$n"
stop_testsrv "$SRVPID"

# --per-host 8 with the same server: more in flight, never more than 8
start_testsrv srv2 --tree 2x20 --delay-ms 200
"$CRAWLER" -s "$T/st2" --threads 2 --parallel 16 --per-host 8 --json "http://127.0.0.1:$PORT/tree/" > "$T/out2.json" 2>&1
maxconc=$(max_in_flight "$T/srv2.log")
check "--per-host 8: up to 8 in flight, more than 2 ($maxconc seen)" -- test "$maxconc" -gt 2 -a "$maxconc" -le 8
stop_testsrv "$SRVPID"

# --delay: request starts at least that far apart (no server delay here,
# so response end times are start times)
start_testsrv srv3 --tree 1x8
"$CRAWLER" -s "$T/st3" --per-host 4 --delay 0.3 --json "http://127.0.0.1:$PORT/tree/" > "$T/out3.json" 2>&1
mingap=$(python3 - "$T/srv3.log" <<'PY'
import sys
t = sorted(float(l.split()[0]) for l in open(sys.argv[1]))
print(min(b - a for a, b in zip(t, t[1:])))
PY
)
check "--delay 0.3: requests at least 0.3 s apart (min gap $mingap s)" -- python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.28 else 1)" "$mingap"

# a seed's own delay applies to its host
cat > "$T/s.seeds" <<S
[slowvendor]
start = http://127.0.0.1:$PORT/tree/
delay = 400ms
S
: > "$T/srv3.log"
"$CRAWLER" -s "$T/st4" --seeds "$T/s.seeds" --json > "$T/out4.json" 2>&1
mingap=$(python3 - "$T/srv3.log" <<'PY'
import sys
t = sorted(float(l.split()[0]) for l in open(sys.argv[1]))
print(min(b - a for a, b in zip(t, t[1:])))
PY
)
check "seed delay = 400ms honoured (min gap $mingap s)" -- python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.38 else 1)" "$mingap"
stop_testsrv "$SRVPID"

# A probe whose HEAD says nothing falls back to GET Range: that is a
# request like any other and waits --delay after the HEAD (nolen.bin: no
# length on HEAD; h405.bin: HEAD refused)
start_testsrv srv5
"$CRAWLER" -s "$T/st5" --per-host 4 --delay 0.3 --max-retry-after 1 \
    --json "http://127.0.0.1:$PORT/m/index.html" > "$T/out5.json" 2>&1
for f in nolen.bin h405.bin; do
	gap=$(awk -v p="/m/$f" '$3 == p { print $1 }' "$T/srv5.log" |
	    python3 -c "import sys; t = [float(l) for l in sys.stdin]; print('%.3f' % (t[1] - t[0]) if len(t) == 2 else 'none')")
	check "Range fallback of $f waits --delay 0.3 after its HEAD ($gap s)" -- \
	    python3 -c "import sys; sys.exit(0 if sys.argv[1] != 'none' and float(sys.argv[1]) >= 0.28 else 1)" "$gap"
done
done_testing
