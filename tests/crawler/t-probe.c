/*
 * t-probe.c - unit tests of the response header parser (fetch.c) and of
 * the size verdicts (probe.c) for the answers real servers give.
 */
#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "../tap.h"
#include "fetch.h"
#include "probe.h"

static void hdrs(struct crawl_resp *r, const char *const *lines)
{
	size_t i;

	crawl_resp_reset(r);
	for (i = 0; lines[i]; i++)
		crawl_resp_header(r, lines[i], strlen(lines[i]));
}

int main(void)
{
	struct crawl_resp r;
	uint64_t size;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"content-length: 123456789\r\n",
			"Content-Type: application/x-iso9660-image\r\n",
			"ETag: \"abc-123\"\r\n",
			"Last-Modified: Tue, 03 Mar 2026 10:00:00 GMT\r\n", "\r\n",
			NULL };
		hdrs(&r, l);
		is_int(r.status, 200, "status");
		is_int(r.content_length, 123456789, "Content-Length, any case");
		is_str(r.etag, "\"abc-123\"", "ETag kept with its quotes");
		is_int(r.last_modified, 1772532000, "Last-Modified as Unix time");
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_SIZE,
		    "HEAD with a length: size");
		is_int(size, 123456789, "  ... the length");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Content-Encoding: gzip\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(r.encoded, 1, "Content-Encoding: gzip noticed");
	}
	{	/* a redirect, then the answer: only the last response counts */
		static const char *const l[] = { "HTTP/1.1 302 Found\r\n",
			"Location: /x\r\n", "Content-Length: 0\r\n", "\r\n",
			"HTTP/2 200 \r\n", "content-length: 42000000\r\n", "\r\n",
			NULL };
		hdrs(&r, l);
		is_int(r.status, 200, "HTTP/2 status line after a redirect");
		is_int(r.content_length, 42000000, "length of the final response");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Transfer-Encoding: chunked\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_FALLBACK,
		    "HEAD chunked: fall back to Range");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Content-Length: 0\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_FALLBACK,
		    "HEAD length 0: fall back to Range");
	}
	{
		static const char *const l[] = { "HTTP/1.1 405 Method Not Allowed\r\n",
			"\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_FALLBACK,
		    "HEAD 405: fall back to Range");
	}
	{
		static const char *const l[] = { "HTTP/1.1 206 Partial Content\r\n",
			"Content-Range: bytes 0-0/5368709120\r\n",
			"Content-Length: 1\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_SIZE,
		    "206 with Content-Range: size");
		is_int(size, 5368709120LL, "  ... the total, above 4 GiB");
	}
	{
		static const char *const l[] = { "HTTP/1.1 416 Range Not Satisfiable\r\n",
			"Content-Range: bytes */0\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_SIZE,
		    "416 bytes */0: an empty file");
		is_int(size, 0, "  ... size 0");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Transfer-Encoding: chunked\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_UNKNOWN,
		    "Range ignored, chunked: unknown");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Content-Length: 999999\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_SIZE,
		    "Range ignored, with a length: that length");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Content-Type: text/html; charset=utf-8\r\n",
			"Content-Length: 5000\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_PAGE,
		    "text/html: a page, not a download");
	}
	{
		static const char *const l[] = { "HTTP/1.1 410 Gone\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_GONE, "410");
	}
	{
		static const char *const l[] = { "HTTP/1.1 429 Too Many\r\n",
			"Retry-After: 120\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_RETRY, "429");
		is_int(r.retry_after, 120, "Retry-After seconds");
	}
	{
		static const char *const l[] = { "HTTP/1.1 503 Busy\r\n",
			"Retry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n", "\r\n",
			NULL };
		hdrs(&r, l);
		is_int(r.retry_after, 0, "Retry-After date in the past: 0");
	}
	{
		static const char *const l[] = { "HTTP/1.1 200 OK\r\n",
			"Content-Length: 99999999999999999999999\r\n",
			"Content-Length: -5\r\n", "garbage without colon\r\n",
			"Retry-After: soon\r\n", "Content-Range: bytes 0-0/abc\r\n",
			"\r\n", NULL };
		hdrs(&r, l);
		is_int(r.content_length, -1, "absurd lengths refused");
		is_int(r.retry_after, 0, "unparsable Retry-After: 0");
		is_int(r.range_total, -1, "unparsable Content-Range refused");
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size), PROBE_FALLBACK,
		    "  ... so HEAD falls back");
	}
	{
		static const char *const l[] = { "HTTP/1.1 404 Not Found\r\n",
			"\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_GONE,
		    "404 on the Range GET");
	}
	{
		static const char *const l[] = { "HTTP/1.1 401 Unauthorized\r\n",
			"\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_HEAD, &r, &size),
		    PROBE_HTTP_ERROR, "401: an error");
	}
	/* a 206 whose Content-Range total disagrees with Content-Length */
	{
		static const char *const l[] = { "HTTP/1.1 206 Partial\r\n",
			"Content-Range: bytes 0-0/9000000\r\n",
			"Content-Length: 4000\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(r.range_first, 0, "Content-Range first byte");
		is_int(r.range_last, 0, "Content-Range last byte");
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_UNKNOWN,
		    "206: Content-Length 4000 for a 1-byte span: unknown");
		ok(crawl_probe_inconsistent(&r) != NULL, "  ... with a reason");
	}
	{
		static const char *const l[] = { "HTTP/1.1 206 Partial\r\n",
			"Content-Range: bytes 0-99/50\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_UNKNOWN,
		    "206: span beyond its total: unknown");
	}
	{
		static const char *const l[] = { "HTTP/1.1 206 Partial\r\n",
			"Content-Range: bytes 0-0/9000000\r\n",
			"Content-Length: 1\r\n", "\r\n", NULL };
		hdrs(&r, l);
		is_int(crawl_probe_verdict(FETCH_RANGE, &r, &size), PROBE_SIZE,
		    "206 that agrees with itself: its total");
		is_int(size, 9000000, "  ... 9000000");
		ok(crawl_probe_inconsistent(&r) == NULL, "  ... no complaint");
	}
	curl_global_cleanup();
	return done_testing();
}
