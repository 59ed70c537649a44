/*
 * crawl.c - the crawl engine.
 *
 * Worker threads each drive one libcurl multi handle with up to
 * --parallel transfers; they take work from the shared politeness
 * scheduler (scheduler.c), parse pages and classify links themselves, and hand
 * every store change to the single writer thread (writer.c).  DNS results
 * and TLS sessions are shared across workers through a curl share handle.
 *
 * Every URL queued is also written to the store's frontier and removed
 * when done, so a run killed at any point can be resumed (docs/crawler.md).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawl.h"
#include "engine.h"
#include "fetch.h"
#include "links.h"
#include "manifest.h"
#include "probe.h"
#include "report.h"
#include "robots.h"
#include "scheduler.h"
#include "seeds.h"
#include "seen.h"
#include "url.h"
#include "util.h"
#include "writer.h"

#define META_RUN "crawler.run"
/* Links taken from one page at most: a generated page cannot flood us. */
#define MAX_LINKS_PER_PAGE 200000

struct worker;

struct crawl {
	const struct crawl_opts *o;
	const struct crawl_seeds *seeds;
	struct store *st;
	struct crawl_stats *stats;
	struct crawl_sched *sched;
	struct crawl_seen *seen;
	struct crawl_writer *writer;
	struct crawl_fetch_opts fo;
	CURLSH *share;
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t outstanding;    /* items queued, in flight or retrying */
	unsigned alive;          /* workers still running */
	int stop;
	int resumed;
	int64_t run_started;
	struct worker *workers;
	unsigned nworkers;
};

struct worker {
	struct crawl *c;
	pthread_t thread;
	CURLM *multi;
	unsigned running;
	struct crawl_xfer **xs;  /* transfers in flight, by slot */
};

static int stopping(struct crawl *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_RELAXED);
}

/* ---- items ------------------------------------------------------------ */

static struct crawl_item *item_new2(const char *url, const char *origin,
    uint32_t vendor, unsigned depth, enum crawl_kind kind)
{
	size_t n = strlen(url), o = strlen(origin);
	struct crawl_item *it = fg_calloc(1, sizeof(*it) + n + o + 2);

	memcpy(it->url, url, n + 1);
	memcpy(it->url + n + 1, origin, o + 1);
	it->vendor = vendor;
	it->depth = (uint16_t)(depth > 65535 ? 65535 : depth);
	it->kind = (uint8_t)kind;
	return it;
}

static struct crawl_item *item_new(const char *url, uint32_t vendor,
    unsigned depth, enum crawl_kind kind)
{
	return item_new2(url, "", vendor, depth, kind);
}

/* The link @it was first reached by: its own URL unless it came through
 * redirects. */
static const char *item_origin(const struct crawl_item *it)
{
	const char *o = it->url + strlen(it->url) + 1;

	return o[0] ? o : it->url;
}

/* ---- start URLs: a run that reaches none of them says so ------------ */

/* 1 if @it is a start URL (or where one redirected to). */
static int is_start(const struct crawl_item *it)
{
	return it->kind == CRAWL_PAGE && it->depth == 0;
}

/* A start URL could not be fetched: said at the default verbosity, since
 * it loses everything below it. */
static void start_lost(struct crawl *c, const struct crawl_item *it,
    const char *why)
{
	crawl_stat_add(c->stats, starts_failed, 1);
	crawl_report_start_lost(item_origin(it), why);
}

/* Why the transfer @x (ended with @res) got no usable answer: libcurl's
 * message or the HTTP status. */
static const char *xfer_why(const struct crawl_xfer *x, CURLcode res,
    char *buf, size_t size)
{
	if (res != CURLE_OK)
		snprintf(buf, size, "%s", x->errbuf[0] ? x->errbuf :
		    curl_easy_strerror(res));
	else
		snprintf(buf, size, "HTTP status %d", x->resp.status);
	return buf;
}

/* Wake every worker: new work, or the end. */
static void kick(struct crawl *c)
{
	unsigned i;

	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->nworkers; i++)
		if (c->workers[i].multi)
			curl_multi_wakeup(c->workers[i].multi);
}

/* Queue @it; @persist writes it to the frontier too. */
static int enqueue(struct crawl *c, struct crawl_item *it, int persist)
{
	const struct crawl_vendor *v = &c->seeds->v[it->vendor];
	char key[600];

	if (crawl_url_host_key(it->url, key, sizeof(key)) != 0) {
		free(it);
		return CRAWL_EURL;
	}
	if (persist)
		crawl_writer_fadd(c->writer, it->url, v->name, it->depth,
		    (unsigned)it->kind | (unsigned)it->mformat << 3);
	pthread_mutex_lock(&c->lock);
	c->outstanding++;
	pthread_mutex_unlock(&c->lock);
	crawl_sched_add(c->sched, it, key, v->per_host ? v->per_host : c->o->per_host,
	    v->delay >= 0 ? v->delay : c->o->delay, 0);
	crawl_stat_add(c->stats, queued, 1);
	return 0;
}

/* @it is done (whatever the result): off the frontier, freed. */
static void finish(struct crawl *c, struct crawl_item *it, int unpersist)
{
	int last;

	if (unpersist && it->kind != CRAWL_ROBOTS)
		crawl_writer_fdel(c->writer, it->url);
	free(it);
	pthread_mutex_lock(&c->lock);
	last = --c->outstanding == 0;
	pthread_mutex_unlock(&c->lock);
	if (last)
		kick(c);
}

static void on_denied(struct crawl_item *it, void *arg)
{
	struct crawl *c = arg;

	int gave_up = crawl_sched_given_up(it);

	crawl_stat_add(c->stats, queued, -1);
	if (gave_up)
		crawl_stat_add(c->stats, given_up, 1);
	else
		crawl_stat_add(c->stats, robots_denied, 1);
	if (is_start(it))
		start_lost(c, it, gave_up ? "its host was given up after "
		    "stalls" : "its host's robots.txt forbids it or could not be "
		    "read");
	if (c->o->log && c->o->log->f)
		crawl_log_request(c->o->log, gave_up ? "GIVEN-UP" :
		    "ROBOTS-DENIED", 0, 0, 0, it->url, NULL);
	/* called with the scheduler locked: finish() and kick() take only
	 * c->lock and the writer's lock, never the scheduler's */
	finish(c, it, 1);
}

