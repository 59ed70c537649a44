#!/bin/bash
# tests/matcher/report.sh - flowgrab-matcher --report, in a real browser.
#
# The real softflowd replays the demo capture (tests/demo/capture.pcap.gz)
# into a collector on loopback that writes JSON Lines and --report; then
# --report --from-detections turns those JSON Lines into a report again.
# Headless Chromium opens both reports; the DOM it builds must hold every
# host of the capture's manifest, and every file they downloaded, under
# the right host.  A screenshot is kept as an artifact in the build tree
# (tests/matcher/report-demo.png).  Then hostile and damaged JSON Lines:
# markup in names must come out as text, bad lines are named by file and
# line, and nothing in the report may reach the network.
. "$FG_SRCDIR/tests/lib.sh"

need_cmd softflowd chromium python3

DEMO=$FG_SRCDIR/tests/demo
M=$FLOWGRAB_MATCHER
ART=$FG_BUILDDIR/tests/matcher
mkdir -p "$ART"

# headless Chromium, as root, with a profile of its own in $T
browse() {	# browse FLAGS... FILE
	timeout 90 chromium --headless=new --no-sandbox --disable-gpu \
	    --no-first-run --disable-extensions --disable-sync \
	    --user-data-dir="$T/chromium" "$@" 2> "$T/chromium.err"
}

python3 "$DEMO/mksite.py" --list | awk 'BEGIN { print "url,size,vendor,source" }
	$3 >= 1048576 && $2 !~ /^\/pub\/private\// {
		printf "http://%s.example%s,%s,%s,import\n", $1, $2, $3, $1 }' \
    > "$T/store.csv"
"$FLOWGRAB_STORE" -s "$T/store" -q import "$T/store.csv"
ok $? "store: the demo site's files"
python3 "$DEMO/retime.py" "$DEMO/capture.pcap.gz" "$T/capture.pcap"

udp=$(free_port udp)
"$M" -s "$T/store" -f json --listen "127.0.0.1:$udp" --report "$T/run.html" \
    > "$T/det.jsonl" 2> "$T/run.err" &
mp=$!
at_exit "kill $mp"
for ((i = 0; i < 100; i++)); do
	[ -n "$(ss -Hlun "sport = :$udp" 2>/dev/null)" ] && break
	sleep 0.05
done
softflowd -r "$T/capture.pcap" -a -v 9 -n "127.0.0.1:$udp" -d -c none \
    -p "$T/sf.pid" > "$T/sf.out" 2>&1
ok $? "softflowd replayed the capture into the collector"
sleep 0.5
kill -TERM $mp
wait $mp
ok $? "collector with --report: exit 0"
[ -s "$T/run.html" ]
ok $? "report written at exit"

# what the capture holds: the manifest's downloads, host and file
awk '$1 == "download" { n = split($5, p, "/"); print $2, p[n] }' \
    "$DEMO/capture.manifest" | sort -u > "$T/want"
is "$(wc -l < "$T/want")" 12 "manifest: 12 downloads"

# Chromium's DOM: every host a section, every download a row under it
dom_pairs() {	# dom_pairs DOM: "host file" for each inventory row
	python3 - "$1" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.host = None; self.grab = None; self.buf = ""
        self.out = set(); self.hosts = []
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "span" and a.get("class") == "hostname": self.grab = "host"; self.buf = ""
        if tag == "section" and a.get("class") == "vendor": self.host = None
        if tag == "td" and a.get("class") == "file" and self.host: self.grab = "file"; self.buf = ""
    def handle_data(self, d):
        if self.grab: self.buf += d
    def handle_endtag(self, tag):
        if self.grab == "host" and tag == "span":
            self.host = self.buf.strip(); self.hosts.append(self.host); self.grab = None
        elif self.grab == "file" and tag == "td":
            self.out.add((self.host, self.buf.strip())); self.grab = None
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
for h, f in sorted(p.out): print(h, f)
PY
}
browse --dump-dom "file://$T/run.html" > "$T/run.dom"
ok $? "chromium --headless --dump-dom opens the report"
like "$(head -c 300 "$T/run.dom")" '<html lang="en"><head>' "... and built a DOM"
dom_pairs "$T/run.dom" > "$T/got"
is "$(diff "$T/want" "$T/got" | head -5 | tr '\n' ' ')" "" \
    "DOM: every download of the capture under its host, nothing else"
