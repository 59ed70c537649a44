/*
 * detections.c - a small, bounded JSON reader for the matcher's own JSON
 * Lines (see detections.h).  Not a general JSON parser, on purpose: the
 * format is ours (report.c write_json()), so every value we do not write
 * is an error, and a hostile line costs at most one line's buffer.
 *
 * Strings are decoded in place into a second buffer of the line's size
 * (a decoded string is never longer than its JSON form), so nothing is
 * allocated per line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detections.h"
#include "report.h"
#include "util.h"

struct detections_reader {
	FILE *f;
	int own;                    /* fclose() at the end */
	const char *name;
	char *path;
	uint64_t line;
	char buf[DETECTIONS_LINE_MAX + 1];
	char strs[DETECTIONS_LINE_MAX + 1];
};

/* the parser's state over one line */
struct jp {
	const char *p, *end;
	char *out, *out_end;        /* decoded strings go here */
	const char *err;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\r'))
		j->p++;
}

static int fail(struct jp *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return -1;
}

static int lit(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return fail(j, "not a JSON value");
	j->p += n;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(struct jp *j, unsigned cp)
{
	/* room is certain: \uXXXX is 6 bytes, its UTF-8 at most 4 */
	if (cp < 0x80) {
		*j->out++ = (char)cp;
	} else if (cp < 0x800) {
		*j->out++ = (char)(0xc0 | cp >> 6);
		*j->out++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*j->out++ = (char)(0xe0 | cp >> 12);
		*j->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*j->out++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*j->out++ = (char)(0xf0 | cp >> 18);
		*j->out++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*j->out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*j->out++ = (char)(0x80 | (cp & 0x3f));
	}
}

static int hex4(struct jp *j, unsigned *cp)
{
	int i, h;

	if (j->end - j->p < 4)
		return fail(j, "truncated \\u escape");
	for (*cp = 0, i = 0; i < 4; i++) {
		h = hexval((unsigned char)j->p[i]);
		if (h < 0)
			return fail(j, "bad \\u escape");
		*cp = *cp << 4 | (unsigned)h;
	}
	j->p += 4;
	return 0;
}

/* A string at j->p into j->out; *s points at its NUL-terminated copy. */
static int string(struct jp *j, const char **s)
{
	char *start = j->out;

	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a string");
	j->p++;
	for (;;) {
		unsigned char c;

		if (j->p >= j->end)
			return fail(j, "unterminated string (truncated line?)");
		c = (unsigned char)*j->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, "control character in a string");
		if (c != '\\') {
			*j->out++ = (char)c;
			continue;
		}
		if (j->p >= j->end)
			return fail(j, "unterminated string (truncated line?)");
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/': *j->out++ = (char)c; break;
		case 'b': *j->out++ = '\b'; break;
		case 'f': *j->out++ = '\f'; break;
		case 'n': *j->out++ = '\n'; break;
		case 'r': *j->out++ = '\r'; break;
		case 't': *j->out++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(j, &cp) < 0)
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' ||
				    j->p[1] != 'u')
					return fail(j, "lone surrogate in \\u escape");
				j->p += 2;
				if (hex4(j, &lo) < 0)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(j, "bad surrogate pair");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return fail(j, "lone surrogate in \\u escape");
			}
			if (cp == 0)
				return fail(j, "NUL in a string");
			put_utf8(j, cp);
			break;
		}
		default:
			return fail(j, "bad escape in a string");
		}
	}
	*j->out++ = '\0';
	*s = start;
	return 0;
}

static int number(struct jp *j, double *v)
{
	char tmp[64], *e;
	size_t n = 0;

	while (j->p + n < j->end && n < sizeof(tmp) - 1 &&
	    strchr("+-0123456789.eE", j->p[n]))
		n++;
	if (n == 0 || n == sizeof(tmp) - 1)
		return fail(j, "not a JSON value");
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtod(tmp, &e);
	if (*e || errno || !isfinite(*v))
		return fail(j, "bad number");
	j->p += n;
	return 0;
}

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARRAY, J_OBJECT };

struct jval {
	enum jtype t;
	double num;
	int b;
	const char *str;
};

/* A scalar value, or the start of an array or object (left at its [ or
 * {). */
