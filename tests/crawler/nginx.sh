#!/bin/bash
# tests/crawler/nginx.sh - crawl a vendor tree of sparse files that Debian's
# nginx serves with autoindex: every file above the threshold found with
# its exact size, names with spaces and UTF-8 encoded as nginx links them,
# nothing outside the start directory, validators and server address
# recorded.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
need_cmd nginx python3 truncate

# the tree: sparse files, so terabytes cost no disk
W="$T/www"
mkdir -p "$W/vendor" "$W/other"
python3 - "$W/vendor" <<'PY'
import os, sys
root = sys.argv[1]
n = 0
for rel in ["", "win/", "win/x64/", "mac/", "linux/", "linux/old/", "src/"]:
    os.makedirs(os.path.join(root, rel), exist_ok=True)
    for i in range(12):
        n += 1
        size = (n * 2654435761) % (6 << 30)
        if n % 5 == 0:
            size = n * 1000            # below 1 MiB
        name = f"pkg-{n}.{['bin','iso','tar.xz','exe'][n % 4]}"
        with open(os.path.join(root, rel, name), "wb") as f:
            f.truncate(size)
with open(os.path.join(root, "setup file v2.exe"), "wb") as f:
    f.truncate(123456789)
with open(os.path.join(root, "caf\u00e9-\u00fcber.iso"), "wb") as f:
    f.truncate(98765432)
with open(os.path.join(root, "index-notes.html"), "w") as f:
    f.write('<html><body><a href="linux/old/">old</a> <a href="../other/x.bin">x</a></body></html>')
PY
truncate -s 5G "$W/other/x.bin"
start_nginx "$W"
B="http://127.0.0.1:$NGINX_PORT/vendor/"

python3 - "$W/vendor" "$B" > "$T/want" <<'PY'
import os, sys, urllib.parse
root, base = sys.argv[1], sys.argv[2]
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        s = os.path.getsize(p)
        if s >= 1 << 20:
            rel = os.path.relpath(p, root)
            print(base + urllib.parse.quote(rel), s)
PY
sort -o "$T/want" "$T/want"

"$CRAWLER" -s "$T/st" --vendor nginxvendor --json "$B" > "$T/out.json" 2> "$T/err"
is "$?" 0 "crawl exits 0"
store_urls "$T/st" > "$T/got"
check "every file >= 1 MiB found with its exact size ($(wc -l < "$T/want"))" -- diff "$T/want" "$T/got"
is "$(grep -c '/other/' "$T/nginx/logs/access.log")" 0 "nothing outside the start directory fetched"
like "$(cat "$T/got")" "setup%20file%20v2.exe 123456789" "name with spaces"
like "$(cat "$T/got")" "caf%C3%A9-%C3%BCber.iso 98765432" "UTF-8 name"
dups=$(awk '{ print $2, $3 }' "$T/nginx/logs/access.log" | sort | uniq -d | wc -l)
is "$dups" 0 "no request made twice"
"$STORETOOL" -s "$T/st" export -f csv > "$T/csv"
is "$(awk -F, 'NR > 1 && $8 !~ /^"""[0-9a-f]+-[0-9a-f]+"""$/' "$T/csv" | wc -l)" 0 "nginx ETags recorded"
is "$(awk -F, 'NR > 1 && $9 !~ /^20[0-9][0-9]-/' "$T/csv" | wc -l)" 0 "Last-Modified recorded"
is "$(awk -F, 'NR > 1 { print $NF }' "$T/csv" | sort -u)" "127.0.0.1" "server address recorded"
is "$(awk -F, 'NR > 1 { print $3 }' "$T/csv" | sort -u)" "nginxvendor" "vendor label"
check "store check passes" -- "$STORETOOL" -s "$T/st" check

# the same over IPv6 loopback: URL with [::1], address ::1 recorded
if [ "$NGINX_V6" = 1 ]; then
	"$CRAWLER" -s "$T/st6" --json "http://[::1]:$NGINX_PORT/vendor/" > "$T/out6.json" 2> "$T/err6"
	is "$?" 0 "IPv6 crawl exits 0"
	is "$(store_urls "$T/st6" | wc -l)" "$(wc -l < "$T/want" | tr -d ' ')" "  ... every file found over ::1"
	like "$(store_urls "$T/st6" | head -1)" '^http://\[::1\]:[0-9]+/vendor/' "  ... URLs keep the IPv6 literal"
	is "$("$STORETOOL" -s "$T/st6" export -f csv | awk -F, 'NR > 1 { print $NF }' | sort -u)" "::1" "  ... server address ::1 recorded"
else
	diag "no IPv6 loopback on this machine: IPv6 part not run"
fi

# a second run: nothing probed again (nginx gives listings no validators,
# so listings are fetched, files are not)
: > "$T/nginx/logs/access.log"
"$CRAWLER" -s "$T/st" --vendor nginxvendor --json "$B" > "$T/out2.json" 2> "$T/err2"
is "$(grep -c '"HEAD ' "$T/nginx/logs/access.log")" 0 "second run probes nothing"
is "$(json_field "$T/out2.json" fresh)" "$(find "$W/vendor" -type f ! -name "*.html" | wc -l)" "  ... every file, small ones too, counted recently checked"
done_testing
