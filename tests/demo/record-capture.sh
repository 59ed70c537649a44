#!/bin/bash
# tests/demo/record-capture.sh - remake the demo's packet capture
# (tests/demo/capture.pcap.gz) and its ground truth (capture.manifest).
# docs/demo.md says what it records and why.
#
# As root.  Two network namespaces joined by a veth pair, with addresses
# that exist only inside them: the "internet" side, where nginx serves the
# demo site (tests/demo/mksite.py) with each vendor on its own address
# (10.77.5.2-5), and the "office" side, three hosts (10.77.5.101-103) that
# download with curl and wget.  Offloads are off on both ends so that every
# packet on the wire is one segment, as a router's flow meter would see it;
# tcpdump records the server end with a 96-byte snaplen (headers only:
# softflowd counts the length on the wire, not what was captured).
#
# Every transfer is checked (HTTP status, bytes received) and written to
# the manifest: "download" lines are the known files fetched whole, which
# the demo must name; "other" lines are the unrelated traffic it must not
# name.  Nothing else leaves the namespaces; everything started here is
# stopped by pid on any exit.
#
#   tests/demo/record-capture.sh [OUTDIR]     (default: tests/demo)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT"
. "$HERE/site.sh"

[ "$(id -u)" = 0 ] || { echo "record-capture: run as root" >&2; exit 1; }
for c in ip tc ethtool nginx curl wget tcpdump python3 gzip; do
	command -v "$c" >/dev/null || { echo "record-capture: $c not installed" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-rec.XXXXXX")
NS_S=fgrec-s$$ NS_C=fgrec-c$$ V_S=fgrs$$ V_C=fgrc$$
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$NS_S" 2>/dev/null || true
	ip netns del "$NS_C" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_s() { ip netns exec "$NS_S" "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }

# ---- the two namespaces --------------------------------------------------
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$V_S" type veth peer name "$V_C"
ip link set "$V_S" netns "$NS_S"
ip link set "$V_C" netns "$NS_C"
for a in 2 3 4 5; do ip -n "$NS_S" addr add "10.77.5.$a/24" dev "$V_S"; done
for a in 101 102 103; do ip -n "$NS_C" addr add "10.77.5.$a/24" dev "$V_C"; done
ip -n "$NS_S" link set "$V_S" mtu 1500 up
ip -n "$NS_C" link set "$V_C" mtu 1500 up
ip -n "$NS_S" link set lo up
ip -n "$NS_C" link set lo up
in_s ethtool -K "$V_S" tso off gso off gro off tx off rx off >/dev/null 2>&1
in_c ethtool -K "$V_C" tso off gso off gro off tx off rx off >/dev/null 2>&1
# The server's side of the link runs at 400 Mbit/s, as a WAN link would.
# At the veth's full speed, parallel downloads overflow the receiving
# side's backlog; the segments sent again then are counted twice by a flow
# meter, which is not what this demo is about (docs/demo.md).  A packet
# the token bucket holds back is sent once, later; it never reaches the
# wire twice.
in_s tc qdisc add dev "$V_S" root tbf rate 400mbit burst 64k latency 100ms

# ---- the site ---------------------------------------------------------------
python3 "$HERE/mksite.py" "$W/site"
demo_nginx_conf "$W/nginx" "$W/site" 10.77.5 80
# (started with "ip netns exec" directly, which execs the program, so that
# $! is its pid: a function or subshell in between would be what we kill)
ip netns exec "$NS_S" nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" \
    2> "$W/nginx/stderr" &
PIDS+=($!)
for ((i = 0; i < 100; i++)); do
	in_c curl -s -o /dev/null http://10.77.5.2/ && break
	sleep 0.1
done

# ---- the recorder -----------------------------------------------------------
ip netns exec "$NS_S" tcpdump -i "$V_S" -s 96 -B 65536 --immediate-mode -n \
    -w "$W/capture.pcap" ip 2> "$W/tcpdump.err" &
TCPDUMP=$!
PIDS+=($TCPDUMP)
for ((i = 0; i < 100; i++)); do
	grep -q "listening on" "$W/tcpdump.err" && break
	sleep 0.1
done
sleep 0.3

# ---- the traffic ------------------------------------------------------------
# size of a generated file, from the generator's listing
python3 "$HERE/mksite.py" --list > "$W/list"
fsize() { awk -v v="$1" -v p="$2" '$1 == v && $2 == p { print $3 }' "$W/list"; }
host() { demo_host "$1" 10.77.5 80; }

: > "$W/manifest"
# fetch KIND CLIENT VENDOR PATH [curl args]: one transfer from CLIENT; the
# status and byte count are checked and the transfer goes in the manifest
fetch() {
	local kind=$1 cl=$2 v=$3 p=$4 want got; shift 4
	got=$(in_c curl -s --interface "$cl" -o /dev/null \
	    -w '%{http_code} %{size_download}' "$@" "http://$(host "$v")$p")
	want=$(fsize "$v" "$p")
	case "$kind:$got" in
	download:"200 $want"|other:200\ *|other:206\ *|other:404\ *) ;;
	*) echo "record-capture: $cl $v $p: got '$got', want 200 $want" >&2
	   return 1 ;;
	esac
	echo "$kind $cl $(host "$v") $v $p ${got#* } curl${*:+ $*}" >> "$W/manifest"
}
A=10.77.5.101 B=10.77.5.102 C=10.77.5.103

