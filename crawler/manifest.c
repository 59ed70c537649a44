/*
 * manifest.c - the manifest dispatcher: decompression (zlib, liblzma,
 * libzstd) with a bound on the result, format detection, and the helpers
 * every format's parser shares (manifest-int.h).  The formats themselves
 * are in manifest-deb.c, manifest-rpm.c, manifest-json.c, manifest-xml.c
 * and manifest-listing.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "crawl.h"
#include "manifest-int.h"
#include "url.h"

/* Decoder memory: xz's dictionary and zstd's window are chosen by the
 * file; a hostile one could ask for gigabytes.  xz -9 needs 65 MiB to
 * decode, zstd's default levels a window of at most 8 MiB (--long 128). */
#define XZ_MEMLIMIT      (128u << 20)
#define ZSTD_WINDOWLOG   27
#define CHUNK            (64u * 1024)

static const char *const format_names[MF_MAX + 1] = {
	"auto", "deb-release", "deb-packages", "rpm-repomd", "rpm-primary",
	"github", "appcast", "metalink", "listing",
};

const char *
crawl_manifest_format_name(int format)
{
	if (format < 0 || format > MF_MAX)
		return "?";
	return format_names[format];
}

int
crawl_manifest_format_parse(const char *name)
{
	int i;

	if (strcmp(name, "deb") == 0)
		return MF_DEB_RELEASE;
	if (strcmp(name, "rpm") == 0)
		return MF_RPM_REPOMD;
	for (i = 0; i <= MF_MAX; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return -1;
}

/* ---- helpers for the parsers -------------------------------------------- */

int
crawl__mf_error(struct mf_ctx *m, const char *fmt, ...)
{
	va_list ap;

	size_t n;

	if (m->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(m->err, m->errlen, fmt, ap);
		va_end(ap);
		/* libxml2's messages end in a newline */
		n = strlen(m->err);
		while (n > 0 && (m->err[n - 1] == '\n' || m->err[n - 1] == ' '))
			m->err[--n] = '\0';
	}
	return CRAWL_EINVAL;
}

int
crawl__mf_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

/* Resolve @ref (not NUL-terminated) against @base; NULL if refused. */
static char *
resolve(struct mf_ctx *m, const char *base, const char *ref, size_t reflen)
{
	char buf[CRAWL_URL_MAX + 1], *out = NULL;

	if (reflen == 0 || reflen > CRAWL_URL_MAX)
		return NULL;
	memcpy(buf, ref, reflen);
	buf[reflen] = '\0';
	if (memchr(buf, '\0', reflen) != NULL)
		return NULL;
	if (crawl_url_resolve(base ? base : m->url, buf, &out) != 0)
		return NULL;
	return out;
}

static int
count_entry(struct mf_ctx *m)
{
	if (++m->entries > m->lim->max_entries)
		return crawl__mf_error(m, "more than %zu entries",
		    m->lim->max_entries);
	return 0;
}

/* An entry of the manifest: a file (@format < 0) of @size bytes changed
 * at @mtime, or a further manifest of @format expected to be @size bytes;
 * counted against the entry limit, handed to the callback resolved. */
static int
entry(struct mf_ctx *m, const char *base, const char *ref, size_t reflen,
    int format, uint64_t size, int64_t mtime)
{
	char *url;
	int rc;

	if (count_entry(m) != 0)
		return CRAWL_EINVAL;
	url = resolve(m, base, ref, reflen);
	if (url == NULL)
		return 0;	/* ftp mirror, over-long or broken reference */
	if (format < 0)
		rc = m->cb->file ? m->cb->file(m->cb->arg, url, size, mtime) : 0;
	else
		rc = m->cb->manifest ? m->cb->manifest(m->cb->arg, url, format,
		    size) : 0;
	free(url);
	if (rc != 0)
		return crawl__mf_error(m, "stopped");
	return 0;
}

int
crawl__mf_file(struct mf_ctx *m, const char *base, const char *ref,
    size_t reflen, uint64_t size, int64_t mtime)
{
	return entry(m, base, ref, reflen, -1, size, mtime);
}

int
crawl__mf_manifest(struct mf_ctx *m, const char *base, const char *ref,
    size_t reflen, int format, uint64_t expect)
{
	return entry(m, base, ref, reflen, format, expect, 0);
}

void
crawl__mf_xml_root(const char *text, size_t len, char *out, size_t outlen)
{
	const char *p = text, *end = text + len, *s, *colon = NULL;
	size_t n;

	out[0] = '\0';
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		if (p + 4 <= end && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			continue;
		}
		if (p >= end || *p != '<')
			return;
		if (p + 4 <= end && memcmp(p, "<!--", 4) == 0) {
			const char *e = NULL;

			for (s = p + 4; s + 3 <= end; s++)
				if (memcmp(s, "-->", 3) == 0) {
					e = s + 3;
					break;
				}
			if (e == NULL)
				return;
			p = e;
			continue;
		}
		if (p + 1 < end && (p[1] == '?' || p[1] == '!')) {
			s = memchr(p, '>', (size_t)(end - p));
			if (s == NULL)
				return;
			p = s + 1;
			continue;
		}
		break;
	}
	s = ++p;
	while (p < end && *p != ' ' && *p != '>' && *p != '/' && *p != '\t' &&
	    *p != '\r' && *p != '\n') {
		if (*p == ':')
			colon = p;
		p++;
	}
	if (colon)
		s = colon + 1;
	n = (size_t)(p - s);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* ---- decompression ------------------------------------------------------ */

static int
too_big(char *err, size_t errlen, const char *what, size_t max)
{
	snprintf(err, errlen, "%s: decompressed size above %zu bytes (a "
	    "compression bomb, or raise --max-manifest)", what, max);
	return CRAWL_EINVAL;
}

/*
 * The bounded loop every decompressor runs: step() decodes the next piece
 * into @out (@outlen bytes) and says how many it wrote in @n; what it
 * wrote is kept, up to the buffer's limit, before its verdict counts.
 */
enum step { STEP_MORE, STEP_END, STEP_ERROR };
typedef enum step (*step_fn)(void *state, unsigned char *out, size_t outlen,
    size_t *n, char *err, size_t errlen);

static int
decode_bounded(step_fn step, void *state, const char *what,
    struct fg_buf *b, char *err, size_t errlen)
{
	unsigned char chunk[CHUNK];
	enum step st;
	size_t n;

	do {
		n = 0;
		st = step(state, chunk, sizeof(chunk), &n, err, errlen);
		if (fg_buf_add(b, chunk, n) < 0)
			return too_big(err, errlen, what, b->limit);
		if (st == STEP_ERROR)
			return CRAWL_EINVAL;
	} while (st == STEP_MORE);
	return 0;
}

struct gz {
	z_stream z;
	size_t len;              /* input not yet handed to zlib */
};

static enum step
gz_step(void *state, unsigned char *out, size_t outlen, size_t *n,
    char *err, size_t errlen)
{
	struct gz *g = state;
	int zr;

	if (g->z.avail_in == 0 && g->len > 0) {
		g->z.avail_in = g->len > (1u << 30) ? (1u << 30) : (uInt)g->len;
		g->len -= g->z.avail_in;
	}
	g->z.next_out = out;
	g->z.avail_out = (uInt)outlen;
	zr = inflate(&g->z, Z_NO_FLUSH);
	*n = outlen - g->z.avail_out;
	if (zr == Z_STREAM_END) {
		/* another member may follow (RFC 1952 2.2) */
		if (g->z.avail_in == 0 && g->len == 0)
			return STEP_END;
		return inflateReset(&g->z) == Z_OK ? STEP_MORE : STEP_END;
	}
	if (zr != Z_OK && zr != Z_BUF_ERROR) {
		snprintf(err, errlen, "gzip: %s", g->z.msg ? g->z.msg :
		    "damaged data");
		return STEP_ERROR;
	}
	/* everything read and no more output: the stream is cut */
	if (g->z.avail_in == 0 && g->len == 0 && (zr == Z_BUF_ERROR ||
	    g->z.avail_out != 0)) {
		snprintf(err, errlen, "gzip: truncated (the data ends inside "
		    "the stream)");
		return STEP_ERROR;
	}
	return STEP_MORE;
}

static int
gunzip(const char *in, size_t len, struct fg_buf *b, char *err,
    size_t errlen)
{
	struct gz g;
	int rc;

	memset(&g, 0, sizeof(g));
	if (inflateInit2(&g.z, 15 + 16) != Z_OK) {
		snprintf(err, errlen, "gzip: zlib would not start");
		return CRAWL_EINVAL;
	}
	g.z.next_in = (unsigned char *)(uintptr_t)in;
	g.len = len;
	rc = decode_bounded(gz_step, &g, "gzip", b, err, errlen);
	inflateEnd(&g.z);
	return rc;
}

static enum step
xz_step(void *state, unsigned char *out, size_t outlen, size_t *n,
    char *err, size_t errlen)
{
	lzma_stream *s = state;
	lzma_ret r;

	s->next_out = out;
	s->avail_out = outlen;
	r = lzma_code(s, LZMA_FINISH);
	*n = outlen - s->avail_out;
	if (r == LZMA_STREAM_END)
		return STEP_END;
	if (r == LZMA_OK)
		return STEP_MORE;
	snprintf(err, errlen, "xz: %s", r == LZMA_BUF_ERROR ?
	    "truncated (the data ends inside the stream)" :
	    r == LZMA_MEMLIMIT_ERROR ? "needs more than 128 MiB to "
	    "decode" : r == LZMA_FORMAT_ERROR ? "not xz data" :
	    "damaged data");
	return STEP_ERROR;
}

static int
unxz(const char *in, size_t len, struct fg_buf *b, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	int rc;

	if (lzma_stream_decoder(&s, XZ_MEMLIMIT, LZMA_CONCATENATED) !=
	    LZMA_OK) {
		snprintf(err, errlen, "xz: liblzma would not start");
		return CRAWL_EINVAL;
	}
	s.next_in = (const uint8_t *)in;
	s.avail_in = len;
	rc = decode_bounded(xz_step, &s, "xz", b, err, errlen);
	lzma_end(&s);
	return rc;
}

struct zs {
	ZSTD_DCtx *d;
	ZSTD_inBuffer ib;
	size_t r;                /* the last call's hint: 0 = a frame ended */
};

static enum step
zstd_step(void *state, unsigned char *out, size_t outlen, size_t *n,
    char *err, size_t errlen)
{
	struct zs *z = state;
	ZSTD_outBuffer ob = { out, outlen, 0 };
	/* all input taken but output may still be pending */
	int flushing = z->ib.pos == z->ib.size;

	z->r = ZSTD_decompressStream(z->d, &ob, &z->ib);
	if (ZSTD_isError(z->r)) {
		snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(z->r));
		return STEP_ERROR;
	}
	*n = ob.pos;
	if (z->ib.pos < z->ib.size)
		return STEP_MORE;
	if (z->r == 0)
		return STEP_END;
	if (flushing && ob.pos == 0) {
		snprintf(err, errlen, "zstd: truncated (the data ends inside "
		    "a frame)");
		return STEP_ERROR;
	}
	return STEP_MORE;
}

