/*
 * main.c - flowgrab-matcher: options, then the wiring of inputs
 * (matcher/input/), the pipeline (match.h) and the report.
 *
 * Batch mode reads files, stdin or nfcapd files to EOF; collector mode
 * (--listen) runs until a signal, --duration or --count.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html-report.h"
#include "html-run.h"
#include "input/input.h"
#include "match.h"
#include "metrics-http.h"
#include "metrics.h"
#include "observe.h"
#include "report.h"
#include "store.h"
#include "util.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: flowgrab-matcher -s STORE [options] [FILE...]   (FILE - = stdin)\n"
"       flowgrab-matcher -s STORE --listen [ADDR:]PORT [options]\n"
"       flowgrab-matcher -s STORE --nfcapd FILE|DIR [options]\n"
"       flowgrab-matcher --report FILE.html --from-detections FILE.jsonl\n"
"Name the known files that hosts downloaded, from flow records.\n"
"  -s, --store DIR          the reference store (required)\n"
"  -l, --listen ADDR        collect NetFlow v5/v9/IPFIX on UDP [ADDR:]PORT\n"
"      --nfcapd PATH        read nfcapd files through nfdump\n"
"  -F, --input-format FMT   %s (default: detect)\n"
"      --strict             a bad input line is fatal\n"
"  -f, --format FMT         table, csv or json (JSON Lines); default table\n"
"      --summary            inventory per client at the end\n"
"      --unmatched          also list big transfers matching nothing\n"
"      --report FILE.html   also write an HTML report (self-contained)\n"
"      --from-detections F  with --report: read detections (JSON Lines of\n"
"                           --format json) instead of flows; -s optional\n"
"      --min-size SIZE      smallest payload looked up (100k)\n"
"      --min-confidence X   report detections at or above X (0.5)\n"
"      --tolerance X        scale every error tolerance (1.0)\n"
"      --http-header A:B:C  response header min:typical:max (40:250:1500)\n"
"      --tls-handshake A:B:C  TLS server overhead (600:3500:9000)\n"
"      --tls-ports LIST     ports carrying TLS (443,8443)\n"
"      --no-learn           learn nothing per server (overhead) or per\n"
"                           client (request size, where losses fall)\n"
"      --hold DUR           wait up to DUR for a server's overhead to be\n"
"                           learned before reporting its downloads (300s;\n"
"                           0: at once)\n"
"      --no-ranges          no summing of parallel range requests\n"
"      --max-connections N  live connection slots (1000000)\n"
"      --idle-timeout DUR   end a quiet connection after DUR (300s)\n"
"      --duration DUR       collector: stop after DUR\n"
"      --metrics [ADDR:]PORT  collector: serve Prometheus metrics over HTTP\n"
"                           (GET /metrics; ADDR 127.0.0.1 unless given)\n"
"      --stats-interval DUR collector: log a line of counters every DUR\n"
"                           (10m; 0: never)\n"
"      --count N            stop after N detections\n"
"      --observe ADDR[,ADDR...]  reference hosts: write every large transfer\n"
"                           they receive to the store as an observed\n"
"                           reference (not reported); needs --label\n"
"      --label TEXT         what the reference hosts are doing (\"win10-22H2\n"
"                           2026-12 updates\"), kept with each reference\n"
"  -v, --verbose  -q, --quiet  -h, --help  -V, --version\n"
	    "Exit: 0 done, 1 an input could not be read, 2 bad arguments,\n"
	    "3 store unusable.\n",
	    FLOW_INPUT_FORMATS);
}

enum {
	OPT_NFCAPD = 256, OPT_STRICT, OPT_SUMMARY, OPT_UNMATCHED, OPT_MINSIZE,
	OPT_MINCONF, OPT_TOL, OPT_HTTPHDR, OPT_TLSHS, OPT_TLSPORTS, OPT_NOLEARN,
	OPT_NORANGES, OPT_MAXCONN, OPT_IDLE, OPT_DURATION, OPT_COUNT, OPT_HOLD,
	OPT_METRICS, OPT_STATSINT, OPT_REPORT, OPT_FROMDET, OPT_OBSERVE,
	OPT_LABEL,
};

static const struct option long_opts[] = {
	{ "store", required_argument, NULL, 's' },
	{ "listen", required_argument, NULL, 'l' },
	{ "nfcapd", required_argument, NULL, OPT_NFCAPD },
	{ "input-format", required_argument, NULL, 'F' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "format", required_argument, NULL, 'f' },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "unmatched", no_argument, NULL, OPT_UNMATCHED },
	{ "min-size", required_argument, NULL, OPT_MINSIZE },
	{ "min-confidence", required_argument, NULL, OPT_MINCONF },
	{ "tolerance", required_argument, NULL, OPT_TOL },
	{ "http-header", required_argument, NULL, OPT_HTTPHDR },
	{ "tls-handshake", required_argument, NULL, OPT_TLSHS },
	{ "tls-ports", required_argument, NULL, OPT_TLSPORTS },
	{ "no-learn", no_argument, NULL, OPT_NOLEARN },
	{ "no-ranges", no_argument, NULL, OPT_NORANGES },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "max-connections", required_argument, NULL, OPT_MAXCONN },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "from-detections", required_argument, NULL, OPT_FROMDET },
	{ "stats-interval", required_argument, NULL, OPT_STATSINT },
	{ "observe", required_argument, NULL, OPT_OBSERVE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "A:B:C" with A <= B <= C */
