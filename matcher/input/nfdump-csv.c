/*
 * nfdump-csv.c - "nfdump -o csv" text.  Columns are found by name in the
 * header line, so both headers work:
 *   nfdump 1.7.1 (Debian 12):  ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,...
 *     times "2026-11-26 16:26:27" (whole seconds; td carries ms),
 *     protocol by name ("TCP"), flags as "...AP.SF";
 *   newer nfdump (output_csv.c):  firstSeen,duration,proto,srcAddr,srcPort,
 *     dstAddr,dstPort,packets,bytes,flows (also lastSeen, inPackets,
 *     inBytes, outPackets, outBytes, flags), times with ".mmm", proto a number.
 * nfdump prints local time: run it with TZ=UTC (nfcapd.c does).  It never
 * quotes fields (it turns ',' inside a value into ';'), so a plain split
 * is exact.  After the records it appends "Summary" and a second small
 * CSV table, or "No matching flows": those lines are skipped.
 * out* counters (reverse direction of a biflow, or v9 OUT_BYTES) become a
 * second record in the other direction, as flow.h asks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "input-int.h"
#include "util.h"

enum col {
	C_START, C_END, C_DUR, C_SA, C_DA, C_SP, C_DP, C_PR, C_FLG,
	C_IPKT, C_IBYT, C_OPKT, C_OBYT, C_COLS
};

static const struct {
	const char *name;
	enum col col;
} names[] = {
	{"ts", C_START}, {"firstSeen", C_START},
	{"te", C_END}, {"lastSeen", C_END},
	{"td", C_DUR}, {"duration", C_DUR},
	{"sa", C_SA}, {"srcAddr", C_SA},
	{"da", C_DA}, {"dstAddr", C_DA},
	{"sp", C_SP}, {"srcPort", C_SP},
	{"dp", C_DP}, {"dstPort", C_DP},
	{"pr", C_PR}, {"proto", C_PR},
	{"flg", C_FLG}, {"flags", C_FLG},
	{"ipkt", C_IPKT}, {"pkt", C_IPKT}, {"packets", C_IPKT}, {"inPackets", C_IPKT},
	{"ibyt", C_IBYT}, {"byt", C_IBYT}, {"bytes", C_IBYT}, {"inBytes", C_IBYT},
	{"opkt", C_OPKT}, {"outPackets", C_OPKT},
	{"obyt", C_OBYT}, {"outBytes", C_OBYT},
};

#define MAX_COLS 128

struct flow__text {
	int have_header;
	int in_summary;
	int idx[C_COLS];   /* column number, -1 = absent */
	int maxcol;        /* split up to this column */
};

static struct flow__text *csv_open(void)
{
	return fg_calloc(1, sizeof(struct flow__text));
}

static void csv_close(struct flow__text *t)
{
	free(t);
}

/* Set the columns from a header line; 0, or -1 if it is not a usable header. */
static int header(struct flow__text *t, const char *line)
{
	int idx[C_COLS], col = 0, c;
	const char *s = line;
	size_t k;

	for (c = 0; c < C_COLS; c++)
		idx[c] = -1;
	for (;;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k].name) == n && memcmp(names[k].name, s, n) == 0 &&
			    idx[names[k].col] < 0)
				idx[names[k].col] = col;
		col++;
		if (!e || col >= MAX_COLS)
			break;
		s = e + 1;
	}
	if (idx[C_START] < 0 || idx[C_SA] < 0 || idx[C_DA] < 0 || idx[C_IBYT] < 0 ||
	    idx[C_IPKT] < 0 || (idx[C_END] < 0 && idx[C_DUR] < 0))
		return -1;
	memcpy(t->idx, idx, sizeof(idx));
	t->maxcol = 0;
	for (c = 0; c < C_COLS; c++)
		if (t->idx[c] > t->maxcol)
			t->maxcol = t->idx[c];
	t->have_header = 1;
	return 0;
}

static int csv_probe(const char *line)
{
	struct flow__text t;

	memset(&t, 0, sizeof(t));
	return header(&t, line) == 0;
}

/* The 1.7.1 column order, for headerless input (nfdump -q) given with
 * --input-format nfdump-csv. */
static void default_columns(struct flow__text *t)
{
	static const char h171[] = "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt";

	header(t, h171);
}

