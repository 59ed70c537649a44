/*
 * url.c - resolving and normalising URLs (libcurl's URL API does the RFC 3986
 * parsing and dot-segment removal), and the cheap tests that keep a crawl
 * out of URL traps.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "crawl.h"
#include "url.h"
#include "util.h"

/* Query parameters that carry a session and make one page many URLs. */
static const char *const session_params[] = {
	"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid",
	"aspsessionid", "cfid", "cftoken", NULL
};

/* Query parameters of calendar pages: each page links the next month, for
 * ever. */
static const char *const calendar_params[] = {
	"year", "month", "day", "date", "week", "cal", "calendar", NULL
};

/*
 * Percent-encode what libcurl's parser rejects or leaves ambiguous, with
 * WHATWG URL's percent-encode sets for http and https: controls, space,
 * bytes >= 0x7f and " < > everywhere, ` { } before the query, ' in the
 * query.  Drop tabs and newlines inside the reference and controls and
 * spaces around it, and read a backslash before the query as a slash, as
 * browsers do.
 */
static char *pre_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n, i;
	struct fg_buf b;
	int in_query = 0;

	while (*s && (unsigned char)*s <= 0x20)
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	fg_buf_init(&b, 3 * (size_t)CRAWL_URL_MAX + 16);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '?' || c == '#')
			in_query = 1;
		/* http and https are the only schemes we keep, and in them a
		 * backslash before the query is a slash (WHATWG URL, as every
		 * browser reads the link) */
		if (c == '\\' && !in_query) {
			if (fg_buf_add(&b, "/", 1) < 0)
				goto toolong;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' ||
		    c == '>' || (!in_query && (c == '`' || c == '{' ||
		    c == '}')) || (in_query && c == '\'')) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			if (fg_buf_add(&b, e, 3) < 0)
				goto toolong;
		} else if (fg_buf_add(&b, &s[i], 1) < 0) {
			goto toolong;
		}
	}
	if (fg_buf_add(&b, "", 0) < 0)
		goto toolong;
	return fg_buf_take(&b, NULL);
toolong:
	fg_buf_free(&b);
	return NULL;
}

static int in_list(const char *name, size_t len, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == len && strncasecmp(name, list[i], len) == 0)
			return 1;
	return 0;
}

/*
 * Apache mod_autoindex sort links: C=N;O=D, C=M&O=A, F=1, V=1, P=*.iso.
 * The column, order, format and version values are one character; only
 * a query made of nothing else counts.
 */
static int is_sort_query(const char *q)
{
	const char *p = q;

	if (!*p)
		return 0;
	while (*p) {
		size_t vlen;

		if (!(p[0] == 'C' || p[0] == 'O' || p[0] == 'P' || p[0] == 'F' ||
		    p[0] == 'V') || p[1] != '=')
			return 0;
		vlen = strcspn(p + 2, ";&");
		if (p[0] != 'P' && vlen != 1)
			return 0;
		p += 2 + vlen;
		if (*p)
			p++;
	}
	return 1;
}

/* Rebuild @q without session parameters and empty ones, keeping the
 * separators; returns malloc'd (maybe ""). */
static char *strip_session_params(const char *q)
{
	struct fg_buf b;
	const char *p = q;
	char sep = 0;

	fg_buf_init(&b, strlen(q) + 1);
	while (*p) {
		const char *end = p + strcspn(p, "&;");
		size_t namelen = strcspn(p, "=&;");

		if (!in_list(p, namelen, session_params) && end > p) {
			if (b.len)
				fg_buf_add(&b, &sep, 1);
			fg_buf_add(&b, p, (size_t)(end - p));
		}
		if (*end) {
			if (end > p || !b.len)
				sep = *end;
			p = end + 1;
		} else {
			p = end;
		}
	}
	fg_buf_add(&b, "", 0);
	return fg_buf_take(&b, NULL);
}

