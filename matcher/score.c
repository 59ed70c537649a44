/*
 * score.c - store lookup and candidate scoring (see score.h and
 * docs/matching.md, "Scoring").
 *
 * A lookup runs in three steps: one store_range() over the size window
 * collecting what scoring needs of each candidate (size, id, server
 * address evidence, time evidence); scoring, which first decides whether
 * the server's overhead is known from its profile; and a second, exact
 * store_range(size, size) for the few best to copy their names out.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "model.h"
#include "observe.h"
#include "product.h"
#include "profile.h"
#include "report.h"
#include "score.h"
#include "util.h"

/* Unlearned overhead: spread around the typical value (docs/matching.md) */
#define HTTP_SD_UNLEARNED 100.0
#define TLS_SD_UNLEARNED 1500.0
/* Learned overhead: the mode's window is +-3 of these */
#define HTTP_SD_LEARNED 1.0
#define TLS_SD_LEARNED 2.0
/*
 * Learned overhead: the least spread assumed, however exact the votes.
 * On the testbed every learned HTTP and HTTPS match came out to the byte
 * (docs/matching.md: none 1 byte off in over 1,600); at 0.15 a byte's miss
 * has probability 0.04% each side (byte_like()), so an unknown file one
 * byte from a stored one is not named.  At 0.3 (4.8% each side, or 0.4%
 * of an exact fit as a density) such a file was named at 0.72-0.80 in
 * every phase of seed 19.
 */
#define LEARNED_SD_MIN 0.15
/* A 206 response header is longer than the 200 one by about this much:
 * "206 Partial Content" and "Content-Range: bytes A-B/N" */
#define RANGE_EXTRA 35.0
#define RANGE_SD 24.0
/* Share of downloads with extra bytes that are not whole segments */
#define TLS_EXTRA_SHARE 0.15
#define HTTP_EXTRA_SHARE 0.1
/* Share of the unlearned overhead spread evenly over [min, max] */
#define FLOOR_UNLEARNED 0.2
#define TOP_K (MATCH_MAX_RIVALS + 1)
/*
 * The base rate of large transfers that are no stored file starts at
 * --null-weight's odds as if this many lookups had shown them, and only
 * rises above them (model.h): a network whose big transfers are mostly
 * video and backups weighs "not in the store" as it finds it.
 */
#define BASE_RATE_WEIGHT 50.0
/* TLS framings tried (payload.h): record overheads 22 (1.3 AEAD), 29 (1.2
 * AES-GCM) and 21 (1.2 ChaCha20), each in full records and in Apache
 * httpd's short ones */
#define SHORT_REC(o) ((uint8_t)(PAYLOAD_TAG_SHORT | (o)))
static const uint8_t tls_tags[] = { 22, 29, 21, SHORT_REC(22), SHORT_REC(29),
    SHORT_REC(21) };
#define NTAGS_MAX (sizeof(tls_tags) / sizeof(tls_tags[0]))

/* The record overheads @e's candidates are tried at: TLS's, or none (0)
 * for HTTP, into *@tags; returns how many. */
static int record_tags(const struct payload_estimate *e,
    const uint8_t **tags)
{
	static const uint8_t http_tags[] = { 0 };

	*tags = e->tls ? tls_tags : http_tags;
	return e->tls ? (int)NTAGS_MAX : 1;
}

struct scorer {
	struct score_config cfg;
	struct payload_config pcfg;
	struct store_txn *txn;
	struct profile_table *prof;
	struct clients_table *clients;
	struct score_stats st;
	/* unknown transfers (model.h), learned apart for servers the
	 * address index lists ([1]: a vendor's own server, whose big
	 * transfers are stored files more often) and the others ([0]) */
	struct model_base_rate base[2];
	int novote;                 /* scoring again: the votes are in */
	struct cand *buf;           /* candidates, reused between lookups */
	uint32_t bufcap;
	struct cand *wbuf;          /* a wide fit's (wide_fit()) */
	uint64_t *wvotes;
};

struct cand {
	uint64_t id, size;
	double like;                /* size fit, then x the record's evidence */
	int64_t overhead;
	int32_t segments;
	int32_t residue;            /* r at the best k */
	uint8_t fit;                /* enum match_fit at the best k */
	uint8_t tag;
	int8_t server_match;
	uint8_t noaddr;             /* lists no address at all (the index) */
	uint8_t inside;             /* overhead in [min, max] at k = 0 */
	uint8_t observed;           /* an observed reference, its like set
	                               by observed_candidates() */
};

struct scan {
	struct cand *c;
	uint32_t n, cap;
	uint32_t room;              /* beyond cap: the server's own files
	                               outside a narrowed window */
	int truncated;
};

/* The server's own files (the address index) a lookup adds beyond the
 * candidates of a narrowed window (server_candidates()). */
#define LISTED_MAX 64

void score_config_default(struct score_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->min_size = 100 * 1024;
	cfg->min_confidence = 0.5;
	cfg->null_weight = 1.0;
	cfg->max_scan = 256;
	cfg->profiles = 4096;
	cfg->learn = 1;
}

struct scorer *scorer_new(const struct score_config *cfg,
    const struct payload_config *pcfg)
{
	struct scorer *s = fg_calloc(1, sizeof(*s));

	s->cfg = *cfg;
	s->pcfg = *pcfg;
	s->prof = profile_new(cfg->profiles);
	s->clients = clients_new(cfg->profiles);
	model_base_rate_init(&s->base[0], cfg->null_weight, BASE_RATE_WEIGHT);
	model_base_rate_init(&s->base[1], cfg->null_weight, BASE_RATE_WEIGHT);
	return s;
}

void scorer_free(struct scorer *s)
{
	if (!s)
		return;
	profile_free(s->prof);
	clients_free(s->clients);
	free(s->buf);
	free(s->wbuf);
	free(s->wvotes);
	free(s);
}

void scorer_set_txn(struct scorer *s, struct store_txn *txn)
{
	s->txn = txn;
}

void score_get_stats(const struct scorer *s, struct score_stats *st)
{
	*st = s->st;
}

static void cand_clear(struct match_candidate *m)
{
	free(m->url);
	free(m->file);
	free(m->vendor);
	free(m->label);
	memset(m, 0, sizeof(*m));
}

void match_result_clear(struct match_result *res)
{
	int i;

	if (!res->best.url && !res->nrivals)
		return;     /* nothing was copied out (most connections) */
	cand_clear(&res->best);
	for (i = 0; i < MATCH_MAX_RIVALS; i++)
		cand_clear(&res->rivals[i]);
	res->nrivals = 0;
}

static int ids_cb(uint64_t size, uint64_t id, void *arg)
{
	struct scan *sc = arg;
	struct cand *c;

	if (sc->n >= sc->cap) {
		sc->truncated = 1;
		return 1;
	}
	c = &sc->c[sc->n++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->size = size;
	return 0;
}

/*
 * The chance that the true file's record lists the flow's server beyond
 * chance (model_server_like()): the crawler records the addresses it was
 * served from, a CDN serves from many more.  0.5: a prior, not measured.
 * Where the store has no address index, the share of listed candidates is
 * not known and is taken as 0.2, which gives the factors 3 and 0.5 used
 * before the index.
 */
#define SERVER_H 0.5
#define SERVER_SHARE_UNKNOWN 0.2

/* Does @d list @conn's server?  1 yes, -1 it lists others, 0 none. */
static int8_t listed(const struct store_download *d,
    const struct connection *conn)
{
	int i;

	if (!d->naddrs)
		return 0;
	for (i = 0; i < d->naddrs && i < STORE_ADDRS_MAX; i++)
		if (d->addrs[i].family == conn->family &&
		    !memcmp(d->addrs[i].bytes, conn->server,
		    conn->family == 4 ? 4 : 16))
			return 1;
	return -1;
}

/*
 * What a candidate's record says beyond its size, as a factor on its
 * likelihood: time, the URL's scheme, and the server address where the
 * address index did not already weigh it (@cd->server_match set by
 * candidates()).
 */
static double evidence(const struct store_download *d,
    const struct connection *conn, const struct payload_estimate *e,
    int have_index, struct cand *cd)
{
	double f = 1.0;

	/* an observed reference is weighed by its counters alone
	 * (observed_candidates()); its size is a payload, not a file's */
	if (d->has_obs && !cd->observed)
		return 0;
	if (cd->server_match <= 0) {
		cd->server_match = listed(d, conn);
		/* listed but not in the index: an older store read-only */
		if (cd->server_match > 0 && !have_index)
			f *= model_server_like(1, SERVER_SHARE_UNKNOWN, SERVER_H);
		else if (cd->server_match < 0)
			f *= model_server_like(-1, 0, SERVER_H);
	}
	/* A file last modified after the download began did not exist in
	 * that form yet; one the crawler first saw after it is only weakly
	 * suspicious (the crawler may simply have come later). */
	if (d->last_modified > 0 &&
	    d->last_modified * 1000 > conn->start_ms + 60000)
		f *= 0.02;
	else if (d->first_seen > 0 && d->first_seen * 1000 > conn->end_ms +
	    86400000LL)
		f *= 0.5;
	/* The scheme says whether the file is fetched over TLS; the same
	 * file offered over http:// and https:// has two entries of one
	 * size, and the port tells them apart.  (An observed reference's
	 * port was compared in observed_candidates().) */
	if (!d->has_obs && !strncmp(d->url, "https://", 8) != !!e->tls)
		f *= 0.02;
	return f;
}

/* The strongest factor evidence() can give: none above 1 once the index
 * has weighed the server, else a listed server's. */
#define EVIDENCE_MAX(have_index) ((have_index) ? 1.0 : \
	model_server_like(1, SERVER_SHARE_UNKNOWN, SERVER_H))


/*
 * With SACK evidence, the share of downloads that still carry no
 * retransmitted segment: a segment lost before the meter is counted once,
 * in its second copy.  On the testbed 515 of 798 HTTP downloads of stored
 * files with SACK evidence (21 recorded runs: 65%; 30% whole segments
 * more, 5% partial ones).  At 0.4, files not in the store whose size plus
 * some dozens of segments landed on a stored size were named at 0.5-0.85
 * (HTTP four at once through the bottleneck: precision 99.1%, 99.7% at
 * 0.65; recall unpaced 96.5%, 95.5% at 0.65).
 */
