#!/bin/bash
# bench/matcher/accuracy.sh - precision and recall of flowgrab-matcher on
# the end-to-end testbed (tests/matcher/testbed.sh), beside the naive
# baseline, and the calibration of its confidence.
#
#   sudo bench/matcher/accuracy.sh [BUILDDIR]       (about 3-5 minutes)
#   env: N_FILES (downloaded files, 80), N_UNKNOWN (downloaded files not
#        in the store, 40), STORE_SIZES (10000), SEED (1), KEEP_FLOWS (a
#        directory to keep the nfcapd files, store and truth in, for
#        replaying with flowgrab-matcher --nfcapd), ZIP_SHARE (0: the
#        share of downloaded files named .zip, which nginx serves as
#        application/zip, 9 bytes shorter than application/octet-stream)
#
# The store holds STORE_SIZES distinct sizes, each under an http:// and an
# https:// URL; 40% of the sizes come in near-duplicate pairs 100-500
# bytes apart, and every downloaded file has such a twin that is never
# downloaded.  N_FILES files (150 KB - 6 MB) and N_UNKNOWN files of sizes
# the store does not have (the transfers a real network is full of: any
# report on them is a false positive) are downloaded with curl from
# nginx in six phases: HTTP and HTTPS one at a time (paced at 300 Mbit/s,
# a real path's bottleneck, with a deep queue: no loss), four at once
# through the same bottleneck with a 10 ms queue (http-4b, https-4b: some
# loss, as on a real path), and four at once unpaced (http-4, https-4:
# bursts overflow the veth backlog, and hundreds of segments per download
# are retransmitted).  softflowd -v 10 -A milli exports to the matcher
# (collector mode, --min-confidence 0 --unmatched, so that every
# connection's best candidate and confidence are known).  Ground truth is
# curl's local port for each URL.
#
# Baseline (what an analyst writes in an afternoon): payload = bytes - 52 x
# packets - 250, the nearest stored size within +-1000 bytes, the URL with
# the scheme the port says.
set -u
FG_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
FG_BUILDDIR=$(cd "${1:-$FG_SRCDIR}" && pwd)
export FG_SRCDIR FG_BUILDDIR
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/matcher/testbed.sh"

N_FILES=${N_FILES:-80}
N_UNKNOWN=${N_UNKNOWN:-40}
ZIP_SHARE=${ZIP_SHARE:-0}
STORE_SIZES=${STORE_SIZES:-10000}
SEED=${SEED:-1}

[ "$(id -u)" = 0 ] || { echo "accuracy.sh: needs root (network namespaces)" >&2; exit 1; }
for c in ip ethtool nginx curl softflowd softflowctl nfcapd openssl python3; do
	command -v "$c" >/dev/null || { echo "accuracy.sh: $c missing" >&2; exit 1; }
done
tb_net_up || { echo "accuracy.sh: cannot make namespaces" >&2; exit 1; }

# ---- store and files --------------------------------------------------------
python3 - "$N_FILES" "$STORE_SIZES" "$SEED" "$TB_SERVER" "$T" "$N_UNKNOWN" \
    "$ZIP_SHARE" <<'PY'
import math, random, sys
n_files, n_sizes, seed, server, T = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
n_unknown = int(sys.argv[6])
zip_share = float(sys.argv[7])
r = random.Random(seed)
rz = random.Random(seed + 1000)     # apart, so ZIP_SHARE=0 draws as before
def ext():
    return ".zip" if zip_share > 0 and rz.random() < zip_share else ".bin"
def logu(lo, hi):
    return int(math.exp(r.uniform(math.log(lo), math.log(hi))))
sizes = {}
files = []
for i in range(n_files):
    s = logu(150000, 6000000)
    while s in sizes:
        s += 1
    name = "f%03d" % i + ext()
    sizes[s] = name
    files.append((name, s))
    twin = s + r.choice((-1, 1)) * r.randint(100, 500)
    sizes.setdefault(twin, "twin-" + name)
while len(sizes) < n_sizes:
    s = logu(100000, 20000000)
    if r.random() < 0.4 / 2 * 2 and len(sizes) + 2 <= n_sizes:
        t = s + r.randint(100, 500)
        if s not in sizes and t not in sizes:
            sizes[s] = "pair-%d.bin" % s
            sizes[t] = "pair-%d.bin" % t
        continue
    sizes.setdefault(s, "other-%d.bin" % s)
