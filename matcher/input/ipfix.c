/*
 * ipfix.c - IPFIX messages (RFC 7011): a 16-byte header whose length must
 * equal the datagram, then sets: 2 = templates, 3 = options templates,
 * >= 256 = data, 4..255 reserved.  Template withdrawal, enterprise and
 * variable-length elements are handled in templates.c; RFC 5103 reverse
 * elements (softflowd -b) fill the rev_* fields.
 */
#include "config.h"

#include <string.h>

#include "input-int.h"

#define IPFIX_HEADER 16

int flow__ipfix(struct flow__ctx *c, const uint8_t *buf, size_t len)
{
	size_t pos, mlen;
	const char *why = NULL;
	int pass;

	if (len < IPFIX_HEADER)
		return flow__malformed(c, FLOW_BAD_SHORT,
		    "IPFIX message of %zu bytes is shorter than its header", len);
	mlen = flow__be16(buf + 2);
	if (mlen != len)
		return flow__malformed(c, FLOW_BAD_LENGTH,
		    "IPFIX header length %zu but the datagram has %zu bytes", mlen, len);
	c->export_ms = (int64_t)flow__be32(buf + 4) * 1000;
	c->ex = flow__exporter_get(c, 10, flow__be32(buf + 12));

	for (pass = 0; pass < 2; pass++) {
		pos = IPFIX_HEADER;
		while (pos < len) {
			uint16_t id, sl;
			const uint8_t *body;
			int rc;

			if (len - pos < 4)
				return flow__malformed(c, FLOW_BAD_SET,
				    "%zu stray bytes after the last set", len - pos);
			id = flow__be16(buf + pos);
			sl = flow__be16(buf + pos + 2);
			body = buf + pos + 4;
			if (sl < 4 || sl > len - pos)
				return flow__malformed(c, FLOW_BAD_SET,
				    "set %u at offset %zu has length %u, %zu bytes left",
				    id, pos, sl, len - pos);
			if (id == 2 || id == 3) {
				rc = flow__templates(c, 1, id == 3, body, sl - 4u, pass == 0, &why);
				if (rc == -1)
					return flow__malformed(c, FLOW_BAD_TEMPLATE,
					    "%s set at offset %zu: %s",
					    id == 3 ? "options template" : "template", pos, why);
				if (rc == -2)
					return 0;
			} else if (id >= 256 && pass == 1) {
				const struct flow__template *t = flow__template_find(c->ex, id);

				if (!t) {
					flow__hold(c, id, body, sl - 4u);
				} else {
					rc = flow__data_set(c, t, body, sl - 4u, &why);
					if (rc == -1)
						return flow__malformed(c, FLOW_BAD_RECORD,
						    "data set %u at offset %zu: %s", id, pos, why);
					if (rc == -2)
						return 0;
				}
			} else if (id < 2 && pass == 0) {
				/* 0 and 1 are v9 ids, never IPFIX (RFC 7011 3.3.2);
				 * 4..255 are reserved and skipped */
				return flow__malformed(c, FLOW_BAD_SET,
				    "reserved set id %u at offset %zu", id, pos);
			}
			pos += sl;
		}
	}
	return 0;
}
