/*
 * profile.c - per-server overhead votes (see profile.h).
 *
 * Open-addressed table of servers with a fixed number of entries; when a
 * probe sequence is full the least recently used entry of it is replaced,
 * so memory is fixed at profile_new() time (about 2.2 KB per server).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "util.h"

#define PROBE 8

struct conn_votes {
	int64_t payload;
	uint8_t n;
	uint8_t tag[PROFILE_VOTES];
	int32_t o[PROFILE_VOTES];
};

struct server_profile {
	uint8_t used, family;
	uint16_t port;
	uint8_t addr[16];
	uint32_t next;              /* ring position */
	uint32_t count;             /* connections remembered (<= RING) */
	uint64_t last_use;
	/* profile_mode() result, valid until the next profile_add() */
	uint8_t mode_valid, mode_tag;
	int mode_support, mode_runner_up;
	/* the last overhead the caller accepted (profile_keep()) */
	uint8_t kept_valid, kept_tag;
	double kept;
	int64_t mode_tol;
	double mode;
	struct conn_votes ring[PROFILE_RING];
};

struct profile_table {
	uint32_t n;                 /* power of two */
	uint64_t tick;
	struct server_profile *e;
};

struct profile_table *profile_new(uint32_t max_servers)
{
	struct profile_table *p = fg_calloc(1, sizeof(*p));

	p->n = 16;
	while (p->n < max_servers && p->n < (1u << 24))
		p->n <<= 1;
	p->e = fg_calloc(p->n, sizeof(*p->e));
	return p;
}

void profile_free(struct profile_table *p)
{
	if (!p)
		return;
	free(p->e);
	free(p);
}

