# tests/lib.sh - helpers for the shell tests (sourced, bash).
#
# Output is TAP for automake's tap-driver.sh: ok/not ok lines, a plan at the
# end.  Tests that need something this machine lacks call skip_all; when
# FLOWGRAB_REQUIRE_ALL=1 (CI) a skip is a failure instead, so CI cannot
# pass by skipping.
#
# Programs under test come from the build tree: $FG_BUILDDIR (set by
# tests/module.am, defaults to the current directory).

set -u
FG_BUILDDIR=${FG_BUILDDIR:-$(pwd)}
FG_SRCDIR=${FG_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FLOWGRAB_STORE=${FLOWGRAB_STORE:-$FG_BUILDDIR/store/flowgrab-store}
FLOWGRAB_CRAWLER=${FLOWGRAB_CRAWLER:-$FG_BUILDDIR/crawler/flowgrab-crawler}
FLOWGRAB_MATCHER=${FLOWGRAB_MATCHER:-$FG_BUILDDIR/matcher/flowgrab-matcher}

_tap_n=0
_tap_failed=0
_cleanups=()

ok() {	# ok COND-EXIT-STATUS DESCRIPTION: use as "cmd; ok $? desc"
	local st=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
	return 0
}

check() {	# check DESCRIPTION -- CMD...: run CMD, ok if it exits 0
	local desc=$1; shift
	[ "${1:-}" = "--" ] && shift
	"$@" >/dev/null 2>"$T/check.err"
	local st=$?
	ok $st "$desc"
	[ $st -eq 0 ] || sed 's/^/# /' "$T/check.err"
	return 0
}

is() {	# is GOT WANT DESCRIPTION
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then ok 0 "$*"; else
		ok 1 "$*"; echo "#   got:  '$got'"; echo "#   want: '$want'"; fi
}

like() {	# like GOT REGEX DESCRIPTION
	local got=$1 re=$2; shift 2
	if printf '%s' "$got" | grep -Eq -- "$re"; then ok 0 "$*"; else
		ok 1 "$*"; echo "#   got:  '$got'" | head -20; echo "#   want match: '$re'"; fi
}

diag() { echo "# $*"; }

skip_all() {
	if [ "${FLOWGRAB_REQUIRE_ALL:-0}" = 1 ]; then
		echo "Bail out! required but missing: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

need_cmd() {	# need_cmd CMD...: skip_all unless every CMD exists
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }

at_exit() { _cleanups+=("$*"); }	# run at exit, last first

_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	[ -n "${T:-}" ] && [ -d "$T" ] && [ "${FG_KEEP_TMP:-0}" != 1 ] && rm -rf "$T"
}

done_testing() {
	echo "1..$_tap_n"
	[ $_tap_failed -eq 0 ]
	exit $?
}

# free_port: a TCP/UDP port nobody listens on now, on 127.0.0.1.
free_port() {
	python3 - "$@" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM if (len(sys.argv) > 1 and sys.argv[1] == "udp") else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# wait_port PORT [SECONDS]: wait until something listens on 127.0.0.1:PORT
wait_port() {
	local port=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# sanitized: true when the programs under test were built with
# AddressSanitizer (configure --enable-asan).  Its redzones and quarantine
# inflate memory several times, so bounds on a program's memory are
# checked in the plain build only.
sanitized() {
	"$FG_BUILDDIR/config.status" --config 2>/dev/null | grep -q -- '--enable-asan'
}

# stats_agree STORE: do the counters "flowgrab-store stats --format json"
# prints (kept in the store) say what its export says, download by
# download?  Exits 0 if so, else prints the first difference.
stats_agree() {
	python3 - "$1" "$FLOWGRAB_STORE" <<'PY'
import collections, csv, io, json, subprocess, sys
d, fs = sys.argv[1], sys.argv[2]
st = json.loads(subprocess.run([fs, "-s", d, "stats", "--format", "json"],
                               check=True, capture_output=True, text=True).stdout)
rows = list(csv.DictReader(io.StringIO(subprocess.run(
    [fs, "-s", d, "export"], check=True, capture_output=True, text=True).stdout)))
M = 1 << 20
names = ["< 1 MiB", "1-10 MiB", "10-100 MiB", "100 MiB-1 GiB", "1-4 GiB", ">= 4 GiB"]
bounds = [M, 10 * M, 100 * M, 1024 * M, 4096 * M]
def cls(n):
    return names[sum(n >= b for b in bounds)]
sizes = [int(r["size"]) for r in rows]
want = {
    "downloads": len(rows),
    "alive": sum(r["state"] == "alive" for r in rows),
    "gone": sum(r["state"] == "gone" for r in rows),
    "total_bytes": sum(sizes),
    "min_size": min(sizes, default=0), "max_size": max(sizes, default=0),
    "sources": dict(collections.Counter(r["source"] for r in rows)),
    "sizes": dict(collections.Counter(cls(n) for n in sizes)),
    "vendors": dict(collections.Counter(r["vendor"] for r in rows)),
}
for k, v in want.items():
    got = st[k]
    if isinstance(v, dict):
        got = {a: b for a, b in got.items() if b}
    if got != v:
        print("%s: stats says %s, the export %s" % (k, got, v))
        sys.exit(1)
PY
}

T=$(mktemp -d "${TMPDIR:-/tmp}/flowgrab-test.XXXXXX")
trap _run_cleanups EXIT
trap 'exit 130' INT TERM
