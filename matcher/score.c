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

#include "profile.h"
#include "score.h"
#include "util.h"

/* Unlearned overhead: spread around the typical value (docs/matching.md) */
#define HTTP_SD_UNLEARNED 100.0
#define TLS_SD_UNLEARNED 1500.0
/* Learned overhead: spread of one server's overhead between files */
#define HTTP_SD_LEARNED 3.0
#define TLS_SD_LEARNED 4.0
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

struct scorer {
	struct score_config cfg;
	struct payload_config pcfg;
	struct store_txn *txn;
	struct profile_table *prof;
	struct score_stats st;
};

struct cand {
	uint64_t id, size;
	int8_t server_match;
	float time_factor;
	double like;
	int64_t overhead;
	int32_t segments;
	uint8_t tag;
	int support;
	double smean;
};

struct scan {
	const struct connection *conn;
	const struct payload_estimate *est;
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
	cfg->max_scan = 4096;
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
	return s;
}

void scorer_free(struct scorer *s)
{
	if (!s)
		return;
	profile_free(s->prof);
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

	cand_clear(&res->best);
	for (i = 0; i < MATCH_MAX_RIVALS; i++)
		cand_clear(&res->rivals[i]);
	res->nrivals = 0;
}

static int collect_cb(const struct store_download *d, void *arg)
{
	struct scan *sc = arg;
	struct cand *c;
	int i;

	if (sc->n >= sc->cap) {
		sc->truncated = 1;
		return 1;
	}
	c = &sc->c[sc->n++];
	memset(c, 0, sizeof(*c));
	c->id = d->id;
	c->size = d->size;
	c->time_factor = 1.0f;
	if (d->naddrs) {
		c->server_match = -1;
		for (i = 0; i < d->naddrs && i < STORE_ADDRS_MAX; i++)
			if (d->addrs[i].family == sc->conn->family &&
			    !memcmp(d->addrs[i].bytes, sc->conn->server,
			    sc->conn->family == 4 ? 4 : 16))
				c->server_match = 1;
	}
	/* A file last modified after the download began did not exist in
	 * that form yet; one the crawler first saw after it is only weakly
	 * suspicious (the crawler may simply have come later). */
	if (d->last_modified > 0 &&
	    d->last_modified * 1000 > sc->conn->start_ms + 60000)
		c->time_factor = 0.02f;
	else if (d->first_seen > 0 && d->first_seen * 1000 > sc->conn->end_ms +
	    86400000LL)
		c->time_factor = 0.5f;
	/* The scheme says whether the file is fetched over TLS; the same
	 * file offered over http:// and https:// has two entries of one
	 * size, and the port tells them apart. */
	if (!strncmp(d->url, "https://", 8) != !!sc->est->tls)
		c->time_factor *= 0.02f;
	return 0;
}

/* geometric distribution on 1, 2, ... with mean @m */
static double geom(int k, double m)
{
	return (1.0 / m) * pow(1.0 - 1.0 / m, k - 1);
}

/*
 * Prior of @k whole segments extra (retransmitted, counted twice by the
 * meter) or, negative, missing (the meter dropped them).  Most downloads
 * have neither; ACKs with SACK blocks say that loss happened.
 */
static double seg_prior(int k, const struct payload_estimate *e)
{
	double p0 = e->loss_hint ? 0.4 : 0.8, plost = 0.05;

	if (k == 0)
		return p0;
	if (k > 0)
		return (1.0 - p0 - plost) * geom(k, e->mean_retx);
	return plost * geom(-k, e->mean_lost);
}

struct named {
	uint64_t id;
	struct match_candidate *out;
};

static int name_cb(const struct store_download *d, void *arg)
{
	struct named *nm = arg;

	if (d->id != nm->id)
		return 0;
	nm->out->url = fg_strdup(d->url);
	nm->out->file = fg_strdup(d->file);
	nm->out->vendor = fg_strdup(d->vendor);
	return 1;
}

static int cmp_like(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->like != y->like)
		return x->like < y->like ? 1 : -1;
	return x->size < y->size ? -1 : x->size > y->size;
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

/*
 * The lookup and scoring shared by single connections and range groups.
 * @nparts > 1 scales the overhead: each part has its own header and
 * handshake.
 */
static int lookup(struct scorer *s, const struct connection *c,
    const struct payload_estimate *e, int nparts, int tries,
    struct match_result *res)
{
	static const uint8_t tls_tags[] = { 22, 29, 21 };
	static const uint8_t http_tags[] = { 0 };
	const uint8_t *tags = e->tls ? tls_tags : http_tags;
	int ntags = e->tls ? 3 : 1;
	struct scan sc;
	struct cand *best = NULL;
	double center, sd_o, sum = 0, floor_like = 0, sigma2, null;
	int64_t omin, omax;
	uint64_t lo = e->lo, hi = e->hi;
	uint32_t i;
	int rc, t, learned = 0, k;
	uint8_t ltag = 0;

