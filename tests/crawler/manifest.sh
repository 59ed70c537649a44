#!/bin/bash
# tests/crawler/manifest.sh - manifests end to end: nginx serves a Debian
# archive (dpkg-scanpackages, apt-ftparchive, a gpg-signed InRelease,
# Packages.xz), an RPM repository (rpmbuild, createrepo_c), a GitHub-style
# release JSON, a Sparkle appcast, a metalink and an autoindex listing.
# The crawler stores every listed file at or above the threshold with its
# exact size and source "manifest", while nginx's access log shows no
# request for any of them but the listing's sampled probes.  A second run
# gets 304 for each manifest.  A listing that prints one size wrong: the
# sample probe reports it and the server's size is kept.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
. "$FG_SRCDIR/tests/crawler/manifest-lib.sh"
need_cmd nginx python3 truncate dpkg-deb dpkg-scanpackages apt-ftparchive \
	gpg rpmbuild createrepo_c xz gzip

W="$T/www"
MIN=100000	# the seeds' min-size: the tiny packages stay below it

# a Debian archive: two packages above the threshold, one below
make_deb "$W/debian" hello-fg 2.10-3 amd64 300000
make_deb "$W/debian" tzdata-fg 2024a-0 all 200000
make_deb "$W/debian" tiny-fg 1.0-1 amd64 100
deb_index "$W/debian" stable
# an RPM repository
make_rpm "$W/fedora" fgcurl 8.0.1 250000
make_rpm "$W/fedora" fgzlib 1.2.13 150000
make_rpm "$W/fedora" fgtiny 0.1 10
createrepo_c -q "$W/fedora"
# files that the release JSON, the appcast and the metalink list
sparse "$W/gh/download/v1.2.0/tool-1.2.0-x64.exe" 61863040
sparse "$W/gh/download/v1.2.0/tool-1.2.0-arm64.exe" 60000001
sparse "$W/gh/download/v1.2.0/tool-1.2.0.sha256" 100
sparse "$W/mac/vlc-3.0.20-universal.dmg" 102432776
sparse "$W/mac/vlc-3.0.19-universal.dmg" 101000000
sparse "$W/iso/debian-12.4.0-amd64-netinst.iso" 658505728
# a listing: 60 files and a subdirectory, nginx prints exact sizes
for i in $(seq 1 60); do sparse "$W/list/app-1.$i.iso" $((1000000 + i * 7919)); done
for i in 1 2 3; do sparse "$W/list/old/app-0.$i.iso" $((2000000 + i)); done
start_nginx "$W"
B="http://127.0.0.1:$NGINX_PORT"

python3 - "$W" "$B" <<'PY'
import json, os, sys
w, b = sys.argv[1], sys.argv[2]
def asset(rel):
    return {"name": os.path.basename(rel), "size": os.path.getsize(os.path.join(w, rel)),
            "updated_at": "2023-11-20T14:28:57Z", "browser_download_url": b + "/" + rel}
rels = [{"tag_name": "v1.2.0", "name": "tool 1.2.0", "assets": [asset("gh/download/v1.2.0/" + f)
        for f in ("tool-1.2.0-x64.exe", "tool-1.2.0-arm64.exe", "tool-1.2.0.sha256")]}]
