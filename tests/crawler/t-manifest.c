/*
 * t-manifest.c - unit tests of the manifest readers (crawler/manifest*.c):
 * each format on text as the real tools write it (apt-ftparchive's
 * Release, dpkg-scanpackages' Packages, createrepo_c's repomd.xml and
 * primary.xml, GitHub's release JSON, a Sparkle appcast, RFC 5854 and
 * version 3 metalinks, nginx's autoindex), compressed with gzip, xz and
 * zstd, and the bad ones: truncated, bombs, malformed sizes, broken XML
 * and JSON, listings without exact sizes, too many entries.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "crawl.h"
#include "manifest.h"
#include "util.h"
#include "../tap.h"

static struct fg_buf got;

static int
on_file(void *arg, const char *url, uint64_t size, int64_t mtime)
{
	(void)arg;
	fg_buf_printf(&got, "F %s %llu%s\n", url, (unsigned long long)size,
	    mtime ? " t" : "");
	return 0;
}

static int
on_manifest(void *arg, const char *url, int format, uint64_t expect)
{
	(void)arg;
	fg_buf_printf(&got, "M %s %s %llu\n", url,
	    crawl_manifest_format_name(format), (unsigned long long)expect);
	return 0;
}

static struct crawl_manifest_limits lim = { 1u << 20, 1000 };

/* Parse and return 0/-1; got holds what was reported, err the message. */
static int
parse(const char *url, const char *body, size_t len, int format,
    const char *ctype, int *detected, char *err, size_t errlen)
{
	struct crawl_manifest_cb cb = { on_file, on_manifest, NULL };

	fg_buf_reset(&got);
	fg_buf_add(&got, "", 0);
	return crawl_manifest_parse(url, body, len, format, ctype, &lim, &cb,
	    detected, err, errlen);
}

static void
expect_ok(const char *what, const char *url, const char *body, size_t len,
    int format, int want_format, const char *want)
{
	char err[512];
	int detected = -1, rc;

	rc = parse(url, body, len, format, NULL, &detected, err, sizeof(err));
	ok(rc == 0 && detected == want_format && strcmp(got.data, want) == 0,
	    "%s", what);
	if (rc != 0 || detected != want_format || strcmp(got.data, want) != 0)
		diag("  rc %d (%s), format %s, got:\n%s# want:\n%s", rc, err,
		    crawl_manifest_format_name(detected), got.data, want);
}

static void
expect_err(const char *what, const char *url, const char *body, size_t len,
    int format, const char *want_err)
{
	char err[512];
	int rc = parse(url, body, len, format, NULL, NULL, err, sizeof(err));

	ok(rc != 0 && strstr(err, want_err) != NULL, "%s: '%s'", what, err);
	if (rc == 0 || strstr(err, want_err) == NULL)
		diag("  rc %d, want an error with '%s'", rc, want_err);
}

#define S(s) s, strlen(s)

/* ---- Debian --------------------------------------------------------------- */

static const char release[] =
    "Origin: Debian\n"
    "Label: Debian\n"
    "Suite: stable\n"
    "Codename: bookworm\n"
    "Date: Sat, 10 Feb 2024 10:14:04 UTC\n"
    "Architectures: all amd64 arm64\n"
    "Components: main contrib\n"
    "MD5Sum:\n"
    " 0ee7f0d5c4e6cb1e7e81f5e0f0b6b8ac  1234 main/binary-amd64/Packages\n"
    "SHA256:\n"
    " 1111111111111111111111111111111111111111111111111111111111111111 40000 main/binary-amd64/Packages\n"
    " 2222222222222222222222222222222222222222222222222222222222222222 9000 main/binary-amd64/Packages.gz\n"
    " 3333333333333333333333333333333333333333333333333333333333333333 8000 main/binary-amd64/Packages.xz\n"
    " 4444444444444444444444444444444444444444444444444444444444444444 120 main/binary-amd64/Release\n"
    " 5555555555555555555555555555555555555555555555555555555555555555 7000 main/binary-arm64/Packages.gz\n"
    " 6666666666666666666666666666666666666666666666666666666666666666 0 contrib/binary-amd64/Packages\n"
    " 7777777777777777777777777777777777777777777777777777777777777777 5000 main/i18n/Translation-en.xz\n"
    " 8888888888888888888888888888888888888888888888888888888888888888 3000 main/source/Sources.xz\n";

