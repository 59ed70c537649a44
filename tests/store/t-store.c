/*
 * t-store.c - unit tests of the store library (store/store.h): records,
 * the size index at its edges, crawler state, growth of a full map,
 * a reader process beside a committing writer, kill -9 of a writer in the
 * middle of a batch, a store of another version, unusable directories,
 * the address index, and the counters kept for stats.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>

#include "record.h"
#include "store.h"
#include "util.h"
#include "../tap.h"

static char base[256];

static struct store *
open_ok(const char *dir, unsigned flags)
{
	struct store *st = NULL;
	char err[512];
	int rc = store_open(dir, flags, &st, err, sizeof(err));

	if (rc != 0)
		bail_out("store_open(%s): %s", dir, err);
	return st;
}

static struct store_txn *
begin_ok(struct store *st, unsigned flags)
{
	struct store_txn *txn;
	int rc = store_begin(st, flags, &txn);

	if (rc != 0)
		bail_out("store_begin: %s", store_strerror(rc));
	return txn;
}

static void
fill(struct store_download *d, const char *url, uint64_t size)
{
	memset(d, 0, sizeof(*d));
	d->url = url;
	d->size = size;
	d->vendor = "acme";
	d->content_type = "application/octet-stream";
	d->etag = "\"abc\"";
	d->last_modified = 1700000000;
}

static int
count_cb(const struct store_download *d, void *arg)
{
	(*(uint64_t *)arg)++;
	(void)d;
	return 0;
}

static uint64_t
count_all(struct store_txn *txn)
{
	uint64_t n = 0;

	store_foreach(txn, count_cb, &n);
	return n;
}

struct seen {
	char urls[16][128];
	uint64_t sizes[16];
	int n;
};

static int
seen_cb(const struct store_download *d, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		snprintf(s->urls[s->n], sizeof(s->urls[0]), "%s", d->url);
		s->sizes[s->n] = d->size;
	}
	s->n++;
	return 0;
}

struct idlist {
	uint64_t id[16], size[16];
	int n;
};

static int
ids_cb(uint64_t size, uint64_t id, void *arg)
{
	struct idlist *l = arg;

	if (l->n < 16) {
		l->id[l->n] = id;
		l->size[l->n] = size;
	}
	l->n++;
	return 0;
}

static void
test_basic(void)
{
	char dir[300];
	struct store *st;
	struct store_txn *txn;
	struct store_download d, got;
	struct seen s;
	uint64_t n;
	int rc, outcome;

	snprintf(dir, sizeof(dir), "%s/basic", base);
	st = open_ok(dir, STORE_CREATE);
	txn = begin_ok(st, STORE_TXN_WRITE);

	fill(&d, "https://dl.example/a/one-1.0.tar.gz", 5000000);
	d.naddrs = 1;
	store_addr_parse("192.0.2.7", &d.addrs[0]);
	rc = store_put(txn, &d, &outcome);
	is_int(rc, 0, "put a new download");
	is_int(outcome, STORE_PUT_NEW, "outcome is NEW");
	fill(&d, "https://dl.example/a/two-1.0.tar.gz", 5000000);
	store_put(txn, &d, NULL);
	fill(&d, "https://dl.example/a/three.iso", 5000001);
	store_put(txn, &d, NULL);
	fill(&d, "https://dl.example/a/four.iso", 4999999);
	store_put(txn, &d, NULL);
	fill(&d, "https://dl.example/a/five.iso", 1);
	d.content_type = "application/x-custom; version=2";
	store_put(txn, &d, NULL);
	fill(&d, "https://dl.example/a/six.iso", 2);
	d.content_type = NULL;
	store_put(txn, &d, NULL);
	fill(&d, "https://dl.example/a/max.iso", UINT64_MAX);
	store_put(txn, &d, NULL);
	is_int(store_commit(txn), 0, "commit");

	txn = begin_ok(st, STORE_TXN_READ);
	rc = store_get(txn, "https://dl.example/a/one-1.0.tar.gz", &got);
	is_int(rc, 0, "get by URL");
	is_int(got.size, 5000000, "size kept");
	is_str(got.vendor, "acme", "vendor kept");
	is_str(got.file, "one-1.0.tar.gz", "file defaults to last segment");
	is_str(got.etag, "\"abc\"", "etag kept");
	is_str(got.content_type, "application/octet-stream",
	    "common content type kept (stored as a table index)");
	is_int(got.last_modified, 1700000000, "last-modified kept");
	is_int(got.naddrs, 1, "one address");
	is_int(got.source, STORE_SRC_CRAWLER, "source defaults to crawler");
	is_int(got.state, STORE_ALIVE, "state alive");
	ok(got.first_seen > 0 && got.first_seen == got.last_seen,
	    "first_seen set");
	is_int(store_get(txn, "https://dl.example/nope", &got),
	    STORE_ENOTFOUND, "unknown URL: ENOTFOUND");
	store_get(txn, "https://dl.example/a/five.iso", &got);
	is_str(got.content_type, "application/x-custom; version=2",
	    "uncommon content type kept (stored inline)");
	store_get(txn, "https://dl.example/a/six.iso", &got);
	is_str(got.content_type, "", "no content type: empty string");

	memset(&s, 0, sizeof(s));
	store_range(txn, 5000000, 5000000, seen_cb, &s);
	is_int(s.n, 2, "two downloads share one size");
	ok(strstr(s.urls[0], "one") && strstr(s.urls[1], "two"),
	    "duplicates come in insertion order");
	memset(&s, 0, sizeof(s));
	store_range(txn, 4999999, 5000001, seen_cb, &s);
	is_int(s.n, 4, "inclusive range takes both edges");
	is_int(s.sizes[0], 4999999, "ascending: lowest first");
	is_int(s.sizes[3], 5000001, "ascending: highest last");
	memset(&s, 0, sizeof(s));
	store_range(txn, 5000002, 6000000, seen_cb, &s);
	is_int(s.n, 0, "range above everything near is empty");
	memset(&s, 0, sizeof(s));
	store_range(txn, 0, 1, seen_cb, &s);
	is_int(s.n, 1, "size 1 found at the low edge");
	memset(&s, 0, sizeof(s));
	store_range(txn, UINT64_MAX, UINT64_MAX, seen_cb, &s);
	is_int(s.n, 1, "UINT64_MAX found at the high edge");
	memset(&s, 0, sizeof(s));
	store_range(txn, 10, 5, seen_cb, &s);
	is_int(s.n, 0, "inverted range is empty");
	store_range_count(txn, 4999999, 5000001, &n);
	is_int(n, 4, "range_count agrees");
	{
		struct idlist ids = { 0 };

		store_range_ids(txn, 4999999, 5000001, ids_cb, &ids);
		is_int(ids.n, 4, "range_ids: the same four, from the index");
		ok(ids.size[0] == 4999999 && ids.size[3] == 5000001,
		    "range_ids: ascending sizes");
		is_int(store_get_id(txn, ids.id[1], &got), 0, "get_id");
		is_int(got.size, ids.size[1], "get_id: the record of that id");
		is_int(got.id, ids.id[1], "get_id: id filled in");
		is_int(store_get_id(txn, 999999, &got), STORE_ENOTFOUND,
		    "get_id of an unknown id: ENOTFOUND");
		is_int(store_get_id(txn, 0, &got), STORE_ENOTFOUND,
		    "get_id 0: ENOTFOUND");
	}
	store_abort(txn);

	/* update: same URL, new size, new address */
	txn = begin_ok(st, STORE_TXN_WRITE);
	fill(&d, "https://dl.example/a/one-1.0.tar.gz", 6000000);
	d.naddrs = 1;
	store_addr_parse("2001:db8::1", &d.addrs[0]);
	rc = store_put(txn, &d, &outcome);
	is_int(outcome, STORE_PUT_CHANGED, "size change is CHANGED");
	rc = store_put(txn, &d, &outcome);
	is_int(outcome, STORE_PUT_SAME, "same again is SAME");
	store_get(txn, "https://dl.example/a/one-1.0.tar.gz", &got);
	is_int(got.naddrs, 2, "addresses merged");
	is_int(got.addrs[0].family, 6, "newest address first");
	memset(&s, 0, sizeof(s));
	store_range(txn, 5000000, 5000000, seen_cb, &s);
	is_int(s.n, 1, "old size no longer indexed for it");
	memset(&s, 0, sizeof(s));
	store_range(txn, 6000000, 6000000, seen_cb, &s);
	is_int(s.n, 1, "new size indexed");
	is_int(store_mark_gone(txn, "https://dl.example/a/three.iso", 0), 0,
	    "mark gone");
	store_get(txn, "https://dl.example/a/three.iso", &got);
	is_int(got.state, STORE_GONE, "state gone");
	fill(&d, "https://dl.example/a/three.iso", 5000001);
	store_put(txn, &d, &outcome);
	is_int(outcome, STORE_PUT_CHANGED, "a gone download coming back is CHANGED");
	is_int(store_delete(txn, "https://dl.example/a/four.iso"), 0, "delete");
	is_int(store_delete(txn, "https://dl.example/a/four.iso"),
	    STORE_ENOTFOUND, "delete twice: ENOTFOUND");
	is_int(store_commit(txn), 0, "commit updates");

	txn = begin_ok(st, STORE_TXN_READ);
	memset(&s, 0, sizeof(s));
	store_range(txn, 4999999, 4999999, seen_cb, &s);
	is_int(s.n, 0, "deleted download gone from the size index");
	is_int(count_all(txn), 6, "six downloads left");
	{
		uint64_t problems = 99;

		is_int(store_check(txn, NULL, NULL, &problems), 0, "check runs");
		is_int(problems, 0, "indexes agree with records");
	}
	is_int(store_put(txn, &d, NULL), STORE_ERDONLY,
	    "put in a read txn: ERDONLY");
	store_abort(txn);

	/* aborted batch leaves nothing */
	txn = begin_ok(st, STORE_TXN_WRITE);
	fill(&d, "https://dl.example/a/aborted.iso", 777);
	store_put(txn, &d, NULL);
	store_abort(txn);
	txn = begin_ok(st, STORE_TXN_READ);
	is_int(store_get(txn, "https://dl.example/a/aborted.iso", &got),
	    STORE_ENOTFOUND, "aborted batch is not visible");
	store_abort(txn);
	store_close(st);

	/* reopen */
	st = open_ok(dir, STORE_RDONLY);
	txn = begin_ok(st, STORE_TXN_READ);
	is_int(count_all(txn), 6, "reopened read-only: all there");
	is_int(store_get(txn, "https://dl.example/a/one-1.0.tar.gz", &got), 0,
	    "reopened: get works");
	is_int(got.size, 6000000, "reopened: updated size");
	store_abort(txn);
	is_int(store_begin(st, STORE_TXN_WRITE, &txn), STORE_ERDONLY,
	    "write txn on read-only store refused");
	store_close(st);
}

