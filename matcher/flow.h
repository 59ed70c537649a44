/*
 * flow.h - the flow record every input produces and the matcher consumes.
 *
 * One record is one direction of one connection as a flow meter saw it
 * between two export events (NetFlow v5/v9, IPFIX, nfdump CSV, softflowctl
 * text all reduce to this).  Bidirectional IPFIX (RFC 5103) fills the rev_*
 * fields; every other input leaves them 0 and sends the reverse direction as
 * a record of its own.
 */
#ifndef FLOWGRAB_FLOW_H
#define FLOWGRAB_FLOW_H

#include <stdint.h>

#define FLOW_F_BIDIR    0x01u /* rev_* fields are valid (RFC 5103) */
#define FLOW_F_SAMPLED  0x02u /* exporter samples packets: counts are not exact */

struct flow_record {
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* IP protocol number (6 = TCP) */
	uint8_t tcp_flags;      /* OR of the TCP flags seen, src -> dst */
	uint8_t rev_tcp_flags;  /* the same for dst -> src (BIDIR only) */
	uint8_t flags;          /* FLOW_F_* */
	uint8_t src[16];        /* network order; IPv4 in the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport, dport;  /* host order */
	uint64_t octets;        /* IP bytes src -> dst (IP headers included) */
	uint64_t packets;
	uint64_t rev_octets;    /* dst -> src, BIDIR only */
	uint64_t rev_packets;
	int64_t start_ms;       /* first packet, Unix time in ms (UTC) */
	int64_t end_ms;         /* last packet */
	uint32_t sampling;      /* 1-in-N packet sampling, 0 or 1 = none */
	uint8_t exporter_family;/* 0 (file input), 4 or 6 */
	uint8_t exporter[16];   /* address the datagram came from */
};

/* Called for each record; return 0 to go on, non-zero to stop reading. */
typedef int (*flow_sink)(const struct flow_record *r, void *arg);

#endif
