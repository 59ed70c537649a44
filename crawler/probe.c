/*
 * probe.c - the size of a download from HEAD, or from GET with
 * "Range: bytes=0-0" when HEAD gives no usable length.
 *
 * HEAD is tried first because it costs the server nothing.  It gives no
 * usable length when the server answers it chunked, without a
 * Content-Length, or refuses the method (403/405/501 are common on CDNs
 * and download scripts).  The Range request is answered 206 with
 * "Content-Range: bytes 0-0/TOTAL" by any server that supports ranges; a
 * server that ignores Range answers 200 and starts sending the file: its
 * Content-Length is then the size, and without one the size is unknown
 * (the transfer has been stopped at the first byte either way, see
 * fetch.c).
 */
#include "config.h"

#include "links.h"
#include "probe.h"

const char *crawl_probe_inconsistent(const struct crawl_resp *r)
{
	if (r->status != 206)
		return NULL;
	if (r->range_total < 0)
		return "206 without a Content-Range total";
	if (r->range_first < 0 || r->range_last < r->range_first ||
	    r->range_last >= r->range_total)
		return "Content-Range span does not fit its total";
	if (r->content_length >= 0 &&
	    r->content_length != r->range_last - r->range_first + 1)
		return "Content-Length disagrees with the Content-Range span";
	return NULL;
}

enum crawl_probe_verdict crawl_probe_verdict(enum crawl_phase phase,
    const struct crawl_resp *r, uint64_t *size)
{
	int st = r->status;

	*size = 0;
	if (st == 404 || st == 410)
		return PROBE_GONE;
	if (st == 429 || st == 503)
		return PROBE_RETRY;
	if (phase == FETCH_HEAD) {
		if (st >= 200 && st < 300) {
			if (crawl_links_is_html(r->content_type))
				return PROBE_PAGE;
			if (r->content_length > 0 && !r->chunked) {
				*size = (uint64_t)r->content_length;
				return PROBE_SIZE;
			}
			return PROBE_FALLBACK;
		}
		/* HEAD refused or broken: GET may still work */
		if (st == 400 || st == 403 || st == 405 || st == 406 ||
		    st == 500 || st == 501)
			return PROBE_FALLBACK;
		return PROBE_HTTP_ERROR;
	}
	/* FETCH_RANGE */
	/* a 206 whose headers contradict each other names no size we can
	 * trust (RFC 9110 14.4: the span, its length and the total must
	 * agree) */
	if (st == 206 && crawl_probe_inconsistent(r))
		return PROBE_UNKNOWN;
	if (st == 206) {
		*size = (uint64_t)r->range_total;
		return PROBE_SIZE;
	}
	if (st == 416 && r->range_total >= 0) {	/* an empty file */
		*size = (uint64_t)r->range_total;
		return PROBE_SIZE;
	}
	if (st >= 200 && st < 300) {
		if (crawl_links_is_html(r->content_type))
			return PROBE_PAGE;
		if (st == 200 && r->content_length > 0 && !r->chunked) {
			*size = (uint64_t)r->content_length;
			return PROBE_SIZE;
		}
		return PROBE_UNKNOWN;
	}
	return PROBE_HTTP_ERROR;
}