static void
test_bad_input(void)
{
	char dir[300], url[STORE_URL_MAX + 100];
	struct store *st;
	struct store_txn *txn;
	struct store_download d, got;
	char longv[STORE_FIELD_MAX + 10];

	snprintf(dir, sizeof(dir), "%s/bad", base);
	st = open_ok(dir, STORE_CREATE);
	txn = begin_ok(st, STORE_TXN_WRITE);
	fill(&d, "https://dl.example/keep.iso", 123456);
	store_put(txn, &d, NULL);
	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "https://", 8);
	fill(&d, url, 10);
	is_int(store_put(txn, &d, NULL), STORE_ETOOLONG, "URL too long");
	url[STORE_URL_MAX] = '\0';
	is_int(store_put(txn, &d, NULL), 0, "URL of exactly the limit is fine");
	is_int(store_get(txn, url, &got), 0, "long URL found again");
	fill(&d, "", 10);
	is_int(store_put(txn, &d, NULL), STORE_EINVAL, "empty URL refused");
	fill(&d, "https://dl.example/zero", 0);
	is_int(store_put(txn, &d, NULL), STORE_EINVAL, "size 0 refused");
	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	fill(&d, "https://dl.example/v", 10);
	d.vendor = longv;
	is_int(store_put(txn, &d, NULL), STORE_ETOOLONG, "vendor too long");
	is_int(store_commit(txn), 0, "commit after refused puts");
	txn = begin_ok(st, STORE_TXN_READ);
	is_int(store_get(txn, "https://dl.example/keep.iso", &got), 0,
	    "refused puts lost nothing already stored");
	store_abort(txn);
	store_close(st);
}

