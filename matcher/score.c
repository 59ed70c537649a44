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
#include "profile.h"
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
 * TLS: server packets that carry a SACK block (D-SACK, RFC 2883, when a
 * client segment arrives twice): 2 NOPs + 2 + 8 bytes of TCP options each,
 * which the per-packet header read off the client's ACKs does not count.
 * On the testbed, four HTTPS downloads at once put about one connection in
 * ten exactly 12 bytes above the fit, one at a time none, and none of some
 * 2,000 came out 24 above; HTTP shows no such excess.  Prior of 0, 1, 2
 * such packets (at 0.02 for two, files not in the store 24 bytes above a
 * stored size were named at 0.5-0.9).
 */
#define SACKOPT_BYTES 12
#define SACKOPT_MAX 3
static const double sackopt_prior[SACKOPT_MAX] = { 0.898, 0.1, 0.002 };
/*
 * TLS: nginx writes the response header and the file into one stream of
 * full records, so a file whose last record has less room left than the
 * header takes one record more than ceil(size / 16384).  The header's
 * length is not known apart from the handshake, so near a boundary (the
 * last 1,500 bytes of a record) both counts are given half the weight.
 */
#define EDGE_PRIOR 0.5
/* TLS record overheads tried: 1.3 AEAD, 1.2 AES-GCM, 1.2 ChaCha20 */
static const uint8_t tls_tags[] = { 22, 29, 21 };
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
	uint8_t tag;
	int8_t server_match;
	uint8_t inside;             /* overhead in [min, max] at k = 0 */
};

struct scan {
	struct cand *c;
	uint32_t n, cap;
	int truncated;
};

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
 * What a candidate's record says beyond its size, as a factor on its
 * likelihood: the server address, time, and the URL's scheme.
 */
static double evidence(const struct store_download *d,
    const struct connection *conn, const struct payload_estimate *e,
    int8_t *server_match)
{
	double f = 1.0;
	int i;

	*server_match = 0;
	if (d->naddrs) {
		*server_match = -1;
		for (i = 0; i < d->naddrs && i < STORE_ADDRS_MAX; i++)
			if (d->addrs[i].family == conn->family &&
			    !memcmp(d->addrs[i].bytes, conn->server,
			    conn->family == 4 ? 4 : 16))
				*server_match = 1;
	}
	if (*server_match > 0)
		f *= 3.0;
	else if (*server_match < 0)
		f *= 0.5;
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
	 * size, and the port tells them apart. */
	if (!strncmp(d->url, "https://", 8) != !!e->tls)
		f *= 0.02;
	return f;
}

/* The strongest evidence factor evidence() can give (server seen). */
#define EVIDENCE_MAX 3.0

/*
 * Prior of @k whole segments extra (retransmitted, counted twice by the
 * meter) or, negative, missing (the meter dropped them): geometric on
 * 1, 2, ... with the estimate's means.  Most downloads have neither; ACKs
 * with SACK blocks say that loss happened.
 */
struct seg_model {
	double p0, pretx, plost;    /* shares of k = 0, k > 0, k < 0 */
	double lr, ll;              /* log(1 - 1/mean) for k > 0 and k < 0 */
	double cr, cl;              /* 1/mean */
};

/*
 * Whole segments sent again without evidence of loss (no SACK blocks on
 * the client's ACKs), and whole segments the meter missed: on the testbed
 * 7 and 0 of 3,034 such downloads (0.23%, 0%; softflowd with -B
 * 134217728).  The priors leave room for paths that lose a tail (which no
 * SACK block reports) and meters that drop a little; at 0.15 and 0.05,
 * files not in the store whose size plus or minus 1-3 segments landed on
 * a stored size were named at 0.5-0.9.  A meter that drops more
 * ("softflowctl statistics") loses more than a few segments of a large
 * transfer, which no prior here would rescue.
 */
#define RETX_PRIOR 0.01
#define MISS_PRIOR 0.005

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

