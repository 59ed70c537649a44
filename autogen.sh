#!/bin/sh
# autogen.sh - generate configure and Makefile.in from a git checkout.
# Fails loudly if a macro was left unexpanded (a missing -dev package for
# pkg-config or autoconf is the usual cause).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf --force --install --warnings=all
if grep -Eq '^[^#]*(PKG_CHECK_MODULES|PKG_PROG_PKG_CONFIG|AM_INIT_AUTOMAKE)' configure; then
	echo "autogen.sh: configure still contains unexpanded macros;" >&2
	echo "autogen.sh: install pkg-config, autoconf and automake" >&2
	exit 1
fi
echo "autogen.sh: now run ./configure && make"
