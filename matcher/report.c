/*
 * report.c - detection output (see report.h).
 *
 * Every format carries the same fields, in the same order, so that a
 * table, a CSV file and JSON Lines can be compared line by line.  Output
 * is flushed per detection: in collector mode a reader sees each one as
 * its connection completes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "report.h"
#include "util.h"

#define SUMMARY_MAX 1000000

struct inv_item {
	uint8_t family;
	uint8_t client[16];
	int64_t when_ms;
	char *vendor, *file, *url;
	double confidence;
};

struct report {
	FILE *out;
	enum report_format fmt;
	int unmatched, summary;
	int header_done;
	struct inv_item *inv;
	size_t ninv, cap;
	uint64_t inv_dropped;
};

int report_format_parse(const char *s)
{
	if (!strcmp(s, "table"))
		return REPORT_TABLE;
	if (!strcmp(s, "csv"))
		return REPORT_CSV;
	if (!strcmp(s, "json"))
		return REPORT_JSON;
	return -1;
}

struct report *report_new(FILE *out, enum report_format fmt, int unmatched,
    int summary)
{
	struct report *r = fg_calloc(1, sizeof(*r));

	r->out = out;
	r->fmt = fmt;
	r->unmatched = unmatched;
	r->summary = summary;
	return r;
}

const char *report_addr(uint8_t family, const uint8_t *a, char *buf,
    size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf,
	    (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* enum match_fit as the JSON says it (docs/how-it-works.md) */
static const char *match_fit_name(int fit)
{
	static const char *const names[] = { "header", "resend", "extra",
		"floor", "observed" };

	return fit >= 0 && fit < 5 ? names[fit] : "?";
}

static const char *server_match_name(int m)
{
	return m > 0 ? "yes" : m < 0 ? "no" : "unknown";
}

static const char *const fields[] = {
	"start", "end", "client", "client_port", "server", "server_port",
	"bytes", "packets", "est_size", "url", "file", "vendor", "size",
	"delta", "candidates", "confidence", "server_match", "tls", NULL
};

/* ,"release":{...} or ,"release":null (docs/how-it-works.md) */
static void json_release(FILE *f, const struct match_release *rl)
{
	if (rl->members < 2) {
		fprintf(f, ",\"release\":null");
		return;
	}
	fprintf(f, ",\"release\":{\"product\":");
	fg_json_string(f, rl->product);
	fprintf(f, ",\"version\":");
	fg_json_string(f, rl->version);
	fprintf(f, ",\"platform\":");
	if (rl->platform[0])
		fg_json_string(f, rl->platform);
	else
		fprintf(f, "null");
	fprintf(f, ",\"locale\":");
	if (rl->locale[0])
		fg_json_string(f, rl->locale);
	else
		fprintf(f, "null");
	fprintf(f, ",\"members\":%d,\"differ\":\"%s\",\"confidence\":%.3f,"
	    "\"reported\":%s}", rl->members, rl->differ, rl->confidence,
	    rl->reported ? "true" : "false");
}

/* "firefox 121.0 win64, one of 4 locales" into @buf */
static const char *release_text(const struct match_release *rl, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s %s%s%s%s%s, one of %d %ss", rl->product,
	    rl->version, rl->platform[0] ? " " : "", rl->platform,
	    rl->locale[0] ? " " : "", rl->locale, rl->members, rl->differ);
	return buf;
}

static void write_csv(struct report *r, const struct match_result *m,
    const char *start, const char *end, const char *cl, const char *sv)
{
	const struct connection *c = &m->conn;
	int found = m->status == MATCH_FOUND;
	int i;

	if (!r->header_done) {
		for (i = 0; fields[i]; i++)
			fprintf(r->out, "%s%s", i ? "," : "", fields[i]);
		fprintf(r->out, ",parts,learned,rivals,release,source,"
		    "label\n");
		r->header_done = 1;
	}
	fprintf(r->out, "%s,%s,%s,%u,%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRId64
	    ",", start, end, cl, c->client_port, sv, c->server_port,
	    c->data_octets, c->data_packets, m->est_size);
	fg_csv_field(r->out, found ? m->best.url : "");
	fputc(',', r->out);
	fg_csv_field(r->out, found ? m->best.file : "");
	fputc(',', r->out);
	fg_csv_field(r->out, found ? m->best.vendor : "");
	if (found)
		fprintf(r->out, ",%" PRIu64 ",%" PRId64, m->best.size,
		    m->est_size - (int64_t)m->best.size);
	else
		fprintf(r->out, ",,");
	fprintf(r->out, ",%u,%.3f,%s,%s,%d,%s,", m->window, m->confidence,
	    found ? server_match_name(m->best.server_match) : "",
	    m->est.tls ? "yes" : "no", m->parts, m->learned ? "yes" : "no");
	if (found) {
		struct fg_buf b;

		fg_buf_init(&b, 64 * 1024);
		for (i = 0; i < m->nrivals; i++)
			fg_buf_printf(&b, "%s%s", i ? " " : "",
			    m->rivals[i].url);
		fg_csv_field(r->out, b.data ? b.data : "");
		fg_buf_free(&b);
	}
	fputc(',', r->out);
	if (m->release.members >= 2) {
		char rt[256];

		fg_csv_field(r->out, release_text(&m->release, rt, sizeof(rt)));
	}
	fprintf(r->out, ",%s,", found ? store_source_name(m->best.source) : "");
	if (found && m->best.label)
		fg_csv_field(r->out, m->best.label);
	fputc('\n', r->out);
}

