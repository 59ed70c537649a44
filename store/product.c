/*
 * product.c - product, version, platform and locale of a download, from
 * its URL and file name; version ordering (see product.h and the section
 * "Product and version" of docs/store.md).
 *
 * Everything works on fixed buffers on the stack: a file name is at most
 * STORE_FIELD_MAX bytes in the store and a URL STORE_URL_MAX, so nothing
 * here allocates and anything longer is simply cut.  The rules are tables
 * (extensions, platform words, noise words) and a tokenizer; names that
 * follow Debian's (name_version_arch.deb) and RPM's
 * (name-version-release.arch.rpm) conventions are split by those.
 */
#include "config.h"

#include <string.h>

#include "product.h"
#include "store.h"

#define NAME_CAP   (STORE_FIELD_MAX + 1)
#define PATH_CAP   (STORE_URL_MAX + 1)
#define MAX_TOKENS 48
#define MAX_SEGS   48

/* ASCII only: file names are bytes, and the C locale's ctype would do the
 * same, but these cannot be changed by setlocale(). */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alpha(char c)
{
	return is_lower(c) || is_upper(c);
}

static char
to_lower(char c)
{
	return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

static int
hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Copy @n bytes of @s into @out (size @cap), cut to fit, NUL-terminated. */
static void
copy_cut(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Append "-" (unless empty) and @n bytes of @s to the string in @out. */
static void
append_word(char *out, size_t cap, const char *s, size_t n)
{
	size_t len = strlen(out);

	if (len > 0 && len + 1 < cap)
		out[len++] = '-';
	if (len + 1 >= cap)
		return;
	if (len + n >= cap)
		n = cap - 1 - len;
	memcpy(out + len, s, n);
	out[len + n] = '\0';
}

/* Percent-decode @n bytes of @s into @out (size @cap); returns the length.
 * A decoded NUL or '/' is kept as its escape: neither may split a name. */
static size_t
pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int h, l;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0 && (h << 4 | l) != 0 &&
		    (h << 4 | l) != '/') {
			out[o++] = (char)(h << 4 | l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

/* ---- word tables ------------------------------------------------------ */

/* Suffixes taken off a file name before it is split, innermost last
 * ("nginx-1.24.0.tar.gz": gz, then tar).  Lowercase. */
static const char *const extensions[] = {
	"exe", "msi", "msix", "msixbundle", "appx", "dmg", "pkg", "mpkg",
	"zip", "7z", "rar", "cab", "deb", "udeb", "ddeb", "rpm", "apk", "aab",
	"jar", "war", "ear", "iso", "img", "run", "bin", "sh", "gz", "xz",
	"bz2", "zst", "lz", "lzma", "lz4", "z", "tgz", "tbz", "tbz2", "txz",
	"tar", "qcow2", "raw", "vmdk", "vhd", "vhdx", "ova", "appimage",
	"flatpak", "flatpakref", "snap", "sign", "sig", "asc", "sha1",
	"sha256", "sha512", "md5", "torrent", "zsync", "jigdo", "template",
	"dsc", "xpi", "crx", "nupkg", "whl", "egg", "gem", "mar", "html",
	"htm", "php", "asp", "aspx", "jsp", "cgi",
};

static int
is_extension(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		const char *e = extensions[i];

		if (strlen(e) != n)
			continue;
		for (k = 0; k < n && to_lower(s[k]) == e[k]; k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

/* Words that name a platform, and how they are written in the result (so
 * that "windows", "Win" and "win" group together, as do macOS's names). */
static const struct {
	const char *word;
	const char *norm;
} platform_words[] = {
	{ "win64", "win64" }, { "win32", "win32" }, { "w64", "w64" },
	{ "w32", "w32" }, { "winx64", "win-x64" }, { "winx86", "win-x86" },
	{ "windows", "win" }, { "win", "win" }, { "x64", "x64" },
	{ "x86", "x86" }, { "x86_64", "x86_64" }, { "x86-64", "x86_64" },
	{ "amd64", "amd64" }, { "arm64", "arm64" }, { "aarch64", "aarch64" },
	{ "arm", "arm" }, { "armhf", "armhf" }, { "armel", "armel" },
	{ "armv7l", "armv7l" }, { "armv7", "armv7" }, { "armv6l", "armv6l" },
	{ "i386", "i386" }, { "i486", "i486" }, { "i586", "i586" },
	{ "i686", "i686" }, { "ppc64le", "ppc64le" }, { "ppc64el", "ppc64el" },
	{ "ppc64", "ppc64" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
	{ "mips64el", "mips64el" }, { "loong64", "loong64" },
	{ "noarch", "noarch" }, { "universal", "universal" },
	{ "universal2", "universal2" }, { "intel", "intel" },
	{ "intel64", "intel64" }, { "64bit", "64bit" }, { "32bit", "32bit" },
	{ "64-bit", "64bit" }, { "32-bit", "32bit" }, { "linux", "linux" },
	{ "mac", "macos" }, { "macos", "macos" }, { "macosx", "macos" },
	{ "osx", "macos" }, { "darwin", "macos" },
};

/* The normalised platform for the word @s (lowercase), or NULL. */
static const char *
platform_of(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof(platform_words) / sizeof(platform_words[0]);
	    i++)
		if (strlen(platform_words[i].word) == n &&
		    memcmp(platform_words[i].word, s, n) == 0)
			return platform_words[i].norm;
	/* macos11, macosx10.9, osx10.6: a macOS release is still macOS */
	for (k = 0; k < n && is_lower(s[k]); k++)
		;
	if (k < n && is_digit(s[k]) && ((k == 5 && memcmp(s, "macos", 5) == 0)
	    || (k == 6 && memcmp(s, "macosx", 6) == 0) ||
	    (k == 3 && memcmp(s, "osx", 3) == 0))) {
		for (; k < n && (is_digit(s[k]) || s[k] == '.'); k++)
			;
		if (k == n)
			return "macos";
	}
	return NULL;
}

/* Words that say how a file is packaged, not what it is: dropped from the
 * product ("Firefox Setup 121.0.exe" is firefox). */
static const char *const noise_words[] = {
	"setup", "installer", "install", "portable", "stub", "web", "full",
	"offline", "online", "release", "final", "latest", "signed",
	"unsigned",
};

static int
is_noise(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(noise_words) / sizeof(noise_words[0]); i++)
		if (strlen(noise_words[i]) == n &&
		    memcmp(noise_words[i], s, n) == 0)
			return 1;
	return 0;
}

/* Directory names that say nothing of the product. */
static const char *const generic_dirs[] = {
	"pub", "dist", "download", "downloads", "dl", "files", "file",
	"releases", "release", "archive", "archives", "refs", "tags", "tag",
	"latest", "stable", "current", "old", "src", "source", "sources",
	"binaries", "bin", "ftp", "mirror", "mirrors", "tarballs",
	"all-versions", "official_releases", "raw", "master", "main",
	"pool", "contrib", "non-free", "repodata", "packages", "os", "media",
	"resources", "assets", "public", "software", "www", "data", "get",
	"x86_64", "noarch", "debian", "ubuntu", "updates", "everything",
};

static int
is_generic_dir(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof(generic_dirs) / sizeof(generic_dirs[0]); i++) {
		if (strlen(generic_dirs[i]) != n)
			continue;
		for (k = 0; k < n && to_lower(s[k]) == generic_dirs[i][k]; k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

/*
 * A pre-release word at @s (lowercase letters): its rank (dev 1, alpha 2,
 * beta 3, pre/preview 4, rc 5) and length in @len, or 0.  The single
 * letters a and b count only before a digit ("3.13.0a1", not "1.1.1a",
 * which is OpenSSL's letter release, newer than 1.1.1).
 */
static int
pre_word(const char *s, size_t n, size_t *len)
{
	static const struct {
		const char *w;
		int rank;
	} words[] = {
		{ "preview", 4 }, { "alpha", 2 }, { "beta", 3 }, { "pre", 4 },
		{ "dev", 1 }, { "rc", 5 }, { "a", 2 }, { "b", 3 },
	};
	size_t i, k, wl;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		wl = strlen(words[i].w);
		if (wl > n)
			continue;
		for (k = 0; k < wl && to_lower(s[k]) == words[i].w[k]; k++)
			;
		if (k < wl)
			continue;
		if (wl < n && is_alpha(s[wl]))
			continue;
		if (wl == 1 && (wl == n || !is_digit(s[wl])))
			continue;
		*len = wl;
		return words[i].rank;
	}
	return 0;
}

int
store_version_like(const char *s, size_t len)
{
	size_t i = 0, wl;
	int dots = 0;

	if (len >= 2 && (s[0] == 'v' || s[0] == 'V') && is_digit(s[1]))
		i = 1;
	if (i >= len || !is_digit(s[i]))
		return 0;
	while (i < len) {
		if (is_digit(s[i])) {
			i++;
		} else if (s[i] == '.' && i + 1 < len && is_digit(s[i + 1])) {
			dots++;
			i++;
		} else {
			break;
		}
	}
	if (i == len)
		return 1;
	if (s[i] == '+' || s[i] == '~')	/* 1.0+dfsg, 2.0~rc1 */
		return 1;
	if (pre_word(s + i, len - i, &wl) > 0) {
		for (i += wl; i < len && (is_digit(s[i]) || s[i] == '.'); i++)
			;
		return i == len;
	}
	/* 1.1.1w: one letter after a dotted number */
	return dots > 0 && i + 1 == len && is_lower(to_lower(s[i]));
}

/* Locale-shaped: "de", "en-US", "pt-BR", "ja-JP-mac", "ca-valencia",
 * "zh-Hant": 2-3 lowercase letters, then -XX, -Xxxx or -xxx... parts. */
static int
locale_like(const char *s, size_t n)
{
	static const char *const not_locales[] = {
		"src", "doc", "old", "bin", "lib", "dev", "all", "pub", "win",
		"mac", "rpm", "deb", "sdk", "jre", "jdk", "iso", "net", "web",
		"ftp", "www", "dl", "tmp", "raw", "exe", "msi", "app", "gpl",
		"osx", "arm", "cd", "dvd", "usb", "efi", "os", "tar", "zip",
	};
	size_t i = 0, k, p;

	while (i < n && is_lower(s[i]))
		i++;
	if (i < 2 || i > 3)
		return 0;
	for (k = 0; k < sizeof(not_locales) / sizeof(not_locales[0]); k++)
		if (strlen(not_locales[k]) == i &&
		    memcmp(not_locales[k], s, i) == 0 && i == n)
			return 0;
	while (i < n) {
		if (s[i] != '-')
			return 0;
		p = ++i;
		while (i < n && is_alpha(s[i]))
			i++;
		if (i - p == 2 && is_upper(s[p]) && is_upper(s[p + 1]))
			continue;
		if (i - p == 4 && is_upper(s[p]))
			continue;
		if (i - p >= 3 && i - p <= 8) {
			for (k = p; k < i && is_lower(s[k]); k++)
				;
			if (k == i)
				continue;
		}
		return 0;
	}
	return 1;
}

/* ---- the name's tokens -------------------------------------------------- */

struct token {
	size_t off, len;
	char sep;                /* separator before it; 0 at the start */
	unsigned char role;      /* enum role */
	const char *plat;        /* normalised platform, when role is PLATFORM */
};

enum role { R_NONE = 0, R_PRODUCT, R_VERSION, R_PLATFORM, R_NOISE, R_LOCALE,
	R_DONE };

static int
is_sep(char c)
{
	return c == '-' || c == '_' || c == ' ' || c == '.' || c == '(' ||
	    c == ')' || c == ',' || c == '[' || c == ']' || c == '\t' ||
	    c == '%';
}

static int
starts_with_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return n >= wl && memcmp(s, w, wl) == 0 && (n == wl || is_sep(s[wl]));
}

/* Split @s (lowercase) into tokens at separators; a dot between digits
 * stays inside (a version), x86_64 / x86-64 and 64-bit stay whole. */
static size_t
tokenize(const char *s, size_t n, struct token *t, size_t max)
{
	size_t i = 0, nt = 0, start;
	char sep;

	while (i < n && nt < max) {
		sep = 0;
		while (i < n && is_sep(s[i]))
			sep = s[i++];
		if (i >= n)
			break;
		start = i;
		if (starts_with_word(s + i, n - i, "x86_64") ||
		    starts_with_word(s + i, n - i, "x86-64") ||
		    starts_with_word(s + i, n - i, "64-bit") ||
		    starts_with_word(s + i, n - i, "32-bit")) {
			i += 6;
		} else {
			while (i < n) {
				if (s[i] == '.' && i > start &&
				    is_digit(s[i - 1]) && i + 1 < n &&
				    is_digit(s[i + 1])) {
					i++;
					continue;
				}
				if (is_sep(s[i]))
					break;
				i++;
			}
		}
		t[nt].off = start;
		t[nt].len = i - start;
		t[nt].sep = nt == 0 ? 0 : sep;
		t[nt].role = R_NONE;
		t[nt].plat = NULL;
		nt++;
	}
	return nt;
}

/* Add the platform @p to @out unless it is there already. */
static void
add_platform(char *out, size_t cap, const char *p)
{
	size_t pl = strlen(p);
	const char *q = out;

	while ((q = strstr(q, p)) != NULL) {
		if ((q == out || q[-1] == '-') && (q[pl] == '\0' || q[pl] == '-'))
			return;
		q++;
	}
	append_word(out, cap, p, pl);
}

/* All digits and dots (a release number after a version: "39-1.5"). */
static int
numeric(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]) && s[i] != '.')
			return 0;
	return n > 0;
}

/* "rc1", "beta", "b2", "alpha3", "dev", "preview1" as a whole token. */
static int
pre_token(const char *s, size_t n)
{
	size_t wl, i;

	if (pre_word(s, n, &wl) == 0)
		return 0;
	for (i = wl; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* A glued name-and-version token: "go1.21.5", "7z2301".  The split point
 * in @at; the version part must have a dot or three digits. */
static int
glued(const char *s, size_t n, size_t *at)
{
	size_t i = n, k;

	while (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.'))
		i--;
	while (i < n && s[i] == '.')
		i++;
	if (i < 2 || i == n || !is_alpha(s[i - 1]))
		return 0;
	if (!store_version_like(s + i, n - i))
		return 0;
	for (k = i; k < n && s[k] != '.'; k++)
		;
	if (k == n && n - i < 3)
		return 0;
	*at = i;
	return 1;
}

/* ---- Debian and RPM names ------------------------------------------------ */

/* Debian's package name rule: [a-z0-9][a-z0-9+.-]+ (policy 5.6.1). */
static int
deb_name(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || !(is_lower(s[0]) || is_digit(s[0])))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '+' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* name_version_arch (.deb) or name_version (.dsc, .orig.tar.gz,
 * .debian.tar.xz): 1 if @stem is one, with @out filled. */
static int
parse_deb(const char *stem, size_t n, int binary, struct store_product *out)
{
	const char *u1 = memchr(stem, '_', n), *u2;
	size_t vl;

	if (u1 == NULL || !deb_name(stem, (size_t)(u1 - stem)))
		return 0;
	u2 = memchr(u1 + 1, '_', n - (size_t)(u1 + 1 - stem));
	if (binary) {
		if (u2 == NULL || memchr(u2 + 1, '_', n - (size_t)(u2 + 1 -
		    stem)) != NULL || u2 + 1 == stem + n)
			return 0;
		vl = (size_t)(u2 - u1 - 1);
		copy_cut(out->platform, sizeof(out->platform), u2 + 1,
		    (size_t)(stem + n - u2 - 1));
	} else {
		if (u2 != NULL)
			return 0;
		vl = (size_t)(stem + n - u1 - 1);
	}
	if (vl == 0 || !is_digit(u1[1]))
		return 0;
	copy_cut(out->product, sizeof(out->product), stem,
	    (size_t)(u1 - stem));
	copy_cut(out->version, sizeof(out->version), u1 + 1, vl);
	return 1;
}

/* name-version-release.arch: 1 if @stem is one, with @out filled. */
static int
parse_rpm(const char *stem, size_t n, struct store_product *out)
{
	const char *dot = NULL, *d1 = NULL, *d2 = NULL, *p;

	for (p = stem + n; p > stem; p--)
		if (p[-1] == '.') {
			dot = p - 1;
			break;
		}
	if (dot == NULL || dot + 1 == stem + n)
		return 0;
	for (p = dot + 1; p < stem + n; p++)
		if (!is_lower(*p) && !is_digit(*p) && *p != '_')
			return 0;
	for (p = dot; p > stem; p--)
		if (p[-1] == '-') {
			if (d1 == NULL)
				d1 = p - 1;
			else {
				d2 = p - 1;
				break;
			}
		}
	if (d2 == NULL || d2 == stem || !is_digit(d2[1]))
		return 0;
	copy_cut(out->product, sizeof(out->product), stem,
	    (size_t)(d2 - stem));
	for (char *c = out->product; *c; c++)
		*c = to_lower(*c);
	copy_cut(out->version, sizeof(out->version), d2 + 1,
	    (size_t)(dot - d2 - 1));
	copy_cut(out->platform, sizeof(out->platform), dot + 1,
	    (size_t)(stem + n - dot - 1));
	return 1;
}

/* ---- the parse ------------------------------------------------------------ */

/* Mark the platform words of @t (not its first token: "linux-6.6.8" is the
 * kernel) and merge "Intel 64" / "Arm 64" into one. */
static void
mark_platforms(const char *low, struct token *t, size_t nt)
{
	size_t i;

	for (i = 1; i < nt; i++) {
		const char *p = platform_of(low + t[i].off, t[i].len);

		if (p == NULL)
			continue;
		t[i].role = R_PLATFORM;
		t[i].plat = p;
		if (i + 1 < nt && t[i + 1].len == 2 &&
		    memcmp(low + t[i + 1].off, "64", 2) == 0 &&
		    (strcmp(p, "intel") == 0 || strcmp(p, "arm") == 0)) {
			t[i].plat = p[0] == 'i' ? "intel64" : "arm64";
			t[i + 1].role = R_DONE;
			i++;
		}
	}
}

/* A commit id in a name ("Inkscape-091e20e-x86_64"): 7 or more hex
 * digits with at least one digit and one letter. */
static int
commit_hash(const char *s, size_t n)
{
	size_t i;
	int digit = 0, letter = 0;

	if (n < 7)
		return 0;
	for (i = 0; i < n; i++) {
		if (is_digit(s[i]))
			digit = 1;
		else if (s[i] >= 'a' && s[i] <= 'f')
			letter = 1;
		else
			return 0;
	}
	return digit && letter;
}

static void
parse_name(const char *orig, const char *low, size_t n,
    struct store_product *out)
{
	struct token t[MAX_TOKENS];
	size_t nt, i, j, vi = (size_t)-1, gi = (size_t)-1, gat = 0, vend, vstart;

	nt = tokenize(low, n, t, MAX_TOKENS);
	if (nt == 0)
		return;
	mark_platforms(low, t, nt);
	for (i = 0; i < nt; i++) {
		if (t[i].role == R_NONE &&
		    store_version_like(low + t[i].off, t[i].len)) {
			vi = i;
			break;
		}
	}
	if (vi == (size_t)-1) {
		for (i = 0; i < nt; i++)
			if (t[i].role == R_NONE &&
			    !is_noise(low + t[i].off, t[i].len) &&
			    glued(low + t[i].off, t[i].len, &gat)) {
				gi = i;
				break;
			}
	}
	/* the product: words before the version (or every word when there
	 * is none), but not platforms or packaging words */
	for (i = 0; i < nt; i++) {
		if (i == vi || (vi != (size_t)-1 && i > vi))
			break;
		if (t[i].role != R_NONE || is_noise(low + t[i].off, t[i].len) ||
		    (i > 0 && commit_hash(low + t[i].off, t[i].len)))
			continue;
		if (i == gi) {
			append_word(out->product, sizeof(out->product),
			    low + t[i].off, gat);
			break;
		}
		append_word(out->product, sizeof(out->product), low + t[i].off,
		    t[i].len);
		t[i].role = R_PRODUCT;
	}
	/* the version, with a pre-release or release part that follows it
	 * ("1.0-rc1", "39-1.5") */
	if (vi != (size_t)-1) {
		vstart = t[vi].off;
		vend = t[vi].off + t[vi].len;
		for (j = vi + 1; j < nt && j < vi + 4; j++) {
			const char *s = low + t[j].off;

			if (t[j].role != R_NONE)
				break;
			if ((t[j].sep == '-' || t[j].sep == '.' ||
			    t[j].sep == '_') && pre_token(s, t[j].len))
				;
			else if (t[j].sep == '-' && numeric(s, t[j].len) &&
			    t[j].len <= 8)
				;
			else
				break;
			t[j].role = R_VERSION;
			vend = t[j].off + t[j].len;
		}
		if (low[vstart] == 'v')
			vstart++;
		copy_cut(out->version, sizeof(out->version), low + vstart,
		    vend - vstart);
	} else if (gi != (size_t)-1) {
		copy_cut(out->version, sizeof(out->version),
		    low + t[gi].off + gat, t[gi].len - gat);
	}
	for (i = 0; i < nt; i++)
		if (t[i].role == R_PLATFORM)
			add_platform(out->platform, sizeof(out->platform),
			    t[i].plat);
	/* LibreOffice's language and help packs: ..._helppack_en-GB.msi */
	for (i = 0; i + 1 < nt; i++) {
		if (!starts_with_word(low + t[i].off, t[i].len, "helppack") &&
		    !starts_with_word(low + t[i].off, t[i].len, "langpack"))
			continue;
		for (j = i + 1; j < nt && j < i + 4; j++)
			append_word(out->locale, sizeof(out->locale),
			    orig + t[j].off, t[j].len);
		break;
	}
}

struct seg {
	size_t off, len;         /* into the decoded path buffer */
};

/* Split the path of @url into decoded segments in @buf; the last one is
 * the file name.  Returns the number of segments. */
static size_t
url_segments(const char *url, char *buf, size_t cap, struct seg *sg,
    size_t max)
{
	const char *p, *end, *s;
	size_t ns = 0, o = 0, l;

	if (url == NULL)
		return 0;
	p = strstr(url, "://");
	p = p ? p + 3 : url;
	p = strchr(p, '/');	/* past the authority */
	if (p == NULL)
		return 0;
	end = p + strcspn(p, "?#");
	while (p < end && ns < max) {
		while (p < end && *p == '/')
			p++;
		s = p;
		while (p < end && *p != '/')
			p++;
		if (p == s)
			break;
		if (o + 1 >= cap)
			break;
		l = pct_decode(s, (size_t)(p - s), buf + o, cap - o);
		sg[ns].off = o;
		sg[ns].len = l;
		ns++;
		o += l + 1;
	}
	/* a path ending in '/' names a directory: no file name */
	if (ns > 0 && ns < max && end[-1] == '/' && o < cap) {
		buf[o] = '\0';
		sg[ns].off = o;
		sg[ns].len = 0;
		ns++;
	}
	return ns;
}

/* What the directories above the file say: the version of the deepest
 * version-shaped one, and below it a platform and a locale (Mozilla's
 * releases/121.0/win64/en-US/; VLC's vlc/3.0.20/win64/). */
static void
parse_dirs(const char *buf, const struct seg *sg, size_t ndirs,
    struct store_product *out)
{
	size_t i, vd = (size_t)-1;

	for (i = ndirs; i > 0; i--)
		if (store_version_like(buf + sg[i - 1].off, sg[i - 1].len)) {
			vd = i - 1;
			break;
		}
	if (vd == (size_t)-1)
		return;
	if (out->version[0] == '\0') {
		const char *v = buf + sg[vd].off;
		size_t vl = sg[vd].len;

		if (v[0] == 'v' || v[0] == 'V')
			v++, vl--;
		copy_cut(out->version, sizeof(out->version), v, vl);
		for (char *c = out->version; *c; c++)
			*c = to_lower(*c);
	}
	for (i = vd + 1; i < ndirs; i++) {
		char low[NAME_CAP];
		struct token t[8];
		size_t nt, k, l = sg[i].len < NAME_CAP ? sg[i].len :
		    NAME_CAP - 1;
		int any = 0;

		for (k = 0; k < l; k++)
			low[k] = to_lower(buf[sg[i].off + k]);
		low[l] = '\0';
		nt = tokenize(low, l, t, 8);
		for (k = 0; k < nt; k++)
			if (platform_of(low + t[k].off, t[k].len) != NULL)
				any = 1;
		if (locale_like(buf + sg[i].off, sg[i].len)) {
			if (out->locale[0] == '\0')
				copy_cut(out->locale, sizeof(out->locale),
				    buf + sg[i].off, sg[i].len);
		} else if (any && out->platform[0] == '\0') {
			for (k = 0; k < nt; k++) {
				const char *p = platform_of(low + t[k].off,
				    t[k].len);

				if (p != NULL)
					add_platform(out->platform,
					    sizeof(out->platform), p);
			}
		}
	}
}

/* No product in the name ("v1.2.3.tar.gz", "setup.exe"): the deepest
 * directory that is not a version, platform, locale or a generic name. */
static void
product_from_dirs(const char *buf, const struct seg *sg, size_t ndirs,
    struct store_product *out)
{
	size_t i, k;

	for (i = ndirs; i > 0; i--) {
		const char *s = buf + sg[i - 1].off;
		size_t n = sg[i - 1].len;
		char low[sizeof(out->product)];

		if (n == 0 || n >= sizeof(low) || !is_alpha(s[0]) ||
		    store_version_like(s, n) || is_generic_dir(s, n) ||
		    locale_like(s, n))
			continue;
		for (k = 0; k < n; k++) {
			low[k] = to_lower(s[k]);
			if (!is_lower(low[k]) && !is_digit(low[k]) &&
			    low[k] != '-' && low[k] != '_' && low[k] != '.' &&
			    low[k] != '+')
				break;
		}
		if (k < n)
			continue;
		low[n] = '\0';
		if (platform_of(low, n) != NULL)
			continue;
		copy_cut(out->product, sizeof(out->product), low, n);
		return;
	}
}

int
store_product_parse(const char *url, const char *file,
    struct store_product *out)
{
	char path[PATH_CAP], orig[NAME_CAP], low[NAME_CAP], ext[16];
	struct seg sg[MAX_SEGS];
	size_t ns, ndirs, n, i, dot, nstrip = 0;
	int binary_deb = 0, rpm = 0, deb_src = 0, done = 0;

	memset(out, 0, sizeof(*out));
	ns = url_segments(url, path, sizeof(path), sg, MAX_SEGS);
	ndirs = ns > 0 ? ns - 1 : 0;
	if (file != NULL && file[0] != '\0') {
		n = strlen(file);
		/* a file name given with a path keeps its last segment */
		for (i = n; i > 0 && file[i - 1] != '/'; i--)
			;
		copy_cut(orig, sizeof(orig), file + i, n - i);
		n = strlen(orig);
	} else if (ns > 0) {
		copy_cut(orig, sizeof(orig), path + sg[ns - 1].off,
		    sg[ns - 1].len);
		n = strlen(orig);
	} else {
		n = 0;
		orig[0] = '\0';
	}
	/* the extensions: "curl_7.88.1-10+deb12u5_amd64.deb", ".tar.gz" */
	ext[0] = '\0';
	while (nstrip < 4 && n > 0) {
		for (dot = n; dot > 0 && orig[dot - 1] != '.'; dot--)
			;
		if (dot <= 1 || !is_extension(orig + dot, n - dot))
			break;
		if (nstrip == 0)
			copy_cut(ext, sizeof(ext), orig + dot, n - dot);
		n = dot - 1;
		orig[n] = '\0';
		nstrip++;
	}
	for (i = 0; ext[i]; i++)
		ext[i] = to_lower(ext[i]);
	binary_deb = strcmp(ext, "deb") == 0 || strcmp(ext, "udeb") == 0 ||
	    strcmp(ext, "ddeb") == 0;
	rpm = strcmp(ext, "rpm") == 0;
	if (binary_deb)
		done = parse_deb(orig, n, 1, out);
	else if (rpm)
		done = parse_rpm(orig, n, out);
	if (!done && memchr(orig, '_', n) != NULL) {
		/* Debian source: curl_7.88.1.orig, curl_7.88.1-10.debian,
		 * curl_7.88.1-10.dsc */
		size_t m = n;
		const char *o = NULL;

		for (i = n; i > 0; i--)
			if (orig[i - 1] == '.') {
				o = orig + i;
				break;
			}
		if (o != NULL && (strncmp(o, "orig", 4) == 0 ||
		    strcmp(o, "debian") == 0))
			m = (size_t)(o - orig - 1), deb_src = 1;
		if (deb_src || strcmp(ext, "dsc") == 0)
			done = parse_deb(orig, m, 0, out);
	}
	if (!done && n > 0) {
		for (i = 0; i < n; i++)
			low[i] = to_lower(orig[i]);
		low[n] = '\0';
		parse_name(orig, low, n, out);
	}
	parse_dirs(path, sg, ndirs, out);
	if (out->product[0] == '\0')
		product_from_dirs(path, sg, ndirs, out);
	if (out->product[0] == '\0') {
		memset(out, 0, sizeof(*out));
		return STORE_ENOTFOUND;
	}
	return 0;
}

/* ---- version ordering ------------------------------------------------------ */

/* The kinds of a version's pieces, in the order they sort when two
 * versions differ in kind at the same place: "~" before a pre-release
 * before the end before a letter before a separator before a number
 * (dpkg's order, with pre-releases added below the end). */
enum vkind { VK_TILDE, VK_PRE, VK_END, VK_LETTER, VK_SEP, VK_NUM };

struct vpiece {
	enum vkind kind;
	const char *p;           /* VK_NUM: the digits, leading zeros gone */
	size_t n;
	int val;                 /* VK_PRE rank, VK_LETTER / VK_SEP char */
};

static const char *
next_piece(const char *s, int after_digit, struct vpiece *v)
{
	size_t wl;
	int r;

	v->p = s;
	v->n = 0;
	v->val = 0;
	if (*s == '\0') {
		v->kind = VK_END;
		return s;
	}
	if (is_digit(*s)) {
		while (*s == '0' && is_digit(s[1]))
			s++;
		v->p = s;
		while (is_digit(*s))
			s++;
		v->n = (size_t)(s - v->p);
		v->kind = VK_NUM;
		return s;
	}
	if (*s == '~') {
		v->kind = VK_TILDE;
		return s + 1;
	}
	if (after_digit) {
		/* "rc1", ".rc1", "-beta2", "_alpha": a pre-release, the
		 * separator before it included */
		const char *w = s;

		if ((*w == '.' || *w == '-' || *w == '_') && is_alpha(w[1]))
			w++;
		if (is_alpha(*w) && (r = pre_word(w, strlen(w), &wl)) > 0) {
			v->kind = VK_PRE;
			v->val = r;
			return w + wl;
		}
	}
	if (is_alpha(*s)) {
		v->kind = VK_LETTER;
		v->val = to_lower(*s);
	} else {
		v->kind = VK_SEP;
		v->val = (unsigned char)*s;
	}
	return s + 1;
}

static const char *
skip_v(const char *s)
{
	return (s[0] == 'v' || s[0] == 'V') && is_digit(s[1]) ? s + 1 : s;
}

/* The epoch ("1:" of "1:2.30-1"), or 0; @s moves past it. */
static unsigned long
epoch(const char **s)
{
	const char *p = *s;
	unsigned long e = 0;

	while (is_digit(*p)) {
		if (e < 100000000UL)
			e = e * 10 + (unsigned long)(*p - '0');
		p++;
	}
	if (*p == ':' && p > *s) {
		*s = p + 1;
		return e;
	}
	return 0;
}

int
store_version_cmp(const char *a, const char *b)
{
	struct vpiece pa, pb;
	unsigned long ea, eb;
	int da = 0, db = 0, c;

	a = skip_v(a ? a : "");
	b = skip_v(b ? b : "");
	ea = epoch(&a);
	eb = epoch(&b);
	if (ea != eb)
		return ea < eb ? -1 : 1;
	for (;;) {
		a = next_piece(a, da, &pa);
		b = next_piece(b, db, &pb);
		da = pa.kind == VK_NUM;
		db = pb.kind == VK_NUM;
		if (pa.kind != pb.kind)
			return pa.kind < pb.kind ? -1 : 1;
		switch (pa.kind) {
		case VK_END:
			return 0;
		case VK_NUM:
			if (pa.n != pb.n)
				return pa.n < pb.n ? -1 : 1;
			c = memcmp(pa.p, pb.p, pa.n);
			if (c != 0)
				return c < 0 ? -1 : 1;
			break;
		case VK_TILDE:
			break;
		default:
			if (pa.val != pb.val)
				return pa.val < pb.val ? -1 : 1;
			break;
		}
	}
}
