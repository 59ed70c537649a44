#!/bin/bash
# tests/store/tool.sh - flowgrab-store, each command, against stores this
# test makes: import (good, bad and long lines, stdin), list/export/lookup
# in every format, export read back by import, stats, prune, check, exit
# codes, --help, and the errors for missing, unwritable, foreign stores.
. "${FG_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

FS=$FLOWGRAB_STORE
S=$T/store

cat >"$T/in.csv" <<'CSV'
# references from elsewhere
url,size,vendor,source,ignored
https://dl.example/pub/app-1.0.tar.gz,10485760,acme,crawler,x
https://dl.example/pub/app-1.1.tar.gz,10485761,acme,,x
https://mirror.example/get?id=3,5000000,"Big, Corp",import,x
https://dl.example/pub/old.iso,20000000,acme,observed,x
not-a-url,12,x,,x
https://dl.example/pub/bad.iso,12x,x,,x
https://dl.example/pub/bad2.iso,100,x,nosuch,x
"https://dl.example/unterminated,100,x,,x
CSV

out=$("$FS" -s "$S" import "$T/in.csv" 2>"$T/err"); st=$?
is "$st" 1 "import with rejected lines exits 1"
like "$(cat "$T/err")" "in.csv:7: url is not http" "bad URL named with file:line"
like "$(cat "$T/err")" "in.csv:8: size is not a positive" "bad size named with file:line"
like "$(cat "$T/err")" "in.csv:9: unknown source" "bad source named with file:line"
like "$(cat "$T/err")" "in.csv:10: unterminated quote" "bad quoting named with file:line"
like "$(cat "$T/err")" "imported 4 new, 0 changed, 0 unchanged, 4 rejected" "import summary"

n=$("$FS" -s "$S" export | tail -n +2 | wc -l)
is "$n" 4 "good lines all stored"
head=$("$FS" -s "$S" export | head -1)
like "$head" "^url,size,vendor,file,source,state," "CSV header names url,size,vendor,...,source"
row=$("$FS" -s "$S" export | grep mirror.example)
like "$row" '^https://mirror.example/get\?id=3,5000000,"Big, Corp",,import,alive' "CSV quoting of a comma"
like "$("$FS" -s "$S" export | grep old.iso)" ",observed," "source column kept"

# the manifest source (a crawler-only source, but import and export carry it)
printf 'url,size,source\nhttps://m.example/pool/hello_2.10-3_all.deb,2000000,manifest\n' |
	"$FS" -q -s "$T/store3" import -
is "$("$FS" -s "$T/store3" list --source manifest --format csv | tail -n +2 | cut -d, -f1,5)" \
	"https://m.example/pool/hello_2.10-3_all.deb,manifest" "source manifest imported, listed and exported"
like "$("$FS" -s "$T/store3" stats)" "manifest 1" "  ... and counted by stats"
like "$("$FS" -s "$T/store3" list --format json)" '"product":"hello","version":"2.10-3","platform":"all"' \
	"  ... list JSON carries product, version and platform"

# table, json
out=$("$FS" -s "$S" list)
like "$out" "SIZE +VENDOR +STATE +SOURCE +URL" "list: table header"
like "$out" "10485761 acme +alive import +https://dl.example/pub/app-1.1.tar.gz" "list: table row"
out=$("$FS" -s "$S" list --format json --vendor acme)
is "$(printf '%s\n' "$out" | wc -l)" 3 "list --vendor filters, JSON Lines"
printf '%s\n' "$out" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]'
ok $? "list --format json is valid JSON Lines"
is "$("$FS" -s "$S" list --limit 2 | tail -n +2 | wc -l)" 2 "list --limit"

