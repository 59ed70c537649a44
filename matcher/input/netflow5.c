/*
 * netflow5.c - NetFlow v5 datagrams: a 24-byte header and up to 30 fixed
 * 48-byte IPv4 records (Cisco's "NetFlow Export Datagram Format"; the
 * layout softflowd's netflow5.c writes).  No templates.
 */
#include "config.h"

#include <string.h>

#include "input-int.h"

#define V5_HEADER 24
#define V5_RECORD 48
#define V5_MAX_COUNT 30

int flow__netflow5(struct flow__ctx *c, const uint8_t *buf, size_t len)
{
	unsigned count, i, rate;
	struct flow_record r;

	if (len < V5_HEADER)
		return flow__malformed(c, FLOW_BAD_SHORT,
		    "NetFlow v5 datagram of %zu bytes is shorter than its header", len);
	count = flow__be16(buf + 2);
	if (count == 0 || count > V5_MAX_COUNT)
		return flow__malformed(c, FLOW_BAD_LENGTH,
		    "NetFlow v5 record count %u (1..30 allowed)", count);
	if (len < V5_HEADER + (size_t)count * V5_RECORD)
		return flow__malformed(c, FLOW_BAD_LENGTH,
		    "NetFlow v5 header says %u records (%u bytes) but the datagram has %zu",
		    count, V5_HEADER + count * V5_RECORD, len);
	c->uptime_ms = flow__be32(buf + 4);
	c->export_ms = (int64_t)flow__be32(buf + 8) * 1000 + flow__be32(buf + 12) / 1000000;
	/* sampling_interval: 2 bits mode, 14 bits interval */
	rate = flow__be16(buf + 22) & 0x3fff;
	c->ex = flow__exporter_get(c, 5, 0);
	c->ex->sampling = rate > 1 ? rate : 0;
	for (i = 0; i < count; i++) {
		const uint8_t *p = buf + V5_HEADER + (size_t)i * V5_RECORD;

		memset(&r, 0, sizeof(r));
		r.family = 4;
		memcpy(r.src, p, 4);
		memcpy(r.dst, p + 4, 4);
		r.packets = flow__be32(p + 16);
		r.octets = flow__be32(p + 20);
		/* First/Last are sysUpTime ms; modulo 2^32 like v9 */
		r.start_ms = c->export_ms - (int64_t)(uint32_t)(c->uptime_ms - flow__be32(p + 24));
		r.end_ms = c->export_ms - (int64_t)(uint32_t)(c->uptime_ms - flow__be32(p + 28));
		if (r.end_ms < r.start_ms)
			r.end_ms = r.start_ms;
		r.sport = flow__be16(p + 32);
		r.dport = flow__be16(p + 34);
		r.tcp_flags = p[37];
		r.proto = p[38];
		if (flow__emit(c, &r))
			return 0;
	}
	return 0;
}
