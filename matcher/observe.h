/*
 * observe.h - observed references (flowgrab-matcher --observe ADDR
 * --label TEXT): every large transfer that a reference host (a honeypot,
 * a lab machine with a known software configuration) receives is written
 * to the store as a reference of source "observed", HTTPS included and
 * whether or not any page links it.  Later connections of other hosts are
 * compared with its raw counters (score.c, model_observed_like()).
 *
 * Writing: one write transaction holds the references of a batch; it is
 * committed every OBSERVE_BATCH references, OBSERVE_BATCH_MS after its
 * first one (collector mode: observe_tick()), and at the end.  A transfer
 * seen again (same server address and port, payload within
 * OBSERVE_SAME_BYTES) updates its reference: one reference, not two.
 * docs/store.md ("Observed references") has the record and its key.
 */
#ifndef FLOWGRAB_OBSERVE_H
#define FLOWGRAB_OBSERVE_H

#include <stdint.h>

#include "conn.h"
#include "payload.h"
#include "store.h"

#define OBSERVE_MAX_ADDRS 64
#define OBSERVE_BATCH 256
#define OBSERVE_BATCH_MS 2000
#define OBSERVE_SAME_BYTES 16

struct observe;

struct observe_stats {
	uint64_t observed;          /* transfers of reference hosts seen */
	uint64_t written;           /* ... written as new references */
	uint64_t updated;           /* ... that updated one (seen again) */
	uint64_t small;             /* ... below --min-size, not written */
	uint64_t commits;
};

/*
 * Observe the hosts in @list ("ADDR[,ADDR...]", IPv4 or IPv6), labelling
 * their transfers @label (copied, at most STORE_FIELD_MAX bytes).  @st
 * must be open for writing.  NULL with a message in @err on a bad list or
 * label.
 */
struct observe *observe_new(struct store *st, const char *list,
    const char *label, const struct payload_config *pcfg, uint64_t min_size,
    char *err, size_t errlen);

/* Commit what is pending (see observe_flush()) and free; NULL is fine. */
void observe_free(struct observe *o);

/* 1 if @c's client is one of the observed hosts. */
int observe_is_reference(const struct observe *o, const struct connection *c);

/*
 * Write @c (a connection of an observed host) as a reference, in the
 * pending batch: 1 written or updated, 0 too small or carrying nothing,
 * or a store error.
 */
int observe_record(struct observe *o, const struct connection *c);

/* Commit the batch if it is due as of @now_ms (wall clock; 0: batch
 * mode, by count only).  1 committed, 0 nothing due, or a store error. */
int observe_tick(struct observe *o, int64_t now_ms);

/* Commit the pending batch, if any.  1 committed, 0 nothing pending, or
 * a store error (the batch is then lost). */
int observe_flush(struct observe *o);

void observe_get_stats(const struct observe *o, struct observe_stats *st);

/*
 * The connection an observed reference's counters describe (@d->has_obs;
 * its family from its first address, IPv4 if it has none), so that
 * payload_estimate() measures it as it measures any connection.
 * 0, or -1 if @d is no observed reference.
 */
int observe_ref_connection(const struct store_download *d,
    struct connection *c);

/* 1 if the two estimates saw the same path: the same per-packet header,
 * segment size and TCP timestamps. */
int observe_same_path(const struct payload_estimate *a,
    const struct payload_estimate *b);

#endif
