#!/usr/bin/python3
"""bench/matcher/accuracy-eval.py TRUTH MATCHER_JSON STORE_CSV

Precision and recall of flowgrab-matcher's JSON output against the ground
truth accuracy.sh writes (PHASE LOCAL_PORT URL per download), beside the
naive baseline, and the calibration of the confidence.  accuracy.sh runs
it; with KEEP_FLOWS it can be run again on what was kept.
"""
import bisect, json, sys
truthf, mf, storef = sys.argv[1:4]
# Ground truth per (client port, server port), in the order curl finished.
# Over a thousand downloads the kernel hands out some local port twice, so
# a key can have several downloads: the k-th connection with that key, by
# start time, is the k-th download.
pending = {}
for line in open(truthf):
    ph, port, url = line.split()
    if url.rsplit("/", 1)[1].startswith("u"):
        url = None      # not in the store: nothing is right
    pending.setdefault((int(port), 443 if ph.startswith("https") else 80),
                       []).append((ph, url))
conns = [json.loads(l) for l in open(mf)]
conns.sort(key=lambda d: (d["start"], d["end"]))
for d in conns:
    q = pending.get((d["client_port"], d["server_port"])) \
        if d["server"] == "10.77.0.1" else None
    d["_truth"] = q.pop(0) if q else ("other", None)
# downloads of stored files per phase, and all downloads
stored = {}
ndownloads = 0
for line in open(truthf):
    ph, port, url = line.split()
    ndownloads += 1
    stored[ph] = stored.get(ph, 0) + (not url.rsplit("/", 1)[1].startswith("u"))
sizes = {}
size_of = {}
for line in list(open(storef))[1:]:
    url, size, _, _ = line.strip().split(",")
    sizes.setdefault(int(size), []).append(url)
    size_of[url] = int(size)
sorted_sizes = sorted(sizes)

def baseline(d):
    est = d["bytes"] - 52 * d["packets"] - 250
    i = bisect.bisect_left(sorted_sizes, est)
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(sorted_sizes) and abs(sorted_sizes[j] - est) <= 1000:
            if best is None or abs(sorted_sizes[j] - est) < abs(best - est):
                best = sorted_sizes[j]
    if best is None:
        return None
    want = "https://" if d["server_port"] == 443 else "http://"
    urls = [u for u in sizes[best] if u.startswith(want)] or sizes[best]
    return urls[0]

phases = ["http-1", "https-1", "http-4b", "https-4b", "http-4", "https-4"]
def evaluate(pick, tau):
    out = {}
    for ph in phases + ["other"]:
        out[ph] = [0, 0, 0]   # downloads, reported, correct
    for ph, n in stored.items():
        out[ph][0] += n
    for d in conns:
        u = pick(d, tau)
        if u is None:
            continue
        ph, url = d["_truth"]
        # pad.bin, and files not in the store: any report is wrong
        out[ph][1] += 1
        if url and u == url:
            out[ph][2] += 1
    return out

def matcher_pick(d, tau):
    if d["url"] is None or d["confidence"] < tau:
        return None
    return d["url"]

def base_pick(d, tau):
    return baseline(d)

