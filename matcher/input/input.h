/*
 * input.h - the flow inputs of flowgrab-matcher: the one small interface
 * through which the core gets struct flow_record (matcher/flow.h) from
 * NetFlow v5/v9/IPFIX datagrams, nfdump CSV text, softflowctl text and
 * nfcapd files.
 *
 * Every input is one file behind this header (netflow5.c, netflow9.c,
 * ipfix.c, nfdump-csv.c, softflowctl.c, ...); adding another format touches
 * that format's file and the dispatch tables only.  See docs/flow-inputs.md.
 *
 * Records are handed to a flow_sink callback one at a time; the record is
 * only valid during the call (it lives on the reader's stack or buffer), so
 * copy what you keep.  Nothing here allocates per record.
 *
 * Errors are negative FLOW_E_* codes; flow_strerror() names them.
 */
#ifndef FLOWGRAB_INPUT_H
#define FLOWGRAB_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../flow.h"

struct sockaddr;

/* ---- errors ---------------------------------------------------------- */
#define FLOW_E_MALFORMED  (-1)  /* a datagram did not decode (counted, dropped) */
#define FLOW_E_FORMAT     (-2)  /* unknown --input-format, or not detectable */
#define FLOW_E_BADLINE    (-3)  /* strict mode: a line did not parse */
#define FLOW_E_IO         (-4)  /* read error, or a child (nfdump) failed */
#define FLOW_E_LISTEN     (-5)  /* bad --listen address or socket error */
#define FLOW_E_STOPPED    (-6)  /* the sink returned non-zero */

/* A short English message for a FLOW_E_* code (static string). */
const char *flow_strerror(int err);

/* ---- statistics -----------------------------------------------------
 * Why a datagram was dropped as malformed; each has a counter. */
enum flow_malformed_reason {
	FLOW_BAD_SHORT = 0,     /* shorter than its header */
	FLOW_BAD_VERSION,       /* version not 5, 9 or 10 */
	FLOW_BAD_LENGTH,        /* header length / record count disagrees with the datagram */
	FLOW_BAD_SET,           /* a (flow)set length is < 4 or runs past the end */
	FLOW_BAD_TEMPLATE,      /* a template record is invalid (id, field count, length) */
	FLOW_BAD_RECORD,        /* a data record overruns its set (variable-length field) */
	FLOW_BAD_REASONS
};

/* Short name of a reason ("truncated", ...), static string. */
const char *flow_malformed_name(int reason);

struct flow_input_stats {
	uint64_t records;            /* flow records handed to the sink */
	uint64_t decoded;            /* data records decoded: those handed to
	                                the sink and those without addresses
	                                (options data not counted) */
	uint64_t no_addresses;       /* decoded records without source and
	                                destination addresses: nothing to
	                                match (e.g. Cisco WLC station records) */
	uint64_t datagrams;          /* datagrams seen (decoders, collector) */
	uint64_t malformed;          /* datagrams dropped as malformed (sum of below) */
	uint64_t malformed_by[FLOW_BAD_REASONS];
	uint64_t dropped_no_template;/* data sets dropped: no template in time */
	uint64_t held;               /* data sets held waiting for their template */
	uint64_t templates;          /* template records learnt (new or changed) */
	uint64_t templates_refused;  /* over the per-exporter or total template limit */
	uint64_t sampled_records;    /* records that carry FLOW_F_SAMPLED */
	uint64_t recv_errors;        /* collector: recvfrom() errors other than EAGAIN */
	uint64_t lines;              /* text inputs: lines read */
	uint64_t bad_lines;          /* text inputs: lines reported and skipped */
};

/* ---- packet decoding (NetFlow v5, v9, IPFIX) ----------------------------
 * A decoder keeps the per-exporter state: templates (per exporter address
 * and source id / observation domain), sampling rates, IPFIX system init
 * times, data sets held while their template is missing, and the
 * once-a-minute log limit.  It is bounded: at most FLOW_MAX_EXPORTERS
 * exporter/domain pairs (least recently used evicted), FLOW_MAX_TEMPLATES
 * templates per pair and FLOW_MAX_TEMPLATE_BYTES in all (more are refused
 * and counted), FLOW_HOLD_SETS held sets of at most FLOW_HOLD_SECONDS.
 */
#define FLOW_MAX_EXPORTERS 1024
#define FLOW_MAX_TEMPLATES 1024
#define FLOW_MAX_TEMPLATE_BYTES (32u << 20)  /* all templates of a decoder */
#define FLOW_HOLD_SETS 256
#define FLOW_HOLD_BYTES (1u << 20)
#define FLOW_HOLD_SECONDS 10

struct flow_decoder;

/* New decoder; never NULL.  Free with flow_decoder_free (NULL is fine). */
struct flow_decoder *flow_decoder_new(void);
void flow_decoder_free(struct flow_decoder *d);

