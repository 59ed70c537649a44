/*
 * t-product.c - unit tests of store/product.c: product, version, platform
 * and locale of real vendors' downloads (the vendors of
 * seeds/vendors.seeds, their URLs as published, and the Debian, RPM,
 * GitHub and appcast names the manifests list), and version ordering.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "product.h"
#include "store.h"
#include "../tap.h"

struct want {
	const char *url;
	const char *file;        /* NULL: from the URL */
	const char *product, *version, *platform, *locale;
};

static const struct want cases[] = {
	/* [mozilla]: releases/VERSION/PLATFORM/LOCALE/NAME */
	{ "https://archive.mozilla.org/pub/firefox/releases/121.0/win64/en-US/Firefox%20Setup%20121.0.exe",
	  NULL, "firefox", "121.0", "win64", "en-US" },
	{ "https://archive.mozilla.org/pub/firefox/releases/121.0/win64/de/Firefox%20Setup%20121.0.msi",
	  NULL, "firefox", "121.0", "win64", "de" },
	{ "https://archive.mozilla.org/pub/firefox/releases/121.0/linux-x86_64/en-US/firefox-121.0.tar.bz2",
	  NULL, "firefox", "121.0", "linux-x86_64", "en-US" },
	{ "https://archive.mozilla.org/pub/firefox/releases/121.0/mac/pt-BR/Firefox%20121.0.dmg",
	  NULL, "firefox", "121.0", "macos", "pt-BR" },
	{ "https://archive.mozilla.org/pub/firefox/releases/122.0b9/mac/ja-JP-mac/Firefox%20122.0b9.dmg",
	  NULL, "firefox", "122.0b9", "macos", "ja-JP-mac" },
	{ "https://archive.mozilla.org/pub/firefox/releases/121.0/win32/ca-valencia/Firefox%20Setup%20121.0.exe",
	  NULL, "firefox", "121.0", "win32", "ca-valencia" },
	{ "https://archive.mozilla.org/pub/thunderbird/releases/115.6.0/win64/en-GB/Thunderbird%20Setup%20115.6.0.msi",
	  NULL, "thunderbird", "115.6.0", "win64", "en-GB" },
	/* [videolan] */
	{ "https://download.videolan.org/pub/videolan/vlc/3.0.20/win64/vlc-3.0.20-win64.exe",
	  NULL, "vlc", "3.0.20", "win64", "" },
	{ "https://download.videolan.org/pub/videolan/vlc/3.0.20/win32/vlc-3.0.20-win32.msi",
	  NULL, "vlc", "3.0.20", "win32", "" },
	{ "https://download.videolan.org/pub/videolan/vlc/3.0.20/macosx/vlc-3.0.20-universal.dmg",
	  NULL, "vlc", "3.0.20", "universal", "" },
	{ "https://download.videolan.org/pub/videolan/vlc/3.0.20/vlc-3.0.20.tar.xz",
	  NULL, "vlc", "3.0.20", "", "" },
	/* [python] */
	{ "https://www.python.org/ftp/python/3.12.1/python-3.12.1-amd64.exe",
	  NULL, "python", "3.12.1", "amd64", "" },
	{ "https://www.python.org/ftp/python/3.12.1/python-3.12.1-macos11.pkg",
	  NULL, "python", "3.12.1", "macos", "" },
	{ "https://www.python.org/ftp/python/3.8.0/python-3.8.0-macosx10.9.pkg",
	  NULL, "python", "3.8.0", "macos", "" },
	{ "https://www.python.org/ftp/python/3.12.1/Python-3.12.1.tar.xz",
	  NULL, "python", "3.12.1", "", "" },
	{ "https://www.python.org/ftp/python/3.12.1/python-3.12.1-embed-amd64.zip",
	  NULL, "python", "3.12.1", "amd64", "" },
	{ "https://www.python.org/ftp/python/3.13.0/python-3.13.0a2-amd64.exe",
	  NULL, "python", "3.13.0a2", "amd64", "" },
	{ "https://www.python.org/ftp/python/2.7.18/python-2.7.18.amd64.msi",
	  NULL, "python", "2.7.18", "amd64", "" },
	/* [apache] */
	{ "https://archive.apache.org/dist/tomcat/tomcat-10/v10.1.17/bin/apache-tomcat-10.1.17-windows-x64.zip",
	  NULL, "apache-tomcat", "10.1.17", "win-x64", "" },
	{ "https://archive.apache.org/dist/httpd/httpd-2.4.58.tar.bz2",
	  NULL, "httpd", "2.4.58", "", "" },
	{ "https://archive.apache.org/dist/maven/maven-3/3.9.6/binaries/apache-maven-3.9.6-bin.tar.gz",
	  NULL, "apache-maven", "3.9.6", "", "" },
	/* [libreoffice] */
	{ "https://download.documentfoundation.org/libreoffice/stable/7.6.4/win/x86_64/LibreOffice_7.6.4_Win_x86-64.msi",
	  NULL, "libreoffice", "7.6.4", "win-x86_64", "" },
	{ "https://download.documentfoundation.org/libreoffice/stable/7.6.4/deb/x86_64/LibreOffice_7.6.4_Linux_x86-64_deb.tar.gz",
	  NULL, "libreoffice", "7.6.4", "linux-x86_64", "" },
	{ "https://download.documentfoundation.org/libreoffice/stable/7.6.4/win/x86_64/LibreOffice_7.6.4_Win_x86-64_helppack_de.msi",
	  NULL, "libreoffice", "7.6.4", "win-x86_64", "de" },
	{ "https://download.documentfoundation.org/libreoffice/stable/7.6.4/win/x86_64/LibreOffice_7.6.4_Win_x86-64_helppack_en-GB.msi",
	  NULL, "libreoffice", "7.6.4", "win-x86_64", "en-GB" },
	{ "https://download.documentfoundation.org/libreoffice/stable/7.6.4/mac/aarch64/LibreOffice_7.6.4_MacOS_aarch64.dmg",
	  NULL, "libreoffice", "7.6.4", "macos-aarch64", "" },
	/* [gimp]: the platform only in the directory */
	{ "https://download.gimp.org/gimp/v2.10/windows/gimp-2.10.36-setup.exe",
	  NULL, "gimp", "2.10.36", "win", "" },
	{ "https://download.gimp.org/gimp/v2.10/osx/gimp-2.10.36-x86_64.dmg",
	  NULL, "gimp", "2.10.36", "x86_64", "" },
	{ "https://download.gimp.org/gimp/v2.10/gimp-2.10.36.tar.bz2",
	  NULL, "gimp", "2.10.36", "", "" },
	/* [kernel]: "linux" is the product here, not a platform */
	{ "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.6.8.tar.xz",
	  NULL, "linux", "6.6.8", "", "" },
	/* [nodejs] */
	{ "https://nodejs.org/dist/v20.10.0/node-v20.10.0-x64.msi",
	  NULL, "node", "20.10.0", "x64", "" },
	{ "https://nodejs.org/dist/v20.10.0/node-v20.10.0-linux-x64.tar.xz",
	  NULL, "node", "20.10.0", "linux-x64", "" },
	{ "https://nodejs.org/dist/v20.10.0/node-v20.10.0-darwin-arm64.tar.gz",
	  NULL, "node", "20.10.0", "macos-arm64", "" },
	{ "https://nodejs.org/dist/v20.10.0/node-v20.10.0.pkg",
	  NULL, "node", "20.10.0", "", "" },
	/* [gnu] */
	{ "https://ftp.gnu.org/gnu/bash/bash-5.2.21.tar.gz",
	  NULL, "bash", "5.2.21", "", "" },
	{ "https://ftp.gnu.org/gnu/gcc/gcc-13.2.0/gcc-13.2.0.tar.xz",
	  NULL, "gcc", "13.2.0", "", "" },
	/* [qt] */
	{ "https://download.qt.io/archive/qt/5.14/5.14.2/qt-opensource-windows-x86-5.14.2.exe",
	  NULL, "qt-opensource", "5.14.2", "win-x86", "" },
	{ "https://download.qt.io/official_releases/online_installers/qt-unified-windows-x64-online.exe",
	  NULL, "qt-unified", "", "win-x64", "" },
	{ "https://download.qt.io/archive/qt/6.6/6.6.1/single/qt-everywhere-src-6.6.1.tar.xz",
	  NULL, "qt-everywhere-src", "6.6.1", "", "" },
	/* [7zip]: version glued to the name */
	{ "https://www.7-zip.org/a/7z2301-x64.exe", NULL, "7z", "2301", "x64", "" },
	{ "https://www.7-zip.org/a/7z2301-linux-x64.tar.xz", NULL, "7z", "2301",
	  "linux-x64", "" },
	/* [debian]: images, and the archive's pool (Packages' Filename) */
	{ "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.4.0-amd64-netinst.iso",
	  NULL, "debian", "12.4.0", "amd64", "" },
	{ "https://deb.debian.org/debian/pool/main/c/curl/curl_7.88.1-10+deb12u5_amd64.deb",
	  NULL, "curl", "7.88.1-10+deb12u5", "amd64", "" },
	{ "https://deb.debian.org/debian/pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb",
	  NULL, "tzdata", "2024a-0+deb12u1", "all", "" },
	{ "https://deb.debian.org/debian/pool/main/libr/libreoffice/libreoffice-core_7.4.7-1+deb12u1_arm64.deb",
	  NULL, "libreoffice-core", "7.4.7-1+deb12u1", "arm64", "" },
	{ "https://deb.debian.org/debian/pool/main/c/curl/curl_7.88.1.orig.tar.gz",
	  NULL, "curl", "7.88.1", "", "" },
	{ "https://deb.debian.org/debian/pool/main/c/curl/curl_7.88.1-10+deb12u5.debian.tar.xz",
	  NULL, "curl", "7.88.1-10+deb12u5", "", "" },
	/* [ubuntu] */
	{ "https://releases.ubuntu.com/22.04.3/ubuntu-22.04.3-desktop-amd64.iso",
	  NULL, "ubuntu", "22.04.3", "amd64", "" },
	{ "https://old-releases.ubuntu.com/releases/14.04.1/ubuntu-14.04.1-server-i386.iso",
	  NULL, "ubuntu", "14.04.1", "i386", "" },
	/* [eclipse] */
	{ "https://archive.eclipse.org/eclipse/downloads/drops4/R-4.30-202312010110/eclipse-SDK-4.30-win32-x86_64.zip",
	  NULL, "eclipse-sdk", "4.30", "win32-x86_64", "" },
	{ "https://archive.eclipse.org/eclipse/downloads/drops4/R-4.30-202312010110/eclipse-SDK-4.30-linux-gtk-x86_64.tar.gz",
	  NULL, "eclipse-sdk", "4.30", "linux-x86_64", "" },
	{ "https://archive.eclipse.org/eclipse/downloads/drops4/R-4.30-202312010110/eclipse-SDK-4.30-macosx-cocoa-aarch64.dmg",
	  NULL, "eclipse-sdk", "4.30", "macos-aarch64", "" },
	/* [postgresql] */
	{ "https://ftp.postgresql.org/pub/source/v16.1/postgresql-16.1.tar.bz2",
	  NULL, "postgresql", "16.1", "", "" },
	/* [mysql] */
	{ "https://downloads.mysql.com/archives/get/p/23/file/mysql-8.0.35-winx64.msi",
	  NULL, "mysql", "8.0.35", "win-x64", "" },
	{ "https://downloads.mysql.com/archives/get/p/23/file/mysql-8.0.35-linux-glibc2.28-x86_64.tar.xz",
	  NULL, "mysql", "8.0.35", "linux-x86_64", "" },
	{ "https://downloads.mysql.com/archives/get/p/23/file/mysql-server_8.0.35-1debian12_amd64.deb",
	  NULL, "mysql-server", "8.0.35-1debian12", "amd64", "" },
	{ "https://downloads.mysql.com/archives/get/p/23/file/mysql-community-server-8.0.35-1.el9.x86_64.rpm",
	  NULL, "mysql-community-server", "8.0.35-1.el9", "x86_64", "" },
	/* [blender] */
	{ "https://download.blender.org/release/Blender4.0/blender-4.0.2-windows-x64.msi",
	  NULL, "blender", "4.0.2", "win-x64", "" },
	{ "https://download.blender.org/release/Blender4.0/blender-4.0.2-macos-arm64.dmg",
	  NULL, "blender", "4.0.2", "macos-arm64", "" },
	/* [inkscape]: a date and a commit after the version */
	{ "https://media.inkscape.org/dl/resources/file/inkscape-1.3.2_2023-11-25_091e20e-x64.msi",
	  NULL, "inkscape", "1.3.2", "x64", "" },
	{ "https://media.inkscape.org/dl/resources/file/Inkscape-091e20e-x86_64.AppImage",
	  NULL, "inkscape", "", "x86_64", "" },
	/* [openssl]: a letter release */
	{ "https://www.openssl.org/source/old/1.1.1/openssl-1.1.1w.tar.gz",
	  NULL, "openssl", "1.1.1w", "", "" },
	{ "https://www.openssl.org/source/openssl-3.2.0.tar.gz",
	  NULL, "openssl", "3.2.0", "", "" },
	/* [curl] */
	{ "https://curl.se/download/curl-8.5.0.tar.xz", NULL, "curl", "8.5.0",
	  "", "" },
	{ "https://curl.se/windows/dl-8.4.0_5/curl-8.4.0_5-win64-mingw.zip",
	  NULL, "curl", "8.4.0", "win64", "" },
	/* [golang]: go1.21.5.windows-amd64 */
	{ "https://dl.google.com/go/go1.21.5.windows-amd64.msi", NULL, "go",
	  "1.21.5", "win-amd64", "" },
	{ "https://dl.google.com/go/go1.21.5.darwin-arm64.pkg", NULL, "go",
	  "1.21.5", "macos-arm64", "" },
	{ "https://dl.google.com/go/go1.21.5.linux-amd64.tar.gz", NULL, "go",
	  "1.21.5", "linux-amd64", "" },
	/* [putty]: version and platform from the directories */
	{ "https://the.earth.li/~sgtatham/putty/0.80/w64/putty.exe", NULL,
	  "putty", "0.80", "w64", "" },
	{ "https://the.earth.li/~sgtatham/putty/0.80/w64/putty-64bit-0.80-installer.msi",
	  NULL, "putty", "0.80", "64bit", "" },
	{ "https://the.earth.li/~sgtatham/putty/0.80/putty-0.80.tar.gz", NULL,
	  "putty", "0.80", "", "" },
	/* [wireshark]: old and new Windows names, the macOS "Intel 64" */
	{ "https://2.na.dl.wireshark.org/win64/all-versions/Wireshark-4.2.0-x64.exe",
	  NULL, "wireshark", "4.2.0", "x64", "" },
	{ "https://2.na.dl.wireshark.org/win64/all-versions/Wireshark-win64-3.6.2.exe",
	  NULL, "wireshark", "3.6.2", "win64", "" },
	{ "https://2.na.dl.wireshark.org/osx/all-versions/Wireshark%204.2.0%20Intel%2064.dmg",
	  NULL, "wireshark", "4.2.0", "intel64", "" },
	{ "https://2.na.dl.wireshark.org/osx/all-versions/Wireshark%204.2.0%20Arm%2064.dmg",
	  NULL, "wireshark", "4.2.0", "arm64", "" },
	/* [fedora]: images with a compose number, and RPMs */
	{ "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/38/Workstation/x86_64/iso/Fedora-Workstation-Live-x86_64-38-1.6.iso",
	  NULL, "fedora-workstation-live", "38-1.6", "x86_64", "" },
	{ "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/38/Server/aarch64/images/Fedora-Server-38-1.6.aarch64.raw.xz",
	  NULL, "fedora-server", "38-1.6", "aarch64", "" },
	{ "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/38/Everything/x86_64/os/Packages/c/curl-8.0.1-1.fc38.x86_64.rpm",
	  NULL, "curl", "8.0.1-1.fc38", "x86_64", "" },
	{ "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/38/Everything/source/tree/Packages/c/curl-8.0.1-1.fc38.src.rpm",
	  NULL, "curl", "8.0.1-1.fc38", "src", "" },
	/* [gitforwindows]: GitHub release assets */
	{ "https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/Git-2.43.0-64-bit.exe",
	  NULL, "git", "2.43.0", "64bit", "" },
	{ "https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/PortableGit-2.43.0-64-bit.7z.exe",
	  NULL, "portablegit", "2.43.0", "64bit", "" },
	/* a GitHub source archive: the product is the repository */
	{ "https://github.com/curl/curl/archive/refs/tags/v1.2.3.tar.gz", NULL,
	  "curl", "1.2.3", "", "" },
	/* the file name given apart from the URL (a redirect's target) */
	{ "https://dl.example/get?id=42", "VLC-3.0.18-win64.exe", "vlc",
	  "3.0.18", "win64", "" },
	{ NULL, "vlc-3.0.18-win32.exe", "vlc", "3.0.18", "win32", "" },
	/* pre-releases joined to the version */
	{ "https://dl.example/pub/app-2.0-rc1.tar.gz", NULL, "app", "2.0-rc1",
	  "", "" },
};

