/*
 * model.h - the generative model of a download, one term per function.
 *
 * A download of a file of S bytes leaves, in the data direction, a TCP
 * payload of
 *
 *     S + overhead (response header; TLS: handshake + header)
 *       + TLS record overhead x records
 *       + k whole segments counted twice (k < 0: missed by the meter)
 *       + short segments sent again (the file's last segment, the
 *         header-only segment)
 *       + a few unexplained bytes now and then (partial resends)
 *
 * and a candidate file's likelihood is the sum over k of the product of
 * the terms below.  Each term is one function, documented in
 * docs/matching.md section 5 with where its numbers come from, and unit
 * tested in tests/matcher/t-model.c with hand-computed values.  score.c
 * gathers what the terms need (the server's learned overhead, the client's
 * loss share, the candidates) and combines them; nothing here reads the
 * store or learns.
 */
#ifndef FLOWGRAB_MODEL_H
#define FLOWGRAB_MODEL_H

#include <stdint.h>

/* TLS: 2 NOPs + 2 + 8 bytes of TCP options of a server packet carrying one
 * SACK block (a D-SACK, RFC 2883); the model tries one such packet fewer
 * than the overhead expected, up to two more */
#define MODEL_SACKOPT_BYTES 12
#define MODEL_SACKOPT_MIN (-1)
#define MODEL_SACKOPT_MAX 2

/*
 * The server's overhead as the model expects it: learned (narrow, to the
 * byte) or a prior (wide); with a second learned value (a header that
 * differs by file type) and its share.
 */
struct model_overhead {
	double center;              /* expected overhead, bytes */
	double sd;                  /* its spread, size error included */
	double var, norm;           /* sd^2 and 1 / sqrt(2 pi var) */
	double d2, w2;              /* second overhead: offset, share */
	double omin, omax;          /* overheads a server can add at all */
	double floor;               /* unlearned: share spread evenly over
	                               [omin, omax] */
	double flat;                /* floor / (omax - omin + 1) */
	int tls;                    /* SACK option copies apply */
};

/*
 * Whole segments counted twice (k > 0) or missed (k < 0): a share with
 * none, then geometric in |k| with the means the loss evidence gives.
 */
#define MODEL_SEG_TABLE 256

struct model_segments {
	double p0, pretx, plost;    /* shares of k = 0, k > 0, k < 0 */
	double cr, cl;              /* 1 / mean, k > 0 and k < 0 */
	double lr, ll;              /* log(1 - 1/mean) */
	/* where every allowed k fits MODEL_SEG_TABLE: the priors and their
	 * running sums, so that a term costs a look-up, not an exp() */
	int tkmin, tn;              /* k = tkmin .. tkmin + tn - 1; tn 0: none */
	double tprior[MODEL_SEG_TABLE];
	double tcum[MODEL_SEG_TABLE + 1];   /* tcum[i]: k < tkmin + i */
};

/* Bytes beyond the overhead and whole segments. */
struct model_extra {
	double share;               /* "extra bytes": spread evenly ... */
	double width;               /* ... over [-2 sd, width] */
	double density;             /* share / (width + 2 sd) */
	double resend;              /* a short segment sent again */
};

struct model {
	struct model_overhead ovh;
	struct model_segments seg;
	struct model_extra extra;
	uint32_t mss;
	uint64_t hdr_bytes;         /* the expected overhead, whole bytes */
};

/* --- the terms ---------------------------------------------------------- */

/*
 * The probability of an overhead @r bytes from the expected one under a
 * spread @sd (variance @var, density normaliser @norm): for sd < 1 byte
 * the mass of the whole byte at @r (sizes are integers), else the
 * Gaussian density.
 */
double model_byte_like(double r, double sd, double norm, double var);

