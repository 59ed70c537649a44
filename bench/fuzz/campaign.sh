#!/bin/bash
# bench/fuzz/campaign.sh - a long fuzzing campaign: every libFuzzer harness
# (tests/*/fuzz-*.c) in turn for a given CPU time, from its seed corpus
# tests/fuzz/corpus/NAME/; of what it grows, the inputs that add coverage
# are added to tests/fuzz/corpus/NAME/ (-merge=1 into it, which keeps
# every file there, named regression seeds too).
# Prints (and appends to the results file) one line per harness: date,
# seconds, executions, coverage (libFuzzer's cov and ft), corpus files
# before and after, crashes.
#
#   bench/fuzz/campaign.sh [-b BUILDDIR] [-t SECONDS] [-o RESULTS] [NAME...]
#
#   -b  a build tree configured with CC=clang --enable-fuzzing
#       (default build/fuzz, as tests/check-all.sh makes it)
#   -t  CPU seconds per harness (default 3600), user + system as
#       /usr/bin/time measures them: libFuzzer's -max_total_time is wall
#       time, so it is run again on what it grew until its processes have
#       had that much CPU (on a shared core, longer than -t); under nice.
#       The row gives the CPU seconds measured and the executions summed
#   -o  results file, Markdown table rows appended (default
#       bench/fuzz/results.md); copy what matters to bench/RESULTS.md
#   NAME  harnesses to run (fuzz-url, fuzz-record, ...; default all)
#
# A crash, leak or sanitizer error leaves its reproducer as
# BUILDDIR/tests/DIR/NAME-crash-* and makes the exit status 1.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build/fuzz
secs=3600
out=$src/bench/fuzz/results.md
while getopts b:t:o: opt; do
	case $opt in
	b) build=$(cd "$OPTARG" && pwd) ;;
	t) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,22p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $secs in ''|*[!0-9]*) echo "campaign.sh: -t wants seconds" >&2; exit 2 ;; esac
if ! "$build/config.status" --config 2>/dev/null | grep -q -- '--enable-fuzzing'; then
	echo "campaign.sh: $build is not configured with --enable-fuzzing (CC=clang)" >&2
	exit 2
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-campaign.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
[ -s "$out" ] || printf '| date | harness | CPU s | executions | cov | ft | corpus before | after | crashes |\n|---|---|---|---|---|---|---|---|---|\n' >> "$out"
failed=0
for c in "$src"/tests/*/fuzz-*.c; do
	name=$(basename "$c" .c)
	dir=$(basename "$(dirname "$c")")
	corpus=$src/tests/fuzz/corpus/${name#fuzz-}
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	if ! make -C "$build" -s "tests/$dir/$name" > "$scratch/$name.build" 2>&1; then
		echo "$name: does not build"; cat "$scratch/$name.build"
		failed=1; continue
	fi
	bin=$build/tests/$dir/$name
	mkdir -p "$corpus" "$scratch/$name.grown"
	before=$(ls "$corpus" | wc -l)
	args=(-rss_limit_mb=2048 -timeout=10 -close_fd_mask=2 -print_final_stats=1
	    -artifact_prefix="$build/tests/$dir/$name-")
	[ -f "$src/tests/fuzz/$name.dict" ] && args+=(-dict="$src/tests/fuzz/$name.dict")
	start=$(date -u +%Y-%m-%dT%H:%MZ)
	: > "$scratch/$name.start"	# artifacts newer than this are this run's
	# libFuzzer's -max_total_time is wall time: run it again on what it
	# grew until the process has had the CPU time asked for (a core
	# shared with other work gives it less than its wall time)
	cpu=0 execs=0 rc=0 round=0
	: > "$scratch/$name.log"
	while [ "$rc" -eq 0 ] && [ "$cpu" -lt "$secs" ]; do
		left=$((secs - cpu))
		[ "$left" -lt 30 ] && [ "$secs" -ge 30 ] && left=30
		round=$((round + 1))
		(cd "$build" && nice -n 10 /usr/bin/time -f '%U %S' \
		    -o "$scratch/$name.time" "$bin" "${args[@]}" \
		    -max_total_time="$left" "$scratch/$name.grown" "$corpus") \
		    > "$scratch/$name.round" 2>&1
		rc=$?
		cat "$scratch/$name.round" >> "$scratch/$name.log"
		c=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { printf "%d", $1 + $2 + 0.5 }' "$scratch/$name.time" 2>/dev/null)
		e=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.round" | grep -o '[0-9]*$' | tail -1)
		cpu=$((cpu + ${c:-0})) execs=$((execs + ${e:-0}))
		[ "${c:-0}" -eq 0 ] && break	# no time measured: do not spin
	done
	cov=$(grep -o 'cov: [0-9]*' "$scratch/$name.log" | tail -1 | grep -o '[0-9]*')
	ft=$(grep -o 'ft: [0-9]*' "$scratch/$name.log" | tail -1 | grep -o '[0-9]*')
	crashes=$(find "$build/tests/$dir" -maxdepth 1 -name "$name-*" \
	    -newer "$scratch/$name.start" | wc -l)
	# the finds that add coverage go into the corpus (-merge=1 into it:
	# its files, named regression seeds among them, stay as they are)
	(cd "$build" && "$bin" -merge=1 "${args[@]}" "$corpus" \
	    "$scratch/$name.grown") > "$scratch/$name.merge" 2>&1
	after=$(ls "$corpus" | wc -l)
	row="| $start | $name | $cpu | $execs | ${cov:-?} | ${ft:-?} | $before | $after | $crashes |"
	echo "$row"
	echo "$row" >> "$out"
	if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
		tail -30 "$scratch/$name.log"
		find "$build/tests/$dir" -maxdepth 1 -name "$name-*" \
		    -newer "$scratch/$name.start"
		failed=1
	fi
done
exit $failed