static void
test_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct want *w = &cases[i];
		struct store_product p;
		int rc = store_product_parse(w->url, w->file, &p);
		int good = rc == 0 && strcmp(p.product, w->product) == 0 &&
		    strcmp(p.version, w->version) == 0 &&
		    strcmp(p.platform, w->platform) == 0 &&
		    strcmp(p.locale, w->locale) == 0;

		ok(good, "%s: %s %s %s %s", w->file ? w->file : w->url,
		    w->product, w->version[0] ? w->version : "-",
		    w->platform[0] ? w->platform : "-",
		    w->locale[0] ? w->locale : "-");
		if (!good)
			diag("  rc %d, got product '%s' version '%s' platform "
			    "'%s' locale '%s'", rc, p.product, p.version,
			    p.platform, p.locale);
	}
}

static void
test_notfound(void)
{
	struct store_product p;
	static const char *const none[] = {
		"https://dl.example/", "https://dl.example/pub/1.2.3/",
		"https://dl.example/3.0.1.tar.gz", "", "not a url",
	};
	size_t i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		memset(&p, 'x', sizeof(p));
		is_int(store_product_parse(none[i], NULL, &p), STORE_ENOTFOUND,
		    "no product in '%s'", none[i]);
		ok(p.product[0] == 0 && p.version[0] == 0 &&
		    p.platform[0] == 0 && p.locale[0] == 0 &&
		    p.version[sizeof(p.version) - 1] == 0, "  ... out zeroed");
	}
	is_int(store_product_parse(NULL, NULL, &p), STORE_ENOTFOUND,
	    "no URL and no file");
}

