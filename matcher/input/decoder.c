/*
 * decoder.c - the datagram decoder's shared state: dispatch by version to
 * netflow5.c / netflow9.c / ipfix.c, the per-exporter table (templates,
 * sampling, IPFIX init time), data sets held until their template comes,
 * and the malformed-datagram accounting with its once-a-minute log.
 *
 * Everything is bounded (input.h gives the limits) because anyone who can
 * send UDP to the collector controls what arrives here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "input-int.h"
#include "util.h"

#define LOG_INTERVAL_MS 60000

struct flow__held {
	uint8_t used;
	uint8_t family;
	uint8_t version;
	uint8_t addr[16];
	uint32_t domain;
	uint16_t set_id;
	int64_t export_ms;
	uint32_t uptime_ms;
	int64_t arrived_ms;
	size_t len;
	uint8_t *data;
};

const char *flow_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case FLOW_E_MALFORMED: return "malformed datagram";
	case FLOW_E_FORMAT: return "unknown or undetectable input format";
	case FLOW_E_BADLINE: return "a line did not parse (strict mode)";
	case FLOW_E_IO: return "input/output error";
	case FLOW_E_LISTEN: return "cannot listen";
	case FLOW_E_STOPPED: return "stopped by the consumer";
	default: return "unknown flow input error";
	}
}

const char *flow_malformed_name(int reason)
{
	static const char *const names[FLOW_BAD_REASONS] = {
		[FLOW_BAD_SHORT] = "short",
		[FLOW_BAD_VERSION] = "version",
		[FLOW_BAD_LENGTH] = "length",
		[FLOW_BAD_SET] = "set-length",
		[FLOW_BAD_TEMPLATE] = "template",
		[FLOW_BAD_RECORD] = "record",
	};

	if (reason < 0 || reason >= FLOW_BAD_REASONS)
		return "unknown";
	return names[reason];
}

struct flow_decoder *flow_decoder_new(void)
{
	struct flow_decoder *d = fg_calloc(1, sizeof(*d));

	memset(d->index, 0xff, sizeof(d->index));
	d->held = fg_calloc(FLOW_HOLD_SETS, sizeof(*d->held));
	return d;
}

static void held_drop(struct flow_decoder *d, struct flow__held *h)
{
	free(h->data);
	d->held_bytes -= h->len;
	d->nheld--;
	memset(h, 0, sizeof(*h));
}

void flow_decoder_free(struct flow_decoder *d)
{
	unsigned i;

	if (!d)
		return;
	for (i = 0; i < FLOW_MAX_EXPORTERS; i++)
		flow__exporter_clear(&d->ex[i]);
	for (i = 0; i < FLOW_HOLD_SETS; i++)
		free(d->held[i].data);
	free(d->held);
	free(d);
}

void flow_decoder_stats(const struct flow_decoder *d, struct flow_input_stats *st)
{
	*st = d->st;
}

/* ---- exporter identity ---------------------------------------------------- */

/* The sender's address as family + 16 bytes; IPv4-mapped IPv6 (what a
 * dual-stack socket reports for IPv4 senders) becomes plain IPv4. */
static void addr_of(const struct sockaddr *sa, uint8_t *family, uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(addr, 0, 16);
	*family = 0;
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		memcpy(addr, &s4->sin_addr, 4);
		*family = 4;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0) {
			memcpy(addr, s6->sin6_addr.s6_addr + 12, 4);
			*family = 4;
		} else {
			memcpy(addr, s6->sin6_addr.s6_addr, 16);
			*family = 6;
		}
	}
}

const char *flow__addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	uint8_t fam, a[16];
	char ip[INET6_ADDRSTRLEN];
	unsigned port = 0;

	addr_of(sa, &fam, a);
	if (!fam) {
		snprintf(buf, len, "(unknown exporter)");
		return buf;
	}
	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	else
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	snprintf(buf, len, fam == 4 ? "%s:%u" : "[%s]:%u", ip, port);
	return buf;
}

static unsigned ex_hash(uint8_t family, const uint8_t *addr, int version, uint32_t domain)
{
	uint32_t h = 2166136261u;
	unsigned i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ family) * 16777619u;
	h = (h ^ (uint32_t)version) * 16777619u;
	h = (h ^ domain) * 16777619u;
	return h & (2 * FLOW_MAX_EXPORTERS - 1);
}

static void reindex(struct flow_decoder *d)
{
	unsigned i, h;

	memset(d->index, 0xff, sizeof(d->index));
	for (i = 0; i < FLOW_MAX_EXPORTERS; i++) {
		struct flow__exporter *e = &d->ex[i];

		if (!e->used)
			continue;
		h = ex_hash(e->family, e->addr, e->version, e->domain);
		while (d->index[h] >= 0)
			h = (h + 1) & (2 * FLOW_MAX_EXPORTERS - 1);
		d->index[h] = (int16_t)i;
	}
}

