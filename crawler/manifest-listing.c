/*
 * manifest-listing.c - directory listings that print each file's exact
 * size in bytes: nginx's autoindex with its default autoindex_exact_size
 * on ("<a href="f.iso">f.iso</a>   03-Dec-2026 09:51   123456789").
 * Apache's and nginx's rounded sizes ("1.2M") are not exact and make the
 * listing unusable as a manifest.  Parsed with libxml2's HTML parser.
 * Subdirectories are reported as further listings; the caller samples
 * files to probe (docs/crawler.md).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "crawl.h"
#include "manifest-int.h"
#include "url.h"

struct walk {
	struct mf_ctx *m;
	const char *dir;         /* the listing's URL up to its last '/' */
	size_t files, exact;
	int rc;
};

/* The last blank-separated word of the first line of @s, into @w. */
static size_t
last_word(const char *s, const char **w)
{
	size_t n = strcspn(s, "\r\n"), e, b;

	e = n;
	while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	b = e;
	while (b > 0 && s[b - 1] != ' ' && s[b - 1] != '\t')
		b--;
	*w = s + b;
	return e - b;
}

static void
visit(struct walk *w, xmlNode *n)
{
	for (; n != NULL && w->rc == 0; n = n->next) {
		xmlChar *href;
		const char *word;
		size_t hl, wl;
		uint64_t size;
		char *abs = NULL;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->name == NULL || strcmp((const char *)n->name, "a") != 0) {
			visit(w, n->children);
			continue;
		}
		href = xmlGetProp(n, (const xmlChar *)"href");
		if (href == NULL)
			continue;
		hl = strlen((char *)href);
		/* only entries of this directory: no parent, no sort links,
		 * nothing absolute elsewhere */
		if (hl == 0 || href[0] == '?' || href[0] == '#' ||
		    crawl_url_resolve(w->m->url, (char *)href, &abs) != 0 ||
		    strncmp(abs, w->dir, strlen(w->dir)) != 0 ||
		    strlen(abs) == strlen(w->dir)) {
			free(abs);
			xmlFree(href);
			continue;
		}
		if (href[hl - 1] == '/') {
			w->rc = crawl__mf_manifest(w->m, NULL, abs, strlen(abs),
			    MF_LISTING, 0);
		} else {
			w->files++;
			wl = 0;
			if (n->next && n->next->type == XML_TEXT_NODE &&
			    n->next->content)
				wl = last_word((const char *)n->next->content,
				    &word);
			if (wl > 0 && crawl__mf_size(word, wl, &size) == 0) {
				w->exact++;
				w->rc = crawl__mf_file(w->m, NULL, abs,
				    strlen(abs), size, 0);
			}
		}
		free(abs);
		xmlFree(href);
	}
}

int
crawl__mf_listing(struct mf_ctx *m, const char *text, size_t len)
{
	htmlDocPtr doc;
	struct walk w;
	char *dir = crawl_url_dir(m->url);

	doc = htmlReadMemory(text, (int)len, m->url, NULL, HTML_PARSE_RECOVER |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc == NULL) {
		free(dir);
		return crawl__mf_error(m, "HTML: cannot be parsed");
	}
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.dir = dir;
	visit(&w, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	free(dir);
	if (w.rc)
		return w.rc;
	if (w.files > 0 && w.exact == 0)
		return crawl__mf_error(m, "a listing without exact sizes (%zu "
		    "files, none with a size in bytes: crawl it as a start "
		    "page instead)", w.files);
	if (w.files > w.exact)
		return crawl__mf_error(m, "%zu of %zu files without an exact "
		    "size: not a listing to trust", w.files - w.exact,
		    w.files);
	return 0;
}