/* ---- freshness: what the store already knows ------------------------ */

static int recent(struct crawl *c, int64_t when)
{
	int64_t now = fg_now();

	if (when <= 0)
		return 0;
	/* done earlier in this (resumed) run; strictly later, because times
	 * are whole seconds and a previous run may end in the second this
	 * one starts */
	if (when > c->run_started)
		return 1;
	return c->o->reprobe_after > 0 &&
	    (uint64_t)(now - when) < c->o->reprobe_after;
}

/* 1 if the download at @url was checked recently enough. */
static int probe_fresh(struct crawl *c, struct store_txn *txn,
    const char *url)
{
	struct store_download d;
	struct store_page p;

	if (!txn)
		return 0;
	if (store_get(txn, url, &d) == 0)
		return recent(c, d.last_checked);
	/* below-threshold files and redirecting links are kept as pages */
	if (store_page_get(txn, url, &p) == 0 && p.links == 0 &&
	    p.status >= 200 && p.status < 300)
		return recent(c, p.fetched);
	return 0;
}

/* 1 if a resumed run already fetched page @url. */
static int page_done(struct crawl *c, struct store_txn *txn, const char *url)
{
	struct store_page p;

	if (!c->resumed || !txn)
		return 0;
	return store_page_get(txn, url, &p) == 0 && p.fetched >= c->run_started;
}

/* ---- links ---------------------------------------------------------------- */

/* 1 if the run may queue one more URL (--max-urls keeps a generated site
 * from growing the frontier without bound). */
static int below_limit(struct crawl *c)
{
	if (crawl_seen_count(c->seen) < c->o->max_urls)
		return 1;
	if (crawl_stat_add(c->stats, over_limit, 1) == 0)
		fg_warn("--max-urls %llu reached: further links are dropped",
		    (unsigned long long)c->o->max_urls);
	return 0;
}

struct page_ctx {
	struct crawl *c;
	const struct crawl_item *page;
	const struct crawl_vendor *v;
	struct store_txn *txn;
};

static int on_link(const char *url, void *arg)
{
	struct page_ctx *pc = arg;
	struct crawl *c = pc->c;
	const struct crawl_vendor *v = pc->v;
	unsigned depth = pc->page->depth + 1u;
	const char *why;

	crawl_stat_add(c->stats, links, 1);
	if (crawl_vendor_rejects(v, url)) {
		crawl_stat_add(c->stats, out_of_scope, 1);
		return 0;
	}
	if (crawl_vendor_is_download(v, url)) {
		if (!crawl_vendor_download_in_scope(v, url)) {
			crawl_stat_add(c->stats, out_of_scope, 1);
			return 0;
		}
		if (!below_limit(c) || !crawl_seen_add(c->seen, url))
			return 0;
		if (probe_fresh(c, pc->txn, url)) {
			crawl_stat_add(c->stats, fresh, 1);
			return 0;
		}
		enqueue(c, item_new(url, pc->page->vendor, depth, CRAWL_PROBE), 1);
		return 0;
	}
	if (!crawl_vendor_page_in_scope(v, url) || depth > v->depth ||
	    ((v->nexts || v->has_dl_re) && !crawl_url_pagelike(url)) ||
	    (crawl_url_has_query(url) && !v->allow_query)) {
		crawl_stat_add(c->stats, out_of_scope, 1);
		return 0;
	}
	if (crawl_url_trap(url, &why)) {
		crawl_stat_add(c->stats, traps, 1);
		fg_debug("%s: trap: %s", url, why);
		return 0;
	}
	if (!below_limit(c) || !crawl_seen_add(c->seen, url) ||
	    page_done(c, pc->txn, url))
		return 0;
	enqueue(c, item_new(url, pc->page->vendor, depth, CRAWL_PAGE), 1);
	return 0;
}

/* ---- results -------------------------------------------------------------- */

static void count_curl_error(struct crawl *c, CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		crawl_stat_add(c->stats, err_connect, 1);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		crawl_stat_add(c->stats, err_timeout, 1);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		crawl_stat_add(c->stats, err_redirects, 1);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		crawl_stat_add(c->stats, err_protocol, 1);
		break;
	default:
		crawl_stat_add(c->stats, err_other, 1);
		break;
	}
}

static void count_http_error(struct crawl *c, int status)
{
	if (status >= 500)
		crawl_stat_add(c->stats, err_http5xx, 1);
	else
		crawl_stat_add(c->stats, err_http4xx, 1);
}

/* The effective URL of @x, normalised (malloc'd). */
static char *final_url(struct crawl_xfer *x)
{
	char *eff = NULL, *norm = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
	if (!eff || crawl_url_resolve(NULL, eff, &norm) != 0)
		return fg_strdup(x->it->url);
	return norm;
}

static void remember_probed(struct crawl *c, const char *url, int status)
{
	struct store_page p;

	memset(&p, 0, sizeof(p));
	p.url = url;
	p.etag = "";
	p.fetched = fg_now();
	p.status = status;
	p.links = 0;
	crawl_writer_page(c->writer, &p);
}

/* A size is known: store it (or count it below the threshold). */
static void record_download(struct crawl *c, struct crawl_xfer *x,
    uint64_t size)
{
	const struct crawl_vendor *v = &c->seeds->v[x->it->vendor];
	uint64_t min = v->has_min_size ? v->min_size : c->o->min_size;
	char *url = final_url(x);
	struct store_download d;
	char *ip = NULL;

	crawl_stat_add(c->stats, probes, 1);
	if (size < min || size == 0) {
		crawl_stat_add(c->stats, below_min, 1);
		remember_probed(c, item_origin(x->it), x->resp.status);
		free(url);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.url = url;
	d.size = size;
	d.vendor = v->name;
	d.content_type = x->resp.content_type;
	d.etag = x->resp.etag;
	d.last_modified = x->resp.last_modified;
	d.source = STORE_SRC_CRAWLER;
	d.state = STORE_ALIVE;
	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip && store_addr_parse(ip, &d.addrs[0]) == 0)
		d.naddrs = 1;
	crawl_writer_put(c->writer, &d);
	/* a link that redirected: remember it was probed, for the next run */
	if (strcmp(url, item_origin(x->it)) != 0)
		remember_probed(c, item_origin(x->it), x->resp.status);
	free(url);
}

/* @x's item is done: its host may start another request, the item
 * leaves the frontier if @unpersist and is freed. */