def table(title, res):
    print("%s" % title)
    print("| phase | downloads of stored files | reported | correct | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    tot = [0, 0, 0]
    for ph in phases + ["other"]:
        n, rep, cor = res[ph]
        tot = [a + b for a, b in zip(tot, res[ph])]
        prec = "%.1f%%" % (100.0 * cor / rep) if rep else "-"
        rec = "%.1f%%" % (100.0 * cor / n) if n else "-"
        print("| %s | %d | %d | %d | %s | %s |" % (ph, n, rep, cor, prec, rec))
    n, rep, cor = tot
    print("| all | %d | %d | %d | %s | %s |" % (n, rep, cor,
        "%.1f%%" % (100.0 * cor / rep) if rep else "-",
        "%.1f%%" % (100.0 * cor / n) if n else "-"))
    print()

print("downloads %d (%d of files in the store), connections seen %d" % (
    ndownloads, sum(stored.values()), len(conns)))
print()
table("flowgrab-matcher, default --min-confidence 0.5:", evaluate(matcher_pick, 0.5))
table("flowgrab-matcher, --min-confidence 0.8:", evaluate(matcher_pick, 0.8))
table("naive baseline (bytes - 52 x packets - 250, nearest size within 1000):", evaluate(base_pick, 0))

# What the flows allow (HTTP): the payload a download left, less the file
# and the server's header, is 0, whole segments sent again (or missed by
# the meter), or a part of a segment (a retransmission of a shorter
# segment, a collapsed one).  Only the first two can be told from a file
# of another size: a part of a segment could be any of the stored sizes
# near it, so the share of those bounds the recall any matcher can reach
# on flow records.  The header is nginx's fixed part plus the size's
# decimal (Content-Length) and hex (ETag) digits; the fixed part is the
# value most downloads agree on (with 52-byte headers: TCP timestamps).
def http_rest(d, size):
    return d["bytes"] - 52 * d["packets"] - size - len(str(size)) - len("%x" % size)
votes = {}
for d in conns:
    ph, url = d["_truth"]
    if url and url.startswith("http://") and url in size_of:
        v = http_rest(d, size_of[url])
        votes[v] = votes.get(v, 0) + 1
if votes:
    fixed = max(votes, key=votes.get)
    seg = 1448
    print("what the flows allow, HTTP (payload less file and header: fixed part %d bytes, %d-byte segments):" % (fixed, seg))
    print("| phase | downloads of stored files | exact | whole segments more | whole segments fewer | part of a segment | at most named |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ph in phases:
        if not ph.startswith("http-"):
            continue
        cls = [0, 0, 0, 0]
        for d in conns:
            p, url = d["_truth"]
            if p != ph or not url or url not in size_of:
                continue
            r = http_rest(d, size_of[url]) - fixed
            cls[0 if r == 0 else 1 if r > 0 and r % seg == 0 else
                2 if r < 0 and -r % seg == 0 else 3] += 1
        n = stored.get(ph, 0)
        if n:
            print("| %s | %d | %d | %d | %d | %d | %.1f%% |" % (ph, n, cls[0],
                cls[1], cls[2], cls[3], 100.0 * (cls[0] + cls[1] + cls[2]) / n))
    print()

# calibration: precision of the best candidate per confidence bin, over
# connections that were downloads or reported anything
print("calibration (best candidate of each download connection and of every other connection above --min-size):")
print("| confidence | connections | best candidate right | precision |")
print("| --- | ---: | ---: | ---: |")
bins = [(0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)]
for lo, hi in bins:
    n = c = 0
    for d in conns:
        if d["url"] is None or not (lo <= d["confidence"] < hi):
            continue
        ph, url = d["_truth"]
        n += 1
        c += url is not None and d["url"] == url
    print("| [%.2f, %.2f) | %d | %d | %s |" % (lo, min(hi, 1.0), n, c,
        "%.1f%%" % (100.0 * c / n) if n else "-"))
print()
# what went wrong, for the record
for d in conns:
    ph, url = d["_truth"]
    if d["url"] is not None and d["confidence"] >= 0.5 and d["url"] != url:
        print("  wrong: %s port %d got %s (conf %.3f, delta %s, seg %s) truth %s" % (
            ph, d["client_port"], d["url"], d["confidence"], d["delta"], d["segments"], url))
    elif url and (d["url"] != url or d["confidence"] < 0.5) and "-4" not in ph:
        print("  missed: %s port %d %s: best %s conf %.3f delta %s seg %s learned %s" % (
            ph, d["client_port"], url, d["url"], d["confidence"], d["delta"], d["segments"], d["learned"]))
