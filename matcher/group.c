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

/* parts of one download run at the same time, give or take this */
#define GROUP_OVERLAP_MS 2000

struct group_table {
	uint64_t min_part;
	int64_t keep_ms;
	int n;
	struct connection c[GROUP_PENDING];
	uint8_t matched[GROUP_PENDING]; /* it matched a file by itself */
};

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
	return a->start_ms <= b->end_ms + GROUP_OVERLAP_MS &&
	    b->start_ms <= a->end_ms + GROUP_OVERLAP_MS;
}

static void drop(struct group_table *g, int i)
{
	memmove(&g->c[i], &g->c[i + 1], (size_t)(g->n - i - 1) *
	    sizeof(g->c[0]));
	memmove(&g->matched[i], &g->matched[i + 1], (size_t)(g->n - i - 1));
	g->n--;
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
    const struct connection *c, int64_t payload, int try_group,
    struct match_result *res)
{
	struct connection pool[GROUP_CANDIDATES];
	int idx[GROUP_CANDIDATES];
	int n = 0, i, j, k;
	unsigned best_mask = 0;

	if (payload < 0 || (uint64_t)payload < g->min_part)
		return 0;
	/* the newest overlapping connections from this client to this
	 * server */
	for (i = g->n - 1; try_group && i >= 0 && n < GROUP_CANDIDATES; i--)
		if (!g->matched[i] && same_pair(&g->c[i], c) &&
		    overlap(&g->c[i], c)) {
			idx[n] = i;
			pool[n++] = g->c[i];
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
			/* idx[] is in descending order: drop from the top */
			for (i = 0; i < n; i++)
				if (best_mask & (1u << i))
					drop(g, idx[i]);
			return 1;
		}
		match_result_clear(res);
		memset(res, 0, sizeof(*res));
	}
	if (g->n == GROUP_PENDING)
		drop(g, 0);
	g->matched[g->n] = !try_group;
	g->c[g->n++] = *c;
	return 0;
}

void group_expire(struct group_table *g, int64_t now_ms)
{
	int i = 0;

	while (i < g->n) {
		if (g->c[i].end_ms + g->keep_ms < now_ms)
			drop(g, i);
		else
			i++;
	}
}