static void
test_open_errors(void)
{
	char dir[300], path[400], err[512];
	struct store *st;
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	MDB_val k, v;
	uint32_t ver = 99;
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/missing", base);
	rc = store_open(dir, 0, &st, err, sizeof(err));
	is_int(rc, -ENOENT, "missing store: ENOENT");
	ok(strstr(err, dir) != NULL, "message names the path: %s", err);
	ok(st == NULL, "no handle on failure");

	snprintf(path, sizeof(path), "%s/afile", base);
	f = fopen(path, "w");
	fputs("x", f);
	fclose(f);
	rc = store_open(path, STORE_CREATE, &st, err, sizeof(err));
	is_int(rc, -ENOTDIR, "a file instead of a directory: ENOTDIR");

	/* garbage in data.mdb */
	snprintf(dir, sizeof(dir), "%s/garbage", base);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	f = fopen(path, "w");
	for (int i = 0; i < 20000; i++)
		fputc("corrupt"[i % 7], f);
	fclose(f);
	rc = store_open(dir, 0, &st, err, sizeof(err));
	ok(rc != 0, "corrupt store refused (%s)", err);
	ok(strstr(err, dir) != NULL, "corrupt: message names the path");

	/* another schema version, written straight with LMDB */
	snprintf(dir, sizeof(dir), "%s/v99", base);
	st = open_ok(dir, STORE_CREATE);
	store_close(st);
	mdb_env_create(&env);
	mdb_env_set_maxdbs(env, 8);
	mdb_env_open(env, dir, 0, 0644);
	mdb_txn_begin(env, NULL, 0, &t);
	mdb_dbi_open(t, "meta", 0, &dbi);
	k.mv_data = (void *)(uintptr_t)"schema";
	k.mv_size = 6;
	v.mv_data = &ver;
	v.mv_size = sizeof(ver);
	mdb_put(t, dbi, &k, &v, 0);
	mdb_txn_commit(t);
	mdb_env_close(env);
	rc = store_open(dir, 0, &st, err, sizeof(err));
	is_int(rc, STORE_EVERSION, "schema 99: EVERSION");
	ok(strstr(err, "99") != NULL && strstr(err, dir) != NULL,
	    "message names version and path: %s", err);

	/* an LMDB environment that is not ours */
	snprintf(dir, sizeof(dir), "%s/foreign", base);
	mkdir(dir, 0755);
	mdb_env_create(&env);
	mdb_env_open(env, dir, 0, 0644);
	mdb_txn_begin(env, NULL, 0, &t);
	mdb_dbi_open(t, NULL, 0, &dbi);
	k.mv_data = (void *)(uintptr_t)"hello";
	k.mv_size = 5;
	mdb_put(t, dbi, &k, &k, 0);
	mdb_txn_commit(t);
	mdb_env_close(env);
	rc = store_open(dir, STORE_RDONLY, &st, err, sizeof(err));
	is_int(rc, STORE_ENOTSTORE, "foreign LMDB read-only: ENOTSTORE");
	ok(strlen(store_strerror(MDB_MAP_FULL)) > 0 &&
	    strlen(store_strerror(-EACCES)) > 0 &&
	    strlen(store_strerror(STORE_EVERSION)) > 0,
	    "strerror covers store, LMDB and errno codes");
}

/* A tiny initial map (FLOWGRAB_STORE_MAPSIZE) must grow, not fail. */
static void
test_growth(void)
{
	char dir[300], url[128];
	struct store *st;
	struct store_txn *txn;
	struct store_download d;
	struct store_stats s;
	int i, rc = 0;

	snprintf(dir, sizeof(dir), "%s/grow", base);
	setenv("FLOWGRAB_STORE_MAPSIZE", "128k", 1);
	st = open_ok(dir, STORE_CREATE);
	unsetenv("FLOWGRAB_STORE_MAPSIZE");
	txn = begin_ok(st, STORE_TXN_WRITE);
	for (i = 0; i < 20000 && rc == 0; i++) {
		snprintf(url, sizeof(url),
		    "https://mirror%d.example/pub/pkg/%d/file-%d.tar.xz",
		    i % 7, i, i);
		fill(&d, url, 1000000 + (uint64_t)i * 3);
		rc = store_put(txn, &d, NULL);
	}
	is_int(rc, 0, "20000 puts into a 128 KiB map succeed");
	is_int(store_commit(txn), 0, "commit of the grown batch");
	txn = begin_ok(st, STORE_TXN_READ);
	is_int(count_all(txn), 20000, "all 20000 records there");
	store_stats(txn, &s);
	ok(s.map_bytes > 128 * 1024, "map grew (%" PRIu64 " bytes)",
	    s.map_bytes);
	{
		uint64_t problems = 1;

		store_check(txn, NULL, NULL, &problems);
		is_int(problems, 0, "grown store is consistent");
	}
	store_abort(txn);
	store_close(st);
}

static int
frontier_cb(const struct store_frontier_item *it, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		snprintf(s->urls[s->n], sizeof(s->urls[0]), "%s|%s|%u|%u",
		    it->url, it->vendor, it->depth, it->kind);
		s->sizes[s->n] = it->seq;
	}
	s->n++;
	return 0;
}

static void
test_crawler_state(void)
{
	char dir[300], longurl[1500];
	struct store *st;
	struct store_txn *txn;
	struct store_page p, got;
	struct store_frontier_item it;
	struct seen s;
	const void *val;
	size_t len;
	int added;

	snprintf(dir, sizeof(dir), "%s/crawl", base);
	st = open_ok(dir, STORE_CREATE);
	txn = begin_ok(st, STORE_TXN_WRITE);
	memset(&p, 0, sizeof(p));
	p.url = "https://dl.example/pub/";
	p.etag = "W/\"5f-1\"";
	p.last_modified = 1690000000;
	p.fetched = 1700000000;
	p.status = 200;
	p.links = 42;
	is_int(store_page_put(txn, &p), 0, "page put");
	memset(longurl, 'x', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "https://dl.example/", 19);
	p.url = longurl;
	p.links = 7;
	is_int(store_page_put(txn, &p), 0, "page with a 1.5 KB URL");

	memset(&it, 0, sizeof(it));
	it.url = "https://dl.example/pub/a/";
	it.vendor = "acme";
	it.depth = 1;
	it.kind = 1;
	store_frontier_add(txn, &it, &added);
	is_int(added, 1, "frontier add");
	store_frontier_add(txn, &it, &added);
	is_int(added, 0, "frontier add of a known URL is a no-op");
	it.url = "https://dl.example/pub/b/";
	it.depth = 2;
	store_frontier_add(txn, &it, &added);
	it.url = longurl;
	store_frontier_add(txn, &it, &added);
	is_int(added, 1, "frontier add of a long URL");
	is_int(store_meta_put(txn, "crawl.run", "running", 7), 0, "meta put");
	is_int(store_commit(txn), 0, "commit crawler state");

	txn = begin_ok(st, STORE_TXN_WRITE);
	is_int(store_page_get(txn, "https://dl.example/pub/", &got), 0,
	    "page get");
	is_str(got.etag, "W/\"5f-1\"", "page etag");
	is_int(got.links, 42, "page links");
	is_int(got.status, 200, "page status");
	is_int(store_page_get(txn, longurl, &got), 0, "long page get");
	is_int(got.links, 7, "long page links");
	is_int(store_page_get(txn, "https://dl.example/none", &got),
	    STORE_ENOTFOUND, "unknown page: ENOTFOUND");
	memset(&s, 0, sizeof(s));
	store_frontier_foreach(txn, frontier_cb, &s);
	is_int(s.n, 3, "three frontier items");
	ok(strncmp(s.urls[0], "https://dl.example/pub/a/|acme|1|1", 40) == 0,
	    "first item in insertion order: %s", s.urls[0]);
	ok(s.sizes[0] < s.sizes[1] && s.sizes[1] < s.sizes[2],
	    "seq numbers ascend");
	is_int(store_frontier_del(txn, "https://dl.example/pub/a/"), 0,
	    "frontier del");
	is_int(store_frontier_del(txn, "https://dl.example/pub/a/"),
	    STORE_ENOTFOUND, "frontier del twice: ENOTFOUND");
	is_int(store_meta_get(txn, "crawl.run", &val, &len), 0, "meta get");
	ok(len == 7 && memcmp(val, "running", 7) == 0, "meta value");
	is_int(store_meta_del(txn, "crawl.run"), 0, "meta del");
	is_int(store_meta_get(txn, "crawl.run", &val, &len), STORE_ENOTFOUND,
	    "meta gone");
	store_commit(txn);
	txn = begin_ok(st, STORE_TXN_WRITE);
	memset(&s, 0, sizeof(s));
	store_frontier_foreach(txn, frontier_cb, &s);
	is_int(s.n, 2, "two items after del");
	is_int(store_frontier_clear(txn), 0, "frontier clear");
	memset(&s, 0, sizeof(s));
	store_frontier_foreach(txn, frontier_cb, &s);
	is_int(s.n, 0, "frontier empty after clear");
	store_commit(txn);
	store_close(st);
}