#define LOSS_P0 0.65

/*
 * That share differs by path, though: where the meter counts before the
 * queue that drops (a router's egress), losses are counted twice; where
 * they happen upstream of it, once.  On the testbed four at once through
 * the bottleneck (its queue before the meter) 789 of 792 such downloads
 * carried none; unpaced (drops after the meter) 230 of 633, with 337
 * whole segments more and 66 parts of one.  So each client's share is
 * learned (clients.h) from its last 8 lossy connections scored at a
 * learned overhead, each as soft odds (of a stored file, and of those with
 * segments counted twice, over all candidates), weighted against LOSS_P0
 * as LOSS_WEIGHT downloads.  A hard count of the fits named leaned
 * towards none counted twice (such fits are named more often) and fed on
 * itself.
 */
#define LOSS_WEIGHT 2.0


/* a before b: more likely, then smaller, then older */
static int better(const struct cand *a, const struct cand *b)
{
	if (a->like != b->like)
		return a->like > b->like;
	if (a->size != b->size)
		return a->size < b->size;
	return a->id < b->id;
}

/*
 * The indices of the (at most) @m best candidates with a likelihood of at
 * least @min_like (a negative one takes those without any too), and, if
 * @inside is 0 or 1, whose implied overhead lies
 * inside the plausible range (or not), best first.  A min-heap of @m:
 * O(n log m), where sorting every candidate of a dense window would cost
 * more than the rest of the lookup.
 */
static uint32_t top_m(const struct cand *c, uint32_t n, double min_like,
    int inside, uint32_t *out, uint32_t m)
{
	uint32_t h = 0, i, j, k, t;

	for (i = 0; i < n; i++) {
		if (c[i].like < min_like || (min_like >= 0 && c[i].like <= 0))
			continue;
		if (inside >= 0 && c[i].inside != inside)
			continue;
		if (h < m) {
			/* sift up: the worst stays at the root */
			for (j = h++; j > 0; j = k) {
				k = (j - 1) / 2;
				if (!better(&c[out[k]], &c[i]))
					break;
				out[j] = out[k];
			}
			out[j] = i;
		} else if (better(&c[i], &c[out[0]])) {
			for (j = 0;; j = k) {
				k = 2 * j + 1;
				if (k >= h)
					break;
				if (k + 1 < h && better(&c[out[k]], &c[out[k + 1]]))
					k++;
				if (!better(&c[i], &c[out[k]]))
					break;
				out[j] = out[k];
			}
			out[j] = i;
		}
	}
	/* insertion sort, best first: m is small */
	for (i = 1; i < h; i++) {
		t = out[i];
		for (j = i; j > 0 && better(&c[t], &c[out[j - 1]]); j--)
			out[j] = out[j - 1];
		out[j] = t;
	}
	return h;
}

/* Overhead of candidate @c at record variant @tag (0 = no TLS). */
static int64_t overhead_of(const struct scorer *s,
    const struct payload_estimate *e, uint64_t size, uint8_t tag, int nparts)
{
	int64_t o = payload_overhead(&s->pcfg, e, size, tag);

	/* each part of a range download is its own TLS stream */
	if (e->tls && nparts > 1)
		o -= (int64_t)(nparts - 1) * payload_tag_ovh(tag);
	return o;
}

/* The overheads a file of @size implies for @e, without retransmits,
 * under each record overhead tried (a candidate's votes, profile.h), into
 * @o and @tag (room for NTAGS_MAX); returns how many fit 32 bits. */
static int implied(const struct scorer *s, const struct payload_estimate *e,
    uint64_t size, int32_t *o, uint8_t *tag)
{
	const uint8_t *tags;
	int nt = record_tags(e, &tags), t, n = 0;

	for (t = 0; t < nt; t++) {
		int64_t v = payload_overhead(&s->pcfg, e, size, tags[t]);

		if (v < INT32_MIN || v > INT32_MAX)
			continue;
		o[n] = (int32_t)v;
		tag[n++] = tags[t];
	}
	return n;
}

/*
 * Bytes beyond whole segments, never fewer, that the "extra bytes" share
 * spreads over: under load nginx writes shorter TLS records (up to half a
 * record overhead more per record), and a window-limited sender
 * retransmits partial segments (up to two).
 */
static double extra_width(const struct scorer *s,
    const struct payload_estimate *e)
{
	if (e->tls)
		return (double)e->payload / s->pcfg.tls_record *
		    s->pcfg.tls_rec_max / 2 + e->mss;
	return 2.0 * e->mss;
}

/* The file size in @bytes of TLS application data in the framing @tag
 * (HTTP: @bytes itself). */
static double without_records(const struct scorer *s,
    const struct payload_estimate *e, double bytes, uint8_t tag)
{
	double rec = payload_tag_record(&s->pcfg, tag);

	if (!e->tls)
		return bytes;
	return bytes * rec / (rec + payload_tag_ovh(tag));
}

/* Whether a file of @size in the framing @tag ends within a header's
 * length of a record boundary: the header sent in front of it may push
 * its tail into one more record. */
static int record_edge(const struct scorer *s, uint64_t size, uint8_t tag)
{
	uint64_t rec = payload_tag_record(&s->pcfg, tag);

	return size % rec == 0 || size % rec > rec - s->pcfg.http_hdr_max;
}

/* Candidates whose records are read: at least FETCH_MIN, then on while
 * one not read yet could still win with the strongest evidence. */
#define FETCH_MIN 4
#define FETCH_MAX 16
/* Times max_scan a connection with evidence of loss scans (lookup()) */
#define LOSS_SCAN 16
/* A client's requests differ by their URLs' lengths: bytes above its
 * smallest that are not taken for SACK blocks (24 and 48 measured the
 * same on the testbed) */
#define REQUEST_SLACK 24

static int scan_window(struct scorer *s, uint64_t lo, uint64_t hi,
    struct scan *sc)
{
	int rc;

	sc->n = 0;
	sc->truncated = 0;
	rc = store_range_ids(s->txn, lo, hi, ids_cb, sc);
	if (rc == 1 && sc->truncated)
		rc = 0;
	return rc;
}

/* The stored sizes scanned: the window and how many it holds. */
struct window {
	uint64_t lo, hi;
	uint64_t full_lo, full_hi;  /* before narrow() */
	uint64_t count;             /* downloads in [lo, hi] */
	double width;               /* bytes the count was taken over */
	int have_index;             /* the store has its address index */
	int server_known;           /* ... and lists this server somewhere */
	/* of the scanned part ([lo, hi], before server_candidates() adds the
	 * server's files beyond it): its candidates, and those that list
	 * the server */
	uint32_t scanned, scanned_listed;
};

/* Candidates served from the flow's server: marked in the scan (sorted by
 * size, then id) as the address index gives them. */
struct listing {
	struct scan *sc;
	uint32_t n;
	uint32_t in_scan;           /* of n, found in the scan */
	uint32_t added;             /* appended after sc->n, unsorted */
};

/* The candidate of @size and @id in the scan (sorted by size, then id),
 * or NULL. */
static struct cand *find_cand(struct scan *sc, uint64_t size, uint64_t id)
{
	uint32_t a = 0, b = sc->n;

	while (a < b) {
		uint32_t m = a + (b - a) / 2;
		const struct cand *c = &sc->c[m];

		if (c->size < size || (c->size == size && c->id < id))
			a = m + 1;
		else
			b = m;
	}
	return a < sc->n && sc->c[a].size == size && sc->c[a].id == id ?
	    &sc->c[a] : NULL;
}

static int noaddr_cb(uint64_t size, uint64_t id, void *arg)
{
	struct cand *c = find_cand(arg, size, id);

	if (c)
		c->noaddr = 1;
	return 0;
}

