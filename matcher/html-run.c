/*
 * html-run.c - what flowgrab-matcher tells the HTML report about the run
 * (its statistics, the model's settings, the store) and the
 * --from-detections mode, kept out of main.c, which only wires them.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detections.h"
#include "html-run.h"
#include "util.h"

static void setf(struct html_report *h, const char *sec, const char *key,
    const char *fmt, ...) FG_PRINTF(4, 5);

static void setf(struct html_report *h, const char *sec, const char *key,
    const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	html_report_setting(h, sec, key, v);
}

void html_run_model(struct html_report *h, const struct match_options *o)
{
	const struct payload_config *p = &o->payload;
	char ports[128] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < p->ntls_ports && n < sizeof(ports) - 8; i++)
		n += (size_t)snprintf(ports + n, sizeof(ports) - n, "%s%u",
		    i ? "," : "", p->tls_ports[i]);
	setf(h, "model", "--min-size", "%" PRIu64 " bytes", o->score.min_size);
	setf(h, "model", "--min-confidence", "%.2f", o->score.min_confidence);
	setf(h, "model", "--tolerance", "%.2f", p->tol_scale);
	setf(h, "model", "--http-header", "%u:%u:%u", p->http_hdr_min,
	    p->http_hdr_typ, p->http_hdr_max);
	setf(h, "model", "--tls-handshake", "%u:%u:%u", p->tls_hs_min,
	    p->tls_hs_typ, p->tls_hs_max);
	setf(h, "model", "--tls-ports", "%s", ports);
	setf(h, "model", "learning per server and client", "%s",
	    o->score.learn ? "on" : "off (--no-learn)");
	setf(h, "model", "--hold", "%" PRId64 " s", o->hold_ms / 1000);
	setf(h, "model", "range requests summed", "%s", o->ranges ? "yes" :
	    "no (--no-ranges)");
	setf(h, "model", "--idle-timeout", "%" PRId64 " s",
	    o->conn.idle_ms / 1000);
	setf(h, "model", "--max-connections", "%u", o->conn.max_connections);
}

void html_run_stats(struct html_report *h, const char *input,
    const struct match_stats *s, const struct flow_input_stats *in)
{
	setf(h, "run", "input", "%s", input);
	setf(h, "run", "flow records", "%" PRIu64, s->records);
	if (in->datagrams)
		setf(h, "run", "datagrams", "%" PRIu64, in->datagrams);
	setf(h, "run", "malformed datagrams, bad lines", "%" PRIu64 ", %"
	    PRIu64, in->malformed, in->bad_lines);
	setf(h, "run", "connections", "%" PRIu64 " (%" PRIu64 " evicted)",
	    s->connections, s->evicted);
	setf(h, "run", "looked up in the store", "%" PRIu64 " (%" PRIu64
	    " candidates)", s->looked_up, s->candidates);
	setf(h, "run", "detections", "%" PRIu64 " (%" PRIu64 " of range "
	    "requests)", s->detections, s->groups);
	setf(h, "run", "looked up, matched nothing", "%" PRIu64, s->unmatched);
}

void html_run_store(struct html_report *h, struct store *st)
{
	struct store_txn *txn = NULL;
	struct store_stats ss;

	setf(h, "run", "store", "%s", store_path(st));
	if (store_begin(st, STORE_TXN_READ, &txn) < 0)
		return;
	if (store_stats(txn, &ss) == 0)
		setf(h, "run", "store holds", "%" PRIu64 " downloads (%" PRIu64
		    " alive, %" PRIu64 " gone)", ss.downloads, ss.alive,
		    ss.gone);
	store_abort(txn);
	/* the versions it knows, for "not fetched" */
	if (html_report_use_store(h, st) < 0)
		fg_warn("store %s: cannot read its versions for the report",
		    store_path(st));
}

int html_run_from_detections(struct html_report *h, char *const *files,
    int nfiles, int strict)
{
	uint64_t lines = 0, kept = 0, unmatched = 0, bad = 0;
	char err[512], list[512] = "";
	size_t n = 0;
	int i, rc = 0;

	for (i = 0; i < nfiles; i++) {
		struct detections_reader *r;
		struct detection d;
		int got;

		if (n < sizeof(list) - 1)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
			    i ? ", " : "", files[i]);
		r = detections_open(files[i], err, sizeof(err));
		if (!r) {
			fg_error("--from-detections %s", err);
			rc = 1;
			continue;
		}
		while ((got = detections_next(r, &d, err, sizeof(err))) != 0) {
			if (got == -2) {
				fg_error("%s", err);
				rc = 1;
				break;
			}
			if (got < 0) {
				if (++bad <= 20)
					fg_error("%s", err);
				if (strict) {
					rc = 1;
					break;
				}
				continue;
			}
			html_report_add(h, &d);
			kept++;
			if (!d.url)
				unmatched++;
		}
		lines += detections_lines(r);
		detections_close(r);
		if (rc && strict)
			break;
	}
	if (bad > 20)
		fg_error("%" PRIu64 " lines in all were not detections of ours "
		    "(the first 20 are named above)", bad);
	setf(h, "run", "input", "JSON Lines of earlier detections: %s", list);
	setf(h, "run", "lines read", "%" PRIu64, lines);
	setf(h, "run", "detections", "%" PRIu64, kept - unmatched);
	setf(h, "run", "transfers that matched nothing", "%" PRIu64, unmatched);
	setf(h, "run", "lines skipped (not ours, damaged)", "%" PRIu64, bad);
	html_report_setting(h, "model", "settings",
	    "those of the runs that wrote the detections (JSON Lines do not "
	    "record them)");
	return rc;
}
