/*
 * links.h - finding the links of an HTML page (libxml2's HTML parser).
 */
#ifndef FLOWGRAB_CRAWL_LINKS_H
#define FLOWGRAB_CRAWL_LINKS_H

#include <stddef.h>

/* Called once per link, with the link resolved and normalised
 * (crawl_url_resolve()).  Return 0 to go on, non-zero to stop. */
typedef int (*crawl_link_cb)(const char *url, void *arg);

/*
 * Parse @len bytes of HTML fetched from @page_url and call @cb for each
 * <a href>, <area href>, <frame src> and <iframe src>, resolved against
 * <base href> when the page has one.  @charset is the Content-Type's
 * charset (NULL: the document's own <meta> or libxml2's guess).  Broken
 * markup is recovered from; nothing is fetched from the network.  At most
 * @max_links links are reported.
 *
 * @param nlinks if not NULL, receives the number of links reported
 * @return 0, or CRAWL_EINVAL when libxml2 could not make a document at all
 */
int crawl_links_extract(const char *html, size_t len, const char *page_url,
    const char *charset, size_t max_links, crawl_link_cb cb, void *arg,
    unsigned *nlinks);

/* Pull "charset=..." out of a Content-Type value into @out (sanitised:
 * letters, digits and - _ . : only); "" if none. */
void crawl_links_charset(const char *content_type, char *out, size_t len);

/* 1 if the Content-Type value names HTML (text/html, application/xhtml). */
int crawl_links_is_html(const char *content_type);

#endif
