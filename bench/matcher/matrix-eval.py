#!/usr/bin/python3
"""bench/matcher/matrix-eval.py DIR [--json-prefix m|nfm] [--brief]

Scores flowgrab-matcher's output cell by cell against the ground truth
bench/matcher/matrix.sh (and tests/matcher/matrix-e2e.sh) leave in DIR,
and computes each cell's ceiling: what an oracle that knows the true file
and its server's header can name from the same flow records (definition:
docs/matching.md section 8).

DIR holds (formats in docs/matching.md section 8):
  cells            RUN T0 T1 TOPO:SERVER:PROTO:CLIENT:TCP:CONC:PACE
  logs/NAME.log    one line per request the server answered:
                   END CLIENT CPORT SERVER SPORT STATUS BYTES_SENT BODY URI PROTOCOL
  files            NAME SIZE (s*, k*: in the store; u*, pad.bin: not)
  sizes            every stored size, one a line
  rec-METER.csv    the meter's records (nfdump -o csv)
  m-METER.json     the collector's output (--unmatched --min-confidence 0)
  nfm-METER.json   the same records read back with --nfcapd
With --brief only the per-cell table of the collector is printed.
Exit status 0; the numbers are the result.
"""
import bisect, calendar, collections, json, os, sys, time

D = sys.argv[1]
prefixes = ["m", "nfm"]
brief = "--brief" in sys.argv
METERS = {"server": "direct", "client": "direct", "router-c": "router", "router-s": "router"}
CLIENT = {"direct": "10.77.0.2", "router": "10.78.1.2"}
SERVER_OF = {1: "nginx", 3: "apache", 4: "lighttpd", 5: "nginx", 9: "other"}

cells = []
for line in open(os.path.join(D, "cells")):
    ri, t0, t1, spec = line.split()
    topo, server, proto, client, tcp, conc, pace = spec.split(":")
    cells.append(dict(run=int(ri), t0=float(t0), t1=float(t1), spec=spec, topo=topo,
                      server=server, proto=proto, client=client, tcp=tcp,
                      conc=int(conc), pace=pace, ts=tcp in ("ts", "nosack")))
fsize = {}
for line in open(os.path.join(D, "files")):
    n, s = line.split()
    fsize[n] = int(s)
def is_stored(name):
    return name[0] in "sk" and name in fsize
sizes = [int(l) for l in open(os.path.join(D, "sizes"))]

def cell_of(t, topo):
    # record times may be up to 2 s early: NetFlow v9 and v5 headers
    # carry whole seconds, and nfdump's CSV and the matcher's JSON print
    # whole seconds; matrix.sh leaves 6 s between runs
    best, bd = None, 2.5
    for c in cells:
        if c["topo"] != topo:
            continue
        d = max(c["t0"] - t, t - c["t1"], 0)     # 0 inside the run
        if d <= bd:
            best, bd = c, d
    return best

# ---- ground truth: connections from the servers' logs ------------------------------
truth = {}      # (run, client, cport, server, sport) -> [entries]
for fn in os.listdir(os.path.join(D, "logs")):
    for line in open(os.path.join(D, "logs", fn)):
        f = line.split()
        if len(f) < 10 or f[5] != "200":
            continue
        t, cl, cp, sv, sp = float(f[0]), f[1], int(f[2]), f[3], int(f[4])
        topo = "direct" if cl == CLIENT["direct"] else "router"
        c = cell_of(t, topo)
        if c is None:
            continue
        name = f[8].rsplit("/", 1)[1]
        if name == "pad.bin":       # the harness's, after the last run
            continue
        truth.setdefault((c["run"], cl, cp, sv, sp), []).append(
            dict(name=name, sent=int(f[6]), body=int(f[7]), server=sv))
def kind(entries):
    """download, unknown, several (a keep-alive connection of the plan:
    its files are k*), or reused: one client port used twice in a run for
    separate transfers (the server closed first, so the port was free at
    once): the log cannot say which record was which, so such keys are
    left out of the scores"""
    if len(entries) > 1:
        return "several" if all(e["name"][0] == "k" for e in entries) else "reused"
    return "download" if is_stored(entries[0]["name"]) else "unknown"

