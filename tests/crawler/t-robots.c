/*
 * t-robots.c - unit tests of crawler/robots.c against the examples of
 * RFC 9309 and the cases that differ between implementations, then the
 * conformance cases of tests/crawler/robots-rfc9309.txt (format described
 * there).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "robots.h"
#include "util.h"

static struct crawl_robots *p(const char *txt)
{
	return crawl_robots_parse(txt, strlen(txt), "flowgrab-crawler/0.1");
}

/* Undo the case file's escapes (\r \t \\ \xHH; \z sets *@nolf) in place;
 * returns the length. */
static size_t unescape(char *s, int *nolf)
{
	size_t i = 0, o = 0;

	*nolf = 0;
	while (s[i]) {
		if (s[i] != '\\' || !s[i + 1]) {
			s[o++] = s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'r': s[o++] = '\r'; i += 2; break;
		case 't': s[o++] = '\t'; i += 2; break;
		case 'z': *nolf = 1; i += 2; break;
		case 'x': {
			unsigned v;

			if (sscanf(s + i + 2, "%2x", &v) != 1)
				bail_out("bad \\x escape in %s", s);
			s[o++] = (char)v;
			i += 4;
			break;
		}
		default: s[o++] = s[i + 1]; i += 2; break;
		}
	}
	s[o] = '\0';
	return o;
}

/* Run the cases of @path; counts what agrees with the reference. */
static void conformance(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], name[256] = "";
	struct fg_buf text;
	struct crawl_robots *r = NULL;
	unsigned lineno = 0, checks = 0, agree = 0, differ = 0;

	if (!f)
		bail_out("%s: cannot open", path);
	fg_buf_init(&text, 1 << 20);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char agent[128], url[2048], want[16];
		const char *p, *why;
		int nolf, got, ref, expect;

		lineno++;
		while (n && (line[n - 1] == '\n'))
			line[--n] = '\0';
		if (line[0] == '@') {
			crawl_robots_free(r);
			r = NULL;
			fg_buf_free(&text);
			fg_buf_init(&text, 1 << 20);
			snprintf(name, sizeof(name), "%.200s", line + 2);
			continue;
		}
		if (line[0] == '>') {
			p = line[1] == ' ' ? line + 2 : line + 1;
			n = unescape((char *)p, &nolf);
			fg_buf_add(&text, p, n);
			if (!nolf)
				fg_buf_add(&text, "\n", 1);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "%127s %2047s %15s", agent, url, want) != 3 ||
		    (strcmp(want, "allow") != 0 && strcmp(want, "deny") != 0))
			bail_out("%s:%u: not a check: %s", path, lineno, line);
		unescape(url, &nolf);
		if (!r)
			r = crawl_robots_parse(text.data ? text.data : "", text.len,
			    agent);
		else {
			/* the agent may change between checks of one case */
			crawl_robots_free(r);
			r = crawl_robots_parse(text.data ? text.data : "", text.len,
			    agent);
		}
		p = strstr(url, "://");
		p = p ? p + 3 + strcspn(p + 3, "/") : url;
		if (!*p)
			p = "/";
		ref = strcmp(want, "allow") == 0;
		why = strstr(line, " differs: ");
		expect = why ? !ref : ref;
		got = crawl_robots_allowed(r, p);
		checks++;
		if (got == ref)
			agree++;
		else
			differ++;
		ok(got == expect, "%s: %s %s %s%s%s (%s:%u)", name, agent, p,
		    expect ? "allowed" : "disallowed", why ? "; reference: " : "",
		    why ? want : "", path, lineno);
	}
	fclose(f);
	crawl_robots_free(r);
	fg_buf_free(&text);
	ok(checks > 150, "%u conformance checks read", checks);
	diag("RFC 9309 conformance: %u of %u checks agree with the reference "
	    "parser's tests, %u differ on purpose", agree, checks, differ);
}