static int scalar(struct jp *j, struct jval *v)
{
	ws(j);
	if (j->p >= j->end)
		return fail(j, "value missing (truncated line?)");
	switch (*j->p) {
	case '"':
		v->t = J_STR;
		return string(j, &v->str);
	case 'n':
		v->t = J_NULL;
		return lit(j, "null");
	case 't':
		v->t = J_BOOL;
		v->b = 1;
		return lit(j, "true");
	case 'f':
		v->t = J_BOOL;
		v->b = 0;
		return lit(j, "false");
	case '[':
		v->t = J_ARRAY;
		return 0;
	case '{':
		v->t = J_OBJECT;
		return 0;
	default:
		v->t = J_NUM;
		return number(j, &v->num);
	}
}

/* Each member of an object at j->p: @cb(key, value) (arrays and objects
 * are left to @cb, at '[' or '{'). */
typedef int (*member_cb)(struct jp *j, const char *key, struct jval *v,
    void *arg, int depth);

static int object(struct jp *j, member_cb cb, void *arg, int depth)
{
	if (depth > DETECTIONS_DEPTH)
		return fail(j, "nested too deep");
	ws(j);
	if (j->p >= j->end || *j->p != '{')
		return fail(j, "not a JSON object");
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		const char *key;
		struct jval v;

		ws(j);
		if (string(j, &key) < 0)
			return -1;
		ws(j);
		if (j->p >= j->end || *j->p != ':')
			return fail(j, "expected ':' after a key");
		j->p++;
		if (scalar(j, &v) < 0 || cb(j, key, &v, arg, depth) < 0)
			return -1;
		ws(j);
		if (j->p >= j->end)
			return fail(j, "object not closed (truncated line?)");
		if (*j->p == '}') {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return fail(j, "expected ',' or '}'");
		j->p++;
	}
}

struct rival_ctx {
	struct detection *d;
};

static int rival_member(struct jp *j, const char *key, struct jval *v,
    void *arg, int depth)
{
	struct rival_ctx *rc = arg;

	(void)depth;
	if (v->t == J_ARRAY || v->t == J_OBJECT)
		return fail(j, "array or object inside a rival");
	if (!strcmp(key, "url")) {
		if (v->t != J_STR)
			return fail(j, "a rival's url is not a string");
		if (rc->d->nrivals < MATCH_MAX_RIVALS)
			rc->d->rivals[rc->d->nrivals++] = v->str;
	}
	return 0;
}

static int rivals(struct jp *j, struct detection *d, int depth)
{
	struct rival_ctx rc = { d };

	j->p++;	/* '[' */
	ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (object(j, rival_member, &rc, depth + 1) < 0)
			return -1;
		ws(j);
		if (j->p >= j->end)
			return fail(j, "array not closed (truncated line?)");
		if (*j->p == ']') {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return fail(j, "expected ',' or ']'");
		j->p++;
	}
}

struct top_ctx {
	struct detection *d;
	int summary;
	unsigned seen;              /* SEEN_* */
};

#define SEEN_CLIENT 0x01u
#define SEEN_START  0x02u
#define SEEN_URL    0x04u
#define SEEN_CONF   0x08u

static int want_str(struct jp *j, struct jval *v, const char *key,
    int nullable, const char **out)
{
	(void)key;
	if (v->t == J_NULL && nullable) {
		*out = NULL;
		return 0;
	}
	if (v->t != J_STR)
		return fail(j, nullable ? "a field is neither a string nor null"
		    : "a field is not a string");
	*out = v->str;
	return 0;
}

static int want_uint(struct jp *j, struct jval *v, double max, double *out)
{
	if (v->t == J_NULL) {
		*out = 0;
		return 0;
	}
	if (v->t != J_NUM || v->num < 0 || v->num > max ||
	    v->num != floor(v->num))
		return fail(j, "a count is not a whole number in range");
	*out = v->num;
	return 0;
}

