/*
 * fg-testsrv.c - the crawler's own HTTP test server (as curl keeps one in
 * tests/server): one process, one poll() loop, serving on 127.0.0.1 what
 * nginx will not produce on purpose.
 *
 *   /tree/...          a generated vendor tree (--tree DIRSxFILES): listing
 *                      pages and files of deterministic sizes, never on disk
 *   /m/...             one URL per misbehaviour (see route_misc())
 *   /robots.txt        --robots FILE / --robots-status N (default 404) /
 *                      --robots-size N (generated, N bytes)
 *
 * Every response can be held back by --delay-ms (a stand-in for a round
 * trip).  --log FILE gets one line per response: "seconds method path
 * status body-bytes-sent"; tests read it to see what the crawler asked.
 * (and the User-Agent, spaces as '_').
 * The server exits by itself after --lifetime seconds (default 600) so a
 * test that dies cannot leave it behind for long.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define REQ_MAX 16384
#define ZERO_CHUNK 65536

enum conn_state { C_READ, C_WAIT, C_WRITE, C_DRIP, C_STALL };

struct conn {
	int fd;
	enum conn_state state;
	char req[REQ_MAX + 1];
	size_t reqlen;
	char *out;               /* headers + static body */
	size_t outlen, outoff;
	uint64_t gen_left;       /* zero bytes still to generate */
	int chunked;             /* generated body is sent chunked */
	int gen_text;            /* generated body is padding text, not zeros */
	int chunk_end_sent;
	double wake_at;          /* C_WAIT / C_DRIP: when to go on */
	double drip_every;
	int close_after;
	char method[16];
	char path[2048];
	char ua[256];            /* User-Agent, spaces as '_', for the log */
	int status;
	uint64_t body_sent;
	size_t head_len;         /* bytes of @out that are headers */
};

static struct conn *conns[MAX_CONNS];
static double t0;
static FILE *log_file;
static unsigned tree_dirs, tree_files;
static unsigned delay_ms;
static char *robots_text;
static int robots_status = 404;
static int validators;
static const char *redirect_to;  /* target of /m/away.bin */
static char **gone;
static size_t ngone;
static unsigned path_hits[64];   /* per misbehaviour URL, for 429 etc. */
static char zeros[ZERO_CHUNK];
static char padtext[ZERO_CHUNK]; /* "# padding...\n" lines, for --robots-size */
static uint64_t robots_size;     /* --robots-size: a generated robots.txt */
static char *million;            /* /m/million.html, built on first use */
static size_t million_len;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("fg-testsrv: malloc");
		exit(70);
	}
	return p;
}

/* ---- the generated tree ------------------------------------------- */

/* Sizes are spread around the 1 MiB default threshold: about one file in
 * eight is below it, the rest go up to ~4.8 GiB. */
static uint64_t tree_size(unsigned d, unsigned f)
{
	uint64_t h = (uint64_t)d * 2654435761u + (uint64_t)f * 40503u + 17;

	h ^= h >> 13;
	h *= 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	if (h % 8 == 0)
		return 1000 + h % 1000000;          /* below 1 MiB */
	return (1u << 20) + h % ((uint64_t)5 << 30);
}

struct body {
	char *p;
	size_t len, cap;
};

static void addf(struct body *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void addf(struct body *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(70);
	}
}

static void body_init(struct body *b)
{
	b->cap = 4096;
	b->len = 0;
	b->p = xmalloc(b->cap);
	b->p[0] = '\0';
}

/* ---- responses -------------------------------------------------------- */

static const char *reason(int st)
{
	switch (st) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Whatever";
	}
}

/* Set the response: status, extra header lines (each ending CRLF), a
 * static body (copied) and/or generated zero bytes. */
static void respond(struct conn *c, int st, const char *extra,
    const char *body, size_t blen, int send_len, uint64_t gen, int chunked)
{
	struct body b;
	int head = strcmp(c->method, "HEAD") == 0;

	body_init(&b);
	addf(&b, "HTTP/1.1 %d %s\r\nServer: fg-testsrv\r\n", st, reason(st));
	if (extra)
		addf(&b, "%s", extra);
	if (chunked)
		addf(&b, "Transfer-Encoding: chunked\r\n");
	else if (send_len)
		addf(&b, "Content-Length: %" PRIu64 "\r\n", (uint64_t)blen + gen);
	if (c->close_after)
		addf(&b, "Connection: close\r\n");
	addf(&b, "\r\n");
	c->head_len = b.len;
	if (!head && body && blen) {
		if (b.cap < b.len + blen + 1) {
			b.cap = b.len + blen + 1;
			b.p = realloc(b.p, b.cap);
			if (!b.p)
				exit(70);
		}
		memcpy(b.p + b.len, body, blen);
		b.len += blen;
	}
	c->out = b.p;
	c->outlen = b.len;
	c->outoff = 0;
	c->gen_left = head ? 0 : gen;
	c->gen_text = 0;
	c->chunked = chunked && !head;
	c->chunk_end_sent = 0;
	c->status = st;
}

