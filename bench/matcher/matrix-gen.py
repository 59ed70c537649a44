#!/usr/bin/python3
"""bench/matcher/matrix-gen.py OUTDIR SEED STORE_SIZES CAP N_STORED UNKNOWN_RATIO N_KEEPALIVE RUN...

The store, the files and the transfer plan of the matrix (bench/matcher/
matrix.sh, tests/matcher/matrix-e2e.sh).  Writes into OUTDIR:

  store.csv  for flowgrab-store import: url,size,vendor,source,addrs.
             STORE_SIZES distinct sizes in rows shaped like real archives: products of
             vendors, each with versions, platforms and locales; the
             locales of one build differ by a few hundred bytes (runs of
             near sizes), the versions by a few per cent.  Every row
             carries its vendor's 4 server addresses (198.18.0.0/15, as
             the crawler records the addresses that served a file).
             Then the testbed's stored files, under http:// and https://
             URLs of dl.testbed.example with the testbed servers' 8
             addresses, each with 4-20 never-downloaded "locales" of its
             own 100-900 bytes apart.
  files      NAME SIZE: every file the servers must hold (stored ones
             s*/k*, unknown ones u*: sizes the store does not have)
  plan       RUN KIND URL...: per run the connections to make; KIND
             stored (one stored file), unknown (one file not in the
             store: most from the other server .9, a third from the
             run's own server), keepalive (three stored files on one
             connection)
  sizes      every stored size, sorted (for the evaluator's oracle)

Sizes of downloaded files are log-uniform from 1 MB to CAP bytes.
RUN is TOPO:SERVER:PROTO:CLIENT:TCP:CONC:PACE (see matrix.sh).
"""
import math, os, random, sys

out, seed, n_sizes, cap, n_stored, ratio, n_ka = sys.argv[1:8]
runs = sys.argv[8:]
seed, n_sizes, cap = int(seed), int(n_sizes), int(cap)
n_stored, ratio, n_ka = int(n_stored), float(ratio), int(n_ka)
r = random.Random(seed)

def logu(lo, hi):
    return int(math.exp(r.uniform(math.log(lo), math.log(hi))))

HOST = {"nginx": 1, "apache": 3, "lighttpd": 4}
TB_ADDRS = " ".join("10.7%d.0.%d" % (p, x) for p in (7, 8) for x in (1, 3, 4, 5))

# ---- testbed files ---------------------------------------------------------
files, plan, stored_tb = [], [], []
used = set()
def newsize():
    while True:
        s = logu(1000000, cap)
        if s not in used:
            used.add(s)
            return s
for ri, spec in enumerate(runs):
    topo, server, proto, client, tcp, conc, pace = spec.split(":")
    net = "10.77.0" if topo == "direct" else "10.78.0"
    x = 5 if proto == "h2" else HOST[server]
    scheme = "http" if proto == "http" else "https"
    conns = []
    for i in range(n_stored):
        name = "s%02d-%03d.bin" % (ri, i)
        s = newsize()
        files.append((name, s))
        stored_tb.append((name, s))
        conns.append(("stored", ["%s://%s.%d/%s" % (scheme, net, x, name)]))
    for i in range(n_ka):
        urls = []
        for j in range(3):
            name = "k%02d-%03d-%d.bin" % (ri, i, j)
            s = newsize()
            files.append((name, s))
            stored_tb.append((name, s))
            urls.append("%s://%s.%d/%s" % (scheme, net, x, name))
        conns.append(("keepalive", urls))
    for i in range(int(round(n_stored * ratio))):
        name = "u%02d-%03d.bin" % (ri, i)
        files.append((name, None))     # size drawn below, off the store
        xx = x if r.random() < 1 / 3 else 9
        conns.append(("unknown", ["%s://%s.%d/%s" % (scheme, net, xx, name)]))
    r.shuffle(conns)
    for kind, urls in conns:
        plan.append("%d %s %s" % (ri, kind, " ".join(urls)))

# ---- the archive-shaped store ---------------------------------------------------
rows = []
sizes = set()
PLAT = ["win64", "win32", "mac", "linux-x86_64", "linux-aarch64", "android"]
EXT = ["exe", "msi", "dmg", "tar.xz", "zip", "apk"]
nvendor = 200
total = n_sizes
while len(sizes) < total:
    v = r.randrange(nvendor)
    addrs = " ".join("198.18.%d.%d" % ((v * 4 + j) // 256, (v * 4 + j) % 256)
                     for j in range(4))
    prod = "p%d" % r.randrange(10 ** 6)
    base = logu(100000, 4000000000)
    nver = r.choice((1, 1, 2, 3, 5, 8, 12, 20))
    nplat = r.choice((1, 1, 2, 3, 4, 6))
    # most builds one file, some a run of locales (Mozilla: ~100)
    nloc = r.choice((1, 1, 1, 2, 3, 5, 10, 30, 60, 100))
    for ver in range(nver):
        vsize = base * (1 + r.gauss(0.02, 0.03)) ** ver
        for p in range(nplat):
            psize = int(vsize * r.uniform(0.8, 1.3))
            loc = psize
            for l in range(nloc):
                if len(sizes) >= total:
                    break
                s = max(1, loc)
                rows.append(("https://dl.v%d.example/%s/%d/%s/l%d/%s.%s" % (
                    v, prod, ver, PLAT[p], l, prod, EXT[p]), s, "v%d" % v, addrs))
                sizes.add(s)
                loc += r.choice((-1, 1)) * r.randint(100, 900)
for name, s in stored_tb:
    for scheme in ("http", "https"):
        rows.append(("%s://dl.testbed.example/%s" % (scheme, name), s,
                     "testbed", TB_ADDRS))
    sizes.add(s)
    loc = s
    for l in range(r.randint(4, 20)):
        loc += r.choice((-1, 1)) * r.randint(100, 900)
        if loc in used:
            continue
        sizes.add(loc)
        rows.append(("https://dl.testbed.example/locale/%d/%s" % (l, name),
                     loc, "testbed", TB_ADDRS))
# unknown files: off every stored size (near ones are fine: that is what a
# dense store does to a transfer nobody crawled)
for i, (name, s) in enumerate(files):
    if s is None:
        s = newsize()
        while s in sizes:
            s = newsize()
        files[i] = (name, s)

with open(os.path.join(out, "store.csv"), "w") as f:
    f.write("url,size,vendor,source,addrs\n")
    for u, s, v, a in rows:
        f.write("%s,%d,%s,import,%s\n" % (u, s, v, a))
with open(os.path.join(out, "files"), "w") as f:
    for name, s in files:
        f.write("%s %d\n" % (name, s))
with open(os.path.join(out, "plan"), "w") as f:
    f.write("\n".join(plan) + "\n")
with open(os.path.join(out, "sizes"), "w") as f:
    f.write("\n".join(str(s) for s in sorted(sizes)) + "\n")
print("matrix-gen: %d store rows (%d distinct sizes), %d files, %d connections in %d runs" % (
    len(rows), len(sizes), len(files), len(plan), len(runs)))
