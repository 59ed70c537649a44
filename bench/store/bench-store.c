/*
 * bench-store.c - store throughput: bulk insert of N downloads in batched
 * write transactions, then M random range lookups of +-W bytes, each hit
 * decoded as the matcher does.  Prints one line per phase; bench/store/run.sh
 * runs it pinned to one core and records the machine.
 *
 *   bench-store DIR [N [M [W [dist]]]]   dist: uniform (default) | loguniform
 * With N 0, only the lookups, on the store DIR holds already.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

#define BATCH (getenv("BENCH_BATCH") ? atoi(getenv("BENCH_BATCH")) : 10000)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_rand(void)
{
	/* xorshift64*: deterministic, so every run inserts the same data */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint64_t
draw_size(int loguni)
{
	const double lo = 1048576.0, hi = 4294967296.0;
	double u = (double)(next_rand() >> 11) / 9007199254740992.0;

	if (loguni)
		return (uint64_t)(lo * pow(hi / lo, u));
	return (uint64_t)(lo + u * (hi - lo));
}

static int
hit_cb(const struct store_download *d, void *arg)
{
	uint64_t *acc = arg;

	acc[0]++;
	acc[1] += d->size + strlen(d->url);	/* touch the record */
	return 0;
}

enum mode { MODE_IDS, MODE_RECORDS, MODE_COLD };

static int
id_cb(uint64_t size, uint64_t id, void *arg)
{
	uint64_t *acc = arg;

	acc[0]++;
	acc[1] += size + id;
	return 0;
}

/*
 * @m random range lookups of +-@w: from the size index alone
 * (store_range_ids: what a lookup needs to find and weigh candidates), or
 * with every hit's record fetched and decoded (store_range).  MODE_COLD:
 * as MODE_IDS, other centres, the first pass of a process that has not
 * touched the map yet (its page faults counted); the passes after it are
 * a long-running matcher's steady state.
 */
static void
lookups(struct store *st, uint64_t m, uint64_t w, int loguni, enum mode mode)
{
	struct store_txn *txn;
	uint64_t i, acc[2] = { 0, 0 };
	double t0, t1;
	int rc;

	rng = mode == MODE_COLD ? 0x7654321 : 0x1234567;	/* the same
				   centres for the timed modes */
	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0)
		fg_fatal(1, "begin: %s", store_strerror(rc));
	t0 = fg_monotonic();
	for (i = 0; i < m; i++) {
		uint64_t c = draw_size(loguni), lo = c > w ? c - w : 0;

		if (mode != MODE_RECORDS)
			rc = store_range_ids(txn, lo, c + w, id_cb, acc);
		else
			rc = store_range(txn, lo, c + w, hit_cb, acc);
		if (rc != 0)
			fg_fatal(1, "lookup: %s", store_strerror(rc));
	}
	t1 = fg_monotonic();
	store_abort(txn);
	if (m == 0)
		return;
	printf("lookup (%s): %" PRIu64 " range lookups of +-%" PRIu64 " in "
	    "%.2f s = %.0f lookups/s, %.2f hits per lookup (%s sizes 1 MiB-"
	    "4 GiB)\n", mode == MODE_IDS ? "size index" : mode == MODE_COLD ?
	    "size index, cold: first pass" : "records decoded",
	    m, w, t1 - t0, (double)m / (t1 - t0), (double)acc[0] / (double)m,
	    loguni ? "log-uniform" : "uniform");
}

int
main(int argc, char **argv)
{
	const char *dir;
	uint64_t n = 1000000, m = 1000000, w = 2048, i;
	int loguni = 0, rc;
	struct store *st;
	struct store_txn *txn = NULL;
	struct store_download d;
	struct store_stats s;
	char err[512], **urls, (*etags)[32];
	double t0, t1;
	uint64_t *sizes;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-store DIR [N [M [W [uniform|loguniform]]]]\n");
		return 2;
	}
	dir = argv[1];
	if (argc > 2) n = strtoull(argv[2], NULL, 10);
	if (argc > 3) m = strtoull(argv[3], NULL, 10);
	if (argc > 4) w = strtoull(argv[4], NULL, 10);
	if (argc > 5) loguni = strcmp(argv[5], "loguniform") == 0;
	fg_log_init("bench-store", FG_LOG_NORMAL);
	if ((rc = store_open(dir, STORE_CREATE, &st, err, sizeof(err))) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sizes = fg_calloc(n, sizeof(*sizes));
	/* The inputs are made before the clock starts: what is timed is the
	 * store.  URLs of 60-70 bytes, the length of most vendors' download
	 * links (python.org, kernel.org, nodejs.org, videolan.org: 58-63),
	 * and an nginx-style ETag. */
	urls = fg_calloc(n, sizeof(*urls));
	etags = fg_calloc(n, sizeof(*etags));
	for (i = 0; i < n; i++) {
		sizes[i] = draw_size(loguni);
		urls[i] = fg_asprintf("https://dl%u.vendor%u.example/pub/"
		    "v%u.%u/pkg%" PRIu64 "-%u.%u.tar.xz", (unsigned)(i % 3),
		    (unsigned)(i % 500), (unsigned)(i % 13), (unsigned)(i % 17),
		    i, (unsigned)(i % 13), (unsigned)(i % 17));
		snprintf(etags[i], sizeof(etags[i]), "\"%08" PRIx64 "-%"
		    PRIx64 "\"", (uint64_t)1700000000 + i, sizes[i]);
	}
	memset(&d, 0, sizeof(d));
	d.vendor = "vendor";
	d.content_type = "application/x-xz";
	d.naddrs = 1;
	d.addrs[0].family = 4;
	d.last_modified = 1700000000;

	t0 = fg_monotonic();
	for (i = 0; i < n; i++) {
		if (txn == NULL && (rc = store_begin(st, STORE_TXN_WRITE, &txn)))
			goto fail;
		d.url = urls[i];
		d.etag = etags[i];
		d.size = sizes[i];
		memcpy(d.addrs[0].bytes, &i, 4);
		if ((rc = store_put(txn, &d, NULL)) != 0)
			goto fail;
		if ((i + 1) % (uint64_t)BATCH == 0) {
			if ((rc = store_commit(txn)) != 0)
				goto fail;
			txn = NULL;
		}
	}
	if (txn && (rc = store_commit(txn)) != 0)
		goto fail;
	t1 = fg_monotonic();
	if ((rc = store_begin(st, STORE_TXN_READ, &txn)) != 0 ||
	    (rc = store_stats(txn, &s)) != 0)
		goto fail;
	store_abort(txn);
	if (n > 0)
		printf("insert: %" PRIu64 " downloads in %.2f s = %.0f inserts/s "
		    "(batches of %d, fsync per commit)\n", n, t1 - t0,
		    (double)n / (t1 - t0), BATCH);
	printf("size: data.mdb %" PRIu64 " bytes = %.1f bytes per download\n",
	    s.file_bytes, (double)s.file_bytes / (double)s.downloads);

	lookups(st, m, w, loguni, MODE_COLD);
	lookups(st, m, w, loguni, MODE_IDS);
	lookups(st, m, w, loguni, MODE_RECORDS);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(etags);
	free(sizes);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "bench-store: %s\n", store_strerror(rc));
	return 1;
}
