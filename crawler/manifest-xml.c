/*
 * manifest-xml.c - the XML download feeds: Sparkle appcasts (RSS items
 * whose <enclosure url length> is the update; https://sparkle-project.org/
 * documentation/publishing/) and Metalink (RFC 5854 <file name><size><url>,
 * and version 3's <files><file><size><resources><url>).  libxml2's
 * streaming reader, no network, no entity substitution.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "crawl.h"
#include "manifest-int.h"

#define MF_XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOCDATA | \
    XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static int
reader_error(struct mf_ctx *m, xmlTextReaderPtr r)
{
	const xmlError *e = xmlGetLastError();

	return crawl__mf_error(m, "XML: line %d: %s",
	    e ? e->line : xmlTextReaderGetParserLineNumber(r),
	    e && e->message ? e->message : "not well-formed XML");
}

static int
local_is(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return n && strcmp((const char *)n, name) == 0;
}

int
crawl__mf_appcast(struct mf_ctx *m, const char *text, size_t len)
{
	xmlTextReaderPtr r;
	int ret, rc = 0;

	xmlResetLastError();
	r = xmlReaderForMemory(text, (int)len, m->url, NULL, MF_XML_OPTS);
	if (r == NULL)
		return crawl__mf_error(m, "XML: cannot be read");
	while ((ret = xmlTextReaderRead(r)) == 1) {
		xmlChar *u, *l;
		uint64_t size;

		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT ||
		    !local_is(r, "enclosure"))
			continue;
		u = xmlTextReaderGetAttribute(r, (const xmlChar *)"url");
		l = xmlTextReaderGetAttribute(r, (const xmlChar *)"length");
		if (u == NULL || l == NULL || crawl__mf_size((char *)l,
		    strlen((char *)l), &size) != 0) {
			rc = crawl__mf_error(m, "line %d: <enclosure> %s",
			    xmlTextReaderGetParserLineNumber(r), u == NULL ?
			    "without url" : "whose length is not a number");
			xmlFree(u);
			xmlFree(l);
			break;
		}
		rc = crawl__mf_file(m, NULL, (char *)u, strlen((char *)u), size,
		    0);
		xmlFree(u);
		xmlFree(l);
		if (rc)
			break;
	}
	if (rc == 0 && ret < 0)
		rc = reader_error(m, r);
	xmlFreeTextReader(r);
	return rc;
}

/* A <url> of the file being read: the preferred one is kept. */
struct ml_file {
	char *name;
	char *url;
	long rank;               /* lower is preferred */
	uint64_t size;
	int have_size;
	int line;
};

static void
ml_reset(struct ml_file *f)
{
	free(f->name);
	free(f->url);
	memset(f, 0, sizeof(*f));
}

int
crawl__mf_metalink(struct mf_ctx *m, const char *text, size_t len)
{
	xmlTextReaderPtr r;
	struct ml_file f;
	int ret, rc = 0, in_file = 0;

	memset(&f, 0, sizeof(f));
	xmlResetLastError();
	r = xmlReaderForMemory(text, (int)len, m->url, NULL, MF_XML_OPTS);
	if (r == NULL)
		return crawl__mf_error(m, "XML: cannot be read");
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);

		if (type == XML_READER_TYPE_ELEMENT && local_is(r, "file")) {
			xmlChar *n = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"name");

			ml_reset(&f);
			f.name = fg_strdup(n ? (char *)n : "");
			f.line = xmlTextReaderGetParserLineNumber(r);
			xmlFree(n);
			in_file = !xmlTextReaderIsEmptyElement(r);
		} else if (in_file && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "size")) {
			xmlChar *s = xmlTextReaderReadString(r);

			if (s == NULL || crawl__mf_size((char *)s,
			    strlen((char *)s), &f.size) != 0) {
				rc = crawl__mf_error(m, "line %d: file '%.80s': "
				    "<size> is not a number",
				    xmlTextReaderGetParserLineNumber(r), f.name);
				xmlFree(s);
				break;
			}
			f.have_size = 1;
			xmlFree(s);
		} else if (in_file && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "url")) {
			/* RFC 5854 4.2.16: priority 1 is the most preferred;
			 * version 3: preference 100 is */
			xmlChar *pr = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"priority");
			xmlChar *pf = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"preference");
			xmlChar *u = xmlTextReaderReadString(r);
			long rank = 1000000;

			if (pr)
				rank = strtol((char *)pr, NULL, 10);
			else if (pf)
				rank = 1000 - strtol((char *)pf, NULL, 10);
			if (u && (strncmp((char *)u, "http://", 7) == 0 ||
			    strncmp((char *)u, "https://", 8) == 0) &&
			    (f.url == NULL || rank < f.rank)) {
				free(f.url);
				f.url = fg_strdup((char *)u);
				f.rank = rank;
			}
			xmlFree(pr);
			xmlFree(pf);
			xmlFree(u);
		} else if (in_file && type == XML_READER_TYPE_END_ELEMENT &&
		    local_is(r, "file")) {
			in_file = 0;
			if (!f.have_size) {
				rc = crawl__mf_error(m, "line %d: file '%.80s' "
				    "has no <size>", f.line, f.name);
				break;
			}
			if (f.url != NULL) {
				rc = crawl__mf_file(m, NULL, f.url,
				    strlen(f.url), f.size, 0);
				if (rc)
					break;
			}
		}
	}
	if (rc == 0 && ret < 0)
		rc = reader_error(m, r);
	xmlFreeTextReader(r);
	ml_reset(&f);
	return rc;
}
