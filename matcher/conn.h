/*
 * conn.h - the connection table: turns per-direction flow records into
 * whole TCP connections.
 *
 * Exporters send one record per direction, and cut long transfers into
 * several records (softflowd at maxlife and 2 GiB, routers at their active
 * timeout).  The table merges records of one 5-tuple that are adjacent in
 * time, pairs the two directions, and hands each connection to a callback
 * when it ends: FIN or RST seen in both directions (after a short grace for
 * stragglers), RST, an idle gap, eviction, or the final flush.
 *
 * Memory is flat: every slot is allocated when the table is made
 * (--max-connections); when all are busy the least recently updated
 * connection is evicted (and counted).  A slot is about 120 bytes.
 */
#ifndef FLOWGRAB_CONN_H
#define FLOWGRAB_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* connection.flags */
#define CONN_F_SAMPLED  0x01u /* some record came from a sampling exporter */
#define CONN_F_CLOSED   0x02u /* ended by FIN/RST (not by idle or flush) */
#define CONN_F_EVICTED  0x04u /* pushed out of a full table */
#define CONN_F_RST      0x08u /* a RST was seen */
#define CONN_F_ONEWAY   0x10u /* only one direction was ever seen */

/* TCP flag bits as flow records carry them */
#define CONN_TCP_FIN 0x01u
#define CONN_TCP_SYN 0x02u
#define CONN_TCP_RST 0x04u
#define CONN_TCP_ACK 0x10u

/*
 * A finished connection, oriented: the server is the side that sent more
 * bytes (the data direction of a download), the client the other one.
 */
struct connection {
	uint8_t family;             /* 4 or 6 */
	uint8_t flags;              /* CONN_F_* */
	uint8_t data_tcp_flags;     /* flags seen server -> client */
	uint8_t req_tcp_flags;      /* flags seen client -> server */
	uint8_t client[16], server[16];
	uint16_t client_port, server_port;
	uint64_t data_octets;       /* server -> client, IP bytes */
	uint64_t data_packets;
	uint64_t req_octets;        /* client -> server */
	uint64_t req_packets;
	int64_t start_ms, end_ms;
	uint32_t records;           /* flow records merged into it */
};

struct conn_config {
	uint32_t max_connections;   /* live slots (>= 16) */
	int64_t idle_ms;            /* end a connection after this quiet time */
	int64_t grace_ms;           /* wait after FIN/RST for late records */
};

struct conn_stats {
	uint64_t records;           /* records offered */
	uint64_t tcp_records;       /* ... of which TCP, merged */
	uint64_t connections;       /* connections handed to the callback */
	uint64_t evicted;           /* ... of which evicted from a full table */
	uint64_t live;              /* connections in the table now */
	uint64_t peak;              /* most live at once */
};

typedef void (*conn_done_fn)(const struct connection *c, void *arg);

struct conn_table;

/* Bytes conn_table_new() allocates per slot (for the benchmark). */
size_t conn_slot_bytes(void);

/* Make a table; @done is called for every finished connection. */
struct conn_table *conn_table_new(const struct conn_config *cfg,
    conn_done_fn done, void *arg);
void conn_table_free(struct conn_table *t);

/*
 * Merge one record.  Non-TCP records are counted and ignored.  May call
 * the callback (a connection pushed out, or an old one on a reused port).
 * Record times also advance the table's clock.
 */
void conn_add(struct conn_table *t, const struct flow_record *r);

/*
 * The same, a few records late: @r is merged once QUEUE (8) more have
 * been queued, or at conn_drain(), conn_expire() or conn_flush(), in
 * order.  Meanwhile its hash bucket and then its chain's first slot are
 * fetched into the cache: merging is mostly waiting for those two reads
 * in a table of a million connections, and this overlaps them
 * (bench/RESULTS.md).  conn_add() drains first, so the two mix.
 */
void conn_queue(struct conn_table *t, const struct flow_record *r);
void conn_drain(struct conn_table *t);

/*
 * End the connections that are idle or closed as of @now_ms (Unix ms; the
 * table uses the later of @now_ms and the newest record time, so batch
 * mode may pass 0).
 */
void conn_expire(struct conn_table *t, int64_t now_ms);

/* End every connection (EOF, shutdown). */
void conn_flush(struct conn_table *t);

void conn_get_stats(const struct conn_table *t, struct conn_stats *st);

#endif
