/*
 * engine.h - running a crawl: worker threads over the scheduler, the
 * writer thread, the persistent frontier.  See docs/crawler.md.
 */
#ifndef FLOWGRAB_CRAWL_ENGINE_H
#define FLOWGRAB_CRAWL_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "report.h"
#include "seeds.h"
#include "store.h"

struct crawl_opts {
	unsigned threads;        /* worker threads */
	unsigned parallel;       /* transfers in flight per worker */
	unsigned per_host;       /* transfers in flight per host */
	double delay;            /* seconds between request starts per host */
	uint64_t min_size;       /* smallest download stored */
	size_t max_page;         /* page bytes kept */
	long connect_timeout, stall_timeout, timeout, max_redirs;
	long min_speed;          /* bytes/s below which a transfer stalls */
	unsigned max_stalls;     /* timed-out transfers before a host is given
	                            up (0: never) */
	unsigned max_retries;    /* after 429/503 */
	double max_retry_after;  /* longest Retry-After honoured, seconds */
	const char *user_agent;
	const char *cacert;      /* CA bundle (tests, private CAs); NULL */
	const char *robots_agent; /* NULL: robots.txt ignored */
	uint64_t reprobe_after;  /* seconds */
	uint64_t max_urls;       /* URLs queued per run at most */
	size_t max_manifest;     /* manifest bytes, fetched and decompressed */
	unsigned listing_sample; /* probe 1 in N files a listing sizes */
	int restart;             /* drop a saved frontier */
	int progress;            /* live progress line on stderr */
	struct crawl_log *log;
};

/* Outcome of crawl_run(). */
enum crawl_outcome {
	CRAWL_DONE = 0,
	CRAWL_INTERRUPTED = 1,
	CRAWL_STORE_FAILED = 2,
	CRAWL_SETUP_FAILED = 3,
};

/*
 * Crawl @seeds into @st.  Resumes the frontier saved in @st by an
 * interrupted run unless o->restart.  Stops taking new work when
 * *@interrupted becomes non-zero, commits what is done and returns
 * CRAWL_INTERRUPTED.  @resumed gets 1 if a saved frontier was resumed.
 */
enum crawl_outcome crawl_run(const struct crawl_opts *o,
    const struct crawl_seeds *seeds, struct store *st,
    struct crawl_stats *stats, volatile sig_atomic_t *interrupted,
    double *elapsed, int *resumed);

#endif
