/*
 * input-int.h - what the files of matcher/input/ share and nobody else
 * sees: the decoder's per-exporter state, the template cache, the
 * per-datagram decoding context, and the text parsers' line interface.
 *
 * Functions here carry the flow__ prefix (internal but not static, as
 * libuv's uv__).  The public interface is input.h.
 */
#ifndef FLOWGRAB_INPUT_INT_H
#define FLOWGRAB_INPUT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* ---- byte access (datagrams are unaligned, big-endian) ---------------- */
static inline uint16_t flow__be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t flow__be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Unsigned big-endian integer of 1..8 bytes (IPFIX reduced-size encoding,
 * RFC 7011 section 6.2); longer fields give their last 8 bytes. */
static inline uint64_t flow__beN(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i = n > 8 ? n - 8 : 0;

	for (; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- what a template field means to us --------------------------------- */
enum flow__kind {
	FK_SKIP = 0,
	FK_SRC4, FK_DST4, FK_SRC6, FK_DST6,
	FK_SPORT, FK_DPORT, FK_PROTO, FK_TCPFLAGS,
	FK_OCTETS, FK_PACKETS, FK_OCTETS_TOTAL, FK_PACKETS_TOTAL,
	FK_REV_OCTETS, FK_REV_PACKETS, FK_REV_TCPFLAGS,
	FK_FIRST_UPTIME, FK_LAST_UPTIME,       /* ms since sysUpTime / systemInitTime */
	FK_START_SEC, FK_END_SEC,
	FK_START_MS, FK_END_MS,
	FK_START_NTP, FK_END_NTP,              /* dateTimeMicro/Nanoseconds: NTP 64-bit */
	FK_START_DELTA_US, FK_END_DELTA_US,    /* microseconds before export time */
	FK_SAMPLING_INTERVAL,                  /* 34, 50: 1 in N */
	FK_SAMPLING_PKT_INTERVAL, FK_SAMPLING_PKT_SPACE, /* 305, 306 (RFC 5477) */
	FK_SYSINIT_MS,                         /* 160 systemInitTimeMilliseconds */
	FK_KINDS
};

struct flow__field {
	uint16_t id;          /* element id without the enterprise bit */
	uint16_t len;         /* 65535 = variable length (IPFIX) */
	uint32_t pen;         /* enterprise number, 0 for IANA */
	uint8_t kind;         /* enum flow__kind */
};

/* For fixed-length templates: the fields we use at their offsets. */
struct flow__op {
	uint16_t off;
	uint16_t len;
	uint8_t kind;
};

struct flow__template {
	uint16_t id;
	uint16_t nfields;
	uint16_t nops;
	uint32_t size;        /* bytes held, for the decoder's budget */
	uint8_t options;      /* an options template: never a flow record */
	uint8_t has_flow;     /* carries addresses: records become flows */
	int32_t fixed_len;    /* record length, or -1 if it has variable-length fields */
	uint32_t min_len;     /* smallest possible record */
	struct flow__op *ops; /* nops entries (fixed_len >= 0 only) */
	struct flow__field f[];
};

/* One exporter address + source id / observation domain + version. */
struct flow__exporter {
	uint8_t used;
	uint8_t family;           /* 0 unknown, 4, 6 */
	uint8_t version;          /* 9 or 10 */
	uint8_t warned_sampling;
	uint8_t addr[16];
	uint32_t domain;
	uint32_t sampling;        /* from options records, 0 = none */
	int64_t sysinit_ms;       /* IPFIX systemInitTimeMilliseconds, -1 unknown */
	int64_t last_used_ms;
	uint32_t ntemplates;
	size_t *tmpl_bytes;           /* the decoder's template byte count */
	struct flow__template **tmpl; /* sorted by id */
	struct flow__template *last;  /* one-entry lookup cache */
};

/* Per datagram. */
struct flow__ctx {
	struct flow_decoder *d;
	struct flow__exporter *ex;
	const struct sockaddr *from;
	int version;
	int64_t export_ms;        /* header export time, Unix ms */
	uint32_t uptime_ms;       /* v5/v9 header sysUpTime */
	int64_t now_ms;
	flow_sink sink;
	void *arg;
	int nrec;                 /* records delivered */
	int stopped;              /* sink asked to stop */
	uint8_t exp_family;
	uint8_t exp_addr[16];
};

struct flow__held;

struct flow_decoder {
	struct flow_input_stats st;
	struct flow__exporter ex[FLOW_MAX_EXPORTERS];
	int16_t index[2 * FLOW_MAX_EXPORTERS];    /* hash -> ex[] slot, -1 empty */
	unsigned nexporters;
	size_t tmpl_bytes;                        /* all templates, <= FLOW_MAX_TEMPLATE_BYTES */
	struct flow__held *held;                  /* FLOW_HOLD_SETS slots */
	unsigned nheld;
	size_t held_bytes;
	struct {                                  /* log rate limit per address */
		uint8_t addr[16];
		uint8_t family;
		int64_t last_ms;
		uint64_t suppressed;
	} logslot[256];
};

/* ---- decoder.c ---------------------------------------------------------- */
/* Find or make the state of (exporter, version, domain); never NULL. */
struct flow__exporter *flow__exporter_get(struct flow__ctx *c, int version, uint32_t domain);
/* Count a malformed datagram and log it (rate limited per exporter). */
int flow__malformed(struct flow__ctx *c, int reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hand a finished record to the sink (adds exporter, sampling); 0 or -1 stop. */
int flow__emit(struct flow__ctx *c, struct flow_record *r);
/* Keep a data set whose template is missing; replay on template arrival. */
void flow__hold(struct flow__ctx *c, uint16_t set_id, const uint8_t *p, size_t len);
void flow__replay(struct flow__ctx *c, uint16_t set_id);
/* "127.0.0.1:9995" into buf */
const char *flow__addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* ---- templates.c -------------------------------------------------------- */
/* Parse (validate = 1: only check) a template or options template set body.
 * Returns 0 or -1 (and a reason in *why). */
int flow__templates(struct flow__ctx *c, int ipfix, int options,
    const uint8_t *p, size_t len, int validate, const char **why);
struct flow__template *flow__template_find(struct flow__exporter *ex, uint16_t id);
void flow__exporter_clear(struct flow__exporter *ex);
/* Decode one data set body with template t; 0, or -1 malformed (why set),
 * or -2 sink stopped. */
int flow__data_set(struct flow__ctx *c, const struct flow__template *t,
    const uint8_t *p, size_t len, const char **why);

/* ---- the version decoders --------------------------------------------------- */
int flow__netflow5(struct flow__ctx *c, const uint8_t *buf, size_t len);
int flow__netflow9(struct flow__ctx *c, const uint8_t *buf, size_t len);
int flow__ipfix(struct flow__ctx *c, const uint8_t *buf, size_t len);

/* ---- text inputs ------------------------------------------------------------ */
struct flow__text;            /* a text format's parser state */

struct flow__text_format {
	const char *name;
	/* Does this first non-empty line belong to the format? */
	int (*probe)(const char *line);
	struct flow__text *(*open)(void);
	void (*close)(struct flow__text *t);
	/* Parse one line (NUL-terminated, no newline, modifiable).
	 * Returns the number of records put in out[0..1] (0 = not a record,
	 * e.g. a header or summary line), or -1 with *why set. */
	int (*line)(struct flow__text *t, char *line, size_t len,
	    struct flow_record out[2], const char **why);
};

extern const struct flow__text_format flow__nfdump_csv;
extern const struct flow__text_format flow__softflowctl;

/* text helpers (text.c) */
int flow__parse_u64(const char *s, const char *end, uint64_t *out);
/* "YYYY-MM-DD[ T]HH:MM:SS[.fff]" as UTC, exactly that span: ms or -1 */
int flow__parse_time(const char *s, const char *end, int64_t *out_ms);
/* IPv4 or IPv6 text into family/addr (16 bytes); 0 or -1 */
int flow__parse_addr(const char *s, const char *end, uint8_t *family, uint8_t *addr);

#endif /* FLOWGRAB_INPUT_INT_H */