static void seg_model_init(struct seg_model *m,
    const struct payload_estimate *e, double p0_loss)
{
	m->plost = MISS_PRIOR;
	m->p0 = e->loss_hint ? p0_loss : 1.0 - m->plost - RETX_PRIOR;
	m->pretx = 1.0 - m->p0 - m->plost;
	m->cr = 1.0 / e->mean_retx;
	m->cl = 1.0 / e->mean_lost;
	m->lr = log1p(-m->cr);
	m->ll = log1p(-m->cl);
}

static double seg_prior(const struct seg_model *m, int k)
{
	if (k == 0)
		return m->p0;
	if (k > 0)
		return m->pretx * m->cr * exp((k - 1) * m->lr);
	return m->plost * m->cl * exp((-k - 1) * m->ll);
}

/*
 * The Gaussian's weight at @r bytes from the expected overhead.  A
 * learned width of a byte or less is a distribution over whole bytes
 * (sizes and overheads are integers): its density at 0 (1.33 at sd 0.3)
 * would make an exact fit more than certain and leave a byte's miss
 * 0.4% of it, where the byte's probability is used instead.
 */
static double byte_like(double r, double sd, double norm, double var)
{
	if (sd < 1)
		return 0.5 * (erfc((r - 0.5) / (sd * M_SQRT2)) -
		    erfc((r + 0.5) / (sd * M_SQRT2)));
	return norm * exp(-r * r / (2 * var));
}

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
		o -= (int64_t)(nparts - 1) * tag;
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

/* The file size in @bytes of TLS application data at @tag bytes of
 * overhead per record (HTTP: @bytes itself). */