static int
unzstd(const char *in, size_t len, struct fg_buf *b, char *err,
    size_t errlen)
{
	struct zs z = { ZSTD_createDCtx(), { in, len, 0 }, 1 };
	int rc;

	if (z.d == NULL) {
		snprintf(err, errlen, "zstd: libzstd would not start");
		return CRAWL_EINVAL;
	}
	ZSTD_DCtx_setParameter(z.d, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG);
	rc = decode_bounded(zstd_step, &z, "zstd", b, err, errlen);
	ZSTD_freeDCtx(z.d);
	return rc;
}

int
crawl_manifest_decompress(const char *in, size_t len, size_t max,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)in;
	struct fg_buf b;
	int rc;

	*out = NULL;
	*outlen = 0;
	err[0] = '\0';
	fg_buf_init(&b, max);
	if (len >= 2 && u[0] == 0x1f && u[1] == 0x8b)
		rc = gunzip(in, len, &b, err, errlen);
	else if (len >= 6 && memcmp(u, "\xfd" "7zXZ\0", 6) == 0)
		rc = unxz(in, len, &b, err, errlen);
	else if (len >= 4 && memcmp(u, "\x28\xb5\x2f\xfd", 4) == 0)
		rc = unzstd(in, len, &b, err, errlen);
	else if (len > max)
		rc = too_big(err, errlen, "body", max);
	else
		rc = fg_buf_add(&b, in, len) < 0 ? CRAWL_EINVAL : 0;
	if (rc == 0 && fg_buf_add(&b, "", 0) < 0)
		rc = CRAWL_EINVAL;
	if (rc != 0) {
		fg_buf_free(&b);
		return CRAWL_EINVAL;
	}
	*out = fg_buf_take(&b, outlen);
	return 0;
}

