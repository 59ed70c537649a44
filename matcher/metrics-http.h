/*
 * metrics-http.h - the small HTTP responder behind --metrics: serves
 * GET /metrics (Prometheus text format) from the collector's own poll
 * loop, so it needs no thread and no lock.
 *
 * Bounded so that it can never hold collection up: non-blocking sockets
 * only, at most METRICS_HTTP_CLIENTS clients at once (more are accepted
 * and closed at once), requests of at most METRICS_HTTP_REQ bytes, a
 * client gets METRICS_HTTP_TIMEOUT seconds for its request and reply,
 * one request per connection (Connection: close).
 */
#ifndef FLOWGRAB_METRICS_HTTP_H
#define FLOWGRAB_METRICS_HTTP_H

#include <poll.h>
#include <stddef.h>

#include "util.h"

#define METRICS_HTTP_CLIENTS 4
#define METRICS_HTTP_REQ 2048
#define METRICS_HTTP_TIMEOUT 5.0
#define METRICS_HTTP_BODY_MAX (1u << 20)

struct metrics_http;

/* Fill @body with the metrics text; return 0, or -1 (then 500). */
typedef int (*metrics_http_render)(struct fg_buf *body, void *arg);

/*
 * Listen on @spec: "PORT" (127.0.0.1), "ADDR:PORT" (IPv4) or
 * "[ADDR]:PORT" (IPv6); numeric addresses only.  Returns the responder,
 * or NULL with a message naming @spec in @err.
 */
struct metrics_http *metrics_http_open(const char *spec, char *err,
    size_t errlen);
/* The port bound (useful with port 0). */
int metrics_http_port(const struct metrics_http *h);
/* Put the sockets to watch into @p (room for 1 + METRICS_HTTP_CLIENTS);
 * returns how many. */
int metrics_http_pollfds(const struct metrics_http *h, struct pollfd *p);
/* Accept, read, answer and time out, as @p (filled by
 * metrics_http_pollfds() and polled) says; @now from fg_monotonic(). */
void metrics_http_service(struct metrics_http *h, const struct pollfd *p,
    int n, double now, metrics_http_render render, void *arg);
/* Close every socket; NULL is fine. */
void metrics_http_close(struct metrics_http *h);

#endif