static int proto_number(const char *s, const char *e, uint8_t *out)
{
	static const struct {
		const char *name;
		uint8_t num;
	} p[] = {
		{"TCP", 6}, {"UDP", 17}, {"ICMP", 1}, {"ICMP6", 58}, {"IPv6-ICMP", 58},
		{"GRE", 47}, {"ESP", 50}, {"AH", 51}, {"SCTP", 132}, {"IGMP", 2},
		{"IPIP", 4}, {"IPv6", 41}, {"OSPF", 89}, {"PIM", 103},
	};
	uint64_t v;
	size_t i, n = (size_t)(e - s);

	if (flow__parse_u64(s, e, &v) == 0) {
		if (v > 255)
			return -1;
		*out = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strlen(p[i].name) == n && strncasecmp(p[i].name, s, n) == 0) {
			*out = p[i].num;
			return 0;
		}
	return -1;
}

/* "...AP.SF" / "UAPRSF" letters (any order, dots for unset), or a number
 * ("27", "0x1b"). */
static int tcp_flags(const char *s, const char *e, uint8_t *out)
{
	uint8_t f = 0;
	uint64_t v;
	const char *q;

	if (s == e) {
		*out = 0;
		return 0;
	}
	if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		v = 0;
		for (q = s + 2; q < e; q++) {
			int d = *q >= '0' && *q <= '9' ? *q - '0' :
			    (*q | 32) >= 'a' && (*q | 32) <= 'f' ? (*q | 32) - 'a' + 10 : -1;
			if (d < 0 || v > 0xff)
				return -1;
			v = v * 16 + (unsigned)d;
		}
		if (v > 0xff)
			return -1;
		*out = (uint8_t)v;
		return 0;
	}
	if (flow__parse_u64(s, e, &v) == 0) {
		if (v > 0xff)
			return -1;
		*out = (uint8_t)v;
		return 0;
	}
	for (q = s; q < e; q++) {
		switch (*q) {
		case '.': break;
		case 'F': f |= 0x01; break;
		case 'S': f |= 0x02; break;
		case 'R': f |= 0x04; break;
		case 'P': f |= 0x08; break;
		case 'A': f |= 0x10; break;
		case 'U': f |= 0x20; break;
		case 'E': f |= 0x40; break;
		case 'C': case 'W': f |= 0x80; break;
		default: return -1;
		}
	}
	*out = f;
	return 0;
}

