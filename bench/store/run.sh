#!/bin/bash
# bench/store/run.sh - store benchmark: bulk insert of 1,000,000 downloads,
# then 1,000,000 random +-2 KiB range lookups, on one core (taskset -c 0).
# Usage: bench/store/run.sh [BUILDDIR]   (BUILDDIR defaults to .)
# Prints the machine, the date and the results; paste them into
# bench/RESULTS.md.
set -eu
B=${1:-.}
make -C "$B" -s bench/store/bench-store
D=$(mktemp -d "${TMPDIR:-/tmp}/bench-store.XXXXXX")
trap 'rm -rf "$D"' EXIT
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "disk: $(df -h "$D" | awk 'NR==2{print $1" ("$2")"}')"
# run NAME BATCH LOOKUPS DIST
run() {
	echo "--- $1: batches of $2, $3 lookups, $4 sizes"
	BENCH_BATCH=$2 /usr/bin/time -f "peak RSS %M KiB, %e s wall, %U s user, %S s sys" \
		taskset -c 0 "$B/bench/store/bench-store" "$D/$1" 1000000 "$3" 2048 "$4"
	rm -rf "${D:?}/$1"
}
run small-batches 10000 1000000 uniform
run bulk 100000 1000000 uniform
# log-uniform sizes crowd the small end: ~56 downloads in each +-2 KiB window
run crowded 100000 100000 loguniform
