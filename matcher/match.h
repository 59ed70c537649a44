/*
 * match.h - the matcher pipeline: flow records in, detections out.
 *
 *   flow_sink -> conn (connections) -> score (store lookup) -> report
 *                                   \-> group (range requests) -/
 *
 * The store is read through one read transaction that match_tick()
 * renews, so a long-running collector always sees what the crawler added
 * a moment ago and never pins old pages for long.
 */
#ifndef FLOWGRAB_MATCH_H
#define FLOWGRAB_MATCH_H

#include <stdint.h>

#include "conn.h"
#include "flow.h"
#include "payload.h"
#include "report.h"
#include "score.h"
#include "store.h"

struct match_options {
	struct conn_config conn;
	struct score_config score;
	struct payload_config payload;
	int ranges;                 /* look for parallel range requests */
	int64_t hold_ms;            /* wait this long for a server to be
	                               learned (0: report at once) */
	uint64_t max_detections;    /* stop after this many (0 = no limit) */
};

void match_options_default(struct match_options *o);

struct match_stats {
	uint64_t records, connections, evicted, looked_up, candidates;
	uint64_t detections, unmatched, groups, sampled_warned;
	uint64_t live;              /* connections in the table now */
	uint64_t observed;          /* transfers written as observed
	                               references (--observe) */
};

struct matcher;

/* @st stays owned by the caller; @rep receives every result. */
int match_new(const struct match_options *o, struct store *st,
    struct report *rep, struct matcher **out);
void match_free(struct matcher *m);

/*
 * Observe reference hosts (observe.h): their connections are written to
 * the store as observed references through @o, neither scored nor
 * reported.  @o stays owned by the caller and must outlive @m's last
 * match_flush().  Its batch is committed by match_tick() (when due), in
 * batch mode every few thousand records, and by match_flush(); the
 * snapshot is renewed after each commit, so that later connections are
 * compared with what was observed.
 */
struct observe;
void match_set_observe(struct matcher *m, struct observe *o);

/* A flow_sink: @arg is the matcher.  Returns non-zero once
 * max_detections is reached. */
int match_record(const struct flow_record *r, void *arg);

/* Expire connections as of @now_ms (0 = by record time) and renew the
 * store snapshot.  Returns 0 or a store error. */
int match_tick(struct matcher *m, int64_t now_ms);

/* End every connection (EOF or shutdown) and report them. */
void match_flush(struct matcher *m);

/* 1 once max_detections have been reported. */
int match_done(const struct matcher *m);

void match_get_stats(const struct matcher *m, struct match_stats *st);

/* Called with every result delivered to the report (detections, misses
 * and connections below --min-size), after the report has it; for the
 * metrics and the HTML report.  One observer; NULL removes it. */
typedef void (*match_observer)(const struct match_result *res, void *arg);
void match_set_observer(struct matcher *m, match_observer fn, void *arg);

/* The first store error met (a lookup or an observed reference's write),
 * 0 if none; it was logged when met. */
int match_store_error(const struct matcher *m);

/* The store snapshot the matcher reads now (store_txn_generation()). */
uint64_t match_store_generation(const struct matcher *m);

#endif