static void xfer_done(struct crawl *c, struct crawl_xfer *x, int unpersist)
{
	crawl_sched_done(c->sched, x->it, 0);
	finish(c, x->it, unpersist);
	x->it = NULL;
}

/* @x's URL again, as an item of @kind, which takes over its frontier
 * entry. */
static void requeue_as(struct crawl *c, struct crawl_xfer *x,
    enum crawl_kind kind)
{
	struct crawl_item *it = x->it;

	crawl_writer_fdel(c->writer, it->url);
	enqueue(c, item_new(it->url, it->vendor, it->depth, kind), 1);
	kick(c);
	xfer_done(c, x, 0);
}

/* 429/503: try again later, or give up after --max-retries. */
static int retry(struct crawl *c, struct crawl_xfer *x)
{
	struct crawl_item *it = x->it;
	double wait;

	if (it->tries >= c->o->max_retries)
		return 0;
	it->tries++;
	wait = x->resp.retry_after >= 0 ? (double)x->resp.retry_after :
	    (double)(1u << it->tries);
	if (wait > c->o->max_retry_after)
		wait = c->o->max_retry_after;
	crawl_stat_add(c->stats, retries, 1);
	crawl_stat_add(c->stats, queued, 1);
	crawl_sched_retry(c->sched, it, fg_monotonic() + wait);
	x->it = NULL;
	return 1;
}

static void page_result(struct worker *w, struct crawl_xfer *x, CURLcode res)
{
	struct crawl *c = w->c;
	struct crawl_item *it = x->it;
	const struct crawl_vendor *v = &c->seeds->v[it->vendor];
	int st = x->resp.status;
	long unmet = 0;
	int reached = 0;         /* a start URL answered */
	char why[CURL_ERROR_SIZE + 32];

	if (res != CURLE_OK) {
		count_curl_error(c, res);
		goto done;
	}
	curl_easy_getinfo(x->easy, CURLINFO_CONDITION_UNMET, &unmet);
	if (st == 304 || unmet) {
		struct store_page p;

		crawl_stat_add(c->stats, pages_unchanged, 1);
		reached = 1;
		memset(&p, 0, sizeof(p));
		p.url = it->url;
		p.etag = x->resp.etag;
		p.last_modified = x->resp.last_modified;
		p.fetched = fg_now();
		p.status = 304;
		p.links = 1;	/* not a probe record (see probe_fresh()) */
		crawl_writer_page(c->writer, &p);
		goto done;
	}
	if (st == 429 || st == 503) {
		if (retry(c, x))
			return;
		count_http_error(c, st);
		goto done;
	}
	if (st == 404 || st == 410) {
		crawl_writer_gone(c->writer, it->url);
		crawl_stat_add(c->stats, err_http4xx, 1);
		goto done;
	}
	if (st < 200 || st >= 300) {
		count_http_error(c, st);
		goto done;
	}
	reached = 1;
	if (!crawl_links_is_html(x->resp.content_type)) {
		/* a download where a page was expected: the headers of the
		 * GET are as good as a probe's, unless the body was compressed
		 * for us (pages ask for gzip): then its length is not the
		 * file's, and a HEAD probe, which asks for nothing, decides */
		if (x->resp.encoded) {
			if (is_start(it))
				crawl_stat_add(c->stats, starts_reached, 1);
			requeue_as(c, x, CRAWL_PROBE);
			return;
		} else if (x->resp.content_length > 0 && !x->resp.chunked)
			record_download(c, x, (uint64_t)x->resp.content_length);
		else
			crawl_stat_add(c->stats, err_size_unknown, 1);
		goto done;
	}
	{
		struct page_ctx pc;
		struct store_page p;
		char cs[64];
		char *base = final_url(x);
		unsigned nlinks = 0;

		crawl_stat_add(c->stats, pages, 1);
		if (x->truncated)
			crawl_stat_add(c->stats, truncated, 1);
		crawl_links_charset(x->resp.content_type, cs, sizeof(cs));
		pc.c = c;
		pc.page = it;
		pc.v = v;
		pc.txn = NULL;
		if (store_begin(c->st, STORE_TXN_READ, &pc.txn) != 0)
			pc.txn = NULL;
		crawl_links_extract(x->body.data ? x->body.data : "", x->body.len,
		    base, cs[0] ? cs : NULL, MAX_LINKS_PER_PAGE, on_link, &pc,
		    &nlinks);
		store_abort(pc.txn);
		if (x->truncated || nlinks >= MAX_LINKS_PER_PAGE)
			crawl_report_page_cut(it->url, x->truncated,
			    c->o->max_page, nlinks >= MAX_LINKS_PER_PAGE,
			    MAX_LINKS_PER_PAGE);
		memset(&p, 0, sizeof(p));
		p.url = it->url;
		p.etag = x->resp.etag;
		p.last_modified = x->resp.last_modified;
		p.fetched = fg_now();
		p.status = st;
		p.links = nlinks ? nlinks : 1;
		crawl_writer_page(c->writer, &p);
		free(base);
		kick(c);
	}
done:
	if (is_start(it) && reached) {
		crawl_stat_add(c->stats, starts_reached, 1);
	} else if (is_start(it)) {
		start_lost(c, it, xfer_why(x, res, why, sizeof(why)));
	} else if (res != CURLE_OK || st == 429 || st >= 500) {
		/* there but not read (a 4xx page is not there: counted) */
		crawl_report_page_lost(it->url, xfer_why(x, res, why,
		    sizeof(why)));
	}
	xfer_done(c, x, 1);
}

