/*
 * seeds.h - the seed file parser and the list of vendors a run crawls.
 *
 * The format is documented in docs/seeds.md: INI-like sections, one per
 * vendor, "key = value" lines.  Any malformed line is reported as
 * "file:line: what is wrong" and nothing is crawled.
 */
#ifndef FLOWGRAB_CRAWL_SEEDS_H
#define FLOWGRAB_CRAWL_SEEDS_H

#include <stddef.h>

#include "crawl.h"

struct crawl_seeds {
	struct crawl_vendor *v;
	size_t n;
};

/*
 * Parse the seed text @text (NUL-terminated) named @name (for messages)
 * and append its vendors to @s.
 * @return 0, or CRAWL_EINVAL with "name:line: message" in @err.
 */
int crawl_seeds_parse(struct crawl_seeds *s, const char *name,
    const char *text, char *err, size_t errlen);

/* Read and parse the file @path (as above; unreadable file -> message). */
int crawl_seeds_load(struct crawl_seeds *s, const char *path, char *err,
    size_t errlen);

/*
 * Add a start URL from the command line: a vendor @vendor (created on
 * first use, scope = path prefix, no download rules: every link that is
 * not a page counts as a download candidate).
 */
int crawl_seeds_add_url(struct crawl_seeds *s, const char *url,
    const char *vendor, unsigned depth, char *err, size_t errlen);

/* Index of the vendor named @name, or -1. */
int crawl_seeds_find(const struct crawl_seeds *s, const char *name);

void crawl_seeds_free(struct crawl_seeds *s);

/* Scope tests, used by the crawl on each link. */
/* 1 if @url (normalised) may be fetched as a page of vendor @v. */
int crawl_vendor_page_in_scope(const struct crawl_vendor *v, const char *url);
/* 1 if @url may be probed as a download of @v (page scope or a
 * download-host). */
int crawl_vendor_download_in_scope(const struct crawl_vendor *v,
    const char *url);
/* 1 if @url counts as a download by @v's rules (extensions / regex); with
 * no rules, every URL that does not look like a page does. */
int crawl_vendor_is_download(const struct crawl_vendor *v, const char *url);
/* 1 if reject-regex matches. */
int crawl_vendor_rejects(const struct crawl_vendor *v, const char *url);

#endif
