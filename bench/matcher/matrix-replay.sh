#!/bin/bash
# bench/matcher/matrix-replay.sh - replay a kept matrix run through another
# build's matcher and score it again (issue 12): the same records, so a
# change to the model is measured on exactly the traffic it was not
# tuned on.
#
#   bench/matcher/matrix-replay.sh KEPT_DIR [BUILDDIR]
#
# KEPT_DIR is what bench/matcher/matrix.sh left with KEEP=DIR (nfcapd
# files nf-METER/, store.csv, the servers' logs, cells, plan, files,
# sizes).  The store is made again from store.csv with BUILDDIR's
# flowgrab-store, every meter's nfcapd files are read with BUILDDIR's
# flowgrab-matcher --nfcapd (the collector's own output, m-METER.json,
# stays the recorded one), and bench/matcher/matrix-eval.py scores the
# copy.  Nothing in KEPT_DIR is changed; the copy is in a temporary
# directory, removed at the end unless OUT=DIR is given.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
K=${1:?usage: matrix-replay.sh KEPT_DIR [BUILDDIR]}
B=$(cd "${2:-$SRC}" && pwd)
[ -f "$K/store.csv" ] && [ -f "$K/cells" ] ||
	{ echo "matrix-replay.sh: $K is no kept matrix run (store.csv, cells)" >&2; exit 2; }
W=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/fg-replay.XXXXXX")}
[ -z "${OUT:-}" ] && trap 'rm -rf "$W"' EXIT
mkdir -p "$W" || exit 1
cp -r "$K"/. "$W/" || exit 1
rm -rf "$W/store"
"$B/store/flowgrab-store" -s "$W/store" -q import "$W/store.csv" ||
	{ echo "matrix-replay.sh: import of $K/store.csv failed" >&2; exit 1; }
for d in "$W"/nf-*; do
	[ -d "$d" ] || continue
	name=${d##*/nf-}
	"$B/matcher/flowgrab-matcher" -s "$W/store" -f json --min-size 100k \
	    --min-confidence 0 --unmatched --nfcapd "$d" \
	    > "$W/nfm-$name.json" 2> "$W/nfm-$name.err" ||
		{ echo "matrix-replay.sh: matcher failed on $d: $(tail -1 "$W/nfm-$name.err")" >&2; exit 1; }
done
echo "# replay of $K through $B ($(git -C "$SRC" describe --always --dirty 2>/dev/null)), $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 "$SRC/bench/matcher/matrix-eval.py" "$W"