is "$(grep -o '<span class="hostname">[^<]*' "$T/run.dom" | sed 's/.*>//' | tr -d ' ' | sort | tr '\n' ' ')" \
    "$(awk '{ print $1 }' "$T/want" | sort -u | tr '\n' ' ')" "DOM: the capture's 3 hosts"
is "$(grep -o 'id="n-detections">[0-9]*' "$T/run.dom" | sed 's/.*>//')" 12 \
    "DOM: 12 detections counted"
like "$(cat "$T/run.dom")" 'one of 2 files: agent-2\.1\.0-x64\.msi, agent-2\.1\.0-x64\.exe' \
    "DOM: the ambiguous MSI shown as its group"
like "$(cat "$T/run.dom")" '2 range requests' "DOM: the range-request download says so"
like "$(cat "$T/run.dom")" '<svg class="timeline"' "DOM: timelines drawn as inline SVG"
like "$(cat "$T/run.dom")" '<svg class="bars"' "DOM: bar charts drawn as inline SVG"
like "$(cat "$T/run.dom")" '<th>--min-confidence</th><td>0.50</td>' \
    "DOM: the model's settings"
like "$(cat "$T/run.dom")" '<th>flow records</th><td>48</td>' \
    "DOM: the run's statistics"
# the manifest's other transfers above --min-size (100k), by server; the
# two parts of the range-request download it named are not among them
awk '$1 == "other" && $6 >= 102400 { n[$3]++ } END { for (s in n) print s ":80", n[s] }' \
    "$DEMO/capture.manifest" | sort > "$T/unm.want"
python3 - "$T/run.dom" > "$T/unm.got" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
for r in re.findall(r'<tr class="unm"><td>([^<]*)</td><td class="num">([0-9]+)</td>', s):
    print(*r)
PY
is "$(sort "$T/unm.got" | tr '\n' ';')" "$(tr '\n' ';' < "$T/unm.want")" \
    "DOM: large unmatched transfers by server, as the manifest has them"