static int parse_triple(const char *s, uint32_t *a, uint32_t *b, uint32_t *c)
{
	unsigned long x, y, z;
	char tail;

	if (sscanf(s, "%lu:%lu:%lu%c", &x, &y, &z, &tail) != 3 || x > y ||
	    y > z || z > 1000000)
		return -1;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	*c = (uint32_t)z;
	return 0;
}

static int parse_ports(const char *s, struct payload_config *p)
{
	char *copy = fg_strdup(s), *tok, *save = NULL;
	int rc = 0;

	p->ntls_ports = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (p->ntls_ports == PAYLOAD_MAX_TLS_PORTS ||
		    fg_parse_uint(tok, 1, 65535, &v) < 0) {
			rc = -1;
			break;
		}
		p->tls_ports[p->ntls_ports++] = (uint16_t)v;
	}
	free(copy);
	return rc;
}

static void print_stats(const struct matcher *m,
    const struct flow_input_stats *in)
{
	struct match_stats s;

	match_get_stats(m, &s);
	fprintf(stderr, "%s: decoded %" PRIu64 " (%" PRIu64 " without "
	    "addresses), records %" PRIu64 ", connections %" PRIu64
	    ", looked up %" PRIu64 ", candidates %" PRIu64 ", detections %"
	    PRIu64 " (%" PRIu64 " range groups), unmatched %" PRIu64
	    ", evicted %" PRIu64 ", observed %" PRIu64 ", malformed %" PRIu64
	    " (datagrams %" PRIu64 ", bad lines %" PRIu64 ", no template %"
	    PRIu64 "), datagrams %" PRIu64 "\n",
	    fg_progname(), in->decoded, in->no_addresses, s.records,
	    s.connections, s.looked_up, s.candidates,
	    s.detections, s.groups, s.unmatched, s.evicted, s.observed,
	    in->malformed + in->bad_lines, in->malformed, in->bad_lines,
	    in->dropped_no_template, in->datagrams);
}

static void add_stats(struct flow_input_stats *sum,
    const struct flow_input_stats *a)
{
	sum->malformed += a->malformed;
	sum->bad_lines += a->bad_lines;
	sum->dropped_no_template += a->dropped_no_template;
	sum->records += a->records;
	sum->decoded += a->decoded;
	sum->no_addresses += a->no_addresses;
	sum->datagrams += a->datagrams;
}

/* ---- collector mode: the records, the metrics, the log line ---------- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct collector_run {
	struct matcher *m;
	struct flow_collector *c;
	struct metrics mx;
	struct html_report *hr;     /* --report, or NULL */
};

/* Every result goes to the HTML report too (html-report.h). */
static void html_observe(const struct match_result *res, void *arg)
{
	struct detection d;

	if (res->status == MATCH_SMALL)
		return;
	detection_from_result(&d, res);
	html_report_add(arg, &d);
}

/* The sink in collector mode: count for the metrics, then match. */
static int collector_sink(const struct flow_record *r, void *arg)
{
	struct collector_run *cr = arg;

	metrics_record(&cr->mx, r, wall_ms());
	return match_record(r, cr->m);
}

static void collector_observe(const struct match_result *res, void *arg)
{
	struct collector_run *cr = arg;

	metrics_result(&cr->mx, res);
	if (cr->hr)
		html_observe(res, cr->hr);
}

static int collector_render(struct fg_buf *b, void *arg)
{
	struct collector_run *cr = arg;

	return metrics_render(b, &cr->mx, cr->m, cr->c, wall_ms());
}

