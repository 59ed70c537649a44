/*
 * clients.c - per-client request sizes (see clients.h).
 *
 * A fixed-size table like profile.c's (addrtab.c), 104 bytes per client,
 * all allocated by clients_new().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addrtab.h"
#include "clients.h"
#include "util.h"

struct client {
	struct addrtab_key key;     /* first: the table's */
	uint8_t n[2], next[2];      /* per kind: remembered, ring position */
	int32_t ring[2][CLIENTS_RING];
};

struct clients_table {
	struct addrtab *t;
};

struct clients_table *clients_new(uint32_t max_clients)
{
	struct clients_table *t = fg_calloc(1, sizeof(*t));

	t->t = addrtab_new(max_clients, sizeof(struct client));
	return t;
}

void clients_free(struct clients_table *t)
{
	if (!t)
		return;
	addrtab_free(t->t);
	free(t);
}

int64_t clients_request(struct clients_table *t, uint8_t family,
    const uint8_t *addr, int tls, int64_t extra, int remember)
{
	struct client *c = addrtab_find(t->t, family, addr, 0, remember);
	int k = tls ? 1 : 0, i, known;
	int64_t least = extra;

	if (!c)
		return -1;
	known = c->n[k];
	for (i = 0; i < c->n[k]; i++)
		if (c->ring[k][i] < least)
			least = c->ring[k][i];
	if (remember) {
		if (extra < INT32_MIN)
			extra = INT32_MIN;
		if (extra > INT32_MAX)
			extra = INT32_MAX;
		c->ring[k][c->next[k]] = (int32_t)extra;
		c->next[k] = (uint8_t)((c->next[k] + 1) % CLIENTS_RING);
		if (c->n[k] < CLIENTS_RING)
			c->n[k]++;
	}
	return known >= CLIENTS_MIN ? least : -1;
}
