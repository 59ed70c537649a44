/*
 * main.c - flowgrab-crawler: options, seeds, store, then crawl_run().
 * Nothing else lives here (see docs/crawler.md for the crawl itself).
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "crawl.h"
#include "engine.h"
#include "report.h"
#include "seeds.h"
#include "store.h"
#include "util.h"

#ifndef FG_VERSION
#define FG_VERSION "unknown"
#endif

#define ROBOTS_TOKEN "flowgrab-crawler"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
	signal(sig, SIG_DFL);	/* a second one ends us at once */
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: flowgrab-crawler -s STORE [options] [URL...]\n"
"Crawl vendors' download pages (--seeds FILE and/or URLs), probe each\n"
"download's size, record those above --min-size in STORE; read the\n"
"manifests seeds name (Debian, RPM, release JSON, appcasts, metalinks,\n"
"listings) and record the files they list without probing them.\n"
"  -s, --store DIR         the store (created if missing)\n"
"  -f, --seeds FILE        seed file (docs/seeds.md); repeatable\n"
"      --vendor NAME       label for URLs given here (default: web)\n"
"      --depth N           link depth for URLs given here (default 5)\n"
"  -t, --threads N         worker threads (2)\n"
"  -p, --parallel N        transfers in flight per thread (32)\n"
"      --per-host N        transfers in flight per host (4)\n"
"      --delay SECS        pause between requests to one host (0)\n"
"      --min-size SIZE     smallest download stored (1M)\n"
"      --max-page SIZE     page bytes read at most (8M)\n"
"      --max-manifest SIZE manifest bytes, fetched or decompressed (256M)\n"
"      --listing-sample N  probe 1 in N files a listing gives sizes of (50)\n"
"      --reprobe-after DUR skip downloads checked this recently (7d)\n"
"      --connect-timeout S, --stall-timeout S, --timeout S (10, 30, 300)\n"
"      --min-speed N       bytes/s under which a transfer stalls (256)\n"
"      --max-stalls N      stalled transfers before a host is dropped (3)\n"
"      --max-redirs N      redirects followed (5)\n"
"      --max-urls N        URLs queued per run at most (5000000)\n"
"      --retries N         retries after 429/503 (3)\n"
"      --max-retry-after S longest Retry-After honoured (300)\n"
"  -A, --user-agent STR    User-Agent (with a contact URL)\n"
"      --cacert FILE       trust the CAs in FILE instead of the system's\n"
"      --ignore-robots     do not read robots.txt\n"
"      --restart           forget an interrupted run's frontier\n"
"      --nosync            no fsync per commit (benchmarks)\n"
"      --log FILE          one line per request\n"
"      --json              JSON summary on stdout\n"
"      --summary           summary even off a terminal (also with -v)\n"
"  -q, --quiet / -v, --verbose\n"
"  -h, --help / -V, --version\n"
"Exit: 0 done, 2 bad arguments or seeds, 3 store unusable, 4 interrupted,\n"
"5 no start URL could be fetched.\n");
}

static void bad_arg(const char *opt, const char *val, const char *want)
{
	fg_error("--%s: '%s' is not %s", opt, val, want);
	exit(CRAWL_EXIT_USAGE);
}

static unsigned uint_arg(const char *opt, const char *val, uint64_t min,
    uint64_t max)
{
	uint64_t n;
	char want[64];

	if (fg_parse_uint(val, min, max, &n) < 0) {
		snprintf(want, sizeof(want), "a number from %llu to %llu",
		    (unsigned long long)min, (unsigned long long)max);
		bad_arg(opt, val, want);
	}
	return (unsigned)n;
}

static double secs_arg(const char *opt, const char *val)
{
	char *end;
	double d = strtod(val, &end);

	if (end == val || (*end && strcmp(end, "s") != 0) || d < 0 ||
	    d > 86400)
		bad_arg(opt, val, "a number of seconds");
	return d;
}

