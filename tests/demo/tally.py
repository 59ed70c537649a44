#!/usr/bin/env python3
# tests/demo/tally.py - the demo's last line: how many of the downloads in
# the capture the matcher named, and how many of its detections are false,
# from the matcher's JSON Lines output and the capture's manifest (ground
# truth written by record-capture.sh).
#
#   tally.py MANIFEST DETECTIONS.json
#
# A detection is right when its client, its server and its file (the
# vendor and URL path of the store's URL, whatever host and port the demo
# site had during the crawl) are those of a "download" line not yet
# claimed; every other detection is false: an "other" transfer named,
# a wrong file, a second detection of one download.  Prints one line, and
# the misses and false detections above it; exits 0 only if every
# download was identified and nothing false was reported.
import json
import sys
from urllib.parse import urlsplit


def main():
	if len(sys.argv) != 3:
		sys.exit("usage: tally.py MANIFEST DETECTIONS.json")
	want = []
	for line in open(sys.argv[1]):
		if line.startswith("#") or not line.strip():
			continue
		kind, client, server, vendor, path, size = line.split()[:6]
		if kind == "download":
			want.append({"key": (client, server, vendor, path),
			    "size": int(size), "found": False})
	false = []
	with open(sys.argv[2]) as f:
		for n, line in enumerate(f, 1):
			try:
				d = json.loads(line)
			except ValueError:
				sys.exit(f"{sys.argv[2]}:{n}: not JSON")
			if d.get("summary") or d.get("url") is None:
				continue
			key = (d["client"], d["server"], d["vendor"],
			    urlsplit(d["url"]).path)
			for w in want:
				if w["key"] == key and not w["found"]:
					w["found"] = True
					break
			else:
				false.append(d)
	for w in want:
		if not w["found"]:
			c, s, v, p = w["key"]
			print(f"demo: missed {v} {p} ({w['size']} bytes) "
			    f"downloaded by {c} from {s}")
	for d in false:
		print(f"demo: false detection: {d['client']} from {d['server']}: "
		    f"{d['url']} (confidence {d['confidence']})")
	found = sum(w["found"] for w in want)
	print(f"demo: identified {found} of {len(want)} downloads in the capture, "
	    f"{len(false)} false detection{'' if len(false) == 1 else 's'}")
	sys.exit(0 if found == len(want) and not false else 1)


if __name__ == "__main__":
	main()