/*
 * A reader process and a writer process on one store: the reader must see
 * only whole batches (counts multiple of the batch) that never go back.
 */
#define BATCH 500
#define BATCHES 20

static void
writer_child(const char *dir, int batches, int notify_fd)
{
	struct store *st = NULL;
	struct store_txn *txn;
	struct store_download d;
	char url[128], err[256];
	int b, i;

	if (store_open(dir, STORE_CREATE, &st, err, sizeof(err)) != 0)
		_exit(2);
	for (b = 0; batches < 0 || b < batches; b++) {
		if (store_begin(st, STORE_TXN_WRITE, &txn) != 0)
			_exit(3);
		for (i = 0; i < BATCH; i++) {
			snprintf(url, sizeof(url), "https://w.example/%d/%d.bin",
			    b, i);
			fill(&d, url, 2000000 + (uint64_t)b * BATCH + i);
			if (store_put(txn, &d, NULL) != 0)
				_exit(4);
		}
		if (store_commit(txn) != 0)
			_exit(5);
		if (notify_fd >= 0 && write(notify_fd, "c", 1) != 1)
			_exit(6);
	}
	store_close(st);
	_exit(0);
}

static void
test_concurrent(void)
{
	char dir[300], err[256];
	struct store *st;
	struct store_txn *txn;
	pid_t pid;
	uint64_t n, last = 0;
	int status, reads = 0, torn = 0, backwards = 0;

	snprintf(dir, sizeof(dir), "%s/conc", base);
	/* A small map, so that the writer grows it while the reader has the
	 * old size mapped: the reader must adopt the new size. */
	setenv("FLOWGRAB_STORE_MAPSIZE", "256k", 1);
	st = open_ok(dir, STORE_CREATE);	/* reader opens first */
	pid = fork();
	if (pid == 0)
		writer_child(dir, BATCHES, -1);
	if (store_begin(st, STORE_TXN_READ, &txn) != 0)
		bail_out("reader begin");
	for (;;) {
		int done = waitpid(pid, &status, WNOHANG) == pid;

		store_range_count(txn, 0, UINT64_MAX, &n);
		reads++;
		if (n % BATCH != 0)
			torn++;
		if (n < last)
			backwards++;
		last = n;
		if (done)
			break;
		store_txn_renew(txn);
		usleep(2000);
	}
	unsetenv("FLOWGRAB_STORE_MAPSIZE");
	ok(store_txn_renew(txn) == 0, "reader renews after the map grew");
	store_range_count(txn, 0, UINT64_MAX, &n);
	store_abort(txn);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "writer process finished (status %d)", status);
	is_int(n, BATCH * BATCHES, "reader sees every committed record");
	is_int(torn, 0, "reader never saw half a batch (%d reads)", reads);
	is_int(backwards, 0, "reader never went back in time");
	store_close(st);
	(void)err;
}

static void
test_kill9(void)
{
	char dir[300];
	struct store *st;
	struct store_txn *txn;
	int pipefd[2], commits = 0, status;
	uint64_t n, problems = 1;
	char c;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/kill9", base);
	if (pipe(pipefd) != 0)
		bail_out("pipe");
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		writer_child(dir, -1, pipefd[1]);
	}
	close(pipefd[1]);
	while (commits < 5 && read(pipefd[0], &c, 1) == 1)
		commits++;
	usleep(3000);	/* let it get into the middle of the next batch */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	while (read(pipefd[0], &c, 1) == 1)
		commits++;	/* commits reported before the kill */
	close(pipefd[0]);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "writer killed with SIGKILL");

	st = open_ok(dir, 0);	/* also clears the dead writer's slots */
	txn = begin_ok(st, STORE_TXN_READ);
	store_range_count(txn, 0, UINT64_MAX, &n);
	ok(n >= (uint64_t)commits * BATCH, "every reported commit survived "
	    "(%" PRIu64 " records, %d commits)", n, commits);
	is_int(n % BATCH, 0, "no part of the killed batch is visible");
	store_check(txn, NULL, NULL, &problems);
	is_int(problems, 0, "store consistent after kill -9");
	store_abort(txn);
	txn = begin_ok(st, STORE_TXN_WRITE);
	{
		struct store_download d;

		fill(&d, "https://after.example/x.bin", 99);
		is_int(store_put(txn, &d, NULL), 0, "writable after kill -9");
	}
	is_int(store_commit(txn), 0, "commit after kill -9");
	store_close(st);
}

static void
rm_rf(const char *dir)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

/* The address index: the downloads each server address served, by size,
 * kept as sizes and addresses change and downloads go; and made at the
 * first writable open of a store that lacks it. */
static void
put_at(struct store *st, const char *url, uint64_t size, const char *a1,
    const char *a2)
{
	struct store_txn *txn;
	struct store_download d;

	fill(&d, url, size);
	if (a1 && store_addr_parse(a1, &d.addrs[d.naddrs]) == 0)
		d.naddrs++;
	if (a2 && store_addr_parse(a2, &d.addrs[d.naddrs]) == 0)
		d.naddrs++;
	if (store_begin(st, STORE_TXN_WRITE, &txn) ||
	    store_put(txn, &d, NULL) || store_commit(txn))
		bail_out("put_at %s", url);
}

