/*
 * group.c - parallel range requests summed into one download (group.h).
 *
 * A small array is enough: only connections that matched nothing and are
 * big enough to be a part are kept, and only for keep_ms after they end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "util.h"

/*
 * Parts of one download run at the same time: their spans (first to last
 * packet) must intersect.  No slack: a meter's clock truncated to seconds
 * keeps intersecting spans intersecting, and with the 2 s of slack there
 * was before, two downloads one after the other (a flush download twice,
 * a browser's next file) were summed as one and named as a stored file
 * of twice the size (tests/matcher/observe.sh in CI, 2026-12-07).
 */

/* 512 pending keys in 65536 buckets: a connection finds its bucket empty,
 * and skips the scan, 99% of the time (with 4096 buckets it scanned the
 * whole ring for one connection in eight) */
#define GROUP_BUCKETS 65536

/* A ring: the newest connection overwrites the oldest; a 32-bit key of
 * (client, server, port) makes the scan for partners cheap. */
struct group_table {
	uint64_t min_part;
	int64_t keep_ms;
	int head;                       /* next slot to write */
	struct connection c[GROUP_PENDING];
	uint32_t key[GROUP_PENDING];
	uint8_t used[GROUP_PENDING];
	uint16_t live[GROUP_BUCKETS];   /* used entries per key bucket: most
	                                   connections have no partner, and
	                                   this says so without a scan */
};

static uint64_t mix(uint64_t h, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* a word at a time: every connection big enough to be a part is keyed */
static uint32_t pair_key(const struct connection *c)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ c->family ^
	    (uint64_t)c->server_port << 8;

	h = mix(h, c->client);
	h = mix(h, c->client + 8);
	h = mix(h, c->server);
	h = mix(h, c->server + 8);
	return (uint32_t)(h ^ h >> 32);
}

struct group_table *group_new(uint64_t min_part, int64_t keep_ms)
{
	struct group_table *g = fg_calloc(1, sizeof(*g));

	g->min_part = min_part;
	g->keep_ms = keep_ms;
	return g;
}

void group_free(struct group_table *g)
{
	free(g);
}

static int same_pair(const struct connection *a, const struct connection *b)
{
	return a->family == b->family && a->server_port == b->server_port &&
	    !memcmp(a->client, b->client, 16) &&
	    !memcmp(a->server, b->server, 16) &&
	    a->client_port != b->client_port;
}

static int overlap(const struct connection *a, const struct connection *b)
{
	return a->start_ms <= b->end_ms && b->start_ms <= a->end_ms;
}

static void drop(struct group_table *g, int i)
{
	if (g->used[i])
		g->live[g->key[i] % GROUP_BUCKETS]--;
	g->used[i] = 0;
}

/* pending connections considered together with a new one */
#define GROUP_CANDIDATES 8

static int try_subset(struct scorer *s, const struct connection *c,
    struct connection *pool, int npool, unsigned mask, int tries,
    struct match_result *best, unsigned *best_mask)
{
	struct connection parts[GROUP_MAX_PARTS];
	struct match_result res;
	int n = 0, i;

	for (i = 0; i < npool; i++)
		if (mask & (1u << i))
			parts[n++] = pool[i];
	parts[n++] = *c;
	if (score_group(s, parts, n, tries, &res) < 0) {
		match_result_clear(&res);
		return -1;
	}
	if (res.status == MATCH_FOUND &&
	    (best->status != MATCH_FOUND || res.confidence > best->confidence)) {
		match_result_clear(best);
		*best = res;
		*best_mask = mask;
		return 0;
	}
	match_result_clear(&res);
	return 0;
}

int group_offer(struct group_table *g, struct scorer *s,
    const struct connection *c, int64_t payload, int unmatched,
    struct match_result *res)
{
	struct connection pool[GROUP_CANDIDATES];
	int idx[GROUP_CANDIDATES];
	int n = 0, i, j, k, scan;
	unsigned best_mask = 0;
	uint32_t key;

	/* one that matched a file by itself is nobody's part */
	if (!unmatched || payload < 0 || (uint64_t)payload < g->min_part)
		return 0;
	/* the newest overlapping connections from this client to this
	 * server */
	key = pair_key(c);
	/* most connections have nobody to pair with: no scan then */
	scan = g->live[key % GROUP_BUCKETS] != 0;
	for (j = 1; scan && j <= GROUP_PENDING && n < GROUP_CANDIDATES; j++) {
		i = (g->head - j + GROUP_PENDING) % GROUP_PENDING;
		if (g->used[i] && g->key[i] == key &&
		    same_pair(&g->c[i], c) && overlap(&g->c[i], c)) {
			idx[n] = i;
			pool[n++] = g->c[i];
		}
	}
	if (n > 0) {
		/* Which of them are the other parts is unknown: try every
		 * set of one to three of them (at most 92 lookups), keep the
		 * best match. */
		int tries = n + n * (n - 1) / 2 + n * (n - 1) * (n - 2) / 6;

		memset(res, 0, sizeof(*res));
		for (i = 0; i < n; i++) {
			try_subset(s, c, pool, n, 1u << i, tries, res,
			    &best_mask);
			for (j = i + 1; j < n; j++) {
				try_subset(s, c, pool, n, 1u << i | 1u << j,
				    tries, res, &best_mask);
				for (k = j + 1; k < n; k++)
					try_subset(s, c, pool, n, 1u << i |
					    1u << j | 1u << k, tries, res,
					    &best_mask);
			}
		}
		if (res->status == MATCH_FOUND) {
			for (i = 0; i < n; i++)
				if (best_mask & (1u << i))
					drop(g, idx[i]);
			return 1;
		}
		match_result_clear(res);
		memset(res, 0, sizeof(*res));
	}
	i = g->head;
	g->head = (g->head + 1) % GROUP_PENDING;
	drop(g, i);
	g->c[i] = *c;
	g->key[i] = key;
	g->used[i] = 1;
	g->live[key % GROUP_BUCKETS]++;
	return 0;
}

void group_expire(struct group_table *g, int64_t now_ms)
{
	int i;

	for (i = 0; i < GROUP_PENDING; i++)
		if (g->used[i] && g->c[i].end_ms + g->keep_ms < now_ms)
			drop(g, i);
}
