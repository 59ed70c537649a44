/*
 * url.h - URL resolution, normalisation and trap detection for the crawler.
 *
 * Every URL the crawler queues goes through crawl_url_resolve() so that two
 * spellings of one URL compare equal and are fetched once.
 */
#ifndef FLOWGRAB_CRAWL_URL_H
#define FLOWGRAB_CRAWL_URL_H

#include <stddef.h>

/* Longest URL the crawler queues (shorter than STORE_URL_MAX on purpose:
 * real download URLs are far shorter, trap URLs grow without bound). */
#define CRAWL_URL_MAX 1024

/*
 * Resolve @ref against @base (NULL: @ref must be absolute) and normalise:
 * http/https only, lowercase host, no default port, dot segments removed,
 * fragment dropped, spaces and non-ASCII bytes percent-encoded (hex in
 * uppercase, in path and query alike), a non-ASCII host as its IDNA
 * A-labels ("xn--..."), a backslash before the query read as '/', session ids
 * (jsessionid, PHPSESSID, sid, ...) removed, directory-listing sort queries
 * (?C=N;O=D) removed, an empty query dropped.
 *
 * @param out receives a malloc'd string (caller frees); NULL on failure
 * @return 0, CRAWL_EURL (unparsable, not http/https, no host),
 *         CRAWL_ETOOLONG (longer than CRAWL_URL_MAX)
 */
int crawl_url_resolve(const char *base, const char *ref, char **out);

/*
 * RFC 3492 Punycode of the UTF-8 label @utf8 (@len bytes) into @out, NUL
 * terminated, without the "xn--" prefix; case of ASCII letters is kept.
 * @return its length, CRAWL_EINVAL (not strict UTF-8, more than 256 code
 *         points), CRAWL_ETOOLONG (@outlen too small)
 */
int crawl_url_punycode(const char *utf8, size_t len, char *out, size_t outlen);

/* "scheme://host:port" of a normalised URL into @key (port always given,
 * so that http://h and http://h:80 share politeness).  0 or CRAWL_EURL. */
int crawl_url_host_key(const char *url, char *key, size_t keylen);

/* The host name of a normalised URL into @host (lowercase). 0/CRAWL_EURL */
int crawl_url_host(const char *url, char *host, size_t hostlen);

/* Pointer to the path (and query) part of a normalised URL: the first '/'
 * after "scheme://authority", or "/" when there is none. */
const char *crawl_url_path(const char *url);

/* 1 if @url has a query string. */
int crawl_url_has_query(const char *url);

/* The directory prefix of @url: everything up to and including the last
 * '/' of the path (query dropped).  malloc'd. */
char *crawl_url_dir(const char *url);

/* The last path segment's extension (lowercase, without the dot, up to
 * @len - 1 bytes; two-part ones such as "tar.gz" kept whole); "" if none. */
void crawl_url_ext(const char *url, char *ext, size_t len);

/* 1 if the URL looks like a page rather than a file: the path ends in '/',
 * or its last segment has no extension, or an HTML-ish one (.html, .php..). */
int crawl_url_pagelike(const char *url);

/*
 * Crawler traps: 1 if @url must not be followed as a page because it has
 * too many path segments, a segment repeated over and over (ever-longer
 * relative links), or calendar-like query parameters.  @why gets a short
 * reason.
 */
int crawl_url_trap(const char *url, const char **why);

#endif
