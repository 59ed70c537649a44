/*
 * t-url.c - unit tests of crawler/url.c: resolution, normalisation, traps.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../tap.h"
#include "crawl.h"
#include "url.h"

static void res(const char *base, const char *ref, const char *want)
{
	char *out = NULL;
	int rc = crawl_url_resolve(base, ref, &out);

	if (want) {
		is_int(rc, 0, "resolve %s + %s: ok", base ? base : "-", ref);
		is_str(out, want, "resolve %s + %s", base ? base : "-", ref);
	} else {
		ok(rc != 0 && out == NULL, "resolve %s + %s refused", base ?
		    base : "-", ref);
	}
	free(out);
}

int main(void)
{
	const char *b = "http://Example.ORG:80/pub/dir/index.html";
	char buf[256];
	const char *why;
	char *s;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	res(NULL, "http://Example.ORG:80/a/./b/../c#frag",
	    "http://example.org/a/c");
	res(NULL, "https://h.example:443/", "https://h.example/");
	/* a host that percent-decodes to a number is an IPv4 address: the
	 * result must normalise to itself (found by fuzz-url) */
	res("https://fuzz.example/a", "//%32", "https://0.0.0.2/");
	res(NULL, "https://0.0.0.2/", "https://0.0.0.2/");
	res(NULL, "https://h.example:8443/x", "https://h.example:8443/x");
	res(b, "file.zip", "http://example.org/pub/dir/file.zip");
	res(b, "../up/", "http://example.org/pub/up/");
	res(b, "/abs", "http://example.org/abs");
	res(b, "//other.example/x", "http://other.example/x");
	res(b, "?C=N;O=D", "http://example.org/pub/dir/index.html");
	res(b, "./?C=M&O=A", "http://example.org/pub/dir/");
	res(b, "a b.zip", "http://example.org/pub/dir/a%20b.zip");
	res(b, "caf\xc3\xa9.zip", "http://example.org/pub/dir/caf%C3%A9.zip");
	res(b, "x.cgi?id=3&PHPSESSID=abc&b=2",
	    "http://example.org/pub/dir/x.cgi?id=3&b=2");
	res(b, "x.jsp;jsessionid=ABC123?id=1",
	    "http://example.org/pub/dir/x.jsp?id=1");
	res(b, "  spaced.iso\t", "http://example.org/pub/dir/spaced.iso");
	res(b, "#top", "http://example.org/pub/dir/index.html");
	res(b, "http://user:pw@example.org/f", "http://example.org/f");
	res(b, "mailto:someone@example.org", NULL);
	res(b, "javascript:void(0)", NULL);
	res(b, "ftp://example.org/pub/x.zip", NULL);
	res(NULL, "relative/only", NULL);
	res(NULL, "", NULL);

	/* over-long URLs are refused, not truncated */
	{
		char *longref = malloc(3000);
		char *out = NULL;

		memset(longref, 'a', 2999);
		longref[2999] = '\0';
		is_int(crawl_url_resolve(b, longref, &out), CRAWL_ETOOLONG,
		    "URL over CRAWL_URL_MAX refused");
		free(longref);
	}

	is_int(crawl_url_host_key("http://example.org/x", buf, sizeof(buf)),
	    0, "host key ok");
	is_str(buf, "http://example.org:80", "host key has the default port");
	crawl_url_host_key("https://example.org:8443/x", buf, sizeof(buf));
	is_str(buf, "https://example.org:8443", "host key with port");
	crawl_url_host("http://example.org:81/x", buf, sizeof(buf));
	is_str(buf, "example.org", "host name");

	is_str(crawl_url_path("http://h/a/b?q=1"), "/a/b?q=1", "path");
	is_str(crawl_url_path("http://h"), "/", "empty path is /");
	ok(crawl_url_has_query("http://h/a?x=1"), "has query");
	ok(!crawl_url_has_query("http://h/a"), "no query");

	s = crawl_url_dir("http://h/a/b/c.html?x=/y");
	is_str(s, "http://h/a/b/", "dir of a file");
	free(s);
	s = crawl_url_dir("http://h/a/b/");
	is_str(s, "http://h/a/b/", "dir of a dir");
	free(s);
	s = crawl_url_dir("http://h");
	is_str(s, "http://h/", "dir of a bare host");
	free(s);

	crawl_url_ext("http://h/x/linux-6.1.tar.xz", buf, 16);
	is_str(buf, "tar.xz", "tar.xz kept whole");
	crawl_url_ext("http://h/x/Setup.EXE?dl=1", buf, 16);
	is_str(buf, "exe", "ext lowercased, query ignored");
	crawl_url_ext("http://h/x/README", buf, 16);
	is_str(buf, "", "no ext");
	crawl_url_ext("http://h/x/.hidden", buf, 16);
	is_str(buf, "", "dot file has no ext");

	ok(crawl_url_pagelike("http://h/dir/"), "dir is a page");
	ok(crawl_url_pagelike("http://h/download.php?id=2"), "php is a page");
	ok(crawl_url_pagelike("http://h/releases"), "no ext is a page");
	ok(!crawl_url_pagelike("http://h/x.iso"), "iso is not a page");

	ok(!crawl_url_trap("http://h/pub/linux/kernel/v6.x/", &why),
	    "ordinary path is no trap");
	ok(crawl_url_trap("http://h/t/a/b/a/b/a/b/", &why),
	    "repeated segments are a trap");
	is_str(why, "repeated path segment", "trap reason");
	ok(crawl_url_trap("http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/"
	    "17/18/19/20/21/22/23/24/25/", &why), "deep path is a trap");
	ok(crawl_url_trap("http://h/cal.php?year=2031&month=4", &why),
	    "calendar query is a trap");
	ok(!crawl_url_trap("http://h/get.php?id=4", &why),
	    "other queries are no trap");
	curl_global_cleanup();
	return done_testing();
}