/* Nothing overflows: long names, many tokens, long fields cut. */
static void
test_bounds(void)
{
	struct store_product p;
	char url[STORE_URL_MAX + 200], name[400];
	size_t i;
	int rc;

	memset(name, 'a', sizeof(name));
	memcpy(name + 300, "-1.2.3-win64.exe", 17);
	rc = store_product_parse(NULL, name, &p);
	ok(rc == 0 && strlen(p.product) == sizeof(p.product) - 1,
	    "a 300-letter product is cut to %zu bytes", sizeof(p.product) - 1);
	strcpy(url, "https://x.example/");
	for (i = strlen(url); i < sizeof(url) - 1; i++)
		url[i] = i % 3 ? 'b' : (i % 2 ? '-' : '/');
	url[sizeof(url) - 1] = '\0';
	rc = store_product_parse(url, NULL, &p);
	ok(rc == 0 || rc == STORE_ENOTFOUND, "an over-long URL is parsed "
	    "without overflow (rc %d)", rc);
	memset(name, 0, sizeof(name));
	for (i = 0; i + 2 < sizeof(name) - 1; i += 2)
		memcpy(name + i, "1-", 2);
	rc = store_product_parse(NULL, name, &p);
	ok(rc == STORE_ENOTFOUND || strlen(p.version) < sizeof(p.version),
	    "200 version-like tokens: no overflow");
	rc = store_product_parse("https://x.example/%zz%4/%/a%2Fb-1.0.zip",
	    NULL, &p);
	ok(rc == 0 && strcmp(p.version, "1.0") == 0, "bad and encoded-slash "
	    "escapes: '%s' '%s'", p.product, p.version);
}

