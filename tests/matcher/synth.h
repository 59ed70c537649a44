/*
 * synth.h - build the flow counters a download of a given file would leave,
 * from first principles (segment sizes, header sizes, TLS records), for the
 * matcher's unit tests.  Header-only, shared by the tests in tests/matcher/.
 */
#ifndef FLOWGRAB_TEST_SYNTH_H
#define FLOWGRAB_TEST_SYNTH_H

#include <stdint.h>
#include <string.h>

#include "conn.h"

struct synth {
	uint8_t family;         /* 4 or 6 */
	int timestamps;         /* TCP timestamps */
	int padded;             /* meter counts Ethernet-padded frames */
	uint32_t http_hdr;      /* response header bytes, the size's digits
	                           aside */
	int size_digits;        /* the header holds the size: 1 in decimal
	                           (Content-Length) and hex (nginx's ETag),
	                           2 in decimal only (an S3-style ETag), 0 not
	                           at all */
	uint32_t tls_hs;        /* 0 = plain HTTP, else server handshake bytes */
	uint32_t rec_ovh;       /* TLS bytes per record */
	uint32_t tls_record;    /* 0: the header and the file in one stream
	                           of full records (nginx); else records of
	                           this much file, the header in one of its
	                           own (Apache httpd's mod_ssl: 8000) */
	int retx;               /* retransmitted full segments */
	uint32_t request;       /* request bytes (client) */
	uint32_t acks;          /* bare ACKs, 0: one per two segments */
};

static inline void synth_default(struct synth *s)
{
	memset(s, 0, sizeof(*s));
	s->family = 4;
	s->timestamps = 1;
	s->http_hdr = 230;
	s->size_digits = 1;
	s->rec_ovh = 22;
	s->request = 90;
}

/* Counters of downloading @size bytes; addresses 10.77.0.2:40000 <- .1:80 */
static inline void synth_download(const struct synth *s, uint64_t size,
    struct connection *c)
{
	uint32_t base = s->family == 6 ? 60 : 40;
	uint32_t hdr = base + (s->timestamps ? 12 : 0);
	uint32_t mss = 1500 - hdr;
	uint32_t synopt = s->timestamps ? 8 : 12;
	uint64_t hh = s->http_hdr, payload, segs, acks, v;
	uint32_t ackh = (s->padded && hdr < 46) ? 46 : hdr;

	if (s->size_digits)
		for (v = size; v; v /= 10)
			hh++;
	if (s->size_digits == 1)
		for (v = size; v; v >>= 4)
			hh++;
	payload = size + hh;
	/* the header and the file in one stream of full records */
	if (s->tls_hs && !s->tls_record)
		payload = s->tls_hs + (size + hh + 16383) / 16384 *
		    s->rec_ovh + size + hh;
	else if (s->tls_hs)
		payload = s->tls_hs + ((size + s->tls_record - 1) /
		    s->tls_record + 1) * s->rec_ovh + size + hh;
	segs = (payload + mss - 1) / mss + (uint64_t)s->retx;
	memset(c, 0, sizeof(*c));
	c->family = s->family;
	c->client[0] = 10; c->client[1] = 77; c->client[3] = 2;
	c->server[0] = 10; c->server[1] = 77; c->server[3] = 1;
	c->client_port = 40000;
	c->server_port = s->tls_hs ? 443 : 80;
	/* SYN-ACK + data segments + FIN */
	c->data_packets = segs + 2;
	c->data_octets = payload + (uint64_t)s->retx * mss + c->data_packets *
	    hdr + synopt + (ackh - hdr);
	/* SYN, ACK, request, one ACK per two segments, FIN */
	acks = s->acks ? s->acks : segs / 2 + 1;
	c->req_packets = 3 + acks;
	c->req_octets = (uint64_t)(3 + acks) * ackh + synopt + s->request +
	    (s->tls_hs ? 500 : 0);
	c->data_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK | CONN_TCP_FIN;
	c->req_tcp_flags = CONN_TCP_SYN | CONN_TCP_ACK | CONN_TCP_FIN;
	c->start_ms = 1764160000000LL;
	c->end_ms = c->start_ms + 2000;
	c->records = 2;
}

#endif
