/*
 * metrics.c - the matcher's own counters and their Prometheus text
 * rendering (see metrics.h).  Metric names follow Prometheus' guide:
 * flowgrab_ prefix, _total on counters, base units (seconds, bytes).
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "input/input.h"
#include "match.h"
#include "metrics.h"

static const double lag_le[METRICS_LAG_BUCKETS] = {
	0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600,
};

struct metrics__srv {
	uint8_t used, family;
	uint16_t port;
	uint8_t addr[16];
};

void metrics_init(struct metrics *m, int64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	m->started_ms = now_ms;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->learned);
	m->learned = NULL;
}

void metrics_record(struct metrics *m, const struct flow_record *r,
    int64_t now_ms)
{
	double lag;
	int i;

	m->records_by_proto[r->proto == 6 ? METRICS_PROTO_TCP :
	    r->proto == 17 ? METRICS_PROTO_UDP :
	    r->proto == 1 || r->proto == 58 ? METRICS_PROTO_ICMP :
	    METRICS_PROTO_OTHER]++;
	if (r->end_ms <= 0)
		return;
	/* a meter's clock ahead of ours gives a negative lag: count it as 0 */
	lag = now_ms > r->end_ms ? (double)(now_ms - r->end_ms) / 1000.0 : 0;
	for (i = 0; i < METRICS_LAG_BUCKETS && lag > lag_le[i]; i++)
		;
	m->lag_bucket[i]++;
	m->lag_count++;
	m->lag_sum_s += lag;
	m->lag_last_s = lag;
}

/* FNV-1a over the server's family, address and port */
static uint32_t srv_hash(const struct connection *c)
{
	uint32_t h = 2166136261u;
	int i;

	h = (h ^ c->family) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ c->server[i]) * 16777619u;
	h = (h ^ (c->server_port & 0xff)) * 16777619u;
	h = (h ^ (c->server_port >> 8)) * 16777619u;
	return h;
}

static void learned_add(struct metrics *m, const struct connection *c)
{
	uint32_t i;

	if (!m->learned)
		m->learned = fg_calloc(METRICS_LEARNED_MAX, sizeof(*m->learned));
	for (i = srv_hash(c) % METRICS_LEARNED_MAX;; i = (i + 1) %
	    METRICS_LEARNED_MAX) {
		struct metrics__srv *s = &m->learned[i];

		if (!s->used)
			break;
		if (s->family == c->family && s->port == c->server_port &&
		    !memcmp(s->addr, c->server, 16))
			return;
	}
	/* keep a quarter free so that probing stays short */
	if (m->learned_servers >= METRICS_LEARNED_MAX / 4 * 3) {
		m->learned_overflow++;
		return;
	}
	m->learned[i].used = 1;
	m->learned[i].family = c->family;
	m->learned[i].port = c->server_port;
	memcpy(m->learned[i].addr, c->server, 16);
	m->learned_servers++;
}

void metrics_result(struct metrics *m, const struct match_result *res)
{
	if ((unsigned)res->status < 3)
		m->results_by_status[res->status]++;
	if (res->status == MATCH_FOUND && res->confidence < 0.9)
		m->low_confidence++;
	if (res->learned)
		learned_add(m, &res->conn);
}

/* ---- rendering ------------------------------------------------------ */

static void head(struct fg_buf *b, const char *name, const char *type,
    const char *help)
{
	fg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* Counters and gauges without labels, rendered in the order given. */
struct series {
	const char *name, *type, *help;
	uint64_t v;
};

static void each(struct fg_buf *b, const struct series *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		head(b, v[i].name, v[i].type, v[i].help);
		fg_buf_printf(b, "%s %" PRIu64 "\n", v[i].name, v[i].v);
	}
}
#define EACH(b, v) each(b, v, sizeof(v) / sizeof((v)[0]))

