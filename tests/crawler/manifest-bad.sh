#!/bin/bash
# tests/crawler/manifest-bad.sh - bad manifests served by nginx: a
# Packages.xz cut short (its Release says the full size), a Packages.gz
# cut short, gzip and zstd bombs, a Packages with a malformed Size, release
# JSON with a negative size and JSON cut short, an appcast that is not
# XML, a repomd whose primary's size is wrong.  Each gives one error
# naming its URL; nothing of it is stored; what good runs stored before is
# all still there, also for a manifest that was good and went bad; memory
# stays bounded by --max-manifest.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
. "$FG_SRCDIR/tests/crawler/manifest-lib.sh"
need_cmd nginx python3 truncate dpkg-deb dpkg-scanpackages apt-ftparchive \
	gpg rpmbuild createrepo_c xz gzip zstd
[ -x /usr/bin/time ] || skip_all "/usr/bin/time not installed"

W="$T/www"
make_deb "$W/debian" hello-fg 2.10-3 amd64 300000
make_deb "$W/debian" tzdata-fg 2024a-0 all 200000
deb_index "$W/debian" stable
make_rpm "$W/fedora" fgcurl 8.0.1 250000
createrepo_c -q "$W/fedora"
sparse "$W/gh/tool-1.0-x64.exe" 5000000
start_nginx "$W"
B="http://127.0.0.1:$NGINX_PORT"
printf '{"tag_name":"v1.0","assets":[{"name":"tool-1.0-x64.exe","size":5000000,"browser_download_url":"%s/gh/tool-1.0-x64.exe"}]}\n' "$B" >"$W/gh/release.json"

cat >"$T/good.seeds" <<SEEDS
[debian]
manifest = $B/debian/dists/stable/InRelease
min-size = 1000

[fedora]
manifest = $B/fedora/repodata/repomd.xml
min-size = 1000

[tool]
manifest = $B/gh/release.json
SEEDS
"$CRAWLER" -s "$T/st" --seeds "$T/good.seeds" --json >"$T/good.json" 2>"$T/good.err"
is "$?" 0 "a good run first"
is "$(store_urls "$T/st" | wc -l)" 4 "  ... stores two .deb, one .rpm, one asset"
store_urls "$T/st" >"$T/before"
"$STORETOOL" -s "$T/st" export >"$T/before.csv"

# now every one of them goes bad, and more bad ones join
P="$W/debian/dists/stable/main/binary-amd64"
cp "$P/Packages" "$T/Packages.good"
sed -i 's/^Size: \([0-9]*\)$/Size: \1x/' "$P/Packages"	# every Size malformed
rm -f "$P/Packages.gz" "$P/Packages.xz"; xz -k "$P/Packages"
deb_release "$W/debian" stable	# the Release agrees with the bad index
# a Packages.xz cut short, its Release naming the full size
mkdir -p "$W/cut/dists/stable/main/binary-amd64"
cp "$T/Packages.good" "$W/cut/dists/stable/main/binary-amd64/Packages"
xz -k "$W/cut/dists/stable/main/binary-amd64/Packages"
rm "$W/cut/dists/stable/main/binary-amd64/Packages"
deb_release "$W/cut" stable
xzf="$W/cut/dists/stable/main/binary-amd64/Packages.xz"
truncate -s $(( $(stat -c %s "$xzf") - 30 )) "$xzf"
# a Packages.gz cut short, read on its own
mkdir -p "$W/gz"; gzip -c "$T/Packages.good" >"$W/gz/Packages.gz"
truncate -s $(( $(stat -c %s "$W/gz/Packages.gz") - 12 )) "$W/gz/Packages.gz"
# bombs: 400 MiB of zeros in a few hundred KiB (gzip) and fewer (zstd)
head -c 400M /dev/zero | gzip -1 >"$W/gz/bomb.gz"
head -c 400M /dev/zero | zstd -q -3 -c >"$W/gz/bomb.zst"
# the release JSON: a negative size; another cut short
printf '{"tag_name":"v1.1","assets":[{"name":"tool-1.1-x64.exe","size":-1,"browser_download_url":"%s/gh/tool-1.1-x64.exe"}]}\n' "$B" >"$W/gh/release.json"
head -c 60 "$W/gh/release.json" >"$W/gh/cut.json"
# an appcast that is not XML
printf '<rss><channel><item><enclosure url="%s/x.dmg" length="5000000">\n</channel>\n' "$B" >"$W/gh/appcast.xml"
# repomd.xml whose primary size is not the file's
sed -i 's|\(<data type="primary">.*\)|\1|; /<data type="primary">/,/<\/data>/ s|<size>[0-9]*</size>|<size>7</size>|' \
	"$W/fedora/repodata/repomd.xml"