int main(int argc, char **argv)
{
	enum {
		O_VENDOR = 256, O_DEPTH, O_PERHOST, O_DELAY, O_MINSIZE,
		O_MAXPAGE, O_REPROBE, O_CTIMEOUT, O_STIMEOUT, O_TIMEOUT,
		O_REDIRS, O_RETRIES, O_MAXRA, O_NOROBOTS, O_RESTART, O_NOSYNC,
		O_LOG, O_JSON, O_SUMMARY, O_CACERT, O_MAXURLS, O_MAXMANIFEST,
		O_SAMPLE, O_MINSPEED, O_MAXSTALLS
	};
	static const struct option lopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "seeds", required_argument, NULL, 'f' },
		{ "vendor", required_argument, NULL, O_VENDOR },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "threads", required_argument, NULL, 't' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "per-host", required_argument, NULL, O_PERHOST },
		{ "delay", required_argument, NULL, O_DELAY },
		{ "min-size", required_argument, NULL, O_MINSIZE },
		{ "max-page", required_argument, NULL, O_MAXPAGE },
		{ "reprobe-after", required_argument, NULL, O_REPROBE },
		{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
		{ "stall-timeout", required_argument, NULL, O_STIMEOUT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "min-speed", required_argument, NULL, O_MINSPEED },
		{ "max-stalls", required_argument, NULL, O_MAXSTALLS },
		{ "max-redirs", required_argument, NULL, O_REDIRS },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "max-retry-after", required_argument, NULL, O_MAXRA },
		{ "user-agent", required_argument, NULL, 'A' },
		{ "cacert", required_argument, NULL, O_CACERT },
		{ "max-urls", required_argument, NULL, O_MAXURLS },
		{ "max-manifest", required_argument, NULL, O_MAXMANIFEST },
		{ "listing-sample", required_argument, NULL, O_SAMPLE },
		{ "ignore-robots", no_argument, NULL, O_NOROBOTS },
		{ "restart", no_argument, NULL, O_RESTART },
		{ "nosync", no_argument, NULL, O_NOSYNC },
		{ "log", required_argument, NULL, O_LOG },
		{ "json", no_argument, NULL, O_JSON },
		{ "summary", no_argument, NULL, O_SUMMARY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct crawl_opts o;
	struct crawl_seeds seeds = { NULL, 0 };
	struct crawl_stats stats;
	struct crawl_log log;
	struct store *st = NULL;
	const char *store_dir = NULL, *vendor = "web", *log_path = NULL;
	const char **seed_files = NULL;
	size_t nseed_files = 0, i;
	unsigned depth = 5, flags = STORE_CREATE;
	int level = FG_LOG_NORMAL, json = 0, summary = 0, opt, resumed = 0;
	int status = CRAWL_EXIT_OK;
	uint64_t n;
	double elapsed = 0;
	char err[1024];
	enum crawl_outcome outcome;
	struct sigaction sa;

	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	o.threads = 2;
	o.parallel = 32;
	o.per_host = 4;
	o.min_size = 1u << 20;
	o.max_page = 8u << 20;
	o.max_manifest = 256u << 20;
	o.listing_sample = 50;
	o.connect_timeout = 10;
	o.stall_timeout = 30;
	o.min_speed = 256;
	o.max_stalls = 3;
	o.timeout = 300;
	o.max_redirs = 5;
	o.max_retries = 3;
	o.max_retry_after = 300;
	o.reprobe_after = 7 * 86400;
	o.max_urls = 5000000;
	o.user_agent = "flowgrab-crawler/" FG_VERSION
	    " (+https://github.com/flowgrab/flowgrab)";
	o.robots_agent = ROBOTS_TOKEN;

	fg_log_init("flowgrab-crawler", FG_LOG_NORMAL);
	while ((opt = getopt_long(argc, argv, "s:f:t:p:A:qvhV", lopts,
	    NULL)) != -1) {
		switch (opt) {
		case 's': store_dir = optarg; break;
		case 'f':
			seed_files = fg_reallocarray(seed_files, nseed_files + 1,
			    sizeof(*seed_files));
			seed_files[nseed_files++] = optarg;
			break;
		case O_VENDOR: vendor = optarg; break;
		case O_DEPTH: depth = uint_arg("depth", optarg, 0, 64); break;
		case 't': o.threads = uint_arg("threads", optarg, 1, 64); break;
		case 'p': o.parallel = uint_arg("parallel", optarg, 1, 1024); break;
		case O_PERHOST:
			o.per_host = uint_arg("per-host", optarg, 1, 1024);
			break;
		case O_DELAY: o.delay = secs_arg("delay", optarg); break;
		case O_MINSIZE:
			if (fg_parse_size(optarg, &o.min_size) < 0)
				bad_arg("min-size", optarg, "a size such as 1M");
			break;
		case O_MAXPAGE:
			if (fg_parse_size(optarg, &n) < 0 || n < 1024 ||
			    n > ((uint64_t)1 << 30))
				bad_arg("max-page", optarg, "a size from 1k to 1G");
			o.max_page = (size_t)n;
			break;
		case O_MAXMANIFEST:
			if (fg_parse_size(optarg, &n) < 0 || n < 1024 ||
			    n > ((uint64_t)1 << 30))
				bad_arg("max-manifest", optarg,
				    "a size from 1k to 1G");
			o.max_manifest = (size_t)n;
			break;
		case O_SAMPLE:
			o.listing_sample = uint_arg("listing-sample", optarg, 0,
			    1000000);
			break;
		case O_REPROBE:
			if (fg_parse_duration(optarg, &o.reprobe_after) < 0)
				bad_arg("reprobe-after", optarg,
				    "a duration such as 30m, 12h or 7d");
			break;
		case O_CTIMEOUT:
			o.connect_timeout = uint_arg("connect-timeout", optarg, 1,
			    3600);
			break;
		case O_STIMEOUT:
			o.stall_timeout = uint_arg("stall-timeout", optarg, 1, 3600);
			break;
		case O_MINSPEED:
			o.min_speed = uint_arg("min-speed", optarg, 1, 1u << 30);
			break;
		case O_MAXSTALLS:
			o.max_stalls = uint_arg("max-stalls", optarg, 0, 1000000);
			break;
		case O_TIMEOUT:
			o.timeout = uint_arg("timeout", optarg, 1, 86400);
			break;
		case O_REDIRS:
			o.max_redirs = uint_arg("max-redirs", optarg, 0, 50);
			break;
		case O_RETRIES:
			o.max_retries = uint_arg("retries", optarg, 0, 20);
			break;
		case O_MAXRA:
			o.max_retry_after = secs_arg("max-retry-after", optarg);
			break;
		case 'A': o.user_agent = optarg; break;
		case O_CACERT: o.cacert = optarg; break;
		case O_MAXURLS:
			if (fg_parse_uint(optarg, 1, UINT64_MAX, &o.max_urls) < 0)
				bad_arg("max-urls", optarg, "a positive number");
			break;
		case O_NOROBOTS: o.robots_agent = NULL; break;
		case O_RESTART: o.restart = 1; break;
		case O_NOSYNC: flags |= STORE_NOSYNC; break;
		case O_LOG: log_path = optarg; break;
		case O_JSON: json = 1; break;
		case O_SUMMARY: summary = 1; break;
		case 'q': level = FG_LOG_QUIET; break;
		case 'v': level = level < FG_LOG_VERBOSE ? FG_LOG_VERBOSE :
		    FG_LOG_DEBUG; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("flowgrab-crawler %s\n", FG_VERSION); return 0;
		default: usage(stderr); return CRAWL_EXIT_USAGE;
		}
	}
	fg_log_init("flowgrab-crawler", level);
	if (!strstr(o.user_agent, "http://") && !strstr(o.user_agent, "https://") &&
	    !strchr(o.user_agent, '@'))
		fg_warn("--user-agent '%s' carries no contact URL or address; "
		    "site owners need one to reach you", o.user_agent);
	if (!store_dir) {
		fg_error("no store given (-s DIR); see --help");
		return CRAWL_EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fg_error("libcurl cannot start");
		return CRAWL_EXIT_FAILURE;
	}
	xmlInitParser();
	for (i = 0; i < nseed_files; i++)
		if (crawl_seeds_load(&seeds, seed_files[i], err, sizeof(err))) {
			fg_error("%s", err);
			status = CRAWL_EXIT_USAGE;
			goto out;
		}
	for (; optind < argc; optind++)
		if (crawl_seeds_add_url(&seeds, argv[optind], vendor, depth, err,
		    sizeof(err))) {
			fg_error("%s", err);
			status = CRAWL_EXIT_USAGE;
			goto out;
		}
	if (seeds.n == 0) {
		fg_error("nothing to crawl: give --seeds FILE or URLs; see --help");
		status = CRAWL_EXIT_USAGE;
		goto out;
	}
	if (crawl_log_open(&log, log_path) < 0) {
		status = CRAWL_EXIT_USAGE;
		goto out;
	}
	o.log = &log;
	if (store_open(store_dir, flags, &st, err, sizeof(err)) != 0) {
		fg_error("%s", err);
		status = CRAWL_EXIT_STORE;
		crawl_log_close(&log);
		goto out;
	}
	o.progress = level > FG_LOG_QUIET && isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	outcome = crawl_run(&o, &seeds, st, &stats, &interrupted, &elapsed,
	    &resumed);
	switch (outcome) {
	case CRAWL_DONE:
		status = CRAWL_EXIT_OK;
		/* a timer's run that reached nothing must not look like
		 * success in systemctl status or cron mail */
		if (stats.starts_failed > 0 && stats.starts_reached == 0) {
			if (stats.starts_failed == 1)
				fg_error("the start URL could not be fetched: nothing "
				    "crawled");
			else
				fg_error("none of the %llu start URLs could be "
				    "fetched: nothing crawled",
				    (unsigned long long)stats.starts_failed);
			status = CRAWL_EXIT_UNREACHED;
		}
		break;
	case CRAWL_INTERRUPTED: status = CRAWL_EXIT_INTERRUPTED; break;
	case CRAWL_STORE_FAILED: status = CRAWL_EXIT_STORE; break;
	case CRAWL_SETUP_FAILED: status = CRAWL_EXIT_FAILURE; break;
	}
	{
		const char *what = status == CRAWL_EXIT_UNREACHED ?
		    "reached nothing" : outcome == CRAWL_DONE ?
		    (resumed ? "resumed and completed" : "completed") :
		    outcome == CRAWL_INTERRUPTED ? "interrupted" : "failed";

		if (json)
			crawl_summary_json(stdout, &stats, elapsed, what);
		if (summary || level >= FG_LOG_VERBOSE ||
		    (level > FG_LOG_QUIET && isatty(STDERR_FILENO)))
			crawl_summary(stderr, &stats, elapsed, what);
		if (outcome == CRAWL_INTERRUPTED)
			fg_warn("interrupted: work done so far is stored; run again "
			    "with the same store to resume");
	}
	store_close(st);
	crawl_log_close(&log);
out:
	crawl_seeds_free(&seeds);
	free(seed_files);
	xmlCleanupParser();
	curl_global_cleanup();
	return status;
}