static int addr_ok(const char *s)
{
	uint8_t a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* A member of "release" or "evidence": scalars only, none needed here */
static int flat_member(struct jp *j, const char *key, struct jval *v,
    void *arg, int depth)
{
	(void)key;
	(void)arg;
	(void)depth;
	if (v->t == J_ARRAY || v->t == J_OBJECT)
		return fail(j, "array or object inside release or evidence");
	return 0;
}

static int top_member(struct jp *j, const char *key, struct jval *v,
    void *arg, int depth)
{
	struct top_ctx *t = arg;
	struct detection *d = t->d;
	const char *s;
	double x;

	if (v->t == J_ARRAY) {
		if (strcmp(key, "rivals"))
			return fail(j, "an array where ours has none");
		return rivals(j, d, depth);
	}
	if (v->t == J_OBJECT) {
		if (strcmp(key, "release") && strcmp(key, "evidence"))
			return fail(j, "nested object where ours has none");
		return object(j, flat_member, NULL, depth + 1);
	}
	if (!strcmp(key, "summary")) {
		t->summary = v->t == J_BOOL && v->b;
	} else if (!strcmp(key, "client") || !strcmp(key, "server")) {
		if (want_str(j, v, key, 0, &s) < 0)
			return -1;
		if (strlen(s) >= sizeof(d->client) || !addr_ok(s))
			return fail(j, "client or server is not an IP address");
		snprintf(key[0] == 'c' ? d->client : d->server,
		    sizeof(d->client), "%s", s);
		if (key[0] == 'c')
			t->seen |= SEEN_CLIENT;
	} else if (!strcmp(key, "start") || !strcmp(key, "end") ||
	    !strcmp(key, "when")) {
		int64_t ms;

		if (want_str(j, v, key, 0, &s) < 0)
			return -1;
		if (fg_parse_iso8601_ms(s, &ms) < 0)
			return fail(j, "a time is not ISO 8601");
		if (key[0] == 'e') {
			d->end_ms = ms;
		} else {
			d->start_ms = ms;
			t->seen |= SEEN_START;
		}
	} else if (!strcmp(key, "url")) {
		t->seen |= SEEN_URL;
		return want_str(j, v, key, 1, &d->url);
	} else if (!strcmp(key, "file")) {
		return want_str(j, v, key, 1, &d->file);
	} else if (!strcmp(key, "vendor")) {
		return want_str(j, v, key, 1, &d->vendor);
	} else if (!strcmp(key, "source")) {
		return want_str(j, v, key, 1, &d->source);
	} else if (!strcmp(key, "label")) {
		return want_str(j, v, key, 1, &d->label);
	} else if (!strcmp(key, "confidence")) {
		if (v->t != J_NUM || v->num < 0 || v->num > 1)
			return fail(j, "confidence is not a number in [0,1]");
		d->confidence = v->num;
		t->seen |= SEEN_CONF;
	} else if (!strcmp(key, "client_port") || !strcmp(key, "server_port")) {
		if (want_uint(j, v, 65535, &x) < 0)
			return -1;
		*(key[0] == 'c' ? &d->client_port : &d->server_port) =
		    (unsigned)x;
	} else if (!strcmp(key, "bytes") || !strcmp(key, "size")) {
		if (want_uint(j, v, 1e18, &x) < 0)
			return -1;
		*(key[0] == 'b' ? &d->bytes : &d->size) = (uint64_t)x;
	} else if (!strcmp(key, "est_size")) {
		if (v->t != J_NUM || fabs(v->num) > 1e18)
			return fail(j, "est_size is not a number");
		d->est_size = (int64_t)v->num;
	} else if (!strcmp(key, "candidates")) {
		if (want_uint(j, v, 4e9, &x) < 0)
			return -1;
		d->candidates = (uint32_t)x;
	} else if (!strcmp(key, "parts")) {
		if (want_uint(j, v, 1000, &x) < 0)
			return -1;
		d->parts = (int)x;
	} else if (!strcmp(key, "tls") || !strcmp(key, "learned")) {
		if (v->t != J_BOOL)
			return fail(j, "tls or learned is not true/false");
		*(key[0] == 't' ? &d->tls : &d->learned) = v->b;
	}
	/* other keys of ours (delta, segments, ...) are not needed here */
	return 0;
}

struct detections_reader *detections_open(const char *path, char *err,
    size_t errlen)
{
	struct detections_reader *r;
	FILE *f = stdin;

	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
	}
	r = detections_open_stream(f, strcmp(path, "-") ? path : "(stdin)");
	r->own = f != stdin;
	return r;
}

struct detections_reader *detections_open_stream(FILE *f, const char *name)
{
	struct detections_reader *r = fg_calloc(1, sizeof(*r));

	r->f = f;
	r->path = fg_strdup(name);
	r->name = r->path;
	return r;
}

/* Read one line into r->buf; its length, or -1 at EOF, -2 on error,
 * -3 too long (the rest is skipped), -4 a NUL byte in it. */
