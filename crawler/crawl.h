/*
 * crawl.h - types shared by the modules of flowgrab-crawler: a vendor's
 * rules (from a seed file or the command line), the run options, the unit of
 * work (struct crawl_item) and the run's counters.
 *
 * Each module has its own header for its functions; this one only holds
 * what several of them need to agree on.
 */
#ifndef FLOWGRAB_CRAWL_H
#define FLOWGRAB_CRAWL_H

#include <regex.h>
#include <stdint.h>
#include <stddef.h>

/* Exit statuses of flowgrab-crawler (documented in docs/crawler.md). */
#define CRAWL_EXIT_OK          0 /* crawl completed (errors on some URLs
                                    are counted, not fatal) */
#define CRAWL_EXIT_FAILURE     1 /* internal failure (e.g. libcurl init) */
#define CRAWL_EXIT_USAGE       2 /* bad option, bad seed file */
#define CRAWL_EXIT_STORE       3 /* the store cannot be opened or written */
#define CRAWL_EXIT_INTERRUPTED 4 /* SIGINT/SIGTERM: work committed, the
                                    frontier kept for the next run */
#define CRAWL_EXIT_UNREACHED   5 /* the crawl ran, but not one start URL
                                    could be fetched */

/* Module error codes (negative, as the conventions ask). */
#define CRAWL_EINVAL  (-1)  /* bad argument or input */
#define CRAWL_EURL    (-2)  /* URL that cannot be parsed or is not http(s) */
#define CRAWL_ETOOLONG (-3) /* URL longer than allowed */
#define CRAWL_ESTORE  (-4)  /* store error */
#define CRAWL_ECURL   (-5)  /* libcurl refused to set up */

/* How far a vendor's pages may be followed. */
enum crawl_scope {
	CRAWL_SCOPE_PREFIX = 0,  /* below the directory of a start URL */
	CRAWL_SCOPE_HOST = 1,    /* anywhere on the start URLs' hosts */
	CRAWL_SCOPE_REGEX = 2,   /* URLs matching scope-regex */
};

/* One vendor: a seed-file section or the command line's URLs. */
struct crawl_vendor {
	char *name;
	char *file;              /* where it was defined, for messages */
	unsigned line;
	char **starts;           /* normalised start URLs */
	size_t nstarts;
	char **prefixes;         /* scheme://host[:port]/dir/ of each start */
	char **hosts;            /* host names pages may be on (lowercase) */
	size_t nhosts;
	char **dl_hosts;         /* extra hosts downloads may be on */
	size_t ndl_hosts;
	enum crawl_scope scope;
	regex_t scope_re;
	int has_scope_re;
	unsigned depth;          /* page link depth from a start URL */
	char **exts;             /* download extensions, lowercase, no dot */
	size_t nexts;
	regex_t dl_re;
	int has_dl_re;
	regex_t reject_re;
	int has_reject_re;
	int allow_query;         /* follow page links with a query string */
	uint64_t min_size;       /* 0 = the run's --min-size */
	int has_min_size;
	double delay;            /* seconds; < 0 = the run's --delay */
	unsigned per_host;       /* 0 = the run's --per-host */
	char **manifests;        /* normalised manifest URLs */
	char **mprefixes;        /* the directory of each: a listing's
	                            subdirectories are in page scope */
	size_t nmanifests;
	int mformat;             /* enum crawl_mformat forced; 0 = detect */
	unsigned listing_sample; /* probe 1 listed file in N; 0 = the run's
	                            --listing-sample */
	int has_listing_sample;
};

/* What a queued URL is to be used for. */
enum crawl_kind {
	CRAWL_PAGE = 1,          /* fetch, extract links */
	CRAWL_PROBE = 2,         /* learn the size of a download candidate */
	CRAWL_ROBOTS = 3,        /* robots.txt of a host (not in the frontier) */
	CRAWL_MANIFEST = 4,      /* a manifest: sizes of the files it lists
	                            (in the frontier: kind | format << 3) */
};

struct crawl_sched_host;

/* A unit of work: one URL, with the flexible array keeping it to one
 * allocation (the frontier may hold a million of them). */
struct crawl_item {
	struct crawl_item *next;     /* in its host's queue */
	struct crawl_sched_host *host;
	uint32_t vendor;             /* index into the run's vendors */
	uint16_t depth;
	uint8_t kind;                /* enum crawl_kind */
	uint8_t tries;               /* retries after 429/503 so far */
	uint8_t hops;                /* redirects followed to get here */
	uint8_t range;               /* probe with GET Range: HEAD said nothing */
	uint8_t mformat;             /* CRAWL_MANIFEST: enum crawl_mformat */
	uint64_t expect;             /* size a manifest gave: a Release's for
	                                its Packages, a listing's for a sampled
	                                probe; 0 none (not kept over a resume) */
	char url[];                  /* the URL, NUL, the link it was reached
	                                from by redirects ("" if none), NUL */
};

#endif /* FLOWGRAB_CRAWL_H */
