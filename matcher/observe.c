/*
 * observe.c - writing observed references (see observe.h, docs/store.md
 * "Observed references").
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe.h"
#include "report.h"
#include "util.h"

struct observe {
	struct store *st;
	struct store_txn *txn;      /* the pending batch, or NULL */
	uint32_t pending;           /* references in it */
	int64_t since_ms;           /* wall clock of its first (0: batch) */
	char *label;
	struct payload_config pcfg;
	uint64_t min_size;
	struct store_addr addrs[OBSERVE_MAX_ADDRS];
	int naddrs;
	struct observe_stats stats;
};

static int parse_list(struct observe *o, const char *list, char *err,
    size_t errlen)
{
	char *copy = fg_strdup(list), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->naddrs == OBSERVE_MAX_ADDRS) {
			snprintf(err, errlen, "--observe: at most %d addresses",
			    OBSERVE_MAX_ADDRS);
			rc = -1;
			break;
		}
		if (store_addr_parse(tok, &o->addrs[o->naddrs]) != 0) {
			snprintf(err, errlen, "--observe: '%.60s' is not an "
			    "IPv4 or IPv6 address", tok);
			rc = -1;
			break;
		}
		o->naddrs++;
	}
	if (rc == 0 && o->naddrs == 0) {
		snprintf(err, errlen, "--observe: no address given");
		rc = -1;
	}
	free(copy);
	return rc;
}

struct observe *observe_new(struct store *st, const char *list,
    const char *label, const struct payload_config *pcfg, uint64_t min_size,
    char *err, size_t errlen)
{
	struct observe *o;

	if (!label || !label[0] || strlen(label) > STORE_FIELD_MAX) {
		snprintf(err, errlen, "--observe needs --label TEXT (1 to %d "
		    "bytes)", STORE_FIELD_MAX);
		return NULL;
	}
	o = fg_calloc(1, sizeof(*o));
	if (parse_list(o, list, err, errlen) < 0) {
		free(o);
		return NULL;
	}
	o->st = st;
	o->label = fg_strdup(label);
	o->pcfg = *pcfg;
	o->min_size = min_size;
	return o;
}

void observe_free(struct observe *o)
{
	if (!o)
		return;
	if (observe_flush(o) < 0)
		fg_error("store %s: the last observed references are lost",
		    store_path(o->st));
	free(o->label);
	free(o);
}

int observe_is_reference(const struct observe *o, const struct connection *c)
{
	int i;

	for (i = 0; i < o->naddrs; i++)
		if (o->addrs[i].family == c->family &&
		    !memcmp(o->addrs[i].bytes, c->client,
		    c->family == 4 ? 4 : 16))
			return 1;
	return 0;
}

/* The reference the same transfer left before, if any: same server and
 * port, payload within OBSERVE_SAME_BYTES. */
struct same {
	struct store_txn *txn;
	uint16_t port;
	int64_t payload;
	uint64_t id;                /* found, or 0 */
	int rc;
};

static int same_cb(uint64_t size, uint64_t id, void *arg)
{
	struct same *s = arg;
	struct store_download d;

	(void)size;
	s->rc = store_get_id(s->txn, id, &d);
	if (s->rc != 0)
		return 1;
	if (d.has_obs && d.obs.server_port == s->port &&
	    llabs(d.obs.payload - s->payload) <= OBSERVE_SAME_BYTES) {
		s->id = id;
		return 1;
	}
	return 0;
}

/* "observed://SERVER:PORT/PAYLOAD": stable, and the payload of the
 * first observation keeps it so when the same transfer is seen again. */
static void make_key(const struct connection *c, int64_t payload, char *buf,
    size_t len)
{
	char a[64];

	report_addr(c->family, c->server, a, sizeof(a));
	snprintf(buf, len, "observed://%s%s%s:%u/%" PRId64,
	    c->family == 6 ? "[" : "", a, c->family == 6 ? "]" : "",
	    c->server_port, payload);
}

