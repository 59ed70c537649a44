/*
 * metrics.h - the counters a long-running flowgrab-matcher keeps about
 * itself, and their rendering in the Prometheus text exposition format
 * (version 0.0.4) and as a one-line log summary.
 *
 * Most numbers already live where they are made: the decoder's counters
 * (struct flow_input_stats), the collector's per-version counts, the
 * connection table's and the scorer's (match_get_stats()).  This module
 * keeps only what nothing else does: records by IP protocol, the lag
 * between a record's end time and its processing, and the distinct
 * servers whose overhead has been learned.  metrics_render() gathers the
 * rest when a scrape asks, so counting costs nothing between scrapes.
 *
 * Not thread-safe: the collector's poll loop counts and serves
 * (metrics-http.h), one thread.
 */
#ifndef FLOWGRAB_METRICS_H
#define FLOWGRAB_METRICS_H

#include <stdint.h>

#include "flow.h"
#include "score.h"
#include "util.h"

struct matcher;
struct flow_collector;

/* Upper bounds (seconds) of the lag histogram's buckets; +Inf follows. */
#define METRICS_LAG_BUCKETS 10
/* Distinct learned servers remembered; more are counted as overflow. */
#define METRICS_LEARNED_MAX 65536

enum metrics_proto {
	METRICS_PROTO_TCP = 0,
	METRICS_PROTO_UDP,
	METRICS_PROTO_ICMP,
	METRICS_PROTO_OTHER,
	METRICS_PROTOS
};

struct metrics {
	int64_t started_ms;                 /* Unix ms, for uptime */
	uint64_t records_by_proto[METRICS_PROTOS];
	/* lag = processing time - record end time, records with a time */
	uint64_t lag_bucket[METRICS_LAG_BUCKETS + 1]; /* not cumulative */
	uint64_t lag_count;
	double lag_sum_s;
	double lag_last_s;
	uint64_t results_by_status[3];      /* enum match_status */
	uint64_t low_confidence;            /* found, confidence < 0.9 */
	/* servers (family, address, port) seen with a learned overhead */
	struct metrics__srv *learned;       /* open addressing, LEARNED_MAX */
	uint64_t learned_servers;
	uint64_t learned_overflow;
};

/* Set @m up (allocates the learned-server set lazily). */
void metrics_init(struct metrics *m, int64_t now_ms);
void metrics_free(struct metrics *m);

/* Count one flow record processed at @now_ms (Unix ms). */
void metrics_record(struct metrics *m, const struct flow_record *r,
    int64_t now_ms);

/* Count one result the matcher delivered (match_set_observer()). */
void metrics_result(struct metrics *m, const struct match_result *res);

/*
 * Append every metric, in the Prometheus text format, to @b: @m, the
 * matcher @mt (connections, lookups, detections, store generation) and,
 * if not NULL, the collector @c (datagrams, records by version,
 * malformed by reason, templates per exporter).  Returns 0, or -1 when
 * @b's limit was reached (give it 1 MiB: the text is about 100 kB at
 * most, with FLOW_MAX_EXPORTERS exporters).
 */
int metrics_render(struct fg_buf *b, const struct metrics *m,
    const struct matcher *mt, const struct flow_collector *c,
    int64_t now_ms);

/* One line for the log: what changed since the counters were last
 * summarised is up to the reader; these are totals. */
void metrics_summary(char *buf, size_t len, const struct metrics *m,
    const struct matcher *mt, const struct flow_collector *c);

#endif
