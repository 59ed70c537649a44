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
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>
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

/*
 * The page is read with libxml2's HTML parser driven as SAX, without a
 * document tree: a tree costs about 900 bytes per link (measured: 880 MB
 * for a listing of a million links), SAX a constant.  Two passes: the
 * first finds the first <base href> (it applies to every link, also those
 * before it, as browsers have it), the second reports the links.
 */
struct sax_state {
	const char *page_url;
	const char *base;        /* pass 2: what links resolve against */
	xmlChar *basehref;       /* pass 1: the first <base href> */
	size_t max_links;
	unsigned found;
	int stop;                /* the callback asked to stop */
	crawl_link_cb cb;
	void *arg;
	htmlParserCtxtPtr ctxt;
};

static const xmlChar *attr_of(const xmlChar **atts, const char *name)
{
	size_t i;

	for (i = 0; atts && atts[i]; i += 2)
		if (xmlStrcasecmp(atts[i], (const xmlChar *)name) == 0)
			return atts[i + 1];
	return NULL;
}

static void on_start_base(void *ctx, const xmlChar *name,
    const xmlChar **atts)
{
	struct sax_state *st = ((htmlParserCtxtPtr)ctx)->_private;
	const xmlChar *h;

	if (st->basehref || xmlStrcasecmp(name, (const xmlChar *)"base") != 0)
		return;
	h = attr_of(atts, "href");
	if (h) {
		st->basehref = xmlStrdup(h);
		xmlStopParser(st->ctxt);
	}
}

static void on_start_link(void *ctx, const xmlChar *name,
    const xmlChar **atts)
{
	struct sax_state *st = ((htmlParserCtxtPtr)ctx)->_private;
	const char *an = NULL;
	const xmlChar *v;
	char *url = NULL;

	if (st->stop || st->found >= st->max_links)
		return;
	if (xmlStrcasecmp(name, (const xmlChar *)"a") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"area") == 0)
		an = "href";
	else if (xmlStrcasecmp(name, (const xmlChar *)"frame") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"iframe") == 0)
		an = "src";
	if (!an)
		return;
	v = attr_of(atts, an);
	if (!v || !v[0] || v[0] == '#' ||
	    crawl_url_resolve(st->base, (const char *)v, &url) != 0)
		return;
	st->found++;
	if (st->cb(url, st->arg))
		st->stop = 1;
	free(url);
	if (st->stop || st->found >= st->max_links)
		xmlStopParser(st->ctxt);
}

/* One SAX pass over the page with @start as the only handler; 0, or -1
 * if libxml2 could not set up a parser. */
static int sax_pass(const char *html, int len, const char *page_url,
    const char *charset, struct sax_state *st,
    startElementSAXFunc start)
{
	static const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	htmlDocPtr doc;

	if (!ctxt)
		return -1;
	/* no tree: only our handler, nothing of libxml2's SAX2 builder */
	memset(ctxt->sax, 0, sizeof(*ctxt->sax));
	ctxt->sax->initialized = 1;
	ctxt->sax->startElement = start;
	ctxt->_private = st;
	st->ctxt = ctxt;
	/* a charset libxml2 does not know: let it guess, as without one */
	if (charset && charset[0]) {
		xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(charset);

		if (h)
			xmlCharEncCloseFunc(h);
		else
			charset = NULL;
	}
	doc = htmlCtxtReadMemory(ctxt, html, len, page_url,
	    charset && charset[0] ? charset : NULL, opts);
	if (doc)
		xmlFreeDoc(doc);
	htmlFreeParserCtxt(ctxt);
	st->ctxt = NULL;
	return 0;
}

int crawl_links_extract(const char *html, size_t len, const char *page_url,
    const char *charset, size_t max_links, crawl_link_cb cb, void *arg,
    unsigned *nlinks)
{
	struct sax_state st;
	char *base = NULL;
	int rc = 0;

	if (nlinks)
		*nlinks = 0;
	if (len > (size_t)INT32_MAX)
		len = INT32_MAX;
	if (len == 0)
		return 0;
	memset(&st, 0, sizeof(st));
	st.page_url = page_url;
	st.max_links = max_links;
	st.cb = cb;
	st.arg = arg;
	if (sax_pass(html, (int)len, page_url, charset, &st, on_start_base) < 0)
		return CRAWL_EINVAL;
	if (st.basehref && crawl_url_resolve(page_url,
	    (const char *)st.basehref, &base) != 0)
		base = NULL;
	xmlFree(st.basehref);
	st.basehref = NULL;
	st.base = base ? base : page_url;
	if (sax_pass(html, (int)len, page_url, charset, &st, on_start_link) < 0)
		rc = CRAWL_EINVAL;
	if (nlinks)
		*nlinks = st.found;
	free(base);
	return rc;
}