static int
by_addr(struct store *st, const char *addr, uint64_t lo, uint64_t hi,
    struct idlist *l)
{
	struct store_txn *txn;
	struct store_addr a;
	int rc;

	memset(l, 0, sizeof(*l));
	memset(&a, 0, sizeof(a));   /* NULL: the downloads with no address */
	if (addr)
		store_addr_parse(addr, &a);
	if (store_begin(st, STORE_TXN_READ, &txn))
		bail_out("store_begin");
	rc = store_range_addr(txn, &a, lo, hi, ids_cb, l);
	store_abort(txn);
	return rc;
}

/* Observed references (docs/store.md): the observation round trip, its
 * checks, and the record format's compatibility both ways. */
static void
test_observed(void)
{
	char dir[300], longlabel[300];
	struct store *st;
	struct store_txn *txn;
	struct store_download d, got;
	struct fg_buf b;
	/* a record as written before observations: version 1, state alive,
	 * source crawler, no address, size 100, times 0, "http://x/a",
	 * empty vendor, file, content type and ETag */
	static const uint8_t old[] = { 1, 0, 100, 0, 0, 0, 0,
		10, 'h', 't', 't', 'p', ':', '/', '/', 'x', '/', 'a', 0,
		0, 0, 0, 0, 0, 0, 0 };
	uint8_t buf[64];
	int rc;

	snprintf(dir, sizeof(dir), "%s/observed", base);
	st = open_ok(dir, STORE_CREATE | STORE_NOSYNC);
	txn = begin_ok(st, STORE_TXN_WRITE);
	fill(&d, "observed://192.0.2.1:443/3006870", 3006870);
	d.source = STORE_SRC_OBSERVED;
	d.naddrs = 1;
	store_addr_parse("192.0.2.1", &d.addrs[0]);
	d.first_seen = 1764000000;
	d.has_obs = 1;
	d.obs.label = "win10-22H2 2026-12 updates";
	d.obs.when = 1764000000;
	d.obs.server_port = 443;
	d.obs.data_tcp_flags = 0x1b;
	d.obs.req_tcp_flags = 0x1f;
	d.obs.data_octets = 3115142;
	d.obs.data_packets = 2082;
	d.obs.req_octets = 45321;
	d.obs.req_packets = 857;
	d.obs.payload = 3006870;
	d.obs.payload_sd = 3.81;
	d.obs.count = 1;
	is_int(store_put(txn, &d, NULL), 0, "observed: put");
	rc = store_get(txn, d.url, &got);
	ok(rc == 0 && got.has_obs && got.source == STORE_SRC_OBSERVED &&
	    !strcmp(got.obs.label, d.obs.label) && got.obs.when == d.obs.when &&
	    got.obs.server_port == 443 && got.obs.data_tcp_flags == 0x1b &&
	    got.obs.req_tcp_flags == 0x1f && got.obs.data_octets == 3115142 &&
	    got.obs.data_packets == 2082 && got.obs.req_octets == 45321 &&
	    got.obs.req_packets == 857 && got.obs.payload == 3006870 &&
	    got.obs.count == 1, "observed: every counter read back");
	/* 3.81 x 16 = 60.96: kept as 61/16 */
	ok(rc == 0 && got.obs.payload_sd == 3.8125,
	    "observed: the spread kept to 1/16 byte (%.4f)", got.obs.payload_sd);
	d.obs.count = 2;
	d.first_seen = 1764000500;
	store_put(txn, &d, NULL);
	rc = store_get(txn, d.url, &got);
	ok(rc == 0 && got.obs.count == 2 && got.first_seen == 1764000000,
	    "observed: seen again, one record, first seen kept");
	store_mark_gone(txn, d.url, 0);
	rc = store_get(txn, d.url, &got);
	ok(rc == 0 && got.state == STORE_GONE && got.has_obs &&
	    got.obs.payload == 3006870, "observed: marked gone, counters kept");
	d.source = STORE_SRC_CRAWLER;
	is_int(store_put(txn, &d, NULL), STORE_EINVAL,
	    "an observation on a crawled download is refused");
	d.source = STORE_SRC_OBSERVED;
	memset(longlabel, 'x', 256);
	longlabel[256] = '\0';
	d.obs.label = longlabel;
	is_int(store_put(txn, &d, NULL), STORE_ETOOLONG,
	    "a label over 255 bytes is refused");
	fill(&d, "https://dl.example/plain.iso", 7000);
	store_put(txn, &d, NULL);
	rc = store_get(txn, d.url, &got);
	ok(rc == 0 && !got.has_obs && got.obs.label && !got.obs.label[0],
	    "a crawled download carries no observation");
	is_int(store_commit(txn), 0, "observed: commit");
	store_close(st);

	/* the format: an older record decodes, and one without observation
	 * is still written as before (nothing after the ETag) */
	rc = record_decode_download(old, sizeof(old), &got);
	ok(rc == 0 && got.size == 100 && !strcmp(got.url, "http://x/a") &&
	    !got.has_obs, "a record of the format before observations decodes");
	fg_buf_init(&b, 1 << 16);
	memset(&d, 0, sizeof(d));
	d.url = "http://x/a";
	d.size = 100;
	rc = record_encode_download(&b, &d);
	ok(rc == 0 && b.len == sizeof(old) && !memcmp(b.data, old, b.len),
	    "a download without observation is encoded as before (%zu bytes)",
	    b.len);
	fg_buf_free(&b);
	memcpy(buf, old, sizeof(old));
	buf[sizeof(old)] = 7;
	is_int(record_decode_download(buf, sizeof(old) + 1, &got),
	    STORE_ECORRUPT, "a byte after the ETag that is no observation: "
	    "corrupt");
	buf[sizeof(old)] = 1;
	is_int(record_decode_download(buf, sizeof(old) + 1, &got),
	    STORE_ECORRUPT, "an observation cut short: corrupt");
}

