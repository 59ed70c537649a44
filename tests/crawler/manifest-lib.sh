# tests/crawler/manifest-lib.sh - real package archives for the manifest
# tests (sourced after tests/lib.sh): a Debian archive made with dpkg-deb,
# dpkg-scanpackages and apt-ftparchive, its InRelease signed by gpg with a
# throw-away key; an RPM repository made with rpmbuild and createrepo_c.

# make_deb DIR NAME VERSION ARCH BYTES: a real .deb whose payload is BYTES
# of random data (so that its size is about BYTES), in DIR/pool/main/.
make_deb() {
	local dir=$1 name=$2 ver=$3 arch=$4 bytes=$5 b="$T/debbuild/$2"
	mkdir -p "$b/DEBIAN" "$b/usr/share/$name"
	head -c "$bytes" /dev/urandom >"$b/usr/share/$name/blob"
	cat >"$b/DEBIAN/control" <<CTL
Package: $name
Version: $ver
Architecture: $arch
Maintainer: flowgrab tests <tests@flowgrab.invalid>
Description: a package for flowgrab's manifest tests
 Its payload is random bytes.
CTL
	mkdir -p "$dir/pool/main/${name:0:1}/$name"
	dpkg-deb -Zxz --root-owner-group --build "$b" \
		"$dir/pool/main/${name:0:1}/$name/${name}_${ver}_$arch.deb" >/dev/null
	rm -rf "$b"
}

# deb_index DIR SUITE: Packages (plain, .gz, .xz) of DIR/pool for amd64,
# then Release by apt-ftparchive and InRelease signed by gpg.
deb_index() {
	local dir=$1 suite=$2 d="$1/dists/$2"
	mkdir -p "$d/main/binary-amd64"
	(cd "$dir" && dpkg-scanpackages --arch amd64 pool 2>/dev/null) >"$d/main/binary-amd64/Packages"
	gzip -9 -k -f "$d/main/binary-amd64/Packages"
	xz -k -f "$d/main/binary-amd64/Packages"
	deb_release "$dir" "$suite"
}

deb_release() {
	local d="$1/dists/$2"
	rm -f "$d/Release" "$d/InRelease"
	(cd "$d" && apt-ftparchive -o APT::FTPArchive::Release::Suite="$2" \
		-o APT::FTPArchive::Release::Codename="$2" \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		-o APT::FTPArchive::Release::Components=main release .) >"$T/Release.tmp"
	mv "$T/Release.tmp" "$d/Release"
	deb_gpg
	gpg --batch --yes --pinentry-mode loopback --passphrase '' \
		--clearsign -o "$d/InRelease" "$d/Release" 2>/dev/null
}

deb_gpg() {
	[ -n "${GNUPGHOME:-}" ] && return 0
	export GNUPGHOME="$T/gnupg"
	mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
	at_exit "gpgconf --kill gpg-agent"
	gpg --batch --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "flowgrab tests <tests@flowgrab.invalid>" ed25519 sign 0 2>/dev/null
}

# make_rpm DIR NAME VERSION BYTES: a real noarch RPM with BYTES of random
# payload, in DIR/Packages/.
make_rpm() {
	local dir=$1 name=$2 ver=$3 bytes=$4 top="$T/rpmbuild"
	mkdir -p "$top" "$dir/Packages"
	cat >"$T/$name.spec" <<SPEC
Name: $name
Version: $ver
Release: 1
Summary: a package for flowgrab's manifest tests
License: MIT
BuildArch: noarch
%description
Its payload is random bytes.
%install
mkdir -p %{buildroot}/usr/share/$name
head -c $bytes /dev/urandom > %{buildroot}/usr/share/$name/blob
%files
/usr/share/$name/blob
SPEC
	rpmbuild --quiet --define "_topdir $top" -bb "$T/$name.spec" >/dev/null 2>&1
	mv "$top"/RPMS/noarch/"$name"-*.rpm "$dir/Packages/"
}

# sparse PATH SIZE: a file of SIZE bytes that costs no disk
sparse() {
	mkdir -p "$(dirname "$1")"
	truncate -s "$2" "$1"
}

# files_want DIR URL MIN: "url size" of every file under DIR of at least
# MIN bytes, URL-encoded as nginx links them, sorted
files_want() {
	python3 - "$@" <<'PY'
import os, sys, urllib.parse
root, base, mn = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if os.path.getsize(p) >= mn:
            out.append("%s%s %d" % (base, urllib.parse.quote(os.path.relpath(p, root)), os.path.getsize(p)))
print("\n".join(sorted(out)))
PY
}