/* "0.005" seconds (spaces allowed in front) to ms; -1 if not that. */
static int duration_ms(const char *s, const char *e, int64_t *out)
{
	int64_t sec = 0, ms = 0;
	int scale = 100, nd = 0;

	while (s < e && *s == ' ')
		s++;
	for (; s < e && *s >= '0' && *s <= '9'; s++) {
		if (++nd > 12)
			return -1;   /* nfdump prints 2^64 here for bad times */
		sec = sec * 10 + (*s - '0');
	}
	if (s < e && *s == '.') {
		for (s++; s < e && *s >= '0' && *s <= '9'; s++) {
			ms += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (s != e || nd == 0)
		return -1;
	*out = sec * 1000 + ms;
	return 0;
}

static int csv_line(struct flow__text *t, char *line, size_t len,
    struct flow_record out[2], const char **why)
{
	const char *fs[MAX_COLS + 1], *fe[MAX_COLS + 1];
	int n = 0;
	char *p = line, *end = line + len;
	struct flow_record *r = &out[0];
	uint64_t v;
	int64_t te = 0, td = 0;
	uint8_t fam2, tmp[16];
	int have_te, have_td;

	if (len == 0)
		return 0;
	/* nfdump's trailers: "Summary" + a small table; "No matching flows" */
	if (line[0] < '0' || line[0] > '9') {
		if (strncmp(line, "Summary", 7) == 0) {
			t->in_summary = 1;
			return 0;
		}
		if (strncmp(line, "No matching flows", 17) == 0)
			return 0;
		if (header(t, line) == 0) {
			t->in_summary = 0;
			return 0;
		}
		if (t->in_summary)
			return 0;
		*why = "not an nfdump CSV record";
		return -1;
	}
	if (t->in_summary)
		return 0;
	if (!t->have_header)
		default_columns(t);
	/* split up to the last column we use */
	for (;;) {
		char *c = memchr(p, ',', (size_t)(end - p));

		fs[n] = p;
		fe[n] = c ? c : end;
		n++;
		if (!c || n > t->maxcol)
			break;
		p = c + 1;
	}
	if (n <= t->maxcol) {
		*why = "too few columns";
		return -1;
	}
#define F(c) fs[t->idx[c]], fe[t->idx[c]]
#define HAS(c) (t->idx[c] >= 0)
	memset(r, 0, sizeof(*r));
	if (flow__parse_time(F(C_START), &r->start_ms)) {
		*why = "bad first-seen time";
		return -1;
	}
	have_te = HAS(C_END) && flow__parse_time(F(C_END), &te) == 0;
	if (HAS(C_END) && !have_te) {
		*why = "bad last-seen time";
		return -1;
	}
	have_td = HAS(C_DUR) && duration_ms(F(C_DUR), &td) == 0;
	/* 1.7.1 prints whole seconds in ts/te: the duration adds the ms.
	 * A duration that disagrees with te (nfdump prints 2^64 for bad
	 * exporter times) is ignored. */
	if (have_te && have_td && r->start_ms + td >= te && r->start_ms + td < te + 1000)
		r->end_ms = r->start_ms + td;
	else if (have_te)
		r->end_ms = te;
	else if (have_td)
		r->end_ms = r->start_ms + td;
	else {
		*why = "bad duration";
		return -1;
	}
	if (r->end_ms < r->start_ms)
		r->end_ms = r->start_ms;
	if (flow__parse_addr(F(C_SA), &r->family, r->src)) {
		*why = "bad source address";
		return -1;
	}
	if (flow__parse_addr(F(C_DA), &fam2, r->dst) || fam2 != r->family) {
		*why = "bad destination address";
		return -1;
	}
	if (HAS(C_SP)) {
		if (flow__parse_u64(F(C_SP), &v) || v > 65535) {
			/* ICMP shows "type.code" in the port column in newer nfdump */
			if (!memchr(fs[t->idx[C_SP]], '.', (size_t)(fe[t->idx[C_SP]] - fs[t->idx[C_SP]]))) {
				*why = "bad source port";
				return -1;
			}
			v = 0;
		}
		r->sport = (uint16_t)v;
	}
	if (HAS(C_DP)) {
		if (flow__parse_u64(F(C_DP), &v) || v > 65535) {
			if (!memchr(fs[t->idx[C_DP]], '.', (size_t)(fe[t->idx[C_DP]] - fs[t->idx[C_DP]]))) {
				*why = "bad destination port";
				return -1;
			}
			v = 0;
		}
		r->dport = (uint16_t)v;
	}
	if (HAS(C_PR) && proto_number(F(C_PR), &r->proto)) {
		*why = "bad protocol";
		return -1;
	}
	if (HAS(C_FLG) && tcp_flags(F(C_FLG), &r->tcp_flags)) {
		*why = "bad TCP flags";
		return -1;
	}
	if (flow__parse_u64(F(C_IBYT), &r->octets)) {
		*why = "bad byte count";
		return -1;
	}
	if (flow__parse_u64(F(C_IPKT), &r->packets)) {
		*why = "bad packet count";
		return -1;
	}
	if (HAS(C_OBYT) && HAS(C_OPKT)) {
		uint64_t ob, op;

		if (flow__parse_u64(F(C_OBYT), &ob) || flow__parse_u64(F(C_OPKT), &op)) {
			*why = "bad out byte/packet count";
			return -1;
		}
		if (op || ob) {
			struct flow_record *b = &out[1];

			*b = *r;
			memcpy(tmp, b->src, 16);
			memcpy(b->src, b->dst, 16);
			memcpy(b->dst, tmp, 16);
			b->sport = r->dport;
			b->dport = r->sport;
			b->octets = ob;
			b->packets = op;
			b->tcp_flags = 0;
			return 2;
		}
	}
#undef F
#undef HAS
	return 1;
}

const struct flow__text_format flow__nfdump_csv = {
	.name = "nfdump-csv",
	.probe = csv_probe,
	.open = csv_open,
	.close = csv_close,
	.line = csv_line,
};