static int listed_cb(uint64_t size, uint64_t id, void *arg)
{
	struct listing *l = arg;
	struct scan *sc = l->sc;
	struct cand *c = find_cand(sc, size, id);

	if (!c && l->added < sc->room) {
		/* outside the scanned part of a narrowed window */
		c = &sc->c[sc->n + l->added++];
		memset(c, 0, sizeof(*c));
		c->id = id;
		c->size = size;
	}
	if (c && c->server_match != 1) {
		c->server_match = 1;
		l->n++;
		if (c < sc->c + sc->n)
			l->in_scan++;
	}
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int first_cb(uint64_t size, uint64_t id, void *arg)
{
	(void)size;
	(void)id;
	(void)arg;
	return 1;
}

/* The address index's key for the server of @c. */
static void server_addr(const struct connection *c, struct store_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = c->family;
	memcpy(a->bytes, c->server, c->family == 4 ? 4 : 16);
}

/* Does the address index list the server of @c for some download?  1 or
 * 0, or a store error. */
static int server_indexed(struct scorer *s, const struct connection *c)
{
	struct store_addr a;
	int rc;

	server_addr(c, &a);
	rc = store_range_addr(s->txn, &a, 0, UINT64_MAX, first_cb, NULL);
	return rc == STORE_ENOTFOUND ? 0 : rc;
}

/*
 * The candidates of the window that the flow's server served, from the
 * address index in one walk (store_range_addr()); 0, or a store error.
 * Where the window was narrowed to the part around the expected size
 * (the store too dense there, narrow()), the server's own files in the
 * whole window are candidates still, added to the scan (at most
 * @sc's room): a server's files are few, and its header or handshake far
 * from the typical one puts its file outside the narrowed part (Apache's
 * short TLS records: 15 KB below it at 34 MB).  A store without the index
 * (an older one opened read-only) leaves the server to each record read
 * (evidence()).
 */
static int server_candidates(struct scorer *s, const struct connection *c,
    struct scan *sc, struct window *w)
{
	struct store_addr a;
	struct listing l = { sc, 0, 0, 0 };
	int rc;

	server_addr(c, &a);
	w->scanned = sc->n;
	rc = store_range_addr(s->txn, &a, w->full_lo, w->full_hi, listed_cb,
	    &l);
	w->scanned_listed = l.in_scan;
	if (l.added) {
		sc->n += l.added;
		qsort(sc->c, sc->n, sizeof(*sc->c), cmp_cand);
	}
	if (rc == STORE_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	w->have_index = 1;
	w->server_known = l.n > 0;
	if (!l.n) {
		if ((rc = server_indexed(s, c)) < 0)
			return rc;
		w->server_known = rc == 1;
	}
	/* where the server is known, the candidates with no address at all
	 * may be its files too (manifests list no address) */
	if (w->server_known) {
		memset(&a, 0, sizeof(a));
		rc = store_range_addr(s->txn, &a, w->lo, w->hi, noaddr_cb, sc);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * A wide fit (profile.h) of the server of @c, once WIDE_MIN connections
 * are remembered and every WIDE_MIN new ones (WIDE_MIN_KNOWN for a server
 * the address index knows, whose own candidates alone vote, so that
 * chance agreement is rare and a server with few downloads among many
 * other transfers is learned too: Apache's 8 of 89 in the matrix's TLS
 * runs, which the votes' mode, at most 5 candidates a connection among
 * 20 locale siblings, never learned): every candidate of each
 * remembered payload votes (of a server the address index knows, those
 * it may have served: listed for it or for no address, own_candidates()),
 * in every TLS framing for TLS.  For a server the index does not know, a
 * window with more than WIDE_SCAN candidates is left out (so dense that
 * chance agreement would be common).  Into @f; returns 1 if the fit is
 * clear: four connections agree exactly, two more than on any other value
 * (on the testbed, seed 15: 5-14 against at most 3, with 8 and 16
 * remembered), and with a second overhead (profile.h) the two hold a
 * third of those remembered.  A known server's own candidates need
 * WIDE_SUPPORT_KNOWN connections, two more than any other value, and no
 * share of those remembered: most of a server's transfers may be files
 * the store does not have (the matrix's lighttpd run, seed 2, 16 at once
 * behind a router: 3 agreeing, the runner-up 1, of 16 remembered, and its
 * eight stored downloads named at 0.02-0.87 unlearned), and its own files
 * vote too seldom to agree by chance (in bench/matcher/dense.sh's store,
 * 25,000 files a vendor, about 60 a window: a value two votes hold is
 * common there, so the runner-up rule holds a false fit back).  A server
 * the index does not know, whose every candidate votes, only where fewer
 * than WIDE_CHANCE values would reach the fit's support by chance, given
 * each connection's votes over the overheads its window allows
 * (model_chance_agreement(); docs/matching.md section 4: an unknown HTTPS
 * server of the matrix's seed 5, 33,000 votes from 16 connections, six
 * agreeing by chance, was learned and named 16 files not in the store).
 * Not a known server's: there the test refused true fits (dense.sh seed
 * 6: 52 fewer loss-free TLS downloads named) and no false one.
 */
#define WIDE_MIN 8
#define WIDE_MIN_KNOWN 4
#define WIDE_SUPPORT_KNOWN 3
#define WIDE_SCAN 1024
/* Values expected to reach a fit's support by chance
 * (model_chance_agreement()) above which it is not taken */
#define WIDE_CHANCE 0.01

/* Append the downloads listed for no address to @arg's scan while it has
 * room; stop (1) when it is full. */
static int noaddr_add_cb(uint64_t size, uint64_t id, void *arg)
{
	struct scan *sc = arg;
	int rc = ids_cb(size, id, sc);

	if (rc == 0)
		sc->c[sc->n - 1].noaddr = 1;
	return rc;
}

/*
 * The candidates of a known server's remembered payload in [@lo, @hi]
 * that may vote: those the address index lists for it and those it lists
 * for no address, from the index alone, however dense the store is with
 * other servers' files there (in the matrix's million-size store a
 * window holds 1,000-3,000 sizes, and a scan of the size index cut at
 * WIDE_SCAN left every payload out: a lighttpd server with 16 stored
 * downloads among 80 other transfers was never learned).  Where the
 * unaddressed files alone fill the scan, they are left out (they would
 * vote at random).  0, or a store error.
 */
static int own_candidates(struct scorer *s, const struct connection *c,
    uint64_t lo, uint64_t hi, struct scan *sc)
{
	struct store_addr a;
	struct listing l = { sc, 0, 0, 0 };
	uint32_t own;
	int rc;

	sc->n = 0;
	sc->truncated = 0;
	sc->room = sc->cap;
	server_addr(c, &a);
	rc = store_range_addr(s->txn, &a, lo, hi, listed_cb, &l);
	if (rc != 0)
		return rc == STORE_ENOTFOUND ? 0 : rc;
	own = sc->n = l.added;
	memset(&a, 0, sizeof(a));
	rc = store_range_addr(s->txn, &a, lo, hi, noaddr_add_cb, sc);
	if (rc < 0)
		return rc;
	if (sc->truncated)
		sc->n = own;
	sc->truncated = 0;
	return 0;
}

static int wide_fit(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, struct profile_fit *f)
{
	int64_t pay[PROFILE_RING];
	int age, n, i, k, nk, nv = 0, known;
	int32_t o[NTAGS_MAX], omin[NTAGS_MAX], omax[NTAGS_MAX];
	int32_t olo[NTAGS_MAX], ohi[NTAGS_MAX];
	uint8_t tg[NTAGS_MAX];
	struct scan sc;
	uint32_t j;
	double cells = 0, chance, pv[PROFILE_RING];

	n = profile_recent(s->prof, c->family, c->server, c->server_port,
	    pay, &age);
	if (n < WIDE_MIN_KNOWN || age < WIDE_MIN_KNOWN)
		return 0;
	if ((known = server_indexed(s, c)) < 0)
		return 0;
	if (!known && (n < WIDE_MIN || age < WIDE_MIN))
		return 0;
	if (!s->wbuf) {
		s->wbuf = fg_calloc(WIDE_SCAN, sizeof(*s->wbuf));
		s->wvotes = fg_calloc((size_t)PROFILE_RING * WIDE_SCAN *
		    NTAGS_MAX, sizeof(*s->wvotes));
	}
	memset(&sc, 0, sizeof(sc));
	sc.c = s->wbuf;
	sc.cap = WIDE_SCAN;
	for (k = 0; k < (int)NTAGS_MAX; k++) {
		omin[k] = INT32_MAX;
		omax[k] = INT32_MIN;
	}
	for (i = 0; i < n; i++) {
		struct payload_estimate w;
		int v0 = nv;
		double span = 0;

		pv[i] = 0;
		memset(&w, 0, sizeof(w));
		w.payload = pay[i];
		w.tls = e->tls;
		if (payload_window(&s->pcfg, &w) != 0)
			continue;
		/* a server the address index knows: its own candidates only,
		 * as its connections vote (vote()) */
		if (known ? own_candidates(s, c, w.lo, w.hi, &sc) != 0 :
		    scan_window(s, w.lo, w.hi, &sc) != 0 || sc.truncated)
			continue;
		for (j = 0; j < sc.n; j++) {
			nk = implied(s, &w, sc.c[j].size, o, tg);
			for (k = 0; k < nk; k++) {
				s->wvotes[nv++] = profile_vote(tg[k], o[k],
				    (uint32_t)i, (uint8_t)payload_hexdigits(
				    sc.c[j].size));
			}
		}
		/* this connection's chance of voting for a value: its votes
		 * over the overheads its window allows, framing by framing
		 * (implied() gives the framings in one order) */
		nk = implied(s, &w, w.lo, olo, tg);
		if (implied(s, &w, w.hi, ohi, tg) != nk)
			continue;
		for (k = 0; k < nk; k++) {
			int32_t a = olo[k] < ohi[k] ? olo[k] : ohi[k];
			int32_t b = olo[k] < ohi[k] ? ohi[k] : olo[k];

			span += (double)b - a + 1;
			if (a < omin[k])
				omin[k] = a;
			if (b > omax[k])
				omax[k] = b;
		}
		if (span > 0)
			pv[i] = (double)(nv - v0) / span;
	}
	/* the values any vote could fall on: each framing's overheads over
	 * all the windows */
	for (k = 0; k < (int)NTAGS_MAX; k++)
		if (omax[k] >= omin[k])
			cells += (double)omax[k] - omin[k] + 1;
	if (profile_wide_fit(s->prof, c->family, c->server, c->server_port,
	    s->wvotes, nv, f) != 0)
		return 0;
	chance = model_chance_agreement(n, pv, cells, f->support);
	fg_debug("profile: wide fit of %d votes over %.0f values: mode %.0f "
	    "tag %u support %d runner-up %d of %d (by chance %.3g); second "
	    "%.0f support %d", nv, cells, f->mode, f->tag, f->support,
	    f->runner_up, f->count, chance, f->mode2, f->support2);
	if (!known && chance > WIDE_CHANCE)
		return 0;
	if (known)
		return f->support >= WIDE_SUPPORT_KNOWN &&
		    f->support >= f->runner_up + 2;
	return f->support >= 4 && 3 * (f->support + f->support2) >= f->count &&
	    f->support >= f->runner_up + 2;
}

/* Do the votes' fit @f and a kept overhead @mode (of fit @k) agree? */
static int agrees(const struct profile_fit *f, const struct profile_fit *k,
    double mode, int64_t tol)
{
	return f->tag == k->tag && fabs(f->mode - mode) <= (double)tol;
}

/*
 * A lookup goes forward in five steps (docs/matching.md section 5):
 *
 *   1. what is known: the server's overhead (server_view(), from the
 *      profile of the connections before this one) and where the client's
 *      losses fall (model_setup());
 *   2. the candidates: one scan of the size index over the window the
 *      model gives weight to (candidates());
 *   3. the hypotheses scored: each candidate's likelihood under the model
 *      (cand_like()), then the evidence its record carries (weigh());
 *   4. the posterior against "not in the store", and the result;
 *   5. what this connection teaches (learn()): the server's overhead,
 *      the client's loss share and request size, the base rate of unknown
 *      transfers.
 *
 * Nothing learned in step 5 changes this connection's own score.
 */

/* What the model expects of the server: its overhead, learned or not. */
struct server_view {
	int learned;
	double center, sd_o;        /* expected overhead, its spread */
	double size_var;            /* the size's own error, squared */
	int64_t omin, omax;         /* overheads a server can add (x parts) */
	int64_t vmin, vmax;         /* ... one part: candidates inside vote
	                               first */
	const uint8_t *tags;        /* TLS record overheads tried */
	int ntags;
	uint8_t ltag;               /* the learned one */
	uint8_t hexmode, hextyp;    /* PROFILE_HEX_*, profile.h */
	double d2, w2, dlo, dhi;    /* a second learned overhead */
	int keep;                   /* step 5 keeps @fit */
	struct profile_fit fit;
};

/*
 * Step 1: the server of @c as the profile knows it (profile.h), refitted
 * first from the connections remembered before this one where a wide fit
 * is due (wide_fit(); this connection's own votes come in step 5).  Its mode
 * is taken when backed by three connections for different payloads and
 * by a third of those remembered (aborted transfers and files not in the
 * store vote at random), and beating the best other value by two (in a
 * dense store a few connections agree on a wrong value by chance); else
 * a kept fit (a burst of lossy connections scatters the votes), and a
 * wide fit overrules the votes only when they agree with it.
 */
static void server_view(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, int nparts, struct server_view *v)
{
	int64_t tol = e->tls ? 3 * (int64_t)TLS_SD_LEARNED :
	    3 * (int64_t)HTTP_SD_LEARNED;
	struct profile_fit f, kf, w;
	int narrow, haskept, agree, agree2, settled;

	memset(v, 0, sizeof(*v));
	v->hexmode = PROFILE_HEX_YES;
	v->ntags = record_tags(e, &v->tags);
	if (e->tls) {
		v->center = s->pcfg.tls_hs_typ + s->pcfg.http_hdr_typ;
		v->sd_o = TLS_SD_UNLEARNED;
		v->omin = s->pcfg.tls_hs_min + s->pcfg.http_hdr_min;
		v->omax = s->pcfg.tls_hs_max + s->pcfg.http_hdr_max;
	} else {
		v->center = s->pcfg.http_hdr_typ;
		v->sd_o = HTTP_SD_UNLEARNED;
		v->omin = s->pcfg.http_hdr_min;
		v->omax = s->pcfg.http_hdr_max;
	}
	v->vmin = v->omin;
	v->vmax = v->omax;
	v->center *= nparts;
	v->sd_o *= sqrt((double)nparts);
	v->omin *= nparts;
	v->omax *= nparts;
	v->size_var = e->sigma * e->sigma;
	if (!s->cfg.learn)
		return;

	if (profile_mode(s->prof, c->family, c->server, c->server_port, tol,
	    &f) == 0)
		fg_debug("profile: mode %.0f spread %.1f tag %u support %d "
		    "runner-up %d of %d", f.mode, f.spread, f.tag, f.support,
		    f.runner_up, f.count);
	else
		memset(&f, 0, sizeof(f));
	narrow = f.support >= 3 && 3 * f.support >= f.count &&
	    f.support >= f.runner_up + 2;
	haskept = profile_kept(s->prof, c->family, c->server, c->server_port,
	    &kf) == 0;
	agree = narrow && haskept && agrees(&f, &kf, kf.mode, tol);
	/* votes that agree with a kept second overhead confirm it */
	agree2 = narrow && haskept && kf.support2 &&
	    agrees(&f, &kf, kf.mode2, tol);
	/* no new wide fit while a kept one agrees with the votes and
	 * explained three quarters of its connections (else a second
	 * overhead may show among the rest) */
	settled = haskept && kf.wide && (agree || agree2) &&
	    (kf.support2 > 0 || 4 * kf.support >= 3 * kf.count);
	if (nparts == 1 && !s->novote && !settled && wide_fit(s, c, e, &w)) {
		profile_keep(s->prof, c->family, c->server, c->server_port, &w);
		kf = w;
		haskept = 1;
		agree = narrow && agrees(&f, &kf, kf.mode, tol);
		agree2 = 0;
	}
	if (narrow && !agree2 && (!haskept || !kf.wide || agree)) {
		f.wide = haskept && kf.wide;
		if (f.wide) {
			f.mode2 = kf.mode2;
			f.support2 = kf.support2;
		}
		v->keep = 1;
		v->fit = f;
	} else if (haskept) {
		f = kf;
	} else {
		return;
	}
	v->learned = 1;
	v->ltag = f.tag;
	v->hexmode = f.hex;
	v->hextyp = f.hex_typ;
	v->center = f.mode;
	/* the votes' spread already holds every error of the size that is
	 * not whole segments: the size's own sigma is left out, except the
	 * padding's */
	v->sd_o = (f.spread > LEARNED_SD_MIN ? f.spread : LEARNED_SD_MIN) *
	    s->pcfg.tol_scale;
	v->size_var = e->sigma_pad * e->sigma_pad;
	v->tags = &v->ltag;
	v->ntags = 1;
	if (f.support2 > 0 && nparts == 1) {
		v->d2 = f.mode2 - f.mode;
		v->w2 = (double)f.support2 / (double)(f.support + f.support2);
		v->dlo = v->d2 < 0 ? v->d2 : 0;
		v->dhi = v->d2 > 0 ? v->d2 : 0;
	}
	/* each part: the learned header plus Content-Range and the longer
	 * status line of a 206 */
	if (nparts > 1) {
		v->center = nparts * (f.mode + RANGE_EXTRA);
		v->sd_o = sqrt((double)nparts) * RANGE_SD * s->pcfg.tol_scale;
	}
}

/*
 * Short segments sent again (model_resend_like()): a learned server's
 * overhead is known to the byte, so a residue equal to the file's last
 * segment or to the header-only segment (HTTP), or to one to three
 * record tails (TLS, resend_lens()), points at the candidates whose size
 * and framing give it.  The share, for both: on the testbed 84 of the
 * 6,360 HTTP downloads four at once unpaced carried a resent part of a
 * segment, about one in ten of those with SACK evidence; without such
 * evidence only tail-loss probes resend, rarely.
 */
#define RESEND_LOSSY 0.05
#define RESEND_CLEAN 0.002
/* the lengths resend_lens() gives: three for HTTP, RESEND_TAILS for TLS */
#define RESEND_TAILS 3
#define RESEND_LENS 3

/* Step 1, continued: the model's terms for this connection. */
static void model_setup(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, const struct server_view *v,
    int nparts, int cut, struct model *m)
{
	double var = v->size_var + v->sd_o * v->sd_o, p0 = LOSS_P0;

	memset(m, 0, sizeof(*m));
	m->mss = e->mss;
	m->ovh.center = v->center;
	m->hdr_bytes = v->center > 0 ? (uint64_t)llround(v->center) : 0;
	m->ovh.var = var;
	m->ovh.sd = sqrt(var);
	m->ovh.norm = 1.0 / sqrt(2 * M_PI * var);
	m->ovh.d2 = v->d2;
	m->ovh.w2 = v->w2;
	m->ovh.omin = (double)v->omin;
	m->ovh.omax = (double)v->omax;
	m->ovh.tls = e->tls;
	/* no flat share for range groups: many subsets are tried, and a
	 * flat share would let some sum fit by chance */
	if (!v->learned && nparts == 1 && !cut) {
		m->ovh.floor = FLOOR_UNLEARNED;
		m->ovh.flat = FLOOR_UNLEARNED / (double)(v->omax - v->omin + 1);
	}
	m->extra.share = cut ? 0 : e->tls ? TLS_EXTRA_SHARE : HTTP_EXTRA_SHARE;
	m->extra.width = extra_width(s, e);
	m->extra.density = m->extra.share / (m->extra.width + 2 * m->ovh.sd);
	if (v->learned && nparts == 1 && !cut)
		m->extra.resend = e->loss_hint ? RESEND_LOSSY : RESEND_CLEAN;
	/* the client's learned share matters only with evidence of loss:
	 * no table lookup for the rest */
	if (e->loss_hint && s->cfg.learn && nparts == 1)
		p0 = clients_loss_p0(s->clients, c->family, c->client, LOSS_P0,
		    LOSS_WEIGHT);
	model_segments_init(&m->seg, e->loss_hint, p0, e->mean_retx,
	    e->mean_lost);
	model_segments_table(&m->seg, -(int)e->max_lost, (int)e->max_retx);
}

/*
 * The sizes the file of @e is expected at, into @mid: the learned
 * overhead's; unlearned, the typical one's, and for TLS also in short
 * records (payload.h), since which framing the server writes is not
 * known yet.  Returns how many (1 or 2), ascending.
 */
static int expected_sizes(const struct scorer *s,
    const struct payload_estimate *e, const struct server_view *v,
    double mid[2])
{
	if (v->learned) {
		mid[0] = without_records(s, e, (double)e->payload - v->center,
		    v->ltag);
		return 1;
	}
	mid[0] = (double)e->est_size;
	if (!e->tls)
		return 1;
	mid[1] = mid[0];
	mid[0] = without_records(s, e, (double)e->payload - s->pcfg.tls_hs_typ,
	    SHORT_REC((s->pcfg.tls_rec_min + s->pcfg.tls_rec_max) / 2)) -
	    s->pcfg.http_hdr_typ;
	return 2;
}

/*
 * A window [*@lo, *@hi] that held more than @sc's capacity, narrowed to
 * about 0.75 x capacity candidates around the expected sizes @mid (one
 * or two, ascending; two share the capacity, and are scanned as one
 * window where theirs overlap).  The density of the part scanned sets the
 * width; where the store is denser around the expected size than that
 * part (its lower end reached into a gap), the narrower scan runs out
 * before the expected size and is narrowed again, at most three times.
 * Sets *@lo and *@hi to what was scanned; 0 or a store error.
 */
static int narrow(struct scorer *s, struct scan *sc, const double *mid,
    int nmid, uint64_t *lo, uint64_t *hi)
{
	uint64_t lo0 = *lo, hi0 = *hi, wlo[2], whi[2];
	double c[2], wd, covered;
	int pass, i, nw, rc = 0;

	for (i = 0; i < nmid; i++)
		c[i] = mid[i] < (double)lo0 ? (double)lo0 :
		    mid[i] > (double)hi0 ? (double)hi0 : mid[i];
	covered = (double)(sc->c[sc->n - 1].size - lo0 + 1);
	for (pass = 0; pass < 3 && rc == 0 && sc->truncated && sc->n > 1;
	    pass++) {
		wd = 0.75 * sc->cap * covered / (double)sc->n / nmid;
		for (i = 0; i < nmid; i++) {
			wlo[i] = c[i] - wd / 2 > (double)lo0 ?
			    (uint64_t)(c[i] - wd / 2) : lo0;
			whi[i] = c[i] + wd / 2 < (double)hi0 ?
			    (uint64_t)(c[i] + wd / 2) : hi0;
		}
		nw = nmid;
		if (nw == 2 && wlo[1] <= whi[0] + 1) {
			whi[0] = whi[1];
			nw = 1;
		}
		sc->n = 0;
		sc->truncated = 0;
		covered = 0;
		for (i = 0; i < nw && !sc->truncated; i++) {
			rc = store_range_ids(s->txn, wlo[i], whi[i], ids_cb, sc);
			if (rc == 1 && sc->truncated)
				rc = 0;
			if (rc != 0)
				return rc;
			covered += (double)((sc->truncated && sc->n ?
			    sc->c[sc->n - 1].size : whi[i]) - wlo[i] + 1);
		}
		*lo = wlo[0];
		*hi = sc->truncated && sc->n ? sc->c[sc->n - 1].size :
		    whi[nw - 1];
	}
	return rc;
}

/*
 * Observed references (observe.h) near this connection's payload: those
 * whose payload differs by at most 6 sd (and, with evidence of loss, up
 * to OBSERVED_SEGMENTS whole segments) are read (at most OBSERVED_READ records: the window is a few
 * dozen bytes wide where no segment may be extra), and compared counter
 * for counter (model_observed_like()).  A reference the crawled scan
 * holds too is marked there; one it does not (its payload lies above
 * every file size the connection can carry) is added after the others.
 */
#define OBSERVED_SEGMENTS 4
#define OBSERVED_READ 32

struct obs_scan {
	uint64_t id[OBSERVED_READ];
	uint32_t n;
};

static int obs_ids_cb(uint64_t size, uint64_t id, void *arg)
{
	struct obs_scan *o = arg;

	(void)size;
	if (o->n == OBSERVED_READ)
		return 1;
	o->id[o->n++] = id;
	return 0;
}

/* Weigh one observed reference @d against @e into @cd; 0 if it cannot
 * be the same transfer (other protocol, nothing to compare). */
static double observed_like(const struct scorer *s, const struct model *m,
    const struct payload_estimate *e, const struct store_download *d,
    struct cand *cd)
{
	struct connection rc;
	struct payload_estimate re;
	double dpay, sd, share, rl;
	int kmin, kmax, k = 0;
	double l;

	if (observe_ref_connection(d, &rc) < 0 ||
	    payload_estimate(&s->pcfg, &rc, &re) < 0 || re.tls != e->tls)
		return 0;
	dpay = (double)(e->payload - re.payload);
	sd = model_observed_sd(observe_same_path(e, &re), re.sigma, e->sigma,
	    s->pcfg.tol_scale);
	/* this connection's extra segments, and the reference's (as missed
	 * ones here) */
	kmin = -(int)(e->max_lost + re.max_retx);
	kmax = (int)(e->max_retx + re.max_lost);
	l = model_observed_like(&m->seg, dpay, sd, e->mss, kmin, kmax, &k);
	/* the final, short segment resent by either side (section 5, O') */
	share = e->loss_hint || re.loss_hint ? RESEND_LOSSY : RESEND_CLEAN;
	rl = e->mss ? model_observed_resend_like(&m->seg, dpay, sd, e->mss,
	    kmin, kmax, (double)(re.payload % e->mss), share) : 0;
	l = (1 - share) * l + rl;
	cd->observed = 1;
	cd->fit = MATCH_FIT_OBSERVED;
	cd->segments = k;
	cd->overhead = (int64_t)dpay;
	cd->residue = (int32_t)llround(dpay - (double)k * e->mss);
	cd->inside = 0;
	return l;
}

static int observed_candidates(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, const struct model *m,
    struct scan *sc)
{
	struct obs_scan os;
	struct store_download d;
	double w = 6 * model_observed_sd(0, e->sigma, e->sigma,
	    s->pcfg.tol_scale);
	uint32_t k = e->max_retx > e->max_lost ? e->max_retx : e->max_lost, i;
	int rc;

	/* without evidence of loss only k = 0 is scanned for: every lookup
	 * pays this scan, and in a dense store each record in a window of
	 * segments would be read */
	if (!e->loss_hint)
		k = 0;
	if (k > OBSERVED_SEGMENTS)
		k = OBSERVED_SEGMENTS;
	w += (double)k * e->mss;
	os.n = 0;
	rc = store_range_ids(s->txn, (double)e->payload > w ?
	    (uint64_t)((double)e->payload - w) : 1,
	    (uint64_t)((double)e->payload + w), obs_ids_cb, &os);
	if (rc < 0)
		return rc;
	for (i = 0; i < os.n; i++) {
		struct cand tmp, *cd;
		double l;

		if ((rc = store_get_id(s->txn, os.id[i], &d)) != 0)
			return rc;
		if (!d.has_obs)
			continue;
		memset(&tmp, 0, sizeof(tmp));
		l = observed_like(s, m, e, &d, &tmp);
		if (!tmp.observed)
			continue;
		cd = find_cand(sc, d.size, d.id);
		if (!cd) {
			if (sc->n >= sc->cap)
				continue;
			cd = &sc->c[sc->n++];
			memset(cd, 0, sizeof(*cd));
			cd->id = d.id;
			cd->size = d.size;
			cd->server_match = listed(&d, c) > 0;
		}
		cd->observed = 1;
		cd->fit = tmp.fit;
		cd->segments = tmp.segments;
		cd->overhead = tmp.overhead;
		cd->residue = tmp.residue;
		cd->inside = 0;
		cd->like = l;
	}
	return 0;
}

/*
 * Step 2: the candidates.  A learned overhead narrows the window to the
 * sizes its model gives weight to: the Gaussian around it, the extra
 * bytes, and the whole segments that may be extra or missing.  One scan
 * of the size index (sizes and ids, no record read); its count over the
 * window gives the density of stored sizes for the "not in the store"
 * hypothesis.  Where the store is so dense that the window holds more
 * than the scan takes, the block read gives the density, and narrower
 * scans take the sizes around the expected one instead: the far ends are
 * whole segments away, where the prior is small, and in a store that
 * dense only a near-exact fit can stand out anyway.
 */
static int candidates(struct scorer *s, const struct payload_estimate *e,
    const struct server_view *v, const struct model *m, int nparts,
    struct scan *sc, struct window *w)
{
	uint64_t lo = e->lo, hi = e->hi;
	int rc;

	memset(w, 0, sizeof(*w));
	if (nparts > 1) {
		uint64_t wmin = (uint64_t)(nparts - 1) * s->pcfg.http_hdr_min;
		uint64_t wmax = (uint64_t)(nparts - 1) * (e->tls ?
		    s->pcfg.tls_hs_max + s->pcfg.http_hdr_max :
		    s->pcfg.http_hdr_max);

		lo = lo > wmax ? lo - wmax : 1;
		hi = hi > wmin ? hi - wmin : 1;
	}
	if (v->learned) {
		double sd = m->ovh.sd;
		double l = without_records(s, e, (double)e->payload - v->center -
		    v->dhi - 6 * sd - m->extra.width -
		    (double)e->max_retx * e->mss, v->ltag);
		double h = without_records(s, e, (double)e->payload - v->center -
		    v->dlo + 6 * sd + (double)e->max_lost * e->mss, v->ltag);

		if (l > (double)lo)
			lo = (uint64_t)l;
		if (h < (double)hi)
			hi = h < 1 ? 1 : (uint64_t)h;
		if (hi < lo)
			hi = lo;
	}
	w->width = (double)(hi - lo + 1);
	rc = scan_window(s, lo, hi, sc);
	w->count = sc->n;
	w->full_lo = lo;
	w->full_hi = hi;
	if (rc == 0 && sc->truncated && sc->n > 1) {
		double mid[2];
		int nmid = expected_sizes(s, e, v, mid);

		rc = narrow(s, sc, mid, nmid, &lo, &hi);
		w->count = sc->n;
		w->width = (double)(hi - lo + 1);
	}
	w->lo = lo;
	w->hi = hi;
	return rc;
}

/* Integer k in [@lo, @hi] for which r0 - k x mss lies in [@rlo, @rhi],
 * clipped to the segment counts the estimate allows. */
static inline void k_range(double r0, double rlo, double rhi, uint32_t mss,
    const struct payload_estimate *e, int *lo, int *hi)
{
	/* ceil() and floor() are library calls without SSE4.1, and this
	 * runs several times a candidate: clamp, then truncate */
	double inv = 1.0 / mss, x = (r0 - rhi) * inv, y = (r0 - rlo) * inv;
	double kmin = -(double)e->max_lost, kmax = (double)e->max_retx;
	int a, b;

	/* a multiple of the segment exactly at a bound stays in */
	x -= 1e-9;
	y += 1e-9;
	if (x < kmin)
		x = kmin;
	if (y > kmax)
		y = kmax;
	if (y < x) {
		*lo = 0;
		*hi = -1;
		return;
	}
	a = (int)x;
	if ((double)a < x)
		a++;            /* ceil */
	b = (int)y;
	if ((double)b > y)
		b--;            /* floor */
	*lo = a;
	*hi = b;
}

/* The k in [@lo, @hi] nearest to 0, where the segment prior peaks. */
static int k_nearest0(int lo, int hi)
{
	return lo > 0 ? lo : hi < 0 ? hi : 0;
}

/* What one TLS record overhead gives a candidate: the likelihood summed
 * over k, and the best k with the term that carried it. */
struct tag_fit {
	double like, best;
	int k, fit;
	double r;
};

/*
 * The terms at one k, into @term[MATCH_FIT_*] (before the segment prior),
 * the overhead term @header computed by the caller; returns their sum.
 */
static double terms_at(const struct model *m, double r, double ok,
    double header, double sigma, const double *lens, int nlens,
    double *term)
{
	term[MATCH_FIT_HEADER] = header;
	term[MATCH_FIT_RESEND] = model_resend_like(&m->extra, &m->ovh, r, lens,
	    nlens);
	term[MATCH_FIT_EXTRA] = model_extra_like(&m->extra, m->ovh.sd, r);
	term[MATCH_FIT_FLOOR] = model_floor_like(&m->ovh, ok, sigma);
	return term[0] + term[1] + term[2] + term[3];
}

/* Take k into @f as the best if it is: @l is its likelihood, the
 * segment prior in it. */
static void consider(struct tag_fit *f, int k, double r, double l,
    const double *term)
{
	int j, fj = 0;

	if (l <= f->best)
		return;
	for (j = 1; j < 4; j++)
		if (term[j] > term[fj])
			fj = j;
	f->best = l;
	f->k = k;
	f->fit = fj;
	f->r = r;
}

/*
 * The sum over k of P_seg(k) x the terms, for implied overhead @o: the
 * overhead and resend terms only at the few k where they have weight, the
 * even terms (extra bytes, floor) over their whole range of k in closed
 * form (model_segments_mass()): a TLS download of a gigabyte has extra
 * bytes over hundreds of segments.  The best k is among those evaluated
 * and the k nearest 0 of each even term's range, where the prior peaks.
 */
/* k of the overhead term computed in one run (model_overhead_run()) */
#define RUN_MAX 64

static void fit_tag(const struct model *m, const struct payload_estimate *e,
    const struct server_view *v, int64_t o, double wmix, int edge_tag,
    int hexalt, const double *lens, int nlens, struct tag_fit *f)
{
	const struct model_overhead *mo = &m->ovh;
	double sd = mo->sd, r0 = (double)o - mo->center, term[4];
	double smin = v->dlo + (hexalt > 0 ? -hexalt : 0) +
	    (mo->tls ? MODEL_SACKOPT_MIN * MODEL_SACKOPT_BYTES : 0);
	double smax = v->dhi + (hexalt < 0 ? -hexalt : 0) + edge_tag +
	    (mo->tls ? MODEL_SACKOPT_MAX * MODEL_SACKOPT_BYTES : 0);
	int lo, hi, k, i, elo, ehi, flo = 0, fhi = -1, near[3], nn = 0;
	int done[16], ndone = 0;
	uint32_t mss = e->mss;
	double run[RUN_MAX];

	memset(f, 0, sizeof(*f));
	/* the overhead term */
	k_range(r0, smin - 6 * sd, smax + 6 * sd, mss, e, &lo, &hi);
	if (hi >= lo && hi - lo < RUN_MAX)
		model_overhead_run(mo, r0 - (double)lo * mss, mss, hi - lo + 1,
		    wmix, edge_tag, hexalt, run);
	for (k = lo; k <= hi; k++) {
		double r = r0 - (double)k * mss, pk, l;
		double n = hi - lo < RUN_MAX ? run[k - lo] :
		    model_overhead_like(mo, r, wmix, edge_tag, hexalt);

		if (n <= 0)
			continue;
		pk = model_segments_prior(&m->seg, k);
		f->like += n * pk;
		l = terms_at(m, r, (double)o - (double)k * mss, n, e->sigma,
		    lens, nlens, term);
		consider(f, k, r, l * pk, term);
		if (ndone < (int)(sizeof(done) / sizeof(done[0])))
			done[ndone++] = k;
	}
	/* short segments resent, each length's own few k */
	for (i = 0; i < nlens; i++) {
		k_range(r0, lens[i] - 6 * sd, lens[i] + 6 * sd, mss, e, &lo, &hi);
		for (k = lo; k <= hi; k++) {
			double r = r0 - (double)k * mss, pk;
			double l = model_resend_like(&m->extra, mo, r, &lens[i], 1) /
			    nlens;

			if (l <= 0)
				continue;
			pk = model_segments_prior(&m->seg, k);
			f->like += l * pk;
			l = terms_at(m, r, (double)o - (double)k * mss,
			    model_overhead_like(mo, r, wmix, edge_tag, hexalt),
			    e->sigma, lens, nlens, term);
			consider(f, k, r, l * pk, term);
		}
	}
	/* the even terms: constant over a range of k */
	k_range(r0, -2 * sd, m->extra.width, mss, e, &elo, &ehi);
	if (m->extra.density > 0 && ehi >= elo) {
		f->like += m->extra.density * model_segments_mass(&m->seg, elo,
		    ehi);
		near[nn++] = k_nearest0(elo, ehi);
	}
	if (mo->floor > 0) {
		/* ok = o - k mss in [omin - 3 sigma, omax + 3 sigma] */
		k_range((double)o, mo->omin - 3 * e->sigma,
		    mo->omax + 3 * e->sigma, mss, e, &flo, &fhi);
		if (fhi >= flo) {
			f->like += mo->flat * model_segments_mass(&m->seg, flo,
			    fhi);
			near[nn++] = k_nearest0(flo, fhi);
			if (ehi >= elo && flo <= ehi && fhi >= elo)
				near[nn++] = k_nearest0(flo > elo ? flo : elo,
				    fhi < ehi ? fhi : ehi);
		}
	}
	/* where the overhead term had no weight, the others alone (a k
	 * where it had was considered above with every term) */
	for (i = 0; i < nn; i++) {
		double r = r0 - (double)near[i] * mss, l;
		int j;

		for (j = 0; j < ndone && done[j] != near[i]; j++)
			;
		if (j < ndone)
			continue;
		term[MATCH_FIT_HEADER] = term[MATCH_FIT_RESEND] = 0;
		term[MATCH_FIT_EXTRA] = model_extra_like(&m->extra, sd, r);
		term[MATCH_FIT_FLOOR] = model_floor_like(mo, (double)o -
		    (double)near[i] * mss, e->sigma);
		l = term[MATCH_FIT_EXTRA] + term[MATCH_FIT_FLOOR];
		if (nlens)
			l += (term[MATCH_FIT_RESEND] = model_resend_like(&m->extra,
			    mo, r, lens, nlens));
		if (l > 0)
			consider(f, near[i], r, l *
			    model_segments_prior(&m->seg, near[i]), term);
	}
}

/* Whether a file of @size leaves @e an overhead in @v's plausible range
 * with no segment lost or extra, in some framing tried. */
static int inside_range(const struct scorer *s,
    const struct payload_estimate *e, const struct server_view *v,
    uint64_t size)
{
	const uint8_t *tags;
	int nt = record_tags(e, &tags), t;

	for (t = 0; t < nt; t++) {
		int64_t o = overhead_of(s, e, size, tags[t], 1);

		if (o >= v->vmin && o <= v->vmax)
			return 1;
	}
	return 0;
}

/*
 * The short segments a resend may have carried (model_resend_like()) for a
 * file of @size in framing @tag, into @lens; how many.  Plain HTTP: the
 * file's last segment (the header sent alone, or in one stream with the
 * file), and the header-only segment.  TLS: a server that writes one
 * record at a time and sends each before the next is ready (encryption
 * slower than the path: a fast LAN, a veth pair) ends every record with a
 * short segment of (record + record overhead) mod MSS bytes, and one, two
 * or three of those may be sent again: 16,406 mod 1,448 = 478 for 16 KB
 * TLS 1.3 records (nginx, lighttpd), 8,029 mod 1,448 = 789 for Apache's
 * 8,000-byte TLS 1.2 records.  On the matrix's seed 3 (tuning), of the 90
 * transfers of each TLS 1.3 run, 4 at once through nginx left 5 such
 * residues, 16 at once through lighttpd 4 of one tail, 2 of three, 1 of
 * five and 1 of six; the TLS response's own last segment is not among
 * them (its header's share of the learned overhead is not known apart
 * from the handshake).
 */
static int resend_lens(const struct scorer *s, const struct model *m,
    const struct payload_estimate *e, const struct server_view *v,
    uint64_t size, uint32_t tag, double *lens)
{
	int n = 0, j;

	if (!e->mss)
		return 0;
	if (e->tls) {
		uint64_t tail = (payload_tag_record(&s->pcfg, tag) +
		    payload_tag_ovh(tag)) % e->mss;

		for (j = 1; tail && j <= RESEND_TAILS; j++)
			lens[n++] = (double)(tail * (uint64_t)j);
	} else {
		/* the header as sent: the overhead and the size's digits
		 * (decimal, and hex unless the server writes none) */
		uint64_t hdr = m->hdr_bytes + (uint64_t)payload_digits(size) +
		    (v->hexmode == PROFILE_HEX_NO ? 0 :
		    (uint64_t)payload_hexdigits(size));

		lens[n++] = (double)(size % e->mss);
		lens[n++] = (double)((hdr + size) % e->mss);
		lens[n++] = (double)hdr;
	}
	return n;
}

/*
 * Step 3: the likelihood of candidate @cd: for each TLS record overhead
 * tried, the sum over whole segments k of the segment prior times the
 * model's terms at the overhead the candidate implies (fit_tag()); the
 * best record overhead's.  Sets @cd's overhead, segments, tag, fit and
 * residue to the best k's.
 */
static double cand_like(const struct scorer *s, const struct model *m,
    const struct payload_estimate *e, const struct server_view *v,
    int nparts, struct cand *cd)
{
	const struct model_overhead *mo = &m->ovh;
	double bl = 0;
	/* a learned TLS server's file near a record boundary
	 * (record_edge()) is fitted at one record more too */
	int edge = e->tls && v->learned && nparts == 1;
	/* a server that writes no hex size into its header (profile.h):
	 * its overheads keep the hex digits; one not known to either way
	 * fits a size of other hex length than those learned from at both,
	 * half each */
	int hd = payload_hexdigits(cd->size);
	int hexalt = v->hexmode == PROFILE_HEX_UNKNOWN && v->hextyp &&
	    hd != v->hextyp ? hd - v->hextyp : 0;
	double wmix = 1 - mo->floor - m->extra.share - m->extra.resend;
	double lens[RESEND_LENS];
	int nlens = 0, t;
	struct tag_fit f;

	for (t = 0; t < v->ntags; t++) {
		int64_t o = overhead_of(s, e, cd->size, v->tags[t], nparts);
		int et = edge && record_edge(s, cd->size, v->tags[t]) ?
		    (int)payload_tag_ovh(v->tags[t]) : 0;

		if (v->hexmode == PROFILE_HEX_NO)
			o += hd;
		if (m->extra.resend > 0 && (t == 0 || e->tls))
			nlens = resend_lens(s, m, e, v, cd->size, v->tags[t],
			    lens);
		fit_tag(m, e, v, o, wmix, et, hexalt, lens, nlens, &f);
		if (f.like > bl) {
			bl = f.like;
			cd->overhead = o - (int64_t)f.k * e->mss;
			cd->segments = f.k;
			cd->tag = v->tags[t];
			cd->fit = (uint8_t)f.fit;
			cd->residue = (int32_t)(f.r + (f.r < 0 ? -0.5 : 0.5));
		}
	}
	/* inside the plausible overhead range at no segment lost or extra,
	 * in some framing: such candidates vote first (step 5) */
	cd->inside = inside_range(s, e, v, cd->size);
	return bl;
}

/*
 * Step 3, continued: read the records of the best fits only, best first,
 * and weigh in what they say (server address, time, scheme).  Stop once
 * no candidate left unread could win even with the strongest evidence;
 * those left keep their size likelihood in the sum.  Into @top and @rec,
 * best first; returns how many were read, or a store error.
 */
static int weigh(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, struct scan *sc, double maxlike,
    int have_index, double *sum, uint32_t *top, struct store_download *rec)
{
	struct cand *best = NULL;
	uint32_t ntop = 0, nread = 0, i, j;
	int rc;

	if (maxlike > 0)
		ntop = top_m(sc->c, sc->n, 1e-4 * maxlike, -1, top, FETCH_MAX);
	for (j = 0; j < ntop; j++) {
		struct cand *cd = &sc->c[top[j]];
		double f;

		if (j >= FETCH_MIN && best &&
		    best->like >= EVIDENCE_MAX(have_index) * cd->like)
			break;
		rc = store_get_id(s->txn, cd->id, &rec[j]);
		if (rc != 0)
			return rc;
		f = evidence(&rec[j], c, e, have_index, cd);
		*sum += cd->like * (f - 1.0);
		cd->like *= f;
		nread = j + 1;
		if (!best || better(cd, best))
			best = cd;
	}
	/* the read ones in their new order (insertion sort, few) */
	for (i = 1; i < nread; i++) {
		uint32_t tt = top[i];
		struct store_download rd = rec[i];

		for (j = i; j > 0 && better(&sc->c[tt], &sc->c[top[j - 1]]); j--) {
			top[j] = top[j - 1];
			rec[j] = rec[j - 1];
		}
		top[j] = tt;
		rec[j] = rd;
	}
	return (int)nread;
}

/* The votes of @sc's candidates (with @listed_only, those the server may
 * have served: listed for it or for no address): first those inside the
 * plausible overhead range, then the rest, each by likelihood, since the
 * ring keeps a bounded number. */
static void vote(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, const struct scan *sc, int listed_only)
{
	int32_t ov[PROFILE_VOTES], o[NTAGS_MAX];
	uint8_t tg[PROFILE_VOTES], hx[PROFILE_VOTES], otg[NTAGS_MAX];
	uint32_t vidx[PROFILE_VOTES], i;
	const uint8_t *all;
	int nv = 0, pass, nk, k, per = PROFILE_VOTES / record_tags(e, &all);

	if (!sc->n)
		return;
	for (pass = 0; pass < 2 && nv < PROFILE_VOTES; pass++) {
		uint32_t nvi = 0, j;

		if (listed_only) {
			for (j = 0; j < sc->n && nvi < (uint32_t)per; j++)
				if ((sc->c[j].server_match > 0 ||
				    sc->c[j].noaddr) && sc->c[j].inside == !pass)
					vidx[nvi++] = j;
		} else {
			nvi = top_m(sc->c, sc->n, -1, !pass, vidx, per);
		}
		for (i = 0; i < nvi && nv < PROFILE_VOTES; i++) {
			uint64_t size = sc->c[vidx[i]].size;

			/* a payload, not a file size: no overhead to vote */
			if (sc->c[vidx[i]].observed)
				continue;

			nk = implied(s, e, size, o, otg);
			for (k = 0; k < nk && nv < PROFILE_VOTES; k++) {
				ov[nv] = o[k];
				hx[nv] = (uint8_t)payload_hexdigits(size);
				tg[nv++] = otg[k];
			}
		}
	}
	/* a known server's connection with no candidate it may have served
	 * is no download of a file it is known for: it does not vote (nor
	 * take a place among those remembered) */
	if (listed_only && !nv)
		return;
	profile_add(s->prof, c->family, c->server, c->server_port, e->payload,
	    ov, tg, hx, nv);
}

/*
 * Step 5: what this connection teaches, after its score is known.
 * - The server: the votes' fit, if step 1 took it.
 * - Where this client's losses fall (model_setup()): each lossy
 *   connection's odds of being a stored file with no segment counted
 *   twice or with some, over all candidates (the expectation step of a
 *   mixture fit; a hard count of the fits named would lean to the share it
 *   started from, since those are named more often).
 * - The base rate of transfers that are no stored file (model.h).
 * - The candidates vote for the overhead they imply without retransmits
 *   (vote()).
 */
static void learn(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, const struct server_view *v,
    const struct window *w, const struct scan *sc, double sum, double null,
    int nparts)
{
	uint32_t i;

	if (!s->cfg.learn)
		return;
	if (v->keep)
		profile_keep(s->prof, c->family, c->server, c->server_port,
		    &v->fit);
	if (nparts > 1)
		return;
	if (v->learned && e->loss_hint) {
		double once = 0, twice = 0;

		for (i = 0; i < sc->n; i++) {
			if (sc->c[i].segments == 0)
				once += sc->c[i].like;
			else if (sc->c[i].segments > 0)
				twice += sc->c[i].like;
		}
		if (once + twice > 0)
			clients_loss_seen(s->clients, c->family, c->client,
			    (once + twice) / (sum + null),
			    twice / (once + twice));
	}
	/* a connection scored again (match.c, held) has taught the rest */
	if (s->novote)
		return;
	model_base_rate_seen(&s->base[w->server_known != 0],
	    sum + null > 0 ? null / (sum + null) : 1);
	/* A server the address index knows: only the candidates it may have
	 * served vote, those it served and those that list no address at
	 * all (a manifest's); a connection with none does not vote.  On a
	 * vendor's server most transfers are files nobody crawled, and in a
	 * dense store their 32 votes each agree by chance (the testbed
	 * matrix, docs/matching.md section 4).  A server the index does not
	 * know (a CDN node, a store without addresses): every candidate. */
	vote(s, c, e, sc, w->server_known);
}

/*
 * The release the best candidate and its rivals share (struct
 * match_release): the records read whose product and version are the
 * best's, among those with at least 5% of its likelihood.  Their
 * posterior is their likelihoods' share, against @total (all candidates
 * and "not in the store").
 */
/* The file name to parse @d's product from: NULL where it is the URL's
 * last path segment as spelled there (store_product_parse() decodes
 * that one itself), the record's own where it differs. */
static const char *product_file(const struct store_download *d)
{
	const char *seg, *end;

	if (!d->file || !d->file[0])
		return NULL;
	end = d->url + strcspn(d->url, "?#");
	for (seg = end; seg > d->url && seg[-1] != '/'; seg--)
		;
	if ((size_t)(end - seg) == strlen(d->file) &&
	    !strncmp(seg, d->file, (size_t)(end - seg)))
		return NULL;
	return d->file;
}

static void find_release(const struct scan *sc, const uint32_t *top,
    const struct store_download *rec, uint32_t nread, double total,
    struct match_result *res)
{
	const struct cand *best = &sc->c[top[0]];
	struct match_release *r = &res->release;
	struct store_product bp, p;
	double like = 0;
	uint32_t i;
	int same_locale = 1, same_platform = 1;

	memset(r, 0, sizeof(*r));
	if (nread < 2 || sc->c[top[1]].like < 0.05 * best->like ||
	    store_product_parse(rec[0].url, product_file(&rec[0]), &bp) ||
	    !bp.version[0])
		return;
	for (i = 0; i < nread; i++) {
		const struct cand *cd = &sc->c[top[i]];

		if (cd->like < 0.05 * best->like)
			continue;
		if (i > 0 && (store_product_parse(rec[i].url,
		    product_file(&rec[i]), &p) ||
		    strcmp(p.product, bp.product) || strcmp(p.version,
		    bp.version)))
			continue;
		if (i > 0) {
			same_locale &= !strcmp(p.locale, bp.locale);
			same_platform &= !strcmp(p.platform, bp.platform);
		}
		like += cd->like;
		r->members++;
	}
	if (r->members < 2) {
		r->members = 0;
		return;
	}
	r->confidence = model_posterior(like, total, 0);
	memcpy(r->product, bp.product, sizeof(r->product));
	memcpy(r->version, bp.version, sizeof(r->version));
	if (same_platform)
		memcpy(r->platform, bp.platform, sizeof(r->platform));
	if (same_locale)
		memcpy(r->locale, bp.locale, sizeof(r->locale));
	r->differ = !same_locale ? "locale" : !same_platform ? "platform" :
	    "file";
}

/* Copy the names of the best and its rivals (those with at least 5% of
 * its likelihood) out of the records read. */
static void report_candidates(const struct scan *sc, const uint32_t *top,
    const struct store_download *rec, uint32_t nread,
    struct match_result *res)
{
	const struct cand *best = &sc->c[top[0]];
	uint32_t i;

	for (i = 0; i < nread && i < TOP_K; i++) {
		const struct cand *cd = &sc->c[top[i]];
		struct match_candidate *m = i == 0 ? &res->best :
		    &res->rivals[i - 1];

		if (i > 0 && cd->like < 0.05 * best->like)
			break;
		m->size = cd->size;
		m->overhead = cd->overhead;
		m->segments = cd->segments;
		m->residue = cd->residue;
		m->fit = cd->fit;
		m->server_match = cd->server_match;
		m->like = cd->like;
		m->url = fg_strdup(rec[i].url);
		m->file = fg_strdup(rec[i].file);
		m->vendor = fg_strdup(rec[i].vendor);
		m->source = rec[i].source;
		m->label = rec[i].has_obs ? fg_strdup(rec[i].obs.label) : NULL;
		if (i > 0)
			res->nrivals++;
	}
}

/*
 * The lookup and scoring shared by single connections and range groups.
 * @nparts > 1 scales the overhead: each part has its own header and
 * handshake; @tries is how many sums the caller tries.
 */
static int lookup(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, int nparts, int tries,
    struct match_result *res)
{
	struct server_view v;
	struct model m;
	struct window w;
	struct scan sc;
	struct store_download rec[FETCH_MAX];
	uint32_t top[FETCH_MAX], i;
	const struct cand *best = NULL;
	double sum = 0, maxlike = 0, null, odds, share, endq;
	int rc, nread = 0, cut;

	/* A connection with evidence of loss may carry hundreds of
	 * retransmitted segments, so its file may lie anywhere in a wide
	 * window: such connections are few, and scan LOSS_SCAN times more. */
	{
		uint32_t cap = s->cfg.max_scan ? s->cfg.max_scan : 1;

		if (e->loss_hint)
			cap *= LOSS_SCAN;
		if (s->bufcap < cap + LISTED_MAX || !s->buf) {
			free(s->buf);
			s->bufcap = cap + LISTED_MAX;
			s->buf = fg_calloc(s->bufcap, sizeof(*s->buf));
		}
		memset(&sc, 0, sizeof(sc));
		sc.c = s->buf;
		sc.cap = cap;
		sc.room = LISTED_MAX;
	}
	res->est = *e;
	if (!s->novote)
		s->st.looked_up++;

	/* 1. what is known about the server and the client.  A connection
	 * the client reset before the server's FIN was cut short (curl
	 * --max-time, a cancelled download): only a fit near the expected
	 * overhead means the file had arrived whole; neither extra bytes
	 * nor an unusual header explain a transfer that stopped at a random
	 * point. */
	server_view(s, c, e, nparts, &v);
	cut = (c->req_tcp_flags & CONN_TCP_RST) &&
	    !(c->data_tcp_flags & CONN_TCP_FIN);
	model_setup(s, c, e, &v, nparts, cut, &m);
	res->learned = v.learned;

	/* 2. the candidates */
	rc = candidates(s, e, &v, &m, nparts, &sc, &w);
	if (rc == 0)
		rc = server_candidates(s, c, &sc, &w);
	/* after the others: it may append to the scan (sorted until then) */
	if (rc == 0 && nparts == 1)
		rc = observed_candidates(s, c, e, &m, &sc);
	if (rc != 0)
		goto failed;
	if (fg_log_level() >= FG_LOG_DEBUG) {
		char sa[64];

		fg_debug("lookup: server %s:%u payload %lld parts %d "
		    "sack-acks %u retx %.0f window [%llu, %llu]: %u candidates",
		    report_addr(c->family, c->server, sa, sizeof(sa)),
		    c->server_port, (long long)e->payload, nparts,
		    e->sack_acks, e->mean_retx, (unsigned long long)w.lo,
		    (unsigned long long)w.hi, sc.n);
		fg_debug("lookup: server %s:%u %s overhead %.0f sd %.1f tag %u"
		    " second %+.0f (share %.2f), support %d of %d%s",
		    sa, c->server_port, v.learned ? "learned" : "unlearned",
		    v.center, sqrt(m.ovh.var), v.ltag, v.d2, v.w2,
		    v.fit.support, v.fit.count, v.fit.wide ? " (wide fit)" : "");
	}
	res->window = sc.n;
	s->st.candidates += sc.n;

	/* 3. the hypotheses: the size, and the server where the index
	 * says the candidate was served from it.  The share of such
	 * candidates (smoothed by one either way) is taken over the scanned
	 * part of the window only: the server's files that
	 * server_candidates() added from beyond it come without their
	 * unlisted neighbours, and counting them put the share at 0.31 for
	 * 0.03 in the dense store (bench/RESULTS.md, 2026-12-08) */
	share = ((double)w.scanned_listed + 1) / ((double)w.scanned + 2);
	/* and whether the transfer was seen to end (model_end_like()) */
	endq = model_end_like(c->data_tcp_flags, c->req_tcp_flags,
	    (c->flags & CONN_F_SAMPLED) != 0);
	for (i = 0; i < sc.n; i++) {
		double l = endq * (sc.c[i].observed ? sc.c[i].like :
		    cand_like(s, &m, e, &v, nparts, &sc.c[i]));

		if (sc.c[i].server_match > 0)
			l *= model_server_like(1, share, SERVER_H);

		sc.c[i].like = l;
		sum += l;
		if (l > maxlike)
			maxlike = l;
	}
	nread = weigh(s, c, e, &sc, maxlike, w.have_index, &sum, top, rec);
	if (nread < 0) {
		rc = nread;
		goto failed;
	}
	if (nread > 0 && sc.c[top[0]].like > 0)
		best = &sc.c[top[0]];
	for (i = 0; best && i < sc.n; i++)
		if (sc.c[i].like >= 0.01 * best->like)
			res->plausible++;

	/* 4. the posterior against "not in the store": as likely per byte
	 * as the stored sizes are dense around the estimate, never below
	 * 1.25 times what the even "extra bytes" share gives a candidate (a
	 * store that is sparse here says nothing about how often files it
	 * does not know are this big; in a sparse store fits a kilobyte off
	 * were named at 0.6 without it) */
	odds = s->cfg.learn ?
	    model_base_rate_odds(&s->base[w.server_known != 0]) :
	    s->cfg.null_weight;
	null = model_null_like(w.count, w.width,
	    1.25 * m.extra.density * m.seg.p0, odds, tries);
	res->est_size = v.learned ? e->payload - (int64_t)v.center :
	    e->est_size;
	if (best) {
		res->confidence = model_posterior(best->like, sum, null);
		fg_debug("score: best %.3g at %d segments, all %.3g, not in the "
		    "store %.3g (odds %.2f), no segment counted twice %.2f",
		    best->like, best->segments, sum, null, odds, m.seg.p0);
		res->status = res->confidence >= s->cfg.min_confidence ?
		    MATCH_FOUND : MATCH_NONE;
		/* the size the model puts the file at, given the best fit
		 * (at the learned overhead it lies nearer, with a second
		 * one) */
		res->est_size = (int64_t)best->size + best->overhead -
		    (int64_t)v.center;
		/* an observed reference's size is its payload: compared
		 * with this one's */
		if (best->observed)
			res->est_size = e->payload;
		else if (v.w2 > 0 && fabs((double)best->overhead - v.center - v.d2) <
		    fabs((double)best->overhead - v.center))
			res->est_size -= (int64_t)v.d2;
		report_candidates(&sc, top, rec, (uint32_t)nread, res);
		find_release(&sc, top, rec, (uint32_t)nread, sum + null, res);
		res->release.reported = res->status != MATCH_FOUND &&
		    res->release.members >= 2 &&
		    res->release.confidence >= s->cfg.min_confidence;
	} else {
		res->status = MATCH_NONE;
		res->confidence = 0;
	}

	/* 5. what this connection teaches */
	learn(s, c, e, &v, &w, &sc, sum, null, nparts);
	rc = 0;
	goto out;
failed:
	s->st.lookup_errors++;
	res->status = MATCH_NONE;
out:
	if (res->status == MATCH_FOUND)
		s->st.found++;
	else
		s->st.unmatched++;
	return rc;
}


int score_connection(struct scorer *s, const struct connection *c,
    struct match_result *res)
{
	struct payload_estimate e;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->conn = *c;
	res->parts = 1;
	if (payload_estimate(&s->pcfg, c, &e) < 0 ||
	    (uint64_t)e.payload < s->cfg.min_size)
		goto small;
	/* SACK blocks counted from the client's own usual request, once
	 * known, instead of a typical one; this request is remembered once
	 * the connection is scored */
	if (s->cfg.learn) {
		int64_t base = clients_request(s->clients, c->family,
		    c->client, e.tls, e.req_extra, 0);

		if (base >= 0 &&
		    payload_rebase(&s->pcfg, c, base + REQUEST_SLACK, &e) < 0)
			rc = 1;
	}
	if (!rc)
		rc = lookup(s, c, &e, 1, 1, res);
	if (s->cfg.learn && !s->novote)
		clients_request(s->clients, c->family, c->client, e.tls,
		    e.req_extra, 1);
	if (rc <= 0)
		return rc;
small:
	res->est = e;
	res->status = MATCH_SMALL;
	res->est_size = e.est_size;
	return 0;
}

int score_again(struct scorer *s, const struct connection *c,
    struct match_result *res)
{
	int rc;

	s->novote = 1;
	rc = score_connection(s, c, res);
	s->novote = 0;
	return rc;
}

int score_group(struct scorer *s, const struct connection *parts, int n,
    int tries, struct match_result *res)
{
	struct connection sum;
	struct payload_estimate e;
	int i;

	memset(res, 0, sizeof(*res));
	sum = parts[0];
	for (i = 1; i < n; i++) {
		const struct connection *p = &parts[i];

		sum.data_octets += p->data_octets;
		sum.data_packets += p->data_packets;
		sum.req_octets += p->req_octets;
		sum.req_packets += p->req_packets;
		sum.data_tcp_flags |= p->data_tcp_flags;
		sum.req_tcp_flags |= p->req_tcp_flags;
		sum.flags |= p->flags;
		sum.records += p->records;
		if (p->start_ms < sum.start_ms)
			sum.start_ms = p->start_ms;
		if (p->end_ms > sum.end_ms)
			sum.end_ms = p->end_ms;
	}
	res->conn = sum;
	res->parts = n;
	if (payload_estimate(&s->pcfg, &sum, &e) < 0 ||
	    (uint64_t)e.payload < s->cfg.min_size) {
		res->status = MATCH_SMALL;
		return 0;
	}
	/* one SYN-ACK per part, payload_estimate took off one */
	if (sum.data_tcp_flags & CONN_TCP_SYN)
		e.payload -= (int64_t)(n - 1) * (e.timestamps ? 8 : 12);
	return lookup(s, &sum, &e, n, tries, res);
}
