/*
 * manifest-int.h - what the manifest parsers (manifest-*.c) share with the
 * dispatcher (manifest.c).  Not for the rest of the crawler: it includes
 * manifest.h.
 */
#ifndef FLOWGRAB_CRAWL_MANIFEST_INT_H
#define FLOWGRAB_CRAWL_MANIFEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "util.h"

/* One parse: where the manifest came from, its limits, its callbacks and
 * the message of the first error. */
struct mf_ctx {
	const char *url;
	const struct crawl_manifest_limits *lim;
	const struct crawl_manifest_cb *cb;
	size_t entries;
	char *err;
	size_t errlen;
};

/* Record an error (the first one wins); returns CRAWL_EINVAL. */
int crawl__mf_error(struct mf_ctx *m, const char *fmt, ...) FG_PRINTF(2, 3);

/* A listed file: @ref resolved against @base (NULL: the manifest's URL),
 * normalised, handed to the file callback.  A reference that is not http
 * or https (a metalink's ftp mirror) is skipped.  0 or CRAWL_EINVAL. */
int crawl__mf_file(struct mf_ctx *m, const char *base, const char *ref,
    size_t reflen, uint64_t size, int64_t mtime);
/* A further manifest, as crawl__mf_file(). */
int crawl__mf_manifest(struct mf_ctx *m, const char *base, const char *ref,
    size_t reflen, int format, uint64_t expect);

/* A strict decimal size: digits only (surrounding blanks allowed), > 0,
 * no overflow.  0 or -1. */
int crawl__mf_size(const char *s, size_t n, uint64_t *out);

/* The parsers: @text is the decompressed body, NUL-terminated. */
int crawl__mf_deb_release(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_deb_packages(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_rpm_repomd(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_rpm_primary(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_github(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_appcast(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_metalink(struct mf_ctx *m, const char *text, size_t len);
int crawl__mf_listing(struct mf_ctx *m, const char *text, size_t len);

/* For the XML formats (manifest-rpm.c, manifest-xml.c): the root
 * element's local name of an XML document, into @out ("" if none). */
void crawl__mf_xml_root(const char *text, size_t len, char *out,
    size_t outlen);

#endif
