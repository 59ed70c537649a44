/*
 * report.h - what a run counts, and how it tells people and scripts: the
 * live progress line, the per-request log (--log), the summary and its
 * JSON form (--json).
 */
#ifndef FLOWGRAB_CRAWL_REPORT_H
#define FLOWGRAB_CRAWL_REPORT_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

/* Counters, bumped from every thread with crawl_stat_add(). */
struct crawl_stats {
	uint64_t requests;        /* HTTP transfers started (robots too) */
	uint64_t bytes;           /* body bytes received */
	uint64_t pages;           /* pages fetched and parsed */
	uint64_t pages_unchanged; /* pages answering 304 */
	uint64_t links;           /* links found on pages */
	uint64_t probes;          /* download candidates probed */
	uint64_t range_fallbacks; /* probes that needed GET Range */
	uint64_t dl_new, dl_changed, dl_same, dl_gone;
	uint64_t below_min;       /* probed, smaller than the threshold */
	uint64_t fresh;           /* known and checked recently: not probed */
	uint64_t robots_denied;   /* URLs robots.txt kept us from */
	uint64_t traps;           /* links refused as crawler traps */
	uint64_t out_of_scope;    /* links outside the vendor's scope */
	uint64_t retries;         /* 429/503 answers retried later */
	uint64_t truncated;       /* pages cut off at --max-page */
	uint64_t over_limit;      /* links dropped at --max-urls */
	uint64_t manifests;       /* manifests read */
	uint64_t manifests_unchanged; /* manifests answering 304 */
	uint64_t manifest_files;  /* files they listed (before thresholds) */
	uint64_t manifest_errors; /* manifests refused (malformed, ...) */
	uint64_t listing_probes;  /* files of listings probed as a sample */
	uint64_t listing_mismatch; /* ... whose size the listing got wrong */
	uint64_t starts_reached;  /* start URLs that answered 2xx or 304 */
	uint64_t starts_failed;   /* start URLs lost: error, robots.txt */
	uint64_t hosts_given_up;  /* hosts dropped after --max-stalls */
	uint64_t given_up;        /* URLs of those hosts not fetched */
	/* errors by kind */
	uint64_t err_connect, err_timeout, err_http4xx, err_http5xx,
	    err_redirects, err_protocol, err_size_unknown, err_other;
	uint64_t queued;          /* gauge: items waiting */
};

#define crawl_stat_add(st, field, n) \
	__atomic_fetch_add(&(st)->field, (uint64_t)(n), __ATOMIC_RELAXED)
#define crawl_stat_get(st, field) \
	__atomic_load_n(&(st)->field, __ATOMIC_RELAXED)

uint64_t crawl_stats_errors(const struct crawl_stats *s);

/* Request log (--log FILE), shared by the workers. */
struct crawl_log {
	FILE *f;
	pthread_mutex_t lock;
};

int crawl_log_open(struct crawl_log *l, const char *path);
void crawl_log_close(struct crawl_log *l);
/* One line: time, what, status, bytes, seconds, URL, note. */
void crawl_log_request(struct crawl_log *l, const char *what, int status,
    uint64_t bytes, double secs, const char *url, const char *note);

/*
 * Report lines on stderr, one for each thing a run loses or cuts short,
 * each naming it and why.  What is lost decides the verbosity, here and
 * not in the engine: a run from cron mails a line for each host, start
 * URL or page lost or cut short, never one for each file.
 */
/* A start URL not fetched (everything below it lost). */
void crawl_report_start_lost(const char *url, const char *why);
/* robots.txt at @url unreachable or 5xx: its whole host lost. */
void crawl_report_robots_lost(const char *url, const char *why);
/* Host @host given up after @stalls stalled transfers, the last @url;
 * @dropped queued URLs not fetched. */
void crawl_report_given_up(const char *host, unsigned stalls,
    const char *url, size_t dropped);
/* A page (not a start URL) not read: its links are not followed. */
void crawl_report_page_lost(const char *url, const char *why);
/* A page cut short: at @max_page bytes if @bytes_cut, and at @max_links
 * links if @links_cut; the links after the cut are not followed. */
void crawl_report_page_cut(const char *url, int bytes_cut, size_t max_page,
    int links_cut, size_t max_links);
/* robots.txt at @url cut at @max bytes: the rules after it ignored. */
void crawl_report_robots_cut(const char *url, size_t max);
/* A file's problem @why (its size lost, or a probe that had to fall
 * back): said at the default verbosity for the @first file of @host that
 * has it, the others only with -v. */
void crawl_report_file(const char *url, const char *why, const char *host,
    int first);

/* "\r pages ... " on @f (a terminal); crawl_progress_end() clears it. */
void crawl_progress(FILE *f, const struct crawl_stats *s, double elapsed);
void crawl_progress_end(FILE *f);

/* The end-of-run summary, for people and as one JSON object. */
void crawl_summary(FILE *f, const struct crawl_stats *s, double elapsed,
    const char *outcome);
void crawl_summary_json(FILE *f, const struct crawl_stats *s, double elapsed,
    const char *outcome);

#endif
