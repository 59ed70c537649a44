/*
 * payload.h - the payload model: from a connection's flow counters to the
 * size of the file it carried, with the error to expect.
 *
 * docs/matching.md explains every constant and error source.  In short:
 *   payload = data octets - data packets x per-packet header - SYN options
 *   HTTP:  payload = response header + file (+ whole retransmitted segments)
 *   TLS:   payload = handshake + records x record overhead + header + file
 * The per-packet header (40/52 IPv4, 60/72 IPv6, 46 = 40 padded to the
 * Ethernet minimum) is read off the reverse direction, mostly bare ACKs.
 */
#ifndef FLOWGRAB_PAYLOAD_H
#define FLOWGRAB_PAYLOAD_H

#include <stdint.h>

#include "conn.h"

#define PAYLOAD_MAX_TLS_PORTS 8

struct payload_config {
	/* HTTP response header bytes: the window and the most likely value */
	uint32_t http_hdr_min, http_hdr_typ, http_hdr_max;
	/* TLS bytes from the server besides application records: handshake,
	 * session tickets, close_notify */
	uint32_t tls_hs_min, tls_hs_typ, tls_hs_max;
	uint32_t tls_record;        /* plaintext bytes per full record: 16384 */
	uint32_t tls_record_short;  /* Apache httpd's mod_ssl records: 8000 */
	uint32_t tls_rec_min, tls_rec_max; /* overhead per record: 21..29 */
	uint16_t tls_ports[PAYLOAD_MAX_TLS_PORTS];
	int ntls_ports;
	uint32_t http_req_typ;      /* typical client bytes, HTTP */
	uint32_t tls_client_typ;    /* typical client bytes, TLS */
	uint32_t mtu;               /* path MTU for the segment size: 1500 */
	double tol_base;            /* bytes of error on any estimate */
	double tol_per_sqrt_pkt;    /* more per sqrt(data packets) */
	double tol_scale;           /* --tolerance: multiplies every width */
	uint32_t lost_per_kpkt;     /* expected meter losses per 1000 packets */
};

/* Fill @cfg with the defaults documented in docs/matching.md. */
void payload_config_default(struct payload_config *cfg);

struct payload_estimate {
	int tls;                    /* treated as TLS (server port) */
	uint32_t hdr;               /* per-packet header, data direction */
	uint32_t ack_hdr;           /* per-packet header read off the ACKs */
	int timestamps;             /* TCP timestamps in use */
	uint32_t mss;               /* bytes per full segment */
	int64_t payload;            /* TCP payload bytes server -> client */
	int64_t req_extra;          /* client bytes beyond bare headers */
	uint32_t sack_acks;         /* ACKs that seem to carry SACK blocks */
	int loss_hint;              /* enough of them: segments were lost */
	double mean_retx;           /* expected extra segments, if any */
	double mean_lost;           /* expected missed segments, if any */
	uint32_t max_retx;          /* whole segments that may be extra */
	uint32_t max_lost;          /* whole segments the meter may miss */
	double sigma;               /* expected error of the size, bytes,
	                               overhead uncertainty excluded */
	double sigma_pad;           /* the part of it from padded frames */
	int64_t est_size;           /* file size at the typical overhead */
	uint64_t lo, hi;            /* file sizes worth looking up */
};

int payload_is_tls(const struct payload_config *cfg, uint16_t port);

/* Estimate the file size carried by @c; 0, or -1 if it carried nothing. */
int payload_estimate(const struct payload_config *cfg,
    const struct connection *c, struct payload_estimate *e);

/*
 * Set @e->lo and @e->hi: the file sizes @e->payload may carry, given its
 * tls, sigma, mss and segment counts (a bare estimate with only payload
 * and tls set gives the sizes any plausible overhead allows).  0, or -1
 * if none.
 */
int payload_window(const struct payload_config *cfg,
    struct payload_estimate *e);

/*
 * Redo @e's loss model (SACK-laden ACKs, retransmissions to expect, the
 * size window) for a client whose requests usually take @req_base bytes
 * beyond bare ACKs, instead of the typical request of the config: a
 * client that asks in 90 bytes and sent 300 had 17 SACK blocks, one that
 * asks in 600 had none.  0, or -1 if no size is left to look up.
 */
int payload_rebase(const struct payload_config *cfg,
    const struct connection *c, int64_t req_base, struct payload_estimate *e);

/* Digits of @v in decimal: the Content-Length header's value.  Compares,
 * not divisions, and inline: this runs for every candidate of every
 * lookup. */
static inline int payload_digits(uint64_t v)
{
	uint64_t p = 10;
	int n = 1;

	while (n < 20 && v >= p) {
		n++;
		if (n < 20)
			p *= 10;
	}
	return n;
}

/* Digits of @v in hexadecimal: the size inside nginx's and Apache's
 * ETag ("5f3a1c2e-1a2b3c"). */
static inline int payload_hexdigits(uint64_t v)
{
	int n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	return n;
}

/*
 * A TLS framing tried for a candidate, in one byte (the "tag" a server's
 * votes and learned overhead carry, profile.h): the overhead per record
 * in the low five bits (21, 22 or 29; 0 for HTTP) and, in
 * PAYLOAD_TAG_SHORT, the plaintext a record holds: clear for full records
 * of tls_record (16,384: nginx, lighttpd), set for tls_record_short
 * (8,000: Apache httpd's mod_ssl writes each of its 8,000-byte file
 * buckets as one record; docs/matching.md section 2).
 */
#define PAYLOAD_TAG_SHORT 0x20u

static inline uint32_t payload_tag_ovh(uint32_t tag)
{
	return tag & 0x1fu;
}

static inline uint32_t payload_tag_record(const struct payload_config *cfg,
    uint32_t tag)
{
	return (tag & PAYLOAD_TAG_SHORT) ? cfg->tls_record_short :
	    cfg->tls_record;
}

/*
 * Bytes beyond the file that @e's payload holds if the file is @size
 * bytes and its TLS framing is @tag (ignored for HTTP): the
 * HTTP header, or handshake + header for TLS, less the digits @size
 * writes into the header: its Content-Length in decimal and the size in
 * hexadecimal that nginx's and Apache's ETag carry.  So one server's
 * overhead is the same for files of 999,999 and 1,000,000 bytes, and of
 * 1,048,575 and 1,048,576.  Records are taken off as
 * ceil(size / record) x overhead, both from @tag.
 */
static inline int64_t payload_overhead(const struct payload_config *cfg,
    const struct payload_estimate *e, uint64_t size, uint32_t tag)
{
	int64_t o = e->payload - (int64_t)size - payload_digits(size) -
	    payload_hexdigits(size);

	if (e->tls) {
		uint64_t rec = payload_tag_record(cfg, tag);

		o -= (int64_t)((size + rec - 1) / rec) *
		    (int64_t)payload_tag_ovh(tag);
	}
	return o;
}

#endif
