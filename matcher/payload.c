/*
 * payload.c - the payload model (see payload.h and docs/matching.md).
 *
 * Everything here works from counters alone: octets and packets per
 * direction and the TCP flags.  The constants are the wire sizes of
 * TCP/IP headers and TLS records; the sources are listed in
 * docs/matching.md next to each.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "payload.h"

void payload_config_default(struct payload_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* nginx 1.22 sends 230-260 bytes for a 200 with ETag and
	 * Last-Modified; a bare "HTTP/1.1 200 OK" + Content-Length is ~40;
	 * CDNs with cookies and cache headers reach 1.5 KB. */
	cfg->http_hdr_min = 40;
	cfg->http_hdr_typ = 250;
	cfg->http_hdr_max = 1500;
	/* server side of a TLS 1.3 handshake with one EC certificate and two
	 * session tickets is ~1.5 KB; RSA chains of three certs ~6 KB */
	cfg->tls_hs_min = 600;
	cfg->tls_hs_typ = 3500;
	cfg->tls_hs_max = 9000;
	cfg->tls_record = 16384;    /* RFC 8446 5.1: 2^14 plaintext */
	cfg->tls_record_short = 8000; /* APR's file buckets (mod_ssl) */
	cfg->tls_rec_min = 21;      /* 5 header + 16 tag (1.2 ChaCha20) */
	cfg->tls_rec_max = 29;      /* 5 + 8 explicit nonce + 16 (1.2 GCM) */
	cfg->tls_ports[0] = 443;
	cfg->tls_ports[1] = 8443;
	cfg->ntls_ports = 2;
	/* client bytes beyond bare ACKs: curl's GET is ~80 bytes, a
	 * browser's 400-700; a TLS client adds ClientHello (~520 from
	 * OpenSSL 3), Finished and close_notify */
	cfg->http_req_typ = 300;
	cfg->tls_client_typ = 1100;
	cfg->mtu = 1500;
	cfg->tol_base = 0.5;
	cfg->tol_per_sqrt_pkt = 0.02;
	cfg->tol_scale = 1.0;
	cfg->lost_per_kpkt = 2;
}

int payload_is_tls(const struct payload_config *cfg, uint16_t port)
{
	int i;

	for (i = 0; i < cfg->ntls_ports; i++)
		if (cfg->tls_ports[i] == port)
			return 1;
	return 0;
}

/*
 * The per-packet header read off the client's packets: bare ACKs, plus a
 * SYN with options and the request.  Each header size h is a hypothesis
 * (with timestamps, without, without and padded to the Ethernet minimum)
 * that leaves r_h = bytes - packets x h of SYN options and request.  An r_h
 * below the shortest request is impossible; among the rest, requests are
 * about evenly spread on a log scale (curl asks in 80 bytes, wget in 150,
 * a browser in 300-700, and SACK blocks add 12 bytes an ACK), so each is
 * weighed prior(h) / r_h.  A Windows client (no timestamps) that sent 42
 * packets and 2,208 bytes leaves 24 at 52 bytes a packet, which no HTTP
 * request is, and 528 at 40: a browser's request.  The priors: Linux and
 * macOS use timestamps, Windows does not; a meter that counts padded
 * frames is rare.
 */
static uint32_t infer_ack_hdr(const struct connection *c, int tls,
    int64_t *extra)
{
	static const uint32_t v4[] = { 52, 46, 40 };
	static const double v4_prior[] = { 0.8, 0.05, 0.15 };
	static const uint32_t v6[] = { 72, 60 };
	static const double v6_prior[] = { 0.85, 0.15 };
	const uint32_t *cand = c->family == 6 ? v6 : v4;
	const double *prior = c->family == 6 ? v6_prior : v4_prior;
	int n = c->family == 6 ? 2 : 3, i, best = -1;
	/* SYN options beyond a bare ACK's, plus the shortest request: "GET
	 * / HTTP/1.1", a Host header and the blank line are 27 bytes, and
	 * the SYN's options 8 or 12 more; a ClientHello ~200 */
	int64_t min_req = tls ? 150 : 35, r;
	double w, bw = 0;

	if (c->req_packets == 0) {
		*extra = 0;
		return cand[0]; /* Linux and macOS use timestamps by default */
	}
	for (i = 0; i < n; i++) {
		r = (int64_t)c->req_octets - (int64_t)(c->req_packets * cand[i]);
		if (r < min_req)
			continue;
		w = prior[i] / (double)r;
		if (best < 0 || w > bw) {
			best = i;
			bw = w;
		}
	}
	if (best < 0)
		best = n - 1;   /* too little for any: the smallest header */
	r = (int64_t)c->req_octets - (int64_t)(c->req_packets * cand[best]);
	*extra = r > 0 ? r : 0;
	return cand[best];
}

/*
 * Retransmitted segments to expect per SACK-laden ACK, when some were:
 * the maximum-likelihood mean of a geometric count over the 270 HTTP
 * downloads of stored files on the testbed that carried SACK evidence and
 * whole segments more (24 recorded runs; k / SACK-laden ACKs has median
 * 0.41, quartiles 0.17 and 0.82).  Each SACK-laden ACK is one segment
 * arriving out of order, and most of a loss burst's followers are such.
 */
#define RETX_PER_SACK_ACK 0.6

/*
 * What the client's bytes beyond bare ACKs say about loss, given @typ
 * bytes of request: SACK-laden ACKs, the retransmissions to expect and
 * how many whole segments may be extra or missing.
 */
