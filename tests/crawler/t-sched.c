/*
 * t-sched.c - unit tests of the politeness scheduler with a clock of our
 * own: robots.txt first, per-host limit, delay, retry back-off, robots
 * rules applied when items leave the queue, 24-hour robots cache, notes
 * taken once a host.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../tap.h"
#include "crawl.h"
#include "robots.h"
#include "scheduler.h"
#include "util.h"

static unsigned denied;

static void on_denied(struct crawl_item *it, void *arg)
{
	(void)arg;
	denied++;
	free(it);
}

static struct crawl_item *item(const char *url)
{
	struct crawl_item *it = fg_calloc(1, sizeof(*it) + strlen(url) + 1);

	strcpy(it->url, url);
	it->kind = CRAWL_PROBE;
	return it;
}

int main(void)
{
	struct crawl_sched *s;
	struct crawl_item *a, *b, *r, *x;
	double wait;
	const char *robots = "User-agent: *\nDisallow: /private/\n";

	curl_global_init(CURL_GLOBAL_DEFAULT);
	s = crawl_sched_new("flowgrab-crawler", on_denied, NULL);
	crawl_sched_add(s, item("http://h.example/a.iso"), "http://h.example:80", 2,
	    1.0, 0);
	crawl_sched_add(s, item("http://h.example/b.iso"), "http://h.example:80", 2,
	    1.0, 0);
	crawl_sched_add(s, item("http://h.example/private/c.iso"),
	    "http://h.example:80", 2, 1.0, 0);
	crawl_sched_add(s, item("http://h.example/d.iso"), "http://h.example:80", 2,
	    1.0, 0);
	is_int(crawl_sched_queued(s), 4, "four queued");

	r = crawl_sched_next(s, 100.0, &wait);
	ok(r && r->kind == CRAWL_ROBOTS, "robots.txt comes first");
	is_str(r ? r->url : NULL, "http://h.example:80/robots.txt", "  ... its URL");
	x = crawl_sched_next(s, 100.0, &wait);
	ok(x == NULL, "nothing else of the host while robots.txt is fetched");
	crawl_sched_robots(s, r, crawl_robots_parse(robots, strlen(robots),
	    "flowgrab-crawler"), 100.0);

	a = crawl_sched_next(s, 100.5, &wait);
	ok(a == NULL, "delay 1 s after the robots.txt request");
	ok(wait > 0.49 && wait < 0.51, "  ... wait says when (%.2f)", wait);
	a = crawl_sched_next(s, 101.0, &wait);
	is_str(a ? a->url : NULL, "http://h.example/a.iso", "FIFO order");
	b = crawl_sched_next(s, 102.0, &wait);
	is_str(b ? b->url : NULL, "http://h.example/b.iso", "second after the delay");
	x = crawl_sched_next(s, 110.0, &wait);
	ok(x == NULL, "per-host 2: no third in flight");
	crawl_sched_done(s, a, 0);
	free(a);
	x = crawl_sched_next(s, 110.0, &wait);
	is_str(x ? x->url : NULL, "http://h.example/d.iso",
	    "disallowed item skipped when it leaves the queue");
	is_int(denied, 1, "  ... and handed to the denied callback");

	/* 429: back off until 200, retried first */
	crawl_sched_retry(s, x, 200.0);
	ok(crawl_sched_next(s, 150.0, &wait) == NULL, "host quiet during back-off");
	ok(wait > 49.9 && wait < 50.1, "  ... until Retry-After (%.1f)", wait);
	x = crawl_sched_next(s, 200.0, &wait);
	is_str(x ? x->url : NULL, "http://h.example/d.iso", "retried after it");
	crawl_sched_done(s, x, 0);
	free(x);
	crawl_sched_done(s, b, 0);
	free(b);

	/* another host is not held up by the first one's back-off */
	crawl_sched_add(s, item("http://h.example/e.iso"), "http://h.example:80", 2,
	    1.0, 0);
	x = crawl_sched_next(s, 300.0, &wait);
	is_str(x ? x->url : NULL, "http://h.example/e.iso", "e taken");
	if (!x)
		bail_out("no item");
	crawl_sched_retry(s, x, 1000.0);
	crawl_sched_add(s, item("http://g.example/z.iso"), "http://g.example:80", 1,
	    0, 0);
	r = crawl_sched_next(s, 300.0, &wait);
	ok(r && r->kind == CRAWL_ROBOTS && strstr(r->url, "g.example"),
	    "second host: its own robots.txt");
	crawl_sched_robots(s, r, crawl_robots_allow_all(), 300.0);
	x = crawl_sched_next(s, 300.0, &wait);
	is_str(x ? x->url : NULL, "http://g.example/z.iso",
	    "second host served while the first backs off");
	if (!x)
		bail_out("no item");

	/* report lines said once a host */
	is_str(crawl_sched_host_key(x), "http://g.example:80", "the host's key");
	ok(crawl_sched_first(s, x, CRAWL_NOTE_SIZE_LIES), "a note: first");
	ok(!crawl_sched_first(s, x, CRAWL_NOTE_SIZE_LIES), "  ... then not");
	ok(crawl_sched_first(s, x, CRAWL_NOTE_HEAD_HANGS),
	    "  ... another note of the same host: first");
	crawl_sched_done(s, x, 0);
	free(x);
	x = item("http://h.example/n.iso");
	crawl_sched_add(s, x, "http://h.example:80", 2, 1.0, 0);
	ok(crawl_sched_first(s, x, CRAWL_NOTE_SIZE_LIES),
	    "  ... the same note of another host: first");

	/* robots.txt is refetched after 24 hours */
	r = crawl_sched_next(s, 1000.0 + 86401, &wait);
	ok(r && r->kind == CRAWL_ROBOTS && strstr(r->url, "h.example"),
	    "robots.txt older than 24 h fetched again");
	if (r)
		crawl_sched_robots(s, r, crawl_robots_deny_all(), 1000.0 + 86401);
	x = crawl_sched_next(s, 1000.0 + 86402, &wait);
	ok(x == NULL, "deny-all: the rest of the host's queue is dropped");
	is_int(denied, 3, "  ... through the denied callback");
	is_int(crawl_sched_queued(s), 0, "queue empty");
	is_int(crawl_sched_hosts(s), 2, "two hosts known");
	crawl_sched_free(s);

	/* --ignore-robots: no robots item at all; politeness unchanged */
	s = crawl_sched_new(NULL, NULL, NULL);
	crawl_sched_add(s, item("http://h.example/a.iso"), "http://h.example:80", 1,
	    0, 0);
	x = crawl_sched_next(s, 1.0, &wait);
	ok(x && x->kind == CRAWL_PROBE, "without robots: the item at once");
	crawl_sched_done(s, x, 0);
	free(x);
	crawl_sched_free(s);
	curl_global_cleanup();
	return done_testing();
}
