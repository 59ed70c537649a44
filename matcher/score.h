/*
 * score.h - looking a connection's payload up in the store and scoring the
 * candidates.
 *
 * One store_range() per connection above --min-size.  Each candidate's
 * likelihood combines: how far its implied overhead is from what the
 * server is known (profile.h) or expected to add, in units of the expected
 * error; whole retransmitted or lost segments, with a prior that falls
 * with their number; whether the crawler saw this server address serving
 * it; and time (a file modified after the download cannot be it).  The
 * confidence is the best candidate's share of all likelihoods plus a
 * "something not in the store" hypothesis, so rivals in the window and a
 * poor fit both lower it.
 */
#ifndef FLOWGRAB_SCORE_H
#define FLOWGRAB_SCORE_H

#include <stdint.h>

#include "conn.h"
#include "payload.h"
#include "store.h"

#define MATCH_MAX_RIVALS 4

struct score_config {
	uint64_t min_size;          /* smallest payload looked up */
	double min_confidence;      /* reported as found at or above this */
	double null_weight;         /* prior odds of "not in the store" */
	uint32_t max_scan;          /* candidates decoded per lookup */
	uint32_t profiles;          /* servers remembered */
	int learn;                  /* use per-server profiles */
};

void score_config_default(struct score_config *cfg);

/* The term of the model (model.h) that carried a candidate's best fit. */
enum match_fit {
	MATCH_FIT_HEADER = 0,       /* the server's overhead (and k segments) */
	MATCH_FIT_RESEND = 1,       /* ... plus a short segment sent again */
	MATCH_FIT_EXTRA = 2,        /* ... plus bytes nothing explains */
	MATCH_FIT_FLOOR = 3,        /* an unlearned server's plausible range */
	MATCH_FIT_OBSERVED = 4,     /* an observed reference's counters
	                               (model_observed_like()) */
};


struct match_candidate {
	char *url, *file, *vendor;  /* owned (copied out of the store) */
	char *label;                /* an observed reference's, else NULL */
	uint8_t source;             /* enum store_source */
	uint64_t size;
	int64_t overhead;           /* payload - size - TLS records */
	int32_t segments;           /* whole segments extra (+) or lost (-) */
	int32_t residue;            /* bytes beyond the expected overhead
	                               and the segments */
	uint8_t fit;                /* enum match_fit */
	int server_match;           /* 1 seen, 0 unknown, -1 other addrs */
	double like;
};

enum match_status {
	MATCH_SMALL = 0,            /* below --min-size, not looked up */
	MATCH_NONE = 1,             /* no candidate fits */
	MATCH_FOUND = 2,
};

/*
 * What the top candidates share when they are one release: the same
 * product and version (store/product.h), told apart only by locale,
 * platform or file (the .exe and the .msi of one build).  @members is 0
 * when the best has no such rivals.
 */
struct match_release {
	int members;                /* candidates of the release, best included */
	double confidence;          /* their summed posterior */
	char product[64], version[48];
	char platform[32], locale[24];  /* "" where the members differ */
	const char *differ;         /* "locale", "platform" or "file" */
	int reported;               /* no one file reaches --min-confidence,
	                               the release does: reported as such */
};

struct match_result {
	struct connection conn;
	struct payload_estimate est;
	enum match_status status;
	int parts;                  /* connections summed (range requests) */
	int learned;                /* overhead taken from the server profile */
	int64_t est_size;           /* size estimate used for delta */
	uint32_t window;            /* downloads in the size window */
	uint32_t plausible;         /* ... of which with a real likelihood */
	double confidence;
	struct match_candidate best;
	int nrivals;
	struct match_candidate rivals[MATCH_MAX_RIVALS];
	struct match_release release;
};


struct score_stats {
	uint64_t looked_up, candidates, found, unmatched, lookup_errors;
};

struct scorer;

struct scorer *scorer_new(const struct score_config *cfg,
    const struct payload_config *pcfg);
void scorer_free(struct scorer *s);

/* The read transaction lookups use; the caller renews it. */
void scorer_set_txn(struct scorer *s, struct store_txn *txn);

/*
 * Score @c into @res (free with match_result_clear()).  Returns 0 or a
 * store error (then @res->status is MATCH_NONE).
 */
int score_connection(struct scorer *s, const struct connection *c,
    struct match_result *res);

/*
 * Score a group of connections from one client to one server that ran at
 * the same time, as parallel range requests for one file: their payloads
 * are summed and each part carries its own response header.  @tries is
 * how many such sums the caller tries for this connection: each is one
 * more chance to fit a file by accident, so the "not in the store"
 * hypothesis weighs that much more.
 */
/*
 * Score @c again, later (see match.c, held connections): as
 * score_connection(), but its candidates do not vote for the server's
 * overhead a second time.
 */
int score_again(struct scorer *s, const struct connection *c,
    struct match_result *res);

int score_group(struct scorer *s, const struct connection *parts, int n,
    int tries, struct match_result *res);

void match_result_clear(struct match_result *res);
void score_get_stats(const struct scorer *s, struct score_stats *st);

#endif