static uint32_t hash_server(uint8_t family, const uint8_t *a, uint16_t port)
{
	uint32_t h = 2166136261u ^ family;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

static struct server_profile *lookup(struct profile_table *p, uint8_t family,
    const uint8_t *a, uint16_t port, int create)
{
	uint32_t h = hash_server(family, a, port), i;
	struct server_profile *victim = NULL;

	for (i = 0; i < PROBE; i++) {
		struct server_profile *s = &p->e[(h + i) & (p->n - 1)];

		if (s->used && s->family == family && s->port == port &&
		    !memcmp(s->addr, a, 16)) {
			s->last_use = ++p->tick;
			return s;
		}
		if (!victim || !s->used ||
		    (victim->used && s->last_use < victim->last_use))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = 1;
	victim->family = family;
	victim->port = port;
	memcpy(victim->addr, a, 16);
	victim->last_use = ++p->tick;
	return victim;
}

int profile_support(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t payload, int64_t overhead,
    uint8_t tag, int64_t tol, double *mean)
{
	struct server_profile *s = lookup(p, family, server, port, 0);
	uint32_t i;
	int support = 0, j;
	double sum = 0;

	*mean = (double)overhead;
	if (!s)
		return 0;
	for (i = 0; i < s->count; i++) {
		const struct conn_votes *v = &s->ring[i];
		int64_t d = v->payload - payload;

		/* the same payload again: a repeat of the same file proves
		 * nothing about which candidate it is */
		if (d <= tol && d >= -tol)
			continue;
		for (j = 0; j < v->n; j++) {
			int64_t x = v->o[j] - overhead;

			if (v->tag[j] == tag && x <= tol && x >= -tol) {
				support++;
				sum += v->o[j];
				break;
			}
		}
	}
	if (support)
		*mean = sum / support;
	return support;
}

struct vote {
	int32_t o;
	uint8_t tag;
	uint8_t conn;
};

static int cmp_vote(const void *a, const void *b)
{
	const struct vote *x = a, *y = b;

	if (x->tag != y->tag)
		return (int)x->tag - (int)y->tag;
	return x->o < y->o ? -1 : x->o > y->o;
}

static int popcount16(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/*
 * Sort every vote by (tag, overhead) and slide a window of 2 x tol over
 * them, counting distinct connections in it: O(v log v) for v votes.
 */
static void compute_mode(struct server_profile *s, int64_t tol)
{
	static struct vote v[PROFILE_RING * PROFILE_VOTES];
	int n = 0, i, lo = 0, j;
	uint32_t c;

	s->mode_valid = 1;
	s->mode_tol = tol;
	s->mode_support = 0;
	s->mode = 0;
	s->mode_tag = 0;
	for (c = 0; c < s->count; c++)
		for (j = 0; j < s->ring[c].n; j++) {
			v[n].o = s->ring[c].o[j];
			v[n].tag = s->ring[c].tag[j];
			v[n++].conn = (uint8_t)c;
		}
	qsort(v, (size_t)n, sizeof(v[0]), cmp_vote);
	for (i = 0; i < n; i++) {
		uint32_t mask = 0;
		double sum = 0;
		int k, cnt = 0, sup;

		while (v[lo].tag != v[i].tag ||
		    (int64_t)v[i].o - v[lo].o > 2 * tol)
			lo++;
		for (k = lo; k <= i; k++) {
			if (!(mask & (1u << v[k].conn)))
				sum += v[k].o, cnt++;
			mask |= 1u << v[k].conn;
		}
		sup = popcount16(mask);
		if (sup > s->mode_support) {
			s->mode_support = sup;
			s->mode = sum / cnt;
			s->mode_tag = v[i].tag;
		}
	}
	/* The best window that does not overlap the mode: in a dense store
	 * a few connections agree on some wrong value by chance, and the
	 * mode means something only if it clearly beats such values. */
	s->mode_runner_up = 0;
	lo = 0;
	for (i = 0; i < n; i++) {
		uint32_t mask = 0;
		int k;

		while (v[lo].tag != v[i].tag ||
		    (int64_t)v[i].o - v[lo].o > 2 * tol)
			lo++;
		if (v[i].tag == s->mode_tag &&
		    v[i].o >= s->mode - 3 * tol && v[lo].o <= s->mode + 3 * tol)
			continue;
		for (k = lo; k <= i; k++)
			mask |= 1u << v[k].conn;
		if (popcount16(mask) > s->mode_runner_up)
			s->mode_runner_up = popcount16(mask);
	}
}

int profile_mode(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t tol, double *mode,
    uint8_t *tag, int *support, int *runner_up, int *count)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	*support = *count = *runner_up = 0;
	if (!s)
		return -1;
	if (!s->mode_valid || s->mode_tol != tol)
		compute_mode(s, tol);
	*mode = s->mode;
	*tag = s->mode_tag;
	*support = s->mode_support;
	*runner_up = s->mode_runner_up;
	*count = (int)s->count;
	return 0;
}

void profile_add(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t payload,
    const int32_t *overheads, const uint8_t *tags, int n)
{
	struct server_profile *s = lookup(p, family, server, port, 1);
	struct conn_votes *v = NULL;
	uint32_t i;

	for (i = 0; i < s->count; i++)
		if (s->ring[i].payload - payload <= 64 &&
		    payload - s->ring[i].payload <= 64)
			v = &s->ring[i];
	if (!v) {
		v = &s->ring[s->next];
		s->next = (s->next + 1) % PROFILE_RING;
		if (s->count < PROFILE_RING)
			s->count++;
	}
	if (n > PROFILE_VOTES)
		n = PROFILE_VOTES;
	v->payload = payload;
	v->n = (uint8_t)n;
	memcpy(v->o, overheads, (size_t)n * sizeof(*overheads));
	memcpy(v->tag, tags, (size_t)n);
	s->mode_valid = 0;
}

void profile_keep(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, double mode, uint8_t tag)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	if (!s)
		return;
	s->kept_valid = 1;
	s->kept = mode;
	s->kept_tag = tag;
}

int profile_kept(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, double *mode, uint8_t *tag)
{
	struct server_profile *s = lookup(p, family, server, port, 0);

	if (!s || !s->kept_valid)
		return -1;
	*mode = s->kept;
	*tag = s->kept_tag;
	return 0;
}