# one at a time, near-duplicate sizes included (the agent's EXE and MSI
# differ by 624 bytes; both are in the store)
fetch download $A acme /releases/agent/2.1.0/agent-2.1.0-x64.exe
fetch download $B acme /releases/agent/2.1.0/agent-2.1.0-x64.msi
fetch other    $C globex /pub/
fetch download $C globex /pub/tool/tool-3.1.bin
fetch download $A initech /files/2025/04/fw-r100-25.4.img
fetch other    $B umbrella /download/
fetch download $B umbrella /get/kb5033-x64.bin
# with wget: another client, another request header
p=/pub/drivers/drv-007.bin
in_c wget -q --bind-address=$B -O "$W/wget.out" "http://$(host globex)$p"
got=$(stat -c %s "$W/wget.out")
[ "$got" = "$(fsize globex $p)" ] || { echo "record-capture: wget $p: $got bytes" >&2; exit 1; }
echo "download $B $(host globex) globex $p $got wget" >> "$W/manifest"
rm -f "$W/wget.out"

# four downloads at once, while unrelated traffic runs: a file that is not
# in the store (robots.txt keeps the crawler out of /pub/private/), a file
# below the 1 MiB threshold, directory listings, checksums, a missing
# page.
pids=()
fetch download $C acme /releases/agent/1.2.0/agent-1.2.0-arm64.exe & pids+=($!)
fetch download $A umbrella /get/kb5012-x64.bin & pids+=($!)
fetch download $A initech /files/2024/08/fw-r200-24.8.img & pids+=($!)
fetch download $B globex /pub/tool/tool-4.0.bin & pids+=($!)
fetch other $B globex /pub/private/tool-6.0-beta.bin & pids+=($!)
fetch other $C globex /pub/drivers/drv-002.bin & pids+=($!)
for p in /releases/ /releases/agent/ /releases/agent/1.2.0/ \
    /releases/agent/1.2.0/SHA256SUMS /releases/agent/1.2.0/RELEASE-NOTES.txt \
    /releases/agent/9.9.9/; do
	fetch other $C acme "$p" & pids+=($!)
	sleep 0.05
done
for p in "${pids[@]}"; do wait "$p"; done

# a download manager: one file as two parallel range requests (one
# download, two connections), from a host that has just downloaded
# another file from the same server; and a download abandoned after 1.5 MB
RP=/releases/agent/2.0.0/agent-2.0.0.tar.gz
S=$(fsize acme $RP)
H=$((S / 2))
in_c curl -s --interface $C -o /dev/null -r 0-$((H - 1)) \
    "http://$(host acme)$RP" & r1=$!
in_c curl -s --interface $C -o /dev/null -r $H- \
    "http://$(host acme)$RP" & r2=$!
wait $r1 && wait $r2
echo "download $C $(host acme) acme $RP $S curl, two range requests" >> "$W/manifest"
fetch other $A umbrella /get/umbrella-client-11-setup.bin -r 0-1499999
fetch download $B initech /files/2025/10/fw-r100-25.10.img

# (immediate mode and a pause: tcpdump stops without reading what is
# still in its ring buffer)
sleep 1
kill -TERM $TCPDUMP
wait $TCPDUMP || true
cat "$W/tcpdump.err" >&2
grep -q "^0 packets dropped by kernel" "$W/tcpdump.err" ||
    { echo "record-capture: tcpdump dropped packets" >&2; exit 1; }

# ---- results ------------------------------------------------------------------
python3 "$HERE/pcapcheck.py" "$W/capture.pcap" "$W/manifest" > "$W/check" ||
    { cat "$W/check" >&2; echo "record-capture: a transfer is not whole in the capture" >&2; exit 1; }
if grep -q "sent again" "$W/check"; then
	grep "sent again" "$W/check" >&2
	echo "record-capture: warning: segments were sent twice (a busy machine?);" \
	    "the matcher may miss such downloads: re-record on a quiet machine" \
	    "(docs/demo.md)" >&2
fi
gzip -9 -n -c "$W/capture.pcap" > "$OUT/capture.pcap.gz"
{
	echo "# tests/demo/capture.manifest - the transfers in capture.pcap.gz, written by"
	echo "# tests/demo/record-capture.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
	echo "# kind: download = a known file fetched whole, which the demo must name;"
	echo "# other = traffic it must not name.  size: bytes the client received."
	echo "# kind client server vendor path size how"
	sort -k1,1 -k2,2 "$W/manifest"
} > "$OUT/capture.manifest"
echo "record-capture: $(grep -c '^download' "$OUT/capture.manifest") downloads," \
    "$(grep -c '^other' "$OUT/capture.manifest") other transfers," \
    "$(stat -c %s "$OUT/capture.pcap.gz") bytes in $OUT/capture.pcap.gz"
