/*
 * t-url.c - unit tests of crawler/url.c: resolution, normalisation, traps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../tap.h"
#include "crawl.h"
#include "url.h"
#include "util.h"
#include <strings.h>

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

/* RFC 3492 7.1's sample strings, as UTF-8, and their Punycode. */
static const struct {
	const char *name, *utf8, *puny;
} rfc3492[] = {
		{ "(A)", "\xd9\x84\xd9\x8a\xd9\x87\xd9\x85\xd8\xa7\xd8\xa8\xd8\xaa\xd9\x83\xd9\x84\xd9\x85\xd9\x88\xd8\xb4\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\x9f", "egbpdaj6bu4bxfgehfvwxn" },
		{ "(B)", "\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87", "ihqwcrb4cv8a8dqg056pqjye" },
		{ "(C)", "\xe4\xbb\x96\xe5\x80\x91\xe7\x88\xb2\xe4\xbb\x80\xe9\xba\xbd\xe4\xb8\x8d\xe8\xaa\xaa\xe4\xb8\xad\xe6\x96\x87", "ihqwctvzc91f659drss3x8bo0yb" },
		{ "(D)", "Pro\xc4\x8dprost\xc4\x9bnemluv\xc3\xad\xc4\x8d" "esky", "Proprostnemluvesky-uyb24dma41a" },
		{ "(E)", "\xd7\x9c\xd7\x9e\xd7\x94\xd7\x94\xd7\x9d\xd7\xa4\xd7\xa9\xd7\x95\xd7\x98\xd7\x9c\xd7\x90\xd7\x9e\xd7\x93\xd7\x91\xd7\xa8\xd7\x99\xd7\x9d\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa", "4dbcagdahymbxekheh6e0a7fei0b" },
		{ "(F)", "\xe0\xa4\xaf\xe0\xa4\xb9\xe0\xa4\xb2\xe0\xa5\x8b\xe0\xa4\x97\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8\xe0\xa5\x8d\xe0\xa4\xa6\xe0\xa5\x80\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xaf\xe0\xa5\x8b\xe0\xa4\x82\xe0\xa4\xa8\xe0\xa4\xb9\xe0\xa5\x80\xe0\xa4\x82\xe0\xa4\xac\xe0\xa5\x8b\xe0\xa4\xb2\xe0\xa4\xb8\xe0\xa4\x95\xe0\xa4\xa4\xe0\xa5\x87\xe0\xa4\xb9\xe0\xa5\x88\xe0\xa4\x82", "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd" },
		{ "(G)", "\xe3\x81\xaa\xe3\x81\x9c\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x82\x92\xe8\xa9\xb1\xe3\x81\x97\xe3\x81\xa6\xe3\x81\x8f\xe3\x82\x8c\xe3\x81\xaa\xe3\x81\x84\xe3\x81\xae\xe3\x81\x8b", "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa" },
		{ "(H)", "\xec\x84\xb8\xea\xb3\x84\xec\x9d\x98\xeb\xaa\xa8\xeb\x93\xa0\xec\x82\xac\xeb\x9e\x8c\xeb\x93\xa4\xec\x9d\xb4\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\xeb\xa5\xbc\xec\x9d\xb4\xed\x95\xb4\xed\x95\x9c\xeb\x8b\xa4\xeb\xa9\xb4\xec\x96\xbc\xeb\xa7\x88\xeb\x82\x98\xec\xa2\x8b\xec\x9d\x84\xea\xb9\x8c", "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c" },
		{ "(I)", "\xd0\xbf\xd0\xbe\xd1\x87\xd0\xb5\xd0\xbc\xd1\x83\xd0\xb6\xd0\xb5\xd0\xbe\xd0\xbd\xd0\xb8\xd0\xbd\xd0\xb5\xd0\xb3\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x80\xd1\x8f\xd1\x82\xd0\xbf\xd0\xbe\xd1\x80\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8", "b1abfaaepdrnnbgefbadotcwatmq2g4l" },
		{ "(J)", "Porqu\xc3\xa9nopuedensimplementehablarenEspa\xc3\xb1ol", "PorqunopuedensimplementehablarenEspaol-fmd56a" },
		{ "(K)", "T\xe1\xba\xa1isaoh\xe1\xbb\x8dkh\xc3\xb4ngth\xe1\xbb\x83" "ch\xe1\xbb\x89n\xc3\xb3iti\xe1\xba\xbfngVi\xe1\xbb\x87t", "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g" },
		{ "(L)", "3\xe5\xb9\xb4" "B\xe7\xb5\x84\xe9\x87\x91\xe5\x85\xab\xe5\x85\x88\xe7\x94\x9f", "3B-ww4c5e180e575a65lsy2b" },
		{ "(M)", "\xe5\xae\x89\xe5\xae\xa4\xe5\xa5\x88\xe7\xbe\x8e\xe6\x81\xb5-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n" },
		{ "(N)", "Hello-Another-Way-\xe3\x81\x9d\xe3\x82\x8c\xe3\x81\x9e\xe3\x82\x8c\xe3\x81\xae\xe5\xa0\xb4\xe6\x89\x80", "Hello-Another-Way--fc4qua05auwb3674vfr0b" },
		{ "(O)", "\xe3\x81\xb2\xe3\x81\xa8\xe3\x81\xa4\xe5\xb1\x8b\xe6\xa0\xb9\xe3\x81\xae\xe4\xb8\x8b" "2", "2-u9tlzr9756bt3uc0v" },
		{ "(P)", "Maji\xe3\x81\xa7Koi\xe3\x81\x99\xe3\x82\x8b" "5\xe7\xa7\x92\xe5\x89\x8d", "MajiKoi5-783gue6qz075azm5e" },
		{ "(Q)", "\xe3\x83\x91\xe3\x83\x95\xe3\x82\xa3\xe3\x83\xbc" "de\xe3\x83\xab\xe3\x83\xb3\xe3\x83\x90", "de-jg4avhby1noc0d" },
		{ "(R)", "\xe3\x81\x9d\xe3\x81\xae\xe3\x82\xb9\xe3\x83\x94\xe3\x83\xbc\xe3\x83\x89\xe3\x81\xa7", "d9juau41awczczp" },
		{ "(S)", "-> $1.00 <-", "-> $1.00 <--" },
};