static const char release_want[] =
    "M https://deb.example/debian/dists/bookworm/main/binary-amd64/Packages.xz deb-packages 8000\n"
    "M https://deb.example/debian/dists/bookworm/main/binary-arm64/Packages.gz deb-packages 7000\n";

static const char packages[] =
    "Package: curl\n"
    "Version: 7.88.1-10+deb12u5\n"
    "Architecture: amd64\n"
    "Maintainer: Alessandro Ghedini <ghedo@debian.org>\n"
    "Installed-Size: 500\n"
    "Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u5), zlib1g (>= 1:1.1.4)\n"
    "Filename: pool/main/c/curl/curl_7.88.1-10+deb12u5_amd64.deb\n"
    "Size: 315608\n"
    "SHA256: 3b5a8c1c6b1d4a1e0b0a3c2e1f0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281\n"
    "Description: command line tool for transferring data with URL syntax\n"
    " curl is a command line tool for transferring data with URL syntax,\n"
    " supporting DICT, FILE, FTP, FTPS, GOPHER, HTTP, HTTPS.\n"
    "\n"
    "Package: tzdata\n"
    "Version: 2024a-0+deb12u1\n"
    "Architecture: all\n"
    "Filename: pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb\n"
    "Size: 254412\n"
    "\n";

static const char packages_want[] =
    "F https://deb.example/debian/pool/main/c/curl/curl_7.88.1-10+deb12u5_amd64.deb 315608\n"
    "F https://deb.example/debian/pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb 254412\n";

static const char *pkg_url =
    "https://deb.example/debian/dists/bookworm/main/binary-amd64/Packages";

static void
test_deb(void)
{
	struct fg_buf b;

	expect_ok("Release: the best index of each directory, with its size",
	    "https://deb.example/debian/dists/bookworm/Release", S(release),
	    MF_AUTO, MF_DEB_RELEASE, release_want);
	fg_buf_init(&b, 1 << 20);
	fg_buf_printf(&b, "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
	    "%s- dash-escaped: line\n-----BEGIN PGP SIGNATURE-----\n\n"
	    "iQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n", release);
	expect_ok("InRelease: the signed text inside the armor", 
	    "https://deb.example/debian/dists/bookworm/InRelease", b.data,
	    b.len, MF_AUTO, MF_DEB_RELEASE, release_want);
	fg_buf_free(&b);
	expect_ok("Packages: Filename from the archive root, Size", pkg_url,
	    S(packages), MF_AUTO, MF_DEB_PACKAGES, packages_want);
	expect_ok("a flat repository: Filename from the index's directory",
	    "https://deb.example/flat/Packages",
	    S("Package: a\nFilename: ./a_1.0_all.deb\nSize: 4000\n"),
	    MF_DEB_PACKAGES, MF_DEB_PACKAGES,
	    "F https://deb.example/flat/a_1.0_all.deb 4000\n");
	expect_err("a package with a malformed Size", pkg_url,
	    S("Package: a\nFilename: pool/a.deb\nSize: 12x4\n\n"), MF_AUTO,
	    "line 1: package 'pool/a.deb' has a malformed Size");
	expect_err("a package without Size", pkg_url,
	    S("Package: a\nVersion: 1\nFilename: pool/a.deb\n\nPackage: b\n"),
	    MF_DEB_PACKAGES, "line 1: package 'pool/a.deb' has no Size");
	expect_err("a Size that overflows", pkg_url,
	    S("Package: a\nFilename: pool/a.deb\nSize: 99999999999999999999999\n"),
	    MF_DEB_PACKAGES, "malformed Size");
	expect_err("a Release index with a bad size",
	    "https://deb.example/debian/dists/x/Release",
	    S("Suite: x\nSHA256:\n abc 12k main/binary-amd64/Packages.xz\n"),
	    MF_AUTO, "line 3: size '12k' is not a number");
	expect_err("a Release without checksums",
	    "https://deb.example/debian/dists/x/Release",
	    S("Suite: x\nCodename: y\n"), MF_DEB_RELEASE, "no SHA256");
}

/* ---- RPM ------------------------------------------------------------------ */