static const char *header(struct conn *c, const char *name)
{
	static char val[1024];
	size_t nl = strlen(name);
	char *p = strstr(c->req, "\r\n");

	while (p && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			char *v = p + nl + 1;
			size_t n;

			while (*v == ' ')
				v++;
			n = strcspn(v, "\r\n");
			if (n >= sizeof(val))
				n = sizeof(val) - 1;
			memcpy(val, v, n);
			val[n] = '\0';
			return val;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* Serve a file of @size bytes honouring HEAD and "Range: bytes=a-b". */
static void serve_file(struct conn *c, uint64_t size, const char *ctype)
{
	const char *range = header(c, "Range");
	char extra[512];
	unsigned long long a, b;

	if (range && sscanf(range, "bytes=%llu-%llu", &a, &b) == 2 &&
	    a <= b && a < size) {
		if (b >= size)
			b = size - 1;
		snprintf(extra, sizeof(extra), "Content-Type: %s\r\n"
		    "Content-Range: bytes %llu-%llu/%" PRIu64 "\r\n"
		    "Accept-Ranges: bytes\r\n", ctype, a, b, size);
		respond(c, 206, extra, NULL, 0, 1, b - a + 1, 0);
		return;
	}
	snprintf(extra, sizeof(extra), "Content-Type: %s\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "ETag: \"%" PRIx64 "\"\r\n"
	    "Last-Modified: Tue, 03 Mar 2026 10:00:00 GMT\r\n", ctype, size);
	respond(c, 200, extra, NULL, 0, 1, size, 0);
}

static int is_gone(const char *path)
{
	size_t i;

	for (i = 0; i < ngone; i++)
		if (strcmp(gone[i], path) == 0)
			return 1;
	return 0;
}

static void html(struct conn *c, int st, const char *extra, struct body *b)
{
	char hdr[1024];

	snprintf(hdr, sizeof(hdr), "Content-Type: text/html\r\n%s",
	    extra ? extra : "");
	respond(c, st, hdr, b->p, b->len, 1, 0, 0);
	free(b->p);
}

/* A listing page, with validators when --validators is on. */
static void listing(struct conn *c, struct body *b)
{
	char extra[256];
	uint64_t h = 1469598103934665603ull;
	size_t i;
	const char *inm;

	if (!validators) {
		html(c, 200, NULL, b);
		return;
	}
	for (i = 0; i < b->len; i++)
		h = (h ^ (unsigned char)b->p[i]) * 1099511628211ull;
	snprintf(extra, sizeof(extra), "ETag: \"%016" PRIx64 "\"\r\n"
	    "Last-Modified: Mon, 02 Mar 2026 09:00:00 GMT\r\n", h);
	inm = header(c, "If-None-Match");
	if (inm) {
		char tag[40];

		snprintf(tag, sizeof(tag), "\"%016" PRIx64 "\"", h);
		if (strcmp(inm, tag) == 0) {
			respond(c, 304, extra, NULL, 0, 0, 0, 0);
			free(b->p);
			return;
		}
	}
	html(c, 200, extra, b);
}

static void route_tree(struct conn *c, const char *p)
{
	struct body b;
	unsigned d, f, i;
	char tail;

	body_init(&b);
	if (strcmp(p, "") == 0) {
		addf(&b, "<html><head><title>Index of /tree/</title></head><body>"
		    "<h1>Index of /tree/</h1><hr><pre><a href=\"../\">../</a>\n"
		    "<a href=\"?C=N;O=D\">Name</a> <a href=\"?C=M;O=A\">Date</a>\n");
		for (i = 0; i < tree_dirs; i++)
			addf(&b, "<a href=\"d%03u/\">d%03u/</a>   02-Mar-2026 09:00"
			    "       -\n", i, i);
		addf(&b, "<a href=\"private/\">private/</a>\n"
		    "<a href=\"http://outside.invalid/x.bin\">elsewhere</a>\n"
		    "</pre><hr></body></html>\n");
		listing(c, &b);
		return;
	}
	if (strcmp(p, "private/") == 0) {
		addf(&b, "<html><body><a href=\"secret.bin\">secret.bin</a>"
		    "</body></html>\n");
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "private/secret.bin") == 0) {
		free(b.p);
		serve_file(c, 50u << 20, "application/octet-stream");
		return;
	}
	if (sscanf(p, "d%3u/%c", &d, &tail) == 1 && d < tree_dirs &&
	    strlen(p) == 5) {
		addf(&b, "<html><head><title>Index of /tree/d%03u/</title></head>"
		    "<body><h1>Index of /tree/d%03u/</h1><hr><pre>"
		    "<a href=\"../\">../</a>\n", d, d);
		for (i = 0; i < tree_files; i++)
			addf(&b, "<a href=\"f%05u.bin\">f%05u.bin</a>  02-Mar-2026"
			    " 09:00  %" PRIu64 "\n", i, i, tree_size(d, i));
		addf(&b, "<a href=\"NOTES.txt\">NOTES.txt</a>\n"
		    "</pre><hr></body></html>\n");
		listing(c, &b);
		return;
	}
	free(b.p);
	if (sscanf(p, "d%3u/f%5u.bi%c", &d, &f, &tail) == 3 && tail == 'n' &&
	    d < tree_dirs && f < tree_files && strlen(p) == 15) {
		char path[64];

		snprintf(path, sizeof(path), "/tree/%s", p);
		if (is_gone(path)) {
			respond(c, 404, NULL, "gone\n", 5, 1, 0, 0);
			return;
		}
		serve_file(c, tree_size(d, f), "application/octet-stream");
		return;
	}
	if (sscanf(p, "d%3u/NOTES.tx%c", &d, &tail) == 2 && d < tree_dirs) {
		respond(c, 200, "Content-Type: text/plain\r\n", "notes\n", 6, 1,
		    0, 0);
		return;
	}
	respond(c, 404, NULL, "not found\n", 10, 1, 0, 0);
}

/* Count of hits on a named misbehaviour URL, for "first time 429". */
static unsigned hit(unsigned slot)
{
	return ++path_hits[slot % 64];
}

static void route_misc(struct conn *c, const char *p)
{
	struct body b;
	int head = strcmp(c->method, "HEAD") == 0;
	int i;

	if (strcmp(p, "index.html") == 0) {
		body_init(&b);
		addf(&b, "<html><body>\n");
		static const char *const links[] = {
			"nolen.bin", "h405.bin", "norange.bin", "norange-cl.bin",
			"redir1.bin", "loop1.bin", "429.bin", "503.bin",
			"final.bin", "small.bin", "gone.bin", "redir-out.bin",
			NULL
		};
		for (i = 0; links[i]; i++)
			addf(&b, "<a href=\"%s\">%s</a>\n", links[i], links[i]);
		addf(&b, "</body></html>\n");
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "nolen.bin") == 0) {	/* HEAD: chunked, no length */
		if (head) {
			respond(c, 200, "Content-Type: application/octet-stream\r\n",
			    NULL, 0, 0, 0, 1);
			return;
		}
		serve_file(c, 123456789, "application/octet-stream");
		return;
	}
	if (strcmp(p, "h405.bin") == 0) {	/* HEAD not allowed */
		if (head) {
			respond(c, 405, "Allow: GET\r\n", NULL, 0, 1, 0, 0);
			return;
		}
		serve_file(c, 22222222, "application/octet-stream");
		return;
	}
	if (strcmp(p, "norange.bin") == 0) {
		/* HEAD refused, Range ignored: the whole 4 GiB, chunked */
		if (head) {
			respond(c, 405, NULL, NULL, 0, 1, 0, 0);
			return;
		}
		respond(c, 200, "Content-Type: application/octet-stream\r\n",
		    NULL, 0, 0, (uint64_t)4 << 30, 1);
		return;
	}
	if (strcmp(p, "norange-cl.bin") == 0) {
		/* HEAD forbidden, Range ignored, but the length is given */
		if (head) {
			respond(c, 403, NULL, NULL, 0, 1, 0, 0);
			return;
		}
		respond(c, 200, "Content-Type: application/octet-stream\r\n",
		    NULL, 0, 1, (uint64_t)3 << 30, 0);
		return;
	}
	if (strcmp(p, "redir1.bin") == 0) {
		respond(c, 302, "Location: /m/redir2.bin\r\n", NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "redir2.bin") == 0) {
		respond(c, 301, "Location: final.bin\r\n", NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "away.bin") == 0 && redirect_to) {	/* another host */
		char loc[1200];

		snprintf(loc, sizeof(loc), "Location: %s\r\n", redirect_to);
		respond(c, 302, loc, NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "redir-out.bin") == 0) {	/* to a scheme we refuse */
		respond(c, 302, "Location: ftp://127.0.0.1/x.bin\r\n", NULL, 0,
		    1, 0, 0);
		return;
	}
	if (strcmp(p, "loop1.bin") == 0) {
		respond(c, 302, "Location: /m/loop2.bin\r\n", NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "loop2.bin") == 0) {
		respond(c, 302, "Location: /m/loop1.bin\r\n", NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "final.bin") == 0) {
		serve_file(c, 33333333, "application/x-iso9660-image");
		return;
	}
	if (strcmp(p, "gz.bin") == 0) {
		/* compressed for whoever asks for gzip: the length is then not
		 * the file's (1000 'x' bytes compressed to 29) */
		static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00"
		    "\x02\xff\xab\xa8\x18\x05\xa3\x60\x14\x0c\x77\x00\x00"
		    "\xe6\xc9\x41\x3b\xe8\x03\x00\x00";
		const char *ae = header(c, "Accept-Encoding");

		if (!head && ae && strstr(ae, "gzip")) {
			respond(c, 200, "Content-Type: application/octet-stream\r\n"
			    "Content-Encoding: gzip\r\n", gz, sizeof(gz) - 1, 1, 0,
			    0);
			return;
		}
		serve_file(c, 88888888, "application/octet-stream");
		return;
	}
	if (strcmp(p, "small.bin") == 0) {
		serve_file(c, 1000, "application/octet-stream");
		return;
	}
	if (strcmp(p, "gone.bin") == 0) {
		if (is_gone("/m/gone.bin")) {
			respond(c, 410, NULL, "gone\n", 5, 1, 0, 0);
			return;
		}
		serve_file(c, 44444444, "application/octet-stream");
		return;
	}
	if (strcmp(p, "429.bin") == 0) {
		if (hit(1) == 1) {
			respond(c, 429, "Retry-After: 2\r\n", "slow down\n", 10, 1,
			    0, 0);
			return;
		}
		serve_file(c, 55555555, "application/octet-stream");
		return;
	}
	if (strcmp(p, "503.bin") == 0) {
		if (hit(2) <= 2) {
			respond(c, 503, NULL, "busy\n", 5, 1, 0, 0);
			return;
		}
		serve_file(c, 66666666, "application/octet-stream");
		return;
	}
	if (strncmp(p, "trap/", 5) == 0) {
		/* every URL below /m/trap/ is a page linking deeper ones */
		body_init(&b);
		addf(&b, "<html><body><a href=\"x/\">deeper</a>"
		    "<a href=\"x/y/\">deeper still</a>"
		    "<a href=\"?C=N;O=D\">sort</a><a href=\"?C=S;O=A\">sort</a>"
		    "<a href=\"cal.html?year=2031&amp;month=%d\">next month</a>"
		    "<a href=\"page.html;jsessionid=%d\">session</a>"
		    "<a href=\"list.html?PHPSESSID=%d\">session</a>"
		    "<a href=\"trap.bin\">file</a></body></html>\n",
		    (int)(now() * 1000) % 12, rand(), rand());
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "slow.html") == 0) {	/* 1 byte every 0.5 s */
		respond(c, 200, "Content-Type: text/html\r\n",
		    "<html><body><a href='slow.bin'>x</a></body></html>\n", 51,
		    1, 0, 0);
		c->drip_every = 0.5;
		return;
	}
	if (strcmp(p, "stall.html") == 0) {	/* headers, 10 bytes, silence */
		respond(c, 200, "Content-Type: text/html\r\n",
		    "<html><bod", 10, 0, 0, 0);
		c->outlen = c->head_len + 10;
		c->drip_every = -1;
		return;
	}
	if (strcmp(p, "huge.html") == 0) {	/* 24 MiB page */
		size_t total = 24u << 20, n;

		body_init(&b);
		addf(&b, "<html><body><a href=\"huge-early.bin\">early</a>\n");
		while (b.len < total - 200)
			addf(&b, "<p>padding padding padding padding padding padding"
			    " padding padding padding padding padding</p>\n");
		addf(&b, "<a href=\"huge-late.bin\">late</a></body></html>\n");
		n = b.len;
		(void)n;
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "huge-early.bin") == 0 || strcmp(p, "huge-late.bin") == 0 ||
	    strcmp(p, "slow.bin") == 0 || strcmp(p, "b1.bin") == 0 ||
	    strcmp(p, "b2.bin") == 0 || strcmp(p, "b3.bin") == 0 ||
	    strcmp(p, "caf%C3%A9.bin") == 0 || strcmp(p, "sjis.bin") == 0 ||
	    strcmp(p, "%E3%83%86%E3%82%B9%E3%83%88.bin") == 0 ||
	    strcmp(p, "trap/trap.bin") == 0) {
		serve_file(c, 7777777 + strlen(p), "application/octet-stream");
		return;
	}
	if (strcmp(p, "broken.html") == 0) {
		static const char page[] =
		    "<html><head><title>broken<body><table><tr><td>"
		    "<a href=b1.bin>one<td><a href=\"b2.bin\" <b>two</a>"
		    "<p><div><a href='b3.bin'>three</div></span></table>"
		    "<script>document.write('<a href=\"nope.bin\">')</script>"
		    "<!-- <a href=\"comment.bin\"> -->\n";
		respond(c, 200, "Content-Type: text/html\r\n", page,
		    sizeof(page) - 1, 1, 0, 0);
		return;
	}
	/* ---- hostile servers (tests/crawler/hostile.sh) ---- */
	if (strcmp(p, "hostile.html") == 0) {
		static const char page[] = "<html><body>"
		    "<a href=\"headhang.bin\">HEAD hangs</a>"
		    "<a href=\"crange.bin\">Content-Range lies</a>"
		    "<a href=\"cl-long.html\">Content-Length too long</a>"
		    "<a href=\"cl-short.html\">Content-Length too short</a>"
		    "</body></html>\n";

		respond(c, 200, "Content-Type: text/html\r\n", page,
		    sizeof(page) - 1, 1, 0, 0);
		return;
	}
	if (strcmp(p, "drip.html") == 0 ||
	    (strncmp(p, "drips/p", 7) == 0 && strstr(p, ".html"))) {
		/* a page sent one byte a second */
		body_init(&b);
		addf(&b, "<html><body><a href=\"dripped.bin\">x</a>");
		while (b.len < 1000)
			addf(&b, "<p>drip</p>");
		addf(&b, "</body></html>\n");
		html(c, 200, NULL, &b);
		c->drip_every = 1.0;
		return;
	}
	if (strcmp(p, "drips/") == 0) {		/* a listing of drip pages */
		body_init(&b);
		addf(&b, "<html><body>\n");
		for (i = 0; i < 12; i++)
			addf(&b, "<a href=\"p%d.html\">p%d</a>\n", i, i);
		addf(&b, "</body></html>\n");
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "headhang.bin") == 0) {	/* HEAD hangs, GET works */
		if (head) {
			respond(c, 200, NULL, NULL, 0, 0, 0, 0);
			c->outlen = 0;
			c->drip_every = -1;
			return;
		}
		serve_file(c, 31313131, "application/octet-stream");
		return;
	}
	if (strcmp(p, "cl-long.html") == 0) {
		/* Content-Length says 100000, 200 bytes come, then close */
		body_init(&b);
		addf(&b, "<html><body><a href=\"cl-long.bin\">x</a>");
		while (b.len < 200)
			addf(&b, " ");
		c->close_after = 1;
		respond(c, 200, "Content-Type: text/html\r\n"
		    "Content-Length: 100000\r\n", b.p, b.len, 0, 0, 0);
		free(b.p);
		return;
	}
	if (strcmp(p, "cl-short.html") == 0) {
		/* Content-Length says 60, the body goes on with a link */
		body_init(&b);
		addf(&b, "<html><body><a href=\"cl-short.bin\">first</a>");
		while (b.len < 60)
			addf(&b, " ");
		addf(&b, "<a href=\"cl-beyond.bin\">beyond the length</a>"
		    "</body></html>\n");
		c->close_after = 1;
		respond(c, 200, "Content-Type: text/html\r\n"
		    "Content-Length: 60\r\n", b.p, b.len, 0, 0, 0);
		free(b.p);
		return;
	}
	if (strcmp(p, "cl-long.bin") == 0 || strcmp(p, "cl-short.bin") == 0 ||
	    strcmp(p, "cl-beyond.bin") == 0) {
		serve_file(c, 5555555 + strlen(p), "application/octet-stream");
		return;
	}
	if (strcmp(p, "crange.bin") == 0) {
		/* HEAD refused; the Range answer's total and length disagree */
		if (head) {
			respond(c, 405, NULL, NULL, 0, 1, 0, 0);
			return;
		}
		respond(c, 206, "Content-Type: application/octet-stream\r\n"
		    "Content-Range: bytes 0-0/9000000\r\n", NULL, 0, 1, 4000, 0);
		return;
	}
	if (strcmp(p, "million.html") == 0) {	/* a listing of 10^6 links */
		if (!million) {
			body_init(&b);
			addf(&b, "<html><body><pre>\n");
			for (i = 0; i < 1000000; i++)
				addf(&b, "<a href=\"million/f%07d.bin\">f%07d</a>\n",
				    i, i);
			addf(&b, "</pre></body></html>\n");
			million = b.p;
			million_len = b.len;
		}
		respond(c, 200, "Content-Type: text/html\r\n", million,
		    million_len, 1, 0, 0);
		return;
	}
	if (strncmp(p, "maze/", 5) == 0 && p[strlen(p) - 1] == '/') {
		/* a server that invents paths: every directory links three
		 * new ones with names never seen before */
		body_init(&b);
		addf(&b, "<html><body>\n");
		for (i = 0; i < 3; i++)
			addf(&b, "<a href=\"%08lx/\">deeper</a>\n",
			    (unsigned long)random());
		addf(&b, "</body></html>\n");
		html(c, 200, NULL, &b);
		return;
	}
	if (strcmp(p, "latin1.html") == 0) {
		static const char page[] =
		    "<html><body><a href=\"caf\xe9.bin\">caf\xe9</a></body></html>";
		respond(c, 200, "Content-Type: text/html; charset=ISO-8859-1\r\n",
		    page, sizeof(page) - 1, 1, 0, 0);
		return;
	}
	if (strcmp(p, "sjis.html") == 0) {
		static const char page[] =
		    "<html><body><a href=\"\x83\x65\x83\x58\x83\x67.bin\">t</a>"
		    "</body></html>";
		respond(c, 200, "Content-Type: text/html; charset=Shift_JIS\r\n",
		    page, sizeof(page) - 1, 1, 0, 0);
		return;
	}
	respond(c, 404, NULL, "not found\n", 10, 1, 0, 0);
}

