/*
 * links.c - link extraction from HTML pages with libxml2's HTML parser.
 *
 * Pages come from the network and are often broken, so the parser runs in
 * recover mode with network access off; the charset comes from the HTTP
 * Content-Type when the server sends one, as a browser would do.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "crawl.h"
#include "links.h"
#include "url.h"
#include "util.h"

void crawl_links_charset(const char *ct, char *out, size_t len)
{
	const char *p;
	size_t n = 0;

	out[0] = '\0';
	if (!ct || len == 0)
		return;
	for (p = ct; *p; p++)
		if (strncasecmp(p, "charset=", 8) == 0)
			break;
	if (!*p)
		return;
	p += 8;
	if (*p == '"' || *p == '\'')
		p++;
	while (*p && n + 1 < len && (isalnum((unsigned char)*p) ||
	    strchr("-_.:", *p)))
		out[n++] = *p++;
	out[n] = '\0';
}

int crawl_links_is_html(const char *ct)
{
	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "text/html", 9) == 0 ||
	    strncasecmp(ct, "application/xhtml", 17) == 0;
}

/* Attribute of @node named @name, or NULL (the caller xmlFree()s it). */
static xmlChar *attr(xmlNode *node, const char *name)
{
	return xmlGetProp(node, (const xmlChar *)name);
}

/* The first <base href> of the document, or NULL. */
static xmlChar *find_base(xmlNode *root)
{
	xmlNode *n = root;

	/* iterative pre-order walk: deep documents must not blow the stack */
	while (n) {
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcasecmp(n->name, (const xmlChar *)"base") == 0) {
			xmlChar *h = attr(n, "href");

			if (h)
				return h;
		}
		if (n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
	return NULL;
}

int crawl_links_extract(const char *html, size_t len, const char *page_url,
    const char *charset, size_t max_links, crawl_link_cb cb, void *arg,
    unsigned *nlinks)
{
	static const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT;
	htmlDocPtr doc = NULL;
	xmlNode *root, *n;
	xmlChar *basehref = NULL;
	char *base = NULL;
	unsigned found = 0;
	int rc = 0;

	if (nlinks)
		*nlinks = 0;
	if (len > (size_t)INT32_MAX)
		len = INT32_MAX;
	if (len == 0)
		return 0;
	if (charset && charset[0])
		doc = htmlReadMemory(html, (int)len, page_url, charset, opts);
	if (!doc)	/* unknown charset: let libxml2 guess */
		doc = htmlReadMemory(html, (int)len, page_url, NULL, opts);
	if (!doc)
		return CRAWL_EINVAL;
	root = xmlDocGetRootElement(doc);
	if (!root)
		goto out;
	basehref = find_base(root);
	if (basehref && crawl_url_resolve(page_url, (const char *)basehref,
	    &base) != 0)
		base = NULL;
	if (!base)
		base = fg_strdup(page_url);

	n = root;
	while (n && found < max_links) {
		if (n->type == XML_ELEMENT_NODE) {
			const char *an = NULL;

			if (xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0 ||
			    xmlStrcasecmp(n->name, (const xmlChar *)"area") == 0)
				an = "href";
			else if (xmlStrcasecmp(n->name, (const xmlChar *)"frame") == 0 ||
			    xmlStrcasecmp(n->name, (const xmlChar *)"iframe") == 0)
				an = "src";
			if (an) {
				xmlChar *v = attr(n, an);
				char *url = NULL;

				if (v && v[0] && v[0] != '#' &&
				    crawl_url_resolve(base, (const char *)v, &url) == 0) {
					found++;
					rc = cb(url, arg);
					free(url);
				}
				xmlFree(v);
				if (rc) {
					rc = 0;
					break;
				}
			}
		}
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
out:
	if (nlinks)
		*nlinks = found;
	xmlFree(basehref);
	free(base);
	xmlFreeDoc(doc);
	return rc;
}