struct flow__exporter *flow__exporter_get(struct flow__ctx *c, int version, uint32_t domain)
{
	struct flow_decoder *d = c->d;
	unsigned h = ex_hash(c->exp_family, c->exp_addr, version, domain);
	struct flow__exporter *e;
	unsigned i, victim = 0;

	while (d->index[h] >= 0) {
		e = &d->ex[d->index[h]];
		if (e->family == c->exp_family && e->version == version &&
		    e->domain == domain && memcmp(e->addr, c->exp_addr, 16) == 0) {
			e->last_used_ms = c->now_ms;
			return e;
		}
		h = (h + 1) & (2 * FLOW_MAX_EXPORTERS - 1);
	}
	if (d->nexporters < FLOW_MAX_EXPORTERS) {
		for (i = 0; i < FLOW_MAX_EXPORTERS && d->ex[i].used; i++)
			;
		victim = i;
		d->nexporters++;
		e = &d->ex[victim];
		d->index[h] = (int16_t)victim;
	} else {
		/* Full: forget the least recently heard exporter (its
		 * templates come back with its next template refresh). */
		for (i = 1; i < FLOW_MAX_EXPORTERS; i++)
			if (d->ex[i].last_used_ms < d->ex[victim].last_used_ms)
				victim = i;
		e = &d->ex[victim];
		flow__exporter_clear(e);
	}
	memset(e, 0, sizeof(*e));
	e->used = 1;
	e->family = c->exp_family;
	memcpy(e->addr, c->exp_addr, 16);
	e->version = (uint8_t)version;
	e->domain = domain;
	e->sysinit_ms = -1;
	e->last_used_ms = c->now_ms;
	e->tmpl_bytes = &d->tmpl_bytes;
	if (d->index[h] != (int16_t)victim)
		reindex(d);
	return e;
}

/* ---- malformed accounting ---------------------------------------------------- */