/*
 * The overhead term: the likelihood of residual @r (implied overhead less
 * the expected one) under the server model, mixed over a second learned
 * overhead, SACK option copies (TLS), one TLS record more near a record
 * boundary (@edge_tag > 0: that record's overhead, each count half) and
 * the other hex model (@hexalt digits, each half).  @wmix is the share the
 * Gaussian part has after the other terms took theirs.
 */
double model_overhead_like(const struct model_overhead *o, double r,
    double wmix, int edge_tag, int hexalt);

/*
 * model_overhead_like() at @r0 - k x @step for k = 0 .. @n-1, into @out:
 * where the term is one Gaussian wide against the step (an unlearned
 * server: the k of one candidate lie on one curve), by a recurrence, two
 * products a k instead of an exp(); else k by k.  The same values to
 * rounding (t-model).
 */
void model_overhead_run(const struct model_overhead *o, double r0,
    double step, int n, double wmix, int edge_tag, int hexalt, double *out);

/* The unlearned floor: an overhead @ok anywhere a server can produce. */
double model_floor_like(const struct model_overhead *o, double ok,
    double sigma);

/* The "extra bytes" share at residual @r. */
double model_extra_like(const struct model_extra *x, double sd, double r);

/*
 * Short segments sent again: residual @r explained by one segment of one
 * of @n lengths @lens (the file's last segment, the header-only segment)
 * sent twice, each equally likely.
 */
double model_resend_like(const struct model_extra *x,
    const struct model_overhead *o, double r, const double *lens, int n);

/* The prior of @k whole segments counted twice or (k < 0) missed. */
double model_segments_prior(const struct model_segments *m, int k);

/*
 * The prior mass of every k in [@ka, @kb] (empty if @kb < @ka): the sum
 * of model_segments_prior() over them, in closed form (the geometric
 * series), so that a term constant over a range of k (the extra bytes,
 * the unlearned floor) costs one call, not one per k.
 */
double model_segments_mass(const struct model_segments *m, int ka, int kb);

/*
 * Set @m from the loss evidence: @lossy (the reverse direction says
 * segments were lost), the share of such downloads with none counted
 * twice @p0_loss, the expected counts @mean_retx and @mean_lost.
 */
void model_segments_init(struct model_segments *m, int lossy,
    double p0_loss, double mean_retx, double mean_lost);

/* Tabulate the priors of k in [@kmin, @kmax] if they fit (else the
 * terms compute each). */
void model_segments_table(struct model_segments *m, int kmin, int kmax);

/*
 * The "not in the store" hypothesis, per byte: as likely as the stored
 * sizes are dense around the estimate (@count downloads in @width bytes:
 * that close a transfer of an unknown file lands on some stored size by
 * chance), never below @floor (a fit only the extra-bytes share allows is
 * no evidence), times the prior odds @odds of an unknown transfer and the
 * number of sums @tries tried for this connection.
 */
double model_null_like(uint64_t count, double width, double floor,
    double odds, int tries);

/*
 * The server-address term: the likelihood ratio of what the store says
 * about the flow's server for a candidate that is the file against one
 * that is not.  @listed > 0: the crawler saw this server serve it; < 0:
 * it saw other addresses only; 0: none at all (ratio 1).  @share: the
 * share of the window's candidates that list this server (the chance a
 * wrong one does); @h: the chance that the true file lists it beyond
 * that (CDNs serve from addresses no crawl saw).  Listed: (share + h (1 -
 * share)) / share; other addresses: 1 - h.  Averaged over the window's
 * candidates the ratio is 1, so the term moves weight between them and
 * leaves "not in the store" as it was.
 */
double model_server_like(int listed, double share, double h);

/*
 * The observed-reference term (docs/matching.md section 5): a candidate
 * that is a transfer a reference host was seen to receive (flowgrab-matcher
 * --observe) is compared counter for counter: @dpay is this connection's
 * payload less the reference's, both estimated from their raw counters
 * alike.  Whole segments of @mss counted twice (k > 0) or missed (k < 0)
 * by either meter, k in [@kmin, @kmax], weigh by their prior (@seg, as
 * for a crawled candidate); the rest must lie within @sd
 * (model_observed_sd()), a whole byte's mass below 1.  The best k into
 * *@best_k (may be NULL).
 */
