/*
 * clients.h - what the matcher learns about each client: how many bytes
 * its requests take beyond bare ACKs.
 *
 * That is the yardstick for loss: an ACK that carries a SACK block is 12
 * bytes longer, so a client's bytes beyond its usual request count the
 * ACKs that reported segments missing.  A typical request is only a guess
 * (curl asks in 90 bytes, a browser with cookies in 600); the smallest of
 * a client's recent connections, to plain and to TLS servers apart, is
 * measured.
 *
 * And where its losses fall: a segment lost before the flow meter is
 * counted once (in its second copy), one lost after it twice, so of the
 * downloads that report loss some carry whole segments more and some none,
 * in a share that depends on where the meter sits on the client's path
 * (a router that drops at its own egress queue counts twice what it
 * drops; losses upstream of it, once).  The share is learned from the
 * client's last CLIENTS_LOSS_RING such downloads, each weighted by its
 * odds of being a stored file.
 *
 * Bounded: a fixed number of clients (the least recently used of a probe
 * sequence replaced), CLIENTS_RING connections each per kind.
 */
#ifndef FLOWGRAB_CLIENTS_H
#define FLOWGRAB_CLIENTS_H

#include <stdint.h>

#define CLIENTS_RING 8      /* connections remembered per client and kind */
#define CLIENTS_MIN 3       /* remembered before their smallest is used */
#define CLIENTS_LOSS_RING 8 /* lossy downloads remembered per client */

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

/*
 * The share of client @addr's downloads with evidence of loss that carry
 * no segment counted twice: @prior, moved towards what its last
 * CLIENTS_LOSS_RING such downloads showed (weighted as @weight
 * downloads).  clients_loss_seen() remembers one: @stored, the odds that
 * it was a stored file at all, and @twice, the share of those odds with
 * segments counted twice (both in [0, 1]).
 */
double clients_loss_p0(struct clients_table *t, uint8_t family,
    const uint8_t *addr, double prior, double weight);
void clients_loss_seen(struct clients_table *t, uint8_t family,
    const uint8_t *addr, double stored, double twice);

#endif
