/*
 * t-robots.c - unit tests of crawler/robots.c against the examples of
 * RFC 9309 and the cases that differ between implementations.
 */
#include "config.h"

#include <string.h>

#include "../tap.h"
#include "robots.h"

static struct crawl_robots *p(const char *txt)
{
	return crawl_robots_parse(txt, strlen(txt), "flowgrab-crawler/0.1");
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
	return done_testing();
}
