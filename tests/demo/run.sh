#!/bin/bash
# tests/demo/run.sh - README's first command: install what is missing,
# build, and run flowgrab on the embedded demo.
#
# The crawler and matcher demo (a demo vendor site, a crawl, a packet
# capture replayed through softflowd into the matcher) lands with them; until
# then this shows the store at work on the shipped sample references:
# import, stats, and the size lookups the matcher will make.
set -eu
cd "$(dirname "$0")/../.."
SRC=$(pwd)
tests/install-deps.sh
./autogen.sh >/dev/null
mkdir -p build/demo
(cd build/demo && "$SRC/configure" -q >/dev/null && make -s -j2 >/dev/null)
FS=build/demo/store/flowgrab-store
S=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-demo.XXXXXX")
trap 'rm -rf "$S"' EXIT
echo "+ flowgrab-store -s STORE import tests/demo/sample.csv"
"$FS" -s "$S/store" import tests/demo/sample.csv
echo "+ flowgrab-store -s STORE stats"
"$FS" -s "$S/store" stats
# A download of agent-1.0.0-patch.bin (20,583,980 bytes) over HTTP carries
# about 250 bytes of response header: look the payload up with a tolerance.
echo "+ flowgrab-store -s STORE lookup 20584230 --tolerance 300"
"$FS" -s "$S/store" lookup 20584230 --tolerance 300
