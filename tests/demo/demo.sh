#!/bin/bash
# tests/demo/demo.sh - README's first command, as a newcomer runs it: clone
# the committed repository, run tests/demo/run.sh there (it builds the
# clone, serves the demo site, crawls it, replays the shipped capture
# through softflowd into the matcher) and check its last line: every
# download in the capture identified, no false detections, nothing left
# running.  Also checks that the tally counts misses and false detections
# (tests/demo/tally.py on made-up matcher output).
. "$FG_SRCDIR/tests/lib.sh"
need_cmd git nginx curl softflowd python3 ss gzip autoreconf make

top=$(git -C "$FG_SRCDIR" rev-parse --show-toplevel 2>/dev/null)
[ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$FG_SRCDIR" && pwd -P)" ] ||
    skip_all "$FG_SRCDIR is not a git checkout (make distcheck): the demo is run from a clone"

MAN=$FG_SRCDIR/tests/demo/capture.manifest
ndl=$(grep -c '^download' "$MAN")
ok "$([ "$ndl" -gt 0 ]; echo $?)" "the manifest lists downloads ($ndl)"

# ---- the tally can fail ------------------------------------------------------------
# made-up matcher output: every download but the first, plus one "other"
# transfer named as if it were a known file
python3 - "$MAN" > "$T/fake.json" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
dl = [r for r in rows if r[0] == "download"]
other = [r for r in rows if r[0] == "other"]
for kind, client, server, vendor, path, size, *_ in dl[1:] + other[:1]:
    print(json.dumps({"client": client, "server": server, "vendor": vendor,
        "url": "http://127.0.0.9:1234" + path, "confidence": 0.9}))
print(json.dumps({"summary": True, "client": dl[0][1], "url": "x"}))
PY
out=$(python3 "$FG_SRCDIR/tests/demo/tally.py" "$MAN" "$T/fake.json")
st=$?
is "$(echo "$out" | tail -1)" \
    "demo: identified $((ndl - 1)) of $ndl downloads in the capture, 1 false detection" \
    "tally: a missed download and a false detection are counted"
ok "$([ $st -ne 0 ]; echo $?)" "tally: exits non-zero when not all is right"

# ---- the demo from a clone ------------------------------------------------------------
git clone -q "$FG_SRCDIR" "$T/clone" 2> "$T/clone.err"
ok $? "git clone of the committed HEAD"
mkdir -p "$T/tmp"
# (not the make flags of "make check": the clone is built by its own make)
(cd "$T/clone" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL TMPDIR=$T/tmp \
    FLOWGRAB_NO_INSTALL=1 timeout 600 \
    tests/demo/run.sh) > "$T/demo.out" 2> "$T/demo.err"
st=$?
ok $st "tests/demo/run.sh exits 0"
last=$(tail -1 "$T/demo.out")
is "$last" "demo: identified $ndl of $ndl downloads in the capture, 0 false detections" \
    "summary line: every download identified, no false detections"
like "$(cat "$T/demo.out")" "store: [1-9][0-9]* downloads, each file" \
    "the crawl filled the store with what the site offers"
like "$(cat "$T/demo.out")" "# downloads per client" "per-host inventory printed"
like "$(cat "$T/demo.out")" 'agent-2\.1\.0-x64\.msi \(agent 2\.1\.0 x64, one of 2 files: [01]\.[0-9]+\)' \
    "the .msi and the .exe of one build shown as their release"
like "$(cat "$T/demo.out")" "report: $T/clone/build/demo/demo-report\.html " \
    "the demo says where its HTML report is"
grep -q '<span class="hostname">10\.77\.5\.101</span>' "$T/clone/build/demo/demo-report.html"
ok $? "... and it is there, naming the capture's hosts"
left=$(pgrep -f "$T/tmp" | tr '\n' ' ')
is "$left" "" "nothing left running (processes naming the demo's directory)"
is "$(ls -A "$T/tmp")" "" "the demo's temporary directory removed"
if [ $_tap_failed -gt 0 ]; then
	sed 's/^/# /' "$T/demo.out" | tail -60
	sed 's/^/# err: /' "$T/demo.err" | tail -30
fi
done_testing