static void
test_addr_index(void)
{
	char dir[512], err[256];
	struct store *st;
	struct store_txn *txn;
	struct idlist l;
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	int rc;

	snprintf(dir, sizeof(dir), "%s/addr", base);
	if (store_open(dir, STORE_CREATE | STORE_NOSYNC, &st, err,
	    sizeof(err)))
		bail_out("store_open: %s", err);
	put_at(st, "http://x/a", 1000, "192.0.2.1", NULL);
	put_at(st, "http://x/b", 2000, "192.0.2.1", "2001:db8::7");
	put_at(st, "http://x/c", 1500, "2001:db8::7", NULL);
	rc = by_addr(st, "192.0.2.1", 0, 5000, &l);
	ok(rc == 0 && l.n == 2 && l.size[0] == 1000 && l.size[1] == 2000,
	    "addr index: the two downloads 192.0.2.1 served, by size (%d)",
	    l.n);
	rc = by_addr(st, "2001:db8::7", 1600, 5000, &l);
	ok(rc == 0 && l.n == 1 && l.size[0] == 2000,
	    "addr index: IPv6, a size range");
	by_addr(st, "192.0.2.9", 0, 5000, &l);
	is_int(l.n, 0, "addr index: an address that served nothing");
	put_at(st, "http://x/d", 1800, NULL, NULL);
	rc = by_addr(st, NULL, 0, 5000, &l);
	ok(rc == 0 && l.n == 1 && l.size[0] == 1800, "addr index: the "
	    "downloads that list no address, under family 0");
	put_at(st, "http://x/d", 1800, "192.0.2.44", NULL);
	by_addr(st, NULL, 0, 5000, &l);
	is_int(l.n, 0, "... and not once an address is known");
	put_at(st, "http://x/b", 2500, "192.0.2.1", NULL);
	by_addr(st, "192.0.2.1", 0, 5000, &l);
	ok(l.n == 2 && l.size[1] == 2500, "addr index: a new size replaces "
	    "the old");
	by_addr(st, "192.0.2.1", 1900, 2100, &l);
	is_int(l.n, 0, "... and the old size is gone");
	put_at(st, "http://x/a", 1000, "198.51.100.3", NULL);
	by_addr(st, "198.51.100.3", 0, 5000, &l);
	ok(l.n == 1 && l.size[0] == 1000, "addr index: an address added");
	by_addr(st, "192.0.2.1", 0, 5000, &l);
	is_int(l.n, 2, "... the old one kept (addresses merge)");
	if (store_begin(st, STORE_TXN_WRITE, &txn) ||
	    store_delete(txn, "http://x/a") || store_commit(txn))
		bail_out("store_delete");
	by_addr(st, "192.0.2.1", 0, 5000, &l);
	ok(l.n == 1 && l.size[0] == 2500, "addr index: a deleted download "
	    "is gone from it");
	by_addr(st, "198.51.100.3", 0, 5000, &l);
	is_int(l.n, 0, "... under every address");
	store_close(st);

	/* a store made before the index: drop it with LMDB itself */
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
	    mdb_env_open(env, dir, 0, 0600) ||
	    mdb_txn_begin(env, NULL, 0, &t) ||
	    mdb_dbi_open(t, "addr", 0, &dbi) || mdb_drop(t, dbi, 1) ||
	    mdb_txn_commit(t))
		bail_out("dropping the addr table");
	mdb_env_close(env);
	if (store_open(dir, STORE_RDONLY, &st, err, sizeof(err)))
		bail_out("store_open: %s", err);
	rc = by_addr(st, "192.0.2.1", 0, 5000, &l);
	is_int(rc, STORE_ENOTFOUND, "an older store read-only: no address "
	    "index, said so");
	store_close(st);
	if (store_open(dir, STORE_NOSYNC, &st, err, sizeof(err)))
		bail_out("store_open: %s", err);
	rc = by_addr(st, "2001:db8::7", 0, 5000, &l);
	ok(rc == 0 && l.n == 2 && l.size[0] == 1500 && l.size[1] == 2500,
	    "... made from the records at the first writable open (%d)", l.n);
	store_close(st);
}

/* ---- the kept counters (store_stats, store_vendors) ------------------ */

#define NVEND 8

/* What a walk of every record says, to hold the kept counters to. */
struct tally {
	struct store_stats s;
	char vendor[NVEND][32];
	uint64_t vn[NVEND], vbytes[NVEND];
	int nv, over;           /* over: more vendors than NVEND */
};

static int
tally_vendor(struct tally *t, const char *name, uint64_t n, uint64_t bytes)
{
	int i;

	for (i = 0; i < t->nv; i++)
		if (strcmp(t->vendor[i], name) == 0)
			break;
	if (i == t->nv) {
		if (t->nv == NVEND) {
			t->over = 1;
			return 0;
		}
		snprintf(t->vendor[t->nv++], sizeof(t->vendor[0]), "%s", name);
	}
	t->vn[i] += n;
	t->vbytes[i] += bytes;
	return 0;
}

static int
tally_cb(const struct store_download *d, void *arg)
{
	struct tally *t = arg;
	uint64_t z = d->size;
	int c = z < (1ULL << 20) ? 0 : z < (10ULL << 20) ? 1 :
	    z < (100ULL << 20) ? 2 : z < (1ULL << 30) ? 3 :
	    z < (4ULL << 30) ? 4 : 5;

	t->s.downloads++;
	if (d->state == STORE_GONE)
		t->s.gone++;
	else
		t->s.alive++;
	t->s.by_source[d->source]++;
	t->s.by_class[c]++;
	t->s.total_bytes += d->size;
	if (t->s.min_size == 0 || d->size < t->s.min_size)
		t->s.min_size = d->size;
	if (d->size > t->s.max_size)
		t->s.max_size = d->size;
	return tally_vendor(t, d->vendor, 1, d->size);
}

static int
kept_vendor_cb(const char *name, uint64_t n, uint64_t bytes, void *arg)
{
	return tally_vendor(arg, name, n, bytes);
}

/* Do the counters @txn reads equal a walk of its records?  Returns 1 if
 * so; names the first difference otherwise.  *counted gets s.counted. */
static int
counters_agree(struct store_txn *txn, int *counted, const char *label)
{
	struct tally walk, kept;
	struct store_stats *w = &walk.s, *k = &kept.s;
	int i, j;

	memset(&walk, 0, sizeof(walk));
	memset(&kept, 0, sizeof(kept));
	if (store_foreach(txn, tally_cb, &walk) != 0 ||
	    store_stats(txn, k) != 0 ||
	    store_vendors(txn, kept_vendor_cb, &kept) != 0)
		bail_out("%s: reading the store", label);
	*counted = k->counted;
	if (k->downloads != w->downloads || k->alive != w->alive ||
	    k->gone != w->gone || k->total_bytes != w->total_bytes ||
	    k->min_size != w->min_size || k->max_size != w->max_size ||
	    memcmp(k->by_source, w->by_source, sizeof(w->by_source)) ||
	    memcmp(k->by_class, w->by_class, sizeof(w->by_class))) {
		diag("%s: kept %" PRIu64 " downloads (%" PRIu64 " alive, %"
		    PRIu64 " gone, %" PRIu64 " bytes), the records %" PRIu64
		    " (%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")", label,
		    k->downloads, k->alive, k->gone, k->total_bytes,
		    w->downloads, w->alive, w->gone, w->total_bytes);
		return 0;
	}
	if (kept.nv != walk.nv || kept.over || walk.over) {
		diag("%s: %d vendors kept, %d in the records", label, kept.nv,
		    walk.nv);
		return 0;
	}
	for (i = 0; i < walk.nv; i++) {
		for (j = 0; j < kept.nv; j++)
			if (strcmp(kept.vendor[j], walk.vendor[i]) == 0)
				break;
		if (j == kept.nv || kept.vn[j] != walk.vn[i] ||
		    kept.vbytes[j] != walk.vbytes[i]) {
			diag("%s: vendor %s differs", label, walk.vendor[i]);
			return 0;
		}
	}
	return 1;
}

