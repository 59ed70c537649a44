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
for dist in uniform loguniform; do
	echo "--- $dist"
	/usr/bin/time -f "peak RSS %M KiB, %e s wall, %U s user, %S s sys" \
		taskset -c 0 "$B/bench/store/bench-store" "$D/$dist" 1000000 1000000 2048 "$dist"
	rm -rf "${D:?}/$dist"
done
