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
	if (!s->tls_hs) {
		/* the payload is exact up to the padding correction */
		want_payload = (int64_t)size + s->http_hdr +
		    (int64_t)s->retx * e.mss;
		ok(llabs(e.payload - want_payload) <= 12,
		    "%s: payload %lld (want %lld)", name, (long long)e.payload,
		    (long long)want_payload);
		/* the header less its Content-Length value's digits */
		char digits[24];
		int nd = snprintf(digits, sizeof(digits), "%llu",
		    (unsigned long long)size);

		ok(llabs(payload_overhead(&cfg, &e, size, 0) -
		    ((int64_t)s->http_hdr - nd) -
		    (int64_t)s->retx * e.mss) <= 12,
		    "%s: overhead is the header less the size's digits", name);
	} else {
		int64_t o = payload_overhead(&cfg, &e, size, s->rec_ovh);
		int64_t want = s->tls_hs + s->http_hdr;

		ok(llabs(o - want) <= 2 * s->rec_ovh + 12,
		    "%s: TLS overhead %lld (want %lld)", name, (long long)o,
		    (long long)want);
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
