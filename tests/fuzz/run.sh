#!/bin/bash
# tests/fuzz/run.sh - build and run every libFuzzer harness (tests/fuzz/fuzz-*.c)
# for a while each, starting from its seed corpus tests/fuzz/corpus/NAME/
# (and its dictionary tests/fuzz/fuzz-NAME.dict when there is one).
#
#   tests/fuzz/run.sh [BUILDDIR] [SECONDS]     (either order; defaults . and 60)
#
# BUILDDIR (default: the current directory) must be configured with
#   CC=clang ./configure --enable-fuzzing
# New inputs found go to a scratch directory, not into the seed corpus.
# Exits non-zero if any harness finds a crash, leak or sanitizer error
# (the reproducer is left as BUILDDIR/tests/fuzz/crash-* and named).
set -u
secs=60
build=.
for a in "$@"; do
	case $a in
	''|*[!0-9]*) build=$a ;;
	*) secs=$a ;;
	esac
done
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)
if ! "$build/config.status" --config 2>/dev/null | grep -q -- '--enable-fuzzing'; then
	echo "run.sh: $build is not configured with --enable-fuzzing (CC=clang)" >&2
	exit 2
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0
for c in "$src"/tests/fuzz/fuzz-*.c; do
	name=$(basename "$c" .c)
	corpus=${name#fuzz-}
	if ! make -C "$build" -s "tests/fuzz/$name" >"$scratch/$name.build" 2>&1; then
		echo "FAIL $name: does not build"; cat "$scratch/$name.build"
		failed=1; continue
	fi
	mkdir -p "$scratch/$corpus"
	args=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -close_fd_mask=2
	    -artifact_prefix="$build/tests/fuzz/$name-")
	[ -f "$src/tests/fuzz/$name.dict" ] && args+=(-dict="$src/tests/fuzz/$name.dict")
	if (cd "$build" && "./tests/fuzz/$name" "${args[@]}" "$scratch/$corpus" \
	    "$src/tests/fuzz/corpus/$corpus") >"$scratch/$name.log" 2>&1; then
		echo "ok   $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$') runs in ${secs}s"
	else
		echo "FAIL $name:"; tail -40 "$scratch/$name.log"
		ls "$build/tests/fuzz/$name-"* 2>/dev/null
		failed=1
	fi
done
exit $failed
