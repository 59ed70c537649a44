/*
 * model.c - the terms of the download model (see model.h; docs/matching.md
 * section 5 gives each term's numbers and where they come from).
 */
#include "config.h"

#include <math.h>
#include <stddef.h>

#include "conn.h"
#include "model.h"

/*
 * Prior of one server packet with a SACK block fewer than the overhead
 * expected, none, one and two more (TLS; MODEL_SACKOPT_MIN .. _MAX).  On
 * the testbed four HTTPS downloads at once put about one connection in
 * ten exactly 12 bytes above the fit, one at a time none, and none of
 * some 2,000 came out 24 above (at 0.02 for two, files not in the store
 * 24 bytes above a stored size were named at 0.5-0.9).  One fewer: where
 * most connections carry a block, the overhead learned is the copy
 * (matrix seed 3, nginx TLS 1.3 four at once: of 86 transfers, 51 at
 * 1,964 bytes and 31 at 1,952, the learned 1,964 named none of the
 * latter); as likely as one more.
 */
static const double sackopt_prior[MODEL_SACKOPT_MAX - MODEL_SACKOPT_MIN + 1] =
    { 0.1, 0.798, 0.1, 0.002 };

/* Share of each record count near a TLS record boundary, and of each hex
 * model of a server not known to write the size in hex or not. */
#define EDGE_PRIOR 0.5
#define HEXALT_PRIOR 0.5

double model_byte_like(double r, double sd, double norm, double var)
{
	if (sd < 1)
		return 0.5 * (erfc((r - 0.5) / (sd * M_SQRT2)) -
		    erfc((r + 0.5) / (sd * M_SQRT2)));
	return norm * exp(-r * r / (2 * var));
}

/*
 * Above this spread the SACK option copies (0, 12 or 24 bytes further)
 * are one Gaussian at their mean shift: at 500 bytes a 24-byte shift
 * changes the density by 0.1% at most, and an unlearned TLS server's
 * 1,500 saves two thirds of the work.
 */
#define SACKOPT_COLLAPSE_SD 500.0

double model_overhead_like(const struct model_overhead *o, double r,
    double wmix, int edge_tag, int hexalt)
{
	double far2 = 36 * o->var, l = 0;
	int q, x, y, z, qlo = 0, qhi = 0, mix = 0;
	int nx = edge_tag > 0, ny = hexalt != 0, nz = o->w2 > 0;

	if (o->tls && o->sd >= SACKOPT_COLLAPSE_SD) {
		double mean = 0;

		for (q = MODEL_SACKOPT_MIN; q <= MODEL_SACKOPT_MAX; q++)
			mean += sackopt_prior[q - MODEL_SACKOPT_MIN] * q *
			    MODEL_SACKOPT_BYTES;
		r -= mean;
	} else if (o->tls) {
		qlo = MODEL_SACKOPT_MIN;
		qhi = MODEL_SACKOPT_MAX;
		mix = 1;
	}

	if (nx)
		wmix *= EDGE_PRIOR;
	if (ny)
		wmix *= HEXALT_PRIOR;
	for (q = qlo; q <= qhi; q++)
		for (x = 0; x <= nx; x++)
			for (y = 0; y <= ny; y++)
				for (z = 0; z <= nz; z++) {
					double rq = r - q * MODEL_SACKOPT_BYTES -
					    x * edge_tag + y * hexalt - z * o->d2;

					if (rq * rq >= far2)
						continue;
					l += (mix ? sackopt_prior[q -
					    MODEL_SACKOPT_MIN] : 1) *
					    wmix * (z ? o->w2 : 1 - o->w2) *
					    model_byte_like(rq, o->sd, o->norm,
					    o->var);
				}
	return l;
}

void model_overhead_run(const struct model_overhead *o, double r0,
    double step, int n, double wmix, int edge_tag, int hexalt, double *out)
{
	double shift = 0, far2 = 36 * o->var, rq, a, b, d;
	int k, q;

	/* one Gaussian wide against the step: a recurrence, two products
	 * a k (exp(-(r - s)^2 / 2v) = exp(-r^2 / 2v) x exp((2rs - s^2) / 2v));
	 * else each k on its own */
	if (edge_tag > 0 || hexalt != 0 || o->w2 > 0 || o->sd < 1 ||
	    4 * o->sd < step || (o->tls && o->sd < SACKOPT_COLLAPSE_SD)) {
		for (k = 0; k < n; k++)
			out[k] = model_overhead_like(o, r0 - k * step, wmix,
			    edge_tag, hexalt);
		return;
	}
	if (o->tls)
		for (q = MODEL_SACKOPT_MIN; q <= MODEL_SACKOPT_MAX; q++)
			shift += sackopt_prior[q - MODEL_SACKOPT_MIN] * q *
			    MODEL_SACKOPT_BYTES;
	rq = r0 - shift;
	a = exp(-rq * rq / (2 * o->var));
	b = exp((2 * rq * step - step * step) / (2 * o->var));
	d = exp(-step * step / o->var);
	for (k = 0; k < n; k++) {
		out[k] = rq * rq < far2 ? wmix * o->norm * a : 0;
		a *= b;
		b *= d;
		rq -= step;
	}
}