double model_observed_like(const struct model_segments *seg, double dpay,
    double sd, uint32_t mss, int kmin, int kmax, int *best_k);

/*
 * The observed-reference term when one of the two transfers sent its last,
 * short segment twice: @dpay is @len bytes above (this connection resent
 * it) or below (the reference did) what model_observed_like() weighs, each
 * side equally likely, at a share @share of the mass.  @len is the
 * reference's payload modulo the segment size: the transfer's final
 * segment where the header goes in one stream with the file.
 */
double model_observed_resend_like(const struct model_segments *seg,
    double dpay, double sd, uint32_t mss, int kmin, int kmax, double len,
    double share);

/*
 * The spread of @dpay: on the same path (@same_path: the same per-packet
 * header, segment size and TCP options on both connections) the two
 * payloads differ by what differs between two downloads of one file from
 * one server, MODEL_OBS_SD_SAME (x @tol, --tolerance); on another path
 * the errors of both estimates, @sd_ref and @sd_conn, add as well.
 */
#define MODEL_OBS_SD_SAME 2.0
double model_observed_sd(int same_path, double sd_ref, double sd_conn,
    double tol);

/*
 * Chance agreement in a wide fit (docs/matching.md section 4): the
 * expected number of values (an overhead in one TLS framing) among @cells
 * that @support or more of @n remembered connections agree on by chance,
 * when connection i votes for any one value with probability @p[i] (its
 * votes over the span of values they cover) and for a value at most
 * once: @cells x P(sum of Bernoulli(p[i]) >= @support).  A fit is taken
 * only where this is small: in a dense store every remembered payload has
 * hundreds of candidates, and some value is backed by four or six of
 * sixteen connections by chance alone.
 */
#define MODEL_CHANCE_MAX 64   /* connections counted at most */
double model_chance_agreement(int n, const double *p, double cells,
    int support);

/* The posterior of the best hypothesis: @best over @sum of all candidates'
 * likelihoods plus @null, at most 1. */
double model_posterior(double best, double sum, double null);

/* --- whether the transfer was seen to end ------------------------------ */

/*
 * The chance that what the records counted is the whole transfer, from
 * the TCP flags seen server -> client (@data) and client -> server
 * (@req), CONN_TCP_* of conn.h: 1 where a FIN or RST was seen either way;
 * 1 where the records carry no flags at all (an exporter that leaves
 * them out) or come from a sampling exporter (@sampled: a FIN is seldom
 * among the packets sampled), which say nothing; MODEL_UNENDED_Q where
 * flags were recorded and no end among them: the meter's last packets
 * still in its capture ring, a record lost on the way, an input file
 * that ends mid-transfer.  Every candidate's likelihood is weighed by it;
 * "not in the store" is not (a transfer that stopped anywhere fits an
 * unknown file as well as before).
 */
#define MODEL_UNENDED_Q 0.05
double model_end_like(unsigned data, unsigned req, int sampled);

/* --- learned base rate of unknown transfers ----------------------------- */

/*
 * How many large transfers on this network are not stored files, learned
 * from the traffic as a running mean of each lookup's posterior of "not
 * in the store" (an expectation step), starting from prior odds @odds0 as
 * if @weight lookups had shown them.  Odds, not a share: the null
 * hypothesis is weighed by them.
 */
struct model_base_rate {
	double unknown, total;      /* posterior mass seen so far */
	double odds0, weight;
	double min_odds, max_odds;  /* the odds stay within these */
};

void model_base_rate_init(struct model_base_rate *b, double odds0,
    double weight);
double model_base_rate_odds(const struct model_base_rate *b);
void model_base_rate_seen(struct model_base_rate *b, double p_unknown);

#endif