static void route(struct conn *c)
{
	const char *p = c->path;

	if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0) {
		respond(c, 405, NULL, NULL, 0, 1, 0, 0);
		return;
	}
	if (strcmp(p, "/robots.txt") == 0) {
		if (robots_size) {
			/* a rule, then padding up to --robots-size bytes */
			static const char rules[] = "User-agent: *\n"
			    "Disallow: /tree/d001/\n";

			respond(c, 200, "Content-Type: text/plain\r\n", rules,
			    sizeof(rules) - 1, 1, robots_size > sizeof(rules) ?
			    robots_size - (sizeof(rules) - 1) : 0, 0);
			c->gen_text = 1;
			return;
		}
		if (robots_text && robots_status == 200)
			respond(c, 200, "Content-Type: text/plain\r\n", robots_text,
			    strlen(robots_text), 1, 0, 0);
		else
			respond(c, robots_status, NULL, "no robots\n", 10, 1, 0, 0);
		return;
	}
	if (strncmp(p, "/tree/", 6) == 0 && tree_dirs) {
		route_tree(c, p + 6);
		return;
	}
	if (strncmp(p, "/m/", 3) == 0) {
		route_misc(c, p + 3);
		return;
	}
	respond(c, 404, NULL, "not found\n", 10, 1, 0, 0);
}

