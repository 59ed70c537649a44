#!/bin/bash
# tests/install-deps.sh - install what building and testing flowgrab needs
# on Debian 12 (as root).  Both README commands call it.  Set
# FLOWGRAB_NO_INSTALL=1 to skip (e.g. on a machine you set up yourself).
set -eu
[ "${FLOWGRAB_NO_INSTALL:-0}" = 1 ] && exit 0
PKGS=(
	# build
	autoconf automake make gcc clang pkg-config
	libcurl4-openssl-dev libxml2-dev liblmdb-dev
	# manifests: gzip, xz and zstd indices, release JSON (jansson)
	zlib1g-dev liblzma-dev libzstd-dev libjansson-dev
	# fuzzing runtime (libFuzzer ships with clang's runtime)
	libclang-rt-14-dev
	# tests: real servers, exporters, collectors and clients
	softflowd nfdump nginx-light curl wget wget2 tcpdump
	# the matrix bed (tests/matcher/testbed.sh): two more servers
	apache2 lighttpd lighttpd-mod-openssl
	iproute2 ethtool openssl python3 lmdb-utils util-linux procps time bc
	# tests: real package archives to read manifests from (dpkg-scanpackages,
	# apt-ftparchive, gpg for InRelease, rpmbuild, createrepo_c, xz, zstd)
	dpkg-dev apt-utils gnupg rpm createrepo-c xz-utils zstd gzip
	# a real browser for the HTML report (tests/matcher/report.sh), and
	# a font for its screenshots
	chromium fonts-dejavu-core
	# systemd-analyze verify for the units, man for the man pages
	systemd man-db groff-base git
)
missing=()
for p in "${PKGS[@]}"; do
	case $p in \#*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or install them and set FLOWGRAB_NO_INSTALL=1" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's nginx, apache2 and lighttpd packages start a server on port 80
# where they can; the tests run their own, so keep the packaged ones from
# starting.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
rm -f /usr/sbin/policy-rc.d