static void
committed_agree(struct store *st, const char *label)
{
	struct store_txn *txn = begin_ok(st, STORE_TXN_READ);
	uint64_t problems = 1;
	int counted = 0;

	int agree = counters_agree(txn, &counted, label);

	if (store_check(txn, NULL, NULL, &problems) != 0)
		bail_out("store_check");
	if (problems)
		diag("%s: store_check found %" PRIu64 " problems", label,
		    problems);
	ok(agree && counted && problems == 0, "%s", label);
	store_abort(txn);
}

static struct store_stats
stats_of(struct store *st)
{
	struct store_txn *txn = begin_ok(st, STORE_TXN_READ);
	struct store_stats s;

	if (store_stats(txn, &s) != 0)
		bail_out("store_stats");
	store_abort(txn);
	return s;
}

static int
vendor_cb(const char *name, uint64_t n, uint64_t bytes, void *arg)
{
	struct tally *t = arg;

	return tally_vendor(t, name, n, bytes);
}

static struct tally
vendors_of(struct store *st)
{
	struct store_txn *txn = begin_ok(st, STORE_TXN_READ);
	struct tally t;

	memset(&t, 0, sizeof(t));
	if (store_vendors(txn, vendor_cb, &t) != 0)
		bail_out("store_vendors");
	store_abort(txn);
	return t;
}

static void
put1(struct store *st, const char *url, uint64_t size, const char *vendor,
    int source, int state)
{
	struct store_txn *txn = begin_ok(st, STORE_TXN_WRITE);
	struct store_download d;

	fill(&d, url, size);
	d.vendor = vendor;
	d.source = (uint8_t)source;
	d.state = (uint8_t)state;
	if (store_put(txn, &d, NULL) || store_commit(txn))
		bail_out("put1 %s", url);
}

/* Counters through puts, updates that move a download between size
 * classes, sources, vendors and states, and deletes. */
static void
test_counts(void)
{
	char dir[300];
	struct store *st;
	struct store_txn *txn;
	struct store_stats s;
	struct tally v;

	snprintf(dir, sizeof(dir), "%s/counts", base);
	st = open_ok(dir, STORE_CREATE | STORE_NOSYNC);
	s = stats_of(st);
	ok(s.counted && s.downloads == 0 && s.min_size == 0,
	    "counters: a new store keeps them, all zero");
	put1(st, "http://c/a", 500000, "acme", STORE_SRC_CRAWLER, 0);
	put1(st, "http://c/b", 5000000, "acme", STORE_SRC_MANIFEST, 0);
	put1(st, "http://c/c", 5ULL << 30, "zeta", STORE_SRC_IMPORT, 0);
	s = stats_of(st);
	ok(s.downloads == 3 && s.alive == 3 && s.gone == 0 &&
	    s.by_source[STORE_SRC_CRAWLER] == 1 &&
	    s.by_source[STORE_SRC_MANIFEST] == 1 &&
	    s.by_source[STORE_SRC_IMPORT] == 1 && s.by_class[0] == 1 &&
	    s.by_class[1] == 1 && s.by_class[5] == 1 &&
	    s.total_bytes == 5500000 + (5ULL << 30) &&
	    s.min_size == 500000 && s.max_size == 5ULL << 30,
	    "counters after three puts");
	v = vendors_of(st);
	ok(v.nv == 2 && strcmp(v.vendor[0], "acme") == 0 && v.vn[0] == 2 &&
	    v.vbytes[0] == 5500000 && v.vn[1] == 1, "vendors after three "
	    "puts, in name order");

	put1(st, "http://c/a", 50000000, "acme", STORE_SRC_CRAWLER, 0);
	s = stats_of(st);
	ok(s.by_class[0] == 0 && s.by_class[2] == 1 && s.downloads == 3 &&
	    s.total_bytes == 55000000 + (5ULL << 30) &&
	    s.min_size == 5000000, "an update into another size class "
	    "moves its count");
	put1(st, "http://c/b", 5000000, "acme", STORE_SRC_IMPORT, 0);
	s = stats_of(st);
	ok(s.by_source[STORE_SRC_MANIFEST] == 0 &&
	    s.by_source[STORE_SRC_IMPORT] == 2, "an update of the source");
	put1(st, "http://c/b", 5000000, "zeta", STORE_SRC_IMPORT, 0);
	v = vendors_of(st);
	ok(v.nv == 2 && v.vn[0] == 1 && v.vbytes[0] == 50000000 &&
	    v.vn[1] == 2 && v.vbytes[1] == 5000000 + (5ULL << 30),
	    "an update of the vendor");
	put1(st, "http://c/c", 5ULL << 30, "zeta", STORE_SRC_IMPORT,
	    STORE_GONE);
	s = stats_of(st);
	ok(s.alive == 2 && s.gone == 1, "a put of a gone download");
	txn = begin_ok(st, STORE_TXN_WRITE);
	store_mark_gone(txn, "http://c/a", 0);
	store_stats(txn, &s);
	ok(s.gone == 2 && s.alive == 1, "mark gone: the write txn sees its "
	    "own change");
	store_touch(txn, "http://c/c", 0);
	store_stats(txn, &s);
	ok(s.gone == 1 && s.alive == 2, "touch: back alive");
	store_commit(txn);
	committed_agree(st, "counters after updates equal a walk");

	txn = begin_ok(st, STORE_TXN_WRITE);
	store_delete(txn, "http://c/a");
	store_abort(txn);
	s = stats_of(st);
	is_int(s.downloads, 3, "an aborted delete changes no counter");
	txn = begin_ok(st, STORE_TXN_WRITE);
	store_delete(txn, "http://c/a");
	store_commit(txn);
	s = stats_of(st);
	v = vendors_of(st);
	ok(s.downloads == 2 && s.by_class[2] == 0 && s.by_source[1] == 0 &&
	    v.nv == 1 && strcmp(v.vendor[0], "zeta") == 0, "a delete: "
	    "counts and its vendor's last download gone from the vendors");
	committed_agree(st, "counters after a delete equal a walk");
	store_close(st);
}

