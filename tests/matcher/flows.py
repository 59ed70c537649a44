# tests/matcher/flows.py - flow records of HTTP downloads, written from
# first principles (tests/matcher/cli.sh's top comment): a download of N
# bytes over HTTP with TCP timestamps is N + 260 bytes of payload in
# 1448-byte segments, 52 header bytes per packet, and a SYN-ACK with 8 more.
#
#   flows.py csv [bad]                 nfdump CSV of four downloads
#   flows.py v5 PORT SIZE CPORT        a NetFlow v5 datagram of one
#                                      download of SIZE bytes, client port
#                                      CPORT, sent to 127.0.0.1:PORT
# Used by tests/matcher/cli.sh and tests/store/grow.sh.
import socket, struct, sys, time

HEADER = "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb"

def download(size, cport, t0, server="10.9.0.1", client="10.9.0.2", hdr=260):
    payload = size + hdr
    segs = (payload + 1447) // 1448
    dpk = segs + 2
    dbytes = payload + dpk * 52 + 8
    rpk = segs // 2 + 4
    rbytes = rpk * 52 + 8 + 80
    return [(server, client, 80, cport, dbytes, dpk, t0, t0 + 1500, 0x1b),
            (client, server, cport, 80, rbytes, rpk, t0, t0 + 1500, 0x1b)]

def csv_line(r):
    sa, da, sp, dp, b, p, t0, t1, fl = r
    ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 / 1000))
    te = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t1 / 1000))
    flg = "...AP.SF"
    return "%s,%s,%.3f,%s,%s,%d,%d,TCP,%s,0,0,%d,%d,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0" % (
        ts, te, (t1 - t0) / 1000, sa, da, sp, dp, flg, p, b)

def v5(records, now_ms):
    uptime = 100000
    hdr = struct.pack("!HHIIIIBBH", 5, len(records), uptime, now_ms // 1000,
                      (now_ms % 1000) * 1000000, 1, 0, 0, 0)
    out = b""
    for sa, da, sp, dp, b, p, t0, t1, fl in records:
        first = uptime - (now_ms - t0)
        last = uptime - (now_ms - t1)
        out += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
            socket.inet_aton(sa), socket.inet_aton(da), b"\0\0\0\0", 0, 0,
            p, b, first, last, sp, dp, 0, fl, 6, 0, 0, 0, 0, 0, 0)
    return hdr + out

now = int(time.time() * 1000)
cmd = sys.argv[1] if __name__ == "__main__" else None	# run_path: helpers only
if cmd == "csv":
    print(HEADER)
    t0 = now - 60000
    for r in download(3000000, 40001, t0) + download(3000300, 40002, t0 + 5000) \
            + download(5555555, 40003, t0 + 9000) + download(20000, 40004, t0 + 12000):
        print(csv_line(r))
    if len(sys.argv) > 2:
        print("2026-01-01 00:00:00,this,is,not,a,flow")
elif cmd == "v5":
    port, size, cport = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(v5(download(size, cport, now - 3000), now), ("127.0.0.1", port))