static void probe_result(struct worker *w, struct crawl_xfer *x,
    CURLcode res)
{
	struct crawl *c = w->c;
	struct crawl_item *it = x->it;
	const struct crawl_vendor *v = &c->seeds->v[it->vendor];
	uint64_t size;

	/* a HEAD that hangs while GET may work: try GET Range, unless the
	 * host has been given up on */
	if (res == CURLE_OPERATION_TIMEDOUT && x->phase == FETCH_HEAD &&
	    !crawl_sched_given_up(it)) {
		crawl_report_file(it->url, "HEAD timed out: trying GET Range",
		    crawl_sched_host_key(it), crawl_sched_first(c->sched, it,
		    CRAWL_NOTE_HEAD_HANGS));
		goto fallback;
	}
	if (res != CURLE_OK) {
		count_curl_error(c, res);
		goto done;
	}
	switch (crawl_probe_verdict(x->phase, &x->resp, &size)) {
	case PROBE_SIZE:
		/* a listing's sample: did it print the right size? */
		if (it->expect && size != it->expect) {
			char why[160];

			crawl_stat_add(c->stats, listing_mismatch, 1);
			snprintf(why, sizeof(why), "the listing says %llu bytes, "
			    "the server %llu: the server's size kept",
			    (unsigned long long)it->expect,
			    (unsigned long long)size);
			crawl_report_file(it->url, why, crawl_sched_host_key(it),
			    crawl_sched_first(c->sched, it,
			    CRAWL_NOTE_LISTING_WRONG));
		}
		record_download(c, x, size);
		break;
	case PROBE_FALLBACK:
fallback:
		/* the GET Range goes back to the head of its host's queue,
		 * so that it starts --delay after the HEAD like any request */
		crawl_stat_add(c->stats, range_fallbacks, 1);
		crawl_stat_add(c->stats, queued, 1);
		it->range = 1;
		crawl_sched_retry(c->sched, it, 0);
		kick(c);
		x->it = NULL;
		return;
	case PROBE_UNKNOWN:
		crawl_stat_add(c->stats, probes, 1);
		crawl_stat_add(c->stats, err_size_unknown, 1);
		if (crawl_probe_inconsistent(&x->resp)) {
			char why[200];

			snprintf(why, sizeof(why), "size unknown: %s",
			    crawl_probe_inconsistent(&x->resp));
			crawl_report_file(it->url, why, crawl_sched_host_key(it),
			    crawl_sched_first(c->sched, it,
			    CRAWL_NOTE_SIZE_LIES));
		}
		break;
	case PROBE_PAGE:
		/* an HTML page behind a download-looking link */
		if (crawl_vendor_page_in_scope(v, it->url) && it->depth <= v->depth) {
			requeue_as(c, x, CRAWL_PAGE);
			return;
		}
		crawl_stat_add(c->stats, out_of_scope, 1);
		break;
	case PROBE_GONE: {
		char *url = final_url(x);

		crawl_stat_add(c->stats, probes, 1);
		crawl_writer_gone(c->writer, url);
		if (strcmp(url, item_origin(it)) != 0)
			crawl_writer_gone(c->writer, item_origin(it));
		free(url);
		break;
	}
	case PROBE_RETRY:
		if (retry(c, x))
			return;
		count_http_error(c, x->resp.status);
		break;
	case PROBE_HTTP_ERROR:
		count_http_error(c, x->resp.status);
		break;
	}
done:
	xfer_done(c, x, 1);
}

/* ---- manifests ------------------------------------------------------------ */

/* What one manifest listed, collected first and applied only when the
 * whole manifest parsed: a bad one changes nothing. */
struct mf_entry {
	char *url;
	uint64_t size;           /* a file's; a further manifest's expected */
	int64_t mtime;
	int format;              /* further manifest: its format; file: -1 */
};

struct mf_list {
	struct mf_entry *v;
	size_t n, cap;
};

static int mf_add(struct mf_list *l, const char *url, uint64_t size,
    int64_t mtime, int format)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = fg_reallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].url = fg_strdup(url);
	l->v[l->n].size = size;
	l->v[l->n].mtime = mtime;
	l->v[l->n].format = format;
	l->n++;
	return 0;
}

static int mf_on_file(void *arg, const char *url, uint64_t size,
    int64_t mtime)
{
	return mf_add(arg, url, size, mtime, -1);
}

static int mf_on_manifest(void *arg, const char *url, int format,
    uint64_t expect)
{
	return mf_add(arg, url, expect, 0, format);
}

static void mf_free(struct mf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].url);
	free(l->v);
}

/* A listed file is probed 1 time in @n; which files varies with the run,
 * so that over runs every file of a listing is checked. */
static int mf_sampled(struct crawl *c, const char *url, unsigned n)
{
	uint64_t h = crawl_seen_hash(url) + (uint64_t)c->run_started;

	if (n == 0)
		return 0;
	h *= 0x9e3779b97f4a7c15ULL;
	return (h >> 32) % n == 0;
}

/* Store a listed file with its size, unprobed.  One already known with
 * that size (@same) is only refreshed: its ETag, addresses and source
 * stay. */
static void mf_store(struct crawl *c, const struct crawl_vendor *v,
    const struct mf_entry *e, int same)
{
	struct store_download d;

	if (same) {
		crawl_writer_touch(c->writer, e->url);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.url = e->url;
	d.size = e->size;
	d.vendor = v->name;
	d.last_modified = e->mtime;
	d.source = STORE_SRC_MANIFEST;
	d.state = STORE_ALIVE;
	crawl_writer_put(c->writer, &d);
}

/* Which of @n entries from @e are stored already with their size: a
 * read transaction per chunk, ended before anything is handed to the
 * writer (which may wait for queue space, and a map resize waits for
 * every transaction to end). */
#define MF_CHUNK 2048

static void mf_known(struct crawl *c, const struct mf_entry *e, size_t n,
    unsigned char *same)
{
	struct store_txn *txn = NULL;
	struct store_download d;
	size_t i;

	memset(same, 0, n);
	if (store_begin(c->st, STORE_TXN_READ, &txn) != 0)
		return;
	for (i = 0; i < n; i++)
		same[i] = e[i].format < 0 && store_get(txn, e[i].url, &d) == 0 &&
		    d.size == e[i].size && d.state == STORE_ALIVE;
	store_abort(txn);
}

static void mf_apply(struct crawl *c, const struct crawl_item *it,
    int format, const struct mf_list *l)
{
	const struct crawl_vendor *v = &c->seeds->v[it->vendor];
	uint64_t min = v->has_min_size ? v->min_size : c->o->min_size;
	unsigned sample = v->has_listing_sample ? v->listing_sample :
	    c->o->listing_sample;
	unsigned char same[MF_CHUNK];
	const char *why;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct mf_entry *e = &l->v[i];
		struct crawl_item *n;
		unsigned depth = it->depth;

		if (i % MF_CHUNK == 0)
			mf_known(c, e, l->n - i < MF_CHUNK ? l->n - i : MF_CHUNK,
			    same);
		if (e->format >= 0) {
			/* a Release's Packages, a repomd's primary: part of
			 * the same manifest; a listing's subdirectory: a page
			 * of the vendor, with its scope and depth */
			if (e->format == MF_LISTING && (++depth > v->depth ||
			    !crawl_vendor_page_in_scope(v, e->url) ||
			    crawl_vendor_rejects(v, e->url) ||
			    crawl_url_trap(e->url, &why))) {
				crawl_stat_add(c->stats, out_of_scope, 1);
				continue;
			}
			if (!below_limit(c) || !crawl_seen_add(c->seen, e->url))
				continue;
			n = item_new(e->url, it->vendor, depth, CRAWL_MANIFEST);
			n->mformat = (uint8_t)e->format;
			n->expect = e->size;
			enqueue(c, n, 1);
			continue;
		}
		crawl_stat_add(c->stats, manifest_files, 1);
		if (crawl_vendor_rejects(v, e->url) || (format == MF_LISTING &&
		    !crawl_vendor_is_download(v, e->url))) {
			crawl_stat_add(c->stats, out_of_scope, 1);
			continue;
		}
		if (!crawl_seen_add(c->seen, e->url))
			continue;	/* listed twice */
		if (e->size < min) {
			crawl_stat_add(c->stats, below_min, 1);
			continue;
		}
		if (format == MF_LISTING && mf_sampled(c, e->url, sample)) {
			crawl_stat_add(c->stats, listing_probes, 1);
			n = item_new(e->url, it->vendor, depth + 1, CRAWL_PROBE);
			n->expect = e->size;
			enqueue(c, n, 1);
			continue;
		}
		mf_store(c, v, e, same[i % MF_CHUNK]);
	}
}

