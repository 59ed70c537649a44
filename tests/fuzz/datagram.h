/*
 * datagram.h - the body of the flow decoder fuzz harnesses (included by
 * fuzz-netflow5.c, fuzz-netflow9.c, fuzz-ipfix.c, which name the version).
 * The input is one datagram, its version field forced so that every run
 * reaches that decoder, fed to a decoder that lives across runs so that
 * templates, held sets and exporters from earlier inputs are exercised too.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "../../matcher/input/input.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(const struct flow_record *r, void *arg)
{
	(void)arg;
	/* touch the record so a bad one shows under the sanitizers */
	return r->octets == 0xffffffffffffffffULL && r->family == 99;
}

static int fuzz_datagram(const uint8_t *data, size_t size, uint8_t version,
    const char *name)
{
	static struct flow_decoder *d;
	static uint8_t buf[65536];
	static int64_t now = 1795710000000LL;
	struct sockaddr_in from;

	if (!d) {
		fg_log_init(name, FG_LOG_QUIET);
		d = flow_decoder_new();
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	if (size >= 2) {
		buf[0] = 0;
		buf[1] = version;
	}
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0x7f000001u + (size ? data[size - 1] % 4 : 0));
	now += 1000;
	flow_decode_datagram(d, buf, size, (struct sockaddr *)&from, now, sink, NULL);
	return 0;
}
