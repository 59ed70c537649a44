/*
 * addrtab.h - a fixed-size table of per-address entries, for what the
 * matcher learns about servers (profile.c) and clients (clients.c).
 *
 * Open addressing: a key (family, address, port) probes ADDRTAB_PROBE
 * slots; when none holds it, the empty or least recently used one of them
 * is cleared and taken.  All memory is allocated by addrtab_new(), so a
 * flood of new addresses replaces old entries and never grows the table.
 * Each entry begins with struct addrtab_key; the rest is the caller's.
 */
#ifndef FLOWGRAB_ADDRTAB_H
#define FLOWGRAB_ADDRTAB_H

#include <stddef.h>
#include <stdint.h>

#define ADDRTAB_PROBE 8

struct addrtab_key {
	uint8_t used, family;
	uint16_t port;
	uint64_t last_use;
	uint8_t addr[16];
};

struct addrtab;

/* A table of at least @min_entries (a power of two, at most 2^24) entries
 * of @entry_size bytes each, zeroed. */
struct addrtab *addrtab_new(uint32_t min_entries, size_t entry_size);
void addrtab_free(struct addrtab *t);

/* The entry of (@family, @addr, @port), or with @create a cleared one
 * taken for it (its key filled in); NULL if absent and not @create. */
void *addrtab_find(struct addrtab *t, uint8_t family, const uint8_t *addr,
    uint16_t port, int create);

#endif
