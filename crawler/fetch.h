/*
 * fetch.h - one HTTP transfer of the crawler: a libcurl easy handle set up
 * for a page, a robots.txt, a HEAD probe or a "Range: bytes=0-0" probe,
 * and what the last response's headers said.
 */
#ifndef FLOWGRAB_CRAWL_FETCH_H
#define FLOWGRAB_CRAWL_FETCH_H

#include <stdint.h>

#include <curl/curl.h>

#include "crawl.h"
#include "util.h"

/* What the headers of the final response said (reset on each response,
 * so redirects and 100-continue leave only the last one). */
struct crawl_resp {
	int status;              /* from the status line; 0 if none */
	int64_t content_length;  /* -1 if absent */
	int chunked;
	int encoded;             /* Content-Encoding other than identity */
	char content_type[128];
	char etag[256];
	int64_t last_modified;   /* Unix time, 0 if absent or unparsable */
	int64_t range_total;     /* from Content-Range ".../TOTAL"; -1 */
	int64_t range_first, range_last; /* "bytes FIRST-LAST/..."; -1 */
	int64_t retry_after;     /* seconds; -1 if absent */
};

enum crawl_phase {
	FETCH_PAGE = 1,          /* GET, body kept up to the page bound */
	FETCH_ROBOTS,            /* GET, body kept up to CRAWL_ROBOTS_MAX */
	FETCH_HEAD,              /* HEAD probe */
	FETCH_RANGE,             /* GET Range: bytes=0-0, body dropped */
	FETCH_MANIFEST,          /* GET, body kept up to the manifest bound */
};

/* Settings every transfer shares (from the command line). */
struct crawl_fetch_opts {
	const char *user_agent;
	long connect_timeout;    /* seconds */
	long stall_timeout;      /* seconds below min_speed */
	long min_speed;          /* bytes/s, averaged by libcurl */
	long timeout;            /* seconds for a whole transfer */
	long max_redirs;
	size_t max_page;         /* bytes of a page kept */
	size_t max_manifest;     /* bytes of a manifest kept */
	const char *cacert;      /* CA bundle instead of the system's; NULL */
	CURLSH *share;
};

struct crawl_xfer {
	struct crawl_item *it;
	CURL *easy;
	enum crawl_phase phase;
	struct crawl_resp resp;
	struct fg_buf body;
	int truncated;           /* body cut at its bound */
	int stopped;             /* body refused on purpose (not a page,
	                            Range probe done, Range ignored) */
	uint64_t body_bytes;     /* bytes received, kept or not */
	struct curl_slist *headers;
	double started;
	char errbuf[CURL_ERROR_SIZE];
	void *owner;             /* the worker */
	unsigned slot;           /* index in the worker's table */
};

/*
 * Create a transfer for @it in @phase.  For FETCH_PAGE and FETCH_MANIFEST,
 * @etag and
 * @last_modified (may be NULL / 0) make the request conditional.
 * Returns NULL if libcurl refuses (out of memory).
 */
struct crawl_xfer *crawl_fetch_new(struct crawl_item *it,
    enum crawl_phase phase, const struct crawl_fetch_opts *o,
    const char *etag, int64_t last_modified);

/* Free the transfer (not its item). */
void crawl_fetch_free(struct crawl_xfer *x);

/* Parse one header line into @r (exposed for the unit test). */
void crawl_resp_header(struct crawl_resp *r, const char *line, size_t len);
void crawl_resp_reset(struct crawl_resp *r);

#endif