static void manifest_result(struct worker *w, struct crawl_xfer *x,
    CURLcode res)
{
	struct crawl *c = w->c;
	struct crawl_item *it = x->it;
	struct crawl_manifest_limits lim;
	struct crawl_manifest_cb cb;
	struct mf_list l;
	struct store_page p;
	int st = x->resp.status, format = 0;
	long unmet = 0;
	char err[512];

	memset(&l, 0, sizeof(l));
	if (res != CURLE_OK) {
		count_curl_error(c, res);
		fg_error("%s: manifest not read: %s", it->url, x->errbuf[0] ?
		    x->errbuf : curl_easy_strerror(res));
		goto done;
	}
	curl_easy_getinfo(x->easy, CURLINFO_CONDITION_UNMET, &unmet);
	memset(&p, 0, sizeof(p));
	p.url = it->url;
	p.etag = x->resp.etag;
	p.last_modified = x->resp.last_modified;
	p.fetched = fg_now();
	p.status = st;
	p.links = 1;
	if (st == 304 || unmet) {
		/* unchanged: what it lists was stored when it last changed */
		crawl_stat_add(c->stats, manifests_unchanged, 1);
		p.status = 304;
		crawl_writer_page(c->writer, &p);
		goto done;
	}
	if (st == 429 || st == 503) {
		if (retry(c, x))
			return;
	}
	if (st < 200 || st >= 300) {
		count_http_error(c, st);
		fg_error("%s: manifest not read: HTTP status %d", it->url, st);
		goto done;
	}
	if (x->truncated) {
		crawl_stat_add(c->stats, manifest_errors, 1);
		fg_error("%s: manifest larger than --max-manifest (%zu bytes): "
		    "refused, nothing of it stored", it->url, c->o->max_manifest);
		goto done;
	}
	if (it->expect && x->body.len != it->expect) {
		crawl_stat_add(c->stats, manifest_errors, 1);
		fg_error("%s: %zu bytes, but the index that lists it says %llu: "
		    "truncated or changed since, nothing of it stored", it->url,
		    x->body.len, (unsigned long long)it->expect);
		goto done;
	}
	lim.max_bytes = c->o->max_manifest;
	lim.max_entries = c->o->max_urls;
	cb.file = mf_on_file;
	cb.manifest = mf_on_manifest;
	cb.arg = &l;
	if (crawl_manifest_parse(it->url, x->body.data ? x->body.data : "",
	    x->body.len, it->mformat, x->resp.content_type, &lim, &cb, &format,
	    err, sizeof(err)) != 0) {
		crawl_stat_add(c->stats, manifest_errors, 1);
		fg_error("%s: %s%s%s: nothing of it stored", it->url,
		    format ? crawl_manifest_format_name(format) : "", format ?
		    ": " : "", err);
		goto done;
	}
	crawl_stat_add(c->stats, manifests, 1);
	fg_verbose("%s: %s, %zu entries", it->url,
	    crawl_manifest_format_name(format), l.n);
	mf_apply(c, it, format, &l);
	p.links = l.n ? (uint32_t)(l.n > UINT32_MAX ? UINT32_MAX : l.n) : 1;
	crawl_writer_page(c->writer, &p);
	kick(c);
done:
	mf_free(&l);
	xfer_done(c, x, 1);
}

static void robots_result(struct worker *w, struct crawl_xfer *x,
    CURLcode res)
{
	struct crawl *c = w->c;
	struct crawl_robots *r;
	int st = x->resp.status;
	char why[CURL_ERROR_SIZE + 32];

	/* RFC 9309 2.3.1: 2xx parse, 4xx allow all, 5xx or unreachable
	 * disallow all */
	if (res == CURLE_OK && st >= 200 && st < 300) {
		r = crawl_robots_parse(x->body.data ? x->body.data : "",
		    x->body.len, c->o->robots_agent);
		if (x->truncated)
			crawl_report_robots_cut(x->it->url, CRAWL_ROBOTS_MAX);
	} else if (res == CURLE_OK && st >= 400 && st < 500)
		r = crawl_robots_allow_all();
	else {
		if (res != CURLE_OK)
			count_curl_error(c, res);
		else
			count_http_error(c, st);
		crawl_report_robots_lost(x->it->url, xfer_why(x, res, why,
		    sizeof(why)));
		r = crawl_robots_deny_all();
	}
	crawl_sched_robots(c->sched, x->it, r, fg_monotonic());
	x->it = NULL;
	kick(c);
}

/*
 * A 3xx with a Location: the target becomes an item of its own, queued
 * on its host, so that the target host's robots.txt and politeness apply
 * (libcurl following the redirect itself would skip both).  Returns 1 if
 * the response was a redirect and has been dealt with.
 */