	memset(&sc, 0, sizeof(sc));
	sc.conn = c;
	sc.est = e;
	sc.cap = s->cfg.max_scan;
	sc.c = fg_calloc(sc.cap ? sc.cap : 1, sizeof(*sc.c));
	if (nparts > 1) {
		uint64_t wmin = (uint64_t)(nparts - 1) * s->pcfg.http_hdr_min;
		uint64_t wmax = (uint64_t)(nparts - 1) * (e->tls ?
		    s->pcfg.tls_hs_max + s->pcfg.http_hdr_max :
		    s->pcfg.http_hdr_max);

		lo = lo > wmax ? lo - wmax : 1;
		hi = hi > wmin ? hi - wmin : 1;
	}
	res->est = *e;
	s->st.looked_up++;
	rc = store_range(s->txn, lo, hi, collect_cb, &sc);
	if (rc < 0) {
		s->st.lookup_errors++;
		res->status = MATCH_NONE;
		goto out;
	}
	rc = 0;
	fg_debug("lookup: payload %lld parts %d window [%llu, %llu]: %u "
	    "candidates", (long long)e->payload, nparts,
	    (unsigned long long)lo, (unsigned long long)hi, sc.n);
	res->window = sc.n;
	s->st.candidates += sc.n;

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
	center *= nparts;
	sd_o *= sqrt((double)nparts);
	omin *= nparts;
	omax *= nparts;
	sigma2 = e->sigma * e->sigma;

	/* Has this server's overhead been learned?  The profile's mode must
	 * be backed by three connections for different payloads and by a
	 * third of those remembered (aborted transfers and files not in the
	 * store vote at random), and beat the best other value by two (in a
	 * dense store a few connections agree on a wrong value by chance). */
	if (s->cfg.learn) {
		int64_t tol = e->tls ? 3 * (int64_t)TLS_SD_LEARNED :
		    3 * (int64_t)HTTP_SD_LEARNED;
		int sup = 0, cnt = 0, sup2 = 0;
		double mode = 0;
		uint8_t mtag = 0;

		if (profile_mode(s->prof, c->family, c->server, c->server_port,
		    tol, &mode, &mtag, &sup, &sup2, &cnt) == 0)
			fg_debug("profile: mode %.0f tag %u support %d runner-up "
			    "%d of %d", mode, mtag, sup, sup2, cnt);
		if (sup >= 3 && 3 * sup >= cnt && sup >= sup2 + 2) {
			profile_keep(s->prof, c->family, c->server,
			    c->server_port, mode, mtag);
			learned = 1;
		} else if (profile_kept(s->prof, c->family, c->server,
		    c->server_port, &mode, &mtag) == 0) {
			learned = 1;
		}
		if (learned) {
			ltag = mtag;
			center = mode;
			sd_o = e->tls ? TLS_SD_LEARNED : HTTP_SD_LEARNED;
			tags = &ltag;
			ntags = 1;
			/* each part: the learned header plus Content-Range and
			 * the longer status line of a 206 */
			if (nparts > 1) {
				center = nparts * (mode + RANGE_EXTRA);
				sd_o = sqrt((double)nparts) * RANGE_SD;
			}
		}
	}
	res->learned = learned;
	/* no flat share for range groups: many subsets are tried, and a
	 * flat share would let some sum fit by chance */
	if (!learned && nparts == 1)
		floor_like = FLOOR_UNLEARNED;