# "not fetched": newer versions the store knows, worked out here from
# the demo site's file list (mksite.py --list), not by flowgrab's parser
nf_rows() {	# nf_rows DOM HOST: "vendor product newest: newer..." per row
	python3 - "$1" "$2" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
i = s.index('<span class="hostname">%s</span>' % sys.argv[2])
j = s.find('<section class="host"', i + 1)
sec = s[i:j if j > 0 else len(s)]
for row in re.findall(r'<tr class="nfrow">(.*?)</tr>', sec):
    c = [re.sub("<[^>]*>", "", x) for x in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    print("%s %s %s: %s" % (c[0], c[1], c[2], c[3]))
PY
}
python3 - "$DEMO/mksite.py" > "$T/nf.want" <<'PY'
import re, subprocess, sys
lst = subprocess.run([sys.executable, sys.argv[1], "--list"], capture_output=True,
                     text=True, check=True).stdout.split("\n")
def newer(vendor, rx, have):
    key = lambda v: [int(x) for x in v.split(".")]
    vs = set()
    for l in lst:
        f = l.split()
        if len(f) == 3 and f[0] == vendor and int(f[2]) >= 1048576:
            m = re.search(rx, f[1])
            if m and key(m.group(1)) > key(have):
                vs.add(m.group(1))
    return ", ".join(sorted(vs, key=key, reverse=True))
# 10.77.5.103 fetched tool-3.1.bin and agent 1.2.0 and 2.0.0 (manifest)
print("acme agent 2.0.0: " + newer("acme", r"^/releases/agent/([0-9.]+)/", "2.0.0"))
print("globex tool 3.1: " + newer("globex", r"^/pub/tool/tool-([0-9]+\.[0-9]+)", "3.1"))
PY
nf_rows "$T/run.dom" 10.77.5.103 | sort > "$T/nf.got"
is "$(diff <(sort "$T/nf.want") "$T/nf.got" | tr '\n' ' ')" "" \
    "not fetched (10.77.5.103): the newer versions the site offers ($(tr '\n' ';' < "$T/nf.want"))"
like "$(nf_rows "$T/run.dom" 10.77.5.101)" '^initech fw-r100 25\.4: 25\.12, 25\.11, 25\.10, ' \
    "not fetched (10.77.5.101): newest first, in version order (25.12 before 25.9)"
like "$(cat "$T/run.dom")" '<h4 class="prodname">agent</h4>' "DOM: per vendor and product"
like "$(tr -d '\n' < "$T/run.dom")" '<tr class="pv"><td>1\.2\.0</td><td class="file">agent-1\.2\.0-arm64\.exe</td><td class="num">1</td><td>10\.77\.5\.103</td></tr>' \
    "DOM: which host downloaded which version"

# nothing that could load from anywhere: no script, no link, no src, no url()
bad=$(grep -Eoi '<script|<link|<img|<iframe|src=|url\(|@import|http-equiv="refresh"' "$T/run.html" | wc -l)
is "$bad" 0 "self-contained: no script, link, src or url() in the file"

browse --screenshot="$ART/report-demo.png" --window-size=1200,2000 \
    "file://$T/run.html" > /dev/null
[ -s "$ART/report-demo.png" ]
ok $? "screenshot kept: tests/matcher/report-demo.png in the build tree"
browse --print-to-pdf="$T/run.pdf" --no-pdf-header-footer "file://$T/run.html" > /dev/null
like "$(head -c 5 "$T/run.pdf" 2>/dev/null)" '^%PDF-' "printable: Chromium prints it to PDF"

# ---- the same from the JSON Lines, without a store ----------------------
"$M" --report "$T/jl.html" --from-detections "$T/det.jsonl" 2> "$T/jl.err"
ok $? "--from-detections, no store: exit 0"
browse --dump-dom "file://$T/jl.html" > "$T/jl.dom"
dom_pairs "$T/jl.dom" > "$T/got.jl"
is "$(diff "$T/want" "$T/got.jl" | head -5 | tr '\n' ' ')" "" \
    "from JSON Lines: the same hosts and files"
like "$(cat "$T/jl.dom")" '<th>lines read</th><td>12</td>' "... 12 lines read"
like "$(cat "$T/jl.dom")" 'no store given' "... no store: says it cannot tell newer versions"
"$M" --report "$T/jls.html" --from-detections "$T/det.jsonl" -s "$T/store" 2> "$T/jls.err"
ok $? "--from-detections with -s STORE: exit 0"
like "$(cat "$T/jls.html")" "<th>store holds</th><td>$(($(wc -l < "$T/store.csv") - 1)) downloads" \
    "... says what the store holds"
browse --dump-dom "file://$T/jls.html" > "$T/jls.dom"
nf_rows "$T/jls.dom" 10.77.5.103 | sort > "$T/nf.got.jl"
is "$(diff <(sort "$T/nf.want") "$T/nf.got.jl" | tr '\n' ' ')" "" \
    "... and, from the store, what 10.77.5.103 has not fetched"
"$M" --from-detections "$T/det.jsonl" 2> /dev/null
is $? 2 "--from-detections without --report: exit 2"
"$M" --report "$T/x.html" --from-detections "$T/det.jsonl" --listen 9 2> /dev/null
is $? 2 "--from-detections with --listen: exit 2"

# ---- hostile and damaged lines -------------------------------------------
python3 - "$T/det.jsonl" "$T/hostile.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
d = json.loads(lines[0])
evil = dict(d, client="10.66.0.1", vendor="<script>alert(1)</script>",
            file="x\"><img src=http://203.0.113.9/p.png>.exe",
            url="http://e.example/<b>&amp;'\u2028\u0007.exe")
out = [json.dumps(evil, ensure_ascii=False),
       '{"start":"2026-01-01T00:00:00Z","client":"10.66.0.2",' * 1,  # truncated
       '[1,2,3]',
       '{"a":' * 50 + '1' + '}' * 50,
       '{"start":"2026-01-01T00:00:00Z","client":"not-an-ip","url":null,"confidence":0.5}',
       '{"start":"2026-01-01T00:00:00Z","client":"10.66.0.3","url":"u","file":"f","confidence":7}',
       '\x00\x01\x02 binary',
       'x' * 70000,
       json.dumps(dict(d, client="10.66.0.4", file="ok-after-bad.bin"))]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n" +
    lines[1][:len(lines[1]) // 2])   # and a last line cut in the middle
PY
"$M" --report "$T/h.html" --from-detections "$T/hostile.jsonl" 2> "$T/h.err"
ok $? "hostile JSON Lines: exit 0, bad lines skipped"
for n in 2 3 4 5 6 7 8 10; do
	like "$(cat "$T/h.err")" "hostile\.jsonl:$n: " "line $n named by file and line"
done
like "$(grep 'hostile.jsonl:10:' "$T/h.err")" 'truncated' "the cut last line: said truncated"
like "$(grep 'hostile.jsonl:8:' "$T/h.err")" 'longer than 64 KiB' "the 70 kB line: too long"
like "$(grep 'hostile.jsonl:4:' "$T/h.err")" 'nested' "the deep one: nesting"
browse --dump-dom "file://$T/h.html" > "$T/h.dom"
ok $? "chromium opens the hostile report"
is "$(grep -c '<script' "$T/h.dom")" 0 "DOM: no script element from a vendor name"
is "$(grep -c '<img' "$T/h.dom")" 0 "DOM: no img element from a file name"
like "$(cat "$T/h.dom")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "... the name shown as text"
like "$(cat "$T/h.dom")" 'ok-after-bad\.bin' "the good line after the bad ones is kept"
like "$(cat "$T/h.dom")" '<th>lines skipped \(not ours, damaged\)</th><td>8</td>' \
    "the report says how many lines were skipped"
# a download whose size four locales share: shown as its group
python3 - "$T/det.jsonl" "$T/loc.jsonl" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
u = "https://ftp.mozilla.example/pub/firefox/releases/121.0/win64/%s/Firefox%%20Setup%%20121.0.exe"
rv = [{"url": u % l, "size": 1, "delta": 0, "segments": 0, "server_match": "no"}
      for l in ("de", "fr", "it")]
open(sys.argv[2], "w").write(json.dumps(dict(d, client="10.66.1.1", url=u % "en-US",
    file="Firefox Setup 121.0.exe", vendor="mozilla", confidence=0.41, rivals=rv)) + "\n")
PY
"$M" --report "$T/loc.html" --from-detections "$T/loc.jsonl" 2> "$T/loc.err"
browse --dump-dom "file://$T/loc.html" > "$T/loc.dom"
like "$(cat "$T/loc.dom")" 'one of 4 locales: en-US, de, fr, it' \
    "ambiguous: four locales of one version shown as 'one of 4 locales'"
like "$(tr -d '\n' < "$T/loc.dom")" '<div class="apart"><p><b>Less certain</b>.*Firefox Setup 121\.0\.exe' \
    "a detection below 0.9 is set apart"

"$M" --strict --report "$T/hs.html" --from-detections "$T/hostile.jsonl" 2> "$T/hs.err"
is $? 1 "--strict: a bad line is fatal (exit 1)"
is "$(grep -c 'hostile.jsonl:' "$T/hs.err")" 1 "... at the first one"
"$M" --report "$T/n.html" --from-detections "$T/nonexistent.jsonl" 2> "$T/n.err"
is $? 1 "a missing file: exit 1"
like "$(cat "$T/n.err")" 'nonexistent\.jsonl: No such file' "... named"
"$M" --report "$T/nodir/x.html" --from-detections "$T/det.jsonl" 2> "$T/nd.err"
is $? 1 "an unwritable report path: exit 1"

done_testing