static int redirect(struct crawl *c, struct crawl_xfer *x)
{
	struct crawl_item *it = x->it, *next;
	int st = x->resp.status;
	char *loc = NULL, *target = NULL;
	int rc;

	if (st != 301 && st != 302 && st != 303 && st != 307 && st != 308)
		return 0;
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	if (!loc)
		return 0;	/* no Location: an ordinary error */
	crawl_sched_done(c->sched, it, 0);
	rc = crawl_url_resolve(NULL, loc, &target);
	if (rc) {
		if (rc == CRAWL_EURL)
			crawl_stat_add(c->stats, err_protocol, 1);
		else
			crawl_stat_add(c->stats, err_other, 1);
		fg_verbose("%s: redirect to %s refused: %s", it->url, loc,
		    rc == CRAWL_EURL ? "not http or https" : "URL too long");
	} else if (it->hops >= c->o->max_redirs) {
		crawl_stat_add(c->stats, err_redirects, 1);
		fg_verbose("%s: more than %ld redirects", item_origin(it),
		    c->o->max_redirs);
	} else {
		next = item_new2(target, item_origin(it), it->vendor, it->depth,
		    it->kind);
		next->hops = (uint8_t)(it->hops + 1);
		next->mformat = it->mformat;
		next->expect = it->expect;
		crawl_writer_fdel(c->writer, it->url);
		if (enqueue(c, next, 1) == 0)
			kick(c);
		finish(c, it, 0);
		x->it = NULL;
		free(target);
		return 1;
	}
	free(target);
	if (is_start(it))
		start_lost(c, it, "its redirect could not be followed");
	finish(c, it, 1);
	x->it = NULL;
	return 1;
}

/*
 * A transfer of @x's host timed out.  After --max-stalls of them the host
 * is given up on, so that a server dripping every page cannot hold its
 * vendor's crawl for hours: said at the default verbosity.
 */
static void count_stall(struct crawl *c, struct crawl_xfer *x)
{
	unsigned n = crawl_sched_stall(c->sched, x->it);
	size_t dropped;

	if (c->o->max_stalls == 0 || n != c->o->max_stalls)
		return;
	dropped = crawl_sched_give_up(c->sched, x->it);
	crawl_stat_add(c->stats, hosts_given_up, 1);
	crawl_report_given_up(crawl_sched_host_key(x->it), n, x->it->url,
	    dropped);
	kick(c);	/* its queue is dropped at the next scan */
}

static void transfer_done(struct worker *w, struct crawl_xfer *x,
    CURLcode res)
{
	struct crawl *c = w->c;
	struct crawl_item *it = x->it;
	double secs = fg_monotonic() - x->started;
	static const char *const what[] = { "?", "GET", "ROBOTS", "HEAD",
		"RANGE", "MANIFEST" };

	curl_multi_remove_handle(w->multi, x->easy);
	w->running--;
	crawl_stat_add(c->stats, bytes, x->body_bytes);
	/* a body refused on purpose is not an error */
	if (res == CURLE_WRITE_ERROR && (x->stopped || x->truncated))
		res = CURLE_OK;
	if (c->o->log && c->o->log->f)
		crawl_log_request(c->o->log, what[x->phase], x->resp.status,
		    x->body_bytes, secs, it->url, res != CURLE_OK ?
		    (x->errbuf[0] ? x->errbuf : curl_easy_strerror(res)) :
		    x->truncated ? "truncated" : NULL);
	if (res != CURLE_OK)
		fg_verbose("%s: %s", it->url, x->errbuf[0] ? x->errbuf :
		    curl_easy_strerror(res));
	if (res == CURLE_OPERATION_TIMEDOUT)
		count_stall(c, x);
	if (res == CURLE_OK && it->kind != CRAWL_ROBOTS && redirect(c, x)) {
		w->xs[x->slot] = NULL;
		crawl_fetch_free(x);
		return;
	}
	switch (it->kind) {
	case CRAWL_ROBOTS:
		robots_result(w, x, res);
		break;
	case CRAWL_PAGE:
		page_result(w, x, res);
		break;
	case CRAWL_PROBE:
		probe_result(w, x, res);
		break;
	case CRAWL_MANIFEST:
		manifest_result(w, x, res);
		break;
	}
	w->xs[x->slot] = NULL;
	crawl_fetch_free(x);
}

/* @it could not be started (libcurl refused): counted, and done; a
 * robots.txt that cannot be asked for forbids everything (RFC 9309
 * 2.3.1.4, as when it is unreachable). */
static void not_started(struct crawl *c, struct crawl_item *it)
{
	crawl_stat_add(c->stats, err_other, 1);
	if (it->kind == CRAWL_ROBOTS) {
		crawl_sched_robots(c->sched, it, crawl_robots_deny_all(),
		    fg_monotonic());
	} else {
		crawl_sched_done(c->sched, it, 0);
		finish(c, it, 1);
	}
}

static void start_transfer(struct worker *w, struct crawl_item *it)
{
	struct crawl *c = w->c;
	struct crawl_xfer *x;
	enum crawl_phase phase = it->kind == CRAWL_PAGE ? FETCH_PAGE :
	    it->kind == CRAWL_MANIFEST ? FETCH_MANIFEST :
	    it->kind == CRAWL_ROBOTS ? FETCH_ROBOTS :
	    it->range ? FETCH_RANGE : FETCH_HEAD;
	char *etag = NULL;
	int64_t lm = 0;

	crawl_stat_add(c->stats, queued, it->kind == CRAWL_ROBOTS ? 0 : -1);
	if ((phase == FETCH_PAGE || phase == FETCH_MANIFEST) &&
	    c->o->reprobe_after > 0) {
		struct store_txn *txn;
		struct store_page p;

		/* a page fetched within --reprobe-after is asked for only if
		 * it changed; an older one is fetched whole so that what it
		 * links to is checked again */
		if (store_begin(c->st, STORE_TXN_READ, &txn) == 0) {
			if (store_page_get(txn, it->url, &p) == 0 &&
			    p.links > 0 && fg_now() - p.fetched <
			    (int64_t)c->o->reprobe_after) {
				etag = p.etag[0] ? fg_strdup(p.etag) : NULL;
				lm = p.last_modified;
			}
			store_abort(txn);
		}
	}
	x = crawl_fetch_new(it, phase, &c->fo, etag, lm);
	free(etag);
	if (!x) {
		not_started(c, it);
		return;
	}
	x->owner = w;
	x->started = fg_monotonic();
	for (x->slot = 0; w->xs[x->slot]; x->slot++)
		;
	w->xs[x->slot] = x;
	if (curl_multi_add_handle(w->multi, x->easy) != CURLM_OK) {
		w->xs[x->slot] = NULL;
		x->it = NULL;
		crawl_fetch_free(x);
		not_started(c, it);
		return;
	}
	w->running++;
	crawl_stat_add(c->stats, requests, 1);
}

