/*
 * netflow9.c - NetFlow v9 datagrams (RFC 3954): a 20-byte header, then
 * flowsets: 0 = templates, 1 = options templates, >= 256 = data.  The
 * header's record count is not trusted (exporters disagree on what it
 * counts); flowset lengths are.  softflowd does not pad flowsets to 32
 * bits, so a flowset may start at any offset.
 */
#include "config.h"

#include <string.h>

#include "input-int.h"

#define V9_HEADER 20

int flow__netflow9(struct flow__ctx *c, const uint8_t *buf, size_t len)
{
	size_t pos;
	const char *why = NULL;
	int pass;

	if (len < V9_HEADER)
		return flow__malformed(c, FLOW_BAD_SHORT,
		    "NetFlow v9 datagram of %zu bytes is shorter than its header", len);
	c->uptime_ms = flow__be32(buf + 4);
	c->export_ms = (int64_t)flow__be32(buf + 8) * 1000;
	c->ex = flow__exporter_get(c, 9, flow__be32(buf + 16));

	/* Pass 0 checks the structure, so that a bad datagram is dropped
	 * whole; pass 1 learns templates and decodes data. */
	for (pass = 0; pass < 2; pass++) {
		pos = V9_HEADER;
		while (len - pos >= 4) {
			uint16_t id = flow__be16(buf + pos);
			uint16_t fl = flow__be16(buf + pos + 2);
			const uint8_t *body = buf + pos + 4;
			int rc;

			if (fl < 4 || fl > len - pos) {
				if (id == 0 && fl == 0 && pos > V9_HEADER)
					break;  /* trailing zero padding */
				return flow__malformed(c, FLOW_BAD_SET,
				    "flowset %u at offset %zu has length %u, %zu bytes left",
				    id, pos, fl, len - pos);
			}
			if (id == 0 || id == 1) {
				rc = flow__templates(c, 0, id == 1, body, fl - 4u, pass == 0, &why);
				if (rc == -1)
					return flow__malformed(c, FLOW_BAD_TEMPLATE,
					    "%s template flowset at offset %zu: %s",
					    id ? "options" : "data", pos, why);
				if (rc == -2)
					return 0;
			} else if (id >= 256 && pass == 1) {
				const struct flow__template *t = flow__template_find(c->ex, id);

				if (!t) {
					flow__hold(c, id, body, fl - 4u);
				} else {
					rc = flow__data_set(c, t, body, fl - 4u, &why);
					/* only a template with a variable-length
					 * field can overrun (H3C/HPE NetStream) */
					if (rc == -1)
						return flow__malformed(c, FLOW_BAD_RECORD,
						    "data flowset %u at offset %zu: %s", id,
						    pos, why);
					if (rc == -2)
						return 0;
				}
			}
			/* 2..255 are reserved: skipped */
			pos += fl;
		}
	}
	return 0;
}
