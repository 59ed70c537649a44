#!/bin/bash
# tests/deploy/units.sh - the systemd units and the sysusers.d file as
# "make install" writes them: systemd-analyze verify accepts the units
# (ExecStart pointing at the programs just installed), the timer names the
# service, hardening is on, the service user is declared, and the matcher's
# default options parse.
. "${FG_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
need_cmd systemd-analyze

D=$T/inst
make -C "$FG_BUILDDIR" -s install DESTDIR="$D" >"$T/install.out" 2>&1
ok $? "make install into a staging directory"
U=$(find "$D" -type d -path '*/systemd/system' | head -1)
for f in flowgrab-crawler.service flowgrab-crawler.timer flowgrab-matcher.service; do
	[ -f "$U/$f" ]; ok $? "$f installed"
done
# verify with ExecStart naming the staged programs (they must exist)
bin=$(dirname "$(find "$D" -name flowgrab-store -type f | head -1)")
mkdir -p "$T/units"
for f in "$U"/*.service "$U"/*.timer; do
	sed "s|^ExecStart=[^ ]*/flowgrab-|ExecStart=$bin/flowgrab-|" "$f" >"$T/units/$(basename "$f")"
done
(cd "$T/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	./flowgrab-crawler.service ./flowgrab-crawler.timer ./flowgrab-matcher.service) >"$T/verify" 2>&1
st=$?
# "Failed to ... Unit ... not found" for network-online.target and similar
# are about this machine, not the units; anything naming our files is ours.
ours=$(grep -E 'flowgrab-' "$T/verify" | grep -vE 'Unit .*(network-online|timers|multi-user)\.target' )
# verify exits 0 even for unknown keys: any message naming a unit fails
[ $st -eq 0 ] && [ -z "$ours" ]
ok $? "systemd-analyze verify finds nothing wrong in the units"
[ -n "$ours" ] && sed 's/^/# /' "$T/verify"
grep -q '^Unit=\|^\[Timer\]' "$U/flowgrab-crawler.timer"; ok $? "timer has a [Timer] section"
grep -q '^Persistent=true' "$U/flowgrab-crawler.timer"; ok $? "timer catches up missed runs"
for f in flowgrab-crawler.service flowgrab-matcher.service; do
	grep -q '^User=flowgrab' "$U/$f" && grep -q '^ProtectSystem=strict' "$U/$f" &&
		grep -q '^NoNewPrivileges=yes' "$U/$f" && grep -q '^StateDirectory=flowgrab' "$U/$f"
	ok $? "$f: dedicated user, state in /var/lib/flowgrab, hardened"
done
grep -q '^ExecStart=/.*/flowgrab-matcher --store /var/lib/flowgrab' "$U/flowgrab-matcher.service"
ok $? "matcher unit names the installed program and the store"
S=$(find "$D" -path '*/sysusers.d/flowgrab.conf' | head -1)
grep -q '^u flowgrab ' "$S"; ok $? "sysusers.d declares the flowgrab user"
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$T/root/etc"
	systemd-sysusers --root="$T/root" "$S" >/dev/null 2>&1 &&
		grep -q '^flowgrab:' "$T/root/etc/passwd"
	ok $? "systemd-sysusers creates the user from it (in a scratch root)"
fi
for p in flowgrab-store flowgrab-crawler flowgrab-matcher; do
	m=$(find "$D" -name "$p.1" | head -1)
	[ -n "$m" ] && [ -z "$(groff -man -ww -z "$m" 2>&1 | grep -v "can't break line")" ] &&
		man -l "$m" 2>/dev/null | grep -q "^NAME"
	ok $? "$p(1) installed, renders without warnings"
done
done_testing
