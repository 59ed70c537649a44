/*
 * product.h - a download's product, version, platform and locale, told
 * from its URL and file name alone; and version ordering.
 *
 * Pure functions: no store, no allocation, no global state, safe from any
 * thread.  The rules (which words are platforms, what a version looks
 * like, Debian and RPM file names) are documented in docs/store.md,
 * section "Product and version", and tested on real vendors' file names in
 * tests/store/t-product.c.  Pruning (flowgrab-store prune --keep-latest)
 * and the matcher's group reports use them.
 */
#ifndef FLOWGRAB_PRODUCT_H
#define FLOWGRAB_PRODUCT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What store_product_parse() found.  Every field is NUL-terminated;
 * longer values are cut at the field's size. */
struct store_product {
	char product[64];   /**< lowercase product name, e.g. "firefox",
	                         "vlc", "python", "apache-tomcat" */
	char version[48];   /**< e.g. "121.0", "3.0.20", "7.88.1-10+deb12u5";
	                         "" if none found */
	char platform[32];  /**< e.g. "win64", "linux-x86_64", "macos",
	                         "amd64"; "" if none */
	char locale[24];    /**< e.g. "en-US", "de"; "" if none */
};

/**
 * Parse a download's product, version, platform and locale from its URL
 * and file name.
 *
 * @param url   the download's URL (may be NULL when @file is given); its
 *              directories give a version, platform or locale the file
 *              name lacks (Mozilla's releases/121.0/win64/en-US/)
 * @param file  the file name; NULL or "" means the last path segment of
 *              @url (percent-decoded)
 * @param out   receives the result
 * @return 0 when at least a product was found, STORE_ENOTFOUND otherwise
 *         (then @out is all zero).  Never allocates.
 */
int store_product_parse(const char *url, const char *file,
    struct store_product *out);

/**
 * Compare two version strings the way dpkg orders them, with
 * pre-releases first: 1.9 < 1.10, 2.0rc1 < 2.0-rc2 < 2.0, 2.0~b1 < 2.0,
 * 121.0b9 < 121.0, 1.1.1 < 1.1.1w < 1.1.2, 1:1.0 > 9.0 (epoch).  A
 * leading "v" before a digit is ignored; letters compare without case.
 * NULL counts as "".
 * @return < 0, 0 or > 0 as @a is older than, the same as or newer than @b.
 */
int store_version_cmp(const char *a, const char *b);

/**
 * 1 if @s as a whole looks like a version: digits first (after an
 * optional "v"), e.g. "3.0.20", "v20.10.0", "121.0b9", "1.1.1w", "39".
 */
int store_version_like(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* FLOWGRAB_PRODUCT_H */