int flow__malformed(struct flow__ctx *c, int reason, const char *fmt, ...)
{
	struct flow_decoder *d = c->d;
	unsigned slot = (c->exp_addr[15] ^ c->exp_addr[3] ^ c->exp_addr[14] * 7u) & 255;
	char who[80], msg[256];
	va_list ap;

	d->st.malformed++;
	d->st.malformed_by[reason]++;
	if (d->logslot[slot].family == c->exp_family &&
	    memcmp(d->logslot[slot].addr, c->exp_addr, 16) == 0 &&
	    c->now_ms - d->logslot[slot].last_ms < LOG_INTERVAL_MS &&
	    d->logslot[slot].last_ms != 0) {
		d->logslot[slot].suppressed++;
		return FLOW_E_MALFORMED;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flow__addr_str(c->from, who, sizeof(who));
	if (d->logslot[slot].suppressed && d->logslot[slot].family == c->exp_family &&
	    memcmp(d->logslot[slot].addr, c->exp_addr, 16) == 0)
		fg_warn("exporter %s: dropped malformed %s datagram: %s "
		    "(%" PRIu64 " more dropped in the last minute)", who,
		    c->version == 10 ? "IPFIX" : c->version ? "NetFlow" : "flow", msg,
		    d->logslot[slot].suppressed);
	else
		fg_warn("exporter %s: dropped malformed %s datagram: %s", who,
		    c->version == 10 ? "IPFIX" : c->version ? "NetFlow" : "flow", msg);
	d->logslot[slot].family = c->exp_family;
	memcpy(d->logslot[slot].addr, c->exp_addr, 16);
	d->logslot[slot].last_ms = c->now_ms ? c->now_ms : 1;
	d->logslot[slot].suppressed = 0;
	return FLOW_E_MALFORMED;
}

/* ---- records out ------------------------------------------------------------- */

int flow__emit(struct flow__ctx *c, struct flow_record *r)
{
	struct flow__exporter *e = c->ex;

	r->exporter_family = c->exp_family;
	memcpy(r->exporter, c->exp_addr, 16);
	if (e && e->sampling > 1 && r->sampling <= 1)
		r->sampling = e->sampling;
	if (r->sampling > 1) {
		r->flags |= FLOW_F_SAMPLED;
		c->d->st.sampled_records++;
		if (e && !e->warned_sampling) {
			char who[80];

			e->warned_sampling = 1;
			fg_warn("exporter %s (domain %u) samples 1 in %u packets: "
			    "its byte counts cannot match file sizes; its "
			    "records are marked sampled",
			    flow__addr_str(c->from, who, sizeof(who)),
			    e->domain, r->sampling);
		}
	}
	c->d->st.records++;
	c->d->st.decoded++;
	c->nrec++;
	if (c->sink && c->sink(r, c->arg)) {
		c->stopped = 1;
		return -1;
	}
	return 0;
}

/* ---- held data sets ----------------------------------------------------------- */

static void hold_expire(struct flow_decoder *d, int64_t now_ms)
{
	unsigned i;

	if (!d->nheld)
		return;
	for (i = 0; i < FLOW_HOLD_SETS; i++) {
		struct flow__held *h = &d->held[i];

		if (h->used && now_ms - h->arrived_ms > FLOW_HOLD_SECONDS * 1000) {
			d->st.dropped_no_template++;
			held_drop(d, h);
		}
	}
}

void flow_decoder_expire(struct flow_decoder *d, int64_t now_ms)
{
	hold_expire(d, now_ms);
}

void flow__hold(struct flow__ctx *c, uint16_t set_id, const uint8_t *p, size_t len)
{
	struct flow_decoder *d = c->d;
	struct flow__held *h = NULL;
	unsigned i, oldest = 0;

	hold_expire(d, c->now_ms);
	if (len > FLOW_HOLD_BYTES) {
		d->st.dropped_no_template++;
		return;
	}
	/* Make room: the oldest held sets go first (counted as dropped). */
	while (d->nheld == FLOW_HOLD_SETS || d->held_bytes + len > FLOW_HOLD_BYTES) {
		int found = 0;

		for (i = 0; i < FLOW_HOLD_SETS; i++)
			if (d->held[i].used && (!found ||
			    d->held[i].arrived_ms < d->held[oldest].arrived_ms)) {
				oldest = i;
				found = 1;
			}
		if (!found)
			break;
		d->st.dropped_no_template++;
		held_drop(d, &d->held[oldest]);
	}
	for (i = 0; i < FLOW_HOLD_SETS; i++)
		if (!d->held[i].used) {
			h = &d->held[i];
			break;
		}
	if (!h) {
		d->st.dropped_no_template++;
		return;
	}
	h->used = 1;
	h->family = c->exp_family;
	memcpy(h->addr, c->exp_addr, 16);
	h->version = (uint8_t)c->version;
	h->domain = c->ex->domain;
	h->set_id = set_id;
	h->export_ms = c->export_ms;
	h->uptime_ms = c->uptime_ms;
	h->arrived_ms = c->now_ms;
	h->len = len;
	h->data = fg_malloc(len ? len : 1);
	memcpy(h->data, p, len);
	d->nheld++;
	d->held_bytes += len;
	d->st.held++;
}

void flow__replay(struct flow__ctx *c, uint16_t set_id)
{
	struct flow_decoder *d = c->d;
	unsigned i;

	if (!d->nheld)
		return;
	for (i = 0; i < FLOW_HOLD_SETS && !c->stopped; i++) {
		struct flow__held *h = &d->held[i];
		const struct flow__template *t;
		struct flow__ctx hc;
		const char *why = NULL;

		if (!h->used || h->set_id != set_id || h->version != c->version ||
		    h->domain != c->ex->domain || h->family != c->exp_family ||
		    memcmp(h->addr, c->exp_addr, 16) != 0)
			continue;
		t = flow__template_find(c->ex, set_id);
		if (!t)
			return;
		/* Decode with the times of the datagram that carried the set. */
		hc = *c;
		hc.export_ms = h->export_ms;
		hc.uptime_ms = h->uptime_ms;
		hc.nrec = 0;
		if (flow__data_set(&hc, t, h->data, h->len, &why) == -1)
			flow__malformed(c, FLOW_BAD_RECORD, "held data set %u: %s",
			    set_id, why ? why : "bad record");
		c->nrec += hc.nrec;
		c->stopped = hc.stopped;
		held_drop(d, h);
	}
}

/* ---- dispatch ------------------------------------------------------------------ */

int flow_decode_datagram(struct flow_decoder *d, const uint8_t *buf, size_t len,
    const struct sockaddr *from, int64_t now_ms, flow_sink sink, void *arg)
{
	struct flow__ctx c;
	unsigned version;
	int rc;

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.from = from;
	c.now_ms = now_ms;
	c.sink = sink;
	c.arg = arg;
	addr_of(from, &c.exp_family, c.exp_addr);
	d->st.datagrams++;
	if (len < 2)
		return flow__malformed(&c, FLOW_BAD_SHORT, "%zu bytes, no version field", len);
	version = flow__be16(buf);
	c.version = (int)version;
	switch (version) {
	case 5:
		rc = flow__netflow5(&c, buf, len);
		break;
	case 9:
		rc = flow__netflow9(&c, buf, len);
		break;
	case 10:
		rc = flow__ipfix(&c, buf, len);
		break;
	default:
		c.version = 0;
		return flow__malformed(&c, FLOW_BAD_VERSION,
		    "version %u (expected 5, 9 or 10), %zu bytes", version, len);
	}
	if (c.stopped)
		return FLOW_E_STOPPED;
	if (rc < 0)
		return FLOW_E_MALFORMED;
	return c.nrec;
}
