/*
 * manifest.h - reading vendors' manifests: files that list downloads with
 * their exact sizes, so that the crawler stores them without a request per
 * file (docs/crawler.md, "Manifests").
 *
 * One entry point, crawl_manifest_parse(), takes a fetched body, undoes
 * gzip / xz / zstd compression with a bound on the result, detects the
 * format (or takes the one forced) and hands each listed file, and each
 * further manifest it leads to (a Release's Packages, a repomd.xml's
 * primary.xml.gz, a listing's subdirectories), to callbacks.  Each format
 * lives in its own file (manifest-deb.c, manifest-rpm.c, manifest-json.c,
 * manifest-xml.c, manifest-listing.c) behind manifest-int.h.
 *
 * Bodies are untrusted: every length is checked, the decompressed size and
 * the number of entries are bounded, XML is parsed without network access
 * or entity expansion, JSON nesting is bounded by jansson.  A malformed
 * body gives an error message and CRAWL_EINVAL; the caller then keeps
 * nothing of it (callbacks may have been called: collect, then apply).
 */
#ifndef FLOWGRAB_CRAWL_MANIFEST_H
#define FLOWGRAB_CRAWL_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

enum crawl_mformat {
	MF_AUTO = 0,             /* detect from the content */
	MF_DEB_RELEASE = 1,      /* dists/SUITE/InRelease or Release */
	MF_DEB_PACKAGES = 2,     /* Packages, Packages.gz, Packages.xz */
	MF_RPM_REPOMD = 3,       /* repodata/repomd.xml */
	MF_RPM_PRIMARY = 4,      /* repodata/...-primary.xml.gz */
	MF_GITHUB = 5,           /* GitHub-style release JSON */
	MF_APPCAST = 6,          /* Sparkle appcast (RSS with enclosures) */
	MF_METALINK = 7,         /* Metalink, RFC 5854 (and version 3) */
	MF_LISTING = 8,          /* directory listing with exact byte sizes */
	MF_MAX = 8,
};

/* What a manifest lists.  Return 0 to go on, non-zero to stop (the parse
 * then fails with the message the callback put in @err, if any). */
struct crawl_manifest_cb {
	/* a file: absolute, normalised URL, its size in bytes (> 0) and its
	 * modification time (Unix seconds, 0 unknown) */
	int (*file)(void *arg, const char *url, uint64_t size, int64_t mtime);
	/* a further manifest to read in @format; @expect is its size as the
	 * listing manifest says (0 unknown) */
	int (*manifest)(void *arg, const char *url, int format,
	    uint64_t expect);
	void *arg;
};

/* Limits a parse works within. */
struct crawl_manifest_limits {
	size_t max_bytes;        /* decompressed body at most */
	size_t max_entries;      /* files + manifests reported at most */
};

/*
 * Parse the manifest @body (@len bytes, as fetched from @url).
 *
 * @param format    enum crawl_mformat; MF_AUTO detects it
 * @param ctype     the response's Content-Type (may be NULL): helps tell a
 *                  listing from other HTML
 * @param detected  if not NULL, receives the format read
 * @param err       receives "what is wrong" on failure (the caller adds
 *                  the URL), e.g. "line 12: Size is not a number"
 * @return 0, or CRAWL_EINVAL (malformed, truncated, over a limit, format
 *         not recognised)
 */
int crawl_manifest_parse(const char *url, const char *body, size_t len,
    int format, const char *ctype, const struct crawl_manifest_limits *lim,
    const struct crawl_manifest_cb *cb, int *detected, char *err,
    size_t errlen);

/*
 * Undo gzip, xz or zstd compression (told by the magic bytes) into a
 * malloc'd buffer of at most @max bytes (NUL-terminated, not counted).
 * A body that is not compressed is copied.  Concatenated gzip members
 * and xz streams are read whole.
 * @return 0, or CRAWL_EINVAL with "gzip: decompressed size above N bytes",
 *         "xz: truncated", ... in @err.
 */
int crawl_manifest_decompress(const char *in, size_t len, size_t max,
    char **out, size_t *outlen, char *err, size_t errlen);

/* "deb-release", "deb-packages", "rpm-repomd", "rpm-primary", "github",
 * "appcast", "metalink", "listing", "auto". */
const char *crawl_manifest_format_name(int format);
/* The format named @name (also "deb" and "rpm": the entry points
 * deb-release and rpm-repomd), or -1. */
int crawl_manifest_format_parse(const char *name);

#endif