double model_floor_like(const struct model_overhead *o, double ok,
    double sigma)
{
	if (o->floor <= 0)
		return 0;
	return ok >= o->omin - 3 * sigma && ok <= o->omax + 3 * sigma ?
	    o->flat : 0;
}

double model_extra_like(const struct model_extra *x, double sd, double r)
{
	return r >= -2 * sd && r <= x->width ? x->density : 0;
}

double model_resend_like(const struct model_extra *x,
    const struct model_overhead *o, double r, const double *lens, int n)
{
	double l = 0;
	int i;

	if (x->resend <= 0 || n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		double rr = r - lens[i];

		if (lens[i] < 1 || rr * rr >= 36 * o->var)
			continue;
		l += model_byte_like(rr, o->sd, o->norm, o->var);
	}
	return x->resend * l / n;
}

/*
 * Whole segments sent again without evidence of loss, and whole segments
 * the meter missed: on the testbed 7 and 0 of 3,034 such downloads
 * (0.23%, 0%); the priors leave room for paths that lose a tail (which no
 * SACK block reports) and meters that drop a little.
 */
#define RETX_PRIOR 0.01
#define MISS_PRIOR 0.005

void model_segments_init(struct model_segments *m, int lossy,
    double p0_loss, double mean_retx, double mean_lost)
{
	m->tn = 0;
	m->plost = MISS_PRIOR;
	m->p0 = lossy ? p0_loss : 1.0 - m->plost - RETX_PRIOR;
	m->pretx = 1.0 - m->p0 - m->plost;
	m->cr = 1.0 / mean_retx;
	m->cl = 1.0 / mean_lost;
	m->lr = log1p(-m->cr);
	m->ll = log1p(-m->cl);
}

static double segments_prior(const struct model_segments *m, int k)
{
	if (k == 0)
		return m->p0;
	if (k > 0)
		return m->pretx * m->cr * exp((k - 1) * m->lr);
	return m->plost * m->cl * exp((-k - 1) * m->ll);
}

double model_segments_prior(const struct model_segments *m, int k)
{
	int i = k - m->tkmin;

	if (i >= 0 && i < m->tn)
		return m->tprior[i];
	return segments_prior(m, k);
}

void model_segments_table(struct model_segments *m, int kmin, int kmax)
{
	int i;

	m->tn = 0;
	if (kmax < kmin || kmax - kmin + 1 > MODEL_SEG_TABLE)
		return;
	m->tkmin = kmin;
	m->tcum[0] = 0;
	for (i = 0; i <= kmax - kmin; i++) {
		m->tprior[i] = segments_prior(m, kmin + i);
		m->tcum[i + 1] = m->tcum[i] + m->tprior[i];
	}
	m->tn = kmax - kmin + 1;
}

/* sum of exp(j x l) for j in [a, b], a <= b, 0 <= a: (e^(al) - e^((b+1)l))
 * / (1 - e^l) */
static double geometric(double l, int a, int b)
{
	return (exp(a * l) - exp((b + 1) * l)) / -expm1(l);
}

double model_segments_mass(const struct model_segments *m, int ka, int kb)
{
	double s = 0;

	if (kb < ka)
		return 0;
	if (m->tn && ka >= m->tkmin && kb < m->tkmin + m->tn)
		return m->tcum[kb - m->tkmin + 1] - m->tcum[ka - m->tkmin];
	/* a few k: their priors, cheaper than the series' exp()s */
	if (kb - ka < 4) {
		int k;

		for (k = ka; k <= kb; k++)
			s += model_segments_prior(m, k);
		return s;
	}
	if (ka <= 0 && kb >= 0)
		s += m->p0;
	/* k > 0: pretx x cr x (1 - cr)^(k - 1) */
	if (kb >= 1) {
		int a = ka > 1 ? ka : 1;

		s += m->pretx * m->cr * geometric(m->lr, a - 1, kb - 1);
	}
	/* k < 0: plost x cl x (1 - cl)^(-k - 1) */
	if (ka <= -1) {
		int b = kb < -1 ? kb : -1;

		s += m->plost * m->cl * geometric(m->ll, -b - 1, -ka - 1);
	}
	return s;
}

double model_null_like(uint64_t count, double width, double floor,
    double odds, int tries)
{
	double null = (double)(count ? count : 1) / (width > 1 ? width : 1);

	if (null < floor)
		null = floor;
	null *= odds;
	if (tries > 1)
		null *= tries;
	return null;
}

double model_server_like(int listed, double share, double h)
{
	if (listed < 0)
		return 1 - h;
	if (listed == 0)
		return 1;
	if (share <= 0 || share > 1)
		share = 1;
	return (share + h * (1 - share)) / share;
}

