# tests/crawler/common.sh - helpers shared by the crawler's shell tests
# (sourced after tests/lib.sh): start the project's test server or nginx
# on loopback, compare a store with what a server holds.

TESTSRV=${TESTSRV:-$FG_BUILDDIR/tests/server/fg-testsrv}
CRAWLER=$FLOWGRAB_CRAWLER
STORETOOL=$FLOWGRAB_STORE

# start_testsrv NAME [fg-testsrv options...]: start a server whose port
# lands in $PORT and whose log is $T/NAME.log; stopped at exit.
start_testsrv() {
	local name=$1; shift
	rm -f "$T/$name.port"
	"$TESTSRV" --port-file "$T/$name.port" --log "$T/$name.log" \
		--lifetime 300 "$@" &
	local pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/$name.port")
	SRVPID=$pid
	wait_port "$PORT" 5
}

stop_testsrv() {	# stop_testsrv PID
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# store_urls STORE: "url size" of every alive download, sorted
store_urls() {
	"$STORETOOL" -s "$1" export -f csv | awk -F, 'NR > 1 && $6 == "alive" { print $1, $2 }' | sort
}

# json_field FILE KEY: a number from the crawler's --json summary
json_field() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$1" "$2"
}