int main(void)
{
	struct crawl_robots *r;

	r = p("User-agent: *\nDisallow: /private/\n");
	ok(!crawl_robots_allowed(r, "/private/x.iso"), "star group disallows");
	ok(crawl_robots_allowed(r, "/public/x.iso"), "other paths allowed");
	ok(crawl_robots_allowed(r, "/robots.txt"), "robots.txt always allowed");
	crawl_robots_free(r);

	/* our own group replaces the star group entirely */
	r = p("User-agent: *\nDisallow: /\n\n"
	    "User-agent: FlowGrab-Crawler\nDisallow: /tmp/\n");
	ok(crawl_robots_allowed(r, "/pub/x"), "own group wins over *");
	ok(!crawl_robots_allowed(r, "/tmp/x"), "own group's rule applies");
	is_int(crawl_robots_nrules(r), 1, "only own group's rules kept");
	crawl_robots_free(r);

	/* groups with several user-agent lines; groups for us combined */
	r = p("user-agent: other\nuser-agent: flowgrab-crawler\n"
	    "disallow: /a\n\nuser-agent: flowgrab-crawler\ndisallow: /b\n");
	ok(!crawl_robots_allowed(r, "/a1"), "first group applies");
	ok(!crawl_robots_allowed(r, "/b1"), "second group combined");
	ok(crawl_robots_allowed(r, "/c"), "unlisted allowed");
	crawl_robots_free(r);

	/* longest match wins, allow wins a tie */
	r = p("User-agent: *\nDisallow: /pub/\nAllow: /pub/releases/\n"
	    "Disallow: /x\nAllow: /x\n");
	ok(crawl_robots_allowed(r, "/pub/releases/1.0/a.zip"), "longer allow wins");
	ok(!crawl_robots_allowed(r, "/pub/nightly/a.zip"), "shorter disallow");
	ok(crawl_robots_allowed(r, "/x"), "allow wins a tie");
	crawl_robots_free(r);

	/* wildcards and end anchor */
	r = p("User-agent: *\nDisallow: /*.php$\nDisallow: /*?sort=\n"
	    "Disallow: /fish*salmon\n");
	ok(!crawl_robots_allowed(r, "/index.php"), "*.php$ matches");
	ok(crawl_robots_allowed(r, "/index.php?x=1"), "$ anchors the end");
	ok(!crawl_robots_allowed(r, "/list?sort=name"), "* in the middle");
	ok(!crawl_robots_allowed(r, "/fish/and/salmon.html"), "fish*salmon");
	ok(crawl_robots_allowed(r, "/fish.html"), "fish alone allowed");
	crawl_robots_free(r);

	/* empty disallow, comments, CRLF, junk lines, percent-encoding */
	r = p("# hello\r\nUser-agent: * # all\r\nDisallow:\r\nthis is junk\r\n"
	    "Disallow: /%7Euser/\r\n");
	ok(crawl_robots_allowed(r, "/anything"), "empty disallow allows");
	ok(!crawl_robots_allowed(r, "/~user/x"), "%%7E matches ~");
	crawl_robots_free(r);

	/* no group for us, no star group: all allowed */
	r = p("User-agent: googlebot\nDisallow: /\n");
	ok(crawl_robots_allowed(r, "/x"), "other agent's rules ignored");
	crawl_robots_free(r);

	r = crawl_robots_allow_all();
	ok(crawl_robots_allowed(r, "/x"), "allow-all (4xx)");
	crawl_robots_free(r);
	r = crawl_robots_deny_all();
	ok(!crawl_robots_allowed(r, "/x"), "deny-all (5xx/unreachable)");
	ok(crawl_robots_allowed(r, "/robots.txt"), "deny-all still allows "
	    "robots.txt");
	crawl_robots_free(r);

	/* RFC 9309 2.2.4: a Sitemap or unknown line neither ends a group
	 * nor a run of user-agent lines (it errs toward allowing if it does) */
	r = p("User-agent: flowgrab-crawler\nSitemap: https://h.example/s.xml\n"
	    "User-agent: *\nDisallow: /\n");
	ok(!crawl_robots_allowed(r, "/x"), "Sitemap between user-agent lines: "
	    "both agents share the group");
	crawl_robots_free(r);
	r = p("User-agent: flowgrab-crawler\nCrawl-delay: 5\nX-Unknown: 1\n"
	    "User-agent: other\nDisallow: /a\nSitemap: /s.xml\nDisallow: /b\n");
	ok(!crawl_robots_allowed(r, "/a"), "unknown lines keep the agent run");
	ok(!crawl_robots_allowed(r, "/b"), "a Sitemap line does not end the group");
	crawl_robots_free(r);

	/* RFC 9309 2.2.2: non-ASCII octets of a pattern are percent-encoded
	 * before matching, as the crawler's URLs are */
	r = p("User-agent: *\nDisallow: /\xc3\xa1\nDisallow: /a b\n");
	ok(!crawl_robots_allowed(r, "/%C3%A1/x.iso"), "Disallow: /\\xc3\\xa1 "
	    "matches /%%C3%%A1");
	ok(!crawl_robots_allowed(r, "/%c3%a1"), "... and the lowercase escape");
	ok(!crawl_robots_allowed(r, "/a%20b"), "a space in a pattern is %%20");
	ok(crawl_robots_allowed(r, "/a"), "other paths allowed");
	crawl_robots_free(r);

	/* a UTF-8 byte order mark before the first line is skipped */
	r = p("\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n");
	ok(!crawl_robots_allowed(r, "/private/x"), "BOM skipped: first group "
	    "kept");
	crawl_robots_free(r);

	/* a pathological pattern stays fast */
	{
		char big[20000];
		size_t i;

		strcpy(big, "User-agent: *\nDisallow: /");
		for (i = strlen(big); i < sizeof(big) - 3; i += 2) {
			big[i] = 'a';
			big[i + 1] = '*';
		}
		big[i] = 'b';
		big[i + 1] = '\0';
		r = p(big);
		ok(crawl_robots_allowed(r, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaac"), "many stars: no match, no hang");
		crawl_robots_free(r);
	}

	{
		const char *src = getenv("FG_SRCDIR");
		char *path = fg_asprintf("%s/tests/crawler/robots-rfc9309.txt",
		    src ? src : ".");

		conformance(path);
		free(path);
	}
	return done_testing();
}
