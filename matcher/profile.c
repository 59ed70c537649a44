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

void profile_add(struct profile_table *p, uint8_t family,
    const uint8_t *server, uint16_t port, int64_t payload,
    const int32_t *overheads, const uint8_t *tags, int n)
{
	struct server_profile *s = lookup(p, family, server, port, 1);
	struct conn_votes *v = &s->ring[s->next];

	if (n > PROFILE_VOTES)
		n = PROFILE_VOTES;
	v->payload = payload;
	v->n = (uint8_t)n;
	memcpy(v->o, overheads, (size_t)n * sizeof(*overheads));
	memcpy(v->tag, tags, (size_t)n);
	s->next = (s->next + 1) % PROFILE_RING;
	if (s->count < PROFILE_RING)
		s->count++;
}
