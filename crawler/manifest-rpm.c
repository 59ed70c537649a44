/*
 * manifest-rpm.c - RPM repositories (createrepo's metadata): repodata/
 * repomd.xml names the primary index, primary.xml(.gz) lists each package
 * with <location href> and <size package>.  Read with libxml2's streaming
 * reader, so a primary.xml of a few hundred MiB costs little beyond the
 * decompressed text; no network access, no entity substitution.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "crawl.h"
#include "manifest-int.h"
#include "url.h"

/* Options for every XML manifest: no DTD loading, no network, entities
 * left as references (no "billion laughs"); huge text nodes refused. */
#define MF_XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOCDATA | \
    XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static int
reader_error(struct mf_ctx *m, xmlTextReaderPtr r, const char *what)
{
	const xmlError *e = xmlGetLastError();

	return crawl__mf_error(m, "%s: line %d: %s", what,
	    e ? e->line : xmlTextReaderGetParserLineNumber(r),
	    e && e->message ? e->message : "not well-formed XML");
}

static int
local_is(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return n && strcmp((const char *)n, name) == 0;
}

/* The repository's base: the directory that holds repodata/, where
 * location hrefs start ("repodata/x-primary.xml.gz", "Packages/c/x.rpm"). */
static char *
repo_base(const char *url)
{
	const char *r = strstr(url, "/repodata/");
	char *out = NULL;

	if (r != NULL)
		return fg_strndup(url, (size_t)(r - url) + 1);
	if (crawl_url_resolve(url, "./", &out) != 0)
		return NULL;
	return out;
}

int
crawl__mf_rpm_repomd(struct mf_ctx *m, const char *text, size_t len)
{
	xmlTextReaderPtr r;
	char *base = repo_base(m->url), *href = NULL;
	uint64_t size = 0;
	int ret, in_primary = 0, found = 0, rc = 0, depth = -1;

	xmlResetLastError();
	r = xmlReaderForMemory(text, (int)len, m->url, NULL, MF_XML_OPTS);
	if (r == NULL) {
		free(base);
		return crawl__mf_error(m, "XML: cannot be read");
	}
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);

		if (type == XML_READER_TYPE_ELEMENT && local_is(r, "data")) {
			xmlChar *t = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"type");

			in_primary = t && strcmp((char *)t, "primary") == 0;
			depth = xmlTextReaderDepth(r);
			xmlFree(t);
			free(href);
			href = NULL;
			size = 0;
			if (xmlTextReaderIsEmptyElement(r))
				in_primary = 0;
		} else if (in_primary && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "location")) {
			xmlChar *h = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"href");

			free(href);
			href = h ? fg_strdup((char *)h) : NULL;
			xmlFree(h);
		} else if (in_primary && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "size")) {
			xmlChar *s = xmlTextReaderReadString(r);

			if (s == NULL || crawl__mf_size((char *)s,
			    strlen((char *)s), &size) != 0) {
				rc = crawl__mf_error(m, "line %d: primary's <size> "
				    "is not a number",
				    xmlTextReaderGetParserLineNumber(r));
				xmlFree(s);
				break;
			}
			xmlFree(s);
		} else if (in_primary && type == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(r) == depth) {
			in_primary = 0;
			if (href == NULL) {
				rc = crawl__mf_error(m, "line %d: primary <data> "
				    "without <location href>",
				    xmlTextReaderGetParserLineNumber(r));
				break;
			}
			rc = crawl__mf_manifest(m, base, href, strlen(href),
			    MF_RPM_PRIMARY, size);
			found++;
			if (rc)
				break;
		}
	}
	if (rc == 0 && ret < 0)
		rc = reader_error(m, r, "XML");
	if (rc == 0 && found == 0)
		rc = crawl__mf_error(m, "repomd.xml names no primary index");
	xmlFreeTextReader(r);
	free(href);
	free(base);
	return rc;
}

int
crawl__mf_rpm_primary(struct mf_ctx *m, const char *text, size_t len)
{
	xmlTextReaderPtr r;
	char *base = repo_base(m->url), *href = NULL, *xbase = NULL;
	uint64_t size = 0;
	int64_t mtime = 0;
	int ret, in_pkg = 0, rc = 0, line = 0, size_ok = 0;

	xmlResetLastError();
	r = xmlReaderForMemory(text, (int)len, m->url, NULL, MF_XML_OPTS);
	if (r == NULL) {
		free(base);
		return crawl__mf_error(m, "XML: cannot be read");
	}
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);

		if (type == XML_READER_TYPE_ELEMENT && local_is(r, "package") &&
		    xmlTextReaderDepth(r) == 1) {
			in_pkg = 1;
			line = xmlTextReaderGetParserLineNumber(r);
			free(href);
			free(xbase);
			href = xbase = NULL;
			size_ok = 0;
			mtime = 0;
		} else if (in_pkg && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "location")) {
			xmlChar *h = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"href");
			xmlChar *b = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"xml:base");

			free(href);
			free(xbase);
			href = h ? fg_strdup((char *)h) : NULL;
			xbase = b ? fg_strdup((char *)b) : NULL;
			xmlFree(h);
			xmlFree(b);
		} else if (in_pkg && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "size")) {
			xmlChar *s = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"package");

			size_ok = s != NULL && crawl__mf_size((char *)s,
			    strlen((char *)s), &size) == 0;
			xmlFree(s);
			if (!size_ok) {
				rc = crawl__mf_error(m, "line %d: <size package> "
				    "is not a number",
				    xmlTextReaderGetParserLineNumber(r));
				break;
			}
		} else if (in_pkg && type == XML_READER_TYPE_ELEMENT &&
		    local_is(r, "time")) {
			xmlChar *t = xmlTextReaderGetAttribute(r,
			    (const xmlChar *)"file");
			uint64_t v;

			if (t && crawl__mf_size((char *)t, strlen((char *)t),
			    &v) == 0 && v < (1ULL << 40))
				mtime = (int64_t)v;
			xmlFree(t);
		} else if (in_pkg && type == XML_READER_TYPE_END_ELEMENT &&
		    local_is(r, "package") && xmlTextReaderDepth(r) == 1) {
			in_pkg = 0;
			if (href == NULL || !size_ok) {
				rc = crawl__mf_error(m, "line %d: a package "
				    "without %s", line, href == NULL ?
				    "<location href>" : "<size package>");
				break;
			}
			rc = crawl__mf_file(m, xbase ? xbase : base, href,
			    strlen(href), size, mtime);
			if (rc)
				break;
		}
	}
	if (rc == 0 && ret < 0)
		rc = reader_error(m, r, "XML");
	xmlFreeTextReader(r);
	free(href);
	free(xbase);
	free(base);
	return rc;
}