	{
		double var = sigma2 + sd_o * sd_o;
		double norm = 1.0 / sqrt(2 * M_PI * var);
		double flat = floor_like / (double)(omax - omin + 1);
		/*
		 * Bytes beyond whole segments, never fewer: under load nginx
		 * writes shorter TLS records (more record overhead), and a
		 * window-limited sender retransmits partial segments.  A small
		 * share spread evenly over [0, width].
		 */
		double pextra = e->tls ? TLS_EXTRA_SHARE : HTTP_EXTRA_SHARE;
		double width = e->tls ? (double)e->payload / s->pcfg.tls_record *
		    s->pcfg.tls_rec_max / 2 + e->mss : 2.0 * e->mss;
		double sd = sqrt(var);

		for (i = 0; i < sc.n; i++) {
			struct cand *cd = &sc.c[i];
			double bl = 0;

			for (t = 0; t < ntags; t++) {
				int64_t o = overhead_of(s, e, cd->size, tags[t],
				    nparts);
				double lt = 0, lk = 0;
				int bk = 0;

				for (k = -(int)e->max_lost; k <= (int)e->max_retx;
				    k++) {
					double ok = (double)o - (double)k * e->mss;
					double r = ok - center;
					double l = (1 - floor_like - pextra) * norm *
					    exp(-r * r / (2 * var));

					if (r >= -2 * sd && r <= width)
						l += pextra / (width + 2 * sd);

					if (ok >= omin - 3 * e->sigma &&
					    ok <= omax + 3 * e->sigma)
						l += flat;
					l *= seg_prior(k, e);
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
			if (cd->server_match > 0)
				bl *= 3.0;
			else if (cd->server_match < 0)
				bl *= 0.5;
			bl *= cd->time_factor;
			cd->like = bl;
			sum += bl;
		}
	}
	qsort(sc.c, sc.n, sizeof(*sc.c), cmp_like);
	if (sc.n && sc.c[0].like > 0)
		best = &sc.c[0];
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
	null = s->cfg.null_weight * (double)(sc.n ? sc.n : 1) /
	    (double)(hi - lo + 1);
	/* a range group is one of several sums tried: that many more
	 * chances for a sum to fit by accident */
	if (tries > 1)
		null *= tries;
	res->confidence = best->like / (sum + null);
	if (res->confidence > 1)
		res->confidence = 1;
	res->status = res->confidence >= s->cfg.min_confidence ? MATCH_FOUND :
	    MATCH_NONE;
	/* est_size: the size the model puts the file at, given the best fit */
	res->est_size = (int64_t)best->size + best->overhead - (int64_t)center;
	for (i = 0; i < sc.n && i < TOP_K; i++) {
		struct match_candidate *m = i == 0 ? &res->best :
		    &res->rivals[i - 1];
		struct named nm;

		if (i > 0 && sc.c[i].like < 0.05 * best->like)
			break;
		m->size = sc.c[i].size;
		m->overhead = sc.c[i].overhead;
		m->segments = sc.c[i].segments;
		m->server_match = sc.c[i].server_match;
		m->like = sc.c[i].like;
		nm.id = sc.c[i].id;
		nm.out = m;
		rc = store_range(s->txn, m->size, m->size, name_cb, &nm);
		if (rc < 0) {
			s->st.lookup_errors++;
			goto out;
		}
		rc = 0;
		if (!m->url) {
			m->url = fg_strdup("");
			m->file = fg_strdup("");
			m->vendor = fg_strdup("");
		}
		if (i > 0)
			res->nrivals++;
	}

votes:
	/* Candidates vote for the overhead they imply without retransmits:
	 * first those inside the plausible overhead range, then the rest by
	 * likelihood, since the ring keeps a bounded number. */
	if (s->cfg.learn && nparts == 1 && sc.n) {
		int32_t ov[PROFILE_VOTES];
		uint8_t tg[PROFILE_VOTES];
		int nv = 0, pass;
		static const uint8_t all_tls[] = { 22, 29, 21 };
		int64_t vmin, vmax;

		if (e->tls) {
			vmin = s->pcfg.tls_hs_min + s->pcfg.http_hdr_min;
			vmax = s->pcfg.tls_hs_max + s->pcfg.http_hdr_max;
		} else {
			vmin = s->pcfg.http_hdr_min;
			vmax = s->pcfg.http_hdr_max;
		}
		for (pass = 0; pass < 2; pass++) {
			for (i = 0; i < sc.n && nv < PROFILE_VOTES; i++) {
				int nt = e->tls ? 3 : 1;
				int64_t o0 = overhead_of(s, e, sc.c[i].size,
				    e->tls ? all_tls[0] : 0, 1);
				int inside = o0 >= vmin && o0 <= vmax;

				if (inside != !pass)
					continue;
				for (t = 0; t < nt && nv < PROFILE_VOTES; t++) {
					uint8_t tag = e->tls ? all_tls[t] : 0;
					int64_t o = overhead_of(s, e, sc.c[i].size,
					    tag, 1);

					if (o < INT32_MIN || o > INT32_MAX)
						continue;
					ov[nv] = (int32_t)o;
					tg[nv++] = tag;
				}
			}
		}
		profile_add(s->prof, c->family, c->server, c->server_port,
		    e->payload, ov, tg, nv);
	}
out:
	if (res->status == MATCH_FOUND)
		s->st.found++;
	else
		s->st.unmatched++;
	free(sc.c);
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
	    (uint64_t)e.payload < s->cfg.min_size) {
		res->est = e;
		res->status = MATCH_SMALL;
		res->est_size = e.est_size;
		return 0;
	}
	return lookup(s, c, &e, 1, 1, res);
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