/* Length of "scheme://authority" of an absolute URL, 0 if it is none. */
static size_t authority_end(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p + strcspn(p, "/?#") - url);
}

/* Length of the "scheme" of @ref if it starts with "scheme:" (RFC 3986
 * 3.1), else 0. */
static size_t scheme_len(const char *ref)
{
	size_t i = 0;

	if (!isalpha((unsigned char)ref[0]))
		return 0;
	while (isalnum((unsigned char)ref[i]) || ref[i] == '+' ||
	    ref[i] == '-' || ref[i] == '.')
		i++;
	return ref[i] == ':' ? i : 0;
}

static int is_http(const char *s, size_t len)
{
	return (len == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (len == 5 && strncasecmp(s, "https", 5) == 0);
}

/* "scheme:" + @rest as an absolute URL: http and https take any number of
 * slashes (or none) before the authority, as WHATWG URL's "special
 * authority ignore slashes" state does ("http:example.com",
 * "http:////example.com" are "http://example.com"). */
static char *with_authority(const char *scheme, size_t slen, const char *rest)
{
	while (*rest == '/')
		rest++;
	return fg_asprintf("%.*s://%s", (int)slen, scheme, rest);
}

/* RFC 3986 5.2.2 for a reference without a scheme. */
static char *resolve_rel(const char *base, const char *ref)
{
	size_t auth = authority_end(base);
	size_t pathlen, dirlen;

	if (ref[0] == '/' && ref[1] == '/')
		return with_authority(base, scheme_len(base), ref);
	pathlen = strcspn(base + auth, "?#");
	if (ref[0] == '\0' || ref[0] == '#')
		return fg_strndup(base, auth + pathlen + strcspn(base + auth +
		    pathlen, "#"));
	if (ref[0] == '?')
		return fg_asprintf("%.*s%s", (int)(auth + pathlen), base, ref);
	if (ref[0] == '/')
		return fg_asprintf("%.*s%s", (int)auth, base, ref);
	dirlen = pathlen;
	while (dirlen > 0 && base[auth + dirlen - 1] != '/')
		dirlen--;
	if (dirlen == 0)	/* base "http://h": merge as "/" + ref */
		return fg_asprintf("%.*s/%s", (int)auth, base, ref);
	return fg_asprintf("%.*s%s", (int)(auth + dirlen), base, ref);
}

/*
 * RFC 3986 5.2 reference resolution, done here because libcurl 7.88's
 * relative handling gets "#frag" and "./?q" wrong.  Dot segments are left
 * for libcurl's parser to remove.  @base may be NULL.  Returns a malloc'd
 * URL.
 *
 * One exception to RFC 3986, as WHATWG URL and browsers have it: a
 * reference whose scheme is the base's own http or https and that does not
 * go on with "//" is relative ("http:/example.com/" on a page of
 * http://example.org/foo/bar is http://example.org/example.com/).
 */
static char *resolve_ref(const char *base, const char *ref)
{
	size_t slen = scheme_len(ref);

	if (base && !authority_end(base))
		base = NULL;
	if (slen) {
		if (!is_http(ref, slen))
			return fg_strdup(ref);
		if (base && scheme_len(base) == slen &&
		    strncasecmp(base, ref, slen) == 0 &&
		    !(ref[slen + 1] == '/' && ref[slen + 2] == '/'))
			return resolve_rel(base, ref + slen + 1);
		return with_authority(ref, slen, ref + slen + 1);
	}
	if (!base)
		return fg_strdup(ref);
	return resolve_rel(base, ref);
}

/* ---- hosts: IDNA (RFC 5891 A-labels by RFC 3492 Punycode) ------------ */

#define PUNY_BASE 36
#define PUNY_TMIN 1
#define PUNY_TMAX 26
#define PUNY_SKEW 38
#define PUNY_DAMP 700
#define PUNY_BIAS 72
#define PUNY_N 128
/* Code points of one label at most (DNS labels are 63 octets). */
#define LABEL_MAX 256

/* RFC 3492 6.1 */
static uint32_t puny_adapt(uint32_t delta, uint32_t npoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

static char puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Decode strict UTF-8 (no overlongs, surrogates or > U+10FFFF) into @cp;
 * the count, or -1. */
static long utf8_decode(const unsigned char *s, size_t len, uint32_t *cp,
    size_t max)
{
	size_t i = 0, n = 0;

	while (i < len) {
		uint32_t c = s[i], min;
		unsigned extra, k;

		if (c < 0x80) {
			extra = 0;
			min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			c &= 0x07;
			min = 0x10000;
		} else {
			return -1;
		}
		if (len - i - 1 < extra)
			return -1;
		for (k = 1; k <= extra; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return -1;
		if (n == max)
			return -1;
		cp[n++] = c;
		i += 1 + extra;
	}
	return (long)n;
}

int crawl_url_punycode(const char *utf8, size_t len, char *out, size_t outlen)
{
	uint32_t cp[LABEL_MAX];
	long ncp = utf8_decode((const unsigned char *)utf8, len, cp, LABEL_MAX);
	uint32_t n = PUNY_N, delta = 0, bias = PUNY_BIAS, h, b = 0;
	size_t o = 0, j;

	if (ncp < 0)
		return CRAWL_EINVAL;
#define PUT(ch) do { if (o + 1 >= outlen) return CRAWL_ETOOLONG; \
	out[o++] = (ch); } while (0)
	for (j = 0; j < (size_t)ncp; j++)
		if (cp[j] < 0x80) {
			PUT((char)cp[j]);
			b++;
		}
	h = b;
	if (b > 0)
		PUT('-');
	while (h < (uint32_t)ncp) {
		uint32_t m = UINT32_MAX;

		for (j = 0; j < (size_t)ncp; j++)
			if (cp[j] >= n && cp[j] < m)
				m = cp[j];
		/* at most LABEL_MAX code points below U+110000: no overflow
		 * of 32 bits is possible, but keep the RFC's check */
		if ((uint64_t)(m - n) * (h + 1) > UINT32_MAX - delta)
			return CRAWL_EINVAL;
		delta += (m - n) * (h + 1);
		n = m;
		for (j = 0; j < (size_t)ncp; j++) {
			if (cp[j] < n && ++delta == 0)
				return CRAWL_EINVAL;
			if (cp[j] == n) {
				uint32_t q = delta, k;

				for (k = PUNY_BASE;; k += PUNY_BASE) {
					uint32_t t = k <= bias ? PUNY_TMIN :
					    k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;

					if (q < t)
						break;
					PUT(puny_digit(t + (q - t) % (PUNY_BASE - t)));
					q = (q - t) / (PUNY_BASE - t);
				}
				PUT(puny_digit(q));
				bias = puny_adapt(delta, h + 1, h == b);
				delta = 0;
				h++;
			}
		}
		delta++;
		n++;
	}
#undef PUT
	out[o] = '\0';
	return (int)o;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One part of a WHATWG IPv4 address: decimal, 0x hex or 0 octal; -1 if
 * it is no number, -2 if it is one of 2^32 or more. */
static int64_t ipv4_part(const char *s, size_t len)
{
	int64_t v = 0;
	unsigned base = 10;
	size_t i = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i == len)
		return len ? 0 : -1;	/* "0x" is 0, "" is no number */
	for (; i < len; i++) {
		int d = hexval((unsigned char)s[i]);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		v = v * base + d;
		if (v > 0xffffffffLL) {
			for (i++; i < len; i++)
				if (hexval((unsigned char)s[i]) < 0 ||
				    (unsigned)hexval((unsigned char)s[i]) >= base)
					return -1;
			return -2;
		}
	}
	return v;
}

/*
 * WHATWG URL's IPv4 parser: a host whose last label is a number must be an
 * IPv4 address in one of the forms inet_aton() takes (1 to 4 parts), which
 * is written out dotted decimal into @out; so "0x7f.1", "127.0.0.1." and
 * "127.1" are one host.  0: not a number host; 1: converted; CRAWL_EURL:
 * ends in a number but is no address ("1.2.3.256", "foo.09").
 */
static int ipv4_host(const char *host, char *out, size_t outlen)
{
	size_t len = strlen(host), i, np = 0, start;
	const char *part[5];
	size_t plen[5];
	const char *last;
	size_t lastlen;
	uint64_t addr = 0;

	if (len && host[len - 1] == '.')
		len--;		/* one trailing dot is allowed */
	last = host;
	for (i = 0; i < len; i++)
		if (host[i] == '.')
			last = host + i + 1;
	lastlen = (size_t)(host + len - last);
	for (i = 0; i < lastlen && last[i] >= '0' && last[i] <= '9'; i++)
		;
	if (lastlen == 0 || (i < lastlen && ipv4_part(last, lastlen) == -1))
		return 0;
	for (start = 0, i = 0; i <= len; i++)
		if (i == len || host[i] == '.') {
			if (np == 5)
				return CRAWL_EURL;
			part[np] = host + start;
			plen[np++] = i - start;
			start = i + 1;
		}
	if (np > 4)
		return CRAWL_EURL;
	for (i = 0; i < np; i++) {
		int64_t v = ipv4_part(part[i], plen[i]);

		if (v < 0 || (i < np - 1 && v > 255))
			return CRAWL_EURL;
		if (i < np - 1)
			addr |= (uint64_t)v << (8 * (3 - i));
		else if ((uint64_t)v >= (uint64_t)1 << (8 * (5 - np)))
			return CRAWL_EURL;
		else
			addr |= (uint64_t)v;
	}
	snprintf(out, outlen, "%u.%u.%u.%u", (unsigned)(addr >> 24) & 255,
	    (unsigned)(addr >> 16) & 255, (unsigned)(addr >> 8) & 255,
	    (unsigned)addr & 255);
	return 1;
}

/*
 * The authority of absolute URL *@url as WHATWG URL's host parser has it,
 * before libcurl sees it: user info dropped (we never send it), the host
 * percent-decoded and refused if it holds a forbidden code point (space,
 * controls, # % / : < > ? @ [ \ ] ^ |), a host ending in a number parsed
 * as IPv4 (ipv4_host()), other ASCII labels lowercased and labels with
 * non-ASCII characters (raw ones arrive percent-encoded from
 * pre_encode()) as IDNA A-labels: "xn--" and their Punycode, so one host
 * has one key for politeness.  No UTS 46 mapping beyond ASCII case
 * (docs/crawler.md).  0, CRAWL_EURL or CRAWL_ETOOLONG.
 */
static int fix_authority(char **url)
{
	char *u = *url, *p = strstr(u, "://");
	size_t as, hs, he, i, o = 0;
	char host[3 * CRAWL_URL_MAX + 1], res[3 * CRAWL_URL_MAX + 1];
	int non_ascii = 0, rc;

	if (!p)
		return 0;
	as = hs = (size_t)(p + 3 - u);
	he = hs + strcspn(u + hs, "/?#");
	for (i = hs; i < he; i++)	/* user info ends at the last '@' */
		if (u[i] == '@')
			hs = i + 1;
	if (u[hs] == '[') {
		/* IPv6 literal: libcurl parses it; no zone ids in URLs */
		for (i = hs; i < he && u[i] != ']'; i++)
			if (u[i] == '%')
				return CRAWL_EURL;
		he = i;
		goto rebuild;
	}
	for (i = hs; i < he && u[i] != ':'; i++)
		;
	he = i;
	if (he - hs >= sizeof(host))
		return CRAWL_ETOOLONG;
	for (i = hs; i < he; i++) {
		int c = (unsigned char)u[i];

		if (c == '%' && hexval((unsigned char)u[i + 1]) >= 0 &&
		    hexval((unsigned char)u[i + 2]) >= 0) {
			c = hexval((unsigned char)u[i + 1]) * 16 +
			    hexval((unsigned char)u[i + 2]);
			i += 2;
		} else if (c == '%') {
			return CRAWL_EURL;
		}
		if (c >= 0x80)
			non_ascii = 1;
		else if (c <= 0x20 || c == 0x7f || strchr("#%/:<>?@[\\]^|", c))
			return CRAWL_EURL;
		host[o++] = (char)tolower(c);
	}
	host[o] = '\0';
	if (o == 0)
		return CRAWL_EURL;	/* http and https need a host */
	if (!non_ascii) {
		rc = ipv4_host(host, res, sizeof(res));
		if (rc < 0)
			return rc;
		if (rc == 0)
			memcpy(res, host, o + 1);
		goto replace;
	}
	o = 0;
	for (i = 0;;) {
		size_t l = strcspn(host + i, "."), k;
		int ascii = 1, n;

		for (k = 0; k < l; k++)
			if ((unsigned char)host[i + k] >= 0x80)
				ascii = 0;
		if (ascii) {
			if (o + l + 1 >= sizeof(res))
				return CRAWL_ETOOLONG;
			memcpy(res + o, host + i, l);
			o += l;
		} else {
			if (o + 4 >= sizeof(res))
				return CRAWL_ETOOLONG;
			memcpy(res + o, "xn--", 4);
			o += 4;
			n = crawl_url_punycode(host + i, l, res + o, sizeof(res) - o);
			if (n < 0)
				return n == CRAWL_ETOOLONG ? n : CRAWL_EURL;
			o += (size_t)n;
		}
		i += l;
		if (!host[i])
			break;
		if (o + 1 >= sizeof(res))
			return CRAWL_ETOOLONG;
		res[o++] = '.';
		i++;
	}
	res[o] = '\0';
	/* a label such as "\xef\xbc\x91" (fullwidth 1) stays a name: without
	 * UTS 46 mapping it is not a number */
	rc = ipv4_host(res, host, sizeof(host));
	if (rc < 0)
		return rc;
	if (rc > 0)
		memcpy(res, host, strlen(host) + 1);
replace:
	*url = fg_asprintf("%.*s%s%s", (int)as, u, res, u + he);
	free(u);
	return 0;
rebuild:
	if (hs == as)
		return 0;
	*url = fg_asprintf("%.*s%s", (int)as, u, u + hs);
	free(u);
	return 0;
}

/* "%2e" and ".%2e" are dot segments too (WHATWG URL): write them as dots
 * in the path of absolute URL @u (in place), so libcurl removes them. */
static void dot_segments(char *u)
{
	char *p = strstr(u, "://"), *seg, *w;

	if (!p)
		return;
	p += 3;
	p += strcspn(p, "/?#");
	w = p;
	while (*p == '/') {
		size_t l;
		char *end;

		*w++ = *p++;
		seg = p;
		l = strcspn(seg, "/?#");
		end = seg + l;
		if ((l == 3 && strncasecmp(seg, "%2e", 3) == 0) ||
		    (l == 4 && (strncasecmp(seg, ".%2e", 4) == 0 ||
		    strncasecmp(seg, "%2e.", 4) == 0)) ||
		    (l == 6 && strncasecmp(seg, "%2e%2e", 6) == 0)) {
			*w++ = '.';
			if (l > 3)
				*w++ = '.';
		} else {
			memmove(w, seg, l);
			w += l;
		}
		p = end;
	}
	memmove(w, p, strlen(p) + 1);
}

/* Percent-escapes with uppercase hex (RFC 3986 6.2.2.1, WHATWG URL):
 * libcurl 7.88 lowercases those of the query, keeps those of the path. */
static void upper_escapes(char *s)
{
	for (; *s; s++)
		if (s[0] == '%' && hexval((unsigned char)s[1]) >= 0 &&
		    hexval((unsigned char)s[2]) >= 0) {
			s[1] = (char)toupper((unsigned char)s[1]);
			s[2] = (char)toupper((unsigned char)s[2]);
			s += 2;
		}
}

int crawl_url_resolve(const char *base, const char *ref, char **out)
{
	CURLU *h = NULL;
	char *enc = NULL, *scheme = NULL, *host = NULL, *path = NULL;
	char *query = NULL, *url = NULL;
	int rc = CRAWL_EURL;
	size_t i;

	*out = NULL;
	enc = pre_encode(ref);
	if (!enc) {
		rc = CRAWL_ETOOLONG;
		goto out;
	}
	if (!enc[0] && !base)
		goto out;
	{
		char *abs = resolve_ref(base, enc);

		free(enc);
		enc = abs;
	}
	rc = fix_authority(&enc);
	if (rc)
		goto out;
	dot_segments(enc);
	rc = CRAWL_EURL;
	h = curl_url();
	if (!h)
		goto out;
	if (curl_url_set(h, CURLUPART_URL, enc, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		goto out;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
		goto out;
	for (i = 0; host[i]; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (curl_url_set(h, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto out;
	curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
	curl_url_set(h, CURLUPART_USER, NULL, 0);
	curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);

	/* ;jsessionid=... inside the path (Java servers) */
	if (curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		char *semi = strchr(path, ';');

		if (semi && strncasecmp(semi + 1, "jsessionid=", 11) == 0) {
			*semi = '\0';
			curl_url_set(h, CURLUPART_PATH, path, 0);
		}
	}
	if (curl_url_get(h, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		char *q = strip_session_params(query);

		curl_url_set(h, CURLUPART_QUERY, q[0] && !is_sort_query(q) ? q :
		    NULL, 0);
		free(q);
	}
	if (curl_url_get(h, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	/* curl normalises some hosts only as it parses them ("//%32" decodes
	 * to the host "2", which parses as the IPv4 address 0.0.0.2): parse
	 * the result once more, so that a normalised URL normalises to
	 * itself (found by tests/crawler/fuzz-url.c).  The session id cut
	 * from the path may have left an escaped dot segment last
	 * ("/%2e;jsessionid=x"): written as a dot again, so that this parse
	 * removes it (fuzz-url, 2026-12-08). */
	dot_segments(url);
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	curl_free(url);
	url = NULL;
	if (curl_url_get(h, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	if (strlen(url) > CRAWL_URL_MAX) {
		rc = CRAWL_ETOOLONG;
		goto out;
	}
	*out = fg_strdup(url);
	upper_escapes(*out);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	curl_free(url);
	curl_url_cleanup(h);
	free(enc);
	return rc;
}

int crawl_url_host_key(const char *url, char *key, size_t keylen)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = CRAWL_EURL;

	if (!h)
		return CRAWL_EURL;
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	if ((size_t)snprintf(key, keylen, "%s://%s:%s", scheme, host, port) >=
	    keylen)
		goto out;
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return rc;
}

int crawl_url_host(const char *url, char *out, size_t len)
{
	CURLU *h = curl_url();
	char *host = NULL;
	int rc = CRAWL_EURL;
	size_t i;

	if (!h)
		return CRAWL_EURL;
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if ((size_t)snprintf(out, len, "%s", host) >= len)
		goto out;
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	rc = 0;
out:
	curl_free(host);
	curl_url_cleanup(h);
	return rc;
}

const char *crawl_url_path(const char *url)
{
	const char *p = strstr(url, "://");
	const char *s;

	if (!p)
		return "/";
	p += 3;
	s = p + strcspn(p, "/?#");
	return *s ? s : "/";
}

int crawl_url_has_query(const char *url)
{
	return strchr(crawl_url_path(url), '?') != NULL;
}

char *crawl_url_dir(const char *url)
{
	size_t auth = authority_end(url);
	size_t end = auth + strcspn(url + auth, "?#");

	while (end > auth && url[end - 1] != '/')
		end--;
	if (end <= auth)	/* "http://h" or "http://h?q" */
		return fg_asprintf("%.*s/", (int)auth, url);
	return fg_strndup(url, end);
}

/* The last segment of the path (without query), as pointer and length. */
static const char *last_segment(const char *url, size_t *len)
{
	const char *path = crawl_url_path(url);
	size_t plen = strcspn(path, "?#");
	const char *seg = path + plen;

	while (seg > path && seg[-1] != '/')
		seg--;
	*len = (size_t)(path + plen - seg);
	return seg;
}

void crawl_url_ext(const char *url, char *ext, size_t len)
{
	size_t seglen, i, n;
	const char *seg = last_segment(url, &seglen);
	const char *dot = NULL, *prev = NULL;

	ext[0] = '\0';
	for (i = 0; i < seglen; i++)
		if (seg[i] == '.') {
			prev = dot;
			dot = seg + i;
		}
	if (!dot || dot == seg)
		return;
	/* "tar.gz", "tar.xz": keep both parts when the first is short */
	if (prev && prev > seg && dot - prev <= 4 &&
	    strncasecmp(prev + 1, "tar", 3) == 0)
		dot = prev;
	n = (size_t)(seg + seglen - (dot + 1));
	if (n >= len)
		return;
	for (i = 0; i < n; i++)
		ext[i] = (char)tolower((unsigned char)dot[1 + i]);
	ext[n] = '\0';
}

int crawl_url_pagelike(const char *url)
{
	static const char *const page_exts[] = {
		"html", "htm", "shtml", "xhtml", "php", "asp", "aspx", "jsp",
		"cgi", "pl", NULL
	};
	size_t seglen, i;
	const char *seg = last_segment(url, &seglen);
	char ext[16];

	if (seglen == 0)
		return 1;
	if (!memchr(seg, '.', seglen))
		return 1;
	crawl_url_ext(url, ext, sizeof(ext));
	for (i = 0; page_exts[i]; i++)
		if (strcmp(ext, page_exts[i]) == 0)
			return 1;
	return 0;
}

/* Path segments beyond this are a trap: real trees are much flatter. */
#define TRAP_MAX_SEGMENTS 24
/* A segment seen this often in one path means links that grow for ever. */
#define TRAP_MAX_REPEAT 3

int crawl_url_trap(const char *url, const char **why)
{
	const char *path = crawl_url_path(url);
	size_t plen = strcspn(path, "?#");
	const char *segs[TRAP_MAX_SEGMENTS + 1];
	size_t lens[TRAP_MAX_SEGMENTS + 1];
	size_t nseg = 0, i, j;
	const char *p = path, *q;

	while (p < path + plen) {
		size_t l;

		while (p < path + plen && *p == '/')
			p++;
		if (p >= path + plen)
			break;
		l = strcspn(p, "/?#");
		if (nseg == TRAP_MAX_SEGMENTS) {
			*why = "too many path segments";
			return 1;
		}
		segs[nseg] = p;
		lens[nseg++] = l;
		p += l;
	}
	for (i = 0; i < nseg; i++) {
		unsigned same = 1;

		for (j = i + 1; j < nseg; j++)
			if (lens[j] == lens[i] && memcmp(segs[i], segs[j], lens[i]) == 0)
				same++;
		if (same >= TRAP_MAX_REPEAT) {
			*why = "repeated path segment";
			return 1;
		}
	}
	q = strchr(path, '?');
	if (q) {
		q++;
		while (*q) {
			size_t namelen = strcspn(q, "=&;");
			const char *end = q + strcspn(q, "&;");

			if (in_list(q, namelen, calendar_params)) {
				*why = "calendar query";
				return 1;
			}
			q = *end ? end + 1 : end;
		}
	}
	*why = NULL;
	return 0;
}