/* Undo url-whatwg.txt's escapes (\\\\, \\xHH) in place. */
static void unescape(char *s)
{
	size_t i = 0, o = 0;

	while (s[i]) {
		unsigned v;

		if (s[i] == '\\' && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &v) == 1) {
			s[o++] = (char)v;
			i += 4;
		} else if (s[i] == '\\' && s[i + 1] == '\\') {
			s[o++] = '\\';
			i += 2;
		} else {
			s[o++] = s[i++];
		}
	}
	s[o] = '\0';
}

/* Known differences: "base<TAB>input" as written in the files. */
struct differ {
	char **keys;
	size_t n;
};

static void differ_load(struct differ *d, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192];

	memset(d, 0, sizeof(*d));
	if (!f)
		bail_out("%s: cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char *t;

		if (line[0] == '#' || !(t = strchr(line, '\t')) ||
		    !(t = strchr(t + 1, '\t')))
			continue;
		*t = '\0';
		d->keys = fg_reallocarray(d->keys, d->n + 1, sizeof(*d->keys));
		d->keys[d->n++] = fg_strdup(line);
	}
	fclose(f);
}

/* The cases of tests/crawler/url-whatwg.txt: each agrees with the
 * reference unless url-whatwg-differ.txt lists it, and then it differs. */
