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
#include "util.h"

/* records between two expiry passes in batch mode */
#define TICK_RECORDS 4096

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
}

static void on_connection(const struct connection *c, void *arg)
{
	struct matcher *m = arg;
	struct match_result res;
	int rc;

	if ((c->flags & CONN_F_SAMPLED) && !m->warned_sampled) {
		/* byte counts of a sampling exporter are scaled guesses */
		fg_warn("flows from a sampling exporter: their byte counts "
		    "cannot match file sizes; such detections are unreliable");
		m->warned_sampled = 1;
	}
	rc = score_connection(m->scorer, c, &res);
	if (rc < 0 && !m->store_error) {
		fg_error("store %s: %s", store_path(m->st), store_strerror(rc));
		m->store_error = rc;
	}
	if (c->flags & CONN_F_SAMPLED)
		res.confidence *= 0.5;
	if (m->o.ranges && c->data_packets) {
		struct match_result g;

		if (group_offer(m->groups, m->scorer, c, res.est.payload,
		    res.status != MATCH_FOUND, &g)) {
			deliver(m, &g);
			match_result_clear(&g);
		}
	}
	deliver(m, &res);
	match_result_clear(&res);
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
	free(m);
}

int match_done(const struct matcher *m)
{
	return m->o.max_detections &&
	    m->stats.detections >= m->o.max_detections;
}

int match_record(const struct flow_record *r, void *arg)
{
	struct matcher *m = arg;

	conn_add(m->conns, r);
	if (++m->since_tick >= TICK_RECORDS) {
		m->since_tick = 0;
		conn_expire(m->conns, 0);
	}
	return match_done(m);
}

int match_tick(struct matcher *m, int64_t now_ms)
{
	conn_expire(m->conns, now_ms);
	if (now_ms)
		group_expire(m->groups, now_ms);
	return store_txn_renew(m->txn);
}

void match_flush(struct matcher *m)
{
	conn_flush(m->conns);
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
}