/* On stop: drop every transfer; their items stay in the frontier. */
static void abort_all(struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->c->o->parallel; i++) {
		struct crawl_xfer *x = w->xs[i];

		if (!x)
			continue;
		curl_multi_remove_handle(w->multi, x->easy);
		free(x->it);
		x->it = NULL;
		crawl_fetch_free(x);
		w->xs[i] = NULL;
	}
	w->running = 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct crawl *c = w->c;
	for (;;) {
		double wait = -1;
		int still = 0, left, timeout_ms, done;
		CURLMsg *m;

		if (stopping(c))
			break;
		while (w->running < c->o->parallel) {
			struct crawl_item *it = crawl_sched_next(c->sched, fg_monotonic(),
			    &wait);

			if (!it)
				break;
			start_transfer(w, it);
		}
		if (w->running == 0) {
			struct timespec ts;
			double secs = wait >= 0 && wait < 0.2 ? wait : 0.2;

			pthread_mutex_lock(&c->lock);
			if (c->outstanding == 0 || c->stop) {
				pthread_mutex_unlock(&c->lock);
				break;
			}
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(secs * 1e9);
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&c->cond, &c->lock, &ts);
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		curl_multi_perform(w->multi, &still);
		done = 0;
		while ((m = curl_multi_info_read(w->multi, &left))) {
			struct crawl_xfer *x = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
			transfer_done(w, x, m->data.result);
			done++;
		}
		if (done)
			continue;	/* fill the freed slots before waiting */
		timeout_ms = 100;
		if (wait >= 0 && wait * 1000 < timeout_ms)
			timeout_ms = (int)(wait * 1000) + 1;
		curl_multi_poll(w->multi, NULL, 0, timeout_ms, NULL);
	}
	abort_all(w);
	pthread_mutex_lock(&c->lock);
	c->alive--;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* ---- setup, resume, run ---------------------------------------------- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access a,
    void *arg)
{
	struct crawl *c = arg;

	(void)h;
	(void)a;
	pthread_mutex_lock(&c->share_lock[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct crawl *c = arg;

	(void)h;
	pthread_mutex_unlock(&c->share_lock[data]);
}

struct loaded {
	struct crawl_item **items;
	size_t n;
	const struct crawl_seeds *seeds;
	size_t dropped;
};

static int load_item(const struct store_frontier_item *fi, void *arg)
{
	struct loaded *l = arg;
	int v = crawl_seeds_find(l->seeds, fi->vendor);
	unsigned kind = fi->kind & 7u, mformat = fi->kind >> 3;

	if (v < 0 || (kind != CRAWL_PAGE && kind != CRAWL_PROBE &&
	    kind != CRAWL_MANIFEST) || mformat > MF_MAX) {
		l->dropped++;	/* the seed file changed since */
		return 0;
	}
	l->items = fg_reallocarray(l->items, l->n + 1, sizeof(*l->items));
	l->items[l->n] = item_new(fi->url, (uint32_t)v, fi->depth, kind);
	l->items[l->n++]->mformat = (uint8_t)mformat;
	return 0;
}

/*
 * Look at the store: resume the saved frontier of an interrupted run, or
 * start a new run (empty frontier, run start time saved).
 */
static int prepare(struct crawl *c, struct loaded *l)
{
	struct store_txn *txn = NULL;
	const void *val;
	size_t len;
	int rc;

	memset(l, 0, sizeof(*l));
	l->seeds = c->seeds;
	rc = store_begin(c->st, STORE_TXN_READ, &txn);
	if (rc)
		goto fail;
	if (!c->o->restart && store_meta_get(txn, META_RUN, &val, &len) == 0) {
		char buf[64];
		long long started = 0;

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 63 ? len : 63),
		    (const char *)val);
		if (sscanf(buf, "started=%lld", &started) == 1 && started > 0) {
			rc = store_frontier_foreach(txn, load_item, l);
			if (rc)
				goto fail;
			if (l->n > 0) {
				c->resumed = 1;
				c->run_started = started;
			}
		}
	}
	store_abort(txn);
	txn = NULL;
	if (c->resumed)
		return 0;
	c->run_started = fg_now();
	rc = store_begin(c->st, STORE_TXN_WRITE, &txn);
	if (rc)
		goto fail;
	rc = store_frontier_clear(txn);
	if (rc == 0) {
		char buf[64];

		snprintf(buf, sizeof(buf), "started=%lld",
		    (long long)c->run_started);
		rc = store_meta_put(txn, META_RUN, buf, strlen(buf));
	}
	if (rc) {
		store_abort(txn);
		goto fail;
	}
	rc = store_commit(txn);
	if (rc)
		goto fail;
	return 0;
fail:
	store_abort(txn);
	fg_error("%s: %s", store_path(c->st), store_strerror(rc));
	return rc;
}

/* The run completed: nothing left to resume. */
static int conclude(struct crawl *c)
{
	struct store_txn *txn = NULL;
	int rc = store_begin(c->st, STORE_TXN_WRITE, &txn);

	if (rc == 0)
		rc = store_frontier_clear(txn);
	if (rc == 0) {
		rc = store_meta_del(txn, META_RUN);
		if (rc == STORE_ENOTFOUND)
			rc = 0;
	}
	if (rc) {
		store_abort(txn);
		fg_error("%s: %s", store_path(c->st), store_strerror(rc));
		return rc;
	}
	rc = store_commit(txn);
	if (rc)
		fg_error("%s: %s", store_path(c->st), store_strerror(rc));
	return rc;
}

/* The seeds' start pages and manifests (@txn: a resumed run's store, to
 * skip what it fetched already). */