static void whatwg(const char *path, const char *differ_path)
{
	FILE *f = fopen(path, "r");
	char line[8192], key[8192];
	unsigned lineno = 0, n = 0, agree = 0, listed = 0;
	struct differ d;
	size_t i;

	differ_load(&d, differ_path);
	if (!f)
		bail_out("%s: cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char *base, *in, *want, *got = NULL, *nl;
		int rc, same, known = 0;

		lineno++;
		if (line[0] == '#')
			continue;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		base = line;
		in = strchr(base, '\t');
		if (!in || !(want = strchr(in + 1, '\t')))
			bail_out("%s:%u: not three fields", path, lineno);
		snprintf(key, sizeof(key), "%.*s", (int)(want - base), base);
		for (i = 0; i < d.n; i++)
			if (strcmp(d.keys[i], key) == 0)
				known = 1;
		*in++ = '\0';
		*want++ = '\0';
		unescape(base);
		unescape(in);
		unescape(want);
		rc = crawl_url_resolve(strcmp(base, "-") ? base : NULL, in, &got);
		if (strcmp(want, "FAIL") == 0)
			same = rc != 0;
		else
			same = rc == 0 && strcmp(got, want) == 0;
		n++;
		agree += same;
		listed += known;
		ok(same != known, "WHATWG %s:%u %s (%s)", path, lineno,
		    known ? "differs as listed" : "agrees", want);
		if (same == known)
			diag("  got %s", rc ? "a failure" : got);
		free(got);
	}
	fclose(f);
	for (i = 0; i < d.n; i++)
		free(d.keys[i]);
	free(d.keys);
	is_int(listed, d.n, "every listed difference is a case of the corpus");
	diag("WHATWG URL corpus: %u of %u http/https cases agree", agree, n);
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
	/* a dot segment the session id hid is removed as well, so that the
	 * result resolves to itself (fuzz-url, 2026-12-08: "%2e;jsessionid="
	 * gave ".../%2E", which resolved again to ".../") */
	res(b, "x/%2e;jsessionid=1", "http://example.org/pub/dir/x/");
	res(NULL, "http://example.org/pub/dir/x/", "http://example.org/pub/dir/x/");
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
	/* issue 14: a same-scheme reference without "//" is relative */
	res("http://example.org/foo/bar", "http:/example.com/",
	    "http://example.org/example.com/");
	res("http://example.org/foo/bar", "http:example.com/",
	    "http://example.org/foo/example.com/");
	res("http://example.org/foo/bar", "https:/example.com/",
	    "https://example.com/");
	res("http://example.org/foo/bar", "http:///x.example/",
	    "http://x.example/");
	res("http://example.org/foo/bar", "\\\\x.example\\a\\b?c\\d",
	    "http://x.example/a/b?c\\d");
	/* non-ASCII hosts as IDNA A-labels, raw or percent-encoded */
	res(NULL, "https://%e2%98%83", "https://xn--n3h/");
	res(NULL, "https://\xe2\x98\x83/a", "https://xn--n3h/a");
	res(NULL, "http://B\xc3\xbc" "cher.Example/", "http://xn--bcher-kva.example/");
	res(b, "//\xc3\xa9t\xc3\xa9.example:8080/x",
	    "http://xn--t-9fab.example:8080/x");
	res(NULL, "http://\xff\xfe.example/", NULL);
	res(NULL, "http://%e2%98%83%2f.example/", NULL);
	/* percent-escapes: one spelling, uppercase hex, in path and query */
	res(NULL, "http://h.example/a%7bb?foo=%7B&bar=%7b",
	    "http://h.example/a%7Bb?foo=%7B&bar=%7B");
	res(NULL, "http://h.example/?q=%e2%98%83", "http://h.example/?q=%E2%98%83");
	{
		char *a = NULL, *c = NULL;

		crawl_url_resolve(NULL, "http://h.example/x?foo=%7b", &a);
		crawl_url_resolve(NULL, a ? a : "", &c);
		is_str(c, a, "uppercased query normalises to itself");
		free(a);
		free(c);
	}

	/* RFC 3492 7.1 samples */
	{
		size_t i;
		char out[256];

		for (i = 0; i < sizeof(rfc3492) / sizeof(rfc3492[0]); i++) {
			int n = crawl_url_punycode(rfc3492[i].utf8,
			    strlen(rfc3492[i].utf8), out, sizeof(out));

			ok(n >= 0 && strcasecmp(out, rfc3492[i].puny) == 0 &&
			    strcmp(out, rfc3492[i].puny) == 0,
			    "RFC 3492 7.1 %s: %s", rfc3492[i].name, rfc3492[i].puny);
			if (n < 0 || strcmp(out, rfc3492[i].puny) != 0)
				diag("  got %s", n >= 0 ? out : "an error");
		}
		is_int(crawl_url_punycode("\xc3\x28", 2, out, sizeof(out)),
		    CRAWL_EINVAL, "invalid UTF-8 refused");
		is_int(crawl_url_punycode("\xe2\x98\x83", 3, out, 3),
		    CRAWL_ETOOLONG, "output bound kept");
	}

	{
		const char *src = getenv("FG_SRCDIR");
		char *path = fg_asprintf("%s/tests/crawler/url-whatwg.txt",
		    src ? src : ".");
		char *dpath = fg_asprintf("%s/tests/crawler/url-whatwg-differ.txt",
		    src ? src : ".");

		whatwg(path, dpath);
		free(path);
		free(dpath);
	}
	curl_global_cleanup();
	return done_testing();
}
