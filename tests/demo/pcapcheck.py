#!/usr/bin/env python3
# tests/demo/pcapcheck.py - check a recorded capture against its manifest,
# independently of flowgrab: every transfer the manifest lists must be in
# the capture whole, so that the demo's ground truth is true.
#
#   pcapcheck.py CAPTURE.pcap[.gz] MANIFEST
#
# For each TCP connection it takes the bytes the server sent as the span of
# sequence numbers (retransmissions not counted twice), and the bytes on
# the wire from the IP header (a small snaplen truncates the packets, not
# their length), and counts the bytes sent again (retransmissions).  Each manifest line must find its own connection whose
# response is the file plus an HTTP header (40..1500 bytes); a line made of
# two range requests, two connections.  Prints one line per transfer and
# exits 1 if any is missing.
import gzip
import struct
import sys


def read_pcap(path):
	op = gzip.open if path.endswith(".gz") else open
	with op(path, "rb") as f:
		data = f.read()
	magic = struct.unpack("<I", data[:4])[0]
	if magic in (0xa1b2c3d4, 0xa1b23c4d):
		en = "<"
	elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
		en = ">"
	else:
		sys.exit(f"{path}: not a pcap file")
	linktype = struct.unpack(en + "I", data[20:24])[0]
	if linktype != 1:
		sys.exit(f"{path}: link type {linktype}, want Ethernet (1)")
	off = 24
	while off + 16 <= len(data):
		_, _, caplen, _ = struct.unpack(en + "IIII", data[off:off + 16])
		yield data[off + 16:off + 16 + caplen]
		off += 16 + caplen


def connections(path):
	conns = {}	# (client, cport, server, sport) -> dict
	for pkt in read_pcap(path):
		if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
			continue
		ip = pkt[14:]
		ihl = (ip[0] & 15) * 4
		tot = struct.unpack(">H", ip[2:4])[0]
		if ip[9] != 6 or len(ip) < ihl + 20:
			continue
		src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
		tcp = ip[ihl:]
		sp, dp, seq = struct.unpack(">HHI", tcp[:8])
		doff = (tcp[12] >> 4) * 4
		flags = tcp[13]
		plen = tot - ihl - doff
		if sp in (80, 443):
			key, fromsrv = (dst, dp, src, sp), True
		else:
			key, fromsrv = (src, sp, dst, dp), False
		c = conns.setdefault(key, {"isn": None, "end": 0, "wire": 0,
		    "retx": 0})
		if not fromsrv:
			continue
		c["wire"] += tot
		if flags & 0x02:	# SYN-ACK
			c["isn"] = seq
			continue
		if c["isn"] is not None and plen > 0:
			off = (seq - c["isn"] - 1) % 2**32
			if off < c["end"]:	# sent before: a retransmission
				c["retx"] += min(plen, c["end"] - off)
			c["end"] = max(c["end"], off + plen)
	return conns


def main():
	if len(sys.argv) != 3:
		sys.exit("usage: pcapcheck.py CAPTURE MANIFEST")
	conns = connections(sys.argv[1])
	free = {k: v["end"] for k, v in conns.items()}
	retx = {k: v["retx"] for k, v in conns.items()}
	bad = 0
	for line in open(sys.argv[2]):
		if line.startswith("#") or not line.strip():
			continue
		kind, client, server, vendor, path, size = line.split()[:6]
		size = int(size)
		mine = [k for k in free if k[0] == client and k[2] == server]
		found = None
		if "range requests" in line:
			for i, a in enumerate(mine):
				for b in mine[i + 1:]:
					if 80 <= free[a] + free[b] - size <= 3000:
						found = [a, b]
		else:
			for k in mine:
				if 40 <= free[k] - size <= 1500:
					found = [k]
					break
		if found:
			r = sum(retx[k] for k in found)
			print(f"ok   {kind} {client} {vendor} {path}: {size} bytes, "
			    f"response {sum(free[k] for k in found)} in "
			    f"{len(found)} connection(s)" +
			    (f", {r} bytes sent again" if r else ""))
			for k in found:
				del free[k]
		else:
			print(f"MISSING {kind} {client} {vendor} {path}: {size} bytes")
			bad += 1
	for k, v in sorted(free.items()):
		print(f"note: connection {k[0]}:{k[1]} -> {k[2]}:{k[3]} "
		    f"({v} bytes) not in the manifest")
	sys.exit(1 if bad else 0)


if __name__ == "__main__":
	main()
