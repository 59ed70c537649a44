/*
 * match.c - the matcher pipeline (see match.h): wires the connection
 * table's output to scoring, range-request grouping and the report, and
 * keeps the store snapshot fresh.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "match.h"
#include "observe.h"
#include "util.h"

/* records between two expiry passes in batch mode */
#define TICK_RECORDS 4096
/* connections waiting for their server's overhead to be learned */
#define HOLD_MAX 4096
/* ... whose confidence was below this (or --min-confidence) */
#define HOLD_BELOW 0.5

/*
 * A connection scored before its server's overhead was learned: a ring,
 * oldest first.  Released (scored again) when a later connection shows
 * the server learned, when it has waited hold_ms, when the ring is full,
 * and at the end.
 */
struct held {
	struct connection c;
	int64_t since_ms;           /* wall clock when held (collector) */
	uint8_t used;
};

struct matcher {
	struct match_options o;
	struct store *st;
	struct store_txn *txn;
	struct report *rep;
	struct conn_table *conns;
	struct scorer *scorer;
	struct group_table *groups;
	uint64_t since_tick;
	int warned_sampled;
	struct match_stats stats;
	int store_error;
	struct held *held;          /* HOLD_MAX, allocated on first use */
	uint32_t held_head, held_span; /* ring: first slot, slots in use or
	                                  released in the middle */
	uint32_t held_n;            /* entries held */
	int64_t wall_ms;            /* last match_tick() time, 0 in batch */
	match_observer observer;    /* metrics, HTML report */
	void *observer_arg;
	struct observe *observe;    /* --observe, or NULL */
};

void match_options_default(struct match_options *o)
{
	memset(o, 0, sizeof(*o));
	o->conn.max_connections = 1000000;
	o->conn.idle_ms = 300 * 1000;
	o->conn.grace_ms = 2000;
	score_config_default(&o->score);
	payload_config_default(&o->payload);
	o->ranges = 1;
	o->hold_ms = 300 * 1000;
}

static void deliver(struct matcher *m, struct match_result *res)
{
	if (res->status == MATCH_FOUND) {
		if (m->o.max_detections &&
		    m->stats.detections >= m->o.max_detections)
			return;
		m->stats.detections++;
		if (res->parts > 1)
			m->stats.groups++;
	} else if (res->status == MATCH_NONE) {
		m->stats.unmatched++;
	}
	report_result(m->rep, res);
	if (m->observer)
		m->observer(res, m->observer_arg);
}

static void store_failed(struct matcher *m, int rc)
{
	if (rc < 0 && !m->store_error) {
		fg_error("store %s: %s", store_path(m->st), store_strerror(rc));
		m->store_error = rc;
	}
}

/* A connection's result is final: look for range parts, report. */
static void complete(struct matcher *m, const struct connection *c,
    struct match_result *res)
{
	if (c->flags & CONN_F_SAMPLED)
		res->confidence *= 0.5;
	if (m->o.ranges && c->data_packets) {
		struct match_result g;

		if (group_offer(m->groups, m->scorer, c, res->est.payload,
		    res->status != MATCH_FOUND, &g)) {
			deliver(m, &g);
			match_result_clear(&g);
		}
	}
	deliver(m, res);
	match_result_clear(res);
}

/* Score held entry @i again, as things are now, and report it. */
static void release(struct matcher *m, uint32_t i)
{
	struct held *h = &m->held[i];
	struct match_result res;

	h->used = 0;
	m->held_n--;
	store_failed(m, score_again(m->scorer, &h->c, &res));
	complete(m, &h->c, &res);
}

/* The oldest slot of the ring out: released if still held. */
static void pop_oldest(struct matcher *m)
{
	if (m->held[m->held_head].used)
		release(m, m->held_head);
	m->held_head = (m->held_head + 1) % HOLD_MAX;
	m->held_span--;
}

/* Release what has waited long enough (@all: everything), oldest first:
 * hold_ms of flow time, or of wall time in a collector. */
static void release_due(struct matcher *m, int64_t flow_ms, int all)
{
	while (m->held_span) {
		const struct held *h = &m->held[m->held_head];

		if (h->used && !all && h->c.end_ms + m->o.hold_ms > flow_ms &&
		    (!m->wall_ms || !h->since_ms ||
		    h->since_ms + m->o.hold_ms > m->wall_ms))
			break;
		pop_oldest(m);
	}
}

/* The server of @c is learned now: its held connections go first. */
static void release_server(struct matcher *m, const struct connection *c)
{
	uint32_t k, i;

	for (k = 0; k < m->held_span && m->held_n; k++) {
		i = (m->held_head + k) % HOLD_MAX;
		if (m->held[i].used && m->held[i].c.family == c->family &&
		    m->held[i].c.server_port == c->server_port &&
		    !memcmp(m->held[i].c.server, c->server, 16))
			release(m, i);
	}
}

static void hold(struct matcher *m, const struct connection *c)
{
	uint32_t i;

	if (!m->held)
		m->held = fg_calloc(HOLD_MAX, sizeof(*m->held));
	/* full: the oldest go out as they are now */
	while (m->held_span == HOLD_MAX)
		pop_oldest(m);
	i = (m->held_head + m->held_span++) % HOLD_MAX;
	m->held[i].c = *c;
	m->held[i].since_ms = m->wall_ms;
	m->held[i].used = 1;
	m->held_n++;
}

