/*
 * softflowctl.c - softflowd's own text: "softflowctl dump-flows" lines
 *   ACTIVE seq:1 [10.0.0.1]:55942 <> [10.0.0.2]:80 proto:6 octets>:873
 *   packets>:15 octets<:300888 packets<:13 start:2026-11-26T16:28:04.642
 *   finish:2026-11-26T16:28:04.647 tcp>:1b tcp<:1a flowlabel>:... vlan>:0 ...
 * and the "EXPIRED: seq:..." lines softflowd -D prints when it exports a
 * flow (the same fields, then the flow's pointer).  softflowd keeps one
 * flow for both directions: ">" is first endpoint to second, "<" back; we
 * emit one record per direction that carried packets (flow.h).  Times are
 * UTC (softflowd formats them with gmtime; its statistics say "UTC").
 * Everything else softflowd prints around them ("EXPIRY EVENT ...",
 * "softflowd[pid]: Dumping flow data:", -D debug lines) is skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input-int.h"
#include "util.h"

struct flow__text {
	int unused;
};

static struct flow__text *sfc_open(void)
{
	return fg_calloc(1, sizeof(struct flow__text));
}

static void sfc_close(struct flow__text *t)
{
	free(t);
}

/* Skip an optional "softflowd[123]: " prefix; return the flow part or NULL. */
static const char *flow_part(const char *line)
{
	if (strncmp(line, "softflowd[", 10) == 0) {
		const char *p = strstr(line, "]: ");

		if (!p)
			return NULL;
		line = p + 3;
	}
	if (strncmp(line, "ACTIVE ", 7) == 0)
		return line + 7;
	if (strncmp(line, "EXPIRED: ", 9) == 0)
		return line + 9;
	return NULL;
}

static int sfc_probe(const char *line)
{
	const char *p = flow_part(line);

	return p && strncmp(p, "seq:", 4) == 0 && strstr(p, " <> ") && strstr(p, " proto:");
}

/* "[addr]:port" */
static int endpoint(const char *s, const char *e, uint8_t *fam, uint8_t *addr, uint16_t *port)
{
	const char *rb;
	uint64_t v;

	if (s >= e || *s != '[')
		return -1;
	rb = memchr(s, ']', (size_t)(e - s));
	if (!rb || rb + 1 >= e || rb[1] != ':')
		return -1;
	if (flow__parse_addr(s + 1, rb, fam, addr))
		return -1;
	if (flow__parse_u64(rb + 2, e, &v) || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int hex8(const char *s, const char *e, uint8_t *out)
{
	unsigned v = 0;

	if (s == e || e - s > 2)
		return -1;
	for (; s < e; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
		    (*s | 32) >= 'a' && (*s | 32) <= 'f' ? (*s | 32) - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = (uint8_t)v;
	return 0;
}

static int sfc_line(struct flow__text *t, char *line, size_t len,
    struct flow_record out[2], const char **why)
{
	const char *p = flow_part(line), *end = line + len;
	struct flow_record *r = &out[0];
	uint64_t octf = 0, pktf = 0, octr = 0, pktr = 0;
	uint8_t fam2, flr = 0, tmp[16];
	unsigned seen = 0;
	int tok = 0;

	(void)t;
	if (!p)
		return 0;    /* not a flow line */
	memset(r, 0, sizeof(*r));
	while (p < end) {
		const char *e = memchr(p, ' ', (size_t)(end - p));
		const char *v;

		if (!e)
			e = end;
		if (e == p) {
			p++;
			continue;
		}
		tok++;
		v = memchr(p, ':', (size_t)(e - p));
		if (tok == 2) {
			if (endpoint(p, e, &r->family, r->src, &r->sport)) {
				*why = "bad first endpoint (want [address]:port)";
				return -1;
			}
			seen |= 1;
		} else if (tok == 3) {
			if (e - p != 2 || memcmp(p, "<>", 2) != 0) {
				*why = "expected \"<>\" between the endpoints";
				return -1;
			}
		} else if (tok == 4) {
			if (endpoint(p, e, &fam2, r->dst, &r->dport) || fam2 != r->family) {
				*why = "bad second endpoint (want [address]:port)";
				return -1;
			}
			seen |= 2;
		} else if (v) {
			size_t kl = (size_t)(v - p);
			uint64_t n;

			v++;
#define KEY(k) (kl == sizeof(k) - 1 && memcmp(p, k, kl) == 0)
			if (KEY("proto")) {
				if (flow__parse_u64(v, e, &n) || n > 255)
					goto bad;
				r->proto = (uint8_t)n;
				seen |= 4;
			} else if (KEY("octets>")) {
				if (flow__parse_u64(v, e, &octf))
					goto bad;
				seen |= 8;
			} else if (KEY("packets>")) {
				if (flow__parse_u64(v, e, &pktf))
					goto bad;
				seen |= 16;
			} else if (KEY("octets<")) {
				if (flow__parse_u64(v, e, &octr))
					goto bad;
			} else if (KEY("packets<")) {
				if (flow__parse_u64(v, e, &pktr))
					goto bad;
			} else if (KEY("start")) {
				if (flow__parse_time(v, e, &r->start_ms))
					goto bad;
				seen |= 32;
			} else if (KEY("finish")) {
				if (flow__parse_time(v, e, &r->end_ms))
					goto bad;
				seen |= 64;
			} else if (KEY("tcp>")) {
				if (hex8(v, e, &r->tcp_flags))
					goto bad;
			} else if (KEY("tcp<")) {
				if (hex8(v, e, &flr))
					goto bad;
			}
#undef KEY
		}
		p = e;
		continue;
bad:
		*why = "bad value";
		{
			/* name the field in the message */
			static __thread char msg[64];
			size_t kl = (size_t)(v - 1 - p);

			snprintf(msg, sizeof(msg), "bad value for \"%.*s\"",
			    (int)(kl < 20 ? kl : 20), p);
			*why = msg;
		}
		return -1;
	}
	if ((seen & 127) != 127) {
		*why = "missing fields (need endpoints, proto, octets>, packets>, start, finish)";
		return -1;
	}
	if (r->end_ms < r->start_ms)
		r->end_ms = r->start_ms;
	r->octets = octf;
	r->packets = pktf;
	if (!pktr && !octr)
		return 1;
	out[1] = *r;
	memcpy(tmp, out[1].src, 16);
	memcpy(out[1].src, out[1].dst, 16);
	memcpy(out[1].dst, tmp, 16);
	out[1].sport = r->dport;
	out[1].dport = r->sport;
	out[1].octets = octr;
	out[1].packets = pktr;
	out[1].tcp_flags = flr;
	if (!pktf && !octf) {
		out[0] = out[1];
		return 1;
	}
	return 2;
}

const struct flow__text_format flow__softflowctl = {
	.name = "softflowctl",
	.probe = sfc_probe,
	.open = sfc_open,
	.close = sfc_close,
	.line = sfc_line,
};