static long read_line(struct detections_reader *r, int *newline)
{
	size_t n = 0;
	int c, nul = 0;

	*newline = 0;
	while ((c = getc(r->f)) != EOF) {
		if (c == '\n') {
			*newline = 1;
			break;
		}
		if (c == 0)
			nul = 1;
		if (n == DETECTIONS_LINE_MAX) {
			while ((c = getc(r->f)) != EOF && c != '\n')
				;
			return -3;
		}
		r->buf[n++] = (char)c;
	}
	if (ferror(r->f))
		return -2;
	if (c == EOF && n == 0)
		return -1;
	r->buf[n] = '\0';
	return nul ? -4 : (long)n;
}

int detections_next(struct detections_reader *r, struct detection *d,
    char *err, size_t errlen)
{
	for (;;) {
		struct jp j;
		struct top_ctx t;
		int nl;
		long n = read_line(r, &nl);

		if (n == -1)
			return 0;
		if (n == -2) {
			snprintf(err, errlen, "%s:%" PRIu64 ": %s", r->name,
			    r->line + 1, strerror(errno));
			return -2;
		}
		r->line++;
		if (n == -3 || n == -4) {
			snprintf(err, errlen, "%s:%" PRIu64 ": %s", r->name,
			    r->line, n == -3 ? "line longer than 64 KiB, "
			    "skipped" : "NUL byte in the line");
			return -1;
		}
		j.p = r->buf;
		j.end = r->buf + n;
		ws(&j);
		if (j.p == j.end)
			continue;	/* blank line */
		memset(d, 0, sizeof(*d));
		memset(&t, 0, sizeof(t));
		t.d = d;
		j.out = r->strs;
		j.out_end = r->strs + sizeof(r->strs);
		j.err = NULL;
		if (object(&j, top_member, &t, 0) == 0) {
			ws(&j);
			if (j.p != j.end)
				fail(&j, "text after the object");
		}
		if (!j.err && !t.summary && (t.seen & (SEEN_CLIENT |
		    SEEN_START | SEEN_URL | SEEN_CONF)) != (SEEN_CLIENT |
		    SEEN_START | SEEN_URL | SEEN_CONF))
			j.err = "not a detection (client, start, url or "
			    "confidence missing)";
		if (!j.err && d->url && !d->file)
			j.err = "a url without a file";
		if (j.err) {
			/* a line that ends inside the object was cut short */
			snprintf(err, errlen, "%s:%" PRIu64 ": %s%s", r->name,
			    r->line, j.err, j.p < j.end || strstr(j.err,
			    "truncated") ? "" : nl ? " (the line ends early)" :
			    " (the last line, without a newline: truncated?)");
			return -1;
		}
		if (t.summary)
			continue;
		if (!d->end_ms)
			d->end_ms = d->start_ms;
		if (!d->parts)
			d->parts = 1;
		return 1;
	}
}

uint64_t detections_lines(const struct detections_reader *r)
{
	return r->line;
}

void detections_close(struct detections_reader *r)
{
	if (!r)
		return;
	if (r->own)
		fclose(r->f);
	free(r->path);
	free(r);
}

void detection_from_result(struct detection *d, const struct match_result *res)
{
	int found = res->status == MATCH_FOUND, i;

	memset(d, 0, sizeof(*d));
	report_addr(res->conn.family, res->conn.client, d->client,
	    sizeof(d->client));
	report_addr(res->conn.family, res->conn.server, d->server,
	    sizeof(d->server));
	d->client_port = res->conn.client_port;
	d->server_port = res->conn.server_port;
	d->start_ms = res->conn.start_ms;
	d->end_ms = res->conn.end_ms;
	d->bytes = res->conn.data_octets;
	d->est_size = res->est_size;
	d->confidence = res->confidence;
	d->candidates = res->window;
	d->tls = res->est.tls;
	d->parts = res->parts;
	d->learned = res->learned;
	if (!found)
		return;
	d->url = res->best.url;
	d->file = res->best.file;
	d->vendor = res->best.vendor;
	d->source = store_source_name(res->best.source);
	d->label = res->best.label;
	d->size = res->best.size;
	for (i = 0; i < res->nrivals && i < MATCH_MAX_RIVALS; i++)
		d->rivals[d->nrivals++] = res->rivals[i].url;
}
