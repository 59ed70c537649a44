/*
 * t-links.c - unit tests of crawler/links.c: links out of good, broken and
 * oddly encoded HTML.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "../tap.h"
#include "links.h"
#include "util.h"

struct got {
	char *all;
	unsigned n;
	unsigned stop_after;
};

static int collect(const char *url, void *arg)
{
	struct got *g = arg;
	char *s = fg_asprintf("%s%s ", g->all ? g->all : "", url);

	free(g->all);
	g->all = s;
	g->n++;
	return g->stop_after && g->n >= g->stop_after;
}

static char *links(const char *html, const char *url, const char *cs,
    unsigned *n)
{
	struct got g = { NULL, 0, 0 };

	crawl_links_extract(html, strlen(html), url, cs, 100000, collect, &g, n);
	return g.all ? g.all : fg_strdup("");
}

int main(void)
{
	char *s;
	unsigned n;
	char cs[64];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();

	s = links("<html><body><a href='a.zip'>a</a> <A HREF=\"/b/\">b</A>"
	    "<area href='c.iso'><iframe src='frame.html'></iframe>"
	    "<a href='#x'>x</a><a>no href</a><a href='mailto:x@y'>m</a>"
	    "</body></html>", "http://h.example/d/index.html", NULL, &n);
	is_str(s, "http://h.example/d/a.zip http://h.example/b/ "
	    "http://h.example/d/c.iso http://h.example/d/frame.html ",
	    "a, area, iframe; fragments and mailto dropped");
	is_int(n, 4, "count");
	free(s);

	s = links("<html><head><base href='http://mirror.example/pub/'></head>"
	    "<body><a href='x.tar.gz'>x</a></body></html>",
	    "http://h.example/d/", NULL, &n);
	is_str(s, "http://mirror.example/pub/x.tar.gz ", "<base href> honoured");
	free(s);

	s = links("<html><head><base href='sub/'></head><body>"
	    "<a href='y.zip'>y</a></body></html>", "http://h.example/d/", NULL,
	    &n);
	is_str(s, "http://h.example/d/sub/y.zip ", "relative <base href>");
	free(s);

	/* the first <base href> applies to links before it too (SAX reads
	 * the page twice for this) */
	s = links("<a href='early.zip'>e</a><base href='http://m.example/a/'>"
	    "<base href='http://other.example/'><a href='late.zip'>l</a>",
	    "http://h.example/d/", NULL, &n);
	is_str(s, "http://m.example/a/early.zip http://m.example/a/late.zip ",
	    "first <base href> for every link, earlier ones included");
	free(s);

	/* broken markup: unclosed tags, stray quotes, attributes without
	 * quotes, links inside a table that never closes */
	s = links("<html><body><table><tr><td><a href=one.zip>1<td>"
	    "<a href=\"two.zip\" <b>2</a><p><a href='three.zip'>3"
	    "<div><a href=four.zip>4</div></span></table><a href=five.zip>",
	    "http://h.example/", NULL, &n);
	ok(strstr(s, "one.zip") && strstr(s, "three.zip") &&
	    strstr(s, "four.zip") && strstr(s, "five.zip"),
	    "links recovered from broken HTML: %s", s);
	free(s);

	/* ISO-8859-1 page: é as byte 0xE9 must become UTF-8 %C3%A9 */
	s = links("<html><body><a href='caf\xe9.zip'>c</a></body></html>",
	    "http://h.example/", "ISO-8859-1", &n);
	is_str(s, "http://h.example/caf%C3%A9.zip ", "latin1 charset");
	free(s);
	/* the same page declared by <meta> only */
	s = links("<html><head><meta http-equiv='Content-Type' "
	    "content='text/html; charset=iso-8859-1'></head><body>"
	    "<a href='caf\xe9.zip'>c</a></body></html>",
	    "http://h.example/", NULL, &n);
	is_str(s, "http://h.example/caf%C3%A9.zip ", "charset from <meta>");
	free(s);
	/* Shift_JIS declared in Content-Type */
	s = links("<html><body><a href='\x83\x65\x83\x58\x83\x67.zip'>t</a>"
	    "</body></html>", "http://h.example/", "Shift_JIS", &n);
	is_str(s, "http://h.example/%E3%83%86%E3%82%B9%E3%83%88.zip ",
	    "Shift_JIS charset");
	free(s);
	/* an unknown charset falls back to guessing, still finds links */
	s = links("<html><body><a href='k.zip'>k</a></body></html>",
	    "http://h.example/", "x-no-such-charset", &n);
	is_str(s, "http://h.example/k.zip ", "unknown charset tolerated");
	free(s);

	/* binary junk does not crash and finds nothing */
	{
		char junk[4096];
		size_t i;
		struct got g = { NULL, 0, 0 };

		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (char)(i * 131 + 7);
		crawl_links_extract(junk, sizeof(junk), "http://h.example/", NULL,
		    1000, collect, &g, &n);
		ok(1, "binary junk parsed without crash (%u links)", n);
		free(g.all);
	}

	/* the callback can stop the walk; max_links bounds it too */
	{
		struct got g = { NULL, 0, 2 };
		const char *h = "<a href=1>1</a><a href=2>2</a><a href=3>3</a>";

		crawl_links_extract(h, strlen(h), "http://h.example/", NULL, 100,
		    collect, &g, &n);
		is_int(g.n, 2, "callback stops the walk");
		free(g.all);
		g.all = NULL;
		g.n = 0;
		g.stop_after = 0;
		crawl_links_extract(h, strlen(h), "http://h.example/", NULL, 1,
		    collect, &g, &n);
		is_int(g.n, 1, "max_links bounds the walk");
		free(g.all);
	}

	crawl_links_charset("text/html; charset=\"ISO-8859-1\"", cs, sizeof(cs));
	is_str(cs, "ISO-8859-1", "charset from Content-Type");
	crawl_links_charset("text/html;charset=utf-8;x=y", cs, sizeof(cs));
	is_str(cs, "utf-8", "charset before other parameters");
	crawl_links_charset("text/html", cs, sizeof(cs));
	is_str(cs, "", "no charset");
	crawl_links_charset("text/html; charset=../../etc$(x)", cs, sizeof(cs));
	is_str(cs, "..", "charset sanitised");
	ok(crawl_links_is_html("text/html; charset=utf-8"), "text/html");
	ok(crawl_links_is_html("application/xhtml+xml"), "xhtml");
	ok(!crawl_links_is_html("application/octet-stream"), "octet-stream");
	ok(!crawl_links_is_html(NULL), "no content type");

	xmlCleanupParser();
	curl_global_cleanup();
	return done_testing();
}
