#!/bin/bash
# tests/check-all.sh - the whole test run, as CI does it (README's second
# command): install what is missing, build with warnings as errors, run
# every test; make distcheck; build again with ASan+UBSan and run every
# test again; build the fuzz harnesses with clang and run each briefly.  Ends with one line
# "N passed, N failed" (make distcheck and the fuzz run count as one
# check each).
#
#   tests/check-all.sh [--quick]     --quick: plain build only
#
# Build trees go to build/ (plain, sanitize, fuzz) in the source tree.
set -u
cd "$(dirname "$0")/.."
SRC=$(pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1

tests/install-deps.sh || exit 1
# As root every test can run: make a skipped test a failure.
[ "$(id -u)" = 0 ] && export FLOWGRAB_REQUIRE_ALL=1
./autogen.sh >/dev/null || { echo "autogen.sh failed" >&2; exit 1; }

passed=0 failed=0 status=0
count() {	# add a build's test-suite.log totals
	local log=$1/test-suite.log p f
	[ -f "$log" ] || { failed=$((failed + 1)); return; }
	p=$(awk '/^# PASS:/{print $3}' "$log"); f=0
	for k in FAIL XPASS ERROR; do
		v=$(awk -v k="# $k:" 'index($0,k)==1{print $3}' "$log")
		f=$((f + ${v:-0}))
	done
	passed=$((passed + ${p:-0})); failed=$((failed + f))
}
build() {	# build NAME CONFIGURE-ARGS...
	local name=$1; shift
	mkdir -p "build/$name"
	(cd "build/$name" && "$SRC/configure" -q "$@" >/dev/null && make -s -j2 >/dev/null) ||
		{ echo "== $name: build failed" >&2; status=1; return 1; }
}
run_check() {	# run_check NAME
	local name=$1
	echo "== $name: make check"
	(cd "build/$name" && make -s -j2 check >"check.out" 2>&1) || status=1
	grep -E '^(FAIL|ERROR|XPASS):' "build/$name/check.out" | head -50
	sed -n '/^=*$/,$p' "build/$name/check.out" | grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' | tr '\n' ' '; echo
	count "build/$name"
}

build plain --enable-werror && run_check plain
if [ $quick = 0 ]; then
	# The tarball: built and tested with only ./configure && make.  Its
	# tests run from an unpacked tree that is no git checkout, so the one
	# test that clones the repository skips there: no REQUIRE_ALL.
	echo "== distcheck"
	if (cd build/plain && FLOWGRAB_REQUIRE_ALL=0 make -s -j2 distcheck >distcheck.out 2>&1); then
		passed=$((passed + 1))
		grep -E '^# (TOTAL|FAIL|ERROR):' build/plain/distcheck.out | tr '\n' ' '; echo
	else
		failed=$((failed + 1)); status=1
		grep -E '^(FAIL|ERROR)|No rule|Error' build/plain/distcheck.out | head -20
	fi
	build sanitize --enable-werror --enable-asan --enable-ubsan &&
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_check sanitize
	if [ -x tests/fuzz/run.sh ] && command -v clang >/dev/null; then
		if build fuzz CC=clang --enable-fuzzing --enable-asan --enable-ubsan; then
			echo "== fuzz: each harness briefly"
			if tests/fuzz/run.sh "build/fuzz" "${FUZZ_SECONDS:-10}"; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1)); status=1
			fi
		fi
	fi
fi
[ $failed -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