int observe_record(struct observe *o, const struct connection *c)
{
	struct payload_estimate e;
	struct store_download d, old;
	struct same same;
	char key[128];
	int rc, outcome = 0;

	o->stats.observed++;
	if (payload_estimate(&o->pcfg, c, &e) < 0 ||
	    (uint64_t)e.payload < o->min_size) {
		o->stats.small++;
		return 0;
	}
	if (!o->txn && (rc = store_begin(o->st, STORE_TXN_WRITE, &o->txn)) < 0)
		return rc;
	memset(&d, 0, sizeof(d));
	d.addrs[0].family = c->family;
	memcpy(d.addrs[0].bytes, c->server, c->family == 4 ? 4 : 16);
	d.naddrs = 1;
	same.txn = o->txn;
	same.port = c->server_port;
	same.payload = e.payload;
	same.id = 0;
	same.rc = 0;
	rc = store_range_addr(o->txn, &d.addrs[0],
	    e.payload > OBSERVE_SAME_BYTES ?
	    (uint64_t)e.payload - OBSERVE_SAME_BYTES : 1,
	    (uint64_t)e.payload + OBSERVE_SAME_BYTES, same_cb, &same);
	if (rc < 0 && rc != STORE_ENOTFOUND)
		return rc;
	if (same.rc < 0)
		return same.rc;
	d.obs.count = 1;
	if (same.id && store_get_id(o->txn, same.id, &old) == 0) {
		snprintf(key, sizeof(key), "%s", old.url);
		d.obs.count = old.obs.count + 1;
	} else {
		make_key(c, e.payload, key, sizeof(key));
	}
	d.url = key;
	/* the size index holds the payload: an observed reference is
	 * compared with a connection's payload, never with a file size */
	d.size = (uint64_t)e.payload;
	d.vendor = "observed";
	d.source = STORE_SRC_OBSERVED;
	d.first_seen = c->start_ms / 1000;
	d.last_seen = c->end_ms / 1000;
	d.last_checked = c->end_ms / 1000;
	d.has_obs = 1;
	d.obs.label = o->label;
	d.obs.when = c->start_ms / 1000;
	d.obs.server_port = c->server_port;
	d.obs.data_tcp_flags = c->data_tcp_flags;
	d.obs.req_tcp_flags = c->req_tcp_flags;
	d.obs.data_octets = c->data_octets;
	d.obs.data_packets = c->data_packets;
	d.obs.req_octets = c->req_octets;
	d.obs.req_packets = c->req_packets;
	d.obs.payload = e.payload;
	d.obs.payload_sd = e.sigma;
	rc = store_put(o->txn, &d, &outcome);
	if (rc < 0)
		return rc;
	if (outcome == STORE_PUT_NEW)
		o->stats.written++;
	else
		o->stats.updated++;
	fg_verbose("observed %s (%s): payload %" PRId64 " +- %.0f, %s", key,
	    o->label, e.payload, e.sigma, outcome == STORE_PUT_NEW ? "new" :
	    "seen again");
	o->pending++;
	return 1;
}

int observe_flush(struct observe *o)
{
	int rc;

	if (!o->txn)
		return 0;
	rc = store_commit(o->txn);
	o->txn = NULL;
	o->pending = 0;
	o->since_ms = 0;
	if (rc < 0)
		return rc;
	o->stats.commits++;
	return 1;
}

int observe_tick(struct observe *o, int64_t now_ms)
{
	if (!o->txn)
		return 0;
	if (now_ms && !o->since_ms)
		o->since_ms = now_ms;
	if (o->pending >= OBSERVE_BATCH ||
	    (now_ms && now_ms - o->since_ms >= OBSERVE_BATCH_MS))
		return observe_flush(o);
	return 0;
}

void observe_get_stats(const struct observe *o, struct observe_stats *st)
{
	*st = o->stats;
}

int observe_ref_connection(const struct store_download *d,
    struct connection *c)
{
	const struct store_observation *ob = &d->obs;

	if (!d->has_obs || d->source != STORE_SRC_OBSERVED)
		return -1;
	memset(c, 0, sizeof(*c));
	c->family = d->naddrs ? d->addrs[0].family : 4;
	if (d->naddrs)
		memcpy(c->server, d->addrs[0].bytes, 16);
	c->server_port = ob->server_port;
	c->data_tcp_flags = ob->data_tcp_flags;
	c->req_tcp_flags = ob->req_tcp_flags;
	c->data_octets = ob->data_octets;
	c->data_packets = ob->data_packets;
	c->req_octets = ob->req_octets;
	c->req_packets = ob->req_packets;
	c->start_ms = ob->when * 1000;
	c->end_ms = d->last_seen * 1000;
	return 0;
}

int observe_same_path(const struct payload_estimate *a,
    const struct payload_estimate *b)
{
	return a->hdr == b->hdr && a->ack_hdr == b->ack_hdr &&
	    a->mss == b->mss && a->timestamps == b->timestamps &&
	    a->tls == b->tls;
}