# lookup
out=$("$FS" -s "$S" lookup 10485760)
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l)" 1 "exact lookup finds one"
out=$("$FS" -s "$S" lookup 10485760 --tolerance 1 --format csv)
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l)" 2 "lookup with tolerance finds the neighbour"
like "$(printf '%s\n' "$out" | head -1)" ",delta$" "lookup CSV has a delta column"
like "$(printf '%s\n' "$out" | sed -n 3p)" ",1$" "neighbour delta +1, nearest first"
out=$("$FS" -s "$S" lookup 10M --format json)
like "$out" '"delta":0' "lookup accepts 10M and prints JSON"
"$FS" -s "$S" lookup 7777 >/dev/null; is $? 1 "lookup with no match exits 1"
"$FS" -s "$S" lookup abc >/dev/null 2>&1; is $? 2 "lookup of a non-number is a usage error"

# stats
out=$("$FS" -s "$S" stats)
like "$out" "downloads: +4 \(4 alive, 0 gone\)" "stats counts"
like "$out" "acme +3" "stats vendors"
like "$out" "bytes per download" "stats store size"
out=$("$FS" -s "$S" stats --format json)
is "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["downloads"], d["sources"]["observed"], d["sizes"]["10-100 MiB"])')" "4 1 3" "stats JSON"
check "stats: the kept counters agree with the export after an import" -- stats_agree "$S"

# export -> import round trip into a second store keeps every field
"$FS" -s "$S" export >"$T/exp.csv"
"$FS" -q -s "$T/store2" import "$T/exp.csv"; is $? 0 "export reads back with import"
diff <("$FS" -s "$S" export) <("$FS" -s "$T/store2" export) >"$T/diff"
ok $? "round trip keeps every column"
cat "$T/diff" | head -5 | sed 's/^/# /'

# stdin import, update of a known URL
printf 'size,url\n10485999,https://dl.example/pub/app-1.0.tar.gz\n' |
	"$FS" -s "$S" import - 2>"$T/err"
like "$(cat "$T/err")" "0 new, 1 changed" "import - reads stdin and updates a known URL"
"$FS" -s "$S" lookup 10485999 >/dev/null; is $? 0 "updated size is indexed"
"$FS" -s "$S" lookup 10485760 >/dev/null; is $? 1 "old size no longer indexed"

