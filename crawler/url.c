/*
 * url.c - resolving and normalising URLs (libcurl's URL API does the RFC 3986
 * parsing and dot-segment removal), and the cheap tests that keep a crawl
 * out of URL traps.
 */
#include "config.h"

#include <ctype.h>
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
 * Percent-encode what libcurl's parser rejects or leaves ambiguous (space,
 * controls, bytes >= 0x7f, a few unsafe characters) and drop tabs and
 * newlines inside the reference and surrounding whitespace, as browsers do.
 */
static char *pre_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n, i;
	struct fg_buf b;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\f'))
		n--;
	fg_buf_init(&b, 3 * (size_t)CRAWL_URL_MAX + 16);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' ||
		    c == '>' || c == '\\' || c == '^' || c == '`' ||
		    c == '{' || c == '|' || c == '}') {
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

/* 1 if @ref starts with "scheme:" (RFC 3986 3.1). */
static int has_scheme(const char *ref)
{
	size_t i = 0;

	if (!isalpha((unsigned char)ref[0]))
		return 0;
	while (isalnum((unsigned char)ref[i]) || ref[i] == '+' ||
	    ref[i] == '-' || ref[i] == '.')
		i++;
	return ref[i] == ':';
}

/*
 * RFC 3986 5.2 reference resolution, done here because libcurl 7.88's
 * relative handling gets "#frag" and "./?q" wrong.  Dot segments are left
 * for libcurl's parser to remove.  Returns a malloc'd absolute URL.
 */
static char *resolve_ref(const char *base, const char *ref)
{
	size_t auth = authority_end(base);
	size_t pathlen, dirlen;
	const char *colon;

	if (has_scheme(ref) || auth == 0)
		return fg_strdup(ref);
	if (ref[0] == '/' && ref[1] == '/') {
		colon = strchr(base, ':');
		return fg_asprintf("%.*s:%s", (int)(colon - base), base, ref);
	}
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
	if (base) {
		char *abs = resolve_ref(base, enc);

		free(enc);
		enc = abs;
	}
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
	 * itself (found by tests/crawler/fuzz-url.c) */
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