static void loss_model(const struct payload_config *cfg,
    const struct connection *c, int64_t typ, struct payload_estimate *e)
{
	/* A SACK option (2 NOPs + 2 + 8 per block, RFC 2018) makes an ACK
	 * at least 12 bytes longer; client bytes well beyond a typical
	 * request mean dozens of such ACKs, so segments were lost and
	 * retransmitted, some share of one per such ACK. */
	e->sack_acks = e->req_extra > typ ?
	    (uint32_t)((e->req_extra - typ) / 12) : 0;
	e->loss_hint = e->sack_acks >= 8;
	/* Retransmitted segments (counted again by the meter) and segments
	 * the meter missed: their expected numbers grow with the packet
	 * count; the window reaches four times the expectation.  Linux and
	 * Windows use SACK: without SACK evidence few segments were
	 * retransmitted, whatever the length. */
	e->mean_retx = 2;
	if (e->loss_hint && e->mean_retx < RETX_PER_SACK_ACK * e->sack_acks)
		e->mean_retx = RETX_PER_SACK_ACK * e->sack_acks;
	if (e->mean_retx > 2000)
		e->mean_retx = 2000;
	/* the meter's own losses grow with the packet count */
	e->mean_lost = (double)c->data_packets * cfg->lost_per_kpkt / 1000.0;
	if (e->mean_lost < 2)
		e->mean_lost = 2;
	e->max_retx = 2 + (uint32_t)(4 * e->mean_retx);
	e->max_lost = 2 + (uint32_t)(4 * e->mean_lost);
}

/* The file sizes worth looking up; -1 if none. */
int payload_window(const struct payload_config *cfg,
    struct payload_estimate *e)
{
	int64_t p = e->payload, lo, hi, slack = (int64_t)(3 * e->sigma);
	double rec = cfg->tls_record, srec = cfg->tls_record_short;

	if (e->tls) {
		/* the most record overhead: short records of the largest */
		lo = (int64_t)((double)(p - cfg->tls_hs_max - cfg->http_hdr_max -
		    (int64_t)e->max_retx * e->mss) * srec /
		    (srec + cfg->tls_rec_max)) - slack;
		hi = (int64_t)((double)(p - cfg->tls_hs_min - cfg->http_hdr_min +
		    (int64_t)e->max_lost * e->mss) * rec /
		    (rec + cfg->tls_rec_min)) + slack;
	} else {
		lo = p - cfg->http_hdr_max - (int64_t)e->max_retx * e->mss -
		    slack;
		hi = p - cfg->http_hdr_min + (int64_t)e->max_lost * e->mss +
		    slack;
	}
	if (lo < 1)
		lo = 1;
	if (hi < lo)
		return -1;
	e->lo = (uint64_t)lo;
	e->hi = (uint64_t)hi;
	return 0;
}

int payload_estimate(const struct payload_config *cfg,
    const struct connection *c, struct payload_estimate *e)
{
	int64_t p, synopt, extra = 0;
	uint32_t base;
	double per_pkt_pad = 0, sig, ovh_mid, rec;

	memset(e, 0, sizeof(*e));
	if (c->data_packets == 0)
		return -1;
	e->tls = payload_is_tls(cfg, c->server_port);
	e->ack_hdr = infer_ack_hdr(c, e->tls, &extra);
	e->req_extra = extra;
	e->hdr = e->ack_hdr == 46 ? 40 : e->ack_hdr;
	e->timestamps = e->hdr == 52 || e->hdr == 72;
	base = c->family == 6 ? 60 : 40;
	e->mss = cfg->mtu - base - (e->timestamps ? 12 : 0);
	/* SYN-ACK options beyond those of a data segment: MSS, SACK-permitted,
	 * window scale (+ timestamps): 20 bytes vs 12, or 12 vs 0 */
	synopt = (c->data_tcp_flags & CONN_TCP_SYN) ? (e->timestamps ? 8 : 12)
	    : 0;
	p = (int64_t)c->data_octets - (int64_t)(c->data_packets * e->hdr) -
	    synopt;
	if (e->ack_hdr == 46)
		per_pkt_pad = 12; /* the server's bare FIN/ACKs padded too */
	p -= (int64_t)per_pkt_pad;
	if (p <= 0)
		return -1;
	e->payload = p;
	/* A meter behind TSO/GRO sees bigger "segments"; take what it saw. */
	if (c->data_packets > 8 &&
	    (uint64_t)p / c->data_packets > e->mss + 64)
		e->mss = (uint32_t)((uint64_t)p / c->data_packets);
	loss_model(cfg, c, e->tls ? cfg->tls_client_typ : cfg->http_req_typ,
	    e);

	sig = cfg->tol_base + cfg->tol_per_sqrt_pkt * sqrt((double)c->data_packets) +
	    per_pkt_pad;
	rec = cfg->tls_record;
	ovh_mid = (cfg->tls_rec_min + cfg->tls_rec_max) / 2.0;
	if (e->tls) {
		/* a few bytes of jitter per connection on the testbed; more
		 * records than the file needs (header in its own record, short
		 * records under load) are the "extra bytes" share in score.c,
		 * and which record overhead applies is tried per candidate */
		sig += 1 + 0.03 * sqrt((double)c->data_packets);
		e->est_size = (int64_t)((double)(p - cfg->tls_hs_typ) *
		    rec / (rec + ovh_mid)) - cfg->http_hdr_typ;
	} else {
		e->est_size = p - cfg->http_hdr_typ;
	}
	sig *= cfg->tol_scale;
	e->sigma = sig;
	e->sigma_pad = per_pkt_pad * cfg->tol_scale;
	return payload_window(cfg, e);
}

int payload_rebase(const struct payload_config *cfg,
    const struct connection *c, int64_t req_base, struct payload_estimate *e)
{
	loss_model(cfg, c, req_base, e);
	return payload_window(cfg, e);
}