double model_observed_like(const struct model_segments *seg, double dpay,
    double sd, uint32_t mss, int kmin, int kmax, int *best_k)
{
	double l = 0, best = -1, var = sd * sd;
	double norm = sd > 0 ? 1.0 / sqrt(2 * M_PI * var) : 0;
	double a, b;
	int k, bk = 0;

	if (sd <= 0 || mss == 0)
		return 0;
	/* only the k whose residue lies within 6 sd: one or two, since a
	 * segment is hundreds of sds wide */
	a = floor((dpay - 6 * sd) / mss);
	b = ceil((dpay + 6 * sd) / mss);
	if (a > kmin)
		kmin = a > kmax ? kmax + 1 : (int)a;
	if (b < kmax)
		kmax = b < kmin ? kmin - 1 : (int)b;
	for (k = kmin; k <= kmax; k++) {
		double r = dpay - (double)k * mss, t;

		if (r * r >= 36 * var)
			continue;
		t = model_segments_prior(seg, k) *
		    model_byte_like(r, sd, norm, var);
		l += t;
		if (t > best) {
			best = t;
			bk = k;
		}
	}
	if (best_k)
		*best_k = bk;
	return l;
}

double model_observed_resend_like(const struct model_segments *seg,
    double dpay, double sd, uint32_t mss, int kmin, int kmax, double len,
    double share)
{
	if (share <= 0 || len < 1)
		return 0;
	return share / 2 *
	    (model_observed_like(seg, dpay - len, sd, mss, kmin, kmax, NULL) +
	    model_observed_like(seg, dpay + len, sd, mss, kmin, kmax, NULL));
}

double model_observed_sd(int same_path, double sd_ref, double sd_conn,
    double tol)
{
	double s = MODEL_OBS_SD_SAME * tol;

	if (same_path)
		return s;
	return sqrt(s * s + sd_ref * sd_ref + sd_conn * sd_conn);
}

double model_chance_agreement(int n, const double *p, double cells,
    int support)
{
	/* dist[j]: the chance that j of the connections so far vote for a
	 * given value (a Poisson binomial, built one connection at a time) */
	double dist[MODEL_CHANCE_MAX + 1], tail = 0;
	int i, j;

	if (n <= 0 || cells < 1)
		return 0;
	if (support <= 0)
		return cells;
	if (n > MODEL_CHANCE_MAX)
		n = MODEL_CHANCE_MAX;
	if (support > n)
		return 0;
	dist[0] = 1;
	for (j = 1; j <= n; j++)
		dist[j] = 0;
	for (i = 0; i < n; i++) {
		double q = p[i] < 0 ? 0 : p[i] > 1 ? 1 : p[i];

		for (j = i + 1; j > 0; j--)
			dist[j] = dist[j] * (1 - q) + dist[j - 1] * q;
		dist[0] *= 1 - q;
	}
	for (j = support; j <= n; j++)
		tail += dist[j];
	return cells * tail;
}

double model_posterior(double best, double sum, double null)
{
	double p;

	if (best <= 0 || sum + null <= 0)
		return 0;
	p = best / (sum + null);
	return p > 1 ? 1 : p;
}

/* The learned base rate forgets: its mass is kept at this many lookups. */
#define BASE_RATE_MEMORY 2000.0

void model_base_rate_init(struct model_base_rate *b, double odds0,
    double weight)
{
	b->odds0 = odds0;
	b->weight = weight;
	b->unknown = 0;
	b->total = 0;
	b->min_odds = odds0;
	b->max_odds = 50 * odds0;
}

double model_base_rate_odds(const struct model_base_rate *b)
{
	/* the prior counts as @weight lookups at odds0 */
	double p0 = b->odds0 / (1 + b->odds0);
	double p = (b->unknown + b->weight * p0) / (b->total + b->weight);
	double odds = p < 0.999 ? p / (1 - p) : 999;

	/* The odds the posteriors were computed with are the ones learned:
	 * an expectation step, so a lookup the evidence does not decide
	 * (a dense window, an unlearned server) gives back the odds it was
	 * scored with and does not move them.  Taken before as the geometric
	 * mean of these and the prior's 1, which held them near 1 wherever
	 * such lookups were many: in the matrix (seed 3, 10 unknown
	 * transfers a stored download) at 1.6-1.8, and 20 files not in the
	 * store were named at 0.50-0.98; without it 10.  On the dense-store
	 * benchmark (seed 7: odds 10 in truth) they end at 7.2, below the
	 * truth, while its confidences are too low: that fault is in the
	 * likelihoods (docs/matching.md section 5). */
	if (odds < b->min_odds)
		odds = b->min_odds;
	if (odds > b->max_odds)
		odds = b->max_odds;
	return odds;
}

void model_base_rate_seen(struct model_base_rate *b, double p_unknown)
{
	if (p_unknown < 0)
		p_unknown = 0;
	if (p_unknown > 1)
		p_unknown = 1;
	b->unknown += p_unknown;
	b->total += 1;
	if (b->total > BASE_RATE_MEMORY) {
		double f = BASE_RATE_MEMORY / b->total;

		b->unknown *= f;
		b->total *= f;
	}
}

double model_end_like(unsigned data, unsigned req, int sampled)
{
	const unsigned end = CONN_TCP_FIN | CONN_TCP_RST;

	if (sampled || (data | req) == 0 || ((data | req) & end))
		return 1;
	return MODEL_UNENDED_Q;
}