/* ---- connections -------------------------------------------------------- */

static void log_response(struct conn *c)
{
	if (!log_file || !c->method[0])
		return;
	fprintf(log_file, "%.3f %s %s %d %" PRIu64 " %s\n", now() - t0,
	    c->method, c->path, c->status, c->body_sent, c->ua);
	fflush(log_file);
}

static void conn_close(int i)
{
	struct conn *c = conns[i];

	if (c->state == C_WRITE || c->state == C_DRIP || c->state == C_STALL)
		log_response(c);	/* cut short by the client */
	close(c->fd);
	free(c->out);
	free(c);
	conns[i] = NULL;
}

/* Try to parse a full request; 1 when one is ready. */
static int parse_request(struct conn *c)
{
	char *end = strstr(c->req, "\r\n\r\n");
	char ver[16];
	const char *conn_hdr;

	if (!end)
		return 0;
	if (sscanf(c->req, "%15s %2047s %15s", c->method, c->path, ver) != 3) {
		snprintf(c->method, sizeof(c->method), "BAD");
		snprintf(c->path, sizeof(c->path), "-");
		c->close_after = 1;
		respond(c, 400, NULL, NULL, 0, 1, 0, 0);
		return 1;
	}
	{
		const char *ua = header(c, "User-Agent");
		size_t i;

		snprintf(c->ua, sizeof(c->ua), "%s", ua ? ua : "-");
		for (i = 0; c->ua[i]; i++)
			if (c->ua[i] == ' ')
				c->ua[i] = '_';
	}
	conn_hdr = header(c, "Connection");
	c->close_after = strcmp(ver, "HTTP/1.0") == 0 ||
	    (conn_hdr && strcasecmp(conn_hdr, "close") == 0);
	c->body_sent = 0;
	c->drip_every = 0;
	route(c);
	return 1;
}

