/*
 * addrtab.c - fixed-size per-address tables (see addrtab.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addrtab.h"
#include "util.h"

struct addrtab {
	uint32_t n;                 /* entries, a power of two */
	uint64_t tick;              /* use counter, for least recently used */
	size_t size;                /* bytes per entry */
	unsigned char *e;
};

struct addrtab *addrtab_new(uint32_t min_entries, size_t entry_size)
{
	struct addrtab *t = fg_calloc(1, sizeof(*t));

	t->n = 16;
	while (t->n < min_entries && t->n < (1u << 24))
		t->n <<= 1;
	t->size = entry_size;
	t->e = fg_calloc(t->n, entry_size);
	return t;
}

void addrtab_free(struct addrtab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static uint32_t hash_key(uint8_t family, const uint8_t *a, uint16_t port)
{
	uint32_t h = 2166136261u ^ family;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

void *addrtab_find(struct addrtab *t, uint8_t family, const uint8_t *addr,
    uint16_t port, int create)
{
	uint32_t h = hash_key(family, addr, port), i;
	struct addrtab_key *victim = NULL;

	for (i = 0; i < ADDRTAB_PROBE; i++) {
		struct addrtab_key *k = (struct addrtab_key *)(void *)
		    (t->e + (size_t)((h + i) & (t->n - 1)) * t->size);

		if (k->used && k->family == family && k->port == port &&
		    !memcmp(k->addr, addr, 16)) {
			k->last_use = ++t->tick;
			return k;
		}
		if (!victim || !k->used ||
		    (victim->used && k->last_use < victim->last_use))
			victim = k;
	}
	if (!create)
		return NULL;
	memset(victim, 0, t->size);
	victim->used = 1;
	victim->family = family;
	victim->port = port;
	memcpy(victim->addr, addr, 16);
	victim->last_use = ++t->tick;
	return victim;
}