static int run_collector(struct matcher *m, const char *listen,
    const char *metrics_at, uint64_t stats_interval, uint64_t duration,
    struct html_report *hr, struct flow_input_stats *in)
{
	struct collector_run cr;
	struct metrics_http *mh = NULL;
	struct pollfd pfd[2 + METRICS_HTTP_CLIENTS];
	char err[256], line[640];
	double t_end = duration ? fg_monotonic() + (double)duration : 0;
	double t_stats = fg_monotonic() + (double)stats_interval;
	int rc = 0;

	memset(&cr, 0, sizeof(cr));
	cr.m = m;
	cr.hr = hr;
	metrics_init(&cr.mx, wall_ms());
	cr.c = flow_collector_open(listen, err, sizeof(err));
	if (!cr.c) {
		fg_error("--listen %s: %s", listen, err);
		return 1;
	}
	if (metrics_at) {
		mh = metrics_http_open(metrics_at, err, sizeof(err));
		if (!mh) {
			fg_error("%s", err);
			flow_collector_close(cr.c);
			return 1;
		}
		fg_verbose("metrics on %s (port %d)", metrics_at,
		    metrics_http_port(mh));
	}
	match_set_observer(m, collector_observe, &cr);
	fg_verbose("collecting on %s (port %d)", listen,
	    flow_collector_port(cr.c));
	while (!stop_signal && !match_done(m)) {
		int np = 1, n;

		pfd[0].fd = flow_collector_fd(cr.c);
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		if (mh)
			np += metrics_http_pollfds(mh, pfd + 1);
		n = poll(pfd, (nfds_t)np, 200);
		if (n < 0 && errno != EINTR) {
			fg_error("poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (n > 0 && pfd[0].revents && flow_collector_read(cr.c,
		    collector_sink, &cr) == FLOW_E_STOPPED)
			break;
		if (mh)
			metrics_http_service(mh, pfd + 1, n > 0 ? np - 1 : 0,
			    fg_monotonic(), collector_render, &cr);
		if (match_tick(m, (int64_t)fg_now() * 1000) < 0) {
			fg_error("store %s: cannot renew the read transaction",
			    "(matcher)");
			rc = 1;
			break;
		}
		if (stats_interval && fg_monotonic() >= t_stats) {
			metrics_summary(line, sizeof(line), &cr.mx, m, cr.c);
			if (fg_log_level() >= FG_LOG_NORMAL)
				fprintf(stderr, "%s: %s\n", fg_progname(), line);
			t_stats += (double)stats_interval;
		}
		if (t_end && fg_monotonic() >= t_end)
			break;
	}
	/* what the socket still holds */
	while (!match_done(m) && flow_collector_read(cr.c, collector_sink,
	    &cr) > 0)
		;
	match_flush(m);
	match_set_observer(m, hr ? html_observe : NULL, hr);
	flow_collector_stats(cr.c, in);
	flow_collector_close(cr.c);
	metrics_http_close(mh);
	metrics_free(&cr.mx);
	return rc;
}

/* --report FILE --from-detections F...: no flows, no matcher. */
static int report_from_detections(const char *path, char **files, int n,
    const char *store_dir, int strict, int other_inputs)
{
	struct html_report *hr;
	struct store *st = NULL;
	char err[512];
	int status, rc;

	if (!path)
		fg_fatal(2, "--from-detections needs --report FILE.html");
	if (other_inputs)
		fg_fatal(2, "--from-detections reads detections: no --listen, "
		    "--nfcapd, --metrics or flow files with it");
	if (store_dir) {
		rc = store_open(store_dir, STORE_RDONLY, &st, err, sizeof(err));
		if (rc < 0)
			fg_fatal(3, "%s", err[0] ? err : store_strerror(rc));
	}
	hr = html_report_new();
	status = html_run_from_detections(hr, files, n, strict);
	if (st)
		html_run_store(hr, st);
	if (html_report_write(hr, path, err, sizeof(err)) < 0) {
		fg_error("%s", err);
		status = 1;
	}
	html_report_free(hr);
	store_close(st);
	return status;
}

