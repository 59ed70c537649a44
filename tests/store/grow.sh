#!/bin/bash
# tests/store/grow.sh - a store read while it grows (issue 14): a
# flowgrab-matcher in collector mode reads the store while
# flowgrab-crawler adds GROW_N downloads to it (default 1,000,000) from
# Debian Packages.gz indices that nginx serves on 127.0.0.1 (made here,
# 250,000 stanzas an index, as dpkg-scanpackages writes them).  While the
# crawler writes, NetFlow v5 datagrams of downloads of files that were
# not in the store when the matcher started are sent to it, each once the
# file is in the store (flowgrab-store lookup says so): the matcher names
# every one without a restart, and prints no error.  A second sender
# keeps the matcher looking up throughout (a flow every 20 ms, of files
# stored or not yet, until the five are named), from other servers and
# clients than the five's, and --hold 0 reports each download as its
# connection ends, so that what the sender's servers teach the matcher
# (learned overhead, held downloads: docs/matching.md) does not decide
# when the five are reported.  Crawler and matcher start with a 1 MiB map
# (FLOWGRAB_STORE_MAPSIZE), so the writer grows the map nine times on the
# way, and the reader must follow each time (MDB_MAP_RESIZED at a renewed
# read transaction: store.c adopts the new size).
#
# GROW_N: the default, a million, is the issue's figure, and it fits the
# suite: 47-56 s on the 2-core CI machine with the other core busy
# (docs/testing.md has the measured runs).  A smaller GROW_N, at least
# 250,000 (one index, a crawl of about 9 s), runs the same checks faster;
# below that the crawl ends before the first file is asked for, and
# "named while the crawler was still writing" cannot hold.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
need_cmd nginx python3 gzip

N=${GROW_N:-1000000}
[ "$N" -ge 250000 ] || { echo "Bail out! GROW_N must be at least 250000"; exit 1; }
M=$FLOWGRAB_MATCHER
FLOWS=$FG_SRCDIR/tests/matcher/flows.py
W=$T/www
ST=$T/st