/* A counter with one label: @n series, @name{@label="@values[i]"} @v[i]. */
static void family(struct fg_buf *b, const char *name, const char *help,
    const char *label, const char *const *values, const uint64_t *v, int n)
{
	int i;

	head(b, name, "counter", help);
	for (i = 0; i < n; i++)
		fg_buf_printf(b, "%s{%s=\"%s\"} %" PRIu64 "\n", name, label,
		    values[i], v[i]);
}

static const char *const ver_names[FLOW_VERS] = { "5", "9", "10", "other" };
static const char *const proto_names[METRICS_PROTOS] = {
	"tcp", "udp", "icmp", "other"
};

struct exporter_ctx {
	struct fg_buf *b;
};

static void exporter_line(uint8_t family, const uint8_t *addr, int version,
    uint32_t domain, uint32_t ntemplates, void *arg)
{
	struct exporter_ctx *x = arg;
	char a[INET6_ADDRSTRLEN];

	if (family == 0 || !inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr,
	    a, sizeof(a)))
		snprintf(a, sizeof(a), "unknown");
	fg_buf_printf(x->b, "flowgrab_templates{exporter=\"%s\",version=\"%d\","
	    "domain=\"%" PRIu32 "\"} %" PRIu32 "\n", a, version, domain,
	    ntemplates);
}

/* What the collector counts (when there is one). */
static void render_input(struct fg_buf *b, const struct flow_collector *c)
{
	struct flow_input_stats in;
	uint64_t dg[FLOW_VERS], rec[FLOW_VERS];
	const char *reasons[FLOW_BAD_REASONS];
	struct exporter_ctx x = { b };
	int i;

	flow_collector_stats(c, &in);
	flow_collector_by_version(c, dg, rec);
	for (i = 0; i < FLOW_BAD_REASONS; i++)
		reasons[i] = flow_malformed_name(i);
	{
		const struct series total[] = {
			{ "flowgrab_datagrams_total", "counter",
			    "Export datagrams received.", in.datagrams },
		}, rest[] = {
			{ "flowgrab_no_template_sets_total", "counter",
			    "Data sets dropped because their template never "
			    "came.", in.dropped_no_template },
			{ "flowgrab_templates_learned_total", "counter",
			    "Template records learnt (new or changed).",
			    in.templates },
			{ "flowgrab_templates_refused_total", "counter",
			    "Templates refused over the per-exporter or total "
			    "limit.", in.templates_refused },
			{ "flowgrab_sampled_records_total", "counter",
			    "Records from a sampling exporter.",
			    in.sampled_records },
			{ "flowgrab_receive_errors_total", "counter",
			    "Socket receive errors other than EAGAIN.",
			    in.recv_errors },
		};

		EACH(b, total);
		family(b, "flowgrab_datagrams_by_version_total",
		    "Export datagrams received, by NetFlow/IPFIX version.",
		    "version", ver_names, dg, FLOW_VERS);
		family(b, "flowgrab_flow_records_by_version_total",
		    "Flow records decoded, by export version.", "version",
		    ver_names, rec, FLOW_VERS);
		family(b, "flowgrab_malformed_datagrams_total",
		    "Datagrams dropped as malformed, by reason.", "reason",
		    reasons, in.malformed_by, FLOW_BAD_REASONS);
		EACH(b, rest);
	}
	head(b, "flowgrab_templates", "gauge",
	    "Templates known now, per exporter and observation domain.");
	flow_collector_exporters(c, exporter_line, &x);
}

/* Records by protocol and their lag. */
static void render_records(struct fg_buf *b, const struct metrics *m)
{
	uint64_t cum;
	int i;

	family(b, "flowgrab_flow_records_total",
	    "Flow records processed, by IP protocol.", "proto", proto_names,
	    m->records_by_proto, METRICS_PROTOS);
	head(b, "flowgrab_record_lag_seconds", "histogram",
	    "Processing time minus the record's end time.");
	for (cum = 0, i = 0; i < METRICS_LAG_BUCKETS; i++) {
		cum += m->lag_bucket[i];
		fg_buf_printf(b, "flowgrab_record_lag_seconds_bucket{le=\"%g\"} %"
		    PRIu64 "\n", lag_le[i], cum);
	}
	fg_buf_printf(b, "flowgrab_record_lag_seconds_bucket{le=\"+Inf\"} %"
	    PRIu64 "\nflowgrab_record_lag_seconds_sum %.3f\n"
	    "flowgrab_record_lag_seconds_count %" PRIu64 "\n", m->lag_count,
	    m->lag_sum_s, m->lag_count);
	head(b, "flowgrab_record_lag_last_seconds", "gauge",
	    "Lag of the last record processed.");
	fg_buf_printf(b, "flowgrab_record_lag_last_seconds %.3f\n",
	    m->lag_last_s);
}

