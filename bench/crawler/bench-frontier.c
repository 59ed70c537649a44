/*
 * bench-frontier.c - memory per URL of the crawler's in-memory frontier:
 * N realistic download URLs go through the same structures a crawl uses
 * (one struct crawl_item each, queued in the politeness scheduler, hashed
 * into the seen set), and the growth of the resident set is divided by N.
 *
 *   bench-frontier [N]      (default 1000000)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawl.h"
#include "scheduler.h"
#include "seen.h"
#include "util.h"

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void drop(struct crawl_item *it, void *arg)
{
	(void)arg;
	free(it);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	unsigned long i;
	struct crawl_sched *s;
	struct crawl_seen *seen;
	long before, after_queue, after_drain;
	size_t urlbytes = 0;
	char url[256];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	s = crawl_sched_new(NULL, NULL, NULL);
	seen = crawl_seen_new();
	before = rss_bytes();
	for (i = 0; i < n; i++) {
		size_t len;
		struct crawl_item *it;

		/* ~75 bytes, like a real release URL; 40 hosts */
		len = (size_t)snprintf(url, sizeof(url),
		    "https://dl%lu.vendor.example/pub/product/%lu.%lu/"
		    "product-%lu.%lu-x86_64.tar.xz", i % 40, i / 1000, i % 1000,
		    i / 1000, i % 1000);
		urlbytes += len;
		it = fg_calloc(1, sizeof(*it) + len + 1);
		memcpy(it->url, url, len + 1);
		it->kind = CRAWL_PROBE;
		crawl_seen_add(seen, it->url);
		snprintf(url, sizeof(url), "https://dl%lu.vendor.example:443",
		    i % 40);
		crawl_sched_add(s, it, url, 4, 0, 0);
	}
	after_queue = rss_bytes();
	crawl_sched_drain(s, drop, NULL);
	after_drain = rss_bytes();
	printf("urls %lu, mean URL %.1f bytes\n", n, (double)urlbytes / n);
	printf("queued (item + seen set): %.1f bytes/URL, %.1f MiB in all\n",
	    (double)(after_queue - before) / n,
	    (after_queue - before) / 1048576.0);
	printf("seen set alone: %.1f bytes/URL (table %zu bytes)\n",
	    (double)crawl_seen_bytes(seen) / n, crawl_seen_bytes(seen));
	printf("rss after the queue drained: %.1f MiB\n",
	    after_drain / 1048576.0);
	crawl_seen_free(seen);
	crawl_sched_free(s);
	curl_global_cleanup();
	return 0;
}