/* Drop the request just answered from the input buffer (pipelining). */
static void consume_request(struct conn *c)
{
	char *end = strstr(c->req, "\r\n\r\n");
	size_t used;

	if (!end) {
		c->reqlen = 0;
		c->req[0] = '\0';
		return;
	}
	used = (size_t)(end + 4 - c->req);
	memmove(c->req, c->req + used, c->reqlen - used);
	c->reqlen -= used;
	c->req[c->reqlen] = '\0';
}

static void start_response(struct conn *c)
{
	if (delay_ms) {
		c->state = C_WAIT;
		c->wake_at = now() + delay_ms / 1000.0;
	} else {
		c->state = C_WRITE;
	}
}

/* Write what can be written; returns -1 to close, 1 when done, 0 more. */
static int conn_write(struct conn *c)
{
	ssize_t n;

	if (c->state == C_DRIP || (c->drip_every > 0 && c->outoff >= c->head_len)) {
		if (c->outoff < c->outlen) {
			n = write(c->fd, c->out + c->outoff, 1);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			c->outoff++;
			c->body_sent++;
			c->state = C_DRIP;
			c->wake_at = now() + c->drip_every;
			return 0;
		}
		return 1;
	}
	while (c->outoff < c->outlen) {
		size_t want = c->outlen - c->outoff;

		if (c->drip_every > 0 && c->outoff < c->head_len)
			want = c->head_len - c->outoff;
		n = write(c->fd, c->out + c->outoff, want);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (c->outoff + (size_t)n > c->head_len)
			c->body_sent += c->outoff >= c->head_len ? (uint64_t)n :
			    c->outoff + (size_t)n - c->head_len;
		c->outoff += (size_t)n;
		if (c->drip_every > 0 && c->outoff >= c->head_len) {
			c->state = C_DRIP;
			c->wake_at = now() + c->drip_every;
			return 0;
		}
	}
	if (c->drip_every < 0) {	/* stall: keep the connection, say nothing */
		c->state = C_STALL;
		return 0;
	}
	while (c->gen_left > 0) {
		char hdr[32];
		size_t want = c->gen_left > ZERO_CHUNK ? ZERO_CHUNK :
		    (size_t)c->gen_left;

		if (c->chunked) {
			/* one chunk per write: header, data, CRLF */
			char buf[ZERO_CHUNK + 40];
			int hl = snprintf(hdr, sizeof(hdr), "%zx\r\n", want);

			memcpy(buf, hdr, (size_t)hl);
			memcpy(buf + hl, zeros, want);
			memcpy(buf + hl + want, "\r\n", 2);
			n = write(c->fd, buf, (size_t)hl + want + 2);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			if ((size_t)n < (size_t)hl + want + 2)
				return -1;	/* partial chunk: give up on it */
		} else {
			n = write(c->fd, c->gen_text ? padtext : zeros, want);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			want = (size_t)n;
		}
		c->gen_left -= want;
		c->body_sent += want;
	}
	if (c->chunked && !c->chunk_end_sent) {
		n = write(c->fd, "0\r\n\r\n", 5);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->chunk_end_sent = 1;
	}
	return 1;
}