int main(int argc, char **argv)
{
	struct match_options mo;
	struct flow_input_stats in, one;
	struct store *st = NULL;
	struct matcher *m = NULL;
	struct report *rep = NULL;
	const char *store_dir = NULL, *listen = NULL, *nfcapd = NULL;
	const char *input_format = NULL;
	int strict = 0, fmt = REPORT_TABLE, summary = 0, unmatched = 0;
	int loglevel = FG_LOG_NORMAL, ch, rc, status = 0, i;
	uint64_t duration = 0, stats_interval = 600, v;
	const char *metrics_at = NULL, *report_path = NULL;
	const char *observe_list = NULL, *label = NULL;
	struct observe *ob = NULL;
	char *from_det[32];
	int nfrom = 0;
	struct html_report *hr = NULL;
	char err[512];
	struct sigaction sa;

	fg_log_init("flowgrab-matcher", FG_LOG_NORMAL);
	match_options_default(&mo);
	memset(&in, 0, sizeof(in));

	while ((ch = getopt_long(argc, argv, "s:l:F:f:vqhV", long_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 's': store_dir = optarg; break;
		case 'l': listen = optarg; break;
		case OPT_NFCAPD: nfcapd = optarg; break;
		case 'F':
			if (strcmp(optarg, "auto") &&
			    flow_input_format_valid(optarg) < 0)
				fg_fatal(2, "--input-format %s: not one of %s",
				    optarg, FLOW_INPUT_FORMATS);
			input_format = optarg;
			break;
		case OPT_STRICT: strict = 1; break;
		case 'f':
			fmt = report_format_parse(optarg);
			if (fmt < 0)
				fg_fatal(2, "--format %s: use table, csv or "
				    "json", optarg);
			break;
		case OPT_SUMMARY: summary = 1; break;
		case OPT_UNMATCHED: unmatched = 1; break;
		case OPT_MINSIZE:
			if (fg_parse_size(optarg, &mo.score.min_size) < 0)
				fg_fatal(2, "--min-size %s: not a size", optarg);
			break;
		case OPT_MINCONF:
			if (parse_double(optarg, 0, 1,
			    &mo.score.min_confidence) < 0)
				fg_fatal(2, "--min-confidence %s: not in [0,1]",
				    optarg);
			break;
		case OPT_TOL:
			if (parse_double(optarg, 0.01, 100,
			    &mo.payload.tol_scale) < 0)
				fg_fatal(2, "--tolerance %s: not in [0.01,100]",
				    optarg);
			break;
		case OPT_HTTPHDR:
			if (parse_triple(optarg, &mo.payload.http_hdr_min,
			    &mo.payload.http_hdr_typ,
			    &mo.payload.http_hdr_max) < 0)
				fg_fatal(2, "--http-header %s: want MIN:TYP:MAX",
				    optarg);
			break;
		case OPT_TLSHS:
			if (parse_triple(optarg, &mo.payload.tls_hs_min,
			    &mo.payload.tls_hs_typ,
			    &mo.payload.tls_hs_max) < 0)
				fg_fatal(2, "--tls-handshake %s: want "
				    "MIN:TYP:MAX", optarg);
			break;
		case OPT_TLSPORTS:
			if (parse_ports(optarg, &mo.payload) < 0)
				fg_fatal(2, "--tls-ports %s: want a list of up "
				    "to %d ports", optarg,
				    PAYLOAD_MAX_TLS_PORTS);
			break;
		case OPT_NOLEARN: mo.score.learn = 0; break;
		case OPT_NORANGES: mo.ranges = 0; break;
		case OPT_MAXCONN:
			if (fg_parse_uint(optarg, 16, 100000000, &v) < 0)
				fg_fatal(2, "--max-connections %s: want 16.."
				    "100000000", optarg);
			mo.conn.max_connections = (uint32_t)v;
			break;
		case OPT_IDLE:
			if (fg_parse_duration(optarg, &v) < 0 || v == 0 ||
			    v > 86400 * 30)
				fg_fatal(2, "--idle-timeout %s: not a duration",
				    optarg);
			mo.conn.idle_ms = (int64_t)v * 1000;
			break;
		case OPT_HOLD:
			if (fg_parse_duration(optarg, &v) < 0 || v > 86400)
				fg_fatal(2, "--hold %s: not a duration (at most "
				    "a day)", optarg);
			mo.hold_ms = (int64_t)v * 1000;
			break;
		case OPT_DURATION:
			if (fg_parse_duration(optarg, &duration) < 0)
				fg_fatal(2, "--duration %s: not a duration",
				    optarg);
			break;
		case OPT_METRICS: metrics_at = optarg; break;
		case OPT_OBSERVE: observe_list = optarg; break;
		case OPT_LABEL: label = optarg; break;
		case OPT_REPORT: report_path = optarg; break;
		case OPT_FROMDET:
			if (nfrom == 32)
				fg_fatal(2, "--from-detections: at most 32 files");
			from_det[nfrom++] = optarg;
			break;
		case OPT_STATSINT:
			if (fg_parse_duration(optarg, &stats_interval) < 0)
				fg_fatal(2, "--stats-interval %s: not a duration",
				    optarg);
			break;
		case OPT_COUNT:
			if (fg_parse_uint(optarg, 1, UINT64_MAX, &v) < 0)
				fg_fatal(2, "--count %s: not a count", optarg);
			mo.max_detections = v;
			break;
		case 'v': loglevel++; break;
		case 'q': loglevel = FG_LOG_QUIET; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("flowgrab-matcher %s\n", FG_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	fg_log_init("flowgrab-matcher", loglevel);
	if (nfrom)
		return report_from_detections(report_path, from_det, nfrom,
		    store_dir, strict, listen || nfcapd || optind < argc ||
		    metrics_at);
	if (!store_dir)
		fg_fatal(2, "no store: give -s/--store DIR");
	if ((listen != NULL) + (nfcapd != NULL) + (optind < argc) > 1)
		fg_fatal(2, "give one of --listen, --nfcapd or input files");
	if (metrics_at && !listen)
		fg_fatal(2, "--metrics needs --listen (a collector)");
	if (label && !observe_list)
		fg_fatal(2, "--label goes with --observe ADDR");

	/* read-only unless it writes observed references */
	rc = store_open(store_dir, observe_list ? 0 : STORE_RDONLY, &st, err,
	    sizeof(err));
	if (rc < 0)	/* 3, as for flowgrab-store and flowgrab-crawler */
		fg_fatal(3, "%s", err[0] ? err : store_strerror(rc));
	if (observe_list) {
		ob = observe_new(st, observe_list, label, &mo.payload,
		    mo.score.min_size, err, sizeof(err));
		if (!ob)
			fg_fatal(2, "%s", err);
	}
	rep = report_new(stdout, (enum report_format)fmt, unmatched, summary);
	rc = match_new(&mo, st, rep, &m);
	if (rc < 0)
		fg_fatal(3, "store %s: %s", store_dir, store_strerror(rc));
	match_set_observe(m, ob);
	if (report_path) {
		hr = html_report_new();
		match_set_observer(m, html_observe, hr);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (listen) {
		status = run_collector(m, listen, metrics_at, stats_interval,
		    duration, hr, &in);
	} else if (nfcapd) {
		memset(&one, 0, sizeof(one));
		rc = flow_read_nfcapd(nfcapd, strict, match_record, m, &one);
		add_stats(&in, &one);
		if (rc < 0 && rc != FLOW_E_STOPPED) {
			fg_error("%s: %s", nfcapd, flow_strerror(rc));
			status = 1;
		}
	} else {
		int nfiles = argc - optind;

		for (i = 0; i < (nfiles ? nfiles : 1) && !match_done(m); i++) {
			const char *name = nfiles ? argv[optind + i] : "-";
			FILE *f = stdin;

			if (strcmp(name, "-")) {
				f = fopen(name, "r");
				if (!f) {
					fg_error("%s: %s", name, strerror(errno));
					status = 1;
					continue;
				}
			}
			memset(&one, 0, sizeof(one));
			rc = flow_read_stream(f, strcmp(name, "-") ? name :
			    "(stdin)", input_format, strict, match_record, m,
			    &one);
			add_stats(&in, &one);
			if (f != stdin)
				fclose(f);
			if (rc < 0 && rc != FLOW_E_STOPPED) {
				fg_error("%s: %s", name, flow_strerror(rc));
				status = 1;
				if (strict)
					break;
			}
		}
	}
	match_flush(m);
	/* observed references not written are lost: say so in the status */
	if (ob && match_store_error(m) && status == 0)
		status = 3;
	report_finish(rep);
	print_stats(m, &in);
	if (hr) {
		struct match_stats ms;
		char what[300];

		match_get_stats(m, &ms);
		snprintf(what, sizeof(what), "%s%s", listen ? "collector on " :
		    nfcapd ? "nfcapd files " : "flow files",
		    listen ? listen : nfcapd ? nfcapd : "");
		html_run_stats(hr, what, &ms, &in);
		html_run_store(hr, st);
		html_run_model(hr, &mo);
		if (html_report_write(hr, report_path, err, sizeof(err)) < 0) {
			fg_error("%s", err);
			status = 1;
		}
		html_report_free(hr);
	}
	match_free(m);
	observe_free(ob);
	report_free(rep);
	store_close(st);
	return status;
}