# header without url/size, empty input, over-long line
printf 'name,bytes\nx,1\n' | "$FS" -s "$S" import - 2>"$T/err"; is $? 1 "header without url,size refused"
like "$(cat "$T/err")" "\(stdin\):1: header must name the columns url and size" "header error names the line"
: | "$FS" -s "$S" import - 2>"$T/err"; is $? 1 "empty input refused"
{ echo url,size; printf 'https://x.example/%0*d,5\n' 20000 0; echo https://x.example/ok.bin,77; } |
	"$FS" -s "$S" import - 2>"$T/err"; is $? 1 "over-long line rejected"
like "$(cat "$T/err")" ":2: line longer than" "over-long line named"
"$FS" -s "$S" lookup 77 >/dev/null; is $? 0 "line after an over-long one still imported"
check "stats: the kept counters agree after an import that changed a size" -- stats_agree "$S"

# observed references: their columns checked, a good line kept beside bad ones
{ echo url,size,label,server_port,payload,payload_sd,data_octets,data_packets,source
  echo 'observed://192.0.2.1:80/5000,5000,lab,80,abc,1,5300,8,'
  echo 'observed://192.0.2.1:80/5001,5001,lab,70000,5001,1,5300,8,'
  echo 'observed://192.0.2.1:80/5002,5002,lab,80,5002,1,5300,8,crawler'
  echo 'observed://192.0.2.1:80/5003,5003,lab,80,5003,1.5,5300,8,'; } |
	"$FS" -s "$S" import - 2>"$T/err"; is $? 1 "bad observation lines rejected"
like "$(cat "$T/err")" ":2: payload is not a whole number" "a bad payload named"
like "$(cat "$T/err")" ":3: server_port is not a port" "a bad port named"
like "$(cat "$T/err")" ":4: a payload \(an observation\) with a source other than observed" \
    "an observation of another source named"
is "$("$FS" -s "$S" list --source observed -f csv | awk -F, '$1 ~ /5003$/ { print $5, $13, $15, $22, $23 }')" \
    "observed lab 80 5003 1.5" "the good observation line imported as observed"
printf 'url,size\nobserved://192.0.2.1:80/5003,5003\n' | "$FS" -s "$S" -q import -
is "$("$FS" -s "$S" list --source observed -f csv | awk -F, '$1 ~ /5003$/ { print $5, $13, $22 }')" \
    "observed lab 5003" "a line without the observation keeps the stored one"

# prune
"$FS" -s "$S" prune >/dev/null 2>&1; is $? 2 "prune without a criterion is a usage error"
out=$("$FS" -s "$S" prune --vendor acme --dry-run)
is "$out" "would prune 3 downloads" "prune --dry-run counts"
out=$("$FS" -s "$S" prune --older-than 1)
is "$out" "pruned 0 downloads" "nothing older than a day"
out=$("$FS" -s "$S" prune --vendor "Big, Corp")
is "$out" "pruned 1 download" "prune one vendor"
"$FS" -s "$S" lookup 5000000 >/dev/null; is $? 1 "pruned download gone from the index"
check "stats: the kept counters agree after a prune" -- stats_agree "$S"
is "$(printf '%s' "$("$FS" -s "$S" stats --format json)" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["vendors"]))')" \
	"['', 'acme']" "  ... a pruned vendor's (Big, Corp) last download takes it out of stats"

# check
out=$("$FS" -s "$S" check); is $? 0 "check passes on a good store"
like "$out" "0 problems" "check reports no problems"

# help, version, usage errors
for c in stats list export lookup import prune check; do
	"$FS" $c --help | grep -q "^usage: flowgrab-store -s DIR $c"
	ok $? "$c --help"
done
like "$("$FS" --version)" "^flowgrab-store [0-9]" "--version"
"$FS" -s "$S" frobnicate 2>/dev/null; is $? 2 "unknown command exits 2"
"$FS" list 2>"$T/err"; is $? 2 "no -s exits 2"
"$FS" -s "$S" list --format yaml 2>/dev/null; is $? 2 "unknown format exits 2"

# unusable stores
"$FS" -s "$T/nothing" stats 2>"$T/err"; is $? 3 "missing store exits 3"
like "$(cat "$T/err")" "$T/nothing: .*no store there yet" "missing store named"
mkdir -p "$T/junk"; head -c 20000 /dev/urandom >"$T/junk/data.mdb"
"$FS" -s "$T/junk" stats 2>"$T/err"; is $? 3 "damaged store exits 3"
like "$(cat "$T/err")" "$T/junk: not a flowgrab store, or a damaged one" "damaged store named"
before=$("$FS" -s "$S" export | md5sum)
mkdir -p "$T/ro"; cp "$S"/*.mdb "$T/ro/"; chmod 0555 "$T/ro"; chmod 0444 "$T/ro"/*
if [ "$(id -u)" = 0 ]; then
	as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_other() { "$@"; }
fi
chmod 0755 "$T"
printf 'url,size\nhttps://new.example/a.bin,5\n' >"$T/one.csv"; chmod 0644 "$T/one.csv"
as_other "$FS" -s "$T/ro" import "$T/one.csv" 2>"$T/err"; is $? 3 "unwritable store exits 3"
like "$(cat "$T/err")" "$T/ro: Permission denied" "unwritable store named"
as_other "$FS" -s "$T/ro/sub" import "$T/one.csv" 2>"$T/err"; is $? 3 "store in an unwritable directory exits 3"
like "$(cat "$T/err")" "$T/ro/sub: cannot create store directory" "unwritable parent named"
is "$("$FS" -s "$S" export | md5sum)" "$before" "failed writes lost nothing"
done_testing
