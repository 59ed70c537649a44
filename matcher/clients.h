/*
 * clients.h - what the matcher learns about each client: how many bytes
 * its requests take beyond bare ACKs.
 *
 * That is the yardstick for loss: an ACK that carries a SACK block is 12
 * bytes longer, so a client's bytes beyond its usual request count the
 * ACKs that reported segments missing.  A typical request is only a guess
 * (curl asks in 90 bytes, a browser with cookies in 600); the smallest of
 * a client's recent connections, to plain and to TLS servers apart, is
 * measured.  Bounded: a fixed number of clients (the least recently used
 * of a probe sequence replaced), CLIENTS_RING connections each per kind.
 */
#ifndef FLOWGRAB_CLIENTS_H
#define FLOWGRAB_CLIENTS_H

#include <stdint.h>

#define CLIENTS_RING 8      /* connections remembered per client and kind */
#define CLIENTS_MIN 3       /* remembered before their smallest is used */

struct clients_table;

struct clients_table *clients_new(uint32_t max_clients);
void clients_free(struct clients_table *t);

/*
 * The usual request bytes of client @addr to TLS servers (@tls) or to
 * others: the smallest of its last CLIENTS_RING connections' and of
 * @extra (this connection's), or -1 while fewer than CLIENTS_MIN are
 * remembered.  With @remember set, @extra is remembered.
 */
int64_t clients_request(struct clients_table *t, uint8_t family,
    const uint8_t *addr, int tls, int64_t extra, int remember);

#endif
