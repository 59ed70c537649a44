#!/usr/bin/env python3
# pcapsum.py - what a flow meter should report for a pcap: per direction
# (src sport dst dport proto) the sum of IP lengths and the packet count,
# with the first and last packet times in Unix ms.  Reads the classic pcap
# format tcpdump -w writes (Ethernet, Linux cooked or raw IP links).
import socket
import struct
import sys

def main(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", data[:4])[0]
    nano = magic == 0xa1b23c4d
    link = struct.unpack(e + "I", data[20:24])[0]
    off = {1: 14, 113: 16, 101: 0, 12: 0}.get(link)
    if off is None:
        sys.exit("pcapsum: link type %d not supported" % link)
    pos, flows = 24, {}
    while pos + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ms = sec * 1000 + (frac // 1000000 if nano else frac // 1000)
        ip = pkt[off:]
        if len(ip) < 20:
            continue
        ver = ip[0] >> 4
        if ver == 4:
            ihl = (ip[0] & 15) * 4
            length = struct.unpack(">H", ip[2:4])[0]
            proto = ip[9]
            src = socket.inet_ntop(socket.AF_INET, ip[12:16])
            dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
            l4 = ip[ihl:]
        elif ver == 6 and len(ip) >= 40:
            length = struct.unpack(">H", ip[4:6])[0] + 40
            proto = ip[6]
            src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
            l4 = ip[40:]
        else:
            continue
        sp = dp = 0
        if proto in (6, 17) and len(l4) >= 4:
            sp, dp = struct.unpack(">HH", l4[:4])
        k = (src, sp, dst, dp, proto)
        f = flows.setdefault(k, [0, 0, ms, ms])
        f[0] += length
        f[1] += 1
        f[3] = ms
    for k in sorted(flows):
        f = flows[k]
        print("%s %d %s %d %d %d %d %d %d" % (k + tuple(f)))

main(sys.argv[1])