static void on_connection(const struct connection *c, void *arg)
{
	struct matcher *m = arg;
	struct match_result res;

	if ((c->flags & CONN_F_SAMPLED) && !m->warned_sampled) {
		/* byte counts of a sampling exporter are scaled guesses */
		fg_warn("flows from a sampling exporter: their byte counts "
		    "cannot match file sizes; such detections are unreliable");
		m->warned_sampled = 1;
	}
	if (m->observe && observe_is_reference(m->observe, c)) {
		int rc = observe_record(m->observe, c);

		store_failed(m, rc);
		if (rc > 0)
			m->stats.observed++;
		return;
	}
	if (m->held_span)
		release_due(m, c->end_ms, 0);
	store_failed(m, score_connection(m->scorer, c, &res));
	/*
	 * Before a server's overhead is learned its connections are scored
	 * with a wide tolerance.  A detection is reported at once; a
	 * connection that matched nothing with confidence (below
	 * --min-confidence, and below HOLD_BELOW whatever that is) waits
	 * until the server is learned (or hold_ms) and is scored again
	 * with what was learned meanwhile.
	 */
	if (m->o.hold_ms > 0 && m->o.score.learn && res.status != MATCH_SMALL &&
	    !res.learned && (res.confidence < HOLD_BELOW ||
	    res.confidence < m->o.score.min_confidence)) {
		match_result_clear(&res);
		hold(m, c);
		return;
	}
	if (res.learned && m->held_n)
		release_server(m, c);
	complete(m, c, &res);
}

int match_new(const struct match_options *o, struct store *st,
    struct report *rep, struct matcher **out)
{
	struct matcher *m;
	int rc;

	*out = NULL;
	m = fg_calloc(1, sizeof(*m));
	m->o = *o;
	m->st = st;
	m->rep = rep;
	rc = store_begin(st, STORE_TXN_READ, &m->txn);
	if (rc < 0) {
		free(m);
		return rc;
	}
	m->scorer = scorer_new(&o->score, &o->payload);
	scorer_set_txn(m->scorer, m->txn);
	m->conns = conn_table_new(&o->conn, on_connection, m);
	/* a part is at least 1/GROUP_MAX_PARTS of the smallest file */
	m->groups = group_new(o->score.min_size / GROUP_MAX_PARTS,
	    o->conn.idle_ms);
	*out = m;
	return 0;
}

void match_free(struct matcher *m)
{
	if (!m)
		return;
	conn_table_free(m->conns);
	scorer_free(m->scorer);
	group_free(m->groups);
	store_abort(m->txn);
	free(m->held);
	free(m);
}

int match_done(const struct matcher *m)
{
	return m->o.max_detections &&
	    m->stats.detections >= m->o.max_detections;
}

void match_set_observe(struct matcher *m, struct observe *o)
{
	m->observe = o;
}

/* Commit the observed references if due (@all: whatever is pending) and
 * renew the snapshot after a commit. */
static void observe_commit(struct matcher *m, int64_t now_ms, int all)
{
	int rc;

	if (!m->observe)
		return;
	rc = all ? observe_flush(m->observe) : observe_tick(m->observe, now_ms);
	store_failed(m, rc);
	if (rc > 0)
		store_failed(m, store_txn_renew(m->txn));
}

int match_record(const struct flow_record *r, void *arg)
{
	struct matcher *m = arg;

	conn_queue(m->conns, r);
	if (++m->since_tick >= TICK_RECORDS) {
		m->since_tick = 0;
		conn_expire(m->conns, 0);
		/* batch mode: a batch per expiry pass */
		if (!m->wall_ms)
			observe_commit(m, 0, 1);
	}
	return match_done(m);
}

int match_tick(struct matcher *m, int64_t now_ms)
{
	conn_expire(m->conns, now_ms);
	if (now_ms) {
		m->wall_ms = now_ms;
		if (m->held_span)
			release_due(m, INT64_MIN, 0);
		group_expire(m->groups, now_ms);
	}
	observe_commit(m, now_ms, 0);
	return store_txn_renew(m->txn);
}

void match_flush(struct matcher *m)
{
	conn_flush(m->conns);
	observe_commit(m, 0, 1);
	release_due(m, 0, 1);
}

void match_get_stats(const struct matcher *m, struct match_stats *st)
{
	struct conn_stats cs;
	struct score_stats ss;

	*st = m->stats;
	conn_get_stats(m->conns, &cs);
	score_get_stats(m->scorer, &ss);
	st->records = cs.records;
	st->connections = cs.connections;
	st->evicted = cs.evicted;
	st->looked_up = ss.looked_up;
	st->candidates = ss.candidates;
	st->live = cs.live;
}

void match_set_observer(struct matcher *m, match_observer fn, void *arg)
{
	m->observer = fn;
	m->observer_arg = arg;
}

int match_store_error(const struct matcher *m)
{
	return m->store_error;
}

uint64_t match_store_generation(const struct matcher *m)
{
	return store_txn_generation(m->txn);
}