json.dump(rels, open(os.path.join(w, "gh/releases.json"), "w"), indent=2)
with open(os.path.join(w, "mac/appcast.xml"), "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle">\n<channel><title>VLC</title>\n')
    for v in ("3.0.20", "3.0.19"):
        n = "mac/vlc-%s-universal.dmg" % v
        f.write('<item><title>%s</title><enclosure url="%s/%s" sparkle:version="%s" length="%d" '
                'type="application/octet-stream"/></item>\n' % (v, b, n, v, os.path.getsize(os.path.join(w, n))))
    f.write('</channel></rss>\n')
n = "iso/debian-12.4.0-amd64-netinst.iso"
with open(os.path.join(w, "iso/netinst.meta4"), "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<metalink xmlns="urn:ietf:params:xml:ns:metalink">\n'
            '<file name="%s"><size>%d</size>\n<url priority="2">http://mirror.invalid/%s</url>\n'
            '<url priority="1">%s/%s</url></file></metalink>\n' % (os.path.basename(n), os.path.getsize(os.path.join(w, n)), n, b, n))
PY

cat >"$T/m.seeds" <<SEEDS
[debian]
manifest = $B/debian/dists/stable/InRelease
min-size = $MIN

[fedora]
manifest = $B/fedora/repodata/repomd.xml
min-size = $MIN

[tool]
manifest = $B/gh/releases.json
manifest-format = github
min-size = $MIN

[vlc-mac]
manifest = $B/mac/appcast.xml
min-size = $MIN

[debian-cd]
manifest = $B/iso/netinst.meta4
min-size = $MIN

[listed]
manifest = $B/list/
min-size = $MIN
SEEDS

"$CRAWLER" -s "$T/st" --seeds "$T/m.seeds" --json >"$T/out.json" 2>"$T/err"
is "$?" 0 "crawl of six manifests exits 0"
[ -s "$T/err" ] && sed 's/^/# stderr: /' "$T/err" | head -20

{
	files_want "$W/debian/pool" "$B/debian/pool/" $MIN
	files_want "$W/fedora/Packages" "$B/fedora/Packages/" $MIN
	files_want "$W/gh/download" "$B/gh/download/" $MIN
	files_want "$W/mac" "$B/mac/" $MIN | grep '\.dmg '
	files_want "$W/iso" "$B/iso/" $MIN | grep '\.iso '
	files_want "$W/list" "$B/list/" $MIN
} | sort >"$T/want"
store_urls "$T/st" >"$T/got"
check "every listed file >= min-size stored with its exact size ($(wc -l <"$T/want"))" -- diff "$T/want" "$T/got"
is "$(grep -c '\.deb ' "$T/got")" 2 "  ... the two .deb of Packages.xz, not the one below min-size"
is "$(grep -c '\.rpm ' "$T/got")" 2 "  ... the two .rpm of primary.xml"
is "$(json_field "$T/out.json" manifests)" 9 "nine manifests read (InRelease, Packages.xz, repomd, primary, JSON, appcast, metalink, two listings)"
is "$(json_field "$T/out.json" errors.total)" 0 "  ... no errors"
like "$(grep -c 'Packages.xz' "$T/nginx/logs/access.log")" '^1$' "Packages.xz read, the best index the Release names"
is "$(grep -c 'binary-amd64/Packages\(.gz\)\? ' "$T/nginx/logs/access.log")" 0 "  ... not Packages nor Packages.gz"

# nothing listed was fetched or probed, but the listing's sample
probes=$(json_field "$T/out.json" listing_probes)
is "$(grep -cE '"(GET|HEAD) /(debian/pool|fedora/Packages|gh/download|mac/vlc|iso/debian)' "$T/nginx/logs/access.log")" 0 \
	"no request for any file a manifest lists"
is "$(grep -cE '"HEAD /list/' "$T/nginx/logs/access.log")" "$probes" "the listing's files: only the $probes sampled probes (1 in 50)"
is "$(grep -cE '"GET /list/.*\.iso' "$T/nginx/logs/access.log")" 0 "  ... and no GET of them"
"$STORETOOL" -s "$T/st" export >"$T/csv"
is "$(awk -F, 'NR > 1 && $5 == "manifest"' "$T/csv" | wc -l)" "$(( $(wc -l <"$T/want") - probes ))" \
	"source manifest on every unprobed file"
is "$(awk -F, 'NR > 1 && $5 == "crawler"' "$T/csv" | wc -l)" "$probes" "  ... crawler on the sampled ones"
like "$(grep tool-1.2.0-x64.exe "$T/csv")" ',tool,' "vendor label of the section"
check "store check passes" -- "$STORETOOL" -s "$T/st" check

# robots.txt holds for manifests too
: >"$T/nginx/logs/access.log"
printf 'User-agent: *\nDisallow: /gh/\n' >"$W/robots.txt"
"$CRAWLER" -s "$T/st-robots" --seeds "$T/m.seeds" --json >"$T/out-r.json" 2>/dev/null
is "$(grep -c 'GET /gh/releases.json' "$T/nginx/logs/access.log")" 0 "a manifest robots.txt disallows is not fetched"
is "$(store_urls "$T/st-robots" | grep -c /gh/)" 0 "  ... and nothing of it stored"
rm -f "$W/robots.txt"

# a second run: every static manifest answers 304; listings (no
# validators from autoindex) are read again, files are not fetched
: >"$T/nginx/logs/access.log"
"$CRAWLER" -s "$T/st" --seeds "$T/m.seeds" --json >"$T/out2.json" 2>"$T/err2"
is "$?" 0 "second run exits 0"
is "$(json_field "$T/out2.json" manifests_unchanged)" 5 "  ... InRelease, repomd, JSON, appcast, metalink unchanged (304)"
is "$(grep -c 'Packages.xz\|primary.xml' "$T/nginx/logs/access.log")" 0 "  ... so their indices are not fetched again"
is "$(grep -cE '"GET /(debian/pool|fedora/Packages|gh/download|mac/vlc|iso/debian)' "$T/nginx/logs/access.log")" 0 "  ... nor any file"
is "$(store_urls "$T/st")" "$(cat "$T/want")" "  ... the store unchanged"

# a listing that lies about one file: with listing-sample = 1 every file
# is probed; the wrong size is reported and the server's kept
mkdir -p "$W/lie"
for i in 1 2 3 4; do sparse "$W/lie/tool-$i.0.zip" $((3000000 + i)); done
curl -s "$B/lie/" | sed 's/ 3000003\(\r*\)$/ 3999999\1/' >"$T/lie.html"
grep -q 3999999 "$T/lie.html"; ok $? "  (the listing is nginx's own, one size changed)"
mv "$T/lie.html" "$W/lie/index.html"
cat >"$T/lie.seeds" <<SEEDS
[liar]
manifest = $B/lie/
manifest-format = listing
listing-sample = 1
SEEDS
"$CRAWLER" -s "$T/st-lie" --seeds "$T/lie.seeds" --json >"$T/out-lie.json" 2>"$T/err-lie"
is "$?" 0 "crawl of a lying listing exits 0"
like "$(cat "$T/err-lie")" "$B/lie/tool-3.0.zip: the listing says 3999999 bytes, the server 3000003: the server's size kept" \
	"  ... the wrong size reported with the URL"
is "$(json_field "$T/out-lie.json" listing_mismatch)" 1 "  ... counted once"
is "$(store_urls "$T/st-lie" | grep tool-3.0.zip)" "$B/lie/tool-3.0.zip 3000003" "  ... the probe's size kept"
is "$(store_urls "$T/st-lie" | wc -l)" 4 "  ... the other three stored as well"
done_testing