static void json_cand(FILE *f, const struct match_candidate *m,
    int64_t est_size)
{
	fprintf(f, "{\"url\":");
	fg_json_string(f, m->url);
	fprintf(f, ",\"size\":%" PRIu64 ",\"delta\":%" PRId64
	    ",\"segments\":%d,\"server_match\":\"%s\"}", m->size,
	    est_size - (int64_t)m->size, m->segments,
	    server_match_name(m->server_match));
}

static void write_json(struct report *r, const struct match_result *m,
    const char *start, const char *end, const char *cl, const char *sv)
{
	const struct connection *c = &m->conn;
	int found = m->status == MATCH_FOUND;
	FILE *f = r->out;
	int i;

	fprintf(f, "{\"start\":\"%s\",\"end\":\"%s\",\"client\":\"%s\","
	    "\"client_port\":%u,\"server\":\"%s\",\"server_port\":%u,"
	    "\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"est_size\":%"
	    PRId64 ",", start, end, cl, c->client_port, sv, c->server_port,
	    c->data_octets, c->data_packets, m->est_size);
	if (found) {
		fprintf(f, "\"url\":");
		fg_json_string(f, m->best.url);
		fprintf(f, ",\"file\":");
		fg_json_string(f, m->best.file);
		fprintf(f, ",\"vendor\":");
		fg_json_string(f, m->best.vendor);
		fprintf(f, ",\"size\":%" PRIu64 ",\"delta\":%" PRId64 ",",
		    m->best.size, m->est_size - (int64_t)m->best.size);
	} else {
		fprintf(f, "\"url\":null,\"file\":null,\"vendor\":null,"
		    "\"size\":null,\"delta\":null,");
	}
	fprintf(f, "\"candidates\":%u,\"confidence\":%.3f,\"server_match\":",
	    m->window, m->confidence);
	if (found)
		fprintf(f, "\"%s\"", server_match_name(m->best.server_match));
	else
		fprintf(f, "null");
	fprintf(f, ",\"tls\":%s,\"parts\":%d,\"learned\":%s,"
	    "\"segments\":%d,\"records\":%u,\"req_bytes\":%" PRIu64
	    ",\"req_packets\":%" PRIu64 ",\"rivals\":[",
	    m->est.tls ? "true" : "false", m->parts,
	    m->learned ? "true" : "false", found ? m->best.segments : 0,
	    c->records, c->req_octets, c->req_packets);
	for (i = 0; found && i < m->nrivals; i++) {
		if (i)
			fputc(',', f);
		json_cand(f, &m->rivals[i], m->est_size);
	}
	fputc(']', f);
	/* where the reference came from; an observed one's label */
	if (found) {
		fprintf(f, ",\"source\":\"%s\",\"label\":",
		    store_source_name(m->best.source));
		if (m->best.label)
			fg_json_string(f, m->best.label);
		else
			fprintf(f, "null");
	} else {
		fprintf(f, ",\"source\":null,\"label\":null");
	}
	json_release(f, &m->release);
	/* what carried the detection (docs/how-it-works.md) */
	if (found)
		fprintf(f, ",\"evidence\":{\"size_fit\":\"%s\",\"residue\":%d,"
		    "\"segments\":%d,\"server_address\":\"%s\","
		    "\"learned_overhead\":%s}",
		    match_fit_name(m->best.fit), m->best.residue,
		    m->best.segments, server_match_name(m->best.server_match),
		    m->learned ? "true" : "false");
	fprintf(f, "}\n");
}

