#!/usr/bin/python3
"""bench/matcher/dense-eval.py TRUTH MATCHER_JSON [CPU_SECONDS]

Scores flowgrab-matcher's JSON (--unmatched --min-confidence 0) on the
dense-store benchmark against the truth bench-flowgen dense wrote (one
line per connection: client cport server sport kind file size tls
timestamps resent sacked server_known).  A detection is right when it
names the connection's file (dl.vV.example/fNNNNNNN.bin) with the scheme
its port implies; on a transfer of a file not in the store every
detection is wrong."""
import json, sys

truth = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    c, cp, s, sp, kind, fid, size, tls, ts, k, sacked, known = line.split()
    truth[(c, int(cp), s, int(sp))] = dict(kind=kind, file=int(fid), size=int(size),
        tls=tls == "1", ts=ts == "1", resent=int(k), sacked=int(sacked), known=known == "1")
cpu = float(sys.argv[3]) if len(sys.argv) > 3 else None
conns = [json.loads(l) for l in open(sys.argv[2])]
seen = set()
for d in conns:
    t = truth.get((d["client"], d["client_port"], d["server"], d["server_port"]))
    d["_t"] = t
    if t:
        seen.add(id(t))
    d["_right"] = bool(t and t["kind"] == "download" and d["url"] and
        d["url"] == "%s://dl.v%d.example/f%07d.bin" % (
            "https" if t["tls"] else "http", t["file"] % 40, t["file"]))
ndl = sum(t["kind"] == "download" for t in truth.values())
nother = len(truth) - ndl
print("connections: %d downloads of stored files, %d transfers of files not in the store; %d reported by the matcher" % (
    ndl, nother, len(conns)))
for tau in (0.5, 0.8, 0.9):
    det = [d for d in conns if d["url"] and d["confidence"] >= tau]
    right = sum(d["_right"] for d in det)
    print("confidence >= %.1f: %d detections, %d right: precision %.3f, recall %.3f" % (
        tau, len(det), right, right / len(det) if det else float("nan"), right / ndl))
print()
print("downloads named (confidence >= 0.5), by kind:")
print("| TLS | loss (segments resent) | server in the store's addresses | downloads | named | share |")
print("| --- | --- | --- | ---: | ---: | ---: |")
by = {}
for d in conns:
    t = d["_t"]
    if t and t["kind"] == "download":
        key = (t["tls"], t["resent"] > 0, t["known"])
        v = by.setdefault(key, [0, 0])
        v[1] += d["_right"] and d["confidence"] >= 0.5
for t in truth.values():
    if t["kind"] == "download":
        by.setdefault((t["tls"], t["resent"] > 0, t["known"]), [0, 0])[0] += 1
for key in sorted(by):
    n, r = by[key]
    print("| %s | %s | %s | %d | %d | %.3f |" % ("yes" if key[0] else "no",
        "yes" if key[1] else "no", "yes" if key[2] else "no", n, r, r / n if n else 0))
print()
fp = {}
for d in conns:
    t = d["_t"]
    if d["url"] and d["confidence"] >= 0.5 and not d["_right"]:
        k = "download named as another file" if t and t["kind"] == "download" else \
            "file not in the store, vendor's server" if t and t["known"] else \
            "file not in the store, other server" if t else "no truth"
        fp[k] = fp.get(k, 0) + 1
print("false detections at >= 0.5: %s" % (", ".join("%s %d" % kv for kv in sorted(fp.items())) or "none"))
print()
print("calibration (best candidate of every connection reported):")
print("| confidence | connections | right | share right |")
print("| --- | ---: | ---: | ---: |")
for lo, hi in ((0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9),
               (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)):
    b = [d for d in conns if d["url"] and lo <= d["confidence"] < hi]
    r = sum(d["_right"] for d in b)
    print("| [%.2f, %.2f) | %d | %d | %s |" % (lo, min(hi, 1), len(b), r,
        "%.3f" % (r / len(b)) if b else "-"))
print()
if cpu:
    print("lookups: %d connections scored in %.2f s of CPU: %.0f lookups/s" % (
        len(conns), cpu, len(conns) / cpu))
