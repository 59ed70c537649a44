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

/* parts of one download start within this of each other */
#define GROUP_OVERLAP_MS 5000

struct group_table {
	uint64_t min_part;
	int64_t keep_ms;
	int n;
	struct connection c[GROUP_PENDING];
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
	g->n--;
}

int group_offer(struct group_table *g, struct scorer *s,
    const struct connection *c, int64_t payload, int try_group,
    struct match_result *res)
{
	struct connection parts[GROUP_MAX_PARTS];
	int idx[GROUP_MAX_PARTS];
	int n = 0, i;

	if (payload < 0 || (uint64_t)payload < g->min_part)
		return 0;
	for (i = 0; try_group && i < g->n && n < GROUP_MAX_PARTS - 1; i++)
		if (same_pair(&g->c[i], c) && overlap(&g->c[i], c)) {
			idx[n] = i;
			parts[n++] = g->c[i];
		}
	if (n > 0) {
		parts[n++] = *c;
		if (score_group(s, parts, n, res) == 0 &&
		    res->status == MATCH_FOUND) {
			for (i = n - 2; i >= 0; i--)
				drop(g, idx[i]);
			return 1;
		}
		match_result_clear(res);
		memset(res, 0, sizeof(*res));
	}
	if (g->n == GROUP_PENDING)
		drop(g, 0);
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