# ---- the records -----------------------------------------------------------------------------
def read_records(meter):
    """(run, client, cport, server, sport) -> [data bytes, data packets,
    reverse bytes, reverse packets]"""
    out = {}
    path = os.path.join(D, "rec-%s.csv" % meter)
    if not os.path.exists(path):
        return out
    topo = METERS[meter]
    for line in open(path):
        f = line.strip().split(",")
        if len(f) < 15 or not f[0][:1].isdigit():
            continue
        try:
            t = calendar.timegm(time.strptime(f[0][:19], "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            continue
        sa, da, sp, dp = f[3], f[4], int(f[5]), int(f[6])
        pk, by = int(f[11]), int(f[12])
        if sa == CLIENT[topo]:
            key, i = (sa, sp, da, dp), 2
        elif da == CLIENT[topo]:
            key, i = (da, dp, sa, sp), 0
        else:
            continue
        c = cell_of(t, topo)
        if c is None:
            continue
        v = out.setdefault((c["run"],) + key, [0, 0, 0, 0])
        v[i] += by
        v[i + 1] += pk
    return out

# ---- the oracle ------------------------------------------------------------------------------------
def digits(server, s):
    # what a size writes into the header: Content-Length (decimal) and,
    # for nginx and Apache, the ETag's hex size (lighttpd hashes its ETag)
    return len(str(s)) + (0 if server == "lighttpd" else len("%x" % s))

def extra(model, s, hdr):
    rec, frame, R = model
    x = 0
    if frame:
        x += 9 * -(-s // frame)          # HTTP/2 DATA frame headers
    if rec:
        x += rec * -(-(s + hdr + x) // R)    # TLS records of R bytes
    return x

# TLS records of 16 KB (what nginx, Apache and lighttpd write for HTTP/1.1);
# under HTTP/2 nginx's records are smaller and uneven: there the record
# size is fitted too (8,192-16,384)
MODELS = [(r, f, 16384) for r in (0, 21, 22, 29) for f in (0, 8192, 16384)]
MODELS_H2 = MODELS + [(r, 0, R) for r in (22, 29) for R in range(8192, 16384)]

def explain1(r, t, mss, shorts):
    if r % mss == 0:
        return abs(r // mss)
    best = None
    for q in (t,) + tuple(shorts):
        if q and r - q >= 0 and (r - q) % mss == 0:
            c = (r - q) // mss + 1
            best = c if best is None or c < best else best
    return best

def explain(r, t, mss, shorts=(), sack=False):
    """resent segments needed to explain residue r (None: cannot):
    whole segments either way, or a short segment sent again plus whole
    segments: the response's last one (t bytes), or one of the server's
    own short segments (shorts: see fit_model).  With sack (TLS, where
    K is fitted to the byte), also a server packet with a SACK block
    (12 bytes of options) more or fewer than K's connections had, or two
    more, each counted as one event more"""
    best = explain1(r, t, mss, shorts)
    for d in ((-12, 12, 24) if sack else ()):
        c = explain1(r - d, t, mss, shorts)
        if c is not None:
            c += 1 + (d == 24)
            best = c if best is None or c < best else best
    return best

def fit_model(cell, fit):
    """The overhead model and constant K of a run: fit is, for each meter
    of the run's path, every single-file connection to the download
    server's address (files in the store or not: the oracle knows every
    file) with its records.  The model and K under which most of them,
    over both meters, leave residue 0 (a constant of the server, the
    client and the TCP: the same where either meter sits)."""
    H = 52 if cell["ts"] else 40
    best = None
    pts = [(fsize[e["name"]], e["sent"] - e["body"], rec[0] - H * rec[1])
           for e, rec in fit if rec]
    for model in (MODELS_H2 if cell["proto"] == "h2" else MODELS):
        if model[1] and cell["proto"] != "h2":
            continue
        base = collections.Counter(p - s - hdr - extra(model, s, hdr)
                                   for s, hdr, p in pts)
        if not base:
            continue
        k, n = base.most_common(1)[0]
        if best is None or n > best[2]:
            best = (model, k, n)
    if best is None:
        return None
    # The server's short segments: residues (mod MSS) that no last segment
    # explains and that at least 3 connections of the run share (a short
    # segment of the TLS handshake's flight or of the header sent again).
    model, K, n = best
    mss = 1500 - 40 - (12 if cell["ts"] else 0)
    short = collections.Counter()
    for s, hdr, p in pts:
        x = extra(model, s, hdr)
        r = p - s - hdr - x - K
        if r > 0 and r % mss and explain(r, (s + hdr + x) % mss, mss) is None:
            short[r % mss] += 1
    shorts = tuple(sorted(q for q, c in short.items() if c >= 3))
    return (model, K, n, shorts)

def oracle(cell, meter, dls, fit):
    """dls: list of (entry, recs) of the cell's downloads: sets
    entry["ceiling"] to the class; fit: fit_model()'s model"""
    H = 52 if cell["ts"] else 40
    mss = 1500 - 40 - (12 if cell["ts"] else 0)
    srv = cell["server"]
    def points(lst):
        return [(e, fsize[e["name"]], e["sent"] - e["body"],
                 rec[0] - H * rec[1] if rec else None) for e, rec in lst]
    pts = points(dls)
    best = fit
    for e, s, hdr, p in pts:
        if p is None:
            e["ceiling"] = "unseen"
            continue
        model, K, _, shorts = best
        x = extra(model, s, hdr)
        r = p - s - hdr - x - K
        sack = cell["proto"] != "http"   # TLS, HTTP/2 over TLS too
        c = explain(r, (s + hdr + x) % mss, mss, shorts, sack)
        if c is None:
            e["ceiling"] = "unexplained"
            continue
        lo = bisect.bisect_left(sizes, s - abs(r) - (c + 2) * mss - 64)
        hi = bisect.bisect_right(sizes, s + abs(r) + (c + 2) * mss + 64)
        amb = False
        for s2 in sizes[lo:hi]:
            if s2 == s:
                continue
            h2 = hdr + digits(srv, s2) - digits(srv, s)
            x2 = extra(model, s2, h2)
            c2 = explain(p - s2 - h2 - x2 - K, (s2 + h2 + x2) % mss, mss, shorts, sack)
            if c2 is not None and c2 <= c:
                amb = True
                break
        e["ceiling"] = "ambiguous" if amb else ("exact" if c == 0 and r == 0 else "resent")
    return best

# ---- scoring ---------------------------------------------------------------------------------------
def load_json(prefix, meter):
    path = os.path.join(D, "%s-%s.json" % (prefix, meter))
    out = []
    if not os.path.exists(path):
        return out
    for line in open(path):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out

def pct(a, b):
    return "%.3f" % (a / b) if b else "-"

def score(prefix):
    rows = []
    allrecs = {m: read_records(m) for m in METERS}
    models = {}
    for cell in cells:
        tk = {k: v for k, v in truth.items() if k[0] == cell["run"]}
        addrs = set(v[0]["server"] for k, v in tk.items() if kind(v) == "download")
        fit = [(v[0], allrecs[m].get(k)) for m, t in METERS.items()
               if t == cell["topo"] for k, v in tk.items()
               if len(v) == 1 and v[0]["server"] in addrs]
        models[cell["run"]] = fit_model(cell, fit)
    for meter, topo in METERS.items():
        recs = allrecs[meter]
        conns = load_json(prefix, meter)
        for cell in cells:
            if cell["topo"] != topo:
                continue
            run = cell["run"]
            tk = {k: v for k, v in truth.items() if k[0] == run}
            ndl = sum(kind(v) == "download" for v in tk.values())
            nsev = sum(kind(v) == "several" for v in tk.values())
            nunk = sum(kind(v) == "unknown" for v in tk.values())
            nreused = sum(kind(v) == "reused" for v in tk.values())
            dls = [(v[0], recs.get(k)) for k, v in tk.items() if kind(v) == "download"]
            model = models[run]
            if dls and model:
                oracle(cell, meter, dls, model)
            else:
                for e, _ in dls:
                    e["ceiling"] = "unseen"
            ceil = sum(e["ceiling"] in ("exact", "resent") for e, _ in dls)
            classes = collections.Counter(e["ceiling"] for e, _ in dls)
            det = cor = hi = hic = sev_named = unk_named = incl = incl_named = 0
            for d in conns:
                t = calendar.timegm(time.strptime(d["start"], "%Y-%m-%dT%H:%M:%SZ"))
                if d["client"] != CLIENT[topo] or cell_of(t, topo) is not cell:
                    continue
                k = (run, d["client"], d["client_port"], d["server"], d["server_port"])
                ent = tk.get(k)
                if ent and kind(ent) == "reused":
                    continue
                if d["url"] is None or d["confidence"] < 0.5:
                    continue
                det += 1
                good = False
                if ent and kind(ent) == "download":
                    want = "dl.testbed.example/" + ent[0]["name"]
                    scheme = "http" if cell["proto"] == "http" else "https"
                    good = d["url"] == "%s://%s" % (scheme, want)
                    if good and ent[0].get("ceiling") in ("exact", "resent"):
                        incl_named += 1
                elif ent and kind(ent) == "several":
                    sev_named += 1
                elif ent:
                    unk_named += 1
                cor += good
                if d["confidence"] >= 0.9:
                    hi += 1
                    hic += good
            rows.append(dict(cell="%s@%s" % (cell["spec"], meter), meter=meter, dl=ndl,
                sev=nsev, unk=nunk, reused=nreused, det=det, cor=cor, hi=hi, hic=hic,
                sev_named=sev_named, unk_named=unk_named, ceil=ceil,
                incl_named=incl_named, classes=classes, model=model,
                prec=cor / det if det else None, rec=cor / ndl if ndl else None,
                hiright=hic / hi if hi else None,
                ceilshare=ceil / ndl if ndl else None,
                rel=(incl_named / ceil) if ceil else None))
    return rows

def table(title, rows):
    print(title)
    print("| cell (topo:server:proto:client:tcp:conc:pace@meter) | stored dl | keep-alive | unknown | detections | right | precision | recall | conf>=0.9 right | ceiling | recall within ceiling | keep-alive named | unknown named | oracle classes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        cls = " ".join("%s %d" % kv for kv in sorted(r["classes"].items()))
        print("| %s | %d | %d | %d | %d | %d | %s | %s | %s | %d (%s) | %s | %d | %d | %s |" % (
            r["cell"], r["dl"], r["sev"], r["unk"], r["det"], r["cor"],
            pct(r["cor"], r["det"]), pct(r["cor"], r["dl"]),
            "%d/%d" % (r["hic"], r["hi"]), r["ceil"], pct(r["ceil"], r["dl"]),
            "%d/%d" % (r["incl_named"], r["ceil"]), r["sev_named"], r["unk_named"], cls))
    tot = collections.Counter()
    for r in rows:
        for k in ("dl", "sev", "unk", "det", "cor", "hi", "hic", "ceil", "incl_named",
                  "sev_named", "unk_named"):
            tot[k] += r[k]
    print("| all cells | %d | %d | %d | %d | %d | %s | %s | %d/%d | %d (%s) | %d/%d | %d | %d | |" % (
        tot["dl"], tot["sev"], tot["unk"], tot["det"], tot["cor"],
        pct(tot["cor"], tot["det"]), pct(tot["cor"], tot["dl"]), tot["hic"], tot["hi"],
        tot["ceil"], pct(tot["ceil"], tot["dl"]), tot["incl_named"], tot["ceil"],
        tot["sev_named"], tot["unk_named"]))
    print()
    print("worst cells:")
    for key, label in (("prec", "precision"), ("rec", "recall"),
                       ("hiright", "conf>=0.9 right"), ("rel", "recall within ceiling"),
                       ("ceilshare", "ceiling")):
        have = [r for r in rows if r[key] is not None]
        if not have:
            print("  %s: no cell has any" % label)
            continue
        w = min(have, key=lambda r: r[key])
        ties = sum(r[key] == w[key] for r in have) - 1
        print("  %s: %.3f in %s%s" % (label, w[key], w["cell"],
              " (and %d more cells at that value)" % ties if ties else ""))
    print("  connections left out (a client port used twice in a run for separate transfers): %d" % sum(
        r["reused"] for r in rows))
    ka = sum(r["sev_named"] for r in rows)
    print("  keep-alive connections named as one file: %d of %d" % (ka, sum(r["sev"] for r in rows)))
    print()

rows = score("m")
table("flowgrab-matcher, collector (softflowd -> nfcapd -R -> --listen), detections at confidence >= 0.5:", rows)
if not brief:
    table("flowgrab-matcher, the same records read back with --nfcapd:", score("nfm"))
    print("oracle models (per run, both meters: TLS record overhead and size, HTTP/2 frame size, constant K):")
    for r in rows:
        if r["model"] and r["meter"] in ("server", "router-c"):
            (rec, frame, R), K, n, shorts = r["model"]
            print("  %s: records %d B per %d, frames %s, K %d (%d connections exact, both meters), short segments %s" % (
                r["cell"].split("@")[0], rec, R, frame or "-", K, n, list(shorts) or "none"))
# machine-readable, one line per cell, for matrix-e2e.sh
with open(os.path.join(D, "cells.json"), "w") as f:
    for r in rows:
        r = dict(r)
        r["classes"] = dict(r["classes"])
        r["model"] = list(r["model"]) if r["model"] else None
        f.write(json.dumps(r) + "\n")
