/*
 * metrics-http.c - the --metrics HTTP responder (see metrics-http.h).
 *
 * HTTP/1.0-style: read until the blank line that ends the request head,
 * answer, close.  Prometheus scrapes that way without trouble, and it
 * keeps the state per client to one buffer in and one out.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics-http.h"

struct metrics_client {
	int fd;                     /* -1: free */
	double since;
	size_t nreq;
	char req[METRICS_HTTP_REQ + 1];
	char *out;                  /* reply being written */
	size_t nout, sent;
};

struct metrics_http {
	int fd;
	int port;
	struct metrics_client cl[METRICS_HTTP_CLIENTS];
};

static int parse_spec(const char *spec, struct sockaddr_storage *ss,
    socklen_t *sl)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port_s;
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = '\0';
		port_s = rb + 2;
	} else if (strchr(spec, ':')) {
		const char *colon = strchr(spec, ':');

		if (strchr(colon + 1, ':') || (size_t)(colon - spec) >= sizeof(host))
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port_s = colon + 1;
	} else {
		/* only a port: loopback, never every address by accident */
		snprintf(host, sizeof(host), "127.0.0.1");
		port_s = spec;
	}
	if (fg_parse_uint(port_s, 0, 65535, &port) < 0)
		return -1;
	if (spec[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
	}
	return 0;
}

struct metrics_http *metrics_http_open(const char *spec, char *err,
    size_t errlen)
{
	struct metrics_http *h;
	struct sockaddr_storage ss, b;
	socklen_t sl = 0, bl = sizeof(b);
	int fd, on = 1, i;

	if (parse_spec(spec, &ss, &sl) < 0) {
		snprintf(err, errlen, "--metrics %s: use PORT, IPv4:PORT or "
		    "[IPv6]:PORT", spec);
		return NULL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "--metrics %s: socket: %s", spec,
		    strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 8) < 0) {
		snprintf(err, errlen, "--metrics %s: %s", spec, strerror(errno));
		close(fd);
		return NULL;
	}
	h = fg_calloc(1, sizeof(*h));
	h->fd = fd;
	for (i = 0; i < METRICS_HTTP_CLIENTS; i++)
		h->cl[i].fd = -1;
	if (getsockname(fd, (struct sockaddr *)&b, &bl) == 0)
		h->port = ntohs(b.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&b)->sin_port :
		    ((struct sockaddr_in6 *)&b)->sin6_port);
	return h;
}

int metrics_http_port(const struct metrics_http *h)
{
	return h->port;
}

int metrics_http_pollfds(const struct metrics_http *h, struct pollfd *p)
{
	int n = 0, i;

	p[n].fd = h->fd;
	p[n].events = POLLIN;
	p[n++].revents = 0;
	for (i = 0; i < METRICS_HTTP_CLIENTS; i++) {
		if (h->cl[i].fd < 0)
			continue;
		p[n].fd = h->cl[i].fd;
		p[n].events = h->cl[i].out ? POLLOUT : POLLIN;
		p[n++].revents = 0;
	}
	return n;
}

static void client_close(struct metrics_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->nreq = c->nout = c->sent = 0;
}

static void reply(struct metrics_client *c, int status, const char *reason,
    const char *ctype, const char *body, size_t nbody, int head_only)
{
	struct fg_buf b;

	fg_buf_init(&b, METRICS_HTTP_BODY_MAX + 512);
	fg_buf_printf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason,
	    ctype, nbody);
	if (!head_only)
		fg_buf_add(&b, body, nbody);
	c->out = fg_buf_take(&b, &c->nout);
	c->sent = 0;
}

static void answer(struct metrics_client *c, metrics_http_render render,
    void *arg)
{
	char method[8], path[64];
	const char *text = "text/plain; charset=utf-8";
	int head_only;

	if (sscanf(c->req, "%7s %63s", method, path) != 2) {
		reply(c, 400, "Bad Request", text, "bad request\n", 12, 0);
		return;
	}
	head_only = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head_only) {
		reply(c, 405, "Method Not Allowed", text, "GET only\n", 9, 0);
		return;
	}
	if (!strcmp(path, "/metrics") || !strncmp(path, "/metrics?", 9)) {
		struct fg_buf body;

		fg_buf_init(&body, METRICS_HTTP_BODY_MAX);
		if (render(&body, arg) < 0)
			reply(c, 500, "Internal Server Error", text,
			    "metrics too large\n", 18, head_only);
		else
			reply(c, 200, "OK", "text/plain; version=0.0.4; "
			    "charset=utf-8", body.data ? body.data : "",
			    body.len, head_only);
		fg_buf_free(&body);
	} else if (!strcmp(path, "/")) {
		static const char idx[] = "flowgrab-matcher: see /metrics\n";

		reply(c, 200, "OK", text, idx, sizeof(idx) - 1, head_only);
	} else {
		reply(c, 404, "Not Found", text, "not found\n", 10, head_only);
	}
}

static void on_readable(struct metrics_client *c, metrics_http_render render,
    void *arg)
{
	ssize_t n = recv(c->fd, c->req + c->nreq, METRICS_HTTP_REQ - c->nreq, 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->nreq += (size_t)n;
	c->req[c->nreq] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		answer(c, render, arg);
	else if (c->nreq == METRICS_HTTP_REQ)
		reply(c, 431, "Request Header Fields Too Large",
		    "text/plain; charset=utf-8", "request too large\n", 18, 0);
}

static void on_writable(struct metrics_client *c);

static void on_writable(struct metrics_client *c)
{
	ssize_t n = send(c->fd, c->out + c->sent, c->nout - c->sent,
	    MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent == c->nout)
		client_close(c);
}

void metrics_http_service(struct metrics_http *h, const struct pollfd *p,
    int n, double now, metrics_http_render render, void *arg)
{
	int i, k;

	for (k = 0; k < n; k++) {
		if (!p[k].revents)
			continue;
		if (p[k].fd == h->fd) {
			/* a few per pass; the rest wait in the backlog */
			for (i = 0; i < METRICS_HTTP_CLIENTS; i++) {
				int fd = accept4(h->fd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
				int j;

				if (fd < 0)
					break;
				for (j = 0; j < METRICS_HTTP_CLIENTS &&
				    h->cl[j].fd >= 0; j++)
					;
				if (j == METRICS_HTTP_CLIENTS) {
					close(fd);	/* busy: try again */
					continue;
				}
				h->cl[j].fd = fd;
				h->cl[j].since = now;
			}
			continue;
		}
		for (i = 0; i < METRICS_HTTP_CLIENTS; i++) {
			struct metrics_client *c = &h->cl[i];

			if (c->fd != p[k].fd)
				continue;
			if (c->out && (p[k].revents & (POLLOUT | POLLERR |
			    POLLHUP)))
				on_writable(c);
			else if (!c->out && (p[k].revents & (POLLIN | POLLERR |
			    POLLHUP))) {
				on_readable(c, render, arg);
				if (c->out)	/* most replies fit the socket */
					on_writable(c);
			}
			break;
		}
	}
	for (i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->cl[i].fd >= 0 && now - h->cl[i].since >
		    METRICS_HTTP_TIMEOUT)
			client_close(&h->cl[i]);
}

void metrics_http_close(struct metrics_http *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < METRICS_HTTP_CLIENTS; i++)
		client_close(&h->cl[i]);
	close(h->fd);
	free(h);
}
