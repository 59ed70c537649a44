/*
 * clients.c - per-client request sizes (see clients.h).
 *
 * A fixed-size table like profile.c's (addrtab.c), 120 bytes per client,
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
	uint8_t nloss, nextloss;    /* lossy downloads: remembered, position */
	/* ... the odds each was a stored file, and of those the share with
	 * segments counted twice, in 255ths */
	uint8_t stored[CLIENTS_LOSS_RING], twice[CLIENTS_LOSS_RING];
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

double clients_loss_p0(struct clients_table *t, uint8_t family,
    const uint8_t *addr, double prior, double weight)
{
	const struct client *c = addrtab_find(t->t, family, addr, 0, 0);
	double w = weight, once = weight * prior;
	int i;

	if (!c)
		return prior;
	for (i = 0; i < c->nloss; i++) {
		w += c->stored[i] / 255.0;
		once += c->stored[i] / 255.0 * (1 - c->twice[i] / 255.0);
	}
	return once / w;
}

static uint8_t share255(double x)
{
	return (uint8_t)(x <= 0 ? 0 : x >= 1 ? 255 : x * 255 + 0.5);
}

void clients_loss_seen(struct clients_table *t, uint8_t family,
    const uint8_t *addr, double stored, double twice)
{
	struct client *c = addrtab_find(t->t, family, addr, 0, 1);

	if (!c)
		return;
	c->stored[c->nextloss] = share255(stored);
	c->twice[c->nextloss] = share255(twice);
	c->nextloss = (uint8_t)((c->nextloss + 1) % CLIENTS_LOSS_RING);
	if (c->nloss < CLIENTS_LOSS_RING)
		c->nloss++;
}
