# tests/matcher/matrix-e2e-lib.sh - the corner of the matrix that
# tests/matcher/matrix-e2e.sh and keepalive-e2e.sh run (sourced after
# tests/lib.sh): bench/matcher/matrix.sh with small settings, kept in
# $T/keep, evaluated there (cells.json).
matrix_corner() {
	RUNS="direct:nginx:http:curl:nots:1:tbf direct:nginx:h2:curl:ts:1:tbf" \
	SEED=${SEED:-3} CAP=8000000 N_STORED=3 UNKNOWN_RATIO=2 N_KEEPALIVE=1 \
	STORE_SIZES=20000 PACE_RATE=300mbit PACE_QUEUE=400ms KEEP="$T/keep" \
	    bash "$FG_SRCDIR/bench/matcher/matrix.sh" "$FG_BUILDDIR" \
	    > "$T/matrix.out" 2>&1 || { sed 's/^/# /' "$T/matrix.out" | tail -30; return 1; }
	python3 "$FG_SRCDIR/bench/matcher/matrix-eval.py" "$T/keep" --brief \
	    > "$T/eval.out" || return 1
	sed 's/^/# /' "$T/eval.out"
}
