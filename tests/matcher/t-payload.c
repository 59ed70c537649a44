/*
 * t-payload.c - unit tests of the payload model (matcher/payload.c) on
 * counters built from first principles (tests/matcher/synth.h): header
 * inference from the ACKs, timestamps, padding, IPv6, TLS, retransmits.
 */
#include "config.h"

#include <stdlib.h>

#include "payload.h"
#include "synth.h"
#include "../tap.h"

static void check(const char *name, const struct synth *s, uint64_t size,
    uint32_t want_hdr, int want_tls)
{
	struct payload_config cfg;
	struct payload_estimate e;
	struct connection c;
	int64_t want_payload;
	int rc;

	payload_config_default(&cfg);
	synth_download(s, size, &c);
	rc = payload_estimate(&cfg, &c, &e);
	is_int(rc, 0, "%s: estimated", name);
	is_int(e.ack_hdr, want_hdr, "%s: ACK header %u", name, want_hdr);
	is_int(e.tls, want_tls, "%s: tls", name);
	ok(e.lo <= size && size <= e.hi, "%s: %llu in window [%llu, %llu]",
	    name, (unsigned long long)size, (unsigned long long)e.lo,
	    (unsigned long long)e.hi);
	/* the header synth.h writes: its fixed part and the size's digits
	 * in decimal and in hex */
	char dec[24], hex[24];
	int nd = snprintf(dec, sizeof(dec), "%llu", (unsigned long long)size);
	int nh = snprintf(hex, sizeof(hex), "%llx", (unsigned long long)size);
	int64_t hh = (int64_t)s->http_hdr + (s->size_digits ? nd : 0) +
	    (s->size_digits == 1 ? nh : 0);

	if (!s->tls_hs) {
		/* the payload is exact; with padded frames, up to the
		 * padding correction (docs/matching.md) */
		int64_t slack = s->padded ? 12 : 0, o;

		want_payload = (int64_t)size + hh + (int64_t)s->retx * e.mss;
		ok(llabs(e.payload - want_payload) <= slack,
		    "%s: payload %lld (want %lld)", name, (long long)e.payload,
		    (long long)want_payload);
		/* the overhead leaves out the size's digits: the header's
		 * fixed part, the same for every file */
		o = payload_overhead(&cfg, &e, size, 0);
		ok(llabs(o - (hh - nd - nh) - (int64_t)s->retx * e.mss) <= slack,
		    "%s: overhead %lld is the header less the size's digits",
		    name, (long long)o);
	} else {
		/* one record more when the header pushes the file's tail
		 * over a record boundary */
		int64_t o = payload_overhead(&cfg, &e, size, s->rec_ovh);
		int64_t want = s->tls_hs + s->http_hdr +
		    ((size + hh + 16383) / 16384 - (size + 16383) / 16384) *
		    s->rec_ovh;

		is_int(o, want, "%s: TLS overhead %lld", name, (long long)want);
	}
}

int main(void)
{
	struct synth s;
	struct payload_config cfg;
	struct payload_estimate e;
	struct connection c;

	synth_default(&s);
	check("ipv4 timestamps", &s, 5000000, 52, 0);
	check("ipv4 small file", &s, 150000, 52, 0);
	s.timestamps = 0;
	check("ipv4 no timestamps", &s, 5000000, 40, 0);
	/* a Windows client (no timestamps) fetching 358,400 bytes, seen in
	 * a public capture: 42 packets and 2,208 bytes back, of which 528
	 * the SYN's options and a browser's request.  At 52 bytes a packet
	 * 24 would be left, which no HTTP request is. */
	s.request = 516;
	s.acks = 39;
	check("ipv4 no timestamps, few ACKs, a long request", &s, 358400, 40, 0);
	s.request = 90;
	s.acks = 0;
	s.padded = 1;
	check("ipv4 padded ACKs", &s, 5000000, 46, 0);
	synth_default(&s);
	s.family = 6;
	check("ipv6 timestamps", &s, 3000000, 72, 0);
	s.timestamps = 0;
	check("ipv6 no timestamps", &s, 3000000, 60, 0);
	synth_default(&s);
	s.retx = 3;
	check("three retransmits", &s, 2000000, 52, 0);
	synth_default(&s);
	s.tls_hs = 1800;
	check("tls 1.3", &s, 4000000, 52, 1);
	s.rec_ovh = 29;
	s.tls_hs = 5500;
	check("tls 1.2 gcm", &s, 700000, 52, 1);
	/* 16,384 x 61 - 100: the header's 230 + 13 bytes do not fit */
	check("tls, one record more", &s, 999324, 52, 1);
	/* files either side of a boundary in decimal and in hex digits */
	synth_default(&s);
	check("999,999 bytes", &s, 999999, 52, 0);
	check("1,000,000 bytes", &s, 1000000, 52, 0);
	check("1,048,575 bytes", &s, 1048575, 52, 0);
	check("1,048,576 bytes", &s, 1048576, 52, 0);
	s.size_digits = 0;
	check("a header without the size", &s, 1048576, 52, 0);

	/* the tolerance grows with the packet count and with TLS */
	payload_config_default(&cfg);
	synth_default(&s);
	synth_download(&s, 200000, &c);
	payload_estimate(&cfg, &c, &e);
	{
		double small = e.sigma;

		synth_download(&s, 200000000, &c);
		payload_estimate(&cfg, &c, &e);
		ok(e.sigma > small, "sigma grows with packets (%.1f > %.1f)",
		    e.sigma, small);
		s.tls_hs = 1800;
		synth_download(&s, 200000000, &c);
		small = e.sigma;
		payload_estimate(&cfg, &c, &e);
		ok(e.sigma > small, "sigma larger for TLS (%.1f > %.1f)",
		    e.sigma, small);
	}
	/* loss: SACK-laden ACKs raise the retransmit allowance */
	synth_default(&s);
	synth_download(&s, 2000000, &c);
	payload_estimate(&cfg, &c, &e);
	{
		uint32_t r0 = e.max_retx;

		c.req_octets += c.req_packets * 12;
		payload_estimate(&cfg, &c, &e);
		ok(e.loss_hint && e.max_retx > r0, "SACK blocks: loss hint");
	}
	/* 20 SACK blocks (240 bytes) are no evidence of loss against the
	 * typical 300-byte request, but are against the client's own 98 */
	synth_default(&s);
	synth_download(&s, 2000000, &c);
	c.req_octets += 20 * 12;
	payload_estimate(&cfg, &c, &e);
	ok(!e.loss_hint, "240 bytes over bare ACKs: no loss hint (%u SACKed "
	    "ACKs)", e.sack_acks);
	{
		uint64_t lo = e.lo;

		is_int(payload_rebase(&cfg, &c, 98, &e), 0, "rebased");
		ok(e.loss_hint && e.sack_acks == 20, "over a 98-byte request: "
		    "20 SACKed ACKs, loss hint (%u)", e.sack_acks);
		ok(e.lo < lo, "the window reaches more retransmissions");
	}
	/* nothing sent */
	memset(&c, 0, sizeof(c));
	c.family = 4;
	is_int(payload_estimate(&cfg, &c, &e), -1, "empty connection refused");
	/* tolerance option scales */
	synth_download(&s, 2000000, &c);
	payload_estimate(&cfg, &c, &e);
	{
		double s1 = e.sigma;

		cfg.tol_scale = 2;
		payload_estimate(&cfg, &c, &e);
		ok(e.sigma > 1.9 * s1, "--tolerance scales sigma");
	}
	return done_testing();
}
