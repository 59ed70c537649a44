#!/usr/bin/env python3
# tests/demo/mksite.py - the demo vendor site: four made-up vendors whose
# download pages and directories hold ~300 files, generated the same way on
# every run so that the shipped capture (tests/demo/capture.pcap.gz) names
# files of exactly these sizes.
#
#   mksite.py ROOT        write the tree under ROOT (sparse files: sizes up to
#                         a few GB cost no disk)
#   mksite.py --list      print "vendor path size" for every file, no writing
#
# Sizes come from SHA-256 of the file's path, not from Python's random
# module, so they do not depend on the Python version.  Every file gets the
# same fixed modification time (before any capture was recorded): nginx
# sends it as Last-Modified and the matcher distrusts a file that changed
# after the download it is matched with.
#
# Each vendor is its own host (run.sh serves vendor N on 127.0.0.N+1,
# record-capture.sh on 10.77.5.N+1); see tests/demo/site.sh.
import hashlib
import os
import sys

MTIME = 1767225600	# 2026-01-01T00:00:00Z
KB, MB, GB = 1000, 1000 * 1000, 1000 * 1000 * 1000

# vendor name -> (host index, document root) ; the order is the host order
VENDORS = ["acme", "globex", "initech", "umbrella"]


def size_in(path, lo, hi):
	"""A size in [lo, hi) fixed by the path."""
	h = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big")
	return lo + h % (hi - lo)


def acme(out):
	# /releases/PRODUCT/VERSION/...: an autoindex tree, five files per
	# release plus checksums and notes (small, never stored).  The MSI of
	# the agent is its EXE plus 624 bytes: near-duplicate sizes.
	ranges = {
		"agent": (2 * MB, 6 * MB), "studio": (300 * MB, 900 * MB),
		"viewer": (40 * MB, 95 * MB), "sdk": (100 * MB, 220 * MB),
	}
	for prod, (lo, hi) in ranges.items():
		for ver in ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0"]:
			d = f"releases/{prod}/{ver}/"
			exe = size_in(d + "exe", lo, hi)
			files = {
				f"{prod}-{ver}-x64.exe": exe,
				f"{prod}-{ver}-x64.msi": exe + 624 if prod == "agent"
				else size_in(d + "msi", lo, hi),
				f"{prod}-{ver}-arm64.exe": size_in(d + "arm", lo, hi),
				f"{prod}-{ver}.dmg": size_in(d + "dmg", lo, hi),
				f"{prod}-{ver}.tar.gz": size_in(d + "tgz", lo, hi),
				"SHA256SUMS": 5 * 97,
				"RELEASE-NOTES.txt": size_in(d + "notes", 2 * KB, 9 * KB),
			}
			for name, size in files.items():
				out(d + name, size)


def globex(out):
	# /pub/: flat product directories; drivers are many small .bin files,
	# some below the 1 MiB threshold; /pub/private/ is disallowed by
	# robots.txt, so what lies there is never in the store.
	for i in range(1, 41):
		p = f"pub/drivers/drv-{i:03d}.bin"
		out(p, size_in(p, 150 * KB, 3500 * KB))
	for ver in ["3.0", "3.1", "3.2", "4.0", "4.1", "5.0"]:
		p = f"pub/tool/tool-{ver}.bin"
		out(p, size_in(p, 2 * MB, 5 * MB))
		p = f"pub/tool/tool-{ver}-src.tar.gz"
		out(p, size_in(p, 700 * KB, 1500 * KB))
	for ver in ["2024.1", "2024.2", "2025.1", "2025.2"]:
		for ed in ["std", "pro", "server"]:
			p = f"pub/suite/suite-{ver}-{ed}.iso"
			out(p, size_in(p, 1 * GB, 4 * GB))
	for name, lo, hi in [("tool-6.0-beta.bin", 3 * MB, 4 * MB),
	    ("internal-notes.bin", 1 * MB, 2 * MB)]:
		p = "pub/private/" + name
		out(p, size_in(p, lo, hi))


def initech(out):
	# /files/YEAR/MONTH/: a firmware archive by date
	n = 0
	for year in [2024, 2025]:
		for month in range(1, 13):
			for model in ["r100", "r200", "x9"]:
				n += 1
				if n % 3 == 0:
					continue
				d = f"files/{year}/{month:02d}/"
				p = d + f"fw-{model}-{year % 100}.{month}.img"
				lo, hi = (3 * MB, 6 * MB) if model != "x9" \
				    else (18 * MB, 60 * MB)
				out(p, size_in(p, lo, hi))


def umbrella(out):
	# a download page (/download/index.html) and an archive page linking
	# to /get/, which has no directory listing: only the pages lead there
	cur, old = [], []
	for k in range(5001, 5041):
		p = f"get/kb{k}-x64.bin"
		s = size_in(p, 1200 * KB, 9 * MB)
		out(p, s)
		(cur if k > 5030 else old).append((p, s))
	for ver in ["10", "11", "12"]:
		p = f"get/umbrella-client-{ver}-setup.bin"
		s = size_in(p, 60 * MB, 140 * MB)
		out(p, s)
		cur.append((p, s))
	out("download/index.html", None, page("Umbrella downloads", cur,
	    '<p><a href="archive.html">older updates</a></p>'))
	out("download/archive.html", None, page("Umbrella update archive",
	    old, '<p><a href="index.html">current downloads</a></p>'))


def page(title, items, extra):
	rows = "\n".join(
	    f'<tr><td><a href="/{p}">{os.path.basename(p)}</a></td>'
	    f"<td>{s / MB:.1f} MB</td></tr>" for p, s in items)
	return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>"
	    f"<body><h1>{title}</h1>\n<table>\n{rows}\n</table>\n{extra}\n"
	    "</body></html>\n").encode()


GENERATORS = {"acme": acme, "globex": globex, "initech": initech,
    "umbrella": umbrella}
EXTRA = {"globex": {"robots.txt": b"User-agent: *\nDisallow: /pub/private/\n"}}


def main():
	args = sys.argv[1:]
	if args != ["--list"] and len(args) != 1:
		sys.exit("usage: mksite.py ROOT | --list")
	listing = args == ["--list"]
	root = None if listing else args[0]

	for vendor in VENDORS:
		def out(path, size, data=None, vendor=vendor):
			if listing:
				if size is not None:
					print(vendor, "/" + path, size)
				return
			full = os.path.join(root, vendor, path)
			os.makedirs(os.path.dirname(full), exist_ok=True)
			with open(full, "wb") as f:
				if data is not None:
					f.write(data)
				else:
					f.truncate(size)
			os.utime(full, (MTIME, MTIME))
		GENERATORS[vendor](out)
		for name, data in EXTRA.get(vendor, {}).items():
			out(name, None, data)


if __name__ == "__main__":
	main()