/* ---- detection and dispatch --------------------------------------------- */

/* 1 if a line of @text (at most the first 64 KiB) starts with @field. */
static int
has_field(const char *text, size_t len, const char *field)
{
	size_t fl = strlen(field), i;

	if (len > 65536)
		len = 65536;
	for (i = 0; i + fl <= len; i++) {
		if ((i == 0 || text[i - 1] == '\n') &&
		    memcmp(text + i, field, fl) == 0)
			return 1;
	}
	return 0;
}

static int
detect(const char *text, size_t len, const char *ctype)
{
	const char *p = text;
	char root[64];

	while ((size_t)(p - text) < len && (*p == ' ' || *p == '\t' ||
	    *p == '\r' || *p == '\n'))
		p++;
	if ((size_t)(p - text) + 3 <= len && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	len -= (size_t)(p - text);
	text = p;
	if (len == 0)
		return MF_AUTO;
	if (len >= 34 && memcmp(text, "-----BEGIN PGP SIGNED MESSAGE-----",
	    34) == 0)
		return MF_DEB_RELEASE;
	if (text[0] == '{' || text[0] == '[')
		return MF_GITHUB;
	if (text[0] == '<') {
		crawl__mf_xml_root(text, len, root, sizeof(root));
		if (strcmp(root, "repomd") == 0)
			return MF_RPM_REPOMD;
		if (strcmp(root, "metadata") == 0)
			return MF_RPM_PRIMARY;
		if (strcmp(root, "rss") == 0)
			return MF_APPCAST;
		if (strcmp(root, "metalink") == 0)
			return MF_METALINK;
		if (strcasecmp(root, "html") == 0 || (ctype &&
		    strncasecmp(ctype, "text/html", 9) == 0))
			return MF_LISTING;
		return MF_AUTO;
	}
	if (has_field(text, len, "Package: ") &&
	    has_field(text, len, "Filename: "))
		return MF_DEB_PACKAGES;
	if ((has_field(text, len, "SHA256:") || has_field(text, len, "MD5Sum:")
	    || has_field(text, len, "SHA1:")) && (has_field(text, len,
	    "Suite: ") || has_field(text, len, "Codename: ") ||
	    has_field(text, len, "Origin: ")))
		return MF_DEB_RELEASE;
	return MF_AUTO;
}

int
crawl_manifest_parse(const char *url, const char *body, size_t len,
    int format, const char *ctype, const struct crawl_manifest_limits *lim,
    const struct crawl_manifest_cb *cb, int *detected, char *err,
    size_t errlen)
{
	struct mf_ctx m;
	char *text = NULL;
	size_t tlen = 0;
	int rc;

	err[0] = '\0';
	if (detected)
		*detected = MF_AUTO;
	if (crawl_manifest_decompress(body, len, lim->max_bytes, &text, &tlen,
	    err, errlen) != 0)
		return CRAWL_EINVAL;
	if (format == MF_AUTO)
		format = detect(text, tlen, ctype);
	if (detected)
		*detected = format;
	memset(&m, 0, sizeof(m));
	m.url = url;
	m.lim = lim;
	m.cb = cb;
	m.err = err;
	m.errlen = errlen;
	switch (format) {
	case MF_DEB_RELEASE: rc = crawl__mf_deb_release(&m, text, tlen); break;
	case MF_DEB_PACKAGES: rc = crawl__mf_deb_packages(&m, text, tlen); break;
	case MF_RPM_REPOMD: rc = crawl__mf_rpm_repomd(&m, text, tlen); break;
	case MF_RPM_PRIMARY: rc = crawl__mf_rpm_primary(&m, text, tlen); break;
	case MF_GITHUB: rc = crawl__mf_github(&m, text, tlen); break;
	case MF_APPCAST: rc = crawl__mf_appcast(&m, text, tlen); break;
	case MF_METALINK: rc = crawl__mf_metalink(&m, text, tlen); break;
	case MF_LISTING: rc = crawl__mf_listing(&m, text, tlen); break;
	default:
		rc = crawl__mf_error(&m, "format not recognised (not a Debian "
		    "Release or Packages, repomd.xml, primary.xml, release "
		    "JSON, appcast, metalink or listing; manifest-format "
		    "forces one)");
		break;
	}
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: malformed",
		    crawl_manifest_format_name(format));
	free(text);
	return rc != 0 ? CRAWL_EINVAL : 0;
}
