#!/bin/bash
# tests/store/prune.sh - flowgrab-store prune --keep-latest on a store the
# real crawler builds from nginx serving vendor trees laid out as the real
# vendors lay them out (Mozilla's releases/VERSION/PLATFORM/LOCALE/, VLC's
# VERSION/PLATFORM/, a Debian pool): the newest N versions of each product
# and platform stay with every locale, everything else of theirs goes,
# downloads without a version stay, --dry-run changes nothing.
. "$FG_SRCDIR/tests/lib.sh"
. "$FG_SRCDIR/tests/crawler/common.sh"
. "$FG_SRCDIR/tests/crawler/nginx-lib.sh"
need_cmd nginx python3 truncate

W="$T/www"
# file PATH: a sparse file of a size told from its path, >= 2 MiB
file() {
	mkdir -p "$(dirname "$W/$1")"
	truncate -s $(( (2 << 20) + $(printf '%s' "$1" | cksum | cut -d' ' -f1) % 100000000 )) "$W/$1"
}
for v in 119.0 120.0 120.0.1 121.0; do
	for loc in en-US de; do
		file "pub/firefox/releases/$v/win64/$loc/Firefox Setup $v.exe"
		file "pub/firefox/releases/$v/linux-x86_64/$loc/firefox-$v.tar.bz2"
	done
done
# a platform with one version only: kept whatever N
file "pub/firefox/releases/121.0/mac/en-US/Firefox 121.0.dmg"
for v in 3.0.9 3.0.18 3.0.20; do
	file "pub/videolan/vlc/$v/win64/vlc-$v-win64.exe"
	file "pub/videolan/vlc/$v/vlc-$v.tar.xz"
done
file "pub/videolan/vlc/3.0.20/win32/vlc-3.0.20-win32.exe"
for v in 7.74.0-1.3+deb11u11 7.88.1-10+deb12u4 7.88.1-10+deb12u5; do
	file "debian/pool/main/c/curl/curl_${v}_amd64.deb"
done
file "debian/pool/main/c/curl/curl_7.88.1-10+deb12u5_arm64.deb"
# no version anywhere: never pruned by --keep-latest
file "pub/tools/setup.exe"
start_nginx "$W"
B="http://127.0.0.1:$NGINX_PORT"

"$CRAWLER" -s "$T/st" --vendor mozilla "$B/pub/firefox/releases/" 2>"$T/err1" &&
	"$CRAWLER" -s "$T/st" --vendor videolan "$B/pub/videolan/vlc/" 2>"$T/err2" &&
	"$CRAWLER" -s "$T/st" --vendor debian "$B/debian/pool/" 2>"$T/err3" &&
	"$CRAWLER" -s "$T/st" --vendor tools "$B/pub/tools/" 2>"$T/err4"
is "$?" 0 "four crawls exit 0"
total=$(find "$W" -type f | wc -l)
is "$(store_urls "$T/st" | wc -l)" "$total" "every file stored ($total)"

# what must stay with --keep-latest 2 (by hand, not by the code's rules)
cat >"$T/keep2" <<KEEP
pub/firefox/releases/120.0.1/linux-x86_64/de/firefox-120.0.1.tar.bz2
pub/firefox/releases/120.0.1/linux-x86_64/en-US/firefox-120.0.1.tar.bz2
pub/firefox/releases/120.0.1/win64/de/Firefox%20Setup%20120.0.1.exe
pub/firefox/releases/120.0.1/win64/en-US/Firefox%20Setup%20120.0.1.exe
pub/firefox/releases/121.0/linux-x86_64/de/firefox-121.0.tar.bz2
pub/firefox/releases/121.0/linux-x86_64/en-US/firefox-121.0.tar.bz2
pub/firefox/releases/121.0/mac/en-US/Firefox%20121.0.dmg
pub/firefox/releases/121.0/win64/de/Firefox%20Setup%20121.0.exe
pub/firefox/releases/121.0/win64/en-US/Firefox%20Setup%20121.0.exe
pub/videolan/vlc/3.0.18/vlc-3.0.18.tar.xz
pub/videolan/vlc/3.0.18/win64/vlc-3.0.18-win64.exe
pub/videolan/vlc/3.0.20/vlc-3.0.20.tar.xz
pub/videolan/vlc/3.0.20/win32/vlc-3.0.20-win32.exe
pub/videolan/vlc/3.0.20/win64/vlc-3.0.20-win64.exe
debian/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u4_amd64.deb
debian/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u5_amd64.deb
debian/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u5_arm64.deb
pub/tools/setup.exe
KEEP
sed "s|^|$B/|" "$T/keep2" | sort >"$T/keep2.url"

