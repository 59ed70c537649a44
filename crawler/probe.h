/*
 * probe.h - deciding a download's size from a probe's response.
 */
#ifndef FLOWGRAB_CRAWL_PROBE_H
#define FLOWGRAB_CRAWL_PROBE_H

#include <stdint.h>

#include "fetch.h"

enum crawl_probe_verdict {
	PROBE_SIZE = 1,     /* *size is the file's size */
	PROBE_FALLBACK,     /* HEAD said nothing usable: try GET Range */
	PROBE_UNKNOWN,      /* no way to learn the size */
	PROBE_PAGE,         /* it is an HTML page, not a download */
	PROBE_GONE,         /* 404 / 410 */
	PROBE_RETRY,        /* 429 / 503: back off and try again */
	PROBE_HTTP_ERROR,   /* another 4xx/5xx */
};

/* Why a 206 response contradicts itself (Content-Range span, its total and
 * Content-Length), or NULL if it does not (or is no 206).  Static string. */
const char *crawl_probe_inconsistent(const struct crawl_resp *r);

/* Verdict on a finished FETCH_HEAD or FETCH_RANGE response; a 206 that
 * crawl_probe_inconsistent() refuses is PROBE_UNKNOWN. */
enum crawl_probe_verdict crawl_probe_verdict(enum crawl_phase phase,
    const struct crawl_resp *r, uint64_t *size);

#endif