static void conn_event(int i, short rev)
{
	struct conn *c = conns[i];
	ssize_t n;
	int r;

	if (rev & (POLLERR | POLLHUP | POLLNVAL)) {
		conn_close(i);
		return;
	}
	if (c->state == C_READ && (rev & POLLIN)) {
		n = read(c->fd, c->req + c->reqlen, REQ_MAX - c->reqlen);
		if (n <= 0) {
			conn_close(i);
			return;
		}
		c->reqlen += (size_t)n;
		c->req[c->reqlen] = '\0';
		if (c->reqlen >= REQ_MAX && !strstr(c->req, "\r\n\r\n")) {
			conn_close(i);
			return;
		}
	}
	if (c->state == C_STALL && (rev & POLLIN)) {
		char junk[512];

		n = read(c->fd, junk, sizeof(junk));
		if (n <= 0)
			conn_close(i);
		return;
	}
	if (c->state == C_READ && parse_request(c)) {
		consume_request(c);
		start_response(c);
	}
	if (c->state == C_WRITE && (rev & POLLOUT || c->outoff == 0)) {
		r = conn_write(c);
		if (r < 0) {
			conn_close(i);
			return;
		}
		if (r == 1) {
			log_response(c);
			free(c->out);
			c->out = NULL;
			if (c->close_after) {
				c->method[0] = '\0';
				conn_close(i);
				return;
			}
			c->state = C_READ;
			c->method[0] = '\0';
			if (parse_request(c)) {	/* pipelined */
				consume_request(c);
				start_response(c);
			}
		}
	}
}

