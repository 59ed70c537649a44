/*
 * collector.c - the UDP collector: one non-blocking socket for NetFlow v5,
 * v9 and IPFIX (the decoders tell them apart by the version field), read
 * in batches with recvmmsg() so the core can poll() it beside its own
 * timers.
 *
 * "PORT" listens dual-stack on any address (IPv4 senders appear as
 * IPv4-mapped IPv6; decoder.c maps them back), "ADDR:PORT" on one IPv4
 * address, "[ADDR]:PORT" on one IPv6 address.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "input-int.h"
#include "util.h"

#define BATCH 64                 /* datagrams per recvmmsg() */
#define MAX_PER_READ 4096        /* datagrams per flow_collector_read() */
#define DGRAM_MAX 65536
#define RCVBUF (64 * 1024 * 1024)

struct flow_collector {
	int fd;
	int port;
	struct flow_decoder *dec;
	uint64_t recv_errors;
	int64_t last_expire_ms;
	uint8_t *bufs;                           /* BATCH * DGRAM_MAX */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint64_t dgrams_by_ver[FLOW_VERS], records_by_ver[FLOW_VERS];
};

/* The export version's counter slot, from the first two bytes. */
static int version_slot(const uint8_t *p, size_t len)
{
	unsigned v = len >= 2 ? (unsigned)p[0] << 8 | p[1] : 0;

	return v == 5 ? FLOW_VER_5 : v == 9 ? FLOW_VER_9 : v == 10 ?
	    FLOW_VER_10 : FLOW_VER_OTHER;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse @listen into a socket address; 0 or -1 with @err. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss,
    socklen_t *sl, int *dual, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port_s;
	uint64_t port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	*dual = 0;
	if (!listen || !*listen)
		goto bad;
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - listen - 1) >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, (size_t)(rb - listen - 1));
		host[rb - listen - 1] = '\0';
		port_s = rb + 2;
	} else if (strchr(listen, ':')) {
		const char *colon = strrchr(listen, ':');

		if (strchr(listen, ':') != colon || (size_t)(colon - listen) >= sizeof(host))
			goto bad;    /* a bare IPv6 address needs brackets */
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		port_s = colon + 1;
	} else {
		host[0] = '\0';
		port_s = listen;
	}
	errno = 0;
	port = strtoull(port_s, &end, 10);
	if (!*port_s || *end || errno || port > 65535 || *port_s == '-' || *port_s == '+')
		goto bad;
	if (listen[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
	} else if (host[0]) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
		*dual = 1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad --listen \"%s\": use PORT, IPv4:PORT or [IPv6]:PORT",
	    listen ? listen : "");
	return -1;
}

struct flow_collector *flow_collector_open(const char *listen, char *err, size_t errlen)
{
	struct flow_collector *c = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int dual, fd = -1, off = 0, size = RCVBUF, i;

	if (parse_listen(listen, &ss, &sl, &dual, err, errlen))
		goto out;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && dual && errno == EAFNOSUPPORT) {
		/* no IPv6 on this host: any IPv4 address then */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		uint16_t port = ((struct sockaddr_in6 *)&ss)->sin6_port;

		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		sl = sizeof(*s4);
		dual = 0;
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		snprintf(err, errlen, "--listen %s: socket: %s", listen, strerror(errno));
		goto out;
	}
	if (dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0) {
		snprintf(err, errlen, "--listen %s: cannot listen on IPv4 and IPv6: %s",
		    listen, strerror(errno));
		goto fail;
	}
	if (ss.ss_family == AF_INET6 && !dual) {
		int on = 1;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	}
	/* Bursts of export datagrams must wait in the kernel, not be lost:
	 * SO_RCVBUFFORCE passes net.core.rmem_max when we may (root). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "--listen %s: bind: %s", listen, strerror(errno));
		goto fail;
	}
	c = fg_calloc(1, sizeof(*c));
	c->fd = fd;
	{
		struct sockaddr_storage b;
		socklen_t bl = sizeof(b);

		if (getsockname(fd, (struct sockaddr *)&b, &bl) == 0)
			c->port = ntohs(b.ss_family == AF_INET ?
			    ((struct sockaddr_in *)&b)->sin_port :
			    ((struct sockaddr_in6 *)&b)->sin6_port);
	}
	c->dec = flow_decoder_new();
	c->bufs = fg_malloc((size_t)BATCH * DGRAM_MAX);
	for (i = 0; i < BATCH; i++) {
		c->iov[i].iov_base = c->bufs + (size_t)i * DGRAM_MAX;
		c->iov[i].iov_len = DGRAM_MAX;
	}
	goto out;
fail:
	close(fd);
out:
	return c;
}

int flow_collector_fd(const struct flow_collector *c)
{
	return c->fd;
}

int flow_collector_port(const struct flow_collector *c)
{
	return c->port;
}

int flow_collector_read(struct flow_collector *c, flow_sink sink, void *arg)
{
	int total = 0, n, i, rc;
	int64_t now = now_ms();

	if (now - c->last_expire_ms >= 1000) {
		flow_decoder_expire(c->dec, now);
		c->last_expire_ms = now;
	}
	while (total < MAX_PER_READ) {
		for (i = 0; i < BATCH; i++) {
			memset(&c->msgs[i].msg_hdr, 0, sizeof(c->msgs[i].msg_hdr));
			c->msgs[i].msg_hdr.msg_iov = &c->iov[i];
			c->msgs[i].msg_hdr.msg_iovlen = 1;
			c->msgs[i].msg_hdr.msg_name = &c->from[i];
			c->msgs[i].msg_hdr.msg_namelen = sizeof(c->from[i]);
		}
		n = recvmmsg(c->fd, c->msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->recv_errors++;
			break;
		}
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			int ver = version_slot(c->iov[i].iov_base,
			    c->msgs[i].msg_len);

			c->dgrams_by_ver[ver]++;
			rc = flow_decode_datagram(c->dec, c->iov[i].iov_base,
			    c->msgs[i].msg_len, (struct sockaddr *)&c->from[i], now,
			    sink, arg);
			if (rc > 0)
				c->records_by_ver[ver] += (uint64_t)rc;
			if (rc == FLOW_E_STOPPED)
				return FLOW_E_STOPPED;
		}
		total += n;
		if (n < BATCH)
			break;
	}
	return total;
}

void flow_collector_stats(const struct flow_collector *c, struct flow_input_stats *st)
{
	flow_decoder_stats(c->dec, st);
	st->recv_errors = c->recv_errors;
}

void flow_collector_by_version(const struct flow_collector *c,
    uint64_t datagrams[FLOW_VERS], uint64_t records[FLOW_VERS])
{
	memcpy(datagrams, c->dgrams_by_ver, sizeof(c->dgrams_by_ver));
	memcpy(records, c->records_by_ver, sizeof(c->records_by_ver));
}

void flow_collector_exporters(const struct flow_collector *c,
    flow_exporter_cb cb, void *arg)
{
	unsigned i;

	for (i = 0; i < FLOW_MAX_EXPORTERS; i++) {
		const struct flow__exporter *ex = &c->dec->ex[i];

		if (ex->used)
			cb(ex->family, ex->addr, ex->version, ex->domain,
			    ex->ntemplates, arg);
	}
}

void flow_collector_close(struct flow_collector *c)
{
	if (!c)
		return;
	close(c->fd);
	flow_decoder_free(c->dec);
	free(c->bufs);
	free(c);
}
