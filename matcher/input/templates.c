/*
 * templates.c - the template cache shared by NetFlow v9 (RFC 3954) and
 * IPFIX (RFC 7011): parsing template and options template records,
 * keeping them per exporter + source id / observation domain (replaced
 * when an id is reused, withdrawn, refreshed), and decoding data records
 * with them into struct flow_record.
 *
 * A template is compiled once, when it arrives: each field gets a "kind"
 * (what it means to us), and fixed-length templates get a list of the
 * useful fields at their offsets, so decoding a record is a short loop
 * with no lookups and no allocation.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "input-int.h"
#include "util.h"

#define PEN_REVERSE 29305u          /* RFC 5103 reverse information elements */
#define MAX_FIELDS 512              /* more than any real template */
#define NTP_UNIX_OFFSET 2208988800LL /* seconds 1900-01-01 .. 1970-01-01 */
#define ONE_DAY_MS 86400000LL
#define MAX_TIME_MS 7258118400000LL  /* 2200-01-01: later (or negative) is junk */

/* What an IANA element (enterprise 0) means to us, by length. */
static uint8_t kind_of(uint16_t id, uint32_t pen, uint16_t len)
{
	if (len == 65535)
		return FK_SKIP;    /* variable length: nothing we use */
	if (pen == PEN_REVERSE) {
		switch (id) {
		/* zero-length fields are legal in a template: never read them */
		case 1: return len >= 1 && len <= 8 ? FK_REV_OCTETS : FK_SKIP;
		case 2: return len >= 1 && len <= 8 ? FK_REV_PACKETS : FK_SKIP;
		case 6: return len >= 1 && len <= 2 ? FK_REV_TCPFLAGS : FK_SKIP;
		default: return FK_SKIP;
		}
	}
	if (pen)
		return FK_SKIP;
	switch (id) {
	case 1: return len >= 1 && len <= 8 ? FK_OCTETS : FK_SKIP;
	case 2: return len >= 1 && len <= 8 ? FK_PACKETS : FK_SKIP;
	case 4: return len == 1 ? FK_PROTO : FK_SKIP;
	case 6: return len >= 1 && len <= 2 ? FK_TCPFLAGS : FK_SKIP;
	case 7: return len == 2 ? FK_SPORT : FK_SKIP;
	case 8: return len == 4 ? FK_SRC4 : FK_SKIP;
	case 11: return len == 2 ? FK_DPORT : FK_SKIP;
	case 12: return len == 4 ? FK_DST4 : FK_SKIP;
	case 21: return len == 4 ? FK_LAST_UPTIME : FK_SKIP;
	case 22: return len == 4 ? FK_FIRST_UPTIME : FK_SKIP;
	case 27: return len == 16 ? FK_SRC6 : FK_SKIP;
	case 28: return len == 16 ? FK_DST6 : FK_SKIP;
	case 34: case 50: return len >= 1 && len <= 4 ? FK_SAMPLING_INTERVAL : FK_SKIP;
	case 85: return len >= 1 && len <= 8 ? FK_OCTETS_TOTAL : FK_SKIP;
	case 86: return len >= 1 && len <= 8 ? FK_PACKETS_TOTAL : FK_SKIP;
	case 150: return len == 4 ? FK_START_SEC : FK_SKIP;
	case 151: return len == 4 ? FK_END_SEC : FK_SKIP;
	case 152: return len == 8 ? FK_START_MS : FK_SKIP;
	case 153: return len == 8 ? FK_END_MS : FK_SKIP;
	case 154: case 156: return len == 8 ? FK_START_NTP : FK_SKIP;
	case 155: case 157: return len == 8 ? FK_END_NTP : FK_SKIP;
	case 158: return len == 4 ? FK_START_DELTA_US : FK_SKIP;
	case 159: return len == 4 ? FK_END_DELTA_US : FK_SKIP;
	case 160: return len == 8 ? FK_SYSINIT_MS : FK_SKIP;
	case 305: return len >= 1 && len <= 4 ? FK_SAMPLING_PKT_INTERVAL : FK_SKIP;
	case 306: return len >= 1 && len <= 4 ? FK_SAMPLING_PKT_SPACE : FK_SKIP;
	default: return FK_SKIP;
	}
}