/* What the matcher counts. */
static void render_matching(struct fg_buf *b, const struct metrics *m,
    const struct matcher *mt)
{
	struct match_stats s;

	match_get_stats(mt, &s);
	{
		const struct series v[] = {
			{ "flowgrab_connections_total", "counter",
			    "TCP connections completed.", s.connections },
			{ "flowgrab_connections_live", "gauge",
			    "Connections in the table now.", s.live },
			{ "flowgrab_connections_evicted_total", "counter",
			    "Connections pushed out of a full table.",
			    s.evicted },
			{ "flowgrab_lookups_total", "counter",
			    "Store lookups (connections above --min-size).",
			    s.looked_up },
			{ "flowgrab_candidates_total", "counter",
			    "Stored downloads scored as candidates.",
			    s.candidates },
			{ "flowgrab_detections_total", "counter",
			    "Downloads named (at or above --min-confidence).",
			    s.detections },
			{ "flowgrab_detections_low_confidence_total", "counter",
			    "Detections below 0.9 confidence.",
			    m->low_confidence },
			{ "flowgrab_range_groups_total", "counter",
			    "Detections made of parallel range requests.",
			    s.groups },
			{ "flowgrab_unmatched_total", "counter",
			    "Connections looked up that matched nothing.",
			    s.unmatched },
			{ "flowgrab_learned_servers", "gauge",
			    "Servers whose overhead was learned (seen in a "
			    "result).", m->learned_servers },
			{ "flowgrab_store_generation", "gauge",
			    "LMDB transaction id of the store snapshot read "
			    "now.", match_store_generation(mt) },
		};

		EACH(b, v);
	}
}

int metrics_render(struct fg_buf *b, const struct metrics *m,
    const struct matcher *mt, const struct flow_collector *c,
    int64_t now_ms)
{
	if (c)
		render_input(b, c);
	render_records(b, m);
	render_matching(b, m, mt);
	head(b, "flowgrab_uptime_seconds", "gauge", "Seconds since start.");
	/* The text is bounded (FLOW_MAX_EXPORTERS template lines at most,
	 * about 100 kB); a failed add adds nothing, so the last line tells. */
	return fg_buf_printf(b, "flowgrab_uptime_seconds %.3f\n",
	    (double)(now_ms - m->started_ms) / 1000.0);
}

void metrics_summary(char *buf, size_t len, const struct metrics *m,
    const struct matcher *mt, const struct flow_collector *c)
{
	struct match_stats s;
	struct flow_input_stats in;

	memset(&in, 0, sizeof(in));
	if (c)
		flow_collector_stats(c, &in);
	match_get_stats(mt, &s);
	snprintf(buf, len, "stats: datagrams %" PRIu64 ", malformed %" PRIu64
	    ", records %" PRIu64 ", connections %" PRIu64 " (live %" PRIu64
	    ", evicted %" PRIu64 "), lookups %" PRIu64 ", detections %"
	    PRIu64 ", unmatched %" PRIu64 ", learned servers %" PRIu64
	    ", store generation %" PRIu64 ", lag %.1fs (mean %.1fs)",
	    in.datagrams, in.malformed, s.records, s.connections, s.live,
	    s.evicted, s.looked_up, s.detections, s.unmatched,
	    m->learned_servers, match_store_generation(mt), m->lag_last_s,
	    m->lag_count ? m->lag_sum_s / (double)m->lag_count : 0.0);
}