grep -q '<size>7</size>' "$W/fedora/repodata/repomd.xml"; ok $? "  (repomd.xml now says the primary is 7 bytes)"

cat >"$T/bad.seeds" <<SEEDS
$(cat "$T/good.seeds")

[cut]
manifest = $B/cut/dists/stable/InRelease

[gz]
manifest = $B/gz/Packages.gz
manifest = $B/gz/bomb.gz
manifest = $B/gz/bomb.zst
manifest-format = deb-packages

[json]
manifest = $B/gh/cut.json

[appcast]
manifest = $B/gh/appcast.xml
SEEDS
# (under AddressSanitizer, freed buffers are held in its quarantine and
# would be counted: none for this run, so that RSS is what is live)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
/usr/bin/time -f '%M' -o "$T/rss" "$CRAWLER" -s "$T/st" --seeds "$T/bad.seeds" \
	--reprobe-after 0 --max-manifest 32M --json >"$T/bad.json" 2>"$T/bad.err"
is "$?" 0 "a run of bad manifests exits 0 (they are counted errors)"
err=$(cat "$T/bad.err")
like "$err" "$B/debian/dists/stable/main/binary-amd64/Packages.xz: deb-packages: line 1: package 'pool/main/h/hello-fg/hello-fg_2.10-3_amd64.deb' has a malformed Size: nothing of it stored" \
	"malformed Size: the URL, the line and the package named"
like "$err" "$B/cut/dists/stable/main/binary-amd64/Packages.xz: [0-9]+ bytes, but the index that lists it says [0-9]+: truncated" \
	"a Packages.xz cut short: its size against the Release's"
like "$err" "$B/gz/Packages.gz: gzip: truncated" "a Packages.gz cut short"
like "$err" "$B/gz/bomb.gz: gzip: decompressed size above 33554432 bytes" "a gzip bomb: refused at --max-manifest"
like "$err" "$B/gz/bomb.zst: zstd: decompressed size above 33554432 bytes" "a zstd bomb: refused at --max-manifest"
like "$err" "$B/gh/release.json: github: release v1.1, asset 'tool-1.1-x64.exe': size is not a positive integer" \
	"a negative size in release JSON"
like "$err" "$B/gh/cut.json: github: JSON: line 1 column [0-9]+: " "JSON cut short: line and column"
like "$err" "$B/gh/appcast.xml: appcast: XML: line [0-9]+: " "an appcast that is not XML: the line"
like "$err" "$B/fedora/repodata/[0-9a-f]+-primary.xml.gz: [0-9]+ bytes, but the index that lists it says 7" \
	"repomd.xml's wrong primary size"
is "$(json_field "$T/bad.json" errors.manifest)" 9 "nine manifests refused"
is "$(store_urls "$T/st")" "$(cat "$T/before")" "nothing stored from them, nothing stored before lost"
"$STORETOOL" -s "$T/st" export | awk -F, '{ print $1, $2, $3, $5, $6 }' >"$T/after.cols"
awk -F, '{ print $1, $2, $3, $5, $6 }' "$T/before.csv" >"$T/before.cols"
check "  ... vendor, source and state of each as before" -- diff "$T/before.cols" "$T/after.cols"
rss=$(cat "$T/rss")
ok $(( rss < 200000 ? 0 : 1 )) "memory bounded: peak RSS $((rss / 1024)) MiB with two 400 MiB bombs (limit 32 MiB)"

# the good ones back: the next run reads them again (no validators were
# saved for the refused ones) and the store is as before
cp "$T/Packages.good" "$P/Packages"; rm -f "$P/Packages.xz"; xz -k "$P/Packages"
deb_release "$W/debian" stable
"$CRAWLER" -s "$T/st" --seeds "$T/good.seeds" --json >"$T/again.json" 2>/dev/null
is "$(json_field "$T/again.json" errors.manifest)" 1 "the repaired Debian archive is read again (repomd.xml still wrong)"
is "$(store_urls "$T/st")" "$(cat "$T/before")" "  ... and the store holds the same"
done_testing