static const char repomd[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"
    "  <revision>1707560000</revision>\n"
    "  <data type=\"primary\">\n"
    "    <checksum type=\"sha256\">aaaa</checksum>\n"
    "    <open-checksum type=\"sha256\">bbbb</open-checksum>\n"
    "    <location href=\"repodata/aaaa-primary.xml.gz\"/>\n"
    "    <timestamp>1707560000</timestamp>\n"
    "    <size>1234</size>\n"
    "    <open-size>9999</open-size>\n"
    "  </data>\n"
    "  <data type=\"filelists\">\n"
    "    <location href=\"repodata/cccc-filelists.xml.gz\"/>\n"
    "    <size>777</size>\n"
    "  </data>\n"
    "</repomd>\n";

static const char primary[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">\n"
    "<package type=\"rpm\">\n"
    "  <name>curl</name>\n"
    "  <arch>x86_64</arch>\n"
    "  <version epoch=\"0\" ver=\"8.0.1\" rel=\"1.fc38\"/>\n"
    "  <checksum type=\"sha256\" pkgid=\"YES\">dddd</checksum>\n"
    "  <summary>A utility for getting files from remote servers</summary>\n"
    "  <time file=\"1707560000\" build=\"1707000000\"/>\n"
    "  <size package=\"315608\" installed=\"700000\" archive=\"701000\"/>\n"
    "  <location href=\"Packages/c/curl-8.0.1-1.fc38.x86_64.rpm\"/>\n"
    "  <format><rpm:license>curl</rpm:license></format>\n"
    "</package>\n"
    "<package type=\"rpm\">\n"
    "  <name>zlib</name>\n"
    "  <size package=\"99000\"/>\n"
    "  <location xml:base=\"https://mirror.example/fedora/\" href=\"Packages/z/zlib-1.2.13-3.fc38.x86_64.rpm\"/>\n"
    "</package>\n"
    "</metadata>\n";

static void
test_rpm(void)
{
	expect_ok("repomd.xml: the primary index, its compressed size",
	    "https://rpm.example/f38/repodata/repomd.xml", S(repomd), MF_AUTO,
	    MF_RPM_REPOMD,
	    "M https://rpm.example/f38/repodata/aaaa-primary.xml.gz rpm-primary 1234\n");
	expect_ok("primary.xml: location href from the repository, xml:base, "
	    "size package",
	    "https://rpm.example/f38/repodata/aaaa-primary.xml.gz", S(primary),
	    MF_AUTO, MF_RPM_PRIMARY,
	    "F https://rpm.example/f38/Packages/c/curl-8.0.1-1.fc38.x86_64.rpm 315608 t\n"
	    "F https://mirror.example/fedora/Packages/z/zlib-1.2.13-3.fc38.x86_64.rpm 99000\n");
	expect_err("primary.xml cut in the middle",
	    "https://rpm.example/f38/repodata/p.xml", primary,
	    strlen(primary) - 40, MF_AUTO, "XML: line");
	expect_err("a package without a size",
	    "https://rpm.example/f38/repodata/p.xml",
	    S("<metadata><package><location href=\"a.rpm\"/></package></metadata>"),
	    MF_AUTO, "line 1: a package without <size package>");
	expect_err("a size that is not a number",
	    "https://rpm.example/f38/repodata/p.xml",
	    S("<metadata><package><size package=\"-5\"/></package></metadata>"),
	    MF_AUTO, "<size package> is not a number");
	expect_err("an entity loop is refused, not expanded",
	    "https://rpm.example/f38/repodata/p.xml",
	    S("<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
	    "<metadata><package><size package=\"&e;\"/></package></metadata>"),
	    MF_RPM_PRIMARY, "XML: line 1: Detected an entity reference loop");
}

/* ---- JSON, appcast, metalink ---------------------------------------------- */

static const char gh_release[] =
    "{\n"
    "  \"url\": \"https://api.github.com/repos/git-for-windows/git/releases/139000000\",\n"
    "  \"tag_name\": \"v2.43.0.windows.1\",\n"
    "  \"name\": \"Git for Windows 2.43.0\",\n"
    "  \"assets\": [\n"
    "    {\n"
    "      \"name\": \"Git-2.43.0-64-bit.exe\",\n"
    "      \"content_type\": \"application/executable\",\n"
    "      \"size\": 61863040,\n"
    "      \"updated_at\": \"2023-11-20T14:28:57Z\",\n"
    "      \"browser_download_url\": \"https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/Git-2.43.0-64-bit.exe\"\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"PortableGit-2.43.0-64-bit.7z.exe\",\n"
    "      \"size\": 60000000,\n"
    "      \"browser_download_url\": \"https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/PortableGit-2.43.0-64-bit.7z.exe\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

static const char appcast[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<rss version=\"2.0\" xmlns:sparkle=\"http://www.andymatuschak.org/xml-namespaces/sparkle\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
    "  <channel>\n"
    "    <title>VLC media player</title>\n"
    "    <item>\n"
    "      <title>Version 3.0.20</title>\n"
    "      <pubDate>Wed, 01 Nov 2023 12:00:00 +0100</pubDate>\n"
    "      <sparkle:minimumSystemVersion>10.7.5</sparkle:minimumSystemVersion>\n"
    "      <enclosure url=\"https://get.videolan.org/vlc/3.0.20/macosx/vlc-3.0.20-universal.dmg\" sparkle:version=\"3.0.20\" length=\"102432776\" type=\"application/octet-stream\" sparkle:dsaSignature=\"MC0CFQ==\"/>\n"
    "    </item>\n"
    "  </channel>\n"
    "</rss>\n";

static const char metalink4[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n"
    "  <published>2024-01-10T12:00:00Z</published>\n"
    "  <file name=\"debian-12.4.0-amd64-netinst.iso\">\n"
    "    <size>658505728</size>\n"
    "    <hash type=\"sha-256\">abcd</hash>\n"
    "    <url location=\"de\" priority=\"2\">https://ftp.de.debian.org/debian-cd/12.4.0/amd64/iso-cd/debian-12.4.0-amd64-netinst.iso</url>\n"
    "    <url priority=\"1\">https://cdimage.debian.org/debian-cd/12.4.0/amd64/iso-cd/debian-12.4.0-amd64-netinst.iso</url>\n"
    "    <url priority=\"0\">ftp://ftp.example/debian-12.4.0-amd64-netinst.iso</url>\n"
    "  </file>\n"
    "</metalink>\n";

static const char metalink3[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<metalink version=\"3.0\" xmlns=\"http://www.metalinker.org/\">\n"
    " <files>\n"
    "  <file name=\"LibreOffice_7.6.4_Win_x86-64.msi\">\n"
    "   <size>356327424</size>\n"
    "   <resources>\n"
    "    <url type=\"http\" preference=\"90\">https://mirror.b.example/LibreOffice_7.6.4_Win_x86-64.msi</url>\n"
    "    <url type=\"http\" preference=\"100\">https://download.documentfoundation.org/libreoffice/stable/7.6.4/win/x86_64/LibreOffice_7.6.4_Win_x86-64.msi</url>\n"
    "   </resources>\n"
    "  </file>\n"
    " </files>\n"
    "</metalink>\n";

static void
test_feeds(void)
{
	char big[4096];

	expect_ok("release JSON: browser_download_url and size of each asset",
	    "https://api.github.com/repos/git-for-windows/git/releases/latest",
	    S(gh_release), MF_AUTO, MF_GITHUB,
	    "F https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/Git-2.43.0-64-bit.exe 61863040 t\n"
	    "F https://github.com/git-for-windows/git/releases/download/v2.43.0.windows.1/PortableGit-2.43.0-64-bit.7z.exe 60000000\n");
	snprintf(big, sizeof(big), "[%s, {\"tag_name\":\"v1\",\"assets\":[]}]",
	    gh_release);
	parse("https://api.github.com/repos/o/r/releases", S(big), MF_AUTO, NULL,
	    NULL, big + 3000, 100);
	ok(strstr(got.data, "Git-2.43.0-64-bit.exe 61863040") != NULL,
	    "a list of releases (/releases)");
	expect_err("JSON cut short", "https://api.github.com/x",
	    gh_release, 200, MF_AUTO, "JSON: line");
	expect_err("an asset whose size is a string", "https://api.github.com/x",
	    S("{\"tag_name\":\"v1\",\"assets\":[{\"name\":\"a.exe\",\"size\":\"12\","
	    "\"browser_download_url\":\"https://x.example/a.exe\"}]}"), MF_AUTO,
	    "asset 'a.exe': size is not a positive integer");
	expect_err("a negative size", "https://api.github.com/x",
	    S("{\"assets\":[{\"size\":-3,\"browser_download_url\":\"https://x.example/a\"}]}"),
	    MF_AUTO, "size is not a positive integer");
	expect_err("JSON nested 100,000 deep", "https://api.github.com/x",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    , 100, MF_GITHUB, "JSON:");
	expect_ok("appcast: enclosure url and length",
	    "https://update.videolan.org/vlc/sparkle/vlc-intel64.xml", S(appcast),
	    MF_AUTO, MF_APPCAST,
	    "F https://get.videolan.org/vlc/3.0.20/macosx/vlc-3.0.20-universal.dmg 102432776\n");
	expect_err("an enclosure without a length", "https://u.example/a.xml",
	    S("<rss><channel><item><enclosure url=\"https://u.example/a.dmg\"/>"
	    "</item></channel></rss>"), MF_AUTO,
	    "line 1: <enclosure> whose length is not a number");
	expect_err("an appcast that is not XML", "https://u.example/a.xml",
	    S("<rss><channel><item></channel>"), MF_APPCAST, "XML: line 1");
	expect_ok("metalink (RFC 5854): size and the preferred http(s) URL",
	    "https://cdimage.debian.org/x.meta4", S(metalink4), MF_AUTO,
	    MF_METALINK,
	    "F https://cdimage.debian.org/debian-cd/12.4.0/amd64/iso-cd/debian-12.4.0-amd64-netinst.iso 658505728\n");
	expect_ok("metalink 3: size and the most preferred URL",
	    "https://download.documentfoundation.org/x.metalink", S(metalink3),
	    MF_AUTO, MF_METALINK,
	    "F https://download.documentfoundation.org/libreoffice/stable/7.6.4/win/x86_64/LibreOffice_7.6.4_Win_x86-64.msi 356327424\n");
	expect_err("a metalink file without a size", "https://x.example/m",
	    S("<metalink><file name=\"a.iso\"><url>https://x.example/a.iso</url>"
	    "</file></metalink>"), MF_AUTO, "file 'a.iso' has no <size>");
}

/* ---- listings ---------------------------------------------------------------- */

/* As nginx 1.22 writes it (autoindex on, autoindex_exact_size on). */
static const char listing[] =
    "<html>\r\n<head><title>Index of /pub/vlc/3.0.20/</title></head>\r\n"
    "<body>\r\n<h1>Index of /pub/vlc/3.0.20/</h1><hr><pre>"
    "<a href=\"../\">../</a>\r\n"
    "<a href=\"win64/\">win64/</a>                                             03-Dec-2026 09:51                   -\r\n"
    "<a href=\"vlc-3.0.20.tar.xz\">vlc-3.0.20.tar.xz</a>                                  03-Dec-2026 09:51            26134628\r\n"
    "<a href=\"vlc%20setup%203.0.20.exe\">vlc setup 3.0.20.exe</a>                               03-Dec-2026 09:51            44040192\r\n"
    "<a href=\"a-very-long-name-that-nginx-cuts-in-the-text-of-the-link.iso\">a-very-long-name-that-nginx-cuts-in-the-text-..&gt;</a> 03-Dec-2026 09:51             1048577\r\n"
    "</pre><hr></body>\r\n</html>\r\n";

static void
test_listing(void)
{
	expect_ok("nginx autoindex: exact sizes, subdirectories as listings",
	    "https://download.example/pub/vlc/3.0.20/", S(listing), MF_AUTO,
	    MF_LISTING,
	    "M https://download.example/pub/vlc/3.0.20/win64/ listing 0\n"
	    "F https://download.example/pub/vlc/3.0.20/vlc-3.0.20.tar.xz 26134628\n"
	    "F https://download.example/pub/vlc/3.0.20/vlc%20setup%203.0.20.exe 44040192\n"
	    "F https://download.example/pub/vlc/3.0.20/a-very-long-name-that-nginx-cuts-in-the-text-of-the-link.iso 1048577\n");
	expect_err("a listing with rounded sizes (autoindex_exact_size off, "
	    "Apache)", "https://download.example/pub/",
	    S("<html><body><pre><a href=\"a.iso\">a.iso</a>  03-Dec-2026 09:51"
	    "   1.2G\r\n<a href=\"b.iso\">b.iso</a>  03-Dec-2026 09:51  700M\r\n"
	    "</pre></body></html>"), MF_AUTO, "a listing without exact sizes");
	expect_ok("links elsewhere are not the listing's",
	    "https://download.example/pub/",
	    S("<html><body><pre><a href=\"https://other.example/x.iso\">x</a> 5\n"
	    "<a href=\"/elsewhere/y.iso\">y</a> 6\n<a href=\"?C=N;O=D\">Name</a>\n"
	    "</pre></body></html>"), MF_LISTING, MF_LISTING, "");
}

/* ---- compression, bombs, limits ---------------------------------------------- */

static size_t
gz(const char *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static size_t
xz(const char *in, size_t len, unsigned char *out, size_t cap)
{
	size_t pos = 0;

	lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
	    (const uint8_t *)in, len, out, &pos, cap);
	return pos;
}

static size_t
zst(const char *in, size_t len, unsigned char *out, size_t cap)
{
	size_t n = ZSTD_compress(out, cap, in, len, 3);

	return ZSTD_isError(n) ? 0 : n;
}

static void
test_compression(void)
{
	static unsigned char buf[1 << 20];
	size_t (*const comp[3])(const char *, size_t, unsigned char *,
	    size_t) = { gz, xz, zst };
	static const char *const names[3] = { "gzip", "xz", "zstd" };
	char *zeros, *out, err[256];
	size_t n, i, olen, zlen = 64u << 20;
	int rc;

	for (i = 0; i < 3; i++) {
		char what[64];

		n = comp[i](S(packages), buf, sizeof(buf));
		snprintf(what, sizeof(what), "Packages.%s read", names[i]);
		expect_ok(what, pkg_url, (char *)buf, n, MF_AUTO,
		    MF_DEB_PACKAGES, packages_want);
		snprintf(what, sizeof(what), "%s cut short", names[i]);
		expect_err(what, pkg_url, (char *)buf, n - 8, MF_AUTO,
		    "truncated");
	}
	/* two gzip members, as "cat a.gz b.gz" makes */
	n = gz(packages, 300, buf, sizeof(buf));
	n += gz(packages + 300, strlen(packages) - 300, buf + n,
	    sizeof(buf) - n);
	expect_ok("two concatenated gzip members", pkg_url, (char *)buf, n,
	    MF_AUTO, MF_DEB_PACKAGES, packages_want);
	/* bombs: 64 MiB of zeros in a few KiB, against a 1 MiB bound */
	zeros = fg_calloc(1, zlen);
	for (i = 0; i < 3; i++) {
		char what[64];

		n = comp[i](zeros, zlen, buf, sizeof(buf));
		snprintf(what, sizeof(what), "a %s bomb (%zu bytes -> 64 MiB)",
		    names[i], n);
		expect_err(what, pkg_url, (char *)buf, n, MF_AUTO,
		    "decompressed size above 1048576 bytes");
	}
	free(zeros);
	rc = crawl_manifest_decompress("plain", 5, 100, &out, &olen, err,
	    sizeof(err));
	ok(rc == 0 && olen == 5 && strcmp(out, "plain") == 0,
	    "an uncompressed body is copied");
	free(out);
	rc = crawl_manifest_decompress("\x1f\x8bjunkjunkjunk", 14, 100, &out,
	    &olen, err, sizeof(err));
	ok(rc != 0 && out == NULL && strncmp(err, "gzip:", 5) == 0,
	    "damaged gzip: %s", err);
}

static void
test_misc(void)
{
	struct fg_buf b;
	char err[256];
	int i, rc;

	expect_err("an unknown format", "https://x.example/a.txt",
	    S("hello world\n"), MF_AUTO, "format not recognised");
	expect_err("an empty body", "https://x.example/a.txt", "", 0, MF_AUTO,
	    "format not recognised");
	fg_buf_init(&b, 1 << 20);
	for (i = 0; i < 1500; i++)
		fg_buf_printf(&b, "Package: p%d\nFilename: pool/p%d.deb\n"
		    "Size: 100\n\n", i, i);
	expect_err("more entries than the limit", pkg_url, b.data, b.len,
	    MF_AUTO, "more than 1000 entries");
	fg_buf_free(&b);
	is_int(crawl_manifest_format_parse("deb"), MF_DEB_RELEASE, "'deb' is "
	    "a Release");
	is_int(crawl_manifest_format_parse("rpm"), MF_RPM_REPOMD, "'rpm' is a "
	    "repomd.xml");
	is_int(crawl_manifest_format_parse("listing"), MF_LISTING, "listing");
	is_int(crawl_manifest_format_parse("yaml"), -1, "unknown name");
	rc = parse("https://deb.example/debian/dists/bookworm/Release",
	    S(packages), MF_DEB_RELEASE, NULL, NULL, err, sizeof(err));
	ok(rc != 0, "a forced format that does not fit fails: %s", err);
}

int
main(void)
{
	fg_buf_init(&got, 1 << 20);
	test_deb();
	test_rpm();
	test_feeds();
	test_listing();
	test_compression();
	test_misc();
	fg_buf_free(&got);
	return done_testing();
}