static double without_records(const struct scorer *s,
    const struct payload_estimate *e, double bytes, uint8_t tag)
{
	if (!e->tls)
		return bytes;
	return bytes * s->pcfg.tls_record / (s->pcfg.tls_record + tag);
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

/*
 * A wide fit (profile.h) of the server of @c, once WIDE_MIN connections
 * are remembered and every WIDE_MIN new ones: every candidate of each
 * remembered payload votes, all three TLS record overheads for TLS.  A
 * window with more than WIDE_SCAN candidates is left out (so dense that
 * chance agreement would be common).  Into @f; returns 1 if the fit is
 * clear: four connections agree exactly, two more than on any other value
 * (on the testbed, seed 15: 5-14 against at most 3, with 8 and 16
 * remembered), and with a second overhead (profile.h) the two hold a
 * third of those remembered.
 */
#define WIDE_MIN 8
#define WIDE_SCAN 1024

static int wide_fit(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, struct profile_fit *f)
{
	int64_t pay[PROFILE_RING];
	int age, n, i, k, nk, nv = 0;
	int32_t o[NTAGS_MAX];
	uint8_t tg[NTAGS_MAX];
	struct scan sc;
	uint32_t j;

	n = profile_recent(s->prof, c->family, c->server, c->server_port,
	    pay, &age);
	if (n < WIDE_MIN || age < WIDE_MIN)
		return 0;
	if (!s->wbuf) {
		s->wbuf = fg_calloc(WIDE_SCAN, sizeof(*s->wbuf));
		s->wvotes = fg_calloc((size_t)PROFILE_RING * WIDE_SCAN *
		    NTAGS_MAX, sizeof(*s->wvotes));
	}
	memset(&sc, 0, sizeof(sc));
	sc.c = s->wbuf;
	sc.cap = WIDE_SCAN;
	for (i = 0; i < n; i++) {
		struct payload_estimate w;

		memset(&w, 0, sizeof(w));
		w.payload = pay[i];
		w.tls = e->tls;
		if (payload_window(&s->pcfg, &w) != 0 ||
		    scan_window(s, w.lo, w.hi, &sc) != 0 || sc.truncated)
			continue;
		for (j = 0; j < sc.n; j++) {
			nk = implied(s, &w, sc.c[j].size, o, tg);
			for (k = 0; k < nk; k++)
				s->wvotes[nv++] = profile_vote(tg[k], o[k],
				    (uint32_t)i, (uint8_t)payload_hexdigits(
				    sc.c[j].size));
		}
	}
	if (profile_wide_fit(s->prof, c->family, c->server, c->server_port,
	    s->wvotes, nv, f) != 0)
		return 0;
	fg_debug("profile: wide fit of %d votes: mode %.0f tag %u support %d "
	    "runner-up %d of %d; second %.0f support %d", nv, f->mode, f->tag,
	    f->support, f->runner_up, f->count, f->mode2, f->support2);
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
 * The lookup and scoring shared by single connections and range groups.
 * @nparts > 1 scales the overhead: each part has its own header and
 * handshake.
 */
static int lookup(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, int nparts, int tries,
    struct match_result *res)
{
	const uint8_t *tags;
	int ntags = record_tags(e, &tags);
	struct scan sc;
	struct cand *best = NULL;
	struct store_download rec[FETCH_MAX];
	uint32_t top[FETCH_MAX], ntop = 0, nfetched = 0;
	double center, sd_o, sum = 0, floor_like = 0, sigma2, null, wwidth;
	double maxlike = 0, extra_density = 0;
	/* a learned second overhead (profile.h): its offset and share, and
	 * how far the two reach below and above the first */
	double d2 = 0, w2 = 0, dlo = 0, dhi = 0;
	uint64_t wcount = 0;
	int64_t omin, omax, vmin, vmax;
	uint64_t lo = e->lo, hi = e->hi;
	uint32_t i, j;
	int rc, t, learned = 0, k, cut;
	uint8_t ltag = 0, hexmode = PROFILE_HEX_YES, hextyp = 0;
	struct seg_model sm;

	/* A connection with evidence of loss may carry hundreds of
	 * retransmitted segments, so its file may lie anywhere in a wide
	 * window: such connections are few, and scan LOSS_SCAN times more. */
	{
		uint32_t cap = s->cfg.max_scan ? s->cfg.max_scan : 1;

		if (e->loss_hint)
			cap *= LOSS_SCAN;
		if (s->bufcap < cap || !s->buf) {
			free(s->buf);
			s->bufcap = cap;
			s->buf = fg_calloc(s->bufcap, sizeof(*s->buf));
		}
		memset(&sc, 0, sizeof(sc));
		sc.c = s->buf;
		sc.cap = cap;
	}
	if (nparts > 1) {
		uint64_t wmin = (uint64_t)(nparts - 1) * s->pcfg.http_hdr_min;
		uint64_t wmax = (uint64_t)(nparts - 1) * (e->tls ?
		    s->pcfg.tls_hs_max + s->pcfg.http_hdr_max :
		    s->pcfg.http_hdr_max);

		lo = lo > wmax ? lo - wmax : 1;
		hi = hi > wmin ? hi - wmin : 1;
	}
	res->est = *e;
	if (!s->novote)
		s->st.looked_up++;
	if (e->tls) {
		center = s->pcfg.tls_hs_typ + s->pcfg.http_hdr_typ;
		sd_o = TLS_SD_UNLEARNED;
		omin = s->pcfg.tls_hs_min + s->pcfg.http_hdr_min;
		omax = s->pcfg.tls_hs_max + s->pcfg.http_hdr_max;
	} else {
		center = s->pcfg.http_hdr_typ;
		sd_o = HTTP_SD_UNLEARNED;
		omin = s->pcfg.http_hdr_min;
		omax = s->pcfg.http_hdr_max;
	}
	vmin = omin;
	vmax = omax;
	center *= nparts;
	sd_o *= sqrt((double)nparts);
	omin *= nparts;
	omax *= nparts;
	sigma2 = e->sigma * e->sigma;

	/* Has this server's overhead been learned?  The profile's mode must
	 * be backed by three connections for different payloads and by a
	 * third of those remembered (aborted transfers and files not in the
	 * store vote at random), and beat the best other value by two (in a
	 * dense store a few connections agree on a wrong value by chance).
	 * Each connection votes for its best few candidates only, so a wide
	 * fit (wide_fit()) checks the mode once eight are remembered, and
	 * settles it where the votes are split or wrong. */
	if (s->cfg.learn) {
		int64_t tol = e->tls ? 3 * (int64_t)TLS_SD_LEARNED :
		    3 * (int64_t)HTTP_SD_LEARNED;
		struct profile_fit f, kf, w;
		int narrow, haskept, agree, agree2, settled;

		if (profile_mode(s->prof, c->family, c->server, c->server_port,
		    tol, &f) == 0)
			fg_debug("profile: mode %.0f spread %.1f tag %u support "
			    "%d runner-up %d of %d", f.mode, f.spread, f.tag,
			    f.support, f.runner_up, f.count);
		narrow = f.support >= 3 && 3 * f.support >= f.count &&
		    f.support >= f.runner_up + 2;
		haskept = profile_kept(s->prof, c->family, c->server,
		    c->server_port, &kf) == 0;
		agree = narrow && haskept && agrees(&f, &kf, kf.mode, tol);
		/* votes that agree with a kept second overhead confirm it */
		agree2 = narrow && haskept && kf.support2 &&
		    agrees(&f, &kf, kf.mode2, tol);
		/* a wide fit, unless one is kept, the votes agree with it and
		 * it explained three quarters of its connections (else a
		 * second overhead may show among the rest) */
		settled = haskept && kf.wide && (agree || agree2) &&
		    (kf.support2 > 0 || 4 * kf.support >= 3 * kf.count);
		if (nparts == 1 && !s->novote && !settled &&
		    wide_fit(s, c, e, &w)) {
			profile_keep(s->prof, c->family, c->server,
			    c->server_port, &w);
			kf = w;
			haskept = 1;
			agree = narrow && agrees(&f, &kf, kf.mode, tol);
			agree2 = 0;
		}
		/* the votes follow the server, but only a wide fit overrules
		 * a wide fit */
		if (narrow && !agree2 && (!haskept || !kf.wide || agree)) {
			f.wide = haskept && kf.wide;
			if (f.wide) {
				f.mode2 = kf.mode2;
				f.support2 = kf.support2;
			}
			profile_keep(s->prof, c->family, c->server,
			    c->server_port, &f);
			learned = 1;
		} else if (haskept) {
			f = kf;
			learned = 1;
		}
		if (learned) {
			ltag = f.tag;
			hexmode = f.hex;
			hextyp = f.hex_typ;
			center = f.mode;
			/* the votes' spread already holds every error of the
			 * size that is not whole segments: the size's own
			 * sigma is left out, except the padding's */
			sd_o = (f.spread > LEARNED_SD_MIN ? f.spread :
			    LEARNED_SD_MIN) * s->pcfg.tol_scale;
			sigma2 = e->sigma_pad * e->sigma_pad;
			tags = &ltag;
			ntags = 1;
			if (f.support2 > 0 && nparts == 1) {
				d2 = f.mode2 - f.mode;
				w2 = (double)f.support2 /
				    (double)(f.support + f.support2);
				dlo = d2 < 0 ? d2 : 0;
				dhi = d2 > 0 ? d2 : 0;
			}
			/* each part: the learned header plus Content-Range and
			 * the longer status line of a 206 */
			if (nparts > 1) {
				center = nparts * (f.mode + RANGE_EXTRA);
				sd_o = sqrt((double)nparts) * RANGE_SD *
				    s->pcfg.tol_scale;
			}
		}
	}
	/* A learned overhead narrows the window to the sizes its model
	 * gives weight to: the Gaussian around it, the extra bytes, and the
	 * whole segments that may be extra or missing. */
	if (learned) {
		double sd = sqrt(sigma2 + sd_o * sd_o);
		double l = without_records(s, e, (double)e->payload - center -
		    dhi - 6 * sd - extra_width(s, e) -
		    (double)e->max_retx * e->mss, ltag);
		double h = without_records(s, e, (double)e->payload - center -
		    dlo + 6 * sd + (double)e->max_lost * e->mss, ltag);

		if (l > (double)lo)
			lo = (uint64_t)l;
		if (h < (double)hi)
			hi = h < 1 ? 1 : (uint64_t)h;
		if (hi < lo)
			hi = lo;
	}
	/*
	 * One scan of the size index (sizes and ids, no record read); its
	 * count over the window gives the density of stored sizes for the
	 * "not in the store" hypothesis.  Where the store is so dense that
	 * the window holds more than max_scan downloads, the block read
	 * gives the density, and a second scan takes a narrower window
	 * around the expected size instead: the far ends are whole segments
	 * away, where the prior is small, and in a store that dense only a
	 * near-exact fit can stand out anyway.
	 */
	wwidth = (double)(hi - lo + 1);
	rc = scan_window(s, lo, hi, &sc);
	wcount = sc.n;
	if (rc == 0 && sc.truncated && sc.n > 1) {
		uint64_t lo0 = lo, hi0 = hi, nlo, nhi;
		double m, w;
		int pass;

		m = learned ? without_records(s, e, (double)e->payload - center,
		    ltag) : (double)e->est_size;
		if (m < (double)lo)
			m = (double)lo;
		if (m > (double)hi)
			m = (double)hi;
		/* the density of the part scanned sets the width; where the
		 * store is denser around the expected size than that part
		 * (its lower end reached into a gap), the narrower scan runs
		 * out before the expected size and is narrowed again */
		for (pass = 0; pass < 3 && rc == 0 && sc.truncated &&
		    sc.n > 1; pass++) {
			w = 0.75 * sc.cap * (double)(sc.c[sc.n - 1].size -
			    lo + 1) / (double)sc.n;
			nlo = m - w / 2 > (double)lo0 ? (uint64_t)(m - w / 2) :
			    lo0;
			nhi = m + w / 2 < (double)hi0 ? (uint64_t)(m + w / 2) :
			    hi0;
			rc = scan_window(s, nlo, nhi, &sc);
			if (sc.truncated && sc.n)
				nhi = sc.c[sc.n - 1].size;
			lo = nlo;
			hi = nhi;
		}
		wcount = sc.n;
		wwidth = (double)(hi - lo + 1);
	}
	if (rc != 0) {
		s->st.lookup_errors++;
		res->status = MATCH_NONE;
		goto out;
	}
	fg_debug("lookup: payload %lld parts %d sack-acks %u retx %.0f "
	    "window [%llu, %llu]: %u candidates", (long long)e->payload,
	    nparts, e->sack_acks, e->mean_retx, (unsigned long long)lo,
	    (unsigned long long)hi, sc.n);
	res->window = sc.n;
	s->st.candidates += sc.n;

	res->learned = learned;
	/*
	 * A connection the client reset before the server's FIN was cut
	 * short (curl --max-time, a cancelled download): only a fit near the
	 * expected overhead means the file had arrived whole; neither extra
	 * bytes nor an unusual header explain a transfer that stopped at a
	 * random point.
	 */
	cut = (c->req_tcp_flags & CONN_TCP_RST) &&
	    !(c->data_tcp_flags & CONN_TCP_FIN);
	/* no flat share for range groups: many subsets are tried, and a
	 * flat share would let some sum fit by chance */
	if (!learned && nparts == 1 && !cut)
		floor_like = FLOOR_UNLEARNED;
	/* the client's learned share matters only with evidence of loss:
	 * no table lookup for the rest */
	seg_model_init(&sm, e, e->loss_hint && s->cfg.learn && nparts == 1 ?
	    clients_loss_p0(s->clients, c->family, c->client, LOSS_P0,
	    LOSS_WEIGHT) : LOSS_P0);

	{
		double var = sigma2 + sd_o * sd_o;
		double norm = 1.0 / sqrt(2 * M_PI * var);
		double flat = floor_like / (double)(omax - omin + 1);
		/* bytes beyond whole segments: a small share spread evenly
		 * over [0, extra_width()] */
		double pextra = cut ? 0 : e->tls ? TLS_EXTRA_SHARE :
		    HTTP_EXTRA_SHARE;
		double width = extra_width(s, e);
		double sd = sqrt(var);
		/* overheads outside [olo, ohi] have no weight */
		double olo = center + dlo - 6 * sd;
		double ohi = center + dhi + 6 * sd + width;
		double far2 = 36 * var;

		extra_density = pextra * sm.p0 / (width + 2 * sd);

		if (floor_like > 0) {
			if (olo > omin - 3 * e->sigma)
				olo = omin - 3 * e->sigma;
			if (ohi < omax + 3 * e->sigma)
				ohi = omax + 3 * e->sigma;
		}

		for (i = 0; i < sc.n; i++) {
			struct cand *cd = &sc.c[i];
			double bl = 0;
			int64_t o0, o_http = 0;

			/* a learned TLS server's file that ends within a
			 * header's length of a record boundary: the header
			 * sent in front of it may push its tail into one more
			 * record */
			int edge = e->tls && learned && nparts == 1 &&
			    (cd->size % s->pcfg.tls_record == 0 ||
			    cd->size % s->pcfg.tls_record >
			    s->pcfg.tls_record - s->pcfg.http_hdr_max);
			/* a server that writes no hex size into its header
			 * (profile.h): its overheads keep the hex digits; one
			 * not known to either way fits a size of other hex
			 * length than those learned from at both, half each */
			int hd = payload_hexdigits(cd->size);
			int hexalt = hexmode == PROFILE_HEX_UNKNOWN && hextyp &&
			    hd != hextyp ? hd - hextyp : 0;
			/* the Gaussian's share, split between the record
			 * counts and the hex models tried */
			double wmix = (edge ? EDGE_PRIOR : 1) *
			    (hexalt ? 0.5 : 1) * (1 - floor_like - pextra);

			for (t = 0; t < ntags; t++) {
				int64_t o = overhead_of(s, e, cd->size, tags[t],
				    nparts);
				double lt = 0, lk = 0;
				int bk = 0, kfrom, kto;

				if (t == 0)
					o_http = o;
				if (hexmode == PROFILE_HEX_NO)
					o += hd;
				/* only the segment counts that put the overhead
				 * where some share of the model has weight */
				kfrom = (int)ceil(((double)o - ohi) / e->mss);
				kto = (int)floor(((double)o - olo) / e->mss);
				if (kfrom < -(int)e->max_lost)
					kfrom = -(int)e->max_lost;
				if (kto > (int)e->max_retx)
					kto = (int)e->max_retx;
				for (k = kfrom; k <= kto; k++) {
					double ok = (double)o - (double)k * e->mss;
					double r = ok - center;
					double l = 0;
					int q, x, y, z, nq = e->tls ? SACKOPT_MAX : 1;

					/* the Gaussian, for TLS also at one and
					 * two SACK blocks further, one record
					 * further near a record boundary, at
					 * the other hex model, and at a second
					 * learned overhead */
					for (q = 0; q < nq; q++)
					for (x = 0; x <= edge; x++)
					for (y = 0; y <= (hexalt != 0); y++)
					for (z = 0; z <= (w2 > 0); z++) {
						double rq = r - q * SACKOPT_BYTES -
						    x * tags[t] + y * hexalt -
						    z * d2;

						if (rq * rq < far2)
							l += (e->tls ?
							    sackopt_prior[q] :
							    1) * wmix *
							    (z ? w2 : 1 - w2) *
							    byte_like(rq, sd,
							    norm, var);
					}
					if (r >= -2 * sd && r <= width)
						l += pextra / (width + 2 * sd);
					if (ok >= omin - 3 * e->sigma &&
					    ok <= omax + 3 * e->sigma)
						l += flat;
					if (l <= 0)
						continue;
					l *= seg_prior(&sm, k);
					lt += l;
					if (l > lk) {
						lk = l;
						bk = k;
					}
				}
				if (lt > bl) {
					bl = lt;
					cd->overhead = o - (int64_t)bk * e->mss;
					cd->segments = bk;
					cd->tag = tags[t];
				}
			}
			/* inside the plausible overhead range at no segment
			 * lost or extra: such candidates vote first */
			o0 = !e->tls && nparts == 1 ? o_http :
			    overhead_of(s, e, cd->size, e->tls ? tls_tags[0] : 0, 1);
			cd->inside = o0 >= vmin && o0 <= vmax;
			cd->like = bl;
			sum += bl;
			if (bl > maxlike)
				maxlike = bl;
		}
	}

	/*
	 * Read the records of the best fits only, best first, and weigh in
	 * what they say (server address, time, scheme).  Stop once no
	 * candidate left unread could win even with the strongest evidence;
	 * those left keep their size likelihood in the sum.
	 */
	if (maxlike > 0)
		ntop = top_m(sc.c, sc.n, 1e-4 * maxlike, -1, top, FETCH_MAX);
	for (j = 0; j < ntop; j++) {
		struct cand *cd = &sc.c[top[j]];
		double f;

		if (j >= FETCH_MIN && best &&
		    best->like >= EVIDENCE_MAX * cd->like)
			break;
		rc = store_get_id(s->txn, cd->id, &rec[j]);
		if (rc != 0) {
			s->st.lookup_errors++;
			res->status = MATCH_NONE;
			goto out;
		}
		f = evidence(&rec[j], c, e, &cd->server_match);
		sum += cd->like * (f - 1.0);
		cd->like *= f;
		nfetched = j + 1;
		if (!best || better(cd, best))
			best = cd;
	}
	/* the read ones in their new order (insertion sort, few) */
	for (i = 1; i < nfetched; i++) {
		uint32_t tt = top[i];
		struct store_download rd = rec[i];

		for (j = i; j > 0 && better(&sc.c[tt], &sc.c[top[j - 1]]); j--) {
			top[j] = top[j - 1];
			rec[j] = rec[j - 1];
		}
		top[j] = tt;
		rec[j] = rd;
	}
	if (best && best->like <= 0)
		best = NULL;
	for (i = 0; best && i < sc.n; i++)
		if (sc.c[i].like >= 0.01 * best->like)
			res->plausible++;

	res->est_size = e->est_size;
	if (learned)
		res->est_size = e->payload - (int64_t)center;
	if (!best) {
		res->status = MATCH_NONE;
		res->confidence = 0;
		goto votes;
	}
	/* "Something not in the store": as likely per byte as the stored
	 * sizes are dense around the estimate (docs/matching.md) */
	null = (double)(wcount ? wcount : 1) / wwidth;
	/* ... but never below what the even "extra bytes" share gives a
	 * candidate (x1.25): a store that is sparse here says nothing about
	 * how often files it does not know are this big, and a fit that only
	 * unexplained extra bytes allow is no evidence above even odds (in a
	 * sparse store such fits a kilobyte off were named at 0.6) */
	if (null < 1.25 * extra_density)
		null = 1.25 * extra_density;
	null *= s->cfg.null_weight;
	/* a range group is one of several sums tried: that many more
	 * chances for a sum to fit by accident */
	if (tries > 1)
		null *= tries;
	res->confidence = best->like / (sum + null);
	fg_debug("score: best %.3g at %d segments, all %.3g, not in the "
	    "store %.3g, no segment counted twice %.2f", best->like,
	    best->segments, sum, null, sm.p0);
	if (res->confidence > 1)
		res->confidence = 1;
	res->status = res->confidence >= s->cfg.min_confidence ? MATCH_FOUND :
	    MATCH_NONE;
	/* where this client's losses fall (seg_model_init()): each lossy
	 * connection's odds of being a stored file with no segment counted
	 * twice or with some, over all candidates (the expectation step of
	 * a mixture fit; a hard count of the fits named would lean to the
	 * share it started from, since those are named more often) */
	if (s->cfg.learn && learned && nparts == 1 && e->loss_hint) {
		double once = 0, twice = 0;

		for (i = 0; i < sc.n; i++) {
			if (sc.c[i].segments == 0)
				once += sc.c[i].like;
			else if (sc.c[i].segments > 0)
				twice += sc.c[i].like;
		}
		if (once + twice > 0)
			clients_loss_seen(s->clients, c->family, c->client,
			    (once + twice) / (sum + null),
			    twice / (once + twice));
	}
	/* est_size: the size the model puts the file at, given the best fit
	 * (at the learned overhead it lies nearer, with a second one) */
	res->est_size = (int64_t)best->size + best->overhead - (int64_t)center;
	if (w2 > 0 && fabs((double)best->overhead - center - d2) <
	    fabs((double)best->overhead - center))
		res->est_size -= (int64_t)d2;
	for (i = 0; i < nfetched && i < TOP_K; i++) {
		const struct cand *cd = &sc.c[top[i]];
		struct match_candidate *m = i == 0 ? &res->best :
		    &res->rivals[i - 1];

		if (i > 0 && cd->like < 0.05 * best->like)
			break;
		m->size = cd->size;
		m->overhead = cd->overhead;
		m->segments = cd->segments;
		m->server_match = cd->server_match;
		m->like = cd->like;
		m->url = fg_strdup(rec[i].url);
		m->file = fg_strdup(rec[i].file);
		m->vendor = fg_strdup(rec[i].vendor);
		if (i > 0)
			res->nrivals++;
	}

votes:
	/* Candidates vote for the overhead they imply without retransmits:
	 * first those inside the plausible overhead range, then the rest by
	 * likelihood, since the ring keeps a bounded number. */
	if (s->cfg.learn && nparts == 1 && sc.n && !s->novote) {
		int32_t ov[PROFILE_VOTES], o[NTAGS_MAX];
		uint8_t tg[PROFILE_VOTES], hx[PROFILE_VOTES], otg[NTAGS_MAX];
		uint32_t vidx[PROFILE_VOTES];
		const uint8_t *all;
		int nv = 0, pass, nk, per = PROFILE_VOTES / record_tags(e, &all);

		for (pass = 0; pass < 2 && nv < PROFILE_VOTES; pass++) {
			uint32_t nvi = top_m(sc.c, sc.n, -1, !pass, vidx, per);

			for (i = 0; i < nvi && nv < PROFILE_VOTES; i++) {
				uint64_t size = sc.c[vidx[i]].size;

				nk = implied(s, e, size, o, otg);
				for (k = 0; k < nk && nv < PROFILE_VOTES; k++) {
					ov[nv] = o[k];
					hx[nv] = (uint8_t)payload_hexdigits(size);
					tg[nv++] = otg[k];
				}
			}
		}
		profile_add(s->prof, c->family, c->server, c->server_port,
		    e->payload, ov, tg, hx, nv);
	}
	rc = 0;
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

	memset(res, 0, sizeof(*res));
	res->conn = *c;
	res->parts = 1;
	if (payload_estimate(&s->pcfg, c, &e) < 0 ||
	    (uint64_t)e.payload < s->cfg.min_size)
		goto small;
	/* SACK blocks counted from the client's own usual request, once
	 * known, instead of a typical one */
	if (s->cfg.learn) {
		int64_t base = clients_request(s->clients, c->family,
		    c->client, e.tls, e.req_extra, !s->novote);

		if (base >= 0 &&
		    payload_rebase(&s->pcfg, c, base + REQUEST_SLACK, &e) < 0)
			goto small;
	}
	return lookup(s, c, &e, 1, 1, res);
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