static void write_table(struct report *r, const struct match_result *m,
    const char *start, const char *cl, const char *sv)
{
	const struct connection *c = &m->conn;
	int found = m->status == MATCH_FOUND;
	char svp[80], rt[256];

	if (!r->header_done) {
		fprintf(r->out, "%-20s %-39s %-45s %12s %7s %5s  %s\n", "start",
		    "client", "server", "size", "delta", "conf", "url");
		r->header_done = 1;
	}
	snprintf(svp, sizeof(svp), "%s%s%s:%u", c->family == 6 ? "[" : "",
	    sv, c->family == 6 ? "]" : "", c->server_port);
	if (found && m->release.members >= 2)
		fprintf(r->out, "%-20s %-39s %-45s %12" PRIu64 " %7" PRId64
		    " %5.2f  %s (%s: %.2f)\n", start, cl, svp, m->best.size,
		    m->est_size - (int64_t)m->best.size, m->confidence,
		    m->best.url, release_text(&m->release, rt, sizeof(rt)),
		    m->release.confidence);
	else if (found)
		fprintf(r->out, "%-20s %-39s %-45s %12" PRIu64 " %7" PRId64
		    " %5.2f  %s%s%s%s%s\n", start, cl, svp, m->best.size,
		    m->est_size - (int64_t)m->best.size, m->confidence,
		    m->best.url, m->best.label ? " (observed: " : "",
		    m->best.label ? m->best.label : "",
		    m->best.label ? ")" : "", m->nrivals ? " (+rivals)" : "");
	else if (m->release.reported)
		fprintf(r->out, "%-20s %-39s %-45s %12" PRId64 " %7s %5.2f  "
		    "(%s)\n", start, cl, svp, m->est_size, "-",
		    m->release.confidence,
		    release_text(&m->release, rt, sizeof(rt)));
	else
		fprintf(r->out, "%-20s %-39s %-45s %12" PRId64 " %7s %5.2f  %s\n",
		    start, cl, svp, m->est_size, "-", m->confidence,
		    "(unmatched)");
}

static void inventory_add(struct report *r, const struct match_result *m)
{
	struct inv_item *it;

	if (r->ninv >= SUMMARY_MAX) {
		r->inv_dropped++;
		return;
	}
	if (r->ninv == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->inv = fg_reallocarray(r->inv, r->cap, sizeof(*r->inv));
	}
	it = &r->inv[r->ninv++];
	it->family = m->conn.family;
	memcpy(it->client, m->conn.client, 16);
	it->when_ms = m->conn.start_ms;
	it->vendor = fg_strdup(m->best.vendor);
	it->file = fg_strdup(m->best.file);
	it->url = fg_strdup(m->best.url);
	it->confidence = m->confidence;
}

void report_result(struct report *r, const struct match_result *m)
{
	char start[40], end[40], cl[64], sv[64];

	if (m->status == MATCH_SMALL)
		return;
	if (m->status != MATCH_FOUND && !m->release.reported && !r->unmatched)
		return;
	fg_iso8601(m->conn.start_ms / 1000, start, sizeof(start));
	fg_iso8601(m->conn.end_ms / 1000, end, sizeof(end));
	report_addr(m->conn.family, m->conn.client, cl, sizeof(cl));
	report_addr(m->conn.family, m->conn.server, sv, sizeof(sv));
	switch (r->fmt) {
	case REPORT_CSV:
		write_csv(r, m, start, end, cl, sv);
		break;
	case REPORT_JSON:
		write_json(r, m, start, end, cl, sv);
		break;
	default:
		write_table(r, m, start, cl, sv);
		break;
	}
	fflush(r->out);
	if (r->summary && m->status == MATCH_FOUND)
		inventory_add(r, m);
}

static int cmp_inv(const void *a, const void *b)
{
	const struct inv_item *x = a, *y = b;
	int c = (int)x->family - (int)y->family;

	if (!c)
		c = memcmp(x->client, y->client, 16);
	if (!c)
		c = x->when_ms < y->when_ms ? -1 : x->when_ms > y->when_ms;
	return c;
}

void report_finish(struct report *r)
{
	size_t i;
	char cl[64], when[40];

	if (r->summary) {
		qsort(r->inv, r->ninv, sizeof(*r->inv), cmp_inv);
		if (r->fmt != REPORT_JSON)
			fprintf(r->out, "\n# downloads per client\n");
		for (i = 0; i < r->ninv; i++) {
			const struct inv_item *it = &r->inv[i];

			report_addr(it->family, it->client, cl, sizeof(cl));
			fg_iso8601(it->when_ms / 1000, when, sizeof(when));
			if (r->fmt == REPORT_JSON) {
				fprintf(r->out, "{\"summary\":true,\"client\":"
				    "\"%s\",\"when\":\"%s\",\"vendor\":", cl,
				    when);
				fg_json_string(r->out, it->vendor);
				fprintf(r->out, ",\"file\":");
				fg_json_string(r->out, it->file);
				fprintf(r->out, ",\"url\":");
				fg_json_string(r->out, it->url);
				fprintf(r->out, ",\"confidence\":%.3f}\n",
				    it->confidence);
				continue;
			}
			if (i == 0 || r->inv[i - 1].family != it->family ||
			    memcmp(r->inv[i - 1].client, it->client, 16))
				fprintf(r->out, "%s\n", cl);
			fprintf(r->out, "  %s  %-20s %-40s %.2f\n", when,
			    it->vendor[0] ? it->vendor : "-", it->file,
			    it->confidence);
		}
		if (r->inv_dropped)
			fprintf(r->out, "# %" PRIu64 " more detections not "
			    "kept for the summary\n", r->inv_dropped);
	}
	fflush(r->out);
}

void report_free(struct report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ninv; i++) {
		free(r->inv[i].vendor);
		free(r->inv[i].file);
		free(r->inv[i].url);
	}
	free(r->inv);
	free(r);
}