static void timers(void)
{
	double t = now();
	int i, r;

	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = conns[i];

		if (!c || t < c->wake_at)
			continue;
		if (c->state == C_WAIT) {
			c->state = C_WRITE;
			c->wake_at = 0;
			conn_event(i, POLLOUT);
		} else if (c->state == C_DRIP) {
			r = conn_write(c);
			if (r < 0) {
				conn_close(i);
			} else if (r == 1) {
				log_response(c);
				c->method[0] = '\0';
				conn_close(i);
			}
		}
	}
}

static void usage(int st)
{
	fprintf(st ? stderr : stdout,
	    "usage: fg-testsrv [options]\n"
	    "  --port N            listen on 127.0.0.1:N (0: any; see --port-file)\n"
	    "  --port-file FILE    write the port there once listening\n"
	    "  --tree DxF          serve /tree/ with D dirs of F files\n"
	    "  --list              print the tree's files and sizes, exit\n"
	    "  --delay-ms N        hold every response N ms\n"
	    "  --validators        ETag/Last-Modified on listings, 304s\n"
	    "  --gone PATH         answer 404/410 for PATH (repeatable)\n"
	    "  --robots FILE       serve FILE as /robots.txt\n"
	    "  --robots-status N   status of /robots.txt (default 404)\n"
	    "  --robots-size N     serve a generated robots.txt of N bytes\n"
	    "  --log FILE          one line per response\n"
	    "  --redirect-to URL   /m/away.bin answers 302 to URL\n"
	    "  --lifetime SECONDS  exit after this long (default 600)\n");
	exit(st);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "tree", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'L' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "validators", no_argument, NULL, 'V' },
		{ "gone", required_argument, NULL, 'g' },
		{ "robots", required_argument, NULL, 'r' },
		{ "robots-status", required_argument, NULL, 'R' },
		{ "robots-size", required_argument, NULL, 'S' },
		{ "log", required_argument, NULL, 'l' },
		{ "redirect-to", required_argument, NULL, 'G' },
		{ "lifetime", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int port = 0, list = 0, o, lfd, one = 1;
	const char *port_file = NULL;
	double lifetime = 600;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	static struct pollfd pfd[MAX_CONNS + 1];
	static int idx[MAX_CONNS + 1];

	while ((o = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'P': port_file = optarg; break;
		case 't':
			if (sscanf(optarg, "%ux%u", &tree_dirs, &tree_files) != 2 ||
			    tree_dirs > 1000 || tree_files > 100000)
				usage(2);
			break;
		case 'L': list = 1; break;
		case 'd': delay_ms = (unsigned)atoi(optarg); break;
		case 'V': validators = 1; break;
		case 'g':
			gone = realloc(gone, (ngone + 1) * sizeof(*gone));
			gone[ngone++] = optarg;
			break;
		case 'r': {
			FILE *f = fopen(optarg, "r");
			long len;

			if (!f) {
				perror(optarg);
				return 2;
			}
			fseek(f, 0, SEEK_END);
			len = ftell(f);
			rewind(f);
			robots_text = xmalloc((size_t)len + 1);
			robots_text[fread(robots_text, 1, (size_t)len, f)] = '\0';
			fclose(f);
			if (robots_status == 404)
				robots_status = 200;
			break;
		}
		case 'R': robots_status = atoi(optarg); break;
		case 'S': robots_size = strtoull(optarg, NULL, 10); break;
		case 'l':
			log_file = fopen(optarg, "a");
			if (!log_file) {
				perror(optarg);
				return 2;
			}
			break;
		case 'T': lifetime = atof(optarg); break;
		case 'G': redirect_to = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (list) {
		unsigned d, f;

		for (d = 0; d < tree_dirs; d++)
			for (f = 0; f < tree_files; f++)
				printf("/tree/d%03u/f%05u.bin %" PRIu64 "\n", d, f,
				    tree_size(d, f));
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	{
		static const char pad[] = "# padding to make robots.txt large\n";
		size_t k;

		for (k = 0; k < sizeof(padtext); k++)
			padtext[k] = pad[k % (sizeof(pad) - 1)];
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);	/* loopback only */
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 512) < 0) {
		perror("fg-testsrv: bind/listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&sa, &salen);
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (!f) {
			perror(port_file);
			return 2;
		}
		fprintf(f, "%d\n", ntohs(sa.sin_port));
		fclose(f);
	}
	t0 = now();
	for (;;) {
		int n = 0, i, timeout = 1000;
		double t = now();

		if (t - t0 > lifetime)
			break;
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		idx[n++] = -1;
		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = conns[i];
			short ev = 0;

			if (!c)
				continue;
			if (c->state == C_READ || c->state == C_STALL)
				ev = POLLIN;
			else if (c->state == C_WRITE)
				ev = POLLOUT;
			if ((c->state == C_WAIT || c->state == C_DRIP)) {
				int ms = (int)((c->wake_at - t) * 1000) + 1;

				if (ms < timeout)
					timeout = ms < 0 ? 0 : ms;
			}
			pfd[n].fd = c->fd;
			pfd[n].events = ev;
			idx[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			for (;;) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

				if (fd < 0)
					break;
				for (i = 0; i < MAX_CONNS && conns[i]; i++)
					;
				if (i == MAX_CONNS) {
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				conns[i] = calloc(1, sizeof(struct conn));
				if (!conns[i])
					exit(70);
				conns[i]->fd = fd;
				conns[i]->state = C_READ;
			}
		}
		for (i = 1; i < n; i++)
			if (pfd[i].revents && conns[idx[i]])
				conn_event(idx[i], pfd[i].revents);
		timers();
	}
	return 0;
}