/*
 * A random sequence of puts (new and updates of size, vendor, source,
 * state), mark gone, touch and delete, in batches committed or aborted,
 * in a map small enough to grow (and replay the batch) on the way: the
 * counters equal a walk inside the write txn and after every commit.
 * Then a store without counters (made before them): read-only, walked;
 * at the first writable open, made.
 */
static void
test_counts_random(void)
{
	static const char *vendors[] = { "acme", "", "zeta", "mozilla",
	    "debian" };
	char dir[300], url[128], err[256];
	char kcounts[] = "counts", kacme[] = "v:acme", junk[] = "junk";
	struct store *st;
	struct store_txn *txn;
	struct store_download d;
	struct store_stats s;
	uint64_t r = 42;
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v;
	int batch, i, op, counted, agree_txn = 1, agree_commit = 1, rc;

	snprintf(dir, sizeof(dir), "%s/counts-random", base);
	setenv("FLOWGRAB_STORE_MAPSIZE", "128k", 1);
	st = open_ok(dir, STORE_CREATE | STORE_NOSYNC);
	unsetenv("FLOWGRAB_STORE_MAPSIZE");
	for (batch = 0; batch < 40; batch++) {
		txn = begin_ok(st, STORE_TXN_WRITE);
		for (i = 0; i < 150; i++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			snprintf(url, sizeof(url), "https://r%u.example/pub/"
			    "some/longer/path/file-%u.tar.xz",
			    (unsigned)(r >> 60), (unsigned)(r >> 33) % 400);
			op = (int)((r >> 20) % 10);
			if (op < 6) {
				fill(&d, url, (uint64_t)1 << (10 + (r >> 40) %
				    24) | (r >> 8 & 0xfff));
				d.vendor = vendors[(r >> 50) % 5];
				d.source = (uint8_t)(1 + (r >> 45) % 4);
				d.state = (r >> 30) % 5 == 0 ? STORE_GONE :
				    STORE_ALIVE;
				rc = store_put(txn, &d, NULL);
			} else if (op == 6) {
				rc = store_mark_gone(txn, url, 0);
			} else if (op == 7) {
				rc = store_touch(txn, url, 0);
			} else {
				rc = store_delete(txn, url);
			}
			if (rc != 0 && rc != STORE_ENOTFOUND)
				bail_out("op %d on %s: %s", op, url,
				    store_strerror(rc));
		}
		if (!counters_agree(txn, &counted, "in the write txn"))
			agree_txn = 0;
		if (batch % 7 == 3) {
			store_abort(txn);
		} else if ((rc = store_commit(txn)) != 0) {
			bail_out("commit: %s", store_strerror(rc));
		}
		txn = begin_ok(st, STORE_TXN_READ);
		if (!counters_agree(txn, &counted, "committed") || !counted)
			agree_commit = 0;
		store_abort(txn);
	}
	s = stats_of(st);
	ok(agree_txn, "random operations: the counters equal a walk inside "
	    "every write txn");
	ok(agree_commit && s.downloads > 100, "... and after every commit "
	    "or abort (%" PRIu64 " downloads, map grown to %" PRIu64 ")",
	    s.downloads, s.map_bytes);
	ok(s.map_bytes > 128 * 1024, "... the map grew on the way");
	committed_agree(st, "store_check agrees");
	store_close(st);

	/* a store from before the counters: take them out with LMDB */
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
	    mdb_env_set_mapsize(env, 1 << 30) ||
	    mdb_env_open(env, dir, 0, 0600) ||
	    mdb_txn_begin(env, NULL, 0, &t) ||
	    mdb_dbi_open(t, "meta", 0, &dbi) ||
	    mdb_cursor_open(t, dbi, &c))
		bail_out("opening the meta table");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((k.mv_size == 6 && memcmp(k.mv_data, "counts", 6) == 0) ||
		    (k.mv_size >= 2 && memcmp(k.mv_data, "v:", 2) == 0))
			mdb_cursor_del(c, 0);
	mdb_cursor_close(c);
	if (mdb_txn_commit(t))
		bail_out("removing the counters");
	mdb_env_close(env);
	if (store_open(dir, STORE_RDONLY, &st, err, sizeof(err)))
		bail_out("store_open: %s", err);
	txn = begin_ok(st, STORE_TXN_READ);
	ok(counters_agree(txn, &counted, "old store read-only") &&
	    !counted, "a store without counters, read-only: counted by a "
	    "walk, the same figures");
	store_abort(txn);
	store_close(st);
	st = open_ok(dir, STORE_NOSYNC);
	committed_agree(st, "... made at the first writable open, equal to "
	    "the walk");
	store_close(st);

	/* a damaged counter (the wrong length) and a damaged vendor entry */
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
	    mdb_env_set_mapsize(env, 1 << 30) ||
	    mdb_env_open(env, dir, 0, 0600) ||
	    mdb_txn_begin(env, NULL, 0, &t) ||
	    mdb_dbi_open(t, "meta", 0, &dbi))
		bail_out("opening the meta table");
	k.mv_data = kcounts;
	k.mv_size = 6;
	v.mv_data = junk;
	v.mv_size = 4;
	if (mdb_put(t, dbi, &k, &v, 0))
		bail_out("damaging the counters");
	k.mv_data = kacme;
	k.mv_size = 6;
	if (mdb_put(t, dbi, &k, &v, 0) || mdb_txn_commit(t))
		bail_out("damaging the counters");
	mdb_env_close(env);
	if (store_open(dir, STORE_RDONLY, &st, err, sizeof(err)))
		bail_out("store_open: %s", err);
	txn = begin_ok(st, STORE_TXN_READ);
	ok(counters_agree(txn, &counted, "damaged, read-only") && !counted,
	    "damaged counters, read-only: stats walks, the same figures");
	{
		uint64_t problems = 0;

		rc = store_check(txn, NULL, NULL, &problems);
		ok(rc == 0 && problems > 0, "... and store_check reports "
		    "them (%" PRIu64 ")", problems);
	}
	store_abort(txn);
	store_close(st);
	st = open_ok(dir, STORE_NOSYNC);
	committed_agree(st, "... counted again at the next writable open");
	store_close(st);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/t-store.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(base) == NULL)
		bail_out("mkdtemp: %s", strerror(errno));
	fg_log_init("t-store", FG_LOG_NORMAL);
	test_basic();
	test_bad_input();
	test_open_errors();
	test_growth();
	test_crawler_state();
	test_concurrent();
	test_kill9();
	test_addr_index();
	test_observed();
	test_counts();
	test_counts_random();
	rm_rf(base);
	return done_testing();
}
