#!/usr/bin/env python3
# tests/demo/retime.py - move a capture's packets in time so that it ends a
# second ago, as if its downloads had just happened.
#
#   retime.py IN.pcap[.gz] OUT.pcap
#
# The demo replays a capture recorded once, long before; its crawl is
# made now.  Replayed with its own dates, every download would look older
# than the crawl that found its file, which the matcher rightly counts
# against a match (a file first seen a day or more after a download may
# have been another file then).  Shifting the whole capture keeps every
# interval between packets; only the dates change.  Writes a classic pcap
# in the input's byte order and time resolution.
import gzip
import struct
import sys
import time


def main():
	if len(sys.argv) != 3:
		sys.exit("usage: retime.py IN.pcap[.gz] OUT.pcap")
	src, dst = sys.argv[1:]
	op = gzip.open if src.endswith(".gz") else open
	with op(src, "rb") as f:
		d = bytearray(f.read())
	if len(d) < 24:
		sys.exit(f"{src}: too short for a pcap file")
	for en in "<>":
		magic = struct.unpack_from(en + "I", d)[0]
		if magic in (0xa1b2c3d4, 0xa1b23c4d):
			break
	else:
		sys.exit(f"{src}: not a pcap file")
	offs, off = [], 24
	while off + 16 <= len(d):
		offs.append(off)
		off += 16 + struct.unpack_from(en + "I", d, off + 8)[0]
	if off != len(d):
		sys.exit(f"{src}: truncated packet at byte {offs[-1] if offs else 24}")
	if not offs:
		sys.exit(f"{src}: no packets")
	last = max(struct.unpack_from(en + "I", d, o)[0] for o in offs)
	shift = int(time.time()) - 1 - last
	for o in offs:
		ts = struct.unpack_from(en + "I", d, o)[0]
		struct.pack_into(en + "I", d, o, ts + shift)
	with open(dst, "wb") as f:
		f.write(d)


if __name__ == "__main__":
	main()
