/*
 * fetch.c - setting up libcurl transfers and reading their headers.
 *
 * The write callback is where bodies are bounded: a page stops at
 * --max-page, a probe by GET stops at its first byte, and a "page" that
 * turns out not to be HTML stops before its body (it is a download: its
 * headers already said what we wanted).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl.h"
#include "fetch.h"
#include "links.h"
#include "robots.h"

void crawl_resp_reset(struct crawl_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->range_total = -1;
	r->range_first = -1;
	r->range_last = -1;
	r->retry_after = -1;
}

/* Copy a header value, trimmed, into @out. */
static void copy_val(char *out, size_t outlen, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t'))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static int64_t parse_int64(const char *s)
{
	int64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	while (*s == ' ')
		s++;
	return *s ? -1 : v;
}

void crawl_resp_header(struct crawl_resp *r, const char *line, size_t len)
{
	char val[512];
	const char *colon;
	size_t klen;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);

		crawl_resp_reset(r);
		if (sp && (size_t)(sp - line) + 4 <= len &&
		    isdigit((unsigned char)sp[1]) && isdigit((unsigned char)sp[2]) &&
		    isdigit((unsigned char)sp[3]))
			r->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 +
			    (sp[3] - '0');
		return;
	}
	colon = memchr(line, ':', len);
	if (!colon)
		return;
	klen = (size_t)(colon - line);
	copy_val(val, sizeof(val), colon + 1, len - klen - 1);
#define KEY(k) (klen == sizeof(k) - 1 && strncasecmp(line, k, klen) == 0)
	if (KEY("Content-Length")) {
		r->content_length = parse_int64(val);
	} else if (KEY("Transfer-Encoding")) {
		if (strcasestr(val, "chunked"))
			r->chunked = 1;
	} else if (KEY("Content-Encoding")) {
		if (val[0] && strcasecmp(val, "identity") != 0)
			r->encoded = 1;
	} else if (KEY("Content-Type")) {
		copy_val(r->content_type, sizeof(r->content_type), val,
		    strlen(val));
	} else if (KEY("ETag")) {
		copy_val(r->etag, sizeof(r->etag), val, strlen(val));
	} else if (KEY("Last-Modified")) {
		time_t t = curl_getdate(val, NULL);

		r->last_modified = t > 0 ? (int64_t)t : 0;
	} else if (KEY("Content-Range")) {
		/* "bytes 0-0/12345" or "bytes * / 12345" (RFC 9110 14.4) */
		const char *slash = strrchr(val, '/');

		if (strncasecmp(val, "bytes", 5) == 0 && slash) {
			char span[64];
			const char *dash;

			r->range_total = parse_int64(slash + 1);
			copy_val(span, sizeof(span), val + 5, (size_t)(slash -
			    (val + 5)));
			dash = strchr(span, '-');
			if (dash) {
				span[dash - span] = '\0';
				r->range_first = parse_int64(span);
				r->range_last = parse_int64(dash + 1);
			}
		}
	} else if (KEY("Retry-After")) {
		int64_t secs = parse_int64(val);

		if (secs < 0) {	/* an HTTP date */
			time_t t = curl_getdate(val, NULL);

			if (t > 0)
				secs = (int64_t)t - (int64_t)time(NULL);
			if (secs < 0)
				secs = 0;
		}
		r->retry_after = secs;
	}
#undef KEY
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct crawl_xfer *x = arg;

	crawl_resp_header(&x->resp, p, size * n);
	return size * n;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct crawl_xfer *x = arg;
	size_t len = size * n;

	x->body_bytes += len;
	switch (x->phase) {
	case FETCH_PAGE:
		/* not HTML, or not a success: the headers are all we need */
		if (x->resp.status != 200 ||
		    !crawl_links_is_html(x->resp.content_type)) {
			x->stopped = 1;
			return 0;
		}
		FG_FALLTHROUGH;
	case FETCH_MANIFEST:
		if (x->phase == FETCH_MANIFEST && x->resp.status != 200) {
			x->stopped = 1;
			return 0;
		}
		FG_FALLTHROUGH;
	case FETCH_ROBOTS:
		if (fg_buf_add(&x->body, p, len) < 0) {
			size_t room = x->body.limit - x->body.len;

			fg_buf_add(&x->body, p, room);
			x->truncated = 1;
			return 0;
		}
		return len;
	case FETCH_HEAD:
	case FETCH_RANGE:
		/* the size is in the headers; a server that ignored Range
		 * would send the whole file: stop at once either way */
		x->stopped = 1;
		return 0;
	}
	return 0;
}

static int setup(struct crawl_xfer *x, const struct crawl_fetch_opts *o,
    const char *etag, int64_t last_modified)
{
	CURL *e = x->easy;

	curl_easy_reset(e);
	crawl_resp_reset(&x->resp);
	fg_buf_free(&x->body);
	fg_buf_init(&x->body, x->phase == FETCH_ROBOTS ? CRAWL_ROBOTS_MAX :
	    x->phase == FETCH_MANIFEST ? o->max_manifest : o->max_page);
	x->truncated = 0;
	x->stopped = 0;
	x->body_bytes = 0;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	x->errbuf[0] = '\0';

	curl_easy_setopt(e, CURLOPT_URL, (const char *)x->it->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	/* redirects go back through the scheduler (crawl.c), so that the
	 * target's host gets its robots.txt and politeness; only robots.txt
	 * itself is followed here */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* only http and https, also after a redirect */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	/* a server dripping a byte a second is as stalled as a silent one
	 * (docs/crawler.md, "Hostile servers") */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o->min_speed > 0 ?
	    o->min_speed : 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (o->share)
		curl_easy_setopt(e, CURLOPT_SHARE, o->share);
	if (o->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	switch (x->phase) {
	case FETCH_PAGE:
	case FETCH_MANIFEST:
		/* compressed pages are fine; probes must see real lengths; a
		 * manifest comes as stored (Packages.xz is xz, its size is the
		 * one the Release gives) and manifest.c undoes compression */
		if (x->phase == FETCH_PAGE)
			curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
		if (etag && etag[0]) {
			char *h = fg_asprintf("If-None-Match: %s", etag);

			x->headers = curl_slist_append(x->headers, h);
			free(h);
		}
		if (last_modified > 0) {
			curl_easy_setopt(e, CURLOPT_TIMECONDITION,
			    (long)CURL_TIMECOND_IFMODSINCE);
			curl_easy_setopt(e, CURLOPT_TIMEVALUE_LARGE,
			    (curl_off_t)last_modified);
		}
		break;
	case FETCH_ROBOTS:
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);	/* RFC 9309 2.3.1.2 */
		break;
	case FETCH_HEAD:
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		break;
	case FETCH_RANGE:
		curl_easy_setopt(e, CURLOPT_RANGE, "0-0");
		break;
	}
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	return 0;
}

struct crawl_xfer *crawl_fetch_new(struct crawl_item *it,
    enum crawl_phase phase, const struct crawl_fetch_opts *o,
    const char *etag, int64_t last_modified)
{
	struct crawl_xfer *x = fg_calloc(1, sizeof(*x));

	x->easy = curl_easy_init();
	if (!x->easy) {
		free(x);
		return NULL;
	}
	x->it = it;
	x->phase = phase;
	fg_buf_init(&x->body, 1);
	setup(x, o, etag, last_modified);
	return x;
}

void crawl_fetch_free(struct crawl_xfer *x)
{
	if (!x)
		return;
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	fg_buf_free(&x->body);
	free(x);
}