with open(T + "/store.csv", "w") as f:
    f.write("url,size,vendor,source\n")
    for s, name in sizes.items():
        for scheme in ("http", "https"):
            f.write("%s://%s/%s,%d,bench,import\n" % (scheme, server, name, s))
unknown = []
for i in range(n_unknown):
    # drawn like the others, again on an exact collision (nudging it by a
    # byte instead would put it 1 byte from a stored size on purpose)
    s = logu(150000, 6000000)
    while s in sizes:
        s = logu(150000, 6000000)
    unknown.append(("u%03d" % i + ext(), s))
allf = files + unknown
r.shuffle(allf)
with open(T + "/files", "w") as f:
    for name, s in allf:
        f.write("%s %d\n" % (name, s))
PY
"$FLOWGRAB_STORE" -s "$T/store" -q import "$T/store.csv" || exit 1
while read -r name size; do tb_file "$name" "$size"; done < "$T/files"
tb_nginx_up || { echo "accuracy.sh: nginx did not start" >&2; exit 1; }

# ---- meter and matcher ---------------------------------------------------
tb_bg "$TB_S" "$FLOWGRAB_MATCHER" -s "$T/store" -f json --min-size 100k \
    --min-confidence 0 --unmatched --listen 127.0.0.1:9910 \
    > "$T/m.json" 2> "$T/m.err"
MP=$TB_BG_PID
sleep 0.5
# nfcapd keeps the flows (for replays with --nfcapd) and repeats each
# datagram to the matcher
mkdir -p "$T/nfcap"
tb_bg "$TB_S" nfcapd -w "$T/nfcap" -b 127.0.0.1 -p 9911 -t 3600 \
    -R 127.0.0.1/9910 >/dev/null 2>&1
NP=$TB_BG_PID
sleep 0.5
tb_softflowd 10 9911 -A milli
sleep 1

# ---- downloads ------------------------------------------------------------------
# truth lines: PHASE LOCAL_PORT URL
get() {	# get PHASE URL
	tb_in_client curl -sk -o /dev/null -w "$1 %{local_port} %{url_effective}\n" "$2" >> "$T/truth"
}
: > "$T/truth"
mapfile -t NAMES < <(cut -d' ' -f1 "$T/files")
H=http://$TB_SERVER S=https://$TB_SERVER
t0=$(date +%s)
tb_slow 300mbit
for f in "${NAMES[@]}"; do get http-1 "$H/$f"; done
for f in "${NAMES[@]}"; do get https-1 "$S/$f"; done
tb_fast
four() {	# four PHASE BASE: the files four at a time
	local i f pids
	for ((i = 0; i < ${#NAMES[@]}; i += 4)); do
		pids=()
		for f in "${NAMES[@]:i:4}"; do get "$1" "$2/$f" & pids+=($!); done
		wait "${pids[@]}"
	done
}
# four at once through a bottleneck with a short queue (300 Mbit/s, 10 ms:
# some loss, as on a real path), then unpaced (bursts overflow the veth
# backlog: heavy loss)
tb_slow 300mbit 10ms
four http-4b "$H"
four https-4b "$S"
tb_fast
four http-4 "$H"
four https-4 "$S"
t1=$(date +%s)
tb_flush_meter
tb_expire_all
sleep 4
tb_stop "$MP"
tb_stop "$NP"
if [ -n "${KEEP_FLOWS:-}" ]; then
	rm -rf "$KEEP_FLOWS" && mkdir -p "$KEEP_FLOWS" &&
	    cp -r "$T/nfcap" "$T/store" "$T/store.csv" "$T/truth" "$T/m.json" \
	    "$KEEP_FLOWS/"
fi

# ---- evaluation ---------------------------------------------------------------
python3 "$FG_SRCDIR/bench/matcher/accuracy-eval.py" "$T/truth" "$T/m.json" \
    "$T/store.csv"
echo "matcher: $(tail -1 "$T/m.err")"
echo "elapsed downloads: $((t1 - t0)) s"