static void template_free(struct flow__template *t)
{
	if (!t)
		return;
	free(t->ops);
	free(t);
}

/* Free an installed template, giving its bytes back to the decoder's budget. */
static void template_release(struct flow__exporter *ex, struct flow__template *t)
{
	if (!t)
		return;
	if (ex->tmpl_bytes)
		*ex->tmpl_bytes -= t->size;
	template_free(t);
}

void flow__exporter_clear(struct flow__exporter *ex)
{
	uint32_t i;

	for (i = 0; i < ex->ntemplates; i++)
		template_release(ex, ex->tmpl[i]);
	free(ex->tmpl);
	ex->tmpl = NULL;
	ex->ntemplates = 0;
	ex->last = NULL;
}

static int tmpl_pos(const struct flow__exporter *ex, uint16_t id, int *found)
{
	int lo = 0, hi = (int)ex->ntemplates - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		uint16_t m = ex->tmpl[mid]->id;

		if (m == id) {
			*found = 1;
			return mid;
		}
		if (m < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	*found = 0;
	return lo;
}

struct flow__template *flow__template_find(struct flow__exporter *ex, uint16_t id)
{
	int found, pos;

	if (ex->last && ex->last->id == id)
		return ex->last;
	pos = tmpl_pos(ex, id, &found);
	if (!found)
		return NULL;
	ex->last = ex->tmpl[pos];
	return ex->last;
}

static void template_remove(struct flow__exporter *ex, uint16_t id)
{
	int found, pos = tmpl_pos(ex, id, &found);

	if (!found)
		return;
	if (ex->last == ex->tmpl[pos])
		ex->last = NULL;
	template_release(ex, ex->tmpl[pos]);
	memmove(&ex->tmpl[pos], &ex->tmpl[pos + 1],
	    (ex->ntemplates - (uint32_t)pos - 1) * sizeof(ex->tmpl[0]));
	ex->ntemplates--;
}

/* Withdraw all templates (options == 0) or all options templates (1). */
static void template_remove_all(struct flow__exporter *ex, int options)
{
	uint32_t i, j = 0;

	for (i = 0; i < ex->ntemplates; i++) {
		if (ex->tmpl[i]->options == options) {
			if (ex->last == ex->tmpl[i])
				ex->last = NULL;
			template_release(ex, ex->tmpl[i]);
		} else {
			ex->tmpl[j++] = ex->tmpl[i];
		}
	}
	ex->ntemplates = j;
}

/* Install t (takes it); an existing template of that id is replaced, or
 * just refreshed if identical.  Returns 1 if new or changed, 0 for a
 * refresh, -1 if refused (over FLOW_MAX_TEMPLATES or the decoder's
 * FLOW_MAX_TEMPLATE_BYTES: a flood of big templates cannot eat memory). */
static int template_install(struct flow__exporter *ex, struct flow__template *t)
{
	int found, pos = tmpl_pos(ex, t->id, &found);
	size_t old_size = found ? ex->tmpl[pos]->size : 0;

	if (found) {
		struct flow__template *old = ex->tmpl[pos];

		if (old->nfields == t->nfields && old->options == t->options &&
		    memcmp(old->f, t->f, t->nfields * sizeof(t->f[0])) == 0) {
			template_free(t);   /* a refresh */
			return 0;
		}
	}
	if ((!found && ex->ntemplates >= FLOW_MAX_TEMPLATES) || (ex->tmpl_bytes &&
	    *ex->tmpl_bytes - old_size + t->size > FLOW_MAX_TEMPLATE_BYTES)) {
		template_free(t);
		return -1;
	}
	if (ex->tmpl_bytes)
		*ex->tmpl_bytes += t->size;
	if (found) {
		if (ex->last == ex->tmpl[pos])
			ex->last = NULL;
		template_release(ex, ex->tmpl[pos]);
		ex->tmpl[pos] = t;
		return 1;
	}
	ex->tmpl = fg_reallocarray(ex->tmpl, ex->ntemplates + 1, sizeof(ex->tmpl[0]));
	memmove(&ex->tmpl[pos + 1], &ex->tmpl[pos],
	    (ex->ntemplates - (uint32_t)pos) * sizeof(ex->tmpl[0]));
	ex->tmpl[pos] = t;
	ex->ntemplates++;
	return 1;
}

/* Build the compiled template from the raw field list (already validated). */
static struct flow__template *template_build(uint16_t id, int options, int nscope,
    const struct flow__field *fields, unsigned n)
{
	struct flow__template *t = fg_calloc(1, sizeof(*t) + n * sizeof(t->f[0]));
	unsigned i, has_src = 0, has_dst = 0;
	uint32_t off = 0;
	int fixed = 1;

	t->id = id;
	t->nfields = (uint16_t)n;
	t->options = (uint8_t)options;
	memcpy(t->f, fields, n * sizeof(t->f[0]));
	for (i = 0; i < n; i++) {
		struct flow__field *f = &t->f[i];

		/* Scope fields describe what the options apply to; their ids
		 * overlap flow elements in v9 (1 = System), so never use them. */
		f->kind = (int)i < nscope ? FK_SKIP : kind_of(f->id, f->pen, f->len);
		if (f->kind == FK_SRC4 || f->kind == FK_SRC6)
			has_src = 1;
		if (f->kind == FK_DST4 || f->kind == FK_DST6)
			has_dst = 1;
		if (f->len == 65535) {
			fixed = 0;
			t->min_len += 1;
		} else {
			t->min_len += f->len;
		}
	}
	t->has_flow = has_src && has_dst && !options;
	t->size = (uint32_t)(sizeof(*t) + n * sizeof(t->f[0]) + (fixed ? n * sizeof(*t->ops) : 0));
	t->fixed_len = -1;
	if (fixed) {
		t->fixed_len = (int32_t)t->min_len;
		t->ops = fg_calloc(n ? n : 1, sizeof(*t->ops));
		for (i = 0; i < n; i++) {
			if (t->f[i].kind != FK_SKIP) {
				t->ops[t->nops].off = (uint16_t)off;
				t->ops[t->nops].len = t->f[i].len;
				t->ops[t->nops].kind = t->f[i].kind;
				t->nops++;
			}
			off += t->f[i].len;
		}
	}
	return t;
}

int flow__templates(struct flow__ctx *c, int ipfix, int options,
    const uint8_t *p, size_t len, int validate, const char **why)
{
	struct flow__field fields[MAX_FIELDS];
	size_t pos = 0;

	/* Records until what is left is padding (RFC 7011 3.3.1; v9 pads
	 * flowsets to 32 bits, RFC 3954 5.2). */
	while (len - pos >= 4) {
		uint16_t id = flow__be16(p + pos);
		uint16_t count = flow__be16(p + pos + 2);
		unsigned nscope = 0, n, i;
		size_t q;
		uint32_t reclen = 0;

		if (!ipfix && id == 0 && count == 0)
			break;  /* zero padding */
		if (!ipfix && options) {
			/* v9 options template: id, scope length, option length,
			 * both in bytes (RFC 3954 6.1). */
			uint16_t scope_len, opt_len;

			if (len - pos < 6) {
				*why = "options template record truncated";
				return -1;
			}
			scope_len = count;
			opt_len = flow__be16(p + pos + 4);
			if (scope_len % 4 || opt_len % 4) {
				*why = "options template scope/option length not a multiple of 4";
				return -1;
			}
			nscope = scope_len / 4u;
			n = nscope + opt_len / 4u;
			q = pos + 6;
		} else if (ipfix && options) {
			if (count == 0)
				goto withdraw;
			if (len - pos < 6) {
				*why = "options template record truncated";
				return -1;
			}
			nscope = flow__be16(p + pos + 4);
			n = count;
			if (nscope == 0 || nscope > n) {
				*why = "options template scope field count 0 or above field count";
				return -1;
			}
			q = pos + 6;
		} else {
			if (count == 0) {
				if (!ipfix) {
					*why = "template with no fields";
					return -1;
				}
				goto withdraw;
			}
			n = count;
			q = pos + 4;
		}
		if (id < 256) {
			*why = "template id below 256";
			return -1;
		}
		if (n == 0 || n > MAX_FIELDS) {
			*why = "template field count 0 or above 512";
			return -1;
		}
		for (i = 0; i < n; i++) {
			uint16_t fid, flen;
			uint32_t pen = 0;

			if (len - q < 4) {
				*why = "template fields run past the end of the set";
				return -1;
			}
			fid = flow__be16(p + q);
			flen = flow__be16(p + q + 2);
			q += 4;
			if (ipfix && (fid & 0x8000)) {
				if (len - q < 4) {
					*why = "enterprise number runs past the end of the set";
					return -1;
				}
				pen = flow__be32(p + q);
				q += 4;
				fid &= 0x7fff;
			}
			/* length 65535 in a v9 template: not in RFC 3954, but
			 * H3C/HPE NetStream send it and mean what IPFIX means
			 * (RFC 7011 7: a 1-byte length, 255 => a 2-byte one
			 * follows), as nfcapd reads it: decoded the same way */
			fields[i].id = fid;
			fields[i].len = flen;
			fields[i].pen = pen;
			fields[i].kind = 0;
			reclen += flen == 65535 ? 1 : flen;
		}
		if (reclen == 0 || reclen > 65535) {
			*why = "template record length 0 or above 65535";
			return -1;
		}
		if (!ipfix && options) {
			/* v9 options templates are padded to 32 bits */
			q += (4 - (q - pos) % 4) % 4;
			if (q > len)
				q = len;
		}
		if (!validate) {
			struct flow__template *t = template_build(id, options,
			    (int)nscope, fields, n);
			int r = template_install(c->ex, t);

			if (r < 0)
				c->d->st.templates_refused++;
			if (r > 0) {
				c->d->st.templates++;
				flow__replay(c, id);
				if (c->stopped)
					return -2;
			}
		}
		pos = q;
		continue;
withdraw:
		/* IPFIX withdrawal (RFC 7011 8.1): count 0; id 2 or 3 (the
		 * set id) withdraws all templates of that kind. */
		if (!validate) {
			if (id == (options ? 3 : 2))
				template_remove_all(c->ex, options);
			else
				template_remove(c->ex, id);
		}
		pos += 4;
	}
	return 0;
}

/* ---- data records ---------------------------------------------------------- */

struct vals {
	uint64_t oct, pkt, oct_tot, pkt_tot, roct, rpkt;
	uint64_t start_ntp, end_ntp;
	int64_t start_ms, end_ms, sysinit;
	uint32_t up_first, up_last, start_s, end_s, dstart, dend;
	uint32_t samp, pint, pspace;
	uint32_t have;
};

#define H(k) (1u << ((k) & 31))
/* kinds above 31 do not exist; keep the bit set in 32 bits */
_Static_assert(FK_KINDS <= 32, "kind bits fit 32 bits");

static inline void field(struct flow_record *r, struct vals *v, uint8_t kind,
    const uint8_t *p, unsigned len)
{
	v->have |= H(kind);
	switch (kind) {
	case FK_SRC4: r->family = 4; memcpy(r->src, p, 4); break;
	case FK_DST4: memcpy(r->dst, p, 4); break;
	case FK_SRC6: r->family = 6; memcpy(r->src, p, 16); break;
	case FK_DST6: memcpy(r->dst, p, 16); break;
	case FK_SPORT: r->sport = flow__be16(p); break;
	case FK_DPORT: r->dport = flow__be16(p); break;
	case FK_PROTO: r->proto = p[0]; break;
	case FK_TCPFLAGS: r->tcp_flags = p[len - 1]; break;
	case FK_REV_TCPFLAGS: r->rev_tcp_flags = p[len - 1]; break;
	case FK_OCTETS: v->oct = flow__beN(p, len); break;
	case FK_PACKETS: v->pkt = flow__beN(p, len); break;
	case FK_OCTETS_TOTAL: v->oct_tot = flow__beN(p, len); break;
	case FK_PACKETS_TOTAL: v->pkt_tot = flow__beN(p, len); break;
	case FK_REV_OCTETS: v->roct = flow__beN(p, len); break;
	case FK_REV_PACKETS: v->rpkt = flow__beN(p, len); break;
	case FK_FIRST_UPTIME: v->up_first = flow__be32(p); break;
	case FK_LAST_UPTIME: v->up_last = flow__be32(p); break;
	case FK_START_SEC: v->start_s = flow__be32(p); break;
	case FK_END_SEC: v->end_s = flow__be32(p); break;
	case FK_START_MS: v->start_ms = (int64_t)flow__beN(p, 8); break;
	case FK_END_MS: v->end_ms = (int64_t)flow__beN(p, 8); break;
	case FK_START_NTP: v->start_ntp = flow__beN(p, 8); break;
	case FK_END_NTP: v->end_ntp = flow__beN(p, 8); break;
	case FK_START_DELTA_US: v->dstart = flow__be32(p); break;
	case FK_END_DELTA_US: v->dend = flow__be32(p); break;
	case FK_SAMPLING_INTERVAL: v->samp = (uint32_t)flow__beN(p, len); break;
	case FK_SAMPLING_PKT_INTERVAL: v->pint = (uint32_t)flow__beN(p, len); break;
	case FK_SAMPLING_PKT_SPACE: v->pspace = (uint32_t)flow__beN(p, len); break;
	case FK_SYSINIT_MS: v->sysinit = (int64_t)flow__beN(p, 8); break;
	default: break;
	}
}

/* dateTimeMicroseconds / dateTimeNanoseconds: NTP 64-bit (RFC 7011 6.1.9,
 * 6.1.10): seconds since 1900 and a binary fraction.  Era 1 (after
 * 2036-02-07) shows as small second counts. */
static int64_t ntp_ms(uint64_t v)
{
	int64_t sec = (int64_t)(v >> 32);
	uint64_t frac = v & 0xffffffffu;

	if (sec < 0x80000000LL)
		sec += 0x100000000LL;
	return (sec - NTP_UNIX_OFFSET) * 1000 + (int64_t)((frac * 1000) >> 32);
}

/* A sysUpTime-relative time to Unix ms. */
static int64_t uptime_ms(const struct flow__ctx *c, uint32_t t, uint32_t last)
{
	if (c->version != 10)
		/* v5/v9: export time minus how long before the header's
		 * sysUpTime the packet was; modulo 2^32, so uptime wrap and
		 * softflowd's "times before boot" (sysUpTime 0, flow times
		 * just below 2^32) both come out right. */
		return c->export_ms - (int64_t)(uint32_t)(c->uptime_ms - t);
	if (c->ex && c->ex->sysinit_ms >= 0) {
		/* IPFIX flowStart/EndSysUpTime count from the exporter's
		 * systemInitTimeMilliseconds (options record).  softflowd
		 * reading a pcap sends times before its own start as negative
		 * 32-bit values; nfdump 1.7.1 reads those 49.7 days ahead. */
		int64_t a = c->ex->sysinit_ms + (int64_t)t;

		if (a > c->export_ms + ONE_DAY_MS)
			a = c->ex->sysinit_ms + (int64_t)(int32_t)t;
		return a;
	}
	/* No init time known yet: place the flow's end at the export time. */
	return c->export_ms - (int64_t)(uint32_t)(last - t);
}

/* Finish and emit one record; 0, or -2 if the sink stopped. */
static int finish(struct flow__ctx *c, const struct flow__template *t,
    struct flow_record *r, struct vals *v)
{
	uint32_t rate = 0;

	/* an absurd init time would overflow the sums in uptime_ms() */
	if (v->have & H(FK_SYSINIT_MS) && v->sysinit >= 0 && v->sysinit <= MAX_TIME_MS)
		c->ex->sysinit_ms = v->sysinit;
	if (v->have & H(FK_SAMPLING_PKT_INTERVAL) && v->pint)
		rate = (uint32_t)(((uint64_t)v->pint + v->pspace) / v->pint);
	else if (v->have & H(FK_SAMPLING_INTERVAL))
		rate = v->samp;
	if (!t->has_flow) {
		/* options data: exporter-wide settings */
		if (t->options) {
			if (v->have & (H(FK_SAMPLING_PKT_INTERVAL) |
			    H(FK_SAMPLING_INTERVAL)))
				c->ex->sampling = rate;
			return 0;
		}
		/* a flow record without source and destination addresses
		 * (Cisco WLC's per-station records): nothing to match, but
		 * decoded, and counted so that the statistics show it */
		c->d->st.decoded++;
		c->d->st.no_addresses++;
		return 0;
	}
	if (rate > 1)
		r->sampling = rate;
	r->octets = v->have & H(FK_OCTETS) ? v->oct : v->oct_tot;
	r->packets = v->have & H(FK_PACKETS) ? v->pkt : v->pkt_tot;
	if (v->have & (H(FK_REV_OCTETS) | H(FK_REV_PACKETS))) {
		r->flags |= FLOW_F_BIDIR;
		r->rev_octets = v->roct;
		r->rev_packets = v->rpkt;
	}
	if (v->have & H(FK_START_MS))
		r->start_ms = v->start_ms;
	else if (v->have & H(FK_START_NTP))
		r->start_ms = ntp_ms(v->start_ntp);
	else if (v->have & H(FK_START_SEC))
		r->start_ms = (int64_t)v->start_s * 1000;
	else if (v->have & H(FK_START_DELTA_US))
		r->start_ms = c->export_ms - v->dstart / 1000;
	else if (v->have & H(FK_FIRST_UPTIME))
		r->start_ms = uptime_ms(c, v->up_first, v->have & H(FK_LAST_UPTIME) ?
		    v->up_last : v->up_first);
	else
		r->start_ms = c->export_ms;
	if (v->have & H(FK_END_MS))
		r->end_ms = v->end_ms;
	else if (v->have & H(FK_END_NTP))
		r->end_ms = ntp_ms(v->end_ntp);
	else if (v->have & H(FK_END_SEC))
		r->end_ms = (int64_t)v->end_s * 1000;
	else if (v->have & H(FK_END_DELTA_US))
		r->end_ms = c->export_ms - v->dend / 1000;
	else if (v->have & H(FK_LAST_UPTIME))
		r->end_ms = uptime_ms(c, v->up_last, v->up_last);
	else
		r->end_ms = r->start_ms;
	/* times from the wire are untrusted: keep them where the consumer's
	 * arithmetic (end - start, now - end) cannot overflow */
	if (r->start_ms < 0 || r->start_ms > MAX_TIME_MS)
		r->start_ms = c->export_ms;
	if (r->end_ms < 0 || r->end_ms > MAX_TIME_MS)
		r->end_ms = c->export_ms;
	if (r->end_ms < r->start_ms)
		r->end_ms = r->start_ms;
	return flow__emit(c, r) ? -2 : 0;
}

int flow__data_set(struct flow__ctx *c, const struct flow__template *t,
    const uint8_t *p, size_t len, const char **why)
{
	struct flow_record r;
	struct vals v;
	size_t pos = 0;

	if (t->fixed_len >= 0) {
		size_t rl = (size_t)t->fixed_len;
		unsigned i;

		/* what is left after the last whole record is padding */
		while (len - pos >= rl) {
			const uint8_t *rec = p + pos;

			memset(&r, 0, sizeof(r));
			memset(&v, 0, sizeof(v));
			for (i = 0; i < t->nops; i++)
				field(&r, &v, t->ops[i].kind, rec + t->ops[i].off,
				    t->ops[i].len);
			if (finish(c, t, &r, &v))
				return -2;
			pos += rl;
		}
		return 0;
	}

	/* Variable-length fields (RFC 7011 7): first check that every record
	 * fits the set, so a lying length never yields half a datagram. */
	for (int pass = 0; pass < 2; pass++) {
		pos = 0;
		while (len - pos >= t->min_len) {
			unsigned i;

			if (pass) {
				memset(&r, 0, sizeof(r));
				memset(&v, 0, sizeof(v));
			}
			for (i = 0; i < t->nfields; i++) {
				const struct flow__field *f = &t->f[i];
				size_t fl = f->len;

				if (fl == 65535) {
					if (len - pos < 1)
						goto overrun;
					fl = p[pos++];
					if (fl == 255) {
						if (len - pos < 2)
							goto overrun;
						fl = flow__be16(p + pos);
						pos += 2;
					}
				}
				if (len - pos < fl)
					goto overrun;
				if (pass && f->kind != FK_SKIP)
					field(&r, &v, f->kind, p + pos, (unsigned)fl);
				pos += fl;
			}
			if (pass && finish(c, t, &r, &v))
				return -2;
		}
	}
	return 0;
overrun:
	*why = "variable-length record runs past the end of its set";
	return -1;
}