before=$("$STORETOOL" -s "$T/st" export | md5sum)
out=$("$STORETOOL" -s "$T/st" prune --keep-latest 2 --dry-run)
is "$?" 0 "prune --keep-latest 2 --dry-run exits 0"
like "$out" "firefox win64 \(mozilla\): keep 121.0 120.0.1; would prune 120.0 \(2\), 119.0 \(2\)" \
	"  ... names product, platform, the versions kept and the ones to go"
like "$out" "vlc win64 \(videolan\): keep 3.0.20 3.0.18; would prune 3.0.9 \(1\)" "  ... 3.0.9 is older than 3.0.18"
like "$out" "curl amd64 \(debian\): keep 7.88.1-10\+deb12u5 7.88.1-10\+deb12u4; would prune 7.74.0-1.3\+deb11u11 \(1\)" \
	"  ... Debian revisions ordered as dpkg orders them"
like "$out" "would prune $((total - 18)) downloads" "  ... counts $((total - 18))"
is "$("$STORETOOL" -s "$T/st" export | md5sum)" "$before" "  ... and changes nothing"

out=$("$STORETOOL" -s "$T/st" prune --keep-latest 2)
like "$out" "pruned $((total - 18)) downloads" "prune --keep-latest 2 prunes $((total - 18))"
store_urls "$T/st" | awk '{ print $1 }' >"$T/left"
check "  ... what is left is the newest two of each product and platform, every locale" -- \
	diff "$T/keep2.url" "$T/left"
check "  ... store check passes" -- "$STORETOOL" -s "$T/st" check
check "  ... stats: the kept counters agree with what is left" -- stats_agree "$T/st"
is "$("$STORETOOL" -s "$T/st" prune --keep-latest 2)" "pruned 0 downloads" "a second run prunes nothing"

# one product, one vendor at a time
out=$("$STORETOOL" -s "$T/st" -v prune --keep-latest 1 --product vlc)
like "$out" "vlc win64 \(videolan\): keep 3.0.20; prune 3.0.18 \(1\)" "--product vlc: only vlc"
like "$out" "vlc - \(videolan\): keep 3.0.20; prune 3.0.18 \(1\)" "  ... the source tarball (no platform) on its own"
like "$out" "  $B/pub/videolan/vlc/3.0.18/win64/vlc-3.0.18-win64.exe" "  ... -v lists each URL pruned"
like "$out" "pruned 2 downloads" "  ... win64 and the source tarball"
is "$(store_urls "$T/st" | grep -c firefox)" 9 "  ... firefox untouched"

# vendor labels group too: the same product under two vendors is two groups
"$CRAWLER" -s "$T/st" --vendor mirror "$B/pub/firefox/releases/119.0/" 2>/dev/null
is "$(store_urls "$T/st" | grep -c /119.0/)" 4 "a mirror vendor adds 119.0 back"
out=$("$STORETOOL" -s "$T/st" prune --keep-latest 1 --product firefox --dry-run)
like "$out" "firefox win64 \(mozilla\): keep 121.0; would prune 120.0.1 \(2\)" "  ... mozilla's firefox keeps its newest"
is "$(printf '%s\n' "$out" | grep -c mirror)" 0 "  ... the mirror's only version is its newest: kept"
# usage errors
"$STORETOOL" -s "$T/st" prune --keep-latest 0 2>/dev/null; is $? 2 "--keep-latest 0 is a usage error"
"$STORETOOL" -s "$T/st" prune --keep-latest x 2>/dev/null; is $? 2 "--keep-latest x is a usage error"
"$STORETOOL" -s "$T/st" prune --product vlc 2>/dev/null; is $? 2 "--product without --keep-latest is a usage error"
done_testing
