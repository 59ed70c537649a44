/*
 * t-seeds.c - unit tests of crawler/seeds.c: the format, its error
 * messages (file:line), the shipped seed files, and the scope rules.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../tap.h"
#include "seeds.h"
#include "util.h"

static void bad(const char *text, const char *want)
{
	struct crawl_seeds s = { NULL, 0 };
	char err[600];
	int rc = crawl_seeds_parse(&s, "t.seeds", text, err, sizeof(err));

	ok(rc != 0 && s.n == 0, "refused: %s", want);
	if (!ok(strstr(err, want) != NULL, "message '%s'", want))
		diag("got '%s'", err);
	crawl_seeds_free(&s);
}

int main(void)
{
	struct crawl_seeds s = { NULL, 0 };
	char err[600];
	const char *srcdir = getenv("FG_SRCDIR");
	char *path;
	struct crawl_vendor *v;
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = crawl_seeds_parse(&s, "t.seeds",
	    "# a comment\n"
	    "[acme]\n"
	    "start = https://dl.acme.example/pub/tools/\n"
	    "start = https://dl.acme.example/pub/other/index.html\n"
	    "depth = 3\n"
	    "download-ext = .ISO tar.gz, exe\n"
	    "reject-regex = /beta/\n"
	    "download-host = cdn.acme.example\n"
	    "min-size = 10M   # per-vendor threshold\n"
	    "delay = 500ms\n"
	    "per-host = 2\n"
	    "\n"
	    "[beta]\n"
	    "start = http://beta.example/\n"
	    "scope = regex\n"
	    "scope-regex = ^http://beta\\.example/(pub|dl)/\n"
	    "download-regex = /get/[0-9]+$\n"
	    "allow-query = yes\n", err, sizeof(err));
	is_int(rc, 0, "valid seed text parses");
	if (rc)
		diag("%s", err);
	is_int(s.n, 2, "two vendors");
	v = &s.v[0];
	is_str(v->name, "acme", "name");
	is_int(v->nstarts, 2, "two start URLs");
	is_str(v->prefixes[1], "https://dl.acme.example/pub/other/", "prefix");
	is_int(v->depth, 3, "depth");
	is_int(v->nexts, 3, "extensions");
	is_str(v->exts[0], "iso", "extension lowercased, dot dropped");
	is_int(v->min_size, 10 << 20, "min-size");
	ok(v->delay > 0.49 && v->delay < 0.51, "delay 500ms");
	is_int(v->per_host, 2, "per-host");
	ok(crawl_vendor_page_in_scope(v, "https://dl.acme.example/pub/tools/x/"),
	    "prefix scope: below");
	ok(!crawl_vendor_page_in_scope(v, "https://dl.acme.example/pub/"),
	    "prefix scope: above is out");
	ok(crawl_vendor_is_download(v, "https://dl.acme.example/pub/tools/a.ISO"),
	    "ext rule");
	ok(crawl_vendor_is_download(v, "https://x/a-1.2.tar.gz"), "tar.gz rule");
	ok(!crawl_vendor_is_download(v, "https://x/a.zip"), "zip not listed");
	ok(crawl_vendor_download_in_scope(v, "https://cdn.acme.example/a.iso"),
	    "download-host");
	ok(!crawl_vendor_download_in_scope(v, "https://evil.example/a.iso"),
	    "other host out of scope");
	ok(crawl_vendor_rejects(v, "https://dl.acme.example/pub/tools/beta/a.iso"),
	    "reject-regex");
	v = &s.v[1];
	ok(crawl_vendor_page_in_scope(v, "http://beta.example/dl/x/"),
	    "regex scope in");
	ok(!crawl_vendor_page_in_scope(v, "http://beta.example/blog/"),
	    "regex scope out");
	ok(crawl_vendor_is_download(v, "http://beta.example/get/42"),
	    "download-regex");
	ok(v->allow_query, "allow-query");
	is_int(crawl_seeds_find(&s, "beta"), 1, "find");
	crawl_seeds_free(&s);

	/* command-line URLs: prefix scope, non-page links are downloads */
	rc = crawl_seeds_add_url(&s, "http://127.0.0.1:8080/tree/", "cli", 5,
	    err, sizeof(err));
	is_int(rc, 0, "command-line URL");
	ok(crawl_vendor_is_download(&s.v[0], "http://127.0.0.1:8080/tree/a.bin"),
	    "non-page link is a download");
	ok(!crawl_vendor_is_download(&s.v[0], "http://127.0.0.1:8080/tree/d/"),
	    "directory is not");
	rc = crawl_seeds_add_url(&s, "gopher://x/", "cli", 5, err, sizeof(err));
	ok(rc != 0, "non-http URL refused: %s", err);
	crawl_seeds_free(&s);

	bad("[a]\nstart = http://x/\nfrobnicate = 3\n",
	    "t.seeds:3: unknown key 'frobnicate'");
	bad("start = http://x/\n", "t.seeds:1: 'start' before the first");
	bad("[a]\nstart = http://x/\ndepth = many\n", "t.seeds:3: depth must");
	bad("[a]\nstart = ftp://x/\n", "t.seeds:2: ftp://x/: not an http");
	{
		struct crawl_seeds m = { NULL, 0 };
		char e[512];

		rc = crawl_seeds_parse(&m, "m.seeds", "[deb]\nmanifest = "
		    "https://deb.example/debian/dists/stable/InRelease\n"
		    "manifest = https://deb.example/debian/dists/testing/Release\n"
		    "manifest-format = deb\nlisting-sample = 0\n", e, sizeof(e));
		ok(rc == 0 && m.n == 1 && m.v[0].nmanifests == 2 &&
		    m.v[0].nstarts == 0 && m.v[0].mformat == 1 &&
		    m.v[0].has_listing_sample && m.v[0].listing_sample == 0,
		    "a section of manifests only: two, format deb, sample 0 (%s)",
		    e);
		ok(rc == 0 && crawl_vendor_page_in_scope(&m.v[0],
		    "https://deb.example/debian/dists/stable/sub/"),
		    "  ... below a manifest's directory is in scope");
		crawl_seeds_free(&m);
	}
	bad("[a]\nstart = http://x/\ndownload-regex = ([a-\n",
	    "t.seeds:3: bad regular expression");
	bad("[a]\ndepth = 2\n[b]\nstart = http://x/\n",
	    "t.seeds:1: vendor 'a' has no start URL and no manifest");
	bad("[a]\nstart = http://x/\n[a]\n", "t.seeds:3: vendor 'a' defined twice");
	bad("[a]\nmanifest = ftp://x/Release\n", "t.seeds:2: ftp://x/Release: "
	    "not an http");
	bad("[a]\nmanifest = http://x/r\nmanifest-format = yum\n",
	    "t.seeds:3: manifest-format must be auto, deb");
	bad("[a]\nmanifest = http://x/r\nlisting-sample = often\n",
	    "t.seeds:3: listing-sample must be a number");
	bad("[a b]\n", "t.seeds:1: bad vendor name");
	bad("[a]\nstart = http://x/\nreject-regex = a++++++++\n",
	    "t.seeds:3: regular expression 'a++++++++': stacked quantifiers");
	bad("[a]\nstart = http://x/\nreject-regex = (a{9}){1000}\n",
	    "t.seeds:3: regular expression '(a{9}){1000}': repeat count");
	/* a '{' in a bracket expression once ended the check, and the
	 * stacked quantifiers after it took regcomp() to 2.2 GB (fuzz-seeds,
	 * 2026-12-08) */
	bad("[a]\nstart = http://x/\nreject-regex = [{o] tp++++++++\n",
	    "t.seeds:3: regular expression '[{o] tp++++++++': stacked "
	    "quantifiers");
	/* quantified groups nested in quantified groups: 2^15 copies */
	bad("[a]\nstart = http://x/\nreject-regex = "
	    "(((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+\n",
	    "would compile to more than 20000 nodes");
	bad("[a]\nstart = http://x/\nreject-regex = "
	    "((((((((((((((((((a))))))))))))))))))\n",
	    "groups nested more than 16 deep");
	{
		static const char *const fine[] = {
			"/(source|update|jsshell)/", "\\.(exe|msi)$",
			"[a{]+x", "a{2,5}b{3}c{1,100}", "[[:digit:]]{1,3}\\.",
			"(ab|cd)*(ef)?g+",
		};
		size_t k;

		for (k = 0; k < sizeof(fine) / sizeof(fine[0]); k++) {
			char *txt = fg_asprintf("[a]\nstart = http://x/\n"
			    "reject-regex = %s\n", fine[k]);

			struct crawl_seeds f = { NULL, 0 };

			rc = crawl_seeds_parse(&f, "t.seeds", txt, err,
			    sizeof(err));
			ok(rc == 0, "regular expression accepted: %s (%s)",
			    fine[k], rc ? err : "ok");
			crawl_seeds_free(&f);
			free(txt);
		}
	}
	bad("[a\n", "t.seeds:1: section header");
	bad("[a]\nstart = http://x/\njust words\n", "t.seeds:3: expected");
	bad("[a]\nstart =\n", "t.seeds:2: missing value for 'start'");
	bad("[a]\nstart = http://x/\nmin-size = lots\n", "t.seeds:3: min-size");
	bad("[a]\nstart = http://x/\ndelay = 2 hours\n", "t.seeds:3: delay");
	bad("[a]\nstart = http://x/\nscope = everywhere\n", "t.seeds:3: scope");
	bad("[a]\nstart = http://x/\nscope = regex\n",
	    "t.seeds:1: vendor 'a' has scope = regex but no scope-regex");
	bad("# nothing\n", "t.seeds: no [vendor] section");

	/* the shipped seed files */
	if (!srcdir)
		srcdir = ".";
	path = fg_asprintf("%s/seeds/vendors.seeds", srcdir);
	rc = crawl_seeds_load(&s, path, err, sizeof(err));
	is_int(rc, 0, "seeds/vendors.seeds parses");
	if (rc)
		diag("%s", err);
	ok(s.n >= 20, "at least 20 vendors (%zu)", s.n);
	{
		size_t i, hosts = 0, manifests = 0;

		for (i = 0; i < s.n; i++) {
			hosts += (s.v[i].nstarts > 0 || s.v[i].nmanifests > 0) &&
			    s.v[i].nhosts > 0;
			manifests += s.v[i].nmanifests;
		}
		is_int(hosts, s.n, "every vendor has a start URL or a manifest, "
		    "and a host");
		ok(manifests >= 8, "real vendors' manifests listed (%zu)",
		    manifests);
	}
	crawl_seeds_free(&s);
	free(path);
	path = fg_asprintf("%s/seeds/demo.seeds", srcdir);
	rc = crawl_seeds_load(&s, path, err, sizeof(err));
	is_int(rc, 0, "seeds/demo.seeds parses");
	if (rc)
		diag("%s", err);
	crawl_seeds_free(&s);
	free(path);
	rc = crawl_seeds_load(&s, "/nonexistent/x.seeds", err, sizeof(err));
	ok(rc != 0 && strstr(err, "/nonexistent/x.seeds: No such file"),
	    "missing file named: %s", err);
	curl_global_cleanup();
	return done_testing();
}