/*
 * Decode one datagram of @len bytes from @from (sockaddr_in/in6, or NULL
 * for "unknown exporter", e.g. replayed from a file) received at @now_ms
 * (Unix ms; used for holding data sets and for the log rate limit).
 * Calls @sink for each flow record, including held data sets whose
 * template this datagram brought.
 * Returns the number of records delivered (>= 0), FLOW_E_MALFORMED when the
 * datagram was dropped (counted by reason and logged at most once a minute
 * per exporter), or FLOW_E_STOPPED when the sink asked to stop.
 */
int flow_decode_datagram(struct flow_decoder *d, const uint8_t *buf, size_t len,
    const struct sockaddr *from, int64_t now_ms, flow_sink sink, void *arg);

/* Drop held data sets older than FLOW_HOLD_SECONDS at @now_ms (counted in
 * dropped_no_template).  The collector calls it; others may. */
void flow_decoder_expire(struct flow_decoder *d, int64_t now_ms);

/* Copy the counters out (adds nothing; @st is overwritten). */
void flow_decoder_stats(const struct flow_decoder *d, struct flow_input_stats *st);

/* ---- the UDP collector ---------------------------------------------------
 * One UDP socket: "PORT" (dual-stack, any address), "ADDR:PORT" (IPv4),
 * "[ADDR]:PORT" (IPv6).  Numeric addresses only.  Non-blocking; large
 * receive buffer (SO_RCVBUFFORCE when root, else SO_RCVBUF).
 */
struct flow_collector;

/* Returns the collector, or NULL with a message in @err. */
struct flow_collector *flow_collector_open(const char *listen, char *err, size_t errlen);
/* The socket, for poll(): readable means flow_collector_read has work. */
int flow_collector_fd(const struct flow_collector *c);
/* The port actually bound (useful with port 0 in tests). */
int flow_collector_port(const struct flow_collector *c);
/*
 * Read and decode what is readable now, without blocking, up to a few
 * thousand datagrams so the caller's timers keep running (poll again if it
 * returns a large number).  Returns datagrams read (>= 0), or
 * FLOW_E_STOPPED if the sink asked to stop (the rest of that datagram and
 * of the batch already received is dropped).  Malformed datagrams are
 * counted, never returned as errors.  Also expires held data sets.
 */
int flow_collector_read(struct flow_collector *c, flow_sink sink, void *arg);
void flow_collector_stats(const struct flow_collector *c, struct flow_input_stats *st);
void flow_collector_close(struct flow_collector *c);

/* For the metrics (matcher/metrics.h): datagrams and the records decoded
 * from them by export version, index FLOW_VER_*. */
enum { FLOW_VER_5 = 0, FLOW_VER_9, FLOW_VER_10, FLOW_VER_OTHER, FLOW_VERS };
void flow_collector_by_version(const struct flow_collector *c,
    uint64_t datagrams[FLOW_VERS], uint64_t records[FLOW_VERS]);
/* Call @cb for each exporter (address of @family 0/4/6, export version 9
 * or 10, source id / observation domain) with its templates now. */
typedef void (*flow_exporter_cb)(uint8_t family, const uint8_t *addr,
    int version, uint32_t domain, uint32_t ntemplates, void *arg);
void flow_collector_exporters(const struct flow_collector *c,
    flow_exporter_cb cb, void *arg);

/* ---- text inputs -------------------------------------------------------
 * Formats: "nfdump-csv" (nfdump -o csv: the 1.7.1 header "ts,te,td,sa,da,..."
 * and the newer "firstSeen,...,srcAddr,..." one, by column names) and
 * "softflowctl" (softflowctl dump-flows; the EXPIRED: lines of softflowd -D).
 * Times in the text are taken as UTC (run nfdump with TZ=UTC).
 */
#define FLOW_INPUT_FORMATS "nfdump-csv, softflowctl"

/* 0 if @format names a text format (for option checking), else FLOW_E_FORMAT. */
int flow_input_format_valid(const char *format);

/*
 * Read flow records from text stream @f, named @name in messages
 * ("file:line: reason").  @format: NULL or "auto" detects it from the first
 * lines; else one of FLOW_INPUT_FORMATS.  A line that does not parse is
 * reported on stderr and skipped; with @strict it ends the read with
 * FLOW_E_BADLINE.  Counters are added to @st (may be NULL).
 * Returns 0 at EOF, or FLOW_E_FORMAT, FLOW_E_BADLINE, FLOW_E_IO,
 * FLOW_E_STOPPED.
 */
int flow_read_stream(FILE *f, const char *name, const char *format, int strict,
    flow_sink sink, void *arg, struct flow_input_stats *st);

/*
 * Run "nfdump -r PATH -o csv" (PATH a file) or "nfdump -R PATH -o csv"
 * (PATH a directory) with TZ=UTC and read its CSV as above.  The program is
 * $FLOWGRAB_NFDUMP if set, else "nfdump" from PATH.  Returns as
 * flow_read_stream; FLOW_E_IO also when nfdump fails or cannot be run.
 */
int flow_read_nfcapd(const char *path, int strict, flow_sink sink, void *arg,
    struct flow_input_stats *st);

#endif /* FLOWGRAB_INPUT_H */