# The indices.  Sizes are a permutation of 1 MiB + 333 + k * STEP (k < N),
# so that each file's size is unique and the next one STEP away: 8 KiB,
# or less, 3.5 GB / N (3,500 bytes at a million); the ten files of the
# first store ("warm") lie halfway between.  The five files asked for
# (the first, a quarter of the way, the middle, three quarters, the last)
# are 3.70, 3.75, ... 3.90 GB instead, 200 MB above every other: so that
# whether the matcher names them does not hinge on telling apart files
# 3,500 bytes apart under its header hypotheses (the dense store is
# bench/matcher/dense.sh's subject, not this test's), and all fit NetFlow
# v5's 32-bit byte counter.  sizes.txt: "index position size path" of
# every grown file; warm.txt and targets.txt: "size path".
python3 - "$W" "$N" <<'PY'
import gzip, os, sys
w, n = sys.argv[1], int(sys.argv[2])
per = 250000
step = min(8192, 3500000000 // n // 2 * 2)
targets = [0, n // 4, n // 2, 3 * n // 4, n - 1]
def grid(i):
    return 1048576 + 333 + ((i * 7919) % n) * step
def size(i):
    if i in targets:
        return 3700000000 + targets.index(i) * 50000000 + 333
    return grid(i)
def stanza(name, ver, sz):
    return ("Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: flowgrab tests "
            "<tests@flowgrab.invalid>\nFilename: pool/main/%s/%s/%s_%s_amd64.deb\nSize: %d\n"
            "Description: a package for flowgrab's grow test\n\n"
            % (name, ver, name[0], name, name, ver, sz))
def index(d, text):
    d = os.path.join(w, "debian/dists", d, "main/binary-amd64")
    os.makedirs(d, exist_ok=True)
    with gzip.open(os.path.join(d, "Packages.gz"), "wb", compresslevel=1) as f:
        f.write(text.encode())
index("warm", "".join(stanza("warm%d" % j, "1.0-1", grid(j) + step // 2) for j in range(10)))
with open(os.path.join(w, "warm.txt"), "w") as out:
    for j in range(10):
        out.write("%d pool/main/w/warm%d/warm%d_1.0-1_amd64.deb\n" % (grid(j) + step // 2, j, j))
tout = open(os.path.join(w, "targets.txt"), "w")
with open(os.path.join(w, "sizes.txt"), "w") as out:
    for k in range((n + per - 1) // per):
        parts = []
        for i in range(k * per, min(n, (k + 1) * per)):
            name, ver = "pkg%d" % i, "%d.%d-%d" % (i % 13, i % 17, i % 5)
            parts.append(stanza(name, ver, size(i)))
            out.write("%d %d %d pool/main/p/%s/%s_%s_amd64.deb\n" % (k, i, size(i), name, name, ver))
            if i in targets:
                tout.write("%d pool/main/p/%s/%s_%s_amd64.deb\n" % (size(i), name, name, ver))
        index("s%d" % k, "".join(parts))
tout.close()
PY
ok $? "$N packages in $(ls "$W/debian/dists" | grep -c '^s') indices made"
start_nginx "$W"
B="http://127.0.0.1:$NGINX_PORT"
printf '[debian]\nmanifest = %s/debian/dists/warm/main/binary-amd64/Packages.gz\n' "$B" >"$T/warm.seeds"
{
	echo "[debian]"
	for d in "$W"/debian/dists/s*; do
		echo "manifest = $B/debian/dists/$(basename "$d")/main/binary-amd64/Packages.gz"
	done
} >"$T/grow.seeds"

# the store the matcher starts on: the ten warm files
FLOWGRAB_STORE_MAPSIZE=1m "$CRAWLER" -s "$ST" --seeds "$T/warm.seeds" 2>"$T/warm.err"
is "$("$STORETOOL" -s "$ST" stats --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["downloads"])')" \
	10 "the first store: ten downloads"

port=$(free_port udp)
FLOWGRAB_STORE_MAPSIZE=1m "$M" -s "$ST" -f json --hold 0 --listen "127.0.0.1:$port" --stats-interval 1 >"$T/m.json" 2>"$T/m.err" &
mp=$!
at_exit "kill $mp 2>/dev/null; wait $mp 2>/dev/null"
sleep 0.5
cport=30000

# named URL [SECONDS]: wait until the matcher's output names URL
named() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		grep -qF "\"url\":\"$1\"" "$T/m.json" && return 0
		sleep 0.1
	done
	return 1
}
send() {	# send SIZE: one download of SIZE bytes, a new client port
	cport=$((cport + 1))
	python3 "$FLOWS" v5 "$port" "$1" "$cport"
}

read -r wsize wpath < <(sed -n 4p "$W/warm.txt")
send "$wsize"
check "the matcher names a file of the first store" -- named "$B/debian/$wpath"

# the files to ask for once they are stored (targets.txt, above)
targets=$(cat "$W/targets.txt")
absent=0
while read -r size path; do
	"$STORETOOL" -s "$ST" lookup "$size" >/dev/null && absent=1
done <<<"$targets"
is "$absent" 0 "none of the five files is in the store before the crawl"

# the crawl, and a sender that keeps the matcher looking up while it runs
FLOWGRAB_STORE_MAPSIZE=1m "$CRAWLER" -v -s "$ST" --seeds "$T/grow.seeds" --json \
	>"$T/crawl.json" 2>"$T/crawl.err" &
cp=$!
at_exit "kill $cp 2>/dev/null; wait $cp 2>/dev/null"
python3 - "$FLOWS" "$port" "$W/sizes.txt" "$T/stop-sender" <<'PY' &
import os, random, runpy, socket, sys, time
f = runpy.run_path(sys.argv[1], run_name="flows")
port, stop = int(sys.argv[2]), sys.argv[4]
sizes = [int(l.split()[2]) for l in open(sys.argv[3])]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rnd, cport = random.Random(14), 50000
while not os.path.exists(stop):
    now = int(time.time() * 1000)
    cport = 50000 + (cport + 1 - 50000) % 15000
    s.sendto(f["v5"](f["download"](rnd.choice(sizes), cport, now - 3000,
                                   server="10.9.1.%d" % rnd.randrange(1, 255), client="10.9.2.%d" % rnd.randrange(1, 255)), now),
             ("127.0.0.1", port))
    time.sleep(0.02)
PY
fp=$!
at_exit "kill $fp 2>/dev/null"

t0=$(date +%s)
during=0 n_named=0
while read -r size path; do
	found=0
	for ((i = 0; i < 3000; i++)); do	# 5 minutes at most
		"$STORETOOL" -s "$ST" lookup "$size" >/dev/null 2>&1 && { found=1; break; }
		sleep 0.1
	done
	running=0; kill -0 $cp 2>/dev/null && running=1
	send "$size"
	if [ $found = 1 ] && named "$B/debian/$path"; then
		n_named=$((n_named + 1))
		[ $running = 1 ] && during=$((during + 1))
		diag "named $path ($size bytes) at $(($(date +%s) - t0)) s, the crawler $([ $running = 1 ] && echo still writing || echo done)"
	else
		diag "not named: $path ($size bytes; in the store: $found); the matcher said of client port $cport:"
		grep -F "$cport" "$T/m.json" | head -3 | sed 's/^/#   /'
	fi
done <<<"$targets"
wait $cp
is $? 0 "the crawler adds $N downloads and exits 0"
diag "crawl: $(($(date +%s) - t0)) s; $(grep -c 'store map grown' "$T/crawl.err") map growths"
touch "$T/stop-sender"
wait $fp
is $? 0 "the second sender ran to the end"
is "$n_named" 5 "each of the five files added after the matcher started is named, without a restart"
ok $((during >= 1 ? 0 : 1)) "  ... $during of them while the crawler was still writing"
like "$(grep -c 'store map grown' "$T/crawl.err")" '^[1-9]' "the store's map grew while the matcher read it"
is "$("$STORETOOL" -s "$ST" stats --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["downloads"])')" \
	$((N + 10)) "the store holds all $((N + 10)) downloads"

kill -0 $mp 2>/dev/null; ok $? "the matcher is still running"
kill -TERM $mp; wait $mp
is $? 0 "  ... and exits 0 on SIGTERM"
# its statistics lines: every --stats-interval, and the summary at exit
grep -vE '^flowgrab-matcher: (stats: |decoded [0-9]+ )' "$T/m.err" >"$T/m.other"
check "no error from the matcher (stderr holds only its statistics lines)" -- test ! -s "$T/m.other"
sed 's/^/# matcher: /' "$T/m.other" | head -5
gens=$(grep -o 'store generation [0-9]*' "$T/m.err" | awk '{ print $3 }' | sort -un | wc -l)
ok $((gens >= 2 ? 0 : 1)) "the matcher's statistics show it reading $gens store generations"
lookups=$(grep ': stats: ' "$T/m.err" | tail -1 | grep -o 'lookups [0-9]*' | awk '{ print $2 }')
diag "matcher: $(grep ': stats: ' "$T/m.err" | tail -1)"
ok $((${lookups:-0} > 100 ? 0 : 1)) "  ... and looking up throughout (${lookups:-0} lookups)"
check "store check passes, counters included" -- "$STORETOOL" -s "$ST" check
done_testing
