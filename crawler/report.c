/*
 * report.c - progress line, request log and end-of-run summary.
 *
 * Kept apart from the crawl so that the engine only bumps counters and
 * never decides what a person sees.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"

uint64_t crawl_stats_errors(const struct crawl_stats *s)
{
	return crawl_stat_get(s, err_connect) + crawl_stat_get(s, err_timeout) +
	    crawl_stat_get(s, err_http4xx) + crawl_stat_get(s, err_http5xx) +
	    crawl_stat_get(s, err_redirects) + crawl_stat_get(s, err_protocol) +
	    crawl_stat_get(s, err_size_unknown) + crawl_stat_get(s, err_other) +
	    crawl_stat_get(s, manifest_errors);
}

int crawl_log_open(struct crawl_log *l, const char *path)
{
	l->f = NULL;
	pthread_mutex_init(&l->lock, NULL);
	if (!path)
		return 0;
	l->f = fopen(path, "a");
	if (!l->f) {
		fg_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void crawl_log_close(struct crawl_log *l)
{
	if (l->f)
		fclose(l->f);
	l->f = NULL;
	pthread_mutex_destroy(&l->lock);
}

void crawl_log_request(struct crawl_log *l, const char *what, int status,
    uint64_t bytes, double secs, const char *url, const char *note)
{
	char ts[40];
	struct timespec now;

	if (!l->f)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	fg_iso8601_ms((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts,
	    sizeof(ts));
	pthread_mutex_lock(&l->lock);
	fprintf(l->f, "%s %s %d %" PRIu64 " %.3f %s%s%s\n", ts, what, status,
	    bytes, secs, url, note && note[0] ? " " : "", note ? note : "");
	fflush(l->f);
	pthread_mutex_unlock(&l->lock);
}

void crawl_report_start_lost(const char *url, const char *why)
{
	fg_warn("start URL %s not fetched: %s", url, why);
}

void crawl_report_robots_lost(const char *url, const char *why)
{
	fg_warn("%s: %s; nothing of this host is crawled (RFC 9309 2.3.1.4)",
	    url, why);
}

void crawl_report_given_up(const char *host, unsigned stalls,
    const char *url, size_t dropped)
{
	fg_warn("%s: %u transfers stalled or timed out (the last: %s); giving "
	    "up on this host, %zu queued URLs not fetched", host, stalls, url,
	    dropped);
}

void crawl_report_page_lost(const char *url, const char *why)
{
	fg_warn("%s: page not read: %s; its links are not followed", url, why);
}

void crawl_report_page_cut(const char *url, int bytes_cut, size_t max_page,
    int links_cut, size_t max_links)
{
	char bytes[64] = "", links[64] = "";

	if (bytes_cut)
		snprintf(bytes, sizeof(bytes), " at %zu bytes (--max-page)",
		    max_page);
	if (links_cut)
		snprintf(links, sizeof(links), "%s at %zu links", bytes_cut ?
		    " and" : "", max_links);
	fg_warn("%s: page cut off%s%s; the links after the cut are not "
	    "followed", url, bytes, links);
}

void crawl_report_robots_cut(const char *url, size_t max)
{
	fg_warn("%s: cut off at %zu bytes; the rules after the cut are "
	    "ignored (RFC 9309 2.5)", url, max);
}

void crawl_report_file(const char *url, const char *why, const char *host,
    int first)
{
	if (first)
		fg_warn("%s: %s (the first such file of %s; the others are "
		    "named with -v)", url, why, host);
	else
		fg_verbose("%s: %s", url, why);
}

void crawl_progress(FILE *f, const struct crawl_stats *s, double elapsed)
{
	uint64_t req = crawl_stat_get(s, requests);

	fprintf(f, "\r\033[K%" PRIu64 " pages, %" PRIu64 " probes, %" PRIu64
	    " downloads (%" PRIu64 " new), %" PRIu64 " errors, %.0f req/s, "
	    "%" PRIu64 " queued, %.0fs",
	    crawl_stat_get(s, pages), crawl_stat_get(s, probes),
	    crawl_stat_get(s, dl_new) + crawl_stat_get(s, dl_changed) +
	    crawl_stat_get(s, dl_same), crawl_stat_get(s, dl_new),
	    crawl_stats_errors(s), elapsed > 0 ? req / elapsed : 0.0,
	    crawl_stat_get(s, queued), elapsed);
	fflush(f);
}

void crawl_progress_end(FILE *f)
{
	fprintf(f, "\r\033[K");
	fflush(f);
}

#define FIELDS(X) \
	X(requests) X(bytes) X(pages) X(pages_unchanged) X(links) X(probes) \
	X(range_fallbacks) X(below_min) X(fresh) X(robots_denied) X(traps) \
	X(out_of_scope) X(retries) X(truncated) X(over_limit) X(manifests) \
	X(manifests_unchanged) X(manifest_files) \
	X(listing_probes) X(listing_mismatch) \
	X(starts_reached) X(starts_failed) X(hosts_given_up) X(given_up)
#define ERRORS(X) \
	X(connect, err_connect) X(timeout, err_timeout) \
	X(http4xx, err_http4xx) X(http5xx, err_http5xx) \
	X(redirects, err_redirects) X(protocol, err_protocol) \
	X(size_unknown, err_size_unknown) X(other, err_other) \
	X(manifest, manifest_errors)

void crawl_summary(FILE *f, const struct crawl_stats *s, double elapsed,
    const char *outcome)
{
	uint64_t req = crawl_stat_get(s, requests);

	fprintf(f, "crawl %s in %.1fs: %" PRIu64 " requests (%.0f/s)\n",
	    outcome, elapsed, req, elapsed > 0 ? req / elapsed : 0.0);
	fprintf(f, "  pages %" PRIu64 " (%" PRIu64 " unchanged), links %"
	    PRIu64 ", probes %" PRIu64 " (%" PRIu64 " by GET Range)\n",
	    crawl_stat_get(s, pages), crawl_stat_get(s, pages_unchanged),
	    crawl_stat_get(s, links), crawl_stat_get(s, probes),
	    crawl_stat_get(s, range_fallbacks));
	if (crawl_stat_get(s, manifests) || crawl_stat_get(s, manifest_errors)
	    || crawl_stat_get(s, manifests_unchanged))
		fprintf(f, "  manifests %" PRIu64 " (%" PRIu64 " unchanged, %"
		    PRIu64 " refused), files listed %" PRIu64 ", listing "
		    "probes %" PRIu64 " (%" PRIu64 " wrong)\n",
		    crawl_stat_get(s, manifests),
		    crawl_stat_get(s, manifests_unchanged),
		    crawl_stat_get(s, manifest_errors),
		    crawl_stat_get(s, manifest_files),
		    crawl_stat_get(s, listing_probes),
		    crawl_stat_get(s, listing_mismatch));
	fprintf(f, "  downloads: %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	    " unchanged, %" PRIu64 " gone; %" PRIu64 " below threshold, %"
	    PRIu64 " recently checked\n",
	    crawl_stat_get(s, dl_new), crawl_stat_get(s, dl_changed),
	    crawl_stat_get(s, dl_same), crawl_stat_get(s, dl_gone),
	    crawl_stat_get(s, below_min), crawl_stat_get(s, fresh));
	fprintf(f, "  skipped: %" PRIu64 " by robots.txt, %" PRIu64 " traps, %"
	    PRIu64 " out of scope; %" PRIu64 " retries after 429/503\n",
	    crawl_stat_get(s, robots_denied), crawl_stat_get(s, traps),
	    crawl_stat_get(s, out_of_scope), crawl_stat_get(s, retries));
	if (crawl_stat_get(s, hosts_given_up))
		fprintf(f, "  given up: %" PRIu64 " hosts after --max-stalls, %"
		    PRIu64 " of their URLs not fetched\n",
		    crawl_stat_get(s, hosts_given_up), crawl_stat_get(s, given_up));
	if (crawl_stat_get(s, starts_failed))
		fprintf(f, "  start URLs: %" PRIu64 " reached, %" PRIu64
		    " not fetched\n", crawl_stat_get(s, starts_reached),
		    crawl_stat_get(s, starts_failed));
	fprintf(f, "  errors %" PRIu64, crawl_stats_errors(s));
#define E(name, field) \
	if (crawl_stat_get(s, field)) \
		fprintf(f, ", " #name " %" PRIu64, crawl_stat_get(s, field));
	ERRORS(E)
#undef E
	fprintf(f, "\n");
}

void crawl_summary_json(FILE *f, const struct crawl_stats *s, double elapsed,
    const char *outcome)
{
	fprintf(f, "{\"outcome\":");
	fg_json_string(f, outcome);
	fprintf(f, ",\"seconds\":%.3f", elapsed);
#define F(name) fprintf(f, ",\"" #name "\":%" PRIu64, crawl_stat_get(s, name));
	FIELDS(F)
#undef F
	fprintf(f, ",\"downloads\":{\"new\":%" PRIu64 ",\"changed\":%" PRIu64
	    ",\"unchanged\":%" PRIu64 ",\"gone\":%" PRIu64 "}",
	    crawl_stat_get(s, dl_new), crawl_stat_get(s, dl_changed),
	    crawl_stat_get(s, dl_same), crawl_stat_get(s, dl_gone));
	fprintf(f, ",\"errors\":{\"total\":%" PRIu64, crawl_stats_errors(s));
#define E(name, field) \
	fprintf(f, ",\"" #name "\":%" PRIu64, crawl_stat_get(s, field));
	ERRORS(E)
#undef E
	fprintf(f, "}}\n");
	fflush(f);
}