static void queue_starts(struct crawl *c, struct store_txn *txn)
{
	const struct crawl_seeds *seeds = c->seeds;
	uint32_t i;
	size_t k;

	for (i = 0; i < seeds->n; i++) {
		const struct crawl_vendor *v = &seeds->v[i];

		for (k = 0; k < v->nstarts; k++) {
			const char *u = v->starts[k];

			if (!page_done(c, txn, u) && crawl_seen_add(c->seen, u))
				enqueue(c, item_new(u, i, 0, CRAWL_PAGE), 1);
		}
		for (k = 0; k < v->nmanifests; k++) {
			const char *u = v->manifests[k];
			struct crawl_item *it;

			if (page_done(c, txn, u) || !crawl_seen_add(c->seen, u))
				continue;
			it = item_new(u, i, 0, CRAWL_MANIFEST);
			it->mformat = (uint8_t)v->mformat;
			enqueue(c, it, 1);
		}
	}
}

static void drop_item(struct crawl_item *it, void *arg)
{
	(void)arg;
	free(it);
}

enum crawl_outcome crawl_run(const struct crawl_opts *o,
    const struct crawl_seeds *seeds, struct store *st,
    struct crawl_stats *stats, volatile sig_atomic_t *interrupted,
    double *elapsed, int *resumed)
{
	struct crawl c;
	struct loaded l;
	enum crawl_outcome outcome = CRAWL_DONE;
	double t0 = fg_monotonic(), last_progress = 0;
	unsigned i, started = 0;
	size_t k;
	int rc;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.seeds = seeds;
	c.st = st;
	c.stats = stats;
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c.share_lock[i], NULL);
	*resumed = 0;
	*elapsed = 0;

	if (prepare(&c, &l) != 0) {
		outcome = CRAWL_STORE_FAILED;
		goto out_locks;
	}
	*resumed = c.resumed;
	if (c.resumed)
		fg_verbose("resuming an interrupted run: %zu URLs pending", l.n);
	if (l.dropped)
		fg_warn("%zu saved URLs belong to vendors no longer in the seeds; "
		    "skipped", l.dropped);

	c.share = curl_share_init();
	if (!c.share) {
		outcome = CRAWL_SETUP_FAILED;
		goto out_locks;
	}
	curl_share_setopt(c.share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c.share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c.share, CURLSHOPT_USERDATA, &c);
	curl_share_setopt(c.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	c.fo.user_agent = o->user_agent;
	c.fo.connect_timeout = o->connect_timeout;
	c.fo.stall_timeout = o->stall_timeout;
	c.fo.min_speed = o->min_speed;
	c.fo.timeout = o->timeout;
	c.fo.max_redirs = o->max_redirs;
	c.fo.max_page = o->max_page;
	c.fo.max_manifest = o->max_manifest;
	c.fo.cacert = o->cacert;
	c.fo.share = c.share;

	c.sched = crawl_sched_new(o->robots_agent, on_denied, &c);
	c.seen = crawl_seen_new();
	c.writer = crawl_writer_start(st, stats);

	if (c.resumed) {
		struct store_txn *txn = NULL;

		for (k = 0; k < l.n; k++) {
			crawl_seen_add(c.seen, l.items[k]->url);
			enqueue(&c, l.items[k], 0);
		}
		/* start URLs the interrupted run did not reach (or that the
		 * seed files gained since) */
		if (store_begin(st, STORE_TXN_READ, &txn) != 0)
			txn = NULL;
		queue_starts(&c, txn);
		store_abort(txn);
	} else {
		queue_starts(&c, NULL);
	}
	free(l.items);

	c.nworkers = o->threads;
	c.workers = fg_calloc(c.nworkers, sizeof(*c.workers));
	for (i = 0; i < c.nworkers; i++) {
		c.workers[i].c = &c;
		c.workers[i].multi = curl_multi_init();
		c.workers[i].xs = fg_calloc(o->parallel, sizeof(struct crawl_xfer *));
		if (!c.workers[i].multi) {
			outcome = CRAWL_SETUP_FAILED;
			break;
		}
	}
	if (outcome == CRAWL_DONE) {
		for (i = 0; i < c.nworkers; i++) {
			pthread_mutex_lock(&c.lock);
			c.alive++;
			pthread_mutex_unlock(&c.lock);
			if (pthread_create(&c.workers[i].thread, NULL, worker_main,
			    &c.workers[i]) != 0) {
				pthread_mutex_lock(&c.lock);
				c.alive--;
				pthread_mutex_unlock(&c.lock);
				outcome = CRAWL_SETUP_FAILED;
				__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
				break;
			}
			started++;
		}
	}

	/* the main thread watches: signals, store failures, progress */
	for (;;) {
		struct timespec ts;
		unsigned alive;

		pthread_mutex_lock(&c.lock);
		alive = c.alive;
		if (alive > 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&c.cond, &c.lock, &ts);
			alive = c.alive;
		}
		pthread_mutex_unlock(&c.lock);
		if (alive == 0)
			break;
		if (interrupted && *interrupted && !stopping(&c)) {
			outcome = CRAWL_INTERRUPTED;
			__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
			kick(&c);
		}
		if (crawl_writer_failed(c.writer) && !stopping(&c)) {
			outcome = CRAWL_STORE_FAILED;
			__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
			kick(&c);
		}
		if (o->progress && fg_monotonic() - last_progress >= 0.5) {
			last_progress = fg_monotonic();
			crawl_progress(stderr, stats, last_progress - t0);
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(c.workers[i].thread, NULL);
	if (o->progress)
		crawl_progress_end(stderr);
	if (interrupted && *interrupted && outcome == CRAWL_DONE &&
	    c.outstanding > 0)
		outcome = CRAWL_INTERRUPTED;
	crawl_sched_drain(c.sched, drop_item, NULL);
	rc = crawl_writer_stop(c.writer);
	if (rc && outcome == CRAWL_DONE)
		outcome = CRAWL_STORE_FAILED;
	if (outcome == CRAWL_DONE && c.outstanding == 0 && conclude(&c) != 0)
		outcome = CRAWL_STORE_FAILED;
	*elapsed = fg_monotonic() - t0;

	for (i = 0; i < c.nworkers; i++) {
		if (c.workers[i].multi)
			curl_multi_cleanup(c.workers[i].multi);
		free(c.workers[i].xs);
	}
	free(c.workers);
	crawl_sched_free(c.sched);
	crawl_seen_free(c.seen);
	curl_share_cleanup(c.share);
out_locks:
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c.share_lock[i]);
	pthread_cond_destroy(&c.cond);
	pthread_mutex_destroy(&c.lock);
	return outcome;
}