static void
test_cmp(void)
{
	static const char *const pairs[][2] = {
		{ "1.9", "1.10" }, { "2.0rc1", "2.0" }, { "2.0rc1", "2.0rc2" },
		{ "2.0-rc1", "2.0" }, { "2.0.rc2", "2.0" }, { "2.0~rc1", "2.0" },
		{ "3.13.0a1", "3.13.0b1" }, { "3.13.0b1", "3.13.0rc1" },
		{ "3.13.0rc1", "3.13.0" }, { "3.13.0", "3.13.1a1" },
		{ "121.0b9", "121.0" }, { "120.0.1", "121.0b9" },
		{ "1.1.1", "1.1.1w" }, { "1.1.1v", "1.1.1w" },
		{ "1.1.1w", "1.1.2" }, { "1.0", "1.0.1" }, { "1.0", "1.0-1" },
		{ "7.88.1-10+deb12u4", "7.88.1-10+deb12u5" },
		{ "7.88.1-10+deb12u5", "7.88.1-10+deb12u12" },
		{ "7.74.0-1.3+deb11u11", "7.88.1-10" }, { "9.0", "1:1.0" },
		{ "38-1.6", "39-1.5" }, { "2301", "2407" }, { "0.79", "0.80" },
		{ "3.0.9", "3.0.20" }, { "8.0.1-1.fc38", "8.0.1-2.fc38" },
		{ "1.0beta", "1.0" }, { "1.0alpha2", "1.0beta1" },
		{ "2024a-0+deb12u1", "2024b-0+deb12u1" }, { "", "0.1" },
	};
	static const char *const same[][2] = {
		{ "v20.10.0", "20.10.0" }, { "1.0", "1.00" }, { "1.0RC1", "1.0rc1" },
		{ "3.0.20", "3.0.20" }, { NULL, "" },
	};
	static const char *sorted_want[] = {
		"1.9", "1.10rc1", "1.10", "1.10.1", "2.0a1", "2.0b2", "2.0rc1",
		"2.0", "2.0.1", "10.0",
	};
	const char *v[sizeof(sorted_want) / sizeof(sorted_want[0])];
	size_t i, n = sizeof(v) / sizeof(v[0]);
	int good = 1;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		ok(store_version_cmp(pairs[i][0], pairs[i][1]) < 0 &&
		    store_version_cmp(pairs[i][1], pairs[i][0]) > 0,
		    "%s < %s", pairs[i][0], pairs[i][1]);
	}
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		is_int(store_version_cmp(same[i][0], same[i][1]), 0, "%s = %s",
		    same[i][0] ? same[i][0] : "NULL", same[i][1]);
	/* a sort with it: every pair ordered the same way both ways */
	for (i = 0; i < n; i++)
		v[i] = sorted_want[n - 1 - i];
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			if (store_version_cmp(v[b], v[a]) < 0) {
				const char *t = v[a];

				v[a] = v[b];
				v[b] = t;
			}
	for (i = 0; i < n; i++)
		good &= strcmp(v[i], sorted_want[i]) == 0;
	ok(good, "ten versions sort as dpkg (with pre-releases) would");
	ok(store_version_like("3.0.20", 6) && store_version_like("v20.10.0", 8)
	    && store_version_like("121.0b9", 7) && !store_version_like("7z2301", 6)
	    && !store_version_like("64bit", 5) && !store_version_like("v6.x", 4),
	    "store_version_like");
}

int
main(void)
{
	test_parse();
	test_notfound();
	test_bounds();
	test_cmp();
	return done_testing();
}
