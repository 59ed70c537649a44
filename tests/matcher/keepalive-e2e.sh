#!/bin/bash
# tests/matcher/keepalive-e2e.sh - keep-alive connections that carry
# several stored files are never named as one file (issue 12), on the
# corner of the matrix that matrix-e2e.sh runs.  Each run has one
# connection of three stored files (curl URL1 URL2 URL3): the matcher
# must not report it as any file, at any confidence at or above 0.5.
. "$FG_SRCDIR/tests/lib.sh"
need_root
need_cmd ip ethtool tc nginx apache2 lighttpd curl wget softflowd softflowctl \
    nfcapd nfdump openssl python3
ip netns add "fgprobe$$" 2>/dev/null || skip_all "cannot create network namespaces"
ip netns del "fgprobe$$"
. "$FG_SRCDIR/tests/matcher/matrix-e2e-lib.sh"
matrix_corner || { ok 1 "matrix.sh ran"; done_testing; }
n=$(python3 -c '
import json, sys
cells = [json.loads(l) for l in open(sys.argv[1])]
print(sum(r["sev"] for r in cells), sum(r["sev_named"] for r in cells))
' "$T/keep/cells.json")
ok $(( ${n% *} > 0 ? 0 : 1 )) "keep-alive connections in the truth (${n% *})"
is "${n#* }" 0 "no keep-alive connection named as one file (of ${n% *})"
done_testing
